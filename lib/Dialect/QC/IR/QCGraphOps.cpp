//===- QCGraphOps.cpp - Verifiers and queries of the qc graph-level ops ---===//

#include "qcc/Dialect/QC/IR/QCOps.h"

#include "mlir/IR/BuiltinTypes.h"

using namespace mlir;
using namespace qcc::qc;

bool qcc::qc::isWeightedLayer(Operation *op) {
  return isa<ConvOp, ConvTransposeOp, GemmOp, MatMulOp>(op);
}

int64_t qcc::qc::getWeightChannelAxis(Operation *op) {
  if (isa<ConvTransposeOp>(op))
    return 1;
  if (auto gemm = dyn_cast<GemmOp>(op))
    return gemm.getTransB() ? 0 : 1;
  if (auto matmul = dyn_cast<MatMulOp>(op))
    return cast<ShapedType>(matmul.getRhs().getType()).getRank() - 1;
  return 0; // conv: [M, C / group, K1, ...]
}

double qcc::qc::getMultiplyAddsPerSample(Operation *op) {
  auto perSample = [](Value v) {
    double n = 1;
    auto type = cast<ShapedType>(v.getType());
    for (int64_t d = 1; d < type.getRank(); ++d)
      n *= type.isDynamicDim(d) ? 1 : type.getDimSize(d);
    return n;
  };
  if (!isWeightedLayer(op))
    return 0;
  auto w = cast<ShapedType>(op->getOperand(1).getType());
  // Every weight feeds each element of the output per input channel
  // position: weights per output channel = the reduction length (conv:
  // C/g x K1 x ...; gemm/matmul: K). A transposed convolution instead
  // spreads every input element over C_out/g x K1 x ... outputs.
  const double perChannel = static_cast<double>(w.getNumElements()) /
                            w.getDimSize(getWeightChannelAxis(op));
  if (auto convT = dyn_cast<ConvTransposeOp>(op))
    return perSample(convT.getInput()) * w.getNumElements() / w.getDimSize(0);
  if (auto matmul = dyn_cast<MatMulOp>(op)) // batched: K per output
    return perSample(op->getResult(0)) * w.getDimSize(w.getRank() - 2);
  return perSample(op->getResult(0)) * perChannel;
}

std::string qcc::qc::getNodeName(Operation *op) {
  if (auto name = dyn_cast<NameLoc>(op->getLoc()))
    return name.getName().str();
  return op->getName().getStringRef().str();
}

bool qcc::qc::isKeptFloat(Operation *op, ArrayRef<std::string> keepFloat) {
  return llvm::is_contained(keepFloat, getNodeName(op)) ||
         llvm::is_contained(keepFloat, op->getName().getStringRef().str());
}

/// Checks the convolution attributes against `spatialRank`.
static LogicalResult verifyWindowAttrs(Operation *op, int64_t spatialRank,
                                       ArrayRef<int64_t> strides,
                                       ArrayRef<int64_t> pads,
                                       ArrayRef<int64_t> dilations) {
  if (static_cast<int64_t>(strides.size()) != spatialRank ||
      static_cast<int64_t>(dilations.size()) != spatialRank ||
      static_cast<int64_t>(pads.size()) != 2 * spatialRank)
    return op->emitOpError()
           << "expected " << spatialRank << " strides, " << spatialRank
           << " dilations and " << 2 * spatialRank
           << " pads for a tensor with " << spatialRank
           << " spatial dimensions, got " << strides.size() << ", "
           << dilations.size() << " and " << pads.size();
  if (llvm::any_of(strides, [](int64_t s) { return s < 1; }) ||
      llvm::any_of(dilations, [](int64_t d) { return d < 1; }))
    return op->emitOpError() << "strides and dilations must be positive";
  return success();
}

/// Shared checks of qc.conv and qc.conv_transpose. `weightChannelDim` is the
/// weight dimension that holds the input channels (divided by `group`).
static LogicalResult verifyConvLike(Operation *op, RankedTensorType input,
                                    RankedTensorType weight, Value bias,
                                    ArrayRef<int64_t> strides,
                                    ArrayRef<int64_t> pads,
                                    ArrayRef<int64_t> dilations, int64_t group,
                                    bool transposed) {
  if (input.getRank() < 3)
    return op->emitOpError() << "expected an input of rank >= 3 ([N, C, D1, "
                                "...]), got rank "
                             << input.getRank();
  if (weight.getRank() != input.getRank())
    return op->emitOpError() << "weight rank " << weight.getRank()
                             << " differs from input rank " << input.getRank();
  if (group < 1)
    return op->emitOpError() << "group must be positive, got " << group;
  if (failed(verifyWindowAttrs(op, input.getRank() - 2, strides, pads,
                               dilations)))
    return failure();
  const int64_t channels = input.getDimSize(1);
  // Conv: W is [M, C/group, ...]; ConvTranspose: W is [C, M/group, ...].
  const int64_t weightChannels =
      transposed ? weight.getDimSize(0) : weight.getDimSize(1) * group;
  if (!ShapedType::isDynamic(channels) &&
      !ShapedType::isDynamic(weightChannels) && channels != weightChannels)
    return op->emitOpError() << "input has " << channels
                             << " channels but the weight expects "
                             << weightChannels << " (group " << group << ")";
  if (bias) {
    auto biasType = cast<RankedTensorType>(bias.getType());
    if (biasType.getRank() != 1)
      return op->emitOpError() << "bias must have rank 1, got rank "
                               << biasType.getRank();
  }
  return success();
}

LogicalResult ConvOp::verify() {
  return verifyConvLike(*this, getInput().getType(), getWeight().getType(),
                        getBias(), getStrides(), getPads(), getDilations(),
                        getGroup(), /*transposed=*/false);
}

LogicalResult ConvTransposeOp::verify() {
  if (failed(verifyConvLike(*this, getInput().getType(), getWeight().getType(),
                            getBias(), getStrides(), getPads(), getDilations(),
                            getGroup(), /*transposed=*/true)))
    return failure();
  if (static_cast<int64_t>(getOutputPadding().size()) !=
      getInput().getType().getRank() - 2)
    return emitOpError() << "expected one output_padding per spatial "
                            "dimension, got "
                         << getOutputPadding().size();
  return success();
}

LogicalResult ClipOp::verify() {
  for (Value bound : {getMin(), getMax()}) {
    if (!bound)
      continue;
    auto type = cast<RankedTensorType>(bound.getType());
    if (type.getRank() != 0 ||
        type.getElementType() != getInput().getType().getElementType())
      return emitOpError() << "bounds must be rank-0 tensors of the input's "
                              "element type, got "
                           << type;
  }
  return success();
}

LogicalResult SoftmaxOp::verify() {
  const int64_t rank = getInput().getType().getRank();
  if (getAxis() >= static_cast<uint64_t>(rank))
    return emitOpError() << "axis " << getAxis()
                         << " is out of range for rank " << rank;
  return success();
}

LogicalResult ReshapeOp::verify() {
  auto input = getInput().getType();
  auto output = getOutput().getType();
  if (output.getNumDynamicDims() > 1)
    return emitOpError() << "at most one result dimension may be dynamic, got "
                         << output;
  if (input.hasStaticShape() && output.hasStaticShape() &&
      input.getNumElements() != output.getNumElements())
    return emitOpError() << "cannot reshape " << input.getNumElements()
                         << " elements into " << output;
  return success();
}

LogicalResult TransposeOp::verify() {
  auto input = getInput().getType();
  auto output = getOutput().getType();
  ArrayRef<int64_t> perm = getPerm();
  if (static_cast<int64_t>(perm.size()) != input.getRank() ||
      output.getRank() != input.getRank())
    return emitOpError() << "perm has " << perm.size()
                         << " entries for rank " << input.getRank();
  SmallVector<bool> seen(perm.size(), false);
  for (auto [i, p] : llvm::enumerate(perm)) {
    if (p < 0 || p >= input.getRank() || seen[p])
      return emitOpError() << "perm is not a permutation of [0, "
                           << input.getRank() << ")";
    seen[p] = true;
    if (!ShapedType::isDynamic(output.getDimSize(i)) &&
        !ShapedType::isDynamic(input.getDimSize(p)) &&
        output.getDimSize(i) != input.getDimSize(p))
      return emitOpError() << "result dimension " << i << " is "
                           << output.getDimSize(i) << " but input dimension "
                           << p << " is " << input.getDimSize(p);
  }
  return success();
}
