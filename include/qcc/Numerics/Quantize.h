//===- Quantize.h - Quantize/dequantize for every qcc format ----*- C++ -*-===//
//
// Element-wise quantization semantics shared by every part of qcc. All
// arithmetic on the float side is single precision, in the order written
// below, so that results agree bit for bit with ONNX Runtime's
// QuantizeLinear/DequantizeLinear on exported models.
//
//===----------------------------------------------------------------------===//

#ifndef QCC_NUMERICS_QUANTIZE_H
#define QCC_NUMERICS_QUANTIZE_H

#include "qcc/Numerics/Minifloat.h"
#include "qcc/Numerics/Rounding.h"

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

namespace qcc::numerics {

//===----------------------------------------------------------------------===//
// Uniform integer quantization (ONNX QuantizeLinear / DequantizeLinear)
//===----------------------------------------------------------------------===//

/// q = saturate(round(x / scale) + zeroPoint), with `x / scale` computed in
/// float and rounded by `mode` (ONNX: HalfToEven). NaN maps to `zeroPoint`
/// (the real value 0); infinities saturate.
int64_t quantizeInteger(float x, float scale, int64_t zeroPoint,
                        IntegerRange range,
                        RoundingMode mode = RoundingMode::HalfToEven);

/// x = (q - zeroPoint) * scale, in float.
float dequantizeInteger(int64_t q, float scale, int64_t zeroPoint);

/// A scale and zero point.
struct AffineParams {
  float scale;
  int64_t zeroPoint;
};

/// The parameters that map the real range [lo, hi] (widened to contain 0, so
/// that 0 is exact) onto `range`:
///  - asymmetric: scale = (hi - lo) / (qmax - qmin) and
///    zeroPoint = round_half_even(qmin - lo / scale), clamped into `range`;
///  - symmetric: scale = max(|lo|, |hi|) / qmax, zeroPoint = 0 (use a
///    narrow signed range such as [-127, 127]).
/// The scale is a float (as ONNX stores it); a zero-width range gets scale 1.
AffineParams chooseAffineParams(double lo, double hi, IntegerRange range,
                                bool symmetric);

/// The smallest power of two at least `scale` (a fixed-point format: the
/// values `code * 2^-F` of an `ap_fixed`), 1 for a scale that is not
/// positive and finite. Rounding up keeps the range representable.
float powerOfTwoAtLeast(float scale);

//===----------------------------------------------------------------------===//
// Scaled low-bit float quantization (ONNX QuantizeLinear to FLOAT8*)
//===----------------------------------------------------------------------===//

/// code = encode(x / scale) with `x / scale` in float, rounded by `mode` and
/// saturating (ONNX `saturate=1`).
uint8_t quantizeMinifloat(float x, float scale, MinifloatKind kind,
                          RoundingMode mode = RoundingMode::HalfToEven,
                          bool saturate = true);

/// x = decode(code) * scale, in float.
float dequantizeMinifloat(uint8_t code, float scale, MinifloatKind kind);

//===----------------------------------------------------------------------===//
// Block-scaled formats (OCP MX, NVIDIA NVFP4)
//===----------------------------------------------------------------------===//

/// A block-scaled format: `blockSize` consecutive elements share one scale
/// stored in `scaleKind`, and all blocks share one float `tensorScale`.
///  - scaleKind == F8E8M0FNU: OCP MX. The shared scale is the power of two
///    2^(floor(log2(amax)) - emax(element)), clamped to E8M0's range
///    (OCP MX v1.0, section 6.3).
///  - scaleKind == F8E4M3FN: NVFP4-style. The block scale is
///    E4M3(amax / (maxFinite(element) * tensorScale)), rounded to nearest
///    even and saturating.
/// The value of element i is decode(element) * decode(scale) * tensorScale.
struct BlockFormat {
  MinifloatKind elementKind;
  MinifloatKind scaleKind;
  unsigned blockSize;
  float tensorScale = 1.0f;

  static BlockFormat mxfp8() {
    return {MinifloatKind::F8E4M3FN, MinifloatKind::F8E8M0FNU, 32};
  }
  static BlockFormat mxfp6() {
    return {MinifloatKind::F6E3M2FN, MinifloatKind::F8E8M0FNU, 32};
  }
  static BlockFormat mxfp4() {
    return {MinifloatKind::F4E2M1FN, MinifloatKind::F8E8M0FNU, 32};
  }
  static BlockFormat nvfp4(float tensorScale = 1.0f) {
    return {MinifloatKind::F4E2M1FN, MinifloatKind::F8E4M3FN, 16, tensorScale};
  }
};

/// One quantized block: its scale code and one element code per value.
struct QuantizedBlock {
  uint8_t scaleCode;
  std::vector<uint8_t> elementCodes;
};

/// The scale code a block of `values` gets. Any NaN or infinity in the block
/// gives a NaN scale where the scale format has one (MX), and a saturated
/// scale otherwise. An all-zero block gets the smallest scale.
uint8_t computeBlockScale(const float *values, size_t count,
                          const BlockFormat &format);

/// The effective float multiplier of a block: decode(scale) * tensorScale.
float blockMultiplier(uint8_t scaleCode, const BlockFormat &format);

/// Quantizes one block (count <= blockSize; a short trailing block is
/// allowed): each element is encode(x / multiplier), in float, rounded to
/// nearest even and saturating. A zero multiplier encodes every element as 0.
QuantizedBlock quantizeBlock(const float *values, size_t count,
                             const BlockFormat &format);

/// decode(element) * multiplier, in float.
float dequantizeBlockElement(uint8_t elementCode, uint8_t scaleCode,
                             const BlockFormat &format);

/// "mxfp8", "mxfp6" (E3M2 elements), "mxfp4" or "nvfp4" (tensor scale 1);
/// empty for any other name.
std::optional<BlockFormat> parseBlockFormat(std::string_view name);

/// The names parseBlockFormat accepts, for error messages.
inline constexpr std::string_view kBlockFormatNames =
    "mxfp8, mxfp6, mxfp4 or nvfp4";

/// The tensor scale NVFP4 gives a tensor whose largest magnitude is
/// `amax`: amax / (maxFinite(E2M1) * maxFinite(E4M3)) = amax / 2688, so
/// that block scales use E4M3's whole range (1 for amax 0 or non-finite).
float nvfp4TensorScale(float amax);

/// The codes of a tensor viewed as [outer][depth][inner] in blocks of
/// format.blockSize consecutive elements along `depth` (a multiple of the
/// block size): element codes in the tensor's order, and scale codes
/// [outer][depth / blockSize][inner] (how qc.dequantize_blocks stores
/// weights blocked along their reduction axis).
struct BlockCodes {
  std::vector<uint8_t> elements;
  std::vector<uint8_t> scales;
};
BlockCodes quantizeBlocksAlong(const std::vector<float> &values, int64_t depth,
                               int64_t inner, const BlockFormat &format);

/// The values of BlockCodes (decode(element) * multiplier of its block).
std::vector<float> dequantizeBlocksAlong(const std::vector<uint8_t> &elements,
                                         const std::vector<uint8_t> &scales,
                                         int64_t depth, int64_t inner,
                                         const BlockFormat &format);

//===----------------------------------------------------------------------===//
// Weight formats by name (command line, reports, `qc.weight_format`)
//===----------------------------------------------------------------------===//

/// A weight element format: a signed integer of `bits` bits, or a scaled
/// low-bit float.
struct WeightFormat {
  unsigned bits;
  std::optional<MinifloatKind> minifloat; ///< Empty for integers.
};

/// "int2" .. "int16", "fp8e4m3", "fp8e5m2", "fp6e3m2", "fp6e2m3" or
/// "fp4e2m1"; empty for any other name.
std::optional<WeightFormat> parseWeightFormat(std::string_view name);

/// The names parseWeightFormat accepts, for error messages.
inline constexpr std::string_view kWeightFormatNames =
    "int2 .. int16, fp8e4m3, fp8e5m2, fp6e3m2, fp6e2m3 or fp4e2m1";

} // namespace qcc::numerics

#endif // QCC_NUMERICS_QUANTIZE_H
