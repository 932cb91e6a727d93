//===- Pipelines.cpp - Registered qc pass pipelines -----------------------===//

#include "qcc/Dialect/QC/Transforms/Passes.h"

#include "mlir/Pass/PassOptions.h"
#include "mlir/Pass/PassRegistry.h"

using namespace mlir;

void qcc::qc::buildIntegerLoweringPipeline(OpPassManager &pm,
                                           bool allowFloatIslands) {
  pm.addPass(createQCLowerToInteger());
  QCCheckIntegerOnlyOptions check;
  check.allowFloatIslands = allowFloatIslands;
  pm.addPass(createQCCheckIntegerOnly(check));
}

void qcc::qc::registerQCPipelines() {
  struct Options : PassPipelineOptions<Options> {
    Option<bool> allowFloatIslands{
        *this, "allow-float-islands",
        llvm::cl::desc("Ops without an integer form are warnings, not errors"),
        llvm::cl::init(true)};
  };
  PassPipelineRegistration<Options>(
      "qcc-integer-lowering",
      "Integer-only lowering of a quantized qc graph (qc-lower-to-integer, "
      "qc-check-integer-only): what qcc compile writes as model.mlir",
      [](OpPassManager &pm, const Options &options) {
        buildIntegerLoweringPipeline(pm, options.allowFloatIslands);
      });
}
