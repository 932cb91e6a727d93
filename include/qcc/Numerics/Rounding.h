//===- Rounding.h - Rounding modes and saturating integer casts -*- C++ -*-===//
//
// Part of qcc's numerics library: the single source of truth for how numbers
// are rounded, saturated, encoded and rescaled. It has no MLIR or LLVM
// dependency so that the compiler passes, the reference interpreter, the
// runtime and the code generators can all link it and agree bit for bit.
//
//===----------------------------------------------------------------------===//

#ifndef QCC_NUMERICS_ROUNDING_H
#define QCC_NUMERICS_ROUNDING_H

#include <cstdint>
#include <optional>
#include <string_view>

namespace qcc::numerics {

/// How a real value is rounded to an integer (or to a coarser grid).
enum class RoundingMode : uint8_t {
  /// Nearest, ties to even (IEEE roundTiesToEven; ONNX QuantizeLinear).
  HalfToEven,
  /// Nearest, ties away from zero (C `round`).
  HalfAwayFromZero,
  /// Nearest, ties toward +infinity: floor(x + 1/2) (TOSA SINGLE_ROUND).
  HalfUp,
  /// Toward zero (C `trunc`; upstream MLIR `lower-quant-ops`).
  TowardZero,
  /// Toward -infinity (floor).
  Down,
  /// Toward +infinity (ceil).
  Up,
};

/// The spelling used in IR and on the command line, e.g. "half_to_even".
std::string_view stringifyRoundingMode(RoundingMode mode);
std::optional<RoundingMode> parseRoundingMode(std::string_view name);

/// Rounds `x` to an integral value with `mode`. NaN and infinities are
/// returned unchanged. Exact for every finite double.
double roundToIntegral(double x, RoundingMode mode);

/// The closed range of an integer storage type.
struct IntegerRange {
  int64_t min;
  int64_t max;

  /// Full range of a `bits`-wide integer (1 <= bits <= 63). `narrow` drops
  /// the most negative value of a signed type (symmetric range, e.g.
  /// [-127, 127] for int8).
  static IntegerRange forBits(unsigned bits, bool isSigned,
                              bool narrow = false);

  bool contains(int64_t v) const { return v >= min && v <= max; }
};

/// Clamps `v` into `range`.
inline int64_t saturate(int64_t v, IntegerRange range) {
  return v < range.min ? range.min : (v > range.max ? range.max : v);
}

/// min(max(x, lo), hi) with NaN in, NaN out (as ONNX Runtime and PyTorch
/// clamp).
inline double clampPropagatingNaN(double x, double lo, double hi) {
  return x != x ? x : (x < lo ? lo : (x > hi ? hi : x));
}

/// Rounds `x` with `mode` and clamps it into `range`. NaN maps to 0 (clamped
/// into the range); infinities saturate.
int64_t roundAndSaturate(double x, RoundingMode mode, IntegerRange range);

} // namespace qcc::numerics

#endif // QCC_NUMERICS_ROUNDING_H
