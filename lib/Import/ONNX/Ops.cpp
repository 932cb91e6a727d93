//===- Ops.cpp - ONNX node converters -------------------------------------===//
//
// One converter per ONNX op type. Each normalises the op's attributes and
// opset differences into the qc graph op's canonical form, computes the
// result's symbolic shape, and folds shape computations where it can.
//
//===----------------------------------------------------------------------===//

#include "ImporterImpl.h"
#include "TensorData.h"

#include "qcc/Support/CheckedInt.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Quant/IR/QuantTypes.h"

#include <cmath>
#include <numeric>

using namespace mlir;
using namespace qcc;
using namespace qcc::onnx_import;
using onnx::TensorProto;

namespace {

//===----------------------------------------------------------------------===//
// Shape helpers
//===----------------------------------------------------------------------===//

/// NumPy broadcasting of symbolic shapes.
FailureOr<SymShape> broadcast(NodeContext &ctx, const SymShape &a,
                              const SymShape &b) {
  SymShape result(std::max(a.size(), b.size()));
  for (size_t i = 0; i < result.size(); ++i) {
    Dim da = i < a.size() ? a[a.size() - 1 - i] : 1;
    Dim db = i < b.size() ? b[b.size() - 1 - i] : 1;
    Dim &out = result[result.size() - 1 - i];
    if (da == db || db == 1)
      out = da;
    else if (da == 1)
      out = db;
    else if (!isStatic(da) && isStatic(db))
      out = db;
    else if (isStatic(da) && !isStatic(db))
      out = da;
    else if (!isStatic(da) && !isStatic(db))
      out = da; // Two symbols: equal at run time or the model is invalid.
    else {
      (void)ctx.fail("input shapes do not broadcast: dimension " +
                     llvm::Twine(da) + " vs " + llvm::Twine(db));
      return failure();
    }
  }
  return result;
}

SymShape shapeOfLiteral(const Literal &l) {
  return SymShape(l.shape.begin(), l.shape.end());
}

/// The product of the static dims of an imported value's shape (bounded by
/// the importer's element limit, so it cannot overflow).
int64_t staticProduct(llvm::ArrayRef<Dim> dims) {
  int64_t p = 1;
  for (Dim d : dims)
    if (isStatic(d))
      p *= d;
  return p;
}

/// A literal with the given values (known elements).
Literal makeLiteral(int32_t dataType, std::vector<int64_t> shape,
                    std::vector<double> values) {
  Literal l;
  l.dataType = dataType;
  l.shape = std::move(shape);
  l.values = std::move(values);
  return l;
}

/// Publishes a compile-time value (e.g. a folded shape) as output `i`; its
/// MLIR constant is created only if a consumer needs data.
void setLiteralOutput(NodeContext &ctx, size_t i, Literal literal) {
  ImportedValue v;
  v.dataType = literal.dataType;
  v.elementType = elementType(*ctx.context(), literal.dataType);
  v.shape = shapeOfLiteral(literal);
  v.literal = std::move(literal);
  ctx.setOutput(i, std::move(v));
}

DenseI64ArrayAttr i64Array(NodeContext &ctx, llvm::ArrayRef<int64_t> values) {
  return ctx.builder().getDenseI64ArrayAttr(values);
}

//===----------------------------------------------------------------------===//
// Element-wise
//===----------------------------------------------------------------------===//

/// Folds element-wise arithmetic on small known integer literals (shape
/// arithmetic such as `Div(Shape(x)[1], 2)`).
std::optional<Literal> foldBinary(const ImportedValue &a, const ImportedValue &b,
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
    const CheckedInt l = saturatingInt64(x.values[x.numElements() == 1 ? 0 : i]);
    const CheckedInt r = saturatingInt64(y.values[y.numElements() == 1 ? 0 : i]);
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
  auto lhs = ctx.input(0);
  if (failed(lhs))
    return failure();
  auto rhs = ctx.input(1);
  if (failed(rhs))
    return failure();
  if (ctx.node.op_type() != "Pow" &&
      (*lhs)->elementType != (*rhs)->elementType)
    return ctx.fail("operands have different element types (" +
                    onnxDataTypeName((*lhs)->dataType) + " and " +
                    onnxDataTypeName((*rhs)->dataType) + ")");
  auto shape = broadcast(ctx, (*lhs)->shape, (*rhs)->shape);
  if (failed(shape))
    return failure();
  Value result = OpT::create(ctx.builder(), ctx.loc(),
                             ctx.tensorType(*shape, (*lhs)->elementType),
                             (*lhs)->value, (*rhs)->value);
  ctx.setOutput(0, result, *shape, (*lhs)->dataType);
  return success();
}

/// Unary ops: `build` creates the op from the input value and result type.
LogicalResult
convertUnary(NodeContext &ctx,
             llvm::function_ref<Value(OpBuilder &, Location, Type, Value)> build,
             bool floatOnly = true) {
  auto x = ctx.input(0);
  if (failed(x))
    return failure();
  if (floatOnly && !isa<FloatType>((*x)->elementType))
    return ctx.unsupported("element type " + onnxDataTypeName((*x)->dataType) +
                           " (only floating-point inputs)");
  Type type = ctx.tensorType((*x)->shape, (*x)->elementType);
  ctx.setOutput(0, build(ctx.builder(), ctx.loc(), type, (*x)->value),
                (*x)->shape, (*x)->dataType);
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

/// A rank-0 constant of `element` holding `value`.
Value scalarConstant(NodeContext &ctx, Type element, double value) {
  auto type = RankedTensorType::get({}, element);
  Attribute attr;
  if (auto f = dyn_cast<FloatType>(element)) {
    llvm::APFloat v(value);
    bool losesInfo;
    v.convert(f.getFloatSemantics(), llvm::APFloat::rmNearestTiesToEven,
              &losesInfo);
    attr = DenseElementsAttr::get(type, v);
  } else {
    attr = DenseElementsAttr::get(
        type, llvm::APInt(element.getIntOrFloatBitWidth(),
                          static_cast<uint64_t>(saturatingInt64(value)),
                          !element.isUnsignedInteger(), true));
  }
  return arith::ConstantOp::create(ctx.builder(), ctx.loc(), type,
                                   cast<TypedAttr>(attr));
}

LogicalResult convertClip(NodeContext &ctx) {
  auto x = ctx.input(0);
  if (failed(x))
    return failure();
  Value min, max;
  if (ctx.version < 11) {
    if (ctx.hasAttr("min"))
      min = scalarConstant(ctx, (*x)->elementType, ctx.attrFloat("min", 0));
    if (ctx.hasAttr("max"))
      max = scalarConstant(ctx, (*x)->elementType, ctx.attrFloat("max", 0));
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
      ctx.builder(), ctx.loc(), ctx.tensorType((*x)->shape, (*x)->elementType),
      (*x)->value, min, max);
  ctx.setOutput(0, result, (*x)->shape, (*x)->dataType);
  return success();
}

//===----------------------------------------------------------------------===//
// Convolution and pooling
//===----------------------------------------------------------------------===//

/// Resolved window geometry of a conv or pool node.
struct WindowAttrs {
  std::vector<int64_t> kernel, strides, pads, dilations;
};

/// Reads strides/dilations/pads/auto_pad for `spatial` axes with the given
/// (dilated-agnostic) kernel sizes, resolving auto_pad into explicit pads
/// with the input's spatial dims. `outputSizes` receives per-axis sizes (or
/// symbols).
FailureOr<WindowAttrs> readWindow(NodeContext &ctx, const SymShape &input,
                                  std::vector<int64_t> kernel,
                                  bool ceilMode = false) {
  const size_t spatial = kernel.size();
  WindowAttrs w;
  w.kernel = std::move(kernel);
  w.strides = ctx.attrInts("strides");
  w.dilations = ctx.attrInts("dilations");
  w.pads = ctx.attrInts("pads");
  if (w.strides.empty())
    w.strides.assign(spatial, 1);
  if (w.dilations.empty())
    w.dilations.assign(spatial, 1);
  if (w.strides.size() != spatial || w.dilations.size() != spatial)
    return ctx.fail("strides/dilations must have one entry per spatial "
                     "axis (" + llvm::Twine(spatial) + ")");
  for (int64_t s : w.strides)
    if (s < 1)
      return ctx.fail("strides must be positive");
  for (int64_t d : w.dilations)
    if (d < 1)
      return ctx.fail("dilations must be positive");
  const std::string autoPad = ctx.attrString("auto_pad", "NOTSET");
  if (autoPad == "NOTSET") {
    if (w.pads.empty())
      w.pads.assign(2 * spatial, 0);
    if (w.pads.size() != 2 * spatial)
      return ctx.fail("pads must have 2 x " + llvm::Twine(spatial) +
                       " entries, got " + llvm::Twine(w.pads.size()));
    for (int64_t p : w.pads)
      if (p < 0)
        return ctx.unsupported("negative pads");
  } else if (autoPad == "VALID") {
    w.pads.assign(2 * spatial, 0);
  } else if (autoPad == "SAME_UPPER" || autoPad == "SAME_LOWER") {
    w.pads.assign(2 * spatial, 0);
    for (size_t i = 0; i < spatial; ++i) {
      const Dim d = input[2 + i];
      if (!isStatic(d))
        return ctx.unsupported("auto_pad=" + autoPad +
                                " on a dynamic spatial dimension");
      const CheckedInt out = (CheckedInt(d) + w.strides[i] - 1) / w.strides[i];
      const CheckedInt effectiveKernel =
          (CheckedInt(w.kernel[i]) - 1) * w.dilations[i] + 1;
      auto padding = ((out - 1) * w.strides[i] + effectiveKernel - d).get();
      if (!padding)
        return ctx.fail("the auto_pad padding of axis " + llvm::Twine(2 + i) +
                        " overflows int64");
      const int64_t total = std::max<int64_t>(0, *padding);
      const int64_t small = total / 2, large = total - total / 2;
      w.pads[i] = autoPad == "SAME_UPPER" ? small : large;
      w.pads[i + spatial] = autoPad == "SAME_UPPER" ? large : small;
    }
  } else {
    return ctx.unsupported("auto_pad='" + autoPad + "'");
  }
  (void)ceilMode;
  return w;
}

/// Output size of a conv/pool window along one axis (or a symbol).
FailureOr<Dim> windowOutput(NodeContext &ctx, Dim in, int64_t kernel,
                            int64_t stride, int64_t padBegin, int64_t padEnd,
                            int64_t dilation, bool ceilMode) {
  if (!isStatic(in))
    return ctx.freshSymbol();
  const CheckedInt padded = CheckedInt(in) + padBegin + padEnd;
  auto checkedSpan =
      (padded - ((CheckedInt(kernel) - 1) * dilation + 1)).get();
  if (!checkedSpan)
    return ctx.fail("the window size overflows int64 (kernel " +
                    llvm::Twine(kernel) + ", dilation " +
                    llvm::Twine(dilation) + ", pads " + llvm::Twine(padBegin) +
                    " and " + llvm::Twine(padEnd) + ")");
  const int64_t span = *checkedSpan;
  if (span < 0)
    return ctx.fail("the window (" + llvm::Twine(kernel) + ", dilation " +
                     llvm::Twine(dilation) + ") is larger than the padded "
                     "input (" + llvm::Twine(*padded.get()) + ")");
  // span >= 0 and stride >= 1: (span + stride - 1) fits unless both are huge.
  auto rounded = (ceilMode ? (CheckedInt(span) + stride - 1) / stride
                           : CheckedInt(span) / stride).get();
  if (!rounded)
    return ctx.fail("the window output size overflows int64");
  int64_t out = *rounded + 1;
  // A window must start inside the input or the begin padding.
  if (ceilMode && (out - 1) * stride >= in + padBegin)
    --out;
  return out;
}

/// A qc.conv with the current node's Conv attributes (kernel_shape,
/// strides, pads/auto_pad, dilations, group) on `x` and `w` of symbolic
/// shapes `xs` and `ws`, producing `element`s; returns it and its shape.
FailureOr<std::pair<Value, SymShape>>
buildConv(NodeContext &ctx, Value x, const SymShape &xs, Value w,
          const SymShape &ws, Value bias, Type element) {
  if (xs.size() < 3 || ws.size() != xs.size())
    return ctx.fail("expected input [N, C, D...] and weight [M, C/group, "
                    "K...] of equal rank >= 3");
  std::vector<int64_t> kernel;
  for (size_t i = 2; i < ws.size(); ++i) {
    if (!isStatic(ws[i]))
      return ctx.unsupported("a weight with dynamic kernel size");
    kernel.push_back(ws[i]);
  }
  std::vector<int64_t> kernelAttr = ctx.attrInts("kernel_shape");
  if (!kernelAttr.empty() && kernelAttr != kernel)
    return ctx.fail("kernel_shape does not match the weight's shape");
  auto window = readWindow(ctx, xs, kernel);
  if (failed(window))
    return failure();
  const int64_t group = ctx.attrInt("group", 1);
  if (group < 1)
    return ctx.fail("group must be positive");
  if (isStatic(xs[1]) && isStatic(ws[1]) && xs[1] != ws[1] * group)
    return ctx.fail("input has " + llvm::Twine(xs[1]) +
                    " channels but weight expects " +
                    llvm::Twine(ws[1] * group) + " (group " +
                    llvm::Twine(group) + ")");
  SymShape out = {xs[0], ws[0]};
  const size_t spatial = kernel.size();
  for (size_t i = 0; i < spatial; ++i) {
    auto d = windowOutput(ctx, xs[2 + i], kernel[i], window->strides[i],
                          window->pads[i], window->pads[i + spatial],
                          window->dilations[i], false);
    if (failed(d))
      return failure();
    out.push_back(*d);
  }
  Value result = qc::ConvOp::create(
      ctx.builder(), ctx.loc(), ctx.tensorType(out, element), x, w, bias,
      i64Array(ctx, window->strides), i64Array(ctx, window->pads),
      i64Array(ctx, window->dilations),
      ctx.builder().getI64IntegerAttr(group));
  return std::make_pair(result, out);
}

LogicalResult convertConv(NodeContext &ctx) {
  auto x = ctx.input(0);
  if (failed(x))
    return failure();
  auto w = ctx.input(1);
  if (failed(w))
    return failure();
  auto bias = ctx.optionalValue(2);
  if (failed(bias))
    return failure();
  auto conv = buildConv(ctx, (*x)->value, (*x)->shape, (*w)->value,
                        (*w)->shape, *bias, (*x)->elementType);
  if (failed(conv))
    return failure();
  ctx.setOutput(0, conv->first, conv->second, (*x)->dataType);
  return success();
}

LogicalResult convertConvTranspose(NodeContext &ctx) {
  auto x = ctx.input(0);
  if (failed(x))
    return failure();
  auto w = ctx.input(1);
  if (failed(w))
    return failure();
  auto bias = ctx.optionalValue(2);
  if (failed(bias))
    return failure();
  const SymShape &xs = (*x)->shape, &ws = (*w)->shape;
  if (xs.size() < 3 || ws.size() != xs.size())
    return ctx.fail("expected input [N, C, D...] and weight [C, M/group, "
                    "K...] of equal rank >= 3");
  const size_t spatial = xs.size() - 2;
  std::vector<int64_t> kernel;
  for (size_t i = 2; i < ws.size(); ++i) {
    if (!isStatic(ws[i]))
      return ctx.unsupported("a weight with dynamic kernel size");
    kernel.push_back(ws[i]);
  }
  const int64_t group = ctx.attrInt("group", 1);
  if (group < 1)
    return ctx.fail("group must be positive");
  std::vector<int64_t> strides = ctx.attrInts("strides");
  std::vector<int64_t> dilations = ctx.attrInts("dilations");
  std::vector<int64_t> pads = ctx.attrInts("pads");
  std::vector<int64_t> outputPadding = ctx.attrInts("output_padding");
  std::vector<int64_t> outputShape = ctx.attrInts("output_shape");
  if (strides.empty())
    strides.assign(spatial, 1);
  if (dilations.empty())
    dilations.assign(spatial, 1);
  if (outputPadding.empty())
    outputPadding.assign(spatial, 0);
  if (pads.empty())
    pads.assign(2 * spatial, 0);
  if (strides.size() != spatial || dilations.size() != spatial ||
      outputPadding.size() != spatial || pads.size() != 2 * spatial)
    return ctx.fail("strides, dilations, output_padding and pads must have "
                    "one (pads: two) entries per spatial axis");
  const std::string autoPad = ctx.attrString("auto_pad", "NOTSET");
  if (autoPad != "NOTSET" && autoPad != "VALID" && autoPad != "SAME_UPPER" &&
      autoPad != "SAME_LOWER")
    return ctx.unsupported("auto_pad='" + autoPad + "'");
  if (!outputShape.empty() && outputShape.size() != spatial) {
    // output_shape may include N and C.
    if (outputShape.size() == spatial + 2)
      outputShape.erase(outputShape.begin(), outputShape.begin() + 2);
    else
      return ctx.fail("output_shape must have one entry per spatial axis");
  }
  if (autoPad.rfind("SAME", 0) == 0 && outputShape.empty())
    for (size_t i = 0; i < spatial; ++i) {
      if (!isStatic(xs[2 + i]))
        return ctx.unsupported("auto_pad on a dynamic spatial dimension");
      auto size = (CheckedInt(xs[2 + i]) * strides[i]).get();
      if (!size)
        return ctx.fail("the output size of axis " + llvm::Twine(2 + i) +
                        " overflows int64");
      outputShape.push_back(*size);
    }
  if (autoPad == "VALID")
    pads.assign(2 * spatial, 0);
  if (!outputShape.empty()) {
    for (size_t i = 0; i < spatial; ++i) {
      if (!isStatic(xs[2 + i]))
        return ctx.unsupported("output_shape on a dynamic spatial dimension");
      auto checkedTotal =
          (CheckedInt(strides[i]) * (xs[2 + i] - 1) + outputPadding[i] +
           ((CheckedInt(kernel[i]) - 1) * dilations[i] + 1) - outputShape[i])
              .get();
      if (!checkedTotal)
        return ctx.fail("the padding of axis " + llvm::Twine(2 + i) +
                        " overflows int64");
      const int64_t total = *checkedTotal;
      if (total < 0) {
        // A larger output than the input covers: extra zeros at the end.
        pads[i] = pads[i + spatial] = 0;
        auto padding = (CheckedInt(outputPadding[i]) - total).get();
        if (!padding)
          return ctx.fail("the output padding of axis " + llvm::Twine(2 + i) +
                          " overflows int64");
        outputPadding[i] = *padding;
      } else if (autoPad == "SAME_UPPER") {
        pads[i] = total / 2;
        pads[i + spatial] = total - total / 2;
      } else {
        pads[i] = total - total / 2;
        pads[i + spatial] = total / 2;
      }
    }
  }
  SymShape out = {xs[0], isStatic(ws[1]) ? ws[1] * group : ctx.freshSymbol()};
  for (size_t i = 0; i < spatial; ++i) {
    if (!isStatic(xs[2 + i])) {
      out.push_back(ctx.freshSymbol());
      continue;
    }
    auto size = (CheckedInt(strides[i]) * (xs[2 + i] - 1) + outputPadding[i] +
                 ((CheckedInt(kernel[i]) - 1) * dilations[i] + 1) - pads[i] -
                 pads[i + spatial])
                    .get();
    if (!size)
      return ctx.fail("the output size of axis " + llvm::Twine(2 + i) +
                      " overflows int64");
    const int64_t d = *size;
    if (d <= 0)
      return ctx.fail("the output would be empty along axis " +
                      llvm::Twine(2 + i));
    out.push_back(d);
  }
  Value result = qc::ConvTransposeOp::create(
      ctx.builder(), ctx.loc(), ctx.tensorType(out, (*x)->elementType),
      (*x)->value, (*w)->value, *bias, i64Array(ctx, strides),
      i64Array(ctx, pads), i64Array(ctx, dilations),
      i64Array(ctx, outputPadding), ctx.builder().getI64IntegerAttr(group));
  ctx.setOutput(0, result, out, (*x)->dataType);
  return success();
}

LogicalResult convertPool(NodeContext &ctx, bool isMax) {
  if (ctx.hasOutput(1))
    return ctx.unsupported("the Indices output of MaxPool");
  auto x = ctx.input(0);
  if (failed(x))
    return failure();
  const SymShape &xs = (*x)->shape;
  if (xs.size() < 3)
    return ctx.fail("expected an input [N, C, D...] of rank >= 3");
  std::vector<int64_t> kernel = ctx.attrInts("kernel_shape");
  if (kernel.size() != xs.size() - 2)
    return ctx.fail("kernel_shape must have one entry per spatial axis");
  if (ctx.attrInt("storage_order", 0) != 0)
    return ctx.unsupported("storage_order=1");
  const bool ceilMode = ctx.attrInt("ceil_mode", 0) != 0;
  auto window = readWindow(ctx, xs, kernel, ceilMode);
  if (failed(window))
    return failure();
  SymShape out = {xs[0], xs[1]};
  const size_t spatial = kernel.size();
  for (size_t i = 0; i < spatial; ++i) {
    auto d = windowOutput(ctx, xs[2 + i], kernel[i], window->strides[i],
                          window->pads[i], window->pads[i + spatial],
                          window->dilations[i], ceilMode);
    if (failed(d))
      return failure();
    out.push_back(*d);
  }
  OpBuilder &b = ctx.builder();
  Type type = ctx.tensorType(out, (*x)->elementType);
  Value result;
  if (isMax)
    result = qc::MaxPoolOp::create(
        b, ctx.loc(), type, (*x)->value, i64Array(ctx, kernel),
        i64Array(ctx, window->strides), i64Array(ctx, window->pads),
        i64Array(ctx, window->dilations), b.getBoolAttr(ceilMode));
  else
    result = qc::AvgPoolOp::create(
        b, ctx.loc(), type, (*x)->value, i64Array(ctx, kernel),
        i64Array(ctx, window->strides), i64Array(ctx, window->pads),
        i64Array(ctx, window->dilations), b.getBoolAttr(ceilMode),
        b.getBoolAttr(ctx.attrInt("count_include_pad", 0) != 0));
  ctx.setOutput(0, result, out, (*x)->dataType);
  return success();
}

LogicalResult convertGlobalAveragePool(NodeContext &ctx) {
  auto x = ctx.input(0);
  if (failed(x))
    return failure();
  SymShape out = (*x)->shape;
  if (out.size() < 3)
    return ctx.fail("expected an input [N, C, D...] of rank >= 3");
  for (size_t i = 2; i < out.size(); ++i)
    out[i] = 1;
  Value result = qc::GlobalAvgPoolOp::create(
      ctx.builder(), ctx.loc(), ctx.tensorType(out, (*x)->elementType),
      (*x)->value);
  ctx.setOutput(0, result, out, (*x)->dataType);
  return success();
}

//===----------------------------------------------------------------------===//
// Matrix products
//===----------------------------------------------------------------------===//

LogicalResult convertGemm(NodeContext &ctx) {
  auto a = ctx.input(0);
  if (failed(a))
    return failure();
  auto bv = ctx.input(1);
  if (failed(bv))
    return failure();
  auto c = ctx.optionalValue(2);
  if (failed(c))
    return failure();
  const bool transA = ctx.attrInt("transA", 0) != 0;
  const bool transB = ctx.attrInt("transB", 0) != 0;
  const SymShape &as = (*a)->shape, &bs = (*bv)->shape;
  if (as.size() != 2 || bs.size() != 2)
    return ctx.fail("A and B must be matrices (rank 2)");
  const Dim k1 = as[transA ? 0 : 1], k2 = bs[transB ? 1 : 0];
  if (isStatic(k1) && isStatic(k2) && k1 != k2)
    return ctx.fail("inner dimensions differ: " + llvm::Twine(k1) + " vs " +
                    llvm::Twine(k2));
  SymShape out = {as[transA ? 1 : 0], bs[transB ? 0 : 1]};
  OpBuilder &b = ctx.builder();
  Value result = qc::GemmOp::create(
      b, ctx.loc(), ctx.tensorType(out, (*a)->elementType), (*a)->value,
      (*bv)->value, *c, b.getF32FloatAttr(ctx.attrFloat("alpha", 1.0f)),
      b.getF32FloatAttr(ctx.attrFloat("beta", 1.0f)), b.getBoolAttr(transA),
      b.getBoolAttr(transB));
  ctx.setOutput(0, result, out, (*a)->dataType);
  return success();
}

/// numpy.matmul result shape.
FailureOr<SymShape> matmulShape(NodeContext &ctx, SymShape a, SymShape b) {
  if (a.empty() || b.empty())
    return ctx.fail("matmul operands must have rank >= 1");
  const bool aVector = a.size() == 1, bVector = b.size() == 1;
  if (aVector)
    a.insert(a.begin(), 1);
  if (bVector)
    b.push_back(1);
  const Dim k1 = a.back(), k2 = b[b.size() - 2];
  if (isStatic(k1) && isStatic(k2) && k1 != k2)
    return ctx.fail("inner dimensions differ: " + llvm::Twine(k1) + " vs " +
                     llvm::Twine(k2));
  auto batch = broadcast(ctx, SymShape(a.begin(), a.end() - 2),
                         SymShape(b.begin(), b.end() - 2));
  if (failed(batch))
    return failure();
  SymShape out = *batch;
  if (!aVector)
    out.push_back(a[a.size() - 2]);
  if (!bVector)
    out.push_back(b.back());
  return out;
}

LogicalResult convertMatMul(NodeContext &ctx) {
  auto a = ctx.input(0);
  if (failed(a))
    return failure();
  auto b = ctx.input(1);
  if (failed(b))
    return failure();
  auto out = matmulShape(ctx, (*a)->shape, (*b)->shape);
  if (failed(out))
    return failure();
  Value result = qc::MatMulOp::create(ctx.builder(), ctx.loc(),
                                      ctx.tensorType(*out, (*a)->elementType),
                                      (*a)->value, (*b)->value);
  ctx.setOutput(0, result, *out, (*a)->dataType);
  return success();
}

//===----------------------------------------------------------------------===//
// Normalisation and reductions
//===----------------------------------------------------------------------===//

/// A reshape to `shape` (at most one symbolic dim).
FailureOr<Value> reshapeTo(NodeContext &ctx, Value input, const SymShape &shape,
                           Type element) {
  int dynamic = 0;
  for (Dim d : shape)
    dynamic += !isStatic(d);
  if (dynamic > 1)
    return ctx.unsupported("a reshape with more than one dynamic "
                            "dimension");
  return qc::ReshapeOp::create(ctx.builder(), ctx.loc(),
                               ctx.tensorType(shape, element), input)
      .getResult();
}

LogicalResult convertSoftmax(NodeContext &ctx) {
  auto x = ctx.input(0);
  if (failed(x))
    return failure();
  const SymShape &xs = (*x)->shape;
  const int64_t rank = xs.size();
  auto axis = ctx.normalizeAxis(ctx.attrInt("axis", ctx.version < 13 ? 1 : -1),
                                rank);
  if (failed(axis))
    return failure();
  Type element = (*x)->elementType;
  if (ctx.version >= 13 || *axis == rank - 1) {
    Value result = qc::SoftmaxOp::create(
        ctx.builder(), ctx.loc(), ctx.tensorType(xs, element), (*x)->value,
        ctx.builder().getI64IntegerAttr(*axis));
    ctx.setOutput(0, result, xs, (*x)->dataType);
    return success();
  }
  // Before opset 13 Softmax coerces the input to 2-d at `axis`.
  auto collapse = [&](llvm::ArrayRef<Dim> dims) -> Dim {
    for (Dim d : dims)
      if (!isStatic(d))
        return dims.size() == 1 ? d : ctx.freshSymbol();
    return staticProduct(dims);
  };
  SymShape flat = {collapse(llvm::ArrayRef<Dim>(xs).take_front(*axis)),
                   collapse(llvm::ArrayRef<Dim>(xs).drop_front(*axis))};
  auto flattened = reshapeTo(ctx, (*x)->value, flat, element);
  if (failed(flattened))
    return failure();
  Value soft = qc::SoftmaxOp::create(ctx.builder(), ctx.loc(),
                                     ctx.tensorType(flat, element), *flattened,
                                     ctx.builder().getI64IntegerAttr(1));
  auto result = reshapeTo(ctx, soft, xs, element);
  if (failed(result))
    return failure();
  ctx.setOutput(0, *result, xs, (*x)->dataType);
  return success();
}

/// LayerNormalization's optional Mean and InvStdDev outputs, built from
/// element-wise ops and reductions over [axis, rank).
LogicalResult emitLayerNormStatistics(NodeContext &ctx, ImportedValue &x,
                                      int64_t axis, float epsilon) {
  if (!x.elementType.isF32())
    return ctx.unsupported("the Mean and InvStdDev outputs for " +
                           onnxDataTypeName(x.dataType) + " inputs");
  OpBuilder &b = ctx.builder();
  Type f32 = b.getF32Type();
  const int64_t rank = x.shape.size();
  std::vector<int64_t> axes;
  SymShape reduced(x.shape.begin(), x.shape.begin() + axis);
  for (int64_t i = axis; i < rank; ++i) {
    axes.push_back(i);
    reduced.push_back(1);
  }
  Type reducedType = ctx.tensorType(reduced, f32);
  Type fullType = ctx.tensorType(x.shape, f32);
  auto mean = [&](Value v) {
    return qc::ReduceMeanOp::create(b, ctx.loc(), reducedType, v,
                                    i64Array(ctx, axes), b.getBoolAttr(true))
        .getResult();
  };
  Value mu = mean(x.value);
  Value centered = qc::SubOp::create(b, ctx.loc(), fullType, x.value, mu);
  Value squared = qc::MulOp::create(b, ctx.loc(), fullType, centered, centered);
  Value variance = mean(squared);
  Value shifted = qc::AddOp::create(b, ctx.loc(), reducedType, variance,
                                    scalarConstant(ctx, f32, epsilon));
  Value stdDev = qc::SqrtOp::create(b, ctx.loc(), reducedType, shifted);
  Value invStdDev = qc::DivOp::create(b, ctx.loc(), reducedType,
                                      scalarConstant(ctx, f32, 1.0), stdDev);
  ctx.setOutput(1, mu, reduced, TensorProto::FLOAT);
  ctx.setOutput(2, invStdDev, reduced, TensorProto::FLOAT);
  return success();
}

LogicalResult convertLayerNorm(NodeContext &ctx) {
  auto x = ctx.input(0);
  if (failed(x))
    return failure();
  auto scale = ctx.value(1);
  if (failed(scale))
    return failure();
  auto bias = ctx.optionalValue(2);
  if (failed(bias))
    return failure();
  auto axis = ctx.normalizeAxis(ctx.attrInt("axis", -1), (*x)->shape.size());
  if (failed(axis))
    return failure();
  OpBuilder &b = ctx.builder();
  Value result = qc::LayerNormOp::create(
      b, ctx.loc(), ctx.tensorType((*x)->shape, (*x)->elementType),
      (*x)->value, *scale, *bias, b.getI64IntegerAttr(*axis),
      b.getF32FloatAttr(ctx.attrFloat("epsilon", 1e-5f)));
  ctx.setOutput(0, result, (*x)->shape, (*x)->dataType);
  if (ctx.hasOutput(1) || ctx.hasOutput(2))
    return emitLayerNormStatistics(ctx, **x, *axis,
                                   ctx.attrFloat("epsilon", 1e-5f));
  return success();
}

LogicalResult convertBatchNorm(NodeContext &ctx) {
  if (ctx.attrInt("training_mode", 0) != 0)
    return ctx.unsupported("training_mode=1");
  if (ctx.attrInt("spatial", 1) != 1)
    return ctx.unsupported("spatial=0");
  for (size_t i = 1; i < ctx.numOutputs(); ++i)
    if (ctx.hasOutput(i))
      return ctx.unsupported("the running-statistics outputs (training)");
  SmallVector<Value, 5> operands;
  for (size_t i = 0; i < 5; ++i) {
    auto v = ctx.value(i);
    if (failed(v))
      return failure();
    operands.push_back(*v);
  }
  ImportedValue *x = ctx.lookup(0);
  if (x->shape.size() < 2)
    return ctx.fail("expected an input [N, C, ...] of rank >= 2");
  OpBuilder &b = ctx.builder();
  Value result = qc::BatchNormOp::create(
      b, ctx.loc(), ctx.tensorType(x->shape, x->elementType), operands[0],
      operands[1], operands[2], operands[3], operands[4],
      b.getF32FloatAttr(ctx.attrFloat("epsilon", 1e-5f)));
  ctx.setOutput(0, result, x->shape, x->dataType);
  return success();
}

LogicalResult convertReduceMean(NodeContext &ctx) {
  auto x = ctx.input(0);
  if (failed(x))
    return failure();
  const int64_t rank = (*x)->shape.size();
  std::vector<int64_t> axes;
  bool noopWithEmptyAxes = false;
  if (ctx.version >= 18) {
    noopWithEmptyAxes = ctx.attrInt("noop_with_empty_axes", 0) != 0;
    if (ctx.hasInput(1)) {
      auto v = ctx.constantInts(1, "axes");
      if (failed(v))
        return failure();
      axes = *v;
    }
  } else {
    axes = ctx.attrInts("axes");
  }
  if (axes.empty()) {
    if (noopWithEmptyAxes) {
      ctx.setOutput(0, **x);
      return success();
    }
    axes.resize(rank);
    std::iota(axes.begin(), axes.end(), 0);
  }
  for (int64_t &a : axes) {
    auto n = ctx.normalizeAxis(a, rank, "reduction axis");
    if (failed(n))
      return failure();
    a = *n;
  }
  llvm::sort(axes);
  axes.erase(std::unique(axes.begin(), axes.end()), axes.end());
  const bool keepdims = ctx.attrInt("keepdims", 1) != 0;
  SymShape out;
  for (int64_t i = 0; i < rank; ++i) {
    if (!llvm::is_contained(axes, i))
      out.push_back((*x)->shape[i]);
    else if (keepdims)
      out.push_back(1);
  }
  OpBuilder &b = ctx.builder();
  Value result = qc::ReduceMeanOp::create(
      b, ctx.loc(), ctx.tensorType(out, (*x)->elementType), (*x)->value,
      i64Array(ctx, axes), b.getBoolAttr(keepdims));
  ctx.setOutput(0, result, out, (*x)->dataType);
  return success();
}

//===----------------------------------------------------------------------===//
// Shapes and data movement
//===----------------------------------------------------------------------===//

/// Sets output 0 to `input` reshaped to `shape`, folding literals.
LogicalResult emitReshape(NodeContext &ctx, ImportedValue &input,
                          const SymShape &shape) {
  if (input.literal) {
    Literal folded = *input.literal;
    folded.shape.clear();
    for (Dim d : shape) {
      if (!isStatic(d))
        break;
      folded.shape.push_back(d);
    }
    if (folded.shape.size() == shape.size()) {
      setLiteralOutput(ctx, 0, std::move(folded));
      return success();
    }
  }
  if (!input.value && failed(ctx.importer.materialize(input, ctx.node.input(0))))
    return failure();
  auto result = reshapeTo(ctx, input.value, shape, input.elementType);
  if (failed(result))
    return failure();
  ctx.setOutput(0, *result, shape, input.dataType);
  return success();
}

LogicalResult convertReshape(NodeContext &ctx) {
  ImportedValue *x = ctx.lookup(0);
  if (!x)
    return ctx.fail("missing input");
  auto target = ctx.constant(1, "the target shape", /*allowSymbolic=*/true);
  if (failed(target))
    return failure();
  const bool allowZero = ctx.version >= 14 && ctx.attrInt("allowzero", 0);
  SymShape shape;
  int inferred = -1;
  for (size_t i = 0; i < target->values.size(); ++i) {
    Dim d = target->dimAt(i);
    if (d == -1 && (target->symbols.empty() || target->symbols[i] == 0)) {
      if (inferred >= 0)
        return ctx.fail("the target shape has more than one -1");
      inferred = i;
      shape.push_back(0); // Placeholder.
      continue;
    }
    if (d == 0 && !allowZero &&
        (target->symbols.empty() || target->symbols[i] == 0)) {
      if (i >= x->shape.size())
        return ctx.fail("target shape entry 0 at position " + llvm::Twine(i) +
                        " has no input dimension to copy");
      d = x->shape[i];
    }
    if (isStatic(d) && d < 0)
      return ctx.fail("invalid target dimension " + llvm::Twine(d));
    shape.push_back(d);
  }
  // Infer -1 from the element count, cancelling equal symbols.
  SmallVector<Dim> inSymbols, outSymbols;
  for (Dim d : x->shape)
    if (!isStatic(d))
      inSymbols.push_back(d);
  for (auto [i, d] : llvm::enumerate(shape))
    if (static_cast<int>(i) != inferred && !isStatic(d))
      outSymbols.push_back(d);
  llvm::sort(inSymbols);
  llvm::sort(outSymbols);
  const bool symbolsMatch = inSymbols == outSymbols;
  int64_t inCount = staticProduct(x->shape); // bounded by the element limit
  CheckedInt checkedOutCount = 1; // the target shape comes from the file
  for (auto [i, d] : llvm::enumerate(shape))
    if (static_cast<int>(i) != inferred && isStatic(d))
      checkedOutCount = checkedOutCount * d;
  if (checkedOutCount.overflowed())
    return ctx.fail("the target shape's element count overflows int64");
  const int64_t outCount = *checkedOutCount.get();
  if (inferred >= 0) {
    if (symbolsMatch) {
      if (outCount == 0 || inCount % outCount != 0)
        return ctx.fail("cannot infer -1: " + llvm::Twine(inCount) +
                        " elements do not divide by " + llvm::Twine(outCount));
      shape[inferred] = inCount / outCount;
    } else {
      shape[inferred] = ctx.freshSymbol();
    }
  } else if (symbolsMatch && inCount != outCount) {
    return ctx.fail("cannot reshape " + llvm::Twine(inCount) +
                    " elements into " + llvm::Twine(outCount));
  }
  return emitReshape(ctx, *x, shape);
}

LogicalResult convertFlatten(NodeContext &ctx) {
  ImportedValue *x = ctx.lookup(0);
  if (!x)
    return ctx.fail("missing input");
  const int64_t rank = x->shape.size();
  int64_t axis = ctx.attrInt("axis", 1);
  if (axis < -rank || axis > rank)
    return ctx.fail("axis " + llvm::Twine(axis) + " is out of range");
  if (axis < 0)
    axis += rank;
  auto collapse = [&](llvm::ArrayRef<Dim> dims) -> Dim {
    Dim symbol = 0;
    for (Dim d : dims)
      if (!isStatic(d))
        symbol = symbol ? ctx.freshSymbol() : d;
    return symbol ? (staticProduct(dims) == 1 && dims.size() >= 1
                         ? symbol
                         : ctx.freshSymbol())
                  : staticProduct(dims);
  };
  llvm::ArrayRef<Dim> dims(x->shape);
  SymShape shape = {collapse(dims.take_front(axis)),
                    collapse(dims.drop_front(axis))};
  return emitReshape(ctx, *x, shape);
}

/// Reads Squeeze/Unsqueeze axes from the attribute (< 13) or input 1.
FailureOr<std::vector<int64_t>> readAxes(NodeContext &ctx, bool required) {
  if (ctx.version < 13)
    return ctx.attrInts("axes");
  if (!ctx.hasInput(1)) {
    if (required)
      return ctx.fail("missing axes");
    return std::vector<int64_t>();
  }
  return ctx.constantInts(1, "axes");
}

LogicalResult convertSqueeze(NodeContext &ctx) {
  ImportedValue *x = ctx.lookup(0);
  if (!x)
    return ctx.fail("missing input");
  auto axes = readAxes(ctx, /*required=*/false);
  if (failed(axes))
    return failure();
  const int64_t rank = x->shape.size();
  std::vector<bool> drop(rank, false);
  if (axes->empty()) {
    for (int64_t i = 0; i < rank; ++i) {
      if (!isStatic(x->shape[i]))
        return ctx.unsupported("Squeeze without axes on a dynamic dimension");
      drop[i] = x->shape[i] == 1;
    }
  }
  for (int64_t a : *axes) {
    auto n = ctx.normalizeAxis(a, rank);
    if (failed(n))
      return failure();
    if (isStatic(x->shape[*n]) && x->shape[*n] != 1)
      return ctx.fail("cannot squeeze dimension " + llvm::Twine(*n) +
                      " of size " + llvm::Twine(x->shape[*n]));
    drop[*n] = true;
  }
  SymShape shape;
  for (int64_t i = 0; i < rank; ++i)
    if (!drop[i])
      shape.push_back(x->shape[i]);
  return emitReshape(ctx, *x, shape);
}

LogicalResult convertUnsqueeze(NodeContext &ctx) {
  ImportedValue *x = ctx.lookup(0);
  if (!x)
    return ctx.fail("missing input");
  auto axes = readAxes(ctx, /*required=*/true);
  if (failed(axes))
    return failure();
  const int64_t rank = x->shape.size() + axes->size();
  std::vector<bool> inserted(rank, false);
  for (int64_t a : *axes) {
    auto n = ctx.normalizeAxis(a, rank);
    if (failed(n))
      return failure();
    if (inserted[*n])
      return ctx.fail("axis " + llvm::Twine(a) + " is repeated");
    inserted[*n] = true;
  }
  SymShape shape;
  size_t next = 0;
  for (int64_t i = 0; i < rank; ++i)
    shape.push_back(inserted[i] ? 1 : x->shape[next++]);
  return emitReshape(ctx, *x, shape);
}

LogicalResult convertShape(NodeContext &ctx) {
  ImportedValue *x = ctx.lookup(0);
  if (!x)
    return ctx.fail("missing input");
  const int64_t rank = x->shape.size();
  int64_t start = ctx.version >= 15 ? ctx.attrInt("start", 0) : 0;
  int64_t end = ctx.version >= 15 ? ctx.attrInt("end", rank) : rank;
  auto clamp = [&](int64_t v) {
    if (v < 0)
      v += rank;
    return std::clamp<int64_t>(v, 0, rank);
  };
  start = clamp(start);
  end = clamp(end);
  Literal literal;
  literal.dataType = TensorProto::INT64;
  bool symbolic = false;
  for (int64_t i = start; i < end; ++i) {
    const Dim d = x->shape[i];
    literal.values.push_back(isStatic(d) ? d : 0);
    literal.symbols.push_back(isStatic(d) ? 0 : d);
    symbolic |= !isStatic(d);
  }
  if (!symbolic)
    literal.symbols.clear();
  literal.shape = {static_cast<int64_t>(literal.values.size())};
  setLiteralOutput(ctx, 0, std::move(literal));
  return success();
}

/// Gathers from a literal (shape arithmetic), keeping symbols.
std::optional<Literal> foldGather(const Literal &data, const Literal &indices,
                                  int64_t axis) {
  if (data.shape.size() != 1 || axis != 0 || !indices.isFullyKnown())
    return std::nullopt;
  Literal out;
  out.dataType = data.dataType;
  out.shape = indices.shape;
  const int64_t n = data.numElements();
  bool symbolic = false;
  for (double index : indices.values) {
    int64_t i = saturatingInt64(index);
    if (i < 0)
      i += n;
    if (i < 0 || i >= n)
      return std::nullopt;
    out.values.push_back(data.values[i]);
    out.symbols.push_back(data.symbols.empty() ? 0 : data.symbols[i]);
    symbolic |= out.symbols.back() != 0;
  }
  if (!symbolic)
    out.symbols.clear();
  return out;
}

LogicalResult convertGather(NodeContext &ctx) {
  ImportedValue *data = ctx.lookup(0);
  ImportedValue *indices = ctx.hasInput(1) ? ctx.lookup(1) : nullptr;
  if (!data || !indices)
    return ctx.fail("missing input");
  auto axis = ctx.normalizeAxis(ctx.attrInt("axis", 0), data->shape.size());
  if (failed(axis))
    return failure();
  if (data->literal && (indices->literal || indices->initializer)) {
    auto index = ctx.constant(1, "indices");
    if (failed(index))
      return failure();
    if (std::optional<Literal> folded = foldGather(*data->literal, *index, *axis)) {
      setLiteralOutput(ctx, 0, std::move(*folded));
      return success();
    }
  }
  auto dv = ctx.input(0);
  if (failed(dv))
    return failure();
  auto iv = ctx.input(1);
  if (failed(iv))
    return failure();
  if (!(*iv)->elementType.isInteger(32) && !(*iv)->elementType.isInteger(64))
    return ctx.fail("indices must be int32 or int64");
  SymShape out(data->shape.begin(), data->shape.begin() + *axis);
  out.append((*iv)->shape.begin(), (*iv)->shape.end());
  out.append(data->shape.begin() + *axis + 1, data->shape.end());
  Value result = qc::GatherOp::create(
      ctx.builder(), ctx.loc(), ctx.tensorType(out, data->elementType),
      data->value, (*iv)->value, ctx.builder().getI64IntegerAttr(*axis));
  ctx.setOutput(0, result, out, data->dataType);
  return success();
}

LogicalResult convertConcat(NodeContext &ctx) {
  if (ctx.numInputs() == 0)
    return ctx.fail("no inputs");
  ImportedValue *first = ctx.lookup(0);
  if (!first)
    return ctx.fail("missing input");
  const int64_t rank = first->shape.size();
  auto axis = ctx.normalizeAxis(ctx.attrInt("axis", 0), rank);
  if (failed(axis))
    return failure();
  // Fold 1-d literals (shape vectors).
  bool allLiteral = rank == 1;
  for (size_t i = 0; i < ctx.numInputs() && allLiteral; ++i) {
    ImportedValue *v = ctx.hasInput(i) ? ctx.lookup(i) : nullptr;
    if (v && !v->literal && v->initializer &&
        failed(ctx.importer.decodeLiteral(*v, ctx.node.input(i))))
      return failure();
    allLiteral = v && v->literal;
  }
  if (allLiteral) {
    Literal out;
    out.dataType = first->dataType;
    bool symbolic = false;
    for (size_t i = 0; i < ctx.numInputs(); ++i) {
      const Literal &l = *ctx.lookup(i)->literal;
      for (int64_t j = 0; j < l.numElements(); ++j) {
        out.values.push_back(l.values[j]);
        out.symbols.push_back(l.symbols.empty() ? 0 : l.symbols[j]);
        symbolic |= out.symbols.back() != 0;
      }
    }
    if (!symbolic)
      out.symbols.clear();
    out.shape = {static_cast<int64_t>(out.values.size())};
    setLiteralOutput(ctx, 0, std::move(out));
    return success();
  }
  SmallVector<Value> operands;
  SymShape out = first->shape;
  Dim total = 0;
  for (size_t i = 0; i < ctx.numInputs(); ++i) {
    auto v = ctx.input(i);
    if (failed(v))
      return failure();
    if (static_cast<int64_t>((*v)->shape.size()) != rank ||
        (*v)->elementType != first->elementType)
      return ctx.fail("input #" + llvm::Twine(i) +
                      " differs in rank or element type");
    const Dim d = (*v)->shape[*axis];
    total = (isStatic(total) && isStatic(d)) ? total + d : ctx.freshSymbol();
    operands.push_back((*v)->value);
  }
  out[*axis] = total;
  Value result = qc::ConcatOp::create(
      ctx.builder(), ctx.loc(), ctx.tensorType(out, first->elementType),
      operands, ctx.builder().getI64IntegerAttr(*axis));
  ctx.setOutput(0, result, out, first->dataType);
  return success();
}

LogicalResult convertSplit(NodeContext &ctx) {
  auto x = ctx.input(0);
  if (failed(x))
    return failure();
  const int64_t rank = (*x)->shape.size();
  auto axis = ctx.normalizeAxis(ctx.attrInt("axis", 0), rank);
  if (failed(axis))
    return failure();
  const Dim dim = (*x)->shape[*axis];
  if (!isStatic(dim))
    return ctx.unsupported("Split along a dynamic dimension");
  std::vector<int64_t> sizes;
  if (ctx.version < 13) {
    sizes = ctx.attrInts("split");
  } else if (ctx.hasInput(1)) {
    auto v = ctx.constantInts(1, "split");
    if (failed(v))
      return failure();
    sizes = *v;
  }
  const int64_t outputs = ctx.numOutputs();
  if (sizes.empty()) {
    const int64_t parts =
        ctx.version >= 18 && ctx.hasAttr("num_outputs")
            ? ctx.attrInt("num_outputs", outputs)
            : outputs;
    if (parts < 1 || parts != outputs)
      return ctx.fail("num_outputs does not match the node's outputs");
    if (ctx.version >= 18) {
      const int64_t chunk = (dim + parts - 1) / parts;
      for (int64_t i = 0; i < parts; ++i)
        sizes.push_back(std::max<int64_t>(0, std::min(chunk, dim - i * chunk)));
    } else {
      if (dim % parts != 0)
        return ctx.fail("dimension " + llvm::Twine(dim) +
                        " does not split evenly into " + llvm::Twine(parts));
      sizes.assign(parts, dim / parts);
    }
  }
  if (static_cast<int64_t>(sizes.size()) != outputs ||
      std::accumulate(sizes.begin(), sizes.end(), int64_t{0}) != dim ||
      llvm::any_of(sizes, [](int64_t s) { return s < 0; }))
    return ctx.fail("split sizes must be " + llvm::Twine(outputs) +
                    " non-negative values adding up to " + llvm::Twine(dim));
  SmallVector<Type> types;
  SmallVector<SymShape> shapes;
  for (int64_t s : sizes) {
    SymShape shape = (*x)->shape;
    shape[*axis] = s;
    types.push_back(ctx.tensorType(shape, (*x)->elementType));
    shapes.push_back(shape);
  }
  auto split = qc::SplitOp::create(ctx.builder(), ctx.loc(), types, (*x)->value,
                                   ctx.builder().getI64IntegerAttr(*axis));
  for (int64_t i = 0; i < outputs; ++i)
    ctx.setOutput(i, split.getResult(i), shapes[i], (*x)->dataType);
  return success();
}

/// ONNX Slice clamping of one axis; returns the output size.
int64_t sliceSize(int64_t dim, int64_t &start, int64_t &end, int64_t step) {
  auto clampIndex = [&](int64_t v, int64_t lo, int64_t hi) {
    if (v < 0)
      v += dim;
    return std::clamp(v, lo, hi);
  };
  if (step > 0) {
    start = clampIndex(start, 0, dim);
    end = clampIndex(end, 0, dim);
    return end > start ? (end - start + step - 1) / step : 0;
  }
  start = clampIndex(start, 0, dim - 1);
  end = clampIndex(end, -1, dim - 1);
  return start > end ? (start - end - step - 1) / -step : 0;
}

/// ONNX's "to the end" markers arrive as +-2^63 in doubles.
int64_t toIndex(double v) { return saturatingInt64(v); }

LogicalResult convertSlice(NodeContext &ctx) {
  ImportedValue *x = ctx.lookup(0);
  if (!x)
    return ctx.fail("missing input");
  const int64_t rank = x->shape.size();
  std::vector<int64_t> starts, ends, axes, steps;
  if (ctx.version < 10) {
    starts = ctx.attrInts("starts");
    ends = ctx.attrInts("ends");
    axes = ctx.attrInts("axes");
  } else {
    for (auto [i, what, out] :
         {std::tuple<size_t, const char *, std::vector<int64_t> *>{
              1, "starts", &starts},
          {2, "ends", &ends},
          {3, "axes", &axes},
          {4, "steps", &steps}}) {
      if (!ctx.hasInput(i))
        continue;
      auto literal = ctx.constant(i, what);
      if (failed(literal))
        return failure();
      for (double v : literal->values)
        out->push_back(toIndex(v));
    }
  }
  if (starts.size() != ends.size())
    return ctx.fail("starts and ends differ in length");
  if (axes.empty())
    for (size_t i = 0; i < starts.size(); ++i)
      axes.push_back(i);
  if (steps.empty())
    steps.assign(starts.size(), 1);
  if (axes.size() != starts.size() || steps.size() != starts.size())
    return ctx.fail("starts, ends, axes and steps differ in length");
  std::vector<int64_t> fullStarts(rank, 0), fullEnds(rank, INT64_MAX),
      fullSteps(rank, 1);
  std::vector<bool> seen(rank, false);
  for (size_t i = 0; i < axes.size(); ++i) {
    auto axis = ctx.normalizeAxis(axes[i], rank);
    if (failed(axis))
      return failure();
    if (seen[*axis])
      return ctx.fail("axis " + llvm::Twine(*axis) + " is repeated");
    seen[*axis] = true;
    if (steps[i] == 0)
      return ctx.fail("steps must not be 0");
    fullStarts[*axis] = starts[i];
    fullEnds[*axis] = ends[i];
    fullSteps[*axis] = steps[i];
  }
  SymShape out;
  for (int64_t i = 0; i < rank; ++i) {
    const Dim d = x->shape[i];
    if (!isStatic(d)) {
      out.push_back(seen[i] ? ctx.freshSymbol() : d);
      continue;
    }
    int64_t s = fullStarts[i], e = fullEnds[i];
    out.push_back(sliceSize(d, s, e, fullSteps[i]));
  }
  // Fold 1-d literal slices (shape arithmetic).
  if (x->literal && rank == 1) {
    int64_t s = fullStarts[0], e = fullEnds[0];
    const int64_t n = sliceSize(x->literal->numElements(), s, e, fullSteps[0]);
    Literal folded;
    folded.dataType = x->literal->dataType;
    bool symbolic = false;
    for (int64_t k = 0, idx = s; k < n; ++k, idx += fullSteps[0]) {
      folded.values.push_back(x->literal->values[idx]);
      folded.symbols.push_back(
          x->literal->symbols.empty() ? 0 : x->literal->symbols[idx]);
      symbolic |= folded.symbols.back() != 0;
    }
    if (!symbolic)
      folded.symbols.clear();
    folded.shape = {n};
    setLiteralOutput(ctx, 0, std::move(folded));
    return success();
  }
  auto xv = ctx.input(0);
  if (failed(xv))
    return failure();
  Value result = qc::SliceOp::create(
      ctx.builder(), ctx.loc(), ctx.tensorType(out, x->elementType), x->value,
      i64Array(ctx, fullStarts), i64Array(ctx, fullEnds),
      i64Array(ctx, fullSteps));
  ctx.setOutput(0, result, out, x->dataType);
  return success();
}

LogicalResult convertTranspose(NodeContext &ctx) {
  auto x = ctx.input(0);
  if (failed(x))
    return failure();
  const int64_t rank = (*x)->shape.size();
  std::vector<int64_t> perm = ctx.attrInts("perm");
  if (perm.empty())
    for (int64_t i = rank - 1; i >= 0; --i)
      perm.push_back(i);
  if (static_cast<int64_t>(perm.size()) != rank)
    return ctx.fail("perm has " + llvm::Twine(perm.size()) +
                    " entries for rank " + llvm::Twine(rank));
  std::vector<bool> seen(rank, false);
  SymShape out;
  for (int64_t p : perm) {
    if (p < 0 || p >= rank || seen[p])
      return ctx.fail("perm is not a permutation");
    seen[p] = true;
    out.push_back((*x)->shape[p]);
  }
  Value result = qc::TransposeOp::create(
      ctx.builder(), ctx.loc(), ctx.tensorType(out, (*x)->elementType),
      (*x)->value, i64Array(ctx, perm));
  ctx.setOutput(0, result, out, (*x)->dataType);
  return success();
}

LogicalResult convertPad(NodeContext &ctx) {
  auto x = ctx.input(0);
  if (failed(x))
    return failure();
  const int64_t rank = (*x)->shape.size();
  const std::string mode = ctx.attrString("mode", "constant");
  qc::PadMode padMode;
  if (mode == "constant")
    padMode = qc::PadMode::Constant;
  else if (mode == "reflect")
    padMode = qc::PadMode::Reflect;
  else if (mode == "edge")
    padMode = qc::PadMode::Edge;
  else
    return ctx.unsupported("mode='" + mode + "'");
  std::vector<int64_t> pads;
  double value = 0;
  std::vector<int64_t> axes;
  if (ctx.version < 11) {
    pads = ctx.attrInts("pads");
    value = ctx.attrFloat("value", 0.0f);
  } else {
    auto p = ctx.constantInts(1, "pads");
    if (failed(p))
      return failure();
    pads = *p;
    if (ctx.hasInput(2)) {
      auto v = ctx.constant(2, "constant_value");
      if (failed(v))
        return failure();
      if (v->numElements() != 1)
        return ctx.fail("constant_value must be a scalar");
      value = v->values[0];
    }
    if (ctx.version >= 18 && ctx.hasInput(3)) {
      auto a = ctx.constantInts(3, "axes");
      if (failed(a))
        return failure();
      axes = *a;
    }
  }
  if (axes.empty())
    for (int64_t i = 0; i < rank; ++i)
      axes.push_back(i);
  if (pads.size() != 2 * axes.size())
    return ctx.fail("pads must have 2 x " + llvm::Twine(axes.size()) +
                    " entries, got " + llvm::Twine(pads.size()));
  std::vector<int64_t> full(2 * rank, 0);
  for (size_t i = 0; i < axes.size(); ++i) {
    auto axis = ctx.normalizeAxis(axes[i], rank);
    if (failed(axis))
      return failure();
    full[*axis] = pads[i];
    full[*axis + rank] = pads[i + axes.size()];
  }
  SymShape out = (*x)->shape;
  for (int64_t i = 0; i < rank; ++i) {
    if (!isStatic(out[i])) {
      if (full[i] || full[i + rank])
        out[i] = ctx.freshSymbol();
      continue;
    }
    auto size = (CheckedInt(out[i]) + full[i] + full[i + rank]).get();
    if (!size)
      return ctx.fail("the padded size of dimension " + llvm::Twine(i) +
                      " overflows int64");
    out[i] = *size;
    if (out[i] < 0)
      return ctx.fail("pads crop dimension " + llvm::Twine(i) +
                      " below zero");
  }
  OpBuilder &b = ctx.builder();
  Value result = qc::PadOp::create(
      b, ctx.loc(), ctx.tensorType(out, (*x)->elementType), (*x)->value,
      i64Array(ctx, full), qc::PadModeAttr::get(b.getContext(), padMode),
      b.getF64FloatAttr(value));
  ctx.setOutput(0, result, out, (*x)->dataType);
  return success();
}

LogicalResult convertConstant(NodeContext &ctx) {
  Literal literal;
  if (const onnx::AttributeProto *a = ctx.attr("value")) {
    if (!a->has_t())
      return ctx.fail("attribute 'value' is not a tensor");
    auto bytes = tensorBytes(a->t(), ctx.importer.baseDir,
                             ctx.importer.options.maxElements);
    if (!bytes)
      return ctx.fail(llvm::toString(bytes.takeError()));
    auto values = bytesToDoubles(a->t().data_type(), *bytes);
    if (!values)
      return ctx.fail(llvm::toString(values.takeError()));
    literal = makeLiteral(a->t().data_type(),
                          {a->t().dims().begin(), a->t().dims().end()},
                          std::move(*values));
  } else if (ctx.hasAttr("value_float")) {
    literal = makeLiteral(TensorProto::FLOAT, {}, {ctx.attrFloat("value_float", 0)});
  } else if (ctx.hasAttr("value_floats")) {
    std::vector<float> f = ctx.attrFloats("value_floats");
    literal = makeLiteral(TensorProto::FLOAT, {static_cast<int64_t>(f.size())},
                          {f.begin(), f.end()});
  } else if (ctx.hasAttr("value_int")) {
    literal = makeLiteral(TensorProto::INT64, {},
                          {static_cast<double>(ctx.attrInt("value_int", 0))});
  } else if (ctx.hasAttr("value_ints")) {
    std::vector<int64_t> v = ctx.attrInts("value_ints");
    literal = makeLiteral(TensorProto::INT64, {static_cast<int64_t>(v.size())},
                          {v.begin(), v.end()});
  } else {
    return ctx.unsupported("a Constant without a numeric value (sparse or "
                           "string constants)");
  }
  if (!elementType(*ctx.context(), literal.dataType))
    return ctx.unsupported("data type " + onnxDataTypeName(literal.dataType));
  setLiteralOutput(ctx, 0, std::move(literal));
  return success();
}

LogicalResult convertIdentity(NodeContext &ctx) {
  ImportedValue *x = ctx.lookup(0);
  if (!x)
    return ctx.fail("missing input");
  if (!x->literal && x->initializer &&
      failed(ctx.importer.decodeLiteral(*x, ctx.node.input(0))))
    return failure();
  ctx.setOutput(0, *x);
  return success();
}

//===----------------------------------------------------------------------===//
// Quantized ops
//===----------------------------------------------------------------------===//

/// Scale and zero point of a (De)QuantizeLinear-style operand pair.
struct QuantParams {
  std::vector<double> scales;
  std::vector<int64_t> zeroPoints;
  int32_t zeroPointType = TensorProto::UINT8;
  Type expressed;
};

FailureOr<QuantParams> readQuantParams(NodeContext &ctx, size_t scaleIndex,
                                       size_t zpIndex) {
  QuantParams params;
  auto scale = ctx.constant(scaleIndex, "the scale");
  if (failed(scale))
    return failure();
  if (scale->shape.size() > 1)
    return ctx.unsupported("a scale of rank > 1 (blocked quantization)");
  params.scales = scale->values;
  params.expressed = elementType(*ctx.context(), scale->dataType);
  if (!isa_and_nonnull<FloatType>(params.expressed))
    return ctx.fail("the scale must be a float tensor");
  if (ctx.hasInput(zpIndex)) {
    auto zp = ctx.constant(zpIndex, "the zero point");
    if (failed(zp))
      return failure();
    if (zp->numElements() != scale->numElements())
      return ctx.fail("the zero point and the scale differ in size");
    params.zeroPointType = zp->dataType;
    for (double v : zp->values)
      params.zeroPoints.push_back(saturatingInt64(v));
  } else {
    params.zeroPoints.assign(params.scales.size(), 0);
  }
  for (double s : params.scales)
    if (!(s > 0) || !std::isfinite(s))
      return ctx.fail("scales must be finite and positive, got " +
                       std::to_string(s));
  return params;
}

/// The !quant.uniform type of `params` (per tensor, or per axis `axis`).
FailureOr<Type> quantType(NodeContext &ctx, const QuantParams &params,
                          int32_t storageDataType, int64_t axis) {
  unsigned width;
  bool isSigned;
  switch (storageDataType) {
  case TensorProto::UINT8:
    width = 8, isSigned = false;
    break;
  case TensorProto::INT8:
    width = 8, isSigned = true;
    break;
  case TensorProto::UINT16:
    width = 16, isSigned = false;
    break;
  case TensorProto::INT16:
    width = 16, isSigned = true;
    break;
  case TensorProto::INT32:
    width = 32, isSigned = true;
    break;
  default:
    return ctx.unsupported("quantized storage type " +
                            onnxDataTypeName(storageDataType));
  }
  const numerics::IntegerRange range =
      numerics::IntegerRange::forBits(width, isSigned);
  for (int64_t zp : params.zeroPoints)
    if (!range.contains(zp))
      return ctx.fail("zero point " + llvm::Twine(zp) + " is out of range");
  Type storage = IntegerType::get(ctx.context(), width);
  auto emitError = [&] { return mlir::emitError(ctx.loc()); };
  const unsigned flags = isSigned ? quant::QuantizationFlags::Signed : 0;
  Type type;
  if (params.scales.size() == 1 && axis < 0)
    type = quant::UniformQuantizedType::getChecked(
        emitError, flags, storage, params.expressed, params.scales[0],
        params.zeroPoints[0], range.min, range.max);
  else
    type = quant::UniformQuantizedPerAxisType::getChecked(
        emitError, flags, storage, params.expressed, params.scales,
        params.zeroPoints, static_cast<int32_t>(std::max<int64_t>(axis, 0)),
        range.min, range.max);
  if (!type)
    return ctx.fail("invalid quantization parameters");
  return type;
}

/// Per-tensor when the scale has one element, else along `axis`.
FailureOr<int64_t> quantAxis(NodeContext &ctx, const QuantParams &params,
                             int64_t rank) {
  if (params.scales.size() == 1)
    return -1;
  return ctx.normalizeAxis(ctx.attrInt("axis", 1), rank);
}

LogicalResult convertQuantizeLinear(NodeContext &ctx) {
  if (ctx.version >= 21 && ctx.attrInt("block_size", 0) != 0)
    return ctx.unsupported("block_size (blocked quantization)");
  auto x = ctx.input(0);
  if (failed(x))
    return failure();
  auto params = readQuantParams(ctx, 1, 2);
  if (failed(params))
    return failure();
  if ((*x)->elementType != params->expressed)
    return ctx.fail("the input and the scale differ in element type");
  auto axis = quantAxis(ctx, *params, (*x)->shape.size());
  if (failed(axis))
    return failure();
  auto qtype = quantType(ctx, *params, params->zeroPointType, *axis);
  if (failed(qtype))
    return failure();
  OpBuilder &b = ctx.builder();
  Value q = qc::QuantizeOp::create(b, ctx.loc(),
                                   ctx.tensorType((*x)->shape, *qtype),
                                   (*x)->value);
  Type storage = elementType(*ctx.context(), params->zeroPointType);
  Value stored = qc::StorageCastOp::create(
      b, ctx.loc(), ctx.tensorType((*x)->shape, storage), q);
  ctx.setOutput(0, stored, (*x)->shape, params->zeroPointType);
  return success();
}

LogicalResult convertDequantizeLinear(NodeContext &ctx) {
  if (ctx.version >= 21 && ctx.attrInt("block_size", 0) != 0)
    return ctx.unsupported("block_size (blocked quantization)");
  auto x = ctx.input(0);
  if (failed(x))
    return failure();
  auto params = readQuantParams(ctx, 1, 2);
  if (failed(params))
    return failure();
  if (ctx.hasInput(2) && params->zeroPointType != (*x)->dataType)
    return ctx.fail("the input and the zero point differ in element type");
  OpBuilder &b = ctx.builder();
  if ((*x)->dataType == TensorProto::INT32) {
    // int32 (bias) dequantization has no zero point.
    params->zeroPoints.assign(params->scales.size(), 0);
  }
  auto axis = quantAxis(ctx, *params, (*x)->shape.size());
  if (failed(axis))
    return failure();
  auto qtype = quantType(ctx, *params, (*x)->dataType, *axis);
  if (failed(qtype))
    return failure();
  Value q = qc::StorageCastOp::create(b, ctx.loc(),
                                      ctx.tensorType((*x)->shape, *qtype),
                                      (*x)->value);
  Value result = qc::DequantizeOp::create(
      b, ctx.loc(), ctx.tensorType((*x)->shape, params->expressed), q);
  ctx.setOutput(0, result, (*x)->shape, TensorProto::FLOAT);
  return success();
}

/// `cast<i32>(x) - zeroPoint`, with the zero point (a constant) shaped to
/// broadcast along `axis` of `x` when it has one value per channel.
FailureOr<Value> centeredInt32(NodeContext &ctx, ImportedValue &x,
                               std::optional<size_t> zpIndex, int64_t axis) {
  OpBuilder &b = ctx.builder();
  Type i32 = b.getI32Type();
  Value wide = qc::CastOp::create(b, ctx.loc(), ctx.tensorType(x.shape, i32),
                                  x.value);
  if (!zpIndex || !ctx.hasInput(*zpIndex))
    return wide;
  auto zp = ctx.constant(*zpIndex, "the zero point");
  if (failed(zp))
    return failure();
  if (zp->dataType != x.dataType)
    return ctx.fail("the zero point's type differs from its operand's");
  std::vector<int64_t> shape;
  if (zp->numElements() != 1) {
    shape.assign(x.shape.size(), 1);
    shape[axis] = zp->numElements();
  }
  Literal zp32 = makeLiteral(TensorProto::INT32, shape, zp->values);
  Value zpValue = ctx.importer.constantFromLiteral(
      zp32, i32, ctx.node.input(*zpIndex) + "_i32");
  return qc::SubOp::create(b, ctx.loc(), ctx.tensorType(x.shape, i32), wide,
                           zpValue)
      .getResult();
}

/// Requantizes an int32 accumulator (scale aScale * bScale[c] along `axis`)
/// to the output parameters at operands (yScale, yZp).
FailureOr<Value> requantizeAccumulator(NodeContext &ctx, Value acc,
                                       const SymShape &shape,
                                       const QuantParams &a,
                                       const QuantParams &bw, size_t yScale,
                                       size_t yZp, int64_t axis) {
  auto y = readQuantParams(ctx, yScale, yZp);
  if (failed(y))
    return failure();
  QuantParams accParams;
  accParams.expressed = y->expressed;
  for (double s : bw.scales)
    accParams.scales.push_back(static_cast<float>(a.scales[0]) *
                               static_cast<float>(s));
  accParams.zeroPoints.assign(accParams.scales.size(), 0);
  auto accType = quantType(ctx, accParams, TensorProto::INT32,
                           accParams.scales.size() == 1 ? -1 : axis);
  if (failed(accType))
    return failure();
  auto outType = quantType(ctx, *y, y->zeroPointType, -1);
  if (failed(outType))
    return failure();
  OpBuilder &b = ctx.builder();
  Value q = qc::StorageCastOp::create(b, ctx.loc(),
                                      ctx.tensorType(shape, *accType), acc);
  Value r = qc::RequantizeOp::create(
      b, ctx.loc(), ctx.tensorType(shape, *outType), q,
      qc::RoundingModeAttr::get(b.getContext(), qc::RoundingMode::HalfToEven));
  return qc::StorageCastOp::create(
             b, ctx.loc(),
             ctx.tensorType(shape, elementType(*ctx.context(), y->zeroPointType)),
             r)
      .getResult();
}

LogicalResult convertMatMulInteger(NodeContext &ctx) {
  auto a = ctx.input(0);
  if (failed(a))
    return failure();
  auto bv = ctx.input(1);
  if (failed(bv))
    return failure();
  auto out = matmulShape(ctx, (*a)->shape, (*bv)->shape);
  if (failed(out))
    return failure();
  // a_zero_point is per row (axis 0 of a 2-d A), b_zero_point per column.
  auto lhs = centeredInt32(ctx, **a, 2, std::max<int64_t>(0, (*a)->shape.size() - 2));
  if (failed(lhs))
    return failure();
  auto rhs = centeredInt32(ctx, **bv, 3, (*bv)->shape.size() - 1);
  if (failed(rhs))
    return failure();
  Value result = qc::MatMulOp::create(
      ctx.builder(), ctx.loc(),
      ctx.tensorType(*out, ctx.builder().getI32Type()), *lhs, *rhs);
  ctx.setOutput(0, result, *out, TensorProto::INT32);
  return success();
}

LogicalResult convertQLinearMatMul(NodeContext &ctx) {
  auto a = ctx.input(0);
  if (failed(a))
    return failure();
  auto bv = ctx.input(3);
  if (failed(bv))
    return failure();
  auto aParams = readQuantParams(ctx, 1, 2);
  auto bParams = readQuantParams(ctx, 4, 5);
  if (failed(aParams) || failed(bParams))
    return failure();
  if (aParams->scales.size() != 1)
    return ctx.unsupported("a per-row scale for A");
  auto out = matmulShape(ctx, (*a)->shape, (*bv)->shape);
  if (failed(out))
    return failure();
  auto lhs = centeredInt32(ctx, **a, 2, 0);
  if (failed(lhs))
    return failure();
  auto rhs = centeredInt32(ctx, **bv, 5, (*bv)->shape.size() - 1);
  if (failed(rhs))
    return failure();
  Value acc = qc::MatMulOp::create(
      ctx.builder(), ctx.loc(),
      ctx.tensorType(*out, ctx.builder().getI32Type()), *lhs, *rhs);
  auto result = requantizeAccumulator(ctx, acc, *out, *aParams, *bParams, 6, 7,
                                      out->size() - 1);
  if (failed(result))
    return failure();
  ctx.setOutput(0, *result, *out, ctx.lookup(7) ? ctx.lookup(7)->dataType
                                                : TensorProto::UINT8);
  return success();
}

/// ConvInteger and QLinearConv share everything up to the accumulator: a
/// conv on zero-point-centred int32 operands.
FailureOr<std::pair<Value, SymShape>>
integerConv(NodeContext &ctx, size_t xIndex, std::optional<size_t> xZp,
            size_t wIndex, std::optional<size_t> wZp, std::optional<size_t> bias) {
  auto x = ctx.input(xIndex);
  if (failed(x))
    return failure();
  auto w = ctx.input(wIndex);
  if (failed(w))
    return failure();
  auto xc = centeredInt32(ctx, **x, xZp, 0);
  if (failed(xc))
    return failure();
  auto wc = centeredInt32(ctx, **w, wZp, 0);
  if (failed(wc))
    return failure();
  Value biasValue;
  if (bias && ctx.hasInput(*bias)) {
    auto v = ctx.value(*bias);
    if (failed(v))
      return failure();
    biasValue = *v;
  }
  return buildConv(ctx, *xc, (*x)->shape, *wc, (*w)->shape, biasValue,
                   ctx.builder().getI32Type());
}

LogicalResult convertConvInteger(NodeContext &ctx) {
  auto conv = integerConv(ctx, 0, 2, 1, 3, std::nullopt);
  if (failed(conv))
    return failure();
  ctx.setOutput(0, conv->first, conv->second, TensorProto::INT32);
  return success();
}

LogicalResult convertQLinearConv(NodeContext &ctx) {
  auto xParams = readQuantParams(ctx, 1, 2);
  auto wParams = readQuantParams(ctx, 4, 5);
  if (failed(xParams) || failed(wParams))
    return failure();
  if (xParams->scales.size() != 1)
    return ctx.unsupported("a per-channel input scale");
  auto conv = integerConv(ctx, 0, 2, 3, 5, 8);
  if (failed(conv))
    return failure();
  auto result = requantizeAccumulator(ctx, conv->first, conv->second, *xParams,
                                      *wParams, 6, 7, 1);
  if (failed(result))
    return failure();
  ctx.setOutput(0, *result, conv->second,
                ctx.lookup(7) ? ctx.lookup(7)->dataType : TensorProto::UINT8);
  return success();
}

} // namespace

const llvm::StringMap<OpSupport> &qcc::onnx_import::getOpSupport() {
  static const llvm::StringMap<OpSupport> table = [] {
    llvm::StringMap<OpSupport> t;
    auto add = [&](llvm::StringRef name, unsigned requiredInputs,
                   NodeConverter convert, std::vector<int64_t> all,
                   std::vector<int64_t> supported) {
      t[name] = OpSupport{std::move(convert), std::move(supported),
                          std::move(all), requiredInputs, {}};
    };
    add("Add", 2, convertBinary<qc::AddOp>, {1, 6, 7, 13, 14}, {7, 13, 14});
    add("Sub", 2, convertBinary<qc::SubOp>, {1, 6, 7, 13, 14}, {7, 13, 14});
    add("Mul", 2, convertBinary<qc::MulOp>, {1, 6, 7, 13, 14}, {7, 13, 14});
    add("Div", 2, convertBinary<qc::DivOp>, {1, 6, 7, 13, 14}, {7, 13, 14});
    add("Pow", 2, convertBinary<qc::PowOp>, {1, 7, 12, 13, 15}, {7, 12, 13, 15});
    add("Relu", 1, convertRelu, {1, 6, 13, 14}, {6, 13, 14});
    add("LeakyRelu", 1, convertLeakyRelu, {1, 6, 16}, {6, 16});
    add("Sigmoid", 1, unary<qc::SigmoidOp>(), {1, 6, 13}, {6, 13});
    add("Tanh", 1, unary<qc::TanhOp>(), {1, 6, 13}, {6, 13});
    add("Sqrt", 1, unary<qc::SqrtOp>(), {1, 6, 13}, {6, 13});
    add("Erf", 1, unary<qc::ErfOp>(), {9, 13}, {9, 13});
    add("HardSigmoid", 1, convertHardSigmoid, {1, 6}, {6});
    add("HardSwish", 1, unary<qc::HardSwishOp>(), {14}, {14});
    add("Gelu", 1, convertGelu, {20}, {20});
    add("Clip", 1, convertClip, {1, 6, 11, 12, 13}, {6, 11, 12, 13});
    add("Conv", 2, convertConv, {1, 11}, {1, 11});
    add("ConvTranspose", 2, convertConvTranspose, {1, 11}, {1, 11});
    add("Gemm", 2, convertGemm, {1, 6, 7, 9, 11, 13}, {7, 9, 11, 13});
    add("MatMul", 2, convertMatMul, {1, 9, 13}, {1, 9, 13});
    add("Softmax", 1, convertSoftmax, {1, 11, 13}, {1, 11, 13});
    add("LayerNormalization", 2, convertLayerNorm, {17}, {17});
    add("BatchNormalization", 5, convertBatchNorm, {1, 6, 7, 9, 14, 15},
        {7, 9, 14, 15});
    add("ReduceMean", 1, convertReduceMean, {1, 11, 13, 18}, {1, 11, 13, 18});
    add("MaxPool", 1, [](NodeContext &c) { return convertPool(c, true); },
        {1, 8, 10, 11, 12}, {1, 8, 10, 11, 12});
    add("AveragePool", 1, [](NodeContext &c) { return convertPool(c, false); },
        {1, 7, 10, 11, 19}, {1, 7, 10, 11, 19});
    add("GlobalAveragePool", 1, convertGlobalAveragePool, {1}, {1});
    add("Flatten", 1, convertFlatten, {1, 9, 11, 13, 21}, {1, 9, 11, 13, 21});
    add("Reshape", 2, convertReshape, {1, 5, 13, 14, 19, 21}, {5, 13, 14, 19, 21});
    add("Transpose", 1, convertTranspose, {1, 13, 21}, {1, 13, 21});
    add("Concat", 1, convertConcat, {1, 4, 11, 13}, {4, 11, 13});
    add("Split", 1, convertSplit, {1, 2, 11, 13, 18}, {2, 11, 13, 18});
    add("Slice", 1, convertSlice, {1, 10, 11, 13}, {1, 10, 11, 13});
    add("Squeeze", 1, convertSqueeze, {1, 11, 13, 21}, {1, 11, 13, 21});
    add("Unsqueeze", 1, convertUnsqueeze, {1, 11, 13, 21}, {1, 11, 13, 21});
    add("Gather", 2, convertGather, {1, 11, 13}, {1, 11, 13});
    add("Shape", 1, convertShape, {1, 13, 15, 19, 21}, {1, 13, 15, 19, 21});
    add("Constant", 0, convertConstant, {1, 9, 11, 12, 13, 19, 21},
        {1, 9, 11, 12, 13, 19, 21});
    add("Identity", 1, convertIdentity, {1, 13, 14, 16, 19, 21},
        {1, 13, 14, 16, 19, 21});
    add("Pad", 1, convertPad, {1, 2, 11, 13, 18, 19, 21}, {2, 11, 13, 18, 19, 21});
    add("QuantizeLinear", 2, convertQuantizeLinear, {10, 13, 19, 21},
        {10, 13, 19, 21});
    add("DequantizeLinear", 2, convertDequantizeLinear, {10, 13, 19, 21},
        {10, 13, 19, 21});
    add("QLinearConv", 8, convertQLinearConv, {10}, {10});
    add("QLinearMatMul", 8, convertQLinearMatMul, {10, 21}, {10, 21});
    add("MatMulInteger", 2, convertMatMulInteger, {10}, {10});
    add("ConvInteger", 2, convertConvInteger, {10}, {10});
    // Inputs that became required in a later version (attributes before).
    t["Slice"].requiredInputsFrom = {{10, 3}};
    t["Pad"].requiredInputsFrom = {{11, 2}};
    t["Unsqueeze"].requiredInputsFrom = {{13, 2}};
    return t;
  }();
  return table;
}
