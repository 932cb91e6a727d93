//===- qcc-conformance.cpp - ONNX backend node tests through qcc ----------===//
//
// Runs every ONNX backend node test (model.onnx + test_data_set_*/
// {input,output}_*.pb) through qcc's importer and reference interpreter and
// compares with the expected outputs at ONNX's tolerances. Tests whose model
// qcc rejects as unsupported are counted as skipped, with the reason; an
// import error that is not "unsupported", a run error or a wrong value is a
// failure. With --compiled, every test the interpreter passes is also
// compiled as `qcc compile --float` does (CPU target) and its library run
// on the same data: a second count, with each gap named. Exit status 1
// when anything failed.
//
//===----------------------------------------------------------------------===//

#include "qcc/Compiler/Compile.h"
#include "qcc/Compiler/ModelFile.h"
#include "qcc/Dialect/QC/IR/QCDialect.h"
#include "qcc/Dialect/QC/Transforms/Passes.h"
#include "qcc/Import/ONNX.h"
#include "qcc/InitAll.h"
#include "qcc/Interpreter/Interpreter.h"
#include "qcc/Target/Target.h"

#include "mlir/IR/MLIRContext.h"
#include "llvm/ADT/ScopeExit.h"
#include "llvm/ADT/StringMap.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Format.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/Regex.h"
#include "llvm/Support/raw_ostream.h"

#include <onnx/onnx_pb.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <set>

using namespace llvm;

static cl::OptionCategory category("qcc-conformance options");
static cl::opt<std::string> dataDir(
    "data-dir", cl::desc("Directory of ONNX node tests (test_*/model.onnx)"),
    cl::init("/usr/share/libonnx-testdata/data/node"), cl::cat(category));
static cl::opt<std::string> filter("filter",
                                   cl::desc("Only tests whose name matches this "
                                            "regular expression"),
                                   cl::init(""), cl::cat(category));
static cl::opt<double> relTol("rtol", cl::desc("Relative tolerance"),
                            cl::init(1e-3), cl::cat(category));
static cl::opt<double> absTol("atol", cl::desc("Absolute tolerance"),
                            cl::init(1e-7), cl::cat(category));
static cl::opt<std::string> supportReportPath(
    "support-report",
    cl::desc("Also write the per-op support table (import, interpreter, CPU "
             "float, CPU int8) as Markdown to this file"),
    cl::cat(category));
static cl::opt<std::string> reportPath(
    "report", cl::desc("Also write the summary as Markdown to this file"),
    cl::init(""), cl::cat(category));
static cl::opt<bool> compiled(
    "compiled",
    cl::desc("Also compile each test the interpreter passes with the CPU "
             "target (as qcc compile --float) and run the compiled library "
             "on the same data; inputs the importer needs constant "
             "(shapes, axes, scales) are bound at import, the others are "
             "the library's inputs"),
    cl::init(false), cl::cat(category));
static cl::opt<bool> listSkipped("list-skipped",
                                 cl::desc("List every skipped test and why"),
                                 cl::init(false), cl::cat(category));

namespace {

enum class Outcome { Passed, Failed, Skipped };

struct TestResult {
  std::string name;
  std::string op;
  Outcome outcome;
  std::string reason;
  /// With --compiled: the compiled library's outcome (tests the interpreter
  /// passed only).
  std::optional<Outcome> compiledOutcome;
  std::string compiledReason;
  /// The qc ops the model imports to (when it imports).
  std::set<std::string> qcOps;
};

Expected<std::string> readFile(const Twine &path) {
  auto buffer = MemoryBuffer::getFile(path, /*IsText=*/false,
                                      /*RequiresNullTerminator=*/false);
  if (!buffer)
    return createStringError(buffer.getError(), "cannot read " + path);
  return (*buffer)->getBuffer().str();
}

/// The op label of a test: its single op type, or the sorted set of op
/// types of a multi-node model joined by '+'.
std::string opLabel(const onnx::ModelProto &model) {
  std::set<std::string> ops;
  for (const auto &node : model.graph().node())
    ops.insert(node.op_type());
  std::string label;
  for (const std::string &op : ops)
    label += (label.empty() ? "" : "+") + op;
  return label.empty() ? "(empty)" : label;
}

/// Sorted files `prefix_N.pb` in `dir`.
std::vector<std::string> numberedFiles(StringRef dir, StringRef prefix) {
  std::vector<std::pair<int, std::string>> found;
  std::error_code ec;
  for (sys::fs::directory_iterator it(dir, ec), end; it != end && !ec;
       it.increment(ec)) {
    StringRef file = sys::path::filename(it->path());
    if (!file.consume_front(prefix) || !file.consume_back(".pb"))
      continue;
    int index;
    if (!file.getAsInteger(10, index))
      found.push_back({index, it->path()});
  }
  llvm::sort(found);
  std::vector<std::string> paths;
  for (auto &[index, path] : found)
    paths.push_back(path);
  return paths;
}

std::string formatDouble(double v) {
  char buffer[32];
  std::snprintf(buffer, sizeof(buffer), "%.9g", v);
  return buffer;
}

bool close(double actual, double expected) {
  if (std::isnan(expected))
    return std::isnan(actual);
  if (std::isinf(expected))
    return actual == expected;
  return std::fabs(actual - expected) <= absTol + relTol * std::fabs(expected);
}

/// One test_data_set_*, read and decoded once for both the interpreter
/// and the compiled library: each input (by graph input name) serialized,
/// as the importer binds it, and decoded; the expected outputs, or why they
/// cannot be read (reported when they are compared: a model qcc rejects is
/// skipped first, whatever its outputs' data type).
struct DataSet {
  std::map<std::string, std::string> serializedInputs;
  std::map<std::string, qcc::ONNXTensor> inputs;
  std::vector<qcc::ONNXTensor> expectedOutputs;
  std::string outputError;
};

/// Why `outputs` differ from the expected outputs, or nullopt.
std::optional<std::string>
compareOutputs(const std::vector<qcc::interp::Tensor> &outputs,
               const DataSet &dataSet) {
  if (!dataSet.outputError.empty())
    return dataSet.outputError;
  const std::vector<qcc::ONNXTensor> &expectedOutputs = dataSet.expectedOutputs;
  if (outputs.size() != expectedOutputs.size())
    return (Twine(outputs.size()) + " outputs but " +
            Twine(expectedOutputs.size()) + " expected")
        .str();
  for (auto [i, expected] : llvm::enumerate(expectedOutputs)) {
    const qcc::interp::Tensor &actual = outputs[i];
    if (actual.shape != expected.shape) {
      auto str = [](const std::vector<int64_t> &s) {
        std::string out = "[";
        for (size_t k = 0; k < s.size(); ++k)
          out += (k ? "," : "") + std::to_string(s[k]);
        return out + "]";
      };
      return ("output #" + Twine(i) + " has shape " + str(actual.shape) +
              ", expected " + str(expected.shape))
          .str();
    }
    size_t bad = 0, first = 0;
    double worst = 0;
    for (size_t k = 0; k < actual.data.size(); ++k)
      if (!close(actual.data[k], expected.values[k])) {
        if (bad++ == 0)
          first = k;
        worst =
            std::max(worst, std::fabs(actual.data[k] - expected.values[k]));
      }
    if (bad)
      return ("output #" + Twine(i) + ": " + Twine(bad) + " of " +
              Twine(actual.data.size()) + " values differ (first at " +
              Twine(first) + ": " + formatDouble(actual.data[first]) +
              " vs expected " + formatDouble(expected.values[first]) +
              "; worst abs error " + formatDouble(worst) + ")")
          .str();
  }
  return std::nullopt;
}

/// One data set through the compiled library: `module` is the model the
/// interpreter ran on it (inputs are its arguments unless the importer
/// needed them constant: shapes, axes, scales), compiled as `qcc compile
/// --float` compiles it. Sets the compiled outcome of `result`; returns
/// false when the data set did not pass.
bool runCompiledDataSet(TestResult &result, mlir::ModuleOp module,
                        const DataSet &dataSet) {
  auto finish = [&](Outcome outcome, const Twine &reason) {
    result.compiledOutcome = outcome;
    result.compiledReason = reason.str();
    return outcome == Outcome::Passed;
  };
  SmallString<128> dir;
  if (std::error_code ec =
          sys::fs::createUniqueDirectory("qcc-conformance", dir))
    return finish(Outcome::Failed, "cannot create a temporary directory: " +
                                       ec.message());
  llvm::scope_exit cleanup([&] { (void)sys::fs::remove_directories(dir); });
  SmallString<128> mlirPath(dir);
  sys::path::append(mlirPath, "model.mlir");
  if (Error e = qcc::writeModule(module, mlirPath))
    return finish(Outcome::Failed, toString(std::move(e)));
  auto target = qcc::target::lookupTarget("cpu");
  if (!target)
    return finish(Outcome::Failed, toString(target.takeError()));
  qcc::CompileOptions compile;
  compile.model = mlirPath.str().str();
  compile.floatModel = true;
  SmallString<128> out(dir);
  sys::path::append(out, "compiled");
  if (auto built = qcc::compileModel(**target, compile, out); !built) {
    std::string message = toString(built.takeError());
    // Missing code generation and signatures the C API cannot pass are
    // gaps, named by their diagnostic (without the temporary path).
    StringRef reason = message;
    if (size_t at = reason.find("no CPU code generation"); at != StringRef::npos)
      reason = reason.substr(at);
    reason = reason.take_until([](char c) { return c == '\n'; });
    if (reason.contains("no CPU code generation") ||
        reason.contains("unsupported") || reason.contains("compiled models take and return"))
      return finish(Outcome::Skipped, "compile: " + reason);
    return finish(Outcome::Failed, "compile: " + message);
  }
  auto model = (*target)->load(out);
  if (!model)
    return finish(Outcome::Failed, "load: " + toString(model.takeError()));
  std::vector<qcc::NpyArray> inputs;
  for (const auto &input : (*model)->signature().inputs) {
    auto it = dataSet.inputs.find(input.name);
    if (it == dataSet.inputs.end())
      return finish(Outcome::Failed,
                    "the library's input '" + input.name + "' has no data");
    inputs.push_back(qcc::NpyArray::fromDoubles(input.dtype, it->second.shape,
                                                it->second.values));
  }
  auto outputs = (*model)->run(inputs);
  if (!outputs)
    return finish(Outcome::Failed, "run: " + toString(outputs.takeError()));
  std::vector<qcc::interp::Tensor> tensors;
  for (const qcc::NpyArray &array : *outputs)
    tensors.emplace_back(array.shape, array.toDoubles());
  if (std::optional<std::string> error =
          compareOutputs(tensors, dataSet))
    return finish(Outcome::Failed, *error);
  return finish(Outcome::Passed, "");
}

TestResult runTest(StringRef testDir) {
  TestResult result;
  result.name = sys::path::filename(testDir).str();
  auto fail = [&](const Twine &reason) {
    result.outcome = Outcome::Failed;
    result.reason = reason.str();
    return result;
  };
  SmallString<256> modelPath(testDir);
  sys::path::append(modelPath, "model.onnx");
  auto modelBytes = readFile(modelPath);
  if (!modelBytes)
    return fail(toString(modelBytes.takeError()));
  onnx::ModelProto model;
  if (!model.ParseFromString(*modelBytes))
    return fail("model.onnx does not parse");
  result.op = opLabel(model);

  std::vector<std::string> dataSets;
  std::error_code ec;
  for (sys::fs::directory_iterator it(testDir, ec), end; it != end && !ec;
       it.increment(ec))
    if (sys::path::filename(it->path()).starts_with("test_data_set_"))
      dataSets.push_back(it->path());
  llvm::sort(dataSets);
  if (dataSets.empty())
    return fail("no test_data_set_* directory");

  // Graph inputs, in order (initializers excluded).
  std::set<std::string> initializers;
  for (const auto &init : model.graph().initializer())
    initializers.insert(init.name());
  std::vector<std::string> inputNames;
  for (const auto &in : model.graph().input())
    if (!initializers.count(in.name()))
      inputNames.push_back(in.name());
  // Sequences, maps and optionals are outside qcc's scope (tensors only).
  for (const auto *values : {&model.graph().input(), &model.graph().output()})
    for (const auto &v : *values)
      if (!v.type().has_tensor_type()) {
        result.outcome = Outcome::Skipped;
        result.reason = "unsupported: graph value '" + v.name() +
                        "' is not a tensor (sequence, map or optional)";
        return result;
      }

  std::vector<DataSet> loaded;
  for (const std::string &dataSetDir : dataSets) {
    std::vector<std::string> inputFiles = numberedFiles(dataSetDir, "input_");
    if (inputFiles.size() != inputNames.size())
      return fail(Twine(inputFiles.size()) + " input files for " +
                  Twine(inputNames.size()) + " graph inputs");
    DataSet &dataSet = loaded.emplace_back();
    for (auto [name, file] : llvm::zip(inputNames, inputFiles)) {
      auto bytes = readFile(file);
      if (!bytes)
        return fail(toString(bytes.takeError()));
      auto tensor = qcc::parseONNXTensor(*bytes, file);
      if (!tensor) {
        std::string message = toString(tensor.takeError());
        if (StringRef(message).contains("unsupported data type")) {
          result.outcome = Outcome::Skipped;
          result.reason = "input data type: " + message;
          return result;
        }
        return fail(message);
      }
      dataSet.serializedInputs[name] = std::move(*bytes);
      dataSet.inputs[name] = std::move(*tensor);
    }
    for (const std::string &file : numberedFiles(dataSetDir, "output_")) {
      auto bytes = readFile(file);
      auto expected = bytes ? qcc::parseONNXTensor(*bytes, file)
                            : Expected<qcc::ONNXTensor>(bytes.takeError());
      if (!expected) {
        dataSet.outputError = toString(expected.takeError());
        break;
      }
      dataSet.expectedOutputs.push_back(std::move(*expected));
    }
  }

  // Each data set's import, kept for the compiled run (--compiled).
  struct Imported {
    std::unique_ptr<mlir::MLIRContext> context;
    mlir::OwningOpRef<mlir::ModuleOp> module;
  };
  std::vector<Imported> modules;
  for (const DataSet &dataSet : loaded) {
    qcc::ONNXImportOptions options;
    options.bindableInputs = dataSet.serializedInputs;

    auto context = std::make_unique<mlir::MLIRContext>();
    context->disableMultithreading();
    auto imported = qcc::importONNXModel(*context, modelPath, options);
    if (!imported) {
      std::string message = toString(imported.takeError());
      // "unsupported" covers unsupported ops, versions, attributes, types.
      if (StringRef(message).contains("unsupported")) {
        result.outcome = Outcome::Skipped;
        result.reason = message.substr(message.find(": ") + 2);
        return result;
      }
      return fail("import: " + message);
    }
    imported->module->walk([&](mlir::Operation *op) {
      if (isa<qcc::qc::QCDialect>(op->getDialect()))
        result.qcOps.insert(op->getName().getStringRef().str());
    });
    auto func = *imported->module->getOps<mlir::func::FuncOp>().begin();
    std::vector<qcc::interp::Tensor> args;
    for (unsigned i = 0; i < func.getNumArguments(); ++i) {
      auto name = func.getArgAttrOfType<mlir::StringAttr>(i, "onnx.name");
      auto input = name ? dataSet.inputs.find(name.str())
                        : dataSet.inputs.end();
      if (input == dataSet.inputs.end())
        return fail("argument #" + Twine(i) + " has no matching input");
      args.emplace_back(input->second.shape, input->second.values);
    }
    auto outputs = qcc::interp::runFunction(func, args);
    if (!outputs)
      return fail("run: " + toString(outputs.takeError()));
    if (std::optional<std::string> error =
            compareOutputs(*outputs, dataSet))
      return fail(*error);
    modules.push_back({std::move(context), std::move(imported->module)});
  }
  result.outcome = Outcome::Passed;
  if (compiled)
    for (auto [dataSet, imported] : llvm::zip(loaded, modules))
      if (!runCompiledDataSet(result, *imported.module, dataSet))
        break;
  return result;
}

/// docs/onnx-support.md: per op of the importer's table, its opsets, the
/// qc ops its node tests import to, the node tests the interpreter and (with
/// --compiled) the compiled library pass, and whether qc-lower-to-integer
/// gives those qc ops an integer form (qc::hasIntegerLowering).
void writeSupportReport(raw_ostream &os, const std::vector<TestResult> &results,
                        bool withCompiled) {
  mlir::MLIRContext context;
  context.getOrLoadDialect<qcc::qc::QCDialect>();
  os << "# ONNX op support\n\n"
     << "Generated by `make conformance-report` (tools/qcc-conformance "
        "--support-report) from the code's own tables and the ONNX backend "
        "node tests (Debian's libonnx-testdata, ONNX 1.12): every op the "
        "importer's table converts (lib/Import/ONNX/Ops.cpp), with\n\n"
        "- **opsets**: the since-versions qcc imports (of those up to opset "
        "21);\n"
        "- **qc ops**: what the op's single-op node tests import to (none: "
        "folded into constants at import);\n"
        "- **interpreter**: node tests of the op the reference interpreter "
        "passes, of all its node tests;\n"
        "- **CPU float**: of those, the tests whose `qcc compile --float` "
        "library passes (see docs/onnx-conformance.md for each gap);\n"
        "- **CPU int8**: whether `qcc compile --calib` computes the op in "
        "integers (qc-lower-to-integer's `hasIntegerLowering` of its qc "
        "ops) or leaves a float island between a dequantize and a "
        "quantize.\n\n"
        "The attributes, modes and limits of each op's import are in "
        "[onnx-import.md](onnx-import.md).\n\n"
     << "| ONNX op | opsets | qc ops | interpreter | CPU float | CPU int8 |\n"
     << "|---|---|---|---:|---:|---|\n";
  for (const qcc::ONNXOpSupport &op : qcc::getONNXOpSupport()) {
    int tests = 0, passed = 0, compiledPassed = 0;
    bool imported = false;
    std::set<std::string> qcOps;
    for (const TestResult &r : results) {
      if (r.op != op.name)
        continue;
      ++tests;
      passed += r.outcome == Outcome::Passed;
      compiledPassed += r.compiledOutcome == Outcome::Passed;
      if (r.outcome != Outcome::Skipped) {
        imported = true;
        qcOps.insert(r.qcOps.begin(), r.qcOps.end());
      }
    }
    std::string versions, names, islands;
    for (int64_t v : op.supportedVersions)
      versions += (versions.empty() ? "" : ", ") + std::to_string(v);
    for (const std::string &name : qcOps) {
      names += (names.empty() ? "`" : ", `") + name + "`";
      if (!qcc::qc::hasIntegerLowering(mlir::OperationName(name, &context)))
        islands += (islands.empty() ? "`" : ", `") + name + "`";
    }
    os << "| " << op.name << " | " << versions << " | ";
    if (!imported) {
      os << "– | " << (tests ? "0 of " + std::to_string(tests) : "no node test run")
         << " | – | – |\n";
      continue;
    }
    os << (names.empty() ? "none" : names) << " | " << passed << " of "
       << tests << " | "
       << (withCompiled ? std::to_string(compiledPassed) + " of " +
                              std::to_string(passed)
                        : std::string("not run"))
       << " | "
       << (qcOps.empty()       ? std::string("no code")
           : islands.empty()   ? std::string("integer")
                               : "float island (" + islands + ")")
       << " |\n";
  }
}

} // namespace

int main(int argc, char **argv) {
  InitLLVM initLLVM(argc, argv);
  qcc::registerAllTargets();
  cl::HideUnrelatedOptions(category);
  cl::ParseCommandLineOptions(
      argc, argv,
      "qcc-conformance: runs the ONNX backend node tests through qcc's "
      "importer and reference interpreter\n");

  Regex pattern(filter);
  std::string regexError;
  if (!filter.empty() && !pattern.isValid(regexError)) {
    errs() << "qcc-conformance: error: bad --filter: " << regexError << "\n";
    return 2;
  }
  std::vector<std::string> tests;
  std::error_code ec;
  for (sys::fs::directory_iterator it(dataDir, ec), end; it != end && !ec;
       it.increment(ec)) {
    StringRef name = sys::path::filename(it->path());
    if (name.starts_with("test_") && (filter.empty() || pattern.match(name)))
      tests.push_back(it->path());
  }
  if (ec || tests.empty()) {
    errs() << "qcc-conformance: error: no tests in '" << dataDir
           << "' (install Debian's libonnx-testdata)\n";
    return 2;
  }
  llvm::sort(tests);

  std::vector<TestResult> results;
  for (const std::string &test : tests)
    results.push_back(runTest(test));

  struct Counts {
    int passed = 0, failed = 0, skipped = 0;
    void add(Outcome outcome) {
      ++(outcome == Outcome::Passed   ? passed
         : outcome == Outcome::Failed ? failed
                                      : skipped);
    }
  };
  std::map<std::string, Counts> byOp, compiledByOp;
  Counts total, compiledTotal;
  for (const TestResult &r : results) {
    byOp[r.op].add(r.outcome);
    total.add(r.outcome);
    if (r.compiledOutcome) {
      compiledByOp[r.op].add(*r.compiledOutcome);
      compiledTotal.add(*r.compiledOutcome);
    }
  }

  // Every op, with the reason of its first skipped test: which ops are
  // unsupported, and why, is part of the result.
  std::map<std::string, std::string> skipReason;
  for (const TestResult &r : results)
    if (r.outcome == Outcome::Skipped)
      skipReason.try_emplace(r.op, r.reason);
  auto shortReason = [](std::string reason) {
    // "...node 'n' (Cast, opset 17): unsupported op type" ->
    // "Cast, opset 17: unsupported op type".
    if (size_t at = reason.find("): "); at != std::string::npos) {
      size_t open = reason.rfind('(', at);
      reason = (open == std::string::npos ? "" : reason.substr(open + 1, at - open - 1) + ": ") +
               reason.substr(at + 3);
    }
    for (char &ch : reason)
      if (ch == '|')
        ch = '/';
    return reason;
  };
  std::string table;
  raw_string_ostream os(table);
  os << "| op | passed | failed | skipped |"
     << (compiled ? " compiled: passed | failed | skipped |" : "")
     << " first skip reason |\n"
     << "|---|---:|---:|---:|" << (compiled ? "---:|---:|---:|" : "")
     << "---|\n";
  auto compiledCells = [&](const Counts &c) {
    if (compiled)
      os << " " << c.passed << " | " << c.failed << " | " << c.skipped
         << " |";
  };
  for (auto &[op, c] : byOp) {
    auto reason = skipReason.find(op);
    os << "| " << op << " | " << c.passed << " | " << c.failed << " | "
       << c.skipped << " |";
    compiledCells(compiledByOp[op]);
    os << " " << (reason == skipReason.end() ? "" : shortReason(reason->second))
       << " |\n";
  }
  os << "| **total** | " << total.passed << " | " << total.failed << " | "
     << total.skipped << " |";
  compiledCells(compiledTotal);
  os << " |\n";

  outs() << table << "\n";
  for (const TestResult &r : results)
    if (r.outcome == Outcome::Failed)
      outs() << "FAILED " << r.name << " (" << r.op << "): " << r.reason
             << "\n";
  // Skip reasons of supported ops (the ops that have passing tests).
  for (const TestResult &r : results)
    if (r.outcome == Outcome::Skipped &&
        (listSkipped || byOp[r.op].passed || byOp[r.op].failed))
      outs() << "SKIPPED " << r.name << " (" << r.op << "): " << r.reason
             << "\n";
  for (const TestResult &r : results)
    if (r.compiledOutcome && *r.compiledOutcome != Outcome::Passed)
      outs() << (*r.compiledOutcome == Outcome::Failed ? "COMPILED FAILED "
                                                       : "COMPILED SKIPPED ")
             << r.name << " (" << r.op << "): " << r.compiledReason << "\n";
  outs() << "\nconformance: " << total.passed << " passed, " << total.failed
         << " failed, " << total.skipped << " skipped (unsupported), "
         << results.size() << " tests\n";
  if (compiled)
    outs() << "conformance (compiled): " << compiledTotal.passed
           << " passed, " << compiledTotal.failed << " failed, "
           << compiledTotal.skipped << " skipped, of the " << total.passed
           << " tests the interpreter passes\n";

  if (!reportPath.empty()) {
    std::error_code writeError;
    raw_fd_ostream report(reportPath, writeError);
    if (writeError) {
      errs() << "qcc-conformance: error: cannot write " << reportPath << ": "
             << writeError.message() << "\n";
      return 2;
    }
    report << "# ONNX backend node tests\n\n"
           << "Generated by `make conformance-report` (tools/qcc-conformance) "
              "from Debian's libonnx-testdata (ONNX 1.12, opsets up to 17): "
              "import with qcc, run with the reference interpreter, compare "
              "at rtol "
           << relTol << ", atol " << absTol
           << ". Every op is listed; a skipped test is one qcc rejects as "
              "unsupported (never counted as passed).";
    if (compiled)
      report << " The compiled columns (`qcc-conformance --compiled`): each "
                "test the interpreter passes, compiled as `qcc compile "
                "--float` compiles it (CPU target; inputs at run time, of "
                "their own dtypes, except those the importer needs constant: "
                "shapes, axes, scales) and its library run on the same data, "
                "same tolerance. Totals: "
             << compiledTotal.passed << " passed, " << compiledTotal.failed
             << " failed, " << compiledTotal.skipped << " skipped of "
             << total.passed << ".";
    report << "\n\n" << table << "\nSkipped tests of listed ops, and why:\n\n";
    for (const TestResult &r : results)
      if (r.outcome == Outcome::Skipped &&
          (byOp[r.op].passed || byOp[r.op].failed))
        report << "- `" << r.name << "`: " << r.reason << "\n";
    if (compiled) {
      report << "\nTests the interpreter passes that the compiled library "
                "does not, and why:\n\n";
      for (const TestResult &r : results)
        if (r.compiledOutcome && *r.compiledOutcome != Outcome::Passed)
          report << "- `" << r.name << "` ("
                 << (*r.compiledOutcome == Outcome::Failed ? "failed"
                                                           : "skipped")
                 << "): " << r.compiledReason << "\n";
    }
  }
  if (!supportReportPath.empty()) {
    std::error_code writeError;
    raw_fd_ostream report(supportReportPath, writeError);
    if (writeError) {
      errs() << "qcc-conformance: error: cannot write " << supportReportPath
             << ": " << writeError.message() << "\n";
      return 2;
    }
    writeSupportReport(report, results, compiled);
  }
  return total.failed || compiledTotal.failed ? 1 : 0;
}
