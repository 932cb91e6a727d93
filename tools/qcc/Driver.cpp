//===- Driver.cpp - Shared pieces of the qcc driver's commands ------------===//

#include "Driver.h"

#include "qcc/Import/ONNX.h"
#include "qcc/InitAll.h"
#include "qcc/Support/NestingDepth.h"

#include "mlir/Dialect/Quant/IR/QuantTypes.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/Parser/Parser.h"
#include "mlir/Support/FileUtilities.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/SourceMgr.h"
#include "llvm/Support/ToolOutputFile.h"
#include "llvm/Support/WithColor.h"
#include "llvm/Support/raw_ostream.h"

#include <algorithm>
#include <cmath>

using namespace llvm;

namespace qcc::driver {

cl::OptionCategory qccCategory("qcc options");

int fail(StringRef command, const Twine &message) {
  WithColor::error(errs(), ("qcc " + command).str()) << message << "\n";
  return 1;
}

int64_t argmax(const interp::Tensor &logits, int64_t row) {
  const int64_t c = logits.data.size() / logits.shape[0];
  int64_t best = 0;
  for (int64_t j = 1; j < c; ++j)
    if (logits.data[row * c + j] > logits.data[row * c + best])
      best = j;
  return best;
}

Expected<mlir::OwningOpRef<mlir::ModuleOp>> loadModel(mlir::MLIRContext &context,
                                                      StringRef path) {
  // Every dialect and interface implementation (bufferization, ...) the
  // passes and code generation may need, whatever the model came from.
  mlir::DialectRegistry registry;
  qcc::registerAllDialects(registry);
  context.appendDialectRegistry(registry);
  if (path.ends_with(".onnx")) {
    auto imported = qcc::importONNXModel(context, path);
    if (!imported)
      return imported.takeError();
    return std::move(imported->module);
  }
  context.loadAllAvailableDialects();
  std::string diagnostics;
  llvm::SourceMgr sourceMgr;
  raw_string_ostream os(diagnostics);
  mlir::SourceMgrDiagnosticHandler handler(sourceMgr, &context, os);
  std::string errorMessage;
  auto file = mlir::openInputFile(path, &errorMessage);
  if (!file)
    return createStringError(inconvertibleErrorCode(), errorMessage);
  if (std::optional<size_t> at = qcc::findExcessiveNesting(
          file->getBuffer(), qcc::kMaxMLIRNestingDepth))
    return createStringError(
        inconvertibleErrorCode(),
        path + ": brackets nest more than " +
            Twine(qcc::kMaxMLIRNestingDepth) + " levels deep (at byte " +
            Twine(*at) + "); the MLIR parser would overflow its stack");
  sourceMgr.AddNewSourceBuffer(std::move(file), SMLoc());
  auto module = mlir::parseSourceFile<mlir::ModuleOp>(sourceMgr, &context);
  if (!module)
    return createStringError(inconvertibleErrorCode(),
                             "cannot parse " + path + ":\n" + diagnostics);
  return module;
}

void listFloatIslands(raw_ostream &os, StringRef heading,
                      ArrayRef<std::string> islands) {
  constexpr size_t kListed = 10;
  os << heading << "\n";
  for (const std::string &island : islands.take_front(kListed))
    os << "  " << island << "\n";
  if (islands.size() > kListed)
    os << "  ... and " << islands.size() - kListed << " more ("
       << islands.size() << " float ops in all)\n";
}

Error writeModule(mlir::ModuleOp module, StringRef path) {
  return writeFileAtomically(path, [&](raw_ostream &os) {
    module->print(os);
    os << "\n";
    return Error::success();
  });
}

Error checkOutputIsNotAnInput(StringRef output, ArrayRef<std::string> inputs,
                              StringRef outputFlag) {
  if (output.empty() || output == "-")
    return Error::success();
  for (const std::string &input : inputs) {
    bool same = false;
    // equivalent() compares device and inode, so links and ./ spellings of
    // the same file are caught; an output that does not exist yet is new.
    if (sys::fs::equivalent(output, input, same) || !same)
      continue;
    return createStringError(inconvertibleErrorCode(),
                             outputFlag + " " + output + " is also an input (" +
                                 input + "); refusing to overwrite it");
  }
  return Error::success();
}

std::optional<qcc::NpyDType> npyTypeOf(mlir::Type type) {
  using qcc::NpyDType;
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

Expected<std::vector<NpyArray>> readArrays(ArrayRef<std::string> names,
                                           ArrayRef<std::string> files,
                                           StringRef what) {
  const size_t numArgs = names.size();
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
  if (files.size() != numArgs)
    return createStringError(inconvertibleErrorCode(),
                             "the model takes " + Twine(numArgs) +
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

Expected<std::vector<NpyArray>> readArguments(mlir::func::FuncOp func,
                                              ArrayRef<std::string> files,
                                              StringRef what) {
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
          "input #" + Twine(i) + " '" + valueName(func, i, false) + "' is " +
              npyDTypeName((*arrays)[i].dtype) + " but the model expects " +
              typeString(element));
  }
  return arrays;
}

} // namespace qcc::driver

bool qcc::driver::isCompiledModel(StringRef path) {
  return sys::fs::is_directory(path) || path.ends_with(".so");
}

llvm::Expected<qcc::driver::CompiledRun>
qcc::driver::runCompiledModel(StringRef path,
                              ArrayRef<std::string> inputFiles) {
  auto model = runtime::CompiledModel::load(path.str());
  if (!model)
    return model.takeError();
  std::vector<std::string> names;
  for (const auto &t : (*model)->signature().inputs)
    names.push_back(t.name);
  auto arrays = readArrays(names, inputFiles, "--input");
  if (!arrays)
    return arrays.takeError();
  auto outputs = (*model)->run(*arrays);
  if (!outputs)
    return createStringError(inconvertibleErrorCode(),
                             path + ": " + toString(outputs.takeError()));
  return CompiledRun{std::move(*model), std::move(*outputs)};
}
