//===- Plot.cpp - Line plots as SVG files ---------------------------------===//

#include "qcc/Support/Plot.h"

#include "qcc/Support/AtomicFile.h"

#include "llvm/Support/Format.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/raw_ostream.h"

#include <algorithm>
#include <cmath>

using namespace llvm;

Error qcc::writeLinePlotSVG(StringRef path,
                            ArrayRef<std::pair<double, double>> points,
                            StringRef xLabel, StringRef yLabel) {
  double x0 = 1e9, x1 = -1e9, y0 = 1e9, y1 = -1e9;
  for (auto [x, y] : points) {
    x0 = std::min(x0, x);
    x1 = std::max(x1, x);
    y0 = std::min(y0, y);
    y1 = std::max(y1, y);
  }
  x0 = std::floor(x0);
  x1 = std::max(std::ceil(x1), x0 + 1);
  const double pad = y1 > y0 ? 0.05 * (y1 - y0) : 1;
  y0 -= pad;
  y1 += pad;
  std::string svgText;
  raw_string_ostream svg(svgText);
  const double W = 560, H = 360, left = 70, right = 20, top = 20, bottom = 50;
  auto px = [&](double x) {
    return left + (x - x0) / (x1 - x0) * (W - left - right);
  };
  auto py = [&](double y) {
    return H - bottom - (y - y0) / (y1 - y0) * (H - top - bottom);
  };
  svg << format("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%.0f\" "
                "height=\"%.0f\" font-family=\"sans-serif\" "
                "font-size=\"12\">\n",
                W, H)
      << format("<rect width=\"%.0f\" height=\"%.0f\" fill=\"white\"/>\n", W,
                H);
  for (double x = x0; x <= x1 + 1e-9; x += 1)
    svg << format("<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" "
                  "stroke=\"#ddd\"/>\n<text x=\"%.1f\" y=\"%.1f\" "
                  "text-anchor=\"middle\">%.0f</text>\n",
                  px(x), py(y0), px(x), py(y1), px(x), H - bottom + 16, x);
  for (int i = 0; i <= 4; ++i) {
    const double y = y0 + (y1 - y0) * i / 4;
    svg << format("<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" "
                  "stroke=\"#ddd\"/>\n<text x=\"%.1f\" y=\"%.1f\" "
                  "text-anchor=\"end\">%.4g</text>\n",
                  px(x0), py(y), px(x1), py(y), left - 6, py(y) + 4, y);
  }
  svg << format("<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\">"
                "%s</text>\n",
                (left + W - right) / 2, H - 10, xLabel.str().c_str())
      << format("<text transform=\"translate(16,%.1f) rotate(-90)\" "
                "text-anchor=\"middle\">%s</text>\n",
                (top + H - bottom) / 2, yLabel.str().c_str());
  std::string line;
  for (auto [x, y] : points) {
    line += formatv("{0:F1},{1:F1} ", px(x), py(y)).str();
    svg << format("<circle cx=\"%.1f\" cy=\"%.1f\" r=\"3.5\" "
                  "fill=\"steelblue\"/>\n",
                  px(x), py(y));
  }
  svg << "<polyline fill=\"none\" stroke=\"steelblue\" points=\"" << line
      << "\"/>\n</svg>\n";
  return writeFileAtomically(path, [&](raw_ostream &os) {
    os << svgText;
    return Error::success();
  });
}
