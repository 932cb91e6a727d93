//===- ElementwiseToLinalg.cpp - Element-wise qc ops to linalg ------------===//
//
// The quantization boundary (quantize, dequantize, storage casts), integer
// rescales and clamps, and the float islands' element-wise arithmetic, each
// a linalg.generic computing what the interpreter computes.
//
//===----------------------------------------------------------------------===//

#include "QCToLinalgPatterns.h"

#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Quant/IR/QuantTypes.h"
#include "mlir/IR/Matchers.h"
#include "mlir/IR/TypeUtilities.h"

#include <cmath>
#include <limits>

using namespace mlir;
using namespace qcc;
using namespace qcc::qc;
using namespace qcc::qc_to_linalg;

namespace {

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
    if (!q || op.getRounding() != RoundingMode::HalfToEven ||
        !op.getInput().getType().getElementType().isF32() ||
        q.getStorageTypeIntegralWidth() > 32)
      return unsupported(op, "only per-tensor quantization of f32 to integers "
                             "of up to 32 bits with round half to even");
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
          // r is within the storage range: exact as a signed code. An
          // unsigned code above the signed range goes through i64
          // (fptosi to i8 of 200.0 would be poison).
          if (q.isSigned())
            return arith::FPToSIOp::create(b, loc, storage, r).getResult();
          Value code = arith::FPToSIOp::create(b, loc, b.getI64Type(), r);
          return arith::TruncIOp::create(b, loc, storage, code).getResult();
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
    if (!q || !op.getType().getElementType().isF32() ||
        q.getStorageTypeIntegralWidth() > 32)
      return unsupported(op, "only per-tensor dequantization of integers of "
                             "up to 32 bits to f32");
    const bool isUnsigned = !q.isSigned();
    Value out = elementwise(
        rewriter, op.getLoc(), op.getType(), adaptor.getInput(),
        adaptor.getInput(), [&](OpBuilder &b, Location loc, ValueRange args) {
          auto i32 = b.getI32Type();
          Value v = args[0];
          if (v.getType() != i32)
            v = isUnsigned ? arith::ExtUIOp::create(b, loc, i32, v).getResult()
                           : arith::ExtSIOp::create(b, loc, i32, v).getResult();
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

/// How a rescale's arithmetic is emitted. Each form computes TOSA's
/// apply_scale_32 with single rounding, (v * m + 2^(s-1)) >> s for v = x -
/// input zero point, exactly; the 32-bit ones where the operands' ranges
/// allow them, since 64-bit lanes halve a vector's elements and x86 has no
/// vector 64-bit multiply below AVX-512 (a residual Add's rescales ran in
/// 64-bit lanes with vpmullq).
enum class RescaleForm {
  /// In i64: any input, multiplier and shift.
  Wide,
  /// Shifts of 33 and more: the high half H of the 32 x 32-bit product,
  /// (H + 2^(s-33)) >> (s-32) in i32, exact because
  /// 2^(s-1) is a multiple of 2^32 (the CPU kernels' requantization too).
  HighHalf,
  /// Per-tensor shifts below 32 on narrow inputs: m = mh * 2^s + ml with
  /// 0 <= ml < 2^s, and v * mh + ((v * ml + 2^(s-1)) >> s), exact because
  /// v * mh * 2^s is a multiple of 2^s; chosen where every term fits i32.
  Split,
};

/// The form for a rescale of inputs in [vMin, vMax] (after the zero point)
/// to outputs whose zero point is outZp.
RescaleForm chooseRescaleForm(ArrayRef<int32_t> multipliers,
                              ArrayRef<int8_t> shifts, int64_t vMin,
                              int64_t vMax, int64_t outZp) {
  const int64_t i32Min = std::numeric_limits<int32_t>::min(),
                i32Max = std::numeric_limits<int32_t>::max();
  auto fits = [&](int64_t v) { return v >= i32Min && v <= i32Max; };
  if (!fits(vMin) || !fits(vMax) || !fits(outZp))
    return RescaleForm::Wide;
  // |v * m| <= 2^62, so |H| <= 2^30 and the result is below 2^30 in
  // magnitude before the zero point.
  if (llvm::all_of(shifts, [](int8_t s) { return s >= 33 && s <= 62; }) &&
      fits(outZp + (int64_t(1) << 30)) && fits(outZp - (int64_t(1) << 30)))
    return RescaleForm::HighHalf;
  const int64_t vMagnitude = std::max(-vMin, vMax);
  if (multipliers.size() != 1 || shifts[0] < 1 || shifts[0] > 30 ||
      vMagnitude > (int64_t(1) << 17))
    return RescaleForm::Wide;
  const int64_t m = multipliers[0], s = shifts[0];
  const int64_t high = m >> s, low = m - high * (int64_t(1) << s);
  const int64_t round = int64_t(1) << (s - 1);
  // Every intermediate at both ends of v's range (each is monotone in v).
  for (int64_t v : {vMin, vMax}) {
    const int64_t y = (v * m + round) >> s;
    if (!fits(v * high) || !fits(v * low + round) || !fits(y + outZp))
      return RescaleForm::Wide;
  }
  return RescaleForm::Split;
}

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
    const unsigned inBits = op.getInput().getType().getElementTypeBitWidth();
    if (inBits > 32)
      return unsupported(op, "inputs of up to 32 bits");
    const auto inRange =
        inputUnsigned
            ? std::pair<int64_t, int64_t>(0, (int64_t(1) << inBits) - 1)
            : signedRange(inBits);
    const RescaleForm form =
        outBits > 32
            ? RescaleForm::Wide
            : chooseRescaleForm(multipliers, shifts, inRange.first - inputZp,
                                inRange.second - inputZp, outputZp);
    auto generic = linalg::GenericOp::create(
        rewriter, loc, result, inputs,
        emptyLike(rewriter, loc, result, adaptor.getInput()), maps,
        parallel(result.getRank()),
        [&](OpBuilder &b, Location l, ValueRange args) {
          IntegerType wide =
              form == RescaleForm::Wide ? b.getI64Type() : b.getI32Type();
          auto c = [&](int64_t v) { return constantInt(b, l, wide, v); };
          Value x = args[0];
          if (x.getType() != wide)
            x = inputUnsigned
                    ? arith::ExtUIOp::create(b, l, wide, x).getResult()
                    : arith::ExtSIOp::create(b, l, wide, x).getResult();
          x = arith::SubIOp::create(b, l, x, c(inputZp));
          Value m, s;
          if (perChannel) {
            m = args[1];
            if (m.getType() != wide)
              m = arith::ExtSIOp::create(b, l, wide, m);
            s = arith::ExtSIOp::create(b, l, wide, args[2]);
          } else {
            m = c(multipliers[0]);
            s = c(shifts[0]);
          }
          Value y;
          switch (form) {
          case RescaleForm::Wide: {
            Value round = arith::ShLIOp::create(
                b, l, c(1), arith::SubIOp::create(b, l, s, c(1)));
            y = arith::AddIOp::create(b, l, arith::MulIOp::create(b, l, x, m),
                                      round);
            y = arith::ShRSIOp::create(b, l, y, s);
            break;
          }
          case RescaleForm::HighHalf: {
            // The high half as i64 operations (arith.mulsi_extended's own
            // expansion), which every emitter takes: LLVM makes them one
            // 32-bit high multiply, vpmuldq on x86.
            auto i64 = b.getI64Type();
            Value product = arith::MulIOp::create(
                b, l, arith::ExtSIOp::create(b, l, i64, x),
                arith::ExtSIOp::create(b, l, i64, m));
            Value high = arith::TruncIOp::create(
                b, l, wide,
                arith::ShRSIOp::create(b, l, product,
                                       constantInt(b, l, i64, 32)));
            Value round = arith::ShLIOp::create(
                b, l, c(1), arith::SubIOp::create(b, l, s, c(33)));
            y = arith::ShRSIOp::create(b, l,
                                       arith::AddIOp::create(b, l, high, round),
                                       arith::SubIOp::create(b, l, s, c(32)));
            break;
          }
          case RescaleForm::Split: {
            const int64_t shift = shifts[0];
            const int64_t high = int64_t(multipliers[0]) >> shift;
            const int64_t low = multipliers[0] - high * (int64_t(1) << shift);
            Value fraction = arith::AddIOp::create(
                b, l, arith::MulIOp::create(b, l, x, c(low)),
                c(int64_t(1) << (shift - 1)));
            y = arith::AddIOp::create(
                b, l, arith::MulIOp::create(b, l, x, c(high)),
                arith::ShRSIOp::create(b, l, fraction, c(shift)));
            break;
          }
          }
          y = arith::AddIOp::create(b, l, y, c(outputZp));
          y = arith::MaxSIOp::create(b, l, y, c(outMin));
          y = arith::MinSIOp::create(b, l, y, c(outMax));
          if (y.getType() != result.getElementType())
            y = arith::TruncIOp::create(b, l, result.getElementType(), y);
          linalg::YieldOp::create(b, l, y);
        });
    rewriter.replaceOp(op, generic.getResult(0));
    return success();
  }
};


/// Table lookups (integer activations): each element reads the table at
/// its value less the input type's least signed value.
struct ConvertTable : OpConversionPattern<TableOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(TableOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    const int64_t offset =
        int64_t(1) << (op.getInput().getType().getElementTypeBitWidth() - 1);
    Value table = adaptor.getTable();
    Value out = elementwise(
        rewriter, op.getLoc(), op.getType(), adaptor.getInput(),
        adaptor.getInput(), [&](OpBuilder &b, Location l, ValueRange args) {
          // index_cast sign-extends.
          Value i = arith::IndexCastOp::create(b, l, b.getIndexType(), args[0]);
          i = arith::AddIOp::create(b, l, i,
                                    arith::ConstantIndexOp::create(b, l, offset));
          return tensor::ExtractOp::create(b, l, table, i).getResult();
        });
    rewriter.replaceOp(op, out);
    return success();
  }
};

/// The value of a rank-0 (or one-element) bound: a scalar constant when the
/// bound is one, its element read at run time otherwise.
Value scalarOf(OpBuilder &b, Location loc, Value bound) {
  DenseElementsAttr attr;
  if (matchPattern(bound, m_Constant(&attr)) && attr.getNumElements() == 1)
    return arith::ConstantOp::create(
        b, loc, cast<TypedAttr>(*attr.getValues<Attribute>().begin()));
  SmallVector<Value> zeros(tensorType(bound).getRank(),
                           arith::ConstantIndexOp::create(b, loc, 0));
  return tensor::ExtractOp::create(b, loc, bound, zeros);
}

/// std::min(std::max(x, lo), hi) on floats, as the interpreter's
/// clampPropagatingNaN: (x < lo ? lo : x), then (hi < v ? hi : v). Both
/// comparisons are false for NaN, so NaN passes through, and a signed zero
/// is kept as std::max/std::min keep it (unlike arith.maximumf). A null
/// bound does not clamp.
Value clampFloat(OpBuilder &b, Location loc, Value x, Value lo, Value hi) {
  if (lo) {
    Value below = arith::CmpFOp::create(b, loc, arith::CmpFPredicate::OLT, x, lo);
    x = arith::SelectOp::create(b, loc, below, lo, x);
  }
  if (hi) {
    Value above = arith::CmpFOp::create(b, loc, arith::CmpFPredicate::OLT, hi, x);
    x = arith::SelectOp::create(b, loc, above, hi, x);
  }
  return x;
}

/// Clamps: integer ones after qc-lower-to-integer, float ones (ReLU6 and
/// other Clip nodes of float islands) as the interpreter's
/// clampPropagatingNaN. The result is the input or a bound, all of the
/// input's element type, so the float clamp is exact in that type.
struct ConvertClip : OpConversionPattern<ClipOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(ClipOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    auto result =
        cast<RankedTensorType>(getTypeConverter()->convertType(op.getType()));
    Type element = result.getElementType();
    const bool integer = isa<IntegerType>(element);
    if (!integer && !isa<FloatType>(element))
      return unsupported(op, "only integer and float clamps");
    const bool isUnsigned = isUnsignedElement(op.getType());
    Location loc = op.getLoc();
    Value lo = adaptor.getMin() ? scalarOf(rewriter, loc, adaptor.getMin())
                                : Value();
    Value hi = adaptor.getMax() ? scalarOf(rewriter, loc, adaptor.getMax())
                                : Value();
    Value out = elementwise(
        rewriter, loc, result, adaptor.getInput(), adaptor.getInput(),
        [&](OpBuilder &b, Location l, ValueRange args) -> Value {
          Value v = args[0];
          if (!integer)
            return clampFloat(b, l, v, lo, hi);
          if (isUnsigned) {
            if (lo)
              v = arith::MaxUIOp::create(b, l, v, lo);
            if (hi)
              v = arith::MinUIOp::create(b, l, v, hi);
            return v;
          }
          if (lo)
            v = arith::MaxSIOp::create(b, l, v, lo);
          if (hi)
            v = arith::MinSIOp::create(b, l, v, hi);
          return v;
        });
    rewriter.replaceOp(op, out);
    return success();
  }
};

/// Element types the arithmetic emitted here computes on: integers
/// (quantized values' signless storage included), f16, f32 and f64.
bool hasComputableElements(Type element) {
  return isa<IntegerType, Float16Type, Float32Type, Float64Type>(element);
}

/// One element `x` converted to `to` as the interpreter converts (see
/// ConvertCast); integers are read as unsigned when `fromUnsigned`.
Value castElement(OpBuilder &b, Location loc, Value x,
                         bool fromUnsigned, Type to) {
  Type from = x.getType();
  auto f64 = b.getF64Type();
  auto toInt = dyn_cast<IntegerType>(to);
  if (auto fromInt = dyn_cast<IntegerType>(from)) {
    if (toInt) {
      if (toInt.getWidth() == 1)
        return arith::CmpIOp::create(b, loc, arith::CmpIPredicate::ne, x,
                                     constantInt(b, loc, from, 0));
      if (toInt.getWidth() < fromInt.getWidth())
        return arith::TruncIOp::create(b, loc, to, x);
      if (toInt.getWidth() == fromInt.getWidth())
        return x;
      return fromUnsigned ? arith::ExtUIOp::create(b, loc, to, x).getResult()
                          : arith::ExtSIOp::create(b, loc, to, x).getResult();
    }
    // Exact in double up to 53 bits, rounded as the interpreter's double
    // beyond; then rounded once more to the result type, as it does.
    Value d = fromUnsigned
                  ? arith::UIToFPOp::create(b, loc, f64, x).getResult()
                  : arith::SIToFPOp::create(b, loc, f64, x).getResult();
    return to.isF64() ? d : arith::TruncFOp::create(b, loc, to, d).getResult();
  }
  Value d = from.isF64() ? x : arith::ExtFOp::create(b, loc, f64, x).getResult();
  if (!toInt)
    return to.isF64() ? d : arith::TruncFOp::create(b, loc, to, d).getResult();
  Value t = math::TruncOp::create(b, loc, d);
  if (toInt.getWidth() == 1)
    return arith::CmpFOp::create(b, loc, arith::CmpFPredicate::UNE, t,
                                 f64Constant(b, loc, 0.0));
  // |t| < 2^63 (false for NaN): the truncated value; otherwise 0.
  auto i64 = b.getI64Type();
  Value inRange = arith::CmpFOp::create(
      b, loc, arith::CmpFPredicate::OLT, math::AbsFOp::create(b, loc, t),
      f64Constant(b, loc, 9223372036854775808.0));
  Value safe = arith::SelectOp::create(b, loc, inRange, t,
                                       f64Constant(b, loc, 0.0));
  Value i = arith::FPToSIOp::create(b, loc, i64, safe);
  return toInt.getWidth() == 64 ? i
                                : arith::TruncIOp::create(b, loc, to, i).getResult();
}

/// Element-wise binary ops as the interpreter computes them. Integer
/// addition, subtraction and multiplication of one type wrap in its width;
/// integer division truncates toward zero (0 for a zero divisor). Anything
/// else (float results, Pow, mixed types) is computed in double from exact
/// operands, then rounded once to the result type as qc.cast rounds.
template <typename OpTy> struct ConvertBinary : OpConversionPattern<OpTy> {
  using OpConversionPattern<OpTy>::OpConversionPattern;
  using OpAdaptor = typename OpTy::Adaptor;
  LogicalResult
  matchAndRewrite(OpTy op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    auto result = cast<RankedTensorType>(
        this->getTypeConverter()->convertType(op.getType()));
    Value lhs = adaptor.getLhs(), rhs = adaptor.getRhs();
    if (!hasComputableElements(result.getElementType()) ||
        !hasComputableElements(tensorType(lhs).getElementType()) ||
        !hasComputableElements(tensorType(rhs).getElementType()))
      return unsupported(op, "only integer, f16, f32 and f64 operands");
    Type element = result.getElementType();
    const bool integerOp = isa<IntegerType>(element) &&
                           tensorType(lhs).getElementType() == element &&
                           tensorType(rhs).getElementType() == element &&
                           !std::is_same_v<OpTy, PowOp>;
    const bool lhsUnsigned = isUnsignedElement(op.getLhs().getType()),
               rhsUnsigned = isUnsignedElement(op.getRhs().getType());
    // The output's dynamic sizes come from an operand of the result's rank.
    Value like = tensorType(lhs).getRank() == result.getRank() ? lhs : rhs;
    Value out = elementwise(
        rewriter, op.getLoc(), result, {lhs, rhs}, like,
        [&](OpBuilder &b, Location loc, ValueRange args) -> Value {
          if (integerOp)
            return integerBinary(b, loc, args[0], args[1], lhsUnsigned);
          Value x = toF64(b, loc, args[0], lhsUnsigned),
                y = toF64(b, loc, args[1], rhsUnsigned);
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
          return castElement(b, loc, r, /*fromUnsigned=*/false, element);
        });
    rewriter.replaceOp(op, out);
    return success();
  }

  static Value integerBinary(OpBuilder &b, Location loc, Value x, Value y,
                             bool isUnsigned) {
    if constexpr (std::is_same_v<OpTy, AddOp>)
      return arith::AddIOp::create(b, loc, x, y);
    else if constexpr (std::is_same_v<OpTy, SubOp>)
      return arith::SubIOp::create(b, loc, x, y);
    else if constexpr (std::is_same_v<OpTy, MulOp>)
      return arith::MulIOp::create(b, loc, x, y);
    else {
      // Division: a zero divisor gives 0, and INT_MIN / -1 wraps, as the
      // interpreter's trunc(x / y) does; LLVM leaves both undefined.
      Type type = x.getType();
      Value zero = constantInt(b, loc, type, 0), one = constantInt(b, loc, type, 1);
      Value byZero =
          arith::CmpIOp::create(b, loc, arith::CmpIPredicate::eq, y, zero);
      Value safe = arith::SelectOp::create(b, loc, byZero, one, y);
      Value q;
      if (isUnsigned) {
        q = arith::DivUIOp::create(b, loc, x, safe);
      } else {
        Value byMinusOne = arith::CmpIOp::create(
            b, loc, arith::CmpIPredicate::eq, safe,
            constantInt(b, loc, type, -1));
        safe = arith::SelectOp::create(b, loc, byMinusOne, one, safe);
        q = arith::DivSIOp::create(b, loc, x, safe);
        q = arith::SelectOp::create(b, loc, byMinusOne,
                                    arith::SubIOp::create(b, loc, zero, x), q);
      }
      return arith::SelectOp::create(b, loc, byZero, zero, q);
    }
  }
};

/// Float unary ops of float islands, as applyUnary in the interpreter: in
/// double precision with its formula and order of operations, rounded to
/// f32 once (FloatMath::Interpreter); or, for float models, the
/// transcendental ones (sigmoid, tanh, erf, GELU) with the same formula in
/// f32 (FloatMath::Single), whose math functions a target may approximate.
template <typename OpTy> struct ConvertFloatUnary : OpConversionPattern<OpTy> {
  using OpAdaptor = typename OpTy::Adaptor;
  ConvertFloatUnary(const TypeConverter &converter, MLIRContext *context,
                    FloatMath math)
      : OpConversionPattern<OpTy>(converter, context), math(math) {}
  FloatMath math;
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
          // Only the transcendental activations leave double precision:
          // the piecewise-linear ones stay bit for bit the interpreter's,
          // and cost no more in double.
          const bool single =
              math == FloatMath::Single &&
              llvm::is_one_of<OpTy, SigmoidOp, TanhOp, ErfOp, GeluOp>::value;
          Type work = single ? b.getF32Type() : b.getF64Type();
          auto constant = [&](double v) -> Value {
            return arith::ConstantOp::create(b, loc, b.getFloatAttr(work, v));
          };
          Value x = single ? args[0] : toF64(b, loc, args[0]);
          Value zero = constant(0.0), one = constant(1.0);
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
          } else if constexpr (std::is_same_v<OpTy, SqrtOp>) {
            r = math::SqrtOp::create(b, loc, x);
          } else if constexpr (std::is_same_v<OpTy, HardSwishOp>) {
            // x * clamp(x / 6 + 0.5, 0, 1).
            Value v = arith::AddFOp::create(
                b, loc, arith::DivFOp::create(b, loc, x, constant(6.0)),
                constant(0.5));
            r = arith::MulFOp::create(b, loc, x, clampFloat(b, loc, v, zero, one));
          } else if constexpr (std::is_same_v<OpTy, HardSigmoidOp>) {
            // clamp(alpha * x + beta, 0, 1).
            Value v = arith::AddFOp::create(
                b, loc,
                arith::MulFOp::create(
                    b, loc,
                    constant(op.getAlpha().convertToDouble()), x),
                constant(op.getBeta().convertToDouble()));
            r = clampFloat(b, loc, v, zero, one);
          } else if constexpr (std::is_same_v<OpTy, LeakyReluOp>) {
            // x >= 0 ? x : alpha * x (NaN: alpha * NaN).
            Value keep = arith::CmpFOp::create(
                b, loc, arith::CmpFPredicate::OGE, x, zero);
            Value scaled = arith::MulFOp::create(
                b, loc, constant(op.getAlpha().convertToDouble()),
                x);
            r = arith::SelectOp::create(b, loc, keep, x, scaled);
          } else {
            static_assert(std::is_same_v<OpTy, GeluOp>);
            // 0.5 * x * (1 + erf(x / sqrt(2))), or with the tanh
            // approximation 0.5 * x * (1 + tanh(sqrt(2 / pi) *
            // (x + 0.044715 * x * x * x))), left to right.
            Value half = arith::MulFOp::create(b, loc, constant(0.5), x);
            Value t;
            if (op.getTanhApproximation()) {
              Value cube = arith::MulFOp::create(
                  b, loc,
                  arith::MulFOp::create(
                      b, loc,
                      arith::MulFOp::create(b, loc,
                                            constant(0.044715), x),
                      x),
                  x);
              Value inner = arith::MulFOp::create(
                  b, loc, constant(std::sqrt(2.0 / M_PI)),
                  arith::AddFOp::create(b, loc, x, cube));
              t = math::TanhOp::create(b, loc, inner);
            } else {
              t = math::ErfOp::create(
                  b, loc,
                  arith::DivFOp::create(b, loc, x,
                                        constant(std::sqrt(2.0))));
            }
            r = arith::MulFOp::create(b, loc, half,
                                      arith::AddFOp::create(b, loc, one, t));
          }
          return single ? r
                        : arith::TruncFOp::create(b, loc, b.getF32Type(), r)
                              .getResult();
        });
    rewriter.replaceOp(op, out);
    return success();
  }
};

/// Element type conversion (qc.cast) as the interpreter does it: the value
/// as a double, truncated toward zero for integer results, then rounded to
/// the result type (to nearest even for floats; integers wrap, a
/// non-finite value becomes 0, i1 is `value != 0`). Out of int64's range a
/// float becomes 0 too (its low bits as the interpreter's x86 conversion
/// gives them; for i64 results the interpreter keeps a value no integer
/// holds).
struct ConvertCast : OpConversionPattern<CastOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(CastOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    auto result =
        cast<RankedTensorType>(getTypeConverter()->convertType(op.getType()));
    Type from = tensorType(adaptor.getInput()).getElementType();
    Type to = result.getElementType();
    if (!hasComputableElements(from) || !hasComputableElements(to))
      return unsupported(op, "only casts between integer (or quantized), "
                             "f16, f32 and f64 element types");
    // i1 holds 0 or 1: unsigned.
    const bool fromUnsigned =
        isUnsignedElement(op.getInput().getType()) || from.isInteger(1);
    Value out = elementwise(
        rewriter, op.getLoc(), result, adaptor.getInput(), adaptor.getInput(),
        [&](OpBuilder &b, Location loc, ValueRange args) -> Value {
          return castElement(b, loc, args[0], fromUnsigned, to);
        });
    rewriter.replaceOp(op, out);
    return success();
  }
};

} // namespace

void qcc::qc_to_linalg::populateElementwisePatterns(const TypeConverter &converter,
                                    RewritePatternSet &patterns,
                                    FloatMath floatMath) {
  patterns.add<ConvertQuantize, ConvertDequantize, ConvertStorageCast, ConvertRescale,
               ConvertTable,
               ConvertClip, ConvertBinary<AddOp>, ConvertBinary<SubOp>,
               ConvertBinary<MulOp>, ConvertBinary<DivOp>, ConvertBinary<PowOp>,
               ConvertCast>(converter, patterns.getContext());
  patterns.add<ConvertFloatUnary<ReluOp>, ConvertFloatUnary<SigmoidOp>,
               ConvertFloatUnary<TanhOp>, ConvertFloatUnary<ErfOp>,
               ConvertFloatUnary<SqrtOp>, ConvertFloatUnary<HardSwishOp>,
               ConvertFloatUnary<HardSigmoidOp>, ConvertFloatUnary<LeakyReluOp>,
               ConvertFloatUnary<GeluOp>>(converter, patterns.getContext(),
                                          floatMath);
}
