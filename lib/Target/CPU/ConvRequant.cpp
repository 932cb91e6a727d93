//===- ConvRequant.cpp - Convolution -> rescale -> clamp as one kernel ----===//
//
// The CPU target's conversion pattern for the chain an integer-only model
// repeats for every layer: one call of qcc_ukernel_conv2d_requant (for a
// depthwise convolution qcc_ukernel_depthwise_conv2d_requant, for other
// grouped ones qcc_ukernel_grouped_conv2d_requant), which
// keeps the int32 sums in registers and requantizes them in its output
// stage, instead of a convolution storing int32 tensors and two
// element-wise passes over them. The kernel computes exactly what the three
// ops compute (include/qcc/Target/CPU/Ukernel.h). A constant qc.pad in
// front of the convolution is read by the kernel (qcc_ukernel_padding)
// rather than written out as a padded copy.
//
//===----------------------------------------------------------------------===//

#include "UkernelPatterns.h"

#include "UkernelSupport.h"
#include "qcc/Dialect/QC/IR/QCConstants.h"
#include "qcc/Dialect/QC/IR/QCOps.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/IR/TypeUtilities.h"

#include <cmath>
#include <optional>

using namespace mlir;
using namespace qcc;
using namespace qcc::qc;
using namespace qcc::cpu;

namespace {

/// The chain `qc.conv` (int8, any group, constant weights,
/// static shapes) ->
/// `qc.rescale` (per-tensor or along the channel axis, input zero point 0,
/// int8 result) [-> `qc.clip` with constant bounds], each the single user
/// of the previous op: one call of the convolution micro-kernel with the
/// requantization in its output stage (no int32 tensor is stored).
struct ConvRequantChain {
  ConvOp conv;
  RescaleOp rescale;
  ClipOp clip; // may be null
};

/// A depthwise convolution: one input channel per group, one output
/// channel per input channel (MobileNet's; a channel multiplier > 1 is a
/// grouped convolution, which runs group by group on the GEMM kernel).
bool isDepthwise(ConvOp conv) {
  auto input = cast<RankedTensorType>(conv.getInput().getType());
  auto result = cast<RankedTensorType>(conv.getType());
  const int64_t group = conv.getGroup();
  return group > 1 && group == input.getDimSize(1) &&
         group == result.getDimSize(1);
}

bool isFusableConv(ConvOp conv) {
  auto result = cast<RankedTensorType>(conv.getType());
  auto input = cast<RankedTensorType>(conv.getInput().getType());
  return result.getRank() == 4 && result.hasStaticShape() &&
         input.hasStaticShape() && result.getElementType().isInteger(32) &&
         input.getElementType().isInteger(8) &&
         getElementTypeOrSelf(conv.getWeight().getType()).isInteger(8) &&
         llvm::all_of(conv.getPads(), [](int64_t p) { return p == 0; }) &&
         conv.getWeight().getDefiningOp<arith::ConstantOp>() &&
         (!conv.getBias() ||
          conv.getBias().getDefiningOp<arith::ConstantOp>()) &&
         conv->hasOneUse();
}

bool isFusableRescale(RescaleOp rescale) {
  auto conv = rescale.getInput().getDefiningOp<ConvOp>();
  return conv && isFusableConv(conv) && rescale.getInputZp() == 0 &&
         rescale.getScale32() &&
         rescale.getRoundingMode() == RescaleRounding::SingleRound &&
         !rescale.getInputUnsigned() && !rescale.getOutputUnsigned() &&
         rescale.getType().getElementType().isInteger(8) &&
         (rescale.getMultiplier().size() == 1 || rescale.getAxis() == 1u);
}

bool isFusableClip(ClipOp clip) {
  auto rescale = clip.getInput().getDefiningOp<RescaleOp>();
  return rescale && isFusableRescale(rescale) && rescale->hasOneUse() &&
         (!clip.getMin() || getScalarIntegerConstant(clip.getMin())) &&
         (!clip.getMax() || getScalarIntegerConstant(clip.getMax()));
}

/// Padding the kernels read themselves (qcc_ukernel_padding) instead of a
/// padded copy: a constant qc.pad of rows and columns only (no crop) of a
/// statically shaped int8 tensor, with a value of the int8 range.
struct InputPadding {
  PadOp op;
  int64_t top, left, bottom, right, value;
};

std::optional<InputPadding> readablePadding(Value input) {
  auto pad = input.getDefiningOp<PadOp>();
  if (!pad || pad.getMode() != PadMode::Constant)
    return std::nullopt;
  auto type = dyn_cast<RankedTensorType>(pad.getInput().getType());
  if (!type || type.getRank() != 4 || !type.hasStaticShape() ||
      !type.getElementType().isInteger(8))
    return std::nullopt;
  ArrayRef<int64_t> pads = pad.getPads(); // begins, then ends
  const double value = pad.getValue().convertToDouble();
  if (pads.size() != 8 || pads[0] || pads[1] || pads[4] || pads[5] ||
      llvm::any_of(pads, [](int64_t p) { return p < 0; }) ||
      value != std::floor(value) || value < -128 || value > 127)
    return std::nullopt;
  return InputPadding{pad,     pads[2], pads[3], pads[6],
                      pads[7], static_cast<int64_t>(value)};
}

/// The fused call replacing `root` (the chain's last op).
LogicalResult convertConvRequant(Operation *root, ConvRequantChain chain,
                                 ConversionPatternRewriter &rewriter) {
  ConvOp conv = chain.conv;
  Location loc = conv.getLoc();
  auto result = cast<RankedTensorType>(chain.rescale.getType());
  const int64_t M = result.getDimSize(1);
  // A padded input is read padded by the kernel; the qc.pad, if nothing
  // else uses it, is left dead.
  std::optional<InputPadding> padding =
      readablePadding(conv.getInput());
  Value x = rewriter.getRemappedValue(padding ? padding->op.getInput()
                                              : conv.getInput());
  Value w = rewriter.getRemappedValue(conv.getWeight());
  Value bias =
      conv.getBias() ? rewriter.getRemappedValue(conv.getBias()) : Value();
  if (!x || !w || (conv.getBias() && !bias))
    return failure();
  auto i32 = rewriter.getI32Type(), i8 = rewriter.getI8Type();
  if (!bias)
    bias = arith::ConstantOp::create(
        rewriter, loc,
        DenseElementsAttr::get(RankedTensorType::get({M}, i32),
                               rewriter.getI32IntegerAttr(0)));
  ArrayRef<int32_t> multipliers = chain.rescale.getMultiplier();
  ArrayRef<int8_t> shifts = chain.rescale.getShift();
  const int64_t scales = multipliers.size();
  Value multiplier = arith::ConstantOp::create(
      rewriter, loc,
      DenseElementsAttr::get(RankedTensorType::get({scales}, i32),
                             multipliers));
  Value shift = arith::ConstantOp::create(
      rewriter, loc,
      DenseElementsAttr::get(RankedTensorType::get({scales}, i8), shifts));
  int64_t lo = -128, hi = 127;
  if (chain.clip) {
    if (auto v = getScalarIntegerConstant(chain.clip.getMin()))
      lo = std::max(lo, *v);
    if (auto v = getScalarIntegerConstant(chain.clip.getMax()))
      hi = std::min(hi, *v);
  }

  // Buffers of the operands (read only) and of the result, around a call
  // on memrefs; one-shot bufferization connects them to the tensors.
  auto buffer = [&](Value tensor) {
    return getReadOnlyBuffer(rewriter, loc, tensor);
  };
  SmallVector<Value> args = {buffer(x), buffer(w), buffer(bias)};
  auto outType = MemRefType::get(result.getShape(), i8);
  Value out = memref::AllocOp::create(rewriter, loc, outType,
                                      rewriter.getI64IntegerAttr(64));
  args.push_back(memref::CastOp::create(rewriter, loc,
                                        getAnyStridedMemRefType(4, i8), out));
  args.push_back(buffer(multiplier));
  args.push_back(buffer(shift));
  auto i64Arg = [&](int64_t v) {
    args.push_back(arith::ConstantOp::create(rewriter, loc,
                                             rewriter.getI64IntegerAttr(v)));
  };
  for (int64_t v : conv.getStrides())
    i64Arg(v);
  for (int64_t v : conv.getDilations())
    i64Arg(v);
  i64Arg(chain.rescale.getOutputZp());
  i64Arg(lo);
  i64Arg(hi);
  // Depthwise: a row-by-row kernel of its own (no im2col, nothing packed).
  // Other groups: the GEMM kernel on each group's channels.
  const bool depthwise = isDepthwise(conv);
  const int64_t groups = conv.getGroup();
  if (!depthwise)
    i64Arg(1); // weights are an arith.constant: pack them once
  if (!depthwise && groups > 1)
    i64Arg(groups);
  const InputPadding none{};
  const InputPadding &pad = padding ? *padding : none;
  for (int64_t v : {pad.top, pad.left, pad.bottom, pad.right, pad.value})
    i64Arg(v);

  func::CallOp::create(
      rewriter, loc,
      getOrDeclareKernel(rewriter, root->getParentOfType<ModuleOp>(),
                         depthwise    ? "qcc_ukernel_depthwise_conv2d_requant"
                         : groups > 1 ? "qcc_ukernel_grouped_conv2d_requant"
                                      : "qcc_ukernel_conv2d_requant",
                         ValueRange(args).getTypes()),
      args);
  Value tensor = getKernelResultTensor(rewriter, loc, result, out);
  rewriter.replaceOp(root, tensor);
  if (chain.clip)
    rewriter.eraseOp(chain.rescale);
  rewriter.eraseOp(conv);
  return success();
}

struct ConvertConvRequantClip : OpConversionPattern<ClipOp> {
  ConvertConvRequantClip(const TypeConverter &converter, MLIRContext *ctx)
      : OpConversionPattern(converter, ctx, /*benefit=*/2) {}
  LogicalResult
  matchAndRewrite(ClipOp clip, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    if (!isFusableClip(clip))
      return failure();
    auto rescale = clip.getInput().getDefiningOp<RescaleOp>();
    return convertConvRequant(
        clip, {rescale.getInput().getDefiningOp<ConvOp>(), rescale, clip},
        rewriter);
  }
};

struct ConvertConvRequant : OpConversionPattern<RescaleOp> {
  ConvertConvRequant(const TypeConverter &converter, MLIRContext *ctx)
      : OpConversionPattern(converter, ctx, /*benefit=*/2) {}
  LogicalResult
  matchAndRewrite(RescaleOp rescale, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    if (!isFusableRescale(rescale))
      return failure();
    // A following fusable clip takes the whole chain.
    if (rescale->hasOneUse())
      if (auto clip = dyn_cast<ClipOp>(*rescale->getUsers().begin());
          clip && isFusableClip(clip))
        return failure();
    return convertConvRequant(
        rescale, {rescale.getInput().getDefiningOp<ConvOp>(), rescale, {}},
        rewriter);
  }
};

} // namespace

void qcc::cpu::addConvRequantLegality(ConversionTarget &target) {
  // The convolution (and rescale) of a fused chain are replaced by the
  // pattern rooted at the chain's last op.
  target.addDynamicallyLegalOp<ConvOp>([](ConvOp conv) {
    if (!isFusableConv(conv)) // also: exactly one user
      return false;
    auto rescale = dyn_cast<RescaleOp>(*conv->getUsers().begin());
    return rescale && isFusableRescale(rescale);
  });
  target.addDynamicallyLegalOp<RescaleOp>([](RescaleOp rescale) {
    if (!rescale->hasOneUse())
      return false;
    auto clip = dyn_cast<ClipOp>(*rescale->getUsers().begin());
    return clip && isFusableClip(clip);
  });
}

void qcc::cpu::populateConvRequantPatterns(const TypeConverter &converter,
                                           RewritePatternSet &patterns) {
  patterns.add<ConvertConvRequant, ConvertConvRequantClip>(
      converter, patterns.getContext());
}
