//===- Eval.cpp - qcc eval: accuracy of a (quantized) model ---------------===//

#include "Driver.h"

#include "qcc/Runtime/CompiledModel.h"

#include "llvm/Support/Format.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/raw_ostream.h"

#include <cmath>

using namespace llvm;

namespace qcc::driver {

cl::SubCommand evalCommand(
    "eval", "Top-1 accuracy of a classifier (.onnx or .mlir, float or "
            "quantized) on labelled inputs; with --reference, also its "
            "agreement with a float model and the mean KL of the logits");
static cl::opt<std::string> evalModel(cl::Positional, cl::Required,
                                      cl::desc("<model.onnx|model.mlir>"),
                                      cl::sub(evalCommand), cl::cat(qccCategory));
static cl::list<std::string> evalInputs(
    "input", cl::desc("Input .npy (one per model input) or one .npz"),
    cl::value_desc("file"), cl::OneOrMore, cl::sub(evalCommand),
    cl::cat(qccCategory));
static cl::opt<std::string> evalLabels("labels",
                                       cl::desc("Integer class labels, [N]"),
                                       cl::value_desc("file.npy"), cl::Required,
                                       cl::sub(evalCommand), cl::cat(qccCategory));
static cl::opt<std::string> evalReference(
    "reference", cl::desc("Float model to compare top-1 and logits with"),
    cl::value_desc("model"), cl::init(""), cl::sub(evalCommand),
    cl::cat(qccCategory));
static cl::opt<int64_t> evalBatch("batch-size",
                                  cl::desc("Samples per interpreter run"),
                                  cl::init(64), cl::sub(evalCommand),
                                  cl::cat(qccCategory));

/// Logits [N, C] of a compiled model's first output.
static Expected<interp::Tensor>
compiledLogitsOf(StringRef path, ArrayRef<std::string> inputFiles) {
  auto run = runCompiledModel(path, inputFiles);
  if (!run)
    return run.takeError();
  const NpyArray &out = run->outputs.front();
  if (out.shape.size() != 2)
    return createStringError(inconvertibleErrorCode(),
                             "the model's first output must be logits "
                             "[N, classes]");
  return interp::Tensor(out.shape, out.toDoubles());
}

/// Logits [N, C] of `path`'s first output on `arrays`, batch by batch.
static Expected<interp::Tensor> logitsOf(mlir::MLIRContext &context,
                                         StringRef path,
                                         ArrayRef<std::string> inputFiles) {
  if (isCompiledModel(path))
    return compiledLogitsOf(path, inputFiles);
  auto module = loadModel(context, path);
  if (!module)
    return module.takeError();
  mlir::func::FuncOp func = getMainFunction(**module);
  if (!func)
    return createStringError(inconvertibleErrorCode(),
                             path + " has no function to run");
  auto arrays = readArguments(func, inputFiles, "--input");
  if (!arrays)
    return arrays.takeError();
  std::vector<interp::Tensor> inputs;
  for (const NpyArray &a : *arrays) {
    if (a.shape.empty())
      return createStringError(inconvertibleErrorCode(),
                               "inputs need a batch dimension");
    inputs.emplace_back(a.shape, a.toDoubles());
  }
  interp::Tensor logits;
  auto appendLogits = [&](const std::vector<interp::Tensor> &batch) -> Error {
    auto outputs = interp::runFunction(func, batch);
    if (!outputs)
      return outputs.takeError();
    const interp::Tensor &out = (*outputs)[0];
    if (out.rank() != 2)
      return createStringError(inconvertibleErrorCode(),
                               "the model's first output must be logits "
                               "[N, classes]");
    if (logits.shape.empty())
      logits.shape = {0, out.shape[1]};
    logits.shape[0] += out.shape[0];
    logits.data.insert(logits.data.end(), out.data.begin(), out.data.end());
    return Error::success();
  };
  if (Error e = forEachBatch(inputs, evalBatch,
                             ("evaluating " + sys::path::filename(path)).str(),
                             appendLogits))
    return std::move(e);
  return logits;
}

int runEval() {
  mlir::MLIRContext context;
  auto labels = readNpy(evalLabels);
  if (!labels)
    return fail("eval", toString(labels.takeError()));
  const std::vector<double> y = labels->toDoubles();
  if (labels->shape.size() != 1 ||
      llvm::any_of(y, [](double v) { return v != std::floor(v) || v < 0; }))
    return fail("eval", evalLabels + ": labels must be a 1-d array of "
                                     "non-negative integers");
  if (evalBatch < 1)
    return fail("eval", "--batch-size must be positive");
  auto logits = logitsOf(context, evalModel, evalInputs);
  if (!logits)
    return fail("eval", toString(logits.takeError()));
  const int64_t n = logits->shape[0];
  if (n != static_cast<int64_t>(y.size()))
    return fail("eval", Twine(y.size()) + " labels for " + Twine(n) +
                            " samples");
  int64_t correct = 0;
  for (int64_t i = 0; i < n; ++i)
    correct += argmax(*logits, i) == static_cast<int64_t>(y[i]);
  outs() << format("top-1 accuracy: %.2f%% (%lld/%lld)\n",
                   100.0 * correct / std::max<int64_t>(n, 1),
                   static_cast<long long>(correct), static_cast<long long>(n));
  if (evalReference.empty())
    return 0;
  auto reference = logitsOf(context, evalReference, evalInputs);
  if (!reference)
    return fail("eval", toString(reference.takeError()));
  if (reference->shape != logits->shape)
    return fail("eval", "the reference's logits differ in shape");
  int64_t agree = 0, referenceCorrect = 0;
  for (int64_t i = 0; i < n; ++i) {
    agree += argmax(*logits, i) == argmax(*reference, i);
    referenceCorrect += argmax(*reference, i) == static_cast<int64_t>(y[i]);
  }
  outs() << format("reference top-1 accuracy: %.2f%% (%lld/%lld)\n",
                   100.0 * referenceCorrect / n,
                   static_cast<long long>(referenceCorrect),
                   static_cast<long long>(n))
         << format("top-1 agreement with the reference: %.2f%% (%lld/%lld)\n",
                   100.0 * agree / n, static_cast<long long>(agree),
                   static_cast<long long>(n))
         << format("mean KL(reference || model) of the logits: %.6f nats\n",
                   meanSoftmaxKL(*reference, *logits));
  return 0;
}

} // namespace qcc::driver
