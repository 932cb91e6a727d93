//===- MixedPrecision.h - Mixed-precision flags for qcc ---------*- C++ -*-===//
//
// The flags `qcc allocate` and `qcc quantize --mixed-precision` share on
// top of the library's mixed precision (qcc/Quantization/MixedPrecision.h).
//
//===----------------------------------------------------------------------===//

#ifndef QCC_TOOLS_QCC_MIXEDPRECISION_H
#define QCC_TOOLS_QCC_MIXEDPRECISION_H

#include "Driver.h"

#include "qcc/Quantization/MixedPrecision.h"

#include "llvm/Support/CommandLine.h"

namespace qcc::driver {

using quantization::Budgets;
using quantization::SensitivityOptions;

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

} // namespace qcc::driver

#endif // QCC_TOOLS_QCC_MIXEDPRECISION_H
