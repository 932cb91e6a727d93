//===- FoldBatchNorm.cpp - BatchNorm into the preceding Conv/Gemm ---------===//

#include "qcc/Dialect/QC/IR/QCConstants.h"
#include "qcc/Dialect/QC/IR/QCOps.h"
#include "qcc/Dialect/QC/Transforms/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

#include <cmath>

namespace qcc::qc {
#define GEN_PASS_DEF_QCFOLDBATCHNORM
#include "qcc/Dialect/QC/Transforms/Passes.h.inc"
} // namespace qcc::qc

using namespace mlir;
using namespace qcc::qc;

namespace {

struct FoldIntoConv : OpRewritePattern<BatchNormOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(BatchNormOp bn,
                                PatternRewriter &rewriter) const override {
    auto conv = bn.getInput().getDefiningOp<ConvOp>();
    if (!conv || !conv->hasOneUse())
      return rewriter.notifyMatchFailure(bn, "input is not a single-use conv");
    auto affine = getBatchNormAffine(bn);
    auto weight = getF32Constant(conv.getWeight());
    if (!affine || !weight)
      return rewriter.notifyMatchFailure(bn, "non-constant parameters");
    auto weightType = conv.getWeight().getType();
    const int64_t channels = weightType.getDimSize(0);
    if (static_cast<int64_t>(affine->factor.size()) != channels)
      return rewriter.notifyMatchFailure(bn, "channel count mismatch");
    std::vector<double> bias(channels, 0.0);
    if (conv.getBias()) {
      auto b = getF32Constant(conv.getBias());
      if (!b)
        return rewriter.notifyMatchFailure(bn, "non-constant conv bias");
      bias.assign(b->begin(), b->end());
    }
    const int64_t perChannel = weightType.getNumElements() / channels;
    std::vector<double> newWeight(weight->size());
    for (int64_t m = 0; m < channels; ++m)
      for (int64_t i = 0; i < perChannel; ++i)
        newWeight[m * perChannel + i] =
            (*weight)[m * perChannel + i] * affine->factor[m];
    std::vector<double> newBias(channels);
    for (int64_t m = 0; m < channels; ++m)
      newBias[m] =
          (bias[m] - affine->mean[m]) * affine->factor[m] + affine->shift[m];
    rewriter.setInsertionPoint(conv);
    Value w = createConstant(
        rewriter, conv.getWeight().getLoc(), weightType, newWeight,
        derivedConstantName(conv.getWeight(), "_bn", "folded"));
    Value b = createConstant(
        rewriter, bn.getLoc(),
        RankedTensorType::get({channels}, weightType.getElementType()), newBias,
        derivedConstantName(conv.getWeight(), "_bn_bias", "folded"));
    auto folded =
        ConvOp::create(rewriter, conv.getLoc(), bn.getType(), conv.getInput(),
                       w, b, conv.getStridesAttr(), conv.getPadsAttr(),
                       conv.getDilationsAttr(), conv.getGroupAttr());
    rewriter.replaceOp(bn, folded.getResult());
    rewriter.eraseOp(conv);
    return success();
  }
};

struct FoldIntoGemm : OpRewritePattern<BatchNormOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(BatchNormOp bn,
                                PatternRewriter &rewriter) const override {
    auto gemm = bn.getInput().getDefiningOp<GemmOp>();
    if (!gemm || !gemm->hasOneUse())
      return rewriter.notifyMatchFailure(bn, "input is not a single-use gemm");
    auto affine = getBatchNormAffine(bn);
    auto b = getF32Constant(gemm.getB());
    if (!affine || !b)
      return rewriter.notifyMatchFailure(bn, "non-constant parameters");
    auto bType = gemm.getB().getType();
    const bool transB = gemm.getTransB();
    const int64_t n = bType.getDimSize(transB ? 0 : 1);
    const int64_t k = bType.getDimSize(transB ? 1 : 0);
    if (static_cast<int64_t>(affine->factor.size()) != n)
      return rewriter.notifyMatchFailure(bn, "feature count mismatch");
    std::vector<double> c(n, 0.0);
    if (gemm.getC()) {
      auto cv = getF32Constant(gemm.getC());
      if (!cv || (cv->size() != 1 && static_cast<int64_t>(cv->size()) != n) ||
          cast<RankedTensorType>(gemm.getC().getType()).getRank() > 1)
        return rewriter.notifyMatchFailure(bn, "C is not a constant vector");
      for (int64_t j = 0; j < n; ++j)
        c[j] = (*cv)[cv->size() == 1 ? 0 : j];
    }
    const double beta = gemm.getBeta().convertToDouble();
    std::vector<double> newB(b->size());
    for (int64_t i = 0; i < k; ++i)
      for (int64_t j = 0; j < n; ++j) {
        const int64_t index = transB ? j * k + i : i * n + j;
        newB[index] = (*b)[index] * affine->factor[j];
      }
    std::vector<double> newC(n);
    for (int64_t j = 0; j < n; ++j)
      newC[j] = (beta * c[j] - affine->mean[j]) * affine->factor[j] +
                affine->shift[j];
    rewriter.setInsertionPoint(gemm);
    Value bValue =
        createConstant(rewriter, gemm.getB().getLoc(), bType, newB,
                       derivedConstantName(gemm.getB(), "_bn", "folded"));
    Value cValue =
        createConstant(rewriter, bn.getLoc(),
                       RankedTensorType::get({n}, bType.getElementType()), newC,
                       derivedConstantName(gemm.getB(), "_bn_bias", "folded"));
    auto folded = GemmOp::create(
        rewriter, gemm.getLoc(), bn.getType(), gemm.getA(), bValue, cValue,
        gemm.getAlphaAttr(), rewriter.getF32FloatAttr(1.0f),
        gemm.getTransAAttr(), gemm.getTransBAttr());
    rewriter.replaceOp(bn, folded.getResult());
    rewriter.eraseOp(gemm);
    return success();
  }
};

struct QCFoldBatchNormPass
    : qcc::qc::impl::QCFoldBatchNormBase<QCFoldBatchNormPass> {
  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    patterns.add<FoldIntoConv, FoldIntoGemm>(&getContext());
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      signalPassFailure();
  }
};

} // namespace
