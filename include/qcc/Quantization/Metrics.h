//===- Metrics.h - How far a quantized model's outputs are ------*- C++ -*-===//

#ifndef QCC_QUANTIZATION_METRICS_H
#define QCC_QUANTIZATION_METRICS_H

#include "qcc/Interpreter/Interpreter.h"

namespace qcc::quantization {

/// Mean over rows of KL(softmax(reference) || softmax(model)), in nats, of
/// two [N, C] logits arrays of the same shape.
double meanSoftmaxKL(const interp::Tensor &reference,
                     const interp::Tensor &model);

} // namespace qcc::quantization

#endif // QCC_QUANTIZATION_METRICS_H
