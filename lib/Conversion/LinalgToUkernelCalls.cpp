//===- LinalgToUkernelCalls.cpp - Marked linalg ops to kernel calls -------===//

#include "qcc/Conversion/Passes.h"

#include "UkernelSupport.h"

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/SymbolTable.h"

namespace qcc {
#define GEN_PASS_DEF_CONVERTLINALGTOUKERNELCALLS
#include "qcc/Conversion/Passes.h.inc"
} // namespace qcc

using namespace mlir;
using namespace qcc;

namespace {

bool contiguous(Value v) {
  auto type = dyn_cast<MemRefType>(v.getType());
  return type && type.getLayout().isIdentity();
}

struct ConvertLinalgToUkernelCallsPass
    : qcc::impl::ConvertLinalgToUkernelCallsBase<
          ConvertLinalgToUkernelCallsPass> {
  void runOnOperation() override {
    ModuleOp module = getOperation();
    SmallVector<linalg::LinalgOp> marked;
    module.walk([&](linalg::LinalgOp op) {
      if (op->hasAttr(qcc::kUkernelAttrName))
        marked.push_back(op);
    });
    MLIRContext *ctx = &getContext();
    auto i8 = IntegerType::get(ctx, 8), i32 = IntegerType::get(ctx, 32),
         i64 = IntegerType::get(ctx, 64);
    for (linalg::LinalgOp op : marked) {
      auto kind = op->getAttrOfType<StringAttr>(qcc::kUkernelAttrName);
      if (!op.hasPureBufferSemantics()) {
        op->emitError() << "convert-linalg-to-ukernel-calls: '" << kind
                        << "' op is not bufferized";
        return signalPassFailure();
      }
      if (!llvm::all_of(op->getOperands(), contiguous))
        continue; // stays a linalg op: loops
      OpBuilder b(op);
      Location loc = op.getLoc();
      SmallVector<Type> types;
      SmallVector<Value> args;
      StringRef callee;
      if (kind.getValue() == qcc::kMatmulS8S8S32 &&
          isa<linalg::GenericOp>(op)) {
        callee = "qcc_ukernel_matmul";
        types = {getAnyStridedMemRefType(2, i8), getAnyStridedMemRefType(3, i8), getAnyStridedMemRefType(3, i32)};
      } else if (kind.getValue() == qcc::kConv2DNchwS8S8S32 &&
                 isa<linalg::Conv2DNchwFchwOp>(op)) {
        callee = "qcc_ukernel_conv2d";
        types = {getAnyStridedMemRefType(4, i8),
                 getAnyStridedMemRefType(4, i8),
                 getAnyStridedMemRefType(4, i32),
                 i64,
                 i64,
                 i64,
                 i64,
                 i64};
      } else {
        op->emitError() << "convert-linalg-to-ukernel-calls: unknown kernel '"
                        << kind << "' for " << op->getName();
        return signalPassFailure();
      }
      for (auto [operand, type] : llvm::zip(op->getOperands(), types))
        args.push_back(memref::CastOp::create(b, loc, type, operand));
      if (auto conv = dyn_cast<linalg::Conv2DNchwFchwOp>(op.getOperation())) {
        for (auto attr : {conv.getStrides(), conv.getDilations()})
          for (APInt v : attr.getValues<APInt>())
            args.push_back(arith::ConstantOp::create(
                b, loc, b.getI64IntegerAttr(v.getSExtValue())));
        // Weights read from a constant global never change: the kernel
        // packs them once.
        bool constant = false;
        if (auto global =
                conv.getInputs()[1].getDefiningOp<memref::GetGlobalOp>())
          if (auto decl =
                  SymbolTable::lookupNearestSymbolFrom<memref::GlobalOp>(
                      global, global.getNameAttr()))
            constant = decl.getConstant();
        args.push_back(arith::ConstantOp::create(
            b, loc, b.getI64IntegerAttr(constant ? 1 : 0)));
      }
      func::CallOp::create(b, loc, getOrDeclareKernel(b, module, callee, types),
                           args);
      op->erase();
    }
  }
};

} // namespace
