//===- EmitInvoke.cpp - One entry point for every model's C API -----------===//

#include "qcc/Target/CPU/Passes.h"

#include "mlir/Dialect/LLVMIR/LLVMDialect.h"

namespace qcc::cpu {
#define GEN_PASS_DEF_CPUEMITINVOKE
#include "qcc/Target/CPU/Passes.h.inc"
} // namespace qcc::cpu

using namespace mlir;
using namespace qcc::cpu;

namespace {

struct CPUEmitInvokePass
    : qcc::cpu::impl::CPUEmitInvokeBase<CPUEmitInvokePass> {
  void runOnOperation() override {
    ModuleOp module = getOperation();
    const std::string interfaceName = ("_mlir_ciface_" + kEntryName).str();
    auto entry = module.lookupSymbol<LLVM::LLVMFuncOp>(interfaceName);
    if (!entry || entry.isExternal()) {
      module.emitError("no @")
          << interfaceName
          << " (run qcc-cpu-prepare-entry, and convert to the LLVM dialect, "
             "first)";
      return signalPassFailure();
    }
    MLIRContext *context = &getContext();
    auto ptr = LLVM::LLVMPointerType::get(context);
    LLVM::LLVMFunctionType type = entry.getFunctionType();
    if (!isa<LLVM::LLVMVoidType>(type.getReturnType()) ||
        !llvm::all_of(type.getParams(), [&](Type t) { return t == ptr; })) {
      entry.emitError("the entry's C interface takes other than memref "
                      "descriptors, or returns a value");
      return signalPassFailure();
    }
    OpBuilder b = OpBuilder::atBlockEnd(module.getBody());
    Location loc = entry.getLoc();
    auto invoke = LLVM::LLVMFuncOp::create(
        b, loc, "qcc_model_invoke",
        LLVM::LLVMFunctionType::get(LLVM::LLVMVoidType::get(context), {ptr}));
    b.setInsertionPointToStart(invoke.addEntryBlock(b));
    Value descriptors = invoke.getArgument(0);
    SmallVector<Value> args;
    for (unsigned i = 0; i < type.getNumParams(); ++i) {
      Value slot = LLVM::GEPOp::create(b, loc, ptr, ptr, descriptors,
                                       ArrayRef<LLVM::GEPArg>{int32_t(i)});
      args.push_back(LLVM::LoadOp::create(b, loc, ptr, slot));
    }
    LLVM::CallOp::create(b, loc, entry, args);
    LLVM::ReturnOp::create(b, loc, ValueRange{});
    // The buffers from the kernels' heap (Ukernel/Heap.c) alias nothing
    // else, as malloc's: without saying so, LLVM cannot hoist a loop's
    // loads of other buffers above its stores to a new one, nor vectorize
    // it.
    for (StringRef name :
         {"_mlir_memref_to_llvm_alloc", "_mlir_memref_to_llvm_aligned_alloc"})
      if (auto alloc = module.lookupSymbol<LLVM::LLVMFuncOp>(name))
        alloc.setResultAttr(0, LLVM::LLVMDialect::getNoAliasAttrName(),
                            UnitAttr::get(context));
  }
};

} // namespace
