//===- SetBatchSize.cpp - A static batch dimension ------------------------===//
//
// The function's dynamic dimension 0 becomes the batch size; every value's
// shape is then refined in program order from its operands' (now static)
// shapes. Most dynamic dimensions are the batch (dimension 0 throughout a
// CNN), but a transformer moves it (a [tokens, batch, width] transpose) and
// derives others from it (batch * heads), so the rules follow the ops.
//
//===----------------------------------------------------------------------===//

#include "qcc/Dialect/QC/IR/QCOps.h"
#include "qcc/Dialect/QC/Transforms/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Traits.h"
#include "mlir/IR/Matchers.h"
#include "llvm/ADT/TypeSwitch.h"

namespace qcc::qc {
#define GEN_PASS_DEF_QCSETBATCHSIZE
#include "qcc/Dialect/QC/Transforms/Passes.h.inc"
} // namespace qcc::qc

using namespace mlir;
using namespace qcc;

namespace {

using Shape = SmallVector<int64_t>;

std::optional<Shape> staticShapeOf(Value v) {
  auto type = dyn_cast<RankedTensorType>(v.getType());
  if (!type || !type.hasStaticShape())
    return std::nullopt;
  return Shape(type.getShape());
}

/// A static index: a constant, or the size of a static tensor's dimension.
std::optional<int64_t> staticIndex(Value v) {
  APInt value;
  if (matchPattern(v, m_ConstantInt(&value)))
    return value.getSExtValue();
  auto dim = v.getDefiningOp<tensor::DimOp>();
  if (!dim)
    return std::nullopt;
  std::optional<Shape> source = staticShapeOf(dim.getSource());
  std::optional<int64_t> index = staticIndex(dim.getIndex());
  if (!source || !index || *index < 0 ||
      *index >= static_cast<int64_t>(source->size()))
    return std::nullopt;
  return (*source)[*index];
}

/// The static shape of `op`'s (single) result from its operands' static
/// shapes, for the ops whose dynamic dimensions need not be the batch;
/// nullopt if the op has no rule here or an operand is not static yet.
std::optional<Shape> inferShape(Operation *op) {
  if (op->getNumResults() != 1)
    return std::nullopt;
  auto operandShape = [&](unsigned k) -> std::optional<Shape> {
    return k < op->getNumOperands() ? staticShapeOf(op->getOperand(k))
                                    : std::nullopt;
  };
  // Element-wise: the operand's shape.
  if (op->hasTrait<OpTrait::SameOperandsAndResultShape>() ||
      op->hasTrait<OpTrait::SameOperandsAndResultType>() ||
      isa<qc::LayerNormOp, qc::ClipOp>(op))
    return operandShape(0);
  return llvm::TypeSwitch<Operation *, std::optional<Shape>>(op)
      .Case<qc::AddOp, qc::SubOp, qc::MulOp, qc::DivOp, qc::PowOp>(
          [&](Operation *) -> std::optional<Shape> {
            auto lhs = operandShape(0), rhs = operandShape(1);
            Shape result;
            if (!lhs || !rhs ||
                !OpTrait::util::getBroadcastedShape(*lhs, *rhs, result))
              return std::nullopt;
            return result;
          })
      .Case([&](qc::MatMulOp m) -> std::optional<Shape> {
        auto a = operandShape(0), b = operandShape(1);
        if (!a || !b || a->size() < 2 || b->size() < 2)
          return std::nullopt;
        Shape batch;
        if (!OpTrait::util::getBroadcastedShape(
                ArrayRef<int64_t>(*a).drop_back(2),
                ArrayRef<int64_t>(*b).drop_back(2), batch))
          return std::nullopt;
        batch.push_back((*a)[a->size() - 2]);
        batch.push_back(b->back());
        return batch;
      })
      .Case([&](qc::GemmOp g) -> std::optional<Shape> {
        auto a = operandShape(0), b = operandShape(1);
        if (!a || !b || a->size() != 2 || b->size() != 2)
          return std::nullopt;
        return Shape{(*a)[g.getTransA() ? 1 : 0], (*b)[g.getTransB() ? 0 : 1]};
      })
      .Case([&](qc::TransposeOp t) -> std::optional<Shape> {
        auto in = operandShape(0);
        if (!in)
          return std::nullopt;
        Shape result;
        for (int64_t p : t.getPerm())
          result.push_back((*in)[p]);
        return result;
      })
      .Case([&](qc::ReshapeOp r) -> std::optional<Shape> {
        auto in = operandShape(0);
        if (!in)
          return std::nullopt;
        Shape result(r.getOutput().getType().getShape());
        int64_t known = 1, count = 1;
        for (int64_t d : *in)
          count *= d;
        for (int64_t d : result)
          if (!ShapedType::isDynamic(d))
            known *= d;
        for (int64_t &d : result)
          if (ShapedType::isDynamic(d)) {
            if (known == 0 || count % known != 0)
              return std::nullopt;
            d = count / known;
          }
        return result;
      })
      .Case([&](qc::SliceOp s) -> std::optional<Shape> {
        auto in = operandShape(0);
        if (!in)
          return std::nullopt;
        Shape result;
        for (auto [d, size] : llvm::enumerate(*in))
          result.push_back(qc::getSliceSize(size, s.getStarts()[d],
                                            s.getEnds()[d], s.getSteps()[d]));
        return result;
      })
      .Case([&](qc::ConcatOp c) -> std::optional<Shape> {
        auto result = operandShape(0);
        if (!result)
          return std::nullopt;
        (*result)[c.getAxis()] = 0;
        for (Value input : c.getInputs()) {
          auto shape = staticShapeOf(input);
          if (!shape)
            return std::nullopt;
          (*result)[c.getAxis()] += (*shape)[c.getAxis()];
        }
        return result;
      })
      .Case([&](qc::ExpandOp e) -> std::optional<Shape> {
        Shape result(e.getOutput().getType().getShape());
        auto sizes = e.getSizes().begin();
        for (int64_t &d : result)
          if (ShapedType::isDynamic(d)) {
            std::optional<int64_t> size = staticIndex(*sizes++);
            if (!size)
              return std::nullopt;
            d = *size;
          }
        return result;
      })
      .Default([](Operation *) { return std::nullopt; });
}

struct SetBatchSizePass : qcc::qc::impl::QCSetBatchSizeBase<SetBatchSizePass> {
  using Base::Base;

  /// Values whose dimension 0 was dynamic: the batch, or a size derived
  /// from it (tokens * batch), which ops without a rule above keep.
  DenseSet<Value> dynamicLeading;

  /// The size of a dynamic dimension 0 without a rule: that of operand 0
  /// if it had a dynamic dimension 0 too (convolutions, pooling, ... keep
  /// the batch dimension), else the batch size.
  int64_t leadingSize(Value v) {
    Operation *op = v.getDefiningOp();
    if (op && op->getNumOperands() > 0 &&
        dynamicLeading.contains(op->getOperand(0)))
      return cast<RankedTensorType>(op->getOperand(0).getType()).getDimSize(0);
    return batchSize;
  }

  LogicalResult refine(Value v, std::optional<Shape> inferred,
                       func::FuncOp func) {
    auto tensor = dyn_cast<RankedTensorType>(v.getType());
    if (!tensor || tensor.hasStaticShape())
      return success();
    if (tensor.getRank() > 0 && tensor.isDynamicDim(0))
      dynamicLeading.insert(v);
    Shape shape(tensor.getShape());
    if (inferred && inferred->size() == shape.size()) {
      for (auto [d, size] : llvm::enumerate(shape))
        if (!ShapedType::isDynamic(size) && size != (*inferred)[d])
          inferred.reset();
    } else {
      inferred.reset();
    }
    for (auto [d, size] : llvm::enumerate(shape)) {
      if (!ShapedType::isDynamic(size))
        continue;
      if (inferred)
        size = (*inferred)[d];
      else if (d == 0)
        size = leadingSize(v);
      else {
        InFlightDiagnostic diag = v.getDefiningOp()
                                      ? v.getDefiningOp()->emitError()
                                      : func.emitError();
        diag << "qc-set-batch-size: " << v.getType()
             << " has a dynamic dimension other than the batch (0) that "
                "does not follow from its operands' shapes";
        return failure();
      }
    }
    v.setType(tensor.clone(shape));
    return success();
  }

  void runOnOperation() override {
    func::FuncOp func = getOperation();
    if (batchSize < 1) {
      func.emitError() << "qc-set-batch-size: batch-size must be positive";
      return signalPassFailure();
    }
    for (BlockArgument arg : func.getArguments())
      if (failed(refine(arg, std::nullopt, func)))
        return signalPassFailure();
    WalkResult walk = func.walk([&](Operation *op) {
      for (Value result : op->getResults())
        if (failed(refine(result, inferShape(op), func)))
          return WalkResult::interrupt();
      // A static qc.expand takes no sizes.
      if (auto expand = dyn_cast<qc::ExpandOp>(op))
        expand.getSizesMutable().clear();
      return WalkResult::advance();
    });
    if (walk.wasInterrupted())
      return signalPassFailure();
    // Sizes read from now static tensors are no longer used.
    func.walk([](tensor::DimOp dim) {
      if (dim->use_empty())
        dim->erase();
    });
    SmallVector<Type> results;
    for (Value v : func.front().getTerminator()->getOperands())
      results.push_back(v.getType());
    func.setType(FunctionType::get(&getContext(),
                                   func.getBody().getArgumentTypes(), results));
  }
};

} // namespace
