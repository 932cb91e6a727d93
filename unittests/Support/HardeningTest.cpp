//===- HardeningTest.cpp - Checked sizes, memory limit, nesting depth -----===//
//
// The small helpers that keep sizes from untrusted files honest.
//
//===----------------------------------------------------------------------===//

#include "qcc/Support/CheckedInt.h"
#include "qcc/Support/MemoryLimit.h"
#include "qcc/Support/NestingDepth.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <string>

using namespace qcc;

namespace {

TEST(CheckedInt, ReportsOverflowThroughAFormula) {
  EXPECT_EQ((CheckedInt(3) * 4 + 5 - 1).get(), 16);
  EXPECT_FALSE((CheckedInt(INT64_MAX) + 1).get());
  EXPECT_FALSE((CheckedInt(INT64_MIN) - 1).get());
  EXPECT_FALSE((CheckedInt(int64_t{1} << 62) * 2).get());
  EXPECT_EQ((CheckedInt(int64_t{1} << 62) * 2 / 4).overflowed(), true)
      << "an overflow stays an overflow";
  EXPECT_FALSE((CheckedInt(7) / 0).get());
  EXPECT_FALSE((CheckedInt(INT64_MIN) / -1).get());
  EXPECT_EQ((CheckedInt(-7) / 2).get(), -3); // truncates like C++
  // The wrapped ConvTranspose size of the fuzzing report: 2^61 * 7 + 3.
  EXPECT_FALSE((CheckedInt(int64_t{1} << 61) * 7 + 3).get());
}

TEST(CheckedInt, Products) {
  EXPECT_EQ(checkedProduct(std::vector<int64_t>{}), 1);
  EXPECT_EQ(checkedProduct(std::vector<int64_t>{2, 3, 4}), 24);
  EXPECT_EQ(checkedProduct(std::vector<int64_t>{0, INT64_MAX}), 0);
  EXPECT_FALSE(checkedProduct(std::vector<int64_t>{100000, 100000, 100000,
                                                   100000}));
}

TEST(CheckedInt, DoublesToInt64) {
  EXPECT_EQ(exactInt64(42.0), 42);
  EXPECT_EQ(exactInt64(-9223372036854775808.0), INT64_MIN);
  EXPECT_FALSE(exactInt64(9223372036854775808.0)); // 2^63
  EXPECT_FALSE(exactInt64(0.5));
  EXPECT_FALSE(exactInt64(std::nan("")));
  EXPECT_FALSE(exactInt64(std::numeric_limits<double>::infinity()));
  EXPECT_EQ(saturatingInt64(9223372036854775808.0), INT64_MAX);
  EXPECT_EQ(saturatingInt64(1e300), INT64_MAX);
  EXPECT_EQ(saturatingInt64(-1e300), INT64_MIN);
  EXPECT_EQ(saturatingInt64(std::nan("")), 0);
  EXPECT_EQ(saturatingInt64(-2.7), -2);
}

TEST(MemoryLimit, ParsesSizes) {
  EXPECT_EQ(parseByteSize("1000"), 1000u);
  EXPECT_EQ(parseByteSize("4K"), 4096u);
  EXPECT_EQ(parseByteSize("512M"), uint64_t{512} << 20);
  EXPECT_EQ(parseByteSize("8GiB"), uint64_t{8} << 30);
  EXPECT_EQ(parseByteSize("2g"), uint64_t{2} << 30);
  EXPECT_EQ(parseByteSize("1TB"), uint64_t{1} << 40);
  EXPECT_EQ(parseByteSize("100b"), 100u);
  for (const char *bad : {"", "0", "lots", "-5", "1.5G", "8X", "8GiBs",
                          "99999999999999999999", "17179869184G"})
    EXPECT_FALSE(parseByteSize(bad)) << bad;
}

TEST(MemoryLimit, ChecksAllocations) {
  const uint64_t saved = memoryLimitBytes();
  EXPECT_GT(saved, 0u); // half the machine's memory
  setMemoryLimitBytes(uint64_t{1} << 20);
  EXPECT_FALSE(static_cast<bool>(checkAllocation(uint64_t{1} << 20, "x")));
  llvm::Error e = checkAllocation((uint64_t{1} << 20) + 1, "the buffer");
  ASSERT_TRUE(static_cast<bool>(e));
  EXPECT_EQ(llvm::toString(std::move(e)),
            "the buffer needs 1.0 MiB, more than the memory limit of 1.0 MiB "
            "(--memory-limit)");
  llvm::Error overflow = checkAllocation(std::nullopt, "the buffer");
  EXPECT_EQ(llvm::toString(std::move(overflow)),
            "the buffer needs more than 2^64 bytes, more than the memory "
            "limit of 1.0 MiB (--memory-limit)");
  EXPECT_EQ(checkedBytes(int64_t{1} << 62, 8), std::nullopt);
  EXPECT_EQ(checkedBytes(-1, 8), std::nullopt);
  EXPECT_EQ(checkedBytes(3, 8), 24u);
  setMemoryLimitBytes(saved);
}

TEST(NestingDepth, CountsBracketsOutsideStringsAndComments) {
  EXPECT_FALSE(findExcessiveNesting("func.func @f(%a: tensor<2xf32>) -> "
                                    "tensor<2xf32> { return %a }",
                                    3));
  EXPECT_EQ(findExcessiveNesting("[[[[x]]]]", 3), 3u);
  EXPECT_FALSE(findExcessiveNesting("[[[x]]][[[y]]]", 3));
  // Brackets in strings and comments, and the '>' of '->', do not count.
  EXPECT_FALSE(findExcessiveNesting("\"[[[[[\\\"[[[\" // {{{{{{\n[x]", 2));
  EXPECT_FALSE(findExcessiveNesting("<(a) -> (b)>", 2));
  std::string deep(200000, '[');
  EXPECT_EQ(findExcessiveNesting(deep, kMaxMLIRNestingDepth),
            size_t{kMaxMLIRNestingDepth});
}

} // namespace
