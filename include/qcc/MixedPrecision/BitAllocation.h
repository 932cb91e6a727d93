//===- BitAllocation.h - Per-layer format choice as an ILP -----*- C++ -*-===//
//
// Mixed precision (HAWQ-V3; "Improving Post Training Neural Quantization:
// Layer-wise Calibration and Integer Programming"): each layer picks one
// candidate format; minimise the summed sensitivity subject to budgets on
// resources (model bytes, BOPs, latency, ...). An integer linear program
// over one-hot choice variables, solved by a real MILP solver (CBC) behind
// a small interface; a brute-force solver checks it in the tests.
//
//===----------------------------------------------------------------------===//

#ifndef QCC_MIXEDPRECISION_BITALLOCATION_H
#define QCC_MIXEDPRECISION_BITALLOCATION_H

#include "llvm/Support/Error.h"

#include <memory>
#include <string>
#include <vector>

namespace qcc::mp {

/// One candidate format of one layer: its sensitivity (the loss increase of
/// quantizing this layer alone with it) and its use of each resource.
struct Candidate {
  std::string format;             // e.g. "int4"
  double cost;                    // sensitivity, >= 0
  std::vector<double> resources;  // one per Problem::resources entry
};

struct Layer {
  std::string name;
  std::vector<Candidate> candidates;
};

/// A resource and its budget (the total over layers must not exceed it).
struct Resource {
  std::string name; // e.g. "size (bytes)"
  double budget;
};

struct Problem {
  std::vector<Layer> layers;
  std::vector<Resource> resources;
  /// Allocations (a candidate index per layer) the solution must differ
  /// from: solving again with the previous optima excluded gives the next
  /// best allocations in order (see solveBest).
  std::vector<std::vector<int>> excluded;
};

/// A choice per layer (candidate index) and its totals.
struct Allocation {
  std::vector<int> choice;
  double cost = 0;
  std::vector<double> used; // per resource
};

/// Checks the problem (every layer has candidates, resource vectors have
/// the right length, finite values) and, if a budget cannot be met even
/// with each layer at its cheapest candidate for that resource, fails
/// naming the smallest feasible budget.
llvm::Error checkProblem(const Problem &problem);

/// The totals of `choice`.
Allocation evaluate(const Problem &problem, std::vector<int> choice);

/// A solver of the bit-allocation ILP. Deterministic: the same problem
/// always gives the same allocation (CBC runs single-threaded with fixed
/// settings). The tie rule: solvers minimise sum(cost) * 1e6 / (largest
/// cost) + 1e-3 * sum(use of the first resource) / (its largest possible
/// total), so among allocations whose summed sensitivities agree to 1e-9
/// of the largest sensitivity the one using least of the first resource
/// wins. Allocations that tie on both go to CBC's pick or brute force's
/// first in enumeration order (layer 0's choice varying fastest).
class Solver {
public:
  virtual ~Solver() = default;
  virtual std::string name() const = 0;
  /// The optimal allocation, or an error (infeasible, solver failure).
  virtual llvm::Expected<Allocation> solve(const Problem &problem) = 0;
};

/// Up to `count` allocations in order of increasing objective: the optimum,
/// then the optimum with it excluded, and so on (fewer when the feasible
/// allocations run out).
llvm::Expected<std::vector<Allocation>>
solveBest(Solver &solver, Problem problem, unsigned count);

/// CBC (COIN-OR branch and cut) through its C API.
std::unique_ptr<Solver> createCbcSolver();
/// Exhaustive enumeration: for tests and tiny problems (at most 2^24
/// allocations).
std::unique_ptr<Solver> createBruteForceSolver();

} // namespace qcc::mp

#endif // QCC_MIXEDPRECISION_BITALLOCATION_H
