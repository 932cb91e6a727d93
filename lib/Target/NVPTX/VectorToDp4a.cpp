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

/// `v` = sext(x) with x : vector<4xi8>: x.
Value extendedQuad(Value v) {
  auto ext = v.getDefiningOp<arith::ExtSIOp>();
  if (!ext)
    return {};
  auto type = dyn_cast<VectorType>(ext.getIn().getType());
  if (!type || type.getShape() != ArrayRef<int64_t>{4} ||
      !type.getElementType().isInteger(8))
    return {};
  return ext.getIn();
}

/// acc + sum(sext(a) * sext(b)) -> dp4a(a, b, acc).
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
    Value a = extendedQuad(product.getLhs()),
          b = extendedQuad(product.getRhs());
    if (!a || !b)
      return failure();
    rewriter.replaceOpWithNewOp<NVVM::DotAccumulate4WayOp>(
        op, op.getType(), a, NVVM::DotAccumulateType::SIGNED, b,
        NVVM::DotAccumulateType::SIGNED, op.getAcc());
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
