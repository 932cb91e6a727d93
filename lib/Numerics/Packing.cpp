//===- Packing.cpp - Sub-byte weight storage layouts ----------------------===//

#include "qcc/Numerics/Packing.h"

#include <cassert>
#include <cstring>

namespace qcc::numerics {

std::vector<unsigned> planeWidths(unsigned bits) {
  assert(bits >= 1 && bits <= 8 && "codes are 1 to 8 bits wide");
  std::vector<unsigned> widths;
  for (unsigned w = 8; w >= 1; w /= 2)
    if (bits & w)
      widths.push_back(w);
  return widths;
}

namespace {

size_t planeBytes(unsigned width, size_t count) {
  return (count * width + 7) / 8;
}

} // namespace

size_t packedRowBytes(unsigned bits, size_t count) {
  size_t bytes = 0;
  for (unsigned w : planeWidths(bits))
    bytes += planeBytes(w, count);
  return bytes;
}

void packRow(unsigned bits, const uint8_t *codes, size_t count, uint8_t *out) {
  if (count == 0)
    return; // `out` may be null (an empty vector's data()): nothing to write
  unsigned shift = 0; // code bits stored by the previous planes
  for (unsigned w : planeWidths(bits)) {
    const size_t bytes = planeBytes(w, count);
    std::memset(out, 0, bytes);
    const unsigned mask = (1u << w) - 1;
    for (size_t i = 0; i < count; ++i) {
      const size_t bit = i * w;
      out[bit / 8] |=
          static_cast<uint8_t>(((codes[i] >> shift) & mask) << (bit % 8));
    }
    out += bytes;
    shift += w;
  }
}

void unpackRow(unsigned bits, const uint8_t *packed, size_t count,
               uint8_t *codes) {
  if (count == 0)
    return; // `codes` may be null
  std::memset(codes, 0, count);
  unsigned shift = 0;
  for (unsigned w : planeWidths(bits)) {
    const unsigned mask = (1u << w) - 1;
    for (size_t i = 0; i < count; ++i) {
      const size_t bit = i * w;
      codes[i] |= static_cast<uint8_t>(((packed[bit / 8] >> (bit % 8)) & mask)
                                       << shift);
    }
    packed += planeBytes(w, count);
    shift += w;
  }
}

PackedMatrix packMatrix(unsigned bits, const std::vector<uint8_t> &codes,
                        int64_t rows, int64_t cols) {
  assert(codes.size() == static_cast<size_t>(rows * cols));
  PackedMatrix packed;
  packed.bits = bits;
  packed.rows = rows;
  packed.cols = cols;
  const size_t rowBytes = packed.rowBytes();
  packed.bytes.resize(rowBytes * rows);
  for (int64_t r = 0; r < rows; ++r)
    packRow(bits, codes.data() + r * cols, cols,
            packed.bytes.data() + r * rowBytes);
  return packed;
}

std::vector<uint8_t> unpackMatrix(const PackedMatrix &packed) {
  std::vector<uint8_t> codes(packed.rows * packed.cols);
  const size_t rowBytes = packed.rowBytes();
  for (int64_t r = 0; r < packed.rows; ++r)
    unpackRow(packed.bits, packed.bytes.data() + r * rowBytes, packed.cols,
              codes.data() + r * packed.cols);
  return codes;
}

} // namespace qcc::numerics
