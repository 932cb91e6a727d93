//===- Dyadic.h - Dyadic scales and TOSA-exact integer rescale --*- C++ -*-===//
//
// Integer-only inference replaces every real rescale factor by a dyadic
// number m / 2^s (HAWQ-V3) and applies it with an integer multiply, a
// rounding right shift, zero points and saturation, exactly as TOSA's
// RESCALE operator specifies (TOSA 1.0, "apply_scale_32/16" and RESCALE).
//
//===----------------------------------------------------------------------===//

#ifndef QCC_NUMERICS_DYADIC_H
#define QCC_NUMERICS_DYADIC_H

#include "qcc/Numerics/Rounding.h"

#include <cstdint>
#include <optional>
#include <string>

namespace qcc::numerics {

/// The real number multiplier / 2^shift.
struct DyadicScale {
  int32_t multiplier;
  int shift;

  double value() const;
  /// |value() - scale| / scale.
  double relativeError(double scale) const;
  bool operator==(const DyadicScale &other) const {
    return multiplier == other.multiplier && shift == other.shift;
  }
};

/// The closest dyadic approximation of `scale` usable by TOSA RESCALE:
/// multiplier in [2^30, 2^31) (`scale32`) or [2^14, 2^15) (16-bit), shift in
/// [2, 62]. The multiplier is round-to-nearest of the scale's normalised
/// mantissa, so the relative error is at most 2^-31 (2^-15 for 16-bit).
///
/// Scales too small for shift <= 62 keep shift = 62 and lose multiplier
/// bits (the relative error grows, down to a zero multiplier for scales
/// below 2^-63); `relativeError` reports it. Returns an error message for
/// scales that are not finite and positive or too large for shift >= 2
/// (>= 2^29 with 32-bit multipliers, >= 2^13 with 16-bit ones).
struct DyadicResult {
  std::optional<DyadicScale> scale;
  std::string error;
};
DyadicResult approximateDyadic(double scale, bool scale32 = true);

/// Worst relative error of `approximateDyadic` for scales that need no
/// multiplier reduction.
inline double dyadicRelativeErrorBound(bool scale32 = true) {
  return scale32 ? 0x1p-31 : 0x1p-15;
}

/// TOSA apply_scale_32: (value * multiplier + round) >> shift with
/// round = 2^(shift-1), plus +-2^30 when `doubleRound` and shift > 31.
/// Returns nullopt where TOSA's REQUIRE fails: multiplier < 0, shift outside
/// [2, 62], or value outside [-2^(shift-1), 2^(shift-1)).
std::optional<int32_t> applyScale32(int64_t value, int32_t multiplier,
                                    int shift, bool doubleRound);

/// TOSA apply_scale_16: (value * multiplier + 2^(shift-1)) >> shift for a
/// 48-bit value and a 16-bit multiplier. Returns nullopt where TOSA's
/// REQUIRE fails (multiplier outside [0, 2^15), shift outside [2, 62], value
/// outside 48 bits, or a result outside int32).
std::optional<int32_t> applyScale16(int64_t value, int32_t multiplier,
                                    int shift);

/// The parameters of one RESCALE channel.
struct RescaleParams {
  int32_t multiplier;
  int shift;
  int64_t inputZeroPoint = 0;
  int64_t outputZeroPoint = 0;
  bool scale32 = true;
  bool doubleRound = false;
  /// Output storage: `outputBits` wide, unsigned if `outputUnsigned`.
  unsigned outputBits = 8;
  bool outputUnsigned = false;
};

/// TOSA RESCALE of one element. `input` is the element's integer value
/// (already zero- or sign-extended according to its storage type):
///   out = clamp(apply_scale(input - inputZeroPoint) + outputZeroPoint)
/// Returns nullopt where a TOSA REQUIRE fails.
std::optional<int64_t> rescale(int64_t input, const RescaleParams &params);

} // namespace qcc::numerics

#endif // QCC_NUMERICS_DYADIC_H
