//===- NestingDepth.h - Bound the nesting of MLIR text ----------*- C++ -*-===//
//
// MLIR's text parser recurses once per nested region, attribute or type, so
// a file nested deeply enough overflows the stack. qcc scans untrusted MLIR
// text first and refuses nesting beyond a bound no real model approaches.
//
//===----------------------------------------------------------------------===//

#ifndef QCC_SUPPORT_NESTINGDEPTH_H
#define QCC_SUPPORT_NESTINGDEPTH_H

#include "llvm/ADT/StringRef.h"

#include <cstddef>
#include <optional>

namespace qcc {

/// The deepest nesting qcc parses: far beyond real models (a few dozen
/// levels) and far below what the parser's stack holds.
constexpr unsigned kMaxMLIRNestingDepth = 1000;

/// The byte offset in `text` where ( [ { < nesting first exceeds `limit`
/// (string literals, `//` comments and the `>` of `->` not counted), or
/// nullopt.
std::optional<size_t> findExcessiveNesting(llvm::StringRef text,
                                           unsigned limit);

} // namespace qcc

#endif // QCC_SUPPORT_NESTINGDEPTH_H
