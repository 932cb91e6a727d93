//===- NVPTXTarget.cpp - The NVPTX target behind the target interface -----===//
//
// `qcc compile --target nvptx`: the qc graph through qcc-nvptx-lowering to
// PTX for the lowest --gpu architecture (forward compatible: the driver
// compiles it for the GPU it runs on), and host code linked into a model.so
// with the C API every target shares and the CUDA launcher. With ptxas
// present, the PTX is also assembled for each --gpu architecture: a check
// that the toolkit accepts every kernel, and cubins a user can ship.
//
//===----------------------------------------------------------------------===//

#include "qcc/Target/NVPTX/Target.h"

#include "qcc/Target/CPU/Compile.h"
#include "qcc/Target/NVPTX/Passes.h"
#include "qcc/Target/OutputDirectory.h"

#include "mlir/Dialect/GPU/IR/CompilationInterfaces.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Target/LLVM/NVVM/Target.h"
#include "mlir/Target/LLVMIR/Dialect/Builtin/BuiltinToLLVMIRTranslation.h"
#include "mlir/Target/LLVMIR/Dialect/GPU/GPUToLLVMIRTranslation.h"
#include "mlir/Target/LLVMIR/Dialect/LLVMIR/LLVMToLLVMIRTranslation.h"
#include "mlir/Target/LLVMIR/Dialect/NVVM/NVVMToLLVMIRTranslation.h"
#include "mlir/Target/LLVMIR/Export.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/JSON.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/Program.h"

using namespace mlir;
using llvm::Error;
using llvm::Expected;
using llvm::SmallString;
using llvm::StringRef;
using llvm::Twine;
namespace sys = llvm::sys;
namespace json = llvm::json;
using qcc::target::artifactPath;
using qcc::target::writeArtifactText;

namespace {
// kCudaLauncherObject (lib/Target/NVPTX/Runtime/CMakeLists.txt).
#include "CudaLauncher.inc"

/// The architectures --gpu takes by default: Ampere and Hopper.
constexpr StringRef kDefaultGpus = "sm_80,sm_90";

Error error(const Twine &message) {
  return llvm::createStringError(llvm::inconvertibleErrorCode(), message);
}

/// The --gpu list, lowest architecture first: sm_<major><minor>[a], each
/// 50 or more (what LLVM's NVPTX back end and CUDA 13's ptxas share).
Expected<std::vector<std::string>> parseGpus(StringRef list) {
  if (list.empty())
    list = kDefaultGpus;
  SmallVector<StringRef> names;
  list.split(names, ',', -1, /*KeepEmpty=*/false);
  std::vector<std::pair<unsigned, std::string>> gpus;
  for (StringRef name : names) {
    name = name.trim();
    StringRef digits = name;
    unsigned number = 0;
    if (!digits.consume_front("sm_") || digits.consumeInteger(10, number) ||
        number < 50 || !(digits.empty() || digits == "a"))
      return error("--gpu: '" + name +
                   "' is not an NVIDIA architecture such as sm_80 or sm_90 "
                   "(sm_50 and later; comma-separated)");
    gpus.push_back({number, name.str()});
  }
  llvm::sort(gpus);
  gpus.erase(std::unique(gpus.begin(), gpus.end()), gpus.end());
  std::vector<std::string> sorted;
  for (auto &[number, name] : gpus)
    sorted.push_back(name);
  return sorted;
}

/// 80 for "sm_80" (a name parseGpus accepted).
unsigned architectureNumber(StringRef gpu) {
  unsigned number = 0;
  gpu.drop_front(3).consumeInteger(10, number);
  return number;
}

/// ptxas from PATH, $CUDA_HOME/bin or /usr/local/cuda/bin, if any.
std::optional<std::string> findPtxas() {
  if (auto path = sys::findProgramByName("ptxas"))
    return *path;
  SmallVector<std::string> dirs;
  if (const char *home = std::getenv("CUDA_HOME"))
    dirs.push_back(artifactPath(home, "bin"));
  dirs.push_back("/usr/local/cuda/bin");
  for (const std::string &dir : dirs)
    if (auto path = sys::findProgramByName("ptxas", {dir}))
      return *path;
  return std::nullopt;
}

/// Assembles `ptx` for `gpu` into `cubin`; ptxas's -v report (registers,
/// spills, shared memory per kernel) goes to `report`.
Error assemble(StringRef ptxas, StringRef ptx, StringRef gpu, StringRef cubin,
               StringRef report) {
  SmallVector<StringRef> args = {ptxas, "-v", "-O3"};
  std::string arch = ("-arch=" + gpu).str();
  args.append({arch, ptx, "-o", cubin});
  std::optional<StringRef> redirects[] = {std::nullopt, report, report};
  std::string message;
  const int rc =
      sys::ExecuteAndWait(ptxas, args, std::nullopt, redirects, 0, 0, &message);
  if (rc == 0)
    return Error::success();
  auto text = llvm::MemoryBuffer::getFile(report);
  return error("ptxas rejected the kernels for " + gpu + " (" +
               llvm::join(args, " ") +
               "): " + (text ? (*text)->getBuffer().trim().str() : message));
}

/// fatbinary beside ptxas, if any.
std::optional<std::string> findFatbinary(StringRef ptxas) {
  if (auto path =
          sys::findProgramByName("fatbinary", {sys::path::parent_path(ptxas)}))
    return *path;
  return std::nullopt;
}

/// Packs the cubins of `gpus` and the PTX (for GPUs after them) into
/// `fatbin` (uncompressed: the PTX stays readable in model.so).
Error packFatbin(StringRef fatbinary, StringRef dir, ArrayRef<std::string> gpus,
                 StringRef ptxGpu, StringRef fatbin) {
  std::vector<std::string> args = {fatbinary.str(), "-64", "--compress=false",
                                   ("--create=" + fatbin).str()};
  auto number = [](StringRef gpu) { return gpu.drop_front(3).str(); };
  for (const std::string &gpu : gpus)
    args.push_back("--image3=kind=elf,sm=" + number(gpu) +
                   ",file=" + artifactPath(dir, "model." + gpu + ".cubin"));
  args.push_back("--image3=kind=ptx,sm=" + number(ptxGpu) +
                 ",file=" + artifactPath(dir, "model.ptx"));
  SmallVector<StringRef> argRefs(args.begin(), args.end());
  std::string message;
  if (sys::ExecuteAndWait(fatbinary, argRefs, std::nullopt, {}, 0, 0,
                          &message) != 0)
    return error("fatbinary failed (" + llvm::join(argRefs, " ") + ")" +
                 (message.empty() ? "" : ": " + message));
  return Error::success();
}

/// Makes every gpu.binary in `module` load `bytes` (a fatbin) instead of
/// its PTX: the driver then loads machine code for the GPUs it holds,
/// without compiling the PTX at each process start.
void embedFatbin(ModuleOp module, StringRef bytes) {
  MLIRContext *context = module.getContext();
  module.walk([&](gpu::BinaryOp binary) {
    SmallVector<Attribute> objects;
    for (Attribute object : binary.getObjects()) {
      auto o = cast<gpu::ObjectAttr>(object);
      objects.push_back(gpu::ObjectAttr::get(
          context, o.getTarget(), gpu::CompilationTarget::Fatbin,
          StringAttr::get(context, bytes), o.getProperties(), o.getKernels()));
    }
    binary.setObjectsAttr(ArrayAttr::get(context, objects));
  });
}

class NVPTXTarget : public qcc::target::Target {
public:
  StringRef getName() const override { return "nvptx"; }
  StringRef getDescription() const override {
    return "NVIDIA GPUs (PTX, and a shared library with the C API of model.h "
           "that runs it through the CUDA driver)";
  }
  std::vector<StringRef> getEmitKinds() const override {
    return {"so", "ptx", "cpu-sim"};
  }

  Error
  checkOptions(const qcc::target::ArtifactOptions &options) const override {
    if (auto gpus = parseGpus(options.gpu); !gpus)
      return gpus.takeError();
    return hostCpu(options).takeError();
  }

  Expected<std::string>
  buildArtifact(ModuleOp module, func::FuncOp func,
                const qcc::target::ArtifactOptions &options,
                StringRef dir) const override {
    auto gpus = parseGpus(options.gpu);
    if (!gpus)
      return gpus.takeError();
    auto cpu = hostCpu(options);
    if (!cpu)
      return cpu.takeError();
    if (auto signature = qcc::cpu::getSignature(func); !signature)
      return signature.takeError();
    const bool simulate = options.emit == "cpu-sim";
    qcc::nvptx::LoweringOptions lowering;
    lowering.entry = func.getSymName().str();
    lowering.chip = gpus->front();
    // mma.sync m16n8k32 on int8 needs sm_80, dp4a sm_61: an older GPU in
    // the list makes every kernel one that it runs.
    lowering.tensorCores = architectureNumber(lowering.chip) >= 80;
    lowering.dp4a = architectureNumber(lowering.chip) >= 61;
    lowering.cpuSimulation = simulate;
    MLIRContext *context = module.getContext();
    registerBuiltinDialectTranslation(*context);
    registerLLVMDialectTranslation(*context);
    registerGPUDialectTranslation(*context);
    registerNVVMDialectTranslation(*context);
    {
      DialectRegistry registry;
      NVVM::registerNVVMTargetInterfaceExternalModels(registry);
      gpu::registerOffloadingLLVMTranslationInterfaceExternalModels(registry);
      context->appendDialectRegistry(registry);
    }
    PassManager pm(context);
    qcc::nvptx::buildNVPTXLoweringPipeline(pm, lowering);
    std::string diagnostics;
    {
      llvm::raw_string_ostream os(diagnostics);
      ScopedDiagnosticHandler handler(context, [&](Diagnostic &d) {
        os << d.getLocation() << ": " << d.str() << "\n";
        return success();
      });
      if (failed(pm.run(module)))
        return error(
            "lowering for the GPU failed" +
            (diagnostics.empty() ? std::string() : ":\n" + diagnostics));
    }

    // The PTX, then cubins for every architecture ptxas can check.
    json::Array assembled;
    std::string ptxNote;
    std::string embedded = simulate ? "none (cpu-sim)" : "ptx";
    if (!simulate) {
      std::string ptx;
      module.walk([&](gpu::BinaryOp binary) {
        for (Attribute object : binary.getObjects())
          if (auto o = dyn_cast<gpu::ObjectAttr>(object))
            ptx += o.getObject().getValue().str();
      });
      if (ptx.empty())
        return error("the lowering produced no PTX");
      if (Error e = writeArtifactText(artifactPath(dir, "model.ptx"), ptx))
        return std::move(e);
      if (std::optional<std::string> ptxas = findPtxas()) {
        for (const std::string &gpu : *gpus) {
          const std::string cubin = "model." + gpu + ".cubin";
          const std::string report = "model." + gpu + ".ptxas.txt";
          if (Error e =
                  assemble(*ptxas, artifactPath(dir, "model.ptx"), gpu,
                           artifactPath(dir, cubin), artifactPath(dir, report)))
            return std::move(e);
          assembled.push_back(gpu);
        }
        if (std::optional<std::string> fatbinary = findFatbinary(*ptxas)) {
          const std::string fatbin = artifactPath(dir, "model.fatbin");
          if (Error e =
                  packFatbin(*fatbinary, dir, *gpus, gpus->front(), fatbin))
            return std::move(e);
          auto bytes = llvm::MemoryBuffer::getFile(fatbin);
          if (!bytes)
            return error("cannot read " + fatbin);
          embedFatbin(module, (*bytes)->getBuffer());
          embedded = "fatbin (SASS for " + llvm::join(*gpus, ", ") +
                     ", PTX for " + gpus->front() + ")";
        }
      } else {
        ptxNote =
            "ptxas not found (PATH, $CUDA_HOME/bin, /usr/local/cuda/bin): "
            "no cubins; the driver compiles model.ptx when it loads";
      }
      if (options.emit == "ptx")
        return std::string("model.ptx");
    }

    auto provenance = withGpu(options.provenance, *gpus, lowering, simulate,
                              assembled, ptxNote, embedded);
    if (!provenance)
      return provenance.takeError();
    qcc::cpu::LLVMModule llvmModule;
    llvmModule.context = std::make_unique<llvm::LLVMContext>();
    llvmModule.module =
        translateModuleToLLVMIR(module, *llvmModule.context, "model");
    if (!llvmModule.module)
      return error("translation of the host code to LLVM IR failed");
    if (Error e = writeArtifactText(artifactPath(dir, "model.h"),
                                    qcc::cpu::getModelHeader()))
      return std::move(e);
    if (Error e = writeArtifactText(artifactPath(dir, "provenance.json"),
                                    *provenance + "\n"))
      return std::move(e);
    SmallVector<qcc::cpu::NamedObject, 1> launcher;
    if (!simulate)
      launcher.push_back({"cuda_launcher.o", kCudaLauncherObject});
    auto built = qcc::cpu::buildModel(llvmModule, *provenance, *cpu, dir,
                                      /*objectOnly=*/false, launcher);
    if (!built)
      return built.takeError();
    return sys::path::filename(*built).str();
  }

  Expected<std::unique_ptr<qcc::runtime::CompiledModel>>
  load(StringRef path) const override {
    return qcc::runtime::CompiledModel::load(path.str());
  }

private:
  /// The host code's instruction set: --cpu as for the CPU target, in one
  /// copy (it only launches kernels).
  static Expected<qcc::cpu::CpuTarget>
  hostCpu(const qcc::target::ArtifactOptions &options) {
    auto cpu = qcc::cpu::resolveCpuTarget(
        options.cpu.empty() ? qcc::cpu::getCpuChoices().front()
                            : StringRef(options.cpu));
    if (cpu)
      cpu->codeVersions.clear();
    return cpu;
  }

  /// The provenance JSON with what the library is built for.
  static Expected<std::string>
  withGpu(StringRef provenance, ArrayRef<std::string> gpus,
          const qcc::nvptx::LoweringOptions &lowering, bool simulate,
          json::Array &assembled, StringRef ptxNote, StringRef embedded) {
    auto parsed = json::parse(provenance);
    if (!parsed)
      return parsed.takeError();
    json::Object *object = parsed->getAsObject();
    if (!object)
      return error("the provenance is not a JSON object");
    json::Array list;
    for (const std::string &gpu : gpus)
      list.push_back(gpu);
    json::Object gpu{{"gpus", std::move(list)},
                     {"ptx_target", lowering.chip},
                     {"ptx_version", lowering.ptxFeatures.substr(4, 1) + "." +
                                         lowering.ptxFeatures.substr(5)},
                     {"block_size", lowering.blockSize},
                     {"tensor_cores", lowering.tensorCores
                                          ? "mma.sync m16n8k32 s8 (int8 "
                                            "matrix products, convolutions)"
                                          : "none (below sm_80)"},
                     {"dp4a", !lowering.dp4a ? "none (below sm_61)"
                              : lowering.tensorCores
                                  ? "dp4a.s32.s32 (int8 products the tensor "
                                    "cores do not take)"
                                  : "dp4a.s32.s32 (int8 matrix products, "
                                    "convolutions)"},
                     {"cpu_simulation", simulate},
                     {"cubins", std::move(assembled)},
                     {"embedded", embedded}};
    if (!ptxNote.empty())
      gpu["note"] = ptxNote;
    (*object)["gpu"] = std::move(gpu);
    return llvm::formatv("{0:2}", json::Value(std::move(*parsed))).str();
  }
};

} // namespace

std::unique_ptr<qcc::target::Target> qcc::nvptx::createNVPTXTarget() {
  return std::make_unique<NVPTXTarget>();
}
