//===- QCInterfaces.h - qc op interfaces and traits -------------*- C++ -*-===//
//
// Declared in QCInterfaces.td; see there for their meaning.
//
//===----------------------------------------------------------------------===//

#ifndef QCC_DIALECT_QC_IR_QCINTERFACES_H
#define QCC_DIALECT_QC_IR_QCINTERFACES_H

#include "mlir/IR/OpDefinition.h"
#include "llvm/ADT/SmallVector.h"

#include <optional>

namespace qcc::qc::OpTrait {

/// Every result element is one of the operands' elements: the op preserves
/// a quantization shared by its operands and result (QC_ScalePreserving).
template <typename ConcreteType>
class ScalePreserving
    : public mlir::OpTrait::TraitBase<ConcreteType, ScalePreserving> {};

/// Integer code rescales the op's operands to its own result quantization
/// (QC_RescalesToResult).
template <typename ConcreteType>
class RescalesToResult
    : public mlir::OpTrait::TraitBase<ConcreteType, RescalesToResult> {};

} // namespace qcc::qc::OpTrait

#include "qcc/Dialect/QC/IR/QCInterfaces.h.inc"

#endif // QCC_DIALECT_QC_IR_QCINTERFACES_H
