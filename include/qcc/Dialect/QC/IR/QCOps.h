//===- QCOps.h - qc dialect ops ---------------------------------*- C++ -*-===//

#ifndef QCC_DIALECT_QC_IR_QCOPS_H
#define QCC_DIALECT_QC_IR_QCOPS_H

#include "qcc/Dialect/QC/IR/QCDialect.h"
#include "qcc/Dialect/QC/IR/QCInterfaces.h"
#include "qcc/Dialect/QC/IR/QCTypes.h"

#include "mlir/Bytecode/BytecodeOpInterface.h"
#include "mlir/IR/OpDefinition.h"
#include "mlir/Dialect/Traits.h"
#include "mlir/Interfaces/InferTypeOpInterface.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"

namespace qcc::qc {

/// Checks the parameters of the quantized element types of `op`'s operands
/// and results (see verifyQuantizedParams).
mlir::LogicalResult verifyQuantizedElementTypes(mlir::Operation *op);

namespace OpTrait {
/// Every qc op: its quantized element types have valid parameters.
template <typename ConcreteType>
class VerifiesQuantizedTypes
    : public mlir::OpTrait::TraitBase<ConcreteType, VerifiesQuantizedTypes> {
public:
  static mlir::LogicalResult verifyTrait(mlir::Operation *op) {
    return verifyQuantizedElementTypes(op);
  }
};
} // namespace OpTrait

} // namespace qcc::qc

#define GET_OP_CLASSES
#include "qcc/Dialect/QC/IR/QCOps.h.inc"

namespace qcc::qc {

/// The rows and the codes per row of a tensor of `shape` packed with rows
/// running over `reductionDims` (qc.unpack, docs/packing.md).
std::pair<int64_t, int64_t>
getPackedRowsAndRowLength(llvm::ArrayRef<int64_t> shape,
                          llvm::ArrayRef<int64_t> reductionDims);

/// The elements of a tensor of `shape` in packed order: packed code i is
/// element `order[i]` (row-major) of the tensor.
std::vector<int64_t> getPackedOrder(llvm::ArrayRef<int64_t> shape,
                                    llvm::ArrayRef<int64_t> reductionDims);

/// The number of indices ONNX Slice selects from a dimension of `size`
/// (negative `start`/`end` count from the end; both clamp to the range).
int64_t getSliceSize(int64_t size, int64_t start, int64_t end, int64_t step);

/// Multiply-adds of a weighted layer per sample (per row of the batch
/// dimension); 0 for other ops.
double getMultiplyAddsPerSample(mlir::Operation *op);

/// The ONNX node name the importer recorded as `op`'s NameLoc, else the op
/// name. --keep-float, sensitivity reports and the ONNX exporter all address
/// layers by it.
std::string getNodeName(mlir::Operation *op);

/// Whether `keepFloat` (node names, or op names such as `qc.gemm`) keeps
/// `op` in float.
bool isKeptFloat(mlir::Operation *op, llvm::ArrayRef<std::string> keepFloat);

} // namespace qcc::qc

#endif // QCC_DIALECT_QC_IR_QCOPS_H
