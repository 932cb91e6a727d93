//===- OpsNormalization.cpp - ONNX normalisation and reductions -----------===//
//
// Softmax (with the pre-13 2-d coercion), LayerNormalization (and its
// Mean/InvStdDev outputs), BatchNormalization and ReduceMean.
//
//===----------------------------------------------------------------------===//

#include "Ops.h"

#include <numeric>

using namespace mlir;
using namespace qcc;
using namespace qcc::onnx_import;
using onnx::TensorProto;

namespace qcc::onnx_import {

LogicalResult convertSoftmax(NodeContext &ctx) {
  ImportedValue *x;
  if (failed(ctx.inputs({&x})))
    return failure();
  const SymShape &xs = x->shape;
  const int64_t rank = xs.size();
  auto axis = ctx.normalizeAxis(ctx.attrInt("axis", ctx.version < 13 ? 1 : -1),
                                rank);
  if (failed(axis))
    return failure();
  Type element = x->elementType;
  if (ctx.version >= 13 || *axis == rank - 1) {
    Value result = qc::SoftmaxOp::create(
        ctx.builder(), ctx.loc(), ctx.tensorType(xs, element), x->value,
        ctx.builder().getI64IntegerAttr(*axis));
    ctx.setOutput(0, result, xs, x->dataType);
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
  auto flattened = reshapeTo(ctx, x->value, flat, element);
  if (failed(flattened))
    return failure();
  Value soft = qc::SoftmaxOp::create(ctx.builder(), ctx.loc(),
                                     ctx.tensorType(flat, element), *flattened,
                                     ctx.builder().getI64IntegerAttr(1));
  auto result = reshapeTo(ctx, soft, xs, element);
  if (failed(result))
    return failure();
  ctx.setOutput(0, *result, xs, x->dataType);
  return success();
}

/// LayerNormalization's optional Mean and InvStdDev outputs, built from
/// element-wise ops and reductions over [axis, rank).
static LogicalResult emitLayerNormStatistics(NodeContext &ctx, ImportedValue &x,
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
  ImportedValue *x, *scale;
  Value bias;
  if (failed(ctx.inputs({&x, &scale}, {&bias})))
    return failure();
  auto axis = ctx.normalizeAxis(ctx.attrInt("axis", -1), x->shape.size());
  if (failed(axis))
    return failure();
  OpBuilder &b = ctx.builder();
  Value result = qc::LayerNormOp::create(
      b, ctx.loc(), ctx.tensorType(x->shape, x->elementType),
      x->value, scale->value, bias, b.getI64IntegerAttr(*axis),
      b.getF32FloatAttr(ctx.attrFloat("epsilon", 1e-5f)));
  ctx.setOutput(0, result, x->shape, x->dataType);
  if (ctx.hasOutput(1) || ctx.hasOutput(2))
    return emitLayerNormStatistics(ctx, *x, *axis,
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
  ImportedValue *x, *scale, *bias, *mean, *var;
  if (failed(ctx.inputs({&x, &scale, &bias, &mean, &var})))
    return failure();
  if (x->shape.size() < 2)
    return ctx.fail("expected an input [N, C, ...] of rank >= 2");
  OpBuilder &b = ctx.builder();
  Value result = qc::BatchNormOp::create(
      b, ctx.loc(), ctx.tensorType(x->shape, x->elementType), x->value,
      scale->value, bias->value, mean->value, var->value,
      b.getF32FloatAttr(ctx.attrFloat("epsilon", 1e-5f)));
  ctx.setOutput(0, result, x->shape, x->dataType);
  return success();
}

LogicalResult convertReduceMean(NodeContext &ctx) {
  ImportedValue *x;
  if (failed(ctx.inputs({&x})))
    return failure();
  const int64_t rank = x->shape.size();
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
      ctx.setOutput(0, *x);
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
      out.push_back(x->shape[i]);
    else if (keepdims)
      out.push_back(1);
  }
  OpBuilder &b = ctx.builder();
  Value result = qc::ReduceMeanOp::create(
      b, ctx.loc(), ctx.tensorType(out, x->elementType), x->value,
      i64Array(ctx, axes), b.getBoolAttr(keepdims));
  ctx.setOutput(0, result, out, x->dataType);
  return success();
}

} // namespace qcc::onnx_import
