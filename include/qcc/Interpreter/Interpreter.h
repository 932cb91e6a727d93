//===- Interpreter.h - Reference interpreter of qcc's graph IR --*- C++ -*-===//
//
// Executes a function of the graph IR op by op with the reference kernels
// (Kernels.h) and the numerics library. It is the oracle the compiled code
// is checked against: simple and exact rather than fast. Float ops compute
// in double and round each result to its element type; integer results wrap
// to their width; quantize/dequantize/requantize/rescale follow the
// numerics library bit for bit.
//
//===----------------------------------------------------------------------===//

#ifndef QCC_INTERPRETER_INTERPRETER_H
#define QCC_INTERPRETER_INTERPRETER_H

#include "qcc/Interpreter/Kernels.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/BuiltinAttributeInterfaces.h"
#include "llvm/Support/Error.h"

#include <vector>

namespace qcc::interp {

/// Called with every value the interpreter computes (arguments first, then
/// each op's results in order), e.g. to collect calibration statistics.
using ValueObserver =
    llvm::function_ref<void(mlir::Value value, const Tensor &tensor)>;

/// Values the caller already knows (e.g. from an earlier run of a model
/// that differs only downstream): null for the others.
using KnownValues = llvm::function_ref<const Tensor *(mlir::Value value)>;

/// Runs `func` on `inputs` (one per argument, shapes matching the argument
/// types' static dimensions) and returns one tensor per result. Values of
/// integer and quantized types hold their stored integers. An op all of
/// whose results `known` gives is not run: it takes those tensors as they
/// are (the caller vouches for them; the observer does not see them).
llvm::Expected<std::vector<Tensor>> runFunction(mlir::func::FuncOp func,
                                                llvm::ArrayRef<Tensor> inputs,
                                                ValueObserver observer = {},
                                                KnownValues known = {});

/// The elements of a constant attribute (`dense` or `dense_resource`).
llvm::Expected<Tensor> decodeConstant(mlir::ElementsAttr attr);

/// Rounds every element of `t` to what `elementType` can hold: floats to
/// nearest even in their format, integers wrapped to their width (after
/// truncation toward zero), i1 to 0/1.
void roundToElementType(Tensor &t, mlir::Type elementType);

} // namespace qcc::interp

#endif // QCC_INTERPRETER_INTERPRETER_H
