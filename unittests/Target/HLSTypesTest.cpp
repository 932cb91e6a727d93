//===- HLSTypesTest.cpp - qcc_hls_types.h against the numerics library ----===//
//
// The C simulation of every HLS design runs on these types, so their
// arithmetic is checked exhaustively for small widths: wrapping on
// assignment, the exact grown results of +, - and *, shifts, and the dyadic
// rescale the designs compute, against qcc's numerics library; ap_fixed's
// rounding and overflow modes against numerics::roundAndSaturate.
//
//===----------------------------------------------------------------------===//

#include "qcc_hls_types.h"

#include "qcc/Numerics/Dyadic.h"
#include "qcc/Numerics/Rounding.h"

#include <gtest/gtest.h>

#include <cmath>

using qcc::numerics::IntegerRange;
using qcc::numerics::RoundingMode;

namespace {

/// `v` wrapped into `bits` bits, two's complement (signed) or not.
int64_t wrapped(int64_t v, unsigned bits, bool isSigned) {
  const int64_t modulus = int64_t(1) << bits;
  int64_t r = ((v % modulus) + modulus) % modulus;
  if (isSigned && r >= modulus / 2)
    r -= modulus;
  return r;
}

template <int W> void checkWrap() {
  const IntegerRange s = IntegerRange::forBits(W, /*isSigned=*/true);
  const IntegerRange u = IntegerRange::forBits(W, /*isSigned=*/false);
  for (int64_t v = -3 * (int64_t(1) << W); v <= 3 * (int64_t(1) << W); ++v) {
    const int64_t a = ap_int<W>(v).to_int64();
    const int64_t b = ap_uint<W>(v).to_int64();
    ASSERT_EQ(a, wrapped(v, W, true)) << "ap_int<" << W << ">(" << v << ")";
    ASSERT_EQ(b, wrapped(v, W, false)) << "ap_uint<" << W << ">(" << v << ")";
    ASSERT_TRUE(s.contains(a));
    ASSERT_TRUE(u.contains(b));
    // In range, the value is kept.
    if (s.contains(v))
      ASSERT_EQ(a, v);
  }
}

TEST(HLSTypes, AssignmentWrapsLikeTwosComplementStorage) {
  checkWrap<1>();
  checkWrap<2>();
  checkWrap<3>();
  checkWrap<4>();
  checkWrap<5>();
  checkWrap<7>();
  checkWrap<8>();
  checkWrap<11>();
}

template <int W1, int W2> void checkArithmetic() {
  const IntegerRange r1 = IntegerRange::forBits(W1, true);
  const IntegerRange r2 = IntegerRange::forBits(W2, true);
  for (int64_t x = r1.min; x <= r1.max; ++x)
    for (int64_t y = r2.min; y <= r2.max; ++y) {
      const ap_int<W1> a = x;
      const ap_int<W2> b = y;
      // The grown results are exact.
      ASSERT_EQ((a * b).to_int64(), x * y);
      ASSERT_EQ((a + b).to_int64(), x + y);
      ASSERT_EQ((a - b).to_int64(), x - y);
      ASSERT_EQ(a < b, x < y);
      ASSERT_EQ(a == b, x == y);
      // Assigned to a narrower type, they wrap as arith's iN ops do.
      const ap_int<W1> product = a * b;
      ASSERT_EQ(product.to_int64(), wrapped(x * y, W1, true));
      const ap_int<W1> sum = ap_int<W1>(a) + ap_int<W1>(b);
      ASSERT_EQ(sum.to_int64(), wrapped(x + wrapped(y, W1, true), W1, true));
      // Unsigned operands (arith's unsigned ops through ap_uint).
      const ap_uint<W1> ua = a;
      ASSERT_EQ(ua.to_int64(), wrapped(x, W1, false));
    }
}

TEST(HLSTypes, ArithmeticIsExactInTheGrownTypesExhaustively) {
  checkArithmetic<1, 1>();
  checkArithmetic<2, 3>();
  checkArithmetic<4, 4>();
  checkArithmetic<5, 3>();
  checkArithmetic<4, 8>();
  checkArithmetic<8, 8>();
}

template <int W> void checkShifts() {
  const IntegerRange r = IntegerRange::forBits(W, true);
  for (int64_t x = r.min; x <= r.max; ++x)
    for (int s = 0; s < W; ++s) {
      const ap_int<W> a = x;
      // Arithmetic shift right: floor division by 2^s.
      ASSERT_EQ((a >> s).to_int64(),
                static_cast<int64_t>(std::floor(std::ldexp(double(x), -s))));
      // Logical on ap_uint.
      const ap_uint<W> u = a;
      ASSERT_EQ((u >> s).to_int64(), wrapped(x, W, false) >> s);
      // Left: the low W bits.
      ASSERT_EQ((a << s).to_int64(), wrapped(x * (int64_t(1) << s), W, true));
    }
}

TEST(HLSTypes, ShiftsExhaustively) {
  checkShifts<1>();
  checkShifts<4>();
  checkShifts<7>();
  checkShifts<9>();
}

/// The dyadic rescale as the designs compute it (qc.rescale lowered to
/// arith, printed with ap types): every step exact at its width.
int64_t rescaleInAp(int64_t input, const qcc::numerics::RescaleParams &p) {
  const ap_int<48> x = ap_int<48>(input) - ap_int<48>(p.inputZeroPoint);
  const ap_int<80> product = ap_int<80>(x) * ap_int<80>(p.multiplier);
  const ap_int<80> rounded = product + (ap_int<80>(1) << (p.shift - 1));
  const ap_int<80> shifted = rounded >> p.shift;
  const ap_int<80> out = shifted + ap_int<80>(p.outputZeroPoint);
  const IntegerRange range =
      IntegerRange::forBits(p.outputBits, !p.outputUnsigned);
  const ap_int<80> lo = range.min, hi = range.max;
  const ap_int<80> clamped = out < lo ? lo : (out > hi ? hi : out);
  return ap_int<64>(clamped).to_int64();
}

TEST(HLSTypes, DyadicRescaleMatchesTheNumericsLibrary) {
  // Every 16-bit accumulator value, for multipliers and shifts across
  // their range, signed and unsigned outputs of several widths.
  const int32_t multipliers[] = {1, 1 << 30, 1073741823, 1518500250,
                                 2147483647};
  const int shifts[] = {2, 9, 31, 32, 38, 47};
  for (int32_t m : multipliers)
    for (int shift : shifts)
      for (unsigned bits : {4u, 8u})
        for (bool isUnsigned : {false, true}) {
          qcc::numerics::RescaleParams p;
          p.multiplier = m;
          p.shift = shift;
          p.inputZeroPoint = 3;
          p.outputZeroPoint = isUnsigned ? 5 : -2;
          p.outputBits = bits;
          p.outputUnsigned = isUnsigned;
          for (int64_t v = -32768; v < 32768; v += (shift < 20 ? 1 : 7)) {
            auto expected = qcc::numerics::rescale(v, p);
            if (!expected)
              continue; // outside TOSA's domain
            ASSERT_EQ(rescaleInAp(v, p), *expected)
                << "value " << v << " multiplier " << m << " shift "
                << shift;
          }
        }
}

template <int W, int I, ap_q_mode Q, ap_o_mode O>
void checkFixed(RoundingMode mode, bool saturate) {
  const IntegerRange range = IntegerRange::forBits(W, true);
  for (double x = -20; x <= 20; x += 1.0 / 64) {
    const double scaled = std::ldexp(x, W - I);
    const ap_fixed<W, I, Q, O> f = x;
    int64_t expected;
    if (saturate) {
      expected = qcc::numerics::roundAndSaturate(scaled, mode, range);
    } else {
      expected = wrapped(
          static_cast<int64_t>(qcc::numerics::roundToIntegral(scaled, mode)),
          W, true);
    }
    ASSERT_EQ(f.raw_bits(), expected) << x;
    ASSERT_EQ(f.to_double(), std::ldexp(double(expected), I - W));
  }
}

TEST(HLSTypes, FixedPointRoundingAndOverflowModes) {
  checkFixed<8, 4, AP_RND_CONV, AP_SAT>(RoundingMode::HalfToEven, true);
  checkFixed<8, 4, AP_TRN, AP_SAT>(RoundingMode::Down, true);
  checkFixed<6, 3, AP_TRN, AP_WRAP>(RoundingMode::Down, false);
  checkFixed<6, 2, AP_TRN_ZERO, AP_SAT>(RoundingMode::TowardZero, true);
  checkFixed<10, 5, AP_RND, AP_SAT>(RoundingMode::HalfUp, true);
  checkFixed<7, 3, AP_RND_INF, AP_WRAP>(RoundingMode::HalfAwayFromZero,
                                        false);
}

} // namespace
