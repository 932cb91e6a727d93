//===- InitAll.h - Register every dialect and pass qcc uses -----*- C++ -*-===//

#ifndef QCC_INITALL_H
#define QCC_INITALL_H

namespace mlir {
class DialectRegistry;
} // namespace mlir

namespace qcc {

/// The qc dialect and the upstream dialects qcc's IR uses.
void registerAllDialects(mlir::DialectRegistry &registry);

/// qcc's passes and the upstream core passes (canonicalize, cse, ...).
void registerAllPasses();

/// Every code generation target qcc is built with (qcc/Target/Target.h):
/// the CPU target today; NVPTX and FPGA HLS will register here.
/// Idempotent.
void registerAllTargets();

} // namespace qcc

#endif // QCC_INITALL_H
