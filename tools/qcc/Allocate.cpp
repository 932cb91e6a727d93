//===- Allocate.cpp - qcc allocate: mixed-precision weight formats --------===//
//
// `qcc allocate CALIBRATED.mlir --calib X.npy --avg-bits 4.5 -o Q.mlir`:
// measures each layer's sensitivity to each candidate weight format (that
// layer alone quantized, the KL divergence of the model's outputs from the
// float model's on calibration samples), chooses one format per layer by
// the bit-allocation ILP (lib/MixedPrecision, CBC) under the budgets
// given, and writes the model quantized with the chosen formats (each
// layer's in `qc.weight_format`); --sweep prints the Pareto frontier.
//
//===----------------------------------------------------------------------===//

#include "MixedPrecision.h"

#include "llvm/Support/Format.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/raw_ostream.h"

#include <cmath>

using namespace llvm;

namespace qcc::driver {

cl::SubCommand allocateCommand(
    "allocate", "Mixed precision: choose a weight format per layer by "
                "measured sensitivity and an integer linear program");

static cl::opt<std::string> allocateModel(
    cl::Positional, cl::Required,
    cl::desc("<calibrated.mlir> (from qcc quantize --calibrated-output)"),
    cl::sub(allocateCommand));
static cl::list<std::string> allocateCalib(
    "calib", cl::desc("Samples for measuring sensitivity (.npy per input)"),
    cl::value_desc("file"), cl::OneOrMore, cl::sub(allocateCommand),
    cl::cat(qccCategory));
static MixedPrecisionFlags allocateFlags(allocateCommand);
static cl::list<double> allocateSweep(
    "sweep",
    cl::desc("Pareto frontier: also solve for each of these average-bits "
             "budgets and print the allocations (with --input/--labels, "
             "their top-1 accuracy too)"),
    cl::CommaSeparated, cl::sub(allocateCommand), cl::cat(qccCategory));
static cl::list<std::string> allocateEvalInput(
    "input",
    cl::desc("Test inputs: each frontier point's measured KL of its outputs "
             "from the float model's (and, with --labels, its top-1 accuracy)"),
    cl::value_desc("file"), cl::sub(allocateCommand), cl::cat(qccCategory));
static cl::opt<std::string> allocateEvalLabels(
    "labels", cl::desc("Test labels for the frontier's accuracy"),
    cl::value_desc("file"), cl::init(""), cl::sub(allocateCommand),
    cl::cat(qccCategory));
static cl::opt<std::string> allocatePlot(
    "plot",
    cl::desc("Write the frontier as an SVG plot (top-1 accuracy, or "
             "summed sensitivity without --labels, against average bits)"),
    cl::value_desc("file.svg"), cl::init(""), cl::sub(allocateCommand),
    cl::cat(qccCategory));
static cl::opt<std::string> allocateOutput("o", cl::desc("Quantized model"),
                                           cl::value_desc("file.mlir"),
                                           cl::Required,
                                           cl::sub(allocateCommand),
                                           cl::cat(qccCategory));

namespace {

/// An SVG line plot of the frontier: average weight bits on x (a tick per
/// bit), `yLabel` on y (five ticks), a dot per allocation.
Error writeFrontierPlot(StringRef path,
                        ArrayRef<std::pair<double, double>> points,
                        StringRef yLabel) {
  if (points.empty())
    return createStringError(inconvertibleErrorCode(),
                             "--plot: no allocation to plot");
  double x0 = 1e9, x1 = -1e9, y0 = 1e9, y1 = -1e9;
  for (auto [x, y] : points) {
    x0 = std::min(x0, x);
    x1 = std::max(x1, x);
    y0 = std::min(y0, y);
    y1 = std::max(y1, y);
  }
  x0 = std::floor(x0);
  x1 = std::max(std::ceil(x1), x0 + 1);
  const double pad = y1 > y0 ? 0.05 * (y1 - y0) : 1;
  y0 -= pad;
  y1 += pad;
  std::string svgText;
  raw_string_ostream svg(svgText);
  const double W = 560, H = 360, left = 70, right = 20, top = 20, bottom = 50;
  auto px = [&](double x) {
    return left + (x - x0) / (x1 - x0) * (W - left - right);
  };
  auto py = [&](double y) {
    return H - bottom - (y - y0) / (y1 - y0) * (H - top - bottom);
  };
  svg << format("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%.0f\" "
                "height=\"%.0f\" font-family=\"sans-serif\" "
                "font-size=\"12\">\n",
                W, H)
      << format("<rect width=\"%.0f\" height=\"%.0f\" fill=\"white\"/>\n", W,
                H);
  for (double x = x0; x <= x1 + 1e-9; x += 1)
    svg << format("<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" "
                  "stroke=\"#ddd\"/>\n<text x=\"%.1f\" y=\"%.1f\" "
                  "text-anchor=\"middle\">%.0f</text>\n",
                  px(x), py(y0), px(x), py(y1), px(x), H - bottom + 16, x);
  for (int i = 0; i <= 4; ++i) {
    const double y = y0 + (y1 - y0) * i / 4;
    svg << format("<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" "
                  "stroke=\"#ddd\"/>\n<text x=\"%.1f\" y=\"%.1f\" "
                  "text-anchor=\"end\">%.4g</text>\n",
                  px(x0), py(y), px(x1), py(y), left - 6, py(y) + 4, y);
  }
  svg << format("<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\">"
                "average weight bits</text>\n",
                (left + W - right) / 2, H - 10)
      << format("<text transform=\"translate(16,%.1f) rotate(-90)\" "
                "text-anchor=\"middle\">%s</text>\n",
                (top + H - bottom) / 2, yLabel.str().c_str());
  std::string line;
  for (auto [x, y] : points) {
    line += formatv("{0:F1},{1:F1} ", px(x), py(y)).str();
    svg << format("<circle cx=\"%.1f\" cy=\"%.1f\" r=\"3.5\" "
                  "fill=\"steelblue\"/>\n",
                  px(x), py(y));
  }
  svg << "<polyline fill=\"none\" stroke=\"steelblue\" points=\"" << line
      << "\"/>\n</svg>\n";
  return writeFileAtomically(path, [&](raw_ostream &os) {
    os << svgText;
    return Error::success();
  });
}

} // namespace

int runAllocate() {
  {
    std::vector<std::string> inputs(allocateCalib.begin(), allocateCalib.end());
    inputs.push_back(allocateModel);
    if (Error e = checkOutputIsNotAnInput(allocateOutput, inputs))
      return fail("allocate", toString(std::move(e)));
  }
  auto parsed = allocateFlags.parse();
  if (!parsed)
    return fail("allocate", toString(parsed.takeError()));
  auto &[options, budgets] = *parsed;
  if (!allocateSweep.empty() && budgets.avgBits <= 0)
    return fail("allocate", "--sweep varies --avg-bits: give it too");
  if (allocateSweep.empty() &&
      (!allocatePlot.empty() || !allocateEvalInput.empty() ||
       !allocateEvalLabels.empty()))
    return fail("allocate", "--plot, --input and --labels evaluate the "
                            "frontier: give --sweep too");

  mlir::MLIRContext context;
  auto module = loadModel(context, allocateModel);
  if (!module)
    return fail("allocate", toString(module.takeError()));
  mlir::func::FuncOp func = getMainFunction(**module);
  if (!func)
    return fail("allocate", allocateModel + " has no function");
  auto arrays = readArguments(func, allocateCalib, "--calib");
  if (!arrays)
    return fail("allocate", toString(arrays.takeError()));
  std::vector<interp::Tensor> inputs;
  for (const NpyArray &a : *arrays)
    inputs.emplace_back(a.shape, a.toDoubles());
  auto problem = buildAllocationProblem(**module, inputs, options, budgets);
  if (!problem)
    return fail("allocate", toString(problem.takeError()));
  double solveSeconds;
  std::string refinement;
  raw_string_ostream refinementLog(refinement);
  auto solved = chooseAllocation(**module, *problem, problem->ilp, options,
                                 solveSeconds, &refinementLog);
  if (!solved)
    return fail("allocate", toString(solved.takeError()));

  if (!allocateSweep.empty()) {
    // Test data: the measured KL of each allocation's outputs from the
    // float model's (--input) and its top-1 accuracy (--labels).
    std::optional<interp::Tensor> testInputs, floatLogits;
    std::vector<double> labels;
    if (!allocateEvalInput.empty()) {
      auto x = readArguments(func, allocateEvalInput, "--input");
      if (!x)
        return fail("allocate", toString(x.takeError()));
      testInputs = interp::Tensor((*x)[0].shape, (*x)[0].toDoubles());
      auto reference = interp::runFunction(func, {*testInputs});
      if (!reference)
        return fail("allocate", toString(reference.takeError()));
      floatLogits = (*reference)[0];
    }
    if (!allocateEvalLabels.empty()) {
      if (!testInputs)
        return fail("allocate", "--labels needs --input");
      auto y = readNpy(allocateEvalLabels);
      if (!y)
        return fail("allocate", toString(y.takeError()));
      labels = y->toDoubles();
    }
    struct Point {
      double bits, cost, accuracy;
      std::vector<int> choice;
    };
    std::vector<Point> frontier;
    outs() << "Pareto frontier (average weight bits budget: achieved bits "
              "[formats], predicted KL = summed sensitivity"
           << (testInputs ? ", measured KL on --input" : "")
           << (labels.empty() ? "" : ", top-1 %") << "):\n";
    for (double budget : allocateSweep) {
      mp::Problem sweep = problem->ilp;
      sweep.resources[0].budget = budget;
      double seconds;
      // What smaller budgets chose still fits: compared too, so that a
      // larger budget never ends up further from the float model.
      std::vector<std::vector<int>> chosenBefore;
      for (const Point &p : frontier)
        chosenBefore.push_back(p.choice);
      auto a = chooseAllocation(**module, *problem, sweep, options, seconds,
                                nullptr, chosenBefore);
      if (!a) {
        outs() << format("  %.2f: %s\n", budget,
                         toString(a.takeError()).c_str());
        continue;
      }
      std::string formatsText;
      for (size_t l = 0; l < problem->layers.size(); ++l)
        formatsText += (l ? "," : "") + problem->formats[a->choice[l]].name();
      double accuracy = -1, measuredKL = -1;
      if (testInputs) {
        mlir::OwningOpRef<mlir::ModuleOp> clone((*module)->clone());
        if (Error e = applyAllocation(*clone, *problem, *a, options.quantize))
          return fail("allocate", toString(std::move(e)));
        auto out = interp::runFunction(getMainFunction(*clone), {*testInputs});
        if (!out)
          return fail("allocate", toString(out.takeError()));
        const interp::Tensor &logits = (*out)[0];
        measuredKL = meanSoftmaxKL(*floatLogits, logits);
        if (!labels.empty()) {
          const int64_t n = logits.shape[0];
          int64_t correct = 0;
          for (int64_t i = 0; i < n; ++i)
            correct += argmax(logits, i) == static_cast<int64_t>(labels[i]);
          accuracy = 100.0 * correct / n;
        }
      }
      frontier.push_back({a->used[0], a->cost, accuracy, a->choice});
      outs() << format("  %.2f: %.3f bits [%s] %.3e", budget, a->used[0],
                       formatsText.c_str(), a->cost);
      if (measuredKL >= 0)
        outs() << format(" %.3e", measuredKL);
      if (accuracy >= 0)
        outs() << format(" %.2f%%", accuracy);
      outs() << format(" (solved in %.3f s)\n", seconds);
    }
    if (!allocatePlot.empty()) {
      const bool acc = !labels.empty();
      std::vector<std::pair<double, double>> points;
      for (const Point &p : frontier)
        points.push_back({p.bits, acc ? p.accuracy : p.cost});
      if (Error e = writeFrontierPlot(
              allocatePlot, points,
              acc ? "top-1 accuracy (%)" : "predicted KL (summed sensitivity)"))
        return fail("allocate", toString(std::move(e)));
    }
  }

  if (Error e = applyAllocation(**module, *problem, *solved, options.quantize))
    return fail("allocate", toString(std::move(e)));
  printAllocation(outs(), *problem, *solved);
  outs() << refinement;
  outs() << format("ILP: %zu layers x %zu candidates x %zu budgets, solved "
                   "by CBC in %.3f s\n",
                   problem->layers.size(), problem->formats.size(),
                   problem->ilp.resources.size(), solveSeconds);

  if (Error e = writeModule(**module, allocateOutput))
    return fail("allocate", toString(std::move(e)));
  return 0;
}

} // namespace qcc::driver
