//===- PoolingToLinalg.cpp - Padding, pooling, reductions to linalg -------===//
//
// Explicit padding, max / sum / global average pooling and sums along axes.
//
//===----------------------------------------------------------------------===//

#include "QCToLinalgPatterns.h"

#include "mlir/IR/TypeUtilities.h"

using namespace mlir;
using namespace qcc;
using namespace qcc::qc;
using namespace qcc::qc_to_linalg;

namespace {

struct ConvertPad : OpConversionPattern<PadOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(PadOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    auto result =
        cast<RankedTensorType>(getTypeConverter()->convertType(op.getType()));
    auto element = dyn_cast<IntegerType>(result.getElementType());
    ArrayRef<int64_t> pads = op.getPads();
    if (!element || op.getMode() != PadMode::Constant ||
        llvm::any_of(pads, [](int64_t p) { return p < 0; }))
      return unsupported(op, "only constant, non-negative integer padding");
    const size_t rank = pads.size() / 2;
    SmallVector<OpFoldResult> low, high;
    for (size_t d = 0; d < rank; ++d) {
      low.push_back(rewriter.getIndexAttr(pads[d]));
      high.push_back(rewriter.getIndexAttr(pads[rank + d]));
    }
    Value value =
        constantInt(rewriter, op.getLoc(), element,
                    static_cast<int64_t>(op.getValue().convertToDouble()));
    auto pad = tensor::PadOp::create(rewriter, op.getLoc(), result,
                                     adaptor.getInput(), low, high, value);
    rewriter.replaceOp(op, pad.getResult());
    return success();
  }
};

struct ConvertMaxPool : OpConversionPattern<MaxPoolOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(MaxPoolOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    auto result =
        cast<RankedTensorType>(getTypeConverter()->convertType(op.getType()));
    Type element = result.getElementType();
    if ((!isa<IntegerType>(element) && !element.isF32()) ||
        result.getRank() != 4 || op.getCeilMode())
      return unsupported(op, "only integer or f32 2-d max pooling without "
                             "ceil_mode");
    Location loc = op.getLoc();
    // Padding never wins: the type's lowest value (-inf for floats).
    auto lowestValue = [&]() -> Value {
      if (auto integer = dyn_cast<IntegerType>(element))
        return constantInt(rewriter, loc, element,
                           signedRange(integer.getWidth()).first);
      return arith::ConstantOp::create(rewriter, loc,
                                       rewriter.getF32FloatAttr(-INFINITY));
    };
    Value input = padSpatial(rewriter, loc, adaptor.getInput(), op.getPads(),
                             lowestValue());
    Value init = linalg::FillOp::create(rewriter, loc, lowestValue(),
                                        emptyLike(rewriter, loc, result, input))
                     .getResult(0);
    Value window =
        tensor::EmptyOp::create(rewriter, loc, op.getKernelShape(), element);
    auto pool = linalg::PoolingNchwMaxOp::create(
        rewriter, loc, TypeRange{result}, ValueRange{input, window},
        ValueRange{init}, rewriter.getI64TensorAttr(op.getStrides()),
        rewriter.getI64TensorAttr(op.getDilations()));
    rewriter.replaceOp(op, pool.getResult(0));
    return success();
  }
};

/// Integer 2-d sum pooling (int8 to int32, no padding, no ceil_mode).
struct ConvertSumPool : OpConversionPattern<SumPoolOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(SumPoolOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    auto result = cast<RankedTensorType>(op.getType());
    if (!isa<IntegerType>(result.getElementType()) || result.getRank() != 4 ||
        op.getCeilMode() ||
        llvm::any_of(op.getPads(), [](int64_t p) { return p != 0; }))
      return unsupported(op, "only integer 2-d sum pooling without padding "
                             "or ceil_mode");
    Location loc = op.getLoc();
    Value init =
        linalg::FillOp::create(
            rewriter, loc, zeroOf(rewriter, loc, result.getElementType()),
            emptyLike(rewriter, loc, result, adaptor.getInput()))
            .getResult(0);
    Value window = tensor::EmptyOp::create(
        rewriter, loc, op.getKernelShape(),
        getElementTypeOrSelf(adaptor.getInput().getType()));
    auto pool = linalg::PoolingNchwSumOp::create(
        rewriter, loc, TypeRange{result},
        ValueRange{adaptor.getInput(), window}, ValueRange{init},
        rewriter.getI64TensorAttr(op.getStrides()),
        rewriter.getI64TensorAttr(op.getDilations()));
    rewriter.replaceOp(op, pool.getResult(0));
    return success();
  }
};

struct ConvertReduceSum : OpConversionPattern<ReduceSumOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(ReduceSumOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    auto result = cast<RankedTensorType>(op.getType());
    auto input = tensorType(adaptor.getInput());
    auto acc = dyn_cast<IntegerType>(result.getElementType());
    if (!acc || !op.getKeepdims() || op.getAxes().empty())
      return unsupported(op, "only integer sums with keepdims over given axes");
    // Sum into the kept dimensions, then expand back to keepdims.
    SmallVector<bool> reduced;
    for (int64_t d = 0; d < input.getRank(); ++d)
      reduced.push_back(llvm::is_contained(op.getAxes(), d));
    Value sum = reduceDimensions(
        rewriter, op.getLoc(), adaptor.getInput(), reduced,
        constantInt(rewriter, op.getLoc(), acc, 0),
        [&](OpBuilder &b, Location l, Value v, Value total) -> Value {
          return arith::AddIOp::create(b, l, total,
                                       arith::ExtSIOp::create(b, l, acc, v));
        });
    return replaceByReduction(rewriter, op, sum, result);
  }
};


/// Float global average pooling: an f32 sum over the spatial axes, divided
/// by their size.
struct ConvertGlobalAvgPool : OpConversionPattern<GlobalAvgPoolOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(GlobalAvgPoolOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    auto result = cast<RankedTensorType>(op.getType());
    auto input = tensorType(adaptor.getInput());
    if (!result.getElementType().isF32() || input.getRank() != 4 ||
        input.isDynamicDim(2) || input.isDynamicDim(3))
      return unsupported(op, "only f32 2-d global average pooling (integer "
                             "pooling is a qc.reduce_sum after "
                             "qc-lower-to-integer)");
    Location loc = op.getLoc();
    MLIRContext *ctx = getContext();
    const double count = input.getDimSize(2) * input.getDimSize(3);
    auto sumType = RankedTensorType::get(
        {input.getDimSize(0), input.getDimSize(1)}, rewriter.getF32Type());
    Value init =
        linalg::FillOp::create(
            rewriter, loc, zeroOf(rewriter, loc, rewriter.getF32Type()),
            emptyLike(rewriter, loc, sumType, adaptor.getInput()))
            .getResult(0);
    AffineExpr n = getAffineDimExpr(0, ctx), c = getAffineDimExpr(1, ctx);
    Value sum =
        linalg::GenericOp::create(
            rewriter, loc, sumType, adaptor.getInput(), init,
            ArrayRef<AffineMap>{AffineMap::getMultiDimIdentityMap(4, ctx),
                                AffineMap::get(4, 0, {n, c}, ctx)},
            {utils::IteratorType::parallel, utils::IteratorType::parallel,
             utils::IteratorType::reduction, utils::IteratorType::reduction},
            [](OpBuilder &b, Location l, ValueRange args) {
              linalg::YieldOp::create(
                  b, l,
                  arith::AddFOp::create(b, l, args[1], args[0]).getResult());
            })
            .getResult(0);
    Value mean = elementwise(
        rewriter, loc, sumType, sum, sum,
        [&](OpBuilder &b, Location l, ValueRange args) -> Value {
          return arith::DivFOp::create(
              b, l, args[0],
              arith::ConstantOp::create(b, l, b.getF32FloatAttr(count)));
        });
    rewriter.replaceOpWithNewOp<tensor::ExpandShapeOp>(
        op, result, mean, ArrayRef<ReassociationIndices>{{0}, {1, 2, 3}});
    return success();
  }
};

} // namespace

void qcc::qc_to_linalg::populatePoolingPatterns(const TypeConverter &converter,
                                    RewritePatternSet &patterns) {
  patterns.add<ConvertPad, ConvertMaxPool, ConvertSumPool, ConvertReduceSum,
               ConvertGlobalAvgPool>(converter, patterns.getContext());
}
