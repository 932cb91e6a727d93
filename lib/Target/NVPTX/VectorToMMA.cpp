//===- VectorToMMA.cpp - Warp tiles onto mma.sync -------------------------===//

#include "qcc/Target/NVPTX/Passes.h"

#include "mlir/Conversion/VectorToGPU/VectorToGPU.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace qcc::nvptx {
#define GEN_PASS_DEF_GPUVECTORTOMMA
#include "qcc/Target/NVPTX/Passes.h.inc"
} // namespace qcc::nvptx

using namespace mlir;

namespace {

struct GPUVectorToMMAPass
    : qcc::nvptx::impl::GPUVectorToMMABase<GPUVectorToMMAPass> {
  void runOnOperation() override {
    SmallVector<Operation *> tiles;
    getOperation().walk([&](Operation *op) {
      if (op->hasAttr("qcc.warp_tile"))
        tiles.push_back(op);
    });
    IRRewriter rewriter(&getContext());
    for (Operation *tile : tiles) {
      RewritePatternSet prepare(&getContext());
      populatePrepareVectorToMMAPatterns(prepare, /*useNvGpu=*/true);
      if (failed(applyPatternsGreedily(tile, std::move(prepare))) ||
          failed(convertVectorToNVVMCompatibleMMASync(rewriter, tile))) {
        tile->emitError("cannot map this warp tile onto mma.sync");
        return signalPassFailure();
      }
      tile->removeAttr("qcc.warp_tile");
    }
    // Lane-level code after a warp's tile reads what the other lanes of
    // the warp stored: a warp barrier first, which orders the memory
    // accesses of the lanes around it (every lane of the warp gets there:
    // the tiles' guards are uniform across a warp).
    SmallVector<Operation *> perLane;
    getOperation().walk([&](Operation *op) {
      if (op->hasAttr("qcc.per_lane"))
        perLane.push_back(op);
    });
    for (Operation *op : perLane) {
      OpBuilder builder(op);
      Value allLanes =
          arith::ConstantIntOp::create(builder, op->getLoc(), -1, 32);
      NVVM::SyncWarpOp::create(builder, op->getLoc(), allLanes);
      op->removeAttr("qcc.per_lane");
    }
  }
};

} // namespace
