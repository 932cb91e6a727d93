//===- TensorCoreContractions.cpp - int8 products on tensor cores ---------===//
//
// The integer matrix products (fully connected layers, and convolutions
// after im2col) are where int8 models spend their time. Each becomes a
// launch of warp-level vector code - 16x8 tiles of the result accumulated
// over 32-deep slices of K - which upstream's convert-vector-to-gpu maps
// onto mma.sync m16n8k32 s8 with the fragment layouts it knows. Padding
// every dimension to the tile shape keeps the kernel free of edge cases.
//
//===----------------------------------------------------------------------===//

#include "qcc/Target/NVPTX/Passes.h"

#include "BatchedProduct.h"

#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/IR/SymbolTable.h"

namespace qcc::nvptx {
#define GEN_PASS_DEF_GPUTENSORCORECONTRACTIONS
#include "qcc/Target/NVPTX/Passes.h.inc"
} // namespace qcc::nvptx

using namespace mlir;

namespace {

constexpr int64_t kTileM = 16, kTileN = 8, kTileK = 32;
/// Reductions up to this length cannot leave int32 (with a bias below
/// 2^30), so the tensor cores' saturation never differs from wrapping.
constexpr int64_t kMaxReduction = 65536;

struct GPUTensorCoreContractionsPass
    : qcc::nvptx::impl::GPUTensorCoreContractionsBase<
          GPUTensorCoreContractionsPass> {
  using Base::Base;

  void runOnOperation() override {
    if (warpsPerBlock < 1 || warpsPerBlock > 32) {
      getOperation().emitError("warps-per-block must be in [1, 32], not ")
          << warpsPerBlock;
      return signalPassFailure();
    }
    SmallVector<linalg::GenericOp> products;
    getOperation().walk([&](linalg::GenericOp op) { products.push_back(op); });
    for (linalg::GenericOp op : products)
      rewrite(op);
  }

  /// After the warp has stored its tile of C: `consumer` on each element
  /// of the tile inside C, the 128 elements spread over the 32 lanes (4
  /// each; 8 lanes a row, so that a row is read and written together).
  /// Lane-level code (`qcc.per_lane`): qcc-gpu-vector-to-mma puts a warp
  /// barrier in front of it, which orders the lanes' stores before the
  /// loads.
  static void emitLaneEpilogue(OpBuilder &b1, Location loc,
                               gpu::LaunchOp launch, Value inRange,
                               int64_t warpsPerBlock, int64_t tilesN,
                               Value cPadded, int64_t M, int64_t P,
                               linalg::GenericOp consumer,
                               const qcc::nvptx::BatchedProduct &product) {
    MLIRContext *ctx = b1.getContext();
    auto epilogue = scf::IfOp::create(b1, loc, inRange, /*withElse=*/false);
    epilogue->setAttr("qcc.per_lane", UnitAttr::get(ctx));
    OpBuilder b2(epilogue.thenBlock()->getTerminator());
    AffineExpr d0, d1;
    bindDims(ctx, d0, d1);
    auto index = [&](OpBuilder &b, int64_t v) {
      return arith::ConstantIndexOp::create(b, loc, v).getResult();
    };
    Value tile = affine::AffineApplyOp::create(
        b2, loc, AffineMap::get(2, 0, {d0 * warpsPerBlock + d1}, ctx),
        ValueRange{launch.getBlockIds().x, launch.getThreadIds().y});
    Value lane = launch.getThreadIds().x;
    auto loop = scf::ForOp::create(b2, loc, index(b2, 0),
                                   index(b2, kTileM * kTileN), index(b2, 32));
    OpBuilder b3 = OpBuilder::atBlockBegin(loop.getBody());
    // Element e = step + lane of the tile: row e / 8, column e % 8.
    Value row = affine::AffineApplyOp::create(
        b3, loc,
        AffineMap::get(3, 0,
                       {d0.floorDiv(tilesN) * kTileM +
                        (getAffineDimExpr(1, ctx) + getAffineDimExpr(2, ctx))
                            .floorDiv(kTileN)},
                       ctx),
        ValueRange{tile, loop.getInductionVar(), lane});
    Value column = affine::AffineApplyOp::create(
        b3, loc,
        AffineMap::get(
            3, 0,
            {(d0 % tilesN) * kTileN +
             (getAffineDimExpr(1, ctx) + getAffineDimExpr(2, ctx)) % kTileN},
            ctx),
        ValueRange{tile, loop.getInductionVar(), lane});
    Value inside = arith::AndIOp::create(
        b3, loc,
        arith::CmpIOp::create(b3, loc, arith::CmpIPredicate::ult, row,
                              index(b3, M)),
        arith::CmpIOp::create(b3, loc, arith::CmpIPredicate::ult, column,
                              index(b3, P)));
    auto store = scf::IfOp::create(b3, loc, inside, /*withElse=*/false);
    OpBuilder b4(store.thenBlock()->getTerminator());
    Value result =
        memref::LoadOp::create(b4, loc, cPadded, ValueRange{row, column});
    qcc::nvptx::emitConsumerElement(b4, loc, consumer, product, result, row,
                                    column);
  }

  void rewrite(linalg::GenericOp op) {
    std::optional<qcc::nvptx::BatchedProduct> product =
        qcc::nvptx::matchBatchedProduct(op);
    if (!product || product->k > kMaxReduction)
      return;
    Value a = product->a, b = product->b, c = product->c;
    const int64_t M = product->m, K = product->k, P = product->p;
    const std::optional<std::vector<int8_t>> &weights = product->constantA;
    const int64_t Mp = llvm::alignTo(M, kTileM), Kp = llvm::alignTo(K, kTileK),
                  Pp = llvm::alignTo(P, kTileN);

    MLIRContext *ctx = op.getContext();
    Location loc = op.getLoc();
    // The requantization that reads C, applied by the warp to its tile
    // (below): no kernel of its own. The launch takes its place (what lies
    // in between writes no memory, and may define its operands).
    linalg::GenericOp consumer =
        qcc::nvptx::findElementwiseConsumer(op, *product);
    OpBuilder b0(consumer ? consumer.getOperation() : op.getOperation());
    // A constant A, padded with zeros to whole tiles, as a global of its
    // own (read in the kernel: on the device with the module).
    auto weightType = MemRefType::get({Mp, Kp}, b0.getI8Type());
    memref::GlobalOp global;
    if (weights) {
      auto module = op->getParentOfType<ModuleOp>();
      std::vector<int8_t> padded(Mp * Kp, 0);
      for (int64_t i = 0; i < M; ++i)
        std::copy_n(weights->begin() + i * K, K, padded.begin() + i * Kp);
      auto tensorType = RankedTensorType::get({Mp, Kp}, b0.getI8Type());
      OpBuilder moduleBuilder(ctx); // no insertion point: the table inserts
      global = memref::GlobalOp::create(
          moduleBuilder, loc, "__qcc_mma_weight",
          moduleBuilder.getStringAttr("private"), weightType,
          DenseElementsAttr::get(tensorType, ArrayRef<int8_t>(padded)),
          /*constant=*/true, /*alignment=*/moduleBuilder.getI64IntegerAttr(16));
      SymbolTable(module).insert(global, module.getBody()->begin());
    }

    // B and C as matrices, copied into zero-padded buffers when their
    // sizes are not whole tiles.
    auto matrix = [&](Value v) {
      return memref::CollapseShapeOp::create(
          b0, loc, v, ArrayRef<ReassociationIndices>{{0, 1}, {2}});
    };
    auto paddedCopy = [&](Value v, int64_t rows, int64_t cols,
                          Type element) -> Value {
      auto type = cast<MemRefType>(v.getType());
      if (type.getDimSize(0) == rows && type.getDimSize(1) == cols)
        return v;
      Value buffer = memref::AllocOp::create(
          b0, loc, MemRefType::get({rows, cols}, element));
      Value zero = arith::ConstantOp::create(b0, loc, b0.getZeroAttr(element));
      linalg::FillOp::create(b0, loc, zero, buffer);
      Value window = memref::SubViewOp::create(
          b0, loc, buffer, ArrayRef<int64_t>{0, 0}, type.getShape(),
          ArrayRef<int64_t>{1, 1});
      linalg::CopyOp::create(b0, loc, v, window);
      return buffer;
    };
    Value aPadded = weights ? Value() : paddedCopy(a, Mp, Kp, b0.getI8Type());
    Value bMatrix = matrix(b), cMatrix = matrix(c);
    Value bPadded = paddedCopy(bMatrix, Kp, Pp, b0.getI8Type());
    Value cPadded = paddedCopy(cMatrix, Mp, Pp, b0.getI32Type());

    // One warp per 16x8 tile of C.
    const int64_t tilesN = Pp / kTileN, tiles = (Mp / kTileM) * tilesN;
    auto index = [&](int64_t v) {
      return arith::ConstantIndexOp::create(b0, loc, v).getResult();
    };
    Value one = index(1);
    auto launch = gpu::LaunchOp::create(
        b0, loc, index(llvm::divideCeil(tiles, warpsPerBlock)), one, one,
        index(32), index(warpsPerBlock), one);
    launch->setAttr("qcc.warp_uniform", UnitAttr::get(ctx));
    OpBuilder b1 = OpBuilder::atBlockBegin(&launch.getBody().front());
    AffineExpr d0, d1;
    bindDims(ctx, d0, d1);
    Value tile = affine::AffineApplyOp::create(
        b1, loc, AffineMap::get(2, 0, {d0 * warpsPerBlock + d1}, ctx),
        ValueRange{launch.getBlockIds().x, launch.getThreadIds().y});
    Value inRange = arith::CmpIOp::create(
        b1, loc, arith::CmpIPredicate::ult, tile,
        arith::ConstantIndexOp::create(b1, loc, tiles));
    auto guard = scf::IfOp::create(b1, loc, inRange, /*withElse=*/false);
    // What qcc-gpu-vector-to-mma maps onto mma.sync.
    guard->setAttr("qcc.warp_tile", UnitAttr::get(ctx));
    auto terminator = gpu::TerminatorOp::create(b1, loc);
    b1.setInsertionPoint(terminator);
    OpBuilder b2(guard.thenBlock()->getTerminator());
    Value m0 = affine::AffineApplyOp::create(
        b2, loc, AffineMap::get(1, 0, {d0.floorDiv(tilesN) * kTileM}, ctx),
        ValueRange{tile});
    Value n0 = affine::AffineApplyOp::create(
        b2, loc, AffineMap::get(1, 0, {(d0 % tilesN) * kTileN}, ctx),
        ValueRange{tile});
    Value weight = weights ? memref::GetGlobalOp::create(
                                 b2, loc, weightType, global.getSymName())
                                 .getResult()
                           : aPadded;
    Value i8Zero = arith::ConstantIntOp::create(b2, loc, 0, 8);
    Value i32Zero = arith::ConstantIntOp::create(b2, loc, 0, 32);
    auto accType = VectorType::get({kTileM, kTileN}, b2.getI32Type());
    const bool inBoundsFlags[] = {true, true};
    ArrayRef<bool> inBounds(inBoundsFlags);
    Value acc = vector::TransferReadOp::create(
        b2, loc, accType, cPadded, ValueRange{m0, n0}, i32Zero,
        AffineMap::getMultiDimIdentityMap(2, ctx), inBounds);
    Value zero = arith::ConstantIndexOp::create(b2, loc, 0);
    auto loop = scf::ForOp::create(
        b2, loc, zero, arith::ConstantIndexOp::create(b2, loc, Kp),
        arith::ConstantIndexOp::create(b2, loc, kTileK), ValueRange{acc});
    {
      OpBuilder b3 = OpBuilder::atBlockBegin(loop.getBody());
      Value k = loop.getInductionVar();
      Value aTile = vector::TransferReadOp::create(
          b3, loc, VectorType::get({kTileM, kTileK}, b3.getI8Type()), weight,
          ValueRange{m0, k}, i8Zero, AffineMap::getMultiDimIdentityMap(2, ctx),
          inBounds);
      // B's 32x8 tile, transposed: the column operand.
      Value bTile = vector::TransferReadOp::create(
          b3, loc, VectorType::get({kTileN, kTileK}, b3.getI8Type()), bPadded,
          ValueRange{k, n0}, i8Zero, AffineMap::get(2, 0, {d1, d0}, ctx),
          inBounds);
      AffineExpr m, n, kk;
      bindDims(ctx, m, n, kk);
      Value sum = vector::ContractionOp::create(
          b3, loc, aTile, bTile, loop.getRegionIterArgs()[0],
          b3.getAffineMapArrayAttr({AffineMap::get(3, 0, {m, kk}, ctx),
                                    AffineMap::get(3, 0, {n, kk}, ctx),
                                    AffineMap::get(3, 0, {m, n}, ctx)}),
          b3.getArrayAttr({vector::IteratorTypeAttr::get(
                               ctx, vector::IteratorType::parallel),
                           vector::IteratorTypeAttr::get(
                               ctx, vector::IteratorType::parallel),
                           vector::IteratorTypeAttr::get(
                               ctx, vector::IteratorType::reduction)}));
      scf::YieldOp::create(b3, loc, sum);
    }
    vector::TransferWriteOp::create(
        b2, loc, loop.getResult(0), cPadded, ValueRange{m0, n0},
        AffineMapAttr::get(AffineMap::getMultiDimIdentityMap(2, ctx)),
        b2.getBoolArrayAttr(inBounds));
    if (consumer) {
      emitLaneEpilogue(b1, loc, launch, inRange, warpsPerBlock, tilesN, cPadded,
                       M, P, consumer, *product);
      consumer.erase();
      op.erase();
      return;
    }
    // The result's part of the padded accumulator back into C.
    b0.setInsertionPointAfter(launch);
    if (cPadded != cMatrix) {
      Value window = memref::SubViewOp::create(
          b0, loc, cPadded, ArrayRef<int64_t>{0, 0}, ArrayRef<int64_t>{M, P},
          ArrayRef<int64_t>{1, 1});
      linalg::CopyOp::create(b0, loc, window, cMatrix);
    }
    op.erase();
  }
};

} // namespace
