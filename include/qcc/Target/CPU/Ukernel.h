/*===- Ukernel.h - Hand-written CPU micro-kernels -----------------*- C -*-===*
 *
 * The one place where generated code calls hand-written code: int8 matrix
 * products, which need the CPU's dot-product instructions (AVX-512 VNNI's
 * vpdpbusd, AVX-VNNI's vpdpwssd, AVX2's vpmaddwd) to run at its int8 peak,
 * chosen at run time per ISA tier (below). Everything around them
 * (im2col, rescales, pooling) is generated from linalg. The kernel is C with
 * intrinsics, compiled into every model.so (and into the unit tests) from
 * lib/Target/CPU/Ukernel/ (one file per concern and ISA, listed in its
 * Internal.h); docs/cpu-codegen.md explains the layout.
 *
 *===----------------------------------------------------------------------===*/

#ifndef QCC_TARGET_CPU_UKERNEL_H
#define QCC_TARGET_CPU_UKERNEL_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* C[b][m][p] += sum_k A[m][k] * B[b][k][p] for b < batch, m < M, p < P,
 * k < K, with int8 A and B and int32 C (exact: products and sums of up to
 * 2^16 terms fit). Row-major with leading dimensions lda, ldb, ldc (in
 * elements) and batch strides strideB, strideC. `threads` >= 1 threads
 * share the work. Runs the active tier's kernel; every tier gives the
 * same (exact) result. */
void qcc_ukernel_matmul_s8s8s32(int64_t batch, int64_t M, int64_t P, int64_t K,
                                const int8_t *A, int64_t lda, const int8_t *B,
                                int64_t strideB, int64_t ldb, int32_t *C,
                                int64_t strideC, int64_t ldc, int threads);

/* The portable C path alone (the reference the tests compare against). */
void qcc_ukernel_matmul_s8s8s32_reference(int64_t batch, int64_t M, int64_t P,
                                          int64_t K, const int8_t *A,
                                          int64_t lda, const int8_t *B,
                                          int64_t strideB, int64_t ldb,
                                          int32_t *C, int64_t strideC,
                                          int64_t ldc);

/* out[n][m][oh][ow] += sum_{c,kh,kw} w[m][c][kh][kw] *
 *     x[n][c][oh * sh + kh * dh][ow * sw + kw * dw]
 * for contiguous NCHW int8 x (already padded), int8 w and int32 out: the
 * implicit GEMM out[n] = w (M x C*KH*KW) * im2col(x[n]), the im2col matrix
 * gathered panel by panel while packing and never stored. With
 * `constantWeights`, w (identified by its address and shape) never changes
 * for the life of the process, so its packed form is kept and reused. */
void qcc_ukernel_conv2d_nchw_s8s8s32(int64_t N, int64_t C, int64_t H, int64_t W,
                                     const int8_t *x, int64_t M, int64_t KH,
                                     int64_t KW, const int8_t *w, int64_t OH,
                                     int64_t OW, int32_t *out, int64_t sh,
                                     int64_t sw, int64_t dh, int64_t dw,
                                     int constantWeights, int threads);

/* The portable C convolution (the tests' reference). */
void qcc_ukernel_conv2d_nchw_s8s8s32_reference(
    int64_t N, int64_t C, int64_t H, int64_t W, const int8_t *x, int64_t M,
    int64_t KH, int64_t KW, const int8_t *w, int64_t OH, int64_t OW,
    int32_t *out, int64_t sh, int64_t sw, int64_t dh, int64_t dw);

/* How a convolution's input is padded: `top` rows above x, `bottom` below,
 * `left` and `right` columns beside it, all of `value` (the input's zero
 * point, as qc.pad writes it). The kernels read the padding instead of a
 * padded copy of x; a null pointer is no padding. */
typedef struct {
  int64_t top, left, bottom, right;
  int32_t value;
} qcc_ukernel_padding;

/* The convolution with requantization fused into its output stage: each
 * int32 sum bias[m] + conv is rescaled as TOSA apply_scale_32 does,
 * (acc * multiplier[c] + 2^(shift[c]-1)) >> shift[c] in 64 bits with c = m
 * (perChannel) or 0, then outZp is added, the result clamped to [lo, hi]
 * and stored as int8 in out [N][M][OH][OW]: what qc.conv, qc.rescale and
 * qc.clip compute, without storing the int32 sums. x is [N][C][H][W]
 * before `pad` (the convolution reads x padded). */
void qcc_ukernel_conv2d_requant(int64_t N, int64_t C, int64_t H, int64_t W,
                                const int8_t *x, const qcc_ukernel_padding *pad,
                                int64_t M, int64_t KH, int64_t KW,
                                const int8_t *w, const int32_t *bias,
                                int64_t OH, int64_t OW, int8_t *out, int64_t sh,
                                int64_t sw, int64_t dh, int64_t dw,
                                const int32_t *multiplier, const int8_t *shift,
                                int perChannel, int32_t outZp, int32_t lo,
                                int32_t hi, int constantWeights, int threads);

/* The same convolution in `groups` groups (w is [M][C/groups][KH][KW]; C
 * and M multiples of groups): group g's output channels read its input
 * channels only (ResNeXt's and RegNet's grouped convolutions). */
void qcc_ukernel_grouped_conv2d_requant(
    int64_t N, int64_t C, int64_t H, int64_t W, const int8_t *x,
    const qcc_ukernel_padding *pad, int64_t M, int64_t KH, int64_t KW,
    const int8_t *w, const int32_t *bias, int64_t OH, int64_t OW, int8_t *out,
    int64_t sh, int64_t sw, int64_t dh, int64_t dw, const int32_t *multiplier,
    const int8_t *shift, int perChannel, int32_t outZp, int32_t lo, int32_t hi,
    int constantWeights, int64_t groups, int threads);

/* The depthwise convolution (group = C = M: w is [C][1][KH][KW]) with the
 * same requantization: out[n][c][oh][ow] = requant(bias[c] + sum_{kh,kw}
 * w[c][kh][kw] * x[n][c][oh * sh + kh * dh][ow * sw + kw * dw]) with x
 * read padded as `pad` says, without im2col (Depthwise.c). */
void qcc_ukernel_depthwise_conv2d_requant(
    int64_t N, int64_t C, int64_t H, int64_t W, const int8_t *x,
    const qcc_ukernel_padding *pad, int64_t KH, int64_t KW, const int8_t *w,
    const int32_t *bias, int64_t OH, int64_t OW, int8_t *out, int64_t sh,
    int64_t sw, int64_t dh, int64_t dw, const int32_t *multiplier,
    const int8_t *shift, int perChannel, int32_t outZp, int32_t lo, int32_t hi,
    int threads);

/* The portable C version (the tests' reference). */
void qcc_ukernel_depthwise_conv2d_requant_reference(
    int64_t N, int64_t C, int64_t H, int64_t W, const int8_t *x, int64_t KH,
    int64_t KW, const int8_t *w, const int32_t *bias, int64_t OH, int64_t OW,
    int8_t *out, int64_t sh, int64_t sw, int64_t dh, int64_t dw,
    const int32_t *multiplier, const int8_t *shift, int perChannel,
    int32_t outZp, int32_t lo, int32_t hi);

/* A 256-entry table lookup of n contiguous int8: out[j] = table[x[j] +
 * 128] (qc.table on int8; Lookup.c). */
void qcc_ukernel_lookup_s8(int64_t n, const int8_t *x, const int8_t *table,
                           int8_t *out);

/* Max pooling of int8 NCHW x read padded as `pad` says (-128 where the
 * model pads; ceil_mode's extra end rows and columns too):
 * out[n][c][oh][ow] = max over kh, kw of
 * x[n][c][oh * sh + kh * dh][ow * sw + kw * dw] (Pooling.c). */
void qcc_ukernel_max_pool2d_s8(int64_t N, int64_t C, int64_t H, int64_t W,
                               const int8_t *x, const qcc_ukernel_padding *pad,
                               int64_t KH, int64_t KW, int64_t OH, int64_t OW,
                               int8_t *out, int64_t sh, int64_t sw, int64_t dh,
                               int64_t dw, int threads);

/* The portable C version (the tests' reference). */
void qcc_ukernel_max_pool2d_s8_reference(int64_t N, int64_t C, int64_t H,
                                         int64_t W, const int8_t *x, int64_t KH,
                                         int64_t KW, int64_t OH, int64_t OW,
                                         int8_t *out, int64_t sh, int64_t sw,
                                         int64_t dh, int64_t dw);

/* The same on f32 (padding -inf, whatever pad->value says), with
 * arith.maximumf's maximum: NaN if any element of the window is NaN, +0
 * above -0. */
void qcc_ukernel_max_pool2d_f32(int64_t N, int64_t C, int64_t H, int64_t W,
                                const float *x, const qcc_ukernel_padding *pad,
                                int64_t KH, int64_t KW, int64_t OH, int64_t OW,
                                float *out, int64_t sh, int64_t sw, int64_t dh,
                                int64_t dw, int threads);

/* The portable C version (the tests' reference). */
void qcc_ukernel_max_pool2d_f32_reference(int64_t N, int64_t C, int64_t H,
                                          int64_t W, const float *x, int64_t KH,
                                          int64_t KW, int64_t OH, int64_t OW,
                                          float *out, int64_t sh, int64_t sw,
                                          int64_t dh, int64_t dw);

/* The portable C version (the tests' reference). */
void qcc_ukernel_conv2d_requant_reference(
    int64_t N, int64_t C, int64_t H, int64_t W, const int8_t *x, int64_t M,
    int64_t KH, int64_t KW, const int8_t *w, const int32_t *bias, int64_t OH,
    int64_t OW, int8_t *out, int64_t sh, int64_t sw, int64_t dh, int64_t dw,
    const int32_t *multiplier, const int8_t *shift, int perChannel,
    int32_t outZp, int32_t lo, int32_t hi);

/* The float convolution (group 1, f32 NCHW, x [N][C][H][W] read padded
 * with zeros as `pad` says, NULL for none; its value is not read):
 * out[n][m][oh][ow] = clamp(bias[m] + sum_{c,kh,kw} w[m][c][kh][kw] *
 *     xp[n][c][oh * sh + kh * dh][ow * sw + kw * dw]) for the padded xp,
 * an implicit GEMM like the int8 kernels' (ConvF32.c), sums in float.
 * clamp(v) = min(max(v, lo), hi) with NaN kept: a fused Relu (0, +inf) or
 * Clip; -inf, +inf for none. constantWeights: as for
 * qcc_ukernel_conv2d_nchw_s8s8s32. */
void qcc_ukernel_conv2d_f32(int64_t N, int64_t C, int64_t H, int64_t W,
                            const float *x, const qcc_ukernel_padding *pad,
                            int64_t M, int64_t KH, int64_t KW, const float *w,
                            const float *bias, float lo, float hi, int64_t OH,
                            int64_t OW, float *out, int64_t sh, int64_t sw,
                            int64_t dh, int64_t dw, int constantWeights,
                            int threads);

/* The same with `groups` groups (w [M][C / groups][KH][KW]; output
 * channels [g * M / groups, (g + 1) * M / groups) read input channels
 * [g * C / groups, (g + 1) * C / groups)): each group an implicit GEMM of
 * its own, whole groups per thread (RegNet's have 8 channels). */
void qcc_ukernel_grouped_conv2d_f32(
    int64_t N, int64_t C, int64_t H, int64_t W, const float *x,
    const qcc_ukernel_padding *pad, int64_t M, int64_t KH, int64_t KW,
    const float *w, const float *bias, float lo, float hi, int64_t OH,
    int64_t OW, float *out, int64_t sh, int64_t sw, int64_t dh, int64_t dw,
    int constantWeights, int64_t groups, int threads);

/* Float batched matrix products of two activations (attention's scores
 * and weighted values): y[b] = a[b] (M x K) times x[b] (K x N), each row
 * major and contiguous, batches one after another; sums in float, in an
 * order of the kernel's choosing (ConvF32.c: the 1x1 convolution's
 * implicit GEMM with a[b] as its weight). */
void qcc_ukernel_batch_matmul_f32(int64_t batch, int64_t M, int64_t N,
                                  int64_t K, const float *a, const float *x,
                                  float *y, int threads);

/* The float depthwise convolution (w [C][1][KH][KW], x read padded with
 * zeros as `pad` says, NULL for none), clamped as above:
 * out[n][c][oh][ow] = clamp(bias[c] + sum_{kh,kw} w[c][kh][kw] *
 *     xp[n][c][oh * sh + kh * dh][ow * sw + kw * dw]) (DepthwiseF32.c). */
void qcc_ukernel_depthwise_conv2d_f32(
    int64_t N, int64_t C, int64_t H, int64_t W, const float *x,
    const qcc_ukernel_padding *pad, int64_t KH, int64_t KW, const float *w,
    const float *bias, float lo, float hi, int64_t OH, int64_t OW, float *out,
    int64_t sh, int64_t sw, int64_t dh, int64_t dw, int threads);

/* The portable version, sums in double (the tests' reference). */
void qcc_ukernel_conv2d_f32_reference(int64_t N, int64_t C, int64_t H,
                                      int64_t W, const float *x, int64_t M,
                                      int64_t KH, int64_t KW, const float *w,
                                      const float *bias, int64_t OH, int64_t OW,
                                      float *out, int64_t sh, int64_t sw,
                                      int64_t dh, int64_t dw);

/*===----------------------------------------------------------------------===*
 * Packed low-bit weights (docs/packing.md)
 *
 * The weight matrix W is [N][K]: row n holds output n's weights along the
 * reduction axis K, each row packed on its own by qcc::numerics::packRow
 * (codes of `bits` bits in bit planes, first element in the lowest bits).
 * The kernels read the packed rows directly and unpack in registers; no
 * unpacked copy of W is ever made.
 *===----------------------------------------------------------------------===*/

/* Y[m][n] += sum_k X[m][k] * W[n][k] for m < M, n < N, k < K: int8 X
 * (row stride ldx), int32 Y (row stride ldy), W signed int8 (bits 8) or
 * packed int4 (bits 4) codes. Exact. Uses VNNI where the CPU has it. */
void qcc_ukernel_matmul_s8_packed(int64_t M, int64_t N, int64_t K,
                                  const int8_t *X, int64_t ldx,
                                  const uint8_t *W, int bits, int32_t *Y,
                                  int64_t ldy, int threads);

/* The portable C version (the tests' reference). */
void qcc_ukernel_matmul_s8_packed_reference(int64_t M, int64_t N, int64_t K,
                                            const int8_t *X, int64_t ldx,
                                            const uint8_t *W, int bits,
                                            int32_t *Y, int64_t ldy);

/* Element formats of float-activation ("weight-only") packed weights. */
enum {
  QCC_PACKED_INT8 = 0,    /* signed int8 codes; value (q - zp) * scale */
  QCC_PACKED_UINT8 = 1,   /* unsigned int8 codes */
  QCC_PACKED_INT4 = 2,    /* signed int4, two per byte */
  QCC_PACKED_UINT4 = 3,   /* unsigned int4 (asymmetric with zero points) */
  QCC_PACKED_FP8E4M3 = 4, /* minifloats: value decode(code) * scale */
  QCC_PACKED_FP8E5M2 = 5,
  QCC_PACKED_FP6E3M2 = 6, /* 6-bit codes as a 4-bit and a 2-bit plane */
  QCC_PACKED_FP6E2M3 = 7,
  QCC_PACKED_FP4E2M1 = 8, /* two per byte */
  QCC_PACKED_F32 = 9,     /* plain f32 weights (4 bytes each, the float
                             models' constant weights); scales unused */
};

/* How the scales of groups of `groupSize` consecutive weights of a row are
 * stored: [N][ceil(K / groupSize)] of float, or of E8M0 codes (OCP MX:
 * 2^(code - 127)), or of E4M3 codes times tensorScale (NVFP4). */
enum { QCC_SCALE_F32 = 0, QCC_SCALE_E8M0 = 1, QCC_SCALE_E4M3 = 2 };

typedef struct {
  int format;               /* QCC_PACKED_* */
  int scaleKind;            /* QCC_SCALE_* */
  int64_t groupSize;        /* K (or more) for one scale per row */
  const void *scales;       /* [N][groups] */
  const int8_t *zeroPoints; /* integers: [N][groups], or NULL for 0 */
  float tensorScale;        /* QCC_SCALE_E4M3 only */
} qcc_packed_weights;

/* Y[m][n] += sum_k X[m][k] * w(n, k) in float, where w(n, k) is the
 * dequantized weight exactly as qcc::numerics computes it (for integers
 * (q - zp) * scale, for minifloats decode(q) * multiplier, each one float
 * rounding). X and Y are f32 with row strides ldx and ldy. Sums are formed
 * in float in an order of the kernel's choosing. */
void qcc_ukernel_matmul_f32_packed(int64_t M, int64_t N, int64_t K,
                                   const float *X, int64_t ldx,
                                   const uint8_t *W,
                                   const qcc_packed_weights *format, float *Y,
                                   int64_t ldy, int threads);

/* Y[m][n] = bias[n] + sum_k X[m][k] * w[n][k] on plain f32 weight rows w
 * [N][K] (bias NULL for none), for several rows of X (a transformer's
 * tokens): columns of Y in the vector lanes, weights packed as panels of
 * columns (GemmF32.c). Sums in float in k order. constantWeights: w is
 * packed once per process and the packing kept (keyed on its address),
 * as for qcc_ukernel_conv2d_nchw_s8s8s32. */
void qcc_ukernel_matmul_f32_rows(int64_t M, int64_t N, int64_t K,
                                 const float *X, int64_t ldx, const float *w,
                                 const float *bias, float *Y, int64_t ldy,
                                 int constantWeights, int threads);

/* The portable C version: the dequantized weight of (n, k), and the
 * product with sums in double (the tests' reference). */
float qcc_ukernel_packed_weight(const uint8_t *W, int64_t K,
                                const qcc_packed_weights *format, int64_t n,
                                int64_t k);
void qcc_ukernel_matmul_f32_packed_reference(int64_t M, int64_t N, int64_t K,
                                             const float *X, int64_t ldx,
                                             const uint8_t *W,
                                             const qcc_packed_weights *format,
                                             float *Y, int64_t ldy);

/* Bytes of one packed row of K weights of `format`. */
int64_t qcc_ukernel_packed_row_bytes(int format, int64_t K);

/*===----------------------------------------------------------------------===*
 * ISA tiers (docs/cpu-codegen.md)
 *
 * Every kernel family has a version per tier, chosen at run time from the
 * CPU (cpuid), so one model.so runs on any x86-64 CPU at that CPU's speed.
 * Integer results are the same, bit for bit, on every tier.
 *===----------------------------------------------------------------------===*/

enum {
  QCC_CPU_TIER_GENERIC = 0,    /* portable C the compiler vectorises */
  QCC_CPU_TIER_AVX2 = 1,       /* AVX2 + FMA: s16 vpmaddwd, 16 ymm */
  QCC_CPU_TIER_AVXVNNI = 2,    /* AVX-VNNI: vpdpwssd on ymm */
  QCC_CPU_TIER_AVX512VNNI = 3, /* AVX-512 VNNI/VBMI: vpdpbusd on zmm */
  QCC_CPU_TIER_AMX = 4,        /* AVX-512 plus AMX-INT8 tiles: tdpbsud */
  QCC_CPU_TIER_BEST = QCC_CPU_TIER_AMX,
};

/* The tier the kernels run: the best this CPU has, lowered by the
 * environment variable QCC_CPU_TIER (amx, avx512vnni, avxvnni, avx2,
 * generic; read once) or by qcc_ukernel_force_cpu_tier. Never one the CPU
 * lacks: a request for one runs the best tier below it that the CPU has
 * (avxvnni runs avx2 on AMD Zen 4, which has AVX-512 VNNI but not
 * AVX-VNNI). */
int qcc_ukernel_cpu_tier(void);

/* The best tier this CPU has. */
int qcc_ukernel_cpu_tier_available(void);

/* Nonzero when this CPU runs `tier`'s kernels. The tiers are not a ladder:
 * a CPU may have a tier without every tier below it. */
int qcc_ukernel_cpu_tier_supported(int tier);

/* Makes the kernels run `tier` (or the best tier below it the CPU has) from now
 * on; returns the tier set. For tests that compare tiers in one process. */
int qcc_ukernel_force_cpu_tier(int tier);

/* "amx", "avx512vnni", "avxvnni", "avx2" or "generic"; NULL for no
 * tier. */
const char *qcc_ukernel_cpu_tier_name(int tier);

/* The tier of a name (as QCC_CPU_TIER spells it), or -1. */
int qcc_ukernel_cpu_tier_from_name(const char *name);

/* The number of threads generated code gives the kernel: QCC_NUM_THREADS
 * from the environment (read once), default 1. */
int qcc_ukernel_num_threads(void);

/* Runs task(context, begin, end) over parts [begin, end) of [0, extent)
 * on the kernels' threads, as many as qcc_ukernel_num_threads() and the
 * nest's `work` (iterations times body operations) allow (at least 8192
 * per thread), else task(context, 0, extent) at once: the loop nests of
 * the generated code (qcc-cpu-parallelize-loops), each part writing its
 * own rows. */
void qcc_ukernel_parallel_for(void (*task)(int64_t, int64_t, int64_t),
                              int64_t context, int64_t extent, int64_t work);

#ifdef __cplusplus
}
#endif

#endif /* QCC_TARGET_CPU_UKERNEL_H */
