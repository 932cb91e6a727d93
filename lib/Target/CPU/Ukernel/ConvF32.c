/*===- ConvF32.c - Float convolution as an implicit GEMM ------------*- C
 *-*-===*
 *
 * qcc_ukernel_conv2d_f32: the float models' convolutions (group 1),
 * out[n] (M x OH*OW) = bias + w (M x C*KH*KW) * im2col(x[n]), the im2col
 * matrix gathered panel by panel and never stored, as the int8 kernels do.
 *
 * Two kinds of tile, written once in GCC/clang vector types and compiled
 * per ISA tier (AVX-512, AVX2 + FMA, and generic vectors of 8 the target
 * splits), and the call takes whichever costs the fewest sums computed,
 * counting what else each does (qcc_ukernel_conv2d_f32):
 *
 * - Channel lanes: MR output positions (6 to 9) x NR vectors of output
 *   channels, the weights packed once as panels of output channels, each
 *   position's value of B broadcast straight from the image (nothing
 *   packed per call), the sums transposed in registers and stored as rows
 *   of MR positions. Most layers with K in the hundreds: 250-270 GFLOP/s
 *   on ResNet's 3 x 3 layers on Zen 5, whose FMA peak is about 275.
 * - Panels of positions: MR output channels x NR vectors of positions (2,
 *   3 or 4, whichever wastes the fewest columns), the weights packed per
 *   block of MR rows, B's rows loaded as vectors: packed per panel from
 *   im2col(x), or read in place (a 1x1 stride-1 convolution, and
 *   "direct" panels of larger filters, which read a phase copy of the
 *   image where every tap's row is consecutive floats and compute the few
 *   columns past each output row that are never stored). For small K
 *   (1x1 layers of a few dozen channels), where lanes spend more on their
 *   transposed stores than on their sums.
 *
 * Both read x padded from a copy the threads make. Sums are formed
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
  /* Panels run over the columns q = oh * pitch + ow, q < columns = OH *
   * pitch; the columns with ow >= OW are computed and never stored. pitch
   * is OW, except for direct panels read from a phase copy. */
  int64_t pitch, columns;
  /* Direct panels: B's rows are read in place, row k of the panel at
   * column q0 at x + planeOffset[k] + q0, instead of from a packed copy.
   * Past the last full panel only if the image has slack (`overread`). */
  int direct, overread;
  const float *Ap;            /* [Mp / MR][K][MR] */
  const int64_t *planeOffset; /* per row of B: its plane's offset in x */
  const int64_t *packedRows;  /* k * panel width: a packed panel's rows */
  /* Channel lanes (laneTile): positions in rows, output channels in lanes,
   * each position's value of B read in place, at x + planeOffset[k] +
   * positionBase[p]. */
  const int64_t *positionBase; /* [P + rows]: past P, the last again */
  const float *Bp;       /* [Mp / width][K][width]: the weights by channels */
  const float *laneBias; /* [Mp] */
  int rows;              /* positions per tile */
  int64_t laneWidth;     /* output channels per tile */
  void (*laneTile)(const Job *job, const float *w, int64_t p0, int64_t m0,
                   float *out);
};

/* A run of a panel's columns [j0, j0 + n) that are outputs dst .. dst + n
 * of a channel's plane. */
typedef struct {
  int j0, n;
  int64_t dst;
} StoreSegment;

enum { kMaxPanelWidth = 4 * 16 };

/* The stored runs of the panel at column q0 (one per output row it
 * touches); returns how many (at most width / pitch + 2). */
static int planStores(const Job *job, int64_t q0, int width,
                      StoreSegment *segments) {
  const int64_t pitch = job->pitch, OW = job->pb.ow, P = job->pb.P;
  if (pitch == OW) { /* one run, cut at the end of the plane */
    segments[0] = (StoreSegment){0, (int)(P - q0 < width ? P - q0 : width), q0};
    return 1;
  }
  int64_t oh = q0 / pitch, ow = q0 % pitch;
  int count = 0;
  for (int64_t j = 0; j < width; j += pitch - ow, ++oh, ow = 0) {
    const int64_t dst = oh * OW + ow;
    if (dst >= P)
      break;
    if (ow < OW) {
      const int64_t n = OW - ow < width - j ? OW - ow : width - j;
      segments[count++] = (StoreSegment){(int)j, (int)n, dst};
    }
  }
  return count;
}

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
 * panel at b + rowOffset[k]; the sums stored by `segments`. */
#define QCC_DEFINE_CONV_F32_TILE(SUFFIX, ATTR, VL, MR, NR)                     \
  ATTR static void tile##SUFFIX##NR(                                           \
      const Job *job, const float *panel, const int64_t *rowOffset,            \
      int64_t m0, const StoreSegment *segments, int count, float *out) {       \
    const qccUkernelInt8Problem *pb = &job->pb;                                \
    const int64_t K = pb->K;                                                   \
    Vec##SUFFIX acc[MR][NR];                                                   \
    for (int r = 0; r < MR; ++r) {                                             \
      const float b = m0 + r < pb->M ? job->bias[m0 + r] : 0.0f;               \
      for (int j = 0; j < NR; ++j)                                             \
        acc[r][j] = (Vec##SUFFIX){0} + b;                                      \
    }                                                                          \
    const float *a = job->Ap + m0 * K;                                         \
    for (int64_t k = 0; k < K; ++k) {                                          \
      Vec##SUFFIX b[NR];                                                       \
      memcpy(b, panel + rowOffset[k], sizeof b);                               \
      for (int r = 0; r < MR; ++r) {                                           \
        const float w = a[k * MR + r];                                         \
        for (int j = 0; j < NR; ++j)                                           \
          acc[r][j] += w * b[j];                                               \
      }                                                                        \
    }                                                                          \
    /* A whole row as vector stores; a variable size is no libc call (a        \
     * tenth of MobileNetV2 f32 when every row went through one). */           \
    const int whole = count == 1 && segments[0].n == NR * VL;                  \
    const int64_t first = segments[0].dst;                                     \
    const float lo = job->lo, hi = job->hi;                                    \
    for (int r = 0; r < MR && m0 + r < pb->M; ++r) {                           \
      Vec##SUFFIX sums[NR];                                                    \
      for (int j = 0; j < NR; ++j) {                                           \
        sums[j] = acc[r][j];                                                   \
        QCC_CLAMP_F32_VEC(Vec##SUFFIX, VecI##SUFFIX, sums[j], lo, hi);         \
      }                                                                        \
      float *row = out + (m0 + r) * pb->P;                                     \
      if (whole) {                                                             \
        memcpy(row + first, sums, sizeof sums);                                \
      } else {                                                                 \
        for (int s = 0; s < count; ++s)                                        \
          qccUkernelCopyBytes(row + segments[s].dst,                           \
                              (const float *)sums + segments[s].j0,            \
                              segments[s].n * (int64_t)sizeof(float));         \
      }                                                                        \
    }                                                                          \
  }

/* Position r's value of B at step k, read in place from the image. */
#define QCC_CONV_IMAGE_VALUE(k, r, MR) x[planeOffset[k] + base[r]]

/* One channel-lane tile: MR positions x NR vectors of VL output channels,
 * over all of K. For small planes, where a panel of positions would
 * compute mostly padding (7 x 7 = 49 positions in a panel of 64). The
 * positions' values are broadcast from the image itself: nothing is
 * packed. The sums go to the [M][P] output transposed in registers (MR <=
 * VL positions of a channel a store; a float at a time took a third of a
 * tile of K = 48). */
#define QCC_DEFINE_CONV_F32_LANE_TILE(SUFFIX, ATTR, VL, MR, NR)                \
  ATTR static void laneTile##SUFFIX##MR##x##NR(                                \
      const Job *job, const float *w, int64_t p0, int64_t m0, float *out) {    \
    _Static_assert(MR <= VL, "a tile's positions fit a vector");               \
    const qccUkernelInt8Problem *pb = &job->pb;                                \
    const float *x = job->x;                                                   \
    const int64_t *planeOffset = job->planeOffset;                             \
    const int64_t *base = job->positionBase + p0;                              \
    float sums[MR][NR * VL];                                                   \
    QCC_F32_LANE_SUMS(Vec##SUFFIX, VL, MR, NR, QCC_CONV_IMAGE_VALUE, w,        \
                      job->laneBias + m0, pb->K, sums);                        \
    const int rows = pb->P - p0 < MR ? (int)(pb->P - p0) : MR;                 \
    const int64_t lanes = pb->M - m0;                                          \
    for (int j = 0; j < NR && j * VL < lanes; ++j) {                           \
      Vec##SUFFIX positions[VL] = {0}, channels[VL];                           \
      for (int r = 0; r < MR; ++r) {                                           \
        memcpy(&positions[r], &sums[r][j * VL], sizeof positions[r]);          \
        QCC_CLAMP_F32_VEC(Vec##SUFFIX, VecI##SUFFIX, positions[r], job->lo,    \
                          job->hi);                                            \
      }                                                                        \
      transpose##SUFFIX(positions, channels);                                  \
      const int count = lanes - j * VL < VL ? (int)(lanes - j * VL) : VL;      \
      float *dst = out + (m0 + j * VL) * pb->P + p0;                           \
      for (int c = 0; c < count; ++c, dst += pb->P)                            \
        if (rows == MR)                                                        \
          memcpy(dst, &channels[c], MR * sizeof(float));                       \
        else                                                                   \
          qccUkernelCopyBytes(dst, &channels[c],                               \
                              rows *(int64_t)sizeof(float));                   \
    }                                                                          \
  }

/* One tier's kernel: its tiles (MR rows x 2, 3 or 4 vectors of VL floats;
 * MR4 rows for 4 vectors) and a thread's share of panels and row blocks.
 * The panel width is chosen per call (choosePanelVectors). */
#define QCC_DEFINE_CONV_F32_TIER(SUFFIX, ATTR, VL, MR, MR4)                    \
  typedef float Vec##SUFFIX __attribute__((vector_size(VL * 4)));              \
  typedef int32_t VecI##SUFFIX __attribute__((vector_size(VL * 4)));           \
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
        const int64_t q0 = q * width;                                          \
        const float *b = panel;                                                \
        const int64_t *rowOffset = job->packedRows;                            \
        if (job->direct && (job->overread || q0 + width <= job->columns)) {    \
          b = x + q0;                                                          \
          rowOffset = job->planeOffset;                                        \
        } else {                                                               \
          packPanel(job, x, q0, width, panel);                                 \
        }                                                                      \
        StoreSegment segments[kMaxPanelWidth + 2];                             \
        const int count = planStores(job, q0, width, segments);                \
        for (int64_t blk = first; blk < last; ++blk) {                         \
          if (job->vectors == 2)                                               \
            tile##SUFFIX##2(job, b, rowOffset, blk * rows, segments, count,    \
                            out);                                              \
          else if (job->vectors == 3)                                          \
            tile##SUFFIX##3(job, b, rowOffset, blk * rows, segments, count,    \
                            out);                                              \
          else                                                                 \
            tile##SUFFIX##4(job, b, rowOffset, blk * rows, segments, count,    \
                            out);                                              \
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
 * (16 on AVX2 and generic, 32 on AVX-512), and the MR positions' offsets
 * in the general ones: at most 9 (a 12 x 2 tile spilled its offsets and
 * ran ResNet-50's 24 x 24 layer at 174 GFLOP/s, 6 x 4 at 256). */
typedef struct {
  int rows, vectors;
  void (*tile)(const Job *, const float *, int64_t, int64_t, float *);
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

QCC_DEFINE_TRANSPOSE8(transposeGeneric, VecGeneric)
QCC_LANE_TILES_16(Generic, )
#if QCC_HAVE_X86
QCC_DEFINE_TRANSPOSE8(transposeAvx2, VecAvx2)
QCC_DEFINE_TRANSPOSE16(transposeAvx512, VecAvx512)
QCC_LANE_TILES_16(Avx2, QCC_AVX2)
QCC_DEFINE_CONV_F32_LANE_TILE(Avx512, QCC_VNNI, 16, 6, 2)
QCC_DEFINE_CONV_F32_LANE_TILE(Avx512, QCC_VNNI, 16, 7, 2)
QCC_DEFINE_CONV_F32_LANE_TILE(Avx512, QCC_VNNI, 16, 8, 2)
QCC_DEFINE_CONV_F32_LANE_TILE(Avx512, QCC_VNNI, 16, 9, 2)
QCC_DEFINE_CONV_F32_LANE_TILE(Avx512, QCC_VNNI, 16, 6, 3)
QCC_DEFINE_CONV_F32_LANE_TILE(Avx512, QCC_VNNI, 16, 7, 3)
QCC_DEFINE_CONV_F32_LANE_TILE(Avx512, QCC_VNNI, 16, 8, 3)
QCC_DEFINE_CONV_F32_LANE_TILE(Avx512, QCC_VNNI, 16, 6, 4)
static const LaneTile kLaneTilesAvx512[] = {{6, 2, laneTileAvx5126x2},
                                            {7, 2, laneTileAvx5127x2},
                                            {8, 2, laneTileAvx5128x2},
                                            {9, 2, laneTileAvx5129x2},
                                            {6, 3, laneTileAvx5126x3},
                                            {7, 3, laneTileAvx5127x3},
                                            {8, 3, laneTileAvx5128x3},
                                            {6, 4, laneTileAvx5126x4},
                                            {0, 0, NULL}};
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
      job->laneTile(job, w, blk * job->rows, q * job->laneWidth, job->out);
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

/* Rows per panel tile: 8 on AVX-512 (6 with 4 vectors), else 4. */
static int panelRows(int wide, int vectors) {
  return wide ? (vectors == 4 ? 6 : 8) : 4;
}

/* The sums that tiles of `rows` x `width` compute for M x columns. */
static int64_t tileSums(int64_t M, int64_t rows, int64_t columns,
                        int64_t width) {
  return (M + rows - 1) / rows * rows * ((columns + width - 1) / width * width);
}

/* The image that direct panels read: each plane of x padded by `pad` and
 * split by the stride s into s x s phase planes of Hq x Wq floats,
 * [planes][s][s][Hq][Wq] (phase (a, b) holds the padded image's rows
 * a, a + s, ... and columns b, b + s, ...), so that every tap's row of B
 * is consecutive floats of one phase, whatever the stride. */
typedef struct {
  const float *x;
  int64_t H, W, s, Hq, Wq;
  const qcc_ukernel_padding *pad;
  float *dst;
} PhaseJob;

static void *phasePart(void *arg) {
  const PackedPart *part = arg; /* planes [begin, end) of all images */
  const PhaseJob *job = part->job;
  const int64_t s = job->s, Hq = job->Hq, Wq = job->Wq, H = job->H, W = job->W;
  for (int64_t p = part->begin; p < part->end; ++p) {
    const float *src = job->x + p * H * W;
    float *dst = job->dst + p * s * s * Hq * Wq;
    if (s == 1) {
      qccUkernelPadPlane(src, H, W, job->pad, sizeof(float), 0, dst);
      continue;
    }
    for (int64_t a = 0; a < s; ++a)
      for (int64_t b = 0; b < s; ++b)
        for (int64_t i = 0; i < Hq; ++i, dst += Wq) {
          /* Phase column j reads x's column j * s + shift: inside x for j
           * in [j0, j1). */
          const int64_t ih = i * s + a - job->pad->top;
          const int64_t shift = b - job->pad->left;
          int64_t j0 = shift >= 0 ? 0 : (s - 1 - shift) / s;
          int64_t j1 = W - shift <= 0 ? 0 : (W - shift + s - 1) / s;
          if (j1 > Wq)
            j1 = Wq;
          if (ih < 0 || ih >= H || j0 >= j1) {
            qccUkernelFillBytes(dst, 0, Wq * (int64_t)sizeof(float));
            continue;
          }
          const float *row = src + ih * W;
          qccUkernelFillBytes(dst, 0, j0 * (int64_t)sizeof(float));
          for (int64_t j = j0; j < j1; ++j)
            dst[j] = row[j * s + shift];
          qccUkernelFillBytes(dst + j1, 0, (Wq - j1) * (int64_t)sizeof(float));
        }
  }
  return NULL;
}

/* Row k = (c, i, j) of B in the phase image: tap (i * dh, j * dw) of
 * channel c at output (0, 0). */
static int64_t *phaseOffsets(int64_t C, int64_t KH, int64_t KW, int64_t dh,
                             int64_t dw, int64_t s, int64_t Hq, int64_t Wq) {
  int64_t *offsets = malloc((size_t)(C * KH * KW) * sizeof(int64_t));
  if (!offsets)
    abort();
  int64_t k = 0;
  for (int64_t c = 0; c < C; ++c)
    for (int64_t i = 0; i < KH; ++i)
      for (int64_t j = 0; j < KW; ++j) {
        const int64_t dy = i * dh, dx = j * dw;
        offsets[k++] =
            ((c * s + dy % s) * s + dx % s) * Hq * Wq + dy / s * Wq + dx / s;
      }
  return offsets;
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
  job.pitch = OW;
  job.columns = pb->P;

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
  /* Three ways, each costed in sums computed, times what else it does:
   *  - packed panels of positions, plus about 15% for packing them (read
   *    in place instead for a 1x1 stride-1 convolution of an unpadded
   *    image, but for a last part panel);
   *  - direct panels of a filter larger than 1 x 1, read from a phase copy
   *    of the image at pitch Wq: Wq - OW columns per output row computed
   *    and never stored, nothing packed (SqueezeNet's 3 x 3 layers on
   *    23 x 23: 51 -> 44-47 us; on 11 x 11, 18% more columns: even);
   *  - channel lanes: no padding of positions, nothing packed, but every
   *    sum transposed before it is stored, about a quarter of a cycle
   *    each against K / (2 VL) cycles of multiply-adds, so a share
   *    VL / 2K more (1x1 layers of a few dozen channels run faster as
   *    panels: SqueezeNet's 16 -> 64 on 23 x 23, 6.9 against 8.3 us;
   *    most others as lanes, ResNet's 3 x 3 layers at 250-270 GFLOP/s).
   * Costs in units of a sum computed. */
  const int widest = wide ? 4 : 3;
  job.vectors = choosePanelVectors(pb->P, vl, widest);
  const int64_t packedWidth = job.vectors * vl;
  const int inPlace =
      KH == 1 && KW == 1 && sh == 1 && sw == 1 && !qccUkernelHasPadding(pad);
  /* The share of the panels packed: all, or read in place but for a last
   * part panel. */
  const int64_t panels = (pb->P + packedWidth - 1) / packedWidth;
  const double packedShare = !inPlace              ? 1.0
                             : pb->P % packedWidth ? 1.0 / (double)panels
                                                   : 0.0;
  double cost =
      (double)tileSums(M, panelRows(wide, job.vectors), pb->P, packedWidth) *
      (1.0 + 0.15 * packedShare);
  int64_t laneSums;
  const LaneTile *lane = chooseLaneTile(laneTiles, pb->P, M, vl, &laneSums);
  const double laneCost =
      (double)laneSums * (1.0 + (double)vl / (2.0 * (double)pb->K));
  const int64_t Hp = H + pad->top + pad->bottom,
                Wp = W + pad->left + pad->right;
  const int64_t s = sh, Hq = (Hp + s - 1) / s, Wq = (Wp + s - 1) / s;
  int phases = 0;
  if (sh == sw && sh <= 4 && KH * KW > 1) {
    /* A row of a direct tile is stored in a run per output row it
     * touches, about 8 cycles each, against K * NR / 2 cycles of
     * multiply-adds (SqueezeNet's stem, K = 27, on AVX2: 88 -> 121 us
     * as direct panels). */
    const int vectors = choosePanelVectors(OH * Wq, vl, widest);
    const double runs = (double)(vectors * vl) / (double)Wq + 1.0;
    const double directCost =
        (double)tileSums(M, panelRows(wide, vectors), OH * Wq, vectors * vl) *
        (1.0 + 16.0 * runs / (double)(pb->K * vectors));
    if (directCost <= cost) {
      phases = 1;
      job.vectors = vectors;
      cost = directCost;
    }
  }
  const int lanes = laneCost < cost;
  if (lanes)
    phases = 0;
  threads = qccUkernelThreadsForWork((double)N * M * pb->P * pb->K, threads);
  void *copy = NULL;
  int64_t *planeOffset;
  job.x = x;
  if (phases) {
    /* Slack: the last panel reads up to a row and a panel past the image. */
    const int64_t image = C * s * s * Hq * Wq, slack = Wq + kMaxPanelWidth;
    float *dst =
        qccUkernelScratch((size_t)(N * image + slack) * sizeof(float), 0);
    memset(dst + N * image, 0, (size_t)slack * sizeof(float));
    const PhaseJob phase = {x, H, W, s, Hq, Wq, pad, dst};
    qccUkernelSplitPlanes(phasePart, &phase, N * C, N * image * 4,
                          kRepackParallelBytes, threads);
    copy = dst;
    job.x = dst;
    pb->strideB = image;
    job.pitch = Wq;
    job.columns = OH * Wq;
    job.direct = job.overread = 1;
    planeOffset = phaseOffsets(C, KH, KW, dh, dw, s, Hq, Wq);
  } else {
    /* Packed panels and channel lanes read the image through its padded
     * geometry: a padded copy, made by all threads (the generated code
     * makes none). */
    if (qccUkernelHasPadding(pad)) {
      copy =
          qccUkernelPadPlanes(x, N * C, H, W, pad, sizeof(float), 0, threads);
      job.x = copy;
      pb->height = Hp;
      pb->width = Wp;
    }
    pb->strideB = C * pb->height * pb->width;
    /* A 1x1 stride-1 convolution of an unpadded image: B's rows are x's
     * planes, read in place but for a last part panel. */
    job.direct = inPlace;
    planeOffset = qccUkernelPlaneOffsets(pb, pb->K);
  }
  job.planeOffset = planeOffset;
  int owned;
  qccUkernelPacked packed;
  if (lanes) {
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
    int64_t *positionBase =
        malloc((size_t)(pb->P + job.rows) * sizeof(int64_t));
    if (!laneBias || !positionBase)
      abort();
    memcpy(laneBias, bias, (size_t)M * sizeof(float));
    int64_t p = 0;
    for (int64_t oh = 0; oh < OH; ++oh)
      for (int64_t ow = 0; ow < OW; ++ow)
        positionBase[p++] = oh * sh * pb->width + ow * sw;
    for (; p < pb->P + job.rows; ++p) /* a last block's rows past P */
      positionBase[p] = positionBase[pb->P - 1];
    job.laneBias = laneBias;
    job.positionBase = positionBase;
    const float *images = job.x;
    for (int64_t n = 0; n < N; ++n) {
      job.x = images + n * pb->strideB;
      job.out = out + n * M * pb->P;
      qccUkernelSplitPanels(lanePart, &job, blocks, job.Mp / job.laneWidth,
                            threads);
    }
    free(positionBase);
    free(laneBias);
  } else {
    job.out = out;
    const int rows = panelRows(wide, job.vectors);
    const int64_t width = job.vectors * vl;
    const qccUkernelPackFn pack =
        wide ? (job.vectors == 4 ? packBlocks6 : packBlocks8) : packBlocks4;
    job.Mp = (M + rows - 1) / rows * rows;
    packed = qccUkernelGetPacked(w, M, pb->K, pb->K, 1, constantWeights, pack,
                                 &owned);
    job.Ap = packed.data;
    int64_t *packedRows = malloc((size_t)pb->K * sizeof(int64_t));
    if (!packedRows)
      abort();
    for (int64_t k = 0; k < pb->K; ++k)
      packedRows[k] = k * width;
    job.packedRows = packedRows;
    qccUkernelSplitPanels(run, &job, job.Mp / rows,
                          (job.columns + width - 1) / width, threads);
    free(packedRows);
  }
  if (owned)
    qccUkernelFreePacked(packed);
  free(planeOffset);
  qccUkernelFree(copy);
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
