//===- CPUTarget.cpp - The CPU target behind the target interface ---------===//

#include "qcc/Target/CPU/Target.h"

#include "qcc/Target/CPU/Compile.h"
#include "qcc/Target/OutputDirectory.h"

#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/JSON.h"
#include "llvm/Support/Path.h"

using namespace mlir;
using llvm::Error;
using llvm::Expected;
using llvm::StringRef;
using qcc::target::artifactPath;
using qcc::target::writeArtifactText;

namespace {

class CPUTarget : public qcc::target::Target {
public:
  StringRef getName() const override { return "cpu"; }
  StringRef getDescription() const override {
    return "this machine's CPU (a shared library with the C API of model.h)";
  }
  std::vector<StringRef> getEmitKinds() const override {
    return {"so", "obj", "llvm"};
  }

  Error
  checkOptions(const qcc::target::ArtifactOptions &options) const override {
    return resolveCpu(options).takeError();
  }

  Expected<std::string>
  buildArtifact(ModuleOp module, func::FuncOp func,
                const qcc::target::ArtifactOptions &options,
                StringRef dir) const override {
    auto cpu = resolveCpu(options);
    if (!cpu)
      return cpu.takeError();
    auto provenance = withCpu(options.provenance, *cpu);
    if (!provenance)
      return provenance.takeError();
    auto signature = qcc::cpu::getSignature(func);
    if (!signature)
      return signature.takeError();
    qcc::cpu::LoweringOptions lowering;
    lowering.packedConvMinBytes = options.packedConvMinBytes;
    lowering.singleFloatMath = options.floatModel;
    auto llvmModule = qcc::cpu::lowerToLLVM(module, func, lowering);
    if (!llvmModule)
      return llvmModule.takeError();
    if (options.emit == "llvm") {
      if (Error e = writeArtifactText(artifactPath(dir, "model.ll"),
                                      llvmModule->text()))
        return std::move(e);
      return std::string("model.ll");
    }
    if (Error e = writeArtifactText(artifactPath(dir, "model.h"),
                                    qcc::cpu::getModelHeader()))
      return std::move(e);
    if (Error e = writeArtifactText(artifactPath(dir, "provenance.json"),
                                    *provenance + "\n"))
      return std::move(e);
    auto built = qcc::cpu::buildModel(*llvmModule, *provenance, *cpu, dir,
                                      /*objectOnly=*/options.emit == "obj");
    if (!built)
      return built.takeError();
    return llvm::sys::path::filename(*built).str();
  }

  Expected<std::unique_ptr<qcc::runtime::CompiledModel>>
  load(StringRef path) const override {
    return qcc::runtime::CompiledModel::load(path.str());
  }

private:
  /// The instruction set asked for; portable when none is.
  static Expected<qcc::cpu::CpuTarget>
  resolveCpu(const qcc::target::ArtifactOptions &options) {
    return qcc::cpu::resolveCpuTarget(options.cpu.empty()
                                          ? qcc::cpu::getCpuChoices().front()
                                          : StringRef(options.cpu));
  }

  /// The provenance JSON with what the library is built for: the ISA, the
  /// features it checks for at load, the copies of the model's code (one
  /// per x86-64 level), the micro-kernels linked and the ISA tiers they
  /// choose from at run time.
  static Expected<std::string> withCpu(StringRef provenance,
                                       const qcc::cpu::CpuTarget &cpu) {
    auto parsed = llvm::json::parse(provenance);
    if (!parsed)
      return parsed.takeError();
    llvm::json::Object *object = parsed->getAsObject();
    if (!object)
      return llvm::createStringError(llvm::inconvertibleErrorCode(),
                                     "the provenance is not a JSON object");
    llvm::json::Array features, tiers, versions;
    for (const std::string &f : cpu.features)
      features.push_back(f);
    versions.push_back(cpu.march.empty() ? "default" : cpu.march);
    for (const std::string &v : cpu.codeVersions)
      versions.push_back(v);
    for (StringRef tier : qcc::cpu::getKernelTiers())
      tiers.push_back(tier);
    (*object)["cpu"] = llvm::json::Object{
        {"isa", cpu.description},
        {"march", cpu.march.empty() ? "(default)" : cpu.march},
        {"requires", std::move(features)},
        {"code_versions", std::move(versions)},
        {"ukernel", cpu.ukernel.name},
        {"kernel_tiers", std::move(tiers)}};
    return llvm::formatv("{0:2}", llvm::json::Value(std::move(*parsed))).str();
  }
};

} // namespace

std::unique_ptr<qcc::target::Target> qcc::cpu::createCPUTarget() {
  return std::make_unique<CPUTarget>();
}
