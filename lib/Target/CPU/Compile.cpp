//===- Compile.cpp - Compiling a qc module to a native shared library ----===//

#include "qcc/Target/CPU/Compile.h"

#include "qcc/Conversion/Passes.h"
#include "qcc/Dialect/QC/IR/QCOps.h"
#include "qcc/Dialect/QC/Transforms/Passes.h"

#include "mlir/Conversion/Passes.h"
#include "mlir/Dialect/Bufferization/IR/Bufferization.h"
#include "mlir/Dialect/Bufferization/Pipelines/Passes.h"
#include "mlir/Dialect/Bufferization/Transforms/Passes.h"
#include "mlir/Dialect/Linalg/Passes.h"
#include "mlir/Dialect/MemRef/Transforms/Passes.h"
#include "mlir/Dialect/Quant/IR/QuantTypes.h"
#include "mlir/Target/LLVMIR/Dialect/Builtin/BuiltinToLLVMIRTranslation.h"
#include "mlir/Target/LLVMIR/Dialect/LLVMIR/LLVMToLLVMIRTranslation.h"
#include "mlir/Target/LLVMIR/Export.h"
#include "mlir/Transforms/Passes.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/Bitcode/BitcodeWriter.h"
#include "llvm/IR/LLVMContext.h"
#include "llvm/IR/Module.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/Program.h"
#include "llvm/Support/raw_ostream.h"

using namespace mlir;
using llvm::Error;
using llvm::Expected;
using llvm::formatv;
using llvm::MemoryBuffer;
using llvm::raw_ostream;
using llvm::raw_string_ostream;
using llvm::SmallString;
using llvm::StringRef;
using llvm::Twine;
namespace sys = llvm::sys;

namespace qcc::cpu {

namespace {

Error error(const Twine &message) {
  return llvm::createStringError(llvm::inconvertibleErrorCode(), message);
}

Expected<TensorSignature> tensorSignature(func::FuncOp func, Type type,
                                          unsigned index, bool result) {
  const char *what = result ? "result" : "argument";
  auto name = [&]() -> std::string {
    DictionaryAttr attrs =
        result ? func.getResultAttrDict(index) : func.getArgAttrDict(index);
    if (attrs)
      if (auto n = attrs.getAs<StringAttr>("onnx.name"))
        return n.str();
    return (Twine(result ? "output_" : "input_") + Twine(index)).str();
  }();
  auto tensor = dyn_cast<RankedTensorType>(type);
  if (!tensor || !tensor.getElementType().isF32())
    return error(Twine(what) + " '" + name +
                 "' is not a ranked f32 tensor; compiled models take and "
                 "return float32 arrays");
  TensorSignature s{name, {}, "float32"};
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

void buildLoweringPipeline(OpPassManager &pm, const LoweringOptions &options) {
  // Weights of up to 8 bits as packed rows: matrix products read them with
  // the packed kernels (convert-qc-to-linalg unpacks the others).
  qc::QCPackWeightsOptions pack;
  pack.maxBits = 8;
  pm.addPass(qc::createQCPackWeights(pack));
  ConvertQCToLinalgOptions toLinalg;
  toLinalg.packedConvMinBytes = options.packedConvMinBytes;
  pm.addPass(createConvertQCToLinalg(toLinalg));
  pm.addPass(createCanonicalizerPass());
  pm.addNestedPass<func::FuncOp>(createFuseElementwise());
  bufferization::OneShotBufferizePassOptions bufferize;
  bufferize.bufferizeFunctionBoundaries = true;
  bufferize.functionBoundaryTypeConversion =
      bufferization::LayoutMapOption::IdentityLayoutMap;
  pm.addPass(bufferization::createOneShotBufferizePass(bufferize));
  bufferization::BufferResultsToOutParamsPassOptions outParams;
  outParams.hoistStaticAllocs = true;
  outParams.modifyPublicFunctions = true;
  pm.addPass(bufferization::createBufferResultsToOutParamsPass(outParams));
  pm.addNestedPass<func::FuncOp>(createConvertMemRefCopyToLinalg());
  pm.addPass(createConvertLinalgToUkernelCalls());
  bufferization::BufferDeallocationPipelineOptions deallocation;
  bufferization::buildBufferDeallocationPipeline(pm, deallocation);
  pm.addNestedPass<func::FuncOp>(createConvertLinalgToLoopsPass());
  pm.addPass(createSCFToControlFlowPass());
  pm.addPass(memref::createExpandStridedMetadataPass());
  pm.addPass(createLowerAffinePass());
  pm.addPass(createFinalizeMemRefToLLVMConversionPass());
  // exp, tanh, erf, pow as libm calls: the functions the interpreter uses.
  pm.addPass(createConvertMathToLibmPass());
  pm.addPass(createConvertMathToLLVMPass());
  pm.addPass(createArithToLLVMConversionPass());
  pm.addPass(createConvertControlFlowToLLVMPass());
  pm.addPass(createConvertFuncToLLVMPass());
  pm.addPass(createReconcileUnrealizedCastsPass());
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
  // A shared library should not export `main`.
  if (failed(SymbolTable::replaceAllSymbolUses(
          func, StringAttr::get(module.getContext(), kEntryName), module)))
    return error("cannot rename the entry function");
  SymbolTable::setSymbolName(func, kEntryName);
  func->setAttr("llvm.emit_c_interface", UnitAttr::get(module.getContext()));
  {
    // Each result gets its own buffer (the caller's output array): a
    // returned argument, or a value returned twice, is copied first
    // (buffer-results-to-out-params cannot handle them).
    auto ret = cast<func::ReturnOp>(func.getBody().back().getTerminator());
    OpBuilder b(ret);
    llvm::SmallPtrSet<Value, 8> seen;
    for (OpOperand &operand : ret->getOpOperands()) {
      Value v = operand.get();
      if (isa<BlockArgument>(v) || !seen.insert(v).second)
        operand.set(bufferization::AllocTensorOp::create(
            b, ret.getLoc(), cast<RankedTensorType>(v.getType()), ValueRange{},
            /*copy=*/v));
    }
  }
  {
    // One sample at a time: static shapes throughout (see the wrapper).
    PassManager pm(module.getContext());
    qc::QCSetBatchSizeOptions batch;
    batch.batchSize = 1;
    pm.addNestedPass<func::FuncOp>(qc::createQCSetBatchSize(batch));
    if (failed(pm.run(module)))
      return error("cannot specialize the batch dimension");
  }
  // Attributes of the ONNX graph mean nothing to LLVM.
  for (unsigned i = 0; i < func.getNumArguments(); ++i)
    func.setArgAttrs(i, ArrayRef<NamedAttribute>{});
  for (unsigned i = 0; i < func.getNumResults(); ++i)
    func.setResultAttrs(i, ArrayRef<NamedAttribute>{});
  std::string diagnostics;
  {
    raw_string_ostream os(diagnostics);
    ScopedDiagnosticHandler handler(module.getContext(), [&](Diagnostic &d) {
      os << d.getLocation() << ": " << d.str() << "\n";
      for (const Diagnostic &note : d.getNotes())
        os << "  note: " << note.str() << "\n";
      return success();
    });
    PassManager pm(module.getContext());
    buildLoweringPipeline(pm, options);
    if (failed(pm.run(module)))
      return error("lowering to LLVM failed:\n" + diagnostics);
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

std::string getUkernelSource() {
#include "UkernelSources.inc"
  // One self-contained file: the header's text in place of its #include.
  std::string source = kUkernelSource;
  const std::string include = "#include \"qcc/Target/CPU/Ukernel.h\"";
  const size_t at = source.find(include);
  if (at != std::string::npos)
    source.replace(at, include.size(), kUkernelHeader);
  return "/* The CPU micro-kernels (lib/Target/CPU/Ukernel), as qcc embeds "
         "them. */\n" +
         source;
}

StringRef getModelHeader() {
  return R"(/* model.h: the C API of a model compiled by qcc (ABI version 1).
 *
 * A compiled model is a shared library exporting these functions. Inputs
 * and outputs are dense row-major arrays; a shape entry of -1 is the batch
 * dimension, given to qcc_model_run. All functions are thread-safe; a model
 * object may run on several threads at once.
 */
#ifndef QCC_MODEL_H
#define QCC_MODEL_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define QCC_MODEL_ABI_VERSION 1

typedef struct qcc_model qcc_model;

/* QCC_MODEL_ABI_VERSION of the library. */
int qcc_model_abi_version(void);

int qcc_model_num_inputs(void);
int qcc_model_num_outputs(void);
/* Names (the ONNX graph's), ranks, shapes and NumPy dtype names ("float32")
 * of input/output i; NULL or -1 when i is out of range. */
const char *qcc_model_input_name(int i);
const char *qcc_model_output_name(int i);
int qcc_model_input_rank(int i);
int qcc_model_output_rank(int i);
const int64_t *qcc_model_input_shape(int i);
const int64_t *qcc_model_output_shape(int i);
const char *qcc_model_input_dtype(int i);
const char *qcc_model_output_dtype(int i);

/* JSON: qcc version, hashes of the source model and calibration data, and
 * the options it was compiled with. */
const char *qcc_model_provenance(void);

qcc_model *qcc_model_create(void);
/* Runs the model on `batch` samples: inputs[i] and outputs[i] point to
 * caller-owned buffers of the shapes above. Returns 0, or -1 for a batch
 * below 1 or null pointers. */
int qcc_model_run(qcc_model *model, int64_t batch, const void *const *inputs,
                  void *const *outputs);
void qcc_model_destroy(qcc_model *model);

#ifdef __cplusplus
}
#endif

#endif /* QCC_MODEL_H */
)";
}

namespace {

std::string cString(StringRef s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\')
      out += '\\';
    if (c == '\n') {
      out += "\\n";
      continue;
    }
    out += c;
  }
  return out + "\"";
}

} // namespace

std::string generateRuntimeSource(const ModelSignature &signature,
                                  StringRef entry, StringRef provenance) {
  std::string s;
  raw_string_ostream os(s);
  os << "/* Generated by qcc: the C API (model.h) of a compiled model. */\n"
     << "#include <stdint.h>\n#include <stdlib.h>\n\n"
     << "#define QCC_EXPORT __attribute__((visibility(\"default\")))\n\n";
  // One MLIR memref descriptor type per tensor (its rank).
  auto all = [&](auto fn) {
    unsigned k = 0;
    for (const TensorSignature &t : signature.inputs)
      fn(t, k++, false);
    for (const TensorSignature &t : signature.outputs)
      fn(t, k++, true);
  };
  all([&](const TensorSignature &t, unsigned k, bool) {
    os << "typedef struct { float *allocated; float *aligned; int64_t offset; "
       << "int64_t sizes[" << t.shape.size() << "]; int64_t strides["
       << t.shape.size() << "]; } memref" << k << ";\n";
  });
  os << "void _mlir_ciface_" << entry << "(";
  all([&](const TensorSignature &, unsigned k, bool) {
    os << (k ? ", " : "") << "memref" << k << " *";
  });
  os << ");\n\n";
  auto table = [&](StringRef name, const std::vector<TensorSignature> &ts,
                   auto field) {
    os << "static const char *const " << name << "[] = {";
    for (const TensorSignature &t : ts)
      os << field(t) << ", ";
    os << "0};\n";
  };
  for (auto [prefix, ts] :
       {std::pair<StringRef, const std::vector<TensorSignature> *>{
            "input", &signature.inputs},
        {"output", &signature.outputs}}) {
    table((prefix + "_names").str(), *ts,
          [](const TensorSignature &t) { return cString(t.name); });
    table((prefix + "_dtypes").str(), *ts,
          [](const TensorSignature &t) { return cString(t.dtype); });
    for (size_t i = 0; i < ts->size(); ++i) {
      os << "static const int64_t " << prefix << "_shape" << i << "[] = {";
      for (int64_t d : (*ts)[i].shape)
        os << d << ", ";
      os << "0};\n";
    }
    os << "static const int64_t *const " << prefix << "_shapes[] = {";
    for (size_t i = 0; i < ts->size(); ++i)
      os << prefix << "_shape" << i << ", ";
    os << "0};\nstatic const int " << prefix << "_ranks[] = {";
    for (const TensorSignature &t : *ts)
      os << t.shape.size() << ", ";
    os << "0};\n";
  }
  const size_t numInputs = signature.inputs.size(),
               numOutputs = signature.outputs.size();
  os << formatv(R"(
QCC_EXPORT int qcc_model_abi_version(void) {{ return 1; }
QCC_EXPORT int qcc_model_num_inputs(void) {{ return {0}; }
QCC_EXPORT int qcc_model_num_outputs(void) {{ return {1}; }
#define QCC_ACCESSOR(type, name, table, count, none) \
  QCC_EXPORT type name(int i) {{ return i >= 0 && i < count ? table[i] : none; }
QCC_ACCESSOR(const char *, qcc_model_input_name, input_names, {0}, 0)
QCC_ACCESSOR(const char *, qcc_model_output_name, output_names, {1}, 0)
QCC_ACCESSOR(const char *, qcc_model_input_dtype, input_dtypes, {0}, 0)
QCC_ACCESSOR(const char *, qcc_model_output_dtype, output_dtypes, {1}, 0)
QCC_ACCESSOR(const int64_t *, qcc_model_input_shape, input_shapes, {0}, 0)
QCC_ACCESSOR(const int64_t *, qcc_model_output_shape, output_shapes, {1}, 0)
QCC_ACCESSOR(int, qcc_model_input_rank, input_ranks, {0}, -1)
QCC_ACCESSOR(int, qcc_model_output_rank, output_ranks, {1}, -1)

QCC_EXPORT const char *qcc_model_provenance(void) {{
  return {2};
}

/* The model has no mutable state: the object only gives the API a handle. */
struct qcc_model {{ int unused; };
QCC_EXPORT struct qcc_model *qcc_model_create(void) {{
  return calloc(1, sizeof(struct qcc_model));
}
QCC_EXPORT void qcc_model_destroy(struct qcc_model *model) {{ free(model); }

/* A dense row-major descriptor of one sample of `shape` (-1: batch). */
static void describe(const int64_t *shape, int rank, int64_t *sizes,
                     int64_t *strides) {{
  int64_t stride = 1;
  for (int d = rank - 1; d >= 0; --d) {{
    sizes[d] = shape[d] < 0 ? 1 : shape[d];
    strides[d] = stride;
    stride *= sizes[d];
  }
}

QCC_EXPORT int qcc_model_run(struct qcc_model *model, int64_t batch,
                             const void *const *inputs, void *const *outputs) {{
  if (!model || batch < 1 || !inputs || !outputs)
    return -1;
  for (int i = 0; i < {0}; ++i)
    if (!inputs[i])
      return -1;
  for (int i = 0; i < {1}; ++i)
    if (!outputs[i])
      return -1;
)",
                numInputs, numOutputs, cString(provenance));
  // The entry computes one sample (qc-set-batch-size=1); a batch is that
  // many calls on consecutive samples. A model without a batch dimension
  // runs only with batch 1.
  bool batched = false;
  all([&](const TensorSignature &t, unsigned, bool) {
    batched |= !t.shape.empty() && t.shape[0] < 0;
  });
  if (!batched)
    os << "  if (batch != 1)\n    return -1;\n";
  all([&](const TensorSignature &t, unsigned k, bool) {
    os << "  memref" << k << " m" << k << ";\n  m" << k << ".offset = 0;\n"
       << "  describe(" << (k < numInputs ? "input" : "output") << "_shape"
       << (k < numInputs ? k : k - numInputs) << ", " << t.shape.size() << ", m"
       << k << ".sizes, m" << k << ".strides);\n";
  });
  os << "  for (int64_t b = 0; b < batch; ++b) {\n";
  all([&](const TensorSignature &t, unsigned k, bool output) {
    const size_t index = output ? k - numInputs : k;
    int64_t sample = 1;
    for (size_t d = t.shape[0] < 0 ? 1 : 0; d < t.shape.size(); ++d)
      sample *= t.shape[d];
    os << "    m" << k << ".allocated = m" << k << ".aligned = (float *)"
       << (output ? "outputs[" : "inputs[") << index << "] + b * " << sample
       << ";\n";
  });
  os << "    _mlir_ciface_" << entry << "(";
  all([&](const TensorSignature &, unsigned k, bool) {
    os << (k ? ", " : "") << "&m" << k;
  });
  os << ");\n  }\n  return 0;\n}\n";
  return s;
}

Error linkSharedLibrary(ArrayRef<std::string> sources, StringRef output,
                        bool objectOnly) {
  std::string clang;
  if (const char *env = std::getenv("QCC_CLANG"))
    clang = env;
  for (StringRef name : {"clang-22", "clang"}) {
    if (!clang.empty())
      break;
    if (auto path = sys::findProgramByName(name))
      clang = *path;
  }
  if (clang.empty())
    return error("cannot find clang (clang-22 or clang on PATH, or set "
                 "QCC_CLANG); scripts/install-deps.sh installs it");
  // -march=native: the library runs where it is compiled (AVX-512 VNNI on
  // this project's machine); -Wno-override-module: the .ll carries the
  // host triple.
  SmallVector<std::string> args = {clang,
                                   "-O3",
                                   "-march=native",
                                   "-fPIC",
                                   objectOnly ? "-c" : "-shared",
                                   "-fvisibility=hidden",
                                   "-Wno-override-module",
                                   "-o",
                                   output.str()};
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

Expected<std::string> buildModel(const LLVMModule &module,
                                 const ModelSignature &signature,
                                 StringRef provenance, StringRef dir,
                                 bool objectOnly) {
  auto inDir = [&](StringRef name) {
    SmallString<256> path(dir);
    sys::path::append(path, name);
    return std::string(path);
  };
  auto write = [&](StringRef name, StringRef text) -> Error {
    std::error_code ec;
    llvm::raw_fd_ostream os(inDir(name), ec);
    if (ec)
      return error("cannot write " + inDir(name) + ": " + ec.message());
    os << text;
    return Error::success();
  };
  if (Error e = module.writeBitcode(inDir("model.bc")))
    return std::move(e);
  if (Error e = write("model_api.c",
                      generateRuntimeSource(signature, kEntryName, provenance)))
    return std::move(e);
  if (Error e = write("ukernel.c", getUkernelSource()))
    return std::move(e);
  std::string output = inDir(objectOnly ? "model.o" : "model.so");
  if (Error e = linkSharedLibrary(
          {inDir("model.bc"), inDir("model_api.c"), inDir("ukernel.c")}, output,
          objectOnly))
    return std::move(e);
  return output;
}

} // namespace qcc::cpu
