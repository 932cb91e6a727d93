/*===- Int8ChannelVectors.c - int8 conv, channels in the lanes -----*- C -*-===*
 *
 * The other int8 kernels put output positions in the vector lanes (16 per
 * zmm, panels of 32 to 64), which wastes most of each vector on the small
 * planes at the end of a CNN: a 3x3 output (a 96x96 input's last stage)
 * fills 9 of 32 lanes, a 6x6 one 36 of 48. Those layers are the widest
 * (960 or 2048 channels), so they cost a large share of a MobileNet or a
 * ResNet-50 at 96x96. On larger planes their rows at the padded width and
 * im2col panels (strides) waste lanes too: this kernel takes the window
 * layers of every plane size (qccUkernelChannelVectorsServe).
 *
 * Here the lanes run along output channels instead, 16 per vector, as in
 * an NHWC kernel: the register tile is PR output positions x 2 vectors (32
 * channels), PR chosen per call (6 to 12) to waste the fewest positions.
 * Each step loads 2 vectors of packed weights (16 channels x 4 input
 * channels each) and broadcasts, per position, the 4 input bytes of one
 * channel quad at that position's window tap, from the image repacked as
 * channel quads (qccUkernelRepackQuads: x + 128, unsigned for vpdpbusd;
 * 128 * sum(w) is subtracted per channel as in the other kernels). Any
 * stride, dilation and window: a position's tap is one offset into the
 * repacked plane, so nothing is gathered per call.
 *
 * The epilogue requantizes each position's 32 channel sums with per-lane
 * multipliers and shifts (TOSA apply_scale_32: from the products' high
 * halves where the layer's shifts allow, else in 64 bits; Internal.h) and
 * transposes the int8 tile to the NCHW output: four positions of one
 * channel are one 32-bit store.
 *
 *===----------------------------------------------------------------------===*/

#include "Internal.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

enum {
  kChannelMaxTaps = 64, /* KH * KW */
  kMinPositions = 6,    /* PR: positions per register tile */
  kMaxPositions = 12,
  kMaxPointwisePlane = 256, /* output positions of a 1x1 layer taken */
  /* How far ahead of its reads a tile prefetches its weights (one stream:
   * a 32-channel block's two vectors are side by side): on the 3x3 and 6x6
   * planes a weight is used by one to four position tiles, so the layer
   * streams its weights (up to 2.4 MB) from L3 or memory at about 7 bytes
   * per cycle, faster than the hardware prefetchers fetch. Measured on
   * ResNet-50's layers in model order (Zen 4, one thread): on 4 KiB pages
   * 1024 bytes ahead gained 2-5%, 2048 and 4096 8-10%; with the weights on
   * huge pages (Dispatch.c), 2048 ahead takes its last stage from 796-835
   * to 700-753 us. */
  kWeightPrefetchBytes = 2048,
};

/* Which kernel serves a convolution, by the multiply-adds each computes:
 * the position-lane kernels' least padded panel (32,
 * 48 or 64 positions, rows in blocks of 8) against 32-channel blocks of
 * PR-position tiles. The position-lane kernels compute a stride-1
 * convolution's rows at the padded width (the direct path), so a 12x12
 * output with 3x3 taps is 166 positions there, 192 in panels.
 *
 * Measured on the 3x3 and 5x5 layers of ResNet-18 (224x224), ResNet-50,
 * GoogLeNet and MobileNetV2 (96x96), Zen 4, one thread: channel lanes run
 * every window layer as fast or faster whatever its plane (ResNet-18's
 * 3x3 layers at 56x56 to 14x14: 389-394 -> 400-439 GOP/s; its stride-2
 * ones, which the position lanes run through im2col panels: 278-337 ->
 * 388-405), so they take a window layer unless their 32-channel blocks
 * waste clearly more lanes. For 1x1 layers (plain products) the position
 * lanes win on planes past a few dozen positions: channel lanes take those
 * only up to 256 positions, at a fifth more cost per lane for their
 * transposing epilogue and broadcasts (MobileNetV2's layers). */
int qccUkernelChannelVectorsServe(const qccUkernelInt8Problem *pb) {
  const int64_t taps = pb->kh * pb->kw;
  if (!pb->conv || !pb->requant || taps > kChannelMaxTaps ||
      (taps == 1 && pb->P > kMaxPointwisePlane))
    return 0;
  const int direct = pb->sh == 1 && pb->sw == 1;
  const int64_t positions =
      direct ? (pb->P / pb->ow - 1) * pb->width + pb->ow : pb->P;
  const int64_t width = 16 * qccUkernelPanelVectors(positions, 0);
  const int64_t panelled = (positions + width - 1) / width * width;
  /* Per lane, each tap of each channel quad here, as on the direct path;
   * im2col panels (other strides) pack the taps of all channels into
   * quads (a 7x7 stem on 3 channels: 148 against 196 products). */
  const int64_t quadsOfChannels = taps * ((pb->channels + 3) / 4 * 4);
  const int64_t quadsOfTaps = direct ? quadsOfChannels : (pb->K + 3) / 4 * 4;
  const double positionLanes =
      (double)((pb->M + 7) / 8 * 8) * (double)panelled * (double)quadsOfTaps;
  int64_t bestPositions;
  qccUkernelLeastPaddedTile(pb->P, kMinPositions, kMaxPositions,
                            &bestPositions);
  const double channelLanes = (double)((pb->M + 31) / 32 * 32) *
                              (double)bestPositions * (double)quadsOfChannels;
  return taps > 1 ? channelLanes <= 1.05 * positionLanes
                  : channelLanes * 1.2 < positionLanes;
}

#if QCC_HAVE_X86

typedef struct {
  qccUkernelInt8Problem pb;
  int64_t quads, taps, quadStride, PR;
  int64_t tapOffset[kChannelMaxTaps]; /* in xq bytes */
  const int8_t *Wp;                   /* [Mp / 32][taps][quads][2][16][4] */
  const int32_t *rowSum;              /* 128 * sum of each channel's w */
  const uint8_t *xq;                  /* the current image, repacked */
  int8_t *out;                        /* the current image's output */
} ChannelJob;

static qccUkernelPacked packChannelVectors(const void *A, int64_t M, int64_t K,
                                           int64_t lda, int64_t taps) {
  return qccUkernelPackTaps((const int8_t *)A, M, K, lda, taps,
                            kTapsChannelVectors);
}

/* Per-lane requantization constants of 16 channels from m: the 64-bit
 * lanes' multipliers, rounding terms and shifts for the even and the odd
 * int32 lanes, the zero point and the clamp. */
typedef struct {
  __m512i init, mulEven, mulOdd, roundEven, roundOdd, shiftEven, shiftOdd;
  __m512i addend, bits; /* pb.highScales: qccUkernelScaleHigh16's */
} LaneScales;

QCC_VNNI static LaneScales laneScales(const ChannelJob *job, int64_t m) {
  const qccUkernelInt8Problem *pb = &job->pb;
  const __mmask16 lanes = qccUkernelLanes16(pb->M - m);
  LaneScales s;
  s.init = _mm512_sub_epi32(_mm512_maskz_loadu_epi32(lanes, pb->bias + m),
                            _mm512_loadu_si512(job->rowSum + m));
  __m512i multiplier, shift;
  if (pb->perChannel) {
    /* Lanes past M get shift 1 (their outputs are not stored). */
    multiplier = _mm512_maskz_loadu_epi32(lanes, pb->multiplier + m);
    shift = _mm512_mask_blend_epi32(
        lanes, _mm512_set1_epi32(1),
        _mm512_cvtepi8_epi32(_mm_maskz_loadu_epi8(lanes, pb->shift + m)));
  } else {
    multiplier = _mm512_set1_epi32(pb->multiplier[0]);
    shift = _mm512_set1_epi32(pb->shift[0]);
  }
  s.mulEven = multiplier; /* vpmuldq reads the low dword of each qword */
  s.mulOdd = _mm512_srli_epi64(multiplier, 32);
  if (pb->highScales) {
    /* Lanes past M: shift 33 (their outputs are not stored). */
    shift = _mm512_mask_blend_epi32(lanes, _mm512_set1_epi32(33), shift);
    s.bits = _mm512_sub_epi32(shift, _mm512_set1_epi32(32));
    s.addend = qccUkernelHighScaleAddend16(s.bits, pb->outZp);
    return s;
  }
  const __m512i low = _mm512_set1_epi64(0xFFFFFFFF);
  const __m512i one = _mm512_set1_epi64(1);
  s.shiftEven = _mm512_and_si512(shift, low);
  s.shiftOdd = _mm512_srli_epi64(shift, 32);
  s.roundEven = _mm512_sllv_epi64(one, _mm512_sub_epi64(s.shiftEven, one));
  s.roundOdd = _mm512_sllv_epi64(one, _mm512_sub_epi64(s.shiftOdd, one));
  return s;
}

/* 16 channel sums of one position to int8: + bias - compensation, TOSA
 * apply_scale_32 per lane, + zero point, clamped. */
QCC_VNNI static inline __m128i
requantizeLanes(const ChannelJob *job, const LaneScales *s, __m512i acc) {
  const __m512i a = _mm512_add_epi32(acc, s->init);
  if (job->pb.highScales)
    return qccUkernelClampInt8(
        qccUkernelScaleHigh16(a, s->mulEven, s->mulOdd, s->addend, s->bits),
        job->pb.lo, job->pb.hi);
  const __m512i even = _mm512_srav_epi64(
      _mm512_add_epi64(_mm512_mul_epi32(a, s->mulEven), s->roundEven),
      s->shiftEven);
  const __m512i odd = _mm512_srav_epi64(
      _mm512_add_epi64(_mm512_mul_epi32(_mm512_srli_epi64(a, 32), s->mulOdd),
                       s->roundOdd),
      s->shiftOdd);
  __m512i y = _mm512_mask_blend_epi32((__mmask16)0xAAAA, even,
                                      _mm512_slli_epi64(odd, 32));
  y = _mm512_add_epi32(y, _mm512_set1_epi32(job->pb.outZp));
  y = _mm512_min_epi32(_mm512_max_epi32(y, _mm512_set1_epi32(job->pb.lo)),
                       _mm512_set1_epi32(job->pb.hi));
  return _mm512_cvtepi32_epi8(y);
}

/* The tile's int8 results, tile[r][j] for position p0 + r and channel
 * m0 + j, stored to the NCHW output: four positions of a channel at once
 * (a 4 x 16 byte transpose), the rest one by one. */
QCC_VNNI __attribute__((noinline)) static void
storeTransposed(const ChannelJob *job, const int8_t (*tile)[32], int rows,
                int64_t m0, int64_t p0) {
  const int64_t P = job->pb.P;
  const int channels = job->pb.M - m0 < 32 ? (int)(job->pb.M - m0) : 32;
  int8_t *out = job->out + m0 * P + p0;
  int r = 0;
  for (; r + 4 <= rows; r += 4)
    for (int v = 0; v * 16 < channels; ++v) {
      const __m128i r0 = _mm_loadu_si128((const __m128i *)&tile[r][16 * v]);
      const __m128i r1 = _mm_loadu_si128((const __m128i *)&tile[r + 1][16 * v]);
      const __m128i r2 = _mm_loadu_si128((const __m128i *)&tile[r + 2][16 * v]);
      const __m128i r3 = _mm_loadu_si128((const __m128i *)&tile[r + 3][16 * v]);
      const __m128i t0 = _mm_unpacklo_epi8(r0, r1),
                    t1 = _mm_unpackhi_epi8(r0, r1);
      const __m128i t2 = _mm_unpacklo_epi8(r2, r3),
                    t3 = _mm_unpackhi_epi8(r2, r3);
      int32_t quads[16];
      _mm_storeu_si128((__m128i *)&quads[0], _mm_unpacklo_epi16(t0, t2));
      _mm_storeu_si128((__m128i *)&quads[4], _mm_unpackhi_epi16(t0, t2));
      _mm_storeu_si128((__m128i *)&quads[8], _mm_unpacklo_epi16(t1, t3));
      _mm_storeu_si128((__m128i *)&quads[12], _mm_unpackhi_epi16(t1, t3));
      const int n = channels - 16 * v < 16 ? channels - 16 * v : 16;
      for (int j = 0; j < n; ++j)
        memcpy(out + (16 * v + j) * P + r, &quads[j], 4);
    }
  for (; r < rows; ++r)
    for (int j = 0; j < channels; ++j)
      out[j * P + r] = tile[r][j];
}

/* A tile's sums (sums[r][v]: position p0 + r, channels m0 + 16v ..) to
 * int8 in the output. Not inlined: the tile's loop then keeps its
 * accumulators in registers (with the epilogue inlined, clang stored them
 * to the stack on every step). */
QCC_VNNI __attribute__((noinline)) static void
storeChannelSums(const ChannelJob *job, const __m512i (*sums)[2], int PR,
                 int64_t m0, int64_t p0) {
  int8_t tile[kMaxPositions][32];
  for (int v = 0; v < 2; ++v) {
    const LaneScales s = laneScales(job, m0 + 16 * v);
    for (int r = 0; r < PR; ++r)
      _mm_storeu_si128((__m128i *)&tile[r][16 * v],
                       requantizeLanes(job, &s, sums[r][v]));
  }
  const int64_t P = job->pb.P;
  storeTransposed(job, tile, P - p0 < PR ? (int)(P - p0) : PR, m0, p0);
}

/* PR positions from p0 by 32 channels from m0, over every tap and channel
 * quad. Positions past P repeat the last one and are not stored. */
#define QCC_DEFINE_CHANNEL_TILE(PR, NAME)                                      \
  QCC_VNNI static void NAME(const ChannelJob *job, int64_t m0, int64_t p0) {   \
    const qccUkernelInt8Problem *pb = &job->pb;                                \
    __m512i acc[PR][2];                                                        \
    int64_t at[PR];                                                            \
    for (int r = 0; r < PR; ++r) {                                             \
      const int64_t p = p0 + r < pb->P ? p0 + r : pb->P - 1;                   \
      const int64_t oh = p / pb->ow, ow = p % pb->ow;                          \
      at[r] = (oh * pb->sh * pb->width + ow * pb->sw) * 4;                     \
      acc[r][0] = acc[r][1] = _mm512_setzero_si512();                          \
    }                                                                          \
    const int8_t *w = job->Wp + m0 / 32 * job->taps * job->quads * 128;        \
    for (int64_t t = 0; t < job->taps; ++t) {                                  \
      const uint8_t *b = job->xq + job->tapOffset[t];                          \
      const int8_t *wt = w + t * job->quads * 128;                             \
      for (int64_t cq = 0; cq < job->quads; ++cq) {                            \
        const __m512i v0 = _mm512_loadu_si512(wt + cq * 128);                  \
        const __m512i v1 = _mm512_loadu_si512(wt + cq * 128 + 64);             \
        _mm_prefetch((const char *)(wt + cq * 128 + kWeightPrefetchBytes),     \
                     _MM_HINT_T0);                                             \
        _mm_prefetch(                                                          \
            (const char *)(wt + cq * 128 + kWeightPrefetchBytes + 64),         \
            _MM_HINT_T0);                                                      \
        const uint8_t *bq = b + cq * job->quadStride;                          \
        for (int r = 0; r < PR; ++r) {                                         \
          int32_t quad;                                                        \
          memcpy(&quad, bq + at[r], 4);                                        \
          const __m512i x = _mm512_set1_epi32(quad);                           \
          acc[r][0] = _mm512_dpbusd_epi32(acc[r][0], x, v0);                   \
          acc[r][1] = _mm512_dpbusd_epi32(acc[r][1], x, v1);                   \
        }                                                                      \
      }                                                                        \
    }                                                                          \
    __m512i sums[kMaxPositions][2] __attribute__((aligned(64)));               \
    for (int r = 0; r < PR; ++r) {                                             \
      sums[r][0] = acc[r][0];                                                  \
      sums[r][1] = acc[r][1];                                                  \
    }                                                                          \
    storeChannelSums(job, sums, PR, m0, p0);                                   \
  }

QCC_DEFINE_CHANNEL_TILE(6, channelTile6)
QCC_DEFINE_CHANNEL_TILE(7, channelTile7)
QCC_DEFINE_CHANNEL_TILE(8, channelTile8)
QCC_DEFINE_CHANNEL_TILE(9, channelTile9)
QCC_DEFINE_CHANNEL_TILE(10, channelTile10)
QCC_DEFINE_CHANNEL_TILE(11, channelTile11)
QCC_DEFINE_CHANNEL_TILE(12, channelTile12)

typedef void (*ChannelTileFn)(const ChannelJob *, int64_t, int64_t);

static void *channelPart(void *arg) {
  static const ChannelTileFn tiles[kMaxPositions + 1] = {
      [6] = channelTile6,  [7] = channelTile7,   [8] = channelTile8,
      [9] = channelTile9,  [10] = channelTile10, [11] = channelTile11,
      [12] = channelTile12};
  const qccUkernelPanelPart *part = (const qccUkernelPanelPart *)arg;
  const ChannelJob *job = (const ChannelJob *)part->job;
  const ChannelTileFn tile = tiles[job->PR];
  /* Channel blocks outside, position tiles inside: a block's weights
   * (taps x C x 128 bytes) stay in cache for all the plane's positions. */
  for (int64_t blk = part->panelBegin; blk < part->panelEnd; ++blk) {
    int64_t first, last;
    qccUkernelPartBlocks(part, blk, &first, &last);
    for (int64_t q = first; q < last; ++q)
      tile(job, blk * 32, q * job->PR);
  }
  return NULL;
}

void qccUkernelInt8ChannelVectors(const qccUkernelInt8Problem *problem,
                                  int threads) {
  ChannelJob job;
  memset(&job, 0, sizeof job);
  job.pb = *problem;
  const int64_t W = problem->width, HW = problem->height * W;
  job.quads = (problem->channels + 3) / 4;
  job.taps = problem->kh * problem->kw;
  for (int64_t kh = 0; kh < problem->kh; ++kh)
    for (int64_t kw = 0; kw < problem->kw; ++kw)
      job.tapOffset[kh * problem->kw + kw] =
          (kh * problem->dh * W + kw * problem->dw) * 4;
  int64_t positions;
  job.PR = qccUkernelLeastPaddedTile(problem->P, kMinPositions, kMaxPositions,
                                     &positions);
  /* Every read is a window tap of a position inside the image. */
  qccUkernelQuadImage image = qccUkernelAllocQuadImage(problem, HW);
  job.quadStride = image.quadStride;
  job.xq = image.xq;
  int owned;
  qccUkernelPacked packed = qccUkernelGetPacked(
      problem->A, problem->M, problem->K, problem->lda, job.taps,
      problem->constantA, packChannelVectors, &owned);
  job.Wp = packed.data;
  job.rowSum = packed.rowSum;
  const int64_t mBlocks = (problem->M + 31) / 32;
  const int64_t positionTiles = positions / job.PR;
  threads = qccUkernelThreadsForWork(
      (double)problem->M * problem->P * problem->K, threads);
  for (int64_t n = 0; n < problem->batch; ++n) {
    qccUkernelRepackQuads(&image, problem, n, threads);
    job.out = problem->out + n * problem->strideOut;
    qccUkernelSplitPanels(channelPart, &job, positionTiles, mBlocks, threads);
  }
  qccUkernelFreeQuadImage(&image);
  if (owned)
    qccUkernelFreePacked(packed);
}

#else

void qccUkernelInt8ChannelVectors(const qccUkernelInt8Problem *problem,
                                  int threads) {
  (void)problem;
  (void)threads;
  abort(); /* only the AVX-512 VNNI tier calls it */
}

#endif
