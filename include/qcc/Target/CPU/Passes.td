//===- Passes.td - CPU target passes ------------------------*- tablegen -*-===//
//
// Passes of the CPU target's pipeline (qcc-cpu-lowering) that are not
// upstream's: what a model's entry function needs to become the body of a
// shared library's C API.
//
//===----------------------------------------------------------------------===//

#ifndef QCC_TARGET_CPU_PASSES_TD
#define QCC_TARGET_CPU_PASSES_TD

include "mlir/Pass/PassBase.td"

def CPUPrepareEntry : Pass<"qcc-cpu-prepare-entry", "mlir::ModuleOp"> {
  let summary = "Make the model's entry function the library's entry point";
  let description = [{
    Prepares a quantized (or float) model for CPU code generation:

    - refuses what the target cannot compile: call cycles (the graph has no
      base case; recursion compiled into code that overflowed the stack),
      calls of declarations and indirect calls;
    - renames the entry function (`entry`, default `@main` or else the first
      function with a body) to `@qcc_model_entry`, so that the shared
      library exports no `main`, and gives it `llvm.emit_c_interface`;
    - gives each result its own buffer (the caller's output array): a
      returned argument, or a value returned twice, is copied into a
      `bufferization.alloc_tensor` first, since
      `buffer-results-to-out-params` cannot handle them;
    - records the library's signature, which its C API
      (lib/Target/CPU/Runtime/ModelApi.c) reads, as constant LLVM globals:
      `qcc_signature_counts` (inputs, outputs, whether dimension 0 is a
      batch), `qcc_signature_ranks`, `qcc_signature_element_bytes` and
      `qcc_signature_shapes` (the inputs' then the outputs', concatenated;
      -1 for the batch dimension), `qcc_signature_names` and
      `qcc_signature_dtypes` (NUL-terminated strings, NumPy's names).
      Inputs and outputs must be ranked tensors of bool, 8- to 64-bit
      integers (signless ones are signed), f16, f32 or f64, whose only
      dynamic dimension is the first;
    - drops the ONNX argument and result attributes, which mean nothing to
      LLVM.
  }];
  let dependentDialects = ["mlir::bufferization::BufferizationDialect",
                           "mlir::LLVM::LLVMDialect"];
  let options = [
    Option<"entry", "entry", "std::string", /*default=*/"\"\"",
           "The entry function (default: @main, else the first function "
           "with a body)">,
  ];
}

def CPUConvertQCToLinalg
    : Pass<"qcc-cpu-convert-qc-to-linalg", "mlir::ModuleOp"> {
  let summary = "convert-qc-to-linalg with the CPU micro-kernel calls";
  let description = [{
    The target-neutral conversion of the qc graph to linalg
    (`convert-qc-to-linalg`, whose patterns it runs), with the CPU target's
    micro-kernels (include/qcc/Target/CPU/Ukernel.h) called where they
    compute faster than generated loops. Each call is an op on buffers
    obtained with `bufferization.to_buffer`, its result returned by
    `bufferization.to_tensor`, and computes exactly what the ops it
    replaces compute:

    * with `fuse-requantization` (default), a chain `qc.conv` (int8,
      constant weights, static shapes) -> `qc.rescale` (input zero point
      0, int8 result) [-> `qc.clip`], each op the single user of the
      previous, becomes one call of `qcc_ukernel_conv2d_requant`, the
      convolution with the rescale and clamp in its output stage;
    * packed weights (`qc-pack-weights`, docs/packing.md) are read where
      they are stored: a 2-d `qc.matmul` / `qc.gemm` whose weight is
      `qc.unpack` of a constant, reduced along the packed rows, becomes a
      call of `qcc_ukernel_matmul_s8_packed` (int8 activations, int4 or int8
      codes, int32 result) or, for f32 activations times
      `qc.dequantize(qc.storage_cast(qc.unpack))` (weight-only
      quantization), of `qcc_ukernel_matmul_f32_packed` (int8/uint8/int4/
      uint4 per tensor, channel or group with zero points in int8; FP8
      E4M3/E5M2, FP6 E3M2/E2M3, FP4 E2M1 per tensor or channel), or
      `qcc_ukernel_matmul_f32_block_packed` (MX / NVFP4 blocks). The
      kernels unpack in registers and dequantize each weight as the
      numerics library does. Float 2-d convolutions (group 1, static
      shapes) on such weights, or on f32 constants, are im2col rows times
      the same kernel; integer convolutions on packed int4 weights too
      (with the W4A8 kernel) when their weights reach
      `packed-conv-min-bytes` as int8;
    * a 2-d `qc.max_pool` on signed int8 or f32 (static shapes) becomes a
      call of `qcc_ukernel_max_pool2d_s8` or `qcc_ukernel_max_pool2d_f32`
      that reads its input padded (the pads, with ceil_mode's extra end
      rows and columns, as arguments; -128 or -inf) instead of a padded
      copy and window loops. The f32 maximum is `arith.maximumf`'s: NaN
      kept, +0 above -0.

    The plain int8 convolutions and matrix products stay linalg ops here;
    `qcc-cpu-linalg-to-ukernel-calls` replaces them after bufferization.
  }];
  let dependentDialects = [
    "mlir::arith::ArithDialect",
    "mlir::bufferization::BufferizationDialect",
    "mlir::func::FuncDialect",
    "mlir::linalg::LinalgDialect",
    "mlir::math::MathDialect",
    "mlir::memref::MemRefDialect",
    "mlir::tensor::TensorDialect",
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
    Option<"singleFloatMath", "single-float-math", "bool",
           /*default=*/"false",
           "Float activations (sigmoid, tanh, erf, GELU, ...), softmax "
           "and layer normalization in f32 and batched products of two "
           "activations on the f32 GEMM kernel (FloatMath::Single: float "
           "models), not in double precision as the reference interpreter "
           "computes them">,
  ];
}

def CPUApproximateFloatMath
    : Pass<"qcc-cpu-approximate-float-math", "mlir::ModuleOp"> {
  let summary = "f32 exp, tanh and erf as polynomials LLVM vectorizes";
  let description = [{
    Upstream MLIR's polynomial approximations
    (`populateMathPolynomialApproximationPatterns`) of the f32 `math.exp`,
    `math.expm1`, `math.tanh`, `math.erf`, `math.log`, `math.log1p` and
    `math.log2`: arithmetic a loop vectorizer turns into vector code,
    where a call of libm's function per element stays scalar. Accurate to
    a few ulps, not bit for bit libm's: the pipeline runs it for float
    models only (`qcc compile --float`, checked against ONNX Runtime within
    float tolerance), never on the float islands of integer models, which
    compute in double with libm as the interpreter does. EfficientNet-B0
    f32 (SiLU) spent 39% of its time in libm's `exp`. The approximations'
    `math.fma` and `math.floor` become LLVM's intrinsics here (not libm's
    `fmaf` and `floorf`, which `convert-math-to-libm` would call).
  }];
  let dependentDialects = ["mlir::arith::ArithDialect",
                           "mlir::LLVM::LLVMDialect",
                           "mlir::math::MathDialect",
                           "mlir::vector::VectorDialect"];
}

def CPULinalgToUkernelCalls
    : Pass<"qcc-cpu-linalg-to-ukernel-calls", "mlir::ModuleOp"> {
  let summary = "Replace int8 contractions and max pooling on buffers by micro-kernel calls";
  let description = [{
    After bufferization, the int8 contractions `convert-qc-to-linalg`
    produces become calls of the CPU micro-kernels, declared with
    `llvm.emit_c_interface` so that they take MLIR memref descriptors. The
    ops are recognised by their form, not by a mark:

    * a `linalg.generic` computing the batched product
      `C[b, m, p] += sext(A[m, k]) * sext(B[b, k, p])` with int8 A and B and
      an int32 C: `qcc_ukernel_matmul(A, B, C)`;
    * a `linalg.conv_2d_nchw_fchw` on int8 operands and an int32
      accumulator: `qcc_ukernel_conv2d(x, w, out, sh, sw, dh, dw,
      constant)`, an implicit GEMM (`constant`: the weights are a constant
      global, so the kernel packs them once);
    * a `linalg.pooling_nchw_max` on int8: `qcc_ukernel_max_pool2d_s8(x,
      out, kh, kw, sh, sw, dh, dw)`, 16 outputs of a row per vector max (its
      init, a fill of -128, is overwritten).

    The kernels compute the same exact integers as the linalg ops. Ops on
    buffers that are not contiguous row-major stay as they are (and become
    loops).
  }];
  let dependentDialects = [
    "mlir::arith::ArithDialect",
    "mlir::func::FuncDialect",
    "mlir::memref::MemRefDialect",
  ];
}

def CPUPlanBuffers : Pass<"qcc-cpu-plan-buffers", "mlir::func::FuncOp"> {
  let summary = "Place a function's buffers in one arena, reusing memory "
                "whose contents are dead";
  let description = [{
    Runs after the buffer deallocation pipeline, which frees every buffer at
    the end of its block: a whole model's activations were then live
    together (MobileNetV2 f32: 64 buffers, each a block of its own), so each
    layer wrote its output into memory last touched a run before, out of the
    cache (its first 1x1 expansion's 884 KB of stores missed to memory).

    Each `memref.alloc` of a static shape and identity layout in the
    function's body block whose only deallocation is one `memref.dealloc` in
    that block, and whose uses (through view-like ops: casts, reshapes,
    subviews) are ops of that block or nested in them, is live from its
    allocation to its last use there. Calls are taken not to keep a buffer
    (the micro-kernels and outlined loops do not); a buffer that escapes
    otherwise (returned, stored, yielded) is left alone. The buffers are
    placed greedily by size, largest first, at the lowest 64-byte-aligned
    offset that overlaps no placed buffer live at the same time, into one
    `i8` arena allocated at the start of the block and freed at its end;
    each becomes a `memref.view` of it. The arena is as large as the most
    memory live at once (or a little more), and a layer's output lands in
    memory its inputs' producers have just used. MobileNetV2 f32 (96 x 96):
    5.1 MB of buffers in a 1.1 MB arena.
  }];
  let dependentDialects = ["mlir::arith::ArithDialect",
                           "mlir::memref::MemRefDialect"];
}

def CPUOutlineLoops : Pass<"qcc-cpu-outline-loops", "mlir::ModuleOp"> {
  let summary = "Move each linalg op on buffers into a function of its own";
  let description = [{
    The linalg ops left after the kernel calls (element-wise chains, table
    lookups, reductions, copies) become loop nests that LLVM vectorizes. In
    a whole model's entry function, LLVM's alias analysis gives up on a
    nest's loads and stores, and the vectorizer with it (an EfficientNet
    squeeze-and-excitation loop that vectorizes alone stayed scalar there).
    Each op moves into a private function (`passthrough = ["noinline"]`, so
    that LLVM does not inline it back) called in its place: its operands,
    and the values its body reads from outside, are the arguments, except
    constants and constant globals, which are recreated inside so that LLVM
    still sees them.
  }];
  let dependentDialects = ["mlir::func::FuncDialect"];
}

def CPUParallelizeLoops : Pass<"qcc-cpu-parallelize-loops", "mlir::ModuleOp"> {
  let summary = "Split the outlined loop nests among the kernels' threads";
  let description = [{
    Runs after `qcc-cpu-outline-loops`. Each outlined nest (a function
    holding one linalg op on buffers, called once) with at least `min-work`
    work (iterations times the operations of its body), whose operands are buffers of static
    layout or scalars, is split along a parallel dimension that every
    operand reads as a plain index (the outermost of 16 or more rows, else
    the longest; none when the body reads `linalg.index`):

    - `@<nest>_range(begin, end, args...)` runs the op on subviews of the
      rows `[begin, end)` of that dimension;
    - `@<nest>_task(ctx, begin, end)` reads the arguments back from `ctx`,
      one 64-bit word each (a buffer's aligned address, whose descriptor is
      rebuilt from its static layout; a scalar's bits), and calls the range
      function;
    - the call of the nest becomes `qcc_ukernel_parallel_for(task, ctx,
      extent, work)` (`lib/Target/CPU/Ukernel/Threads.c`), which runs the
      task over parts of `[0, extent)` on the kernels' thread pool, as many
      as `QCC_NUM_THREADS` and the work allow.

    Threads write disjoint rows of the outputs: the results are the same
    bytes at any thread count.
  }];
  let options = [
    Option<"minWork", "min-work", "int64_t", /*default=*/"16384",
           "Nests of less work (iterations times the operations of the "
           "body) stay as they are (the runtime gives each thread 8192 or "
           "more)">,
  ];
  let dependentDialects = ["mlir::arith::ArithDialect",
                           "mlir::func::FuncDialect",
                           "mlir::LLVM::LLVMDialect",
                           "mlir::memref::MemRefDialect"];
}

def CPUEmitInvoke : Pass<"qcc-cpu-emit-invoke", "mlir::ModuleOp"> {
  let summary = "The entry point with one argument: an array of descriptors";
  let description = [{
    After the conversion to the LLVM dialect, adds
    `qcc_model_invoke(ptr descriptors)`, which calls the entry's C interface
    (`_mlir_ciface_qcc_model_entry`) with `descriptors[0..n)`, one pointer to
    an MLIR memref descriptor per argument (inputs, then the outputs'
    buffers). The C API (lib/Target/CPU/Runtime/ModelApi.c), compiled once
    for every model, calls the model through it whatever its number of
    inputs and outputs.
  }];
  let dependentDialects = ["mlir::LLVM::LLVMDialect"];
}

#endif // QCC_TARGET_CPU_PASSES_TD
