//===- FuzzImport.cpp - One fuzz input through the importer ---------------===//
//
// The fuzz target: untrusted bytes as an ONNX model file, imported,
// verified and, if that succeeds, run by the interpreter on zero inputs
// (every dynamic dimension 1) under a small memory limit. Any error is an
// expected outcome; a crash, hang, sanitizer report or an imported module
// that fails verification is a finding.
//
// Built with libFuzzer when the toolchain has it (LLVMFuzzerTestOneInput),
// otherwise with the standalone mutation driver in StandaloneDriver.cpp.
//
//===----------------------------------------------------------------------===//

#include "FuzzImport.h"

#include "qcc/Import/ONNX.h"
#include "qcc/Interpreter/Interpreter.h"
#include "qcc/Support/CheckedInt.h"
#include "qcc/Support/MemoryLimit.h"

#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/IR/Verifier.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/raw_ostream.h"

#include <cstdlib>

using namespace mlir;

namespace qcc::fuzz {

/// A private directory for the model file (external data paths resolve
/// against it, so nothing else is reachable).
static const std::string &scratchDirectory() {
  static const std::string dir = [] {
    llvm::SmallString<128> path;
    if (llvm::sys::fs::createUniqueDirectory("qcc-fuzz", path)) {
      llvm::errs() << "qcc-fuzz-import: cannot create a temporary directory\n";
      std::abort();
    }
    return std::string(path);
  }();
  return dir;
}

void removeScratchDirectory() {
  llvm::sys::fs::remove_directories(scratchDirectory());
}

Outcome runOne(const uint8_t *data, size_t size) {
  // Each input is small; bound what a hostile graph may make the
  // interpreter allocate (the importer bounds element counts on its own).
  setMemoryLimitBytes(uint64_t{64} << 20);
  llvm::SmallString<128> path(scratchDirectory());
  llvm::sys::path::append(path, "model.onnx");
  {
    std::error_code ec;
    llvm::raw_fd_ostream os(path, ec);
    if (ec) {
      llvm::errs() << "qcc-fuzz-import: cannot write " << path << "\n";
      std::abort();
    }
    os.write(reinterpret_cast<const char *>(data), size);
  }
  MLIRContext context; // the importer registers the dialects it uses
  // Verifier and pass diagnostics are expected outcomes: keep them quiet.
  ScopedDiagnosticHandler quiet(&context, [](Diagnostic &) { return success(); });
  auto imported = importONNXModel(context, path);
  if (!imported) {
    llvm::consumeError(imported.takeError());
    return Outcome::Rejected;
  }
  ModuleOp module = *imported->module;
  if (failed(verify(module))) {
    // The importer promises verified IR: an import that "succeeds" with
    // invalid IR is a bug.
    llvm::errs() << "qcc-fuzz-import: the importer produced IR that fails "
                    "verification\n";
    std::abort();
  }
  auto main = module.lookupSymbol<func::FuncOp>("main");
  if (!main)
    return Outcome::Imported;
  std::vector<interp::Tensor> inputs;
  for (Type type : main.getArgumentTypes()) {
    auto shaped = dyn_cast<RankedTensorType>(type);
    if (!shaped)
      return Outcome::Imported;
    interp::Shape shape;
    for (int64_t d : shaped.getShape())
      shape.push_back(ShapedType::isDynamic(d) ? 1 : d);
    std::optional<uint64_t> bytes =
        checkedBytes(checkedProduct(shape), sizeof(double));
    if (!bytes || *bytes > memoryLimitBytes())
      return Outcome::Imported;
    inputs.push_back(interp::Tensor::filled(shape, 0.0));
  }
  auto outputs = interp::runFunction(main, inputs);
  if (!outputs) {
    llvm::consumeError(outputs.takeError());
    return Outcome::Imported;
  }
  return Outcome::Ran;
}

} // namespace qcc::fuzz

#ifdef QCC_FUZZ_WITH_LIBFUZZER
extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  (void)qcc::fuzz::runOne(data, size);
  return 0;
}
#endif
