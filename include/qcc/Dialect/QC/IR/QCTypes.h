//===- QCTypes.h - qc dialect types, attributes and enums -------*- C++ -*-===//

#ifndef QCC_DIALECT_QC_IR_QCTYPES_H
#define QCC_DIALECT_QC_IR_QCTYPES_H

#include "qcc/Dialect/QC/IR/QCDialect.h"
#include "qcc/Numerics/Dyadic.h"
#include "qcc/Numerics/Quantize.h"

#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/BuiltinTypes.h"
#include "llvm/Support/Error.h"

#include <vector>

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

/// Checks the parameters of a `!quant.uniform` type (per tensor, per axis or
/// per group): scales finite and positive, zero points within the storage
/// range (upstream checks neither fully). Other types pass. Reports through
/// `emitError`.
mlir::LogicalResult
verifyQuantizedParams(llvm::function_ref<mlir::InFlightDiagnostic()> emitError,
                      mlir::Type quantizedType);

/// The scale and zero point of each element of a tensor of `shape` whose
/// elements have a quantized type with constant parameters: per tensor,
/// per axis (`!quant.uniform`, `!qc.float`: zero point 0) or per group
/// (sub-channel `!quant.uniform`). The interpreter, the compile-time
/// folding of constant weights and weight rounding read parameters here.
class QuantParams {
public:
  struct Element {
    double scale;
    int64_t zeroPoint;
  };

  /// An error naming the problem for block-scaled types (their scales are
  /// data) and per-group scales that do not fit `shape`.
  static llvm::Expected<QuantParams> get(mlir::Type quantizedType,
                                         llvm::ArrayRef<int64_t> shape);

  /// The parameters of flat (row-major) element `i`.
  Element at(int64_t i) const;

private:
  std::vector<int64_t> shape;
  std::vector<double> scales;
  std::vector<int64_t> zeroPoints;
  int64_t axis = -1;                       // per axis
  std::vector<int64_t> blocks, groupShape; // per group
};

} // namespace qcc::qc

#endif // QCC_DIALECT_QC_IR_QCTYPES_H
