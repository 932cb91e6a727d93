//===- FuseElementwise.cpp - Element-wise fusion into element-wise ops ----===//

#include "qcc/Conversion/Passes.h"

#include "mlir/Dialect/Linalg/Transforms/Transforms.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace qcc {
#define GEN_PASS_DEF_FUSEELEMENTWISE
#include "qcc/Conversion/Passes.h.inc"
} // namespace qcc

using namespace mlir;

namespace {

/// The trailing loops of an element-wise op that every operand indexes as
/// its own trailing dimensions, in order (or not at all): merging them gives
/// one long innermost loop (e.g. H*W of a per-channel rescale) that LLVM
/// vectorizes, instead of short rows.
SmallVector<ReassociationIndices> trailingCollapsibleDims(linalg::LinalgOp op) {
  if (op.getNumLoops() != op.getNumParallelLoops() || op.getNumLoops() < 2)
    return {};
  const int64_t rank = op.getNumLoops();
  int64_t first = rank - 1; // the run is [first, rank)
  auto fits = [&](int64_t start) {
    for (AffineMap map : op.getIndexingMapsArray()) {
      // Positions of the run's dims among the map's results.
      SmallVector<int64_t> positions;
      for (unsigned r = 0; r < map.getNumResults(); ++r) {
        auto dim = dyn_cast<AffineDimExpr>(map.getResult(r));
        // A compound index (e.g. oh * stride + kh) involving the run cannot
        // be collapsed, and neither can an op with a constant index (a
        // size-1 dimension broadcast, e.g. [1, C, 1, 1] against
        // [1, C, H, W]): upstream's collapseOpIterationDims reshapes every
        // operand and takes each of its indices for a loop dimension.
        if (!dim)
          return false;
        if (dim.getPosition() >= start)
          positions.push_back(r);
      }
      if (positions.empty())
        continue;
      // All of the run, in order, as the map's last results.
      if (static_cast<int64_t>(positions.size()) != rank - start ||
          positions.back() != map.getNumResults() - 1)
        return false;
      for (size_t i = 0; i < positions.size(); ++i) {
        auto dim = cast<AffineDimExpr>(map.getResult(positions[i]));
        if (positions[i] != positions.front() + static_cast<int64_t>(i) ||
            dim.getPosition() != start + static_cast<int64_t>(i))
          return false;
      }
    }
    return true;
  };
  while (first > 0 && fits(first - 1))
    --first;
  if (rank - first < 2)
    return {};
  ReassociationIndices run;
  for (int64_t d = first; d < rank; ++d)
    run.push_back(d);
  return {run};
}

struct FuseElementwisePass
    : qcc::impl::FuseElementwiseBase<FuseElementwisePass> {
  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    linalg::populateElementwiseOpsFusionPatterns(
        patterns, [](OpOperand *fused) {
          // Only into element-wise consumers that read each of the
          // producer's elements once: see Passes.td.
          Operation *producer = fused->get().getDefiningOp();
          auto consumer = dyn_cast<linalg::LinalgOp>(fused->getOwner());
          return producer && producer->hasOneUse() && consumer &&
                 consumer.getNumLoops() == consumer.getNumParallelLoops() &&
                 consumer.getMatchingIndexingMap(fused).isPermutation();
        });
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      return signalPassFailure();
    RewritePatternSet collapse(&getContext());
    linalg::populateCollapseDimensions(collapse, trailingCollapsibleDims);
    if (failed(applyPatternsGreedily(getOperation(), std::move(collapse))))
      signalPassFailure();
  }
};

} // namespace
