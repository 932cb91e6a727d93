//===- OpsElementwise.cpp - ONNX element-wise ops -------------------------===//
//
// Add/Sub/Mul/Div/Pow (with import-time folding of integer shape
// arithmetic), the unary activations and Clip.
//
//===----------------------------------------------------------------------===//

#include "Ops.h"

#include "qcc/Support/CheckedInt.h"

using namespace mlir;
using namespace qcc;
using namespace qcc::onnx_import;
using onnx::TensorProto;

namespace qcc::onnx_import {

/// Folds element-wise arithmetic on small known integer literals (shape
/// arithmetic such as `Div(Shape(x)[1], 2)`).
static std::optional<Literal> foldBinary(const ImportedValue &a,
                                         const ImportedValue &b,
                                         llvm::StringRef opType) {
  if (!a.literal || !b.literal || !a.literal->isFullyKnown() ||
      !b.literal->isFullyKnown() || a.literal->numElements() > 64 ||
      b.literal->numElements() > 64)
    return std::nullopt;
  if (a.dataType != TensorProto::INT64 || b.dataType != TensorProto::INT64)
    return std::nullopt;
  const Literal &x = *a.literal, &y = *b.literal;
  // Same shape or one scalar-like operand only.
  if (x.numElements() != y.numElements() && x.numElements() != 1 &&
      y.numElements() != 1)
    return std::nullopt;
  const Literal &big = x.numElements() >= y.numElements() ? x : y;
  std::vector<double> out;
  for (int64_t i = 0; i < big.numElements(); ++i) {
    const CheckedInt l =
        saturatingInt64(x.values[x.numElements() == 1 ? 0 : i]);
    const CheckedInt r =
        saturatingInt64(y.values[y.numElements() == 1 ? 0 : i]);
    CheckedInt result;
    if (opType == "Add")
      result = l + r;
    else if (opType == "Sub")
      result = l - r;
    else if (opType == "Mul")
      result = l * r;
    else if (opType == "Div")
      result = l / r;
    else
      return std::nullopt;
    // Overflow or division by zero: leave the node to run as an op.
    std::optional<int64_t> value = result.get();
    if (!value)
      return std::nullopt;
    out.push_back(static_cast<double>(*value));
  }
  return makeLiteral(TensorProto::INT64, big.shape, std::move(out));
}

template <typename OpT> LogicalResult convertBinary(NodeContext &ctx) {
  ImportedValue *a = ctx.lookup(0);
  ImportedValue *b = ctx.hasInput(1) ? ctx.lookup(1) : nullptr;
  if (a && b) {
    if (std::optional<Literal> folded =
            foldBinary(*a, *b, ctx.node.op_type())) {
      setLiteralOutput(ctx, 0, std::move(*folded));
      return success();
    }
  }
  ImportedValue *lhs, *rhs;
  if (failed(ctx.inputs({&lhs, &rhs})))
    return failure();
  if (ctx.node.op_type() != "Pow" &&
      lhs->elementType != rhs->elementType)
    return ctx.fail("operands have different element types (" +
                    onnxDataTypeName(lhs->dataType) + " and " +
                    onnxDataTypeName(rhs->dataType) + ")");
  auto shape = broadcast(ctx, lhs->shape, rhs->shape);
  if (failed(shape))
    return failure();
  Value result = OpT::create(ctx.builder(), ctx.loc(),
                             ctx.tensorType(*shape, lhs->elementType),
                             lhs->value, rhs->value);
  ctx.setOutput(0, result, *shape, lhs->dataType);
  return success();
}

/// Unary ops: `build` creates the op from the input value and result type.
static LogicalResult convertUnary(
    NodeContext &ctx,
    llvm::function_ref<Value(OpBuilder &, Location, Type, Value)> build,
    bool floatOnly = true) {
  ImportedValue *x;
  if (failed(ctx.inputs({&x})))
    return failure();
  if (floatOnly && !isa<FloatType>(x->elementType))
    return ctx.unsupported("element type " + onnxDataTypeName(x->dataType) +
                           " (only floating-point inputs)");
  Type type = ctx.tensorType(x->shape, x->elementType);
  ctx.setOutput(0, build(ctx.builder(), ctx.loc(), type, x->value),
                x->shape, x->dataType);
  return success();
}

template <typename OpT> NodeConverter unary() {
  return [](NodeContext &ctx) {
    return convertUnary(ctx, [](OpBuilder &b, Location loc, Type t, Value x) {
      return OpT::create(b, loc, t, x).getResult();
    });
  };
}

LogicalResult convertRelu(NodeContext &ctx) {
  return convertUnary(
      ctx,
      [](OpBuilder &b, Location loc, Type t, Value x) {
        return qc::ReluOp::create(b, loc, t, x).getResult();
      },
      /*floatOnly=*/false);
}

LogicalResult convertLeakyRelu(NodeContext &ctx) {
  const float alpha = ctx.attrFloat("alpha", 0.01f);
  return convertUnary(ctx, [&](OpBuilder &b, Location loc, Type t, Value x) {
    return qc::LeakyReluOp::create(b, loc, t, x, b.getF32FloatAttr(alpha))
        .getResult();
  });
}

LogicalResult convertHardSigmoid(NodeContext &ctx) {
  const float alpha = ctx.attrFloat("alpha", 0.2f);
  const float beta = ctx.attrFloat("beta", 0.5f);
  return convertUnary(ctx, [&](OpBuilder &b, Location loc, Type t, Value x) {
    return qc::HardSigmoidOp::create(b, loc, t, x, b.getF32FloatAttr(alpha),
                                     b.getF32FloatAttr(beta))
        .getResult();
  });
}

LogicalResult convertGelu(NodeContext &ctx) {
  const std::string approximate = ctx.attrString("approximate", "none");
  if (approximate != "none" && approximate != "tanh")
    return ctx.unsupported("approximate='" + approximate + "'");
  return convertUnary(ctx, [&](OpBuilder &b, Location loc, Type t, Value x) {
    return qc::GeluOp::create(b, loc, t, x,
                              approximate == "tanh" ? b.getUnitAttr()
                                                    : UnitAttr())
        .getResult();
  });
}

LogicalResult convertClip(NodeContext &ctx) {
  ImportedValue *x;
  if (failed(ctx.inputs({&x})))
    return failure();
  Value min, max;
  if (ctx.version < 11) {
    if (ctx.hasAttr("min"))
      min = scalarConstant(ctx, x->elementType, ctx.attrFloat("min", 0));
    if (ctx.hasAttr("max"))
      max = scalarConstant(ctx, x->elementType, ctx.attrFloat("max", 0));
  } else {
    for (auto [i, bound] : {std::pair<size_t, Value *>{1, &min}, {2, &max}}) {
      auto v = ctx.optionalValue(i);
      if (failed(v))
        return failure();
      if (*v && cast<RankedTensorType>(v->getType()).getRank() != 0)
        return ctx.fail("min and max must be scalars (rank 0)");
      *bound = *v;
    }
  }
  Value result = qc::ClipOp::create(
      ctx.builder(), ctx.loc(), ctx.tensorType(x->shape, x->elementType),
      x->value, min, max);
  ctx.setOutput(0, result, x->shape, x->dataType);
  return success();
}

// The table instantiates these for the qc ops.
template LogicalResult convertBinary<qc::AddOp>(NodeContext &);
template LogicalResult convertBinary<qc::SubOp>(NodeContext &);
template LogicalResult convertBinary<qc::MulOp>(NodeContext &);
template LogicalResult convertBinary<qc::DivOp>(NodeContext &);
template LogicalResult convertBinary<qc::PowOp>(NodeContext &);
template NodeConverter unary<qc::SigmoidOp>();
template NodeConverter unary<qc::TanhOp>();
template NodeConverter unary<qc::SqrtOp>();
template NodeConverter unary<qc::ErfOp>();
template NodeConverter unary<qc::HardSwishOp>();

} // namespace qcc::onnx_import
