//===- Report.cpp - Per-layer formats, weight bytes and SQNR --------------===//

#include "Steps.h"

#include "qcc/Dialect/QC/IR/QCConstants.h"
#include "qcc/Dialect/QC/IR/QCOps.h"
#include "qcc/Dialect/QC/IR/QCTypes.h"
#include "qcc/Interpreter/Model.h"
#include "qcc/Numerics/Minifloat.h"
#include "qcc/Numerics/Packing.h"
#include "qcc/Numerics/Quantize.h"

#include "mlir/Dialect/Quant/IR/QuantTypes.h"

using namespace llvm;

namespace qcc::quantization {
namespace {

/// A quantized tensor's format, for the report.
std::string formatOf(mlir::Type type) {
  if (auto f = dyn_cast<qc::ScaledFloatType>(type))
    return interp::typeString(f.getStorageType()) +
           (f.isPerAxis() ? " per-channel" : "");
  auto q = dyn_cast<mlir::quant::QuantizedType>(type);
  if (!q)
    return interp::typeString(type);
  std::string s = (q.isSigned() ? "int" : "uint") +
                  std::to_string(q.getStorageTypeIntegralWidth());
  if (isa<mlir::quant::UniformQuantizedPerAxisType>(q))
    s += " per-channel";
  if (auto group = dyn_cast<mlir::quant::UniformQuantizedSubChannelType>(q))
    s += " per-group(" + std::to_string(group.getBlockSizes().back()) + ")";
  return s;
}

/// Bytes a layer's weight operand takes in storage: packed codes (rows per
/// output channel, as qc-pack-weights lays them out) plus f32 scales and
/// int8 zero points (when any is not 0); block-scaled weights
/// (qc.block_weights): codes plus one scale byte per block (and NVFP4's f32
/// tensor scale); f32 weights 4 bytes each. Also returns the f32 size.
std::pair<int64_t, int64_t> weightStorageBytes(mlir::Operation *op) {
  if (op->getNumOperands() < 2)
    return {0, 0};
  mlir::Value w = op->getOperand(1);
  auto type = dyn_cast<mlir::RankedTensorType>(w.getType());
  if (!type || !type.hasStaticShape())
    return {0, 0};
  const int64_t elements = type.getNumElements();
  const int64_t asFloat = 4 * elements;
  if (auto block = op->getAttrOfType<mlir::StringAttr>(
          qc::QCDialect::BlockWeightsAttrHelper::getNameStr()))
    if (auto format = numerics::parseBlockFormat(block.getValue())) {
      const unsigned bits =
          numerics::getMinifloatFormat(format->elementKind).bits();
      const int64_t blocks = (elements + format->blockSize - 1) /
                             static_cast<int64_t>(format->blockSize);
      const bool nv = format->scaleKind == numerics::MinifloatKind::F8E4M3FN;
      return {(elements * bits + 7) / 8 + blocks + (nv ? 4 : 0), asFloat};
    }
  auto dq = w.getDefiningOp<qc::DequantizeOp>();
  if (!dq)
    return {qc::getF32Constant(w) ? asFloat : 0, asFloat};
  mlir::Type quantized = dq.getInput().getType().getElementType();
  const int64_t channel = cast<qc::WeightedLayerOpInterface>(op).getWeightChannelAxis();
  const int64_t rows =
      channel >= 0 && channel < type.getRank() ? type.getDimSize(channel) : 1;
  const int64_t rowLength = elements / std::max<int64_t>(rows, 1);
  unsigned bits = 8;
  if (auto q = dyn_cast<mlir::quant::QuantizedType>(quantized))
    bits = q.getStorageTypeIntegralWidth();
  else if (auto f = dyn_cast<qc::ScaledFloatType>(quantized))
    bits = f.getStorageType().getWidth();
  int64_t bytes = bits <= 8
                      ? rows * static_cast<int64_t>(
                                   numerics::packedRowBytes(bits, rowLength))
                      : elements * ((bits + 7) / 8);
  std::vector<int64_t> zeroPoints;
  int64_t scales = 1;
  if (auto t = dyn_cast<mlir::quant::UniformQuantizedPerAxisType>(quantized)) {
    scales = t.getScales().size();
    zeroPoints.assign(t.getZeroPoints().begin(), t.getZeroPoints().end());
  } else if (auto t = dyn_cast<mlir::quant::UniformQuantizedSubChannelType>(
                 quantized)) {
    scales = t.getScales().getNumElements();
    for (const llvm::APInt &z : t.getZeroPoints().getValues<llvm::APInt>())
      zeroPoints.push_back(z.getSExtValue());
  } else if (auto t = dyn_cast<mlir::quant::UniformQuantizedType>(quantized)) {
    zeroPoints.push_back(t.getZeroPoint());
  } else if (auto t = dyn_cast<qc::ScaledFloatType>(quantized)) {
    scales = t.getScales().size();
  }
  bytes += 4 * scales;
  if (llvm::any_of(zeroPoints, [](int64_t z) { return z != 0; }))
    bytes += static_cast<int64_t>(zeroPoints.size());
  return {bytes, asFloat};
}

} // namespace

std::vector<LayerReport> describeLayers(mlir::func::FuncOp func) {
  std::vector<LayerReport> layers;
  func.walk([&](mlir::Operation *op) {
    if (!isa<qc::WeightedLayerOpInterface>(op))
      return;
    LayerReport r;
    r.name = qc::getNodeName(op);
    r.op = op->getName().getStringRef().str();
    r.weightFormat = r.actFormat = "float";
    if (auto block = op->getAttrOfType<mlir::StringAttr>(
            qc::QCDialect::BlockWeightsAttrHelper::getNameStr()))
      r.weightFormat = block.getValue().str();
    if (op->getNumOperands() > 1)
      if (auto dq = op->getOperand(1).getDefiningOp<qc::DequantizeOp>()) {
        mlir::Type t = dq.getInput().getType().getElementType();
        r.weightFormat = formatOf(t);
        if (auto f = dyn_cast<qc::ScaledFloatType>(t))
          r.weightScales.assign(f.getScales().asArrayRef().begin(),
                                f.getScales().asArrayRef().end());
        else if (auto axis =
                     dyn_cast<mlir::quant::UniformQuantizedPerAxisType>(t))
          r.weightScales.assign(axis.getScales().begin(),
                                axis.getScales().end());
        else if (auto uniform = dyn_cast<mlir::quant::UniformQuantizedType>(t))
          r.weightScales = {uniform.getScale()};
      }
    if (auto dq = op->getOperand(0).getDefiningOp<qc::DequantizeOp>())
      if (auto q = dq.getInput().getDefiningOp<qc::QuantizeOp>()) {
        auto t = dyn_cast<mlir::quant::UniformQuantizedType>(
            q.getOutput().getType().getElementType());
        if (t) {
          r.hasAct = true;
          r.actFormat = formatOf(t);
          r.actScale = t.getScale();
          r.actZeroPoint = t.getZeroPoint();
        }
        mlir::Value src = q.getInput();
        mlir::DenseF64ArrayAttr range;
        if (auto arg = dyn_cast<mlir::BlockArgument>(src))
          range = func.getArgAttrOfType<mlir::DenseF64ArrayAttr>(
              arg.getArgNumber(),
              qc::QCDialect::ActRangeAttrHelper::getNameStr());
        else
          range = src.getDefiningOp()->getAttrOfType<mlir::DenseF64ArrayAttr>(
              qc::QCDialect::ActRangeAttrHelper::getNameStr());
        if (range) {
          r.rangeLo = range[0];
          r.rangeHi = range[1];
        }
      }
    std::tie(r.weightBytes, r.floatWeightBytes) = weightStorageBytes(op);
    layers.push_back(r);
  });
  return layers;
}

Error measureSQNR(mlir::func::FuncOp floatFunc, mlir::func::FuncOp quantFunc,
                  const std::vector<interp::Tensor> &inputs, int64_t batchSize,
                  std::vector<LayerReport> &layers) {
  llvm::StringMap<size_t> layerIndex;
  for (auto [i, r] : llvm::enumerate(layers))
    layerIndex[r.name] = i;
  return compareLayers(floatFunc, quantFunc, inputs, batchSize,
                       "measuring SQNR",
                       [&](const std::string &layer, const interp::Tensor &f,
                           const interp::Tensor &q) {
                         auto it = layerIndex.find(layer);
                         if (it == layerIndex.end())
                           return;
                         LayerReport &r = layers[it->second];
                         for (size_t k = 0; k < f.data.size(); ++k) {
                           r.signal += f.data[k] * f.data[k];
                           const double e = f.data[k] - q.data[k];
                           r.noise += e * e;
                         }
                       });
}

} // namespace qcc::quantization
