//===- Passes.h - FPGA HLS target passes and pipeline -----------*- C++ -*-===//
//
// The HLS target's lowering as a registered pipeline, so that
// `qopt --qcc-hls-lowering` reproduces what `qcc compile --target hls` does
// to the IR between model.mlir and the emitted C++.
//
//===----------------------------------------------------------------------===//

#ifndef QCC_TARGET_HLS_PASSES_H
#define QCC_TARGET_HLS_PASSES_H

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Pass/Pass.h"
#include "mlir/Pass/PassOptions.h"

#include <string>

namespace qcc::hls {

#define GEN_PASS_DECL
#include "qcc/Target/HLS/Passes.h.inc"

#define GEN_PASS_REGISTRATION
#include "qcc/Target/HLS/Passes.h.inc"

/// Choices of the lowering pipeline.
struct LoweringOptions {
  /// The entry function (empty: @main, else the first with a body).
  std::string entry;
  /// The design's top function.
  std::string top = "qcc_model";
  /// Width of every accumulator (0: exact bit growth).
  int64_t accumulatorBits = 0;
  /// The default reuse factor and per-layer ones ("NAME=R,...").
  int64_t reuseFactor = 1;
  std::string layerReuseFactors;
};

/// qc graph -> the integer core split off as the top function -> linalg
/// on tensors with exact integer widths -> buffers -> loops with the views
/// folded into the accesses -> one function per layer, pipelined by its
/// reuse factor: what EmitHLSCpp prints. Registered as
/// `qcc-hls-lowering`.
void buildHLSLoweringPipeline(mlir::OpPassManager &pm,
                              const LoweringOptions &options = {});

/// Registers the passes above and the pipeline `qcc-hls-lowering`.
void registerHLSPassesAndPipelines();

} // namespace qcc::hls

#endif // QCC_TARGET_HLS_PASSES_H
