//===- Model.h - A graph module's entry function and its data ---*- C++ -*-===//
//
// What the tools and the quantization library share about running a model:
// its entry function, the names its inputs and outputs have in messages,
// its inputs read from NumPy files, and runs over a data set in batches.
//
//===----------------------------------------------------------------------===//

#ifndef QCC_INTERPRETER_MODEL_H
#define QCC_INTERPRETER_MODEL_H

#include "qcc/Interpreter/Interpreter.h"
#include "qcc/Support/Npy.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/BuiltinOps.h"
#include "llvm/ADT/STLFunctionalExtras.h"
#include "llvm/Support/Error.h"

#include <optional>
#include <string>
#include <vector>

namespace qcc::interp {

/// @main, or the module's first function.
mlir::func::FuncOp getMainFunction(mlir::ModuleOp module);

/// The ONNX name of argument (or result) `i` of `func`, else "input_i".
std::string valueName(mlir::func::FuncOp func, unsigned i, bool result);

/// `type` as MLIR prints it.
std::string typeString(mlir::Type type);

/// The NumPy dtype that holds values of `type` (quantized: its storage).
std::optional<NpyDType> npyTypeOf(mlir::Type type);

/// Reads one array per name from `files` (one .npy per name in order, or
/// one .npz with members of those names). `what` names the files in errors.
llvm::Expected<std::vector<NpyArray>>
readArrays(llvm::ArrayRef<std::string> names, llvm::ArrayRef<std::string> files,
           llvm::StringRef what);

/// Reads one array per argument of `func` from `files` as readArrays does,
/// checking dtypes. `what` names the files in errors.
llvm::Expected<std::vector<NpyArray>>
readArguments(mlir::func::FuncOp func, llvm::ArrayRef<std::string> files,
              llvm::StringRef what);

/// The arrays' values as interpreter tensors, one per array.
std::vector<Tensor> toTensors(llvm::ArrayRef<NpyArray> arrays);

/// Calls `body` on consecutive slices of `inputs` along dimension 0, of
/// `batchSize` rows each (the last may be shorter), showing progress under
/// `label`; stops at the first error `body` returns.
llvm::Error
forEachBatch(const std::vector<Tensor> &inputs, int64_t batchSize,
             llvm::StringRef label,
             llvm::function_ref<llvm::Error(const std::vector<Tensor> &)> body);

} // namespace qcc::interp

#endif // QCC_INTERPRETER_MODEL_H
