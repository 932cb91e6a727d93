//===- WeightFormat.cpp - Weight formats as options spell them ------------===//

#include "qcc/Quantization/WeightFormat.h"

#include "qcc/Numerics/Minifloat.h"
#include "qcc/Numerics/Quantize.h"

using namespace llvm;

namespace qcc::quantization {

Expected<unsigned> parseIntFormat(StringRef text, StringRef flag) {
  auto format = numerics::parseWeightFormat(text);
  if (!format || format->minifloat)
    return createStringError(inconvertibleErrorCode(),
                             "--" + flag + ": expected int2 .. int16, got '" +
                                 text + "'");
  return format->bits;
}

Expected<WeightFormat> parseWeightFormat(StringRef text, StringRef flag) {
  if (auto block = numerics::parseBlockFormat(text))
    return WeightFormat{
        text.str(), text.str(),
        numerics::getMinifloatFormat(block->elementKind).bits()};
  auto format = numerics::parseWeightFormat(text);
  if (!format)
    return createStringError(inconvertibleErrorCode(),
                             "--" + flag +
                                 ": expected int2 .. int16, fp8e4m3, "
                                 "fp8e5m2, fp6e3m2, fp6e2m3, fp4e2m1, mxfp8, "
                                 "mxfp6, mxfp4 or nvfp4, got '" +
                                 text + "'");
  std::string floatType =
      format->minifloat
          ? std::string(numerics::getMinifloatFormat(*format->minifloat).name)
          : "int";
  return WeightFormat{text.str(), floatType, format->bits};
}

} // namespace qcc::quantization
