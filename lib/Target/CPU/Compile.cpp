//===- Compile.cpp - Compiling a qc module to a native shared library ----===//

#include "qcc/Target/CPU/Compile.h"

#include "qcc/Target/CPU/Ukernel.h"

#include "qcc/Conversion/Passes.h"
#include "qcc/Dialect/QC/IR/QCOps.h"
#include "qcc/Dialect/QC/Transforms/Passes.h"
#include "qcc/Interpreter/Model.h"

#include "mlir/Conversion/Passes.h"
#include "mlir/Dialect/Bufferization/IR/Bufferization.h"
#include "mlir/Dialect/Bufferization/Pipelines/Passes.h"
#include "mlir/Dialect/Bufferization/Transforms/Passes.h"
#include "mlir/Dialect/Linalg/Passes.h"
#include "mlir/Dialect/MemRef/Transforms/Passes.h"
#include "mlir/Dialect/Quant/IR/QuantTypes.h"
#include "mlir/Interfaces/CallInterfaces.h"
#include "mlir/Pass/PassRegistry.h"
#include "mlir/Target/LLVMIR/Dialect/Builtin/BuiltinToLLVMIRTranslation.h"
#include "mlir/Target/LLVMIR/Dialect/LLVMIR/LLVMToLLVMIRTranslation.h"
#include "mlir/Target/LLVMIR/Export.h"
#include "mlir/Transforms/Passes.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/Bitcode/BitcodeWriter.h"
#include "llvm/IR/Constants.h"
#include "llvm/IR/GlobalVariable.h"
#include "llvm/IR/LLVMContext.h"
#include "llvm/IR/Module.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/Program.h"
#include "llvm/Support/raw_ostream.h"
#include "llvm/TargetParser/Host.h"
#include "llvm/TargetParser/X86TargetParser.h"
#include "llvm/Transforms/Utils/Cloning.h"
#include "llvm/Transforms/Utils/ValueMapper.h"

#include <algorithm>

using namespace mlir;
using llvm::Error;
using llvm::Expected;
using llvm::MemoryBuffer;
using llvm::raw_ostream;
using llvm::raw_string_ostream;
using llvm::SmallString;
using llvm::StringRef;
using llvm::Twine;
namespace sys = llvm::sys;

namespace qcc::cpu {

namespace {

/// "file:line:col" (with the node's name when the location has one), or
/// the location as MLIR prints it.
std::string describeLocation(Location loc) {
  std::string node;
  if (auto name = dyn_cast<NameLoc>(loc)) {
    node = (" (node '" + name.getName().getValue() + "')").str();
    loc = name.getChildLoc();
  }
  if (auto file = dyn_cast<FileLineColLoc>(loc))
    return (file.getFilename().getValue() + ":" + Twine(file.getLine()) + ":" +
            Twine(file.getColumn()) + node)
        .str();
  std::string text;
  raw_string_ostream(text) << loc;
  return text + node;
}

Error error(const Twine &message) {
  return llvm::createStringError(llvm::inconvertibleErrorCode(), message);
}

Expected<TensorSignature> tensorSignature(func::FuncOp func, Type type,
                                          unsigned index, bool result) {
  const char *what = result ? "result" : "argument";
  const std::string name = interp::valueName(func, index, result);
  // A quantized tensor has no array type: the caller would see storage
  // integers without their scale.
  auto tensor = dyn_cast<RankedTensorType>(type);
  std::optional<NpyDType> dtype;
  if (tensor && !isa<quant::QuantizedType>(tensor.getElementType()))
    dtype = interp::npyTypeOf(tensor.getElementType());
  if (!dtype)
    return error(Twine(what) + " '" + name + "' is a " +
                 interp::typeString(type) +
                 "; compiled models take and return ranked tensors of bool, "
                 "8- to 64-bit integers, f16, f32 or f64");
  TensorSignature s{name, {}, *dtype};
  for (int64_t d = 0; d < tensor.getRank(); ++d) {
    if (tensor.isDynamicDim(d) && d != 0)
      return error(Twine(what) + " '" + name + "' has a dynamic dimension " +
                   Twine(d) + "; only dimension 0 (the batch) may be dynamic");
    s.shape.push_back(tensor.isDynamicDim(d) ? -1 : tensor.getDimSize(d));
  }
  return s;
}

} // namespace

Expected<ModelSignature> getSignature(func::FuncOp func) {
  ModelSignature signature;
  FunctionType type = func.getFunctionType();
  for (unsigned i = 0; i < type.getNumInputs(); ++i) {
    auto s = tensorSignature(func, type.getInput(i), i, false);
    if (!s)
      return s.takeError();
    signature.inputs.push_back(std::move(*s));
  }
  for (unsigned i = 0; i < type.getNumResults(); ++i) {
    auto s = tensorSignature(func, type.getResult(i), i, true);
    if (!s)
      return s.takeError();
    signature.outputs.push_back(std::move(*s));
  }
  return signature;
}

void buildCPULoweringPipeline(OpPassManager &pm,
                              const LoweringOptions &options) {
  CPUPrepareEntryOptions prepare;
  prepare.entry = options.entry;
  pm.addPass(createCPUPrepareEntry(prepare));
  // One sample at a time: static shapes throughout (the C wrapper loops
  // over the batch).
  qc::QCSetBatchSizeOptions batch;
  batch.batchSize = 1;
  pm.addNestedPass<func::FuncOp>(qc::createQCSetBatchSize(batch));
  // Weights of up to 8 bits as packed rows: matrix products read them with
  // the packed kernels (foldConstantWeights unpacks the others).
  qc::QCPackWeightsOptions pack;
  pack.maxBits = 8;
  pm.addPass(qc::createQCPackWeights(pack));
  CPUConvertQCToLinalgOptions toLinalg;
  toLinalg.packedConvMinBytes = options.packedConvMinBytes;
  toLinalg.singleFloatMath = options.singleFloatMath;
  pm.addPass(createCPUConvertQCToLinalg(toLinalg));
  if (options.singleFloatMath)
    pm.addPass(createCPUApproximateFloatMath());
  pm.addPass(createCanonicalizerPass());
  pm.addNestedPass<func::FuncOp>(createFuseElementwise());
  addBufferizationPasses(pm);
  pm.addNestedPass<func::FuncOp>(createConvertMemRefCopyToLinalg());
  pm.addPass(createCPULinalgToUkernelCalls());
  bufferization::BufferDeallocationPipelineOptions deallocation;
  bufferization::buildBufferDeallocationPipeline(pm, deallocation);
  // The buffers, freed at the end of the function by the pipeline above, in
  // one arena by their live ranges.
  pm.addNestedPass<func::FuncOp>(createCPUPlanBuffers());
  pm.addPass(createCPUOutlineLoops());
  pm.addPass(createCPUParallelizeLoops());
  pm.addNestedPass<func::FuncOp>(createConvertLinalgToLoopsPass());
  addLoopsToLLVMPasses(pm);
  pm.addPass(createCPUEmitInvoke());
  pm.addPass(createReconcileUnrealizedCastsPass());
}

void addBufferizationPasses(OpPassManager &pm) {
  bufferization::OneShotBufferizePassOptions bufferize;
  bufferize.bufferizeFunctionBoundaries = true;
  bufferize.functionBoundaryTypeConversion =
      bufferization::LayoutMapOption::IdentityLayoutMap;
  pm.addPass(bufferization::createOneShotBufferizePass(bufferize));
  bufferization::BufferResultsToOutParamsPassOptions outParams;
  outParams.hoistStaticAllocs = true;
  outParams.modifyPublicFunctions = true;
  pm.addPass(bufferization::createBufferResultsToOutParamsPass(outParams));
}

void addLoopsToLLVMPasses(OpPassManager &pm) {
  pm.addPass(createSCFToControlFlowPass());
  pm.addPass(memref::createExpandStridedMetadataPass());
  pm.addPass(createLowerAffinePass());
  // memref.alloc and memref.dealloc as calls of the kernels' heap
  // (Ukernel/Heap.c), which keeps freed buffers for the next run.
  FinalizeMemRefToLLVMConversionPassOptions memrefToLLVM;
  memrefToLLVM.useGenericFunctions = true;
  pm.addPass(createFinalizeMemRefToLLVMConversionPass(memrefToLLVM));
  // exp, tanh, erf, pow as libm calls: the functions the interpreter uses.
  pm.addPass(createConvertMathToLibmPass());
  pm.addPass(createConvertMathToLLVMPass());
  pm.addPass(createArithToLLVMConversionPass());
  pm.addPass(createConvertControlFlowToLLVMPass());
  pm.addPass(createConvertFuncToLLVMPass());
}

std::string LLVMModule::text() const {
  std::string ir;
  raw_string_ostream os(ir);
  module->print(os, nullptr);
  return ir;
}

Error LLVMModule::writeBitcode(StringRef path) const {
  std::error_code ec;
  llvm::raw_fd_ostream os(path, ec);
  if (ec)
    return error("cannot write " + path + ": " + ec.message());
  llvm::WriteBitcodeToFile(*module, os);
  return Error::success();
}

Expected<LLVMModule> lowerToLLVM(ModuleOp module, func::FuncOp func,
                                 const LoweringOptions &options) {
  LoweringOptions withEntry = options;
  withEntry.entry = func.getSymName().str();
  std::string diagnostics;
  {
    raw_string_ostream os(diagnostics);
    ScopedDiagnosticHandler handler(module.getContext(), [&](Diagnostic &d) {
      os << describeLocation(d.getLocation()) << ": " << d.str() << "\n";
      for (const Diagnostic &note : d.getNotes())
        if (!StringRef(note.str()).starts_with("see current operation"))
          os << "  note: " << note.str() << "\n";
      return success();
    });
    PassManager pm(module.getContext());
    buildCPULoweringPipeline(pm, withEntry);
    if (failed(pm.run(module)))
      return error("lowering to LLVM failed" +
                   (diagnostics.empty() ? std::string()
                                        : ":\n" + diagnostics));
  }
  registerBuiltinDialectTranslation(*module.getContext());
  registerLLVMDialectTranslation(*module.getContext());
  LLVMModule result;
  result.context = std::make_unique<llvm::LLVMContext>();
  result.module = translateModuleToLLVMIR(module, *result.context, "model");
  if (!result.module)
    return error("translation to LLVM IR failed");
  return result;
}

namespace {
// kUkernelObjects: the micro-kernels compiled when qcc was built, most
// capable first (lib/Target/CPU/Ukernel/CMakeLists.txt).
#include "UkernelObjects.inc"
} // namespace

ArrayRef<UkernelObject> getUkernelObjects() { return kUkernelObjects; }

namespace {
/// The prebuilt micro-kernels' names, for errors.
std::string ukernelNames() {
  std::string list;
  for (const UkernelObject &object : getUkernelObjects())
    list += (list.empty() ? "" : ", ") + object.name.str();
  return list;
}

/// QCC_UKERNEL_VARIANT's object, if it names one (for tests).
Expected<std::optional<UkernelObject>> forcedUkernelObject() {
  const char *forced = std::getenv("QCC_UKERNEL_VARIANT");
  if (!forced)
    return std::nullopt;
  for (const UkernelObject &object : getUkernelObjects())
    if (object.name == forced)
      return object;
  return error(Twine("QCC_UKERNEL_VARIANT is '") + forced +
               "'; the micro-kernels were built for: " + ukernelNames());
}

/// The features a model.so can check it runs on (Runtime/CpuFeatures.def).
bool isCheckableFeature(StringRef name) {
  static const char *const kCheckable[] = {
#define QCC_CPU_FEATURE(NAME, LEAF, SUBLEAF, REGISTER, BIT, STATE) NAME,
#include "Runtime/CpuFeatures.def"
  };
  return llvm::is_contained(kCheckable, name);
}

constexpr bool kHostIsX86 =
#if defined(__x86_64__)
    true;
#else
    false;
#endif
} // namespace

Expected<UkernelObject> selectUkernelObject() {
  auto forced = forcedUkernelObject();
  if (!forced)
    return forced.takeError();
  if (*forced)
    return **forced;
  // For -march=native code: the host is the CPU it runs on.
  llvm::StringMap<bool> host = sys::getHostCPUFeatures();
  for (const UkernelObject &object : getUkernelObjects()) {
    SmallVector<StringRef> needs;
    object.features.split(needs, ',', /*MaxSplit=*/-1, /*KeepEmpty=*/false);
    if (llvm::all_of(needs, [&](StringRef f) { return host.lookup(f); }))
      return object;
  }
  return error("this CPU lacks features every prebuilt micro-kernel needs (" +
               ukernelNames() + ")");
}

std::vector<StringRef> getKernelTiers() {
  std::vector<StringRef> tiers;
  const int best = kHostIsX86 ? QCC_CPU_TIER_BEST : QCC_CPU_TIER_GENERIC;
  for (int tier = QCC_CPU_TIER_GENERIC; tier <= best; ++tier)
    tiers.push_back(qcc_ukernel_cpu_tier_name(tier));
  return tiers;
}

ArrayRef<StringRef> getCpuChoices() {
  static const StringRef kX86[] = {"portable",  "native",    "x86-64",
                                   "x86-64-v2", "x86-64-v3", "x86-64-v4"};
  static const StringRef kOther[] = {"portable", "native"};
  if (kHostIsX86)
    return kX86;
  return kOther;
}

Expected<CpuTarget> resolveCpuTarget(StringRef cpu) {
  if (!llvm::is_contained(getCpuChoices(), cpu))
    return error("unknown --cpu '" + cpu + "' (" +
                 join(getCpuChoices(), ", ") + ")");
  CpuTarget target;
  target.name = cpu.str();
  std::optional<UkernelObject> object;
  llvm::StringMap<bool> features;
  if (cpu == "native") {
    target.march = "native";
    target.description = "native (" + sys::getHostCPUName().str() + ")";
    auto selected = selectUkernelObject();
    if (!selected)
      return selected.takeError();
    object = *selected;
    features = sys::getHostCPUFeatures();
  } else if (!kHostIsX86) {
    // portable: the compiler's default for the host's architecture.
    target.description = "portable";
    object = getUkernelObjects().back();
  } else {
    // An x86-64 level: portable is the baseline, which every x86-64 CPU
    // runs; the kernels pick their ISA tier at run time either way.
    const StringRef level = cpu == "portable" ? "x86-64" : cpu;
    target.march = level.str();
    target.description = cpu == "portable" ? "portable (x86-64)" : cpu.str();
    auto forced = forcedUkernelObject();
    if (!forced)
      return forced.takeError();
    // The most capable prebuilt object within the level.
    const StringRef name = level == "x86-64-v4"   ? "x86-64-v4"
                           : level == "x86-64-v3" ? "x86-64-v3"
                                                  : "x86-64";
    for (const UkernelObject &candidate : getUkernelObjects())
      if (candidate.name == name)
        object = candidate;
    // Copies of the model's code for the levels above, chosen at run time.
    for (StringRef above : {"x86-64-v3", "x86-64-v4"})
      if (above > level)
        target.codeVersions.push_back(above.str());
    if (*forced)
      object = **forced;
    if (!object)
      return error("no prebuilt micro-kernels for " + level + " (have " +
                   ukernelNames() + ")");
    SmallVector<StringRef> direct;
    llvm::X86::getFeaturesForCPU(level, direct);
    for (StringRef f : direct) { // with what each implies (avx2: avx, ...)
      features[f] = true;
      llvm::X86::updateImpliedFeatures(f, /*Enabled=*/true, features);
    }
  }
  target.ukernel = *object;
  // What the library needs: the code's features and the kernels' (more
  // than the level's only when QCC_UKERNEL_VARIANT forces an object).
  SmallVector<StringRef> objectNeeds;
  object->features.split(objectNeeds, ',', -1, /*KeepEmpty=*/false);
  for (StringRef f : objectNeeds)
    features[f] = true;
  for (const auto &entry : features)
    if (entry.second && isCheckableFeature(entry.first()))
      target.features.push_back(entry.first().str());
  llvm::sort(target.features);
  return target;
}

namespace {
// kModelApiObject, kModelHeader (lib/Target/CPU/Runtime/CMakeLists.txt).
#include "ModelApi.inc"
} // namespace

StringRef getModelHeader() {
  return StringRef(reinterpret_cast<const char *>(kModelHeader),
                   sizeof(kModelHeader));
}

ArrayRef<uint8_t> getModelApiObject() { return kModelApiObject; }

Expected<std::string> findClang() {
  if (const char *env = std::getenv("QCC_CLANG"))
    return std::string(env);
  for (StringRef name : {"clang-22", "clang"})
    if (auto path = sys::findProgramByName(name))
      return *path;
  return error("cannot find clang (clang-22 or clang on PATH, or set "
               "QCC_CLANG); scripts/install-deps.sh installs it");
}

Error linkSharedLibrary(ArrayRef<std::string> sources, StringRef output,
                        StringRef march, bool objectOnly) {
  auto found = findClang();
  if (!found)
    return found.takeError();
  const std::string clang = *found;
  // -Wno-override-module: the .ll carries the host triple.
  SmallVector<std::string> args = {clang,
                                   "-O3",
                                   "-fPIC",
                                   objectOnly ? "-c" : "-shared",
                                   "-fvisibility=hidden",
                                   "-Wno-override-module",
                                   "-o",
                                   output.str()};
  if (!march.empty())
    args.push_back(("-march=" + march).str());
  for (const std::string &s : objectOnly ? sources.take_front() : sources)
    args.push_back(s);
  if (!objectOnly)
    args.append({"-lm", "-pthread"}); // libm: roundevenf, exp, tanh, erf
  SmallVector<StringRef> argRefs(args.begin(), args.end());
  std::string errorMessage;
  SmallString<128> log;
  sys::fs::createTemporaryFile("qcc-clang", "log", log);
  std::optional<StringRef> redirects[] = {std::nullopt, StringRef(log),
                                          StringRef(log)};
  const int rc = sys::ExecuteAndWait(clang, argRefs, std::nullopt, redirects, 0,
                                     0, &errorMessage);
  auto text = MemoryBuffer::getFile(log);
  sys::fs::remove(log);
  if (rc != 0)
    return error("clang failed (" + join(argRefs, " ") + "): " +
                 (errorMessage.empty() && text ? (*text)->getBuffer().str()
                                               : errorMessage));
  return Error::success();
}

namespace {
/// Lets LLVM's vectorizers use 512-bit vectors in f's loops on an AVX-512
/// target, whose tuning otherwise stops them at 256 bits (for the clock of
/// early AVX-512 cores, which the micro-kernels' zmm code pays anyway).
/// EfficientNet-B0 f32 on Zen 5: 2.0 -> 1.8 ms, its SiLU and
/// squeeze-excitation loops twice as wide.
void preferWideVectors(llvm::Function &f) {
  f.addFnAttr("prefer-vector-width", "512");
}

/// Adds to `m` a copy of the model's code compiled for the x86-64 `level`
/// (the functions `defined`, cloned with the function attribute target-cpu;
/// the weights and other globals are shared), whose entry is
/// qcc_model_invoke_<level> (dashes as underscores). The C API calls the
/// best copy the CPU runs (ModelApi.c).
void addCodeVersion(llvm::Module &m, ArrayRef<llvm::Function *> defined,
                    StringRef level) {
  std::string suffix = level.str();
  std::replace(suffix.begin(), suffix.end(), '-', '_');
  llvm::ValueToValueMapTy map;
  SmallVector<std::pair<llvm::Function *, llvm::Function *>> clones;
  for (llvm::Function *f : defined) {
    const bool entry = f->getName() == "qcc_model_invoke";
    llvm::Function *clone = llvm::Function::Create(
        f->getFunctionType(), llvm::GlobalValue::InternalLinkage,
        f->getAddressSpace(),
        entry ? "qcc_model_invoke_" + suffix
              : f->getName() + ".qcc_" + suffix,
        &m);
    map[f] = clone;
    clones.push_back({f, clone});
  }
  for (auto [f, clone] : clones) {
    auto arg = clone->arg_begin();
    for (llvm::Argument &a : f->args())
      map[&a] = &*arg++;
    SmallVector<llvm::ReturnInst *> returns;
    llvm::CloneFunctionInto(clone, f, map,
                            llvm::CloneFunctionChangeType::LocalChangesOnly,
                            returns);
    clone->setLinkage(llvm::GlobalValue::InternalLinkage);
    if (clone->getName().starts_with("qcc_model_invoke_")) {
      clone->setLinkage(llvm::GlobalValue::ExternalLinkage);
      clone->setVisibility(llvm::GlobalValue::HiddenVisibility);
    }
    clone->removeFnAttr("target-features");
    clone->addFnAttr("target-cpu", level);
    if (level == "x86-64-v4")
      preferWideVectors(*clone);
  }
}
} // namespace

Expected<std::string> buildModel(LLVMModule &module, StringRef provenance,
                                 const CpuTarget &cpu, StringRef dir,
                                 bool objectOnly,
                                 ArrayRef<NamedObject> extraObjects) {
  auto inDir = [&](StringRef name) {
    SmallString<256> path(dir);
    sys::path::append(path, name);
    return std::string(path);
  };
  auto write = [&](StringRef name, ArrayRef<uint8_t> bytes) -> Error {
    std::error_code ec;
    llvm::raw_fd_ostream os(inDir(name), ec);
    if (ec)
      return error("cannot write " + inDir(name) + ": " + ec.message());
    os << llvm::toStringRef(bytes);
    return Error::success();
  };
  // The provenance the C API returns (qcc_model_provenance), and the ISA
  // it checks the CPU for before running any model code.
  auto addString = [&](StringRef name, StringRef value) {
    llvm::Constant *text =
        llvm::ConstantDataArray::getString(*module.context, value);
    new llvm::GlobalVariable(*module.module, text->getType(),
                             /*isConstant=*/true,
                             llvm::GlobalValue::ExternalLinkage, text, name);
  };
  SmallVector<llvm::Function *> defined;
  for (llvm::Function &f : *module.module)
    if (!f.isDeclaration())
      defined.push_back(&f);
  // The library's own code, where it requires AVX-512 (x86-64-v4, or
  // native on an AVX-512 host).
  if (llvm::is_contained(cpu.features, "avx512f"))
    for (llvm::Function *f : defined)
      preferWideVectors(*f);
  for (const std::string &level : cpu.codeVersions)
    addCodeVersion(*module.module, defined, level);
  addString("qcc_provenance", provenance);
  addString("qcc_cpu_isa", cpu.name);
  addString("qcc_cpu_features", llvm::join(cpu.features, ","));
  if (Error e = module.writeBitcode(inDir("model.bc")))
    return std::move(e);
  // Kept beside model.bc: with model.o (objectOnly) they are what a user
  // links.
  if (Error e = write("model_api.o", getModelApiObject()))
    return std::move(e);
  if (Error e = write("ukernel.o", cpu.ukernel.bytes))
    return std::move(e);
  SmallVector<std::string> sources = {inDir("model.bc"), inDir("model_api.o"),
                                      inDir("ukernel.o")};
  for (const NamedObject &object : extraObjects) {
    if (Error e = write(object.name, object.bytes))
      return std::move(e);
    sources.push_back(inDir(object.name));
  }
  std::string output = inDir(objectOnly ? "model.o" : "model.so");
  if (Error e = linkSharedLibrary(sources, output, cpu.march, objectOnly))
    return std::move(e);
  return output;
}

void registerCPUPassesAndPipelines() {
  registerQCCCPUPasses();
  struct PipelineOptions : PassPipelineOptions<PipelineOptions> {
    Option<int64_t> packedConvMinBytes{
        *this, "packed-conv-min-bytes",
        llvm::cl::desc("Integer convolutions on packed int4 weights read "
                       "them packed from this many int8 weight bytes on"),
        llvm::cl::init(LoweringOptions().packedConvMinBytes)};
    Option<std::string> entry{
        *this, "entry",
        llvm::cl::desc("The entry function (default: @main, else the first "
                       "function with a body)"),
        llvm::cl::init("")};
    Option<bool> singleFloatMath{
        *this, "single-float-math",
        llvm::cl::desc("Float activations, softmax and layer normalization "
                       "in f32, their math functions as polynomials, batched "
                       "products of activations on the f32 GEMM kernel "
                       "(float models; qcc compile --float)"),
        llvm::cl::init(false)};
  };
  PassPipelineRegistration<PipelineOptions>(
      "qcc-cpu-lowering",
      "The CPU target's lowering of a qc graph to the LLVM dialect (what qcc "
      "compile runs between model.mlir and LLVM IR)",
      [](OpPassManager &pm, const PipelineOptions &options) {
        LoweringOptions lowering;
        lowering.packedConvMinBytes = options.packedConvMinBytes;
        lowering.entry = options.entry;
        lowering.singleFloatMath = options.singleFloatMath;
        buildCPULoweringPipeline(pm, lowering);
      });
}

} // namespace qcc::cpu
