//===- UkernelTest.cpp - The int8 matmul micro-kernel ---------------------===//
//
// Every tier's kernel against the portable reference, exactly, over shapes that
// exercise every tail (M not a multiple of the row block, P not a multiple
// of 16 or of the panel, K not a multiple of 4), every panel width, batch,
// threads, leading dimensions larger than the rows, extreme values (the
// sign-flip compensation) and accumulation into non-zero C.
//
//===----------------------------------------------------------------------===//

#include "UkernelTier.h"

#include "qcc/Target/CPU/Ukernel.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <cstring>
#include <cmath>
#include <limits>
#include <optional>
#include <random>
#include <string>
#include <vector>

namespace {

INSTANTIATE_UKERNEL_TIERS();

struct Shape {
  int64_t batch, M, P, K;
};

/// A's element (m, k), when a test chooses A; random bytes otherwise.
using ChooseA = int8_t (*)(int64_t m, int64_t k, std::mt19937 &rng);

void check(const Shape &s, int threads, int8_t fill, unsigned seed,
           ChooseA chooseA = nullptr) {
  std::mt19937 rng(seed);
  std::uniform_int_distribution<int> byte(-128, 127);
  const int64_t lda = s.K + 3, ldb = s.P + 5, ldc = s.P + 2;
  const int64_t strideB = s.K * ldb + 7, strideC = s.M * ldc + 1;
  std::vector<int8_t> A(s.M * lda), B(s.batch * strideB);
  for (int64_t i = 0; i < static_cast<int64_t>(A.size()); ++i)
    A[i] = chooseA ? chooseA(i / lda, i % lda, rng)
           : fill  ? fill
                   : static_cast<int8_t>(byte(rng));
  for (int8_t &v : B)
    v = fill ? static_cast<int8_t>(-fill) : static_cast<int8_t>(byte(rng));
  std::vector<int32_t> C(s.batch * strideC), expected;
  for (int32_t &v : C)
    v = static_cast<int32_t>(rng() % 2001) - 1000;
  expected = C;
  qcc_ukernel_matmul_s8s8s32_reference(s.batch, s.M, s.P, s.K, A.data(), lda,
                                       B.data(), strideB, ldb, expected.data(),
                                       strideC, ldc);
  qcc_ukernel_matmul_s8s8s32(s.batch, s.M, s.P, s.K, A.data(), lda, B.data(),
                             strideB, ldb, C.data(), strideC, ldc, threads);
  ASSERT_EQ(C, expected) << "batch " << s.batch << " M " << s.M << " P " << s.P
                         << " K " << s.K << " threads " << threads;
}

TEST_P(UkernelTier, MatchesReferenceOnAllTails) {
  unsigned seed = 1;
  for (int64_t M : {1, 5, 6, 7, 8, 9, 13, 64})
    for (int64_t P : {1, 15, 16, 17, 33, 49, 64, 100, 196})
      for (int64_t K : {1, 3, 4, 5, 27, 64, 147})
        check({1, M, P, K}, 1, 0, seed++);
}

TEST_P(UkernelTier, BatchesThreadsAndExtremes) {
  unsigned seed = 100;
  // Jobs below 2^24 multiply-adds run on one thread whatever `threads`
  // says; the last two shapes are big enough to split (panels, then M).
  for (int threads : {1, 2, 3})
    for (Shape s : {Shape{2, 64, 49, 576}, Shape{3, 7, 200, 9},
                    Shape{1, 1, 1000, 512}, Shape{1, 130, 17, 40},
                    Shape{1, 200, 300, 600}, Shape{1, 400, 40, 1200}})
      check(s, threads, 0, seed++);
  // All -128 times all +128 and all 127 times all -127: the largest
  // products, where a wrong compensation shows.
  check({1, 16, 40, 300}, 2, -128, 7);
  check({1, 16, 40, 300}, 1, 127, 8);
  // The same on shapes big enough for AMX tiles (amxPays).
  check({1, 64, 64, 320}, 2, -128, 9);
  check({1, 64, 64, 320}, 1, 127, 10);
}

// Rows of A whose pairs (k, k + 1), k even, have |a[k]| + |a[k + 1]| <= 128
// make AVX2's vpmaddubsw exact, and that tier takes them in bytes
// (Int8Pairs.c): the pair sums at the edge of 16 bits against B's extremes,
// and a row one over the edge, which must go back to 16-bit pairs.
TEST_P(UkernelTier, NarrowPairsOfAAreExact) {
  // Random 7-bit weights, [-64, 64].
  const ChooseA sevenBits = [](int64_t, int64_t, std::mt19937 &rng) {
    return static_cast<int8_t>(static_cast<int>(rng() % 129) - 64);
  };
  // Pairs summing to exactly 128 in magnitude: (-128, 0), (0, -128),
  // (127, 1), (-1, -127), (64, 64), (-64, -64), in turn by pair.
  const ChooseA edge = [](int64_t m, int64_t k, std::mt19937 &) {
    static const int8_t pairs[][2] = {{-128, 0},  {0, -128}, {127, 1},
                                      {-1, -127}, {64, 64},  {-64, -64}};
    return pairs[(m + k / 2) % 6][k % 2];
  };
  // The same with one pair of the last row at 129: the 16-bit pairs.
  const ChooseA overEdge = [](int64_t m, int64_t k, std::mt19937 &rng) {
    return m == 12 && k == 2 ? static_cast<int8_t>(-127)
           : m == 12 && k == 3
               ? static_cast<int8_t>(-2)
               : static_cast<int8_t>(static_cast<int>(rng() % 129) - 64);
  };
  unsigned seed = 300;
  for (ChooseA choose : {sevenBits, edge, overEdge})
    for (Shape s : {Shape{1, 13, 49, 27}, Shape{2, 7, 100, 64},
                    Shape{1, 64, 196, 147}, Shape{1, 200, 300, 600}})
      for (int threads : {1, 2})
        check(s, threads, 0, seed++, choose);
  // B's extremes (all -128, fill 128; all 127, fill -127: 255 once made
  // unsigned) against the edge pairs.
  check({1, 13, 40, 300}, 1, -128, 320, edge);
  check({1, 13, 40, 300}, 2, -127, 321, edge);
  check({1, 13, 40, 300}, 1, -127, 322, overEdge);
}

struct ConvShape {
  int64_t N, C, H, W, M, KH, KW, sh, sw, dh, dw;
  int64_t outH() const { return (H - dh * (KH - 1) - 1) / sh + 1; }
  int64_t outW() const { return (W - dw * (KW - 1) - 1) / sw + 1; }
};

/// `count` random int8 values.
std::vector<int8_t> randomBytes(int64_t count, std::mt19937 &rng) {
  std::uniform_int_distribution<int> byte(-128, 127);
  std::vector<int8_t> values(count);
  for (int8_t &v : values)
    v = static_cast<int8_t>(byte(rng));
  return values;
}

void checkConv(const ConvShape &s, int threads, unsigned seed) {
  std::mt19937 rng(seed);
  const int64_t OH = s.outH(), OW = s.outW();
  const std::vector<int8_t> x = randomBytes(s.N * s.C * s.H * s.W, rng);
  const std::vector<int8_t> w = randomBytes(s.M * s.C * s.KH * s.KW, rng);
  std::vector<int32_t> out(s.N * s.M * OH * OW);
  for (int32_t &v : out)
    v = static_cast<int32_t>(rng() % 2001) - 1000;
  std::vector<int32_t> expected = out;
  qcc_ukernel_conv2d_nchw_s8s8s32_reference(
      s.N, s.C, s.H, s.W, x.data(), s.M, s.KH, s.KW, w.data(), OH, OW,
      expected.data(), s.sh, s.sw, s.dh, s.dw);
  qcc_ukernel_conv2d_nchw_s8s8s32(s.N, s.C, s.H, s.W, x.data(), s.M, s.KH, s.KW,
                                  w.data(), OH, OW, out.data(), s.sh, s.sw,
                                  s.dh, s.dw, /*constantWeights=*/0, threads);
  ASSERT_EQ(out, expected) << "C " << s.C << " H " << s.H << " W " << s.W
                           << " M " << s.M << " K " << s.KH << "x" << s.KW
                           << " stride " << s.sh << "x" << s.sw << " dilation "
                           << s.dh << "x" << s.dw;
}

/// `planes` H x W planes padded as `pad` says (with its value), written out
/// independently of the kernels' padding code.
template <typename T>
std::vector<T> padPlanes(const std::vector<T> &x, int64_t planes, int64_t H,
                         int64_t W, const qcc_ukernel_padding &pad) {
  const int64_t Hp = H + pad.top + pad.bottom, Wp = W + pad.left + pad.right;
  std::vector<T> padded(planes * Hp * Wp, static_cast<T>(pad.value));
  for (int64_t p = 0; p < planes; ++p)
    for (int64_t h = 0; h < H; ++h)
      for (int64_t w = 0; w < W; ++w)
        padded[(p * Hp + h + pad.top) * Wp + w + pad.left] =
            x[(p * H + h) * W + w];
  return padded;
}

/// The bounds a float kernel clamps its outputs to as it stores (a fused
/// Relu or Clip), NaN kept; nanAt >= 0 puts a NaN into the input there.
struct FloatClamp {
  float lo = -std::numeric_limits<float>::infinity();
  float hi = std::numeric_limits<float>::infinity();
  int64_t nanAt = -1;
  float operator()(float v) const {
    v = v < lo ? lo : v;
    return v > hi ? hi : v;
  }
};

/// The float convolution of shape s (H, W: the padded input's) on an input
/// the kernel pads with zeros as `pad` says, against the reference on the
/// padded copy.
void checkFloatConv(const ConvShape &s, int threads, unsigned seed,
                    const qcc_ukernel_padding &pad = {},
                    const FloatClamp &clamp = {}) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<float> value(-1.0f, 1.0f);
  const int64_t OH = s.outH(), OW = s.outW();
  const int64_t H = s.H - pad.top - pad.bottom, W = s.W - pad.left - pad.right;
  std::vector<float> source(s.N * s.C * H * W), w(s.M * s.C * s.KH * s.KW),
      bias(s.M);
  for (std::vector<float> *v : {&source, &w, &bias})
    for (float &f : *v)
      f = value(rng);
  if (clamp.nanAt >= 0)
    source[clamp.nanAt % source.size()] = std::nanf("");
  const std::vector<float> x = padPlanes(source, s.N * s.C, H, W, pad);
  // Guard floats after the output: no store may run past it.
  const size_t size = s.N * s.M * OH * OW, guard = 64;
  std::vector<float> out(size + guard, 1e30f), expected(size);
  qcc_ukernel_conv2d_f32_reference(s.N, s.C, s.H, s.W, x.data(), s.M, s.KH,
                                   s.KW, w.data(), bias.data(), OH, OW,
                                   expected.data(), s.sh, s.sw, s.dh, s.dw);
  for (float &v : expected)
    v = clamp(v);
  qcc_ukernel_conv2d_f32(s.N, s.C, H, W, source.data(), &pad, s.M, s.KH, s.KW,
                         w.data(), bias.data(), clamp.lo, clamp.hi, OH, OW,
                         out.data(), s.sh, s.sw, s.dh, s.dw,
                         /*constantWeights=*/0, threads);
  // Float sums in another order: within a few ulps of the sum of |terms|.
  const double tolerance = 1e-6 * (s.C * s.KH * s.KW + 1);
  for (size_t i = size; i < out.size(); ++i)
    ASSERT_EQ(out[i], 1e30f) << "stored past the output at " << i;
  for (size_t i = 0; i < size; ++i)
    if (std::isnan(expected[i]))
      ASSERT_TRUE(std::isnan(out[i])) << "NaN dropped at " << i;
    else
      ASSERT_NEAR(out[i], expected[i], tolerance)
        << "at " << i << ": C " << s.C << " H " << s.H << " W " << s.W << " M "
        << s.M << " K " << s.KH << "x" << s.KW << " stride " << s.sh
        << " dilation " << s.dh << " threads " << threads << " pads "
        << pad.top << "," << pad.left << "," << pad.bottom << "," << pad.right;
}

/// The grouped float convolution of shape s (C and M over all groups; H, W:
/// the padded input's) against double sums, and nothing stored past its
/// output.
void checkGroupedFloatConv(const ConvShape &s, int64_t groups, int threads,
                           unsigned seed, const qcc_ukernel_padding &pad = {}) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<float> value(-1.0f, 1.0f);
  const int64_t OH = s.outH(), OW = s.outW(), Cg = s.C / groups,
                Mg = s.M / groups;
  const int64_t H = s.H - pad.top - pad.bottom, W = s.W - pad.left - pad.right;
  std::vector<float> source(s.N * s.C * H * W), w(s.M * Cg * s.KH * s.KW),
      bias(s.M);
  for (std::vector<float> *v : {&source, &w, &bias})
    for (float &f : *v)
      f = value(rng);
  const std::vector<float> x = padPlanes(source, s.N * s.C, H, W, pad);
  const size_t size = s.N * s.M * OH * OW, guard = 32;
  std::vector<float> out(size + guard, 1e30f);
  qcc_ukernel_grouped_conv2d_f32(s.N, s.C, H, W, source.data(), &pad, s.M, s.KH,
                                 s.KW, w.data(), bias.data(), -INFINITY,
                                 INFINITY, OH, OW, out.data(), s.sh, s.sw, s.dh,
                                 s.dw, /*constantWeights=*/0, groups, threads);
  for (int64_t n = 0; n < s.N; ++n)
    for (int64_t m = 0; m < s.M; ++m)
      for (int64_t oh = 0; oh < OH; ++oh)
        for (int64_t ow = 0; ow < OW; ++ow) {
          const int64_t g = m / Mg;
          double sum = bias[m];
          for (int64_t c = 0; c < Cg; ++c)
            for (int64_t kh = 0; kh < s.KH; ++kh)
              for (int64_t kw = 0; kw < s.KW; ++kw)
                sum +=
                    double(w[((m * Cg + c) * s.KH + kh) * s.KW + kw]) *
                    x[((n * s.C + g * Cg + c) * s.H + oh * s.sh + kh * s.dh) *
                          s.W +
                      ow * s.sw + kw * s.dw];
          ASSERT_NEAR(out[((n * s.M + m) * OH + oh) * OW + ow], sum,
                      1e-6 * (Cg * s.KH * s.KW + 1))
              << "C " << s.C << " M " << s.M << " groups " << groups << " H "
              << s.H << " stride " << s.sh << " threads " << threads;
        }
  for (size_t i = size; i < out.size(); ++i)
    ASSERT_EQ(out[i], 1e30f) << "a store past the output";
}

// Grouped float convolutions: RegNet's groups of 8 channels (3x3, strides
// 1 and 2, padded), a channel multiplier of 2 (one input channel per
// group), batches, groups split among threads; one group is the plain
// convolution.
TEST_P(UkernelTier, GroupedFloatConvolutionMatchesReference) {
  unsigned seed = 2600;
  const qcc_ukernel_padding one = {1, 1, 1, 1, 0};
  for (auto [s, groups] :
       {std::pair{ConvShape{1, 48, 14, 14, 48, 3, 3, 1, 1, 1, 1}, int64_t{6}},
        std::pair{ConvShape{2, 24, 13, 13, 24, 3, 3, 2, 2, 1, 1}, int64_t{3}},
        std::pair{ConvShape{1, 8, 10, 10, 16, 3, 3, 1, 1, 1, 1}, int64_t{8}},
        std::pair{ConvShape{1, 16, 9, 9, 32, 1, 1, 1, 1, 1, 1}, int64_t{1}}})
    for (int threads : {1, 2, 3})
      checkGroupedFloatConv(s, groups, threads, seed++, one);
}

TEST_P(UkernelTier, FloatConvolutionMatchesReference) {
  unsigned seed = 2000;
  // Tails of M (row blocks of 4, 6 and 8) and P (panels of 2, 3 and 4
  // vectors: P = 16, 36 and 49 pick each), strides, dilations, batches, 1x1
  // and 7x7, and a job big enough to split among threads. Small planes with
  // many channels (P = 9, 16, 49) run channel-lane tiles on every tier,
  // with tails of positions and channels. A 1x1 stride-1 convolution of a
  // batch of two large planes reads its whole panels in place and packs
  // its last, partial one. Stride-2 stems whose panels take more than 16
  // columns of a row: SqueezeNet's (47 outputs a row, panels of 64 on
  // AVX-512) and one of 24-column panels (AVX2 and generic).
  for (ConvShape s : {ConvShape{1, 3, 14, 14, 8, 7, 7, 2, 2, 1, 1},
                      ConvShape{1, 3, 96, 95, 64, 3, 3, 2, 2, 1, 1},
                      ConvShape{1, 3, 49, 49, 16, 3, 3, 2, 2, 1, 1},
                      ConvShape{2, 16, 24, 23, 40, 1, 1, 1, 1, 1, 1},
                      ConvShape{2, 20, 5, 5, 40, 3, 3, 1, 1, 1, 1},
                      ConvShape{1, 24, 11, 11, 70, 3, 3, 2, 2, 2, 2},
                      ConvShape{1, 32, 9, 9, 64, 3, 3, 1, 1, 1, 1},
                      ConvShape{2, 5, 9, 11, 13, 3, 3, 1, 1, 1, 1},
                      ConvShape{1, 16, 7, 7, 9, 1, 1, 1, 1, 1, 1},
                      ConvShape{1, 4, 12, 10, 5, 3, 2, 3, 2, 2, 1},
                      ConvShape{1, 1, 5, 5, 1, 1, 1, 1, 1, 1, 1},
                      ConvShape{1, 3, 8, 8, 10, 3, 3, 1, 1, 1, 1},
                      ConvShape{1, 64, 30, 30, 64, 3, 3, 1, 1, 1, 1}})
    for (int threads : {1, 2})
      checkFloatConv(s, threads, seed++);
}

/// The float depthwise convolution of shape s (H, W: the padded input's),
/// the input padded with zeros by the kernel, against double sums.
void checkFloatDepthwise(const ConvShape &s, int threads, unsigned seed,
                         const qcc_ukernel_padding &pad = {},
                         const FloatClamp &clamp = {}) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<float> value(-1.0f, 1.0f);
  const int64_t OH = s.outH(), OW = s.outW();
  const int64_t H = s.H - pad.top - pad.bottom, W = s.W - pad.left - pad.right;
  std::vector<float> source(s.N * s.C * H * W), w(s.C * s.KH * s.KW),
      bias(s.C);
  for (std::vector<float> *v : {&source, &w, &bias})
    for (float &f : *v)
      f = value(rng);
  if (clamp.nanAt >= 0)
    source[clamp.nanAt % source.size()] = std::nanf("");
  const std::vector<float> x = padPlanes(source, s.N * s.C, H, W, pad);
  // Guard floats after the output: no store may run past it.
  const size_t size = s.N * s.C * OH * OW, guard = 32;
  std::vector<float> out(size + guard, 1e30f);
  qcc_ukernel_depthwise_conv2d_f32(s.N, s.C, H, W, source.data(), &pad, s.KH,
                                   s.KW, w.data(), bias.data(), clamp.lo,
                                   clamp.hi, OH, OW, out.data(), s.sh, s.sw,
                                   s.dh, s.dw, threads);
  for (int64_t n = 0; n < s.N; ++n)
    for (int64_t c = 0; c < s.C; ++c)
      for (int64_t oh = 0; oh < OH; ++oh)
        for (int64_t ow = 0; ow < OW; ++ow) {
          double sum = bias[c];
          for (int64_t kh = 0; kh < s.KH; ++kh)
            for (int64_t kw = 0; kw < s.KW; ++kw)
              sum += double(w[(c * s.KH + kh) * s.KW + kw]) *
                     x[((n * s.C + c) * s.H + oh * s.sh + kh * s.dh) * s.W +
                       ow * s.sw + kw * s.dw];
          const float got = out[((n * s.C + c) * OH + oh) * OW + ow];
          if (std::isnan(sum)) {
            ASSERT_TRUE(std::isnan(got)) << "NaN dropped";
            continue;
          }
          ASSERT_NEAR(got, clamp(static_cast<float>(sum)),
                      1e-5 * (s.KH * s.KW + 1))
              << "C " << s.C << " H " << s.H << " W " << s.W << " K " << s.KH
              << "x" << s.KW << " stride " << s.sh << "x" << s.sw
              << " dilation " << s.dh << " threads " << threads << " pads "
              << pad.top << "," << pad.left << "," << pad.bottom << ","
              << pad.right;
        }
  for (size_t i = size; i < out.size(); ++i)
    ASSERT_EQ(out[i], 1e30f) << "a store past the output, C " << s.C << " H "
                             << s.H << " W " << s.W << " stride " << s.sh;
}

TEST_P(UkernelTier, FloatDepthwiseConvolutionMatchesReference) {
  unsigned seed = 3000;
  // Channel lanes: small planes (3x3 and 5x5 windows, strides 1, 2 and 3,
  // unequal strides, dilation), channel counts that leave a group part
  // empty, batches, planes of fewer positions than half a vector (1, 4 and
  // 6: a group's stores must not run on past its planes). Flattened planes
  // (stride 1, rows of 24 outputs and more: rows longer than a pass, four
  // blocks of outputs at a time); threads.
  for (ConvShape s : {ConvShape{1, 8, 10, 10, 8, 3, 3, 1, 1, 1, 1},
                      ConvShape{2, 20, 5, 5, 20, 3, 3, 1, 1, 1, 1},
                      ConvShape{3, 37, 9, 9, 37, 5, 5, 2, 2, 1, 1},
                      ConvShape{1, 33, 8, 8, 33, 3, 3, 1, 1, 2, 2},
                      ConvShape{2, 21, 3, 3, 21, 3, 3, 1, 1, 1, 1},
                      ConvShape{1, 40, 6, 6, 40, 3, 3, 2, 2, 1, 1},
                      ConvShape{1, 19, 4, 5, 19, 3, 3, 1, 1, 1, 1},
                      ConvShape{1, 7, 30, 30, 7, 5, 5, 1, 1, 1, 1},
                      ConvShape{2, 5, 11, 9, 5, 3, 3, 2, 2, 1, 1},
                      ConvShape{2, 6, 50, 49, 6, 3, 3, 2, 2, 1, 1},
                      ConvShape{1, 6, 13, 17, 6, 5, 5, 1, 1, 1, 1},
                      ConvShape{1, 3, 12, 14, 3, 3, 2, 3, 3, 1, 1},
                      ConvShape{1, 4, 14, 14, 4, 3, 3, 1, 1, 2, 2},
                      ConvShape{1, 2, 5, 600, 2, 3, 3, 1, 2, 1, 1},
                      ConvShape{1, 96, 50, 50, 96, 3, 3, 1, 1, 1, 1}})
    for (int threads : {1, 2})
      checkFloatDepthwise(s, threads, seed++);
}

TEST_P(UkernelTier, ConvolutionMatchesReference) {
  unsigned seed = 500;
  // ResNet-like geometries (padded inputs), odd sizes, strides, dilations,
  // 1x1 and non-square kernels, output rows shorter and longer than 16.
  for (ConvShape s : {ConvShape{1, 3, 14, 14, 8, 7, 7, 2, 2, 1, 1},
                      ConvShape{1, 16, 10, 10, 16, 3, 3, 1, 1, 1, 1},
                      ConvShape{2, 8, 9, 9, 13, 3, 3, 2, 2, 1, 1},
                      ConvShape{1, 32, 7, 7, 64, 1, 1, 1, 1, 1, 1},
                      ConvShape{1, 5, 20, 37, 7, 3, 2, 1, 3, 2, 1},
                      ConvShape{1, 64, 9, 9, 64, 3, 3, 1, 1, 1, 1},
                      ConvShape{1, 4, 30, 30, 6, 3, 3, 1, 1, 3, 3},
                      // Big enough for two threads (panels, then M).
                      ConvShape{1, 64, 30, 30, 64, 3, 3, 1, 1, 1, 1},
                      ConvShape{1, 256, 9, 9, 256, 3, 3, 1, 1, 1, 1},
                      // Whole 64-channel tiles at stride 1 (the AMX tier
                      // reads them without im2col): dilation, a partial
                      // row block, batches, 5x5, and 1x1 with C = 320.
                      ConvShape{2, 64, 13, 11, 40, 3, 3, 1, 1, 2, 2},
                      ConvShape{1, 128, 11, 11, 33, 5, 5, 1, 1, 1, 1},
                      ConvShape{1, 320, 6, 6, 70, 1, 1, 1, 1, 1, 1},
                      // Stride 2 with tails of M and P, large enough for
                      // AMX tiles over im2col panels.
                      ConvShape{1, 64, 31, 31, 100, 3, 3, 2, 2, 1, 1}})
    // 3 threads split panels unevenly: a panel's row blocks are shared.
    for (int threads : {1, 2, 3})
      checkConv(s, threads, seed++);
}

/// Random requantization parameters for `channels` outputs: biases in
/// [-biasRange, biasRange], multipliers in [2^30, 2^31), shifts from
/// `minShift` to `minShift + 6`, one of each or one per channel.
struct Requant {
  std::vector<int32_t> bias, multiplier;
  std::vector<int8_t> shift;
  int32_t zp;
};
Requant randomRequant(int64_t channels, bool perChannel, int32_t biasRange,
                      int minShift, std::mt19937 &rng) {
  Requant r;
  r.bias.resize(channels);
  for (int32_t &b : r.bias)
    b = static_cast<int32_t>(rng() % (2 * biasRange + 1)) - biasRange;
  for (int64_t c = 0; c < (perChannel ? channels : 1); ++c) {
    r.multiplier.push_back(
        static_cast<int32_t>((1u << 30) + rng() % (1u << 30)));
    r.shift.push_back(static_cast<int8_t>(minShift + rng() % 7));
  }
  r.zp = static_cast<int32_t>(rng() % 41) - 20;
  return r;
}

/// Requantization parameters a test fixes instead of the random ones:
/// shifts (cycled over the channels), the zero point and the clamp.
struct RequantOverride {
  std::vector<int8_t> shifts;
  int32_t zp, lo, hi;
};

/// Applies `o` to r and the clamp [lo, hi].
void overrideRequant(Requant &r, int32_t &lo, int32_t &hi,
                     const std::optional<RequantOverride> &o) {
  if (!o)
    return;
  for (size_t c = 0; c < r.shift.size(); ++c)
    r.shift[c] = o->shifts[c % o->shifts.size()];
  r.zp = o->zp;
  lo = o->lo;
  hi = o->hi;
}

/// A convolution's weights [M][C][KH * KW], when a test chooses them.
using ChooseWeights = std::vector<int8_t> (*)(const ConvShape &s,
                                              std::mt19937 &rng);

/// The convolution of shape s (H, W: the padded input's) on an input that
/// the kernel pads as `pad` says equals the reference on the padded copy.
/// `scale`, if given, replaces the random multipliers and shifts;
/// `chooseWeights` the random weights, `inputFill` the random input.
void checkConvRequant(const ConvShape &s, bool perChannel, int threads,
                      unsigned seed, const qcc_ukernel_padding &pad = {},
                      std::optional<std::pair<int32_t, int8_t>> scale = {},
                      std::optional<RequantOverride> fixed = {},
                      ChooseWeights chooseWeights = nullptr,
                      std::optional<int8_t> inputFill = {}) {
  std::mt19937 rng(seed);
  const int64_t OH = s.outH(), OW = s.outW();
  const int64_t H = s.H - pad.top - pad.bottom, W = s.W - pad.left - pad.right;
  std::vector<int8_t> source = randomBytes(s.N * s.C * H * W, rng);
  if (inputFill)
    std::fill(source.begin(), source.end(), *inputFill);
  const std::vector<int8_t> x = padPlanes(source, s.N * s.C, H, W, pad);
  const std::vector<int8_t> w = chooseWeights
                                    ? chooseWeights(s, rng)
                                    : randomBytes(s.M * s.C * s.KH * s.KW, rng);
  // Real scales around 2^-12 .. 2^-6 (the sums reach ~2^20): outputs cover
  // the int8 range, so clamping and rounding ties both occur.
  Requant r = randomRequant(s.M, perChannel, 100000, 36, rng);
  if (scale) {
    std::fill(r.multiplier.begin(), r.multiplier.end(), scale->first);
    std::fill(r.shift.begin(), r.shift.end(), scale->second);
  }
  int32_t lo = -100, hi = 120;
  overrideRequant(r, lo, hi, fixed);
  const auto &[bias, multiplier, shift, zp] = r;
  std::vector<int8_t> out(s.N * s.M * OH * OW), expected(out.size());
  qcc_ukernel_conv2d_requant_reference(
      s.N, s.C, s.H, s.W, x.data(), s.M, s.KH, s.KW, w.data(), bias.data(), OH,
      OW, expected.data(), s.sh, s.sw, s.dh, s.dw, multiplier.data(),
      shift.data(), perChannel, zp, lo, hi);
  qcc_ukernel_conv2d_requant(s.N, s.C, H, W, source.data(), &pad, s.M, s.KH,
                             s.KW, w.data(), bias.data(), OH, OW, out.data(),
                             s.sh, s.sw, s.dh, s.dw, multiplier.data(),
                             shift.data(), perChannel, zp, lo, hi,
                             /*constantWeights=*/0, threads);
  ASSERT_EQ(out, expected) << "C " << s.C << " M " << s.M << " per-channel "
                           << perChannel << " threads " << threads << " pads "
                           << pad.top << "," << pad.left << "," << pad.bottom
                           << "," << pad.right;
}

// A grouped convolution (RegNet's: 8 channels per group) equals the
// reference convolution of each group's channels.
void checkGroupedConvRequant(const ConvShape &s, int64_t groups,
                             bool perChannel, int threads, unsigned seed) {
  std::mt19937 rng(seed);
  const int64_t OH = s.outH(), OW = s.outW(), Cg = s.C / groups,
                Mg = s.M / groups, P = OH * OW;
  const std::vector<int8_t> x = randomBytes(s.N * s.C * s.H * s.W, rng);
  const std::vector<int8_t> w = randomBytes(s.M * Cg * s.KH * s.KW, rng);
  const Requant r = randomRequant(s.M, perChannel, 100000, 36, rng);
  const auto &[bias, multiplier, shift, zp] = r;
  const int32_t lo = -100, hi = 120;
  std::vector<int8_t> out(s.N * s.M * P), expected(out.size());
  for (int64_t g = 0; g < groups; ++g) {
    // Group g alone: its input channels of each image, then its outputs.
    std::vector<int8_t> xg(s.N * Cg * s.H * s.W), yg(s.N * Mg * P);
    for (int64_t n = 0; n < s.N; ++n)
      std::copy_n(x.begin() + (n * s.C + g * Cg) * s.H * s.W, Cg * s.H * s.W,
                  xg.begin() + n * Cg * s.H * s.W);
    const int64_t c0 = perChannel ? g * Mg : 0;
    qcc_ukernel_conv2d_requant_reference(
        s.N, Cg, s.H, s.W, xg.data(), Mg, s.KH, s.KW,
        w.data() + g * Mg * Cg * s.KH * s.KW, bias.data() + g * Mg, OH, OW,
        yg.data(), s.sh, s.sw, s.dh, s.dw, multiplier.data() + c0,
        shift.data() + c0, perChannel, zp, lo, hi);
    for (int64_t n = 0; n < s.N; ++n)
      std::copy_n(yg.begin() + n * Mg * P, Mg * P,
                  expected.begin() + (n * s.M + g * Mg) * P);
  }
  qcc_ukernel_grouped_conv2d_requant(
      s.N, s.C, s.H, s.W, x.data(), nullptr, s.M, s.KH, s.KW, w.data(),
      bias.data(), OH, OW, out.data(), s.sh, s.sw, s.dh, s.dw,
      multiplier.data(), shift.data(), perChannel, zp, lo, hi,
      /*constantWeights=*/0, groups, threads);
  ASSERT_EQ(out, expected) << "C " << s.C << " M " << s.M << " groups "
                           << groups << " per-channel " << perChannel
                           << " threads " << threads;
}

TEST_P(UkernelTier, GroupedConvolutionMatchesReferencePerGroup) {
  unsigned seed = 1700;
  for (auto [s, groups] :
       {std::pair{ConvShape{1, 48, 12, 12, 48, 3, 3, 1, 1, 1, 1}, int64_t(6)},
        std::pair{ConvShape{2, 48, 13, 13, 48, 3, 3, 2, 2, 1, 1}, int64_t(6)},
        std::pair{ConvShape{1, 12, 9, 9, 24, 3, 3, 1, 1, 1, 1}, int64_t(3)},
        std::pair{ConvShape{1, 64, 7, 7, 64, 1, 1, 1, 1, 1, 1}, int64_t(2)}})
    for (bool perChannel : {false, true})
      for (int threads : {1, 2})
        checkGroupedConvRequant(s, groups, perChannel, threads, seed++);
}

TEST_P(UkernelTier, ConvolutionWithFusedRequantizationMatchesReference) {
  unsigned seed = 900;
  for (ConvShape s : {ConvShape{1, 16, 10, 10, 16, 3, 3, 1, 1, 1, 1},
                      ConvShape{2, 8, 9, 9, 13, 3, 3, 2, 2, 1, 1},
                      ConvShape{1, 32, 7, 7, 70, 1, 1, 1, 1, 1, 1},
                      ConvShape{1, 64, 30, 30, 64, 3, 3, 1, 1, 1, 1},
                      ConvShape{2, 64, 13, 11, 40, 3, 3, 1, 1, 2, 2},
                      ConvShape{1, 320, 6, 6, 70, 1, 1, 1, 1, 1, 1},
                      // Stride 2 with tails of M and P, large enough for
                      // AMX tiles over im2col panels.
                      ConvShape{1, 64, 31, 31, 100, 3, 3, 2, 2, 1, 1},
                      // Small planes (output channels in the lanes,
                      // Int8ChannelVectors.c): 1x1 on 3x3, a padded 3x3
                      // window on 3x3 (two images), stride 2, dilation, a
                      // channel count short of its quad and of 32 outputs.
                      ConvShape{1, 160, 3, 3, 960, 1, 1, 1, 1, 1, 1},
                      ConvShape{2, 96, 5, 5, 64, 3, 3, 1, 1, 1, 1},
                      ConvShape{1, 64, 7, 7, 48, 3, 3, 2, 2, 1, 1},
                      ConvShape{1, 30, 7, 7, 40, 3, 3, 1, 1, 2, 2},
                      ConvShape{1, 64, 6, 6, 96, 1, 1, 1, 1, 1, 1},
                      // Planes of up to 256 positions whose rows the
                      // direct path would pad to panels: 3x3 windows on
                      // 14x14 (12x12 outputs, two images) and on 15x13.
                      ConvShape{2, 48, 14, 14, 64, 3, 3, 1, 1, 1, 1},
                      ConvShape{1, 36, 15, 13, 96, 3, 3, 1, 1, 1, 1}})
    for (bool perChannel : {false, true})
      for (int threads : {1, 2, 3})
        checkConvRequant(s, perChannel, threads, seed++);
}

void checkDepthwiseRequant(const ConvShape &s, bool perChannel, int threads,
                           unsigned seed, const qcc_ukernel_padding &pad = {},
                           std::optional<RequantOverride> fixed = {}) {
  std::mt19937 rng(seed);
  const int64_t OH = s.outH(), OW = s.outW();
  const int64_t H = s.H - pad.top - pad.bottom, W = s.W - pad.left - pad.right;
  const std::vector<int8_t> source = randomBytes(s.N * s.C * H * W, rng);
  const std::vector<int8_t> x = padPlanes(source, s.N * s.C, H, W, pad);
  const std::vector<int8_t> w = randomBytes(s.C * s.KH * s.KW, rng);
  // Sums reach ~2^17: scales of 2^-10 .. 2^-4 cover the int8 range.
  Requant r = randomRequant(s.C, perChannel, 10000, 34, rng);
  int32_t lo = -128, hi = 100;
  overrideRequant(r, lo, hi, fixed);
  const auto &[bias, multiplier, shift, zp] = r;
  // Guard bytes after the output: no store may run past it.
  const size_t size = s.N * s.C * OH * OW, guard = 64;
  std::vector<int8_t> out(size + guard, 77), expected(out);
  qcc_ukernel_depthwise_conv2d_requant_reference(
      s.N, s.C, s.H, s.W, x.data(), s.KH, s.KW, w.data(), bias.data(), OH, OW,
      expected.data(), s.sh, s.sw, s.dh, s.dw, multiplier.data(), shift.data(),
      perChannel, zp, lo, hi);
  qcc_ukernel_depthwise_conv2d_requant(
      s.N, s.C, H, W, source.data(), &pad, s.KH, s.KW, w.data(), bias.data(),
      OH, OW, out.data(), s.sh, s.sw, s.dh, s.dw, multiplier.data(),
      shift.data(), perChannel, zp, lo, hi, threads);
  ASSERT_EQ(out, expected) << "C " << s.C << " H " << s.H << " W " << s.W
                           << " K " << s.KH << "x" << s.KW << " stride " << s.sh
                           << "x" << s.sw << " dilation " << s.dh << "x" << s.dw
                           << " per-channel " << perChannel << " threads "
                           << threads << " pads " << pad.top << ","
                           << pad.left << "," << pad.bottom << ","
                           << pad.right;
}

TEST_P(UkernelTier,
       DepthwiseConvolutionWithFusedRequantizationMatchesReference) {
  unsigned seed = 1300;
  // MobileNet's 3x3 (strides 1 and 2) and EfficientNet's 5x5, odd sizes,
  // stride 3, dilation 2, rows longer than one 256-column chunk, and planes
  // enough for two threads; small planes (a 96x96 MobileNet's last stages)
  // in batches, channel counts that leave a group of 16 lanes part empty.
  for (ConvShape s : {ConvShape{1, 8, 10, 10, 8, 3, 3, 1, 1, 1, 1},
                      ConvShape{2, 20, 5, 5, 20, 3, 3, 1, 1, 1, 1},
                      ConvShape{3, 37, 9, 9, 37, 5, 5, 2, 2, 1, 1},
                      ConvShape{1, 33, 8, 8, 33, 3, 3, 1, 1, 2, 2},
                      // Planes of 1 and 4 positions: a group's stores must
                      // not run on past its planes.
                      ConvShape{2, 21, 3, 3, 21, 3, 3, 1, 1, 1, 1},
                      ConvShape{1, 40, 6, 6, 40, 3, 3, 2, 2, 1, 1},
                      ConvShape{2, 5, 11, 9, 5, 3, 3, 2, 2, 1, 1},
                      ConvShape{1, 6, 13, 17, 6, 5, 5, 1, 1, 1, 1},
                      ConvShape{1, 3, 12, 14, 3, 3, 2, 3, 3, 1, 1},
                      ConvShape{1, 4, 14, 14, 4, 3, 3, 1, 1, 2, 2},
                      ConvShape{1, 2, 5, 600, 2, 3, 3, 1, 2, 1, 1},
                      ConvShape{1, 96, 50, 50, 96, 3, 3, 1, 1, 1, 1},
                      // Stride-1 rows of 24 outputs and more take the
                      // flattened kernel (the others, channel lanes): a 5x5
                      // window, dilation, and a batch whose last plane ends
                      // the input.
                      ConvShape{1, 7, 30, 30, 7, 5, 5, 1, 1, 1, 1},
                      ConvShape{1, 5, 30, 28, 5, 3, 3, 1, 1, 2, 2},
                      ConvShape{2, 3, 26, 26, 3, 3, 3, 1, 1, 1, 1}})
    for (bool perChannel : {false, true})
      for (int threads : {1, 2})
        checkDepthwiseRequant(s, perChannel, threads, seed++);
}

// Padding read by the kernels (qc.pad folded into the call) equals the
// reference on the padded copy: each kernel's way of reading it (quads
// repacked between padding rows and columns, a materialized copy for
// im2col, padded planes in the depthwise parts), asymmetric pads, pad
// values other than the zero point of 0.
TEST_P(UkernelTier, ConvolutionsReadTheirInputPadded) {
  unsigned seed = 2100;
  const qcc_ukernel_padding one = {1, 1, 1, 1, -128},
                            lower = {0, 0, 1, 1, -4},
                            uneven = {2, 0, 1, 3, 17};
  for (auto [s, pad] : {
           // The direct kernel (stride 1, 3x3), two images.
           std::pair{ConvShape{2, 16, 12, 12, 24, 3, 3, 1, 1, 1, 1}, one},
           std::pair{ConvShape{1, 32, 14, 13, 20, 3, 3, 1, 1, 1, 1}, uneven},
           // Output channels in the lanes (small planes).
           std::pair{ConvShape{1, 96, 7, 7, 64, 3, 3, 1, 1, 1, 1}, one},
           std::pair{ConvShape{2, 40, 6, 6, 48, 3, 3, 2, 2, 1, 1}, lower},
           // im2col panels (a 3-channel stem at stride 2).
           std::pair{ConvShape{1, 3, 35, 35, 16, 3, 3, 2, 2, 1, 1}, one},
           std::pair{ConvShape{1, 3, 38, 36, 8, 7, 7, 2, 2, 1, 1}, uneven},
           // A stride-2 window on a plane of 289 outputs: channel lanes.
           std::pair{ConvShape{1, 24, 35, 35, 64, 3, 3, 2, 2, 1, 1}, one},
           // 32 channels, 324 outputs: channel pairs on AVX2, the direct
           // kernel on AVX-512 VNNI.
           std::pair{ConvShape{1, 32, 20, 20, 48, 3, 3, 1, 1, 1, 1}, uneven}})
    for (int threads : {1, 2})
      checkConvRequant(s, /*perChannel=*/true, threads, seed++, pad);
  for (auto [s, pad] : {
           // The flattened plane (stride-1 rows of 24 and more).
           std::pair{ConvShape{1, 9, 34, 34, 9, 3, 3, 1, 1, 1, 1}, one},
           std::pair{ConvShape{2, 5, 30, 31, 5, 5, 5, 1, 1, 1, 1}, uneven},
           // Channel lanes: small planes, stride 2, a partial lane group.
           std::pair{ConvShape{1, 40, 8, 8, 40, 3, 3, 1, 1, 1, 1}, one},
           std::pair{ConvShape{2, 20, 13, 13, 20, 3, 3, 2, 2, 1, 1}, lower},
           std::pair{ConvShape{1, 17, 11, 12, 17, 5, 5, 2, 2, 1, 1}, uneven}})
    for (int threads : {1, 2})
      checkDepthwiseRequant(s, /*perChannel=*/true, threads, seed++, pad);
}

// Weights of 7 bits, and weights whose channel pairs at a tap reach
// |w[c]| + |w[c + 1]| = 128, take AVX2's exact vpmaddubsw in both the
// channel-lane kernel (Int8ChannelPairs.c) and the im2col panels
// (Int8Pairs.c); one pair at 129 sends a layer back to 16-bit pairs.
TEST_P(UkernelTier, ConvolutionsOnNarrowWeightsAreExact) {
  const ChooseWeights sevenBits = [](const ConvShape &s, std::mt19937 &rng) {
    std::vector<int8_t> w(s.M * s.C * s.KH * s.KW);
    for (int8_t &v : w)
      v = static_cast<int8_t>(static_cast<int>(rng() % 129) - 64);
    return w;
  };
  // Channel pairs (c, c + 1) at each tap of sums 128 in magnitude, the
  // signs varying with the output channel and the tap.
  const ChooseWeights edge = [](const ConvShape &s, std::mt19937 &) {
    static const int8_t pairs[][2] = {{-128, 0},  {0, -128}, {127, 1},
                                      {-1, -127}, {64, 64},  {-64, -64}};
    const int64_t taps = s.KH * s.KW;
    std::vector<int8_t> w(s.M * s.C * taps);
    for (int64_t m = 0; m < s.M; ++m)
      for (int64_t c = 0; c < s.C; ++c)
        for (int64_t t = 0; t < taps; ++t)
          w[(m * s.C + c) * taps + t] = pairs[(m + c / 2 + t) % 6][c % 2];
    return w;
  };
  // Random 7-bit weights but the last output channel's first channel pair,
  // (-127, -2) at every tap.
  const ChooseWeights overEdge = [](const ConvShape &s, std::mt19937 &rng) {
    std::vector<int8_t> w(s.M * s.C * s.KH * s.KW);
    for (int8_t &v : w)
      v = static_cast<int8_t>(static_cast<int>(rng() % 129) - 64);
    const int64_t taps = s.KH * s.KW;
    for (int64_t t = 0; t < taps; ++t) {
      w[(s.M - 1) * s.C * taps + t] = -127;
      w[((s.M - 1) * s.C + 1) * taps + t] = -2;
    }
    return w;
  };
  const qcc_ukernel_padding one = {1, 1, 1, 1, -128}, uneven = {2, 0, 1, 3, 17};
  unsigned seed = 2400;
  for (ChooseWeights choose : {sevenBits, edge, overEdge})
    for (auto [s, pad] :
         {// Channel lanes: a window on a small plane, stride 2, a
          // channel count short of its quad, 16-channel tails.
          std::pair{ConvShape{1, 96, 7, 7, 64, 3, 3, 1, 1, 1, 1}, one},
          std::pair{ConvShape{2, 34, 9, 9, 40, 3, 3, 2, 2, 1, 1}, uneven},
          std::pair{ConvShape{1, 64, 6, 6, 30, 1, 1, 1, 1, 1, 1},
                    qcc_ukernel_padding{}},
          std::pair{ConvShape{1, 32, 20, 20, 48, 3, 3, 1, 1, 1, 1}, uneven},
          // im2col panels: a 3-channel stem, a 7x7 window.
          std::pair{ConvShape{1, 3, 35, 35, 16, 3, 3, 2, 2, 1, 1}, one},
          std::pair{ConvShape{1, 3, 38, 36, 8, 7, 7, 2, 2, 1, 1}, uneven}})
      for (int threads : {1, 2})
        checkConvRequant(s, /*perChannel=*/true, threads, seed++, pad, {}, {},
                         choose);
  // Inputs at 127 (255 once made unsigned) and no padding: the pair over
  // the edge would saturate at every position.
  for (ConvShape s : {ConvShape{1, 34, 9, 9, 40, 3, 3, 1, 1, 1, 1},
                      ConvShape{1, 3, 35, 35, 16, 3, 3, 2, 2, 1, 1}})
    for (ChooseWeights choose : {edge, overEdge})
      checkConvRequant(s, /*perChannel=*/true, 1, seed++, {}, {}, {}, choose,
                       int8_t{127});
}

// The requantization at the ends of qc.rescale's shift range [2, 62] and
// across 2^31 (AVX2 shifts x * multiplier + round + 2^62 logically and takes
// 2^(62 - shift) back modulo 2^32): multipliers that keep the scaled sums
// within int32, on the im2col / direct products and on the channel lanes
// of small planes.
TEST_P(UkernelTier, RequantizationAtExtremeShifts) {
  unsigned seed = 2400;
  for (auto [multiplier, shift] :
       {std::pair<int32_t, int8_t>{1, 2}, std::pair<int32_t, int8_t>{3, 9},
        std::pair<int32_t, int8_t>{1 << 30, 31},
        std::pair<int32_t, int8_t>{(1 << 30) + 12345, 32},
        std::pair<int32_t, int8_t>{0x7FFFFFFF, 62}})
    for (ConvShape s : {ConvShape{1, 16, 12, 12, 24, 3, 3, 1, 1, 1, 1},
                        ConvShape{1, 96, 7, 7, 64, 3, 3, 1, 1, 1, 1}})
      checkConvRequant(s, /*perChannel=*/true, 1, seed++, {},
                       std::pair{multiplier, shift});
}

// The VNNI tier requantizes from the products' high halves where every
// shift of a layer is in [33, 54] (Internal.h), with the zero point in the
// rounding addend and the clamp left to the saturating narrowing where it
// is the int8 range. Both ends of that range, layers with one shift just
// outside it (the 64-bit path), the extreme zero points and the clamps
// that skip each bound: the im2col, direct and channel-lane convolutions and
// the depthwise lanes and planes.
TEST_P(UkernelTier, RequantizationFromHighHalves) {
  unsigned seed = 2600;
  const std::vector<RequantOverride> cases = {
      {{33}, -128, -128, 127},           {{54}, 127, -128, 127},
      {{33, 54, 40, 47}, 127, 127, 127}, {{34, 54, 55}, -128, -128, 127},
      {{32, 33, 45}, 5, 5, 127},         {{33, 38, 54}, -7, -100, 120},
      {{54, 33}, -128, -128, 100}};
  const qcc_ukernel_padding one = {1, 1, 1, 1, -3};
  for (const RequantOverride &fixed : cases)
    for (bool perChannel : {false, true}) {
      for (ConvShape s : {ConvShape{1, 16, 12, 12, 24, 3, 3, 1, 1, 1, 1},
                          ConvShape{1, 64, 10, 10, 40, 1, 1, 1, 1, 1, 1},
                          ConvShape{1, 96, 7, 7, 64, 3, 3, 1, 1, 1, 1},
                          ConvShape{1, 24, 9, 9, 20, 3, 3, 2, 2, 1, 1}})
        checkConvRequant(s, perChannel, 1, seed++, {}, {}, fixed);
      for (ConvShape s : {ConvShape{1, 40, 12, 12, 40, 3, 3, 1, 1, 1, 1},
                          ConvShape{1, 19, 30, 30, 19, 3, 3, 2, 2, 1, 1},
                          ConvShape{1, 7, 30, 30, 7, 5, 5, 1, 1, 1, 1}})
        checkDepthwiseRequant(s, perChannel, 1, seed++, one, fixed);
    }
}

// The float convolutions read their input padded with zeros (the
// convolution's pads, no padded copy in the generated code): panels of
// positions (strides, dilations, unequal strides) and channel lanes (both
// on a padded copy made by the threads), the flattened and direct
// depthwise planes (each padded into scratch); asymmetric pads.
TEST_P(UkernelTier, FloatConvolutionsReadTheirInputPadded) {
  unsigned seed = 2200;
  const qcc_ukernel_padding one = {1, 1, 1, 1, 0}, lower = {0, 0, 1, 1, 0},
                            uneven = {2, 0, 1, 3, 0}, stem = {3, 3, 3, 3, 0};
  for (auto [s, pad] :
       {// Panels of positions on AVX-512 (the AVX2 tier runs some as
        // channel lanes): a 7x7 stem at stride 2, 3x3 on 30x30.
        std::pair{ConvShape{1, 3, 38, 38, 16, 7, 7, 2, 2, 1, 1}, stem},
        std::pair{ConvShape{2, 16, 30, 29, 24, 3, 3, 1, 1, 1, 1}, uneven},
        std::pair{ConvShape{1, 8, 35, 33, 16, 3, 3, 2, 2, 2, 2}, uneven},
        std::pair{ConvShape{1, 4, 20, 23, 8, 5, 3, 1, 3, 1, 2}, stem},
        // Stride 2 with dilation 3, whose taps fall in both phases of a
        // row (packed panels on AVX-512, channel lanes on AVX2).
        std::pair{ConvShape{1, 6, 29, 71, 16, 3, 3, 2, 2, 3, 3}, uneven},
        // Direct panels from a phase copy on AVX-512 and AVX2 (few output
        // channels, which channel lanes would pad): stride 1 (the padded
        // copy), stride 2 with dilation 3, stride 3 (nine phases).
        std::pair{ConvShape{1, 16, 32, 41, 12, 3, 3, 1, 1, 1, 1}, one},
        std::pair{ConvShape{1, 24, 58, 67, 12, 3, 3, 2, 2, 3, 3}, one},
        std::pair{ConvShape{2, 5, 26, 80, 12, 5, 5, 3, 3, 1, 1}, stem},
        // Channel lanes: 7x7 and 3x3 planes, stride 2, channel tails.
        std::pair{ConvShape{1, 48, 9, 9, 64, 3, 3, 1, 1, 1, 1}, one},
        std::pair{ConvShape{2, 20, 8, 8, 40, 3, 3, 2, 2, 1, 1}, lower},
        std::pair{ConvShape{1, 24, 10, 9, 70, 3, 3, 2, 2, 2, 2}, uneven}})
    for (int threads : {1, 2})
      checkFloatConv(s, threads, seed++, pad);
  for (auto [s, pad] : {
           // Flattened planes, strides 1 and 2; direct (stride 3).
           std::pair{ConvShape{1, 9, 34, 34, 9, 3, 3, 1, 1, 1, 1}, one},
           std::pair{ConvShape{2, 5, 30, 31, 5, 5, 5, 2, 2, 1, 1}, uneven},
           std::pair{ConvShape{1, 6, 14, 15, 6, 3, 3, 3, 3, 1, 1}, lower}})
    for (int threads : {1, 2})
      checkFloatDepthwise(s, threads, seed++, pad);
}

// A Relu or Clip fused into the float convolutions is applied as they
// store, NaN kept (a NaN input reaches outputs as NaN, never a bound):
// panels of positions, channel lanes, flattened and direct depthwise.
TEST_P(UkernelTier, FloatConvolutionsClampAsTheyStore) {
  unsigned seed = 2300;
  const float inf = std::numeric_limits<float>::infinity();
  const qcc_ukernel_padding one = {1, 1, 1, 1, 0};
  for (FloatClamp clamp : {FloatClamp{0.0f, inf, -1},
                           FloatClamp{0.0f, 0.25f, 77},
                           FloatClamp{-0.5f, inf, 5}}) {
    for (ConvShape s : {ConvShape{1, 16, 30, 29, 24, 3, 3, 1, 1, 1, 1},
                        ConvShape{1, 48, 9, 9, 64, 3, 3, 1, 1, 1, 1}})
      for (int threads : {1, 2})
        checkFloatConv(s, threads, seed++, one, clamp);
    for (ConvShape s : {ConvShape{1, 9, 34, 34, 9, 3, 3, 1, 1, 1, 1},
                        ConvShape{1, 6, 14, 15, 6, 3, 3, 3, 3, 1, 1}})
      for (int threads : {1, 2})
        checkFloatDepthwise(s, threads, seed++, one, clamp);
  }
}

// int8 max pooling equals the reference: GoogLeNet's 3x3 windows at strides
// 1 and 2, ResNet's stem, stride 3 and dilation, rows of more than 16
// outputs with a tail, planes enough for two threads, a batch whose last
// row ends the input, and planes of more than one run.
TEST_P(UkernelTier, MaxPoolingMatchesReference) {
  std::mt19937 rng(1500);
  for (ConvShape s : {ConvShape{1, 8, 14, 14, 8, 3, 3, 1, 1, 1, 1},
                      ConvShape{2, 5, 25, 25, 5, 3, 3, 2, 2, 1, 1},
                      ConvShape{1, 3, 50, 50, 3, 3, 3, 2, 2, 1, 1},
                      ConvShape{1, 4, 11, 13, 4, 2, 3, 3, 3, 1, 1},
                      ConvShape{1, 6, 12, 12, 6, 3, 3, 1, 1, 2, 2},
                      ConvShape{2, 64, 40, 40, 64, 3, 3, 2, 2, 1, 1},
                      // Planes larger than one run (16 KiB).
                      ConvShape{1, 3, 131, 130, 3, 3, 3, 2, 2, 1, 1},
                      // One-row and one-column windows (not separable).
                      ConvShape{1, 4, 9, 9, 4, 1, 3, 1, 2, 1, 1},
                      ConvShape{1, 4, 9, 9, 4, 3, 1, 2, 1, 2, 1}})
    for (int threads : {1, 2}) {
      const int64_t OH = s.outH(), OW = s.outW();
      const std::vector<int8_t> x = randomBytes(s.N * s.C * s.H * s.W, rng);
      std::vector<int8_t> out(s.N * s.C * OH * OW), expected(out.size());
      qcc_ukernel_max_pool2d_s8_reference(s.N, s.C, s.H, s.W, x.data(), s.KH,
                                          s.KW, OH, OW, expected.data(), s.sh,
                                          s.sw, s.dh, s.dw);
      qcc_ukernel_max_pool2d_s8(s.N, s.C, s.H, s.W, x.data(), nullptr, s.KH,
                                s.KW, OH, OW, out.data(), s.sh, s.sw, s.dh,
                                s.dw, threads);
      ASSERT_EQ(out, expected) << "C " << s.C << " H " << s.H << " stride "
                               << s.sh << " threads " << threads;
    }
}

// Padding read by the pooling kernel (GoogLeNet's 3x3 stride-1 pools with
// a border of 1, ceil_mode's extra end rows and columns, ResNet's stem,
// planes larger than one run) equals the reference on the padded copy.
TEST_P(UkernelTier, MaxPoolingReadsItsInputPadded) {
  std::mt19937 rng(1550);
  const qcc_ukernel_padding one = {1, 1, 1, 1, -128}, ceil = {0, 0, 1, 1, -128},
                            uneven = {2, 1, 0, 3, -128},
                            two = {2, 2, 2, 2, -128},
                            topLeft = {2, 2, 0, 0, -128},
                            sides = {0, 1, 0, 1, -128},
                            none = {0, 0, 0, 0, -128},
                            start = {1, 1, 0, 0, -128},
                            mixed = {1, 0, 1, 1, -128};
  for (auto [s, pad] :
       {std::pair{ConvShape{1, 8, 14, 14, 8, 3, 3, 1, 1, 1, 1}, one},
        std::pair{ConvShape{2, 5, 25, 25, 5, 3, 3, 2, 2, 1, 1}, ceil},
        std::pair{ConvShape{1, 3, 50, 50, 3, 3, 3, 2, 2, 1, 1}, one},
        std::pair{ConvShape{1, 6, 12, 13, 6, 3, 2, 1, 2, 2, 1}, uneven},
        std::pair{ConvShape{1, 3, 131, 130, 3, 3, 3, 2, 2, 1, 1}, one},
        // GoogLeNet's narrow planes (6 and 3 columns): rows stored 16 bytes
        // at a time, on as many threads as the work allows.
        std::pair{ConvShape{1, 480, 8, 8, 480, 3, 3, 1, 1, 1, 1}, one},
        std::pair{ConvShape{1, 97, 5, 5, 97, 3, 3, 1, 1, 1, 1}, one},
        std::pair{ConvShape{1, 83, 13, 13, 83, 3, 3, 2, 2, 1, 1}, ceil},
        // Stride-1 windows that keep the plane's size (read without a padded
        // copy): 5x5 (YOLO's SPP), dilated, 2x2 padded at the end, uneven
        // borders, rows of 127 and 64 columns, one-row planes, a batch.
        std::pair{ConvShape{1, 7, 17, 17, 7, 5, 5, 1, 1, 1, 1}, two},
        std::pair{ConvShape{1, 5, 14, 14, 5, 3, 3, 1, 1, 2, 2}, two},
        std::pair{ConvShape{1, 9, 8, 8, 9, 2, 2, 1, 1, 1, 1}, ceil},
        std::pair{ConvShape{1, 6, 11, 12, 6, 3, 3, 1, 1, 1, 1}, topLeft},
        std::pair{ConvShape{1, 2, 5, 129, 2, 3, 3, 1, 1, 1, 1}, one},
        std::pair{ConvShape{1, 3, 6, 66, 3, 3, 3, 1, 1, 1, 1}, one},
        std::pair{ConvShape{1, 50, 1, 9, 50, 1, 3, 1, 1, 1, 1}, sides},
        std::pair{ConvShape{3, 37, 5, 5, 37, 3, 3, 1, 1, 1, 1}, one},
        // Stride-2 windows that halve an even plane (read as byte pairs): 2x2
        // with ceil_mode's end, borders at the start only, 70 and 127
        // outputs a row, several runs of planes, a 3x2 window.
        std::pair{ConvShape{1, 832, 7, 7, 832, 2, 2, 2, 2, 1, 1}, ceil},
        std::pair{ConvShape{1, 6, 13, 13, 6, 3, 3, 2, 2, 1, 1}, start},
        std::pair{ConvShape{1, 2, 6, 142, 2, 3, 3, 2, 2, 1, 1}, one},
        std::pair{ConvShape{1, 1, 4, 256, 1, 3, 3, 2, 2, 1, 1}, one},
        std::pair{ConvShape{2, 100, 26, 26, 100, 3, 3, 2, 2, 1, 1}, one},
        std::pair{ConvShape{1, 7, 10, 9, 7, 3, 2, 2, 2, 1, 1}, mixed},
        // Odd planes with stride-2 windows, read row by row.
        std::pair{ConvShape{1, 64, 47, 47, 64, 3, 3, 2, 2, 1, 1}, none},
        std::pair{ConvShape{1, 3, 15, 37, 3, 3, 3, 2, 2, 2, 2}, none}})
    for (int threads : {1, 2, 3}) {
      const int64_t OH = s.outH(), OW = s.outW();
      const int64_t H = s.H - pad.top - pad.bottom,
                    W = s.W - pad.left - pad.right;
      const std::vector<int8_t> source = randomBytes(s.N * s.C * H * W, rng);
      const std::vector<int8_t> x = padPlanes(source, s.N * s.C, H, W, pad);
      const size_t n = s.N * s.C * OH * OW;
      std::vector<int8_t> expected(n);
      // 64 guard bytes after the outputs, which must stay untouched.
      std::vector<int8_t> out(n + 64, 0x5A), guard(64, 0x5A);
      qcc_ukernel_max_pool2d_s8_reference(s.N, s.C, s.H, s.W, x.data(), s.KH,
                                          s.KW, OH, OW, expected.data(), s.sh,
                                          s.sw, s.dh, s.dw);
      qcc_ukernel_max_pool2d_s8(s.N, s.C, H, W, source.data(), &pad, s.KH,
                                s.KW, OH, OW, out.data(), s.sh, s.sw, s.dh,
                                s.dw, threads);
      ASSERT_EQ(std::vector<int8_t>(out.begin(), out.begin() + n), expected)
          << "C " << s.C << " H " << s.H << " stride " << s.sh << " threads "
          << threads;
      ASSERT_EQ(std::vector<int8_t>(out.begin() + n, out.end()), guard)
          << "stored past the outputs: C " << s.C << " H " << s.H;
    }
}

// f32 max pooling equals the reference bit for bit (any NaN for a NaN):
// arith.maximumf's maximum, with NaN, -0, +0 and infinities among the
// inputs (or, on 2 threads, only values without a sign bit set, as after a
// ReLU), padding (-inf) of every shape the int8 kernel sees, narrow planes
// on 3 threads, and nothing stored past the outputs.
TEST_P(UkernelTier, FloatMaxPoolingMatchesReference) {
  std::mt19937 rng(1575);
  const float inf = std::numeric_limits<float>::infinity();
  const float specials[] = {std::numeric_limits<float>::quiet_NaN(), -0.0f,
                            0.0f, -inf, inf};
  const qcc_ukernel_padding none = {0, 0, 0, 0, 0}, one = {1, 1, 1, 1, 0},
                            ceil = {0, 0, 1, 1, 0}, uneven = {2, 1, 0, 3, 0};
  for (auto [s, pad] :
       {std::pair{ConvShape{1, 8, 14, 14, 8, 3, 3, 1, 1, 1, 1}, one},
        std::pair{ConvShape{2, 5, 25, 25, 5, 3, 3, 2, 2, 1, 1}, ceil},
        std::pair{ConvShape{1, 3, 50, 50, 3, 3, 3, 2, 2, 1, 1}, one},
        std::pair{ConvShape{1, 6, 12, 13, 6, 3, 2, 1, 2, 2, 1}, uneven},
        std::pair{ConvShape{1, 4, 11, 13, 4, 2, 3, 3, 3, 1, 1}, none},
        std::pair{ConvShape{1, 4, 9, 9, 4, 1, 3, 1, 2, 1, 1}, none},
        std::pair{ConvShape{1, 3, 131, 130, 3, 3, 3, 2, 2, 1, 1}, one},
        std::pair{ConvShape{1, 480, 8, 8, 480, 3, 3, 1, 1, 1, 1}, one},
        std::pair{ConvShape{1, 97, 5, 5, 97, 3, 3, 1, 1, 1, 1}, one},
        // Strided windows read row by row (SqueezeNet's odd planes, several
        // runs of planes; dilation; a 2-row stride with 1-column steps;
        // planes narrower than a vector; the window at the buffer's end).
        std::pair{ConvShape{1, 64, 47, 47, 64, 3, 3, 2, 2, 1, 1}, none},
        std::pair{ConvShape{1, 40, 11, 11, 40, 3, 3, 2, 2, 1, 1}, ceil},
        std::pair{ConvShape{1, 3, 15, 37, 3, 3, 3, 2, 2, 2, 2}, none},
        std::pair{ConvShape{2, 5, 9, 40, 5, 2, 3, 2, 1, 1, 1}, none},
        std::pair{ConvShape{1, 2, 7, 3, 2, 3, 2, 2, 1, 1, 1}, none}})
    for (int threads : {1, 2, 3}) {
      const int64_t OH = s.outH(), OW = s.outW();
      const int64_t H = s.H - pad.top - pad.bottom,
                    W = s.W - pad.left - pad.right, planes = s.N * s.C;
      std::vector<float> source(planes * H * W);
      std::normal_distribution<float> normal(0.0f, 2.0f);
      std::uniform_int_distribution<int> pick(0, 99);
      // Every other case as a ReLU's outputs (no sign bit set: +0, +inf,
      // a positive NaN), which strided windows take a cheaper maximum of.
      const bool signsClear = threads == 2;
      for (float &v : source) {
        const int r = pick(rng);
        v = r < 5 ? specials[r] : normal(rng);
        if (signsClear)
          v = std::fabs(v);
      }
      std::vector<float> x(planes * s.H * s.W, -inf);
      for (int64_t p = 0; p < planes; ++p)
        for (int64_t h = 0; h < H; ++h)
          for (int64_t w = 0; w < W; ++w)
            x[(p * s.H + h + pad.top) * s.W + w + pad.left] =
                source[(p * H + h) * W + w];
      const size_t n = planes * OH * OW;
      std::vector<float> expected(n), out(n + 16, 42.0f);
      qcc_ukernel_max_pool2d_f32_reference(s.N, s.C, s.H, s.W, x.data(), s.KH,
                                           s.KW, OH, OW, expected.data(), s.sh,
                                           s.sw, s.dh, s.dw);
      qcc_ukernel_max_pool2d_f32(s.N, s.C, H, W, source.data(), &pad, s.KH,
                                 s.KW, OH, OW, out.data(), s.sh, s.sw, s.dh,
                                 s.dw, threads);
      for (size_t i = 0; i < n; ++i) {
        uint32_t got, want;
        std::memcpy(&got, &out[i], 4);
        std::memcpy(&want, &expected[i], 4);
        ASSERT_TRUE(got == want || (std::isnan(out[i]) && std::isnan(expected[i])))
            << "output " << i << ": " << out[i] << " for " << expected[i]
            << ", C " << s.C << " H " << s.H << " threads " << threads;
      }
      for (size_t i = n; i < out.size(); ++i)
        ASSERT_EQ(out[i], 42.0f) << "stored past the outputs: C " << s.C;
    }
}

// int8 table lookups (Lookup.c) equal table[x + 128] for every byte value,
// at lengths with and without a tail of the 64-byte vectors.
TEST_P(UkernelTier, TableLookupMatchesTable) {
  std::mt19937 rng(1600);
  const std::vector<int8_t> table = randomBytes(256, rng);
  for (int64_t n : {0, 1, 63, 64, 256, 1000}) {
    std::vector<int8_t> x(n);
    for (int64_t j = 0; j < n; ++j)
      x[j] = static_cast<int8_t>(j * 37 + 11);
    std::vector<int8_t> out(n, 0);
    qcc_ukernel_lookup_s8(n, x.data(), table.data(), out.data());
    for (int64_t j = 0; j < n; ++j)
      ASSERT_EQ(out[j], table[static_cast<uint8_t>(x[j] + 128)])
          << "n " << n << " x " << int(x[j]);
  }
}

extern "C" {
void *_mlir_memref_to_llvm_alloc(size_t size);
void *_mlir_memref_to_llvm_aligned_alloc(size_t alignment, size_t size);
void _mlir_memref_to_llvm_free(void *p);
}

// Generated code's heap (Heap.c): 64-byte aligned blocks, a freed large
// block handed out again for the same size (a model's buffers stay warm
// between runs), other sizes and small blocks allocated anew, alignments
// beyond 64 honoured.
TEST(Ukernel, HeapReusesFreedBuffersOfTheSameSize) {
  auto aligned = [](void *p, size_t to) {
    return reinterpret_cast<uintptr_t>(p) % to == 0;
  };
  void *a = _mlir_memref_to_llvm_alloc(100000);
  ASSERT_NE(a, nullptr);
  EXPECT_TRUE(aligned(a, 64));
  std::memset(a, 1, 100000);
  _mlir_memref_to_llvm_free(a);
  void *b = _mlir_memref_to_llvm_alloc(100000);
  EXPECT_EQ(b, a);
  void *c = _mlir_memref_to_llvm_alloc(100000); // a is in use: a new block
  EXPECT_NE(c, b);
  void *d = _mlir_memref_to_llvm_alloc(100064);
  EXPECT_NE(d, b);
  EXPECT_NE(d, c);
  void *small = _mlir_memref_to_llvm_alloc(24);
  EXPECT_TRUE(aligned(small, 64));
  void *wide = _mlir_memref_to_llvm_aligned_alloc(256, 5000);
  ASSERT_NE(wide, nullptr);
  EXPECT_TRUE(aligned(wide, 256));
  std::memset(wide, 2, 5000);
  for (void *p : {b, c, d, small, wide})
    _mlir_memref_to_llvm_free(p);
  _mlir_memref_to_llvm_free(nullptr);
}

TEST(Ukernel, ReportsTier) {
  // Informational: which tier the other tests exercised.
  std::printf("CPU tier: %s\n",
              qcc_ukernel_cpu_tier_name(qcc_ukernel_cpu_tier()));
  SUCCEED();
}

} // namespace
