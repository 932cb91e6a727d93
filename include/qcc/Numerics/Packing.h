//===- Packing.h - Sub-byte weight storage layouts --------------*- C++ -*-===//
//
// How qcc stores codes narrower than a byte (int2 .. int7, ternary, FP6,
// FP4) in memory, shared by the packing pass, the interpreter, the CPU
// kernels' tests and the reports. docs/packing.md draws every layout.
//
// A weight matrix is packed row by row (a row: one output channel's codes
// along the reduction axis, the order in which kernels consume them). A
// `bits`-wide code is split into bit planes whose widths are the powers of
// two in `bits`, widest first: 8 = 8, 4 = 4, 2 = 2, 1 = 1, 3 = 2 + 1,
// 5 = 4 + 1, 6 = 4 + 2 (ZeroQuant(4+2)'s FP6 layout), 7 = 4 + 2 + 1. The
// widest plane holds the code's lowest bits, the next plane the bits above
// them, and so on. Within a plane of width w, element i occupies bits
// (i * w) % 8 .. + w - 1 of byte (i * w) / 8: the first element in the
// lowest bits, as ONNX packs INT4. A row's planes follow each other, each
// padded with zero bits to a whole byte; rows follow each other with no
// further padding.
//
//===----------------------------------------------------------------------===//

#ifndef QCC_NUMERICS_PACKING_H
#define QCC_NUMERICS_PACKING_H

#include <cstddef>
#include <cstdint>
#include <vector>

namespace qcc::numerics {

/// The plane widths of a `bits`-wide code (1 <= bits <= 8), widest first.
std::vector<unsigned> planeWidths(unsigned bits);

/// Bytes one packed row of `count` codes of `bits` bits takes.
size_t packedRowBytes(unsigned bits, size_t count);

/// Packs `count` codes (the low `bits` bits of each; higher bits must be 0)
/// into `out`, which has packedRowBytes(bits, count) bytes.
void packRow(unsigned bits, const uint8_t *codes, size_t count, uint8_t *out);

/// The inverse of packRow.
void unpackRow(unsigned bits, const uint8_t *packed, size_t count,
               uint8_t *codes);

/// A row-major [rows x cols] matrix of codes, packed row by row.
struct PackedMatrix {
  unsigned bits = 8;
  int64_t rows = 0, cols = 0;
  std::vector<uint8_t> bytes;

  size_t rowBytes() const { return packedRowBytes(bits, cols); }
};

PackedMatrix packMatrix(unsigned bits, const std::vector<uint8_t> &codes,
                        int64_t rows, int64_t cols);
std::vector<uint8_t> unpackMatrix(const PackedMatrix &packed);

/// The `bits`-wide two's-complement code of a signed integer in range.
inline uint8_t signedCode(int64_t value, unsigned bits) {
  return static_cast<uint8_t>(static_cast<uint64_t>(value) &
                              ((1u << bits) - 1));
}

/// The signed integer a `bits`-wide two's-complement code holds.
inline int64_t signedValue(uint8_t code, unsigned bits) {
  const int64_t v = code & ((1u << bits) - 1);
  return v >= (int64_t{1} << (bits - 1)) ? v - (int64_t{1} << bits) : v;
}

} // namespace qcc::numerics

#endif // QCC_NUMERICS_PACKING_H
