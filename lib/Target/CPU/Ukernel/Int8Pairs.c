/*===- Int8Pairs.c - int8 GEMM and conv on 16-bit pairs ------------*- C -*-===*
 *
 * The int8 x int8 -> int32 products of the tiers below AVX-512 VNNI:
 * AVX-VNNI, AVX2 and generic C.
 *
 * AVX2 has no exact byte dot product: vpmaddubsw saturates its 16-bit pair
 * sums (2 * 255 * 128 > 32767), which ONNX Runtime's MLAS accepts and qcc
 * cannot (integer outputs equal the interpreter's on every tier). So both
 * operands are sign-extended to 16 bits and multiplied in pairs: vpmaddwd
 * (AVX2) or vpdpwssd (AVX-VNNI, multiply and accumulate in one instruction)
 * forms a[k] * b[k] + a[k+1] * b[k+1] exactly in 32 bits. Signed times
 * signed, so no sign-flip compensation is needed either. The generic tier
 * runs the same layout in plain C loops that the compiler vectorises
 * (pmaddwd on SSE2).
 *
 * Blocking: B is packed per panel of kWidth = 24 columns as [K2][24][2]
 * int16 (the two k of one column form the 32-bit lane), A as [Mp][K2][2]
 * int16, with K padded to even and M to a multiple of kRows with zeros.
 * The register tile is kRows = 4 rows x 3 vectors of 8 int32 accumulators:
 * with the 3 B vectors and the broadcast of A, 16 ymm registers. Threads
 * split the panels (or the row blocks, when there are fewer panels than
 * threads); each packs the panels it needs, as on AVX-512.
 *
 *===----------------------------------------------------------------------===*/

#include "Internal.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

enum { kRows = 4, kLanes = 8, kVectors = 3, kWidth = kVectors * kLanes };

typedef struct {
  qccUkernelInt8Problem pb;
  int64_t K2, Mp;
  const int16_t *Ap; /* [Mp][K2][2], zero padded */
  /* Row k of im2col(x) starts at x + planeOffset[k] (K2 * 2 rows; rows
   * past K repeat the last, and A is zero there). */
  const int64_t *planeOffset;
} Job;

/* A as [Mp][K2][2] sign-extended int16. */
static qccUkernelPacked packPairs(const void *data, int64_t M, int64_t K,
                                  int64_t lda) {
  const int8_t *A = (const int8_t *)data;
  const int64_t K2 = (K + 1) / 2, Mp = (M + kRows - 1) / kRows * kRows;
  int16_t *packed = calloc((size_t)(Mp * K2 * 2), sizeof(int16_t));
  if (!packed)
    abort();
  for (int64_t m = 0; m < M; ++m)
    for (int64_t k = 0; k < K; ++k)
      packed[m * K2 * 2 + k] = A[m * lda + k];
  return (qccUkernelPacked){packed, NULL};
}

/* A run of panel columns that read consecutive im2col columns of one
 * output row: column j0 + i reads plane offset src + i * sw. */
typedef struct {
  int64_t j0, n, src;
} Segment;

/* The segments of the columns [p0, p0 + cols) of B = im2col(x). */
static int planSegments(const Job *job, int64_t p0, int64_t cols,
                        Segment *segments) {
  const qccUkernelInt8Problem *pb = &job->pb;
  int count = 0;
  int64_t oh = p0 / pb->ow, ow = p0 % pb->ow;
  for (int64_t j = 0; j < cols; ++oh, ow = 0) {
    int64_t n = pb->ow - ow;
    if (n > cols - j)
      n = cols - j;
    segments[count++] =
        (Segment){j, n, oh * pb->sh * pb->width + ow * pb->sw};
    j += n;
  }
  return count;
}

/* Rows r0 and r1 (r1 NULL past K) of `cols` columns as pairs at dst,
 * zeros after them up to kWidth. Always inlined into each tier's caller,
 * so that it is vectorised for the tier. */
__attribute__((always_inline)) static inline void
interleave(const int8_t *r0, const int8_t *r1, int64_t cols, int16_t *dst) {
  int64_t j = 0;
  if (r1)
    for (; j < cols; ++j) {
      dst[2 * j] = r0[j];
      dst[2 * j + 1] = r1[j];
    }
  else
    for (; j < cols; ++j) {
      dst[2 * j] = r0[j];
      dst[2 * j + 1] = 0;
    }
  for (; j < kWidth; ++j)
    dst[2 * j] = dst[2 * j + 1] = 0;
}

/* Columns [p0, p0 + kWidth) of B as [K2][kWidth][2] int16. */
__attribute__((always_inline)) static inline void
packPanel(const Job *job, const int8_t *B, int64_t p0, int16_t *panel) {
  const qccUkernelInt8Problem *pb = &job->pb;
  const int64_t cols = pb->P - p0 < kWidth ? pb->P - p0 : kWidth;
  for (int64_t k2 = 0; k2 < job->K2; ++k2) {
    const int64_t k = 2 * k2;
    interleave(B + k * pb->ldb + p0,
               k + 1 < pb->K ? B + (k + 1) * pb->ldb + p0 : NULL, cols,
               panel + k2 * kWidth * 2);
  }
}

/* Columns [p0, p0 + kWidth) of B = im2col(x): row k = (c, kh, kw), column
 * p = (oh, ow), B[k][p] = x[c][oh * sh + kh * dh][ow * sw + kw * dw]. */
__attribute__((always_inline)) static inline void
packConvPanel(const Job *job, const int8_t *x, int64_t p0, int16_t *panel) {
  const qccUkernelInt8Problem *pb = &job->pb;
  const int64_t cols = pb->P - p0 < kWidth ? pb->P - p0 : kWidth;
  Segment segments[kWidth];
  const int count = planSegments(job, p0, cols, segments);
  const int64_t sw = pb->sw;
  for (int64_t k2 = 0; k2 < job->K2; ++k2) {
    int16_t *dst = panel + k2 * kWidth * 2;
    for (int half = 0; half < 2; ++half) {
      const int64_t k = 2 * k2 + half;
      if (k >= pb->K) {
        for (int64_t j = 0; j < kWidth; ++j)
          dst[2 * j + half] = 0;
        continue;
      }
      const int8_t *plane = x + job->planeOffset[k];
      for (int s = 0; s < count; ++s) {
        const int8_t *src = plane + segments[s].src;
        int16_t *out = dst + 2 * segments[s].j0 + half;
        if (sw == 1)
          for (int64_t i = 0; i < segments[s].n; ++i)
            out[2 * i] = src[i];
        else
          for (int64_t i = 0; i < segments[s].n; ++i)
            out[2 * i] = src[i * sw];
      }
      for (int64_t j = cols; j < kWidth; ++j)
        dst[2 * j + half] = 0;
    }
  }
}

/* The first row of the tile's row r, clamped into [0, M): rows past M are
 * computed from A's zero padding and never stored. */
static inline int64_t tileRow(const Job *job, int64_t m0, int r) {
  return m0 + r < job->pb.M ? m0 + r : job->pb.M - 1;
}

/*--- Generic C --------------------------------------------------------------*/

/* 8 int32 lanes in GCC/clang vector types, which every target vectorises:
 * a lane of B's panel holds a pair (low half k, high half k + 1). */
typedef int32_t Lanes __attribute__((vector_size(32)));

static void tileGeneric(const Job *job, const int16_t *panel, int64_t m0,
                        int64_t p0, int32_t *C, int8_t *out) {
  const qccUkernelInt8Problem *pb = &job->pb;
  const int64_t cols = pb->P - p0 < kWidth ? pb->P - p0 : kWidth;
  Lanes acc[kRows][kVectors];
  for (int r = 0; r < kRows; ++r) {
    const int64_t m = tileRow(job, m0, r);
    for (int j = 0; j < kVectors; ++j)
      acc[r][j] = (Lanes){0} + (pb->requant ? pb->bias[m] : 0);
  }
  const int16_t *a = job->Ap + m0 * job->K2 * 2;
  for (int64_t k2 = 0; k2 < job->K2; ++k2) {
    Lanes low[kVectors], high[kVectors];
    for (int j = 0; j < kVectors; ++j) {
      Lanes pairs;
      memcpy(&pairs, panel + (k2 * kWidth + 8 * j) * 2, sizeof pairs);
      low[j] = (pairs << 16) >> 16;
      high[j] = pairs >> 16;
    }
    for (int r = 0; r < kRows; ++r) {
      const int32_t a0 = a[(r * job->K2 + k2) * 2],
                    a1 = a[(r * job->K2 + k2) * 2 + 1];
      for (int j = 0; j < kVectors; ++j)
        acc[r][j] += a0 * low[j] + a1 * high[j];
    }
  }
  for (int r = 0; r < kRows && m0 + r < pb->M; ++r) {
    const int64_t m = m0 + r;
    int32_t sums[kWidth];
    memcpy(sums, acc[r], sizeof sums);
    if (pb->requant) {
      const int c = pb->perChannel ? (int)m : 0;
      for (int64_t j = 0; j < cols; ++j)
        out[m * pb->P + p0 + j] =
            qccUkernelRequantize(sums[j], pb->multiplier[c], pb->shift[c],
                                 pb->outZp, pb->lo, pb->hi);
    } else {
      for (int64_t j = 0; j < cols; ++j)
        C[m * pb->ldc + p0 + j] += sums[j];
    }
  }
}

/*--- AVX2 and AVX-VNNI ------------------------------------------------------*/

#if QCC_HAVE_X86

/* Lanes [0, n) of 8 set. */
QCC_AVX2 static inline __m256i laneMask(int64_t n) {
  const __m256i index = _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7);
  return _mm256_cmpgt_epi32(_mm256_set1_epi32((int)(n < 8 ? n : 8)), index);
}

/* The 64-bit lanes of x shifted right arithmetically by `bits` (AVX2 has
 * no vpsraq): a logical shift of x with its sign bits flipped off. */
QCC_AVX2 static inline __m256i shiftRightArithmetic64(__m256i x,
                                                      __m128i bits) {
  const __m256i sign = _mm256_cmpgt_epi64(_mm256_setzero_si256(), x);
  return _mm256_xor_si256(_mm256_srl_epi64(_mm256_xor_si256(x, sign), bits),
                          sign);
}

/* The requantized int8 of output row m's vectors of 8 int32 sums (TOSA
 * apply_scale_32, the zero point, the clamp), `cols` of them stored at
 * dst. Not inlined: its constants would compete with the tile's
 * accumulators for registers. */
QCC_AVX2 __attribute__((noinline)) static void
storeRequantized(const Job *job, int64_t m, const __m256i *acc, int64_t cols,
                 int8_t *dst) {
  const qccUkernelInt8Problem *pb = &job->pb;
  const int c = pb->perChannel ? (int)m : 0;
  const __m256i multiplier = _mm256_set1_epi64x(pb->multiplier[c]);
  const int shift = pb->shift[c];
  const __m256i round = _mm256_set1_epi64x((int64_t)1 << (shift - 1));
  const __m128i bits = _mm_cvtsi32_si128(shift);
  const __m256i zp = _mm256_set1_epi32(pb->outZp);
  const __m256i lo = _mm256_set1_epi32(pb->lo);
  const __m256i hi = _mm256_set1_epi32(pb->hi);
  for (int j = 0; j < kVectors && 8 * j < cols; ++j) {
    /* Even and odd lanes as 64-bit products x * multiplier + round. */
    const __m256i even =
        _mm256_add_epi64(_mm256_mul_epi32(acc[j], multiplier), round);
    const __m256i odd = _mm256_add_epi64(
        _mm256_mul_epi32(_mm256_srli_epi64(acc[j], 32), multiplier), round);
    __m256i y = _mm256_blend_epi32(
        shiftRightArithmetic64(even, bits),
        _mm256_slli_epi64(shiftRightArithmetic64(odd, bits), 32), 0xAA);
    y = _mm256_min_epi32(_mm256_max_epi32(_mm256_add_epi32(y, zp), lo), hi);
    /* 8 int32 in [-128, 127] to 8 bytes: the packs work per 128-bit lane. */
    const __m256i words = _mm256_packs_epi32(y, y);
    const __m256i bytes = _mm256_packs_epi16(words, words);
    const __m128i packed = _mm_unpacklo_epi32(
        _mm256_castsi256_si128(bytes), _mm256_extracti128_si256(bytes, 1));
    if (cols - 8 * j >= 8) {
      _mm_storel_epi64((__m128i *)(dst + 8 * j), packed);
    } else {
      int8_t lanes[16];
      _mm_storeu_si128((__m128i *)lanes, packed);
      memcpy(dst + 8 * j, lanes, (size_t)(cols - 8 * j));
    }
  }
}

/* The register tile: kRows rows x kVectors vectors, over all of K. MADD
 * accumulates one pair product into acc; REQUANT (a constant) selects the
 * output: int32 C (accumulated into) or requantized int8 (starting from
 * the bias). */
#define QCC_DEFINE_PAIRS_TILE(NAME, ATTR, MADD, REQUANT)                       \
  ATTR static void NAME(const Job *job, const int16_t *panel, int64_t m0,     \
                        int64_t p0, int32_t *C, int8_t *out) {                 \
    const qccUkernelInt8Problem *pb = &job->pb;                                \
    const int64_t cols = pb->P - p0;                                           \
    __m256i acc[kRows][kVectors];                                              \
    __m256i mask[kVectors];                                                    \
    for (int j = 0; j < kVectors; ++j)                                         \
      mask[j] = laneMask(cols - 8 * j);                                        \
    for (int r = 0; r < kRows; ++r) {                                          \
      const int64_t m = tileRow(job, m0, r);                                   \
      for (int j = 0; j < kVectors; ++j)                                       \
        acc[r][j] = REQUANT ? _mm256_set1_epi32(pb->bias[m])                   \
                            : _mm256_maskload_epi32(                           \
                                  C + m * pb->ldc + p0 + 8 * j, mask[j]);      \
    }                                                                          \
    const int16_t *a = job->Ap + m0 * job->K2 * 2;                             \
    for (int64_t k2 = 0; k2 < job->K2; ++k2) {                                 \
      __m256i b[kVectors];                                                     \
      for (int j = 0; j < kVectors; ++j)                                       \
        b[j] = _mm256_loadu_si256(                                             \
            (const __m256i *)(panel + (k2 * kWidth + 8 * j) * 2));             \
      for (int r = 0; r < kRows; ++r) {                                        \
        int32_t pair;                                                          \
        memcpy(&pair, a + (r * job->K2 + k2) * 2, 4);                          \
        const __m256i bcast = _mm256_set1_epi32(pair);                         \
        for (int j = 0; j < kVectors; ++j)                                     \
          acc[r][j] = MADD(acc[r][j], bcast, b[j]);                            \
      }                                                                        \
    }                                                                          \
    for (int r = 0; r < kRows && m0 + r < pb->M; ++r) {                        \
      if (REQUANT) {                                                           \
        storeRequantized(job, m0 + r, acc[r], cols,                            \
                         out + (m0 + r) * pb->P + p0);                         \
        continue;                                                              \
      }                                                                        \
      for (int j = 0; j < kVectors; ++j)                                       \
        _mm256_maskstore_epi32(C + (m0 + r) * pb->ldc + p0 + 8 * j, mask[j],   \
                               acc[r][j]);                                     \
    }                                                                          \
  }

#define QCC_MADD_AVX2(acc, a, b) _mm256_add_epi32(acc, _mm256_madd_epi16(a, b))
#define QCC_MADD_AVXVNNI(acc, a, b) _mm256_dpwssd_avx_epi32(acc, a, b)

QCC_DEFINE_PAIRS_TILE(tileAvx2, QCC_AVX2, QCC_MADD_AVX2, 0)
QCC_DEFINE_PAIRS_TILE(tileAvx2Requant, QCC_AVX2, QCC_MADD_AVX2, 1)
QCC_DEFINE_PAIRS_TILE(tileAvxVnni, QCC_AVXVNNI, QCC_MADD_AVXVNNI, 0)
QCC_DEFINE_PAIRS_TILE(tileAvxVnniRequant, QCC_AVXVNNI, QCC_MADD_AVXVNNI, 1)

#endif

/*--- Threads ----------------------------------------------------------------*/


typedef void (*TileFn)(const Job *, const int16_t *, int64_t, int64_t,
                       int32_t *, int8_t *);

/* One thread's share: pack each of its panels, then run the tiles over it.
 * Defined per tier so that the packing is vectorised for the tier. */
#define QCC_DEFINE_PAIRS_PART(NAME, ATTR, TILE, TILE_REQUANT)                  \
  ATTR static void *NAME(void *arg) {                                          \
    const qccUkernelPanelPart *part = (const qccUkernelPanelPart *)arg;        \
    const Job *job = (const Job *)part->job;                                   \
    const qccUkernelInt8Problem *pb = &job->pb;                                \
    const size_t bytes = (size_t)(job->K2 * kWidth * 2) * sizeof(int16_t);     \
    int16_t *panel = aligned_alloc(64, (bytes + 63) / 64 * 64);                \
    if (!panel)                                                                \
      abort();                                                                 \
    const TileFn tile = pb->requant ? TILE_REQUANT : TILE;                     \
    for (int64_t b = 0; b < pb->batch; ++b) {                                  \
      const int8_t *B = pb->B + b * pb->strideB;                               \
      int32_t *C = pb->requant ? NULL : pb->C + b * pb->strideC;               \
      int8_t *out = pb->requant ? pb->out + b * pb->strideOut : NULL;          \
      for (int64_t q = part->panelBegin; q < part->panelEnd; ++q) {            \
        const int64_t p0 = q * kWidth;                                         \
        if (pb->conv)                                                          \
          packConvPanel(job, B, p0, panel);                                    \
        else                                                                   \
          packPanel(job, B, p0, panel);                                        \
        for (int64_t blk = part->blockBegin; blk < part->blockEnd; ++blk)      \
          tile(job, panel, blk * kRows, p0, C, out);                           \
      }                                                                        \
    }                                                                          \
    free(panel);                                                               \
    return NULL;                                                               \
  }

QCC_DEFINE_PAIRS_PART(runGeneric, , tileGeneric, tileGeneric)
#if QCC_HAVE_X86
QCC_DEFINE_PAIRS_PART(runAvx2, QCC_AVX2, tileAvx2, tileAvx2Requant)
QCC_DEFINE_PAIRS_PART(runAvxVnni, QCC_AVXVNNI, tileAvxVnni, tileAvxVnniRequant)
#endif

void qccUkernelInt8Pairs(const qccUkernelInt8Problem *problem, int tier,
                         int threads) {
  Job job = {0};
  job.pb = *problem;
  job.K2 = (problem->K + 1) / 2;
  job.Mp = (problem->M + kRows - 1) / kRows * kRows;
  int owned;
  qccUkernelPacked packed =
      qccUkernelGetPacked(problem->A, problem->M, problem->K, problem->lda,
                          problem->constantA, packPairs, &owned);
  job.Ap = packed.data;
  int64_t *planeOffset =
      problem->conv ? qccUkernelPlaneOffsets(problem, job.K2 * 2) : NULL;
  job.planeOffset = planeOffset;

  void *(*run)(void *) = runGeneric;
#if QCC_HAVE_X86
  if (tier == QCC_CPU_TIER_AVXVNNI)
    run = runAvxVnni;
  else if (tier >= QCC_CPU_TIER_AVX2)
    run = runAvx2;
#else
  (void)tier;
#endif

  const int64_t blocks = job.Mp / kRows;
  const int64_t panels = (problem->P + kWidth - 1) / kWidth;
  threads = qccUkernelThreadsForWork(
      (double)problem->batch * problem->M * problem->P * problem->K, threads);
  qccUkernelSplitPanels(run, &job, blocks, panels, threads);
  free(planeOffset);
  if (owned)
    qccUkernelFreePacked(packed);
}
