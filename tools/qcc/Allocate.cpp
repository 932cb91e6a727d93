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
#include "qcc/Dialect/QC/IR/QCConstants.h"
#include "qcc/Dialect/QC/IR/QCTypes.h"
#include "qcc/MixedPrecision/BitAllocation.h"
#include "qcc/Numerics/Quantize.h"

#include "mlir/Dialect/Quant/IR/QuantTypes.h"

#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Support/FileUtilities.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/Format.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/JSON.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/SHA256.h"
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
static cl::opt<std::string> allocateSensitivity(
    "sensitivity",
    cl::desc("How sensitivity is measured: measured (default: the model "
             "run with the layer alone quantized, KL of its outputs) or "
             "proxy (data-free: the layer's relative weight quantization "
             "error times its share of the weights; no model runs)"),
    cl::init("measured"), cl::sub(allocateCommand), cl::cat(qccCategory));
static cl::opt<std::string> allocateCache(
    "cache",
    cl::desc("Sensitivity cache (JSON): reused when it was measured for the "
             "same model, calibration data, candidates, samples and "
             "sensitivity kind (SHA-256 key), written otherwise; re-solving "
             "under other budgets is then instant"),
    cl::value_desc("file.json"), cl::init(""), cl::sub(allocateCommand),
    cl::cat(qccCategory));
static cl::opt<std::string> allocateBopsBudget(
    "bops-budget",
    cl::desc("Budget: bit operations per sample of the quantized layers "
             "(multiply-adds x weight bits x 8 activation bits); BOPS, or "
             "P% of the all-int8 model's"),
    cl::init(""), cl::sub(allocateCommand), cl::cat(qccCategory));
static cl::list<double> allocateSweep(
    "sweep",
    cl::desc("Pareto frontier: also solve for each of these average-bits "
             "budgets and print the allocations (with --input/--labels, "
             "their top-1 accuracy too)"),
    cl::CommaSeparated, cl::sub(allocateCommand), cl::cat(qccCategory));
static cl::list<std::string> allocateEvalInput(
    "input", cl::desc("Test inputs for the frontier's accuracy"),
    cl::value_desc("file"), cl::sub(allocateCommand), cl::cat(qccCategory));
static cl::opt<std::string> allocateEvalLabels(
    "labels", cl::desc("Test labels for the frontier's accuracy"),
    cl::value_desc("file"), cl::init(""), cl::sub(allocateCommand),
    cl::cat(qccCategory));
static cl::opt<std::string> allocatePlot(
    "plot",
    cl::desc("Write the frontier as an SVG plot (top-1 accuracy, or "
             "summed sensitivity without --labels, against average bits)"),
    cl::value_desc("file.svg"), cl::init(""), cl::sub(allocateCommand),
    cl::cat(qccCategory));
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

/// The module quantized with `format` on the layers named in `layers`
/// (every other weighted layer kept float).
Error quantizeLayers(mlir::ModuleOp module, const WeightFormat &format,
                     ArrayRef<std::string> layers,
                     ArrayRef<std::string> allLayers) {
  SmallVector<std::string> keep;
  for (const std::string &l : allLayers)
    if (!llvm::is_contained(layers, l))
      keep.push_back(l);
  mlir::PassManager pm(module.getContext());
  qc::QCQuantizeOptions options;
  options.weightBits = format.quantizeBits();
  options.weightFormat = format.floatType;
  options.keepFloat = keep;
  pm.addPass(qc::createQCQuantize(options));
  if (failed(pm.run(module)))
    return createStringError(inconvertibleErrorCode(),
                             "quantizing with " + format.name + " failed");
  return Error::success();
}

/// The relative squared error ||W - deq(Q(W))||^2 / ||W||^2 of the weight
/// of layer `name` in `quantized` against its float weight `original`
/// (reading the integer or minifloat codes and scales qc-quantize wrote).
std::optional<double> weightError(mlir::ModuleOp quantized, StringRef name,
                                  const std::vector<float> &original) {
  std::optional<double> result;
  quantized.walk([&](mlir::Operation *op) {
    if (!qc::isWeightedLayer(op) || qc::getNodeName(op) != name)
      return;
    auto dq = op->getOperand(1).getDefiningOp<qc::DequantizeOp>();
    auto cast = dq ? dq.getInput().getDefiningOp<qc::StorageCastOp>()
                   : nullptr;
    auto codes = cast ? qc::getIntegerConstant(cast.getInput()) : std::nullopt;
    if (!codes || codes->size() != original.size())
      return;
    auto type = mlir::cast<mlir::RankedTensorType>(dq.getInput().getType());
    mlir::Type element = type.getElementType();
    // Scale of flat element i: per tensor or along one axis.
    std::vector<double> scales;
    int64_t axis = -1;
    if (auto u = dyn_cast<mlir::quant::UniformQuantizedType>(element)) {
      scales = {u.getScale()};
    } else if (auto a =
                   dyn_cast<mlir::quant::UniformQuantizedPerAxisType>(element)) {
      scales.assign(a.getScales().begin(), a.getScales().end());
      axis = a.getQuantizedDimension();
    } else if (auto f = dyn_cast<qc::ScaledFloatType>(element)) {
      scales.assign(f.getScales().asArrayRef().begin(),
                    f.getScales().asArrayRef().end());
      axis = f.getAxis();
    } else {
      return; // per-group / block types: no proxy
    }
    int64_t inner = 1;
    for (int64_t d = axis + 1; axis >= 0 && d < type.getRank(); ++d)
      inner *= type.getDimSize(d);
    double error = 0, energy = 0;
    for (size_t i = 0; i < original.size(); ++i) {
      const double scale =
          axis < 0 ? scales[0]
                   : scales[(i / inner) % type.getDimSize(axis)];
      double value;
      if (auto f = dyn_cast<qc::ScaledFloatType>(element))
        value = numerics::dequantizeMinifloat(
            static_cast<uint8_t>((*codes)[i]) &
                ((1u << f.getStorageType().getWidth()) - 1),
            static_cast<float>(scale), f.getStorageKind());
      else
        value = (*codes)[i] * scale;
      error += (value - original[i]) * (value - original[i]);
      energy += double(original[i]) * original[i];
    }
    result = energy > 0 ? error / energy : 0.0;
  });
  return result;
}

/// Spearman's rank correlation of two samples (average ranks for ties).
double spearman(const std::vector<double> &a, const std::vector<double> &b) {
  auto ranks = [](const std::vector<double> &v) {
    std::vector<size_t> order(v.size());
    for (size_t i = 0; i < v.size(); ++i)
      order[i] = i;
    llvm::sort(order, [&](size_t x, size_t y) { return v[x] < v[y]; });
    std::vector<double> r(v.size());
    for (size_t i = 0; i < order.size();) {
      size_t j = i;
      while (j + 1 < order.size() && v[order[j + 1]] == v[order[i]])
        ++j;
      for (size_t k = i; k <= j; ++k)
        r[order[k]] = (i + j) / 2.0;
      i = j + 1;
    }
    return r;
  };
  std::vector<double> ra = ranks(a), rb = ranks(b);
  const double n = a.size();
  double ma = 0, mb = 0;
  for (size_t i = 0; i < a.size(); ++i) {
    ma += ra[i] / n;
    mb += rb[i] / n;
  }
  double cov = 0, va = 0, vb = 0;
  for (size_t i = 0; i < a.size(); ++i) {
    cov += (ra[i] - ma) * (rb[i] - mb);
    va += (ra[i] - ma) * (ra[i] - ma);
    vb += (rb[i] - mb) * (rb[i] - mb);
  }
  return va > 0 && vb > 0 ? cov / std::sqrt(va * vb) : 0.0;
}

} // namespace

int runAllocate() {
  if (allocateAvgBits <= 0 && allocateSizeBudget.empty() &&
      allocateBopsBudget.empty())
    return fail("allocate", "give a budget: --avg-bits BITS, --size-budget "
                            "BYTES|P% and/or --bops-budget BOPS|P%");
  SmallVector<WeightFormat> formats;
  for (StringRef name : split(allocateCandidates, ',')) {
    auto f = parseWeightFormat(name.trim(), "candidates");
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
  std::vector<double> weights, channels, macs;
  std::vector<std::vector<float>> floatWeights;
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
    floatWeights.push_back(
        qc::getF32Constant(op->getOperand(1)).value_or(std::vector<float>()));
    // Output channels: weights [M, ...], or [K, N] for matmul / gemm
    // without transB.
    const bool rowsAreInputs =
        isa<qc::MatMulOp>(op) ||
        (isa<qc::GemmOp>(op) && !cast<qc::GemmOp>(op).getTransB());
    channels.push_back(static_cast<double>(
        w.getDimSize(rowsAreInputs ? w.getRank() - 1 : 0)));
    // Multiply-adds per sample: output elements (without the batch) times
    // the reduction length (weights per output channel).
    auto out = cast<mlir::RankedTensorType>(op->getResult(0).getType());
    double outputs = 1;
    for (int64_t d = 1; d < out.getRank(); ++d)
      outputs *= out.isDynamicDim(d) ? 1 : out.getDimSize(d);
    macs.push_back(outputs * w.getNumElements() / channels.back());
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
  if (allocateSensitivity != "measured" && allocateSensitivity != "proxy")
    return fail("allocate", "--sensitivity must be measured or proxy, got '" +
                                allocateSensitivity + "'");
  const bool measured = allocateSensitivity == "measured";
  auto reference = measured ? interp::runFunction(func, inputs)
                            : Expected<std::vector<interp::Tensor>>(
                                  std::vector<interp::Tensor>{});
  if (!reference)
    return fail("allocate", toString(reference.takeError()));
  std::vector<double> measuredCosts, proxyCosts;

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
  if (!allocateBopsBudget.empty()) {
    StringRef text = allocateBopsBudget;
    double value;
    const bool percent = text.consume_back("%");
    if (text.getAsDouble(value) || value <= 0)
      return fail("allocate", "--bops-budget: expected BOPS or P%, got '" +
                                  allocateBopsBudget + "'");
    double int8Bops = 0;
    for (double m : macs)
      int8Bops += m * 8 * 8;
    problem.resources.push_back(
        {"BOPs per sample", percent ? value / 100 * int8Bops : value});
  }
  // The cache key: everything the sensitivities depend on.
  std::string key;
  {
    SHA256 hash;
    for (StringRef path :
         SmallVector<StringRef>{allocateModel.getValue()}) {
      auto buffer = MemoryBuffer::getFile(path);
      if (buffer)
        hash.update((*buffer)->getBuffer());
    }
    for (const std::string &c : allocateCalib)
      if (auto buffer = MemoryBuffer::getFile(c))
        hash.update((*buffer)->getBuffer());
    hash.update(allocateCandidates + "|" + std::to_string(allocateSamples) +
                "|" + allocateSensitivity);
    key = toHex(hash.final(), /*LowerCase=*/true);
  }
  // Cached (measured, proxy) per layer and format, in order.
  std::vector<std::pair<double, double>> cached;
  if (!allocateCache.empty())
    if (auto buffer = MemoryBuffer::getFile(allocateCache)) {
      auto parsed = json::parse((*buffer)->getBuffer());
      const json::Object *o = parsed ? parsed->getAsObject() : nullptr;
      const json::Array *values = o ? o->getArray("sensitivity") : nullptr;
      if (o && values && o->getString("key") == StringRef(key) &&
          values->size() == layers.size() * formats.size()) {
        for (const json::Value &v : *values) {
          const json::Array *pair = v.getAsArray();
          if (!pair || pair->size() != 2)
            break;
          cached.push_back({(*pair)[0].getAsNumber().value_or(0),
                            (*pair)[1].getAsNumber().value_or(0)});
        }
        if (cached.size() == layers.size() * formats.size())
          outs() << "qcc allocate: sensitivities from " << allocateCache
                 << "\n";
        else
          cached.clear();
      } else if (!parsed) {
        consumeError(parsed.takeError());
      }
    }
  Progress progress("measuring sensitivity", layers.size() * formats.size());
  int64_t done = 0;
  for (size_t l = 0; l < layers.size(); ++l) {
    mp::Layer layer{layers[l], {}};
    for (const WeightFormat &format : formats) {
      std::vector<double> use;
      if (bitsBudget)
        use.push_back(weights[l] * format.bits / totalWeights);
      if (!allocateSizeBudget.empty())
        use.push_back(weights[l] * format.bits / 8 + channels[l] * 4);
      if (!allocateBopsBudget.empty())
        use.push_back(macs[l] * format.bits * 8);
      if (!cached.empty()) {
        const auto [kl, proxy] = cached[measuredCosts.size()];
        measuredCosts.push_back(kl);
        proxyCosts.push_back(proxy);
        layer.candidates.push_back({format.name, std::max(kl, 0.0), use});
        continue;
      }
      mlir::OwningOpRef<mlir::ModuleOp> clone((*module)->clone());
      if (Error e = quantizeLayers(*clone, format, {layers[l]}, layers))
        return fail("allocate", toString(std::move(e)));
      // Proxy: relative weight error, weighted by the layer's share of the
      // weights (a data-free stand-in for its effect on the output).
      const double proxy =
          weightError(*clone, layers[l], floatWeights[l]).value_or(0.0) *
          weights[l] / totalWeights;
      double kl = proxy;
      if (measured) {
        auto outputs = interp::runFunction(getMainFunction(*clone), inputs);
        if (!outputs)
          return fail("allocate", toString(outputs.takeError()));
        kl = meanSoftmaxKL((*reference)[0], (*outputs)[0]);
      }
      measuredCosts.push_back(kl);
      proxyCosts.push_back(proxy);
      layer.candidates.push_back({format.name, std::max(kl, 0.0), use});
      progress.update(++done);
    }
    problem.layers.push_back(std::move(layer));
  }
  if (!allocateCache.empty() && cached.empty()) {
    json::Array values;
    for (size_t i = 0; i < measuredCosts.size(); ++i)
      values.push_back(json::Array{measuredCosts[i], proxyCosts[i]});
    std::error_code ec;
    raw_fd_ostream os(allocateCache, ec);
    if (ec)
      return fail("allocate", "cannot write " + allocateCache + ": " +
                                  ec.message());
    json::Array layerNames;
    for (const std::string &l : layers)
      layerNames.push_back(l);
    os << formatv("{0:2}", json::Value(json::Object{
                               {"key", key},
                               {"layers", std::move(layerNames)},
                               {"candidates", allocateCandidates.getValue()},
                               {"sensitivity", std::move(values)}}))
       << "\n";
  }
  auto solved = mp::createCbcSolver()->solve(problem);
  if (!solved)
    return fail("allocate", toString(solved.takeError()));

  // The calibrated model quantized with an allocation's formats.
  auto applyAllocation = [&](mlir::ModuleOp target,
                             const mp::Allocation &a) -> Error {
    for (const WeightFormat &format : formats) {
      std::vector<std::string> chosen;
      for (size_t l = 0; l < layers.size(); ++l)
        if (formats[a.choice[l]].name == format.name)
          chosen.push_back(layers[l]);
      if (!chosen.empty())
        if (Error e = quantizeLayers(target, format, chosen, layers))
          return e;
    }
    return Error::success();
  };
  if (!allocateSweep.empty()) {
    if (!bitsBudget)
      return fail("allocate", "--sweep varies --avg-bits: give it too");
    std::optional<interp::Tensor> testInputs;
    std::vector<double> labels;
    if (!allocateEvalLabels.empty()) {
      auto x = readArguments(func, allocateEvalInput, "--input");
      auto y = readNpy(allocateEvalLabels);
      if (!x)
        return fail("allocate", toString(x.takeError()));
      if (!y)
        return fail("allocate", toString(y.takeError()));
      testInputs = interp::Tensor((*x)[0].shape, (*x)[0].toDoubles());
      labels = y->toDoubles();
    }
    struct Point {
      double bits, cost, accuracy;
    };
    std::vector<Point> frontier;
    outs() << "Pareto frontier (average weight bits budget: allocation, "
              "summed sensitivity"
           << (testInputs ? ", top-1 %" : "") << "):\n";
    for (double budget : allocateSweep) {
      mp::Problem sweep = problem;
      sweep.resources[0].budget = budget;
      auto a = mp::createCbcSolver()->solve(sweep);
      if (!a) {
        outs() << format("  %.2f: %s\n", budget,
                         toString(a.takeError()).c_str());
        continue;
      }
      std::string formatsText;
      for (size_t l = 0; l < layers.size(); ++l)
        formatsText += (l ? "," : "") + formats[a->choice[l]].name;
      double accuracy = -1;
      if (testInputs) {
        mlir::OwningOpRef<mlir::ModuleOp> clone((*module)->clone());
        if (Error e = applyAllocation(*clone, *a))
          return fail("allocate", toString(std::move(e)));
        auto out = interp::runFunction(getMainFunction(*clone), {*testInputs});
        if (!out)
          return fail("allocate", toString(out.takeError()));
        const interp::Tensor &logits = (*out)[0];
        const int64_t n = logits.shape[0], c = logits.data.size() / n;
        int64_t correct = 0;
        for (int64_t i = 0; i < n; ++i) {
          int64_t best = 0;
          for (int64_t j = 1; j < c; ++j)
            if (logits.data[i * c + j] > logits.data[i * c + best])
              best = j;
          correct += best == static_cast<int64_t>(labels[i]);
        }
        accuracy = 100.0 * correct / n;
      }
      frontier.push_back({a->used[0], a->cost, accuracy});
      outs() << format("  %.2f: %.3f bits [%s] %.3e", budget, a->used[0],
                       formatsText.c_str(), a->cost);
      if (accuracy >= 0)
        outs() << format(" %.2f%%", accuracy);
      outs() << "\n";
    }
    if (!allocatePlot.empty()) {
      // An SVG scatter/line plot: x = average bits, y = accuracy (or
      // sensitivity).
      const bool acc = testInputs.has_value();
      double x0 = 1e9, x1 = -1e9, y0 = 1e9, y1 = -1e9;
      for (const Point &p : frontier) {
        const double y = acc ? p.accuracy : p.cost;
        x0 = std::min(x0, p.bits);
        x1 = std::max(x1, p.bits);
        y0 = std::min(y0, y);
        y1 = std::max(y1, y);
      }
      if (x1 <= x0)
        x1 = x0 + 1;
      if (y1 <= y0)
        y1 = y0 + 1;
      std::error_code ec;
      raw_fd_ostream svg(allocatePlot, ec);
      if (ec)
        return fail("allocate", "cannot write " + allocatePlot);
      const double W = 480, H = 320, m = 50;
      auto px = [&](double x) { return m + (x - x0) / (x1 - x0) * (W - 2 * m); };
      auto py = [&](double y) { return H - m - (y - y0) / (y1 - y0) * (H - 2 * m); };
      svg << format("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%.0f\" "
                    "height=\"%.0f\">\n",
                    W, H)
          << format("<line x1=\"%.0f\" y1=\"%.0f\" x2=\"%.0f\" y2=\"%.0f\" "
                    "stroke=\"black\"/>\n",
                    m, H - m, W - m, H - m)
          << format("<line x1=\"%.0f\" y1=\"%.0f\" x2=\"%.0f\" y2=\"%.0f\" "
                    "stroke=\"black\"/>\n",
                    m, m, m, H - m)
          << format("<text x=\"%.0f\" y=\"%.0f\">average weight bits "
                    "(%.2f to %.2f)</text>\n",
                    W / 2 - 80, H - 12, x0, x1)
          << format("<text x=\"4\" y=\"20\">%s (%.3g to %.3g)</text>\n",
                    acc ? "top-1 %" : "summed sensitivity", y0, y1);
      std::string points;
      for (const Point &p : frontier) {
        const double y = acc ? p.accuracy : p.cost;
        points += formatv("{0:F1},{1:F1} ", px(p.bits), py(y)).str();
        svg << format("<circle cx=\"%.1f\" cy=\"%.1f\" r=\"3\"/>\n",
                      px(p.bits), py(y));
      }
      svg << "<polyline fill=\"none\" stroke=\"steelblue\" points=\""
          << points << "\"/>\n</svg>\n";
    }
  }

  // Apply: one qc-quantize per chosen format over its layers.
  if (Error e = applyAllocation(**module, *solved))
    return fail("allocate", toString(std::move(e)));
  outs() << format("%-28s %10s %8s", "layer", "weights", "format");
  for (const WeightFormat &f : formats)
    outs() << format(" %9s", f.name.c_str());
  outs() << (measured ? "   (KL of the outputs with the layer alone in each format)\n"
                      : "   (proxy: relative weight error x weight share)\n");
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
  if (measured)
    outs() << format("data-free proxy vs measured sensitivity: Spearman rank "
                     "correlation %.3f over %zu layer x format pairs\n",
                     spearman(proxyCosts, measuredCosts), proxyCosts.size());

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
