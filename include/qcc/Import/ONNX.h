//===- ONNX.h - ONNX model importer -----------------------------*- C++ -*-===//
//
// Reads an ONNX model (the real protobuf schema, opsets 7 to 21 for the ops
// of docs/onnx-support.md) into qcc's float graph IR: one `func.func @main`
// whose arguments and results carry their ONNX names (`onnx.name`), with
// qc graph ops, weights as `dense_resource` constants, static shapes where
// known and dynamic dimensions where the model has symbolic ones.
//
//===----------------------------------------------------------------------===//

#ifndef QCC_IMPORT_ONNX_H
#define QCC_IMPORT_ONNX_H

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/OwningOpRef.h"
#include "llvm/Support/Error.h"

#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace mlir {
class MLIRContext;
} // namespace mlir

namespace qcc {

/// The highest default-domain opset the importer knows.
constexpr int64_t kMaxONNXOpset = 21;

struct ONNXImportOptions {
  /// Graph inputs the importer may replace by constants where an operand
  /// must be constant (a shape, axes, pads, a scale, ...): name ->
  /// serialized TensorProto. Used by the conformance runner, whose node
  /// tests feed such operands as graph inputs.
  std::map<std::string, std::string> bindableInputs;
  /// Largest element count accepted for any tensor (guards absurd dims).
  int64_t maxElements = int64_t{1} << 33;
};

struct ONNXImportResult {
  mlir::OwningOpRef<mlir::ModuleOp> module;
  /// The bindable inputs that were turned into constants (and removed from
  /// @main's arguments).
  std::vector<std::string> boundInputs;
};

/// Imports the model at `path`. Errors name the file, and for node errors
/// the node name, op type and opset.
llvm::Expected<ONNXImportResult>
importONNXModel(mlir::MLIRContext &context, llvm::StringRef path,
                const ONNXImportOptions &options = {});

/// Registers the dialects the importer's output uses.
void registerONNXImportDialects(mlir::MLIRContext &context);

/// A decoded ONNX TensorProto: its ONNX data type, shape and values (every
/// element converted exactly to double; int64 beyond 2^53 is rejected).
struct ONNXTensor {
  std::string name;
  int32_t dataType = 0;
  std::vector<int64_t> shape;
  std::vector<double> values;
};

/// Decodes a serialized TensorProto (e.g. a backend test's input_0.pb).
llvm::Expected<ONNXTensor> parseONNXTensor(llvm::StringRef serialized,
                                           llvm::StringRef nameForErrors);

/// The ONNX name of an ONNX TensorProto data type ("FLOAT", "UINT8", ...).
llvm::StringRef onnxDataTypeName(int32_t dataType);

/// An ONNX op the importer converts: its since-versions up to opset 21 and
/// those qcc supports.
struct ONNXOpSupport {
  std::string name;
  std::vector<int64_t> supportedVersions, allVersions;
};

/// Every op the importer converts (its own table), sorted by name.
std::vector<ONNXOpSupport> getONNXOpSupport();

} // namespace qcc

#endif // QCC_IMPORT_ONNX_H
