//===- MapParallelLoops.cpp - Parallel loops as GPU blocks and threads ----===//
//
// Every outermost scf.parallel becomes a one-dimensional grid of
// one-dimensional blocks, one thread per iteration: a mapping that fits any
// loop nest linalg leaves (any rank, any trip counts) and keeps neighbouring
// threads on neighbouring elements of the innermost dimension, so that a
// warp's loads and stores coalesce.
//
//===----------------------------------------------------------------------===//

#include "qcc/Target/NVPTX/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/GPU/Transforms/ParallelLoopMapper.h"
#include "mlir/IR/IRMapping.h"

namespace qcc::nvptx {
#define GEN_PASS_DEF_GPUMAPPARALLELLOOPS
#include "qcc/Target/NVPTX/Passes.h.inc"
} // namespace qcc::nvptx

using namespace mlir;

namespace {

/// Whether `op` reads or writes buffers itself or in its regions (what the
/// host must not do once the buffers are in device memory).
bool touchesMemory(Operation *op) {
  WalkResult result = op->walk([](Operation *inner) {
    return isa<memref::LoadOp, memref::StoreOp>(inner) ? WalkResult::interrupt()
                                                        : WalkResult::advance();
  });
  return result.wasInterrupted();
}

/// Moves `op` into a parallel loop of one iteration.
LogicalResult wrapInSingleIteration(Operation *op) {
  if (op->getNumResults() != 0)
    return op->emitError("a loop that reads or writes buffers outside any "
                         "parallel loop and returns values cannot be mapped "
                         "to a GPU kernel");
  OpBuilder b(op);
  Location loc = op->getLoc();
  Value zero = arith::ConstantIndexOp::create(b, loc, 0);
  Value one = arith::ConstantIndexOp::create(b, loc, 1);
  auto loop = scf::ParallelOp::create(b, loc, ValueRange{zero},
                                      ValueRange{one}, ValueRange{one});
  op->moveBefore(loop.getBody()->getTerminator());
  return success();
}

gpu::ParallelLoopDimMappingAttr mappingTo(MLIRContext *context,
                                          gpu::Processor processor) {
  AffineMap identity = AffineMap::getMultiDimIdentityMap(1, context);
  return gpu::ParallelLoopDimMappingAttr::get(context, processor, identity,
                                              identity);
}

struct GPUMapParallelLoopsPass
    : qcc::nvptx::impl::GPUMapParallelLoopsBase<GPUMapParallelLoopsPass> {
  using Base::Base;

  void runOnOperation() override {
    func::FuncOp func = getOperation();
    if (blockSize < 1 || blockSize > 1024) {
      func.emitError("block-size must be in [1, 1024], not ") << blockSize;
      return signalPassFailure();
    }
    // Host accesses first: each becomes a kernel of its own.
    SmallVector<Operation *> hostAccesses;
    for (Operation &op : func.getBody().getOps())
      if (!isa<scf::ParallelOp, gpu::LaunchOp>(op) && touchesMemory(&op)) {
        bool hasParallel = false;
        op.walk([&](scf::ParallelOp) { hasParallel = true; });
        if (hasParallel) {
          op.emitError("a parallel loop nested in host code that reads or "
                       "writes buffers itself cannot be mapped to GPU "
                       "kernels");
          return signalPassFailure();
        }
        hostAccesses.push_back(&op);
      }
    for (Operation *op : hostAccesses)
      if (failed(wrapInSingleIteration(op)))
        return signalPassFailure();

    SmallVector<scf::ParallelOp> outermost;
    func.walk<WalkOrder::PreOrder>([&](scf::ParallelOp loop) {
      outermost.push_back(loop);
      return WalkResult::skip();
    });
    for (scf::ParallelOp loop : outermost)
      if (failed(mapLoop(loop)))
        return signalPassFailure();
  }

  LogicalResult mapLoop(scf::ParallelOp loop) {
    if (loop.getNumResults() != 0)
      return loop.emitError("a parallel loop with reductions cannot be "
                            "mapped to GPU threads yet");
    MLIRContext *context = loop.getContext();
    Location loc = loop.getLoc();
    OpBuilder b(loop);
    // Trip counts, and their product: the number of threads that work
    // (constants where the bounds are).
    SmallVector<Value> trips;
    std::optional<int64_t> staticTotal = 1;
    for (auto [lower, upper, step] :
         llvm::zip(loop.getLowerBound(), loop.getUpperBound(),
                   loop.getStep())) {
      auto constLower = getConstantIntValue(lower);
      auto constUpper = getConstantIntValue(upper);
      auto constStep = getConstantIntValue(step);
      if (constLower && constUpper && constStep) {
        const int64_t count = std::max<int64_t>(
            0, llvm::divideCeil(*constUpper - *constLower, *constStep));
        trips.push_back(arith::ConstantIndexOp::create(b, loc, count));
        if (staticTotal)
          *staticTotal *= count;
      } else {
        Value extent = arith::SubIOp::create(b, loc, upper, lower);
        trips.push_back(arith::CeilDivUIOp::create(b, loc, extent, step));
        staticTotal.reset();
      }
    }
    // A small loop gets a block of its size rounded to whole warps.
    int64_t threads = blockSize;
    if (staticTotal && *staticTotal < threads)
      threads = std::min<int64_t>(
          threads, llvm::alignTo(std::max<int64_t>(*staticTotal, 1), 32));
    Value threadsValue = arith::ConstantIndexOp::create(b, loc, threads);
    Value total, blocks;
    if (staticTotal) {
      total = arith::ConstantIndexOp::create(b, loc, *staticTotal);
      blocks = arith::ConstantIndexOp::create(
          b, loc, llvm::divideCeil(*staticTotal, threads));
    } else {
      total = trips.front();
      for (Value trip : llvm::drop_begin(trips))
        total = arith::MulIOp::create(b, loc, total, trip);
      blocks = arith::CeilDivUIOp::create(b, loc, total, threadsValue);
    }
    Value zero = arith::ConstantIndexOp::create(b, loc, 0);
    Value one = arith::ConstantIndexOp::create(b, loc, 1);
    auto grid = scf::ParallelOp::create(b, loc, ValueRange{zero},
                                        ValueRange{blocks}, ValueRange{one});
    b.setInsertionPoint(grid.getBody()->getTerminator());
    auto block = scf::ParallelOp::create(b, loc, ValueRange{zero},
                                         ValueRange{threadsValue},
                                         ValueRange{one});
    b.setInsertionPoint(block.getBody()->getTerminator());
    Value linear = arith::AddIOp::create(
        b, loc,
        arith::MulIOp::create(b, loc, grid.getInductionVars()[0],
                              threadsValue),
        block.getInductionVars()[0]);
    Value inRange = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::ult,
                                          linear, total);
    auto guard = scf::IfOp::create(b, loc, inRange, /*withElse=*/false);
    b.setInsertionPoint(guard.thenBlock()->getTerminator());
    // Row-major: the innermost dimension varies fastest across threads.
    IRMapping mapping;
    Value rest = linear;
    for (int64_t d = loop.getNumLoops() - 1; d >= 0; --d) {
      Value index = d == 0 ? rest
                           : arith::RemUIOp::create(b, loc, rest, trips[d]);
      if (d > 0)
        rest = arith::DivUIOp::create(b, loc, rest, trips[d]);
      Value iv = index;
      if (getConstantIntValue(loop.getStep()[d]) != 1)
        iv = arith::MulIOp::create(b, loc, iv, loop.getStep()[d]);
      if (getConstantIntValue(loop.getLowerBound()[d]) != 0)
        iv = arith::AddIOp::create(b, loc, loop.getLowerBound()[d], iv);
      mapping.map(loop.getInductionVars()[d], iv);
    }
    for (Operation &op : loop.getBody()->without_terminator())
      b.clone(op, mapping);
    if (failed(gpu::setMappingAttr(
            grid, {mappingTo(context, gpu::Processor::BlockX)})) ||
        failed(gpu::setMappingAttr(
            block, {mappingTo(context, gpu::Processor::ThreadX)})))
      return loop.emitError("cannot map the loop to GPU blocks and threads");
    loop.erase();
    return success();
  }
};

} // namespace
