//===- PackedWeights.h - Matrix products on packed weights ------*- C++ -*-===//
//
// Steps of convert-qc-to-linalg that run before its op-by-op conversion
// (PackedWeights.cpp).
//
//===----------------------------------------------------------------------===//

#ifndef QCC_LIB_CONVERSION_PACKEDWEIGHTS_H
#define QCC_LIB_CONVERSION_PACKEDWEIGHTS_H

#include <cstdint>

namespace mlir {
class Operation;
} // namespace mlir

namespace qcc {

/// Matrix products on packed constant weights (qc.unpack) become calls of
/// the packed-weight kernels: int8 x int4/int8 -> int32, and f32 x
/// dequantized int8/int4/FP8/FP6/FP4 weights -> f32.
/// Integer convolutions use the packed path from `packedConvMinBytes`
/// int8 weight bytes on.
void convertPackedMatrixProducts(mlir::Operation *root,
                                 int64_t packedConvMinBytes);

/// The remaining qc.unpack of constants become constants of their codes.
void unpackConstantWeights(mlir::Operation *root);

/// qc.dequantize of constant weights (integer per tensor, channel or group;
/// low-bit float) become f32 constants, each value as the numerics library
/// dequantizes it.
void dequantizeConstantWeights(mlir::Operation *root);

} // namespace qcc

#endif // QCC_LIB_CONVERSION_PACKEDWEIGHTS_H
