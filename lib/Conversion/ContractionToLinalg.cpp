//===- ContractionToLinalg.cpp - Convolutions and products to linalg ------===//
//
// Integer convolutions and matrix products as exact int32 contractions
// (linalg.conv_2d_nchw_fchw, a batched linalg.generic), and the f32 ones of
// float models. A target may replace them by kernel calls later (the CPU
// target's qcc-cpu-linalg-to-ukernel-calls).
//
//===----------------------------------------------------------------------===//

#include "QCToLinalgPatterns.h"

#include "qcc/Conversion/QCToLinalg.h"
#include "qcc/Dialect/QC/IR/QCConstants.h"

#include "mlir/IR/TypeUtilities.h"

using namespace mlir;
using namespace qcc;
using namespace qcc::qc;
using namespace qcc::qc_to_linalg;

namespace {

/// The batched int8 product every integer layer becomes:
/// C[b, m, p] += sum_k A[m, k] * B[b, k, p] (operands sign-extended to the
/// int32 accumulator). It lowers to loops like any linalg.generic, unless a
/// target replaces it by a kernel call (the CPU target's
/// qcc-cpu-linalg-to-ukernel-calls matches exactly this form).
Value batchedMatmul(OpBuilder &b, Location loc, Value lhs, Value rhs,
                    Value init) {
  MLIRContext *ctx = b.getContext();
  AffineExpr batch = getAffineDimExpr(0, ctx), m = getAffineDimExpr(1, ctx),
             p = getAffineDimExpr(2, ctx), k = getAffineDimExpr(3, ctx);
  SmallVector<AffineMap> maps = {AffineMap::get(4, 0, {m, k}, ctx),
                                 AffineMap::get(4, 0, {batch, k, p}, ctx),
                                 AffineMap::get(4, 0, {batch, m, p}, ctx)};
  auto accType = cast<RankedTensorType>(init.getType());
  Type acc = accType.getElementType();
  auto generic = linalg::GenericOp::create(
      b, loc, accType, ValueRange{lhs, rhs}, init, maps,
      {utils::IteratorType::parallel, utils::IteratorType::parallel,
       utils::IteratorType::parallel, utils::IteratorType::reduction},
      [&](OpBuilder &nb, Location nl, ValueRange args) {
        Value x = arith::ExtSIOp::create(nb, nl, acc, args[0]);
        Value y = arith::ExtSIOp::create(nb, nl, acc, args[1]);
        Value sum = arith::AddIOp::create(nb, nl, args[2],
                                          arith::MulIOp::create(nb, nl, x, y));
        linalg::YieldOp::create(nb, nl, sum);
      });
  return generic.getResult(0);
}

/// A constant weight's integers, for rearranging at compile time.
std::optional<std::vector<int64_t>> weightValues(Value v) {
  if (!getElementTypeOrSelf(v.getType()).isInteger(8))
    return std::nullopt;
  return getIntegerConstant(v);
}

/// An i8 constant of `shape` holding `values`.
Value i8Constant(OpBuilder &b, Location loc, ArrayRef<int64_t> shape,
                 const std::vector<int64_t> &values) {
  auto type = RankedTensorType::get(shape, b.getI8Type());
  SmallVector<int8_t> bytes(values.begin(), values.end());
  return arith::ConstantOp::create(
      b, loc, DenseElementsAttr::get(type, ArrayRef<int8_t>(bytes)));
}


/// The body of a float contraction: acc + a * b (args a, b, acc).
void yieldMultiplyAdd(OpBuilder &b, Location loc, ValueRange args) {
  linalg::YieldOp::create(
      b, loc,
      arith::AddFOp::create(b, loc, args[2],
                            arith::MulFOp::create(b, loc, args[0], args[1]))
          .getResult());
}

/// Float 2-d convolution as im2col [N, C*KH*KW, OH*OW] (static shapes) and
/// a contraction with loops (n, m, k, p): the innermost loop runs along an
/// output row, which LLVM vectorizes without reassociating the sums.
Value floatConv(OpBuilder &b, Location loc, Value x, Value weight, Value init,
                ArrayRef<int64_t> strides, ArrayRef<int64_t> dilations) {
  MLIRContext *ctx = b.getContext();
  auto xType = cast<RankedTensorType>(x.getType());
  auto wType = cast<RankedTensorType>(weight.getType());
  auto outType = cast<RankedTensorType>(init.getType());
  const int64_t C = wType.getDimSize(1), KH = wType.getDimSize(2),
                KW = wType.getDimSize(3);
  const int64_t OH = outType.getDimSize(2), OW = outType.getDimSize(3);
  AffineExpr d[6];
  for (int i = 0; i < 6; ++i)
    d[i] = getAffineDimExpr(i, ctx);
  // col[n, c, kh, kw, oh, ow] = x[n, c, oh * sh + kh * dh, ow * sw + kw * dw]
  auto colType = RankedTensorType::get({xType.getDimSize(0), C, KH, KW, OH, OW},
                                       xType.getElementType());
  AffineMap read =
      AffineMap::get(6, 0,
                     {d[0], d[1], d[4] * strides[0] + d[2] * dilations[0],
                      d[5] * strides[1] + d[3] * dilations[1]},
                     ctx);
  Value col =
      linalg::GenericOp::create(
          b, loc, colType, x, emptyLike(b, loc, colType, x),
          ArrayRef<AffineMap>{read, AffineMap::getMultiDimIdentityMap(6, ctx)},
          parallel(6),
          [](OpBuilder &nb, Location l, ValueRange args) {
            linalg::YieldOp::create(nb, l, args[0]);
          })
          .getResult(0);
  col = tensor::CollapseShapeOp::create(
      b, loc, col, ArrayRef<ReassociationIndices>{{0}, {1, 2, 3}, {4, 5}});
  Value w = tensor::CollapseShapeOp::create(
      b, loc, weight, ArrayRef<ReassociationIndices>{{0}, {1, 2, 3}});
  Value acc = tensor::CollapseShapeOp::create(
      b, loc, init, ArrayRef<ReassociationIndices>{{0}, {1}, {2, 3}});
  AffineExpr n = d[0], m = d[1], k = d[2], p = d[3];
  Value product =
      linalg::GenericOp::create(
          b, loc, acc.getType(), ValueRange{w, col}, acc,
          ArrayRef<AffineMap>{AffineMap::get(4, 0, {m, k}, ctx),
                              AffineMap::get(4, 0, {n, k, p}, ctx),
                              AffineMap::get(4, 0, {n, m, p}, ctx)},
          {utils::IteratorType::parallel, utils::IteratorType::parallel,
           utils::IteratorType::reduction, utils::IteratorType::parallel},
          yieldMultiplyAdd)
          .getResult(0);
  return tensor::ExpandShapeOp::create(
      b, loc, outType, product,
      ArrayRef<ReassociationIndices>{{0}, {1}, {2, 3}});
}

/// Integer 2-d convolution (NCHW, group 1, padding done by qc.pad):
/// linalg.conv_2d_nchw_fchw into the broadcast bias.
struct ConvertConv : OpConversionPattern<ConvOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(ConvOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    auto result = cast<RankedTensorType>(op.getType());
    const bool integer = isa<IntegerType>(result.getElementType());
    const bool padded =
        llvm::any_of(op.getPads(), [](int64_t p) { return p != 0; });
    if (result.getRank() != 4 || op.getGroup() != 1 || (integer && padded) ||
        (!integer && !result.getElementType().isF32()))
      return unsupported(op, "only 2-d convolutions with group 1: integer "
                             "with explicit padding (qc-lower-to-integer's "
                             "form) or f32");
    Location loc = op.getLoc();
    Value input = adaptor.getInput();
    if (padded) // float convolution: zero padding
      input = padSpatial(rewriter, loc, input, op.getPads(),
                         zeroOf(rewriter, loc, result.getElementType()));
    Value init = broadcastBias(rewriter, loc, result, adaptor.getBias(), 1,
                               adaptor.getInput());
    if (!integer) {
      rewriter.replaceOp(op,
                         floatConv(rewriter, loc, input, adaptor.getWeight(),
                                   init, op.getStrides(), op.getDilations()));
      return success();
    }
    auto conv = linalg::Conv2DNchwFchwOp::create(
        rewriter, loc, TypeRange{result},
        ValueRange{input, adaptor.getWeight()}, ValueRange{init},
        rewriter.getI64TensorAttr(op.getStrides()),
        rewriter.getI64TensorAttr(op.getDilations()));
    rewriter.replaceOp(op, conv.getResult(0));
    return success();
  }
};

/// Integer Y[n, j] = sum_k X[n, k] * W(k, j) + bias[j]: the batched product
/// with X as the matrix and W, rearranged at compile time to [1, K, J], as
/// the single batch.
LogicalResult convertMatrixProduct(Operation *op, Value x, Value w, bool transB,
                                   Value bias, RankedTensorType result,
                                   ConversionPatternRewriter &rewriter) {
  auto wType = tensorType(w);
  auto values = weightValues(w);
  if (!values || !wType.hasStaticShape() || tensorType(x).getRank() != 2)
    return unsupported(op, "only 2-d integer products with a constant 8-bit "
                           "weight");
  Location loc = op->getLoc();
  const int64_t K = wType.getDimSize(transB ? 1 : 0),
                J = wType.getDimSize(transB ? 0 : 1);
  std::vector<int64_t> kj(K * J);
  for (int64_t k = 0; k < K; ++k)
    for (int64_t j = 0; j < J; ++j)
      kj[k * J + j] = (*values)[transB ? j * K + k : k * J + j];
  Value weights = i8Constant(rewriter, loc, {1, K, J}, kj);
  auto accType = RankedTensorType::get({1, result.getDimSize(0), J},
                                       result.getElementType());
  SmallVector<Value> rows;
  if (accType.isDynamicDim(1))
    rows.push_back(tensor::DimOp::create(rewriter, loc, x, 0));
  Value init = tensor::EmptyOp::create(rewriter, loc, accType.getShape(),
                                       accType.getElementType(), rows);
  init =
      bias ? broadcastInto(rewriter, loc, bias, 2, init)
           : linalg::FillOp::create(
                 rewriter, loc,
                 constantInt(rewriter, loc, accType.getElementType(), 0), init)
                 .getResult(0);
  Value acc = batchedMatmul(rewriter, loc, x, weights, init);
  rewriter.replaceOpWithNewOp<tensor::CollapseShapeOp>(
      op, result, acc, ArrayRef<ReassociationIndices>{{0, 1}, {2}});
  return success();
}

/// Float Y[m, n] = sum_k X[m, k] * W(k, n) + bias[n] in f32 (a float
/// model compiled as it is; not bit-exact with the interpreter, which
/// accumulates in double).
LogicalResult convertFloatMatrixProduct(Operation *op, Value x, Value w,
                                        bool transB, Value bias,
                                        RankedTensorType result,
                                        ConversionPatternRewriter &rewriter) {
  if (tensorType(x).getRank() != 2 || tensorType(w).getRank() != 2 ||
      result.getRank() != 2)
    return unsupported(op, "only 2-d float matrix products");
  Location loc = op->getLoc();
  MLIRContext *ctx = rewriter.getContext();
  Value init = broadcastBias(rewriter, loc, result, bias, 1, x);
  // Loops (m, k, n): the innermost loop runs along a row of the result and
  // of B, which LLVM vectorizes without reassociating the sums.
  AffineExpr m = getAffineDimExpr(0, ctx), k = getAffineDimExpr(1, ctx),
             n = getAffineDimExpr(2, ctx);
  SmallVector<AffineMap> maps = {
      AffineMap::get(3, 0, {m, k}, ctx),
      AffineMap::get(3, 0,
                     transB ? ArrayRef<AffineExpr>{n, k}
                            : ArrayRef<AffineExpr>{k, n},
                     ctx),
      AffineMap::get(3, 0, {m, n}, ctx)};
  Value product = linalg::GenericOp::create(rewriter, loc, result,
                                            ValueRange{x, w}, init, maps,
                                            {utils::IteratorType::parallel,
                                             utils::IteratorType::reduction,
                                             utils::IteratorType::parallel},
                                            yieldMultiplyAdd)
                      .getResult(0);
  rewriter.replaceOp(op, product);
  return success();
}

/// Float Y[b..., m, n] = sum_k A[b..., m, k] * B[b..., k, n] (ranks above
/// 2: attention's batched products, or a 2-d weight applied to every
/// position), with NumPy broadcasting of the batch dimensions. Loops
/// (b..., m, k, n): the innermost runs along a row of the result and of B.
LogicalResult convertFloatBatchedProduct(Operation *op, Value a, Value b,
                                         RankedTensorType result,
                                         ConversionPatternRewriter &rewriter) {
  auto aType = tensorType(a), bType = tensorType(b);
  const int64_t rank = result.getRank();
  if (aType.getRank() < 2 || bType.getRank() < 2 || rank < 2)
    return unsupported(op, "matrix products need operands of rank 2 or more");
  MLIRContext *ctx = rewriter.getContext();
  const int64_t loops = rank + 1; // batch..., m, k, n
  const int64_t batch = rank - 2;
  AffineExpr m = getAffineDimExpr(batch, ctx),
             k = getAffineDimExpr(batch + 1, ctx),
             n = getAffineDimExpr(batch + 2, ctx);
  // Batch dimensions of an operand of `operandRank`, broadcast against the
  // result's (size 1 where the result's is larger reads index 0).
  auto batchExprs = [&](RankedTensorType t) {
    SmallVector<AffineExpr> exprs;
    const int64_t operandBatch = t.getRank() - 2;
    for (int64_t d = 0; d < operandBatch; ++d) {
      const int64_t r = d + batch - operandBatch;
      exprs.push_back(t.getDimSize(d) == 1 && result.getDimSize(r) != 1
                          ? getAffineConstantExpr(0, ctx)
                          : getAffineDimExpr(r, ctx));
    }
    return exprs;
  };
  SmallVector<AffineExpr> aExprs = batchExprs(aType),
                          bExprs = batchExprs(bType), yExprs;
  aExprs.append({m, k});
  bExprs.append({k, n});
  for (int64_t d = 0; d < batch; ++d)
    yExprs.push_back(getAffineDimExpr(d, ctx));
  yExprs.append({m, n});
  SmallVector<utils::IteratorType> iterators = parallel(loops);
  iterators[batch + 1] = utils::IteratorType::reduction;
  Location loc = op->getLoc();
  Value init =
      linalg::FillOp::create(rewriter, loc,
                             zeroOf(rewriter, loc, result.getElementType()),
                             emptyLike(rewriter, loc, result, a))
          .getResult(0);
  Value product =
      linalg::GenericOp::create(
          rewriter, loc, result, ValueRange{a, b}, init,
          ArrayRef<AffineMap>{AffineMap::get(loops, 0, aExprs, ctx),
                              AffineMap::get(loops, 0, bExprs, ctx),
                              AffineMap::get(loops, 0, yExprs, ctx)},
          iterators, yieldMultiplyAdd)
          .getResult(0);
  rewriter.replaceOp(op, product);
  return success();
}

struct ConvertGemm : OpConversionPattern<GemmOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(GemmOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    auto result = cast<RankedTensorType>(op.getType());
    Value c = adaptor.getC();
    if (op.getTransA() || op.getAlpha().convertToFloat() != 1.0f ||
        (c && (op.getBeta().convertToFloat() != 1.0f ||
               tensorType(c).getRank() != 1)))
      return unsupported(op, "only gemm with alpha 1, no transposed A, and a "
                             "1-d bias with beta 1");
    if (result.getElementType().isF32())
      return convertFloatMatrixProduct(op, adaptor.getA(), adaptor.getB(),
                                       op.getTransB(), c, result, rewriter);
    return convertMatrixProduct(op, adaptor.getA(), adaptor.getB(),
                                op.getTransB(), c, result, rewriter);
  }
};

struct ConvertMatMul : OpConversionPattern<MatMulOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(MatMulOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    auto result = cast<RankedTensorType>(op.getType());
    if (result.getElementType().isF32() && result.getRank() > 2)
      return convertFloatBatchedProduct(op, adaptor.getLhs(), adaptor.getRhs(),
                                        result, rewriter);
    if (result.getElementType().isF32())
      return convertFloatMatrixProduct(op, adaptor.getLhs(), adaptor.getRhs(),
                                       false, Value(), result, rewriter);
    if (!isa<IntegerType>(result.getElementType()) || result.getRank() != 2)
      return unsupported(op, "only 2-d integer or f32 matrix products");
    return convertMatrixProduct(op, adaptor.getLhs(), adaptor.getRhs(), false,
                                Value(), result, rewriter);
  }
};

} // namespace

void qcc::qc_to_linalg::populateContractionPatterns(const TypeConverter &converter,
                                    RewritePatternSet &patterns) {
  patterns.add<ConvertConv, ConvertGemm, ConvertMatMul>(converter, patterns.getContext());
}

void qcc::widenSubByteWeights(Operation *root) {
  root->walk([](qc::WeightedLayerOpInterface layer) {
    Operation *op = layer;
    Value weight = layer.getWeightOperand();
    auto type = dyn_cast<RankedTensorType>(weight.getType());
    auto element =
        type ? dyn_cast<IntegerType>(type.getElementType()) : IntegerType();
    if (!element || element.getWidth() >= 8 || element.getWidth() < 2)
      return;
    auto values = getIntegerConstant(weight);
    if (!values)
      return;
    OpBuilder b(op);
    op->setOperand(layer.getWeightOperandIndex(),
                   i8Constant(b, weight.getLoc(), type.getShape(), *values));
  });
}
