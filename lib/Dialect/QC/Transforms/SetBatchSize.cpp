//===- SetBatchSize.cpp - A static batch dimension ------------------------===//

#include "qcc/Dialect/QC/Transforms/Passes.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"

namespace qcc::qc {
#define GEN_PASS_DEF_QCSETBATCHSIZE
#include "qcc/Dialect/QC/Transforms/Passes.h.inc"
} // namespace qcc::qc

using namespace mlir;

namespace {

struct SetBatchSizePass : qcc::qc::impl::QCSetBatchSizeBase<SetBatchSizePass> {
  using Base::Base;

  /// `type` with a dynamic dimension 0 set to the batch size; failure for
  /// other dynamic dimensions.
  FailureOr<Type> specialize(Type type) {
    auto tensor = dyn_cast<RankedTensorType>(type);
    if (!tensor || tensor.hasStaticShape())
      return type;
    SmallVector<int64_t> shape(tensor.getShape());
    for (size_t d = 0; d < shape.size(); ++d)
      if (ShapedType::isDynamic(shape[d])) {
        if (d != 0)
          return failure();
        shape[d] = batchSize;
      }
    return Type(tensor.clone(shape));
  }

  void runOnOperation() override {
    func::FuncOp func = getOperation();
    if (batchSize < 1) {
      func.emitError() << "qc-set-batch-size: batch-size must be positive";
      return signalPassFailure();
    }
    auto fix = [&](Value v) -> LogicalResult {
      auto type = specialize(v.getType());
      if (failed(type)) {
        InFlightDiagnostic diag = v.getDefiningOp()
                                      ? v.getDefiningOp()->emitError()
                                      : func.emitError();
        diag << "qc-set-batch-size: " << v.getType()
             << " has a dynamic dimension other than the batch (0)";
        return failure();
      }
      v.setType(*type);
      return success();
    };
    for (BlockArgument arg : func.getArguments())
      if (failed(fix(arg)))
        return signalPassFailure();
    WalkResult walk = func.walk([&](Operation *op) {
      for (Value result : op->getResults())
        if (failed(fix(result)))
          return WalkResult::interrupt();
      return WalkResult::advance();
    });
    if (walk.wasInterrupted())
      return signalPassFailure();
    SmallVector<Type> results;
    for (Type t : func.getResultTypes())
      results.push_back(*specialize(t));
    func.setType(FunctionType::get(&getContext(),
                                   func.getBody().getArgumentTypes(), results));
  }
};

} // namespace
