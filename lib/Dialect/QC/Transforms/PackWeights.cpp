//===- PackWeights.cpp - Low-bit weight constants as packed bytes ---------===//

#include "qcc/Dialect/QC/IR/QCConstants.h"
#include "qcc/Dialect/QC/IR/QCOps.h"
#include "qcc/Dialect/QC/Transforms/Passes.h"
#include "qcc/Numerics/Packing.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/TypeUtilities.h"
#include "mlir/Interfaces/FunctionInterfaces.h"
#include "llvm/ADT/MapVector.h"

namespace qcc::qc {
#define GEN_PASS_DEF_QCPACKWEIGHTS
#include "qcc/Dialect/QC/Transforms/Passes.h.inc"
} // namespace qcc::qc

using namespace mlir;
using namespace qcc;
using namespace qcc::qc;

namespace {

/// The integer constant behind a layer's weight operand: the operand
/// itself, the input of the storage cast a dequantize reads, or the codes
/// of block-scaled weights.
arith::ConstantOp weightConstant(Value weight) {
  if (auto blocks = weight.getDefiningOp<DequantizeBlocksOp>())
    weight = blocks.getCodes();
  if (auto dq = weight.getDefiningOp<DequantizeOp>())
    weight = dq.getInput();
  if (auto cast = weight.getDefiningOp<StorageCastOp>())
    weight = cast.getInput();
  auto constant = weight.getDefiningOp<arith::ConstantOp>();
  if (!constant ||
      !isa<IntegerType>(mlir::getElementTypeOrSelf(constant.getType())))
    return {};
  return constant;
}

/// The dimensions a layer sums its weight over: all but the output
/// channel's (2-d weights only for matmul, whose other dimensions batch).
std::optional<SmallVector<int64_t>>
reductionDims(WeightedLayerOpInterface layer) {
  auto type = cast<RankedTensorType>(layer.getWeightOperand().getType());
  if (isa<MatMulOp>(layer) && type.getRank() != 2)
    return std::nullopt;
  const int64_t channel = layer.getWeightChannelAxis();
  SmallVector<int64_t> dims;
  for (int64_t d = 0; d < type.getRank(); ++d)
    if (d != channel)
      dims.push_back(d);
  return dims;
}

struct QCPackWeightsPass : qcc::qc::impl::QCPackWeightsBase<QCPackWeightsPass> {
  using Base::Base;

  void runOnOperation() override {
    if (maxBits < 1 || maxBits > 8) {
      getOperation()->emitError()
          << "qc-pack-weights: max-bits must be 1 to 8, got "
          << static_cast<int64_t>(maxBits);
      return signalPassFailure();
    }
    // Each constant with the reduction dimensions its layers agree on.
    llvm::MapVector<arith::ConstantOp, std::optional<SmallVector<int64_t>>>
        constants;
    getOperation()->walk([&](WeightedLayerOpInterface layer) {
      arith::ConstantOp constant = weightConstant(layer.getWeightOperand());
      if (!constant)
        return;
      auto dims = reductionDims(layer);
      auto [it, inserted] = constants.try_emplace(constant, dims);
      if (!inserted && it->second != dims)
        it->second = std::nullopt; // read along different dimensions
    });
    // Totals per function, reported on it.
    struct Totals {
      int64_t packed = 0, asBytes = 0, count = 0;
    };
    llvm::MapVector<Operation *, Totals> totals;
    for (auto &[constant, dims] : constants) {
      auto type = cast<RankedTensorType>(constant.getType());
      const unsigned bits = type.getElementTypeBitWidth();
      if (!dims || bits > maxBits || !type.hasStaticShape())
        continue;
      auto values = getIntegerConstant(constant.getResult());
      if (!values)
        continue;
      std::vector<int64_t> order = getPackedOrder(type.getShape(), *dims);
      std::vector<uint8_t> codes(order.size());
      for (size_t i = 0; i < order.size(); ++i)
        codes[i] = numerics::signedCode((*values)[order[i]], bits);
      auto [rows, length] = getPackedRowsAndRowLength(type.getShape(), *dims);
      numerics::PackedMatrix packed =
          numerics::packMatrix(bits, codes, rows, length);
      SmallVector<int8_t> bytes(packed.bytes.begin(), packed.bytes.end());
      OpBuilder b(constant);
      auto bytesType = RankedTensorType::get(
          {static_cast<int64_t>(bytes.size())}, b.getI8Type());
      auto packedConstant = arith::ConstantOp::create(
          b, constant.getLoc(),
          DenseElementsAttr::get(bytesType, ArrayRef<int8_t>(bytes)));
      auto unpack = UnpackOp::create(b, constant.getLoc(), type,
                                     packedConstant.getResult(),
                                     b.getDenseI64ArrayAttr(*dims));
      constant.getResult().replaceAllUsesWith(unpack.getResult());
      const int64_t asBytes = type.getNumElements();
      mlir::emitRemark(constant.getLoc())
          << "packed " << bits << "-bit weights " << type << ": "
          << bytes.size() << " bytes (" << asBytes
          << " as one byte per weight)";
      Totals &t = totals[constant->getParentOfType<FunctionOpInterface>()];
      t.packed += bytes.size();
      t.asBytes += asBytes;
      ++t.count;
      constant.erase();
    }
    for (auto &[function, t] : totals)
      if (function)
        mlir::emitRemark(function->getLoc())
            << "packed " << t.count << " weight tensors: " << t.packed
            << " bytes (" << t.asBytes << " as one byte per weight)";
  }
};

} // namespace
