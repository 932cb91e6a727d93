//===- Observer.h - Calibration observers and clipping ranges ---*- C++ -*-===//
//
// Post-training quantization calibration: an Observer streams the values of
// one tensor (an activation, over a calibration set) into exact statistics
// (count, min, max) and a fixed-size histogram, and computes a clipping range
// [lo, hi] from them with one of four methods (MinMax, Percentile, MSE,
// Entropy). No MLIR or LLVM dependency.
//
// The histogram
// -------------
// Bins have width w = 2^e (a power of two) and edges at integer multiples of
// w, mirrored around zero: non-negative x falls in bin floor(x / w), negative x
// in bin -floor(-x / w) - 1, so every bin holds values of one sign and the
// |x| histogram is an exact fold of the signed one. The window always covers
// [-numBins * w, numBins * w) (2 * numBins counters), and e is the smallest
// exponent (>= kMinBinExponent) with max|x| < numBins * w. When data falls
// outside the window, e grows and bins are merged in aligned pairs (bins 2j
// and 2j + 1 become bin j), as many times as needed: counts move, they are
// never split or smeared, and the histogram at exponent e equals the one that
// binning all the data at exponent e directly would give.
//
// Determinism: the state after observing a multiset of values does not
// depend on how it was split into observe() calls or on the order of the
// values: count/min/max are exact, e is a function of max|x| only, and the
// counts are exact counts on the canonical grid of width 2^e. Every range()
// method is a deterministic function of that state, so the same data gives
// byte-identical ranges for any batch split (for every method, not only
// MinMax). NaN and infinities are skipped (not counted, not binned) and
// flagged by hasNonFinite().
//
// Quantizer model
// ---------------
// range() returns a real interval; MSE (and the tests) assume it is turned
// into integer parameters as quantParams() does:
//  - symmetric [-t, t]: signed, narrow range: scale = t / (2^(bits-1) - 1),
//    zero point 0, q in [-(2^(bits-1) - 1), 2^(bits-1) - 1];
//  - asymmetric [lo, hi]: unsigned: scale = (hi - lo) / (2^bits - 1),
//    zero point = roundHalfEven(-lo / scale), q in [0, 2^bits - 1];
// and x is quantized as q = saturate(roundHalfEven(x / scale) + zeroPoint).
//
//===----------------------------------------------------------------------===//

#ifndef QCC_CALIBRATION_OBSERVER_H
#define QCC_CALIBRATION_OBSERVER_H

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>
#include <utility>
#include <vector>

namespace qcc::calib {

/// How a clipping range is chosen from the observed statistics.
enum class Method {
  /// The observed [min, max] (symmetric: max |x|).
  MinMax,
  /// Percentiles of the histogram, linearly interpolated inside a bin.
  Percentile,
  /// The range minimising the expected squared quantization error (clipping
  /// plus rounding) of the histogram's distribution.
  MSE,
  /// TensorRT's KL-divergence calibration on the |x| histogram (see
  /// Observer.cpp), with 2^(bits-1) levels: [-t, t], cut to [min, max] when
  /// asymmetric. One-signed data with an asymmetric range gives [0, t] (or
  /// [-t, 0]) and uses 2^bits levels, as the whole integer range covers it.
  Entropy,
};

/// "minmax", "percentile", "mse", "entropy".
std::optional<Method> parseMethod(std::string_view name);
std::string_view stringifyMethod(Method method);

struct RangeOptions {
  Method method = Method::MinMax;
  /// For Percentile: keep this % of the mass on each side (clamped to
  /// [50, 100]); asymmetric: lo = quantile(1 - p/100), hi = quantile(p/100);
  /// symmetric: t = quantile of |x| at p/100.
  double percentile = 99.99;
  /// Target integer width (MSE and Entropy depend on it). 2 <= bits <= 32.
  unsigned bits = 8;
  /// Symmetric range [-t, t] (signed integers) vs [lo, hi] (unsigned with a
  /// zero point).
  bool symmetric = false;
};

/// Integer quantization parameters for a range (see "Quantizer model").
struct QuantParams {
  double scale = 0.0;
  int64_t zeroPoint = 0;
  int64_t qmin = 0;
  int64_t qmax = 0;

  /// saturate(roundHalfEven(x / scale) + zeroPoint); 0-scale maps to
  /// zeroPoint.
  int64_t quantize(double x) const;
  /// (q - zeroPoint) * scale.
  double dequantize(int64_t q) const { return double(q - zeroPoint) * scale; }
};

/// The parameters a range [lo, hi] (lo <= 0 <= hi) maps to.
QuantParams quantParams(std::pair<double, double> range, unsigned bits,
                        bool symmetric);

class Observer {
public:
  /// The smallest bin-width exponent (w >= 2^kMinBinExponent). Only all-zero
  /// (or empty) data sits at this floor: any non-zero float needs less.
  static constexpr int kMinBinExponent = -200;

  /// `numBins` is the resolution of the |x| histogram (at least 1); the
  /// signed histogram has 2 * numBins counters. Memory is fixed.
  explicit Observer(unsigned numBins = 2048);

  /// Streams `count` values in. Any number of calls; NaN/Inf are skipped.
  void observe(const float *data, size_t count);
  void observe(const std::vector<float> &data) {
    observe(data.data(), data.size());
  }

  /// Number of finite values observed.
  uint64_t count() const { return count_; }
  /// Exact extrema of the finite values; 0 when count() == 0.
  double min() const { return count_ ? min_ : 0.0; }
  double max() const { return count_ ? max_ : 0.0; }
  /// Whether any NaN or infinity was seen (they are not counted or binned).
  bool hasNonFinite() const { return nonFinite_ != 0; }
  uint64_t nonFiniteCount() const { return nonFinite_; }
  /// Number of values exactly equal to (+/-) zero.
  uint64_t zeroCount() const { return zeros_; }

  /// The clipping range [lo, hi] for `options`. Always lo <= 0 <= hi (the
  /// range contains zero so that zero is exactly representable), and
  /// min(min(), 0) <= lo, hi <= max(max(), 0): no method widens the MinMax
  /// range. Symmetric ranges are [-t, t]. An empty observer (no finite
  /// values) returns [0, 0]; so does all-zero data. Callers must handle a
  /// zero-width range (e.g. by choosing scale 1).
  std::pair<double, double> range(const RangeOptions &options) const;

  /// The signed histogram: 2 * numBins() counters; counter k covers
  /// [histogramMin() + k * binWidth(), histogramMin() + (k + 1) * binWidth()).
  const std::vector<uint64_t> &histogram() const { return hist_; }
  double histogramMin() const;
  double binWidth() const;
  /// log2(binWidth()).
  int binExponent() const { return exp_; }
  unsigned numBins() const { return numBins_; }
  /// The |x| histogram: numBins() counters; counter m covers
  /// [m * binWidth(), (m + 1) * binWidth()).
  std::vector<uint64_t> absHistogram() const;

  /// The expected squared error E[(x - Q(x))^2] of quantizing the
  /// histogram's distribution with `range` (see Observer.cpp: exact for a
  /// density uniform inside each bin; exact zeros are a point mass at 0).
  /// 0 for an empty observer.
  double expectedSquaredError(std::pair<double, double> range, unsigned bits,
                              bool symmetric) const;

private:
  std::pair<double, double> minMaxRange(bool symmetric) const;
  std::pair<double, double> percentileRange(double p, bool symmetric) const;
  std::pair<double, double> mseRange(unsigned bits, bool symmetric) const;
  std::pair<double, double> entropyRange(unsigned bits, bool symmetric) const;
  /// The value below which a fraction q of the (signed or |x|) mass lies.
  double quantile(double q, bool absolute) const;
  double sumSquaredError(const QuantParams &params) const;
  void growTo(int exponent);

  unsigned numBins_;
  int exp_ = kMinBinExponent;
  std::vector<uint64_t> hist_;
  uint64_t count_ = 0;
  uint64_t zeros_ = 0;
  uint64_t nonFinite_ = 0;
  double min_ = 0.0;
  double max_ = 0.0;
};

} // namespace qcc::calib

#endif // QCC_CALIBRATION_OBSERVER_H
