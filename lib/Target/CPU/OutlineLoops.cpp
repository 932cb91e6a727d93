//===- OutlineLoops.cpp - Each loop nest in a function of its own ---------===//
//
// The linalg ops left on buffers (element-wise chains, table lookups,
// reductions, copies) become loop nests that LLVM is left to vectorize. In
// a whole model's entry function (hundreds of layers, thousands of
// buffers), LLVM's alias analysis gives up on the loads and stores of a
// nest and the vectorizer with it ("cannot identify array bounds"): an
// EfficientNet squeeze-and-excitation loop that vectorizes alone stayed
// scalar there. Outlined into a function of its own (kept out of line),
// each nest is analysed as it is alone.
//
//===----------------------------------------------------------------------===//

#include "qcc/Target/CPU/Passes.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/IRMapping.h"
#include "mlir/IR/SymbolTable.h"
#include "mlir/Transforms/RegionUtils.h"

namespace qcc::cpu {
#define GEN_PASS_DEF_CPUOUTLINELOOPS
#include "qcc/Target/CPU/Passes.h.inc"
} // namespace qcc::cpu

using namespace mlir;

bool qcc::cpu::isRecreatedWhenOutlined(Value v) {
  Operation *def = v.getDefiningOp();
  return def && def->getNumOperands() == 0 && def->getNumRegions() == 0 &&
         (def->hasTrait<OpTrait::ConstantLike>() ||
          isa<memref::GetGlobalOp>(def));
}

namespace {

struct CPUOutlineLoopsPass
    : qcc::cpu::impl::CPUOutlineLoopsBase<CPUOutlineLoopsPass> {
  void runOnOperation() override {
    ModuleOp module = getOperation();
    SmallVector<linalg::LinalgOp> nests;
    module.walk([&](linalg::LinalgOp op) {
      if (op.hasPureBufferSemantics() && isa<func::FuncOp>(op->getParentOp()))
        nests.push_back(op);
    });
    SymbolTable symbols(module);
    MLIRContext *ctx = &getContext();
    unsigned count = 0;
    for (linalg::LinalgOp op : nests) {
      // The function's arguments: the op's operands, then the values its
      // body reads from outside (but the recreated ones), each once.
      SetVector<Value> arguments(op->getOperands().begin(),
                                 op->getOperands().end());
      SetVector<Value> captured;
      getUsedValuesDefinedAbove(op->getRegions(), captured);
      SmallVector<Value> recreated;
      for (Value v : captured) {
        if (qcc::cpu::isRecreatedWhenOutlined(v))
          recreated.push_back(v);
        else
          arguments.insert(v);
      }
      if (llvm::any_of(arguments, [](Value v) {
            return !isa<MemRefType>(v.getType()) &&
                   !v.getType().isIntOrIndexOrFloat();
          }))
        continue; // stays inline
      SmallVector<Type> types;
      for (Value v : arguments)
        types.push_back(v.getType());
      OpBuilder b(module.getBody(), module.getBody()->end());
      auto function = func::FuncOp::create(
          b, op.getLoc(), ("qcc_loops_" + Twine(count++)).str(),
          FunctionType::get(ctx, types, {}));
      function.setPrivate();
      // Kept out of line: inlined back, the nest would be analysed in the
      // entry function again.
      function->setAttr(
          "passthrough",
          ArrayAttr::get(ctx, {StringAttr::get(ctx, "noinline")}));
      Block *body = function.addEntryBlock();
      b.setInsertionPointToStart(body);
      IRMapping mapping;
      for (auto [value, argument] : llvm::zip(arguments, body->getArguments()))
        mapping.map(value, argument);
      for (Value v : recreated)
        mapping.map(v, b.clone(*v.getDefiningOp())->getResult(0));
      b.clone(*op, mapping);
      func::ReturnOp::create(b, op.getLoc());
      symbols.insert(function);
      OpBuilder at(op);
      func::CallOp::create(
          at, op.getLoc(), function,
          SmallVector<Value>(arguments.begin(), arguments.end()));
      op->erase();
    }
  }
};

} // namespace
