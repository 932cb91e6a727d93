//===- NarrowIntegers.cpp - Every integer at the width its values need ----===//
//
// An FPGA pays for every bit: a 32-bit accumulator where 19 bits hold
// every sum is 13 adder bits, register bits and memory bits too many, per
// layer. The analysis is an interval propagation over linalg on tensors,
// where the reductions are still explicit: an accumulator's range is its
// init's, grown by the body once per reduced element. The rewrite changes
// widths only, never values: every value keeps its mathematical value,
// held in the narrowest signed integer that represents it.
//
//===----------------------------------------------------------------------===//

#include "qcc/Target/HLS/Passes.h"

#include "qcc/Dialect/QC/IR/QCConstants.h"

#include "mlir/Dialect/Bufferization/IR/Bufferization.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/Matchers.h"
#include "llvm/ADT/TypeSwitch.h"

namespace qcc::hls {
#define GEN_PASS_DEF_HLSNARROWINTEGERS
#include "qcc/Target/HLS/Passes.h.inc"
} // namespace qcc::hls

using namespace mlir;

namespace {

using Wide = __int128;
/// Ranges beyond this are not tracked (the sums of products of 64-bit
/// values stay below it).
constexpr Wide kLimit = Wide(1) << 120;

/// A closed interval of integers; empty (lo > hi) for "no value yet".
struct Range {
  Wide lo = 1, hi = 0;

  static Range of(Wide lo, Wide hi) { return Range{lo, hi}; }
  static Range empty() { return Range{}; }
  /// Every value of a `bits`-wide signed integer.
  static Range full(unsigned bits) {
    if (bits >= 127)
      return of(-kLimit, kLimit);
    return of(-(Wide(1) << (bits - 1)), (Wide(1) << (bits - 1)) - 1);
  }
  bool isEmpty() const { return lo > hi; }
  bool operator==(const Range &o) const {
    return (isEmpty() && o.isEmpty()) || (lo == o.lo && hi == o.hi);
  }
  Range join(const Range &o) const {
    if (isEmpty())
      return o;
    if (o.isEmpty())
      return *this;
    return of(std::min(lo, o.lo), std::max(hi, o.hi));
  }
  bool within(const Range &o) const {
    return isEmpty() || (lo >= o.lo && hi <= o.hi);
  }
  bool bounded() const { return isEmpty() || (lo >= -kLimit && hi <= kLimit); }
};

/// The narrowest signed width holding `r`, at least 2 (i1 is a boolean to
/// arith and to C++).
unsigned signedBits(const Range &r) {
  if (r.isEmpty())
    return 2;
  unsigned w = 2;
  while (!r.within(Range::full(w)))
    ++w;
  return w;
}

unsigned widthOf(Type type) {
  Type element = getElementTypeOrSelf(type);
  auto integer = dyn_cast<IntegerType>(element);
  return integer ? integer.getWidth() : 0;
}

Range cornerRange(std::initializer_list<Wide> corners) {
  Wide lo = *corners.begin(), hi = lo;
  for (Wide c : corners) {
    lo = std::min(lo, c);
    hi = std::max(hi, c);
  }
  return Range::of(lo, hi);
}

Wide shiftLeft(Wide v, Wide s) { return v * (Wide(1) << s); }
Wide shiftRight(Wide v, Wide s) {
  // Floor division by 2^s (arithmetic shift).
  Wide d = Wide(1) << s;
  Wide q = v / d;
  if ((v % d != 0) && (v < 0))
    --q;
  return q;
}

/// Whether the rewrite may compute `op` at another width (the value it
/// computes from the same operand values does not depend on the width, as
/// long as every value fits).
bool isNarrowable(Operation *op) {
  return isa<arith::AddIOp, arith::SubIOp, arith::MulIOp, arith::MaxSIOp,
             arith::MinSIOp, arith::SelectOp, arith::ShLIOp, arith::ShRSIOp,
             arith::ExtSIOp, arith::TruncIOp>(op);
}

class Narrower {
public:
  Narrower(int64_t accumulatorBits, int64_t maxIterations)
      : accumulatorBits(accumulatorBits), maxIterations(maxIterations) {}

  LogicalResult run(func::FuncOp func);

private:
  // --- Analysis.
  Range rangeOf(Value v);
  void setRange(Value v, Range r) { ranges[v] = r; }
  void analyse(Operation *op);
  /// The range of an integer scalar op's result from its operands', or the
  /// full range of its type.
  Range evaluate(Operation *op);
  void evaluateBody(linalg::GenericOp generic, ArrayRef<Range> outs);
  void analyseGeneric(linalg::GenericOp generic);

  // --- Rewrite.
  /// `v` (an integer scalar) as a `width`-bit integer: its value fits.
  Value convert(OpBuilder &b, Location loc, Value v, unsigned width);
  /// `v` (an integer tensor) with `element` as its element type.
  Value convertTensor(OpBuilder &b, Location loc, Value v, Type element);
  LogicalResult rewriteBody(linalg::GenericOp generic);
  LogicalResult rewriteGeneric(linalg::GenericOp generic);
  void rewriteConstant(arith::ConstantOp constant);

  int64_t accumulatorBits;
  int64_t maxIterations;
  DenseMap<Value, Range> ranges;
  /// Values whose result wraps at its type's width: kept as they are.
  DenseSet<Operation *> wrapping;
  /// The type each retyped tensor had (inside a body, `expected` in
  /// rewriteBody keeps what each op read).
  DenseMap<Value, Type> originalTypes;
};

Range Narrower::rangeOf(Value v) {
  auto it = ranges.find(v);
  if (it != ranges.end())
    return it->second;
  if (auto constant = v.getDefiningOp<arith::ConstantOp>()) {
    if (auto integer = dyn_cast<IntegerAttr>(constant.getValue())) {
      Wide value = integer.getType().isInteger(1)
                       ? Wide(integer.getValue().getZExtValue())
                       : Wide(integer.getValue().getSExtValue());
      return ranges[v] = Range::of(value, value);
    }
  }
  if (isa<IndexType>(v.getType()))
    return Range::of(-kLimit, kLimit);
  unsigned width = widthOf(v.getType());
  if (width == 1)
    return Range::of(0, 1);
  return width ? Range::full(width) : Range::of(-kLimit, kLimit);
}

Range Narrower::evaluate(Operation *op) {
  Value result = op->getResult(0);
  const unsigned width = widthOf(result.getType());
  auto operand = [&](unsigned i) { return rangeOf(op->getOperand(i)); };
  auto anyEmpty = [&]() {
    for (Value v : op->getOperands())
      if (isa<IntegerType>(v.getType()) && rangeOf(v).isEmpty())
        return true;
    return false;
  };
  if (width == 0 && !isa<linalg::IndexOp>(op))
    return Range::of(-kLimit, kLimit);
  if (anyEmpty())
    return Range::empty();
  std::optional<Range> r =
      llvm::TypeSwitch<Operation *, std::optional<Range>>(op)
          .Case([&](arith::AddIOp) {
            return Range::of(operand(0).lo + operand(1).lo,
                             operand(0).hi + operand(1).hi);
          })
          .Case([&](arith::SubIOp) {
            return Range::of(operand(0).lo - operand(1).hi,
                             operand(0).hi - operand(1).lo);
          })
          .Case([&](arith::MulIOp) -> std::optional<Range> {
            Range a = operand(0), b = operand(1);
            const Wide bound = Wide(1) << 60;
            if (a.lo < -bound || a.hi > bound || b.lo < -bound || b.hi > bound)
              return std::nullopt;
            return cornerRange(
                {a.lo * b.lo, a.lo * b.hi, a.hi * b.lo, a.hi * b.hi});
          })
          .Case([&](arith::MaxSIOp) {
            return Range::of(std::max(operand(0).lo, operand(1).lo),
                             std::max(operand(0).hi, operand(1).hi));
          })
          .Case([&](arith::MinSIOp) {
            return Range::of(std::min(operand(0).lo, operand(1).lo),
                             std::min(operand(0).hi, operand(1).hi));
          })
          .Case([&](arith::SelectOp) { return operand(1).join(operand(2)); })
          .Case([&](arith::ExtSIOp) { return operand(0); })
          .Case([&](arith::ExtUIOp) -> std::optional<Range> {
            if (operand(0).lo >= 0)
              return operand(0);
            return Range::of(
                0, (Wide(1) << widthOf(op->getOperand(0).getType())) - 1);
          })
          .Case([&](arith::TruncIOp) -> std::optional<Range> {
            if (operand(0).within(Range::full(width)))
              return operand(0);
            return std::nullopt;
          })
          .Case([&](arith::ShLIOp) -> std::optional<Range> {
            Range a = operand(0), s = operand(1);
            if (s.lo < 0 || s.hi > 62 || a.lo < -(Wide(1) << 62) ||
                a.hi > (Wide(1) << 62))
              return std::nullopt;
            return cornerRange({shiftLeft(a.lo, s.lo), shiftLeft(a.lo, s.hi),
                                shiftLeft(a.hi, s.lo), shiftLeft(a.hi, s.hi)});
          })
          .Case([&](arith::ShRSIOp) -> std::optional<Range> {
            Range a = operand(0), s = operand(1);
            if (s.lo < 0 || s.hi >= width)
              return std::nullopt;
            return cornerRange({shiftRight(a.lo, s.lo), shiftRight(a.lo, s.hi),
                                shiftRight(a.hi, s.lo),
                                shiftRight(a.hi, s.hi)});
          })
          .Case([&](arith::CmpIOp) { return Range::of(0, 1); })
          .Case([&](arith::CmpFOp) { return Range::of(0, 1); })
          .Case([&](arith::AndIOp) -> std::optional<Range> {
            Range a = operand(0), b = operand(1);
            if (a.lo >= 0 && b.lo >= 0)
              return Range::of(0, std::min(a.hi, b.hi));
            if (a.lo >= 0)
              return Range::of(0, a.hi);
            if (b.lo >= 0)
              return Range::of(0, b.hi);
            return std::nullopt;
          })
          .Case([&](linalg::IndexOp index) -> std::optional<Range> {
            auto generic = dyn_cast<linalg::GenericOp>(op->getParentOp());
            if (!generic)
              return std::nullopt;
            SmallVector<int64_t> sizes = generic.getStaticLoopRanges();
            int64_t size = sizes[index.getDim()];
            if (ShapedType::isDynamic(size))
              return std::nullopt;
            return Range::of(0, size - 1);
          })
          .Case([&](arith::IndexCastOp) -> std::optional<Range> {
            Range a = operand(0);
            if (width && !a.within(Range::full(width)))
              return std::nullopt;
            return a;
          })
          .Default([](Operation *) { return std::nullopt; });
  Range full = width == 1
                   ? Range::of(0, 1)
                   : (width ? Range::full(width) : Range::of(-kLimit, kLimit));
  if (!r || !r->bounded())
    return full;
  if (width > 1 && !r->within(full)) {
    // The IR wraps here: the op keeps its width.
    wrapping.insert(op);
    return full;
  }
  return *r;
}

void Narrower::evaluateBody(linalg::GenericOp generic, ArrayRef<Range> outs) {
  Block *body = generic.getBody();
  for (OpOperand *input : generic.getDpsInputOperands())
    setRange(body->getArgument(input->getOperandNumber()),
             rangeOf(input->get()));
  for (auto [i, out] : llvm::enumerate(outs))
    setRange(body->getArgument(generic.getNumDpsInputs() + i), out);
  for (Operation &op : body->without_terminator())
    for (Value result : op.getResults())
      setRange(result, evaluate(&op));
}

void Narrower::analyseGeneric(linalg::GenericOp generic) {
  Block *body = generic.getBody();
  auto yield = cast<linalg::YieldOp>(body->getTerminator());
  SmallVector<Range> outs;
  for (OpOperand &init : generic.getDpsInitsMutable())
    outs.push_back(rangeOf(init.get()));
  auto yielded = [&]() {
    SmallVector<Range> r;
    for (Value v : yield.getOperands())
      r.push_back(rangeOf(v));
    return r;
  };
  if (generic.getNumReductionLoops() == 0) {
    evaluateBody(generic, outs);
    for (auto [result, r] : llvm::zip(generic.getResults(), yielded()))
      setRange(result, r);
    return;
  }
  // A reduction: each reduced element may move the accumulator once more.
  int64_t reduced = 1;
  SmallVector<int64_t> sizes = generic.getStaticLoopRanges();
  SmallVector<utils::IteratorType> iterators = generic.getIteratorTypesArray();
  for (auto [size, iterator] : llvm::zip(sizes, iterators))
    if (iterator == utils::IteratorType::reduction)
      reduced =
          ShapedType::isDynamic(size) ? maxIterations + 1 : reduced * size;
  bool converged = false;
  for (int64_t step = 0; step < std::min(reduced, maxIterations); ++step) {
    evaluateBody(generic, outs);
    SmallVector<Range> next;
    for (auto [out, y] : llvm::zip(outs, yielded()))
      next.push_back(out.join(y));
    if (next == outs) {
      converged = true;
      break;
    }
    outs = next;
  }
  if (!converged && reduced > maxIterations) {
    for (auto [i, result] : llvm::enumerate(generic.getResults()))
      outs[i] = widthOf(result.getType())
                    ? Range::full(widthOf(result.getType()))
                    : Range::of(-kLimit, kLimit);
    wrapping.insert(generic);
  }
  evaluateBody(generic, outs);
  for (auto [result, r, y] : llvm::zip(generic.getResults(), outs, yielded()))
    setRange(result, r.join(y));
}

void Narrower::analyse(Operation *op) {
  if (auto generic = dyn_cast<linalg::GenericOp>(op))
    return analyseGeneric(generic);
  if (op->getNumResults() != 1)
    return;
  Value result = op->getResult(0);
  if (!widthOf(result.getType()))
    return;
  std::optional<Range> r =
      llvm::TypeSwitch<Operation *, std::optional<Range>>(op)
          .Case([&](arith::ConstantOp constant) -> std::optional<Range> {
            if (!isa<RankedTensorType>(result.getType()))
              return rangeOf(result);
            auto values = qcc::qc::getIntegerConstant(result);
            if (!values)
              return std::nullopt;
            Range r = Range::empty();
            for (int64_t v : *values)
              r = r.join(Range::of(v, v));
            return r;
          })
          .Case([&](tensor::EmptyOp) { return Range::empty(); })
          .Case<tensor::ExpandShapeOp, tensor::CollapseShapeOp,
                tensor::ExtractSliceOp, tensor::CastOp>(
              [&](Operation *) { return rangeOf(op->getOperand(0)); })
          .Case([&](tensor::PadOp pad) -> std::optional<Range> {
            Value padding = pad.getConstantPaddingValue();
            if (!padding)
              return std::nullopt;
            return rangeOf(pad.getSource()).join(rangeOf(padding));
          })
          .Case([&](tensor::InsertSliceOp insert) {
            return rangeOf(insert.getSource()).join(rangeOf(insert.getDest()));
          })
          .Case([&](tensor::ConcatOp concat) {
            Range r = Range::empty();
            for (Value v : concat.getInputs())
              r = r.join(rangeOf(v));
            return r;
          })
          .Case(
              [&](bufferization::AllocTensorOp alloc) -> std::optional<Range> {
                if (alloc.getCopy())
                  return rangeOf(alloc.getCopy());
                return Range::empty();
              })
          .Default([](Operation *) { return std::nullopt; });
  setRange(result, r ? *r : Range::full(widthOf(result.getType())));
}

Value Narrower::convert(OpBuilder &b, Location loc, Value v, unsigned width) {
  const unsigned from = widthOf(v.getType());
  if (from == width)
    return v;
  Type type = b.getIntegerType(width);
  if (auto constant = v.getDefiningOp<arith::ConstantOp>())
    if (auto integer = dyn_cast<IntegerAttr>(constant.getValue()))
      return arith::ConstantOp::create(
          b, loc,
          IntegerAttr::get(type, integer.getValue().sextOrTrunc(width)));
  if (from < width)
    return arith::ExtSIOp::create(b, loc, type, v);
  return arith::TruncIOp::create(b, loc, type, v);
}

Value Narrower::convertTensor(OpBuilder &b, Location loc, Value v,
                              Type element) {
  auto type = cast<RankedTensorType>(v.getType());
  if (type.getElementType() == element)
    return v;
  auto to = type.clone(element);
  if (auto empty = v.getDefiningOp<tensor::EmptyOp>())
    return tensor::EmptyOp::create(b, loc, to, empty.getDynamicSizes());
  if (widthOf(type) < widthOf(to))
    return arith::ExtSIOp::create(b, loc, to, v);
  return arith::TruncIOp::create(b, loc, to, v);
}

LogicalResult Narrower::rewriteBody(linalg::GenericOp generic) {
  Block *body = generic.getBody();
  // The operand types each op has now: what the ops that keep their widths
  // read, whatever their operands become (one value may stand for values
  // of several widths once the conversions between them fold away).
  DenseMap<Operation *, SmallVector<Type>> expected;
  for (Operation &op : body->without_terminator())
    expected[&op] = llvm::to_vector(op.getOperandTypes());
  // Block arguments take their operands' element types.
  for (OpOperand &operand : generic->getOpOperands()) {
    BlockArgument arg = body->getArgument(operand.getOperandNumber());
    Type element = getElementTypeOrSelf(operand.get().getType());
    if (arg.getType() != element)
      arg.setType(element);
  }
  // A blanket accumulator: the ops that read or yield it are that wide.
  DenseSet<Operation *> accumulating;
  if (accumulatorBits > 0 && generic.getNumReductionLoops() > 0) {
    for (Value v : body->getTerminator()->getOperands())
      if (Operation *def = v.getDefiningOp())
        accumulating.insert(def);
    for (unsigned i = generic.getNumDpsInputs(); i < body->getNumArguments();
         ++i)
      for (Operation *user : body->getArgument(i).getUsers())
        accumulating.insert(user);
  }
  OpBuilder b(generic.getContext());
  // An input every element of which is one value (a requantization's
  // multiplier of a fixed-point model): a constant, not a memory read.
  b.setInsertionPointToStart(body);
  for (OpOperand *input : generic.getDpsInputOperands()) {
    BlockArgument arg = generic.getMatchingBlockArgument(input);
    Range r = rangeOf(input->get());
    auto integer = dyn_cast<IntegerType>(arg.getType());
    if (!integer || integer.getWidth() == 1 || r.isEmpty() || r.lo != r.hi ||
        arg.use_empty() || !r.within(Range::full(integer.getWidth())))
      continue;
    Value constant = arith::ConstantOp::create(
        b, generic.getLoc(),
        IntegerAttr::get(integer, APInt(integer.getWidth(),
                                        static_cast<int64_t>(r.lo), true)));
    ranges[constant] = r;
    arg.replaceAllUsesWith(constant);
  }
  for (Operation &op : llvm::make_early_inc_range(body->without_terminator())) {
    b.setInsertionPoint(&op);
    Location loc = op.getLoc();
    const bool integerResult = op.getNumResults() == 1 &&
                               isa<IntegerType>(op.getResult(0).getType()) &&
                               !op.getResult(0).getType().isInteger(1);
    if (isNarrowable(&op) && integerResult && !wrapping.contains(&op)) {
      Value result = op.getResult(0);
      unsigned target = signedBits(rangeOf(result));
      if (accumulating.contains(&op))
        target = std::max<unsigned>(target, accumulatorBits);
      if (isa<arith::ExtSIOp, arith::TruncIOp>(op)) {
        Value converted = convert(b, loc, op.getOperand(0), target);
        result.replaceAllUsesWith(converted);
        ranges[converted] = rangeOf(result);
        op.erase();
        continue;
      }
      // The computation width: every operand and the result fit.
      unsigned compute = target;
      unsigned first = isa<arith::SelectOp>(op) ? 1 : 0;
      for (unsigned i = first; i < op.getNumOperands(); ++i)
        compute = std::max(compute, signedBits(rangeOf(op.getOperand(i))));
      if (isa<arith::ShLIOp, arith::ShRSIOp>(op))
        compute = std::max<unsigned>(
            compute, static_cast<unsigned>(rangeOf(op.getOperand(1)).hi) + 2);
      for (unsigned i = first; i < op.getNumOperands(); ++i)
        op.setOperand(i, convert(b, loc, op.getOperand(i), compute));
      result.setType(b.getIntegerType(compute));
      if (compute != target) {
        b.setInsertionPointAfter(&op);
        Value narrowed =
            arith::TruncIOp::create(b, loc, b.getIntegerType(target), result);
        ranges[narrowed] = rangeOf(result);
        result.replaceAllUsesExcept(narrowed, narrowed.getDefiningOp());
      }
      continue;
    }
    // Signed comparisons compare values: at the wider operand width.
    if (auto cmp = dyn_cast<arith::CmpIOp>(op)) {
      using P = arith::CmpIPredicate;
      P p = cmp.getPredicate();
      if (isa<IntegerType>(cmp.getLhs().getType()) &&
          (p == P::eq || p == P::ne || p == P::slt || p == P::sle ||
           p == P::sgt || p == P::sge)) {
        unsigned compute = std::max(widthOf(cmp.getLhs().getType()),
                                    widthOf(cmp.getRhs().getType()));
        compute = std::max({compute, signedBits(rangeOf(cmp.getLhs())),
                            signedBits(rangeOf(cmp.getRhs()))});
        for (unsigned i = 0; i < 2; ++i)
          op.setOperand(i, convert(b, loc, op.getOperand(i), compute));
        continue;
      }
    }
    // Everything else reads its operands at the widths it had.
    for (OpOperand &operand : op.getOpOperands()) {
      Type want = expected[&op][operand.getOperandNumber()];
      if (want == operand.get().getType())
        continue;
      if (!isa<IntegerType>(want) || !isa<IntegerType>(operand.get().getType()))
        return op.emitOpError("qcc-hls-narrow-integers: a retyped operand "
                              "that is not an integer");
      operand.set(convert(b, loc, operand.get(), widthOf(want)));
    }
  }
  // The yielded values at the results' widths.
  auto yield = cast<linalg::YieldOp>(body->getTerminator());
  b.setInsertionPoint(yield);
  for (auto [i, operand] : llvm::enumerate(yield->getOpOperands())) {
    Type want = body->getArgument(generic.getNumDpsInputs() + i).getType();
    if (operand.get().getType() != want) {
      if (!isa<IntegerType>(want))
        return yield.emitOpError("qcc-hls-narrow-integers: yields ")
               << operand.get().getType() << " for " << want;
      operand.set(convert(b, yield.getLoc(), operand.get(), widthOf(want)));
    }
  }
  return success();
}

LogicalResult Narrower::rewriteGeneric(linalg::GenericOp generic) {
  OpBuilder b(generic);
  const bool reduction = generic.getNumReductionLoops() > 0;
  // The results' widths.
  for (auto [i, result] : llvm::enumerate(generic.getResults())) {
    auto type = cast<RankedTensorType>(result.getType());
    auto integer = dyn_cast<IntegerType>(type.getElementType());
    if (!integer || integer.getWidth() == 1)
      continue;
    unsigned width = wrapping.contains(generic) ? integer.getWidth()
                                                : signedBits(rangeOf(result));
    if (reduction && accumulatorBits > 0) {
      if (width > static_cast<unsigned>(accumulatorBits))
        return generic.emitOpError("the accumulator needs ")
               << width
               << " bits, more than accumulator-bits=" << accumulatorBits;
      width = accumulatorBits;
    }
    // The init (maybe narrowed by its producer) at the result's width.
    Type element = b.getIntegerType(width);
    OpOperand &init = generic.getDpsInitsMutable()[i];
    init.set(convertTensor(b, generic.getLoc(), init.get(), element));
    if (width == integer.getWidth())
      continue;
    originalTypes.try_emplace(result, type);
    result.setType(type.clone(element));
  }
  return rewriteBody(generic);
}

void Narrower::rewriteConstant(arith::ConstantOp constant) {
  auto type = dyn_cast<RankedTensorType>(constant.getType());
  if (!type || !widthOf(type) || widthOf(type) == 1)
    return;
  const unsigned width = signedBits(rangeOf(constant.getResult()));
  if (width >= widthOf(type))
    return;
  auto values = qcc::qc::getIntegerConstant(constant.getResult());
  if (!values)
    return;
  SmallVector<APInt> narrowed;
  narrowed.reserve(values->size());
  for (int64_t v : *values)
    narrowed.push_back(APInt(width, v, /*isSigned=*/true));
  auto to = type.clone(IntegerType::get(constant.getContext(), width));
  originalTypes.try_emplace(constant.getResult(), type);
  constant.setValueAttr(DenseElementsAttr::get(to, narrowed));
  constant.getResult().setType(to);
}

LogicalResult Narrower::run(func::FuncOp func) {
  if (!func.getBody().hasOneBlock())
    return success();
  Block &block = func.getBody().front();
  for (Operation &op : block)
    analyse(&op);
  for (Operation &op : llvm::make_early_inc_range(block)) {
    if (auto constant = dyn_cast<arith::ConstantOp>(op)) {
      // Weights: narrowed when only generics read them.
      if (llvm::all_of(constant->getUsers(), [&](Operation *user) {
            auto generic = dyn_cast<linalg::GenericOp>(user);
            return generic &&
                   llvm::none_of(generic.getDpsInits(), [&](Value init) {
                     return init == constant.getResult();
                   });
          }))
        rewriteConstant(constant);
      continue;
    }
    if (auto generic = dyn_cast<linalg::GenericOp>(op)) {
      if (failed(rewriteGeneric(generic)))
        return failure();
      continue;
    }
    // Shape ops carry their source's element type.
    if (isa<tensor::ExpandShapeOp, tensor::CollapseShapeOp,
            tensor::ExtractSliceOp, tensor::CastOp>(op)) {
      Value source = op.getOperand(0);
      Value result = op.getResult(0);
      auto type = cast<RankedTensorType>(result.getType());
      Type element = cast<RankedTensorType>(source.getType()).getElementType();
      if (type.getElementType() != element) {
        originalTypes.try_emplace(result, type);
        result.setType(type.clone(element));
      }
      continue;
    }
    // Anything else reads the original types.
    OpBuilder b(&op);
    for (OpOperand &operand : op.getOpOperands()) {
      auto original = originalTypes.find(operand.get());
      if (original == originalTypes.end() ||
          original->second == operand.get().getType())
        continue;
      operand.set(convertTensor(
          b, op.getLoc(), operand.get(),
          cast<RankedTensorType>(original->second).getElementType()));
    }
  }
  return success();
}

struct HLSNarrowIntegersPass
    : qcc::hls::impl::HLSNarrowIntegersBase<HLSNarrowIntegersPass> {
  using Base::Base;
  void runOnOperation() override {
    if (accumulatorBits < 0 || accumulatorBits > 64) {
      getOperation().emitError("accumulator-bits must be 0 (exact) to 64");
      return signalPassFailure();
    }
    Narrower narrower(accumulatorBits, maxIterations);
    if (failed(narrower.run(getOperation())))
      signalPassFailure();
  }
};

} // namespace
