//===- ReportFormat.h - The quantization report as text and JSON -*- C++
//-*-===//
//
// How qcc quantize and qcc compile show a QuantizeReport: a summary line,
// a per-layer table and weight bytes as text, the same as JSON, and the
// float islands integer lowering left.
//
//===----------------------------------------------------------------------===//

#ifndef QCC_QUANTIZATION_REPORTFORMAT_H
#define QCC_QUANTIZATION_REPORTFORMAT_H

#include "qcc/Quantization/Quantize.h"

#include "llvm/Support/JSON.h"
#include "llvm/Support/raw_ostream.h"

#include <string>

namespace qcc::quantization {

/// How the report names what was asked: as the options were spelled.
struct QuantizeSpelling {
  std::string model;
  std::string weights = "int8", acts = "int8", method = "minmax";
  bool mixedPrecision = false;
};

/// The report as text: what was quantized how, calibration, one row per
/// layer, the weights' bytes.
void printReport(llvm::raw_ostream &os, const QuantizeOptions &options,
                 const QuantizeSpelling &spelling,
                 const QuantizeReport &report);

/// The report as JSON.
llvm::json::Value reportToJSON(const QuantizeOptions &options,
                               const QuantizeSpelling &spelling,
                               const QuantizeReport &report);
/// reportToJSON, written to `path` atomically.
llvm::Error writeReportJSON(llvm::StringRef path,
                            const QuantizeOptions &options,
                            const QuantizeSpelling &spelling,
                            const QuantizeReport &report);

/// Prints `heading`, then the first 10 float islands and a count of the
/// rest (a long model may have thousands).
void listFloatIslands(llvm::raw_ostream &os, llvm::StringRef heading,
                      llvm::ArrayRef<std::string> islands);

} // namespace qcc::quantization

#endif // QCC_QUANTIZATION_REPORTFORMAT_H
