//===- QCOps.h - qc dialect ops ---------------------------------*- C++ -*-===//

#ifndef QCC_DIALECT_QC_IR_QCOPS_H
#define QCC_DIALECT_QC_IR_QCOPS_H

#include "qcc/Dialect/QC/IR/QCDialect.h"
#include "qcc/Dialect/QC/IR/QCTypes.h"

#include "mlir/Bytecode/BytecodeOpInterface.h"
#include "mlir/IR/OpDefinition.h"
#include "mlir/Dialect/Traits.h"
#include "mlir/Interfaces/InferTypeOpInterface.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"

#define GET_OP_CLASSES
#include "qcc/Dialect/QC/IR/QCOps.h.inc"

#endif // QCC_DIALECT_QC_IR_QCOPS_H
