//===- QCToLinalg.cpp - The integer qc graph to linalg --------------------===//
//
// One conversion pattern per op. Quantized tensor types become their
// signless integer storage; the element semantics of every op is the one
// the reference interpreter (and the numerics library) gives it, so that
// compiled code agrees with it bit for bit. Passes.td documents the
// mapping.
//
//===----------------------------------------------------------------------===//

#include "qcc/Conversion/Passes.h"

#include "PackedWeights.h"
#include "UkernelSupport.h"
#include "qcc/Dialect/QC/IR/QCConstants.h"
#include "qcc/Dialect/QC/IR/QCOps.h"

#include "mlir/Dialect/Bufferization/IR/Bufferization.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/Quant/IR/QuantTypes.h"
#include "mlir/Dialect/Utils/ReshapeOpsUtils.h"
#include "mlir/IR/Matchers.h"
#include "mlir/IR/TypeUtilities.h"
#include "mlir/Transforms/DialectConversion.h"

namespace qcc {
#define GEN_PASS_DEF_CONVERTQCTOLINALG
#include "qcc/Conversion/Passes.h.inc"
} // namespace qcc

using namespace mlir;
using namespace qcc;
using namespace qcc::qc;

namespace {

/// Quantized tensors are their storage integers.
struct StorageTypeConverter : TypeConverter {
  StorageTypeConverter() {
    addConversion([](Type t) { return t; });
    addConversion([](RankedTensorType t) -> Type {
      if (auto q = dyn_cast<quant::QuantizedType>(t.getElementType()))
        return t.clone(
            IntegerType::get(t.getContext(), q.getStorageTypeIntegralWidth()));
      return t;
    });
  }
};

RankedTensorType tensorType(Value v) {
  return cast<RankedTensorType>(v.getType());
}

/// A tensor.empty of `type` whose dynamic sizes are `like`'s at the same
/// positions (the batch dimension, in practice).
Value emptyLike(OpBuilder &b, Location loc, RankedTensorType type, Value like) {
  SmallVector<Value> dynamic;
  for (int64_t d = 0; d < type.getRank(); ++d)
    if (type.isDynamicDim(d))
      dynamic.push_back(tensor::DimOp::create(b, loc, like, d));
  return tensor::EmptyOp::create(b, loc, type.getShape(), type.getElementType(),
                                 dynamic);
}

Value constantInt(OpBuilder &b, Location loc, Type type, int64_t v) {
  return arith::ConstantOp::create(b, loc, IntegerAttr::get(type, v));
}

SmallVector<utils::IteratorType> parallel(int64_t n) {
  return SmallVector<utils::IteratorType>(n, utils::IteratorType::parallel);
}

/// NumPy broadcasting of `operand` to a result of `rank`: size-1 and missing
/// leading dimensions read index 0.
AffineMap broadcastMap(MLIRContext *ctx, RankedTensorType operand,
                       RankedTensorType result) {
  SmallVector<AffineExpr> exprs;
  const int64_t offset = result.getRank() - operand.getRank();
  for (int64_t d = 0; d < operand.getRank(); ++d)
    exprs.push_back(operand.getDimSize(d) == 1 &&
                            result.getDimSize(d + offset) != 1
                        ? getAffineConstantExpr(0, ctx)
                        : getAffineDimExpr(d + offset, ctx));
  return AffineMap::get(result.getRank(), 0, exprs, ctx);
}

/// A linalg.generic computing `body(args...)` element-wise over `result`
/// from `inputs` (broadcast as NumPy does).
Value elementwise(OpBuilder &b, Location loc, RankedTensorType result,
                  ValueRange inputs, Value like,
                  function_ref<Value(OpBuilder &, Location, ValueRange)> body) {
  MLIRContext *ctx = b.getContext();
  SmallVector<AffineMap> maps;
  for (Value in : inputs)
    maps.push_back(broadcastMap(ctx, tensorType(in), result));
  maps.push_back(AffineMap::getMultiDimIdentityMap(result.getRank(), ctx));
  auto generic = linalg::GenericOp::create(
      b, loc, result, inputs, emptyLike(b, loc, result, like), maps,
      parallel(result.getRank()),
      [&](OpBuilder &nb, Location nl, ValueRange args) {
        linalg::YieldOp::create(nb, nl, body(nb, nl, args.drop_back()));
      });
  return generic.getResult(0);
}

std::pair<int64_t, int64_t> signedRange(unsigned bits) {
  return {-(int64_t(1) << (bits - 1)), (int64_t(1) << (bits - 1)) - 1};
}

/// Reports an op code generation does not support, naming its node.
LogicalResult unsupported(Operation *op, const Twine &what) {
  return op->emitError() << "no CPU code generation for '" << op->getName()
                         << "' (node '" << getNodeName(op) << "'): " << what;
}

//===----------------------------------------------------------------------===//
// Quantization boundary
//===----------------------------------------------------------------------===//

struct ConvertQuantize : OpConversionPattern<QuantizeOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(QuantizeOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    auto q = dyn_cast<quant::UniformQuantizedType>(
        getElementTypeOrSelf(op.getType()));
    if (!q || !q.isSigned() || op.getRounding() != RoundingMode::HalfToEven ||
        !op.getInput().getType().getElementType().isF32())
      return unsupported(op, "only per-tensor signed integer quantization of "
                             "f32 with round half to even");
    auto result =
        cast<RankedTensorType>(getTypeConverter()->convertType(op.getType()));
    Type storage = result.getElementType();
    const float scale = static_cast<float>(q.getScale());
    const double zp = static_cast<double>(q.getZeroPoint());
    const double lo = q.getStorageTypeMin(), hi = q.getStorageTypeMax();
    Value out = elementwise(
        rewriter, op.getLoc(), result, adaptor.getInput(), adaptor.getInput(),
        [&](OpBuilder &b, Location loc, ValueRange args) {
          auto c = [&](double v) {
            return arith::ConstantOp::create(b, loc, b.getF32FloatAttr(v));
          };
          Value x = args[0];
          Value r = math::RoundEvenOp::create(
              b, loc, arith::DivFOp::create(b, loc, x, c(scale)));
          r = arith::AddFOp::create(b, loc, r, c(zp));
          r = arith::MaximumFOp::create(b, loc, r, c(lo));
          r = arith::MinimumFOp::create(b, loc, r, c(hi));
          Value isNan =
              arith::CmpFOp::create(b, loc, arith::CmpFPredicate::UNO, x, x);
          r = arith::SelectOp::create(b, loc, isNan, c(zp), r);
          return arith::FPToSIOp::create(b, loc, storage, r).getResult();
        });
    rewriter.replaceOp(op, out);
    return success();
  }
};

struct ConvertDequantize : OpConversionPattern<DequantizeOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(DequantizeOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    auto q = dyn_cast<quant::UniformQuantizedType>(
        getElementTypeOrSelf(op.getInput().getType()));
    if (!q || !q.isSigned() || !op.getType().getElementType().isF32())
      return unsupported(op, "only per-tensor signed integer dequantization "
                             "to f32");
    Value out = elementwise(
        rewriter, op.getLoc(), op.getType(), adaptor.getInput(),
        adaptor.getInput(), [&](OpBuilder &b, Location loc, ValueRange args) {
          auto i32 = b.getI32Type();
          Value v = args[0];
          if (v.getType() != i32)
            v = arith::ExtSIOp::create(b, loc, i32, v);
          v = arith::SubIOp::create(b, loc, v,
                                    constantInt(b, loc, i32, q.getZeroPoint()));
          Value f = arith::SIToFPOp::create(b, loc, b.getF32Type(), v);
          Value s = arith::ConstantOp::create(
              b, loc, b.getF32FloatAttr(static_cast<float>(q.getScale())));
          return arith::MulFOp::create(b, loc, f, s).getResult();
        });
    rewriter.replaceOp(op, out);
    return success();
  }
};

struct ConvertStorageCast : OpConversionPattern<StorageCastOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(StorageCastOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Type target = getTypeConverter()->convertType(op.getType());
    if (adaptor.getInput().getType() != target)
      return unsupported(op, "signed or unsigned integer tensors (only "
                             "signless storage is supported)");
    rewriter.replaceOp(op, adaptor.getInput());
    return success();
  }
};

//===----------------------------------------------------------------------===//
// Integer rescale and clamps
//===----------------------------------------------------------------------===//

struct ConvertRescale : OpConversionPattern<RescaleOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(RescaleOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    if (op.getRoundingMode() != RescaleRounding::SingleRound ||
        op.getOutputUnsigned())
      return unsupported(op, "only single_round to signed integers");
    Location loc = op.getLoc();
    RankedTensorType result = op.getType();
    ArrayRef<int32_t> multipliers = op.getMultiplier();
    ArrayRef<int8_t> shifts = op.getShift();
    const bool perChannel = multipliers.size() > 1;
    SmallVector<Value> inputs = {adaptor.getInput()};
    SmallVector<AffineMap> maps = {
        AffineMap::getMultiDimIdentityMap(result.getRank(), getContext())};
    if (perChannel) {
      // Per-channel parameters: constant tensors indexed by the channel.
      const int64_t channels = multipliers.size();
      auto m = RankedTensorType::get({channels}, rewriter.getI32Type());
      auto s = RankedTensorType::get({channels}, rewriter.getI8Type());
      inputs.push_back(arith::ConstantOp::create(
          rewriter, loc, DenseElementsAttr::get(m, multipliers)));
      inputs.push_back(arith::ConstantOp::create(
          rewriter, loc, DenseElementsAttr::get(s, shifts)));
      AffineMap channel = AffineMap::get(
          result.getRank(), 0, getAffineDimExpr(*op.getAxis(), getContext()));
      maps.push_back(channel);
      maps.push_back(channel);
    }
    maps.push_back(maps.front());
    const unsigned outBits = result.getElementTypeBitWidth();
    const auto range = signedRange(outBits);
    const int64_t outMin = range.first, outMax = range.second;
    const bool inputUnsigned = op.getInputUnsigned();
    const int64_t inputZp = op.getInputZp(), outputZp = op.getOutputZp();
    auto generic = linalg::GenericOp::create(
        rewriter, loc, result, inputs,
        emptyLike(rewriter, loc, result, adaptor.getInput()), maps,
        parallel(result.getRank()),
        [&](OpBuilder &b, Location l, ValueRange args) {
          auto i64 = b.getI64Type();
          Value x = args[0];
          x = inputUnsigned ? arith::ExtUIOp::create(b, l, i64, x).getResult()
                            : arith::ExtSIOp::create(b, l, i64, x).getResult();
          x = arith::SubIOp::create(b, l, x, constantInt(b, l, i64, inputZp));
          Value m, s;
          if (perChannel) {
            m = arith::ExtSIOp::create(b, l, i64, args[1]);
            s = arith::ExtSIOp::create(b, l, i64, args[2]);
          } else {
            m = constantInt(b, l, i64, multipliers[0]);
            s = constantInt(b, l, i64, shifts[0]);
          }
          Value one = constantInt(b, l, i64, 1);
          Value round = arith::ShLIOp::create(
              b, l, one, arith::SubIOp::create(b, l, s, one));
          Value y = arith::AddIOp::create(
              b, l, arith::MulIOp::create(b, l, x, m), round);
          y = arith::ShRSIOp::create(b, l, y, s);
          y = arith::AddIOp::create(b, l, y, constantInt(b, l, i64, outputZp));
          y = arith::MaxSIOp::create(b, l, y, constantInt(b, l, i64, outMin));
          y = arith::MinSIOp::create(b, l, y, constantInt(b, l, i64, outMax));
          linalg::YieldOp::create(
              b, l,
              arith::TruncIOp::create(b, l, result.getElementType(), y)
                  .getResult());
        });
    rewriter.replaceOp(op, generic.getResult(0));
    return success();
  }
};

/// The single value of a rank-0 integer constant.
std::optional<int64_t> scalarConstant(Value v) {
  DenseIntElementsAttr attr;
  if (!v || !matchPattern(v, m_Constant(&attr)) || attr.getNumElements() != 1)
    return std::nullopt;
  return (*attr.getValues<APInt>().begin()).getSExtValue();
}

struct ConvertClip : OpConversionPattern<ClipOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(ClipOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    auto result = cast<RankedTensorType>(op.getType());
    auto element = dyn_cast<IntegerType>(result.getElementType());
    auto lo = scalarConstant(op.getMin()), hi = scalarConstant(op.getMax());
    if (!element || (op.getMin() && !lo) || (op.getMax() && !hi))
      return unsupported(op, "only integer clamps to constant bounds");
    Value out = elementwise(
        rewriter, op.getLoc(), result, adaptor.getInput(), adaptor.getInput(),
        [&](OpBuilder &b, Location loc, ValueRange args) {
          Value v = args[0];
          if (lo)
            v = arith::MaxSIOp::create(b, loc, v,
                                       constantInt(b, loc, element, *lo));
          if (hi)
            v = arith::MinSIOp::create(b, loc, v,
                                       constantInt(b, loc, element, *hi));
          return v;
        });
    rewriter.replaceOp(op, out);
    return success();
  }
};

/// Float islands compute as the interpreter does: in double precision,
/// rounded to f32 once per op (libm calls for exp, tanh, erf, pow).
Value toF64(OpBuilder &b, Location loc, Value v) {
  return arith::ExtFOp::create(b, loc, b.getF64Type(), v);
}

Value f64Constant(OpBuilder &b, Location loc, double v) {
  return arith::ConstantOp::create(b, loc, b.getF64FloatAttr(v));
}

/// Element-wise binary ops: integer addition (residual sums after
/// qc-lower-to-integer) and the float arithmetic of float islands.
template <typename OpTy> struct ConvertBinary : OpConversionPattern<OpTy> {
  using OpConversionPattern<OpTy>::OpConversionPattern;
  using OpAdaptor = typename OpTy::Adaptor;
  LogicalResult
  matchAndRewrite(OpTy op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    auto result = cast<RankedTensorType>(op.getType());
    const bool integer = isa<IntegerType>(result.getElementType());
    if ((integer && !std::is_same_v<OpTy, AddOp>) ||
        (!integer && !result.getElementType().isF32()))
      return unsupported(op, "only integer additions and f32 arithmetic");
    Value lhs = adaptor.getLhs(), rhs = adaptor.getRhs();
    // The output's dynamic sizes come from an operand of the result's rank.
    Value like = tensorType(lhs).getRank() == result.getRank() ? lhs : rhs;
    Value out =
        elementwise(rewriter, op.getLoc(), result, {lhs, rhs}, like,
                    [&](OpBuilder &b, Location loc, ValueRange args) -> Value {
                      if (integer)
                        return arith::AddIOp::create(b, loc, args[0], args[1]);
                      Value x = toF64(b, loc, args[0]),
                            y = toF64(b, loc, args[1]);
                      Value r;
                      if constexpr (std::is_same_v<OpTy, AddOp>)
                        r = arith::AddFOp::create(b, loc, x, y);
                      else if constexpr (std::is_same_v<OpTy, SubOp>)
                        r = arith::SubFOp::create(b, loc, x, y);
                      else if constexpr (std::is_same_v<OpTy, MulOp>)
                        r = arith::MulFOp::create(b, loc, x, y);
                      else if constexpr (std::is_same_v<OpTy, DivOp>)
                        r = arith::DivFOp::create(b, loc, x, y);
                      else
                        r = math::PowFOp::create(b, loc, x, y);
                      return arith::TruncFOp::create(b, loc, b.getF32Type(), r);
                    });
    rewriter.replaceOp(op, out);
    return success();
  }
};

/// Float unary ops of float islands, as applyUnary in the interpreter.
template <typename OpTy> struct ConvertFloatUnary : OpConversionPattern<OpTy> {
  using OpConversionPattern<OpTy>::OpConversionPattern;
  using OpAdaptor = typename OpTy::Adaptor;
  LogicalResult
  matchAndRewrite(OpTy op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    auto result = cast<RankedTensorType>(op.getType());
    if (!result.getElementType().isF32())
      return unsupported(op, "only f32 (integer activations are clamps "
                             "after qc-lower-to-integer)");
    Value out = elementwise(
        rewriter, op.getLoc(), result, adaptor.getInput(), adaptor.getInput(),
        [&](OpBuilder &b, Location loc, ValueRange args) -> Value {
          Value x = toF64(b, loc, args[0]);
          Value zero = f64Constant(b, loc, 0.0), one = f64Constant(b, loc, 1.0);
          Value r;
          if constexpr (std::is_same_v<OpTy, ReluOp>) {
            // Unordered-or-greater: NaN passes through, as in ONNX Runtime.
            Value keep = arith::CmpFOp::create(
                b, loc, arith::CmpFPredicate::UGT, x, zero);
            r = arith::SelectOp::create(b, loc, keep, x, zero);
          } else if constexpr (std::is_same_v<OpTy, SigmoidOp>) {
            Value e =
                math::ExpOp::create(b, loc, arith::NegFOp::create(b, loc, x));
            r = arith::DivFOp::create(b, loc, one,
                                      arith::AddFOp::create(b, loc, one, e));
          } else if constexpr (std::is_same_v<OpTy, TanhOp>) {
            r = math::TanhOp::create(b, loc, x);
          } else if constexpr (std::is_same_v<OpTy, ErfOp>) {
            r = math::ErfOp::create(b, loc, x);
          } else {
            r = math::SqrtOp::create(b, loc, x);
          }
          return arith::TruncFOp::create(b, loc, b.getF32Type(), r);
        });
    rewriter.replaceOp(op, out);
    return success();
  }
};

//===----------------------------------------------------------------------===//
// Layers
//===----------------------------------------------------------------------===//

/// A 2-d NCHW `input` padded on its spatial axes by `pads` (begin H, begin
/// W, end H, end W) with `value`; `input` when unpadded.
Value padSpatial(OpBuilder &b, Location loc, Value input,
                 ArrayRef<int64_t> pads, Value value) {
  if (llvm::all_of(pads, [](int64_t p) { return p == 0; }))
    return input;
  SmallVector<OpFoldResult> low(2, b.getIndexAttr(0)), high = low;
  SmallVector<int64_t> shape(tensorType(input).getShape());
  for (int d = 0; d < 2; ++d) {
    low.push_back(b.getIndexAttr(pads[d]));
    high.push_back(b.getIndexAttr(pads[2 + d]));
    shape[2 + d] += pads[d] + pads[2 + d];
  }
  return tensor::PadOp::create(b, loc, tensorType(input).clone(shape), input,
                               low, high, value);
}

/// Zero of an integer or float element type.
Value zeroOf(OpBuilder &b, Location loc, Type element) {
  return arith::ConstantOp::create(b, loc, b.getZeroAttr(element));
}

/// `bias` ([channels]) broadcast along `axis` into `init`.
Value broadcastInto(OpBuilder &b, Location loc, Value bias, int64_t axis,
                    Value init) {
  auto type = cast<RankedTensorType>(init.getType());
  MLIRContext *ctx = b.getContext();
  AffineMap in = AffineMap::get(type.getRank(), 0, getAffineDimExpr(axis, ctx));
  return linalg::GenericOp::create(
             b, loc, type, bias, init,
             ArrayRef<AffineMap>{
                 in, AffineMap::getMultiDimIdentityMap(type.getRank(), ctx)},
             parallel(type.getRank()),
             [](OpBuilder &nb, Location nl, ValueRange args) {
               linalg::YieldOp::create(nb, nl, args[0]);
             })
      .getResult(0);
}

/// `bias` ([channels], or none: zeros) broadcast along `axis` of `type`,
/// whose dynamic sizes are `like`'s.
Value broadcastBias(OpBuilder &b, Location loc, RankedTensorType type,
                    Value bias, int64_t axis, Value like) {
  Value init = emptyLike(b, loc, type, like);
  if (!bias)
    return linalg::FillOp::create(b, loc, zeroOf(b, loc, type.getElementType()),
                                  init)
        .getResult(0);
  return broadcastInto(b, loc, bias, axis, init);
}

/// The batched int8 product every integer layer becomes:
/// C[b, m, p] += sum_k A[m, k] * B[b, k, p] (operands sign-extended to the
/// int32 accumulator). Marked for the VNNI micro-kernel, which
/// convert-linalg-to-ukernel-calls substitutes after bufferization; without
/// that pass it lowers to loops like any linalg.generic.
Value batchedMatmul(OpBuilder &b, Location loc, Value lhs, Value rhs,
                    Value init) {
  MLIRContext *ctx = b.getContext();
  AffineExpr batch = getAffineDimExpr(0, ctx), m = getAffineDimExpr(1, ctx),
             p = getAffineDimExpr(2, ctx), k = getAffineDimExpr(3, ctx);
  SmallVector<AffineMap> maps = {AffineMap::get(4, 0, {m, k}, ctx),
                                 AffineMap::get(4, 0, {batch, k, p}, ctx),
                                 AffineMap::get(4, 0, {batch, m, p}, ctx)};
  auto accType = cast<RankedTensorType>(init.getType());
  Type acc = accType.getElementType();
  auto generic = linalg::GenericOp::create(
      b, loc, accType, ValueRange{lhs, rhs}, init, maps,
      {utils::IteratorType::parallel, utils::IteratorType::parallel,
       utils::IteratorType::parallel, utils::IteratorType::reduction},
      [&](OpBuilder &nb, Location nl, ValueRange args) {
        Value x = arith::ExtSIOp::create(nb, nl, acc, args[0]);
        Value y = arith::ExtSIOp::create(nb, nl, acc, args[1]);
        Value sum = arith::AddIOp::create(nb, nl, args[2],
                                          arith::MulIOp::create(nb, nl, x, y));
        linalg::YieldOp::create(nb, nl, sum);
      });
  if (getElementTypeOrSelf(lhs.getType()).isInteger(8) &&
      getElementTypeOrSelf(rhs.getType()).isInteger(8) && acc.isInteger(32))
    generic->setAttr(kUkernelAttrName, b.getStringAttr(kMatmulS8S8S32));
  return generic.getResult(0);
}

/// A constant weight's integers, for rearranging at compile time.
std::optional<std::vector<int64_t>> weightValues(Value v) {
  if (!getElementTypeOrSelf(v.getType()).isInteger(8))
    return std::nullopt;
  return getIntegerConstant(v);
}

/// An i8 constant of `shape` holding `values`.
Value i8Constant(OpBuilder &b, Location loc, ArrayRef<int64_t> shape,
                 const std::vector<int64_t> &values) {
  auto type = RankedTensorType::get(shape, b.getI8Type());
  SmallVector<int8_t> bytes(values.begin(), values.end());
  return arith::ConstantOp::create(
      b, loc, DenseElementsAttr::get(type, ArrayRef<int8_t>(bytes)));
}

/// Constant integer weights narrower than 8 bits (int2 .. int7 from mixed
/// precision) become i8 constants with the same values, so that the layers
/// run on the int8 kernels: the products sign-extend their operands anyway.
/// (Matrix products on packed int4 weights call the packed kernels instead;
/// see PackedWeights.cpp.)
void widenSubByteWeights(Operation *root) {
  root->walk([](Operation *op) {
    if (!isWeightedLayer(op) || op->getNumOperands() < 2)
      return;
    Value weight = op->getOperand(1);
    auto type = dyn_cast<RankedTensorType>(weight.getType());
    auto element =
        type ? dyn_cast<IntegerType>(type.getElementType()) : IntegerType();
    if (!element || element.getWidth() >= 8 || element.getWidth() < 2)
      return;
    auto values = getIntegerConstant(weight);
    if (!values)
      return;
    OpBuilder b(op);
    op->setOperand(1, i8Constant(b, weight.getLoc(), type.getShape(), *values));
  });
}

/// The body of a float contraction: acc + a * b (args a, b, acc).
void yieldMultiplyAdd(OpBuilder &b, Location loc, ValueRange args) {
  linalg::YieldOp::create(
      b, loc,
      arith::AddFOp::create(b, loc, args[2],
                            arith::MulFOp::create(b, loc, args[0], args[1]))
          .getResult());
}

/// Float 2-d convolution as im2col [N, C*KH*KW, OH*OW] (static shapes) and
/// a contraction with loops (n, m, k, p): the innermost loop runs along an
/// output row, which LLVM vectorizes without reassociating the sums.
Value floatConv(OpBuilder &b, Location loc, Value x, Value weight, Value init,
                ArrayRef<int64_t> strides, ArrayRef<int64_t> dilations) {
  MLIRContext *ctx = b.getContext();
  auto xType = cast<RankedTensorType>(x.getType());
  auto wType = cast<RankedTensorType>(weight.getType());
  auto outType = cast<RankedTensorType>(init.getType());
  const int64_t C = wType.getDimSize(1), KH = wType.getDimSize(2),
                KW = wType.getDimSize(3);
  const int64_t OH = outType.getDimSize(2), OW = outType.getDimSize(3);
  AffineExpr d[6];
  for (int i = 0; i < 6; ++i)
    d[i] = getAffineDimExpr(i, ctx);
  // col[n, c, kh, kw, oh, ow] = x[n, c, oh * sh + kh * dh, ow * sw + kw * dw]
  auto colType = RankedTensorType::get({xType.getDimSize(0), C, KH, KW, OH, OW},
                                       xType.getElementType());
  AffineMap read =
      AffineMap::get(6, 0,
                     {d[0], d[1], d[4] * strides[0] + d[2] * dilations[0],
                      d[5] * strides[1] + d[3] * dilations[1]},
                     ctx);
  Value col =
      linalg::GenericOp::create(
          b, loc, colType, x, emptyLike(b, loc, colType, x),
          ArrayRef<AffineMap>{read, AffineMap::getMultiDimIdentityMap(6, ctx)},
          parallel(6),
          [](OpBuilder &nb, Location l, ValueRange args) {
            linalg::YieldOp::create(nb, l, args[0]);
          })
          .getResult(0);
  col = tensor::CollapseShapeOp::create(
      b, loc, col, ArrayRef<ReassociationIndices>{{0}, {1, 2, 3}, {4, 5}});
  Value w = tensor::CollapseShapeOp::create(
      b, loc, weight, ArrayRef<ReassociationIndices>{{0}, {1, 2, 3}});
  Value acc = tensor::CollapseShapeOp::create(
      b, loc, init, ArrayRef<ReassociationIndices>{{0}, {1}, {2, 3}});
  AffineExpr n = d[0], m = d[1], k = d[2], p = d[3];
  Value product =
      linalg::GenericOp::create(
          b, loc, acc.getType(), ValueRange{w, col}, acc,
          ArrayRef<AffineMap>{AffineMap::get(4, 0, {m, k}, ctx),
                              AffineMap::get(4, 0, {n, k, p}, ctx),
                              AffineMap::get(4, 0, {n, m, p}, ctx)},
          {utils::IteratorType::parallel, utils::IteratorType::parallel,
           utils::IteratorType::reduction, utils::IteratorType::parallel},
          yieldMultiplyAdd)
          .getResult(0);
  return tensor::ExpandShapeOp::create(
      b, loc, outType, product,
      ArrayRef<ReassociationIndices>{{0}, {1}, {2, 3}});
}

/// Integer 2-d convolution (NCHW, group 1, padding done by qc.pad):
/// linalg.conv_2d_nchw_fchw into the broadcast bias, marked for the
/// implicit-GEMM VNNI kernel when operands are int8.
struct ConvertConv : OpConversionPattern<ConvOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(ConvOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    auto result = cast<RankedTensorType>(op.getType());
    const bool integer = isa<IntegerType>(result.getElementType());
    const bool padded =
        llvm::any_of(op.getPads(), [](int64_t p) { return p != 0; });
    if (result.getRank() != 4 || op.getGroup() != 1 || (integer && padded) ||
        (!integer && !result.getElementType().isF32()))
      return unsupported(op, "only 2-d convolutions with group 1: integer "
                             "with explicit padding (qc-lower-to-integer's "
                             "form) or f32");
    Location loc = op.getLoc();
    Value input = adaptor.getInput();
    if (padded) // float convolution: zero padding
      input = padSpatial(rewriter, loc, input, op.getPads(),
                         zeroOf(rewriter, loc, result.getElementType()));
    Value init = broadcastBias(rewriter, loc, result, adaptor.getBias(), 1,
                               adaptor.getInput());
    if (!integer) {
      rewriter.replaceOp(op,
                         floatConv(rewriter, loc, input, adaptor.getWeight(),
                                   init, op.getStrides(), op.getDilations()));
      return success();
    }
    auto conv = linalg::Conv2DNchwFchwOp::create(
        rewriter, loc, TypeRange{result},
        ValueRange{input, adaptor.getWeight()}, ValueRange{init},
        rewriter.getI64TensorAttr(op.getStrides()),
        rewriter.getI64TensorAttr(op.getDilations()));
    if (getElementTypeOrSelf(adaptor.getInput().getType()).isInteger(8) &&
        getElementTypeOrSelf(adaptor.getWeight().getType()).isInteger(8) &&
        result.getElementType().isInteger(32))
      conv->setAttr(kUkernelAttrName,
                    rewriter.getStringAttr(kConv2DNchwS8S8S32));
    rewriter.replaceOp(op, conv.getResult(0));
    return success();
  }
};

/// Integer Y[n, j] = sum_k X[n, k] * W(k, j) + bias[j]: the batched product
/// with X as the matrix and W, rearranged at compile time to [1, K, J], as
/// the single batch.
LogicalResult convertMatrixProduct(Operation *op, Value x, Value w, bool transB,
                                   Value bias, RankedTensorType result,
                                   ConversionPatternRewriter &rewriter) {
  auto wType = tensorType(w);
  auto values = weightValues(w);
  if (!values || !wType.hasStaticShape() || tensorType(x).getRank() != 2)
    return unsupported(op, "only 2-d integer products with a constant 8-bit "
                           "weight");
  Location loc = op->getLoc();
  const int64_t K = wType.getDimSize(transB ? 1 : 0),
                J = wType.getDimSize(transB ? 0 : 1);
  std::vector<int64_t> kj(K * J);
  for (int64_t k = 0; k < K; ++k)
    for (int64_t j = 0; j < J; ++j)
      kj[k * J + j] = (*values)[transB ? j * K + k : k * J + j];
  Value weights = i8Constant(rewriter, loc, {1, K, J}, kj);
  auto accType = RankedTensorType::get({1, result.getDimSize(0), J},
                                       result.getElementType());
  SmallVector<Value> rows;
  if (accType.isDynamicDim(1))
    rows.push_back(tensor::DimOp::create(rewriter, loc, x, 0));
  Value init = tensor::EmptyOp::create(rewriter, loc, accType.getShape(),
                                       accType.getElementType(), rows);
  init =
      bias ? broadcastInto(rewriter, loc, bias, 2, init)
           : linalg::FillOp::create(
                 rewriter, loc,
                 constantInt(rewriter, loc, accType.getElementType(), 0), init)
                 .getResult(0);
  Value acc = batchedMatmul(rewriter, loc, x, weights, init);
  rewriter.replaceOpWithNewOp<tensor::CollapseShapeOp>(
      op, result, acc, ArrayRef<ReassociationIndices>{{0, 1}, {2}});
  return success();
}

/// Float Y[m, n] = sum_k X[m, k] * W(k, n) + bias[n] in f32 (a float
/// model compiled as it is; not bit-exact with the interpreter, which
/// accumulates in double).
LogicalResult convertFloatMatrixProduct(Operation *op, Value x, Value w,
                                        bool transB, Value bias,
                                        RankedTensorType result,
                                        ConversionPatternRewriter &rewriter) {
  if (tensorType(x).getRank() != 2 || tensorType(w).getRank() != 2 ||
      result.getRank() != 2)
    return unsupported(op, "only 2-d float matrix products");
  Location loc = op->getLoc();
  MLIRContext *ctx = rewriter.getContext();
  Value init = broadcastBias(rewriter, loc, result, bias, 1, x);
  // Loops (m, k, n): the innermost loop runs along a row of the result and
  // of B, which LLVM vectorizes without reassociating the sums.
  AffineExpr m = getAffineDimExpr(0, ctx), k = getAffineDimExpr(1, ctx),
             n = getAffineDimExpr(2, ctx);
  SmallVector<AffineMap> maps = {
      AffineMap::get(3, 0, {m, k}, ctx),
      AffineMap::get(3, 0,
                     transB ? ArrayRef<AffineExpr>{n, k}
                            : ArrayRef<AffineExpr>{k, n},
                     ctx),
      AffineMap::get(3, 0, {m, n}, ctx)};
  Value product = linalg::GenericOp::create(rewriter, loc, result,
                                            ValueRange{x, w}, init, maps,
                                            {utils::IteratorType::parallel,
                                             utils::IteratorType::reduction,
                                             utils::IteratorType::parallel},
                                            yieldMultiplyAdd)
                      .getResult(0);
  rewriter.replaceOp(op, product);
  return success();
}

/// Float Y[b..., m, n] = sum_k A[b..., m, k] * B[b..., k, n] (ranks above
/// 2: attention's batched products, or a 2-d weight applied to every
/// position), with NumPy broadcasting of the batch dimensions. Loops
/// (b..., m, k, n): the innermost runs along a row of the result and of B.
LogicalResult convertFloatBatchedProduct(Operation *op, Value a, Value b,
                                         RankedTensorType result,
                                         ConversionPatternRewriter &rewriter) {
  auto aType = tensorType(a), bType = tensorType(b);
  const int64_t rank = result.getRank();
  if (aType.getRank() < 2 || bType.getRank() < 2 || rank < 2)
    return unsupported(op, "matrix products need operands of rank 2 or more");
  MLIRContext *ctx = rewriter.getContext();
  const int64_t loops = rank + 1; // batch..., m, k, n
  const int64_t batch = rank - 2;
  AffineExpr m = getAffineDimExpr(batch, ctx),
             k = getAffineDimExpr(batch + 1, ctx),
             n = getAffineDimExpr(batch + 2, ctx);
  // Batch dimensions of an operand of `operandRank`, broadcast against the
  // result's (size 1 where the result's is larger reads index 0).
  auto batchExprs = [&](RankedTensorType t) {
    SmallVector<AffineExpr> exprs;
    const int64_t operandBatch = t.getRank() - 2;
    for (int64_t d = 0; d < operandBatch; ++d) {
      const int64_t r = d + batch - operandBatch;
      exprs.push_back(t.getDimSize(d) == 1 && result.getDimSize(r) != 1
                          ? getAffineConstantExpr(0, ctx)
                          : getAffineDimExpr(r, ctx));
    }
    return exprs;
  };
  SmallVector<AffineExpr> aExprs = batchExprs(aType),
                          bExprs = batchExprs(bType), yExprs;
  aExprs.append({m, k});
  bExprs.append({k, n});
  for (int64_t d = 0; d < batch; ++d)
    yExprs.push_back(getAffineDimExpr(d, ctx));
  yExprs.append({m, n});
  SmallVector<utils::IteratorType> iterators = parallel(loops);
  iterators[batch + 1] = utils::IteratorType::reduction;
  Location loc = op->getLoc();
  Value init =
      linalg::FillOp::create(rewriter, loc,
                             zeroOf(rewriter, loc, result.getElementType()),
                             emptyLike(rewriter, loc, result, a))
          .getResult(0);
  Value product =
      linalg::GenericOp::create(
          rewriter, loc, result, ValueRange{a, b}, init,
          ArrayRef<AffineMap>{AffineMap::get(loops, 0, aExprs, ctx),
                              AffineMap::get(loops, 0, bExprs, ctx),
                              AffineMap::get(loops, 0, yExprs, ctx)},
          iterators, yieldMultiplyAdd)
          .getResult(0);
  rewriter.replaceOp(op, product);
  return success();
}

struct ConvertGemm : OpConversionPattern<GemmOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(GemmOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    auto result = cast<RankedTensorType>(op.getType());
    Value c = adaptor.getC();
    if (op.getTransA() || op.getAlpha().convertToFloat() != 1.0f ||
        (c && (op.getBeta().convertToFloat() != 1.0f ||
               tensorType(c).getRank() != 1)))
      return unsupported(op, "only gemm with alpha 1, no transposed A, and a "
                             "1-d bias with beta 1");
    if (result.getElementType().isF32())
      return convertFloatMatrixProduct(op, adaptor.getA(), adaptor.getB(),
                                       op.getTransB(), c, result, rewriter);
    return convertMatrixProduct(op, adaptor.getA(), adaptor.getB(),
                                op.getTransB(), c, result, rewriter);
  }
};

struct ConvertMatMul : OpConversionPattern<MatMulOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(MatMulOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    auto result = cast<RankedTensorType>(op.getType());
    if (result.getElementType().isF32() && result.getRank() > 2)
      return convertFloatBatchedProduct(op, adaptor.getLhs(), adaptor.getRhs(),
                                        result, rewriter);
    if (result.getElementType().isF32())
      return convertFloatMatrixProduct(op, adaptor.getLhs(), adaptor.getRhs(),
                                       false, Value(), result, rewriter);
    if (!isa<IntegerType>(result.getElementType()) || result.getRank() != 2)
      return unsupported(op, "only 2-d integer or f32 matrix products");
    return convertMatrixProduct(op, adaptor.getLhs(), adaptor.getRhs(), false,
                                Value(), result, rewriter);
  }
};

//===----------------------------------------------------------------------===//
// Convolution with fused requantization
//===----------------------------------------------------------------------===//

/// The chain `qc.conv` (int8, constant weights, static shapes) ->
/// `qc.rescale` (per-tensor or along the channel axis, input zero point 0,
/// int8 result) [-> `qc.clip` with constant bounds], each the single user
/// of the previous op: one call of the VNNI convolution kernel with the
/// requantization in its output stage (no int32 tensor is stored).
struct ConvRequantChain {
  ConvOp conv;
  RescaleOp rescale;
  ClipOp clip; // may be null
};

bool isFusableConv(ConvOp conv) {
  auto result = cast<RankedTensorType>(conv.getType());
  auto input = cast<RankedTensorType>(conv.getInput().getType());
  return result.getRank() == 4 && result.hasStaticShape() &&
         input.hasStaticShape() && conv.getGroup() == 1 &&
         result.getElementType().isInteger(32) &&
         input.getElementType().isInteger(8) &&
         getElementTypeOrSelf(conv.getWeight().getType()).isInteger(8) &&
         llvm::all_of(conv.getPads(), [](int64_t p) { return p == 0; }) &&
         conv.getWeight().getDefiningOp<arith::ConstantOp>() &&
         (!conv.getBias() ||
          conv.getBias().getDefiningOp<arith::ConstantOp>()) &&
         conv->hasOneUse();
}

bool isFusableRescale(RescaleOp rescale) {
  auto conv = rescale.getInput().getDefiningOp<ConvOp>();
  return conv && isFusableConv(conv) && rescale.getInputZp() == 0 &&
         rescale.getScale32() &&
         rescale.getRoundingMode() == RescaleRounding::SingleRound &&
         !rescale.getInputUnsigned() && !rescale.getOutputUnsigned() &&
         rescale.getType().getElementType().isInteger(8) &&
         (rescale.getMultiplier().size() == 1 || rescale.getAxis() == 1u);
}

bool isFusableClip(ClipOp clip) {
  auto rescale = clip.getInput().getDefiningOp<RescaleOp>();
  return rescale && isFusableRescale(rescale) && rescale->hasOneUse() &&
         (!clip.getMin() || scalarConstant(clip.getMin())) &&
         (!clip.getMax() || scalarConstant(clip.getMax()));
}

/// The fused call replacing `root` (the chain's last op).
LogicalResult convertConvRequant(Operation *root, ConvRequantChain chain,
                                 ConversionPatternRewriter &rewriter) {
  ConvOp conv = chain.conv;
  Location loc = conv.getLoc();
  auto result = cast<RankedTensorType>(chain.rescale.getType());
  const int64_t M = result.getDimSize(1);
  Value x = rewriter.getRemappedValue(conv.getInput());
  Value w = rewriter.getRemappedValue(conv.getWeight());
  Value bias =
      conv.getBias() ? rewriter.getRemappedValue(conv.getBias()) : Value();
  if (!x || !w || (conv.getBias() && !bias))
    return failure();
  auto i32 = rewriter.getI32Type(), i8 = rewriter.getI8Type();
  if (!bias)
    bias = arith::ConstantOp::create(
        rewriter, loc,
        DenseElementsAttr::get(RankedTensorType::get({M}, i32),
                               rewriter.getI32IntegerAttr(0)));
  ArrayRef<int32_t> multipliers = chain.rescale.getMultiplier();
  ArrayRef<int8_t> shifts = chain.rescale.getShift();
  const int64_t scales = multipliers.size();
  Value multiplier = arith::ConstantOp::create(
      rewriter, loc,
      DenseElementsAttr::get(RankedTensorType::get({scales}, i32),
                             multipliers));
  Value shift = arith::ConstantOp::create(
      rewriter, loc,
      DenseElementsAttr::get(RankedTensorType::get({scales}, i8), shifts));
  int64_t lo = -128, hi = 127;
  if (chain.clip) {
    if (auto v = scalarConstant(chain.clip.getMin()))
      lo = std::max(lo, *v);
    if (auto v = scalarConstant(chain.clip.getMax()))
      hi = std::min(hi, *v);
  }

  // Buffers of the operands (read only) and of the result, around a call
  // on memrefs; one-shot bufferization connects them to the tensors.
  auto buffer = [&](Value tensor) {
    return getReadOnlyBuffer(rewriter, loc, tensor);
  };
  SmallVector<Value> args = {buffer(x), buffer(w), buffer(bias)};
  auto outType = MemRefType::get(result.getShape(), i8);
  Value out = memref::AllocOp::create(rewriter, loc, outType,
                                      rewriter.getI64IntegerAttr(64));
  args.push_back(memref::CastOp::create(rewriter, loc,
                                        getAnyStridedMemRefType(4, i8), out));
  args.push_back(buffer(multiplier));
  args.push_back(buffer(shift));
  auto i64Arg = [&](int64_t v) {
    args.push_back(arith::ConstantOp::create(rewriter, loc,
                                             rewriter.getI64IntegerAttr(v)));
  };
  for (int64_t v : conv.getStrides())
    i64Arg(v);
  for (int64_t v : conv.getDilations())
    i64Arg(v);
  i64Arg(chain.rescale.getOutputZp());
  i64Arg(lo);
  i64Arg(hi);
  i64Arg(1); // weights are an arith.constant: pack them once

  func::CallOp::create(
      rewriter, loc,
      getOrDeclareKernel(rewriter, root->getParentOfType<ModuleOp>(),
                         "qcc_ukernel_conv2d_requant", ValueRange(args).getTypes()),
      args);
  Value tensor = bufferization::ToTensorOp::create(rewriter, loc, result, out,
                                                   rewriter.getUnitAttr(),
                                                   rewriter.getUnitAttr());
  rewriter.replaceOp(root, tensor);
  if (chain.clip)
    rewriter.eraseOp(chain.rescale);
  rewriter.eraseOp(conv);
  return success();
}

struct ConvertConvRequantClip : OpConversionPattern<ClipOp> {
  ConvertConvRequantClip(const TypeConverter &converter, MLIRContext *ctx)
      : OpConversionPattern(converter, ctx, /*benefit=*/2) {}
  LogicalResult
  matchAndRewrite(ClipOp clip, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    if (!isFusableClip(clip))
      return failure();
    auto rescale = clip.getInput().getDefiningOp<RescaleOp>();
    return convertConvRequant(
        clip, {rescale.getInput().getDefiningOp<ConvOp>(), rescale, clip},
        rewriter);
  }
};

struct ConvertConvRequant : OpConversionPattern<RescaleOp> {
  ConvertConvRequant(const TypeConverter &converter, MLIRContext *ctx)
      : OpConversionPattern(converter, ctx, /*benefit=*/2) {}
  LogicalResult
  matchAndRewrite(RescaleOp rescale, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    if (!isFusableRescale(rescale))
      return failure();
    // A following fusable clip takes the whole chain.
    if (rescale->hasOneUse())
      if (auto clip = dyn_cast<ClipOp>(*rescale->getUsers().begin());
          clip && isFusableClip(clip))
        return failure();
    return convertConvRequant(
        rescale, {rescale.getInput().getDefiningOp<ConvOp>(), rescale, {}},
        rewriter);
  }
};

//===----------------------------------------------------------------------===//
// Pooling, reductions, data movement
//===----------------------------------------------------------------------===//

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
    Location loc = op.getLoc();
    MLIRContext *ctx = getContext();
    // Sum into the reduced shape, then expand back to keepdims.
    SmallVector<int64_t> reducedShape;
    SmallVector<AffineExpr> outExprs;
    SmallVector<utils::IteratorType> iterators;
    for (int64_t d = 0; d < input.getRank(); ++d) {
      const bool reduced = llvm::is_contained(op.getAxes(), d);
      iterators.push_back(reduced ? utils::IteratorType::reduction
                                  : utils::IteratorType::parallel);
      if (!reduced) {
        reducedShape.push_back(input.getDimSize(d));
        outExprs.push_back(getAffineDimExpr(d, ctx));
      }
    }
    auto reducedType = RankedTensorType::get(reducedShape, acc);
    Value init = linalg::FillOp::create(
                     rewriter, loc, constantInt(rewriter, loc, acc, 0),
                     emptyLike(rewriter, loc, reducedType, adaptor.getInput()))
                     .getResult(0);
    Value sum =
        linalg::GenericOp::create(
            rewriter, loc, reducedType, adaptor.getInput(), init,
            ArrayRef<AffineMap>{
                AffineMap::getMultiDimIdentityMap(input.getRank(), ctx),
                AffineMap::get(input.getRank(), 0, outExprs, ctx)},
            iterators,
            [&](OpBuilder &b, Location l, ValueRange args) {
              Value v = arith::ExtSIOp::create(b, l, acc, args[0]);
              linalg::YieldOp::create(
                  b, l, arith::AddIOp::create(b, l, args[1], v).getResult());
            })
            .getResult(0);
    auto reassociation = getReassociationIndicesForReshape(reducedType, result);
    if (!reassociation)
      return unsupported(op, "cannot expand the reduced shape");
    rewriter.replaceOpWithNewOp<tensor::ExpandShapeOp>(op, result, sum,
                                                       *reassociation);
    return success();
  }
};

/// Float softmax (a float island), computed as the interpreter does: in
/// double precision, the maximum along the axis, then the sum of exp(x -
/// max) in index order, then exp(x - max) / sum rounded to f32.
struct ConvertSoftmax : OpConversionPattern<SoftmaxOp> {
  using OpConversionPattern::OpConversionPattern;
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
    auto f64 = rewriter.getF64Type();
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
    auto reducedType = RankedTensorType::get(reducedShape, f64);
    AffineMap identity = AffineMap::getMultiDimIdentityMap(rank, ctx);
    AffineMap reduced = AffineMap::get(rank, 0, reducedExprs, ctx);
    Value x = adaptor.getInput();
    auto filled = [&](double v) -> Value {
      Value c = arith::ConstantOp::create(rewriter, loc,
                                          rewriter.getF64FloatAttr(v));
      Value empty = tensor::EmptyOp::create(rewriter, loc, reducedShape, f64);
      return linalg::FillOp::create(rewriter, loc, c, empty).getResult(0);
    };
    auto reduce = [&](double init,
                      function_ref<Value(OpBuilder &, Location, Value, Value)>
                          step,
                      ValueRange extra) {
      Value start = filled(init);
      SmallVector<Value> inputs = {x};
      llvm::append_range(inputs, extra);
      SmallVector<AffineMap> maps = {identity};
      maps.append(extra.size(), reduced);
      maps.push_back(reduced);
      return linalg::GenericOp::create(
                 rewriter, loc, reducedType, inputs, start, maps, iterators,
                 [&](OpBuilder &b, Location l, ValueRange args) {
                   linalg::YieldOp::create(
                       b, l,
                       step(b, l, toF64(b, l, args[0]),
                            args.size() > 2 ? args[1] : args.back()));
                 })
          .getResult(0);
    };
    // max: std::max(acc, v) = acc < v ? v : acc (NaN never wins).
    Value max = reduce(
        -INFINITY,
        [](OpBuilder &b, Location l, Value v, Value acc) -> Value {
          Value less =
              arith::CmpFOp::create(b, l, arith::CmpFPredicate::OLT, acc, v);
          return arith::SelectOp::create(b, l, less, v, acc);
        },
        {});
    // sum of exp(v - max); args: v, max, acc.
    Value sum = linalg::GenericOp::create(
                    rewriter, loc, reducedType, ValueRange{x, max}, filled(0),
                    ArrayRef<AffineMap>{identity, reduced, reduced}, iterators,
                    [&](OpBuilder &b, Location l, ValueRange args) {
                      Value e = math::ExpOp::create(
                          b, l,
                          arith::SubFOp::create(b, l, toF64(b, l, args[0]),
                                                args[1]));
                      linalg::YieldOp::create(
                          b, l, arith::AddFOp::create(b, l, args[2], e)
                                    .getResult());
                    })
                    .getResult(0);
    Value result =
        linalg::GenericOp::create(
            rewriter, loc, type, ValueRange{x, max, sum},
            tensor::EmptyOp::create(rewriter, loc, type.getShape(),
                                    type.getElementType())
                .getResult(),
            ArrayRef<AffineMap>{identity, reduced, reduced, identity},
            parallel(rank),
            [&](OpBuilder &b, Location l, ValueRange args) {
              Value e = math::ExpOp::create(
                  b, l,
                  arith::SubFOp::create(b, l, toF64(b, l, args[0]), args[1]));
              Value q = arith::DivFOp::create(b, l, e, args[2]);
              linalg::YieldOp::create(
                  b, l,
                  arith::TruncFOp::create(b, l, b.getF32Type(), q).getResult());
            })
            .getResult(0);
    rewriter.replaceOp(op, result);
    return success();
  }
};

/// Float global average pooling: an f32 sum over the spatial axes, divided
/// by their size.
/// f32 layer normalization over the last dimension, in double as the
/// interpreter computes it (mean, then the population variance of x - mean,
/// then (x - mean) / sqrt(var + epsilon) * scale + bias), rounded to f32
/// once.
struct ConvertLayerNorm : OpConversionPattern<LayerNormOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(LayerNormOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    auto type = cast<RankedTensorType>(op.getType());
    const int64_t rank = type.getRank();
    int64_t axis = op.getAxis();
    if (axis < 0)
      axis += rank;
    auto isVector = [&](Value v) {
      if (!v)
        return true;
      auto t = tensorType(v);
      return t.getRank() == 1 && t.getElementType().isF32() &&
             (t.getDimSize(0) == 1 ||
              t.getDimSize(0) == type.getDimSize(rank - 1));
    };
    if (!type.getElementType().isF32() || axis != rank - 1 ||
        type.isDynamicDim(rank - 1) || !isVector(adaptor.getScale()) ||
        !isVector(adaptor.getBias()))
      return unsupported(op, "only f32 layer normalization over the last "
                             "(static) dimension with 1-d scale and bias");
    Location loc = op.getLoc();
    MLIRContext *ctx = getContext();
    const double count = static_cast<double>(type.getDimSize(rank - 1));
    auto f64 = rewriter.getF64Type();
    auto reducedType = RankedTensorType::get(type.getShape().drop_back(), f64);
    SmallVector<AffineExpr> outer;
    for (int64_t d = 0; d + 1 < rank; ++d)
      outer.push_back(getAffineDimExpr(d, ctx));
    AffineMap identity = AffineMap::getMultiDimIdentityMap(rank, ctx);
    AffineMap reduced = AffineMap::get(rank, 0, outer, ctx);
    AffineMap lastDim =
        AffineMap::get(rank, 0,
                       tensorType(adaptor.getScale()).getDimSize(0) == 1
                           ? getAffineConstantExpr(0, ctx)
                           : getAffineDimExpr(rank - 1, ctx));
    SmallVector<utils::IteratorType> iterators = parallel(rank);
    iterators.back() = utils::IteratorType::reduction;
    Value x = adaptor.getInput();
    auto zeros = [&]() -> Value {
      return linalg::FillOp::create(rewriter, loc,
                                    f64Constant(rewriter, loc, 0.0),
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
                Value v = toF64(b, l, args[0]);
                if (mean) {
                  Value d = arith::SubFOp::create(b, l, v, args[1]);
                  v = arith::MulFOp::create(b, l, d, d);
                }
                linalg::YieldOp::create(
                    b, l,
                    arith::AddFOp::create(b, l, args.back(), v).getResult());
              })
              .getResult(0);
      return linalg::GenericOp::create(
                 rewriter, loc, reducedType, sum,
                 emptyLike(rewriter, loc, reducedType, x),
                 ArrayRef<AffineMap>{
                     AffineMap::getMultiDimIdentityMap(rank - 1, ctx),
                     AffineMap::getMultiDimIdentityMap(rank - 1, ctx)},
                 parallel(rank - 1),
                 [&](OpBuilder &b, Location l, ValueRange args) {
                   linalg::YieldOp::create(
                       b, l,
                       arith::DivFOp::create(b, l, args[0],
                                             f64Constant(b, l, count))
                           .getResult());
                 })
          .getResult(0);
    };
    Value mean = average(Value());
    Value variance = average(mean);
    SmallVector<Value> inputs = {x, mean, variance, adaptor.getScale()};
    SmallVector<AffineMap> maps = {identity, reduced, reduced, lastDim};
    Value bias = adaptor.getBias();
    if (bias) {
      inputs.push_back(bias);
      maps.push_back(AffineMap::get(rank, 0,
                                    tensorType(bias).getDimSize(0) == 1
                                        ? getAffineConstantExpr(0, ctx)
                                        : getAffineDimExpr(rank - 1, ctx)));
    }
    maps.push_back(identity);
    const double epsilon = op.getEpsilon().convertToDouble();
    Value result =
        linalg::GenericOp::create(
            rewriter, loc, type, inputs, emptyLike(rewriter, loc, type, x),
            maps, parallel(rank),
            [&](OpBuilder &b, Location l, ValueRange args) {
              Value inv = arith::DivFOp::create(
                  b, l, f64Constant(b, l, 1.0),
                  math::SqrtOp::create(
                      b, l,
                      arith::AddFOp::create(b, l, args[2],
                                            f64Constant(b, l, epsilon))));
              Value v = arith::MulFOp::create(
                  b, l,
                  arith::MulFOp::create(
                      b, l,
                      arith::SubFOp::create(b, l, toF64(b, l, args[0]),
                                            args[1]),
                      inv),
                  toF64(b, l, args[3]));
              if (bias)
                v = arith::AddFOp::create(b, l, v, toF64(b, l, args[4]));
              linalg::YieldOp::create(
                  b, l,
                  arith::TruncFOp::create(b, l, b.getF32Type(), v).getResult());
            })
            .getResult(0);
    rewriter.replaceOp(op, result);
    return success();
  }
};

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

struct ConvertQCToLinalgPass
    : qcc::impl::ConvertQCToLinalgBase<ConvertQCToLinalgPass> {
  using Base::Base;
  void runOnOperation() override {
    MLIRContext *ctx = &getContext();
    StorageTypeConverter converter;
    ConversionTarget target(*ctx);
    target.addLegalDialect<
        arith::ArithDialect, bufferization::BufferizationDialect,
        func::FuncDialect, linalg::LinalgDialect, math::MathDialect,
        memref::MemRefDialect, tensor::TensorDialect>();
    target.addIllegalDialect<QCDialect>();
    if (fuseRequantization) {
      // The convolution (and rescale) of a fused chain are replaced by the
      // pattern rooted at the chain's last op.
      target.addDynamicallyLegalOp<ConvOp>([](ConvOp conv) {
        if (!isFusableConv(conv)) // also: exactly one user
          return false;
        auto rescale = dyn_cast<RescaleOp>(*conv->getUsers().begin());
        return rescale && isFusableRescale(rescale);
      });
      target.addDynamicallyLegalOp<RescaleOp>([](RescaleOp rescale) {
        if (!rescale->hasOneUse())
          return false;
        auto clip = dyn_cast<ClipOp>(*rescale->getUsers().begin());
        return clip && isFusableClip(clip);
      });
    }
    target.addDynamicallyLegalOp<arith::ConstantOp>(
        [&](arith::ConstantOp c) { return converter.isLegal(c.getType()); });
    convertPackedMatrixProducts(getOperation(), packedConvMinBytes);
    unpackConstantWeights(getOperation());
    dequantizeConstantWeights(getOperation());
    // Weights dequantized at compile time are f32 constants the f32
    // kernel reads.
    convertPackedMatrixProducts(getOperation(), packedConvMinBytes);
    // Ops without a pattern: one clear error each, before converting.
    bool unsupportedOps = false;
    getOperation()->walk([&](Operation *op) {
      if (isa<QCDialect>(op->getDialect()) &&
          !isa<QuantizeOp, DequantizeOp, StorageCastOp, RescaleOp, ClipOp,
               AddOp, SubOp, MulOp, DivOp, PowOp, ReluOp, SigmoidOp, TanhOp,
               ErfOp, SqrtOp, ConvOp, GemmOp, MatMulOp, PadOp, MaxPoolOp,
               ReduceSumOp, SumPoolOp, GlobalAvgPoolOp, SoftmaxOp, LayerNormOp,
               ReshapeOp, TransposeOp>(op)) {
        (void)unsupported(op, "not implemented yet");
        unsupportedOps = true;
      }
    });
    if (unsupportedOps)
      return signalPassFailure();
    widenSubByteWeights(getOperation());
    RewritePatternSet patterns(ctx);
    if (fuseRequantization)
      patterns.add<ConvertConvRequant, ConvertConvRequantClip>(converter, ctx);
    patterns.add<ConvertQuantize, ConvertDequantize, ConvertStorageCast,
                 ConvertRescale, ConvertClip, ConvertBinary<AddOp>,
                 ConvertBinary<SubOp>, ConvertBinary<MulOp>,
                 ConvertBinary<DivOp>, ConvertBinary<PowOp>,
                 ConvertFloatUnary<ReluOp>, ConvertFloatUnary<SigmoidOp>,
                 ConvertFloatUnary<TanhOp>, ConvertFloatUnary<ErfOp>,
                 ConvertFloatUnary<SqrtOp>, ConvertConv, ConvertGemm,
                 ConvertMatMul, ConvertPad, ConvertMaxPool, ConvertReduceSum,
                 ConvertSumPool, ConvertGlobalAvgPool, ConvertSoftmax,
                 ConvertLayerNorm, ConvertReshape, ConvertTranspose>(converter,
                                                                     ctx);
    if (failed(applyPartialConversion(getOperation(), target,
                                      std::move(patterns))))
      signalPassFailure();
  }
};

} // namespace
