//===- qcc.cpp - The qcc compiler driver ----------------------------------===//
//
// One binary, one sub-command per job (`qcc <command> [options]`); each
// command is in its own file with its options (see Driver.h).
//
//===----------------------------------------------------------------------===//

#include "Driver.h"

#include "qcc/InitAll.h"
#include "qcc/Support/MemoryLimit.h"
#include "qcc/Target/Target.h"
#include "qcc/Version.h"

#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/raw_ostream.h"

using namespace llvm;
using namespace qcc::driver;

static cl::opt<std::string> memoryLimit(
    "memory-limit", cl::value_desc("size"),
    forCommand(cl::SubCommand::getAll()),
    cl::desc("Largest memory the interpreter, calibration and bench may "
             "allocate for tensors, e.g. 4GiB or 512M (default: half the "
             "machine's memory); a larger need is an error, not a crash"));

static void printVersion(raw_ostream &os) {
  os << "qcc " << QCC_VERSION << " (" << QCC_GIT_REVISION << "), built with "
     << "LLVM/MLIR " << QCC_LLVM_VERSION << "\n";
}

int main(int argc, char **argv) {
  InitLLVM initLLVM(argc, argv);
  qcc::registerAllTargets();
  cl::SetVersionPrinter(printVersion);
  // libLLVM registers hundreds of codegen options; --help shows only ours.
  cl::HideUnrelatedOptions(qccCategory);
  // The targets named are the registered ones: only what exists.
  std::string targets;
  for (const std::string &name : qcc::target::getRegisteredTargetNames())
    targets += (targets.empty() ? "" : ", ") + name;
  const std::string overview =
      "qcc: a quantization compiler for neural networks (ONNX in; integer and "
      "low-bit code out; targets: " +
      targets +
      ")\n\n"
      "Usage: qcc <command> [options]. Run 'qcc <command> --help' for a "
      "command's options.\n";
  cl::ParseCommandLineOptions(argc, argv, overview);
  if (memoryLimit.getNumOccurrences()) {
    std::optional<uint64_t> bytes = qcc::parseByteSize(memoryLimit);
    if (!bytes) {
      errs() << "qcc: error: --memory-limit: expected a size such as 4GiB, "
                "512M or 1000000 (bytes), got '"
             << memoryLimit << "'\n";
      return 1;
    }
    qcc::setMemoryLimitBytes(*bytes);
  }
  const std::pair<cl::SubCommand *, int (*)()> commands[] = {
      {&importCommand, runImport},    {&runCommand, runRun},
      {&compareCommand, runCompare},  {&quantizeCommand, runQuantize},
      {&evalCommand, runEval},        {&formatsCommand, runFormats},
      {&dyadicCommand, runDyadic},    {&compileCommand, runCompile},
      {&infoCommand, runInfo},        {&benchCommand, runBench},
      {&allocateCommand, runAllocate}};
  for (auto [command, run] : commands)
    if (*command)
      return run();
  errs() << "qcc: error: no command given; run 'qcc --help' for the list\n";
  return 1;
}
