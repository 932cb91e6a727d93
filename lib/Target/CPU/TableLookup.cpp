//===- TableLookup.cpp - int8 table lookups as kernel calls ---------------===//
//
// The CPU target's conversion of qc.table with int8 input, int8 table and
// int8 result (the integer-only activations: SiLU, hard-swish, sigmoid,
// GELU) to one call of qcc_ukernel_lookup_s8 on the flattened tensor. As
// generated loops a lookup is a scalar load per element, or a vector gather
// LLVM assembles from byte extracts and inserts; the kernel keeps the table
// in registers (Ukernel/Lookup.c). Same values: out = table[x + 128].
//
//===----------------------------------------------------------------------===//

#include "UkernelPatterns.h"

#include "UkernelSupport.h"
#include "qcc/Dialect/QC/IR/QCOps.h"

#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"

using namespace mlir;
using namespace qcc;
using namespace qcc::cpu;

namespace {

struct ConvertTableLookup : OpConversionPattern<qc::TableOp> {
  ConvertTableLookup(const TypeConverter &converter, MLIRContext *ctx)
      : OpConversionPattern(converter, ctx, /*benefit=*/2) {}
  LogicalResult
  matchAndRewrite(qc::TableOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    auto input = dyn_cast<RankedTensorType>(adaptor.getInput().getType());
    auto table = dyn_cast<RankedTensorType>(adaptor.getTable().getType());
    auto result = dyn_cast_or_null<RankedTensorType>(
        getTypeConverter()->convertType(op.getType()));
    auto isI8 = [](RankedTensorType t) {
      return t && t.getElementType().isSignlessInteger(8);
    };
    if (!isI8(input) || !isI8(table) || !isI8(result) ||
        !input.hasStaticShape() || input.getRank() < 1 ||
        table.getShape() != ArrayRef<int64_t>{256})
      return failure();
    Location loc = op.getLoc();
    const int64_t n = input.getNumElements();
    ReassociationIndices all;
    for (int64_t d = 0; d < input.getRank(); ++d)
      all.push_back(d);
    Value flat = tensor::CollapseShapeOp::create(
        rewriter, loc, adaptor.getInput(), ArrayRef<ReassociationIndices>{all});
    auto i8 = rewriter.getI8Type();
    auto anyRow = getAnyStridedMemRefType(1, i8);
    Value out = memref::AllocOp::create(rewriter, loc, MemRefType::get({n}, i8),
                                        rewriter.getI64IntegerAttr(64));
    SmallVector<Value> args = {
        getReadOnlyBuffer(rewriter, loc, flat),
        getReadOnlyBuffer(rewriter, loc, adaptor.getTable()),
        memref::CastOp::create(rewriter, loc, anyRow, out)};
    func::CallOp::create(rewriter, loc,
                         getOrDeclareKernel(rewriter,
                                            op->getParentOfType<ModuleOp>(),
                                            "qcc_ukernel_lookup_s8",
                                            ValueRange(args).getTypes()),
                         args);
    Value looked = getKernelResultTensor(
        rewriter, loc, RankedTensorType::get({n}, i8), out);
    rewriter.replaceOpWithNewOp<tensor::ExpandShapeOp>(
        op, result, looked, ArrayRef<ReassociationIndices>{all});
    return success();
  }
};

} // namespace

void qcc::cpu::populateTableLookupPatterns(const TypeConverter &converter,
                                           RewritePatternSet &patterns) {
  patterns.add<ConvertTableLookup>(converter, patterns.getContext());
}
