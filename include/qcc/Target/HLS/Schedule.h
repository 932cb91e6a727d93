//===- Schedule.h - The loop structure of a design's layers -----*- C++ -*-===//
//
// What qcc-hls-schedule-layers and the resource and latency estimate share:
// a layer function's loop nest, and which of its loops reduce.
//
//===----------------------------------------------------------------------===//

#ifndef QCC_TARGET_HLS_SCHEDULE_H
#define QCC_TARGET_HLS_SCHEDULE_H

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/SCF/IR/SCF.h"

#include <optional>

namespace qcc::hls {

/// A loop nest of a layer, outermost first, as long as each loop holds one
/// loop.
struct LayerNest {
  llvm::SmallVector<mlir::scf::ForOp> loops;
  /// loops[firstReduction..] are the innermost loops no store index
  /// depends on (loops.size() when none).
  size_t firstReduction = 0;
  /// The product of their trip counts: elements reduced per output.
  int64_t reducedPerOutput = 1;
};

/// The nest under `outermost`, and which of its loops reduce (judged by
/// the stores inside it).
LayerNest analyseLayerNest(mlir::scf::ForOp outermost);

/// The trip count of a loop of constant bounds.
std::optional<int64_t> getTripCount(mlir::scf::ForOp loop);

} // namespace qcc::hls

#endif // QCC_TARGET_HLS_SCHEDULE_H
