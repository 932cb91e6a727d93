/*===- Internal.h - What the micro-kernel files share --------------*- C -*-===*
 *
 * The micro-kernels are split by concern and ISA: the thread pool
 * (Threads.c), the ISA tiers and the int8 entry points that dispatch on
 * them (Dispatch.c), the portable reference kernels and the weight decoding
 * they define (Reference.c), the AVX-512 VNNI int8 kernels and AMX
 * (Int8Avx512.c; Int8ChannelVectors.c for small output planes), the
 * AVX-VNNI/AVX2/generic int8 kernels (Int8Pairs.c; Int8ChannelPairs.c for
 * small output planes), the int8 max pooling
 * (Pooling.c) and table lookups (Lookup.c), generated code's buffers
 * (Heap.c), the packed-weight kernels (PackedAvx512Vnni.c; PackedAvx2.c for
 * the integer ones below AVX-512), the depthwise kernel (Depthwise.c,
 * vectorised by the compiler), the float convolution (ConvF32.c), and the
 * entry points generated code calls (MemrefInterface.c). This header holds
 * what more than one of them needs and nothing else; the rest stays static
 * in its file.
 *
 * Functions defined in one file and called from another are named
 * qccUkernel*: each prebuilt ukernel-<level>.o is the files linked with
 * `ld -r`, and those symbols are then made local (CMakeLists.txt), so the
 * object defines Ukernel.h's functions and no others, as one file did.
 *
 *===----------------------------------------------------------------------===*/

#ifndef QCC_TARGET_CPU_UKERNEL_INTERNAL_H
#define QCC_TARGET_CPU_UKERNEL_INTERNAL_H

#include "qcc/Target/CPU/Ukernel.h"

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#if defined(__x86_64__)
#include <immintrin.h>
#define QCC_HAVE_X86 1
#else
#define QCC_HAVE_X86 0
#endif

#if QCC_HAVE_X86
/* The kernels of each tier are target-attributed functions, called only
 * where qcc_ukernel_cpu_tier() (Dispatch.c) says the CPU has the tier, so
 * every ISA level's object contains every tier. */
/* clang splits 64-byte vector types (the float and depthwise kernels')
 * into ymm halves when the target prefers 256-bit vectors, as x86-64-v4
 * and the Intel server CPUs do; this keeps them in zmm registers. */
#if defined(__clang__)
#define QCC_ZMM __attribute__((min_vector_width(512)))
#else
#define QCC_ZMM
#endif
/* avx512dq: the requantizations' 64-bit products as vpmullq (without it,
 * three 32-bit multiplies each); every AVX-512 VNNI CPU has it. */
#define QCC_VNNI                                                               \
  __attribute__((target(                                                       \
      "avx512f,avx512bw,avx512dq,avx512vl,avx512vnni,avx512vbmi"))) QCC_ZMM
#define QCC_AMX                                                                \
  __attribute__((target(                                                       \
      "avx512f,avx512bw,avx512dq,avx512vl,avx512vnni,avx512vbmi,amx-tile,"     \
      "amx-int8"))) QCC_ZMM
#define QCC_AVX2 __attribute__((target("avx2,fma")))
#define QCC_AVXVNNI __attribute__((target("avx2,fma,avxvnni")))
#endif

#if QCC_HAVE_X86
/* The mask of a vector's first `left` lanes (none for left <= 0, all from
 * the vector's width on): the tails of rows, panels and arrays. */
static inline __mmask16 qccUkernelLanes16(int64_t left) {
  return left >= 16  ? (__mmask16)0xFFFF
         : left <= 0 ? (__mmask16)0
                     : (__mmask16)((1u << left) - 1);
}
static inline __mmask64 qccUkernelBytes64(int64_t left) {
  return left >= 64  ? ~(__mmask64)0
         : left <= 0 ? (__mmask64)0
                     : ((__mmask64)1 << left) - 1;
}

/* qccUkernelHighScales' apply_scale_32 of 16 lanes (VNNI tier), plus the
 * zero point: multipliers as vpmuldq reads them
 * (the even lanes' in mulEven's low dwords, the odd lanes' in mulOdd's),
 * addends, and shift - 32 per lane. */
QCC_VNNI static inline __m512i qccUkernelScaleHigh16(__m512i x, __m512i mulEven,
                                                     __m512i mulOdd,
                                                     __m512i addend,
                                                     __m512i count) {
  const __m512i even = _mm512_mul_epi32(x, mulEven);
  const __m512i odd = _mm512_mul_epi32(_mm512_srli_epi64(x, 32), mulOdd);
  const __m512i high = _mm512_mask_blend_epi32(
      (__mmask16)0xAAAA, _mm512_srli_epi64(even, 32), odd);
  return _mm512_srav_epi32(_mm512_add_epi32(high, addend), count);
}

/* qccUkernelHighScaleAddend of 16 lanes from their shift - 32. */
QCC_VNNI static inline __m512i qccUkernelHighScaleAddend16(__m512i bits,
                                                           int32_t zp) {
  return _mm512_add_epi32(
      _mm512_sllv_epi32(_mm512_set1_epi32(1),
                        _mm512_sub_epi32(bits, _mm512_set1_epi32(1))),
      _mm512_sllv_epi32(_mm512_set1_epi32(zp), bits));
}

/* y clamped to [lo, hi] (within the int8 range) as int8: the saturating
 * narrowing clamps to [-128, 127] itself. */
QCC_VNNI static inline __m128i qccUkernelClampInt8(__m512i y, int32_t lo,
                                                   int32_t hi) {
  if (lo > -128)
    y = _mm512_max_epi32(y, _mm512_set1_epi32(lo));
  if (hi < 127)
    y = _mm512_min_epi32(y, _mm512_set1_epi32(hi));
  return _mm512_cvtsepi32_epi8(y);
}

/* TOSA apply_scale_32 of 8 int32 lanes on AVX2, which has no 64-bit
 * arithmetic shift. With multipliers in [0, 2^31) and shifts in [2, 62]
 * (qc.rescale's verifier), x * multiplier + 2^(shift - 1) + 2^62 is never
 * negative, so its logical shift is exactly (x * multiplier + 2^(shift -
 * 1)) >> shift plus 2^(62 - shift), which `offset` takes back with the
 * zero point. The scale's even and odd int32 lanes as 64-bit lanes:
 * multipliers in their low dwords, rounds 2^(shift - 1) + 2^62
 * (qccUkernelBiasedRound), shifts as vpsrlvq counts; offset per int32
 * lane: the zero point minus 2^(62 - shift) (qccUkernelShiftOffset).
 * Returns the scaled lanes plus the zero point, not yet clamped. */
__attribute__((target("avx2"))) static inline __m256i
qccUkernelApplyScaleAvx2(__m256i x, __m256i mulEven, __m256i mulOdd,
                         __m256i roundEven, __m256i roundOdd,
                         __m256i shiftEven, __m256i shiftOdd,
                         __m256i offset) {
  const __m256i even = _mm256_srlv_epi64(
      _mm256_add_epi64(_mm256_mul_epi32(x, mulEven), roundEven), shiftEven);
  const __m256i odd = _mm256_srlv_epi64(
      _mm256_add_epi64(_mm256_mul_epi32(_mm256_srli_epi64(x, 32), mulOdd),
                       roundOdd),
      shiftOdd);
  return _mm256_add_epi32(
      _mm256_blend_epi32(even, _mm256_slli_epi64(odd, 32), 0xAA), offset);
}
#endif

/* The round term of qccUkernelApplyScaleAvx2: 2^(shift - 1) + 2^62. */
static inline int64_t qccUkernelBiasedRound(int shift) {
  return ((int64_t)1 << (shift - 1)) + ((int64_t)1 << 62);
}

/* Its offset: zp - 2^(62 - shift), modulo 2^32 (only the low 32 bits of
 * the shifted sum are kept). */
static inline int32_t qccUkernelShiftOffset(int32_t zp, int shift) {
  return (int32_t)((uint32_t)zp - (uint32_t)((uint64_t)1 << (62 - shift)));
}

/* TOSA apply_scale_32, (x * multiplier + 2^(shift - 1)) >> shift, for
 * shifts of 33 and more, in 32-bit lanes (fewer operations than a 64-bit
 * shift and narrowing). With P = x * multiplier = H * 2^32 + L (H its high
 * dword, 0 <= L < 2^32), P + 2^(shift - 1) = (H + 2^(shift - 33)) * 2^32 +
 * L, and L / 2^shift < 2^(32 - shift) never carries into the integer part
 * of (H + 2^(shift - 33)) / 2^(shift - 32): the result is exactly
 * (H + 2^(shift - 33)) >> (shift - 32). The zero point joins the addend as
 * zp * 2^(shift - 32), a whole multiple, so the shift stays exact; with
 * |H| <= 2^30 (multipliers below 2^31) the addend keeps the sum in int32
 * for shifts up to 54. Kernels take this path where every shift of a
 * layer is in [33, 54] (qccUkernelHighScales), their 64-bit one elsewhere;
 * both give the 64-bit reference's bits. */
enum { kHighScaleMinShift = 33, kHighScaleMaxShift = 54 };

static inline int qccUkernelHighScales(const int8_t *shift, int64_t count) {
  for (int64_t i = 0; i < count; ++i)
    if (shift[i] < kHighScaleMinShift || shift[i] > kHighScaleMaxShift)
      return 0;
  return 1;
}

/* The addend of a lane: 2^(shift - 33) + zp * 2^(shift - 32) (16 lanes:
 * qccUkernelHighScaleAddend16). */
static inline int32_t qccUkernelHighScaleAddend(int shift, int32_t zp) {
  return (int32_t)(((int64_t)1 << (shift - 33)) +
                   (int64_t)zp * ((int64_t)1 << (shift - 32)));
}

/*--- int8 matrix products and convolutions ----------------------------------*/

/* One int8 product C[b] (M x P) += A (M x K) * B[b] (K x P), B either a
 * matrix or the implicit im2col of a convolution input, with an int32 or a
 * requantized int8 output: what the public entry points (Dispatch.c) hand
 * to the active tier's kernel. */
typedef struct {
  int64_t batch, M, P, K;
  const int8_t *A; /* [M][lda]: the weights of a convolution */
  int64_t lda;
  int constantA;   /* A never changes for the life of the process */
  const int8_t *B; /* the matrix B, or the conv input x [batch][C][H][W] */
  int64_t strideB, ldb;
  int32_t *C; /* the int32 output (requant = 0), accumulated into */
  int64_t strideC, ldc;
  /* Convolution (B is im2col(x), never stored): geometry, else conv = 0.
   * height and width are the padded input's: each image of x is
   * (height - pad.top - pad.bottom) x (width - pad.left - pad.right). */
  int conv;
  int64_t channels, height, width, kh, kw, ow, sh, sw, dh, dw;
  qcc_ukernel_padding pad;
  /* Fused requantization (requant = 1): C is not read or written; row m
   * starts from bias[m], and the int32 sums are rescaled (TOSA
   * apply_scale_32 with multiplier[m], shift[m] or the single [0]), shifted
   * by outZp, clamped to [lo, hi] and stored as int8 to out. */
  int requant;
  const int32_t *bias, *multiplier;
  const int8_t *shift;
  int perChannel;
  int32_t outZp, lo, hi;
  int8_t *out;
  int64_t strideOut;
  int highScales; /* every shift in [33, 54] (qccUkernelHighScales) */
} qccUkernelInt8Problem;

/* Vectors of 16 positions per panel of the AVX-512 int8 kernels: the
 * fewest computed columns for P positions, ties to wider (AMX: pairs of
 * 16-column tiles). */
static inline int qccUkernelPanelVectors(int64_t P, int amx) {
  int best = 4;
  int64_t bestCols = (P + 63) / 64 * 64;
  for (int nr = amx ? 2 : 3; nr >= 2; --nr) {
    const int64_t cols = (P + nr * 16 - 1) / (nr * 16) * (nr * 16);
    if (cols < bestCols) {
      best = nr;
      bestCols = cols;
    }
  }
  return best;
}

/*--- Transposes of square tiles of vectors -----------------------------------*
 *
 * out[j][i] = in[i][j] for 16 vectors of 16 elements (bytes, floats) or 8
 * vectors of 8: interleaves of 1-, 2-, 4- (and 8-) element units, which
 * x86 does with unpck* / permutes. Defined per vector type. */

#define QCC_INTERLEAVE16_LO1(a, b)                                             \
  __builtin_shufflevector(a, b, 0, 16, 1, 17, 2, 18, 3, 19, 4, 20, 5, 21, 6,   \
                          22, 7, 23)
#define QCC_INTERLEAVE16_HI1(a, b)                                             \
  __builtin_shufflevector(a, b, 8, 24, 9, 25, 10, 26, 11, 27, 12, 28, 13, 29,  \
                          14, 30, 15, 31)
#define QCC_INTERLEAVE16_LO2(a, b)                                             \
  __builtin_shufflevector(a, b, 0, 1, 16, 17, 2, 3, 18, 19, 4, 5, 20, 21, 6,   \
                          7, 22, 23)
#define QCC_INTERLEAVE16_HI2(a, b)                                             \
  __builtin_shufflevector(a, b, 8, 9, 24, 25, 10, 11, 26, 27, 12, 13, 28, 29,  \
                          14, 15, 30, 31)
#define QCC_INTERLEAVE16_LO4(a, b)                                             \
  __builtin_shufflevector(a, b, 0, 1, 2, 3, 16, 17, 18, 19, 4, 5, 6, 7, 20,    \
                          21, 22, 23)
#define QCC_INTERLEAVE16_HI4(a, b)                                             \
  __builtin_shufflevector(a, b, 8, 9, 10, 11, 24, 25, 26, 27, 12, 13, 14, 15,  \
                          28, 29, 30, 31)
#define QCC_INTERLEAVE16_LO8(a, b)                                             \
  __builtin_shufflevector(a, b, 0, 1, 2, 3, 4, 5, 6, 7, 16, 17, 18, 19, 20,    \
                          21, 22, 23)
#define QCC_INTERLEAVE16_HI8(a, b)                                             \
  __builtin_shufflevector(a, b, 8, 9, 10, 11, 12, 13, 14, 15, 24, 25, 26, 27,  \
                          28, 29, 30, 31)

/* The float tiles with outputs in the vector lanes (ConvF32.c's channel
 * lanes, GemmF32.c's columns): sums[r][j * VL + l] = bias[j * VL + l] +
 * sum over k, in k order, of VALUE(k, r, MR) * w[k * NR * VL + j * VL + l],
 * MR broadcast values against NR vectors of VL floats (type VEC) a step.
 * VALUE(k, r, MR) is a macro for the value of row r at step k: a packed
 * block's x[k * MR + r], or an image's float read in place. The sums leave
 * the registers through `sums` (float [MR][NR * VL]), an array of their
 * own: a variable-size copy straight out of the accumulators kept half of
 * a 12 x 2 tile's sums on the stack inside the loop. */
#define QCC_F32_LANE_SUMS(VEC, VL, MR, NR, VALUE, w, bias, K, sums)            \
  do {                                                                         \
    VEC acc_[MR][NR], bias_[NR];                                               \
    memcpy(bias_, (bias), sizeof bias_);                                       \
    for (int r_ = 0; r_ < (MR); ++r_)                                          \
      for (int j_ = 0; j_ < (NR); ++j_)                                        \
        acc_[r_][j_] = bias_[j_];                                              \
    for (int64_t k_ = 0; k_ < (K); ++k_) {                                     \
      VEC b_[NR];                                                              \
      memcpy(b_, (w) + k_ * (NR) * (VL), sizeof b_);                           \
      for (int r_ = 0; r_ < (MR); ++r_) {                                      \
        const float v_ = VALUE(k_, r_, MR);                                    \
        for (int j_ = 0; j_ < (NR); ++j_)                                      \
          acc_[r_][j_] += v_ * b_[j_];                                         \
      }                                                                        \
    }                                                                          \
    memcpy((sums), acc_, sizeof acc_);                                         \
  } while (0)

#define QCC_DEFINE_TRANSPOSE16(NAME, VEC)                                      \
  __attribute__((always_inline)) static inline void NAME(const VEC in[16],     \
                                                         VEC out[16]) {        \
    /* a[h * 8 + i]: rows 2i, 2i+1 of columns 8h .. 8h+7, in pairs. */         \
    VEC a[16], b[16];                                                          \
    for (int i = 0; i < 8; ++i) {                                              \
      a[i] = QCC_INTERLEAVE16_LO1(in[2 * i], in[2 * i + 1]);                   \
      a[8 + i] = QCC_INTERLEAVE16_HI1(in[2 * i], in[2 * i + 1]);               \
    }                                                                          \
    /* b[q * 4 + j]: rows 4j .. 4j+3 of columns 4q .. 4q+3, in quads. */       \
    for (int h = 0; h < 2; ++h)                                                \
      for (int j = 0; j < 4; ++j) {                                            \
        b[h * 8 + j] =                                                         \
            QCC_INTERLEAVE16_LO2(a[h * 8 + 2 * j], a[h * 8 + 2 * j + 1]);      \
        b[h * 8 + 4 + j] =                                                     \
            QCC_INTERLEAVE16_HI2(a[h * 8 + 2 * j], a[h * 8 + 2 * j + 1]);      \
      }                                                                        \
    for (int q = 0; q < 4; ++q) {                                              \
      const VEC *g = &b[q * 4];                                                \
      /* Columns 4q, 4q+1 (c0) and 4q+2, 4q+3 (c1) of rows 0-7 and 8-15. */    \
      const VEC c0 = QCC_INTERLEAVE16_LO4(g[0], g[1]),                         \
                c1 = QCC_INTERLEAVE16_HI4(g[0], g[1]);                         \
      const VEC c2 = QCC_INTERLEAVE16_LO4(g[2], g[3]),                         \
                c3 = QCC_INTERLEAVE16_HI4(g[2], g[3]);                         \
      out[4 * q] = QCC_INTERLEAVE16_LO8(c0, c2);                               \
      out[4 * q + 1] = QCC_INTERLEAVE16_HI8(c0, c2);                           \
      out[4 * q + 2] = QCC_INTERLEAVE16_LO8(c1, c3);                           \
      out[4 * q + 3] = QCC_INTERLEAVE16_HI8(c1, c3);                           \
    }                                                                          \
  }

#define QCC_DEFINE_TRANSPOSE8(NAME, VEC)                                       \
  __attribute__((always_inline)) static inline void NAME(const VEC in[8],      \
                                                         VEC out[8]) {         \
    /* a[h * 4 + i]: rows 2i, 2i+1 of columns 4h .. 4h+3, in pairs. */         \
    VEC a[8], b[8];                                                            \
    for (int i = 0; i < 4; ++i) {                                              \
      a[i] = __builtin_shufflevector(in[2 * i], in[2 * i + 1], 0, 8, 1, 9, 2,  \
                                     10, 3, 11);                               \
      a[4 + i] = __builtin_shufflevector(in[2 * i], in[2 * i + 1], 4, 12, 5,   \
                                         13, 6, 14, 7, 15);                    \
    }                                                                          \
    /* b[h * 4 + j]: rows 4j .. 4j+3 of columns 4h, 4h+1 (b[h * 4 + 2 + j]:    \
     * 4h+2, 4h+3), in quads. */                                               \
    for (int h = 0; h < 2; ++h)                                                \
      for (int j = 0; j < 2; ++j) {                                            \
        const VEC lo = a[h * 4 + 2 * j], hi = a[h * 4 + 2 * j + 1];            \
        b[h * 4 + j] =                                                         \
            __builtin_shufflevector(lo, hi, 0, 1, 8, 9, 2, 3, 10, 11);         \
        b[h * 4 + 2 + j] =                                                     \
            __builtin_shufflevector(lo, hi, 4, 5, 12, 13, 6, 7, 14, 15);       \
      }                                                                        \
    for (int h = 0; h < 2; ++h)                                                \
      for (int k = 0; k < 2; ++k) {                                            \
        const VEC top = b[h * 4 + 2 * k], bottom = b[h * 4 + 2 * k + 1];       \
        out[4 * h + 2 * k] =                                                   \
            __builtin_shufflevector(top, bottom, 0, 1, 2, 3, 8, 9, 10, 11);    \
        out[4 * h + 2 * k + 1] =                                               \
            __builtin_shufflevector(top, bottom, 4, 5, 6, 7, 12, 13, 14, 15);  \
      }                                                                        \
  }

/* min(max(v, lo), hi) with NaN kept (a fused Relu or Clip of a float
 * kernel: NaN propagates, as in ONNX Runtime and the interpreter). */
static inline float qccUkernelClampF32(float v, float lo, float hi) {
  v = v < lo ? lo : v;
  return v > hi ? hi : v;
}

/* qccUkernelClampF32 on each lane of v, a VEC of floats whose lanes as
 * integers are VECI: selects on the vector, not a loop over a copy of it in
 * memory (the sums' round trip through the stack cost a float tile's
 * epilogue more than its stores). */
#define QCC_CLAMP_F32_VEC(VEC, VECI, v, lo, hi)                                \
  do {                                                                         \
    const VEC lo_ = (VEC){0} + (lo), hi_ = (VEC){0} + (hi);                    \
    VECI below_ = (VECI)((v) < lo_);                                           \
    (v) = (VEC)((below_ & (VECI)lo_) | (~below_ & (VECI)(v)));                 \
    VECI above_ = (VECI)((v) > hi_);                                           \
    (v) = (VEC)((above_ & (VECI)hi_) | (~above_ & (VECI)(v)));                 \
  } while (0)

static inline int qccUkernelHasPadding(const qcc_ukernel_padding *pad) {
  return pad->top != 0 || pad->left != 0 || pad->bottom != 0 ||
         pad->right != 0;
}

/* Keeps a loop of moves a loop: clang and GCC otherwise turn it back into
 * the libc call these helpers exist to avoid (a tenth of a 3 x 3 float
 * convolution's time went to memcpy calls of its rows). */
#define QCC_KEEP_LOOP() __asm__ volatile("")

/* n bytes copied, or set to `value`, without a libc call: padding writes
 * rows of a few bytes to a few dozen, where a call costs more than the
 * move (overlapping 16-, 8- and 4-byte moves cover any n). */
static inline void qccUkernelCopyBytes(void *dst, const void *src, int64_t n) {
  char *d = (char *)dst;
  const char *s = (const char *)src;
  if (n >= 16) {
    for (int64_t i = 0; i + 16 <= n; i += 16) {
      __builtin_memcpy(d + i, s + i, 16);
      QCC_KEEP_LOOP();
    }
    __builtin_memcpy(d + n - 16, s + n - 16, 16);
  } else if (n >= 8) {
    uint64_t a, b;
    __builtin_memcpy(&a, s, 8);
    __builtin_memcpy(&b, s + n - 8, 8);
    __builtin_memcpy(d, &a, 8);
    __builtin_memcpy(d + n - 8, &b, 8);
  } else if (n >= 4) {
    uint32_t a, b;
    __builtin_memcpy(&a, s, 4);
    __builtin_memcpy(&b, s + n - 4, 4);
    __builtin_memcpy(d, &a, 4);
    __builtin_memcpy(d + n - 4, &b, 4);
  } else {
    for (int64_t i = 0; i < n; ++i)
      d[i] = s[i];
  }
}
static inline void qccUkernelFillBytes(void *dst, int value, int64_t n) {
  uint8_t splat[16];
  for (int i = 0; i < 16; ++i)
    splat[i] = (uint8_t)value;
  char *d = (char *)dst;
  if (n >= 16) {
    for (int64_t i = 0; i + 16 <= n; i += 16) {
      __builtin_memcpy(d + i, splat, 16);
      QCC_KEEP_LOOP();
    }
    __builtin_memcpy(d + n - 16, splat, 16);
  } else if (n >= 4) {
    const int64_t half = n >= 8 ? 8 : 4;
    __builtin_memcpy(d, splat, (size_t)half);
    __builtin_memcpy(d + n - half, splat, (size_t)half);
  } else {
    for (int64_t i = 0; i < n; ++i)
      d[i] = (char)value;
  }
}

/* x (H x W elements of `elementBytes`) padded into dst ((H + top +
 * bottom) x (W + left + right)), every byte of the padding `fill`. */
void qccUkernelPadPlane(const void *x, int64_t H, int64_t W,
                        const qcc_ukernel_padding *pad, int64_t elementBytes,
                        int fill, void *dst);

/* x (H x W elements of `elementBytes`) copied into the interior of dst, a
 * plane padded as `pad` says whose padding is written already (scratch
 * reused plane after plane). */
void qccUkernelCopyIntoPadded(const void *x, int64_t H, int64_t W,
                              const qcc_ukernel_padding *pad,
                              int64_t elementBytes, void *dst);

/* `planes` planes of H x W elements at x (contiguous) padded into scratch
 * among `threads` (returned for qccUkernelFree), every byte of the
 * padding `fill`. */
void *qccUkernelPadPlanes(const void *x, int64_t planes, int64_t H, int64_t W,
                          const qcc_ukernel_padding *pad, int64_t elementBytes,
                          int fill, int threads);

/* For the kernels that read x only through its padded geometry: *padded
 * is the problem reading a padded copy of its images (planes shared among
 * threads), returned as scratch for qccUkernelFree; NULL, and *padded the
 * problem itself, when it has no padding. */
int8_t *qccUkernelMaterializePadding(const qccUkernelInt8Problem *problem,
                                     qccUkernelInt8Problem *padded,
                                     int threads);

/* The AVX-512 VNNI kernel, or with amx = 1 the AMX-INT8 one
 * (Int8Avx512.c). */
void qccUkernelInt8Avx512(const qccUkernelInt8Problem *problem, int amx,
                          int threads);

/* The kernel of the other tiers on 16-bit pairs (Int8Pairs.c): AVX-VNNI,
 * AVX2 or generic C, as `tier` says. */
void qccUkernelInt8Pairs(const qccUkernelInt8Problem *problem, int tier,
                         int threads);

/* qcc_ukernel_matmul_s8_packed, told whether W never changes for the life
 * of the process (the generated code's constant weights: a repacked copy
 * is then kept; PackedAvx512Vnni.c). */
void qccUkernelMatmulS8Packed(int64_t M, int64_t N, int64_t K,
                              const int8_t *X, int64_t ldx, const uint8_t *W,
                              int bits, int32_t *Y, int64_t ldy, int constantW,
                              int threads);

/* qcc_ukernel_matmul_s8_packed below the AVX-512 VNNI tier (PackedAvx2.c):
 * AVX2 (also for AVX-VNNI) or generic C, as `tier` says. */
void qccUkernelMatmulS8PackedPairs(int64_t M, int64_t N, int64_t K,
                                   const int8_t *X, int64_t ldx,
                                   const uint8_t *W, int bits, int32_t *Y,
                                   int64_t ldy, int tier, int threads);

/* qcc_ukernel_matmul_f32_packed below the AVX-512 VNNI tier (PackedAvx2.c):
 * AVX2 + FMA, or generic C, as `tier` says; sums in float. */
void qccUkernelMatmulF32PackedBelowAvx512(int64_t M, int64_t N, int64_t K,
                                          const float *X, int64_t ldx,
                                          const uint8_t *W,
                                          const qcc_packed_weights *format,
                                          float *Y, int64_t ldy, int tier,
                                          int threads);

/* The plane offset of row k = (c, kh, kw) of im2col(x) for k < rows (rows
 * past K repeat the last); malloc'd, for the caller to free. */
int64_t *qccUkernelPlaneOffsets(const qccUkernelInt8Problem *problem,
                                int64_t rows);

/* Runs fn over `planes` independent planes (the depthwise kernels') split
 * into contiguous ranges among `threads` parts (PackedPart: begin and end
 * are planes); one part when all the planes take fewer than `minWork`
 * multiply-adds (`work`). */
void qccUkernelSplitPlanes(void *(*fn)(void *), const void *job, int64_t planes,
                           int64_t work, int64_t minWork, int threads);

/* The depthwise kernels' minWork: below it, one thread. */
static const int64_t kDepthwiseParallelWork = (int64_t)1 << 16;
/* Copies (repacking, padding) of fewer bytes stay on one thread. */
static const int64_t kRepackParallelBytes = (int64_t)1 << 14;

/* One thread's share of a blocked product: the tiles [begin, end) of
 * `blocks` row blocks x the column panels, numbered panel by panel. Its
 * panels are [panelBegin, panelEnd); the first and last may be shared
 * with the neighbouring parts (qccUkernelPartBlocks). */
typedef struct {
  const void *job;
  int64_t blocks, begin, end, panelBegin, panelEnd;
} qccUkernelPanelPart;

/* The row blocks [*first, *last) of panel q in a part. */
static inline void qccUkernelPartBlocks(const qccUkernelPanelPart *part,
                                        int64_t q, int64_t *first,
                                        int64_t *last) {
  const int64_t base = q * part->blocks;
  *first = part->begin > base ? part->begin - base : 0;
  *last = part->end < base + part->blocks ? part->end - base : part->blocks;
}

/* The tile of minTile to maxTile rows (or positions) that computes the
 * fewest for `count` of them, ties to the larger tile; *computed is that
 * count rounded up to whole tiles (the channel-lane kernels' register
 * tiles, whose row count is chosen per call). */
static inline int64_t qccUkernelLeastPaddedTile(int64_t count, int64_t minTile,
                                                int64_t maxTile,
                                                int64_t *computed) {
  int64_t best = maxTile;
  *computed = (count + maxTile - 1) / maxTile * maxTile;
  for (int64_t tile = maxTile - 1; tile >= minTile; --tile) {
    const int64_t rows = (count + tile - 1) / tile * tile;
    if (rows < *computed) {
      *computed = rows;
      best = tile;
    }
  }
  return best;
}

/* Runs fn over `blocks` row blocks x `panels` panels split among `threads`
 * parts of equal tile counts: a whole-panel split leaves a thread idle
 * when the panels are few (3 panels: 1 against 2). A panel shared by two
 * parts is packed by both. */
void qccUkernelSplitPanels(void *(*fn)(void *), const void *job, int64_t blocks,
                           int64_t panels, int threads);

/* A run of panel columns that read consecutive im2col columns of one
 * output row: column j0 + i reads plane offset src + i * sw. */
typedef struct {
  int64_t j0, n, src;
} qccUkernelSegment;

/* The segments of the columns [p0, p0 + cols) of im2col(x) (one per output
 * row they span); returns how many. */
int qccUkernelPlanSegments(const qccUkernelInt8Problem *problem, int64_t p0,
                           int64_t cols, qccUkernelSegment *segments);

/* How many threads a job of `work` multiply-adds gets out of `threads`:
 * each gets at least 2^20 (kWorkPerThreadLog2 in Dispatch.c), and at most
 * 64 run. */
int qccUkernelThreadsForWork(double work, int threads);

/* A packed constant operand, packed once per process and kept: `pack`
 * fills *packed from A (M x K, row stride lda); the cache is keyed on A's
 * address and shape and on `pack` (the layout). With constant = 0 the
 * operand is packed anew and *owned says the caller frees it
 * (qccUkernelFreePacked). */
typedef struct {
  void *data;
  int32_t *rowSum;
  size_t bytes; /* of data */
} qccUkernelPacked;
/* `taps` is the window of a convolution's weights, A = [M][K / taps
 * channels][taps], for the layouts that need it (1, or ignored, for a
 * matrix); it is part of the key. */
typedef qccUkernelPacked (*qccUkernelPackFn)(const void *A, int64_t M,
                                             int64_t K, int64_t lda,
                                             int64_t taps);
qccUkernelPacked qccUkernelGetPacked(const void *A, int64_t M, int64_t K,
                                     int64_t lda, int64_t taps, int constant,
                                     qccUkernelPackFn pack, int *owned);
void qccUkernelFreePacked(qccUkernelPacked packed);

/* The f32 matrix A (M x K, row stride lda) as blocks of `rows` rows,
 * [Mp / rows][K][rows], zeros past M: the float convolution's weight
 * blocks and panels of output channels (ConvF32.c), the float GEMM's
 * panels of output columns (GemmF32.c). */
qccUkernelPacked qccUkernelPackF32Blocks(const float *A, int64_t M, int64_t K,
                                         int64_t lda, int64_t rows);

/* The quads layout of the vpdpbusd kernels (AVX-512 VNNI, AMX, AVX-VNNI):
 * A as [Mp][K4 * 4] int8 with K padded to a multiple of kMultiple (of 4)
 * and M to mMultiple, zeros in the padding, and 128 * (row sums), the
 * compensation for B's +128. */
qccUkernelPacked qccUkernelPackQuads(const int8_t *A, int64_t M, int64_t K,
                                     int64_t lda, int64_t kMultiple,
                                     int64_t mMultiple);

/* Whether vpmaddubsw's 16-bit pair sums of bytes in [0, 255] times A's
 * pairs are exact: |a| + |a'| <= 128 for every pair the byte layouts form,
 * channels c and c + 1 (c even) at each tap of A = [M][K / taps][taps]
 * (taps = 1: k and k + 1 of a matrix's rows). */
int qccUkernelPairSumsFit16Bits(const int8_t *A, int64_t M, int64_t K,
                                int64_t lda, int64_t taps);

/* A convolution input image ([channels][HW] int8, HW = height x width
 * of the padded input) repacked as channel quads, [channels / 4][quadStride
 * / 4][4] bytes + 128 (channels past the last read as zeros, i.e. 128):
 * the layout of the direct convolutions' vpdpbusd operands (AVX-512 VNNI
 * and AMX; Int8Avx512.c). */
typedef struct {
  int64_t channels, HW, quadStride;
  uint8_t *xq;   /* slots past HW are read only for dropped outputs (the
                    columns past OW, positions past the last): not set */
  int8_t *zeros; /* zero bytes, the source rows of missing channels */
} qccUkernelQuadImage;
/* Room for `slots` (>= HW) positions per quad. */
qccUkernelQuadImage qccUkernelAllocQuadImage(const qccUkernelInt8Problem *pb,
                                             int64_t slots);
/* Image n of the problem's input, its padding written in, the quads
 * shared among threads (a large image is a memory-bound copy that would
 * otherwise run on one thread while the others wait). */
void qccUkernelRepackQuads(qccUkernelQuadImage *image,
                           const qccUkernelInt8Problem *pb, int64_t n,
                           int threads);
void qccUkernelFreeQuadImage(qccUkernelQuadImage *image);

/* Layouts of a convolution's weights A = [M][C][taps] (K = C * taps) for
 * the kernels that read the image once per tap instead of through im2col,
 * zeros in the padding, with 128 * (row sums) (Int8Avx512.c):
 *  - kTapsAmxTiles: 16 x 64 AMX tiles, [Mp / 16][taps][C64 / 64][16][64];
 *  - kTapsVnniRows: rows of quads, [Mp][taps][C4][4] (M to 24);
 *  - kTapsChannelVectors: 16 rows' quads per 64-byte vector, the two
 *    vectors of a 32-row block side by side, [Mp / 32][taps][C4][2][16][4]
 *    (Int8ChannelVectors.c: a block's tile reads one stream);
 *  - kTapsChannelQuads: 8 rows' quads per 32-byte vector, 16 rows' side
 *    by side, [Mp / 16][taps][C4][16][4] (Int8ChannelPairs.c on bytes).
 * M is padded to 32 but in kTapsVnniRows. */
typedef enum {
  kTapsAmxTiles,
  kTapsVnniRows,
  kTapsChannelVectors,
  kTapsChannelQuads
} qccUkernelTapLayout;
qccUkernelPacked qccUkernelPackTaps(const int8_t *A, int64_t M, int64_t K,
                                    int64_t lda, int64_t taps,
                                    qccUkernelTapLayout layout);

/* Whether the channel-vector convolution (Int8ChannelVectors.c) serves a
 * problem better than the kernels with positions in the vector lanes: small
 * output planes with requantized outputs. */
int qccUkernelChannelVectorsServe(const qccUkernelInt8Problem *problem);

/* That convolution on the AVX-512 VNNI tier. */
void qccUkernelInt8ChannelVectors(const qccUkernelInt8Problem *problem,
                                  int threads);

/* The same for the AVX2 and AVX-VNNI tiers, on 16-bit pairs or, on AVX2
 * for weights of 7 bits, bytes (Int8ChannelPairs.c): whether it serves a
 * problem better than Int8Pairs.c's position panels, and the convolution. */
int qccUkernelChannelPairsServe(const qccUkernelInt8Problem *problem);
void qccUkernelInt8ChannelPairs(const qccUkernelInt8Problem *problem, int tier,
                                int threads);

/*--- Buffers ---------------------------------------------------------------*/

/* Allocation for generated code's buffers (Heap.c): 64-byte aligned, freed
 * blocks of a few KiB and more kept for the next request of their size. */
void *qccUkernelAlloc(size_t size);
void qccUkernelFree(void *p);

/* A kernel's scratch from the same heap (its large buffers then stay warm
 * between calls), zeroed if asked; aborts when memory runs out. Freed with
 * qccUkernelFree. */
void *qccUkernelScratch(size_t size, int zeroed);

/* What finalize-memref-to-llvm{use-generic-functions} lowers memref.alloc
 * and memref.dealloc to. */
void *_mlir_memref_to_llvm_alloc(size_t size);
void *_mlir_memref_to_llvm_aligned_alloc(size_t alignment, size_t size);
void _mlir_memref_to_llvm_free(void *p);

/*--- Requantization ---------------------------------------------------------*/

/* TOSA apply_scale_32, then the zero point and the clamp: one int32 sum to
 * int8, as qc.rescale and qc.clip compute it (the scalar epilogue of every
 * requantizing kernel, and the reference's). */
static inline int8_t qccUkernelRequantize(int32_t acc, int32_t multiplier,
                                          int shift, int32_t outZp, int32_t lo,
                                          int32_t hi) {
  int64_t y =
      ((int64_t)acc * multiplier + ((int64_t)1 << (shift - 1))) >> shift;
  y += outZp;
  y = y < lo ? lo : y > hi ? hi : y;
  return (int8_t)y;
}

/*--- The thread pool (Threads.c) -------------------------------------------*/

/* fn(&parts[t]) for t < threads, part 0 on the calling thread. */
void qccUkernelRunParallel(void *(*fn)(void *), void *parts, size_t partSize,
                           int threads);

enum { kPackedTileRows = 4 }; /* rows of W (and of X) per register tile */

/* The rows [begin, end) of W one thread computes. */
typedef struct {
  const void *job;
  int64_t begin, end;
} PackedPart;

/* Runs fn over the rows of W split among `threads` parts of whole tiles. */
void qccUkernelSplitRows(void *(*fn)(void *), const void *job, int64_t N,
                         int64_t work, int threads);

/*--- Packed weights: decoding shared by the reference and vector kernels --*/

static inline int packedBits(int format) {
  switch (format) {
  case QCC_PACKED_F32:
    return 32;
  case QCC_PACKED_INT8:
  case QCC_PACKED_UINT8:
  case QCC_PACKED_FP8E4M3:
  case QCC_PACKED_FP8E5M2:
    return 8;
  case QCC_PACKED_FP6E3M2:
  case QCC_PACKED_FP6E2M3:
    return 6;
  default:
    return 4;
  }
}

static inline float floatFromBits(uint32_t bits) {
  float f;
  memcpy(&f, &bits, sizeof f);
  return f;
}

static inline int isIntegerFormat(int format) {
  return format <= QCC_PACKED_UINT4;
}

/* One group per row when groupSize is not positive or covers the row. */
static inline int64_t effectiveGroupSize(const qcc_packed_weights *f,
                                         int64_t K) {
  return f->groupSize <= 0 || f->groupSize >= K ? K : f->groupSize;
}

static inline int64_t numGroups(const qcc_packed_weights *f, int64_t K) {
  return (K + effectiveGroupSize(f, K) - 1) / effectiveGroupSize(f, K);
}

static inline int groupZeroPoint(const qcc_packed_weights *f, int64_t groups,
                                 int64_t n, int64_t g) {
  return f->zeroPoints ? f->zeroPoints[n * groups + g] : 0;
}

/* The value of a minifloat weight code (Reference.c). */
float qccUkernelMinifloatWeight(int format, unsigned c);

/* The multiplier of an E8M0 or E4M3 block scale code (Reference.c). */
float qccUkernelBlockScaleMultiplier(const qcc_packed_weights *f,
                                     unsigned code);

#endif /* QCC_TARGET_CPU_UKERNEL_INTERNAL_H */
