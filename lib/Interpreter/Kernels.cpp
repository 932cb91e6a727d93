//===- Kernels.cpp - Reference kernels of the graph ops -------------------===//
//
// Direct, unoptimised implementations of the ONNX operator semantics. Every
// kernel first validates its operands (a malformed tensor or attribute is a
// KernelError, never an assertion), then loops over the output (or, for the
// scatter-shaped ConvTranspose, the input) index space with explicit index
// arithmetic.
//
//===----------------------------------------------------------------------===//

#include "qcc/Interpreter/Kernels.h"

#include <atomic>
#include <algorithm>
#include <cmath>
#include <limits>
#include <sstream>

namespace qcc::interp {

//===----------------------------------------------------------------------===//
// Tensor basics
//===----------------------------------------------------------------------===//

static std::atomic<int64_t> maxResultElements{int64_t{1} << 40};

void setMaxResultElements(int64_t elements) { maxResultElements = elements; }
int64_t getMaxResultElements() { return maxResultElements; }

int64_t numElements(const Shape &shape) {
  int64_t n = 1;
  for (int64_t d : shape)
    n *= d;
  return n;
}

std::vector<int64_t> stridesOf(const Shape &shape) {
  std::vector<int64_t> strides(shape.size(), 1);
  for (int64_t i = static_cast<int64_t>(shape.size()) - 2; i >= 0; --i)
    strides[i] = strides[i + 1] * shape[i + 1];
  return strides;
}

Tensor Tensor::filled(Shape shape, double value) {
  int64_t n = interp::numElements(shape);
  return Tensor(
      std::move(shape),
      std::vector<double>(static_cast<size_t>(std::max<int64_t>(n, 0)), value));
}

int64_t Tensor::numElements() const { return interp::numElements(shape); }

std::string shapeToString(const Shape &shape) {
  std::ostringstream os;
  os << '[';
  for (size_t i = 0; i < shape.size(); ++i)
    os << (i ? ", " : "") << shape[i];
  os << ']';
  return os.str();
}

namespace {

using Index = std::vector<int64_t>;

std::string str(const Shape &s) { return shapeToString(s); }

KernelError err(const std::string &message) { return KernelError{message}; }

/// Dimensions at or above this bound are rejected so that products of a few
/// of them cannot overflow int64_t.
constexpr int64_t kMaxElements = int64_t{1} << 40;

/// An error message if `t` is malformed (negative dimension, element count
/// not matching the shape, absurd size), or the empty string.
std::string checkTensor(const Tensor &t, const char *name) {
  int64_t n = 1;
  for (int64_t d : t.shape) {
    if (d < 0)
      return std::string(name) + " has a negative dimension in shape " +
             str(t.shape);
    if (d > kMaxElements || (d > 0 && n > kMaxElements / d))
      return std::string(name) + " shape " + str(t.shape) + " is too large";
    n *= d;
  }
  if (static_cast<int64_t>(t.data.size()) != n)
    return std::string(name) + " has " + std::to_string(t.data.size()) +
           " elements but shape " + str(t.shape) + " needs " +
           std::to_string(n);
  return "";
}

/// An error message if a result of `shape` would have more than
/// kMaxElements elements (whose count could overflow), or more than
/// getMaxResultElements(), or "".
std::string checkResultSize(const Shape &shape) {
  int64_t n = 1;
  for (int64_t d : shape) {
    if (d > kMaxElements || (d > 0 && n > kMaxElements / d))
      return "result shape " + str(shape) + " is too large";
    n *= d;
  }
  if (n > getMaxResultElements())
    return "result shape " + str(shape) + " has " + std::to_string(n) +
           " elements, more than the memory limit allows (" +
           std::to_string(getMaxResultElements()) +
           " elements; --memory-limit)";
  return "";
}

#define CHECK_RESULT_SIZE(shape)                                               \
  do {                                                                         \
    std::string msg_ = checkResultSize(shape);                                 \
    if (!msg_.empty())                                                         \
      return err(msg_);                                                        \
  } while (false)

#define CHECK_TENSOR(t, name)                                                  \
  do {                                                                         \
    std::string msg_ = checkTensor(t, name);                                   \
    if (!msg_.empty())                                                         \
      return err(msg_);                                                        \
  } while (false)

/// Validates a (possibly negative) axis against `rank` and normalises it.
bool normaliseAxis(int64_t &axis, int64_t rank) {
  if (axis < -rank || axis >= rank)
    return false;
  if (axis < 0)
    axis += rank;
  return true;
}

std::string badAxis(int64_t axis, int64_t rank) {
  return "axis " + std::to_string(axis) + " is out of range for rank " +
         std::to_string(rank);
}

/// Advances `idx` to the next row-major index of `shape`; false at the end.
bool next(Index &idx, const Shape &shape) {
  for (int64_t i = static_cast<int64_t>(shape.size()) - 1; i >= 0; --i) {
    if (++idx[i] < shape[i])
      return true;
    idx[i] = 0;
  }
  return false;
}

/// Calls f(index) for every row-major index of `shape` (none if empty).
template <typename F> void forEachIndex(const Shape &shape, F f) {
  if (numElements(shape) == 0)
    return;
  Index idx(shape.size(), 0);
  do {
    f(idx);
  } while (next(idx, shape));
}

int64_t offsetOf(const Index &idx, const std::vector<int64_t> &strides) {
  int64_t off = 0;
  for (size_t i = 0; i < idx.size(); ++i)
    off += idx[i] * strides[i];
  return off;
}

/// Window attributes with defaults filled in for `spatial` axes.
struct FullWindow {
  std::vector<int64_t> kernel, strides, padBegin, padEnd, dilations;
};

/// Fills in defaults (strides 1, pads 0, dilations 1) for empty vectors and
/// validates the rest. `kernel` is the kernel shape to use.
std::string completeWindow(const Window &w, const std::vector<int64_t> &kernel,
                           FullWindow &out) {
  size_t s = kernel.size();
  out.kernel = kernel;
  for (int64_t k : kernel)
    if (k < 1)
      return "kernel shape " + str(kernel) + " must be positive";
  out.strides = w.strides.empty() ? std::vector<int64_t>(s, 1) : w.strides;
  out.dilations =
      w.dilations.empty() ? std::vector<int64_t>(s, 1) : w.dilations;
  std::vector<int64_t> pads =
      w.pads.empty() ? std::vector<int64_t>(2 * s, 0) : w.pads;
  if (out.strides.size() != s)
    return "expected " + std::to_string(s) + " strides, got " +
           str(out.strides);
  if (out.dilations.size() != s)
    return "expected " + std::to_string(s) + " dilations, got " +
           str(out.dilations);
  if (pads.size() != 2 * s)
    return "expected " + std::to_string(2 * s) + " pads, got " + str(pads);
  for (int64_t v : out.strides)
    if (v < 1)
      return "strides " + str(out.strides) + " must be positive";
  for (int64_t v : out.dilations)
    if (v < 1)
      return "dilations " + str(out.dilations) + " must be positive";
  for (int64_t v : pads)
    if (v < 0 || v > kMaxElements)
      return "pads " + str(pads) + " must be non-negative";
  for (int64_t v : out.strides)
    if (v > kMaxElements)
      return "strides " + str(out.strides) + " are too large";
  for (int64_t v : out.dilations)
    if (v > kMaxElements)
      return "dilations " + str(out.dilations) + " are too large";
  out.padBegin.assign(pads.begin(), pads.begin() + s);
  out.padEnd.assign(pads.begin() + s, pads.end());
  return "";
}

int64_t floorDiv(int64_t a, int64_t b) {
  int64_t q = a / b;
  if ((a % b != 0) && ((a < 0) != (b < 0)))
    --q;
  return q;
}

int64_t ceilDiv(int64_t a, int64_t b) { return -floorDiv(-a, b); }

/// Output size of a conv/pool axis, or -1 (with `error` set) if the window
/// does not fit. Computed in 128 bits: the attributes are only bounded by
/// kMaxElements each.
int64_t windowOutputSize(int64_t d, int64_t k, int64_t stride, int64_t pb,
                         int64_t pe, int64_t dilation, bool ceilMode,
                         std::string &error) {
  using i128 = __int128;
  i128 span = i128(d) + pb + pe - i128(dilation) * (k - 1) - 1;
  if (span < 0) {
    error = "the window (kernel " + std::to_string(k) + ", dilation " +
            std::to_string(dilation) + ") does not fit the padded input of " +
            "size " + std::to_string(d + pb + pe);
    return -1;
  }
  // span < 2^42 here, so 64-bit arithmetic is safe from now on.
  int64_t sp = static_cast<int64_t>(span);
  int64_t out = (ceilMode ? ceilDiv(sp, stride) : floorDiv(sp, stride)) + 1;
  // ONNX/PyTorch: the last window must start inside the input or the begin
  // padding.
  if (ceilMode && (out - 1) * stride >= d + pb)
    --out;
  return out;
}

} // namespace

//===----------------------------------------------------------------------===//
// Element-wise
//===----------------------------------------------------------------------===//

Result<Shape> broadcastShapes(const Shape &a, const Shape &b) {
  size_t rank = std::max(a.size(), b.size());
  Shape out(rank);
  for (size_t i = 0; i < rank; ++i) {
    // Align from the right.
    int64_t da = i < rank - a.size() ? 1 : a[i - (rank - a.size())];
    int64_t db = i < rank - b.size() ? 1 : b[i - (rank - b.size())];
    if (da == db || db == 1)
      out[i] = da;
    else if (da == 1)
      out[i] = db;
    else
      return err("shapes " + str(a) + " and " + str(b) +
                 " are not broadcastable");
  }
  return out;
}

namespace {
/// Offset into a tensor of shape `in` (right-aligned to `outShape`, with
/// size-1 dimensions broadcast) for output index `idx`.
int64_t broadcastOffset(const Index &idx, const Shape &in,
                        const std::vector<int64_t> &inStrides) {
  size_t lead = idx.size() - in.size();
  int64_t off = 0;
  for (size_t i = 0; i < in.size(); ++i)
    if (in[i] != 1)
      off += idx[lead + i] * inStrides[i];
  return off;
}
} // namespace

Result<Tensor> binary(const Tensor &a, const Tensor &b,
                      const std::function<double(double, double)> &f) {
  CHECK_TENSOR(a, "lhs");
  CHECK_TENSOR(b, "rhs");
  Result<Shape> shape = broadcastShapes(a.shape, b.shape);
  if (!shape)
    return err(shape.error);
  CHECK_RESULT_SIZE(*shape.value);
  Tensor out = Tensor::filled(*shape.value, 0.0);
  std::vector<int64_t> sa = stridesOf(a.shape), sb = stridesOf(b.shape);
  int64_t i = 0;
  forEachIndex(out.shape, [&](const Index &idx) {
    out.data[i++] = f(a.data[broadcastOffset(idx, a.shape, sa)],
                      b.data[broadcastOffset(idx, b.shape, sb)]);
  });
  return out;
}

Tensor unary(const Tensor &x, const std::function<double(double)> &f) {
  Tensor out = x;
  for (double &v : out.data)
    v = f(v);
  return out;
}

//===----------------------------------------------------------------------===//
// Linear layers
//===----------------------------------------------------------------------===//

/// The checks conv and convTranspose share of input `x`, weight `w` and
/// `group`; the empty string when they pass.
std::string checkConvOperands(const Tensor &x, const Tensor &w,
                              int64_t group) {
  if (std::string e = checkTensor(x, "input"); !e.empty())
    return e;
  if (std::string e = checkTensor(w, "weight"); !e.empty())
    return e;
  if (x.rank() < 3)
    return "input must have shape [N, C, D...], got " + str(x.shape);
  if (w.rank() != x.rank())
    return "weight shape " + str(w.shape) + " must have the input's rank " +
           std::to_string(x.rank());
  if (group < 1)
    return "group " + std::to_string(group) + " must be positive";
  return "";
}

/// The window of a convolution with weight `w` (kernel shape `w.shape[2:]`,
/// which `window.kernel` must match when given) and optional bias `b` of
/// `outChannels` elements, completed into `fw`.
std::string completeConvWindow(const Window &window, const Tensor &w,
                               const Tensor *b, int64_t outChannels,
                               FullWindow &fw) {
  std::vector<int64_t> kernel(w.shape.begin() + 2, w.shape.end());
  if (!window.kernel.empty() && window.kernel != kernel)
    return "kernel shape " + str(window.kernel) +
           " does not match the weight shape " + str(w.shape);
  if (b) {
    if (std::string e = checkTensor(*b, "bias"); !e.empty())
      return e;
    if (b->shape != Shape{outChannels})
      return "bias shape " + str(b->shape) + " must be [" +
             std::to_string(outChannels) + "]";
  }
  return completeWindow(window, kernel, fw);
}

Result<Tensor> conv(const Tensor &x, const Tensor &w, const Tensor *b,
                    const Window &window, int64_t group) {
  if (std::string e = checkConvOperands(x, w, group); !e.empty())
    return err(e);
  int64_t n = x.shape[0], c = x.shape[1], m = w.shape[0];
  size_t s = static_cast<size_t>(x.rank() - 2);
  if (c % group != 0 || m % group != 0)
    return err("input channels " + std::to_string(c) + " and output channels " +
               std::to_string(m) + " must be divisible by group " +
               std::to_string(group));
  int64_t cg = c / group, mg = m / group;
  if (w.shape[1] != cg)
    return err("weight shape " + str(w.shape) + " needs " + std::to_string(cg) +
               " input channels per group (input " + str(x.shape) + ", group " +
               std::to_string(group) + ")");
  FullWindow fw;
  std::string e = completeConvWindow(window, w, b, m, fw);
  if (!e.empty())
    return err(e);
  const std::vector<int64_t> &kernel = fw.kernel;

  Shape outShape{n, m};
  for (size_t i = 0; i < s; ++i) {
    int64_t o = windowOutputSize(x.shape[2 + i], kernel[i], fw.strides[i],
                                 fw.padBegin[i], fw.padEnd[i], fw.dilations[i],
                                 /*ceilMode=*/false, e);
    if (o < 0)
      return err(e);
    outShape.push_back(o);
  }
  CHECK_RESULT_SIZE(outShape);
  Tensor out = Tensor::filled(outShape, 0.0);
  if (s == 2) {
    // The common 2-d case as plain loops: the same products summed in the
    // same order as the N-d loop below, without its index bookkeeping.
    const int64_t ih = x.shape[2], iw = x.shape[3], kh = kernel[0],
                  kw = kernel[1], oh = outShape[2], ow = outShape[3];
    double *result = out.data.data();
    for (int64_t batch = 0; batch < n; ++batch)
      for (int64_t oc = 0; oc < m; ++oc) {
        const int64_t g = oc / mg;
        for (int64_t oy = 0; oy < oh; ++oy)
          for (int64_t ox = 0; ox < ow; ++ox) {
            double acc = b ? b->data[oc] : 0.0;
            for (int64_t ic = 0; ic < cg; ++ic) {
              // data() + offset, not &data[offset]: an empty input (a zero
              // spatial size) has no element to take the address of.
              const double *plane =
                  x.data.data() + (batch * c + g * cg + ic) * ih * iw;
              const double *filter = w.data.data() + (oc * cg + ic) * kh * kw;
              for (int64_t ky = 0; ky < kh; ++ky) {
                const int64_t iy =
                    oy * fw.strides[0] - fw.padBegin[0] + ky * fw.dilations[0];
                if (iy < 0 || iy >= ih)
                  continue;
                for (int64_t kx = 0; kx < kw; ++kx) {
                  const int64_t ix = ox * fw.strides[1] - fw.padBegin[1] +
                                     kx * fw.dilations[1];
                  if (ix < 0 || ix >= iw)
                    continue;
                  acc += plane[iy * iw + ix] * filter[ky * kw + kx];
                }
              }
            }
            *result++ = acc;
          }
      }
    return out;
  }
  std::vector<int64_t> xs = stridesOf(x.shape), ws = stridesOf(w.shape);
  Shape kernelShape = kernel;
  int64_t oi = 0;
  forEachIndex(outShape, [&](const Index &o) {
    int64_t batch = o[0], oc = o[1], g = oc / mg;
    double acc = b ? b->data[oc] : 0.0;
    for (int64_t ic = 0; ic < cg; ++ic) {
      int64_t xc = g * cg + ic;
      forEachIndex(kernelShape, [&](const Index &k) {
        int64_t xOff = batch * xs[0] + xc * xs[1];
        for (size_t i = 0; i < s; ++i) {
          int64_t pos = o[2 + i] * fw.strides[i] - fw.padBegin[i] +
                        k[i] * fw.dilations[i];
          if (pos < 0 || pos >= x.shape[2 + i])
            return; // padding contributes zero
          xOff += pos * xs[2 + i];
        }
        int64_t wOff = oc * ws[0] + ic * ws[1];
        for (size_t i = 0; i < s; ++i)
          wOff += k[i] * ws[2 + i];
        acc += x.data[xOff] * w.data[wOff];
      });
    }
    out.data[oi++] = acc;
  });
  return out;
}

Result<Tensor> convTranspose(const Tensor &x, const Tensor &w, const Tensor *b,
                             const Window &window,
                             const std::vector<int64_t> &outputPadding,
                             int64_t group) {
  if (std::string e = checkConvOperands(x, w, group); !e.empty())
    return err(e);
  int64_t n = x.shape[0], c = x.shape[1];
  size_t s = static_cast<size_t>(x.rank() - 2);
  if (w.shape[0] != c)
    return err("weight shape " + str(w.shape) + " must start with the " +
               std::to_string(c) + " input channels");
  if (c % group != 0)
    return err("input channels " + std::to_string(c) +
               " must be divisible by group " + std::to_string(group));
  int64_t cg = c / group, mg = w.shape[1], m = mg * group;
  FullWindow fw;
  std::string e = completeConvWindow(window, w, b, m, fw);
  if (!e.empty())
    return err(e);
  const std::vector<int64_t> &kernel = fw.kernel;
  std::vector<int64_t> outPad =
      outputPadding.empty() ? std::vector<int64_t>(s, 0) : outputPadding;
  if (outPad.size() != s)
    return err("expected " + std::to_string(s) +
               " output_padding values, got " + str(outputPadding));
  for (int64_t v : outPad)
    if (v < 0 || v > kMaxElements)
      return err("output_padding " + str(outPad) + " must be non-negative");

  Shape outShape{n, m};
  for (size_t i = 0; i < s; ++i) {
    using i128 = __int128;
    i128 o = i128(fw.strides[i]) * (x.shape[2 + i] - 1) + outPad[i] +
             i128(fw.dilations[i]) * (kernel[i] - 1) + 1 - fw.padBegin[i] -
             fw.padEnd[i];
    if (o < 1)
      return err("output size " + std::to_string(static_cast<int64_t>(o)) +
                 " along spatial axis " + std::to_string(i) +
                 " is not positive");
    if (o > kMaxElements)
      return err("output size along spatial axis " + std::to_string(i) +
                 " is too large");
    outShape.push_back(static_cast<int64_t>(o));
  }
  CHECK_RESULT_SIZE(outShape);
  Tensor out = Tensor::filled(outShape, 0.0);
  std::vector<int64_t> xs = stridesOf(x.shape), ws = stridesOf(w.shape),
                       os = stridesOf(outShape);
  // Bias first, then scatter every input element through the kernel.
  if (b)
    forEachIndex(outShape, [&](const Index &o) {
      out.data[offsetOf(o, os)] = b->data[o[1]];
    });
  Shape kernelShape = kernel;
  forEachIndex(x.shape, [&](const Index &xi) {
    int64_t batch = xi[0], xc = xi[1], g = xc / cg;
    double xv = x.data[offsetOf(xi, xs)];
    for (int64_t om = 0; om < mg; ++om) {
      int64_t oc = g * mg + om;
      forEachIndex(kernelShape, [&](const Index &k) {
        int64_t oOff = batch * os[0] + oc * os[1];
        for (size_t i = 0; i < s; ++i) {
          int64_t pos = xi[2 + i] * fw.strides[i] + k[i] * fw.dilations[i] -
                        fw.padBegin[i];
          if (pos < 0 || pos >= outShape[2 + i])
            return; // cropped by the pads
          oOff += pos * os[2 + i];
        }
        int64_t wOff = xc * ws[0] + om * ws[1];
        for (size_t i = 0; i < s; ++i)
          wOff += k[i] * ws[2 + i];
        out.data[oOff] += xv * w.data[wOff];
      });
    }
  });
  return out;
}

Result<Tensor> gemm(const Tensor &a, const Tensor &b, const Tensor *c,
                    double alpha, double beta, bool transA, bool transB) {
  CHECK_TENSOR(a, "A");
  CHECK_TENSOR(b, "B");
  if (a.rank() != 2 || b.rank() != 2)
    return err("A " + str(a.shape) + " and B " + str(b.shape) +
               " must be matrices");
  int64_t m = transA ? a.shape[1] : a.shape[0];
  int64_t k = transA ? a.shape[0] : a.shape[1];
  int64_t kb = transB ? b.shape[1] : b.shape[0];
  int64_t nn = transB ? b.shape[0] : b.shape[1];
  if (k != kb)
    return err("inner dimensions of A " + str(a.shape) + " and B " +
               str(b.shape) + " differ (transA " + std::to_string(transA) +
               ", transB " + std::to_string(transB) + ")");
  Shape outShape{m, nn};
  std::vector<int64_t> cs;
  if (c) {
    CHECK_TENSOR(*c, "C");
    Result<Shape> bs = broadcastShapes(c->shape, outShape);
    if (!bs || *bs.value != outShape)
      return err("C " + str(c->shape) + " does not broadcast to " +
                 str(outShape));
    cs = stridesOf(c->shape);
  }
  CHECK_RESULT_SIZE(outShape);
  Tensor out = Tensor::filled(outShape, 0.0);
  for (int64_t i = 0; i < m; ++i)
    for (int64_t j = 0; j < nn; ++j) {
      double acc = 0.0;
      for (int64_t p = 0; p < k; ++p) {
        double av = transA ? a.data[p * a.shape[1] + i] : a.data[i * k + p];
        double bv = transB ? b.data[j * b.shape[1] + p] : b.data[p * nn + j];
        acc += av * bv;
      }
      double v = alpha * acc;
      if (c)
        v += beta * c->data[broadcastOffset({i, j}, c->shape, cs)];
      out.data[i * nn + j] = v;
    }
  return out;
}

Result<Tensor> matmul(const Tensor &a, const Tensor &b) {
  CHECK_TENSOR(a, "lhs");
  CHECK_TENSOR(b, "rhs");
  if (a.rank() < 1 || b.rank() < 1)
    return err("matmul operands " + str(a.shape) + " and " + str(b.shape) +
               " must have rank >= 1");
  // 1-d promotion.
  Shape as = a.shape, bs = b.shape;
  if (a.rank() == 1)
    as.insert(as.begin(), 1);
  if (b.rank() == 1)
    bs.push_back(1);
  int64_t m = as[as.size() - 2], k = as.back();
  int64_t kb = bs[bs.size() - 2], nn = bs.back();
  if (k != kb)
    return err("matmul inner dimensions of " + str(a.shape) + " and " +
               str(b.shape) + " differ");
  Shape aBatch(as.begin(), as.end() - 2), bBatch(bs.begin(), bs.end() - 2);
  Result<Shape> batch = broadcastShapes(aBatch, bBatch);
  if (!batch)
    return err("matmul batch dimensions: " + batch.error);
  Shape full = *batch.value;
  full.push_back(m);
  full.push_back(nn);
  CHECK_RESULT_SIZE(full);
  std::vector<int64_t> aStr = stridesOf(as), bStr = stridesOf(bs);
  Tensor out = Tensor::filled(full, 0.0);
  int64_t oi = 0;
  std::vector<int64_t> aBatchStr(aStr.begin(), aStr.end() - 2),
      bBatchStr(bStr.begin(), bStr.end() - 2);
  forEachIndex(full, [&](const Index &idx) {
    size_t r = idx.size();
    int64_t i = idx[r - 2], j = idx[r - 1];
    // Each operand's matrix at this (broadcast) batch index.
    Index batchIdx(idx.begin(), idx.end() - 2);
    int64_t aOff = broadcastOffset(batchIdx, aBatch, aBatchStr);
    int64_t bOff = broadcastOffset(batchIdx, bBatch, bBatchStr);
    double acc = 0.0;
    for (int64_t p = 0; p < k; ++p)
      acc += a.data[aOff + i * k + p] * b.data[bOff + p * nn + j];
    out.data[oi++] = acc;
  });
  // Undo the promotion.
  Shape result = *batch.value;
  if (a.rank() != 1)
    result.push_back(m);
  if (b.rank() != 1)
    result.push_back(nn);
  out.shape = result;
  return out;
}

//===----------------------------------------------------------------------===//
// Normalisation, reductions, pooling
//===----------------------------------------------------------------------===//

Result<Tensor> softmax(const Tensor &x, int64_t axis) {
  CHECK_TENSOR(x, "input");
  int64_t a = axis;
  if (!normaliseAxis(a, x.rank()))
    return err(badAxis(axis, x.rank()));
  std::vector<int64_t> xs = stridesOf(x.shape);
  int64_t len = x.shape[a], stride = xs[a];
  Shape outer = x.shape;
  outer[a] = 1;
  Tensor out = x;
  forEachIndex(outer, [&](const Index &idx) {
    int64_t base = offsetOf(idx, xs);
    double mx = -std::numeric_limits<double>::infinity();
    for (int64_t i = 0; i < len; ++i)
      mx = std::max(mx, x.data[base + i * stride]);
    double sum = 0.0;
    for (int64_t i = 0; i < len; ++i)
      sum += std::exp(x.data[base + i * stride] - mx);
    for (int64_t i = 0; i < len; ++i)
      out.data[base + i * stride] =
          std::exp(x.data[base + i * stride] - mx) / sum;
  });
  return out;
}

Result<Tensor> layerNorm(const Tensor &x, const Tensor &scale,
                         const Tensor *bias, int64_t axis, double epsilon) {
  CHECK_TENSOR(x, "input");
  CHECK_TENSOR(scale, "scale");
  int64_t a = axis;
  if (!normaliseAxis(a, x.rank()))
    return err(badAxis(axis, x.rank()));
  Shape inner(x.shape.begin() + a, x.shape.end());
  auto checkParam = [&](const Tensor &p, const char *name) -> std::string {
    Result<Shape> bs = broadcastShapes(p.shape, inner);
    if (!bs || *bs.value != inner)
      return std::string(name) + " " + str(p.shape) +
             " does not broadcast to the normalised shape " + str(inner);
    return "";
  };
  std::string e = checkParam(scale, "scale");
  if (!e.empty())
    return err(e);
  if (bias) {
    CHECK_TENSOR(*bias, "bias");
    e = checkParam(*bias, "bias");
    if (!e.empty())
      return err(e);
  }
  int64_t innerCount = numElements(inner);
  int64_t outerCount = innerCount == 0 ? 0 : x.numElements() / innerCount;
  std::vector<int64_t> ss = stridesOf(scale.shape);
  std::vector<int64_t> bsStr = bias ? stridesOf(bias->shape) : ss;
  Tensor out = x;
  for (int64_t o = 0; o < outerCount; ++o) {
    int64_t base = o * innerCount;
    double mean = 0.0;
    for (int64_t i = 0; i < innerCount; ++i)
      mean += x.data[base + i];
    mean /= static_cast<double>(innerCount);
    double var = 0.0;
    for (int64_t i = 0; i < innerCount; ++i) {
      double d = x.data[base + i] - mean;
      var += d * d;
    }
    var /= static_cast<double>(innerCount);
    double inv = 1.0 / std::sqrt(var + epsilon);
    int64_t i = 0;
    forEachIndex(inner, [&](const Index &idx) {
      double v = (x.data[base + i] - mean) * inv *
                 scale.data[broadcastOffset(idx, scale.shape, ss)];
      if (bias)
        v += bias->data[broadcastOffset(idx, bias->shape, bsStr)];
      out.data[base + i] = v;
      ++i;
    });
  }
  return out;
}

Result<Tensor> batchNorm(const Tensor &x, const Tensor &scale,
                         const Tensor &bias, const Tensor &mean,
                         const Tensor &variance, double epsilon) {
  CHECK_TENSOR(x, "input");
  if (x.rank() < 2)
    return err("input must have shape [N, C, ...], got " + str(x.shape));
  int64_t c = x.shape[1];
  const std::pair<const Tensor *, const char *> params[] = {
      {&scale, "scale"},
      {&bias, "bias"},
      {&mean, "mean"},
      {&variance, "variance"}};
  for (auto [p, name] : params) {
    CHECK_TENSOR(*p, name);
    if (p->shape != Shape{c})
      return err(std::string(name) + " shape " + str(p->shape) + " must be [" +
                 std::to_string(c) + "]");
  }
  std::vector<int64_t> xs = stridesOf(x.shape);
  Tensor out = x;
  forEachIndex(x.shape, [&](const Index &idx) {
    int64_t off = offsetOf(idx, xs), ch = idx[1];
    out.data[off] = (x.data[off] - mean.data[ch]) /
                        std::sqrt(variance.data[ch] + epsilon) *
                        scale.data[ch] +
                    bias.data[ch];
  });
  return out;
}

namespace {
/// Sum over `axes`, or the mean with `mean`.
Result<Tensor> reduce(const Tensor &x, const std::vector<int64_t> &axes,
                      bool keepdims, bool mean) {
  CHECK_TENSOR(x, "input");
  std::vector<bool> reduced(x.shape.size(), axes.empty());
  for (int64_t axis : axes) {
    int64_t a = axis;
    if (!normaliseAxis(a, x.rank()))
      return err(badAxis(axis, x.rank()));
    if (reduced[a])
      return err("axis " + std::to_string(axis) + " is repeated in " +
                 str(axes));
    reduced[a] = true;
  }
  Shape kept; // keepdims shape
  int64_t count = 1;
  for (size_t i = 0; i < x.shape.size(); ++i) {
    kept.push_back(reduced[i] ? 1 : x.shape[i]);
    if (reduced[i])
      count *= x.shape[i];
  }
  CHECK_RESULT_SIZE(kept);
  Tensor out = Tensor::filled(kept, 0.0);
  std::vector<int64_t> ks = stridesOf(kept), xs = stridesOf(x.shape);
  forEachIndex(x.shape, [&](const Index &idx) {
    Index o = idx;
    for (size_t i = 0; i < o.size(); ++i)
      if (reduced[i])
        o[i] = 0;
    out.data[offsetOf(o, ks)] += x.data[offsetOf(idx, xs)];
  });
  if (mean)
    for (double &v : out.data)
      v /= static_cast<double>(count); // 0/0 = NaN for an empty reduction
  if (!keepdims) {
    Shape dropped;
    for (size_t i = 0; i < x.shape.size(); ++i)
      if (!reduced[i])
        dropped.push_back(x.shape[i]);
    out.shape = dropped;
  }
  return out;
}

} // namespace

Result<Tensor> reduceMean(const Tensor &x, const std::vector<int64_t> &axes,
                          bool keepdims) {
  return reduce(x, axes, keepdims, /*mean=*/true);
}

Result<Tensor> reduceSum(const Tensor &x, const std::vector<int64_t> &axes,
                         bool keepdims) {
  return reduce(x, axes, keepdims, /*mean=*/false);
}

namespace {

/// Validated window and output shape of a pooling op.
struct PoolSetup {
  FullWindow fw;
  Shape outShape;
};

std::string setupPool(const Tensor &x, const Window &window, bool ceilMode,
                      PoolSetup &ps) {
  std::string e = checkTensor(x, "input");
  if (!e.empty())
    return e;
  if (x.rank() < 3)
    return "input must have shape [N, C, D...], got " + str(x.shape);
  size_t s = static_cast<size_t>(x.rank() - 2);
  if (window.kernel.size() != s)
    return "expected " + std::to_string(s) + " kernel sizes, got " +
           str(window.kernel);
  e = completeWindow(window, window.kernel, ps.fw);
  if (!e.empty())
    return e;
  ps.outShape = {x.shape[0], x.shape[1]};
  for (size_t i = 0; i < s; ++i) {
    int64_t o = windowOutputSize(
        x.shape[2 + i], ps.fw.kernel[i], ps.fw.strides[i], ps.fw.padBegin[i],
        ps.fw.padEnd[i], ps.fw.dilations[i], ceilMode, e);
    if (o < 0)
      return e;
    ps.outShape.push_back(o);
  }
  return checkResultSize(ps.outShape);
}

} // namespace

Result<Tensor> maxPool(const Tensor &x, const Window &window, bool ceilMode) {
  PoolSetup ps;
  std::string e = setupPool(x, window, ceilMode, ps);
  if (!e.empty())
    return err(e);
  const FullWindow &fw = ps.fw;
  size_t s = fw.kernel.size();
  CHECK_RESULT_SIZE(ps.outShape);
  Tensor out = Tensor::filled(ps.outShape, 0.0);
  std::vector<int64_t> xs = stridesOf(x.shape);
  Shape kernelShape = fw.kernel;
  int64_t oi = 0;
  forEachIndex(ps.outShape, [&](const Index &o) {
    double best = -std::numeric_limits<double>::infinity();
    forEachIndex(kernelShape, [&](const Index &k) {
      int64_t off = o[0] * xs[0] + o[1] * xs[1];
      for (size_t i = 0; i < s; ++i) {
        int64_t pos =
            o[2 + i] * fw.strides[i] - fw.padBegin[i] + k[i] * fw.dilations[i];
        if (pos < 0 || pos >= x.shape[2 + i])
          return; // padding never wins
        off += pos * xs[2 + i];
      }
      // NaN wins (ONNX Runtime and PyTorch propagate it); padding never does.
      const double v = x.data[off];
      if (std::isnan(v) || v > best)
        best = v;
    });
    out.data[oi++] = best;
  });
  return out;
}

namespace {
/// What a window's sum is divided by.
enum class Divisor {
  None,         // sum pooling
  InsideInput,  // average over the elements inside the input
  InsidePadded, // average over those inside the padded input
};

Result<Tensor> windowSums(const Tensor &x, const Window &window, bool ceilMode,
                          Divisor divisorKind) {
  PoolSetup ps;
  std::string e = setupPool(x, window, ceilMode, ps);
  if (!e.empty())
    return err(e);
  const FullWindow &fw = ps.fw;
  size_t s = fw.kernel.size();
  CHECK_RESULT_SIZE(ps.outShape);
  Tensor out = Tensor::filled(ps.outShape, 0.0);
  std::vector<int64_t> xs = stridesOf(x.shape);
  Shape kernelShape = fw.kernel;
  int64_t oi = 0;
  forEachIndex(ps.outShape, [&](const Index &o) {
    double sum = 0.0;
    int64_t inside = 0, insidePadded = 0;
    forEachIndex(kernelShape, [&](const Index &k) {
      int64_t off = o[0] * xs[0] + o[1] * xs[1];
      bool inInput = true, inPadded = true;
      for (size_t i = 0; i < s; ++i) {
        int64_t pos =
            o[2 + i] * fw.strides[i] - fw.padBegin[i] + k[i] * fw.dilations[i];
        int64_t d = x.shape[2 + i];
        if (pos < -fw.padBegin[i] || pos >= d + fw.padEnd[i])
          inPadded = false;
        if (pos < 0 || pos >= d)
          inInput = false;
        else
          off += pos * xs[2 + i];
      }
      if (inPadded)
        ++insidePadded;
      if (inInput) {
        ++inside;
        sum += x.data[off];
      }
    });
    if (divisorKind == Divisor::None) {
      out.data[oi++] = sum;
      return;
    }
    int64_t divisor =
        divisorKind == Divisor::InsidePadded ? insidePadded : inside;
    // A window entirely in the padding (impossible with the ceil rule unless
    // pads exceed the kernel) averages nothing: NaN, as 0/0.
    out.data[oi++] = sum / static_cast<double>(divisor);
  });
  return out;
}
} // namespace

Result<Tensor> avgPool(const Tensor &x, const Window &window, bool ceilMode,
                       bool countIncludePad) {
  return windowSums(x, window, ceilMode,
                    countIncludePad ? Divisor::InsidePadded
                                    : Divisor::InsideInput);
}

Result<Tensor> sumPool(const Tensor &x, const Window &window, bool ceilMode) {
  return windowSums(x, window, ceilMode, Divisor::None);
}

Result<Tensor> globalAvgPool(const Tensor &x) {
  CHECK_TENSOR(x, "input");
  if (x.rank() < 2)
    return err("input must have shape [N, C, D...], got " + str(x.shape));
  std::vector<int64_t> axes;
  for (int64_t i = 2; i < x.rank(); ++i)
    axes.push_back(i);
  if (axes.empty()) // [N, C]: nothing to reduce
    return x;
  return reduceMean(x, axes, /*keepdims=*/true);
}

//===----------------------------------------------------------------------===//
// Data movement
//===----------------------------------------------------------------------===//

Result<Tensor> reshape(const Tensor &x, const Shape &shape) {
  CHECK_TENSOR(x, "input");
  int64_t inferred = -1, known = 1;
  for (size_t i = 0; i < shape.size(); ++i) {
    if (shape[i] == -1) {
      if (inferred >= 0)
        return err("shape " + str(shape) + " has more than one -1");
      inferred = static_cast<int64_t>(i);
      continue;
    }
    if (shape[i] < 0)
      return err("shape " + str(shape) + " has a negative dimension");
    if (shape[i] > kMaxElements ||
        (shape[i] > 0 && known > kMaxElements / shape[i]))
      return err("shape " + str(shape) + " is too large");
    known *= shape[i];
  }
  Shape result = shape;
  int64_t count = x.numElements();
  if (inferred >= 0) {
    if (known == 0)
      return err("cannot infer the -1 in shape " + str(shape) +
                 " when the other dimensions multiply to 0");
    if (count % known != 0)
      return err("cannot reshape " + str(x.shape) + " (" +
                 std::to_string(count) + " elements) to " + str(shape));
    result[inferred] = count / known;
  } else if (known != count) {
    return err("cannot reshape " + str(x.shape) + " (" + std::to_string(count) +
               " elements) to " + str(shape));
  }
  return Tensor(result, x.data);
}

Result<Tensor> transpose(const Tensor &x, const std::vector<int64_t> &perm) {
  CHECK_TENSOR(x, "input");
  std::vector<int64_t> p = perm;
  if (p.empty()) // ONNX default: reverse the dimensions
    for (int64_t i = x.rank() - 1; i >= 0; --i)
      p.push_back(i);
  if (static_cast<int64_t>(p.size()) != x.rank())
    return err("permutation " + str(perm) + " does not match rank " +
               std::to_string(x.rank()));
  std::vector<bool> seen(p.size(), false);
  for (int64_t v : p) {
    if (v < 0 || v >= x.rank() || seen[v])
      return err(str(perm) + " is not a permutation of the " +
                 std::to_string(x.rank()) + " dimensions");
    seen[v] = true;
  }
  Shape outShape;
  for (int64_t v : p)
    outShape.push_back(x.shape[v]);
  std::vector<int64_t> xs = stridesOf(x.shape);
  CHECK_RESULT_SIZE(outShape);
  Tensor out = Tensor::filled(outShape, 0.0);
  int64_t oi = 0;
  forEachIndex(outShape, [&](const Index &o) {
    int64_t off = 0;
    for (size_t i = 0; i < p.size(); ++i)
      off += o[i] * xs[p[i]]; // output axis i is input axis p[i]
    out.data[oi++] = x.data[off];
  });
  return out;
}

Result<Tensor> concat(const std::vector<const Tensor *> &inputs, int64_t axis) {
  if (inputs.empty())
    return err("concat needs at least one input");
  for (const Tensor *t : inputs) {
    if (!t)
      return err("concat input is missing");
    CHECK_TENSOR(*t, "input");
  }
  const Shape &first = inputs[0]->shape;
  int64_t rank = static_cast<int64_t>(first.size());
  int64_t a = axis;
  if (!normaliseAxis(a, rank))
    return err(badAxis(axis, rank));
  Shape outShape = first;
  outShape[a] = 0;
  for (const Tensor *t : inputs) {
    if (t->rank() != rank)
      return err("concat inputs " + str(first) + " and " + str(t->shape) +
                 " differ in rank");
    for (int64_t i = 0; i < rank; ++i)
      if (i != a && t->shape[i] != first[i])
        return err("concat inputs " + str(first) + " and " + str(t->shape) +
                   " differ outside axis " + std::to_string(a));
    outShape[a] += t->shape[a];
  }
  CHECK_RESULT_SIZE(outShape);
  Tensor out = Tensor::filled(outShape, 0.0);
  std::vector<int64_t> os = stridesOf(outShape);
  int64_t offsetAlongAxis = 0;
  for (const Tensor *t : inputs) {
    std::vector<int64_t> ts = stridesOf(t->shape);
    forEachIndex(t->shape, [&](const Index &idx) {
      Index o = idx;
      o[a] += offsetAlongAxis;
      out.data[offsetOf(o, os)] = t->data[offsetOf(idx, ts)];
    });
    offsetAlongAxis += t->shape[a];
  }
  return out;
}

Result<std::vector<Tensor>> split(const Tensor &x, int64_t axis,
                                  const std::vector<int64_t> &sizes) {
  CHECK_TENSOR(x, "input");
  int64_t a = axis;
  if (!normaliseAxis(a, x.rank()))
    return err(badAxis(axis, x.rank()));
  int64_t total = 0;
  for (int64_t v : sizes) {
    if (v < 0 || v > kMaxElements)
      return err("split sizes " + str(sizes) + " must be non-negative");
    total += v;
  }
  if (total != x.shape[a])
    return err("split sizes " + str(sizes) + " do not add up to dimension " +
               std::to_string(a) + " of " + str(x.shape));
  std::vector<int64_t> xs = stridesOf(x.shape);
  std::vector<Tensor> outs;
  int64_t start = 0;
  for (int64_t size : sizes) {
    Shape shape = x.shape;
    shape[a] = size;
    CHECK_RESULT_SIZE(shape);
    Tensor part = Tensor::filled(shape, 0.0);
    int64_t oi = 0;
    forEachIndex(shape, [&](const Index &idx) {
      Index in = idx;
      in[a] += start;
      part.data[oi++] = x.data[offsetOf(in, xs)];
    });
    outs.push_back(std::move(part));
    start += size;
  }
  return outs;
}

Result<Tensor> slice(const Tensor &x, const std::vector<int64_t> &starts,
                     const std::vector<int64_t> &ends,
                     const std::vector<int64_t> &steps) {
  CHECK_TENSOR(x, "input");
  size_t r = x.shape.size();
  if (starts.size() != r || ends.size() != r ||
      (!steps.empty() && steps.size() != r))
    return err("slice needs one start, end and step per dimension of " +
               str(x.shape) + "; got starts " + str(starts) + ", ends " +
               str(ends) + ", steps " + str(steps));
  std::vector<int64_t> first(r), step(r);
  Shape outShape(r);
  for (size_t i = 0; i < r; ++i) {
    int64_t dim = x.shape[i];
    int64_t st = steps.empty() ? 1 : steps[i];
    if (st == 0)
      return err("slice step along dimension " + std::to_string(i) +
                 " is zero");
    int64_t s = starts[i], e = ends[i];
    // Negative values count from the end (no overflow: dim >= 0).
    if (s < 0)
      s += dim;
    if (e < 0)
      e += dim;
    int64_t count;
    if (dim == 0) {
      s = 0; // nothing to select (and the clamp ranges below are empty)
      count = 0;
    } else if (st > 0) {
      s = std::clamp<int64_t>(s, 0, dim);
      e = std::clamp<int64_t>(e, 0, dim);
      count = e > s ? (e - s - 1) / st + 1 : 0;
    } else {
      s = std::clamp<int64_t>(s, 0, dim - 1);
      e = std::clamp<int64_t>(e, -1, dim - 1);
      // (s - e) fits: both are within [-1, dim - 1]. -st overflows for
      // INT64_MIN, whose slice has at most one element anyway.
      if (s <= e)
        count = 0;
      else if (st == std::numeric_limits<int64_t>::min())
        count = 1;
      else
        count = (s - e - 1) / (-st) + 1;
    }
    first[i] = s;
    step[i] = st;
    outShape[i] = count;
  }
  std::vector<int64_t> xs = stridesOf(x.shape);
  CHECK_RESULT_SIZE(outShape);
  Tensor out = Tensor::filled(outShape, 0.0);
  int64_t oi = 0;
  forEachIndex(outShape, [&](const Index &o) {
    int64_t off = 0;
    for (size_t i = 0; i < r; ++i)
      off += (first[i] + o[i] * step[i]) * xs[i];
    out.data[oi++] = x.data[off];
  });
  return out;
}

Result<Tensor> expand(const Tensor &x, const Shape &shape) {
  CHECK_TENSOR(x, "input");
  Result<Shape> broadcast = broadcastShapes(x.shape, shape);
  if (!broadcast)
    return err(broadcast.error);
  if (*broadcast.value != shape)
    return err("input " + str(x.shape) + " does not broadcast to " +
               str(shape));
  CHECK_RESULT_SIZE(shape);
  Tensor out = Tensor::filled(shape, 0.0);
  const std::vector<int64_t> strides = stridesOf(x.shape);
  int64_t i = 0;
  forEachIndex(out.shape, [&](const Index &idx) {
    out.data[i++] = x.data[broadcastOffset(idx, x.shape, strides)];
  });
  return out;
}

Result<Tensor> gather(const Tensor &data, const Tensor &indices, int64_t axis) {
  CHECK_TENSOR(data, "data");
  CHECK_TENSOR(indices, "indices");
  int64_t a = axis;
  if (!normaliseAxis(a, data.rank()))
    return err(badAxis(axis, data.rank()));
  int64_t dim = data.shape[a];
  // Validate and normalise every index first.
  std::vector<int64_t> idxs;
  idxs.reserve(indices.data.size());
  for (double v : indices.data) {
    if (!(v == std::floor(v)) || v < -static_cast<double>(dim) ||
        v >= static_cast<double>(dim)) {
      std::ostringstream os;
      os << "index " << v
         << (v == std::floor(v) ? " is out of range" : " is not an integer")
         << " for dimension " << a << " of size " << dim;
      return err(os.str());
    }
    int64_t i = static_cast<int64_t>(v);
    idxs.push_back(i < 0 ? i + dim : i);
  }
  Shape outShape(data.shape.begin(), data.shape.begin() + a);
  outShape.insert(outShape.end(), indices.shape.begin(), indices.shape.end());
  outShape.insert(outShape.end(), data.shape.begin() + a + 1, data.shape.end());
  CHECK_RESULT_SIZE(outShape);
  std::vector<int64_t> ds = stridesOf(data.shape),
                       is = stridesOf(indices.shape);
  size_t q = indices.shape.size();
  Tensor out = Tensor::filled(outShape, 0.0);
  int64_t oi = 0;
  forEachIndex(outShape, [&](const Index &o) {
    // o = outer (a dims) ++ index position (q dims) ++ inner.
    int64_t indexOff = 0;
    for (size_t j = 0; j < q; ++j)
      indexOff += o[a + j] * is[j];
    int64_t off = idxs[indexOff] * ds[a];
    for (int64_t j = 0; j < a; ++j)
      off += o[j] * ds[j];
    for (int64_t j = a + 1; j < data.rank(); ++j)
      off += o[j - 1 + q] * ds[j];
    out.data[oi++] = data.data[off];
  });
  return out;
}

Result<Tensor> pad(const Tensor &x, const std::vector<int64_t> &pads,
                   PadMode mode, double value) {
  CHECK_TENSOR(x, "input");
  size_t r = x.shape.size();
  if (pads.size() != 2 * r)
    return err("expected " + std::to_string(2 * r) + " pads for shape " +
               str(x.shape) + ", got " + str(pads));
  for (int64_t v : pads)
    if (v > kMaxElements || v < -kMaxElements)
      return err("pads " + str(pads) + " are too large");
  // Negative pads crop first; positive pads then extend the cropped array
  // (so reflect and edge refer to the cropped data).
  std::vector<int64_t> cropStart(r), cropSize(r), padBegin(r);
  Shape outShape(r);
  for (size_t i = 0; i < r; ++i) {
    int64_t pb = pads[i], pe = pads[r + i];
    cropStart[i] = std::max<int64_t>(0, -pb);
    cropSize[i] =
        x.shape[i] - std::max<int64_t>(0, -pb) - std::max<int64_t>(0, -pe);
    if (cropSize[i] < 0)
      return err("pads " + str(pads) + " crop more than dimension " +
                 std::to_string(i) + " of " + str(x.shape));
    padBegin[i] = std::max<int64_t>(0, pb);
    outShape[i] = padBegin[i] + cropSize[i] + std::max<int64_t>(0, pe);
    if (mode != PadMode::Constant && cropSize[i] == 0 && outShape[i] > 0)
      return err("cannot reflect or edge-pad the empty dimension " +
                 std::to_string(i));
  }
  std::vector<int64_t> xs = stridesOf(x.shape);
  CHECK_RESULT_SIZE(outShape);
  Tensor out = Tensor::filled(outShape, value);
  int64_t oi = 0;
  forEachIndex(outShape, [&](const Index &o) {
    int64_t off = 0;
    bool inside = true;
    for (size_t i = 0; i < r; ++i) {
      int64_t n = cropSize[i];
      int64_t q = o[i] - padBegin[i]; // position in the cropped array
      if (q < 0 || q >= n) {
        if (mode == PadMode::Constant) {
          inside = false;
          break;
        }
        if (mode == PadMode::Edge || n == 1) {
          q = q < 0 ? 0 : n - 1;
        } else { // Reflect, periodic like numpy.pad for large pads
          int64_t period = 2 * (n - 1);
          q = ((q % period) + period) % period;
          if (q >= n)
            q = period - q;
        }
      }
      off += (cropStart[i] + q) * xs[i];
    }
    if (inside)
      out.data[oi] = x.data[off];
    ++oi;
  });
  return out;
}

} // namespace qcc::interp
