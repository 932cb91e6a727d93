//===- QCDialect.h - The qc dialect -----------------------------*- C++ -*-===//

#ifndef QCC_DIALECT_QC_IR_QCDIALECT_H
#define QCC_DIALECT_QC_IR_QCDIALECT_H

#include "mlir/Dialect/Quant/IR/Quant.h"
#include "mlir/IR/Dialect.h"

#include "qcc/Dialect/QC/IR/QCDialect.h.inc"

#endif // QCC_DIALECT_QC_IR_QCDIALECT_H
