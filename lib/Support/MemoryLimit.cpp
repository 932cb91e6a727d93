//===- MemoryLimit.cpp - A bound on what untrusted sizes may allocate -----===//

#include "qcc/Support/MemoryLimit.h"

#include "llvm/Support/Format.h"
#include "llvm/Support/raw_ostream.h"

#include <atomic>
#include <unistd.h>

using namespace qcc;

static uint64_t halfOfPhysicalMemory() {
  const long pages = sysconf(_SC_PHYS_PAGES), pageSize = sysconf(_SC_PAGESIZE);
  if (pages <= 0 || pageSize <= 0)
    return uint64_t{8} << 30;
  return static_cast<uint64_t>(pages) * static_cast<uint64_t>(pageSize) / 2;
}

static std::atomic<uint64_t> &limit() {
  static std::atomic<uint64_t> bytes{halfOfPhysicalMemory()};
  return bytes;
}

uint64_t qcc::memoryLimitBytes() { return limit().load(); }

void qcc::setMemoryLimitBytes(uint64_t bytes) { limit().store(bytes); }

llvm::Error qcc::checkAllocation(std::optional<uint64_t> bytes,
                                 const llvm::Twine &what) {
  if (bytes && *bytes <= memoryLimitBytes())
    return llvm::Error::success();
  return llvm::createStringError(
      llvm::inconvertibleErrorCode(),
      what + " needs " +
          (bytes ? formatBytes(*bytes) : std::string("more than 2^64 bytes")) +
          ", more than the memory limit of " + formatBytes(memoryLimitBytes()) +
          " (--memory-limit)");
}

std::optional<uint64_t> qcc::checkedBytes(std::optional<int64_t> count,
                                          uint64_t elementBytes) {
  uint64_t bytes;
  if (!count || *count < 0 ||
      __builtin_mul_overflow(static_cast<uint64_t>(*count), elementBytes,
                             &bytes))
    return std::nullopt;
  return bytes;
}

std::optional<uint64_t> qcc::parseByteSize(llvm::StringRef text) {
  text = text.trim();
  uint64_t number;
  llvm::StringRef digits = text.take_while([](char c) { return c >= '0' && c <= '9'; });
  llvm::StringRef suffix = text.drop_front(digits.size());
  if (digits.empty() || digits.getAsInteger(10, number))
    return std::nullopt;
  unsigned shift = 0;
  if (!suffix.empty()) {
    switch (suffix.front() | 0x20) { // lower case
    case 'k': shift = 10; break;
    case 'm': shift = 20; break;
    case 'g': shift = 30; break;
    case 't': shift = 40; break;
    case 'b': shift = 0; break;
    default: return std::nullopt;
    }
    if ((suffix.front() | 0x20) != 'b')
      suffix = suffix.drop_front();
    if (!suffix.empty() && suffix != "iB" && suffix != "B" && suffix != "b" &&
        suffix != "ib")
      return std::nullopt;
  }
  if (number == 0 || (shift && number > (UINT64_MAX >> shift)))
    return std::nullopt;
  return number << shift;
}

std::string qcc::formatBytes(uint64_t bytes) {
  static const char *units[] = {"KiB", "MiB", "GiB", "TiB", "PiB", "EiB"};
  if (bytes < 1024)
    return std::to_string(bytes) + " bytes";
  double value = static_cast<double>(bytes);
  int unit = -1;
  while (value >= 1024 && unit < 5) {
    value /= 1024;
    ++unit;
  }
  std::string out;
  llvm::raw_string_ostream(out) << llvm::format("%.1f ", value) << units[unit];
  return out;
}
