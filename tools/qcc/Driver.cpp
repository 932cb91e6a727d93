//===- Driver.cpp - Shared pieces of the qcc driver's commands ------------===//

#include "Driver.h"

#include "llvm/Support/WithColor.h"

using namespace llvm;

cl::OptionCategory qcc::driver::qccCategory("qcc options");

int qcc::driver::fail(StringRef command, const Twine &message) {
  WithColor::error(errs(), ("qcc " + command).str()) << message << "\n";
  return 1;
}
