//===- MergeKernelModules.cpp - One gpu.module for all kernels ------------===//

#include "qcc/Target/NVPTX/Passes.h"

#include "mlir/IR/SymbolTable.h"

namespace qcc::nvptx {
#define GEN_PASS_DEF_GPUMERGEKERNELMODULES
#include "qcc/Target/NVPTX/Passes.h.inc"
} // namespace qcc::nvptx

using namespace mlir;

namespace {

struct GPUMergeKernelModulesPass
    : qcc::nvptx::impl::GPUMergeKernelModulesBase<GPUMergeKernelModulesPass> {
  void runOnOperation() override {
    ModuleOp module = getOperation();
    SmallVector<gpu::GPUModuleOp> kernelModules(
        module.getOps<gpu::GPUModuleOp>());
    if (kernelModules.size() < 2)
      return;
    gpu::GPUModuleOp merged = kernelModules.front();
    SymbolTable mergedSymbols(merged);
    // (module, kernel) -> the kernel's name in the merged module: its
    // module's name, unique in the top-level module.
    llvm::DenseMap<std::pair<StringAttr, StringAttr>, StringAttr> renamed;
    for (gpu::GPUModuleOp other : llvm::drop_begin(kernelModules)) {
      if (other.getTargetsAttr() != merged.getTargetsAttr()) {
        other.emitError("kernel modules with different targets cannot be "
                        "merged");
        return signalPassFailure();
      }
      for (Operation &op :
           llvm::make_early_inc_range(other.getBody()->getOperations())) {
        auto symbol = dyn_cast<SymbolOpInterface>(op);
        Operation *existing =
            symbol ? mergedSymbols.lookup(symbol.getName()) : nullptr;
        // Outlining copies a global into every kernel module that reads it:
        // one copy is enough.
        if (existing && existing->getName() == op.getName() &&
            existing->getAttrDictionary() == op.getAttrDictionary() &&
            op.getNumRegions() == 0) {
          op.erase();
          continue;
        }
        if (existing) {
          auto kernel = dyn_cast<gpu::GPUFuncOp>(op);
          if (!kernel || mergedSymbols.lookup(other.getSymName())) {
            op.emitError("two kernel modules define @")
                << symbol.getName() << "; they cannot be merged";
            return signalPassFailure();
          }
          renamed[{other.getSymNameAttr(), symbol.getNameAttr()}] =
              other.getSymNameAttr();
          SymbolTable::setSymbolName(kernel, other.getSymNameAttr());
        }
        op.moveBefore(merged.getBody(), merged.getBody()->end());
        if (symbol)
          mergedSymbols.insert(&op);
      }
    }
    StringAttr mergedName = merged.getSymNameAttr();
    module.walk([&](gpu::LaunchFuncOp launch) {
      SymbolRefAttr kernel = launch.getKernel();
      StringAttr name = kernel.getLeafReference();
      if (StringAttr newName =
              renamed.lookup({kernel.getRootReference(), name}))
        name = newName;
      launch.setKernelAttr(
          SymbolRefAttr::get(mergedName, {FlatSymbolRefAttr::get(name)}));
    });
    for (gpu::GPUModuleOp other : llvm::drop_begin(kernelModules))
      other.erase();
  }
};

} // namespace
