//===- Quantize.cpp - Quantize/dequantize for every qcc format ------------===//

#include "qcc/Numerics/Quantize.h"

#include <algorithm>
#include <cmath>

namespace qcc::numerics {

int64_t quantizeInteger(float x, float scale, int64_t zeroPoint,
                        IntegerRange range, RoundingMode mode) {
  if (std::isnan(x))
    return saturate(zeroPoint, range);
  const float scaled = x / scale; // Single precision, as ONNX Runtime.
  const double rounded = roundToIntegral(scaled, mode);
  return roundAndSaturate(rounded + static_cast<double>(zeroPoint),
                          RoundingMode::TowardZero, range);
}

float dequantizeInteger(int64_t q, float scale, int64_t zeroPoint) {
  return static_cast<float>(q - zeroPoint) * scale;
}

AffineParams chooseAffineParams(double lo, double hi, IntegerRange range,
                                bool symmetric) {
  lo = std::min(lo, 0.0);
  hi = std::max(hi, 0.0);
  if (symmetric) {
    const double bound = std::max(std::fabs(lo), std::fabs(hi));
    const float scale =
        static_cast<float>(bound / static_cast<double>(range.max));
    return {scale > 0 ? scale : 1.0f, 0};
  }
  const float scale = static_cast<float>(
      (hi - lo) / static_cast<double>(range.max - range.min));
  if (!(scale > 0))
    return {1.0f, saturate(0, range)};
  const double zeroPoint = roundToIntegral(
      static_cast<double>(range.min) - lo / scale, RoundingMode::HalfToEven);
  return {scale, saturate(static_cast<int64_t>(zeroPoint), range)};
}

float powerOfTwoAtLeast(float scale) {
  if (!(scale > 0) || !std::isfinite(scale))
    return 1.0f;
  int exponent = 0;
  const float mantissa = std::frexp(scale, &exponent); // in [0.5, 1)
  // scale = mantissa * 2^exponent: exactly 2^(exponent-1) at 0.5.
  return std::ldexp(1.0f, mantissa == 0.5f ? exponent - 1 : exponent);
}

uint8_t quantizeMinifloat(float x, float scale, MinifloatKind kind,
                          RoundingMode mode, bool saturate) {
  const float scaled = x / scale;
  return encodeMinifloat(kind, scaled, mode, saturate);
}

float dequantizeMinifloat(uint8_t code, float scale, MinifloatKind kind) {
  return static_cast<float>(decodeMinifloat(kind, code)) * scale;
}

uint8_t computeBlockScale(const float *values, size_t count,
                          const BlockFormat &format) {
  const MinifloatFormat &element = getMinifloatFormat(format.elementKind);
  const MinifloatFormat &scale = getMinifloatFormat(format.scaleKind);
  float amax = 0;
  for (size_t i = 0; i < count; ++i) {
    if (!std::isfinite(values[i]))
      return encodeMinifloat(format.scaleKind, std::nan(""));
    amax = std::max(amax, std::fabs(values[i]));
  }
  if (format.scaleKind == MinifloatKind::F8E8M0FNU) {
    // OCP MX: X = 2^(floor(log2(amax)) - emax_elem), clamped to E8M0.
    if (amax == 0)
      return 0;
    const int exponent = std::clamp(std::ilogb(amax) - element.maxExponent(),
                                    -scale.bias, scale.bias);
    return static_cast<uint8_t>(exponent + scale.bias);
  }
  // NVFP4-style: the block's amax maps onto the element's largest value.
  const float target =
      amax / (static_cast<float>(element.maxFinite()) * format.tensorScale);
  return encodeMinifloat(format.scaleKind, target, RoundingMode::HalfToEven,
                         /*saturate=*/true);
}

float blockMultiplier(uint8_t scaleCode, const BlockFormat &format) {
  return static_cast<float>(decodeMinifloat(format.scaleKind, scaleCode)) *
         format.tensorScale;
}

QuantizedBlock quantizeBlock(const float *values, size_t count,
                             const BlockFormat &format) {
  QuantizedBlock block;
  block.scaleCode = computeBlockScale(values, count, format);
  const float multiplier = blockMultiplier(block.scaleCode, format);
  block.elementCodes.reserve(count);
  for (size_t i = 0; i < count; ++i)
    block.elementCodes.push_back(
        multiplier == 0
            ? uint8_t{0}
            : quantizeMinifloat(values[i], multiplier, format.elementKind));
  return block;
}

float dequantizeBlockElement(uint8_t elementCode, uint8_t scaleCode,
                             const BlockFormat &format) {
  return static_cast<float>(decodeMinifloat(format.elementKind, elementCode)) *
         blockMultiplier(scaleCode, format);
}

std::optional<BlockFormat> parseBlockFormat(std::string_view name) {
  if (name == "mxfp8")
    return BlockFormat::mxfp8();
  if (name == "mxfp6")
    return BlockFormat::mxfp6();
  if (name == "mxfp4")
    return BlockFormat::mxfp4();
  if (name == "nvfp4")
    return BlockFormat::nvfp4();
  return std::nullopt;
}

float nvfp4TensorScale(float amax) {
  const double denominator =
      getMinifloatFormat(MinifloatKind::F4E2M1FN).maxFinite() *
      getMinifloatFormat(MinifloatKind::F8E4M3FN).maxFinite();
  if (!(amax > 0) || !std::isfinite(amax))
    return 1.0f;
  return static_cast<float>(amax / denominator);
}

BlockCodes quantizeBlocksAlong(const std::vector<float> &values, int64_t depth,
                               int64_t inner, const BlockFormat &format) {
  const int64_t block = format.blockSize;
  const int64_t outer = static_cast<int64_t>(values.size()) / (depth * inner);
  BlockCodes codes;
  codes.elements.resize(values.size());
  codes.scales.resize(outer * (depth / block) * inner);
  std::vector<float> chunk(block);
  for (int64_t o = 0; o < outer; ++o)
    for (int64_t i = 0; i < inner; ++i)
      for (int64_t b0 = 0; b0 < depth; b0 += block) {
        for (int64_t r = 0; r < block; ++r)
          chunk[r] = values[(o * depth + b0 + r) * inner + i];
        const QuantizedBlock q = quantizeBlock(chunk.data(), block, format);
        for (int64_t r = 0; r < block; ++r)
          codes.elements[(o * depth + b0 + r) * inner + i] = q.elementCodes[r];
        codes.scales[(o * (depth / block) + b0 / block) * inner + i] =
            q.scaleCode;
      }
  return codes;
}

std::vector<float> dequantizeBlocksAlong(const std::vector<uint8_t> &elements,
                                         const std::vector<uint8_t> &scales,
                                         int64_t depth, int64_t inner,
                                         const BlockFormat &format) {
  const int64_t block = format.blockSize;
  std::vector<float> values(elements.size());
  for (size_t e = 0; e < elements.size(); ++e) {
    // Element (outer, r, i) reads scale (outer, r / block, i).
    const int64_t flat = static_cast<int64_t>(e);
    const int64_t i = flat % inner, r = (flat / inner) % depth,
                  outer = flat / (inner * depth);
    values[e] = dequantizeBlockElement(
        elements[e], scales[(outer * (depth / block) + r / block) * inner + i],
        format);
  }
  return values;
}

std::optional<WeightFormat> parseWeightFormat(std::string_view name) {
  struct Named {
    std::string_view name;
    MinifloatKind kind;
  };
  static constexpr Named floats[] = {{"fp8e4m3", MinifloatKind::F8E4M3FN},
                                     {"fp8e5m2", MinifloatKind::F8E5M2},
                                     {"fp6e3m2", MinifloatKind::F6E3M2FN},
                                     {"fp6e2m3", MinifloatKind::F6E2M3FN},
                                     {"fp4e2m1", MinifloatKind::F4E2M1FN}};
  for (const Named &f : floats)
    if (f.name == name)
      return WeightFormat{getMinifloatFormat(f.kind).bits(), f.kind};
  if (name.substr(0, 3) != "int" || name.size() < 4 || name.size() > 5)
    return std::nullopt;
  unsigned bits = 0;
  for (char c : name.substr(3)) {
    if (c < '0' || c > '9')
      return std::nullopt;
    bits = bits * 10 + (c - '0');
  }
  if (bits < 2 || bits > 16 || name[3] == '0')
    return std::nullopt;
  return WeightFormat{bits, std::nullopt};
}

} // namespace qcc::numerics
