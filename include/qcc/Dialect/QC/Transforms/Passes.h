//===- Passes.h - qc dialect passes -----------------------------*- C++ -*-===//

#ifndef QCC_DIALECT_QC_TRANSFORMS_PASSES_H
#define QCC_DIALECT_QC_TRANSFORMS_PASSES_H

#include "qcc/Dialect/QC/IR/QCDialect.h"

#include "mlir/Pass/Pass.h"

namespace qcc::qc {

#define GEN_PASS_DECL
#include "qcc/Dialect/QC/Transforms/Passes.h.inc"

#define GEN_PASS_REGISTRATION
#include "qcc/Dialect/QC/Transforms/Passes.h.inc"

} // namespace qcc::qc

#endif // QCC_DIALECT_QC_TRANSFORMS_PASSES_H
