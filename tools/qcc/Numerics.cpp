//===- Numerics.cpp - qcc formats and qcc dyadic --------------------------===//

#include "Driver.h"

#include "qcc/Numerics/Dyadic.h"
#include "qcc/Numerics/Minifloat.h"

#include "llvm/Support/Format.h"
#include "llvm/Support/raw_ostream.h"

using namespace llvm;
namespace numerics = qcc::numerics;

namespace qcc::driver {

cl::SubCommand
    formatsCommand("formats",
                   "List the low-bit number formats qcc supports, with their "
                   "ranges as the numerics library computes them");

cl::SubCommand dyadicCommand(
    "dyadic", "Print the dyadic (multiplier, shift) approximation of a real "
              "scale, as integer-only lowering uses it");
static cl::list<double> dyadicScales(cl::Positional, cl::OneOrMore,
                                     cl::desc("<scale>..."),
                                     forCommand(dyadicCommand));
static cl::opt<bool>
    dyadic16("scale16", forCommand(dyadicCommand),
             cl::desc("Use 16-bit multipliers (default: 32-bit)"));

int runFormats() {
  outs() << format("%-10s %4s %5s %12s %12s %12s  %s\n", "format", "bits",
                   "bias", "max", "min normal", "min > 0", "specials");
  for (numerics::MinifloatKind kind : numerics::kAllMinifloatKinds) {
    const numerics::MinifloatFormat &f = numerics::getMinifloatFormat(kind);
    outs() << format("%-10s %4u %5d %12g %12g %12g  %s\n",
                     std::string(f.name).c_str(), f.bits(), f.bias,
                     f.maxFinite(), f.minNormal(), f.minPositive(),
                     f.specials().c_str());
  }
  outs() << "integers: 1 to 16 bits (signed or unsigned), per tensor, per "
            "axis or per group\n";
  return 0;
}

int runDyadic() {
  int status = 0;
  for (double scale : dyadicScales) {
    numerics::DyadicResult result =
        numerics::approximateDyadic(scale, !dyadic16);
    if (!result.scale) {
      errs() << "qcc dyadic: error: " << result.error << "\n";
      status = 1;
      continue;
    }
    outs() << format("%.17g = %d / 2^%d  (relative error %.3g)\n", scale,
                     result.scale->multiplier, result.scale->shift,
                     result.scale->relativeError(scale));
  }
  return status;
}

} // namespace qcc::driver
