//===- BitAllocation.cpp - Per-layer format choice as an ILP --------------===//

#include "qcc/MixedPrecision/BitAllocation.h"

#include "llvm/ADT/Twine.h"
#include "llvm/Support/FormatVariadic.h"

#include <coin/Cbc_C_Interface.h>

#include <cmath>
#include <cstdio>
#include <limits>
#include <optional>

using namespace qcc::mp;
using llvm::Twine;

namespace {

llvm::Error error(const Twine &message) {
  return llvm::createStringError(llvm::inconvertibleErrorCode(), message);
}

/// 7, 1.5, 1e+12: a number as people write it.
std::string number(double v) {
  char text[32];
  std::snprintf(text, sizeof text, "%.10g", v);
  return text;
}

/// The least of resource r any allocation uses: each layer at its cheapest
/// candidate for r.
double minimumUse(const Problem &problem, size_t r) {
  double total = 0;
  for (const Layer &layer : problem.layers) {
    double least = std::numeric_limits<double>::infinity();
    for (const Candidate &c : layer.candidates)
      least = std::min(least, c.resources[r]);
    total += least;
  }
  return total;
}

} // namespace

llvm::Error qcc::mp::checkProblem(const Problem &problem) {
  if (problem.layers.empty())
    return error("bit allocation: no layers");
  for (const std::vector<int> &other : problem.excluded) {
    bool valid = other.size() == problem.layers.size();
    for (size_t l = 0; valid && l < other.size(); ++l)
      valid = other[l] >= 0 &&
              other[l] < static_cast<int>(problem.layers[l].candidates.size());
    if (!valid)
      return error("bit allocation: an excluded allocation does not name "
                   "one candidate per layer");
  }
  for (const Layer &layer : problem.layers) {
    if (layer.candidates.empty())
      return error("bit allocation: layer '" + layer.name +
                   "' has no candidate formats");
    for (const Candidate &c : layer.candidates) {
      if (c.resources.size() != problem.resources.size())
        return error("bit allocation: candidate '" + c.format + "' of layer '" +
                     layer.name + "' has " + Twine(c.resources.size()) +
                     " resource values for " +
                     Twine(problem.resources.size()) + " resources");
      if (!std::isfinite(c.cost) || c.cost < 0)
        return error("bit allocation: candidate '" + c.format + "' of layer '" +
                     layer.name + "' has cost " + number(c.cost) +
                     " (expected a finite, non-negative sensitivity)");
      for (double v : c.resources)
        if (!std::isfinite(v))
          return error("bit allocation: candidate '" + c.format +
                       "' of layer '" + layer.name +
                       "' has a non-finite resource use");
    }
  }
  for (size_t r = 0; r < problem.resources.size(); ++r) {
    const double least = minimumUse(problem, r);
    if (least > problem.resources[r].budget)
      return error(llvm::formatv(
          "bit allocation: the {0} budget {1} cannot be met; the smallest "
          "feasible {0} budget is {2} (every layer at its smallest candidate)",
          problem.resources[r].name, number(problem.resources[r].budget),
          number(least)));
  }
  return llvm::Error::success();
}

Allocation qcc::mp::evaluate(const Problem &problem, std::vector<int> choice) {
  Allocation a;
  a.used.assign(problem.resources.size(), 0.0);
  for (size_t l = 0; l < problem.layers.size(); ++l) {
    const Candidate &c = problem.layers[l].candidates[choice[l]];
    a.cost += c.cost;
    for (size_t r = 0; r < a.used.size(); ++r)
      a.used[r] += c.resources[r];
  }
  a.choice = std::move(choice);
  return a;
}

namespace {

/// Budgets may be met with equality up to rounding in the sums.
bool withinBudgets(const Problem &problem, const Allocation &a) {
  for (size_t r = 0; r < a.used.size(); ++r) {
    const double budget = problem.resources[r].budget;
    if (a.used[r] > budget + 1e-9 * std::max(1.0, std::fabs(budget)))
      return false;
  }
  return true;
}

/// The objective both solvers minimise: each candidate's sensitivity
/// scaled so that the largest is 1e6, plus a tie-breaking term of at most
/// 1e-3 in total: its use of the first resource over the largest total use
/// possible. Sensitivities span many decades (KL from 1e-7 to 10), and CBC
/// prunes nodes that cannot improve the objective by its cutoff increment
/// (about 1e-5, absolute): scaled to 1e6, differences down to 1e-11 of the
/// largest sensitivity still count, and the tie term (1e-9 of it) decides
/// only between allocations that are equal to that precision.
struct Objective {
  double costScale = 1, resourceScale = 0;

  explicit Objective(const Problem &problem) {
    double largest = 0, total = 0;
    for (const Layer &l : problem.layers) {
      double most = 0;
      for (const Candidate &c : l.candidates) {
        largest = std::max(largest, c.cost);
        if (!problem.resources.empty())
          most = std::max(most, std::fabs(c.resources[0]));
      }
      total += most;
    }
    costScale = largest > 0 ? 1e6 / largest : 1;
    resourceScale = total > 0 ? 1e-3 / total : 0;
  }
  double operator()(const Candidate &c) const {
    return c.cost * costScale +
           (c.resources.empty() ? 0 : c.resources[0] * resourceScale);
  }
};

llvm::Error infeasible(const Problem &problem) {
  // Each budget alone can be met (checkProblem), not all together.
  std::string budgets;
  for (const Resource &r : problem.resources)
    budgets += (budgets.empty() ? "" : ", ") + r.name + " <= " +
               number(r.budget);
  return error("bit allocation: no allocation meets all budgets together (" +
               budgets + "); each can be met alone: relax one");
}

struct BruteForceSolver : Solver {
  std::string name() const override { return "brute force"; }

  llvm::Expected<Allocation> solve(const Problem &problem) override {
    if (llvm::Error e = checkProblem(problem))
      return std::move(e);
    double count = 1;
    for (const Layer &l : problem.layers)
      count *= l.candidates.size();
    if (count > (1 << 24))
      return error("bit allocation: " + number(count) +
                   " allocations are too many to enumerate");
    const Objective objective(problem);
    std::vector<int> choice(problem.layers.size(), 0);
    std::optional<Allocation> best;
    double bestScore = 0;
    for (;;) {
      Allocation a = evaluate(problem, choice);
      double score = 0;
      for (size_t l = 0; l < choice.size(); ++l)
        score += objective(problem.layers[l].candidates[choice[l]]);
      if (withinBudgets(problem, a) &&
          !llvm::is_contained(problem.excluded, a.choice) &&
          (!best || score < bestScore)) {
        best = std::move(a);
        bestScore = score;
      }
      size_t l = 0;
      for (; l < choice.size(); ++l) {
        if (++choice[l] < static_cast<int>(problem.layers[l].candidates.size()))
          break;
        choice[l] = 0;
      }
      if (l == choice.size())
        break;
    }
    if (!best)
      return infeasible(problem);
    return *best;
  }
};

struct CbcSolver : Solver {
  std::string name() const override { return "CBC"; }

  /// The MILP: binary x[l][j], exactly one per layer, the budgets;
  /// minimises sum(objective * x).
  /// The choice, or an error (infeasible, no proven optimum).
  llvm::Expected<std::vector<int>>
  solveOnce(const Problem &problem,
            llvm::function_ref<double(const Candidate &)> objective) {
    Cbc_Model *model = Cbc_newModel();
    Cbc_setLogLevel(model, 0);
    Cbc_setParameter(model, "threads", "1");
    // CBC 2.10's preprocessing returned non-optimal allocations (claiming
    // optimality) once exclusion rows were added (NextBestAllocationsInOrder
    // in the unit tests); these problems are small enough without it.
    Cbc_setParameter(model, "preprocess", "off");
    // One binary column per (layer, candidate).
    std::vector<std::pair<size_t, size_t>> columns;
    for (size_t l = 0; l < problem.layers.size(); ++l)
      for (size_t j = 0; j < problem.layers[l].candidates.size(); ++j) {
        const std::string name =
            "x" + std::to_string(l) + "_" + std::to_string(j);
        Cbc_addCol(model, name.c_str(), 0.0, 1.0,
                   objective(problem.layers[l].candidates[j]),
                   /*isInteger=*/1, 0, nullptr, nullptr);
        columns.push_back({l, j});
      }
    auto candidate = [&](size_t c) -> const Candidate & {
      return problem.layers[columns[c].first].candidates[columns[c].second];
    };
    // Exactly one choice per layer.
    int first = 0;
    for (size_t l = 0; l < problem.layers.size(); ++l) {
      const int n = problem.layers[l].candidates.size();
      std::vector<int> index(n);
      std::vector<double> ones(n, 1.0);
      for (int j = 0; j < n; ++j)
        index[j] = first + j;
      const std::string name = "one_" + std::to_string(l);
      Cbc_addRow(model, name.c_str(), n, index.data(), ones.data(), 'E', 1.0);
      first += n;
    }
    // A row sum(f(candidate) * x) <= bound, over the non-zero terms.
    auto addRow = [&](const std::string &name,
                      llvm::function_ref<double(const Candidate &)> f,
                      double bound) {
      std::vector<int> index;
      std::vector<double> value;
      for (size_t c = 0; c < columns.size(); ++c)
        if (const double v = f(candidate(c)); v != 0) {
          index.push_back(static_cast<int>(c));
          value.push_back(v);
        }
      Cbc_addRow(model, name.c_str(), static_cast<int>(index.size()),
                 index.data(), value.data(), 'L', bound);
    };
    for (size_t r = 0; r < problem.resources.size(); ++r)
      addRow(
          "budget_" + std::to_string(r),
          [&](const Candidate &c) { return c.resources[r]; },
          problem.resources[r].budget);
    // Each excluded allocation: at most L - 1 of its choices.
    int excludedRows = 0;
    for (const std::vector<int> &other : problem.excluded) {
      std::vector<int> index;
      std::vector<double> ones;
      int column = 0;
      for (size_t l = 0; l < problem.layers.size(); ++l) {
        index.push_back(column + other[l]);
        ones.push_back(1.0);
        column += problem.layers[l].candidates.size();
      }
      const std::string name = "excluded_" + std::to_string(excludedRows++);
      Cbc_addRow(model, name.c_str(), static_cast<int>(index.size()),
                 index.data(), ones.data(), 'L',
                 static_cast<double>(problem.layers.size()) - 1);
    }
    Cbc_solve(model);
    const bool infeasibleModel = Cbc_isProvenInfeasible(model);
    const bool optimal = Cbc_isProvenOptimal(model);
    std::vector<int> choice(problem.layers.size(), -1);
    if (optimal) {
      const double *x = Cbc_getColSolution(model);
      for (size_t c = 0; c < columns.size(); ++c)
        if (x[c] > 0.5)
          choice[columns[c].first] = static_cast<int>(columns[c].second);
    }
    Cbc_deleteModel(model);
    if (infeasibleModel)
      return infeasible(problem);
    if (!optimal)
      return error("bit allocation: CBC stopped without an optimal solution");
    for (int j : choice)
      if (j < 0)
        return error("bit allocation: CBC returned no choice for a layer");
    return choice;
  }

  llvm::Expected<Allocation> solve(const Problem &problem) override {
    if (llvm::Error e = checkProblem(problem))
      return std::move(e);
    auto choice = solveOnce(problem, Objective(problem));
    if (!choice)
      return choice.takeError();
    return evaluate(problem, std::move(*choice));
  }
};

} // namespace

llvm::Expected<std::vector<Allocation>>
qcc::mp::solveBest(Solver &solver, Problem problem, unsigned count) {
  std::vector<Allocation> result;
  while (result.size() < count) {
    auto next = solver.solve(problem);
    if (!next) {
      if (result.empty())
        return next.takeError();
      llvm::consumeError(next.takeError()); // no further allocation
      break;
    }
    problem.excluded.push_back(next->choice);
    result.push_back(std::move(*next));
  }
  return result;
}

std::unique_ptr<Solver> qcc::mp::createCbcSolver() {
  return std::make_unique<CbcSolver>();
}

std::unique_ptr<Solver> qcc::mp::createBruteForceSolver() {
  return std::make_unique<BruteForceSolver>();
}
