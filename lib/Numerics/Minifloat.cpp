//===- Minifloat.cpp - FP8/FP6/FP4/E8M0 encode and decode -----------------===//

#include "qcc/Numerics/Minifloat.h"

#include <algorithm>
#include <cmath>
#include <iterator>
#include <limits>
#include <utility>

namespace qcc::numerics {

namespace {

// kind, name, exponent bits, mantissa bits, bias, sign, inf, zero, NaN.
const MinifloatFormat kFormats[] = {
    {MinifloatKind::F8E4M3FN, "f8E4M3FN", 4, 3, 7, true, false, true,
     NanEncoding::AllOnes},
    {MinifloatKind::F8E5M2, "f8E5M2", 5, 2, 15, true, true, true,
     NanEncoding::Ieee},
    {MinifloatKind::F6E3M2FN, "f6E3M2FN", 3, 2, 3, true, false, true,
     NanEncoding::None},
    {MinifloatKind::F6E2M3FN, "f6E2M3FN", 2, 3, 1, true, false, true,
     NanEncoding::None},
    {MinifloatKind::F4E2M1FN, "f4E2M1FN", 2, 1, 1, true, false, true,
     NanEncoding::None},
    {MinifloatKind::F8E8M0FNU, "f8E8M0FNU", 8, 0, 127, false, false, false,
     NanEncoding::AllOnes},
};

unsigned exponentField(const MinifloatFormat &f, uint8_t code) {
  return (code >> f.mantissaBits) & ((1u << f.exponentBits) - 1);
}
unsigned mantissaField(const MinifloatFormat &f, uint8_t code) {
  return code & ((1u << f.mantissaBits) - 1);
}
uint8_t signMask(const MinifloatFormat &f) {
  return f.hasSign ? static_cast<uint8_t>(1u << (f.bits() - 1)) : 0;
}

/// The positive code with the largest finite value, and that value; found
/// once per format by scanning its codes.
struct MaxFinite {
  uint8_t code = 0;
  double value = -1;
};

const MaxFinite &maxFiniteOf(const MinifloatFormat &f) {
  static const auto table = [] {
    std::array<MaxFinite, std::size(kFormats)> result{};
    for (const MinifloatFormat &format : kFormats) {
      MaxFinite &best = result[static_cast<unsigned>(format.kind)];
      for (unsigned c = 0; c < format.numCodes(); ++c) {
        if (c & signMask(format))
          continue;
        double v = decodeMinifloat(format.kind, static_cast<uint8_t>(c));
        if (std::isfinite(v) && v > best.value)
          best = {static_cast<uint8_t>(c), v};
      }
    }
    return result;
  }();
  return table[static_cast<unsigned>(f.kind)];
}

uint8_t maxFiniteCode(const MinifloatFormat &f) { return maxFiniteOf(f).code; }

uint8_t nanCode(const MinifloatFormat &f) {
  switch (f.nan) {
  case NanEncoding::None:
    return 0;
  case NanEncoding::Ieee: // Quiet NaN: exponent all ones, top mantissa bit.
    return static_cast<uint8_t>((((1u << f.exponentBits) - 1) << f.mantissaBits) |
                                (1u << (f.mantissaBits - 1)));
  case NanEncoding::AllOnes:
    return static_cast<uint8_t>((1u << (f.exponentBits + f.mantissaBits)) - 1);
  }
  return 0;
}

uint8_t infinityCode(const MinifloatFormat &f) {
  return static_cast<uint8_t>(((1u << f.exponentBits) - 1) << f.mantissaBits);
}

/// True if rounding `mode` never increases the magnitude of a value of the
/// given sign; IEEE overflow then yields the largest finite value, not inf.
bool roundsTowardZero(RoundingMode mode, bool negative) {
  return mode == RoundingMode::TowardZero ||
         (mode == RoundingMode::Down && !negative) ||
         (mode == RoundingMode::Up && negative);
}

uint8_t encodeOverflow(const MinifloatFormat &f, bool negative,
                       RoundingMode mode, bool saturate) {
  const uint8_t sign = negative ? signMask(f) : 0;
  if (saturate || roundsTowardZero(mode, negative) || f.nan == NanEncoding::None)
    return sign | maxFiniteCode(f);
  if (f.hasInfinity)
    return sign | infinityCode(f);
  return sign | nanCode(f);
}

/// E8M0FNU: an unsigned power of two 2^(code - 127); 0xFF is NaN, no zero.
uint8_t encodeE8M0(const MinifloatFormat &f, double x, RoundingMode mode,
                   bool saturate) {
  if (std::isnan(x) || x <= 0)
    return nanCode(f);
  if (std::isinf(x))
    return saturate ? maxFiniteCode(f) : nanCode(f);
  int e;
  const double m = std::frexp(x, &e); // x = (2m) * 2^(e-1), 2m in [1, 2).
  const double rounded = roundToIntegral(2 * m, mode); // 1 or 2.
  const int exponent = e - 1 + (rounded >= 2 ? 1 : 0);
  const int minExp = -f.bias, maxExp = f.bias; // 2^-127 .. 2^127
  if (exponent < minExp) // No zero: the nearest value is the smallest one.
    return 0;
  if (exponent > maxExp)
    return saturate || roundsTowardZero(mode, false) ? maxFiniteCode(f)
                                                     : nanCode(f);
  return static_cast<uint8_t>(exponent + f.bias);
}

} // namespace

const MinifloatFormat &getMinifloatFormat(MinifloatKind kind) {
  return kFormats[static_cast<unsigned>(kind)];
}

std::optional<MinifloatKind> parseMinifloatKind(std::string_view name) {
  for (const MinifloatFormat &f : kFormats)
    if (f.name == name)
      return f.kind;
  return std::nullopt;
}

double MinifloatFormat::maxFinite() const {
  return maxFiniteOf(*this).value;
}

double MinifloatFormat::minNormal() const {
  return std::ldexp(1.0, hasZero ? minNormalExponent() : -bias);
}

double MinifloatFormat::minPositive() const {
  if (!hasZero)
    return std::ldexp(1.0, -bias);
  return std::ldexp(1.0, minNormalExponent() - static_cast<int>(mantissaBits));
}

int MinifloatFormat::maxExponent() const { return std::ilogb(maxFinite()); }

std::string MinifloatFormat::specials() const {
  std::string s;
  for (auto [has, name] : {std::pair<bool, const char *>{hasInfinity, "inf"},
                           {nan != NanEncoding::None, "nan"},
                           {!hasZero, "no-zero"},
                           {!hasSign, "unsigned"}})
    if (has)
      s += (s.empty() ? "" : " ") + std::string(name);
  return s.empty() ? "-" : s;
}

bool isNanCode(MinifloatKind kind, uint8_t code) {
  const MinifloatFormat &f = getMinifloatFormat(kind);
  const uint8_t magnitude = code & static_cast<uint8_t>(~signMask(f));
  switch (f.nan) {
  case NanEncoding::None:
    return false;
  case NanEncoding::Ieee:
    return exponentField(f, code) == (1u << f.exponentBits) - 1 &&
           mantissaField(f, code) != 0;
  case NanEncoding::AllOnes:
    return magnitude == nanCode(f);
  }
  return false;
}

double decodeMinifloat(MinifloatKind kind, uint8_t code) {
  const MinifloatFormat &f = getMinifloatFormat(kind);
  code &= static_cast<uint8_t>(f.numCodes() - 1);
  if (isNanCode(kind, code))
    return std::numeric_limits<double>::quiet_NaN();
  const bool negative = code & signMask(f);
  const unsigned exp = exponentField(f, code);
  const unsigned mant = mantissaField(f, code);
  double magnitude;
  if (!f.hasZero)
    magnitude = std::ldexp(1.0, static_cast<int>(exp) - f.bias);
  else if (f.hasInfinity && exp == (1u << f.exponentBits) - 1)
    magnitude = std::numeric_limits<double>::infinity();
  else if (exp == 0) // Subnormal (or zero).
    magnitude = std::ldexp(static_cast<double>(mant),
                           f.minNormalExponent() - static_cast<int>(f.mantissaBits));
  else
    magnitude = std::ldexp(static_cast<double>((1u << f.mantissaBits) | mant),
                           static_cast<int>(exp) - f.bias -
                               static_cast<int>(f.mantissaBits));
  return negative ? -magnitude : magnitude;
}

uint8_t encodeMinifloat(MinifloatKind kind, double x, RoundingMode mode,
                        bool saturate) {
  const MinifloatFormat &f = getMinifloatFormat(kind);
  if (!f.hasSign)
    return encodeE8M0(f, x, mode, saturate);
  if (std::isnan(x))
    return nanCode(f); // 0 (+0) for formats without NaN.
  const bool negative = std::signbit(x);
  const uint8_t sign = negative ? signMask(f) : 0;
  const double a = std::fabs(x);
  if (std::isinf(a))
    return encodeOverflow(f, negative, RoundingMode::HalfToEven, saturate);
  if (a == 0)
    return sign;

  // Quantum (unit in the last place) of the binade holding `a`, clamped to
  // the subnormal binade. Dividing by a power of two is exact.
  const int mantBits = static_cast<int>(f.mantissaBits);
  int exponent = std::max(std::ilogb(a), f.minNormalExponent());
  const double quantum = std::ldexp(1.0, exponent - mantBits);
  double steps = std::fabs(roundToIntegral(negative ? -a / quantum : a / quantum, mode));
  const double implicitOne = std::ldexp(1.0, mantBits);
  if (steps == 2 * implicitOne) { // Rounded up into the next binade.
    ++exponent;
    steps = implicitOne;
  }
  if (steps * std::ldexp(1.0, exponent - mantBits) > f.maxFinite())
    return encodeOverflow(f, negative, mode, saturate);
  if (steps < implicitOne) // Subnormal: exponent field 0.
    return sign | static_cast<uint8_t>(steps);
  const unsigned biased = static_cast<unsigned>(exponent + f.bias);
  const unsigned mant = static_cast<unsigned>(steps - implicitOne);
  return sign | static_cast<uint8_t>((biased << f.mantissaBits) | mant);
}

} // namespace qcc::numerics
