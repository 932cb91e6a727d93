//===- Rounding.cpp - Rounding modes and saturating integer casts ---------===//

#include "qcc/Numerics/Rounding.h"

#include <array>
#include <cassert>
#include <cmath>
#include <utility>

namespace qcc::numerics {

namespace {
constexpr std::array<std::pair<RoundingMode, std::string_view>, 6>
    kRoundingNames = {{
        {RoundingMode::HalfToEven, "half_to_even"},
        {RoundingMode::HalfAwayFromZero, "half_away_from_zero"},
        {RoundingMode::HalfUp, "half_up"},
        {RoundingMode::TowardZero, "toward_zero"},
        {RoundingMode::Down, "down"},
        {RoundingMode::Up, "up"},
    }};
} // namespace

std::string_view stringifyRoundingMode(RoundingMode mode) {
  for (auto [m, name] : kRoundingNames)
    if (m == mode)
      return name;
  return "unknown";
}

std::optional<RoundingMode> parseRoundingMode(std::string_view name) {
  for (auto [m, n] : kRoundingNames)
    if (n == name)
      return m;
  return std::nullopt;
}

double roundToIntegral(double x, RoundingMode mode) {
  if (!std::isfinite(x))
    return x;
  // Work on the magnitude: `a - floor(a)` is exact for a >= 0 (Sterbenz for
  // a >= 1, trivially for a < 1), which `x - floor(x)` is not for x < 0.
  const bool negative = std::signbit(x);
  const double a = std::fabs(x);
  const double whole = std::floor(a);
  const double frac = a - whole;
  const double up = whole + 1.0; // Only used when frac > 0, so a < 2^52.
  double magnitude = whole;
  switch (mode) {
  case RoundingMode::HalfToEven:
    if (frac > 0.5 || (frac == 0.5 && std::fmod(whole, 2.0) != 0.0))
      magnitude = up;
    break;
  case RoundingMode::HalfAwayFromZero:
    if (frac >= 0.5)
      magnitude = up;
    break;
  case RoundingMode::HalfUp:
    // Ties go toward +infinity: away from zero for positive values only.
    if (frac > 0.5 || (frac == 0.5 && !negative))
      magnitude = up;
    break;
  case RoundingMode::TowardZero:
    break;
  case RoundingMode::Down:
    if (frac > 0.0 && negative)
      magnitude = up;
    break;
  case RoundingMode::Up:
    if (frac > 0.0 && !negative)
      magnitude = up;
    break;
  }
  return negative ? -magnitude : magnitude;
}

IntegerRange IntegerRange::forBits(unsigned bits, bool isSigned, bool narrow) {
  assert(bits >= 1 && bits <= 63 && "unsupported integer width");
  if (!isSigned)
    return {0, static_cast<int64_t>((uint64_t{1} << bits) - 1)};
  const int64_t half = int64_t{1} << (bits - 1);
  return {narrow ? -half + 1 : -half, half - 1};
}

int64_t roundAndSaturate(double x, RoundingMode mode, IntegerRange range) {
  if (std::isnan(x))
    return saturate(0, range);
  const double r = roundToIntegral(x, mode);
  if (r <= static_cast<double>(range.min))
    return range.min;
  if (r >= static_cast<double>(range.max))
    return range.max;
  return static_cast<int64_t>(r);
}

} // namespace qcc::numerics
