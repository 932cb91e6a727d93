//===- Estimate.cpp - Resources and latency of an HLS design --------------===//
//
// The rules (docs/hls.md):
//   - An op inside loops marked hls.unroll exists (product of their trip
//     counts) times, shared by the pipelined loop's II: ceil(copies / II)
//     instances; once where every copy computes the same (no unrolled
//     counter, no memory the nest writes, in its operands). Elsewhere it
//     is one instance.
//   - A multiplier's operand widths are those of the values before sign
//     extension (what HLS's bit-width analysis sees too); its cost is
//     qcc::fpgaMultiplierCost. A multiplication by a constant is shifts and
//     adds: about one LUT per bit of the other operand per set bit.
//   - Adders, comparators, minima/maxima and selects: one LUT per result
//     bit. Registers: every integer result of an instance, once. What an
//     unrolled copy computes from constants and unrolled counters alone is
//     folded (free), and a select on it is a wire.
//   - Arrays: local buffers and weights in 18-kbit block RAMs
//     (qcc::fpgaBlockRams), split into the banks the partitions ask for.
//   - Latency: a layer's non-unrolled iterations times its II, plus the
//     pipeline's depth (3 cycles per multiplier stage, the adder tree's
//     levels, 2 for memory); the design's is their sum, its interval under
//     DATAFLOW the slowest layer's.
//
//===----------------------------------------------------------------------===//

#include "qcc/Target/HLS/Estimate.h"

#include "qcc/Support/FpgaCost.h"
#include "qcc/Target/HLS/Schedule.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/IR/Matchers.h"
#include "llvm/Support/FormatVariadic.h"

#include <cmath>

using namespace mlir;

namespace qcc::hls {

namespace {

unsigned integerWidth(Type type) {
  auto integer = dyn_cast<IntegerType>(getElementTypeOrSelf(type));
  return integer ? integer.getWidth() : 0;
}

/// The width a value had before sign or zero extension.
unsigned sourceWidth(Value v) {
  while (Operation *def = v.getDefiningOp()) {
    if (!isa<arith::ExtSIOp, arith::ExtUIOp>(def))
      break;
    v = def->getOperand(0);
  }
  if (auto constant = v.getDefiningOp<arith::ConstantIntOp>()) {
    APInt value = cast<IntegerAttr>(constant.getValue()).getValue();
    return value.getSignificantBits();
  }
  return integerWidth(v.getType());
}

/// Unrolled copies of `op`: the product of the trip counts of the loops
/// marked hls.unroll around it.
int64_t unrolledCopies(Operation *op) {
  int64_t copies = 1;
  for (auto loop = op->getParentOfType<scf::ForOp>(); loop;
       loop = loop->getParentOfType<scf::ForOp>())
    if (loop->hasAttr("hls.unroll"))
      copies *= getTripCount(loop).value_or(1);
  return copies;
}

/// The resources and latency of one nest of a layer, added into `e`.
/// Returns whether the nest loads, and whether it computes.
std::pair<bool, bool> estimateNest(scf::ForOp outermost, LayerEstimate &e) {
  LayerNest nest = analyseLayerNest(outermost);
  int64_t reduced = 0;
  if (nest.firstReduction < nest.loops.size())
    reduced = nest.reducedPerOutput;
  e.reducedPerOutput = std::max(e.reducedPerOutput, reduced);
  int64_t ii = 1;
  int64_t iterations = 1;
  for (scf::ForOp loop : nest.loops) {
    if (auto attr = loop->getAttrOfType<IntegerAttr>("hls.pipeline_ii"))
      ii = attr.getInt();
    if (!loop->hasAttr("hls.unroll"))
      iterations *= getTripCount(loop).value_or(1);
  }
  e.initiationInterval = std::max(e.initiationInterval, ii);
  // Values known in each unrolled copy (constants, unrolled counters and
  // what is computed from them alone): HLS folds them, and a select on one
  // is a wire. Values every unrolled copy computes alike (HLS computes them
  // once): what depends neither on an unrolled counter nor on memory the
  // nest writes.
  llvm::DenseSet<Value> stored;
  outermost.walk(
      [&](memref::StoreOp store) { stored.insert(store.getMemRef()); });
  llvm::DenseSet<Value> unrollConstant, variant;
  outermost.walk<WalkOrder::PreOrder>([&](Operation *op) {
    if (auto loop = dyn_cast<scf::ForOp>(op);
        loop && loop->hasAttr("hls.unroll")) {
      unrollConstant.insert(loop.getInductionVar());
      variant.insert(loop.getInductionVar());
    }
    if (op->getNumResults() != 1 || op->getNumRegions())
      return;
    if (isPure(op) && llvm::all_of(op->getOperands(), [&](Value v) {
          return unrollConstant.contains(v) || matchPattern(v, m_Constant());
        }))
      unrollConstant.insert(op->getResult(0));
    const bool depends =
        llvm::any_of(op->getOperands(),
                     [&](Value v) { return variant.contains(v); }) ||
        (isa<memref::LoadOp>(op) &&
         stored.contains(cast<memref::LoadOp>(op).getMemRef()));
    if (depends)
      variant.insert(op->getResult(0));
  });
  auto folded = [&](Operation *op) {
    if (op->getNumResults() == 1 && unrollConstant.contains(op->getResult(0)))
      return true;
    auto select = dyn_cast<arith::SelectOp>(op);
    return select && (unrollConstant.contains(select.getCondition()) ||
                      matchPattern(select.getCondition(), m_Constant()));
  };
  auto instances = [&](Operation *op) {
    const int64_t copies = unrolledCopies(op);
    if (copies == 1 ||
        (op->getNumResults() == 1 && !variant.contains(op->getResult(0))))
      return int64_t(1);
    return (copies + ii - 1) / ii;
  };
  unsigned multiplierStages = 0;
  bool loads = false, computes = false;
  outermost.walk([&](Operation *op) {
    loads |= isa<memref::LoadOp>(op);
    computes |= op->getNumResults() == 1 &&
                op->getDialect()->getNamespace() != "memref" &&
                !op->getResult(0).getType().isIndex() &&
                !op->getResult(0).getType().isInteger(1) &&
                !isa<arith::ConstantOp, arith::ExtSIOp, arith::ExtUIOp,
                     arith::TruncIOp, arith::IndexCastOp, scf::ForOp>(op);
    const unsigned width =
        op->getNumResults() == 1 ? integerWidth(op->getResult(0).getType()) : 0;
    if (auto store = dyn_cast<memref::StoreOp>(op);
        store && (reduced || !e.reducedPerOutput))
      e.storedBits =
          std::max(e.storedBits, integerWidth(store.getValue().getType()));
    if (!width || isa<arith::ConstantOp>(op) || folded(op))
      return;
    const int64_t n = instances(op);
    if (isa<arith::MulIOp>(op)) {
      multiplierStages = 1;
      unsigned a = sourceWidth(op->getOperand(0));
      unsigned b = sourceWidth(op->getOperand(1));
      const bool constant = matchPattern(op->getOperand(0), m_Constant()) ||
                            matchPattern(op->getOperand(1), m_Constant());
      APInt value;
      const bool powerOfTwo =
          (matchPattern(op->getOperand(0), m_ConstantInt(&value)) ||
           matchPattern(op->getOperand(1), m_ConstantInt(&value))) &&
          value.isPowerOf2();
      if (powerOfTwo) {
        // A shift: wiring.
      } else if (constant) {
        e.lut += n * std::min(a, b) * std::max(a, b) / 2.0;
      } else {
        e.multipliers[{std::min(a, b), std::max(a, b)}] += n;
        FpgaMultiplierCost cost = fpgaMultiplierCost(a, b);
        e.lut += n * cost.luts;
        e.dsp += n * cost.dsps;
      }
    } else if (isa<arith::AddIOp, arith::SubIOp, arith::MaxSIOp, arith::MinSIOp,
                   arith::SelectOp, arith::CmpIOp>(op)) {
      e.lut += n * width;
    }
    if (!isa<arith::ExtSIOp, arith::ExtUIOp, arith::TruncIOp>(op))
      e.ff += n * width;
  });
  // The pipeline's depth: multipliers, the adder tree, memory.
  const int64_t treeLevels =
      reduced > 1 ? static_cast<int64_t>(std::ceil(std::log2(
                        static_cast<double>((reduced + ii - 1) / ii))))
                  : 0;
  const int64_t depth = 3 * multiplierStages + treeLevels + 2;
  e.latencyCycles += iterations * ii + depth;
  ++e.nests;
  return {loads, computes};
}

LayerEstimate estimateLayer(func::FuncOp layer) {
  LayerEstimate e;
  e.function = layer.getSymName().str();
  if (auto name = layer->getAttrOfType<StringAttr>("hls.layer"))
    e.layer = name.getValue().str();
  if (auto reuse = layer->getAttrOfType<IntegerAttr>("hls.reuse_factor"))
    e.reuseFactor = reuse.getInt();
  bool loads = false, computes = false;
  // The reductions first: what the layer stores is their accumulator.
  SmallVector<scf::ForOp> nests(layer.getBody().front().getOps<scf::ForOp>());
  llvm::stable_sort(nests, [](scf::ForOp a, scf::ForOp b) {
    LayerNest x = analyseLayerNest(a), y = analyseLayerNest(b);
    return (x.firstReduction < x.loops.size()) >
           (y.firstReduction < y.loops.size());
  });
  for (scf::ForOp nest : nests) {
    auto [l, c] = estimateNest(nest, e);
    loads |= l;
    computes |= c;
  }
  e.kind = e.reducedPerOutput ? "reduce"
           : !loads           ? "fill"
           : computes         ? "map"
                              : "copy";
  return e;
}

/// Bits of the arrays `func` allocates or reads as weights, by bank count.
void addMemories(func::FuncOp top, ModuleOp module, DesignEstimate &d) {
  auto banksOf = [](DictionaryAttr entry, MemRefType type) {
    int64_t dim = entry.getAs<IntegerAttr>("dim").getInt() - 1;
    if (entry.getAs<StringAttr>("kind").getValue() == "complete")
      return type.getDimSize(dim);
    return entry.getAs<IntegerAttr>("factor").getInt();
  };
  // Banks each global and each buffer argument of a layer is split into.
  llvm::DenseMap<StringRef, int64_t> globalBanks;
  for (auto layer : module.getOps<func::FuncOp>())
    if (auto partitions = layer->getAttrOfType<ArrayAttr>("hls.partition"))
      for (auto entry : partitions.getAsRange<DictionaryAttr>())
        if (auto global = entry.getAs<FlatSymbolRefAttr>("global")) {
          auto g = module.lookupSymbol<memref::GlobalOp>(global.getValue());
          if (!g)
            continue;
          int64_t &banks = globalBanks[global.getValue()];
          banks = std::max<int64_t>(1, banks) * banksOf(entry, g.getType());
        }
  for (auto global : module.getOps<memref::GlobalOp>()) {
    MemRefType type = global.getType();
    if (!type.hasStaticShape())
      continue;
    const double bits = static_cast<double>(type.getNumElements()) *
                        type.getElementTypeBitWidth();
    const double banks = globalBanks.lookup(global.getSymName());
    const double brams = fpgaBlockRams(bits, banks);
    d.bram18k += brams;
    if (brams == 0)
      d.lut += bits / 64; // ROM in LUTs: 64 bits per LUT6
  }
  auto addBuffer = [&](memref::AllocOp alloc) {
    MemRefType type = alloc.getType();
    if (!type.hasStaticShape())
      return;
    const double bits = static_cast<double>(type.getNumElements()) *
                        type.getElementTypeBitWidth();
    const double brams = fpgaBlockRams(bits);
    d.bram18k += brams;
    if (brams == 0)
      d.ff += bits;
  };
  // The buffers between layers (the top's) and each layer's own.
  top.walk(addBuffer);
  for (auto layer : module.getOps<func::FuncOp>())
    if (layer->hasAttr("hls.layer"))
      layer.walk(addBuffer);
}

} // namespace

DesignEstimate estimateDesign(ModuleOp module, StringRef top,
                              double clockPeriodNs) {
  DesignEstimate d;
  d.clockPeriodNs = clockPeriodNs;
  auto topFunc = module.lookupSymbol<func::FuncOp>(top);
  if (!topFunc)
    return d;
  topFunc.walk([&](func::CallOp call) {
    auto layer = module.lookupSymbol<func::FuncOp>(call.getCallee());
    if (!layer || !layer->hasAttr("hls.layer"))
      return;
    LayerEstimate e = estimateLayer(layer);
    d.dsp += e.dsp;
    d.lut += e.lut;
    d.ff += e.ff;
    d.latencyCycles += e.latencyCycles;
    d.intervalCycles = std::max(d.intervalCycles, e.latencyCycles);
    d.layers.push_back(std::move(e));
  });
  addMemories(topFunc, module, d);
  d.dsp = std::ceil(d.dsp);
  d.lut = std::ceil(d.lut);
  d.ff = std::ceil(d.ff);
  return d;
}

llvm::json::Value toJSON(const DesignEstimate &d) {
  llvm::json::Array layers;
  for (const LayerEstimate &e : d.layers) {
    llvm::json::Array multipliers;
    for (auto &[widths, count] : e.multipliers)
      multipliers.push_back(llvm::json::Object{
          {"widths", llvm::json::Array{widths.first, widths.second}},
          {"count", count}});
    layers.push_back(
        llvm::json::Object{{"function", e.function},
                           {"layer", e.layer},
                           {"kind", e.kind},
                           {"reuse_factor", e.reuseFactor},
                           {"reduced_per_output", e.reducedPerOutput},
                           {"stored_bits", e.storedBits},
                           {"multipliers", std::move(multipliers)},
                           {"dsp", e.dsp},
                           {"lut", e.lut},
                           {"ff", e.ff},
                           {"ii", e.initiationInterval},
                           {"nests", e.nests},
                           {"latency_cycles", e.latencyCycles}});
  }
  return llvm::json::Object{
      {"model", "qcc first-order estimate (docs/hls.md); not synthesis"},
      {"clock_period_ns", d.clockPeriodNs},
      {"total",
       llvm::json::Object{
           {"dsp", d.dsp},
           {"lut", d.lut},
           {"ff", d.ff},
           {"bram18k", d.bram18k},
           {"latency_cycles", d.latencyCycles},
           {"latency_us", d.latencyCycles * d.clockPeriodNs / 1000},
           {"dataflow_interval_cycles", d.intervalCycles}}},
      {"layers", std::move(layers)}};
}

std::string formatEstimateTable(const DesignEstimate &d) {
  std::string text;
  llvm::raw_string_ostream os(text);
  os << llvm::formatv("{0,-24} {1,-6} {2,5} {3,5} {4,-18} {5,7} {6,8} {7,8}\n",
                      "layer", "kind", "reuse", "bits", "multipliers", "DSP",
                      "LUT", "cycles");
  for (const LayerEstimate &e : d.layers) {
    std::string mults;
    for (auto &[widths, count] : e.multipliers)
      mults += (mults.empty() ? "" : " ") + std::to_string(count) + "x(" +
               std::to_string(widths.first) + "x" +
               std::to_string(widths.second) + ")";
    std::string name = e.layer.size() > 24
                           ? "..." + e.layer.substr(e.layer.size() - 21)
                           : e.layer;
    os << llvm::formatv(
        "{0,-24} {1,-6} {2,5} {3,5} {4,-18} {5,7} {6,8} {7,8}\n", name, e.kind,
        e.reducedPerOutput ? std::to_string(e.reuseFactor) : std::string("-"),
        e.storedBits, mults.empty() ? std::string("-") : mults,
        llvm::formatv("{0:F1}", e.dsp).str(),
        llvm::formatv("{0:F0}", e.lut).str(), e.latencyCycles);
  }
  os << llvm::formatv(
      "total: {0:F0} DSP, {1:F0} LUT, {2:F0} FF, {3:F0} BRAM18K; latency {4} "
      "cycles = "
      "{5:F2} us at {6} ns (interval {7} cycles with DATAFLOW)\n",
      d.dsp, d.lut, d.ff, d.bram18k, d.latencyCycles,
      d.latencyCycles * d.clockPeriodNs / 1000, d.clockPeriodNs,
      d.intervalCycles);
  return text;
}

} // namespace qcc::hls
