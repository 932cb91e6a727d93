/*===- Int8Avx512.c - int8 GEMM and conv, AVX-512 VNNI and AMX ----*- C -*-===*
 *
 * int8 x int8 -> int32 matrix products with AVX-512 VNNI, or with AMX-INT8
 * tiles on the CPUs that have them.
 *
 * vpdpbusd multiplies unsigned bytes by signed bytes. B is made unsigned by
 * flipping its sign bit (b + 128), which adds 128 * sum_k A[m][k] to every
 * C[m][p]; the kernel subtracts that once per row ("compensation"). The AMX
 * tile uses the same packed operands with tdpbsud (signed A, unsigned B).
 *
 * Blocking: B is packed per panel of NR * 16 columns as [K/4][NR*16][4]
 * bytes (four consecutive k of one column form the 32-bit lane vpdpbusd
 * reduces), A is packed with K padded to a multiple of 4 and M to a
 * multiple of MR. The register tile is MR rows x NR vectors of 16 int32
 * accumulators; each step loads NR vectors of B and broadcasts one 32-bit
 * group of A per row. Panel widths are chosen per call to waste the fewest
 * columns on P (e.g. 49 = 7x7 outputs use one panel of 64).
 *
 * AMX reads the same layouts as tiles: 16 rows of A by 64 k, and 16 k/4
 * rows of a panel by 16 columns (64 bytes), which is exactly the
 * [K/4][16][4] block tdpbsud wants. For it K is padded to a multiple of 64,
 * M to 32 and panels are 32 or 64 columns wide; each step multiplies two A
 * tiles by two B tiles into four 16 x 16 int32 accumulator tiles (all 8
 * tile registers), and the sums go through memory to the same epilogue.
 *
 * Threads split the panels (or the M blocks, when there are fewer panels
 * than threads); each packs the B panels it needs.
 *
 * Dispatch.c's entry points (matmul, conv2d, conv2d with fused
 * requantization) run this kernel on the AVX-512 VNNI and AMX tiers.
 *
 *===----------------------------------------------------------------------===*/

#include "Internal.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#if QCC_HAVE_X86

/* The work of one call, shared by its threads: the problem and how it is
 * blocked. */
typedef struct {
  qccUkernelInt8Problem pb;
  int64_t K4, Mp;
  int amx;               /* AMX tiles instead of the VNNI register tile */
  int nr;                /* vectors per panel: 2, 3 or 4 (AMX: 2 or 4) */
  int mr;                /* rows per block (AMX: 32) */
  const int8_t *Ap;      /* [Mp][K4 * 4], zero padded */
  const int32_t *rowSum; /* 128 * sum_k A[m][k] */
  /* Row k = (c, kh, kw) of im2col(x) starts at x + planeOffset[k]
   * (K4 * 4 entries; rows past K repeat the last). */
  const int64_t *planeOffset;
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
  const int64_t cols = job->pb.P - p0 < width ? job->pb.P - p0 : width;
  for (int64_t k4 = 0; k4 < job->K4; ++k4) {
    const int8_t *rows[4];
    for (int i = 0; i < 4; ++i) {
      const int64_t k = k4 * 4 + i < job->pb.K ? k4 * 4 + i : job->pb.K - 1;
      rows[i] = B + k * job->pb.ldb + p0;
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
    int64_t oh = p / job->pb.ow, ow = p % job->pb.ow;
    ch->count = 0;
    for (int64_t filled = 0; filled < len; ++oh, ow = 0) {
      int64_t n = job->pb.ow - ow;
      if (n > len - filled)
        n = len - filled;
      const int64_t start = oh * job->pb.sh * job->pb.width + ow * job->pb.sw;
      ch->base[ch->count] = start - filled * job->pb.sw;
      ch->mask[ch->count] = (__mmask16)(((1u << n) - 1) << filled);
      ch->load[ch->count] = (__mmask32)((1ull << (2 * n - 1)) - 1);
      for (int64_t i = 0; i < n; ++i)
        ch->offset[filled + i] = start + i * job->pb.sw;
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
  if (job->pb.sw == 1) {
    /* The common case: 16 columns of one output row, one plain load. */
    if (ch->count == 1 && ch->mask[0] == (__mmask16)0xFFFF)
      return _mm_loadu_si128((const __m128i *)(plane + ch->base[0]));
    for (int s = 0; s < ch->count; ++s)
      v = _mm_mask_loadu_epi8(v, ch->mask[s], plane + ch->base[s]);
    return v;
  }
  if (job->pb.sw == 2) {
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
  const int64_t cols = job->pb.P - p0 < width ? job->pb.P - p0 : width;
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
 * under the vectors' masks. Inlined where the sums are in registers and
 * registers are free (the epilogues that read sums back from memory):
 * passing them through memory to a call stalls, a 64-byte load of two
 * 32-byte halves just stored not being forwarded on AMD Zen 4. */
QCC_VNNI __attribute__((always_inline)) static inline void
requantizeRow(const qccUkernelInt8Problem *pb, int64_t m, const __m512i *acc,
              int count, __m128i *out) {
  const int c = pb->perChannel ? (int)m : 0;
  const int shift = pb->shift[c];
  if (pb->highScales) {
    const __m512i multiplier = _mm512_set1_epi32(pb->multiplier[c]);
    const __m512i addend =
        _mm512_set1_epi32(qccUkernelHighScaleAddend(shift, pb->outZp));
    const __m512i bits = _mm512_set1_epi32(shift - 32);
    for (int j = 0; j < count; ++j)
      out[j] = qccUkernelClampInt8(
          qccUkernelScaleHigh16(acc[j], multiplier, multiplier, addend, bits),
          pb->lo, pb->hi);
    return;
  }
  const __m512i multiplier = _mm512_set1_epi64(pb->multiplier[c]);
  const __m512i round = _mm512_set1_epi64((int64_t)1 << (shift - 1));
  const __m128i bits = _mm_cvtsi32_si128(shift);
  const __m512i zp = _mm512_set1_epi32(pb->outZp);
  const __m512i lo = _mm512_set1_epi32(pb->lo);
  const __m512i hi = _mm512_set1_epi32(pb->hi);
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
    out[j] = _mm512_cvtepi32_epi8(y);
  }
}

/* requantizeRow's bytes stored at dst, 16 per vector under its mask. */
QCC_VNNI __attribute__((always_inline)) static inline void
requantizeAndStore(const qccUkernelInt8Problem *pb, int64_t m,
                   const __m512i *acc, int count, int8_t *dst,
                   const __mmask16 *mask) {
  __m128i bytes[4];
  requantizeRow(pb, m, acc, count, bytes);
  for (int j = 0; j < count; ++j)
    _mm_mask_storeu_epi8(dst + 16 * j, mask[j], bytes[j]);
}

/* The same, not inlined: for the register tiles, whose accumulators would
 * compete with its constants for registers. */
QCC_VNNI __attribute__((noinline)) static void
storeRequantized(const qccUkernelInt8Problem *pb, int64_t m, const __m512i *acc,
                 int count, int8_t *dst, const __mmask16 *mask) {
  requantizeAndStore(pb, m, acc, count, dst, mask);
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
      mask[j] = qccUkernelLanes16(job->pb.P - p0 - 16 * j);                    \
    }                                                                          \
    for (int r = 0; r < MR; ++r) {                                             \
      const int64_t m = m0 + r < job->pb.M ? m0 + r : job->pb.M - 1;           \
      const __m512i init =                                                     \
          _mm512_set1_epi32((REQUANT ? job->pb.bias[m] : 0) - job->rowSum[m]); \
      for (int j = 0; j < NR; ++j)                                             \
        acc[r][j] = REQUANT                                                    \
                        ? init                                                 \
                        : _mm512_add_epi32(                                    \
                              _mm512_maskz_loadu_epi32(                        \
                                  mask[j], C + m * job->pb.ldc + p0 + 16 * j), \
                              init);                                           \
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
    for (int r = 0; r < MR && m0 + r < job->pb.M; ++r) {                       \
      if (REQUANT) {                                                           \
        storeRequantized(&job->pb, m0 + r, acc[r], NR,                         \
                         out + (m0 + r) * job->pb.P + p0, mask);               \
        continue;                                                              \
      }                                                                        \
      for (int j = 0; j < NR; ++j)                                             \
        _mm512_mask_storeu_epi32(C + (m0 + r) * job->pb.ldc + p0 + 16 * j,     \
                                 mask[j], acc[r][j]);                          \
    }                                                                          \
  }

QCC_DEFINE_TILE(8, 2, 0, tile_8x2)
QCC_DEFINE_TILE(8, 3, 0, tile_8x3)
QCC_DEFINE_TILE(6, 4, 0, tile_6x4)
QCC_DEFINE_TILE(8, 2, 1, tile_8x2_requant)
QCC_DEFINE_TILE(8, 3, 1, tile_8x3_requant)
QCC_DEFINE_TILE(6, 4, 1, tile_6x4_requant)

/* The sums of 32 rows x 32 columns of C, at m0 and p0, from an AMX tile:
 * compensated, then accumulated into C or requantized as the VNNI tile
 * does. */
QCC_VNNI __attribute__((noinline)) static void
storeTileSums(const Job *job, const int32_t (*sums)[32], int64_t m0, int64_t p0,
              int32_t *C, int8_t *out) {
  __mmask16 mask[2];
  for (int j = 0; j < 2; ++j) {
    mask[j] = qccUkernelLanes16(job->pb.P - p0 - 16 * j);
  }
  if (!mask[0])
    return;
  for (int r = 0; r < 32 && m0 + r < job->pb.M; ++r) {
    const int64_t m = m0 + r;
    const __m512i init = _mm512_set1_epi32(
        (job->pb.requant ? job->pb.bias[m] : 0) - job->rowSum[m]);
    __m512i acc[2];
    for (int j = 0; j < 2; ++j)
      acc[j] = _mm512_add_epi32(_mm512_load_si512(sums[r] + 16 * j), init);
    if (job->pb.requant) {
      requantizeAndStore(&job->pb, m, acc, 2, out + m * job->pb.P + p0, mask);
      continue;
    }
    for (int j = 0; j < 2; ++j) {
      int32_t *c = C + m * job->pb.ldc + p0 + 16 * j;
      _mm512_mask_storeu_epi32(
          c, mask[j],
          _mm512_add_epi32(acc[j], _mm512_maskz_loadu_epi32(mask[j], c)));
    }
  }
}

/* The AMX tile configuration: palette 1, all 8 tiles 16 rows x 64 bytes
 * (tiles 0-3 the int32 sums, 4-5 A, 6-7 B). Tile state is per thread, so
 * every thread that runs AMX loads it, and releases it when done. */
typedef struct {
  uint8_t palette, startRow, reserved[14];
  uint16_t bytesPerRow[16];
  uint8_t rows[16];
} TileConfig;

QCC_AMX static void beginTiles(void) {
  TileConfig config;
  memset(&config, 0, sizeof config);
  config.palette = 1;
  for (int t = 0; t < 8; ++t) {
    config.rows[t] = 16;
    config.bytesPerRow[t] = 64;
  }
  _tile_loadconfig(&config);
}

QCC_AMX static void endTiles(void) { _tile_release(); }

/* 32 rows of A (from m0) times one panel, over all of K, 32 columns at a
 * time: two A tiles by two B tiles per 64 k. */
QCC_AMX static void tileAmx(const Job *job, const uint8_t *panel, int64_t m0,
                            int64_t p0, int32_t *C, int8_t *out) {
  const int64_t strideA = job->K4 * 4, strideB = job->nr * 16 * 4;
  const int8_t *a0 = job->Ap + m0 * strideA, *a1 = a0 + 16 * strideA;
  int32_t sums[32][32] __attribute__((aligned(64)));
  for (int j = 0; j < job->nr; j += 2) {
    const uint8_t *b = panel + j * 16 * 4;
    _tile_zero(0);
    _tile_zero(1);
    _tile_zero(2);
    _tile_zero(3);
    for (int64_t k4 = 0; k4 < job->K4; k4 += 16) {
      _tile_loadd(4, a0 + k4 * 4, strideA);
      _tile_loadd(6, b + k4 * strideB, strideB);
      _tile_loadd(7, b + k4 * strideB + 64, strideB);
      _tile_dpbsud(0, 4, 6);
      _tile_dpbsud(1, 4, 7);
      _tile_loadd(5, a1 + k4 * 4, strideA);
      _tile_dpbsud(2, 5, 6);
      _tile_dpbsud(3, 5, 7);
    }
    _tile_stored(0, &sums[0][0], 128);
    _tile_stored(1, &sums[0][16], 128);
    _tile_stored(2, &sums[16][0], 128);
    _tile_stored(3, &sums[16][16], 128);
    storeTileSums(job, (const int32_t(*)[32])sums, m0, p0 + 16 * j, C, out);
  }
}

QCC_VNNI static void *runPart(void *arg) {
  const qccUkernelPanelPart *part = (const qccUkernelPanelPart *)arg;
  const Job *job = (const Job *)part->job;
  const int width = job->nr * 16;
  uint8_t *panel = qccUkernelScratch((size_t)(job->K4 * width * 4 + 64), 0);
  if (job->amx)
    beginTiles();
  for (int64_t b = 0; b < job->pb.batch; ++b) {
    const int8_t *B = job->pb.B + b * job->pb.strideB;
    int32_t *C = job->pb.requant ? NULL : job->pb.C + b * job->pb.strideC;
    int8_t *out = job->pb.requant ? job->pb.out + b * job->pb.strideOut : NULL;
    for (int64_t q = part->panelBegin; q < part->panelEnd; ++q) {
      const int64_t p0 = q * width;
      int64_t first, last;
      qccUkernelPartBlocks(part, q, &first, &last);
      if (job->pb.conv)
        packConvPanel(job, B, p0, width, panel);
      else
        packPanel(job, B, p0, width, panel);
      for (int64_t blk = first; blk < last; ++blk) {
        const int64_t m0 = blk * job->mr;
        if (job->amx) {
          tileAmx(job, panel, m0, p0, C, out);
          continue;
        }
        switch (job->nr) {
        case 2:
          (job->pb.requant ? tile_8x2_requant : tile_8x2)(job, panel, m0, p0, C,
                                                          out);
          break;
        case 3:
          (job->pb.requant ? tile_8x3_requant : tile_8x3)(job, panel, m0, p0, C,
                                                          out);
          break;
        default:
          (job->pb.requant ? tile_6x4_requant : tile_6x4)(job, panel, m0, p0, C,
                                                          out);
        }
      }
    }
  }
  if (job->amx)
    endTiles();
  qccUkernelFree(panel);
  return NULL;
}

/* The VNNI tile's A: K to 4, M to 24 (every row block size). */
static qccUkernelPacked packAVnni(const void *A, int64_t M, int64_t K,
                                  int64_t lda, int64_t taps) {
  (void)taps;
  return qccUkernelPackQuads((const int8_t *)A, M, K, lda, 4, 24);
}

/* The AMX tile's A: whole 16 x 64 tiles. */
static qccUkernelPacked packAAmx(const void *A, int64_t M, int64_t K,
                                 int64_t lda, int64_t taps) {
  (void)taps;
  return qccUkernelPackQuads((const int8_t *)A, M, K, lda, 64, 32);
}

/*--- Direct convolution (AMX and VNNI) -------------------------------------*/

/* Stride-1 convolutions skip im2col. The input is repacked once per image
 * as channel quads, [C/4][H * W][4] bytes (+128, as the panels), so that
 * for tap (kh, kw) the 16 consecutive flattened output positions
 * q = oh * W + ow (W the input's width; the W - OW columns past each output
 * row are computed and dropped, as the depthwise kernel's) of one channel
 * quad are 64 contiguous bytes at q + kh * dh * W + kw * dw: a row of an
 * AMX B tile (16 quads, one quad apart) or one vpdpbusd operand. A is
 * packed per tap: on AMX as 16 x 64 tiles (rows m by 64 channels of one
 * tap, each stored whole), on VNNI as [m][tap][C/4][4]. Each input byte is
 * repacked once instead of once per tap. */

enum { kDirectMaxTaps = 64 };

typedef struct {
  qccUkernelInt8Problem pb;
  int amx;
  int64_t quads;      /* channel quads per tap in A: C/4 (AMX: to 64) */
  int64_t taps, Q;    /* KH * KW; flat positions (OH - 1) * W + OW */
  int64_t quadStride; /* bytes between channel quads of xq */
  int nr, mr;         /* VNNI: vectors (of 16 positions) and rows per tile */
  int64_t tapOffset[kDirectMaxTaps];
  const int8_t *Ap;
  const int32_t *rowSum;
  const uint8_t *xq; /* the current image, repacked */
  int32_t *C;        /* the current image's outputs */
  int8_t *out;
} DirectJob;

/* Whether the direct path serves a problem: stride 1, at most
 * kDirectMaxTaps taps, channels that fill the quads A is packed in (AMX:
 * 64-channel tiles) to at least 80%, and dropped columns (W - OW per row)
 * at most a third. */
static int directServes(const qccUkernelInt8Problem *pb, int amx) {
  const int64_t C = pb->channels, unit = amx ? 64 : 4;
  const int64_t padded = (C + unit - 1) / unit * unit;
  return pb->conv && pb->sh == 1 && pb->sw == 1 &&
         pb->kh * pb->kw <= kDirectMaxTaps && padded * 4 <= C * 5 &&
         pb->width * 2 <= pb->ow * 3;
}

qccUkernelPacked qccUkernelPackTaps(const int8_t *A, int64_t M, int64_t K,
                                    int64_t lda, int64_t taps,
                                    qccUkernelTapLayout layout) {
  const int64_t C = K / taps;
  const int64_t quads =
      layout == kTapsAmxTiles ? (C + 63) / 64 * 16 : (C + 3) / 4;
  /* Rows to a multiple of every row block: 32 (AMX, channel vectors), 6
   * and 8 (VNNI rows). */
  const int64_t rowUnit = layout == kTapsVnniRows ? 24 : 32,
                Mp = (M + rowUnit - 1) / rowUnit * rowUnit;
  const size_t bytes = (size_t)(Mp * taps * quads * 4);
  int8_t *packed = calloc(bytes, 1);
  int32_t *rowSum = calloc((size_t)Mp, sizeof(int32_t));
  if (!packed || !rowSum)
    abort();
  for (int64_t m = 0; m < M; ++m) {
    int32_t sum = 0;
    for (int64_t c = 0; c < C; ++c)
      for (int64_t t = 0; t < taps; ++t) {
        const int8_t v = A[m * lda + c * taps + t];
        int64_t at;
        switch (layout) {
        case kTapsAmxTiles:
          at = ((m / 16 * taps + t) * (quads / 16) + c / 64) * 1024 +
               m % 16 * 64 + c % 64;
          break;
        case kTapsVnniRows:
          at = (m * taps + t) * quads * 4 + c;
          break;
        case kTapsChannelVectors:
          at = ((m / 32 * taps + t) * quads + c / 4) * 128 + m % 32 / 16 * 64 +
               m % 16 * 4 + c % 4;
          break;
        default: /* kTapsChannelQuads */
          at = ((m / 16 * taps + t) * quads + c / 4) * 64 + m % 16 * 4 + c % 4;
          break;
        }
        packed[at] = v;
        sum += v;
      }
    rowSum[m] = 128 * sum;
  }
  return (qccUkernelPacked){packed, rowSum, bytes};
}

static qccUkernelPacked packADirectAmx(const void *A, int64_t M, int64_t K,
                                       int64_t lda, int64_t taps) {
  return qccUkernelPackTaps((const int8_t *)A, M, K, lda, taps, kTapsAmxTiles);
}

static qccUkernelPacked packADirectVnni(const void *A, int64_t M, int64_t K,
                                        int64_t lda, int64_t taps) {
  return qccUkernelPackTaps((const int8_t *)A, M, K, lda, taps, kTapsVnniRows);
}

/* The sums of `rows` rows from m0 at the `cols` (at most 64) flat
 * positions from q0 (row r at sums + r * 64): each output row's columns
 * (q % W < OW) stored at oh * OW + ow, compensated, then requantized or
 * accumulated into C. */
QCC_VNNI __attribute__((noinline)) static void
storeDirectSums(const DirectJob *job, const int32_t *sums, int rows, int cols,
                int64_t m0, int64_t q0) {
  const qccUkernelInt8Problem *pb = &job->pb;
  const int64_t W = pb->width, OW = pb->ow;
  const int vectors = (cols + 15) / 16;
  if (W == OW) {
    /* No dropped columns (a 1x1 convolution): position q is output q. */
    __mmask16 mask[4];
    /* Not vectorized: clang made the masks one vector store, which the
     * k-register loads after it could not take forwarded (14% of this
     * function's time on Zen 4). */
#if defined(__clang__)
#pragma clang loop vectorize(disable)
#endif
    for (int j = 0; j < vectors; ++j)
      mask[j] = qccUkernelLanes16(job->Q - q0 - 16 * j);
    for (int r = 0; r < rows && m0 + r < pb->M; ++r) {
      const int64_t m = m0 + r;
      const __m512i init =
          _mm512_set1_epi32((pb->requant ? pb->bias[m] : 0) - job->rowSum[m]);
      __m512i acc[4];
      for (int j = 0; j < vectors; ++j)
        acc[j] =
            _mm512_add_epi32(_mm512_loadu_si512(sums + r * 64 + 16 * j), init);
      if (pb->requant) {
        requantizeAndStore(pb, m, acc, vectors, job->out + m * pb->P + q0,
                           mask);
        continue;
      }
      int32_t *dst = job->C + m * pb->ldc + q0;
      for (int j = 0; j < vectors; ++j)
        _mm512_mask_storeu_epi32(
            dst + 16 * j, mask[j],
            _mm512_add_epi32(_mm512_maskz_loadu_epi32(mask[j], dst + 16 * j),
                             acc[j]));
    }
    return;
  }
  /* Runs of kept positions: [start, start + length) goes to dst. */
  int64_t runStart[64], runLength[64], runDst[64];
  int runs = 0;
  for (int64_t j = 0; j < cols && q0 + j < job->Q;) {
    const int64_t q = q0 + j, ow = q % W;
    if (ow >= OW) {
      j += W - ow;
      continue;
    }
    int64_t n = OW - ow;
    if (n > cols - j)
      n = cols - j;
    if (n > job->Q - q)
      n = job->Q - q;
    runStart[runs] = j;
    runLength[runs] = n;
    runDst[runs++] = q / W * OW + ow;
    j += n;
  }
  static const int8_t lane[64] = {
      0,  1,  2,  3,  4,  5,  6,  7,  8,  9,  10, 11, 12, 13, 14, 15,
      16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31,
      32, 33, 34, 35, 36, 37, 38, 39, 40, 41, 42, 43, 44, 45, 46, 47,
      48, 49, 50, 51, 52, 53, 54, 55, 56, 57, 58, 59, 60, 61, 62, 63};
  const __m512i iota = _mm512_loadu_si512(lane);
  for (int r = 0; r < rows && m0 + r < pb->M; ++r) {
    const int64_t m = m0 + r;
    const __m512i init =
        _mm512_set1_epi32((pb->requant ? pb->bias[m] : 0) - job->rowSum[m]);
    __m512i acc[4];
    for (int j = 0; j < vectors; ++j)
      acc[j] =
          _mm512_add_epi32(_mm512_loadu_si512(sums + r * 64 + 16 * j), init);
    if (pb->requant) {
      /* The row's bytes in one register, each run moved to lane 0 by a
       * byte permutation: through memory, a 64-byte load of the four
       * 16-byte stores just made would wait for them (no forwarding). */
      __m128i parts[4] = {_mm_setzero_si128(), _mm_setzero_si128(),
                          _mm_setzero_si128(), _mm_setzero_si128()};
      requantizeRow(pb, m, acc, vectors, parts);
      const __m512i row = _mm512_inserti64x4(
          _mm512_castsi256_si512(_mm256_set_m128i(parts[1], parts[0])),
          _mm256_set_m128i(parts[3], parts[2]), 1);
      int8_t *dst = job->out + m * pb->P;
      for (int i = 0; i < runs; ++i)
        _mm512_mask_storeu_epi8(
            dst + runDst[i], qccUkernelBytes64(runLength[i]),
            _mm512_permutexvar_epi8(
                _mm512_add_epi8(iota, _mm512_set1_epi8((char)runStart[i])),
                row));
      continue;
    }
    int32_t row[80] = {0};
    for (int j = 0; j < vectors; ++j)
      _mm512_storeu_si512(row + 16 * j, acc[j]);
    int32_t *dst = job->C + m * pb->ldc;
    for (int i = 0; i < runs; ++i)
      for (int64_t k = 0; k < runLength[i]; k += 16) {
        const __mmask16 lanes = qccUkernelLanes16(runLength[i] - k);
        int32_t *d = dst + runDst[i] + k;
        _mm512_mask_storeu_epi32(
            d, lanes,
            _mm512_add_epi32(_mm512_maskz_loadu_epi32(lanes, d),
                             _mm512_loadu_si512(row + runStart[i] + k)));
      }
  }
}

/* AMX: rows [m0, m0 + 32) at flat positions [q0, q0 + 32), over every tap
 * and channel tile: two A tiles by two B tiles (16 positions each). */
QCC_AMX static void directTileAmx(const DirectJob *job, int64_t m0,
                                  int64_t q0) {
  const int64_t tiles = job->quads / 16, perRows = job->taps * tiles * 1024;
  const int8_t *a0 = job->Ap + m0 / 16 * perRows, *a1 = a0 + perRows;
  const int64_t quadRows = 16 * job->quadStride;
  _tile_zero(0);
  _tile_zero(1);
  _tile_zero(2);
  _tile_zero(3);
  for (int64_t t = 0; t < job->taps; ++t) {
    const uint8_t *b = job->xq + (q0 + job->tapOffset[t]) * 4;
    for (int64_t kt = 0; kt < tiles; ++kt) {
      _tile_loadd(4, a0 + (t * tiles + kt) * 1024, 64);
      _tile_loadd(6, b + kt * quadRows, job->quadStride);
      _tile_loadd(7, b + kt * quadRows + 64, job->quadStride);
      _tile_dpbsud(0, 4, 6);
      _tile_dpbsud(1, 4, 7);
      _tile_loadd(5, a1 + (t * tiles + kt) * 1024, 64);
      _tile_dpbsud(2, 5, 6);
      _tile_dpbsud(3, 5, 7);
    }
  }
  int32_t sums[32][64] __attribute__((aligned(64)));
  _tile_stored(0, &sums[0][0], 256);
  _tile_stored(1, &sums[0][16], 256);
  _tile_stored(2, &sums[16][0], 256);
  _tile_stored(3, &sums[16][16], 256);
  storeDirectSums(job, &sums[0][0], 32, 32, m0, q0);
}

/* VNNI: MR rows from m0 by NR vectors of 16 flat positions from q0, over
 * every tap and channel quad. */
#define QCC_DEFINE_DIRECT_TILE(MR, NR, NAME)                                   \
  QCC_VNNI static void NAME(const DirectJob *job, int64_t m0, int64_t q0) {    \
    __m512i acc[MR][NR];                                                       \
    for (int r = 0; r < MR; ++r)                                               \
      for (int j = 0; j < NR; ++j)                                             \
        acc[r][j] = _mm512_setzero_si512();                                    \
    const int64_t rowBytes = job->taps * job->quads * 4;                       \
    const int8_t *a = job->Ap + m0 * rowBytes;                                 \
    for (int64_t t = 0; t < job->taps; ++t) {                                  \
      const uint8_t *b = job->xq + (q0 + job->tapOffset[t]) * 4;               \
      const int8_t *at = a + t * job->quads * 4;                               \
      for (int64_t cq = 0; cq < job->quads; ++cq) {                            \
        __m512i v[NR];                                                         \
        for (int j = 0; j < NR; ++j)                                           \
          v[j] = _mm512_loadu_si512(b + cq * job->quadStride + 64 * j);        \
        for (int r = 0; r < MR; ++r) {                                         \
          int32_t group;                                                       \
          memcpy(&group, at + r * rowBytes + cq * 4, 4);                       \
          const __m512i bcast = _mm512_set1_epi32(group);                      \
          for (int j = 0; j < NR; ++j)                                         \
            acc[r][j] = _mm512_dpbusd_epi32(acc[r][j], v[j], bcast);           \
        }                                                                      \
      }                                                                        \
    }                                                                          \
    int32_t sums[MR][64] __attribute__((aligned(64)));                         \
    for (int r = 0; r < MR; ++r)                                               \
      for (int j = 0; j < NR; ++j)                                             \
        _mm512_store_si512(&sums[r][16 * j], acc[r][j]);                       \
    storeDirectSums(job, &sums[0][0], MR, NR * 16, m0, q0);                    \
  }

QCC_DEFINE_DIRECT_TILE(8, 2, directTile8x2)
QCC_DEFINE_DIRECT_TILE(8, 3, directTile8x3)
QCC_DEFINE_DIRECT_TILE(6, 4, directTile6x4)

QCC_VNNI static void *directPart(void *arg) {
  const qccUkernelPanelPart *part = (const qccUkernelPanelPart *)arg;
  const DirectJob *job = (const DirectJob *)part->job;
  const int64_t width = job->nr * 16;
  if (job->amx)
    beginTiles();
  for (int64_t q = part->panelBegin; q < part->panelEnd; ++q) {
    int64_t first, last;
    qccUkernelPartBlocks(part, q, &first, &last);
    for (int64_t blk = first; blk < last; ++blk) {
      const int64_t m0 = blk * job->mr, q0 = q * width;
      if (job->amx)
        directTileAmx(job, m0, q0);
      else if (job->nr == 2)
        directTile8x2(job, m0, q0);
      else if (job->nr == 3)
        directTile8x3(job, m0, q0);
      else
        directTile6x4(job, m0, q0);
    }
  }
  if (job->amx)
    endTiles();
  return NULL;
}

qccUkernelQuadImage qccUkernelAllocQuadImage(const qccUkernelInt8Problem *pb,
                                             int64_t slots) {
  const int64_t HW = pb->height * pb->width;
  qccUkernelQuadImage image = {pb->channels, HW, slots * 4, NULL, NULL};
  const size_t bytes = (size_t)((pb->channels + 3) / 4 * image.quadStride);
  image.xq = qccUkernelScratch(bytes, 0);
  image.zeros = qccUkernelScratch((size_t)HW, 1);
  return image;
}

typedef struct {
  qccUkernelQuadImage *image;
  const qccUkernelInt8Problem *pb;
  const int8_t *x; /* the image's channels */
} RepackJob;

/* Quads [begin, end): with padding, each quad's source rows are packed as
 * one flat run (vector loads across short rows), then spread row by row
 * between the padding. */
QCC_VNNI static void *repackPart(void *arg) {
  const PackedPart *part = arg;
  const RepackJob *job = part->job;
  const qccUkernelQuadImage *image = job->image;
  const qccUkernelInt8Problem *pb = job->pb;
  const qcc_ukernel_padding *pad = &pb->pad;
  const int padded = qccUkernelHasPadding(pad);
  const int64_t W = pb->width - pad->left - pad->right;
  const int64_t H = pb->height - pad->top - pad->bottom;
  const int fill = (uint8_t)pad->value ^ 0x80;
  uint8_t *flat = padded ? qccUkernelScratch((size_t)(H * W * 4), 0) : NULL;
  for (int64_t cq = part->begin; cq < part->end; ++cq) {
    const int8_t *rows[4];
    for (int i = 0; i < 4; ++i)
      rows[i] = cq * 4 + i < image->channels ? job->x + (cq * 4 + i) * H * W
                                             : image->zeros;
    uint8_t *dst = image->xq + cq * image->quadStride;
    if (!padded) {
      packRows(rows, image->HW, dst);
    } else {
      packRows(rows, H * W, flat);
      qccUkernelPadPlane(flat, H, W, pad, 4, fill, dst);
    }
  }
  qccUkernelFree(flat);
  return NULL;
}

void qccUkernelRepackQuads(qccUkernelQuadImage *image,
                           const qccUkernelInt8Problem *pb, int64_t n,
                           int threads) {
  RepackJob job = {image, pb, pb->B + n * pb->strideB};
  const int64_t quads = (image->channels + 3) / 4;
  qccUkernelSplitPlanes(repackPart, &job, quads, quads * image->quadStride,
                        kRepackParallelBytes, threads);
}

void qccUkernelFreeQuadImage(qccUkernelQuadImage *image) {
  qccUkernelFree(image->zeros);
  qccUkernelFree(image->xq);
}

static void runDirect(const qccUkernelInt8Problem *problem, int amx,
                      int threads) {
  DirectJob job;
  memset(&job, 0, sizeof job);
  job.pb = *problem;
  job.amx = amx;
  const int64_t W = problem->width, HW = problem->height * W;
  job.quads =
      amx ? (problem->channels + 63) / 64 * 16 : (problem->channels + 3) / 4;
  job.taps = problem->kh * problem->kw;
  const int64_t OH = problem->P / problem->ow;
  job.Q = (OH - 1) * W + problem->ow;
  job.nr = amx ? 2 : qccUkernelPanelVectors(job.Q, 0);
  job.mr = amx ? 32 : job.nr == 4 ? 6 : 8;
  for (int64_t kh = 0; kh < problem->kh; ++kh)
    for (int64_t kw = 0; kw < problem->kw; ++kw)
      job.tapOffset[kh * problem->kw + kw] =
          kh * problem->dh * W + kw * problem->dw;
  /* Reads reach q + the last tap's offset + 63 (a block's padding) <
   * H * W + 64. */
  qccUkernelQuadImage image =
      qccUkernelAllocQuadImage(problem, (HW + 64 + 15) / 16 * 16);
  job.quadStride = image.quadStride;
  job.xq = image.xq;
  int owned;
  qccUkernelPacked packed = qccUkernelGetPacked(
      problem->A, problem->M, problem->K, problem->lda, job.taps,
      problem->constantA, amx ? packADirectAmx : packADirectVnni, &owned);
  job.Ap = packed.data;
  job.rowSum = packed.rowSum;
  const int64_t mBlocks = (problem->M + job.mr - 1) / job.mr;
  const int64_t panels = (job.Q + job.nr * 16 - 1) / (job.nr * 16);
  threads = qccUkernelThreadsForWork(
      (double)problem->M * problem->P * problem->K, threads);
  for (int64_t n = 0; n < problem->batch; ++n) {
    qccUkernelRepackQuads(&image, problem, n, threads);
    job.C = problem->requant ? NULL : problem->C + n * problem->strideC;
    job.out = problem->requant ? problem->out + n * problem->strideOut : NULL;
    qccUkernelSplitPanels(directPart, &job, mBlocks, panels, threads);
  }
  qccUkernelFreeQuadImage(&image);
  if (owned)
    qccUkernelFreePacked(packed);
}

/* Whether AMX pays for a problem: its tiles pad M to 32, K to 64 and P to
 * 32, so small layers (a MobileNet's 1x1 convolutions of 16 or 24
 * channels, K = 16: 4x the multiply-adds) run faster on VNNI. AMX when
 * the padded product is at most 1.5x the problem's. */
static int amxPays(const qccUkernelInt8Problem *pb) {
  const double Mp = (double)((pb->M + 31) / 32 * 32);
  const double Kp = (double)((pb->K + 63) / 64 * 64);
  const double Pp = (double)((pb->P + 31) / 32 * 32);
  return Mp * Kp * Pp <= 1.5 * (double)pb->M * (double)pb->K * (double)pb->P;
}

void qccUkernelInt8Avx512(const qccUkernelInt8Problem *problem, int amx,
                          int threads) {
  amx = amx && amxPays(problem);
  if (!amx && qccUkernelChannelVectorsServe(problem)) {
    qccUkernelInt8ChannelVectors(problem, threads);
    return;
  }
  if (directServes(problem, amx)) {
    runDirect(problem, amx, threads);
    return;
  }
  /* im2col panels read the padded geometry. */
  qccUkernelInt8Problem padded;
  int8_t *paddedImages =
      qccUkernelMaterializePadding(problem, &padded, threads);
  problem = &padded;
  Job job = {0};
  job.pb = *problem;
  const int64_t M = problem->M, K = problem->K;
  job.amx = amx;
  job.K4 = amx ? (K + 63) / 64 * 16 : (K + 3) / 4;
  job.nr = qccUkernelPanelVectors(problem->P, amx);
  job.mr = amx ? 32 : job.nr == 4 ? 6 : 8;
  job.Mp = (M + job.mr - 1) / job.mr * job.mr;
  int owned;
  qccUkernelPacked packed =
      qccUkernelGetPacked(problem->A, M, K, problem->lda, 1, problem->constantA,
                          amx ? packAAmx : packAVnni, &owned);
  job.Ap = packed.data;
  job.rowSum = packed.rowSum;
  int64_t *planeOffset =
      problem->conv ? qccUkernelPlaneOffsets(problem, job.K4 * 4) : NULL;
  job.planeOffset = planeOffset;

  const int64_t mBlocks = job.Mp / job.mr;
  const int64_t panels = (problem->P + job.nr * 16 - 1) / (job.nr * 16);
  threads = qccUkernelThreadsForWork(
      (double)problem->batch * problem->M * problem->P * problem->K, threads);
  qccUkernelSplitPanels(runPart, &job, mBlocks, panels, threads);
  free(planeOffset);
  if (owned)
    qccUkernelFreePacked(packed);
  qccUkernelFree(paddedImages);
}

#else

void qccUkernelInt8Avx512(const qccUkernelInt8Problem *problem, int amx,
                          int threads) {
  (void)problem;
  (void)amx;
  (void)threads;
  abort(); /* Dispatch.c never picks this tier off x86 */
}

#endif
