//===- QCDialect.cpp - The qc dialect -------------------------------------===//

#include "qcc/Dialect/QC/IR/QCDialect.h"
#include "qcc/Dialect/QC/IR/QCOps.h"
#include "qcc/Dialect/QC/IR/QCTypes.h"
#include "qcc/Numerics/Quantize.h"

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

LogicalResult QCDialect::verifyOperationAttribute(Operation *op,
                                                  NamedAttribute attribute) {
  StringRef name = attribute.getName().getValue();
  if (name != kWeightFormatAttrName && name != kActFormatAttrName)
    return success();
  auto format = dyn_cast<StringAttr>(attribute.getValue());
  if (!format || !qcc::numerics::parseWeightFormat(format.getValue()))
    return op->emitOpError() << "'" << name << "' must be a string naming "
                             << qcc::numerics::kWeightFormatNames << ", got "
                             << attribute.getValue();
  if (!isa<WeightedLayerOpInterface>(op))
    return op->emitOpError()
           << "'" << name
           << "' is only meaningful on a layer with weights (qc.conv, "
              "qc.conv_transpose, qc.gemm, qc.matmul)";
  return success();
}
