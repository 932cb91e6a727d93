//===- MixedPrecision.h - Mixed-precision flags for qcc ---------*- C++ -*-===//
//
// What `qcc allocate` and `qcc quantize --mixed-precision` share on top of
// the library's mixed precision (qcc/Quantization/MixedPrecision.h): the
// flags, and the allocation table they print.
//
//===----------------------------------------------------------------------===//

#ifndef QCC_TOOLS_QCC_MIXEDPRECISION_H
#define QCC_TOOLS_QCC_MIXEDPRECISION_H

#include "Driver.h"

#include "qcc/Quantization/MixedPrecision.h"

#include "llvm/Support/CommandLine.h"

namespace qcc::driver {

using quantization::annotateAllocation;
using quantization::applyAllocation;
using quantization::Budgets;
using quantization::CandidateFormat;
using quantization::chooseAllocation;
using quantization::MixedPrecisionProblem;
using quantization::SensitivityOptions;
using quantization::WeightedLayer;

/// The command-line options of mixed precision, one set per sub-command
/// (qcc allocate, qcc quantize --mixed-precision), described once.
struct MixedPrecisionFlags {
  explicit MixedPrecisionFlags(llvm::cl::SubCommand &command);
  /// The options and budgets given (formats and names checked).
  llvm::Expected<std::pair<SensitivityOptions, Budgets>> parse() const;

  llvm::cl::opt<std::string> candidates, actCandidates;
  llvm::cl::opt<double> avgBits;
  llvm::cl::opt<std::string> sizeBudget, bopsBudget, cpuLatencyBudget,
      fpgaLutBudget, fpgaDspBudget;
  llvm::cl::opt<std::string> sensitivity;
  llvm::cl::opt<int64_t> samples;
  llvm::cl::opt<unsigned> refine;
  llvm::cl::opt<std::string> cache;
};

/// The library's buildMixedPrecisionProblem, saying on standard output
/// when the sensitivities came from the cache.
llvm::Expected<MixedPrecisionProblem>
buildAllocationProblem(mlir::ModuleOp module,
                       const std::vector<interp::Tensor> &inputs,
                       const SensitivityOptions &options,
                       const Budgets &budgets);

/// The table of every layer's sensitivities and choice, the resources used
/// and, when measured, the proxy's rank correlation with the measurement.
void printAllocation(llvm::raw_ostream &os,
                     const MixedPrecisionProblem &problem,
                     const mp::Allocation &allocation);

} // namespace qcc::driver

#endif // QCC_TOOLS_QCC_MIXEDPRECISION_H
