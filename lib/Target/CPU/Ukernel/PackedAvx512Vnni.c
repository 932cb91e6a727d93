/*===- PackedAvx512Vnni.c - Packed-weight kernels, AVX-512 VNNI ----*- C -*-===*
 *
 * Products of activations with packed low-bit weight rows on AVX-512 VNNI
 * (qcc_ukernel_matmul_s8_packed, qcc_ukernel_matmul_f32_packed); the other
 * tiers run PackedAvx2.c's kernels.
 *
 * Rows of W are packed by qcc::numerics::packRow. The integer kernel
 * unpacks 32 bytes of int4 into 64 bytes (low nibbles, then high nibbles:
 * elements 0, 2, .., 62, then 1, 3, .., 63 of the chunk) and feeds them to
 * vpdpbusd against X rows permuted the same way once per call; the weights
 * enter as unsigned (w + 8, or w + 128 for int8) and 8 * sum(x) (128 *
 * sum(x)) is subtracted per output. The float kernel decodes 16 weights at
 * a time into floats equal to the numerics library's dequantized values:
 * 4-bit codes index a 16-entry table of (q - zp) * scale (or decode(q) *
 * multiplier) rebuilt per group, FP6 magnitudes a 32-entry table with the
 * sign applied by xor, FP8 goes through the FP16 converter (an FP8/FP6/FP4
 * code is an FP16 bit pattern once its fields are shifted into place, times
 * 2^(15 - bias)). Tiles of up to 4 rows of X by 4 rows of W keep 16
 * accumulators; threads split the rows of W.
 *
 *===----------------------------------------------------------------------===*/

#include "Internal.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#if QCC_HAVE_X86

/*--- int8 activations x int8 / int4 weights -------------------------------*/

typedef struct {
  int64_t M, N, K, chunks; /* chunks of 64 along K */
  const int8_t *X;         /* [M][chunks * 64], permuted for int4 */
  const int32_t *offset;   /* [M]: 8 or 128 times sum(x) */
  const uint8_t *W;
  int bits;
  int64_t rowBytes;
  int32_t *Y;
  int64_t ldy;
} S8PackedJob;

/* 64 weights of chunk c of a row as unsigned bytes (w + 8 or w + 128);
 * `last`: the chunk may extend past the row (masked load). */
QCC_VNNI __attribute__((always_inline)) static inline __m512i
s8PackedChunk(const S8PackedJob *job, const uint8_t *row, int64_t c,
              const int last) {
  const int64_t left = job->rowBytes - c * (job->bits == 4 ? 32 : 64);
  if (job->bits == 8) {
    const uint8_t *at = row + c * 64;
    const __m512i bytes =
        last ? _mm512_maskz_loadu_epi8(qccUkernelBytes64(left), at)
             : _mm512_loadu_si512(at);
    return _mm512_xor_si512(bytes, _mm512_set1_epi8((char)0x80));
  }
  const uint8_t *at = row + c * 32;
  const __m256i bytes =
      last ? _mm256_maskz_loadu_epi8(
                 left >= 32 ? ~(__mmask32)0 : ((__mmask32)1 << left) - 1, at)
           : _mm256_loadu_si256((const __m256i *)at);
  const __m512i both = _mm512_inserti64x4(_mm512_castsi256_si512(bytes),
                                          _mm256_srli_epi16(bytes, 4), 1);
  /* (nibble & 15) ^ 8 = w + 8 for the two's-complement nibble w. */
  return _mm512_xor_si512(_mm512_and_si512(both, _mm512_set1_epi8(15)),
                          _mm512_set1_epi8(8));
}

QCC_VNNI __attribute__((always_inline)) static inline void
s8PackedTile(const S8PackedJob *job, int64_t m0, int64_t n0, const int MB) {
  const uint8_t *rows[kPackedTileRows];
  for (int j = 0; j < kPackedTileRows; ++j) {
    const int64_t n = n0 + j < job->N ? n0 + j : job->N - 1;
    rows[j] = job->W + n * job->rowBytes;
  }
  const int8_t *xs[kPackedTileRows];
  for (int i = 0; i < MB; ++i)
    xs[i] = job->X + (m0 + i < job->M ? m0 + i : job->M - 1) * job->chunks * 64;
  __m512i acc[kPackedTileRows][kPackedTileRows];
  for (int i = 0; i < MB; ++i)
    for (int j = 0; j < kPackedTileRows; ++j)
      acc[i][j] = _mm512_setzero_si512();
  /* Whole chunks, then the last one (which may pass the end of the row). */
  for (int64_t c = 0; c < job->chunks; ++c) {
    const int last = c + 1 == job->chunks;
    __m512i w[kPackedTileRows];
    for (int j = 0; j < kPackedTileRows; ++j)
      w[j] = last ? s8PackedChunk(job, rows[j], c, 1)
                  : s8PackedChunk(job, rows[j], c, 0);
    for (int i = 0; i < MB; ++i) {
      const __m512i x = _mm512_loadu_si512(xs[i] + c * 64);
      for (int j = 0; j < kPackedTileRows; ++j)
        acc[i][j] = _mm512_dpbusd_epi32(acc[i][j], w[j], x);
    }
  }
  if (MB == kPackedTileRows && m0 + MB <= job->M) {
    /* The 16 sums at once: a tree of interleaving adds leaves sum k = i * 4
     * + j in lane k (about 3 instructions a sum, against 10 for a
     * reduction each: with small K the reductions dominated). */
    __m512i s[8], t[4];
    for (int p = 0; p < 8; ++p) {
      const __m512i a = acc[p / 2][(p % 2) * 2],
                    b = acc[p / 2][(p % 2) * 2 + 1];
      s[p] = _mm512_add_epi32(_mm512_unpacklo_epi32(a, b),
                              _mm512_unpackhi_epi32(a, b));
    }
    /* t[q], 128-bit block L: block L's sums of acc rows k = 4q .. 4q+3. */
    for (int q = 0; q < 4; ++q)
      t[q] = _mm512_add_epi32(_mm512_unpacklo_epi64(s[2 * q], s[2 * q + 1]),
                              _mm512_unpackhi_epi64(s[2 * q], s[2 * q + 1]));
    const __m512i f = _mm512_add_epi32(
        _mm512_shuffle_i32x4(t[0], t[1], _MM_SHUFFLE(2, 0, 2, 0)),
        _mm512_shuffle_i32x4(t[0], t[1], _MM_SHUFFLE(3, 1, 3, 1)));
    const __m512i g = _mm512_add_epi32(
        _mm512_shuffle_i32x4(t[2], t[3], _MM_SHUFFLE(2, 0, 2, 0)),
        _mm512_shuffle_i32x4(t[2], t[3], _MM_SHUFFLE(3, 1, 3, 1)));
    const __m512i sums =
        _mm512_add_epi32(_mm512_shuffle_i32x4(f, g, _MM_SHUFFLE(2, 0, 2, 0)),
                         _mm512_shuffle_i32x4(f, g, _MM_SHUFFLE(3, 1, 3, 1)));
    const int64_t left = job->N - n0;
    const __mmask8 columns =
        left >= 4 ? (__mmask8)0xF : (__mmask8)((1u << left) - 1);
    int32_t all[16];
    _mm512_storeu_si512(all, sums);
    for (int i = 0; i < MB; ++i) {
      int32_t *y = job->Y + (m0 + i) * job->ldy + n0;
      const __m128i row =
          _mm_sub_epi32(_mm_loadu_si128((const __m128i *)(all + 4 * i)),
                        _mm_set1_epi32(job->offset[m0 + i]));
      _mm_mask_storeu_epi32(
          y, columns, _mm_add_epi32(_mm_maskz_loadu_epi32(columns, y), row));
    }
    return;
  }
  for (int i = 0; i < MB && m0 + i < job->M; ++i)
    for (int j = 0; j < kPackedTileRows && n0 + j < job->N; ++j)
      job->Y[(m0 + i) * job->ldy + n0 + j] +=
          _mm512_reduce_add_epi32(acc[i][j]) - job->offset[m0 + i];
}

QCC_VNNI static void *s8PackedPart(void *arg) {
  const PackedPart *part = (const PackedPart *)arg;
  const S8PackedJob *job = (const S8PackedJob *)part->job;
  for (int64_t n = part->begin; n < part->end; n += kPackedTileRows) {
    int64_t m = 0;
    for (; m + kPackedTileRows <= job->M; m += kPackedTileRows)
      s8PackedTile(job, m, n, kPackedTileRows);
    for (; m < job->M; ++m)
      s8PackedTile(job, m, n, 1);
  }
  return NULL;
}

QCC_VNNI static void s8PackedVnni(int64_t M, int64_t N, int64_t K,
                                  const int8_t *X, int64_t ldx,
                                  const uint8_t *W, int bits, int32_t *Y,
                                  int64_t ldy, int threads) {
  S8PackedJob job;
  job.M = M;
  job.N = N;
  job.K = K;
  job.chunks = (K + 63) / 64;
  job.W = W;
  job.bits = bits;
  job.rowBytes = qcc_ukernel_packed_row_bytes(
      bits == 4 ? QCC_PACKED_INT4 : QCC_PACKED_INT8, K);
  job.Y = Y;
  job.ldy = ldy;
  /* X zero-padded to whole chunks; for int4 each chunk's even elements
   * first, then its odd ones (the order s8PackedChunk unpacks nibbles in). */
  const int64_t padded = job.chunks * 64;
  int8_t *x = qccUkernelScratch((size_t)(M * padded), 1);
  int32_t *offset = qccUkernelScratch((size_t)M * sizeof(int32_t), 0);
  for (int64_t m = 0; m < M; ++m) {
    int32_t sum = 0;
    for (int64_t k = 0; k < K; ++k) {
      const int8_t v = X[m * ldx + k];
      sum += v;
      const int64_t at =
          bits == 4 ? (k & ~(int64_t)63) + (k & 63) / 2 + (k & 1) * 32 : k;
      x[m * padded + at] = v;
    }
    offset[m] = sum * (bits == 4 ? 8 : 128);
  }
  job.X = x;
  job.offset = offset;
  qccUkernelSplitRows(s8PackedPart, &job, N, M * N * K, threads);
  qccUkernelFree(x);
  qccUkernelFree(offset);
}

/*--- int8 x int8 with output channels in the lanes ------------------------*/

/* With several rows of X (a transformer's tokens) the dot-product tiles
 * above spend as much on reducing their 16 sums as on multiplying when K
 * is a few hundred (the ViT's 192). Int8 weights are then repacked as
 * channel vectors (kTapsChannelVectors: [Np / 32][K / 4][2][16][4], 128 *
 * sum(w) per output) and the tile is PR rows of X x 32 outputs: each quad
 * of k loads two weight vectors and broadcasts each row's 4 bytes of X
 * (made unsigned), so sums land in the lanes of Y's rows with nothing to
 * reduce. Constant weights (the generated code's) are repacked once. */
enum {
  kLaneMinRows = 8, /* rows of X from which this kernel serves */
  kLaneMinTile = 6,
  kLaneMaxTile = 12,
};

typedef struct {
  int64_t M, N, K, quads, PR;
  const int8_t *X;
  int64_t ldx;
  const int8_t *Wp;      /* [Np / 32][quads][2][16][4] */
  const int32_t *rowSum; /* 128 * sum of each output's weights */
  int32_t *Y;
  int64_t ldy;
} LaneJob;

static qccUkernelPacked packLaneWeights(const void *W, int64_t N, int64_t K,
                                        int64_t ldw, int64_t taps) {
  return qccUkernelPackTaps((const int8_t *)W, N, K, ldw, taps,
                            kTapsChannelVectors);
}

/* 4 bytes of row x from k, + 128 each; bytes past K are 128 (their weights
 * are zero). */
QCC_VNNI __attribute__((always_inline)) static inline __m512i
laneQuad(const int8_t *x, int64_t k, int64_t K) {
  uint32_t quad = 0;
  if (k + 4 <= K)
    memcpy(&quad, x + k, 4);
  else
    for (int64_t i = 0; k + i < K; ++i)
      quad |= (uint32_t)(uint8_t)x[k + i] << (8 * i);
  return _mm512_set1_epi32((int32_t)(quad ^ 0x80808080u));
}

#define QCC_DEFINE_LANE_TILE(PR, NAME)                                         \
  QCC_VNNI static void NAME(const LaneJob *job, int64_t n0, int64_t m0) {      \
    __m512i acc[PR][2];                                                        \
    const int8_t *x[PR];                                                       \
    for (int r = 0; r < PR; ++r) {                                             \
      x[r] = job->X + (m0 + r < job->M ? m0 + r : job->M - 1) * job->ldx;      \
      acc[r][0] = acc[r][1] = _mm512_setzero_si512();                          \
    }                                                                          \
    const int8_t *w = job->Wp + n0 / 32 * job->quads * 128;                    \
    const int64_t whole = job->K / 4;                                          \
    for (int64_t q = 0; q < job->quads; ++q) {                                 \
      const __m512i v0 = _mm512_loadu_si512(w + q * 128);                      \
      const __m512i v1 = _mm512_loadu_si512(w + q * 128 + 64);                 \
      for (int r = 0; r < PR; ++r) {                                           \
        __m512i b;                                                             \
        if (q < whole) {                                                       \
          uint32_t quad;                                                       \
          memcpy(&quad, x[r] + 4 * q, 4);                                      \
          b = _mm512_set1_epi32((int32_t)(quad ^ 0x80808080u));                \
        } else {                                                               \
          b = laneQuad(x[r], 4 * q, job->K);                                   \
        }                                                                      \
        acc[r][0] = _mm512_dpbusd_epi32(acc[r][0], b, v0);                     \
        acc[r][1] = _mm512_dpbusd_epi32(acc[r][1], b, v1);                     \
      }                                                                        \
    }                                                                          \
    for (int v = 0; v < 2; ++v) {                                              \
      const int64_t n = n0 + 16 * v;                                           \
      const __mmask16 lanes = qccUkernelLanes16(job->N - n);                   \
      if (!lanes)                                                              \
        break;                                                                 \
      const __m512i compensation = _mm512_loadu_si512(job->rowSum + n);        \
      for (int r = 0; r < PR && m0 + r < job->M; ++r) {                        \
        int32_t *y = job->Y + (m0 + r) * job->ldy + n;                         \
        _mm512_mask_storeu_epi32(                                              \
            y, lanes,                                                          \
            _mm512_add_epi32(_mm512_maskz_loadu_epi32(lanes, y),               \
                             _mm512_sub_epi32(acc[r][v], compensation)));      \
      }                                                                        \
    }                                                                          \
  }

QCC_DEFINE_LANE_TILE(6, laneTile6)
QCC_DEFINE_LANE_TILE(7, laneTile7)
QCC_DEFINE_LANE_TILE(8, laneTile8)
QCC_DEFINE_LANE_TILE(9, laneTile9)
QCC_DEFINE_LANE_TILE(10, laneTile10)
QCC_DEFINE_LANE_TILE(11, laneTile11)
QCC_DEFINE_LANE_TILE(12, laneTile12)

typedef void (*LaneTileFn)(const LaneJob *, int64_t, int64_t);

static void *lanePart(void *arg) {
  static const LaneTileFn tiles[kLaneMaxTile + 1] = {
      [6] = laneTile6,   [7] = laneTile7,   [8] = laneTile8,
      [9] = laneTile9,   [10] = laneTile10, [11] = laneTile11,
      [12] = laneTile12};
  const qccUkernelPanelPart *part = (const qccUkernelPanelPart *)arg;
  const LaneJob *job = (const LaneJob *)part->job;
  const LaneTileFn tile = tiles[job->PR];
  /* Output blocks outside: a block's weights stay in cache for all rows. */
  for (int64_t blk = part->panelBegin; blk < part->panelEnd; ++blk) {
    int64_t first, last;
    qccUkernelPartBlocks(part, blk, &first, &last);
    for (int64_t t = first; t < last; ++t)
      tile(job, blk * 32, t * job->PR);
  }
  return NULL;
}

static void s8LanesVnni(int64_t M, int64_t N, int64_t K, const int8_t *X,
                        int64_t ldx, const uint8_t *W, int32_t *Y, int64_t ldy,
                        int constantW, int threads) {
  LaneJob job = {M, N, K, (K + 3) / 4, kLaneMaxTile, X, ldx, NULL, NULL, Y, ldy};
  int64_t rows;
  job.PR = qccUkernelLeastPaddedTile(M, kLaneMinTile, kLaneMaxTile, &rows);
  int owned;
  qccUkernelPacked packed = qccUkernelGetPacked(W, N, K, K, 1, constantW,
                                                packLaneWeights, &owned);
  job.Wp = packed.data;
  job.rowSum = packed.rowSum;
  const int64_t blocks = (N + 31) / 32, tiles = rows / job.PR;
  qccUkernelSplitPanels(lanePart, &job, tiles, blocks,
                        qccUkernelThreadsForWork((double)M * N * K, threads));
  if (owned)
    qccUkernelFreePacked(packed);
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
  float codeValues[32]; /* 4-bit and FP6 formats: the codes' values, unscaled */
  float scaleValues[256]; /* E8M0 / E4M3 scales: each code's multiplier */
} F32PackedJob;

/* What decoding a row's weights needs within one group. */
typedef struct {
  __m512 table0, table1; /* 4-bit: 16 values; FP6: 32 magnitudes */
  __m512i zeroPoint;     /* 8-bit integers */
  __m512 multiplier;
} GroupDecoder;

QCC_VNNI __attribute__((always_inline)) static inline GroupDecoder
groupDecoder(const F32PackedJob *job, int64_t n, int64_t g, const int format) {
  const qcc_packed_weights *f = job->f;
  GroupDecoder d;
  if (format == QCC_PACKED_F32) { /* nothing to decode */
    d.multiplier = d.table0 = d.table1 = _mm512_setzero_ps();
    d.zeroPoint = _mm512_setzero_si512();
    return d;
  }
  const float multiplier =
      f->scaleKind == QCC_SCALE_F32
          ? ((const float *)f->scales)[n * job->groups + g]
          : job->scaleValues[((const uint8_t *)f->scales)[n * job->groups + g]];
  const int zp = groupZeroPoint(f, job->groups, n, g);
  d.multiplier = _mm512_set1_ps(multiplier);
  d.zeroPoint = _mm512_set1_epi32(zp);
  d.table0 = d.table1 = _mm512_setzero_ps();
  if (format == QCC_PACKED_INT4 || format == QCC_PACKED_UINT4) {
    /* (q - zp) * scale: the subtraction of small integers is exact. */
    d.table0 = _mm512_mul_ps(_mm512_sub_ps(_mm512_loadu_ps(job->codeValues),
                                           _mm512_set1_ps((float)zp)),
                             d.multiplier);
  } else if (format == QCC_PACKED_FP4E2M1 || format == QCC_PACKED_FP6E3M2 ||
             format == QCC_PACKED_FP6E2M3) {
    d.table0 = _mm512_mul_ps(_mm512_loadu_ps(job->codeValues), d.multiplier);
    d.table1 =
        _mm512_mul_ps(_mm512_loadu_ps(job->codeValues + 16), d.multiplier);
  }
  return d;
}

/* Nibbles k, k+1, .., k+15 of a 4-bit plane as 32-bit lanes (the bits above
 * the nibble are not cleared). */
QCC_VNNI static inline __m512i nibbleLanes(const uint8_t *plane, int64_t k) {
  const __m128i bytes = _mm_loadl_epi64((const __m128i *)(plane + k / 2));
  const __m128i twice = _mm_shuffle_epi8(
      bytes, _mm_setr_epi8(0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7));
  return _mm512_srlv_epi32(
      _mm512_cvtepu8_epi32(twice),
      _mm512_setr_epi32(0, 4, 0, 4, 0, 4, 0, 4, 0, 4, 0, 4, 0, 4, 0, 4));
}

/* 16 dequantized weights k .. k+15 of `row` (k + 16 <= K). */
QCC_VNNI __attribute__((always_inline)) static inline __m512
decode16(const F32PackedJob *job, const uint8_t *row, int64_t k,
         const GroupDecoder *d, const int format) {
  switch (format) {
  case QCC_PACKED_F32:
    return _mm512_loadu_ps((const float *)row + k);
  case QCC_PACKED_INT4:
  case QCC_PACKED_UINT4:
  case QCC_PACKED_FP4E2M1: /* vpermps reads the low 4 bits of each lane */
    return _mm512_permutexvar_ps(nibbleLanes(row, k), d->table0);
  case QCC_PACKED_FP6E3M2:
  case QCC_PACKED_FP6E2M3: {
    const __m512i low =
        _mm512_and_si512(nibbleLanes(row, k), _mm512_set1_epi32(15));
    int32_t four;
    memcpy(&four, row + (job->K + 1) / 2 + k / 4, 4);
    const __m128i spread = _mm_shuffle_epi8(
        _mm_cvtsi32_si128(four),
        _mm_setr_epi8(0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3));
    const __m512i high = _mm512_and_si512(
        _mm512_srlv_epi32(
            _mm512_cvtepu8_epi32(spread),
            _mm512_setr_epi32(0, 2, 4, 6, 0, 2, 4, 6, 0, 2, 4, 6, 0, 2, 4, 6)),
        _mm512_set1_epi32(3));
    const __m512i code = _mm512_or_si512(low, _mm512_slli_epi32(high, 4));
    /* Magnitude from bits 0-4 (vpermt2ps reads 5 index bits), sign bit 5
     * moved to bit 31. */
    const __m512 magnitude = _mm512_permutex2var_ps(d->table0, code, d->table1);
    return _mm512_castsi512_ps(_mm512_xor_si512(
        _mm512_castps_si512(magnitude),
        _mm512_slli_epi32(_mm512_and_si512(code, _mm512_set1_epi32(0x20)),
                          26)));
  }
  case QCC_PACKED_FP8E4M3: {
    const __m256i c =
        _mm256_cvtepu8_epi16(_mm_loadu_si128((const __m128i *)(row + k)));
    const __m256i half = _mm256_or_si256(
        _mm256_slli_epi16(_mm256_and_si256(c, _mm256_set1_epi16(0x80)), 8),
        _mm256_slli_epi16(_mm256_and_si256(c, _mm256_set1_epi16(0x7F)), 7));
    return _mm512_mul_ps(
        _mm512_mul_ps(_mm512_cvtph_ps(half), _mm512_set1_ps(0x1p8f)),
        d->multiplier);
  }
  case QCC_PACKED_FP8E5M2: {
    const __m256i c =
        _mm256_cvtepu8_epi16(_mm_loadu_si128((const __m128i *)(row + k)));
    return _mm512_mul_ps(_mm512_cvtph_ps(_mm256_slli_epi16(c, 8)),
                         d->multiplier);
  }
  case QCC_PACKED_INT8:
  case QCC_PACKED_UINT8: {
    const __m128i bytes = _mm_loadu_si128((const __m128i *)(row + k));
    const __m512i q = format == QCC_PACKED_INT8 ? _mm512_cvtepi8_epi32(bytes)
                                                : _mm512_cvtepu8_epi32(bytes);
    return _mm512_mul_ps(_mm512_cvtepi32_ps(_mm512_sub_epi32(q, d->zeroPoint)),
                         d->multiplier);
  }
  }
  return _mm512_setzero_ps();
}

QCC_VNNI __attribute__((always_inline)) static inline void
f32PackedTile(const F32PackedJob *job, int64_t m0, int64_t n0, const int MB,
              const int format) {
  const int64_t K = job->K, groupSize = effectiveGroupSize(job->f, K);
  int64_t ns[kPackedTileRows];
  const uint8_t *rows[kPackedTileRows];
  for (int j = 0; j < kPackedTileRows; ++j) {
    ns[j] = n0 + j < job->N ? n0 + j : job->N - 1;
    rows[j] = job->W + ns[j] * job->rowBytes;
  }
  const float *xs[kPackedTileRows];
  for (int i = 0; i < MB; ++i)
    xs[i] = job->X + (m0 + i < job->M ? m0 + i : job->M - 1) * job->ldx;
  __m512 acc[kPackedTileRows][kPackedTileRows];
  for (int i = 0; i < MB; ++i)
    for (int j = 0; j < kPackedTileRows; ++j)
      acc[i][j] = _mm512_setzero_ps();
  GroupDecoder d[kPackedTileRows];
  const int64_t vectorK = K & ~(int64_t)15;
  for (int64_t k = 0; k < vectorK; k += 16) {
    if (k % groupSize == 0) /* groupSize is a multiple of 16, or K */
      for (int j = 0; j < kPackedTileRows; ++j)
        d[j] = groupDecoder(job, ns[j], k / groupSize, format);
    __m512 w[kPackedTileRows];
    for (int j = 0; j < kPackedTileRows; ++j)
      w[j] = decode16(job, rows[j], k, &d[j], format);
    for (int i = 0; i < MB; ++i) {
      const __m512 x = _mm512_loadu_ps(xs[i] + k);
      for (int j = 0; j < kPackedTileRows; ++j)
        acc[i][j] = _mm512_fmadd_ps(x, w[j], acc[i][j]);
    }
  }
  if (vectorK < K) { /* the last K % 16 weights, decoded one by one */
    const __mmask16 mask = (__mmask16)((1u << (K - vectorK)) - 1);
    __m512 w[kPackedTileRows];
    for (int j = 0; j < kPackedTileRows; ++j) {
      float values[16] = {0};
      for (int64_t k = vectorK; k < K; ++k)
        values[k - vectorK] =
            qcc_ukernel_packed_weight(job->W, K, job->f, ns[j], k);
      w[j] = _mm512_loadu_ps(values);
    }
    for (int i = 0; i < MB; ++i) {
      const __m512 x = _mm512_maskz_loadu_ps(mask, xs[i] + vectorK);
      for (int j = 0; j < kPackedTileRows; ++j)
        acc[i][j] = _mm512_fmadd_ps(x, w[j], acc[i][j]);
    }
  }
  for (int i = 0; i < MB && m0 + i < job->M; ++i)
    for (int j = 0; j < kPackedTileRows && n0 + j < job->N; ++j)
      job->Y[(m0 + i) * job->ldy + n0 + j] += _mm512_reduce_add_ps(acc[i][j]);
}

QCC_VNNI __attribute__((always_inline)) static inline void
f32PackedRows(const F32PackedJob *job, int64_t begin, int64_t end,
              const int format) {
  for (int64_t n = begin; n < end; n += kPackedTileRows) {
    int64_t m = 0;
    for (; m + kPackedTileRows <= job->M; m += kPackedTileRows)
      f32PackedTile(job, m, n, kPackedTileRows, format);
    for (; m < job->M; ++m)
      f32PackedTile(job, m, n, 1, format);
  }
}

QCC_VNNI static void *f32PackedPart(void *arg) {
  const PackedPart *part = (const PackedPart *)arg;
  const F32PackedJob *job = (const F32PackedJob *)part->job;
  /* One specialised loop nest per format. */
  switch (job->f->format) {
#define QCC_FORMAT_CASE(F)                                                     \
  case F:                                                                      \
    f32PackedRows(job, part->begin, part->end, F);                             \
    break;
    QCC_FORMAT_CASE(QCC_PACKED_INT8)
    QCC_FORMAT_CASE(QCC_PACKED_UINT8)
    QCC_FORMAT_CASE(QCC_PACKED_INT4)
    QCC_FORMAT_CASE(QCC_PACKED_UINT4)
    QCC_FORMAT_CASE(QCC_PACKED_FP8E4M3)
    QCC_FORMAT_CASE(QCC_PACKED_FP8E5M2)
    QCC_FORMAT_CASE(QCC_PACKED_FP6E3M2)
    QCC_FORMAT_CASE(QCC_PACKED_FP6E2M3)
    QCC_FORMAT_CASE(QCC_PACKED_FP4E2M1)
    QCC_FORMAT_CASE(QCC_PACKED_F32)
#undef QCC_FORMAT_CASE
  }
  return NULL;
}

#endif

void qccUkernelMatmulS8Packed(int64_t M, int64_t N, int64_t K,
                              const int8_t *X, int64_t ldx, const uint8_t *W,
                              int bits, int32_t *Y, int64_t ldy, int constantW,
                              int threads) {
  if (M <= 0 || N <= 0 || K <= 0)
    return;
  const int tier = qcc_ukernel_cpu_tier();
#if QCC_HAVE_X86
  if (tier >= QCC_CPU_TIER_AVX512VNNI) {
    if (bits == 8 && M >= kLaneMinRows)
      s8LanesVnni(M, N, K, X, ldx, W, Y, ldy, constantW, threads);
    else
      s8PackedVnni(M, N, K, X, ldx, W, bits, Y, ldy, threads);
    return;
  }
#else
  (void)constantW;
#endif
  qccUkernelMatmulS8PackedPairs(M, N, K, X, ldx, W, bits, Y, ldy, tier,
                                threads);
}

void qcc_ukernel_matmul_s8_packed(int64_t M, int64_t N, int64_t K,
                                  const int8_t *X, int64_t ldx,
                                  const uint8_t *W, int bits, int32_t *Y,
                                  int64_t ldy, int threads) {
  qccUkernelMatmulS8Packed(M, N, K, X, ldx, W, bits, Y, ldy, 0, threads);
}

void qcc_ukernel_matmul_f32_packed(int64_t M, int64_t N, int64_t K,
                                   const float *X, int64_t ldx,
                                   const uint8_t *W,
                                   const qcc_packed_weights *format, float *Y,
                                   int64_t ldy, int threads) {
  if (M <= 0 || N <= 0 || K <= 0)
    return;
#if QCC_HAVE_X86
  /* The vector path decodes 16 weights of one group at a time. */
  if (qcc_ukernel_cpu_tier() >= QCC_CPU_TIER_AVX512VNNI &&
      (effectiveGroupSize(format, K) == K ||
       effectiveGroupSize(format, K) % 16 == 0)) {
    F32PackedJob job;
    job.M = M;
    job.N = N;
    job.K = K;
    job.X = X;
    job.ldx = ldx;
    job.W = W;
    job.rowBytes = qcc_ukernel_packed_row_bytes(format->format, K);
    job.f = format;
    job.groups = numGroups(format, K);
    job.Y = Y;
    job.ldy = ldy;
    if (format->scaleKind != QCC_SCALE_F32)
      for (unsigned code = 0; code < 256; ++code)
        job.scaleValues[code] = qccUkernelBlockScaleMultiplier(format, code);
    /* The table the 4-bit and FP6 decoders index (FP6: magnitudes). */
    for (int c = 0; c < 32; ++c)
      job.codeValues[c] =
          format->format == QCC_PACKED_INT4    ? (float)(c < 8 ? c : c - 16)
          : format->format == QCC_PACKED_UINT4 ? (float)c
          : isIntegerFormat(format->format) || packedBits(format->format) >= 8
              ? 0.0f
              : qccUkernelMinifloatWeight(format->format, (unsigned)c);
    qccUkernelSplitRows(f32PackedPart, &job, N, M * N * K, threads);
    return;
  }
#endif
  qccUkernelMatmulF32PackedBelowAvx512(M, N, K, X, ldx, W, format, Y, ldy,
                                       qcc_ukernel_cpu_tier(), threads);
}
