/*===- Int8Avx512Vnni.c - int8 GEMM and conv, AVX-512 VNNI ---------*- C -*-===*
 *
 * int8 x int8 -> int32 matrix products with AVX-512 VNNI.
 *
 * vpdpbusd multiplies unsigned bytes by signed bytes. B is made unsigned by
 * flipping its sign bit (b + 128), which adds 128 * sum_k A[m][k] to every
 * C[m][p]; the kernel subtracts that once per row ("compensation").
 *
 * Blocking: B is packed per panel of NR * 16 columns as [K/4][NR*16][4]
 * bytes (four consecutive k of one column form the 32-bit lane vpdpbusd
 * reduces), A is packed with K padded to a multiple of 4 and M to a
 * multiple of MR. The register tile is MR rows x NR vectors of 16 int32
 * accumulators; each step loads NR vectors of B and broadcasts one 32-bit
 * group of A per row. Panel widths are chosen per call to waste the fewest
 * columns on P (e.g. 49 = 7x7 outputs use one panel of 64).
 *
 * Threads split the panels (or the M blocks, when there are fewer panels
 * than threads); each packs the B panels it needs.
 *
 * The entry points (matmul, conv2d, conv2d with fused requantization) run
 * these kernels where qcc_ukernel_has_vnni() (probed here) says the CPU
 * has VNNI, and Reference.c's kernels elsewhere.
 *
 *===----------------------------------------------------------------------===*/

#include "Internal.h"

#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#if QCC_HAVE_X86

/* Probed once: every kernel call asks, and the answer cannot change. */
int qcc_ukernel_has_vnni(void) {
  static int hasVnni = -1;
  if (hasVnni < 0) {
    __builtin_cpu_init();
    hasVnni = __builtin_cpu_supports("avx512vnni") &&
              __builtin_cpu_supports("avx512bw") &&
              __builtin_cpu_supports("avx512vl") &&
              __builtin_cpu_supports("avx512vbmi");
  }
  return hasVnni;
}

/* The work of one call, shared by its threads. */
typedef struct {
  int64_t batch, M, P, K, K4, Mp;
  int nr;                /* vectors per panel: 2, 3 or 4 */
  int mr;                /* rows per block */
  const int8_t *Ap;      /* [Mp][K4 * 4], zero padded */
  const int32_t *rowSum; /* 128 * sum_k A[m][k] */
  const int8_t *B; /* the matrix B, or the conv input x [batch][C][H][W] */
  int64_t strideB, ldb;
  int32_t *C;
  int64_t strideC, ldc;
  /* Convolution (B is im2col(x), never stored): geometry, else conv = 0. */
  int conv;
  int64_t channels, height, width, kh, kw, ow, sh, sw, dh, dw;
  /* Row k = (c, kh, kw) of im2col(x) starts at x + planeOffset[k]
   * (K4 * 4 entries; rows past K repeat the last). */
  const int64_t *planeOffset;
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
} Job;

/* Rows k4*4 .. k4*4+3 of B (each `cols` bytes from rows[i]) + 128, as
 * [width][4] bytes at dst: a byte transpose of 4 rows by 16 columns at a
 * time. Beyond K and P the bytes are don't-cares: A is zero there, and
 * those columns are not stored. */
QCC_VNNI static void packRows(const int8_t *const rows[4], int64_t cols,
                              uint8_t *dst) {
  const __m128i flip = _mm_set1_epi8((char)0x80);
  int64_t j = 0;
  for (; j + 16 <= cols; j += 16) {
    const __m128i r0 =
        _mm_xor_si128(_mm_loadu_si128((const __m128i *)(rows[0] + j)), flip);
    const __m128i r1 =
        _mm_xor_si128(_mm_loadu_si128((const __m128i *)(rows[1] + j)), flip);
    const __m128i r2 =
        _mm_xor_si128(_mm_loadu_si128((const __m128i *)(rows[2] + j)), flip);
    const __m128i r3 =
        _mm_xor_si128(_mm_loadu_si128((const __m128i *)(rows[3] + j)), flip);
    const __m128i t0 = _mm_unpacklo_epi8(r0, r1),
                  t1 = _mm_unpackhi_epi8(r0, r1);
    const __m128i t2 = _mm_unpacklo_epi8(r2, r3),
                  t3 = _mm_unpackhi_epi8(r2, r3);
    _mm_storeu_si128((__m128i *)(dst + j * 4), _mm_unpacklo_epi16(t0, t2));
    _mm_storeu_si128((__m128i *)(dst + j * 4 + 16), _mm_unpackhi_epi16(t0, t2));
    _mm_storeu_si128((__m128i *)(dst + j * 4 + 32), _mm_unpacklo_epi16(t1, t3));
    _mm_storeu_si128((__m128i *)(dst + j * 4 + 48), _mm_unpackhi_epi16(t1, t3));
  }
  for (; j < cols; ++j)
    for (int i = 0; i < 4; ++i)
      dst[j * 4 + i] = (uint8_t)(rows[i][j] ^ 0x80);
}

/* Columns [p0, p0 + width) of B as [K4][width][4] bytes. */
QCC_VNNI static void packPanel(const Job *job, const int8_t *B, int64_t p0,
                               int width, uint8_t *panel) {
  const int64_t cols = job->P - p0 < width ? job->P - p0 : width;
  for (int64_t k4 = 0; k4 < job->K4; ++k4) {
    const int8_t *rows[4];
    for (int i = 0; i < 4; ++i) {
      const int64_t k = k4 * 4 + i < job->K ? k4 * 4 + i : job->K - 1;
      rows[i] = B + k * job->ldb + p0;
    }
    packRows(rows, cols, panel + k4 * width * 4);
  }
}

/* Where the 16 columns of a chunk of B = im2col(x) come from, the same for
 * every row k: column p = (oh, ow) reads plane offset oh * sh * W + ow * sw.
 * A chunk spans output-row segments; stride 1 loads each with one masked
 * load, stride 2 with one masked 32-byte load and a byte permutation
 * (vpermb), other strides gather bytes. Computed once per panel. */
typedef struct {
  int count;
  int64_t base[16];   /* plane offset of the segment's first column, minus
                         the chunk lane it lands in (times the stride) */
  __mmask16 mask[16]; /* the lanes it fills */
  __mmask32 load[16]; /* stride 2: the bytes it reads */
  int64_t offset[16]; /* every lane's plane offset (gather path) */
} Chunk;

static void planChunks(const Job *job, int64_t p0, int64_t cols,
                       Chunk *chunks) {
  for (int64_t j = 0, c = 0; j < cols; j += 16, ++c) {
    Chunk *ch = &chunks[c];
    const int64_t len = cols - j < 16 ? cols - j : 16;
    const int64_t p = p0 + j;
    int64_t oh = p / job->ow, ow = p % job->ow;
    ch->count = 0;
    for (int64_t filled = 0; filled < len; ++oh, ow = 0) {
      int64_t n = job->ow - ow;
      if (n > len - filled)
        n = len - filled;
      const int64_t start = oh * job->sh * job->width + ow * job->sw;
      ch->base[ch->count] = start - filled * job->sw;
      ch->mask[ch->count] = (__mmask16)(((1u << n) - 1) << filled);
      ch->load[ch->count] = (__mmask32)((1ull << (2 * n - 1)) - 1);
      for (int64_t i = 0; i < n; ++i)
        ch->offset[filled + i] = start + i * job->sw;
      ++ch->count;
      filled += n;
    }
    for (int64_t i = len; i < 16; ++i)
      ch->offset[i] = ch->offset[0];
  }
}

/* 16 bytes of row `plane` of B = im2col(x) for one chunk. */
QCC_VNNI static inline __m128i loadChunk(const Job *job, const Chunk *ch,
                                         const int8_t *plane) {
  __m128i v = _mm_setzero_si128();
  if (job->sw == 1) {
    /* The common case: 16 columns of one output row, one plain load. */
    if (ch->count == 1 && ch->mask[0] == (__mmask16)0xFFFF)
      return _mm_loadu_si128((const __m128i *)(plane + ch->base[0]));
    for (int s = 0; s < ch->count; ++s)
      v = _mm_mask_loadu_epi8(v, ch->mask[s], plane + ch->base[s]);
    return v;
  }
  if (job->sw == 2) {
    /* Lane i of a segment starting at lane f reads byte 2 * (i - f) of
     * the 32 bytes loaded from the segment's start. */
    const __m256i even = _mm256_set_epi8(
        62, 60, 58, 56, 54, 52, 50, 48, 46, 44, 42, 40, 38, 36, 34, 32, 30, 28,
        26, 24, 22, 20, 18, 16, 14, 12, 10, 8, 6, 4, 2, 0);
    for (int s = 0; s < ch->count; ++s) {
      const int first = __builtin_ctz(ch->mask[s]);
      const __m256i bytes =
          _mm256_maskz_loadu_epi8(ch->load[s], plane + ch->base[s] + 2 * first);
      const __m128i packed =
          _mm256_castsi256_si128(_mm256_permutexvar_epi8(even, bytes));
      /* Move the segment's n bytes up to lane `first`. */
      const __m128i shifted = _mm_maskz_permutexvar_epi8(
          ch->mask[s],
          _mm_sub_epi8(_mm_set_epi8(15, 14, 13, 12, 11, 10, 9, 8, 7, 6, 5, 4, 3,
                                    2, 1, 0),
                       _mm_set1_epi8((char)first)),
          packed);
      v = _mm_or_si128(v, shifted);
    }
    return v;
  }
  int8_t bytes[16];
  for (int i = 0; i < 16; ++i)
    bytes[i] = plane[ch->offset[i]];
  return _mm_loadu_si128((const __m128i *)bytes);
}

/* Columns [p0, p0 + width) of B = im2col(x) as [K4][width][4] bytes: row
 * k = (c, kh, kw), column p = (oh, ow),
 * B[k][p] = x[c][oh * sh + kh * dh][ow * sw + kw * dw]. */
QCC_VNNI static void packConvPanel(const Job *job, const int8_t *x, int64_t p0,
                                   int width, uint8_t *panel) {
  const int64_t cols = job->P - p0 < width ? job->P - p0 : width;
  const __m128i flip = _mm_set1_epi8((char)0x80);
  Chunk chunks[4];
  planChunks(job, p0, cols, chunks);
  for (int64_t k4 = 0; k4 < job->K4; ++k4) {
    const int8_t *planes[4];
    for (int i = 0; i < 4; ++i)
      planes[i] = x + job->planeOffset[k4 * 4 + i];
    uint8_t *dst = panel + k4 * width * 4;
    for (int64_t j = 0, c = 0; j < cols; j += 16, ++c) {
      const __m128i r0 =
          _mm_xor_si128(loadChunk(job, &chunks[c], planes[0]), flip);
      const __m128i r1 =
          _mm_xor_si128(loadChunk(job, &chunks[c], planes[1]), flip);
      const __m128i r2 =
          _mm_xor_si128(loadChunk(job, &chunks[c], planes[2]), flip);
      const __m128i r3 =
          _mm_xor_si128(loadChunk(job, &chunks[c], planes[3]), flip);
      const __m128i t0 = _mm_unpacklo_epi8(r0, r1),
                    t1 = _mm_unpackhi_epi8(r0, r1);
      const __m128i t2 = _mm_unpacklo_epi8(r2, r3),
                    t3 = _mm_unpackhi_epi8(r2, r3);
      _mm_storeu_si128((__m128i *)(dst + j * 4), _mm_unpacklo_epi16(t0, t2));
      _mm_storeu_si128((__m128i *)(dst + j * 4 + 16),
                       _mm_unpackhi_epi16(t0, t2));
      _mm_storeu_si128((__m128i *)(dst + j * 4 + 32),
                       _mm_unpacklo_epi16(t1, t3));
      _mm_storeu_si128((__m128i *)(dst + j * 4 + 48),
                       _mm_unpackhi_epi16(t1, t3));
    }
  }
}

/* The requantized int8 of output row m's `count` vectors of 16 int32 sums
 * (TOSA apply_scale_32, then the zero point and the clamp), stored at dst
 * under the vectors' masks. Not inlined: its constants would compete with
 * the tile's accumulators for registers. */
QCC_VNNI __attribute__((noinline)) static void
storeRequantized(const Job *job, int64_t m, const __m512i *acc, int count,
                 int8_t *dst, const __mmask16 *mask) {
  const int c = job->perChannel ? (int)m : 0;
  const __m512i multiplier = _mm512_set1_epi64(job->multiplier[c]);
  const int shift = job->shift[c];
  const __m512i round = _mm512_set1_epi64((int64_t)1 << (shift - 1));
  const __m128i bits = _mm_cvtsi32_si128(shift);
  const __m512i zp = _mm512_set1_epi32(job->outZp);
  const __m512i lo = _mm512_set1_epi32(job->lo);
  const __m512i hi = _mm512_set1_epi32(job->hi);
  for (int j = 0; j < count; ++j) {
    /* Even and odd lanes as 64-bit products x * multiplier + round. */
    const __m512i even =
        _mm512_add_epi64(_mm512_mul_epi32(acc[j], multiplier), round);
    const __m512i odd = _mm512_add_epi64(
        _mm512_mul_epi32(_mm512_srli_epi64(acc[j], 32), multiplier), round);
    /* Back to 16 int32 lanes: low halves of the shifted 64-bit results. */
    __m512i y = _mm512_mask_blend_epi32(
        (__mmask16)0xAAAA, _mm512_sra_epi64(even, bits),
        _mm512_slli_epi64(_mm512_sra_epi64(odd, bits), 32));
    y = _mm512_min_epi32(_mm512_max_epi32(_mm512_add_epi32(y, zp), lo), hi);
    _mm_mask_storeu_epi8(dst + 16 * j, mask[j], _mm512_cvtepi32_epi8(y));
  }
}

/* The register tile: MR rows x NR vectors, over all of K. Rows at or past
 * M and columns at or past P are computed from padding and not stored.
 * REQUANT (a constant) selects the output: int32 C (accumulated into) or
 * requantized int8 (starting from the bias). */
#define QCC_DEFINE_TILE(MR, NR, REQUANT, NAME)                                 \
  QCC_VNNI static void NAME(const Job *job, const uint8_t *panel, int64_t m0,  \
                            int64_t p0, int32_t *C, int8_t *out) {             \
    __m512i acc[MR][NR];                                                       \
    __mmask16 mask[NR];                                                        \
    for (int j = 0; j < NR; ++j) {                                             \
      const int64_t left = job->P - p0 - 16 * j;                               \
      mask[j] = left >= 16  ? (__mmask16)0xFFFF                                \
                : left <= 0 ? (__mmask16)0                                     \
                            : (__mmask16)((1u << left) - 1);                   \
    }                                                                          \
    for (int r = 0; r < MR; ++r) {                                             \
      const int64_t m = m0 + r < job->M ? m0 + r : job->M - 1;                 \
      const __m512i init =                                                     \
          _mm512_set1_epi32((REQUANT ? job->bias[m] : 0) - job->rowSum[m]);    \
      for (int j = 0; j < NR; ++j)                                             \
        acc[r][j] = REQUANT ? init                                             \
                            : _mm512_add_epi32(_mm512_maskz_loadu_epi32(       \
                                                   mask[j], C + m * job->ldc + \
                                                                p0 + 16 * j),  \
                                               init);                          \
    }                                                                          \
    const int8_t *a = job->Ap + m0 * job->K4 * 4;                              \
    for (int64_t k4 = 0; k4 < job->K4; ++k4) {                                 \
      __m512i b[NR];                                                           \
      for (int j = 0; j < NR; ++j)                                             \
        b[j] = _mm512_loadu_si512(panel + (k4 * NR * 16 + 16 * j) * 4);        \
      for (int r = 0; r < MR; ++r) {                                           \
        int32_t group;                                                         \
        memcpy(&group, a + r * job->K4 * 4 + k4 * 4, 4);                       \
        const __m512i bcast = _mm512_set1_epi32(group);                        \
        for (int j = 0; j < NR; ++j)                                           \
          acc[r][j] = _mm512_dpbusd_epi32(acc[r][j], b[j], bcast);             \
      }                                                                        \
    }                                                                          \
    for (int r = 0; r < MR && m0 + r < job->M; ++r) {                          \
      if (REQUANT) {                                                           \
        storeRequantized(job, m0 + r, acc[r], NR,                              \
                         out + (m0 + r) * job->P + p0, mask);                  \
        continue;                                                              \
      }                                                                        \
      for (int j = 0; j < NR; ++j)                                             \
        _mm512_mask_storeu_epi32(C + (m0 + r) * job->ldc + p0 + 16 * j,        \
                                 mask[j], acc[r][j]);                          \
    }                                                                          \
  }

QCC_DEFINE_TILE(8, 2, 0, tile_8x2)
QCC_DEFINE_TILE(8, 3, 0, tile_8x3)
QCC_DEFINE_TILE(6, 4, 0, tile_6x4)
QCC_DEFINE_TILE(8, 2, 1, tile_8x2_requant)
QCC_DEFINE_TILE(8, 3, 1, tile_8x3_requant)
QCC_DEFINE_TILE(6, 4, 1, tile_6x4_requant)

typedef struct {
  const Job *job;
  int64_t mBlockBegin, mBlockEnd; /* in blocks of job->mr */
  int64_t panelBegin, panelEnd;   /* in panels of job->nr * 16 */
} Part;

QCC_VNNI static void *runPart(void *arg) {
  const Part *part = (const Part *)arg;
  const Job *job = part->job;
  const int width = job->nr * 16;
  uint8_t *panel = aligned_alloc(64, (size_t)(job->K4 * width * 4 + 64));
  if (!panel)
    abort();
  for (int64_t b = 0; b < job->batch; ++b) {
    const int8_t *B = job->B + b * job->strideB;
    int32_t *C = job->requant ? NULL : job->C + b * job->strideC;
    int8_t *out = job->requant ? job->out + b * job->strideOut : NULL;
    for (int64_t q = part->panelBegin; q < part->panelEnd; ++q) {
      const int64_t p0 = q * width;
      if (job->conv)
        packConvPanel(job, B, p0, width, panel);
      else
        packPanel(job, B, p0, width, panel);
      for (int64_t blk = part->mBlockBegin; blk < part->mBlockEnd; ++blk) {
        const int64_t m0 = blk * job->mr;
        switch (job->nr) {
        case 2:
          (job->requant ? tile_8x2_requant : tile_8x2)(job, panel, m0, p0, C,
                                                       out);
          break;
        case 3:
          (job->requant ? tile_8x3_requant : tile_8x3)(job, panel, m0, p0, C,
                                                       out);
          break;
        default:
          (job->requant ? tile_6x4_requant : tile_6x4)(job, panel, m0, p0, C,
                                                       out);
        }
      }
    }
  }
  free(panel);
  return NULL;
}

/* Vectors per panel: the fewest computed columns for P, ties to wider. */
static int choosePanelVectors(int64_t P) {
  int best = 4;
  int64_t bestCols = (P + 63) / 64 * 64;
  for (int nr = 3; nr >= 2; --nr) {
    const int64_t cols = (P + nr * 16 - 1) / (nr * 16) * (nr * 16);
    if (cols < bestCols) {
      best = nr;
      bestCols = cols;
    }
  }
  return best;
}

/* A with K padded to a multiple of 4 and M to a multiple of 24 (every row
 * block size), zeros in the padding, and 128 * (row sums). */
typedef struct {
  const int8_t *A;
  int64_t M, K, lda;
  int8_t *packed;
  int32_t *rowSum;
} PackedA;

static void packA(PackedA *p) {
  const int64_t K4 = (p->K + 3) / 4, Mp = (p->M + 23) / 24 * 24;
  p->packed = calloc((size_t)(Mp * K4 * 4), 1);
  p->rowSum = calloc((size_t)Mp, sizeof(int32_t));
  if (!p->packed || !p->rowSum)
    abort();
  for (int64_t m = 0; m < p->M; ++m) {
    int32_t sum = 0;
    for (int64_t k = 0; k < p->K; ++k) {
      p->packed[m * K4 * 4 + k] = p->A[m * p->lda + k];
      sum += p->A[m * p->lda + k];
    }
    p->rowSum[m] = 128 * sum;
  }
}

/* Packed constant operands (a model's weights), packed once per process:
 * the generated code says which operands are constant. */
enum { kPackedCacheSize = 1024 };
static PackedA packedCache[kPackedCacheSize];
static int packedCount = 0;
static pthread_mutex_t packedLock = PTHREAD_MUTEX_INITIALIZER;

/* The packed form of A; *owned when the caller must free it. */
static PackedA getPackedA(const int8_t *A, int64_t M, int64_t K, int64_t lda,
                          int constant, int *owned) {
  PackedA p = {A, M, K, lda, NULL, NULL};
  *owned = 1;
  if (!constant) {
    packA(&p);
    return p;
  }
  pthread_mutex_lock(&packedLock);
  for (int i = 0; i < packedCount; ++i) {
    const PackedA *c = &packedCache[i];
    if (c->A == A && c->M == M && c->K == K && c->lda == lda) {
      p = *c;
      *owned = 0;
      pthread_mutex_unlock(&packedLock);
      return p;
    }
  }
  packA(&p);
  if (packedCount < kPackedCacheSize) {
    packedCache[packedCount++] = p;
    *owned = 0;
  }
  pthread_mutex_unlock(&packedLock);
  return p;
}

/* Packs A (or finds it packed), splits the work among threads and runs
 * it. */
QCC_VNNI static void runJob(Job *job, const int8_t *A, int64_t lda,
                            int constantA, int threads) {
  const int64_t M = job->M, K = job->K;
  job->K4 = (K + 3) / 4;
  job->nr = choosePanelVectors(job->P);
  job->mr = job->nr == 4 ? 6 : 8;
  job->Mp = (M + job->mr - 1) / job->mr * job->mr;
  int owned;
  PackedA packed = getPackedA(A, M, K, lda, constantA, &owned);
  job->Ap = packed.packed;
  job->rowSum = packed.rowSum;
  int64_t *planeOffset = NULL;
  if (job->conv) {
    /* Divisions once per call, not per panel. */
    planeOffset = malloc((size_t)(job->K4 * 4) * sizeof(int64_t));
    if (!planeOffset)
      abort();
    const int64_t window = job->kh * job->kw;
    for (int64_t k = 0; k < job->K4 * 4; ++k) {
      const int64_t kk = k < K ? k : K - 1;
      const int64_t c = kk / window, r = kk % window;
      planeOffset[k] = c * job->height * job->width +
                       (r / job->kw) * job->dh * job->width +
                       (r % job->kw) * job->dw;
    }
    job->planeOffset = planeOffset;
  }

  const int64_t mBlocks = job->Mp / job->mr;
  const int64_t panels = (job->P + job->nr * 16 - 1) / (job->nr * 16);
  /* Waking a worker costs tens of microseconds: each thread gets at least
   * 2^23 multiply-adds (~20 us at this kernel's rate), or the job runs on
   * the calling thread alone. */
  const double work = (double)job->batch * job->M * job->P * job->K;
  if (threads > work / (1 << 23))
    threads = work >= (1 << 24) ? (int)(work / (1 << 23)) : 1;
  if (threads > 64)
    threads = 64;
  Part parts[64];
  /* Split the panels (each thread packs only its own) when there are
   * enough; else the M blocks (each thread packs every panel). */
  const int splitM = panels < threads;
  for (int t = 0; t < threads; ++t) {
    parts[t].job = job;
    parts[t].mBlockBegin = splitM ? mBlocks * t / threads : 0;
    parts[t].mBlockEnd = splitM ? mBlocks * (t + 1) / threads : mBlocks;
    parts[t].panelBegin = splitM ? 0 : panels * t / threads;
    parts[t].panelEnd = splitM ? panels : panels * (t + 1) / threads;
  }
  qccUkernelRunParallel(runPart, parts, sizeof(Part), threads);
  free(planeOffset);
  if (owned) {
    free(packed.packed);
    free(packed.rowSum);
  }
}

/* The implicit-GEMM job of a convolution (its output set by the caller). */
static Job convJob(int64_t N, int64_t C, int64_t H, int64_t W, const int8_t *x,
                   int64_t M, int64_t KH, int64_t KW, int64_t OH, int64_t OW,
                   int64_t sh, int64_t sw, int64_t dh, int64_t dw) {
  Job job = {0};
  job.batch = N;
  job.M = M;
  job.P = OH * OW;
  job.K = C * KH * KW;
  job.B = x;
  job.strideB = C * H * W;
  job.conv = 1;
  job.channels = C;
  job.height = H;
  job.width = W;
  job.kh = KH;
  job.kw = KW;
  job.ow = OW;
  job.sh = sh;
  job.sw = sw;
  job.dh = dh;
  job.dw = dw;
  return job;
}

#else

int qcc_ukernel_has_vnni(void) { return 0; }

#endif

void qcc_ukernel_matmul_s8s8s32(int64_t batch, int64_t M, int64_t P, int64_t K,
                                const int8_t *A, int64_t lda, const int8_t *B,
                                int64_t strideB, int64_t ldb, int32_t *C,
                                int64_t strideC, int64_t ldc, int threads) {
  if (batch <= 0 || M <= 0 || P <= 0 || K <= 0)
    return;
#if QCC_HAVE_X86
  if (qcc_ukernel_has_vnni()) {
    Job job = {0};
    job.batch = batch;
    job.M = M;
    job.P = P;
    job.K = K;
    job.B = B;
    job.strideB = strideB;
    job.ldb = ldb;
    job.C = C;
    job.strideC = strideC;
    job.ldc = ldc;
    runJob(&job, A, lda, /*constantA=*/0, threads < 1 ? 1 : threads);
    return;
  }
#endif
  (void)threads;
  qcc_ukernel_matmul_s8s8s32_reference(batch, M, P, K, A, lda, B, strideB, ldb,
                                       C, strideC, ldc);
}

void qcc_ukernel_conv2d_nchw_s8s8s32(int64_t N, int64_t C, int64_t H, int64_t W,
                                     const int8_t *x, int64_t M, int64_t KH,
                                     int64_t KW, const int8_t *w, int64_t OH,
                                     int64_t OW, int32_t *out, int64_t sh,
                                     int64_t sw, int64_t dh, int64_t dw,
                                     int constantWeights, int threads) {
  if (N <= 0 || M <= 0 || OH <= 0 || OW <= 0 || C * KH * KW <= 0)
    return;
#if QCC_HAVE_X86
  if (qcc_ukernel_has_vnni()) {
    /* Implicit GEMM: out[n] (M x OH*OW) += w (M x C*KH*KW) * im2col(x[n]),
     * im2col gathered panel by panel while packing. */
    Job job = convJob(N, C, H, W, x, M, KH, KW, OH, OW, sh, sw, dh, dw);
    job.C = out;
    job.strideC = M * OH * OW;
    job.ldc = OH * OW;
    runJob(&job, w, C * KH * KW, constantWeights, threads < 1 ? 1 : threads);
    return;
  }
#endif
  (void)threads;
  (void)constantWeights;
  qcc_ukernel_conv2d_nchw_s8s8s32_reference(N, C, H, W, x, M, KH, KW, w, OH, OW,
                                            out, sh, sw, dh, dw);
}

void qcc_ukernel_conv2d_requant(
    int64_t N, int64_t C, int64_t H, int64_t W, const int8_t *x, int64_t M,
    int64_t KH, int64_t KW, const int8_t *w, const int32_t *bias, int64_t OH,
    int64_t OW, int8_t *out, int64_t sh, int64_t sw, int64_t dh, int64_t dw,
    const int32_t *multiplier, const int8_t *shift, int perChannel,
    int32_t outZp, int32_t lo, int32_t hi, int constantWeights, int threads) {
  if (N <= 0 || M <= 0 || OH <= 0 || OW <= 0 || C * KH * KW <= 0)
    return;
#if QCC_HAVE_X86
  if (qcc_ukernel_has_vnni()) {
    Job job = convJob(N, C, H, W, x, M, KH, KW, OH, OW, sh, sw, dh, dw);
    job.requant = 1;
    job.bias = bias;
    job.multiplier = multiplier;
    job.shift = shift;
    job.perChannel = perChannel;
    job.outZp = outZp;
    job.lo = lo;
    job.hi = hi;
    job.out = out;
    job.strideOut = M * OH * OW;
    runJob(&job, w, C * KH * KW, constantWeights, threads < 1 ? 1 : threads);
    return;
  }
#endif
  (void)threads;
  (void)constantWeights;
  qcc_ukernel_conv2d_requant_reference(N, C, H, W, x, M, KH, KW, w, bias, OH,
                                       OW, out, sh, sw, dh, dw, multiplier,
                                       shift, perChannel, outZp, lo, hi);
}
