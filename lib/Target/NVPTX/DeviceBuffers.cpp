//===- DeviceBuffers.cpp - The kernels' buffers in device memory ----------===//
//
// After the launches are formed, the host function still allocates, reads
// weights from and returns results through host memory, which kernels
// cannot touch. Every buffer a kernel can see gets a device counterpart:
// allocations move to the device, arguments and constant globals are copied
// in, arguments copied back out, and everything is freed at the end.
//
//===----------------------------------------------------------------------===//

#include "qcc/Target/NVPTX/Passes.h"

#include "mlir/IR/IRMapping.h"
#include "mlir/IR/Matchers.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/IR/SymbolTable.h"
#include "mlir/Interfaces/ViewLikeInterface.h"
#include "mlir/Transforms/RegionUtils.h"
#include "llvm/ADT/SetVector.h"

namespace qcc::nvptx {
#define GEN_PASS_DEF_GPUDEVICEBUFFERS
#include "qcc/Target/NVPTX/Passes.h.inc"
} // namespace qcc::nvptx

using namespace mlir;

namespace {

bool isInLaunch(Operation *op) {
  return op->getParentOfType<gpu::LaunchOp>() != nullptr;
}

/// The op defining `value` if it is a constant global or a view of one,
/// with the ops it depends on (in order), in `chain`.
bool isConstantGlobalView(Value value, SmallVectorImpl<Operation *> &chain) {
  Operation *op = value.getDefiningOp();
  if (!op)
    return false;
  if (auto get = dyn_cast<memref::GetGlobalOp>(op)) {
    auto global = SymbolTable::lookupNearestSymbolFrom<memref::GlobalOp>(
        get, get.getNameAttr());
    if (!global || !global.getConstant())
      return false;
    chain.push_back(op);
    return true;
  }
  if (!isa<ViewLikeOpInterface>(op) || op->getNumResults() != 1)
    return false;
  for (Value operand : op->getOperands()) {
    if (isa<MemRefType>(operand.getType())) {
      if (!isConstantGlobalView(operand, chain))
        return false;
    } else if (!matchPattern(operand, m_Constant())) {
      return false;
    } else {
      chain.push_back(operand.getDefiningOp());
    }
  }
  chain.push_back(op);
  return true;
}

/// Clones into `launch` the constant globals (and views of them) its body
/// reads from outside.
void sinkConstantGlobals(gpu::LaunchOp launch) {
  llvm::SetVector<Value> outside;
  getUsedValuesDefinedAbove(launch.getBody(), outside);
  OpBuilder b = OpBuilder::atBlockBegin(&launch.getBody().front());
  IRMapping mapping;
  for (Value value : outside) {
    SmallVector<Operation *> chain;
    if (!isa<MemRefType>(value.getType()) ||
        !isConstantGlobalView(value, chain))
      continue;
    for (Operation *op : chain)
      if (!mapping.contains(op->getResult(0)))
        b.clone(*op, mapping);
    replaceAllUsesInRegionWith(value, mapping.lookup(value), launch.getBody());
  }
}

/// Whether the function reads and writes the buffer `value` (through views
/// of it too); anything but loads, stores and copies counts as both.
struct Access {
  bool read = false, written = false;
};
void addAccesses(Value value, Access &access) {
  for (OpOperand &use : value.getUses()) {
    Operation *user = use.getOwner();
    if (isa<memref::LoadOp>(user)) {
      access.read = true;
    } else if (auto store = dyn_cast<memref::StoreOp>(user)) {
      (store.getMemRef() == value ? access.written : access.read) = true;
    } else if (auto copy = dyn_cast<memref::CopyOp>(user)) {
      (copy.getTarget() == value ? access.written : access.read) = true;
    } else if (isa<memref::DimOp, memref::ExtractStridedMetadataOp>(user)) {
      continue;
    } else if (auto view = dyn_cast<ViewLikeOpInterface>(user);
               view && view.getViewSource() == value) {
      addAccesses(user->getResult(0), access);
    } else if (auto launch = dyn_cast<gpu::LaunchOp>(user)) {
      access.read = access.written = true; // a launch operand: unknown
    } else {
      access.read = access.written = true;
    }
  }
}

struct GPUDeviceBuffersPass
    : qcc::nvptx::impl::GPUDeviceBuffersBase<GPUDeviceBuffersPass> {
  void runOnOperation() override {
    func::FuncOp func = getOperation();
    if (func.isExternal())
      return;
    bool hasLaunch = false;
    func.walk([&](gpu::LaunchOp) { hasLaunch = true; });
    if (!hasLaunch)
      return;
    if (!func.getBody().hasOneBlock()) {
      func.emitError("a host function of more than one block cannot move "
                     "its buffers to the device");
      return signalPassFailure();
    }
    Block &entry = func.getBody().front();
    auto ret = dyn_cast<func::ReturnOp>(entry.getTerminator());
    if (!ret) {
      func.emitError("the host function does not end in func.return");
      return signalPassFailure();
    }
    // The host may move views of device buffers around, nothing more.
    WalkResult illegal = func.walk([&](Operation *op) {
      if (isInLaunch(op))
        return WalkResult::skip();
      if (isa<memref::LoadOp, memref::StoreOp>(op)) {
        op->emitError("the host reads or writes a buffer outside any GPU "
                      "kernel (run qcc-gpu-map-parallel-loops first)");
        return WalkResult::interrupt();
      }
      if (isa<memref::AllocOp>(op) && op->getBlock() != &entry) {
        op->emitError("a buffer allocated inside host control flow cannot "
                      "be moved to the device");
        return WalkResult::interrupt();
      }
      if (auto copy = dyn_cast<memref::CopyOp>(op))
        for (Value side : {copy.getSource(), copy.getTarget()})
          if (!cast<MemRefType>(side.getType()).getLayout().isIdentity()) {
            op->emitError("a copy of a strided buffer outside any GPU "
                          "kernel (run convert-memref-copy-to-linalg "
                          "without memcpy rows, and map its loops)");
            return WalkResult::interrupt();
          }
      return WalkResult::advance();
    });
    if (illegal.wasInterrupted())
      return signalPassFailure();

    IRRewriter rewriter(&getContext());
    SmallVector<Value> deviceBuffers;
    Location loc = func.getLoc();
    auto allocate = [&](Location at, MemRefType type) {
      Value buffer =
          gpu::AllocOp::create(rewriter, at, type, /*asyncToken=*/Type(),
                               ValueRange{}, ValueRange{}, ValueRange{})
              .getMemref();
      deviceBuffers.push_back(buffer);
      return buffer;
    };
    auto memcpy = [&](Location at, Value target, Value source) {
      return gpu::MemcpyOp::create(rewriter, at, TypeRange{}, ValueRange{},
                                   target, source);
    };

    // Arguments: copied in now if the function reads them, and back out
    // before returning if it writes them (inputs are only read, the
    // outputs' buffers only written, before they are read back).
    SmallVector<std::pair<Value, Value>> copiedOut;
    rewriter.setInsertionPointToStart(&entry);
    for (BlockArgument arg : entry.getArguments()) {
      auto type = dyn_cast<MemRefType>(arg.getType());
      if (!type || arg.use_empty())
        continue;
      if (!type.getLayout().isIdentity()) {
        func.emitError("argument ")
            << arg.getArgNumber()
            << " is a strided buffer, which cannot be copied to the device";
        return signalPassFailure();
      }
      Access access;
      addAccesses(arg, access);
      Value device = allocate(loc, type);
      rewriter.replaceAllUsesWith(arg, device);
      if (access.read)
        memcpy(loc, device, arg);
      if (access.written)
        copiedOut.push_back({arg, device});
    }
    // Constant globals (the weights), and views of them, move into the
    // kernels that read them: outlining puts the globals in the kernels'
    // module, whose data the driver copies to the device once, when it
    // loads the module.
    func.walk([&](gpu::LaunchOp launch) { sinkConstantGlobals(launch); });
    SmallVector<memref::GetGlobalOp> globals;
    func.walk([&](memref::GetGlobalOp get) {
      if (!isInLaunch(get) && !get->use_empty())
        globals.push_back(get);
    });
    for (memref::GetGlobalOp get : globals) {
      rewriter.setInsertionPointAfter(get);
      Value device = allocate(get.getLoc(), get.getType());
      Operation *in = memcpy(get.getLoc(), device, get.getResult());
      rewriter.replaceAllUsesExcept(get.getResult(), device, in);
    }
    // Allocations and copies between buffers, on the device.
    SmallVector<Operation *> hostOps;
    func.walk([&](Operation *op) {
      if (!isInLaunch(op) &&
          isa<memref::AllocOp, memref::DeallocOp, memref::CopyOp>(op))
        hostOps.push_back(op);
    });
    for (Operation *op : hostOps) {
      rewriter.setInsertionPoint(op);
      if (auto alloc = dyn_cast<memref::AllocOp>(op)) {
        if (!alloc.getDynamicSizes().empty() ||
            !alloc.getSymbolOperands().empty()) {
          alloc.emitError("a buffer of dynamic size cannot be moved to the "
                          "device yet");
          return signalPassFailure();
        }
        rewriter.replaceOp(alloc, allocate(alloc.getLoc(), alloc.getType()));
      } else if (auto copy = dyn_cast<memref::CopyOp>(op)) {
        memcpy(copy.getLoc(), copy.getTarget(), copy.getSource());
        rewriter.eraseOp(copy);
      } else {
        rewriter.eraseOp(op); // freed below, with every other buffer
      }
    }
    rewriter.setInsertionPoint(ret);
    for (auto [host, device] : copiedOut)
      memcpy(ret.getLoc(), host, device);
    for (Value buffer : deviceBuffers)
      gpu::DeallocOp::create(rewriter, ret.getLoc(), TypeRange{}, ValueRange{},
                             buffer);
  }
};

} // namespace
