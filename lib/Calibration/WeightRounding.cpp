//===- WeightRounding.cpp - Layer-wise weight rounding optimisation -------===//

#include "qcc/Calibration/WeightRounding.h"

#include <algorithm>
#include <cmath>

namespace qcc::calib {

void SecondMoment::add(const double *x) {
  for (int64_t i = 0; i < k; ++i) {
    if (x[i] == 0)
      continue;
    double *row = &sum[i * k];
    for (int64_t j = 0; j < k; ++j)
      row[j] += x[i] * x[j];
  }
  ++n;
}

double roundingError(const std::vector<double> &weights,
                     const std::vector<int64_t> &codes, double scale,
                     const SecondMoment &h) {
  const int64_t k = h.dim();
  std::vector<double> d(k);
  for (int64_t i = 0; i < k; ++i)
    d[i] = scale * static_cast<double>(codes[i]) - weights[i];
  double error = 0;
  for (int64_t i = 0; i < k; ++i)
    for (int64_t j = 0; j < k; ++j)
      error += d[i] * h.at(i, j) * d[j];
  return error;
}

std::vector<int64_t> optimizeRounding(const std::vector<double> &weights,
                                      double scale, int64_t qmin, int64_t qmax,
                                      const SecondMoment &h, int maxPasses) {
  const size_t k = weights.size();
  return optimizeRounding(weights, std::vector<double>(k, scale),
                          std::vector<int64_t>(k, 0), qmin, qmax, h, maxPasses);
}

std::vector<int64_t> optimizeRounding(const std::vector<double> &weights,
                                      const std::vector<double> &scales,
                                      const std::vector<int64_t> &zeroPoints,
                                      int64_t qmin, int64_t qmax,
                                      const SecondMoment &h, int maxPasses) {
  const int64_t k = h.dim();
  std::vector<int64_t> codes(k);
  std::vector<double> delta(k);
  // Weight i's code before rounding, and its real value for code q.
  auto exact = [&](int64_t i) {
    return weights[i] / scales[i] + static_cast<double>(zeroPoints[i]);
  };
  auto real = [&](int64_t i, int64_t q) {
    return scales[i] * static_cast<double>(q - zeroPoints[i]);
  };
  for (int64_t i = 0; i < k; ++i) {
    const double r = std::nearbyint(exact(i)); // Half to even.
    codes[i] = std::clamp<int64_t>(static_cast<int64_t>(r), qmin, qmax);
    delta[i] = real(i, codes[i]) - weights[i];
  }
  // g = H * delta: the gradient of delta^T H delta is 2g.
  std::vector<double> g(k, 0.0);
  for (int64_t i = 0; i < k; ++i)
    for (int64_t j = 0; j < k; ++j)
      g[i] += h.at(i, j) * delta[j];
  for (int pass = 0; pass < maxPasses; ++pass) {
    bool improved = false;
    for (int64_t j = 0; j < k; ++j) {
      // The other rounding direction of the exact code (floor <-> ceil).
      const int64_t lo = static_cast<int64_t>(std::floor(exact(j)));
      const int64_t hi = static_cast<int64_t>(std::ceil(exact(j)));
      if (lo == hi)
        continue;
      const int64_t other = codes[j] == lo ? hi : lo;
      if (other < qmin || other > qmax || other == codes[j])
        continue;
      const double step = scales[j] * static_cast<double>(other - codes[j]);
      // (delta + step e_j)^T H (delta + step e_j) - delta^T H delta.
      const double change = 2 * step * g[j] + step * step * h.at(j, j);
      if (change >= -1e-18 * std::fabs(step * g[j]))
        continue;
      codes[j] = other;
      for (int64_t i = 0; i < k; ++i)
        g[i] += h.at(i, j) * step;
      improved = true;
    }
    if (!improved)
      break;
  }
  return codes;
}

} // namespace qcc::calib
