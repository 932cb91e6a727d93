//===- Benchmark.cpp - Latency of a compiled model ------------------------===//

#include "qcc/Runtime/Benchmark.h"

#include "qcc/Support/MemoryLimit.h"

#include <algorithm>
#include <chrono>
#include <random>

using namespace llvm;

Expected<qcc::runtime::Latency>
qcc::runtime::measureLatency(const CompiledModel &model, int64_t batch,
                             int runs, int warmup) {
  const ModelSignature &signature = model.signature();
  CheckedInt totalBytes = bufferBytes(signature.inputs, batch) +
                          bufferBytes(signature.outputs, batch);
  if (auto error = checkAllocation(checkedBytes(totalBytes.get(), 1),
                                   "--batch=" + Twine(batch) +
                                       ": allocating the inputs and outputs"))
    return std::move(error);
  std::mt19937 rng(0);
  std::uniform_real_distribution<double> uniform(0.0, 1.0);
  std::vector<NpyArray> inputs;
  for (const TensorSignature &t : signature.inputs) {
    // Sizes bounded by the allocation check above.
    std::vector<int64_t> shape;
    int64_t elements = 1;
    for (int64_t d : t.shape) {
      shape.push_back(d < 0 ? batch : d);
      elements *= shape.back();
    }
    // Uniform in [0, 1): 0 in integer inputs, a valid index everywhere.
    std::vector<double> values(elements);
    for (double &v : values)
      v = uniform(rng);
    inputs.push_back(NpyArray::fromDoubles(t.dtype, shape, values));
  }
  std::vector<double> ms;
  for (int i = 0; i < warmup + runs; ++i) {
    const auto start = std::chrono::steady_clock::now();
    auto outputs = model.run(inputs);
    const auto end = std::chrono::steady_clock::now();
    if (!outputs)
      return outputs.takeError();
    if (i >= warmup)
      ms.push_back(
          std::chrono::duration<double, std::milli>(end - start).count());
  }
  std::sort(ms.begin(), ms.end());
  return Latency{ms[ms.size() / 2], ms.front()};
}
