//===- MemRefCopyToLinalg.cpp - memref.copy as linalg.copy ----------------===//
//
// memref.copy lowers to an LLVM memcpy only between contiguous buffers;
// otherwise to a call of the C runner utilities' memrefCopy, which compiled
// models must not depend on. Copies into or out of a window of a larger
// buffer (bufferized tensor.pad, insert_slice, extract_slice) become loops
// of row memcpys when both sides' rows are contiguous and of static length,
// and linalg.copy (loops like every other linalg op) otherwise.
//
//===----------------------------------------------------------------------===//

#include "qcc/Conversion/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/MemRef/Utils/MemRefUtils.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace qcc {
#define GEN_PASS_DEF_CONVERTMEMREFCOPYTOLINALG
#include "qcc/Conversion/Passes.h.inc"
} // namespace qcc

using namespace mlir;

namespace {

/// Whether memref.copy lowers to an LLVM memcpy on `type` (as
/// MemRefToLLVM decides).
bool lowersToMemcpy(Type type) {
  auto memref = dyn_cast<MemRefType>(type);
  return memref && (memref.getLayout().isIdentity() ||
                    (memref.hasStaticShape() && memref.getNumElements() > 0 &&
                     memref::isStaticShapeAndContiguousRowMajor(memref)));
}

/// Whether `type`'s innermost dimension is contiguous and of static size.
bool hasContiguousRows(Type type) {
  auto memref = dyn_cast<MemRefType>(type);
  if (!memref || memref.getRank() < 2 ||
      ShapedType::isDynamic(memref.getShape().back()))
    return false;
  SmallVector<int64_t> strides;
  int64_t offset;
  return succeeded(memref.getStridesAndOffset(strides, offset)) &&
         strides.back() == 1;
}

/// A copy between buffers whose rows are contiguous: one memcpy per row.
struct CopyRows : OpRewritePattern<memref::CopyOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(memref::CopyOp copy,
                                PatternRewriter &rewriter) const override {
    Value source = copy.getSource(), target = copy.getTarget();
    if ((lowersToMemcpy(source.getType()) &&
         lowersToMemcpy(target.getType())) ||
        !hasContiguousRows(source.getType()) ||
        !hasContiguousRows(target.getType()))
      return failure();
    Location loc = copy.getLoc();
    auto sourceType = cast<MemRefType>(source.getType());
    const int64_t rank = sourceType.getRank(),
                  length = sourceType.getShape().back();
    Value zero = arith::ConstantIndexOp::create(rewriter, loc, 0);
    Value one = arith::ConstantIndexOp::create(rewriter, loc, 1);
    SmallVector<Value> indices;
    for (int64_t d = 0; d + 1 < rank; ++d) {
      Value size = memref::DimOp::create(rewriter, loc, source, d);
      auto loop = scf::ForOp::create(rewriter, loc, zero, size, one);
      rewriter.setInsertionPointToStart(loop.getBody());
      indices.push_back(loop.getInductionVar());
    }
    auto row = [&](Value buffer) {
      SmallVector<OpFoldResult> offsets(indices.begin(), indices.end());
      offsets.push_back(rewriter.getIndexAttr(0));
      SmallVector<OpFoldResult> sizes(rank - 1, rewriter.getIndexAttr(1));
      sizes.push_back(rewriter.getIndexAttr(length));
      SmallVector<OpFoldResult> strides(rank, rewriter.getIndexAttr(1));
      auto type = memref::SubViewOp::inferRankReducedResultType(
          {length}, cast<MemRefType>(buffer.getType()), offsets, sizes,
          strides);
      return memref::SubViewOp::create(rewriter, loc, type, buffer, offsets,
                                       sizes, strides);
    };
    memref::CopyOp::create(rewriter, loc, row(source), row(target));
    rewriter.eraseOp(copy);
    return success();
  }
};

/// Any other copy that would not be a memcpy (with `windows`, any copy of
/// or into a window of a buffer, contiguous or not): loops.
struct CopyToLinalg : OpRewritePattern<memref::CopyOp> {
  CopyToLinalg(MLIRContext *context, bool windows, bool all)
      : OpRewritePattern(context), windows(windows), all(all) {}
  bool windows, all;
  LogicalResult matchAndRewrite(memref::CopyOp copy,
                                PatternRewriter &rewriter) const override {
    auto stays = [&](Type type) {
      return windows ? cast<MemRefType>(type).getLayout().isIdentity()
                     : lowersToMemcpy(type);
    };
    if (!all && stays(copy.getSource().getType()) &&
        stays(copy.getTarget().getType()))
      return failure();
    rewriter.replaceOpWithNewOp<linalg::CopyOp>(copy, copy.getSource(),
                                                copy.getTarget());
    return success();
  }
};

struct ConvertMemRefCopyToLinalgPass
    : qcc::impl::ConvertMemRefCopyToLinalgBase<ConvertMemRefCopyToLinalgPass> {
  using Base::Base;
  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    if (memcpyRows)
      patterns.add<CopyRows>(&getContext(), /*benefit=*/2);
    patterns.add<CopyToLinalg>(&getContext(), /*windows=*/!memcpyRows,
                               allCopies);
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      signalPassFailure();
  }
};

} // namespace
