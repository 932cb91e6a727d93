//===- bit_allocation.cpp - Solve time of the bit-allocation ILP ----------===//
//
// Prints CBC's solve time on random ResNet-18-sized instances (21 layers x
// 8 candidates x 1-3 budgets): the median of several solves per size. Built
// by `ninja -C build qcc-bench-bit-allocation`; run by
// bench/bit_allocation.sh. The unit tests check the answers, not the time.
//
//===----------------------------------------------------------------------===//

#include "../unittests/MixedPrecision/RandomProblem.h"

#include <algorithm>
#include <chrono>
#include <cstdio>

using namespace qcc::mp;

int main() {
  std::printf("| layers | candidates | budgets | median solve (s) | max (s) |\n"
              "|---|---|---|---|---|\n");
  for (int layers : {21, 53}) {
    for (int budgets = 1; budgets <= 3; ++budgets) {
      std::vector<double> seconds;
      for (int seed = 0; seed < 7; ++seed) {
        std::mt19937 rng(seed);
        Problem p = randomProblem(rng, layers, 8, budgets, 0.4);
        const auto start = std::chrono::steady_clock::now();
        auto a = createCbcSolver()->solve(p);
        seconds.push_back(std::chrono::duration<double>(
                              std::chrono::steady_clock::now() - start)
                              .count());
        if (!a) {
          std::fprintf(stderr, "seed %d: %s\n", seed,
                       llvm::toString(a.takeError()).c_str());
          return 1;
        }
      }
      std::sort(seconds.begin(), seconds.end());
      std::printf("| %d | 8 | %d | %.3f | %.3f |\n", layers, budgets,
                  seconds[seconds.size() / 2], seconds.back());
    }
  }
  return 0;
}
