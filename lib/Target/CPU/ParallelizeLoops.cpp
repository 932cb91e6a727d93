//===- ParallelizeLoops.cpp - Outlined loop nests shared among threads ----===//
//
// The loop nests left in the generated code (a transformer's softmax,
// LayerNorm and attention products in float, element-wise chains, copies)
// ran on one thread while the kernels used all of them: a ViT at 2 threads
// left its second thread idle most of the time. Each nest that
// qcc-cpu-outline-loops moved into a function of its own, and that is
// large enough, is split along one of its parallel dimensions among the
// kernels' threads:
//
//   - @qcc_loops_N_range(begin, end, args...) runs the nest on the rows
//     [begin, end) of that dimension (subviews of the operands that use
//     it);
//   - @qcc_loops_N_task(ctx, begin, end) reads the arguments back from a
//     context of 64-bit words (a buffer's aligned address, a scalar's bits)
//     and calls the range function: one signature for all nests;
//   - the call of @qcc_loops_N becomes qcc_ukernel_parallel_for(task, ctx,
//     extent, work) (Ukernel/Threads.c), which runs the task over parts of
//     [0, extent) on the thread pool, or at once on one thread when the
//     work (iterations) is small.
//
// Each thread writes its own rows of the outputs, so the results are the
// same bytes as on one thread.
//
//===----------------------------------------------------------------------===//

#include "qcc/Target/CPU/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/IRMapping.h"
#include "mlir/IR/SymbolTable.h"

namespace qcc::cpu {
#define GEN_PASS_DEF_CPUPARALLELIZELOOPS
#include "qcc/Target/CPU/Passes.h.inc"
} // namespace qcc::cpu

using namespace mlir;

namespace {

constexpr StringLiteral kParallelFor = "qcc_ukernel_parallel_for";

/// The single linalg op of an outlined nest's function (besides the
/// constants it recreates), or null.
linalg::LinalgOp getNest(func::FuncOp function) {
  if (function.isExternal() || !function.getBody().hasOneBlock())
    return nullptr;
  linalg::LinalgOp nest;
  for (Operation &op : function.getBody().front()) {
    if (auto linalgOp = dyn_cast<linalg::LinalgOp>(op)) {
      if (nest)
        return nullptr;
      nest = linalgOp;
    } else if (op.getNumRegions() != 0 ||
               !(op.hasTrait<OpTrait::ConstantLike>() ||
                 isa<memref::GetGlobalOp, func::ReturnOp>(op))) {
      return nullptr;
    }
  }
  return nest;
}

/// A buffer whose descriptor the task rebuilds from its aligned address:
/// static shape, strides and offset.
bool hasStaticLayout(MemRefType type) {
  if (!type.hasStaticShape())
    return false;
  SmallVector<int64_t> strides;
  int64_t offset;
  return succeeded(type.getStridesAndOffset(strides, offset)) &&
         !ShapedType::isDynamic(offset) &&
         llvm::none_of(strides, ShapedType::isDynamic);
}

/// Arguments the task reads back from 64-bit words.
bool isPassable(Type type) {
  if (auto memref = dyn_cast<MemRefType>(type))
    return hasStaticLayout(memref) &&
           memref.getMemorySpace() == nullptr;
  if (type.isIndex())
    return true;
  if (auto integer = dyn_cast<IntegerType>(type))
    return integer.getWidth() <= 64;
  if (auto real = dyn_cast<FloatType>(type))
    return real.getWidth() <= 64;
  return false;
}

/// Rows enough for an even split among a few threads: the outermost
/// dimension with as many is split (each thread's rows contiguous), else
/// the longest.
constexpr int64_t kEvenSplitRows = 16;

/// The parallel dimension to split, among those that every operand reads
/// as a plain index at most once and through no other index expression:
/// the outermost of kEvenSplitRows or more, else the longest; none when
/// the body reads linalg.index (its rows would need an offset) or the loop
/// ranges are not static.
std::optional<unsigned> getSplitDimension(linalg::LinalgOp nest) {
  if (!nest.hasPureBufferSemantics() ||
      !nest->getRegion(0).getOps<linalg::IndexOp>().empty())
    return std::nullopt;
  SmallVector<int64_t> ranges = nest.getStaticLoopRanges();
  if (llvm::any_of(ranges, ShapedType::isDynamic))
    return std::nullopt;
  std::optional<unsigned> best;
  for (auto [d, iterator] : llvm::enumerate(nest.getIteratorTypesArray())) {
    if (best && ranges[*best] >= kEvenSplitRows)
      break;
    if (iterator != utils::IteratorType::parallel || ranges[d] < 2 ||
        (best && ranges[d] <= ranges[*best]))
      continue;
    bool plain = true;
    for (OpOperand &operand : nest->getOpOperands()) {
      AffineMap map = nest.getMatchingIndexingMap(&operand);
      unsigned uses = 0;
      for (AffineExpr result : map.getResults()) {
        if (result == getAffineDimExpr(d, nest.getContext()))
          ++uses;
        else if (result.isFunctionOfDim(d))
          plain = false;
      }
      plain = plain && uses <= 1;
    }
    if (plain)
      best = d;
  }
  return best;
}

/// @name_range(begin, end, args...): the nest on rows [begin, end) of
/// dimension `d`.
func::FuncOp createRangeFunction(func::FuncOp function, unsigned d,
                                 SymbolTable &symbols) {
  MLIRContext *ctx = function.getContext();
  OpBuilder b(function);
  Type index = b.getIndexType();
  SmallVector<Type> types = {index, index};
  llvm::append_range(types, function.getArgumentTypes());
  auto range = func::FuncOp::create(
      b, function.getLoc(), (function.getSymName() + "_range").str(),
      FunctionType::get(ctx, types, {}));
  range.setPrivate();
  range->setAttr("passthrough", function->getAttr("passthrough"));
  Block *body = range.addEntryBlock();
  b.setInsertionPointToStart(body);
  IRMapping mapping;
  for (auto [from, to] : llvm::zip(function.getArguments(),
                                   body->getArguments().drop_front(2)))
    mapping.map(from, to);
  for (Operation &op : function.getBody().front())
    b.clone(op, mapping);
  symbols.insert(range);

  linalg::LinalgOp nest = getNest(range);
  b.setInsertionPoint(nest);
  Location loc = nest.getLoc();
  Value begin = body->getArgument(0), end = body->getArgument(1);
  Value rows = arith::SubIOp::create(b, loc, end, begin);
  for (OpOperand &operand : nest->getOpOperands()) {
    auto type = dyn_cast<MemRefType>(operand.get().getType());
    if (!type)
      continue;
    AffineMap map = nest.getMatchingIndexingMap(&operand);
    std::optional<unsigned> position =
        map.getResultPosition(getAffineDimExpr(d, ctx));
    if (!position)
      continue;
    SmallVector<OpFoldResult> offsets(type.getRank(), b.getIndexAttr(0)),
        sizes, strides(type.getRank(), b.getIndexAttr(1));
    for (int64_t size : type.getShape())
      sizes.push_back(b.getIndexAttr(size));
    offsets[*position] = begin;
    sizes[*position] = rows;
    operand.set(memref::SubViewOp::create(b, loc, operand.get(), offsets,
                                          sizes, strides));
  }
  return range;
}

/// @name_task(ctx, begin, end): the range function on the arguments the
/// caller stored at ctx, one 64-bit word each.
func::FuncOp createTaskFunction(func::FuncOp function, func::FuncOp range,
                                SymbolTable &symbols) {
  MLIRContext *ctx = function.getContext();
  OpBuilder b(function);
  Location loc = function.getLoc();
  Type i64 = b.getI64Type();
  auto task = func::FuncOp::create(
      b, loc, (function.getSymName() + "_task").str(),
      FunctionType::get(ctx, {i64, i64, i64}, {}));
  task.setPrivate();
  Block *body = task.addEntryBlock();
  b.setInsertionPointToStart(body);
  auto ptr = LLVM::LLVMPointerType::get(ctx);
  Value context = LLVM::IntToPtrOp::create(b, loc, ptr, body->getArgument(0));
  SmallVector<Value> arguments = {
      arith::IndexCastOp::create(b, loc, b.getIndexType(),
                                 body->getArgument(1)),
      arith::IndexCastOp::create(b, loc, b.getIndexType(),
                                 body->getArgument(2))};
  for (auto [i, type] : llvm::enumerate(function.getArgumentTypes())) {
    Value address = LLVM::GEPOp::create(
        b, loc, ptr, i64, context,
        ArrayRef<LLVM::GEPArg>{static_cast<int32_t>(i)});
    Value word = LLVM::LoadOp::create(b, loc, i64, address);
    if (auto memref = dyn_cast<MemRefType>(type)) {
      // The descriptor {allocated, aligned, offset, sizes, strides} of a
      // buffer of static layout: everything but the address is constant.
      SmallVector<int64_t> strides;
      int64_t offset;
      (void)memref.getStridesAndOffset(strides, offset);
      const int64_t rank = memref.getRank();
      SmallVector<Type> fields = {ptr, ptr, i64};
      if (rank > 0) {
        fields.push_back(LLVM::LLVMArrayType::get(i64, rank));
        fields.push_back(LLVM::LLVMArrayType::get(i64, rank));
      }
      auto descriptorType = LLVM::LLVMStructType::getLiteral(ctx, fields);
      Value base = LLVM::IntToPtrOp::create(b, loc, ptr, word);
      Value descriptor = LLVM::PoisonOp::create(b, loc, descriptorType);
      auto insert = [&](Value v, ArrayRef<int64_t> position) {
        descriptor =
            LLVM::InsertValueOp::create(b, loc, descriptor, v, position);
      };
      auto constant = [&](int64_t v) -> Value {
        return LLVM::ConstantOp::create(b, loc, i64, v);
      };
      insert(base, {0});
      insert(base, {1});
      insert(constant(offset), {2});
      for (int64_t k = 0; k < rank; ++k) {
        insert(constant(memref.getDimSize(k)), {3, k});
        insert(constant(strides[k]), {4, k});
      }
      arguments.push_back(
          UnrealizedConversionCastOp::create(b, loc, type, descriptor)
              .getResult(0));
      continue;
    }
    if (type.isIndex()) {
      arguments.push_back(
          arith::IndexCastOp::create(b, loc, b.getIndexType(), word));
      continue;
    }
    const unsigned width = type.getIntOrFloatBitWidth();
    Value bits = word;
    if (width < 64)
      bits = arith::TruncIOp::create(b, loc, b.getIntegerType(width), word);
    if (isa<FloatType>(type))
      bits = arith::BitcastOp::create(b, loc, type, bits);
    arguments.push_back(bits);
  }
  func::CallOp::create(b, loc, range, arguments);
  func::ReturnOp::create(b, loc);
  symbols.insert(task);
  return task;
}

/// The call's arguments as 64-bit words in a context on the caller's stack
/// (allocated once at the start of its function).
Value storeContext(OpBuilder &b, func::CallOp call) {
  Location loc = call.getLoc();
  Type i64 = b.getI64Type();
  auto caller = call->getParentOfType<func::FuncOp>();
  Value context;
  {
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPointToStart(&caller.getBody().front());
    context = memref::AllocaOp::create(
        b, loc,
        MemRefType::get({static_cast<int64_t>(call.getNumOperands())}, i64));
  }
  for (auto [i, value] : llvm::enumerate(call.getOperands())) {
    Type type = value.getType();
    Value word;
    if (isa<MemRefType>(type)) {
      word = arith::IndexCastOp::create(
          b, loc, i64,
          memref::ExtractAlignedPointerAsIndexOp::create(b, loc, value));
    } else if (type.isIndex()) {
      word = arith::IndexCastOp::create(b, loc, i64, value);
    } else {
      const unsigned width = type.getIntOrFloatBitWidth();
      word = value;
      if (isa<FloatType>(type))
        word = arith::BitcastOp::create(b, loc, b.getIntegerType(width), word);
      if (width < 64)
        word = arith::ExtUIOp::create(b, loc, i64, word);
    }
    Value position = arith::ConstantIndexOp::create(b, loc, i);
    memref::StoreOp::create(b, loc, word, context, position);
  }
  return arith::IndexCastOp::create(
      b, loc, i64,
      memref::ExtractAlignedPointerAsIndexOp::create(b, loc, context));
}

struct CPUParallelizeLoopsPass
    : qcc::cpu::impl::CPUParallelizeLoopsBase<CPUParallelizeLoopsPass> {
  using Base::Base;

  void runOnOperation() override {
    ModuleOp module = getOperation();
    SymbolTable symbols(module);
    MLIRContext *ctx = &getContext();
    // Nests called once, from the model's code, with arguments the task
    // can read back.
    DenseMap<func::FuncOp, SmallVector<func::CallOp>> calls;
    module.walk([&](func::CallOp call) {
      if (auto callee = symbols.lookup<func::FuncOp>(call.getCallee()))
        calls[callee].push_back(call);
    });
    Type i64 = IntegerType::get(ctx, 64);
    auto taskType = FunctionType::get(ctx, {i64, i64, i64}, {});
    func::FuncOp parallelFor;
    SmallVector<func::FuncOp> functions(module.getOps<func::FuncOp>());
    for (func::FuncOp function : functions) {
      auto it = calls.find(function);
      if (it == calls.end() || it->second.size() != 1 ||
          !function.isPrivate() || function.getNumResults() != 0 ||
          !llvm::all_of(function.getArgumentTypes(), isPassable))
        continue;
      linalg::LinalgOp nest = getNest(function);
      if (!nest)
        continue;
      std::optional<unsigned> d = getSplitDimension(nest);
      if (!d)
        continue;
      // The work: iterations times the body's operations (an exp or a
      // division counts as one), what the thread count is decided on.
      int64_t iterations = 1;
      for (int64_t range : nest.getStaticLoopRanges())
        iterations *= range;
      const int64_t bodyOps = std::max<int64_t>(
          1, static_cast<int64_t>(nest->getRegion(0).front().getOperations().size()) - 1);
      const int64_t work = iterations * bodyOps;
      if (work < minWork)
        continue;

      func::FuncOp range = createRangeFunction(function, *d, symbols);
      func::FuncOp task = createTaskFunction(function, range, symbols);
      if (!parallelFor) {
        OpBuilder b(module.getBody(), module.getBody()->end());
        parallelFor = symbols.lookup<func::FuncOp>(kParallelFor);
        if (!parallelFor) {
          parallelFor = func::FuncOp::create(
              b, module.getLoc(), kParallelFor,
              FunctionType::get(ctx, {taskType, i64, i64, i64}, {}));
          parallelFor.setPrivate();
          symbols.insert(parallelFor);
        }
      }
      func::CallOp call = it->second.front();
      OpBuilder b(call);
      Location loc = call.getLoc();
      Value context = storeContext(b, call);
      Value callee = func::ConstantOp::create(b, loc, taskType,
                                              SymbolRefAttr::get(task));
      auto constant = [&](int64_t v) -> Value {
        return arith::ConstantOp::create(b, loc, b.getI64IntegerAttr(v));
      };
      func::CallOp::create(
          b, loc, parallelFor,
          ValueRange{callee, context,
                     constant(nest.getStaticLoopRanges()[*d]),
                     constant(work)});
      call.erase();
      function.erase();
    }
  }
};

} // namespace
