//===- Bench.cpp - qcc bench: latency of a compiled model -----------------===//

#include "Driver.h"

#include "qcc/Runtime/CompiledModel.h"
#include "qcc/Support/CheckedInt.h"
#include "qcc/Support/MemoryLimit.h"

#include "llvm/Support/Format.h"
#include "llvm/Support/JSON.h"
#include "llvm/Support/raw_ostream.h"

#include <algorithm>
#include <chrono>
#include <random>

using namespace llvm;

namespace qcc::driver {

cl::SubCommand
    benchCommand("bench",
                 "Measure the latency of a compiled model on random inputs");

static cl::opt<std::string> benchModel(cl::Positional, cl::Required,
                                       cl::desc("<compiled model directory>"),
                                       cl::sub(benchCommand));
static cl::opt<int64_t> benchBatch("batch", cl::desc("Batch size (default 1)"),
                                   cl::init(1), cl::sub(benchCommand),
                                   cl::cat(qccCategory));
static cl::opt<int> benchRuns("runs",
                              cl::desc("Timed runs; the median is reported "
                                       "(default 50)"),
                              cl::init(50), cl::sub(benchCommand),
                              cl::cat(qccCategory));
static cl::opt<int> benchWarmup("warmup",
                                cl::desc("Untimed runs first (default 5)"),
                                cl::init(5), cl::sub(benchCommand),
                                cl::cat(qccCategory));
static cl::opt<bool> benchJson("json", cl::desc("Print one JSON object"),
                               cl::sub(benchCommand), cl::cat(qccCategory));

int runBench() {
  if (benchBatch < 1 || benchRuns < 1 || benchWarmup < 0)
    return fail("bench", "--batch and --runs must be positive");
  auto model = runtime::CompiledModel::load(benchModel);
  if (!model)
    return fail("bench", toString(model.takeError()));
  // Uniform [0, 1) inputs, seeded: latency does not depend on the values.
  std::mt19937 rng(0);
  std::uniform_real_distribution<float> uniform(0.0f, 1.0f);
  // The batch multiplies every buffer: bound them before allocating.
  const runtime::ModelSignature &signature = (*model)->signature();
  CheckedInt totalBytes =
      runtime::bufferBytes(signature.inputs, benchBatch) +
      runtime::bufferBytes(signature.outputs, benchBatch);
  if (auto error = checkAllocation(checkedBytes(totalBytes.get(), 1),
                                   "--batch=" + Twine(benchBatch.getValue()) +
                                       ": allocating the inputs and outputs"))
    return fail("bench", toString(std::move(error)));
  std::vector<NpyArray> inputs;
  for (const runtime::TensorSignature &t : (*model)->signature().inputs) {
    NpyArray a;
    for (int64_t d : t.shape)
      a.shape.push_back(d < 0 ? benchBatch : d);
    std::vector<float> values(a.numElements());
    for (float &v : values)
      v = uniform(rng);
    a.bytes.resize(values.size() * 4);
    std::memcpy(a.bytes.data(), values.data(), a.bytes.size());
    inputs.push_back(std::move(a));
  }
  std::vector<double> ms;
  for (int i = 0; i < benchWarmup + benchRuns; ++i) {
    const auto start = std::chrono::steady_clock::now();
    auto outputs = (*model)->run(inputs);
    const auto end = std::chrono::steady_clock::now();
    if (!outputs)
      return fail("bench", toString(outputs.takeError()));
    if (i >= benchWarmup)
      ms.push_back(
          std::chrono::duration<double, std::milli>(end - start).count());
  }
  std::sort(ms.begin(), ms.end());
  const double median = ms[ms.size() / 2], best = ms.front();
  if (benchJson) {
    outs() << formatv("{0}",
                      json::Value(json::Object{{"batch", benchBatch.getValue()},
                                               {"runs", benchRuns.getValue()},
                                               {"median_ms", median},
                                               {"min_ms", best}}))
           << "\n";
    return 0;
  }
  outs() << format("batch %lld: median %.3f ms, min %.3f ms over %d runs\n",
                   static_cast<long long>(benchBatch.getValue()), median, best,
                   benchRuns.getValue());
  return 0;
}

} // namespace qcc::driver
