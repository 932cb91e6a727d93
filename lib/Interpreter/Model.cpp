//===- Model.cpp - A graph module's entry function and its data -----------===//

#include "qcc/Interpreter/Model.h"

#include "qcc/Support/Progress.h"

#include "mlir/Dialect/Quant/IR/QuantTypes.h"
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

std::optional<qcc::NpyDType> qcc::interp::npyTypeOf(mlir::Type type) {
  bool isUnsigned = false;
  if (auto q = dyn_cast<mlir::quant::QuantizedType>(type)) {
    isUnsigned = !q.isSigned();
    type = q.getStorageType();
  }
  if (type.isF32())
    return NpyDType::Float32;
  if (type.isF64())
    return NpyDType::Float64;
  if (type.isF16())
    return NpyDType::Float16;
  auto integer = dyn_cast<mlir::IntegerType>(type);
  if (!integer)
    return std::nullopt;
  isUnsigned |= integer.isUnsigned();
  switch (integer.getWidth()) {
  case 1:
    return NpyDType::Bool;
  case 8:
    return isUnsigned ? NpyDType::UInt8 : NpyDType::Int8;
  case 16:
    return isUnsigned ? NpyDType::UInt16 : NpyDType::Int16;
  case 32:
    return isUnsigned ? NpyDType::UInt32 : NpyDType::Int32;
  case 64:
    return isUnsigned ? NpyDType::UInt64 : NpyDType::Int64;
  default:
    return std::nullopt;
  }
}

Expected<std::vector<qcc::NpyArray>>
qcc::interp::readArrays(ArrayRef<std::string> names,
                        ArrayRef<std::string> files, StringRef what) {
  std::vector<NpyArray> arrays;
  if (files.size() == 1 && StringRef(files[0]).ends_with(".npz")) {
    auto members = readNpz(files[0]);
    if (!members)
      return members.takeError();
    for (const std::string &name : names) {
      auto it = llvm::find_if(*members,
                              [&](const auto &m) { return m.first == name; });
      if (it == members->end())
        return createStringError(inconvertibleErrorCode(),
                                 files[0] + " has no array named '" + name +
                                     "'");
      arrays.push_back(it->second);
    }
    return arrays;
  }
  if (files.size() != names.size())
    return createStringError(inconvertibleErrorCode(),
                             "the model takes " + Twine(names.size()) +
                                 " inputs but " + Twine(files.size()) + " " +
                                 what + " files were given");
  for (const std::string &path : files) {
    auto array = readNpy(path);
    if (!array)
      return array.takeError();
    arrays.push_back(std::move(*array));
  }
  return arrays;
}

Expected<std::vector<qcc::NpyArray>>
qcc::interp::readArguments(mlir::func::FuncOp func,
                           ArrayRef<std::string> files, StringRef what) {
  const unsigned numArgs = func.getNumArguments();
  std::vector<std::string> names;
  for (unsigned i = 0; i < numArgs; ++i)
    names.push_back(valueName(func, i, false));
  auto arrays = readArrays(names, files, what);
  if (!arrays)
    return arrays.takeError();
  for (unsigned i = 0; i < numArgs; ++i) {
    mlir::Type element =
        cast<mlir::RankedTensorType>(func.getArgument(i).getType())
            .getElementType();
    std::optional<NpyDType> expected = npyTypeOf(element);
    if (!expected || *expected != (*arrays)[i].dtype)
      return createStringError(
          inconvertibleErrorCode(),
          "input #" + Twine(i) + " '" + names[i] + "' is " +
              npyDTypeName((*arrays)[i].dtype) + " but the model expects " +
              typeString(element));
  }
  return arrays;
}

std::vector<qcc::interp::Tensor>
qcc::interp::toTensors(ArrayRef<NpyArray> arrays) {
  std::vector<Tensor> tensors;
  for (const NpyArray &a : arrays)
    tensors.emplace_back(a.shape, a.toDoubles());
  return tensors;
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
