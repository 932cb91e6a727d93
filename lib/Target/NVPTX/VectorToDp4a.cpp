//===- VectorToDp4a.cpp - 4-deep int8 dot products onto dp4a --------------===//

#include "qcc/Target/NVPTX/Passes.h"

#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace qcc::nvptx {
#define GEN_PASS_DEF_GPUVECTORTODP4A
#include "qcc/Target/NVPTX/Passes.h.inc"
} // namespace qcc::nvptx

using namespace mlir;

namespace {

/// `v` = sext(x) or zext(x) with x : vector<4xi8>: x, and which.
std::pair<Value, NVVM::DotAccumulateType> extendedQuad(Value v) {
  Value in;
  NVVM::DotAccumulateType kind = NVVM::DotAccumulateType::SIGNED;
  if (auto ext = v.getDefiningOp<arith::ExtSIOp>()) {
    in = ext.getIn();
  } else if (auto ext = v.getDefiningOp<arith::ExtUIOp>()) {
    in = ext.getIn();
    kind = NVVM::DotAccumulateType::UNSIGNED;
  }
  auto type = in ? dyn_cast<VectorType>(in.getType()) : VectorType();
  if (!type || type.getShape() != ArrayRef<int64_t>{4} ||
      !type.getElementType().isInteger(8))
    return {Value(), kind};
  return {in, kind};
}

/// acc + sum(ext(a) * ext(b)) -> dp4a(a, b, acc), each byte operand
/// sign- or zero-extended (dp4a.s32.s32, .u32.s32, ...).
struct ReductionToDotAccumulate : OpRewritePattern<vector::ReductionOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(vector::ReductionOp op,
                                PatternRewriter &rewriter) const override {
    if (op.getKind() != vector::CombiningKind::ADD || !op.getAcc() ||
        !op.getType().isInteger(32))
      return failure();
    auto product = op.getVector().getDefiningOp<arith::MulIOp>();
    if (!product)
      return failure();
    auto [a, aKind] = extendedQuad(product.getLhs());
    auto [b, bKind] = extendedQuad(product.getRhs());
    if (!a || !b)
      return failure();
    rewriter.replaceOpWithNewOp<NVVM::DotAccumulate4WayOp>(
        op, op.getType(), a, aKind, b, bKind, op.getAcc());
    return success();
  }
};

struct GPUVectorToDp4aPass
    : qcc::nvptx::impl::GPUVectorToDp4aBase<GPUVectorToDp4aPass> {
  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    patterns.add<ReductionToDotAccumulate>(&getContext());
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      return signalPassFailure();
  }
};

} // namespace
