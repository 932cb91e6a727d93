//===- Passes.h - qc dialect passes -----------------------------*- C++ -*-===//

#ifndef QCC_DIALECT_QC_TRANSFORMS_PASSES_H
#define QCC_DIALECT_QC_TRANSFORMS_PASSES_H

#include "qcc/Dialect/QC/IR/QCDialect.h"

#include "mlir/Pass/Pass.h"
#include "mlir/Pass/PassManager.h"

namespace qcc::qc {

#define GEN_PASS_DECL
#include "qcc/Dialect/QC/Transforms/Passes.h.inc"

#define GEN_PASS_REGISTRATION
#include "qcc/Dialect/QC/Transforms/Passes.h.inc"

/// Integer-only lowering: qc-lower-to-integer, then qc-check-integer-only
/// (float islands as warnings when `allowFloatIslands`, else errors).
/// Registered as the pipeline `qcc-integer-lowering`; `qcc quantize
/// --integer-only` and `qcc compile` run it.
void buildIntegerLoweringPipeline(mlir::OpPassManager &pm,
                                  bool allowFloatIslands = true);

/// Whether qc-lower-to-integer gives ops named `name` an integer form
/// between quantized values (layers, residual additions, averages,
/// activations, data movement); other ops stay float islands. The op
/// support report (docs/onnx-support.md) reads it.
bool hasIntegerLowering(mlir::OperationName name);

/// Registers the pipelines above.
void registerQCPipelines();

} // namespace qcc::qc

#endif // QCC_DIALECT_QC_TRANSFORMS_PASSES_H
