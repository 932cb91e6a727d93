//===- Calibration.cpp - Observing activations on the calibration set -----===//
//
// Which activations are observed, scale propagation through
// scale-preserving ops, the run of the float model (interpreter or compiled
// code) that streams them into Observers, and the ranges recorded in the IR.
//
//===----------------------------------------------------------------------===//

#include "Steps.h"

#include "qcc/Dialect/QC/IR/QCOps.h"
#include "qcc/Runtime/CompiledModel.h"
#include "qcc/Support/Progress.h"
#include "qcc/Target/Target.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/IR/IRMapping.h"
#include "mlir/IR/TypeUtilities.h"
#include "llvm/ADT/ScopeExit.h"
#include "llvm/Support/FileSystem.h"

#include <chrono>

using namespace llvm;

namespace qcc::quantization {
namespace {

/// An op's output as integer code produces it: after the Add of a constant
/// bias (MatMul; the constant on either side) and a ReLU or Clip that are
/// its only users (fused into the integer op).
mlir::Value activationOutput(mlir::Operation *op) {
  mlir::Value v = op->getResult(0);
  auto onlyUser = [](mlir::Value v) {
    return v.hasOneUse() ? *v.getUsers().begin() : nullptr;
  };
  if (auto add = dyn_cast_or_null<qc::AddOp>(onlyUser(v));
      add && isa<qc::MatMulOp>(op) &&
      (add.getLhs() == v ? add.getRhs() : add.getLhs())
          .getDefiningOp<mlir::arith::ConstantOp>())
    v = add.getResult();
  if (isa_and_nonnull<qc::ReluOp, qc::ClipOp>(onlyUser(v)))
    v = onlyUser(v)->getResult(0);
  return v;
}

/// The activations calibration observes: those the quantized layers read,
/// and with integerOnly also the outputs of layers, additions and average
/// pooling and the inputs of additions, pooling and unfolded BatchNorms
/// (every value integer code stores).
llvm::SetVector<mlir::Value>
observedActivations(mlir::func::FuncOp func,
                    ArrayRef<std::string> keepFloat, bool integerOnly) {
  llvm::SetVector<mlir::Value> values;
  auto observe = [&](mlir::Value v) {
    if (!v.getDefiningOp<mlir::arith::ConstantOp>() &&
        isa<mlir::FloatType>(mlir::getElementTypeOrSelf(v.getType())))
      values.insert(v);
  };
  func.walk([&](mlir::Operation *op) {
    if (qc::isKeptFloat(op, keepFloat))
      return;
    if (isa<qc::WeightedLayerOpInterface>(op)) {
      observe(op->getOperand(0));
      if (isa<qc::MatMulOp>(op))
        observe(op->getOperand(1));
      if (integerOnly)
        observe(activationOutput(op));
    } else if (integerOnly && op->hasTrait<qc::OpTrait::RescalesToResult>()) {
      // Additions of two activations; a constant's is a MatMul's bias.
      if (llvm::any_of(op->getOperands(), [](mlir::Value v) {
            return v.getDefiningOp<mlir::arith::ConstantOp>();
          }))
        return;
      for (mlir::Value operand : op->getOperands())
        observe(operand);
      observe(activationOutput(op));
    } else if (integerOnly && isa<qc::BatchNormOp>(op)) {
      // A BatchNorm no layer absorbed (DenseNet's after each concat) is a
      // per-channel integer map of its quantized input.
      observe(op->getOperand(0));
      observe(activationOutput(op));
    }
  });
  return values;
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
  // The host's CPU target, through the target interface: calibration knows
  // no code generator.
  auto host = target::lookupTarget("cpu");
  if (!host)
    return host.takeError();
  SmallString<128> dir;
  if (std::error_code ec =
          sys::fs::createUniqueDirectory("qcc-calibration", dir))
    return createStringError(ec, "cannot create a temporary directory");
  llvm::scope_exit cleanup([&] { sys::fs::remove_directories(dir); });
  // Built for this machine only, so for its own instruction set.
  target::ArtifactOptions artifact;
  artifact.cpu = "native";
  auto library = (*host)->buildArtifact(*clone, cloneFunc, artifact, dir);
  if (!library)
    return library.takeError();
  auto compiled = (*host)->load(dir);
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


} // namespace

Expected<Calibration> calibrate(mlir::ModuleOp module, mlir::func::FuncOp func,
                                ArrayRef<NpyArray> arrays,
                                const std::vector<interp::Tensor> &inputs,
                                const QuantizeOptions &options) {
  // Scale propagation: an activation reached through single-operand
  // scale-preserving ops (qc::OpTrait::ScalePreserving: max pooling,
  // reshapes, transposes, slices) from a value `source` shares
  // source's quantization, so those ops stay in the integer domain after
  // lowering; its statistics are `source`'s.
  // Weight-only quantization observes nothing.
  Calibration c;
  const bool weightOnly = options.quantize.weightOnly;
  if (!weightOnly)
    c.observed = observedActivations(func, options.quantize.keepFloat,
                                     options.integerOnly);
  for (mlir::Value v : c.observed) {
    mlir::Value source = v;
    while (mlir::Operation *def = source.getDefiningOp()) {
      if (!def->hasTrait<qc::OpTrait::ScalePreserving>() ||
          def->getNumOperands() != 1)
        break;
      source = def->getOperand(0);
    }
    c.sourceOf[v] = source;
    c.observers.try_emplace(source);
  }
  // Auto: compiled when interpreting (about 1e9 multiply-adds/s) would take
  // longer than building the code (about 2 s plus 0.5 s per MB of weights).
  double weightBytes = 0;
  func.walk([&](mlir::arith::ConstantOp constant) {
    if (auto t = dyn_cast<mlir::RankedTensorType>(constant.getType()))
      weightBytes += t.getNumElements() * 4.0;
  });
  const double interpretSeconds =
      macsPerSample(func) * inputs[0].shape[0] / 1e9;
  const bool compiledCalibration =
      !weightOnly &&
      (options.calibrator == Calibrator::Compiled ||
       (options.calibrator == Calibrator::Auto && interpretSeconds > 2.0 &&
        interpretSeconds > 2.0 + weightBytes / 2e6));
  const auto start = std::chrono::steady_clock::now();
  if (compiledCalibration) {
    if (Error e = calibrateCompiled(module, func, c.observers, arrays,
                                    options.batchSize, c.compileSeconds)) {
      c.compileSeconds = 0;
      if (options.note)
        options.note("calibrating with the interpreter: " +
                     toString(std::move(e)));
      else
        consumeError(std::move(e));
      for (auto &entry : c.observers)
        entry.second = calib::Observer();
    } else {
      c.compiled = true;
    }
  }
  std::vector<float> scratch;
  if (!c.compiled && !weightOnly) // weight-only: nothing to observe
    if (Error e = runBatches(func, inputs, options.batchSize, "calibrating",
                             [&](mlir::Value v, const interp::Tensor &t) {
                               auto it = c.observers.find(v);
                               if (it == c.observers.end())
                                 return;
                               scratch.assign(t.data.begin(), t.data.end());
                               it->second.observe(scratch.data(),
                                                  scratch.size());
                             }))
      return createStringError(inconvertibleErrorCode(),
                               "calibration: " + toString(std::move(e)));
  // Throughput counts running the model, not building it.
  c.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() -
                                            start)
                  .count() -
              c.compileSeconds;
  return c;
}

void annotateRanges(mlir::func::FuncOp func, const Calibration &calibration,
                    const calib::RangeOptions &options) {
  const auto &observers = calibration.observers;
  mlir::Builder b(func.getContext());
  llvm::SetVector<mlir::Value> annotated;
  for (mlir::Value v : calibration.observed)
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
    auto source = calibration.sourceOf.find(value);
    mlir::Value statistics =
        source == calibration.sourceOf.end() ? value : source->second;
    if (auto unified = unifiedWith.find(value); unified != unifiedWith.end() &&
                                                !observers.count(value))
      statistics = unified->second;
    const calib::Observer &observer = observers.find(statistics)->second;
    auto [lo, hi] = observer.range(options);
    auto range = b.getDenseF64ArrayAttr({lo, hi});
    auto minmax = b.getDenseF64ArrayAttr({observer.min(), observer.max()});
    constexpr StringLiteral rangeName =
        qc::QCDialect::ActRangeAttrHelper::getNameStr();
    constexpr StringLiteral minmaxName =
        qc::QCDialect::ActMinmaxAttrHelper::getNameStr();
    if (auto arg = dyn_cast<mlir::BlockArgument>(value)) {
      func.setArgAttr(arg.getArgNumber(), rangeName, range);
      func.setArgAttr(arg.getArgNumber(), minmaxName, minmax);
    } else {
      value.getDefiningOp()->setAttr(rangeName, range);
      value.getDefiningOp()->setAttr(minmaxName, minmax);
    }
  }
}

} // namespace qcc::quantization
