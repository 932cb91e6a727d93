//===- Allocation.cpp - Choosing, showing and sweeping allocations --------===//
//
// What drivers do with a mixed-precision problem beyond solving it: parse
// candidates, print the allocation table, run mixed precision as a hook of
// quantizeModule, and sweep budgets for a Pareto frontier.
//
//===----------------------------------------------------------------------===//

#include "qcc/Interpreter/Model.h"
#include "qcc/Numerics/Quantize.h"
#include "qcc/Quantization/Metrics.h"
#include "qcc/Quantization/MixedPrecision.h"

#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/Format.h"

using namespace llvm;

namespace qcc::quantization {

Expected<SmallVector<WeightFormat>>
parseCandidateFormats(StringRef list, StringRef flag, bool activations) {
  SmallVector<WeightFormat> formats;
  for (StringRef name : split(list, ',')) {
    auto f = parseWeightFormat(name.trim(), flag);
    if (!f)
      return f.takeError();
    if (numerics::parseBlockFormat(f->name))
      return createStringError(
          inconvertibleErrorCode(),
          "--" + flag + ": block-scaled format '" + f->name + "' is not " +
              (activations ? "an activation format"
                           : "a mixed-precision candidate"));
    formats.push_back(*f);
  }
  return formats;
}

Error parseSensitivityMethod(StringRef name, SensitivityOptions &options) {
  if (name != "measured" && name != "proxy" && name != "hessian")
    return createStringError(inconvertibleErrorCode(),
                             "--sensitivity must be measured, hessian or "
                             "proxy, got '" +
                                 name + "'");
  options.measured = name == "measured";
  options.hessian = name != "proxy";
  return Error::success();
}

void printAllocation(raw_ostream &os, const MixedPrecisionProblem &problem,
                     const mp::Allocation &allocation) {
  os << format("%-28s %10s %8s", "layer", "weights", "format");
  for (const CandidateFormat &f : problem.formats)
    os << format(" %9s", f.name().c_str());
  os << (problem.wasMeasured
             ? "   (KL of the outputs with the layer alone in each format)\n"
         : problem.byHessian
             ? "   (Hessian trace x weight quantization error)\n"
             : "   (proxy: relative weight error)\n");
  for (size_t l = 0; l < problem.layers.size(); ++l) {
    os << format("%-28s %10.0f %8s", problem.layers[l].name.c_str(),
                 problem.layers[l].weights,
                 problem.formats[allocation.choice[l]].name().c_str());
    for (const mp::Candidate &c : problem.ilp.layers[l].candidates)
      os << format(" %9.2e", c.cost);
    os << "\n";
  }
  for (size_t r = 0; r < problem.ilp.resources.size(); ++r) {
    const mp::Resource &resource = problem.ilp.resources[r];
    // Small quantities (milliseconds) keep their significant digits.
    os << format(resource.budget < 1 ? "%s %.4g (budget %.4g)\n"
                                     : "%s %.3f (budget %.3f)\n",
                 resource.name.c_str(), allocation.used[r], resource.budget);
  }
  os << format("summed sensitivity %.3e\n", allocation.cost);
  if (problem.wasMeasured) {
    os << format("data-free proxy vs measured sensitivity: Spearman rank "
                 "correlation %.3f over %zu layer x format pairs\n",
                 spearmanRankCorrelation(problem.proxy, problem.measured),
                 problem.proxy.size());
    if (!problem.hessian.empty())
      os << format("Hessian-trace estimate vs measured sensitivity: Spearman "
                   "rank correlation %.3f\n",
                   spearmanRankCorrelation(problem.hessian, problem.measured));
  }
}

Expected<MixedPrecisionSolution>
solveMixedPrecision(mlir::ModuleOp module,
                    const std::vector<interp::Tensor> &inputs,
                    const SensitivityOptions &options, const Budgets &budgets,
                    raw_ostream &log) {
  auto problem = buildMixedPrecisionProblem(module, inputs, options, budgets);
  if (!problem)
    return problem.takeError();
  if (problem->fromCache)
    log << "sensitivities from " << options.cachePath << "\n";
  MixedPrecisionSolution solution{std::move(*problem), {}, 0, {}};
  raw_string_ostream refinementLog(solution.refinement);
  auto allocation =
      chooseAllocation(module, solution.problem, solution.problem.ilp, options,
                       solution.solveSeconds, &refinementLog);
  if (!allocation)
    return allocation.takeError();
  solution.allocation = std::move(*allocation);
  return solution;
}

Error allocateWeightFormats(mlir::ModuleOp module,
                            const std::vector<interp::Tensor> &inputs,
                            const qc::QCQuantizeOptions &quantize,
                            SensitivityOptions options, const Budgets &budgets,
                            raw_ostream &os) {
  options.quantize = quantize;
  auto solved = solveMixedPrecision(module, inputs, options, budgets, os);
  if (!solved)
    return createStringError(inconvertibleErrorCode(),
                             "mixed precision: " +
                                 toString(solved.takeError()));
  annotateAllocation(module, solved->problem, solved->allocation);
  printAllocation(os, solved->problem, solved->allocation);
  os << solved->refinement;
  return Error::success();
}

Expected<std::vector<FrontierPoint>>
sweepAverageBits(mlir::ModuleOp module, MixedPrecisionProblem &problem,
                 const SensitivityOptions &options, ArrayRef<double> budgets,
                 const FrontierTestData *test, raw_ostream &os) {
  interp::Tensor floatOutput;
  if (test) {
    auto reference = interp::runFunction(interp::getMainFunction(module),
                                         {test->inputs});
    if (!reference)
      return reference.takeError();
    floatOutput = (*reference)[0];
  }
  os << "Pareto frontier (average weight bits budget: achieved bits "
        "[formats], predicted KL = summed sensitivity"
     << (test ? ", measured KL on --input" : "")
     << (test && !test->labels.empty() ? ", top-1 %" : "") << "):\n";
  std::vector<FrontierPoint> frontier;
  std::vector<std::vector<int>> chosenBefore;
  for (double budget : budgets) {
    mp::Problem sweep = problem.ilp;
    sweep.resources[0].budget = budget;
    double seconds;
    auto allocation = chooseAllocation(module, problem, sweep, options,
                                       seconds, nullptr, chosenBefore);
    if (!allocation) {
      os << format("  %.2f: %s\n", budget,
                   toString(allocation.takeError()).c_str());
      continue;
    }
    FrontierPoint point{budget, std::move(*allocation)};
    const mp::Allocation &a = point.allocation;
    std::string formats;
    for (size_t l = 0; l < problem.layers.size(); ++l)
      formats += (l ? "," : "") + problem.formats[a.choice[l]].name();
    if (test) {
      mlir::OwningOpRef<mlir::ModuleOp> clone(module.clone());
      if (Error e = applyAllocation(*clone, problem, a, options.quantize))
        return std::move(e);
      auto out = interp::runFunction(interp::getMainFunction(*clone),
                                     {test->inputs});
      if (!out)
        return out.takeError();
      const interp::Tensor &logits = (*out)[0];
      point.measuredKL = meanSoftmaxKL(floatOutput, logits);
      if (!test->labels.empty())
        point.accuracy =
            100.0 * countTop1Correct(logits, test->labels) / logits.shape[0];
    }
    os << format("  %.2f: %.3f bits [%s] %.3e", budget, a.used[0],
                 formats.c_str(), a.cost);
    if (point.measuredKL >= 0)
      os << format(" %.3e", point.measuredKL);
    if (point.accuracy >= 0)
      os << format(" %.2f%%", point.accuracy);
    os << format(" (solved in %.3f s)\n", seconds);
    chosenBefore.push_back(a.choice);
    frontier.push_back(std::move(point));
  }
  return frontier;
}

} // namespace qcc::quantization
