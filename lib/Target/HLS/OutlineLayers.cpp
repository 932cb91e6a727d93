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

#include "qcc/Target/CPU/Passes.h"

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
    Block &block = topFunc.getBody().front();
    // Allocations, constants and weights first, in order: the nests of one
    // node are then adjacent.
    SmallVector<Operation *> hoisted;
    for (Operation &op : block)
      if (op.getNumOperands() == 0 && op.getNumRegions() == 0 &&
          !op.hasTrait<OpTrait::IsTerminator>())
        hoisted.push_back(&op);
    for (Operation *op : llvm::reverse(hoisted))
      op->moveBefore(&block, block.begin());
    // Runs of nests of one node.
    SmallVector<SmallVector<scf::ForOp>> groups;
    std::string current;
    bool afterNest = false;
    for (Operation &op : block) {
      auto nest = dyn_cast<scf::ForOp>(op);
      if (!nest) {
        afterNest = false;
        continue;
      }
      std::string name = layerName(nest.getLoc());
      if (afterNest && name == current)
        groups.back().push_back(nest);
      else
        groups.push_back({nest});
      current = name;
      afterNest = true;
    }

    SymbolTable symbols(module);
    MLIRContext *ctx = &getContext();
    unsigned count = 0;
    for (SmallVector<scf::ForOp> &group : groups) {
      llvm::DenseSet<Operation *> members;
      for (scf::ForOp nest : group)
        members.insert(nest);
      auto inGroup = [&](Operation *user) {
        while (user && !members.contains(user))
          user = user->getParentOp();
        return user != nullptr;
      };
      SetVector<Value> captured;
      for (scf::ForOp nest : group) {
        getUsedValuesDefinedAbove(nest->getRegions(), captured);
        captured.insert(nest->getOperands().begin(), nest->getOperands().end());
      }
      // Arguments: buffers used elsewhere too; buffers only this node
      // uses (a pad's window, an accumulator) become its own arrays.
      SetVector<Value> arguments;
      SmallVector<Value> recreated;
      for (Value v : captured) {
        Operation *def = v.getDefiningOp();
        const bool local = def && isa<memref::AllocOp>(def) &&
                           llvm::all_of(v.getUsers(), inGroup);
        if (qcc::cpu::isRecreatedWhenOutlined(v) || local)
          recreated.push_back(v);
        else
          arguments.insert(v);
      }
      SmallVector<Type> types;
      for (Value v : arguments)
        types.push_back(v.getType());
      OpBuilder b(module.getBody(), module.getBody()->end());
      std::string name = layerName(group.front().getLoc());
      auto function = func::FuncOp::create(
          b, group.front().getLoc(), top + "_layer" + std::to_string(count++),
          FunctionType::get(ctx, types, {}));
      function.setPrivate();
      function->setAttr(
          "hls.layer", StringAttr::get(ctx, name.empty() ? "(unnamed)" : name));
      Block *body = function.addEntryBlock();
      b.setInsertionPointToStart(body);
      IRMapping mapping;
      for (auto [value, argument] : llvm::zip(arguments, body->getArguments()))
        mapping.map(value, argument);
      for (Value v : recreated)
        mapping.map(v, b.clone(*v.getDefiningOp())->getResult(0));
      for (scf::ForOp nest : group)
        b.clone(*nest, mapping);
      func::ReturnOp::create(b, group.front().getLoc());
      symbols.insert(function);
      OpBuilder at(group.front());
      func::CallOp::create(
          at, group.front().getLoc(), function,
          SmallVector<Value>(arguments.begin(), arguments.end()));
      for (scf::ForOp nest : group)
        nest->erase();
      for (Value v : recreated)
        if (v.use_empty() && isa<memref::AllocOp>(v.getDefiningOp()))
          v.getDefiningOp()->erase();
    }
  }
};

} // namespace
