//===- SequentializeLaunches.cpp - gpu.launch as loops on the CPU ---------===//
//
// The CPU execution of the GPU mapping: what a launch runs on its threads
// in parallel runs here one thread after another, with the same block and
// thread ids, so that the kernels' index arithmetic and epilogues are
// tested bit for bit against the interpreter without a GPU.
//
//===----------------------------------------------------------------------===//

#include "qcc/Target/NVPTX/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/IR/PatternMatch.h"

namespace qcc::nvptx {
#define GEN_PASS_DEF_GPUSEQUENTIALIZELAUNCHES
#include "qcc/Target/NVPTX/Passes.h.inc"
} // namespace qcc::nvptx

using namespace mlir;

namespace {

/// Why `launch` cannot run one thread after another, if it cannot.
std::optional<std::string> whyNotSequential(gpu::LaunchOp launch) {
  if (launch.getAsyncToken())
    return "it is asynchronous";
  if (launch.hasClusterSize())
    return "it has thread block clusters";
  if (!launch.getWorkgroupAttributions().empty() ||
      !launch.getPrivateAttributions().empty())
    return "it has workgroup or private memory attributions";
  if (!launch.getBody().hasOneBlock())
    return "its body has more than one block";
  std::optional<std::string> why;
  launch.getBody().walk([&](Operation *op) {
    if (isa<gpu::BarrierOp, gpu::ShuffleOp, gpu::SubgroupReduceOp,
            gpu::AllReduceOp>(op)) {
      why = ("its threads communicate ('" + op->getName().getStringRef() +
             "')")
                .str();
      return WalkResult::interrupt();
    }
    return WalkResult::advance();
  });
  return why;
}

struct GPUSequentializeLaunchesPass
    : qcc::nvptx::impl::GPUSequentializeLaunchesBase<
          GPUSequentializeLaunchesPass> {
  void runOnOperation() override {
    SmallVector<gpu::LaunchOp> launches;
    getOperation().walk([&](gpu::LaunchOp launch) {
      launches.push_back(launch);
    });
    IRRewriter rewriter(&getContext());
    for (gpu::LaunchOp launch : launches) {
      if (std::optional<std::string> why = whyNotSequential(launch)) {
        launch.emitError("cannot run this launch on the CPU: ") << *why;
        return signalPassFailure();
      }
      sequentialize(rewriter, launch);
    }
  }

  static void sequentialize(IRRewriter &rewriter, gpu::LaunchOp launch) {
    Location loc = launch.getLoc();
    rewriter.setInsertionPoint(launch);
    Value zero = arith::ConstantIndexOp::create(rewriter, loc, 0);
    Value one = arith::ConstantIndexOp::create(rewriter, loc, 1);
    gpu::KernelDim3 grid = launch.getGridSizeOperandValues();
    gpu::KernelDim3 block = launch.getBlockSizeOperandValues();
    // Blocks, then the threads of a block; z outermost, x innermost.
    // Warp-level code: every lane of a warp computes the same, so one does.
    Value lanes = launch->hasAttr("qcc.warp_uniform") ? one : block.x;
    Value bounds[6] = {grid.z, grid.y, grid.x, block.z, block.y, lanes};
    Value ids[6];
    for (int i = 0; i < 6; ++i) {
      auto loop = scf::ForOp::create(rewriter, loc, zero, bounds[i], one);
      ids[i] = loop.getInductionVar();
      rewriter.setInsertionPoint(loop.getBody()->getTerminator());
    }
    Block &body = launch.getBody().front();
    gpu::KernelDim3 blockIds = launch.getBlockIds();
    gpu::KernelDim3 threadIds = launch.getThreadIds();
    gpu::KernelDim3 gridSizes = launch.getGridSize();
    gpu::KernelDim3 blockSizes = launch.getBlockSize();
    SmallVector<Value> replacements(body.getNumArguments());
    auto replace = [&](Value arg, Value with) {
      replacements[cast<BlockArgument>(arg).getArgNumber()] = with;
    };
    replace(blockIds.z, ids[0]);
    replace(blockIds.y, ids[1]);
    replace(blockIds.x, ids[2]);
    replace(threadIds.z, ids[3]);
    replace(threadIds.y, ids[4]);
    replace(threadIds.x, ids[5]);
    replace(gridSizes.x, grid.x);
    replace(gridSizes.y, grid.y);
    replace(gridSizes.z, grid.z);
    replace(blockSizes.x, block.x);
    replace(blockSizes.y, block.y);
    replace(blockSizes.z, block.z);
    // Each thread's stack (allocas of its vector code) is released when it
    // ends, as on the GPU: an alloca scope per iteration.
    auto scope = memref::AllocaScopeOp::create(rewriter, loc, TypeRange{});
    Block *scopeBlock = rewriter.createBlock(&scope.getBodyRegion());
    rewriter.setInsertionPointToEnd(scopeBlock);
    auto scopeEnd = memref::AllocaScopeReturnOp::create(rewriter, loc);
    Operation *terminator = body.getTerminator();
    rewriter.inlineBlockBefore(&body, scopeEnd, replacements);
    rewriter.eraseOp(terminator);
    // Lane-level code in warp-level launches (an epilogue in which each
    // lane takes its part of the warp's tile) runs for every lane.
    if (launch->hasAttr("qcc.warp_uniform")) {
      SmallVector<Operation *> perLane;
      scope.walk([&](Operation *op) {
        if (op->hasAttr("qcc.per_lane"))
          perLane.push_back(op);
      });
      for (Operation *op : perLane) {
        rewriter.setInsertionPoint(op);
        auto lanesLoop = scf::ForOp::create(rewriter, loc, zero, block.x, one);
        rewriter.moveOpBefore(op, lanesLoop.getBody()->getTerminator());
        rewriter.replaceUsesWithIf(
            ids[5], lanesLoop.getInductionVar(),
            [&](OpOperand &use) { return op->isAncestor(use.getOwner()); });
        op->removeAttr("qcc.per_lane");
      }
    }
    rewriter.eraseOp(launch);
  }
};

} // namespace
