//===- Compile.cpp - qcc compile and qcc info -----------------------------===//
//
// `qcc compile MODEL --target cpu -o OUTDIR`: an ONNX model (quantized in
// process on --calib data, as `qcc quantize --integer-only` would) or a
// quantized .mlir is lowered to integer-only code and compiled into
// OUTDIR/model.so with the C API of OUTDIR/model.h. `qcc info OUTDIR` prints
// what a compiled model is.
//
//===----------------------------------------------------------------------===//

#include "Driver.h"

#include "qcc/Dialect/QC/IR/QCOps.h"
#include "qcc/Dialect/QC/Transforms/Passes.h"
#include "qcc/Quantization/IntegerLowering.h"
#include "qcc/Runtime/CompiledModel.h"
#include "qcc/Target/Target.h"
#include "qcc/Version.h"

#include "mlir/Pass/PassManager.h"
#include "llvm/ADT/ScopeExit.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/JSON.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/SHA256.h"
#include "llvm/Support/raw_ostream.h"

using namespace llvm;

namespace qcc::driver {

cl::SubCommand compileCommand(
    "compile", "Compile a model to native integer-only code (model.so with a "
               "C API, model.h, the final IR and provenance.json in OUTDIR)");
cl::SubCommand
    infoCommand("info",
                "Print a compiled model's inputs, outputs and provenance");

static cl::opt<std::string> compileModel(cl::Positional, cl::Required,
                                         cl::desc("<model.onnx|model.mlir>"),
                                         cl::sub(compileCommand));
static cl::list<std::string> compileCalib(
    "calib",
    cl::desc("Calibration data (.npy per input, or one .npz) for an ONNX "
             "model, which is quantized with `qcc quantize --integer-only`"),
    cl::value_desc("file"), cl::sub(compileCommand), cl::cat(qccCategory));
static cl::opt<std::string> compileMethod(
    "calib-method",
    cl::desc("Calibration method, as qcc quantize's (minmax, percentile, "
             "mse, entropy; default minmax)"),
    cl::init("minmax"), cl::sub(compileCommand), cl::cat(qccCategory));
static cl::opt<bool> compileFloat(
    "float",
    cl::desc("Compile the float model as it is (f32 code, BatchNorm folded; "
             "no calibration or quantization): the baseline the int8 "
             "model's latency and accuracy are compared with"),
    cl::sub(compileCommand), cl::cat(qccCategory));
static cl::opt<std::string>
    compileTarget("target",
                  cl::desc("Target, from the registry (qcc/Target/Target.h): "
                           "cpu (this machine's CPU); an unknown name lists "
                           "the registered ones"),
                  cl::init("cpu"), cl::sub(compileCommand),
                  cl::cat(qccCategory));
static cl::opt<std::string> compileEmit(
    "emit",
    cl::desc("What to produce: so (model.so, model.h and the sources it is "
             "built from: model.bc, model_api.o, ukernel.o; default), obj "
             "(model.o from model.bc, to link with model_api.o and ukernel.o), "
             "llvm (model.ll, textual LLVM IR) or mlir (model.mlir, the "
             "integer IR); each also writes model.mlir"),
    cl::init("so"), cl::sub(compileCommand), cl::cat(qccCategory));
static cl::opt<int64_t> compilePackedConvMinBytes(
    "packed-conv-min-bytes",
    cl::desc("Integer convolutions on int4 weights read them packed (im2col "
             "rows times the W4A8 kernel) when their weights take at least "
             "this many bytes as int8; smaller ones are unpacked to int8 for "
             "the fused convolution kernel, faster while the weights stay in "
             "the cache (default 262144; 0: always packed)"),
    cl::init(262144), cl::sub(compileCommand), cl::cat(qccCategory));
static cl::opt<std::string> compileOutput("o", cl::desc("Output directory"),
                                          cl::value_desc("dir"), cl::Required,
                                          cl::sub(compileCommand),
                                          cl::cat(qccCategory));
static cl::opt<std::string> infoModel(cl::Positional, cl::Required,
                                      cl::desc("<compiled model directory>"),
                                      cl::sub(infoCommand));

namespace {

/// Hex SHA-256 of a file's contents, or an error.
Expected<std::string> sha256(StringRef path) {
  auto buffer = MemoryBuffer::getFile(path);
  if (!buffer)
    return createStringError(buffer.getError(),
                             "cannot read " + path + ": " +
                                 buffer.getError().message());
  auto hash = SHA256::hash(arrayRefFromStringRef((*buffer)->getBuffer()));
  return toHex(hash, /*LowerCase=*/true);
}

bool isOnnx() { return StringRef(compileModel).ends_with(".onnx"); }

std::string inDir(StringRef dir, StringRef name) {
  SmallString<256> path(dir);
  sys::path::append(path, name);
  return std::string(path);
}

/// What qcc compile writes: an existing output directory is replaced only
/// when it holds nothing else (`-o ~` must not delete a home directory).
/// ukernel.c, model_api.c: what qcc wrote before the kernels and the C API
/// were prebuilt.
constexpr StringLiteral kOutputFiles[] = {
    "model.so",    "model.h",     "model.mlir", "model.quant.mlir",
    "model.bc",    "model_api.o", "ukernel.o",  "model_api.c",
    "ukernel.c",   "model.o",     "model.ll",   "provenance.json"};

/// `path` made absolute, with symbolic links resolved as far as it exists.
std::string resolvedPath(StringRef path) {
  SmallString<256> absolute(path);
  sys::fs::make_absolute(absolute);
  sys::path::remove_dots(absolute, /*remove_dot_dot=*/true);
  SmallString<256> real;
  if (!sys::fs::real_path(absolute, real))
    return std::string(real);
  StringRef parent = sys::path::parent_path(absolute);
  if (parent.empty() || parent == absolute)
    return std::string(absolute);
  SmallString<256> resolved(resolvedPath(parent));
  sys::path::append(resolved, sys::path::filename(absolute));
  return std::string(resolved);
}

/// A new directory `<parent of target>/.<name of target>.<tag>-XXXXXX`:
/// on the target's file system, so that renames between them are atomic.
Expected<std::string> siblingDirectory(StringRef target, StringRef tag) {
  SmallString<256> prefix(sys::path::parent_path(target));
  sys::path::append(prefix, "." + sys::path::filename(target) + "." + tag);
  SmallString<256> dir;
  if (std::error_code ec = sys::fs::createUniqueDirectory(prefix, dir))
    return createStringError(ec, "cannot create a directory next to " + target +
                                     ": " + ec.message());
  return std::string(dir);
}

/// Why `target` cannot be the output directory, if it cannot: it is or
/// holds an input, or it exists and is not a directory qcc compile wrote.
std::optional<std::string> checkOutputDirectory(StringRef target,
                                                ArrayRef<std::string> inputs) {
  const std::string resolved = resolvedPath(target);
  for (const std::string &input : inputs) {
    const std::string in = resolvedPath(input);
    if (in == resolved ||
        StringRef(in).starts_with(resolved + sys::path::get_separator().str()))
      return "the output directory " + target.str() +
             " is or contains the input " + input +
             " (a compile replaces the whole directory)";
  }
  sys::fs::file_status status;
  if (sys::fs::status(target, status, /*follow=*/false))
    return std::nullopt; // Does not exist yet.
  if (sys::fs::is_symlink_file(status))
    return target.str() + " is a symbolic link; give the directory itself";
  if (!sys::fs::is_directory(status))
    return target.str() + " exists and is not a directory";
  std::error_code ec;
  for (sys::fs::directory_iterator it(target, ec), end; it != end && !ec;
       it.increment(ec))
    if (!llvm::is_contained(kOutputFiles, sys::path::filename(it->path())))
      return target.str() + " holds " + it->path() +
             ", which qcc compile does not write; not replacing the "
             "directory (give a new or qcc compile's output directory)";
  if (ec)
    return "cannot list " + target.str() + ": " + ec.message();
  return std::nullopt;
}

/// Makes the directory `built` the directory `target`, renaming any old
/// one aside first and removing it after: `target` is at all times either
/// the complete old or the complete new output (or briefly absent).
Error replaceDirectory(StringRef built, StringRef target) {
  auto failed = [&](std::error_code ec) {
    return createStringError(ec, "cannot rename " + built + " to " + target +
                                     ": " + ec.message());
  };
  if (!sys::fs::exists(target)) {
    if (std::error_code ec = sys::fs::rename(built, target))
      return failed(ec);
    return Error::success();
  }
  auto aside = siblingDirectory(target, "qcc-old");
  if (!aside)
    return aside.takeError();
  // rename(2) replaces the empty directory just created.
  if (std::error_code ec = sys::fs::rename(target, *aside)) {
    sys::fs::remove(*aside);
    return failed(ec);
  }
  if (std::error_code ec = sys::fs::rename(built, target)) {
    sys::fs::rename(*aside, target);
    return failed(ec);
  }
  if (std::error_code ec = sys::fs::remove_directories(*aside))
    errs() << "qcc compile: warning: cannot remove the old output " << *aside
           << ": " << ec.message() << "\n";
  return Error::success();
}

/// Quantizes the ONNX model in place for integer-only code, as qcc quantize
/// --integer-only would, and writes it to `quantized`. Returns the float
/// islands integer lowering left.
Expected<std::vector<std::string>> quantizeModel(mlir::ModuleOp module,
                                                 StringRef quantized) {
  auto arrays = readArguments(getMainFunction(module), compileCalib, "--calib");
  if (!arrays)
    return arrays.takeError();
  quantization::QuantizeOptions options;
  auto method = calib::parseMethod(compileMethod);
  if (!method)
    return createStringError(inconvertibleErrorCode(),
                             "--calib-method: expected minmax, percentile, "
                             "mse or entropy, got '" +
                                 compileMethod + "'");
  options.method = *method;
  options.integerOnly = true;
  outs() << "qcc compile: quantizing " << compileModel
         << " (integer-only, calibration " << compileMethod << ")\n";
  QuantizeSpelling spelling;
  spelling.model = compileModel;
  spelling.method = compileMethod;
  auto report = quantizeAndReport(module, *arrays, options, spelling);
  if (!report)
    return report.takeError();
  if (Error e = writeModule(module, quantized))
    return std::move(e);
  return std::move(report->floatIslands);
}

/// The float islands of integer-only code, as qcc compile lists them.
void printFloatIslands(ArrayRef<std::string> islands) {
  if (islands.empty()) {
    outs() << "qcc compile: integer-only: no float op between the input "
              "quantize and the output dequantize\n";
    return;
  }
  listFloatIslands(outs(),
                   "qcc compile: float islands (compiled as float code "
                   "between dequantize and quantize):",
                   islands);
}

/// Compiles the model into the new directory `dir`; returns the name of
/// the last file written (model.so, model.o, model.ll or model.mlir).
Expected<std::string> compileInto(const target::Target &codeTarget,
                                  StringRef dir, json::Object provenance) {
  auto fail = [](const Twine &message) {
    return createStringError(inconvertibleErrorCode(), message);
  };
  mlir::MLIRContext context;
  auto module = loadModel(context, compileModel);
  if (!module)
    return module.takeError();
  if (!getMainFunction(**module))
    return fail(compileModel + " has no function to compile");
  // One IR throughout: an ONNX model is quantized and lowered to integers
  // once, here; a quantized .mlir is lowered (idempotent on lowered IR).
  if (compileFloat) {
    mlir::PassManager pm(&context);
    pm.addPass(qc::createQCFoldBatchNorm());
    if (failed(pm.run(**module)))
      return fail("BatchNorm folding failed");
  } else {
    auto islands =
        isOnnx() ? quantizeModel(**module, inDir(dir, "model.quant.mlir"))
                 : quantization::lowerToInteger(**module);
    if (!islands)
      return islands.takeError();
    printFloatIslands(*islands);
  }
  mlir::func::FuncOp func = getMainFunction(**module);
  if (Error e = writeModule(**module, inDir(dir, "model.mlir")))
    return std::move(e);
  if (compileEmit == "mlir")
    return std::string("model.mlir");

  target::ArtifactOptions artifact;
  artifact.emit = StringRef(compileEmit).lower();
  artifact.packedConvMinBytes = compilePackedConvMinBytes;
  artifact.provenance = formatv("{0:2}", json::Value(std::move(provenance)));
  return codeTarget.buildArtifact(**module, func, artifact, dir);
}

} // namespace

int runCompile() {
  if (compilePackedConvMinBytes < 0)
    return fail("compile", "--packed-conv-min-bytes must be non-negative");
  auto codeTarget = target::lookupTarget(compileTarget);
  if (!codeTarget)
    return fail("compile", "--target: " + toString(codeTarget.takeError()));
  // mlir stops before code generation; the rest is the target's.
  std::vector<StringRef> emitKinds = (*codeTarget)->getEmitKinds();
  emitKinds.push_back("mlir");
  if (!llvm::is_contained(emitKinds, StringRef(compileEmit).lower()))
    return fail("compile",
                "unknown --emit '" + compileEmit + "' (" +
                    join(ArrayRef(emitKinds).drop_back(), ", ") + " or mlir)");
  const bool onnx = isOnnx();
  if (compileFloat && !compileCalib.empty())
    return fail("compile", "--float compiles the model without quantizing "
                           "it; --calib does not apply");
  if (onnx && compileCalib.empty() && !compileFloat)
    return fail("compile", "an ONNX model needs --calib data to quantize it "
                           "(or pass a model quantized by qcc quantize)");
  if (!onnx && !compileCalib.empty())
    return fail("compile", "--calib applies to ONNX models; " + compileModel +
                               " is compiled as it is");
  SmallVector<std::string> inputs = {compileModel};
  llvm::append_range(inputs, compileCalib);
  if (auto problem = checkOutputDirectory(compileOutput, inputs))
    return fail("compile", *problem);

  // Provenance: what was compiled, from what, how.
  json::Object provenance;
  provenance["qcc_version"] = std::string(QCC_VERSION);
  provenance["qcc_revision"] = std::string(QCC_GIT_REVISION);
  provenance["target"] = "cpu (clang -O3 -march=native)";
  auto modelHash = sha256(compileModel);
  if (!modelHash)
    return fail("compile", toString(modelHash.takeError()));
  provenance["model"] =
      json::Object{{"path", compileModel.getValue()}, {"sha256", *modelHash}};
  json::Array calibration;
  for (const std::string &c : compileCalib) {
    auto hash = sha256(c);
    if (!hash)
      return fail("compile", toString(hash.takeError()));
    calibration.push_back(json::Object{{"path", c}, {"sha256", *hash}});
  }
  provenance["calibration"] = std::move(calibration);
  provenance["options"] =
      json::Object{{"calib_method", compileMethod.getValue()},
                   {"integer_only", !compileFloat},
                   {"float", compileFloat.getValue()},
                   {"emit", compileEmit.getValue()}};

  // Everything is built in a new directory next to OUTDIR that replaces it
  // only once complete: a failed compile leaves the old model (never a
  // mix of its files and new ones) and no partial directory.
  // Absolute, without "." or a trailing separator: the name of the entry
  // replaced, in a parent directory that exists.
  SmallString<256> target(compileOutput);
  sys::fs::make_absolute(target);
  sys::path::remove_dots(target, /*remove_dot_dot=*/true);
  StringRef parent = sys::path::parent_path(target);
  if (std::error_code ec = sys::fs::create_directories(parent))
    return fail("compile", "cannot create " + parent + ": " + ec.message());
  auto staging = siblingDirectory(target, "qcc-compile");
  if (!staging)
    return fail("compile", toString(staging.takeError()));
  llvm::scope_exit removeStaging(
      [&] { sys::fs::remove_directories(*staging); });
  // Unique directories are created private; OUTDIR gets mkdir's permissions.
  if (std::error_code ec = sys::fs::setPermissions(
          *staging,
          static_cast<sys::fs::perms>(sys::fs::all_all & ~sys::fs::getUmask())))
    return fail("compile", "cannot set the permissions of " + *staging + ": " +
                               ec.message());
  auto written = compileInto(**codeTarget, *staging, std::move(provenance));
  if (!written)
    return fail("compile", toString(written.takeError()));
  if (Error e = replaceDirectory(*staging, target))
    return fail("compile", toString(std::move(e)));
  outs() << "qcc compile: wrote " << inDir(compileOutput, *written) << "\n";
  return 0;
}

int runInfo() {
  auto model = runtime::CompiledModel::load(infoModel);
  if (!model)
    return fail("info", toString(model.takeError()));
  const runtime::ModelSignature &s = (*model)->signature();
  outs() << "library: " << (*model)->libraryPath() << "\n"
         << "C API: version " << (*model)->abiVersion() << "\n";
  for (const auto &[label, ts] :
       {std::pair<StringRef, const std::vector<runtime::TensorSignature> *>{
            "input", &s.inputs},
        {"output", &s.outputs}})
    for (const runtime::TensorSignature &t : *ts)
      outs() << label << " '" << t.name << "': " << t.dtype << " "
             << runtime::shapeToString(t.shape) << "\n";
  outs() << "provenance: " << (*model)->provenance() << "\n";
  return 0;
}

} // namespace qcc::driver
