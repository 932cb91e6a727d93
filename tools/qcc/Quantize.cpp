//===- Quantize.cpp - qcc quantize: options, report, files ----------------===//
//
// `qcc quantize` fills the quantization library's options from its flags,
// runs quantizeModule (qcc/Quantization/Quantize.h) on the loaded model and
// prints the report as text (and JSON with --report). qcc compile prints
// the same report through quantizeAndReport.
//
//===----------------------------------------------------------------------===//

#include "Driver.h"
#include "MixedPrecision.h"

#include "qcc/Export/ONNX.h"
#include "qcc/Numerics/Quantize.h"

#include "llvm/Support/Format.h"
#include "llvm/Support/JSON.h"

#include <cmath>

using namespace llvm;

namespace qcc::driver {

cl::SubCommand quantizeCommand(
    "quantize", "Post-training quantization: calibrate on a data set, "
                "quantize weights and activations, report per-layer SQNR");
static cl::opt<std::string> model(cl::Positional, cl::Required,
                                  cl::desc("<model.onnx|model.mlir>"),
                                  cl::sub(quantizeCommand), cl::cat(qccCategory));
static cl::list<std::string>
    calibFiles("calib",
               cl::desc("Calibration data: one .npy per model input, or one "
                        ".npz with an array per input (batch dimension first)"),
               cl::value_desc("file"), cl::OneOrMore, cl::sub(quantizeCommand),
               cl::cat(qccCategory));
static cl::opt<std::string> output("o", cl::desc("Quantized model (.mlir)"),
                                   cl::value_desc("file"), cl::Required,
                                   cl::sub(quantizeCommand),
                                   cl::cat(qccCategory));
static cl::opt<std::string> reportFile(
    "report", cl::desc("Also write the report as JSON to this file"),
    cl::value_desc("file.json"), cl::init(""), cl::sub(quantizeCommand),
    cl::cat(qccCategory));
static cl::opt<std::string> methodName(
    "calib-method",
    cl::desc("Activation clipping: minmax, percentile, mse or entropy"),
    cl::init("minmax"), cl::sub(quantizeCommand), cl::cat(qccCategory));
static cl::opt<double> percentile(
    "percentile", cl::desc("Percentile kept by --calib-method=percentile"),
    cl::init(99.99), cl::sub(quantizeCommand), cl::cat(qccCategory));
static cl::opt<std::string> weightFormat(
    "weights",
    cl::desc("Weight format: int2 .. int16 (symmetric), a low-bit float "
             "with per-channel scales: fp8e4m3, fp8e5m2, fp6e3m2, fp6e2m3, "
             "fp4e2m1, or block-scaled along the input channels: mxfp8, "
             "mxfp6, mxfp4 (OCP MX, E8M0 scale per 32), nvfp4 (E4M3 scale "
             "per 16 and a tensor scale)"),
    cl::init("int8"), cl::sub(quantizeCommand), cl::cat(qccCategory));
static cl::opt<std::string> actFormat(
    "acts",
    cl::desc("Activation format: int2 .. int16, or none (weight-only "
             "quantization: activations stay float32, no calibration run; "
             "compiled matrix products then read packed weights directly)"),
    cl::init("int8"), cl::sub(quantizeCommand), cl::cat(qccCategory));
static cl::opt<bool> asymmetricWeights(
    "asymmetric-weights",
    cl::desc("Integer weights with a zero point per channel or group (the "
             "full signed range spans each one's [min, max]; e.g. "
             "asymmetric per-group int4 with --weight-group-size 128). "
             "Default: symmetric, zero point 0"),
    cl::sub(quantizeCommand), cl::cat(qccCategory));
static cl::opt<bool> perTensor(
    "per-tensor-weights",
    cl::desc("One weight scale per tensor (default: per output channel)"),
    cl::init(false), cl::sub(quantizeCommand), cl::cat(qccCategory));
static cl::opt<std::string> weightClipping(
    "weight-clipping",
    cl::desc("Weight scales: absmax (default) or mse (per channel or group, "
             "the clipping that minimises the weights' quantization error; "
             "for FP8/FP6/FP4 weights the scale search that sets the "
             "format's clipping value and exponent bias, as LLM-FP4)"),
    cl::init("absmax"), cl::sub(quantizeCommand), cl::cat(qccCategory));
static cl::opt<bool> symmetricActs(
    "symmetric-acts",
    cl::desc("Symmetric activations (zero point 0; default: asymmetric)"),
    cl::init(false), cl::sub(quantizeCommand), cl::cat(qccCategory));
static cl::list<std::string> keepFloat(
    "keep-float",
    cl::desc("Leave these layers in float: node names or op names "
             "(e.g. qc.gemm); repeatable or comma-separated"),
    cl::CommaSeparated, cl::sub(quantizeCommand), cl::cat(qccCategory));
static cl::opt<int64_t> weightGroupSize(
    "weight-group-size",
    cl::desc("Integer weights: one scale per group of this many input "
             "channels (e.g. 32, 64, 128); 0 (default): per output channel"),
    cl::init(0), cl::sub(quantizeCommand), cl::cat(qccCategory));
static cl::opt<std::string> calibratedOutput(
    "calibrated-output",
    cl::desc("Also write the calibrated float model (ranges in "
             "qc.act_range attributes): `qopt -qc-quantize=...` re-quantizes "
             "it with other options without calibrating again"),
    cl::value_desc("file.mlir"), cl::init(""), cl::sub(quantizeCommand),
    cl::cat(qccCategory));
static cl::opt<bool> equalize(
    "equalize",
    cl::desc("Cross-layer equalization of conv -> relu -> [maxpool ->] conv "
             "chains before calibration (data-free quantization)"),
    cl::init(false), cl::sub(quantizeCommand), cl::cat(qccCategory));
static cl::opt<bool> optimizeRounding(
    "optimize-rounding",
    cl::desc("Layer-wise weight rounding optimisation (AdaRound-style): "
             "choose floor or ceil per weight to minimise each layer's "
             "output error on the calibration set"),
    cl::init(false), cl::sub(quantizeCommand), cl::cat(qccCategory));
static cl::opt<bool> int32Bias(
    "int32-bias",
    cl::desc("Quantize the biases of quantized conv/gemm layers to int32 at "
             "scale s_x * s_w (as integer code adds them); applied after "
             "rounding optimisation and bias correction"),
    cl::init(false), cl::sub(quantizeCommand), cl::cat(qccCategory));
static cl::opt<bool> biasCorrection(
    "bias-correction",
    cl::desc("Empirical bias correction: shift each quantized conv/gemm's "
             "bias by its mean output error on the calibration set"),
    cl::init(false), cl::sub(quantizeCommand), cl::cat(qccCategory));
static cl::opt<int64_t> sqnrSamples(
    "sqnr-samples",
    cl::desc("Measure the report's per-layer SQNR on at most this many "
             "calibration samples (the reference interpreter runs the float "
             "and the quantized model on them; default 256, 0: all)"),
    cl::init(256), cl::sub(quantizeCommand), cl::cat(qccCategory));
static cl::opt<std::string> calibrateWith(
    "calibrate-with",
    cl::desc("How calibration runs the float model: compiled (native code "
             "from the CPU code generator, with every observed activation as "
             "an extra output; falls back to the interpreter, with a note, "
             "for ops code generation lacks), interpreter (the reference "
             "interpreter, one op at a time in double precision), or auto "
             "(default: compiled when interpreting the calibration set, at "
             "about 1e9 multiply-adds/s, would take longer than building "
             "the code, about 2 s plus 0.5 s per MB of weights)"),
    cl::init("auto"), cl::sub(quantizeCommand), cl::cat(qccCategory));
static cl::opt<bool> integerOnly(
    "integer-only",
    cl::desc("Integer-only inference: calibrate and quantize every activation "
             "integer code stores (layer outputs, sums, pooled values), "
             "quantize biases to int32 and lower the model to integer ops "
             "with dyadic rescales (qc-lower-to-integer); ops without an "
             "integer form stay float islands and are listed"),
    cl::sub(quantizeCommand), cl::cat(qccCategory));

static cl::opt<std::string> exportOnnx(
    "export-onnx",
    cl::desc("Also write the quantized model as a standard QDQ ONNX model"),
    cl::value_desc("file.onnx"), cl::init(""), cl::sub(quantizeCommand),
    cl::cat(qccCategory));
static cl::opt<int64_t> batchSize("batch-size",
                                  cl::desc("Calibration samples per run"),
                                  cl::init(32), cl::sub(quantizeCommand),
                                  cl::cat(qccCategory));
static cl::opt<bool> mixedPrecision(
    "mixed-precision",
    cl::desc("Choose each layer's weight format among --candidates by "
             "measured sensitivity and an integer linear program under the "
             "budgets given (--avg-bits, --size-budget, --bops-budget, "
             "--cpu-latency-budget, --fpga-lut-budget, --fpga-dsp-budget); see "
             "qcc allocate"),
    cl::sub(quantizeCommand), cl::cat(qccCategory));
static MixedPrecisionFlags mixedPrecisionFlags(quantizeCommand);
namespace {

std::string formatDouble(double v) {
  char buffer[32];
  std::snprintf(buffer, sizeof(buffer), "%.4g", v);
  return buffer;
}

/// The report's first line: what was quantized how.
void printSummary(raw_ostream &os, const quantization::QuantizeOptions &options,
                  const QuantizeSpelling &spelling, int64_t samples) {
  const qc::QCQuantizeOptions &q = options.quantize;
  const bool blocks = numerics::parseBlockFormat(spelling.weights).has_value();
  os << "quantized " << spelling.model << " ("
     << (spelling.mixedPrecision ? "mixed-precision" : spelling.weights)
     << " weights "
     << (blocks          ? "in blocks along the input channels"
         : q.groupSize   ? ("per group of " + std::to_string(q.groupSize))
         : !q.perChannel ? "per tensor"
                         : "per channel")
     << " ("
     << (blocks ? std::string("block scales")
                : (q.asymmetricWeights ? "asymmetric, " : "") +
                      q.weightClipping + " scales")
     << (options.equalize ? ", equalized" : "")
     << (options.optimizeRounding ? ", optimized rounding" : "")
     << (options.biasCorrection ? ", bias-corrected" : "")
     << (options.int32Bias ? ", int32 biases" : "") << "), ";
  if (q.weightOnly)
    os << "float activations (weight-only))\n";
  else
    os << spelling.acts << (q.symmetricActs ? " symmetric" : " asymmetric")
       << " activations, calibration " << spelling.method << " on " << samples
       << " samples)\n";
}

void printReport(raw_ostream &os, const quantization::QuantizeOptions &options,
                 const QuantizeSpelling &spelling,
                 const quantization::QuantizeReport &report) {
  printSummary(os, options, spelling, report.samples);
  const double samplesPerSecond =
      report.samples / std::max(report.calibrationSeconds, 1e-9);
  if (!options.quantize.weightOnly)
    os << format("calibration (%s): %lld samples in %.2f s (%.*f "
                 "samples/s, %zu activations observed)\n",
                 report.compiledCalibration
                     ? formatv("compiled code, built in {0:F2} s",
                               report.compileSeconds)
                           .str()
                           .c_str()
                     : "interpreter",
                 static_cast<long long>(report.samples),
                 report.calibrationSeconds, samplesPerSecond < 10 ? 2 : 0,
                 samplesPerSecond, report.observedActivations);
  os << format("%-28s %-10s %-22s %-10s %-24s %10s\n", "layer", "op",
               "weights", "acts", "act range", "SQNR dB");
  for (const quantization::LayerReport &r : report.layers) {
    std::string range = r.hasAct ? (Twine("[") + formatDouble(r.rangeLo) +
                                    ", " + formatDouble(r.rangeHi) + "]")
                                       .str()
                                 : "-";
    os << format("%-28s %-10s %-22s %-10s %-24s %10.2f\n", r.name.c_str(),
                 r.op.c_str(), r.weightFormat.c_str(), r.actFormat.c_str(),
                 range.c_str(), r.sqnr());
  }
  os << format("weights of the %zu layers: %lld bytes stored (codes, "
               "scales, zero points), %lld as f32 (%.1f%%)\n",
               report.layers.size(), static_cast<long long>(report.weightBytes),
               static_cast<long long>(report.floatWeightBytes),
               report.floatWeightBytes
                   ? 100.0 * report.weightBytes / report.floatWeightBytes
                   : 0.0);
}


json::Value reportToJSON(const quantization::QuantizeOptions &options,
                         const QuantizeSpelling &spelling,
                         const quantization::QuantizeReport &report) {
  json::Array layers;
  for (const quantization::LayerReport &r : report.layers) {
    json::Object o{{"layer", r.name},
                   {"op", r.op},
                   {"weights", r.weightFormat},
                   {"weight_scales", json::Array(r.weightScales)},
                   {"activations", r.actFormat},
                   {"weight_bytes", r.weightBytes},
                   {"float_weight_bytes", r.floatWeightBytes},
                   {"sqnr_db", std::isfinite(r.sqnr()) ? json::Value(r.sqnr())
                                                       : json::Value(nullptr)}};
    if (r.biasCorrection)
      o["bias_correction"] = json::Array(*r.biasCorrection);
    if (r.hasAct) {
      o["act_scale"] = r.actScale;
      o["act_zero_point"] = r.actZeroPoint;
      o["act_range"] = json::Array{r.rangeLo, r.rangeHi};
    }
    layers.push_back(std::move(o));
  }
  const qc::QCQuantizeOptions &q = options.quantize;
  return json::Object{{"model", spelling.model},
                      {"calibration_method", spelling.method},
                      {"calibration_samples", report.samples},
                      {"calibration_seconds", report.calibrationSeconds},
                      {"weights", spelling.weights},
                      {"per_channel", q.perChannel},
                      {"activations", spelling.acts},
                      {"symmetric_activations", q.symmetricActs},
                      {"bias_correction", options.biasCorrection},
                      {"int32_bias", options.int32Bias},
                      {"optimized_rounding", options.optimizeRounding},
                      {"equalized", options.equalize},
                      {"weight_bytes", report.weightBytes},
                      {"float_weight_bytes", report.floatWeightBytes},
                      {"layers", std::move(layers)}};
}

/// Mixed precision as a library hook: each layer's format, written into the
/// IR as qc.weight_format (which qc-quantize honours), and the allocation
/// table on standard output.
Error chooseWeightFormats(mlir::ModuleOp module,
                          const std::vector<interp::Tensor> &inputs,
                          const qc::QCQuantizeOptions &quantize,
                          SensitivityOptions sensitivity,
                          const Budgets &budgets) {
  auto failed = [](Error e) {
    return createStringError(inconvertibleErrorCode(),
                             "mixed precision: " + toString(std::move(e)));
  };
  sensitivity.quantize = quantize;
  auto problem = buildAllocationProblem(module, inputs, sensitivity, budgets);
  if (!problem)
    return failed(problem.takeError());
  double solveSeconds;
  std::string refinement;
  raw_string_ostream refinementLog(refinement);
  auto allocation = chooseAllocation(module, *problem, problem->ilp,
                                     sensitivity, solveSeconds, &refinementLog);
  if (!allocation)
    return failed(allocation.takeError());
  annotateAllocation(module, *problem, *allocation);
  printAllocation(outs(), *problem, *allocation);
  outs() << refinement;
  return Error::success();
}

} // namespace

Expected<quantization::QuantizeReport>
quantizeAndReport(mlir::ModuleOp module, ArrayRef<NpyArray> calibration,
                  quantization::QuantizeOptions options,
                  const QuantizeSpelling &spelling) {
  options.note = [](StringRef note) {
    errs() << "qcc quantize: note: " << note << "\n";
  };
  auto report = quantization::quantizeModule(module, calibration, options);
  if (!report)
    return report.takeError();
  printReport(outs(), options, spelling, *report);
  if (!report->floatIslands.empty())
    listFloatIslands(errs(),
                     "qcc quantize: float islands (ops without an integer "
                     "form, run in float between dequantize and quantize):",
                     report->floatIslands);
  return report;
}

int runQuantize() {
  {
    std::vector<std::string> inputs(calibFiles.begin(), calibFiles.end());
    inputs.push_back(model);
    for (const auto &[flag, path] :
         {std::pair<StringRef, StringRef>{"-o", output},
          {"--calibrated-output", calibratedOutput},
          {"--report", reportFile},
          {"--export-onnx", exportOnnx}})
      if (Error e = checkOutputIsNotAnInput(path, inputs, flag))
        return fail("quantize", toString(std::move(e)));
  }
  quantization::QuantizeOptions options;
  auto method = calib::parseMethod(methodName);
  if (!method)
    return fail("quantize", "--calib-method: expected minmax, percentile, mse "
                            "or entropy, got '" +
                                methodName + "'");
  options.method = *method;
  if (!(percentile > 0 && percentile <= 100))
    return fail("quantize", "--percentile must be in (0, 100]");
  options.percentile = percentile;
  if (batchSize < 1)
    return fail("quantize", "--batch-size must be positive");
  options.batchSize = batchSize;
  if (weightClipping != "absmax" && weightClipping != "mse")
    return fail("quantize", "--weight-clipping: expected absmax or mse, got '" +
                                weightClipping + "'");
  if (weightGroupSize < 0)
    return fail("quantize", "--weight-group-size must be non-negative");
  auto weights = parseWeightFormat(weightFormat, "weights");
  if (!weights)
    return fail("quantize", toString(weights.takeError()));
  auto mixed = mixedPrecisionFlags.parse();
  if (!mixed)
    return fail("quantize", toString(mixed.takeError()));
  if (mixedPrecision && weightFormat.getNumOccurrences())
    return fail("quantize", "--weights does not apply with "
                            "--mixed-precision: give the formats to choose "
                            "among with --candidates");
  if (mixedPrecision && !mixed->second.any())
    return fail("quantize", "--mixed-precision needs a budget: --avg-bits, "
                            "--size-budget, --bops-budget, "
                            "--cpu-latency-budget, --fpga-lut-budget or "
                            "--fpga-dsp-budget");
  if (!mixedPrecision && mixed->second.any())
    return fail("quantize", "budgets (--avg-bits, --size-budget, "
                            "--bops-budget, --cpu-latency-budget, "
                            "--fpga-lut-budget, --fpga-dsp-budget) need "
                            "--mixed-precision");
  const bool weightOnly = actFormat == "none";
  auto actBits =
      weightOnly ? Expected<unsigned>(8u) : parseIntFormat(actFormat, "acts");
  if (!actBits)
    return fail("quantize", toString(actBits.takeError()));
  if (weightOnly && integerOnly)
    return fail("quantize", "--integer-only needs quantized activations; "
                            "--acts none leaves them in float");
  if (weightOnly && !mixed->first.actCandidates.empty())
    return fail("quantize", "--act-candidates does not apply with --acts "
                            "none (activations stay float)");
  if (calibrateWith == "auto")
    options.calibrator = quantization::Calibrator::Auto;
  else if (calibrateWith == "compiled")
    options.calibrator = quantization::Calibrator::Compiled;
  else if (calibrateWith == "interpreter")
    options.calibrator = quantization::Calibrator::Interpreter;
  else
    return fail("quantize", "--calibrate-with must be auto, compiled or "
                            "interpreter, got '" +
                                calibrateWith + "'");

  qc::QCQuantizeOptions &q = options.quantize;
  q.weightBits = weights->quantizeBits();
  q.actBits = *actBits;
  q.weightOnly = weightOnly;
  q.asymmetricWeights = asymmetricWeights;
  q.perChannel = !perTensor;
  q.symmetricActs = symmetricActs;
  q.weightClipping = weightClipping;
  q.weightFormat = weights->floatType;
  q.groupSize = weightGroupSize;
  q.keepFloat = SmallVector<std::string>(keepFloat.begin(), keepFloat.end());
  options.sqnrSamples = sqnrSamples;
  options.equalize = equalize;
  options.optimizeRounding = optimizeRounding;
  options.biasCorrection = biasCorrection;
  options.int32Bias = int32Bias;
  options.integerOnly = integerOnly;
  if (!calibratedOutput.empty())
    options.onCalibrated = [](mlir::ModuleOp module) {
      return writeModule(module, calibratedOutput);
    };
  if (mixedPrecision)
    options.chooseWeightFormats =
        [&](mlir::ModuleOp module, const std::vector<interp::Tensor> &inputs,
            const qc::QCQuantizeOptions &quantize) {
          return chooseWeightFormats(module, inputs, quantize, mixed->first,
                                     mixed->second);
        };
  if (!exportOnnx.empty())
    options.onQuantized = [](mlir::ModuleOp module) {
      return exportONNXModel(module, exportOnnx);
    };

  mlir::MLIRContext context;
  auto module = loadModel(context, model);
  if (!module)
    return fail("quantize", toString(module.takeError()));
  mlir::func::FuncOp func = getMainFunction(**module);
  if (!func)
    return fail("quantize", model + " has no function to quantize");
  auto arrays = readArguments(func, calibFiles, "--calib");
  if (!arrays)
    return fail("quantize", toString(arrays.takeError()));

  QuantizeSpelling spelling{model, weightFormat, actFormat, methodName,
                            mixedPrecision};
  auto report = quantizeAndReport(**module, *arrays, options, spelling);
  if (!report)
    return fail("quantize", toString(report.takeError()));
  if (!reportFile.empty())
    if (Error e = writeFileAtomically(reportFile, [&](raw_ostream &os) {
          os << formatv("{0:2}", reportToJSON(options, spelling, *report))
             << "\n";
          return Error::success();
        }))
      return fail("quantize", toString(std::move(e)));
  if (Error e = writeModule(**module, output))
    return fail("quantize", toString(std::move(e)));
  return 0;
}

} // namespace qcc::driver
