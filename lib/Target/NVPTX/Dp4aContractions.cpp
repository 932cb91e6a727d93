//===- Dp4aContractions.cpp - int8 products as dp4a threads ---------------===//
//
// GPUs before sm_80 have no int8 mma.sync m16n8k32, but every GPU since
// sm_61 has dp4a: a 4-deep byte dot product accumulated into int32 in one
// instruction. Each thread keeps a small tile of the result in registers
// and reads both operands as 32-bit words of 4 consecutive k, which needs
// them laid out k-quad-major ([K/4, X, 4]): the weights at compile time,
// the activations by a small launch. int4 weights stay packed (a word of 8
// nibbles, unpacked in registers), and the layer's requantization is
// applied to the results before they are stored.
//
//===----------------------------------------------------------------------===//

#include "qcc/Target/NVPTX/Passes.h"

#include "BatchedProduct.h"

#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/SymbolTable.h"
#include "llvm/Support/MathExtras.h"

namespace qcc::nvptx {
#define GEN_PASS_DEF_GPUDP4ACONTRACTIONS
#include "qcc/Target/NVPTX/Passes.h.inc"
} // namespace qcc::nvptx

using namespace mlir;

namespace {

/// Threads per block for large products, and the grid below which smaller
/// tiles and blocks spread a product over more of the GPU.
constexpr int64_t kThreadsPerBlock = 256, kWarpSize = 32, kMinBlocks = 64;

/// The register tile and block shape of one product.
struct ThreadTiling {
  int64_t tileM, tileN, blockX, blockY;

  static ThreadTiling choose(int64_t M, int64_t P) {
    ThreadTiling t;
    t.tileM = M >= 64 ? 4 : M >= 16 ? 2 : 1;
    t.blockY =
        std::min<int64_t>(16, llvm::PowerOf2Ceil(llvm::divideCeil(M, t.tileM)));
    t.blockX = kThreadsPerBlock / t.blockY;
    t.tileN = 4;
    while (t.tileN > 1 && t.blocks(M, P) < kMinBlocks)
      t.tileN /= 2;
    while (t.blockX * t.blockY > kWarpSize && t.blocks(M, P) < kMinBlocks)
      t.blockX /= 2;
    return t;
  }
  int64_t gridX(int64_t P) const { return llvm::divideCeil(P, blockX * tileN); }
  int64_t gridY(int64_t M) const { return llvm::divideCeil(M, blockY * tileM); }
  int64_t blocks(int64_t M, int64_t P) const { return gridX(P) * gridY(M); }
};

struct GPUDp4aContractionsPass
    : qcc::nvptx::impl::GPUDp4aContractionsBase<GPUDp4aContractionsPass> {
  void runOnOperation() override {
    SmallVector<linalg::GenericOp> products;
    getOperation().walk([&](linalg::GenericOp op) { products.push_back(op); });
    for (linalg::GenericOp op : products)
      if (std::optional<qcc::nvptx::BatchedProduct> product =
              qcc::nvptx::matchBatchedProduct(op))
        rewrite(op, *product);
  }

  static Value index(OpBuilder &b, Location loc, int64_t v) {
    return arith::ConstantIndexOp::create(b, loc, v);
  }

  /// A launch of one thread per word of `quads` ([K4, X, 4]), each
  /// gathering its 4 bytes from `source` ([X, K] when `kIsColumn`, else
  /// [K, X]) - zeros past K.
  static void emitQuadLayout(OpBuilder &b0, Location loc, Value source,
                             bool kIsColumn, Value quads, int64_t K,
                             int64_t X) {
    const int64_t K4 = cast<MemRefType>(quads.getType()).getDimSize(0),
                  words = K4 * X;
    Value one = index(b0, loc, 1);
    auto launch = gpu::LaunchOp::create(
        b0, loc, index(b0, loc, llvm::divideCeil(words, kThreadsPerBlock)), one,
        one, index(b0, loc, kThreadsPerBlock), one, one);
    OpBuilder b1 = OpBuilder::atBlockBegin(&launch.getBody().front());
    Value word = arith::AddIOp::create(
        b1, loc,
        arith::MulIOp::create(b1, loc, launch.getBlockIds().x,
                              index(b1, loc, kThreadsPerBlock)),
        launch.getThreadIds().x);
    Value inRange = arith::CmpIOp::create(b1, loc, arith::CmpIPredicate::ult,
                                          word, index(b1, loc, words));
    auto guard = scf::IfOp::create(b1, loc, inRange, /*withElse=*/false);
    gpu::TerminatorOp::create(b1, loc);
    OpBuilder b2(guard.thenBlock()->getTerminator());
    Value x = arith::RemUIOp::create(b2, loc, word, index(b2, loc, X));
    Value quad = arith::DivUIOp::create(b2, loc, word, index(b2, loc, X));
    Value k0 = arith::MulIOp::create(b2, loc, quad, index(b2, loc, 4));
    Value zero = arith::ConstantIntOp::create(b2, loc, 0, 8);
    SmallVector<Value, 4> bytes;
    for (int64_t j = 0; j < 4; ++j) {
      Value k = arith::AddIOp::create(b2, loc, k0, index(b2, loc, j));
      // Past K (only in the last quad): read within bounds, keep a zero.
      Value clamped =
          K % 4 ? arith::MinUIOp::create(b2, loc, k, index(b2, loc, K - 1)) : k;
      Value byte = memref::LoadOp::create(b2, loc, source,
                                          kIsColumn ? ValueRange{x, clamped}
                                                    : ValueRange{clamped, x});
      if (K % 4) {
        Value inK = arith::CmpIOp::create(b2, loc, arith::CmpIPredicate::ult, k,
                                          index(b2, loc, K));
        byte = arith::SelectOp::create(b2, loc, inK, byte, zero);
      }
      bytes.push_back(byte);
    }
    Value vector = vector::FromElementsOp::create(
        b2, loc, VectorType::get({4}, b2.getI8Type()), bytes);
    vector::StoreOp::create(b2, loc, vector, quads,
                            ValueRange{quad, x, index(b2, loc, 0)},
                            /*nontemporal=*/false, llvm::MaybeAlign(4));
  }

  void rewrite(linalg::GenericOp op,
               const qcc::nvptx::BatchedProduct &product) {
    const int64_t M = product.m, K = product.k, P = product.p;
    // int4 weights (a constant A within [-8, 7]: W4A8) stay packed, two
    // per byte: a 32-bit word holds 8 k, read as two words of 4 (below).
    const bool nibbles =
        product.constantA && llvm::all_of(*product.constantA, [](int8_t v) {
          return v >= -8 && v <= 7;
        });
    const int64_t K4 =
        nibbles ? 2 * llvm::divideCeil(K, 8) : llvm::divideCeil(K, 4);
    MLIRContext *ctx = op.getContext();
    Location loc = op.getLoc();
    // The requantization that reads C, applied in the kernel to each
    // result: C is then never stored. The launches take its place (what
    // lies in between writes no memory, and may define its operands).
    linalg::GenericOp consumer =
        qcc::nvptx::findElementwiseConsumer(op, product);
    OpBuilder b0(consumer ? consumer.getOperation() : op.getOperation());
    Type i8 = b0.getI8Type();
    auto quadType = [&](int64_t X) { return MemRefType::get({K4, X, 4}, i8); };

    // A in quads: a constant one at compile time, as a global of its own
    // (read in the kernel: on the device with the module).
    memref::GlobalOp global;
    Value aQuads;
    const int64_t aWords = nibbles ? K4 / 2 : K4;
    auto aType = MemRefType::get({aWords, M, 4}, i8);
    if (product.constantA) {
      std::vector<int8_t> quads(aWords * M * 4, 0);
      for (int64_t m = 0; m < M; ++m)
        for (int64_t k = 0; k < (nibbles ? aWords * 8 : K); ++k) {
          const int8_t v = k < K ? (*product.constantA)[m * K + k] : 0;
          if (!nibbles) {
            quads[((k / 4) * M + m) * 4 + k % 4] = v;
            continue;
          }
          // Byte i of word k/8 holds k%8 = i in its low nibble, i + 4 in
          // its high one, each as v + 8 (0 to 15).
          uint8_t &byte =
              reinterpret_cast<uint8_t &>(quads[((k / 8) * M + m) * 4 + k % 4]);
          byte |= static_cast<uint8_t>(v + 8) << (k % 8 < 4 ? 0 : 4);
        }
      auto module = op->getParentOfType<ModuleOp>();
      OpBuilder moduleBuilder(ctx); // no insertion point: the table inserts
      global = memref::GlobalOp::create(
          moduleBuilder, loc,
          nibbles ? "__qcc_dp4a_weight_s4" : "__qcc_dp4a_weight",
          moduleBuilder.getStringAttr("private"), aType,
          DenseElementsAttr::get(RankedTensorType::get({aWords, M, 4}, i8),
                                 ArrayRef<int8_t>(quads)),
          /*constant=*/true, /*alignment=*/moduleBuilder.getI64IntegerAttr(16));
      SymbolTable(module).insert(global, module.getBody()->begin());
    } else {
      aQuads = memref::AllocOp::create(b0, loc, aType);
      emitQuadLayout(b0, loc, product.a, /*kIsColumn=*/true, aQuads, K, M);
    }
    auto matrix = [&](Value v) {
      return memref::CollapseShapeOp::create(
          b0, loc, v, ArrayRef<ReassociationIndices>{{0, 1}, {2}});
    };
    Value bQuads = memref::AllocOp::create(b0, loc, quadType(P));
    emitQuadLayout(b0, loc, matrix(product.b), /*kIsColumn=*/false, bQuads, K,
                   P);
    Value c = matrix(product.c);

    const ThreadTiling t = ThreadTiling::choose(M, P);
    Value one = index(b0, loc, 1);
    auto launch = gpu::LaunchOp::create(
        b0, loc, index(b0, loc, t.gridX(P)), index(b0, loc, t.gridY(M)), one,
        index(b0, loc, t.blockX), index(b0, loc, t.blockY), one);
    OpBuilder b1 = OpBuilder::atBlockBegin(&launch.getBody().front());
    gpu::TerminatorOp::create(b1, loc);
    b1.setInsertionPointToStart(&launch.getBody().front());
    Value a =
        product.constantA
            ? memref::GetGlobalOp::create(b1, loc, aType, global.getSymName())
                  .getResult()
            : aQuads;
    AffineExpr d0, d1;
    bindDims(ctx, d0, d1);
    // Row i of the tile: by*BY*TM + ty + i*BY (column j likewise), and the
    // row it reads: the last one past M.
    auto position = [&](Value block, Value thread, int64_t step, int64_t tile,
                        int64_t i) {
      return affine::AffineApplyOp::create(
          b1, loc,
          AffineMap::get(2, 0, {d0 * (step * tile) + d1 + i * step}, ctx),
          ValueRange{block, thread});
    };
    SmallVector<Value> rows, columns, readRows, readColumns;
    for (int64_t i = 0; i < t.tileM; ++i) {
      rows.push_back(position(launch.getBlockIds().y, launch.getThreadIds().y,
                              t.blockY, t.tileM, i));
      readRows.push_back(
          arith::MinUIOp::create(b1, loc, rows.back(), index(b1, loc, M - 1)));
    }
    for (int64_t j = 0; j < t.tileN; ++j) {
      columns.push_back(position(launch.getBlockIds().x,
                                 launch.getThreadIds().x, t.blockX, t.tileN,
                                 j));
      readColumns.push_back(arith::MinUIOp::create(b1, loc, columns.back(),
                                                   index(b1, loc, P - 1)));
    }
    // The tile starts as C: the bias.
    SmallVector<Value> initial;
    for (Value row : readRows)
      for (Value column : readColumns)
        initial.push_back(
            memref::LoadOp::create(b1, loc, c, ValueRange{row, column}));
    Value zero = index(b1, loc, 0);
    // With nibbles, each column's sum of B too (for the weights' offset).
    Value i32Zero = arith::ConstantIntOp::create(b1, loc, 0, 32);
    if (nibbles)
      initial.append(t.tileN, i32Zero);
    auto loop = scf::ForOp::create(b1, loc, zero, index(b1, loc, aWords),
                                   index(b1, loc, 1), initial);
    {
      OpBuilder b2 = OpBuilder::atBlockBegin(loop.getBody());
      Value step = loop.getInductionVar();
      auto quadVector = VectorType::get({4}, b2.getI8Type());
      auto laneVector = VectorType::get({4}, b2.getI32Type());
      auto load = [&](Value quads, Value quad, Value x) {
        return vector::LoadOp::create(
                   b2, loc, quadVector, quads, ValueRange{quad, x, zero},
                   /*nontemporal=*/false, llvm::MaybeAlign(4))
            .getResult();
      };
      auto signedLanes = [&](Value v) -> Value {
        return arith::ExtSIOp::create(b2, loc, laneVector, v);
      };
      auto unsignedLanes = [&](Value v) -> Value {
        return arith::ExtUIOp::create(b2, loc, laneVector, v);
      };
      // acc + the dot product of two 4-lane words (dp4a on the GPU).
      auto dot = [&](Value x, Value y, Value acc) -> Value {
        return vector::ReductionOp::create(b2, loc, vector::CombiningKind::ADD,
                                           arith::MulIOp::create(b2, loc, x, y),
                                           acc);
      };
      // Per step, the words of A (one per k-half with nibbles) and of B.
      SmallVector<SmallVector<Value, 2>> aHalves, bHalves;
      for (Value row : readRows) {
        Value word = load(a, step, row);
        if (!nibbles) {
          aHalves.push_back({signedLanes(word)});
          continue;
        }
        auto splat = [&](int64_t v) {
          return arith::ConstantOp::create(
              b2, loc,
              DenseElementsAttr::get(quadVector, b2.getI8IntegerAttr(v)));
        };
        Value low = arith::AndIOp::create(b2, loc, word, splat(0x0F));
        Value high = arith::ShRUIOp::create(b2, loc, word, splat(4));
        aHalves.push_back({unsignedLanes(low), unsignedLanes(high)});
      }
      Value two = index(b2, loc, 2);
      for (Value column : readColumns) {
        if (!nibbles) {
          bHalves.push_back({signedLanes(load(bQuads, step, column))});
          continue;
        }
        Value first = arith::MulIOp::create(b2, loc, step, two);
        Value second = arith::AddIOp::create(b2, loc, first, index(b2, loc, 1));
        bHalves.push_back({signedLanes(load(bQuads, first, column)),
                           signedLanes(load(bQuads, second, column))});
      }
      ValueRange carried = loop.getRegionIterArgs();
      SmallVector<Value> sums;
      for (int64_t i = 0; i < t.tileM; ++i)
        for (int64_t j = 0; j < t.tileN; ++j) {
          Value sum = carried[i * t.tileN + j];
          for (size_t h = 0; h < aHalves[i].size(); ++h)
            sum = dot(aHalves[i][h], bHalves[j][h], sum);
          sums.push_back(sum);
        }
      if (nibbles) {
        Value ones = unsignedLanes(arith::ConstantOp::create(
            b2, loc,
            DenseElementsAttr::get(quadVector, b2.getI8IntegerAttr(1))));
        for (int64_t j = 0; j < t.tileN; ++j) {
          Value sum = carried[t.tileM * t.tileN + j];
          for (Value half : bHalves[j])
            sum = dot(ones, half, sum);
          sums.push_back(sum);
        }
      }
      scf::YieldOp::create(b2, loc, sums);
    }
    // Results: with nibbles the products were of v + 8, so 8 times each
    // column's sum of B comes off (exact in wrapping int32).
    auto result = [&](int64_t i, int64_t j, OpBuilder &b) -> Value {
      Value sum = loop.getResult(i * t.tileN + j);
      if (!nibbles)
        return sum;
      Value columnSum = loop.getResult(t.tileM * t.tileN + j);
      return arith::SubIOp::create(
          b, loc, sum,
          arith::ShLIOp::create(b, loc, columnSum,
                                arith::ConstantIntOp::create(b, loc, 3, 32)));
    };
    for (int64_t i = 0; i < t.tileM; ++i)
      for (int64_t j = 0; j < t.tileN; ++j) {
        Value inside = arith::AndIOp::create(
            b1, loc,
            arith::CmpIOp::create(b1, loc, arith::CmpIPredicate::ult, rows[i],
                                  index(b1, loc, M)),
            arith::CmpIOp::create(b1, loc, arith::CmpIPredicate::ult,
                                  columns[j], index(b1, loc, P)));
        auto store = scf::IfOp::create(b1, loc, inside, /*withElse=*/false);
        OpBuilder b3(store.thenBlock()->getTerminator());
        Value value = result(i, j, b3);
        if (consumer)
          qcc::nvptx::emitConsumerElement(b3, loc, consumer, product, value,
                                          rows[i], columns[j]);
        else
          memref::StoreOp::create(b3, loc, value, c,
                                  ValueRange{rows[i], columns[j]});
      }
    if (consumer)
      consumer.erase();
    op.erase();
  }
};

} // namespace
