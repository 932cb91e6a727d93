//===- WeightFormat.h - Weight formats as options spell them ----*- C++ -*-===//

#ifndef QCC_QUANTIZATION_WEIGHTFORMAT_H
#define QCC_QUANTIZATION_WEIGHTFORMAT_H

#include "llvm/Support/Error.h"

#include <string>

namespace qcc::quantization {

/// A weight format as options spell it: int2 .. int16, one of the
/// minifloats fp8e4m3, fp8e5m2, fp6e3m2, fp6e2m3, fp4e2m1, or a block format
/// (mxfp8, mxfp6, mxfp4, nvfp4).
struct WeightFormat {
  std::string name;      // as spelled, e.g. "int4" or "fp8e4m3"
  std::string floatType; // qc-quantize's weight-format: "int" or a float type
  unsigned bits;         // storage bits per weight
  /// qc-quantize's weight-bits (only read for integer formats).
  unsigned quantizeBits() const { return floatType == "int" ? bits : 8; }
};

/// Parses a weight format; errors name the option `flag`.
llvm::Expected<WeightFormat> parseWeightFormat(llvm::StringRef text,
                                               llvm::StringRef flag);
/// Parses int2 .. int16; errors name the option `flag`.
llvm::Expected<unsigned> parseIntFormat(llvm::StringRef text,
                                        llvm::StringRef flag);

} // namespace qcc::quantization

#endif // QCC_QUANTIZATION_WEIGHTFORMAT_H
