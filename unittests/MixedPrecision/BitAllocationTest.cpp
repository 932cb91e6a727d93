//===- BitAllocationTest.cpp - The bit-allocation ILP ---------------------===//
//
// CBC against exhaustive enumeration on random small instances (1 to 3
// budgets, feasible and infeasible), the error naming the smallest feasible
// budget, and determinism on a ResNet-18-sized instance. Its solve time is
// measured by bench/bit_allocation.cpp, not asserted here: wall-clock limits
// fail at random on a loaded machine.
//
//===----------------------------------------------------------------------===//

#include "RandomProblem.h"

#include "qcc/MixedPrecision/BitAllocation.h"

#include <gtest/gtest.h>

#include <random>

using namespace qcc::mp;

namespace {


TEST(BitAllocation, CbcMatchesBruteForce) {
  std::mt19937 rng(1);
  auto cbc = createCbcSolver(), brute = createBruteForceSolver();
  int solved = 0, infeasible = 0;
  for (int trial = 0; trial < 300; ++trial) {
    const int layers = 1 + trial % 5, candidates = 2 + trial % 3,
              resources = 1 + trial % 3;
    const double tightness = (trial % 7) / 6.0;
    Problem p = randomProblem(rng, layers, candidates, resources, tightness);
    auto expected = brute->solve(p);
    auto actual = cbc->solve(p);
    ASSERT_EQ(static_cast<bool>(expected), static_cast<bool>(actual))
        << "trial " << trial;
    if (!expected) {
      llvm::consumeError(expected.takeError());
      llvm::consumeError(actual.takeError());
      ++infeasible;
      continue;
    }
    ++solved;
    EXPECT_NEAR(actual->cost, expected->cost, 1e-9) << "trial " << trial;
    // Random costs: the optimum is unique.
    EXPECT_EQ(actual->choice, expected->choice) << "trial " << trial;
    for (size_t r = 0; r < p.resources.size(); ++r)
      EXPECT_LE(actual->used[r], p.resources[r].budget + 1e-9);
  }
  EXPECT_GT(solved, 200);
  EXPECT_GT(infeasible, 0); // tightness 0 with several budgets
}

TEST(BitAllocation, BudgetNoAllocationMeetsNamesTheSmallestFeasible) {
  Problem p;
  p.layers = {{"conv1", {{"int8", 0.0, {8}}, {"int4", 1.0, {4}}}},
              {"conv2", {{"int8", 0.0, {16}}, {"int2", 3.0, {4}}}}};
  p.resources = {{"size", 7}};
  std::unique_ptr<Solver> solvers[] = {createCbcSolver(),
                                       createBruteForceSolver()};
  for (auto &solver : solvers) {
    auto a = solver->solve(p);
    ASSERT_FALSE(a);
    EXPECT_EQ(llvm::toString(a.takeError()),
              "bit allocation: the size budget 7 cannot be met; the smallest "
              "feasible size budget is 8 (every layer at its smallest "
              "candidate)");
  }
  p.resources = {{"size", 12}};
  auto a = createCbcSolver()->solve(p);
  ASSERT_TRUE(static_cast<bool>(a));
  EXPECT_EQ(a->choice, (std::vector<int>{0, 1})); // 8 + 4 bytes, cost 3
  EXPECT_DOUBLE_EQ(a->cost, 3.0);
}

TEST(BitAllocation, BadProblemsAreErrors) {
  Problem p;
  p.layers = {{"fc", {}}};
  auto a = createCbcSolver()->solve(p);
  ASSERT_FALSE(a);
  EXPECT_EQ(llvm::toString(a.takeError()),
            "bit allocation: layer 'fc' has no candidate formats");
  p.layers = {{"fc", {{"int8", -1.0, {}}}}};
  a = createCbcSolver()->solve(p);
  ASSERT_FALSE(a);
  EXPECT_NE(llvm::toString(a.takeError()).find("has cost -1"),
            std::string::npos);
}

TEST(BitAllocation, ResNetSizedInstanceIsFeasibleAndDeterministic) {
  // About 20 layers x 8 candidates x 3 budgets.
  std::mt19937 rng(7);
  Problem p = randomProblem(rng, 21, 8, 3, 0.4);
  auto a = createCbcSolver()->solve(p);
  ASSERT_TRUE(static_cast<bool>(a)) << llvm::toString(a.takeError());
  ASSERT_EQ(a->choice.size(), p.layers.size());
  for (size_t r = 0; r < p.resources.size(); ++r) {
    double used = 0;
    for (size_t l = 0; l < p.layers.size(); ++l)
      used += p.layers[l].candidates[a->choice[l]].resources[r];
    EXPECT_LE(used, p.resources[r].budget * (1 + 1e-9)) << "budget " << r;
  }
  // Deterministic: the same problem, the same allocation.
  auto again = createCbcSolver()->solve(p);
  ASSERT_TRUE(static_cast<bool>(again));
  EXPECT_EQ(again->choice, a->choice);
}

TEST(BitAllocation, TiesGoToTheLeastFirstResource) {
  // Every allocation costs 0 (robust layers): the documented rule picks the
  // one using the least of the first resource, in both solvers.
  Problem p;
  p.layers = {
      {"a",
       {{"int8", 0.0, {8, 1}}, {"int4", 0.0, {4, 1}}, {"int6", 0.0, {6, 1}}}},
      {"b", {{"int8", 0.0, {16, 1}}, {"int2", 0.0, {4, 1}}}}};
  p.resources = {{"bits", 100}, {"other", 100}};
  std::unique_ptr<Solver> solvers[] = {createCbcSolver(),
                                       createBruteForceSolver()};
  for (auto &solver : solvers) {
    auto a = solver->solve(p);
    ASSERT_TRUE(static_cast<bool>(a)) << solver->name();
    EXPECT_EQ(a->choice, (std::vector<int>{1, 1})) << solver->name();
  }
  // Equal costs that are not zero: the same rule.
  for (Layer &l : p.layers)
    for (Candidate &c : l.candidates)
      c.cost = 0.25;
  for (auto &solver : solvers) {
    auto a = solver->solve(p);
    ASSERT_TRUE(static_cast<bool>(a)) << solver->name();
    EXPECT_EQ(a->choice, (std::vector<int>{1, 1})) << solver->name();
  }
}

TEST(BitAllocation, TinySensitivitiesAreNotLostInSolverTolerances) {
  // Measured KL sensitivities are often 1e-7 .. 1e-4: scaled by 1e-7, the
  // random instances must still match brute force.
  std::mt19937 rng(3);
  auto cbc = createCbcSolver(), brute = createBruteForceSolver();
  for (int trial = 0; trial < 50; ++trial) {
    Problem p = randomProblem(rng, 4, 3, 2, 0.5);
    for (Layer &l : p.layers)
      for (Candidate &c : l.candidates)
        c.cost *= 1e-7;
    auto expected = brute->solve(p);
    auto actual = cbc->solve(p);
    ASSERT_EQ(static_cast<bool>(expected), static_cast<bool>(actual));
    if (!expected) {
      llvm::consumeError(expected.takeError());
      llvm::consumeError(actual.takeError());
      continue;
    }
    EXPECT_EQ(actual->choice, expected->choice) << "trial " << trial;
  }
}

TEST(BitAllocation, WideRangesOfSensitivityKeepTheirOptimum) {
  // digits_cnn's measured sensitivities (KL, 1e-7 .. 10) for int8, int6,
  // int4, int3, int2, fp8e4m3, fp6e3m2, fp4e2m1 and its weight counts:
  // differences of 1e-4 between allocations must survive however the
  // solver scales the objective, at every average-bits budget.
  const double kl[4][8] = {{1.47e-05, 5.42e-04, 1.93e-03, 2.94e-01, 4.18e+00,
                            4.71e-04, 1.15e-03, 1.18e-01},
                           {9.06e-06, 1.64e-04, 2.96e-03, 5.23e-02, 8.38e+00,
                            9.06e-05, 2.01e-04, 5.76e-03},
                           {1.49e-06, 2.19e-06, 8.09e-05, 9.53e-04, 2.40e-01,
                            2.44e-06, 4.42e-05, 1.19e-04},
                           {2.89e-07, 2.12e-06, 6.38e-05, 1.90e-04, 3.18e-03,
                            5.33e-06, 2.40e-05, 1.62e-04}};
  const double weights[4] = {144, 4608, 18432, 640};
  const double bits[8] = {8, 6, 4, 3, 2, 8, 6, 4};
  const double total = 144 + 4608 + 18432 + 640;
  auto cbc = createCbcSolver(), brute = createBruteForceSolver();
  for (double budget : {2.5, 3.0, 3.5, 4.0, 4.5, 5.0, 6.0, 8.0}) {
    Problem p;
    for (int l = 0; l < 4; ++l) {
      Layer layer{"layer" + std::to_string(l), {}};
      for (int f = 0; f < 8; ++f)
        layer.candidates.push_back({"f" + std::to_string(f),
                                    kl[l][f],
                                    {weights[l] * bits[f] / total}});
      p.layers.push_back(layer);
    }
    p.resources = {{"average bits", budget}};
    auto expected = brute->solve(p);
    auto actual = cbc->solve(p);
    ASSERT_TRUE(expected && actual) << budget;
    EXPECT_EQ(actual->choice, expected->choice) << "budget " << budget;
    EXPECT_NEAR(actual->cost, expected->cost, 1e-12) << "budget " << budget;
  }
}

TEST(BitAllocation, NextBestAllocationsInOrder) {
  // solveBest: the optimum, then the best allocation differing from it, ...
  // CBC's sequence equals brute force's (random costs: no ties), costs do
  // not decrease, and no allocation repeats.
  std::mt19937 rng(11);
  auto cbc = createCbcSolver(), brute = createBruteForceSolver();
  for (int trial = 0; trial < 40; ++trial) {
    Problem p = randomProblem(rng, 2 + trial % 3, 3, 1 + trial % 2, 0.7);
    auto expected = solveBest(*brute, p, 6);
    auto actual = solveBest(*cbc, p, 6);
    ASSERT_EQ(static_cast<bool>(expected), static_cast<bool>(actual));
    if (!expected) {
      llvm::consumeError(expected.takeError());
      llvm::consumeError(actual.takeError());
      continue;
    }
    ASSERT_EQ(actual->size(), expected->size()) << "trial " << trial;
    for (size_t i = 0; i < actual->size(); ++i) {
      EXPECT_EQ((*actual)[i].choice, (*expected)[i].choice)
          << "trial " << trial << " rank " << i;
      if (i > 0)
        EXPECT_GE((*actual)[i].cost, (*actual)[i - 1].cost - 1e-12);
    }
  }
}

} // namespace
