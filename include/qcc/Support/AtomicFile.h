//===- AtomicFile.h - Files written whole or not at all ---------*- C++ -*-===//

#ifndef QCC_SUPPORT_ATOMICFILE_H
#define QCC_SUPPORT_ATOMICFILE_H

#include "llvm/ADT/STLFunctionalExtras.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"
#include "llvm/Support/raw_ostream.h"

namespace qcc {

/// Writes `path` through a temporary file renamed into place: on failure
/// the old file (if any) is untouched and nothing partial is left.
llvm::Error
writeFileAtomically(llvm::StringRef path,
                    llvm::function_ref<llvm::Error(llvm::raw_ostream &)> write);

} // namespace qcc

#endif // QCC_SUPPORT_ATOMICFILE_H
