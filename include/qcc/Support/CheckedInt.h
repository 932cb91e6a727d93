//===- CheckedInt.h - int64 arithmetic that reports overflow ----*- C++ -*-===//
//
// Shape arithmetic on sizes read from untrusted model files. A CheckedInt
// carries an overflow flag through + - * /, so a formula reads as usual and
// is checked once at the end:
//
//   CheckedInt out = CheckedInt(stride) * (in - 1) + kernel - pads;
//   if (out.overflowed()) return fail("... overflows int64");
//
//===----------------------------------------------------------------------===//

#ifndef QCC_SUPPORT_CHECKEDINT_H
#define QCC_SUPPORT_CHECKEDINT_H

#include <cstdint>
#include <optional>

namespace qcc {

class CheckedInt {
public:
  constexpr CheckedInt(int64_t value = 0) : value_(value) {}

  bool overflowed() const { return overflowed_; }
  /// The value, or nullopt after an overflow.
  std::optional<int64_t> get() const {
    return overflowed_ ? std::nullopt : std::optional<int64_t>(value_);
  }

  friend CheckedInt operator+(CheckedInt a, CheckedInt b) {
    CheckedInt r;
    r.overflowed_ = a.overflowed_ || b.overflowed_ ||
                    __builtin_add_overflow(a.value_, b.value_, &r.value_);
    return r;
  }
  friend CheckedInt operator-(CheckedInt a, CheckedInt b) {
    CheckedInt r;
    r.overflowed_ = a.overflowed_ || b.overflowed_ ||
                    __builtin_sub_overflow(a.value_, b.value_, &r.value_);
    return r;
  }
  friend CheckedInt operator*(CheckedInt a, CheckedInt b) {
    CheckedInt r;
    r.overflowed_ = a.overflowed_ || b.overflowed_ ||
                    __builtin_mul_overflow(a.value_, b.value_, &r.value_);
    return r;
  }
  /// Truncating division; dividing by zero or INT64_MIN / -1 overflows.
  friend CheckedInt operator/(CheckedInt a, CheckedInt b) {
    CheckedInt r;
    r.overflowed_ = a.overflowed_ || b.overflowed_ || b.value_ == 0 ||
                    (a.value_ == INT64_MIN && b.value_ == -1);
    if (!r.overflowed_)
      r.value_ = a.value_ / b.value_;
    return r;
  }

private:
  int64_t value_ = 0;
  bool overflowed_ = false;
};

/// The product of `dims`, or nullopt if it overflows int64.
template <typename Range>
std::optional<int64_t> checkedProduct(const Range &dims) {
  CheckedInt product = 1;
  for (int64_t d : dims)
    product = product * d;
  return product.get();
}

/// `value` as an int64 if it is a finite, integral double in int64's range.
inline std::optional<int64_t> exactInt64(double value) {
  // 2^63 is exact as a double; every double below it converts without UB.
  if (!(value >= -9223372036854775808.0 && value < 9223372036854775808.0))
    return std::nullopt;
  const auto v = static_cast<int64_t>(value);
  if (static_cast<double>(v) != value)
    return std::nullopt;
  return v;
}

/// `value` rounded toward zero and clamped to int64's range (NaN gives 0).
/// ONNX marks "to the end" with INT64_MAX, which a double holds as 2^63.
inline int64_t saturatingInt64(double value) {
  if (value != value)
    return 0;
  if (value >= 9223372036854775808.0)
    return INT64_MAX;
  if (value < -9223372036854775808.0)
    return INT64_MIN;
  return static_cast<int64_t>(value);
}

} // namespace qcc

#endif // QCC_SUPPORT_CHECKEDINT_H
