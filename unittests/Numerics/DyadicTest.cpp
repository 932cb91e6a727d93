//===- DyadicTest.cpp - Dyadic approximation and TOSA rescale -------------===//
//
// The rescale arithmetic is checked against a 128-bit reference written
// differently from the implementation: exact floor division of rationals
// instead of 64-bit shifts.
//
//===----------------------------------------------------------------------===//

#include "qcc/Numerics/Dyadic.h"

#include <gtest/gtest.h>

#include <cmath>
#include <random>
#include <vector>

using namespace qcc::numerics;

namespace {

using int128 = __int128;

int128 floorDiv(int128 numerator, int128 denominator) {
  int128 q = numerator / denominator;
  if ((numerator % denominator != 0) && ((numerator < 0) != (denominator < 0)))
    --q;
  return q;
}

int128 pow2(int n) { return int128{1} << n; }

/// floor(v * m / 2^s + 1/2): the mathematical meaning of SINGLE_ROUND.
int64_t referenceSingleRound(int64_t v, int64_t m, int s) {
  return static_cast<int64_t>(
      floorDiv(2 * int128{v} * m + pow2(s), pow2(s + 1)));
}

/// The TOSA DOUBLE_ROUND formula, evaluated exactly.
int64_t referenceDoubleRound(int64_t v, int64_t m, int s) {
  int128 round = pow2(s - 1);
  if (s > 31)
    round += v >= 0 ? pow2(30) : -pow2(30);
  return static_cast<int64_t>(floorDiv(int128{v} * m + round, pow2(s)));
}

std::vector<int32_t> sampleMultipliers(std::mt19937_64 &rng, int count) {
  std::vector<int32_t> multipliers = {0, 1, 2, 3, (1 << 30) - 1, 1 << 30,
                                      INT32_MAX - 1, INT32_MAX};
  std::uniform_int_distribution<int32_t> any(0, INT32_MAX);
  for (int i = 0; i < count; ++i)
    multipliers.push_back(any(rng));
  return multipliers;
}

TEST(ApplyScale32, EveryInt8AgainstWideIntegerReference) {
  std::mt19937_64 rng(1);
  const std::vector<int32_t> multipliers = sampleMultipliers(rng, 200);
  size_t checked = 0;
  for (int shift = 2; shift <= 62; ++shift)
    for (int32_t m : multipliers)
      for (int v = -128; v <= 127; ++v)
        for (bool doubleRound : {false, true}) {
          std::optional<int32_t> got = applyScale32(v, m, shift, doubleRound);
          const bool inRange = v >= -(int64_t{1} << (shift - 1)) &&
                               v < (int64_t{1} << (shift - 1));
          ASSERT_EQ(got.has_value(), inRange) << v << " " << shift;
          if (!got)
            continue;
          const int64_t expected = doubleRound
                                       ? referenceDoubleRound(v, m, shift)
                                       : referenceSingleRound(v, m, shift);
          ASSERT_EQ(*got, expected) << "v=" << v << " m=" << m
                                    << " shift=" << shift
                                    << " double=" << doubleRound;
          ++checked;
        }
  EXPECT_GT(checked, 5000000u);
}

TEST(ApplyScale32, RandomInt32AgainstWideIntegerReference) {
  std::mt19937_64 rng(2);
  std::uniform_int_distribution<int32_t> value(INT32_MIN, INT32_MAX);
  std::uniform_int_distribution<int32_t> multiplier(0, INT32_MAX);
  std::uniform_int_distribution<int> shift(32, 62);
  for (int i = 0; i < 1000000; ++i) {
    const int32_t v = value(rng), m = multiplier(rng);
    const int s = shift(rng);
    ASSERT_EQ(applyScale32(v, m, s, false), referenceSingleRound(v, m, s));
    ASSERT_EQ(applyScale32(v, m, s, true), referenceDoubleRound(v, m, s));
  }
}

TEST(ApplyScale32, RequireFailures) {
  EXPECT_EQ(applyScale32(1, -1, 31, false), std::nullopt);
  EXPECT_EQ(applyScale32(1, 1, 1, false), std::nullopt);
  EXPECT_EQ(applyScale32(1, 1, 63, false), std::nullopt);
  EXPECT_EQ(applyScale32(2, 1, 2, false), std::nullopt); // needs v in [-2, 2)
  EXPECT_EQ(applyScale32(-2, 1, 2, false), 0); // floor(-2/4 + 1/2)
  EXPECT_EQ(applyScale32(int64_t{1} << 31, 1, 40, false), std::nullopt);
}

TEST(ApplyScale16, Int16And48BitValuesAgainstReference) {
  std::mt19937_64 rng(3);
  std::uniform_int_distribution<int32_t> multiplier(0, INT16_MAX);
  std::uniform_int_distribution<int64_t> value48(-(int64_t{1} << 47),
                                                 (int64_t{1} << 47) - 1);
  for (int shift = 2; shift <= 62; ++shift)
    for (int trial = 0; trial < 20; ++trial) {
      const int32_t m = multiplier(rng);
      for (int v = INT16_MIN; v <= INT16_MAX; v += 97) {
        const int64_t expected = referenceSingleRound(v, m, shift);
        std::optional<int32_t> got = applyScale16(v, m, shift);
        if (expected < INT32_MIN || expected > INT32_MAX) {
          EXPECT_EQ(got, std::nullopt);
          continue;
        }
        ASSERT_EQ(got, expected) << v << " " << m << " " << shift;
      }
      const int64_t v = value48(rng);
      const int64_t expected = referenceSingleRound(v, m, shift);
      if (expected >= INT32_MIN && expected <= INT32_MAX)
        ASSERT_EQ(applyScale16(v, m, shift), expected);
      else
        ASSERT_EQ(applyScale16(v, m, shift), std::nullopt);
    }
  EXPECT_EQ(applyScale16(1, 1 << 15, 20), std::nullopt);
  EXPECT_EQ(applyScale16(int64_t{1} << 47, 1, 20), std::nullopt);
}

TEST(Rescale, ZeroPointsAndSaturation) {
  RescaleParams p;
  p.multiplier = 1 << 30; // 0.5 at shift 31
  p.shift = 31;
  p.outputZeroPoint = -3;
  EXPECT_EQ(rescale(100, p), 47);
  EXPECT_EQ(rescale(1000, p), 127);     // 497 saturates
  EXPECT_EQ(rescale(-1000, p), -128);
  EXPECT_EQ(rescale(-7, p), -3 - 3);    // -3.5 rounds half up to -3
  EXPECT_EQ(rescale(7, p), 4 - 3);      // 3.5 rounds half up to 4
  p.inputZeroPoint = 10;
  EXPECT_EQ(rescale(10, p), -3);
  p.outputUnsigned = true;
  p.outputZeroPoint = 128;
  EXPECT_EQ(rescale(10 + 300, p), 255);
  EXPECT_EQ(rescale(10 - 300, p), 0);
  EXPECT_EQ(rescale(10 + 20, p), 138);
  p.outputBits = 4;
  p.outputUnsigned = false;
  p.outputZeroPoint = 0;
  EXPECT_EQ(rescale(10 + 20, p), 7);
  EXPECT_EQ(rescale(10 - 20, p), -8); // -10 saturates
  // A REQUIRE failure propagates.
  p.shift = 63;
  EXPECT_EQ(rescale(1, p), std::nullopt);
}

TEST(Dyadic, KnownScales) {
  auto get = [](double s, bool scale32 = true) {
    DyadicResult r = approximateDyadic(s, scale32);
    EXPECT_TRUE(r.scale) << r.error;
    return r.scale.value_or(DyadicScale{0, 0});
  };
  EXPECT_EQ(get(0.5), (DyadicScale{1 << 30, 31}));
  EXPECT_EQ(get(1.0), (DyadicScale{1 << 30, 30}));
  EXPECT_EQ(get(0.75), (DyadicScale{1610612736, 31}));
  EXPECT_EQ(get(0.5, false), (DyadicScale{1 << 14, 15}));
  // 2^-40 needs shift 70: kept at 62 with a 2^22 multiplier, still exact.
  EXPECT_EQ(get(std::ldexp(1.0, -40)), (DyadicScale{1 << 22, 62}));
  EXPECT_EQ(get(std::ldexp(1.0, -40)).relativeError(std::ldexp(1.0, -40)), 0);
  // Largest scales that still allow shift >= 2.
  EXPECT_EQ(get(std::ldexp(1.0, 28)).shift, 2);
  EXPECT_EQ(get(std::ldexp(1.0, 12), false).shift, 2);
}

TEST(Dyadic, ErrorsNameTheProblem) {
  for (double bad : {0.0, -1.0, static_cast<double>(NAN),
                     static_cast<double>(INFINITY)}) {
    DyadicResult r = approximateDyadic(bad);
    EXPECT_FALSE(r.scale);
    EXPECT_NE(r.error.find("finite and positive"), std::string::npos);
  }
  DyadicResult large = approximateDyadic(std::ldexp(1.0, 29));
  EXPECT_FALSE(large.scale);
  EXPECT_NE(large.error.find("too large"), std::string::npos);
  EXPECT_FALSE(approximateDyadic(std::ldexp(1.0, 13), false).scale);
}

TEST(Dyadic, ClosestWithinTheErrorBound) {
  std::mt19937_64 rng(4);
  std::uniform_real_distribution<double> logScale(-30, 28);
  for (bool scale32 : {true, false}) {
    const int64_t lo = scale32 ? (int64_t{1} << 30) : (int64_t{1} << 14);
    for (int i = 0; i < 100000; ++i) {
      const double scale = std::exp2(logScale(rng));
      if (!scale32 && scale >= std::ldexp(1.0, 13))
        continue;
      DyadicResult r = approximateDyadic(scale, scale32);
      ASSERT_TRUE(r.scale) << scale << ": " << r.error;
      const DyadicScale d = *r.scale;
      ASSERT_GE(d.multiplier, lo);
      ASSERT_LT(d.multiplier, 2 * lo);
      ASSERT_GE(d.shift, 2);
      ASSERT_LE(d.shift, 62);
      ASSERT_LE(d.relativeError(scale), dyadicRelativeErrorBound(scale32));
      // No neighbouring multiplier at the same shift is closer.
      for (int64_t neighbour : {int64_t{d.multiplier} - 1, int64_t{d.multiplier} + 1})
        ASSERT_GE(std::fabs(std::ldexp(static_cast<double>(neighbour), -d.shift) - scale),
                  std::fabs(d.value() - scale));
    }
  }
}

TEST(Dyadic, RescaleAgreesWithRealRequantizeAwayFromTies) {
  // rescale(v) with the dyadic scale of r equals round_half_up(v * r)
  // unless v * r is within the approximation error of a tie.
  std::mt19937_64 rng(5);
  std::uniform_real_distribution<double> logScale(-20, 0);
  std::uniform_int_distribution<int32_t> value(-(1 << 24), 1 << 24);
  size_t compared = 0;
  for (int i = 0; i < 200000; ++i) {
    const double r = std::exp2(logScale(rng));
    const int32_t v = value(rng);
    const DyadicScale d = *approximateDyadic(r).scale;
    const double exact = static_cast<double>(v) * r;
    const double distanceToTie =
        std::fabs(exact - std::floor(exact) - 0.5);
    if (distanceToTie <= std::fabs(exact) * 0x1p-30 + 0x1p-40)
      continue;
    RescaleParams p{d.multiplier, d.shift};
    p.outputBits = 32;
    ASSERT_EQ(rescale(v, p),
              static_cast<int64_t>(roundToIntegral(exact, RoundingMode::HalfUp)))
        << v << " * " << r;
    ++compared;
  }
  EXPECT_GT(compared, 190000u);
}

} // namespace
