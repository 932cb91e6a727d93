//===- BatchedProduct.h - int8 products the GPU kernels take ---*- C++ -*-===//
//
// Private to the NVPTX target: the one form of int8 matrix product
// (`C[b, m, p] += sext(A[m, k]) * sext(B[b, k, p])`, batch 1, on buffers)
// that both the tensor-core and the dp4a kernels are built for.
//
//===----------------------------------------------------------------------===//

#ifndef QCC_LIB_TARGET_NVPTX_BATCHEDPRODUCT_H
#define QCC_LIB_TARGET_NVPTX_BATCHEDPRODUCT_H

#include "mlir/Dialect/Linalg/IR/Linalg.h"

#include <cstdint>
#include <optional>
#include <vector>

namespace qcc::nvptx {

/// An int8 product `C[1, M, P] += A[M, K] * B[1, K, P]` with int32 `C`, all
/// static and row-major.
struct BatchedProduct {
  mlir::Value a, b, c;
  int64_t m = 0, k = 0, p = 0;
  /// `A`'s values, row-major, when it is a constant weight (a constant
  /// global, or a view collapsing one): kernels lay it out at compile time.
  std::optional<std::vector<int8_t>> constantA;
};

/// `op` as such a product, or nothing.
std::optional<BatchedProduct> matchBatchedProduct(mlir::linalg::GenericOp op);

/// The element-wise op that is the only reader of the product's result
/// (`C` with the identity map, over the same `[1, M, P]` domain: the
/// requantization of a layer), when nothing between the two writes memory
/// and `C` is not read after it: a kernel may then apply it to each result
/// in registers instead of storing `C`. Null otherwise.
mlir::linalg::GenericOp findElementwiseConsumer(mlir::linalg::GenericOp op,
                                                const BatchedProduct &product);

/// `consumer`'s body for element `(0, m, p)` of the product, whose value is
/// `result`, at `builder`'s insertion point: its other operands loaded at
/// their indices, its value stored into its output.
void emitConsumerElement(mlir::OpBuilder &builder, mlir::Location loc,
                         mlir::linalg::GenericOp consumer,
                         const BatchedProduct &product, mlir::Value result,
                         mlir::Value m, mlir::Value p);

} // namespace qcc::nvptx

#endif // QCC_LIB_TARGET_NVPTX_BATCHEDPRODUCT_H
