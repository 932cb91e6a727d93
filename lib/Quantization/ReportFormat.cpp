//===- ReportFormat.cpp - The quantization report as text and JSON --------===//

#include "qcc/Quantization/ReportFormat.h"

#include "qcc/Numerics/Quantize.h"
#include "qcc/Support/AtomicFile.h"

#include "llvm/Support/Format.h"
#include "llvm/Support/FormatVariadic.h"

#include <cmath>
#include <cstdio>

using namespace llvm;

namespace qcc::quantization {
namespace {

std::string formatDouble(double v) {
  char buffer[32];
  std::snprintf(buffer, sizeof(buffer), "%.4g", v);
  return buffer;
}

/// The report's first line: what was quantized how.
void printSummary(raw_ostream &os, const QuantizeOptions &options,
                  const QuantizeSpelling &spelling, int64_t samples) {
  const qc::QCQuantizeOptions &q = options.quantize;
  const bool blocks = numerics::parseBlockFormat(spelling.weights).has_value();
  os << "quantized " << spelling.model << " ("
     << (spelling.mixedPrecision ? "mixed-precision" : spelling.weights)
     << " weights "
     << (blocks          ? "in blocks along the input channels"
         : q.groupSize   ? ("per group of " + std::to_string(q.groupSize))
         : !q.perChannel ? "per tensor"
                         : "per channel")
     << " ("
     << (blocks ? std::string("block scales")
                : (q.asymmetricWeights ? "asymmetric, " : "") +
                      q.weightClipping + " scales")
     << (options.equalize ? ", equalized" : "")
     << (options.optimizeRounding ? ", optimized rounding" : "")
     << (options.biasCorrection ? ", bias-corrected" : "")
     << (options.int32Bias ? ", int32 biases" : "") << "), ";
  if (q.weightOnly)
    os << "float activations (weight-only))\n";
  else
    os << spelling.acts
       << (q.pow2Scales      ? " fixed-point (power-of-two scales)"
           : q.symmetricActs ? " symmetric"
                             : " asymmetric")
       << " activations, calibration " << spelling.method << " on " << samples
       << " samples)\n";
}

} // namespace

void printReport(raw_ostream &os, const QuantizeOptions &options,
                 const QuantizeSpelling &spelling,
                 const QuantizeReport &report) {
  printSummary(os, options, spelling, report.samples);
  const double samplesPerSecond =
      report.samples / std::max(report.calibrationSeconds, 1e-9);
  if (!options.quantize.weightOnly)
    os << format(
        "calibration (%s): %lld samples in %.2f s (%.*f "
        "samples/s, %zu activations observed)\n",
        report.compiledCalibration
            ? formatv("compiled code, built in {0:F2} s", report.compileSeconds)
                  .str()
                  .c_str()
            : "interpreter",
        static_cast<long long>(report.samples), report.calibrationSeconds,
        samplesPerSecond < 10 ? 2 : 0, samplesPerSecond,
        report.observedActivations);
  os << format("%-28s %-10s %-22s %-10s %-24s %10s\n", "layer", "op", "weights",
               "acts", "act range", "SQNR dB");
  for (const LayerReport &r : report.layers) {
    std::string range = r.hasAct ? (Twine("[") + formatDouble(r.rangeLo) +
                                    ", " + formatDouble(r.rangeHi) + "]")
                                       .str()
                                 : "-";
    os << format("%-28s %-10s %-22s %-10s %-24s %10.2f\n", r.name.c_str(),
                 r.op.c_str(), r.weightFormat.c_str(), r.actFormat.c_str(),
                 range.c_str(), r.sqnr());
  }
  os << format("weights of the %zu layers: %lld bytes stored (codes, "
               "scales, zero points), %lld as f32 (%.1f%%)\n",
               report.layers.size(), static_cast<long long>(report.weightBytes),
               static_cast<long long>(report.floatWeightBytes),
               report.floatWeightBytes
                   ? 100.0 * report.weightBytes / report.floatWeightBytes
                   : 0.0);
}

json::Value reportToJSON(const QuantizeOptions &options,
                         const QuantizeSpelling &spelling,
                         const QuantizeReport &report) {
  json::Array layers;
  for (const LayerReport &r : report.layers) {
    json::Object o{{"layer", r.name},
                   {"op", r.op},
                   {"weights", r.weightFormat},
                   {"weight_scales", json::Array(r.weightScales)},
                   {"activations", r.actFormat},
                   {"weight_bytes", r.weightBytes},
                   {"float_weight_bytes", r.floatWeightBytes},
                   {"sqnr_db", std::isfinite(r.sqnr()) ? json::Value(r.sqnr())
                                                       : json::Value(nullptr)}};
    if (r.biasCorrection)
      o["bias_correction"] = json::Array(*r.biasCorrection);
    if (r.hasAct) {
      o["act_scale"] = r.actScale;
      o["act_zero_point"] = r.actZeroPoint;
      o["act_range"] = json::Array{r.rangeLo, r.rangeHi};
    }
    layers.push_back(std::move(o));
  }
  const qc::QCQuantizeOptions &q = options.quantize;
  return json::Object{
      {"model", spelling.model},
      {"calibration_method", spelling.method},
      {"calibration_samples", report.samples},
      {"calibration_seconds", report.calibrationSeconds},
      {"weights", spelling.weights},
      {"per_channel", q.perChannel},
      {"activations", spelling.acts},
      {"symmetric_activations", q.symmetricActs || q.pow2Scales},
      {"pow2_scales", q.pow2Scales},
      {"bias_correction", options.biasCorrection},
      {"int32_bias", options.int32Bias},
      {"optimized_rounding", options.optimizeRounding},
      {"equalized", options.equalize},
      {"weight_bytes", report.weightBytes},
      {"float_weight_bytes", report.floatWeightBytes},
      {"layers", std::move(layers)}};
}

Error writeReportJSON(StringRef path, const QuantizeOptions &options,
                      const QuantizeSpelling &spelling,
                      const QuantizeReport &report) {
  return writeFileAtomically(path, [&](raw_ostream &os) {
    os << formatv("{0:2}", reportToJSON(options, spelling, report)) << "\n";
    return Error::success();
  });
}

void listFloatIslands(raw_ostream &os, StringRef heading,
                      ArrayRef<std::string> islands) {
  constexpr size_t kListed = 10;
  os << heading << "\n";
  for (const std::string &island : islands.take_front(kListed))
    os << "  " << island << "\n";
  if (islands.size() > kListed)
    os << "  ... and " << islands.size() - kListed << " more ("
       << islands.size() << " float ops in all)\n";
}

} // namespace qcc::quantization
