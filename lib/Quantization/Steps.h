//===- Steps.h - The steps quantizeModule runs, one file each ---*- C++ -*-===//

#ifndef QCC_LIB_QUANTIZATION_STEPS_H
#define QCC_LIB_QUANTIZATION_STEPS_H

#include "qcc/Quantization/Quantize.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/MapVector.h"
#include "llvm/ADT/SetVector.h"
#include "llvm/ADT/StringMap.h"

namespace qcc::quantization {

//===- Runs over the calibration set (ModelRuns.cpp) ----------------------===//

/// Runs `func` over `inputs` in batches, calling `observer` on every value.
llvm::Error runBatches(mlir::func::FuncOp func,
                       const std::vector<interp::Tensor> &inputs,
                       int64_t batchSize, llvm::StringRef label,
                       interp::ValueObserver observer);

/// Runs the float and the quantized function batch by batch and calls
/// `compare(layer name, float output, quantized output)` for every weighted
/// layer's output of the batch: memory stays bounded by one batch.
llvm::Error compareLayers(
    mlir::func::FuncOp floatFunc, mlir::func::FuncOp quantFunc,
    const std::vector<interp::Tensor> &inputs, int64_t batchSize,
    llvm::StringRef label,
    llvm::function_ref<void(const std::string &, const interp::Tensor &,
                            const interp::Tensor &)>
        compare);

//===- Calibration (Calibration.cpp) --------------------------------------===//

/// The statistics calibration gathered.
struct Calibration {
  /// The activations whose ranges quantization reads.
  llvm::SetVector<mlir::Value> observed;
  /// Scale propagation: each observed value's statistics are those of the
  /// value it is reached from through scale-preserving ops.
  llvm::DenseMap<mlir::Value, mlir::Value> sourceOf;
  llvm::MapVector<mlir::Value, calib::Observer> observers;
  bool compiled = false;
  double seconds = 0;        // running the model
  double compileSeconds = 0; // building compiled code
};

/// Runs `func` (of `module`) over the calibration set and observes what
/// quantization will read.
llvm::Expected<Calibration> calibrate(mlir::ModuleOp module,
                                      mlir::func::FuncOp func,
                                      llvm::ArrayRef<NpyArray> arrays,
                                      const std::vector<interp::Tensor> &inputs,
                                      const QuantizeOptions &options);

/// Records each observed range as `qc.act_range` (and `qc.act_minmax`),
/// the inputs of a concatenation sharing its range.
void annotateRanges(mlir::func::FuncOp func, const Calibration &calibration,
                    const calib::RangeOptions &options);

//===- Weight and bias refinement -----------------------------------------===//

/// Layer-wise weight rounding (RoundingOptimization.cpp); returns the
/// number of layers re-rounded.
llvm::Expected<int>
optimizeWeightRounding(mlir::func::FuncOp floatFunc,
                       mlir::func::FuncOp quantFunc,
                       const std::vector<interp::Tensor> &inputs,
                       int64_t batchSize);

/// Empirical bias correction (BiasCorrection.cpp): what was added to each
/// layer's bias, by layer name.
llvm::Error correctBiases(mlir::func::FuncOp floatFunc,
                          mlir::func::FuncOp quantFunc,
                          const std::vector<interp::Tensor> &inputs,
                          int64_t batchSize,
                          llvm::StringMap<std::vector<double>> &corrections);

//===- The report (Report.cpp) --------------------------------------------===//

/// The weighted layers of the quantized `func`, in graph order: formats,
/// scales, ranges and weight bytes.
std::vector<LayerReport> describeLayers(mlir::func::FuncOp func);

/// Adds each layer's signal and noise: its output in the float and the
/// quantized function, matched by node name.
llvm::Error measureSQNR(mlir::func::FuncOp floatFunc,
                        mlir::func::FuncOp quantFunc,
                        const std::vector<interp::Tensor> &inputs,
                        int64_t batchSize, std::vector<LayerReport> &layers);

} // namespace qcc::quantization

#endif // QCC_LIB_QUANTIZATION_STEPS_H
