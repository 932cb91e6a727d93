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

#include "mlir/IR/PatternMatch.h"

namespace qcc::nvptx {
#define GEN_PASS_DEF_GPUDEVICEBUFFERS
#include "qcc/Target/NVPTX/Passes.h.inc"
} // namespace qcc::nvptx

using namespace mlir;

namespace {

bool isInLaunch(Operation *op) {
  return op->getParentOfType<gpu::LaunchOp>() != nullptr;
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

    // Arguments: copied in now, and back out before returning.
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
      Value device = allocate(loc, type);
      Operation *in = memcpy(loc, device, arg);
      rewriter.replaceAllUsesExcept(arg, device, in);
      copiedOut.push_back({arg, device});
    }
    // Constant globals: the weights.
    SmallVector<memref::GetGlobalOp> globals;
    func.walk([&](memref::GetGlobalOp get) {
      if (!isInLaunch(get))
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
