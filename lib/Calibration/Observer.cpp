//===- Observer.cpp - Calibration observers and clipping ranges -----------===//
//
// See Observer.h for the histogram layout, the determinism guarantee and the
// quantizer model.
//
// How MSE is computed
// -------------------
// The histogram is read as a density that is uniform inside each bin, except
// that values exactly equal to zero (counted separately) are a point mass at
// 0, which every range represents exactly. For a candidate range the
// quantizer Q (quantParams()) is piecewise constant: level j reconstructs
// y_j = (j - zeroPoint) * scale on its decision cell (between the midpoints
// to its neighbours; the end cells extend to -/+infinity, which is where the
// clipping error comes from). The expected squared error of a bin [a, b) is
// computed exactly for that density:
//   (1 / w) * sum over the cells j meeting [a, b) of
//             integral over [a, b) ∩ cell_j of (x - y_j)^2 dx,
// with the cells strictly inside the bin contributing scale^3 / 12 each (so a
// bin costs O(1) whatever the bit width). This is both the rounding error
// (≈ scale^2 / 12 for mass well inside the range, but exact near the edges and
// for bins as wide as a quantization step) and the clipping error for mass
// outside the range, with no separate approximation.
//
// The search:
//  - symmetric: t over every bin edge m * w below max|x|, and max|x| itself
//    (at most numBins candidates);
//  - asymmetric, one-signed data: the same 1-d search over hi (or lo), the
//    other end fixed at 0;
//  - asymmetric, two-signed data: a 1-d search over a factor
//    alpha = k / 256 (k = 1..256) applied to (min, max), then coordinate
//    descent, alternately minimising over hi (lo fixed) and over lo (hi
//    fixed) on the bin edges of each side (thinned to at most 512 evenly
//    spaced candidates, always including the extreme), until neither
//    improves (at most 16 rounds).
// Ties keep the first (smallest) candidate.
//
//===----------------------------------------------------------------------===//

#include "qcc/Calibration/Observer.h"

#include <algorithm>
#include <cmath>
#include <limits>

using namespace qcc::calib;

//===----------------------------------------------------------------------===//
// Method names
//===----------------------------------------------------------------------===//

std::optional<Method> qcc::calib::parseMethod(std::string_view name) {
  if (name == "minmax")
    return Method::MinMax;
  if (name == "percentile")
    return Method::Percentile;
  if (name == "mse")
    return Method::MSE;
  if (name == "entropy")
    return Method::Entropy;
  return std::nullopt;
}

std::string_view qcc::calib::stringifyMethod(Method method) {
  switch (method) {
  case Method::MinMax:
    return "minmax";
  case Method::Percentile:
    return "percentile";
  case Method::MSE:
    return "mse";
  case Method::Entropy:
    return "entropy";
  }
  return "unknown";
}

//===----------------------------------------------------------------------===//
// Quantizer model
//===----------------------------------------------------------------------===//

namespace {
unsigned clampBits(unsigned bits) { return std::clamp(bits, 2u, 32u); }
} // namespace

QuantParams qcc::calib::quantParams(std::pair<double, double> range,
                                    unsigned bits, bool symmetric) {
  bits = clampBits(bits);
  double lo = std::min(range.first, 0.0), hi = std::max(range.second, 0.0);
  QuantParams p;
  if (symmetric) {
    p.qmax = (int64_t(1) << (bits - 1)) - 1;
    p.qmin = -p.qmax;
    p.scale = std::max(-lo, hi) / double(p.qmax);
    return p;
  }
  p.qmin = 0;
  p.qmax = (int64_t(1) << bits) - 1;
  p.scale = (hi - lo) / double(p.qmax);
  if (p.scale > 0) {
    double zp = std::nearbyint(-lo / p.scale); // Ties to even.
    p.zeroPoint = int64_t(std::clamp(zp, 0.0, double(p.qmax)));
  }
  return p;
}

int64_t QuantParams::quantize(double x) const {
  if (!(scale > 0) || std::isnan(x))
    return std::clamp(zeroPoint, qmin, qmax);
  double q = std::nearbyint(x / scale) + double(zeroPoint);
  q = std::clamp(q, double(qmin), double(qmax));
  return int64_t(q);
}

//===----------------------------------------------------------------------===//
// Observer: streaming
//===----------------------------------------------------------------------===//

Observer::Observer(unsigned numBins)
    : numBins_(std::max(numBins, 1u)), hist_(2 * size_t(numBins_), 0) {}

double Observer::binWidth() const { return std::ldexp(1.0, exp_); }

double Observer::histogramMin() const {
  return -double(numBins_) * binWidth();
}

std::vector<uint64_t> Observer::absHistogram() const {
  std::vector<uint64_t> abs(numBins_);
  for (size_t m = 0; m < numBins_; ++m)
    abs[m] = hist_[numBins_ + m] + hist_[numBins_ - 1 - m];
  return abs;
}

namespace {
/// The smallest e >= Observer::kMinBinExponent with amax < numBins * 2^e.
int requiredExponent(double amax, unsigned numBins) {
  if (!(amax > 0))
    return Observer::kMinBinExponent;
  int k;
  std::frexp(amax / double(numBins), &k);
  int e = std::max(k - 1, Observer::kMinBinExponent);
  while (!(amax < std::ldexp(double(numBins), e)))
    ++e;
  while (e > Observer::kMinBinExponent &&
         amax < std::ldexp(double(numBins), e - 1))
    --e;
  return e;
}

/// floor(i / 2^d) for d >= 0.
int64_t floorShift(int64_t i, int d) {
  if (d >= 62)
    return i < 0 ? -1 : 0;
  int64_t div = int64_t(1) << d;
  int64_t q = i / div;
  if (i % div != 0 && i < 0)
    --q;
  return q;
}
} // namespace

void Observer::growTo(int exponent) {
  if (exponent <= exp_)
    return;
  int d = exponent - exp_;
  std::vector<uint64_t> merged(hist_.size(), 0);
  int64_t n = numBins_;
  for (int64_t k = 0; k < 2 * n; ++k) {
    if (!hist_[k])
      continue;
    int64_t idx = floorShift(k - n, d);
    merged[size_t(idx + n)] += hist_[k];
  }
  hist_ = std::move(merged);
  exp_ = exponent;
}

void Observer::observe(const float *data, size_t count) {
  double bmin = std::numeric_limits<double>::infinity();
  double bmax = -bmin;
  uint64_t finite = 0;
  for (size_t i = 0; i < count; ++i) {
    float x = data[i];
    if (!std::isfinite(x)) {
      ++nonFinite_;
      continue;
    }
    ++finite;
    bmin = std::min(bmin, double(x));
    bmax = std::max(bmax, double(x));
  }
  if (!finite)
    return;
  if (count_ == 0) {
    min_ = bmin;
    max_ = bmax;
  } else {
    min_ = std::min(min_, bmin);
    max_ = std::max(max_, bmax);
  }
  growTo(requiredExponent(std::max(-min_, max_), numBins_));

  // Exact: multiplying by a power of two, then truncating a non-negative
  // value, is floor(|x| / w).
  double inv = std::ldexp(1.0, -exp_);
  size_t n = numBins_;
  for (size_t i = 0; i < count; ++i) {
    float x = data[i];
    if (!std::isfinite(x))
      continue;
    if (x == 0.0f) {
      ++zeros_;
      ++hist_[n];
      continue;
    }
    double m = std::floor(std::fabs(double(x)) * inv);
    size_t mi = std::min(size_t(m), n - 1);
    if (x > 0)
      ++hist_[n + mi];
    else
      ++hist_[n - 1 - mi];
  }
  count_ += finite;
}

//===----------------------------------------------------------------------===//
// Observer: ranges
//===----------------------------------------------------------------------===//

std::pair<double, double> Observer::range(const RangeOptions &options) const {
  if (count_ == 0)
    return {0.0, 0.0};
  unsigned bits = clampBits(options.bits);
  std::pair<double, double> r;
  switch (options.method) {
  case Method::MinMax:
    r = minMaxRange(options.symmetric);
    break;
  case Method::Percentile:
    r = percentileRange(options.percentile, options.symmetric);
    break;
  case Method::MSE:
    r = mseRange(bits, options.symmetric);
    break;
  case Method::Entropy:
    r = entropyRange(bits, options.symmetric);
    break;
  }
  // Contain zero; never wider than MinMax.
  auto mm = minMaxRange(options.symmetric);
  r.first = std::clamp(r.first, mm.first, 0.0);
  r.second = std::clamp(r.second, 0.0, mm.second);
  if (options.symmetric) {
    double t = std::max(-r.first, r.second);
    r = {-t, t};
  }
  return r;
}

std::pair<double, double> Observer::minMaxRange(bool symmetric) const {
  if (symmetric) {
    double a = std::max(-min_, max_);
    return {-a, a};
  }
  return {std::min(min_, 0.0), std::max(max_, 0.0)};
}

double Observer::quantile(double q, bool absolute) const {
  double w = binWidth();
  double r = q * double(count_);
  double cum = 0;
  int64_t n = numBins_;
  double lowClamp = absolute ? 0.0 : min_;
  double highClamp = absolute ? std::max(-min_, max_) : max_;
  auto finish = [&](double v) { return std::clamp(v, lowClamp, highClamp); };
  if (absolute) {
    for (int64_t m = 0; m < n; ++m) {
      double c = double(hist_[n + m] + hist_[n - 1 - m]);
      if (c == 0)
        continue;
      if (cum + c >= r)
        return finish(double(m) * w + (r - cum) / c * w);
      cum += c;
    }
  } else {
    for (int64_t k = 0; k < 2 * n; ++k) {
      double c = double(hist_[k]);
      if (c == 0)
        continue;
      if (cum + c >= r)
        return finish(double(k - n) * w + (r - cum) / c * w);
      cum += c;
    }
  }
  return highClamp;
}

std::pair<double, double> Observer::percentileRange(double p,
                                                    bool symmetric) const {
  if (std::isnan(p))
    p = 100.0;
  double q = std::clamp(p, 50.0, 100.0) / 100.0;
  if (symmetric) {
    double t = quantile(q, /*absolute=*/true);
    return {-t, t};
  }
  return {quantile(1.0 - q, false), quantile(q, false)};
}

//===----------------------------------------------------------------------===//
// MSE
//===----------------------------------------------------------------------===//

double Observer::sumSquaredError(const QuantParams &qp) const {
  const double w = binWidth();
  const double s = qp.scale;
  const double zp = double(qp.zeroPoint);
  const double inf = std::numeric_limits<double>::infinity();
  const int64_t n = numBins_;
  // integral of (x - y)^2 over [u, v].
  auto cube = [](double u, double v, double y) {
    double a = v - y, b = u - y;
    return (a * a * a - b * b * b) / 3.0;
  };
  auto level = [&](double x) {
    double j = std::floor(x / s + zp + 0.5);
    return int64_t(std::clamp(j, double(qp.qmin), double(qp.qmax)));
  };
  // Error integral of level j's cell restricted to [a, b].
  auto cell = [&](int64_t j, double a, double b) {
    double lower = j == qp.qmin ? -inf : (double(j) - 0.5 - zp) * s;
    double upper = j == qp.qmax ? inf : (double(j) + 0.5 - zp) * s;
    double u = std::max(a, lower), v = std::min(b, upper);
    if (!(v > u))
      return 0.0;
    return cube(u, v, (double(j) - zp) * s);
  };

  double total = 0;
  for (int64_t k = 0; k < 2 * n; ++k) {
    double mass = double(hist_[k]);
    if (k == n)
      mass -= double(zeros_); // Zeros are exact.
    if (mass == 0)
      continue;
    double a = double(k - n) * w, b = a + w;
    double integral;
    if (!(s > 0)) {
      integral = cube(a, b, 0.0);
    } else {
      int64_t ja = level(a), jb = level(b);
      integral = cell(ja, a, b);
      if (jb > ja)
        integral += cell(jb, a, b);
      if (jb - ja > 1)
        integral += double(jb - ja - 1) * s * s * s / 12.0;
    }
    total += mass / w * integral;
  }
  return total;
}

double Observer::expectedSquaredError(std::pair<double, double> range,
                                      unsigned bits, bool symmetric) const {
  if (count_ == 0)
    return 0.0;
  return sumSquaredError(quantParams(range, bits, symmetric)) /
         double(count_);
}

namespace {
/// Bin edges m * w (m = 1..) strictly below `extent`, then `extent`; at most
/// `limit` of them (evenly thinned, the extreme always kept).
std::vector<double> edgeCandidates(double extent, double w, size_t limit) {
  std::vector<double> c;
  if (!(extent > 0))
    return {0.0};
  for (double m = 1;; ++m) {
    double e = m * w;
    if (!(e < extent))
      break;
    c.push_back(e);
  }
  c.push_back(extent);
  if (c.size() > limit) {
    std::vector<double> thin;
    size_t stride = (c.size() + limit - 1) / limit;
    for (size_t i = stride - 1; i + 1 < c.size(); i += stride)
      thin.push_back(c[i]);
    thin.push_back(c.back());
    c = std::move(thin);
  }
  return c;
}
} // namespace

std::pair<double, double> Observer::mseRange(unsigned bits,
                                             bool symmetric) const {
  const double w = binWidth();
  auto err = [&](double lo, double hi) {
    return sumSquaredError(quantParams({lo, hi}, bits, symmetric));
  };
  // argmin over `cands` of f(c); the first on ties.
  auto search = [](const std::vector<double> &cands, auto &&f) {
    double best = cands.front(), bestErr = f(best);
    for (size_t i = 1; i < cands.size(); ++i) {
      double e = f(cands[i]);
      if (e < bestErr) {
        bestErr = e;
        best = cands[i];
      }
    }
    return std::make_pair(best, bestErr);
  };
  const size_t all = std::numeric_limits<size_t>::max();

  if (symmetric) {
    double amax = std::max(-min_, max_);
    if (!(amax > 0))
      return {0.0, 0.0};
    double t = search(edgeCandidates(amax, w, all),
                      [&](double t) { return err(-t, t); })
                   .first;
    return {-t, t};
  }

  double lo0 = std::min(min_, 0.0), hi0 = std::max(max_, 0.0);
  if (lo0 == 0 && hi0 == 0)
    return {0.0, 0.0};
  if (lo0 == 0) {
    double hi = search(edgeCandidates(hi0, w, all),
                       [&](double h) { return err(0.0, h); })
                    .first;
    return {0.0, hi};
  }
  if (hi0 == 0) {
    double lo = -search(edgeCandidates(-lo0, w, all),
                        [&](double l) { return err(-l, 0.0); })
                     .first;
    return {lo, 0.0};
  }

  // Two-signed: scale-factor search, then coordinate descent.
  std::vector<double> alphas;
  for (int k = 1; k <= 256; ++k)
    alphas.push_back(k / 256.0);
  auto [alpha, bestErr] = search(
      alphas, [&](double a) { return err(a * lo0, a * hi0); });
  double lo = alpha * lo0, hi = alpha * hi0;
  std::vector<double> hiCands = edgeCandidates(hi0, w, 512);
  std::vector<double> loCands = edgeCandidates(-lo0, w, 512);
  for (double &l : loCands)
    l = -l;
  for (int round = 0; round < 16; ++round) {
    bool improved = false;
    auto [h, eh] = search(hiCands, [&](double h) { return err(lo, h); });
    if (eh < bestErr) {
      bestErr = eh;
      hi = h;
      improved = true;
    }
    auto [l, el] = search(loCands, [&](double l) { return err(l, hi); });
    if (el < bestErr) {
      bestErr = el;
      lo = l;
      improved = true;
    }
    if (!improved)
      break;
  }
  return {lo, hi};
}

//===----------------------------------------------------------------------===//
// Entropy (TensorRT KL-divergence calibration)
//===----------------------------------------------------------------------===//
//
// On the |x| histogram h[0..nb) (nb = one past the last non-empty bin), with
// L = 2^(bits-1) quantized levels (2^bits for one-signed data with an
// asymmetric range: [0, t] holds 2^bits levels), for each i in [L, nb]:
//   P = h[0..i) with the tail mass sum(h[i..nb)) added to P[i-1];
//   Q: bin k < i goes to level floor(k * L / i); each level's mass is the sum
//      of the *unfolded* h over its bins, spread evenly over those of its
//      bins where P != 0 (Q = 0 where P = 0);
//   KL(P || Q) with P, Q normalised (infinite, so never chosen, if Q = 0
//   where P > 0).
// The first i with the smallest divergence gives t = (i + 0.5) * w, clamped
// to max|x|. When nb < L there is no candidate (the histogram is coarser
// than the quantization grid) and t = max|x|.

std::pair<double, double> Observer::entropyRange(unsigned bits,
                                                 bool symmetric) const {
  double amax = std::max(-min_, max_);
  if (!(amax > 0))
    return {0.0, 0.0};
  bool positiveOnly = !symmetric && min_ >= 0;
  bool negativeOnly = !symmetric && max_ <= 0;
  uint64_t levels = uint64_t(1) << ((positiveOnly || negativeOnly) ? bits
                                                                   : bits - 1);
  std::vector<uint64_t> h = absHistogram();
  size_t nb = h.size();
  while (nb > 0 && h[nb - 1] == 0)
    --nb;

  double t = amax;
  if (levels <= nb) {
    size_t L = size_t(levels);
    std::vector<double> tail(nb + 1, 0.0); // tail[i] = sum(h[i..nb))
    for (size_t k = nb; k-- > 0;)
      tail[k] = tail[k + 1] + double(h[k]);
    const double total = tail[0];
    std::vector<double> groupMass(L), groupNonZero(L);
    double bestKL = std::numeric_limits<double>::infinity();
    size_t bestI = 0;
    for (size_t i = L; i <= nb; ++i) {
      std::fill(groupMass.begin(), groupMass.end(), 0.0);
      std::fill(groupNonZero.begin(), groupNonZero.end(), 0.0);
      auto pAt = [&](size_t k) {
        return double(h[k]) + (k == i - 1 ? tail[i] : 0.0);
      };
      for (size_t k = 0; k < i; ++k) {
        size_t g = size_t(uint64_t(k) * L / i);
        groupMass[g] += double(h[k]);
        if (pAt(k) != 0)
          groupNonZero[g] += 1;
      }
      double qTotal = total - tail[i]; // sum of the unfolded h[0..i)
      if (!(qTotal > 0))
        continue;
      double kl = 0;
      for (size_t k = 0; k < i && std::isfinite(kl); ++k) {
        double p = pAt(k);
        if (p == 0)
          continue;
        size_t g = size_t(uint64_t(k) * L / i);
        double q = groupMass[g] / groupNonZero[g];
        if (q == 0) {
          kl = std::numeric_limits<double>::infinity();
          break;
        }
        double pn = p / total, qn = q / qTotal;
        kl += pn * std::log(pn / qn);
      }
      if (kl < bestKL) {
        bestKL = kl;
        bestI = i;
      }
    }
    if (bestI)
      t = std::min((double(bestI) + 0.5) * binWidth(), amax);
  }
  if (positiveOnly)
    return {0.0, t};
  if (negativeOnly)
    return {-t, 0.0};
  return {-t, t};
}
