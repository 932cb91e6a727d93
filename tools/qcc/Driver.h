//===- Driver.h - Shared pieces of the qcc driver's commands ----*- C++ -*-===//
//
// Each `qcc` sub-command lives in its own file (Import.cpp, Quantize.cpp,
// ...) with its options; this header holds what they share. The work is
// the libraries' (qcc/Compiler, qcc/Quantization, ...): commands parse
// options, read and write files and print.
//
//===----------------------------------------------------------------------===//

#ifndef QCC_TOOLS_QCC_DRIVER_H
#define QCC_TOOLS_QCC_DRIVER_H

#include "qcc/Quantization/Quantize.h"
#include "qcc/Quantization/ReportFormat.h"

#include "llvm/Support/CommandLine.h"

namespace qcc::driver {

extern llvm::cl::OptionCategory qccCategory;

/// cl::sub(command) and cl::cat(qccCategory) in one modifier: an option of
/// `command` that its --help shows.
struct forCommand {
  explicit forCommand(llvm::cl::SubCommand &command) : command(command) {}
  llvm::cl::SubCommand &command;
  template <class Opt> void apply(Opt &o) const {
    llvm::cl::sub(command).apply(o);
    llvm::cl::cat(qccCategory).apply(o);
  }
};

// The sub-commands; main() dispatches on the one given.
extern llvm::cl::SubCommand importCommand, runCommand, compareCommand,
    quantizeCommand, evalCommand, formatsCommand, dyadicCommand, compileCommand,
    infoCommand, benchCommand, allocateCommand;
int runImport();
int runRun();
int runCompare();
int runQuantize();
int runEval();
int runFormats();
int runDyadic();
int runCompile();
int runInfo();
int runBench();
int runAllocate();

/// Prints "qcc COMMAND: error: MESSAGE" and returns 1.
int fail(llvm::StringRef command, const llvm::Twine &message);

/// Quantizes `module` with the quantization library and prints qcc
/// quantize's report (standard output) and float islands (standard error).
llvm::Expected<quantization::QuantizeReport>
quantizeAndReport(mlir::ModuleOp module, llvm::ArrayRef<NpyArray> calibration,
                  quantization::QuantizeOptions options,
                  const quantization::QuantizeSpelling &spelling);

} // namespace qcc::driver

#endif // QCC_TOOLS_QCC_DRIVER_H
