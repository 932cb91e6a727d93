//===- QCTypes.h - qc dialect types, attributes and enums -------*- C++ -*-===//

#ifndef QCC_DIALECT_QC_IR_QCTYPES_H
#define QCC_DIALECT_QC_IR_QCTYPES_H

#include "qcc/Dialect/QC/IR/QCDialect.h"
#include "qcc/Numerics/Dyadic.h"
#include "qcc/Numerics/Quantize.h"

#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/BuiltinTypes.h"

#include "qcc/Dialect/QC/IR/QCEnums.h.inc"

#define GET_ATTRDEF_CLASSES
#include "qcc/Dialect/QC/IR/QCAttrs.h.inc"

#define GET_TYPEDEF_CLASSES
#include "qcc/Dialect/QC/IR/QCTypes.h.inc"

namespace qcc::qc {

/// The numerics library's rounding mode for an IR rounding mode.
numerics::RoundingMode toNumerics(RoundingMode mode);

/// The numerics library's format of a builtin low-bit float type, if any.
std::optional<numerics::MinifloatKind> getMinifloatKind(mlir::Type type);

/// True for the element types `qc.quantize` can produce and
/// `qc.dequantize` consume: `!quant.uniform` (per tensor, per axis, sub-
/// channel), `!qc.float` and `!qc.block`.
bool isQuantizedElementType(mlir::Type type);

/// The real (expressed) type of a quantized element type, or null.
mlir::Type getExpressedType(mlir::Type quantizedType);

/// Checks that a tensor of `shape` can carry elements of `quantizedType`:
/// per-axis axes are in range with one scale per index, per-group blocks
/// and block-scaled blocks divide their dimension. Reports through
/// `emitError` and fails otherwise.
mlir::LogicalResult
verifyQuantizedShape(llvm::function_ref<mlir::InFlightDiagnostic()> emitError,
                     mlir::Type quantizedType, llvm::ArrayRef<int64_t> shape);

} // namespace qcc::qc

#endif // QCC_DIALECT_QC_IR_QCTYPES_H
