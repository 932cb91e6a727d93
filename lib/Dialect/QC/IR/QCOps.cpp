//===- QCOps.cpp - qc dialect ops -----------------------------------------===//

#include "qcc/Dialect/QC/IR/QCOps.h"
#include "qcc/Numerics/Packing.h"

#include "mlir/Dialect/Quant/IR/QuantTypes.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/OpImplementation.h"
#include "mlir/IR/TypeUtilities.h"

using namespace mlir;
using namespace qcc;
using namespace qcc::qc;

#define GET_OP_CLASSES
#include "qcc/Dialect/QC/IR/QCOps.cpp.inc"

LogicalResult qcc::qc::verifyQuantizedElementTypes(Operation *op) {
  auto check = [&](StringRef role, unsigned index, Type type) {
    Type element = getElementTypeOrSelf(type);
    return verifyQuantizedParams(
        [&] {
          return op->emitOpError()
                 << role << " #" << index << " element type " << element
                 << " is invalid: ";
        },
        element);
  };
  for (auto [i, type] : llvm::enumerate(op->getOperandTypes()))
    if (failed(check("operand", i, type)))
      return failure();
  for (auto [i, type] : llvm::enumerate(op->getResultTypes()))
    if (failed(check("result", i, type)))
      return failure();
  return success();
}

/// Checks the quantized side of a quantize/dequantize op against its float
/// side: a supported quantized element type, the same real type, and a
/// shape that fits the type's axes and blocks.
static LogicalResult verifyQuantizedPair(Operation *op,
                                         RankedTensorType floatType,
                                         RankedTensorType quantizedType,
                                         StringRef quantizedRole) {
  Type element = quantizedType.getElementType();
  if (!isQuantizedElementType(element))
    return op->emitOpError()
           << quantizedRole
           << " element type must be !quant.uniform, !qc.float or !qc.block, "
              "got "
           << element;
  Type expressed = getExpressedType(element);
  if (expressed != floatType.getElementType())
    return op->emitOpError()
           << "expressed type " << expressed << " of the " << quantizedRole
           << " does not match float element type "
           << floatType.getElementType();
  return verifyQuantizedShape([&] { return op->emitOpError(); }, element,
                              quantizedType.getShape());
}

LogicalResult QuantizeOp::verify() {
  auto resultType = cast<RankedTensorType>(getOutput().getType());
  if (failed(verifyQuantizedPair(*this, getInput().getType(), resultType,
                                 "result")))
    return failure();
  if (isa<BlockScaledType>(resultType.getElementType()) &&
      getRounding() != RoundingMode::HalfToEven)
    return emitOpError() << "block-scaled quantization rounds half_to_even, "
                            "got rounding "
                         << stringifyRoundingMode(getRounding());
  return success();
}

LogicalResult DequantizeOp::verify() {
  return verifyQuantizedPair(*this, getOutput().getType(),
                             cast<RankedTensorType>(getInput().getType()),
                             "input");
}

//===----------------------------------------------------------------------===//
// RequantizeOp
//===----------------------------------------------------------------------===//

/// Per-tensor or per-axis integer quantization: what requantize takes.
static bool isRequantizableType(Type type) {
  return isa<quant::UniformQuantizedType, quant::UniformQuantizedPerAxisType>(
      type);
}

LogicalResult RequantizeOp::verify() {
  auto inputType = cast<RankedTensorType>(getInput().getType());
  auto resultType = cast<RankedTensorType>(getOutput().getType());
  Type inElement = inputType.getElementType();
  Type outElement = resultType.getElementType();
  for (auto [role, element] : {std::pair<StringRef, Type>{"input", inElement},
                               {"result", outElement}})
    if (!isRequantizableType(element))
      return emitOpError() << role
                           << " element type must be a per-tensor or per-axis "
                              "!quant.uniform type, got "
                           << element;
  auto inQuant = cast<quant::QuantizedType>(inElement);
  auto outQuant = cast<quant::QuantizedType>(outElement);
  if (inQuant.getExpressedType() != outQuant.getExpressedType())
    return emitOpError() << "input and result expressed types differ: "
                         << inQuant.getExpressedType() << " vs "
                         << outQuant.getExpressedType();
  auto emitError = [&] { return emitOpError(); };
  if (failed(verifyQuantizedShape(emitError, inElement, inputType.getShape())) ||
      failed(verifyQuantizedShape(emitError, outElement, resultType.getShape())))
    return failure();
  auto inAxis = dyn_cast<quant::UniformQuantizedPerAxisType>(inElement);
  auto outAxis = dyn_cast<quant::UniformQuantizedPerAxisType>(outElement);
  if (inAxis && outAxis &&
      inAxis.getQuantizedDimension() != outAxis.getQuantizedDimension())
    return emitOpError() << "input is quantized along axis "
                         << inAxis.getQuantizedDimension()
                         << " but the result along axis "
                         << outAxis.getQuantizedDimension();
  return success();
}

//===----------------------------------------------------------------------===//
// RescaleOp
//===----------------------------------------------------------------------===//

LogicalResult RescaleOp::verify() {
  ArrayRef<int32_t> multipliers = getMultiplier();
  ArrayRef<int8_t> shifts = getShift();
  auto inputType = getInput().getType();
  const unsigned inBits = inputType.getElementTypeBitWidth();
  const unsigned outBits = getOutput().getType().getElementTypeBitWidth();

  if (multipliers.empty() || multipliers.size() != shifts.size())
    return emitOpError() << "expected as many shifts as multipliers (at least "
                            "one), got "
                         << multipliers.size() << " multipliers and "
                         << shifts.size() << " shifts";
  if (std::optional<uint64_t> axis = getAxis()) {
    if (*axis >= static_cast<uint64_t>(inputType.getRank()))
      return emitOpError() << "axis " << *axis
                           << " is out of range for a tensor of rank "
                           << inputType.getRank();
    const int64_t channels = inputType.getDimSize(*axis);
    if (!ShapedType::isDynamic(channels) &&
        channels != static_cast<int64_t>(multipliers.size()))
      return emitOpError() << "dimension " << *axis << " has " << channels
                           << " channels but " << multipliers.size()
                           << " multipliers are given";
  } else if (multipliers.size() != 1) {
    return emitOpError() << "expected one multiplier without an axis, got "
                         << multipliers.size();
  }

  const int64_t multiplierLimit = getScale32() ? (int64_t{1} << 31)
                                               : (int64_t{1} << 15);
  for (auto [c, multiplier, shift] :
       llvm::enumerate(multipliers, shifts)) {
    if (multiplier < 0 || multiplier >= multiplierLimit)
      return emitOpError() << "multiplier #" << c << " (" << multiplier
                           << ") must be in [0, " << multiplierLimit
                           << (getScale32() ? ") with scale32"
                                            : ") without scale32");
    if (shift < 2 || shift > 62)
      return emitOpError() << "shift #" << c << " (" << int{shift}
                           << ") must be in [2, 62]";
  }
  if (!getScale32() && getRoundingMode() == RescaleRounding::DoubleRound)
    return emitOpError() << "double_round requires scale32";
  const unsigned maxInBits = getScale32() ? 32 : 48;
  if (inBits > maxInBits)
    return emitOpError() << "input of " << inBits << " bits exceeds the "
                         << maxInBits << "-bit limit"
                         << (getScale32() ? " of scale32" : "");
  if (outBits > 32)
    return emitOpError() << "output of " << outBits
                         << " bits exceeds the 32-bit limit";

  auto checkZeroPoint = [&](StringRef role, int64_t zp, unsigned bits,
                            bool isUnsigned) -> LogicalResult {
    numerics::IntegerRange range =
        numerics::IntegerRange::forBits(bits, !isUnsigned);
    if (range.contains(zp))
      return success();
    return emitOpError() << role << " zero point " << zp
                         << " is out of range [" << range.min << ", "
                         << range.max << "] of its " << bits << "-bit "
                         << (isUnsigned ? "unsigned" : "signed") << " operand";
  };
  return failure(
      failed(checkZeroPoint("input", getInputZp(), inBits, getInputUnsigned())) ||
      failed(checkZeroPoint("output", getOutputZp(), outBits,
                            getOutputUnsigned())));
}

numerics::RescaleParams RescaleOp::getRescaleParams(unsigned c) {
  numerics::RescaleParams params;
  params.multiplier = getMultiplier()[c];
  params.shift = getShift()[c];
  params.inputZeroPoint = getInputZp();
  params.outputZeroPoint = getOutputZp();
  params.scale32 = getScale32();
  params.doubleRound = getRoundingMode() == RescaleRounding::DoubleRound;
  params.outputBits = getOutput().getType().getElementTypeBitWidth();
  params.outputUnsigned = getOutputUnsigned();
  return params;
}

//===----------------------------------------------------------------------===//
// StorageCastOp
//===----------------------------------------------------------------------===//

/// True if `integer` can hold the storage of the quantized `type`: same
/// width, and not signed-vs-unsigned (signless matches both).
static bool isStorageOf(IntegerType integer, quant::QuantizedType type) {
  if (integer.getWidth() != type.getStorageTypeIntegralWidth())
    return false;
  if (integer.isSignless())
    return true;
  return integer.isUnsigned() != type.isSigned();
}

/// True if `integer` can hold the codes of a low-bit float `type`.
static bool isCodeStorageOf(IntegerType integer, ScaledFloatType type) {
  return integer.getWidth() == type.getStorageType().getWidth();
}

LogicalResult TableOp::verify() {
  RankedTensorType input = getInput().getType(), output = getOutput().getType();
  RankedTensorType table = getTable().getType();
  const unsigned bits = input.getElementTypeBitWidth();
  if (bits > 16)
    return emitOpError() << "expected an input of at most 16 bits (a table "
                            "of 2^bits entries), got "
                         << input.getElementType();
  if (table.getDimSize(0) != (int64_t(1) << bits))
    return emitOpError() << "expected a table of " << (int64_t(1) << bits)
                         << " entries (one per " << input.getElementType()
                         << " value), got " << table.getDimSize(0);
  if (table.getElementType() != output.getElementType())
    return emitOpError() << "expected the table's element type "
                         << table.getElementType() << " as the result's, got "
                         << output.getElementType();
  if (failed(verifyCompatibleShape(input.getShape(), output.getShape())))
    return emitOpError() << "expected the result's shape to be the input's";
  return success();
}

LogicalResult StorageCastOp::verify() {
  Type in = getInput().getType().getElementType();
  Type out = getOutput().getType().getElementType();
  // Low-bit floats: integers hold their codes.
  auto inFloat = dyn_cast<ScaledFloatType>(in);
  auto outFloat = dyn_cast<ScaledFloatType>(out);
  if (inFloat || outFloat) {
    auto integer = dyn_cast<IntegerType>(inFloat ? out : in);
    if (integer && isCodeStorageOf(integer, inFloat ? inFloat : outFloat))
      return success();
    return emitOpError() << "expected an integer type of the low-bit float's "
                            "width to hold its codes, got "
                         << in << " and " << out;
  }
  auto inQuant = dyn_cast<quant::QuantizedType>(in);
  auto outQuant = dyn_cast<quant::QuantizedType>(out);
  auto inInt = dyn_cast<IntegerType>(in);
  auto outInt = dyn_cast<IntegerType>(out);
  if (inInt && outQuant ? isStorageOf(inInt, outQuant)
                        : inQuant && outInt && isStorageOf(outInt, inQuant))
    return success();
  return emitOpError() << "expected an integer type and a quantized type with "
                          "that storage, got "
                       << in << " and " << out;
}

OpFoldResult StorageCastOp::fold(FoldAdaptor) {
  // storage_cast(storage_cast(x)) back to x's type is x.
  if (auto producer = getInput().getDefiningOp<StorageCastOp>())
    if (producer.getInput().getType() == getOutput().getType())
      return producer.getInput();
  return {};
}

//===----------------------------------------------------------------------===//
// UnpackOp
//===----------------------------------------------------------------------===//

std::pair<int64_t, int64_t>
qcc::qc::getPackedRowsAndRowLength(ArrayRef<int64_t> shape,
                                   ArrayRef<int64_t> reductionDims) {
  int64_t rows = 1, length = 1;
  for (int64_t d = 0; d < static_cast<int64_t>(shape.size()); ++d)
    (llvm::is_contained(reductionDims, d) ? length : rows) *= shape[d];
  return {rows, length};
}

std::vector<int64_t> qcc::qc::getPackedOrder(ArrayRef<int64_t> shape,
                                             ArrayRef<int64_t> reductionDims) {
  const int64_t rank = shape.size();
  SmallVector<int64_t> strides(rank, 1);
  for (int64_t d = rank - 2; d >= 0; --d)
    strides[d] = strides[d + 1] * shape[d + 1];
  // Dimensions outer (row index) then reduction (position in the row), each
  // in increasing order; walk them like a row-major counter.
  SmallVector<int64_t> dims;
  for (int64_t d = 0; d < rank; ++d)
    if (!llvm::is_contained(reductionDims, d))
      dims.push_back(d);
  llvm::append_range(dims, reductionDims);
  const int64_t count = ShapedType::getNumElements(shape);
  std::vector<int64_t> order;
  order.reserve(count);
  SmallVector<int64_t> index(rank, 0);
  for (int64_t i = 0; i < count; ++i) {
    int64_t flat = 0;
    for (int64_t d = 0; d < rank; ++d)
      flat += index[d] * strides[d];
    order.push_back(flat);
    for (int64_t j = rank - 1; j >= 0; --j) {
      if (++index[dims[j]] < shape[dims[j]])
        break;
      index[dims[j]] = 0;
    }
  }
  return order;
}

LogicalResult UnpackOp::verify() {
  RankedTensorType result = getOutput().getType();
  if (!result.hasStaticShape() || !getPacked().getType().hasStaticShape() ||
      getPacked().getType().getRank() != 1)
    return emitOpError("expected a static 1-d packed tensor and a static "
                       "result");
  auto element = cast<IntegerType>(result.getElementType());
  if (element.getWidth() > 8 || element.isSigned())
    return emitOpError() << "expected signless or unsigned codes of 1 to 8 "
                            "bits, got "
                         << element;
  ArrayRef<int64_t> dims = getReductionDims();
  if (dims.empty())
    return emitOpError("expected at least one reduction dimension");
  for (size_t i = 0; i < dims.size(); ++i)
    if (dims[i] < 0 || dims[i] >= result.getRank() ||
        (i > 0 && dims[i] <= dims[i - 1]))
      return emitOpError() << "expected increasing reduction dimensions in "
                              "[0, "
                           << result.getRank() << "), got dimension "
                           << dims[i];
  auto [rows, length] = getPackedRowsAndRowLength(result.getShape(), dims);
  const int64_t expected = rows * static_cast<int64_t>(numerics::packedRowBytes(
                                      element.getWidth(), length));
  if (getPacked().getType().getDimSize(0) != expected)
    return emitOpError() << "expected " << expected << " packed bytes (" << rows
                         << " rows of " << length << " " << element.getWidth()
                         << "-bit codes), got "
                         << getPacked().getType().getDimSize(0);
  return success();
}

LogicalResult DequantizeBlocksOp::verify() {
  BlockScaledType format = getBlockType();
  RankedTensorType codes = getCodes().getType();
  ArrayRef<int64_t> shape = codes.getShape();
  const int64_t axis = format.getAxis();
  if (!codes.hasStaticShape() || getType().getShape() != shape)
    return emitOpError("expected static codes of the result's shape");
  if (!format.getExpressedType().isF32())
    return emitOpError("expected an f32 expressed type, got ")
           << format.getExpressedType();
  if (axis < 0 || axis >= codes.getRank() ||
      shape[axis] % format.getBlockSize() != 0)
    return emitOpError() << "expected dimension " << axis
                         << " to split into blocks of "
                         << format.getBlockSize();
  const unsigned bits = format.getElementType().getWidth();
  if (codes.getElementTypeBitWidth() != bits)
    return emitOpError() << "expected " << bits << "-bit codes for "
                         << format.getElementType() << ", got "
                         << codes.getElementType();
  SmallVector<int64_t> scaleShape(shape);
  scaleShape[axis] /= format.getBlockSize();
  if (getScales().getType().getShape() != ArrayRef<int64_t>(scaleShape))
    return emitOpError() << "expected scales of shape "
                         << RankedTensorType::get(
                                scaleShape,
                                getScales().getType().getElementType())
                         << ", got " << getScales().getType();
  return success();
}
