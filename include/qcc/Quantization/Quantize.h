//===- Quantize.h - Post-training quantization of a graph module -*- C++ -*-===//
//
// The quantization library's entry point. quantizeModule takes a float
// graph module and calibration data and, in place:
//   1. folds BatchNorm (and equalizes cross-layer scales if asked);
//   2. calibrates: runs the model on the calibration set (interpreter or
//      compiled code) with an Observer per activation the quantized code
//      reads, and records each clipping range as `qc.act_range`;
//   3. quantizes (qc-quantize), then optionally optimises weight rounding,
//      corrects biases and quantizes them to int32;
//   4. measures each quantized layer's SQNR against the float model;
//   5. with integerOnly, lowers the model to integer ops.
// Drivers fill QuantizeOptions from their flags and print the report.
//
//===----------------------------------------------------------------------===//

#ifndef QCC_QUANTIZATION_QUANTIZE_H
#define QCC_QUANTIZATION_QUANTIZE_H

#include "qcc/Calibration/Observer.h"
#include "qcc/Dialect/QC/Transforms/Passes.h"
#include "qcc/Interpreter/Interpreter.h"
#include "qcc/Support/Npy.h"

#include "mlir/IR/BuiltinOps.h"
#include "llvm/Support/Error.h"

#include <cmath>
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace qcc::quantization {

/// How calibration runs the float model.
enum class Calibrator {
  /// Compiled code when interpreting the calibration set would take longer
  /// than building it.
  Auto,
  /// Native code from the CPU code generator; falls back to the interpreter
  /// (with a note) for models code generation does not support.
  Compiled,
  /// The reference interpreter.
  Interpreter,
};

/// Parses --calib-method's spelling: minmax, percentile, mse or entropy.
llvm::Expected<calib::Method> parseCalibMethod(llvm::StringRef name);
/// Parses --calibrate-with's spelling: auto, compiled or interpreter.
llvm::Expected<Calibrator> parseCalibrator(llvm::StringRef name);

struct QuantizeOptions {
  /// Formats and scales of weights and activations (qc-quantize's options;
  /// allActivations follows integerOnly).
  qc::QCQuantizeOptions quantize;
  /// Activation clipping; the range's bits and symmetry follow `quantize`.
  calib::Method method = calib::Method::MinMax;
  double percentile = 99.99;
  Calibrator calibrator = Calibrator::Auto;
  /// Calibration samples per run of the model.
  int64_t batchSize = 32;
  /// Samples the report's SQNR is measured on (0: all).
  int64_t sqnrSamples = 256;
  /// Cross-layer equalization before calibration.
  bool equalize = false;
  /// Layer-wise weight rounding optimisation (AdaRound-style).
  bool optimizeRounding = false;
  /// Empirical bias correction of quantized conv/gemm layers.
  bool biasCorrection = false;
  /// Biases quantized to int32 (always with integerOnly).
  bool int32Bias = false;
  /// Calibrate every activation integer code stores and lower the model to
  /// integer ops (qc-lower-to-integer); ops without an integer form stay
  /// float islands.
  bool integerOnly = false;

  // Hooks into the steps, for what drivers add; each is optional.
  /// Called on the calibrated float model (ranges recorded).
  std::function<llvm::Error(mlir::ModuleOp)> onCalibrated;
  /// Chooses each layer's weight format (as `qc.weight_format`) on the
  /// calibrated float model before qc-quantize: mixed precision.
  std::function<llvm::Error(mlir::ModuleOp, const std::vector<interp::Tensor> &,
                            const qc::QCQuantizeOptions &)>
      chooseWeightFormats;
  /// Called on the quantized model before integer lowering.
  std::function<llvm::Error(mlir::ModuleOp)> onQuantized;
  /// Receives notes (e.g. why compiled calibration fell back).
  std::function<void(llvm::StringRef)> note;
};

/// One quantized (or kept float) weighted layer.
struct LayerReport {
  std::string name, op, weightFormat, actFormat;
  std::vector<double> weightScales;
  bool hasAct = false; // quantized input activation: the fields below
  double actScale = 0;
  int64_t actZeroPoint = 0;
  double rangeLo = 0, rangeHi = 0;
  int64_t weightBytes = 0, floatWeightBytes = 0; // storage, and as f32
  /// What bias correction added to each output channel's bias.
  std::optional<std::vector<double>> biasCorrection;
  double signal = 0, noise = 0; // of the layer's output, summed
  double sqnr() const {
    return noise == 0 ? INFINITY : 10 * std::log10(signal / noise);
  }
};

struct QuantizeReport {
  /// The weighted layers, worst SQNR first (ties in graph order).
  std::vector<LayerReport> layers;
  int64_t weightBytes = 0, floatWeightBytes = 0; // over all layers
  /// Calibration: samples, run time (without building compiled code), how.
  int64_t samples = 0;
  double calibrationSeconds = 0;
  bool compiledCalibration = false;
  double compileSeconds = 0;
  size_t observedActivations = 0;
  /// With integerOnly, the float islands qc-lower-to-integer left, one
  /// message each.
  std::vector<std::string> floatIslands;
};

/// Quantizes `module` in place on `calibration` (one array per argument of
/// its entry function, batch dimension first).
llvm::Expected<QuantizeReport>
quantizeModule(mlir::ModuleOp module, llvm::ArrayRef<NpyArray> calibration,
               const QuantizeOptions &options);

} // namespace qcc::quantization

#endif // QCC_QUANTIZATION_QUANTIZE_H
