//===- Run.h - Running a model on NumPy files -------------------*- C++ -*-===//
//
// What qcc run and qcc eval execute: a model file (ONNX or MLIR) with the
// reference interpreter, or a model compiled by qcc compile natively.
//
//===----------------------------------------------------------------------===//

#ifndef QCC_COMPILER_RUN_H
#define QCC_COMPILER_RUN_H

#include "qcc/Interpreter/Interpreter.h"
#include "qcc/Runtime/CompiledModel.h"
#include "qcc/Support/Npy.h"

#include "mlir/IR/MLIRContext.h"
#include "llvm/Support/Error.h"

#include <memory>
#include <string>
#include <vector>

namespace qcc {

/// Whether `path` is a model compiled by qcc compile (its directory, or a
/// model.so), which runs natively.
bool isCompiledModel(llvm::StringRef path);

/// A compiled model and its outputs on some inputs.
struct CompiledRun {
  std::unique_ptr<runtime::CompiledModel> model;
  std::vector<NpyArray> outputs;
};

/// Loads the compiled model at `path` and runs it on `inputFiles` (read as
/// interp::readArrays does, checked against the model's signature).
llvm::Expected<CompiledRun>
runCompiledModel(llvm::StringRef path, llvm::ArrayRef<std::string> inputFiles);

/// Runs the model at `path` on `inputFiles` (one .npy per input, or one
/// .npz) and returns its outputs by name: natively when compiled, else with
/// the interpreter, in batches of `batchSize` samples along dimension 0
/// (progress on a terminal; 0: all at once) whose outputs are concatenated.
llvm::Expected<NpzMembers> runModel(llvm::StringRef path,
                                    llvm::ArrayRef<std::string> inputFiles,
                                    int64_t batchSize);

/// Writes runModel's outputs to `path` (qcc run's -o): a .npz file, a
/// directory (one that exists, or a path ending in '/') with one NAME.npy
/// per output, or else a .npy file, which holds a single output.
llvm::Error writeOutputs(llvm::StringRef path, const NpzMembers &outputs);

/// The logits [N, classes] of the first output of the model at `path` on
/// `inputFiles`: natively when compiled, else interpreted in batches of
/// `batchSize` samples.
llvm::Expected<interp::Tensor>
computeLogits(mlir::MLIRContext &context, llvm::StringRef path,
              llvm::ArrayRef<std::string> inputFiles, int64_t batchSize);

} // namespace qcc

#endif // QCC_COMPILER_RUN_H
