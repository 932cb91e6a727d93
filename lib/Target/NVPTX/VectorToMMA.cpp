//===- VectorToMMA.cpp - Warp tiles onto mma.sync -------------------------===//

#include "qcc/Target/NVPTX/Passes.h"

#include "mlir/Conversion/VectorToGPU/VectorToGPU.h"
#include "mlir/Dialect/Utils/StaticValueUtils.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace qcc::nvptx {
#define GEN_PASS_DEF_GPUVECTORTOMMA
#include "qcc/Target/NVPTX/Passes.h.inc"
} // namespace qcc::nvptx

using namespace mlir;

namespace {

/// Whether index `value` is provably a multiple of `n`.
bool isMultipleOf(Value value, int64_t n);

bool isMultipleOf(AffineExpr expr, ValueRange dims, ValueRange symbols,
                  int64_t n) {
  if (auto constant = dyn_cast<AffineConstantExpr>(expr))
    return constant.getValue() % n == 0;
  if (auto dim = dyn_cast<AffineDimExpr>(expr))
    return isMultipleOf(dims[dim.getPosition()], n);
  if (auto symbol = dyn_cast<AffineSymbolExpr>(expr))
    return isMultipleOf(symbols[symbol.getPosition()], n);
  auto binary = cast<AffineBinaryOpExpr>(expr);
  auto lhs = [&] { return isMultipleOf(binary.getLHS(), dims, symbols, n); };
  auto rhs = [&] { return isMultipleOf(binary.getRHS(), dims, symbols, n); };
  switch (expr.getKind()) {
  case AffineExprKind::Add:
    return lhs() && rhs();
  case AffineExprKind::Mul:
    return lhs() || rhs();
  case AffineExprKind::Mod: // x mod c = x - c * (x floordiv c)
    return lhs() && rhs();
  default:
    return false;
  }
}

bool isMultipleOf(Value value, int64_t n) {
  if (n == 1)
    return true;
  if (auto constant = getConstantIntValue(value))
    return *constant % n == 0;
  if (auto apply = value.getDefiningOp<affine::AffineApplyOp>()) {
    AffineMap map = apply.getAffineMap();
    return isMultipleOf(map.getResult(0),
                        apply.getMapOperands().take_front(map.getNumDims()),
                        apply.getMapOperands().drop_front(map.getNumDims()), n);
  }
  if (auto add = value.getDefiningOp<arith::AddIOp>())
    return isMultipleOf(add.getLhs(), n) && isMultipleOf(add.getRhs(), n);
  if (auto mul = value.getDefiningOp<arith::MulIOp>())
    return isMultipleOf(mul.getLhs(), n) || isMultipleOf(mul.getRhs(), n);
  if (auto loop = scf::getForInductionVarOwner(value))
    return isMultipleOf(loop.getLowerBound(), n) &&
           isMultipleOf(loop.getStep(), n);
  return false;
}

/// Upstream's conversion leaves the lanes' fragment accesses as vector
/// loads and stores of 4 int8 or 2 int32 without an alignment, which LLVM
/// splits into single bytes or words. They are whole aligned words: give
/// each access whose address is provably a multiple of its size that
/// alignment (ld.global.b32 for 4 int8, .v2 for 2 int32). The memrefs'
/// bases are device allocations and globals (aligned to at least 16).
void alignFragmentAccesses(Operation *tile) {
  tile->walk([](Operation *op) {
    auto align = [&](auto access) {
      MemRefType type = access.getMemRefType();
      VectorType vector = access.getVectorType();
      const int64_t lanes = vector.getNumElements();
      const int64_t bytes = lanes * vector.getElementTypeBitWidth() / 8;
      if (access.getAlignment() || (bytes != 4 && bytes != 8) ||
          !type.hasStaticShape() || !type.getLayout().isIdentity() ||
          type.getRank() == 0 || type.getShape().back() % lanes ||
          !isMultipleOf(access.getIndices().back(), lanes))
        return;
      access->setAttr(
          "alignment",
          IntegerAttr::get(IntegerType::get(op->getContext(), 64), bytes));
    };
    if (auto load = dyn_cast<vector::LoadOp>(op))
      align(load);
    else if (auto store = dyn_cast<vector::StoreOp>(op))
      align(store);
  });
}

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
      alignFragmentAccesses(tile);
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
