//===- Npy.cpp - NumPy .npy and .npz reading and writing ------------------===//
//
// Format references: numpy/lib/format.py (NEP 1) for .npy; PKWARE's
// APPNOTE.TXT for the zip container of .npz (only stored members, with or
// without ZIP64 records, as Python's zipfile writes them for numpy.savez).
//
//===----------------------------------------------------------------------===//

#include "qcc/Support/Npy.h"

#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/ADT/StringSet.h"
#include "llvm/Support/CRC.h"
#include "llvm/Support/Endian.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/raw_ostream.h"

#include <cassert>
#include <cmath>
#include <cstring>
#include <iterator>
#include <limits>
#include <optional>

using namespace qcc;
using llvm::StringRef;
namespace endian = llvm::support::endian;

//===----------------------------------------------------------------------===//
// Helpers
//===----------------------------------------------------------------------===//

namespace {

/// What qcc knows of each dtype, indexed by NpyDType: its numpy name, the
/// little-endian descr numpy writes ("|" for one-byte types) and its size.
struct DTypeInfo {
  NpyDType dtype;
  const char *name;
  const char *descr;
  size_t size;
};
constexpr DTypeInfo kDTypes[] = {
    {NpyDType::Bool, "bool", "|b1", 1},
    {NpyDType::Int8, "int8", "|i1", 1},
    {NpyDType::Int16, "int16", "<i2", 2},
    {NpyDType::Int32, "int32", "<i4", 4},
    {NpyDType::Int64, "int64", "<i8", 8},
    {NpyDType::UInt8, "uint8", "|u1", 1},
    {NpyDType::UInt16, "uint16", "<u2", 2},
    {NpyDType::UInt32, "uint32", "<u4", 4},
    {NpyDType::UInt64, "uint64", "<u8", 8},
    {NpyDType::Float16, "float16", "<f2", 2},
    {NpyDType::Float32, "float32", "<f4", 4},
    {NpyDType::Float64, "float64", "<f8", 8},
};
constexpr bool inDTypeOrder() {
  for (size_t i = 0; i < std::size(kDTypes); ++i)
    if (static_cast<size_t>(kDTypes[i].dtype) != i)
      return false;
  return std::size(kDTypes) == static_cast<size_t>(NpyDType::Float64) + 1;
}
static_assert(inDTypeOrder(), "kDTypes needs one entry per NpyDType, in order");

const DTypeInfo &infoOf(NpyDType dtype) {
  return kDTypes[static_cast<size_t>(dtype)];
}

llvm::Error fail(StringRef name, const llvm::Twine &what) {
  return llvm::createStringError(llvm::inconvertibleErrorCode(),
                                 name + ": " + what);
}

/// `s` between quotes for an error message, unprintable bytes escaped and
/// long strings cut.
std::string quoted(StringRef s, size_t limit = 40) {
  std::string out = "'";
  for (char c : s.take_front(limit)) {
    if (llvm::isPrint(c))
      out += c;
    else
      out += "\\x" + llvm::utohexstr(static_cast<uint8_t>(c), true, 2);
  }
  if (s.size() > limit)
    out += "...";
  return out + "'";
}

constexpr char kMagic[] = "\x93NUMPY";
constexpr size_t kMagicLen = 6;
constexpr size_t kAlign = 64;

/// The number of elements of `shape`, or nothing if a dimension is negative
/// or the product does not fit int64_t.
std::optional<int64_t> checkedNumElements(llvm::ArrayRef<int64_t> shape) {
  int64_t n = 1;
  for (int64_t d : shape) {
    if (d < 0 || __builtin_mul_overflow(n, d, &n))
      return std::nullopt;
  }
  return n;
}

/// Why `array` cannot be written, or "" if it can.
std::string checkConsistent(const NpyArray &array) {
  for (int64_t d : array.shape)
    if (d < 0)
      return "negative dimension " + std::to_string(d) + " in the shape";
  std::optional<int64_t> n = checkedNumElements(array.shape);
  uint64_t bytes;
  if (!n || __builtin_mul_overflow(static_cast<uint64_t>(*n),
                                   NpyArray::elementSize(array.dtype), &bytes))
    return "the number of elements overflows";
  if (bytes != array.bytes.size())
    return "the shape needs " + std::to_string(bytes) + " bytes of " +
           npyDTypeName(array.dtype).str() + " data but the array holds " +
           std::to_string(array.bytes.size());
  return "";
}

//===----------------------------------------------------------------------===//
// float16
//===----------------------------------------------------------------------===//

double halfToDouble(uint16_t h) {
  bool negative = h & 0x8000;
  unsigned exponent = (h >> 10) & 0x1f;
  unsigned mantissa = h & 0x3ff;
  double magnitude;
  if (exponent == 0)
    magnitude = std::ldexp(static_cast<double>(mantissa), -24);
  else if (exponent == 0x1f)
    magnitude = mantissa ? std::numeric_limits<double>::quiet_NaN()
                         : std::numeric_limits<double>::infinity();
  else
    magnitude = std::ldexp(static_cast<double>(mantissa | 0x400),
                           static_cast<int>(exponent) - 25);
  return negative ? -magnitude : magnitude;
}

/// Round-to-nearest-even conversion, directly from double (no double
/// rounding through float).
uint16_t doubleToHalf(double d) {
  uint16_t sign = std::signbit(d) ? 0x8000 : 0;
  if (std::isnan(d))
    return sign | 0x7e00;
  double a = std::fabs(d);
  // 65520 is halfway between 65504 (the largest half, odd mantissa) and
  // 65536: it and everything above round to infinity.
  if (a >= 65520.0)
    return sign | 0x7c00;
  if (a < 0x1p-14) {
    // Subnormal (or zero): units of 2^-24. Scaling by a power of two is
    // exact; nearbyint rounds ties to even. 1024 is the smallest normal,
    // whose encoding is the same integer.
    return sign | static_cast<uint16_t>(std::nearbyint(a * 0x1p24));
  }
  int e; // a = m * 2^e, m in [0.5, 1)
  std::frexp(a, &e);
  int exponent = e - 1;                         // a in [2^x, 2^(x+1))
  double scaled = std::ldexp(a, 10 - exponent); // [1024, 2048)
  auto mantissa = static_cast<uint32_t>(std::nearbyint(scaled));
  if (mantissa == 2048) {
    mantissa = 1024;
    ++exponent;
  }
  if (exponent + 15 >= 0x1f)
    return sign | 0x7c00;
  return sign |
         static_cast<uint16_t>(((exponent + 15) << 10) | (mantissa - 1024));
}

template <typename T> T doubleToInt(double d) {
  if (std::isnan(d))
    return 0;
  double r = std::nearbyint(d);
  const double lo = static_cast<double>(std::numeric_limits<T>::min());
  const double hiExclusive = std::ldexp(1.0, std::numeric_limits<T>::digits);
  if (r < lo)
    return std::numeric_limits<T>::min();
  if (r >= hiExclusive)
    return std::numeric_limits<T>::max();
  return static_cast<T>(r);
}

//===----------------------------------------------------------------------===//
// .npy header dictionary
//===----------------------------------------------------------------------===//

struct Header {
  NpyDType dtype;
  bool fortranOrder;
  std::vector<int64_t> shape;
};

/// A parser for the Python literal numpy writes as the header, e.g.
///   {'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }
/// It accepts what ast.literal_eval would accept for such a dict (either
/// quote, any whitespace, trailing commas, Python 2's "3L") and nothing else.
class HeaderParser {
public:
  HeaderParser(StringRef text, StringRef name) : text(text), name(name) {}

  llvm::Expected<Header> parse() {
    Header header;
    bool haveDescr = false, haveFortran = false, haveShape = false;
    skipSpace();
    if (!consume('{'))
      return error("the header is not a dictionary");
    while (true) {
      skipSpace();
      if (consume('}'))
        break;
      std::string key;
      if (!parseString(key))
        return error("expected a quoted key in the header dictionary");
      skipSpace();
      if (!consume(':'))
        return error("expected ':' after key " + quoted(key));
      skipSpace();
      if (key == "descr") {
        if (haveDescr)
          return error("duplicate key 'descr'");
        haveDescr = true;
        if (peek() == '[')
          return error("structured dtypes (a list 'descr') are not supported");
        std::string descr;
        if (!parseString(descr))
          return error("'descr' is not a string");
        if (llvm::Error err = parseDescr(descr, header.dtype))
          return std::move(err);
      } else if (key == "fortran_order") {
        if (haveFortran)
          return error("duplicate key 'fortran_order'");
        haveFortran = true;
        if (consumeWord("True"))
          header.fortranOrder = true;
        else if (consumeWord("False"))
          header.fortranOrder = false;
        else
          return error("'fortran_order' is not True or False");
      } else if (key == "shape") {
        if (haveShape)
          return error("duplicate key 'shape'");
        haveShape = true;
        if (llvm::Error err = parseShape(header.shape))
          return std::move(err);
      } else {
        return error("unexpected key " + quoted(key) +
                     " in the header dictionary");
      }
      skipSpace();
      if (consume(','))
        continue;
      skipSpace();
      if (consume('}'))
        break;
      return error("expected ',' or '}' in the header dictionary");
    }
    skipSpace();
    if (pos != text.size())
      return error("unexpected text after the header dictionary");
    if (!haveDescr)
      return error("the header has no 'descr'");
    if (!haveFortran)
      return error("the header has no 'fortran_order'");
    if (!haveShape)
      return error("the header has no 'shape'");
    return header;
  }

private:
  StringRef text;
  StringRef name;
  size_t pos = 0;

  llvm::Error error(const llvm::Twine &what) {
    return fail(name, "malformed .npy header: " + what +
                          " (header: " + quoted(text.rtrim(), 160) + ")");
  }

  char peek() const { return pos < text.size() ? text[pos] : '\0'; }
  bool consume(char c) {
    if (peek() != c || pos >= text.size())
      return false;
    ++pos;
    return true;
  }
  bool consumeWord(StringRef word) {
    if (!text.substr(pos).starts_with(word))
      return false;
    size_t end = pos + word.size();
    if (end < text.size() && (llvm::isAlnum(text[end]) || text[end] == '_'))
      return false;
    pos = end;
    return true;
  }
  void skipSpace() {
    while (pos < text.size() && (text[pos] == ' ' || text[pos] == '\t' ||
                                 text[pos] == '\n' || text[pos] == '\r'))
      ++pos;
  }

  /// A '...' or "..." string without escapes.
  bool parseString(std::string &out) {
    char quote = peek();
    if (quote != '\'' && quote != '"')
      return false;
    size_t end = text.find(quote, pos + 1);
    if (end == StringRef::npos)
      return false;
    StringRef body = text.slice(pos + 1, end);
    if (body.contains('\\') || body.contains('\n'))
      return false;
    out = body.str();
    pos = end + 1;
    return true;
  }

  llvm::Error parseShape(std::vector<int64_t> &shape) {
    if (!consume('('))
      return error("'shape' is not a tuple");
    bool trailingComma = false;
    while (true) {
      skipSpace();
      if (consume(')'))
        break;
      if (!llvm::isDigit(peek()))
        return error("'shape' is not a tuple of non-negative integers");
      int64_t value = 0;
      while (llvm::isDigit(peek())) {
        if (__builtin_mul_overflow(value, 10, &value) ||
            __builtin_add_overflow(value, text[pos] - '0', &value))
          return error("a dimension in 'shape' is too large");
        ++pos;
      }
      if (peek() == 'L' || peek() == 'l')
        ++pos;
      shape.push_back(value);
      skipSpace();
      trailingComma = consume(',');
      if (!trailingComma) {
        skipSpace();
        if (!consume(')'))
          return error("expected ',' or ')' in 'shape'");
        break;
      }
    }
    if (shape.size() == 1 && !trailingComma)
      return error("'shape' is not a tuple (a one-element tuple needs a "
                   "trailing comma)");
    return llvm::Error::success();
  }

  llvm::Error parseDescr(StringRef descr, NpyDType &dtype) {
    if (descr.size() < 3)
      return unsupported(descr);
    char order = descr[0];
    StringRef kind = descr.drop_front();
    for (const DTypeInfo &k : kDTypes) {
      if (kind != StringRef(k.descr).drop_front())
        continue;
      bool oneByte = k.size == 1;
      switch (order) {
      case '<':
      case '=': // native order: qcc assumes a little-endian writer
        break;
      case '|':
        if (!oneByte)
          return unsupported(descr);
        break;
      case '>':
        if (!oneByte)
          return fail(name, "big-endian data (descr " + quoted(descr) +
                                ") is not supported: save it little-endian, "
                                "e.g. a.astype('<" +
                                kind.str() + "')");
        break;
      default:
        return unsupported(descr);
      }
      dtype = k.dtype;
      return llvm::Error::success();
    }
    return unsupported(descr);
  }

  llvm::Error unsupported(StringRef descr) {
    return fail(name, "unsupported dtype " + quoted(descr) +
                          ": qcc reads bool, int8-64, uint8-64 and "
                          "float16/32/64 arrays");
  }
};

/// Copies a Fortran-order (column-major) array into C order.
void fortranToC(const uint8_t *src, uint8_t *dst, llvm::ArrayRef<int64_t> shape,
                size_t elementSize, int64_t numElements) {
  size_t rank = shape.size();
  if (rank <= 1) {
    if (numElements > 0) // memcpy's pointers must not be null, even for 0
      std::memcpy(dst, src, numElements * elementSize);
    return;
  }
  std::vector<int64_t> stride(rank), index(rank, 0);
  int64_t s = 1;
  for (size_t k = 0; k < rank; ++k) {
    stride[k] = s;
    s *= shape[k];
  }
  int64_t offset = 0; // of the current C-order element in the source
  for (int64_t i = 0; i < numElements; ++i) {
    std::memcpy(dst + i * elementSize, src + offset * elementSize, elementSize);
    for (size_t k = rank; k-- > 0;) {
      if (++index[k] < shape[k]) {
        offset += stride[k];
        break;
      }
      offset -= stride[k] * (shape[k] - 1);
      index[k] = 0;
    }
  }
}

/// The header bytes (magic through the newline) of the .npy file for an
/// array of `dtype` and `shape`.
std::string npyHeader(NpyDType dtype, llvm::ArrayRef<int64_t> shape) {
  std::string dict = "{'descr': '" + npyDTypeDescr(dtype).str() +
                     "', 'fortran_order': False, 'shape': (";
  for (size_t i = 0; i < shape.size(); ++i) {
    if (i)
      dict += ", ";
    dict += std::to_string(shape[i]);
  }
  if (shape.size() == 1)
    dict += ",";
  dict += "), }";

  // Version 1.0 has a 2-byte header length, 2.0 a 4-byte one.
  size_t lengthBytes = 2;
  auto padded = [&] {
    size_t unpadded = kMagicLen + 2 + lengthBytes + dict.size() + 1;
    return dict.size() + 1 + (kAlign - unpadded % kAlign) % kAlign;
  };
  if (padded() > 0xffff)
    lengthBytes = 4;
  size_t headerLen = padded();

  std::string out(kMagic, kMagicLen);
  out += static_cast<char>(lengthBytes == 2 ? 1 : 2);
  out += '\0';
  char length[4];
  endian::write32le(length, static_cast<uint32_t>(headerLen));
  out.append(length, lengthBytes);
  out += dict;
  out.append(headerLen - dict.size() - 1, ' ');
  out += '\n';
  assert(out.size() % kAlign == 0);
  return out;
}

llvm::Expected<std::unique_ptr<llvm::MemoryBuffer>> openFile(StringRef path) {
  auto buffer = llvm::MemoryBuffer::getFileOrSTDIN(
      path, /*IsText=*/false, /*RequiresNullTerminator=*/false);
  if (!buffer)
    return fail(path, "cannot read: " + buffer.getError().message());
  return std::move(*buffer);
}

llvm::Error wrapWriteError(StringRef path, llvm::Error err) {
  if (!err)
    return llvm::Error::success();
  return fail(path, "cannot write: " + llvm::toString(std::move(err)));
}

} // namespace

//===----------------------------------------------------------------------===//
// NpyDType and NpyArray
//===----------------------------------------------------------------------===//

StringRef qcc::npyDTypeName(NpyDType dtype) {
  return infoOf(dtype).name;
}

StringRef qcc::npyDTypeDescr(NpyDType dtype) {
  return infoOf(dtype).descr;
}

std::optional<NpyDType> qcc::npyDTypeFromName(StringRef name) {
  for (const DTypeInfo &info : kDTypes)
    if (name == info.name)
      return info.dtype;
  return std::nullopt;
}

size_t NpyArray::elementSize(NpyDType dtype) {
  return infoOf(dtype).size;
}

int64_t NpyArray::numElements() const {
  return checkedNumElements(shape).value_or(-1);
}

std::vector<double> NpyArray::toDoubles() const {
  // Decode only whole elements that are present, whatever the shape says.
  size_t n = bytes.size() / elementSize(dtype);
  std::vector<double> out(n);
  const uint8_t *p = bytes.data();
  for (size_t i = 0; i < n; ++i) {
    double v = 0;
    switch (dtype) {
    case NpyDType::Bool:
      v = p[i] != 0;
      break;
    case NpyDType::Int8:
      v = static_cast<int8_t>(p[i]);
      break;
    case NpyDType::UInt8:
      v = p[i];
      break;
    case NpyDType::Int16:
      v = static_cast<int16_t>(endian::read16le(p + 2 * i));
      break;
    case NpyDType::UInt16:
      v = endian::read16le(p + 2 * i);
      break;
    case NpyDType::Float16:
      v = halfToDouble(endian::read16le(p + 2 * i));
      break;
    case NpyDType::Int32:
      v = static_cast<int32_t>(endian::read32le(p + 4 * i));
      break;
    case NpyDType::UInt32:
      v = endian::read32le(p + 4 * i);
      break;
    case NpyDType::Float32: {
      uint32_t bits = endian::read32le(p + 4 * i);
      float f;
      std::memcpy(&f, &bits, 4);
      v = f;
      break;
    }
    case NpyDType::Int64:
      v = static_cast<double>(
          static_cast<int64_t>(endian::read64le(p + 8 * i)));
      break;
    case NpyDType::UInt64:
      v = static_cast<double>(endian::read64le(p + 8 * i));
      break;
    case NpyDType::Float64: {
      uint64_t bits = endian::read64le(p + 8 * i);
      std::memcpy(&v, &bits, 8);
      break;
    }
    }
    out[i] = v;
  }
  return out;
}

NpyArray NpyArray::fromDoubles(NpyDType dtype, std::vector<int64_t> shape,
                               const std::vector<double> &values) {
  NpyArray array;
  array.dtype = dtype;
  array.shape = std::move(shape);
  std::optional<int64_t> count = checkedNumElements(array.shape);
  assert(count && static_cast<uint64_t>(*count) == values.size() &&
         "fromDoubles: values do not match the shape");
  size_t n = count ? static_cast<size_t>(*count) : 0;
  size_t es = elementSize(dtype);
  array.bytes.assign(n * es, 0);
  uint8_t *p = array.bytes.data();
  for (size_t i = 0; i < std::min(n, values.size()); ++i) {
    double d = values[i];
    switch (dtype) {
    case NpyDType::Bool:
      p[i] = d != 0;
      break; // NaN != 0: true
    case NpyDType::Int8:
      p[i] = static_cast<uint8_t>(doubleToInt<int8_t>(d));
      break;
    case NpyDType::UInt8:
      p[i] = doubleToInt<uint8_t>(d);
      break;
    case NpyDType::Int16:
      endian::write16le(p + 2 * i,
                        static_cast<uint16_t>(doubleToInt<int16_t>(d)));
      break;
    case NpyDType::UInt16:
      endian::write16le(p + 2 * i, doubleToInt<uint16_t>(d));
      break;
    case NpyDType::Float16:
      endian::write16le(p + 2 * i, doubleToHalf(d));
      break;
    case NpyDType::Int32:
      endian::write32le(p + 4 * i,
                        static_cast<uint32_t>(doubleToInt<int32_t>(d)));
      break;
    case NpyDType::UInt32:
      endian::write32le(p + 4 * i, doubleToInt<uint32_t>(d));
      break;
    case NpyDType::Float32: {
      float f = static_cast<float>(d);
      uint32_t bits;
      std::memcpy(&bits, &f, 4);
      endian::write32le(p + 4 * i, bits);
      break;
    }
    case NpyDType::Int64:
      endian::write64le(p + 8 * i,
                        static_cast<uint64_t>(doubleToInt<int64_t>(d)));
      break;
    case NpyDType::UInt64:
      endian::write64le(p + 8 * i, doubleToInt<uint64_t>(d));
      break;
    case NpyDType::Float64: {
      uint64_t bits;
      std::memcpy(&bits, &d, 8);
      endian::write64le(p + 8 * i, bits);
      break;
    }
    }
  }
  return array;
}

//===----------------------------------------------------------------------===//
// .npy
//===----------------------------------------------------------------------===//

llvm::Expected<NpyArray> qcc::parseNpy(StringRef contents, StringRef name) {
  if (!contents.starts_with(StringRef(kMagic, kMagicLen))) {
    if (StringRef(kMagic, kMagicLen).starts_with(contents))
      return fail(name, contents.empty()
                            ? "empty file, not a .npy file"
                            : "truncated .npy file (inside the magic string)");
    return fail(name, "not a .npy file (bad magic string " +
                          quoted(contents.take_front(kMagicLen)) +
                          ", expected '\\x93NUMPY')");
  }
  if (contents.size() < kMagicLen + 2)
    return fail(name, "truncated .npy file (no format version)");
  unsigned major = static_cast<uint8_t>(contents[kMagicLen]);
  unsigned minor = static_cast<uint8_t>(contents[kMagicLen + 1]);
  if (minor != 0 || major < 1 || major > 3)
    return fail(name, "unsupported .npy format version " + llvm::Twine(major) +
                          "." + llvm::Twine(minor) +
                          " (qcc reads 1.0, 2.0 and 3.0)");
  size_t lengthBytes = major == 1 ? 2 : 4;
  size_t lengthAt = kMagicLen + 2;
  if (contents.size() < lengthAt + lengthBytes)
    return fail(name, "truncated .npy file (no header length)");
  uint64_t headerLen = lengthBytes == 2
                           ? endian::read16le(contents.data() + lengthAt)
                           : endian::read32le(contents.data() + lengthAt);
  uint64_t dataAt = lengthAt + lengthBytes + headerLen;
  if (dataAt > contents.size())
    return fail(name,
                "truncated .npy file: the header is " + llvm::Twine(headerLen) +
                    " bytes but only " +
                    llvm::Twine(contents.size() - lengthAt - lengthBytes) +
                    " follow");
  StringRef headerText = contents.slice(lengthAt + lengthBytes, dataAt);

  llvm::Expected<Header> header = HeaderParser(headerText, name).parse();
  if (!header)
    return header.takeError();

  std::optional<int64_t> numElements = checkedNumElements(header->shape);
  size_t es = NpyArray::elementSize(header->dtype);
  uint64_t dataBytes = 0;
  if (!numElements || __builtin_mul_overflow(
                          static_cast<uint64_t>(*numElements), es, &dataBytes))
    return fail(name, "the number of elements of the shape overflows");
  uint64_t available = contents.size() - dataAt;
  if (dataBytes != available)
    return fail(name, llvm::Twine(available < dataBytes ? "truncated .npy "
                                                          "file: "
                                                        : "") +
                          "the shape needs " + llvm::Twine(dataBytes) +
                          " bytes of " + npyDTypeName(header->dtype) +
                          " data but the file has " + llvm::Twine(available) +
                          " after the header");

  NpyArray array;
  array.dtype = header->dtype;
  array.shape = std::move(header->shape);
  const auto *data =
      reinterpret_cast<const uint8_t *>(contents.data()) + dataAt;
  if (header->fortranOrder) {
    array.bytes.resize(dataBytes);
    fortranToC(data, array.bytes.data(), array.shape, es, *numElements);
  } else {
    array.bytes.assign(data, data + dataBytes);
  }
  return array;
}

llvm::Expected<NpyArray> qcc::readNpy(StringRef path) {
  auto buffer = openFile(path);
  if (!buffer)
    return buffer.takeError();
  return parseNpy((*buffer)->getBuffer(), path);
}

std::string qcc::serializeNpy(const NpyArray &array) {
  assert(checkConsistent(array).empty() && "serializeNpy: invalid array");
  std::string out = npyHeader(array.dtype, array.shape);
  out.append(reinterpret_cast<const char *>(array.bytes.data()),
             array.bytes.size());
  return out;
}

llvm::Error qcc::writeNpy(StringRef path, const NpyArray &array) {
  std::string why = checkConsistent(array);
  if (!why.empty())
    return fail(path, "cannot write an invalid array: " + why);
  std::string header = npyHeader(array.dtype, array.shape);
  return wrapWriteError(
      path, llvm::writeToOutput(path, [&](llvm::raw_ostream &os) {
        os << header;
        os.write(reinterpret_cast<const char *>(array.bytes.data()),
                 array.bytes.size());
        return llvm::Error::success();
      }));
}

//===----------------------------------------------------------------------===//
// .npz (zip)
//===----------------------------------------------------------------------===//

namespace {

constexpr uint32_t kLocalSig = 0x04034b50;
constexpr uint32_t kCentralSig = 0x02014b50;
constexpr uint32_t kEndSig = 0x06054b50;
constexpr uint32_t kEnd64Sig = 0x06064b50;
constexpr uint32_t kEnd64LocatorSig = 0x07064b50;
constexpr size_t kLocalSize = 30, kCentralSize = 46, kEndSize = 22,
                 kEnd64Size = 56, kEnd64LocatorSize = 20;
constexpr uint16_t kZip64ExtraId = 0x0001;
constexpr uint32_t kMax32 = 0xffffffff;
constexpr uint16_t kMax16 = 0xffff;

/// Bounds-checked little-endian reads from the archive.
struct Bytes {
  StringRef data;
  bool has(uint64_t offset, uint64_t size) const {
    return offset <= data.size() && size <= data.size() - offset;
  }
  uint16_t u16(uint64_t offset) const {
    return endian::read16le(data.data() + offset);
  }
  uint32_t u32(uint64_t offset) const {
    return endian::read32le(data.data() + offset);
  }
  uint64_t u64(uint64_t offset) const {
    return endian::read64le(data.data() + offset);
  }
};

} // namespace

llvm::Expected<NpzMembers> qcc::parseNpz(StringRef contents, StringRef name) {
  Bytes in{contents};
  auto bad = [&](const llvm::Twine &what) {
    return fail(name, "malformed .npz (zip) archive: " + what);
  };

  if (contents.size() < kEndSize) {
    if (contents.starts_with("\x93NUMPY"))
      return fail(name, "this is a .npy file, not a .npz archive");
    return bad("too short to be a zip file");
  }
  // The end of central directory record is the last 22 bytes, unless the
  // archive has a comment (at most 65535 bytes).
  uint64_t endAt = 0;
  bool foundEnd = false;
  uint64_t lowest = contents.size() > kEndSize + 0xffff
                        ? contents.size() - kEndSize - 0xffff
                        : 0;
  for (uint64_t at = contents.size() - kEndSize + 1; at-- > lowest;) {
    if (in.u32(at) == kEndSig &&
        at + kEndSize + in.u16(at + 20) <= contents.size()) {
      endAt = at;
      foundEnd = true;
      break;
    }
  }
  if (!foundEnd) {
    if (contents.starts_with("\x93NUMPY"))
      return fail(name, "this is a .npy file, not a .npz archive");
    return bad("no end of central directory record (not a zip file, or "
               "truncated)");
  }

  uint64_t disk = in.u16(endAt + 4), cdDisk = in.u16(endAt + 6);
  uint64_t entries = in.u16(endAt + 10);
  uint64_t cdSize = in.u32(endAt + 12), cdOffset = in.u32(endAt + 16);
  uint64_t cdLimit = endAt; // the central directory ends before this

  if (endAt >= kEnd64LocatorSize &&
      in.u32(endAt - kEnd64LocatorSize) == kEnd64LocatorSig) {
    uint64_t locatorAt = endAt - kEnd64LocatorSize;
    uint64_t end64At = in.u64(locatorAt + 8);
    if (end64At > locatorAt || !in.has(end64At, kEnd64Size) ||
        in.u32(end64At) != kEnd64Sig)
      return bad("bad ZIP64 end of central directory record");
    disk = in.u32(end64At + 16);
    cdDisk = in.u32(end64At + 20);
    entries = in.u64(end64At + 32);
    cdSize = in.u64(end64At + 40);
    cdOffset = in.u64(end64At + 48);
    cdLimit = end64At;
  }
  if (disk != 0 || cdDisk != 0)
    return bad("multi-disk archives are not supported");
  if (cdOffset > cdLimit || cdSize > cdLimit - cdOffset)
    return bad("the central directory lies outside the file");
  if (entries > cdSize / kCentralSize)
    return bad("the central directory is too small for " +
               llvm::Twine(entries) + " entries");

  NpzMembers members;
  uint64_t at = cdOffset;
  const uint64_t cdEnd = cdOffset + cdSize;
  for (uint64_t i = 0; i < entries; ++i) {
    if (at > cdEnd || cdEnd - at < kCentralSize || in.u32(at) != kCentralSig)
      return bad("bad central directory entry " + llvm::Twine(i));
    uint16_t flags = in.u16(at + 8);
    uint16_t method = in.u16(at + 10);
    uint32_t crc = in.u32(at + 16);
    uint64_t compressedSize = in.u32(at + 20);
    uint64_t size = in.u32(at + 24);
    uint64_t nameLen = in.u16(at + 28), extraLen = in.u16(at + 30),
             commentLen = in.u16(at + 32);
    uint64_t startDisk = in.u16(at + 34);
    uint64_t localAt = in.u32(at + 42);
    uint64_t variable = nameLen + extraLen + commentLen;
    if (cdEnd - at - kCentralSize < variable)
      return bad("central directory entry " + llvm::Twine(i) +
                 " overruns the central directory");
    std::string memberName = contents.substr(at + kCentralSize, nameLen).str();
    StringRef extra = contents.substr(at + kCentralSize + nameLen, extraLen);
    at += kCentralSize + variable;

    // ZIP64: the 32-bit fields that are 0xffffffff are in the extra field,
    // in this order.
    for (size_t e = 0; e + 4 <= extra.size();) {
      uint16_t id = endian::read16le(extra.data() + e);
      size_t len = endian::read16le(extra.data() + e + 2);
      if (len > extra.size() - e - 4)
        return bad("bad extra field of member " + quoted(memberName));
      if (id == kZip64ExtraId) {
        StringRef field = extra.substr(e + 4, len);
        size_t f = 0;
        for (uint64_t *value : {&size, &compressedSize, &localAt}) {
          if (*value != kMax32)
            continue;
          if (f + 8 > field.size())
            return bad("short ZIP64 extra field of member " +
                       quoted(memberName));
          *value = endian::read64le(field.data() + f);
          f += 8;
        }
        if (startDisk == kMax16 && f + 4 <= field.size())
          startDisk = endian::read32le(field.data() + f);
      }
      e += 4 + len;
    }

    std::string where = (name + ": member " + quoted(memberName)).str();
    if (startDisk != 0)
      return bad("multi-disk archives are not supported");
    if (flags & 0x1)
      return fail(where, "encrypted zip members are not supported");
    if (method == 8)
      return fail(where,
                  "the member is deflate-compressed (numpy.savez_compressed); "
                  "qcc reads only uncompressed archives: save with "
                  "numpy.savez");
    if (method != 0)
      return fail(where, "unsupported zip compression method " +
                             llvm::Twine(method) +
                             "; qcc reads only uncompressed archives: save "
                             "with numpy.savez");
    if (compressedSize != size)
      return bad("stored member " + quoted(memberName) +
                 " has different compressed and uncompressed sizes");

    if (!in.has(localAt, kLocalSize) || in.u32(localAt) != kLocalSig)
      return bad("bad local header of member " + quoted(memberName));
    uint64_t dataAt =
        localAt + kLocalSize + in.u16(localAt + 26) + in.u16(localAt + 28);
    if (!in.has(dataAt, size))
      return fail(where, "truncated archive: the member's " +
                             llvm::Twine(size) +
                             " bytes of data lie outside the file");
    StringRef data = contents.substr(dataAt, size);
    uint32_t actualCrc = llvm::crc32(llvm::arrayRefFromStringRef(data));
    if (actualCrc != crc)
      return fail(where, "CRC-32 mismatch (the archive is corrupt)");

    llvm::Expected<NpyArray> array = parseNpy(data, where);
    if (!array)
      return array.takeError();
    StringRef key = memberName;
    key.consume_back(".npy");
    members.emplace_back(key.str(), std::move(*array));
  }
  return members;
}

llvm::Expected<NpzMembers> qcc::readNpz(StringRef path) {
  auto buffer = openFile(path);
  if (!buffer)
    return buffer.takeError();
  return parseNpz((*buffer)->getBuffer(), path);
}

namespace {

std::string checkMembers(const NpzMembers &members) {
  llvm::StringSet<> names;
  for (const auto &[memberName, array] : members) {
    if (memberName.empty())
      return "a member has an empty name";
    if (memberName.size() + 4 > 0xffff)
      return "member name too long";
    if (!names.insert(memberName).second)
      return "duplicate member name " + quoted(memberName);
    std::string why = checkConsistent(array);
    if (!why.empty())
      return "member " + quoted(memberName) + ": " + why;
  }
  return "";
}

void put16(std::string &s, uint16_t v) {
  char b[2];
  endian::write16le(b, v);
  s.append(b, 2);
}
void put32(std::string &s, uint32_t v) {
  char b[4];
  endian::write32le(b, v);
  s.append(b, 4);
}
void put64(std::string &s, uint64_t v) {
  char b[8];
  endian::write64le(b, v);
  s.append(b, 8);
}

void writeNpzTo(llvm::raw_ostream &os, const NpzMembers &members,
                bool forceZip64) {
  // A fixed timestamp (1980-01-01 00:00, the DOS epoch) keeps the output
  // reproducible.
  constexpr uint16_t kTime = 0, kDate = (1 << 5) | 1;
  std::string central;
  uint64_t offset = 0;
  for (const auto &[memberName, array] : members) {
    std::string fileName = memberName + ".npy";
    std::string header = npyHeader(array.dtype, array.shape);
    uint64_t size = header.size() + array.bytes.size();
    // (Empty data must not reach llvm::crc32: with zlib, a null pointer
    // resets the running CRC to 0.)
    uint32_t crc = llvm::crc32(llvm::arrayRefFromStringRef(header));
    if (!array.bytes.empty())
      crc = llvm::crc32(crc, array.bytes);
    bool localZip64 = forceZip64 || size >= kMax32;
    bool centralZip64 = localZip64 || offset >= kMax32;
    uint16_t flags =
        llvm::any_of(fileName, [](char c) { return c & 0x80; }) ? 0x800 : 0;

    std::string local;
    put32(local, kLocalSig);
    put16(local, localZip64 ? 45 : 20); // version needed to extract
    put16(local, flags);
    put16(local, 0); // stored
    put16(local, kTime);
    put16(local, kDate);
    put32(local, crc);
    put32(local, localZip64 ? kMax32 : size);
    put32(local, localZip64 ? kMax32 : size);
    put16(local, fileName.size());
    put16(local, localZip64 ? 20 : 0);
    local += fileName;
    if (localZip64) {
      put16(local, kZip64ExtraId);
      put16(local, 16);
      put64(local, size);
      put64(local, size);
    }

    put32(central, kCentralSig);
    put16(central, centralZip64 ? 45 : 20); // version made by (MS-DOS)
    put16(central, centralZip64 ? 45 : 20); // version needed
    put16(central, flags);
    put16(central, 0);
    put16(central, kTime);
    put16(central, kDate);
    put32(central, crc);
    put32(central, centralZip64 ? kMax32 : size);
    put32(central, centralZip64 ? kMax32 : size);
    put16(central, fileName.size());
    put16(central, centralZip64 ? 28 : 0);
    put16(central, 0); // comment
    put16(central, 0); // disk
    put16(central, 0); // internal attributes
    put32(central, 0); // external attributes
    put32(central, centralZip64 ? kMax32 : offset);
    central += fileName;
    if (centralZip64) {
      put16(central, kZip64ExtraId);
      put16(central, 24);
      put64(central, size);
      put64(central, size);
      put64(central, offset);
    }

    os << local << header;
    os.write(reinterpret_cast<const char *>(array.bytes.data()),
             array.bytes.size());
    offset += local.size() + size;
  }

  uint64_t cdOffset = offset, cdSize = central.size(), count = members.size();
  bool zip64 =
      forceZip64 || count >= kMax16 || cdSize >= kMax32 || cdOffset >= kMax32;
  std::string end;
  if (zip64) {
    uint64_t end64At = cdOffset + cdSize;
    put32(end, kEnd64Sig);
    put64(end, kEnd64Size - 12);
    put16(end, 45);
    put16(end, 45);
    put32(end, 0);
    put32(end, 0);
    put64(end, count);
    put64(end, count);
    put64(end, cdSize);
    put64(end, cdOffset);
    put32(end, kEnd64LocatorSig);
    put32(end, 0);
    put64(end, end64At);
    put32(end, 1);
  }
  put32(end, kEndSig);
  put16(end, 0);
  put16(end, 0);
  put16(end, zip64 ? kMax16 : count);
  put16(end, zip64 ? kMax16 : count);
  put32(end, zip64 ? kMax32 : cdSize);
  put32(end, zip64 ? kMax32 : cdOffset);
  put16(end, 0); // comment
  os << central << end;
}

} // namespace

std::string qcc::serializeNpz(const NpzMembers &members, bool forceZip64) {
  assert(checkMembers(members).empty() && "serializeNpz: invalid members");
  std::string out;
  llvm::raw_string_ostream os(out);
  writeNpzTo(os, members, forceZip64);
  os.flush();
  return out;
}

llvm::Error qcc::writeNpz(StringRef path, const NpzMembers &members) {
  std::string why = checkMembers(members);
  if (!why.empty())
    return fail(path, "cannot write the archive: " + why);
  return wrapWriteError(path,
                        llvm::writeToOutput(path, [&](llvm::raw_ostream &os) {
                          writeNpzTo(os, members, /*forceZip64=*/false);
                          return llvm::Error::success();
                        }));
}
