/*===- Reference.c - Portable reference kernels --------------------*- C -*-===*
 *
 * Every kernel in plain C in the obvious loop order: the path of CPUs
 * without the vector kernels' ISA, and the reference the unit tests compare
 * the vector kernels against. Also the decoding of packed weight codes,
 * which the vector kernels share for their tables and tails (Internal.h).
 *
 *===----------------------------------------------------------------------===*/

#include "Internal.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

void qcc_ukernel_matmul_s8s8s32_reference(int64_t batch, int64_t M, int64_t P,
                                          int64_t K, const int8_t *A,
                                          int64_t lda, const int8_t *B,
                                          int64_t strideB, int64_t ldb,
                                          int32_t *C, int64_t strideC,
                                          int64_t ldc) {
  for (int64_t b = 0; b < batch; ++b)
    for (int64_t m = 0; m < M; ++m)
      for (int64_t k = 0; k < K; ++k) {
        const int32_t a = A[m * lda + k];
        const int8_t *row = B + b * strideB + k * ldb;
        int32_t *out = C + b * strideC + m * ldc;
        for (int64_t p = 0; p < P; ++p)
          out[p] += a * row[p];
      }
}

void qcc_ukernel_conv2d_nchw_s8s8s32_reference(
    int64_t N, int64_t C, int64_t H, int64_t W, const int8_t *x, int64_t M,
    int64_t KH, int64_t KW, const int8_t *w, int64_t OH, int64_t OW,
    int32_t *out, int64_t sh, int64_t sw, int64_t dh, int64_t dw) {
  for (int64_t n = 0; n < N; ++n)
    for (int64_t m = 0; m < M; ++m)
      for (int64_t oh = 0; oh < OH; ++oh)
        for (int64_t ow = 0; ow < OW; ++ow) {
          int32_t acc = 0;
          for (int64_t c = 0; c < C; ++c)
            for (int64_t kh = 0; kh < KH; ++kh)
              for (int64_t kw = 0; kw < KW; ++kw)
                acc += (int32_t)w[((m * C + c) * KH + kh) * KW + kw] *
                       x[((n * C + c) * H + oh * sh + kh * dh) * W + ow * sw +
                         kw * dw];
          out[((n * M + m) * OH + oh) * OW + ow] += acc;
        }
}

void qcc_ukernel_conv2d_requant_reference(
    int64_t N, int64_t C, int64_t H, int64_t W, const int8_t *x, int64_t M,
    int64_t KH, int64_t KW, const int8_t *w, const int32_t *bias, int64_t OH,
    int64_t OW, int8_t *out, int64_t sh, int64_t sw, int64_t dh, int64_t dw,
    const int32_t *multiplier, const int8_t *shift, int perChannel,
    int32_t outZp, int32_t lo, int32_t hi) {
  int32_t *acc = malloc((size_t)(N * M * OH * OW) * sizeof(int32_t));
  if (!acc)
    abort();
  for (int64_t n = 0; n < N; ++n)
    for (int64_t m = 0; m < M; ++m)
      for (int64_t p = 0; p < OH * OW; ++p)
        acc[(n * M + m) * OH * OW + p] = bias[m];
  qcc_ukernel_conv2d_nchw_s8s8s32_reference(N, C, H, W, x, M, KH, KW, w, OH, OW,
                                            acc, sh, sw, dh, dw);
  for (int64_t n = 0; n < N; ++n)
    for (int64_t m = 0; m < M; ++m) {
      const int c = perChannel ? (int)m : 0;
      for (int64_t p = 0; p < OH * OW; ++p) {
        const int64_t i = (n * M + m) * OH * OW + p;
        out[i] = qccUkernelRequantize(acc[i], multiplier[c], shift[c], outZp,
                                      lo, hi);
      }
    }
  free(acc);
}

void qcc_ukernel_depthwise_conv2d_requant_reference(
    int64_t N, int64_t C, int64_t H, int64_t W, const int8_t *x, int64_t KH,
    int64_t KW, const int8_t *w, const int32_t *bias, int64_t OH, int64_t OW,
    int8_t *out, int64_t sh, int64_t sw, int64_t dh, int64_t dw,
    const int32_t *multiplier, const int8_t *shift, int perChannel,
    int32_t outZp, int32_t lo, int32_t hi) {
  for (int64_t n = 0; n < N; ++n)
    for (int64_t c = 0; c < C; ++c) {
      const int s = perChannel ? (int)c : 0;
      for (int64_t oh = 0; oh < OH; ++oh)
        for (int64_t ow = 0; ow < OW; ++ow) {
          int32_t acc = bias[c];
          for (int64_t kh = 0; kh < KH; ++kh)
            for (int64_t kw = 0; kw < KW; ++kw)
              acc += (int32_t)w[(c * KH + kh) * KW + kw] *
                     (int32_t)x[((n * C + c) * H + oh * sh + kh * dh) * W +
                                ow * sw + kw * dw];
          out[((n * C + c) * OH + oh) * OW + ow] =
              qccUkernelRequantize(acc, multiplier[s], shift[s], outZp, lo, hi);
        }
    }
}

/*===----------------------------------------------------------------------===*
 * Packed low-bit weights
 *
 * Rows of W are packed by qcc::numerics::packRow (docs/packing.md); the
 * functions below read one code at a time and dequantize it exactly as the
 * numerics library does.
 *===----------------------------------------------------------------------===*/

int64_t qcc_ukernel_packed_row_bytes(int format, int64_t K) {
  switch (packedBits(format)) {
  case 32:
    return 4 * K;
  case 8:
    return K;
  case 6: /* a 4-bit plane and a 2-bit plane */
    return (K + 1) / 2 + (K + 3) / 4;
  default:
    return (K + 1) / 2;
  }
}

/* The code of element k of a packed row of K codes of `bits` bits. */
static inline unsigned packedCode(const uint8_t *row, int bits, int64_t K,
                                  int64_t k) {
  switch (bits) {
  case 8:
    return row[k];
  case 4:
    return (row[k / 2] >> (4 * (k % 2))) & 0xF;
  default: /* 6: low 4 bits in the first plane, high 2 bits in the second */
    return ((row[k / 2] >> (4 * (k % 2))) & 0xF) |
           (((row[(K + 1) / 2 + k / 4] >> (2 * (k % 4))) & 3) << 4);
  }
}

/* An FP16 bit pattern's value (normal, subnormal, inf, NaN). */
static float halfToFloat(unsigned h) {
  const uint32_t sign = (uint32_t)(h & 0x8000) << 16;
  const unsigned exponent = (h >> 10) & 31, mantissa = h & 1023;
  if (exponent == 0) {
    const float v = (float)mantissa * 0x1p-24f; /* exact */
    return sign ? -v : v;
  }
  if (exponent == 31)
    return floatFromBits(sign | 0x7F800000u | (mantissa << 13));
  return floatFromBits(sign | ((exponent + 112u) << 23) | (mantissa << 13));
}

/* The value of a minifloat weight code: its fields shifted into an FP16
 * pattern, times 2^(15 - bias). NaN codes of E4M3 give NaN here (the vector
 * kernel does not support them: quantization saturates, never yields NaN). */
float qccUkernelMinifloatWeight(int format, unsigned c) {
  switch (format) {
  case QCC_PACKED_FP8E4M3:
    if ((c & 0x7F) == 0x7F)
      return floatFromBits(0x7FC00000u);
    return halfToFloat(((c & 0x80) << 8) | ((c & 0x7F) << 7)) * 0x1p8f;
  case QCC_PACKED_FP8E5M2:
    return halfToFloat(c << 8);
  case QCC_PACKED_FP6E3M2:
    return halfToFloat(((c & 0x20) << 10) | ((c & 0x1F) << 8)) * 0x1p12f;
  case QCC_PACKED_FP6E2M3:
    return halfToFloat(((c & 0x20) << 10) | ((c & 0x1F) << 7)) * 0x1p14f;
  default: /* FP4 E2M1 */
    return halfToFloat(((c & 8) << 12) | ((c & 7) << 9)) * 0x1p14f;
  }
}

static int isSignedIntegerFormat(int format) {
  return format == QCC_PACKED_INT8 || format == QCC_PACKED_INT4;
}

/* The multiplier of an E8M0 or E4M3 block scale code: its value times the
 * tensor scale (numerics::blockMultiplier). */
float qccUkernelBlockScaleMultiplier(const qcc_packed_weights *f,
                                     unsigned code) {
  float scale;
  if (f->scaleKind == QCC_SCALE_E8M0)
    scale = code == 0xFF ? floatFromBits(0x7FC00000u)
            : code == 0  ? 0x1p-127f
                         : floatFromBits((uint32_t)code << 23);
  else
    scale = qccUkernelMinifloatWeight(QCC_PACKED_FP8E4M3, code);
  return scale * f->tensorScale;
}

/* The multiplier of group g of row n: the f32 scale, or the decoded E8M0 /
 * E4M3 block scale times the tensor scale (numerics::blockMultiplier). */
static float groupMultiplier(const qcc_packed_weights *f, int64_t groups,
                             int64_t n, int64_t g) {
  const int64_t at = n * groups + g;
  if (f->scaleKind == QCC_SCALE_F32)
    return ((const float *)f->scales)[at];
  return qccUkernelBlockScaleMultiplier(f, ((const uint8_t *)f->scales)[at]);
}

float qcc_ukernel_packed_weight(const uint8_t *W, int64_t K,
                                const qcc_packed_weights *f, int64_t n,
                                int64_t k) {
  const int bits = packedBits(f->format);
  if (f->format == QCC_PACKED_F32) {
    float w;
    memcpy(&w, W + n * 4 * K + 4 * k, sizeof w);
    return w;
  }
  const unsigned code = packedCode(
      W + n * qcc_ukernel_packed_row_bytes(f->format, K), bits, K, k);
  const int64_t g = k / effectiveGroupSize(f, K);
  const float multiplier = groupMultiplier(f, numGroups(f, K), n, g);
  if (isIntegerFormat(f->format)) {
    int q = (int)code;
    if (isSignedIntegerFormat(f->format) && q >= (1 << (bits - 1)))
      q -= 1 << bits;
    return (float)(q - groupZeroPoint(f, numGroups(f, K), n, g)) * multiplier;
  }
  return qccUkernelMinifloatWeight(f->format, code) * multiplier;
}

void qcc_ukernel_matmul_f32_packed_reference(int64_t M, int64_t N, int64_t K,
                                             const float *X, int64_t ldx,
                                             const uint8_t *W,
                                             const qcc_packed_weights *f,
                                             float *Y, int64_t ldy) {
  for (int64_t m = 0; m < M; ++m)
    for (int64_t n = 0; n < N; ++n) {
      double sum = 0;
      for (int64_t k = 0; k < K; ++k)
        sum +=
            (double)X[m * ldx + k] * qcc_ukernel_packed_weight(W, K, f, n, k);
      Y[m * ldy + n] += (float)sum;
    }
}

void qcc_ukernel_matmul_s8_packed_reference(int64_t M, int64_t N, int64_t K,
                                            const int8_t *X, int64_t ldx,
                                            const uint8_t *W, int bits,
                                            int32_t *Y, int64_t ldy) {
  const int64_t rowBytes = qcc_ukernel_packed_row_bytes(
      bits == 4 ? QCC_PACKED_INT4 : QCC_PACKED_INT8, K);
  for (int64_t m = 0; m < M; ++m)
    for (int64_t n = 0; n < N; ++n) {
      int32_t sum = 0;
      for (int64_t k = 0; k < K; ++k) {
        int q = (int)packedCode(W + n * rowBytes, bits, K, k);
        if (q >= (1 << (bits - 1)))
          q -= 1 << bits;
        sum += (int32_t)X[m * ldx + k] * q;
      }
      Y[m * ldy + n] += sum;
    }
}

void qcc_ukernel_conv2d_f32_reference(int64_t N, int64_t C, int64_t H,
                                      int64_t W, const float *x, int64_t M,
                                      int64_t KH, int64_t KW, const float *w,
                                      const float *bias, int64_t OH, int64_t OW,
                                      float *out, int64_t sh, int64_t sw,
                                      int64_t dh, int64_t dw) {
  for (int64_t n = 0; n < N; ++n)
    for (int64_t m = 0; m < M; ++m)
      for (int64_t oh = 0; oh < OH; ++oh)
        for (int64_t ow = 0; ow < OW; ++ow) {
          double sum = bias[m];
          for (int64_t c = 0; c < C; ++c)
            for (int64_t kh = 0; kh < KH; ++kh)
              for (int64_t kw = 0; kw < KW; ++kw)
                sum += (double)w[((m * C + c) * KH + kh) * KW + kw] *
                       x[((n * C + c) * H + oh * sh + kh * dh) * W + ow * sw +
                         kw * dw];
          out[((n * M + m) * OH + oh) * OW + ow] = (float)sum;
        }
}

void qcc_ukernel_max_pool2d_s8_reference(int64_t N, int64_t C, int64_t H,
                                         int64_t W, const int8_t *x, int64_t KH,
                                         int64_t KW, int64_t OH, int64_t OW,
                                         int8_t *out, int64_t sh, int64_t sw,
                                         int64_t dh, int64_t dw) {
  for (int64_t plane = 0; plane < N * C; ++plane)
    for (int64_t oh = 0; oh < OH; ++oh)
      for (int64_t ow = 0; ow < OW; ++ow) {
        int8_t m = -128;
        for (int64_t kh = 0; kh < KH; ++kh)
          for (int64_t kw = 0; kw < KW; ++kw) {
            const int8_t v =
                x[(plane * H + oh * sh + kh * dh) * W + ow * sw + kw * dw];
            if (v > m)
              m = v;
          }
        out[(plane * OH + oh) * OW + ow] = m;
      }
}

/* arith.maximumf: NaN if either is NaN, +0 above -0. */
static float maximumf(float a, float b) {
  if (isnan(a) || isnan(b))
    return isnan(a) ? a : b;
  if (a == 0 && b == 0)
    return signbit(a) ? b : a;
  return a > b ? a : b;
}

void qcc_ukernel_max_pool2d_f32_reference(int64_t N, int64_t C, int64_t H,
                                          int64_t W, const float *x, int64_t KH,
                                          int64_t KW, int64_t OH, int64_t OW,
                                          float *out, int64_t sh, int64_t sw,
                                          int64_t dh, int64_t dw) {
  for (int64_t plane = 0; plane < N * C; ++plane)
    for (int64_t oh = 0; oh < OH; ++oh)
      for (int64_t ow = 0; ow < OW; ++ow) {
        float m = -INFINITY;
        for (int64_t kh = 0; kh < KH; ++kh)
          for (int64_t kw = 0; kw < KW; ++kw)
            m = maximumf(
                m, x[(plane * H + oh * sh + kh * dh) * W + ow * sw + kw * dw]);
        out[(plane * OH + oh) * OW + ow] = m;
      }
}
