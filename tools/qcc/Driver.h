//===- Driver.h - Shared pieces of the qcc driver's commands ----*- C++ -*-===//
//
// Each `qcc` sub-command lives in its own file (Import.cpp, Quantize.cpp,
// ...) with its options; this header holds what they share.
//
//===----------------------------------------------------------------------===//

#ifndef QCC_TOOLS_QCC_DRIVER_H
#define QCC_TOOLS_QCC_DRIVER_H

#include "qcc/Interpreter/Interpreter.h"
#include "qcc/Interpreter/Model.h"
#include "qcc/Quantization/Metrics.h"
#include "qcc/Quantization/Quantize.h"
#include "qcc/Quantization/WeightFormat.h"
#include "qcc/Runtime/CompiledModel.h"
#include "qcc/Support/AtomicFile.h"
#include "qcc/Support/Npy.h"
#include "qcc/Support/Progress.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/MLIRContext.h"
#include "llvm/Support/CommandLine.h"

#include <optional>
#include <string>
#include <vector>

namespace qcc::driver {

extern llvm::cl::OptionCategory qccCategory;

// The sub-commands; main() dispatches on the one given.
extern llvm::cl::SubCommand importCommand, runCommand, compareCommand,
    quantizeCommand, evalCommand, formatsCommand, dyadicCommand, compileCommand,
    infoCommand, benchCommand, allocateCommand;
int runImport();
int runRun();
int runCompare();
int runQuantize();
int runEval();
int runFormats();
int runDyadic();
int runCompile();
int runInfo();
int runBench();
int runAllocate();

/// Prints "qcc COMMAND: error: MESSAGE" and returns 1.
int fail(llvm::StringRef command, const llvm::Twine &message);

using quantization::parseIntFormat;
using quantization::parseWeightFormat;
using quantization::WeightFormat;

/// The class of row `row` of [N, ...] logits (flattened past the batch):
/// the index of its largest value, the first on ties.
int64_t argmax(const interp::Tensor &logits, int64_t row);

using quantization::meanSoftmaxKL;

/// Loads a model: ONNX files through the importer, anything else as MLIR.
llvm::Expected<mlir::OwningOpRef<mlir::ModuleOp>>
loadModel(mlir::MLIRContext &context, llvm::StringRef path);

/// Prints `heading`, then the first 10 float islands and a count of the
/// rest (a long model may have thousands).
void listFloatIslands(llvm::raw_ostream &os, llvm::StringRef heading,
                      llvm::ArrayRef<std::string> islands);

/// Writes `module` as MLIR text to `path` ("-" for standard output),
/// atomically (writeFileAtomically).
llvm::Error writeModule(mlir::ModuleOp module, llvm::StringRef path);

/// An error if `output` names the same file as one of `inputs` (the option
/// is `outputFlag`, e.g. "-o"): a command must not overwrite what it reads.
llvm::Error checkOutputIsNotAnInput(llvm::StringRef output,
                                    llvm::ArrayRef<std::string> inputs,
                                    llvm::StringRef outputFlag = "-o");

using interp::forEachBatch;
using interp::getMainFunction;
using interp::typeString;
using interp::valueName;

/// The NumPy dtype that holds values of `type` (quantized: its storage).
std::optional<NpyDType> npyTypeOf(mlir::Type type);

/// Reads one array per argument of `func` from `files` (one .npy per
/// argument in order, or one .npz whose members are named after the
/// arguments), checking dtypes. `what` names the files in errors.
llvm::Expected<std::vector<NpyArray>>
readArguments(mlir::func::FuncOp func, llvm::ArrayRef<std::string> files,
              llvm::StringRef what);

/// Reads one array per name from `files` (one .npy per name in order, or
/// one .npz with members of those names). `what` names the files in errors.
llvm::Expected<std::vector<NpyArray>>
readArrays(llvm::ArrayRef<std::string> names, llvm::ArrayRef<std::string> files,
           llvm::StringRef what);

/// A compiled model and its outputs on some inputs.
struct CompiledRun {
  std::unique_ptr<runtime::CompiledModel> model;
  std::vector<NpyArray> outputs;
};
/// Loads the compiled model at `path` and runs it on `inputFiles` (read as
/// readArrays does, checked against the model's signature).
llvm::Expected<CompiledRun>
runCompiledModel(llvm::StringRef path, llvm::ArrayRef<std::string> inputFiles);

/// Whether `path` is a model compiled by qcc compile (its directory, or a
/// model.so), which qcc run and qcc eval execute natively.
bool isCompiledModel(llvm::StringRef path);

/// How qcc quantize's report names what was asked: as on the command line.
struct QuantizeSpelling {
  std::string model;
  std::string weights = "int8", acts = "int8", method = "minmax";
  bool mixedPrecision = false;
};

/// Quantizes `module` with the quantization library and prints qcc
/// quantize's report (standard output) and float islands (standard error).
llvm::Expected<quantization::QuantizeReport>
quantizeAndReport(mlir::ModuleOp module, llvm::ArrayRef<NpyArray> calibration,
                  quantization::QuantizeOptions options,
                  const QuantizeSpelling &spelling);

} // namespace qcc::driver

#endif // QCC_TOOLS_QCC_DRIVER_H
