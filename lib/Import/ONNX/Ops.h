//===- Ops.h - ONNX node converters, one file per op family -----*- C++ -*-===//
//
// One converter per ONNX op type. Each normalises the op's attributes and
// opset differences into the qc graph op's canonical form, computes the
// result's symbolic shape, and folds shape computations where it can.
//
// The converters live in one file per op family: OpsElementwise.cpp,
// OpsConvPool.cpp, OpsMatMul.cpp, OpsNormalization.cpp, OpsShape.cpp and
// OpsQuantized.cpp. Ops.cpp holds the helpers they share (declared here)
// and the table of supported ops (getOpSupport).
//
//===----------------------------------------------------------------------===//

#ifndef QCC_LIB_IMPORT_ONNX_OPS_H
#define QCC_LIB_IMPORT_ONNX_OPS_H

#include "ImporterImpl.h"
#include "TensorData.h"

namespace qcc::onnx_import {

//===----------------------------------------------------------------------===//
// Shared helpers (Ops.cpp unless noted)
//===----------------------------------------------------------------------===//

/// NumPy broadcasting of symbolic shapes.
mlir::FailureOr<SymShape> broadcast(NodeContext &ctx, const SymShape &a,
                                    const SymShape &b);
SymShape shapeOfLiteral(const Literal &l);
/// The product of the static dims of an imported value's shape (bounded by
/// the importer's element limit, so it cannot overflow).
int64_t staticProduct(llvm::ArrayRef<Dim> dims);
/// A literal with the given values (known elements).
Literal makeLiteral(int32_t dataType, std::vector<int64_t> shape,
                    std::vector<double> values);
/// Publishes a compile-time value (e.g. a folded shape) as output `i`; its
/// MLIR constant is created only if a consumer needs data.
void setLiteralOutput(NodeContext &ctx, size_t i, Literal literal);
/// NumPy broadcasting of literal shapes; nullopt if they do not broadcast.
std::optional<std::vector<int64_t>>
broadcastLiteralShapes(llvm::ArrayRef<const Literal *> literals);
/// The flat index in `l` of flat element `i` of `l` broadcast to `shape`.
int64_t broadcastSourceIndex(const Literal &l, llvm::ArrayRef<int64_t> shape,
                             int64_t i);
mlir::DenseI64ArrayAttr i64Array(NodeContext &ctx,
                                 llvm::ArrayRef<int64_t> values);
/// A rank-0 constant of `element` holding `value`.
mlir::Value scalarConstant(NodeContext &ctx, mlir::Type element, double value);
/// A reshape to `shape` (at most one symbolic dim).
mlir::FailureOr<mlir::Value> reshapeTo(NodeContext &ctx, mlir::Value input,
                                       const SymShape &shape,
                                       mlir::Type element);
/// A qc.conv with the current node's Conv attributes (OpsConvPool.cpp).
mlir::FailureOr<std::pair<mlir::Value, SymShape>>
buildConv(NodeContext &ctx, mlir::Value x, const SymShape &xs, mlir::Value w,
          const SymShape &ws, mlir::Value bias, mlir::Type element);
/// numpy.matmul result shape (OpsMatMul.cpp).
mlir::FailureOr<SymShape> matmulShape(NodeContext &ctx, SymShape a,
                                      SymShape b);

//===----------------------------------------------------------------------===//
// Converters, by family
//===----------------------------------------------------------------------===//

// OpsElementwise.cpp (instantiated there for the ops the table uses).
template <typename OpT> mlir::LogicalResult convertBinary(NodeContext &ctx);
template <typename OpT> NodeConverter unary();
mlir::LogicalResult convertRelu(NodeContext &ctx);
mlir::LogicalResult convertLeakyRelu(NodeContext &ctx);
mlir::LogicalResult convertHardSigmoid(NodeContext &ctx);
mlir::LogicalResult convertGelu(NodeContext &ctx);
mlir::LogicalResult convertClip(NodeContext &ctx);
mlir::LogicalResult convertEqual(NodeContext &ctx);
mlir::LogicalResult convertWhere(NodeContext &ctx);

// OpsConvPool.cpp
mlir::LogicalResult convertConv(NodeContext &ctx);
mlir::LogicalResult convertConvTranspose(NodeContext &ctx);
mlir::LogicalResult convertPool(NodeContext &ctx, bool isMax);
mlir::LogicalResult convertGlobalAveragePool(NodeContext &ctx);

// OpsMatMul.cpp
mlir::LogicalResult convertGemm(NodeContext &ctx);
mlir::LogicalResult convertMatMul(NodeContext &ctx);

// OpsNormalization.cpp
mlir::LogicalResult convertSoftmax(NodeContext &ctx);
mlir::LogicalResult convertLayerNorm(NodeContext &ctx);
mlir::LogicalResult convertBatchNorm(NodeContext &ctx);
mlir::LogicalResult convertReduceMean(NodeContext &ctx);

// OpsShape.cpp
mlir::LogicalResult convertReshape(NodeContext &ctx);
mlir::LogicalResult convertFlatten(NodeContext &ctx);
mlir::LogicalResult convertSqueeze(NodeContext &ctx);
mlir::LogicalResult convertUnsqueeze(NodeContext &ctx);
mlir::LogicalResult convertShape(NodeContext &ctx);
mlir::LogicalResult convertGather(NodeContext &ctx);
mlir::LogicalResult convertConcat(NodeContext &ctx);
mlir::LogicalResult convertSplit(NodeContext &ctx);
mlir::LogicalResult convertSlice(NodeContext &ctx);
mlir::LogicalResult convertTranspose(NodeContext &ctx);
mlir::LogicalResult convertPad(NodeContext &ctx);
mlir::LogicalResult convertConstant(NodeContext &ctx);
mlir::LogicalResult convertIdentity(NodeContext &ctx);
mlir::LogicalResult convertCast(NodeContext &ctx);
mlir::LogicalResult convertConstantOfShape(NodeContext &ctx);
mlir::LogicalResult convertExpand(NodeContext &ctx);

// OpsQuantized.cpp
mlir::LogicalResult convertQuantizeLinear(NodeContext &ctx);
mlir::LogicalResult convertDequantizeLinear(NodeContext &ctx);
mlir::LogicalResult convertMatMulInteger(NodeContext &ctx);
mlir::LogicalResult convertQLinearMatMul(NodeContext &ctx);
mlir::LogicalResult convertConvInteger(NodeContext &ctx);
mlir::LogicalResult convertQLinearConv(NodeContext &ctx);

} // namespace qcc::onnx_import

#endif // QCC_LIB_IMPORT_ONNX_OPS_H
