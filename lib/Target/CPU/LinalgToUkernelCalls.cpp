//===- LinalgToUkernelCalls.cpp - int8 linalg ops to kernel calls ---------===//

#include "qcc/Target/CPU/Passes.h"

#include "UkernelSupport.h"
#include "qcc/Conversion/QCToLinalg.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/SymbolTable.h"
#include "mlir/IR/TypeUtilities.h"

namespace qcc::cpu {
#define GEN_PASS_DEF_CPULINALGTOUKERNELCALLS
#include "qcc/Target/CPU/Passes.h.inc"
} // namespace qcc::cpu

using namespace mlir;
using namespace qcc::cpu;

namespace {

bool contiguous(Value v) {
  auto type = dyn_cast<MemRefType>(v.getType());
  return type && type.getLayout().isIdentity();
}

/// The int8 batched product convert-qc-to-linalg emits for every integer
/// matrix product: loops (b, m, p, k), C[b, m, p] += sext(A[m, k]) *
/// sext(B[b, k, p]) with int8 A and B and an int32 C.
bool isInt8BatchedMatmul(linalg::GenericOp op) {
  if (op.getNumDpsInputs() != 2 || op.getNumDpsInits() != 1 ||
      op.getNumLoops() != 4)
    return false;
  auto elementIs = [&](unsigned operand, unsigned bits) {
    return getElementTypeOrSelf(op->getOperand(operand).getType())
        .isSignlessInteger(bits);
  };
  if (!elementIs(0, 8) || !elementIs(1, 8) || !elementIs(2, 32))
    return false;
  using utils::IteratorType;
  if (ArrayRef(op.getIndexingMapsArray()) !=
          ArrayRef(qcc::getBatchedMatmulIndexingMaps(op.getContext())) ||
      op.getIteratorTypesArray() !=
          SmallVector<IteratorType>{
              IteratorType::parallel, IteratorType::parallel,
              IteratorType::parallel, IteratorType::reduction})
    return false;
  // yield(acc + sext(a) * sext(b)), nothing else in the body.
  Block &body = op.getRegion().front();
  if (body.getOperations().size() != 5)
    return false;
  auto yield = cast<linalg::YieldOp>(body.getTerminator());
  auto add = yield.getValues()[0].getDefiningOp<arith::AddIOp>();
  if (!add || add.getLhs() != body.getArgument(2))
    return false;
  auto mul = add.getRhs().getDefiningOp<arith::MulIOp>();
  if (!mul)
    return false;
  auto extendedArg = [&](Value v, unsigned arg) {
    auto ext = v.getDefiningOp<arith::ExtSIOp>();
    return ext && ext.getIn() == body.getArgument(arg);
  };
  return extendedArg(mul.getLhs(), 0) && extendedArg(mul.getRhs(), 1);
}

/// An int8 convolution into an int32 accumulator (the named op extends its
/// operands as signed).
bool isInt8Conv(linalg::Conv2DNchwFchwOp op) {
  auto elementIs = [&](Value v, unsigned bits) {
    return getElementTypeOrSelf(v.getType()).isSignlessInteger(bits);
  };
  return elementIs(op.getInputs()[0], 8) && elementIs(op.getInputs()[1], 8) &&
         elementIs(op.getOutputs()[0], 32);
}

/// int8 max pooling: qcc_ukernel_max_pool2d_s8 (the window loops would
/// compare one byte at a time). Its init is the fill of -128 that
/// convert-qc-to-linalg emits, which every window's maximum overwrites.
bool isInt8MaxPool(linalg::PoolingNchwMaxOp op) {
  return getElementTypeOrSelf(op.getInputs()[0].getType())
             .isSignlessInteger(8) &&
         getElementTypeOrSelf(op.getOutputs()[0].getType())
             .isSignlessInteger(8) &&
         cast<ShapedType>(op.getInputs()[1].getType()).hasStaticShape();
}

struct CPULinalgToUkernelCallsPass
    : qcc::cpu::impl::CPULinalgToUkernelCallsBase<CPULinalgToUkernelCallsPass> {
  void runOnOperation() override {
    ModuleOp module = getOperation();
    SmallVector<linalg::LinalgOp> kernels;
    module.walk([&](linalg::LinalgOp op) {
      auto generic = dyn_cast<linalg::GenericOp>(op.getOperation());
      auto conv = dyn_cast<linalg::Conv2DNchwFchwOp>(op.getOperation());
      auto pool = dyn_cast<linalg::PoolingNchwMaxOp>(op.getOperation());
      if (op.hasPureBufferSemantics() &&
          ((generic && isInt8BatchedMatmul(generic)) ||
           (conv && isInt8Conv(conv)) || (pool && isInt8MaxPool(pool))))
        kernels.push_back(op);
    });
    MLIRContext *ctx = &getContext();
    auto i8 = IntegerType::get(ctx, 8), i32 = IntegerType::get(ctx, 32),
         i64 = IntegerType::get(ctx, 64);
    for (linalg::LinalgOp op : kernels) {
      OpBuilder b(op);
      Location loc = op.getLoc();
      if (auto pool = dyn_cast<linalg::PoolingNchwMaxOp>(op.getOperation())) {
        Value input = pool.getInputs()[0], output = pool.getOutputs()[0];
        if (!contiguous(input) || !contiguous(output))
          continue;
        SmallVector<Type> types = {getAnyStridedMemRefType(4, i8),
                                   getAnyStridedMemRefType(4, i8)};
        SmallVector<Value> args = {
            memref::CastOp::create(b, loc, types[0], input),
            memref::CastOp::create(b, loc, types[1], output)};
        auto i64Arg = [&](int64_t v) {
          args.push_back(
              arith::ConstantOp::create(b, loc, b.getI64IntegerAttr(v)));
          types.push_back(i64);
        };
        for (int64_t v :
             cast<ShapedType>(pool.getInputs()[1].getType()).getShape())
          i64Arg(v);
        for (auto attr : {pool.getStrides(), pool.getDilations()})
          for (APInt v : attr.getValues<APInt>())
            i64Arg(v.getSExtValue());
        for (int64_t v : {0, 0, 0, 0, -128}) // the input is padded already
          i64Arg(v);
        func::CallOp::create(
            b, loc,
            getOrDeclareKernel(b, module, "qcc_ukernel_max_pool2d_s8", types),
            args);
        op->erase();
        continue;
      }
      if (!llvm::all_of(op->getOperands(), contiguous))
        continue; // stays a linalg op: loops
      SmallVector<Type> types;
      SmallVector<Value> args;
      StringRef callee;
      if (isa<linalg::GenericOp>(op)) {
        callee = "qcc_ukernel_matmul";
        types = {getAnyStridedMemRefType(2, i8), getAnyStridedMemRefType(3, i8),
                 getAnyStridedMemRefType(3, i32)};
      } else {
        callee = "qcc_ukernel_conv2d";
        types = {getAnyStridedMemRefType(4, i8),
                 getAnyStridedMemRefType(4, i8),
                 getAnyStridedMemRefType(4, i32),
                 i64,
                 i64,
                 i64,
                 i64,
                 i64};
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
