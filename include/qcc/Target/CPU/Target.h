//===- Target.h - The CPU target --------------------------------*- C++ -*-===//

#ifndef QCC_TARGET_CPU_TARGET_H
#define QCC_TARGET_CPU_TARGET_H

#include "qcc/Target/Target.h"

#include <memory>

namespace qcc::cpu {

/// This machine's CPU: qc-cpu-lowering to LLVM, clang to a shared library
/// with the C API of model.h, loaded with dlopen (runtime::CompiledModel).
std::unique_ptr<target::Target> createCPUTarget();

} // namespace qcc::cpu

#endif // QCC_TARGET_CPU_TARGET_H
