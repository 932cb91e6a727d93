//===- OpsQuantized.cpp - ONNX quantized ops ------------------------------===//
//
// QuantizeLinear/DequantizeLinear (qc.quantize/qc.dequantize with
// !quant.uniform types) and QLinearConv/QLinearMatMul/ConvInteger/
// MatMulInteger (integer conv/matmul on zero-point-centred int32, then a
// qc.requantize).
//
//===----------------------------------------------------------------------===//

#include "Ops.h"

#include "mlir/Dialect/Quant/IR/QuantTypes.h"

#include <cmath>

using namespace mlir;
using namespace qcc;
using namespace qcc::onnx_import;
using onnx::TensorProto;

namespace qcc::onnx_import {

/// Scale and zero point of a (De)QuantizeLinear-style operand pair.
struct QuantParams {
  std::vector<double> scales;
  std::vector<int64_t> zeroPoints;
  int32_t zeroPointType = TensorProto::UINT8;
  Type expressed;
};

static FailureOr<QuantParams>
readQuantParams(NodeContext &ctx, size_t scaleIndex, size_t zpIndex) {
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
static FailureOr<Type> quantType(NodeContext &ctx, const QuantParams &params,
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
static FailureOr<int64_t> quantAxis(NodeContext &ctx, const QuantParams &params,
                             int64_t rank) {
  if (params.scales.size() == 1)
    return -1;
  return ctx.normalizeAxis(ctx.attrInt("axis", 1), rank);
}

LogicalResult convertQuantizeLinear(NodeContext &ctx) {
  if (ctx.version >= 21 && ctx.attrInt("block_size", 0) != 0)
    return ctx.unsupported("block_size (blocked quantization)");
  ImportedValue *x;
  if (failed(ctx.inputs({&x})))
    return failure();
  auto params = readQuantParams(ctx, 1, 2);
  if (failed(params))
    return failure();
  if (x->elementType != params->expressed)
    return ctx.fail("the input and the scale differ in element type");
  auto axis = quantAxis(ctx, *params, x->shape.size());
  if (failed(axis))
    return failure();
  auto qtype = quantType(ctx, *params, params->zeroPointType, *axis);
  if (failed(qtype))
    return failure();
  OpBuilder &b = ctx.builder();
  Value q = qc::QuantizeOp::create(b, ctx.loc(),
                                   ctx.tensorType(x->shape, *qtype),
                                   x->value);
  Type storage = elementType(*ctx.context(), params->zeroPointType);
  Value stored = qc::StorageCastOp::create(
      b, ctx.loc(), ctx.tensorType(x->shape, storage), q);
  ctx.setOutput(0, stored, x->shape, params->zeroPointType);
  return success();
}

LogicalResult convertDequantizeLinear(NodeContext &ctx) {
  if (ctx.version >= 21 && ctx.attrInt("block_size", 0) != 0)
    return ctx.unsupported("block_size (blocked quantization)");
  ImportedValue *x;
  if (failed(ctx.inputs({&x})))
    return failure();
  auto params = readQuantParams(ctx, 1, 2);
  if (failed(params))
    return failure();
  if (ctx.hasInput(2) && params->zeroPointType != x->dataType)
    return ctx.fail("the input and the zero point differ in element type");
  OpBuilder &b = ctx.builder();
  if (x->dataType == TensorProto::INT32) {
    // int32 (bias) dequantization has no zero point.
    params->zeroPoints.assign(params->scales.size(), 0);
  }
  auto axis = quantAxis(ctx, *params, x->shape.size());
  if (failed(axis))
    return failure();
  auto qtype = quantType(ctx, *params, x->dataType, *axis);
  if (failed(qtype))
    return failure();
  Value q = qc::StorageCastOp::create(b, ctx.loc(),
                                      ctx.tensorType(x->shape, *qtype),
                                      x->value);
  Value result = qc::DequantizeOp::create(
      b, ctx.loc(), ctx.tensorType(x->shape, params->expressed), q);
  ctx.setOutput(0, result, x->shape, TensorProto::FLOAT);
  return success();
}

/// `cast<i32>(x) - zeroPoint`, with the zero point (a constant) shaped to
/// broadcast along `axis` of `x` when it has one value per channel.
static FailureOr<Value> centeredInt32(NodeContext &ctx, ImportedValue &x,
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
static FailureOr<Value> requantizeAccumulator(NodeContext &ctx, Value acc,
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
             ctx.tensorType(shape,
                            elementType(*ctx.context(), y->zeroPointType)),
             r)
      .getResult();
}

LogicalResult convertMatMulInteger(NodeContext &ctx) {
  ImportedValue *a, *bv;
  if (failed(ctx.inputs({&a, &bv})))
    return failure();
  auto out = matmulShape(ctx, a->shape, bv->shape);
  if (failed(out))
    return failure();
  // a_zero_point is per row (axis 0 of a 2-d A), b_zero_point per column.
  auto lhs =
      centeredInt32(ctx, *a, 2, std::max<int64_t>(0, a->shape.size() - 2));
  if (failed(lhs))
    return failure();
  auto rhs = centeredInt32(ctx, *bv, 3, bv->shape.size() - 1);
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
static FailureOr<std::pair<Value, SymShape>>
integerConv(NodeContext &ctx, size_t xIndex, std::optional<size_t> xZp,
            size_t wIndex, std::optional<size_t> wZp,
            std::optional<size_t> bias) {
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

} // namespace qcc::onnx_import
