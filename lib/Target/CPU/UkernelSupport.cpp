//===- UkernelSupport.cpp - Declaring and calling the CPU micro-kernels ---===//

#include "UkernelSupport.h"

#include "mlir/Dialect/Bufferization/IR/Bufferization.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"

using namespace mlir;

MemRefType qcc::cpu::getAnyStridedMemRefType(int64_t rank, Type element) {
  SmallVector<int64_t> dynamic(rank, ShapedType::kDynamic);
  return MemRefType::get(dynamic, element,
                         StridedLayoutAttr::get(element.getContext(),
                                                ShapedType::kDynamic, dynamic));
}

Value qcc::cpu::getKernelResultTensor(OpBuilder &builder, Location loc,
                                     RankedTensorType type, Value buffer) {
  return bufferization::ToTensorOp::create(builder, loc, type, buffer,
                                           builder.getUnitAttr(),
                                           builder.getUnitAttr());
}

Value qcc::cpu::getReadOnlyBuffer(OpBuilder &builder, Location loc, Value tensor) {
  auto type = cast<RankedTensorType>(tensor.getType());
  Value buffer = bufferization::ToBufferOp::create(
      builder, loc, MemRefType::get(type.getShape(), type.getElementType()),
      tensor, /*read_only=*/true);
  return memref::CastOp::create(
      builder, loc,
      getAnyStridedMemRefType(type.getRank(), type.getElementType()), buffer);
}

func::FuncOp qcc::cpu::getOrDeclareKernel(OpBuilder &builder, ModuleOp module,
                                     StringRef name, TypeRange types) {
  if (auto existing = module.lookupSymbol<func::FuncOp>(name))
    return existing;
  OpBuilder::InsertionGuard guard(builder);
  builder.setInsertionPointToStart(module.getBody());
  auto callee = func::FuncOp::create(builder, module.getLoc(), name,
                                     builder.getFunctionType(types, {}));
  callee.setPrivate();
  callee->setAttr("llvm.emit_c_interface", UnitAttr::get(module.getContext()));
  return callee;
}
