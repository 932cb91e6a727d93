//===- FpgaCost.cpp - qcc's FPGA resource model of a multiplier -----------===//

#include "qcc/Support/FpgaCost.h"

#include <algorithm>
#include <cmath>

qcc::FpgaMultiplierCost qcc::fpgaMultiplierCost(double a, double b) {
  const double narrow = std::min(a, b), wide = std::max(a, b);
  if (wide > 9)
    return {0, std::ceil(wide / 27) * std::ceil(narrow / 18)};
  if (narrow <= 2)
    return {wide + 2, 0};
  return {narrow * wide, 0};
}

double qcc::fpgaBlockRams(double bits, double banks) {
  if (banks < 1)
    banks = 1;
  const double perBank = bits / banks;
  if (perBank <= 1024)
    return 0;
  return banks * std::ceil(perBank / 18432);
}
