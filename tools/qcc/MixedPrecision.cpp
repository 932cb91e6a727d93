//===- MixedPrecision.cpp - Mixed-precision flags and allocation table ----===//

#include "MixedPrecision.h"

#include "qcc/Numerics/Quantize.h"

#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/Format.h"
#include "llvm/Support/raw_ostream.h"

#include <cmath>

using namespace llvm;

namespace qcc::driver {

namespace {

/// Spearman's rank correlation of two samples (average ranks for ties).
double spearman(const std::vector<double> &a, const std::vector<double> &b) {
  auto ranks = [](const std::vector<double> &v) {
    std::vector<size_t> order(v.size());
    for (size_t i = 0; i < v.size(); ++i)
      order[i] = i;
    llvm::sort(order, [&](size_t x, size_t y) { return v[x] < v[y]; });
    std::vector<double> r(v.size());
    for (size_t i = 0; i < order.size();) {
      size_t j = i;
      while (j + 1 < order.size() && v[order[j + 1]] == v[order[i]])
        ++j;
      for (size_t k = i; k <= j; ++k)
        r[order[k]] = (i + j) / 2.0;
      i = j + 1;
    }
    return r;
  };
  std::vector<double> ra = ranks(a), rb = ranks(b);
  const double n = a.size();
  double ma = 0, mb = 0;
  for (size_t i = 0; i < a.size(); ++i) {
    ma += ra[i] / n;
    mb += rb[i] / n;
  }
  double cov = 0, va = 0, vb = 0;
  for (size_t i = 0; i < a.size(); ++i) {
    cov += (ra[i] - ma) * (rb[i] - mb);
    va += (ra[i] - ma) * (ra[i] - ma);
    vb += (rb[i] - mb) * (rb[i] - mb);
  }
  return va > 0 && vb > 0 ? cov / std::sqrt(va * vb) : 0.0;
}

} // namespace

MixedPrecisionFlags::MixedPrecisionFlags(cl::SubCommand &command)
    : candidates("candidates",
                 cl::desc("Mixed precision: candidate weight formats (default "
                          "int8,int6,int4,int3,int2,fp8e4m3,fp6e3m2,fp4e2m1)"),
                 cl::init("int8,int6,int4,int3,int2,fp8e4m3,fp6e3m2,fp4e2m1"),
                 cl::sub(command), cl::cat(qccCategory)),
      actCandidates(
          "act-candidates",
          cl::desc("Mixed precision: also choose each layer's input "
                   "activation format among these (e.g. int8,int16,fp8e4m3; "
                   "default: none, the activations stay in --acts). Wider "
                   "activations cost BOPs and CPU time, not weight size"),
          cl::init(""), cl::sub(command), cl::cat(qccCategory)),
      avgBits("avg-bits",
              cl::desc("Budget: average bits per weight over the quantized "
                       "layers (weighted by their weight counts)"),
              cl::init(0), cl::sub(command), cl::cat(qccCategory)),
      sizeBudget(
          "size-budget",
          cl::desc("Budget: weight bytes of the quantized layers, including "
                   "one f32 scale per output channel; BYTES, or P% of their "
                   "fp32 size"),
          cl::init(""), cl::sub(command), cl::cat(qccCategory)),
      bopsBudget("bops-budget",
                 cl::desc("Budget: bit operations per sample of the quantized "
                          "layers (multiply-adds x weight bits x 8 activation "
                          "bits); BOPS, or P% of the all-int8 model's"),
                 cl::init(""), cl::sub(command), cl::cat(qccCategory)),
      cpuLatencyBudget(
          "cpu-latency-budget",
          cl::desc("Budget: CPU milliseconds per sample of the quantized "
                   "layers by qcc's CPU cost model (multiply-adds at the "
                   "measured rate of the kernels each weight format runs "
                   "on); MS, or P% of the all-int8 model's"),
          cl::init(""), cl::sub(command), cl::cat(qccCategory)),
      fpgaLutBudget(
          "fpga-lut-budget",
          cl::desc("Budget: FPGA LUTs of the quantized layers' multipliers "
                   "by qcc's FPGA cost model (one multiplier per weight, "
                   "LUTs per weight x 8-bit activation multiplier by weight "
                   "format); LUTS, or P% of the all-int8 model's"),
          cl::init(""), cl::sub(command), cl::cat(qccCategory)),
      fpgaDspBudget(
          "fpga-dsp-budget",
          cl::desc("Budget: FPGA DSP slices of the quantized layers' "
                   "multipliers by qcc's FPGA cost model (one multiplier per "
                   "weight; a DSP where an operand is wider than 9 bits, "
                   "e.g. int16 activations); DSPS, or P% of one per weight"),
          cl::init(""), cl::sub(command), cl::cat(qccCategory)),
      sensitivity(
          "sensitivity",
          cl::desc("Mixed precision: measured (default: the model run with "
                   "the layer alone quantized, KL of its outputs), hessian "
                   "(the layer's Hessian trace of that KL, from two random "
                   "weight perturbations, times its weight quantization "
                   "error: two runs per layer instead of one per format) or "
                   "proxy (data-free: the layer's relative weight "
                   "quantization error; no model runs)"),
          cl::init("measured"), cl::sub(command), cl::cat(qccCategory)),
      samples("sensitivity-samples",
              cl::desc("Calibration samples sensitivity is measured on "
                       "(default 64)"),
              cl::init(64), cl::sub(command), cl::cat(qccCategory)),
      refine("refine",
             cl::desc("Mixed precision with measured sensitivity: run the "
                      "ILP's N best allocations jointly on the samples and "
                      "keep the one whose output is closest to the float "
                      "model's (default 8; 1: the ILP's optimum)"),
             cl::init(8), cl::sub(command), cl::cat(qccCategory)),
      cache("sensitivity-cache",
            cl::desc("Sensitivity cache (JSON): reused when it was measured "
                     "for the same model, calibration data, candidates, "
                     "samples and quantization options (SHA-256 key), "
                     "written otherwise; re-solving under other budgets is "
                     "then instant"),
            cl::value_desc("file.json"), cl::init(""), cl::sub(command),
            cl::cat(qccCategory)) {}

Expected<std::pair<SensitivityOptions, Budgets>>
MixedPrecisionFlags::parse() const {
  SensitivityOptions options;
  for (StringRef name : split(candidates.getValue(), ',')) {
    auto f = parseWeightFormat(name.trim(), "candidates");
    if (!f)
      return f.takeError();
    if (numerics::parseBlockFormat(f->name))
      return createStringError(inconvertibleErrorCode(),
                               "--candidates: block-scaled format '" + f->name +
                                   "' is not a mixed-precision candidate");
    options.candidates.push_back(*f);
  }
  if (!actCandidates.empty())
    for (StringRef name : split(actCandidates.getValue(), ',')) {
      auto f = parseWeightFormat(name.trim(), "act-candidates");
      if (!f)
        return f.takeError();
      if (numerics::parseBlockFormat(f->name))
        return createStringError(inconvertibleErrorCode(),
                                 "--act-candidates: block-scaled format '" +
                                     f->name + "' is not an activation format");
      options.actCandidates.push_back(*f);
    }
  if (sensitivity != "measured" && sensitivity != "proxy" &&
      sensitivity != "hessian")
    return createStringError(inconvertibleErrorCode(),
                             "--sensitivity must be measured, hessian or "
                             "proxy, got '" +
                                 sensitivity + "'");
  if (samples < 1)
    return createStringError(inconvertibleErrorCode(),
                             "--sensitivity-samples must be at least 1");
  options.measured = sensitivity == "measured";
  options.hessian = sensitivity != "proxy";
  options.samples = samples;
  options.cachePath = cache;
  if (refine < 1)
    return createStringError(inconvertibleErrorCode(),
                             "--refine must be at least 1");
  options.refine = refine;
  Budgets budgets;
  budgets.avgBits = avgBits;
  budgets.size = sizeBudget;
  budgets.bops = bopsBudget;
  budgets.cpuLatency = cpuLatencyBudget;
  budgets.fpgaLuts = fpgaLutBudget;
  budgets.fpgaDsps = fpgaDspBudget;
  return std::make_pair(std::move(options), std::move(budgets));
}

Expected<MixedPrecisionProblem>
buildAllocationProblem(mlir::ModuleOp module,
                       const std::vector<interp::Tensor> &inputs,
                       const SensitivityOptions &options,
                       const Budgets &budgets) {
  auto problem =
      quantization::buildMixedPrecisionProblem(module, inputs, options, budgets);
  if (problem && problem->fromCache)
    outs() << "sensitivities from " << options.cachePath << "\n";
  return problem;
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
                 spearman(problem.proxy, problem.measured),
                 problem.proxy.size());
    if (!problem.hessian.empty())
      os << format("Hessian-trace estimate vs measured sensitivity: Spearman "
                   "rank correlation %.3f\n",
                   spearman(problem.hessian, problem.measured));
  }
}

} // namespace qcc::driver
