//===- PackingTest.cpp - Sub-byte weight storage layouts ------------------===//
//
// Round trips for every width, every code at every position of a byte
// (against zero and all-ones neighbours, so that a code that leaks into
// its neighbours shows), every row length up to several bytes of every
// plane; and the documented layouts byte by byte.
//
//===----------------------------------------------------------------------===//

#include "qcc/Numerics/Packing.h"

#include <gtest/gtest.h>

#include <random>
#include <vector>

using namespace qcc::numerics;

namespace {

std::vector<uint8_t> roundTrip(unsigned bits,
                               const std::vector<uint8_t> &codes) {
  std::vector<uint8_t> packed(packedRowBytes(bits, codes.size()), 0xAA);
  packRow(bits, codes.data(), codes.size(), packed.data());
  std::vector<uint8_t> back(codes.size(), 0x55);
  unpackRow(bits, packed.data(), codes.size(), back.data());
  return back;
}

TEST(Packing, PlaneWidthsAreThePowersOfTwoWidestFirst) {
  EXPECT_EQ(planeWidths(1), (std::vector<unsigned>{1}));
  EXPECT_EQ(planeWidths(3), (std::vector<unsigned>{2, 1}));
  EXPECT_EQ(planeWidths(4), (std::vector<unsigned>{4}));
  EXPECT_EQ(planeWidths(5), (std::vector<unsigned>{4, 1}));
  EXPECT_EQ(planeWidths(6), (std::vector<unsigned>{4, 2}));
  EXPECT_EQ(planeWidths(7), (std::vector<unsigned>{4, 2, 1}));
  EXPECT_EQ(planeWidths(8), (std::vector<unsigned>{8}));
}

TEST(Packing, RowBytesAreEachPlaneRoundedUpToBytes) {
  EXPECT_EQ(packedRowBytes(4, 7), 4u);
  EXPECT_EQ(packedRowBytes(2, 9), 3u);
  EXPECT_EQ(packedRowBytes(6, 64), 32u + 16u); // FP6: 0.75 bytes per code
  EXPECT_EQ(packedRowBytes(6, 5), 3u + 2u);
  EXPECT_EQ(packedRowBytes(3, 8), 2u + 1u);
  EXPECT_EQ(packedRowBytes(8, 5), 5u);
  EXPECT_EQ(packedRowBytes(4, 0), 0u);
  for (unsigned bits = 1; bits <= 8; ++bits)
    EXPECT_EQ(packedRowBytes(bits, 64), 8u * bits) << bits; // no waste
}

TEST(Packing, EveryCodeAtEveryPositionRoundTripsAlone) {
  for (unsigned bits = 1; bits <= 8; ++bits) {
    const uint8_t ones = static_cast<uint8_t>((1u << bits) - 1);
    for (unsigned code = 0; code <= ones; ++code)
      for (size_t position = 0; position < 16; ++position)
        for (uint8_t neighbour : {uint8_t{0}, ones}) {
          std::vector<uint8_t> codes(17, neighbour);
          codes[position] = static_cast<uint8_t>(code);
          ASSERT_EQ(roundTrip(bits, codes), codes)
              << "bits " << bits << " code " << code << " at " << position;
        }
  }
}

TEST(Packing, EveryRowLengthRoundTrips) {
  std::mt19937 rng(3);
  for (unsigned bits = 1; bits <= 8; ++bits)
    for (size_t count = 0; count <= 130; ++count) {
      std::vector<uint8_t> codes(count);
      for (uint8_t &c : codes)
        c = static_cast<uint8_t>(rng() & ((1u << bits) - 1));
      ASSERT_EQ(roundTrip(bits, codes), codes)
          << "bits " << bits << " count " << count;
    }
}

TEST(Packing, PaddingBitsAreZero) {
  for (unsigned bits = 1; bits <= 8; ++bits)
    for (size_t count = 1; count <= 17; ++count) {
      std::vector<uint8_t> codes(count, static_cast<uint8_t>((1u << bits) - 1));
      std::vector<uint8_t> packed(packedRowBytes(bits, count), 0xAA);
      packRow(bits, codes.data(), count, packed.data());
      // Every plane's bits beyond `count` elements are zero: the number of
      // set bits is exactly count * bits.
      size_t set = 0;
      for (uint8_t byte : packed)
        set += __builtin_popcount(byte);
      ASSERT_EQ(set, count * bits) << "bits " << bits << " count " << count;
    }
}

TEST(Packing, Int4IsOnnxOrderLowNibbleFirst) {
  // int4 values 1, -2, 7, -8, 3 -> codes 0x1, 0xE, 0x7, 0x8, 0x3.
  std::vector<uint8_t> codes;
  for (int64_t v : {1, -2, 7, -8, 3})
    codes.push_back(signedCode(v, 4));
  std::vector<uint8_t> packed(3);
  packRow(4, codes.data(), codes.size(), packed.data());
  EXPECT_EQ(packed, (std::vector<uint8_t>{0xE1, 0x87, 0x03}));
  for (size_t i = 0; i < codes.size(); ++i)
    EXPECT_EQ(signedValue(codes[i], 4),
              (std::vector<int64_t>{1, -2, 7, -8, 3})[i]);
}

TEST(Packing, TwoBitCodesFourPerByte) {
  // Ternary -1, 0, 1, 1, -1 as int2 codes 3, 0, 1, 1, 3.
  std::vector<uint8_t> codes = {3, 0, 1, 1, 3}, packed(2);
  packRow(2, codes.data(), codes.size(), packed.data());
  EXPECT_EQ(packed, (std::vector<uint8_t>{0x53, 0x03}));
}

TEST(Packing, Fp6IsAFourBitPlaneOfLowBitsThenATwoBitPlaneOfHighBits) {
  // FP6 codes 0b10'1101 and 0b01'0011: low nibbles 0xD, 0x3 in the 4-bit
  // plane (one byte), high bits 0b10, 0b01 in the 2-bit plane (one byte).
  std::vector<uint8_t> codes = {0b101101, 0b010011}, packed(2);
  packRow(6, codes.data(), codes.size(), packed.data());
  EXPECT_EQ(packed, (std::vector<uint8_t>{0x3D, 0b0110}));
}

TEST(Packing, Int3IsATwoBitPlaneThenAOneBitPlane) {
  // int3 codes 5 (0b101), 2 (0b010), 7: 2-bit plane 01, 10, 11 -> 0b111001;
  // 1-bit plane 1, 0, 1 -> 0b101.
  std::vector<uint8_t> codes = {5, 2, 7}, packed(2);
  packRow(3, codes.data(), codes.size(), packed.data());
  EXPECT_EQ(packed, (std::vector<uint8_t>{0b111001, 0b101}));
}

TEST(Packing, MatricesArePackedRowByRow) {
  // 2 x 3 int4: each row takes 2 bytes (the second half-filled).
  std::vector<uint8_t> codes = {1, 2, 3, 4, 5, 6};
  PackedMatrix packed = packMatrix(4, codes, 2, 3);
  EXPECT_EQ(packed.rowBytes(), 2u);
  EXPECT_EQ(packed.bytes, (std::vector<uint8_t>{0x21, 0x03, 0x54, 0x06}));
  EXPECT_EQ(unpackMatrix(packed), codes);
}

TEST(Packing, SignedCodesRoundTripEveryValue) {
  for (unsigned bits = 1; bits <= 8; ++bits)
    for (int64_t v = -(int64_t{1} << (bits - 1));
         v < (int64_t{1} << (bits - 1)); ++v)
      ASSERT_EQ(signedValue(signedCode(v, bits), bits), v) << bits;
}

} // namespace
