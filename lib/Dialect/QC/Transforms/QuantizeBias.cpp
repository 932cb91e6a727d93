//===- QuantizeBias.cpp - int32 biases for quantized layers ---------------===//

#include "qcc/Dialect/QC/IR/QCConstants.h"
#include "qcc/Dialect/QC/IR/QCOps.h"
#include "qcc/Dialect/QC/Transforms/Passes.h"
#include "qcc/Numerics/Quantize.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Quant/IR/QuantTypes.h"
#include "mlir/IR/Builders.h"

namespace qcc::qc {
#define GEN_PASS_DEF_QCQUANTIZEBIAS
#include "qcc/Dialect/QC/Transforms/Passes.h.inc"
} // namespace qcc::qc

using namespace mlir;
using namespace qcc;
using namespace qcc::qc;

namespace {

/// The quantized type behind a dequantized operand, if any.
quant::QuantizedType quantTypeOf(Value operand) {
  auto dq = operand.getDefiningOp<DequantizeOp>();
  if (!dq)
    return {};
  return dyn_cast<quant::QuantizedType>(dq.getInput().getType().getElementType());
}

/// Per-output-channel weight scales (one entry for per-tensor weights), for
/// weights quantized along `channelAxis`.
std::optional<std::vector<double>> weightScales(quant::QuantizedType type,
                                                int64_t channelAxis) {
  if (auto t = dyn_cast<quant::UniformQuantizedType>(type))
    return std::vector<double>{t.getScale()};
  if (auto t = dyn_cast<quant::UniformQuantizedPerAxisType>(type))
    if (t.getQuantizedDimension() == channelAxis)
      return std::vector<double>(t.getScales().begin(), t.getScales().end());
  return std::nullopt;
}

struct QCQuantizeBiasPass
    : qcc::qc::impl::QCQuantizeBiasBase<QCQuantizeBiasPass> {
  void runOnOperation() override {
    getOperation()->walk([&](Operation *op) {
      int64_t channelAxis;
      if (isa<ConvOp>(op))
        channelAxis = 0;
      else if (auto gemm = dyn_cast<GemmOp>(op)) {
        if (gemm.getBeta().convertToDouble() != 1.0)
          return;
        channelAxis = gemm.getTransB() ? 0 : 1;
      } else {
        return;
      }
      if (op->getNumOperands() < 3)
        return;
      auto input = dyn_cast_or_null<quant::UniformQuantizedType>(
          quantTypeOf(op->getOperand(0)));
      quant::QuantizedType weight = quantTypeOf(op->getOperand(1));
      auto bias = getF32Constant(op->getOperand(2));
      auto biasType = cast<RankedTensorType>(op->getOperand(2).getType());
      if (!input || !weight || !bias || biasType.getRank() != 1)
        return;
      auto scales = weightScales(weight, channelAxis);
      const int64_t channels = biasType.getDimSize(0);
      if (!scales || (scales->size() != 1 &&
                      static_cast<int64_t>(scales->size()) != channels))
        return;
      const numerics::IntegerRange int32 =
          numerics::IntegerRange::forBits(32, true);
      SmallVector<double> biasScales;
      std::vector<double> stored;
      for (int64_t c = 0; c < channels; ++c) {
        const float scale =
            static_cast<float>(input.getScale()) *
            static_cast<float>((*scales)[scales->size() == 1 ? 0 : c]);
        biasScales.push_back(scale);
        stored.push_back(static_cast<double>(
            numerics::quantizeInteger((*bias)[c], scale, 0, int32)));
      }
      MLIRContext *ctx = &getContext();
      Type i32 = IntegerType::get(ctx, 32);
      auto f32 = Float32Type::get(ctx);
      Type quantized = quant::UniformQuantizedPerAxisType::get(
          quant::QuantizationFlags::Signed, i32, f32, biasScales,
          SmallVector<int64_t>(channels, 0), 0, int32.min, int32.max);
      OpBuilder b(op);
      Location loc = op->getOperand(2).getLoc();
      std::string name = "bias";
      if (auto named = dyn_cast<NameLoc>(op->getLoc()))
        name = named.getName().str() + "_bias";
      Value values = createConstant(
          b, loc, RankedTensorType::get({channels}, i32), stored, name + "_q");
      Value cast = StorageCastOp::create(
          b, loc, RankedTensorType::get({channels}, quantized), values);
      Value oldBias = op->getOperand(2);
      op->setOperand(2, DequantizeOp::create(b, loc, biasType, cast));
      if (oldBias.use_empty())
        oldBias.getDefiningOp()->erase();
    });
  }
};

} // namespace
