//===- PoolingToLinalg.cpp - Padding, pooling, reductions to linalg -------===//
//
// Explicit padding, max / sum / global average pooling and sums along axes.
//
//===----------------------------------------------------------------------===//

#include "QCToLinalgPatterns.h"
#include "qcc/Conversion/QCToLinalg.h"

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
    Type element = result.getElementType();
    ArrayRef<int64_t> pads = op.getPads();
    const size_t rank = pads.size() / 2;
    auto inputType = tensorType(adaptor.getInput());
    // Edge and reflect padding read the input at computed indices: the
    // padded dimensions need static sizes.
    bool padsStaticDims = true;
    for (size_t d = 0; d < rank; ++d)
      padsStaticDims &= (pads[d] == 0 && pads[rank + d] == 0) ||
                        !inputType.isDynamicDim(d);
    if (!(isa<IntegerType>(element) || element.isF32()) ||
        llvm::any_of(pads, [](int64_t p) { return p < 0; }) ||
        (op.getMode() != PadMode::Constant && !padsStaticDims))
      return unsupported(op, "only non-negative integer or f32 padding (edge "
                             "and reflect: of static dimensions)");
    if (op.getMode() != PadMode::Constant) {
      rewriter.replaceOp(op, padByIndex(rewriter, op, adaptor.getInput(),
                                        result));
      return success();
    }
    SmallVector<OpFoldResult> low, high;
    for (size_t d = 0; d < rank; ++d) {
      low.push_back(rewriter.getIndexAttr(pads[d]));
      high.push_back(rewriter.getIndexAttr(pads[rank + d]));
    }
    // The value as the interpreter pads: an integer's code, or the f32
    // nearest the attribute.
    const double padding = op.getValue().convertToDouble();
    Value value =
        isa<IntegerType>(element)
            ? constantInt(rewriter, op.getLoc(), element,
                          static_cast<int64_t>(padding))
            : arith::ConstantOp::create(rewriter, op.getLoc(),
                                        rewriter.getF32FloatAttr(padding))
                  .getResult();
    auto pad = tensor::PadOp::create(rewriter, op.getLoc(), result,
                                     adaptor.getInput(), low, high, value);
    rewriter.replaceOp(op, pad.getResult());
    return success();
  }

  /// Edge or reflect padding as the interpreter computes it: each output
  /// element reads the input at its index less the begin padding, clamped
  /// (edge) or mirrored about the ends, periodically as numpy.pad (reflect;
  /// a dimension of size 1 repeats its element).
  static Value padByIndex(OpBuilder &b, PadOp op, Value input,
                          RankedTensorType result) {
    Location loc = op.getLoc();
    ArrayRef<int64_t> pads = op.getPads();
    const int64_t rank = result.getRank();
    auto inputType = tensorType(input);
    const bool edge = op.getMode() == PadMode::Edge;
    auto generic = linalg::GenericOp::create(
        b, loc, result, ValueRange{}, emptyLike(b, loc, result, input),
        ArrayRef<AffineMap>{
            AffineMap::getMultiDimIdentityMap(rank, b.getContext())},
        parallel(rank), [&](OpBuilder &nb, Location l, ValueRange) {
          auto index = [&](int64_t v) -> Value {
            return arith::ConstantIndexOp::create(nb, l, v);
          };
          SmallVector<Value> at;
          for (int64_t d = 0; d < rank; ++d) {
            Value i = linalg::IndexOp::create(nb, l, d);
            if (pads[d] == 0 && pads[rank + d] == 0) {
              at.push_back(i);
              continue;
            }
            const int64_t n = inputType.getDimSize(d);
            Value q = arith::SubIOp::create(nb, l, i, index(pads[d]));
            if (edge || n == 1) {
              q = arith::MaxSIOp::create(nb, l, q, index(0));
              q = arith::MinSIOp::create(nb, l, q, index(n - 1));
            } else {
              // q mod 2(n-1), in [0, 2(n-1)), folded back into [0, n).
              const int64_t period = 2 * (n - 1);
              q = arith::RemSIOp::create(
                  nb, l,
                  arith::AddIOp::create(
                      nb, l, arith::RemSIOp::create(nb, l, q, index(period)),
                      index(period)),
                  index(period));
              Value mirrored =
                  arith::SubIOp::create(nb, l, index(period), q);
              q = arith::MinSIOp::create(nb, l, q, mirrored);
            }
            at.push_back(q);
          }
          linalg::YieldOp::create(
              nb, l, tensor::ExtractOp::create(nb, l, input, at).getResult());
        });
    return generic.getResult(0);
  }
};

} // namespace

SmallVector<int64_t> qcc::getMaxPoolPads(ArrayRef<int64_t> pads, bool ceilMode,
                                         ArrayRef<int64_t> inputSize,
                                         ArrayRef<int64_t> outputSize,
                                         ArrayRef<int64_t> kernel,
                                         ArrayRef<int64_t> strides,
                                         ArrayRef<int64_t> dilations) {
  SmallVector<int64_t> result(pads);
  if (ceilMode)
    for (int d = 0; d < 2; ++d) {
      const int64_t needed =
          (outputSize[d] - 1) * strides[d] + (kernel[d] - 1) * dilations[d] + 1;
      const int64_t padded = inputSize[d] + result[d] + result[2 + d];
      result[2 + d] += std::max<int64_t>(0, needed - padded);
    }
  return result;
}

namespace {

struct ConvertMaxPool : OpConversionPattern<MaxPoolOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(MaxPoolOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    auto result =
        cast<RankedTensorType>(getTypeConverter()->convertType(op.getType()));
    Type element = result.getElementType();
    auto inputType = tensorType(adaptor.getInput());
    if ((!isa<IntegerType>(element) && !element.isF32()) ||
        result.getRank() != 4 ||
        (op.getCeilMode() &&
         (ShapedType::isDynamic(inputType.getDimSize(2)) ||
          ShapedType::isDynamic(inputType.getDimSize(3)))))
      return unsupported(op, "only integer or f32 2-d max pooling (with "
                             "ceil_mode: static spatial sizes)");
    Location loc = op.getLoc();
    // ceil_mode: the last windows run past the end; more end padding of the
    // lowest value makes them whole.
    const SmallVector<int64_t> pads = getMaxPoolPads(
        op.getPads(), op.getCeilMode(), inputType.getShape().drop_front(2),
        result.getShape().drop_front(2), op.getKernelShape(), op.getStrides(),
        op.getDilations());
    // Padding never wins: the type's lowest value (-inf for floats).
    auto lowestValue = [&]() -> Value {
      if (auto integer = dyn_cast<IntegerType>(element))
        return constantInt(rewriter, loc, element,
                           signedRange(integer.getWidth()).first);
      return arith::ConstantOp::create(rewriter, loc,
                                       rewriter.getF32FloatAttr(-INFINITY));
    };
    // Unsigned integers compare as signed ones once their sign bit is
    // flipped (an order-preserving map); flipped back after pooling.
    const bool isUnsigned = isUnsignedElement(op.getInput().getType());
    auto flipSignBit = [&](Value v, RankedTensorType type) {
      const unsigned bits = type.getElementTypeBitWidth();
      return elementwise(
          rewriter, loc, type, v, v,
          [&](OpBuilder &b, Location l, ValueRange args) -> Value {
            return arith::XOrIOp::create(
                b, l, args[0],
                arith::ConstantOp::create(
                    b, l, b.getIntegerAttr(element,
                                           APInt::getSignMask(bits))));
          });
    };
    Value input = adaptor.getInput();
    if (isUnsigned)
      input = flipSignBit(input, inputType);
    input = padSpatial(rewriter, loc, input, pads, lowestValue());
    Value init = linalg::FillOp::create(rewriter, loc, lowestValue(),
                                        emptyLike(rewriter, loc, result, input))
                     .getResult(0);
    Value window =
        tensor::EmptyOp::create(rewriter, loc, op.getKernelShape(), element);
    auto pool = linalg::PoolingNchwMaxOp::create(
        rewriter, loc, TypeRange{result}, ValueRange{input, window},
        ValueRange{init}, rewriter.getI64TensorAttr(op.getStrides()),
        rewriter.getI64TensorAttr(op.getDilations()));
    Value pooled = pool.getResult(0);
    if (isUnsigned)
      pooled = flipSignBit(pooled, result);
    rewriter.replaceOp(op, pooled);
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

/// Float 2-d average pooling, computed as the interpreter computes it (and
/// so bit for bit; a float island of an integer model must be): each window
/// summed in double precision in the window's order (kh, kw) from 0, padding
/// contributing nothing, divided by the number of its elements inside the
/// input, or with count_include_pad inside the padded input, and rounded to
/// f32 once. With ceil_mode the last windows may run past the padded input:
/// the input is padded with zeros far enough at the end. The divisors are
/// compile-time constants ([OH, OW]; a window entirely in the padding
/// divides 0 by 0: NaN, as in the interpreter). Loops (n, c, oh, kh, kw,
/// ow): the innermost runs along an output row.
struct ConvertAvgPool : OpConversionPattern<AvgPoolOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(AvgPoolOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    auto result = cast<RankedTensorType>(op.getType());
    Value x = adaptor.getInput();
    auto xType = tensorType(x);
    if (!result.getElementType().isF32() || result.getRank() != 4 ||
        xType.isDynamicDim(2) || xType.isDynamicDim(3) ||
        result.isDynamicDim(2) || result.isDynamicDim(3))
      return unsupported(op, "only f32 2-d average pooling with static "
                             "spatial sizes (integer pooling is a "
                             "qc.sum_pool after qc-lower-to-integer)");
    ArrayRef<int64_t> kernel = op.getKernelShape(), strides = op.getStrides(),
                      dilations = op.getDilations(), pads = op.getPads();
    Location loc = op.getLoc();
    MLIRContext *ctx = getContext();
    const int64_t out[2] = {result.getDimSize(2), result.getDimSize(3)};
    SmallVector<int64_t> padding(pads);
    // Per axis, how many of each window's elements are counted.
    std::vector<int64_t> counts[2];
    for (int d = 0; d < 2; ++d) {
      const int64_t size = xType.getDimSize(2 + d);
      const int64_t lastEnd =
          (out[d] - 1) * strides[d] + (kernel[d] - 1) * dilations[d] + 1;
      padding[2 + d] =
          std::max(pads[2 + d], lastEnd - size - pads[d]); // ceil_mode
      const int64_t lo = op.getCountIncludePad() ? -pads[d] : 0,
                    hi = op.getCountIncludePad() ? size + pads[2 + d] : size;
      for (int64_t o = 0; o < out[d]; ++o) {
        int64_t count = 0;
        for (int64_t k = 0; k < kernel[d]; ++k) {
          const int64_t pos = o * strides[d] - pads[d] + k * dilations[d];
          count += pos >= lo && pos < hi;
        }
        counts[d].push_back(count);
      }
    }
    SmallVector<double> divisors;
    for (int64_t h : counts[0])
      for (int64_t w : counts[1])
        divisors.push_back(static_cast<double>(h * w));
    auto divisorType = RankedTensorType::get({out[0], out[1]},
                                             rewriter.getF64Type());
    Value divisor = arith::ConstantOp::create(
        rewriter, loc,
        DenseElementsAttr::get(divisorType, ArrayRef<double>(divisors)));
    Value padded =
        padSpatial(rewriter, loc, x, padding,
                   zeroOf(rewriter, loc, rewriter.getF32Type()));
    auto sumType = result.clone(rewriter.getF64Type());
    Value init = linalg::FillOp::create(
                     rewriter, loc, zeroOf(rewriter, loc, rewriter.getF64Type()),
                     emptyLike(rewriter, loc, sumType, x))
                     .getResult(0);
    AffineExpr n = getAffineDimExpr(0, ctx), c = getAffineDimExpr(1, ctx),
               oh = getAffineDimExpr(2, ctx), kh = getAffineDimExpr(3, ctx),
               kw = getAffineDimExpr(4, ctx), ow = getAffineDimExpr(5, ctx);
    using utils::IteratorType;
    // The window's shape (its values are not read), as the named pooling
    // ops take it: the loop bounds of kh and kw.
    Value window = tensor::EmptyOp::create(rewriter, loc, kernel,
                                           rewriter.getF32Type());
    Value sum =
        linalg::GenericOp::create(
            rewriter, loc, sumType, ValueRange{padded, window}, init,
            ArrayRef<AffineMap>{
                AffineMap::get(6, 0,
                               {n, c, oh * strides[0] + kh * dilations[0],
                                ow * strides[1] + kw * dilations[1]},
                               ctx),
                AffineMap::get(6, 0, {kh, kw}, ctx),
                AffineMap::get(6, 0, {n, c, oh, ow}, ctx)},
            {IteratorType::parallel, IteratorType::parallel,
             IteratorType::parallel, IteratorType::reduction,
             IteratorType::reduction, IteratorType::parallel},
            [&](OpBuilder &b, Location l, ValueRange args) {
              linalg::YieldOp::create(
                  b, l,
                  arith::AddFOp::create(b, l, args[2], toF64(b, l, args[0]))
                      .getResult());
            })
            .getResult(0);
    Value mean = elementwise(
        rewriter, loc, result, ValueRange{sum, divisor}, x,
        [&](OpBuilder &b, Location l, ValueRange args) -> Value {
          return arith::TruncFOp::create(
              b, l, b.getF32Type(),
              arith::DivFOp::create(b, l, args[0], args[1]));
        });
    rewriter.replaceOp(op, mean);
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
    if (!acc || op.getAxes().empty())
      return unsupported(op, "only integer sums over given axes");
    // Sum into the kept dimensions (then expanded back with keepdims).
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
  patterns.add<ConvertPad, ConvertMaxPool, ConvertSumPool, ConvertAvgPool,
               ConvertReduceSum, ConvertGlobalAvgPool>(converter, patterns.getContext());
}
