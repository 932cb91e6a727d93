//===- TensorCoreContractions.cpp - int8 products on tensor cores ---------===//
//
// The integer matrix products (fully connected layers, and convolutions
// after im2col) are where int8 models spend their time. Each becomes a
// launch of warp-level vector code - up to 2x4 tiles of 16x8 of the result
// per warp, accumulated over 32-deep slices of K - which upstream's
// convert-vector-to-gpu maps onto mma.sync m16n8k32 s8 with the fragment
// layouts it knows. Padding every dimension to the warp's tile keeps the
// kernel free of edge cases.
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

/// mma.sync m16n8k32: the tile of C one instruction computes.
constexpr int64_t kTileM = 16, kTileN = 8, kTileK = 32;
/// A warp's tile of C, in mma tiles: 2x4 (32x32) where the product is large
/// enough, so that each step over K loads 2 tiles of A and 4 of B for 8
/// instructions (a 16x8 tile alone: 1 and 1 for 1); smaller ones (down to
/// one mma tile) where C is too small for it.
struct WarpTile {
  int64_t m = 1, n = 1;
  static WarpTile choose(int64_t M, int64_t P) {
    WarpTile w;
    w.m = M > kTileM ? 2 : 1;
    w.n = P > 2 * kTileN ? 4 : P > kTileN ? 2 : 1;
    return w;
  }
  int64_t rows() const { return m * kTileM; }
  int64_t columns() const { return n * kTileN; }
};
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
  /// of the tile inside C, the elements spread over the 32 lanes in turn
  /// (neighbouring lanes on neighbouring elements of a row, so that a row
  /// is read and written together).
  /// Lane-level code (`qcc.per_lane`): qcc-gpu-vector-to-mma puts a warp
  /// barrier in front of it, which orders the lanes' stores before the
  /// loads.
  static void emitLaneEpilogue(OpBuilder &b1, Location loc,
                               gpu::LaunchOp launch, Value tile, Value inRange,
                               WarpTile warp, int64_t tilesN, Value cPadded,
                               int64_t M, int64_t P, linalg::GenericOp consumer,
                               const qcc::nvptx::BatchedProduct &product) {
    MLIRContext *ctx = b1.getContext();
    auto epilogue = scf::IfOp::create(b1, loc, inRange, /*withElse=*/false);
    epilogue->setAttr("qcc.per_lane", UnitAttr::get(ctx));
    OpBuilder b2(epilogue.thenBlock()->getTerminator());
    AffineExpr d0 = getAffineDimExpr(0, ctx);
    auto index = [&](OpBuilder &b, int64_t v) {
      return arith::ConstantIndexOp::create(b, loc, v).getResult();
    };
    Value lane = launch.getThreadIds().x;
    auto loop = scf::ForOp::create(b2, loc, index(b2, 0),
                                   index(b2, warp.rows() * warp.columns()),
                                   index(b2, 32));
    OpBuilder b3 = OpBuilder::atBlockBegin(loop.getBody());
    // Element e = step + lane of the warp's tile: row e / its columns,
    // column e % its columns.
    Value row = affine::AffineApplyOp::create(
        b3, loc,
        AffineMap::get(3, 0,
                       {d0.floorDiv(tilesN) * warp.rows() +
                        (getAffineDimExpr(1, ctx) + getAffineDimExpr(2, ctx))
                            .floorDiv(warp.columns())},
                       ctx),
        ValueRange{tile, loop.getInductionVar(), lane});
    Value column = affine::AffineApplyOp::create(
        b3, loc,
        AffineMap::get(3, 0,
                       {(d0 % tilesN) * warp.columns() +
                        (getAffineDimExpr(1, ctx) + getAffineDimExpr(2, ctx)) %
                            warp.columns()},
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

  /// B ([1, K, P]) transposed into a [Pp, Kp] buffer, zero-padded: a lane's
  /// fragment of a column tile is then 4 consecutive k, one 32-bit load, as
  /// A's is. The op that writes B (a convolution's im2col) writes it so
  /// directly when B is read by nothing else; otherwise a transpose copies
  /// it.
  static Value transposedB(OpBuilder &b0, Location loc, linalg::GenericOp op,
                           Value b, int64_t K, int64_t P, int64_t Kp,
                           int64_t Pp) {
    linalg::GenericOp producer = findWholeWriter(op, b);
    OpBuilder builder = b0;
    if (producer)
      builder.setInsertionPoint(producer);
    // [1, Pp, Kp], for the producer's [b, k, p] as [b, p, k].
    Value buffer = memref::AllocOp::create(
        builder, loc, MemRefType::get({1, Pp, Kp}, builder.getI8Type()));
    if (Kp != K || Pp != P)
      linalg::FillOp::create(
          builder, loc,
          arith::ConstantIntOp::create(builder, loc, 0, 8).getResult(), buffer);
    Value matrix = memref::CollapseShapeOp::create(
        builder, loc, buffer, ArrayRef<ReassociationIndices>{{0, 1}, {2}});
    if (!producer) {
      Value bMatrix = memref::CollapseShapeOp::create(
          builder, loc, b, ArrayRef<ReassociationIndices>{{0, 1}, {2}});
      Value window = memref::SubViewOp::create(
          builder, loc, matrix, ArrayRef<int64_t>{0, 0},
          ArrayRef<int64_t>{P, K}, ArrayRef<int64_t>{1, 1});
      linalg::TransposeOp::create(builder, loc, bMatrix, window,
                                  ArrayRef<int64_t>{1, 0});
      return matrix;
    }
    Value window = memref::SubViewOp::create(
        builder, loc, buffer, ArrayRef<int64_t>{0, 0, 0},
        ArrayRef<int64_t>{1, P, K}, ArrayRef<int64_t>{1, 1, 1});
    OpOperand *output = producer.getDpsInitOperand(0);
    AffineMap map = producer.getMatchingIndexingMap(output);
    SmallVector<AffineMap> maps = producer.getIndexingMapsArray();
    maps[output->getOperandNumber()] =
        AffineMap::get(map.getNumDims(), map.getNumSymbols(),
                       {map.getResult(0), map.getResult(2), map.getResult(1)},
                       op.getContext());
    output->set(window);
    producer.setIndexingMapsAttr(builder.getAffineMapArrayAttr(maps));
    return matrix;
  }

  /// The element-wise op before `op` that alone writes all of `b` (identity
  /// map, every loop parallel), when only `op` reads `b` after it.
  static linalg::GenericOp findWholeWriter(linalg::GenericOp op, Value b) {
    linalg::GenericOp producer;
    for (Operation *user : b.getUsers())
      if (auto generic = dyn_cast<linalg::GenericOp>(user);
          generic && generic != op &&
          llvm::is_contained(generic.getDpsInits(), b))
        producer = generic;
    if (!producer || producer.getNumDpsInits() != 1 ||
        producer->getBlock() != op->getBlock() ||
        !producer->isBeforeInBlock(op) || !producer.hasPureBufferSemantics() ||
        producer.getNumParallelLoops() != producer.getNumLoops() ||
        !producer.getMatchingIndexingMap(producer.getDpsInitOperand(0))
             .isIdentity() ||
        !b.getDefiningOp<memref::AllocOp>())
      return {};
    // B itself, not a view of it, and read by the product alone (the
    // producer's body does not read its output).
    Block &body = producer.getRegion().front();
    if (!body.getArguments().back().use_empty())
      return {};
    for (Operation *user : b.getUsers())
      if (user != op.getOperation() && user != producer.getOperation() &&
          !isa<memref::DeallocOp>(user))
        return {};
    return producer;
  }

  void rewrite(linalg::GenericOp op) {
    std::optional<qcc::nvptx::BatchedProduct> product =
        qcc::nvptx::matchBatchedProduct(op);
    if (!product || product->k > kMaxReduction)
      return;
    Value a = product->a, b = product->b, c = product->c;
    const int64_t M = product->m, K = product->k, P = product->p;
    const std::optional<std::vector<int8_t>> &weights = product->constantA;
    const WarpTile warp = WarpTile::choose(M, P);
    const int64_t Mp = llvm::alignTo(M, warp.rows()),
                  Kp = llvm::alignTo(K, kTileK),
                  Pp = llvm::alignTo(P, warp.columns());

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
    Value cMatrix = matrix(c);
    Value cPadded = paddedCopy(cMatrix, Mp, Pp, b0.getI32Type());
    Value bTransposed = transposedB(b0, loc, op, b, K, P, Kp, Pp);

    // One warp per tile of C.
    const int64_t tilesN = Pp / warp.columns(),
                  tiles = (Mp / warp.rows()) * tilesN;
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
        b2, loc, AffineMap::get(1, 0, {d0.floorDiv(tilesN) * warp.rows()}, ctx),
        ValueRange{tile});
    Value n0 = affine::AffineApplyOp::create(
        b2, loc, AffineMap::get(1, 0, {(d0 % tilesN) * warp.columns()}, ctx),
        ValueRange{tile});
    // The first row and column of each mma tile of the warp's.
    SmallVector<Value> rowStarts = {m0}, columnStarts = {n0};
    for (int64_t i = 1; i < warp.m; ++i)
      rowStarts.push_back(affine::AffineApplyOp::create(
          b2, loc, AffineMap::get(1, 0, {d0 + i * kTileM}, ctx),
          ValueRange{m0}));
    for (int64_t j = 1; j < warp.n; ++j)
      columnStarts.push_back(affine::AffineApplyOp::create(
          b2, loc, AffineMap::get(1, 0, {d0 + j * kTileN}, ctx),
          ValueRange{n0}));
    Value weight = weights ? memref::GetGlobalOp::create(
                                 b2, loc, weightType, global.getSymName())
                                 .getResult()
                           : aPadded;
    Value i8Zero = arith::ConstantIntOp::create(b2, loc, 0, 8);
    Value i32Zero = arith::ConstantIntOp::create(b2, loc, 0, 32);
    auto accType = VectorType::get({kTileM, kTileN}, b2.getI32Type());
    const bool inBoundsFlags[] = {true, true};
    ArrayRef<bool> inBounds(inBoundsFlags);
    // An accumulator per mma tile (row-major), starting as C's tile.
    SmallVector<Value> accs;
    for (Value row : rowStarts)
      for (Value column : columnStarts)
        accs.push_back(vector::TransferReadOp::create(
            b2, loc, accType, cPadded, ValueRange{row, column}, i32Zero,
            AffineMap::getMultiDimIdentityMap(2, ctx), inBounds));
    Value zero = arith::ConstantIndexOp::create(b2, loc, 0);
    auto loop = scf::ForOp::create(
        b2, loc, zero, arith::ConstantIndexOp::create(b2, loc, Kp),
        arith::ConstantIndexOp::create(b2, loc, kTileK), accs);
    {
      OpBuilder b3 = OpBuilder::atBlockBegin(loop.getBody());
      Value k = loop.getInductionVar();
      // Each 16x32 tile of A and 8x32 tile of B transposed (the column
      // operand) is read once per step and used by a row or column of mma
      // tiles.
      SmallVector<Value> aTiles, bTiles;
      for (Value row : rowStarts)
        aTiles.push_back(vector::TransferReadOp::create(
            b3, loc, VectorType::get({kTileM, kTileK}, b3.getI8Type()), weight,
            ValueRange{row, k}, i8Zero,
            AffineMap::getMultiDimIdentityMap(2, ctx), inBounds));
      for (Value column : columnStarts)
        bTiles.push_back(vector::TransferReadOp::create(
            b3, loc, VectorType::get({kTileN, kTileK}, b3.getI8Type()),
            bTransposed, ValueRange{column, k}, i8Zero,
            AffineMap::getMultiDimIdentityMap(2, ctx), inBounds));
      AffineExpr m, n, kk;
      bindDims(ctx, m, n, kk);
      SmallVector<Value> sums;
      for (int64_t i = 0; i < warp.m; ++i)
        for (int64_t j = 0; j < warp.n; ++j)
          sums.push_back(vector::ContractionOp::create(
              b3, loc, aTiles[i], bTiles[j],
              loop.getRegionIterArgs()[i * warp.n + j],
              b3.getAffineMapArrayAttr({AffineMap::get(3, 0, {m, kk}, ctx),
                                        AffineMap::get(3, 0, {n, kk}, ctx),
                                        AffineMap::get(3, 0, {m, n}, ctx)}),
              b3.getArrayAttr({vector::IteratorTypeAttr::get(
                                   ctx, vector::IteratorType::parallel),
                               vector::IteratorTypeAttr::get(
                                   ctx, vector::IteratorType::parallel),
                               vector::IteratorTypeAttr::get(
                                   ctx, vector::IteratorType::reduction)})));
      scf::YieldOp::create(b3, loc, sums);
    }
    for (int64_t i = 0; i < warp.m; ++i)
      for (int64_t j = 0; j < warp.n; ++j)
        vector::TransferWriteOp::create(
            b2, loc, loop.getResult(i * warp.n + j), cPadded,
            ValueRange{rowStarts[i], columnStarts[j]},
            AffineMapAttr::get(AffineMap::getMultiDimIdentityMap(2, ctx)),
            b2.getBoolArrayAttr(inBounds));
    if (consumer) {
      emitLaneEpilogue(b1, loc, launch, tile, inRange, warp, tilesN, cPadded, M,
                       P, consumer, *product);
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
