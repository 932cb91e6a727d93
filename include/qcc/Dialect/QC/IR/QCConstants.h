//===- QCConstants.h - Reading and creating tensor constants ----*- C++ -*-===//
//
// Weights are `arith.constant`s holding either an inline `dense<...>` or a
// `dense_resource` blob. Passes that rewrite weights (BatchNorm folding,
// weight quantization) read and create them through these helpers.
//
//===----------------------------------------------------------------------===//

#ifndef QCC_DIALECT_QC_IR_QCCONSTANTS_H
#define QCC_DIALECT_QC_IR_QCCONSTANTS_H

#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/Value.h"

#include <optional>
#include <string>
#include <vector>

namespace qcc::qc {

class BatchNormOp;

/// The elements of `value` if it is a constant of f32 elements.
std::optional<std::vector<float>> getF32Constant(mlir::Value value);

/// The elements of `value` if it is a constant of signless integers (read as
/// signed; at most 64 bits wide).
std::optional<std::vector<int64_t>> getIntegerConstant(mlir::Value value);

/// The single element of `value` if it is a one-element integer constant
/// (read as signed), e.g. a clamp's bound.
std::optional<int64_t> getScalarIntegerConstant(mlir::Value value);

/// The single element of `value` if it is a one-element f32 constant, e.g.
/// a float clamp's bound.
std::optional<float> getScalarF32Constant(mlir::Value value);

/// An `arith.constant` of `type` holding `values` (f32 or integer elements;
/// integers are given as int64 and truncated to the element width). Small
/// constants are inline; larger ones are `dense_resource` blobs named after
/// `name`.
mlir::Value createConstant(mlir::OpBuilder &builder, mlir::Location loc,
                           mlir::RankedTensorType type,
                           llvm::ArrayRef<double> values, llvm::StringRef name);

/// The name of a constant derived from `from`: the ONNX name of `from` (its
/// NameLoc) or else `unnamed`, followed by `suffix`.
std::string derivedConstantName(mlir::Value from, llvm::StringRef suffix,
                                llvm::StringRef unnamed);

/// A BatchNorm with constant parameters as a per-channel affine map,
/// y = (x - mean) * factor + shift: factor = scale / sqrt(var + eps) and
/// shift = bias, per channel.
struct BatchNormAffine {
  std::vector<double> factor, shift, mean;
};
std::optional<BatchNormAffine> getBatchNormAffine(BatchNormOp bn);

} // namespace qcc::qc

#endif // QCC_DIALECT_QC_IR_QCCONSTANTS_H
