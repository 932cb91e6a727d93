//===- Compile.h - Compiling a qc module to a native shared library -*- C++ -*-===//
//
// The CPU code generator: the integer qc graph goes through upstream MLIR
// (linalg, bufferization, LLVM) to LLVM IR, which clang compiles and links
// with the C API (model.h) and the micro-kernels, both compiled when qcc was
// built, into a shared library. docs/cpu-codegen.md describes the API and
// the pipeline.
//
//===----------------------------------------------------------------------===//

#ifndef QCC_TARGET_CPU_COMPILE_H
#define QCC_TARGET_CPU_COMPILE_H

#include "qcc/Runtime/CompiledModel.h"
#include "qcc/Target/CPU/Passes.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/Pass/PassManager.h"
#include "llvm/IR/LLVMContext.h"
#include "llvm/IR/Module.h"
#include "llvm/Support/Error.h"

#include <memory>

#include <cstdint>
#include <string>
#include <vector>

namespace qcc::cpu {

using runtime::ModelSignature;
using runtime::TensorSignature;

/// The signature of `func`, or an error if code generation cannot give it a
/// C API (element types without a NumPy dtype, quantized types, dynamic
/// sizes other than the batch).
llvm::Expected<ModelSignature> getSignature(mlir::func::FuncOp func);

/// An LLVM module with the context that owns it.
struct LLVMModule {
  std::unique_ptr<llvm::LLVMContext> context;
  std::unique_ptr<llvm::Module> module;

  /// Textual LLVM IR (for --emit llvm; large models make large files).
  std::string text() const;
  /// Writes LLVM bitcode to `path`: what clang compiles (compact and fast
  /// to read, unlike the text with its weight arrays).
  llvm::Error writeBitcode(llvm::StringRef path) const;
};

/// Runs the qcc-cpu-lowering pipeline on `module` (whose entry `func` is
/// renamed kEntryName) and translates it to LLVM IR.
llvm::Expected<LLVMModule> lowerToLLVM(mlir::ModuleOp module,
                                       mlir::func::FuncOp func,
                                       const LoweringOptions &options = {});

/// The micro-kernels (lib/Target/CPU/Ukernel) compiled for one ISA level
/// when qcc was built: a relocatable position-independent object that every
/// model.so links, instead of compiling the kernels per model.
struct UkernelObject {
  /// The level, e.g. "x86-64-v4-vnni", "x86-64-v3", "x86-64".
  llvm::StringRef name;
  /// The host CPU features it needs: LLVM names, comma-separated.
  llvm::StringRef features;
  llvm::ArrayRef<uint8_t> bytes;
};

/// The prebuilt micro-kernels, most capable first.
llvm::ArrayRef<UkernelObject> getUkernelObjects();

/// The micro-kernels for this host: the first whose features the CPU has,
/// or the one QCC_UKERNEL_VARIANT names (for tests; an unknown name is an
/// error).
llvm::Expected<UkernelObject> selectUkernelObject();

/// The instruction set a model.so is built for (qcc compile --cpu).
struct CpuTarget {
  /// The --cpu value: "portable", "native", "x86-64", "x86-64-v2", ...
  std::string name;
  /// What provenance and qcc info call it, e.g. "native (znver5)".
  std::string description;
  /// clang's -march for the model's code; empty for the compiler's default.
  std::string march;
  /// The prebuilt micro-kernels it links (their ISA tiers are chosen at run
  /// time inside any of them).
  UkernelObject ukernel;
  /// The CPU features (LLVM names, sorted) the library needs and checks
  /// for before running (lib/Target/CPU/Runtime/CpuFeatures.def).
  std::vector<std::string> features;
  /// Higher x86-64 levels the model's code is also compiled for, one copy
  /// each, the best the CPU runs chosen at run time (portable: x86-64-v3
  /// and x86-64-v4).
  std::vector<std::string> codeVersions;
};

/// The ISA tiers every model.so's kernels choose from at run time, lowest
/// first (Ukernel.h's QCC_CPU_TIER_* names; only "generic" off x86).
std::vector<llvm::StringRef> getKernelTiers();

/// The values --cpu takes on this host, the default (portable) first.
llvm::ArrayRef<llvm::StringRef> getCpuChoices();

/// What `cpu` (a getCpuChoices value) builds; an error names the choices.
llvm::Expected<CpuTarget> resolveCpuTarget(llvm::StringRef cpu);

/// The public header of every compiled model (lib/Target/CPU/Runtime/model.h).
llvm::StringRef getModelHeader();

/// The C API of every compiled model (lib/Target/CPU/Runtime/ModelApi.c),
/// compiled when qcc was built: a relocatable position-independent object.
llvm::ArrayRef<uint8_t> getModelApiObject();

/// clang: QCC_CLANG, else clang-22 or clang on PATH; an error saying so.
llvm::Expected<std::string> findClang();

/// Compiles and links `sources` (.bc, .ll, .c, .o) into the shared library
/// `output` with clang (QCC_CLANG, else clang-22 or clang on PATH) at -O3
/// with -march=`march` (none when empty); with `objectOnly`, compiles the
/// first source into the object file `output`.
llvm::Error linkSharedLibrary(llvm::ArrayRef<std::string> sources,
                              llvm::StringRef output, llvm::StringRef march,
                              bool objectOnly = false);

/// A prebuilt object linked into a model.so beside the C API.
struct NamedObject {
  llvm::StringRef name; ///< its file name in the output directory
  llvm::ArrayRef<uint8_t> bytes;
};

/// Writes model.bc (`module`, with `provenance` (JSON) and `cpu`'s ISA and
/// features added as globals the C API returns and checks), the C API
/// (model_api.o), `cpu`'s prebuilt micro-kernels (ukernel.o) and
/// `extraObjects` (another target's runtime) into `dir` and links
/// `dir`/model.so from them for `cpu` (with `objectOnly`, compiles
/// `dir`/model.o from model.bc, to be linked with the others). Returns the
/// path built.
llvm::Expected<std::string>
buildModel(LLVMModule &module, llvm::StringRef provenance,
           const CpuTarget &cpu, llvm::StringRef dir, bool objectOnly = false,
           llvm::ArrayRef<NamedObject> extraObjects = {});

} // namespace qcc::cpu

#endif // QCC_TARGET_CPU_COMPILE_H
