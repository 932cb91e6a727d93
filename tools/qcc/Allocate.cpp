//===- Allocate.cpp - qcc allocate: mixed-precision weight formats --------===//
//
// `qcc allocate CALIBRATED.mlir --calib X.npy --avg-bits 4.5 -o Q.mlir`:
// measures each layer's sensitivity to each candidate weight format (that
// layer alone quantized, the KL divergence of the model's outputs from the
// float model's on calibration samples), chooses one format per layer by
// the bit-allocation ILP (lib/MixedPrecision, CBC) under the budgets
// given, and writes the model quantized with the chosen formats (each
// layer's in `qc.weight_format`); --sweep prints the Pareto frontier. The
// work is the quantization library's (qcc/Quantization/MixedPrecision.h).
//
//===----------------------------------------------------------------------===//

#include "MixedPrecision.h"

#include "qcc/Compiler/ModelFile.h"
#include "qcc/Dialect/QC/Transforms/Passes.h"
#include "qcc/Interpreter/Model.h"
#include "qcc/Quantization/IntegerLowering.h"
#include "qcc/Quantization/ReportFormat.h"
#include "qcc/Support/OutputFiles.h"
#include "qcc/Support/Plot.h"

#include "mlir/Pass/PassManager.h"
#include "llvm/Support/Format.h"
#include "llvm/Support/raw_ostream.h"

using namespace llvm;
using namespace qcc::quantization;

namespace qcc::driver {

cl::SubCommand
    allocateCommand("allocate",
                    "Mixed precision: choose a weight format per layer by "
                    "measured sensitivity and an integer linear program");

static cl::opt<std::string> allocateModel(
    cl::Positional, cl::Required, cl::sub(allocateCommand),
    cl::desc("<calibrated.mlir> (from qcc quantize --calibrated-output)"));
static cl::list<std::string> allocateCalib(
    "calib", cl::value_desc("file"), cl::OneOrMore, forCommand(allocateCommand),
    cl::desc("Samples for measuring sensitivity (.npy per input)"));
static MixedPrecisionFlags allocateFlags(allocateCommand);
static cl::list<double> allocateSweep(
    "sweep", cl::CommaSeparated, forCommand(allocateCommand),
    cl::desc("Pareto frontier: also solve for each of these average-bits "
             "budgets and print the allocations (with --input/--labels, "
             "their top-1 accuracy too)"));
static cl::list<std::string> allocateEvalInput(
    "input", cl::value_desc("file"), forCommand(allocateCommand),
    cl::desc(
        "Test inputs: each frontier point's measured KL of its outputs "
        "from the float model's (and, with --labels, its top-1 accuracy)"));
static cl::opt<std::string>
    allocateEvalLabels("labels", cl::value_desc("file"),
                       forCommand(allocateCommand),
                       cl::desc("Test labels for the frontier's accuracy"));
static cl::opt<std::string> allocatePlot(
    "plot", cl::value_desc("file.svg"), forCommand(allocateCommand),
    cl::desc("Write the frontier as an SVG plot (top-1 accuracy, or "
             "summed sensitivity without --labels, against average bits)"));
static cl::opt<bool> allocateIntegerOnly(
    "integer-only", forCommand(allocateCommand),
    cl::desc("Integer-only inference, as qcc quantize --integer-only: every "
             "activation quantized (the calibrated model must come from a "
             "qcc quantize --integer-only run, which observes them all), "
             "int32 biases, and the model lowered to integer ops with dyadic "
             "rescales; what the HLS target compiles"));
static cl::opt<std::string> allocateOutput("o", cl::desc("Quantized model"),
                                           cl::value_desc("file.mlir"),
                                           cl::Required,
                                           forCommand(allocateCommand));

/// --sweep: the allocation under each average-bits budget, measured on
/// --input (and --labels) when given; with --plot, their SVG plot.
static int printFrontier(mlir::ModuleOp module, MixedPrecisionProblem &problem,
                         const SensitivityOptions &options) {
  std::optional<FrontierTestData> test;
  if (!allocateEvalInput.empty()) {
    auto x = interp::readArguments(interp::getMainFunction(module),
                                   allocateEvalInput, "--input");
    if (!x)
      return fail("allocate", toString(x.takeError()));
    test.emplace();
    test->inputs = interp::Tensor((*x)[0].shape, (*x)[0].toDoubles());
  }
  if (!allocateEvalLabels.empty()) {
    if (!test)
      return fail("allocate", "--labels needs --input");
    auto y = readNpy(allocateEvalLabels);
    if (!y)
      return fail("allocate", toString(y.takeError()));
    test->labels = y->toDoubles();
  }
  auto frontier = sweepAverageBits(module, problem, options, allocateSweep,
                                   test ? &*test : nullptr, outs());
  if (!frontier)
    return fail("allocate", toString(frontier.takeError()));
  if (allocatePlot.empty())
    return 0;
  if (frontier->empty())
    return fail("allocate", "--plot: no allocation to plot");
  const bool accuracy = test && !test->labels.empty();
  std::vector<std::pair<double, double>> points;
  for (const FrontierPoint &p : *frontier)
    points.push_back(
        {p.allocation.used[0], accuracy ? p.accuracy : p.allocation.cost});
  if (Error e =
          writeLinePlotSVG(allocatePlot, points, "average weight bits",
                           accuracy ? "top-1 accuracy (%)"
                                    : "predicted KL (summed sensitivity)"))
    return fail("allocate", toString(std::move(e)));
  return 0;
}

int runAllocate() {
  std::vector<std::string> read(allocateCalib.begin(), allocateCalib.end());
  read.push_back(allocateModel);
  if (Error e = checkOutputIsNotAnInput(allocateOutput, read))
    return fail("allocate", toString(std::move(e)));
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
  auto loaded =
      loadModelWithInputs(context, allocateModel, allocateCalib, "--calib", "");
  if (!loaded)
    return fail("allocate", toString(loaded.takeError()));
  mlir::ModuleOp module = *loaded->module;
  auto solved = solveMixedPrecision(module, interp::toTensors(loaded->inputs),
                                    options, budgets, outs());
  if (!solved)
    return fail("allocate", toString(solved.takeError()));
  MixedPrecisionProblem &problem = solved->problem;
  if (!allocateSweep.empty())
    if (int status = printFrontier(module, problem, options))
      return status;

  const mp::Allocation &allocation = solved->allocation;
  qc::QCQuantizeOptions quantize = options.quantize;
  quantize.allActivations = allocateIntegerOnly;
  if (Error e = applyAllocation(module, problem, allocation, quantize))
    return fail("allocate", toString(std::move(e)));
  if (allocateIntegerOnly) {
    mlir::PassManager pm(&context);
    pm.addPass(qc::createQCQuantizeBias());
    if (mlir::failed(pm.run(module)))
      return fail("allocate", "bias quantization failed");
    auto islands = quantization::lowerToInteger(module);
    if (!islands)
      return fail("allocate", toString(islands.takeError()));
    if (islands->empty())
      outs() << "integer-only: no float op between the input quantize and "
                "the output dequantize\n";
    else
      quantization::listFloatIslands(
          outs(), "integer-only, with float islands:", *islands);
  }
  printAllocation(outs(), problem, allocation);
  outs() << solved->refinement;
  outs() << format("ILP: %zu layers x %zu candidates x %zu budgets, solved "
                   "by CBC in %.3f s\n",
                   problem.layers.size(), problem.formats.size(),
                   problem.ilp.resources.size(), solved->solveSeconds);

  if (Error e = writeModule(module, allocateOutput))
    return fail("allocate", toString(std::move(e)));
  return 0;
}

} // namespace qcc::driver
