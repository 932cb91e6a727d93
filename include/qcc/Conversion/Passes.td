//===- Passes.td - Conversions out of the qc dialect -------*- tablegen -*-===//

#ifndef QCC_CONVERSION_PASSES_TD
#define QCC_CONVERSION_PASSES_TD

include "mlir/Pass/PassBase.td"

def ConvertQCToLinalg : Pass<"convert-qc-to-linalg", "::mlir::ModuleOp"> {
  let summary = "Lower the integer qc graph to linalg, tensor and arith";
  let description = [{
    Lowers the output of `qc-lower-to-integer` (and the float ops code
    generation supports) to upstream MLIR on tensors, from where the
    standard bufferization and LLVM pipelines take over. Quantized tensor
    types become their signless integer storage. Every integer op keeps the
    exact semantics the reference interpreter gives it:

    * `qc.quantize` / `qc.dequantize`: f32 division / multiplication,
      round half to even, NaN to the zero point, saturation;
    * `qc.rescale`: 64-bit `(x - zp_in) * multiplier + 2^(shift-1)`,
      arithmetic shift right, `+ zp_out`, clamp (TOSA apply_scale), with
      per-channel multipliers and shifts read from constant tensors;
    * `qc.conv` (2-d, group 1, after `qc.pad`): `linalg.conv_2d_nchw_fchw`
      into the broadcast bias; grouped and depthwise `qc.conv` (integer
      and f32) and `qc.conv_transpose` (as the convolution of the
      zero-stretched input with the flipped weight): a `linalg.generic` on
      views with the group as a dimension, loops `(n, g, j, oh, c, kh, kw,
      ow)` (no im2col; the innermost loop runs along an output row);
      `qc.gemm` / `qc.matmul` (2-d):
      `linalg.generic` contractions; integer operands are sign-extended to
      the accumulator type;
    * `qc.max_pool` (2-d; `ceil_mode` as more end padding): `tensor.pad` with the type's minimum and
      `linalg.pooling_nchw_max`; `qc.reduce_sum`, `qc.add`, `qc.clip`,
      `qc.cast`: `linalg.generic`; `qc.reshape`: `tensor.collapse_shape` /
      `expand_shape`; `qc.transpose`: `linalg.transpose`; `qc.concat`:
      `tensor.insert_slice`s; `qc.split`, `qc.slice`: `tensor.extract_slice`
      (a `linalg.generic` for negative steps); `qc.gather`: a
      `linalg.generic` of `tensor.extract`s (indices clamped into range);
    * float islands (element-wise ops and activations, `qc.clip`,
      `qc.softmax`, `qc.layer_norm`, `qc.batch_norm`, `qc.reduce_mean`):
      double-precision `linalg.generic`s rounded to f32 once per op, in the
      interpreter's order of operations (bit-exact with it; `exp`, `tanh`,
      `erf` through libm); float `qc.matmul` and `qc.gemm` that the packed
      f32 kernels do not take (attention's batched products): products
      summed in double in the interpreter's order, rounded to f32 once;
      `qc.avg_pool` (2-d, any padding,
      `count_include_pad`, `ceil_mode`): window sums in double precision
      divided by constant per-position divisors, as the interpreter
      computes them; float models (`qcc compile --float`): f32
      convolutions (im2col and a contraction for group 1), pooling.

    Anything else is an error naming the op and its ONNX node.

    Packed constant weights (`qc-pack-weights`, docs/packing.md) are
    unpacked at compile time into constants of their codes, and
    `qc.dequantize` / `qc.dequantize_blocks` of constant weights become f32
    constants computed with the numerics library. Constant integer weights
    narrower than 8 bits are widened to i8.

    The conversion knows no target: a target runs the same patterns
    (`populateQCToLinalgConversionPatterns` in qcc/Conversion/QCToLinalg.h)
    with its own added, as the CPU target's `qcc-cpu-convert-qc-to-linalg`
    does for its micro-kernels.
  }];
  let dependentDialects = [
    "::mlir::arith::ArithDialect",
    "::mlir::bufferization::BufferizationDialect",
    "::mlir::func::FuncDialect",
    "::mlir::linalg::LinalgDialect",
    "::mlir::math::MathDialect",
    "::mlir::memref::MemRefDialect",
    "::mlir::tensor::TensorDialect",
  ];
}

def ConvertMemRefCopyToLinalg : Pass<"convert-memref-copy-to-linalg"> {
  let summary = "Lower memref.copy to memcpys or linalg.copy";
  let description = [{
    `memref.copy` lowers to an LLVM memcpy only between contiguous buffers;
    otherwise to a call of `memrefCopy` from MLIR's C runner utilities, a
    library compiled models must not depend on. This pass leaves copies
    between contiguous buffers alone, turns a copy whose two sides have
    contiguous rows of static length (a window of a larger buffer: a
    bufferized `tensor.pad`, `insert_slice` or `extract_slice`) into loops
    over the outer dimensions of one row memcpy each, and any other copy
    into `linalg.copy`, which lowers to loops like every other linalg op.
    Run after bufferization (`buffer-results-to-out-params` copies results
    into the caller's buffers with `memref.copy`).

    With `memcpy-rows=false` (targets whose buffers the host cannot touch,
    such as a GPU's), every copy of or into a window is a `linalg.copy`
    (even a contiguous one: a channel slice of a concatenation), so that it
    becomes a kernel; only copies between whole buffers (identity layouts)
    stay.
  }];
  let options = [
    Option<"memcpyRows", "memcpy-rows", "bool", /*default=*/"true",
           "Copy windows with contiguous rows as loops of row memcpys">,
    Option<"allCopies", "all-copies", "bool", /*default=*/"false",
           "Every copy as loops, whole contiguous buffers too (code without "
           "memcpy: the HLS target)">,
  ];
  let dependentDialects = ["::mlir::arith::ArithDialect",
                           "::mlir::linalg::LinalgDialect",
                           "::mlir::scf::SCFDialect"];
}

def FuseElementwise : Pass<"qc-fuse-elementwise"> {
  let summary = "Fuse element-wise linalg ops into element-wise consumers";
  let description = [{
    Upstream's element-wise fusion (producer into consumer, one loop nest
    for e.g. a rescale and its clamp), restricted to consumers that are
    element-wise themselves: a producer fused into a contraction (a
    convolution, a matrix product) would be recomputed for every output
    that reads its element, and the contraction would no longer have the
    form a target's kernels match. Nor into a consumer that broadcasts the
    producer's result (reads it through a map that is not a permutation):
    the producer would be computed again for every element it is broadcast
    to (EfficientNet's squeeze-and-excitation sigmoid, on `[1, C, 1, 1]`,
    was computed for each of the `H x W` elements it scales). No reshape
    propagation. Then, in each
    element-wise op, the trailing loops that all operands index as their
    own trailing dimensions are merged into one (e.g. `H x W` of a
    per-channel rescale, with reshapes around the op), so that the
    innermost loop is long enough for LLVM to vectorize; ops with a
    constant index (a broadcast size-1 dimension) are left as they are.
  }];
  let dependentDialects = ["::mlir::linalg::LinalgDialect"];
}

#endif // QCC_CONVERSION_PASSES_TD
