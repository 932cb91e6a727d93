//===- Progress.h - A progress line on standard error -----------*- C++ -*-===//

#ifndef QCC_SUPPORT_PROGRESS_H
#define QCC_SUPPORT_PROGRESS_H

#include "llvm/ADT/StringRef.h"

#include <cstdint>
#include <string>

namespace qcc {

/// A progress line on standard error ("label [###   ] 96/256"), redrawn in
/// place, only when standard error is a terminal (logs and tests see
/// nothing).
class Progress {
public:
  Progress(llvm::StringRef label, int64_t total);
  void update(int64_t done);
  ~Progress();

private:
  std::string label;
  int64_t total;
  bool enabled;
};

} // namespace qcc

#endif // QCC_SUPPORT_PROGRESS_H
