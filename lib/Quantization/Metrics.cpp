//===- Metrics.cpp - How far a quantized model's outputs are --------------===//

#include "qcc/Quantization/Metrics.h"

#include <algorithm>
#include <cmath>

/// Row `row` of [N, ...] logits, flattened past the batch, through softmax.
static std::vector<double> softmaxRow(const qcc::interp::Tensor &logits,
                                      int64_t row) {
  const int64_t c = logits.data.size() / logits.shape[0];
  double max = -INFINITY;
  for (int64_t j = 0; j < c; ++j)
    max = std::max(max, logits.data[row * c + j]);
  std::vector<double> p(c);
  double sum = 0;
  for (int64_t j = 0; j < c; ++j)
    sum += p[j] = std::exp(logits.data[row * c + j] - max);
  for (double &v : p)
    v /= sum;
  return p;
}

double qcc::quantization::meanSoftmaxKL(const interp::Tensor &reference,
                                        const interp::Tensor &model) {
  const int64_t n = reference.shape[0];
  double total = 0;
  for (int64_t i = 0; i < n; ++i) {
    std::vector<double> p = softmaxRow(reference, i), q = softmaxRow(model, i);
    for (size_t j = 0; j < p.size(); ++j)
      if (p[j] > 0)
        total += p[j] * (std::log(p[j]) - std::log(std::max(q[j], 1e-300)));
  }
  return total / n;
}

int64_t qcc::quantization::argmax(const interp::Tensor &logits, int64_t row) {
  const int64_t c = logits.data.size() / logits.shape[0];
  int64_t best = 0;
  for (int64_t j = 1; j < c; ++j)
    if (logits.data[row * c + j] > logits.data[row * c + best])
      best = j;
  return best;
}

int64_t qcc::quantization::countTop1Correct(const interp::Tensor &logits,
                                            llvm::ArrayRef<double> labels) {
  int64_t correct = 0;
  for (int64_t i = 0, n = logits.shape[0]; i < n; ++i)
    correct += argmax(logits, i) == static_cast<int64_t>(labels[i]);
  return correct;
}

/// The ranks of `v`'s values (0-based, ties get their average rank).
static std::vector<double> ranks(llvm::ArrayRef<double> v) {
  std::vector<size_t> order(v.size());
  for (size_t i = 0; i < v.size(); ++i)
    order[i] = i;
  std::sort(order.begin(), order.end(),
            [&](size_t x, size_t y) { return v[x] < v[y]; });
  std::vector<double> r(v.size());
  for (size_t i = 0; i < order.size();) {
    size_t j = i;
    while (j + 1 < order.size() && v[order[j + 1]] == v[order[i]])
      ++j;
    for (size_t k = i; k <= j; ++k)
      r[order[k]] = (i + j) / 2.0;
    i = j + 1;
  }
  return r;
}

double qcc::quantization::spearmanRankCorrelation(llvm::ArrayRef<double> a,
                                                  llvm::ArrayRef<double> b) {
  std::vector<double> ra = ranks(a), rb = ranks(b);
  const double n = a.size();
  double ma = 0, mb = 0;
  for (size_t i = 0; i < a.size(); ++i) {
    ma += ra[i] / n;
    mb += rb[i] / n;
  }
  double cov = 0, va = 0, vb = 0;
  for (size_t i = 0; i < a.size(); ++i) {
    cov += (ra[i] - ma) * (rb[i] - mb);
    va += (ra[i] - ma) * (ra[i] - ma);
    vb += (rb[i] - mb) * (rb[i] - mb);
  }
  return va > 0 && vb > 0 ? cov / std::sqrt(va * vb) : 0.0;
}

qcc::quantization::Comparison
qcc::quantization::compareValues(llvm::ArrayRef<double> actual,
                                 llvm::ArrayRef<double> expected, double atol,
                                 double rtol) {
  Comparison result;
  for (size_t i = 0; i < actual.size(); ++i) {
    const double a = actual[i], b = expected[i], error = std::fabs(a - b);
    // NaN matches only NaN; equal infinities match (their difference is NaN).
    const bool ok = std::isnan(b) ? std::isnan(a)
                                  : a == b || error <= atol + rtol * std::fabs(b);
    if (!ok)
      ++result.outside;
    if (!std::isnan(error))
      result.maxAbsError = std::max(result.maxAbsError, error);
  }
  return result;
}
