//===- CompiledModel.cpp - Loading and running a compiled model -----------===//

#include "qcc/Runtime/CompiledModel.h"

#include "qcc/Support/CheckedInt.h"
#include "qcc/Support/MemoryLimit.h"

#include "llvm/ADT/Twine.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"

#include <dlfcn.h>

using namespace qcc;
using namespace qcc::runtime;
using llvm::Twine;

namespace {

llvm::Error error(const Twine &message) {
  return llvm::createStringError(llvm::inconvertibleErrorCode(), message);
}

} // namespace

CheckedInt qcc::runtime::bufferBytes(const std::vector<TensorSignature> &tensors,
                                     int64_t batch) {
  CheckedInt total = 0;
  for (const TensorSignature &t : tensors) {
    CheckedInt bytes = int64_t(NpyArray::elementSize(t.dtype));
    for (int64_t d : t.shape)
      bytes = bytes * (d < 0 ? batch : d);
    total = total + bytes;
  }
  return total;
}

std::string qcc::runtime::shapeToString(const std::vector<int64_t> &shape) {
  std::string s = "[";
  for (size_t i = 0; i < shape.size(); ++i)
    s += (i ? ", " : "") +
         (shape[i] < 0 ? std::string("N") : std::to_string(shape[i]));
  return s + "]";
}

/// The entry points of model.h.
struct CompiledModel::Api {
  int (*abiVersion)();
  int (*numInputs)();
  int (*numOutputs)();
  const char *(*inputName)(int);
  const char *(*outputName)(int);
  int (*inputRank)(int);
  int (*outputRank)(int);
  const int64_t *(*inputShape)(int);
  const int64_t *(*outputShape)(int);
  const char *(*inputDtype)(int);
  const char *(*outputDtype)(int);
  const char *(*provenance)();
  void *(*create)();
  int (*run)(void *, int64_t, const void *const *, void *const *);
  void (*destroy)(void *);
  // ABI version 2 on; null for version 1 models, which run unchecked.
  int (*runChecked)(void *, int64_t, const void *const *, const size_t *,
                    void *const *, const size_t *) = nullptr;
  const char *(*errorString)(int) = nullptr;
  // ABI version 3 on.
  const char *(*cpuError)() = nullptr;
  const char *(*cpuTier)() = nullptr;
  const char *(*codeVersion)() = nullptr;
};

llvm::Expected<std::unique_ptr<CompiledModel>>
CompiledModel::load(const std::string &path) {
  std::string library = path;
  const bool isDirectory = llvm::sys::fs::is_directory(path);
  if (isDirectory) {
    llvm::SmallString<256> so(path);
    llvm::sys::path::append(so, "model.so");
    library = std::string(so);
  }
  if (!llvm::sys::fs::exists(library))
    return error(library + " does not exist" +
                 (isDirectory
                      ? " (is " + path + " a directory written by qcc compile?)"
                      : std::string()));
  std::unique_ptr<CompiledModel> model(new CompiledModel());
  model->library_ = library;
  // An absolute path: dlopen must not search the library path.
  llvm::SmallString<256> absolute(library);
  llvm::sys::fs::make_absolute(absolute);
  model->handle_ = dlopen(absolute.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (!model->handle_)
    return error("cannot load " + library + ": " + dlerror());
  model->api_ = std::make_unique<Api>();
  Api &api = *model->api_;
  auto bind = [&](auto &fn, const char *name) -> llvm::Error {
    void *symbol = dlsym(model->handle_, name);
    if (!symbol)
      return error(library + " is not a qcc compiled model: it has no '" +
                   name + "'");
    fn = reinterpret_cast<std::remove_reference_t<decltype(fn)>>(symbol);
    return llvm::Error::success();
  };
  for (auto [fn, name] :
       {std::pair<void **, const char *>{(void **)&api.abiVersion,
                                         "qcc_model_abi_version"},
        {(void **)&api.numInputs, "qcc_model_num_inputs"},
        {(void **)&api.numOutputs, "qcc_model_num_outputs"},
        {(void **)&api.inputName, "qcc_model_input_name"},
        {(void **)&api.outputName, "qcc_model_output_name"},
        {(void **)&api.inputRank, "qcc_model_input_rank"},
        {(void **)&api.outputRank, "qcc_model_output_rank"},
        {(void **)&api.inputShape, "qcc_model_input_shape"},
        {(void **)&api.outputShape, "qcc_model_output_shape"},
        {(void **)&api.inputDtype, "qcc_model_input_dtype"},
        {(void **)&api.outputDtype, "qcc_model_output_dtype"},
        {(void **)&api.provenance, "qcc_model_provenance"},
        {(void **)&api.create, "qcc_model_create"},
        {(void **)&api.run, "qcc_model_run"},
        {(void **)&api.destroy, "qcc_model_destroy"}})
    if (llvm::Error e = bind(*fn, name))
      return std::move(e);
  const int version = model->abiVersion_ = api.abiVersion();
  if (version < 1 || version > 3)
    return error(library + " has C API version " + Twine(version) +
                 "; this qcc runs versions 1 to 3 (recompile the model)");
  if (version >= 2)
    for (auto [fn, name] :
         {std::pair<void **, const char *>{(void **)&api.runChecked,
                                           "qcc_model_run_checked"},
          {(void **)&api.errorString, "qcc_model_error_string"}})
      if (llvm::Error e = bind(*fn, name))
        return std::move(e);
  if (version >= 3) {
    for (auto [fn, name] :
         {std::pair<void **, const char *>{(void **)&api.cpuError,
                                           "qcc_model_cpu_error"},
          {(void **)&api.cpuTier, "qcc_model_cpu_tier"},
          {(void **)&api.codeVersion, "qcc_model_cpu_code_version"}})
      if (llvm::Error e = bind(*fn, name))
        return std::move(e);
    // Before any of the model's code runs: it may use instructions this
    // CPU lacks.
    if (const char *why = api.cpuError())
      return error("cannot run " + library + ": " + why);
  }
  auto read = [&](int count, auto name, auto rank, auto shape, auto dtype,
                  std::vector<TensorSignature> &ts) -> llvm::Error {
    for (int i = 0; i < count; ++i) {
      const int64_t *s = shape(i);
      std::optional<NpyDType> type = npyDTypeFromName(dtype(i));
      if (!type)
        return error(library + ": tensor '" + name(i) + "' has dtype '" +
                     dtype(i) + "', which this qcc cannot pass");
      ts.push_back({name(i), std::vector<int64_t>(s, s + rank(i)), *type});
    }
    return llvm::Error::success();
  };
  if (llvm::Error e = read(api.numInputs(), api.inputName, api.inputRank,
                           api.inputShape, api.inputDtype,
                           model->signature_.inputs))
    return std::move(e);
  if (llvm::Error e = read(api.numOutputs(), api.outputName, api.outputRank,
                           api.outputShape, api.outputDtype,
                           model->signature_.outputs))
    return std::move(e);
  model->provenance_ = api.provenance();
  if (isDirectory) {
    // The directory's record of what was compiled must be this library's.
    llvm::SmallString<256> record(path);
    llvm::sys::path::append(record, "provenance.json");
    auto text = llvm::MemoryBuffer::getFile(record);
    if (text && (*text)->getBuffer().trim() !=
                    llvm::StringRef(model->provenance_).trim())
      return error(library + " was built for another model than " + path +
                   " describes: its provenance differs from " +
                   std::string(record) +
                   " (recompile, or copy the whole "
                   "directory)");
  }
  model->model_ = api.create();
  if (!model->model_)
    return error("qcc_model_create failed for " + library);
  return model;
}

std::string CompiledModel::cpuTier() const {
  return api_->cpuTier ? api_->cpuTier() : "";
}

std::string CompiledModel::codeVersion() const {
  return api_->codeVersion ? api_->codeVersion() : "";
}

CompiledModel::~CompiledModel() {
  if (model_)
    api_->destroy(model_);
  if (handle_)
    dlclose(handle_);
}

llvm::Expected<int64_t>
CompiledModel::checkInputs(const std::vector<NpyArray> &inputs) const {
  const auto &expected = signature_.inputs;
  if (inputs.size() != expected.size())
    return error("the model has " + Twine(expected.size()) + " input" +
                 (expected.size() == 1 ? "" : "s") + " but " +
                 Twine(inputs.size()) + " array" +
                 (inputs.size() == 1 ? " was" : "s were") + " given");
  int64_t batch = -1;
  for (size_t i = 0; i < inputs.size(); ++i) {
    const TensorSignature &t = expected[i];
    const NpyArray &a = inputs[i];
    if (a.dtype != t.dtype)
      return error("input '" + t.name + "' must be " + npyDTypeName(t.dtype) +
                   ", got " + npyDTypeName(a.dtype));
    bool ok = a.shape.size() == t.shape.size();
    for (size_t d = 0; ok && d < a.shape.size(); ++d) {
      if (t.shape[d] >= 0) {
        ok = a.shape[d] == t.shape[d];
      } else {
        ok = a.shape[d] >= 1 && (batch < 0 || a.shape[d] == batch);
        batch = a.shape[d];
      }
    }
    if (!ok)
      return error("input '" + t.name + "' must have shape " +
                   shapeToString(t.shape) + ", got " + shapeToString(a.shape) +
                   (batch >= 0 ? " (batch N = " + std::to_string(batch) + ")"
                               : std::string()));
  }
  return batch < 0 ? 1 : batch;
}

llvm::Expected<std::vector<NpyArray>>
CompiledModel::run(const std::vector<NpyArray> &inputs) const {
  auto batch = checkInputs(inputs);
  if (!batch)
    return batch.takeError();
  std::vector<const void *> in;
  for (const NpyArray &a : inputs)
    in.push_back(a.bytes.data());
  // Output sizes follow from the signature and the inputs' batch: bound
  // them before allocating.
  if (auto e = checkAllocation(
          checkedBytes(bufferBytes(signature_.outputs, *batch).get(), 1),
                               "the outputs of batch " + llvm::Twine(*batch)))
    return std::move(e);
  std::vector<NpyArray> outputs;
  for (const TensorSignature &t : signature_.outputs) {
    NpyArray a;
    a.dtype = t.dtype;
    for (int64_t d : t.shape)
      a.shape.push_back(d < 0 ? *batch : d);
    a.bytes.assign(a.numElements() * NpyArray::elementSize(t.dtype), 0);
    outputs.push_back(std::move(a));
  }
  std::vector<void *> out;
  for (NpyArray &a : outputs)
    out.push_back(a.bytes.data());
  if (!api_->runChecked) {
    if (api_->run(model_, *batch, in.data(), out.data()) != 0)
      return error("qcc_model_run failed");
    return outputs;
  }
  // The library checks the buffers it is given against the batch too.
  std::vector<size_t> inSizes, outSizes;
  for (const NpyArray &a : inputs)
    inSizes.push_back(a.bytes.size());
  for (const NpyArray &a : outputs)
    outSizes.push_back(a.bytes.size());
  if (int rc = api_->runChecked(model_, *batch, in.data(), inSizes.data(),
                                out.data(), outSizes.data()))
    return error("qcc_model_run_checked failed: " +
                 Twine(api_->errorString(rc)) + " (" + Twine(rc) + ")");
  return outputs;
}
