//===- MetricsTest.cpp - Output metrics of the quantization library -------===//

#include "qcc/Quantization/Metrics.h"

#include <gtest/gtest.h>

#include <cmath>

using namespace qcc;
using namespace qcc::quantization;

TEST(Metrics, ArgmaxTakesTheFirstOfTies) {
  interp::Tensor logits({2, 3}, {1, 5, 5, 7, 2, 7});
  EXPECT_EQ(argmax(logits, 0), 1);
  EXPECT_EQ(argmax(logits, 1), 0);
  EXPECT_EQ(countTop1Correct(logits, {1, 2}), 1);
}

TEST(Metrics, SpearmanRanksWithTies) {
  EXPECT_DOUBLE_EQ(spearmanRankCorrelation({1, 2, 3}, {10, 20, 30}), 1.0);
  EXPECT_DOUBLE_EQ(spearmanRankCorrelation({1, 2, 3}, {3, 2, 1}), -1.0);
  // Ties get their average rank: ranks (0.5, 0.5, 2) against (0, 1, 2).
  EXPECT_NEAR(spearmanRankCorrelation({1, 1, 2}, {1, 2, 3}), 0.8660254, 1e-6);
  // A constant sample has no rank correlation.
  EXPECT_EQ(spearmanRankCorrelation({4, 4, 4}, {1, 2, 3}), 0.0);
}

TEST(Metrics, CompareValuesMatchesNanAndInfinity) {
  Comparison c = compareValues({1.0, NAN, INFINITY, 2.5},
                               {1.0, NAN, INFINITY, 2.0}, 0.1, 0.1);
  EXPECT_EQ(c.outside, 1u); // 2.5 vs 2.0: |0.5| > 0.1 + 0.1 * 2
  EXPECT_DOUBLE_EQ(c.maxAbsError, 0.5);
  EXPECT_EQ(compareValues({NAN}, {1.0}, 1e9, 0).outside, 1u);
  EXPECT_EQ(compareValues({1.0}, {NAN}, 1e9, 0).outside, 1u);
  EXPECT_EQ(compareValues({2.1}, {2.0}, 0, 0.1).outside, 0u);
}
