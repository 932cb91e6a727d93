/*===- Int8ChannelPairs.c - int8 conv, channels in the lanes, AVX2 -*- C -*-===*
 *
 * Int8ChannelVectors.c's kernel for the AVX2 and AVX-VNNI tiers: small
 * output planes (a 96x96 CNN's 6x6 and 3x3 stages, its widest layers) fill
 * few of the position lanes of Int8Pairs.c's 24-column panels (9 of 24 on
 * a 3x3 plane), so the lanes run along output channels instead: a
 * register tile of PR (4 to 6) positions x 2 vectors of 8 channels, 12
 * accumulators of the 16 ymm. It also takes the window layers of 32
 * channels and more on every plane, which the panels gather per call
 * (qccUkernelChannelPairsServe).
 *
 * Exact products on AVX2 take 16-bit pairs (Int8Pairs.c's reason:
 * vpmaddubsw saturates): the weights are packed as [Mp / 16][taps][C / 2]
 * [16][2] int8 (two input channels of 16 output channels per 32 bytes,
 * sign-extended as they are loaded),
 * the image as channel pairs, [C / 2][H * W][2] int16 with its padding
 * written in, and each step broadcasts one position's pair at a tap (a
 * 32-bit load) and multiplies it into both vectors with vpmaddwd. Any
 * stride, dilation and window: a position's tap is one offset into the
 * plane. Signed times signed: no compensation term.
 *
 * On AVX2, weights whose channel pairs (c, c + 1) at each tap have
 * |w[c]| + |w[c + 1]| <= 128 (7 bits or fewer) take Int8Pairs.c's exact
 * vpmaddubsw instead ("bytes"): [Mp / 16][taps][C / 4][16][4] int8 (four
 * input channels of 8 output channels per 32-byte vector, no
 * sign-extension), the image as channel quads of bytes + 128 (the padding
 * and missing channels too), 128 * (each channel's weight sum) subtracted
 * from its accumulators; 4 channels per broadcast instead of 2, at most 5
 * positions per tile (vpmaddubsw's product and the ones of the vpmaddwd
 * after it take two of the 16 registers).
 *
 * The epilogue requantizes each position's 16 channel sums with per-lane
 * multipliers and shifts (TOSA apply_scale_32 in 64 bits; AVX2 has no
 * 64-bit arithmetic shift, so a logical one of the sign-flipped value)
 * and stores the int8 tile to the NCHW output.
 *
 *===----------------------------------------------------------------------===*/

#include "Internal.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

enum {
  kPairMaxTaps = 64, /* KH * KW */
  kPairMinPositions = 4,
  kPairMaxPositions = 6, /* PR: positions per register tile */
  kPairMaxPlane = 64,    /* output positions of the 1x1 layers it takes */
  kPairChannels = 16,    /* output channels per register tile */
};

int qccUkernelChannelPairsServe(const qccUkernelInt8Problem *pb) {
  const int64_t taps = pb->kh * pb->kw;
  if (!pb->conv || !pb->requant || taps > kPairMaxTaps)
    return 0;
  int64_t best;
  qccUkernelLeastPaddedTile(pb->P, kPairMinPositions, kPairMaxPositions,
                            &best);
  const double channelLanes =
      (double)((pb->M + kPairChannels - 1) / kPairChannels * kPairChannels) *
      (double)best;
  /* Int8Pairs.c's tiles: 3 rows x 24 columns. */
  const double positionLanes =
      (double)((pb->M + 2) / 3 * 3) * (double)((pb->P + 23) / 24 * 24);
  if (taps > 1 && pb->channels >= 32) {
    /* Window layers of 32 channels and more, any plane: Int8Pairs.c
     * gathers their im2col panels per call, which this kernel does not
     * (ResNet-18's 3x3 layers at 224x224 with QCC_CPU_TIER=avx2 on Zen 4:
     * 128-143 -> 135-153 GOP/s; GoogLeNet's at 12x12 135-145 -> 156-158).
     * Fewer channels or a 3-channel stem lose to the panels (C = 16, 5x5:
     * 115 -> 103; the stem: half the speed). Unless its 16-channel blocks
     * waste clearly more products than the panels' 3-row blocks (the
     * panels pair the taps of all channels, this kernel each tap's
     * channels). */
    return channelLanes * (double)taps * (double)((pb->channels + 1) / 2 * 2) <=
           1.05 * positionLanes * (double)((pb->K + 1) / 2 * 2);
  }
  if (pb->P > kPairMaxPlane)
    return 0;
  /* Multiply-adds per k against those tiles and their waste; the
   * broadcasts and the transposing store cost about a fifth more per
   * multiply-add, as on AVX-512. */
  return channelLanes * 1.2 < positionLanes;
}

/* w [M][C][taps] as [Mp / 16][taps][C2][16][2] int8, zeros past M and C,
 * sign-extended to 16 bits as they are loaded: these layers are bound by
 * reading their weights (each used by a few positions), and int16 weights
 * would double that (the same speed on Zen 4's 1 MiB L2, within noise;
 * Zen 3 has half of it). */
static qccUkernelPacked packChannelPairs(const void *data, int64_t M,
                                         int64_t K, int64_t lda,
                                         int64_t taps) {
  const int8_t *A = (const int8_t *)data;
  const int64_t C = K / taps, C2 = (C + 1) / 2;
  const int64_t blocks = (M + kPairChannels - 1) / kPairChannels;
  int8_t *packed = calloc((size_t)(blocks * taps * C2 * 32), 1);
  if (!packed)
    abort();
  for (int64_t m = 0; m < M; ++m)
    for (int64_t c = 0; c < C; ++c)
      for (int64_t t = 0; t < taps; ++t)
        packed[((m / kPairChannels * taps + t) * C2 + c / 2) * 32 +
               m % kPairChannels * 2 + c % 2] = A[m * lda + c * taps + t];
  return (qccUkernelPacked){packed, NULL, (size_t)(blocks * taps * C2 * 32)};
}

/* The AVX2 tier's layout: bytes where they are exact, pairs otherwise. */
static qccUkernelPacked packChannelAvx2(const void *data, int64_t M, int64_t K,
                                        int64_t lda, int64_t taps) {
  const int8_t *A = (const int8_t *)data;
  return qccUkernelPairSumsFit16Bits(A, M, K, lda, taps)
             ? qccUkernelPackTaps(A, M, K, lda, taps, kTapsChannelQuads)
             : packChannelPairs(data, M, K, lda, taps);
}

typedef struct {
  qccUkernelInt8Problem pb;
  int bytes;                          /* the layouts: bytes or pairs */
  int64_t pairs, taps, PR;            /* pairs: channel pairs or quads */
  int64_t pairStride;                 /* bytes per pair's (quad's) plane */
  int64_t tapOffset[kPairMaxTaps];    /* in image bytes */
  const int8_t *Wp;                   /* packChannelPairs, kTapsChannelQuads */
  const int32_t *rowSum;              /* bytes: 128 * the weights' sums */
  void *image;                        /* the current image, pairs or quads */
  const int8_t *x;                    /* the current image's input */
  int8_t *out;                        /* the current image's output */
} PairJob;

#if QCC_HAVE_X86

/* Channels a and b (NULL: zeros) of n positions as int16 pairs. */
QCC_AVX2 static inline void interleaveRow(int16_t *dst, const int8_t *a,
                                          const int8_t *b, int64_t n) {
  if (b)
    for (int64_t j = 0; j < n; ++j) {
      dst[2 * j] = a[j];
      dst[2 * j + 1] = b[j];
    }
  else
    for (int64_t j = 0; j < n; ++j) {
      dst[2 * j] = a[j];
      dst[2 * j + 1] = 0;
    }
}

/* Channels rows[0..3] (NULL: zeros) of n positions as quads of bytes + 128. */
QCC_AVX2 static inline void
interleaveQuadRow(uint8_t *dst, const int8_t *const rows[4], int64_t n) {
  for (int h = 0; h < 4; ++h) {
    if (rows[h])
      for (int64_t j = 0; j < n; ++j)
        dst[4 * j + h] = (uint8_t)(rows[h][j] ^ 0x80);
    else
      for (int64_t j = 0; j < n; ++j)
        dst[4 * j + h] = 0x80;
  }
}

/* Channel groups [begin, end) of the current image, pairs or quads (4 bytes
 * a position either way), the padding written around each group's rows. */
QCC_AVX2 static void *repackImage(void *arg) {
  const PackedPart *part = arg;
  const PairJob *job = part->job;
  const qccUkernelInt8Problem *pb = &job->pb;
  const qcc_ukernel_padding *pad = &pb->pad;
  const int64_t W = pb->width - pad->left - pad->right;
  const int64_t H = pb->height - pad->top - pad->bottom;
  const int G = job->bytes ? 4 : 2;
  /* The padding value of a position in every channel of the group. */
  const int8_t padValue = (int8_t)pad->value;
  const uint32_t value = job->bytes ? 0x01010101u * (uint8_t)(padValue ^ 0x80)
                                    : 0x00010001u * (uint16_t)(int16_t)padValue;
  for (int64_t g = part->begin; g < part->end; ++g) {
    const int8_t *rows[4] = {NULL, NULL, NULL, NULL};
    for (int h = 0; h < G; ++h)
      if (G * g + h < pb->channels)
        rows[h] = job->x + (G * g + h) * H * W;
    uint32_t *dst = (uint32_t *)((uint8_t *)job->image + g * job->pairStride);
    /* The right padding of a row and the left of the next are one run. */
    const int64_t head =
        H == 0 ? pb->height * pb->width : pad->top * pb->width + pad->left;
    for (int64_t j = 0; j < head; ++j)
      dst[j] = value;
    dst += head;
    for (int64_t h = 0; h < H; ++h, dst += pb->width) {
      if (job->bytes) {
        const int8_t *const at[4] = {
            rows[0] + h * W, rows[1] ? rows[1] + h * W : NULL,
            rows[2] ? rows[2] + h * W : NULL, rows[3] ? rows[3] + h * W : NULL};
        interleaveQuadRow((uint8_t *)dst, at, W);
      } else {
        interleaveRow((int16_t *)dst, rows[0] + h * W,
                      rows[1] ? rows[1] + h * W : NULL, W);
      }
      const int64_t gap = h + 1 < H ? pad->right + pad->left
                                    : pad->right + pad->bottom * pb->width;
      for (int64_t j = 0; j < gap; ++j)
        dst[W + j] = value;
    }
  }
  return NULL;
}

/* Requantization constants of 8 channels from m, per lane: the bias, the
 * multipliers, rounding terms and shifts of the even and odd int32 lanes
 * as 64-bit lanes. Lanes past M get multiplier 0 and shift 2. */
typedef struct {
  __m256i bias, mulEven, mulOdd, roundEven, roundOdd, shiftEven, shiftOdd;
  __m256i offset; /* the zero point less 2^(62 - shift) per lane */
} PairScales;

QCC_AVX2 static PairScales pairScales(const PairJob *job, int64_t m) {
  const qccUkernelInt8Problem *pb = &job->pb;
  int32_t bias[8] = {0}, multiplier[8] = {0}, offset[8];
  int64_t shifts[2][4], rounds[2][4];
  for (int j = 0; j < 8; ++j) {
    int shift = 2;
    if (m + j < pb->M) {
      const int64_t c = pb->perChannel ? m + j : 0;
      bias[j] = pb->bias[m + j];
      multiplier[j] = pb->multiplier[c];
      shift = pb->shift[c];
    }
    shifts[j % 2][j / 2] = shift;
    rounds[j % 2][j / 2] = qccUkernelBiasedRound(shift);
    offset[j] = qccUkernelShiftOffset(pb->outZp, shift);
  }
  PairScales s;
  const __m256i mul = _mm256_loadu_si256((const __m256i *)multiplier);
  s.bias = _mm256_loadu_si256((const __m256i *)bias);
  s.mulEven = mul; /* vpmuldq reads the low dword of each qword */
  s.mulOdd = _mm256_srli_epi64(mul, 32);
  s.shiftEven = _mm256_loadu_si256((const __m256i *)shifts[0]);
  s.shiftOdd = _mm256_loadu_si256((const __m256i *)shifts[1]);
  s.roundEven = _mm256_loadu_si256((const __m256i *)rounds[0]);
  s.roundOdd = _mm256_loadu_si256((const __m256i *)rounds[1]);
  s.offset = _mm256_loadu_si256((const __m256i *)offset);
  return s;
}

/* 8 channel sums of one position to 8 int8 (the low 8 bytes). */
QCC_AVX2 static inline __m128i requantizePairLanes(const PairJob *job,
                                                   const PairScales *s,
                                                   __m256i acc) {
  __m256i y = qccUkernelApplyScaleAvx2(
      _mm256_add_epi32(acc, s->bias), s->mulEven, s->mulOdd, s->roundEven,
      s->roundOdd, s->shiftEven, s->shiftOdd, s->offset);
  y = _mm256_min_epi32(_mm256_max_epi32(y, _mm256_set1_epi32(job->pb.lo)),
                       _mm256_set1_epi32(job->pb.hi));
  /* 8 int32 in [-128, 127] to 8 bytes: the packs work per 128-bit lane. */
  const __m256i words = _mm256_packs_epi32(y, y);
  const __m256i bytes = _mm256_packs_epi16(words, words);
  return _mm_unpacklo_epi32(_mm256_castsi256_si128(bytes),
                            _mm256_extracti128_si256(bytes, 1));
}

/* The tile's int8 results, tile[r][j] for position p0 + r and channel
 * m0 + j, stored to the NCHW output. */
QCC_AVX2 __attribute__((noinline)) static void
storePairTile(const PairJob *job, const int8_t (*tile)[kPairChannels],
              int rows, int64_t m0, int64_t p0) {
  const int64_t P = job->pb.P;
  const int channels =
      job->pb.M - m0 < kPairChannels ? (int)(job->pb.M - m0) : kPairChannels;
  int8_t *out = job->out + m0 * P + p0;
  for (int j = 0; j < channels; ++j)
    for (int r = 0; r < rows; ++r)
      out[j * P + r] = tile[r][j];
}

/* The image offsets of the tile's PR positions from p0 (at their first
 * tap); positions past P repeat the last one. */
static inline void tilePositions(const PairJob *job, int64_t p0, int PR,
                                 int64_t *at) {
  const qccUkernelInt8Problem *pb = &job->pb;
  for (int r = 0; r < PR; ++r) {
    const int64_t p = p0 + r < pb->P ? p0 + r : pb->P - 1;
    const int64_t oh = p / pb->ow, ow = p % pb->ow;
    at[r] = (oh * pb->sh * pb->width + ow * pb->sw) * 4;
  }
}

/* The tile's accumulators, acc[r][v] for position p0 + r and channels
 * m0 + 8v .. m0 + 8v + 7, requantized and stored (the first `rows`). */
QCC_AVX2 __attribute__((noinline)) static void
finishPairTile(const PairJob *job, const __m256i (*acc)[2], int PR, int64_t m0,
               int64_t p0) {
  int8_t tile[kPairMaxPositions][kPairChannels];
  for (int v = 0; v < 2; ++v) {
    const PairScales s = pairScales(job, m0 + 8 * v);
    for (int r = 0; r < PR; ++r)
      _mm_storel_epi64((__m128i *)&tile[r][8 * v],
                       requantizePairLanes(job, &s, acc[r][v]));
  }
  const int rows = job->pb.P - p0 < PR ? (int)(job->pb.P - p0) : PR;
  storePairTile(job, (const int8_t(*)[kPairChannels])tile, rows, m0, p0);
}

/* PR positions from p0 by 16 channels from m0, over every tap and channel
 * pair. Positions past P repeat the last one and are not stored. */
#define QCC_DEFINE_PAIR_TILE(PR, NAME)                                         \
  QCC_AVX2 static void NAME(const PairJob *job, int64_t m0, int64_t p0) {      \
    __m256i acc[PR][2];                                                        \
    int64_t at[PR];                                                            \
    tilePositions(job, p0, PR, at);                                            \
    for (int r = 0; r < PR; ++r)                                               \
      acc[r][0] = acc[r][1] = _mm256_setzero_si256();                          \
    const int8_t *w =                                                          \
        job->Wp + m0 / kPairChannels * job->taps * job->pairs * 32;            \
    const uint8_t *image = (const uint8_t *)job->image;                        \
    for (int64_t t = 0; t < job->taps; ++t) {                                  \
      const uint8_t *b = image + job->tapOffset[t];                            \
      const int8_t *wt = w + t * job->pairs * 32;                              \
      for (int64_t c2 = 0; c2 < job->pairs; ++c2) {                            \
        const __m256i v0 = _mm256_cvtepi8_epi16(                               \
            _mm_loadu_si128((const __m128i *)(wt + c2 * 32)));                 \
        const __m256i v1 = _mm256_cvtepi8_epi16(                               \
            _mm_loadu_si128((const __m128i *)(wt + c2 * 32 + 16)));            \
        const uint8_t *bq = b + c2 * job->pairStride;                          \
        for (int r = 0; r < PR; ++r) {                                         \
          int32_t pair;                                                        \
          memcpy(&pair, bq + at[r], 4);                                        \
          const __m256i x = _mm256_set1_epi32(pair);                           \
          acc[r][0] = _mm256_add_epi32(acc[r][0], _mm256_madd_epi16(x, v0));   \
          acc[r][1] = _mm256_add_epi32(acc[r][1], _mm256_madd_epi16(x, v1));   \
        }                                                                      \
      }                                                                        \
    }                                                                          \
    finishPairTile(job, (const __m256i(*)[2])acc, PR, m0, p0);                 \
  }

QCC_DEFINE_PAIR_TILE(4, pairTile4)
QCC_DEFINE_PAIR_TILE(5, pairTile5)
QCC_DEFINE_PAIR_TILE(6, pairTile6)

/* The same on bytes: each step broadcasts a position's channel quad and
 * multiplies it into 8 channels' quads per vector with vpmaddubsw, whose
 * pair sums the weights keep within 16 bits, then vpmaddwd by ones. The
 * accumulators start at -128 * the channels' weight sums. */
#define QCC_DEFINE_BYTE_TILE(PR, NAME)                                         \
  QCC_AVX2 static void NAME(const PairJob *job, int64_t m0, int64_t p0) {      \
    __m256i acc[PR][2];                                                        \
    int64_t at[PR];                                                            \
    const __m256i ones = _mm256_set1_epi16(1);                                 \
    const __m256i start0 = _mm256_sub_epi32(                                   \
        _mm256_setzero_si256(),                                                \
        _mm256_loadu_si256((const __m256i *)(job->rowSum + m0)));              \
    const __m256i start1 = _mm256_sub_epi32(                                   \
        _mm256_setzero_si256(),                                                \
        _mm256_loadu_si256((const __m256i *)(job->rowSum + m0 + 8)));          \
    tilePositions(job, p0, PR, at);                                            \
    for (int r = 0; r < PR; ++r) {                                             \
      acc[r][0] = start0;                                                      \
      acc[r][1] = start1;                                                      \
    }                                                                          \
    const int8_t *w =                                                          \
        job->Wp + m0 / kPairChannels * job->taps * job->pairs * 64;            \
    const uint8_t *image = (const uint8_t *)job->image;                        \
    for (int64_t t = 0; t < job->taps; ++t) {                                  \
      const uint8_t *b = image + job->tapOffset[t];                            \
      const int8_t *wt = w + t * job->pairs * 64;                              \
      for (int64_t c4 = 0; c4 < job->pairs; ++c4) {                            \
        const __m256i v0 =                                                     \
            _mm256_loadu_si256((const __m256i *)(wt + c4 * 64));               \
        const __m256i v1 =                                                     \
            _mm256_loadu_si256((const __m256i *)(wt + c4 * 64 + 32));          \
        const uint8_t *bq = b + c4 * job->pairStride;                          \
        for (int r = 0; r < PR; ++r) {                                         \
          int32_t quad;                                                        \
          memcpy(&quad, bq + at[r], 4);                                        \
          const __m256i x = _mm256_set1_epi32(quad);                           \
          acc[r][0] = _mm256_add_epi32(                                        \
              acc[r][0],                                                       \
              _mm256_madd_epi16(_mm256_maddubs_epi16(x, v0), ones));           \
          acc[r][1] = _mm256_add_epi32(                                        \
              acc[r][1],                                                       \
              _mm256_madd_epi16(_mm256_maddubs_epi16(x, v1), ones));           \
        }                                                                      \
      }                                                                        \
    }                                                                          \
    finishPairTile(job, (const __m256i(*)[2])acc, PR, m0, p0);                 \
  }

QCC_DEFINE_BYTE_TILE(4, byteTile4)
QCC_DEFINE_BYTE_TILE(5, byteTile5)

typedef void (*PairTileFn)(const PairJob *, int64_t, int64_t);

static void *pairPart(void *arg) {
  static const PairTileFn pairTiles[kPairMaxPositions + 1] = {
      [4] = pairTile4, [5] = pairTile5, [6] = pairTile6};
  static const PairTileFn byteTiles[kPairMaxPositions + 1] = {
      [4] = byteTile4, [5] = byteTile5};
  const qccUkernelPanelPart *part = (const qccUkernelPanelPart *)arg;
  const PairJob *job = (const PairJob *)part->job;
  const PairTileFn tile = (job->bytes ? byteTiles : pairTiles)[job->PR];
  /* Channel blocks outside, position tiles inside: a block's weights
   * (taps x C x 64 bytes) stay in cache for all the plane's positions. */
  for (int64_t blk = part->panelBegin; blk < part->panelEnd; ++blk) {
    int64_t first, last;
    qccUkernelPartBlocks(part, blk, &first, &last);
    for (int64_t q = first; q < last; ++q)
      tile(job, blk * kPairChannels, q * job->PR);
  }
  return NULL;
}

void qccUkernelInt8ChannelPairs(const qccUkernelInt8Problem *problem, int tier,
                                int threads) {
  PairJob job;
  memset(&job, 0, sizeof job);
  job.pb = *problem;
  const int64_t W = problem->width, HW = problem->height * W;
  job.taps = problem->kh * problem->kw;
  int owned;
  qccUkernelPacked packed = qccUkernelGetPacked(
      problem->A, problem->M, problem->K, problem->lda, job.taps,
      problem->constantA,
      tier == QCC_CPU_TIER_AVX2 ? packChannelAvx2 : packChannelPairs, &owned);
  job.Wp = packed.data;
  job.rowSum = packed.rowSum;
  job.bytes = packed.rowSum != NULL;
  job.pairs =
      job.bytes ? (problem->channels + 3) / 4 : (problem->channels + 1) / 2;
  job.pairStride = HW * 4;
  for (int64_t kh = 0; kh < problem->kh; ++kh)
    for (int64_t kw = 0; kw < problem->kw; ++kw)
      job.tapOffset[kh * problem->kw + kw] =
          (kh * problem->dh * W + kw * problem->dw) * 4;
  int64_t positions;
  job.PR = qccUkernelLeastPaddedTile(
      problem->P, kPairMinPositions,
      job.bytes ? kPairMaxPositions - 1 : kPairMaxPositions, &positions);
  job.image = qccUkernelScratch((size_t)(job.pairs * job.pairStride), 0);
  const int64_t blocks = (problem->M + kPairChannels - 1) / kPairChannels;
  const int64_t positionTiles = positions / job.PR;
  const int computeThreads = qccUkernelThreadsForWork(
      (double)problem->M * problem->P * problem->K, threads);
  for (int64_t n = 0; n < problem->batch; ++n) {
    job.x = problem->B + n * problem->strideB;
    job.out = problem->out + n * problem->strideOut;
    qccUkernelSplitPlanes(repackImage, &job, job.pairs,
                          job.pairs * job.pairStride, kRepackParallelBytes,
                          threads);
    qccUkernelSplitPanels(pairPart, &job, positionTiles, blocks,
                          computeThreads);
  }
  qccUkernelFree(job.image);
  if (owned)
    qccUkernelFreePacked(packed);
}

#else

void qccUkernelInt8ChannelPairs(const qccUkernelInt8Problem *problem, int tier,
                                int threads) {
  (void)problem;
  (void)tier;
  (void)threads;
  abort(); /* only the AVX2 and AVX-VNNI tiers call it */
}

#endif
