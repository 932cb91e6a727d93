//===- Progress.cpp - A progress line on standard error -------------------===//

#include "qcc/Support/Progress.h"

#include "llvm/Support/Process.h"
#include "llvm/Support/raw_ostream.h"

using namespace llvm;

qcc::Progress::Progress(StringRef label, int64_t total)
    : label(label.str()), total(total),
      enabled(sys::Process::StandardErrIsDisplayed()) {}

void qcc::Progress::update(int64_t done) {
  if (!enabled)
    return;
  const int width = 30;
  const int filled = total ? static_cast<int>(width * done / total) : width;
  errs() << "\r" << label << " [" << std::string(filled, '#')
         << std::string(width - filled, ' ') << "] " << done << "/" << total;
  errs().flush();
}

qcc::Progress::~Progress() {
  if (enabled)
    errs() << "\n";
}
