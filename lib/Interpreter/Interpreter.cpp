//===- Interpreter.cpp - Reference interpreter of qcc's graph IR ----------===//

#include "qcc/Interpreter/Interpreter.h"

#include "qcc/Dialect/QC/IR/QCOps.h"
#include "qcc/Numerics/Dyadic.h"
#include "qcc/Numerics/Packing.h"
#include "qcc/Numerics/Quantize.h"
#include "qcc/Support/CheckedInt.h"
#include "qcc/Support/MemoryLimit.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Quant/IR/Quant.h"
#include "mlir/Dialect/Quant/IR/QuantTypes.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/DialectResourceBlobManager.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"
#include "llvm/ADT/APFloat.h"
#include "llvm/ADT/DenseMap.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "llvm/ADT/TypeSwitch.h"

#include <cmath>

using namespace mlir;
using namespace qcc;
using namespace qcc::interp;

namespace {

llvm::Error opError(Operation *op, const llvm::Twine &message) {
  if (!op)
    return llvm::createStringError(llvm::inconvertibleErrorCode(),
                                   "constant: " + message);
  std::string location;
  llvm::raw_string_ostream os(location);
  op->getLoc().print(os);
  return llvm::createStringError(llvm::inconvertibleErrorCode(),
                                 "interpreter: '" +
                                     op->getName().getStringRef() + "' at " +
                                     location + ": " + message);
}

/// The storage type of quantized values; the element type otherwise.
Type storageOrSelf(Type type) {
  if (auto q = dyn_cast<quant::QuantizedType>(type))
    return q.getStorageType();
  if (auto f = dyn_cast<qc::ScaledFloatType>(type))
    return f.getStorageType();
  return type;
}

bool isIntegerLike(Type type) { return isa<IntegerType>(storageOrSelf(type)); }

/// Element `type`'s view: its shape of static dims, checked against `t`.
llvm::Error checkShape(Operation *op, const Tensor &t, Type type) {
  auto ranked = dyn_cast<RankedTensorType>(type);
  if (!ranked) // A scalar (an index).
    return t.rank() == 0 ? llvm::Error::success()
                         : opError(op, "a scalar result has rank " +
                                           llvm::Twine(t.rank()));
  if (ranked.getRank() != t.rank())
    return opError(op, "result rank " + llvm::Twine(t.rank()) +
                           " differs from the type's " +
                           llvm::Twine(ranked.getRank()));
  for (int64_t i = 0; i < t.rank(); ++i)
    if (!ranked.isDynamicDim(i) && ranked.getDimSize(i) != t.shape[i])
      return opError(op, "result dimension " + llvm::Twine(i) + " is " +
                             llvm::Twine(t.shape[i]) + " but the type says " +
                             llvm::Twine(ranked.getDimSize(i)));
  return llvm::Error::success();
}

/// Decodes a constant attribute into a tensor.
llvm::Expected<Tensor> fromAttribute(Operation *op, ElementsAttr attr) {
  auto type = cast<RankedTensorType>(attr.getType());
  Tensor t;
  t.shape.assign(type.getShape().begin(), type.getShape().end());
  Type element = type.getElementType();
  if (auto dense = dyn_cast<DenseElementsAttr>(attr)) {
    if (isa<FloatType>(element))
      for (const llvm::APFloat &v : dense.getValues<llvm::APFloat>())
        t.data.push_back(
            [&] {
              llvm::APFloat d = v;
              bool losesInfo;
              d.convert(llvm::APFloat::IEEEdouble(),
                        llvm::APFloat::rmNearestTiesToEven, &losesInfo);
              return d.convertToDouble();
            }());
    else if (auto integer = dyn_cast<IntegerType>(element))
      for (const llvm::APInt &v : dense.getValues<llvm::APInt>())
        t.data.push_back(integer.isUnsigned() || integer.getWidth() == 1
                             ? static_cast<double>(v.getZExtValue())
                             : static_cast<double>(v.getSExtValue()));
    else
      return opError(op, "unsupported constant element type");
    return t;
  }
  auto resource = dyn_cast<DenseResourceElementsAttr>(attr);
  if (!resource || !resource.getRawHandle().getBlob())
    return opError(op, "unsupported constant attribute");
  ArrayRef<char> bytes = resource.getRawHandle().getBlob()->getData();
  const unsigned bits = element.getIntOrFloatBitWidth();
  const size_t size = bits / 8;
  const int64_t count = type.getNumElements();
  if (bits % 8 != 0 || bytes.size() != static_cast<size_t>(count) * size)
    return opError(op, "constant blob has " + llvm::Twine(bytes.size()) +
                           " bytes for " + llvm::Twine(count) + " elements");
  t.data.resize(count);
  for (int64_t i = 0; i < count; ++i) {
    uint64_t raw = 0;
    std::memcpy(&raw, bytes.data() + i * size, size);
    if (auto f = dyn_cast<FloatType>(element)) {
      llvm::APFloat v(f.getFloatSemantics(), llvm::APInt(bits, raw));
      bool losesInfo;
      v.convert(llvm::APFloat::IEEEdouble(), llvm::APFloat::rmNearestTiesToEven,
                &losesInfo);
      t.data[i] = v.convertToDouble();
    } else {
      llvm::APInt v(bits, raw);
      t.data[i] = cast<IntegerType>(element).isUnsigned()
                      ? static_cast<double>(v.getZExtValue())
                      : static_cast<double>(v.getSExtValue());
    }
  }
  return t;
}

/// Index along `axis` of flat element `i` of `shape`.
int64_t indexAlong(const Shape &shape, int64_t i, int64_t axis) {
  int64_t inner = 1;
  for (size_t d = axis + 1; d < shape.size(); ++d)
    inner *= shape[d];
  return (i / inner) % shape[axis];
}

/// The per-element parameters of `op`'s quantized `type`; errors name `op`.
llvm::Expected<qc::QuantParams> paramsOf(Operation *op, Type type,
                                         const Shape &shape) {
  auto params = qc::QuantParams::get(type, shape);
  if (!params)
    return opError(op, llvm::toString(params.takeError()));
  return params;
}

numerics::IntegerRange rangeOf(quant::QuantizedType q) {
  return {q.getStorageTypeMin(), q.getStorageTypeMax()};
}

llvm::Expected<Tensor> quantize(qc::QuantizeOp op, const Tensor &x) {
  Type type = op.getOutput().getType().getElementType();
  const numerics::RoundingMode mode = qc::toNumerics(op.getRounding());
  auto table = paramsOf(op, type, x.shape);
  if (!table)
    return table.takeError();
  Tensor out(x.shape, std::vector<double>(x.data.size()));
  for (size_t i = 0; i < x.data.size(); ++i) {
    const qc::QuantParams::Element p = table->at(i);
    const float value = static_cast<float>(x.data[i]);
    if (auto q = dyn_cast<quant::QuantizedType>(type))
      out.data[i] = static_cast<double>(numerics::quantizeInteger(
          value, static_cast<float>(p.scale), p.zeroPoint, rangeOf(q), mode));
    else
      out.data[i] = numerics::quantizeMinifloat(
          value, static_cast<float>(p.scale),
          cast<qc::ScaledFloatType>(type).getStorageKind(), mode);
  }
  return out;
}

llvm::Expected<Tensor> dequantize(qc::DequantizeOp op, const Tensor &q) {
  Type type = op.getInput().getType().getElementType();
  auto table = paramsOf(op, type, q.shape);
  if (!table)
    return table.takeError();
  Tensor out(q.shape, std::vector<double>(q.data.size()));
  for (size_t i = 0; i < q.data.size(); ++i) {
    const qc::QuantParams::Element p = table->at(i);
    if (isa<quant::QuantizedType>(type))
      out.data[i] = numerics::dequantizeInteger(
          static_cast<int64_t>(q.data[i]), static_cast<float>(p.scale),
          p.zeroPoint);
    else
      out.data[i] = numerics::dequantizeMinifloat(
          static_cast<uint8_t>(static_cast<int64_t>(q.data[i])),
          static_cast<float>(p.scale),
          cast<qc::ScaledFloatType>(type).getStorageKind());
  }
  return out;
}

/// Block-scaled weights: each code decoded times its block's scale.
Tensor dequantizeBlocks(qc::DequantizeBlocksOp op, const Tensor &codes,
                        const Tensor &scales) {
  qc::BlockScaledType type = op.getBlockType();
  int64_t inner = 1;
  for (size_t d = type.getAxis() + 1; d < codes.shape.size(); ++d)
    inner *= codes.shape[d];
  auto bytes = [](const Tensor &t) {
    std::vector<uint8_t> out;
    for (double v : t.data)
      out.push_back(static_cast<uint8_t>(static_cast<int64_t>(v)));
    return out;
  };
  const std::vector<float> values = numerics::dequantizeBlocksAlong(
      bytes(codes), bytes(scales), codes.shape[type.getAxis()], inner,
      type.getBlockFormat());
  return Tensor(codes.shape, std::vector<double>(values.begin(), values.end()));
}

/// The codes `packed` holds, in the result's row-major order.
Tensor unpack(qc::UnpackOp op, const Tensor &packed) {
  const unsigned bits = op.getOutput().getType().getElementTypeBitWidth();
  ArrayRef<int64_t> shape = op.getOutput().getType().getShape();
  auto [rows, length] =
      qc::getPackedRowsAndRowLength(shape, op.getReductionDims());
  const size_t rowBytes = numerics::packedRowBytes(bits, length);
  std::vector<uint8_t> bytes(packed.data.size()), codes(length);
  for (size_t i = 0; i < bytes.size(); ++i)
    bytes[i] = static_cast<uint8_t>(static_cast<int64_t>(packed.data[i]));
  std::vector<int64_t> order = qc::getPackedOrder(shape, op.getReductionDims());
  std::vector<double> values(order.size());
  for (int64_t r = 0; r < rows; ++r) {
    numerics::unpackRow(bits, bytes.data() + r * rowBytes, length,
                        codes.data());
    for (int64_t i = 0; i < length; ++i)
      values[order[r * length + i]] = codes[i]; // signless: wrapped after
  }
  Tensor result;
  result.shape.assign(shape.begin(), shape.end());
  result.data = std::move(values);
  return result;
}

llvm::Expected<Tensor> requantize(qc::RequantizeOp op, const Tensor &q) {
  Type inType = op.getInput().getType().getElementType();
  auto outType = cast<quant::QuantizedType>(
      op.getOutput().getType().getElementType());
  const numerics::RoundingMode mode = qc::toNumerics(op.getRounding());
  auto inTable = paramsOf(op, inType, q.shape);
  if (!inTable)
    return inTable.takeError();
  auto outTable = paramsOf(op, outType, q.shape);
  if (!outTable)
    return outTable.takeError();
  Tensor out(q.shape, std::vector<double>(q.data.size()));
  for (size_t i = 0; i < q.data.size(); ++i) {
    const qc::QuantParams::Element in = inTable->at(i);
    const qc::QuantParams::Element o = outTable->at(i);
    const double ratio = in.scale / o.scale;
    const double real = static_cast<double>(q.data[i] - in.zeroPoint) * ratio;
    out.data[i] = static_cast<double>(numerics::roundAndSaturate(
        numerics::roundToIntegral(real, mode) + o.zeroPoint,
        numerics::RoundingMode::TowardZero, rangeOf(outType)));
  }
  return out;
}

llvm::Expected<Tensor> rescale(qc::RescaleOp op, const Tensor &x) {
  Tensor out(x.shape, std::vector<double>(x.data.size()));
  std::optional<uint64_t> axis = op.getAxis();
  for (size_t i = 0; i < x.data.size(); ++i) {
    const unsigned c = axis ? indexAlong(x.shape, i, *axis) : 0;
    std::optional<int64_t> r = numerics::rescale(
        static_cast<int64_t>(x.data[i]), op.getRescaleParams(c));
    if (!r)
      return opError(op, "element " + llvm::Twine(i) + " (" +
                             llvm::Twine(static_cast<int64_t>(x.data[i])) +
                             ") violates a TOSA RESCALE requirement (value "
                             "range for the shift, or int32 overflow)");
    out.data[i] = static_cast<double>(*r);
  }
  return out;
}

std::vector<int64_t> toVector(ArrayRef<int64_t> values) {
  return {values.begin(), values.end()};
}

Window windowOf(ArrayRef<int64_t> kernel, ArrayRef<int64_t> strides,
                ArrayRef<int64_t> pads, ArrayRef<int64_t> dilations) {
  return Window{toVector(kernel), toVector(strides), toVector(pads),
                toVector(dilations)};
}

using numerics::clampPropagatingNaN;

/// Runs one op; `get` looks up operand tensors.
llvm::Expected<std::vector<Tensor>>
execute(Operation *op, llvm::function_ref<const Tensor &(Value)> get) {
  auto single = [](Result<Tensor> r) -> llvm::Expected<std::vector<Tensor>> {
    if (!r)
      return llvm::createStringError(llvm::inconvertibleErrorCode(), r.error);
    return std::vector<Tensor>{std::move(*r.value)};
  };
  auto wrap = [&](llvm::Expected<std::vector<Tensor>> r)
      -> llvm::Expected<std::vector<Tensor>> {
    if (!r)
      return opError(op, llvm::toString(r.takeError()));
    return r;
  };
  auto expectedSingle =
      [](llvm::Expected<Tensor> t) -> llvm::Expected<std::vector<Tensor>> {
    if (!t)
      return t.takeError();
    return std::vector<Tensor>{std::move(*t)};
  };
  auto optional = [&](Value v) -> const Tensor * {
    return v ? &get(v) : nullptr;
  };

  return llvm::TypeSwitch<Operation *, llvm::Expected<std::vector<Tensor>>>(op)
      .Case([&](arith::ConstantOp c) -> llvm::Expected<std::vector<Tensor>> {
        // Index scalars are sizes (qc.expand's operands).
        if (auto index = dyn_cast<IntegerAttr>(c.getValue());
            index && index.getType().isIndex())
          return std::vector<Tensor>{
              Tensor({}, {static_cast<double>(index.getInt())})};
        auto attr = dyn_cast<ElementsAttr>(c.getValue());
        if (!attr)
          return opError(op, "only tensor and index constants are supported");
        return expectedSingle(fromAttribute(op, attr));
      })
      .Case<qc::AddOp, qc::SubOp, qc::MulOp, qc::DivOp, qc::PowOp>(
          [&](Operation *) {
            Type element = cast<RankedTensorType>(op->getResult(0).getType())
                               .getElementType();
            const bool integer = isIntegerLike(element);
            std::function<double(double, double)> f;
            if (isa<qc::AddOp>(op))
              f = [](double a, double b) { return a + b; };
            else if (isa<qc::SubOp>(op))
              f = [](double a, double b) { return a - b; };
            else if (isa<qc::MulOp>(op))
              f = [](double a, double b) { return a * b; };
            else if (isa<qc::DivOp>(op))
              f = [integer](double a, double b) {
                return integer ? (b == 0 ? 0.0 : std::trunc(a / b)) : a / b;
              };
            else
              f = [](double a, double b) { return std::pow(a, b); };
            return wrap(single(binary(get(op->getOperand(0)),
                                      get(op->getOperand(1)), f)));
          })
      .Case([&](qc::ScalarFunctionOpInterface f)
                -> llvm::Expected<std::vector<Tensor>> {
        return std::vector<Tensor>{unary(
            get(op->getOperand(0)), [&](double x) { return f.evaluate(x); })};
      })
      .Case([&](qc::ClipOp c) -> llvm::Expected<std::vector<Tensor>> {
        const double lo = c.getMin() ? get(c.getMin()).data.at(0) : -INFINITY;
        const double hi = c.getMax() ? get(c.getMax()).data.at(0) : INFINITY;
        return std::vector<Tensor>{unary(get(c.getInput()), [&](double x) {
          return clampPropagatingNaN(x, lo, hi);
        })};
      })
      .Case([&](qc::CastOp c) -> llvm::Expected<std::vector<Tensor>> {
        const bool toInteger = isa<IntegerType>(c.getOutput().getType().getElementType());
        return std::vector<Tensor>{unary(get(c.getInput()), [&](double x) {
          return toInteger ? std::trunc(x) : x;
        })};
      })
      .Case([&](qc::ConvOp c) {
        return wrap(single(conv(get(c.getInput()), get(c.getWeight()),
                                optional(c.getBias()),
                                windowOf({}, c.getStrides(), c.getPads(),
                                         c.getDilations()),
                                c.getGroup())));
      })
      .Case([&](qc::ConvTransposeOp c) {
        return wrap(single(convTranspose(
            get(c.getInput()), get(c.getWeight()), optional(c.getBias()),
            windowOf({}, c.getStrides(), c.getPads(), c.getDilations()),
            toVector(c.getOutputPadding()), c.getGroup())));
      })
      .Case([&](qc::GemmOp g) {
        return wrap(single(gemm(get(g.getA()), get(g.getB()),
                                optional(g.getC()),
                                g.getAlpha().convertToDouble(),
                                g.getBeta().convertToDouble(), g.getTransA(),
                                g.getTransB())));
      })
      .Case([&](qc::MatMulOp m) {
        return wrap(single(matmul(get(m.getLhs()), get(m.getRhs()))));
      })
      .Case([&](qc::SoftmaxOp s) {
        return wrap(single(softmax(get(s.getInput()), s.getAxis())));
      })
      .Case([&](qc::LayerNormOp l) {
        return wrap(single(layerNorm(get(l.getInput()), get(l.getScale()),
                                     optional(l.getBias()), l.getAxis(),
                                     l.getEpsilon().convertToDouble())));
      })
      .Case([&](qc::BatchNormOp b) {
        return wrap(single(batchNorm(get(b.getInput()), get(b.getScale()),
                                     get(b.getBias()), get(b.getMean()),
                                     get(b.getVariance()),
                                     b.getEpsilon().convertToDouble())));
      })
      .Case([&](qc::ReduceMeanOp r) {
        return wrap(single(reduceMean(get(r.getInput()), toVector(r.getAxes()),
                                      r.getKeepdims())));
      })
      .Case([&](qc::ReduceSumOp r) {
        return wrap(single(reduceSum(get(r.getInput()), toVector(r.getAxes()),
                                     r.getKeepdims())));
      })
      .Case([&](qc::MaxPoolOp p) {
        return wrap(single(maxPool(get(p.getInput()),
                                   windowOf(p.getKernelShape(), p.getStrides(),
                                            p.getPads(), p.getDilations()),
                                   p.getCeilMode())));
      })
      .Case([&](qc::AvgPoolOp p) {
        return wrap(single(avgPool(get(p.getInput()),
                                   windowOf(p.getKernelShape(), p.getStrides(),
                                            p.getPads(), p.getDilations()),
                                   p.getCeilMode(), p.getCountIncludePad())));
      })
      .Case([&](qc::SumPoolOp p) {
        return wrap(single(sumPool(get(p.getInput()),
                                   windowOf(p.getKernelShape(), p.getStrides(),
                                            p.getPads(), p.getDilations()),
                                   p.getCeilMode())));
      })
      .Case([&](qc::GlobalAvgPoolOp p) {
        return wrap(single(globalAvgPool(get(p.getInput()))));
      })
      .Case([&](qc::ReshapeOp r) {
        Shape target;
        for (int64_t d : r.getOutput().getType().getShape())
          target.push_back(ShapedType::isDynamic(d) ? -1 : d);
        return wrap(single(reshape(get(r.getInput()), target)));
      })
      .Case([&](qc::TransposeOp t) {
        return wrap(single(transpose(get(t.getInput()), toVector(t.getPerm()))));
      })
      .Case([&](qc::ConcatOp c) {
        std::vector<const Tensor *> inputs;
        for (Value v : c.getInputs())
          inputs.push_back(&get(v));
        return wrap(single(concat(inputs, c.getAxis())));
      })
      .Case([&](qc::SplitOp s) -> llvm::Expected<std::vector<Tensor>> {
        std::vector<int64_t> sizes;
        for (Value r : s.getOutputs())
          sizes.push_back(
              cast<RankedTensorType>(r.getType()).getDimSize(s.getAxis()));
        Result<std::vector<Tensor>> parts =
            split(get(s.getInput()), s.getAxis(), sizes);
        if (!parts)
          return opError(op, parts.error);
        return std::move(*parts.value);
      })
      .Case([&](qc::SliceOp s) {
        return wrap(single(slice(get(s.getInput()), toVector(s.getStarts()),
                                 toVector(s.getEnds()), toVector(s.getSteps()))));
      })
      .Case([&](tensor::DimOp d) -> llvm::Expected<std::vector<Tensor>> {
        const Tensor &source = get(d.getSource());
        const int64_t dim = static_cast<int64_t>(get(d.getIndex()).data.at(0));
        if (dim < 0 || dim >= static_cast<int64_t>(source.shape.size()))
          return opError(op, "dimension " + llvm::Twine(dim) +
                                 " is out of range for rank " +
                                 llvm::Twine(source.shape.size()));
        return std::vector<Tensor>{
            Tensor({}, {static_cast<double>(source.shape[dim])})};
      })
      .Case([&](qc::ExpandOp e) {
        Shape target;
        auto sizes = e.getSizes().begin();
        for (int64_t d : e.getOutput().getType().getShape())
          target.push_back(ShapedType::isDynamic(d)
                               ? static_cast<int64_t>(get(*sizes++).data.at(0))
                               : d);
        return wrap(single(expand(get(e.getInput()), target)));
      })
      .Case([&](qc::GatherOp g) {
        return wrap(single(gather(get(g.getData()), get(g.getIndices()),
                                  g.getAxis())));
      })
      .Case([&](qc::PadOp p) {
        PadMode mode = p.getMode() == qc::PadMode::Constant
                           ? PadMode::Constant
                           : p.getMode() == qc::PadMode::Reflect
                                 ? PadMode::Reflect
                                 : PadMode::Edge;
        return wrap(single(pad(get(p.getInput()), toVector(p.getPads()), mode,
                               p.getValue().convertToDouble())));
      })
      .Case([&](qc::QuantizeOp q) {
        return wrap(expectedSingle(quantize(q, get(q.getInput()))));
      })
      .Case([&](qc::DequantizeOp q) {
        return wrap(expectedSingle(dequantize(q, get(q.getInput()))));
      })
      .Case([&](qc::RequantizeOp q) {
        return wrap(expectedSingle(requantize(q, get(q.getInput()))));
      })
      .Case([&](qc::RescaleOp r) {
        return wrap(expectedSingle(rescale(r, get(r.getInput()))));
      })
      .Case([&](qc::TableOp t) -> llvm::Expected<std::vector<Tensor>> {
        // Signless integers are held as signed values.
        const Tensor &table = get(t.getTable());
        const int64_t min =
            -(int64_t(1) << (t.getInput().getType().getElementTypeBitWidth() - 1));
        return std::vector<Tensor>{unary(get(t.getInput()), [&](double x) {
          return table.data[static_cast<int64_t>(x) - min];
        })};
      })
      .Case([&](qc::UnpackOp u) {
        return wrap(single(unpack(u, get(u.getPacked()))));
      })
      .Case([&](qc::DequantizeBlocksOp d) {
        return wrap(
            single(dequantizeBlocks(d, get(d.getCodes()), get(d.getScales()))));
      })
      .Case<qc::StorageCastOp, quant::StorageCastOp>(
          [&](Operation *) -> llvm::Expected<std::vector<Tensor>> {
            return std::vector<Tensor>{get(op->getOperand(0))};
          })
      .Default([&](Operation *) -> llvm::Expected<std::vector<Tensor>> {
        return opError(op, "op not supported by the interpreter");
      });
}

} // namespace

llvm::Expected<Tensor> qcc::interp::decodeConstant(ElementsAttr attr) {
  return fromAttribute(nullptr, attr);
}

void qcc::interp::roundToElementType(Tensor &t, Type elementType) {
  if (isa<qc::ScaledFloatType>(elementType))
    return; // Codes, already exact.
  Type type = storageOrSelf(elementType);
  if (type.isF64())
    return;
  if (type.isF32()) {
    for (double &v : t.data)
      v = static_cast<float>(v);
    return;
  }
  if (auto f = dyn_cast<FloatType>(type)) {
    for (double &v : t.data) {
      llvm::APFloat a(v);
      bool losesInfo;
      a.convert(f.getFloatSemantics(), llvm::APFloat::rmNearestTiesToEven,
                &losesInfo);
      a.convert(llvm::APFloat::IEEEdouble(), llvm::APFloat::rmNearestTiesToEven,
                &losesInfo);
      v = a.convertToDouble();
    }
    return;
  }
  auto integer = dyn_cast<IntegerType>(type);
  if (!integer)
    return;
  const unsigned width = integer.getWidth();
  if (width == 1) {
    for (double &v : t.data)
      v = v != 0 ? 1 : 0;
    return;
  }
  if (width >= 64)
    return;
  const bool isUnsigned = integer.isUnsigned() ||
                          (isa<quant::QuantizedType>(elementType) &&
                           !cast<quant::QuantizedType>(elementType).isSigned());
  const uint64_t mask = (uint64_t{1} << width) - 1;
  for (double &v : t.data) {
    if (!std::isfinite(v)) {
      v = 0;
      continue;
    }
    const uint64_t bits = static_cast<uint64_t>(static_cast<int64_t>(std::trunc(v))) & mask;
    if (isUnsigned)
      v = static_cast<double>(bits);
    else
      v = static_cast<double>(bits >= (uint64_t{1} << (width - 1))
                                  ? static_cast<int64_t>(bits) -
                                        static_cast<int64_t>(uint64_t{1} << width)
                                  : static_cast<int64_t>(bits));
  }
}

llvm::Expected<std::vector<Tensor>>
qcc::interp::runFunction(func::FuncOp func, ArrayRef<Tensor> inputs,
                         ValueObserver observer, KnownValues known) {
  if (func.isExternal())
    return llvm::createStringError(llvm::inconvertibleErrorCode(),
                                   "interpreter: function @" + func.getName() +
                                       " has no body");
  Block &body = func.getBody().front();
  if (inputs.size() != body.getNumArguments())
    return llvm::createStringError(
        llvm::inconvertibleErrorCode(),
        "interpreter: @" + func.getName() + " takes " +
            llvm::Twine(body.getNumArguments()) + " inputs, got " +
            llvm::Twine(inputs.size()));
  llvm::DenseMap<Value, Tensor> env;
  // Memory: every value stays live to the end, so the bytes add up. A
  // result's size is estimated from its type before the op runs, a dynamic
  // dimension taking the largest dynamic extent of the inputs (the batch).
  uint64_t liveBytes = 0;
  int64_t dynamicExtent = 1;
  // Kernels check their own results against the same limit: a dynamic
  // dimension the estimate below cannot see (e.g. a padded batch) is caught
  // there.
  setMaxResultElements(static_cast<int64_t>(
      std::min<uint64_t>(memoryLimitBytes() / sizeof(double), INT64_MAX)));
  for (auto [i, arg] : llvm::enumerate(body.getArguments())) {
    auto type = cast<RankedTensorType>(arg.getType());
    for (int64_t d = 0; d < type.getRank() && d < inputs[i].rank(); ++d)
      if (type.isDynamicDim(d))
        dynamicExtent = std::max(dynamicExtent, inputs[i].shape[d]);
  }
  auto estimatedBytes = [&](Operation &op) -> std::optional<uint64_t> {
    CheckedInt total = 0;
    for (Type type : op.getResultTypes()) {
      auto shaped = dyn_cast<ShapedType>(type);
      if (!shaped || !shaped.hasRank())
        continue;
      CheckedInt count = 1;
      for (int64_t d : shaped.getShape())
        count = count * (ShapedType::isDynamic(d) ? dynamicExtent : d);
      total = total + count;
    }
    return checkedBytes(total.get(), sizeof(double));
  };
  for (auto [i, arg] : llvm::enumerate(body.getArguments())) {
    auto type = cast<RankedTensorType>(arg.getType());
    const Tensor &in = inputs[i];
    bool matches = type.getRank() == in.rank();
    for (int64_t d = 0; matches && d < in.rank(); ++d)
      matches = type.isDynamicDim(d) || type.getDimSize(d) == in.shape[d];
    if (!matches || static_cast<int64_t>(in.data.size()) != in.numElements()) {
      std::string expected;
      llvm::raw_string_ostream os(expected);
      type.print(os);
      std::string got;
      for (int64_t d : in.shape)
        got += (got.empty() ? "" : "x") + std::to_string(d);
      return llvm::createStringError(
          llvm::inconvertibleErrorCode(),
          "interpreter: input #" + llvm::Twine(i) + " has shape [" + got +
              "] but @" + func.getName() + " expects " + expected);
    }
    Tensor t = in;
    roundToElementType(t, type.getElementType());
    if (observer)
      observer(arg, t);
    env[arg] = std::move(t);
  }
  for (Operation &op : body) {
    if (auto ret = dyn_cast<func::ReturnOp>(op)) {
      std::vector<Tensor> results;
      for (Value v : ret.getOperands())
        results.push_back(env.at(v));
      return results;
    }
    if (known && op.getNumResults() > 0 &&
        llvm::all_of(op.getResults(),
                     [&](Value result) { return known(result) != nullptr; })) {
      for (Value result : op.getResults())
        env[result] = *known(result);
      continue;
    }
    // Nothing reads a dead op's results: do not compute (or allocate) them.
    if (isOpTriviallyDead(&op))
      continue;
    std::optional<uint64_t> needed = estimatedBytes(op);
    uint64_t total;
    if (!needed || __builtin_add_overflow(*needed, liveBytes, &total))
      needed.reset();
    else
      needed = total;
    if (auto error = checkAllocation(
            needed, "storing its results next to the values computed "
                    "before it"))
      return opError(&op, llvm::toString(std::move(error)));
    auto results = execute(&op, [&](Value v) -> const Tensor & {
      return env.at(v);
    });
    if (!results)
      return results.takeError();
    if (results->size() != op.getNumResults())
      return opError(&op, "produced the wrong number of results");
    for (auto [result, tensor] : llvm::zip(op.getResults(), *results)) {
      if (auto error = checkShape(&op, tensor, result.getType()))
        return std::move(error);
      roundToElementType(tensor, getElementTypeOrSelf(result.getType()));
      if (observer)
        observer(result, tensor);
      liveBytes += tensor.data.size() * sizeof(double);
      env[result] = std::move(tensor);
    }
  }
  return llvm::createStringError(llvm::inconvertibleErrorCode(),
                                 "interpreter: @" + func.getName() +
                                     " has no return");
}
