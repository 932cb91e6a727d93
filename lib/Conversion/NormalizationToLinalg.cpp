//===- NormalizationToLinalg.cpp - Normalizations, means to linalg --------===//
//
// The float islands' normalizations (softmax, layer and batch
// normalization) and means, in double precision as the interpreter computes
// them and rounded to f32 once; a float model's softmax and layer
// normalization in f32 (FloatMath::Single).
//
//===----------------------------------------------------------------------===//

#include "QCToLinalgPatterns.h"

#include "mlir/Dialect/Math/IR/Math.h"

using namespace mlir;
using namespace qcc;
using namespace qcc::qc;
using namespace qcc::qc_to_linalg;

namespace {

/// The precision a normalization computes in: double, as the interpreter
/// does, rounded to f32 once (FloatMath::Interpreter: float islands equal
/// it bit for bit); or f32 for float models (FloatMath::Single), the sums'
/// adds free to reassociate so that they vectorize, exp approximated by
/// the target as other f32 math functions are.
struct WorkPrecision {
  FloatMath math;
  bool single() const { return math == FloatMath::Single; }
  Type type(OpBuilder &b) const {
    return single() ? Type(b.getF32Type()) : Type(b.getF64Type());
  }
  Value constant(OpBuilder &b, Location l, double v) const {
    return single() ? arith::ConstantOp::create(b, l, b.getF32FloatAttr(v))
                          .getResult()
                    : f64Constant(b, l, v);
  }
  /// An f32 element in the working precision.
  Value in(OpBuilder &b, Location l, Value v) const {
    return single() ? v : toF64(b, l, v);
  }
  /// A working value as the f32 result.
  Value out(OpBuilder &b, Location l, Value v) const {
    return single()
               ? v
               : arith::TruncFOp::create(b, l, b.getF32Type(), v).getResult();
  }
  /// acc + v for a sum: reassociable in f32.
  Value sum(OpBuilder &b, Location l, Value acc, Value v) const {
    return arith::AddFOp::create(b, l, acc, v,
                                 single() ? arith::FastMathFlags::reassoc
                                          : arith::FastMathFlags::none);
  }
};

/// Float softmax: the maximum along the axis, e = exp(x - max) at every
/// element, the sum of e in index order, then e / sum; in double as the
/// interpreter computes it (a float island), or in f32 for float models.
struct ConvertSoftmax : OpConversionPattern<SoftmaxOp> {
  ConvertSoftmax(const TypeConverter &converter, MLIRContext *context,
                 FloatMath math)
      : OpConversionPattern(converter, context), work{math} {}
  WorkPrecision work;
  LogicalResult
  matchAndRewrite(SoftmaxOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    auto type = cast<RankedTensorType>(op.getType());
    int64_t axis = op.getAxis();
    if (axis < 0)
      axis += type.getRank();
    if (!type.getElementType().isF32() || !type.hasStaticShape() || axis < 0 ||
        axis >= type.getRank())
      return unsupported(op, "only f32 softmax with static shapes");
    Location loc = op.getLoc();
    MLIRContext *ctx = getContext();
    const int64_t rank = type.getRank();
    Type element = work.type(rewriter);
    SmallVector<int64_t> reducedShape;
    SmallVector<AffineExpr> reducedExprs;
    SmallVector<utils::IteratorType> iterators;
    for (int64_t d = 0; d < rank; ++d) {
      iterators.push_back(d == axis ? utils::IteratorType::reduction
                                    : utils::IteratorType::parallel);
      if (d != axis) {
        reducedShape.push_back(type.getDimSize(d));
        reducedExprs.push_back(getAffineDimExpr(d, ctx));
      }
    }
    auto reducedType = RankedTensorType::get(reducedShape, element);
    auto workType = RankedTensorType::get(type.getShape(), element);
    AffineMap identity = AffineMap::getMultiDimIdentityMap(rank, ctx);
    AffineMap reduced = AffineMap::get(rank, 0, reducedExprs, ctx);
    Value x = adaptor.getInput();
    auto filled = [&](double v) -> Value {
      Value empty =
          tensor::EmptyOp::create(rewriter, loc, reducedShape, element);
      return linalg::FillOp::create(rewriter, loc,
                                    work.constant(rewriter, loc, v), empty)
          .getResult(0);
    };
    auto reduce =
        [&](Value input, double init,
            function_ref<Value(OpBuilder &, Location, Value, Value)> step) {
          return linalg::GenericOp::create(
                     rewriter, loc, reducedType, input, filled(init),
                     ArrayRef<AffineMap>{identity, reduced}, iterators,
                     [&](OpBuilder &b, Location l, ValueRange args) {
                       Value v = args[0];
                       if (v.getType() != element)
                         v = work.in(b, l, v);
                       linalg::YieldOp::create(b, l, step(b, l, v, args[1]));
                     })
              .getResult(0);
        };
    // max: std::max(acc, v) = acc < v ? v : acc (NaN never wins).
    Value max =
        reduce(x, -INFINITY, [](OpBuilder &b, Location l, Value v, Value acc) {
          Value less =
              arith::CmpFOp::create(b, l, arith::CmpFPredicate::OLT, acc, v);
          return arith::SelectOp::create(b, l, less, v, acc).getResult();
        });
    // e = exp(x - max), once per element (a loop along the axis that
    // vectorizes), then its sum.
    Value e =
        linalg::GenericOp::create(
            rewriter, loc, workType, ValueRange{x, max},
            tensor::EmptyOp::create(rewriter, loc, type.getShape(), element)
                .getResult(),
            ArrayRef<AffineMap>{identity, reduced, identity}, parallel(rank),
            [&](OpBuilder &b, Location l, ValueRange args) {
              linalg::YieldOp::create(
                  b, l,
                  math::ExpOp::create(
                      b, l,
                      arith::SubFOp::create(b, l, work.in(b, l, args[0]),
                                            args[1]))
                      .getResult());
            })
            .getResult(0);
    Value sum =
        reduce(e, 0.0, [&](OpBuilder &b, Location l, Value v, Value acc) {
          return work.sum(b, l, acc, v);
        });
    Value result =
        linalg::GenericOp::create(
            rewriter, loc, type, ValueRange{e, sum},
            tensor::EmptyOp::create(rewriter, loc, type.getShape(),
                                    type.getElementType())
                .getResult(),
            ArrayRef<AffineMap>{identity, reduced, identity}, parallel(rank),
            [&](OpBuilder &b, Location l, ValueRange args) {
              linalg::YieldOp::create(
                  b, l,
                  work.out(b, l,
                           arith::DivFOp::create(b, l, args[0], args[1])));
            })
            .getResult(0);
    rewriter.replaceOp(op, result);
    return success();
  }
};

/// f32 layer normalization over the dimensions from `axis` on, in double
/// as the interpreter computes it (mean, then the population variance of
/// x - mean, then (x - mean) / sqrt(var + epsilon) * scale + bias), rounded
/// to f32 once; the reductions run over the normalized dimensions in index
/// order, as the interpreter adds them. In f32 for float models.
struct ConvertLayerNorm : OpConversionPattern<LayerNormOp> {
  ConvertLayerNorm(const TypeConverter &converter, MLIRContext *context,
                   FloatMath math)
      : OpConversionPattern(converter, context), work{math} {}
  WorkPrecision work;
  LogicalResult
  matchAndRewrite(LayerNormOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    auto type = cast<RankedTensorType>(op.getType());
    const int64_t rank = type.getRank();
    int64_t axis = op.getAxis();
    if (axis < 0)
      axis += rank;
    // Scale and bias broadcast (NumPy-style) to the normalized shape.
    auto broadcastsToInner = [&](Value v) {
      if (!v)
        return true;
      auto t = tensorType(v);
      if (!t.getElementType().isF32() || t.getRank() > rank - axis)
        return false;
      for (int64_t j = 0; j < t.getRank(); ++j) {
        const int64_t d = rank - t.getRank() + j;
        if (t.getDimSize(j) != 1 && t.getDimSize(j) != type.getDimSize(d))
          return false;
      }
      return true;
    };
    bool staticInner = axis >= 0 && axis < rank;
    for (int64_t d = std::max<int64_t>(axis, 0); d < rank; ++d)
      staticInner &= !type.isDynamicDim(d);
    if (!type.getElementType().isF32() || !staticInner ||
        !broadcastsToInner(adaptor.getScale()) ||
        !broadcastsToInner(adaptor.getBias()))
      return unsupported(op, "only f32 layer normalization over static "
                             "dimensions with f32 scale and bias that "
                             "broadcast to them");
    Location loc = op.getLoc();
    MLIRContext *ctx = getContext();
    double count = 1;
    for (int64_t d = axis; d < rank; ++d)
      count *= type.getDimSize(d);
    auto reducedType = RankedTensorType::get(type.getShape().take_front(axis),
                                             work.type(rewriter));
    SmallVector<AffineExpr> outer;
    for (int64_t d = 0; d < axis; ++d)
      outer.push_back(getAffineDimExpr(d, ctx));
    AffineMap identity = AffineMap::getMultiDimIdentityMap(rank, ctx);
    AffineMap reduced = AffineMap::get(rank, 0, outer, ctx);
    // A parameter's element of the normalized index: its trailing
    // dimensions, 0 where it has size 1.
    auto parameterMap = [&](Value v) {
      auto t = tensorType(v);
      SmallVector<AffineExpr> exprs;
      for (int64_t j = 0; j < t.getRank(); ++j)
        exprs.push_back(t.getDimSize(j) == 1
                            ? getAffineConstantExpr(0, ctx)
                            : getAffineDimExpr(rank - t.getRank() + j, ctx));
      return AffineMap::get(rank, 0, exprs, ctx);
    };
    SmallVector<utils::IteratorType> iterators = parallel(rank);
    for (int64_t d = axis; d < rank; ++d)
      iterators[d] = utils::IteratorType::reduction;
    Value x = adaptor.getInput();
    auto zeros = [&]() -> Value {
      return linalg::FillOp::create(rewriter, loc,
                                    work.constant(rewriter, loc, 0.0),
                                    emptyLike(rewriter, loc, reducedType, x))
          .getResult(0);
    };
    // sum_i f(x_i, mean) over the last dimension, divided by its size.
    auto average = [&](Value mean) {
      SmallVector<Value> inputs = {x};
      SmallVector<AffineMap> maps = {identity};
      if (mean) {
        inputs.push_back(mean);
        maps.push_back(reduced);
      }
      maps.push_back(reduced);
      Value sum =
          linalg::GenericOp::create(
              rewriter, loc, reducedType, inputs, zeros(), maps, iterators,
              [&](OpBuilder &b, Location l, ValueRange args) {
                Value v = work.in(b, l, args[0]);
                if (mean) {
                  Value d = arith::SubFOp::create(b, l, v, args[1]);
                  v = arith::MulFOp::create(b, l, d, d);
                }
                linalg::YieldOp::create(b, l, work.sum(b, l, args.back(), v));
              })
              .getResult(0);
      return linalg::GenericOp::create(
                 rewriter, loc, reducedType, sum,
                 emptyLike(rewriter, loc, reducedType, x),
                 ArrayRef<AffineMap>{
                     AffineMap::getMultiDimIdentityMap(axis, ctx),
                     AffineMap::getMultiDimIdentityMap(axis, ctx)},
                 parallel(axis),
                 [&](OpBuilder &b, Location l, ValueRange args) {
                   linalg::YieldOp::create(
                       b, l,
                       arith::DivFOp::create(b, l, args[0],
                                             work.constant(b, l, count))
                           .getResult());
                 })
          .getResult(0);
    };
    Value mean = average(Value());
    Value variance = average(mean);
    SmallVector<Value> inputs = {x, mean, variance, adaptor.getScale()};
    SmallVector<AffineMap> maps = {identity, reduced, reduced,
                                   parameterMap(adaptor.getScale())};
    Value bias = adaptor.getBias();
    if (bias) {
      inputs.push_back(bias);
      maps.push_back(parameterMap(bias));
    }
    maps.push_back(identity);
    const double epsilon = op.getEpsilon().convertToDouble();
    Value result =
        linalg::GenericOp::create(
            rewriter, loc, type, inputs, emptyLike(rewriter, loc, type, x),
            maps, parallel(rank),
            [&](OpBuilder &b, Location l, ValueRange args) {
              Value inv = arith::DivFOp::create(
                  b, l, work.constant(b, l, 1.0),
                  math::SqrtOp::create(
                      b, l,
                      arith::AddFOp::create(b, l, args[2],
                                            work.constant(b, l, epsilon))));
              Value v = arith::MulFOp::create(
                  b, l,
                  arith::MulFOp::create(
                      b, l,
                      arith::SubFOp::create(b, l, work.in(b, l, args[0]),
                                            args[1]),
                      inv),
                  work.in(b, l, args[3]));
              if (bias)
                v = arith::AddFOp::create(b, l, v, work.in(b, l, args[4]));
              linalg::YieldOp::create(b, l, work.out(b, l, v));
            })
            .getResult(0);
    rewriter.replaceOp(op, result);
    return success();
  }
};

/// f32 mean over axes, as the interpreter computes it: the sum in double
/// precision in index order (linalg's loops run in the dimensions' order),
/// divided by the number of reduced elements, rounded to f32 once.
struct ConvertReduceMean : OpConversionPattern<ReduceMeanOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(ReduceMeanOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    auto result = cast<RankedTensorType>(op.getType());
    Value x = adaptor.getInput();
    RankedTensorType input = tensorType(x);
    const int64_t rank = input.getRank();
    ArrayRef<int64_t> axes = op.getAxes();
    // No axes: every dimension (as the interpreter reads them).
    auto isReduced = [&](int64_t d) {
      return axes.empty() || llvm::is_contained(axes, d);
    };
    bool staticReduced = true;
    for (int64_t d = 0; d < rank; ++d)
      staticReduced &= !(isReduced(d) && input.isDynamicDim(d));
    if (!result.getElementType().isF32() || !staticReduced)
      return unsupported(op, "only f32 means over static dimensions");
    Location loc = op.getLoc();
    SmallVector<bool> reduced;
    double count = 1;
    for (int64_t d = 0; d < rank; ++d) {
      reduced.push_back(isReduced(d));
      if (reduced.back())
        count *= static_cast<double>(input.getDimSize(d));
    }
    Value sum = reduceDimensions(
        rewriter, loc, x, reduced, f64Constant(rewriter, loc, 0.0),
        [](OpBuilder &b, Location l, Value v, Value acc) -> Value {
          return arith::AddFOp::create(b, l, acc, toF64(b, l, v));
        });
    // 0 / 0 = NaN for an empty reduction, as in the interpreter.
    Value mean = elementwise(
        rewriter, loc, tensorType(sum).clone(rewriter.getF32Type()), sum, sum,
        [&](OpBuilder &b, Location l, ValueRange args) -> Value {
          return arith::TruncFOp::create(
              b, l, b.getF32Type(),
              arith::DivFOp::create(b, l, args[0], f64Constant(b, l, count)));
        });
    return replaceByReduction(rewriter, op, mean, result);
  }
};

/// f32 inference batch normalization that was not folded into a
/// convolution, as the interpreter computes it: in double precision,
/// (x - mean[c]) / sqrt(var[c] + epsilon) * scale[c] + bias[c], left to
/// right, rounded to f32 once.
struct ConvertBatchNorm : OpConversionPattern<BatchNormOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(BatchNormOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    auto result = cast<RankedTensorType>(op.getType());
    SmallVector<Value> params = {adaptor.getMean(), adaptor.getVariance(),
                                 adaptor.getScale(), adaptor.getBias()};
    auto isChannelVector = [&](Value v) {
      RankedTensorType t = tensorType(v);
      return t.getRank() == 1 && t.getElementType().isF32() &&
             t.getDimSize(0) == result.getDimSize(1);
    };
    if (!result.getElementType().isF32() || result.getRank() < 2 ||
        result.isDynamicDim(1) || !llvm::all_of(params, isChannelVector))
      return unsupported(op, "only f32 batch normalization with [C] "
                             "parameters");
    Location loc = op.getLoc();
    MLIRContext *ctx = getContext();
    const int64_t rank = result.getRank();
    AffineMap identity = AffineMap::getMultiDimIdentityMap(rank, ctx);
    AffineMap channel = AffineMap::get(rank, 0, getAffineDimExpr(1, ctx));
    SmallVector<Value> inputs = {adaptor.getInput()};
    llvm::append_range(inputs, params);
    SmallVector<AffineMap> maps = {identity, channel, channel, channel,
                                   channel, identity};
    const double epsilon = op.getEpsilon().convertToDouble();
    Value out =
        linalg::GenericOp::create(
            rewriter, loc, result, inputs,
            emptyLike(rewriter, loc, result, adaptor.getInput()), maps,
            parallel(rank),
            [&](OpBuilder &b, Location l, ValueRange args) {
              Value x = toF64(b, l, args[0]), mean = toF64(b, l, args[1]),
                    var = toF64(b, l, args[2]), scale = toF64(b, l, args[3]),
                    bias = toF64(b, l, args[4]);
              Value v = arith::DivFOp::create(
                  b, l, arith::SubFOp::create(b, l, x, mean),
                  math::SqrtOp::create(
                      b, l,
                      arith::AddFOp::create(b, l, var,
                                            f64Constant(b, l, epsilon))));
              v = arith::AddFOp::create(
                  b, l, arith::MulFOp::create(b, l, v, scale), bias);
              linalg::YieldOp::create(
                  b, l,
                  arith::TruncFOp::create(b, l, b.getF32Type(), v).getResult());
            })
            .getResult(0);
    rewriter.replaceOp(op, out);
    return success();
  }
};

} // namespace

void qcc::qc_to_linalg::populateNormalizationPatterns(
    const TypeConverter &converter, RewritePatternSet &patterns,
    FloatMath floatMath) {
  patterns.add<ConvertSoftmax, ConvertLayerNorm>(
      converter, patterns.getContext(), floatMath);
  patterns.add<ConvertReduceMean, ConvertBatchNorm>(converter,
                                                    patterns.getContext());
}
