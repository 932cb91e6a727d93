//===- QuantizeTest.cpp - Integer and scaled-minifloat quantization -------===//

#include "qcc/Numerics/Quantize.h"

#include <gtest/gtest.h>

#include <cfenv>
#include <cmath>
#include <limits>
#include <random>
#include <string>

using namespace qcc::numerics;

namespace {

const IntegerRange kUint8 = IntegerRange::forBits(8, false);
const IntegerRange kInt8 = IntegerRange::forBits(8, true);

TEST(QuantizeInteger, OnnxQuantizeLinearExample) {
  // The example of the ONNX QuantizeLinear specification (uint8, zp 128).
  const float x[] = {0, 2, 3, 1000, -254, -1000};
  const int64_t expected[] = {128, 129, 130, 255, 1, 0};
  for (int i = 0; i < 6; ++i)
    EXPECT_EQ(quantizeInteger(x[i], 2.0f, 128, kUint8), expected[i]) << x[i];
}

TEST(QuantizeInteger, RoundsTheFloatQuotientHalfToEven) {
  // Reference: float division then nearbyint (round-to-nearest-even in the
  // default environment), then zero point and saturation.
  ASSERT_EQ(std::fegetround(), FE_TONEAREST);
  std::mt19937 rng(7);
  std::uniform_real_distribution<float> value(-300, 300);
  std::uniform_real_distribution<float> logScale(-12, 4);
  std::uniform_int_distribution<int> zeroPoint(-20, 20);
  for (int i = 0; i < 200000; ++i) {
    const float scale = std::exp2(logScale(rng));
    // Every fourth value is an exact tie of the quotient.
    float x = value(rng);
    if (i % 4 == 0)
      x = (std::floor(x) + 0.5f) * scale;
    const int64_t zp = zeroPoint(rng);
    const float quotient = x / scale;
    const double rounded = std::nearbyint(quotient) + zp;
    const int64_t expected =
        static_cast<int64_t>(std::fmin(std::fmax(rounded, -128.0), 127.0));
    ASSERT_EQ(quantizeInteger(x, scale, zp, kInt8), expected)
        << "x=" << x << " scale=" << scale << " zp=" << zp;
  }
}

TEST(QuantizeInteger, DividesInSinglePrecision) {
  // x / scale is exactly the tie 10.5 in float (rounds to even: 10) but
  // 10.50000037 in double (would round to 11): float semantics, as ONNX.
  const float x = 6.726217269897461f, scale = 0.640592098236084f;
  ASSERT_EQ(x / scale, 10.5f);
  ASSERT_GT(static_cast<double>(x) / static_cast<double>(scale), 10.5);
  EXPECT_EQ(quantizeInteger(x, scale, 0, kInt8), 10);
}

TEST(QuantizeInteger, RoundingModes) {
  EXPECT_EQ(quantizeInteger(2.5f, 1, 0, kInt8, RoundingMode::HalfToEven), 2);
  EXPECT_EQ(quantizeInteger(2.5f, 1, 0, kInt8, RoundingMode::HalfUp), 3);
  EXPECT_EQ(quantizeInteger(-2.5f, 1, 0, kInt8, RoundingMode::HalfUp), -2);
  EXPECT_EQ(quantizeInteger(-2.5f, 1, 0, kInt8, RoundingMode::HalfAwayFromZero),
            -3);
  EXPECT_EQ(quantizeInteger(-2.7f, 1, 0, kInt8, RoundingMode::TowardZero), -2);
  EXPECT_EQ(quantizeInteger(-2.2f, 1, 0, kInt8, RoundingMode::Down), -3);
  EXPECT_EQ(quantizeInteger(2.2f, 1, 0, kInt8, RoundingMode::Up), 3);
}

TEST(QuantizeInteger, SpecialValuesAndSubByteRanges) {
  EXPECT_EQ(quantizeInteger(NAN, 0.1f, 3, kInt8), 3);
  EXPECT_EQ(quantizeInteger(INFINITY, 0.1f, 3, kInt8), 127);
  EXPECT_EQ(quantizeInteger(-INFINITY, 0.1f, 3, kInt8), -128);
  const IntegerRange int4 = IntegerRange::forBits(4, true);
  const IntegerRange uint4 = IntegerRange::forBits(4, false);
  const IntegerRange int2 = IntegerRange::forBits(2, true);
  const IntegerRange ternary = IntegerRange::forBits(2, true, /*narrow=*/true);
  EXPECT_EQ(quantizeInteger(100, 1, 0, int4), 7);
  EXPECT_EQ(quantizeInteger(-100, 1, 0, int4), -8);
  EXPECT_EQ(quantizeInteger(100, 1, 0, uint4), 15);
  EXPECT_EQ(quantizeInteger(-3, 1, 0, int2), -2);
  EXPECT_EQ(quantizeInteger(-3, 1, 0, ternary), -1);
  EXPECT_EQ(quantizeInteger(0.4f, 1, 0, ternary), 0);
  EXPECT_EQ(quantizeInteger(0.6f, 1, 0, ternary), 1);
}

TEST(QuantizeInteger, DequantizeInvertsWithinHalfAStep) {
  std::mt19937 rng(3);
  // Inside the representable range [(-128 - zp) * scale, (127 - zp) * scale].
  std::uniform_real_distribution<float> value(-4.8f, 5.3f);
  const float scale = 0.04f;
  const int64_t zp = -7;
  for (int i = 0; i < 10000; ++i) {
    const float x = value(rng);
    const int64_t q = quantizeInteger(x, scale, zp, kInt8);
    const float back = dequantizeInteger(q, scale, zp);
    EXPECT_EQ(back, static_cast<float>(q - zp) * scale);
    EXPECT_LE(std::fabs(back - x), scale / 2 * (1 + 1e-5f)) << x;
  }
}

TEST(QuantizeMinifloat, ScaledFp8) {
  EXPECT_EQ(quantizeMinifloat(1000, 1, MinifloatKind::F8E4M3FN), 0x7E); // 448
  EXPECT_EQ(quantizeMinifloat(-1000, 1, MinifloatKind::F8E4M3FN), 0xFE);
  EXPECT_EQ(dequantizeMinifloat(0x7E, 0.5f, MinifloatKind::F8E4M3FN), 224.0f);
  // x / scale in float, then nearest even: 3.25/0.5 = 6.5 -> E4M3 6.5 exact.
  EXPECT_EQ(dequantizeMinifloat(
                quantizeMinifloat(3.25f, 0.5f, MinifloatKind::F8E4M3FN), 0.5f,
                MinifloatKind::F8E4M3FN),
            3.25f);
  // Non-saturating E5M2 overflow is infinity.
  EXPECT_TRUE(std::isinf(dequantizeMinifloat(
      quantizeMinifloat(1e6f, 1, MinifloatKind::F8E5M2,
                        RoundingMode::HalfToEven, /*saturate=*/false),
      1, MinifloatKind::F8E5M2)));
}

TEST(WeightFormatNames, EveryNameAndNothingElse) {
  for (unsigned bits = 2; bits <= 16; ++bits) {
    auto f = parseWeightFormat("int" + std::to_string(bits));
    ASSERT_TRUE(f.has_value()) << bits;
    EXPECT_EQ(f->bits, bits);
    EXPECT_FALSE(f->minifloat.has_value());
  }
  EXPECT_EQ(parseWeightFormat("fp8e4m3")->minifloat, MinifloatKind::F8E4M3FN);
  EXPECT_EQ(parseWeightFormat("fp8e5m2")->minifloat, MinifloatKind::F8E5M2);
  EXPECT_EQ(parseWeightFormat("fp6e3m2")->bits, 6u);
  EXPECT_EQ(parseWeightFormat("fp6e2m3")->minifloat, MinifloatKind::F6E2M3FN);
  EXPECT_EQ(parseWeightFormat("fp4e2m1")->bits, 4u);
  for (const char *bad : {"int1", "int17", "int", "int04", "int4x", "fp4",
                          "f4E2M1FN", "INT4", "", "int-4", "int100"})
    EXPECT_FALSE(parseWeightFormat(bad).has_value()) << bad;
}

} // namespace

TEST(PowerOfTwoScale, SmallestPowerOfTwoAtLeastTheScale) {
  EXPECT_EQ(powerOfTwoAtLeast(1.0f), 1.0f);
  EXPECT_EQ(powerOfTwoAtLeast(0.5f), 0.5f);
  EXPECT_EQ(powerOfTwoAtLeast(0.3f), 0.5f);
  EXPECT_EQ(powerOfTwoAtLeast(0.0039215689f), 0.00390625f * 2); // 1/255 -> 2^-7
  EXPECT_EQ(powerOfTwoAtLeast(3.0f), 4.0f);
  EXPECT_EQ(powerOfTwoAtLeast(0.0f), 1.0f);
  EXPECT_EQ(powerOfTwoAtLeast(-2.0f), 1.0f);
  EXPECT_EQ(powerOfTwoAtLeast(std::numeric_limits<float>::infinity()), 1.0f);
  // Every float in [2^-20, 2^20): a power of two, at least it, less than
  // twice it.
  for (float x = 0x1p-20f; x < 0x1p20f;
       x = std::nextafter(x, 1e30f) * 1.0001f) {
    const float p = powerOfTwoAtLeast(x);
    int e;
    ASSERT_EQ(std::frexp(p, &e), 0.5f) << x;
    ASSERT_GE(p, x);
    ASSERT_LT(p, 2 * x);
  }
}
