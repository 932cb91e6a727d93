/*===- GemmF32.c - Float products on f32 weight rows, columns in lanes ---===*
 *
 * qcc_ukernel_matmul_f32_rows: y[m][n] = bias[n] + sum_k x[m][k] w[n][k]
 * for a float model's linear layers applied to several rows at once (a
 * transformer's tokens). The weight rows are packed once per process as
 * panels of `width` output columns, [Np / width][K][width]; a tile keeps
 * MR rows x NR vectors of columns in registers and broadcasts x[m][k] from
 * x's rows as they are, so its sums are pieces of y's rows, stored as
 * vectors. The dot-product kernel of the packed formats (four weight rows
 * against four rows of x, each sum reduced across its lanes at the end)
 * ran ViT's 192- and 768-wide layers at about 160 GFLOP/s on Zen 5.
 * Written once in GCC/clang vector types and compiled per ISA tier:
 * AVX-512 (tiles of 24 of the 32 registers: 12 x 2, 8 x 3, 6 x 4 zmm),
 * AVX2 + FMA and generic (6 x 2, 5 x 2, 4 x 2 vectors of 8: at most 12
 * of the 16 registers hold sums; a 4 x 3 tile, which leaves none spare,
 * ran ViT's 37-row layers at a quarter of the speed). Sums are formed in
 * float in k order per output.
 *
 *===----------------------------------------------------------------------===*/

#include "Internal.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

typedef struct GemmJob GemmJob;
typedef void (*GemmTileFn)(const GemmJob *job, int64_t m0, int64_t n0);

struct GemmJob {
  int64_t M, N, K, ldx, ldy;
  const float *x;
  /* x's rows in blocks of `rows`, [Mp / rows][K][rows] (the last row
   * repeated past M): a tile broadcasts from one pointer at fixed offsets
   * (twelve row pointers of their own had spilled). */
  float *rowBlocks;
  const float *panels; /* [Np / width][K][width] */
  const float *bias;   /* [Np], zeros past N */
  float *y;
  int rows;      /* of x per tile (MR) */
  int64_t width; /* columns per tile: NR vectors */
  GemmTileFn tile;
};

/* Row r of x at step k, from its block (`block`, [K][MR]). */
#define QCC_GEMM_BLOCK_VALUE(k, r, MR) block[(k) * (MR) + (r)]

/* One tile: rows [m0, m0 + MR) by columns [n0, n0 + NR * VL) over all of
 * K, x's rows read from their block, [K][MR]. */
#define QCC_DEFINE_GEMM_F32_TILE(SUFFIX, ATTR, VL, MR, NR)                     \
  ATTR static void gemmTile##SUFFIX##MR##x##NR(const GemmJob *job, int64_t m0, \
                                               int64_t n0) {                   \
    float sums[MR][NR * VL];                                                   \
    const float *block = job->rowBlocks + m0 * job->K;                         \
    QCC_F32_LANE_SUMS(Vec##SUFFIX, VL, MR, NR, QCC_GEMM_BLOCK_VALUE,           \
                      job->panels + n0 * job->K, job->bias + n0, job->K,       \
                      sums);                                                   \
    const int64_t cols = job->N - n0;                                          \
    for (int r = 0; r < MR && m0 + r < job->M; ++r) {                          \
      float *dst = job->y + (m0 + r) * job->ldy + n0;                          \
      if (cols >= NR * VL)                                                     \
        memcpy(dst, sums[r], sizeof sums[r]);                                  \
      else                                                                     \
        memcpy(dst, sums[r], (size_t)cols * sizeof(float));                    \
    }                                                                          \
  }

typedef struct {
  int rows, vectors;
  GemmTileFn tile;
} GemmTile;

#define QCC_GEMM_F32_TILES_16(SUFFIX, ATTR)                                    \
  typedef float Vec##SUFFIX __attribute__((vector_size(32)));                  \
  QCC_DEFINE_GEMM_F32_TILE(SUFFIX, ATTR, 8, 6, 2)                              \
  QCC_DEFINE_GEMM_F32_TILE(SUFFIX, ATTR, 8, 5, 2)                              \
  QCC_DEFINE_GEMM_F32_TILE(SUFFIX, ATTR, 8, 4, 2)                              \
  static const GemmTile kTiles##SUFFIX[] = {{6, 2, gemmTile##SUFFIX##6x2},     \
                                            {5, 2, gemmTile##SUFFIX##5x2},     \
                                            {4, 2, gemmTile##SUFFIX##4x2},     \
                                            {0, 0, 0}};

QCC_GEMM_F32_TILES_16(Generic, )
#if QCC_HAVE_X86
QCC_GEMM_F32_TILES_16(Avx2, QCC_AVX2)
typedef float VecAvx512 __attribute__((vector_size(64)));
QCC_DEFINE_GEMM_F32_TILE(Avx512, QCC_VNNI, 16, 12, 2)
QCC_DEFINE_GEMM_F32_TILE(Avx512, QCC_VNNI, 16, 8, 3)
QCC_DEFINE_GEMM_F32_TILE(Avx512, QCC_VNNI, 16, 6, 4)
static const GemmTile kTilesAvx512[] = {{12, 2, gemmTileAvx51212x2},
                                        {8, 3, gemmTileAvx5128x3},
                                        {6, 4, gemmTileAvx5126x4},
                                        {0, 0, 0}};
#endif

/* The tile that computes the fewest sums for M x N, ties to the first. */
static const GemmTile *chooseTile(const GemmTile *tiles, int64_t M, int64_t N,
                                  int vl) {
  const GemmTile *best = NULL;
  int64_t bestSums = 0;
  for (const GemmTile *t = tiles; t->tile; ++t) {
    const int64_t width = (int64_t)t->vectors * vl;
    const int64_t sums = (M + t->rows - 1) / t->rows * t->rows *
                         ((N + width - 1) / width * width);
    if (!best || sums < bestSums) {
      best = t;
      bestSums = sums;
    }
  }
  return best;
}

/* w's rows [N][K] as panels of `width` columns, [Np / width][K][width],
 * zeros past N. */
static qccUkernelPacked packColumnPanels(const void *A, int64_t N, int64_t K,
                                         int64_t lda, int64_t width) {
  return qccUkernelPackF32Blocks((const float *)A, N, K, lda, width);
}

/* A thread's share: column panels x row blocks. */
static void *gemmPart(void *arg) {
  const qccUkernelPanelPart *part = (const qccUkernelPanelPart *)arg;
  const GemmJob *job = (const GemmJob *)part->job;
  for (int64_t q = part->panelBegin; q < part->panelEnd; ++q) {
    int64_t first, last;
    qccUkernelPartBlocks(part, q, &first, &last);
    for (int64_t blk = first; blk < last; ++blk)
      job->tile(job, blk * job->rows, q * job->width);
  }
  return NULL;
}

void qcc_ukernel_matmul_f32_rows(int64_t M, int64_t N, int64_t K,
                                 const float *x, int64_t ldx, const float *w,
                                 const float *bias, float *y, int64_t ldy,
                                 int constantWeights, int threads) {
  if (M <= 0 || N <= 0)
    return;
  if (K <= 0) { /* empty sums: the bias */
    for (int64_t m = 0; m < M; ++m)
      for (int64_t n = 0; n < N; ++n)
        y[m * ldy + n] = bias ? bias[n] : 0.0f;
    return;
  }
  const int tier = qcc_ukernel_cpu_tier();
  int vl = 8;
  const GemmTile *tiles = kTilesGeneric;
#if QCC_HAVE_X86
  if (tier >= QCC_CPU_TIER_AVX512VNNI) {
    vl = 16;
    tiles = kTilesAvx512;
  } else if (tier >= QCC_CPU_TIER_AVX2) {
    tiles = kTilesAvx2;
  }
#else
  (void)tier;
#endif
  const GemmTile *tile = chooseTile(tiles, M, N, vl);
  GemmJob job = {0};
  job.M = M;
  job.N = N;
  job.K = K;
  job.x = x;
  job.ldx = ldx;
  job.y = y;
  job.ldy = ldy;
  job.rows = tile->rows;
  job.width = (int64_t)tile->vectors * vl;
  job.tile = tile->tile;
  const int64_t Np = (N + job.width - 1) / job.width * job.width;
  float *paddedBias = calloc((size_t)Np, sizeof(float));
  if (!paddedBias)
    abort();
  if (bias)
    memcpy(paddedBias, bias, (size_t)N * sizeof(float));
  job.bias = paddedBias;
  int owned;
  qccUkernelPacked packed = qccUkernelGetPacked(
      w, N, K, K, job.width, constantWeights, packColumnPanels, &owned);
  job.panels = packed.data;
  const int64_t blocks = (M + job.rows - 1) / job.rows;
  job.rowBlocks = malloc((size_t)(blocks * job.rows * K) * sizeof(float));
  if (!job.rowBlocks)
    abort();
  for (int64_t m = 0; m < blocks * job.rows; ++m) {
    const float *row = x + (m < M ? m : M - 1) * ldx;
    float *to =
        job.rowBlocks + (m / job.rows) * job.K * job.rows + m % job.rows;
    for (int64_t k = 0; k < job.K; ++k)
      to[k * job.rows] = row[k];
  }
  qccUkernelSplitPanels(gemmPart, &job, blocks, Np / job.width,
                        qccUkernelThreadsForWork((double)M * N * K, threads));
  if (owned)
    qccUkernelFreePacked(packed);
  free(job.rowBlocks);
  free(paddedBias);
}
