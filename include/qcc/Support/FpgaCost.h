//===- FpgaCost.h - qcc's FPGA resource model of a multiplier ---*- C++ -*-===//
//
// One model of what a multiplier costs on an FPGA (AMD DSP48E2 fabric),
// shared by the mixed-precision ILP's FPGA budgets and the HLS target's
// resource report, so that the allocation is made against the figures the
// generated design reports. docs/hls.md lists the rules and where they
// come from.
//
//===----------------------------------------------------------------------===//

#ifndef QCC_SUPPORT_FPGACOST_H
#define QCC_SUPPORT_FPGACOST_H

namespace qcc {

/// The LUTs and DSP slices of one multiplier of an `a`-bit by a `b`-bit
/// operand (signed widths; minifloats count their significand plus
/// exponent bits):
///   - an operand wider than 9 bits: DSP48E2 slices (27 x 18-bit signed
///     multipliers), ceil(wider / 27) * ceil(narrower / 18), no LUTs;
///   - else, an operand of at most 2 bits: an adder and a negation of the
///     other, about (other width + 2) LUTs;
///   - else LUTs, about a * b (Vivado's choice below about 10 bits, as
///     hls4ml measured).
struct FpgaMultiplierCost {
  double luts = 0;
  double dsps = 0;
};
FpgaMultiplierCost fpgaMultiplierCost(double a, double b);

/// The 18-kbit block RAMs an array of `bits` bits takes in `banks`
/// partitions; 0 when it is small enough for LUT RAM or registers (1024
/// bits or less per bank).
double fpgaBlockRams(double bits, double banks = 1);

} // namespace qcc

#endif // QCC_SUPPORT_FPGACOST_H
