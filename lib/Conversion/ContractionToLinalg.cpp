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

/// The body of a float contraction: acc + a * b (args a, b, acc).
void yieldMultiplyAdd(OpBuilder &b, Location loc, ValueRange args) {
  linalg::YieldOp::create(
      b, loc,
      arith::AddFOp::create(b, loc, args[2],
                            arith::MulFOp::create(b, loc, args[0], args[1]))
          .getResult());
}

/// The body of an integer or float contraction: acc + a * b (args a, b,
/// acc), integer operands sign-extended to the accumulator.
void yieldMultiplyAccumulate(OpBuilder &b, Location loc, ValueRange args) {
  Type acc = args[2].getType();
  if (!isa<IntegerType>(acc))
    return yieldMultiplyAdd(b, loc, args);
  Value x = arith::ExtSIOp::create(b, loc, acc, args[0]);
  Value y = arith::ExtSIOp::create(b, loc, acc, args[1]);
  linalg::YieldOp::create(
      b, loc,
      arith::AddIOp::create(b, loc, args[2], arith::MulIOp::create(b, loc, x, y))
          .getResult());
}

/// The batched int8 product every integer layer becomes:
/// C[b, m, p] += sum_k A[m, k] * B[b, k, p] (operands sign-extended to the
/// int32 accumulator). It lowers to loops like any linalg.generic, unless a
/// target replaces it by a kernel call (the CPU target's
/// qcc-cpu-linalg-to-ukernel-calls matches exactly this form).
Value batchedMatmul(OpBuilder &b, Location loc, Value lhs, Value rhs,
                    Value init) {
  auto generic = linalg::GenericOp::create(
      b, loc, init.getType(), ValueRange{lhs, rhs}, init,
      getBatchedMatmulIndexingMaps(b.getContext()),
      {utils::IteratorType::parallel, utils::IteratorType::parallel,
       utils::IteratorType::parallel, utils::IteratorType::reduction},
      yieldMultiplyAccumulate);
  return generic.getResult(0);
}

/// A constant weight's integers (8 to 32 bits: int8, or minifloats decoded
/// to fixed point), for rearranging at compile time.
std::optional<std::vector<int64_t>> weightValues(Value v) {
  auto element = dyn_cast<IntegerType>(getElementTypeOrSelf(v.getType()));
  if (!element || element.getWidth() < 8 || element.getWidth() > 32)
    return std::nullopt;
  return getIntegerConstant(v);
}

/// An integer constant of `shape` and `element` holding `values`.
Value integerConstant(OpBuilder &b, Location loc, ArrayRef<int64_t> shape,
                      Type element, const std::vector<int64_t> &values) {
  auto type = RankedTensorType::get(shape, element);
  const unsigned width = element.getIntOrFloatBitWidth();
  SmallVector<APInt> integers;
  integers.reserve(values.size());
  for (int64_t v : values)
    integers.push_back(APInt(width, v, /*isSigned=*/true));
  return arith::ConstantOp::create(b, loc,
                                   DenseElementsAttr::get(type, integers));
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

/// Grouped 2-d convolution (NCHW, padding done) as one linalg.generic on
/// views with the group as a dimension of its own: input [N, G, C/G, H, W],
/// weight [G, M/G, C/G, KH, KW], output [N, G, M/G, OH, OW], loops
/// (n, g, j, oh, c, kh, kw, ow). The innermost loop runs along an output
/// row, which LLVM vectorizes (without reassociating float sums), and that
/// row stays in cache while the window moves over it; no im2col, so
/// depthwise convolutions (C/G = 1) stay memory-bound passes over the
/// input. Every output element sums its products in the interpreter's order
/// (c, kh, kw). Integer operands (int8) are sign-extended into the int32
/// accumulator `init`.
Value groupedConv(OpBuilder &b, Location loc, Value x, Value weight,
                  Value init, int64_t group, ArrayRef<int64_t> strides,
                  ArrayRef<int64_t> dilations) {
  MLIRContext *ctx = b.getContext();
  auto xType = tensorType(x), wType = tensorType(weight),
       outType = tensorType(init);
  const int64_t M = wType.getDimSize(0), Cg = wType.getDimSize(1);
  auto split = [&](Value v, RankedTensorType type, int64_t axis,
                   int64_t perGroup) -> Value {
    SmallVector<int64_t> shape(type.getShape());
    shape[axis] = perGroup;
    shape.insert(shape.begin() + axis, group);
    SmallVector<ReassociationIndices> reassociation;
    for (int64_t d = 0; d < type.getRank(); ++d)
      reassociation.push_back(
          d < axis ? ReassociationIndices{d}
          : d == axis ? ReassociationIndices{d, d + 1}
                      : ReassociationIndices{d + 1});
    return tensor::ExpandShapeOp::create(b, loc, type.clone(shape), v,
                                         reassociation);
  };
  Value xg = split(x, xType, 1, Cg);
  Value wg = split(weight, wType, 0, M / group);
  Value acc = split(init, outType, 1, M / group);
  AffineExpr n = getAffineDimExpr(0, ctx), g = getAffineDimExpr(1, ctx),
             j = getAffineDimExpr(2, ctx), oh = getAffineDimExpr(3, ctx),
             c = getAffineDimExpr(4, ctx), kh = getAffineDimExpr(5, ctx),
             kw = getAffineDimExpr(6, ctx), ow = getAffineDimExpr(7, ctx);
  using utils::IteratorType;
  Value conv =
      linalg::GenericOp::create(
          b, loc, acc.getType(), ValueRange{xg, wg}, acc,
          ArrayRef<AffineMap>{
              AffineMap::get(8, 0,
                             {n, g, c, oh * strides[0] + kh * dilations[0],
                              ow * strides[1] + kw * dilations[1]},
                             ctx),
              AffineMap::get(8, 0, {g, j, c, kh, kw}, ctx),
              AffineMap::get(8, 0, {n, g, j, oh, ow}, ctx)},
          {IteratorType::parallel, IteratorType::parallel,
           IteratorType::parallel, IteratorType::parallel,
           IteratorType::reduction, IteratorType::reduction,
           IteratorType::reduction, IteratorType::parallel},
          yieldMultiplyAccumulate)
          .getResult(0);
  return tensor::CollapseShapeOp::create(
      b, loc, outType, conv,
      ArrayRef<ReassociationIndices>{{0}, {1, 2}, {3}, {4}});
}

/// 2-d convolutions (NCHW): integer ones with explicit padding (after
/// qc.pad, qc-lower-to-integer's form) and f32 ones, accumulating into the
/// broadcast bias. Group 1: linalg.conv_2d_nchw_fchw (integer; the CPU
/// target replaces it by its micro-kernels) or im2col and a contraction
/// (f32); grouped and depthwise: groupedConv.
struct ConvertConv : OpConversionPattern<ConvOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(ConvOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    auto result = cast<RankedTensorType>(op.getType());
    const bool integer = isa<IntegerType>(result.getElementType());
    const bool padded =
        llvm::any_of(op.getPads(), [](int64_t p) { return p != 0; });
    if (result.getRank() != 4 || (integer && padded) ||
        (!integer && !result.getElementType().isF32()))
      return unsupported(op, "only 2-d convolutions: integer with explicit "
                             "padding (qc-lower-to-integer's form) or f32");
    Location loc = op.getLoc();
    Value input = adaptor.getInput();
    if (padded) // float convolution: zero padding
      input = padSpatial(rewriter, loc, input, op.getPads(),
                         zeroOf(rewriter, loc, result.getElementType()));
    Value init = broadcastBias(rewriter, loc, result, adaptor.getBias(), 1,
                               adaptor.getInput());
    if (op.getGroup() != 1) {
      rewriter.replaceOp(op, groupedConv(rewriter, loc, input,
                                         adaptor.getWeight(), init,
                                         op.getGroup(), op.getStrides(),
                                         op.getDilations()));
      return success();
    }
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

/// 2-d transposed convolutions (NCHW), f32 or integer, as the convolution
/// that computes them: the input with stride - 1 zeros between its elements
/// and d * (K - 1) - pad (+ output_padding at the end) zeros around them,
/// convolved with stride 1 and the weight's dilation by the weight swapped
/// to [M, C/G, KH, KW] and flipped spatially. Every output element then
/// sums its products in the interpreter's order (input channel, then input
/// position), with zero terms in between.
struct ConvertConvTranspose : OpConversionPattern<ConvTransposeOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(ConvTransposeOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    auto result = cast<RankedTensorType>(op.getType());
    Value x = adaptor.getInput(), weight = adaptor.getWeight();
    auto xType = tensorType(x), wType = tensorType(weight);
    const bool integer = isa<IntegerType>(result.getElementType());
    const int64_t group = op.getGroup();
    ArrayRef<int64_t> strides = op.getStrides(), dilations = op.getDilations(),
                      pads = op.getPads(),
                      outputPadding = op.getOutputPadding();
    if (result.getRank() != 4 || (!integer && !result.getElementType().isF32()))
      return unsupported(op, "only 2-d integer or f32 transposed convolutions");
    if (!wType.hasStaticShape() || xType.isDynamicDim(1) ||
        xType.isDynamicDim(2) || xType.isDynamicDim(3))
      return unsupported(op, "only static channel, spatial and weight sizes");
    const int64_t C = xType.getDimSize(1), Cg = C / group,
                  Mg = wType.getDimSize(1), KH = wType.getDimSize(2),
                  KW = wType.getDimSize(3);
    const int64_t K[2] = {KH, KW};
    // Zeros before and after the stretched input, per spatial axis; pads
    // beyond the kernel's reach crop the output computed without them.
    int64_t before[2], after[2], cropBefore[2];
    SmallVector<int64_t> fullShape(result.getShape());
    for (int d = 0; d < 2; ++d) {
      const int64_t outer = dilations[d] * (K[d] - 1);
      before[d] = outer - pads[d];
      after[d] = outer - pads[2 + d] +
                 (outputPadding.empty() ? 0 : outputPadding[d]);
      cropBefore[d] = std::max<int64_t>(0, -before[d]);
      fullShape[2 + d] += cropBefore[d] + std::max<int64_t>(0, -after[d]);
      before[d] = std::max<int64_t>(0, before[d]);
      after[d] = std::max<int64_t>(0, after[d]);
    }
    Location loc = op.getLoc();
    MLIRContext *ctx = getContext();
    Type element = xType.getElementType();
    // z[n, c, before + i * s, ...] = x[n, c, i, ...], zeros elsewhere.
    SmallVector<int64_t> zShape(xType.getShape());
    for (int d = 0; d < 2; ++d)
      zShape[2 + d] = (zShape[2 + d] - 1) * strides[d] + 1 + before[d] + after[d];
    Value z = linalg::FillOp::create(
                  rewriter, loc, zeroOf(rewriter, loc, element),
                  emptyLike(rewriter, loc, xType.clone(zShape), x))
                  .getResult(0);
    SmallVector<OpFoldResult> offsets = {rewriter.getIndexAttr(0),
                                         rewriter.getIndexAttr(0),
                                         rewriter.getIndexAttr(before[0]),
                                         rewriter.getIndexAttr(before[1])};
    SmallVector<OpFoldResult> sizes = tensor::getMixedSizes(rewriter, loc, x);
    SmallVector<OpFoldResult> steps = {
        rewriter.getIndexAttr(1), rewriter.getIndexAttr(1),
        rewriter.getIndexAttr(strides[0]), rewriter.getIndexAttr(strides[1])};
    z = tensor::InsertSliceOp::create(rewriter, loc, x, z, offsets, sizes,
                                      steps);
    // w'[g, j, c, kh, kw] = w[g * Cg + c, j, KH - 1 - kh, KW - 1 - kw]
    // (as [G, Cg, Mg, KH, KW] -> [G, Mg, Cg, KH, KW]), collapsed to
    // [M, Cg, KH, KW].
    Value wg = tensor::ExpandShapeOp::create(
        rewriter, loc,
        RankedTensorType::get({group, Cg, Mg, KH, KW}, wType.getElementType()),
        weight, ArrayRef<ReassociationIndices>{{0, 1}, {2}, {3}, {4}});
    auto flippedType =
        RankedTensorType::get({group, Mg, Cg, KH, KW}, wType.getElementType());
    AffineExpr d[5];
    for (int i = 0; i < 5; ++i)
      d[i] = getAffineDimExpr(i, ctx);
    Value flipped =
        linalg::GenericOp::create(
            rewriter, loc, flippedType, wg,
            tensor::EmptyOp::create(rewriter, loc, flippedType.getShape(),
                                    flippedType.getElementType())
                .getResult(),
            ArrayRef<AffineMap>{
                AffineMap::get(5, 0,
                               {d[0], d[2], d[1], d[3] * -1 + (KH - 1),
                                d[4] * -1 + (KW - 1)},
                               ctx),
                AffineMap::getMultiDimIdentityMap(5, ctx)},
            parallel(5),
            [](OpBuilder &nb, Location l, ValueRange args) {
              linalg::YieldOp::create(nb, l, args[0]);
            })
            .getResult(0);
    Value w = tensor::CollapseShapeOp::create(
        rewriter, loc, flipped,
        ArrayRef<ReassociationIndices>{{0, 1}, {2}, {3}, {4}});
    auto fullType = result.clone(fullShape);
    Value init =
        broadcastBias(rewriter, loc, fullType, adaptor.getBias(), 1, x);
    const int64_t ones[2] = {1, 1};
    Value full = group == 1 && !integer
                     ? floatConv(rewriter, loc, z, w, init, ones, dilations)
                     : groupedConv(rewriter, loc, z, w, init, group, ones,
                                   dilations);
    if (fullType == result) {
      rewriter.replaceOp(op, full);
      return success();
    }
    SmallVector<OpFoldResult> cropOffsets = {
        rewriter.getIndexAttr(0), rewriter.getIndexAttr(0),
        rewriter.getIndexAttr(cropBefore[0]),
        rewriter.getIndexAttr(cropBefore[1])};
    SmallVector<OpFoldResult> cropSizes =
        tensor::getMixedSizes(rewriter, loc, full);
    cropSizes[2] = rewriter.getIndexAttr(result.getDimSize(2));
    cropSizes[3] = rewriter.getIndexAttr(result.getDimSize(3));
    rewriter.replaceOpWithNewOp<tensor::ExtractSliceOp>(
        op, result, full, cropOffsets, cropSizes,
        SmallVector<OpFoldResult>(4, rewriter.getIndexAttr(1)));
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
  auto xType = tensorType(x);
  auto values = weightValues(w);
  // Rows of more than one dimension (a weight applied at every position of
  // a sequence) are the rows of their collapsed 2-d matrix.
  const bool collapsedRows = xType.getRank() > 2 && xType.hasStaticShape() &&
                             !bias && !transB && result.getRank() == xType.getRank();
  if (!values || !wType.hasStaticShape() ||
      (xType.getRank() != 2 && !collapsedRows))
    return unsupported(op, "only integer products of a constant 8- to 32-bit "
                           "weight and a 2-d operand (or one of static shape)");
  Location loc = op->getLoc();
  RankedTensorType finalResult = result;
  if (collapsedRows) {
    ReassociationIndices rowDims =
        llvm::to_vector(llvm::seq<int64_t>(0, xType.getRank() - 1));
    SmallVector<ReassociationIndices> collapse = {
        rowDims, {xType.getRank() - 1}};
    x = tensor::CollapseShapeOp::create(rewriter, loc, x, collapse);
    result = RankedTensorType::get(
        {tensorType(x).getDimSize(0), result.getShape().back()},
        result.getElementType());
  }
  const int64_t K = wType.getDimSize(transB ? 1 : 0),
                J = wType.getDimSize(transB ? 0 : 1);
  std::vector<int64_t> kj(K * J);
  for (int64_t k = 0; k < K; ++k)
    for (int64_t j = 0; j < J; ++j)
      kj[k * J + j] = (*values)[transB ? j * K + k : k * J + j];
  Value weights = integerConstant(rewriter, loc, {1, K, J},
                                  wType.getElementType(), kj);
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
  Value product = tensor::CollapseShapeOp::create(
      rewriter, loc, result, acc, ArrayRef<ReassociationIndices>{{0, 1}, {2}});
  if (collapsedRows) {
    ReassociationIndices rowDims =
        llvm::to_vector(llvm::seq<int64_t>(0, finalResult.getRank() - 1));
    product = tensor::ExpandShapeOp::create(
        rewriter, loc, finalResult, product,
        ArrayRef<ReassociationIndices>{rowDims, {finalResult.getRank() - 1}});
  }
  rewriter.replaceOp(op, product);
  return success();
}

/// The products of float `a` and `b` under `maps` / `iterators` summed in
/// double into `zero` (f64 zeros), in the loops' order.
Value sumProductsInDouble(OpBuilder &rewriter, Location loc, Value a, Value b,
                          Value zero, ArrayRef<AffineMap> maps,
                          ArrayRef<utils::IteratorType> iterators) {
  return linalg::GenericOp::create(
             rewriter, loc, zero.getType(), ValueRange{a, b}, zero,
             SmallVector<AffineMap>(maps),
             SmallVector<utils::IteratorType>(iterators),
             [](OpBuilder &b, Location l, ValueRange args) {
               Value product = arith::MulFOp::create(
                   b, l, toF64(b, l, args[0]), toF64(b, l, args[1]));
               linalg::YieldOp::create(
                   b, l,
                   arith::AddFOp::create(b, l, args[2], product).getResult());
             })
      .getResult(0);
}

/// The float contraction `maps` / `iterators` of `a` and `b` (products
/// summed in double from zero, in the loops' order: the interpreter's),
/// plus `bias` broadcast as NumPy does if given, rounded to f32 once. So a
/// float island's matrix products equal the interpreter bit for bit, as its
/// element-wise ops do; the large float products of a float model run on
/// the packed f32 kernels instead.
Value floatContractionInDouble(ConversionPatternRewriter &rewriter,
                               Location loc, Value a, Value b, Value bias,
                               RankedTensorType result,
                               ArrayRef<AffineMap> maps,
                               ArrayRef<utils::IteratorType> iterators) {
  auto sumType = result.clone(rewriter.getF64Type());
  Value zero = linalg::FillOp::create(rewriter, loc,
                                      f64Constant(rewriter, loc, 0.0),
                                      emptyLike(rewriter, loc, sumType, a))
                   .getResult(0);
  Value sum = sumProductsInDouble(rewriter, loc, a, b, zero, maps, iterators);
  SmallVector<Value> inputs{sum};
  if (bias)
    inputs.push_back(bias);
  return elementwise(
      rewriter, loc, result, inputs, sum,
      [&](OpBuilder &b, Location l, ValueRange args) -> Value {
        Value v = args[0];
        if (bias)
          v = arith::AddFOp::create(b, l, v, toF64(b, l, args[1]));
        return arith::TruncFOp::create(b, l, b.getF32Type(), v);
      });
}

/// Float Y[m, n] = sum_k X[m, k] * W(k, n) + bias[n], summed in double as
/// the interpreter sums (floatContractionInDouble).
LogicalResult convertFloatMatrixProduct(Operation *op, Value x, Value w,
                                        bool transB, Value bias,
                                        RankedTensorType result,
                                        ConversionPatternRewriter &rewriter) {
  if (tensorType(x).getRank() != 2 || tensorType(w).getRank() != 2 ||
      result.getRank() != 2)
    return unsupported(op, "only 2-d float matrix products");
  MLIRContext *ctx = rewriter.getContext();
  // Loops (m, k, n): the innermost loop runs along a row of the result and
  // of B.
  AffineExpr m = getAffineDimExpr(0, ctx), k = getAffineDimExpr(1, ctx),
             n = getAffineDimExpr(2, ctx);
  SmallVector<AffineMap> maps = {
      AffineMap::get(3, 0, {m, k}, ctx),
      AffineMap::get(3, 0,
                     transB ? ArrayRef<AffineExpr>{n, k}
                            : ArrayRef<AffineExpr>{k, n},
                     ctx),
      AffineMap::get(3, 0, {m, n}, ctx)};
  rewriter.replaceOp(
      op, floatContractionInDouble(rewriter, op->getLoc(), x, w, bias, result,
                                   maps,
                                   {utils::IteratorType::parallel,
                                    utils::IteratorType::reduction,
                                    utils::IteratorType::parallel}));
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
  rewriter.replaceOp(
      op, floatContractionInDouble(
              rewriter, op->getLoc(), a, b, Value(), result,
              {AffineMap::get(loops, 0, aExprs, ctx),
               AffineMap::get(loops, 0, bExprs, ctx),
               AffineMap::get(loops, 0, yExprs, ctx)},
              iterators));
  return success();
}

/// Float Gemm in its general form (transposed A, alpha, beta, C of any
/// shape that broadcasts), computed as the interpreter computes it: the
/// products summed in double from zero, then alpha * sum + beta * C in
/// double, rounded to f32 once.
LogicalResult convertGeneralFloatGemm(GemmOp op, Value a, Value b, Value c,
                                      RankedTensorType result,
                                      ConversionPatternRewriter &rewriter) {
  if (tensorType(a).getRank() != 2 || tensorType(b).getRank() != 2)
    return unsupported(op, "only 2-d float matrix products");
  Location loc = op.getLoc();
  MLIRContext *ctx = rewriter.getContext();
  const bool transA = op.getTransA(), transB = op.getTransB();
  auto sumType = RankedTensorType::get(result.getShape(), rewriter.getF64Type());
  SmallVector<Value> dynamic;
  if (sumType.isDynamicDim(0))
    dynamic.push_back(tensor::DimOp::create(rewriter, loc, a, transA ? 1 : 0));
  if (sumType.isDynamicDim(1))
    dynamic.push_back(tensor::DimOp::create(rewriter, loc, b, transB ? 0 : 1));
  Value empty = tensor::EmptyOp::create(rewriter, loc, sumType.getShape(),
                                        sumType.getElementType(), dynamic);
  Value zero = linalg::FillOp::create(rewriter, loc,
                                      f64Constant(rewriter, loc, 0.0), empty)
                   .getResult(0);
  AffineExpr m = getAffineDimExpr(0, ctx), k = getAffineDimExpr(1, ctx),
             n = getAffineDimExpr(2, ctx);
  SmallVector<AffineMap> maps = {
      AffineMap::get(3, 0,
                     transA ? ArrayRef<AffineExpr>{k, m}
                            : ArrayRef<AffineExpr>{m, k},
                     ctx),
      AffineMap::get(3, 0,
                     transB ? ArrayRef<AffineExpr>{n, k}
                            : ArrayRef<AffineExpr>{k, n},
                     ctx),
      AffineMap::get(3, 0, {m, n}, ctx)};
  Value sum = sumProductsInDouble(rewriter, loc, a, b, zero, maps,
                                  {utils::IteratorType::parallel,
                                   utils::IteratorType::reduction,
                                   utils::IteratorType::parallel});
  const double alpha = op.getAlpha().convertToFloat();
  const double beta = op.getBeta().convertToFloat();
  SmallVector<Value> inputs{sum};
  if (c)
    inputs.push_back(c);
  Value out = elementwise(
      rewriter, loc, result, inputs, sum,
      [&](OpBuilder &b, Location l, ValueRange args) -> Value {
        Value v = arith::MulFOp::create(b, l, f64Constant(b, l, alpha), args[0]);
        if (c)
          v = arith::AddFOp::create(
              b, l, v,
              arith::MulFOp::create(b, l, f64Constant(b, l, beta),
                                    toF64(b, l, args[1])));
        return arith::TruncFOp::create(b, l, b.getF32Type(), v);
      });
  rewriter.replaceOp(op, out);
  return success();
}

struct ConvertGemm : OpConversionPattern<GemmOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(GemmOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    auto result = cast<RankedTensorType>(op.getType());
    Value c = adaptor.getC();
    const bool simple =
        !op.getTransA() && op.getAlpha().convertToFloat() == 1.0f &&
        (!c || (op.getBeta().convertToFloat() == 1.0f &&
                tensorType(c).getRank() == 1 &&
                tensorType(c).getDimSize(0) == result.getDimSize(1)));
    if (!simple && result.getElementType().isF32())
      return convertGeneralFloatGemm(op, adaptor.getA(), adaptor.getB(), c,
                                     result, rewriter);
    if (!simple)
      return unsupported(op, "only integer gemm with alpha 1, no transposed "
                             "A, and a bias of one value per column with "
                             "beta 1");
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
    if (!isa<IntegerType>(result.getElementType()))
      return unsupported(op, "only integer or f32 matrix products");
    return convertMatrixProduct(op, adaptor.getLhs(), adaptor.getRhs(), false,
                                Value(), result, rewriter);
  }
};

} // namespace

void qcc::qc_to_linalg::populateContractionPatterns(const TypeConverter &converter,
                                    RewritePatternSet &patterns) {
  patterns.add<ConvertConv, ConvertConvTranspose, ConvertGemm, ConvertMatMul>(converter, patterns.getContext());
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
                   integerConstant(b, weight.getLoc(), type.getShape(),
                                   b.getI8Type(), *values));
  });
}

SmallVector<AffineMap, 3> qcc::getBatchedMatmulIndexingMaps(MLIRContext *ctx) {
  AffineExpr batch = getAffineDimExpr(0, ctx), m = getAffineDimExpr(1, ctx),
             p = getAffineDimExpr(2, ctx), k = getAffineDimExpr(3, ctx);
  return {AffineMap::get(4, 0, {m, k}, ctx),
          AffineMap::get(4, 0, {batch, k, p}, ctx),
          AffineMap::get(4, 0, {batch, m, p}, ctx)};
}
