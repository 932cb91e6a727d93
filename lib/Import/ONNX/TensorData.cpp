//===- TensorData.cpp - Decoding ONNX TensorProtos ------------------------===//

#include "TensorData.h"

#include "qcc/Import/ONNX.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/MLIRContext.h"
#include "llvm/ADT/APFloat.h"
#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/ScopeExit.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <unistd.h>

using namespace qcc;
using namespace qcc::onnx_import;
using onnx::TensorProto;

static llvm::Error makeError(const llvm::Twine &message) {
  return llvm::createStringError(llvm::inconvertibleErrorCode(), message);
}

llvm::StringRef qcc::onnxDataTypeName(int32_t dataType) {
  if (TensorProto::DataType_IsValid(dataType))
    return TensorProto::DataType_Name(
        static_cast<TensorProto::DataType>(dataType));
  return "UNKNOWN";
}

size_t qcc::onnx_import::elementSize(int32_t dataType) {
  switch (dataType) {
  case TensorProto::FLOAT:
  case TensorProto::INT32:
  case TensorProto::UINT32:
    return 4;
  case TensorProto::DOUBLE:
  case TensorProto::INT64:
  case TensorProto::UINT64:
    return 8;
  case TensorProto::FLOAT16:
  case TensorProto::BFLOAT16:
  case TensorProto::INT16:
  case TensorProto::UINT16:
    return 2;
  case TensorProto::INT8:
  case TensorProto::UINT8:
  case TensorProto::BOOL:
    return 1;
  default:
    return 0;
  }
}

mlir::Type qcc::onnx_import::elementType(mlir::MLIRContext &context,
                                         int32_t dataType) {
  mlir::Builder b(&context);
  auto unsignedInt = [&](unsigned width) {
    return mlir::IntegerType::get(&context, width,
                                  mlir::IntegerType::Unsigned);
  };
  switch (dataType) {
  case TensorProto::FLOAT:
    return b.getF32Type();
  case TensorProto::DOUBLE:
    return b.getF64Type();
  case TensorProto::FLOAT16:
    return b.getF16Type();
  case TensorProto::BFLOAT16:
    return b.getBF16Type();
  case TensorProto::INT8:
    return b.getI8Type();
  case TensorProto::INT16:
    return b.getI16Type();
  case TensorProto::INT32:
    return b.getI32Type();
  case TensorProto::INT64:
    return b.getI64Type();
  case TensorProto::UINT8:
    return unsignedInt(8);
  case TensorProto::UINT16:
    return unsignedInt(16);
  case TensorProto::UINT32:
    return unsignedInt(32);
  case TensorProto::UINT64:
    return unsignedInt(64);
  case TensorProto::BOOL:
    return b.getI1Type();
  default:
    return {};
  }
}

llvm::Expected<std::vector<int64_t>>
qcc::onnx_import::tensorShape(const TensorProto &tensor, int64_t maxElements) {
  std::vector<int64_t> shape(tensor.dims().begin(), tensor.dims().end());
  int64_t count = 1;
  for (int64_t d : shape) {
    if (d < 0)
      return makeError("tensor '" + tensor.name() + "' has a negative dimension " +
                       llvm::Twine(d));
    if (d != 0 && count > maxElements / d)
      return makeError("tensor '" + tensor.name() +
                       "' has more elements than the limit of " +
                       llvm::Twine(maxElements));
    count *= d;
  }
  return shape;
}

/// Reads `length` bytes at `offset` of `location`, a file inside `baseDir`.
static llvm::Expected<std::string> readExternalData(const TensorProto &tensor,
                                                    llvm::StringRef baseDir,
                                                    size_t expectedBytes) {
  std::string location;
  int64_t offset = 0, length = -1;
  for (const auto &entry : tensor.external_data()) {
    if (entry.key() == "location")
      location = entry.value();
    else if (entry.key() == "offset" || entry.key() == "length") {
      long long v;
      if (llvm::StringRef(entry.value()).getAsInteger(10, v) || v < 0)
        return makeError("tensor '" + tensor.name() + "': invalid external " +
                         entry.key() + " '" + entry.value() + "'");
      (entry.key() == "offset" ? offset : length) = v;
    }
  }
  const std::string what = "tensor '" + tensor.name() + "': external data '" +
                           location + "'";
  if (location.empty())
    return makeError("tensor '" + tensor.name() +
                     "': external data without a location");
  if (llvm::sys::path::is_absolute(location))
    return makeError(what + " is an absolute path; only files inside the "
                            "model's directory are read");
  for (llvm::StringRef part : llvm::make_range(
           llvm::sys::path::begin(location), llvm::sys::path::end(location)))
    if (part == "..")
      return makeError(what + " leaves the model's directory ('..')");
  // Resolve symlinks before the containment check: a link inside the model's
  // directory may point anywhere (e.g. weights.bin -> /etc/shadow).
  llvm::SmallString<256> realBase, path(baseDir), realPath;
  llvm::sys::path::append(path, location);
  if (baseDir.empty())
    return makeError(what + ": external data is only read for a model file");
  if (llvm::sys::fs::real_path(baseDir, realBase))
    return makeError(what + ": the model's directory '" + baseDir +
                     "' cannot be resolved");
  if (!llvm::sys::path::is_separator(realBase.back()))
    realBase += llvm::sys::path::get_separator();
  if (std::error_code ec = llvm::sys::fs::real_path(path, realPath))
    return makeError(what + " cannot be read (" + path + "): " + ec.message());
  llvm::StringRef inside = realPath.str();
  if (!inside.consume_front(realBase) || inside.empty())
    return makeError(what + " resolves to '" + realPath +
                     "', outside the model's directory '" + realBase +
                     "' (symbolic link?)");
  // Check the type and size on the opened descriptor, not the name, so that
  // the file cannot be swapped between the check and the read.
  // O_NONBLOCK: opening a FIFO must not hang the importer before its type is
  // seen. O_NOFOLLOW: the resolved path has no link left to follow.
  const int fd = ::open(realPath.c_str(), O_RDONLY | O_NONBLOCK | O_NOFOLLOW |
                                              O_CLOEXEC);
  if (fd < 0)
    return makeError(what + " cannot be read (" + realPath +
                     "): " + std::strerror(errno));
  llvm::scope_exit closeFd([&] { ::close(fd); });
  llvm::sys::fs::file_status status;
  if (std::error_code ec = llvm::sys::fs::status(fd, status))
    return makeError(what + " cannot be read: " + ec.message());
  if (status.type() != llvm::sys::fs::file_type::regular_file)
    return makeError(what + " is not a regular file (a device, FIFO, socket "
                            "or directory); only regular files are read");
  const uint64_t fileSize = status.getSize();
  if (length < 0)
    length = static_cast<int64_t>(fileSize) - offset;
  if (static_cast<uint64_t>(offset) > fileSize ||
      static_cast<uint64_t>(length) > fileSize - offset)
    return makeError(what + ": offset " + llvm::Twine(offset) + " + length " +
                     llvm::Twine(length) + " exceeds the file size " +
                     llvm::Twine(fileSize));
  if (static_cast<size_t>(length) != expectedBytes)
    return makeError(what + " holds " + llvm::Twine(length) +
                     " bytes but the tensor needs " +
                     llvm::Twine(expectedBytes));
  auto buffer = llvm::MemoryBuffer::getOpenFileSlice(fd, realPath, length,
                                                     offset);
  if (!buffer)
    return makeError(what + " cannot be read: " + buffer.getError().message());
  return (*buffer)->getBuffer().str();
}

template <typename T>
static void appendLittleEndian(std::string &out, T value) {
  char bytes[sizeof(T)];
  std::memcpy(bytes, &value, sizeof(T)); // x86-64 and AArch64 are little-endian.
  out.append(bytes, sizeof(T));
}

llvm::Expected<std::string>
qcc::onnx_import::tensorBytes(const TensorProto &tensor,
                              llvm::StringRef baseDir, int64_t maxElements) {
  const int32_t type = tensor.data_type();
  const size_t size = elementSize(type);
  if (size == 0)
    return makeError("tensor '" + tensor.name() + "' has unsupported data type " +
                     onnxDataTypeName(type));
  auto shape = tensorShape(tensor, maxElements);
  if (!shape)
    return shape.takeError();
  int64_t count = 1;
  for (int64_t d : *shape)
    count *= d;
  const size_t expectedBytes = static_cast<size_t>(count) * size;

  if (tensor.data_location() == TensorProto::EXTERNAL)
    return readExternalData(tensor, baseDir, expectedBytes);
  if (tensor.has_raw_data()) {
    if (tensor.raw_data().size() != expectedBytes)
      return makeError("tensor '" + tensor.name() + "' has " +
                       llvm::Twine(tensor.raw_data().size()) +
                       " bytes of raw data but its shape needs " +
                       llvm::Twine(expectedBytes));
    return tensor.raw_data();
  }

  std::string out;
  out.reserve(expectedBytes);
  auto checkCount = [&](int64_t have) -> llvm::Error {
    if (have != count)
      return makeError("tensor '" + tensor.name() + "' has " +
                       llvm::Twine(have) + " values but its shape needs " +
                       llvm::Twine(count));
    return llvm::Error::success();
  };
  switch (type) {
  case TensorProto::FLOAT:
    if (auto e = checkCount(tensor.float_data_size()))
      return std::move(e);
    for (float v : tensor.float_data())
      appendLittleEndian(out, v);
    break;
  case TensorProto::DOUBLE:
    if (auto e = checkCount(tensor.double_data_size()))
      return std::move(e);
    for (double v : tensor.double_data())
      appendLittleEndian(out, v);
    break;
  case TensorProto::INT64:
    if (auto e = checkCount(tensor.int64_data_size()))
      return std::move(e);
    for (int64_t v : tensor.int64_data())
      appendLittleEndian(out, v);
    break;
  case TensorProto::UINT32:
  case TensorProto::UINT64:
    if (auto e = checkCount(tensor.uint64_data_size()))
      return std::move(e);
    for (uint64_t v : tensor.uint64_data()) {
      if (type == TensorProto::UINT32)
        appendLittleEndian(out, static_cast<uint32_t>(v));
      else
        appendLittleEndian(out, v);
    }
    break;
  default: // Narrow types live in int32_data, one element per entry.
    if (auto e = checkCount(tensor.int32_data_size()))
      return std::move(e);
    for (int32_t v : tensor.int32_data()) {
      switch (size) {
      case 1:
        out.push_back(static_cast<char>(v));
        break;
      case 2:
        appendLittleEndian(out, static_cast<uint16_t>(v));
        break;
      default:
        appendLittleEndian(out, v);
      }
    }
  }
  return out;
}

template <typename T> static T loadLittleEndian(const char *p) {
  T value;
  std::memcpy(&value, p, sizeof(T));
  return value;
}

llvm::Expected<std::vector<double>>
qcc::onnx_import::bytesToDoubles(int32_t type, llvm::StringRef bytes) {
  const size_t size = elementSize(type);
  if (size == 0 || bytes.size() % size != 0)
    return makeError("cannot decode " + llvm::Twine(bytes.size()) +
                     " bytes as " + onnxDataTypeName(type));
  std::vector<double> values(bytes.size() / size);
  const char *p = bytes.data();
  for (size_t i = 0; i < values.size(); ++i, p += size) {
    switch (type) {
    case TensorProto::FLOAT:
      values[i] = loadLittleEndian<float>(p);
      break;
    case TensorProto::DOUBLE:
      values[i] = loadLittleEndian<double>(p);
      break;
    case TensorProto::FLOAT16:
    case TensorProto::BFLOAT16: {
      llvm::APFloat f(type == TensorProto::FLOAT16 ? llvm::APFloat::IEEEhalf()
                                                   : llvm::APFloat::BFloat(),
                      llvm::APInt(16, loadLittleEndian<uint16_t>(p)));
      bool losesInfo;
      f.convert(llvm::APFloat::IEEEdouble(),
                llvm::APFloat::rmNearestTiesToEven, &losesInfo);
      values[i] = f.convertToDouble();
      break;
    }
    case TensorProto::INT8:
      values[i] = loadLittleEndian<int8_t>(p);
      break;
    case TensorProto::UINT8:
    case TensorProto::BOOL:
      values[i] = loadLittleEndian<uint8_t>(p);
      break;
    case TensorProto::INT16:
      values[i] = loadLittleEndian<int16_t>(p);
      break;
    case TensorProto::UINT16:
      values[i] = loadLittleEndian<uint16_t>(p);
      break;
    case TensorProto::INT32:
      values[i] = loadLittleEndian<int32_t>(p);
      break;
    case TensorProto::UINT32:
      values[i] = loadLittleEndian<uint32_t>(p);
      break;
    case TensorProto::INT64:
    case TensorProto::UINT64: {
      const int64_t v = loadLittleEndian<int64_t>(p);
      const bool isUnsigned = type == TensorProto::UINT64;
      if ((isUnsigned && static_cast<uint64_t>(v) > (uint64_t{1} << 53)) ||
          (!isUnsigned && (v > (int64_t{1} << 53) || v < -(int64_t{1} << 53)))) {
        // INT64_MAX / INT64_MIN are ONNX's "to the end" markers (Slice): keep
        // them representable as +-2^63 rather than failing.
        if (!isUnsigned && (v == INT64_MAX || v == INT64_MIN)) {
          values[i] = static_cast<double>(v);
          break;
        }
        return makeError("integer value " + llvm::Twine(v) +
                         " exceeds 2^53 and cannot be represented exactly");
      }
      values[i] = isUnsigned ? static_cast<double>(static_cast<uint64_t>(v))
                             : static_cast<double>(v);
      break;
    }
    }
  }
  return values;
}

llvm::Expected<ONNXTensor> qcc::parseONNXTensor(llvm::StringRef serialized,
                                                llvm::StringRef nameForErrors) {
  TensorProto proto;
  if (serialized.size() > static_cast<size_t>(INT32_MAX) ||
      !proto.ParseFromArray(serialized.data(),
                            static_cast<int>(serialized.size())))
    return makeError(nameForErrors +
                     ": not a valid TensorProto (truncated or corrupted)");
  auto bytes = onnx_import::tensorBytes(proto, "", int64_t{1} << 33);
  if (!bytes)
    return makeError(nameForErrors + ": " + llvm::toString(bytes.takeError()));
  auto values = onnx_import::bytesToDoubles(proto.data_type(), *bytes);
  if (!values)
    return makeError(nameForErrors + ": " + llvm::toString(values.takeError()));
  ONNXTensor tensor;
  tensor.name = proto.name();
  tensor.dataType = proto.data_type();
  tensor.shape.assign(proto.dims().begin(), proto.dims().end());
  tensor.values = std::move(*values);
  return tensor;
}
