//===- BatchedProduct.cpp - The int8 matrix products GPU kernels take -----===//

#include "BatchedProduct.h"

#include "mlir/Dialect/Affine/IR/AffineOps.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/DialectResourceBlobManager.h"
#include "mlir/IR/IRMapping.h"
#include "mlir/IR/SymbolTable.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"
#include "mlir/Interfaces/ViewLikeInterface.h"

using namespace mlir;

namespace {

/// Whether `v` is block argument `index` of `block`, sign-extended from i8.
bool isExtendedArgument(Value v, Block &block, unsigned index) {
  if (auto ext = v.getDefiningOp<arith::ExtSIOp>())
    v = ext.getIn();
  auto arg = dyn_cast<BlockArgument>(v);
  return arg && arg.getOwner() == &block && arg.getArgNumber() == index;
}

/// Whether the body is `out + sext(a) * sext(b)`.
bool isMultiplyAccumulate(linalg::GenericOp op) {
  Block &body = op.getRegion().front();
  auto yield = cast<linalg::YieldOp>(body.getTerminator());
  auto add = yield.getValues()[0].getDefiningOp<arith::AddIOp>();
  if (!add)
    return false;
  Value acc = add.getLhs(), product = add.getRhs();
  if (!isa<BlockArgument>(acc))
    std::swap(acc, product);
  auto accArg = dyn_cast<BlockArgument>(acc);
  auto mul = product.getDefiningOp<arith::MulIOp>();
  if (!accArg || accArg.getArgNumber() != 2 || !mul)
    return false;
  return (isExtendedArgument(mul.getLhs(), body, 0) &&
          isExtendedArgument(mul.getRhs(), body, 1)) ||
         (isExtendedArgument(mul.getLhs(), body, 1) &&
          isExtendedArgument(mul.getRhs(), body, 0));
}

/// The batched form over loops (b, m, p, k): A[m, k], B[b, k, p],
/// C[b, m, p].
bool hasBatchedProductForm(linalg::GenericOp op) {
  if (op.getNumDpsInputs() != 2 || op.getNumDpsInits() != 1 ||
      op.getNumLoops() != 4 || !op.hasPureBufferSemantics())
    return false;
  MLIRContext *ctx = op.getContext();
  AffineExpr b, m, p, k;
  bindDims(ctx, b, m, p, k);
  SmallVector<AffineMap> expected = {AffineMap::get(4, 0, {m, k}, ctx),
                                     AffineMap::get(4, 0, {b, k, p}, ctx),
                                     AffineMap::get(4, 0, {b, m, p}, ctx)};
  auto iterators = op.getIteratorTypesArray();
  return op.getIndexingMapsArray() == expected &&
         iterators[0] == utils::IteratorType::parallel &&
         iterators[1] == utils::IteratorType::parallel &&
         iterators[2] == utils::IteratorType::parallel &&
         iterators[3] == utils::IteratorType::reduction &&
         isMultiplyAccumulate(op);
}

/// The constant int8 weight `value` ([M, K], a constant global or a view
/// collapsing one), its values row-major.
std::optional<std::vector<int8_t>> constantWeight(Value value) {
  if (auto collapse = value.getDefiningOp<memref::CollapseShapeOp>())
    value = collapse.getSrc(); // row-major either way
  auto get = value.getDefiningOp<memref::GetGlobalOp>();
  if (!get || !get.getType().getLayout().isIdentity())
    return std::nullopt;
  auto global = SymbolTable::lookupNearestSymbolFrom<memref::GlobalOp>(
      get, get.getNameAttr());
  if (!global || !global.getConstant())
    return std::nullopt;
  Attribute initial = global.getInitialValue().value_or(Attribute());
  // Imported weights are resource blobs; folded ones dense attributes.
  if (auto blob = dyn_cast_or_null<DenseI8ResourceElementsAttr>(initial)) {
    std::optional<ArrayRef<int8_t>> data = blob.tryGetAsArrayRef();
    if (!data ||
        static_cast<int64_t>(data->size()) != get.getType().getNumElements())
      return std::nullopt;
    return std::vector<int8_t>(data->begin(), data->end());
  }
  auto values = dyn_cast_or_null<DenseIntElementsAttr>(initial);
  if (!values || !values.getElementType().isInteger(8))
    return std::nullopt;
  std::vector<int8_t> result;
  result.reserve(values.getNumElements());
  for (const APInt &v : values)
    result.push_back(static_cast<int8_t>(v.getSExtValue()));
  return result;
}

bool isStaticIdentity(Value v, ArrayRef<int64_t> shape) {
  auto type = dyn_cast<MemRefType>(v.getType());
  return type && type.getLayout().isIdentity() && type.getShape() == shape;
}

} // namespace

std::optional<qcc::nvptx::BatchedProduct>
qcc::nvptx::matchBatchedProduct(linalg::GenericOp op) {
  if (!hasBatchedProductForm(op))
    return std::nullopt;
  BatchedProduct product;
  product.a = op.getDpsInputs()[0];
  product.b = op.getDpsInputs()[1];
  product.c = op.getDpsInits()[0];
  auto aType = cast<MemRefType>(product.a.getType());
  auto bType = dyn_cast<MemRefType>(product.b.getType());
  if (!aType.hasStaticShape() || aType.getRank() != 2 || !bType ||
      !bType.hasStaticShape() || bType.getRank() != 3)
    return std::nullopt;
  product.m = aType.getDimSize(0);
  product.k = aType.getDimSize(1);
  product.p = bType.getDimSize(2);
  // A constant A (the weights of a convolution) is laid out at compile
  // time; any other (the activations of a fully connected layer, whose
  // weights are B) is read as it is.
  product.constantA = constantWeight(product.a);
  if ((!product.constantA &&
       !isStaticIdentity(product.a, {product.m, product.k})) ||
      !isStaticIdentity(product.b, {1, product.k, product.p}) ||
      !isStaticIdentity(product.c, {1, product.m, product.p}) ||
      !aType.getElementType().isInteger(8) ||
      !bType.getElementType().isInteger(8) ||
      !cast<MemRefType>(product.c.getType()).getElementType().isInteger(32))
    return std::nullopt;
  return product;
}

namespace {

/// The buffer `v` is a view of.
Value rootBuffer(Value v) {
  while (auto view = v.getDefiningOp<ViewLikeOpInterface>())
    v = view.getViewSource();
  return v;
}

/// Every op using `buffer` or a view of it, the views left out.
void collectUsers(Value buffer, SmallVectorImpl<Operation *> &users) {
  for (Operation *user : buffer.getUsers()) {
    if (auto view = dyn_cast<ViewLikeOpInterface>(user);
        view && view.getViewSource() == buffer) {
      for (Value result : user->getResults())
        collectUsers(result, users);
      continue;
    }
    users.push_back(user);
  }
}

} // namespace

linalg::GenericOp
qcc::nvptx::findElementwiseConsumer(linalg::GenericOp op,
                                    const BatchedProduct &product) {
  // The next op that touches C (views aside) in the block.
  linalg::GenericOp consumer;
  for (Operation *next = op->getNextNode(); next; next = next->getNextNode()) {
    if (auto generic = dyn_cast<linalg::GenericOp>(next);
        generic && llvm::is_contained(generic.getDpsInputs(), product.c)) {
      consumer = generic;
      break;
    }
    // Nothing in between may write memory (allocations and views of
    // buffers are all there usually is).
    if (!isMemoryEffectFree(next) && !isa<memref::AllocOp>(next))
      return {};
  }
  if (!consumer || consumer.getNumDpsInits() != 1 ||
      consumer.getNumLoops() != 3 || !consumer.hasPureBufferSemantics() ||
      consumer.getNumParallelLoops() != 3 ||
      consumer->getParentOp() != op->getParentOp())
    return {};
  MLIRContext *ctx = op.getContext();
  AffineMap identity = AffineMap::getMultiDimIdentityMap(3, ctx);
  auto domain = SmallVector<int64_t>{1, product.m, product.p};
  OpOperand *output = consumer.getDpsInitOperand(0);
  auto outputType = dyn_cast<MemRefType>(output->get().getType());
  if (!outputType || outputType.getShape() != ArrayRef<int64_t>(domain) ||
      consumer.getMatchingIndexingMap(output) != identity ||
      rootBuffer(output->get()) == rootBuffer(product.c))
    return {};
  for (OpOperand *input : consumer.getDpsInputOperands())
    if (input->get() == product.c &&
        consumer.getMatchingIndexingMap(input) != identity)
      return {};
  // C read by nothing else after the product (its initial value, the bias,
  // is written before it).
  SmallVector<Operation *> users;
  collectUsers(rootBuffer(product.c), users);
  for (Operation *user : users) {
    if (user == op || user == consumer.getOperation() ||
        isa<memref::DeallocOp>(user))
      continue;
    if (user->getBlock() != op->getBlock() || !user->isBeforeInBlock(op))
      return {};
  }
  return consumer;
}

void qcc::nvptx::emitConsumerElement(OpBuilder &builder, Location loc,
                                     linalg::GenericOp consumer,
                                     const BatchedProduct &product,
                                     Value result, Value m, Value p) {
  Value zero = arith::ConstantIndexOp::create(builder, loc, 0);
  SmallVector<Value, 3> position = {zero, m, p};
  auto indices = [&](OpOperand *operand) {
    SmallVector<Value> values;
    AffineMap map = consumer.getMatchingIndexingMap(operand);
    for (AffineExpr expr : map.getResults())
      if (auto dim = dyn_cast<AffineDimExpr>(expr))
        values.push_back(position[dim.getPosition()]);
      else
        values.push_back(affine::AffineApplyOp::create(
            builder, loc, AffineMap::get(3, 0, expr), position));
    return values;
  };
  Block &body = consumer.getRegion().front();
  IRMapping mapping;
  for (OpOperand &operand : consumer->getOpOperands()) {
    BlockArgument argument = body.getArgument(operand.getOperandNumber());
    if (operand.get() == product.c)
      mapping.map(argument, result);
    else if (!argument.use_empty())
      mapping.map(argument, memref::LoadOp::create(builder, loc, operand.get(),
                                                   indices(&operand)));
  }
  for (Operation &op : body.without_terminator()) {
    if (auto index = dyn_cast<linalg::IndexOp>(op)) {
      mapping.map(index.getResult(), position[index.getDim()]);
      continue;
    }
    builder.clone(op, mapping);
  }
  auto yield = cast<linalg::YieldOp>(body.getTerminator());
  OpOperand *output = consumer.getDpsInitOperand(0);
  memref::StoreOp::create(builder, loc,
                          mapping.lookupOrDefault(yield.getValues()[0]),
                          output->get(), indices(output));
}
