//===- Run.cpp - Running a model on NumPy files ---------------------------===//

#include "qcc/Compiler/Run.h"

#include "qcc/Compiler/ModelFile.h"
#include "qcc/Interpreter/Model.h"

#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Path.h"

using namespace llvm;

namespace qcc {

bool isCompiledModel(StringRef path) {
  return sys::fs::is_directory(path) || path.ends_with(".so");
}

Expected<CompiledRun> runCompiledModel(StringRef path,
                                       ArrayRef<std::string> inputFiles) {
  auto model = runtime::CompiledModel::load(path.str());
  if (!model)
    return model.takeError();
  std::vector<std::string> names;
  for (const auto &t : (*model)->signature().inputs)
    names.push_back(t.name);
  auto arrays = interp::readArrays(names, inputFiles, "--input");
  if (!arrays)
    return arrays.takeError();
  auto outputs = (*model)->run(*arrays);
  if (!outputs)
    return createStringError(inconvertibleErrorCode(),
                             path + ": " + toString(outputs.takeError()));
  return CompiledRun{std::move(*model), std::move(*outputs)};
}

namespace {

/// Appends `part` to `whole` along dimension 0 (the first part is taken as
/// it is).
Error appendAlongBatch(std::vector<interp::Tensor> &whole,
                       std::vector<interp::Tensor> part) {
  if (whole.empty()) {
    whole = std::move(part);
    return Error::success();
  }
  for (auto [out, piece] : llvm::zip(whole, part)) {
    if (out.shape.empty() || piece.shape.size() != out.shape.size())
      return createStringError(
          "--batch-size needs outputs with a leading batch dimension");
    out.shape[0] += piece.shape[0];
    out.data.insert(out.data.end(), piece.data.begin(), piece.data.end());
  }
  return Error::success();
}

} // namespace

Expected<NpzMembers> runModel(StringRef path, ArrayRef<std::string> inputFiles,
                              int64_t batchSize) {
  NpzMembers results;
  if (isCompiledModel(path)) {
    auto run = runCompiledModel(path, inputFiles);
    if (!run)
      return run.takeError();
    for (auto [t, array] :
         llvm::zip(run->model->signature().outputs, run->outputs))
      results.push_back({t.name, std::move(array)});
    return results;
  }
  mlir::MLIRContext context;
  auto loaded =
      loadModelWithInputs(context, path, inputFiles, "--input", " to run");
  if (!loaded)
    return loaded.takeError();
  mlir::func::FuncOp func = loaded->func;
  const std::vector<interp::Tensor> inputs = interp::toTensors(loaded->inputs);

  int64_t samples = -1;
  if (batchSize > 0)
    for (const interp::Tensor &t : inputs) {
      if (t.shape.empty() || (samples >= 0 && t.shape[0] != samples))
        return createStringError(inconvertibleErrorCode(),
                                 "--batch-size needs inputs with the same "
                                 "leading (batch) dimension");
      samples = t.shape[0];
    }
  std::vector<interp::Tensor> outputs;
  if (samples < 0) {
    auto all = interp::runFunction(func, inputs);
    if (!all)
      return all.takeError();
    outputs = std::move(*all);
  } else if (Error e = interp::forEachBatch(
                 inputs, batchSize, "running",
                 [&](const std::vector<interp::Tensor> &batch) -> Error {
                   auto part = interp::runFunction(func, batch);
                   if (!part)
                     return part.takeError();
                   return appendAlongBatch(outputs, std::move(*part));
                 })) {
    return std::move(e);
  }

  for (auto [i, tensor] : llvm::enumerate(outputs)) {
    mlir::Type element =
        cast<mlir::RankedTensorType>(func.getResultTypes()[i]).getElementType();
    std::optional<NpyDType> dtype = interp::npyTypeOf(element);
    if (!dtype)
      return createStringError(inconvertibleErrorCode(),
                               "output #" + Twine(i) + " has type " +
                                   interp::typeString(element) +
                                   ", which NumPy files cannot hold");
    results.push_back(
        {interp::valueName(func, i, true),
         NpyArray::fromDoubles(*dtype, tensor.shape, tensor.data)});
  }
  return results;
}

Error writeOutputs(StringRef path, const NpzMembers &outputs) {
  if (path.ends_with(".npz"))
    return writeNpz(path, outputs);
  if (path.ends_with("/") || sys::fs::is_directory(path)) {
    if (std::error_code ec = sys::fs::create_directories(path))
      return createStringError(ec, "cannot create " + path + ": " +
                                       ec.message());
    for (const auto &[name, array] : outputs) {
      SmallString<256> file(path);
      sys::path::append(file, name + ".npy");
      if (Error e = writeNpy(file, array))
        return e;
    }
    return Error::success();
  }
  if (outputs.size() != 1)
    return createStringError(inconvertibleErrorCode(),
                             "the model has " + Twine(outputs.size()) +
                                 " outputs; -o must name a directory or a "
                                 ".npz file");
  return writeNpy(path, outputs[0].second);
}

Expected<interp::Tensor> computeLogits(mlir::MLIRContext &context,
                                       StringRef path,
                                       ArrayRef<std::string> inputFiles,
                                       int64_t batchSize) {
  auto notLogits = [] {
    return createStringError(inconvertibleErrorCode(),
                             "the model's first output must be logits "
                             "[N, classes]");
  };
  if (isCompiledModel(path)) {
    auto run = runCompiledModel(path, inputFiles);
    if (!run)
      return run.takeError();
    const NpyArray &out = run->outputs.front();
    if (out.shape.size() != 2)
      return notLogits();
    return interp::Tensor(out.shape, out.toDoubles());
  }
  auto loaded =
      loadModelWithInputs(context, path, inputFiles, "--input", " to run");
  if (!loaded)
    return loaded.takeError();
  for (const NpyArray &a : loaded->inputs)
    if (a.shape.empty())
      return createStringError(inconvertibleErrorCode(),
                               "inputs need a batch dimension");
  interp::Tensor logits;
  auto appendLogits = [&](const std::vector<interp::Tensor> &batch) -> Error {
    auto outputs = interp::runFunction(loaded->func, batch);
    if (!outputs)
      return outputs.takeError();
    const interp::Tensor &out = (*outputs)[0];
    if (out.rank() != 2)
      return notLogits();
    if (logits.shape.empty())
      logits.shape = {0, out.shape[1]};
    logits.shape[0] += out.shape[0];
    logits.data.insert(logits.data.end(), out.data.begin(), out.data.end());
    return Error::success();
  };
  if (Error e = interp::forEachBatch(
          interp::toTensors(loaded->inputs), batchSize,
          ("evaluating " + sys::path::filename(path)).str(), appendLogits))
    return std::move(e);
  return logits;
}

} // namespace qcc
