//===- Npy.h - NumPy .npy and .npz reading and writing ----------*- C++ -*-===//
//
// Arrays move between qcc and Python as NumPy files: `qcc run --input X.npy
// -o Y.npy`, calibration sets, reference outputs.
//
// Reading accepts what numpy.save / numpy.savez write:
//   - format versions 1.0, 2.0 and 3.0;
//   - descr '|b1', '|i1', '|u1', '<i2', '<i4', '<i8', '<u2', '<u4', '<u8',
//     '<f2', '<f4', '<f8' (and the '=' native-order and '<'/'>' spellings of
//     the one-byte types); big-endian ('>') multi-byte data, structured,
//     complex, string, object and datetime dtypes are rejected;
//   - 'fortran_order': True is accepted: the data is transposed on reading,
//     so an NpyArray is always in C (row-major) order;
//   - .npz archives of stored (uncompressed) members, ZIP64 included, as
//     numpy.savez writes them. Deflated members (numpy.savez_compressed) are
//     rejected with a message saying to use numpy.savez.
// Every malformed, truncated or inconsistent input is an llvm::Error whose
// message names the file and the problem; nothing is allocated from a size
// in a header before the data has been found to be there.
//
// Writing produces format 1.0 (2.0 when the header needs it), the header
// padded so that the data starts on a 64-byte boundary, like numpy. .npz
// archives are plain stored zips with CRC-32s; ZIP64 records are added only
// when a size, an offset or the member count needs them.
//
//===----------------------------------------------------------------------===//

#ifndef QCC_SUPPORT_NPY_H
#define QCC_SUPPORT_NPY_H

#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace qcc {

enum class NpyDType {
  Bool,
  Int8,
  Int16,
  Int32,
  Int64,
  UInt8,
  UInt16,
  UInt32,
  UInt64,
  Float16,
  Float32,
  Float64
};

/// The numpy name of `dtype`: "bool", "int8", ..., "float64".
llvm::StringRef npyDTypeName(NpyDType dtype);
/// The little-endian descr numpy writes for `dtype`: "|b1", "<f4", ...
llvm::StringRef npyDTypeDescr(NpyDType dtype);
/// The dtype of a numpy name ("bool", "int8", ..., "float64"), if any.
std::optional<NpyDType> npyDTypeFromName(llvm::StringRef name);

struct NpyArray {
  NpyDType dtype = NpyDType::Float32;
  std::vector<int64_t> shape; // () for a scalar
  std::vector<uint8_t> bytes; // little-endian, C (row-major) order

  /// The product of the dimensions (1 for a scalar); -1 if a dimension is
  /// negative or the product overflows int64_t.
  int64_t numElements() const;
  static size_t elementSize(NpyDType dtype);

  /// Every element as a double: integers converted (int64/uint64 values
  /// beyond 2^53 round), float16 decoded exactly, bool as 0 or 1.
  std::vector<double> toDoubles() const;

  /// An array of `dtype` and `shape` holding `values` (which must have
  /// numElements(shape) entries) converted to `dtype`:
  ///   - float16/float32: round-to-nearest-even (overflow to +-inf, NaN kept);
  ///   - integers: rounded to nearest, ties to even, then saturated to the
  ///     type's range; NaN becomes 0;
  ///   - bool: any non-zero value (NaN included) is true, as in numpy.
  static NpyArray fromDoubles(NpyDType dtype, std::vector<int64_t> shape,
                              const std::vector<double> &values);
};

/// Reads a .npy file ("-" reads standard input).
llvm::Expected<NpyArray> readNpy(llvm::StringRef path);
/// Parses the contents of a .npy file; `nameForErrors` prefixes messages.
llvm::Expected<NpyArray> parseNpy(llvm::StringRef contents,
                                  llvm::StringRef nameForErrors);

/// Writes `array` as a .npy file ("-" writes standard output). Fails if the
/// array is inconsistent (negative dimension, byte count not matching the
/// shape) or the file cannot be written.
llvm::Error writeNpy(llvm::StringRef path, const NpyArray &array);
/// The .npy file contents for `array`, which must be consistent.
std::string serializeNpy(const NpyArray &array);

using NpzMembers = std::vector<std::pair<std::string, NpyArray>>;

/// Reads a .npz archive: its members in archive order, each named without
/// the ".npy" suffix.
llvm::Expected<NpzMembers> readNpz(llvm::StringRef path);
/// Parses the contents of a .npz archive.
llvm::Expected<NpzMembers> parseNpz(llvm::StringRef contents,
                                    llvm::StringRef nameForErrors);

/// Writes `members` as a stored (uncompressed) .npz archive; member `name`
/// is stored as "name.npy". Names must be non-empty and distinct, and every
/// array consistent.
llvm::Error writeNpz(llvm::StringRef path, const NpzMembers &members);
/// The .npz archive contents for `members` (which writeNpz would accept).
/// `forceZip64` writes ZIP64 records even where they are not needed (tests).
std::string serializeNpz(const NpzMembers &members, bool forceZip64 = false);

} // namespace qcc

#endif // QCC_SUPPORT_NPY_H
