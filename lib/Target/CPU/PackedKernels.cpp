//===- PackedKernels.cpp - Matrix products on packed weights --------------===//
//
// Runs inside qcc-cpu-convert-qc-to-linalg, before the op-by-op conversion.
// Matrix products whose weight qc-pack-weights stored as packed bytes become
// calls of the packed-weight kernels, which unpack in registers
// (docs/packing.md):
//
//   integer:  qc.matmul / qc.gemm (i8 X, qc.unpack -> i4 or i8) -> i32
//             calls qcc_ukernel_matmul_s8_packed (W4A8, W8A8; exact)
//   float:    qc.matmul / qc.gemm (f32 X, qc.dequantize (qc.storage_cast
//             (qc.unpack))) -> f32 calls qcc_ukernel_matmul_f32_packed
//             (weight-only: int8/int4 per channel or per group, FP8/FP6/FP4)
//   float conv: qc.conv (f32, constant f32 weight) calls
//             qcc_ukernel_conv2d_f32 (group 1: an implicit GEMM reading
//             the input padded) or qcc_ukernel_depthwise_conv2d_f32
//
// The packed constants left are unpacked at compile time by the
// conversion's foldConstantWeights.
//
//===----------------------------------------------------------------------===//

#include "UkernelPatterns.h"

#include "UkernelSupport.h"
#include "qcc/Dialect/QC/IR/QCConstants.h"
#include "qcc/Dialect/QC/IR/QCOps.h"
#include "qcc/Numerics/Packing.h"
#include "qcc/Numerics/Quantize.h"
#include "qcc/Target/CPU/Ukernel.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/Quant/IR/QuantTypes.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"

#include <cstring>
#include <limits>

using namespace mlir;
using namespace qcc;
using namespace qcc::qc;
using namespace qcc::cpu;

namespace {

RankedTensorType tensorType(Value v) {
  return cast<RankedTensorType>(v.getType());
}

/// A matrix product Y = X W (+ bias) whose weight is a packed constant.
struct PackedProduct {
  Operation *op = nullptr;
  Value x;
  UnpackOp unpack; // null for a plain f32 weight
  Value bias;      // 1-d [N], or null
  int64_t n = 0, k = 0, kDim = 0;
  SmallVector<int64_t> reduction; // the weight's packed reduction dims
  /// A float model's constant f32 weight (read as rows of floats).
  std::optional<std::vector<float>> floatWeight;
  /// Block-scaled weights: the op whose codes are unpacked.
  DequantizeBlocksOp blocks;
  /// Float products: the quantized weight's type, and the ops between the
  /// codes and the product.
  Type quantized;
  SmallVector<Operation *> chain; // dequantize, storage_cast
};

std::optional<PackedProduct> matchWeight(PackedProduct p, Value weight,
                                         bool integer);

/// The packed weight of `op` (matmul or gemm, 2-d, reduced along the
/// packed rows; or a float 2-d convolution) and its other operands, when
/// the packed kernels can compute it.
std::optional<PackedProduct> matchPackedProduct(Operation *op) {
  PackedProduct p;
  p.op = op;
  Value weight;
  int64_t kDim = 0;
  if (auto conv = dyn_cast<ConvOp>(op)) {
    // 2-d convolutions: im2col rows times the weight's rows [M][C*KH*KW]
    // (reduced over dimensions 1, 2, 3). Float, or integer on packed int4
    // weights (int8 weights keep the fused int8 convolution kernel).
    auto type = cast<RankedTensorType>(conv.getType());
    const bool integer =
        type.getElementType().isInteger(32) &&
        conv.getInput().getType().getElementType().isInteger(8) &&
        getElementTypeOrSelf(conv.getWeight().getType()).isInteger(4) &&
        llvm::all_of(conv.getPads(), [](int64_t v) { return v == 0; });
    if ((!integer && !type.getElementType().isF32()) || type.getRank() != 4 ||
        !type.hasStaticShape() || conv.getGroup() != 1 ||
        !conv.getInput().getType().hasStaticShape() ||
        !conv.getWeight().getType().hasStaticShape())
      return std::nullopt;
    auto wType = conv.getWeight().getType();
    p.x = conv.getInput();
    p.bias = conv.getBias();
    p.n = wType.getDimSize(0);
    p.k = wType.getDimSize(1) * wType.getDimSize(2) * wType.getDimSize(3);
    p.kDim = 1; // rows n * K + k
    p.reduction = {1, 2, 3};
    return matchWeight(p, conv.getWeight(), integer);
  }
  if (auto matmul = dyn_cast<MatMulOp>(op)) {
    p.x = matmul.getLhs();
    weight = matmul.getRhs();
  } else if (auto gemm = dyn_cast<GemmOp>(op)) {
    if (gemm.getTransA() || gemm.getAlpha().convertToFloat() != 1.0f ||
        (gemm.getC() && gemm.getBeta().convertToFloat() != 1.0f))
      return std::nullopt;
    p.x = gemm.getA();
    weight = gemm.getB();
    p.bias = gemm.getC();
    kDim = gemm.getTransB() ? 1 : 0;
  } else {
    return std::nullopt;
  }
  auto xType = cast<RankedTensorType>(p.x.getType());
  auto wType = cast<RankedTensorType>(weight.getType());
  auto result = cast<RankedTensorType>(op->getResult(0).getType());
  // Matmul applies its 2-d weight to every row of an N-d input.
  if (xType.getRank() < 2 || (isa<GemmOp>(op) && xType.getRank() != 2) ||
      wType.getRank() != 2 || !wType.hasStaticShape() ||
      llvm::any_of(xType.getShape().drop_front(),
                   [](int64_t d) { return ShapedType::isDynamic(d); }))
    return std::nullopt;
  p.k = wType.getDimSize(kDim);
  p.n = wType.getDimSize(1 - kDim);
  if (p.bias && cast<RankedTensorType>(p.bias.getType()) !=
                    RankedTensorType::get({p.n}, result.getElementType()))
    return std::nullopt;

  const bool integer = result.getElementType().isInteger(32) &&
                       xType.getElementType().isInteger(8);
  if (!integer &&
      (!result.getElementType().isF32() || !xType.getElementType().isF32()))
    return std::nullopt;
  p.kDim = kDim;
  p.reduction = {kDim};
  return matchWeight(p, weight, integer);
}

/// The weight side of matchPackedProduct: a plain f32 constant (float
/// products), block-scaled codes, or packed codes behind a storage cast and
/// dequantize (float) or directly (integer), reduced along p.reduction.
std::optional<PackedProduct> matchWeight(PackedProduct p, Value weight,
                                         bool integer) {
  const int64_t kDim = p.kDim;
  const bool conv = isa<ConvOp>(p.op);
  Value codes = weight;
  if (!integer) {
    if (weight.getDefiningOp<arith::ConstantOp>()) {
      p.floatWeight = getF32Constant(weight);
      if (p.floatWeight)
        return p;
    }
    // (A convolution's blocks along C are not contiguous in its rows.)
    if (auto blocks = weight.getDefiningOp<DequantizeBlocksOp>()) {
      if (conv || !blocks->hasOneUse() ||
          blocks.getBlockType().getAxis() != kDim ||
          !blocks.getScales().getDefiningOp<arith::ConstantOp>())
        return std::nullopt;
      p.blocks = blocks;
      p.chain = {blocks};
      p.unpack = blocks.getCodes().getDefiningOp<UnpackOp>();
      if (!p.unpack || !p.unpack->hasOneUse() ||
          !p.unpack.getPacked().getDefiningOp<arith::ConstantOp>() ||
          p.unpack.getReductionDims() != ArrayRef<int64_t>(p.reduction))
        return std::nullopt;
      return p;
    }
    auto dequantize = weight.getDefiningOp<DequantizeOp>();
    auto storageCast =
        dequantize ? dequantize.getInput().getDefiningOp<StorageCastOp>()
                   : StorageCastOp();
    if (!storageCast || !dequantize->hasOneUse() || !storageCast->hasOneUse())
      return std::nullopt;
    p.quantized = getElementTypeOrSelf(storageCast.getType());
    p.chain = {dequantize, storageCast};
    codes = storageCast.getInput();
  }
  p.unpack = codes.getDefiningOp<UnpackOp>();
  if (!p.unpack || !p.unpack->hasOneUse() ||
      !p.unpack.getPacked().getDefiningOp<arith::ConstantOp>() ||
      p.unpack.getReductionDims() != ArrayRef<int64_t>(p.reduction))
    return std::nullopt;
  if (integer) {
    // The kernel has rows of int4 and int8; other widths are re-encoded
    // into those at compile time (kernelRows). Convolutions take int4 only.
    const unsigned bits = p.unpack.getType().getElementTypeBitWidth();
    if (bits < 2 || bits > 8 || (conv && bits != 4) ||
        !getElementTypeOrSelf(p.unpack.getType()).isSignlessInteger())
      return std::nullopt;
  }
  return p;
}

/// An integer product's packed weight as rows the kernel reads, and their
/// width: int4 and int8 rows as they are; 2 and 3 bits widened to int4 rows
/// (half the bytes of int8 ones), 5 to 7 bits to int8 rows (one byte a
/// weight, as the int8 path keeps them: the AVX2 tier runs 7-bit rows with
/// vpmaddubsw). The same values, so the same sums.
std::pair<Value, int> kernelRows(OpBuilder &b, Location loc, PackedProduct &p) {
  const unsigned bits = p.unpack.getType().getElementTypeBitWidth();
  if (bits == 4 || bits == 8)
    return {p.unpack.getPacked(), static_cast<int>(bits)};
  const unsigned width = bits < 4 ? 4 : 8;
  numerics::PackedMatrix packed{bits, p.n, p.k, {}};
  const std::vector<int64_t> bytesOfPacked =
      *getIntegerConstant(p.unpack.getPacked());
  for (int64_t byte : bytesOfPacked)
    packed.bytes.push_back(static_cast<uint8_t>(byte));
  std::vector<uint8_t> codes = numerics::unpackMatrix(packed);
  for (uint8_t &code : codes)
    code = numerics::signedCode(numerics::signedValue(code, bits), width);
  std::vector<double> bytes;
  for (uint8_t byte : numerics::packMatrix(width, codes, p.n, p.k).bytes)
    bytes.push_back(static_cast<int8_t>(byte));
  Value rows = createConstant(
      b, loc,
      RankedTensorType::get({static_cast<int64_t>(bytes.size())},
                            b.getI8Type()),
      bytes,
      derivedConstantName(p.op->getOperand(1),
                          width == 4 ? "_int4_rows" : "_int8_rows", "weight"));
  return {rows, static_cast<int>(width)};
}

/// The f32 kernel's description of a weight of quantized type `type`:
/// format, group size, scales and zero points as [N][groups], or nullopt
/// for a type the kernel does not read.
struct FloatWeightFormat {
  int format;
  int64_t groupSize;
  std::vector<float> scales;
  std::vector<int8_t> zeroPoints; // empty: all zero
};

std::optional<int> minifloatFormat(numerics::MinifloatKind kind) {
  switch (kind) {
  case numerics::MinifloatKind::F8E4M3FN:
    return QCC_PACKED_FP8E4M3;
  case numerics::MinifloatKind::F8E5M2:
    return QCC_PACKED_FP8E5M2;
  case numerics::MinifloatKind::F6E3M2FN:
    return QCC_PACKED_FP6E3M2;
  case numerics::MinifloatKind::F6E2M3FN:
    return QCC_PACKED_FP6E2M3;
  case numerics::MinifloatKind::F4E2M1FN:
    return QCC_PACKED_FP4E2M1;
  default:
    return std::nullopt;
  }
}

std::optional<int> integerFormat(quant::QuantizedType q) {
  const unsigned bits = q.getStorageTypeIntegralWidth();
  if (bits == 8)
    return q.isSigned() ? QCC_PACKED_INT8 : QCC_PACKED_UINT8;
  if (bits == 4)
    return q.isSigned() ? QCC_PACKED_INT4 : QCC_PACKED_UINT4;
  return std::nullopt;
}

std::optional<FloatWeightFormat> floatWeightFormat(PackedProduct &p) {
  const int64_t n = p.n, k = p.k;
  // The weight's dimension of the output channel (the other is K's).
  const int64_t nDim = 1 - p.unpack.getReductionDims()[0];
  FloatWeightFormat f{0, k, {}, {}};
  auto perChannel = [&](ArrayRef<double> scales, ArrayRef<int64_t> zps) {
    for (int64_t c = 0; c < n; ++c) {
      f.scales.push_back(
          static_cast<float>(scales.size() == 1 ? scales[0] : scales[c]));
      if (!zps.empty())
        f.zeroPoints.push_back(
            static_cast<int8_t>(zps.size() == 1 ? zps[0] : zps[c]));
    }
  };
  auto fitsInt8 = [](ArrayRef<int64_t> zps) {
    return llvm::all_of(zps, [](int64_t z) { return z >= -128 && z <= 127; });
  };
  if (auto t = dyn_cast<ScaledFloatType>(p.quantized)) {
    if (!t.getExpressedType().isF32() || (t.isPerAxis() && t.getAxis() != nDim))
      return std::nullopt;
    std::optional<int> format = minifloatFormat(t.getStorageKind());
    if (!format)
      return std::nullopt;
    f.format = *format;
    perChannel(t.getScales().asArrayRef(), {});
    return f;
  }
  auto q = dyn_cast<quant::QuantizedType>(p.quantized);
  if (!q || !q.getExpressedType().isF32())
    return std::nullopt;
  std::optional<int> format = integerFormat(q);
  if (!format)
    return std::nullopt;
  f.format = *format;
  if (auto t = dyn_cast<quant::UniformQuantizedType>(q)) {
    if (!fitsInt8(t.getZeroPoint()))
      return std::nullopt;
    perChannel(t.getScale(), t.getZeroPoint());
    return f;
  }
  if (auto t = dyn_cast<quant::UniformQuantizedPerAxisType>(q)) {
    if (t.getQuantizedDimension() != nDim || !fitsInt8(t.getZeroPoints()))
      return std::nullopt;
    perChannel(t.getScales(), t.getZeroPoints());
    return f;
  }
  if (auto t = dyn_cast<quant::UniformQuantizedSubChannelType>(q)) {
    // Scales and zero points of shape [K / G, N] or [N, K / G].
    ArrayRef<int64_t> shape = t.getScales().getType().getShape();
    if (shape.size() != 2 || shape[nDim] != n || shape[1 - nDim] == 0 ||
        k % shape[1 - nDim] != 0)
      return std::nullopt;
    const int64_t groups = shape[1 - nDim];
    f.groupSize = k / groups;
    std::vector<double> scales;
    for (const APFloat &v : t.getScales().getValues<APFloat>())
      scales.push_back(v.convertToDouble());
    std::vector<int64_t> zps;
    for (const APInt &v : t.getZeroPoints().getValues<APInt>())
      zps.push_back(v.getSExtValue());
    if (!fitsInt8(zps))
      return std::nullopt;
    for (int64_t c = 0; c < n; ++c)
      for (int64_t g = 0; g < groups; ++g) {
        const int64_t i = nDim == 0 ? c * groups + g : g * n + c;
        f.scales.push_back(static_cast<float>(scales[i]));
        f.zeroPoints.push_back(static_cast<int8_t>(zps[i]));
      }
    return f;
  }
  return std::nullopt;
}

/// A 1-d constant of `values`; a 0-element one stands for "none".
template <typename T>
Value vectorConstant(OpBuilder &b, Location loc, Type element,
                     ArrayRef<T> values) {
  auto type =
      RankedTensorType::get({static_cast<int64_t>(values.size())}, element);
  return arith::ConstantOp::create(b, loc,
                                   DenseElementsAttr::get(type, values));
}

Value emptyVector(OpBuilder &b, Location loc, Type element) {
  return vectorConstant(b, loc, element, ArrayRef<Attribute>());
}

/// The im2col matrix of a convolution's input: row (n, oh, ow) holds the
/// zero-padded input patch (c, kh, kw) the output position reads, in the
/// order of the weight's rows.
/// The convolution's input with its padding applied (zeros).
Value paddedInput(OpBuilder &b, Location loc, ConvOp conv) {
  Value x = conv.getInput();
  auto xType = tensorType(x);
  Type element = xType.getElementType();
  ArrayRef<int64_t> pads = conv.getPads();
  if (llvm::any_of(pads, [](int64_t v) { return v != 0; })) {
    SmallVector<OpFoldResult> low = {b.getIndexAttr(0), b.getIndexAttr(0),
                                     b.getIndexAttr(pads[0]),
                                     b.getIndexAttr(pads[1])},
                              high = {b.getIndexAttr(0), b.getIndexAttr(0),
                                      b.getIndexAttr(pads[2]),
                                      b.getIndexAttr(pads[3])};
    SmallVector<int64_t> shape(xType.getShape());
    shape[2] += pads[0] + pads[2];
    shape[3] += pads[1] + pads[3];
    x = tensor::PadOp::create(
        b, loc, RankedTensorType::get(shape, element), x, low, high,
        Value(arith::ConstantOp::create(b, loc, b.getZeroAttr(element))));
  }
  return x;
}

Value im2colRows(OpBuilder &b, Location loc, ConvOp conv) {
  MLIRContext *ctx = b.getContext();
  Value x = paddedInput(b, loc, conv);
  auto xType = tensorType(x);
  Type element = xType.getElementType();
  ArrayRef<int64_t> strides = conv.getStrides(),
                    dilations = conv.getDilations();
  auto wType = conv.getWeight().getType();
  auto yType = cast<RankedTensorType>(conv.getType());
  const int64_t N = xType.getDimSize(0), C = wType.getDimSize(1),
                KH = wType.getDimSize(2), KW = wType.getDimSize(3),
                OH = yType.getDimSize(2), OW = yType.getDimSize(3);
  // Loops (n, oh, ow, c, kh, kw).
  AffineExpr d[6];
  for (int i = 0; i < 6; ++i)
    d[i] = getAffineDimExpr(i, ctx);
  AffineMap read =
      AffineMap::get(6, 0,
                     {d[0], d[3], d[1] * strides[0] + d[4] * dilations[0],
                      d[2] * strides[1] + d[5] * dilations[1]},
                     ctx);
  auto colType = RankedTensorType::get({N, OH, OW, C, KH, KW}, element);
  Value col =
      linalg::GenericOp::create(
          b, loc, colType, x,
          Value(tensor::EmptyOp::create(b, loc, colType.getShape(), element)),
          ArrayRef<AffineMap>{read, AffineMap::getMultiDimIdentityMap(6, ctx)},
          SmallVector<utils::IteratorType>(6, utils::IteratorType::parallel),
          [](OpBuilder &nb, Location l, ValueRange args) {
            linalg::YieldOp::create(nb, l, args[0]);
          })
          .getResult(0);
  return tensor::CollapseShapeOp::create(
      b, loc, col, ArrayRef<ReassociationIndices>{{0, 1, 2}, {3, 4, 5}});
}

/// Replaces `p.op` by a call of the packed kernel `kernel` with arguments
/// (X, `packed` W, `extra` read-only tensors..., bias, Y, `scalars`...).
void emitKernelCall(PackedProduct &p, Value packed, StringRef kernel,
                    ArrayRef<Value> extra, ArrayRef<int64_t> scalars) {
  Operation *op = p.op;
  OpBuilder b(op);
  Location loc = op->getLoc();
  auto type = cast<RankedTensorType>(op->getResult(0).getType());
  Type element = type.getElementType();
  Value bias = p.bias ? p.bias : emptyVector(b, loc, element);
  // An N-d input as the matrix of its rows, and the result back.
  Value x = p.x;
  RankedTensorType result = type;
  SmallVector<ReassociationIndices> rowsOf;
  auto conv = dyn_cast<ConvOp>(op);
  if (conv) {
    x = im2colRows(b, loc, conv);
    result = RankedTensorType::get({tensorType(x).getDimSize(0), p.n}, element);
  } else if (type.getRank() > 2) {
    ReassociationIndices leading;
    for (int64_t d = 0; d + 1 < type.getRank(); ++d)
      leading.push_back(d);
    rowsOf = {leading, {type.getRank() - 1}};
    x = tensor::CollapseShapeOp::create(b, loc, x, rowsOf);
    result = RankedTensorType::get(
        {tensorType(x).getDimSize(0), type.getShape().back()}, element);
  }
  SmallVector<Value> args = {getReadOnlyBuffer(b, loc, x),
                             getReadOnlyBuffer(b, loc, packed)};
  for (Value v : extra)
    args.push_back(getReadOnlyBuffer(b, loc, v));
  args.push_back(getReadOnlyBuffer(b, loc, bias));
  SmallVector<Value> rows;
  if (result.isDynamicDim(0))
    rows.push_back(tensor::DimOp::create(b, loc, x, 0));
  Value out = memref::AllocOp::create(
      b, loc, MemRefType::get(result.getShape(), element), rows,
      b.getI64IntegerAttr(64));
  args.push_back(
      memref::CastOp::create(b, loc, getAnyStridedMemRefType(2, element), out));
  for (int64_t v : scalars)
    args.push_back(arith::ConstantOp::create(b, loc, b.getI64IntegerAttr(v)));
  func::CallOp::create(b, loc,
                       getOrDeclareKernel(b, op->getParentOfType<ModuleOp>(),
                                          kernel, ValueRange(args).getTypes()),
                       args);
  Value tensor = getKernelResultTensor(b, loc, result, out);
  if (!rowsOf.empty())
    tensor = tensor::ExpandShapeOp::create(b, loc, type, tensor, rowsOf);
  if (conv) {
    // [N*OH*OW, M] -> [N, OH, OW, M] -> [N, M, OH, OW].
    ArrayRef<int64_t> shape = type.getShape();
    tensor = tensor::ExpandShapeOp::create(
        b, loc,
        RankedTensorType::get({shape[0], shape[2], shape[3], shape[1]},
                              element),
        tensor, ArrayRef<ReassociationIndices>{{0, 1, 2}, {3}});
    tensor =
        linalg::TransposeOp::create(
            b, loc, tensor, tensor::EmptyOp::create(b, loc, shape, element),
            ArrayRef<int64_t>{0, 3, 1, 2})
            .getResult()[0];
  }
  op->getResult(0).replaceAllUsesWith(tensor);
  op->erase();
  for (Operation *dead : p.chain)
    dead->erase();
  if (p.unpack)
    p.unpack->erase();
}

/// A float convolution the float kernels take: f32 NCHW, static shapes, a
/// constant f32 weight, and a bias of one element per output channel or
/// none.
bool isFloatConvOnConstantWeight(ConvOp conv) {
  auto type = cast<RankedTensorType>(conv.getType());
  auto input = tensorType(conv.getInput());
  return type.getElementType().isF32() && input.getElementType().isF32() &&
         type.getRank() == 4 && type.hasStaticShape() &&
         input.hasStaticShape() &&
         conv.getWeight().getDefiningOp<arith::ConstantOp>() &&
         (!conv.getBias() || tensorType(conv.getBias()) ==
                                 RankedTensorType::get({type.getDimSize(1)},
                                                       type.getElementType()));
}

/// A float depthwise convolution (one input channel per group, one output
/// channel per input channel).
bool isFloatDepthwise(ConvOp conv) {
  const int64_t group = conv.getGroup();
  return isFloatConvOnConstantWeight(conv) && group > 1 &&
         group == tensorType(conv.getInput()).getDimSize(1) &&
         group == cast<RankedTensorType>(conv.getType()).getDimSize(1);
}

/// A float convolution of more than one group that is not depthwise (a
/// grouped convolution: RegNet's groups of 8 channels).
bool isFloatGrouped(ConvOp conv) {
  return isFloatConvOnConstantWeight(conv) && conv.getGroup() > 1 &&
         !isFloatDepthwise(conv);
}

/// The float activation a convolution's kernel applies as it stores: the
/// convolution's only user, a qc.relu or a qc.clip on constant bounds
/// (ReLU6), as [lo, hi]; the op itself is then replaced by the call.
struct FusedActivation {
  Operation *op = nullptr;
  float lo = -std::numeric_limits<float>::infinity();
  float hi = std::numeric_limits<float>::infinity();
};

FusedActivation getFusedActivation(ConvOp conv) {
  FusedActivation none;
  if (!conv->hasOneUse())
    return none;
  Operation *user = *conv->getUsers().begin();
  if (user->getNumResults() != 1 ||
      user->getResult(0).getType() != conv.getType())
    return none;
  if (isa<ReluOp>(user))
    return {user, 0.0f, none.hi};
  auto clip = dyn_cast<ClipOp>(user);
  if (!clip || clip.getInput() != conv.getResult())
    return none;
  FusedActivation fused{clip, none.lo, none.hi};
  if (clip.getMin()) {
    std::optional<float> lo = getScalarF32Constant(clip.getMin());
    if (!lo)
      return none;
    fused.lo = *lo;
  }
  if (clip.getMax()) {
    std::optional<float> hi = getScalarF32Constant(clip.getMax());
    if (!hi)
      return none;
    fused.hi = *hi;
  }
  return fused;
}

/// A float model's convolution on its constant f32 weight, with static
/// shapes: one call of qcc_ukernel_conv2d_f32 (group 1: an implicit GEMM, no
/// im2col matrix, no transpose of the result), of
/// qcc_ukernel_grouped_conv2d_f32 (one such GEMM per group) or of
/// qcc_ukernel_depthwise_conv2d_f32, which read the input padded by the
/// convolution's pads (no padded copy on one thread) and apply a following
/// Relu or Clip as they store (no pass over the output on one thread).
void emitFloatConvCall(ConvOp conv, Value bias, bool depthwise) {
  auto type = cast<RankedTensorType>(conv.getType());
  OpBuilder b(conv);
  Location loc = conv.getLoc();
  Type f32 = b.getF32Type();
  const int64_t M = type.getDimSize(1);
  if (!bias)
    bias = arith::ConstantOp::create(
        b, loc,
        DenseElementsAttr::get(RankedTensorType::get({M}, f32),
                               b.getF32FloatAttr(0)));
  SmallVector<Value> args = {
      getReadOnlyBuffer(b, loc, conv.getInput()),
      getReadOnlyBuffer(b, loc, conv.getWeight()),
      getReadOnlyBuffer(b, loc, bias)};
  Value out = memref::AllocOp::create(b, loc, MemRefType::get(type.getShape(), f32),
                                      b.getI64IntegerAttr(64));
  args.push_back(
      memref::CastOp::create(b, loc, getAnyStridedMemRefType(4, f32), out));
  const FusedActivation activation = getFusedActivation(conv);
  for (float bound : {activation.lo, activation.hi})
    args.push_back(arith::ConstantOp::create(b, loc, b.getF32FloatAttr(bound)));
  auto i64Arg = [&](int64_t v) {
    args.push_back(arith::ConstantOp::create(b, loc, b.getI64IntegerAttr(v)));
  };
  for (int64_t v : conv.getStrides())
    i64Arg(v);
  for (int64_t v : conv.getDilations())
    i64Arg(v);
  const int64_t groups = depthwise ? 1 : conv.getGroup();
  if (!depthwise)
    i64Arg(1); // the weight is an arith.constant: pack it once
  if (groups > 1)
    i64Arg(groups);
  for (int64_t v : conv.getPads()) // top, left, bottom, right
    i64Arg(v);
  func::CallOp::create(
      b, loc,
      getOrDeclareKernel(b, conv->getParentOfType<ModuleOp>(),
                         depthwise    ? "qcc_ukernel_depthwise_conv2d_f32"
                         : groups > 1 ? "qcc_ukernel_grouped_conv2d_f32"
                                      : "qcc_ukernel_conv2d_f32",
                         ValueRange(args).getTypes()),
      args);
  Value result = getKernelResultTensor(b, loc, type, out);
  if (activation.op) {
    activation.op->getResult(0).replaceAllUsesWith(result);
    activation.op->erase();
  }
  conv.getResult().replaceAllUsesWith(result);
  conv->erase();
}

/// A float matrix product with batch dimensions whose operands are both of
/// the result's rank, batch dimensions equal to its (no broadcast), static
/// shapes: attention's scores (queries times transposed keys) and weighted
/// values, products of two activations.
bool isFloatBatchedProduct(MatMulOp matmul) {
  auto type = cast<RankedTensorType>(matmul.getType());
  auto lhs = tensorType(matmul.getLhs()), rhs = tensorType(matmul.getRhs());
  const int64_t rank = type.getRank();
  auto isStaticF32 = [](RankedTensorType t) {
    return t.getElementType().isF32() && t.hasStaticShape();
  };
  return rank >= 3 && isStaticF32(type) && isStaticF32(lhs) &&
         isStaticF32(rhs) && lhs.getRank() == rank && rhs.getRank() == rank &&
         lhs.getShape().drop_back(2) == type.getShape().drop_back(2) &&
         rhs.getShape().drop_back(2) == type.getShape().drop_back(2);
}

/// One call of qcc_ukernel_batch_matmul_f32 on the operands with their
/// batch dimensions collapsed into one.
void emitFloatBatchedProductCall(MatMulOp matmul) {
  auto type = cast<RankedTensorType>(matmul.getType());
  const int64_t rank = type.getRank();
  OpBuilder b(matmul);
  Location loc = matmul.getLoc();
  Type f32 = b.getF32Type();
  int64_t batch = 1;
  ReassociationIndices leading;
  for (int64_t d = 0; d + 2 < rank; ++d) {
    batch *= type.getDimSize(d);
    leading.push_back(d);
  }
  const SmallVector<ReassociationIndices> threeDims = {
      leading, {rank - 2}, {rank - 1}};
  auto collapsed = [&](Value v) -> Value {
    return rank == 3 ? v
                     : tensor::CollapseShapeOp::create(b, loc, v, threeDims)
                           .getResult();
  };
  SmallVector<Value> args = {
      getReadOnlyBuffer(b, loc, collapsed(matmul.getLhs())),
      getReadOnlyBuffer(b, loc, collapsed(matmul.getRhs()))};
  auto resultType = RankedTensorType::get(
      {batch, type.getDimSize(rank - 2), type.getDimSize(rank - 1)}, f32);
  Value out = memref::AllocOp::create(
      b, loc, MemRefType::get(resultType.getShape(), f32),
      b.getI64IntegerAttr(64));
  args.push_back(
      memref::CastOp::create(b, loc, getAnyStridedMemRefType(3, f32), out));
  func::CallOp::create(b, loc,
                       getOrDeclareKernel(b,
                                          matmul->getParentOfType<ModuleOp>(),
                                          "qcc_ukernel_batch_matmul_f32",
                                          ValueRange(args).getTypes()),
                       args);
  Value result = getKernelResultTensor(b, loc, resultType, out);
  if (rank > 3)
    result = tensor::ExpandShapeOp::create(b, loc, type, result, threeDims);
  matmul.getResult().replaceAllUsesWith(result);
  matmul->erase();
}

} // namespace

void qcc::cpu::convertFloatBatchedProducts(Operation *root) {
  SmallVector<MatMulOp> products;
  root->walk([&](MatMulOp matmul) {
    if (isFloatBatchedProduct(matmul))
      products.push_back(matmul);
  });
  for (MatMulOp matmul : products)
    emitFloatBatchedProductCall(matmul);
}

void qcc::cpu::convertPackedMatrixProducts(Operation *root,
                                      int64_t packedConvMinBytes) {
  SmallVector<ConvOp> depthwise, grouped;
  root->walk([&](ConvOp conv) {
    if (isFloatDepthwise(conv))
      depthwise.push_back(conv);
    else if (isFloatGrouped(conv))
      grouped.push_back(conv);
  });
  for (ConvOp conv : depthwise)
    emitFloatConvCall(conv, conv.getBias(), /*depthwise=*/true);
  for (ConvOp conv : grouped)
    emitFloatConvCall(conv, conv.getBias(), /*depthwise=*/false);
  SmallVector<PackedProduct> products;
  root->walk([&](Operation *op) {
    auto p = matchPackedProduct(op);
    if (!p)
      return;
    // Small integer convolutions: the fused int8 kernel is faster.
    if (isa<ConvOp>(op) && p->chain.empty() && !p->floatWeight &&
        p->n * p->k < packedConvMinBytes)
      return;
    products.push_back(*p);
  });
  for (PackedProduct &p : products) {
    // A Relu or Clip fused into an earlier convolution's call is gone: read
    // the input again (operand 0 of a conv, matmul and gemm).
    p.x = p.op->getOperand(0);
    OpBuilder b(p.op);
    Location loc = p.op->getLoc();
    if (auto conv = dyn_cast<ConvOp>(p.op); conv && p.floatWeight) {
      emitFloatConvCall(conv, p.bias, /*depthwise=*/false);
      continue;
    }
    if (p.floatWeight) {
      // Rows [N][K] of the f32 weight, as bytes (little-endian host).
      std::vector<double> bytes;
      bytes.reserve(4 * p.n * p.k);
      for (int64_t n = 0; n < p.n; ++n)
        for (int64_t k = 0; k < p.k; ++k) {
          const float w =
              (*p.floatWeight)[p.kDim == 0 ? k * p.n + n : n * p.k + k];
          int8_t raw[4];
          std::memcpy(raw, &w, 4);
          bytes.insert(bytes.end(), raw, raw + 4);
        }
      Value rows = createConstant(
          b, loc, RankedTensorType::get({4 * p.n * p.k}, b.getI8Type()), bytes,
          derivedConstantName(p.op->getOperand(1), "_rows", "weight"));
      Value none = emptyVector(b, loc, b.getF32Type());
      emitKernelCall(p, rows, "qcc_ukernel_matmul_f32_packed",
                     {none, emptyVector(b, loc, b.getI8Type())},
                     {QCC_PACKED_F32, p.k});
      continue;
    }
    if (p.blocks) {
      // Scale codes [K / B][N] or [N][K / B] as the kernel's [N][K / B].
      BlockScaledType type = p.blocks.getBlockType();
      const numerics::BlockFormat block = type.getBlockFormat();
      std::optional<int> format = minifloatFormat(block.elementKind);
      const std::vector<int64_t> codes =
          *getIntegerConstant(p.blocks.getScales());
      const int64_t groups = p.k / block.blockSize;
      std::vector<int8_t> scales;
      for (int64_t n = 0; n < p.n; ++n)
        for (int64_t g = 0; g < groups; ++g)
          scales.push_back(static_cast<int8_t>(
              codes[p.kDim == 0 ? g * p.n + n : n * groups + g]));
      if (!format)
        continue;
      uint32_t tensorScaleBits;
      std::memcpy(&tensorScaleBits, &block.tensorScale, 4);
      emitKernelCall(
          p, p.unpack.getPacked(), "qcc_ukernel_matmul_f32_block_packed",
          {vectorConstant(b, loc, b.getI8Type(), ArrayRef<int8_t>(scales))},
          {*format, block.blockSize,
           block.scaleKind == numerics::MinifloatKind::F8E8M0FNU
               ? QCC_SCALE_E8M0
               : QCC_SCALE_E4M3,
           tensorScaleBits});
      continue;
    }
    if (p.chain.empty()) {
      auto [rows, width] = kernelRows(b, loc, p);
      emitKernelCall(p, rows, "qcc_ukernel_matmul_s8_packed", {}, {width});
      continue;
    }
    std::optional<FloatWeightFormat> f = floatWeightFormat(p);
    if (!f)
      continue; // unpacked and dequantized at compile time instead
    Value scales =
        vectorConstant(b, loc, b.getF32Type(), ArrayRef<float>(f->scales));
    Value zeroPoints =
        vectorConstant(b, loc, b.getI8Type(), ArrayRef<int8_t>(f->zeroPoints));
    emitKernelCall(p, p.unpack.getPacked(), "qcc_ukernel_matmul_f32_packed",
                   {scales, zeroPoints}, {f->format, f->groupSize});
  }
}
