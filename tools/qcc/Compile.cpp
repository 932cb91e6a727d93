//===- Compile.cpp - qcc compile and qcc info -----------------------------===//
//
// `qcc compile MODEL --target cpu -o OUTDIR`: an ONNX model (quantized in
// process on --calib data, as `qcc quantize --integer-only` would) or a
// quantized .mlir is lowered to integer-only code and compiled into
// OUTDIR/model.so with the C API of OUTDIR/model.h (qcc/Compiler/Compile.h).
// `qcc info OUTDIR` prints what a compiled model is.
//
//===----------------------------------------------------------------------===//

#include "Driver.h"

#include "qcc/Compiler/Compile.h"
#include "qcc/Runtime/CompiledModel.h"
#include "qcc/Target/Target.h"
#include "qcc/Version.h"

#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/JSON.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/raw_ostream.h"

using namespace llvm;

namespace qcc::driver {

cl::SubCommand compileCommand(
    "compile", "Compile a model to native integer-only code (model.so with a "
               "C API, model.h, the final IR and provenance.json in OUTDIR)");
cl::SubCommand
    infoCommand("info",
                "Print a compiled model's inputs, outputs and provenance");

static cl::opt<std::string>
    compileModelPath(cl::Positional, cl::Required,
                     cl::desc("<model.onnx|model.mlir>"),
                     cl::sub(compileCommand));
static cl::list<std::string> compileCalib(
    "calib", cl::value_desc("file"), forCommand(compileCommand),
    cl::desc("Calibration data (.npy per input, or one .npz) for an ONNX "
             "model, which is quantized with `qcc quantize --integer-only`"));
static cl::opt<std::string> compileMethod(
    "calib-method", cl::init("minmax"), forCommand(compileCommand),
    cl::desc("Calibration method, as qcc quantize's (minmax, percentile, "
             "mse, entropy; default minmax)"));
static cl::opt<bool> compileFloat(
    "float", forCommand(compileCommand),
    cl::desc("Compile the float model as it is (f32 code, BatchNorm folded; "
             "no calibration or quantization): the baseline the int8 "
             "model's latency and accuracy are compared with"));
static cl::opt<std::string>
    compileTarget("target", cl::init("cpu"), forCommand(compileCommand),
                  cl::desc("Target, from the registry (qcc/Target/Target.h): "
                           "cpu (this machine's CPU; default), nvptx "
                           "(NVIDIA GPUs, docs/nvptx.md) or hls (FPGAs: a "
                           "Vitis HLS project, docs/hls.md); an unknown name "
                           "lists the registered ones"));
static cl::opt<std::string> compileEmit(
    "emit", cl::init("so"), forCommand(compileCommand),
    cl::desc("What to produce: so (model.so, model.h and the sources it is "
             "built from: model.bc, model_api.o, ukernel.o; default), obj "
             "(model.o from model.bc, to link with model_api.o and ukernel.o), "
             "llvm (model.ll, textual LLVM IR) or mlir (model.mlir, the "
             "integer IR); each also writes model.mlir. --target nvptx: so "
             "(model.so with model.ptx and cubins; default), ptx (model.ptx "
             "only) or cpu-sim (the GPU mapping's kernels run as loops on "
             "the CPU, in a model.so of the same C API). --target hls: so (the "
             "HLS project and its C simulation as model.so; default) or "
             "project (the project only)"));
static cl::opt<int64_t> compilePackedConvMinBytes(
    "packed-conv-min-bytes", cl::init(262144), forCommand(compileCommand),
    cl::desc("Integer convolutions on int4 weights read them packed (im2col "
             "rows times the W4A8 kernel) when their weights take at least "
             "this many bytes as int8; smaller ones are unpacked to int8 for "
             "the fused convolution kernel, faster while the weights stay in "
             "the cache (default 262144; 0: always packed)"));
static cl::opt<std::string> compileCpu(
    "cpu", cl::init("portable"), forCommand(compileCommand),
    cl::desc("Instruction set of the CPU target's model.so: portable (any "
             "x86-64 CPU; default), native (this machine's, all its "
             "extensions), x86-64, x86-64-v2, x86-64-v3 (AVX2) or x86-64-v4 "
             "(AVX-512). It sets the model code's -march; the micro-kernels "
             "choose their ISA tier (amx, avx512vnni, avxvnni, avx2, generic) "
             "from "
             "the CPU at run time whatever it is. A model.so built for more "
             "than a CPU has refuses to load there, naming what is missing"));
static cl::opt<std::string> compileGpu(
    "gpu", cl::init(""), forCommand(compileCommand),
    cl::desc("GPU architectures of --target nvptx, comma-separated (default "
             "sm_80,sm_90): the PTX is for the lowest, which the driver "
             "compiles for any later GPU; with ptxas present, a cubin is "
             "assembled for each"));
static cl::opt<double> compileClockPeriod(
    "clock-period", cl::init(5.0), forCommand(compileCommand),
    cl::desc("--target hls: the clock period in nanoseconds (default 5: "
             "200 MHz), for build_prj.tcl and the latency in report.json"));
static cl::opt<std::string> compilePart(
    "part", cl::init("xcu250-figd2104-2L-e"), forCommand(compileCommand),
    cl::desc("--target hls: the FPGA part build_prj.tcl synthesizes for "
             "(recorded, not checked; default xcu250-figd2104-2L-e)"));
static cl::opt<std::string> compileIo(
    "io", cl::init("parallel"), forCommand(compileCommand),
    cl::desc("--target hls: the top function's ports: parallel (arrays; "
             "default) or stream (hls::stream ports in AXI4-Stream, the layers "
             "in a DATAFLOW region)"));
static cl::opt<int64_t> compileReuseFactor(
    "reuse-factor", cl::init(1), forCommand(compileCommand),
    cl::desc("--target hls: products each multiplier computes per output "
             "(the initiation interval of each layer's pipelined loop; "
             "default 1, fully parallel reductions)"));
static cl::list<std::string> compileLayerReuseFactor(
    "layer-reuse-factor", cl::value_desc("NAME=R"), forCommand(compileCommand),
    cl::desc("--target hls: the reuse factor of the layer NAME (the ONNX "
             "node, as report.json names it); repeatable"));
static cl::opt<std::string> compilePrecision(
    "precision", cl::init("exact"), forCommand(compileCommand),
    cl::desc("--target hls: accumulator widths: exact (each layer's bit "
             "growth; default) or a width in bits for every accumulator"));
static cl::opt<std::string> compileOutput("o", cl::desc("Output directory"),
                                          cl::value_desc("dir"), cl::Required,
                                          forCommand(compileCommand));
static cl::opt<std::string> infoModel(cl::Positional, cl::Required,
                                      cl::desc("<compiled model directory>"),
                                      cl::sub(infoCommand));

int runCompile() {
  if (compilePackedConvMinBytes < 0)
    return fail("compile", "--packed-conv-min-bytes must be non-negative");
  auto codeTarget = target::lookupTarget(compileTarget);
  if (!codeTarget)
    return fail("compile", "--target: " + toString(codeTarget.takeError()));
  CompileOptions options;
  options.model = compileModelPath;
  options.calib.assign(compileCalib.begin(), compileCalib.end());
  options.calibMethod = compileMethod;
  options.floatModel = compileFloat;
  options.emit = compileEmit;
  options.packedConvMinBytes = compilePackedConvMinBytes;
  options.cpu = compileCpu;
  options.gpu = compileGpu;
  options.hls.clockPeriodNs = compileClockPeriod;
  options.hls.part = compilePart;
  options.hls.io = compileIo;
  options.hls.reuseFactor = compileReuseFactor;
  options.hls.layerReuseFactors = llvm::join(compileLayerReuseFactor, ",");
  options.hls.precision = compilePrecision;
  options.version = QCC_VERSION;
  options.revision = QCC_GIT_REVISION;
  options.quantize = [](mlir::ModuleOp module, ArrayRef<NpyArray> calibration,
                        const quantization::QuantizeOptions &quantize)
      -> Expected<std::vector<std::string>> {
    outs() << "qcc compile: quantizing " << compileModelPath
           << " (integer-only, calibration " << compileMethod << ")\n";
    quantization::QuantizeSpelling spelling;
    spelling.model = compileModelPath;
    spelling.method = compileMethod;
    auto report = quantizeAndReport(module, calibration, quantize, spelling);
    if (!report)
      return report.takeError();
    return std::move(report->floatIslands);
  };
  options.onFloatIslands = [](ArrayRef<std::string> islands) {
    if (islands.empty())
      outs() << "qcc compile: integer-only: no float op between the input "
                "quantize and the output dequantize\n";
    else
      quantization::listFloatIslands(
          outs(),
          "qcc compile: float islands (compiled as float code between "
          "dequantize and quantize):",
          islands);
  };
  options.warn = [](const Twine &message) {
    errs() << "qcc compile: warning: " << message << "\n";
  };
  auto written = compileModel(**codeTarget, options, compileOutput);
  if (!written)
    return fail("compile", toString(written.takeError()));
  // The HLS target's resource and latency estimate.
  SmallString<256> report(compileOutput);
  sys::path::append(report, "report.txt");
  if (compileTarget == "hls")
    if (auto text = MemoryBuffer::getFile(report))
      outs() << "qcc compile: estimated resources and latency (report.json; "
                "docs/hls.md):\n"
             << (*text)->getBuffer();
  outs() << "qcc compile: wrote " << *written << "\n";
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
      outs() << label << " '" << t.name << "': " << npyDTypeName(t.dtype) << " "
             << runtime::shapeToString(t.shape) << "\n";
  // What it was built for (the provenance's "cpu") and the tier its
  // kernels run here.
  if (auto provenance = json::parse((*model)->provenance()))
    if (const json::Object *cpu =
            provenance->getAsObject()
                ? provenance->getAsObject()->getObject("cpu")
                : nullptr) {
      auto list = [&](StringRef key) {
        std::string text;
        if (const json::Array *values = cpu->getArray(key))
          for (const json::Value &v : *values)
            text += (text.empty() ? "" : ", ") +
                    v.getAsString().value_or("?").str();
        return text.empty() ? std::string("none") : text;
      };
      outs() << "cpu: " << cpu->getString("isa").value_or("?")
             << " (requires: " << list("requires") << ")\n"
             << "code versions: " << list("code_versions") << "\n"
             << "kernel tiers: " << list("kernel_tiers") << "\n";
    }
  // A GPU model: what the PTX is for, and the cubins ptxas made.
  if (auto provenance = json::parse((*model)->provenance()))
    if (const json::Object *gpu =
            provenance->getAsObject()
                ? provenance->getAsObject()->getObject("gpu")
                : nullptr) {
      std::string cubins;
      if (const json::Array *list = gpu->getArray("cubins"))
        for (const json::Value &v : *list)
          cubins += (cubins.empty() ? "" : ", ") +
                    v.getAsString().value_or("?").str();
      outs() << "gpu: PTX " << gpu->getString("ptx_version").value_or("?")
             << " for " << gpu->getString("ptx_target").value_or("?")
             << " (cubins: " << (cubins.empty() ? "none" : cubins)
             << "; model.so embeds "
             << gpu->getString("embedded").value_or("ptx") << ")"
             << (gpu->getBoolean("cpu_simulation").value_or(false)
                     ? ", run on the CPU (cpu-sim)"
                     : "")
             << "\n";
    }
  // An HLS design: this library is its C simulation.
  if (auto provenance = json::parse((*model)->provenance()))
    if (const json::Object *hls =
            provenance->getAsObject()
                ? provenance->getAsObject()->getObject("hls")
                : nullptr)
      outs() << "hls: C simulation of the design "
             << hls->getString("top").value_or("?") << " for "
             << hls->getString("part").value_or("?") << " at "
             << json::Value(hls->getNumber("clock_period_ns").value_or(0))
             << " ns, reuse factor "
             << hls->getInteger("reuse_factor").value_or(1) << ", accumulators "
             << hls->getString("precision").value_or("exact")
             << " (build_prj.tcl synthesizes it)\n";
  if (std::string tier = (*model)->cpuTier(); !tier.empty())
    outs() << "running: kernel tier " << tier << ", code "
           << (*model)->codeVersion() << "\n";
  outs() << "provenance: " << (*model)->provenance() << "\n";
  return 0;
}

} // namespace qcc::driver
