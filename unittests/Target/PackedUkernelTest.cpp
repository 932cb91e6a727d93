//===- PackedUkernelTest.cpp - Kernels on packed low-bit weights ----------===//
//
// The packed kernels against values computed here from the numerics
// library (packing, integer and minifloat dequantization, block scales):
//  - int8 x packed int4/int8 -> int32 exactly, over every tail of M, N, K
//    and threads;
//  - the float kernel's dequantized weights bit for bit (X the identity, so
//    each output is one weight), for every format, group size and scale
//    kind, every code of the format;
//  - the float kernel's products against double-precision sums.
//
//===----------------------------------------------------------------------===//

#include "UkernelTier.h"

#include "qcc/Numerics/Packing.h"
#include "qcc/Numerics/Quantize.h"
#include "qcc/Target/CPU/Ukernel.h"

#include <gtest/gtest.h>

#include <cmath>
#include <memory>
#include <random>
#include <vector>

using namespace qcc::numerics;

namespace {

void checkInteger(int bits, int64_t M, int64_t N, int64_t K, int threads,
                  unsigned seed) {
  std::mt19937 rng(seed);
  const int64_t ldx = K + 3, ldy = N + 2;
  std::vector<int8_t> X(M * ldx);
  for (int8_t &v : X)
    v = static_cast<int8_t>(rng());
  // Extreme values where the compensation for the unsigned operand shows.
  if (seed % 3 == 0)
    for (int8_t &v : X)
      v = -128;
  std::vector<uint8_t> codes(N * K);
  std::vector<int64_t> weights(N * K);
  for (int64_t i = 0; i < N * K; ++i) {
    const int64_t lo = -(int64_t{1} << (bits - 1)),
                  hi = (int64_t{1} << (bits - 1)) - 1;
    weights[i] =
        seed % 3 == 0 ? lo : lo + static_cast<int64_t>(rng() % (hi - lo + 1));
    codes[i] = signedCode(weights[i], bits);
  }
  PackedMatrix W = packMatrix(bits, codes, N, K);
  std::vector<int32_t> Y(M * ldy), expected;
  for (int32_t &v : Y)
    v = static_cast<int32_t>(rng() % 1001) - 500;
  expected = Y;
  for (int64_t m = 0; m < M; ++m)
    for (int64_t n = 0; n < N; ++n)
      for (int64_t k = 0; k < K; ++k)
        expected[m * ldy + n] += X[m * ldx + k] * weights[n * K + k];
  std::vector<int32_t> reference = Y;
  qcc_ukernel_matmul_s8_packed_reference(M, N, K, X.data(), ldx, W.bytes.data(),
                                         bits, reference.data(), ldy);
  ASSERT_EQ(reference, expected);
  qcc_ukernel_matmul_s8_packed(M, N, K, X.data(), ldx, W.bytes.data(), bits,
                               Y.data(), ldy, threads);
  ASSERT_EQ(Y, expected) << "bits " << bits << " M " << M << " N " << N << " K "
                         << K << " threads " << threads;
}

TEST_P(UkernelTier, PackedIntegerMatchesOnAllTails) {
  unsigned seed = 1;
  for (int bits : {4, 8})
    for (int64_t M : {1, 3, 4, 5, 9})
      for (int64_t N : {1, 3, 4, 5, 17})
        for (int64_t K : {1, 2, 15, 63, 64, 65, 127, 200})
          checkInteger(bits, M, N, K, 1, seed++);
}

TEST_P(UkernelTier, PackedIntegerThreadsAndLargeRows) {
  unsigned seed = 500;
  for (int bits : {4, 8})
    for (int threads : {1, 2, 3})
      for (auto [M, N, K] :
           {std::tuple<int64_t, int64_t, int64_t>{1, 1000, 4100},
            {5, 300, 3001},
            {1, 7, 100000},
            // A transformer's tokens (int8: outputs in the lanes, tiles
            // of rows x 32 outputs), K short of a quad.
            {37, 600, 190}})
        checkInteger(bits, M, N, K, threads, seed++);
}

/// A float-weight format: how the test makes codes and scales and what the
/// numerics library says each weight is.
struct FloatCase {
  int format, scaleKind;
  unsigned bits;
  std::optional<MinifloatKind> minifloat; // empty: integer
  bool isSigned = true;
  bool zeroPoints = false;
};

std::string describe(const FloatCase &c, int64_t K, int64_t group) {
  return "format " + std::to_string(c.format) + " scales " +
         std::to_string(c.scaleKind) + " K " + std::to_string(K) + " group " +
         std::to_string(group);
}

/// Random codes (every code of the format appears when K * N allows),
/// random scales, packed; `values` gets the numerics library's weights.
struct FloatWeights {
  PackedMatrix packed;
  std::vector<float> f32Scales;
  std::vector<uint8_t> codeScales;
  std::vector<int8_t> zeroPoints;
  qcc_packed_weights format;
  std::vector<float> values; // [N][K]
};

FloatWeights makeFloatWeights(const FloatCase &c, int64_t N, int64_t K,
                              int64_t group, std::mt19937 &rng) {
  FloatWeights w;
  const int64_t groupSize = group <= 0 || group >= K ? K : group;
  const int64_t groups = (K + groupSize - 1) / groupSize;
  std::vector<uint8_t> codes(N * K);
  for (int64_t i = 0; i < N * K; ++i) {
    uint8_t code = static_cast<uint8_t>((i * 37 + rng() % 3) % (1u << c.bits));
    // NaN and infinity codes are not weights (quantization saturates).
    if (c.minifloat && !std::isfinite(decodeMinifloat(*c.minifloat, code)))
      code = 0;
    codes[i] = code;
  }
  std::uniform_real_distribution<float> logScale(-12, 4);
  for (int64_t i = 0; i < N * groups; ++i) {
    if (c.scaleKind == QCC_SCALE_F32)
      w.f32Scales.push_back(std::exp2(logScale(rng)) *
                            (1 + (rng() % 100) / 128.0f));
    else if (c.scaleKind == QCC_SCALE_E8M0)
      w.codeScales.push_back(static_cast<uint8_t>(127 - 20 + rng() % 30));
    else // E4M3 block scales: positive, finite
      w.codeScales.push_back(static_cast<uint8_t>(1 + rng() % 0x7E));
    if (c.zeroPoints) {
      const int range = 1 << c.bits;
      const int lo = c.isSigned ? -range / 2 : 0;
      w.zeroPoints.push_back(
          static_cast<int8_t>(lo + static_cast<int>(rng() % range) / 2));
    }
  }
  const float tensorScale = c.scaleKind == QCC_SCALE_E4M3 ? 0.0371f : 1.0f;
  w.packed = packMatrix(c.bits, codes, N, K);
  w.format = {c.format,
              c.scaleKind,
              group,
              c.scaleKind == QCC_SCALE_F32
                  ? static_cast<const void *>(w.f32Scales.data())
                  : static_cast<const void *>(w.codeScales.data()),
              c.zeroPoints ? w.zeroPoints.data() : nullptr,
              tensorScale};
  for (int64_t n = 0; n < N; ++n)
    for (int64_t k = 0; k < K; ++k) {
      const int64_t g = n * groups + k / groupSize;
      const uint8_t code = codes[n * K + k];
      float value;
      if (c.scaleKind != QCC_SCALE_F32) {
        BlockFormat block{*c.minifloat,
                          c.scaleKind == QCC_SCALE_E8M0
                              ? MinifloatKind::F8E8M0FNU
                              : MinifloatKind::F8E4M3FN,
                          static_cast<unsigned>(groupSize), tensorScale};
        value = dequantizeBlockElement(code, w.codeScales[g], block);
      } else if (c.minifloat) {
        value = dequantizeMinifloat(code, w.f32Scales[g], *c.minifloat);
      } else {
        const int64_t q = c.isSigned ? signedValue(code, c.bits) : code;
        value = dequantizeInteger(q, w.f32Scales[g],
                                  c.zeroPoints ? w.zeroPoints[g] : 0);
      }
      w.values.push_back(value);
    }
  return w;
}

const FloatCase kFloatCases[] = {
    {QCC_PACKED_INT8, QCC_SCALE_F32, 8, std::nullopt},
    {QCC_PACKED_UINT8, QCC_SCALE_F32, 8, std::nullopt, false, true},
    {QCC_PACKED_INT4, QCC_SCALE_F32, 4, std::nullopt},
    {QCC_PACKED_INT4, QCC_SCALE_F32, 4, std::nullopt, true, true},
    {QCC_PACKED_UINT4, QCC_SCALE_F32, 4, std::nullopt, false, true},
    {QCC_PACKED_FP8E4M3, QCC_SCALE_F32, 8, MinifloatKind::F8E4M3FN},
    {QCC_PACKED_FP8E5M2, QCC_SCALE_F32, 8, MinifloatKind::F8E5M2},
    {QCC_PACKED_FP6E3M2, QCC_SCALE_F32, 6, MinifloatKind::F6E3M2FN},
    {QCC_PACKED_FP6E2M3, QCC_SCALE_F32, 6, MinifloatKind::F6E2M3FN},
    {QCC_PACKED_FP4E2M1, QCC_SCALE_F32, 4, MinifloatKind::F4E2M1FN},
    {QCC_PACKED_FP4E2M1, QCC_SCALE_E8M0, 4, MinifloatKind::F4E2M1FN}, // MXFP4
    {QCC_PACKED_FP4E2M1, QCC_SCALE_E4M3, 4, MinifloatKind::F4E2M1FN}, // NVFP4
    {QCC_PACKED_FP6E3M2, QCC_SCALE_E8M0, 6, MinifloatKind::F6E3M2FN}, // MXFP6
    {QCC_PACKED_FP8E4M3, QCC_SCALE_E8M0, 8, MinifloatKind::F8E4M3FN}, // MXFP8
};

TEST_P(UkernelTier, PackedDequantizedWeightsAreTheNumericsLibrarysBitForBit) {
  std::mt19937 rng(7);
  for (const FloatCase &c : kFloatCases)
    for (int64_t K : {16, 37, 64, 96, 160})
      for (int64_t group : {int64_t{0}, int64_t{16}, int64_t{32}, int64_t{5}}) {
        const int64_t N = 70; // N * K covers every code of every format
        FloatWeights w = makeFloatWeights(c, N, K, group, rng);
        // X = identity: Y[m][n] = w(n, m), one product with 1.0 plus zeros.
        std::vector<float> X(K * K, 0.0f), Y(K * N, 0.0f);
        for (int64_t k = 0; k < K; ++k)
          X[k * K + k] = 1.0f;
        qcc_ukernel_matmul_f32_packed(K, N, K, X.data(), K,
                                      w.packed.bytes.data(), &w.format,
                                      Y.data(), N, 1);
        for (int64_t n = 0; n < N; ++n)
          for (int64_t k = 0; k < K; ++k) {
            const float expected = w.values[n * K + k];
            ASSERT_EQ(qcc_ukernel_packed_weight(w.packed.bytes.data(), K,
                                                &w.format, n, k),
                      expected)
                << describe(c, K, group) << " n " << n << " k " << k;
            ASSERT_EQ(Y[k * N + n], expected)
                << describe(c, K, group) << " n " << n << " k " << k;
          }
      }
}

TEST_P(UkernelTier, PackedFloatProductsMatchDoubleSums) {
  std::mt19937 rng(9);
  std::normal_distribution<float> normal;
  for (const FloatCase &c : kFloatCases)
    for (auto [M, N, K, group] :
         {std::tuple<int64_t, int64_t, int64_t, int64_t>{1, 9, 100, 32},
          {5, 4, 64, 0},
          {4, 13, 257, 128},
          {7, 6, 48, 16},
          {3, 5, 30, 10},
          {1, 600, 2048, 64}})
      for (int threads : {1, 2}) {
        FloatWeights w = makeFloatWeights(c, N, K, group, rng);
        const int64_t ldx = K + 1, ldy = N + 3;
        std::vector<float> X(M * ldx), Y(M * ldy, 0.5f);
        for (float &v : X)
          v = normal(rng);
        qcc_ukernel_matmul_f32_packed(M, N, K, X.data(), ldx,
                                      w.packed.bytes.data(), &w.format,
                                      Y.data(), ldy, threads);
        for (int64_t m = 0; m < M; ++m)
          for (int64_t n = 0; n < N; ++n) {
            double sum = 0.5, magnitude = 0.5;
            for (int64_t k = 0; k < K; ++k) {
              const double term = double(X[m * ldx + k]) * w.values[n * K + k];
              sum += term;
              magnitude += std::fabs(term);
            }
            // Float sums of K terms: error below K * 2^-24 * sum |terms|.
            ASSERT_NEAR(Y[m * ldy + n], sum, magnitude * K * 0x1p-24)
                << describe(c, K, group) << " m " << m << " n " << n;
          }
      }
}

// qcc_ukernel_matmul_f32_rows (GemmF32.c): y = bias + x w^T on f32 weight
// rows, against double sums: every tile's remainders of rows (1 to 13 rows
// against tiles of 4 to 12) and of columns (1, 17, 100 against panels of
// 16 to 64), K of 0, 1 and a transformer's 192, strides past the rows,
// with and without bias, weights packed per call and cached (twice with
// the same weights: the cached panels), 1 to 3 threads; nothing stored
// past a row's N outputs.
TEST_P(UkernelTier, FloatRowsProductsMatchDoubleSums) {
  std::mt19937 rng(17);
  std::normal_distribution<float> normal;
  // Weights packed and cached for the process (keyed on their address)
  // stay alive, so no later weights take their address.
  static std::vector<std::unique_ptr<std::vector<float>>> cachedWeights;
  for (auto [M, N, K] : {std::tuple<int64_t, int64_t, int64_t>{1, 17, 5},
                         {4, 1, 1},
                         {5, 100, 33},
                         {13, 64, 192},
                         {37, 48, 0},
                         {37, 200, 192}})
    for (int threads : {1, 2, 3})
      for (int constant : {0, 1})
        for (bool withBias : {false, true}) {
          cachedWeights.push_back(std::make_unique<std::vector<float>>(N * K));
          std::vector<float> &W = *cachedWeights.back();
          std::vector<float> bias(N);
          for (float &v : W)
            v = normal(rng);
          for (float &v : bias)
            v = normal(rng);
          const int64_t ldx = K + 2, ldy = N + 5;
          std::vector<float> X(M * ldx);
          for (float &v : X)
            v = normal(rng);
          for (int repeat = 0; repeat < 1 + constant; ++repeat) {
            std::vector<float> Y(M * ldy, 42.0f);
            qcc_ukernel_matmul_f32_rows(M, N, K, X.data(), ldx, W.data(),
                                        withBias ? bias.data() : nullptr,
                                        Y.data(), ldy, constant, threads);
            for (int64_t m = 0; m < M; ++m) {
              for (int64_t n = 0; n < N; ++n) {
                double sum = withBias ? bias[n] : 0.0,
                       magnitude = std::fabs(sum);
                for (int64_t k = 0; k < K; ++k) {
                  const double term = double(X[m * ldx + k]) * W[n * K + k];
                  sum += term;
                  magnitude += std::fabs(term);
                }
                // K + 1 float roundings (the bias first), each below 2^-24
                // of the running sum's magnitude.
                ASSERT_NEAR(Y[m * ldy + n], sum, magnitude * (K + 1) * 0x1p-24)
                    << "M " << M << " N " << N << " K " << K << " m " << m
                    << " n " << n << " threads " << threads;
              }
              for (int64_t n = N; n < ldy; ++n)
                ASSERT_EQ(Y[m * ldy + n], 42.0f)
                    << "stored past row " << m << "'s outputs: N " << N;
            }
          }
        }
}

// qcc_ukernel_batch_matmul_f32 (attention's products of two activations):
// y[b] = a[b] x[b] against double sums, batches of 1 to 3, ViT's head
// shapes (37 x 64 by 64 x 37, 37 x 37 by 37 x 64), K = 0 (zeros), 1 to 3
// threads, nothing stored past the last batch.
TEST_P(UkernelTier, FloatBatchedProductsMatchDoubleSums) {
  std::mt19937 rng(19);
  std::normal_distribution<float> normal;
  for (auto [B, M, N, K] :
       {std::tuple<int64_t, int64_t, int64_t, int64_t>{1, 1, 1, 1},
        {3, 37, 37, 64},
        {3, 37, 64, 37},
        {2, 5, 7, 0},
        {2, 9, 100, 3}})
    for (int threads : {1, 2, 3}) {
      std::vector<float> A(B * M * K), X(B * K * N);
      for (float &v : A)
        v = normal(rng);
      for (float &v : X)
        v = normal(rng);
      std::vector<float> Y(B * M * N + 16, 42.0f);
      qcc_ukernel_batch_matmul_f32(B, M, N, K, A.data(), X.data(), Y.data(),
                                   threads);
      for (int64_t b = 0; b < B; ++b)
        for (int64_t m = 0; m < M; ++m)
          for (int64_t n = 0; n < N; ++n) {
            double sum = 0.0, magnitude = 0.0;
            for (int64_t k = 0; k < K; ++k) {
              const double term =
                  double(A[(b * M + m) * K + k]) * X[(b * K + k) * N + n];
              sum += term;
              magnitude += std::fabs(term);
            }
            ASSERT_NEAR(Y[(b * M + m) * N + n], sum, magnitude * K * 0x1p-24)
                << "batch " << b << " of " << B << ", M " << M << " N " << N
                << " K " << K << " threads " << threads;
          }
      for (int64_t i = B * M * N; i < static_cast<int64_t>(Y.size()); ++i)
        ASSERT_EQ(Y[i], 42.0f) << "stored past the outputs";
    }
}

TEST_P(UkernelTier, PackedPlainFloatWeights) {
  // QCC_PACKED_F32: rows of f32 weights, read as they are (the float
  // models' constant weights); no scales.
  std::mt19937 rng(13);
  std::normal_distribution<float> normal;
  for (auto [M, N, K] : {std::tuple<int64_t, int64_t, int64_t>{1, 9, 100},
                         {64, 13, 128},
                         {5, 4, 17},
                         {3, 600, 512}})
    for (int threads : {1, 2}) {
      std::vector<float> W(N * K);
      for (float &v : W)
        v = normal(rng);
      const int64_t ldx = K + 2, ldy = N + 1;
      std::vector<float> X(M * ldx), Y(M * ldy, -0.25f);
      for (float &v : X)
        v = normal(rng);
      qcc_packed_weights format = {QCC_PACKED_F32, QCC_SCALE_F32, 0,
                                   nullptr,        nullptr,       1.0f};
      ASSERT_EQ(qcc_ukernel_packed_row_bytes(QCC_PACKED_F32, K), 4 * K);
      const auto *bytes = reinterpret_cast<const uint8_t *>(W.data());
      EXPECT_EQ(qcc_ukernel_packed_weight(bytes, K, &format, N - 1, K - 1),
                W.back());
      qcc_ukernel_matmul_f32_packed(M, N, K, X.data(), ldx, bytes, &format,
                                    Y.data(), ldy, threads);
      for (int64_t m = 0; m < M; ++m)
        for (int64_t n = 0; n < N; ++n) {
          double sum = -0.25, magnitude = 0.25;
          for (int64_t k = 0; k < K; ++k) {
            const double term = double(X[m * ldx + k]) * W[n * K + k];
            sum += term;
            magnitude += std::fabs(term);
          }
          ASSERT_NEAR(Y[m * ldy + n], sum, magnitude * K * 0x1p-24)
              << "M " << M << " N " << N << " K " << K << " m " << m << " n "
              << n;
        }
    }
}

} // namespace
