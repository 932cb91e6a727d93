//===- BlockScaleTest.cpp - OCP MX and NVFP4 block scaling ----------------===//

#include "qcc/Numerics/Quantize.h"

#include <gtest/gtest.h>

#include <cmath>
#include <random>
#include <vector>

using namespace qcc::numerics;

namespace {

constexpr uint8_t kE8M0One = 127; // 2^0

TEST(BlockScale, MxSharedExponentFollowsTheOcpRule) {
  // amax = 3: floor(log2 3) = 1; emax(E4M3) = 8, so X = 2^(1-8) = 2^-7.
  std::vector<float> block(32, 0.25f);
  block[5] = -3.0f;
  EXPECT_EQ(computeBlockScale(block.data(), block.size(), BlockFormat::mxfp8()),
            kE8M0One - 7);
  // emax(E2M1) = 2: X = 2^(1-2) = 2^-1.
  EXPECT_EQ(computeBlockScale(block.data(), block.size(), BlockFormat::mxfp4()),
            kE8M0One - 1);
  // emax(E3M2) = 4: X = 2^-3.
  EXPECT_EQ(computeBlockScale(block.data(), block.size(), BlockFormat::mxfp6()),
            kE8M0One - 3);
}

TEST(BlockScale, MxMatchesTheSpecFormulaOnRandomBlocks) {
  std::mt19937 rng(11);
  std::uniform_real_distribution<float> logMagnitude(-20, 20);
  std::uniform_real_distribution<float> unit(-1, 1);
  for (const BlockFormat &format :
       {BlockFormat::mxfp8(), BlockFormat::mxfp6(), BlockFormat::mxfp4()}) {
    const double emax = getMinifloatFormat(format.elementKind).maxExponent();
    for (int trial = 0; trial < 2000; ++trial) {
      const float magnitude = std::exp2(logMagnitude(rng));
      std::vector<float> block(32);
      for (float &v : block)
        v = unit(rng) * magnitude;
      float amax = 0;
      for (float v : block)
        amax = std::fmax(amax, std::fabs(v));
      const double x = std::exp2(std::floor(std::log2(amax)) - emax);
      QuantizedBlock q = quantizeBlock(block.data(), block.size(), format);
      ASSERT_EQ(decodeMinifloat(MinifloatKind::F8E8M0FNU, q.scaleCode), x);
      for (size_t i = 0; i < block.size(); ++i) {
        const double expected =
            roundToMinifloat(format.elementKind, block[i] / x) * x;
        ASSERT_EQ(dequantizeBlockElement(q.elementCodes[i], q.scaleCode, format),
                  static_cast<float>(expected));
      }
    }
  }
}

TEST(BlockScale, ElementsAboveTheFormatSaturate) {
  // amax = 500: X = 2^(8-8) = 1 and 500 > 448 saturates to 448 (OCP MX).
  std::vector<float> block(32, 1.0f);
  block[0] = 500.0f;
  QuantizedBlock q = quantizeBlock(block.data(), block.size(), BlockFormat::mxfp8());
  EXPECT_EQ(q.scaleCode, kE8M0One);
  EXPECT_EQ(dequantizeBlockElement(q.elementCodes[0], q.scaleCode,
                                   BlockFormat::mxfp8()),
            448.0f);
  // FP4 tie: amax 5 gives X = 1 and 5 rounds to 4 (even mantissa).
  std::vector<float> fp4(32, 0.0f);
  fp4[3] = 5.0f;
  QuantizedBlock q4 = quantizeBlock(fp4.data(), fp4.size(), BlockFormat::mxfp4());
  EXPECT_EQ(q4.scaleCode, kE8M0One);
  EXPECT_EQ(dequantizeBlockElement(q4.elementCodes[3], q4.scaleCode,
                                   BlockFormat::mxfp4()),
            4.0f);
}

TEST(BlockScale, ZeroAndNonFiniteBlocks) {
  std::vector<float> zeros(32, 0.0f);
  QuantizedBlock q = quantizeBlock(zeros.data(), zeros.size(), BlockFormat::mxfp4());
  EXPECT_EQ(q.scaleCode, 0); // Smallest scale, 2^-127.
  for (uint8_t code : q.elementCodes)
    EXPECT_EQ(code, 0);

  for (float special : {NAN, INFINITY}) {
    std::vector<float> block(32, 1.0f);
    block[7] = special;
    QuantizedBlock bad = quantizeBlock(block.data(), block.size(), BlockFormat::mxfp8());
    EXPECT_EQ(bad.scaleCode, 0xFF); // E8M0 NaN: the whole block is NaN.
    EXPECT_TRUE(std::isnan(
        dequantizeBlockElement(bad.elementCodes[0], bad.scaleCode,
                               BlockFormat::mxfp8())));
  }
  // The NVFP4 scale format (E4M3FN) has a NaN too.
  std::vector<float> nvBlock(16, 1.0f);
  nvBlock[2] = NAN;
  EXPECT_TRUE(isNanCode(MinifloatKind::F8E4M3FN,
                        computeBlockScale(nvBlock.data(), 16, BlockFormat::nvfp4())));
}

TEST(BlockScale, Nvfp4ScalesAmaxOntoSix) {
  // amax 12 with tensor scale 0.5: block scale E4M3(12 / (6 * 0.5)) = 4.
  const BlockFormat format = BlockFormat::nvfp4(0.5f);
  std::vector<float> block(16, 0.0f);
  block[0] = 12.0f;
  block[1] = -3.0f;
  block[2] = 1.1f;
  QuantizedBlock q = quantizeBlock(block.data(), block.size(), format);
  EXPECT_EQ(decodeMinifloat(MinifloatKind::F8E4M3FN, q.scaleCode), 4.0);
  EXPECT_EQ(blockMultiplier(q.scaleCode, format), 2.0f);
  EXPECT_EQ(dequantizeBlockElement(q.elementCodes[0], q.scaleCode, format), 12.0f);
  EXPECT_EQ(dequantizeBlockElement(q.elementCodes[1], q.scaleCode, format), -3.0f);
  // 1.1 / 2 = 0.55 rounds to 0.5 in E2M1, i.e. 1.0.
  EXPECT_EQ(dequantizeBlockElement(q.elementCodes[2], q.scaleCode, format), 1.0f);
}

TEST(BlockScale, Nvfp4BlockScaleIsRoundedToE4M3) {
  // amax 7 -> 7/6 = 1.1666..; nearest E4M3 is 1.125 (steps of 1/8).
  std::vector<float> block(16, 0.0f);
  block[9] = 7.0f;
  QuantizedBlock q = quantizeBlock(block.data(), block.size(), BlockFormat::nvfp4());
  EXPECT_EQ(decodeMinifloat(MinifloatKind::F8E4M3FN, q.scaleCode), 1.125);
  // 7 / 1.125 = 6.22 saturates to 6: 6.75 after dequantization.
  EXPECT_EQ(dequantizeBlockElement(q.elementCodes[9], q.scaleCode,
                                   BlockFormat::nvfp4()),
            6.75f);
}

TEST(BlockScale, ShortTrailingBlock) {
  std::vector<float> tail = {0.5f, -1.0f, 0.25f};
  QuantizedBlock q = quantizeBlock(tail.data(), tail.size(), BlockFormat::mxfp4());
  ASSERT_EQ(q.elementCodes.size(), 3u);
  // amax 1: X = 2^(0-2) = 1/4; elements 2, -4, 1 are exact in E2M1.
  for (size_t i = 0; i < tail.size(); ++i)
    EXPECT_EQ(dequantizeBlockElement(q.elementCodes[i], q.scaleCode,
                                     BlockFormat::mxfp4()),
              tail[i]);
}

} // namespace

TEST(BlockScale, FormatsByName) {
  ASSERT_TRUE(parseBlockFormat("mxfp4"));
  EXPECT_EQ(parseBlockFormat("mxfp4")->elementKind, MinifloatKind::F4E2M1FN);
  EXPECT_EQ(parseBlockFormat("mxfp4")->blockSize, 32u);
  EXPECT_EQ(parseBlockFormat("mxfp6")->elementKind, MinifloatKind::F6E3M2FN);
  EXPECT_EQ(parseBlockFormat("mxfp8")->elementKind, MinifloatKind::F8E4M3FN);
  EXPECT_EQ(parseBlockFormat("nvfp4")->scaleKind, MinifloatKind::F8E4M3FN);
  EXPECT_EQ(parseBlockFormat("nvfp4")->blockSize, 16u);
  EXPECT_FALSE(parseBlockFormat("mxfp5"));
  EXPECT_FALSE(parseBlockFormat("fp4e2m1"));
}

TEST(BlockScale, Nvfp4TensorScaleUsesTheWholeE4M3Range) {
  // amax / (6 * 448): the block holding amax gets block scale 448.
  EXPECT_FLOAT_EQ(nvfp4TensorScale(2688.0f), 1.0f);
  EXPECT_FLOAT_EQ(nvfp4TensorScale(1.0f), 1.0f / 2688);
  EXPECT_EQ(nvfp4TensorScale(0.0f), 1.0f);
  EXPECT_EQ(nvfp4TensorScale(INFINITY), 1.0f);
  BlockFormat f = BlockFormat::nvfp4(nvfp4TensorScale(3.0f));
  const float block[16] = {3.0f, -1.0f};
  EXPECT_EQ(blockMultiplier(computeBlockScale(block, 16, f), f) * 6.0f, 3.0f);
}

TEST(BlockScale, BlocksAlongTheMiddleAxis) {
  // A [2][64][3] tensor in MXFP4 blocks of 32 along the middle axis: each
  // (outer, block, inner) triple quantizes on its own, its scale code at
  // [outer][block][inner]; dequantizing gives each element's block value.
  const int64_t outer = 2, depth = 64, inner = 3;
  std::vector<float> values(outer * depth * inner);
  for (size_t i = 0; i < values.size(); ++i)
    values[i] = std::sin(0.37f * i) * (1.0f + (i % 7));
  const BlockFormat f = BlockFormat::mxfp4();
  const BlockCodes codes = quantizeBlocksAlong(values, depth, inner, f);
  ASSERT_EQ(codes.elements.size(), values.size());
  ASSERT_EQ(codes.scales.size(), size_t(outer * 2 * inner));
  const std::vector<float> out =
      dequantizeBlocksAlong(codes.elements, codes.scales, depth, inner, f);
  for (int64_t o = 0; o < outer; ++o)
    for (int64_t b = 0; b < 2; ++b)
      for (int64_t i = 0; i < inner; ++i) {
        float chunk[32];
        for (int64_t r = 0; r < 32; ++r)
          chunk[r] = values[(o * depth + b * 32 + r) * inner + i];
        const QuantizedBlock q = quantizeBlock(chunk, 32, f);
        EXPECT_EQ(codes.scales[(o * 2 + b) * inner + i], q.scaleCode);
        for (int64_t r = 0; r < 32; ++r) {
          const size_t at = (o * depth + b * 32 + r) * inner + i;
          EXPECT_EQ(codes.elements[at], q.elementCodes[r]);
          EXPECT_EQ(out[at],
                    dequantizeBlockElement(q.elementCodes[r], q.scaleCode, f));
        }
      }
}
