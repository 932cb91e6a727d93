/*===- ConvF32.c - Float convolution as an implicit GEMM ------------*- C
 *-*-===*
 *
 * qcc_ukernel_conv2d_f32: the float models' convolutions (group 1),
 * out[n] (M x OH*OW) = bias + w (M x C*KH*KW) * im2col(x[n]), the im2col
 * matrix gathered panel by panel and never stored, as the int8 kernels do.
 *
 * B (im2col) is packed per panel of NR vectors as [K][NR * VL] floats, A
 * (the weights) per block of MR rows as [K][MR] floats, so that each step
 * of k loads NR vectors of B and broadcasts MR weights into MR x NR
 * accumulators with FMAs. Written once in GCC/clang vector types and
 * compiled per ISA tier: AVX-512 (8 rows x 3 zmm: 24 of 32 registers hold
 * sums), AVX2 + FMA (4 x 3 ymm: 12 of 16) and generic (4 x 3 vectors of 8
 * the target splits). Panels are 2, 3 or 4 vectors wide, whichever wastes
 * the fewest columns of P (7 x 7 = 49 outputs: one panel of 4 zmm, 6 rows
 * per tile, not two of 3 zmm that compute 96 columns). Small planes with
 * many channels, where even those panels compute a tenth more than P,
 * swap the roles (channel lanes): the weights are packed once as panels of
 * output channels, im2col(x) is transposed into blocks of 6 to 12
 * positions, and the tile's sums are stored transposed (ResNet-18's 7 x 7
 * and 14 x 14 layers: 84-95 -> 104-110 GFLOP/s on Zen 4). x is read padded
 * by the convolution's pads from a copy the threads make. Sums are formed
 * in float in k order per output, so results may differ from other tiers'
 * and from the interpreter's in the last bits (fused multiply-adds), as
 * any float kernel's do. Threads split the panels (or the row blocks);
 * constant weights are packed once per process.
 *
 *===----------------------------------------------------------------------===*/

#include "Internal.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

typedef struct Job Job;
struct Job {
  qccUkernelInt8Problem pb; /* the geometry (the int8 fields unused) */
  const float *x, *bias;
  float lo, hi; /* the fused activation's bounds (Relu: 0, +inf) */
  float *out;
  int64_t Mp;
  int vectors; /* per panel: 2, 3 or 4 (the tile's NR) */
  /* A 1x1 stride-1 convolution of an unpadded image: B's rows are x's
   * planes, which the tiles read in place (whole panels) instead of a
   * packed copy. */
  int planesAreRows;
  const float *Ap; /* [Mp / MR][K][MR] */
  const int64_t *planeOffset;
  /* Channel lanes (laneTile): positions in rows, output channels in lanes. */
  float *positions;      /* [Pp / rows][K][rows]: im2col(x[n]) transposed */
  const float *Bp;       /* [Mp / width][K][width]: the weights by channels */
  const float *laneBias; /* [Mp] */
  int rows;              /* positions per tile */
  int64_t laneWidth;     /* output channels per tile */
  void (*laneTile)(const Job *job, const float *positions, const float *w,
                   int64_t p0, int64_t m0, float *out);
};

/* A as blocks of `rows` rows, [Mp / rows][K][rows], zeros past M. */
static qccUkernelPacked packBlocks(const void *A, int64_t M, int64_t K,
                                   int64_t lda, int rows) {
  return qccUkernelPackF32Blocks((const float *)A, M, K, lda, rows);
}

static qccUkernelPacked packBlocks4(const void *A, int64_t M, int64_t K,
                                    int64_t lda, int64_t taps) {
  (void)taps;
  return packBlocks(A, M, K, lda, 4);
}
static qccUkernelPacked packBlocks8(const void *A, int64_t M, int64_t K,
                                    int64_t lda, int64_t taps) {
  (void)taps;
  return packBlocks(A, M, K, lda, 8);
}
static qccUkernelPacked packBlocks6(const void *A, int64_t M, int64_t K,
                                    int64_t lda, int64_t taps) {
  (void)taps;
  return packBlocks(A, M, K, lda, 6);
}

/* The weights as panels of `width` output channels for the channel-lane
 * tiles, [Mp / width][K][width]: the row blocks' layout, `width` wide. */
static qccUkernelPacked packChannelPanels(const void *A, int64_t M, int64_t K,
                                          int64_t lda, int64_t width) {
  return packBlocks(A, M, K, lda, (int)width);
}

/* Columns [p0, p0 + width) of B = im2col(x[n]) as [K][width] floats, zeros
 * past P. */
__attribute__((always_inline)) static inline void
packPanel(const Job *job, const float *x, int64_t p0, int width, float *panel) {
  const qccUkernelInt8Problem *pb = &job->pb;
  const int64_t cols = pb->P - p0 < width ? pb->P - p0 : width;
  qccUkernelSegment segments[64];
  const int count = qccUkernelPlanSegments(pb, p0, cols, segments);
  for (int64_t k = 0; k < pb->K; ++k) {
    const float *plane = x + job->planeOffset[k];
    float *dst = panel + k * width;
    for (int s = 0; s < count; ++s) {
      const qccUkernelSegment *seg = &segments[s];
      const float *src = plane + seg->src;
      if (pb->sw == 1) /* rows of a few dozen floats: no libc call */
        qccUkernelCopyBytes(dst + seg->j0, src,
                            seg->n * (int64_t)sizeof(float));
      else
        for (int64_t i = 0; i < seg->n; ++i)
          dst[seg->j0 + i] = src[i * pb->sw];
    }
    for (int64_t j = cols; j < width; ++j)
      dst[j] = 0;
  }
}

/* One tile: MR rows x NR vectors of VL floats, over all of K; row k of the
 * panel at panel + k * ldp. */
#define QCC_DEFINE_CONV_F32_TILE(SUFFIX, ATTR, VL, MR, NR)                     \
  ATTR static void tile##SUFFIX##NR(const Job *job, const float *panel,        \
                                    int64_t ldp, int64_t m0, int64_t p0,       \
                                    float *out) {                              \
    const qccUkernelInt8Problem *pb = &job->pb;                                \
    const int64_t K = pb->K, cols = pb->P - p0;                                \
    Vec##SUFFIX acc[MR][NR];                                                   \
    for (int r = 0; r < MR; ++r) {                                             \
      const float b = m0 + r < pb->M ? job->bias[m0 + r] : 0.0f;               \
      for (int j = 0; j < NR; ++j)                                             \
        acc[r][j] = (Vec##SUFFIX){0} + b;                                      \
    }                                                                          \
    const float *a = job->Ap + m0 * K;                                         \
    for (int64_t k = 0; k < K; ++k) {                                          \
      Vec##SUFFIX b[NR];                                                       \
      memcpy(b, panel + k * ldp, sizeof b);                                    \
      for (int r = 0; r < MR; ++r) {                                           \
        const float w = a[k * MR + r];                                         \
        for (int j = 0; j < NR; ++j)                                           \
          acc[r][j] += w * b[j];                                               \
      }                                                                        \
    }                                                                          \
    for (int r = 0; r < MR && m0 + r < pb->M; ++r) {                           \
      float sums[NR * VL];                                                     \
      memcpy(sums, acc[r], sizeof sums);                                       \
      for (int i = 0; i < NR * VL; ++i)                                        \
        sums[i] = qccUkernelClampF32(sums[i], job->lo, job->hi);               \
      /* A whole row as vector stores; a variable size is a libc call (a       \
       * tenth of MobileNetV2 f32 when every row went through it). */          \
      if (cols >= NR * VL)                                                     \
        memcpy(out + (m0 + r) * pb->P + p0, sums, sizeof sums);                \
      else                                                                     \
        memcpy(out + (m0 + r) * pb->P + p0, sums,                              \
               (size_t)cols * sizeof(float));                                  \
    }                                                                          \
  }

/* One channel-lane tile: MR positions x NR vectors of VL output channels,
 * over all of K; the sums are stored transposed into the [M][P] output.
 * For small planes, where a panel of positions would compute mostly
 * padding (7 x 7 = 49 positions in a panel of 64). */
#define QCC_DEFINE_CONV_F32_LANE_TILE(SUFFIX, ATTR, VL, MR, NR)                \
  ATTR static void laneTile##SUFFIX##MR##x##NR(                                \
      const Job *job, const float *positions, const float *w, int64_t p0,      \
      int64_t m0, float *out) {                                                \
    const qccUkernelInt8Problem *pb = &job->pb;                                \
    float sums[MR][NR * VL];                                                   \
    QCC_F32_LANE_SUMS(Vec##SUFFIX, VL, MR, NR, positions, w,                   \
                      job->laneBias + m0, pb->K, sums);                        \
    const int rows = pb->P - p0 < MR ? (int)(pb->P - p0) : MR;                 \
    const int lanes = pb->M - m0 < NR * VL ? (int)(pb->M - m0) : NR * VL;      \
    for (int c = 0; c < lanes; ++c) {                                          \
      float *dst = out + (m0 + c) * pb->P + p0;                                \
      for (int r = 0; r < rows; ++r)                                           \
        dst[r] = qccUkernelClampF32(sums[r][c], job->lo, job->hi);             \
    }                                                                          \
  }

/* One tier's kernel: its tiles (MR rows x 2, 3 or 4 vectors of VL floats;
 * MR4 rows for 4 vectors) and a thread's share of panels and row blocks.
 * The panel width is chosen per call (choosePanelVectors). */
#define QCC_DEFINE_CONV_F32_TIER(SUFFIX, ATTR, VL, MR, MR4)                    \
  typedef float Vec##SUFFIX __attribute__((vector_size(VL * 4)));              \
  QCC_DEFINE_CONV_F32_TILE(SUFFIX, ATTR, VL, MR, 2)                            \
  QCC_DEFINE_CONV_F32_TILE(SUFFIX, ATTR, VL, MR, 3)                            \
  QCC_DEFINE_CONV_F32_TILE(SUFFIX, ATTR, VL, MR4, 4)                           \
                                                                               \
  ATTR static void *part##SUFFIX(void *arg) {                                  \
    const qccUkernelPanelPart *part = (const qccUkernelPanelPart *)arg;        \
    const Job *job = (const Job *)part->job;                                   \
    const qccUkernelInt8Problem *pb = &job->pb;                                \
    const int width = job->vectors * VL;                                       \
    const int rows = job->vectors == 4 ? MR4 : MR;                             \
    const size_t bytes = (size_t)(pb->K * width) * sizeof(float);              \
    float *panel = qccUkernelScratch(bytes, 0);                                \
    for (int64_t n = 0; n < pb->batch; ++n) {                                  \
      const float *x = job->x + n * pb->strideB;                               \
      float *out = job->out + n * pb->M * pb->P;                               \
      for (int64_t q = part->panelBegin; q < part->panelEnd; ++q) {            \
        int64_t first, last;                                                   \
        qccUkernelPartBlocks(part, q, &first, &last);                          \
        const float *b = panel;                                                \
        int64_t ldp = width;                                                   \
        if (job->planesAreRows && (q + 1) * width <= pb->P) {                  \
          b = x + q * width;                                                   \
          ldp = pb->P;                                                         \
        } else {                                                               \
          packPanel(job, x, q *width, width, panel);                           \
        }                                                                      \
        for (int64_t blk = first; blk < last; ++blk) {                         \
          if (job->vectors == 2)                                               \
            tile##SUFFIX##2(job, b, ldp, blk * rows, q * width, out);          \
          else if (job->vectors == 3)                                          \
            tile##SUFFIX##3(job, b, ldp, blk * rows, q * width, out);          \
          else                                                                 \
            tile##SUFFIX##4(job, b, ldp, blk * rows, q * width, out);          \
        }                                                                      \
      }                                                                        \
    }                                                                          \
    qccUkernelFree(panel);                                                     \
    return NULL;                                                               \
  }

/* 4 vectors only on AVX-512: the other tiers' 4-vector tile is never run. */
QCC_DEFINE_CONV_F32_TIER(Generic, , 8, 4, 4)
#if QCC_HAVE_X86
QCC_DEFINE_CONV_F32_TIER(Avx2, QCC_AVX2, 8, 4, 4)
QCC_DEFINE_CONV_F32_TIER(Avx512, QCC_VNNI, 16, 8, 6)
#endif

/* The channel-lane tiles of a tier: MR positions x NR vectors, the sums
 * and a vector per column of weights, plus a broadcast, in the registers
 * (16 on AVX2 and generic, 32 on AVX-512). */
typedef struct {
  int rows, vectors;
  void (*tile)(const Job *, const float *, const float *, int64_t, int64_t,
               float *);
} LaneTile;

#define QCC_LANE_TILES_16(SUFFIX, ATTR)                                        \
  QCC_DEFINE_CONV_F32_LANE_TILE(SUFFIX, ATTR, 8, 4, 2)                         \
  QCC_DEFINE_CONV_F32_LANE_TILE(SUFFIX, ATTR, 8, 5, 2)                         \
  QCC_DEFINE_CONV_F32_LANE_TILE(SUFFIX, ATTR, 8, 6, 2)                         \
  QCC_DEFINE_CONV_F32_LANE_TILE(SUFFIX, ATTR, 8, 3, 3)                         \
  QCC_DEFINE_CONV_F32_LANE_TILE(SUFFIX, ATTR, 8, 4, 3)                         \
  static const LaneTile kLaneTiles##SUFFIX[] = {                               \
      {4, 2, laneTile##SUFFIX##4x2}, {5, 2, laneTile##SUFFIX##5x2},            \
      {6, 2, laneTile##SUFFIX##6x2}, {3, 3, laneTile##SUFFIX##3x3},            \
      {4, 3, laneTile##SUFFIX##4x3}, {0, 0, NULL}};

QCC_LANE_TILES_16(Generic, )
#if QCC_HAVE_X86
QCC_LANE_TILES_16(Avx2, QCC_AVX2)
QCC_DEFINE_CONV_F32_LANE_TILE(Avx512, QCC_VNNI, 16, 6, 2)
QCC_DEFINE_CONV_F32_LANE_TILE(Avx512, QCC_VNNI, 16, 7, 2)
QCC_DEFINE_CONV_F32_LANE_TILE(Avx512, QCC_VNNI, 16, 8, 2)
QCC_DEFINE_CONV_F32_LANE_TILE(Avx512, QCC_VNNI, 16, 9, 2)
QCC_DEFINE_CONV_F32_LANE_TILE(Avx512, QCC_VNNI, 16, 12, 2)
QCC_DEFINE_CONV_F32_LANE_TILE(Avx512, QCC_VNNI, 16, 6, 3)
QCC_DEFINE_CONV_F32_LANE_TILE(Avx512, QCC_VNNI, 16, 7, 3)
QCC_DEFINE_CONV_F32_LANE_TILE(Avx512, QCC_VNNI, 16, 8, 3)
QCC_DEFINE_CONV_F32_LANE_TILE(Avx512, QCC_VNNI, 16, 6, 4)
static const LaneTile kLaneTilesAvx512[] = {
    {6, 2, laneTileAvx5126x2},   {7, 2, laneTileAvx5127x2},
    {8, 2, laneTileAvx5128x2},   {9, 2, laneTileAvx5129x2},
    {12, 2, laneTileAvx51212x2}, {6, 3, laneTileAvx5126x3},
    {7, 3, laneTileAvx5127x3},   {8, 3, laneTileAvx5128x3},
    {6, 4, laneTileAvx5126x4},   {0, 0, NULL}};
#endif

/* The channel-lane tile that computes the fewest sums for P positions x M
 * channels, ties to the one with more sums per tile; *computed is its
 * count. */
static const LaneTile *chooseLaneTile(const LaneTile *tiles, int64_t P,
                                      int64_t M, int vl, int64_t *computed) {
  const LaneTile *best = NULL;
  for (const LaneTile *t = tiles; t->tile; ++t) {
    const int64_t width = (int64_t)t->vectors * vl;
    const int64_t sums = (P + t->rows - 1) / t->rows * t->rows *
                         ((M + width - 1) / width * width);
    if (!best || sums < *computed ||
        (sums == *computed &&
         t->rows * t->vectors > best->rows * best->vectors)) {
      best = t;
      *computed = sums;
    }
  }
  return best;
}

/* A thread's share of channel-lane tiles: channel panels (the packed
 * weights) x position blocks. */
static void *lanePart(void *arg) {
  const qccUkernelPanelPart *part = (const qccUkernelPanelPart *)arg;
  const Job *job = (const Job *)part->job;
  const int64_t K = job->pb.K;
  for (int64_t q = part->panelBegin; q < part->panelEnd; ++q) {
    int64_t first, last;
    qccUkernelPartBlocks(part, q, &first, &last);
    const float *w = job->Bp + q * K * job->laneWidth;
    for (int64_t blk = first; blk < last; ++blk)
      job->laneTile(job, job->positions + blk * K * job->rows, w,
                    blk * job->rows, q * job->laneWidth, job->out);
  }
  return NULL;
}

/* Positions [begin, end) blocks of im2col(x[n]) transposed,
 * [blocks][K][rows], zeros past P. */
static void *packPositionsPart(void *arg) {
  const PackedPart *part = (const PackedPart *)arg;
  const Job *job = (const Job *)part->job;
  const qccUkernelInt8Problem *pb = &job->pb;
  const int rows = job->rows;
  for (int64_t blk = part->begin; blk < part->end; ++blk) {
    int64_t base[16];
    int inside = 0;
    for (int r = 0; r < rows && blk * rows + r < pb->P; ++r, ++inside) {
      const int64_t p = blk * rows + r;
      base[r] = (p / pb->ow) * pb->sh * pb->width + (p % pb->ow) * pb->sw;
    }
    float *dst = job->positions + blk * pb->K * rows;
    for (int64_t k = 0; k < pb->K; ++k) {
      const float *plane = job->x + job->planeOffset[k];
      for (int r = 0; r < inside; ++r)
        dst[k * rows + r] = plane[base[r]];
      for (int r = inside; r < rows; ++r)
        dst[k * rows + r] = 0.0f;
    }
  }
  return NULL;
}

/* Vectors per panel: the fewest computed columns for P; ties to 3 (the
 * tile with the most sums per load), then to 4. At most `widest`: 4 only
 * with 32 vector registers. */
static int choosePanelVectors(int64_t P, int vl, int widest) {
  static const int kPreference[] = {3, 4, 2};
  int best = 0;
  int64_t bestCols = 0;
  for (int i = 0; i < 3; ++i) {
    const int nr = kPreference[i];
    const int64_t cols = (P + nr * vl - 1) / (nr * vl) * (nr * vl);
    if (nr <= widest && (!best || cols < bestCols)) {
      best = nr;
      bestCols = cols;
    }
  }
  return best;
}

void qcc_ukernel_conv2d_f32(int64_t N, int64_t C, int64_t H, int64_t W,
                            const float *x, const qcc_ukernel_padding *pad,
                            int64_t M, int64_t KH, int64_t KW, const float *w,
                            const float *bias, float lo, float hi, int64_t OH,
                            int64_t OW, float *out, int64_t sh, int64_t sw,
                            int64_t dh, int64_t dw, int constantWeights,
                            int threads) {
  if (N <= 0 || M <= 0 || OH <= 0 || OW <= 0 || C * KH * KW <= 0)
    return;
  const qcc_ukernel_padding none = {0, 0, 0, 0, 0};
  if (!pad) /* NULL: no padding */
    pad = &none;
  Job job = {0};
  qccUkernelInt8Problem *pb = &job.pb;
  pb->batch = N;
  pb->M = M;
  pb->P = OH * OW;
  pb->K = C * KH * KW;
  pb->channels = C;
  pb->height = H;
  pb->width = W;
  pb->kh = KH;
  pb->kw = KW;
  pb->ow = OW;
  pb->sh = sh;
  pb->sw = sw;
  pb->dh = dh;
  pb->dw = dw;
  job.bias = bias;
  job.lo = lo;
  job.hi = hi;

  const int tier = qcc_ukernel_cpu_tier();
  int vl = 8, wide = 0;
  void *(*run)(void *) = partGeneric;
  const LaneTile *laneTiles = kLaneTilesGeneric;
#if QCC_HAVE_X86
  if (tier >= QCC_CPU_TIER_AVX512VNNI) {
    vl = 16;
    wide = 1;
    run = partAvx512;
    laneTiles = kLaneTilesAvx512;
  } else if (tier >= QCC_CPU_TIER_AVX2) {
    run = partAvx2;
    laneTiles = kLaneTilesAvx2;
  }
#else
  (void)tier;
#endif
  job.vectors = choosePanelVectors(pb->P, vl, wide ? 4 : 3);
  /* Rows per tile: 8 on AVX-512 (6 with 4 vectors), else 4. */
  const int rows = wide ? (job.vectors == 4 ? 6 : 8) : 4;
  const int64_t width = job.vectors * vl;
  const int64_t panelSums =
      (M + rows - 1) / rows * rows * ((pb->P + width - 1) / width * width);
  int64_t laneSums;
  const LaneTile *lane = chooseLaneTile(laneTiles, pb->P, M, vl, &laneSums);
  threads = qccUkernelThreadsForWork((double)N * M * pb->P * pb->K, threads);
  /* Both kinds of tile read the image through its padded geometry: a
   * padded copy, made by all threads (the generated code makes none). */
  void *padded = NULL;
  job.x = x;
  if (qccUkernelHasPadding(pad)) {
    padded =
        qccUkernelPadPlanes(x, N * C, H, W, pad, sizeof(float), 0, threads);
    job.x = padded;
    pb->height = H + pad->top + pad->bottom;
    pb->width = W + pad->left + pad->right;
  }
  pb->strideB = C * pb->height * pb->width;
  job.planesAreRows = KH == 1 && KW == 1 && sh == 1 && sw == 1 && !padded;
  int64_t *planeOffset = qccUkernelPlaneOffsets(pb, pb->K);
  job.planeOffset = planeOffset;
  int owned;
  qccUkernelPacked packed;
  /* Small planes, where panels of positions compute a tenth more: positions
   * in rows, output channels in lanes. Not for less: the transposed image
   * (K x P floats) is written and read once more, and the stores scatter
   * (ResNet-18's 28 x 28 layers: 4% fewer sums, 8% slower). */
  if (laneSums * 10 < panelSums * 9) {
    job.rows = lane->rows;
    job.vectors = lane->vectors;
    job.laneWidth = (int64_t)lane->vectors * vl;
    job.laneTile = lane->tile;
    job.Mp = (M + job.laneWidth - 1) / job.laneWidth * job.laneWidth;
    packed = qccUkernelGetPacked(w, M, pb->K, pb->K, job.laneWidth,
                                 constantWeights, packChannelPanels, &owned);
    job.Bp = packed.data;
    const int64_t blocks = (pb->P + job.rows - 1) / job.rows;
    float *laneBias = calloc((size_t)job.Mp, sizeof(float));
    float *positions =
        malloc((size_t)(blocks * job.rows * pb->K) * sizeof(float));
    if (!laneBias || !positions)
      abort();
    memcpy(laneBias, bias, (size_t)M * sizeof(float));
    job.laneBias = laneBias;
    job.positions = positions;
    const float *images = job.x;
    for (int64_t n = 0; n < N; ++n) {
      job.x = images + n * pb->strideB;
      job.out = out + n * M * pb->P;
      qccUkernelSplitPlanes(packPositionsPart, &job, blocks, blocks * pb->K,
                            kRepackParallelBytes / 4, threads);
      qccUkernelSplitPanels(lanePart, &job, blocks, job.Mp / job.laneWidth,
                            threads);
    }
    free(positions);
    free(laneBias);
  } else {
    job.out = out;
    const qccUkernelPackFn pack =
        wide ? (job.vectors == 4 ? packBlocks6 : packBlocks8) : packBlocks4;
    job.Mp = (M + rows - 1) / rows * rows;
    packed = qccUkernelGetPacked(w, M, pb->K, pb->K, 1, constantWeights, pack,
                                 &owned);
    job.Ap = packed.data;
    qccUkernelSplitPanels(run, &job, job.Mp / rows, (pb->P + width - 1) / width,
                          threads);
  }
  if (owned)
    qccUkernelFreePacked(packed);
  free(planeOffset);
  qccUkernelFree(padded);
}

/* A grouped convolution; each thread takes whole groups of every image. */
typedef struct {
  int64_t N, C, H, W, M, KH, KW, OH, OW, sh, sw, dh, dw, groups;
  const float *x, *w, *bias;
  const qcc_ukernel_padding *pad;
  float lo, hi, *out;
  int constantWeights;
} GroupedJob;

static void *runGroups(void *arg) {
  const PackedPart *part = arg; /* groups [begin, end) */
  const GroupedJob *j = part->job;
  const int64_t Cg = j->C / j->groups, Mg = j->M / j->groups;
  for (int64_t n = 0; n < j->N; ++n)
    for (int64_t g = part->begin; g < part->end; ++g)
      qcc_ukernel_conv2d_f32(
          1, Cg, j->H, j->W, j->x + (n * j->C + g * Cg) * j->H * j->W, j->pad,
          Mg, j->KH, j->KW, j->w + g * Mg * Cg * j->KH * j->KW,
          j->bias + g * Mg, j->lo, j->hi, j->OH, j->OW,
          j->out + (n * j->M + g * Mg) * j->OH * j->OW, j->sh, j->sw, j->dh,
          j->dw, j->constantWeights, 1);
  return NULL;
}

void qcc_ukernel_grouped_conv2d_f32(
    int64_t N, int64_t C, int64_t H, int64_t W, const float *x,
    const qcc_ukernel_padding *pad, int64_t M, int64_t KH, int64_t KW,
    const float *w, const float *bias, float lo, float hi, int64_t OH,
    int64_t OW, float *out, int64_t sh, int64_t sw, int64_t dh, int64_t dw,
    int constantWeights, int64_t groups, int threads) {
  if (N <= 0 || M <= 0 || OH <= 0 || OW <= 0 || C * KH * KW <= 0 ||
      groups <= 0 || C % groups || M % groups)
    return;
  if (groups == 1) {
    qcc_ukernel_conv2d_f32(N, C, H, W, x, pad, M, KH, KW, w, bias, lo, hi, OH,
                           OW, out, sh, sw, dh, dw, constantWeights, threads);
    return;
  }
  const GroupedJob job = {
      N,  C,  H,      W, M, KH,   KW,  OH, OW, sh,  sw,
      dh, dw, groups, x, w, bias, pad, lo, hi, out, constantWeights};
  qccUkernelSplitPlanes(
      runGroups, &job, groups, 0, 0,
      qccUkernelThreadsForWork(
          (double)N * M * OH * OW * (C / groups) * KH * KW, threads));
}

void qcc_ukernel_batch_matmul_f32(int64_t batch, int64_t M, int64_t N,
                                  int64_t K, const float *a, const float *x,
                                  float *y, int threads) {
  if (batch <= 0 || M <= 0 || N <= 0)
    return;
  if (K <= 0) { /* empty sums */
    memset(y, 0, (size_t)(batch * M * N) * sizeof(float));
    return;
  }
  float *zeros = calloc((size_t)M, sizeof(float));
  if (!zeros)
    abort();
  /* x[b] as a 1 x N image of K channels; a[b] as the weight, packed per
   * call (it changes from run to run). */
  for (int64_t b = 0; b < batch; ++b)
    qcc_ukernel_conv2d_f32(1, K, 1, N, x + b * K * N, NULL, M, 1, 1,
                           a + b * M * K, zeros, -INFINITY, INFINITY, 1, N,
                           y + b * M * N, 1, 1, 1, 1, /*constantWeights=*/0,
                           threads);
  free(zeros);
}
