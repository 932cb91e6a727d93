//===- QCToLinalg.cpp - The qc graph to linalg ----------------------------===//
//
// One conversion pattern per op, in families (ElementwiseToLinalg.cpp,
// ContractionToLinalg.cpp, PoolingToLinalg.cpp, NormalizationToLinalg.cpp,
// ShapeToLinalg.cpp). Quantized tensor types become their signless integer
// storage; the element semantics of every op is the one the reference
// interpreter (and the numerics library) gives it, so that compiled code
// agrees with it bit for bit. Passes.td documents the mapping. Nothing here
// knows a target: targets add their own patterns (QCToLinalg.h).
//
//===----------------------------------------------------------------------===//

#include "qcc/Conversion/QCToLinalg.h"

#include "QCToLinalgPatterns.h"
#include "qcc/Conversion/Passes.h"

#include "mlir/Dialect/Bufferization/IR/Bufferization.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Func/Transforms/FuncConversions.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/Quant/IR/QuantTypes.h"
#include "mlir/Dialect/Utils/ReshapeOpsUtils.h"
#include "mlir/IR/Matchers.h"

namespace qcc {
#define GEN_PASS_DEF_CONVERTQCTOLINALG
#include "qcc/Conversion/Passes.h.inc"
} // namespace qcc

using namespace mlir;
using namespace qcc;
using namespace qcc::qc;

//===----------------------------------------------------------------------===//
// Helpers of the pattern families
//===----------------------------------------------------------------------===//

namespace qcc::qc_to_linalg {

RankedTensorType tensorType(Value v) {
  return cast<RankedTensorType>(v.getType());
}

/// A tensor.empty of `type` whose dynamic sizes are `like`'s at the same
/// positions (the batch dimension, in practice).
Value emptyLike(OpBuilder &b, Location loc, RankedTensorType type, Value like) {
  SmallVector<Value> dynamic;
  for (int64_t d = 0; d < type.getRank(); ++d)
    if (type.isDynamicDim(d))
      dynamic.push_back(tensor::DimOp::create(b, loc, like, d));
  return tensor::EmptyOp::create(b, loc, type.getShape(), type.getElementType(),
                                 dynamic);
}

Value constantInt(OpBuilder &b, Location loc, Type type, int64_t v) {
  return arith::ConstantOp::create(b, loc, IntegerAttr::get(type, v));
}

SmallVector<utils::IteratorType> parallel(int64_t n) {
  return SmallVector<utils::IteratorType>(n, utils::IteratorType::parallel);
}

/// NumPy broadcasting of `operand` to a result of `rank`: size-1 and missing
/// leading dimensions read index 0.
AffineMap broadcastMap(MLIRContext *ctx, RankedTensorType operand,
                       RankedTensorType result) {
  SmallVector<AffineExpr> exprs;
  const int64_t offset = result.getRank() - operand.getRank();
  for (int64_t d = 0; d < operand.getRank(); ++d)
    exprs.push_back(operand.getDimSize(d) == 1 &&
                            result.getDimSize(d + offset) != 1
                        ? getAffineConstantExpr(0, ctx)
                        : getAffineDimExpr(d + offset, ctx));
  return AffineMap::get(result.getRank(), 0, exprs, ctx);
}

/// A linalg.generic computing `body(args...)` element-wise over `result`
/// from `inputs` (broadcast as NumPy does).
Value elementwise(OpBuilder &b, Location loc, RankedTensorType result,
                  ValueRange inputs, Value like,
                  function_ref<Value(OpBuilder &, Location, ValueRange)> body) {
  MLIRContext *ctx = b.getContext();
  SmallVector<AffineMap> maps;
  for (Value in : inputs)
    maps.push_back(broadcastMap(ctx, tensorType(in), result));
  maps.push_back(AffineMap::getMultiDimIdentityMap(result.getRank(), ctx));
  auto generic = linalg::GenericOp::create(
      b, loc, result, inputs, emptyLike(b, loc, result, like), maps,
      parallel(result.getRank()),
      [&](OpBuilder &nb, Location nl, ValueRange args) {
        linalg::YieldOp::create(nb, nl, body(nb, nl, args.drop_back()));
      });
  return generic.getResult(0);
}

std::pair<int64_t, int64_t> signedRange(unsigned bits) {
  return {-(int64_t(1) << (bits - 1)), (int64_t(1) << (bits - 1)) - 1};
}

/// Reports an op code generation does not support, naming its node.
LogicalResult unsupported(Operation *op, const Twine &what) {
  return op->emitError() << "no CPU code generation for '" << op->getName()
                         << "' (node '" << getNodeName(op) << "'): " << what;
}

/// Float islands compute as the interpreter does: in double precision,
/// rounded to f32 once per op (libm calls for exp, tanh, erf, pow).
Value toF64(OpBuilder &b, Location loc, Value v, bool isUnsigned) {
  Type f64 = b.getF64Type();
  if (isa<IntegerType>(v.getType()))
    return isUnsigned ? arith::UIToFPOp::create(b, loc, f64, v).getResult()
                      : arith::SIToFPOp::create(b, loc, f64, v).getResult();
  if (v.getType().isF64())
    return v;
  return arith::ExtFOp::create(b, loc, f64, v);
}

bool isUnsignedElement(Type type) {
  type = getElementTypeOrSelf(type);
  if (auto q = dyn_cast<quant::QuantizedType>(type))
    return !q.isSigned();
  return type.isUnsignedInteger();
}

Value f64Constant(OpBuilder &b, Location loc, double v) {
  return arith::ConstantOp::create(b, loc, b.getF64FloatAttr(v));
}

/// A 2-d NCHW `input` padded on its spatial axes by `pads` (begin H, begin
/// W, end H, end W) with `value`; `input` when unpadded.
Value padSpatial(OpBuilder &b, Location loc, Value input,
                 ArrayRef<int64_t> pads, Value value) {
  if (llvm::all_of(pads, [](int64_t p) { return p == 0; }))
    return input;
  SmallVector<OpFoldResult> low(2, b.getIndexAttr(0)), high = low;
  SmallVector<int64_t> shape(tensorType(input).getShape());
  for (int d = 0; d < 2; ++d) {
    low.push_back(b.getIndexAttr(pads[d]));
    high.push_back(b.getIndexAttr(pads[2 + d]));
    shape[2 + d] += pads[d] + pads[2 + d];
  }
  return tensor::PadOp::create(b, loc, tensorType(input).clone(shape), input,
                               low, high, value);
}

/// Zero of an integer or float element type.
Value zeroOf(OpBuilder &b, Location loc, Type element) {
  return arith::ConstantOp::create(b, loc, b.getZeroAttr(element));
}

/// `bias` ([channels]) broadcast along `axis` into `init`.
Value broadcastInto(OpBuilder &b, Location loc, Value bias, int64_t axis,
                    Value init) {
  auto type = cast<RankedTensorType>(init.getType());
  MLIRContext *ctx = b.getContext();
  AffineMap in = AffineMap::get(type.getRank(), 0, getAffineDimExpr(axis, ctx));
  return linalg::GenericOp::create(
             b, loc, type, bias, init,
             ArrayRef<AffineMap>{
                 in, AffineMap::getMultiDimIdentityMap(type.getRank(), ctx)},
             parallel(type.getRank()),
             [](OpBuilder &nb, Location nl, ValueRange args) {
               linalg::YieldOp::create(nb, nl, args[0]);
             })
      .getResult(0);
}

/// `bias` ([channels], or none: zeros) broadcast along `axis` of `type`,
/// whose dynamic sizes are `like`'s.
Value broadcastBias(OpBuilder &b, Location loc, RankedTensorType type,
                    Value bias, int64_t axis, Value like) {
  Value init = emptyLike(b, loc, type, like);
  if (!bias)
    return linalg::FillOp::create(b, loc, zeroOf(b, loc, type.getElementType()),
                                  init)
        .getResult(0);
  return broadcastInto(b, loc, bias, axis, init);
}

Value reduceDimensions(
    OpBuilder &b, Location loc, Value input, ArrayRef<bool> reduced,
    Value init, function_ref<Value(OpBuilder &, Location, Value, Value)> combine) {
  MLIRContext *ctx = b.getContext();
  RankedTensorType type = tensorType(input);
  SmallVector<int64_t> keptShape;
  SmallVector<AffineExpr> kept;
  SmallVector<utils::IteratorType> iterators;
  SmallVector<Value> dynamic;
  for (int64_t d = 0; d < type.getRank(); ++d) {
    iterators.push_back(reduced[d] ? utils::IteratorType::reduction
                                   : utils::IteratorType::parallel);
    if (reduced[d])
      continue;
    keptShape.push_back(type.getDimSize(d));
    kept.push_back(getAffineDimExpr(d, ctx));
    if (type.isDynamicDim(d))
      dynamic.push_back(tensor::DimOp::create(b, loc, input, d));
  }
  auto keptType = RankedTensorType::get(keptShape, init.getType());
  Value start =
      linalg::FillOp::create(
          b, loc, init,
          tensor::EmptyOp::create(b, loc, keptShape, init.getType(), dynamic)
              .getResult())
          .getResult(0);
  return linalg::GenericOp::create(
             b, loc, keptType, input, start,
             ArrayRef<AffineMap>{
                 AffineMap::getMultiDimIdentityMap(type.getRank(), ctx),
                 AffineMap::get(type.getRank(), 0, kept, ctx)},
             iterators,
             [&](OpBuilder &nb, Location nl, ValueRange args) {
               linalg::YieldOp::create(nb, nl,
                                       combine(nb, nl, args[0], args[1]));
             })
      .getResult(0);
}

LogicalResult replaceByReduction(ConversionPatternRewriter &rewriter,
                                 Operation *op, Value reducedValue,
                                 RankedTensorType result) {
  auto type = tensorType(reducedValue);
  if (type == result) {
    rewriter.replaceOp(op, reducedValue);
    return success();
  }
  auto reassociation = getReassociationIndicesForReshape(type, result);
  if (!reassociation)
    return unsupported(op, "cannot expand the reduced shape");
  rewriter.replaceOpWithNewOp<tensor::ExpandShapeOp>(op, result, reducedValue,
                                                     *reassociation);
  return success();
}

} // namespace qcc::qc_to_linalg

//===----------------------------------------------------------------------===//
// The conversion
//===----------------------------------------------------------------------===//

QCStorageTypeConverter::QCStorageTypeConverter() {
  addConversion([](Type t) { return t; });
  addConversion([](RankedTensorType t) -> Type {
    if (auto q = dyn_cast<quant::QuantizedType>(t.getElementType()))
      return t.clone(
          IntegerType::get(t.getContext(), q.getStorageTypeIntegralWidth()));
    // arith computes on signless integers; the patterns take signedness
    // from the qc op's own types.
    if (auto integer = dyn_cast<IntegerType>(t.getElementType());
        integer && !integer.isSignless())
      return t.clone(IntegerType::get(t.getContext(), integer.getWidth()));
    return t;
  });
}

void qcc::configureQCToLinalgTarget(ConversionTarget &target,
                                    const TypeConverter &converter) {
  target.addLegalDialect<arith::ArithDialect,
                         bufferization::BufferizationDialect,
                         func::FuncDialect, linalg::LinalgDialect,
                         math::MathDialect, memref::MemRefDialect,
                         tensor::TensorDialect>();
  target.addIllegalDialect<QCDialect>();
  target.addDynamicallyLegalOp<arith::ConstantOp>(
      [&converter](arith::ConstantOp c) {
        return converter.isLegal(c.getType());
      });
  target.addDynamicallyLegalOp<func::FuncOp>([&converter](func::FuncOp f) {
    return converter.isSignatureLegal(f.getFunctionType());
  });
  target.addDynamicallyLegalOp<func::ReturnOp, func::CallOp>(
      [&converter](Operation *op) { return converter.isLegal(op); });
}

namespace {

/// A constant of signed or unsigned integers as the same bits, signless.
struct ConvertIntegerConstant : OpConversionPattern<arith::ConstantOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(arith::ConstantOp op, OpAdaptor,
                  ConversionPatternRewriter &rewriter) const override {
    auto type = dyn_cast_or_null<RankedTensorType>(
        getTypeConverter()->convertType(op.getType()));
    auto dense = dyn_cast<DenseIntElementsAttr>(op.getValue());
    if (!type || !dense || type == op.getType())
      return failure();
    rewriter.replaceOpWithNewOp<arith::ConstantOp>(
        op, dense.bitcast(type.getElementType()));
    return success();
  }
};

} // namespace

void qcc::populateQCToLinalgConversionPatterns(
    const TypeConverter &converter, RewritePatternSet &patterns,
    FloatMath floatMath) {
  qc_to_linalg::populateElementwisePatterns(converter, patterns, floatMath);
  qc_to_linalg::populateContractionPatterns(converter, patterns);
  qc_to_linalg::populatePoolingPatterns(converter, patterns);
  qc_to_linalg::populateNormalizationPatterns(converter, patterns, floatMath);
  qc_to_linalg::populateShapePatterns(converter, patterns);
  // Signed and unsigned integers at function boundaries and in constants
  // become signless.
  patterns.add<ConvertIntegerConstant>(converter, patterns.getContext());
  populateFunctionOpInterfaceTypeConversionPattern<func::FuncOp>(patterns,
                                                                 converter);
  populateReturnOpTypeConversionPattern(patterns, converter);
  populateCallOpTypeConversionPattern(patterns, converter);
}

LogicalResult qcc::checkQCOpsAreConvertible(Operation *root,
                                            RewritePatternSet &patterns) {
  llvm::DenseSet<OperationName> convertible;
  for (const std::unique_ptr<RewritePattern> &pattern :
       patterns.getNativePatterns())
    if (std::optional<OperationName> kind = pattern->getRootKind())
      convertible.insert(*kind);
  bool unsupportedOps = false;
  root->walk([&](Operation *op) {
    if (isa<QCDialect>(op->getDialect()) &&
        !convertible.contains(op->getName())) {
      (void)qc_to_linalg::unsupported(op, "not implemented yet");
      unsupportedOps = true;
    }
  });
  return failure(unsupportedOps);
}

LogicalResult qcc::applyQCToLinalgConversion(ModuleOp module,
                                             const ConversionTarget &target,
                                             RewritePatternSet &&patterns) {
  if (failed(checkQCOpsAreConvertible(module, patterns)))
    return failure();
  widenSubByteWeights(module);
  return applyPartialConversion(module, target, std::move(patterns));
}

namespace {

struct ConvertQCToLinalgPass
    : qcc::impl::ConvertQCToLinalgBase<ConvertQCToLinalgPass> {
  void runOnOperation() override {
    foldConstantWeights(getOperation());
    QCStorageTypeConverter converter;
    ConversionTarget target(getContext());
    configureQCToLinalgTarget(target, converter);
    RewritePatternSet patterns(&getContext());
    populateQCToLinalgConversionPatterns(converter, patterns);
    if (failed(applyQCToLinalgConversion(getOperation(), target,
                                         std::move(patterns))))
      signalPassFailure();
  }
};

} // namespace
