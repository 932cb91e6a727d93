//===- Benchmark.h - Latency of a compiled model ----------------*- C++ -*-===//

#ifndef QCC_RUNTIME_BENCHMARK_H
#define QCC_RUNTIME_BENCHMARK_H

#include "qcc/Runtime/CompiledModel.h"

namespace qcc::runtime {

struct Latency {
  double medianMs = 0, minMs = 0;
};

/// Runs `model` `warmup` times untimed, then `runs` times timed, on seeded
/// uniform [0, 1) inputs of batch `batch` (latency does not depend on the
/// values). The buffers are checked against the memory limit first, since
/// the batch multiplies them.
llvm::Expected<Latency> measureLatency(const CompiledModel &model,
                                       int64_t batch, int runs, int warmup);

} // namespace qcc::runtime

#endif // QCC_RUNTIME_BENCHMARK_H
