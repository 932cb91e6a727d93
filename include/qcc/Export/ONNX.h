//===- ONNX.h - ONNX model exporter -----------------------------*- C++ -*-===//

#ifndef QCC_EXPORT_ONNX_H
#define QCC_EXPORT_ONNX_H

#include "mlir/IR/BuiltinOps.h"
#include "llvm/Support/Error.h"

namespace qcc {

/// The opset of exported models.
constexpr int64_t kExportOpset = 17;

/// Writes @main (float or QDQ-quantized graph IR) as an ONNX model at
/// `path`. Quantized values become their integer storage tensors with
/// QuantizeLinear/DequantizeLinear (per axis where the type is); sub-byte
/// integer weights are stored in int8 tensors. Ops without an ONNX
/// equivalent in the exporter are an error naming the op.
llvm::Error exportONNXModel(mlir::ModuleOp module, llvm::StringRef path);

} // namespace qcc

#endif // QCC_EXPORT_ONNX_H
