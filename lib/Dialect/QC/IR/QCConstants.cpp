//===- QCConstants.cpp - Reading and creating tensor constants ------------===//

#include "qcc/Dialect/QC/IR/QCConstants.h"
#include "qcc/Dialect/QC/IR/QCOps.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/DialectResourceBlobManager.h"
#include "mlir/IR/Matchers.h"

#include <cmath>
#include <cstring>

using namespace mlir;

std::optional<std::vector<float>> qcc::qc::getF32Constant(Value value) {
  auto constant = value.getDefiningOp<arith::ConstantOp>();
  if (!constant)
    return std::nullopt;
  auto type = dyn_cast<RankedTensorType>(constant.getType());
  if (!type || !type.getElementType().isF32())
    return std::nullopt;
  if (auto dense = dyn_cast<DenseElementsAttr>(constant.getValue())) {
    auto values = dense.getValues<float>();
    return std::vector<float>(values.begin(), values.end());
  }
  auto resource = dyn_cast<DenseResourceElementsAttr>(constant.getValue());
  if (!resource || !resource.getRawHandle().getBlob())
    return std::nullopt;
  ArrayRef<char> bytes = resource.getRawHandle().getBlob()->getData();
  if (bytes.size() != static_cast<size_t>(type.getNumElements()) * 4)
    return std::nullopt;
  std::vector<float> values(type.getNumElements());
  std::memcpy(values.data(), bytes.data(), bytes.size());
  return values;
}

std::optional<int64_t> qcc::qc::getScalarIntegerConstant(Value value) {
  DenseIntElementsAttr attr;
  if (!value || !matchPattern(value, m_Constant(&attr)) ||
      attr.getNumElements() != 1)
    return std::nullopt;
  return (*attr.getValues<APInt>().begin()).getSExtValue();
}

std::optional<float> qcc::qc::getScalarF32Constant(Value value) {
  std::optional<std::vector<float>> values =
      value ? getF32Constant(value) : std::nullopt;
  if (!values || values->size() != 1)
    return std::nullopt;
  return values->front();
}

std::optional<std::vector<int64_t>> qcc::qc::getIntegerConstant(Value value) {
  auto constant = value.getDefiningOp<arith::ConstantOp>();
  if (!constant)
    return std::nullopt;
  auto type = dyn_cast<RankedTensorType>(constant.getType());
  auto element = type ? dyn_cast<IntegerType>(type.getElementType()) : nullptr;
  if (!element || element.getWidth() > 64)
    return std::nullopt;
  std::vector<int64_t> values;
  values.reserve(type.getNumElements());
  if (auto dense = dyn_cast<DenseElementsAttr>(constant.getValue())) {
    for (const APInt &v : dense.getValues<APInt>())
      values.push_back(v.getSExtValue());
    return values;
  }
  auto resource = dyn_cast<DenseResourceElementsAttr>(constant.getValue());
  const unsigned bits = element.getWidth();
  if (!resource || !resource.getRawHandle().getBlob() || bits % 8 != 0)
    return std::nullopt;
  ArrayRef<char> bytes = resource.getRawHandle().getBlob()->getData();
  const size_t width = bits / 8;
  if (bytes.size() != static_cast<size_t>(type.getNumElements()) * width)
    return std::nullopt;
  for (size_t i = 0; i < bytes.size(); i += width) {
    uint64_t raw = 0;
    std::memcpy(&raw, bytes.data() + i, width); // little-endian host
    values.push_back(APInt(bits, raw).getSExtValue());
  }
  return values;
}

Value qcc::qc::createConstant(OpBuilder &builder, Location loc,
                              RankedTensorType type, ArrayRef<double> values,
                              StringRef name) {
  Type element = type.getElementType();
  const unsigned bits = element.getIntOrFloatBitWidth();
  if (values.size() <= 16 || bits % 8 != 0) {
    SmallVector<Attribute> attrs;
    for (double v : values)
      attrs.push_back(isa<FloatType>(element)
                          ? Attribute(builder.getFloatAttr(element, v))
                          : Attribute(builder.getIntegerAttr(
                                element, static_cast<int64_t>(v))));
    return arith::ConstantOp::create(builder, loc, type,
                                     DenseElementsAttr::get(type, attrs));
  }
  std::string bytes;
  bytes.reserve(values.size() * bits / 8);
  for (double v : values) {
    uint64_t raw;
    if (element.isF32()) {
      const float f = static_cast<float>(v);
      uint32_t b;
      std::memcpy(&b, &f, 4);
      raw = b;
    } else if (element.isF64()) {
      std::memcpy(&raw, &v, 8);
    } else {
      raw = static_cast<uint64_t>(static_cast<int64_t>(v));
    }
    bytes.append(reinterpret_cast<const char *>(&raw), bits / 8);
  }
  AsmResourceBlob blob = HeapAsmResourceBlob::allocateAndCopyWithAlign(
      ArrayRef<char>(bytes.data(), bytes.size()), alignof(uint64_t));
  return arith::ConstantOp::create(
      builder, loc, type,
      DenseResourceElementsAttr::get(type, name, std::move(blob)));
}

std::string qcc::qc::derivedConstantName(Value from, StringRef suffix,
                                         StringRef unnamed) {
  if (auto name = dyn_cast<NameLoc>(from.getLoc()))
    return (name.getName().strref() + suffix).str();
  return (unnamed + suffix).str();
}

std::optional<qcc::qc::BatchNormAffine>
qcc::qc::getBatchNormAffine(qcc::qc::BatchNormOp bn) {
  auto scale = getF32Constant(bn.getScale());
  auto bias = getF32Constant(bn.getBias());
  auto mean = getF32Constant(bn.getMean());
  auto var = getF32Constant(bn.getVariance());
  if (!scale || !bias || !mean || !var)
    return std::nullopt;
  const size_t n = scale->size();
  if (bias->size() != n || mean->size() != n || var->size() != n)
    return std::nullopt;
  const double eps = bn.getEpsilon().convertToDouble();
  qcc::qc::BatchNormAffine a;
  for (size_t c = 0; c < n; ++c) {
    a.factor.push_back((*scale)[c] / std::sqrt(double((*var)[c]) + eps));
    a.mean.push_back((*mean)[c]);
    a.shift.push_back((*bias)[c]);
  }
  return a;
}
