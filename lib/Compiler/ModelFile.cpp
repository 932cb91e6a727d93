//===- ModelFile.cpp - Reading and writing model files --------------------===//

#include "qcc/Compiler/ModelFile.h"

#include "qcc/Import/ONNX.h"
#include "qcc/InitAll.h"
#include "qcc/Interpreter/Model.h"
#include "qcc/Support/AtomicFile.h"
#include "qcc/Support/NestingDepth.h"

#include "mlir/IR/Diagnostics.h"
#include "mlir/Parser/Parser.h"
#include "mlir/Support/FileUtilities.h"
#include "llvm/Support/SourceMgr.h"
#include "llvm/Support/raw_ostream.h"

using namespace llvm;

Expected<mlir::OwningOpRef<mlir::ModuleOp>>
qcc::loadModel(mlir::MLIRContext &context, StringRef path) {
  mlir::DialectRegistry registry;
  registerAllDialects(registry);
  context.appendDialectRegistry(registry);
  if (path.ends_with(".onnx")) {
    auto imported = importONNXModel(context, path);
    if (!imported)
      return imported.takeError();
    return std::move(imported->module);
  }
  context.loadAllAvailableDialects();
  std::string diagnostics;
  SourceMgr sourceMgr;
  raw_string_ostream os(diagnostics);
  mlir::SourceMgrDiagnosticHandler handler(sourceMgr, &context, os);
  std::string errorMessage;
  auto file = mlir::openInputFile(path, &errorMessage);
  if (!file)
    return createStringError(inconvertibleErrorCode(), errorMessage);
  if (std::optional<size_t> at =
          findExcessiveNesting(file->getBuffer(), kMaxMLIRNestingDepth))
    return createStringError(inconvertibleErrorCode(),
                             path + ": brackets nest more than " +
                                 Twine(kMaxMLIRNestingDepth) +
                                 " levels deep (at byte " + Twine(*at) +
                                 "); the MLIR parser would overflow its stack");
  sourceMgr.AddNewSourceBuffer(std::move(file), SMLoc());
  auto module = mlir::parseSourceFile<mlir::ModuleOp>(sourceMgr, &context);
  if (!module)
    return createStringError(inconvertibleErrorCode(),
                             "cannot parse " + path + ":\n" + diagnostics);
  return module;
}

Expected<qcc::ModelWithInputs>
qcc::loadModelWithInputs(mlir::MLIRContext &context, StringRef path,
                         ArrayRef<std::string> inputFiles, StringRef flag,
                         StringRef purpose) {
  auto module = loadModel(context, path);
  if (!module)
    return module.takeError();
  mlir::func::FuncOp func = interp::getMainFunction(**module);
  if (!func)
    return createStringError(inconvertibleErrorCode(),
                             path + " has no function" + purpose);
  auto arrays = interp::readArguments(func, inputFiles, flag);
  if (!arrays)
    return arrays.takeError();
  return ModelWithInputs{std::move(*module), func, std::move(*arrays)};
}

Error qcc::writeModule(mlir::ModuleOp module, StringRef path) {
  return writeFileAtomically(path, [&](raw_ostream &os) {
    module->print(os);
    os << "\n";
    return Error::success();
  });
}
