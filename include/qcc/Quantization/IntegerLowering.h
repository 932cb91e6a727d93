//===- IntegerLowering.h - Quantized model to integer ops -------*- C++ -*-===//

#ifndef QCC_QUANTIZATION_INTEGERLOWERING_H
#define QCC_QUANTIZATION_INTEGERLOWERING_H

#include "mlir/IR/BuiltinOps.h"
#include "llvm/Support/Error.h"

#include <string>
#include <vector>

namespace qcc::quantization {

/// Runs the qcc-integer-lowering pipeline (idempotent on lowered IR) on
/// `module` and returns the float islands it left (ops without an integer
/// form, run in float between dequantize and quantize), one message each.
/// Errors go to the context's diagnostic handler.
llvm::Expected<std::vector<std::string>> lowerToInteger(mlir::ModuleOp module);

} // namespace qcc::quantization

#endif // QCC_QUANTIZATION_INTEGERLOWERING_H
