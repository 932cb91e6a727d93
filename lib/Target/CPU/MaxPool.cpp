//===- MaxPool.cpp - int8 max pooling as one kernel call ------------------===//
//
// The CPU target's conversion of int8 qc.max_pool (2-d, static shapes) to
// one call of qcc_ukernel_max_pool2d_s8 that reads the input padded
// (qcc_ukernel_padding: the pads of -128, with ceil_mode's extra end rows
// and columns) instead of a padded copy: convert-qc-to-linalg's lowering
// fills a padded buffer and copies the input into it on one thread before
// the pooling reads it (GoogLeNet pools nine padded inputs). Same values:
// padding never wins the maximum.
//
//===----------------------------------------------------------------------===//

#include "UkernelPatterns.h"

#include "UkernelSupport.h"
#include "qcc/Conversion/QCToLinalg.h"
#include "qcc/Dialect/QC/IR/QCOps.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Quant/IR/QuantTypes.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"

using namespace mlir;
using namespace qcc;
using namespace qcc::cpu;

namespace {

struct ConvertInt8MaxPool : OpConversionPattern<qc::MaxPoolOp> {
  ConvertInt8MaxPool(const TypeConverter &converter, MLIRContext *ctx)
      : OpConversionPattern(converter, ctx, /*benefit=*/2) {}
  LogicalResult
  matchAndRewrite(qc::MaxPoolOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    auto input = dyn_cast<RankedTensorType>(adaptor.getInput().getType());
    auto result = dyn_cast_or_null<RankedTensorType>(
        getTypeConverter()->convertType(op.getType()));
    // Signed int8 only (unsigned storage compares differently).
    Type original = getElementTypeOrSelf(op.getInput().getType());
    const bool isSigned =
        isa<quant::QuantizedType>(original)
            ? cast<quant::QuantizedType>(original).isSigned()
            : !original.isUnsignedInteger();
    if (!input || !result || !isSigned || input.getRank() != 4 ||
        !input.hasStaticShape() || !result.hasStaticShape() ||
        !input.getElementType().isSignlessInteger(8) ||
        !result.getElementType().isSignlessInteger(8) ||
        op.getKernelShape().size() != 2)
      return failure();
    if (op.getPads().size() != 4)
      return failure();
    const SmallVector<int64_t> pads = getMaxPoolPads(
        op.getPads(), op.getCeilMode(), input.getShape().drop_front(2),
        result.getShape().drop_front(2), op.getKernelShape(), op.getStrides(),
        op.getDilations());
    if (llvm::any_of(pads, [](int64_t p) { return p < 0; }))
      return failure();

    Location loc = op.getLoc();
    auto i8 = rewriter.getI8Type();
    auto anyPlanes = getAnyStridedMemRefType(4, i8);
    Value out = memref::AllocOp::create(
        rewriter, loc, MemRefType::get(result.getShape(), i8),
        rewriter.getI64IntegerAttr(64));
    SmallVector<Value> args = {
        getReadOnlyBuffer(rewriter, loc, adaptor.getInput()),
        memref::CastOp::create(rewriter, loc, anyPlanes, out)};
    auto i64Arg = [&](int64_t v) {
      args.push_back(arith::ConstantOp::create(rewriter, loc,
                                               rewriter.getI64IntegerAttr(v)));
    };
    for (ArrayRef<int64_t> values :
         {op.getKernelShape(), op.getStrides(), op.getDilations()})
      for (int64_t v : values)
        i64Arg(v);
    for (int64_t v : {pads[0], pads[1], pads[2], pads[3], int64_t(-128)})
      i64Arg(v);
    func::CallOp::create(rewriter, loc,
                         getOrDeclareKernel(rewriter,
                                            op->getParentOfType<ModuleOp>(),
                                            "qcc_ukernel_max_pool2d_s8",
                                            ValueRange(args).getTypes()),
                         args);
    rewriter.replaceOp(op, getKernelResultTensor(rewriter, loc, result, out));
    return success();
  }
};

} // namespace

void qcc::cpu::populateMaxPoolPatterns(const TypeConverter &converter,
                                       RewritePatternSet &patterns) {
  patterns.add<ConvertInt8MaxPool>(converter, patterns.getContext());
}
