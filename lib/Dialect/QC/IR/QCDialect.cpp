//===- QCDialect.cpp - The qc dialect -------------------------------------===//

#include "qcc/Dialect/QC/IR/QCDialect.h"
#include "qcc/Dialect/QC/IR/QCOps.h"
#include "qcc/Dialect/QC/IR/QCTypes.h"
#include "qcc/Numerics/Quantize.h"

#include "mlir/Dialect/Arith/IR/Arith.h"

#include <cmath>

using namespace mlir;
using namespace qcc::qc;

#include "qcc/Dialect/QC/IR/QCDialect.cpp.inc"

void QCDialect::initialize() {
  addOperations<
#define GET_OP_LIST
#include "qcc/Dialect/QC/IR/QCOps.cpp.inc"
      >();
  registerTypes();
  registerAttributes();
}

namespace {

/// Checks a `qc.act_range` / `qc.act_minmax` value: `array<f64: lo, hi>`
/// with finite bounds and lo <= hi (the readers ignore any other form).
LogicalResult verifyRange(function_ref<InFlightDiagnostic()> emitError,
                          StringRef name, Attribute value) {
  auto range = dyn_cast<DenseF64ArrayAttr>(value);
  if (!range || range.size() != 2)
    return emitError() << "'" << name
                       << "' must be an array<f64: lo, hi> of two elements, "
                          "got "
                       << value;
  const double lo = range[0], hi = range[1];
  if (!std::isfinite(lo) || !std::isfinite(hi))
    return emitError() << "'" << name << "' must have finite bounds, got "
                       << value;
  if (lo > hi)
    return emitError() << "'" << name << "' must have lo <= hi, got "
                       << value;
  return success();
}

/// Checks that a per-layer attribute sits on a layer with weights.
LogicalResult verifyOnWeightedLayer(Operation *op, StringRef name) {
  if (isa<WeightedLayerOpInterface>(op))
    return success();
  return op->emitOpError()
         << "'" << name
         << "' is only meaningful on a layer with weights (qc.conv, "
            "qc.conv_transpose, qc.gemm, qc.matmul)";
}

/// For diagnostics: the discardable attributes QCDialect.td declares.
constexpr llvm::StringLiteral kDeclaredAttrs =
    "qc.weight_format, qc.act_format, qc.act_range, qc.act_minmax and "
    "qc.block_weights";

} // namespace

LogicalResult QCDialect::verifyOperationAttribute(Operation *op,
                                                  NamedAttribute attribute) {
  StringRef name = attribute.getName().getValue();
  Attribute value = attribute.getValue();
  auto emitError = [op] { return op->emitOpError(); };
  if (name == WeightFormatAttrHelper::getNameStr() ||
      name == ActFormatAttrHelper::getNameStr()) {
    auto format = dyn_cast<StringAttr>(value);
    if (!format || !qcc::numerics::parseWeightFormat(format.getValue()))
      return op->emitOpError()
             << "'" << name << "' must be a string naming "
             << qcc::numerics::kWeightFormatNames << ", got " << value;
    return verifyOnWeightedLayer(op, name);
  }
  if (name == BlockWeightsAttrHelper::getNameStr()) {
    auto format = dyn_cast<StringAttr>(value);
    if (!format || !qcc::numerics::parseBlockFormat(format.getValue()))
      return op->emitOpError()
             << "'" << name << "' must be a string naming "
             << qcc::numerics::kBlockFormatNames << ", got " << value;
    return verifyOnWeightedLayer(op, name);
  }
  if (name == ActRangeAttrHelper::getNameStr() ||
      name == ActMinmaxAttrHelper::getNameStr()) {
    if (op->getNumResults() == 0)
      return op->emitOpError()
             << "'" << name << "' describes an op's result, but the op has "
                              "none";
    return verifyRange(emitError, name, value);
  }
  return op->emitOpError() << "unknown attribute '" << name
                           << "' of the qc dialect, which declares "
                           << kDeclaredAttrs;
}

LogicalResult QCDialect::verifyRegionArgAttribute(Operation *op,
                                                  unsigned regionIndex,
                                                  unsigned argIndex,
                                                  NamedAttribute attribute) {
  StringRef name = attribute.getName().getValue();
  auto emitError = [&] {
    return op->emitOpError() << "argument #" << argIndex << ": ";
  };
  if (name == ActRangeAttrHelper::getNameStr() ||
      name == ActMinmaxAttrHelper::getNameStr())
    return verifyRange(emitError, name, attribute.getValue());
  if (name == WeightFormatAttrHelper::getNameStr() ||
      name == ActFormatAttrHelper::getNameStr() ||
      name == BlockWeightsAttrHelper::getNameStr())
    return emitError() << "'" << name
                       << "' belongs on a layer with weights, not on an "
                          "argument";
  return success();
}

/// Folded constants (qc.reshape, qc.transpose of constants) are
/// arith.constant, as every constant of a qc graph.
Operation *QCDialect::materializeConstant(OpBuilder &builder, Attribute value,
                                          Type type, Location loc) {
  return arith::ConstantOp::materialize(builder, value, type, loc);
}
