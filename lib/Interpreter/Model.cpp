//===- Model.cpp - A graph module's entry function and its data -----------===//

#include "qcc/Interpreter/Model.h"

#include "qcc/Support/Progress.h"

#include "llvm/Support/raw_ostream.h"

using namespace llvm;

mlir::func::FuncOp qcc::interp::getMainFunction(mlir::ModuleOp module) {
  mlir::func::FuncOp first;
  for (mlir::func::FuncOp f : module.getOps<mlir::func::FuncOp>()) {
    if (f.getName() == "main")
      return f;
    if (!first)
      first = f;
  }
  return first;
}

std::string qcc::interp::valueName(mlir::func::FuncOp func, unsigned i,
                                   bool result) {
  auto attr = result ? func.getResultAttrOfType<mlir::StringAttr>(i, "onnx.name")
                     : func.getArgAttrOfType<mlir::StringAttr>(i, "onnx.name");
  return attr ? attr.str()
              : (result ? "output_" : "input_") + std::to_string(i);
}

std::string qcc::interp::typeString(mlir::Type type) {
  std::string s;
  raw_string_ostream os(s);
  type.print(os);
  return s;
}

/// Rows [begin, end) of `t` along dimension 0.
static qcc::interp::Tensor sliceRows(const qcc::interp::Tensor &t,
                                     int64_t begin, int64_t end) {
  qcc::interp::Tensor out;
  out.shape = t.shape;
  out.shape[0] = end - begin;
  const int64_t row = t.shape[0] ? t.numElements() / t.shape[0] : 0;
  out.data.assign(t.data.begin() + begin * row, t.data.begin() + end * row);
  return out;
}

Error qcc::interp::forEachBatch(
    const std::vector<Tensor> &inputs, int64_t batchSize, StringRef label,
    function_ref<Error(const std::vector<Tensor> &)> body) {
  const int64_t n = inputs[0].shape[0];
  Progress progress(label, n);
  for (int64_t begin = 0; begin < n; begin += batchSize) {
    const int64_t end = std::min(n, begin + batchSize);
    std::vector<Tensor> batch;
    for (const Tensor &t : inputs)
      batch.push_back(sliceRows(t, begin, end));
    if (Error e = body(batch))
      return e;
    progress.update(end);
  }
  return Error::success();
}
