//===- MinifloatTest.cpp - Minifloat codecs against LLVM APFloat ----------===//
//
// LLVM's APFloat implements every format independently; it is the oracle.
// Decoding is checked on every code point of every format, encoding on every
// half- and bfloat16 value, on every midpoint between adjacent codes and on
// one ulp either side of it, under every rounding mode APFloat has.
//
//===----------------------------------------------------------------------===//

#include "qcc/Numerics/Minifloat.h"

#include "llvm/ADT/APFloat.h"

#include <gtest/gtest.h>

#include <cmath>
#include <vector>

using namespace qcc::numerics;

namespace {

const llvm::fltSemantics &semanticsOf(MinifloatKind kind) {
  switch (kind) {
  case MinifloatKind::F8E4M3FN:
    return llvm::APFloat::Float8E4M3FN();
  case MinifloatKind::F8E5M2:
    return llvm::APFloat::Float8E5M2();
  case MinifloatKind::F6E3M2FN:
    return llvm::APFloat::Float6E3M2FN();
  case MinifloatKind::F6E2M3FN:
    return llvm::APFloat::Float6E2M3FN();
  case MinifloatKind::F4E2M1FN:
    return llvm::APFloat::Float4E2M1FN();
  case MinifloatKind::F8E8M0FNU:
    return llvm::APFloat::Float8E8M0FNU();
  }
  return llvm::APFloat::IEEEdouble();
}

llvm::APFloat fromCode(MinifloatKind kind, unsigned code) {
  const MinifloatFormat &f = getMinifloatFormat(kind);
  return llvm::APFloat(semanticsOf(kind), llvm::APInt(f.bits(), code));
}

struct ModePair {
  RoundingMode ours;
  llvm::RoundingMode llvm;
};
const ModePair kModes[] = {
    {RoundingMode::HalfToEven, llvm::RoundingMode::NearestTiesToEven},
    {RoundingMode::HalfAwayFromZero, llvm::RoundingMode::NearestTiesToAway},
    {RoundingMode::TowardZero, llvm::RoundingMode::TowardZero},
    {RoundingMode::Down, llvm::RoundingMode::TowardNegative},
    {RoundingMode::Up, llvm::RoundingMode::TowardPositive},
};

/// APFloat's encoding of `x`, or nullopt where APFloat reports overflow or
/// produces a non-finite value (checked separately against our documented
/// overflow rules).
std::optional<unsigned> oracleEncode(MinifloatKind kind, double x,
                                     llvm::RoundingMode mode) {
  llvm::APFloat value(x);
  bool losesInfo = false;
  llvm::APFloat::opStatus status =
      value.convert(semanticsOf(kind), mode, &losesInfo);
  if ((status & llvm::APFloat::opOverflow) || !value.isFinite())
    return std::nullopt;
  return static_cast<unsigned>(value.bitcastToAPInt().getZExtValue());
}

class MinifloatFormatTest : public ::testing::TestWithParam<MinifloatKind> {};

TEST_P(MinifloatFormatTest, EveryCodeDecodesLikeAPFloat) {
  const MinifloatKind kind = GetParam();
  const MinifloatFormat &f = getMinifloatFormat(kind);
  for (unsigned code = 0; code < f.numCodes(); ++code) {
    SCOPED_TRACE(code);
    llvm::APFloat expected = fromCode(kind, code);
    double decoded = decodeMinifloat(kind, static_cast<uint8_t>(code));
    EXPECT_EQ(isNanCode(kind, static_cast<uint8_t>(code)), expected.isNaN());
    if (expected.isNaN()) {
      EXPECT_TRUE(std::isnan(decoded));
      continue;
    }
    EXPECT_EQ(decoded, expected.convertToDouble());
    EXPECT_EQ(std::signbit(decoded), expected.isNegative());
  }
}

TEST_P(MinifloatFormatTest, EveryCodeRoundTrips) {
  const MinifloatKind kind = GetParam();
  const MinifloatFormat &f = getMinifloatFormat(kind);
  for (unsigned code = 0; code < f.numCodes(); ++code) {
    SCOPED_TRACE(code);
    const uint8_t c = static_cast<uint8_t>(code);
    const double value = decodeMinifloat(kind, c);
    if (std::isnan(value)) {
      EXPECT_TRUE(isNanCode(kind, encodeMinifloat(kind, value)));
      continue;
    }
    for (const ModePair &mode : kModes)
      for (bool saturate : {false, true})
        if (std::isfinite(value) || !saturate)
          EXPECT_EQ(encodeMinifloat(kind, value, mode.ours, saturate), c);
  }
}

/// Inputs that exercise every rounding decision: all f16 and bf16 values
/// (converted exactly to double) and, for each pair of adjacent positive
/// codes, their midpoint and the doubles just beside it.
std::vector<double> encodingProbes(MinifloatKind kind) {
  std::vector<double> probes;
  for (unsigned bits = 0; bits < 65536; ++bits) {
    for (const llvm::fltSemantics *sem :
         {&llvm::APFloat::IEEEhalf(), &llvm::APFloat::BFloat()}) {
      llvm::APFloat v(*sem, llvm::APInt(16, bits));
      if (v.isNaN())
        continue;
      bool losesInfo;
      v.convert(llvm::APFloat::IEEEdouble(),
                llvm::RoundingMode::NearestTiesToEven, &losesInfo);
      probes.push_back(v.convertToDouble());
    }
  }
  const MinifloatFormat &f = getMinifloatFormat(kind);
  std::vector<double> values;
  for (unsigned code = 0; code < f.numCodes(); ++code) {
    double v = decodeMinifloat(kind, static_cast<uint8_t>(code));
    if (std::isfinite(v) && v >= 0)
      values.push_back(v);
  }
  std::sort(values.begin(), values.end());
  for (size_t i = 0; i + 1 < values.size(); ++i) {
    const double mid = (values[i] + values[i + 1]) / 2;
    for (double p : {mid, std::nextafter(mid, 0.0), std::nextafter(mid, 1e300)})
      for (double sign : {1.0, -1.0})
        probes.push_back(sign * p);
  }
  return probes;
}

TEST_P(MinifloatFormatTest, EncodingMatchesAPFloatInEveryMode) {
  const MinifloatKind kind = GetParam();
  const MinifloatFormat &f = getMinifloatFormat(kind);
  size_t compared = 0;
  for (double x : encodingProbes(kind)) {
    if (!f.hasSign && x <= 0)
      continue; // E8M0FNU has neither sign nor zero: documented as NaN.
    for (const ModePair &mode : kModes) {
      std::optional<unsigned> expected = oracleEncode(kind, x, mode.llvm);
      if (!expected)
        continue;
      ++compared;
      ASSERT_EQ(encodeMinifloat(kind, x, mode.ours, /*saturate=*/false),
                *expected)
          << "x=" << x << " mode=" << stringifyRoundingMode(mode.ours);
    }
  }
  EXPECT_GT(compared, 100000u);
}

TEST_P(MinifloatFormatTest, OverflowSaturatesOrFollowsTheFormat) {
  const MinifloatKind kind = GetParam();
  const MinifloatFormat &f = getMinifloatFormat(kind);
  const double max = f.maxFinite();
  for (double x : {max * 2, max * 1e6, static_cast<double>(INFINITY)}) {
    SCOPED_TRACE(x);
    EXPECT_EQ(decodeMinifloat(kind, encodeMinifloat(kind, x)), max);
    const double nonSaturated = decodeMinifloat(
        kind, encodeMinifloat(kind, x, RoundingMode::HalfToEven, false));
    if (f.hasInfinity)
      EXPECT_EQ(nonSaturated, INFINITY);
    else if (f.nan != NanEncoding::None)
      EXPECT_TRUE(std::isnan(nonSaturated));
    else
      EXPECT_EQ(nonSaturated, max);
    // Rounding a finite value toward zero never overflows to a non-finite
    // value (IEEE); infinity itself is exact and stays non-finite.
    if (std::isfinite(x))
      EXPECT_EQ(decodeMinifloat(kind, encodeMinifloat(kind, x,
                                                      RoundingMode::TowardZero,
                                                      false)),
                max);
    if (f.hasSign) {
      EXPECT_EQ(decodeMinifloat(kind, encodeMinifloat(kind, -x)), -max);
      if (!f.hasInfinity && f.nan != NanEncoding::None) {
        // ONNX: non-saturating E4M3FN overflow is NaN and keeps the sign.
        uint8_t code = encodeMinifloat(kind, -x, RoundingMode::HalfToEven, false);
        EXPECT_TRUE(isNanCode(kind, code));
        EXPECT_TRUE(code & (1u << (f.bits() - 1)));
      }
    }
  }
}

INSTANTIATE_TEST_SUITE_P(AllFormats, MinifloatFormatTest,
                         ::testing::ValuesIn(kAllMinifloatKinds),
                         [](const auto &info) {
                           return std::string(
                               getMinifloatFormat(info.param).name);
                         });

TEST(Minifloat, FormatConstants) {
  auto max = [](MinifloatKind k) { return getMinifloatFormat(k).maxFinite(); };
  EXPECT_EQ(max(MinifloatKind::F8E4M3FN), 448);
  EXPECT_EQ(max(MinifloatKind::F8E5M2), 57344);
  EXPECT_EQ(max(MinifloatKind::F6E3M2FN), 28);
  EXPECT_EQ(max(MinifloatKind::F6E2M3FN), 7.5);
  EXPECT_EQ(max(MinifloatKind::F4E2M1FN), 6);
  EXPECT_EQ(max(MinifloatKind::F8E8M0FNU), std::ldexp(1.0, 127));
  EXPECT_EQ(getMinifloatFormat(MinifloatKind::F8E4M3FN).minPositive(),
            std::ldexp(1.0, -9));
  EXPECT_EQ(getMinifloatFormat(MinifloatKind::F8E5M2).minPositive(),
            std::ldexp(1.0, -16));
  EXPECT_EQ(getMinifloatFormat(MinifloatKind::F8E8M0FNU).minPositive(),
            std::ldexp(1.0, -127));
  // OCP MX emax of each element format.
  auto emax = [](MinifloatKind k) { return getMinifloatFormat(k).maxExponent(); };
  EXPECT_EQ(emax(MinifloatKind::F8E4M3FN), 8);
  EXPECT_EQ(emax(MinifloatKind::F8E5M2), 15);
  EXPECT_EQ(emax(MinifloatKind::F6E3M2FN), 4);
  EXPECT_EQ(emax(MinifloatKind::F6E2M3FN), 2);
  EXPECT_EQ(emax(MinifloatKind::F4E2M1FN), 2);
  for (MinifloatKind kind : kAllMinifloatKinds)
    EXPECT_EQ(parseMinifloatKind(getMinifloatFormat(kind).name), kind);
  EXPECT_EQ(parseMinifloatKind("f8E4M3"), std::nullopt);
}

TEST(Minifloat, Specials) {
  EXPECT_EQ(getMinifloatFormat(MinifloatKind::F8E5M2).specials(), "inf nan");
  EXPECT_EQ(getMinifloatFormat(MinifloatKind::F8E4M3FN).specials(), "nan");
  EXPECT_EQ(getMinifloatFormat(MinifloatKind::F4E2M1FN).specials(), "-");
  EXPECT_EQ(getMinifloatFormat(MinifloatKind::F8E8M0FNU).specials(),
            "nan no-zero unsigned");
}

TEST(Minifloat, Fp4HasExactlyTheOcpValues) {
  const double expected[] = {0, 0.5, 1, 1.5, 2, 3, 4, 6};
  for (unsigned code = 0; code < 8; ++code) {
    EXPECT_EQ(decodeMinifloat(MinifloatKind::F4E2M1FN, code), expected[code]);
    EXPECT_EQ(decodeMinifloat(MinifloatKind::F4E2M1FN, code | 8),
              -expected[code]);
  }
  // Ties go to the even mantissa: 5 lies between 4 (1.0x2^2) and 6 (1.1x2^2).
  EXPECT_EQ(roundToMinifloat(MinifloatKind::F4E2M1FN, 5.0), 4.0);
  EXPECT_EQ(roundToMinifloat(MinifloatKind::F4E2M1FN, 2.5), 2.0);
  EXPECT_EQ(roundToMinifloat(MinifloatKind::F4E2M1FN, 0.25), 0.0);
  EXPECT_EQ(roundToMinifloat(MinifloatKind::F4E2M1FN, 0.2500001), 0.5);
}

TEST(Minifloat, SpecialValues) {
  // Formats without NaN encode NaN as +0 (docs/numerics.md).
  for (MinifloatKind kind : {MinifloatKind::F6E3M2FN, MinifloatKind::F6E2M3FN,
                             MinifloatKind::F4E2M1FN})
    EXPECT_EQ(encodeMinifloat(kind, NAN), 0);
  EXPECT_TRUE(isNanCode(MinifloatKind::F8E4M3FN,
                        encodeMinifloat(MinifloatKind::F8E4M3FN, NAN)));
  EXPECT_TRUE(isNanCode(MinifloatKind::F8E5M2,
                        encodeMinifloat(MinifloatKind::F8E5M2, NAN)));
  // Negative zero keeps its sign.
  EXPECT_EQ(encodeMinifloat(MinifloatKind::F8E4M3FN, -0.0), 0x80);
  EXPECT_EQ(encodeMinifloat(MinifloatKind::F4E2M1FN, -0.0), 0x8);
  // E8M0FNU: no zero, no sign.
  EXPECT_EQ(encodeMinifloat(MinifloatKind::F8E8M0FNU, 0.0), 0xFF);
  EXPECT_EQ(encodeMinifloat(MinifloatKind::F8E8M0FNU, -1.0), 0xFF);
  EXPECT_EQ(encodeMinifloat(MinifloatKind::F8E8M0FNU, 1.0), 127);
  EXPECT_EQ(encodeMinifloat(MinifloatKind::F8E8M0FNU, 1e-300), 0);
  EXPECT_EQ(encodeMinifloat(MinifloatKind::F8E8M0FNU, 1e300), 0xFE);
}

} // namespace
