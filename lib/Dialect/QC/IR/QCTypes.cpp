//===- QCTypes.cpp - qc dialect types, attributes and enums ---------------===//

#include "qcc/Dialect/QC/IR/QCTypes.h"

#include "mlir/Dialect/Quant/IR/QuantTypes.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/DialectImplementation.h"
#include "llvm/ADT/TypeSwitch.h"
#include "llvm/Support/raw_ostream.h"

#include <cmath>
#include <cstdio>
#include <cstdlib>

using namespace mlir;
using namespace qcc;
using namespace qcc::qc;

#include "qcc/Dialect/QC/IR/QCEnums.cpp.inc"

#define GET_ATTRDEF_CLASSES
#include "qcc/Dialect/QC/IR/QCAttrs.cpp.inc"

#define GET_TYPEDEF_CLASSES
#include "qcc/Dialect/QC/IR/QCTypes.cpp.inc"

void QCDialect::registerTypes() {
  addTypes<
#define GET_TYPEDEF_LIST
#include "qcc/Dialect/QC/IR/QCTypes.cpp.inc"
      >();
}

void QCDialect::registerAttributes() {
  addAttributes<
#define GET_ATTRDEF_LIST
#include "qcc/Dialect/QC/IR/QCAttrs.cpp.inc"
      >();
}

//===----------------------------------------------------------------------===//
// Helpers
//===----------------------------------------------------------------------===//

numerics::RoundingMode qcc::qc::toNumerics(RoundingMode mode) {
  switch (mode) {
  case RoundingMode::HalfToEven:
    return numerics::RoundingMode::HalfToEven;
  case RoundingMode::HalfAwayFromZero:
    return numerics::RoundingMode::HalfAwayFromZero;
  case RoundingMode::HalfUp:
    return numerics::RoundingMode::HalfUp;
  case RoundingMode::TowardZero:
    return numerics::RoundingMode::TowardZero;
  case RoundingMode::Down:
    return numerics::RoundingMode::Down;
  case RoundingMode::Up:
    return numerics::RoundingMode::Up;
  }
  llvm_unreachable("unknown rounding mode");
}

std::optional<numerics::MinifloatKind> qcc::qc::getMinifloatKind(Type type) {
  using numerics::MinifloatKind;
  return llvm::TypeSwitch<Type, std::optional<MinifloatKind>>(type)
      .Case([](Float8E4M3FNType) { return MinifloatKind::F8E4M3FN; })
      .Case([](Float8E5M2Type) { return MinifloatKind::F8E5M2; })
      .Case([](Float6E3M2FNType) { return MinifloatKind::F6E3M2FN; })
      .Case([](Float6E2M3FNType) { return MinifloatKind::F6E2M3FN; })
      .Case([](Float4E2M1FNType) { return MinifloatKind::F4E2M1FN; })
      .Case([](Float8E8M0FNUType) { return MinifloatKind::F8E8M0FNU; })
      .Default([](Type) { return std::nullopt; });
}

namespace {

/// Low-bit float formats allowed as quantized storage (E8M0 is a scale-only
/// format).
bool isMinifloatStorage(Type type) {
  auto kind = getMinifloatKind(type);
  return kind && *kind != numerics::MinifloatKind::F8E8M0FNU;
}

constexpr const char *kMinifloatStorageList =
    "f8E4M3FN, f8E5M2, f6E3M2FN, f6E2M3FN or f4E2M1FN";

bool isExpressedFloat(Type type) {
  return type.isF32() || type.isF16() || type.isBF16();
}

bool isFiniteAndPositive(double v) { return std::isfinite(v) && v > 0; }

/// Prints `v` with the fewest digits that parse back to the same double,
/// always as a float literal.
void printRoundTripDouble(AsmPrinter &printer, double v) {
  char buffer[32];
  for (int precision = 1; precision <= 17; ++precision) {
    std::snprintf(buffer, sizeof(buffer), "%.*g", precision, v);
    if (std::strtod(buffer, nullptr) == v)
      break;
  }
  // MLIR float literals need a '.': "1e-05" would lex as an integer.
  std::string text(buffer);
  if (text.find('.') == std::string::npos) {
    const size_t exponent = text.find('e');
    text.insert(exponent == std::string::npos ? text.size() : exponent, ".0");
  }
  printer << text;
}

} // namespace

bool qcc::qc::isQuantizedElementType(Type type) {
  return isa<quant::UniformQuantizedType, quant::UniformQuantizedPerAxisType,
             quant::UniformQuantizedSubChannelType, ScaledFloatType,
             BlockScaledType>(type);
}

Type qcc::qc::getExpressedType(Type quantizedType) {
  return llvm::TypeSwitch<Type, Type>(quantizedType)
      .Case([](quant::QuantizedType t) { return t.getExpressedType(); })
      .Case([](ScaledFloatType t) { return t.getExpressedType(); })
      .Case([](BlockScaledType t) { return t.getExpressedType(); })
      .Default([](Type) { return Type(); });
}

/// Checks one axis with `numScales` scales against a tensor shape.
static LogicalResult
verifyPerAxisShape(function_ref<InFlightDiagnostic()> emitError, int64_t axis,
                   size_t numScales, ArrayRef<int64_t> shape) {
  if (axis >= static_cast<int64_t>(shape.size()))
    return emitError() << "quantized axis " << axis
                       << " is out of range for a tensor of rank "
                       << shape.size();
  if (!ShapedType::isDynamic(shape[axis]) &&
      shape[axis] != static_cast<int64_t>(numScales))
    return emitError() << "dimension " << axis << " has size " << shape[axis]
                       << " but the quantized type has " << numScales
                       << " scales";
  return success();
}

LogicalResult
qcc::qc::verifyQuantizedShape(function_ref<InFlightDiagnostic()> emitError,
                              Type quantizedType, ArrayRef<int64_t> shape) {
  if (auto perAxis = dyn_cast<quant::UniformQuantizedPerAxisType>(quantizedType))
    return verifyPerAxisShape(emitError, perAxis.getQuantizedDimension(),
                              perAxis.getScales().size(), shape);
  if (auto scaled = dyn_cast<ScaledFloatType>(quantizedType)) {
    if (!scaled.isPerAxis())
      return success();
    return verifyPerAxisShape(emitError, scaled.getAxis(),
                              scaled.getScales().size(), shape);
  }
  if (auto block = dyn_cast<BlockScaledType>(quantizedType)) {
    const int64_t axis = block.getAxis();
    if (axis >= static_cast<int64_t>(shape.size()))
      return emitError() << "block axis " << axis
                         << " is out of range for a tensor of rank "
                         << shape.size();
    if (ShapedType::isDynamic(shape[axis]))
      return emitError() << "block-scaled dimension " << axis
                         << " must be static";
    if (shape[axis] % block.getBlockSize() != 0)
      return emitError() << "dimension " << axis << " of size " << shape[axis]
                         << " is not a multiple of the block size "
                         << block.getBlockSize();
    return success();
  }
  if (auto subChannel =
          dyn_cast<quant::UniformQuantizedSubChannelType>(quantizedType)) {
    ArrayRef<int64_t> scalesShape = subChannel.getScales().getType().getShape();
    if (scalesShape.size() != shape.size())
      return emitError() << "per-group scales have rank " << scalesShape.size()
                         << " but the tensor has rank " << shape.size();
    SmallVector<int64_t> blockSizes(shape.size(), 0);
    for (auto [dim, size] : llvm::zip(subChannel.getQuantizedDimensions(),
                                      subChannel.getBlockSizes()))
      blockSizes[dim] = size;
    for (size_t d = 0; d < shape.size(); ++d) {
      if (ShapedType::isDynamic(shape[d]))
        continue;
      // A dimension without a listed block size is one block.
      const int64_t blockSize = blockSizes[d] ? blockSizes[d] : shape[d];
      if (shape[d] % blockSize != 0 || shape[d] / blockSize != scalesShape[d])
        return emitError() << "dimension " << d << " of size " << shape[d]
                           << " does not split into " << scalesShape[d]
                           << " groups of " << blockSize;
    }
    return success();
  }
  return success();
}

LogicalResult
qcc::qc::verifyQuantizedParams(function_ref<InFlightDiagnostic()> emitError,
                               Type quantizedType) {
  auto quantized = dyn_cast<quant::QuantizedType>(quantizedType);
  if (!quantized)
    return success();
  SmallVector<double> scales;
  SmallVector<int64_t> zeroPoints;
  if (auto q = dyn_cast<quant::UniformQuantizedType>(quantized)) {
    scales.push_back(q.getScale());
    zeroPoints.push_back(q.getZeroPoint());
  } else if (auto q =
                 dyn_cast<quant::UniformQuantizedPerAxisType>(quantized)) {
    llvm::append_range(scales, q.getScales());
    llvm::append_range(zeroPoints, q.getZeroPoints());
  } else if (auto q =
                 dyn_cast<quant::UniformQuantizedSubChannelType>(quantized)) {
    for (const APFloat &v : q.getScales().getValues<APFloat>())
      scales.push_back(v.convertToDouble());
    for (const APInt &v : q.getZeroPoints().getValues<APInt>())
      zeroPoints.push_back(v.getSExtValue());
  } else {
    return success();
  }
  // Name the index only where there are several parameters.
  const bool several = !isa<quant::UniformQuantizedType>(quantized);
  for (auto [i, scale] : llvm::enumerate(scales))
    if (!isFiniteAndPositive(scale)) {
      InFlightDiagnostic diag = emitError() << "scale ";
      if (several)
        diag << "#" << i << " ";
      return diag << "must be finite and positive, got " << scale;
    }
  const int64_t min = quantized.getStorageTypeMin();
  const int64_t max = quantized.getStorageTypeMax();
  for (auto [i, zeroPoint] : llvm::enumerate(zeroPoints))
    if (zeroPoint < min || zeroPoint > max) {
      InFlightDiagnostic diag = emitError() << "zero point ";
      if (several)
        diag << "#" << i << " (" << zeroPoint << ")";
      else
        diag << zeroPoint;
      return diag << " is out of the storage range [" << min << ", " << max
                  << "]";
    }
  return success();
}

//===----------------------------------------------------------------------===//
// ScaledFloatType
//===----------------------------------------------------------------------===//

LogicalResult
ScaledFloatType::verify(function_ref<InFlightDiagnostic()> emitError,
                        FloatType storageType, FloatType expressedType,
                        DenseF64ArrayAttr scalesAttr, int32_t axis) {
  ArrayRef<double> scales = scalesAttr.asArrayRef();
  if (!isMinifloatStorage(storageType))
    return emitError() << "storage type must be " << kMinifloatStorageList
                       << ", got " << storageType;
  if (!isExpressedFloat(expressedType))
    return emitError() << "expressed type must be f32, f16 or bf16, got "
                       << expressedType;
  if (scales.empty())
    return emitError() << "expected at least one scale";
  for (auto [i, scale] : llvm::enumerate(scales))
    if (!isFiniteAndPositive(scale))
      return emitError() << "scale #" << i
                         << " must be finite and positive, got " << scale;
  if (axis < kPerTensor)
    return emitError() << "quantized axis must be non-negative, got " << axis;
  if (axis == kPerTensor && scales.size() != 1)
    return emitError() << "a per-tensor type takes exactly one scale, got "
                       << scales.size();
  return success();
}

numerics::MinifloatKind ScaledFloatType::getStorageKind() const {
  return *getMinifloatKind(getStorageType());
}

/// Parses `<` storage `:` expressed, the leading part of both qc types.
static ParseResult parseStorageAndExpressed(AsmParser &parser, Type &storage,
                                            Type &expressed) {
  return failure(parser.parseLess() || parser.parseType(storage) ||
                 parser.parseColon() || parser.parseType(expressed));
}

/// Both types must be floats before the typed getters can be called; the
/// verifier then checks which floats.
static FailureOr<std::pair<FloatType, FloatType>>
castToFloats(AsmParser &parser, SMLoc loc, Type storage, Type expressed,
             StringRef storageRole) {
  auto storageFloat = dyn_cast<FloatType>(storage);
  auto expressedFloat = dyn_cast<FloatType>(expressed);
  if (!storageFloat)
    return parser.emitError(loc) << storageRole << " must be "
                                 << kMinifloatStorageList << ", got " << storage;
  if (!expressedFloat)
    return parser.emitError(loc)
           << "expressed type must be f32, f16 or bf16, got " << expressed;
  return std::make_pair(storageFloat, expressedFloat);
}

/// `<` storage `:` expressed (`:` axis)? `,` (scale | `{` scales `}`) `>`
Type ScaledFloatType::parse(AsmParser &parser) {
  const SMLoc loc = parser.getCurrentLocation();
  Type storage, expressed;
  if (parseStorageAndExpressed(parser, storage, expressed))
    return {};
  int32_t axis = kPerTensor;
  if (succeeded(parser.parseOptionalColon()) && parser.parseInteger(axis))
    return {};
  if (parser.parseComma())
    return {};
  SmallVector<double> scales;
  auto parseScale = [&]() -> ParseResult {
    return parser.parseFloat(scales.emplace_back());
  };
  // `{}` parses (to an empty list) so that the verifier can say what is wrong.
  const bool braced = succeeded(parser.parseOptionalLBrace());
  if (braced && failed(parser.parseOptionalRBrace()) &&
      (parser.parseCommaSeparatedList(parseScale) || parser.parseRBrace()))
    return {};
  if (!braced && parseScale())
    return {};
  if (parser.parseGreater())
    return {};
  auto floats = castToFloats(parser, loc, storage, expressed, "storage type");
  if (failed(floats))
    return {};
  return getChecked([&] { return parser.emitError(loc); },
                    parser.getContext(), floats->first, floats->second,
                    DenseF64ArrayAttr::get(parser.getContext(), scales), axis);
}

void ScaledFloatType::print(AsmPrinter &printer) const {
  printer << "<" << getStorageType() << ":" << getExpressedType();
  if (isPerAxis())
    printer << ":" << getAxis();
  printer << ", ";
  if (isPerAxis())
    printer << "{";
  llvm::interleaveComma(getScales().asArrayRef(), printer, [&](double scale) {
    printRoundTripDouble(printer, scale);
  });
  if (isPerAxis())
    printer << "}";
  printer << ">";
}

//===----------------------------------------------------------------------===//
// BlockScaledType
//===----------------------------------------------------------------------===//

LogicalResult
BlockScaledType::verify(function_ref<InFlightDiagnostic()> emitError,
                        FloatType elementType, FloatType expressedType,
                        FloatType scaleType, unsigned blockSize, int32_t axis,
                        APFloat tensorScale) {
  if (!isMinifloatStorage(elementType))
    return emitError() << "element type must be " << kMinifloatStorageList
                       << ", got " << elementType;
  if (!isExpressedFloat(expressedType))
    return emitError() << "expressed type must be f32, f16 or bf16, got "
                       << expressedType;
  if (!isa<Float8E8M0FNUType, Float8E4M3FNType>(scaleType))
    return emitError() << "block scale type must be f8E8M0FNU (MX) or "
                          "f8E4M3FN (NVFP4), got "
                       << scaleType;
  if (blockSize == 0)
    return emitError() << "block size must be positive";
  if (axis < 0)
    return emitError() << "block axis must be non-negative, got " << axis;
  if (!isFiniteAndPositive(tensorScale.convertToDouble()))
    return emitError() << "tensor_scale must be finite and positive, got "
                       << tensorScale.convertToDouble();
  return success();
}

numerics::BlockFormat BlockScaledType::getBlockFormat() const {
  return {*getMinifloatKind(getElementType()),
          *getMinifloatKind(getScaleType()), getBlockSize(),
          static_cast<float>(getTensorScale().convertToDouble())};
}

/// `<` element `:` expressed `, scale =` type `, block =` int `, axis =` int
/// (`, tensor_scale =` float)? `>`
Type BlockScaledType::parse(AsmParser &parser) {
  const SMLoc loc = parser.getCurrentLocation();
  Type element, expressed, scale;
  int64_t blockSize = 0;
  int32_t axis = 0;
  double tensorScale = 1.0;
  if (parseStorageAndExpressed(parser, element, expressed) ||
      parser.parseComma() || parser.parseKeyword("scale") ||
      parser.parseEqual() || parser.parseType(scale) || parser.parseComma() ||
      parser.parseKeyword("block") || parser.parseEqual() ||
      parser.parseInteger(blockSize) || parser.parseComma() ||
      parser.parseKeyword("axis") || parser.parseEqual() ||
      parser.parseInteger(axis))
    return {};
  if (succeeded(parser.parseOptionalComma()) &&
      (parser.parseKeyword("tensor_scale") || parser.parseEqual() ||
       parser.parseFloat(tensorScale)))
    return {};
  if (parser.parseGreater())
    return {};
  auto floats = castToFloats(parser, loc, element, expressed, "element type");
  if (failed(floats))
    return {};
  auto scaleFloat = dyn_cast<FloatType>(scale);
  if (!scaleFloat) {
    parser.emitError(loc) << "block scale type must be f8E8M0FNU (MX) or "
                             "f8E4M3FN (NVFP4), got "
                          << scale;
    return {};
  }
  if (blockSize <= 0 || blockSize > std::numeric_limits<int32_t>::max()) {
    parser.emitError(loc) << "block size must be positive, got " << blockSize;
    return {};
  }
  return getChecked([&] { return parser.emitError(loc); },
                    parser.getContext(), floats->first, floats->second,
                    scaleFloat, static_cast<unsigned>(blockSize), axis,
                    APFloat(tensorScale));
}

void BlockScaledType::print(AsmPrinter &printer) const {
  printer << "<" << getElementType() << ":" << getExpressedType()
          << ", scale = " << getScaleType() << ", block = " << getBlockSize()
          << ", axis = " << getAxis();
  if (const double tensorScale = getTensorScale().convertToDouble();
      tensorScale != 1.0) {
    printer << ", tensor_scale = ";
    printRoundTripDouble(printer, tensorScale);
  }
  printer << ">";
}

//===----------------------------------------------------------------------===//
// QuantParams
//===----------------------------------------------------------------------===//

llvm::Expected<qc::QuantParams> qc::QuantParams::get(Type type,
                                                     ArrayRef<int64_t> shape) {
  auto error = [](const Twine &message) {
    return llvm::createStringError(llvm::inconvertibleErrorCode(),
                                   message.str());
  };
  QuantParams t;
  t.shape.assign(shape.begin(), shape.end());
  if (auto q = dyn_cast<quant::UniformQuantizedType>(type)) {
    t.scales = {q.getScale()};
    t.zeroPoints = {q.getZeroPoint()};
    return t;
  }
  if (auto q = dyn_cast<quant::UniformQuantizedPerAxisType>(type)) {
    t.scales.assign(q.getScales().begin(), q.getScales().end());
    t.zeroPoints.assign(q.getZeroPoints().begin(), q.getZeroPoints().end());
    t.axis = q.getQuantizedDimension();
    return t;
  }
  if (auto f = dyn_cast<ScaledFloatType>(type)) {
    t.scales.assign(f.getScales().asArrayRef().begin(),
                    f.getScales().asArrayRef().end());
    t.zeroPoints.assign(t.scales.size(), 0);
    if (f.isPerAxis())
      t.axis = f.getAxis();
    return t;
  }
  if (auto q = dyn_cast<quant::UniformQuantizedSubChannelType>(type)) {
    for (const llvm::APFloat &v : q.getScales().getValues<llvm::APFloat>())
      t.scales.push_back(v.convertToDouble());
    for (const llvm::APInt &v : q.getZeroPoints().getValues<llvm::APInt>())
      t.zeroPoints.push_back(v.getSExtValue());
    ArrayRef<int64_t> scaleShape = q.getScales().getType().getShape();
    if (scaleShape.size() != shape.size())
      return error("per-group scales do not match the tensor's rank");
    t.groupShape.assign(scaleShape.begin(), scaleShape.end());
    for (size_t d = 0; d < shape.size(); ++d) {
      if (scaleShape[d] == 0 || shape[d] % scaleShape[d] != 0)
        return error("per-group scales do not divide the tensor");
      t.blocks.push_back(shape[d] / scaleShape[d]);
    }
    return t;
  }
  std::string name;
  llvm::raw_string_ostream os(name);
  type.print(os);
  return error("quantized type " + name +
               " has no constant per-element scales (block-scaled scales "
               "are data)");
}

qc::QuantParams::Element qc::QuantParams::at(int64_t i) const {
  size_t index = 0;
  if (axis >= 0) {
    int64_t inner = 1;
    for (size_t d = axis + 1; d < shape.size(); ++d)
      inner *= shape[d];
    index = (i / inner) % shape[axis];
  } else if (!blocks.empty()) {
    // Multi-index of i, divided by the block sizes, flattened over the
    // group (scale) shape.
    int64_t rest = i;
    size_t stride = 1;
    for (int64_t d = static_cast<int64_t>(shape.size()) - 1; d >= 0; --d) {
      const int64_t coordinate = rest % shape[d];
      rest /= shape[d];
      index += (coordinate / blocks[d]) * stride;
      stride *= groupShape[d];
    }
  }
  return {scales[index], zeroPoints[index]};
}
