//===- MaxPool.cpp - int8 and f32 max pooling as one kernel call ----------===//
//
// The CPU target's conversion of int8 and f32 qc.max_pool (2-d, static
// shapes) to one call of qcc_ukernel_max_pool2d_s8 or _f32 that reads the
// input padded (qcc_ukernel_padding: the pads of -128 or -inf, with
// ceil_mode's extra end rows and columns) instead of a padded copy:
// convert-qc-to-linalg's lowering fills a padded buffer and copies the
// input into it on one thread before window loops that compare one element
// at a time read it (GoogLeNet pools nine padded inputs; a third of its f32
// latency). Same values: padding never wins the maximum, and the f32
// kernel's maximum is the loops' arith.maximumf (NaN kept, +0 above -0).
//
//===----------------------------------------------------------------------===//

#include "UkernelPatterns.h"

#include "UkernelSupport.h"
#include "qcc/Conversion/QCToLinalg.h"
#include "qcc/Dialect/QC/IR/QCOps.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/Quant/IR/QuantTypes.h"

using namespace mlir;
using namespace qcc;
using namespace qcc::cpu;

namespace {

struct ConvertMaxPool : OpConversionPattern<qc::MaxPoolOp> {
  ConvertMaxPool(const TypeConverter &converter, MLIRContext *ctx)
      : OpConversionPattern(converter, ctx, /*benefit=*/2) {}
  LogicalResult
  matchAndRewrite(qc::MaxPoolOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    auto input = dyn_cast<RankedTensorType>(adaptor.getInput().getType());
    auto result = dyn_cast_or_null<RankedTensorType>(
        getTypeConverter()->convertType(op.getType()));
    if (!input || !result || input.getRank() != 4 || !input.hasStaticShape() ||
        !result.hasStaticShape() ||
        input.getElementType() != result.getElementType() ||
        op.getKernelShape().size() != 2)
      return failure();
    // Signed int8 (unsigned storage compares differently) or f32.
    Type element = input.getElementType();
    Type original = getElementTypeOrSelf(op.getInput().getType());
    const bool isSigned = isa<quant::QuantizedType>(original)
                              ? cast<quant::QuantizedType>(original).isSigned()
                              : !original.isUnsignedInteger();
    const bool isFloat = element.isF32();
    if (!isFloat && !(element.isSignlessInteger(8) && isSigned))
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
    auto anyPlanes = getAnyStridedMemRefType(4, element);
    Value out = memref::AllocOp::create(
        rewriter, loc, MemRefType::get(result.getShape(), element),
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
    for (int64_t v : {pads[0], pads[1], pads[2], pads[3]})
      i64Arg(v);
    if (!isFloat) // the int8 padding value; f32 pads with -inf
      i64Arg(-128);
    func::CallOp::create(
        rewriter, loc,
        getOrDeclareKernel(rewriter, op->getParentOfType<ModuleOp>(),
                           isFloat ? "qcc_ukernel_max_pool2d_f32"
                                   : "qcc_ukernel_max_pool2d_s8",
                           ValueRange(args).getTypes()),
        args);
    rewriter.replaceOp(op, getKernelResultTensor(rewriter, loc, result, out));
    return success();
  }
};

} // namespace

void qcc::cpu::populateMaxPoolPatterns(const TypeConverter &converter,
                                       RewritePatternSet &patterns) {
  patterns.add<ConvertMaxPool>(converter, patterns.getContext());
}
