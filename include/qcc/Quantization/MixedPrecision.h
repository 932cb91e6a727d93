//===- MixedPrecision.h - Sensitivity and bit allocation --------*- C++ -*-===//
//
// Mixed precision: the weighted layers of a calibrated model, each layer's
// sensitivity to each candidate weight format (measured, or a data-free
// proxy; cached), the budgets as ILP resources (with the CPU and FPGA cost
// models), and the chosen allocation written into the IR as
// `qc.weight_format` attributes.
//
//===----------------------------------------------------------------------===//

#ifndef QCC_QUANTIZATION_MIXEDPRECISION_H
#define QCC_QUANTIZATION_MIXEDPRECISION_H

#include "qcc/Dialect/QC/Transforms/Passes.h"
#include "qcc/Interpreter/Interpreter.h"
#include "qcc/MixedPrecision/BitAllocation.h"
#include "qcc/Quantization/WeightFormat.h"

#include "mlir/IR/BuiltinOps.h"
#include "llvm/Support/raw_ostream.h"

#include <optional>

namespace qcc::quantization {

/// A layer with weights, as mixed precision sees it.
struct WeightedLayer {
  std::string name;    // node name (unnamed layers are named layer_<i>)
  double weights = 0;  // weight count
  double channels = 0; // output channels (one f32 scale each)
  double macs = 0;     // multiply-adds per sample
  std::vector<float> floatWeights;
  mlir::Operation *op = nullptr; // in the module it was collected from
};

/// Budgets as options spell them; a zero or empty one is not set.
struct Budgets {
  double avgBits = 0;     // average bits per weight
  std::string size;       // weight bytes: BYTES or P% of fp32
  std::string bops;       // bit operations per sample: BOPS or P% of int8
  std::string cpuLatency; // CPU cost model: MS per sample or P% of int8
  std::string fpgaLuts;   // FPGA cost model: LUTs or P% of int8
  std::string fpgaDsps;   // FPGA cost model: DSPs or P% of one per weight
  bool any() const {
    return avgBits > 0 || !size.empty() || !bops.empty() ||
           !cpuLatency.empty() || !fpgaLuts.empty() || !fpgaDsps.empty();
  }
};

struct SensitivityOptions {
  llvm::SmallVector<WeightFormat> candidates;
  /// Input-activation formats to choose among too (empty: the activation
  /// format of `quantize`, not chosen per layer).
  llvm::SmallVector<WeightFormat> actCandidates;
  bool measured = true;  // else an estimate: the data-free proxy or
  bool hessian = true;   // the Hessian-trace estimate (also computed for
                         // comparison when measured)
  int64_t samples = 64;  // calibration samples the measurement runs on
  std::string cachePath; // sensitivity cache (JSON); empty: none
  /// Measured sensitivity: the ILP's best `refine` allocations run jointly
  /// on the samples and the one closest to the float model (KL) is chosen
  /// (1: the ILP's optimum as it is).
  unsigned refine = 8;
  /// How the other parts of the layer (activations, scales) are quantized
  /// while measuring, and when the allocation is applied.
  qc::QCQuantizeOptions quantize;
};

/// One candidate of a layer: a weight format and, when activation formats
/// are chosen too, an input-activation format.
struct CandidateFormat {
  WeightFormat weight;
  std::optional<WeightFormat> act;
  std::string name() const {
    return act ? weight.name + "/" + act->name : weight.name;
  }
};

/// The allocation problem of one model: its layers, the candidates'
/// sensitivities and resource use, the budgets.
struct MixedPrecisionProblem {
  std::vector<WeightedLayer> layers;
  std::vector<CandidateFormat> formats; // every layer's candidates
  /// Per layer x format (row-major): the measured sensitivity (the proxy's
  /// when not measured) and the data-free proxy.
  std::vector<double> measured, proxy;
  /// Per layer x format: the Hessian-trace estimate (empty if not made).
  std::vector<double> hessian;
  mp::Problem ilp;
  bool wasMeasured = true;
  bool fromCache = false; // sensitivities read from options.cachePath
  bool byHessian = false; // costs are the Hessian-trace estimate
  /// The samples sensitivity is measured on and the float model's first
  /// output on them (computed when first needed).
  std::vector<interp::Tensor> samples;
  std::optional<interp::Tensor> floatOutput;
};

/// Measures (or reads from the cache) every layer's sensitivity to every
/// candidate on the first `samples` rows of `inputs` and sets up the ILP
/// under `budgets`. `module` is the calibrated float model.
llvm::Expected<MixedPrecisionProblem> buildMixedPrecisionProblem(
    mlir::ModuleOp module, const std::vector<interp::Tensor> &inputs,
    const SensitivityOptions &options, const Budgets &budgets);

/// The allocation to use: the ILP's optimum, or with measured sensitivity
/// and `options.refine` > 1, the best of the ILP's `refine` best
/// allocations by the KL of the jointly quantized model's output on the
/// samples (single-layer sensitivities do not add up exactly). `module` is
/// the calibrated float model. `also` are more allocations to compare
/// where they meet the budgets (a sweep passes those it chose under smaller
/// budgets). `ilpSeconds` receives the first solve's time; `log`, when
/// given, a table of the allocations compared.
llvm::Expected<mp::Allocation>
chooseAllocation(mlir::ModuleOp module, MixedPrecisionProblem &problem,
                 const mp::Problem &ilp, const SensitivityOptions &options,
                 double &ilpSeconds, llvm::raw_ostream *log = nullptr,
                 llvm::ArrayRef<std::vector<int>> also = {});

/// Writes the allocation into `module`: `qc.weight_format` on each layer
/// (layers are found by name, as the problem named them).
void annotateAllocation(mlir::ModuleOp module,
                        const MixedPrecisionProblem &problem,
                        const mp::Allocation &allocation);

/// annotateAllocation, then qc-quantize with `options`.
llvm::Error applyAllocation(mlir::ModuleOp module,
                            const MixedPrecisionProblem &problem,
                            const mp::Allocation &allocation,
                            const qc::QCQuantizeOptions &options);

/// Sets how `options` estimates sensitivity from its spelling: measured,
/// hessian or proxy.
llvm::Error parseSensitivityMethod(llvm::StringRef name,
                                   SensitivityOptions &options);

/// Parses a comma-separated list of candidate formats (`flag` names the
/// option in errors); block-scaled formats are not candidates, as weight
/// formats nor as `activations` formats.
llvm::Expected<llvm::SmallVector<WeightFormat>>
parseCandidateFormats(llvm::StringRef list, llvm::StringRef flag,
                      bool activations);

/// The table of every layer's sensitivities and choice, the resources used
/// and, when measured, the proxy's rank correlation with the measurement.
void printAllocation(llvm::raw_ostream &os,
                     const MixedPrecisionProblem &problem,
                     const mp::Allocation &allocation);

/// A mixed-precision problem and the allocation chosen for it.
struct MixedPrecisionSolution {
  MixedPrecisionProblem problem;
  mp::Allocation allocation;
  double solveSeconds = 0; // the ILP's first solve
  std::string refinement;  // the allocations refinement compared (a table)
};

/// buildMixedPrecisionProblem, then chooseAllocation under its budgets;
/// says on `log` when the sensitivities came from the cache.
llvm::Expected<MixedPrecisionSolution>
solveMixedPrecision(mlir::ModuleOp module,
                    const std::vector<interp::Tensor> &inputs,
                    const SensitivityOptions &options, const Budgets &budgets,
                    llvm::raw_ostream &log);

/// Mixed precision as quantizeModule's chooseWeightFormats hook: builds the
/// problem (`quantize` for the layers' other parts), chooses the allocation
/// and writes it into `module` as qc.weight_format; prints the allocation
/// table (and where the sensitivities came from) to `os`.
llvm::Error allocateWeightFormats(mlir::ModuleOp module,
                                  const std::vector<interp::Tensor> &inputs,
                                  const qc::QCQuantizeOptions &quantize,
                                  SensitivityOptions options,
                                  const Budgets &budgets, llvm::raw_ostream &os);

/// Test data the allocations of a frontier are measured on.
struct FrontierTestData {
  interp::Tensor inputs;      // the first input
  std::vector<double> labels; // class labels (empty: no accuracy)
};

/// One point of a Pareto frontier over average weight bits.
struct FrontierPoint {
  double budget = 0; // average bits asked for
  mp::Allocation allocation;
  /// On the test data: the KL of the first output from the float model's,
  /// and top-1 accuracy in percent (-1: not measured).
  double measuredKL = -1, accuracy = -1;
};

/// Chooses an allocation for each average-bits budget of `budgets` (the
/// ILP's first resource) in order; an allocation chosen under a smaller
/// budget is a candidate under the larger ones, so that a larger budget
/// never ends up further from the float model. `test`, when given, measures
/// each. Prints the frontier to `os` as it goes (a line per budget, also
/// those no allocation meets) and returns the allocations found.
llvm::Expected<std::vector<FrontierPoint>>
sweepAverageBits(mlir::ModuleOp module, MixedPrecisionProblem &problem,
                 const SensitivityOptions &options,
                 llvm::ArrayRef<double> budgets, const FrontierTestData *test,
                 llvm::raw_ostream &os);

} // namespace qcc::quantization

#endif // QCC_QUANTIZATION_MIXEDPRECISION_H
