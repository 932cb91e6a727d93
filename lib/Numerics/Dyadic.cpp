//===- Dyadic.cpp - Dyadic scales and TOSA-exact integer rescale ----------===//

#include "qcc/Numerics/Dyadic.h"

#include <cmath>
#include <limits>
#include <sstream>

namespace qcc::numerics {

namespace {
constexpr int kMinShift = 2;
constexpr int kMaxShift = 62;
constexpr int64_t kInt32Min = std::numeric_limits<int32_t>::min();
constexpr int64_t kInt32Max = std::numeric_limits<int32_t>::max();
constexpr int64_t kInt48Min = -(int64_t{1} << 47);
constexpr int64_t kInt48Max = (int64_t{1} << 47) - 1;

bool validShift(int shift) { return shift >= kMinShift && shift <= kMaxShift; }
} // namespace

double DyadicScale::value() const { return std::ldexp(multiplier, -shift); }

double DyadicScale::relativeError(double scale) const {
  return std::fabs(value() - scale) / scale;
}

DyadicResult approximateDyadic(double scale, bool scale32) {
  std::ostringstream error;
  if (!std::isfinite(scale) || scale <= 0) {
    error << "scale must be finite and positive, got " << scale;
    return {std::nullopt, error.str()};
  }
  // scale = m * 2^e with m in [0.5, 1): the multiplier m * 2^bits then lies
  // in [2^(bits-1), 2^bits), the most precise choice for a `bits`-bit value.
  const int bits = scale32 ? 31 : 15;
  int e;
  std::frexp(scale, &e);
  int shift = bits - e;
  if (shift > kMaxShift)
    shift = kMaxShift; // Tiny scale: keep the largest shift, lose precision.
  // Ties (possible only for scales with more than `bits` significant bits)
  // round away from zero, as TOSA's and TFLite's reference utilities do.
  double multiplier = std::round(std::ldexp(scale, shift));
  if (multiplier == std::ldexp(1.0, bits)) { // Mantissa rounded up to 1.0.
    multiplier /= 2;
    --shift;
  }
  if (shift < kMinShift) {
    error << "scale " << scale << " is too large for a dyadic rescale (needs a "
          << "shift of at least " << kMinShift << ", i.e. a scale below 2^"
          << (bits - kMinShift) << " with " << (bits + 1)
          << "-bit multipliers)";
    return {std::nullopt, error.str()};
  }
  return {DyadicScale{static_cast<int32_t>(multiplier), shift}, ""};
}

std::optional<int32_t> applyScale32(int64_t value, int32_t multiplier,
                                    int shift, bool doubleRound) {
  if (multiplier < 0 || !validShift(shift) || value < kInt32Min ||
      value > kInt32Max)
    return std::nullopt;
  const int64_t half = int64_t{1} << (shift - 1);
  if (value < -half || value >= half)
    return std::nullopt;
  int64_t round = half;
  if (doubleRound && shift > 31)
    round += value >= 0 ? (int64_t{1} << 30) : -(int64_t{1} << 30);
  // |value| < 2^31 and multiplier < 2^31: the sum fits in 63 bits. `>>` on a
  // negative int64_t is an arithmetic shift (floor) with GCC and Clang.
  const int64_t result = (value * multiplier + round) >> shift;
  return static_cast<int32_t>(result); // |result| < 2^30 by the REQUIREs.
}

std::optional<int32_t> applyScale16(int64_t value, int32_t multiplier,
                                    int shift) {
  if (multiplier < 0 || multiplier > std::numeric_limits<int16_t>::max() ||
      !validShift(shift) || value < kInt48Min || value > kInt48Max)
    return std::nullopt;
  const int64_t round = int64_t{1} << (shift - 1);
  const int64_t result = (value * multiplier + round) >> shift;
  if (result < kInt32Min || result > kInt32Max)
    return std::nullopt;
  return static_cast<int32_t>(result);
}

std::optional<int64_t> rescale(int64_t input, const RescaleParams &params) {
  const int64_t value = input - params.inputZeroPoint;
  const std::optional<int32_t> scaled =
      params.scale32 ? applyScale32(value, params.multiplier, params.shift,
                                    params.doubleRound)
                     : applyScale16(value, params.multiplier, params.shift);
  if (!scaled)
    return std::nullopt;
  const int64_t shifted = int64_t{*scaled} + params.outputZeroPoint;
  if (shifted < kInt32Min || shifted > kInt32Max) // TOSA apply_add_s<int32>.
    return std::nullopt;
  return saturate(shifted, IntegerRange::forBits(params.outputBits,
                                                 !params.outputUnsigned));
}

} // namespace qcc::numerics
