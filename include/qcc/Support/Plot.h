//===- Plot.h - Line plots as SVG files -------------------------*- C++ -*-===//

#ifndef QCC_SUPPORT_PLOT_H
#define QCC_SUPPORT_PLOT_H

#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"

#include <utility>

namespace qcc {

/// Writes `points` (x, y; at least one) to `path` as an SVG line plot with a
/// dot per point: a tick per unit on x (whole units around the points),
/// five ticks on y, axes labelled `xLabel` and `yLabel`.
llvm::Error writeLinePlotSVG(llvm::StringRef path,
                             llvm::ArrayRef<std::pair<double, double>> points,
                             llvm::StringRef xLabel, llvm::StringRef yLabel);

} // namespace qcc

#endif // QCC_SUPPORT_PLOT_H
