//===- QCGraphOps.cpp - Verifiers and queries of the qc graph-level ops ---===//

#include "qcc/Dialect/QC/IR/QCOps.h"

#include "qcc/Numerics/Rounding.h"

#include "mlir/Dialect/Quant/IR/QuantTypes.h"
#include "mlir/IR/BuiltinTypes.h"
#include "llvm/Support/CheckedArithmetic.h"

#include <algorithm>
#include <cmath>
#include <cstring>

using namespace mlir;
using namespace qcc::qc;

#include "qcc/Dialect/QC/IR/QCInterfaces.cpp.inc"

//===----------------------------------------------------------------------===//
// WeightedLayerOpInterface
//===----------------------------------------------------------------------===//

// conv: weight [M, C / group, K1, ...], bias [M], output [N, M, D1, ...].
std::optional<unsigned> ConvOp::getBiasOperandIndex() { return 2; }
int64_t ConvOp::getWeightChannelAxis() { return 0; }
int64_t ConvOp::getWeightReductionAxis() { return 1; }
int64_t ConvOp::getOutputChannelAxis() { return 1; }

// conv_transpose: weight [C, M / group, K1, ...], output [N, M, D1, ...].
std::optional<unsigned> ConvTransposeOp::getBiasOperandIndex() { return 2; }
int64_t ConvTransposeOp::getWeightChannelAxis() { return 1; }
int64_t ConvTransposeOp::getWeightReductionAxis() { return 0; }
int64_t ConvTransposeOp::getOutputChannelAxis() { return 1; }

// gemm: B is [K, N], or [N, K] with trans_b; C broadcasts to [M, N].
std::optional<unsigned> GemmOp::getBiasOperandIndex() { return 2; }
int64_t GemmOp::getWeightChannelAxis() { return getTransB() ? 0 : 1; }
int64_t GemmOp::getWeightReductionAxis() { return getTransB() ? 1 : 0; }
int64_t GemmOp::getOutputChannelAxis() { return 1; }

// matmul: rhs [..., K, N]; both operands are activations (a bias is a
// separate qc.add).
std::optional<unsigned> MatMulOp::getBiasOperandIndex() { return std::nullopt; }
SmallVector<unsigned> MatMulOp::getActivationOperandIndices() { return {0, 1}; }
int64_t MatMulOp::getWeightChannelAxis() {
  return getRhs().getType().getRank() - 1;
}
int64_t MatMulOp::getWeightReductionAxis() {
  return getRhs().getType().getRank() - 2;
}
int64_t MatMulOp::getOutputChannelAxis() {
  return getOutput().getType().getRank() - 1;
}

double qcc::qc::getMultiplyAddsPerSample(Operation *op) {
  auto perSample = [](Value v) {
    double n = 1;
    auto type = cast<ShapedType>(v.getType());
    for (int64_t d = 1; d < type.getRank(); ++d)
      n *= type.isDynamicDim(d) ? 1 : type.getDimSize(d);
    return n;
  };
  auto layer = dyn_cast<WeightedLayerOpInterface>(op);
  if (!layer)
    return 0;
  auto w = cast<ShapedType>(layer.getWeightOperand().getType());
  // Every weight feeds each element of the output per input channel
  // position: weights per output channel = the reduction length (conv:
  // C/g x K1 x ...; gemm/matmul: K). A transposed convolution instead
  // spreads every input element over C_out/g x K1 x ... outputs.
  const double perChannel = static_cast<double>(w.getNumElements()) /
                            w.getDimSize(layer.getWeightChannelAxis());
  if (auto convT = dyn_cast<ConvTransposeOp>(op))
    return perSample(convT.getInput()) * w.getNumElements() / w.getDimSize(0);
  if (auto matmul = dyn_cast<MatMulOp>(op)) // batched: K per output
    return perSample(op->getResult(0)) *
           w.getDimSize(w.getRank() == 1 ? 0 : w.getRank() - 2); // 1-d: [K]
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

//===----------------------------------------------------------------------===//
// Shape helpers shared by the verifiers
//===----------------------------------------------------------------------===//
//
// A dynamic size (`?`) matches any size: the verifiers only compare sizes
// that are static on both sides, so that a dynamic batch stays legal.

static bool isStaticMismatch(int64_t a, int64_t b) {
  return !ShapedType::isDynamic(a) && !ShapedType::isDynamic(b) && a != b;
}

/// The sizes of `a`, with the dynamic ones replaced by those of `b`.
static SmallVector<int64_t> refineShape(ArrayRef<int64_t> a,
                                        ArrayRef<int64_t> b) {
  SmallVector<int64_t> shape(a);
  for (auto [size, other] : llvm::zip(shape, b))
    if (ShapedType::isDynamic(size))
      size = other;
  return shape;
}

static LogicalResult verifyRank(Operation *op, StringRef name, ShapedType type,
                                int64_t rank) {
  if (type.getRank() == rank)
    return success();
  return op->emitOpError() << name << " must have rank " << rank
                           << ", got rank " << type.getRank();
}

/// `layout` documents the dimensions, e.g. "[N, C, D1, ...]".
static LogicalResult verifyMinRank(Operation *op, StringRef name,
                                   ShapedType type, int64_t minRank,
                                   StringRef layout) {
  if (type.getRank() >= minRank)
    return success();
  return op->emitOpError() << "expected " << name << " of rank >= " << minRank
                           << " (" << layout << "), got rank "
                           << type.getRank();
}

/// Fails with "<what>: <aName> dim <i> is <x> but <bName> dim <j> is <y>"
/// when both sizes are static and differ.
static LogicalResult verifyDimsMatch(Operation *op, StringRef what,
                                     StringRef aName, ShapedType a, int64_t i,
                                     StringRef bName, ShapedType b,
                                     int64_t j) {
  if (!isStaticMismatch(a.getDimSize(i), b.getDimSize(j)))
    return success();
  return op->emitOpError() << what << ": " << aName << " dim " << i << " is "
                           << a.getDimSize(i) << " but " << bName << " dim "
                           << j << " is " << b.getDimSize(j);
}

/// Fails unless `a` and `b` have the same rank and compatible sizes.
static LogicalResult verifySameShape(Operation *op, StringRef aName,
                                     ShapedType a, StringRef bName,
                                     ShapedType b) {
  if (a.getRank() != b.getRank())
    return op->emitOpError() << aName << " rank " << a.getRank()
                             << " differs from " << bName << " rank "
                             << b.getRank();
  for (int64_t d = 0; d < a.getRank(); ++d)
    if (failed(verifyDimsMatch(op, "shape mismatch", aName, a, d, bName, b, d)))
      return failure();
  return success();
}

/// Fails unless `result` has the shape `expected` that `source` (the op's
/// semantics, e.g. "the convolution") gives; dynamic sizes of either match
/// anything.
static LogicalResult verifyResultShape(Operation *op, ShapedType result,
                                       ArrayRef<int64_t> expected,
                                       StringRef source) {
  if (result.getRank() != static_cast<int64_t>(expected.size()))
    return op->emitOpError() << "result has rank " << result.getRank()
                             << " but " << source << " gives rank "
                             << expected.size();
  for (auto [d, size] : llvm::enumerate(expected))
    if (isStaticMismatch(result.getDimSize(d), size))
      return op->emitOpError() << "result dim " << d << " is "
                               << result.getDimSize(d) << " but " << source
                               << " gives " << size;
  return success();
}

/// True if data movement may turn elements of type `from` into `to`: the
/// same type, or quantized types of one storage and expressed type (moving
/// data moves a per-axis type's axis, reshaping may make it per tensor).
static bool isSameElementKind(Type from, Type to) {
  if (from == to)
    return true;
  auto fromQuant = dyn_cast<quant::QuantizedType>(from);
  auto toQuant = dyn_cast<quant::QuantizedType>(to);
  return fromQuant && toQuant &&
         fromQuant.getStorageType() == toQuant.getStorageType() &&
         fromQuant.getExpressedType() == toQuant.getExpressedType();
}

/// Data movement keeps the element type.
static LogicalResult verifySameElementKind(Operation *op, StringRef name,
                                           ShapedType type, ShapedType result) {
  if (isSameElementKind(type.getElementType(), result.getElementType()))
    return success();
  return op->emitOpError() << "result element type " << result.getElementType()
                           << " differs from " << name << " element type "
                           << type.getElementType();
}

/// Fails unless `axis` indexes a dimension of a tensor of rank `rank`.
static LogicalResult verifyAxis(Operation *op, int64_t axis, int64_t rank,
                                StringRef name) {
  if (axis >= 0 && axis < rank)
    return success();
  return op->emitOpError() << "axis " << axis << " is out of range for "
                           << name << " rank " << rank;
}

namespace {
/// A shape and the name diagnostics give it.
struct NamedShape {
  StringRef name;
  ArrayRef<int64_t> shape;
};
} // namespace

/// The NumPy broadcast of `shapes` (aligned at their last dimension), or a
/// failure "<what>: <a> dim <i> is <x> but <b> dim <j> is <y>". A dynamic
/// size broadcasts with a static one to the static one (it must be 1 or
/// equal at run time) and with 1 or another dynamic one to dynamic.
static FailureOr<SmallVector<int64_t>>
broadcastShapes(Operation *op, StringRef what, ArrayRef<NamedShape> shapes) {
  size_t rank = 0;
  for (const NamedShape &s : shapes)
    rank = std::max(rank, s.shape.size());
  SmallVector<int64_t> result(rank, 1);
  // The operand whose size result[d] is, for diagnostics.
  SmallVector<size_t> from(rank, 0);
  for (auto [k, s] : llvm::enumerate(shapes)) {
    const size_t offset = rank - s.shape.size();
    for (auto [i, size] : llvm::enumerate(s.shape)) {
      int64_t &out = result[offset + i];
      if (size == 1)
        continue;
      if (out == 1 ||
          (ShapedType::isDynamic(out) && !ShapedType::isDynamic(size))) {
        out = size;
        from[offset + i] = k;
        continue;
      }
      if (!isStaticMismatch(out, size))
        continue;
      const NamedShape &other = shapes[from[offset + i]];
      op->emitOpError() << what << ": " << other.name << " dim "
                        << offset + i - (rank - other.shape.size()) << " is "
                        << out << " but " << s.name << " dim " << i << " is "
                        << size;
      return failure();
    }
  }
  return result;
}

/// ONNX unidirectional broadcasting: fails unless `type` broadcasts to
/// `target` without changing it. `target` is the dimensions of `targetName`
/// from `targetOffset` on.
static LogicalResult verifyBroadcastsTo(Operation *op, StringRef name,
                                        ShapedType type, StringRef targetName,
                                        ArrayRef<int64_t> target,
                                        int64_t targetOffset) {
  const int64_t rank = type.getRank();
  const int64_t targetRank = target.size();
  if (rank > targetRank)
    return op->emitOpError() << name << " of rank " << rank
                             << " cannot broadcast to " << targetName
                             << " dims [" << targetOffset << ", "
                             << targetOffset + targetRank << ")";
  for (int64_t i = 0; i < rank; ++i) {
    const int64_t size = type.getDimSize(i);
    const int64_t j = targetRank - rank + i;
    if (size != 1 && isStaticMismatch(size, target[j]))
      return op->emitOpError()
             << name << " does not broadcast to " << targetName << ": " << name
             << " dim " << i << " is " << size << " but " << targetName
             << " dim " << targetOffset + j << " is " << target[j];
  }
  return success();
}

//===----------------------------------------------------------------------===//
// Window (conv, pool) helpers
//===----------------------------------------------------------------------===//

/// Checks the window attributes against `spatialRank`: one stride and one
/// dilation (both >= 1) per spatial dimension, and its begin then end pads
/// (>= 0, as ONNX requires).
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
  for (auto [name, values, min] :
       {std::make_tuple("strides", strides, 1), {"dilations", dilations, 1},
        {"pads", pads, 0}})
    for (auto [i, v] : llvm::enumerate(values))
      if (v < min)
        return op->emitOpError() << name << "[" << i << "] must be >= " << min
                                 << ", got " << v;
  return success();
}

/// The output size of a conv/pool window along input dim `dim` of size
/// `size` (ONNX): `floor((size + pads - dilation * (kernel - 1) - 1) /
/// stride) + 1`, with `ceilMode` rounding up but dropping a last window that
/// would start in the end padding. Fails if the window does not fit the
/// padded input.
static FailureOr<int64_t>
verifyWindowOutputSize(Operation *op, int64_t dim, int64_t size,
                       int64_t kernel, int64_t stride, int64_t padBegin,
                       int64_t padEnd, int64_t dilation, bool ceilMode) {
  // Attributes are only bounded by int64_t: compute with overflow checks.
  std::optional<int64_t> reach = llvm::checkedMulAdd<int64_t>(
      dilation, kernel - 1, 1);
  std::optional<int64_t> start = llvm::checkedAdd(size, padBegin);
  std::optional<int64_t> padded =
      start ? llvm::checkedAdd(*start, padEnd) : std::nullopt;
  if (!reach || !padded || *padded < *reach) {
    op->emitOpError() << "window does not fit: input dim " << dim << " is "
                      << size << ", padded by " << padBegin << " and "
                      << padEnd << ", but kernel " << kernel
                      << " with dilation " << dilation << " spans more";
    return failure();
  }
  const int64_t span = *padded - *reach;
  int64_t out = span / stride + 1;
  if (ceilMode && span % stride != 0) {
    // The extra window must start inside the input or the begin padding.
    std::optional<int64_t> lastStart = llvm::checkedMul(out, stride);
    if (lastStart && *lastStart < *start)
      ++out;
  }
  return out;
}

/// The shared checks of qc.conv and qc.conv_transpose: operand ranks, window
/// attributes, channels and group, bias, and the result shape. A transposed
/// convolution has `outputPadding`.
static LogicalResult
verifyConvLike(Operation *op, RankedTensorType input, RankedTensorType weight,
               Value bias, RankedTensorType result, ArrayRef<int64_t> strides,
               ArrayRef<int64_t> pads, ArrayRef<int64_t> dilations,
               int64_t group,
               std::optional<ArrayRef<int64_t>> outputPadding) {
  const bool transposed = outputPadding.has_value();
  if (failed(verifyMinRank(op, "input", input, 3, "[N, C, D1, ...]")))
    return failure();
  const int64_t rank = input.getRank();
  const int64_t spatialRank = rank - 2;
  if (weight.getRank() != rank)
    return op->emitOpError() << "weight rank " << weight.getRank()
                             << " differs from input rank " << rank;
  if (group < 1)
    return op->emitOpError() << "group must be positive, got " << group;
  if (failed(verifyWindowAttrs(op, spatialRank, strides, pads, dilations)))
    return failure();
  if (transposed) {
    if (static_cast<int64_t>(outputPadding->size()) != spatialRank)
      return op->emitOpError() << "expected one output_padding per spatial "
                                  "dimension, got "
                               << outputPadding->size();
    for (auto [i, p] : llvm::enumerate(*outputPadding))
      if (p < 0)
        return op->emitOpError()
               << "output_padding[" << i << "] must be >= 0, got " << p;
  }

  // Conv: W is [M, C / group, K...]; ConvTranspose: W is [C, M / group, K...].
  const int64_t channels = input.getDimSize(1);
  int64_t outChannels = ShapedType::kDynamic;
  if (!transposed) {
    const int64_t perGroup = weight.getDimSize(1);
    if (!ShapedType::isDynamic(perGroup) &&
        isStaticMismatch(channels, perGroup * group))
      return op->emitOpError()
             << "input channel mismatch: input dim 1 is " << channels
             << " but weight dim 1 is " << perGroup << ", times group "
             << group << " gives " << perGroup * group;
    outChannels = weight.getDimSize(0);
    if (!ShapedType::isDynamic(outChannels) && outChannels % group != 0)
      return op->emitOpError()
             << "weight dim 0 (output channels) is " << outChannels
             << ", which group " << group << " does not divide";
  } else {
    if (failed(verifyDimsMatch(op, "input channel mismatch", "input", input,
                               1, "weight", weight, 0)))
      return failure();
    if (!ShapedType::isDynamic(channels) && channels % group != 0)
      return op->emitOpError() << "input dim 1 (channels) is " << channels
                               << ", which group " << group
                               << " does not divide";
    if (!ShapedType::isDynamic(weight.getDimSize(1)))
      outChannels = weight.getDimSize(1) * group;
  }
  if (bias) {
    auto biasType = cast<RankedTensorType>(bias.getType());
    if (biasType.getRank() != 1)
      return op->emitOpError() << "bias must have rank 1, got rank "
                               << biasType.getRank();
    if (isStaticMismatch(biasType.getDimSize(0), outChannels))
      return op->emitOpError() << "bias dim 0 is " << biasType.getDimSize(0)
                               << " but the layer has " << outChannels
                               << " output channels";
  }

  SmallVector<int64_t> expected = {input.getDimSize(0), outChannels};
  for (int64_t i = 0; i < spatialRank; ++i) {
    const int64_t size = input.getDimSize(2 + i);
    const int64_t kernel = weight.getDimSize(2 + i);
    if (!ShapedType::isDynamic(kernel) && kernel < 1)
      return op->emitOpError() << "weight dim " << 2 + i
                               << " (kernel size) must be >= 1, got " << kernel;
    if (ShapedType::isDynamic(size) || ShapedType::isDynamic(kernel)) {
      expected.push_back(ShapedType::kDynamic);
      continue;
    }
    if (!transposed) {
      FailureOr<int64_t> out = verifyWindowOutputSize(
          op, 2 + i, size, kernel, strides[i], pads[i], pads[spatialRank + i],
          dilations[i], /*ceilMode=*/false);
      if (failed(out))
        return failure();
      expected.push_back(*out);
      continue;
    }
    // stride * (D - 1) + output_padding + dilation * (K - 1) + 1 - pads.
    std::optional<int64_t> out = llvm::checkedMul<int64_t>(strides[i], size - 1);
    for (std::optional<int64_t> term :
         {std::optional<int64_t>((*outputPadding)[i]),
          llvm::checkedMulAdd<int64_t>(dilations[i], kernel - 1, 1),
          std::optional<int64_t>(-pads[i]),
          std::optional<int64_t>(-pads[spatialRank + i])})
      out = out && term ? llvm::checkedAdd(*out, *term) : std::nullopt;
    if (!out || *out < 1)
      return op->emitOpError()
             << "input dim " << 2 + i << " of size " << size
             << " gives an empty output with kernel " << kernel << ", stride "
             << strides[i] << ", dilation " << dilations[i] << ", pads "
             << pads[i] << " and " << pads[spatialRank + i]
             << " and output_padding " << (*outputPadding)[i];
    expected.push_back(*out);
  }
  return verifyResultShape(op, result, expected,
                           transposed ? "the transposed convolution"
                                      : "the convolution");
}

/// The checks of the pooling ops on `[N, C, D1, ...]`.
static LogicalResult verifyPoolOp(Operation *op, RankedTensorType input,
                                  RankedTensorType result,
                                  ArrayRef<int64_t> kernel,
                                  ArrayRef<int64_t> strides,
                                  ArrayRef<int64_t> pads,
                                  ArrayRef<int64_t> dilations, bool ceilMode) {
  if (failed(verifyMinRank(op, "input", input, 3, "[N, C, D1, ...]")))
    return failure();
  const int64_t spatialRank = input.getRank() - 2;
  if (static_cast<int64_t>(kernel.size()) != spatialRank)
    return op->emitOpError() << "expected " << spatialRank
                             << " kernel_shape entries (one per spatial "
                                "dimension), got "
                             << kernel.size();
  for (auto [i, k] : llvm::enumerate(kernel))
    if (k < 1)
      return op->emitOpError()
             << "kernel_shape[" << i << "] must be >= 1, got " << k;
  if (failed(verifyWindowAttrs(op, spatialRank, strides, pads, dilations)))
    return failure();
  SmallVector<int64_t> expected = {input.getDimSize(0), input.getDimSize(1)};
  for (int64_t i = 0; i < spatialRank; ++i) {
    const int64_t size = input.getDimSize(2 + i);
    if (ShapedType::isDynamic(size)) {
      expected.push_back(ShapedType::kDynamic);
      continue;
    }
    FailureOr<int64_t> out = verifyWindowOutputSize(
        op, 2 + i, size, kernel[i], strides[i], pads[i], pads[spatialRank + i],
        dilations[i], ceilMode);
    if (failed(out))
      return failure();
    expected.push_back(*out);
  }
  return verifyResultShape(op, result, expected,
                           "the pooling window");
}

//===----------------------------------------------------------------------===//
// Element-wise
//===----------------------------------------------------------------------===//

/// The result of an element-wise binary op has the broadcast shape of its
/// operands.
static LogicalResult verifyBroadcastingOp(Operation *op) {
  auto lhs = cast<ShapedType>(op->getOperand(0).getType());
  auto rhs = cast<ShapedType>(op->getOperand(1).getType());
  FailureOr<SmallVector<int64_t>> shape =
      broadcastShapes(op, "operands are not broadcast-compatible",
                      {{"lhs", lhs.getShape()}, {"rhs", rhs.getShape()}});
  if (failed(shape))
    return failure();
  return verifyResultShape(op, cast<ShapedType>(op->getResult(0).getType()),
                           *shape, "broadcasting lhs and rhs");
}

LogicalResult AddOp::verify() { return verifyBroadcastingOp(*this); }
LogicalResult SubOp::verify() { return verifyBroadcastingOp(*this); }
LogicalResult MulOp::verify() { return verifyBroadcastingOp(*this); }
LogicalResult DivOp::verify() { return verifyBroadcastingOp(*this); }
LogicalResult PowOp::verify() { return verifyBroadcastingOp(*this); }

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
  if (getOutput().getType().getElementType() !=
      getInput().getType().getElementType())
    return emitOpError() << "result element type "
                         << getOutput().getType().getElementType()
                         << " differs from input element type "
                         << getInput().getType().getElementType();
  return verifySameShape(*this, "result", getOutput().getType(), "input",
                         getInput().getType());
}

//===----------------------------------------------------------------------===//
// Linear layers
//===----------------------------------------------------------------------===//

LogicalResult ConvOp::verify() {
  return verifyConvLike(*this, getInput().getType(), getWeight().getType(),
                        getBias(), getOutput().getType(), getStrides(),
                        getPads(), getDilations(),
                        static_cast<int64_t>(getGroup()),
                        /*outputPadding=*/std::nullopt);
}

LogicalResult ConvTransposeOp::verify() {
  return verifyConvLike(*this, getInput().getType(), getWeight().getType(),
                        getBias(), getOutput().getType(), getStrides(),
                        getPads(), getDilations(),
                        static_cast<int64_t>(getGroup()), getOutputPadding());
}

LogicalResult GemmOp::verify() {
  RankedTensorType a = getA().getType(), b = getB().getType();
  if (failed(verifyRank(*this, "a", a, 2)) ||
      failed(verifyRank(*this, "b", b, 2)))
    return failure();
  // op(A) is [M, K], op(B) is [K, N].
  const int64_t aK = getTransA() ? 0 : 1, bK = getTransB() ? 1 : 0;
  if (failed(verifyDimsMatch(*this, "contraction dimension mismatch", "a", a,
                             aK, "b", b, bK)))
    return failure();
  const SmallVector<int64_t> expected = {a.getDimSize(1 - aK),
                                         b.getDimSize(1 - bK)};
  RankedTensorType result = getOutput().getType();
  if (failed(verifyResultShape(*this, result, expected,
                               "op(a) * op(b)")))
    return failure();
  if (Value c = getC())
    return verifyBroadcastsTo(*this, "c", cast<ShapedType>(c.getType()),
                              "result",
                              refineShape(result.getShape(), expected), 0);
  return success();
}

LogicalResult MatMulOp::verify() {
  RankedTensorType lhs = getLhs().getType(), rhs = getRhs().getType();
  const int64_t lhsRank = lhs.getRank(), rhsRank = rhs.getRank();
  if (lhsRank < 1 || rhsRank < 1)
    return emitOpError() << "operands must have rank >= 1, got lhs rank "
                         << lhsRank << " and rhs rank " << rhsRank;
  // NumPy: a 1-d lhs [K] is a row [1, K] and a 1-d rhs [K] a column [K, 1];
  // the promoted dimension is dropped from the result.
  if (failed(verifyDimsMatch(*this, "contraction dimension mismatch", "lhs",
                             lhs, lhsRank - 1, "rhs", rhs,
                             rhsRank == 1 ? 0 : rhsRank - 2)))
    return failure();
  FailureOr<SmallVector<int64_t>> shape = broadcastShapes(
      *this, "batch dimensions are not broadcast-compatible",
      {{"lhs", lhs.getShape().drop_back(std::min<int64_t>(lhsRank, 2))},
       {"rhs", rhs.getShape().drop_back(std::min<int64_t>(rhsRank, 2))}});
  if (failed(shape))
    return failure();
  if (lhsRank >= 2)
    shape->push_back(lhs.getDimSize(lhsRank - 2));
  if (rhsRank >= 2)
    shape->push_back(rhs.getDimSize(rhsRank - 1));
  return verifyResultShape(*this, getOutput().getType(), *shape,
                           "the matrix product of lhs and rhs");
}

//===----------------------------------------------------------------------===//
// Normalisation and reductions
//===----------------------------------------------------------------------===//

LogicalResult SoftmaxOp::verify() {
  return verifyAxis(*this, static_cast<int64_t>(getAxis()),
                    getInput().getType().getRank(), "input");
}

LogicalResult LayerNormOp::verify() {
  RankedTensorType input = getInput().getType();
  const int64_t axis = static_cast<int64_t>(getAxis());
  if (failed(verifyAxis(*this, axis, input.getRank(), "input")) ||
      failed(verifySameShape(*this, "result", getOutput().getType(), "input",
                             input)))
    return failure();
  ArrayRef<int64_t> normalized = input.getShape().drop_front(axis);
  for (auto [name, value] : {std::pair<StringRef, Value>{"scale", getScale()},
                             {"bias", getBias()}})
    if (value && failed(verifyBroadcastsTo(
                     *this, name, cast<ShapedType>(value.getType()), "input",
                     normalized, axis)))
      return failure();
  return success();
}

LogicalResult BatchNormOp::verify() {
  RankedTensorType input = getInput().getType();
  if (failed(verifyMinRank(*this, "input", input, 2, "[N, C, ...]")) ||
      failed(verifySameShape(*this, "result", getOutput().getType(), "input",
                             input)))
    return failure();
  for (auto [name, value] :
       {std::pair<StringRef, Value>{"scale", getScale()},
        {"bias", getBias()},
        {"mean", getMean()},
        {"variance", getVariance()}}) {
    auto type = cast<ShapedType>(value.getType());
    if (failed(verifyRank(*this, name, type, 1)) ||
        failed(verifyDimsMatch(*this, "channel mismatch", name, type, 0,
                               "input", input, 1)))
      return failure();
  }
  return success();
}

/// The checks of the reductions: axes in range, sorted and unique (none:
/// all axes, as ONNX), and the result shape with or without `keepdims`.
static LogicalResult verifyReduceOp(Operation *op, RankedTensorType input,
                                    RankedTensorType result,
                                    ArrayRef<int64_t> axes, bool keepdims) {
  const int64_t rank = input.getRank();
  SmallVector<bool> reduced(rank, axes.empty());
  for (auto [i, axis] : llvm::enumerate(axes)) {
    if (axis < 0 || axis >= rank)
      return op->emitOpError() << "axes[" << i << "] = " << axis
                               << " is out of range for input rank " << rank;
    if (i > 0 && axis <= axes[i - 1])
      return op->emitOpError()
             << "axes must be sorted and unique, got " << axis << " after "
             << axes[i - 1];
    reduced[axis] = true;
  }
  SmallVector<int64_t> expected;
  for (int64_t d = 0; d < rank; ++d) {
    if (!reduced[d])
      expected.push_back(input.getDimSize(d));
    else if (keepdims)
      expected.push_back(1);
  }
  return verifyResultShape(op, result, expected,
                           keepdims ? "the reduction with keepdims"
                                    : "the reduction without keepdims");
}

LogicalResult ReduceMeanOp::verify() {
  return verifyReduceOp(*this, getInput().getType(), getOutput().getType(),
                        getAxes(), getKeepdims());
}

LogicalResult ReduceSumOp::verify() {
  return verifyReduceOp(*this, getInput().getType(), getOutput().getType(),
                        getAxes(), getKeepdims());
}

//===----------------------------------------------------------------------===//
// Pooling
//===----------------------------------------------------------------------===//

LogicalResult MaxPoolOp::verify() {
  return verifyPoolOp(*this, getInput().getType(), getOutput().getType(),
                      getKernelShape(), getStrides(), getPads(),
                      getDilations(), getCeilMode());
}

LogicalResult AvgPoolOp::verify() {
  return verifyPoolOp(*this, getInput().getType(), getOutput().getType(),
                      getKernelShape(), getStrides(), getPads(),
                      getDilations(), getCeilMode());
}

LogicalResult SumPoolOp::verify() {
  return verifyPoolOp(*this, getInput().getType(), getOutput().getType(),
                      getKernelShape(), getStrides(), getPads(),
                      getDilations(), getCeilMode());
}

LogicalResult GlobalAvgPoolOp::verify() {
  RankedTensorType input = getInput().getType();
  if (failed(verifyMinRank(*this, "input", input, 2, "[N, C, D1, ...]")))
    return failure();
  SmallVector<int64_t> expected(input.getShape());
  std::fill(expected.begin() + 2, expected.end(), 1);
  return verifyResultShape(*this, getOutput().getType(), expected,
                           "pooling every spatial dimension");
}

//===----------------------------------------------------------------------===//
// Data movement
//===----------------------------------------------------------------------===//

LogicalResult ReshapeOp::verify() {
  auto input = getInput().getType();
  auto output = getOutput().getType();
  if (failed(verifySameElementKind(*this, "input", input, output)))
    return failure();
  if (output.getNumDynamicDims() > 1)
    return emitOpError() << "at most one result dimension may be dynamic, got "
                         << output;
  // The product of the static sizes of each side must divide the other
  // side's element count where that is known.
  auto staticProduct = [](ShapedType type) {
    int64_t n = 1;
    for (int64_t size : type.getShape())
      if (!ShapedType::isDynamic(size))
        n *= size;
    return n;
  };
  auto fits = [](int64_t count, int64_t known, bool exact) {
    return exact ? count == known
                 : (known == 0 ? count == 0 : count % known == 0);
  };
  if (input.hasStaticShape() &&
      !fits(input.getNumElements(), staticProduct(output),
            output.hasStaticShape()))
    return emitOpError() << "cannot reshape " << input.getNumElements()
                         << " elements into " << output;
  if (output.hasStaticShape() && !input.hasStaticShape() &&
      !fits(output.getNumElements(), staticProduct(input), false))
    return emitOpError() << "cannot reshape " << input << " into "
                         << output.getNumElements() << " elements";
  return success();
}

LogicalResult TransposeOp::verify() {
  auto input = getInput().getType();
  auto output = getOutput().getType();
  if (failed(verifySameElementKind(*this, "input", input, output)))
    return failure();
  ArrayRef<int64_t> perm = getPerm();
  if (static_cast<int64_t>(perm.size()) != input.getRank() ||
      output.getRank() != input.getRank())
    return emitOpError() << "perm has " << perm.size()
                         << " entries for input rank " << input.getRank()
                         << " and result rank " << output.getRank();
  SmallVector<bool> seen(perm.size(), false);
  for (auto [i, p] : llvm::enumerate(perm)) {
    if (p < 0 || p >= input.getRank() || seen[p])
      return emitOpError() << "perm is not a permutation of [0, "
                           << input.getRank() << "): perm[" << i
                           << "] = " << p;
    seen[p] = true;
    if (failed(verifyDimsMatch(*this, "permuted dimension mismatch", "result",
                               output, i, "input", input, p)))
      return failure();
  }
  return success();
}

LogicalResult ConcatOp::verify() {
  RankedTensorType result = getOutput().getType();
  const int64_t rank = result.getRank();
  const int64_t axis = static_cast<int64_t>(getAxis());
  if (getInputs().empty())
    return emitOpError() << "expected at least one input";
  if (failed(verifyAxis(*this, axis, rank, "result")))
    return failure();
  // The sum of the static sizes along `axis`; exact if none is dynamic.
  int64_t total = 0;
  bool exact = true;
  for (auto [k, value] : llvm::enumerate(getInputs())) {
    auto type = cast<RankedTensorType>(value.getType());
    const std::string name = "input #" + std::to_string(k);
    if (failed(verifySameElementKind(*this, name, type, result)))
      return failure();
    if (type.getRank() != rank)
      return emitOpError() << name << " has rank " << type.getRank()
                           << " but the result has rank " << rank;
    for (int64_t d = 0; d < rank; ++d)
      if (d != axis && failed(verifyDimsMatch(*this, "concat dimension mismatch",
                                              name, type, d, "result", result,
                                              d)))
        return failure();
    if (type.isDynamicDim(axis))
      exact = false;
    else
      total += type.getDimSize(axis);
  }
  const int64_t size = result.getDimSize(axis);
  if (!ShapedType::isDynamic(size) && (exact ? size != total : size < total))
    return emitOpError() << "result dim " << axis << " is " << size
                         << " but the inputs' sizes along it add up to "
                         << (exact ? "" : "at least ") << total;
  return success();
}

LogicalResult SplitOp::verify() {
  RankedTensorType input = getInput().getType();
  const int64_t rank = input.getRank();
  const int64_t axis = static_cast<int64_t>(getAxis());
  if (getOutputs().empty())
    return emitOpError() << "expected at least one result";
  if (failed(verifyAxis(*this, axis, rank, "input")))
    return failure();
  int64_t total = 0;
  for (auto [k, value] : llvm::enumerate(getOutputs())) {
    auto type = cast<RankedTensorType>(value.getType());
    const std::string name = "result #" + std::to_string(k);
    if (failed(verifySameElementKind(*this, "input", input, type)))
      return failure();
    if (type.getRank() != rank)
      return emitOpError() << name << " has rank " << type.getRank()
                           << " but the input has rank " << rank;
    for (int64_t d = 0; d < rank; ++d)
      if (d != axis && failed(verifyDimsMatch(*this, "split dimension mismatch",
                                              name, type, d, "input", input,
                                              d)))
        return failure();
    // The result sizes are the split sizes.
    if (type.isDynamicDim(axis))
      return emitOpError() << name << " dim " << axis << " must be static";
    total += type.getDimSize(axis);
  }
  if (isStaticMismatch(input.getDimSize(axis), total))
    return emitOpError() << "the results' sizes along dim " << axis
                         << " add up to " << total << " but input dim " << axis
                         << " is " << input.getDimSize(axis);
  return success();
}

int64_t qcc::qc::getSliceSize(int64_t size, int64_t start, int64_t end,
                              int64_t step) {
  if (size == 0)
    return 0;
  // No overflow: size > 0.
  if (start < 0)
    start += size;
  if (end < 0)
    end += size;
  if (step > 0) {
    start = std::clamp<int64_t>(start, 0, size);
    end = std::clamp<int64_t>(end, 0, size);
    return end > start ? (end - start - 1) / step + 1 : 0;
  }
  start = std::clamp<int64_t>(start, 0, size - 1);
  end = std::clamp<int64_t>(end, -1, size - 1);
  if (start <= end)
    return 0;
  // -step overflows for INT64_MIN, whose slice has one element.
  if (step == std::numeric_limits<int64_t>::min())
    return 1;
  return (start - end - 1) / -step + 1;
}

LogicalResult SliceOp::verify() {
  RankedTensorType input = getInput().getType();
  RankedTensorType result = getOutput().getType();
  const int64_t rank = input.getRank();
  ArrayRef<int64_t> starts = getStarts(), ends = getEnds(), steps = getSteps();
  if (failed(verifySameElementKind(*this, "input", input, result)))
    return failure();
  if (static_cast<int64_t>(starts.size()) != rank ||
      static_cast<int64_t>(ends.size()) != rank ||
      static_cast<int64_t>(steps.size()) != rank)
    return emitOpError() << "expected " << rank
                         << " starts, ends and steps (one per input "
                            "dimension), got "
                         << starts.size() << ", " << ends.size() << " and "
                         << steps.size();
  SmallVector<int64_t> expected;
  for (int64_t d = 0; d < rank; ++d) {
    if (steps[d] == 0)
      return emitOpError() << "steps[" << d << "] must be nonzero";
    const int64_t size = input.getDimSize(d);
    expected.push_back(ShapedType::isDynamic(size)
                           ? ShapedType::kDynamic
                           : getSliceSize(size, starts[d], ends[d], steps[d]));
  }
  return verifyResultShape(*this, result, expected, "the slice");
}

LogicalResult GatherOp::verify() {
  RankedTensorType data = getData().getType();
  RankedTensorType indices = getIndices().getType();
  const int64_t axis = static_cast<int64_t>(getAxis());
  if (failed(verifySameElementKind(*this, "data", data, getOutput().getType())))
    return failure();
  if (!isa<IntegerType>(indices.getElementType()))
    return emitOpError() << "indices must be integers, got "
                         << indices.getElementType();
  if (failed(verifyAxis(*this, axis, data.getRank(), "data")))
    return failure();
  // data.shape[:axis] + indices.shape + data.shape[axis + 1:]
  SmallVector<int64_t> expected(data.getShape().take_front(axis));
  llvm::append_range(expected, indices.getShape());
  llvm::append_range(expected, data.getShape().drop_front(axis + 1));
  return verifyResultShape(*this, getOutput().getType(), expected,
                           "the gather");
}

LogicalResult ExpandOp::verify() {
  RankedTensorType input = getInput().getType();
  RankedTensorType result = getOutput().getType();
  if (failed(verifySameElementKind(*this, "input", input, result)))
    return failure();
  if (result.getRank() < input.getRank())
    return emitOpError() << "result rank " << result.getRank()
                         << " is below the input's " << input.getRank();
  if (getSizes().size() != result.getNumDynamicDims())
    return emitOpError() << "expected " << result.getNumDynamicDims()
                         << " sizes (one per dynamic result dimension), got "
                         << getSizes().size();
  const int64_t offset = result.getRank() - input.getRank();
  for (int64_t d = 0; d < input.getRank(); ++d) {
    const int64_t in = input.getDimSize(d), out = result.getDimSize(d + offset);
    // A dynamic input dimension is not known to be 1: it must be kept
    // (a dynamic result dimension).
    if (in == 1 || in == out || ShapedType::isDynamic(out))
      continue;
    return emitOpError() << "input dim " << d << " (" << in
                         << ") does not broadcast to result dim "
                         << d + offset << " (" << out << ")";
  }
  return success();
}

LogicalResult PadOp::verify() {
  RankedTensorType input = getInput().getType();
  const int64_t rank = input.getRank();
  ArrayRef<int64_t> pads = getPads();
  if (failed(verifySameElementKind(*this, "input", input,
                                   getOutput().getType())))
    return failure();
  if (static_cast<int64_t>(pads.size()) != 2 * rank)
    return emitOpError() << "expected " << 2 * rank
                         << " pads (begin then end of each input dimension), "
                            "got "
                         << pads.size();
  SmallVector<int64_t> expected;
  for (int64_t d = 0; d < rank; ++d) {
    const int64_t size = input.getDimSize(d);
    const int64_t begin = pads[d], end = pads[rank + d];
    if (ShapedType::isDynamic(size)) {
      expected.push_back(ShapedType::kDynamic);
      continue;
    }
    // Negative pads crop first; positive pads then extend what is left
    // (reflect and edge read the cropped data).
    std::optional<int64_t> kept = llvm::checkedSub<int64_t>(
        size, std::max<int64_t>(0, -begin));
    kept = kept ? llvm::checkedSub<int64_t>(*kept, std::max<int64_t>(0, -end))
                : std::nullopt;
    if (!kept || *kept < 0)
      return emitOpError() << "pads " << begin << " and " << end
                           << " crop more than input dim " << d << " of size "
                           << size;
    std::optional<int64_t> out =
        llvm::checkedAdd<int64_t>(*kept, std::max<int64_t>(0, begin));
    out = out ? llvm::checkedAdd<int64_t>(*out, std::max<int64_t>(0, end))
              : std::nullopt;
    if (!out)
      return emitOpError() << "pads " << begin << " and " << end
                           << " overflow input dim " << d;
    if (getMode() != PadMode::Constant && *kept == 0 && *out > 0)
      return emitOpError() << "cannot " << stringifyPadMode(getMode())
                           << "-pad input dim " << d
                           << ", which is empty after cropping";
    expected.push_back(*out);
  }
  return verifyResultShape(*this, getOutput().getType(), expected,
                           "the padding");
}

//===----------------------------------------------------------------------===//
// Folders
//===----------------------------------------------------------------------===//

OpFoldResult ReshapeOp::fold(FoldAdaptor adaptor) {
  if (getInput().getType() == getType())
    return getInput();
  if (auto inner = getInput().getDefiningOp<ReshapeOp>()) {
    getInputMutable().assign(inner.getInput());
    return getResult();
  }
  auto type = cast<RankedTensorType>(getType());
  if (auto constant = dyn_cast_or_null<DenseElementsAttr>(adaptor.getInput()))
    if (type.hasStaticShape())
      return constant.reshape(type);
  return {};
}

OpFoldResult TransposeOp::fold(FoldAdaptor adaptor) {
  ArrayRef<int64_t> perm = getPerm();
  if (llvm::equal(perm, llvm::seq<int64_t>(0, perm.size())))
    return getInput();
  auto constant = dyn_cast_or_null<DenseElementsAttr>(adaptor.getInput());
  auto type = cast<RankedTensorType>(getType());
  if (!constant || !type.hasStaticShape())
    return {};
  if (constant.isSplat())
    return constant.resizeSplat(type);
  // Element by element on the raw bytes: whole bytes each (not i1, whose
  // elements are bits).
  ArrayRef<char> raw = constant.getRawData();
  const size_t bytes = raw.size() / type.getNumElements();
  if (bytes == 0 || bytes * type.getNumElements() != raw.size())
    return {};
  ArrayRef<int64_t> inShape = constant.getType().getShape();
  const int64_t rank = inShape.size();
  SmallVector<int64_t> inStrides(rank, 1);
  for (int64_t d = rank - 2; d >= 0; --d)
    inStrides[d] = inStrides[d + 1] * inShape[d + 1];
  std::vector<char> out(raw.size());
  SmallVector<int64_t> index(rank, 0); // of the result, row-major
  for (int64_t i = 0, n = type.getNumElements(); i < n; ++i) {
    int64_t source = 0;
    for (int64_t d = 0; d < rank; ++d)
      source += index[d] * inStrides[perm[d]];
    std::memcpy(&out[i * bytes], &raw[source * bytes], bytes);
    for (int64_t d = rank - 1; d >= 0 && ++index[d] == type.getDimSize(d); --d)
      index[d] = 0;
  }
  return DenseElementsAttr::getFromRawBuffer(type, out);
}

//===----------------------------------------------------------------------===//
// ScalarFunctionOpInterface: the activations' reference semantics
//===----------------------------------------------------------------------===//

// NaN propagates through every activation, as in ONNX Runtime.
using qcc::numerics::clampPropagatingNaN;

double ReluOp::evaluate(double x) { return x > 0 || std::isnan(x) ? x : 0.0; }
double SigmoidOp::evaluate(double x) { return 1.0 / (1.0 + std::exp(-x)); }
double TanhOp::evaluate(double x) { return std::tanh(x); }
double ErfOp::evaluate(double x) { return std::erf(x); }
double SqrtOp::evaluate(double x) { return std::sqrt(x); }

double HardSwishOp::evaluate(double x) {
  return x * clampPropagatingNaN(x / 6.0 + 0.5, 0.0, 1.0);
}

double LeakyReluOp::evaluate(double x) {
  return x >= 0 ? x : getAlpha().convertToDouble() * x;
}

double HardSigmoidOp::evaluate(double x) {
  return clampPropagatingNaN(
      getAlpha().convertToDouble() * x + getBeta().convertToDouble(), 0.0,
      1.0);
}

double GeluOp::evaluate(double x) {
  if (getTanhApproximation())
    return 0.5 * x *
           (1.0 + std::tanh(std::sqrt(2.0 / M_PI) * (x + 0.044715 * x * x * x)));
  return 0.5 * x * (1.0 + std::erf(x / std::sqrt(2.0)));
}
