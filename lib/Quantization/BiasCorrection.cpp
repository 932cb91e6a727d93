//===- BiasCorrection.cpp - Empirical bias correction ---------------------===//

#include "Steps.h"

#include "qcc/Dialect/QC/IR/QCConstants.h"
#include "qcc/Dialect/QC/IR/QCOps.h"

using namespace llvm;

namespace qcc::quantization {

/// Empirical bias correction (Nagel et al., "Data-Free Quantization", the
/// empirical variant): layer by layer in graph order, the mean error of the
/// quantized layer's output per output channel over the calibration set is
/// added to its bias, so that the quantized layer is unbiased given the
/// (already corrected) quantized layers before it.
Error correctBiases(mlir::func::FuncOp floatFunc, mlir::func::FuncOp quantFunc,
                    const std::vector<interp::Tensor> &inputs, int64_t batchSize,
                    llvm::StringMap<std::vector<double>> &corrections) {
  // Layers with a bias slot and quantized weights. Transposed convolutions
  // are not corrected.
  SmallVector<qc::WeightedLayerOpInterface> layersInOrder;
  quantFunc.walk([&](qc::WeightedLayerOpInterface layer) {
    if (layer.getBiasOperandIndex() && !isa<qc::ConvTransposeOp>(layer) &&
        layer.getWeightOperand().getDefiningOp<qc::DequantizeOp>())
      layersInOrder.push_back(layer);
  });
  for (qc::WeightedLayerOpInterface layer : layersInOrder) {
    mlir::Operation *op = layer;
    const std::string name = qc::getNodeName(op);
    auto outType = cast<mlir::RankedTensorType>(op->getResult(0).getType());
    const int64_t channelAxis = layer.getOutputChannelAxis();
    const int64_t channels = outType.getDimSize(channelAxis);
    if (mlir::ShapedType::isDynamic(channels))
      continue;
    std::vector<double> errorSum(channels, 0.0);
    int64_t perChannelCount = 0;
    if (auto error = compareLayers(
            floatFunc, quantFunc, inputs, batchSize,
            ("bias correction of " + name),
            [&](const std::string &layer, const interp::Tensor &f,
                const interp::Tensor &q) {
              if (layer != name)
                return;
              int64_t inner = 1;
              for (int64_t d = channelAxis + 1; d < f.rank(); ++d)
                inner *= f.shape[d];
              for (size_t k = 0; k < f.data.size(); ++k)
                errorSum[(k / inner) % channels] += f.data[k] - q.data[k];
              perChannelCount += f.numElements() / channels;
            }))
      return error;
    if (perChannelCount == 0)
      continue;
    // The bias operand: conv's bias, gemm's C (a vector, beta applied).
    const unsigned biasIndex = *layer.getBiasOperandIndex();
    std::vector<double> bias(channels, 0.0);
    double biasScale = 1.0;
    if (auto gemm = dyn_cast<qc::GemmOp>(op))
      biasScale = gemm.getBeta().convertToDouble();
    if (op->getNumOperands() > biasIndex) {
      auto values = qc::getF32Constant(op->getOperand(biasIndex));
      auto biasType =
          cast<mlir::RankedTensorType>(op->getOperand(biasIndex).getType());
      if (!values || biasType.getRank() != 1 ||
          (biasType.getDimSize(0) != channels && biasType.getDimSize(0) != 1))
        continue;
      for (int64_t c = 0; c < channels; ++c)
        bias[c] = (*values)[values->size() == 1 ? 0 : c];
    } else if (isa<qc::GemmOp>(op)) {
      biasScale = 1.0; // A new C with beta 1 below.
    }
    if (biasScale == 0)
      continue;
    std::vector<double> &delta = corrections[name];
    for (int64_t c = 0; c < channels; ++c) {
      delta.push_back(errorSum[c] / perChannelCount / biasScale);
      bias[c] += delta.back();
    }
    mlir::OpBuilder b(op);
    mlir::Value newBias = qc::createConstant(
        b, op->getLoc(),
        mlir::RankedTensorType::get({channels}, b.getF32Type()), bias,
        name + "_bias_corrected");
    if (op->getNumOperands() > biasIndex) {
      op->setOperand(biasIndex, newBias);
    } else if (auto conv = dyn_cast<qc::ConvOp>(op)) {
      conv.getBiasMutable().assign(newBias);
    } else if (auto gemm = dyn_cast<qc::GemmOp>(op)) {
      gemm.getCMutable().assign(newBias);
      gemm.setBetaAttr(b.getF32FloatAttr(1.0f));
    }
  }
  return Error::success();
}

} // namespace qcc::quantization
