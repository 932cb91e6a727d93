//===- MixedPrecision.cpp - Mixed-precision flags -------------------------===//

#include "MixedPrecision.h"

#include "qcc/Quantization/MixedPrecision.h"

using namespace llvm;

namespace qcc::driver {

MixedPrecisionFlags::MixedPrecisionFlags(cl::SubCommand &command)
    : candidates("candidates",
                 cl::init("int8,int6,int4,int3,int2,fp8e4m3,fp6e3m2,fp4e2m1"),
                 forCommand(command),
                 cl::desc("Mixed precision: candidate weight formats (default "
                          "int8,int6,int4,int3,int2,fp8e4m3,fp6e3m2,fp4e2m1)")),
      actCandidates(
          "act-candidates", forCommand(command),
          cl::desc("Mixed precision: also choose each layer's input "
                   "activation format among these (e.g. int8,int16,fp8e4m3; "
                   "default: none, the activations stay in --acts). Wider "
                   "activations cost BOPs and CPU time, not weight size")),
      avgBits("avg-bits", cl::init(0), forCommand(command),
              cl::desc("Budget: average bits per weight over the quantized "
                       "layers (weighted by their weight counts)")),
      sizeBudget(
          "size-budget", forCommand(command),
          cl::desc("Budget: weight bytes of the quantized layers, including "
                   "one f32 scale per output channel; BYTES, or P% of their "
                   "fp32 size")),
      bopsBudget("bops-budget", forCommand(command),
                 cl::desc("Budget: bit operations per sample of the quantized "
                          "layers (multiply-adds x weight bits x 8 activation "
                          "bits); BOPS, or P% of the all-int8 model's")),
      cpuLatencyBudget(
          "cpu-latency-budget", forCommand(command),
          cl::desc("Budget: CPU milliseconds per sample of the quantized "
                   "layers by qcc's CPU cost model (multiply-adds at the "
                   "measured rate of the kernels each weight format runs "
                   "on); MS, or P% of the all-int8 model's")),
      fpgaLutBudget(
          "fpga-lut-budget", forCommand(command),
          cl::desc("Budget: FPGA LUTs of the quantized layers' multipliers "
                   "by qcc's FPGA cost model (one multiplier per weight, "
                   "LUTs per weight x 8-bit activation multiplier by weight "
                   "format); LUTS, or P% of the all-int8 model's")),
      fpgaDspBudget(
          "fpga-dsp-budget", forCommand(command),
          cl::desc("Budget: FPGA DSP slices of the quantized layers' "
                   "multipliers by qcc's FPGA cost model (one multiplier per "
                   "weight; a DSP where an operand is wider than 9 bits, "
                   "e.g. int16 activations); DSPS, or P% of one per weight")),
      sensitivity(
          "sensitivity", cl::init("measured"), forCommand(command),
          cl::desc("Mixed precision: measured (default: the model run with "
                   "the layer alone quantized, KL of its outputs), hessian "
                   "(the layer's Hessian trace of that KL, from two random "
                   "weight perturbations, times its weight quantization "
                   "error: two runs per layer instead of one per format) or "
                   "proxy (data-free: the layer's relative weight "
                   "quantization error; no model runs)")),
      samples("sensitivity-samples", cl::init(64), forCommand(command),
              cl::desc("Calibration samples sensitivity is measured on "
                       "(default 64)")),
      refine("refine", cl::init(8), forCommand(command),
             cl::desc("Mixed precision with measured sensitivity: run the "
                      "ILP's N best allocations jointly on the samples and "
                      "keep the one whose output is closest to the float "
                      "model's (default 8; 1: the ILP's optimum)")),
      cache("sensitivity-cache", cl::value_desc("file.json"),
            forCommand(command),
            cl::desc("Sensitivity cache (JSON): reused when it was measured "
                     "for the same model, calibration data, candidates, "
                     "samples and quantization options (SHA-256 key), "
                     "written otherwise; re-solving under other budgets is "
                     "then instant")) {}

Expected<std::pair<SensitivityOptions, Budgets>>
MixedPrecisionFlags::parse() const {
  SensitivityOptions options;
  auto weights =
      quantization::parseCandidateFormats(candidates, "candidates", false);
  if (!weights)
    return weights.takeError();
  options.candidates = std::move(*weights);
  if (!actCandidates.empty()) {
    auto acts = quantization::parseCandidateFormats(actCandidates,
                                                    "act-candidates", true);
    if (!acts)
      return acts.takeError();
    options.actCandidates = std::move(*acts);
  }
  if (Error e = quantization::parseSensitivityMethod(sensitivity, options))
    return std::move(e);
  if (samples < 1)
    return createStringError(inconvertibleErrorCode(),
                             "--sensitivity-samples must be at least 1");
  options.samples = samples;
  options.cachePath = cache;
  if (refine < 1)
    return createStringError(inconvertibleErrorCode(),
                             "--refine must be at least 1");
  options.refine = refine;
  Budgets budgets{avgBits,          sizeBudget,    bopsBudget,
                  cpuLatencyBudget, fpgaLutBudget, fpgaDspBudget};
  return std::make_pair(std::move(options), std::move(budgets));
}

} // namespace qcc::driver
