/*===- Int8Pairs.c - int8 GEMM and conv below AVX-512: AVX-VNNI, AVX2, C ===*
 *
 * The int8 x int8 -> int32 products of the tiers below AVX-512 VNNI:
 * AVX-VNNI, AVX2 and generic C, on 256-bit vectors.
 *
 * AVX2 has no exact byte dot product: vpmaddubsw saturates its 16-bit pair
 * sums (2 * 255 * 128 > 32767), which ONNX Runtime's MLAS accepts and qcc
 * cannot (integer outputs equal the interpreter's on every tier). So on
 * AVX2 both operands are sign-extended to 16 bits and multiplied in pairs:
 * vpmaddwd forms a[k] * b[k] + a[k+1] * b[k+1] exactly in 32 bits ("pairs":
 * panels of [K/2][columns][2] int16, A as [M][K/2][2] int16; signed times
 * signed, no compensation). The generic tier runs the same layout in plain
 * C vectors the compiler lowers (pmaddwd on SSE2). AVX-VNNI's vpdpbusd
 * sums four u8 x s8 products exactly into 32 bits, so that tier works on
 * "quads" as AVX-512 VNNI does: panels of [K/4][columns][4] bytes with B
 * made unsigned (b + 128) and 128 * rowsum(A) subtracted once per row.
 *
 * AVX2 takes quads too where the weights make vpmaddubsw exact: when
 * every pair of A's row (k, k + 1), k even, has |a[k]| + |a[k + 1]| <= 128
 * (weights of 7 bits or fewer: int7 quantization, int4 to int6 formats
 * held as bytes), a pair sum of 255 * 128 = 32640 cannot saturate, and
 * vpmaddubsw + vpmaddwd (by ones) do 32 multiply-adds in two multiplies
 * where vpmaddwd alone does 16 in one plus its add ("bytes": the
 * saturating scheme of ONNX Runtime's and oneDNN's AVX2 kernels, made
 * exact by the weights' range; checked once, when the weights are packed).
 *
 * Either way a column holds 4 bytes per step of k (2 int16 or 4 int8), so
 * one tile serves both: kRows = 3 rows x 3 vectors of 8 int32
 * accumulators, each step loading 3 vectors of the panel (24 columns) and
 * broadcasting 4 bytes of A per row: 9 + 3 + 1 ymm registers, and one for
 * AVX2's product before its add (two on bytes: the vpmaddubsw product and
 * the ones of the vpmaddwd after it; 4 rows would need 17 of the 16 and spill
 * accumulators in the inner loop: ResNet-18 ran 1.6x slower). Threads
 * split the panels (or the row blocks, when there are fewer panels than
 * threads); each packs the panels it needs.
 *
 *===----------------------------------------------------------------------===*/

#include "Internal.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

enum { kRows = 3, kLanes = 8, kVectors = 3, kWidth = kVectors * kLanes };

typedef struct {
  qccUkernelInt8Problem pb;
  int quads;         /* the layout: 4 bytes per step are 4 u8/s8 or 2 s16 */
  int64_t steps, Mp; /* steps of k: K/2 (pairs) or K/4 (quads), rounded up */
  const uint8_t *Ap; /* [Mp][steps][4 bytes], zero padded */
  const int32_t *rowSum; /* quads: 128 * sum_k A[m][k]; pairs: NULL */
  /* Row k of im2col(x) starts at x + planeOffset[k] (steps * (2 or 4)
   * rows; rows past K repeat the last, and A is zero there). */
  const int64_t *planeOffset;
} Job;

/* A as [Mp][K/2][2] sign-extended int16. */
static qccUkernelPacked packPairs(const void *data, int64_t M, int64_t K,
                                  int64_t lda, int64_t taps) {
  (void)taps;
  const int8_t *A = (const int8_t *)data;
  const int64_t K2 = (K + 1) / 2, Mp = (M + kRows - 1) / kRows * kRows;
  int16_t *packed = calloc((size_t)(Mp * K2 * 2), sizeof(int16_t));
  if (!packed)
    abort();
  for (int64_t m = 0; m < M; ++m)
    for (int64_t k = 0; k < K; ++k)
      packed[m * K2 * 2 + k] = A[m * lda + k];
  return (qccUkernelPacked){packed, NULL,
                            (size_t)(Mp * K2 * 2) * sizeof(int16_t)};
}

/* A as [Mp][K/4][4] int8, and 128 * (row sums). */
static qccUkernelPacked packQuads(const void *data, int64_t M, int64_t K,
                                  int64_t lda, int64_t taps) {
  (void)taps;
  return qccUkernelPackQuads((const int8_t *)data, M, K, lda, 4, kRows);
}

/* The AVX2 tier's layout, chosen by A's range: quads (with row sums) where
 * vpmaddubsw is exact on them, pairs otherwise. */
static qccUkernelPacked packAvx2(const void *data, int64_t M, int64_t K,
                                 int64_t lda, int64_t taps) {
  return qccUkernelPairSumsFit16Bits((const int8_t *)data, M, K, lda, 1)
             ? packQuads(data, M, K, lda, taps)
             : packPairs(data, M, K, lda, taps);
}

/* The G = 2 (pairs) or 4 (quads) rows of B that step `step` of a panel
 * reads: rows[h] is row step * G + h, or NULL past K (a zero row). */
__attribute__((always_inline)) static inline void
stepRows(const Job *job, const int8_t *base, const int64_t *rowOffset,
         int64_t ldb, int64_t step, int G, const int8_t *rows[4]) {
  for (int h = 0; h < G; ++h) {
    const int64_t k = step * G + h;
    rows[h] = k >= job->pb.K ? NULL
              : rowOffset    ? base + rowOffset[k]
                             : base + k * ldb;
  }
}

/* Column j of a step as pairs (sign-extended) or quads (+128), from the
 * rows' bytes at offset `at` (NULL rows: 0). Always inlined into each
 * tier's caller, so that the loops around it are vectorised for the tier. */
__attribute__((always_inline)) static inline void
storeColumn(uint8_t *step, int64_t j, const int8_t *const rows[4], int64_t at,
            int quads) {
  if (quads) {
    for (int h = 0; h < 4; ++h)
      step[4 * j + h] = rows[h] ? (uint8_t)(rows[h][at] ^ 0x80) : 0;
  } else {
    int16_t pair[2] = {rows[0][at], rows[1] ? rows[1][at] : 0};
    memcpy(step + 4 * j, pair, 4);
  }
}

#if QCC_HAVE_X86
/* storeColumn for columns [0, n) of consecutive bytes, 8 columns a step
 * (the compiler does not vectorise storeColumn's gathers across rows):
 * interleaved with byte and word unpacks; NULL rows read as zeros. */
QCC_AVX2 __attribute__((noinline)) static void
storeColumns(uint8_t *step, const int8_t *const rows[4], int64_t n, int quads) {
  int64_t i = 0;
  if (quads) {
    const __m128i flip = _mm_set1_epi8((char)0x80);
    for (; i + 8 <= n; i += 8) {
      __m128i r[4];
      for (int h = 0; h < 4; ++h) /* -128: 0 once made unsigned */
        r[h] = rows[h] ? _mm_loadl_epi64((const __m128i *)(rows[h] + i))
                       : _mm_set1_epi8(-128);
      const __m128i r01 = _mm_unpacklo_epi8(r[0], r[1]);
      const __m128i r23 = _mm_unpacklo_epi8(r[2], r[3]);
      _mm_storeu_si128((__m128i *)(step + 4 * i),
                       _mm_xor_si128(_mm_unpacklo_epi16(r01, r23), flip));
      _mm_storeu_si128((__m128i *)(step + 4 * i + 16),
                       _mm_xor_si128(_mm_unpackhi_epi16(r01, r23), flip));
    }
  } else {
    for (; i + 8 <= n; i += 8) {
      const __m128i a =
          _mm_cvtepi8_epi16(_mm_loadl_epi64((const __m128i *)(rows[0] + i)));
      const __m128i b = rows[1] ? _mm_cvtepi8_epi16(_mm_loadl_epi64(
                                      (const __m128i *)(rows[1] + i)))
                                : _mm_setzero_si128();
      _mm_storeu_si128((__m128i *)(step + 4 * i), _mm_unpacklo_epi16(a, b));
      _mm_storeu_si128((__m128i *)(step + 4 * i + 16),
                       _mm_unpackhi_epi16(a, b));
    }
  }
  for (; i < n; ++i)
    storeColumn(step, i, rows, i, quads);
}
#endif

/* Columns [p0, p0 + kWidth) of B, or of B = im2col(x) (row k = (c, kh,
 * kw), column p = (oh, ow): x[c][oh * sh + kh * dh][ow * sw + kw * dw]),
 * as [steps][kWidth][4 bytes], zeros past P. */
__attribute__((always_inline)) static inline void
packPanel(const Job *job, const int8_t *B, int64_t p0, uint8_t *panel,
          const int quads, const int vectorColumns) {
  (void)vectorColumns; /* x86-64 only */
  const qccUkernelInt8Problem *pb = &job->pb;
  const int64_t cols = pb->P - p0 < kWidth ? pb->P - p0 : kWidth;
  const int G = quads ? 4 : 2;
  /* Runs of columns reading consecutive positions: the matrix's panel is
   * one; an im2col panel has one per output row it spans. */
  qccUkernelSegment segments[kWidth];
  int count = 1;
  int64_t stride = 1;
  if (pb->conv) {
    count = qccUkernelPlanSegments(pb, p0, cols, segments);
    stride = pb->sw;
  } else {
    segments[0] = (qccUkernelSegment){0, cols, p0};
  }
  for (int64_t step = 0; step < job->steps; ++step) {
    uint8_t *dst = panel + step * kWidth * 4;
    const int8_t *rows[4];
    stepRows(job, B, pb->conv ? job->planeOffset : NULL, pb->ldb, step, G,
             rows);
    for (int s = 0; s < count; ++s) {
      const int8_t *at[4];
      for (int h = 0; h < G; ++h)
        at[h] = rows[h] ? rows[h] + segments[s].src : NULL;
      uint8_t *out = dst + 4 * segments[s].j0;
      const int64_t n = segments[s].n;
#if QCC_HAVE_X86
      if (stride == 1 && vectorColumns) {
        storeColumns(out, at, n, quads);
        continue;
      }
#endif
      if (stride == 1)
        for (int64_t i = 0; i < n; ++i)
          storeColumn(out, i, at, i, quads);
      else
        for (int64_t i = 0; i < n; ++i)
          storeColumn(out, i, at, i * stride, quads);
    }
    memset(dst + 4 * cols, 0, (size_t)(4 * (kWidth - cols)));
  }
}

/* The first row of the tile's row r, clamped into [0, M): rows past M are
 * computed from A's zero padding and never stored. */
static inline int64_t tileRow(const Job *job, int64_t m0, int r) {
  return m0 + r < job->pb.M ? m0 + r : job->pb.M - 1;
}

/*--- Generic C --------------------------------------------------------------*/

/* 4 int32 lanes in GCC/clang vector types, which every target vectorises
 * (SSE2 and NEON registers): a lane of B's panel holds a pair (low half k,
 * high half k + 1). */
typedef int32_t Lanes __attribute__((vector_size(16)));
/* The tile runs in two halves of kWidth / 2 columns, so that its
 * accumulators (3 rows x 3 vectors) fit the 16 registers of SSE2 too. */
enum { kHalfVectors = kWidth / 2 / 4 };

/* acc + the lanes' pairs times A's pair (a0, a1). On x86-64 its baseline,
 * SSE2, has the pair product itself (pmaddwd); compilers do not find it in
 * the portable form, whose 32-bit products SSE2 lacks (no pmulld): that
 * form ran the generic tier's GEMM at a tenth of pmaddwd's peak. */
static inline Lanes maddPairs(Lanes acc, Lanes pairs, int16_t a0, int16_t a1) {
#if defined(__SSE2__)
  const __m128i a =
      _mm_set1_epi32((int32_t)((uint32_t)(uint16_t)a1 << 16 | (uint16_t)a0));
  return (Lanes)_mm_add_epi32((__m128i)acc, _mm_madd_epi16((__m128i)pairs, a));
#else
  const Lanes low = (pairs << 16) >> 16, high = pairs >> 16;
  return acc + (int32_t)a0 * low + (int32_t)a1 * high;
#endif
}

static void tileGeneric(const Job *job, const uint8_t *panel, int64_t m0,
                        int64_t p0, int32_t *C, int8_t *out) {
  const qccUkernelInt8Problem *pb = &job->pb;
  const int64_t cols = pb->P - p0 < kWidth ? pb->P - p0 : kWidth;
  for (int half = 0; half < 2 && half * kWidth / 2 < cols; ++half) {
    const int64_t first = half * kWidth / 2;
    Lanes acc[kRows][kHalfVectors];
    for (int r = 0; r < kRows; ++r) {
      const int64_t m = tileRow(job, m0, r);
      for (int j = 0; j < kHalfVectors; ++j)
        acc[r][j] = (Lanes){0} + (pb->requant ? pb->bias[m] : 0);
    }
    const int16_t *a = (const int16_t *)job->Ap + m0 * job->steps * 2;
    for (int64_t k2 = 0; k2 < job->steps; ++k2) {
      Lanes pairs[kHalfVectors];
      for (int j = 0; j < kHalfVectors; ++j)
        memcpy(&pairs[j], panel + (k2 * kWidth + first + 4 * j) * 4,
               sizeof pairs[j]);
      for (int r = 0; r < kRows; ++r) {
        const int16_t a0 = a[(r * job->steps + k2) * 2],
                      a1 = a[(r * job->steps + k2) * 2 + 1];
        for (int j = 0; j < kHalfVectors; ++j)
          acc[r][j] = maddPairs(acc[r][j], pairs[j], a0, a1);
      }
    }
    const int64_t n = cols - first < kWidth / 2 ? cols - first : kWidth / 2;
    for (int r = 0; r < kRows && m0 + r < pb->M; ++r) {
      const int64_t m = m0 + r;
      int32_t sums[kWidth / 2];
      memcpy(sums, acc[r], sizeof sums);
      if (pb->requant) {
        const int c = pb->perChannel ? (int)m : 0;
        for (int64_t j = 0; j < n; ++j)
          out[m * pb->P + p0 + first + j] =
              qccUkernelRequantize(sums[j], pb->multiplier[c], pb->shift[c],
                                   pb->outZp, pb->lo, pb->hi);
      } else {
        for (int64_t j = 0; j < n; ++j)
          C[m * pb->ldc + p0 + first + j] += sums[j];
      }
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

/* The first n (at most 8) int32 at p, or stored there: a masked access
 * only at a panel's edge, since AMD's vpmaskmovd stores are microcoded
 * (ten or more cycles each: nine per tile cost the AVX2 GEMM 10% on Zen 4). */
QCC_AVX2 static inline __m256i loadLanes(const int32_t *p, int64_t n,
                                         __m256i mask) {
  return n >= 8 ? _mm256_loadu_si256((const __m256i *)p)
                : _mm256_maskload_epi32(p, mask);
}
QCC_AVX2 static inline void storeLanes(int32_t *p, int64_t n, __m256i mask,
                                       __m256i lanes) {
  if (n >= 8)
    _mm256_storeu_si256((__m256i *)p, lanes);
  else
    _mm256_maskstore_epi32(p, mask, lanes);
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
  const __m256i round = _mm256_set1_epi64x(qccUkernelBiasedRound(shift));
  const __m256i bits = _mm256_set1_epi64x(shift);
  const __m256i offset =
      _mm256_set1_epi32(qccUkernelShiftOffset(pb->outZp, shift));
  const __m256i lo = _mm256_set1_epi32(pb->lo);
  const __m256i hi = _mm256_set1_epi32(pb->hi);
  for (int j = 0; j < kVectors && 8 * j < cols; ++j) {
    __m256i y = qccUkernelApplyScaleAvx2(acc[j], multiplier, multiplier, round,
                                         round, bits, bits, offset);
    y = _mm256_min_epi32(_mm256_max_epi32(y, lo), hi);
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
 * accumulates one step (4 bytes of a column times 4 bytes of A) into acc;
 * REQUANT (a constant) selects the output: int32 C (accumulated into) or
 * requantized int8 (starting from the bias). Quads start from -128 times
 * the row sums (job->rowSum), the compensation for B's +128. */
#define QCC_DEFINE_PAIRS_TILE(NAME, ATTR, MADD, REQUANT)                       \
  ATTR static void NAME(const Job *job, const uint8_t *panel, int64_t m0,      \
                        int64_t p0, int32_t *C, int8_t *out) {                 \
    const qccUkernelInt8Problem *pb = &job->pb;                                \
    const int64_t cols = pb->P - p0;                                           \
    __m256i acc[kRows][kVectors];                                              \
    __m256i mask[kVectors];                                                    \
    for (int j = 0; j < kVectors; ++j)                                         \
      mask[j] = laneMask(cols - 8 * j);                                        \
    for (int r = 0; r < kRows; ++r) {                                          \
      const int64_t m = tileRow(job, m0, r);                                   \
      const __m256i init = _mm256_set1_epi32(                                  \
          (REQUANT ? pb->bias[m] : 0) - (job->rowSum ? job->rowSum[m] : 0));   \
      for (int j = 0; j < kVectors; ++j)                                       \
        acc[r][j] =                                                            \
            REQUANT ? init                                                     \
                    : _mm256_add_epi32(loadLanes(C + m * pb->ldc + p0 + 8 * j, \
                                                 cols - 8 * j, mask[j]),       \
                                       init);                                  \
    }                                                                          \
    const uint8_t *a = job->Ap + m0 * job->steps * 4;                          \
    for (int64_t step = 0; step < job->steps; ++step) {                        \
      __m256i b[kVectors];                                                     \
      for (int j = 0; j < kVectors; ++j)                                       \
        b[j] = _mm256_loadu_si256(                                             \
            (const __m256i *)(panel + (step * kWidth + 8 * j) * 4));           \
      for (int r = 0; r < kRows; ++r) {                                        \
        int32_t group;                                                         \
        memcpy(&group, a + (r * job->steps + step) * 4, 4);                    \
        const __m256i bcast = _mm256_set1_epi32(group);                        \
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
        storeLanes(C + (m0 + r) * pb->ldc + p0 + 8 * j, cols - 8 * j, mask[j], \
                   acc[r][j]);                                                 \
    }                                                                          \
  }

/* Pairs: a and b hold 16-bit pairs. Quads: b (the panel) unsigned bytes,
 * a (A) signed bytes; on AVX2 only where A's pairs fit (pairSumsFit16Bits). */
#define QCC_MADD_AVX2(acc, a, b) _mm256_add_epi32(acc, _mm256_madd_epi16(a, b))
#define QCC_MADD_AVX2_BYTES(acc, a, b)                                         \
  _mm256_add_epi32(acc, _mm256_madd_epi16(_mm256_maddubs_epi16(b, a),          \
                                          _mm256_set1_epi16(1)))
#define QCC_MADD_AVXVNNI(acc, a, b) _mm256_dpbusd_avx_epi32(acc, b, a)

QCC_DEFINE_PAIRS_TILE(tileAvx2, QCC_AVX2, QCC_MADD_AVX2, 0)
QCC_DEFINE_PAIRS_TILE(tileAvx2Requant, QCC_AVX2, QCC_MADD_AVX2, 1)
QCC_DEFINE_PAIRS_TILE(tileAvx2Bytes, QCC_AVX2, QCC_MADD_AVX2_BYTES, 0)
QCC_DEFINE_PAIRS_TILE(tileAvx2BytesRequant, QCC_AVX2, QCC_MADD_AVX2_BYTES, 1)
QCC_DEFINE_PAIRS_TILE(tileAvxVnni, QCC_AVXVNNI, QCC_MADD_AVXVNNI, 0)
QCC_DEFINE_PAIRS_TILE(tileAvxVnniRequant, QCC_AVXVNNI, QCC_MADD_AVXVNNI, 1)

#endif

/*--- Threads ----------------------------------------------------------------*/

typedef void (*TileFn)(const Job *, const uint8_t *, int64_t, int64_t,
                       int32_t *, int8_t *);

/* One thread's share: pack each of its panels, then run the tiles over it.
 * Defined per tier so that the packing is vectorised for the tier. */
#define QCC_DEFINE_PAIRS_PART(NAME, ATTR, TILE, TILE_REQUANT, QUADS,           \
                              VECTOR_COLUMNS)                                  \
  ATTR static void *NAME(void *arg) {                                          \
    const qccUkernelPanelPart *part = (const qccUkernelPanelPart *)arg;        \
    const Job *job = (const Job *)part->job;                                   \
    const qccUkernelInt8Problem *pb = &job->pb;                                \
    const size_t bytes = (size_t)(job->steps * kWidth * 4);                    \
    uint8_t *panel = qccUkernelScratch(bytes, 0);                              \
    const TileFn tile = pb->requant ? TILE_REQUANT : TILE;                     \
    for (int64_t b = 0; b < pb->batch; ++b) {                                  \
      const int8_t *B = pb->B + b * pb->strideB;                               \
      int32_t *C = pb->requant ? NULL : pb->C + b * pb->strideC;               \
      int8_t *out = pb->requant ? pb->out + b * pb->strideOut : NULL;          \
      for (int64_t q = part->panelBegin; q < part->panelEnd; ++q) {            \
        const int64_t p0 = q * kWidth;                                         \
        int64_t first, last;                                                   \
        qccUkernelPartBlocks(part, q, &first, &last);                          \
        packPanel(job, B, p0, panel, QUADS, VECTOR_COLUMNS);                   \
        for (int64_t blk = first; blk < last; ++blk)                           \
          tile(job, panel, blk *kRows, p0, C, out);                            \
      }                                                                        \
    }                                                                          \
    qccUkernelFree(panel);                                                     \
    return NULL;                                                               \
  }

QCC_DEFINE_PAIRS_PART(runGeneric, , tileGeneric, tileGeneric, 0, 0)
#if QCC_HAVE_X86
QCC_DEFINE_PAIRS_PART(runAvx2, QCC_AVX2, tileAvx2, tileAvx2Requant, 0, 1)
QCC_DEFINE_PAIRS_PART(runAvx2Bytes, QCC_AVX2, tileAvx2Bytes,
                      tileAvx2BytesRequant, 1, 1)
QCC_DEFINE_PAIRS_PART(runAvxVnni, QCC_AVXVNNI, tileAvxVnni, tileAvxVnniRequant,
                      1, 1)
#endif

void qccUkernelInt8Pairs(const qccUkernelInt8Problem *problem, int tier,
                         int threads) {
  if (QCC_HAVE_X86 && tier >= QCC_CPU_TIER_AVX2 &&
      qccUkernelChannelPairsServe(problem)) {
    qccUkernelInt8ChannelPairs(problem, tier, threads);
    return;
  }
  /* The panels read the padded geometry. */
  qccUkernelInt8Problem padded;
  int8_t *paddedImages =
      qccUkernelMaterializePadding(problem, &padded, threads);
  problem = &padded;
  Job job = {0};
  job.pb = *problem;
  const int avx2 = QCC_HAVE_X86 && tier == QCC_CPU_TIER_AVX2;
  int owned;
  qccUkernelPacked packed = qccUkernelGetPacked(
      problem->A, problem->M, problem->K, problem->lda, 1, problem->constantA,
      avx2                           ? packAvx2
      : tier == QCC_CPU_TIER_AVXVNNI ? packQuads
                                     : packPairs,
      &owned);
  job.Ap = packed.data;
  job.rowSum = packed.rowSum;
  job.quads = packed.rowSum != NULL;
  const int G = job.quads ? 4 : 2;
  job.steps = (problem->K + G - 1) / G;
  job.Mp = (problem->M + kRows - 1) / kRows * kRows;
  int64_t *planeOffset =
      problem->conv ? qccUkernelPlaneOffsets(problem, job.steps * G) : NULL;
  job.planeOffset = planeOffset;

  void *(*run)(void *) = runGeneric;
#if QCC_HAVE_X86
  if (tier == QCC_CPU_TIER_AVXVNNI)
    run = runAvxVnni;
  else if (avx2)
    run = job.quads ? runAvx2Bytes : runAvx2;
#endif

  const int64_t blocks = job.Mp / kRows;
  const int64_t panels = (problem->P + kWidth - 1) / kWidth;
  threads = qccUkernelThreadsForWork(
      (double)problem->batch * problem->M * problem->P * problem->K, threads);
  qccUkernelSplitPanels(run, &job, blocks, panels, threads);
  free(planeOffset);
  if (owned)
    qccUkernelFreePacked(packed);
  qccUkernelFree(paddedImages);
}
