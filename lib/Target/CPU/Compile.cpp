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
#include "mlir/Interfaces/CallInterfaces.h"
#include "mlir/Pass/PassRegistry.h"
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
#include "llvm/TargetParser/Host.h"

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
  pm.addPass(createCPUConvertQCToLinalg(toLinalg));
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
  pm.addPass(createCPULinalgToUkernelCalls());
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

Expected<UkernelObject> selectUkernelObject() {
  ArrayRef<UkernelObject> objects = getUkernelObjects();
  auto names = [&] {
    std::string list;
    for (const UkernelObject &object : objects)
      list += (list.empty() ? "" : ", ") + object.name.str();
    return list;
  };
  if (const char *forced = std::getenv("QCC_UKERNEL_VARIANT")) {
    for (const UkernelObject &object : objects)
      if (object.name == forced)
        return object;
    return error(Twine("QCC_UKERNEL_VARIANT is '") + forced +
                 "'; the micro-kernels were built for: " + names());
  }
  // The model code next to it is compiled with -march=native: the host is
  // the CPU it runs on.
  llvm::StringMap<bool> host = sys::getHostCPUFeatures();
  for (const UkernelObject &object : objects) {
    SmallVector<StringRef> needs;
    object.features.split(needs, ',', /*MaxSplit=*/-1, /*KeepEmpty=*/false);
    if (llvm::all_of(needs, [&](StringRef f) { return host.lookup(f); }))
      return object;
  }
  return error("this CPU lacks features every prebuilt micro-kernel needs (" +
               names() + ")");
}

StringRef getModelHeader() {
  return R"(/* model.h: the C API of a model compiled by qcc (ABI version 2).
 *
 * A compiled model is a shared library exporting these functions. Inputs
 * and outputs are dense row-major float32 arrays; a shape entry of -1 is
 * the batch dimension, chosen per call. All functions are thread-safe; a
 * model object may run on several threads at once.
 *
 * Version 2 added qcc_model_run_checked (buffer sizes are checked) and
 * qcc_model_error_string, and made handles safe to pass after
 * qcc_model_destroy (an error, not undefined behaviour).
 */
#ifndef QCC_MODEL_H
#define QCC_MODEL_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define QCC_MODEL_ABI_VERSION 2

/* Results of qcc_model_run_checked. */
#define QCC_MODEL_OK 0
/* A NULL model, array of buffers, array of sizes or buffer. */
#define QCC_MODEL_ERROR_NULL (-1)
/* The model is not live: destroyed, or not from qcc_model_create. */
#define QCC_MODEL_ERROR_HANDLE (-2)
/* The batch is below 1, or not 1 for a model without a batch dimension. */
#define QCC_MODEL_ERROR_BATCH (-3)
/* The size of a buffer for this batch does not fit in size_t. */
#define QCC_MODEL_ERROR_OVERFLOW (-4)
/* A buffer size differs from the size the batch needs. */
#define QCC_MODEL_ERROR_SIZE (-5)

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

/* A new model handle, or NULL when out of memory. */
qcc_model *qcc_model_create(void);

/* Runs the model on `batch` samples: inputs[i] and outputs[i] point to
 * caller-owned buffers of input_sizes[i] and output_sizes[i] bytes, each
 * exactly `batch` times the bytes of one sample of the shapes above (the
 * product of the shape, -1 taken as `batch`, times 4). Returns QCC_MODEL_OK,
 * or one of the QCC_MODEL_ERROR_* codes without touching any buffer. */
int qcc_model_run_checked(qcc_model *model, int64_t batch,
                          const void *const *inputs,
                          const size_t *input_sizes, void *const *outputs,
                          const size_t *output_sizes);

/* Legacy (ABI 1), unchecked: as qcc_model_run_checked with the sizes the
 * batch needs, which the buffers are trusted to have; a short buffer is
 * undefined behaviour. Returns 0, or -1 on any error. */
int qcc_model_run(qcc_model *model, int64_t batch, const void *const *inputs,
                  void *const *outputs);

/* A short English description of a qcc_model_run_checked result. */
const char *qcc_model_error_string(int code);

/* Ends a model. A handle that is not live (NULL, already destroyed) is
 * ignored: destroying twice is harmless. */
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

/// The model-independent part of model_api.c: handles, checks, accessors
/// over the tables the generator emits before it (names, dtypes, shapes,
/// ranks of the inputs followed by the outputs) and run_batch after it.
constexpr StringLiteral kRuntimeSource = R"c(
#define NUM_TENSORS (NUM_INPUTS + NUM_OUTPUTS)

QCC_EXPORT int qcc_model_abi_version(void) { return QCC_MODEL_ABI_VERSION; }
QCC_EXPORT int qcc_model_num_inputs(void) { return NUM_INPUTS; }
QCC_EXPORT int qcc_model_num_outputs(void) { return NUM_OUTPUTS; }
#define QCC_ACCESSOR(type, name, table, first, count, none)                   \
  QCC_EXPORT type name(int i) {                                               \
    return i >= 0 && i < count ? table[first + i] : none;                     \
  }
QCC_ACCESSOR(const char *, qcc_model_input_name, names, 0, NUM_INPUTS, 0)
QCC_ACCESSOR(const char *, qcc_model_output_name, names, NUM_INPUTS,
             NUM_OUTPUTS, 0)
QCC_ACCESSOR(const char *, qcc_model_input_dtype, dtypes, 0, NUM_INPUTS, 0)
QCC_ACCESSOR(const char *, qcc_model_output_dtype, dtypes, NUM_INPUTS,
             NUM_OUTPUTS, 0)
QCC_ACCESSOR(const int64_t *, qcc_model_input_shape, shapes, 0, NUM_INPUTS, 0)
QCC_ACCESSOR(const int64_t *, qcc_model_output_shape, shapes, NUM_INPUTS,
             NUM_OUTPUTS, 0)
QCC_ACCESSOR(int, qcc_model_input_rank, ranks, 0, NUM_INPUTS, -1)
QCC_ACCESSOR(int, qcc_model_output_rank, ranks, NUM_INPUTS, NUM_OUTPUTS, -1)

QCC_EXPORT const char *qcc_model_provenance(void) { return provenance; }

/* Handles. The model has no mutable state, so a handle names a slot of this
 * table and is never a pointer to memory: (generation << 32) | (slot + 1).
 * Destroying a model advances its slot's generation, so the old handle
 * never matches again, not even once the slot serves a new model: run and
 * destroy on it find no live model and fail (or do nothing) instead of
 * reading freed memory. Odd generations are live; a slot whose generation
 * would wrap is never reused. */
_Static_assert(sizeof(uintptr_t) == 8, "a handle holds 64 bits");
static pthread_mutex_t handles_lock = PTHREAD_MUTEX_INITIALIZER;
static uint32_t *generations;
static uint32_t num_slots;

/* The slot of a live handle, or -1. Call with handles_lock held. */
static int64_t live_slot(const qcc_model *model) {
  const uintptr_t handle = (uintptr_t)model;
  const uint32_t slot = (uint32_t)handle - 1, generation = handle >> 32;
  return generation % 2 && slot < num_slots && generations[slot] == generation
             ? (int64_t)slot
             : -1;
}

static int is_live(const qcc_model *model) {
  pthread_mutex_lock(&handles_lock);
  const int live = live_slot(model) >= 0;
  pthread_mutex_unlock(&handles_lock);
  return live;
}

QCC_EXPORT qcc_model *qcc_model_create(void) {
  pthread_mutex_lock(&handles_lock);
  uint32_t slot = 0;
  while (slot < num_slots &&
         (generations[slot] % 2 || generations[slot] == UINT32_MAX - 1))
    ++slot;
  if (slot == num_slots) {
    const uint32_t grown = num_slots ? 2 * num_slots : 16;
    uint32_t *table = grown > num_slots
                          ? realloc(generations, grown * sizeof(uint32_t))
                          : NULL;
    if (!table) {
      pthread_mutex_unlock(&handles_lock);
      return NULL;
    }
    memset(table + num_slots, 0, (grown - num_slots) * sizeof(uint32_t));
    generations = table;
    num_slots = grown;
  }
  const uint32_t generation = ++generations[slot];
  pthread_mutex_unlock(&handles_lock);
  return (qcc_model *)(((uintptr_t)generation << 32) | (slot + 1));
}

QCC_EXPORT void qcc_model_destroy(qcc_model *model) {
  pthread_mutex_lock(&handles_lock);
  const int64_t slot = live_slot(model);
  if (slot >= 0)
    ++generations[slot];
  pthread_mutex_unlock(&handles_lock);
}

/* At unload (or exit, before other destructors that may still destroy
 * models) no handle stays live. */
__attribute__((destructor)) static void free_handles(void) {
  pthread_mutex_lock(&handles_lock);
  free(generations);
  generations = NULL;
  num_slots = 0;
  pthread_mutex_unlock(&handles_lock);
}

/* The bytes of tensor k for `batch` >= 1 samples into *bytes; nonzero when
 * they do not fit in size_t. */
static int tensor_bytes(int k, int64_t batch, size_t *bytes) {
  size_t n = sizeof(float);
  for (int d = 0; d < ranks[k]; ++d)
    if (__builtin_mul_overflow(
            n, (uint64_t)(shapes[k][d] < 0 ? batch : shapes[k][d]), &n))
      return 1;
  *bytes = n;
  return 0;
}

static void run_batch(int64_t batch, const void *const *inputs,
                      void *const *outputs);

QCC_EXPORT int qcc_model_run_checked(qcc_model *model, int64_t batch,
                                     const void *const *inputs,
                                     const size_t *input_sizes,
                                     void *const *outputs,
                                     const size_t *output_sizes) {
  if (!model)
    return QCC_MODEL_ERROR_NULL;
  if (!is_live(model))
    return QCC_MODEL_ERROR_HANDLE;
  if (!inputs || !input_sizes || !outputs || !output_sizes)
    return QCC_MODEL_ERROR_NULL;
  for (int k = 0; k < NUM_TENSORS; ++k)
    if (!(k < NUM_INPUTS ? inputs[k] : outputs[k - NUM_INPUTS]))
      return QCC_MODEL_ERROR_NULL;
  if (batch < 1 || (!BATCHED && batch != 1))
    return QCC_MODEL_ERROR_BATCH;
  for (int k = 0; k < NUM_TENSORS; ++k) {
    size_t bytes;
    if (tensor_bytes(k, batch, &bytes))
      return QCC_MODEL_ERROR_OVERFLOW;
    if (bytes != (k < NUM_INPUTS ? input_sizes[k]
                                 : output_sizes[k - NUM_INPUTS]))
      return QCC_MODEL_ERROR_SIZE;
  }
  run_batch(batch, inputs, outputs);
  return QCC_MODEL_OK;
}

QCC_EXPORT int qcc_model_run(qcc_model *model, int64_t batch,
                             const void *const *inputs, void *const *outputs) {
  /* The sizes the batch needs (0 where they overflow: the checked run
   * reports it), which the caller's buffers are trusted to have. */
  size_t sizes[NUM_TENSORS + 1];
  for (int k = 0; k < NUM_TENSORS; ++k)
    if (batch < 1 || tensor_bytes(k, batch, &sizes[k]))
      sizes[k] = 0;
  return qcc_model_run_checked(model, batch, inputs, sizes, outputs,
                               sizes + NUM_INPUTS) == QCC_MODEL_OK
             ? 0
             : -1;
}

QCC_EXPORT const char *qcc_model_error_string(int code) {
  switch (code) {
  case QCC_MODEL_OK:
    return "success";
  case QCC_MODEL_ERROR_NULL:
    return "a NULL model, buffer array, size array or buffer";
  case QCC_MODEL_ERROR_HANDLE:
    return "the model is not live (destroyed, or not from qcc_model_create)";
  case QCC_MODEL_ERROR_BATCH:
    return "the batch is below 1, or not 1 for a model without a batch "
           "dimension";
  case QCC_MODEL_ERROR_OVERFLOW:
    return "the buffer sizes of this batch overflow size_t";
  case QCC_MODEL_ERROR_SIZE:
    return "a buffer size differs from the size the batch needs";
  }
  return "unknown error code";
}

/* A dense row-major descriptor of one sample of tensor k (-1: batch). */
static void describe(int k, int64_t *sizes, int64_t *strides) {
  int64_t stride = 1;
  for (int d = ranks[k] - 1; d >= 0; --d) {
    sizes[d] = shapes[k][d] < 0 ? 1 : shapes[k][d];
    strides[d] = stride;
    stride *= sizes[d];
  }
}
)c";

} // namespace

std::string generateRuntimeSource(const ModelSignature &signature,
                                  StringRef entry, StringRef provenance) {
  std::string s;
  raw_string_ostream os(s);
  os << "/* Generated by qcc: the C API (model.h, included as is) of a "
        "compiled model. */\n"
     << getModelHeader()
     << "\n#include <pthread.h>\n#include <stdlib.h>\n#include <string.h>\n\n"
     << "#define QCC_EXPORT __attribute__((visibility(\"default\")))\n\n";
  // Inputs then outputs: tensor k.
  SmallVector<const TensorSignature *> tensors;
  for (const TensorSignature &t : signature.inputs)
    tensors.push_back(&t);
  for (const TensorSignature &t : signature.outputs)
    tensors.push_back(&t);
  const size_t numInputs = signature.inputs.size();
  // The entry computes one sample (qc-set-batch-size=1); a batch is that
  // many calls on consecutive samples. A model without a batch dimension
  // runs only with batch 1.
  const bool batched = llvm::any_of(tensors, [](const TensorSignature *t) {
    return !t->shape.empty() && t->shape[0] < 0;
  });
  os << "#define NUM_INPUTS " << numInputs << "\n#define NUM_OUTPUTS "
     << signature.outputs.size() << "\n#define BATCHED " << batched << "\n";
  auto table = [&](StringRef type, StringRef name, auto field) {
    os << "static const " << type << " const " << name << "[] = {";
    for (const TensorSignature *t : tensors)
      os << field(*t) << ", ";
    os << "0};\n";
  };
  table("char *", "names",
        [](const TensorSignature &t) { return cString(t.name); });
  table("char *", "dtypes",
        [](const TensorSignature &t) { return cString(t.dtype); });
  for (auto [k, t] : llvm::enumerate(tensors)) {
    os << "static const int64_t shape" << k << "[] = {";
    for (int64_t d : t->shape)
      os << d << ", ";
    os << "0};\n";
  }
  os << "static const int64_t *const shapes[] = {";
  for (size_t k = 0; k < tensors.size(); ++k)
    os << "shape" << k << ", ";
  os << "0};\nstatic const int ranks[] = {";
  for (const TensorSignature *t : tensors)
    os << t->shape.size() << ", ";
  os << "0};\nstatic const char provenance[] = " << cString(provenance)
     << ";\n";
  // One MLIR memref descriptor type per tensor (its rank).
  for (auto [k, t] : llvm::enumerate(tensors))
    os << "typedef struct { float *allocated; float *aligned; int64_t offset; "
       << "int64_t sizes[" << t->shape.size() << "]; int64_t strides["
       << t->shape.size() << "]; } memref" << k << ";\n";
  os << "void _mlir_ciface_" << entry << "(";
  for (size_t k = 0; k < tensors.size(); ++k)
    os << (k ? ", " : "") << "memref" << k << " *";
  os << ");\n" << kRuntimeSource;

  os << "\nstatic void run_batch(int64_t batch, const void *const *inputs,\n"
     << "                      void *const *outputs) {\n";
  for (size_t k = 0; k < tensors.size(); ++k)
    os << "  memref" << k << " m" << k << ";\n  m" << k << ".offset = 0;\n"
       << "  describe(" << k << ", m" << k << ".sizes, m" << k
       << ".strides);\n";
  os << "  for (int64_t b = 0; b < batch; ++b) {\n";
  for (auto [k, t] : llvm::enumerate(tensors)) {
    int64_t sample = 1;
    for (size_t d = t->shape[0] < 0 ? 1 : 0; d < t->shape.size(); ++d)
      sample *= t->shape[d];
    os << "    m" << k << ".allocated = m" << k << ".aligned = (float *)"
       << (k < numInputs ? "inputs[" : "outputs[")
       << (k < numInputs ? k : k - numInputs) << "] + b * " << sample << ";\n";
  }
  os << "    _mlir_ciface_" << entry << "(";
  for (size_t k = 0; k < tensors.size(); ++k)
    os << (k ? ", " : "") << "&m" << k;
  os << ");\n  }\n}\n";
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
  auto kernels = selectUkernelObject();
  if (!kernels)
    return kernels.takeError();
  if (Error e = module.writeBitcode(inDir("model.bc")))
    return std::move(e);
  if (Error e = write("model_api.c",
                      generateRuntimeSource(signature, kEntryName, provenance)))
    return std::move(e);
  // Kept beside model.bc and model_api.c: with model.o (objectOnly) they are
  // what a user links.
  if (Error e = write("ukernel.o", llvm::toStringRef(kernels->bytes)))
    return std::move(e);
  std::string output = inDir(objectOnly ? "model.o" : "model.so");
  if (Error e = linkSharedLibrary(
          {inDir("model.bc"), inDir("model_api.c"), inDir("ukernel.o")}, output,
          objectOnly))
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
  };
  PassPipelineRegistration<PipelineOptions>(
      "qcc-cpu-lowering",
      "The CPU target's lowering of a qc graph to the LLVM dialect (what qcc "
      "compile runs between model.mlir and LLVM IR)",
      [](OpPassManager &pm, const PipelineOptions &options) {
        LoweringOptions lowering;
        lowering.packedConvMinBytes = options.packedConvMinBytes;
        lowering.entry = options.entry;
        buildCPULoweringPipeline(pm, lowering);
      });
}

} // namespace qcc::cpu
