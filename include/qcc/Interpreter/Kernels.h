//===- Kernels.h - Reference kernels of the graph ops -----------*- C++ -*-===//
//
// Plain C++ (no MLIR) reference implementations of the qc graph ops, with
// ONNX semantics. They compute in double precision on row-major arrays; the
// interpreter rounds each result to its element type afterwards. Written to
// be obviously correct, not fast: every kernel is a direct loop over the
// output (or input) index space.
//
//===----------------------------------------------------------------------===//

#ifndef QCC_INTERPRETER_KERNELS_H
#define QCC_INTERPRETER_KERNELS_H

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace qcc::interp {

using Shape = std::vector<int64_t>;

/// A dense row-major array of doubles. Integers up to 2^53 are exact.
struct Tensor {
  Shape shape;
  std::vector<double> data;

  Tensor() = default;
  Tensor(Shape shape, std::vector<double> data)
      : shape(std::move(shape)), data(std::move(data)) {}
  /// A tensor of `shape` filled with `value`.
  static Tensor filled(Shape shape, double value);

  int64_t rank() const { return static_cast<int64_t>(shape.size()); }
  int64_t numElements() const;
};

int64_t numElements(const Shape &shape);
/// Row-major strides of `shape`.
std::vector<int64_t> stridesOf(const Shape &shape);
/// "[2, 3, 4]", for messages.
std::string shapeToString(const Shape &shape);

/// The most elements a kernel's result may have (process-wide; the
/// interpreter sets it from the memory limit, see qcc/Support/MemoryLimit.h).
/// A larger result is a kernel error, never an allocation.
void setMaxResultElements(int64_t elements);
int64_t getMaxResultElements();

/// A kernel failure (inconsistent shapes, out-of-range indices, ...): the
/// message says what is wrong; the interpreter prefixes the op.
struct KernelError {
  std::string message;
};

/// Kernels return the result or an error.
template <typename T> struct Result {
  std::optional<T> value;
  std::string error;
  Result(T v) : value(std::move(v)) {}
  Result(KernelError e) : error(std::move(e.message)) {}
  explicit operator bool() const { return value.has_value(); }
};

//===----------------------------------------------------------------------===//
// Element-wise
//===----------------------------------------------------------------------===//

/// NumPy broadcast of two shapes, or an error.
Result<Shape> broadcastShapes(const Shape &a, const Shape &b);

/// f(a[i], b[i]) with NumPy broadcasting.
Result<Tensor> binary(const Tensor &a, const Tensor &b,
                      const std::function<double(double, double)> &f);

/// f(x[i]).
Tensor unary(const Tensor &x, const std::function<double(double)> &f);

//===----------------------------------------------------------------------===//
// Linear layers
//===----------------------------------------------------------------------===//

/// Window parameters of an N-d convolution or pooling, one entry per
/// spatial axis except `pads`: begin pads of every axis, then end pads.
/// Empty `strides`, `pads` or `dilations` mean the ONNX defaults (1, 0, 1).
struct Window {
  std::vector<int64_t> kernel;    // pooling only; conv takes it from W
  std::vector<int64_t> strides;
  std::vector<int64_t> pads;
  std::vector<int64_t> dilations;
};

/// ONNX Conv: x [N, C, D...], w [M, C/group, K...], optional b [M].
Result<Tensor> conv(const Tensor &x, const Tensor &w, const Tensor *b,
                    const Window &window, int64_t group);

/// ONNX ConvTranspose: x [N, C, D...], w [C, M/group, K...], optional b [M].
Result<Tensor> convTranspose(const Tensor &x, const Tensor &w, const Tensor *b,
                             const Window &window,
                             const std::vector<int64_t> &outputPadding,
                             int64_t group);

/// ONNX Gemm: alpha * op(a) * op(b) + beta * c (c broadcast to [M, N]).
Result<Tensor> gemm(const Tensor &a, const Tensor &b, const Tensor *c,
                    double alpha, double beta, bool transA, bool transB);

/// numpy.matmul (1-d promotion, broadcast batch dimensions).
Result<Tensor> matmul(const Tensor &a, const Tensor &b);

//===----------------------------------------------------------------------===//
// Normalisation, reductions, pooling
//===----------------------------------------------------------------------===//

Result<Tensor> softmax(const Tensor &x, int64_t axis);
/// Normalises over [axis, rank); scale/bias broadcast over those axes.
Result<Tensor> layerNorm(const Tensor &x, const Tensor &scale,
                         const Tensor *bias, int64_t axis, double epsilon);
/// Per channel (axis 1).
Result<Tensor> batchNorm(const Tensor &x, const Tensor &scale,
                         const Tensor &bias, const Tensor &mean,
                         const Tensor &variance, double epsilon);
/// Mean over sorted non-negative `axes`. Empty `axes` reduce every axis
/// (ONNX's default; noop_with_empty_axes is the caller's business).
Result<Tensor> reduceMean(const Tensor &x, const std::vector<int64_t> &axes,
                          bool keepdims);
/// Sum over `axes`, as reduceMean.
Result<Tensor> reduceSum(const Tensor &x, const std::vector<int64_t> &axes,
                         bool keepdims);

/// ONNX MaxPool (padding never wins).
Result<Tensor> maxPool(const Tensor &x, const Window &window, bool ceilMode);
/// ONNX AveragePool.
/// Window sums over the elements inside the input (qc.sum_pool).
Result<Tensor> sumPool(const Tensor &x, const Window &window, bool ceilMode);
Result<Tensor> avgPool(const Tensor &x, const Window &window, bool ceilMode,
                       bool countIncludePad);
Result<Tensor> globalAvgPool(const Tensor &x);

//===----------------------------------------------------------------------===//
// Data movement
//===----------------------------------------------------------------------===//

/// Same data, new shape: at most one -1 entry, inferred from the count.
Result<Tensor> reshape(const Tensor &x, const Shape &shape);
/// `output.shape[i] = x.shape[perm[i]]`; an empty `perm` reverses the axes.
Result<Tensor> transpose(const Tensor &x, const std::vector<int64_t> &perm);
Result<Tensor> concat(const std::vector<const Tensor *> &inputs, int64_t axis);
Result<std::vector<Tensor>> split(const Tensor &x, int64_t axis,
                                  const std::vector<int64_t> &sizes);
/// ONNX Slice with one (start, end, step) per dimension, clamped as ONNX.
/// Empty `steps` mean all 1.
Result<Tensor> slice(const Tensor &x, const std::vector<int64_t> &starts,
                     const std::vector<int64_t> &ends,
                     const std::vector<int64_t> &steps);
/// ONNX Gather (negative indices count from the end).
Result<Tensor> gather(const Tensor &data, const Tensor &indices, int64_t axis);

/// ONNX Expand: `x` broadcast to `shape` (NumPy rules, `shape` exact: the
/// caller resolved the ONNX shape operand against `x`).
Result<Tensor> expand(const Tensor &x, const Shape &shape);

enum class PadMode { Constant, Reflect, Edge };
/// `pads`: begin pads of every dimension, then end pads; negative crops.
Result<Tensor> pad(const Tensor &x, const std::vector<int64_t> &pads,
                   PadMode mode, double value);

} // namespace qcc::interp

#endif // QCC_INTERPRETER_KERNELS_H
