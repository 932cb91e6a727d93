//===- Benchmark.cpp - Latency of a compiled model ------------------------===//

#include "qcc/Runtime/Benchmark.h"

#include "qcc/Support/MemoryLimit.h"

#include <algorithm>
#include <chrono>
#include <cstring>
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
  std::uniform_real_distribution<float> uniform(0.0f, 1.0f);
  std::vector<NpyArray> inputs;
  for (const TensorSignature &t : signature.inputs) {
    NpyArray a;
    for (int64_t d : t.shape)
      a.shape.push_back(d < 0 ? batch : d);
    std::vector<float> values(a.numElements());
    for (float &v : values)
      v = uniform(rng);
    a.bytes.resize(values.size() * 4);
    std::memcpy(a.bytes.data(), values.data(), a.bytes.size());
    inputs.push_back(std::move(a));
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
