//===- ShapeToLinalg.cpp - Reshape, transpose to tensor and linalg --------===//
//
// Reshapes as tensor.collapse_shape / expand_shape, transposes as
// linalg.transpose, concatenations as tensor.insert_slice into one tensor,
// splits and positive-step slices as tensor.extract_slice, negative-step
// slices, gathers and expands (broadcasts) as linalg.generic. They move
// elements of any type: float islands' and, on the integer path, the stored
// integers.
//
//===----------------------------------------------------------------------===//

#include "QCToLinalgPatterns.h"

#include "mlir/Dialect/Utils/ReshapeOpsUtils.h"
#include "mlir/Dialect/Utils/StaticValueUtils.h"

#include <algorithm>
#include <limits>

using namespace mlir;
using namespace qcc;
using namespace qcc::qc;
using namespace qcc::qc_to_linalg;

namespace {

struct ConvertReshape : OpConversionPattern<ReshapeOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(ReshapeOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    auto source = tensorType(adaptor.getInput());
    auto result =
        cast<RankedTensorType>(getTypeConverter()->convertType(op.getType()));
    if (source == result) {
      rewriter.replaceOp(op, adaptor.getInput());
      return success();
    }
    auto reassociation = getReassociationIndicesForReshape(source, result);
    if (!reassociation && source.hasStaticShape() && result.hasStaticShape() &&
        source.getRank() > 0 && result.getRank() > 0) {
      // Regrouped dimensions (37x1x192 -> 37x3x64): through one dimension.
      auto all = [](int64_t rank) {
        ReassociationIndices group;
        for (int64_t d = 0; d < rank; ++d)
          group.push_back(d);
        return SmallVector<ReassociationIndices>{group};
      };
      Value flat = tensor::CollapseShapeOp::create(
          rewriter, op.getLoc(), adaptor.getInput(), all(source.getRank()));
      rewriter.replaceOpWithNewOp<tensor::ExpandShapeOp>(
          op, result, flat, all(result.getRank()));
      return success();
    }
    if (!reassociation)
      return unsupported(op, "only reshapes that collapse or expand "
                             "contiguous dimensions (or static shapes)");
    if (result.getRank() < source.getRank())
      rewriter.replaceOpWithNewOp<tensor::CollapseShapeOp>(
          op, result, adaptor.getInput(), *reassociation);
    else
      rewriter.replaceOpWithNewOp<tensor::ExpandShapeOp>(
          op, result, adaptor.getInput(), *reassociation);
    return success();
  }
};

struct ConvertTranspose : OpConversionPattern<TransposeOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(TransposeOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    auto result =
        cast<RankedTensorType>(getTypeConverter()->convertType(op.getType()));
    SmallVector<Value> dynamic;
    for (int64_t d = 0; d < result.getRank(); ++d)
      if (result.isDynamicDim(d))
        dynamic.push_back(tensor::DimOp::create(
            rewriter, op.getLoc(), adaptor.getInput(), op.getPerm()[d]));
    Value empty =
        tensor::EmptyOp::create(rewriter, op.getLoc(), result.getShape(),
                                result.getElementType(), dynamic);
    auto transpose = linalg::TransposeOp::create(
        rewriter, op.getLoc(), adaptor.getInput(), empty, op.getPerm());
    rewriter.replaceOp(op, transpose.getResult());
    return success();
  }
};

/// Dimension `d` of `v`: an attribute if static, read if dynamic.
OpFoldResult sizeOf(OpBuilder &b, Location loc, Value v, int64_t d) {
  RankedTensorType type = tensorType(v);
  if (type.isDynamicDim(d))
    return tensor::DimOp::create(b, loc, v, d).getResult();
  return b.getIndexAttr(type.getDimSize(d));
}

SmallVector<OpFoldResult> sizesOf(OpBuilder &b, Location loc, Value v) {
  SmallVector<OpFoldResult> sizes;
  for (int64_t d = 0; d < tensorType(v).getRank(); ++d)
    sizes.push_back(sizeOf(b, loc, v, d));
  return sizes;
}

Value indexValue(OpBuilder &b, Location loc, OpFoldResult v) {
  if (auto attr = dyn_cast<Attribute>(v))
    return arith::ConstantIndexOp::create(b, loc,
                                          cast<IntegerAttr>(attr).getInt());
  return cast<Value>(v);
}

/// Concatenation (on the integer path, of values of one quantized type:
/// their stored integers): each input inserted at its offset along the
/// axis.
struct ConvertConcat : OpConversionPattern<ConcatOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(ConcatOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    auto result =
        cast<RankedTensorType>(getTypeConverter()->convertType(op.getType()));
    ValueRange inputs = adaptor.getInputs();
    if (llvm::any_of(inputs, [&](Value v) {
          return tensorType(v).getElementType() != result.getElementType();
        }))
      return unsupported(op, "only inputs of the result's element type");
    Location loc = op.getLoc();
    const int64_t axis = op.getAxis();
    const int64_t rank = result.getRank();
    // The offset of each input along the axis, and the result's size there.
    SmallVector<OpFoldResult> offsets;
    OpFoldResult offset = rewriter.getIndexAttr(0);
    for (Value in : inputs) {
      offsets.push_back(offset);
      OpFoldResult size = sizeOf(rewriter, loc, in, axis);
      auto a = getConstantIntValue(offset), s = getConstantIntValue(size);
      if (a && s)
        offset = rewriter.getIndexAttr(*a + *s);
      else if (a == 0)
        offset = size;
      else
        offset = arith::AddIOp::create(rewriter, loc,
                                       indexValue(rewriter, loc, offset),
                                       indexValue(rewriter, loc, size))
                     .getResult();
    }
    SmallVector<Value> dynamic;
    for (int64_t d = 0; d < rank; ++d)
      if (result.isDynamicDim(d))
        dynamic.push_back(d == axis ? indexValue(rewriter, loc, offset)
                                    : tensor::DimOp::create(rewriter, loc,
                                                            inputs.front(), d)
                                          .getResult());
    Value out = tensor::EmptyOp::create(rewriter, loc, result.getShape(),
                                        result.getElementType(), dynamic);
    SmallVector<OpFoldResult> ones(rank, rewriter.getIndexAttr(1));
    for (auto [in, at] : llvm::zip(inputs, offsets)) {
      SmallVector<OpFoldResult> where(rank, rewriter.getIndexAttr(0));
      where[axis] = at;
      out = tensor::InsertSliceOp::create(rewriter, loc, in, out, where,
                                          sizesOf(rewriter, loc, in), ones);
    }
    rewriter.replaceOp(op, out);
    return success();
  }
};

/// Split: each result a slice of the input along the axis.
struct ConvertSplit : OpConversionPattern<SplitOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(SplitOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    const int64_t axis = op.getAxis();
    Value input = adaptor.getInput();
    const int64_t rank = tensorType(input).getRank();
    SmallVector<Value> parts;
    int64_t start = 0;
    for (Value part : op.getOutputs()) {
      auto type =
          cast<RankedTensorType>(getTypeConverter()->convertType(part.getType()));
      // An empty part (ONNX allows zero-size splits) reads nothing.
      if (type.getDimSize(axis) == 0) {
        parts.push_back(emptyLike(rewriter, loc, type, input));
        continue;
      }
      SmallVector<OpFoldResult> offsets(rank, rewriter.getIndexAttr(0));
      offsets[axis] = rewriter.getIndexAttr(start);
      SmallVector<OpFoldResult> sizes = sizesOf(rewriter, loc, input);
      sizes[axis] = rewriter.getIndexAttr(type.getDimSize(axis));
      parts.push_back(tensor::ExtractSliceOp::create(
          rewriter, loc, type, input, offsets, sizes,
          SmallVector<OpFoldResult>(rank, rewriter.getIndexAttr(1))));
      start += type.getDimSize(axis);
    }
    rewriter.replaceOp(op, parts);
    return success();
  }
};

/// Slice, with the interpreter's (and ONNX's) clamping of starts and ends:
/// positive steps as one tensor.extract_slice, negative ones as a
/// linalg.generic reading index `first + step * i` of each dimension.
struct ConvertSlice : OpConversionPattern<SliceOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(SliceOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    auto result =
        cast<RankedTensorType>(getTypeConverter()->convertType(op.getType()));
    Value input = adaptor.getInput();
    RankedTensorType inputType = tensorType(input);
    const int64_t rank = inputType.getRank();
    Location loc = op.getLoc();
    SmallVector<int64_t> first(rank), steps(op.getSteps());
    for (int64_t d = 0; d < rank; ++d) {
      int64_t s = op.getStarts()[d], e = op.getEnds()[d];
      if (inputType.isDynamicDim(d)) {
        // Unknown size: only the whole dimension.
        if (s != 0 || steps[d] != 1 || e < std::numeric_limits<int32_t>::max())
          return unsupported(op, "only whole dynamic dimensions (a static "
                                 "shape: qc-set-batch-size)");
        continue;
      }
      const int64_t dim = inputType.getDimSize(d);
      if (s < 0)
        s += dim;
      first[d] = steps[d] > 0 ? std::clamp<int64_t>(s, 0, dim)
                              : std::clamp<int64_t>(s, 0, std::max<int64_t>(dim - 1, 0));
      // One element: the step does not matter (INT64_MIN's included).
      if (result.getDimSize(d) == 1)
        steps[d] = 1;
    }
    // The result type holds the clamped counts (the verifier checks them).
    if (llvm::is_contained(result.getShape(), 0)) {
      rewriter.replaceOp(op, emptyLike(rewriter, loc, result, input));
      return success();
    }
    if (llvm::all_of(steps, [](int64_t s) { return s > 0; })) {
      SmallVector<OpFoldResult> offsets, sizes, strides;
      SmallVector<OpFoldResult> whole = sizesOf(rewriter, loc, input);
      for (int64_t d = 0; d < rank; ++d) {
        offsets.push_back(rewriter.getIndexAttr(first[d]));
        sizes.push_back(result.isDynamicDim(d)
                            ? whole[d]
                            : rewriter.getIndexAttr(result.getDimSize(d)));
        strides.push_back(rewriter.getIndexAttr(steps[d]));
      }
      rewriter.replaceOpWithNewOp<tensor::ExtractSliceOp>(
          op, result, input, offsets, sizes, strides);
      return success();
    }
    MLIRContext *ctx = getContext();
    SmallVector<AffineExpr> read;
    for (int64_t d = 0; d < rank; ++d)
      read.push_back(getAffineConstantExpr(first[d], ctx) +
                     getAffineDimExpr(d, ctx) * steps[d]);
    auto generic = linalg::GenericOp::create(
        rewriter, loc, result, input, emptyLike(rewriter, loc, result, input),
        ArrayRef<AffineMap>{AffineMap::get(rank, 0, read, ctx),
                            AffineMap::getMultiDimIdentityMap(rank, ctx)},
        parallel(rank), [](OpBuilder &b, Location l, ValueRange args) {
          linalg::YieldOp::create(b, l, args[0]);
        });
    rewriter.replaceOp(op, generic.getResult(0));
    return success();
  }
};

/// Gather: each result element reads data at its outer and inner indices
/// and, along the axis, at the index read from `indices` (negative ones
/// count from the end). The interpreter reports an index out of range;
/// compiled code cannot, and clamps it into the dimension instead, so that
/// it never reads outside `data`.
struct ConvertGather : OpConversionPattern<GatherOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(GatherOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    auto result =
        cast<RankedTensorType>(getTypeConverter()->convertType(op.getType()));
    Value data = adaptor.getData(), indices = adaptor.getIndices();
    auto indexType = dyn_cast<IntegerType>(tensorType(indices).getElementType());
    if (!indexType || !indexType.isSignless())
      return unsupported(op, "only signless integer indices");
    Location loc = op.getLoc();
    MLIRContext *ctx = getContext();
    const int64_t axis = op.getAxis();
    const int64_t q = tensorType(indices).getRank();
    const int64_t rank = result.getRank();
    Value dim = tensor::DimOp::create(rewriter, loc, data, axis);
    SmallVector<AffineExpr> indexExprs;
    for (int64_t j = 0; j < q; ++j)
      indexExprs.push_back(getAffineDimExpr(axis + j, ctx));
    // Dynamic result sizes: outer and inner from data, the rest from indices.
    SmallVector<Value> dynamic;
    for (int64_t d = 0; d < rank; ++d) {
      if (!result.isDynamicDim(d))
        continue;
      if (d < axis)
        dynamic.push_back(tensor::DimOp::create(rewriter, loc, data, d));
      else if (d < axis + q)
        dynamic.push_back(tensor::DimOp::create(rewriter, loc, indices, d - axis));
      else
        dynamic.push_back(tensor::DimOp::create(rewriter, loc, data, d - q + 1));
    }
    Value init = tensor::EmptyOp::create(rewriter, loc, result.getShape(),
                                         result.getElementType(), dynamic);
    auto generic = linalg::GenericOp::create(
        rewriter, loc, result, indices, init,
        ArrayRef<AffineMap>{AffineMap::get(rank, 0, indexExprs, ctx),
                            AffineMap::getMultiDimIdentityMap(rank, ctx)},
        parallel(rank), [&](OpBuilder &b, Location l, ValueRange args) {
          Value i = arith::IndexCastOp::create(b, l, b.getIndexType(), args[0]);
          Value zero = arith::ConstantIndexOp::create(b, l, 0);
          Value negative =
              arith::CmpIOp::create(b, l, arith::CmpIPredicate::slt, i, zero);
          i = arith::SelectOp::create(b, l, negative,
                                      arith::AddIOp::create(b, l, i, dim), i);
          i = arith::MaxSIOp::create(b, l, i, zero);
          i = arith::MinSIOp::create(
              b, l, i,
              arith::SubIOp::create(b, l, dim,
                                    arith::ConstantIndexOp::create(b, l, 1)));
          SmallVector<Value> at;
          for (int64_t d = 0; d < axis; ++d)
            at.push_back(linalg::IndexOp::create(b, l, d));
          at.push_back(i);
          for (int64_t d = axis + q; d < rank; ++d)
            at.push_back(linalg::IndexOp::create(b, l, d));
          linalg::YieldOp::create(
              b, l, tensor::ExtractOp::create(b, l, data, at).getResult());
        });
    rewriter.replaceOp(op, generic.getResult(0));
    return success();
  }
};

/// ONNX Expand: a linalg.generic reading the input's size-1 dimensions at
/// index 0.
struct ConvertExpand : OpConversionPattern<ExpandOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(ExpandOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    auto result =
        cast<RankedTensorType>(getTypeConverter()->convertType(op.getType()));
    Value input = adaptor.getInput();
    RankedTensorType inputType = tensorType(input);
    MLIRContext *ctx = getContext();
    const int64_t rank = result.getRank();
    const int64_t offset = rank - inputType.getRank();
    SmallVector<AffineExpr> inputExprs;
    for (int64_t d = 0; d < inputType.getRank(); ++d)
      inputExprs.push_back(inputType.getDimSize(d) == 1
                               ? getAffineConstantExpr(0, ctx)
                               : getAffineDimExpr(d + offset, ctx));
    Value init = tensor::EmptyOp::create(rewriter, op.getLoc(),
                                         result.getShape(),
                                         result.getElementType(),
                                         adaptor.getSizes());
    auto generic = linalg::GenericOp::create(
        rewriter, op.getLoc(), result, input, init,
        ArrayRef<AffineMap>{AffineMap::get(rank, 0, inputExprs, ctx),
                            AffineMap::getMultiDimIdentityMap(rank, ctx)},
        parallel(rank), [](OpBuilder &b, Location l, ValueRange args) {
          linalg::YieldOp::create(b, l, args[0]);
        });
    rewriter.replaceOp(op, generic.getResult(0));
    return success();
  }
};

} // namespace

void qcc::qc_to_linalg::populateShapePatterns(const TypeConverter &converter,
                                    RewritePatternSet &patterns) {
  patterns.add<ConvertReshape, ConvertTranspose, ConvertConcat, ConvertSplit,
               ConvertSlice, ConvertGather, ConvertExpand>(converter, patterns.getContext());
}
