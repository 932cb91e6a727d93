//===- PrepareEntry.cpp - The model's entry as the library's entry --------===//

#include "qcc/Target/CPU/Passes.h"

#include "qcc/Target/CPU/Compile.h"
#include "qcc/Target/Target.h"

#include "mlir/Dialect/Bufferization/IR/Bufferization.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/IR/SymbolTable.h"
#include "mlir/Interfaces/CallInterfaces.h"
#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/SmallPtrSet.h"

namespace qcc::cpu {
#define GEN_PASS_DEF_CPUPREPAREENTRY
#include "qcc/Target/CPU/Passes.h.inc"
} // namespace qcc::cpu

using namespace mlir;
using namespace qcc::cpu;
using llvm::StringRef;

namespace {

/// Depth-first search for call cycles and calls the target cannot compile,
/// from `func`; `onPath` maps the functions seen to whether they are on the
/// current path, `path`.
LogicalResult verifyCallsFrom(func::FuncOp func, SymbolTableCollection &symbols,
                              llvm::DenseMap<Operation *, bool> &onPath,
                              SmallVectorImpl<func::FuncOp> &path) {
  auto [it, inserted] = onPath.try_emplace(func, true);
  if (!inserted) {
    if (!it->second)
      return success();
    std::string cycle;
    for (func::FuncOp f : llvm::make_range(llvm::find(path, func), path.end()))
      cycle += ("@" + f.getSymName() + " -> ").str();
    return func.emitError("recursive calls are not supported by the CPU "
                          "target: ")
           << cycle << "@" << func.getSymName();
  }
  path.push_back(func);
  SmallVector<CallOpInterface> calls;
  func.walk([&](CallOpInterface call) { calls.push_back(call); });
  for (CallOpInterface call : calls) {
    auto callee =
        dyn_cast_or_null<func::FuncOp>(call.resolveCallableInTable(&symbols));
    if (!callee || callee.isExternal()) {
      std::string what = "an indirect callee";
      if (auto symbol = dyn_cast<SymbolRefAttr>(call.getCallableForCallee()))
        what = ("@" + symbol.getRootReference().getValue() +
                ", which has no body in the model")
                   .str();
      return call->emitError("@")
             << func.getSymName() << " calls " << what
             << "; the CPU target compiles only direct calls of functions "
                "defined in the model";
    }
    if (failed(verifyCallsFrom(callee, symbols, onPath, path)))
      return failure();
  }
  path.pop_back();
  onPath[func] = false;
  return success();
}

/// The signature the C API reads (Passes.td): constant globals at the
/// start of `module`.
void emitSignature(ModuleOp module, const ModelSignature &signature) {
  OpBuilder b = OpBuilder::atBlockBegin(module.getBody());
  Location loc = module.getLoc();
  SmallVector<const TensorSignature *> tensors;
  for (const TensorSignature &t : signature.inputs)
    tensors.push_back(&t);
  for (const TensorSignature &t : signature.outputs)
    tensors.push_back(&t);
  const bool batched = llvm::any_of(tensors, [](const TensorSignature *t) {
    return !t->shape.empty() && t->shape[0] < 0;
  });
  // Arrays end with a 0 that no reader uses: no array is empty.
  SmallVector<int32_t> counts = {int32_t(signature.inputs.size()),
                                 int32_t(signature.outputs.size()), batched};
  SmallVector<int32_t> ranks, elementBytes;
  SmallVector<int64_t> shapes;
  std::string names, dtypes;
  for (const TensorSignature *t : tensors) {
    ranks.push_back(t->shape.size());
    elementBytes.push_back(qcc::NpyArray::elementSize(t->dtype));
    llvm::append_range(shapes, t->shape);
    (names += t->name) += '\0';
    (dtypes += qcc::npyDTypeName(t->dtype)) += '\0';
  }
  ranks.push_back(0);
  elementBytes.push_back(0);
  shapes.push_back(0);
  auto array = [&](StringRef name, Type element, auto values) {
    auto type = RankedTensorType::get({int64_t(values.size())}, element);
    LLVM::GlobalOp::create(
        b, loc, LLVM::LLVMArrayType::get(element, values.size()),
        /*isConstant=*/true, LLVM::Linkage::External, name,
        DenseElementsAttr::get(type, llvm::ArrayRef(values)));
  };
  array("qcc_signature_counts", b.getI32Type(), counts);
  array("qcc_signature_ranks", b.getI32Type(), ranks);
  array("qcc_signature_element_bytes", b.getI32Type(), elementBytes);
  array("qcc_signature_shapes", b.getI64Type(), shapes);
  for (auto [name, text] : {std::pair{"qcc_signature_names", &names},
                            std::pair{"qcc_signature_dtypes", &dtypes}})
    LLVM::GlobalOp::create(
        b, loc, LLVM::LLVMArrayType::get(b.getI8Type(), text->size()),
        /*isConstant=*/true, LLVM::Linkage::External, name,
        b.getStringAttr(*text));
}

struct CPUPrepareEntryPass
    : qcc::cpu::impl::CPUPrepareEntryBase<CPUPrepareEntryPass> {
  using CPUPrepareEntryBase::CPUPrepareEntryBase;

  void runOnOperation() override {
    ModuleOp module = getOperation();
    // Calls code generation supports: direct, of functions the module
    // defines, and not recursive.
    SymbolTableCollection symbols;
    llvm::DenseMap<Operation *, bool> onPath;
    SmallVector<func::FuncOp> path;
    for (func::FuncOp func : module.getOps<func::FuncOp>())
      if (!func.isExternal() &&
          failed(verifyCallsFrom(func, symbols, onPath, path)))
        return signalPassFailure();

    func::FuncOp func = qcc::target::findEntryFunction(module, entry);
    if (!func) {
      module.emitError("no entry function ")
          << (entry.empty() ? "(@main, or any function with a body)"
                            : "@" + entry);
      return signalPassFailure();
    }
    auto signature = getSignature(func);
    if (!signature) {
      func.emitError(llvm::toString(signature.takeError()));
      return signalPassFailure();
    }
    emitSignature(module, *signature);
    MLIRContext *context = &getContext();
    if (failed(SymbolTable::replaceAllSymbolUses(
            func, StringAttr::get(context, kEntryName), module))) {
      func.emitError("cannot rename the entry function to @") << kEntryName;
      return signalPassFailure();
    }
    SymbolTable::setSymbolName(func, kEntryName);
    func->setAttr("llvm.emit_c_interface", UnitAttr::get(context));

    auto ret = cast<func::ReturnOp>(func.getBody().back().getTerminator());
    OpBuilder b(ret);
    llvm::SmallPtrSet<Value, 8> seen;
    for (OpOperand &operand : ret->getOpOperands()) {
      Value v = operand.get();
      if (isa<BlockArgument>(v) || !seen.insert(v).second)
        operand.set(bufferization::AllocTensorOp::create(
            b, ret.getLoc(), cast<RankedTensorType>(v.getType()), ValueRange{},
            /*copy=*/v));
    }
    for (unsigned i = 0; i < func.getNumArguments(); ++i)
      func.setArgAttrs(i, ArrayRef<NamedAttribute>{});
    for (unsigned i = 0; i < func.getNumResults(); ++i)
      func.setResultAttrs(i, ArrayRef<NamedAttribute>{});
  }
};

} // namespace
