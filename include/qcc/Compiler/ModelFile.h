//===- ModelFile.h - Reading and writing model files ------------*- C++ -*-===//

#ifndef QCC_COMPILER_MODELFILE_H
#define QCC_COMPILER_MODELFILE_H

#include "qcc/Support/Npy.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/IR/OwningOpRef.h"
#include "llvm/Support/Error.h"

#include <string>
#include <vector>

namespace qcc {

/// Loads a model: ONNX files through the importer, anything else as MLIR
/// text (its nesting checked before the parser sees it). Registers every
/// dialect and interface implementation the passes and code generation may
/// need in `context` first, whatever the model came from.
llvm::Expected<mlir::OwningOpRef<mlir::ModuleOp>>
loadModel(mlir::MLIRContext &context, llvm::StringRef path);

/// A model with its entry function and one array per argument of it.
struct ModelWithInputs {
  mlir::OwningOpRef<mlir::ModuleOp> module;
  mlir::func::FuncOp func;
  std::vector<NpyArray> inputs;
};

/// loadModel, then the entry function's arguments from `inputFiles` as
/// interp::readArguments reads them (`flag` names the files in errors). A
/// model without a function is an error "PATH has no function`purpose`".
llvm::Expected<ModelWithInputs>
loadModelWithInputs(mlir::MLIRContext &context, llvm::StringRef path,
                    llvm::ArrayRef<std::string> inputFiles,
                    llvm::StringRef flag, llvm::StringRef purpose);

/// Writes `module` as MLIR text to `path` ("-" for standard output),
/// atomically (writeFileAtomically).
llvm::Error writeModule(mlir::ModuleOp module, llvm::StringRef path);

} // namespace qcc

#endif // QCC_COMPILER_MODELFILE_H
