//===- RoundingTest.cpp - Rounding modes and integer ranges ---------------===//

#include "qcc/Numerics/Rounding.h"

#include <gtest/gtest.h>

#include <cfenv>
#include <cmath>
#include <random>

using namespace qcc::numerics;

namespace {

struct RoundingCase {
  double x;
  double halfToEven, halfAwayFromZero, halfUp, towardZero, down, up;
};

const RoundingCase kCases[] = {
    // x      even  away  up    zero  down  up
    {0.5, 0, 1, 1, 0, 0, 1},
    {1.5, 2, 2, 2, 1, 1, 2},
    {2.5, 2, 3, 3, 2, 2, 3},
    {-0.5, -0, -1, -0, -0, -1, -0},
    {-1.5, -2, -2, -1, -1, -2, -1},
    {-2.5, -2, -3, -2, -2, -3, -2},
    {2.4999999999999996, 2, 2, 2, 2, 2, 3},
    {-2.7, -3, -3, -3, -2, -3, -2},
    {0.49999999999999994, 0, 0, 0, 0, 0, 1},
    {-0.49999999999999994, -0, -0, -0, -0, -1, -0},
    {4503599627370497.0, 4503599627370497.0, 4503599627370497.0,
     4503599627370497.0, 4503599627370497.0, 4503599627370497.0,
     4503599627370497.0},
    {0, 0, 0, 0, 0, 0, 0},
};

TEST(Rounding, TableOfTiesAndNearTies) {
  for (const RoundingCase &c : kCases) {
    SCOPED_TRACE(c.x);
    EXPECT_EQ(roundToIntegral(c.x, RoundingMode::HalfToEven), c.halfToEven);
    EXPECT_EQ(roundToIntegral(c.x, RoundingMode::HalfAwayFromZero),
              c.halfAwayFromZero);
    EXPECT_EQ(roundToIntegral(c.x, RoundingMode::HalfUp), c.halfUp);
    EXPECT_EQ(roundToIntegral(c.x, RoundingMode::TowardZero), c.towardZero);
    EXPECT_EQ(roundToIntegral(c.x, RoundingMode::Down), c.down);
    EXPECT_EQ(roundToIntegral(c.x, RoundingMode::Up), c.up);
  }
}

TEST(Rounding, MatchesTheCLibraryOnRandomValues) {
  ASSERT_EQ(std::fegetround(), FE_TONEAREST);
  std::mt19937_64 rng(42);
  std::uniform_real_distribution<double> magnitude(-40, 40);
  for (int i = 0; i < 200000; ++i) {
    // Random values at every scale, plus exact halves.
    double x = std::ldexp(std::uniform_real_distribution<double>(-1, 1)(rng),
                          static_cast<int>(magnitude(rng)));
    if (i % 4 == 0)
      x = std::floor(x) + 0.5;
    SCOPED_TRACE(x);
    EXPECT_EQ(roundToIntegral(x, RoundingMode::HalfToEven), std::nearbyint(x));
    EXPECT_EQ(roundToIntegral(x, RoundingMode::HalfAwayFromZero), std::round(x));
    EXPECT_EQ(roundToIntegral(x, RoundingMode::TowardZero), std::trunc(x));
    EXPECT_EQ(roundToIntegral(x, RoundingMode::Down), std::floor(x));
    EXPECT_EQ(roundToIntegral(x, RoundingMode::Up), std::ceil(x));
    const bool isTie = std::floor(x) + 0.5 == x;
    EXPECT_EQ(roundToIntegral(x, RoundingMode::HalfUp),
              isTie ? std::ceil(x) : std::nearbyint(x));
  }
}

TEST(Rounding, NonFiniteValuesPassThrough) {
  EXPECT_TRUE(std::isnan(roundToIntegral(NAN, RoundingMode::HalfToEven)));
  EXPECT_EQ(roundToIntegral(INFINITY, RoundingMode::Down), INFINITY);
  EXPECT_EQ(roundToIntegral(-INFINITY, RoundingMode::Up), -INFINITY);
}

TEST(Rounding, NamesRoundTrip) {
  for (RoundingMode mode :
       {RoundingMode::HalfToEven, RoundingMode::HalfAwayFromZero,
        RoundingMode::HalfUp, RoundingMode::TowardZero, RoundingMode::Down,
        RoundingMode::Up})
    EXPECT_EQ(parseRoundingMode(stringifyRoundingMode(mode)), mode);
  EXPECT_EQ(parseRoundingMode("nearest"), std::nullopt);
}

TEST(IntegerRange, EveryWidthFrom1To16) {
  for (unsigned bits = 1; bits <= 16; ++bits) {
    SCOPED_TRACE(bits);
    IntegerRange s = IntegerRange::forBits(bits, true);
    EXPECT_EQ(s.min, -(int64_t{1} << (bits - 1)));
    EXPECT_EQ(s.max, (int64_t{1} << (bits - 1)) - 1);
    IntegerRange n = IntegerRange::forBits(bits, true, /*narrow=*/true);
    EXPECT_EQ(n.min, -n.max);
    IntegerRange u = IntegerRange::forBits(bits, false);
    EXPECT_EQ(u.min, 0);
    EXPECT_EQ(u.max, (int64_t{1} << bits) - 1);
  }
  IntegerRange int32 = IntegerRange::forBits(32, true);
  EXPECT_EQ(int32.min, INT32_MIN);
  EXPECT_EQ(int32.max, INT32_MAX);
}

TEST(IntegerRange, RoundAndSaturate) {
  IntegerRange int8 = IntegerRange::forBits(8, true);
  EXPECT_EQ(roundAndSaturate(127.4, RoundingMode::HalfToEven, int8), 127);
  EXPECT_EQ(roundAndSaturate(127.5, RoundingMode::HalfToEven, int8), 127);
  EXPECT_EQ(roundAndSaturate(-128.5, RoundingMode::HalfToEven, int8), -128);
  EXPECT_EQ(roundAndSaturate(1e300, RoundingMode::HalfToEven, int8), 127);
  EXPECT_EQ(roundAndSaturate(-INFINITY, RoundingMode::HalfToEven, int8), -128);
  EXPECT_EQ(roundAndSaturate(NAN, RoundingMode::HalfToEven, int8), 0);
  IntegerRange uint4 = IntegerRange::forBits(4, false);
  EXPECT_EQ(roundAndSaturate(NAN, RoundingMode::HalfToEven, uint4), 0);
  EXPECT_EQ(roundAndSaturate(-3, RoundingMode::HalfToEven, uint4), 0);
  EXPECT_EQ(roundAndSaturate(15.5, RoundingMode::Down, uint4), 15);
  IntegerRange one = {5, 9};
  EXPECT_EQ(roundAndSaturate(NAN, RoundingMode::HalfToEven, one), 5);
}

} // namespace
