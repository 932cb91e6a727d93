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
