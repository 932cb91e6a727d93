//===- Exporter.cpp - qc graph IR to an ONNX model ------------------------===//
//
// Writes the float or QDQ-quantized graph IR back as a standard ONNX model
// (opset 17), so that other runtimes (ONNX Runtime) can run what qcc
// quantized: qc.quantize / qc.dequantize become QuantizeLinear /
// DequantizeLinear (per axis where the type is), integer weights become
// int8 initializers, storage casts disappear.
//
//===----------------------------------------------------------------------===//

#include "qcc/Export/ONNX.h"

#include "qcc/Dialect/QC/IR/QCOps.h"
#include "qcc/Interpreter/Interpreter.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Quant/IR/Quant.h"
#include "mlir/Dialect/Quant/IR/QuantTypes.h"
#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/StringSet.h"
#include "llvm/ADT/TypeSwitch.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/raw_ostream.h"

#include <onnx/onnx_pb.h>

#include <cstring>

using namespace mlir;
using namespace qcc;
using onnx::TensorProto;

namespace {

llvm::Error exportError(Operation *op, const llvm::Twine &message) {
  std::string location;
  if (op) {
    llvm::raw_string_ostream os(location);
    op->getLoc().print(os);
  }
  return llvm::createStringError(
      llvm::inconvertibleErrorCode(),
      "export: " +
          (op ? "'" + op->getName().getStringRef() + "' at " + location + ": "
              : llvm::Twine()) +
          message);
}

/// The ONNX data type of an element type (quantized: its storage).
int32_t onnxType(Type type) {
  bool isUnsigned = false;
  if (auto q = dyn_cast<quant::QuantizedType>(type)) {
    isUnsigned = !q.isSigned();
    // Sub-byte storage is exported as 8-bit (ONNX 1.12 has no INT4).
    const unsigned width = q.getStorageTypeIntegralWidth();
    if (width <= 8)
      return isUnsigned ? TensorProto::UINT8 : TensorProto::INT8;
    if (width <= 16)
      return isUnsigned ? TensorProto::UINT16 : TensorProto::INT16;
    return TensorProto::INT32;
  }
  if (type.isF32())
    return TensorProto::FLOAT;
  if (type.isF64())
    return TensorProto::DOUBLE;
  if (type.isF16())
    return TensorProto::FLOAT16;
  auto integer = dyn_cast<IntegerType>(type);
  if (!integer)
    return TensorProto::UNDEFINED;
  isUnsigned = integer.isUnsigned();
  switch (integer.getWidth()) {
  case 1:
    return TensorProto::BOOL;
  case 2:
  case 3:
  case 4:
  case 5:
  case 6:
  case 7:
  case 8:
    return isUnsigned ? TensorProto::UINT8 : TensorProto::INT8;
  case 16:
    return isUnsigned ? TensorProto::UINT16 : TensorProto::INT16;
  case 32:
    return isUnsigned ? TensorProto::UINT32 : TensorProto::INT32;
  case 64:
    return isUnsigned ? TensorProto::UINT64 : TensorProto::INT64;
  default:
    return TensorProto::UNDEFINED;
  }
}

/// Fills `tensor` with `values` as `dataType`, little-endian raw data.
void setValues(TensorProto &tensor, int32_t dataType,
               const std::vector<double> &values) {
  tensor.set_data_type(dataType);
  std::string raw;
  for (double v : values) {
    switch (dataType) {
    case TensorProto::FLOAT: {
      float f = static_cast<float>(v);
      raw.append(reinterpret_cast<char *>(&f), 4);
      break;
    }
    case TensorProto::DOUBLE:
      raw.append(reinterpret_cast<char *>(&v), 8);
      break;
    case TensorProto::INT8:
    case TensorProto::UINT8:
    case TensorProto::BOOL:
      raw.push_back(static_cast<char>(static_cast<int64_t>(v)));
      break;
    case TensorProto::INT16:
    case TensorProto::UINT16: {
      uint16_t x = static_cast<uint16_t>(static_cast<int64_t>(v));
      raw.append(reinterpret_cast<char *>(&x), 2);
      break;
    }
    case TensorProto::INT32:
    case TensorProto::UINT32: {
      uint32_t x = static_cast<uint32_t>(static_cast<int64_t>(v));
      raw.append(reinterpret_cast<char *>(&x), 4);
      break;
    }
    default: {
      int64_t x = static_cast<int64_t>(v);
      raw.append(reinterpret_cast<char *>(&x), 8);
    }
    }
  }
  tensor.set_raw_data(raw);
}

class Exporter {
public:
  explicit Exporter(onnx::GraphProto &graph) : graph(graph) {}

  llvm::Error run(func::FuncOp func);

private:
  onnx::GraphProto &graph;
  llvm::DenseMap<Value, std::string> names;
  llvm::StringSet<> used;
  int counter = 0;

  std::string fresh(llvm::StringRef hint) {
    std::string base = hint.empty() ? "t" : hint.str();
    std::string name = base;
    while (!used.insert(name).second)
      name = base + "_" + std::to_string(counter++);
    return name;
  }

  /// A new initializer holding `values`; returns its name.
  std::string constant(llvm::StringRef hint, int32_t dataType,
                       llvm::ArrayRef<int64_t> shape,
                       const std::vector<double> &values) {
    TensorProto *t = graph.add_initializer();
    t->set_name(fresh(hint));
    for (int64_t d : shape)
      t->add_dims(d);
    setValues(*t, dataType, values);
    return t->name();
  }

  std::string ints(llvm::StringRef hint, llvm::ArrayRef<int64_t> values) {
    return constant(hint, TensorProto::INT64,
                    {static_cast<int64_t>(values.size())},
                    std::vector<double>(values.begin(), values.end()));
  }

  onnx::NodeProto &node(Operation *op, llvm::StringRef opType,
                        llvm::ArrayRef<std::string> inputs) {
    onnx::NodeProto &n = *graph.add_node();
    n.set_op_type(opType.str());
    n.set_name(fresh(qc::getNodeName(op) + "/" + opType.str()));
    for (const std::string &in : inputs)
      n.add_input(in);
    for (Value result : op->getResults()) {
      std::string name = fresh(qc::getNodeName(op) + "_out");
      names[result] = name;
      n.add_output(name);
    }
    return n;
  }

  static void intAttr(onnx::NodeProto &n, llvm::StringRef name, int64_t v) {
    auto *a = n.add_attribute();
    a->set_name(name.str());
    a->set_type(onnx::AttributeProto::INT);
    a->set_i(v);
  }
  static void floatAttr(onnx::NodeProto &n, llvm::StringRef name, float v) {
    auto *a = n.add_attribute();
    a->set_name(name.str());
    a->set_type(onnx::AttributeProto::FLOAT);
    a->set_f(v);
  }
  static void intsAttr(onnx::NodeProto &n, llvm::StringRef name,
                       llvm::ArrayRef<int64_t> v) {
    auto *a = n.add_attribute();
    a->set_name(name.str());
    a->set_type(onnx::AttributeProto::INTS);
    for (int64_t x : v)
      a->add_ints(x);
  }
  static void stringAttr(onnx::NodeProto &n, llvm::StringRef name,
                         llvm::StringRef v) {
    auto *a = n.add_attribute();
    a->set_name(name.str());
    a->set_type(onnx::AttributeProto::STRING);
    a->set_s(v.str());
  }

  llvm::Expected<std::string> nameOf(Operation *user, Value v) {
    auto it = names.find(v);
    if (it == names.end())
      return exportError(user, "operand has no exported definition");
    return it->second;
  }

  /// Scale and zero-point initializers of a quantized type.
  llvm::Error quantParams(Operation *op, Type type, std::string &scale,
                          std::string &zeroPoint, std::optional<int64_t> &axis) {
    auto q = dyn_cast<quant::QuantizedType>(type);
    const std::string base = qc::getNodeName(op);
    if (auto u = dyn_cast_or_null<quant::UniformQuantizedType>(q)) {
      scale = constant(base + "_scale", TensorProto::FLOAT, {}, {u.getScale()});
      zeroPoint = constant(base + "_zero_point", onnxType(u), {},
                           {static_cast<double>(u.getZeroPoint())});
      return llvm::Error::success();
    }
    if (auto a = dyn_cast_or_null<quant::UniformQuantizedPerAxisType>(q)) {
      const int64_t n = a.getScales().size();
      scale = constant(base + "_scale", TensorProto::FLOAT, {n},
                       {a.getScales().begin(), a.getScales().end()});
      std::vector<double> zps(a.getZeroPoints().begin(),
                              a.getZeroPoints().end());
      zeroPoint = constant(base + "_zero_point", onnxType(a), {n}, zps);
      axis = a.getQuantizedDimension();
      return llvm::Error::success();
    }
    return exportError(op, "only per-tensor and per-axis !quant.uniform "
                           "types export to ONNX");
  }

  llvm::Error exportOp(Operation *op);
};

llvm::Error Exporter::exportOp(Operation *op) {
  SmallVector<std::string> in;
  for (Value v : op->getOperands()) {
    auto name = nameOf(op, v);
    if (!name)
      return name.takeError();
    in.push_back(*name);
  }
  auto windowAttrs = [&](onnx::NodeProto &n, ArrayRef<int64_t> strides,
                         ArrayRef<int64_t> pads, ArrayRef<int64_t> dilations) {
    intsAttr(n, "strides", strides);
    intsAttr(n, "pads", pads);
    if (llvm::any_of(dilations, [](int64_t d) { return d != 1; }))
      intsAttr(n, "dilations", dilations);
  };
  return llvm::TypeSwitch<Operation *, llvm::Error>(op)
      .Case([&](arith::ConstantOp c) -> llvm::Error {
        auto attr = dyn_cast<ElementsAttr>(c.getValue());
        if (!attr)
          return exportError(op, "only tensor constants export");
        auto values = interp::decodeConstant(attr);
        if (!values)
          return values.takeError();
        auto type = cast<RankedTensorType>(c.getType());
        const int32_t dt = onnxType(type.getElementType());
        if (dt == TensorProto::UNDEFINED)
          return exportError(op, "unsupported element type");
        names[c.getResult()] =
            constant(qc::getNodeName(op), dt, type.getShape(), values->data);
        return llvm::Error::success();
      })
      .Case<qc::StorageCastOp, quant::StorageCastOp>(
          [&](Operation *) -> llvm::Error {
            names[op->getResult(0)] = in[0];
            return llvm::Error::success();
          })
      .Case([&](qc::QuantizeOp q) -> llvm::Error {
        std::string scale, zp;
        std::optional<int64_t> axis;
        if (auto e = quantParams(op, q.getOutput().getType().getElementType(),
                                 scale, zp, axis))
          return e;
        if (q.getRounding() != qc::RoundingMode::HalfToEven)
          return exportError(op, "ONNX QuantizeLinear rounds half to even");
        auto &n = node(op, "QuantizeLinear", {in[0], scale, zp});
        if (axis)
          intAttr(n, "axis", *axis);
        return llvm::Error::success();
      })
      .Case([&](qc::DequantizeOp q) -> llvm::Error {
        std::string scale, zp;
        std::optional<int64_t> axis;
        if (auto e = quantParams(op, q.getInput().getType().getElementType(),
                                 scale, zp, axis))
          return e;
        auto &n = node(op, "DequantizeLinear", {in[0], scale, zp});
        if (axis)
          intAttr(n, "axis", *axis);
        return llvm::Error::success();
      })
      .Case([&](qc::ConvOp c) -> llvm::Error {
        auto &n = node(op, "Conv", in);
        windowAttrs(n, c.getStrides(), c.getPads(), c.getDilations());
        intAttr(n, "group", c.getGroup());
        return llvm::Error::success();
      })
      .Case([&](qc::ConvTransposeOp c) -> llvm::Error {
        auto &n = node(op, "ConvTranspose", in);
        windowAttrs(n, c.getStrides(), c.getPads(), c.getDilations());
        intsAttr(n, "output_padding", c.getOutputPadding());
        intAttr(n, "group", c.getGroup());
        return llvm::Error::success();
      })
      .Case([&](qc::GemmOp g) -> llvm::Error {
        auto &n = node(op, "Gemm", in);
        floatAttr(n, "alpha", g.getAlpha().convertToFloat());
        floatAttr(n, "beta", g.getBeta().convertToFloat());
        intAttr(n, "transA", g.getTransA());
        intAttr(n, "transB", g.getTransB());
        return llvm::Error::success();
      })
      .Case([&](qc::MatMulOp) -> llvm::Error {
        node(op, "MatMul", in);
        return llvm::Error::success();
      })
      .Case<qc::AddOp, qc::SubOp, qc::MulOp, qc::DivOp, qc::PowOp, qc::ReluOp,
            qc::SigmoidOp, qc::TanhOp, qc::ErfOp, qc::SqrtOp, qc::HardSwishOp,
            qc::GlobalAvgPoolOp>([&](Operation *) -> llvm::Error {
        llvm::StringRef type =
            llvm::TypeSwitch<Operation *, llvm::StringRef>(op)
                .Case([](qc::AddOp) { return "Add"; })
                .Case([](qc::SubOp) { return "Sub"; })
                .Case([](qc::MulOp) { return "Mul"; })
                .Case([](qc::DivOp) { return "Div"; })
                .Case([](qc::PowOp) { return "Pow"; })
                .Case([](qc::ReluOp) { return "Relu"; })
                .Case([](qc::SigmoidOp) { return "Sigmoid"; })
                .Case([](qc::TanhOp) { return "Tanh"; })
                .Case([](qc::ErfOp) { return "Erf"; })
                .Case([](qc::SqrtOp) { return "Sqrt"; })
                .Case([](qc::HardSwishOp) { return "HardSwish"; })
                .Default([](Operation *) { return "GlobalAveragePool"; });
        node(op, type, in);
        return llvm::Error::success();
      })
      .Case([&](qc::LeakyReluOp l) -> llvm::Error {
        floatAttr(node(op, "LeakyRelu", in), "alpha",
                  l.getAlpha().convertToFloat());
        return llvm::Error::success();
      })
      .Case([&](qc::HardSigmoidOp h) -> llvm::Error {
        auto &n = node(op, "HardSigmoid", in);
        floatAttr(n, "alpha", h.getAlpha().convertToFloat());
        floatAttr(n, "beta", h.getBeta().convertToFloat());
        return llvm::Error::success();
      })
      .Case([&](qc::ClipOp c) -> llvm::Error {
        std::vector<std::string> inputs = {in[0]};
        inputs.push_back(c.getMin() ? *nameOf(op, c.getMin()) : "");
        if (c.getMax())
          inputs.push_back(*nameOf(op, c.getMax()));
        node(op, "Clip", inputs);
        return llvm::Error::success();
      })
      .Case([&](qc::SoftmaxOp s) -> llvm::Error {
        intAttr(node(op, "Softmax", in), "axis", s.getAxis());
        return llvm::Error::success();
      })
      .Case([&](qc::LayerNormOp l) -> llvm::Error {
        auto &n = node(op, "LayerNormalization", in);
        intAttr(n, "axis", l.getAxis());
        floatAttr(n, "epsilon", l.getEpsilon().convertToFloat());
        return llvm::Error::success();
      })
      .Case([&](qc::BatchNormOp b) -> llvm::Error {
        floatAttr(node(op, "BatchNormalization", in), "epsilon",
                  b.getEpsilon().convertToFloat());
        return llvm::Error::success();
      })
      .Case([&](qc::ReduceMeanOp r) -> llvm::Error {
        auto &n = node(op, "ReduceMean", in);
        intsAttr(n, "axes", r.getAxes());
        intAttr(n, "keepdims", r.getKeepdims());
        return llvm::Error::success();
      })
      .Case([&](qc::MaxPoolOp p) -> llvm::Error {
        auto &n = node(op, "MaxPool", in);
        intsAttr(n, "kernel_shape", p.getKernelShape());
        windowAttrs(n, p.getStrides(), p.getPads(), p.getDilations());
        intAttr(n, "ceil_mode", p.getCeilMode());
        return llvm::Error::success();
      })
      .Case([&](qc::AvgPoolOp p) -> llvm::Error {
        if (llvm::any_of(p.getDilations(), [](int64_t d) { return d != 1; }))
          return exportError(op, "dilated AveragePool needs opset 19");
        auto &n = node(op, "AveragePool", in);
        intsAttr(n, "kernel_shape", p.getKernelShape());
        windowAttrs(n, p.getStrides(), p.getPads(), p.getDilations());
        intAttr(n, "ceil_mode", p.getCeilMode());
        intAttr(n, "count_include_pad", p.getCountIncludePad());
        return llvm::Error::success();
      })
      .Case([&](qc::ReshapeOp r) -> llvm::Error {
        SmallVector<int64_t> shape;
        for (int64_t d : r.getOutput().getType().getShape())
          shape.push_back(ShapedType::isDynamic(d) ? -1 : d);
        node(op, "Reshape",
             {in[0], ints(qc::getNodeName(op) + "_shape", shape)});
        return llvm::Error::success();
      })
      .Case([&](qc::TransposeOp t) -> llvm::Error {
        intsAttr(node(op, "Transpose", in), "perm", t.getPerm());
        return llvm::Error::success();
      })
      .Case([&](qc::ConcatOp c) -> llvm::Error {
        intAttr(node(op, "Concat", in), "axis", c.getAxis());
        return llvm::Error::success();
      })
      .Case([&](qc::SplitOp s) -> llvm::Error {
        SmallVector<int64_t> sizes;
        for (Value r : s.getOutputs())
          sizes.push_back(
              cast<RankedTensorType>(r.getType()).getDimSize(s.getAxis()));
        intAttr(node(op, "Split",
                     {in[0], ints(qc::getNodeName(op) + "_split", sizes)}),
                "axis", s.getAxis());
        return llvm::Error::success();
      })
      .Case([&](qc::SliceOp s) -> llvm::Error {
        SmallVector<int64_t> axes;
        for (size_t i = 0; i < s.getStarts().size(); ++i)
          axes.push_back(i);
        const std::string base = qc::getNodeName(op);
        node(op, "Slice",
             {in[0], ints(base + "_starts", s.getStarts()),
              ints(base + "_ends", s.getEnds()), ints(base + "_axes", axes),
              ints(base + "_steps", s.getSteps())});
        return llvm::Error::success();
      })
      .Case([&](qc::GatherOp g) -> llvm::Error {
        intAttr(node(op, "Gather", in), "axis", g.getAxis());
        return llvm::Error::success();
      })
      .Case([&](qc::PadOp p) -> llvm::Error {
        Type element = p.getInput().getType().getElementType();
        const std::string value =
            constant(qc::getNodeName(op) + "_value", onnxType(element), {},
                     {p.getValue().convertToDouble()});
        auto &n = node(
            op, "Pad",
            {in[0], ints(qc::getNodeName(op) + "_pads", p.getPads()), value});
        stringAttr(n, "mode", stringifyPadMode(p.getMode()));
        return llvm::Error::success();
      })
      .Case([&](qc::CastOp c) -> llvm::Error {
        intAttr(node(op, "Cast", in), "to",
                onnxType(c.getOutput().getType().getElementType()));
        return llvm::Error::success();
      })
      .Default([&](Operation *) -> llvm::Error {
        return exportError(op, "no ONNX equivalent in the exporter yet");
      });
}

void setValueInfo(onnx::ValueInfoProto &info, const std::string &name,
                  RankedTensorType type) {
  info.set_name(name);
  auto *tensor = info.mutable_type()->mutable_tensor_type();
  tensor->set_elem_type(onnxType(type.getElementType()));
  auto *shape = tensor->mutable_shape();
  for (auto [i, d] : llvm::enumerate(type.getShape())) {
    auto *dim = shape->add_dim();
    if (ShapedType::isDynamic(d))
      dim->set_dim_param(i == 0 ? "N" : "d" + std::to_string(i));
    else
      dim->set_dim_value(d);
  }
}

llvm::Error Exporter::run(func::FuncOp func) {
  for (auto [i, arg] : llvm::enumerate(func.getArguments())) {
    auto attr = func.getArgAttrOfType<StringAttr>(i, "onnx.name");
    std::string name = fresh(attr ? attr.str() : "input_" + std::to_string(i));
    names[arg] = name;
    setValueInfo(*graph.add_input(), name,
                 cast<RankedTensorType>(arg.getType()));
  }
  // Reserve the output names so intermediate values cannot take them.
  SmallVector<std::string> outputNames;
  for (unsigned i = 0; i < func.getNumResults(); ++i) {
    auto attr = func.getResultAttrOfType<StringAttr>(i, "onnx.name");
    outputNames.push_back(
        fresh(attr ? attr.str() : "output_" + std::to_string(i)));
  }
  for (Operation &op : func.getBody().front()) {
    if (auto ret = dyn_cast<func::ReturnOp>(op)) {
      for (auto [i, v] : llvm::enumerate(ret.getOperands())) {
        auto name = nameOf(&op, v);
        if (!name)
          return name.takeError();
        onnx::NodeProto &n = *graph.add_node();
        n.set_op_type("Identity");
        n.set_name(outputNames[i] + "/Identity");
        n.add_input(*name);
        n.add_output(outputNames[i]);
        setValueInfo(*graph.add_output(), outputNames[i],
                     cast<RankedTensorType>(v.getType()));
      }
      return llvm::Error::success();
    }
    if (auto error = exportOp(&op))
      return error;
  }
  return exportError(nullptr, "function without return");
}

} // namespace

llvm::Error qcc::exportONNXModel(ModuleOp module, llvm::StringRef path) {
  func::FuncOp func;
  for (auto f : module.getOps<func::FuncOp>())
    if (!func || f.getName() == "main")
      func = f;
  if (!func)
    return exportError(nullptr, "the module has no function");
  onnx::ModelProto model;
  model.set_ir_version(8);
  model.set_producer_name("qcc");
  auto *opset = model.add_opset_import();
  opset->set_domain("");
  opset->set_version(kExportOpset);
  onnx::GraphProto &graph = *model.mutable_graph();
  graph.set_name(func.getName().str());
  Exporter exporter(graph);
  if (auto error = exporter.run(func))
    return error;
  std::string bytes;
  if (!model.SerializeToString(&bytes))
    return exportError(nullptr, "protobuf serialization failed");
  // Through a temporary file renamed into place: never a partial model.
  if (llvm::Error e = llvm::writeToOutput(path, [&](llvm::raw_ostream &os) {
        os << bytes;
        return llvm::Error::success();
      }))
    return llvm::createStringError(llvm::inconvertibleErrorCode(),
                                   "export: cannot write " + path + ": " +
                                       llvm::toString(std::move(e)));
  return llvm::Error::success();
}
