//===- MixedPrecision.cpp - Sensitivity and the bit-allocation problem ----===//
//
// Each layer's sensitivity to each candidate format (measured, a data-free
// proxy or a Hessian-trace estimate; cached), the cost models behind the
// budgets, the allocation's ILP, and the chosen formats written into the IR.
//
//===----------------------------------------------------------------------===//

#include "qcc/Quantization/MixedPrecision.h"

#include "qcc/Dialect/QC/IR/QCConstants.h"
#include "qcc/Dialect/QC/IR/QCDialect.h"
#include "qcc/Dialect/QC/IR/QCOps.h"
#include "qcc/Dialect/QC/IR/QCTypes.h"
#include "qcc/Interpreter/Model.h"
#include "qcc/Numerics/Quantize.h"
#include "qcc/Quantization/Metrics.h"
#include "qcc/Support/AtomicFile.h"
#include "qcc/Support/FpgaCost.h"
#include "qcc/Support/Progress.h"

#include "mlir/Analysis/SliceAnalysis.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Quant/IR/QuantTypes.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/IRMapping.h"
#include "mlir/Pass/PassManager.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/JSON.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/SHA256.h"

#include <array>
#include <chrono>
#include <cmath>
#include <functional>
#include <random>

using namespace llvm;

namespace qcc::quantization {

using interp::getMainFunction;

namespace {

/// The relative squared error ||W - deq(Q(W))||^2 / ||W||^2 of the
/// quantized weight of layer `op` against its float weight `original`
/// (reading the integer or minifloat codes and scales qc-quantize wrote).
std::optional<double> weightError(mlir::Operation *op,
                                  const std::vector<float> &original) {
  auto dq = op->getOperand(1).getDefiningOp<qc::DequantizeOp>();
  auto cast = dq ? dq.getInput().getDefiningOp<qc::StorageCastOp>() : nullptr;
  auto codes = cast ? qc::getIntegerConstant(cast.getInput()) : std::nullopt;
  if (!codes || codes->size() != original.size())
    return std::nullopt;
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
    return std::nullopt; // per-group / block types: no proxy
  }
  int64_t inner = 1;
  for (int64_t d = axis + 1; axis >= 0 && d < type.getRank(); ++d)
    inner *= type.getDimSize(d);
  double error = 0, energy = 0;
  for (size_t i = 0; i < original.size(); ++i) {
    const double scale =
        axis < 0 ? scales[0] : scales[(i / inner) % type.getDimSize(axis)];
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
  return energy > 0 ? error / energy : 0.0;
}

/// `--flag`'s "VALUE or P%" budget: P% of `whole`.
Expected<double> parseBudget(StringRef text, StringRef flag, StringRef unit,
                             double whole) {
  double value;
  StringRef number = text;
  const bool percent = number.consume_back("%");
  if (number.getAsDouble(value) || !(value > 0))
    return createStringError(inconvertibleErrorCode(),
                             "--" + flag + ": expected " + unit +
                                 " or P%, got '" + text + "'");
  return percent ? value / 100 * whole : value;
}

/// CPU cost model: multiply-adds per second of one core by weight format,
/// as measured on qcc's code generator (bench/cpu_latency.sh,
/// docs/mixed-precision.md): integer weights of up to 8 bits run on the
/// int8 VNNI micro-kernels; wider integers and minifloat weights are
/// costed as dequantized weights on generated f32 loops (code generation
/// does not run them yet: issue 7).
double cpuMacsPerSecond(const WeightFormat &weight, const WeightFormat &act) {
  const bool int8Kernel = weight.floatType == "int" && weight.bits <= 8 &&
                          act.floatType == "int" && act.bits <= 8;
  // ResNet-18 int8: 1.82 GMAC in 6.08 ms; digits_cnn --float: 0.60 MMAC
  // in 0.061 ms.
  return int8Kernel ? 3.0e11 : 1.0e10;
}

/// FPGA cost model (qcc/Support/FpgaCost.h, which the HLS target's report
/// uses too): the resources of one weight x activation multiplier in a
/// fully parallel (reuse factor 1) datapath. A minifloat operand counts as
/// its significand (mantissa + 1 bits) plus its exponent's shifter (e
/// bits).
FpgaMultiplierCost fpgaMultiplier(const WeightFormat &weight,
                                  const WeightFormat &act) {
  auto width = [](const WeightFormat &f) {
    auto parsed = numerics::parseWeightFormat(f.name);
    if (parsed && parsed->minifloat) {
      const auto &m = numerics::getMinifloatFormat(*parsed->minifloat);
      return static_cast<double>(m.mantissaBits + 1 + m.exponentBits);
    }
    return static_cast<double>(f.bits);
  };
  return fpgaMultiplierCost(width(weight), width(act));
}

} // namespace

/// Writes `format` into the layer named `layer`: `qc.weight_format` and,
/// with an activation format, `qc.act_format`.
static void annotateLayer(mlir::ModuleOp module, StringRef layer,
                          const CandidateFormat &format) {
  mlir::MLIRContext *context = module.getContext();
  getMainFunction(module).walk([&](mlir::Operation *op) {
    if (!isa<qc::WeightedLayerOpInterface>(op) || qc::getNodeName(op) != layer)
      return;
    op->setAttr(qc::QCDialect::WeightFormatAttrHelper::getNameStr(),
                mlir::StringAttr::get(context, format.weight.name));
    if (format.act)
      op->setAttr(qc::QCDialect::ActFormatAttrHelper::getNameStr(),
                  mlir::StringAttr::get(context, format.act->name));
  });
}

/// The float layers of `func` with a constant weight, not in `keepFloat`;
/// unnamed ones are named layer_<i> and repeated names get _<i> appended
/// (i: the position among the weighted layers), since the allocation
/// addresses layers by name.
static std::vector<WeightedLayer>
collectWeightedLayers(mlir::func::FuncOp func,
                      ArrayRef<std::string> keepFloat) {
  std::vector<WeightedLayer> layers;
  mlir::MLIRContext *context = func.getContext();
  int64_t index = 0;
  func.walk([&](mlir::Operation *op) {
    if (!isa<qc::WeightedLayerOpInterface>(op) || op->getNumOperands() < 2)
      return;
    const int64_t position = index++;
    auto output = dyn_cast<mlir::RankedTensorType>(op->getResult(0).getType());
    if (qc::isKeptFloat(op, keepFloat) || !output ||
        !output.getElementType().isF32())
      return; // kept float, or already integer (imported QLinear ops)
    auto floatWeights = qc::getF32Constant(op->getOperand(1));
    if (!floatWeights)
      return; // a product of two activations: no weight to choose for
    // Layers are addressed by name: unnamed and same-named ones get their
    // position appended.
    if (!isa<mlir::NameLoc>(op->getLoc()) ||
        llvm::any_of(layers, [&](const WeightedLayer &l) {
          return l.name == qc::getNodeName(op);
        }))
      op->setLoc(mlir::NameLoc::get(
          mlir::StringAttr::get(context, (isa<mlir::NameLoc>(op->getLoc())
                                              ? qc::getNodeName(op) + "_"
                                              : std::string("layer_")) +
                                             std::to_string(position)),
          op->getLoc()));
    WeightedLayer layer;
    layer.name = qc::getNodeName(op);
    auto w = cast<mlir::RankedTensorType>(op->getOperand(1).getType());
    layer.weights = static_cast<double>(w.getNumElements());
    layer.floatWeights = std::move(*floatWeights);
    layer.channels = static_cast<double>(w.getDimSize(
        cast<qc::WeightedLayerOpInterface>(op).getWeightChannelAxis()));
    layer.macs = qc::getMultiplyAddsPerSample(op);
    layer.op = op;
    layers.push_back(std::move(layer));
  });
  return layers;
}

namespace {

/// A budget as an ILP resource: its name, its budget and each candidate's
/// use of it.
struct ResourceUse {
  std::string name;
  double budget;
  std::function<double(const WeightedLayer &, const CandidateFormat &)> of;
};

/// The resources of the budgets given; `actBits` is the activation width
/// of candidates without an activation format.
Expected<std::vector<ResourceUse>>
budgetUses(const std::vector<WeightedLayer> &layers, const Budgets &budgets,
           unsigned actBits) {
  const WeightFormat baseAct{"int" + std::to_string(actBits), "int", actBits};
  auto actOf = [baseAct](const CandidateFormat &c) {
    return c.act ? *c.act : baseAct;
  };
  double totalWeights = 0, totalMacs = 0;
  for (const WeightedLayer &l : layers) {
    totalWeights += l.weights;
    totalMacs += l.macs;
  }
  const WeightFormat int8{"int8", "int", 8};
  std::vector<ResourceUse> uses;
  if (budgets.avgBits > 0)
    uses.push_back({"average weight bits", budgets.avgBits,
                    [=](const WeightedLayer &l, const CandidateFormat &f) {
                      return l.weights * f.weight.bits / totalWeights;
                    }});
  if (!budgets.size.empty()) {
    auto bytes =
        parseBudget(budgets.size, "size-budget", "BYTES", totalWeights * 4);
    if (!bytes)
      return bytes.takeError();
    uses.push_back({"weight bytes", *bytes,
                    [](const WeightedLayer &l, const CandidateFormat &f) {
                      return l.weights * f.weight.bits / 8 + l.channels * 4;
                    }});
  }
  if (!budgets.bops.empty()) {
    auto bops =
        parseBudget(budgets.bops, "bops-budget", "BOPS", totalMacs * 8 * 8);
    if (!bops)
      return bops.takeError();
    uses.push_back({"BOPs per sample", *bops,
                    [=](const WeightedLayer &l, const CandidateFormat &f) {
                      return l.macs * f.weight.bits * actOf(f).bits;
                    }});
  }
  if (!budgets.cpuLatency.empty()) {
    auto ms = parseBudget(budgets.cpuLatency, "cpu-latency-budget", "MS",
                          totalMacs / cpuMacsPerSecond(int8, int8) * 1e3);
    if (!ms)
      return ms.takeError();
    uses.push_back({"CPU ms per sample (cost model)", *ms,
                    [=](const WeightedLayer &l, const CandidateFormat &f) {
                      return l.macs / cpuMacsPerSecond(f.weight, actOf(f)) *
                             1e3;
                    }});
  }
  if (!budgets.fpgaLuts.empty()) {
    auto luts = parseBudget(budgets.fpgaLuts, "fpga-lut-budget", "LUTS",
                            totalWeights * fpgaMultiplier(int8, int8).luts);
    if (!luts)
      return luts.takeError();
    uses.push_back({"FPGA LUTs (cost model)", *luts,
                    [=](const WeightedLayer &l, const CandidateFormat &f) {
                      return l.weights *
                             fpgaMultiplier(f.weight, actOf(f)).luts;
                    }});
  }
  if (!budgets.fpgaDsps.empty()) {
    auto dsps =
        parseBudget(budgets.fpgaDsps, "fpga-dsp-budget", "DSPS", totalWeights);
    if (!dsps)
      return dsps.takeError();
    uses.push_back({"FPGA DSPs (cost model)", *dsps,
                    [=](const WeightedLayer &l, const CandidateFormat &f) {
                      return l.weights *
                             fpgaMultiplier(f.weight, actOf(f)).dsps;
                    }});
  }
  return uses;
}

/// The SHA-256 key of everything sensitivities depend on.
std::string sensitivityCacheKey(mlir::ModuleOp module,
                                const std::vector<interp::Tensor> &inputs,
                                ArrayRef<CandidateFormat> formats,
                                const SensitivityOptions &options) {
  SHA256 hash;
  std::string text;
  raw_string_ostream os(text);
  module->print(os);
  hash.update(text);
  for (const interp::Tensor &t : inputs)
    hash.update(
        ArrayRef<uint8_t>(reinterpret_cast<const uint8_t *>(t.data.data()),
                          t.data.size() * sizeof(double)));
  std::string names;
  for (const CandidateFormat &f : formats)
    names += f.name() + ",";
  const qc::QCQuantizeOptions &q = options.quantize;
  // The definitions' version: bump it when what a sensitivity or the
  // proxy means changes, so that old caches are not read.
  hash.update("qcc-sensitivity-v3|");
  hash.update(formatv("{0}|{1}|{2}|{3}|{4}|{5}|{6}|{7}", names, options.hessian,
                      options.measured, q.actBits, q.perChannel,
                      q.symmetricActs, q.weightClipping, q.groupSize)
                  .str());
  return toHex(hash.final(), /*LowerCase=*/true);
}

/// The cached (measured, proxy, hessian) values of `count` layer x format
/// pairs at `path` if its key is `key`; empty otherwise.
std::vector<std::array<double, 3>>
readSensitivityCache(StringRef path, StringRef key, size_t count) {
  std::vector<std::array<double, 3>> cached;
  if (path.empty())
    return cached;
  auto buffer = MemoryBuffer::getFile(path);
  if (!buffer)
    return cached;
  auto parsed = json::parse((*buffer)->getBuffer());
  if (!parsed) {
    consumeError(parsed.takeError());
    return cached;
  }
  const json::Object *o = parsed->getAsObject();
  const json::Array *values = o ? o->getArray("sensitivity") : nullptr;
  if (!values || o->getString("key") != key || values->size() != count)
    return cached;
  for (const json::Value &v : *values) {
    const json::Array *triple = v.getAsArray();
    if (!triple || triple->size() != 3)
      return {};
    cached.push_back({(*triple)[0].getAsNumber().value_or(0),
                      (*triple)[1].getAsNumber().value_or(0),
                      (*triple)[2].getAsNumber().value_or(0)});
  }
  return cached;
}

/// Writes `problem`'s sensitivities under `key` to `path`.
Error writeSensitivityCache(StringRef path, StringRef key,
                            const MixedPrecisionProblem &problem) {
  json::Array values;
  for (size_t i = 0; i < problem.measured.size(); ++i)
    values.push_back(
        json::Array{problem.measured[i], problem.proxy[i],
                    problem.hessian.empty() ? 0.0 : problem.hessian[i]});
  json::Array names;
  for (const WeightedLayer &l : problem.layers)
    names.push_back(l.name);
  std::string candidates;
  for (const CandidateFormat &f : problem.formats)
    candidates += (candidates.empty() ? "" : ",") + f.name();
  json::Value cache(json::Object{{"key", key},
                                 {"layers", std::move(names)},
                                 {"candidates", candidates},
                                 {"sensitivity", std::move(values)}});
  return writeFileAtomically(path, [&](raw_ostream &os) {
    os << formatv("{0:2}", cache) << "\n";
    return Error::success();
  });
}

} // namespace

Expected<MixedPrecisionProblem> buildMixedPrecisionProblem(
    mlir::ModuleOp module, const std::vector<interp::Tensor> &allInputs,
    const SensitivityOptions &options, const Budgets &budgets) {
  auto error = [](const Twine &message) {
    return createStringError(inconvertibleErrorCode(), message);
  };
  if (!budgets.any())
    return error("give a budget: --avg-bits BITS, --size-budget BYTES|P%, "
                 "--bops-budget BOPS|P%, --cpu-latency-budget MS|P%, "
                 "--fpga-lut-budget LUTS|P% and/or --fpga-dsp-budget "
                 "DSPS|P%");
  MixedPrecisionProblem result;
  for (const WeightFormat &w : options.candidates) {
    if (options.actCandidates.empty())
      result.formats.push_back({w, std::nullopt});
    for (const WeightFormat &a : options.actCandidates)
      result.formats.push_back({w, a});
  }
  result.wasMeasured = options.measured;
  result.byHessian = !options.measured && options.hessian;
  mlir::func::FuncOp func = getMainFunction(module);
  if (!func)
    return error("the model has no function");
  result.layers = collectWeightedLayers(func, options.quantize.keepFloat);
  const std::vector<WeightedLayer> &layers = result.layers;
  if (layers.empty())
    return error("the model has no layers with weights");

  std::vector<interp::Tensor> inputs;
  for (const interp::Tensor &all : allInputs) {
    interp::Tensor t = all;
    const int64_t n = std::min<int64_t>(t.shape[0], options.samples);
    t.data.resize(t.data.size() / t.shape[0] * n);
    t.shape[0] = n;
    inputs.push_back(std::move(t));
  }
  result.samples = inputs;

  // Budgets become resources; each candidate's use of each.
  auto uses = budgetUses(layers, budgets, options.quantize.actBits);
  if (!uses)
    return uses.takeError();
  for (const ResourceUse &u : *uses)
    result.ilp.resources.push_back({u.name, u.budget});

  const std::string key =
      sensitivityCacheKey(module, inputs, result.formats, options);
  const size_t numCosts = layers.size() * result.formats.size();
  std::vector<std::array<double, 3>> cached =
      readSensitivityCache(options.cachePath, key, numCosts);
  result.fromCache = !cached.empty();

  // The float run, keeping every value it computes (up to 1 GB) so that
  // each measurement only re-runs what depends on the quantized layer.
  Expected<std::vector<interp::Tensor>> reference =
      std::vector<interp::Tensor>{};
  llvm::DenseMap<mlir::Value, interp::Tensor> floatValues;
  const bool runs = options.measured || options.hessian;
  const bool reuse = runs && !options.quantize.allActivations;
  if (runs && cached.empty()) {
    double kept = 0;
    reference = interp::runFunction(
        func, inputs, [&](mlir::Value v, const interp::Tensor &t) {
          if (!reuse || kept > (1 << 27))
            return;
          kept += t.data.size();
          floatValues[v] = t;
        });
    if (kept > (1 << 27))
      floatValues.clear();
  }
  if (!reference)
    return reference.takeError();
  if (!reference->empty())
    result.floatOutput = (*reference)[0];
  // The KL of `clone`'s output from the float model's, where `clone` was
  // cloned with `mapping` and differs from the float model only in the
  // forward slice of layer `l`: values upstream come from the float run.
  auto klOfClone = [&](mlir::ModuleOp clone, mlir::IRMapping &mapping,
                       size_t l) -> Expected<double> {
    llvm::SetVector<mlir::Operation *> downstream;
    mlir::getForwardSlice(layers[l].op, &downstream);
    downstream.insert(layers[l].op);
    llvm::DenseMap<mlir::Value, const interp::Tensor *> known;
    for (auto &[value, tensor] : floatValues)
      if (mlir::Operation *def = value.getDefiningOp();
          def && !downstream.contains(def))
        known[mapping.lookup(value)] = &tensor;
    auto outputs =
        interp::runFunction(getMainFunction(clone), inputs, {},
                            [&](mlir::Value v) { return known.lookup(v); });
    if (!outputs)
      return outputs.takeError();
    return meanSoftmaxKL((*reference)[0], (*outputs)[0]);
  };
  // Hutchinson's estimate of the trace of the Hessian of that KL with
  // respect to layer l's weights, by finite differences: at the float
  // weights the KL and its gradient vanish, so for a perturbation s * v
  // (v of random signs) KL ~ s^2 / 2 * v'Hv, and E[v'Hv] = tr(H).
  constexpr int kProbes = 2;
  // `energy` is the sum of the squared weights.
  auto hessianTrace = [&](size_t l, double energy) -> Expected<double> {
    const std::vector<float> &w = layers[l].floatWeights;
    const double step =
        1e-2 * std::sqrt(energy / std::max<size_t>(w.size(), 1));
    if (step == 0)
      return 0.0;
    std::mt19937 rng(12345 + l);
    double sum = 0;
    for (int probe = 0; probe < kProbes; ++probe) {
      std::vector<float> perturbed(w);
      for (float &x : perturbed)
        x += static_cast<float>((rng() & 1) ? step : -step);
      mlir::IRMapping mapping;
      mlir::OwningOpRef<mlir::ModuleOp> clone(
          cast<mlir::ModuleOp>(module->clone(mapping)));
      mlir::Operation *op = mapping.lookup(layers[l].op);
      auto type = cast<mlir::RankedTensorType>(op->getOperand(1).getType());
      mlir::OpBuilder b(op);
      op->setOperand(1, mlir::arith::ConstantOp::create(
                            b, op->getLoc(),
                            mlir::DenseElementsAttr::get(
                                type, ArrayRef<float>(perturbed))));
      auto kl = klOfClone(*clone, mapping, l);
      if (!kl)
        return kl.takeError();
      sum += 2 * *kl / (step * step);
    }
    return sum / kProbes;
  };
  Progress progress("measuring sensitivity", numCosts);
  for (size_t l = 0; l < layers.size(); ++l) {
    mp::Layer layer{layers[l].name, {}};
    double trace = 0, energy = 0;
    if (options.hessian && cached.empty()) {
      for (float x : layers[l].floatWeights)
        energy += double(x) * x;
      auto t = hessianTrace(l, energy);
      if (!t)
        return t.takeError();
      trace = *t;
    }
    for (const CandidateFormat &format : result.formats) {
      std::vector<double> use;
      for (const ResourceUse &u : *uses)
        use.push_back(u.of(layers[l], format));
      if (!cached.empty()) {
        const auto [kl, proxy, hessian] = cached[result.measured.size()];
        result.measured.push_back(kl);
        result.proxy.push_back(proxy);
        if (options.hessian)
          result.hessian.push_back(hessian);
        layer.candidates.push_back({format.name(), std::max(kl, 0.0), use});
        continue;
      }
      // This layer alone in `format`, every other one float.
      mlir::IRMapping mapping;
      mlir::OwningOpRef<mlir::ModuleOp> clone(
          cast<mlir::ModuleOp>(module->clone(mapping)));
      {
        annotateLayer(*clone, layers[l].name, format);
        qc::QCQuantizeOptions q = options.quantize;
        for (size_t other = 0; other < layers.size(); ++other)
          if (other != l)
            q.keepFloat.push_back(layers[other].name);
        mlir::PassManager pm(clone->getContext());
        pm.addPass(qc::createQCQuantize(q));
        if (failed(pm.run(*clone)))
          return error("quantizing " + layers[l].name + " with " +
                       format.name() + " failed");
      }
      // Proxy: the relative weight error, a data-free stand-in for the
      // relative noise the layer adds to its output (noise-to-signal ratios
      // of the layers add up along the network). Weighting it by the
      // layer's share of the weights ranked worse: Spearman 0.48 / 0.72
      // against 0.74 / 0.87 on digits_cnn / fashion_cnn.
      const double proxy =
          weightError(mapping.lookup(layers[l].op), layers[l].floatWeights)
              .value_or(0.0);
      // Hessian estimate: KL ~ 1/2 dW' H dW ~ 1/2 tr(H) / n * ||dW||^2
      // for quantization noise dW spread evenly (HAWQ's sensitivity).
      const double hessian =
          0.5 * trace / std::max(layers[l].weights, 1.0) * proxy * energy;
      double kl = options.hessian ? hessian : proxy;
      if (options.measured) {
        // Values upstream of the layer are the float run's: the ops that
        // compute them are untouched clones of the float model's (the
        // layer's forward slice is everything qc-quantize changes).
        auto measured = klOfClone(*clone, mapping, l);
        if (!measured)
          return measured.takeError();
        kl = *measured;
      }
      result.measured.push_back(kl);
      result.proxy.push_back(proxy);
      if (options.hessian)
        result.hessian.push_back(hessian);
      layer.candidates.push_back({format.name(), std::max(kl, 0.0), use});
      progress.update(result.measured.size());
    }
    result.ilp.layers.push_back(std::move(layer));
  }
  if (!options.cachePath.empty() && cached.empty())
    if (Error e = writeSensitivityCache(options.cachePath, key, result))
      return std::move(e);
  return result;
}

Expected<mp::Allocation> chooseAllocation(mlir::ModuleOp module,
                                          MixedPrecisionProblem &problem,
                                          const mp::Problem &ilp,
                                          const SensitivityOptions &options,
                                          double &ilpSeconds, raw_ostream *log,
                                          ArrayRef<std::vector<int>> also) {
  auto cbc = mp::createCbcSolver();
  const auto start = std::chrono::steady_clock::now();
  auto optimum = cbc->solve(ilp);
  ilpSeconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start)
          .count();
  if (!optimum || options.refine <= 1 ||
      !(problem.wasMeasured || problem.byHessian))
    return optimum;
  // The ILP's next best allocations by measured sensitivity, and its best
  // by the data-free proxy (a second, differently biased estimate of the
  // same loss), all under the same budgets.
  mp::Problem rest = ilp;
  rest.excluded.push_back(optimum->choice);
  std::vector<mp::Allocation> candidates = {*optimum};
  const std::string kind = problem.byHessian ? "hessian" : "measured";
  std::vector<std::string> sources = {kind};
  auto others = mp::solveBest(*cbc, rest, options.refine - 1);
  if (others) {
    llvm::append_range(candidates, *others);
    sources.resize(candidates.size(), kind);
  } else {
    consumeError(others.takeError()); // the optimum is the only allocation
  }
  mp::Problem byProxy = ilp;
  for (size_t l = 0; l < byProxy.layers.size(); ++l)
    for (size_t f = 0; f < byProxy.layers[l].candidates.size(); ++f)
      byProxy.layers[l].candidates[f].cost =
          problem.proxy[l * problem.formats.size() + f];
  byProxy.excluded.clear();
  for (const mp::Allocation &a : candidates)
    byProxy.excluded.push_back(a.choice);
  auto proxyBest = mp::solveBest(*cbc, byProxy, options.refine);
  if (proxyBest) {
    for (mp::Allocation &a : *proxyBest) {
      // Costs and uses under the measured sensitivities.
      candidates.push_back(mp::evaluate(ilp, a.choice));
      sources.push_back("proxy");
    }
  } else {
    consumeError(proxyBest.takeError());
  }
  for (const std::vector<int> &choice : also) {
    mp::Allocation a = mp::evaluate(ilp, choice);
    const bool fits =
        llvm::all_of(llvm::seq<size_t>(0, ilp.resources.size()), [&](size_t r) {
          return a.used[r] <= ilp.resources[r].budget;
        });
    if (fits && llvm::none_of(candidates, [&](const mp::Allocation &c) {
          return c.choice == choice;
        })) {
      candidates.push_back(std::move(a));
      sources.push_back("given");
    }
  }
  if (candidates.size() == 1)
    return optimum;
  mlir::func::FuncOp func = getMainFunction(module);
  if (!problem.floatOutput) {
    auto reference = interp::runFunction(func, problem.samples);
    if (!reference)
      return reference.takeError();
    problem.floatOutput = (*reference)[0];
  }
  size_t best = 0;
  std::vector<double> joint;
  for (const mp::Allocation &a : candidates) {
    mlir::OwningOpRef<mlir::ModuleOp> clone(module.clone());
    if (Error e = applyAllocation(*clone, problem, a, options.quantize))
      return std::move(e);
    auto outputs =
        interp::runFunction(getMainFunction(*clone), problem.samples);
    if (!outputs)
      return outputs.takeError();
    joint.push_back(meanSoftmaxKL(*problem.floatOutput, (*outputs)[0]));
    if (joint.back() < joint[best])
      best = joint.size() - 1;
  }
  if (log) {
    *log << format("refinement: the ILP's best %zu allocations by %s "
                   "sensitivity and by the proxy, run jointly on %lld "
                   "samples:\n",
                   candidates.size(), kind.c_str(),
                   static_cast<long long>(problem.samples[0].shape[0]));
    for (size_t i = 0; i < candidates.size(); ++i) {
      std::string formats;
      for (size_t l = 0; l < problem.layers.size(); ++l)
        formats +=
            (l ? "," : "") + problem.formats[candidates[i].choice[l]].name();
      *log << format("  %s%2zu (%-8s): predicted KL %.3e, joint KL %.3e "
                     "[%s]\n",
                     i == best ? "*" : " ", i + 1, sources[i].c_str(),
                     candidates[i].cost, joint[i], formats.c_str());
    }
  }
  return candidates[best];
}

void annotateAllocation(mlir::ModuleOp module,
                        const MixedPrecisionProblem &problem,
                        const mp::Allocation &allocation) {
  for (size_t l = 0; l < problem.layers.size(); ++l)
    annotateLayer(module, problem.layers[l].name,
                  problem.formats[allocation.choice[l]]);
}

Error applyAllocation(mlir::ModuleOp module,
                      const MixedPrecisionProblem &problem,
                      const mp::Allocation &allocation,
                      const qc::QCQuantizeOptions &options) {
  annotateAllocation(module, problem, allocation);
  mlir::PassManager pm(module.getContext());
  pm.addPass(qc::createQCQuantize(options));
  if (failed(pm.run(module)))
    return createStringError(inconvertibleErrorCode(),
                             "quantizing with the chosen formats failed");
  return Error::success();
}

} // namespace qcc::quantization
