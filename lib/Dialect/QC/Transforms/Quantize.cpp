//===- Quantize.cpp - QDQ quantization of the linear layers ---------------===//

#include "qcc/Numerics/Quantize.h"
#include "qcc/Dialect/QC/IR/QCConstants.h"
#include "qcc/Dialect/QC/IR/QCDialect.h"
#include "qcc/Dialect/QC/IR/QCOps.h"
#include "qcc/Dialect/QC/Transforms/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Quant/IR/QuantTypes.h"
#include "mlir/IR/Builders.h"
#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/SetVector.h"

#include <cmath>

namespace qcc::qc {
#define GEN_PASS_DEF_QCQUANTIZE
#include "qcc/Dialect/QC/Transforms/Passes.h.inc"
} // namespace qcc::qc

using namespace mlir;
using namespace qcc;
using namespace qcc::qc;

namespace {

/// Which operand of a linear layer is the weight, and its channel axis.
struct WeightOperand {
  unsigned index;
  int64_t axis;
};

std::optional<WeightOperand> weightOperand(Operation *op) {
  auto layer = dyn_cast<WeightedLayerOpInterface>(op);
  if (!layer)
    return std::nullopt;
  return WeightOperand{layer.getWeightOperandIndex(),
                       layer.getWeightChannelAxis()};
}

/// The weight's reduction (input-channel) axis, along which groups run.
int64_t reductionAxis(Operation *op) {
  return cast<WeightedLayerOpInterface>(op).getWeightReductionAxis();
}

/// The calibrated range of `value`, if any.
std::optional<std::pair<double, double>> getActRange(Value value) {
  DenseF64ArrayAttr attr;
  if (auto arg = dyn_cast<BlockArgument>(value)) {
    if (auto func = dyn_cast<func::FuncOp>(arg.getOwner()->getParentOp()))
      attr = func.getArgAttrOfType<DenseF64ArrayAttr>(
          arg.getArgNumber(), QCDialect::ActRangeAttrHelper::getNameStr());
  } else if (value.getDefiningOp()->getNumResults() == 1) {
    attr = value.getDefiningOp()->getAttrOfType<DenseF64ArrayAttr>(
        QCDialect::ActRangeAttrHelper::getNameStr());
  }
  if (!attr || attr.size() != 2)
    return std::nullopt;
  return std::make_pair(attr[0], attr[1]);
}

/// A number identifying `format` (cache keys).
unsigned keyOf(const numerics::WeightFormat &format) {
  return format.bits * 16 +
         (format.minifloat ? 1 + static_cast<unsigned>(*format.minifloat) : 0);
}

/// The MLIR float type of a low-bit float format.
FloatType minifloatType(MLIRContext *ctx, numerics::MinifloatKind kind) {
  switch (kind) {
  case numerics::MinifloatKind::F8E4M3FN:
    return Float8E4M3FNType::get(ctx);
  case numerics::MinifloatKind::F8E5M2:
    return Float8E5M2Type::get(ctx);
  case numerics::MinifloatKind::F6E3M2FN:
    return Float6E3M2FNType::get(ctx);
  case numerics::MinifloatKind::F6E2M3FN:
    return Float6E2M3FNType::get(ctx);
  case numerics::MinifloatKind::F4E2M1FN:
    return Float4E2M1FNType::get(ctx);
  case numerics::MinifloatKind::F8E8M0FNU:
    return Float8E8M0FNUType::get(ctx);
  }
  llvm_unreachable("unknown minifloat kind");
}

/// The format named by string attribute `name` of `op`, else `fallback`;
/// failure (with an error) for an unknown name (which the dialect's
/// verifier rejects first).
FailureOr<numerics::WeightFormat>
formatAttribute(Operation *op, StringRef name,
                const numerics::WeightFormat &fallback) {
  auto chosen = op->getAttrOfType<StringAttr>(name);
  if (!chosen)
    return fallback;
  auto parsed = numerics::parseWeightFormat(chosen.getValue());
  if (!parsed)
    return op->emitOpError() << "unknown format " << chosen;
  return *parsed;
}

/// How a weight tensor's elements map to channels along `axis` (all
/// elements in one "channel" when not per channel).
struct ChannelLayout {
  int64_t channels = 1;
  int64_t inner = 1;
  int64_t of(int64_t i) const { return (i / inner) % channels; }

  static ChannelLayout get(RankedTensorType type, int64_t axis,
                           bool perChannel) {
    ChannelLayout l;
    if (!perChannel)
      return l;
    l.channels = type.getDimSize(axis);
    for (int64_t d = axis + 1; d < type.getRank(); ++d)
      l.inner *= type.getDimSize(d);
    return l;
  }

  /// max |w| per channel.
  std::vector<double> absMax(const std::vector<float> &values) const {
    std::vector<double> result(channels, 0.0);
    for (size_t i = 0; i < values.size(); ++i)
      result[of(i)] = std::max(result[of(i)], std::fabs(double(values[i])));
    return result;
  }
};

struct QCQuantizePass : qcc::qc::impl::QCQuantizeBase<QCQuantizePass> {
  using Base::Base;

  /// The storage range of integer weights: narrow symmetric (e.g.
  /// [-7, 7]) or, with asymmetric-weights, the full signed range.
  numerics::IntegerRange weightRange(unsigned bits) const {
    return numerics::IntegerRange::forBits(bits, true,
                                           /*narrow=*/!asymmetricWeights);
  }

  /// Scale and zero point for a channel's or group's `values`: their range
  /// (symmetric: +-absmax), or with weight-clipping=mse the range shrunk by
  /// 0..50% in 1% steps that minimises the squared quantization error
  /// (ties keep the wider range).
  numerics::AffineParams
  chooseWeightParams(const std::vector<float> &values,
                     numerics::IntegerRange range) const {
    double lo = 0, hi = 0;
    for (float v : values) {
      lo = std::min(lo, double(v));
      hi = std::max(hi, double(v));
    }
    const bool symmetric = !asymmetricWeights;
    if (symmetric) {
      hi = std::max(-lo, hi);
      lo = -hi;
    }
    numerics::AffineParams best =
        numerics::chooseAffineParams(lo, hi, range, symmetric);
    if (pow2Scales) {
      // Fixed point: no clipping search (the scale only moves by octaves).
      best.scale = numerics::powerOfTwoAtLeast(best.scale);
      return best;
    }
    if (weightClipping != "mse")
      return best;
    double bestError = INFINITY;
    for (int step = 0; step <= 50; ++step) {
      const double shrink = 1.0 - 0.01 * step;
      numerics::AffineParams p = numerics::chooseAffineParams(
          lo * shrink, hi * shrink, range, symmetric);
      double error = 0;
      for (float w : values) {
        const double d =
            w - numerics::dequantizeInteger(
                    numerics::quantizeInteger(w, p.scale, p.zeroPoint, range),
                    p.scale, p.zeroPoint);
        error += d * d;
      }
      if (error < bestError) {
        bestError = error;
        best = p;
      }
    }
    return best;
  }

  /// Replaces weight operand `which` of `op` by `stored` values of
  /// `storage` type, a storage cast to `quantized` and a dequantize.
  void replaceWeight(Operation *op, WeightOperand which,
                     ArrayRef<double> stored, Type storage, Type quantized) {
    Value w = op->getOperand(which.index);
    auto type = cast<RankedTensorType>(w.getType());
    OpBuilder b(op);
    Value values = createConstant(
        b, w.getLoc(), RankedTensorType::get(type.getShape(), storage), stored,
        derivedConstantName(w, "_q", ""));
    Value cast = StorageCastOp::create(
        b, w.getLoc(), RankedTensorType::get(type.getShape(), quantized),
        values);
    Value dequantized = DequantizeOp::create(b, w.getLoc(), type, cast);
    op->setOperand(which.index, dequantized);
  }

  /// Replaces constant weight operand `which` of `op` by `format` weights
  /// (a storage cast and a dequantize). Layers sharing a float weight share
  /// its quantized form when they share the format.
  LogicalResult quantizeWeight(Operation *op, WeightOperand which,
                               const numerics::WeightFormat &format) {
    const std::tuple<Value, int64_t, unsigned> key = {
        op->getOperand(which.index), which.axis, keyOf(format)};
    if (auto cached = quantizedWeights.find(key);
        cached != quantizedWeights.end()) {
      op->setOperand(which.index, cached->second);
      return success();
    }
    if (failed(quantizeNewWeight(op, which, format)))
      return failure();
    if (op->getOperand(which.index) != std::get<0>(key))
      quantizedWeights[key] = op->getOperand(which.index);
    return success();
  }

  /// quantizeWeight for a weight not quantized to `format` before.
  LogicalResult quantizeNewWeight(Operation *op, WeightOperand which,
                                  const numerics::WeightFormat &format) {
    Value w = op->getOperand(which.index);
    auto values = getF32Constant(w);
    if (!values)
      return success(); // An activation in the weight position: see below.
    auto type = cast<RankedTensorType>(w.getType());
    if (format.minifloat)
      return quantizeWeightToFloat(op, which, *values, *format.minifloat);
    const unsigned bits = format.bits;
    // Layers whose input channels do not split into groups (e.g. a first
    // conv on one input channel) fall back to per-channel scales.
    if (groupSize > 0 &&
        type.getDimSize(reductionAxis(op)) % static_cast<int64_t>(groupSize) ==
            0)
      return quantizeWeightPerGroup(op, which, *values, bits);
    const numerics::IntegerRange range = weightRange(bits);
    const ChannelLayout layout =
        ChannelLayout::get(type, which.axis, perChannel);
    const int64_t channels = layout.channels;
    auto channelOf = [&](int64_t i) { return layout.of(i); };
    std::vector<std::vector<float>> channelValues(channels);
    for (size_t i = 0; i < values->size(); ++i)
      channelValues[channelOf(i)].push_back((*values)[i]);
    std::vector<numerics::AffineParams> params;
    for (int64_t c = 0; c < channels; ++c)
      params.push_back(chooseWeightParams(channelValues[c], range));
    std::vector<double> stored(values->size());
    for (size_t i = 0; i < values->size(); ++i) {
      const numerics::AffineParams &p = params[channelOf(i)];
      stored[i] = static_cast<double>(
          numerics::quantizeInteger((*values)[i], p.scale, p.zeroPoint, range));
    }

    MLIRContext *ctx = &getContext();
    Type storage = IntegerType::get(ctx, bits);
    Type quantized;
    const unsigned flags = quant::QuantizationFlags::Signed;
    auto f32 = Float32Type::get(ctx);
    if (perChannel) {
      SmallVector<double> scales;
      SmallVector<int64_t> zeroPoints;
      for (const auto &p : params) {
        scales.push_back(p.scale);
        zeroPoints.push_back(p.zeroPoint);
      }
      quantized = quant::UniformQuantizedPerAxisType::get(
          flags, storage, f32, scales, zeroPoints, which.axis, range.min,
          range.max);
    } else {
      quantized = quant::UniformQuantizedType::get(
          flags, storage, f32, params[0].scale, params[0].zeroPoint, range.min,
          range.max);
    }
    replaceWeight(op, which, stored, storage, quantized);
    return success();
  }

  /// Per-group integer weights: within each output channel, one scale (and
  /// zero point, with asymmetric-weights) per `groupSize` consecutive input
  /// channels (a sub-channel
  /// `!quant.uniform` type with blocks {channel axis: 1, input axis: G}).
  LogicalResult quantizeWeightPerGroup(Operation *op, WeightOperand which,
                                       const std::vector<float> &values,
                                       unsigned bits) {
    Value w = op->getOperand(which.index);
    auto type = cast<RankedTensorType>(w.getType());
    const int64_t axis = which.axis, reduction = reductionAxis(op);
    const int64_t depth = type.getDimSize(reduction);
    ArrayRef<int64_t> shape = type.getShape();
    SmallVector<int64_t> groupShape(shape.size(), 1);
    groupShape[axis] = shape[axis];
    groupShape[reduction] = depth / groupSize;
    const int64_t numGroups = groupShape[axis] * groupShape[reduction];
    // Group of flat element i: (channel, input index / G) in groupShape.
    auto groupOf = [&](int64_t i) {
      int64_t rest = i, channel = 0, block = 0;
      for (int64_t d = static_cast<int64_t>(shape.size()) - 1; d >= 0; --d) {
        const int64_t coordinate = rest % shape[d];
        rest /= shape[d];
        if (d == axis)
          channel = coordinate;
        if (d == reduction)
          block = coordinate / groupSize;
      }
      return axis < reduction ? channel * groupShape[reduction] + block
                              : block * groupShape[axis] + channel;
    };
    const numerics::IntegerRange range = weightRange(bits);
    std::vector<std::vector<float>> groupValues(numGroups);
    for (size_t i = 0; i < values.size(); ++i)
      groupValues[groupOf(i)].push_back(values[i]);
    std::vector<float> scales;
    std::vector<int64_t> zeroPoints;
    for (const std::vector<float> &group : groupValues) {
      const numerics::AffineParams p = chooseWeightParams(group, range);
      scales.push_back(p.scale);
      zeroPoints.push_back(p.zeroPoint);
    }
    std::vector<double> stored(values.size());
    for (size_t i = 0; i < values.size(); ++i)
      stored[i] = static_cast<double>(numerics::quantizeInteger(
          values[i], scales[groupOf(i)], zeroPoints[groupOf(i)], range));

    MLIRContext *ctx = &getContext();
    OpBuilder b(op);
    Type storage = IntegerType::get(ctx, bits);
    auto f32 = Float32Type::get(ctx);
    auto scaleType = RankedTensorType::get(groupShape, f32);
    auto zeroType = RankedTensorType::get(groupShape, storage);
    auto scalesAttr =
        DenseElementsAttr::get(scaleType, ArrayRef<float>(scales));
    SmallVector<APInt> zeroValues;
    for (int64_t z : zeroPoints)
      zeroValues.push_back(APInt(bits, z, /*isSigned=*/true));
    auto zerosAttr = DenseElementsAttr::get(zeroType, zeroValues);
    SmallVector<int32_t> dims = {static_cast<int32_t>(axis),
                                 static_cast<int32_t>(reduction)};
    SmallVector<int64_t> blocks = {1, groupSize};
    Type quantized = quant::UniformQuantizedSubChannelType::get(
        quant::QuantizationFlags::Signed, storage, f32, scalesAttr, zerosAttr,
        dims, blocks, range.min, range.max);
    replaceWeight(op, which, stored, storage, quantized);
    return success();
  }

  /// Low-bit float weights: per-channel (or per-tensor) scales mapping the
  /// absmax onto the format's largest finite value, codes rounded to
  /// nearest even by the numerics library.
  LogicalResult quantizeWeightToFloat(Operation *op, WeightOperand which,
                                      const std::vector<float> &values,
                                      numerics::MinifloatKind kind) {
    Value w = op->getOperand(which.index);
    auto type = cast<RankedTensorType>(w.getType());
    const double maxFinite = numerics::getMinifloatFormat(kind).maxFinite();
    const ChannelLayout layout =
        ChannelLayout::get(type, which.axis, perChannel);
    auto channelOf = [&](int64_t i) { return layout.of(i); };
    const std::vector<double> absmax = layout.absMax(values);
    std::vector<std::vector<float>> channelValues(layout.channels);
    if (weightClipping == "mse")
      for (size_t i = 0; i < values.size(); ++i)
        channelValues[channelOf(i)].push_back(values[i]);
    SmallVector<double> scales;
    for (int64_t c = 0; c < layout.channels; ++c) {
      // absmax onto the largest finite value; with mse, the scale (the
      // clipping value maxFinite * scale, and in LLM-FP4's terms the
      // exponent bias) among absmax * (1 - 0.01 k) / maxFinite, k = 0..50,
      // with the least squared error (ties keep the larger scale).
      float best = static_cast<float>(absmax[c] / maxFinite);
      if (weightClipping == "mse" && best > 0) {
        double bestError = INFINITY;
        for (int step = 0; step <= 50; ++step) {
          const float scale =
              static_cast<float>(absmax[c] * (1.0 - 0.01 * step) / maxFinite);
          double error = 0;
          for (float v : channelValues[c]) {
            const double d =
                v -
                numerics::dequantizeMinifloat(
                    numerics::quantizeMinifloat(v, scale, kind), scale, kind);
            error += d * d;
          }
          if (error < bestError) {
            bestError = error;
            best = scale;
          }
        }
      }
      scales.push_back(best > 0 ? best : 1.0f);
    }
    std::vector<double> codes(values.size());
    for (size_t i = 0; i < values.size(); ++i)
      codes[i] = numerics::quantizeMinifloat(
          values[i], static_cast<float>(scales[channelOf(i)]), kind);

    OpBuilder b(op);
    MLIRContext *ctx = &getContext();
    FloatType storage = minifloatType(ctx, kind);
    auto quantized = ScaledFloatType::get(
        ctx, storage, Float32Type::get(ctx), b.getDenseF64ArrayAttr(scales),
        perChannel ? static_cast<int32_t>(which.axis)
                   : ScaledFloatType::kPerTensor);
    Type codeType = IntegerType::get(ctx, storage.getWidth());
    replaceWeight(op, which, codes, codeType, quantized);
    return success();
  }

  /// Block-scaled weights (MXFP8/6/4, NVFP4) along the reduction axis:
  /// element codes and one scale code per block (the numerics library's
  /// quantizeBlock), and a `qc.dequantize_blocks` of them; the layer records
  /// the format in `qc.block_weights`. A reduction not split into whole
  /// blocks gets per-channel scales of the element format instead.
  LogicalResult quantizeWeightToBlocks(Operation *op, WeightOperand which,
                                       const std::vector<float> &values,
                                       numerics::BlockFormat format,
                                       StringRef name) {
    Value w = op->getOperand(which.index);
    auto type = cast<RankedTensorType>(w.getType());
    const int64_t axis = reductionAxis(op);
    const int64_t depth = type.getDimSize(axis);
    const int64_t block = format.blockSize;
    if (depth % block != 0)
      return quantizeWeightToFloat(op, which, values, format.elementKind);
    if (format.scaleKind == numerics::MinifloatKind::F8E4M3FN) {
      float amax = 0;
      for (float v : values)
        amax = std::max(amax, std::fabs(v));
      format.tensorScale = numerics::nvfp4TensorScale(amax);
    }
    int64_t inner = 1;
    for (int64_t d = axis + 1; d < type.getRank(); ++d)
      inner *= type.getDimSize(d);
    const numerics::BlockCodes blockCodes =
        numerics::quantizeBlocksAlong(values, depth, inner, format);
    const std::vector<double> codes(blockCodes.elements.begin(),
                                    blockCodes.elements.end());
    std::vector<double> scales;
    for (uint8_t code : blockCodes.scales)
      scales.push_back(static_cast<int8_t>(code)); // i8 storage
    MLIRContext *ctx = &getContext();
    OpBuilder b(op);
    FloatType element = minifloatType(ctx, format.elementKind);
    SmallVector<int64_t> scaleShape(type.getShape());
    scaleShape[axis] /= block;
    Value codeTensor = createConstant(
        b, w.getLoc(),
        RankedTensorType::get(type.getShape(),
                              IntegerType::get(ctx, element.getWidth())),
        codes, derivedConstantName(w, ("_" + name).str(), ""));
    Value scaleTensor = createConstant(
        b, w.getLoc(), RankedTensorType::get(scaleShape, b.getI8Type()), scales,
        derivedConstantName(w, ("_" + name + "_scales").str(), ""));
    auto blockType = BlockScaledType::get(
        ctx, element, Float32Type::get(ctx),
        minifloatType(ctx, format.scaleKind), format.blockSize,
        static_cast<int32_t>(axis), APFloat(format.tensorScale));
    Value dequantized = DequantizeBlocksOp::create(
        b, w.getLoc(), type, codeTensor, scaleTensor, TypeAttr::get(blockType));
    op->setOperand(which.index, dequantized);
    op->setAttr(QCDialect::BlockWeightsAttrHelper::getNameStr(),
                b.getStringAttr(name));
    if (Operation *def = w.getDefiningOp(); def && def->use_empty())
      def->erase();
    return success();
  }

  /// A quantize/dequantize pair to `format` right after `value`'s
  /// definition (shared by all users quantizing it to that format), or null
  /// without a calibrated range.
  Value quantizeActivation(Value value, const numerics::WeightFormat &format) {
    const unsigned key = keyOf(format);
    auto it = fakeQuantized.find({value, key});
    if (it != fakeQuantized.end())
      return it->second;
    auto range = getActRange(value);
    auto type = dyn_cast<RankedTensorType>(value.getType());
    if (!range || !type || !type.getElementType().isF32())
      return fakeQuantized[{value, key}] = Value();
    MLIRContext *ctx = &getContext();
    Type quantized;
    if (format.minifloat) {
      // Low-bit float activations: one scale mapping the range's absmax
      // onto the format's largest value.
      const double absmax =
          std::max(std::fabs(range->first), std::fabs(range->second));
      const double maxFinite =
          numerics::getMinifloatFormat(*format.minifloat).maxFinite();
      const double scale =
          absmax > 0 ? static_cast<float>(absmax / maxFinite) : 1.0;
      quantized = ScaledFloatType::get(
          ctx, minifloatType(ctx, *format.minifloat), Float32Type::get(ctx),
          DenseF64ArrayAttr::get(ctx, {scale}), ScaledFloatType::kPerTensor);
    } else {
      const bool symmetric = symmetricActs || pow2Scales;
      const numerics::IntegerRange storageRange =
          numerics::IntegerRange::forBits(format.bits, true,
                                          /*narrow=*/symmetric);
      numerics::AffineParams p = numerics::chooseAffineParams(
          range->first, range->second, storageRange, symmetric);
      if (pow2Scales)
        p.scale = numerics::powerOfTwoAtLeast(p.scale);
      quantized = quant::UniformQuantizedType::get(
          quant::QuantizationFlags::Signed, IntegerType::get(ctx, format.bits),
          type.getElementType(), p.scale, p.zeroPoint, storageRange.min,
          storageRange.max);
    }
    OpBuilder b(ctx);
    if (auto arg = dyn_cast<BlockArgument>(value))
      b.setInsertionPointToStart(arg.getOwner());
    else
      b.setInsertionPointAfter(value.getDefiningOp());
    Location loc = value.getLoc();
    Value q = QuantizeOp::create(
        b, loc, RankedTensorType::get(type.getShape(), quantized), value);
    Value dq = DequantizeOp::create(b, loc, type, q);
    return fakeQuantized[{value, key}] = dq;
  }

  /// Every calibrated f32 activation read by all its users through a
  /// quantize/dequantize pair.
  void quantizeAllActivations() {
    SmallVector<Value> values;
    getOperation()->walk([&](Operation *op) {
      if (auto func = dyn_cast<FunctionOpInterface>(op)) {
        if (!func.isExternal())
          for (BlockArgument arg : func.getArguments())
            values.push_back(arg);
        return;
      }
      if (!isa<QuantizeOp, DequantizeOp>(op))
        llvm::append_range(values, op->getResults());
    });
    for (Value value : values) {
      Value dq = quantizeActivation(value, {actBits, std::nullopt});
      if (!dq)
        continue;
      Operation *quantize = dq.getDefiningOp()->getOperand(0).getDefiningOp();
      value.replaceAllUsesExcept(dq, quantize);
    }
  }

  void runOnOperation() override {
    if (weightClipping != "absmax" && weightClipping != "mse") {
      getOperation()->emitError()
          << "qc-quantize: weight-clipping must be absmax or mse, got '"
          << weightClipping << "'";
      return signalPassFailure();
    }
    if (pow2Scales && (asymmetricWeights || weightFormat != "int")) {
      getOperation()->emitError()
          << "qc-quantize: pow2-scales is a fixed-point format: integer "
             "weights, symmetric (not asymmetric-weights, not "
          << weightFormat << ")";
      return signalPassFailure();
    }
    if (weightBits < 2 || weightBits > 16 || actBits < 2 || actBits > 16) {
      getOperation()->emitError()
          << "qc-quantize: weight-bits and act-bits must be in [2, 16]";
      return signalPassFailure();
    }
    if (weightOnly && allActivations) {
      getOperation()->emitError()
          << "qc-quantize: weight-only leaves activations in float; it "
             "cannot be combined with all-activations";
      return signalPassFailure();
    }
    // The options' format, for layers without a `qc.weight_format`.
    numerics::WeightFormat defaultFormat{weightBits, std::nullopt};
    if (weightFormat != "int" && !numerics::parseBlockFormat(weightFormat)) {
      auto kind = numerics::parseMinifloatKind(weightFormat);
      if (!kind || *kind == numerics::MinifloatKind::F8E8M0FNU) {
        getOperation()->emitError()
            << "qc-quantize: unknown weight-format '" << weightFormat << "'";
        return signalPassFailure();
      }
      defaultFormat = {numerics::getMinifloatFormat(*kind).bits(), *kind};
    }
    // Block-scaled formats (by name) for layers without their own format.
    const std::optional<numerics::BlockFormat> blockFormat =
        numerics::parseBlockFormat(weightFormat);
    if (blockFormat)
      defaultFormat = {8, std::nullopt};
    const numerics::WeightFormat defaultActFormat{actBits, std::nullopt};
    SmallVector<Operation *> layers;
    getOperation()->walk([&](Operation *op) {
      if (isa<WeightedLayerOpInterface>(op) && !isKeptFloat(op, keepFloat))
        layers.push_back(op);
    });
    for (Operation *op : layers) {
      if (!cast<RankedTensorType>(op->getResult(0).getType())
               .getElementType()
               .isF32())
        continue; // Already integer (imported QLinear ops).
      auto format = formatAttribute(
          op, QCDialect::WeightFormatAttrHelper::getNameStr(), defaultFormat);
      auto actFormat = formatAttribute(
          op, QCDialect::ActFormatAttrHelper::getNameStr(), defaultActFormat);
      if (failed(format) || failed(actFormat))
        return signalPassFailure();
      auto weight = weightOperand(op);
      const bool ownFormat =
          op->hasAttr(QCDialect::WeightFormatAttrHelper::getNameStr());
      if (weight && blockFormat && !ownFormat) {
        if (auto values = getF32Constant(op->getOperand(weight->index));
            values && failed(quantizeWeightToBlocks(
                          op, *weight, *values, *blockFormat, weightFormat)))
          return signalPassFailure();
      } else if (weight && failed(quantizeWeight(op, *weight, *format))) {
        return signalPassFailure();
      }
      if (weightOnly)
        continue;
      for (unsigned index :
           cast<WeightedLayerOpInterface>(op).getActivationOperandIndices()) {
        Value operand = op->getOperand(index);
        if (operand.getDefiningOp<DequantizeOp>())
          continue; // A quantized weight (or already quantized).
        if (Value dq = quantizeActivation(operand, *actFormat))
          op->setOperand(index, dq);
      }
    }
    if (allActivations)
      quantizeAllActivations();
    // The float weights the integer ones replaced.
    llvm::SetVector<Operation *> dead;
    for (auto &entry : quantizedWeights)
      if (Operation *def = std::get<0>(entry.first).getDefiningOp();
          def && def->use_empty())
        dead.insert(def);
    for (Operation *def : dead)
      def->erase();
  }

  /// Quantized activations by (value, format key).
  llvm::DenseMap<std::pair<Value, unsigned>, Value> fakeQuantized;
  /// Quantized weights by (float weight, channel axis, format key).
  llvm::DenseMap<std::tuple<Value, int64_t, unsigned>, Value> quantizedWeights;
};

} // namespace
