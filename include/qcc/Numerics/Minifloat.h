//===- Minifloat.h - FP8/FP6/FP4/E8M0 encode and decode ---------*- C++ -*-===//
//
// Codecs for the low-bit float formats qcc supports. Names follow MLIR's
// builtin float types (and LLVM APFloat) so that `f8E4M3FN` means the same
// thing in IR, on the command line and here.
//
//   format     bits  bias  max        Inf  NaN                 used for
//   f8E4M3FN   8     7     448        no   S.1111.111          FP8 (OCP)
//   f8E5M2     8     15    57344      yes  S.11111.{01,10,11}  FP8 (OCP)
//   f6E3M2FN   6     3     28         no   no                  FP6 (OCP MX)
//   f6E2M3FN   6     1     7.5        no   no                  FP6 (OCP MX)
//   f4E2M1FN   4     1     6          no   no                  FP4 (OCP MX)
//   f8E8M0FNU  8     127   2^127      no   0xFF                MX block scale
//
// Codes are the format's bits in the low bits of a uint8_t, sign bit highest.
//
//===----------------------------------------------------------------------===//

#ifndef QCC_NUMERICS_MINIFLOAT_H
#define QCC_NUMERICS_MINIFLOAT_H

#include "qcc/Numerics/Rounding.h"

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace qcc::numerics {

enum class MinifloatKind : uint8_t {
  F8E4M3FN,
  F8E5M2,
  F6E3M2FN,
  F6E2M3FN,
  F4E2M1FN,
  F8E8M0FNU,
};

inline constexpr std::array<MinifloatKind, 6> kAllMinifloatKinds = {
    MinifloatKind::F8E4M3FN, MinifloatKind::F8E5M2,   MinifloatKind::F6E3M2FN,
    MinifloatKind::F6E2M3FN, MinifloatKind::F4E2M1FN, MinifloatKind::F8E8M0FNU};

/// How a format spells NaN, if at all.
enum class NanEncoding : uint8_t {
  None,          ///< No NaN (FP6, FP4).
  Ieee,          ///< Exponent all ones, mantissa non-zero (E5M2).
  AllOnes,       ///< Only exponent and mantissa all ones (E4M3FN, E8M0FNU).
};

/// A sign/exponent/mantissa layout with its special-value rules.
struct MinifloatFormat {
  MinifloatKind kind;
  std::string_view name; ///< MLIR builtin type name, e.g. "f8E4M3FN".
  unsigned exponentBits;
  unsigned mantissaBits;
  int bias;
  bool hasSign;
  bool hasInfinity;
  bool hasZero; ///< E8M0FNU has no zero (and no subnormals).
  NanEncoding nan;

  unsigned bits() const { return (hasSign ? 1 : 0) + exponentBits + mantissaBits; }
  unsigned numCodes() const { return 1u << bits(); }
  /// Exponent of the smallest normal number (1 - bias).
  int minNormalExponent() const { return 1 - bias; }
  double maxFinite() const;
  double minNormal() const;
  /// Smallest positive value (a subnormal where the format has them).
  double minPositive() const;
  /// floor(log2(maxFinite())): the "emax" of the OCP MX specification.
  int maxExponent() const;
  /// What sets the format apart, space-separated: "inf", "nan", "no-zero",
  /// "unsigned" ("-" for none).
  std::string specials() const;
};

const MinifloatFormat &getMinifloatFormat(MinifloatKind kind);
std::optional<MinifloatKind> parseMinifloatKind(std::string_view name);

/// True if `code` is a NaN of `kind`.
bool isNanCode(MinifloatKind kind, uint8_t code);

/// The exact value of `code` (NaN for NaN codes, +-inf for infinity codes).
/// Every value of every supported format is exactly representable in float.
double decodeMinifloat(MinifloatKind kind, uint8_t code);

/// Encodes `x` into `kind`, rounding with `mode`.
///
/// Overflow (|rounded x| > maxFinite, or x infinite):
///  - `saturate` (ONNX `saturate=1`, the default for FP8 casts): +-maxFinite.
///  - otherwise: +-inf where the format has it, else NaN where the format has
///    it, else +-maxFinite (FP6/FP4 cannot do anything but saturate).
/// NaN input: the canonical NaN where the format has one; FP6/FP4 have none
/// and encode NaN as +0 (documented in docs/numerics.md).
/// Negative zero keeps its sign. For the unsigned, zero-less E8M0FNU: values
/// <= 0 and NaN give NaN; positive values round in the exponent (mantissa-less
/// rounding of the binade), saturating to [2^-127, 2^127].
uint8_t encodeMinifloat(MinifloatKind kind, double x,
                        RoundingMode mode = RoundingMode::HalfToEven,
                        bool saturate = true);

/// Round-trips `x` through `kind`: decode(encode(x)).
inline double roundToMinifloat(MinifloatKind kind, double x,
                               RoundingMode mode = RoundingMode::HalfToEven,
                               bool saturate = true) {
  return decodeMinifloat(kind, encodeMinifloat(kind, x, mode, saturate));
}

} // namespace qcc::numerics

#endif // QCC_NUMERICS_MINIFLOAT_H
