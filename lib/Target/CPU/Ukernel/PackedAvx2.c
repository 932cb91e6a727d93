/*===- PackedAvx2.c - Packed-weight products below AVX-512 -------*- C -*-===*
 *
 * qcc_ukernel_matmul_s8_packed below the AVX-512 VNNI tier: int8
 * activations times rows of int8 or packed int4 weights (the classifiers
 * of int8 models, W4A8 layers), exactly; and qcc_ukernel_matmul_f32_packed
 * (float activations: the float models' matrix products and convolutions
 * on plain f32 weights, weight-only formats).
 *
 * Rows of W are read packed, 32 weights per step: 32 int8 bytes, or 16
 * int4 bytes whose low nibbles are the even elements of the step and the
 * high nibbles the odd ones. int8 weights: as in Int8Pairs.c, both operands
 * sign-extended to 16 bits and multiplied in pairs with vpmaddwd (no
 * saturation, no offsets). int4 weights: a nibble c made unsigned (c ^ 8 =
 * w + 8, in [0, 15]) times an int8 of X sums in pairs to at most
 * 2 * 15 * 128 = 3840, so vpmaddubsw is exact on them: one vpmaddubsw and
 * one vpmaddwd by ones per 32 weights and row of X, and 8 * (the sum of X's
 * row) subtracted at the end. X is copied once per call into the weights'
 * order (for int4: the step's even elements, then its odd ones), as int16
 * or bytes. A tile is 4 rows of W by 2 rows of X (8 accumulators); threads
 * split the rows of W. The generic tier runs Reference.c's kernel on the
 * same split.
 *
 * The float kernel (AVX2 + FMA) has the same tiles of 8-float vectors. f32
 * weights are loaded as they are, int8/uint8 ones converted ((q - zp) *
 * scale, one rounding, as the numerics library), and the other formats
 * decoded weight by weight through Reference.c's decoder: correct and
 * threaded, not yet vectorised.
 *
 *===----------------------------------------------------------------------===*/

#include "Internal.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

enum { kStep = 32, kXRows = 2 };

typedef struct {
  int64_t M, N, K, steps; /* steps of kStep along K */
  const int16_t *X;       /* int8 weights: [M][steps * kStep] int16 */
  const int8_t *Xb;       /* int4 weights: the same as bytes, in the */
  const int32_t *xSum8;   /* nibbles' order, and 8 * its rows' sums */
  const int8_t *rawX;     /* the caller's X (generic tier) */
  int64_t ldx;
  const uint8_t *W;
  int bits;
  int64_t rowBytes, stepBytes;
  int32_t *Y;
  int64_t ldy;
} Job;

static void *genericPart(void *arg) {
  const PackedPart *part = (const PackedPart *)arg;
  const Job *job = (const Job *)part->job;
  qcc_ukernel_matmul_s8_packed_reference(
      job->M, part->end - part->begin, job->K, job->rawX, job->ldx,
      job->W + part->begin * job->rowBytes, job->bits, job->Y + part->begin,
      job->ldy);
  return NULL;
}

#if QCC_HAVE_X86

/* The bytes of step s of a row; the last step may pass the end of the
 * row, and is read through `padded` (kStep bytes), a zero-padded copy. */
QCC_AVX2 __attribute__((always_inline)) static inline const uint8_t *
stepBytes(const Job *job, const uint8_t *row, int64_t s, uint8_t *padded) {
  const uint8_t *at = row + s * job->stepBytes;
  if ((s + 1) * job->stepBytes <= job->rowBytes)
    return at;
  memset(padded, 0, kStep);
  memcpy(padded, at, (size_t)(job->rowBytes - s * job->stepBytes));
  return padded;
}

/* The 32 int8 weights of step s of a row as two vectors of 16 int16. */
QCC_AVX2 __attribute__((always_inline)) static inline void
loadWeights(const Job *job, const uint8_t *row, int64_t s, __m256i w[2]) {
  uint8_t padded[kStep];
  const __m256i bytes =
      _mm256_loadu_si256((const __m256i *)stepBytes(job, row, s, padded));
  w[0] = _mm256_cvtepi8_epi16(_mm256_castsi256_si128(bytes));
  w[1] = _mm256_cvtepi8_epi16(_mm256_extracti128_si256(bytes, 1));
}

QCC_AVX2 static inline int32_t sum8(__m256i v) {
  __m128i s = _mm_add_epi32(_mm256_castsi256_si128(v),
                            _mm256_extracti128_si256(v, 1));
  s = _mm_add_epi32(s, _mm_shuffle_epi32(s, 0x4E));
  s = _mm_add_epi32(s, _mm_shuffle_epi32(s, 0xB1));
  return _mm_cvtsi128_si32(s);
}

/* Rows [n0, n0 + 4) of int8 W (clamped; extra rows not stored) times rows
 * [m0, m0 + MB) of X, MB <= kXRows. */
QCC_AVX2 __attribute__((always_inline)) static inline void
tile(const Job *job, int64_t m0, int64_t n0, const int MB) {
  const uint8_t *rows[kPackedTileRows];
  for (int j = 0; j < kPackedTileRows; ++j)
    rows[j] = job->W + (n0 + j < job->N ? n0 + j : job->N - 1) * job->rowBytes;
  const int16_t *xs[kXRows];
  for (int i = 0; i < MB; ++i)
    xs[i] = job->X + (m0 + i) * job->steps * kStep;
  __m256i acc[kXRows][kPackedTileRows];
  for (int i = 0; i < MB; ++i)
    for (int j = 0; j < kPackedTileRows; ++j)
      acc[i][j] = _mm256_setzero_si256();
  for (int64_t s = 0; s < job->steps; ++s) {
    __m256i w[kPackedTileRows][2];
    for (int j = 0; j < kPackedTileRows; ++j)
      loadWeights(job, rows[j], s, w[j]);
    for (int i = 0; i < MB; ++i) {
      const __m256i x0 =
          _mm256_loadu_si256((const __m256i *)(xs[i] + s * kStep));
      const __m256i x1 =
          _mm256_loadu_si256((const __m256i *)(xs[i] + s * kStep + 16));
      for (int j = 0; j < kPackedTileRows; ++j)
        acc[i][j] = _mm256_add_epi32(
            acc[i][j], _mm256_add_epi32(_mm256_madd_epi16(w[j][0], x0),
                                        _mm256_madd_epi16(w[j][1], x1)));
    }
  }
  for (int i = 0; i < MB; ++i)
    for (int j = 0; j < kPackedTileRows && n0 + j < job->N; ++j)
      job->Y[(m0 + i) * job->ldy + n0 + j] += sum8(acc[i][j]);
}

/* The same for int4 weights on bytes: 32 nibbles of a row made unsigned
 * (even elements in the low half, odd in the high, as X's bytes), times
 * 32 bytes of X with vpmaddubsw. */
QCC_AVX2 __attribute__((always_inline)) static inline void
tileInt4Bytes(const Job *job, int64_t m0, int64_t n0, const int MB) {
  const uint8_t *rows[kPackedTileRows];
  for (int j = 0; j < kPackedTileRows; ++j)
    rows[j] = job->W + (n0 + j < job->N ? n0 + j : job->N - 1) * job->rowBytes;
  const int8_t *xs[kXRows];
  for (int i = 0; i < MB; ++i)
    xs[i] = job->Xb + (m0 + i) * job->steps * kStep;
  __m256i acc[kXRows][kPackedTileRows];
  for (int i = 0; i < MB; ++i)
    for (int j = 0; j < kPackedTileRows; ++j)
      acc[i][j] = _mm256_setzero_si256();
  const __m128i nibble = _mm_set1_epi8(15);
  const __m256i eight = _mm256_set1_epi8(8), ones = _mm256_set1_epi16(1);
  for (int64_t s = 0; s < job->steps; ++s) {
    __m256i u[kPackedTileRows];
    for (int j = 0; j < kPackedTileRows; ++j) {
      uint8_t padded[kStep];
      const __m128i bytes =
          _mm_loadu_si128((const __m128i *)stepBytes(job, rows[j], s, padded));
      const __m128i even = _mm_and_si128(bytes, nibble);
      const __m128i odd = _mm_and_si128(_mm_srli_epi16(bytes, 4), nibble);
      u[j] = _mm256_xor_si256(_mm256_set_m128i(odd, even), eight);
    }
    for (int i = 0; i < MB; ++i) {
      const __m256i x =
          _mm256_loadu_si256((const __m256i *)(xs[i] + s * kStep));
      for (int j = 0; j < kPackedTileRows; ++j)
        acc[i][j] = _mm256_add_epi32(
            acc[i][j], _mm256_madd_epi16(_mm256_maddubs_epi16(u[j], x), ones));
    }
  }
  for (int i = 0; i < MB; ++i)
    for (int j = 0; j < kPackedTileRows && n0 + j < job->N; ++j)
      job->Y[(m0 + i) * job->ldy + n0 + j] +=
          sum8(acc[i][j]) - job->xSum8[m0 + i];
}

QCC_AVX2 static void *avx2Part(void *arg) {
  const PackedPart *part = (const PackedPart *)arg;
  const Job *job = (const Job *)part->job;
  for (int64_t n = part->begin; n < part->end; n += kPackedTileRows) {
    int64_t m = 0;
    if (job->Xb) {
      for (; m + kXRows <= job->M; m += kXRows)
        tileInt4Bytes(job, m, n, kXRows);
      for (; m < job->M; ++m)
        tileInt4Bytes(job, m, n, 1);
      continue;
    }
    for (; m + kXRows <= job->M; m += kXRows)
      tile(job, m, n, kXRows);
    for (; m < job->M; ++m)
      tile(job, m, n, 1);
  }
  return NULL;
}

#endif

void qccUkernelMatmulS8PackedPairs(int64_t M, int64_t N, int64_t K,
                                   const int8_t *X, int64_t ldx,
                                   const uint8_t *W, int bits, int32_t *Y,
                                   int64_t ldy, int tier, int threads) {
  Job job = {0};
  job.M = M;
  job.N = N;
  job.K = K;
  job.steps = (K + kStep - 1) / kStep;
  job.rawX = X;
  job.ldx = ldx;
  job.W = W;
  job.bits = bits;
  job.rowBytes = qcc_ukernel_packed_row_bytes(
      bits == 4 ? QCC_PACKED_INT4 : QCC_PACKED_INT8, K);
  job.stepBytes = bits == 4 ? kStep / 2 : kStep;
  job.Y = Y;
  job.ldy = ldy;
#if QCC_HAVE_X86
  if (tier >= QCC_CPU_TIER_AVX2) {
    /* X zero-padded to whole steps, in the order the weights unpack in:
     * bytes for int4 (and 8 * its rows' sums), else sign-extended. */
    const int64_t padded = job.steps * kStep;
    const size_t elementBytes = bits == 4 ? 1 : sizeof(int16_t);
    void *x = qccUkernelScratch((size_t)(M * padded) * elementBytes, 1);
    int32_t *xSum8 =
        bits == 4 ? qccUkernelScratch((size_t)M * sizeof(int32_t), 1) : NULL;
    for (int64_t m = 0; m < M; ++m)
      for (int64_t k = 0; k < K; ++k) {
        const int64_t at =
            bits == 4
                ? (k & ~(int64_t)(kStep - 1)) + (k & (kStep - 1)) / 2 +
                      (k & 1) * (kStep / 2)
                : k;
        if (bits == 4) {
          ((int8_t *)x)[m * padded + at] = X[m * ldx + k];
          xSum8[m] += 8 * X[m * ldx + k];
        } else {
          ((int16_t *)x)[m * padded + at] = X[m * ldx + k];
        }
      }
    if (bits == 4) {
      job.Xb = x;
      job.xSum8 = xSum8;
    } else {
      job.X = x;
    }
    qccUkernelSplitRows(avx2Part, &job, N, M * N * K, threads);
    qccUkernelFree(x);
    qccUkernelFree(xSum8);
    return;
  }
#else
  (void)tier;
#endif
  qccUkernelSplitRows(genericPart, &job, N, M * N * K, threads);
}

/*--- float activations x packed weights -----------------------------------*/

typedef struct {
  int64_t M, N, K;
  const float *X;
  int64_t ldx;
  const uint8_t *W;
  int64_t rowBytes;
  const qcc_packed_weights *f;
  int64_t groups; /* scales per row */
  float *Y;
  int64_t ldy;
} F32Job;

#if QCC_HAVE_X86

/* Weights k .. k+7 of row n (k + 8 <= K), within one group. */
QCC_AVX2 __attribute__((always_inline)) static inline __m256
decode8(const F32Job *job, int64_t n, int64_t k, const int format) {
  const uint8_t *row = job->W + n * job->rowBytes;
  if (format == QCC_PACKED_F32)
    return _mm256_loadu_ps((const float *)row + k);
  const qcc_packed_weights *f = job->f;
  if (format == QCC_PACKED_INT8 || format == QCC_PACKED_UINT8) {
    const int64_t g = k / effectiveGroupSize(f, job->K);
    const float scale = f->scaleKind == QCC_SCALE_F32
                            ? ((const float *)f->scales)[n * job->groups + g]
                            : qccUkernelBlockScaleMultiplier(
                                  f, ((const uint8_t *)f->scales)
                                         [n * job->groups + g]);
    const __m128i bytes = _mm_loadl_epi64((const __m128i *)(row + k));
    const __m256i q = format == QCC_PACKED_INT8 ? _mm256_cvtepi8_epi32(bytes)
                                                : _mm256_cvtepu8_epi32(bytes);
    const __m256i zp =
        _mm256_set1_epi32(groupZeroPoint(f, job->groups, n, g));
    return _mm256_mul_ps(_mm256_cvtepi32_ps(_mm256_sub_epi32(q, zp)),
                         _mm256_set1_ps(scale));
  }
  float values[8];
  for (int i = 0; i < 8; ++i)
    values[i] = qcc_ukernel_packed_weight(job->W, job->K, f, n, k + i);
  return _mm256_loadu_ps(values);
}

QCC_AVX2 static inline float sum8f(__m256 v) {
  __m128 s = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
  s = _mm_add_ps(s, _mm_movehl_ps(s, s));
  s = _mm_add_ss(s, _mm_movehdup_ps(s));
  return _mm_cvtss_f32(s);
}

QCC_AVX2 __attribute__((always_inline)) static inline void
f32Tile(const F32Job *job, int64_t m0, int64_t n0, const int MB,
        const int format) {
  const int64_t K = job->K;
  int64_t ns[kPackedTileRows];
  for (int j = 0; j < kPackedTileRows; ++j)
    ns[j] = n0 + j < job->N ? n0 + j : job->N - 1;
  const float *xs[kXRows];
  for (int i = 0; i < MB; ++i)
    xs[i] = job->X + (m0 + i) * job->ldx;
  __m256 acc[kXRows][kPackedTileRows];
  for (int i = 0; i < MB; ++i)
    for (int j = 0; j < kPackedTileRows; ++j)
      acc[i][j] = _mm256_setzero_ps();
  const int64_t vectorK = K & ~(int64_t)7;
  for (int64_t k = 0; k < vectorK; k += 8) {
    __m256 w[kPackedTileRows];
    for (int j = 0; j < kPackedTileRows; ++j)
      w[j] = decode8(job, ns[j], k, format);
    for (int i = 0; i < MB; ++i) {
      const __m256 x = _mm256_loadu_ps(xs[i] + k);
      for (int j = 0; j < kPackedTileRows; ++j)
        acc[i][j] = _mm256_fmadd_ps(x, w[j], acc[i][j]);
    }
  }
  if (vectorK < K) { /* the last K % 8 weights, decoded one by one */
    const __m256i mask = _mm256_cmpgt_epi32(
        _mm256_set1_epi32((int)(K - vectorK)),
        _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7));
    __m256 w[kPackedTileRows];
    for (int j = 0; j < kPackedTileRows; ++j) {
      float values[8] = {0};
      for (int64_t k = vectorK; k < K; ++k)
        values[k - vectorK] =
            qcc_ukernel_packed_weight(job->W, K, job->f, ns[j], k);
      w[j] = _mm256_loadu_ps(values);
    }
    for (int i = 0; i < MB; ++i) {
      const __m256 x = _mm256_maskload_ps(xs[i] + vectorK, mask);
      for (int j = 0; j < kPackedTileRows; ++j)
        acc[i][j] = _mm256_fmadd_ps(x, w[j], acc[i][j]);
    }
  }
  for (int i = 0; i < MB; ++i)
    for (int j = 0; j < kPackedTileRows && n0 + j < job->N; ++j)
      job->Y[(m0 + i) * job->ldy + n0 + j] += sum8f(acc[i][j]);
}

/* One thread's rows of W, with the format a constant in each copy. */
#define QCC_F32_PART(NAME, FORMAT)                                             \
  QCC_AVX2 static void *NAME(void *arg) {                                      \
    const PackedPart *part = (const PackedPart *)arg;                          \
    const F32Job *job = (const F32Job *)part->job;                             \
    for (int64_t n = part->begin; n < part->end; n += kPackedTileRows) {       \
      int64_t m = 0;                                                           \
      for (; m + kXRows <= job->M; m += kXRows)                                \
        f32Tile(job, m, n, kXRows, FORMAT);                                    \
      for (; m < job->M; ++m)                                                  \
        f32Tile(job, m, n, 1, FORMAT);                                         \
    }                                                                          \
    return NULL;                                                               \
  }
QCC_F32_PART(f32PartF32, QCC_PACKED_F32)
QCC_F32_PART(f32PartInt8, QCC_PACKED_INT8)
QCC_F32_PART(f32PartUint8, QCC_PACKED_UINT8)
QCC_F32_PART(f32PartDecoded, -1)

#endif

static void *f32GenericPart(void *arg) {
  const PackedPart *part = (const PackedPart *)arg;
  const F32Job *job = (const F32Job *)part->job;
  for (int64_t n = part->begin; n < part->end; ++n)
    for (int64_t m = 0; m < job->M; ++m) {
      float sum = 0;
      for (int64_t k = 0; k < job->K; ++k)
        sum += job->X[m * job->ldx + k] *
               qcc_ukernel_packed_weight(job->W, job->K, job->f, n, k);
      job->Y[m * job->ldy + n] += sum;
    }
  return NULL;
}

void qccUkernelMatmulF32PackedBelowAvx512(int64_t M, int64_t N, int64_t K,
                                         const float *X, int64_t ldx,
                                         const uint8_t *W,
                                         const qcc_packed_weights *format,
                                         float *Y, int64_t ldy, int tier,
                                         int threads) {
  F32Job job = {M, N, K, X, ldx, W,
                qcc_ukernel_packed_row_bytes(format->format, K),
                format, numGroups(format, K), Y, ldy};
  void *(*part)(void *) = f32GenericPart;
#if QCC_HAVE_X86
  /* Groups are whole vectors of 8 (or one per row). */
  const int64_t groupSize = effectiveGroupSize(format, K);
  if (tier >= QCC_CPU_TIER_AVX2 && (groupSize == K || groupSize % 8 == 0))
    part = format->format == QCC_PACKED_F32    ? f32PartF32
           : format->format == QCC_PACKED_INT8  ? f32PartInt8
           : format->format == QCC_PACKED_UINT8 ? f32PartUint8
                                                : f32PartDecoded;
#else
  (void)tier;
#endif
  qccUkernelSplitRows(part, &job, N, M * N * K, threads);
}
