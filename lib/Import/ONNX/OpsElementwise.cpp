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

/// Folds element-wise arithmetic on small integer literals (shape
/// arithmetic such as `Div(Shape(x)[1], 2)`). An element computed from a
/// symbolic dimension (e.g. batch * heads) becomes a symbol of its own, the
/// same one wherever the same expression is computed.
static std::optional<Literal> foldBinary(NodeContext &ctx,
                                         const ImportedValue &a,
                                         const ImportedValue &b,
                                         llvm::StringRef opType) {
  if (!a.literal || !b.literal || a.literal->numElements() > 64 ||
      b.literal->numElements() > 64)
    return std::nullopt;
  if (a.dataType != TensorProto::INT64 || b.dataType != TensorProto::INT64)
    return std::nullopt;
  if (opType != "Add" && opType != "Sub" && opType != "Mul" && opType != "Div")
    return std::nullopt;
  const Literal &x = *a.literal, &y = *b.literal;
  // Same shape or one scalar-like operand only.
  if (x.numElements() != y.numElements() && x.numElements() != 1 &&
      y.numElements() != 1)
    return std::nullopt;
  const Literal &big = x.numElements() >= y.numElements() ? x : y;
  Literal out = makeLiteral(TensorProto::INT64, big.shape, {});
  bool symbolic = false;
  for (int64_t i = 0; i < big.numElements(); ++i) {
    const size_t ix = x.numElements() == 1 ? 0 : i;
    const size_t iy = y.numElements() == 1 ? 0 : i;
    const Dim sx = x.symbols.empty() ? 0 : x.symbols[ix];
    const Dim sy = y.symbols.empty() ? 0 : y.symbols[iy];
    if (sx != 0 || sy != 0) {
      // x * 1, x / 1, x + 0 and x - 0 are x; 1 * y and 0 + y are y.
      const double vx = x.values[ix], vy = y.values[iy];
      Dim symbol;
      if (sy == 0 && ((vy == 1 && (opType == "Mul" || opType == "Div")) ||
                      (vy == 0 && (opType == "Add" || opType == "Sub"))))
        symbol = sx;
      else if (sx == 0 && ((vx == 1 && opType == "Mul") ||
                           (vx == 0 && opType == "Add")))
        symbol = sy;
      else {
        auto key = std::make_tuple(opType.str(), sx, sx ? 0.0 : vx, sy,
                                   sy ? 0.0 : vy);
        auto [it, inserted] =
            ctx.importer.derivedSymbols.try_emplace(key, 0);
        if (inserted)
          it->second = ctx.freshSymbol();
        symbol = it->second;
      }
      out.values.push_back(0);
      out.symbols.resize(i, 0);
      out.symbols.push_back(symbol);
      symbolic = true;
      continue;
    }
    const CheckedInt l = saturatingInt64(x.values[ix]);
    const CheckedInt r = saturatingInt64(y.values[iy]);
    CheckedInt result;
    if (opType == "Add")
      result = l + r;
    else if (opType == "Sub")
      result = l - r;
    else if (opType == "Mul")
      result = l * r;
    else
      result = l / r;
    // Overflow or division by zero: leave the node to run as an op.
    std::optional<int64_t> value = result.get();
    if (!value)
      return std::nullopt;
    out.values.push_back(static_cast<double>(*value));
    if (symbolic)
      out.symbols.push_back(0);
  }
  if (!symbolic)
    out.symbols.clear();
  return out;
}

template <typename OpT> LogicalResult convertBinary(NodeContext &ctx) {
  ImportedValue *a = ctx.lookup(0);
  ImportedValue *b = ctx.hasInput(1) ? ctx.lookup(1) : nullptr;
  if (a && b) {
    if (std::optional<Literal> folded =
            foldBinary(ctx, *a, *b, ctx.node.op_type())) {
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

/// Reads input `i` as an import-time literal (symbols allowed) for the
/// folding-only ops, with the error naming why.
static FailureOr<Literal> shapeLogicOperand(NodeContext &ctx, size_t i) {
  ImportedValue *v = ctx.lookup(i);
  if (v && !v->literal && !v->initializer) {
    (void)ctx.unsupported(ctx.node.op_type() +
                          " on run-time tensors (qcc folds it on shapes and "
                          "constants only)");
    return failure();
  }
  return ctx.constant(i, "an operand", /*allowSymbolic=*/true);
}

/// Equal(a, b) on import-time values (shape logic such as the class token's
/// `expand` in a vision transformer). A symbolic dimension equals itself and
/// differs from any negative number; other comparisons with a symbol are
/// unknown at import time and reported.
LogicalResult convertEqual(NodeContext &ctx) {
  auto a = shapeLogicOperand(ctx, 0);
  if (failed(a))
    return failure();
  auto b = shapeLogicOperand(ctx, 1);
  if (failed(b))
    return failure();
  auto shape = broadcastLiteralShapes({&*a, &*b});
  if (!shape)
    return ctx.fail("operand shapes do not broadcast");
  Literal out = makeLiteral(TensorProto::BOOL, *shape, {});
  const int64_t count = staticProduct(*shape);
  for (int64_t i = 0; i < count; ++i) {
    const size_t ia = broadcastSourceIndex(*a, *shape, i);
    const size_t ib = broadcastSourceIndex(*b, *shape, i);
    const Dim sa = a->symbols.empty() ? 0 : a->symbols[ia];
    const Dim sb = b->symbols.empty() ? 0 : b->symbols[ib];
    bool equal;
    if (sa == 0 && sb == 0)
      equal = a->values[ia] == b->values[ib];
    else if (sa != 0 && sb != 0 && sa == sb)
      equal = true;
    else if ((sa != 0 && sb == 0 && b->values[ib] < 0) ||
             (sb != 0 && sa == 0 && a->values[ia] < 0))
      equal = false; // A dimension is never negative.
    else
      return ctx.unsupported("comparing a dynamic dimension with a value "
                             "that it may equal at run time");
    out.values.push_back(equal ? 1 : 0);
  }
  setLiteralOutput(ctx, 0, std::move(out));
  return success();
}

/// Where(condition, x, y) on import-time values; symbols are kept.
LogicalResult convertWhere(NodeContext &ctx) {
  std::optional<Literal> operands[3];
  for (size_t i = 0; i < 3; ++i) {
    auto l = shapeLogicOperand(ctx, i);
    if (failed(l))
      return failure();
    operands[i] = std::move(*l);
  }
  const Literal &condition = *operands[0], &x = *operands[1], &y = *operands[2];
  if (!condition.isFullyKnown())
    return ctx.fail("the condition holds dynamic dimensions");
  if (x.dataType != y.dataType)
    return ctx.fail("x and y have different data types (" +
                    onnxDataTypeName(x.dataType) + " and " +
                    onnxDataTypeName(y.dataType) + ")");
  auto shape = broadcastLiteralShapes({&condition, &x, &y});
  if (!shape)
    return ctx.fail("operand shapes do not broadcast");
  Literal out = makeLiteral(x.dataType, *shape, {});
  const int64_t count = staticProduct(*shape);
  bool symbolic = false;
  for (int64_t i = 0; i < count; ++i) {
    const bool pick =
        condition.values[broadcastSourceIndex(condition, *shape, i)] != 0;
    const Literal &from = pick ? x : y;
    const size_t j = broadcastSourceIndex(from, *shape, i);
    out.values.push_back(from.values[j]);
    out.symbols.push_back(from.symbols.empty() ? 0 : from.symbols[j]);
    symbolic |= out.symbols.back() != 0;
  }
  if (!symbolic)
    out.symbols.clear();
  setLiteralOutput(ctx, 0, std::move(out));
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
