//===- LowerToInteger.cpp - QDQ form to integer-only inference -----------===//
//
// Each pattern is rooted at a qc.quantize whose input is computed from
// dequantized values, and replaces that computation by its integer form:
// integer layers with int32 accumulators, dyadic qc.rescale, integer clamps.
// The semantics is documented with the pass in Passes.td.
//
//===----------------------------------------------------------------------===//

#include "qcc/Dialect/QC/IR/QCConstants.h"
#include "qcc/Dialect/QC/IR/QCOps.h"
#include "qcc/Dialect/QC/Transforms/Passes.h"
#include "qcc/Dialect/QC/IR/QCTypes.h"
#include "qcc/Numerics/Dyadic.h"
#include "qcc/Numerics/Minifloat.h"
#include "qcc/Numerics/Quantize.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Quant/IR/QuantTypes.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/IR/TypeUtilities.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

#include <cmath>

namespace qcc::qc {
#define GEN_PASS_DEF_QCLOWERTOINTEGER
#include "qcc/Dialect/QC/Transforms/Passes.h.inc"
} // namespace qcc::qc

using namespace mlir;
using namespace qcc;
using namespace qcc::qc;

namespace {

/// A signed integer quantization with one zero point: per tensor (one
/// scale) or per axis.
struct IntQuant {
  SmallVector<double> scales;
  int64_t zeroPoint;
  IntegerType storage;
  numerics::IntegerRange range;
  std::optional<int32_t> axis;
};

std::optional<IntQuant> getIntQuant(Type type) {
  auto quantized = dyn_cast<quant::QuantizedType>(getElementTypeOrSelf(type));
  if (!quantized || !quantized.isSigned() ||
      quantized.getStorageTypeIntegralWidth() > 32)
    return std::nullopt;
  IntQuant q;
  q.storage = IntegerType::get(type.getContext(),
                               quantized.getStorageTypeIntegralWidth());
  q.range = {quantized.getStorageTypeMin(), quantized.getStorageTypeMax()};
  if (auto uniform = dyn_cast<quant::UniformQuantizedType>(quantized)) {
    q.scales = {uniform.getScale()};
    q.zeroPoint = uniform.getZeroPoint();
    return q;
  }
  auto perAxis = dyn_cast<quant::UniformQuantizedPerAxisType>(quantized);
  if (!perAxis || !llvm::all_equal(perAxis.getZeroPoints()))
    return std::nullopt;
  q.scales = llvm::to_vector(perAxis.getScales());
  q.zeroPoint = perAxis.getZeroPoints().front();
  q.axis = perAxis.getQuantizedDimension();
  return q;
}

/// The quantized value `v` dequantizes, if `v` is a dequantize of an
/// integer-quantized tensor.
Value dequantizedFrom(Value v) {
  auto dq = v.getDefiningOp<DequantizeOp>();
  if (!dq || !getIntQuant(dq.getInput().getType()))
    return {};
  return dq.getInput();
}

/// Like dequantizedFrom, for a per-tensor activation.
Value activationFrom(Value v) {
  Value q = dequantizedFrom(v);
  if (!q || getIntQuant(q.getType())->axis)
    return {};
  return q;
}

RankedTensorType withElement(Value v, Type element) {
  return cast<RankedTensorType>(v.getType()).clone(element);
}

/// The stored integers of a quantized tensor.
Value toStorage(PatternRewriter &rewriter, Location loc, Value quantized) {
  if (auto cast = quantized.getDefiningOp<StorageCastOp>())
    return cast.getInput();
  return StorageCastOp::create(
      rewriter, loc,
      withElement(quantized, getIntQuant(quantized.getType())->storage),
      quantized);
}

/// `x` ([N, C, D1, ...] stored integers) padded on the spatial axes by
/// `pads` (ONNX order: begins, then ends) with the zero point: padded
/// positions then contribute nothing to (x - zp) sums. `x` when unpadded.
Value padWithZeroPoint(PatternRewriter &rewriter, Location loc, Value x,
                       ArrayRef<int64_t> pads, int64_t zeroPoint) {
  if (llvm::all_of(pads, [](int64_t p) { return p == 0; }))
    return x;
  auto type = cast<RankedTensorType>(x.getType());
  const size_t spatial = pads.size() / 2;
  SmallVector<int64_t> full(2 * type.getRank(), 0);
  SmallVector<int64_t> shape(type.getShape());
  for (size_t i = 0; i < spatial; ++i) {
    full[2 + i] = pads[i];
    full[type.getRank() + 2 + i] = pads[spatial + i];
    if (!ShapedType::isDynamic(shape[2 + i]))
      shape[2 + i] += pads[i] + pads[spatial + i];
  }
  return PadOp::create(
      rewriter, loc, type.clone(shape), x, rewriter.getDenseI64ArrayAttr(full),
      PadModeAttr::get(rewriter.getContext(), PadMode::Constant),
      rewriter.getF64FloatAttr(static_cast<double>(zeroPoint)));
}

/// `input` rescaled by `ratios` (one, or one per channel along `axis`)
/// from zero point `inputZp` to `outputZp`, as integers of `resultElement`;
/// failure if a ratio has no dyadic form.
FailureOr<Value> createRescale(PatternRewriter &rewriter, Location loc,
                               Value input, ArrayRef<double> ratios,
                               int64_t inputZp, int64_t outputZp,
                               IntegerType resultElement,
                               std::optional<int64_t> axis) {
  SmallVector<int32_t> multipliers;
  SmallVector<int8_t> shifts;
  for (double ratio : ratios) {
    numerics::DyadicResult dyadic = numerics::approximateDyadic(ratio);
    if (!dyadic.scale)
      return failure();
    multipliers.push_back(dyadic.scale->multiplier);
    shifts.push_back(static_cast<int8_t>(dyadic.scale->shift));
  }
  auto op = RescaleOp::create(
      rewriter, loc, withElement(input, resultElement), input,
      rewriter.getDenseI32ArrayAttr(multipliers),
      rewriter.getDenseI8ArrayAttr(shifts),
      rewriter.getIntegerAttr(rewriter.getI64Type(), inputZp),
      rewriter.getIntegerAttr(rewriter.getI64Type(), outputZp),
      ratios.size() > 1 ? rewriter.getI64IntegerAttr(*axis) : IntegerAttr(),
      rewriter.getBoolAttr(true),
      RescaleRoundingAttr::get(rewriter.getContext(),
                               RescaleRounding::SingleRound),
      UnitAttr(), UnitAttr());
  return op.getResult();
}

/// A fused activation: the op feeding the quantize and the stored-integer
/// bounds its ReLU or Clip imposes.
struct Activation {
  Operation *op;
  int64_t lo, hi;
};

/// Peels a ReLU or constant Clip off the value `quantize` reads, turning it
/// into bounds on the output integers (exact: quantization is monotonic).
Activation peelActivation(QuantizeOp quantize, const IntQuant &out) {
  Operation *def = quantize.getInput().getDefiningOp();
  Activation a{def, out.range.min, out.range.max};
  if (!def)
    return a;
  auto single = [](Value v) {
    return v.hasOneUse() ? v.getDefiningOp() : nullptr;
  };
  const float scale = static_cast<float>(out.scales[0]);
  if (auto relu = dyn_cast<ReluOp>(def)) {
    if (Operation *inner = single(relu.getInput())) {
      a.op = inner;
      a.lo = std::max(a.lo, numerics::quantizeInteger(
                                0.0f, scale, out.zeroPoint, out.range));
    }
  } else if (auto clip = dyn_cast<ClipOp>(def)) {
    Operation *inner = single(clip.getInput());
    auto bound = [](Value v) -> std::optional<float> {
      auto values = v ? getF32Constant(v) : std::nullopt;
      if (!values || values->size() != 1)
        return std::nullopt;
      return values->front();
    };
    auto lo = bound(clip.getMin()), hi = bound(clip.getMax());
    if (inner && (!clip.getMin() || lo) && (!clip.getMax() || hi)) {
      a.op = inner;
      if (lo)
        a.lo = std::max(a.lo, numerics::quantizeInteger(
                                  *lo, scale, out.zeroPoint, out.range));
      if (hi)
        a.hi = std::min(a.hi, numerics::quantizeInteger(
                                  *hi, scale, out.zeroPoint, out.range));
    }
  }
  return a;
}

/// Replaces `quantize` by `integers` (its storage), clamped to the
/// activation's bounds where they are narrower than the storage range.
void finish(PatternRewriter &rewriter, QuantizeOp quantize, Value integers,
            const Activation &activation, const IntQuant &out) {
  Location loc = quantize.getLoc();
  if (activation.lo > out.range.min || activation.hi < out.range.max) {
    auto scalar = RankedTensorType::get({}, out.storage);
    auto bound = [&](int64_t v) {
      return arith::ConstantOp::create(
          rewriter, loc, scalar,
          DenseElementsAttr::get(scalar,
                                 rewriter.getIntegerAttr(out.storage, v)));
    };
    integers = ClipOp::create(rewriter, loc, integers.getType(), integers,
                              bound(activation.lo), bound(activation.hi));
  }
  rewriter.replaceOpWithNewOp<StorageCastOp>(quantize, quantize.getType(),
                                             integers);
}

/// The quantization of the quantize's result, if it is a per-tensor
/// integer one.
std::optional<IntQuant> outputQuant(QuantizeOp quantize) {
  auto out = getIntQuant(quantize.getType());
  if (!out || out->axis || out->scales.size() != 1)
    return std::nullopt;
  return out;
}

/// Whether the per-tensor activation `q` converts to the quantized element
/// type `element` (of quantization `out`): it has that type, or the ratio
/// of the scales has a dyadic form.
bool convertsTo(Value q, Type element, const IntQuant &out) {
  return getElementTypeOrSelf(q.getType()) == element ||
         numerics::approximateDyadic(getIntQuant(q.getType())->scales[0] /
                                     out.scales[0])
             .scale;
}

/// The stored integers of `q` in `element` (checked by convertsTo): as they
/// are, or rescaled.
Value storedAs(PatternRewriter &rewriter, Location loc, Value q, Type element,
               const IntQuant &out) {
  Value stored = toStorage(rewriter, loc, q);
  if (getElementTypeOrSelf(q.getType()) == element)
    return stored;
  IntQuant in = *getIntQuant(q.getType());
  return *createRescale(rewriter, loc, stored, {in.scales[0] / out.scales[0]},
                        in.zeroPoint, out.zeroPoint, out.storage, {});
}

//===----------------------------------------------------------------------===//
// Layers
//===----------------------------------------------------------------------===//

/// An integer weight: constant stored integers and their (symmetric)
/// quantization.
struct IntWeight {
  Value stored;
  std::vector<int64_t> values;
  IntQuant quant;
};

std::optional<IntWeight> getIntWeight(Value v, int64_t channelAxis) {
  Value q = dequantizedFrom(v);
  auto cast = q ? q.getDefiningOp<StorageCastOp>() : nullptr;
  if (!cast)
    return std::nullopt;
  auto values = getIntegerConstant(cast.getInput());
  auto quant = getIntQuant(q.getType());
  if (!values || quant->zeroPoint != 0 ||
      (quant->axis && *quant->axis != channelAxis))
    return std::nullopt;
  return IntWeight{cast.getInput(), std::move(*values), *quant};
}

/// Minifloat weights (FP8 E4M3, FP6, FP4) as exact fixed point: every
/// code of a format is an integer multiple of its smallest subnormal, so
/// `decode(code) * s` is `(decode(code) * 2^k) * (s * 2^-k)`: an integer
/// weight at a scale 2^k times smaller (E4M3: k <= 9, 19-bit integers;
/// E2M1: k <= 1, 5 bits). LowerLayer then makes the layer integer: the
/// multiplier takes the weight decoded to fixed point, as FPGA designs for
/// minifloats do, and no float op is left. Only where the int32
/// accumulator cannot overflow (K * 255 * max|weight| < 2^30, K the
/// products per output); otherwise the layer stays a float island.
struct MinifloatWeights : OpRewritePattern<DequantizeOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(DequantizeOp dequantize,
                                PatternRewriter &rewriter) const override {
    auto stored = dequantize.getInput().getDefiningOp<StorageCastOp>();
    auto type = dyn_cast<ScaledFloatType>(
        getElementTypeOrSelf(dequantize.getInput().getType()));
    if (!stored || !type || !type.isPerAxis() ||
        !llvm::all_of(dequantize->getUsers(), [](Operation *user) {
          return isa<ConvOp, GemmOp, MatMulOp>(user);
        }))
      return failure();
    auto codes = getIntegerConstant(stored.getInput());
    auto shape = cast<RankedTensorType>(dequantize.getInput().getType());
    if (!codes || !shape.hasStaticShape())
      return failure();
    const numerics::MinifloatKind kind = type.getStorageKind();
    const unsigned codeBits = numerics::getMinifloatFormat(kind).bits();
    // The fewest fraction bits k making every decoded value an integer.
    std::vector<double> decoded;
    decoded.reserve(codes->size());
    int k = 0;
    double largest = 0;
    for (int64_t code : *codes) {
      const uint8_t bits = static_cast<uint8_t>(code) &
                           static_cast<uint8_t>((1u << codeBits) - 1);
      if (numerics::isNanCode(kind, bits))
        return failure();
      const double v = numerics::decodeMinifloat(kind, bits);
      if (!std::isfinite(v))
        return failure();
      decoded.push_back(v);
      while (k < 30 && std::ldexp(v, k) != std::trunc(std::ldexp(v, k)))
        ++k;
      largest = std::max(largest, std::fabs(v));
    }
    const double maxFixed = std::ldexp(largest, k);
    const int64_t perOutput =
        shape.getNumElements() / shape.getDimSize(type.getAxis());
    if (k >= 30 || static_cast<double>(perOutput) * 255 * maxFixed >= 0x1p30)
      return failure();
    unsigned width = 8;
    while (maxFixed > std::ldexp(1.0, width - 1) - 1)
      width *= 2;
    auto storage = rewriter.getIntegerType(width);
    SmallVector<APInt> fixed;
    fixed.reserve(decoded.size());
    for (double v : decoded)
      fixed.push_back(
          APInt(width, static_cast<int64_t>(std::ldexp(v, k)), true));
    SmallVector<double> scales;
    for (double scale : type.getScales().asArrayRef())
      scales.push_back(std::ldexp(scale, -k));
    const int64_t limit = (int64_t(1) << (width - 1)) - 1;
    auto quantized = quant::UniformQuantizedPerAxisType::get(
        quant::QuantizationFlags::Signed, storage, type.getExpressedType(),
        scales, SmallVector<int64_t>(scales.size(), 0), type.getAxis(),
        -limit - 1, limit);
    Location loc = dequantize.getLoc();
    auto storageType = shape.clone(storage);
    Value constant = arith::ConstantOp::create(
        rewriter, loc, storageType,
        DenseElementsAttr::get(storageType, fixed));
    Value weights = StorageCastOp::create(
        rewriter, loc, shape.clone(quantized), constant);
    rewriter.replaceOpWithNewOp<DequantizeOp>(dequantize, dequantize.getType(),
                                              weights);
    return success();
  }
};

struct LowerLayer : OpRewritePattern<QuantizeOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(QuantizeOp quantize,
                                PatternRewriter &rewriter) const override {
    auto out = outputQuant(quantize);
    if (!out)
      return failure();
    Activation activation = peelActivation(quantize, *out);
    Operation *layer = activation.op;
    // A MatMul's bias is an Add of a constant, on either side (PyTorch's
    // export of nn.Linear on 3-d inputs, and of any Linear before opset 9
    // Gemm).
    Value addedBias;
    if (auto add = dyn_cast_or_null<AddOp>(layer)) {
      Value product = add.getLhs(), constant = add.getRhs();
      if (!product.getDefiningOp<MatMulOp>())
        std::swap(product, constant);
      if (!product.getDefiningOp<MatMulOp>() || !product.hasOneUse() ||
          !constant.getDefiningOp<arith::ConstantOp>())
        return failure();
      addedBias = constant;
      layer = product.getDefiningOp();
    }
    auto conv = dyn_cast_or_null<ConvOp>(layer);
    auto gemm = dyn_cast_or_null<GemmOp>(layer);
    auto matmul = dyn_cast_or_null<MatMulOp>(layer);
    if (!conv && !gemm && !matmul)
      return failure();
    if (gemm && (gemm.getAlpha().convertToFloat() != 1.0f || gemm.getTransA() ||
                 (gemm.getC() && gemm.getBeta().convertToFloat() != 1.0f)))
      return failure();
    Value input = layer->getOperand(0), weight = layer->getOperand(1);
    Value bias = addedBias                     ? addedBias
                 : layer->getNumOperands() > 2 ? layer->getOperand(2)
                                               : Value();
    if (matmul && cast<RankedTensorType>(weight.getType()).getRank() != 2)
      return failure();
    Value x = activationFrom(input);
    // Weights [M, C, ...] (conv, transposed gemm) or [K, M] (gemm, matmul).
    const int64_t channelAxis = matmul || (gemm && !gemm.getTransB()) ? 1 : 0;
    auto w = getIntWeight(weight, channelAxis);
    if (!x || !w)
      return failure();
    IntQuant xq = *getIntQuant(x.getType());
    auto wType = cast<RankedTensorType>(w->stored.getType());
    const int64_t channels = wType.getDimSize(channelAxis);

    // Per-channel accumulator scales and the int32 bias: given (a dequantized
    // int32 constant at s_x * s_w[c], as qc-quantize-bias makes it) or
    // rounded here from float.
    std::vector<double> accScale(channels);
    for (int64_t c = 0; c < channels; ++c)
      accScale[c] = static_cast<double>(
          static_cast<float>(xq.scales[0]) *
          static_cast<float>(w->quant.scales[w->quant.axis ? c : 0]));
    std::vector<int64_t> biasValues(channels, 0);
    if (bias) {
      if (auto b = getIntWeight(bias, 0)) {
        if (b->values.size() != static_cast<size_t>(channels) ||
            b->quant.storage.getWidth() != 32)
          return failure();
        for (int64_t c = 0; c < channels; ++c) {
          // At the accumulator's scale, or 2^j times it (exact: weights
          // decoded from a minifloat to fixed point, MinifloatWeights).
          const double s = b->quant.scales[b->quant.axis ? c : 0];
          const double ratio = std::exp2(std::round(std::log2(s / accScale[c])));
          if (ratio < 1 || ratio > 0x1p24 ||
              std::fabs(s - ratio * accScale[c]) > 1e-6 * s)
            return failure();
          biasValues[c] = b->values[c] * static_cast<int64_t>(ratio);
        }
      } else if (auto f = getF32Constant(bias);
                 f && f->size() == static_cast<size_t>(channels) &&
                 cast<RankedTensorType>(bias.getType())
                         .getDimSize(
                             cast<RankedTensorType>(bias.getType()).getRank() -
                             1) == channels) {
        for (int64_t c = 0; c < channels; ++c)
          biasValues[c] = static_cast<int64_t>(std::nearbyint(
              static_cast<double>((*f)[c] / static_cast<float>(accScale[c]))));
      } else {
        return failure();
      }
    }
    // Fold the input zero point: sum_k (x_k - zp) w_k = sum_k x_k w_k - zp
    // sum_k w_k. Padded positions hold zp, so they contribute nothing.
    const int64_t perChannel =
        static_cast<int64_t>(w->values.size()) / channels;
    for (int64_t i = 0; i < static_cast<int64_t>(w->values.size()); ++i) {
      const int64_t c = channelAxis == 0 ? i / perChannel : i % channels;
      biasValues[c] -= xq.zeroPoint * w->values[i];
    }
    for (int64_t v : biasValues)
      if (v < INT32_MIN || v > INT32_MAX)
        return failure();

    Location loc = layer->getLoc();
    auto i32 = rewriter.getI32Type();
    Value xi = toStorage(rewriter, loc, x);
    auto biasType = RankedTensorType::get({channels}, i32);
    Value biasConst = createConstant(
        rewriter, loc, biasType,
        std::vector<double>(biasValues.begin(), biasValues.end()),
        derivedConstantName(layer->getResult(0), "_bias_i32", "layer"));
    Value acc;
    auto accType = withElement(layer->getResult(0), i32);
    if (conv) {
      ArrayRef<int64_t> pads = conv.getPads();
      xi = padWithZeroPoint(rewriter, loc, xi, pads, xq.zeroPoint);
      acc = ConvOp::create(
          rewriter, loc, accType, xi, w->stored, biasConst,
          conv.getStridesAttr(),
          rewriter.getDenseI64ArrayAttr(SmallVector<int64_t>(pads.size(), 0)),
          conv.getDilationsAttr(), conv.getGroupAttr());
    } else if (gemm) {
      acc = GemmOp::create(rewriter, loc, accType, xi, w->stored, biasConst,
                           gemm.getAlphaAttr(), rewriter.getF32FloatAttr(1.0f),
                           gemm.getTransAAttr(), gemm.getTransBAttr());
    } else {
      acc = MatMulOp::create(rewriter, loc, accType, xi, w->stored);
      acc = AddOp::create(rewriter, loc, accType, acc, biasConst);
    }
    // Output channels: NCHW's axis 1, a matrix product's last axis.
    const int64_t outputAxis =
        conv ? 1 : cast<RankedTensorType>(accType).getRank() - 1;
    std::vector<double> ratios(w->quant.axis ? channels : 1);
    for (size_t c = 0; c < ratios.size(); ++c)
      ratios[c] = accScale[c] / out->scales[0];
    auto rescaled = createRescale(rewriter, loc, acc, ratios, 0, out->zeroPoint,
                                  out->storage, outputAxis);
    if (failed(rescaled))
      return failure();
    finish(rewriter, quantize, *rescaled, activation, *out);
    return success();
  }
};

/// A per-tensor activation moved by scale-preserving ops of one operand
/// (transposes, reshapes: ConvNeXt's channels-last blocks), found without
/// changing the IR; `moveIntegers` then moves its stored integers the same
/// way.
struct MovedActivation {
  Value activation;
  SmallVector<Operation *> moves; // outermost first

  static std::optional<MovedActivation> match(Value v) {
    MovedActivation m;
    for (unsigned depth = 0; depth < 8; ++depth) {
      if (Value q = activationFrom(v)) {
        m.activation = q;
        return m;
      }
      Operation *op = v.getDefiningOp();
      if (!op || !op->hasTrait<qc::OpTrait::ScalePreserving>() ||
          op->getNumOperands() != 1 || op->getNumResults() != 1 ||
          !v.hasOneUse())
        return std::nullopt;
      m.moves.push_back(op);
      v = op->getOperand(0);
    }
    return std::nullopt;
  }

  Value moveIntegers(PatternRewriter &rewriter, Location loc) const {
    Value integers = toStorage(rewriter, loc, activation);
    Type storage = getElementTypeOrSelf(integers.getType());
    for (Operation *op : llvm::reverse(moves)) {
      Operation *moved = rewriter.clone(*op);
      moved->setOperand(0, integers);
      moved->getResult(0).setType(withElement(op->getResult(0), storage));
      integers = moved->getResult(0);
    }
    return integers;
  }
};

/// A per-channel affine map y = k[c] x + b[c] of an NCHW per-tensor
/// activation that no layer absorbed: a BatchNorm (DenseNet's
/// pre-activation BatchNorm after a concat) or a product with a constant
/// of one value per channel (ConvNeXt's layer scale, [C, 1, 1]), the
/// activation possibly moved by transposes or reshapes first. It becomes a
/// 1x1 depthwise integer qc.conv whose weights are +-127 (or 0) at the
/// per-channel scale |k[c]| / 127, which represents k exactly, with b[c]
/// as its int32 bias; then the usual per-channel rescale and clamp.
struct LowerChannelAffine : OpRewritePattern<QuantizeOp> {
  using OpRewritePattern::OpRewritePattern;

  /// k and b of `op` per channel of its 4-d result, and the value it maps.
  static std::optional<std::pair<BatchNormAffine, Value>>
  matchAffine(Operation *op) {
    auto type = op ? dyn_cast<RankedTensorType>(op->getResult(0).getType())
                   : RankedTensorType();
    if (!type || type.getRank() != 4 || type.isDynamicDim(1))
      return std::nullopt;
    const int64_t channels = type.getDimSize(1);
    if (auto bn = dyn_cast<BatchNormOp>(op)) {
      auto affine = getBatchNormAffine(bn);
      if (!affine || static_cast<int64_t>(affine->factor.size()) != channels)
        return std::nullopt;
      return std::pair{*affine, bn.getInput()};
    }
    auto mul = dyn_cast<MulOp>(op);
    if (!mul)
      return std::nullopt;
    for (auto [constant, input] : {std::pair{mul.getLhs(), mul.getRhs()},
                                   std::pair{mul.getRhs(), mul.getLhs()}}) {
      auto factors = constant.getDefiningOp<arith::ConstantOp>()
                         ? getF32Constant(constant)
                         : std::nullopt;
      auto shape = cast<RankedTensorType>(constant.getType()).getShape();
      // One factor per channel: [C, 1, 1] or [1, C, 1, 1].
      if (!factors || input.getType() != type ||
          static_cast<int64_t>(factors->size()) != channels ||
          shape.size() < 3 || shape[shape.size() - 3] != channels)
        continue;
      BatchNormAffine affine;
      affine.factor.assign(factors->begin(), factors->end());
      affine.shift.assign(channels, 0.0);
      affine.mean.assign(channels, 0.0);
      return std::pair{affine, input};
    }
    return std::nullopt;
  }

  LogicalResult matchAndRewrite(QuantizeOp quantize,
                                PatternRewriter &rewriter) const override {
    auto out = outputQuant(quantize);
    if (!out)
      return failure();
    Activation activation = peelActivation(quantize, *out);
    auto matched = matchAffine(activation.op);
    auto moved =
        matched ? MovedActivation::match(matched->second) : std::nullopt;
    if (!moved)
      return failure();
    const BatchNormAffine &affine = matched->first;
    Operation *op = activation.op;
    const int64_t channels = affine.factor.size();
    Value x = moved->activation;
    IntQuant xq = *getIntQuant(x.getType());
    const double inScale = static_cast<float>(xq.scales[0]);
    std::vector<double> weights(channels), bias(channels), ratios(channels);
    for (int64_t c = 0; c < channels; ++c) {
      const double k = affine.factor[c];
      const double weightScale = k != 0.0 ? std::fabs(k) / 127.0 : 1.0;
      weights[c] = k > 0.0 ? 127.0 : k < 0.0 ? -127.0 : 0.0;
      // sum (x - zp) w + b / (s_x s_w): the zero point folded into the bias.
      const double shift = affine.shift[c] - affine.mean[c] * k;
      bias[c] = std::nearbyint(shift / (inScale * weightScale)) -
                double(xq.zeroPoint) * weights[c];
      if (!std::isfinite(bias[c]) || bias[c] < INT32_MIN || bias[c] > INT32_MAX)
        return failure();
      ratios[c] = inScale * weightScale / out->scales[0];
      if (!numerics::approximateDyadic(ratios[c]).scale)
        return failure();
    }
    Location loc = op->getLoc();
    auto i32 = rewriter.getI32Type();
    Value weight = createConstant(
        rewriter, loc,
        RankedTensorType::get({channels, 1, 1, 1}, rewriter.getI8Type()),
        weights, derivedConstantName(op->getResult(0), "_weight_i8", "affine"));
    Value biasConst = createConstant(
        rewriter, loc, RankedTensorType::get({channels}, i32), bias,
        derivedConstantName(op->getResult(0), "_bias_i32", "affine"));
    Value acc =
        ConvOp::create(rewriter, loc, withElement(op->getResult(0), i32),
                       moved->moveIntegers(rewriter, loc), weight, biasConst,
                       rewriter.getDenseI64ArrayAttr({1, 1}),
                       rewriter.getDenseI64ArrayAttr({0, 0, 0, 0}),
                       rewriter.getDenseI64ArrayAttr({1, 1}),
                       rewriter.getI64IntegerAttr(channels));
    Value rescaled = *createRescale(rewriter, loc, acc, ratios, 0,
                                    out->zeroPoint, out->storage, 1);
    finish(rewriter, quantize, rescaled, activation, *out);
    return success();
  }
};

//===----------------------------------------------------------------------===//
// Additions and pooling
//===----------------------------------------------------------------------===//

/// Residual additions: both inputs to int32 at a common scale with 20 bits
/// of headroom, an int32 sum, then the output rescale.
struct LowerAdd : OpRewritePattern<QuantizeOp> {
  using OpRewritePattern::OpRewritePattern;
  static constexpr int kHeadroomBits = 20;

  LogicalResult matchAndRewrite(QuantizeOp quantize,
                                PatternRewriter &rewriter) const override {
    auto out = outputQuant(quantize);
    if (!out)
      return failure();
    Activation activation = peelActivation(quantize, *out);
    auto add = dyn_cast_or_null<AddOp>(activation.op);
    if (!add)
      return failure();
    Value a = activationFrom(add.getLhs()), b = activationFrom(add.getRhs());
    if (!a || !b)
      return failure();
    IntQuant aq = *getIntQuant(a.getType()), bq = *getIntQuant(b.getType());
    const double common = 2.0 * std::max(aq.scales[0], bq.scales[0]) /
                          std::ldexp(1.0, kHeadroomBits);
    Location loc = add.getLoc();
    auto i32 = rewriter.getI32Type();
    auto a32 = createRescale(rewriter, loc, toStorage(rewriter, loc, a),
                             {aq.scales[0] / common}, aq.zeroPoint, 0, i32, {});
    auto b32 = createRescale(rewriter, loc, toStorage(rewriter, loc, b),
                             {bq.scales[0] / common}, bq.zeroPoint, 0, i32, {});
    if (failed(a32) || failed(b32))
      return failure();
    Value sum = AddOp::create(rewriter, loc, withElement(add.getResult(), i32),
                              *a32, *b32);
    auto result = createRescale(rewriter, loc, sum, {common / out->scales[0]},
                                0, out->zeroPoint, out->storage, {});
    if (failed(result))
      return failure();
    finish(rewriter, quantize, *result, activation, *out);
    return success();
  }
};

/// `f` at the dequantized value of every code of `in`, from the least:
/// the entries of a table over `in`'s codes, before their last rounding.
std::vector<float> overEveryCode(const IntQuant &in,
                                 llvm::function_ref<float(float)> f) {
  const unsigned bits = in.storage.getWidth();
  const float scale = static_cast<float>(in.scales[0]);
  std::vector<float> values;
  for (int64_t code = -(int64_t(1) << (bits - 1));
       code < (int64_t(1) << (bits - 1)); ++code)
    values.push_back(f(numerics::dequantizeInteger(code, scale, in.zeroPoint)));
  return values;
}

/// A qc.table of `entries` (integers of `element`, one per code of the
/// activation `x`) looked up by `x`'s stored integers.
Value lookUp(PatternRewriter &rewriter, Location loc, Value x,
             IntegerType element, ArrayRef<int64_t> entries) {
  SmallVector<APInt> values;
  for (int64_t v : entries)
    values.push_back(APInt(element.getWidth(), v, /*isSigned=*/true));
  auto tableType = RankedTensorType::get({int64_t(values.size())}, element);
  Value table = arith::ConstantOp::create(
      rewriter, loc, DenseElementsAttr::get(tableType, values));
  Value stored = toStorage(rewriter, loc, x);
  return TableOp::create(rewriter, loc, withElement(stored, element), stored,
                         table);
}

/// An element-wise function of one quantized activation: a tree of
/// activations (ScalarFunctionOpInterface ops: qc.sigmoid, qc.erf, ...) and
/// f32 add, sub, mul and div whose leaves are the activation's dequantized
/// value and scalar constants. E.g. SiLU as PyTorch exports it (x *
/// sigmoid(x)) and GELU as ops (x * (erf(x / sqrt 2) + 1) * 0.5).
class ElementwiseTree {
public:
  static constexpr unsigned kMaxOps = 16;

  /// The tree computing `root`, if it is one.
  static std::optional<ElementwiseTree> match(Value root) {
    ElementwiseTree tree;
    unsigned ops = 0;
    if (!tree.collect(root, ops) || !tree.leaf || ops == 0)
      return std::nullopt;
    return tree;
  }

  /// The dequantize every non-constant leaf reads.
  Value leaf;

  /// `root` at the leaf value `x`, as the interpreter computes the float
  /// graph: each activation's `evaluate` and each arithmetic op in double,
  /// rounded to f32.
  float evaluate(Value v, float x) const {
    if (v == leaf)
      return x;
    if (auto it = constants.find(v); it != constants.end())
      return it->second;
    Operation *op = v.getDefiningOp();
    if (auto fn = dyn_cast<ScalarFunctionOpInterface>(op))
      return static_cast<float>(fn.evaluate(evaluate(op->getOperand(0), x)));
    const double a = evaluate(op->getOperand(0), x),
                 b = evaluate(op->getOperand(1), x);
    if (isa<AddOp>(op))
      return static_cast<float>(a + b);
    if (isa<SubOp>(op))
      return static_cast<float>(a - b);
    if (isa<MulOp>(op))
      return static_cast<float>(a * b);
    return static_cast<float>(a / b);
  }

private:
  bool collect(Value v, unsigned &ops) {
    if (!getElementTypeOrSelf(v.getType()).isF32())
      return false;
    if (activationFrom(v)) {
      if (leaf && leaf != v)
        return false;
      leaf = v;
      return true;
    }
    if (v.getDefiningOp<arith::ConstantOp>()) {
      auto values = getF32Constant(v);
      if (!values || values->size() != 1)
        return false;
      constants[v] = values->front();
      return true;
    }
    Operation *op = v.getDefiningOp();
    if (!op || ++ops > kMaxOps)
      return false;
    if (isa<ScalarFunctionOpInterface>(op))
      return collect(op->getOperand(0), ops);
    if (!isa<AddOp, SubOp, MulOp, DivOp>(op))
      return false;
    return collect(op->getOperand(0), ops) && collect(op->getOperand(1), ops);
  }

  llvm::DenseMap<Value, float> constants;
};

/// An element-wise function of a quantized activation (ElementwiseTree):
/// a qc.table of dequantize, the function and the output quantize over
/// every input code, each computed as the reference interpreter computes
/// the QDQ form, so the integer graph equals it exactly.
struct LowerActivationTable : OpRewritePattern<QuantizeOp> {
  using OpRewritePattern::OpRewritePattern;
  /// Inputs of up to this many bits: tables of at most 4096 entries.
  static constexpr unsigned kMaxInputBits = 12;

  LogicalResult matchAndRewrite(QuantizeOp quantize,
                                PatternRewriter &rewriter) const override {
    auto out = outputQuant(quantize);
    Value result = quantize.getInput();
    if (!out)
      return failure();
    auto tree = ElementwiseTree::match(result);
    if (!tree || tree->leaf.getType() != result.getType())
      return failure();
    Value x = activationFrom(tree->leaf);
    IntQuant in = *getIntQuant(x.getType());
    if (in.storage.getWidth() > kMaxInputBits)
      return failure();
    const numerics::RoundingMode mode = toNumerics(quantize.getRounding());
    const float outScale = static_cast<float>(out->scales[0]);
    std::vector<int64_t> entries;
    for (float y : overEveryCode(
             in, [&](float value) { return tree->evaluate(result, value); }))
      entries.push_back(numerics::quantizeInteger(y, outScale, out->zeroPoint,
                                                  out->range, mode));
    Value integers =
        lookUp(rewriter, quantize.getLoc(), x, out->storage, entries);
    rewriter.replaceOpWithNewOp<StorageCastOp>(quantize, quantize.getType(),
                                               integers);
    return success();
  }
};

/// Products of two values each of which is a per-tensor quantized
/// activation or an activation function of one (a squeeze-and-excitation
/// gate `x * sigmoid(g)`, an LSTM's `sigmoid(a) * tanh(c)`), broadcast as
/// qc.mul broadcasts: an int32 product of integer factors, then the output
/// rescale. An activation's factor is its stored integers less the zero
/// point (a rescale by 1); a function's is a qc.table from its input codes
/// to int32 levels at the scale max|f| / levels, with as many levels as
/// keep the product within int32 (up to 2^20: finer than the output).
struct LowerProduct : OpRewritePattern<QuantizeOp> {
  using OpRewritePattern::OpRewritePattern;
  static constexpr int64_t kMaxLevels = int64_t(1) << 20;
  /// Table inputs of up to this many bits (tables of 4096 entries at most).
  static constexpr unsigned kMaxTableBits = 12;

  /// One factor: `activation` (stored integers of a per-tensor quantized
  /// value) through `function` if it is set.
  struct Factor {
    Value activation;
    ScalarFunctionOpInterface function;
    IntQuant quant;
    int64_t bound = 0;           // the largest magnitude of the integer factor
    double scale = 0.0;          // the real value of one integer step
    std::vector<int64_t> levels; // a function's, per input code
  };

  static std::optional<Factor> getFactor(Value v) {
    Factor f;
    if (Value q = activationFrom(v)) {
      f.activation = q;
    } else if (auto fn = v.getDefiningOp<ScalarFunctionOpInterface>()) {
      f.function = fn;
      f.activation = activationFrom(fn->getOperand(0));
      if (!f.activation)
        return std::nullopt;
    } else {
      return std::nullopt;
    }
    f.quant = *getIntQuant(f.activation.getType());
    f.bound = std::max(std::abs(f.quant.range.min - f.quant.zeroPoint),
                       std::abs(f.quant.range.max - f.quant.zeroPoint));
    if (f.function && f.quant.storage.getWidth() > kMaxTableBits)
      return std::nullopt;
    return f;
  }

  LogicalResult matchAndRewrite(QuantizeOp quantize,
                                PatternRewriter &rewriter) const override {
    auto out = outputQuant(quantize);
    if (!out)
      return failure();
    Activation activation = peelActivation(quantize, *out);
    auto mul = dyn_cast_or_null<MulOp>(activation.op);
    if (!mul || !getElementTypeOrSelf(mul.getType()).isF32())
      return failure();
    auto a = getFactor(mul.getLhs()), b = getFactor(mul.getRhs());
    if (!a || !b)
      return failure();
    // x * f(x) is a function of x alone: LowerActivationTable's exact table.
    auto sameInput = [](const Factor &fn, Value other) {
      return fn.function && fn.function->getOperand(0) == other;
    };
    if (sameInput(*a, mul.getRhs()) || sameInput(*b, mul.getLhs()))
      return failure();
    // Levels of the tabulated factors: two share int32's 31 bits evenly.
    const int64_t maxProduct = INT32_MAX;
    for (Factor *f : {&*a, &*b}) {
      if (!f->function)
        continue;
      const Factor &other = f == &*a ? *b : *a;
      f->bound = other.function
                     ? int64_t(1) << 15
                     : std::min(kMaxLevels, maxProduct / other.bound);
    }
    if (a->bound * b->bound > maxProduct || a->bound < 127 || b->bound < 127)
      return failure();

    // Each factor's scale, and a function's table of levels; all checked
    // before any op is created.
    for (Factor *f : {&*a, &*b}) {
      f->scale = f->quant.scales[0];
      if (!f->function)
        continue;
      ScalarFunctionOpInterface function = f->function;
      // f of every input code, as the interpreter evaluates the QDQ form
      // (rounded to f32), in levels of max|f| / bound.
      std::vector<float> values = overEveryCode(f->quant, [&](float x) {
        return static_cast<float>(function.evaluate(x));
      });
      float largest = 0.0f;
      for (float y : values) {
        if (!std::isfinite(y))
          return failure();
        largest = std::max(largest, std::fabs(y));
      }
      f->scale = largest > 0.0f ? static_cast<double>(largest) / f->bound : 1.0;
      for (float y : values)
        f->levels.push_back(static_cast<int64_t>(std::nearbyint(y / f->scale)));
    }
    const double ratio = a->scale * b->scale / out->scales[0];
    if (!numerics::approximateDyadic(ratio).scale)
      return failure();

    Location loc = mul.getLoc();
    auto i32 = rewriter.getI32Type();
    auto factor = [&](const Factor &f) -> Value {
      if (f.function)
        return lookUp(rewriter, loc, f.activation, i32, f.levels);
      return *createRescale(rewriter, loc,
                            toStorage(rewriter, loc, f.activation), {1.0},
                            f.quant.zeroPoint, 0, i32, {});
    };
    Value product =
        MulOp::create(rewriter, loc, withElement(mul.getResult(), i32),
                      factor(*a), factor(*b));
    Value result = *createRescale(rewriter, loc, product, {ratio}, 0,
                                  out->zeroPoint, out->storage, {});
    finish(rewriter, quantize, result, activation, *out);
    return success();
  }
};

/// An average from the int32 `sum` of `count` stored integers of `xq`: the
/// rescale by s_x / (count * s_y) from input zero point count * zp_x.
LogicalResult finishAverage(PatternRewriter &rewriter, QuantizeOp quantize,
                            Value sum, int64_t count, const IntQuant &xq,
                            const Activation &activation, const IntQuant &out) {
  auto result =
      createRescale(rewriter, quantize.getLoc(), sum,
                    {xq.scales[0] / (count * out.scales[0])},
                    count * xq.zeroPoint, out.zeroPoint, out.storage, {});
  if (failed(result))
    return failure();
  finish(rewriter, quantize, *result, activation, out);
  return success();
}

/// Global average pooling and means over axes (ReduceMean): an int32 sum
/// over the reduced axes rescaled by s_x / (count * s_y).
struct LowerMean : OpRewritePattern<QuantizeOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(QuantizeOp quantize,
                                PatternRewriter &rewriter) const override {
    auto out = outputQuant(quantize);
    if (!out)
      return failure();
    Activation activation = peelActivation(quantize, *out);
    Operation *mean = activation.op;
    Value input;
    SmallVector<int64_t> axes;
    bool keepdims = true;
    if (auto pool = dyn_cast_or_null<GlobalAvgPoolOp>(mean)) {
      input = pool.getInput();
      for (int64_t d = 2; d < pool.getInput().getType().getRank(); ++d)
        axes.push_back(d);
    } else if (auto reduce = dyn_cast_or_null<ReduceMeanOp>(mean)) {
      input = reduce.getInput();
      llvm::append_range(axes, reduce.getAxes());
      keepdims = reduce.getKeepdims();
    } else {
      return failure();
    }
    Value x = activationFrom(input);
    if (!x)
      return failure();
    auto type = cast<RankedTensorType>(x.getType());
    int64_t count = 1;
    for (int64_t d : axes) {
      if (type.isDynamicDim(d))
        return failure();
      count *= type.getDimSize(d);
    }
    IntQuant xq = *getIntQuant(x.getType());
    Location loc = mean->getLoc();
    auto i32 = rewriter.getI32Type();
    Value sum = ReduceSumOp::create(
        rewriter, loc, withElement(mean->getResult(0), i32),
        toStorage(rewriter, loc, x), rewriter.getDenseI64ArrayAttr(axes),
        rewriter.getBoolAttr(keepdims));
    return finishAverage(rewriter, quantize, sum, count, xq, activation, *out);
  }
};

/// Average pooling with one window size everywhere (no padding, or padding
/// counted with count_include_pad; no ceil_mode): an int32 qc.sum_pool
/// (after padding with the zero point) rescaled by s_x / (window * s_y).
struct LowerAvgPool : OpRewritePattern<QuantizeOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(QuantizeOp quantize,
                                PatternRewriter &rewriter) const override {
    auto out = outputQuant(quantize);
    if (!out)
      return failure();
    Activation activation = peelActivation(quantize, *out);
    auto pool = dyn_cast_or_null<AvgPoolOp>(activation.op);
    Value x = pool ? activationFrom(pool.getInput()) : Value();
    if (!x || pool.getCeilMode())
      return failure();
    ArrayRef<int64_t> pads = pool.getPads();
    const bool padded = llvm::any_of(pads, [](int64_t p) { return p != 0; });
    if (padded && !pool.getCountIncludePad())
      return failure(); // the divisor varies at the borders
    IntQuant xq = *getIntQuant(x.getType());
    Location loc = pool.getLoc();
    Value xi = padWithZeroPoint(rewriter, loc, toStorage(rewriter, loc, x),
                                pads, xq.zeroPoint);
    int64_t count = 1;
    for (int64_t k : pool.getKernelShape())
      count *= k;
    Value sum = SumPoolOp::create(
        rewriter, loc, withElement(pool.getResult(), rewriter.getI32Type()), xi,
        pool.getKernelShapeAttr(), pool.getStridesAttr(),
        rewriter.getDenseI64ArrayAttr(SmallVector<int64_t>(pads.size(), 0)),
        pool.getDilationsAttr(), rewriter.getBoolAttr(false));
    return finishAverage(rewriter, quantize, sum, count, xq, activation, *out);
  }
};

//===----------------------------------------------------------------------===//
// Data movement and requantization
//===----------------------------------------------------------------------===//

/// Concatenations (and any scale-preserving op of several operands) move
/// the stored integers, each input first rescaled to the result's type
/// where its own differs: a SqueezeNet fire module's two branches,
/// DenseNet's features, each with a range of its own. One-operand moves are
/// SinkDequantize's.
struct LowerDataMovement : OpRewritePattern<QuantizeOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(QuantizeOp quantize,
                                PatternRewriter &rewriter) const override {
    Operation *op = quantize.getInput().getDefiningOp();
    if (!op || !op->hasTrait<qc::OpTrait::ScalePreserving>() ||
        op->getNumOperands() < 2 || op->getNumResults() != 1 ||
        !op->getResult(0).hasOneUse())
      return failure();
    auto out = getIntQuant(quantize.getType());
    if (!out || out->axis)
      return failure();
    Type quantType = getElementTypeOrSelf(quantize.getType());
    // Every operand checked before any op is created.
    SmallVector<Value> activations;
    for (Value operand : op->getOperands()) {
      Value q = activationFrom(operand);
      if (!q || !convertsTo(q, quantType, *out))
        return failure();
      activations.push_back(q);
    }
    SmallVector<Value> operands;
    for (Value q : activations)
      operands.push_back(storedAs(rewriter, op->getLoc(), q, quantType, *out));
    Operation *integer = rewriter.clone(*op);
    integer->setOperands(operands);
    integer->getResult(0).setType(withElement(op->getResult(0), out->storage));
    rewriter.replaceOpWithNewOp<StorageCastOp>(quantize, quantize.getType(),
                                               integer->getResult(0));
    return success();
  }
};

/// A one-operand scale-preserving op (reshape, transpose, slice, max
/// pooling) of a dequantized per-tensor activation: the op moves the
/// integers and the dequantize follows it, which is exact (dequantizing is
/// monotone). A quantize of the result is then LowerRequantization's (a
/// rescale where the types differ: after the move, on max pooling's fewer
/// outputs); a graph output (SqueezeNet's final flatten) or a float
/// island's input moves integers instead of floats.
struct SinkDequantize : RewritePattern {
  SinkDequantize(MLIRContext *context)
      : RewritePattern(MatchAnyOpTypeTag(), /*benefit=*/1, context) {}

  LogicalResult matchAndRewrite(Operation *op,
                                PatternRewriter &rewriter) const override {
    if (!op->hasTrait<qc::OpTrait::ScalePreserving>() ||
        op->getNumOperands() != 1 || op->getNumResults() != 1)
      return failure();
    Value q = activationFrom(op->getOperand(0));
    if (!q)
      return failure();
    Location loc = op->getLoc();
    Value stored = toStorage(rewriter, loc, q);
    Operation *integer = rewriter.clone(*op);
    integer->setOperand(0, stored);
    integer->getResult(0).setType(
        withElement(op->getResult(0), getIntQuant(q.getType())->storage));
    Value moved = StorageCastOp::create(
        rewriter, loc,
        withElement(op->getResult(0), getElementTypeOrSelf(q.getType())),
        integer->getResult(0));
    rewriter.replaceOpWithNewOp<DequantizeOp>(op, op->getResult(0).getType(),
                                              moved);
    return success();
  }
};

/// A Pad of a per-tensor activation (PyTorch exports AvgPool's padding,
/// even none, as one): the stored integers (rescaled to the result's type
/// first) padded with the code of the pad value, which is what quantizing
/// the padded float tensor gives there. Edge and reflect padding move
/// integers.
struct LowerPad : OpRewritePattern<QuantizeOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(QuantizeOp quantize,
                                PatternRewriter &rewriter) const override {
    auto out = outputQuant(quantize);
    auto pad = quantize.getInput().getDefiningOp<PadOp>();
    Value x = pad ? activationFrom(pad.getInput()) : Value();
    if (!out || !x || !pad->hasOneUse())
      return failure();
    Type quantType = getElementTypeOrSelf(quantize.getType());
    if (!convertsTo(x, quantType, *out))
      return failure();
    Location loc = pad.getLoc();
    Value stored = storedAs(rewriter, loc, x, quantType, *out);
    const int64_t code = numerics::quantizeInteger(
        static_cast<float>(pad.getValue().convertToDouble()),
        static_cast<float>(out->scales[0]), out->zeroPoint, out->range,
        toNumerics(quantize.getRounding()));
    Value padded =
        PadOp::create(rewriter, loc, withElement(pad.getResult(), out->storage),
                      stored, pad.getPadsAttr(), pad.getModeAttr(),
                      rewriter.getF64FloatAttr(static_cast<double>(code)));
    rewriter.replaceOpWithNewOp<StorageCastOp>(quantize, quantize.getType(),
                                               padded);
    return success();
  }
};

/// quantize(dequantize(q)): q itself, or q rescaled to the new type.
struct LowerRequantization : OpRewritePattern<QuantizeOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(QuantizeOp quantize,
                                PatternRewriter &rewriter) const override {
    Value q = activationFrom(quantize.getInput());
    auto out = outputQuant(quantize);
    if (!q || !out)
      return failure();
    if (q.getType() == quantize.getType()) {
      rewriter.replaceOp(quantize, q);
      return success();
    }
    Type quantType = getElementTypeOrSelf(quantize.getType());
    if (!convertsTo(q, quantType, *out))
      return failure();
    rewriter.replaceOpWithNewOp<StorageCastOp>(
        quantize, quantize.getType(),
        storedAs(rewriter, quantize.getLoc(), q, quantType, *out));
    return success();
  }
};

struct LowerToIntegerPass : qc::impl::QCLowerToIntegerBase<LowerToIntegerPass> {
  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    patterns.add<MinifloatWeights, LowerLayer, LowerChannelAffine, LowerAdd, LowerActivationTable,
                 LowerProduct, LowerMean, LowerAvgPool, LowerDataMovement,
                 LowerPad, SinkDequantize, LowerRequantization>(&getContext());
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      return signalPassFailure();
  }
};

} // namespace

bool qcc::qc::hasIntegerLowering(OperationName name) {
  // LowerActivationTable, and the ReLU / Clip fused into a layer's clamp.
  if (name.hasInterface<ScalarFunctionOpInterface>() ||
      name.getStringRef() == ClipOp::getOperationName())
    return true;
  // LowerDataMovement, SinkDequantize, LowerPad.
  if (name.hasTrait<OpTrait::ScalePreserving>() ||
      name.getStringRef() == PadOp::getOperationName())
    return true;
  // LowerLayer, LowerChannelAffine, LowerAdd, LowerProduct, LowerMean,
  // LowerAvgPool.
  return llvm::is_contained(
      ArrayRef<StringRef>{
          ConvOp::getOperationName(), GemmOp::getOperationName(),
          MatMulOp::getOperationName(), BatchNormOp::getOperationName(),
          AddOp::getOperationName(), MulOp::getOperationName(),
          GlobalAvgPoolOp::getOperationName(), ReduceMeanOp::getOperationName(),
          AvgPoolOp::getOperationName()},
      name.getStringRef());
}
