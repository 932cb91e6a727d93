//===- UkernelSupport.h - Declaring and calling the CPU micro-kernels -----===//
//
// Shared by the CPU target's rewrites that emit micro-kernel calls (on
// tensors in qcc-cpu-convert-qc-to-linalg, on buffers in
// qcc-cpu-linalg-to-ukernel-calls).
//
//===----------------------------------------------------------------------===//

#ifndef QCC_LIB_TARGET_CPU_UKERNELSUPPORT_H
#define QCC_LIB_TARGET_CPU_UKERNELSUPPORT_H

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/BuiltinTypes.h"

namespace qcc::cpu {

/// memref<?x...x?xT, strided<[?, ...], offset: ?>>: any buffer of `rank`,
/// the type kernels take (their C interface reads sizes and strides).
mlir::MemRefType getAnyStridedMemRefType(int64_t rank, mlir::Type element);

/// A read-only buffer of `tensor` (identity layout), cast to
/// getAnyStridedMemRefType: an argument of a kernel call that one-shot
/// bufferization connects to the tensor.
mlir::Value getReadOnlyBuffer(mlir::OpBuilder &builder, mlir::Location loc,
                              mlir::Value tensor);

/// The tensor of type `type` a kernel call wrote into `buffer`, a fresh
/// allocation nothing else refers to (restrict, writable): what one-shot
/// bufferization needs to use the buffer as the tensor without a copy.
mlir::Value getKernelResultTensor(mlir::OpBuilder &builder, mlir::Location loc,
                                  mlir::RankedTensorType type,
                                  mlir::Value buffer);

/// The private `llvm.emit_c_interface` declaration of kernel `name` taking
/// `types` in `module`, created (at the module's start, with `builder`) the
/// first time.
mlir::func::FuncOp getOrDeclareKernel(mlir::OpBuilder &builder,
                                      mlir::ModuleOp module,
                                      llvm::StringRef name,
                                      mlir::TypeRange types);

} // namespace qcc::cpu

#endif // QCC_LIB_TARGET_CPU_UKERNELSUPPORT_H
