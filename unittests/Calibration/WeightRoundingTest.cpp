//===- WeightRoundingTest.cpp - Layer-wise weight rounding ----------------===//

#include "qcc/Calibration/WeightRounding.h"

#include <gtest/gtest.h>

#include <cmath>
#include <random>

using namespace qcc::calib;

namespace {

SecondMoment randomMoment(int64_t k, std::mt19937 &rng, bool correlated) {
  std::normal_distribution<double> normal;
  SecondMoment h(k);
  std::vector<double> x(k);
  for (int s = 0; s < 200; ++s) {
    const double common = normal(rng);
    for (int64_t i = 0; i < k; ++i)
      x[i] = normal(rng) + (correlated ? 1.5 * common : 0.0);
    h.add(x.data());
  }
  return h;
}

std::vector<int64_t> nearest(const std::vector<double> &w, double scale,
                             int64_t qmin, int64_t qmax) {
  std::vector<int64_t> q;
  for (double v : w)
    q.push_back(std::clamp<int64_t>(
        static_cast<int64_t>(std::nearbyint(v / scale)), qmin, qmax));
  return q;
}

/// The best floor/ceil choice by enumeration (K <= 12).
double bruteForce(const std::vector<double> &w, double scale, int64_t qmin,
                  int64_t qmax, const SecondMoment &h) {
  const int64_t k = w.size();
  double best = INFINITY;
  for (uint32_t mask = 0; mask < (1u << k); ++mask) {
    std::vector<int64_t> q(k);
    for (int64_t i = 0; i < k; ++i)
      q[i] = std::clamp<int64_t>(
          static_cast<int64_t>((mask >> i & 1) ? std::ceil(w[i] / scale)
                                               : std::floor(w[i] / scale)),
          qmin, qmax);
    best = std::min(best, roundingError(w, q, scale, h));
  }
  return best;
}

TEST(WeightRounding, NeverWorseThanNearestAndCloseToTheOptimum) {
  std::mt19937 rng(5);
  std::normal_distribution<double> normal;
  double totalNearest = 0, totalGreedy = 0, totalBest = 0;
  for (int trial = 0; trial < 200; ++trial) {
    const int64_t k = 10;
    SecondMoment h = randomMoment(k, rng, /*correlated=*/trial % 2 == 0);
    std::vector<double> w(k);
    for (double &v : w)
      v = normal(rng);
    const double scale = 0.37, qmin = -7, qmax = 7;
    const double nearestError =
        roundingError(w, nearest(w, scale, qmin, qmax), scale, h);
    std::vector<int64_t> q = optimizeRounding(w, scale, qmin, qmax, h);
    const double greedyError = roundingError(w, q, scale, h);
    const double best = bruteForce(w, scale, qmin, qmax, h);
    ASSERT_LE(greedyError, nearestError * (1 + 1e-12));
    ASSERT_GE(greedyError, best * (1 - 1e-12));
    for (int64_t i = 0; i < k; ++i) {
      EXPECT_GE(q[i], qmin);
      EXPECT_LE(q[i], qmax);
      EXPECT_TRUE(q[i] == std::floor(w[i] / scale) ||
                  q[i] == std::ceil(w[i] / scale) || q[i] == qmin ||
                  q[i] == qmax);
    }
    totalNearest += nearestError;
    totalGreedy += greedyError;
    totalBest += best;
  }
  // Correlated inputs are where rounding choices matter: greedy recovers
  // most of the gap between nearest rounding and the optimum.
  EXPECT_LT(totalGreedy - totalBest, 0.2 * (totalNearest - totalBest));
  EXPECT_LT(totalGreedy, 0.8 * totalNearest);
}

TEST(WeightRounding, UncorrelatedUnitInputsKeepNearest) {
  // H = I: the error separates per weight, and nearest rounding is optimal.
  SecondMoment h(3);
  for (int i = 0; i < 3; ++i) {
    double x[3] = {0, 0, 0};
    x[i] = 1;
    h.add(x);
  }
  std::vector<double> w = {0.26, -0.74, 1.49};
  std::vector<int64_t> q = optimizeRounding(w, 0.5, -8, 7, h);
  EXPECT_EQ(q, (std::vector<int64_t>{1, -1, 3}));
}

TEST(WeightRounding, RespectsTheClampRange) {
  SecondMoment h(2);
  double x[2] = {1, 1};
  h.add(x);
  std::vector<double> w = {10.0, -10.0};
  std::vector<int64_t> q = optimizeRounding(w, 1.0, -7, 7, h);
  EXPECT_EQ(q, (std::vector<int64_t>{7, -7}));
}

TEST(WeightRounding, Deterministic) {
  std::mt19937 rng(9);
  SecondMoment h = randomMoment(16, rng, true);
  std::vector<double> w(16);
  for (size_t i = 0; i < w.size(); ++i)
    w[i] = std::sin(double(i));
  EXPECT_EQ(optimizeRounding(w, 0.2, -7, 7, h),
            optimizeRounding(w, 0.2, -7, 7, h));
}

} // namespace

TEST(WeightRounding, PerWeightScalesAndZeroPoints) {
  // Two groups (scales 0.2 and 0.5) with zero points -3 and 2 in an
  // asymmetric int4 range: the result is never worse than nearest rounding
  // and each code is the floor or ceiling of w / s + z.
  std::mt19937 rng(11);
  std::normal_distribution<double> normal;
  for (int trial = 0; trial < 50; ++trial) {
    const int64_t k = 8;
    SecondMoment h = randomMoment(k, rng, /*correlated=*/true);
    std::vector<double> w(k), scales(k);
    std::vector<int64_t> zps(k), nearestCodes(k);
    for (int64_t i = 0; i < k; ++i) {
      w[i] = normal(rng);
      scales[i] = i < 4 ? 0.2 : 0.5;
      zps[i] = i < 4 ? -3 : 2;
      nearestCodes[i] = std::clamp<int64_t>(
          static_cast<int64_t>(std::nearbyint(w[i] / scales[i])) + zps[i], -8,
          7);
    }
    auto error = [&](const std::vector<int64_t> &q) {
      double e = 0;
      for (int64_t i = 0; i < k; ++i)
        for (int64_t j = 0; j < k; ++j)
          e += (scales[i] * (q[i] - zps[i]) - w[i]) * h.at(i, j) *
               (scales[j] * (q[j] - zps[j]) - w[j]);
      return e;
    };
    std::vector<int64_t> q = optimizeRounding(w, scales, zps, -8, 7, h);
    EXPECT_LE(error(q), error(nearestCodes) * (1 + 1e-12));
    for (int64_t i = 0; i < k; ++i) {
      const double exact = w[i] / scales[i] + zps[i];
      EXPECT_TRUE(q[i] == std::floor(exact) || q[i] == std::ceil(exact) ||
                  q[i] == -8 || q[i] == 7)
          << "weight " << i;
    }
  }
  // With equal scales and zero points 0 it is the scalar version.
  SecondMoment h = randomMoment(6, rng, true);
  std::vector<double> w = {0.3, -0.9, 0.55, 1.2, -0.05, 0.7};
  EXPECT_EQ(optimizeRounding(w, std::vector<double>(6, 0.25),
                             std::vector<int64_t>(6, 0), -7, 7, h),
            optimizeRounding(w, 0.25, -7, 7, h));
}
