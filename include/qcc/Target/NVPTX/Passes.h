//===- Passes.h - NVPTX target passes and pipeline --------------*- C++ -*-===//
//
// The NVPTX target's lowering as a registered pipeline, so that
// `qopt --qcc-nvptx-lowering` reproduces what `qcc compile --target nvptx`
// does to the IR between model.mlir and the LLVM dialect.
//
//===----------------------------------------------------------------------===//

#ifndef QCC_TARGET_NVPTX_PASSES_H
#define QCC_TARGET_NVPTX_PASSES_H

#include "mlir/Dialect/Affine/IR/AffineOps.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/LLVMIR/NVVMDialect.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/NVGPU/IR/NVGPUDialect.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/Pass/Pass.h"
#include "mlir/Pass/PassOptions.h"

#include <optional>
#include <string>
#include <vector>

namespace qcc::nvptx {

#define GEN_PASS_DECL
#include "qcc/Target/NVPTX/Passes.h.inc"

#define GEN_PASS_REGISTRATION
#include "qcc/Target/NVPTX/Passes.h.inc"

/// Choices of the lowering pipeline.
struct LoweringOptions {
  /// The entry function (empty: @main, else the first with a body).
  std::string entry;
  /// The GPU architecture the PTX is for, e.g. "sm_80" (the PTX runs on it
  /// and every later one: the driver compiles it when it loads).
  std::string chip = "sm_80";
  /// The PTX ISA version, as an LLVM feature ("+ptx80": PTX 8.0, which
  /// CUDA 12 and later read; LLVM's default, 6.0, is too old for sm_80).
  std::string ptxFeatures = "+ptx80";
  /// Threads per block (qcc-gpu-map-parallel-loops).
  int64_t blockSize = 256;
  /// int8 matrix products (and convolutions, through im2col) as warp-level
  /// tensor-core kernels (qcc-gpu-tensor-core-contractions); else scalar
  /// loops like every other op.
  bool tensorCores = true;
  /// The int8 products left (all of them below sm_80) as per-thread dp4a
  /// kernels (qcc-gpu-dp4a-contractions; sm_61 and later).
  bool dp4a = true;
  /// Warps per block of the tensor-core kernels.
  int64_t warpsPerBlock = 4;
  /// The CPU execution of the mapping: launches as loops on the host, no
  /// device code (qcc compile --emit cpu-sim).
  bool cpuSimulation = false;
};

/// qc graph -> linalg -> parallel loops mapped to blocks and threads ->
/// gpu.launch -> device buffers, outlined kernels, NVVM, PTX embedded in a
/// gpu.binary, and host code in the LLVM dialect calling the mgpu* launcher
/// functions (lib/Target/NVPTX/Runtime/CudaLauncher.c); with
/// cpuSimulation, the launches become loops and everything is host code.
/// Registered as `qcc-nvptx-lowering`.
void buildNVPTXLoweringPipeline(mlir::OpPassManager &pm,
                                const LoweringOptions &options = {});

/// CUDA's libdevice (nvvm/libdevice/libdevice.10.bc under $CUDA_HOME,
/// $CUDA_ROOT, $CUDA_PATH, /usr/local/cuda or /usr/lib/cuda), which the
/// kernels link for the math functions they call, if it is there.
std::optional<std::string> findLibdevice();

/// Registers the passes above and the pipeline `qcc-nvptx-lowering`.
void registerNVPTXPassesAndPipelines();

} // namespace qcc::nvptx

#endif // QCC_TARGET_NVPTX_PASSES_H
