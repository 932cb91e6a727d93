//===- qcc.cpp - The qcc compiler driver ----------------------------------===//
//
// One binary, one sub-command per job (`qcc <command> [options]`). Later
// issues add import, run, quantize, compile and eval; each sub-command lives
// in its own function here and its own lit test under test/tools/qcc.
//
//===----------------------------------------------------------------------===//

#include "qcc/Version.h"
#include "qcc/Import/ONNX.h"
#include "qcc/InitAll.h"
#include "qcc/Interpreter/Interpreter.h"
#include "qcc/Numerics/Dyadic.h"
#include "qcc/Numerics/Minifloat.h"
#include "qcc/Support/Npy.h"

#include "mlir/Dialect/Quant/IR/QuantTypes.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/Parser/Parser.h"
#include "mlir/Support/FileUtilities.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/SourceMgr.h"
#include "llvm/Support/ToolOutputFile.h"

#include "llvm/ADT/SmallVector.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/Format.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/WithColor.h"
#include "llvm/Support/raw_ostream.h"

#include <cmath>

using namespace llvm;
namespace numerics = qcc::numerics;

namespace {

cl::OptionCategory qccCategory("qcc options");

cl::SubCommand formatsCommand(
    "formats", "List the low-bit number formats qcc supports, with their "
               "ranges as the numerics library computes them");

cl::SubCommand dyadicCommand(
    "dyadic", "Print the dyadic (multiplier, shift) approximation of a real "
              "scale, as integer-only lowering uses it");
cl::list<double> dyadicScales(cl::Positional, cl::OneOrMore,
                              cl::desc("<scale>..."), cl::sub(dyadicCommand),
                              cl::cat(qccCategory));
cl::opt<bool> dyadic16("scale16",
                       cl::desc("Use 16-bit multipliers (default: 32-bit)"),
                       cl::sub(dyadicCommand), cl::cat(qccCategory));

cl::SubCommand importCommand(
    "import", "Import an ONNX model into qcc's float graph IR (MLIR)");
cl::opt<std::string> importModel(cl::Positional, cl::Required,
                                 cl::desc("<model.onnx>"),
                                 cl::sub(importCommand), cl::cat(qccCategory));
cl::opt<std::string> importOutput("o", cl::desc("Output .mlir file (default: "
                                                "standard output)"),
                                  cl::value_desc("file"), cl::init("-"),
                                  cl::sub(importCommand), cl::cat(qccCategory));

cl::SubCommand runCommand(
    "run", "Run a model (.onnx or .mlir) with the reference interpreter on "
           "NumPy inputs");
cl::opt<std::string> runModel(cl::Positional, cl::Required,
                              cl::desc("<model.onnx|model.mlir>"),
                              cl::sub(runCommand), cl::cat(qccCategory));
cl::list<std::string> runInputs(
    "input",
    cl::desc("An input .npy, one per model input in order; or one .npz whose "
             "members are named after the inputs"),
    cl::value_desc("file"), cl::sub(runCommand), cl::cat(qccCategory));
cl::opt<std::string> runOutput(
    "o",
    cl::desc("Output: a .npy file (single-output models), a .npz file, or a "
             "directory (one NAME.npy per output)"),
    cl::value_desc("path"), cl::Required, cl::sub(runCommand),
    cl::cat(qccCategory));

cl::SubCommand compareCommand(
    "compare", "Compare two NumPy arrays element-wise (|a - b| <= atol + "
               "rtol * |b|); exit status 1 if they differ");
cl::opt<std::string> compareActual(cl::Positional, cl::Required,
                                   cl::desc("<actual.npy>"),
                                   cl::sub(compareCommand), cl::cat(qccCategory));
cl::opt<std::string> compareExpected(cl::Positional, cl::Required,
                                     cl::desc("<expected.npy>"),
                                     cl::sub(compareCommand),
                                     cl::cat(qccCategory));
cl::opt<double> compareAtol("atol", cl::desc("Absolute tolerance (default 0)"),
                            cl::init(0.0), cl::sub(compareCommand),
                            cl::cat(qccCategory));
cl::opt<double> compareRtol("rtol", cl::desc("Relative tolerance (default 0)"),
                            cl::init(0.0), cl::sub(compareCommand),
                            cl::cat(qccCategory));

void printVersion(raw_ostream &os) {
  os << "qcc " << QCC_VERSION << " (" << QCC_GIT_REVISION << "), built with "
     << "LLVM/MLIR " << QCC_LLVM_VERSION << "\n";
}

int runFormats() {
  outs() << format("%-10s %4s %5s %12s %12s %12s  %s\n", "format", "bits",
                   "bias", "max", "min normal", "min > 0", "specials");
  for (numerics::MinifloatKind kind : numerics::kAllMinifloatKinds) {
    const numerics::MinifloatFormat &f = numerics::getMinifloatFormat(kind);
    SmallVector<StringRef> notes;
    if (f.hasInfinity)
      notes.push_back("inf");
    if (f.nan != numerics::NanEncoding::None)
      notes.push_back("nan");
    if (!f.hasZero)
      notes.push_back("no-zero");
    if (!f.hasSign)
      notes.push_back("unsigned");
    const std::string specials = join(notes, " ");
    outs() << format("%-10s %4u %5d %12g %12g %12g  %s\n",
                     std::string(f.name).c_str(), f.bits(), f.bias,
                     f.maxFinite(), f.minNormal(), f.minPositive(),
                     specials.empty() ? "-" : specials.c_str());
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

int fail(StringRef command, const Twine &message) {
  WithColor::error(errs(), ("qcc " + command).str()) << message << "\n";
  return 1;
}

/// Loads a model: ONNX files through the importer, anything else as MLIR.
Expected<mlir::OwningOpRef<mlir::ModuleOp>> loadModel(mlir::MLIRContext &context,
                                                      StringRef path) {
  if (path.ends_with(".onnx")) {
    auto imported = qcc::importONNXModel(context, path);
    if (!imported)
      return imported.takeError();
    return std::move(imported->module);
  }
  mlir::DialectRegistry registry;
  qcc::registerAllDialects(registry);
  context.appendDialectRegistry(registry);
  context.loadAllAvailableDialects();
  std::string diagnostics;
  llvm::SourceMgr sourceMgr;
  raw_string_ostream os(diagnostics);
  mlir::SourceMgrDiagnosticHandler handler(sourceMgr, &context, os);
  std::string errorMessage;
  auto file = mlir::openInputFile(path, &errorMessage);
  if (!file)
    return createStringError(inconvertibleErrorCode(), errorMessage);
  sourceMgr.AddNewSourceBuffer(std::move(file), SMLoc());
  auto module = mlir::parseSourceFile<mlir::ModuleOp>(sourceMgr, &context);
  if (!module)
    return createStringError(inconvertibleErrorCode(),
                             "cannot parse " + path + ":\n" + diagnostics);
  return module;
}

int runImport() {
  mlir::MLIRContext context;
  auto imported = qcc::importONNXModel(context, importModel);
  if (!imported)
    return fail("import", toString(imported.takeError()));
  std::string errorMessage;
  auto output = mlir::openOutputFile(importOutput, &errorMessage);
  if (!output)
    return fail("import", errorMessage);
  imported->module->print(output->os());
  output->os() << "\n";
  output->keep();
  return 0;
}

/// The NumPy dtype that holds values of `type` (quantized: its storage).
std::optional<qcc::NpyDType> npyTypeOf(mlir::Type type) {
  using qcc::NpyDType;
  bool isUnsigned = false;
  if (auto q = dyn_cast<mlir::quant::QuantizedType>(type)) {
    isUnsigned = !q.isSigned();
    type = q.getStorageType();
  }
  if (type.isF32())
    return NpyDType::Float32;
  if (type.isF64())
    return NpyDType::Float64;
  if (type.isF16())
    return NpyDType::Float16;
  auto integer = dyn_cast<mlir::IntegerType>(type);
  if (!integer)
    return std::nullopt;
  isUnsigned |= integer.isUnsigned();
  switch (integer.getWidth()) {
  case 1:
    return NpyDType::Bool;
  case 8:
    return isUnsigned ? NpyDType::UInt8 : NpyDType::Int8;
  case 16:
    return isUnsigned ? NpyDType::UInt16 : NpyDType::Int16;
  case 32:
    return isUnsigned ? NpyDType::UInt32 : NpyDType::Int32;
  case 64:
    return isUnsigned ? NpyDType::UInt64 : NpyDType::Int64;
  default:
    return std::nullopt;
  }
}

std::string typeString(mlir::Type type) {
  std::string s;
  raw_string_ostream os(s);
  type.print(os);
  return s;
}

int runRun() {
  mlir::MLIRContext context;
  auto module = loadModel(context, runModel);
  if (!module)
    return fail("run", toString(module.takeError()));
  auto funcs = (*module)->getOps<mlir::func::FuncOp>();
  if (funcs.empty())
    return fail("run", runModel + " has no function to run");
  mlir::func::FuncOp func = *funcs.begin();
  for (mlir::func::FuncOp f : funcs)
    if (f.getName() == "main")
      func = f;
  auto nameOf = [&](bool result, unsigned i) {
    auto attr = result ? func.getResultAttrOfType<mlir::StringAttr>(i, "onnx.name")
                       : func.getArgAttrOfType<mlir::StringAttr>(i, "onnx.name");
    return attr ? attr.str()
                : (result ? "output_" : "input_") + std::to_string(i);
  };

  // Inputs: .npy files in order, or one .npz by name.
  const unsigned numArgs = func.getNumArguments();
  std::vector<qcc::NpyArray> arrays;
  if (runInputs.size() == 1 && StringRef(runInputs[0]).ends_with(".npz")) {
    auto members = qcc::readNpz(runInputs[0]);
    if (!members)
      return fail("run", toString(members.takeError()));
    for (unsigned i = 0; i < numArgs; ++i) {
      auto it = llvm::find_if(*members, [&](const auto &m) {
        return m.first == nameOf(false, i);
      });
      if (it == members->end())
        return fail("run", runInputs[0] + " has no array named '" +
                               nameOf(false, i) + "'");
      arrays.push_back(it->second);
    }
  } else {
    if (runInputs.size() != numArgs)
      return fail("run", "the model takes " + Twine(numArgs) +
                             " inputs but " + Twine(runInputs.size()) +
                             " --input files were given");
    for (const std::string &path : runInputs) {
      auto array = qcc::readNpy(path);
      if (!array)
        return fail("run", toString(array.takeError()));
      arrays.push_back(std::move(*array));
    }
  }
  std::vector<qcc::interp::Tensor> inputs;
  for (unsigned i = 0; i < numArgs; ++i) {
    mlir::Type element =
        cast<mlir::RankedTensorType>(func.getArgument(i).getType())
            .getElementType();
    std::optional<qcc::NpyDType> expected = npyTypeOf(element);
    if (!expected || *expected != arrays[i].dtype)
      return fail("run", "input #" + Twine(i) + " '" + nameOf(false, i) +
                             "' is " + qcc::npyDTypeName(arrays[i].dtype) +
                             " but the model expects " + typeString(element));
    inputs.emplace_back(arrays[i].shape, arrays[i].toDoubles());
  }

  auto outputs = qcc::interp::runFunction(func, inputs);
  if (!outputs)
    return fail("run", toString(outputs.takeError()));

  qcc::NpzMembers results;
  for (auto [i, tensor] : llvm::enumerate(*outputs)) {
    mlir::Type element =
        cast<mlir::RankedTensorType>(func.getResultTypes()[i]).getElementType();
    std::optional<qcc::NpyDType> dtype = npyTypeOf(element);
    if (!dtype)
      return fail("run", "output #" + Twine(i) + " has type " +
                             typeString(element) +
                             ", which NumPy files cannot hold");
    results.push_back({nameOf(true, i),
                       qcc::NpyArray::fromDoubles(*dtype, tensor.shape,
                                                  tensor.data)});
  }
  StringRef out = runOutput;
  if (out.ends_with(".npz")) {
    if (auto error = qcc::writeNpz(out, results))
      return fail("run", toString(std::move(error)));
    return 0;
  }
  if (out.ends_with("/") || sys::fs::is_directory(out)) {
    if (std::error_code ec = sys::fs::create_directories(out))
      return fail("run", "cannot create " + out + ": " + ec.message());
    for (const auto &[name, array] : results) {
      SmallString<256> path(out);
      sys::path::append(path, name + ".npy");
      if (auto error = qcc::writeNpy(path, array))
        return fail("run", toString(std::move(error)));
    }
    return 0;
  }
  if (results.size() != 1)
    return fail("run", "the model has " + Twine(results.size()) +
                           " outputs; -o must name a directory or a .npz file");
  if (auto error = qcc::writeNpy(out, results[0].second))
    return fail("run", toString(std::move(error)));
  return 0;
}

int runCompare() {
  auto actual = qcc::readNpy(compareActual);
  if (!actual)
    return fail("compare", toString(actual.takeError()));
  auto expected = qcc::readNpy(compareExpected);
  if (!expected)
    return fail("compare", toString(expected.takeError()));
  if (actual->shape != expected->shape)
    return fail("compare", "shapes differ");
  std::vector<double> a = actual->toDoubles(), b = expected->toDoubles();
  double worst = 0;
  size_t bad = 0;
  for (size_t i = 0; i < a.size(); ++i) {
    const double error = std::fabs(a[i] - b[i]);
    const bool ok = std::isnan(b[i]) ? std::isnan(a[i])
                                     : error <= compareAtol + compareRtol * std::fabs(b[i]);
    if (!ok)
      ++bad;
    if (!std::isnan(error))
      worst = std::max(worst, error);
  }
  outs() << format("%zu values, max abs error %.3g, %zu outside atol %g rtol %g: %s\n",
                   a.size(), worst, bad, compareAtol.getValue(),
                   compareRtol.getValue(), bad ? "DIFFERENT" : "MATCH");
  return bad ? 1 : 0;
}

} // namespace

int main(int argc, char **argv) {
  InitLLVM initLLVM(argc, argv);
  cl::SetVersionPrinter(printVersion);
  // libLLVM registers hundreds of codegen options; --help shows only ours.
  cl::HideUnrelatedOptions(qccCategory);
  cl::ParseCommandLineOptions(
      argc, argv,
      "qcc: a quantization compiler for neural networks (ONNX in; integer and "
      "low-bit code out for CPU, NVPTX and FPGA HLS)\n\n"
      "Usage: qcc <command> [options]. Run 'qcc <command> --help' for a "
      "command's options.\n");
  if (importCommand)
    return runImport();
  if (runCommand)
    return runRun();
  if (compareCommand)
    return runCompare();
  if (formatsCommand)
    return runFormats();
  if (dyadicCommand)
    return runDyadic();
  errs() << "qcc: error: no command given; run 'qcc --help' for the list\n";
  return 1;
}
