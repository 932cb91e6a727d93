//===- Estimate.h - Resources and latency of an HLS design ------*- C++ -*-===//
//
// A first-order estimate of what synthesis makes of the design the HLS
// target emits, per layer and in total, from the scheduled loops
// (qcc-hls-schedule-layers) and qcc's FPGA cost model
// (qcc/Support/FpgaCost.h, which the mixed-precision ILP's FPGA budgets
// use too). docs/hls.md gives the rules. No synthesis tool is run.
//
//===----------------------------------------------------------------------===//

#ifndef QCC_TARGET_HLS_ESTIMATE_H
#define QCC_TARGET_HLS_ESTIMATE_H

#include "mlir/IR/BuiltinOps.h"
#include "llvm/Support/JSON.h"

#include <map>
#include <string>
#include <utility>
#include <vector>

namespace qcc::hls {

struct LayerEstimate {
  std::string function; ///< the layer's function in model.cpp
  std::string layer;    ///< the ONNX node (hls.layer)
  /// What the layer does: "reduce" (a reduction: a matrix product, a
  /// convolution, a pooling), else "map" (computes each element from
  /// others), "fill" (stores constants) or "copy".
  std::string kind;
  int64_t reuseFactor = 1;
  /// Elements reduced per output (0: no reduction).
  int64_t reducedPerOutput = 0;
  /// The width of its accumulator (a reduction), else of what it stores.
  unsigned storedBits = 0;
  /// Multiplier instances after sharing, by operand widths (narrow, wide).
  std::map<std::pair<unsigned, unsigned>, int64_t> multipliers;
  double dsp = 0, lut = 0, ff = 0, bram18k = 0;
  /// The widest II of its nests.
  int64_t initiationInterval = 1;
  /// Its nests one after another.
  int64_t latencyCycles = 0;
  /// Loop nests (a pad's fill and copy, an init, the reduction, the
  /// requantization).
  int64_t nests = 0;
};

struct DesignEstimate {
  std::vector<LayerEstimate> layers;
  double dsp = 0, lut = 0, ff = 0, bram18k = 0;
  /// Cycles of one inference, layers one after another.
  int64_t latencyCycles = 0;
  /// With the layers overlapped (DATAFLOW): the slowest layer's cycles.
  int64_t intervalCycles = 0;
  double clockPeriodNs = 5.0;
};

/// Estimates the design whose top function is `top` in `module` (after
/// qcc-hls-lowering).
DesignEstimate estimateDesign(mlir::ModuleOp module, llvm::StringRef top,
                              double clockPeriodNs);

llvm::json::Value toJSON(const DesignEstimate &estimate);

/// The per-layer table qcc compile prints and docs/hls.md shows.
std::string formatEstimateTable(const DesignEstimate &estimate);

} // namespace qcc::hls

#endif // QCC_TARGET_HLS_ESTIMATE_H
