//===- ModelRuns.cpp - Runs of the model over the calibration set ---------===//

#include "Steps.h"

#include "qcc/Dialect/QC/IR/QCOps.h"
#include "qcc/Interpreter/Model.h"

using namespace llvm;

Error qcc::quantization::runBatches(mlir::func::FuncOp func,
                                    const std::vector<interp::Tensor> &inputs,
                                    int64_t batchSize, StringRef label,
                                    interp::ValueObserver observer) {
  return interp::forEachBatch(
      inputs, batchSize, label,
      [&](const std::vector<interp::Tensor> &batch) -> Error {
        auto outputs = interp::runFunction(func, batch, observer);
        return outputs ? Error::success() : outputs.takeError();
      });
}

Error qcc::quantization::compareLayers(
    mlir::func::FuncOp floatFunc, mlir::func::FuncOp quantFunc,
    const std::vector<interp::Tensor> &inputs, int64_t batchSize,
    StringRef label,
    function_ref<void(const std::string &, const interp::Tensor &,
                      const interp::Tensor &)>
        compare) {
  auto compareBatch = [&](const std::vector<interp::Tensor> &batch) -> Error {
    llvm::StringMap<interp::Tensor> floatOutputs;
    auto collectFloat = [&](mlir::Value v, const interp::Tensor &t) {
      if (mlir::Operation *op = v.getDefiningOp();
          op && isa<qc::WeightedLayerOpInterface>(op))
        floatOutputs[qc::getNodeName(op)] = t;
    };
    auto compareQuant = [&](mlir::Value v, const interp::Tensor &t) {
      mlir::Operation *op = v.getDefiningOp();
      if (!op || !isa<qc::WeightedLayerOpInterface>(op))
        return;
      auto it = floatOutputs.find(qc::getNodeName(op));
      if (it != floatOutputs.end() && it->second.data.size() == t.data.size())
        compare(it->first().str(), it->second, t);
    };
    if (auto out = interp::runFunction(floatFunc, batch, collectFloat); !out)
      return out.takeError();
    if (auto out = interp::runFunction(quantFunc, batch, compareQuant); !out)
      return out.takeError();
    return Error::success();
  };
  return interp::forEachBatch(inputs, batchSize, label, compareBatch);
}
