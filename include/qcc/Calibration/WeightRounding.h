//===- WeightRounding.h - Layer-wise weight rounding optimisation -*- C++ -*-===//
//
// Rounding each weight to nearest is not what minimises a layer's output
// error: "Up or Down? Adaptive Rounding for Post-Training Quantization"
// (AdaRound) shows that choosing floor or ceil per weight to minimise
//   E[(dW x)^2] = dW^T H dW,   H = E[x x^T] over the layer's inputs,
// recovers much of the accuracy lost at 4 bits. qcc solves this binary
// quadratic problem per output channel by greedy coordinate descent
// (deterministic: fixed visiting order, strict improvement only).
//
//===----------------------------------------------------------------------===//

#ifndef QCC_CALIBRATION_WEIGHTROUNDING_H
#define QCC_CALIBRATION_WEIGHTROUNDING_H

#include <cstdint>
#include <vector>

namespace qcc::calib {

/// The second moment H = E[x x^T] of K-dimensional input vectors,
/// accumulated in a streaming fashion (memory K^2).
class SecondMoment {
public:
  explicit SecondMoment(int64_t k) : k(k), sum(k * k, 0.0) {}
  void add(const double *x);
  int64_t dim() const { return k; }
  int64_t count() const { return n; }
  /// H[i][j] (the mean; 0 before any sample).
  double at(int64_t i, int64_t j) const {
    return n ? sum[i * k + j] / n : 0.0;
  }

private:
  int64_t k;
  int64_t n = 0;
  std::vector<double> sum;
};

/// Integer codes for `weights` (one output channel, K values) with `scale`,
/// clamped to [qmin, qmax], each the floor or the ceiling of w / scale,
/// chosen to minimise dW^T H dW (dW = scale * q - w). Starts from
/// round-to-nearest-even and only accepts strict improvements, so the
/// result is never worse than nearest rounding.
std::vector<int64_t> optimizeRounding(const std::vector<double> &weights,
                                      double scale, int64_t qmin, int64_t qmax,
                                      const SecondMoment &h,
                                      int maxPasses = 20);

/// The same with a scale and a zero point per weight (per-group and
/// asymmetric weights): weight i's real value is
/// scales[i] * (codes[i] - zeroPoints[i]).
std::vector<int64_t> optimizeRounding(const std::vector<double> &weights,
                                      const std::vector<double> &scales,
                                      const std::vector<int64_t> &zeroPoints,
                                      int64_t qmin, int64_t qmax,
                                      const SecondMoment &h,
                                      int maxPasses = 20);

/// dW^T H dW for `codes` (the quantity optimizeRounding minimises).
double roundingError(const std::vector<double> &weights,
                     const std::vector<int64_t> &codes, double scale,
                     const SecondMoment &h);

} // namespace qcc::calib

#endif // QCC_CALIBRATION_WEIGHTROUNDING_H
