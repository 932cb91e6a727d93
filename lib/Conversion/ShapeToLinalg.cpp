//===- ShapeToLinalg.cpp - Reshape, transpose to tensor and linalg --------===//
//
// Reshapes as tensor.collapse_shape / expand_shape, transposes as
// linalg.transpose.
//
//===----------------------------------------------------------------------===//

#include "QCToLinalgPatterns.h"

#include "mlir/Dialect/Utils/ReshapeOpsUtils.h"

using namespace mlir;
using namespace qcc;
using namespace qcc::qc;
using namespace qcc::qc_to_linalg;

namespace {

struct ConvertReshape : OpConversionPattern<ReshapeOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(ReshapeOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    auto source = tensorType(adaptor.getInput());
    auto result =
        cast<RankedTensorType>(getTypeConverter()->convertType(op.getType()));
    if (source == result) {
      rewriter.replaceOp(op, adaptor.getInput());
      return success();
    }
    auto reassociation = getReassociationIndicesForReshape(source, result);
    if (!reassociation)
      return unsupported(op, "only reshapes that collapse or expand "
                             "contiguous dimensions");
    if (result.getRank() < source.getRank())
      rewriter.replaceOpWithNewOp<tensor::CollapseShapeOp>(
          op, result, adaptor.getInput(), *reassociation);
    else
      rewriter.replaceOpWithNewOp<tensor::ExpandShapeOp>(
          op, result, adaptor.getInput(), *reassociation);
    return success();
  }
};

struct ConvertTranspose : OpConversionPattern<TransposeOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(TransposeOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    auto result =
        cast<RankedTensorType>(getTypeConverter()->convertType(op.getType()));
    SmallVector<Value> dynamic;
    for (int64_t d = 0; d < result.getRank(); ++d)
      if (result.isDynamicDim(d))
        dynamic.push_back(tensor::DimOp::create(
            rewriter, op.getLoc(), adaptor.getInput(), op.getPerm()[d]));
    Value empty =
        tensor::EmptyOp::create(rewriter, op.getLoc(), result.getShape(),
                                result.getElementType(), dynamic);
    auto transpose = linalg::TransposeOp::create(
        rewriter, op.getLoc(), adaptor.getInput(), empty, op.getPerm());
    rewriter.replaceOp(op, transpose.getResult());
    return success();
  }
};

} // namespace

void qcc::qc_to_linalg::populateShapePatterns(const TypeConverter &converter,
                                    RewritePatternSet &patterns) {
  patterns.add<ConvertReshape, ConvertTranspose>(converter, patterns.getContext());
}
