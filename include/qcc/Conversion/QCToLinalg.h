//===- QCToLinalg.h - The qc graph to linalg, as patterns -------*- C++ -*-===//
//
// The pieces of convert-qc-to-linalg, for targets that run the same
// conversion with patterns of their own added (the CPU target's micro-kernel
// calls, with a higher benefit): the type converter, the conversion target,
// the patterns, and the rewrites of constant weights that run before them.
// The conversion itself knows no target.
//
//===----------------------------------------------------------------------===//

#ifndef QCC_CONVERSION_QCTOLINALG_H
#define QCC_CONVERSION_QCTOLINALG_H

#include "mlir/IR/BuiltinOps.h"
#include "mlir/Transforms/DialectConversion.h"

namespace qcc {

/// Quantized tensors are their storage integers; everything else is kept.
class QCStorageTypeConverter : public mlir::TypeConverter {
public:
  QCStorageTypeConverter();
};

/// Upstream's tensor-level dialects are legal, qc is not, and a constant is
/// legal once its type needs no conversion.
void configureQCToLinalgTarget(mlir::ConversionTarget &target,
                               const mlir::TypeConverter &converter);

/// How the transcendental float activations (sigmoid, tanh, erf, GELU)
/// compute: as the reference interpreter does, in double precision with
/// libm's functions and rounded to f32 once (bit-exact with it: what the
/// float islands of integer models need), or in f32 (float models, checked
/// within float tolerance), whose math functions a target may then
/// approximate with vectorizable polynomials. The other activations are
/// the interpreter's in both.
enum class FloatMath { Interpreter, Single };

/// One pattern per qc op code generation supports (Passes.td lists the
/// mapping). Each computes what the reference interpreter computes (float
/// activations in f32 with FloatMath::Single).
void populateQCToLinalgConversionPatterns(
    const mlir::TypeConverter &converter, mlir::RewritePatternSet &patterns,
    FloatMath floatMath = FloatMath::Interpreter);

/// An error for every qc op under `root` that no pattern of `patterns`
/// converts, naming its node: all of them at once, before converting.
mlir::LogicalResult
checkQCOpsAreConvertible(mlir::Operation *root,
                         mlir::RewritePatternSet &patterns);

/// The rewrites of constant weights that run before the patterns: packed
/// constants left (the ones no target kernel reads packed) become constants
/// of their codes; qc.dequantize / qc.dequantize_blocks of constants become
/// f32 constants, each value as the numerics library dequantizes it.
void foldConstantWeights(mlir::Operation *root);

/// The indexing maps of the batched integer product every integer matrix
/// product becomes, over loops (b, m, p, k): A[m, k], B[b, k, p] and
/// C[b, m, p]. Targets that replace it by a kernel match these.
llvm::SmallVector<mlir::AffineMap, 3>
getBatchedMatmulIndexingMaps(mlir::MLIRContext *context);

/// Constant integer weights narrower than 8 bits (int2 .. int7 of mixed
/// precision) become i8 constants of the same values, so that the layers run
/// as int8 products: the products sign-extend their operands anyway.
void widenSubByteWeights(mlir::Operation *root);

/// The whole conversion of `module` with `patterns` under `target`:
/// checkQCOpsAreConvertible, widenSubByteWeights, then a partial conversion.
/// (foldConstantWeights is the caller's, since a target may read some
/// packed constants first.)
mlir::LogicalResult applyQCToLinalgConversion(mlir::ModuleOp module,
                                              const mlir::ConversionTarget &target,
                                              mlir::RewritePatternSet &&patterns);

/// The spatial pads (begin H, begin W, end H, end W) a 2-d max pooling
/// reads: `pads`, and with `ceilMode` the end rows and columns that make
/// its last windows whole (each still holds an input element), for an
/// `inputSize` (H, W) pooled to `outputSize`.
llvm::SmallVector<int64_t>
getMaxPoolPads(llvm::ArrayRef<int64_t> pads, bool ceilMode,
               llvm::ArrayRef<int64_t> inputSize,
               llvm::ArrayRef<int64_t> outputSize,
               llvm::ArrayRef<int64_t> kernel, llvm::ArrayRef<int64_t> strides,
               llvm::ArrayRef<int64_t> dilations);

} // namespace qcc

#endif // QCC_CONVERSION_QCTOLINALG_H
