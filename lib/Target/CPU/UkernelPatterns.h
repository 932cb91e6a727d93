//===- UkernelPatterns.h - Micro-kernel calls on the qc graph ---*- C++ -*-===//
//
// The CPU target's additions to convert-qc-to-linalg's conversion
// (qcc-cpu-convert-qc-to-linalg): calls of micro-kernels for what they
// compute faster than generated loops.
//
//===----------------------------------------------------------------------===//

#ifndef QCC_LIB_TARGET_CPU_UKERNELPATTERNS_H
#define QCC_LIB_TARGET_CPU_UKERNELPATTERNS_H

#include "mlir/Transforms/DialectConversion.h"

#include <cstdint>

namespace qcc::cpu {

/// Matrix products on packed constant weights (qc.unpack) become calls of
/// the packed-weight kernels, which unpack in registers: int8 x int4/int8 ->
/// int32, and f32 x dequantized int8/int4/FP8/FP6/FP4 weights -> f32 (and
/// float models' f32 constant weights). Integer convolutions use the packed
/// path from `packedConvMinBytes` int8 weight bytes on (PackedKernels.cpp).
void convertPackedMatrixProducts(mlir::Operation *root,
                                 int64_t packedConvMinBytes);

/// A float model's batched matrix products of two activations (attention)
/// become calls of qcc_ukernel_batch_matmul_f32, sums in f32: not for float
/// islands, whose products the interpreter sums in double
/// (PackedKernels.cpp).
void convertFloatBatchedProducts(mlir::Operation *root);

/// The chains qc.conv (int8) -> qc.rescale [-> qc.clip] as one call of the
/// convolution kernel with requantization in its output stage
/// (ConvRequant.cpp): the patterns, and the legality that keeps a chain's
/// first ops for the pattern rooted at its last.
void populateConvRequantPatterns(const mlir::TypeConverter &converter,
                                 mlir::RewritePatternSet &patterns);
void addConvRequantLegality(mlir::ConversionTarget &target);

/// int8 -> int8 qc.table lookups as calls of qcc_ukernel_lookup_s8
/// (TableLookup.cpp).
void populateTableLookupPatterns(const mlir::TypeConverter &converter,
                                 mlir::RewritePatternSet &patterns);

/// int8 and f32 qc.max_pool as calls of qcc_ukernel_max_pool2d_s8 / _f32
/// reading their input padded (MaxPool.cpp).
void populateMaxPoolPatterns(const mlir::TypeConverter &converter,
                             mlir::RewritePatternSet &patterns);

} // namespace qcc::cpu

#endif // QCC_LIB_TARGET_CPU_UKERNELPATTERNS_H
