//===- Compile.cpp - A model compiled into an output directory ------------===//

#include "qcc/Compiler/Compile.h"

#include "qcc/Compiler/ModelFile.h"
#include "qcc/Dialect/QC/Transforms/Passes.h"
#include "qcc/Interpreter/Model.h"
#include "qcc/Quantization/IntegerLowering.h"
#include "qcc/Support/OutputFiles.h"
#include "qcc/Target/OutputDirectory.h"

#include "mlir/Pass/PassManager.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/JSON.h"
#include "llvm/Support/Path.h"

using namespace llvm;

namespace qcc {
namespace {

Error fail(const Twine &message) {
  return createStringError(inconvertibleErrorCode(), message);
}

bool isOnnx(const CompileOptions &options) {
  return StringRef(options.model).ends_with(".onnx");
}

std::string inDir(StringRef dir, StringRef name) {
  SmallString<256> path(dir);
  sys::path::append(path, name);
  return std::string(path);
}

/// What the target is asked to build.
target::ArtifactOptions artifactOptions(const CompileOptions &options) {
  target::ArtifactOptions artifact;
  artifact.emit = StringRef(options.emit).lower();
  artifact.packedConvMinBytes = options.packedConvMinBytes;
  artifact.cpu = options.cpu;
  artifact.gpu = options.gpu;
  artifact.floatModel = options.floatModel;
  artifact.hls = options.hls;
  return artifact;
}

/// An error if the options do not fit together or `target`.
Error checkOptions(const target::Target &target,
                   const CompileOptions &options) {
  if (Error e = target.checkOptions(artifactOptions(options)))
    return e;
  // mlir stops before code generation; the rest is the target's.
  std::vector<StringRef> emitKinds = target.getEmitKinds();
  emitKinds.push_back("mlir");
  if (!llvm::is_contained(emitKinds, StringRef(options.emit).lower()))
    return fail("unknown --emit '" + options.emit + "' (" +
                join(ArrayRef(emitKinds).drop_back(), ", ") + " or mlir)");
  const bool onnx = isOnnx(options);
  if (options.floatModel && !options.calib.empty())
    return fail("--float compiles the model without quantizing it; --calib "
                "does not apply");
  if (onnx && options.calib.empty() && !options.floatModel)
    return fail("an ONNX model needs --calib data to quantize it (or pass a "
                "model quantized by qcc quantize)");
  if (!onnx && !options.calib.empty())
    return fail("--calib applies to ONNX models; " + options.model +
                " is compiled as it is");
  return Error::success();
}

/// What was compiled, from what, how.
Expected<json::Object> provenanceOf(const target::Target &target,
                                    const CompileOptions &options) {
  json::Object provenance;
  provenance["qcc_version"] = options.version;
  provenance["qcc_revision"] = options.revision;
  // The target adds what it built for (the CPU target: "cpu").
  provenance["target"] = target.getName();
  auto modelHash = sha256OfFile(options.model);
  if (!modelHash)
    return modelHash.takeError();
  provenance["model"] =
      json::Object{{"path", options.model}, {"sha256", *modelHash}};
  json::Array calibration;
  for (const std::string &c : options.calib) {
    auto hash = sha256OfFile(c);
    if (!hash)
      return hash.takeError();
    calibration.push_back(json::Object{{"path", c}, {"sha256", *hash}});
  }
  provenance["calibration"] = std::move(calibration);
  provenance["options"] = json::Object{{"calib_method", options.calibMethod},
                                       {"integer_only", !options.floatModel},
                                       {"float", options.floatModel},
                                       {"emit", options.emit}};
  return provenance;
}

/// Quantizes the ONNX model in place for integer-only code, as qcc quantize
/// --integer-only would, and writes it to `quantized`. Returns the float
/// islands integer lowering left.
Expected<std::vector<std::string>> quantizeModel(mlir::ModuleOp module,
                                                 const CompileOptions &options,
                                                 StringRef quantized) {
  auto arrays = interp::readArguments(interp::getMainFunction(module),
                                      options.calib, "--calib");
  if (!arrays)
    return arrays.takeError();
  quantization::QuantizeOptions quantize;
  auto method = quantization::parseCalibMethod(options.calibMethod);
  if (!method)
    return method.takeError();
  quantize.method = *method;
  quantize.integerOnly = true;
  auto islands = options.quantize(module, *arrays, quantize);
  if (!islands)
    return islands.takeError();
  if (Error e = writeModule(module, quantized))
    return std::move(e);
  return islands;
}

/// Compiles the model into the new directory `dir`; returns the name of
/// the last file written (model.so, model.o, model.ll or model.mlir).
Expected<std::string> compileInto(const target::Target &target,
                                  const CompileOptions &options, StringRef dir,
                                  json::Object provenance) {
  mlir::MLIRContext context;
  auto module = loadModel(context, options.model);
  if (!module)
    return module.takeError();
  if (!interp::getMainFunction(**module))
    return fail(options.model + " has no function to compile");
  // One IR throughout: an ONNX model is quantized and lowered to integers
  // once, here; a quantized .mlir is lowered (idempotent on lowered IR).
  if (options.floatModel) {
    mlir::PassManager pm(&context);
    pm.addPass(qc::createQCFoldBatchNorm());
    if (failed(pm.run(**module)))
      return fail("BatchNorm folding failed");
  } else {
    auto islands =
        isOnnx(options)
            ? quantizeModel(**module, options, inDir(dir, "model.quant.mlir"))
            : quantization::lowerToInteger(**module);
    if (!islands)
      return islands.takeError();
    if (options.onFloatIslands)
      options.onFloatIslands(*islands);
  }
  mlir::func::FuncOp func = interp::getMainFunction(**module);
  if (Error e = writeModule(**module, inDir(dir, "model.mlir")))
    return std::move(e);
  if (options.emit == "mlir")
    return std::string("model.mlir");

  target::ArtifactOptions artifact = artifactOptions(options);
  artifact.provenance = formatv("{0:2}", json::Value(std::move(provenance)));
  return target.buildArtifact(**module, func, artifact, dir);
}

} // namespace

Expected<std::string> compileModel(const target::Target &target,
                                   const CompileOptions &options,
                                   StringRef output) {
  if (Error e = checkOptions(target, options))
    return std::move(e);
  SmallVector<std::string> inputs = {options.model};
  llvm::append_range(inputs, options.calib);
  if (auto problem = target::checkOutputDirectory(output, inputs))
    return fail(*problem);
  auto provenance = provenanceOf(target, options);
  if (!provenance)
    return provenance.takeError();
  // Everything is built in a new directory next to the output that
  // replaces it only once complete.
  auto staging = target::StagingDirectory::create(output);
  if (!staging)
    return staging.takeError();
  auto written =
      compileInto(target, options, (*staging)->path(), std::move(*provenance));
  if (!written)
    return written.takeError();
  auto warn = [&](const Twine &message) {
    if (options.warn)
      options.warn(message);
  };
  if (Error e = (*staging)->commit(warn))
    return std::move(e);
  return inDir(output, *written);
}

} // namespace qcc
