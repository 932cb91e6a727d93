//===- Metrics.h - How far a quantized model's outputs are ------*- C++ -*-===//

#ifndef QCC_QUANTIZATION_METRICS_H
#define QCC_QUANTIZATION_METRICS_H

#include "qcc/Interpreter/Interpreter.h"

#include "llvm/ADT/ArrayRef.h"

#include <vector>

namespace qcc::quantization {

/// Mean over rows of KL(softmax(reference) || softmax(model)), in nats, of
/// two [N, C] logits arrays of the same shape.
double meanSoftmaxKL(const interp::Tensor &reference,
                     const interp::Tensor &model);

/// The class of row `row` of [N, ...] logits (flattened past the batch):
/// the index of its largest value, the first on ties.
int64_t argmax(const interp::Tensor &logits, int64_t row);

/// How many rows of [N, ...] logits have their argmax at `labels[row]`.
int64_t countTop1Correct(const interp::Tensor &logits,
                         llvm::ArrayRef<double> labels);

/// Spearman's rank correlation of two samples of the same size (average
/// ranks for ties; 0 when either is constant).
double spearmanRankCorrelation(llvm::ArrayRef<double> a,
                               llvm::ArrayRef<double> b);

/// Element-wise comparison of `actual` with `expected` (same size): a value
/// matches when |a - b| <= atol + rtol * |b|, NaN matches only NaN and equal
/// infinities match.
struct Comparison {
  size_t outside = 0;     // values that do not match
  double maxAbsError = 0; // over the values whose error is not NaN
};
Comparison compareValues(llvm::ArrayRef<double> actual,
                         llvm::ArrayRef<double> expected, double atol,
                         double rtol);

} // namespace qcc::quantization

#endif // QCC_QUANTIZATION_METRICS_H
