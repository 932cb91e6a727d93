//===- LowerRequantize.cpp - qc.requantize to dyadic qc.rescale -----------===//

#include "qcc/Dialect/QC/IR/QCOps.h"
#include "qcc/Dialect/QC/Transforms/Passes.h"

#include "mlir/Dialect/Quant/IR/Quant.h"
#include "mlir/Dialect/Quant/IR/QuantTypes.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/IR/TypeUtilities.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"
#include "llvm/Support/raw_ostream.h"

namespace qcc::qc {
#define GEN_PASS_DEF_QCLOWERREQUANTIZE
#include "qcc/Dialect/QC/Transforms/Passes.h.inc"
} // namespace qcc::qc

using namespace mlir;
using namespace qcc;
using namespace qcc::qc;

namespace {

/// Scales and zero points of a per-tensor or per-axis integer type.
struct QuantParams {
  SmallVector<double> scales;
  SmallVector<int64_t> zeroPoints;
  std::optional<int32_t> axis;
};

QuantParams getQuantParams(quant::QuantizedType type) {
  if (auto perAxis = dyn_cast<quant::UniformQuantizedPerAxisType>(type))
    return {llvm::to_vector(perAxis.getScales()),
            llvm::to_vector(perAxis.getZeroPoints()),
            perAxis.getQuantizedDimension()};
  auto uniform = cast<quant::UniformQuantizedType>(type);
  return {{uniform.getScale()}, {uniform.getZeroPoint()}, std::nullopt};
}

/// The one zero point shared by all channels, or failure.
FailureOr<int64_t> getCommonZeroPoint(ArrayRef<int64_t> zeroPoints) {
  if (llvm::all_equal(zeroPoints))
    return zeroPoints.front();
  return failure();
}

/// What a requantize becomes: the attributes of its qc.rescale.
struct RescalePlan {
  SmallVector<int32_t> multipliers;
  SmallVector<int8_t> shifts;
  int64_t inputZeroPoint;
  int64_t outputZeroPoint;
  std::optional<int32_t> axis;
};

/// Plans the rescale of `op`, or explains in `why` why there is none.
FailureOr<RescalePlan> planRescale(RequantizeOp op, bool scale32,
                                   std::string &why) {
  llvm::raw_string_ostream os(why);
  if (op.getRounding() != RoundingMode::HalfUp) {
    os << "rounding " << stringifyRoundingMode(op.getRounding())
       << " has no dyadic rescale form; only half_up (TOSA single_round) does";
    return failure();
  }
  auto inType = cast<quant::QuantizedType>(
      getElementTypeOrSelf(op.getInput().getType()));
  auto outType = cast<quant::QuantizedType>(
      getElementTypeOrSelf(op.getOutput().getType()));
  const unsigned inBits = inType.getStorageTypeIntegralWidth();
  if (inBits > (scale32 ? 32u : 48u)) {
    os << "a " << inBits << "-bit input exceeds the rescale limit of "
       << (scale32 ? 32 : 48) << " bits";
    return failure();
  }
  const numerics::IntegerRange fullRange = numerics::IntegerRange::forBits(
      outType.getStorageTypeIntegralWidth(), outType.isSigned());
  if (outType.getStorageTypeMin() != fullRange.min ||
      outType.getStorageTypeMax() != fullRange.max) {
    os << "the result's narrowed storage range [" << outType.getStorageTypeMin()
       << ", " << outType.getStorageTypeMax()
       << "] is not supported (a rescale clamps to the full storage range)";
    return failure();
  }

  QuantParams in = getQuantParams(inType);
  QuantParams out = getQuantParams(outType);
  FailureOr<int64_t> inZeroPoint = getCommonZeroPoint(in.zeroPoints);
  FailureOr<int64_t> outZeroPoint = getCommonZeroPoint(out.zeroPoints);
  if (failed(inZeroPoint) || failed(outZeroPoint)) {
    os << "per-channel zero points that differ between channels are not "
          "supported (a rescale has one zero point per operand)";
    return failure();
  }
  const size_t channels = std::max(in.scales.size(), out.scales.size());
  if (in.scales.size() != 1 && out.scales.size() != 1 &&
      in.scales.size() != out.scales.size()) {
    os << "input and result have " << in.scales.size() << " and "
       << out.scales.size() << " channels";
    return failure();
  }

  RescalePlan plan{{}, {}, *inZeroPoint, *outZeroPoint,
                   in.axis ? in.axis : out.axis};
  for (size_t c = 0; c < channels; ++c) {
    const double inScale = in.scales[in.scales.size() == 1 ? 0 : c];
    const double outScale = out.scales[out.scales.size() == 1 ? 0 : c];
    const double ratio = inScale / outScale;
    numerics::DyadicResult dyadic = numerics::approximateDyadic(ratio, scale32);
    if (!dyadic.scale) {
      os << "channel " << c << ": " << dyadic.error;
      return failure();
    }
    plan.multipliers.push_back(dyadic.scale->multiplier);
    plan.shifts.push_back(static_cast<int8_t>(dyadic.scale->shift));
  }
  return plan;
}

struct LowerRequantizePattern : OpRewritePattern<RequantizeOp> {
  LowerRequantizePattern(MLIRContext *context, bool scale32)
      : OpRewritePattern(context), scale32(scale32) {}

  LogicalResult matchAndRewrite(RequantizeOp op,
                                PatternRewriter &rewriter) const override {
    std::string why;
    FailureOr<RescalePlan> plan = planRescale(op, scale32, why);
    if (failed(plan))
      return rewriter.notifyMatchFailure(op, why);

    const Location loc = op.getLoc();
    auto inTensor = cast<RankedTensorType>(op.getInput().getType());
    auto outTensor = cast<RankedTensorType>(op.getOutput().getType());
    auto inType = cast<quant::QuantizedType>(inTensor.getElementType());
    auto outType = cast<quant::QuantizedType>(outTensor.getElementType());
    auto inStorage = cast<RankedTensorType>(
        quant::QuantizedType::castToStorageType(inTensor));
    auto outStorage = cast<RankedTensorType>(
        quant::QuantizedType::castToStorageType(outTensor));

    Value input =
        quant::StorageCastOp::create(rewriter, loc, inStorage, op.getInput());
    auto rescale = RescaleOp::create(
        rewriter, loc, outStorage, input,
        rewriter.getDenseI32ArrayAttr(plan->multipliers),
        rewriter.getDenseI8ArrayAttr(plan->shifts),
        rewriter.getI64IntegerAttr(plan->inputZeroPoint),
        rewriter.getI64IntegerAttr(plan->outputZeroPoint),
        plan->axis ? rewriter.getI64IntegerAttr(*plan->axis) : IntegerAttr(),
        rewriter.getBoolAttr(scale32),
        RescaleRoundingAttr::get(rewriter.getContext(),
                                 RescaleRounding::SingleRound),
        inType.isSigned() ? UnitAttr() : rewriter.getUnitAttr(),
        outType.isSigned() ? UnitAttr() : rewriter.getUnitAttr());
    rewriter.replaceOpWithNewOp<quant::StorageCastOp>(op, outTensor,
                                                      rescale.getResult());
    return success();
  }

  bool scale32;
};

struct QCLowerRequantizePass
    : qc::impl::QCLowerRequantizeBase<QCLowerRequantizePass> {
  using Base::Base;

  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    patterns.add<LowerRequantizePattern>(&getContext(), scale32);
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      return signalPassFailure();

    // Whatever is left could not be lowered: say why, per op.
    bool failedAny = false;
    getOperation()->walk([&](RequantizeOp op) {
      std::string why;
      (void)planRescale(op, scale32, why);
      op.emitOpError() << "cannot be lowered to a dyadic rescale: " << why;
      failedAny = true;
    });
    if (failedAny)
      signalPassFailure();
  }
};

} // namespace
