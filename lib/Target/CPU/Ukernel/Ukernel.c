/*===- Ukernel.c - Hand-written CPU micro-kernels -------------------------===*
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
 *===----------------------------------------------------------------------===*/

#include "qcc/Target/CPU/Ukernel.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#if defined(__x86_64__)
#include <immintrin.h>
#define QCC_HAVE_X86 1
#else
#define QCC_HAVE_X86 0
#endif

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

int qcc_ukernel_num_threads(void) {
  static int threads = 0;
  if (threads == 0) {
    const char *env = getenv("QCC_NUM_THREADS");
    int n = env ? atoi(env) : 1;
    threads = n >= 1 && n <= 256 ? n : 1;
  }
  return threads;
}

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

#define QCC_VNNI                                                               \
  __attribute__((target("avx512f,avx512bw,avx512vl,avx512vnni,avx512vbmi")))

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

/* A pool of worker threads that stay alive between calls (creating threads
 * per call costs tens of microseconds, as much as a small layer). A job is
 * published by bumping `generation`; workers spin on it for a while (a
 * model runs its layers back to back, and waking a sleeping thread costs
 * tens of microseconds) and then sleep on a condition variable. The caller
 * runs part 0 itself and spins until the others are done. One job runs at
 * a time (calls from several threads queue on `busy`). */
typedef struct {
  pthread_mutex_t lock;
  pthread_cond_t wake, free;
  int workers; /* started */
  int busy;    /* a job is being shared out */
  _Atomic unsigned long generation;
  void *(*fn)(void *);
  char *parts;
  size_t partSize;
  int parallelism;       /* parts of the current job, caller included */
  _Atomic int remaining; /* parts not finished */
  _Atomic int stop;      /* the library is being unloaded */
  pthread_t ids[64];
} Pool;

static Pool pool = {.lock = PTHREAD_MUTEX_INITIALIZER,
                    .wake = PTHREAD_COND_INITIALIZER,
                    .free = PTHREAD_COND_INITIALIZER};

enum { kSpinIterations = 1 << 20 }; /* about a millisecond of pause */

static inline void cpuRelax(void) {
#if QCC_HAVE_X86
  _mm_pause();
#endif
}

static void *worker(void *arg) {
  const int index = (int)(intptr_t)arg; /* runs part index (>= 1) */
  unsigned long seen = 0;
  for (;;) {
    unsigned long now = atomic_load(&pool.generation);
    for (int i = 0; now == seen && i < kSpinIterations; ++i) {
      cpuRelax();
      now = atomic_load(&pool.generation);
    }
    if (now == seen) {
      pthread_mutex_lock(&pool.lock);
      while ((now = atomic_load(&pool.generation)) == seen)
        pthread_cond_wait(&pool.wake, &pool.lock);
      pthread_mutex_unlock(&pool.lock);
    }
    seen = now;
    if (atomic_load(&pool.stop))
      return NULL;
    if (index >= pool.parallelism)
      continue;
    pool.fn(pool.parts + (size_t)index * pool.partSize);
    atomic_fetch_sub(&pool.remaining, 1);
  }
  return NULL;
}

/* Unloading the library (dlclose) stops and joins the workers first: their
 * code is about to be unmapped. */
__attribute__((destructor)) static void stopPool(void) {
  pthread_mutex_lock(&pool.lock);
  atomic_store(&pool.stop, 1);
  atomic_fetch_add(&pool.generation, 1);
  pthread_cond_broadcast(&pool.wake);
  const int workers = pool.workers;
  pool.workers = 0;
  pthread_mutex_unlock(&pool.lock);
  for (int t = 0; t < workers; ++t)
    pthread_join(pool.ids[t], NULL);
}

/* fn(&parts[t]) for t < threads, part 0 on the calling thread. */
static void runParallel(void *(*fn)(void *), void *parts, size_t partSize,
                        int threads) {
  if (threads <= 1) {
    fn(parts);
    return;
  }
  pthread_mutex_lock(&pool.lock);
  while (pool.busy)
    pthread_cond_wait(&pool.free, &pool.lock);
  while (pool.workers < threads - 1 && pool.workers < 63) {
    if (pthread_create(&pool.ids[pool.workers], NULL, worker,
                       (void *)(intptr_t)(pool.workers + 1)) != 0)
      break;
    ++pool.workers;
  }
  const int helpers = pool.workers < threads - 1 ? pool.workers : threads - 1;
  pool.busy = 1;
  pool.fn = fn;
  pool.parts = (char *)parts;
  pool.partSize = partSize;
  pool.parallelism = helpers + 1;
  atomic_store(&pool.remaining, helpers);
  atomic_fetch_add(&pool.generation, 1);
  pthread_cond_broadcast(&pool.wake);
  pthread_mutex_unlock(&pool.lock);
  fn(parts);
  /* Parts without a worker (thread creation failed) run here. */
  for (int t = helpers + 1; t < threads; ++t)
    fn((char *)parts + (size_t)t * partSize);
  while (atomic_load(&pool.remaining) > 0)
    cpuRelax();
  pthread_mutex_lock(&pool.lock);
  pool.busy = 0;
  pthread_cond_signal(&pool.free);
  pthread_mutex_unlock(&pool.lock);
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
  runParallel(runPart, parts, sizeof(Part), threads);
  free(planeOffset);
  if (owned) {
    free(packed.packed);
    free(packed.rowSum);
  }
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

#if QCC_HAVE_X86
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

#endif

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

/* TOSA apply_scale_32 then zero point and clamp: the reference epilogue. */
static int8_t requantizeReference(int32_t acc, int32_t multiplier, int shift,
                                  int32_t outZp, int32_t lo, int32_t hi) {
  int64_t y =
      ((int64_t)acc * multiplier + ((int64_t)1 << (shift - 1))) >> shift;
  y += outZp;
  y = y < lo ? lo : y > hi ? hi : y;
  return (int8_t)y;
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
        out[i] =
            requantizeReference(acc[i], multiplier[c], shift[c], outZp, lo, hi);
      }
    }
  free(acc);
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

/*===----------------------------------------------------------------------===*
 * Packed low-bit weights
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
 *===----------------------------------------------------------------------===*/

static int packedBits(int format) {
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

static inline float floatFromBits(uint32_t bits) {
  float f;
  memcpy(&f, &bits, sizeof f);
  return f;
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
static float minifloatWeight(int format, unsigned c) {
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

static int isIntegerFormat(int format) { return format <= QCC_PACKED_UINT4; }

static int isSignedIntegerFormat(int format) {
  return format == QCC_PACKED_INT8 || format == QCC_PACKED_INT4;
}

/* One group per row when groupSize is not positive or covers the row. */
static int64_t effectiveGroupSize(const qcc_packed_weights *f, int64_t K) {
  return f->groupSize <= 0 || f->groupSize >= K ? K : f->groupSize;
}

static int64_t numGroups(const qcc_packed_weights *f, int64_t K) {
  return (K + effectiveGroupSize(f, K) - 1) / effectiveGroupSize(f, K);
}

/* The multiplier of group g of row n: the f32 scale, or the decoded E8M0 /
 * E4M3 block scale times the tensor scale (numerics::blockMultiplier). */
/* The multiplier of an E8M0 or E4M3 block scale code: its value times the
 * tensor scale (numerics::blockMultiplier). */
static float blockScaleMultiplier(const qcc_packed_weights *f, unsigned code) {
  float scale;
  if (f->scaleKind == QCC_SCALE_E8M0)
    scale = code == 0xFF ? floatFromBits(0x7FC00000u)
            : code == 0  ? 0x1p-127f
                         : floatFromBits((uint32_t)code << 23);
  else
    scale = minifloatWeight(QCC_PACKED_FP8E4M3, code);
  return scale * f->tensorScale;
}

static float groupMultiplier(const qcc_packed_weights *f, int64_t groups,
                             int64_t n, int64_t g) {
  const int64_t at = n * groups + g;
  if (f->scaleKind == QCC_SCALE_F32)
    return ((const float *)f->scales)[at];
  return blockScaleMultiplier(f, ((const uint8_t *)f->scales)[at]);
}

static int groupZeroPoint(const qcc_packed_weights *f, int64_t groups,
                          int64_t n, int64_t g) {
  return f->zeroPoints ? f->zeroPoints[n * groups + g] : 0;
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
  return minifloatWeight(f->format, code) * multiplier;
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

#if QCC_HAVE_X86

enum { kPackedTileRows = 4 }; /* rows of W (and of X) per register tile */

/* Jobs below this many multiply-adds run on one thread. */
static const int64_t kPackedParallelWork = (int64_t)1 << 22;

/* The rows [begin, end) of W one thread computes. */
typedef struct {
  const void *job;
  int64_t begin, end;
} PackedPart;

/* Runs fn over the rows of W split among `threads` parts of whole tiles. */
static void splitRows(void *(*fn)(void *), const void *job, int64_t N,
                      int64_t work, int threads) {
  if (work < kPackedParallelWork)
    threads = 1;
  const int64_t tiles = (N + kPackedTileRows - 1) / kPackedTileRows;
  if (threads > tiles)
    threads = (int)tiles;
  if (threads < 1)
    threads = 1;
  PackedPart parts[64];
  if (threads > 64)
    threads = 64;
  for (int t = 0; t < threads; ++t) {
    parts[t].job = job;
    parts[t].begin = tiles * t / threads * kPackedTileRows;
    parts[t].end = tiles * (t + 1) / threads * kPackedTileRows;
    if (parts[t].end > N)
      parts[t].end = N;
  }
  runParallel(fn, parts, sizeof(PackedPart), threads);
}

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
        last ? _mm512_maskz_loadu_epi8(
                   left >= 64 ? ~(__mmask64)0 : ((__mmask64)1 << left) - 1, at)
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
  int8_t *x = (int8_t *)calloc((size_t)(M * padded), 1);
  int32_t *offset = (int32_t *)malloc((size_t)M * sizeof(int32_t));
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
  splitRows(s8PackedPart, &job, N, M * N * K, threads);
  free(x);
  free(offset);
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

void qcc_ukernel_matmul_s8_packed(int64_t M, int64_t N, int64_t K,
                                  const int8_t *X, int64_t ldx,
                                  const uint8_t *W, int bits, int32_t *Y,
                                  int64_t ldy, int threads) {
  if (M <= 0 || N <= 0 || K <= 0)
    return;
#if QCC_HAVE_X86
  if (qcc_ukernel_has_vnni()) {
    s8PackedVnni(M, N, K, X, ldx, W, bits, Y, ldy, threads);
    return;
  }
#endif
  (void)threads;
  qcc_ukernel_matmul_s8_packed_reference(M, N, K, X, ldx, W, bits, Y, ldy);
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
  if (qcc_ukernel_has_vnni() && (effectiveGroupSize(format, K) == K ||
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
        job.scaleValues[code] = blockScaleMultiplier(format, code);
    /* The table the 4-bit and FP6 decoders index (FP6: magnitudes). */
    for (int c = 0; c < 32; ++c)
      job.codeValues[c] =
          format->format == QCC_PACKED_INT4    ? (float)(c < 8 ? c : c - 16)
          : format->format == QCC_PACKED_UINT4 ? (float)c
          : isIntegerFormat(format->format) || packedBits(format->format) >= 8
              ? 0.0f
              : minifloatWeight(format->format, (unsigned)c);
    splitRows(f32PackedPart, &job, N, M * N * K, threads);
    return;
  }
#endif
  (void)threads;
  qcc_ukernel_matmul_f32_packed_reference(M, N, K, X, ldx, W, format, Y, ldy);
}

/* The entry points generated code calls, with MLIR memref descriptors (C
 * interface). matmul: A [M][K], B [batch][K][P], C [batch][M][P] with unit
 * inner strides. conv2d: x [N][C][H][W], w [M][C][KH][KW], out
 * [N][M][OH][OW], contiguous. */
typedef struct {
  int8_t *allocated, *aligned;
  int64_t offset, sizes[2], strides[2];
} qcc_memref_i8_2d;
typedef struct {
  int8_t *allocated, *aligned;
  int64_t offset, sizes[3], strides[3];
} qcc_memref_i8_3d;
typedef struct {
  int32_t *allocated, *aligned;
  int64_t offset, sizes[3], strides[3];
} qcc_memref_i32_3d;
typedef struct {
  int8_t *allocated, *aligned;
  int64_t offset, sizes[4], strides[4];
} qcc_memref_i8_4d;
typedef struct {
  int32_t *allocated, *aligned;
  int64_t offset, sizes[4], strides[4];
} qcc_memref_i32_4d;

void _mlir_ciface_qcc_ukernel_matmul(qcc_memref_i8_2d *A, qcc_memref_i8_3d *B,
                                     qcc_memref_i32_3d *C) {
  qcc_ukernel_matmul_s8s8s32(
      C->sizes[0], C->sizes[1], C->sizes[2], A->sizes[1],
      A->aligned + A->offset, A->strides[0], B->aligned + B->offset,
      B->strides[0], B->strides[1], C->aligned + C->offset, C->strides[0],
      C->strides[1], qcc_ukernel_num_threads());
}

void _mlir_ciface_qcc_ukernel_conv2d(qcc_memref_i8_4d *x, qcc_memref_i8_4d *w,
                                     qcc_memref_i32_4d *out, int64_t sh,
                                     int64_t sw, int64_t dh, int64_t dw,
                                     int64_t constantWeights) {
  qcc_ukernel_conv2d_nchw_s8s8s32(
      x->sizes[0], x->sizes[1], x->sizes[2], x->sizes[3],
      x->aligned + x->offset, w->sizes[0], w->sizes[2], w->sizes[3],
      w->aligned + w->offset, out->sizes[2], out->sizes[3],
      out->aligned + out->offset, sh, sw, dh, dw, (int)constantWeights,
      qcc_ukernel_num_threads());
}

typedef struct {
  int32_t *allocated, *aligned;
  int64_t offset, sizes[1], strides[1];
} qcc_memref_i32_1d;
typedef struct {
  int8_t *allocated, *aligned;
  int64_t offset, sizes[1], strides[1];
} qcc_memref_i8_1d;

/* conv2d with the requantization fused: bias [M], multiplier and shift [M]
 * (or [1] for one scale), out int8 [N][M][OH][OW]. */
void _mlir_ciface_qcc_ukernel_conv2d_requant(
    qcc_memref_i8_4d *x, qcc_memref_i8_4d *w, qcc_memref_i32_1d *bias,
    qcc_memref_i8_4d *out, qcc_memref_i32_1d *multiplier,
    qcc_memref_i8_1d *shift, int64_t sh, int64_t sw, int64_t dh, int64_t dw,
    int64_t outZp, int64_t lo, int64_t hi, int64_t constantWeights) {
  qcc_ukernel_conv2d_requant(
      x->sizes[0], x->sizes[1], x->sizes[2], x->sizes[3],
      x->aligned + x->offset, w->sizes[0], w->sizes[2], w->sizes[3],
      w->aligned + w->offset, bias->aligned + bias->offset, out->sizes[2],
      out->sizes[3], out->aligned + out->offset, sh, sw, dh, dw,
      multiplier->aligned + multiplier->offset, shift->aligned + shift->offset,
      multiplier->sizes[0] > 1, (int32_t)outZp, (int32_t)lo, (int32_t)hi,
      (int)constantWeights, qcc_ukernel_num_threads());
}

typedef struct {
  int32_t *allocated, *aligned;
  int64_t offset, sizes[2], strides[2];
} qcc_memref_i32_2d;
typedef struct {
  float *allocated, *aligned;
  int64_t offset, sizes[1], strides[1];
} qcc_memref_f32_1d;
typedef struct {
  float *allocated, *aligned;
  int64_t offset, sizes[2], strides[2];
} qcc_memref_f32_2d;

/* Matrix products on packed weight rows w [N][K] (qcc-cpu-convert-qc-to-linalg's
 * calls for qc.matmul / qc.gemm on qc.unpack): y [M][N] = x [M][K] w^T +
 * bias, where bias is [N] or has no elements (none). Inner strides are 1. */
void _mlir_ciface_qcc_ukernel_matmul_s8_packed(qcc_memref_i8_2d *x,
                                               qcc_memref_i8_1d *w,
                                               qcc_memref_i32_1d *bias,
                                               qcc_memref_i32_2d *y,
                                               int64_t bits) {
  const int64_t M = y->sizes[0], N = y->sizes[1];
  int32_t *Y = y->aligned + y->offset;
  const int32_t *b = bias->aligned + bias->offset;
  for (int64_t m = 0; m < M; ++m)
    for (int64_t n = 0; n < N; ++n)
      Y[m * y->strides[0] + n] = bias->sizes[0] ? b[n * bias->strides[0]] : 0;
  qcc_ukernel_matmul_s8_packed(
      M, N, x->sizes[1], x->aligned + x->offset, x->strides[0],
      (const uint8_t *)(w->aligned + w->offset), (int)bits, Y, y->strides[0],
      qcc_ukernel_num_threads());
}

/* y = bias (or 0) + x w^T on the packed rows `w` described by `weights`. */
static void f32PackedCall(qcc_memref_f32_2d *x, qcc_memref_i8_1d *w,
                          const qcc_packed_weights *weights,
                          qcc_memref_f32_1d *bias, qcc_memref_f32_2d *y) {
  const int64_t M = y->sizes[0], N = y->sizes[1];
  float *Y = y->aligned + y->offset;
  const float *b = bias->aligned + bias->offset;
  for (int64_t m = 0; m < M; ++m)
    for (int64_t n = 0; n < N; ++n)
      Y[m * y->strides[0] + n] = bias->sizes[0] ? b[n * bias->strides[0]] : 0;
  qcc_ukernel_matmul_f32_packed(
      M, N, x->sizes[1], x->aligned + x->offset, x->strides[0],
      (const uint8_t *)(w->aligned + w->offset), weights, Y, y->strides[0],
      qcc_ukernel_num_threads());
}

/* The same with f32 x and y, w's codes dequantized by `format` (QCC_PACKED_*)
 * with f32 scales [N][groups] of groups of `groupSize` along K and int8
 * zero points of the same shape (or no elements: zero). */
void _mlir_ciface_qcc_ukernel_matmul_f32_packed(
    qcc_memref_f32_2d *x, qcc_memref_i8_1d *w, qcc_memref_f32_1d *scales,
    qcc_memref_i8_1d *zeroPoints, qcc_memref_f32_1d *bias, qcc_memref_f32_2d *y,
    int64_t format, int64_t groupSize) {
  qcc_packed_weights weights = {
      (int)format,
      QCC_SCALE_F32,
      groupSize,
      scales->aligned + scales->offset,
      zeroPoints->sizes[0] ? zeroPoints->aligned + zeroPoints->offset : NULL,
      1.0f};
  f32PackedCall(x, w, &weights, bias, y);
}

/* The same with block-scaled weights (OCP MX: scaleKind QCC_SCALE_E8M0,
 * NVFP4: QCC_SCALE_E4M3 times the tensor scale, given as its f32 bits):
 * scale codes [N][K / blockSize]. */
void _mlir_ciface_qcc_ukernel_matmul_f32_block_packed(
    qcc_memref_f32_2d *x, qcc_memref_i8_1d *w, qcc_memref_i8_1d *scales,
    qcc_memref_f32_1d *bias, qcc_memref_f32_2d *y, int64_t format,
    int64_t blockSize, int64_t scaleKind, int64_t tensorScaleBits) {
  qcc_packed_weights weights = {
      (int)format, (int)scaleKind,
      blockSize,   scales->aligned + scales->offset,
      NULL,        floatFromBits((uint32_t)tensorScaleBits)};
  f32PackedCall(x, w, &weights, bias, y);
}
