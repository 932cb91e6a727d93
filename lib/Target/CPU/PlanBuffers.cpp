//===- PlanBuffers.cpp - A function's buffers in one arena ----------------===//
//
// The buffer deallocation pipeline frees each buffer at the end of its
// block, so a model's activations were all live until it returned, each a
// block of its own: every layer wrote its output into memory last touched
// a whole run before, long out of the cache. This pass gives the buffers
// of a function's body block offsets in one arena by their live ranges
// (greedy by size, as TFLite's arena planner does), so that memory whose
// contents are dead is reused at once, while it is still in the cache.
//
//===----------------------------------------------------------------------===//

#include "qcc/Target/CPU/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Interfaces/ViewLikeInterface.h"

#include <algorithm>

namespace qcc::cpu {
#define GEN_PASS_DEF_CPUPLANBUFFERS
#include "qcc/Target/CPU/Passes.h.inc"
} // namespace qcc::cpu

using namespace mlir;

namespace {

constexpr int64_t kAlignment = 64;

int64_t alignUp(int64_t bytes) {
  return (bytes + kAlignment - 1) / kAlignment * kAlignment;
}

/// A buffer the arena takes: live at the positions [first, last] of the
/// body block's ops.
struct Buffer {
  memref::AllocOp alloc;
  memref::DeallocOp dealloc;
  int64_t bytes = 0;
  unsigned first = 0, last = 0;
  int64_t offset = 0;
};

/// The bytes of a static, identity-layout buffer of whole-byte elements in
/// the default memory space at the arena's alignment or less; nullopt for
/// any other.
std::optional<int64_t> plannableBytes(memref::AllocOp alloc) {
  MemRefType type = alloc.getType();
  if (!type.hasStaticShape() || !type.getLayout().isIdentity() ||
      type.getMemorySpace() || !alloc.getDynamicSizes().empty() ||
      !alloc.getSymbolOperands().empty())
    return std::nullopt;
  if (alloc.getAlignment() && *alloc.getAlignment() > kAlignment)
    return std::nullopt;
  Type element = type.getElementType();
  if (!isa<IntegerType, FloatType>(element) ||
      element.getIntOrFloatBitWidth() % 8 != 0)
    return std::nullopt;
  return type.getNumElements() * (element.getIntOrFloatBitWidth() / 8);
}

/// The live range of `alloc` in `body`, or failure if it escapes: a use
/// outside the block's ops, a deallocation other than one memref.dealloc in
/// the block, or a use whose result aliases it other than a view.
LogicalResult liveRange(memref::AllocOp alloc, Block &body,
                        const DenseMap<Operation *, unsigned> &position,
                        Buffer &buffer) {
  buffer.first = buffer.last = position.lookup(alloc);
  SmallVector<Value> aliases = {alloc.getResult()};
  while (!aliases.empty()) {
    Value value = aliases.pop_back_val();
    for (OpOperand &use : value.getUses()) {
      Operation *user = use.getOwner();
      if (auto dealloc = dyn_cast<memref::DeallocOp>(user)) {
        if (value != alloc.getResult() || buffer.dealloc ||
            dealloc->getBlock() != &body)
          return failure();
        buffer.dealloc = dealloc;
        continue;
      }
      Operation *top = body.findAncestorOpInBlock(*user);
      if (!top || user->hasTrait<OpTrait::IsTerminator>())
        return failure();
      buffer.last = std::max(buffer.last, position.lookup(top));
      auto view = dyn_cast<ViewLikeOpInterface>(user);
      if ((view && view.getViewSource() == value) ||
          isa<memref::CastOp>(user)) {
        aliases.append(user->result_begin(), user->result_end());
        continue;
      }
      // Calls, linalg ops on buffers, loads, stores, copies: they read or
      // write it and keep nothing of it. Anything that yields a shaped
      // value might alias it.
      if (llvm::any_of(user->getResultTypes(),
                       [](Type t) { return isa<ShapedType>(t); }))
        return failure();
    }
  }
  return success(buffer.dealloc != nullptr);
}

/// Offsets for `buffers`, largest first, each at the lowest aligned offset
/// that overlaps no placed buffer live at the same time; the arena's size.
int64_t place(MutableArrayRef<Buffer> buffers) {
  SmallVector<Buffer *> order;
  for (Buffer &b : buffers)
    order.push_back(&b);
  llvm::sort(order, [](const Buffer *a, const Buffer *b) {
    return a->bytes != b->bytes ? a->bytes > b->bytes : a->first < b->first;
  });
  SmallVector<Buffer *> placed;
  int64_t size = 0;
  for (Buffer *b : order) {
    SmallVector<Buffer *> live;
    for (Buffer *p : placed)
      if (p->first <= b->last && b->first <= p->last)
        live.push_back(p);
    llvm::sort(live, [](const Buffer *x, const Buffer *y) {
      return x->offset < y->offset;
    });
    int64_t offset = 0;
    for (Buffer *p : live) {
      if (offset + b->bytes <= p->offset)
        break;
      offset = std::max(offset, alignUp(p->offset + p->bytes));
    }
    b->offset = offset;
    size = std::max(size, offset + b->bytes);
    placed.push_back(b);
  }
  return alignUp(size);
}

struct CPUPlanBuffersPass
    : qcc::cpu::impl::CPUPlanBuffersBase<CPUPlanBuffersPass> {
  void runOnOperation() override {
    func::FuncOp func = getOperation();
    if (func.isExternal() || !func.getBody().hasOneBlock())
      return;
    Block &body = func.getBody().front();
    DenseMap<Operation *, unsigned> position;
    unsigned index = 0;
    for (Operation &op : body)
      position[&op] = index++;
    SmallVector<Buffer> buffers;
    for (auto alloc : body.getOps<memref::AllocOp>()) {
      std::optional<int64_t> bytes = plannableBytes(alloc);
      Buffer buffer;
      if (!bytes || *bytes == 0 ||
          failed(liveRange(alloc, body, position, buffer)))
        continue;
      buffer.alloc = alloc;
      buffer.bytes = *bytes;
      buffers.push_back(buffer);
    }
    if (buffers.size() < 2)
      return;
    const int64_t size = place(buffers);

    Location loc = func.getLoc();
    OpBuilder b(&body, body.begin());
    Value arena =
        memref::AllocOp::create(b, loc, MemRefType::get({size}, b.getI8Type()),
                                b.getI64IntegerAttr(kAlignment));
    for (Buffer &buffer : buffers) {
      b.setInsertionPoint(buffer.alloc);
      Value offset = arith::ConstantIndexOp::create(b, buffer.alloc.getLoc(),
                                                    buffer.offset);
      Value view = memref::ViewOp::create(b, buffer.alloc.getLoc(),
                                          buffer.alloc.getType(), arena, offset,
                                          ValueRange{});
      buffer.alloc.getResult().replaceAllUsesWith(view);
      buffer.dealloc.erase();
      buffer.alloc.erase();
    }
    b.setInsertionPoint(body.getTerminator());
    memref::DeallocOp::create(b, loc, arena);
  }
};

} // namespace
