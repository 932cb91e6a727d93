//===- EmitHLSCpp.cpp - HLS C++ from loops over static arrays -------------===//
//
// One statement per op, every value declared with its exact type, so that
// the C simulation computes what the IR says bit for bit: integer results
// are assigned to ap_int<W> of the op's width (the vendor's types wrap on
// assignment as arith does), operands converted to that type first.
//
//===----------------------------------------------------------------------===//

#include "qcc/Target/HLS/EmitHLSCpp.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/IR/DialectResourceBlobManager.h"
#include "llvm/ADT/SetVector.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/ADT/StringSet.h"
#include "llvm/ADT/TypeSwitch.h"
#include "llvm/Support/FormatVariadic.h"

using namespace mlir;
using llvm::StringRef;

namespace qcc::hls {

FailureOr<std::string> getElementTypeName(Type type) {
  if (type.isIndex())
    return std::string("int");
  if (type.isF32())
    return std::string("float");
  if (type.isF64())
    return std::string("double");
  if (auto integer = dyn_cast<IntegerType>(type)) {
    const unsigned width = integer.getWidth();
    if (width == 1)
      return std::string("bool");
    if (width > 128)
      return failure();
    return "ap_int<" + std::to_string(width) + ">";
  }
  return failure();
}

namespace {

/// A C identifier from a symbol name.
std::string identifier(StringRef name) {
  std::string id;
  for (char c : name)
    id += llvm::isAlnum(c) ? c : '_';
  if (id.empty() || llvm::isDigit(id[0]))
    id = "_" + id;
  return id;
}

std::string integerLiteral(const APInt &value) {
  if (value.getBitWidth() == 1)
    return value.isZero() ? "false" : "true";
  llvm::SmallString<32> digits;
  value.toStringSigned(digits);
  if (value.getSignificantBits() > 64)
    return ""; // Not a C literal.
  if (value.isMinSignedValue() && value.getBitWidth() == 64)
    return "(-9223372036854775807LL - 1)";
  return std::string(digits) + "LL";
}

std::string floatLiteral(const APFloat &value, Type type) {
  if (value.isNaN())
    return type.isF32() ? "__builtin_nanf(\"\")" : "__builtin_nan(\"\")";
  if (value.isInfinity())
    return std::string(value.isNegative() ? "-" : "") +
           (type.isF32() ? "__builtin_inff()" : "__builtin_inf()");
  // Hexadecimal floats are exact.
  char buffer[64];
  APFloat copy = value;
  bool lost;
  copy.convert(APFloat::IEEEdouble(), APFloat::rmNearestTiesToEven, &lost);
  std::snprintf(buffer, sizeof buffer, "%a", copy.convertToDouble());
  return std::string(buffer) + (type.isF32() ? "f" : "");
}

class Emitter {
public:
  Emitter(ModuleOp module, const EmitOptions &options)
      : module(module), options(options) {}

  FailureOr<EmittedDesign> emit(StringRef topName, StringRef hostName);

private:
  LogicalResult emitGlobal(memref::GlobalOp global);
  LogicalResult emitFunction(func::FuncOp func, bool isTop);
  /// Loops over every element of `array`, reading it from `stream` (an
  /// expression) or writing it to `stream` (a variable).
  void emitElementLoops(MemRefType type, StringRef array, StringRef stream,
                        bool read);
  /// The adapter the host calls in place of a top with stream ports: the
  /// arrays written into streams, the top, the outputs read back.
  LogicalResult emitStreamAdapter(func::FuncOp top);
  LogicalResult emitRoot(func::FuncOp root,
                         const llvm::DenseSet<Operation *> &skip, bool isTop,
                         std::string &out);
  LogicalResult emitBlock(Block &block);
  LogicalResult emitOp(Operation *op);
  LogicalResult emitFor(scf::ForOp loop);
  LogicalResult emitIf(scf::IfOp ifOp);
  LogicalResult emitArith(Operation *op);
  LogicalResult emitMath(Operation *op);

  /// A declaration `T name[d0][d1]...` of a static memref.
  FailureOr<std::string> arrayDeclaration(MemRefType type, StringRef name,
                                          Operation *at);
  FailureOr<std::string> typeName(Type type, Operation *at);
  /// The expression of `value`: its variable, or a literal of a constant.
  std::string expr(Value value);
  /// A new variable for `value` (of its type), declared by the caller.
  std::string define(Value value);
  std::string subscripts(ValueRange indices);
  llvm::raw_ostream &line() {
    os.indent(indent);
    return os;
  }

  ModuleOp module;
  EmitOptions options;
  /// With stream ports, the top the host calls through its adapter.
  std::string topName;
  std::string sourceText;
  llvm::raw_string_ostream os{sourceText};
  unsigned indent = 0;
  DenseMap<Value, std::string> names;
  unsigned nextValue = 0;
  unsigned nextLoop = 0;
  EmittedDesign design;
  /// The constant globals, by symbol name: their C identifier.
  llvm::StringMap<std::string> globals;
  /// Names after the layer that reads them, where one layer does.
  llvm::StringMap<std::string> globalNames, globalLayers;
  void nameGlobals();
  /// Whether the functions emitted are the design's (synthesized).
  bool emittingDesign = false;
  /// Whether the ops emitted are in the top's dataflow region.
  bool inDataflow = false;
  /// The signature of the last public non-top function emitted.
  std::string hostSignature;
};

FailureOr<std::string> Emitter::typeName(Type type, Operation *at) {
  auto name = getElementTypeName(type);
  if (failed(name))
    return at->emitOpError("HLS C++: no C++ type for ")
           << type << " (integers up to 128 bits, index, f32, f64)";
  return name;
}

FailureOr<std::string>
Emitter::arrayDeclaration(MemRefType type, StringRef name, Operation *at) {
  if (!type.hasStaticShape())
    return at->emitOpError("HLS C++: arrays need static shapes, not ") << type;
  if (!type.getLayout().isIdentity())
    return at->emitOpError("HLS C++: a view with a layout is left (")
           << type << "); the lowering folds views into accesses";
  auto element = typeName(type.getElementType(), at);
  if (failed(element))
    return failure();
  std::string decl = *element + " " + name.str();
  if (type.getRank() == 0)
    return decl + "[1]";
  for (int64_t size : type.getShape())
    decl += "[" + std::to_string(size) + "]";
  return decl;
}

std::string Emitter::define(Value value) {
  std::string name = "v" + std::to_string(nextValue++);
  names[value] = name;
  return name;
}

std::string Emitter::expr(Value value) {
  if (auto constant = value.getDefiningOp<arith::ConstantOp>()) {
    Attribute attr = constant.getValue();
    if (auto integer = dyn_cast<IntegerAttr>(attr)) {
      if (integer.getType().isIndex())
        return std::to_string(integer.getInt());
      std::string literal = integerLiteral(integer.getValue());
      if (integer.getType().isInteger(1))
        return literal;
      if (!literal.empty())
        return *getElementTypeName(integer.getType()) + "(" + literal + ")";
    }
    if (auto number = dyn_cast<FloatAttr>(attr))
      return floatLiteral(number.getValue(), number.getType());
  }
  auto it = names.find(value);
  return it == names.end() ? std::string("/*undefined*/") : it->second;
}

std::string Emitter::subscripts(ValueRange indices) {
  if (indices.empty())
    return "[0]";
  std::string text;
  for (Value index : indices)
    text += "[" + expr(index) + "]";
  return text;
}

LogicalResult Emitter::emitGlobal(memref::GlobalOp global) {
  if (!global.getConstant() || !global.getInitialValue())
    return global.emitOpError(
        "HLS C++: only constant globals with a value are taken");
  auto initial = *global.getInitialValue();
  auto elements = dyn_cast<DenseElementsAttr>(initial);
  if (auto resource = dyn_cast<DenseResourceElementsAttr>(initial)) {
    // A blob of little-endian elements: as a DenseElementsAttr.
    AsmResourceBlob *blob = resource.getRawHandle().getBlob();
    auto type = resource.getType();
    const unsigned bits = type.getElementTypeBitWidth();
    if (blob && bits % 8 == 0 &&
        blob->getData().size() ==
            static_cast<size_t>(type.getNumElements()) * (bits / 8))
      elements = DenseElementsAttr::getFromRawBuffer(type, blob->getData());
  }
  std::string name = globalNames.lookup(global.getSymName());
  if (name.empty())
    name = "w_" + identifier(global.getSymName());
  auto decl = arrayDeclaration(global.getType(), name, global);
  if (failed(decl))
    return failure();
  std::string text;
  llvm::raw_string_ostream w(text);
  const std::string guard = "QCC_WEIGHTS_" + StringRef(name).upper() + "_H";
  w << "// " << name << ": " << global.getType();
  if (std::string layer = globalLayers.lookup(global.getSymName());
      !layer.empty())
    w << ", read by the layer " << layer;
  w << " (generated by qcc)\n";
  w << "#ifndef " << guard << "\n#define " << guard << "\n\n";
  w << "#include \"../qcc_hls_types.h\"\n\n";
  // The values, in braces per dimension.
  std::vector<std::string> values;
  Type element = elements.getElementType();
  if (isa<IntegerType>(element)) {
    for (const APInt &value : elements.getValues<APInt>()) {
      values.push_back(integerLiteral(value));
      if (values.back().empty())
        return global.emitOpError("HLS C++: a weight wider than 64 bits");
    }
  } else if (isa<FloatType>(element)) {
    for (const APFloat &value : elements.getValues<APFloat>())
      values.push_back(floatLiteral(value, element));
  } else {
    return global.emitOpError("HLS C++: weights of ") << element;
  }
  ArrayRef<int64_t> shape = global.getType().getShape();
  w << "static const " << *decl << " = ";
  size_t next = 0;
  std::function<void(size_t, unsigned)> print = [&](size_t dim,
                                                    unsigned depth) {
    if (dim + 1 >= shape.size()) {
      const int64_t n = shape.empty() ? 1 : shape.back();
      w << "{";
      for (int64_t i = 0; i < n; ++i) {
        if (i % 16 == 0 && n > 16)
          w << "\n" << std::string(2 * depth + 2, ' ');
        else if (i)
          w << " ";
        w << values[next++] << (i + 1 < n ? "," : "");
      }
      w << "}";
      return;
    }
    w << "{";
    for (int64_t i = 0; i < shape[dim]; ++i) {
      w << "\n" << std::string(2 * depth + 2, ' ');
      print(dim + 1, depth + 1);
      if (i + 1 < shape[dim])
        w << ",";
    }
    w << "}";
  };
  print(0, 0);
  w << ";\n\n#endif // " << guard << "\n";
  design.weights.push_back({name, text});
  globals[global.getSymName()] = name;
  return success();
}

Value entry_arg(func::FuncOp func, int64_t i) {
  return func.getBody().front().getArgument(i);
}

/// The pragmas an op carries as hls.* attributes.
void emitPragmas(llvm::raw_ostream &os, unsigned indent, Operation *op) {
  if (auto ii = op->getAttrOfType<IntegerAttr>("hls.pipeline_ii"))
    os.indent(indent) << "#pragma HLS PIPELINE II=" << ii.getInt() << "\n";
  if (op->hasAttr("hls.unroll"))
    os.indent(indent) << "#pragma HLS UNROLL\n";
}

LogicalResult Emitter::emitFunction(func::FuncOp func, bool isTop) {
  if (func.getNumResults() != 0)
    return func.emitOpError(
        "HLS C++: functions return through output arrays (results left)");
  std::string signature = "void " + identifier(func.getSymName()) + "(";
  Block &entry = func.getBody().front();
  for (auto [i, arg] : llvm::enumerate(entry.getArguments())) {
    auto type = dyn_cast<MemRefType>(arg.getType());
    std::string name = (isTop ? "port" : "a") + std::to_string(i);
    if (auto ports = func->getAttrOfType<ArrayAttr>("hls.port_names"))
      if (i < ports.size())
        if (auto given = dyn_cast<StringAttr>(ports[i]))
          name = identifier(given.getValue());
    names[arg] = name;
    if (i)
      signature += ", ";
    if (type && isTop && options.streamPorts) {
      // A stream of the array's elements in row-major order; the design
      // works on a local copy.
      auto element = typeName(type.getElementType(), func);
      if (failed(element))
        return failure();
      signature += "hls::stream<" + *element + " > &" + name;
      names[arg] = name + "_array";
    } else if (type) {
      auto decl = arrayDeclaration(type, name, func);
      if (failed(decl))
        return failure();
      signature += *decl;
    } else {
      auto scalar = typeName(arg.getType(), func);
      if (failed(scalar))
        return failure();
      signature += *scalar + " " + name;
    }
  }
  signature += ")";
  if (isTop) {
    // What each port's integers mean (qcc-hls-split-interface).
    if (auto formats = func->getAttrOfType<ArrayAttr>("hls.port_formats")) {
      for (auto [i, arg] : llvm::enumerate(entry.getArguments())) {
        auto text = i < formats.size() ? dyn_cast<StringAttr>(formats[i])
                                       : StringAttr();
        std::string port = names[arg];
        if (options.streamPorts && StringRef(port).ends_with("_array"))
          port.resize(port.size() - 6);
        if (text && !text.getValue().empty())
          design.header += "// " + port + ": " + text.getValue().str() + "\n";
      }
    }
    design.header += signature + ";\n";
  } else if (func.isPublic())
    hostSignature = signature;
  os << "\n" << signature << " {\n";
  indent = 2;
  if (auto pragmas = func->getAttrOfType<ArrayAttr>("hls.pragmas"))
    for (auto pragma : pragmas.getAsValueRange<StringAttr>())
      line() << "#pragma HLS " << pragma << "\n";
  if (auto partitions = func->getAttrOfType<ArrayAttr>("hls.partition"))
    for (auto entry : partitions.getAsRange<DictionaryAttr>()) {
      std::string variable;
      if (auto arg = entry.getAs<IntegerAttr>("arg"))
        variable = names[entry_arg(func, arg.getInt())];
      else if (auto global = entry.getAs<FlatSymbolRefAttr>("global"))
        variable = globals.lookup(global.getValue());
      if (variable.empty())
        continue;
      line() << "#pragma HLS ARRAY_PARTITION variable=" << variable
             << " type=" << entry.getAs<StringAttr>("kind").getValue();
      if (auto factor = entry.getAs<IntegerAttr>("factor"))
        os << " factor=" << factor.getInt();
      os << " dim=" << entry.getAs<IntegerAttr>("dim").getInt() << "\n";
    }
  const bool streams = isTop && options.streamPorts;
  const int64_t numInputs =
      func->hasAttr("hls.num_inputs")
          ? func->getAttrOfType<IntegerAttr>("hls.num_inputs").getInt()
          : 0;
  if (streams) {
    for (BlockArgument arg : entry.getArguments())
      line() << "#pragma HLS INTERFACE mode=axis port="
             << names[arg].substr(0, names[arg].size() - 6) << "\n";
    line() << "#pragma HLS DATAFLOW\n";
    // Arrays in a dataflow region are not static (ping-pong buffers).
    inDataflow = true;
    for (auto [i, arg] : llvm::enumerate(entry.getArguments())) {
      auto type = cast<MemRefType>(arg.getType());
      std::string port = names[arg].substr(0, names[arg].size() - 6);
      auto decl = arrayDeclaration(type, names[arg], func);
      if (failed(decl))
        return failure();
      line() << *decl << ";\n";
      if (static_cast<int64_t>(i) < numInputs)
        emitElementLoops(type, names[arg], port + ".read()", /*read=*/true);
    }
  }
  if (failed(emitBlock(entry)))
    return failure();
  inDataflow = false;
  if (streams)
    for (auto [i, arg] : llvm::enumerate(entry.getArguments()))
      if (static_cast<int64_t>(i) >= numInputs) {
        std::string port = names[arg].substr(0, names[arg].size() - 6);
        emitElementLoops(cast<MemRefType>(arg.getType()), names[arg], port,
                         /*read=*/false);
      }
  os << "}\n";
  return success();
}

void Emitter::emitElementLoops(MemRefType type, StringRef array,
                               StringRef stream, bool read) {
  std::string index;
  const unsigned start = indent;
  for (auto [d, size] : llvm::enumerate(type.getShape())) {
    std::string iv = "e" + std::to_string(nextLoop) + "_" + std::to_string(d);
    line() << "for (int " << iv << " = 0; " << iv << " < " << size << "; ++"
           << iv << ") {\n";
    indent += 2;
    index += "[" + iv + "]";
  }
  if (type.getRank() == 0)
    index = "[0]";
  line() << "#pragma HLS PIPELINE II=1\n";
  if (read)
    line() << array << index << " = " << stream << ";\n";
  else
    line() << stream << ".write(" << array << index << ");\n";
  for (int64_t d = 0; d < type.getRank(); ++d) {
    indent -= 2;
    line() << "}\n";
  }
  indent = start;
  ++nextLoop;
}

LogicalResult Emitter::emitBlock(Block &block) {
  for (Operation &op : block)
    if (failed(emitOp(&op)))
      return failure();
  return success();
}

LogicalResult Emitter::emitFor(scf::ForOp loop) {
  // Carried values live in variables assigned at each yield.
  for (auto [init, result, arg] : llvm::zip(
           loop.getInitArgs(), loop.getResults(), loop.getRegionIterArgs())) {
    auto type = typeName(result.getType(), loop);
    if (failed(type))
      return failure();
    std::string name = define(result);
    names[arg] = name;
    line() << *type << " " << name << " = " << expr(init) << ";\n";
  }
  std::string iv = "i" + std::to_string(nextLoop);
  names[loop.getInductionVar()] = iv;
  line() << "L" << nextLoop++ << ": for (int " << iv << " = "
         << expr(loop.getLowerBound()) << "; " << iv << " < "
         << expr(loop.getUpperBound()) << "; " << iv
         << " += " << expr(loop.getStep()) << ") {\n";
  indent += 2;
  emitPragmas(os, indent, loop);
  if (failed(emitBlock(*loop.getBody())))
    return failure();
  indent -= 2;
  line() << "}\n";
  return success();
}

LogicalResult Emitter::emitIf(scf::IfOp ifOp) {
  SmallVector<std::string> results;
  for (Value result : ifOp.getResults()) {
    auto type = typeName(result.getType(), ifOp);
    if (failed(type))
      return failure();
    results.push_back(define(result));
    line() << *type << " " << results.back() << ";\n";
  }
  line() << "if (" << expr(ifOp.getCondition()) << ") {\n";
  indent += 2;
  if (failed(emitBlock(ifOp.getThenRegion().front())))
    return failure();
  indent -= 2;
  if (!ifOp.getElseRegion().empty()) {
    line() << "} else {\n";
    indent += 2;
    if (failed(emitBlock(ifOp.getElseRegion().front())))
      return failure();
    indent -= 2;
  }
  line() << "}\n";
  return success();
}

/// C's spelling of a float comparison (NaN: false for the ordered ones,
/// true for the unordered).
std::string floatComparison(arith::CmpFPredicate predicate,
                            const std::string &a, const std::string &b) {
  using P = arith::CmpFPredicate;
  switch (predicate) {
  case P::AlwaysFalse:
    return "false";
  case P::AlwaysTrue:
    return "true";
  case P::OEQ:
    return a + " == " + b;
  case P::OGT:
    return a + " > " + b;
  case P::OGE:
    return a + " >= " + b;
  case P::OLT:
    return a + " < " + b;
  case P::OLE:
    return a + " <= " + b;
  case P::ONE:
    return "(" + a + " < " + b + " || " + a + " > " + b + ")";
  case P::ORD:
    return "(" + a + " == " + a + " && " + b + " == " + b + ")";
  case P::UEQ:
    return "!(" + a + " < " + b + " || " + a + " > " + b + ")";
  case P::UGT:
    return "!(" + a + " <= " + b + ")";
  case P::UGE:
    return "!(" + a + " < " + b + ")";
  case P::ULT:
    return "!(" + a + " >= " + b + ")";
  case P::ULE:
    return "!(" + a + " > " + b + ")";
  case P::UNE:
    return a + " != " + b;
  case P::UNO:
    return "(" + a + " != " + a + " || " + b + " != " + b + ")";
  }
  return "false";
}

LogicalResult Emitter::emitArith(Operation *op) {
  if (isa<arith::ConstantOp>(op)) {
    // Scalars are literals at their uses.
    if (isa<IntegerType, IndexType, FloatType>(op->getResult(0).getType()) &&
        expr(op->getResult(0)) != "/*undefined*/")
      return success();
    return op->emitOpError("HLS C++: a constant of this type is left");
  }
  Value result = op->getResult(0);
  Type type = result.getType();
  auto typeText = typeName(type, op);
  if (failed(typeText))
    return failure();
  const std::string &T = *typeText;
  const bool isIndex = type.isIndex();
  const bool isBool = type.isInteger(1);
  auto operand = [&](unsigned i) { return expr(op->getOperand(i)); };
  // An integer operand as the result's type (index and bool stay C's).
  auto asType = [&](unsigned i) {
    if (isIndex || isBool)
      return operand(i);
    return T + "(" + operand(i) + ")";
  };
  auto width = [](Value v) {
    return getElementTypeOrSelf(v).getIntOrFloatBitWidth();
  };
  auto unsignedOf = [&](unsigned i) {
    Value v = op->getOperand(i);
    if (v.getType().isIndex())
      return "(unsigned)" + operand(i);
    if (v.getType().isInteger(1))
      return operand(i);
    return "ap_uint<" + std::to_string(width(v)) + ">(" + operand(i) + ")";
  };
  auto shiftAmount = [&](unsigned i) {
    Value v = op->getOperand(i);
    if (v.getType().isIndex())
      return operand(i);
    if (auto c = v.getDefiningOp<arith::ConstantIntOp>())
      return std::to_string(cast<IntegerAttr>(c.getValue()).getInt());
    return "(" + operand(i) + ").to_int()";
  };
  auto binary = [&](StringRef symbol) {
    if (isBool) {
      StringRef logical = symbol == "&" ? "&&" : symbol == "|" ? "||" : "!=";
      return "(" + operand(0) + " " + logical.str() + " " + operand(1) + ")";
    }
    return asType(0) + " " + symbol.str() + " " + asType(1);
  };
  std::string value;
  using namespace arith;
  auto text =
      llvm::TypeSwitch<Operation *, std::optional<std::string>>(op)
          .Case([&](AddIOp) { return binary("+"); })
          .Case([&](SubIOp) { return binary("-"); })
          .Case([&](MulIOp) { return binary("*"); })
          .Case([&](AndIOp) { return binary("&"); })
          .Case([&](OrIOp) { return binary("|"); })
          .Case([&](XOrIOp) { return binary("^"); })
          .Case([&](DivSIOp) { return binary("/"); })
          .Case([&](RemSIOp) { return binary("%"); })
          .Case([&](DivUIOp) {
            return T + "(" + unsignedOf(0) + " / " + unsignedOf(1) + ")";
          })
          .Case([&](RemUIOp) {
            return T + "(" + unsignedOf(0) + " % " + unsignedOf(1) + ")";
          })
          .Case([&](MaxSIOp) {
            return "(" + asType(0) + " > " + asType(1) + ") ? " + asType(0) +
                   " : " + asType(1);
          })
          .Case([&](MinSIOp) {
            return "(" + asType(0) + " < " + asType(1) + ") ? " + asType(0) +
                   " : " + asType(1);
          })
          .Case([&](MaxUIOp) {
            return "(" + unsignedOf(0) + " > " + unsignedOf(1) + ") ? " +
                   asType(0) + " : " + asType(1);
          })
          .Case([&](MinUIOp) {
            return "(" + unsignedOf(0) + " < " + unsignedOf(1) + ") ? " +
                   asType(0) + " : " + asType(1);
          })
          .Case([&](ShLIOp) {
            return "(" + asType(0) + " << " + shiftAmount(1) + ")";
          })
          .Case([&](ShRSIOp) {
            return "(" + asType(0) + " >> " + shiftAmount(1) + ")";
          })
          .Case([&](ShRUIOp) {
            return T + "(" + unsignedOf(0) + " >> " + shiftAmount(1) + ")";
          })
          .Case([&](SelectOp) -> std::optional<std::string> {
            if (!op->getOperand(0).getType().isInteger(1))
              return std::nullopt;
            bool scalar = isa<FloatType>(type) || isIndex || isBool;
            return operand(0) + " ? " + (scalar ? operand(1) : asType(1)) +
                   " : " + (scalar ? operand(2) : asType(2));
          })
          .Case([&](CmpIOp cmp) -> std::optional<std::string> {
            using P = CmpIPredicate;
            static const char *symbols[] = {"==", "!=", "<",  "<=", ">",
                                            ">=", "<",  "<=", ">",  ">="};
            const unsigned p = static_cast<unsigned>(cmp.getPredicate());
            const bool isUnsigned = p >= static_cast<unsigned>(P::ult);
            if (isUnsigned)
              return unsignedOf(0) + " " + symbols[p] + " " + unsignedOf(1);
            return operand(0) + " " + symbols[p] + " " + operand(1);
          })
          .Case([&](CmpFOp cmp) {
            return floatComparison(cmp.getPredicate(), operand(0), operand(1));
          })
          .Case([&](ExtSIOp) -> std::string {
            if (op->getOperand(0).getType().isInteger(1))
              return operand(0) + " ? " + T + "(-1) : " + T + "(0)";
            return operand(0);
          })
          .Case([&](ExtUIOp) -> std::string {
            if (op->getOperand(0).getType().isInteger(1))
              return operand(0) + " ? " + T + "(1) : " + T + "(0)";
            return unsignedOf(0);
          })
          .Case([&](TruncIOp) -> std::string {
            if (isBool)
              return "(" + operand(0) + ")[0]";
            return operand(0);
          })
          .Case([&](IndexCastOp) -> std::string {
            if (isIndex)
              return op->getOperand(0).getType().isInteger(1)
                         ? "(int)" + operand(0)
                         : "(" + operand(0) + ").to_int()";
            return operand(0);
          })
          .Case([&](SIToFPOp) {
            return "(" + T + ")(" + operand(0) + ").to_int64()";
          })
          .Case([&](UIToFPOp) {
            return "(" + T + ")" + unsignedOf(0) + ".to_uint64()";
          })
          .Case([&](FPToSIOp) { return T + "((long long)" + operand(0) + ")"; })
          .Case([&](FPToUIOp) {
            return T + "((unsigned long long)" + operand(0) + ")";
          })
          .Case([&](AddFOp) { return operand(0) + " + " + operand(1); })
          .Case([&](SubFOp) { return operand(0) + " - " + operand(1); })
          .Case([&](MulFOp) { return operand(0) + " * " + operand(1); })
          .Case([&](DivFOp) { return operand(0) + " / " + operand(1); })
          .Case([&](NegFOp) { return "-" + operand(0); })
          .Case([&](ExtFOp) { return "(" + T + ")" + operand(0); })
          .Case([&](TruncFOp) { return "(" + T + ")" + operand(0); })
          .Case([&](MaxNumFOp) {
            return "qcc_hls::fmax(" + operand(0) + ", " + operand(1) + ")";
          })
          .Case([&](MinNumFOp) {
            return "qcc_hls::fmin(" + operand(0) + ", " + operand(1) + ")";
          })
          .Default([](Operation *) { return std::nullopt; });
  if (!text)
    return op->emitOpError("HLS C++: not supported by the emitter");
  line() << T << " " << define(result) << " = " << *text << ";\n";
  return success();
}

LogicalResult Emitter::emitMath(Operation *op) {
  StringRef function = llvm::TypeSwitch<Operation *, StringRef>(op)
                           .Case([](math::ExpOp) { return "exp"; })
                           .Case([](math::LogOp) { return "log"; })
                           .Case([](math::TanhOp) { return "tanh"; })
                           .Case([](math::SqrtOp) { return "sqrt"; })
                           .Case([](math::ErfOp) { return "erf"; })
                           .Case([](math::RoundEvenOp) { return "roundeven"; })
                           .Case([](math::FloorOp) { return "floor"; })
                           .Case([](math::CeilOp) { return "ceil"; })
                           .Case([](math::AbsFOp) { return "fabs"; })
                           .Default([](Operation *) { return ""; });
  if (function.empty())
    return op->emitOpError("HLS C++: not supported by the emitter");
  Value result = op->getResult(0);
  auto type = typeName(result.getType(), op);
  if (failed(type))
    return failure();
  line() << *type << " " << define(result) << " = qcc_hls::" << function << "("
         << expr(op->getOperand(0)) << ");\n";
  return success();
}

LogicalResult Emitter::emitOp(Operation *op) {
  if (auto loop = dyn_cast<scf::ForOp>(op))
    return emitFor(loop);
  if (auto ifOp = dyn_cast<scf::IfOp>(op))
    return emitIf(ifOp);
  if (auto yield = dyn_cast<scf::YieldOp>(op)) {
    Operation *parent = op->getParentOp();
    ValueRange targets = parent->getResults();
    for (auto [target, value] : llvm::zip(targets, yield.getOperands()))
      line() << names[target] << " = " << expr(value) << ";\n";
    return success();
  }
  if (isa<func::ReturnOp>(op))
    return success();
  if (auto call = dyn_cast<func::CallOp>(op)) {
    if (call.getNumResults())
      return call.emitOpError("HLS C++: calls return through output arrays");
    SmallVector<std::string> args;
    for (Value arg : call.getOperands())
      args.push_back(expr(arg));
    std::string callee = identifier(call.getCallee());
    if (options.streamPorts && !emittingDesign && call.getCallee() == topName)
      callee += "_arrays";
    line() << callee << "(" << llvm::join(args, ", ") << ");\n";
    return success();
  }
  if (auto load = dyn_cast<memref::LoadOp>(op)) {
    auto type = typeName(load.getType(), op);
    if (failed(type))
      return failure();
    line() << *type << " " << define(load.getResult()) << " = "
           << expr(load.getMemRef()) << subscripts(load.getIndices()) << ";\n";
    return success();
  }
  if (auto store = dyn_cast<memref::StoreOp>(op)) {
    line() << expr(store.getMemRef()) << subscripts(store.getIndices()) << " = "
           << expr(store.getValue()) << ";\n";
    return success();
  }
  if (isa<memref::AllocOp, memref::AllocaOp>(op)) {
    Value buffer = op->getResult(0);
    std::string name = "buf" + std::to_string(nextValue++);
    names[buffer] = name;
    auto decl = arrayDeclaration(cast<MemRefType>(buffer.getType()), name, op);
    if (failed(decl))
      return failure();
    // Static: large intermediate arrays do not go on the stack of the C
    // simulation (synthesis makes memories of them either way); not in a
    // dataflow region, which takes no static variables.
    line() << (inDataflow ? "" : "static ") << *decl << ";\n";
    if (auto partition = op->getAttrOfType<ArrayAttr>("hls.partition"))
      for (auto text : partition.getAsValueRange<StringAttr>())
        line() << "#pragma HLS ARRAY_PARTITION variable=" << name << " " << text
               << "\n";
    return success();
  }
  if (isa<memref::DeallocOp>(op))
    return success();
  if (isa<memref::ExpandShapeOp, memref::CollapseShapeOp>(op)) {
    // A reshaped view of a whole array: a reference of the other shape
    // (host code only: synthesis takes no pointer casts).
    auto from = cast<MemRefType>(op->getOperand(0).getType());
    auto to = cast<MemRefType>(op->getResult(0).getType());
    if (emittingDesign || !from.getLayout().isIdentity() ||
        !to.getLayout().isIdentity() || !to.hasStaticShape())
      return op->emitOpError("HLS C++: a reshaped view is left in the design");
    auto element = typeName(to.getElementType(), op);
    if (failed(element))
      return failure();
    std::string dims;
    for (int64_t size : to.getShape())
      dims += "[" + std::to_string(size) + "]";
    if (to.getRank() == 0)
      dims = "[1]";
    std::string first;
    for (int64_t i = 0; i < std::max<int64_t>(from.getRank(), 1); ++i)
      first += "[0]";
    std::string name = define(op->getResult(0));
    line() << *element << " (&" << name << ")" << dims
           << " = *reinterpret_cast<" << *element << " (*)" << dims << ">(&"
           << expr(op->getOperand(0)) << first << ");\n";
    return success();
  }
  if (auto copy = dyn_cast<memref::CopyOp>(op)) {
    // Whole arrays of one shape: element by element.
    auto from = cast<MemRefType>(copy.getSource().getType());
    auto to = cast<MemRefType>(copy.getTarget().getType());
    if (from.getShape() != to.getShape() || !from.hasStaticShape() ||
        !from.getLayout().isIdentity() || !to.getLayout().isIdentity())
      return op->emitOpError("HLS C++: copies only whole arrays");
    std::string index;
    for (auto [d, size] : llvm::enumerate(from.getShape())) {
      std::string iv = "c" + std::to_string(nextLoop) + "_" + std::to_string(d);
      line() << "for (int " << iv << " = 0; " << iv << " < " << size << "; ++"
             << iv << ")\n";
      indent += 2;
      index += "[" + iv + "]";
    }
    if (from.getRank() == 0)
      index = "[0]";
    line() << expr(copy.getTarget()) << index << " = " << expr(copy.getSource())
           << index << ";\n";
    indent -= 2 * from.getRank();
    ++nextLoop;
    return success();
  }
  if (auto get = dyn_cast<memref::GetGlobalOp>(op)) {
    auto it = globals.find(get.getName());
    if (it == globals.end())
      return get.emitOpError("HLS C++: unknown global ") << get.getName();
    names[get.getResult()] = it->second;
    return success();
  }
  if (op->getDialect() && isa<arith::ArithDialect>(op->getDialect()))
    return emitArith(op);
  if (op->getDialect() && isa<math::MathDialect>(op->getDialect()))
    return emitMath(op);
  return op->emitOpError("HLS C++: not supported by the emitter (the "
                         "lowering leaves loops, scalar arith and math, "
                         "loads, stores and local arrays)");
}

/// A constant read by one layer only is named after it: w_<node>_<i>, i
/// counting that layer's constants in the order it reads them (weights
/// first in a convolution, then its requantization's multipliers and
/// shifts).
void Emitter::nameGlobals() {
  llvm::StringMap<llvm::SmallSetVector<StringRef, 2>> readers;
  llvm::StringMap<SmallVector<StringRef>> byLayer;
  for (auto func : module.getOps<func::FuncOp>()) {
    auto layer = func->getAttrOfType<StringAttr>("hls.layer");
    func.walk([&](memref::GetGlobalOp get) {
      if (!get.use_empty())
        readers[get.getName()].insert(layer ? layer.getValue() : StringRef());
    });
  }
  llvm::StringSet<> taken;
  for (auto func : module.getOps<func::FuncOp>()) {
    auto layer = func->getAttrOfType<StringAttr>("hls.layer");
    if (!layer)
      continue;
    func.walk([&](memref::GetGlobalOp get) {
      auto &users = readers[get.getName()];
      if (get.use_empty() || users.size() != 1 || users.front().empty() ||
          globalNames.count(get.getName()))
        return;
      std::string base = "w" + identifier(layer.getValue());
      if (base.back() != '_')
        base += "_";
      unsigned i = 0;
      std::string name;
      do
        name = base + std::to_string(i++);
      while (!taken.insert(name).second);
      globalNames[get.getName()] = name;
      globalLayers[get.getName()] = layer.getValue().str();
    });
  }
}

/// The functions `root` calls, transitively, callees first (the
/// lowering's call graph has no cycles), but those in `skip`.
LogicalResult callOrder(ModuleOp module, func::FuncOp root,
                        const llvm::DenseSet<Operation *> &skip,
                        SmallVectorImpl<func::FuncOp> &order) {
  llvm::DenseSet<Operation *> placed;
  std::function<LogicalResult(func::FuncOp)> place =
      [&](func::FuncOp func) -> LogicalResult {
    if (skip.contains(func) || !placed.insert(func).second)
      return success();
    WalkResult walk = func.walk([&](func::CallOp call) {
      auto callee = module.lookupSymbol<func::FuncOp>(call.getCallee());
      if (!callee || callee.isExternal()) {
        call.emitOpError("HLS C++: calls only functions of the design");
        return WalkResult::interrupt();
      }
      if (failed(place(callee)))
        return WalkResult::interrupt();
      return WalkResult::advance();
    });
    if (walk.wasInterrupted())
      return failure();
    order.push_back(func);
    return success();
  };
  return place(root);
}

LogicalResult Emitter::emitRoot(func::FuncOp root,
                                const llvm::DenseSet<Operation *> &skip,
                                bool isTop, std::string &out) {
  SmallVector<func::FuncOp> order;
  if (failed(callOrder(module, root, skip, order)))
    return failure();
  // The weights the functions read.
  llvm::SetVector<StringRef> used;
  for (func::FuncOp func : order)
    func.walk([&](memref::GetGlobalOp get) { used.insert(get.getName()); });
  sourceText.clear();
  emittingDesign = isTop;
  if (isTop)
    os << "// The design qcc compiled (generated; see model.h).\n"
       << "#include \"model.h\"\n\n";
  else
    os << "// The host side of the design (generated): the float inputs "
          "quantized for\n// its ports, its outputs dequantized.\n"
       << "#include \"../firmware/model.h\"\n\n";
  for (StringRef symbol : used) {
    auto it = globals.find(symbol);
    if (it == globals.end())
      return module.emitError("HLS C++: unknown global @") << symbol;
    os << "#include \"" << (isTop ? "" : "../firmware/") << "weights/"
       << it->second << ".h\"\n";
  }
  if (!isTop && options.streamPorts)
    if (auto top = module.lookupSymbol<func::FuncOp>(topName))
      if (failed(emitStreamAdapter(top)))
        return failure();
  for (func::FuncOp func : order) {
    const bool isRoot = func == root;
    if (!isRoot)
      os << "\nstatic";
    if (failed(emitFunction(func, /*isTop=*/isTop && isRoot)))
      return failure();
  }
  out = std::move(sourceText);
  sourceText.clear();
  return success();
}

LogicalResult Emitter::emitStreamAdapter(func::FuncOp top) {
  const int64_t numInputs =
      top->hasAttr("hls.num_inputs")
          ? top->getAttrOfType<IntegerAttr>("hls.num_inputs").getInt()
          : 0;
  std::string params, streams, args;
  for (auto [i, type] : llvm::enumerate(top.getArgumentTypes())) {
    auto memref = cast<MemRefType>(type);
    std::string a = "a" + std::to_string(i), s = "s" + std::to_string(i);
    auto decl = arrayDeclaration(memref, a, top);
    auto element = typeName(memref.getElementType(), top);
    if (failed(decl) || failed(element))
      return failure();
    params += (i ? ", " : "") + *decl;
    streams += "  hls::stream<" + *element + " > " + s + ";\n";
    args += (i ? ", " : "") + s;
  }
  os << "\n// The design's stream ports fed from and drained into arrays.\n"
     << "static void " << identifier(top.getSymName()) << "_arrays(" << params
     << ") {\n"
     << streams;
  indent = 2;
  for (auto [i, type] : llvm::enumerate(top.getArgumentTypes()))
    if (static_cast<int64_t>(i) < numInputs)
      emitElementLoops(cast<MemRefType>(type), "a" + std::to_string(i),
                       "s" + std::to_string(i), /*read=*/false);
  line() << identifier(top.getSymName()) << "(" << args << ");\n";
  for (auto [i, type] : llvm::enumerate(top.getArgumentTypes()))
    if (static_cast<int64_t>(i) >= numInputs)
      emitElementLoops(cast<MemRefType>(type), "a" + std::to_string(i),
                       "s" + std::to_string(i) + ".read()", /*read=*/true);
  os << "}\n";
  return success();
}

FailureOr<EmittedDesign> Emitter::emit(StringRef topName, StringRef hostName) {
  this->topName = topName.str();
  auto top = module.lookupSymbol<func::FuncOp>(topName);
  if (!top || top.isExternal())
    return module.emitError("HLS C++: no function @") << topName;
  nameGlobals();
  for (auto global : module.getOps<memref::GlobalOp>())
    if (failed(emitGlobal(global)))
      return failure();
  if (failed(emitRoot(top, {}, /*isTop=*/true, design.source)))
    return failure();
  if (!hostName.empty()) {
    auto host = module.lookupSymbol<func::FuncOp>(hostName);
    if (!host || host.isExternal())
      return module.emitError("HLS C++: no function @") << hostName;
    llvm::DenseSet<Operation *> skip = {top};
    if (failed(emitRoot(host, skip, /*isTop=*/false, design.host)))
      return failure();
    design.hostSignature = hostSignature;
  }
  return std::move(design);
}

} // namespace

FailureOr<EmittedDesign> emitHLSCpp(ModuleOp module, StringRef top,
                                    StringRef host,
                                    const EmitOptions &options) {
  return Emitter(module, options).emit(top, host);
}

} // namespace qcc::hls
