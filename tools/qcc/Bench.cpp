//===- Bench.cpp - qcc bench: latency of a compiled model -----------------===//

#include "Driver.h"

#include "qcc/Runtime/Benchmark.h"

#include "llvm/Support/Format.h"
#include "llvm/Support/JSON.h"
#include "llvm/Support/raw_ostream.h"

using namespace llvm;

namespace qcc::driver {

cl::SubCommand
    benchCommand("bench",
                 "Measure the latency of a compiled model on random inputs");

static cl::opt<std::string> benchModel(cl::Positional, cl::Required,
                                       cl::desc("<compiled model directory>"),
                                       cl::sub(benchCommand));
static cl::opt<int64_t> benchBatch("batch", cl::desc("Batch size (default 1)"),
                                   cl::init(1), forCommand(benchCommand));
static cl::opt<int>
    benchRuns("runs", cl::init(50), forCommand(benchCommand),
              cl::desc("Timed runs; the median is reported (default 50)"));
static cl::opt<int> benchWarmup("warmup", cl::init(5), forCommand(benchCommand),
                                cl::desc("Untimed runs first (default 5)"));
static cl::opt<bool> benchJson("json", cl::desc("Print one JSON object"),
                               forCommand(benchCommand));

int runBench() {
  if (benchBatch < 1 || benchRuns < 1 || benchWarmup < 0)
    return fail("bench", "--batch and --runs must be positive");
  auto model = runtime::CompiledModel::load(benchModel);
  if (!model)
    return fail("bench", toString(model.takeError()));
  auto latency =
      runtime::measureLatency(**model, benchBatch, benchRuns, benchWarmup);
  if (!latency)
    return fail("bench", toString(latency.takeError()));
  // The kernels' ISA tier: latencies mean little without it.
  std::string tier = (*model)->cpuTier(), code = (*model)->codeVersion();
  if (tier.empty())
    tier = code = "unknown (C API before version 3)";
  if (benchJson) {
    outs() << formatv("{0}",
                      json::Value(json::Object{{"batch", benchBatch.getValue()},
                                               {"runs", benchRuns.getValue()},
                                               {"median_ms", latency->medianMs},
                                               {"min_ms", latency->minMs},
                                               {"cpu_tier", tier},
                                               {"code_version", code}}))
           << "\n";
    return 0;
  }
  outs() << format("batch %lld: median %.3f ms, min %.3f ms over %d runs "
                   "(kernel tier %s, code %s)\n",
                   static_cast<long long>(benchBatch.getValue()),
                   latency->medianMs, latency->minMs, benchRuns.getValue(),
                   tier.c_str(), code.c_str());
  return 0;
}

} // namespace qcc::driver
