//===- TensorData.h - Decoding ONNX TensorProtos ----------------*- C++ -*-===//

#ifndef QCC_LIB_IMPORT_ONNX_TENSORDATA_H
#define QCC_LIB_IMPORT_ONNX_TENSORDATA_H

#include "mlir/IR/Types.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"

#include <onnx/onnx_pb.h>

#include <optional>
#include <string>
#include <vector>

namespace qcc::onnx_import {

/// Bytes per element of an ONNX data type in raw_data, or 0 if qcc does not
/// support the type.
size_t elementSize(int32_t dataType);

/// The MLIR element type of an ONNX data type (signless integers for signed
/// ONNX integers, `ui` types for unsigned, i1 for BOOL), or null.
mlir::Type elementType(mlir::MLIRContext &context, int32_t dataType);

/// The tensor's elements as packed little-endian bytes (BOOL: one byte per
/// element), from raw_data, the typed repeated fields or external data.
/// External data is read only from regular files whose real path (symbolic
/// links resolved) lies inside `baseDir` (no absolute paths, no ".."), and its
/// offset and length are checked against the opened file's size. An empty
/// `baseDir` refuses external data.
llvm::Expected<std::string> tensorBytes(const onnx::TensorProto &tensor,
                                        llvm::StringRef baseDir,
                                        int64_t maxElements);

/// Converts packed bytes of `dataType` to doubles (exact for every
/// supported type; int64 values beyond 2^53 are an error).
llvm::Expected<std::vector<double>> bytesToDoubles(int32_t dataType,
                                                   llvm::StringRef bytes);

/// The tensor's shape, checked: non-negative dims, element count within
/// `maxElements`.
llvm::Expected<std::vector<int64_t>> tensorShape(const onnx::TensorProto &tensor,
                                                 int64_t maxElements);

} // namespace qcc::onnx_import

#endif // QCC_LIB_IMPORT_ONNX_TENSORDATA_H
