//===- ImporterImpl.h - State shared by the ONNX importer -------*- C++ -*-===//
//
// The importer walks the graph in topological order. Every ONNX value maps
// to an `ImportedValue`: an MLIR value (created lazily for constants), its
// symbolic shape, and, where known at import time, its contents (a
// `Literal`), which is what shape subgraphs fold into.
//
//===----------------------------------------------------------------------===//

#ifndef QCC_LIB_IMPORT_ONNX_IMPORTERIMPL_H
#define QCC_LIB_IMPORT_ONNX_IMPORTERIMPL_H

#include "qcc/Dialect/QC/IR/QCOps.h"
#include "qcc/Import/ONNX.h"
#include "qcc/Support/CheckedInt.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinOps.h"
#include "llvm/ADT/StringMap.h"
#include "llvm/Support/raw_ostream.h"

#include <onnx/onnx_pb.h>

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace qcc::onnx_import {

/// One dimension of a symbolic shape: >= 0 is a static size, < 0 names a
/// symbol (a dynamic size; equal symbols are equal sizes).
using Dim = int64_t;
using SymShape = llvm::SmallVector<Dim, 4>;
inline bool isStatic(Dim d) { return d >= 0; }

/// Contents known at import time. An element may be a symbolic dimension
/// (e.g. the batch size read by Shape); such literals can only be consumed
/// as shape operands, never materialized.
struct Literal {
  int32_t dataType = 0; // ONNX TensorProto data type.
  std::vector<int64_t> shape;
  std::vector<double> values;
  /// Parallel to `values` when some elements are symbolic dims: the symbol
  /// (a negative Dim) the element equals, or 0 for a known element.
  std::vector<Dim> symbols;

  bool isFullyKnown() const {
    return llvm::all_of(symbols, [](Dim d) { return d == 0; });
  }
  int64_t numElements() const { return static_cast<int64_t>(values.size()); }
  /// Element `i` as a Dim: its value (saturated to int64: files hold
  /// anything), or its symbol.
  Dim dimAt(size_t i) const {
    return !symbols.empty() && symbols[i] != 0 ? symbols[i]
                                               : saturatingInt64(values[i]);
  }
};

struct ImportedValue {
  mlir::Value value;          // null until materialized (constants).
  mlir::Type elementType;     // MLIR element type.
  int32_t dataType = 0;       // ONNX data type.
  SymShape shape;
  std::optional<Literal> literal;
  const onnx::TensorProto *initializer = nullptr; // decoded lazily.
};

class Importer;

/// Everything a node converter needs: its inputs, attributes, the builder,
/// and uniform error reporting.
class NodeContext {
public:
  NodeContext(Importer &importer, const onnx::NodeProto &node, int64_t version)
      : importer(importer), node(node), version(version) {}

  Importer &importer;
  const onnx::NodeProto &node;
  /// The op's effective version (the newest version <= the model opset).
  const int64_t version;

  mlir::OpBuilder &builder();
  mlir::Location loc();
  mlir::MLIRContext *context();

  size_t numInputs() const { return node.input_size(); }
  bool hasInput(size_t i) const {
    return static_cast<int>(i) < node.input_size() && !node.input(i).empty();
  }
  /// Input `i` (which must exist), with its MLIR value materialized.
  mlir::FailureOr<ImportedValue *> input(size_t i);
  /// Input `i` as a value, or null if the optional input is absent.
  mlir::FailureOr<mlir::Value> optionalValue(size_t i);
  mlir::FailureOr<mlir::Value> value(size_t i);
  /// Input `i` without materializing (for folding).
  ImportedValue *lookup(size_t i);
  /// The converter preamble: binds `*required[k]` to input k (which must
  /// exist) and `*optional[k]` to the value of input `required.size() + k`
  /// (null when that optional input is absent). Required inputs are
  /// materialized unless `materialize` is false (converters that fold
  /// import-time literals first). Fails, reporting why, at the first input
  /// that cannot be read.
  mlir::LogicalResult inputs(llvm::ArrayRef<ImportedValue **> required,
                             llvm::ArrayRef<mlir::Value *> optional = {},
                             bool materialize = true);
  /// Input `i` as import-time contents: `what` says what the operand is,
  /// for the error when it is not constant.
  mlir::FailureOr<Literal> constant(size_t i, llvm::StringRef what,
                                    bool allowSymbolic = false);
  /// A constant operand read as integers.
  mlir::FailureOr<std::vector<int64_t>> constantInts(size_t i,
                                                     llvm::StringRef what);

  bool hasAttr(llvm::StringRef name) const;
  const onnx::AttributeProto *attr(llvm::StringRef name) const;
  int64_t attrInt(llvm::StringRef name, int64_t defaultValue) const;
  float attrFloat(llvm::StringRef name, float defaultValue) const;
  std::string attrString(llvm::StringRef name,
                         llvm::StringRef defaultValue) const;
  std::vector<int64_t> attrInts(llvm::StringRef name) const;
  std::vector<float> attrFloats(llvm::StringRef name) const;

  size_t numOutputs() const { return node.output_size(); }
  bool hasOutput(size_t i) const {
    return static_cast<int>(i) < node.output_size() && !node.output(i).empty();
  }
  void setOutput(size_t i, ImportedValue value);
  /// Sets output `i` to `value` (shape and types taken from `shape`/`type`).
  void setOutput(size_t i, mlir::Value value, SymShape shape,
                 int32_t dataType);

  /// Reports "FILE: node 'NAME' (OP, opset N): MESSAGE" and returns failure.
  mlir::LogicalResult fail(const llvm::Twine &message);
  /// Reports an unsupported feature the same way.
  mlir::LogicalResult unsupported(const llvm::Twine &what);

  /// Normalises a possibly negative axis against `rank`.
  mlir::FailureOr<int64_t> normalizeAxis(int64_t axis, int64_t rank,
                                         llvm::StringRef what = "axis");

  /// A ranked tensor type for a symbolic shape.
  mlir::RankedTensorType tensorType(const SymShape &shape,
                                    mlir::Type elementType) const;
  /// A fresh symbol for a dimension the importer cannot compute statically.
  Dim freshSymbol();
  /// The run-time size of a symbolic dimension: a `tensor.dim` of the first
  /// imported value that has it. Fails, reporting it, if none has.
  mlir::FailureOr<mlir::Value> symbolSize(Dim symbol);
};

using NodeConverter = std::function<mlir::LogicalResult(NodeContext &)>;

/// The converters, keyed by op type, with the op versions each handles.
struct OpSupport {
  NodeConverter convert;
  /// Versions of the op (the ONNX since-versions, ascending) that qcc
  /// supports; a model whose effective version is not listed is rejected.
  std::vector<int64_t> supportedVersions;
  /// Every since-version of the op up to opset 21, ascending.
  std::vector<int64_t> allVersions;
  /// How many leading inputs the op requires (the ONNX schema's minimum
  /// input count), checked for every node before its converter runs.
  unsigned requiredInputs = 1;
  /// (version, count) pairs for ops whose minimum grew in a later version.
  std::vector<std::pair<int64_t, unsigned>> requiredInputsFrom;

  unsigned requiredInputsAt(int64_t version) const {
    unsigned count = requiredInputs;
    for (auto [since, n] : requiredInputsFrom)
      if (version >= since)
        count = n;
    return count;
  }
};
const llvm::StringMap<OpSupport> &getOpSupport();

class Importer {
public:
  Importer(mlir::MLIRContext &context, llvm::StringRef path,
           const ONNXImportOptions &options);

  llvm::Expected<ONNXImportResult> run();

  mlir::MLIRContext &context;
  mlir::OpBuilder builder;
  std::string path;
  std::string baseDir;
  const ONNXImportOptions &options;
  std::string error; // The first error; import stops at it.
  int64_t opset = 0;
  llvm::StringMap<ImportedValue> values;
  std::vector<std::string> boundInputs;
  int64_t nextSymbol = -1;
  llvm::StringMap<Dim> namedSymbols;
  /// Symbols for arithmetic on symbols (e.g. batch * heads), keyed by the
  /// op and its operands (a symbol, or 0 and a constant), so that the same
  /// expression gives the same symbol wherever it is computed.
  std::map<std::tuple<std::string, Dim, double, Dim, double>, Dim>
      derivedSymbols;
  /// For each symbol, the first value (and its dimension) that has it.
  llvm::DenseMap<Dim, std::pair<mlir::Value, int64_t>> symbolSources;
  int resourceCounter = 0;

  mlir::LogicalResult fail(const llvm::Twine &message);
  /// Records `value` as the source of the symbols in `shape` it is the
  /// first to have.
  void noteSymbolSources(mlir::Value value, const SymShape &shape);
  /// Creates the MLIR constant of an ImportedValue that has contents.
  mlir::FailureOr<mlir::Value> materialize(ImportedValue &value,
                                           llvm::StringRef name);
  /// Decodes an initializer's contents into `value.literal`.
  mlir::LogicalResult decodeLiteral(ImportedValue &value, llvm::StringRef name);
  /// Converts a graph input to a constant from `options.bindableInputs`.
  mlir::LogicalResult bindInput(llvm::StringRef name, ImportedValue &value);
  mlir::Value constantFromLiteral(const Literal &literal, mlir::Type element,
                                  llvm::StringRef name);
};

} // namespace qcc::onnx_import

#endif // QCC_LIB_IMPORT_ONNX_IMPORTERIMPL_H
