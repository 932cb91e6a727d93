//===- Passes.h - CPU target passes and pipeline ----------------*- C++ -*-===//
//
// The CPU target's lowering as a registered pipeline, so that
// `qopt --qcc-cpu-lowering` reproduces what `qcc compile` does to the IR
// between model.mlir and the LLVM dialect.
//
//===----------------------------------------------------------------------===//

#ifndef QCC_TARGET_CPU_PASSES_H
#define QCC_TARGET_CPU_PASSES_H

#include "mlir/Dialect/Bufferization/IR/Bufferization.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/Pass/Pass.h"
#include "mlir/Pass/PassOptions.h"

#include <string>

namespace qcc::cpu {

#define GEN_PASS_DECL
#include "qcc/Target/CPU/Passes.h.inc"

#define GEN_PASS_REGISTRATION
#include "qcc/Target/CPU/Passes.h.inc"

/// The name the entry function gets in the library (its C interface is
/// `_mlir_ciface_qcc_model_entry`).
inline constexpr llvm::StringLiteral kEntryName = "qcc_model_entry";

/// Choices of the lowering pipeline.
struct LoweringOptions {
  /// Integer convolutions on packed int4 weights read them packed from this
  /// many int8 weight bytes on (qcc-cpu-convert-qc-to-linalg's
  /// packed-conv-min-bytes).
  int64_t packedConvMinBytes = 262144;
  /// The entry function (empty: @main, else the first with a body).
  std::string entry;
  /// Float activations, softmax and layer normalization in f32 with
  /// vectorizable approximations of their math functions, batched products
  /// of activations on the f32 GEMM kernel (float models: FloatMath::Single
  /// and qcc-cpu-approximate-float-math), not in double with libm as the
  /// interpreter computes them.
  bool singleFloatMath = false;
};

/// qc graph (integer or float) -> LLVM dialect: the entry prepared
/// (qcc-cpu-prepare-entry), one sample at a time (static shapes), qc ->
/// linalg -> bufferized loops and micro-kernel calls -> LLVM. Registered as
/// the pipeline `qcc-cpu-lowering`.
void buildCPULoweringPipeline(mlir::OpPassManager &pm,
                              const LoweringOptions &options = {});

/// Whether a value a loop nest uses is recreated inside the function the
/// nest is outlined into (qcc-cpu-outline-loops, qcc-hls-outline-layers)
/// rather than passed to it: constants (the code then sees the values) and
/// constant globals' addresses (it sees they are not written).
bool isRecreatedWhenOutlined(mlir::Value v);

/// Pieces of the lowering that other targets' host code shares:
/// one-shot bufferization (identity layouts at function boundaries) with
/// results as out-parameters, for the C API's descriptors...
void addBufferizationPasses(mlir::OpPassManager &pm);
/// ...and buffers and loops (scf, affine, memref, arith, math through libm)
/// to the LLVM dialect, allocations through the kernels' heap
/// (Ukernel/Heap.c).
void addLoopsToLLVMPasses(mlir::OpPassManager &pm);

/// Registers the passes above and the pipeline `qcc-cpu-lowering`.
void registerCPUPassesAndPipelines();

} // namespace qcc::cpu

#endif // QCC_TARGET_CPU_PASSES_H
