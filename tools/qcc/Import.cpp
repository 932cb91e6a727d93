//===- Import.cpp - qcc import, run and compare ---------------------------===//

#include "Driver.h"

#include "qcc/Runtime/CompiledModel.h"

#include "qcc/Import/ONNX.h"

#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Format.h"
#include "llvm/Support/Path.h"

#include <cmath>

using namespace llvm;

namespace qcc::driver {

cl::SubCommand importCommand(
    "import", "Import an ONNX model into qcc's float graph IR (MLIR)");
static cl::opt<std::string> importModel(cl::Positional, cl::Required,
                                 cl::desc("<model.onnx>"),
                                 cl::sub(importCommand), cl::cat(qccCategory));
static cl::opt<std::string> importOutput("o", cl::desc("Output .mlir file (default: "
                                                "standard output)"),
                                  cl::value_desc("file"), cl::init("-"),
                                  cl::sub(importCommand), cl::cat(qccCategory));

cl::SubCommand runCommand(
    "run", "Run a model (.onnx or .mlir) with the reference interpreter on "
           "NumPy inputs");
static cl::opt<std::string> runModel(cl::Positional, cl::Required,
                              cl::desc("<model.onnx|model.mlir>"),
                              cl::sub(runCommand), cl::cat(qccCategory));
static cl::list<std::string> runInputs(
    "input",
    cl::desc("An input .npy, one per model input in order; or one .npz whose "
             "members are named after the inputs"),
    cl::value_desc("file"), cl::sub(runCommand), cl::cat(qccCategory));
static cl::opt<std::string> runOutput(
    "o",
    cl::desc("Output: a .npy file (single-output models), a .npz file, or a "
             "directory (one NAME.npy per output)"),
    cl::value_desc("path"), cl::Required, cl::sub(runCommand),
    cl::cat(qccCategory));

static cl::opt<int64_t> runBatchSize(
    "batch-size",
    cl::desc("Run in batches of this many samples along dimension 0 (with "
             "progress on a terminal); 0 (default): all at once"),
    cl::init(0), cl::sub(runCommand), cl::cat(qccCategory));

cl::SubCommand compareCommand(
    "compare", "Compare two NumPy arrays element-wise (|a - b| <= atol + "
               "rtol * |b|); exit status 1 if they differ");
static cl::opt<std::string> compareActual(cl::Positional, cl::Required,
                                   cl::desc("<actual.npy>"),
                                   cl::sub(compareCommand), cl::cat(qccCategory));
static cl::opt<std::string> compareExpected(cl::Positional, cl::Required,
                                     cl::desc("<expected.npy>"),
                                     cl::sub(compareCommand),
                                     cl::cat(qccCategory));
static cl::opt<double> compareAtol("atol", cl::desc("Absolute tolerance (default 0)"),
                            cl::init(0.0), cl::sub(compareCommand),
                            cl::cat(qccCategory));
static cl::opt<double> compareRtol("rtol", cl::desc("Relative tolerance (default 0)"),
                            cl::init(0.0), cl::sub(compareCommand),
                            cl::cat(qccCategory));

int runImport() {
  if (Error e = checkOutputIsNotAnInput(importOutput, {importModel}))
    return fail("import", toString(std::move(e)));
  mlir::MLIRContext context;
  auto imported = qcc::importONNXModel(context, importModel);
  if (!imported)
    return fail("import", toString(imported.takeError()));
  if (Error e = writeModule(*imported->module, importOutput))
    return fail("import", toString(std::move(e)));
  return 0;
}

static int writeResults(const qcc::NpzMembers &results);

/// Runs a compiled model (qcc compile's directory or model.so) natively.
static Expected<qcc::NpzMembers> runCompiled() {
  auto run = runCompiledModel(runModel, runInputs);
  if (!run)
    return run.takeError();
  qcc::NpzMembers results;
  for (auto [t, array] :
       llvm::zip(run->model->signature().outputs, run->outputs))
    results.push_back({t.name, std::move(array)});
  return results;
}

int runRun() {
  if (runBatchSize < 0)
    return fail("run", "--batch-size must be positive (or 0: all at once)");
  {
    std::vector<std::string> inputs(runInputs.begin(), runInputs.end());
    inputs.push_back(runModel);
    if (Error e = checkOutputIsNotAnInput(runOutput, inputs))
      return fail("run", toString(std::move(e)));
  }
  qcc::NpzMembers results;
  if (isCompiledModel(runModel)) {
    auto compiled = runCompiled();
    if (!compiled)
      return fail("run", toString(compiled.takeError()));
    results = std::move(*compiled);
    return writeResults(results);
  }
  mlir::MLIRContext context;
  auto module = loadModel(context, runModel);
  if (!module)
    return fail("run", toString(module.takeError()));
  mlir::func::FuncOp func = getMainFunction(**module);
  if (!func)
    return fail("run", runModel + " has no function to run");
  auto arrays = readArguments(func, runInputs, "--input");
  if (!arrays)
    return fail("run", toString(arrays.takeError()));
  std::vector<qcc::interp::Tensor> inputs;
  for (const NpyArray &array : *arrays)
    inputs.emplace_back(array.shape, array.toDoubles());

  // Whole inputs at once, or batches along dimension 0 (with progress on a
  // terminal) whose outputs are concatenated along dimension 0.
  int64_t samples = -1;
  if (runBatchSize > 0)
    for (const qcc::interp::Tensor &t : inputs) {
      if (t.shape.empty() || (samples >= 0 && t.shape[0] != samples))
        return fail("run", "--batch-size needs inputs with the same leading "
                           "(batch) dimension");
      samples = t.shape[0];
    }
  std::vector<qcc::interp::Tensor> outputs;
  if (samples < 0) {
    auto all = qcc::interp::runFunction(func, inputs);
    if (!all)
      return fail("run", toString(all.takeError()));
    outputs = std::move(*all);
  } else {
    auto appendOutputs =
        [&](const std::vector<qcc::interp::Tensor> &batch) -> llvm::Error {
      auto part = qcc::interp::runFunction(func, batch);
      if (!part)
        return part.takeError();
      if (outputs.empty()) {
        outputs = std::move(*part);
        return llvm::Error::success();
      }
      for (auto [out, piece] : llvm::zip(outputs, *part)) {
        if (out.shape.empty() || piece.shape.size() != out.shape.size())
          return llvm::createStringError(
              "--batch-size needs outputs with a leading batch dimension");
        out.shape[0] += piece.shape[0];
        out.data.insert(out.data.end(), piece.data.begin(), piece.data.end());
      }
      return llvm::Error::success();
    };
    if (llvm::Error e =
            forEachBatch(inputs, runBatchSize, "running", appendOutputs))
      return fail("run", toString(std::move(e)));
  }

  for (auto [i, tensor] : llvm::enumerate(outputs)) {
    mlir::Type element =
        cast<mlir::RankedTensorType>(func.getResultTypes()[i]).getElementType();
    std::optional<qcc::NpyDType> dtype = npyTypeOf(element);
    if (!dtype)
      return fail("run", "output #" + Twine(i) + " has type " +
                             typeString(element) +
                             ", which NumPy files cannot hold");
    results.push_back({valueName(func, i, true),
                       qcc::NpyArray::fromDoubles(*dtype, tensor.shape,
                                                  tensor.data)});
  }
  return writeResults(results);
}

/// Writes `results` to -o: a .npz, a directory of .npy files, or one .npy.
static int writeResults(const qcc::NpzMembers &results) {
  StringRef out = runOutput;
  if (out.ends_with(".npz")) {
    if (auto error = qcc::writeNpz(out, results))
      return fail("run", toString(std::move(error)));
    return 0;
  }
  if (out.ends_with("/") || sys::fs::is_directory(out)) {
    if (std::error_code ec = sys::fs::create_directories(out))
      return fail("run", "cannot create " + out + ": " + ec.message());
    for (const auto &[name, array] : results) {
      SmallString<256> path(out);
      sys::path::append(path, name + ".npy");
      if (auto error = qcc::writeNpy(path, array))
        return fail("run", toString(std::move(error)));
    }
    return 0;
  }
  if (results.size() != 1)
    return fail("run", "the model has " + Twine(results.size()) +
                           " outputs; -o must name a directory or a .npz file");
  if (auto error = qcc::writeNpy(out, results[0].second))
    return fail("run", toString(std::move(error)));
  return 0;
}

int runCompare() {
  auto actual = qcc::readNpy(compareActual);
  if (!actual)
    return fail("compare", toString(actual.takeError()));
  auto expected = qcc::readNpy(compareExpected);
  if (!expected)
    return fail("compare", toString(expected.takeError()));
  if (actual->shape != expected->shape)
    return fail("compare", "shapes differ");
  std::vector<double> a = actual->toDoubles(), b = expected->toDoubles();
  double worst = 0;
  size_t bad = 0;
  for (size_t i = 0; i < a.size(); ++i) {
    const double error = std::fabs(a[i] - b[i]);
    // NaN matches only NaN; equal infinities match (their difference is NaN).
    const bool ok = std::isnan(b[i])
                        ? std::isnan(a[i])
                        : a[i] == b[i] ||
                              error <= compareAtol + compareRtol * std::fabs(b[i]);
    if (!ok)
      ++bad;
    if (!std::isnan(error))
      worst = std::max(worst, error);
  }
  outs() << format("%zu values, max abs error %.3g, %zu outside atol %g rtol %g: %s\n",
                   a.size(), worst, bad, compareAtol.getValue(),
                   compareRtol.getValue(), bad ? "DIFFERENT" : "MATCH");
  return bad ? 1 : 0;
}

} // namespace qcc::driver
