//===- ConstantWeights.cpp - Constant weights folded before the conversion ===//
//
// Steps of convert-qc-to-linalg that run before its op-by-op conversion:
// packed constants (qc-pack-weights) that no target kernel reads packed
// are unpacked at compile time, and constant quantized weights feeding
// float code (QDQ convolutions, weight-only products) are dequantized at
// compile time, each value exactly as the numerics library (and so the
// interpreter) computes it.
//
//===----------------------------------------------------------------------===//

#include "qcc/Conversion/QCToLinalg.h"

#include "qcc/Dialect/QC/IR/QCConstants.h"
#include "qcc/Dialect/QC/IR/QCOps.h"
#include "qcc/Numerics/Packing.h"
#include "qcc/Numerics/Quantize.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Quant/IR/QuantTypes.h"
#include "mlir/IR/TypeUtilities.h"

using namespace mlir;
using namespace qcc;
using namespace qcc::qc;

namespace {

/// Codes of a packed constant, in the unpacked tensor's row-major order.
std::vector<uint8_t> unpackConstant(UnpackOp unpack) {
  ArrayRef<int64_t> shape = unpack.getType().getShape();
  const unsigned bits = unpack.getType().getElementTypeBitWidth();
  auto [rows, length] =
      getPackedRowsAndRowLength(shape, unpack.getReductionDims());
  const std::vector<int64_t> packed = *getIntegerConstant(unpack.getPacked());
  const std::vector<uint8_t> bytes(packed.begin(), packed.end());
  const size_t rowBytes = numerics::packedRowBytes(bits, length);
  std::vector<int64_t> order = getPackedOrder(shape, unpack.getReductionDims());
  std::vector<uint8_t> codes(order.size()), row(length);
  for (int64_t r = 0; r < rows; ++r) {
    numerics::unpackRow(bits, bytes.data() + r * rowBytes, length, row.data());
    for (int64_t i = 0; i < length; ++i)
      codes[order[r * length + i]] = row[i];
  }
  return codes;
}

} // namespace

static void unpackConstantWeights(Operation *root) {
  SmallVector<UnpackOp> unpacks;
  root->walk([&](UnpackOp unpack) {
    if (unpack.getPacked().getDefiningOp<arith::ConstantOp>())
      unpacks.push_back(unpack);
  });
  for (UnpackOp unpack : unpacks) {
    RankedTensorType type = unpack.getType();
    const unsigned bits = type.getElementTypeBitWidth();
    SmallVector<APInt> values;
    for (uint8_t code : unpackConstant(unpack))
      values.push_back(APInt(bits, code));
    OpBuilder b(unpack);
    unpack.replaceAllUsesWith(
        arith::ConstantOp::create(b, unpack.getLoc(),
                                  DenseElementsAttr::get(type, values))
            .getResult());
    unpack->erase();
  }
}

namespace {

/// The real values of the constant codes `codes` of quantized element type
/// `type` in a tensor of `shape`, each as the numerics library (and so the
/// interpreter) dequantizes it; nullopt for types without constant scales.
std::optional<std::vector<double>>
dequantizeCodes(Type type, ArrayRef<int64_t> shape,
                const std::vector<int64_t> &codes) {
  if (!getExpressedType(type) || !getExpressedType(type).isF32())
    return std::nullopt;
  auto params = QuantParams::get(type, shape);
  if (!params) {
    llvm::consumeError(params.takeError()); // block-scaled: not here
    return std::nullopt;
  }
  auto minifloat = dyn_cast<ScaledFloatType>(type);
  auto q = dyn_cast<quant::QuantizedType>(type);
  const unsigned bits = q ? q.getStorageTypeIntegralWidth() : 8;
  std::vector<double> values(codes.size());
  for (size_t i = 0; i < codes.size(); ++i) {
    const QuantParams::Element p = params->at(i);
    if (minifloat) {
      values[i] = numerics::dequantizeMinifloat(static_cast<uint8_t>(codes[i]),
                                                static_cast<float>(p.scale),
                                                minifloat.getStorageKind());
      continue;
    }
    // Signless constants sign-extend; unsigned storage reads the bits.
    const int64_t code = q.isSigned() || bits >= 64
                             ? codes[i]
                             : codes[i] & ((int64_t(1) << bits) - 1);
    values[i] = numerics::dequantizeInteger(code, static_cast<float>(p.scale),
                                            p.zeroPoint);
  }
  return values;
}

} // namespace

static void dequantizeConstantWeights(Operation *root) {
  // Block-scaled weights with constant codes and scales.
  // (Constants are decoded once, where they are used.)
  SmallVector<DequantizeBlocksOp> blockOps;
  root->walk([&](DequantizeBlocksOp op) { blockOps.push_back(op); });
  for (DequantizeBlocksOp op : blockOps) {
    auto codes = getIntegerConstant(op.getCodes());
    auto scales = codes ? getIntegerConstant(op.getScales()) : std::nullopt;
    if (!scales)
      continue;
    BlockScaledType type = op.getBlockType();
    ArrayRef<int64_t> shape = op.getType().getShape();
    int64_t inner = 1;
    for (size_t d = type.getAxis() + 1; d < shape.size(); ++d)
      inner *= shape[d];
    const std::vector<float> dequantized = numerics::dequantizeBlocksAlong(
        std::vector<uint8_t>(codes->begin(), codes->end()),
        std::vector<uint8_t>(scales->begin(), scales->end()),
        shape[type.getAxis()], inner, type.getBlockFormat());
    const std::vector<double> values(dequantized.begin(), dequantized.end());
    OpBuilder b(op);
    op.replaceAllUsesWith(createConstant(
        b, op.getLoc(), op.getType(), values,
        derivedConstantName(op.getCodes(), "_dequantized", "weight")));
    op->erase();
  }

  SmallVector<DequantizeOp> dequantizes;
  root->walk([&](DequantizeOp dq) {
    if (auto storageCast = dq.getInput().getDefiningOp<StorageCastOp>();
        storageCast &&
        storageCast.getInput().getDefiningOp<arith::ConstantOp>())
      dequantizes.push_back(dq);
  });
  for (DequantizeOp dq : dequantizes) {
    auto storageCast = dq.getInput().getDefiningOp<StorageCastOp>();
    auto type = cast<RankedTensorType>(dq.getType());
    if (!type.getElementType().isF32() || !type.hasStaticShape())
      continue;
    auto codes = getIntegerConstant(storageCast.getInput());
    if (!codes)
      continue;
    auto values = dequantizeCodes(getElementTypeOrSelf(dq.getInput()),
                                  type.getShape(), *codes);
    if (!values)
      continue;
    OpBuilder b(dq);
    dq.replaceAllUsesWith(createConstant(
        b, dq.getLoc(), type, *values,
        derivedConstantName(storageCast.getInput(), "_dequantized", "weight")));
    dq->erase();
    if (storageCast->use_empty())
      storageCast->erase();
  }
}

void qcc::foldConstantWeights(Operation *root) {
  unpackConstantWeights(root);
  dequantizeConstantWeights(root);
}
