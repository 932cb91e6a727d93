//===- NpyTest.cpp - NumPy .npy and .npz reading and writing --------------===//
//
// Round trips for every dtype, hand-written headers of each format version,
// every error path, and files written by real numpy (Inputs/, made by
// python/make_npy_fixtures.py).
//
//===----------------------------------------------------------------------===//

#include "qcc/Support/Npy.h"

#include "llvm/ADT/APFloat.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/CRC.h"
#include "llvm/Support/Endian.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <limits>
#include <random>

using namespace qcc;
using llvm::StringRef;

namespace {

constexpr NpyDType kAllDTypes[] = {
    NpyDType::Bool,   NpyDType::Int8,    NpyDType::Int16,   NpyDType::Int32,
    NpyDType::Int64,  NpyDType::UInt8,   NpyDType::UInt16,  NpyDType::UInt32,
    NpyDType::UInt64, NpyDType::Float16, NpyDType::Float32, NpyDType::Float64,
};

std::string fixture(StringRef name) {
  return (llvm::Twine(QCC_NPY_FIXTURES) + "/" + name).str();
}

/// The message of a failed Expected, or "<success>".
template <typename T> std::string errorOf(llvm::Expected<T> value) {
  if (value)
    return "<success>";
  return llvm::toString(value.takeError());
}
std::string errorOf(llvm::Error err) {
  if (!err)
    return "<success>";
  return llvm::toString(std::move(err));
}

/// A .npy file with the given version, header text (used verbatim: no
/// padding) and data.
std::string npyFile(StringRef header, StringRef data = "", int major = 1) {
  std::string out = "\x93NUMPY";
  out += static_cast<char>(major);
  out += '\0';
  char len[4];
  llvm::support::endian::write32le(len, header.size());
  out.append(len, major == 1 ? 2 : 4);
  out += header;
  out += data;
  return out;
}

std::string floats(std::initializer_list<float> values) {
  std::string out;
  for (float f : values) {
    uint32_t bits;
    std::memcpy(&bits, &f, 4);
    char b[4];
    llvm::support::endian::write32le(b, bits);
    out.append(b, 4);
  }
  return out;
}

bool sameBits(double a, double b) {
  return std::memcmp(&a, &b, sizeof a) == 0 || (std::isnan(a) && std::isnan(b));
}

/// Values representable exactly in every dtype (bool: 0/1).
std::vector<double> sampleValues(NpyDType dtype, size_t n) {
  std::vector<double> values(n);
  for (size_t i = 0; i < n; ++i) {
    if (dtype == NpyDType::Bool)
      values[i] = i % 3 == 1;
    else if (dtype == NpyDType::UInt8 || dtype == NpyDType::UInt16 ||
             dtype == NpyDType::UInt32 || dtype == NpyDType::UInt64)
      values[i] = static_cast<double>((i * 37) % 120);
    else if (dtype == NpyDType::Float16 || dtype == NpyDType::Float32 ||
             dtype == NpyDType::Float64)
      values[i] = (static_cast<double>(i) - 3.0) * 0.25;
    else
      values[i] = static_cast<double>(static_cast<int>(i * 37 % 200) - 100);
  }
  return values;
}

//===----------------------------------------------------------------------===//
// dtypes and conversions
//===----------------------------------------------------------------------===//

TEST(Npy, DTypeTable) {
  const struct {
    NpyDType dtype;
    size_t size;
    const char *name, *descr;
  } table[] = {
      {NpyDType::Bool, 1, "bool", "|b1"},
      {NpyDType::Int8, 1, "int8", "|i1"},
      {NpyDType::Int16, 2, "int16", "<i2"},
      {NpyDType::Int32, 4, "int32", "<i4"},
      {NpyDType::Int64, 8, "int64", "<i8"},
      {NpyDType::UInt8, 1, "uint8", "|u1"},
      {NpyDType::UInt16, 2, "uint16", "<u2"},
      {NpyDType::UInt32, 4, "uint32", "<u4"},
      {NpyDType::UInt64, 8, "uint64", "<u8"},
      {NpyDType::Float16, 2, "float16", "<f2"},
      {NpyDType::Float32, 4, "float32", "<f4"},
      {NpyDType::Float64, 8, "float64", "<f8"},
  };
  for (const auto &row : table) {
    EXPECT_EQ(NpyArray::elementSize(row.dtype), row.size) << row.name;
    EXPECT_EQ(npyDTypeName(row.dtype), row.name);
    EXPECT_EQ(npyDTypeDescr(row.dtype), row.descr);
  }
}

TEST(Npy, NumElements) {
  NpyArray a;
  EXPECT_EQ(a.numElements(), 1); // scalar
  a.shape = {2, 3, 4};
  EXPECT_EQ(a.numElements(), 24);
  a.shape = {5, 0, 7};
  EXPECT_EQ(a.numElements(), 0);
  a.shape = {-1, 2};
  EXPECT_EQ(a.numElements(), -1);
  a.shape = {int64_t(1) << 40, int64_t(1) << 40};
  EXPECT_EQ(a.numElements(), -1);
}

TEST(Npy, Float16DecodingIsExactForEveryCode) {
  for (uint32_t code = 0; code <= 0xffff; ++code) {
    NpyArray a;
    a.dtype = NpyDType::Float16;
    a.bytes = {static_cast<uint8_t>(code), static_cast<uint8_t>(code >> 8)};
    llvm::APFloat expected(llvm::APFloat::IEEEhalf(), llvm::APInt(16, code));
    bool lost;
    expected.convert(llvm::APFloat::IEEEdouble(),
                     llvm::APFloat::rmNearestTiesToEven, &lost);
    double got = a.toDoubles().at(0);
    ASSERT_TRUE(sameBits(got, expected.convertToDouble())) << "code " << code;
  }
}

uint16_t apfloatHalf(double d) {
  llvm::APFloat f(d);
  bool lost;
  f.convert(llvm::APFloat::IEEEhalf(), llvm::APFloat::rmNearestTiesToEven,
            &lost);
  return static_cast<uint16_t>(f.bitcastToAPInt().getZExtValue());
}

uint16_t ourHalf(double d) {
  NpyArray a = NpyArray::fromDoubles(NpyDType::Float16, {}, {d});
  return static_cast<uint16_t>(a.bytes[0] | (a.bytes[1] << 8));
}

TEST(Npy, Float16EncodingRoundsToNearestEven) {
  std::vector<double> cases = {0.0,
                               -0.0,
                               1.0,
                               -1.0,
                               65504.0,
                               65519.99,
                               65520.0,
                               65536.0,
                               1e300,
                               -1e300,
                               std::numeric_limits<double>::infinity(),
                               -std::numeric_limits<double>::infinity(),
                               0x1p-24,
                               0x1p-25,
                               0x1.0000000000001p-25,
                               0x1.8p-24,
                               0x1p-14,
                               0x1.ffcp-15,
                               0x1.ffep-15,
                               0x1.ffdp-15,
                               1.0 + 0x1p-11,
                               1.0 + 0x1p-11 + 0x1p-40,
                               1.0 + 3 * 0x1p-11,
                               2049.0,
                               2051.0,
                               1e-300,
                               5e-324,
                               1.0 / 3.0};
  for (double d : cases)
    EXPECT_EQ(ourHalf(d), apfloatHalf(d)) << d;
  // Halfway cases between every pair of adjacent halves, and random doubles
  // across the whole range.
  for (uint32_t code = 0; code < 0x7c00; ++code) {
    double lo = llvm::APFloat(llvm::APFloat::IEEEhalf(), llvm::APInt(16, code))
                    .convertToDouble();
    double hi =
        llvm::APFloat(llvm::APFloat::IEEEhalf(), llvm::APInt(16, code + 1))
            .convertToDouble();
    for (double d :
         {lo, (lo + hi) / 2, -(lo + hi) / 2, std::nextafter((lo + hi) / 2, 0.0),
          std::nextafter((lo + hi) / 2, 1e9)})
      ASSERT_EQ(ourHalf(d), apfloatHalf(d)) << d;
  }
  std::mt19937_64 rng(7);
  std::uniform_real_distribution<double> exponent(-30, 17);
  for (int i = 0; i < 20000; ++i) {
    double d = std::ldexp(1.0 + (rng() >> 11) * 0x1p-53, int(exponent(rng)));
    if (i & 1)
      d = -d;
    ASSERT_EQ(ourHalf(d), apfloatHalf(d)) << d;
  }
  EXPECT_EQ(ourHalf(std::nan("")) & 0x7c00, 0x7c00);
  EXPECT_NE(ourHalf(std::nan("")) & 0x3ff, 0);
}

TEST(Npy, FromDoublesRoundsAndSaturatesIntegers) {
  auto conv = [](NpyDType dtype, std::vector<double> in) {
    return NpyArray::fromDoubles(dtype, {int64_t(in.size())}, in).toDoubles();
  };
  const double nan = std::nan("");
  const double inf = std::numeric_limits<double>::infinity();
  EXPECT_EQ(
      conv(NpyDType::Int8,
           {0.5, 1.5, 2.5, -0.5, -1.5, 127.4, 127.6, -128.6, 1e9, -inf, nan}),
      (std::vector<double>{0, 2, 2, -0.0, -2, 127, 127, -128, 127, -128, 0}));
  EXPECT_EQ(conv(NpyDType::UInt8, {-1, 255.5, 254.5, 3.7}),
            (std::vector<double>{0, 255, 254, 4}));
  EXPECT_EQ(conv(NpyDType::Int16, {-40000, 40000, -32768}),
            (std::vector<double>{-32768, 32767, -32768}));
  EXPECT_EQ(conv(NpyDType::UInt16, {70000, 65535}),
            (std::vector<double>{65535, 65535}));
  EXPECT_EQ(conv(NpyDType::Int32, {3e9, -3e9, -2147483648.0}),
            (std::vector<double>{2147483647, -2147483648.0, -2147483648.0}));
  EXPECT_EQ(conv(NpyDType::UInt32, {5e9, -5}),
            (std::vector<double>{4294967295.0, 0}));
  NpyArray i64 = NpyArray::fromDoubles(NpyDType::Int64, {4},
                                       {0x1p63, -0x1p63, inf, 0x1p62});
  int64_t v[4];
  std::memcpy(v, i64.bytes.data(), 32);
  EXPECT_EQ(v[0], std::numeric_limits<int64_t>::max());
  EXPECT_EQ(v[1], std::numeric_limits<int64_t>::min());
  EXPECT_EQ(v[2], std::numeric_limits<int64_t>::max());
  EXPECT_EQ(v[3], int64_t(1) << 62);
  NpyArray u64 =
      NpyArray::fromDoubles(NpyDType::UInt64, {3}, {0x1p64, 0x1p63, -1});
  uint64_t u[3];
  std::memcpy(u, u64.bytes.data(), 24);
  EXPECT_EQ(u[0], std::numeric_limits<uint64_t>::max());
  EXPECT_EQ(u[1], uint64_t(1) << 63);
  EXPECT_EQ(u[2], 0u);
  EXPECT_EQ(conv(NpyDType::Bool, {0, -0.0, 0.1, -3, nan}),
            (std::vector<double>{0, 0, 1, 1, 1}));
  std::vector<double> f32 = conv(NpyDType::Float32, {0.1, 1e300, -1e-300});
  EXPECT_EQ(f32[0], static_cast<double>(0.1f));
  EXPECT_EQ(f32[1], inf);
  EXPECT_TRUE(f32[2] == 0 && std::signbit(f32[2]));
}

TEST(Npy, LittleEndianLayout) {
  NpyArray a = NpyArray::fromDoubles(NpyDType::Int32, {2}, {1, -2});
  EXPECT_EQ(a.bytes,
            (std::vector<uint8_t>{1, 0, 0, 0, 0xfe, 0xff, 0xff, 0xff}));
  NpyArray h = NpyArray::fromDoubles(NpyDType::Float16, {1}, {1.0});
  EXPECT_EQ(h.bytes, (std::vector<uint8_t>{0x00, 0x3c}));
}

//===----------------------------------------------------------------------===//
// .npy round trips and writing
//===----------------------------------------------------------------------===//

TEST(Npy, RoundTripEveryDTypeAndShape) {
  const std::vector<std::vector<int64_t>> shapes = {
      {}, {0}, {1}, {7}, {2, 3}, {3, 0}, {2, 0, 5}, {1, 2, 3, 1}, {4, 1, 2}};
  for (NpyDType dtype : kAllDTypes) {
    for (const auto &shape : shapes) {
      int64_t n = 1;
      for (int64_t d : shape)
        n *= d;
      std::vector<double> values = sampleValues(dtype, n);
      NpyArray a = NpyArray::fromDoubles(dtype, shape, values);
      ASSERT_EQ(a.bytes.size(), n * NpyArray::elementSize(dtype));
      std::string file = serializeNpy(a);
      EXPECT_EQ(file.size() % 64, a.bytes.size() % 64);
      EXPECT_EQ(file[6], 1) << "version 1.0";
      llvm::Expected<NpyArray> b = parseNpy(file, "roundtrip.npy");
      ASSERT_TRUE(bool(b)) << llvm::toString(b.takeError());
      EXPECT_EQ(b->dtype, dtype);
      EXPECT_EQ(b->shape, shape);
      EXPECT_EQ(b->bytes, a.bytes);
      EXPECT_EQ(b->toDoubles(), values) << npyDTypeName(dtype).str();
    }
  }
}

TEST(Npy, HeaderMatchesNumpy) {
  // What numpy 1.24 writes for np.save(f, np.zeros((2, 3), np.float32)),
  // up to the padding.
  NpyArray a = NpyArray::fromDoubles(NpyDType::Float32, {2, 3},
                                     std::vector<double>(6, 0.0));
  std::string file = serializeNpy(a);
  ASSERT_EQ(file.size(), 128u + 24u);
  EXPECT_EQ(StringRef(file).take_front(8), StringRef("\x93NUMPY\x01\x00", 8));
  EXPECT_EQ(llvm::support::endian::read16le(file.data() + 8), 118);
  EXPECT_TRUE(StringRef(file).substr(10).starts_with(
      "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }"));
  EXPECT_EQ(file[127], '\n');

  NpyArray s = NpyArray::fromDoubles(NpyDType::Float64, {}, {1.0});
  EXPECT_TRUE(StringRef(serializeNpy(s)).contains("'shape': (), }"));
  NpyArray v = NpyArray::fromDoubles(NpyDType::UInt8, {3}, {1, 2, 3});
  EXPECT_TRUE(StringRef(serializeNpy(v)).contains("'descr': '|u1'"));
  EXPECT_TRUE(StringRef(serializeNpy(v)).contains("'shape': (3,), }"));
}

TEST(Npy, HugeHeaderUsesVersion2) {
  // 30000 dimensions of 1 need a header longer than 65535 bytes.
  NpyArray a;
  a.dtype = NpyDType::Int16;
  a.shape.assign(30000, 1);
  a.bytes = {0x34, 0x12};
  std::string file = serializeNpy(a);
  EXPECT_EQ(file[6], 2);
  EXPECT_EQ(file.size() % 64, 2u);
  llvm::Expected<NpyArray> b = parseNpy(file, "big.npy");
  ASSERT_TRUE(bool(b)) << llvm::toString(b.takeError());
  EXPECT_EQ(b->shape, a.shape);
  EXPECT_EQ(b->toDoubles(), std::vector<double>{0x1234});
}

class TempDir : public ::testing::Test {
protected:
  llvm::SmallString<128> dir;
  void SetUp() override {
    ASSERT_FALSE(llvm::sys::fs::createUniqueDirectory("qcc-npy", dir));
  }
  void TearDown() override { llvm::sys::fs::remove_directories(dir); }
  std::string path(StringRef name) { return (dir + "/" + name).str(); }
};

TEST_F(TempDir, WriteAndReadFiles) {
  NpyArray a =
      NpyArray::fromDoubles(NpyDType::Float32, {2, 2}, {1.5, -2, 0.25, 8});
  ASSERT_EQ(errorOf(writeNpy(path("a.npy"), a)), "<success>");
  llvm::Expected<NpyArray> b = readNpy(path("a.npy"));
  ASSERT_TRUE(bool(b)) << llvm::toString(b.takeError());
  EXPECT_EQ(b->bytes, a.bytes);
  EXPECT_EQ(b->shape, a.shape);

  NpzMembers members = {{"a", a},
                        {"b", NpyArray::fromDoubles(NpyDType::Int64, {}, {7})}};
  ASSERT_EQ(errorOf(writeNpz(path("m.npz"), members)), "<success>");
  llvm::Expected<NpzMembers> read = readNpz(path("m.npz"));
  ASSERT_TRUE(bool(read)) << llvm::toString(read.takeError());
  ASSERT_EQ(read->size(), 2u);
  EXPECT_EQ((*read)[0].first, "a");
  EXPECT_EQ((*read)[1].first, "b");
  EXPECT_EQ((*read)[1].second.toDoubles(), std::vector<double>{7});
}

TEST_F(TempDir, WriteErrors) {
  NpyArray good = NpyArray::fromDoubles(NpyDType::Int8, {2}, {1, 2});
  std::string missing = path("no/such/dir/x.npy");
  std::string msg = errorOf(writeNpy(missing, good));
  EXPECT_NE(msg.find(missing), std::string::npos) << msg;
  EXPECT_NE(msg.find("cannot write"), std::string::npos) << msg;
  msg = errorOf(writeNpz(path("no/such/dir/x.npz"), {{"g", good}}));
  EXPECT_NE(msg.find("cannot write"), std::string::npos) << msg;

  NpyArray wrongSize = good;
  wrongSize.bytes.push_back(0);
  msg = errorOf(writeNpy(path("w.npy"), wrongSize));
  EXPECT_NE(msg.find("needs 2 bytes of int8 data but the array holds 3"),
            std::string::npos)
      << msg;
  NpyArray negative = good;
  negative.shape = {-2};
  msg = errorOf(writeNpy(path("n.npy"), negative));
  EXPECT_NE(msg.find("negative dimension"), std::string::npos) << msg;
  NpyArray overflow = good;
  overflow.shape = {int64_t(1) << 62, 8};
  msg = errorOf(writeNpy(path("o.npy"), overflow));
  EXPECT_NE(msg.find("overflows"), std::string::npos) << msg;

  msg = errorOf(writeNpz(path("d.npz"), {{"x", good}, {"x", good}}));
  EXPECT_NE(msg.find("duplicate member name 'x'"), std::string::npos) << msg;
  msg = errorOf(writeNpz(path("e.npz"), {{"", good}}));
  EXPECT_NE(msg.find("empty name"), std::string::npos) << msg;
  msg = errorOf(writeNpz(path("b.npz"), {{"ok", good}, {"bad", wrongSize}}));
  EXPECT_NE(msg.find("member 'bad'"), std::string::npos) << msg;
  EXPECT_FALSE(llvm::sys::fs::exists(path("b.npz")));
}

TEST(Npy, ReadMissingFile) {
  std::string msg = errorOf(readNpy("/nonexistent/qcc/x.npy"));
  EXPECT_NE(msg.find("/nonexistent/qcc/x.npy: cannot read"), std::string::npos)
      << msg;
  msg = errorOf(readNpz("/nonexistent/qcc/x.npz"));
  EXPECT_NE(msg.find("/nonexistent/qcc/x.npz: cannot read"), std::string::npos)
      << msg;
}

//===----------------------------------------------------------------------===//
// Hand-written headers
//===----------------------------------------------------------------------===//

TEST(Npy, ParsesEachFormatVersion) {
  std::string data = floats({1, 2, 3, 4, 5, 6});
  for (int major : {1, 2, 3}) {
    std::string file = npyFile(
        "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }   \n",
        data, major);
    llvm::Expected<NpyArray> a = parseNpy(file, "v.npy");
    ASSERT_TRUE(bool(a)) << llvm::toString(a.takeError());
    EXPECT_EQ(a->dtype, NpyDType::Float32);
    EXPECT_EQ(a->shape, (std::vector<int64_t>{2, 3}));
    EXPECT_EQ(a->toDoubles(), (std::vector<double>{1, 2, 3, 4, 5, 6}));
  }
}

TEST(Npy, ParsesHeaderVariants) {
  struct Case {
    const char *header;
    NpyDType dtype;
    std::vector<int64_t> shape;
  };
  const Case cases[] = {
      // Double quotes, no trailing comma, other key order, odd whitespace.
      {"{\"shape\": (3,), \"fortran_order\": False, \"descr\": \"<i2\"}",
       NpyDType::Int16,
       {3}},
      {"{ 'descr' :'<i2' ,'fortran_order':False,'shape':( 3 , ) , }\n",
       NpyDType::Int16,
       {3}},
      {"{'descr': '=i2', 'fortran_order': False, 'shape': (3,), }",
       NpyDType::Int16,
       {3}},
      // Python 2 longs.
      {"{'descr': '<u2', 'fortran_order': False, 'shape': (1L, 3L), }",
       NpyDType::UInt16,
       {1, 3}},
      // One-byte types in any byte order.
      {"{'descr': '|u1', 'fortran_order': False, 'shape': (6,), }",
       NpyDType::UInt8,
       {6}},
      {"{'descr': '<u1', 'fortran_order': False, 'shape': (6,), }",
       NpyDType::UInt8,
       {6}},
      {"{'descr': '>i1', 'fortran_order': False, 'shape': (2, 3), }",
       NpyDType::Int8,
       {2, 3}},
      {"{'descr': '|b1', 'fortran_order': False, 'shape': (6,), }",
       NpyDType::Bool,
       {6}},
      {"{'descr': '<f2', 'fortran_order': False, 'shape': (3,), }",
       NpyDType::Float16,
       {3}},
      {"{'descr': '<f8', 'fortran_order': False, 'shape': (), }",
       NpyDType::Float64,
       {}},
      {"{'descr': '<i4', 'fortran_order': True, 'shape': (), }",
       NpyDType::Int32,
       {}},
      {"{'descr': '<u4', 'fortran_order': False, 'shape': (), }",
       NpyDType::UInt32,
       {}},
      {"{'descr': '<i8', 'fortran_order': False, 'shape': (0, 0), }",
       NpyDType::Int64,
       {0, 0}},
      {"{'descr': '<u8', 'fortran_order': False, 'shape': (0,), }",
       NpyDType::UInt64,
       {0}},
  };
  for (const Case &c : cases) {
    int64_t n = 1;
    for (int64_t d : c.shape)
      n *= d;
    std::string data(n * NpyArray::elementSize(c.dtype), '\x01');
    llvm::Expected<NpyArray> a = parseNpy(npyFile(c.header, data), "h.npy");
    ASSERT_TRUE(bool(a)) << c.header << ": " << llvm::toString(a.takeError());
    EXPECT_EQ(a->dtype, c.dtype) << c.header;
    EXPECT_EQ(a->shape, c.shape) << c.header;
    EXPECT_EQ(a->bytes.size(), data.size()) << c.header;
  }
}

TEST(Npy, FortranOrderIsTransposedToC) {
  // The (2, 3) array [[0, 1, 2], [3, 4, 5]] in column-major order.
  std::string file =
      npyFile("{'descr': '<f4', 'fortran_order': True, 'shape': (2, 3), }",
              floats({0, 3, 1, 4, 2, 5}));
  llvm::Expected<NpyArray> a = parseNpy(file, "f.npy");
  ASSERT_TRUE(bool(a)) << llvm::toString(a.takeError());
  EXPECT_EQ(a->shape, (std::vector<int64_t>{2, 3}));
  EXPECT_EQ(a->toDoubles(), (std::vector<double>{0, 1, 2, 3, 4, 5}));

  // Rank 3: element (i, j, k) of shape (2, 3, 2) is at i + 2j + 6k in
  // column-major order; store the C-order index there.
  std::vector<float> column(12);
  for (int i = 0; i < 2; ++i)
    for (int j = 0; j < 3; ++j)
      for (int k = 0; k < 2; ++k)
        column[i + 2 * j + 6 * k] = static_cast<float>(i * 6 + j * 2 + k);
  std::string data;
  for (float f : column)
    data += floats({f});
  llvm::Expected<NpyArray> b = parseNpy(
      npyFile("{'descr': '<f4', 'fortran_order': True, 'shape': (2, 3, 2), }",
              data),
      "f3.npy");
  ASSERT_TRUE(bool(b)) << llvm::toString(b.takeError());
  std::vector<double> expected(12);
  for (int i = 0; i < 12; ++i)
    expected[i] = i;
  EXPECT_EQ(b->toDoubles(), expected);

  // Empty and one-dimensional Fortran arrays.
  EXPECT_TRUE(bool(parseNpy(
      npyFile("{'descr': '<f4', 'fortran_order': True, 'shape': (0, 3), }"),
      "e.npy")));
  llvm::Expected<NpyArray> c = parseNpy(
      npyFile("{'descr': '<f4', 'fortran_order': True, 'shape': (2,), }",
              floats({7, 8})),
      "c.npy");
  ASSERT_TRUE(bool(c));
  EXPECT_EQ(c->toDoubles(), (std::vector<double>{7, 8}));
}

//===----------------------------------------------------------------------===//
// .npy errors
//===----------------------------------------------------------------------===//

void expectNpyError(StringRef contents, StringRef expected) {
  std::string msg = errorOf(parseNpy(contents, "bad.npy"));
  EXPECT_TRUE(StringRef(msg).starts_with("bad.npy: ")) << msg;
  EXPECT_NE(msg.find(expected.str()), std::string::npos)
      << "expected '" << expected.str() << "' in: " << msg;
}

std::string withHeader(StringRef dict, StringRef data = "") {
  return npyFile(dict, data);
}

TEST(Npy, ErrorsInTheMagicAndVersion) {
  expectNpyError("", "empty file");
  expectNpyError("\x93NUM", "truncated .npy file (inside the magic string)");
  expectNpyError("PK\x03\x04 this is a zip", "bad magic string");
  expectNpyError("hello world, not numpy", "not a .npy file");
  expectNpyError(StringRef("\x93NUMPY\x01", 7), "no format version");
  expectNpyError(StringRef("\x93NUMPY\x04\x00\x10\x00", 10),
                 "unsupported .npy format version 4.0");
  expectNpyError(StringRef("\x93NUMPY\x01\x01\x10\x00", 10),
                 "unsupported .npy format version 1.1");
  expectNpyError(StringRef("\x93NUMPY\x00\x00\x10\x00", 10),
                 "unsupported .npy format version 0.0");
  expectNpyError(StringRef("\x93NUMPY\x01\x00\x10", 9), "no header length");
  expectNpyError(StringRef("\x93NUMPY\x02\x00\x10\x00\x00", 11),
                 "no header length");
  expectNpyError(StringRef("\x93NUMPY\x01\x00\x10\x00{'descr'", 17),
                 "the header is 16 bytes but only 7 follow");
  // A version 2.0 header length of 4 GiB.
  expectNpyError(StringRef("\x93NUMPY\x02\x00\xff\xff\xff\xff{}", 14),
                 "truncated .npy file");
}

TEST(Npy, ErrorsInTheHeaderDictionary) {
  const struct {
    const char *header, *expected;
  } cases[] = {
      {"", "the header is not a dictionary"},
      {"('descr', '<f4')", "the header is not a dictionary"},
      {"{'descr': '<f4', 'fortran_order': False}", "the header has no 'shape'"},
      {"{'descr': '<f4', 'shape': ()}", "the header has no 'fortran_order'"},
      {"{'fortran_order': False, 'shape': ()}", "the header has no 'descr'"},
      {"{'descr': '<f4', 'descr': '<f4', 'fortran_order': False, 'shape': ()}",
       "duplicate key 'descr'"},
      {"{'descr': '<f4', 'fortran_order': False, 'fortran_order': False, "
       "'shape': ()}",
       "duplicate key 'fortran_order'"},
      {"{'descr': '<f4', 'fortran_order': False, 'shape': (), 'shape': ()}",
       "duplicate key 'shape'"},
      {"{'descr': '<f4', 'fortran_order': False, 'shape': (), 'extra': 1}",
       "unexpected key 'extra'"},
      {"{descr: '<f4'}", "expected a quoted key"},
      {"{'descr' '<f4'}", "expected ':' after key 'descr'"},
      {"{'descr': '<f4' 'fortran_order': False}", "expected ',' or '}'"},
      {"{'descr': '<f4', 'fortran_order': False, 'shape': ()",
       "expected ',' or '}'"},
      {"{'descr: '<f4'}", "expected ':' after key"},
      {"{'descr': \"<f4', 'shape': ()}", "'descr' is not a string"},
      {"{'descr': 4, 'fortran_order': False, 'shape': ()}",
       "'descr' is not a string"},
      {"{'descr': [('a', '<f4')], 'fortran_order': False, 'shape': ()}",
       "structured dtypes"},
      {"{'descr': '<f4', 'fortran_order': false, 'shape': ()}",
       "'fortran_order' is not True or False"},
      {"{'descr': '<f4', 'fortran_order': Falsey, 'shape': ()}",
       "'fortran_order' is not True or False"},
      {"{'descr': '<f4', 'fortran_order': 0, 'shape': ()}",
       "'fortran_order' is not True or False"},
      {"{'descr': '<f4', 'fortran_order': False, 'shape': [2, 3]}",
       "'shape' is not a tuple"},
      {"{'descr': '<f4', 'fortran_order': False, 'shape': (3)}",
       "a one-element tuple needs a trailing comma"},
      {"{'descr': '<f4', 'fortran_order': False, 'shape': (-1,)}",
       "'shape' is not a tuple of non-negative integers"},
      {"{'descr': '<f4', 'fortran_order': False, 'shape': (2.5,)}",
       "expected ',' or ')' in 'shape'"},
      {"{'descr': '<f4', 'fortran_order': False, 'shape': (2,,)}",
       "'shape' is not a tuple of non-negative integers"},
      {"{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3}",
       "expected ',' or ')' in 'shape'"},
      {"{'descr': '<f4', 'fortran_order': False, 'shape': (2",
       "expected ',' or ')' in 'shape'"},
      {"{'descr': '<f4', 'fortran_order': False, 'shape': "
       "(99999999999999999999,)}",
       "a dimension in 'shape' is too large"},
      {"{'descr': '<f4', 'fortran_order': False, 'shape': ()} x",
       "unexpected text after the header dictionary"},
      {"{'descr': '<f4', 'fortran_order': False, 'shape': ()}}",
       "unexpected text after the header dictionary"},
  };
  for (const auto &c : cases) {
    SCOPED_TRACE(c.header);
    expectNpyError(withHeader(c.header), c.expected);
    expectNpyError(withHeader(c.header), "malformed .npy header");
  }
  // An embedded NUL inside the header.
  std::string nul = "{'descr': '<f4', 'fortran_order': False, 'shape': ()";
  nul += '\0';
  nul += "}";
  expectNpyError(withHeader(nul), "expected ',' or '}'");
}

TEST(Npy, ErrorsInTheDType) {
  const struct {
    const char *descr, *expected;
  } cases[] = {
      {">f4", "big-endian data (descr '>f4') is not supported"},
      {">i8", "a.astype('<i8')"},
      {">f2", "big-endian"},
      {"|f4", "unsupported dtype '|f4'"},
      {"<c8", "unsupported dtype '<c8'"},
      {"<U3", "unsupported dtype '<U3'"},
      {"|S5", "unsupported dtype '|S5'"},
      {"|O", "unsupported dtype '|O'"},
      {"<M8[ns]", "unsupported dtype '<M8[ns]'"},
      {"<f16", "unsupported dtype"},
      {"<f", "unsupported dtype"},
      {"f4", "unsupported dtype 'f4'"},
      {"", "unsupported dtype ''"},
      {"?f4", "unsupported dtype"},
  };
  for (const auto &c : cases) {
    SCOPED_TRACE(c.descr);
    expectNpyError(withHeader((llvm::Twine("{'descr': '") + c.descr +
                               "', 'fortran_order': False, 'shape': ()}")
                                  .str(),
                              "12345678"),
                   c.expected);
  }
}

TEST(Npy, ErrorsInTheDataSize) {
  std::string h23 = "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3)}";
  expectNpyError(withHeader(h23, floats({1, 2, 3, 4, 5})),
                 "truncated .npy file: the shape needs 24 bytes of float32 "
                 "data but the file has 20 after the header");
  expectNpyError(
      withHeader(h23, floats({1, 2, 3, 4, 5, 6, 7})),
      "the shape needs 24 bytes of float32 data but the file has 28");
  expectNpyError(withHeader(h23, floats({1, 2, 3, 4, 5, 6}) + "x"),
                 "but the file has 25");
  expectNpyError(withHeader("{'descr': '<f8', 'fortran_order': False, "
                            "'shape': ()}"),
                 "needs 8 bytes");
  // Absurd sizes: an element count that overflows, a byte count that
  // overflows, and an enormous shape with little data. None may allocate.
  expectNpyError(withHeader("{'descr': '<f4', 'fortran_order': False, "
                            "'shape': (4294967296, 4294967296)}",
                            "1234"),
                 "the number of elements of the shape overflows");
  expectNpyError(withHeader("{'descr': '<f8', 'fortran_order': False, "
                            "'shape': (4611686018427387904,)}",
                            "1234"),
                 "the number of elements of the shape overflows");
  expectNpyError(withHeader("{'descr': '<i8', 'fortran_order': True, "
                            "'shape': (1000000, 1000000)}",
                            "12345678"),
                 "the shape needs 8000000000000 bytes");
  // A zero dimension makes the others irrelevant, even huge ones.
  EXPECT_TRUE(
      bool(parseNpy(withHeader("{'descr': '<f8', 'fortran_order': False, "
                               "'shape': (0, 9223372036854775807)}"),
                    "zero.npy")));
}

TEST(Npy, EveryTruncationIsAnError) {
  NpyArray a =
      NpyArray::fromDoubles(NpyDType::Int16, {3, 2}, {1, 2, 3, 4, 5, 6});
  std::string file = serializeNpy(a);
  for (size_t n = 0; n < file.size(); ++n) {
    std::string msg = errorOf(parseNpy(StringRef(file).take_front(n), "t.npy"));
    EXPECT_TRUE(StringRef(msg).starts_with("t.npy: ")) << n << ": " << msg;
  }
}

TEST(Npy, CorruptedBytesNeverCrash) {
  NpyArray a =
      NpyArray::fromDoubles(NpyDType::Float32, {2, 3}, {1, 2, 3, 4, 5, 6});
  std::string file = serializeNpy(a);
  std::mt19937 rng(1);
  for (int trial = 0; trial < 20000; ++trial) {
    std::string bad = file;
    int flips = 1 + rng() % 3;
    for (int f = 0; f < flips; ++f)
      bad[rng() % 128] = static_cast<char>(rng());
    if (rng() % 4 == 0)
      bad.resize(rng() % bad.size());
    llvm::Expected<NpyArray> r = parseNpy(bad, "c.npy");
    if (r) {
      int64_t n = r->numElements();
      ASSERT_GE(n, 0);
      ASSERT_EQ(r->bytes.size(), n * NpyArray::elementSize(r->dtype));
    } else {
      llvm::consumeError(r.takeError());
    }
  }
}

//===----------------------------------------------------------------------===//
// .npz
//===----------------------------------------------------------------------===//

NpzMembers sampleMembers() {
  return {
      {"x", NpyArray::fromDoubles(NpyDType::Float32, {3}, {1, 2, 3})},
      {"scalar", NpyArray::fromDoubles(NpyDType::Float16, {}, {0.5})},
      {"empty", NpyArray::fromDoubles(NpyDType::Int64, {0, 4}, {})},
      {"mask", NpyArray::fromDoubles(NpyDType::Bool, {2, 2}, {1, 0, 0, 1})},
      {"caf\xc3\xa9", NpyArray::fromDoubles(NpyDType::UInt8, {1}, {9})},
  };
}

void expectSameMembers(const NpzMembers &got, const NpzMembers &expected) {
  ASSERT_EQ(got.size(), expected.size());
  for (size_t i = 0; i < got.size(); ++i) {
    EXPECT_EQ(got[i].first, expected[i].first);
    EXPECT_EQ(got[i].second.dtype, expected[i].second.dtype);
    EXPECT_EQ(got[i].second.shape, expected[i].second.shape);
    EXPECT_EQ(got[i].second.bytes, expected[i].second.bytes);
  }
}

TEST(Npz, RoundTrip) {
  for (bool zip64 : {false, true}) {
    SCOPED_TRACE(zip64 ? "zip64" : "plain");
    NpzMembers members = sampleMembers();
    std::string archive = serializeNpz(members, zip64);
    EXPECT_EQ(StringRef(archive).take_front(4), "PK\x03\x04");
    EXPECT_EQ(StringRef(archive).contains(StringRef("PK\x06\x06", 4)), zip64);
    llvm::Expected<NpzMembers> read = parseNpz(archive, "r.npz");
    ASSERT_TRUE(bool(read)) << llvm::toString(read.takeError());
    expectSameMembers(*read, members);
  }
  // No members at all.
  llvm::Expected<NpzMembers> none = parseNpz(serializeNpz({}), "none.npz");
  ASSERT_TRUE(bool(none)) << llvm::toString(none.takeError());
  EXPECT_TRUE(none->empty());
}

TEST(Npz, StoredMembersHaveCorrectCrcs) {
  // Check the archive's own records against the member data.
  NpzMembers members = sampleMembers();
  std::string archive = serializeNpz(members);
  size_t at = 0;
  for (const auto &[name, array] : members) {
    ASSERT_EQ(llvm::support::endian::read32le(archive.data() + at),
              0x04034b50u);
    uint32_t crc = llvm::support::endian::read32le(archive.data() + at + 14);
    uint32_t size = llvm::support::endian::read32le(archive.data() + at + 22);
    uint16_t nameLen =
        llvm::support::endian::read16le(archive.data() + at + 26);
    uint16_t extraLen =
        llvm::support::endian::read16le(archive.data() + at + 28);
    EXPECT_EQ(StringRef(archive).substr(at + 30, nameLen), name + ".npy");
    std::string npy = serializeNpy(array);
    EXPECT_EQ(size, npy.size());
    StringRef data =
        StringRef(archive).substr(at + 30 + nameLen + extraLen, size);
    EXPECT_EQ(data, npy);
    EXPECT_EQ(crc, llvm::crc32(llvm::arrayRefFromStringRef(data)));
    at += 30 + nameLen + extraLen + size;
  }
  EXPECT_EQ(llvm::support::endian::read32le(archive.data() + at), 0x02014b50u);
}

void expectNpzError(StringRef contents, StringRef expected) {
  std::string msg = errorOf(parseNpz(contents, "bad.npz"));
  EXPECT_TRUE(StringRef(msg).starts_with("bad.npz")) << msg;
  EXPECT_NE(msg.find(expected.str()), std::string::npos)
      << "expected '" << expected.str() << "' in: " << msg;
}

/// Offsets into a serialized single-member archive.
struct OneMember {
  std::string archive;
  size_t centralAt, endAt;
  OneMember(bool zip64 = false) {
    archive = serializeNpz(
        {{"m", NpyArray::fromDoubles(NpyDType::Int32, {2}, {5, 6})}}, zip64);
    centralAt = archive.find("PK\x01\x02");
    endAt = archive.rfind("PK\x05\x06");
  }
  void set16(size_t at, uint16_t v) {
    llvm::support::endian::write16le(&archive[at], v);
  }
  void set32(size_t at, uint32_t v) {
    llvm::support::endian::write32le(&archive[at], v);
  }
};

TEST(Npz, Errors) {
  expectNpzError("", "too short to be a zip file");
  expectNpzError("not a zip file at all, not at all", "no end of central "
                                                      "directory record");
  expectNpzError(serializeNpy(NpyArray::fromDoubles(NpyDType::Int8, {1}, {1})),
                 "this is a .npy file, not a .npz archive");

  {
    OneMember m;
    m.set16(m.centralAt + 10, 8); // deflate
    expectNpzError(m.archive, "member 'm.npy': the member is deflate-"
                              "compressed (numpy.savez_compressed)");
    expectNpzError(m.archive, "save with numpy.savez");
  }
  {
    OneMember m;
    m.set16(m.centralAt + 10, 12); // bzip2
    expectNpzError(m.archive, "unsupported zip compression method 12");
  }
  {
    OneMember m;
    m.set16(m.centralAt + 8, 1); // encrypted
    expectNpzError(m.archive, "encrypted");
  }
  {
    OneMember m;
    m.archive[m.centralAt - 1] ^= 1; // last data byte
    expectNpzError(m.archive, "member 'm.npy': CRC-32 mismatch");
  }
  {
    OneMember m;
    m.set32(m.centralAt + 20, 3); // compressed size
    expectNpzError(m.archive, "different compressed and uncompressed sizes");
  }
  {
    OneMember m;
    m.set32(m.centralAt + 20, 0x7fffffff);
    m.set32(m.centralAt + 24, 0x7fffffff);
    expectNpzError(m.archive, "bytes of data lie outside the file");
  }
  {
    OneMember m;
    m.set32(m.centralAt + 42, 0x7fffffff); // local header offset
    expectNpzError(m.archive, "bad local header");
  }
  {
    OneMember m;
    m.set32(0, 0x12345678); // local header signature
    expectNpzError(m.archive, "bad local header");
  }
  {
    OneMember m;
    m.set16(m.centralAt + 28, 0x7fff); // name length
    expectNpzError(m.archive, "overruns the central directory");
  }
  {
    OneMember m;
    m.set32(m.centralAt, 0); // central signature
    expectNpzError(m.archive, "bad central directory entry 0");
  }
  {
    OneMember m;
    m.set32(m.endAt + 16, 0x7ffffff0); // central directory offset
    expectNpzError(m.archive, "the central directory lies outside the file");
  }
  {
    OneMember m;
    m.set16(m.endAt + 10, 50); // entries
    expectNpzError(m.archive, "too small for 50 entries");
  }
  {
    OneMember m;
    m.set16(m.endAt + 4, 1); // disk number
    expectNpzError(m.archive, "multi-disk");
  }
  {
    OneMember m;
    m.set16(m.centralAt + 30, 8); // extra field swallowing the next record
    expectNpzError(m.archive, "overruns the central directory");
  }
  {
    OneMember m(/*zip64=*/true);
    // Shrink the ZIP64 extra field so that it lacks the offset.
    m.set16(m.centralAt + 46 + 5 + 2, 16);
    expectNpzError(m.archive, "short ZIP64 extra field");
  }
  {
    OneMember m(/*zip64=*/true);
    size_t end64 = m.archive.rfind("PK\x06\x06");
    m.set32(end64, 0);
    expectNpzError(m.archive, "bad ZIP64 end of central directory record");
  }
  {
    // A member that is not a valid .npy file: the message names it.
    OneMember m;
    size_t dataAt = 30 + 5;
    m.archive[dataAt] = 'X';
    uint32_t crc = llvm::crc32(llvm::arrayRefFromStringRef(
        StringRef(m.archive).slice(dataAt, m.centralAt)));
    m.set32(14, crc);
    m.set32(m.centralAt + 16, crc);
    expectNpzError(m.archive, "bad.npz: member 'm.npy': not a .npy file");
  }
}

TEST(Npz, EveryTruncationIsAnError) {
  for (bool zip64 : {false, true}) {
    std::string archive = serializeNpz(sampleMembers(), zip64);
    for (size_t n = 0; n < archive.size(); ++n) {
      std::string msg =
          errorOf(parseNpz(StringRef(archive).take_front(n), "t.npz"));
      ASSERT_TRUE(StringRef(msg).starts_with("t.npz")) << n << ": " << msg;
    }
  }
}

TEST(Npz, CorruptedBytesNeverCrash) {
  std::string archive = serializeNpz(sampleMembers(), /*forceZip64=*/true);
  std::mt19937 rng(2);
  for (int trial = 0; trial < 20000; ++trial) {
    std::string bad = archive;
    int flips = 1 + rng() % 4;
    for (int f = 0; f < flips; ++f)
      bad[rng() % bad.size()] = static_cast<char>(rng());
    llvm::Expected<NpzMembers> r = parseNpz(bad, "c.npz");
    if (!r)
      llvm::consumeError(r.takeError());
  }
}

//===----------------------------------------------------------------------===//
// Files written by numpy (python/make_npy_fixtures.py)
//===----------------------------------------------------------------------===//

NpyArray readFixture(StringRef name) {
  llvm::Expected<NpyArray> a = readNpy(fixture(name));
  if (!a) {
    ADD_FAILURE() << llvm::toString(a.takeError());
    return {};
  }
  return std::move(*a);
}

TEST(NpyFromNumpy, Float32) {
  for (const char *name : {"f32_2x3.npy", "f32_2x3_v2.npy", "f32_2x3_v3.npy"}) {
    SCOPED_TRACE(name);
    NpyArray a = readFixture(name);
    EXPECT_EQ(a.dtype, NpyDType::Float32);
    EXPECT_EQ(a.shape, (std::vector<int64_t>{2, 3}));
    EXPECT_EQ(a.toDoubles(), (std::vector<double>{-1, -0.5, 0, 0.5, 1, 1.5}));
  }
  // The writer reproduces numpy's file byte for byte.
  NpyArray a = readFixture("f32_2x3.npy");
  auto buffer = llvm::MemoryBuffer::getFile(fixture("f32_2x3.npy"));
  ASSERT_TRUE(bool(buffer));
  EXPECT_EQ(serializeNpy(a), (*buffer)->getBuffer().str());
}

TEST(NpyFromNumpy, Float16) {
  NpyArray a = readFixture("f16_8.npy");
  EXPECT_EQ(a.dtype, NpyDType::Float16);
  EXPECT_EQ(a.shape, (std::vector<int64_t>{8}));
  std::vector<double> v = a.toDoubles();
  ASSERT_EQ(v.size(), 8u);
  EXPECT_TRUE(v[0] == 0 && !std::signbit(v[0]));
  EXPECT_TRUE(v[1] == 0 && std::signbit(v[1]));
  EXPECT_EQ(v[2], 0x1p-24);
  EXPECT_EQ(v[3], 0x1p-14);
  EXPECT_EQ(v[4], 65504.0);
  EXPECT_EQ(v[5], 0x1.554p-2); // float16(1/3)
  EXPECT_EQ(v[6], -std::numeric_limits<double>::infinity());
  EXPECT_TRUE(std::isnan(v[7]));
  // numpy's float16 rounding agrees with ours.
  NpyArray b =
      NpyArray::fromDoubles(NpyDType::Float16, {8},
                            {0.0, -0.0, 0x1p-24, 0x1p-14, 65504.0, 1.0 / 3.0,
                             -std::numeric_limits<double>::infinity(), v[7]});
  EXPECT_EQ(std::vector<uint8_t>(b.bytes.begin(), b.bytes.end() - 2),
            std::vector<uint8_t>(a.bytes.begin(), a.bytes.end() - 2));
}

TEST(NpyFromNumpy, IntegersBoolAndScalar) {
  NpyArray s = readFixture("f64_scalar.npy");
  EXPECT_EQ(s.dtype, NpyDType::Float64);
  EXPECT_TRUE(s.shape.empty());
  EXPECT_EQ(s.toDoubles(), std::vector<double>{-2.75});

  NpyArray i8 = readFixture("i8_4.npy");
  EXPECT_EQ(i8.dtype, NpyDType::Int8);
  EXPECT_EQ(i8.toDoubles(), (std::vector<double>{-128, -1, 0, 127}));
  NpyArray u8 = readFixture("u8_4.npy");
  EXPECT_EQ(u8.dtype, NpyDType::UInt8);
  EXPECT_EQ(u8.toDoubles(), (std::vector<double>{0, 1, 128, 255}));
  NpyArray u16 = readFixture("u16_2x2.npy");
  EXPECT_EQ(u16.dtype, NpyDType::UInt16);
  EXPECT_EQ(u16.shape, (std::vector<int64_t>{2, 2}));
  EXPECT_EQ(u16.toDoubles(), (std::vector<double>{0, 1, 65534, 65535}));
  NpyArray i64 = readFixture("i64_3.npy");
  EXPECT_EQ(i64.dtype, NpyDType::Int64);
  int64_t v[3];
  ASSERT_EQ(i64.bytes.size(), sizeof v);
  std::memcpy(v, i64.bytes.data(), sizeof v);
  EXPECT_EQ(v[0], std::numeric_limits<int64_t>::min());
  EXPECT_EQ(v[1], 0);
  EXPECT_EQ(v[2], (int64_t(1) << 53) + 1);
  NpyArray b = readFixture("bool_5.npy");
  EXPECT_EQ(b.dtype, NpyDType::Bool);
  EXPECT_EQ(b.toDoubles(), (std::vector<double>{1, 0, 0, 1, 1}));
}

TEST(NpyFromNumpy, EmptyAndFortranOrder) {
  NpyArray e = readFixture("i32_0x3.npy");
  EXPECT_EQ(e.dtype, NpyDType::Int32);
  EXPECT_EQ(e.shape, (std::vector<int64_t>{0, 3}));
  EXPECT_TRUE(e.bytes.empty());
  NpyArray f = readFixture("i32_fortran_2x3.npy");
  EXPECT_EQ(f.shape, (std::vector<int64_t>{2, 3}));
  EXPECT_EQ(f.toDoubles(), (std::vector<double>{0, 1, 2, 3, 4, 5}));
}

TEST(NpyFromNumpy, BigEndianIsRejected) {
  std::string msg = errorOf(readNpy(fixture("f4_big_endian.npy")));
  EXPECT_NE(msg.find("f4_big_endian.npy: big-endian data"), std::string::npos)
      << msg;
}

TEST(NpyFromNumpy, Savez) {
  llvm::Expected<NpzMembers> m = readNpz(fixture("savez.npz"));
  ASSERT_TRUE(bool(m)) << llvm::toString(m.takeError());
  ASSERT_EQ(m->size(), 3u);
  EXPECT_EQ((*m)[0].first, "x");
  EXPECT_EQ((*m)[0].second.dtype, NpyDType::Float32);
  EXPECT_EQ((*m)[0].second.toDoubles(), (std::vector<double>{0, 1, 2}));
  EXPECT_EQ((*m)[1].first, "idx");
  EXPECT_EQ((*m)[1].second.dtype, NpyDType::Int64);
  EXPECT_EQ((*m)[1].second.shape, (std::vector<int64_t>{2, 2}));
  EXPECT_EQ((*m)[1].second.toDoubles(), (std::vector<double>{1, 2, 3, 4}));
  EXPECT_EQ((*m)[2].first, "s");
  EXPECT_EQ((*m)[2].second.dtype, NpyDType::Float16);
  EXPECT_TRUE((*m)[2].second.shape.empty());
  EXPECT_EQ((*m)[2].second.toDoubles(), std::vector<double>{1.5});
}

TEST(NpyFromNumpy, SavezCompressedIsRejected) {
  std::string path = fixture("savez_compressed.npz");
  std::string msg = errorOf(readNpz(path));
  EXPECT_NE(msg.find(path + ": member 'x.npy': the member is "
                            "deflate-compressed (numpy.savez_compressed)"),
            std::string::npos)
      << msg;
  EXPECT_NE(msg.find("save with numpy.savez"), std::string::npos) << msg;
}

} // namespace
