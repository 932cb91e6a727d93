//===- Allocate.cpp - qcc allocate: mixed-precision weight formats --------===//
//
// `qcc allocate CALIBRATED.mlir --calib X.npy --avg-bits 4.5 -o Q.mlir`:
// measures each layer's sensitivity to each candidate weight format (that
// layer alone quantized, the KL divergence of the model's outputs from the
// float model's on calibration samples), chooses one format per layer by
// the bit-allocation ILP (lib/MixedPrecision, CBC) under a weight-size
// budget, and writes the model quantized with the chosen formats.
//
//===----------------------------------------------------------------------===//

#include "Driver.h"

#include "qcc/Dialect/QC/IR/QCOps.h"
#include "qcc/Dialect/QC/Transforms/Passes.h"
#include "qcc/MixedPrecision/BitAllocation.h"

#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Support/FileUtilities.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/Format.h"
#include "llvm/Support/ToolOutputFile.h"
#include "llvm/Support/raw_ostream.h"

#include <cmath>

using namespace llvm;

namespace qcc::driver {

cl::SubCommand allocateCommand(
    "allocate", "Mixed precision: choose a weight format per layer by "
                "measured sensitivity and an integer linear program");

static cl::opt<std::string> allocateModel(
    cl::Positional, cl::Required,
    cl::desc("<calibrated.mlir> (from qcc quantize --calibrated-output)"),
    cl::sub(allocateCommand));
static cl::list<std::string> allocateCalib(
    "calib", cl::desc("Samples for measuring sensitivity (.npy per input)"),
    cl::value_desc("file"), cl::OneOrMore, cl::sub(allocateCommand),
    cl::cat(qccCategory));
static cl::opt<std::string> allocateCandidates(
    "candidates",
    cl::desc("Candidate weight formats (default int8,int6,int4,int3,int2,"
             "fp8e4m3,fp6e3m2,fp4e2m1)"),
    cl::init("int8,int6,int4,int3,int2,fp8e4m3,fp6e3m2,fp4e2m1"),
    cl::sub(allocateCommand), cl::cat(qccCategory));
static cl::opt<double> allocateAvgBits(
    "avg-bits",
    cl::desc("Budget: average bits per weight over the quantized layers"),
    cl::init(0), cl::sub(allocateCommand), cl::cat(qccCategory));
static cl::opt<std::string> allocateSizeBudget(
    "size-budget",
    cl::desc("Budget: weight bytes of the quantized layers, including one "
             "f32 scale per output channel; BYTES, or P% of their fp32 size"),
    cl::init(""), cl::sub(allocateCommand), cl::cat(qccCategory));
static cl::opt<int64_t> allocateSamples(
    "samples",
    cl::desc("Calibration samples used to measure sensitivity (default 64)"),
    cl::init(64), cl::sub(allocateCommand), cl::cat(qccCategory));
static cl::opt<std::string> allocateOutput("o", cl::desc("Quantized model"),
                                           cl::value_desc("file.mlir"),
                                           cl::Required,
                                           cl::sub(allocateCommand),
                                           cl::cat(qccCategory));

namespace {

struct Format {
  std::string name;     // as --weights spells it
  std::string float_;   // qc-quantize weight-format ("int" or a float type)
  unsigned bits;
};

Expected<Format> parseFormat(StringRef text) {
  static const StringMap<std::pair<std::string, unsigned>> floats = {
      {"fp8e4m3", {"f8E4M3FN", 8}}, {"fp8e5m2", {"f8E5M2", 8}},
      {"fp6e3m2", {"f6E3M2FN", 6}}, {"fp6e2m3", {"f6E2M3FN", 6}},
      {"fp4e2m1", {"f4E2M1FN", 4}}};
  if (auto it = floats.find(text); it != floats.end())
    return Format{text.str(), it->second.first, it->second.second};
  unsigned bits;
  StringRef digits = text;
  if (digits.consume_front("int") && !digits.getAsInteger(10, bits) &&
      bits >= 2 && bits <= 16)
    return Format{text.str(), "int", bits};
  return createStringError(inconvertibleErrorCode(),
                           "--candidates: unknown format '" + text + "'");
}

/// The module quantized with `format` on the layers named in `layers`
/// (every other weighted layer kept float).
Error quantizeLayers(mlir::ModuleOp module, const Format &format,
                     ArrayRef<std::string> layers,
                     ArrayRef<std::string> allLayers) {
  SmallVector<std::string> keep;
  for (const std::string &l : allLayers)
    if (!llvm::is_contained(layers, l))
      keep.push_back(l);
  mlir::PassManager pm(module.getContext());
  qc::QCQuantizeOptions options;
  options.weightBits = format.float_ == "int" ? format.bits : 8;
  options.weightFormat = format.float_;
  options.keepFloat = keep;
  pm.addPass(qc::createQCQuantize(options));
  if (failed(pm.run(module)))
    return createStringError(inconvertibleErrorCode(),
                             "quantizing with " + format.name + " failed");
  return Error::success();
}

/// Mean KL(p || q) of the softmax of two [N, C] logits arrays.
double meanKL(const interp::Tensor &p, const interp::Tensor &q) {
  const int64_t n = p.shape[0], c = p.data.size() / n;
  double total = 0;
  for (int64_t i = 0; i < n; ++i) {
    auto softmax = [&](const interp::Tensor &t) {
      double mx = -INFINITY, sum = 0;
      for (int64_t j = 0; j < c; ++j)
        mx = std::max(mx, t.data[i * c + j]);
      std::vector<double> e(c);
      for (int64_t j = 0; j < c; ++j)
        sum += e[j] = std::exp(t.data[i * c + j] - mx);
      for (double &v : e)
        v /= sum;
      return e;
    };
    std::vector<double> a = softmax(p), b = softmax(q);
    for (int64_t j = 0; j < c; ++j)
      if (a[j] > 0)
        total += a[j] * (std::log(a[j]) - std::log(std::max(b[j], 1e-300)));
  }
  return total / n;
}

} // namespace

int runAllocate() {
  if (allocateAvgBits <= 0 && allocateSizeBudget.empty())
    return fail("allocate",
                "give a budget: --avg-bits BITS and/or --size-budget BYTES|P%");
  SmallVector<Format> formats;
  for (StringRef name : split(allocateCandidates, ',')) {
    auto f = parseFormat(name.trim());
    if (!f)
      return fail("allocate", toString(f.takeError()));
    formats.push_back(*f);
  }
  mlir::MLIRContext context;
  auto module = loadModel(context, allocateModel);
  if (!module)
    return fail("allocate", toString(module.takeError()));
  mlir::func::FuncOp func = getMainFunction(**module);
  if (!func)
    return fail("allocate", allocateModel + " has no function");
  // Name the weighted layers (node names; else layer_<i>) and count weights.
  std::vector<std::string> layers;
  std::vector<double> weights, channels;
  func.walk([&](mlir::Operation *op) {
    if (!qc::isWeightedLayer(op) || op->getNumOperands() < 2)
      return;
    if (!isa<mlir::NameLoc>(op->getLoc()))
      op->setLoc(mlir::NameLoc::get(
          mlir::StringAttr::get(&context,
                                "layer_" + std::to_string(layers.size())),
          op->getLoc()));
    layers.push_back(qc::getNodeName(op));
    auto w = cast<mlir::RankedTensorType>(op->getOperand(1).getType());
    weights.push_back(static_cast<double>(w.getNumElements()));
    // Output channels: weights [M, ...], or [K, N] for matmul / gemm
    // without transB.
    const bool rowsAreInputs =
        isa<qc::MatMulOp>(op) ||
        (isa<qc::GemmOp>(op) && !cast<qc::GemmOp>(op).getTransB());
    channels.push_back(static_cast<double>(
        w.getDimSize(rowsAreInputs ? w.getRank() - 1 : 0)));
  });
  if (layers.empty())
    return fail("allocate", allocateModel + " has no layers with weights");

  auto arrays = readArguments(func, allocateCalib, "--calib");
  if (!arrays)
    return fail("allocate", toString(arrays.takeError()));
  std::vector<interp::Tensor> inputs;
  for (const NpyArray &a : *arrays) {
    interp::Tensor t(a.shape, a.toDoubles());
    const int64_t n = std::min<int64_t>(t.shape[0], allocateSamples);
    t.data.resize(t.data.size() / t.shape[0] * n);
    t.shape[0] = n;
    inputs.push_back(std::move(t));
  }
  auto reference = interp::runFunction(func, inputs);
  if (!reference)
    return fail("allocate", toString(reference.takeError()));

  // Sensitivity: each layer alone in each format.
  mp::Problem problem;
  double totalWeights = 0;
  for (double w : weights)
    totalWeights += w;
  const bool bitsBudget = allocateAvgBits > 0;
  if (bitsBudget)
    problem.resources.push_back({"average weight bits", allocateAvgBits});
  if (!allocateSizeBudget.empty()) {
    StringRef text = allocateSizeBudget;
    double value;
    const bool percent = text.consume_back("%");
    if (text.getAsDouble(value) || value <= 0)
      return fail("allocate", "--size-budget: expected BYTES or P%, got '" +
                                  allocateSizeBudget + "'");
    problem.resources.push_back(
        {"weight bytes", percent ? value / 100 * totalWeights * 4 : value});
  }
  Progress progress("measuring sensitivity", layers.size() * formats.size());
  int64_t done = 0;
  for (size_t l = 0; l < layers.size(); ++l) {
    mp::Layer layer{layers[l], {}};
    for (const Format &format : formats) {
      mlir::OwningOpRef<mlir::ModuleOp> clone((*module)->clone());
      if (Error e = quantizeLayers(*clone, format, {layers[l]}, layers))
        return fail("allocate", toString(std::move(e)));
      auto outputs =
          interp::runFunction(getMainFunction(*clone), inputs);
      if (!outputs)
        return fail("allocate", toString(outputs.takeError()));
      const double kl = meanKL((*reference)[0], (*outputs)[0]);
      std::vector<double> use;
      if (bitsBudget)
        use.push_back(weights[l] * format.bits / totalWeights);
      if (!allocateSizeBudget.empty())
        use.push_back(weights[l] * format.bits / 8 + channels[l] * 4);
      layer.candidates.push_back({format.name, std::max(kl, 0.0), use});
      progress.update(++done);
    }
    problem.layers.push_back(std::move(layer));
  }
  auto solved = mp::createCbcSolver()->solve(problem);
  if (!solved)
    return fail("allocate", toString(solved.takeError()));

  // Apply: one qc-quantize per chosen format over its layers.
  for (const Format &format : formats) {
    std::vector<std::string> chosen;
    for (size_t l = 0; l < layers.size(); ++l)
      if (formats[solved->choice[l]].name == format.name)
        chosen.push_back(layers[l]);
    if (!chosen.empty())
      if (Error e = quantizeLayers(**module, format, chosen, layers))
        return fail("allocate", toString(std::move(e)));
  }
  outs() << format("%-28s %10s %8s", "layer", "weights", "format");
  for (const Format &f : formats)
    outs() << format(" %9s", f.name.c_str());
  outs() << "   (KL of the outputs with the layer alone in each format)\n";
  for (size_t l = 0; l < layers.size(); ++l) {
    outs() << format("%-28s %10.0f %8s", layers[l].c_str(), weights[l],
                     formats[solved->choice[l]].name.c_str());
    for (const mp::Candidate &c : problem.layers[l].candidates)
      outs() << format(" %9.2e", c.cost);
    outs() << "\n";
  }
  for (size_t r = 0; r < problem.resources.size(); ++r)
    outs() << format("%s %.3f (budget %.3f)\n",
                     problem.resources[r].name.c_str(), solved->used[r],
                     problem.resources[r].budget);
  outs() << format("summed sensitivity %.3e\n", solved->cost);

  std::string errorMessage;
  auto file = mlir::openOutputFile(allocateOutput, &errorMessage);
  if (!file)
    return fail("allocate", errorMessage);
  (*module)->print(file->os());
  file->os() << "\n";
  file->keep();
  return 0;
}

} // namespace qcc::driver
