//===- OpsConvPool.cpp - ONNX Conv, ConvTranspose and pooling -------------===//
//
// Conv, ConvTranspose, MaxPool, AveragePool and GlobalAveragePool: window
// attributes (strides, dilations, pads, auto_pad) resolved to explicit
// pads, output sizes checked against overflow.
//
//===----------------------------------------------------------------------===//

#include "Ops.h"

#include "qcc/Support/CheckedInt.h"

using namespace mlir;
using namespace qcc;
using namespace qcc::onnx_import;
using onnx::TensorProto;

namespace qcc::onnx_import {

/// Resolved window geometry of a conv or pool node.
struct WindowAttrs {
  std::vector<int64_t> kernel, strides, pads, dilations;
};

/// Reads strides/dilations/pads/auto_pad for `spatial` axes with the given
/// (dilated-agnostic) kernel sizes, resolving auto_pad into explicit pads
/// with the input's spatial dims. `outputSizes` receives per-axis sizes (or
/// symbols).
static FailureOr<WindowAttrs> readWindow(NodeContext &ctx,
                                         const SymShape &input,
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
static FailureOr<Dim> windowOutput(NodeContext &ctx, Dim in, int64_t kernel,
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
  ImportedValue *x, *w;
  Value bias;
  if (failed(ctx.inputs({&x, &w}, {&bias})))
    return failure();
  auto conv = buildConv(ctx, x->value, x->shape, w->value,
                        w->shape, bias, x->elementType);
  if (failed(conv))
    return failure();
  ctx.setOutput(0, conv->first, conv->second, x->dataType);
  return success();
}

LogicalResult convertConvTranspose(NodeContext &ctx) {
  ImportedValue *x, *w;
  Value bias;
  if (failed(ctx.inputs({&x, &w}, {&bias})))
    return failure();
  const SymShape &xs = x->shape, &ws = w->shape;
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
      ctx.builder(), ctx.loc(), ctx.tensorType(out, x->elementType),
      x->value, w->value, bias, i64Array(ctx, strides),
      i64Array(ctx, pads), i64Array(ctx, dilations),
      i64Array(ctx, outputPadding), ctx.builder().getI64IntegerAttr(group));
  ctx.setOutput(0, result, out, x->dataType);
  return success();
}

LogicalResult convertPool(NodeContext &ctx, bool isMax) {
  if (ctx.hasOutput(1))
    return ctx.unsupported("the Indices output of MaxPool");
  ImportedValue *x;
  if (failed(ctx.inputs({&x})))
    return failure();
  const SymShape &xs = x->shape;
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
  Type type = ctx.tensorType(out, x->elementType);
  Value result;
  if (isMax)
    result = qc::MaxPoolOp::create(
        b, ctx.loc(), type, x->value, i64Array(ctx, kernel),
        i64Array(ctx, window->strides), i64Array(ctx, window->pads),
        i64Array(ctx, window->dilations), b.getBoolAttr(ceilMode));
  else
    result = qc::AvgPoolOp::create(
        b, ctx.loc(), type, x->value, i64Array(ctx, kernel),
        i64Array(ctx, window->strides), i64Array(ctx, window->pads),
        i64Array(ctx, window->dilations), b.getBoolAttr(ceilMode),
        b.getBoolAttr(ctx.attrInt("count_include_pad", 0) != 0));
  ctx.setOutput(0, result, out, x->dataType);
  return success();
}

LogicalResult convertGlobalAveragePool(NodeContext &ctx) {
  ImportedValue *x;
  if (failed(ctx.inputs({&x})))
    return failure();
  SymShape out = x->shape;
  if (out.size() < 3)
    return ctx.fail("expected an input [N, C, D...] of rank >= 3");
  for (size_t i = 2; i < out.size(); ++i)
    out[i] = 1;
  Value result = qc::GlobalAvgPoolOp::create(
      ctx.builder(), ctx.loc(), ctx.tensorType(out, x->elementType),
      x->value);
  ctx.setOutput(0, result, out, x->dataType);
  return success();
}

} // namespace qcc::onnx_import
