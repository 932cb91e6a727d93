//===- FoldReductionInits.cpp - Reductions that start from their init -----===//
//
// A convolution's accumulator starts at its bias: lowered as is, that is a
// loop nest broadcasting the bias into the accumulator array (and one more
// converting it to the accumulator's width) before the reduction runs, on
// an FPGA a pass over the whole output for nothing. Here the reduction
// computes its init itself, at the first reduced element of each output:
// `acc = (k == 0 ? bias[c] : acc) + x * w`, the way HLS designs write it.
//
//===----------------------------------------------------------------------===//

#include "qcc/Target/HLS/Passes.h"

#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/IR/AffineMap.h"
#include "mlir/IR/IRMapping.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace qcc::hls {
#define GEN_PASS_DEF_HLSFOLDREDUCTIONINITS
#include "qcc/Target/HLS/Passes.h.inc"
} // namespace qcc::hls

using namespace mlir;

namespace {

/// A producer whose value at an index is computed from its inputs at
/// indices it maps there: all-parallel, one result, identity output map,
/// a body reading neither its output nor linalg.index.
bool isPointwiseProducer(linalg::GenericOp generic) {
  if (generic.getNumDpsInits() != 1 || generic.getNumReductionLoops() ||
      !generic.getIndexingMapsArray().back().isIdentity() ||
      !generic.getRegionOutputArgs().front().use_empty())
    return false;
  return generic.getBody()
      ->walk([](linalg::IndexOp) { return WalkResult::interrupt(); })
      .wasInterrupted() == false;
}

/// The init computed at the reduction's indices: the producers (through
/// expand_shape) inlined, their inputs read at composed maps. `inputs` and
/// `maps` collect what the reduction reads; with a builder, the scalar
/// value is built too (inputs then come from `args`, in the same order).
struct InitPlan {
  SmallVector<Value> inputs;
  SmallVector<AffineMap> maps;
  bool folded = false;

  Value visit(Value v, AffineMap map, OpBuilder *b, ArrayRef<Value> args,
              unsigned &next) {
    if (auto expand = v.getDefiningOp<tensor::ExpandShapeOp>();
        expand && expand->hasOneUse()) {
      // The source index of each group: its expanded indices linearized.
      auto expanded = expand.getResultType();
      SmallVector<AffineExpr> results;
      for (ReassociationIndices group : expand.getReassociationIndices()) {
        AffineExpr index = getAffineConstantExpr(0, map.getContext());
        for (int64_t d : group)
          if (expanded.getDimSize(d) != 1) // (its index is 0)
            index = index * expanded.getDimSize(d) + map.getResult(d);
        results.push_back(index);
      }
      folded = true;
      return visit(expand.getSrc(),
                   AffineMap::get(map.getNumDims(), 0, results,
                                  map.getContext()),
                   b, args, next);
    }
    if (auto producer = v.getDefiningOp<linalg::GenericOp>();
        producer && producer->hasOneUse() && isPointwiseProducer(producer)) {
      folded = true;
      IRMapping mapping;
      for (OpOperand *input : producer.getDpsInputOperands()) {
        AffineMap inner = producer.getMatchingIndexingMap(input);
        Value scalar = read(input->get(), inner.compose(map), b, args, next);
        mapping.map(producer.getMatchingBlockArgument(input), scalar);
      }
      if (!b)
        return {};
      for (Operation &op : producer.getBody()->without_terminator())
        b->clone(op, mapping);
      return mapping.lookupOrDefault(
          producer.getBody()->getTerminator()->getOperand(0));
    }
    return read(v, map, b, args, next);
  }

  /// `v` read as an input of the reduction at `map`.
  Value read(Value v, AffineMap map, OpBuilder *b, ArrayRef<Value> args,
             unsigned &next) {
    if (!isa<ShapedType>(v.getType()))
      map = AffineMap::get(map.getNumDims(), 0, {}, map.getContext());
    if (!b) {
      inputs.push_back(v);
      maps.push_back(map);
      return {};
    }
    return args[next++];
  }
};

struct FoldInit : OpRewritePattern<linalg::GenericOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(linalg::GenericOp generic,
                                PatternRewriter &rewriter) const override {
    if (generic.getNumReductionLoops() == 0 || generic.getNumDpsInits() != 1 ||
        !generic.hasPureTensorSemantics())
      return failure();
    OpOperand &init = generic.getDpsInitsMutable()[0];
    if (init.get().getDefiningOp<tensor::EmptyOp>())
      return failure();
    AffineMap outputMap = generic.getMatchingIndexingMap(&init);
    InitPlan plan;
    unsigned next = 0;
    plan.visit(init.get(), outputMap, nullptr, {}, next);
    if (!plan.folded)
      return failure(); // nothing to save: the init is read as it is

    Location loc = generic.getLoc();
    auto type = cast<RankedTensorType>(init.get().getType());
    Value empty = tensor::EmptyOp::create(rewriter, loc, type.getShape(),
                                          type.getElementType());
    SmallVector<Value> inputs(generic.getDpsInputs());
    llvm::append_range(inputs, plan.inputs);
    SmallVector<AffineMap> maps;
    for (OpOperand *input : generic.getDpsInputOperands())
      maps.push_back(generic.getMatchingIndexingMap(input));
    llvm::append_range(maps, plan.maps);
    maps.push_back(outputMap);
    auto folded = linalg::GenericOp::create(
        rewriter, loc, TypeRange{type}, inputs, ValueRange{empty}, maps,
        generic.getIteratorTypesArray(),
        [&](OpBuilder &b, Location loc, ValueRange args) {
          const unsigned own = generic.getNumDpsInputs();
          SmallVector<Value> all(args.begin(), args.end());
          unsigned index = 0;
          Value initial = plan.visit(init.get(), outputMap, &b,
                                     ArrayRef<Value>(all).slice(
                                         own, plan.inputs.size()),
                                     index);
          // The first reduced element of this output: every reduction
          // index 0.
          Value first;
          for (auto [d, iterator] :
               llvm::enumerate(generic.getIteratorTypesArray())) {
            if (iterator != utils::IteratorType::reduction)
              continue;
            Value i = linalg::IndexOp::create(b, loc, d);
            Value zero = arith::ConstantIndexOp::create(b, loc, 0);
            Value isZero = arith::CmpIOp::create(
                b, loc, arith::CmpIPredicate::eq, i, zero);
            first = first ? arith::AndIOp::create(b, loc, first, isZero)
                          : isZero;
          }
          Value accumulator = arith::SelectOp::create(b, loc, first, initial,
                                                      args.back());
          IRMapping mapping;
          Block *body = generic.getBody();
          for (unsigned i = 0; i < own; ++i)
            mapping.map(body->getArgument(i), args[i]);
          mapping.map(body->getArgument(own), accumulator);
          for (Operation &op : body->without_terminator())
            b.clone(op, mapping);
          linalg::YieldOp::create(
              b, loc,
              mapping.lookupOrDefault(body->getTerminator()->getOperand(0)));
        });
    rewriter.replaceOp(generic, folded.getResults());
    return success();
  }
};

struct HLSFoldReductionInitsPass
    : qcc::hls::impl::HLSFoldReductionInitsBase<HLSFoldReductionInitsPass> {
  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    patterns.add<FoldInit>(&getContext());
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      signalPassFailure();
  }
};

} // namespace
