//===- QCToLinalgPatterns.h - Shared by the qc -> linalg patterns -*- C++ -*-===//
//
// The helpers the pattern families of convert-qc-to-linalg share, and one
// populate function per family (one file each).
//
//===----------------------------------------------------------------------===//

#ifndef QCC_LIB_CONVERSION_QCTOLINALGPATTERNS_H
#define QCC_LIB_CONVERSION_QCTOLINALGPATTERNS_H

#include "qcc/Conversion/QCToLinalg.h"
#include "qcc/Dialect/QC/IR/QCOps.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Transforms/DialectConversion.h"

#include <optional>

namespace qcc::qc_to_linalg {

mlir::RankedTensorType tensorType(mlir::Value v);

/// A tensor.empty of `type` whose dynamic sizes are `like`'s at the same
/// positions (the batch dimension, in practice).
mlir::Value emptyLike(mlir::OpBuilder &b, mlir::Location loc,
                      mlir::RankedTensorType type, mlir::Value like);

mlir::Value constantInt(mlir::OpBuilder &b, mlir::Location loc,
                        mlir::Type type, int64_t v);

/// Zero of an integer or float element type.
mlir::Value zeroOf(mlir::OpBuilder &b, mlir::Location loc, mlir::Type element);

llvm::SmallVector<mlir::utils::IteratorType> parallel(int64_t n);

/// NumPy broadcasting of `operand` to a result of `rank`: size-1 and missing
/// leading dimensions read index 0.
mlir::AffineMap broadcastMap(mlir::MLIRContext *ctx,
                             mlir::RankedTensorType operand,
                             mlir::RankedTensorType result);

/// A linalg.generic computing `body(args...)` element-wise over `result`
/// from `inputs` (broadcast as NumPy does).
mlir::Value elementwise(
    mlir::OpBuilder &b, mlir::Location loc, mlir::RankedTensorType result,
    mlir::ValueRange inputs, mlir::Value like,
    llvm::function_ref<mlir::Value(mlir::OpBuilder &, mlir::Location,
                                   mlir::ValueRange)>
        body);

std::pair<int64_t, int64_t> signedRange(unsigned bits);

/// Reports an op code generation does not support, naming its node.
mlir::LogicalResult unsupported(mlir::Operation *op, const llvm::Twine &what);

/// Float islands compute as the interpreter does: in double precision,
/// rounded to f32 once per op (libm calls for exp, tanh, erf, pow). A
/// float operand is extended, an integer one converted as signed unless
/// `isUnsigned`.
mlir::Value toF64(mlir::OpBuilder &b, mlir::Location loc, mlir::Value v,
                  bool isUnsigned = false);

/// Whether a qc value's elements (of `type`, a tensor or element type) are
/// unsigned: unsigned integers and quantized types of unsigned storage.
/// Converted to signless storage, they need the unsigned arith ops.
bool isUnsignedElement(mlir::Type type);
mlir::Value f64Constant(mlir::OpBuilder &b, mlir::Location loc, double v);

/// A 2-d NCHW `input` padded on its spatial axes by `pads` (begin H, begin
/// W, end H, end W) with `value`; `input` when unpadded.
mlir::Value padSpatial(mlir::OpBuilder &b, mlir::Location loc,
                       mlir::Value input, llvm::ArrayRef<int64_t> pads,
                       mlir::Value value);

/// `bias` ([channels]) broadcast along `axis` into `init`.
mlir::Value broadcastInto(mlir::OpBuilder &b, mlir::Location loc,
                          mlir::Value bias, int64_t axis, mlir::Value init);

/// `bias` ([channels], or none: zeros) broadcast along `axis` of `type`,
/// whose dynamic sizes are `like`'s.
mlir::Value broadcastBias(mlir::OpBuilder &b, mlir::Location loc,
                          mlir::RankedTensorType type, mlir::Value bias,
                          int64_t axis, mlir::Value like);

/// `input` reduced over the dimensions `reduced` marks: a linalg.generic
/// into a tensor of the kept dimensions (in order) filled with `init`,
/// combining each element as `combine(b, loc, element, accumulator)`. The
/// loops run in the dimensions' order, so each accumulator takes its
/// elements in index order, as the interpreter adds them.
mlir::Value reduceDimensions(
    mlir::OpBuilder &b, mlir::Location loc, mlir::Value input,
    llvm::ArrayRef<bool> reduced, mlir::Value init,
    llvm::function_ref<mlir::Value(mlir::OpBuilder &, mlir::Location,
                                   mlir::Value, mlir::Value)>
        combine);

/// Replaces `op` by `reducedValue` (the kept dimensions of a reduction)
/// reshaped to `op`'s result type (reduced dimensions kept with size 1).
mlir::LogicalResult replaceByReduction(mlir::ConversionPatternRewriter &rewriter,
                                       mlir::Operation *op,
                                       mlir::Value reducedValue,
                                       mlir::RankedTensorType result);

// The pattern families.

/// Quantize, dequantize, storage and element casts, rescales, clamps and
/// the float islands' element-wise arithmetic and activations
/// (ElementwiseToLinalg.cpp).
void populateElementwisePatterns(const mlir::TypeConverter &converter,
                                 mlir::RewritePatternSet &patterns,
                                 FloatMath floatMath);
/// Convolutions and matrix products (ContractionToLinalg.cpp).
void populateContractionPatterns(const mlir::TypeConverter &converter,
                                 mlir::RewritePatternSet &patterns);
/// Padding, pooling and reductions (PoolingToLinalg.cpp).
void populatePoolingPatterns(const mlir::TypeConverter &converter,
                             mlir::RewritePatternSet &patterns);
/// Softmax, layer and batch normalization, means
/// (NormalizationToLinalg.cpp); softmax and layer normalization in f32
/// with FloatMath::Single.
void populateNormalizationPatterns(const mlir::TypeConverter &converter,
                                   mlir::RewritePatternSet &patterns,
                                   FloatMath floatMath);
/// Reshape, transpose, concat, split, slice, gather (ShapeToLinalg.cpp).
void populateShapePatterns(const mlir::TypeConverter &converter,
                           mlir::RewritePatternSet &patterns);

} // namespace qcc::qc_to_linalg

#endif // QCC_LIB_CONVERSION_QCTOLINALGPATTERNS_H
