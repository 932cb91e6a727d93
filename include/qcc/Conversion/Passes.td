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
      into the broadcast bias; `qc.gemm` / `qc.matmul` (2-d):
      `linalg.generic` contractions; integer operands are sign-extended to
      the accumulator type;
    * `qc.max_pool` (2-d): `tensor.pad` with the type's minimum and
      `linalg.pooling_nchw_max`; `qc.reduce_sum`, `qc.add`, `qc.clip`:
      `linalg.generic`; `qc.reshape`: `tensor.collapse_shape` /
      `expand_shape`; `qc.transpose`: `linalg.transpose`;
    * float islands (element-wise ops, `qc.softmax`): double-precision
      `linalg.generic`s rounded to f32 once per op, in the interpreter's
      order of operations (bit-exact with it; `exp`, `tanh`, `erf` through
      libm); float models (`qcc compile --float`): f32 convolutions (im2col
      and a contraction), matrix products, pooling.

    Anything else is an error naming the op and its ONNX node.

    With `fuse-requantization` (default), a chain `qc.conv` (int8,
    constant weights, static shapes) -> `qc.rescale` (input zero point 0,
    int8 result) [-> `qc.clip`], each op the single user of the previous,
    becomes one call of `qcc_ukernel_conv2d_requant` (the VNNI convolution
    with the rescale and clamp in its output stage, exactly as the three
    ops compute them) on buffers obtained with `bufferization.to_buffer`,
    its result returned by `bufferization.to_tensor`.

    Packed weights (`qc-pack-weights`, docs/packing.md) are read where they
    are stored: a 2-d `qc.matmul` / `qc.gemm` whose weight is `qc.unpack`
    of a constant, reduced along the packed rows, becomes a call of
    `qcc_ukernel_matmul_s8_packed` (int8 activations, int4 or int8 codes,
    int32 result; exact) or, for f32 activations times
    `qc.dequantize(qc.storage_cast(qc.unpack))` (weight-only
    quantization), of `qcc_ukernel_matmul_f32_packed` (int8/uint8/int4/
    uint4 per tensor, channel or group with zero points in int8; FP8 E4M3/
    E5M2, FP6 E3M2/E2M3, FP4 E2M1 per tensor or channel). The kernels
    unpack in registers and dequantize each weight as the numerics library
    does. Float 2-d convolutions (group 1, static shapes) on such weights,
    or on f32 constants, are im2col rows times the same kernel; integer
    convolutions on packed int4 weights too (with the W4A8 kernel) when
    their weights reach `packed-conv-min-bytes` as int8. Other
    `qc.unpack`s of constants become constants of their codes (integer
    convolutions run on the int8 kernels), and `qc.dequantize` /
    `qc.dequantize_blocks` of constant weights become f32 constants
    computed with the numerics library.
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
  let options = [
    Option<"fuseRequantization", "fuse-requantization", "bool",
           /*default=*/"true",
           "Fuse int8 convolution -> rescale -> clamp chains into one "
           "micro-kernel call">,
    Option<"packedConvMinBytes", "packed-conv-min-bytes", "int64_t",
           /*default=*/"262144",
           "Integer convolutions on packed int4 weights read them packed "
           "(im2col rows times the W4A8 kernel) when the weights would take "
           "at least this many bytes as int8; smaller ones are unpacked for "
           "the fused int8 convolution kernel, which is faster while the "
           "weights stay in the cache">,
  ];
}

def ConvertMemRefCopyToLinalg : Pass<"convert-memref-copy-to-linalg"> {
  let summary = "Rewrite memref.copy as linalg.copy";
  let description = [{
    `memref.copy` lowers to a call of `memrefCopy` from MLIR's C runner
    utilities, a library compiled models must not depend on;
    `linalg.copy` lowers to loops like every other linalg op. Run after
    bufferization (`buffer-results-to-out-params` copies results into the
    caller's buffers with `memref.copy`).
  }];
  let dependentDialects = ["::mlir::linalg::LinalgDialect"];
}

def FuseElementwise : Pass<"qc-fuse-elementwise"> {
  let summary = "Fuse element-wise linalg ops, sparing micro-kernel ops";
  let description = [{
    Upstream's element-wise fusion (producer into consumer, one loop nest
    for e.g. a rescale and its clamp), except that ops marked
    `qc.ukernel` are neither fused into nor fused away: they must reach
    `convert-linalg-to-ukernel-calls` as they are. No reshape propagation
    (it would rewrite the marked ops too). Then, in each element-wise op,
    the trailing loops that all operands index as their own trailing
    dimensions are merged into one (e.g. `H x W` of a per-channel rescale,
    with reshapes around the op), so that the innermost loop is long enough
    for LLVM to vectorize.
  }];
  let dependentDialects = ["::mlir::linalg::LinalgDialect"];
}

def ConvertLinalgToUkernelCalls
    : Pass<"convert-linalg-to-ukernel-calls", "::mlir::ModuleOp"> {
  let summary = "Replace marked linalg ops on buffers by micro-kernel calls";
  let description = [{
    After bufferization, the linalg ops `convert-qc-to-linalg` marked with
    `qc.ukernel` become calls of the CPU micro-kernels
    (include/qcc/Target/CPU/Ukernel.h), declared with
    `llvm.emit_c_interface` so that they take MLIR memref descriptors:

    * `matmul_s8s8s32` (a `linalg.generic` computing the batched int8
      product `C[b, m, p] += A[m, k] * B[b, k, p]`):
      `qcc_ukernel_matmul(A, B, C)`;
    * `conv2d_nchw_s8s8s32` (a `linalg.conv_2d_nchw_fchw` on int8 operands
      and an int32 accumulator): `qcc_ukernel_conv2d(x, w, out, sh, sw, dh,
      dw)`, an implicit GEMM.

    The kernels use AVX-512 VNNI and compute the same exact integers as the
    linalg ops. Ops on buffers that are not contiguous row-major stay as they
    are (and become loops).
  }];
  let dependentDialects = [
    "::mlir::func::FuncDialect",
    "::mlir::memref::MemRefDialect",
  ];
}

#endif // QCC_CONVERSION_PASSES_TD
