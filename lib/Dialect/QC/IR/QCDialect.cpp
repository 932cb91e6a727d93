//===- QCDialect.cpp - The qc dialect -------------------------------------===//

#include "qcc/Dialect/QC/IR/QCDialect.h"
#include "qcc/Dialect/QC/IR/QCOps.h"
#include "qcc/Dialect/QC/IR/QCTypes.h"

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
