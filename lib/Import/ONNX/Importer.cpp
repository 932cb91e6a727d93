//===- Importer.cpp - ONNX model to qc graph IR ---------------------------===//
//
// Loading and validation of the model, the graph walk, and the helpers node
// converters use. The converters themselves are in Ops.cpp.
//
//===----------------------------------------------------------------------===//

#include "ImporterImpl.h"
#include "TensorData.h"

#include "qcc/Support/CheckedInt.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Quant/IR/Quant.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/AsmState.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/DialectResourceBlobManager.h"
#include "mlir/IR/Verifier.h"
#include "llvm/ADT/StringSet.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"

#include <google/protobuf/io/coded_stream.h>
#include <google/protobuf/io/zero_copy_stream_impl_lite.h>

#include <deque>

using namespace mlir;
using namespace qcc;
using namespace qcc::onnx_import;

static llvm::Error makeError(const llvm::Twine &message) {
  return llvm::createStringError(llvm::inconvertibleErrorCode(), message);
}

//===----------------------------------------------------------------------===//
// NodeContext
//===----------------------------------------------------------------------===//

OpBuilder &NodeContext::builder() { return importer.builder; }
MLIRContext *NodeContext::context() { return &importer.context; }

Location NodeContext::loc() {
  std::string name = node.name().empty() ? node.op_type() : node.name();
  return NameLoc::get(StringAttr::get(context(), name),
                      FileLineColLoc::get(context(), importer.path, 0, 0));
}

LogicalResult NodeContext::fail(const llvm::Twine &message) {
  return importer.fail("node '" + node.name() + "' (" + node.op_type() +
                       ", opset " + llvm::Twine(importer.opset) +
                       "): " + message);
}

LogicalResult NodeContext::unsupported(const llvm::Twine &what) {
  return fail("unsupported: " + what);
}

ImportedValue *NodeContext::lookup(size_t i) {
  if (!hasInput(i))
    return nullptr;
  auto it = importer.values.find(node.input(i));
  return it == importer.values.end() ? nullptr : &it->second;
}

FailureOr<ImportedValue *> NodeContext::input(size_t i) {
  if (!hasInput(i)) {
    (void)fail("missing required input #" + llvm::Twine(i));
    return failure();
  }
  ImportedValue *v = lookup(i);
  if (!v) { // Checked when the graph was sorted; defensive.
    (void)fail("input '" + node.input(i) + "' is undefined");
    return failure();
  }
  if (!v->value && failed(importer.materialize(*v, node.input(i))))
    return failure();
  return v;
}

LogicalResult NodeContext::inputs(ArrayRef<ImportedValue **> required,
                                  ArrayRef<Value *> optional,
                                  bool materialize) {
  for (auto [i, out] : llvm::enumerate(required)) {
    if (!materialize) {
      *out = lookup(i);
      if (!*out)
        return fail("missing input");
      continue;
    }
    FailureOr<ImportedValue *> v = input(i);
    if (failed(v))
      return failure();
    *out = *v;
  }
  for (auto [i, out] : llvm::enumerate(optional)) {
    FailureOr<Value> v = optionalValue(required.size() + i);
    if (failed(v))
      return failure();
    *out = *v;
  }
  return success();
}

FailureOr<Value> NodeContext::value(size_t i) {
  FailureOr<ImportedValue *> v = input(i);
  if (failed(v))
    return failure();
  return (*v)->value;
}

FailureOr<Value> NodeContext::optionalValue(size_t i) {
  if (!hasInput(i))
    return Value();
  return value(i);
}

FailureOr<Literal> NodeContext::constant(size_t i, StringRef what,
                                         bool allowSymbolic) {
  if (!hasInput(i)) {
    (void)fail("missing " + what);
    return failure();
  }
  ImportedValue *v = lookup(i);
  if (v && !v->literal && v->initializer &&
      failed(importer.decodeLiteral(*v, node.input(i))))
    return failure();
  if (v && !v->literal &&
      importer.options.bindableInputs.count(node.input(i)) &&
      failed(importer.bindInput(node.input(i), *v)))
    return failure();
  if (!v || !v->literal) {
    (void)fail(what + " (input '" + node.input(i) +
               "') must be a constant: an initializer, a Constant node or a "
               "shape computation that folds");
    return failure();
  }
  if (!allowSymbolic && !v->literal->isFullyKnown()) {
    (void)fail(what + " (input '" + node.input(i) +
               "') depends on a dynamic dimension");
    return failure();
  }
  return *v->literal;
}

FailureOr<std::vector<int64_t>> NodeContext::constantInts(size_t i,
                                                          StringRef what) {
  FailureOr<Literal> literal = constant(i, what);
  if (failed(literal))
    return failure();
  std::vector<int64_t> ints;
  for (double v : literal->values) {
    if (v != v || v != std::trunc(v)) {
      (void)fail(what + " (input '" + node.input(i) + "') holds " +
                 std::to_string(v) + ", not an integer");
      return failure();
    }
    ints.push_back(saturatingInt64(v));
  }
  return ints;
}

const onnx::AttributeProto *NodeContext::attr(StringRef name) const {
  for (const onnx::AttributeProto &a : node.attribute())
    if (a.name() == name)
      return &a;
  return nullptr;
}

bool NodeContext::hasAttr(StringRef name) const { return attr(name); }

int64_t NodeContext::attrInt(StringRef name, int64_t defaultValue) const {
  const onnx::AttributeProto *a = attr(name);
  return a && a->has_i() ? a->i() : defaultValue;
}

float NodeContext::attrFloat(StringRef name, float defaultValue) const {
  const onnx::AttributeProto *a = attr(name);
  return a && a->has_f() ? a->f() : defaultValue;
}

std::string NodeContext::attrString(StringRef name,
                                    StringRef defaultValue) const {
  const onnx::AttributeProto *a = attr(name);
  return a && a->has_s() ? a->s() : defaultValue.str();
}

std::vector<int64_t> NodeContext::attrInts(StringRef name) const {
  const onnx::AttributeProto *a = attr(name);
  if (!a)
    return {};
  return {a->ints().begin(), a->ints().end()};
}

std::vector<float> NodeContext::attrFloats(StringRef name) const {
  const onnx::AttributeProto *a = attr(name);
  if (!a)
    return {};
  return {a->floats().begin(), a->floats().end()};
}

void NodeContext::setOutput(size_t i, ImportedValue value) {
  if (!hasOutput(i))
    return;
  if (value.value)
    importer.noteSymbolSources(value.value, value.shape);
  importer.values[node.output(i)] = std::move(value);
}

void NodeContext::setOutput(size_t i, Value value, SymShape shape,
                            int32_t dataType) {
  ImportedValue v;
  v.value = value;
  v.elementType = cast<RankedTensorType>(value.getType()).getElementType();
  v.dataType = dataType;
  v.shape = std::move(shape);
  setOutput(i, std::move(v));
}

FailureOr<int64_t> NodeContext::normalizeAxis(int64_t axis, int64_t rank,
                                              StringRef what) {
  if (axis < -rank || axis >= rank) {
    (void)fail(what + " " + llvm::Twine(axis) +
               " is out of range for rank " + llvm::Twine(rank));
    return failure();
  }
  return axis < 0 ? axis + rank : axis;
}

RankedTensorType NodeContext::tensorType(const SymShape &shape,
                                         Type elementType) const {
  SmallVector<int64_t> dims;
  for (Dim d : shape)
    dims.push_back(isStatic(d) ? d : ShapedType::kDynamic);
  return RankedTensorType::get(dims, elementType);
}

Dim NodeContext::freshSymbol() { return importer.nextSymbol--; }

FailureOr<Value> NodeContext::symbolSize(Dim symbol) {
  auto it = importer.symbolSources.find(symbol);
  if (it == importer.symbolSources.end()) {
    (void)unsupported("a dynamic dimension that no run-time tensor has (it "
                      "comes from shape arithmetic)");
    return failure();
  }
  auto [source, dim] = it->second;
  return tensor::DimOp::create(builder(), loc(), source, dim).getResult();
}

void Importer::noteSymbolSources(Value value, const SymShape &shape) {
  for (auto [d, size] : llvm::enumerate(shape))
    if (!isStatic(size))
      symbolSources.try_emplace(size, value, static_cast<int64_t>(d));
}

//===----------------------------------------------------------------------===//
// Importer
//===----------------------------------------------------------------------===//

Importer::Importer(MLIRContext &context, StringRef path,
                   const ONNXImportOptions &options)
    : context(context), builder(&context), path(path.str()),
      baseDir(llvm::sys::path::parent_path(path).str()), options(options) {
  if (baseDir.empty())
    baseDir = ".";
}

LogicalResult Importer::fail(const llvm::Twine &message) {
  if (error.empty())
    error = path + ": " + message.str();
  return failure();
}

LogicalResult Importer::decodeLiteral(ImportedValue &value, StringRef name) {
  auto bytes = tensorBytes(*value.initializer, baseDir, options.maxElements);
  if (!bytes)
    return fail(llvm::toString(bytes.takeError()));
  auto doubles = bytesToDoubles(value.initializer->data_type(), *bytes);
  if (!doubles)
    return fail("tensor '" + name + "': " + llvm::toString(doubles.takeError()));
  Literal literal;
  literal.dataType = value.initializer->data_type();
  literal.shape.assign(value.initializer->dims().begin(),
                       value.initializer->dims().end());
  literal.values = std::move(*doubles);
  value.literal = std::move(literal);
  return success();
}

LogicalResult Importer::bindInput(StringRef name, ImportedValue &value) {
  onnx::TensorProto proto;
  const std::string &serialized = options.bindableInputs.at(name.str());
  if (!proto.ParseFromString(serialized))
    return fail("bound input '" + name + "' is not a valid TensorProto");
  proto.set_name(name.str());
  if (proto.data_type() != value.dataType)
    return fail("bound input '" + name + "' has type " +
                onnxDataTypeName(proto.data_type()) + " but the graph input is " +
                onnxDataTypeName(value.dataType));
  auto bytes = tensorBytes(proto, baseDir, options.maxElements);
  if (!bytes)
    return fail(llvm::toString(bytes.takeError()));
  auto doubles = bytesToDoubles(proto.data_type(), *bytes);
  if (!doubles)
    return fail(llvm::toString(doubles.takeError()));
  Literal literal;
  literal.dataType = proto.data_type();
  literal.shape.assign(proto.dims().begin(), proto.dims().end());
  literal.values = std::move(*doubles);
  value.literal = std::move(literal);
  value.shape.assign(value.literal->shape.begin(), value.literal->shape.end());
  value.value = {}; // The constant replaces the function argument.
  boundInputs.push_back(name.str());
  return success();
}

Value Importer::constantFromLiteral(const Literal &literal, Type element,
                                    StringRef name) {
  auto type = RankedTensorType::get(literal.shape, element);
  Location loc = NameLoc::get(builder.getStringAttr(name));
  // Small constants stay readable inline; everything else is a blob.
  if (literal.numElements() <= 16 || element.isInteger(1)) {
    SmallVector<Attribute> elements;
    for (double v : literal.values) {
      if (auto f = dyn_cast<FloatType>(element)) {
        llvm::APFloat value(v);
        bool losesInfo;
        value.convert(f.getFloatSemantics(), llvm::APFloat::rmNearestTiesToEven,
                      &losesInfo);
        elements.push_back(builder.getFloatAttr(element, value));
      } else {
        auto integer = cast<IntegerType>(element);
        elements.push_back(builder.getIntegerAttr(
            element, llvm::APInt(integer.getWidth(),
                                 static_cast<uint64_t>(saturatingInt64(v)),
                                 /*isSigned=*/!integer.isUnsigned(),
                                 /*implicitTrunc=*/true)));
      }
    }
    return arith::ConstantOp::create(
        builder, loc, type, DenseElementsAttr::get(type, elements));
  }
  // Pack the values in the element type's storage layout.
  const unsigned bits = element.getIntOrFloatBitWidth();
  std::string bytes;
  bytes.reserve(literal.values.size() * bits / 8);
  for (double v : literal.values) {
    uint64_t raw;
    if (auto f = dyn_cast<FloatType>(element)) {
      llvm::APFloat value(v);
      bool losesInfo;
      value.convert(f.getFloatSemantics(), llvm::APFloat::rmNearestTiesToEven,
                    &losesInfo);
      raw = value.bitcastToAPInt().getZExtValue();
    } else {
      raw = static_cast<uint64_t>(saturatingInt64(v));
    }
    bytes.append(reinterpret_cast<const char *>(&raw), bits / 8);
  }
  std::string blobName = name.str();
  AsmResourceBlob blob = HeapAsmResourceBlob::allocateAndCopyWithAlign(
      ArrayRef<char>(bytes.data(), bytes.size()), alignof(uint64_t));
  auto attr = DenseResourceElementsAttr::get(type, blobName, std::move(blob));
  return arith::ConstantOp::create(builder, loc, type, attr);
}

FailureOr<Value> Importer::materialize(ImportedValue &value, StringRef name) {
  if (value.value)
    return value.value;
  if (value.initializer && !value.literal) {
    // Weights go straight from their bytes to a blob, without a detour
    // through doubles.
    auto bytes = tensorBytes(*value.initializer, baseDir, options.maxElements);
    if (!bytes)
      return fail(llvm::toString(bytes.takeError()));
    auto type = RankedTensorType::get(
        SmallVector<int64_t>(value.initializer->dims().begin(),
                             value.initializer->dims().end()),
        value.elementType);
    if (value.elementType.isInteger(1) || type.getNumElements() <= 16) {
      if (failed(decodeLiteral(value, name)))
        return failure();
    } else {
      Location loc = NameLoc::get(builder.getStringAttr(name));
      AsmResourceBlob blob = HeapAsmResourceBlob::allocateAndCopyWithAlign(
          ArrayRef<char>(bytes->data(), bytes->size()), alignof(uint64_t));
      auto attr = DenseResourceElementsAttr::get(type, name, std::move(blob));
      value.value = arith::ConstantOp::create(builder, loc, type, attr);
      return value.value;
    }
  }
  if (!value.literal) {
    (void)fail("value '" + name + "' has no definition");
    return failure();
  }
  if (!value.literal->isFullyKnown()) {
    (void)fail("value '" + name +
               "' is a shape that depends on a dynamic dimension; it can only "
               "feed shape operands (Reshape, Expand, ...), not data");
    return failure();
  }
  value.value = constantFromLiteral(*value.literal, value.elementType, name);
  return value.value;
}

/// Reads the whole file and parses it as a ModelProto, with a clear error
/// for truncated or corrupted files.
static llvm::Expected<onnx::ModelProto> loadModel(StringRef path) {
  // A FIFO or device would block or never end (/dev/zero): regular files
  // only, and no larger than protobuf can parse.
  llvm::sys::fs::file_status status;
  if (std::error_code ec = llvm::sys::fs::status(path, status))
    return makeError(path + ": cannot read: " + ec.message());
  if (status.type() != llvm::sys::fs::file_type::regular_file)
    return makeError(path + ": not a regular file (a device, FIFO, socket or "
                            "directory); a model must be a regular file");
  if (status.getSize() > static_cast<uint64_t>(INT32_MAX))
    return makeError(path + ": " + llvm::Twine(status.getSize()) +
                     " bytes; an ONNX model file is at most 2 GiB (larger "
                     "weights belong in external data files)");
  auto buffer = llvm::MemoryBuffer::getFile(path, /*IsText=*/false,
                                            /*RequiresNullTerminator=*/false);
  if (!buffer)
    return makeError(path + ": cannot read: " + buffer.getError().message());
  StringRef data = (*buffer)->getBuffer();
  if (data.empty())
    return makeError(path + ": empty file, not an ONNX model");
  onnx::ModelProto model;
  google::protobuf::io::ArrayInputStream raw(data.data(),
                                             static_cast<int>(data.size()));
  google::protobuf::io::CodedInputStream coded(&raw);
  coded.SetTotalBytesLimit(INT32_MAX);
  if (!model.ParseFromCodedStream(&coded) || !coded.ConsumedEntireMessage())
    return makeError(path + ": not a valid ONNX model: the protobuf does not "
                            "parse (truncated or corrupted file?)");
  if (!model.has_graph())
    return makeError(path + ": not a valid ONNX model: it has no graph");
  if (model.ir_version() <= 0)
    return makeError(path + ": not a valid ONNX model: missing ir_version");
  return model;
}

/// Converts a ValueInfoProto's type to an ImportedValue (without value).
static LogicalResult importValueInfo(Importer &importer,
                                     const onnx::ValueInfoProto &info,
                                     ImportedValue &out) {
  if (!info.type().has_tensor_type())
    return importer.fail("graph value '" + info.name() +
                         "' is not a tensor (sequences, maps and optional "
                         "types are not supported)");
  const onnx::TypeProto::Tensor &tensor = info.type().tensor_type();
  out.dataType = tensor.elem_type();
  out.elementType = elementType(importer.context, out.dataType);
  if (!out.elementType)
    return importer.fail("graph value '" + info.name() +
                         "' has unsupported element type " +
                         onnxDataTypeName(out.dataType));
  if (!tensor.has_shape())
    return importer.fail("graph value '" + info.name() +
                         "' has no shape (its rank must be known)");
  int64_t staticCount = 1;
  for (const auto &dim : tensor.shape().dim()) {
    if (dim.has_dim_value()) {
      const int64_t d = dim.dim_value();
      if (d < 0 || d > importer.options.maxElements)
        return importer.fail("graph value '" + info.name() +
                             "' has an absurd dimension " + llvm::Twine(d));
      if (d != 0 && staticCount > importer.options.maxElements / d)
        return importer.fail("graph value '" + info.name() +
                             "' has more elements than the limit of " +
                             llvm::Twine(importer.options.maxElements));
      staticCount *= d;
      out.shape.push_back(d);
    } else if (dim.has_dim_param() && !dim.dim_param().empty()) {
      auto [it, inserted] = importer.namedSymbols.try_emplace(
          dim.dim_param(), importer.nextSymbol);
      if (inserted)
        --importer.nextSymbol;
      out.shape.push_back(it->second);
    } else {
      out.shape.push_back(importer.nextSymbol--);
    }
  }
  return success();
}

llvm::Expected<ONNXImportResult> Importer::run() {
  auto model = loadModel(path);
  if (!model)
    return model.takeError();
  for (const auto &entry : model->opset_import())
    if (entry.domain().empty() || entry.domain() == "ai.onnx")
      opset = entry.version();
  if (opset == 0) {
    std::string domains;
    for (const auto &entry : model->opset_import())
      domains += (domains.empty() ? "'" : ", '") + entry.domain() + "'";
    return makeError(path + ": unsupported: the model imports no "
                            "default-domain (ai.onnx) opset, only " +
                     (domains.empty() ? std::string("none") : domains));
  }
  if (opset > kMaxONNXOpset)
    return makeError(path + ": opset " + llvm::Twine(opset) +
                     " is newer than qcc supports (up to " +
                     llvm::Twine(kMaxONNXOpset) + ")");
  const onnx::GraphProto &graph = model->graph();

  // Initializers first: in IR version < 4 they are listed as inputs too.
  llvm::StringSet<> initializerNames;
  for (const onnx::TensorProto &init : graph.initializer()) {
    if (init.name().empty())
      return makeError(path + ": an initializer has no name");
    if (!initializerNames.insert(init.name()).second)
      return makeError(path + ": initializer '" + init.name() +
                       "' is defined twice");
    ImportedValue v;
    v.initializer = &init;
    v.dataType = init.data_type();
    v.elementType = elementType(context, v.dataType);
    if (!v.elementType)
      return makeError(path + ": initializer '" + init.name() +
                       "' has unsupported data type " +
                       onnxDataTypeName(v.dataType));
    auto shape = tensorShape(init, options.maxElements);
    if (!shape)
      return makeError(path + ": " + llvm::toString(shape.takeError()));
    v.shape.assign(shape->begin(), shape->end());
    values[init.name()] = std::move(v);
  }

  // The function signature: runtime inputs and outputs.
  SmallVector<const onnx::ValueInfoProto *> runtimeInputs;
  for (const onnx::ValueInfoProto &in : graph.input())
    if (!initializerNames.count(in.name()))
      runtimeInputs.push_back(&in);
  SmallVector<ImportedValue> inputValues(runtimeInputs.size());
  SmallVector<Type> argTypes;
  for (auto [info, v] : llvm::zip(runtimeInputs, inputValues)) {
    if (failed(importValueInfo(*this, *info, v)))
      return makeError(error);
    if (values.count(info->name()))
      return makeError(path + ": graph input '" + info->name() +
                       "' is defined twice");
    SmallVector<int64_t> dims;
    for (Dim d : v.shape)
      dims.push_back(isStatic(d) ? d : ShapedType::kDynamic);
    argTypes.push_back(RankedTensorType::get(dims, v.elementType));
  }
  if (graph.output_size() == 0)
    return makeError(path + ": the graph has no outputs");

  OwningOpRef<ModuleOp> module = ModuleOp::create(
      FileLineColLoc::get(&context, path, 0, 0));
  builder.setInsertionPointToEnd(module->getBody());
  auto func = func::FuncOp::create(
      builder, module->getLoc(), "main",
      builder.getFunctionType(argTypes, {}));
  Block *entry = func.addEntryBlock();
  builder.setInsertionPointToStart(entry);
  for (auto [i, info, v] : llvm::enumerate(runtimeInputs, inputValues)) {
    v.value = entry->getArgument(i);
    func.setArgAttr(i, "onnx.name", builder.getStringAttr(info->name()));
    noteSymbolSources(v.value, v.shape);
    values[info->name()] = v;
  }

  // Topological order (ONNX requires one, but be robust), with dangling
  // names and cycles reported.
  const int numNodes = graph.node_size();
  llvm::StringMap<int> producer;
  for (int i = 0; i < numNodes; ++i)
    for (const std::string &out : graph.node(i).output()) {
      if (out.empty())
        continue;
      if (values.count(out) || !producer.try_emplace(out, i).second)
        return makeError(path + ": value '" + out + "' is defined twice (by "
                         "node '" + graph.node(i).name() + "')");
    }
  std::vector<int> pending(numNodes, 0);
  std::vector<std::vector<int>> users(numNodes);
  for (int i = 0; i < numNodes; ++i) {
    const onnx::NodeProto &node = graph.node(i);
    for (const std::string &in : node.input()) {
      if (in.empty() || values.count(in))
        continue;
      auto it = producer.find(in);
      if (it == producer.end())
        return makeError(path + ": node '" + node.name() + "' (" +
                         node.op_type() + ") reads '" + in +
                         "', which is not a graph input, an initializer or "
                         "the output of any node");
      ++pending[i];
      users[it->second].push_back(i);
    }
  }
  std::deque<int> ready;
  for (int i = 0; i < numNodes; ++i)
    if (pending[i] == 0)
      ready.push_back(i);
  std::vector<int> order;
  while (!ready.empty()) {
    int i = ready.front();
    ready.pop_front();
    order.push_back(i);
    for (int user : users[i])
      if (--pending[user] == 0)
        ready.push_back(user);
  }
  if (static_cast<int>(order.size()) != numNodes) {
    std::string cycle;
    for (int i = 0, n = 0; i < numNodes && n < 5; ++i)
      if (pending[i] > 0) {
        cycle += (n++ ? ", '" : "'") + graph.node(i).name() + "'";
      }
    return makeError(path + ": the graph has a cycle (nodes " + cycle +
                     " wait on each other)");
  }

  const llvm::StringMap<OpSupport> &support = getOpSupport();
  for (int i : order) {
    const onnx::NodeProto &node = graph.node(i);
    if (!node.domain().empty() && node.domain() != "ai.onnx")
      return makeError(path + ": node '" + node.name() + "' (" +
                       node.op_type() + ", domain '" + node.domain() +
                       "'): unsupported op domain");
    auto it = support.find(node.op_type());
    if (it == support.end())
      return makeError(path + ": node '" + node.name() + "' (" +
                       node.op_type() + ", opset " + llvm::Twine(opset) +
                       "): unsupported op type");
    const OpSupport &op = it->second;
    int64_t version = 0;
    for (int64_t v : op.allVersions)
      if (v <= opset)
        version = v;
    if (!llvm::is_contained(op.supportedVersions, version))
      return makeError(
          path + ": node '" + node.name() + "' (" + node.op_type() +
          ", opset " + llvm::Twine(opset) + "): unsupported op version " +
          llvm::Twine(version) + " (qcc supports " + node.op_type() +
          " versions " +
          llvm::join(llvm::map_range(op.supportedVersions,
                                     [](int64_t v) { return std::to_string(v); }),
                     ", ") +
          ")");
    NodeContext ctx(*this, node, version);
    const unsigned required = op.requiredInputsAt(version);
    for (unsigned input = 0; input < required; ++input)
      if (!ctx.hasInput(input))
        return makeError(path + ": node '" + node.name() + "' (" +
                         node.op_type() + ", opset " + llvm::Twine(opset) +
                         "): missing required input #" + llvm::Twine(input) +
                         " (" + node.op_type() + " takes at least " +
                         llvm::Twine(required) + "; " +
                         (input < static_cast<unsigned>(node.input_size())
                              ? "its name is empty)"
                              : "the node has " +
                                    std::to_string(node.input_size()) + ")"));
    if (failed(op.convert(ctx)))
      return makeError(error.empty() ? path + ": node '" + node.name() +
                                           "' failed to import"
                                     : error);
    for (const std::string &out : node.output()) {
      if (out.empty())
        continue;
      auto produced = values.find(out);
      if (produced == values.end())
        return makeError(path + ": node '" + node.name() + "' (" +
                         node.op_type() + ") did not produce output '" + out +
                         "'");
      // Shapes come from the file: bound every result, so that no later
      // stage (interpreter, calibration, code) sizes a buffer from a wrapped
      // or absurd shape.
      SmallVector<int64_t> staticDims;
      bool dynamic = false;
      for (Dim d : produced->second.shape) {
        if (isStatic(d))
          staticDims.push_back(d);
        dynamic |= !isStatic(d);
      }
      std::optional<int64_t> count = checkedProduct(staticDims);
      if (!count || *count > options.maxElements)
        return makeError(path + ": node '" + node.name() + "' (" +
                         node.op_type() + ", opset " + llvm::Twine(opset) +
                         "): output '" + out + "' would have " +
                         (count ? std::to_string(*count) + " elements"
                                : std::string("more than 2^63 elements")) +
                         (dynamic ? " per sample" : "") +
                         ", more than the limit of " +
                         llvm::Twine(options.maxElements));
    }
  }

  SmallVector<Value> results;
  for (const onnx::ValueInfoProto &out : graph.output()) {
    auto it = values.find(out.name());
    if (it == values.end())
      return makeError(path + ": graph output '" + out.name() +
                       "' is never computed");
    if (failed(materialize(it->second, out.name())))
      return makeError(error);
    results.push_back(it->second.value);
  }
  func::ReturnOp::create(builder, module->getLoc(), results);
  func.setType(builder.getFunctionType(
      entry->getArgumentTypes(), ValueRange(results).getTypes()));
  for (auto [i, out] : llvm::enumerate(graph.output()))
    func.setResultAttr(i, "onnx.name", builder.getStringAttr(out.name()));

  // Bound inputs became constants: drop their (now unused) arguments.
  llvm::BitVector erase(entry->getNumArguments());
  for (auto [i, info] : llvm::enumerate(runtimeInputs))
    if (llvm::is_contained(boundInputs, info->name())) {
      if (!entry->getArgument(i).use_empty())
        return makeError(path + ": input '" + info->name() +
                         "' is used both as a constant operand and as data");
      erase.set(i);
    }
  if (failed(func.eraseArguments(erase)))
    return makeError(path + ": internal error erasing bound inputs");

  if (failed(verify(*module)))
    return makeError(path + ": internal error: the imported IR does not "
                            "verify (please report this model)");
  return ONNXImportResult{std::move(module), boundInputs};
}

void qcc::registerONNXImportDialects(MLIRContext &context) {
  context.loadDialect<qc::QCDialect, arith::ArithDialect, func::FuncDialect,
                      quant::QuantDialect, tensor::TensorDialect>();
}

llvm::Expected<ONNXImportResult>
qcc::importONNXModel(MLIRContext &context, StringRef path,
                     const ONNXImportOptions &options) {
  registerONNXImportDialects(context);
  // Verification failures print through the context's diagnostic handler;
  // the importer reports its own errors as llvm::Error.
  Importer importer(context, path, options);
  return importer.run();
}
