/*===- Ukernel.h - Hand-written CPU micro-kernels -----------------*- C -*-===*
 *
 * The one place where generated code calls hand-written code: int8 matrix
 * products, which need AVX-512 VNNI's vpdpbusd (u8 x s8 -> s32 dot
 * products of 4) to run at the machine's int8 peak. Everything around them
 * (im2col, rescales, pooling) is generated from linalg. The kernel is C with
 * intrinsics, compiled into every model.so (and into the unit tests) from
 * lib/Target/CPU/Ukernel.c; docs/cpu-codegen.md explains the layout.
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
 * share the work. Uses AVX-512 VNNI when the CPU has it, else portable C;
 * both give the same (exact) result. */
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

/* The convolution with requantization fused into its output stage: each
 * int32 sum bias[m] + conv is rescaled as TOSA apply_scale_32 does,
 * (acc * multiplier[c] + 2^(shift[c]-1)) >> shift[c] in 64 bits with c = m
 * (perChannel) or 0, then outZp is added, the result clamped to [lo, hi]
 * and stored as int8 in out [N][M][OH][OW]: what qc.conv, qc.rescale and
 * qc.clip compute, without storing the int32 sums. */
void qcc_ukernel_conv2d_requant(
    int64_t N, int64_t C, int64_t H, int64_t W, const int8_t *x, int64_t M,
    int64_t KH, int64_t KW, const int8_t *w, const int32_t *bias, int64_t OH,
    int64_t OW, int8_t *out, int64_t sh, int64_t sw, int64_t dh, int64_t dw,
    const int32_t *multiplier, const int8_t *shift, int perChannel,
    int32_t outZp, int32_t lo, int32_t hi, int constantWeights, int threads);

/* The portable C version (the tests' reference). */
void qcc_ukernel_conv2d_requant_reference(
    int64_t N, int64_t C, int64_t H, int64_t W, const int8_t *x, int64_t M,
    int64_t KH, int64_t KW, const int8_t *w, const int32_t *bias, int64_t OH,
    int64_t OW, int8_t *out, int64_t sh, int64_t sw, int64_t dh, int64_t dw,
    const int32_t *multiplier, const int8_t *shift, int perChannel,
    int32_t outZp, int32_t lo, int32_t hi);

/* Whether the kernels use AVX-512 VNNI on this CPU. */
int qcc_ukernel_has_vnni(void);

/* The number of threads generated code gives the kernel: QCC_NUM_THREADS
 * from the environment (read once), default 1. */
int qcc_ukernel_num_threads(void);

#ifdef __cplusplus
}
#endif

#endif /* QCC_TARGET_CPU_UKERNEL_H */
