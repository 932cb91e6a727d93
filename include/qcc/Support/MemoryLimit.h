//===- MemoryLimit.h - A bound on what untrusted sizes may allocate -*- C++ -*-===//
//
// Tensor sizes come from model files, calibration arrays and command lines.
// Before the interpreter, calibration or `qcc bench` allocates a buffer whose
// size such input decides, it asks checkAllocation: a too-large request is a
// clear error naming what needed the memory, instead of "LLVM ERROR: out of
// memory" or the OOM killer. The limit is process-wide; `qcc
// --memory-limit=SIZE` sets it (default: half the machine's memory).
//
//===----------------------------------------------------------------------===//

#ifndef QCC_SUPPORT_MEMORYLIMIT_H
#define QCC_SUPPORT_MEMORYLIMIT_H

#include "llvm/ADT/StringRef.h"
#include "llvm/ADT/Twine.h"
#include "llvm/Support/Error.h"

#include <cstdint>
#include <optional>
#include <string>

namespace qcc {

/// The limit in bytes (default: half the physical memory).
uint64_t memoryLimitBytes();
void setMemoryLimitBytes(uint64_t bytes);

/// Success if `bytes` (nullopt: a size that overflowed) fit in the limit;
/// otherwise an error "WHAT needs N bytes, more than the memory limit of L
/// (--memory-limit)".
llvm::Error checkAllocation(std::optional<uint64_t> bytes,
                            const llvm::Twine &what);

/// `count` elements of `elementBytes` each, or nullopt on overflow.
std::optional<uint64_t> checkedBytes(std::optional<int64_t> count,
                                     uint64_t elementBytes);

/// Parses "1073741824", "512M", "8GiB", "2G" (K/M/G/T, powers of 1024, an
/// optional "iB"/"B"). nullopt for anything else, zero and overflow.
std::optional<uint64_t> parseByteSize(llvm::StringRef text);

/// "8.0 GiB", "512.0 MiB", "100 bytes".
std::string formatBytes(uint64_t bytes);

} // namespace qcc

#endif // QCC_SUPPORT_MEMORYLIMIT_H
