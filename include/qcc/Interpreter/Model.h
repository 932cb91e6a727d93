//===- Model.h - A graph module's entry function and its data ---*- C++ -*-===//
//
// What the tools and the quantization library share about running a model:
// its entry function, the names its inputs and outputs have in messages,
// and runs over a data set in batches.
//
//===----------------------------------------------------------------------===//

#ifndef QCC_INTERPRETER_MODEL_H
#define QCC_INTERPRETER_MODEL_H

#include "qcc/Interpreter/Interpreter.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/BuiltinOps.h"
#include "llvm/ADT/STLFunctionalExtras.h"
#include "llvm/Support/Error.h"

#include <string>
#include <vector>

namespace qcc::interp {

/// @main, or the module's first function.
mlir::func::FuncOp getMainFunction(mlir::ModuleOp module);

/// The ONNX name of argument (or result) `i` of `func`, else "input_i".
std::string valueName(mlir::func::FuncOp func, unsigned i, bool result);

/// `type` as MLIR prints it.
std::string typeString(mlir::Type type);

/// Calls `body` on consecutive slices of `inputs` along dimension 0, of
/// `batchSize` rows each (the last may be shorter), showing progress under
/// `label`; stops at the first error `body` returns.
llvm::Error
forEachBatch(const std::vector<Tensor> &inputs, int64_t batchSize,
             llvm::StringRef label,
             llvm::function_ref<llvm::Error(const std::vector<Tensor> &)> body);

} // namespace qcc::interp

#endif // QCC_INTERPRETER_MODEL_H
