//===- ScheduleLayers.cpp - Pragmas from each layer's reuse factor --------===//
//
// hls4ml's knob: a layer's reuse factor R is how many products each
// multiplier computes. With the reduction loops of a layer unrolled and
// the loop around them pipelined at II=R, HLS shares each multiplier
// among R of the unrolled products: K products per output take ceil(K/R)
// multipliers and R cycles.
//
//===----------------------------------------------------------------------===//

#include "qcc/Target/HLS/Passes.h"

#include "qcc/Target/HLS/Schedule.h"

#include "mlir/Analysis/SliceAnalysis.h"
#include "mlir/IR/Builders.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/ADT/StringSet.h"

namespace qcc::hls {
#define GEN_PASS_DEF_HLSSCHEDULELAYERS
#include "qcc/Target/HLS/Passes.h.inc"
} // namespace qcc::hls

using namespace mlir;

namespace qcc::hls {

std::optional<int64_t> getTripCount(scf::ForOp loop) {
  auto lb = getConstantIntValue(loop.getLowerBound());
  auto ub = getConstantIntValue(loop.getUpperBound());
  auto step = getConstantIntValue(loop.getStep());
  if (!lb || !ub || !step || *step <= 0)
    return std::nullopt;
  return *ub > *lb ? (*ub - *lb + *step - 1) / *step : 0;
}

LayerNest analyseLayerNest(scf::ForOp outermost) {
  LayerNest nest;
  scf::ForOp loop = outermost;
  while (loop) {
    nest.loops.push_back(loop);
    scf::ForOp inner;
    for (Operation &op : loop.getBody()->without_terminator())
      if (auto f = dyn_cast<scf::ForOp>(op)) {
        if (inner) { // two nests inside: stop at the outer one
          inner = nullptr;
          break;
        }
        inner = f;
      }
    loop = inner;
  }
  // The loops whose induction variables a store's indices depend on.
  llvm::DenseSet<Value> storeDependencies;
  outermost.walk([&](memref::StoreOp store) {
    for (Value index : store.getIndices()) {
      SetVector<Operation *> slice;
      BackwardSliceOptions options;
      options.inclusive = true;
      storeDependencies.insert(index);
      if (Operation *def = index.getDefiningOp()) {
        (void)getBackwardSlice(def, &slice, options);
        for (Operation *op : slice)
          for (Value operand : op->getOperands())
            storeDependencies.insert(operand);
      }
    }
  });
  // The innermost loops no store index depends on: reductions.
  size_t firstReduction = nest.loops.size();
  while (firstReduction > 0 &&
         !storeDependencies.contains(
             nest.loops[firstReduction - 1].getInductionVar()))
    --firstReduction;
  nest.firstReduction = firstReduction;
  nest.reducedPerOutput = 1;
  for (size_t i = firstReduction; i < nest.loops.size(); ++i)
    nest.reducedPerOutput *= getTripCount(nest.loops[i]).value_or(1);
  return nest;
}

} // namespace qcc::hls

namespace {

struct HLSScheduleLayersPass
    : qcc::hls::impl::HLSScheduleLayersBase<HLSScheduleLayersPass> {
  using Base::Base;

  void runOnOperation() override {
    ModuleOp module = getOperation();
    if (reuseFactor < 1) {
      module.emitError("reuse-factor must be at least 1");
      return signalPassFailure();
    }
    llvm::StringMap<int64_t> perLayer;
    SmallVector<StringRef> pairs;
    StringRef(layerReuseFactors).split(pairs, ',', -1, false);
    for (StringRef pair : pairs) {
      auto [name, value] = pair.trim().split('=');
      int64_t factor = 0;
      if (name.empty() || value.trim().getAsInteger(10, factor) || factor < 1) {
        module.emitError("layer-reuse-factors: '")
            << pair << "' is not NAME=R with R >= 1";
        return signalPassFailure();
      }
      perLayer[name.trim()] = factor;
    }
    llvm::StringSet<> used;
    MLIRContext *ctx = &getContext();
    Builder b(ctx);
    for (auto layer : module.getOps<func::FuncOp>()) {
      auto name = layer->getAttrOfType<StringAttr>("hls.layer");
      if (!name)
        continue;
      int64_t reuse = reuseFactor;
      if (auto it = perLayer.find(name.getValue()); it != perLayer.end()) {
        reuse = it->second;
        used.insert(name.getValue());
      }
      SmallVector<Attribute> partitions;
      llvm::DenseSet<std::pair<Value, int64_t>> done;
      int64_t layerReuse = 1;
      for (scf::ForOp outermost : llvm::make_early_inc_range(
               layer.getBody().front().getOps<scf::ForOp>())) {
        qcc::hls::LayerNest nest = qcc::hls::analyseLayerNest(outermost);
        if (nest.firstReduction == nest.loops.size()) {
          // No reduction: one element per cycle.
          nest.loops.back()->setAttr("hls.pipeline_ii", b.getI64IntegerAttr(1));
          continue;
        }
        const int64_t ii = std::max<int64_t>(
            1, std::min<int64_t>(reuse, nest.reducedPerOutput));
        layerReuse = std::max(layerReuse, ii);
        for (size_t i = nest.firstReduction; i < nest.loops.size(); ++i)
          nest.loops[i]->setAttr("hls.unroll", b.getUnitAttr());
        scf::ForOp pipelined = nest.firstReduction > 0
                                   ? nest.loops[nest.firstReduction - 1]
                                   : nest.loops[nest.firstReduction];
        if (nest.firstReduction == 0)
          pipelined->removeAttr("hls.unroll");
        pipelined->setAttr("hls.pipeline_ii", b.getI64IntegerAttr(ii));

        // The arrays the unrolled loops index, partitioned along those
        // dimensions so that the products of a cycle read them at once.
        llvm::DenseSet<Value> unrolled;
        for (size_t i = nest.firstReduction; i < nest.loops.size(); ++i)
          unrolled.insert(nest.loops[i].getInductionVar());
        outermost.walk([&](memref::LoadOp load) {
          auto type = load.getMemRefType();
          for (auto [dim, index] : llvm::enumerate(load.getIndices())) {
            SetVector<Operation *> slice;
            bool dependsOnUnrolled = unrolled.contains(index);
            if (Operation *def = index.getDefiningOp()) {
              BackwardSliceOptions options;
              options.inclusive = true;
              (void)getBackwardSlice(def, &slice, options);
              for (Operation *op : slice)
                for (Value operand : op->getOperands())
                  dependsOnUnrolled |= unrolled.contains(operand);
            }
            if (!dependsOnUnrolled ||
                !done.insert({load.getMemRef(), dim}).second)
              continue;
            const int64_t size = type.getDimSize(dim);
            if (size <= 1)
              continue;
            NamedAttrList entry;
            Value memref = load.getMemRef();
            if (auto arg = dyn_cast<BlockArgument>(memref))
              entry.append("arg", b.getI64IntegerAttr(arg.getArgNumber()));
            else if (auto global = memref.getDefiningOp<memref::GetGlobalOp>())
              entry.append("global", global.getNameAttr());
            else if (auto alloc = memref.getDefiningOp<memref::AllocOp>()) {
              // A local array: its pragma goes with its declaration.
              SmallVector<Attribute> own;
              if (auto old = alloc->getAttrOfType<ArrayAttr>("hls.partition"))
                own.append(old.begin(), old.end());
              const int64_t factor = (size + ii - 1) / ii;
              std::string text =
                  factor >= size
                      ? "type=complete dim=" + std::to_string(dim + 1)
                      : "type=cyclic factor=" + std::to_string(factor) +
                            " dim=" + std::to_string(dim + 1);
              if (factor > 1)
                own.push_back(b.getStringAttr(text));
              alloc->setAttr("hls.partition", b.getArrayAttr(own));
              continue;
            } else {
              continue;
            }
            entry.append("dim", b.getI64IntegerAttr(dim + 1));
            const int64_t factor = (size + ii - 1) / ii;
            if (factor >= size)
              entry.append("kind", b.getStringAttr("complete"));
            else {
              entry.append("kind", b.getStringAttr("cyclic"));
              entry.append("factor", b.getI64IntegerAttr(factor));
            }
            if (factor > 1)
              partitions.push_back(entry.getDictionary(ctx));
          }
        });
      }
      layer->setAttr("hls.reuse_factor", b.getI64IntegerAttr(layerReuse));
      if (!partitions.empty())
        layer->setAttr("hls.partition", b.getArrayAttr(partitions));
    }
    for (auto &[name, factor] : perLayer)
      if (!used.contains(name)) {
        SmallVector<std::string> names;
        for (auto layer : module.getOps<func::FuncOp>())
          if (auto n = layer->getAttrOfType<StringAttr>("hls.layer"))
            names.push_back(n.getValue().str());
        module.emitError("layer-reuse-factors: no layer is called '")
            << name << "' (the layers: " << llvm::join(names, ", ") << ")";
        return signalPassFailure();
      }
  }
};

} // namespace
