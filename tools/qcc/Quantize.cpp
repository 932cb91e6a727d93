//===- Quantize.cpp - qcc quantize: calibrate, quantize, report -----------===//
//
//   1. load the float model, fold BatchNorm (qc-fold-batch-norm);
//   2. calibrate: run the model on the calibration set batch by batch and
//      stream the statistics of every activation a linear layer reads into
//      an Observer (bounded memory), then record each activation's clipping
//      range (by --calib-method) in the IR as `qc.act_range`;
//   3. quantize (qc-quantize): integer weights, QDQ activations;
//   4. report: per quantized layer its formats and the SQNR of its output
//      against the float model on the calibration set, worst first.
//
//===----------------------------------------------------------------------===//

#include "Driver.h"
#include "MixedPrecision.h"

#include "qcc/Calibration/Observer.h"
#include "qcc/Calibration/WeightRounding.h"
#include "qcc/Dialect/QC/IR/QCConstants.h"
#include "qcc/Dialect/QC/IR/QCOps.h"
#include "qcc/Dialect/QC/Transforms/Passes.h"
#include "qcc/Export/ONNX.h"
#include "qcc/Numerics/Packing.h"
#include "qcc/Runtime/CompiledModel.h"
#include "qcc/Target/CPU/Compile.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Quant/IR/QuantTypes.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/IRMapping.h"
#include "mlir/IR/TypeUtilities.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Support/FileUtilities.h"
#include "mlir/Transforms/Passes.h"
#include "llvm/ADT/MapVector.h"
#include "llvm/ADT/ScopeExit.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Format.h"
#include "llvm/Support/JSON.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/ToolOutputFile.h"

#include <chrono>
#include <cmath>

using namespace llvm;

namespace qcc::driver {

cl::SubCommand quantizeCommand(
    "quantize", "Post-training quantization: calibrate on a data set, "
                "quantize weights and activations, report per-layer SQNR");
static cl::opt<std::string> model(cl::Positional, cl::Required,
                                  cl::desc("<model.onnx|model.mlir>"),
                                  cl::sub(quantizeCommand), cl::cat(qccCategory));
static cl::list<std::string>
    calibFiles("calib",
               cl::desc("Calibration data: one .npy per model input, or one "
                        ".npz with an array per input (batch dimension first)"),
               cl::value_desc("file"), cl::OneOrMore, cl::sub(quantizeCommand),
               cl::cat(qccCategory));
static cl::opt<std::string> output("o", cl::desc("Quantized model (.mlir)"),
                                   cl::value_desc("file"), cl::Required,
                                   cl::sub(quantizeCommand),
                                   cl::cat(qccCategory));
static cl::opt<std::string> reportFile(
    "report", cl::desc("Also write the report as JSON to this file"),
    cl::value_desc("file.json"), cl::init(""), cl::sub(quantizeCommand),
    cl::cat(qccCategory));
static cl::opt<std::string> methodName(
    "calib-method",
    cl::desc("Activation clipping: minmax, percentile, mse or entropy"),
    cl::init("minmax"), cl::sub(quantizeCommand), cl::cat(qccCategory));
static cl::opt<double> percentile(
    "percentile", cl::desc("Percentile kept by --calib-method=percentile"),
    cl::init(99.99), cl::sub(quantizeCommand), cl::cat(qccCategory));
static cl::opt<std::string> weightFormat(
    "weights",
    cl::desc("Weight format: int2 .. int16 (symmetric), a low-bit float "
             "with per-channel scales: fp8e4m3, fp8e5m2, fp6e3m2, fp6e2m3, "
             "fp4e2m1, or block-scaled along the input channels: mxfp8, "
             "mxfp6, mxfp4 (OCP MX, E8M0 scale per 32), nvfp4 (E4M3 scale "
             "per 16 and a tensor scale)"),
    cl::init("int8"), cl::sub(quantizeCommand), cl::cat(qccCategory));
static cl::opt<std::string> actFormat(
    "acts",
    cl::desc("Activation format: int2 .. int16, or none (weight-only "
             "quantization: activations stay float32, no calibration run; "
             "compiled matrix products then read packed weights directly)"),
    cl::init("int8"), cl::sub(quantizeCommand), cl::cat(qccCategory));
static cl::opt<bool> asymmetricWeights(
    "asymmetric-weights",
    cl::desc("Integer weights with a zero point per channel or group (the "
             "full signed range spans each one's [min, max]; e.g. "
             "asymmetric per-group int4 with --weight-group-size 128). "
             "Default: symmetric, zero point 0"),
    cl::sub(quantizeCommand), cl::cat(qccCategory));
static cl::opt<bool> perTensor(
    "per-tensor-weights",
    cl::desc("One weight scale per tensor (default: per output channel)"),
    cl::init(false), cl::sub(quantizeCommand), cl::cat(qccCategory));
static cl::opt<std::string> weightClipping(
    "weight-clipping",
    cl::desc("Weight scales: absmax (default) or mse (per channel or group, "
             "the clipping that minimises the weights' quantization error; "
             "for FP8/FP6/FP4 weights the scale search that sets the "
             "format's clipping value and exponent bias, as LLM-FP4)"),
    cl::init("absmax"), cl::sub(quantizeCommand), cl::cat(qccCategory));
static cl::opt<bool> symmetricActs(
    "symmetric-acts",
    cl::desc("Symmetric activations (zero point 0; default: asymmetric)"),
    cl::init(false), cl::sub(quantizeCommand), cl::cat(qccCategory));
static cl::list<std::string> keepFloat(
    "keep-float",
    cl::desc("Leave these layers in float: node names or op names "
             "(e.g. qc.gemm); repeatable or comma-separated"),
    cl::CommaSeparated, cl::sub(quantizeCommand), cl::cat(qccCategory));
static cl::opt<int64_t> weightGroupSize(
    "weight-group-size",
    cl::desc("Integer weights: one scale per group of this many input "
             "channels (e.g. 32, 64, 128); 0 (default): per output channel"),
    cl::init(0), cl::sub(quantizeCommand), cl::cat(qccCategory));
static cl::opt<std::string> calibratedOutput(
    "calibrated-output",
    cl::desc("Also write the calibrated float model (ranges in "
             "qc.act_range attributes): `qopt -qc-quantize=...` re-quantizes "
             "it with other options without calibrating again"),
    cl::value_desc("file.mlir"), cl::init(""), cl::sub(quantizeCommand),
    cl::cat(qccCategory));
static cl::opt<bool> equalize(
    "equalize",
    cl::desc("Cross-layer equalization of conv -> relu -> [maxpool ->] conv "
             "chains before calibration (data-free quantization)"),
    cl::init(false), cl::sub(quantizeCommand), cl::cat(qccCategory));
static cl::opt<bool> optimizeRounding(
    "optimize-rounding",
    cl::desc("Layer-wise weight rounding optimisation (AdaRound-style): "
             "choose floor or ceil per weight to minimise each layer's "
             "output error on the calibration set"),
    cl::init(false), cl::sub(quantizeCommand), cl::cat(qccCategory));
static cl::opt<bool> int32Bias(
    "int32-bias",
    cl::desc("Quantize the biases of quantized conv/gemm layers to int32 at "
             "scale s_x * s_w (as integer code adds them); applied after "
             "rounding optimisation and bias correction"),
    cl::init(false), cl::sub(quantizeCommand), cl::cat(qccCategory));
static cl::opt<bool> biasCorrection(
    "bias-correction",
    cl::desc("Empirical bias correction: shift each quantized conv/gemm's "
             "bias by its mean output error on the calibration set"),
    cl::init(false), cl::sub(quantizeCommand), cl::cat(qccCategory));
static cl::opt<int64_t> sqnrSamples(
    "sqnr-samples",
    cl::desc("Measure the report's per-layer SQNR on at most this many "
             "calibration samples (the reference interpreter runs the float "
             "and the quantized model on them; default 256, 0: all)"),
    cl::init(256), cl::sub(quantizeCommand), cl::cat(qccCategory));
static cl::opt<std::string> calibrateWith(
    "calibrate-with",
    cl::desc("How calibration runs the float model: compiled (native code "
             "from the CPU code generator, with every observed activation as "
             "an extra output; falls back to the interpreter, with a note, "
             "for ops code generation lacks), interpreter (the reference "
             "interpreter, one op at a time in double precision), or auto "
             "(default: compiled when interpreting the calibration set, at "
             "about 1e9 multiply-adds/s, would take longer than building "
             "the code, about 2 s plus 0.5 s per MB of weights)"),
    cl::init("auto"), cl::sub(quantizeCommand), cl::cat(qccCategory));
static cl::opt<bool> integerOnly(
    "integer-only",
    cl::desc("Integer-only inference: calibrate and quantize every activation "
             "integer code stores (layer outputs, sums, pooled values), "
             "quantize biases to int32 and lower the model to integer ops "
             "with dyadic rescales (qc-lower-to-integer); ops without an "
             "integer form stay float islands and are listed"),
    cl::sub(quantizeCommand), cl::cat(qccCategory));

static cl::opt<std::string> exportOnnx(
    "export-onnx",
    cl::desc("Also write the quantized model as a standard QDQ ONNX model"),
    cl::value_desc("file.onnx"), cl::init(""), cl::sub(quantizeCommand),
    cl::cat(qccCategory));
static cl::opt<int64_t> batchSize("batch-size",
                                  cl::desc("Calibration samples per run"),
                                  cl::init(32), cl::sub(quantizeCommand),
                                  cl::cat(qccCategory));
static cl::opt<bool> mixedPrecision(
    "mixed-precision",
    cl::desc("Choose each layer's weight format among --candidates by "
             "measured sensitivity and an integer linear program under the "
             "budgets given (--avg-bits, --size-budget, --bops-budget, "
             "--cpu-latency-budget, --fpga-lut-budget, --fpga-dsp-budget); see "
             "qcc allocate"),
    cl::sub(quantizeCommand), cl::cat(qccCategory));
static MixedPrecisionFlags mixedPrecisionFlags(quantizeCommand);

namespace {

/// An op's output as integer code produces it: after the Add of a constant
/// bias (MatMul) and a ReLU or Clip that are its only users (fused into the
/// integer op).
mlir::Value activationOutput(mlir::Operation *op) {
  mlir::Value v = op->getResult(0);
  auto onlyUser = [](mlir::Value v) {
    return v.hasOneUse() ? *v.getUsers().begin() : nullptr;
  };
  if (auto add = dyn_cast_or_null<qc::AddOp>(onlyUser(v));
      add && isa<qc::MatMulOp>(op) && add.getLhs() == v &&
      add.getRhs().getDefiningOp<mlir::arith::ConstantOp>())
    v = add.getResult();
  if (isa_and_nonnull<qc::ReluOp, qc::ClipOp>(onlyUser(v)))
    v = onlyUser(v)->getResult(0);
  return v;
}

/// The activations calibration observes: those the quantized layers read,
/// and with --integer-only also the outputs of layers, additions and average
/// pooling and the inputs of additions and pooling (every value integer code
/// stores).
llvm::SetVector<mlir::Value> observedActivations(mlir::func::FuncOp func) {
  llvm::SetVector<mlir::Value> values;
  auto observe = [&](mlir::Value v) {
    if (!v.getDefiningOp<mlir::arith::ConstantOp>() &&
        isa<mlir::FloatType>(mlir::getElementTypeOrSelf(v.getType())))
      values.insert(v);
  };
  func.walk([&](mlir::Operation *op) {
    if (qc::isKeptFloat(op, keepFloat))
      return;
    if (qc::isWeightedLayer(op)) {
      observe(op->getOperand(0));
      if (isa<qc::MatMulOp>(op))
        observe(op->getOperand(1));
      if (integerOnly)
        observe(activationOutput(op));
    } else if (integerOnly &&
               isa<qc::AddOp, qc::GlobalAvgPoolOp, qc::AvgPoolOp>(op)) {
      // Additions of two activations; a constant's is a MatMul's bias.
      if (llvm::any_of(op->getOperands(), [](mlir::Value v) {
            return v.getDefiningOp<mlir::arith::ConstantOp>();
          }))
        return;
      for (mlir::Value operand : op->getOperands())
        observe(operand);
      observe(activationOutput(op));
    }
  });
  return values;
}

/// Checks the calibration arrays against @main's arguments.
Error checkCalibrationData(mlir::func::FuncOp func,
                           ArrayRef<NpyArray> arrays) {
  int64_t samples = -1;
  for (auto [i, array] : llvm::enumerate(arrays)) {
    auto type = cast<mlir::RankedTensorType>(func.getArgument(i).getType());
    const std::string name = valueName(func, i, false);
    std::string expected = typeString(type);
    if (static_cast<int64_t>(array.shape.size()) != type.getRank())
      return createStringError(inconvertibleErrorCode(),
                               "calibration array for '" + name + "' has rank " +
                                   Twine(array.shape.size()) +
                                   " but the model expects " + expected);
    for (int64_t d = 1; d < type.getRank(); ++d)
      if (!type.isDynamicDim(d) && type.getDimSize(d) != array.shape[d])
        return createStringError(
            inconvertibleErrorCode(),
            "calibration array for '" + name + "' has dimension " + Twine(d) +
                " of size " + Twine(array.shape[d]) +
                " but the model expects " + expected);
    if (array.shape[0] == 0)
      return createStringError(inconvertibleErrorCode(),
                               "calibration array for '" + name +
                                   "' is empty");
    if (samples >= 0 && array.shape[0] != samples)
      return createStringError(inconvertibleErrorCode(),
                               "calibration arrays differ in sample count");
    samples = array.shape[0];
    std::vector<double> values = array.toDoubles();
    for (size_t k = 0; k < values.size(); ++k)
      if (!std::isfinite(values[k]))
        return createStringError(
            inconvertibleErrorCode(),
            "calibration array for '" + name + "' holds a non-finite value (" +
                std::to_string(values[k]) + ") at flat index " + Twine(k));
  }
  return Error::success();
}

/// Runs `func` over the calibration set in batches, calling `observer` on
/// every value.
Error runBatches(mlir::func::FuncOp func,
                 const std::vector<interp::Tensor> &inputs, StringRef label,
                 interp::ValueObserver observer) {
  return forEachBatch(inputs, batchSize, label,
                      [&](const std::vector<interp::Tensor> &batch) -> Error {
                        auto outputs =
                            interp::runFunction(func, batch, observer);
                        return outputs ? Error::success()
                                       : outputs.takeError();
                      });
}

/// Runs the float and the quantized function batch by batch and calls
/// `compare(layer name, float output, quantized output)` for every layer
/// output of the batch: memory stays bounded by one batch.
Error compareLayers(mlir::func::FuncOp floatFunc, mlir::func::FuncOp quantFunc,
                    const std::vector<interp::Tensor> &inputs, StringRef label,
                    function_ref<void(const std::string &, const interp::Tensor &,
                                      const interp::Tensor &)>
                        compare) {
  auto compareBatch = [&](const std::vector<interp::Tensor> &batch) -> Error {
    llvm::StringMap<interp::Tensor> floatOutputs;
    auto collectFloat = [&](mlir::Value v, const interp::Tensor &t) {
      if (mlir::Operation *op = v.getDefiningOp();
          op && qc::isWeightedLayer(op))
        floatOutputs[qc::getNodeName(op)] = t;
    };
    auto compareQuant = [&](mlir::Value v, const interp::Tensor &t) {
      mlir::Operation *op = v.getDefiningOp();
      if (!op || !qc::isWeightedLayer(op))
        return;
      auto it = floatOutputs.find(qc::getNodeName(op));
      if (it != floatOutputs.end() && it->second.data.size() == t.data.size())
        compare(it->first().str(), it->second, t);
    };
    if (auto out = interp::runFunction(floatFunc, batch, collectFloat); !out)
      return out.takeError();
    if (auto out = interp::runFunction(quantFunc, batch, compareQuant); !out)
      return out.takeError();
    return Error::success();
  };
  return forEachBatch(inputs, batchSize, label, compareBatch);
}

/// Empirical bias correction (Nagel et al., "Data-Free Quantization", the
/// empirical variant): layer by layer in graph order, the mean error of the
/// quantized layer's output per output channel over the calibration set is
/// added to its bias, so that the quantized layer is unbiased given the
/// (already corrected) quantized layers before it.
Error correctBiases(mlir::func::FuncOp floatFunc, mlir::func::FuncOp quantFunc,
                    const std::vector<interp::Tensor> &inputs,
                    llvm::StringMap<std::vector<double>> &corrections) {
  SmallVector<mlir::Operation *> layersInOrder;
  quantFunc.walk([&](mlir::Operation *op) {
    if (isa<qc::ConvOp, qc::GemmOp>(op) &&
        op->getOperand(1).getDefiningOp<qc::DequantizeOp>())
      layersInOrder.push_back(op);
  });
  for (mlir::Operation *op : layersInOrder) {
    const std::string name = qc::getNodeName(op);
    auto outType = cast<mlir::RankedTensorType>(op->getResult(0).getType());
    const int64_t channelAxis = isa<qc::ConvOp>(op) ? 1 : outType.getRank() - 1;
    const int64_t channels = outType.getDimSize(channelAxis);
    if (mlir::ShapedType::isDynamic(channels))
      continue;
    std::vector<double> errorSum(channels, 0.0);
    int64_t perChannelCount = 0;
    if (auto error = compareLayers(
            floatFunc, quantFunc, inputs, ("bias correction of " + name),
            [&](const std::string &layer, const interp::Tensor &f,
                const interp::Tensor &q) {
              if (layer != name)
                return;
              int64_t inner = 1;
              for (int64_t d = channelAxis + 1; d < f.rank(); ++d)
                inner *= f.shape[d];
              for (size_t k = 0; k < f.data.size(); ++k)
                errorSum[(k / inner) % channels] += f.data[k] - q.data[k];
              perChannelCount += f.numElements() / channels;
            }))
      return error;
    if (perChannelCount == 0)
      continue;
    // The bias operand: conv operand 2, gemm's C (a vector, beta applied).
    const unsigned biasIndex = 2;
    std::vector<double> bias(channels, 0.0);
    double biasScale = 1.0;
    if (auto gemm = dyn_cast<qc::GemmOp>(op))
      biasScale = gemm.getBeta().convertToDouble();
    if (op->getNumOperands() > biasIndex) {
      auto values = qc::getF32Constant(op->getOperand(biasIndex));
      auto biasType =
          cast<mlir::RankedTensorType>(op->getOperand(biasIndex).getType());
      if (!values || biasType.getRank() != 1 ||
          (biasType.getDimSize(0) != channels && biasType.getDimSize(0) != 1))
        continue;
      for (int64_t c = 0; c < channels; ++c)
        bias[c] = (*values)[values->size() == 1 ? 0 : c];
    } else if (isa<qc::GemmOp>(op)) {
      biasScale = 1.0; // A new C with beta 1 below.
    }
    if (biasScale == 0)
      continue;
    std::vector<double> &delta = corrections[name];
    for (int64_t c = 0; c < channels; ++c) {
      delta.push_back(errorSum[c] / perChannelCount / biasScale);
      bias[c] += delta.back();
    }
    mlir::OpBuilder b(op);
    mlir::Value newBias = qc::createConstant(
        b, op->getLoc(),
        mlir::RankedTensorType::get({channels}, b.getF32Type()), bias,
        name + "_bias_corrected");
    if (op->getNumOperands() > biasIndex) {
      op->setOperand(biasIndex, newBias);
    } else if (auto conv = dyn_cast<qc::ConvOp>(op)) {
      conv.getBiasMutable().assign(newBias);
    } else if (auto gemm = dyn_cast<qc::GemmOp>(op)) {
      gemm.getCMutable().assign(newBias);
      gemm.setBetaAttr(b.getF32FloatAttr(1.0f));
    }
  }
  return Error::success();
}

/// Layer-wise weight rounding (AdaRound-style, see WeightRounding.h): for
/// every integer-quantized conv (2-d), gemm and constant-weight matmul, the
/// second moment of its input vectors (im2col patches for convs, one per
/// group) is accumulated over the calibration set on the quantized model,
/// and each output channel's weights are re-rounded to minimise the
/// layer's output error. Returns the number of layers re-rounded.
Expected<int> optimizeWeightRounding(mlir::func::FuncOp floatFunc,
                                     mlir::func::FuncOp quantFunc,
                                     const std::vector<interp::Tensor> &inputs) {
  struct Layer {
    mlir::Operation *op;
    std::vector<float> weights;       // float weights, original layout
    mlir::arith::ConstantOp codes;    // the integer weights to rewrite
    mlir::Type quantType;             // their !quant.uniform type
    int64_t channels, k, groups = 1;  // K: inputs per output channel
    std::vector<calib::SecondMoment> moments; // one per group
  };
  llvm::StringMap<std::vector<float>> floatWeights;
  floatFunc.walk([&](mlir::Operation *op) {
    if (qc::isWeightedLayer(op) && op->getNumOperands() > 1)
      if (auto w = qc::getF32Constant(op->getOperand(1)))
        floatWeights[qc::getNodeName(op)] = std::move(*w);
  });
  std::vector<Layer> layers;
  llvm::DenseMap<mlir::Value, std::vector<size_t>> readers;
  quantFunc.walk([&](mlir::Operation *op) {
    if (!isa<qc::ConvOp, qc::GemmOp, qc::MatMulOp>(op))
      return;
    auto dq = op->getOperand(1).getDefiningOp<qc::DequantizeOp>();
    auto cast = dq ? dq.getInput().getDefiningOp<qc::StorageCastOp>() : nullptr;
    auto codes = cast ? cast.getInput().getDefiningOp<mlir::arith::ConstantOp>()
                      : nullptr;
    auto it = floatWeights.find(qc::getNodeName(op));
    if (!codes || it == floatWeights.end() ||
        !isa<mlir::quant::QuantizedType>(
            cast.getOutput().getType().getElementType()))
      return;
    auto wType = cast.getOutput().getType();
    Layer l{op, it->second, codes, wType.getElementType(), 0, 0, 1, {}};
    if (auto conv = dyn_cast<qc::ConvOp>(op)) {
      if (wType.getRank() != 4)
        return;
      l.channels = wType.getDimSize(0);
      l.k = wType.getDimSize(1) * wType.getDimSize(2) * wType.getDimSize(3);
      l.groups = conv.getGroup();
    } else if (auto gemm = dyn_cast<qc::GemmOp>(op)) {
      if (gemm.getTransA())
        return;
      l.channels = wType.getDimSize(gemm.getTransB() ? 0 : 1);
      l.k = wType.getDimSize(gemm.getTransB() ? 1 : 0);
    } else {
      if (wType.getRank() != 2)
        return;
      l.channels = wType.getDimSize(1);
      l.k = wType.getDimSize(0);
    }
    if (l.k > 4096)
      return; // K^2 statistics would be too large.
    for (int64_t g = 0; g < l.groups; ++g)
      l.moments.emplace_back(l.k);
    readers[op->getOperand(0)].push_back(layers.size());
    layers.push_back(std::move(l));
  });

  // Accumulate the input second moments on the quantized model.
  std::vector<double> patch;
  auto observe = [&](mlir::Value v, const interp::Tensor &t) {
    auto it = readers.find(v);
    if (it == readers.end())
      return;
    for (size_t index : it->second) {
      Layer &l = layers[index];
      if (auto conv = dyn_cast<qc::ConvOp>(l.op)) {
        if (t.rank() != 4)
          continue;
        const int64_t n = t.shape[0], c = t.shape[1], ih = t.shape[2],
                      iw = t.shape[3];
        auto w = conv.getWeight().getType();
        const int64_t cg = w.getDimSize(1), kh = w.getDimSize(2),
                      kw = w.getDimSize(3);
        auto st = conv.getStrides(), pd = conv.getPads(),
             dl = conv.getDilations();
        const int64_t oh = (ih + pd[0] + pd[2] - dl[0] * (kh - 1) - 1) / st[0] + 1;
        const int64_t ow = (iw + pd[1] + pd[3] - dl[1] * (kw - 1) - 1) / st[1] + 1;
        patch.assign(l.k, 0.0);
        for (int64_t b = 0; b < n; ++b)
          for (int64_t g = 0; g < l.groups; ++g)
            for (int64_t y = 0; y < oh; ++y)
              for (int64_t x = 0; x < ow; ++x) {
                int64_t p = 0;
                for (int64_t ci = 0; ci < cg; ++ci)
                  for (int64_t ky = 0; ky < kh; ++ky)
                    for (int64_t kx = 0; kx < kw; ++kx, ++p) {
                      const int64_t yy = y * st[0] - pd[0] + ky * dl[0];
                      const int64_t xx = x * st[1] - pd[1] + kx * dl[1];
                      patch[p] = (yy < 0 || yy >= ih || xx < 0 || xx >= iw)
                                     ? 0.0
                                     : t.data[((b * c + g * cg + ci) * ih + yy) *
                                                  iw +
                                              xx];
                    }
                l.moments[g].add(patch.data());
              }
      } else {
        // Rows of the (row-major) input: the last dimension is K.
        for (size_t row = 0; row + l.k <= t.data.size(); row += l.k)
          l.moments[0].add(&t.data[row]);
      }
    }
  };
  if (auto error = runBatches(quantFunc, inputs, "weight rounding", observe))
    return std::move(error);

  int rewritten = 0;
  for (Layer &l : layers) {
    auto q = cast<mlir::quant::QuantizedType>(l.quantType);
    // Index of weight (channel m, position j) in the original layout.
    std::function<size_t(int64_t, int64_t)> indexOf =
        [&](int64_t m, int64_t j) -> size_t { return m * l.k + j; };
    if (auto gemm = dyn_cast<qc::GemmOp>(l.op); gemm && !gemm.getTransB())
      indexOf = [&](int64_t m, int64_t j) -> size_t {
        return j * l.channels + m;
      };
    if (isa<qc::MatMulOp>(l.op))
      indexOf = [&](int64_t m, int64_t j) -> size_t {
        return j * l.channels + m;
      };
    // The scale and zero point of each weight (per tensor, channel or
    // group).
    auto params = qc::QuantParams::get(
        l.quantType,
        cast<mlir::RankedTensorType>(l.codes.getType()).getShape());
    if (!params) {
      consumeError(params.takeError());
      continue;
    }
    auto oldCodes = interp::decodeConstant(
        cast<mlir::ElementsAttr>(l.codes.getValue()));
    if (!oldCodes)
      return oldCodes.takeError();
    std::vector<double> newCodes = oldCodes->data;
    const int64_t perConvGroup = l.channels / l.groups;
    for (int64_t m = 0; m < l.channels; ++m) {
      std::vector<double> w(l.k), scales(l.k);
      std::vector<int64_t> zeroPoints(l.k);
      for (int64_t j = 0; j < l.k; ++j) {
        w[j] = l.weights[indexOf(m, j)];
        const qc::QuantParams::Element p = params->at(indexOf(m, j));
        scales[j] = p.scale;
        zeroPoints[j] = p.zeroPoint;
      }
      std::vector<int64_t> codes = calib::optimizeRounding(
          w, scales, zeroPoints, q.getStorageTypeMin(), q.getStorageTypeMax(),
          l.moments[m / perConvGroup]);
      for (int64_t j = 0; j < l.k; ++j)
        newCodes[indexOf(m, j)] = static_cast<double>(codes[j]);
    }
    mlir::OpBuilder b(l.codes);
    mlir::Value replacement = qc::createConstant(
        b, l.codes.getLoc(), cast<mlir::RankedTensorType>(l.codes.getType()),
        newCodes, qc::getNodeName(l.op) + "_rounded");
    l.codes.getResult().replaceAllUsesWith(replacement);
    l.codes.erase();
    ++rewritten;
  }
  return rewritten;
}

/// A quantized tensor's format, for the report.
std::string formatOf(mlir::Type type) {
  if (auto f = dyn_cast<qc::ScaledFloatType>(type))
    return typeString(f.getStorageType()) +
           (f.isPerAxis() ? " per-channel" : "");
  auto q = dyn_cast<mlir::quant::QuantizedType>(type);
  if (!q)
    return typeString(type);
  std::string s = (q.isSigned() ? "int" : "uint") +
                  std::to_string(q.getStorageTypeIntegralWidth());
  if (isa<mlir::quant::UniformQuantizedPerAxisType>(q))
    s += " per-channel";
  if (auto group = dyn_cast<mlir::quant::UniformQuantizedSubChannelType>(q))
    s += " per-group(" + std::to_string(group.getBlockSizes().back()) + ")";
  return s;
}

std::string formatDouble(double v) {
  char buffer[32];
  std::snprintf(buffer, sizeof(buffer), "%.4g", v);
  return buffer;
}

struct LayerReport {
  std::string name, op, weightFormat, actFormat;
  std::vector<double> weightScales;
  double actScale = 0;
  int64_t actZeroPoint = 0;
  double rangeLo = 0, rangeHi = 0;
  bool hasAct = false;
  int64_t weightBytes = 0, floatWeightBytes = 0; // storage, and as f32
  double signal = 0, noise = 0;
  double sqnr() const {
    return noise == 0 ? INFINITY : 10 * std::log10(signal / noise);
  }
};

} // namespace

/// Bytes a layer's weight operand takes in storage: packed codes (rows per
/// output channel, as qc-pack-weights lays them out) plus f32 scales and
/// int8 zero points (when any is not 0); block-scaled weights
/// (qc.block_weights): codes plus one scale byte per block (and NVFP4's f32
/// tensor scale); f32 weights 4 bytes each. Also returns the f32 size.
std::pair<int64_t, int64_t> weightStorageBytes(mlir::Operation *op) {
  if (op->getNumOperands() < 2)
    return {0, 0};
  mlir::Value w = op->getOperand(1);
  auto type = dyn_cast<mlir::RankedTensorType>(w.getType());
  if (!type || !type.hasStaticShape())
    return {0, 0};
  const int64_t elements = type.getNumElements();
  const int64_t asFloat = 4 * elements;
  if (auto block = op->getAttrOfType<mlir::StringAttr>("qc.block_weights"))
    if (auto format = numerics::parseBlockFormat(block.getValue())) {
      const unsigned bits =
          numerics::getMinifloatFormat(format->elementKind).bits();
      const int64_t blocks = (elements + format->blockSize - 1) /
                             static_cast<int64_t>(format->blockSize);
      const bool nv = format->scaleKind == numerics::MinifloatKind::F8E4M3FN;
      return {(elements * bits + 7) / 8 + blocks + (nv ? 4 : 0), asFloat};
    }
  auto dq = w.getDefiningOp<qc::DequantizeOp>();
  if (!dq)
    return {qc::getF32Constant(w) ? asFloat : 0, asFloat};
  mlir::Type quantized = dq.getInput().getType().getElementType();
  const int64_t channel = qc::getWeightChannelAxis(op);
  const int64_t rows =
      channel >= 0 && channel < type.getRank() ? type.getDimSize(channel) : 1;
  const int64_t rowLength = elements / std::max<int64_t>(rows, 1);
  unsigned bits = 8;
  if (auto q = dyn_cast<mlir::quant::QuantizedType>(quantized))
    bits = q.getStorageTypeIntegralWidth();
  else if (auto f = dyn_cast<qc::ScaledFloatType>(quantized))
    bits = f.getStorageType().getWidth();
  int64_t bytes = bits <= 8
                      ? rows * static_cast<int64_t>(
                                   numerics::packedRowBytes(bits, rowLength))
                      : elements * ((bits + 7) / 8);
  std::vector<int64_t> zeroPoints;
  int64_t scales = 1;
  if (auto t = dyn_cast<mlir::quant::UniformQuantizedPerAxisType>(quantized)) {
    scales = t.getScales().size();
    zeroPoints.assign(t.getZeroPoints().begin(), t.getZeroPoints().end());
  } else if (auto t = dyn_cast<mlir::quant::UniformQuantizedSubChannelType>(
                 quantized)) {
    scales = t.getScales().getNumElements();
    for (const llvm::APInt &z : t.getZeroPoints().getValues<llvm::APInt>())
      zeroPoints.push_back(z.getSExtValue());
  } else if (auto t = dyn_cast<mlir::quant::UniformQuantizedType>(quantized)) {
    zeroPoints.push_back(t.getZeroPoint());
  } else if (auto t = dyn_cast<qc::ScaledFloatType>(quantized)) {
    scales = t.getScales().size();
  }
  bytes += 4 * scales;
  if (llvm::any_of(zeroPoints, [](int64_t z) { return z != 0; }))
    bytes += static_cast<int64_t>(zeroPoints.size());
  return {bytes, asFloat};
}

/// Multiply-adds of one sample through the convolutions and matrix products
/// (dimension 0 is the batch).
double macsPerSample(mlir::func::FuncOp func) {
  double macs = 0;
  func.walk(
      [&](mlir::Operation *op) { macs += qc::getMultiplyAddsPerSample(op); });
  return macs;
}

/// Calibration through compiled code: the float model, with each observed
/// value as an extra result, compiled to a shared library in a temporary
/// directory and run on the calibration set batch by batch; each extra
/// output streams into its observer. Fails (for the interpreter to take
/// over) when code generation does not support the model.
Error calibrateCompiled(
    mlir::ModuleOp module, mlir::func::FuncOp func,
    llvm::MapVector<mlir::Value, calib::Observer> &observers,
    ArrayRef<NpyArray> arrays, int64_t batchSize, double &compileSeconds) {
  const auto compileStart = std::chrono::steady_clock::now();
  mlir::IRMapping mapping;
  mlir::OwningOpRef<mlir::ModuleOp> clone(
      cast<mlir::ModuleOp>(module->clone(mapping)));
  auto cloneFunc =
      cast<mlir::func::FuncOp>(mapping.lookup(func.getOperation()));
  auto ret =
      cast<mlir::func::ReturnOp>(cloneFunc.getBody().back().getTerminator());
  SmallVector<mlir::Value> results(ret.getOperands());
  // Observed function arguments are read from the calibration arrays
  // themselves; every other observed value is a result (once: returning a
  // value twice trips buffer-results-to-out-params).
  std::vector<size_t> resultOf;
  for (auto &entry : observers) {
    if (isa<mlir::BlockArgument>(entry.first)) {
      resultOf.push_back(SIZE_MAX);
      continue;
    }
    mlir::Value v = mapping.lookup(entry.first);
    auto it = llvm::find(results, v);
    resultOf.push_back(it - results.begin());
    if (it == results.end())
      results.push_back(v);
  }
  ret->setOperands(results);
  SmallVector<mlir::Type> types;
  for (mlir::Value v : results)
    types.push_back(v.getType());
  cloneFunc.setType(mlir::FunctionType::get(
      module.getContext(), cloneFunc.getArgumentTypes(), types));
  // Observed values are kept alive by the return: no op is dropped.
  auto signature = cpu::getSignature(cloneFunc);
  if (!signature)
    return signature.takeError();
  auto llvmModule = cpu::lowerToLLVM(*clone, cloneFunc);
  if (!llvmModule)
    return llvmModule.takeError();
  SmallString<128> dir;
  if (std::error_code ec =
          sys::fs::createUniqueDirectory("qcc-calibration", dir))
    return createStringError(ec, "cannot create a temporary directory");
  llvm::scope_exit cleanup([&] { sys::fs::remove_directories(dir); });
  auto library = cpu::buildModel(*llvmModule, *signature, "{}", dir);
  if (!library)
    return library.takeError();
  auto compiled = runtime::CompiledModel::load(*library);
  if (!compiled)
    return compiled.takeError();
  compileSeconds = std::chrono::duration<double>(
                       std::chrono::steady_clock::now() - compileStart)
                       .count();

  const int64_t samples = arrays.front().shape[0];
  Progress progress("calibrating (compiled)", samples);
  for (int64_t begin = 0; begin < samples; begin += batchSize) {
    const int64_t end = std::min(samples, begin + batchSize);
    std::vector<NpyArray> batch;
    for (const NpyArray &a : arrays) {
      NpyArray slice;
      slice.dtype = a.dtype;
      slice.shape = a.shape;
      slice.shape[0] = end - begin;
      const size_t row = a.bytes.size() / a.shape[0];
      slice.bytes.assign(a.bytes.begin() + begin * row,
                         a.bytes.begin() + end * row);
      batch.push_back(std::move(slice));
    }
    auto outputs = (*compiled)->run(batch);
    if (!outputs)
      return outputs.takeError();
    size_t i = 0;
    for (auto &entry : observers) {
      auto arg = dyn_cast<mlir::BlockArgument>(entry.first);
      const size_t result = resultOf[i++];
      const NpyArray &data =
          arg ? batch[arg.getArgNumber()] : (*outputs)[result];
      entry.second.observe(reinterpret_cast<const float *>(data.bytes.data()),
                           data.bytes.size() / sizeof(float));
    }
    progress.update(end);
  }
  return Error::success();
}

int runQuantize() {
  mlir::MLIRContext context;
  {
    std::vector<std::string> inputs(calibFiles.begin(), calibFiles.end());
    inputs.push_back(model);
    for (const auto &[flag, path] :
         {std::pair<StringRef, StringRef>{"-o", output},
          {"--calibrated-output", calibratedOutput},
          {"--report", reportFile},
          {"--export-onnx", exportOnnx}})
      if (Error e = checkOutputIsNotAnInput(path, inputs, flag))
        return fail("quantize", toString(std::move(e)));
  }
  auto method = calib::parseMethod(methodName);
  if (!method)
    return fail("quantize", "--calib-method: expected minmax, percentile, mse "
                            "or entropy, got '" +
                                methodName + "'");
  if (!(percentile > 0 && percentile <= 100))
    return fail("quantize", "--percentile must be in (0, 100]");
  if (batchSize < 1)
    return fail("quantize", "--batch-size must be positive");
  if (weightClipping != "absmax" && weightClipping != "mse")
    return fail("quantize", "--weight-clipping: expected absmax or mse, got '" +
                                weightClipping + "'");
  if (weightGroupSize < 0)
    return fail("quantize", "--weight-group-size must be non-negative");
  auto weights = parseWeightFormat(weightFormat, "weights");
  if (!weights)
    return fail("quantize", toString(weights.takeError()));
  auto mixed = mixedPrecisionFlags.parse();
  if (!mixed)
    return fail("quantize", toString(mixed.takeError()));
  if (mixedPrecision && weightFormat.getNumOccurrences())
    return fail("quantize", "--weights does not apply with "
                            "--mixed-precision: give the formats to choose "
                            "among with --candidates");
  if (mixedPrecision && !mixed->second.any())
    return fail("quantize", "--mixed-precision needs a budget: --avg-bits, "
                            "--size-budget, --bops-budget, "
                            "--cpu-latency-budget, --fpga-lut-budget or "
                            "--fpga-dsp-budget");
  if (!mixedPrecision && mixed->second.any())
    return fail("quantize", "budgets (--avg-bits, --size-budget, "
                            "--bops-budget, --cpu-latency-budget, "
                            "--fpga-lut-budget, --fpga-dsp-budget) need "
                            "--mixed-precision");
  const bool weightOnly = actFormat == "none";
  auto actBits =
      weightOnly ? Expected<unsigned>(8u) : parseIntFormat(actFormat, "acts");
  if (!actBits)
    return fail("quantize", toString(actBits.takeError()));
  if (weightOnly && integerOnly)
    return fail("quantize", "--integer-only needs quantized activations; "
                            "--acts none leaves them in float");
  if (weightOnly && !mixed->first.actCandidates.empty())
    return fail("quantize", "--act-candidates does not apply with --acts "
                            "none (activations stay float)");

  auto module = loadModel(context, model);
  if (!module)
    return fail("quantize", toString(module.takeError()));
  mlir::func::FuncOp func = getMainFunction(**module);
  if (!func)
    return fail("quantize", model + " has no function to quantize");

  {
    mlir::PassManager pm(&context);
    pm.addPass(qc::createQCFoldBatchNorm());
    if (equalize)
      pm.addPass(qc::createQCEqualize());
    pm.addPass(mlir::createCanonicalizerPass());
    if (failed(pm.run(**module)))
      return fail("quantize", "BatchNorm folding failed");
  }
  func = getMainFunction(**module);

  auto arrays = readArguments(func, calibFiles, "--calib");
  if (!arrays)
    return fail("quantize", toString(arrays.takeError()));
  if (auto error = checkCalibrationData(func, *arrays))
    return fail("quantize", toString(std::move(error)));
  std::vector<interp::Tensor> inputs;
  for (const NpyArray &a : *arrays)
    inputs.emplace_back(a.shape, a.toDoubles());

  // Calibration: stream every observed activation into its Observer.
  // Scale propagation: an activation reached through scale-preserving ops
  // (max pooling, reshapes, transposes) from a value `source` shares
  // source's quantization, so those ops stay in the integer domain after
  // lowering; its statistics are `source`'s.
  // Weight-only quantization observes nothing.
  llvm::SetVector<mlir::Value> observed;
  if (!weightOnly)
    observed = observedActivations(func);
  llvm::DenseMap<mlir::Value, mlir::Value> sourceOf;
  llvm::MapVector<mlir::Value, calib::Observer> observers;
  for (mlir::Value v : observed) {
    mlir::Value source = v;
    while (mlir::Operation *def = source.getDefiningOp()) {
      if (!isa<qc::MaxPoolOp, qc::ReshapeOp, qc::TransposeOp>(def))
        break;
      source = def->getOperand(0);
    }
    sourceOf[v] = source;
    observers.try_emplace(source);
  }
  std::vector<float> scratch;
  if (calibrateWith != "compiled" && calibrateWith != "interpreter" &&
      calibrateWith != "auto")
    return fail("quantize", "--calibrate-with must be auto, compiled or "
                            "interpreter, got '" +
                                calibrateWith + "'");
  // auto: compiled when interpreting (about 1e9 multiply-adds/s) would take
  // longer than building the code (about 2 s plus 0.5 s per MB of weights).
  double weightBytes = 0;
  func.walk([&](mlir::arith::ConstantOp c) {
    if (auto t = dyn_cast<mlir::RankedTensorType>(c.getType()))
      weightBytes += t.getNumElements() * 4.0;
  });
  const double interpretSeconds =
      macsPerSample(func) * inputs[0].shape[0] / 1e9;
  const bool compiledCalibration =
      !weightOnly && (calibrateWith == "compiled" ||
                      (calibrateWith == "auto" && interpretSeconds > 2.0 &&
                       interpretSeconds > 2.0 + weightBytes / 2e6));
  const auto calibrationStart = std::chrono::steady_clock::now();
  bool calibrated = false;
  double compileSeconds = 0;
  if (compiledCalibration) {
    if (Error e = calibrateCompiled(**module, func, observers, *arrays,
                                    batchSize, compileSeconds)) {
      compileSeconds = 0;
      errs() << "qcc quantize: note: calibrating with the interpreter: "
             << toString(std::move(e)) << "\n";
      for (auto &entry : observers)
        entry.second = calib::Observer();
    } else {
      calibrated = true;
    }
  }
  if (!calibrated && !weightOnly) // weight-only: nothing to observe
    if (auto error = runBatches(func, inputs, "calibrating",
                                [&](mlir::Value v, const interp::Tensor &t) {
                                  auto it = observers.find(v);
                                  if (it == observers.end())
                                    return;
                                  scratch.assign(t.data.begin(), t.data.end());
                                  it->second.observe(scratch.data(),
                                                     scratch.size());
                                }))
      return fail("quantize", "calibration: " + toString(std::move(error)));
  // Throughput counts running the model, not building it.
  const double calibrationSeconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() -
                                    calibrationStart)
          .count() -
      compileSeconds;

  calib::RangeOptions options;
  options.method = *method;
  options.percentile = percentile;
  options.bits = *actBits;
  options.symmetric = symmetricActs;
  mlir::Builder b(&context);
  llvm::SetVector<mlir::Value> annotated;
  for (mlir::Value v : observed)
    annotated.insert(v);
  for (auto &entry : observers)
    annotated.insert(entry.first);
  // Concat with unified scales: the inputs of a concatenation the quantized
  // layers read share its range, so it needs no requantization when lowered.
  llvm::MapVector<mlir::Value, mlir::Value> unifiedWith;
  for (auto &entry : observers)
    if (auto concat = entry.first.getDefiningOp<qc::ConcatOp>())
      for (mlir::Value input : concat.getInputs())
        unifiedWith.try_emplace(input, entry.first);
  for (auto &entry : unifiedWith)
    annotated.insert(entry.first);
  for (mlir::Value value : annotated) {
    auto source = sourceOf.find(value);
    mlir::Value statistics = source == sourceOf.end() ? value : source->second;
    if (auto unified = unifiedWith.find(value); unified != unifiedWith.end() &&
                                                !observers.count(value))
      statistics = unified->second;
    const calib::Observer &observer = observers.find(statistics)->second;
    auto [lo, hi] = observer.range(options);
    auto range = b.getDenseF64ArrayAttr({lo, hi});
    auto minmax = b.getDenseF64ArrayAttr({observer.min(), observer.max()});
    if (auto arg = dyn_cast<mlir::BlockArgument>(value)) {
      func.setArgAttr(arg.getArgNumber(), "qc.act_range", range);
      func.setArgAttr(arg.getArgNumber(), "qc.act_minmax", minmax);
    } else {
      value.getDefiningOp()->setAttr("qc.act_range", range);
      value.getDefiningOp()->setAttr("qc.act_minmax", minmax);
    }
  }

  if (!calibratedOutput.empty())
    if (Error e = writeModule(**module, calibratedOutput))
      return fail("quantize", toString(std::move(e)));

  // The float model, kept for the report's SQNR.
  mlir::OwningOpRef<mlir::ModuleOp> floatModule = (*module)->clone();
  qc::QCQuantizeOptions quantizeOptions;
  quantizeOptions.weightBits = weights->quantizeBits();
  quantizeOptions.actBits = *actBits;
  quantizeOptions.weightOnly = weightOnly;
  quantizeOptions.asymmetricWeights = asymmetricWeights;
  quantizeOptions.perChannel = !perTensor;
  quantizeOptions.symmetricActs = symmetricActs;
  quantizeOptions.weightClipping = weightClipping;
  quantizeOptions.weightFormat = weights->floatType;
  quantizeOptions.groupSize = weightGroupSize;
  quantizeOptions.keepFloat =
      SmallVector<std::string>(keepFloat.begin(), keepFloat.end());
  quantizeOptions.allActivations = integerOnly;
  if (mixedPrecision) {
    // Each layer's format, written into the IR as qc.weight_format, which
    // qc-quantize below honours.
    mixed->first.quantize = quantizeOptions;
    auto problem = buildMixedPrecisionProblem(**module, inputs, mixed->first,
                                              mixed->second);
    if (!problem)
      return fail("quantize",
                  "mixed precision: " + toString(problem.takeError()));
    double solveSeconds;
    std::string refinement;
    raw_string_ostream refinementLog(refinement);
    auto allocation =
        chooseAllocation(**module, *problem, problem->ilp, mixed->first,
                         solveSeconds, &refinementLog);
    if (!allocation)
      return fail("quantize",
                  "mixed precision: " + toString(allocation.takeError()));
    annotateAllocation(**module, *problem, *allocation);
    printAllocation(outs(), *problem, *allocation);
    outs() << refinement;
  }
  {
    mlir::PassManager pm(&context);
    pm.addPass(qc::createQCQuantize(quantizeOptions));
    if (failed(pm.run(**module)))
      return fail("quantize", "quantization failed");
  }
  func = getMainFunction(**module);
  mlir::func::FuncOp floatFunc = getMainFunction(*floatModule);
  if (optimizeRounding) {
    auto rewritten = optimizeWeightRounding(floatFunc, func, inputs);
    if (!rewritten)
      return fail("quantize", "weight rounding: " +
                                  toString(rewritten.takeError()));
  }
  llvm::StringMap<std::vector<double>> corrections;
  if (biasCorrection)
    if (auto error = correctBiases(floatFunc, func, inputs, corrections))
      return fail("quantize", "bias correction: " + toString(std::move(error)));

  if (int32Bias || integerOnly) {
    mlir::PassManager pm(&context);
    pm.addPass(qc::createQCQuantizeBias());
    if (failed(pm.run(**module)))
      return fail("quantize", "bias quantization failed");
  }

  // Report: formats of each quantized layer, SQNR of its output.
  std::vector<LayerReport> layers;
  llvm::StringMap<size_t> layerIndex;
  func.walk([&](mlir::Operation *op) {
    if (!qc::isWeightedLayer(op))
      return;
    LayerReport r;
    r.name = qc::getNodeName(op);
    r.op = op->getName().getStringRef().str();
    r.weightFormat = r.actFormat = "float";
    if (auto block = op->getAttrOfType<mlir::StringAttr>("qc.block_weights"))
      r.weightFormat = block.getValue().str();
    if (op->getNumOperands() > 1)
      if (auto dq = op->getOperand(1).getDefiningOp<qc::DequantizeOp>()) {
        mlir::Type t = dq.getInput().getType().getElementType();
        r.weightFormat = formatOf(t);
        if (auto f = dyn_cast<qc::ScaledFloatType>(t))
          r.weightScales.assign(f.getScales().asArrayRef().begin(),
                                f.getScales().asArrayRef().end());
        else if (auto axis = dyn_cast<mlir::quant::UniformQuantizedPerAxisType>(t))
          r.weightScales.assign(axis.getScales().begin(), axis.getScales().end());
        else if (auto uniform = dyn_cast<mlir::quant::UniformQuantizedType>(t))
          r.weightScales = {uniform.getScale()};
      }
    if (auto dq = op->getOperand(0).getDefiningOp<qc::DequantizeOp>())
      if (auto q = dq.getInput().getDefiningOp<qc::QuantizeOp>()) {
        auto t = dyn_cast<mlir::quant::UniformQuantizedType>(
            q.getOutput().getType().getElementType());
        if (t) {
          r.hasAct = true;
          r.actFormat = formatOf(t);
          r.actScale = t.getScale();
          r.actZeroPoint = t.getZeroPoint();
        }
        mlir::Value src = q.getInput();
        mlir::DenseF64ArrayAttr range;
        if (auto arg = dyn_cast<mlir::BlockArgument>(src))
          range = func.getArgAttrOfType<mlir::DenseF64ArrayAttr>(
              arg.getArgNumber(), "qc.act_range");
        else
          range = src.getDefiningOp()->getAttrOfType<mlir::DenseF64ArrayAttr>(
              "qc.act_range");
        if (range) {
          r.rangeLo = range[0];
          r.rangeHi = range[1];
        }
      }
    std::tie(r.weightBytes, r.floatWeightBytes) = weightStorageBytes(op);
    layerIndex[r.name] = layers.size();
    layers.push_back(r);
  });
  // Each layer's output in the float model and the quantized one, matched by
  // node name, compared batch by batch over (the first --sqnr-samples of)
  // the calibration set.
  std::vector<interp::Tensor> sqnrInputs = inputs;
  if (sqnrSamples > 0 && inputs[0].shape[0] > sqnrSamples)
    for (interp::Tensor &t : sqnrInputs) {
      const size_t row = t.data.size() / t.shape[0];
      t.data.resize(row * sqnrSamples);
      t.shape[0] = sqnrSamples;
    }
  if (auto error =
          compareLayers(floatFunc, func, sqnrInputs, "measuring SQNR",
                        [&](const std::string &layer, const interp::Tensor &f,
                            const interp::Tensor &q) {
                          auto it = layerIndex.find(layer);
                          if (it == layerIndex.end())
                            return;
                          LayerReport &r = layers[it->second];
                          for (size_t k = 0; k < f.data.size(); ++k) {
                            r.signal += f.data[k] * f.data[k];
                            const double e = f.data[k] - q.data[k];
                            r.noise += e * e;
                          }
                        }))
    return fail("quantize", "report: " + toString(std::move(error)));
  std::vector<const LayerReport *> sorted;
  for (const LayerReport &r : layers)
    sorted.push_back(&r);
  // Worst first; ties keep graph order (deterministic output).
  llvm::sort(sorted, [](const LayerReport *a, const LayerReport *b) {
    return a->sqnr() != b->sqnr() ? a->sqnr() < b->sqnr() : a < b;
  });

  outs() << "quantized " << model << " ("
         << (mixedPrecision ? "mixed-precision" : weightFormat.getValue())
         << " weights "
         << (numerics::parseBlockFormat(weightFormat.getValue())
                 ? "in blocks along the input channels"
             : weightGroupSize
                 ? ("per group of " + std::to_string(weightGroupSize)).c_str()
             : perTensor ? "per tensor"
                         : "per channel")
         << " ("
         << (numerics::parseBlockFormat(weightFormat.getValue())
                 ? std::string("block scales")
                 : (asymmetricWeights ? "asymmetric, " : "") +
                       weightClipping.getValue() + " scales")
         << (equalize ? ", equalized" : "")
         << (optimizeRounding ? ", optimized rounding" : "")
         << (biasCorrection ? ", bias-corrected" : "")
         << (int32Bias ? ", int32 biases" : "") << "), ";
  if (weightOnly)
    outs() << "float activations (weight-only))\n";
  else
    outs() << actFormat << (symmetricActs ? " symmetric" : " asymmetric")
           << " activations, calibration " << methodName << " on "
           << inputs[0].shape[0] << " samples)\n";
  const double samplesPerSecond =
      inputs[0].shape[0] / std::max(calibrationSeconds, 1e-9);
  if (!weightOnly)
    outs() << format(
        "calibration (%s): %lld samples in %.2f s (%.*f "
        "samples/s, %zu activations observed)\n",
        calibrated ? formatv("compiled code, built in {0:F2} s", compileSeconds)
                         .str()
                         .c_str()
                   : "interpreter",
        static_cast<long long>(inputs[0].shape[0]), calibrationSeconds,
        samplesPerSecond < 10 ? 2 : 0, samplesPerSecond, observers.size());
  outs() << format("%-28s %-10s %-22s %-10s %-24s %10s\n", "layer", "op",
                   "weights", "acts", "act range", "SQNR dB");
  for (const LayerReport *r : sorted) {
    std::string range =
        r->hasAct ? (Twine("[") + formatDouble(r->rangeLo) + ", " +
                     formatDouble(r->rangeHi) + "]")
                        .str()
                  : "-";
    outs() << format("%-28s %-10s %-22s %-10s %-24s %10.2f\n", r->name.c_str(),
                     r->op.c_str(), r->weightFormat.c_str(),
                     r->actFormat.c_str(), range.c_str(), r->sqnr());
  }

  int64_t totalBytes = 0, totalFloatBytes = 0;
  for (const LayerReport &r : layers) {
    totalBytes += r.weightBytes;
    totalFloatBytes += r.floatWeightBytes;
  }
  outs() << format("weights of the %zu layers: %lld bytes stored (codes, "
                   "scales, zero points), %lld as f32 (%.1f%%)\n",
                   layers.size(), static_cast<long long>(totalBytes),
                   static_cast<long long>(totalFloatBytes),
                   totalFloatBytes ? 100.0 * totalBytes / totalFloatBytes
                                   : 0.0);

  if (!reportFile.empty()) {
    json::Array layerArray;
    for (const LayerReport *r : sorted) {
      json::Object o{{"layer", r->name},
                     {"op", r->op},
                     {"weights", r->weightFormat},
                     {"weight_scales", json::Array(r->weightScales)},
                     {"activations", r->actFormat},
                     {"weight_bytes", r->weightBytes},
                     {"float_weight_bytes", r->floatWeightBytes},
                     {"sqnr_db", std::isfinite(r->sqnr())
                                     ? json::Value(r->sqnr())
                                     : json::Value(nullptr)}};
      if (auto it = corrections.find(r->name); it != corrections.end())
        o["bias_correction"] = json::Array(it->second);
      if (r->hasAct) {
        o["act_scale"] = r->actScale;
        o["act_zero_point"] = r->actZeroPoint;
        o["act_range"] = json::Array{r->rangeLo, r->rangeHi};
      }
      layerArray.push_back(std::move(o));
    }
    json::Object report{{"model", model.getValue()},
                        {"calibration_method", methodName.getValue()},
                        {"calibration_samples", inputs[0].shape[0]},
                        {"calibration_seconds", calibrationSeconds},
                        {"weights", weightFormat.getValue()},
                        {"per_channel", !perTensor},
                        {"activations", actFormat.getValue()},
                        {"symmetric_activations", symmetricActs.getValue()},
                        {"bias_correction", biasCorrection.getValue()},
                        {"int32_bias", int32Bias.getValue()},
                        {"optimized_rounding", optimizeRounding.getValue()},
                        {"equalized", equalize.getValue()},
                        {"weight_bytes", totalBytes},
                        {"float_weight_bytes", totalFloatBytes},
                        {"layers", std::move(layerArray)}};
    if (Error e = writeFileAtomically(reportFile, [&](raw_ostream &os) {
          os << formatv("{0:2}", json::Value(std::move(report))) << "\n";
          return Error::success();
        }))
      return fail("quantize", toString(std::move(e)));
  }

  if (!exportOnnx.empty())
    if (auto error = exportONNXModel(**module, exportOnnx))
      return fail("quantize", toString(std::move(error)));

  if (integerOnly) {
    // Float islands are warnings of qc-check-integer-only: list the first
    // few, then count the rest (a long model may have thousands).
    constexpr unsigned kListedIslands = 10;
    unsigned islands = 0;
    mlir::ScopedDiagnosticHandler listIslands(
        &context, [&](mlir::Diagnostic &diag) {
          if (diag.getSeverity() != mlir::DiagnosticSeverity::Warning)
            return mlir::failure(); // errors go to the default handler
          if (islands++ == 0)
            errs() << "qcc quantize: float islands (ops without an integer "
                      "form, run in float between dequantize and quantize):\n";
          if (islands <= kListedIslands)
            errs() << "  " << diag.str() << "\n";
          return mlir::success();
        });
    llvm::scope_exit summarizeIslands([&] {
      if (islands > kListedIslands)
        errs() << "  ... and " << islands - kListedIslands << " more ("
               << islands << " float ops in all)\n";
    });
    mlir::PassManager pm(&context);
    qc::buildIntegerLoweringPipeline(pm); // islands listed as warnings
    if (failed(pm.run(**module)))
      return fail("quantize", "integer-only lowering failed");
  }

  if (Error e = writeModule(**module, output))
    return fail("quantize", toString(std::move(e)));
  return 0;
}

} // namespace qcc::driver
