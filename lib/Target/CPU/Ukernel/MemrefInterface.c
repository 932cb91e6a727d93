/*===- MemrefInterface.c - Entry points of generated code ----------*- C -*-===*
 *
 * What generated code calls: qcc-cpu-linalg-to-ukernel-calls and
 * qcc-cpu-convert-qc-to-linalg emit calls of these functions with MLIR
 * memref descriptors (the C interface, hence _mlir_ciface_), and they
 * unpack the descriptors into Ukernel.h's pointer-and-stride calls, with
 * the thread count from the environment.
 *
 *===----------------------------------------------------------------------===*/

#include "Internal.h"

#include <stdint.h>

/* The entry points generated code calls, with MLIR memref descriptors (C
 * interface). matmul: A [M][K], B [batch][K][P], C [batch][M][P] with unit
 * inner strides. conv2d: x [N][C][H][W], w [M][C][KH][KW], out
 * [N][M][OH][OW], contiguous. */
typedef struct {
  int8_t *allocated, *aligned;
  int64_t offset, sizes[2], strides[2];
} qcc_memref_i8_2d;
typedef struct {
  int8_t *allocated, *aligned;
  int64_t offset, sizes[3], strides[3];
} qcc_memref_i8_3d;
typedef struct {
  int32_t *allocated, *aligned;
  int64_t offset, sizes[3], strides[3];
} qcc_memref_i32_3d;
typedef struct {
  int8_t *allocated, *aligned;
  int64_t offset, sizes[4], strides[4];
} qcc_memref_i8_4d;
typedef struct {
  int32_t *allocated, *aligned;
  int64_t offset, sizes[4], strides[4];
} qcc_memref_i32_4d;

void _mlir_ciface_qcc_ukernel_matmul(qcc_memref_i8_2d *A, qcc_memref_i8_3d *B,
                                     qcc_memref_i32_3d *C) {
  qcc_ukernel_matmul_s8s8s32(
      C->sizes[0], C->sizes[1], C->sizes[2], A->sizes[1],
      A->aligned + A->offset, A->strides[0], B->aligned + B->offset,
      B->strides[0], B->strides[1], C->aligned + C->offset, C->strides[0],
      C->strides[1], qcc_ukernel_num_threads());
}

void _mlir_ciface_qcc_ukernel_conv2d(qcc_memref_i8_4d *x, qcc_memref_i8_4d *w,
                                     qcc_memref_i32_4d *out, int64_t sh,
                                     int64_t sw, int64_t dh, int64_t dw,
                                     int64_t constantWeights) {
  qcc_ukernel_conv2d_nchw_s8s8s32(
      x->sizes[0], x->sizes[1], x->sizes[2], x->sizes[3],
      x->aligned + x->offset, w->sizes[0], w->sizes[2], w->sizes[3],
      w->aligned + w->offset, out->sizes[2], out->sizes[3],
      out->aligned + out->offset, sh, sw, dh, dw, (int)constantWeights,
      qcc_ukernel_num_threads());
}

typedef struct {
  int32_t *allocated, *aligned;
  int64_t offset, sizes[1], strides[1];
} qcc_memref_i32_1d;
typedef struct {
  int8_t *allocated, *aligned;
  int64_t offset, sizes[1], strides[1];
} qcc_memref_i8_1d;

/* The padding arguments of the convolutions: x is read padded by top,
 * left, bottom, right rows and columns of `value`. */
static qcc_ukernel_padding padding(int64_t top, int64_t left, int64_t bottom,
                                   int64_t right, int64_t value) {
  return (qcc_ukernel_padding){top, left, bottom, right, (int32_t)value};
}

/* conv2d with the requantization fused: bias [M], multiplier and shift [M]
 * (or [1] for one scale), out int8 [N][M][OH][OW], x [N][C][H][W] read
 * padded. */
/* The same in `groups` groups: w [M][C/groups][KH][KW]. */
void _mlir_ciface_qcc_ukernel_grouped_conv2d_requant(
    qcc_memref_i8_4d *x, qcc_memref_i8_4d *w, qcc_memref_i32_1d *bias,
    qcc_memref_i8_4d *out, qcc_memref_i32_1d *multiplier,
    qcc_memref_i8_1d *shift, int64_t sh, int64_t sw, int64_t dh, int64_t dw,
    int64_t outZp, int64_t lo, int64_t hi, int64_t constantWeights,
    int64_t groups, int64_t padTop, int64_t padLeft, int64_t padBottom,
    int64_t padRight, int64_t padValue) {
  const qcc_ukernel_padding pad =
      padding(padTop, padLeft, padBottom, padRight, padValue);
  qcc_ukernel_grouped_conv2d_requant(
      x->sizes[0], x->sizes[1], x->sizes[2], x->sizes[3],
      x->aligned + x->offset, &pad, w->sizes[0], w->sizes[2], w->sizes[3],
      w->aligned + w->offset, bias->aligned + bias->offset, out->sizes[2],
      out->sizes[3], out->aligned + out->offset, sh, sw, dh, dw,
      multiplier->aligned + multiplier->offset, shift->aligned + shift->offset,
      multiplier->sizes[0] > 1, (int32_t)outZp, (int32_t)lo, (int32_t)hi,
      (int)constantWeights, groups, qcc_ukernel_num_threads());
}

void _mlir_ciface_qcc_ukernel_conv2d_requant(
    qcc_memref_i8_4d *x, qcc_memref_i8_4d *w, qcc_memref_i32_1d *bias,
    qcc_memref_i8_4d *out, qcc_memref_i32_1d *multiplier,
    qcc_memref_i8_1d *shift, int64_t sh, int64_t sw, int64_t dh, int64_t dw,
    int64_t outZp, int64_t lo, int64_t hi, int64_t constantWeights,
    int64_t padTop, int64_t padLeft, int64_t padBottom, int64_t padRight,
    int64_t padValue) {
  _mlir_ciface_qcc_ukernel_grouped_conv2d_requant(
      x, w, bias, out, multiplier, shift, sh, sw, dh, dw, outZp, lo, hi,
      constantWeights, 1, padTop, padLeft, padBottom, padRight, padValue);
}

/* int8 table lookup: x and out [n] (any stride), table [256]. */
void _mlir_ciface_qcc_ukernel_lookup_s8(qcc_memref_i8_1d *x,
                                        qcc_memref_i8_1d *table,
                                        qcc_memref_i8_1d *out) {
  const int8_t *in = x->aligned + x->offset,
               *t = table->aligned + table->offset;
  int8_t *o = out->aligned + out->offset;
  const int64_t n = out->sizes[0];
  if (x->strides[0] == 1 && table->strides[0] == 1 && out->strides[0] == 1) {
    qcc_ukernel_lookup_s8(n, in, t, o);
    return;
  }
  for (int64_t j = 0; j < n; ++j)
    o[j * out->strides[0]] =
        t[(uint8_t)(in[j * x->strides[0]] ^ 0x80) * table->strides[0]];
}

/* int8 max pooling: x [N][C][H][W] read padded, out [N][C][OH][OW],
 * contiguous. */
void _mlir_ciface_qcc_ukernel_max_pool2d_s8(
    qcc_memref_i8_4d *x, qcc_memref_i8_4d *out, int64_t kh, int64_t kw,
    int64_t sh, int64_t sw, int64_t dh, int64_t dw, int64_t padTop,
    int64_t padLeft, int64_t padBottom, int64_t padRight, int64_t padValue) {
  const qcc_ukernel_padding pad =
      padding(padTop, padLeft, padBottom, padRight, padValue);
  qcc_ukernel_max_pool2d_s8(x->sizes[0], x->sizes[1], x->sizes[2], x->sizes[3],
                            x->aligned + x->offset, &pad, kh, kw, out->sizes[2],
                            out->sizes[3], out->aligned + out->offset, sh, sw,
                            dh, dw, qcc_ukernel_num_threads());
}

/* The depthwise convolution with the requantization fused: w [C][1][KH][KW],
 * bias, multiplier and shift as above. */
void _mlir_ciface_qcc_ukernel_depthwise_conv2d_requant(
    qcc_memref_i8_4d *x, qcc_memref_i8_4d *w, qcc_memref_i32_1d *bias,
    qcc_memref_i8_4d *out, qcc_memref_i32_1d *multiplier,
    qcc_memref_i8_1d *shift, int64_t sh, int64_t sw, int64_t dh, int64_t dw,
    int64_t outZp, int64_t lo, int64_t hi, int64_t padTop, int64_t padLeft,
    int64_t padBottom, int64_t padRight, int64_t padValue) {
  const qcc_ukernel_padding pad =
      padding(padTop, padLeft, padBottom, padRight, padValue);
  qcc_ukernel_depthwise_conv2d_requant(
      x->sizes[0], x->sizes[1], x->sizes[2], x->sizes[3],
      x->aligned + x->offset, &pad, w->sizes[2], w->sizes[3],
      w->aligned + w->offset, bias->aligned + bias->offset, out->sizes[2],
      out->sizes[3], out->aligned + out->offset, sh, sw, dh, dw,
      multiplier->aligned + multiplier->offset, shift->aligned + shift->offset,
      multiplier->sizes[0] > 1, (int32_t)outZp, (int32_t)lo, (int32_t)hi,
      qcc_ukernel_num_threads());
}

typedef struct {
  int32_t *allocated, *aligned;
  int64_t offset, sizes[2], strides[2];
} qcc_memref_i32_2d;
typedef struct {
  float *allocated, *aligned;
  int64_t offset, sizes[1], strides[1];
} qcc_memref_f32_1d;
typedef struct {
  float *allocated, *aligned;
  int64_t offset, sizes[2], strides[2];
} qcc_memref_f32_2d;
typedef struct {
  float *allocated, *aligned;
  int64_t offset, sizes[3], strides[3];
} qcc_memref_f32_3d;

/* Float batched products of activations: y [B][M][N] = a [B][M][K] x
 * [B][K][N], contiguous (qcc-cpu-convert-qc-to-linalg's calls for a float
 * model's qc.matmul of two activations). */
void _mlir_ciface_qcc_ukernel_batch_matmul_f32(qcc_memref_f32_3d *a,
                                               qcc_memref_f32_3d *x,
                                               qcc_memref_f32_3d *y) {
  qcc_ukernel_batch_matmul_f32(y->sizes[0], y->sizes[1], y->sizes[2],
                               a->sizes[2], a->aligned + a->offset,
                               x->aligned + x->offset, y->aligned + y->offset,
                               qcc_ukernel_num_threads());
}

/* Matrix products on packed weight rows w [N][K]
 * (qcc-cpu-convert-qc-to-linalg's calls for qc.matmul / qc.gemm on qc.unpack):
 * y [M][N] = x [M][K] w^T + bias, where bias is [N] or has no elements (none).
 * Inner strides are 1. */
void _mlir_ciface_qcc_ukernel_matmul_s8_packed(qcc_memref_i8_2d *x,
                                               qcc_memref_i8_1d *w,
                                               qcc_memref_i32_1d *bias,
                                               qcc_memref_i32_2d *y,
                                               int64_t bits) {
  const int64_t M = y->sizes[0], N = y->sizes[1];
  int32_t *Y = y->aligned + y->offset;
  const int32_t *b = bias->aligned + bias->offset;
  for (int64_t m = 0; m < M; ++m)
    for (int64_t n = 0; n < N; ++n)
      Y[m * y->strides[0] + n] = bias->sizes[0] ? b[n * bias->strides[0]] : 0;
  /* w is a constant of the generated code. */
  qccUkernelMatmulS8Packed(
      M, N, x->sizes[1], x->aligned + x->offset, x->strides[0],
      (const uint8_t *)(w->aligned + w->offset), (int)bits, Y, y->strides[0],
      /*constantW=*/1, qcc_ukernel_num_threads());
}

/* Rows of x from which a float model's f32 weights take the GEMM of
 * GemmF32.c: fewer (a classifier's one row) stream the weights once
 * through the dot-product kernel. */
enum { kF32RowsMinRows = 4 };

/* y = bias (or 0) + x w^T on the packed rows `w` described by `weights`. */
static void f32PackedCall(qcc_memref_f32_2d *x, qcc_memref_i8_1d *w,
                          const qcc_packed_weights *weights,
                          qcc_memref_f32_1d *bias, qcc_memref_f32_2d *y) {
  const int64_t M = y->sizes[0], N = y->sizes[1];
  float *Y = y->aligned + y->offset;
  const float *b = bias->aligned + bias->offset;
  /* A float model's f32 weight (a constant) applied to several rows. */
  if (weights->format == QCC_PACKED_F32 && M >= kF32RowsMinRows &&
      (!bias->sizes[0] || bias->strides[0] == 1)) {
    qcc_ukernel_matmul_f32_rows(
        M, N, x->sizes[1], x->aligned + x->offset, x->strides[0],
        (const float *)(w->aligned + w->offset), bias->sizes[0] ? b : NULL, Y,
        y->strides[0],
        /*constantWeights=*/1, qcc_ukernel_num_threads());
    return;
  }
  for (int64_t m = 0; m < M; ++m)
    for (int64_t n = 0; n < N; ++n)
      Y[m * y->strides[0] + n] = bias->sizes[0] ? b[n * bias->strides[0]] : 0;
  qcc_ukernel_matmul_f32_packed(
      M, N, x->sizes[1], x->aligned + x->offset, x->strides[0],
      (const uint8_t *)(w->aligned + w->offset), weights, Y, y->strides[0],
      qcc_ukernel_num_threads());
}

/* The same with f32 x and y, w's codes dequantized by `format` (QCC_PACKED_*)
 * with f32 scales [N][groups] of groups of `groupSize` along K and int8
 * zero points of the same shape (or no elements: zero). */
void _mlir_ciface_qcc_ukernel_matmul_f32_packed(
    qcc_memref_f32_2d *x, qcc_memref_i8_1d *w, qcc_memref_f32_1d *scales,
    qcc_memref_i8_1d *zeroPoints, qcc_memref_f32_1d *bias, qcc_memref_f32_2d *y,
    int64_t format, int64_t groupSize) {
  qcc_packed_weights weights = {
      (int)format,
      QCC_SCALE_F32,
      groupSize,
      scales->aligned + scales->offset,
      zeroPoints->sizes[0] ? zeroPoints->aligned + zeroPoints->offset : NULL,
      1.0f};
  f32PackedCall(x, w, &weights, bias, y);
}

/* The same with block-scaled weights (OCP MX: scaleKind QCC_SCALE_E8M0,
 * NVFP4: QCC_SCALE_E4M3 times the tensor scale, given as its f32 bits):
 * scale codes [N][K / blockSize]. */
void _mlir_ciface_qcc_ukernel_matmul_f32_block_packed(
    qcc_memref_f32_2d *x, qcc_memref_i8_1d *w, qcc_memref_i8_1d *scales,
    qcc_memref_f32_1d *bias, qcc_memref_f32_2d *y, int64_t format,
    int64_t blockSize, int64_t scaleKind, int64_t tensorScaleBits) {
  qcc_packed_weights weights = {
      (int)format, (int)scaleKind,
      blockSize,   scales->aligned + scales->offset,
      NULL,        floatFromBits((uint32_t)tensorScaleBits)};
  f32PackedCall(x, w, &weights, bias, y);
}

/* The float convolution (qcc-cpu-convert-qc-to-linalg's call for a float
 * model's qc.conv of group 1): x [N][C][H][W] (read padded with zeros by
 * the pads), w [M][C][KH][KW], bias [M], out [N][M][OH][OW], contiguous;
 * lo and hi: the fused Relu or Clip (-inf, +inf for none). */
typedef struct {
  float *allocated, *aligned;
  int64_t offset, sizes[4], strides[4];
} qcc_memref_f32_4d;

void _mlir_ciface_qcc_ukernel_conv2d_f32(
    qcc_memref_f32_4d *x, qcc_memref_f32_4d *w, qcc_memref_f32_1d *bias,
    qcc_memref_f32_4d *out, float lo, float hi, int64_t sh, int64_t sw,
    int64_t dh, int64_t dw, int64_t constantWeights, int64_t padTop,
    int64_t padLeft, int64_t padBottom, int64_t padRight) {
  const qcc_ukernel_padding pad =
      padding(padTop, padLeft, padBottom, padRight, 0);
  qcc_ukernel_conv2d_f32(x->sizes[0], x->sizes[1], x->sizes[2], x->sizes[3],
                         x->aligned + x->offset, &pad, w->sizes[0], w->sizes[2],
                         w->sizes[3], w->aligned + w->offset,
                         bias->aligned + bias->offset, lo, hi, out->sizes[2],
                         out->sizes[3], out->aligned + out->offset, sh, sw, dh,
                         dw, (int)constantWeights, qcc_ukernel_num_threads());
}

/* The grouped float convolution: w [M][C / groups][KH][KW]. */
void _mlir_ciface_qcc_ukernel_grouped_conv2d_f32(
    qcc_memref_f32_4d *x, qcc_memref_f32_4d *w, qcc_memref_f32_1d *bias,
    qcc_memref_f32_4d *out, float lo, float hi, int64_t sh, int64_t sw,
    int64_t dh, int64_t dw, int64_t constantWeights, int64_t groups,
    int64_t padTop, int64_t padLeft, int64_t padBottom, int64_t padRight) {
  const qcc_ukernel_padding pad =
      padding(padTop, padLeft, padBottom, padRight, 0);
  qcc_ukernel_grouped_conv2d_f32(
      x->sizes[0], x->sizes[1], x->sizes[2], x->sizes[3],
      x->aligned + x->offset, &pad, w->sizes[0], w->sizes[2], w->sizes[3],
      w->aligned + w->offset, bias->aligned + bias->offset, lo, hi,
      out->sizes[2], out->sizes[3], out->aligned + out->offset, sh, sw, dh, dw,
      (int)constantWeights, groups, qcc_ukernel_num_threads());
}

/* The float depthwise convolution: w [C][1][KH][KW], the rest as above. */
void _mlir_ciface_qcc_ukernel_depthwise_conv2d_f32(
    qcc_memref_f32_4d *x, qcc_memref_f32_4d *w, qcc_memref_f32_1d *bias,
    qcc_memref_f32_4d *out, float lo, float hi, int64_t sh, int64_t sw,
    int64_t dh, int64_t dw, int64_t padTop, int64_t padLeft, int64_t padBottom,
    int64_t padRight) {
  const qcc_ukernel_padding pad =
      padding(padTop, padLeft, padBottom, padRight, 0);
  qcc_ukernel_depthwise_conv2d_f32(
      x->sizes[0], x->sizes[1], x->sizes[2], x->sizes[3],
      x->aligned + x->offset, &pad, w->sizes[2], w->sizes[3],
      w->aligned + w->offset, bias->aligned + bias->offset, lo, hi,
      out->sizes[2], out->sizes[3], out->aligned + out->offset, sh, sw, dh, dw,
      qcc_ukernel_num_threads());
}

/* f32 max pooling (pads of -inf). */
void _mlir_ciface_qcc_ukernel_max_pool2d_f32(
    qcc_memref_f32_4d *x, qcc_memref_f32_4d *out, int64_t kh, int64_t kw,
    int64_t sh, int64_t sw, int64_t dh, int64_t dw, int64_t padTop,
    int64_t padLeft, int64_t padBottom, int64_t padRight) {
  const qcc_ukernel_padding pad =
      padding(padTop, padLeft, padBottom, padRight, 0);
  qcc_ukernel_max_pool2d_f32(
      x->sizes[0], x->sizes[1], x->sizes[2], x->sizes[3],
      x->aligned + x->offset, &pad, kh, kw, out->sizes[2], out->sizes[3],
      out->aligned + out->offset, sh, sw, dh, dw, qcc_ukernel_num_threads());
}
