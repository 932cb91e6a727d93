//===- Equalize.cpp - Cross-layer equalization of convolutions ------------===//

#include "qcc/Dialect/QC/IR/QCConstants.h"
#include "qcc/Dialect/QC/IR/QCOps.h"
#include "qcc/Dialect/QC/Transforms/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/IR/PatternMatch.h"

#include <cmath>

namespace qcc::qc {
#define GEN_PASS_DEF_QCEQUALIZE
#include "qcc/Dialect/QC/Transforms/Passes.h.inc"
} // namespace qcc::qc

using namespace mlir;
using namespace qcc::qc;

namespace {

/// conv2 reached from conv1 through a ReLU and an optional max pool, each
/// step the single user of the previous value.
ConvOp followingConv(ConvOp conv1) {
  Value v = conv1.getResult();
  if (!v.hasOneUse())
    return {};
  auto relu = dyn_cast<ReluOp>(*v.getUsers().begin());
  if (!relu || !relu.getResult().hasOneUse())
    return {};
  Value chain = relu.getResult();
  Operation *next = *chain.getUsers().begin();
  if (auto pool = dyn_cast<MaxPoolOp>(next)) {
    if (!pool.getResult().hasOneUse())
      return {};
    chain = pool.getResult();
    next = *chain.getUsers().begin();
  }
  // The chain must be conv2's input, not its weight or bias.
  auto conv2 = dyn_cast<ConvOp>(next);
  if (!conv2 || conv2.getInput() != chain)
    return {};
  return conv2;
}

/// Equalizes one pair; returns true if it changed the weights.
bool equalize(ConvOp conv1, ConvOp conv2) {
  if (conv1.getGroup() != 1 || conv2.getGroup() != 1)
    return false;
  auto w1 = getF32Constant(conv1.getWeight());
  auto w2 = getF32Constant(conv2.getWeight());
  std::optional<std::vector<float>> b1;
  if (conv1.getBias()) {
    b1 = getF32Constant(conv1.getBias());
    if (!b1)
      return false;
  }
  if (!w1 || !w2)
    return false;
  auto t1 = conv1.getWeight().getType(), t2 = conv2.getWeight().getType();
  const int64_t channels = t1.getDimSize(0);
  if (t2.getDimSize(1) != channels)
    return false;
  const int64_t inner1 = t1.getNumElements() / channels;
  const int64_t outer2 = t2.getDimSize(0);
  const int64_t inner2 = t2.getNumElements() / (outer2 * channels);
  std::vector<double> scale(channels, 1.0);
  bool changed = false;
  for (int64_t c = 0; c < channels; ++c) {
    double r1 = 0, r2 = 0;
    for (int64_t i = 0; i < inner1; ++i)
      r1 = std::max(r1, std::fabs(double((*w1)[c * inner1 + i])));
    for (int64_t m = 0; m < outer2; ++m)
      for (int64_t i = 0; i < inner2; ++i)
        r2 = std::max(r2, std::fabs(double(
                              (*w2)[(m * channels + c) * inner2 + i])));
    if (r1 > 0 && r2 > 0) {
      scale[c] = std::sqrt(r1 / r2);
      changed |= scale[c] != 1.0;
    }
  }
  if (!changed)
    return false;
  std::vector<double> n1(w1->size()), n2(w2->size());
  for (int64_t c = 0; c < channels; ++c)
    for (int64_t i = 0; i < inner1; ++i)
      n1[c * inner1 + i] = (*w1)[c * inner1 + i] / scale[c];
  for (int64_t m = 0; m < outer2; ++m)
    for (int64_t c = 0; c < channels; ++c)
      for (int64_t i = 0; i < inner2; ++i) {
        const int64_t index = (m * channels + c) * inner2 + i;
        n2[index] = (*w2)[index] * scale[c];
      }
  OpBuilder b1Builder(conv1);
  conv1.getWeightMutable().assign(createConstant(
      b1Builder, conv1.getWeight().getLoc(), t1, n1,
      derivedConstantName(conv1.getWeight(), "_eq", "equalized")));
  if (b1) {
    std::vector<double> nb(channels);
    for (int64_t c = 0; c < channels; ++c)
      nb[c] = (*b1)[c] / scale[c];
    conv1.getBiasMutable().assign(createConstant(
        b1Builder, conv1.getBias().getLoc(),
        cast<RankedTensorType>(conv1.getBias().getType()), nb,
        derivedConstantName(conv1.getWeight(), "_eq_bias", "equalized")));
  }
  OpBuilder b2Builder(conv2);
  conv2.getWeightMutable().assign(createConstant(
      b2Builder, conv2.getWeight().getLoc(), t2, n2,
      derivedConstantName(conv2.getWeight(), "_eq", "equalized")));
  return true;
}

struct QCEqualizePass : qcc::qc::impl::QCEqualizeBase<QCEqualizePass> {
  void runOnOperation() override {
    SmallVector<std::pair<ConvOp, ConvOp>> pairs;
    getOperation()->walk([&](ConvOp conv1) {
      if (ConvOp conv2 = followingConv(conv1))
        pairs.push_back({conv1, conv2});
    });
    // In graph order: a conv equalized as conv2 is rescaled again as conv1
    // of the next pair, which is correct (scalings compose).
    for (auto [conv1, conv2] : pairs)
      equalize(conv1, conv2);
    // The replaced weights.
    SmallVector<Operation *> dead;
    getOperation()->walk([&](arith::ConstantOp c) {
      if (c->use_empty())
        dead.push_back(c);
    });
    for (Operation *op : dead)
      op->erase();
  }
};

} // namespace
