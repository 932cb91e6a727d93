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
  }
};

} // namespace
