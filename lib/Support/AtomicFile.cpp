//===- AtomicFile.cpp - Files written whole or not at all -----------------===//

#include "qcc/Support/AtomicFile.h"

#include "llvm/Support/raw_ostream.h"

using namespace llvm;

Error qcc::writeFileAtomically(StringRef path,
                               function_ref<Error(raw_ostream &)> write) {
  // writeToOutput writes a temporary file beside `path` and renames it into
  // place: a reader never sees a half-written file, a failure leaves the old
  // one ("-" is standard output).
  if (Error e = writeToOutput(path, write))
    return createStringError(inconvertibleErrorCode(),
                             "cannot write " + path + ": " +
                                 toString(std::move(e)));
  return Error::success();
}
