//===- Quantize.cpp - quantizeModule: the steps in order ------------------===//

#include "Steps.h"

#include "qcc/Dialect/QC/IR/QCOps.h"
#include "qcc/Interpreter/Model.h"
#include "qcc/Quantization/IntegerLowering.h"

#include "mlir/Pass/PassManager.h"
#include "mlir/Transforms/Passes.h"

#include <numeric>

using namespace llvm;

namespace qcc::quantization {
namespace {

Error failure(const Twine &message) {
  return createStringError(inconvertibleErrorCode(), message);
}

/// Checks the calibration arrays against the entry function's arguments.
Error checkCalibrationData(mlir::func::FuncOp func, ArrayRef<NpyArray> arrays) {
  if (arrays.size() != func.getNumArguments())
    return failure("the model takes " + Twine(func.getNumArguments()) +
                   " inputs but " + Twine(arrays.size()) +
                   " calibration arrays were given");
  if (arrays.empty())
    return failure("the model has no inputs to calibrate on");
  int64_t samples = -1;
  for (auto [i, array] : llvm::enumerate(arrays)) {
    auto type = cast<mlir::RankedTensorType>(func.getArgument(i).getType());
    const std::string name = interp::valueName(func, i, false);
    std::string expected = interp::typeString(type);
    if (static_cast<int64_t>(array.shape.size()) != type.getRank())
      return failure("calibration array for '" + name + "' has rank " +
                     Twine(array.shape.size()) + " but the model expects " +
                     expected);
    for (int64_t d = 1; d < type.getRank(); ++d)
      if (!type.isDynamicDim(d) && type.getDimSize(d) != array.shape[d])
        return failure("calibration array for '" + name + "' has dimension " +
                       Twine(d) + " of size " + Twine(array.shape[d]) +
                       " but the model expects " + expected);
    if (array.shape[0] == 0)
      return failure("calibration array for '" + name + "' is empty");
    if (samples >= 0 && array.shape[0] != samples)
      return failure("calibration arrays differ in sample count");
    samples = array.shape[0];
    std::vector<double> values = array.toDoubles();
    for (size_t k = 0; k < values.size(); ++k)
      if (!std::isfinite(values[k]))
        return failure(
            "calibration array for '" + name + "' holds a non-finite value (" +
            std::to_string(values[k]) + ") at flat index " + Twine(k));
  }
  return Error::success();
}

/// The first `samples` rows of each input (all when 0 or fewer rows).
std::vector<interp::Tensor> firstRows(const std::vector<interp::Tensor> &inputs,
                                      int64_t samples) {
  std::vector<interp::Tensor> rows = inputs;
  if (samples > 0 && inputs[0].shape[0] > samples)
    for (interp::Tensor &t : rows) {
      const size_t row = t.data.size() / t.shape[0];
      t.data.resize(row * samples);
      t.shape[0] = samples;
    }
  return rows;
}

Error runPass(mlir::ModuleOp module, std::unique_ptr<mlir::Pass> pass,
              StringRef failed) {
  mlir::PassManager pm(module.getContext());
  pm.addPass(std::move(pass));
  if (mlir::failed(pm.run(module)))
    return failure(failed);
  return Error::success();
}

} // namespace

Expected<QuantizeReport> quantizeModule(mlir::ModuleOp module,
                                        ArrayRef<NpyArray> calibration,
                                        const QuantizeOptions &options) {
  if (!interp::getMainFunction(module))
    return failure("the module has no function to quantize");
  {
    mlir::PassManager pm(module.getContext());
    pm.addPass(qc::createQCFoldBatchNorm());
    if (options.equalize)
      pm.addPass(qc::createQCEqualize());
    pm.addPass(mlir::createCanonicalizerPass());
    if (failed(pm.run(module)))
      return failure("BatchNorm folding failed");
  }
  mlir::func::FuncOp func = interp::getMainFunction(module);
  if (Error e = checkCalibrationData(func, calibration))
    return std::move(e);
  std::vector<interp::Tensor> inputs = interp::toTensors(calibration);

  QuantizeReport report;
  report.samples = inputs[0].shape[0];
  {
    auto calibrated = calibrate(module, func, calibration, inputs, options);
    if (!calibrated)
      return calibrated.takeError();
    calib::RangeOptions range;
    range.method = options.method;
    range.percentile = options.percentile;
    range.bits = options.quantize.actBits;
    range.symmetric =
        options.quantize.symmetricActs || options.quantize.pow2Scales;
    annotateRanges(func, *calibrated, range);
    report.compiledCalibration = calibrated->compiled;
    report.calibrationSeconds = calibrated->seconds;
    report.compileSeconds = calibrated->compileSeconds;
    report.observedActivations = calibrated->observers.size();
  }
  if (options.onCalibrated)
    if (Error e = options.onCalibrated(module))
      return std::move(e);

  // The float model, kept for rounding, bias correction and the report.
  mlir::OwningOpRef<mlir::ModuleOp> floatModule = module.clone();
  qc::QCQuantizeOptions quantize = options.quantize;
  quantize.allActivations = options.integerOnly;
  if (options.chooseWeightFormats)
    if (Error e = options.chooseWeightFormats(module, inputs, quantize))
      return std::move(e);
  if (Error e = runPass(module, qc::createQCQuantize(quantize),
                        "quantization failed"))
    return std::move(e);
  func = interp::getMainFunction(module);
  mlir::func::FuncOp floatFunc = interp::getMainFunction(*floatModule);
  if (options.optimizeRounding)
    if (auto rewritten =
            optimizeWeightRounding(floatFunc, func, inputs, options.batchSize);
        !rewritten)
      return failure("weight rounding: " + toString(rewritten.takeError()));
  llvm::StringMap<std::vector<double>> corrections;
  if (options.biasCorrection)
    if (Error e = correctBiases(floatFunc, func, inputs, options.batchSize,
                                corrections))
      return failure("bias correction: " + toString(std::move(e)));
  if (options.int32Bias || options.integerOnly)
    if (Error e = runPass(module, qc::createQCQuantizeBias(),
                          "bias quantization failed"))
      return std::move(e);

  // Each layer's output in the float model and the quantized one, compared
  // over (the first sqnrSamples of) the calibration set.
  report.layers = describeLayers(func);
  if (Error e =
          measureSQNR(floatFunc, func, firstRows(inputs, options.sqnrSamples),
                      options.batchSize, report.layers))
    return failure("report: " + toString(std::move(e)));
  for (LayerReport &r : report.layers) {
    if (auto it = corrections.find(r.name); it != corrections.end())
      r.biasCorrection = it->second;
    report.weightBytes += r.weightBytes;
    report.floatWeightBytes += r.floatWeightBytes;
  }
  // Worst first; ties keep graph order (deterministic output).
  std::vector<size_t> order(report.layers.size());
  std::iota(order.begin(), order.end(), 0);
  llvm::sort(order, [&](size_t a, size_t b) {
    const double sa = report.layers[a].sqnr(), sb = report.layers[b].sqnr();
    return sa != sb ? sa < sb : a < b;
  });
  std::vector<LayerReport> sorted;
  for (size_t i : order)
    sorted.push_back(std::move(report.layers[i]));
  report.layers = std::move(sorted);

  if (options.onQuantized)
    if (Error e = options.onQuantized(module))
      return std::move(e);
  if (options.integerOnly) {
    auto islands = lowerToInteger(module);
    if (!islands)
      return islands.takeError();
    report.floatIslands = std::move(*islands);
  }
  return report;
}

Expected<calib::Method> parseCalibMethod(StringRef name) {
  if (std::optional<calib::Method> method = calib::parseMethod(name.str()))
    return *method;
  return createStringError(inconvertibleErrorCode(),
                           "--calib-method: expected minmax, percentile, mse "
                           "or entropy, got '" +
                               name + "'");
}

Expected<Calibrator> parseCalibrator(StringRef name) {
  if (name == "auto")
    return Calibrator::Auto;
  if (name == "compiled")
    return Calibrator::Compiled;
  if (name == "interpreter")
    return Calibrator::Interpreter;
  return createStringError(inconvertibleErrorCode(),
                           "--calibrate-with must be auto, compiled or "
                           "interpreter, got '" +
                               name + "'");
}

} // namespace qcc::quantization
