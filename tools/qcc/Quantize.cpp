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

#include "qcc/Compiler/ModelFile.h"
#include "qcc/Export/ONNX.h"
#include "qcc/Quantization/ReportFormat.h"
#include "qcc/Support/OutputFiles.h"

using namespace llvm;
using namespace qcc::quantization;

namespace qcc::driver {

cl::SubCommand
    quantizeCommand("quantize",
                    "Post-training quantization: calibrate on a data set, "
                    "quantize weights and activations, report per-layer SQNR");
static cl::opt<std::string> model(cl::Positional, cl::Required,
                                  cl::desc("<model.onnx|model.mlir>"),
                                  forCommand(quantizeCommand));
static cl::list<std::string> calibFiles(
    "calib", cl::value_desc("file"), cl::OneOrMore, forCommand(quantizeCommand),
    cl::desc("Calibration data: one .npy per model input, or one "
             ".npz with an array per input (batch dimension first)"));
static cl::opt<std::string> output("o", cl::desc("Quantized model (.mlir)"),
                                   cl::value_desc("file"), cl::Required,
                                   forCommand(quantizeCommand));
static cl::opt<std::string>
    reportFile("report", cl::value_desc("file.json"),
               forCommand(quantizeCommand),
               cl::desc("Also write the report as JSON to this file"));
static cl::opt<std::string> methodName(
    "calib-method", cl::init("minmax"), forCommand(quantizeCommand),
    cl::desc("Activation clipping: minmax, percentile, mse or entropy"));
static cl::opt<double>
    percentile("percentile", cl::init(99.99), forCommand(quantizeCommand),
               cl::desc("Percentile kept by --calib-method=percentile"));
static cl::opt<std::string> weightFormat(
    "weights", cl::init("int8"), forCommand(quantizeCommand),
    cl::desc("Weight format: int2 .. int16 (symmetric; int7 runs the "
             "CPU code's exact vpmaddubsw kernels on AVX2 CPUs without "
             "VNNI, about 1.3x int8's speed there), a low-bit float "
             "with per-channel scales: fp8e4m3, fp8e5m2, fp6e3m2, fp6e2m3, "
             "fp4e2m1, or block-scaled along the input channels: mxfp8, "
             "mxfp6, mxfp4 (OCP MX, E8M0 scale per 32), nvfp4 (E4M3 scale "
             "per 16 and a tensor scale)"));
static cl::opt<std::string> actFormat(
    "acts", cl::init("int8"), forCommand(quantizeCommand),
    cl::desc("Activation format: int2 .. int16, or none (weight-only "
             "quantization: activations stay float32, no calibration run; "
             "compiled matrix products then read packed weights directly)"));
static cl::opt<bool> asymmetricWeights(
    "asymmetric-weights", forCommand(quantizeCommand),
    cl::desc("Integer weights with a zero point per channel or group (the "
             "full signed range spans each one's [min, max]; e.g. "
             "asymmetric per-group int4 with --weight-group-size 128). "
             "Default: symmetric, zero point 0"));
static cl::opt<bool> perTensor(
    "per-tensor-weights", forCommand(quantizeCommand),
    cl::desc("One weight scale per tensor (default: per output channel)"));
static cl::opt<std::string> weightClipping(
    "weight-clipping", cl::init("absmax"), forCommand(quantizeCommand),
    cl::desc("Weight scales: absmax (default) or mse (per channel or group, "
             "the clipping that minimises the weights' quantization error; "
             "for FP8/FP6/FP4 weights the scale search that sets the "
             "format's clipping value and exponent bias, as LLM-FP4)"));
static cl::opt<bool> symmetricActs(
    "symmetric-acts", forCommand(quantizeCommand),
    cl::desc("Symmetric activations (zero point 0; default: asymmetric)"));
static cl::opt<bool> pow2Scales(
    "pow2-scales", forCommand(quantizeCommand),
    cl::desc("Fixed point: every integer scale (weights, activations) a "
             "power of two (rounded up) and activations symmetric: each "
             "tensor an ap_fixed<W, I>, every requantization a shift (the "
             "formats of hls4ml and QFX; --target hls names them)"));
static cl::list<std::string>
    keepFloat("keep-float", cl::CommaSeparated, forCommand(quantizeCommand),
              cl::desc("Leave these layers in float: node names or op names "
                       "(e.g. qc.gemm); repeatable or comma-separated"));
static cl::opt<int64_t> weightGroupSize(
    "weight-group-size", cl::init(0), forCommand(quantizeCommand),
    cl::desc("Integer weights: one scale per group of this many input "
             "channels (e.g. 32, 64, 128); 0 (default): per output channel"));
static cl::opt<std::string> calibratedOutput(
    "calibrated-output", cl::value_desc("file.mlir"),
    forCommand(quantizeCommand),
    cl::desc("Also write the calibrated float model (ranges in "
             "qc.act_range attributes): `qopt -qc-quantize=...` re-quantizes "
             "it with other options without calibrating again"));
static cl::opt<bool> equalize(
    "equalize", forCommand(quantizeCommand),
    cl::desc("Cross-layer equalization of conv -> relu -> [maxpool ->] conv "
             "chains before calibration (data-free quantization)"));
static cl::opt<bool> optimizeRounding(
    "optimize-rounding", forCommand(quantizeCommand),
    cl::desc("Layer-wise weight rounding optimisation (AdaRound-style): "
             "choose floor or ceil per weight to minimise each layer's "
             "output error on the calibration set"));
static cl::opt<bool> int32Bias(
    "int32-bias", forCommand(quantizeCommand),
    cl::desc("Quantize the biases of quantized conv/gemm layers to int32 at "
             "scale s_x * s_w (as integer code adds them); applied after "
             "rounding optimisation and bias correction"));
static cl::opt<bool> biasCorrection(
    "bias-correction", forCommand(quantizeCommand),
    cl::desc("Empirical bias correction: shift each quantized conv/gemm's "
             "bias by its mean output error on the calibration set"));
static cl::opt<int64_t> sqnrSamples(
    "sqnr-samples", cl::init(256), forCommand(quantizeCommand),
    cl::desc("Measure the report's per-layer SQNR on at most this many "
             "calibration samples (the reference interpreter runs the float "
             "and the quantized model on them; default 256, 0: all)"));
static cl::opt<std::string> calibrateWith(
    "calibrate-with", cl::init("auto"), forCommand(quantizeCommand),
    cl::desc("How calibration runs the float model: compiled (native code "
             "from the CPU code generator, with every observed activation as "
             "an extra output; falls back to the interpreter, with a note, "
             "for ops code generation lacks), interpreter (the reference "
             "interpreter, one op at a time in double precision), or auto "
             "(default: compiled when interpreting the calibration set, at "
             "about 1e9 multiply-adds/s, would take longer than building "
             "the code, about 2 s plus 0.5 s per MB of weights)"));
static cl::opt<bool> integerOnly(
    "integer-only", forCommand(quantizeCommand),
    cl::desc("Integer-only inference: calibrate and quantize every activation "
             "integer code stores (layer outputs, sums, pooled values), "
             "quantize biases to int32 and lower the model to integer ops "
             "with dyadic rescales (qc-lower-to-integer); ops without an "
             "integer form stay float islands and are listed"));

static cl::opt<std::string> exportOnnx(
    "export-onnx", cl::value_desc("file.onnx"), forCommand(quantizeCommand),
    cl::desc("Also write the quantized model as a standard QDQ ONNX model"));
static cl::opt<int64_t> batchSize("batch-size",
                                  cl::desc("Calibration samples per run"),
                                  cl::init(32), forCommand(quantizeCommand));
static cl::opt<bool> mixedPrecision(
    "mixed-precision", forCommand(quantizeCommand),
    cl::desc("Choose each layer's weight format among --candidates by "
             "measured sensitivity and an integer linear program under the "
             "budgets given (--avg-bits, --size-budget, --bops-budget, "
             "--cpu-latency-budget, --fpga-lut-budget, --fpga-dsp-budget); see "
             "qcc allocate"));
static MixedPrecisionFlags mixedPrecisionFlags(quantizeCommand);
Expected<QuantizeReport> quantizeAndReport(mlir::ModuleOp module,
                                           ArrayRef<NpyArray> calibration,
                                           QuantizeOptions options,
                                           const QuantizeSpelling &spelling) {
  options.note = [](StringRef note) {
    errs() << "qcc quantize: note: " << note << "\n";
  };
  auto report = quantizeModule(module, calibration, options);
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
  std::vector<std::string> read(calibFiles.begin(), calibFiles.end());
  read.push_back(model);
  for (const auto &[flag, path] :
       {std::pair<StringRef, StringRef>{"-o", output},
        {"--calibrated-output", calibratedOutput},
        {"--report", reportFile},
        {"--export-onnx", exportOnnx}})
    if (Error e = checkOutputIsNotAnInput(path, read, flag))
      return fail("quantize", toString(std::move(e)));
  QuantizeOptions options;
  auto method = parseCalibMethod(methodName);
  if (!method)
    return fail("quantize", toString(method.takeError()));
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
  auto calibrator = parseCalibrator(calibrateWith);
  if (!calibrator)
    return fail("quantize", toString(calibrator.takeError()));
  options.calibrator = *calibrator;

  qc::QCQuantizeOptions &q = options.quantize;
  q.weightBits = weights->quantizeBits();
  q.actBits = *actBits;
  q.weightOnly = weightOnly;
  q.asymmetricWeights = asymmetricWeights;
  q.perChannel = !perTensor;
  q.symmetricActs = symmetricActs;
  q.pow2Scales = pow2Scales;
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
    options.chooseWeightFormats = [&](mlir::ModuleOp module,
                                      const std::vector<interp::Tensor> &inputs,
                                      const qc::QCQuantizeOptions &quantize) {
      return allocateWeightFormats(module, inputs, quantize, mixed->first,
                                   mixed->second, outs());
    };
  if (!exportOnnx.empty())
    options.onQuantized = [](mlir::ModuleOp module) {
      return exportONNXModel(module, exportOnnx);
    };

  mlir::MLIRContext context;
  auto loaded = loadModelWithInputs(context, model, calibFiles, "--calib",
                                    " to quantize");
  if (!loaded)
    return fail("quantize", toString(loaded.takeError()));
  mlir::ModuleOp module = *loaded->module;

  QuantizeSpelling spelling{model, weightFormat, actFormat, methodName,
                            mixedPrecision};
  auto report = quantizeAndReport(module, loaded->inputs, options, spelling);
  if (!report)
    return fail("quantize", toString(report.takeError()));
  if (!reportFile.empty())
    if (Error e = writeReportJSON(reportFile, options, spelling, *report))
      return fail("quantize", toString(std::move(e)));
  if (Error e = writeModule(module, output))
    return fail("quantize", toString(std::move(e)));
  return 0;
}

} // namespace qcc::driver
