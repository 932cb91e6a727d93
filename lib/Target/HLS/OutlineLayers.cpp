//===- OutlineLayers.cpp - Each layer's loop nest in a function -----------===//
//
// A design reads best, and schedules per layer, as one function per layer:
// HLS reports latency and resources per function, and DATAFLOW overlaps
// functions. Each outermost loop of the top function is one linalg op of
// the graph, i.e. one layer (or one step of one: a pad's copy, a
// reshape's copy).
//
//===----------------------------------------------------------------------===//

#include "qcc/Target/HLS/Passes.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/IRMapping.h"
#include "mlir/IR/SymbolTable.h"
#include "mlir/Transforms/RegionUtils.h"
#include "llvm/Support/Path.h"

namespace qcc::hls {
#define GEN_PASS_DEF_HLSOUTLINELAYERS
#include "qcc/Target/HLS/Passes.h.inc"
} // namespace qcc::hls

using namespace mlir;

namespace {

/// The ONNX node a location names, else the op's line in its .mlir file
/// ("model.mlir:13"), if any.
std::string layerName(Location loc) {
  if (auto name = dyn_cast<NameLoc>(loc))
    return name.getName().str();
  if (auto fused = dyn_cast<FusedLoc>(loc)) {
    for (Location inner : fused.getLocations())
      if (isa<NameLoc>(inner))
        return layerName(inner);
    for (Location inner : fused.getLocations())
      if (std::string name = layerName(inner); !name.empty())
        return name;
  }
  if (auto file = dyn_cast<FileLineColLoc>(loc))
    return (llvm::sys::path::filename(file.getFilename().getValue()) + ":" +
            Twine(file.getLine()))
        .str();
  return "";
}

bool recreatedInside(Value v) {
  Operation *def = v.getDefiningOp();
  return def && def->getNumOperands() == 0 && def->getNumRegions() == 0 &&
         (def->hasTrait<OpTrait::ConstantLike>() ||
          isa<memref::GetGlobalOp>(def));
}

struct HLSOutlineLayersPass
    : qcc::hls::impl::HLSOutlineLayersBase<HLSOutlineLayersPass> {
  using Base::Base;

  void runOnOperation() override {
    ModuleOp module = getOperation();
    auto topFunc = module.lookupSymbol<func::FuncOp>(top);
    if (!topFunc || topFunc.isExternal()) {
      module.emitError("no top function @") << top;
      return signalPassFailure();
    }
    SmallVector<scf::ForOp> nests(
        topFunc.getBody().front().getOps<scf::ForOp>());
    SymbolTable symbols(module);
    MLIRContext *ctx = &getContext();
    unsigned count = 0;
    for (scf::ForOp nest : nests) {
      SetVector<Value> captured;
      getUsedValuesDefinedAbove(nest->getRegions(), captured);
      captured.insert(nest->getOperands().begin(), nest->getOperands().end());
      SetVector<Value> arguments;
      SmallVector<Value> recreated;
      for (Value v : captured) {
        if (recreatedInside(v))
          recreated.push_back(v);
        else
          arguments.insert(v);
      }
      SmallVector<Type> types;
      for (Value v : arguments)
        types.push_back(v.getType());
      OpBuilder b(module.getBody(), module.getBody()->end());
      std::string name = layerName(nest.getLoc());
      // Several nests may come from one node (its accumulator's init, the
      // reduction, the rescale): they share its name.
      std::string label = name.empty() ? "(unnamed)" : name;
      auto function = func::FuncOp::create(
          b, nest.getLoc(), top + "_layer" + std::to_string(count++),
          FunctionType::get(ctx, types, {}));
      function.setPrivate();
      function->setAttr("hls.layer", StringAttr::get(ctx, label));
      Block *body = function.addEntryBlock();
      b.setInsertionPointToStart(body);
      IRMapping mapping;
      for (auto [value, argument] : llvm::zip(arguments, body->getArguments()))
        mapping.map(value, argument);
      for (Value v : recreated)
        mapping.map(v, b.clone(*v.getDefiningOp())->getResult(0));
      b.clone(*nest, mapping);
      func::ReturnOp::create(b, nest.getLoc());
      symbols.insert(function);
      OpBuilder at(nest);
      func::CallOp::create(
          at, nest.getLoc(), function,
          SmallVector<Value>(arguments.begin(), arguments.end()));
      nest->erase();
    }
  }
};

} // namespace
