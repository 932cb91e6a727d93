//===- OutputFiles.h - Outputs that never clobber their inputs --*- C++ -*-===//
//
// What a command writes must not overwrite what it reads; where paths are
// compared, they are compared resolved.
//
//===----------------------------------------------------------------------===//

#ifndef QCC_SUPPORT_OUTPUTFILES_H
#define QCC_SUPPORT_OUTPUTFILES_H

#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"

#include <string>

namespace qcc {

/// An error if `output` names the same file as one of `inputs` (the option
/// is `outputFlag`, e.g. "-o"): a command must not overwrite what it reads.
llvm::Error checkOutputIsNotAnInput(llvm::StringRef output,
                                    llvm::ArrayRef<std::string> inputs,
                                    llvm::StringRef outputFlag = "-o");

/// `path` made absolute, with symbolic links resolved as far as it exists.
std::string resolvedPath(llvm::StringRef path);

/// Hex SHA-256 of a file's contents.
llvm::Expected<std::string> sha256OfFile(llvm::StringRef path);

} // namespace qcc

#endif // QCC_SUPPORT_OUTPUTFILES_H
