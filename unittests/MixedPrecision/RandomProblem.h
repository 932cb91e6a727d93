//===- RandomProblem.h - Random bit-allocation instances --------*- C++ -*-===//
//
// Shared by the solver's unit tests and its benchmark
// (bench/bit_allocation.cpp).
//
//===----------------------------------------------------------------------===//

#ifndef QCC_UNITTESTS_MIXEDPRECISION_RANDOMPROBLEM_H
#define QCC_UNITTESTS_MIXEDPRECISION_RANDOMPROBLEM_H

#include "qcc/MixedPrecision/BitAllocation.h"

#include <algorithm>
#include <random>
#include <string>
#include <vector>

namespace qcc::mp {

/// Layers with candidate formats of decreasing sensitivity and increasing
/// size (as bit widths do), plus random other resources; each budget lies
/// `tightness` of the way from the least to the most any allocation uses.
inline Problem randomProblem(std::mt19937 &rng, int layers, int candidates,
                      int resources, double tightness) {
  std::uniform_real_distribution<double> unit(0.0, 1.0);
  Problem p;
  std::vector<double> least(resources, 0), most(resources, 0);
  for (int l = 0; l < layers; ++l) {
    Layer layer{"layer" + std::to_string(l), {}};
    for (int j = 0; j < candidates; ++j) {
      Candidate c{"f" + std::to_string(j), unit(rng) * (candidates - j), {}};
      for (int r = 0; r < resources; ++r)
        c.resources.push_back(r == 0 ? (j + 1) * (1 + unit(rng))
                                     : 10 * unit(rng));
      layer.candidates.push_back(c);
    }
    for (int r = 0; r < resources; ++r) {
      double lo = 1e9, hi = 0;
      for (const Candidate &c : layer.candidates) {
        lo = std::min(lo, c.resources[r]);
        hi = std::max(hi, c.resources[r]);
      }
      least[r] += lo;
      most[r] += hi;
    }
    p.layers.push_back(layer);
  }
  for (int r = 0; r < resources; ++r)
    p.resources.push_back({"r" + std::to_string(r),
                           least[r] + tightness * (most[r] - least[r])});
  return p;
}

} // namespace qcc::mp

#endif // QCC_UNITTESTS_MIXEDPRECISION_RANDOMPROBLEM_H
