//===- CheckIntegerOnly.cpp - Find float ops in the integer graph ---------===//

#include "qcc/Dialect/QC/IR/QCOps.h"
#include "qcc/Dialect/QC/Transforms/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/TypeUtilities.h"

namespace qcc::qc {
#define GEN_PASS_DEF_QCCHECKINTEGERONLY
#include "qcc/Dialect/QC/Transforms/Passes.h.inc"
} // namespace qcc::qc

using namespace mlir;
using namespace qcc;
using namespace qcc::qc;

namespace {

bool isFloat(Type type) { return isa<FloatType>(getElementTypeOrSelf(type)); }

/// The boundary of the integer graph: quantizing an argument, dequantizing
/// a value that is only returned.
bool isBoundary(Operation *op) {
  if (auto quantize = dyn_cast<QuantizeOp>(op))
    return isa<BlockArgument>(quantize.getInput());
  if (isa<DequantizeOp>(op))
    return llvm::all_of(op->getUsers(), [](Operation *user) {
      return isa<func::ReturnOp>(user);
    });
  return false;
}

struct CheckIntegerOnlyPass
    : qc::impl::QCCheckIntegerOnlyBase<CheckIntegerOnlyPass> {
  using QCCheckIntegerOnlyBase::QCCheckIntegerOnlyBase;
  void runOnOperation() override {
    unsigned islands = 0;
    getOperation()->walk([&](Operation *op) {
      if (isa<func::ReturnOp, func::FuncOp, ModuleOp>(op) || isBoundary(op))
        return;
      // A float constant only matters through the ops that read it.
      if (isa<arith::ConstantOp>(op))
        return;
      const bool floats = llvm::any_of(op->getOperandTypes(), isFloat) ||
                          llvm::any_of(op->getResultTypes(), isFloat);
      if (!floats)
        return;
      ++islands;
      // Diagnose at the location, not on the op: op->emitWarning() attaches
      // the op printed with the whole module's AsmState, which is linear in
      // the module, and so quadratic over all islands.
      InFlightDiagnostic diag = allowFloatIslands
                                    ? mlir::emitWarning(op->getLoc())
                                    : mlir::emitError(op->getLoc());
      diag << "float op '" << op->getName() << "' (node '" << getNodeName(op)
           << "') in the integer graph";
    });
    if (islands && !allowFloatIslands)
      signalPassFailure();
  }
};

} // namespace
