//===- Eval.cpp - qcc eval: accuracy of a (quantized) model ---------------===//

#include "Driver.h"

#include "qcc/Compiler/Run.h"
#include "qcc/Quantization/Metrics.h"

#include "llvm/Support/Format.h"
#include "llvm/Support/raw_ostream.h"

#include <cmath>

using namespace llvm;
using namespace qcc::quantization;

namespace qcc::driver {

cl::SubCommand
    evalCommand("eval",
                "Top-1 accuracy of a classifier (.onnx or .mlir, float or "
                "quantized) on labelled inputs; with --reference, also its "
                "agreement with a float model and the mean KL of the logits");
static cl::opt<std::string> evalModel(cl::Positional, cl::Required,
                                      cl::desc("<model.onnx|model.mlir>"),
                                      forCommand(evalCommand));
static cl::list<std::string>
    evalInputs("input", cl::value_desc("file"), cl::OneOrMore,
               forCommand(evalCommand),
               cl::desc("Input .npy (one per model input) or one .npz"));
static cl::opt<std::string> evalLabels("labels",
                                       cl::desc("Integer class labels, [N]"),
                                       cl::value_desc("file.npy"), cl::Required,
                                       forCommand(evalCommand));
static cl::opt<std::string>
    evalReference("reference", cl::value_desc("model"), forCommand(evalCommand),
                  cl::desc("Float model to compare top-1 and logits with"));
static cl::opt<int64_t> evalBatch("batch-size",
                                  cl::desc("Samples per interpreter run"),
                                  cl::init(64), forCommand(evalCommand));

/// "NAME: P% (K/N)" with P = 100 K / `divisor`.
static void printShare(StringRef name, int64_t k, int64_t n, int64_t divisor) {
  outs() << format("%s: %.2f%% (%lld/%lld)\n", name.str().c_str(),
                   100.0 * k / divisor, static_cast<long long>(k),
                   static_cast<long long>(n));
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
  auto logits = computeLogits(context, evalModel, evalInputs, evalBatch);
  if (!logits)
    return fail("eval", toString(logits.takeError()));
  const int64_t n = logits->shape[0];
  if (n != static_cast<int64_t>(y.size()))
    return fail("eval",
                Twine(y.size()) + " labels for " + Twine(n) + " samples");
  printShare("top-1 accuracy", countTop1Correct(*logits, y), n,
             std::max<int64_t>(n, 1));
  if (evalReference.empty())
    return 0;
  auto reference = computeLogits(context, evalReference, evalInputs, evalBatch);
  if (!reference)
    return fail("eval", toString(reference.takeError()));
  if (reference->shape != logits->shape)
    return fail("eval", "the reference's logits differ in shape");
  int64_t agree = 0;
  for (int64_t i = 0; i < n; ++i)
    agree += argmax(*logits, i) == argmax(*reference, i);
  printShare("reference top-1 accuracy", countTop1Correct(*reference, y), n, n);
  printShare("top-1 agreement with the reference", agree, n, n);
  outs() << format("mean KL(reference || model) of the logits: %.6f nats\n",
                   meanSoftmaxKL(*reference, *logits));
  return 0;
}

} // namespace qcc::driver
