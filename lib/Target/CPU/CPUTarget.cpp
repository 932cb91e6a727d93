//===- CPUTarget.cpp - The CPU target behind the target interface ---------===//

#include "qcc/Target/CPU/Target.h"

#include "qcc/Support/AtomicFile.h"
#include "qcc/Target/CPU/Compile.h"

#include "llvm/Support/Path.h"

using namespace mlir;
using llvm::Error;
using llvm::Expected;
using llvm::StringRef;

namespace {

std::string inDir(StringRef dir, StringRef name) {
  llvm::SmallString<256> path(dir);
  llvm::sys::path::append(path, name);
  return std::string(path);
}

Error writeText(StringRef path, StringRef text) {
  return qcc::writeFileAtomically(path, [&](llvm::raw_ostream &os) {
    os << text;
    return Error::success();
  });
}

class CPUTarget : public qcc::target::Target {
public:
  StringRef getName() const override { return "cpu"; }
  StringRef getDescription() const override {
    return "this machine's CPU (a shared library with the C API of model.h)";
  }
  std::vector<StringRef> getEmitKinds() const override {
    return {"so", "obj", "llvm"};
  }

  Expected<std::string>
  buildArtifact(ModuleOp module, func::FuncOp func,
                const qcc::target::ArtifactOptions &options,
                StringRef dir) const override {
    auto signature = qcc::cpu::getSignature(func);
    if (!signature)
      return signature.takeError();
    qcc::cpu::LoweringOptions lowering;
    lowering.packedConvMinBytes = options.packedConvMinBytes;
    auto llvmModule = qcc::cpu::lowerToLLVM(module, func, lowering);
    if (!llvmModule)
      return llvmModule.takeError();
    if (options.emit == "llvm") {
      if (Error e = writeText(inDir(dir, "model.ll"), llvmModule->text()))
        return std::move(e);
      return std::string("model.ll");
    }
    if (Error e = writeText(inDir(dir, "model.h"), qcc::cpu::getModelHeader()))
      return std::move(e);
    if (Error e =
            writeText(inDir(dir, "provenance.json"), options.provenance + "\n"))
      return std::move(e);
    auto built = qcc::cpu::buildModel(*llvmModule, options.provenance, dir,
                                      /*objectOnly=*/options.emit == "obj");
    if (!built)
      return built.takeError();
    return llvm::sys::path::filename(*built).str();
  }

  Expected<std::unique_ptr<qcc::runtime::CompiledModel>>
  load(StringRef path) const override {
    return qcc::runtime::CompiledModel::load(path.str());
  }
};

} // namespace

std::unique_ptr<qcc::target::Target> qcc::cpu::createCPUTarget() {
  return std::make_unique<CPUTarget>();
}
