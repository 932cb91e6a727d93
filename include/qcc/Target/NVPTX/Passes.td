//===- Passes.td - NVPTX target passes ---------------------*- tablegen -*-===//
//
// The passes of the NVPTX target's lowering (docs/nvptx.md): the loop
// nests linalg leaves are mapped to GPU blocks and threads, the buffers the
// kernels touch move to device memory, and, for the CPU execution of the
// mapping that tests it without a GPU, the launches become loops again.
//
//===----------------------------------------------------------------------===//

#ifndef QCC_TARGET_NVPTX_PASSES_TD
#define QCC_TARGET_NVPTX_PASSES_TD

include "mlir/Pass/PassBase.td"

def GPUMapParallelLoops
    : Pass<"qcc-gpu-map-parallel-loops", "mlir::func::FuncOp"> {
  let summary = "Map each outermost scf.parallel to GPU blocks and threads";
  let description = [{
    Runs on the loops `convert-linalg-to-parallel-loops` leaves. Each
    outermost `scf.parallel` (one per linalg op: its parallel dimensions,
    with the reductions as `scf.for` inside) becomes a one-dimensional grid:
    its iterations are numbered row-major, `block-size` consecutive numbers
    form a block, and each thread computes one iteration, the number
    delinearized back into the loop's indices. The result is a pair of
    `scf.parallel` loops mapped to `block_x` and `thread_x` (the attributes
    `convert-parallel-loops-to-gpu` reads), with the threads past the end
    of the last block doing nothing.

    Memory accesses the host would make (a `memref.load`, `memref.store` or
    `scf.for` outside any parallel loop, e.g. a linalg op on 0-d buffers)
    first become a parallel loop of one iteration: a kernel of one thread,
    since the host cannot read device memory.

    Loops with reductions of their own (`scf.parallel` results) are
    rejected.
  }];
  let options = [
    Option<"blockSize", "block-size", "int64_t", /*default=*/"256",
           "Threads per block">,
  ];
  let dependentDialects = ["mlir::arith::ArithDialect",
                           "mlir::gpu::GPUDialect",
                           "mlir::scf::SCFDialect"];
}

def GPUConvolutionsToGemm
    : Pass<"qcc-gpu-convolutions-to-gemm", "mlir::func::FuncOp"> {
  let summary = "Integer convolutions as im2col and a matrix product";
  let description = [{
    On tensors, before bufferization: each integer
    `linalg.conv_2d_nchw_fchw` (int8 input and filter, int32 result)
    becomes upstream's im2col rewrite: a `linalg.generic` gathering the
    input into a `[N, C*KH*KW, OH*OW]` matrix, and the product of the
    filter `[F, C*KH*KW]` with it, a `linalg.generic` of the batched form
    (`A[m, k] * B[b, k, p] -> C[b, m, p]`) that
    `qcc-gpu-tensor-core-contractions` runs on tensor cores.
  }];
  let dependentDialects = ["mlir::linalg::LinalgDialect",
                           "mlir::tensor::TensorDialect"];
}

def GPUTensorCoreContractions
    : Pass<"qcc-gpu-tensor-core-contractions", "mlir::func::FuncOp"> {
  let summary = "Integer matrix products as warp-level tensor-core kernels";
  let description = [{
    On buffers, before the other loops are mapped: each int8 product of the
    batched form `C[b, m, p] += A[m, k] * B[b, k, p]` (a `linalg.generic`
    with sign-extended int8 operands and an int32 accumulator, batch 1,
    `A` a constant weight) becomes a `gpu.launch` in which each warp
    computes a tile of `C` made of up to 2x4 tiles of 16x8 (32x32; 16 rows
    when `M` is 16 or less, 16 or 8 columns when `P` is 16 or 8 or less):
    a loop over `K` in steps of 32 reads a 16x32 tile of `A` for each row
    of 16x8 tiles and an 8x32 tile of `B` transposed (the column operand)
    for each column, and `vector.contract`s each pair into its
    accumulator, which starts as the tile of `C` (the bias) and is written
    back at the end. Blocks hold `warps-per-block` warps (threads `(32,
    warps)`); `M`, `K` and `P` are padded to multiples of the warp tile's
    rows, 32 and its columns (the weight at compile time, with zeros; `C`
    through a zero-filled copy when it is not a multiple already). `B` is
    transposed into a zero-filled `[P, K]` buffer, so that each lane's
    part of a column tile is 4 consecutive bytes.

    `convert-vector-to-gpu{use-nvgpu}` then turns each warp's vector code
    into `nvgpu.mma.sync` m16n8k32 s8 (PTX `mma.sync.aligned.m16n8k32`,
    sm_80 and later) with the lane-level loads upstream derives from the
    fragment layouts. The launch is marked `qcc.warp_uniform` (its lanes
    compute the same vector code): the CPU execution of the mapping runs
    one lane per warp.

    When the only reader of `C` is an element-wise op over the same domain
    (the layer's requantization) and nothing in between writes memory, the
    launch applies it: after storing its tile, each warp's lanes read back
    its elements in turn (neighbouring lanes on neighbouring elements of a
    row), apply the op and store its output (code marked `qcc.per_lane`, after
    the tile's `qcc.warp_tile` region). The op is then no kernel of its
    own, and a padded `C` is not copied back.

    The tensor cores accumulate with saturation (`satfinite`); the sums
    equal the wrapping int32 sums of the interpreter as long as they stay
    within int32, which products of at most 65536 int8 pairs on a bias
    below 2^30 do: longer reductions are left to the scalar kernels.
  }];
  let options = [
    Option<"warpsPerBlock", "warps-per-block", "int64_t", /*default=*/"4",
           "Warps per block (each computes a tile of the result)">,
  ];
  let dependentDialects = ["mlir::affine::AffineDialect",
                           "mlir::arith::ArithDialect",
                           "mlir::gpu::GPUDialect",
                           "mlir::linalg::LinalgDialect",
                           "mlir::memref::MemRefDialect",
                           "mlir::scf::SCFDialect",
                           "mlir::vector::VectorDialect"];
}

def GPUDp4aContractions
    : Pass<"qcc-gpu-dp4a-contractions", "mlir::func::FuncOp"> {
  let summary = "Integer matrix products as per-thread dp4a kernels";
  let description = [{
    On buffers, after `qcc-gpu-tensor-core-contractions` (for GPUs without
    int8 tensor cores, sm_61 to sm_75, and the products the tensor cores do
    not take): each int8 product of the batched form
    `C[b, m, p] += A[m, k] * B[b, k, p]` (batch 1) becomes launches of
    scalar-thread code built around 4-deep byte dot products.

    - `A` and `B` are read as 32-bit words holding 4 consecutive `k`: both
      are laid out as `[ceil(K/4), X, 4]` (`X` the row of `A`, the column
      of `B`), `K` padded with zeros. A constant `A` (a convolution's
      weights) is laid out at compile time into a global of its own; the
      others by a launch of one thread per word (`B`: im2col's matrix or a
      layer's activations).
    - Each thread of a block `(BX, BY)` computes a `TM x TN` register tile
      of `C`: rows `by*BY*TM + ty + i*BY`, columns `bx*BX*TN + tx + j*BX`,
      so that the threads of a warp read neighbouring words of `B` at each
      step and share the words of `A`. The tile starts as `C` (the bias);
      each step over `k/4` loads `TM` words of `A` and `TN` of `B` and
      accumulates every pair as `vector.reduction <add>` of the product of
      the sign-extended bytes, which `qcc-gpu-vector-to-dp4a` turns into
      `dp4a.s32.s32` on the GPU (and which runs as it is in the CPU
      execution of the mapping). Threads past `M` or `P` read the last
      row or column and store nothing.
    - When the only reader of `C` is an element-wise op over the same
      domain (the layer's requantization to int8) and nothing in between
      writes memory, each thread applies that op to its results and stores
      its output instead: `C` is never stored, and the requantization is
      no kernel of its own.
    - A constant `A` whose values all lie within [-8, 7] (int4 weights:
      W4A8) stays packed: a word of `[ceil(K/8), M, 4]` holds 8 `k`, byte
      `i` the `k` = `i` in its low nibble and `i + 4` in its high one, each
      as `v + 8`. Each step splits it into two words of unsigned bytes
      (`vector.reduction` of zero-extended bytes: `dp4a.u32.s32`) against
      two words of `B`, and sums `B`'s bytes; 8 times that sum comes off
      each result (exact in wrapping int32).
    - The register tile and block shape follow the product's size: 4x4
      and 256 threads for convolutions, smaller tiles and blocks (down to
      one warp) until the grid has 64 blocks, for small layers.

    dp4a's sums wrap in int32 like the interpreter's, so every reduction
    length is exact. The shapes were chosen without a GPU to measure
    them on.
  }];
  let dependentDialects = ["mlir::arith::ArithDialect",
                           "mlir::gpu::GPUDialect",
                           "mlir::memref::MemRefDialect",
                           "mlir::scf::SCFDialect",
                           "mlir::vector::VectorDialect"];
}

def GPUVectorToDp4a
    : Pass<"qcc-gpu-vector-to-dp4a", "mlir::gpu::GPUModuleOp"> {
  let summary = "4-deep int8 dot products onto dp4a";
  let description = [{
    In kernels: `vector.reduction <add>, (ext(a) * ext(b)), acc` with `a`
    and `b` of type `vector<4xi8>`, each sign- or zero-extended, becomes
    `nvvm.dot.accumulate.4way` with those operand types (PTX
    `dp4a.s32.s32`, `dp4a.u32.s32`, ...; sm_61 and later), which wraps in
    int32 as the reduction does.
  }];
  let dependentDialects = ["mlir::NVVM::NVVMDialect"];
}

def GPUVectorToMMA : Pass<"qcc-gpu-vector-to-mma", "mlir::gpu::GPUModuleOp"> {
  let summary = "The warps' tile code onto mma.sync (upstream's conversion)";
  let description = [{
    Runs upstream's vector-to-nvgpu conversion (what
    `convert-vector-to-gpu{use-nvgpu}` does: `vector.contract` to
    `nvgpu.mma.sync`, the transfers to per-lane loads and stores with the
    fragment layouts) on the regions `qcc-gpu-tensor-core-contractions`
    marks `qcc.warp_tile`, and only there: upstream's pass takes every
    scalar op of the function it runs on for part of the matrix code (and
    fails on the index arithmetic of the other kernels).

    Upstream leaves the lanes' fragment loads and stores (4 int8, 2 int32)
    without an alignment, which LLVM splits into bytes and words; each one
    whose index is provably a multiple of its length (lane offsets, tile
    origins, loop steps) on a buffer whose rows are whole multiples gets
    its size as alignment: `ld.global.b32` and `.v2.b32`.

    Lane-level code that follows a warp's tile (`qcc.per_lane`: the
    epilogue in which each lane applies the requantization to its part of
    the tile the warp stored) gets a warp barrier in front of it
    (`nvvm.bar.warp.sync`, which also orders the lanes' memory accesses).
  }];
  let dependentDialects = ["mlir::affine::AffineDialect",
                           "mlir::gpu::GPUDialect",
                           "mlir::memref::MemRefDialect",
                           "mlir::NVVM::NVVMDialect",
                           "mlir::nvgpu::NVGPUDialect",
                           "mlir::vector::VectorDialect"];
}

def GPUDeviceBuffers : Pass<"qcc-gpu-device-buffers", "mlir::func::FuncOp"> {
  let summary = "Move the buffers the kernels touch to device memory";
  let description = [{
    Runs on host functions with `gpu.launch` ops, before kernel outlining.
    The kernels cannot read host memory, so:

    - every `memref.alloc` becomes `gpu.alloc`, and every buffer is freed
      (`gpu.dealloc`) before the function returns (allocations must be at
      the function's top level; `memref.dealloc` ops are dropped);
    - each memref argument gets a device copy: inputs are copied in at the
      start, and every argument is copied back at the end (the outputs,
      which `buffer-results-to-out-params` made arguments);
    - each constant global (`memref.get_global`: the weights) gets a device
      copy at the start;
    - `memref.copy` between contiguous buffers becomes `gpu.memcpy`.

    The host code may then only pass views of these buffers around: a
    `memref.load` or `memref.store` left outside a launch is an error.
  }];
  let dependentDialects = ["mlir::gpu::GPUDialect",
                           "mlir::memref::MemRefDialect"];
}

def GPUMergeKernelModules
    : Pass<"qcc-gpu-merge-kernel-modules", "mlir::ModuleOp"> {
  let summary = "Move every outlined kernel into one gpu.module";
  let description = [{
    `gpu-kernel-outlining` puts each kernel in a `gpu.module` of its own,
    which would make one PTX module, and one module load, per kernel. This
    pass moves every kernel into the first `gpu.module` and points the
    `gpu.launch_func` ops at it, so that a model is one PTX file that the
    driver loads once. Kernel names stay unique: outlining names each
    kernel after its module.
  }];
}

def GPUSequentializeLaunches
    : Pass<"qcc-gpu-sequentialize-launches", "mlir::func::FuncOp"> {
  let summary = "Run each gpu.launch as loops on the CPU";
  let description = [{
    The CPU execution of the GPU mapping (`qcc compile --target nvptx
    --emit cpu-sim`): each `gpu.launch` becomes `scf.for` loops over the
    blocks of its grid and the threads of a block (z, y, x, outermost
    first), its body inlined (in a `memref.alloca_scope`: a thread's stack
    ends with it) with the block and thread ids, grid and block sizes
    replaced by the loops' indices and the launch's sizes. What the
    GPU runs in parallel runs one thread after another, so the indexing,
    tiling and epilogue logic of the kernels is checked against the
    reference interpreter on any machine.

    Bodies that synchronize or share memory between threads (`gpu.barrier`,
    shuffles, workgroup attributions) cannot run this way and are rejected.
    A launch marked `qcc.warp_uniform` (warp-level vector code that every
    lane of a warp runs alike, from `qcc-gpu-tensor-core-contractions`)
    runs one lane per warp: thread x 0 of each; the ops in it marked
    `qcc.per_lane` (an epilogue in which each lane takes its part of the
    warp's tile) run for every lane, after it.
  }];
  let dependentDialects = ["mlir::arith::ArithDialect",
                           "mlir::memref::MemRefDialect",
                           "mlir::scf::SCFDialect"];
}

#endif // QCC_TARGET_NVPTX_PASSES_TD
