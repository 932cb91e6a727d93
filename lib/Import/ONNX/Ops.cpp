//===- Ops.cpp - ONNX node converters: shared helpers and the op table ----===//
//
// The converters live in one file per op family (Ops.h lists them); this
// file holds the shape and constant helpers they share and the table of
// supported ops and versions.
//
//===----------------------------------------------------------------------===//

#include "Ops.h"

#include "mlir/Dialect/Arith/IR/Arith.h"

using namespace mlir;
using namespace qcc;
using namespace qcc::onnx_import;
using onnx::TensorProto;

namespace qcc::onnx_import {

/// NumPy broadcasting of symbolic shapes.
FailureOr<SymShape> broadcast(NodeContext &ctx, const SymShape &a,
                              const SymShape &b) {
  SymShape result(std::max(a.size(), b.size()));
  for (size_t i = 0; i < result.size(); ++i) {
    Dim da = i < a.size() ? a[a.size() - 1 - i] : 1;
    Dim db = i < b.size() ? b[b.size() - 1 - i] : 1;
    Dim &out = result[result.size() - 1 - i];
    if (da == db || db == 1)
      out = da;
    else if (da == 1)
      out = db;
    else if (!isStatic(da) && isStatic(db))
      out = db;
    else if (isStatic(da) && !isStatic(db))
      out = da;
    else if (!isStatic(da) && !isStatic(db))
      out = da; // Two symbols: equal at run time or the model is invalid.
    else {
      (void)ctx.fail("input shapes do not broadcast: dimension " +
                     llvm::Twine(da) + " vs " + llvm::Twine(db));
      return failure();
    }
  }
  return result;
}

SymShape shapeOfLiteral(const Literal &l) {
  return SymShape(l.shape.begin(), l.shape.end());
}

/// The product of the static dims of an imported value's shape (bounded by
/// the importer's element limit, so it cannot overflow).
int64_t staticProduct(llvm::ArrayRef<Dim> dims) {
  int64_t p = 1;
  for (Dim d : dims)
    if (isStatic(d))
      p *= d;
  return p;
}

/// A literal with the given values (known elements).
Literal makeLiteral(int32_t dataType, std::vector<int64_t> shape,
                    std::vector<double> values) {
  Literal l;
  l.dataType = dataType;
  l.shape = std::move(shape);
  l.values = std::move(values);
  return l;
}

/// Publishes a compile-time value (e.g. a folded shape) as output `i`; its
/// MLIR constant is created only if a consumer needs data.
void setLiteralOutput(NodeContext &ctx, size_t i, Literal literal) {
  ImportedValue v;
  v.dataType = literal.dataType;
  v.elementType = elementType(*ctx.context(), literal.dataType);
  v.shape = shapeOfLiteral(literal);
  v.literal = std::move(literal);
  ctx.setOutput(i, std::move(v));
}

std::optional<std::vector<int64_t>>
broadcastLiteralShapes(ArrayRef<const Literal *> literals) {
  size_t rank = 0;
  for (const Literal *l : literals)
    rank = std::max(rank, l->shape.size());
  std::vector<int64_t> shape(rank, 1);
  for (const Literal *l : literals)
    for (size_t i = 0; i < l->shape.size(); ++i) {
      int64_t &out = shape[rank - l->shape.size() + i];
      const int64_t d = l->shape[i];
      if (d == out || d == 1)
        continue;
      if (out != 1)
        return std::nullopt;
      out = d;
    }
  return shape;
}

int64_t broadcastSourceIndex(const Literal &l, ArrayRef<int64_t> shape,
                             int64_t i) {
  int64_t index = 0, stride = 1;
  const size_t offset = shape.size() - l.shape.size();
  for (size_t d = shape.size(); d-- > 0;) {
    const int64_t coordinate = i % shape[d];
    i /= shape[d];
    if (d >= offset) {
      const int64_t size = l.shape[d - offset];
      if (size != 1)
        index += coordinate * stride;
      stride *= size;
    }
  }
  return index;
}

DenseI64ArrayAttr i64Array(NodeContext &ctx, llvm::ArrayRef<int64_t> values) {
  return ctx.builder().getDenseI64ArrayAttr(values);
}

/// A rank-0 constant of `element` holding `value`.
Value scalarConstant(NodeContext &ctx, Type element, double value) {
  auto type = RankedTensorType::get({}, element);
  Attribute attr;
  if (auto f = dyn_cast<FloatType>(element)) {
    llvm::APFloat v(value);
    bool losesInfo;
    v.convert(f.getFloatSemantics(), llvm::APFloat::rmNearestTiesToEven,
              &losesInfo);
    attr = DenseElementsAttr::get(type, v);
  } else {
    attr = DenseElementsAttr::get(
        type, llvm::APInt(element.getIntOrFloatBitWidth(),
                          static_cast<uint64_t>(saturatingInt64(value)),
                          !element.isUnsignedInteger(), true));
  }
  return arith::ConstantOp::create(ctx.builder(), ctx.loc(), type,
                                   cast<TypedAttr>(attr));
}

/// A reshape to `shape` (at most one symbolic dim).
FailureOr<Value> reshapeTo(NodeContext &ctx, Value input, const SymShape &shape,
                           Type element) {
  int dynamic = 0;
  for (Dim d : shape)
    dynamic += !isStatic(d);
  if (dynamic > 1)
    return ctx.unsupported("a reshape with more than one dynamic "
                            "dimension");
  // Folds reshapes of constants and of reshapes (qc.reshape's folder).
  return ctx.builder().createOrFold<qc::ReshapeOp>(
      ctx.loc(), ctx.tensorType(shape, element), input);
}

} // namespace qcc::onnx_import

const llvm::StringMap<OpSupport> &qcc::onnx_import::getOpSupport() {
  static const llvm::StringMap<OpSupport> table = [] {
    llvm::StringMap<OpSupport> t;
    auto add = [&](llvm::StringRef name, unsigned requiredInputs,
                   NodeConverter convert, std::vector<int64_t> all,
                   std::vector<int64_t> supported) {
      t[name] = OpSupport{std::move(convert), std::move(supported),
                          std::move(all), requiredInputs, {}};
    };
    add("Add", 2, convertBinary<qc::AddOp>, {1, 6, 7, 13, 14}, {7, 13, 14});
    add("Sub", 2, convertBinary<qc::SubOp>, {1, 6, 7, 13, 14}, {7, 13, 14});
    add("Mul", 2, convertBinary<qc::MulOp>, {1, 6, 7, 13, 14}, {7, 13, 14});
    add("Div", 2, convertBinary<qc::DivOp>, {1, 6, 7, 13, 14}, {7, 13, 14});
    add("Pow", 2, convertBinary<qc::PowOp>, {1, 7, 12, 13, 15},
        {7, 12, 13, 15});
    add("Relu", 1, convertRelu, {1, 6, 13, 14}, {6, 13, 14});
    add("LeakyRelu", 1, convertLeakyRelu, {1, 6, 16}, {6, 16});
    add("Sigmoid", 1, unary<qc::SigmoidOp>(), {1, 6, 13}, {6, 13});
    add("Tanh", 1, unary<qc::TanhOp>(), {1, 6, 13}, {6, 13});
    add("Sqrt", 1, unary<qc::SqrtOp>(), {1, 6, 13}, {6, 13});
    add("Erf", 1, unary<qc::ErfOp>(), {9, 13}, {9, 13});
    add("HardSigmoid", 1, convertHardSigmoid, {1, 6}, {6});
    add("HardSwish", 1, unary<qc::HardSwishOp>(), {14}, {14});
    add("Gelu", 1, convertGelu, {20}, {20});
    add("Equal", 2, convertEqual, {1, 7, 11, 13, 19}, {1, 7, 11, 13, 19});
    add("Where", 3, convertWhere, {9, 16}, {9, 16});
    add("Clip", 1, convertClip, {1, 6, 11, 12, 13}, {6, 11, 12, 13});
    add("Conv", 2, convertConv, {1, 11}, {1, 11});
    add("ConvTranspose", 2, convertConvTranspose, {1, 11}, {1, 11});
    add("Gemm", 2, convertGemm, {1, 6, 7, 9, 11, 13}, {7, 9, 11, 13});
    add("MatMul", 2, convertMatMul, {1, 9, 13}, {1, 9, 13});
    add("Softmax", 1, convertSoftmax, {1, 11, 13}, {1, 11, 13});
    add("LayerNormalization", 2, convertLayerNorm, {17}, {17});
    add("BatchNormalization", 5, convertBatchNorm, {1, 6, 7, 9, 14, 15},
        {7, 9, 14, 15});
    add("ReduceMean", 1, convertReduceMean, {1, 11, 13, 18}, {1, 11, 13, 18});
    add("MaxPool", 1, [](NodeContext &c) { return convertPool(c, true); },
        {1, 8, 10, 11, 12}, {1, 8, 10, 11, 12});
    add("AveragePool", 1, [](NodeContext &c) { return convertPool(c, false); },
        {1, 7, 10, 11, 19}, {1, 7, 10, 11, 19});
    add("GlobalAveragePool", 1, convertGlobalAveragePool, {1}, {1});
    add("Flatten", 1, convertFlatten, {1, 9, 11, 13, 21}, {1, 9, 11, 13, 21});
    add("Reshape", 2, convertReshape, {1, 5, 13, 14, 19, 21},
        {5, 13, 14, 19, 21});
    add("Transpose", 1, convertTranspose, {1, 13, 21}, {1, 13, 21});
    add("Concat", 1, convertConcat, {1, 4, 11, 13}, {4, 11, 13});
    add("Split", 1, convertSplit, {1, 2, 11, 13, 18}, {2, 11, 13, 18});
    add("Slice", 1, convertSlice, {1, 10, 11, 13}, {1, 10, 11, 13});
    add("Squeeze", 1, convertSqueeze, {1, 11, 13, 21}, {1, 11, 13, 21});
    add("Unsqueeze", 1, convertUnsqueeze, {1, 11, 13, 21}, {1, 11, 13, 21});
    add("Gather", 2, convertGather, {1, 11, 13}, {1, 11, 13});
    add("Shape", 1, convertShape, {1, 13, 15, 19, 21}, {1, 13, 15, 19, 21});
    add("Constant", 0, convertConstant, {1, 9, 11, 12, 13, 19, 21},
        {1, 9, 11, 12, 13, 19, 21});
    // 19 and 21 add float8 and 4-bit types (and `saturate` for float8),
    // which elementType() does not know: such casts are reported.
    add("Cast", 1, convertCast, {1, 6, 9, 13, 19, 21}, {6, 9, 13, 19, 21});
    add("ConstantOfShape", 1, convertConstantOfShape, {9, 20, 21},
        {9, 20, 21});
    add("Expand", 2, convertExpand, {8, 13}, {8, 13});
    add("Identity", 1, convertIdentity, {1, 13, 14, 16, 19, 21},
        {1, 13, 14, 16, 19, 21});
    add("Pad", 1, convertPad, {1, 2, 11, 13, 18, 19, 21},
        {2, 11, 13, 18, 19, 21});
    add("QuantizeLinear", 2, convertQuantizeLinear, {10, 13, 19, 21},
        {10, 13, 19, 21});
    add("DequantizeLinear", 2, convertDequantizeLinear, {10, 13, 19, 21},
        {10, 13, 19, 21});
    add("QLinearConv", 8, convertQLinearConv, {10}, {10});
    add("QLinearMatMul", 8, convertQLinearMatMul, {10, 21}, {10, 21});
    add("MatMulInteger", 2, convertMatMulInteger, {10}, {10});
    add("ConvInteger", 2, convertConvInteger, {10}, {10});
    // Inputs that became required in a later version (attributes before).
    t["Slice"].requiredInputsFrom = {{10, 3}};
    t["Pad"].requiredInputsFrom = {{11, 2}};
    t["Unsqueeze"].requiredInputsFrom = {{13, 2}};
    return t;
  }();
  return table;
}

std::vector<qcc::ONNXOpSupport> qcc::getONNXOpSupport() {
  std::vector<ONNXOpSupport> ops;
  for (const auto &entry : onnx_import::getOpSupport())
    ops.push_back({entry.getKey().str(), entry.getValue().supportedVersions,
                   entry.getValue().allVersions});
  llvm::sort(ops, [](const ONNXOpSupport &a, const ONNXOpSupport &b) {
    return a.name < b.name;
  });
  return ops;
}
