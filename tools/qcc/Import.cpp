//===- Import.cpp - qcc import, run and compare ---------------------------===//

#include "Driver.h"

#include "qcc/Compiler/ModelFile.h"
#include "qcc/Compiler/Run.h"
#include "qcc/Import/ONNX.h"
#include "qcc/Quantization/Metrics.h"
#include "qcc/Support/OutputFiles.h"

#include "llvm/Support/Format.h"

using namespace llvm;

namespace qcc::driver {

cl::SubCommand
    importCommand("import",
                  "Import an ONNX model into qcc's float graph IR (MLIR)");
static cl::opt<std::string> importModel(cl::Positional, cl::Required,
                                        cl::desc("<model.onnx>"),
                                        forCommand(importCommand));
static cl::opt<std::string>
    importOutput("o", cl::value_desc("file"), cl::init("-"),
                 forCommand(importCommand),
                 cl::desc("Output .mlir file (default: standard output)"));

cl::SubCommand
    runCommand("run",
               "Run a model (.onnx or .mlir) with the reference interpreter on "
               "NumPy inputs");
static cl::opt<std::string> runModelPath(cl::Positional, cl::Required,
                                         cl::desc("<model.onnx|model.mlir>"),
                                         forCommand(runCommand));
static cl::list<std::string> runInputs(
    "input", cl::value_desc("file"), forCommand(runCommand),
    cl::desc("An input .npy, one per model input in order; or one .npz whose "
             "members are named after the inputs"));
static cl::opt<std::string> runOutput(
    "o", cl::value_desc("path"), cl::Required, forCommand(runCommand),
    cl::desc("Output: a .npy file (single-output models), a .npz file, or a "
             "directory (one NAME.npy per output)"));
static cl::opt<int64_t> runBatchSize(
    "batch-size", cl::init(0), forCommand(runCommand),
    cl::desc("Run in batches of this many samples along dimension 0 (with "
             "progress on a terminal); 0 (default): all at once"));

cl::SubCommand
    compareCommand("compare",
                   "Compare two NumPy arrays element-wise (|a - b| <= atol + "
                   "rtol * |b|); exit status 1 if they differ");
static cl::opt<std::string> compareActual(cl::Positional, cl::Required,
                                          cl::desc("<actual.npy>"),
                                          forCommand(compareCommand));
static cl::opt<std::string> compareExpected(cl::Positional, cl::Required,
                                            cl::desc("<expected.npy>"),
                                            forCommand(compareCommand));
static cl::opt<double> compareAtol("atol", cl::init(0.0),
                                   forCommand(compareCommand),
                                   cl::desc("Absolute tolerance (default 0)"));
static cl::opt<double> compareRtol("rtol", cl::init(0.0),
                                   forCommand(compareCommand),
                                   cl::desc("Relative tolerance (default 0)"));

int runImport() {
  if (Error e = checkOutputIsNotAnInput(importOutput, {importModel}))
    return fail("import", toString(std::move(e)));
  mlir::MLIRContext context;
  auto imported = importONNXModel(context, importModel);
  if (!imported)
    return fail("import", toString(imported.takeError()));
  if (Error e = writeModule(*imported->module, importOutput))
    return fail("import", toString(std::move(e)));
  return 0;
}

int runRun() {
  if (runBatchSize < 0)
    return fail("run", "--batch-size must be positive (or 0: all at once)");
  std::vector<std::string> read(runInputs.begin(), runInputs.end());
  read.push_back(runModelPath);
  if (Error e = checkOutputIsNotAnInput(runOutput, read))
    return fail("run", toString(std::move(e)));
  auto results = runModel(runModelPath, runInputs, runBatchSize);
  if (!results)
    return fail("run", toString(results.takeError()));
  if (Error e = writeOutputs(runOutput, *results))
    return fail("run", toString(std::move(e)));
  return 0;
}

int runCompare() {
  auto actual = readNpy(compareActual);
  if (!actual)
    return fail("compare", toString(actual.takeError()));
  auto expected = readNpy(compareExpected);
  if (!expected)
    return fail("compare", toString(expected.takeError()));
  if (actual->shape != expected->shape)
    return fail("compare", "shapes differ");
  const std::vector<double> a = actual->toDoubles();
  quantization::Comparison c = quantization::compareValues(
      a, expected->toDoubles(), compareAtol, compareRtol);
  outs() << format(
      "%zu values, max abs error %.3g, %zu outside atol %g rtol %g: %s\n",
      a.size(), c.maxAbsError, c.outside, compareAtol.getValue(),
      compareRtol.getValue(), c.outside ? "DIFFERENT" : "MATCH");
  return c.outside ? 1 : 0;
}

} // namespace qcc::driver
