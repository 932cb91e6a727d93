//===- Passes.h - Conversions out of the qc dialect -------------*- C++ -*-===//

#ifndef QCC_CONVERSION_PASSES_H
#define QCC_CONVERSION_PASSES_H

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Bufferization/IR/Bufferization.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Pass/Pass.h"

namespace qcc {

/// The attribute marking linalg ops for convert-linalg-to-ukernel-calls, and
/// the kernel they compute.
inline constexpr llvm::StringLiteral kUkernelAttrName = "qc.ukernel";
inline constexpr llvm::StringLiteral kMatmulS8S8S32 = "matmul_s8s8s32";
inline constexpr llvm::StringLiteral kConv2DNchwS8S8S32 = "conv2d_nchw_s8s8s32";

#define GEN_PASS_DECL
#include "qcc/Conversion/Passes.h.inc"

#define GEN_PASS_REGISTRATION
#include "qcc/Conversion/Passes.h.inc"

} // namespace qcc

#endif // QCC_CONVERSION_PASSES_H
