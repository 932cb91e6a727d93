//===- SplitInterface.cpp - The integer core as the design's top ----------===//
//
// An FPGA design computes on the quantized integers; the float inputs and
// outputs of the ONNX graph are the host's business. The entry is split
// into the two: @<top> holds everything between the inputs' quantize and
// the outputs' dequantize, and the entry (renamed @<top>_host) quantizes,
// calls it and dequantizes, which the testbench and the C simulation run.
//
//===----------------------------------------------------------------------===//

#include "qcc/Target/HLS/Passes.h"

#include "qcc/Dialect/QC/IR/QCOps.h"
#include "qcc/Target/Target.h"

#include "mlir/Dialect/Bufferization/IR/Bufferization.h"
#include "mlir/Dialect/Quant/IR/QuantTypes.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/SymbolTable.h"

#include <cmath>

namespace qcc::hls {
#define GEN_PASS_DEF_HLSSPLITINTERFACE
#include "qcc/Target/HLS/Passes.h.inc"
} // namespace qcc::hls

using namespace mlir;

namespace {

/// A C identifier from an ONNX tensor name.
std::string portName(Attribute name, StringRef fallback) {
  auto text = dyn_cast_or_null<StringAttr>(name);
  if (!text || text.getValue().empty())
    return fallback.str();
  std::string id;
  for (char c : text.getValue())
    id += llvm::isAlnum(c) ? c : '_';
  if (llvm::isDigit(id[0]))
    id = "_" + id;
  return id;
}

/// What a port's integers mean: an ap_fixed<W, I> where the scale is a
/// power of two and the zero point 0 (a fixed-point format), else the
/// affine map to real values.
std::string portFormat(Type quantizedTensor) {
  auto element = dyn_cast<quant::UniformQuantizedType>(
      getElementTypeOrSelf(quantizedTensor));
  if (!element)
    return "";
  const unsigned bits = element.getStorageTypeIntegralWidth();
  int exponent = 0;
  const double mantissa = std::frexp(element.getScale(), &exponent);
  std::string text;
  llvm::raw_string_ostream os(text);
  if (mantissa == 0.5 && element.getZeroPoint() == 0) {
    // scale = 2^(exponent - 1): W bits, W + exponent - 1 of them integer.
    os << "ap_fixed<" << bits << ", " << static_cast<int>(bits) + exponent - 1
       << "> (real = code * 2^" << exponent - 1 << ")";
  } else {
    const int64_t zeroPoint = element.getZeroPoint();
    os << "real = " << element.getScale() << " * (code "
       << (zeroPoint < 0 ? "+ " : "- ") << std::abs(zeroPoint) << ")";
  }
  return text;
}

struct HLSSplitInterfacePass
    : qcc::hls::impl::HLSSplitInterfaceBase<HLSSplitInterfacePass> {
  using Base::Base;

  void runOnOperation() override {
    ModuleOp module = getOperation();
    func::FuncOp func = qcc::target::findEntryFunction(module, entry);
    if (!func || func.isExternal()) {
      module.emitError("no entry function ")
          << (entry.empty() ? "(@main, or any function with a body)"
                            : "@" + entry);
      return signalPassFailure();
    }
    if (module.lookupSymbol(top) || module.lookupSymbol(top + "_host")) {
      module.emitError("the module already has a symbol @")
          << top << " or @" << top << "_host (the design's functions)";
      return signalPassFailure();
    }
    if (!func.getBody().hasOneBlock()) {
      func.emitError("the entry has more than one block");
      return signalPassFailure();
    }
    Block &body = func.getBody().front();
    auto ret = cast<func::ReturnOp>(body.getTerminator());

    // The boundary: each input's quantize and storage cast, each output's
    // storage cast and dequantize.
    llvm::SetVector<Operation *> boundary;
    SmallVector<Value> coreInputs, coreOutputs;
    SmallVector<Attribute> names, formats;
    // The integer storage of a quantized value, as a cast that a core
    // starting (or ending) in a float island can still take: the port
    // carries the integers, the island dequantizes them inside.
    auto storageOf = [](Value quantized) -> Type {
      auto type = dyn_cast<RankedTensorType>(quantized.getType());
      auto element = type
                         ? dyn_cast<quant::QuantizedType>(type.getElementType())
                         : quant::QuantizedType();
      if (!element || !isa<IntegerType>(element.getStorageType()))
        return {};
      return type.clone(element.getStorageType());
    };
    OpBuilder builder(&getContext());
    for (BlockArgument arg : func.getArguments()) {
      auto quantize = arg.hasOneUse()
                          ? dyn_cast<qcc::qc::QuantizeOp>(*arg.user_begin())
                          : nullptr;
      auto cast =
          quantize && quantize->hasOneUse()
              ? dyn_cast<qcc::qc::StorageCastOp>(*quantize->user_begin())
              : nullptr;
      if (quantize && !cast) {
        if (Type storage = storageOf(quantize.getResult())) {
          builder.setInsertionPointAfter(quantize);
          cast = qcc::qc::StorageCastOp::create(builder, quantize.getLoc(),
                                                storage, quantize.getResult());
          auto back = qcc::qc::StorageCastOp::create(
              builder, quantize.getLoc(), quantize.getType(), cast.getResult());
          quantize.getResult().replaceAllUsesExcept(back.getResult(), cast);
        }
      }
      if (!cast) {
        func.emitError("input ")
            << arg.getArgNumber()
            << " is not quantized once (qc.quantize, qc.storage_cast): "
               "the design's ports are integers; compile a model quantized "
               "integer-only";
        return signalPassFailure();
      }
      boundary.insert(quantize);
      boundary.insert(cast);
      coreInputs.push_back(cast.getResult());
      formats.push_back(
          StringAttr::get(&getContext(), portFormat(quantize.getType())));
      names.push_back(StringAttr::get(
          &getContext(),
          portName(func.getArgAttr(arg.getArgNumber(), "onnx.name"),
                   "in" + std::to_string(arg.getArgNumber()))));
    }
    for (OpOperand &operand : ret->getOpOperands()) {
      auto dequantize = operand.get().getDefiningOp<qcc::qc::DequantizeOp>();
      auto cast =
          dequantize
              ? dequantize.getOperand().getDefiningOp<qcc::qc::StorageCastOp>()
              : nullptr;
      if (dequantize && dequantize->hasOneUse() &&
          (!cast || !isa<IntegerType>(
                        getElementTypeOrSelf(cast.getOperand().getType())))) {
        if (Type storage = storageOf(dequantize.getOperand())) {
          // A float island's output: its integers are the port.
          builder.setInsertionPoint(dequantize);
          auto integers = qcc::qc::StorageCastOp::create(
              builder, dequantize.getLoc(), storage, dequantize.getOperand());
          cast = qcc::qc::StorageCastOp::create(
              builder, dequantize.getLoc(), dequantize.getOperand().getType(),
              integers.getResult());
          dequantize->setOperand(0, cast.getResult());
        }
      }
      if (!cast || !dequantize->hasOneUse() || !cast->hasOneUse()) {
        func.emitError("output ")
            << operand.getOperandNumber()
            << " is not dequantized from integers (qc.storage_cast, "
               "qc.dequantize) once: the design's ports are integers";
        return signalPassFailure();
      }
      boundary.insert(cast);
      boundary.insert(dequantize);
      coreOutputs.push_back(cast.getOperand());
      formats.push_back(
          StringAttr::get(&getContext(), portFormat(cast.getType())));
      names.push_back(StringAttr::get(
          &getContext(),
          portName(func.getResultAttr(operand.getOperandNumber(), "onnx.name"),
                   "out" + std::to_string(operand.getOperandNumber()))));
    }

    // The top function, with everything else moved into it.
    OpBuilder b(func);
    SmallVector<Type> inputTypes, outputTypes;
    for (Value v : coreInputs)
      inputTypes.push_back(v.getType());
    for (Value v : coreOutputs)
      outputTypes.push_back(v.getType());
    auto topFunc = func::FuncOp::create(
        b, func.getLoc(), top, b.getFunctionType(inputTypes, outputTypes));
    topFunc->setAttr("hls.port_names", b.getArrayAttr(names));
    topFunc->setAttr("hls.port_formats", b.getArrayAttr(formats));
    topFunc->setAttr("hls.num_inputs", b.getI64IntegerAttr(static_cast<int64_t>(
                                           coreInputs.size())));
    Block *topBody = topFunc.addEntryBlock();
    b.setInsertionPointToEnd(topBody);
    auto topReturn = func::ReturnOp::create(b, func.getLoc(), coreOutputs);
    for (Operation &op : llvm::make_early_inc_range(body)) {
      if (&op == ret.getOperation() || boundary.contains(&op))
        continue;
      op.moveBefore(topReturn);
    }
    for (auto [value, arg] : llvm::zip(coreInputs, topBody->getArguments()))
      value.replaceUsesWithIf(arg, [&](OpOperand &use) {
        return topFunc->isProperAncestor(use.getOwner());
      });
    // Results that are arguments or repeated get copies of their own (each
    // output port is written once).
    b.setInsertionPoint(topReturn);
    llvm::SmallPtrSet<Value, 8> seen;
    for (OpOperand &operand : topReturn->getOpOperands()) {
      Value v = operand.get();
      if (isa<BlockArgument>(v) || !seen.insert(v).second)
        operand.set(bufferization::AllocTensorOp::create(
            b, ret.getLoc(), cast<RankedTensorType>(v.getType()), ValueRange{},
            /*copy=*/v));
    }
    // What the boundary ops still read from the core, and what the core
    // reads from the entry, is an error: a value crossing it.
    for (Operation *op : boundary)
      for (Value operand : op->getOperands())
        if (operand.getParentRegion() == &topFunc.getBody() &&
            !llvm::is_contained(coreOutputs, operand)) {
          op->emitError("reads a value of the integer core other than an "
                        "output");
          return signalPassFailure();
        }
    WalkResult crossing = topFunc.walk([&](Operation *op) {
      for (Value operand : op->getOperands())
        if (operand.getParentRegion() == &func.getBody()) {
          op->emitError("the integer core reads a value of the float "
                        "boundary");
          return WalkResult::interrupt();
        }
      return WalkResult::advance();
    });
    if (crossing.wasInterrupted())
      return signalPassFailure();

    // The entry: boundary ops, the call, the outputs' conversions.
    b.setInsertionPoint(ret);
    auto call = func::CallOp::create(b, func.getLoc(), topFunc, coreInputs);
    for (auto [value, result] : llvm::zip(coreOutputs, call.getResults()))
      value.replaceUsesWithIf(result, [&](OpOperand &use) {
        return func->isProperAncestor(use.getOwner());
      });
    for (Operation *op : boundary)
      if (!llvm::is_contained(coreInputs, op->getResult(0)) &&
          !isa<qcc::qc::QuantizeOp>(op))
        op->moveBefore(ret);
    SymbolTable::setSymbolName(func, top + "_host");
  }
};

} // namespace
