//===- RoundingOptimization.cpp - Layer-wise weight rounding --------------===//

#include "Steps.h"

#include "qcc/Calibration/WeightRounding.h"
#include "qcc/Dialect/QC/IR/QCConstants.h"
#include "qcc/Dialect/QC/IR/QCOps.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Quant/IR/QuantTypes.h"

#include <functional>

using namespace llvm;

namespace qcc::quantization {

/// Layer-wise weight rounding (AdaRound-style, see WeightRounding.h): for
/// every integer-quantized conv (2-d), gemm and constant-weight matmul, the
/// second moment of its input vectors (im2col patches for convs, one per
/// group) is accumulated over the calibration set on the quantized model,
/// and each output channel's weights are re-rounded to minimise the
/// layer's output error. Returns the number of layers re-rounded.
Expected<int> optimizeWeightRounding(mlir::func::FuncOp floatFunc,
                                     mlir::func::FuncOp quantFunc,
                                     const std::vector<interp::Tensor> &inputs,
                                     int64_t batchSize) {
  struct Layer {
    mlir::Operation *op;
    std::vector<float> weights;       // float weights, original layout
    mlir::arith::ConstantOp codes;    // the integer weights to rewrite
    mlir::Type quantType;             // their !quant.uniform type
    int64_t channels, k, groups = 1;  // K: inputs per output channel
    std::vector<calib::SecondMoment> moments; // one per group
  };
  llvm::StringMap<std::vector<float>> floatWeights;
  floatFunc.walk([&](mlir::Operation *op) {
    if (isa<qc::WeightedLayerOpInterface>(op) && op->getNumOperands() > 1)
      if (auto w = qc::getF32Constant(op->getOperand(1)))
        floatWeights[qc::getNodeName(op)] = std::move(*w);
  });
  std::vector<Layer> layers;
  llvm::DenseMap<mlir::Value, std::vector<size_t>> readers;
  quantFunc.walk([&](mlir::Operation *op) {
    auto layer = dyn_cast<qc::WeightedLayerOpInterface>(op);
    if (!layer)
      return;
    auto dq = layer.getWeightOperand().getDefiningOp<qc::DequantizeOp>();
    auto cast = dq ? dq.getInput().getDefiningOp<qc::StorageCastOp>() : nullptr;
    auto codes = cast ? cast.getInput().getDefiningOp<mlir::arith::ConstantOp>()
                      : nullptr;
    auto it = floatWeights.find(qc::getNodeName(op));
    if (!codes || it == floatWeights.end() ||
        !isa<mlir::quant::QuantizedType>(
            cast.getOutput().getType().getElementType()))
      return;
    auto wType = cast.getOutput().getType();
    Layer l{op, it->second, codes, wType.getElementType(), 0, 0, 1, {}};
    if (auto conv = dyn_cast<qc::ConvOp>(op)) {
      if (wType.getRank() != 4)
        return;
      l.channels = wType.getDimSize(0);
      l.k = wType.getDimSize(1) * wType.getDimSize(2) * wType.getDimSize(3);
      l.groups = conv.getGroup();
    } else if (auto gemm = dyn_cast<qc::GemmOp>(op)) {
      if (gemm.getTransA())
        return;
      l.channels = wType.getDimSize(gemm.getTransB() ? 0 : 1);
      l.k = wType.getDimSize(gemm.getTransB() ? 1 : 0);
    } else if (isa<qc::MatMulOp>(op)) {
      if (wType.getRank() != 2)
        return;
      l.channels = wType.getDimSize(1);
      l.k = wType.getDimSize(0);
    } else {
      return; // conv_transpose: not optimised.
    }
    if (l.k > 4096)
      return; // K^2 statistics would be too large.
    for (int64_t g = 0; g < l.groups; ++g)
      l.moments.emplace_back(l.k);
    readers[op->getOperand(0)].push_back(layers.size());
    layers.push_back(std::move(l));
  });

  // Accumulate the input second moments on the quantized model.
  std::vector<double> patch;
  auto observe = [&](mlir::Value v, const interp::Tensor &t) {
    auto it = readers.find(v);
    if (it == readers.end())
      return;
    for (size_t index : it->second) {
      Layer &l = layers[index];
      if (auto conv = dyn_cast<qc::ConvOp>(l.op)) {
        if (t.rank() != 4)
          continue;
        const int64_t n = t.shape[0], c = t.shape[1], ih = t.shape[2],
                      iw = t.shape[3];
        auto w = conv.getWeight().getType();
        const int64_t cg = w.getDimSize(1), kh = w.getDimSize(2),
                      kw = w.getDimSize(3);
        auto st = conv.getStrides(), pd = conv.getPads(),
             dl = conv.getDilations();
        const int64_t oh = (ih + pd[0] + pd[2] - dl[0] * (kh - 1) - 1) / st[0] + 1;
        const int64_t ow = (iw + pd[1] + pd[3] - dl[1] * (kw - 1) - 1) / st[1] + 1;
        patch.assign(l.k, 0.0);
        for (int64_t b = 0; b < n; ++b)
          for (int64_t g = 0; g < l.groups; ++g)
            for (int64_t y = 0; y < oh; ++y)
              for (int64_t x = 0; x < ow; ++x) {
                int64_t p = 0;
                for (int64_t ci = 0; ci < cg; ++ci)
                  for (int64_t ky = 0; ky < kh; ++ky)
                    for (int64_t kx = 0; kx < kw; ++kx, ++p) {
                      const int64_t yy = y * st[0] - pd[0] + ky * dl[0];
                      const int64_t xx = x * st[1] - pd[1] + kx * dl[1];
                      patch[p] = (yy < 0 || yy >= ih || xx < 0 || xx >= iw)
                                     ? 0.0
                                     : t.data[((b * c + g * cg + ci) * ih + yy) *
                                                  iw +
                                              xx];
                    }
                l.moments[g].add(patch.data());
              }
      } else {
        // Rows of the (row-major) input: the last dimension is K.
        for (size_t row = 0; row + l.k <= t.data.size(); row += l.k)
          l.moments[0].add(&t.data[row]);
      }
    }
  };
  if (auto error = runBatches(quantFunc, inputs, batchSize, "weight rounding",
                                observe))
    return std::move(error);

  int rewritten = 0;
  for (Layer &l : layers) {
    auto q = cast<mlir::quant::QuantizedType>(l.quantType);
    // Index of weight (channel m, position j) in the original layout.
    std::function<size_t(int64_t, int64_t)> indexOf =
        [&](int64_t m, int64_t j) -> size_t { return m * l.k + j; };
    if (auto gemm = dyn_cast<qc::GemmOp>(l.op); gemm && !gemm.getTransB())
      indexOf = [&](int64_t m, int64_t j) -> size_t {
        return j * l.channels + m;
      };
    if (isa<qc::MatMulOp>(l.op))
      indexOf = [&](int64_t m, int64_t j) -> size_t {
        return j * l.channels + m;
      };
    // The scale and zero point of each weight (per tensor, channel or
    // group).
    auto params = qc::QuantParams::get(
        l.quantType,
        cast<mlir::RankedTensorType>(l.codes.getType()).getShape());
    if (!params) {
      consumeError(params.takeError());
      continue;
    }
    auto oldCodes = interp::decodeConstant(
        cast<mlir::ElementsAttr>(l.codes.getValue()));
    if (!oldCodes)
      return oldCodes.takeError();
    std::vector<double> newCodes = oldCodes->data;
    const int64_t perConvGroup = l.channels / l.groups;
    for (int64_t m = 0; m < l.channels; ++m) {
      std::vector<double> w(l.k), scales(l.k);
      std::vector<int64_t> zeroPoints(l.k);
      for (int64_t j = 0; j < l.k; ++j) {
        w[j] = l.weights[indexOf(m, j)];
        const qc::QuantParams::Element p = params->at(indexOf(m, j));
        scales[j] = p.scale;
        zeroPoints[j] = p.zeroPoint;
      }
      std::vector<int64_t> codes = calib::optimizeRounding(
          w, scales, zeroPoints, q.getStorageTypeMin(), q.getStorageTypeMax(),
          l.moments[m / perConvGroup]);
      for (int64_t j = 0; j < l.k; ++j)
        newCodes[indexOf(m, j)] = static_cast<double>(codes[j]);
    }
    mlir::OpBuilder b(l.codes);
    mlir::Value replacement = qc::createConstant(
        b, l.codes.getLoc(), cast<mlir::RankedTensorType>(l.codes.getType()),
        newCodes, qc::getNodeName(l.op) + "_rounded");
    l.codes.getResult().replaceAllUsesWith(replacement);
    l.codes.erase();
    ++rewritten;
  }
  return rewritten;
}

} // namespace qcc::quantization
