//===- IntegerLowering.cpp - Quantized model to integer ops ---------------===//

#include "qcc/Quantization/IntegerLowering.h"

#include "qcc/Dialect/QC/Transforms/Passes.h"

#include "mlir/IR/Diagnostics.h"
#include "mlir/Pass/PassManager.h"

using namespace llvm;

Expected<std::vector<std::string>>
qcc::quantization::lowerToInteger(mlir::ModuleOp module) {
  // qc-check-integer-only reports each island as a warning.
  std::vector<std::string> islands;
  mlir::ScopedDiagnosticHandler collectIslands(
      module.getContext(), [&](mlir::Diagnostic &diag) {
        if (diag.getSeverity() != mlir::DiagnosticSeverity::Warning)
          return mlir::failure();
        islands.push_back(diag.str());
        return mlir::success();
      });
  mlir::PassManager pm(module.getContext());
  qc::buildIntegerLoweringPipeline(pm);
  if (failed(pm.run(module)))
    return createStringError(inconvertibleErrorCode(),
                             "integer-only lowering failed");
  return islands;
}
