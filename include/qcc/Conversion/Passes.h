//===- Passes.h - Conversions out of the qc dialect -------------*- C++ -*-===//

#ifndef QCC_CONVERSION_PASSES_H
#define QCC_CONVERSION_PASSES_H

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Bufferization/IR/Bufferization.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Pass/Pass.h"

namespace qcc {

#define GEN_PASS_DECL
#include "qcc/Conversion/Passes.h.inc"

#define GEN_PASS_REGISTRATION
#include "qcc/Conversion/Passes.h.inc"

} // namespace qcc

#endif // QCC_CONVERSION_PASSES_H
