/*===- Depthwise.c - Depthwise int8 convolution, requantized ----*- C -*-===*
 *
 * Depthwise convolutions (one input channel per output channel: MobileNet,
 * EfficientNet, MnasNet, ShuffleNet) are memory-bound: each weight is used
 * once per output element, so an implicit GEMM (im2col) only adds traffic,
 * and their planes are small (3 to 48 columns in a 96x96 MobileNet), so
 * row-by-row vector loops would mostly run their scalar remainders. Two
 * kernels, both summing 16 outputs per vector across all taps:
 *
 * - Flattened planes, for stride 1 on rows of at least kFlatMinWidth
 *   outputs: output (oh, ow) reads x[oh * W + ow + kh * dh * W + kw * dw],
 *   so the positions p = oh * W + ow of consecutive rows form one
 *   contiguous range and each tap is one vector load at p. The columns ow
 *   in [OW, W) are computed and dropped.
 * - Channel lanes, for the rest (small planes, strides): 16 channels per
 *   vector, as an NHWC kernel (below). On AVX-512 VNNI a kernel row's taps
 *   are summed four at a time by vpdpbusd (laneSumsVnni), and these lanes
 *   take the wide stride-1 rows too (channelLanesServe).
 *
 * The sums are requantized as qcc_ukernel_conv2d_requant does (TOSA
 * apply_scale_32). Kernels of more than kMaxTaps taps take direct loops.
 *
 * GCC/clang vector types, not intrinsics: each kernel is compiled once per
 * ISA tier (target attributes: one zmm, two ymm or four xmm per vector) and
 * chosen at run time, like the GEMM kernels. All arithmetic is exact
 * integer arithmetic, so every tier computes the reference's bits.
 *
 * Measured on MobileNetV2's 17 depthwise layers at 96x96 (Zen 4, one
 * thread): channel lanes took the 3x3 output layers from 34 to 11 us and
 * the stride-2 ones to a third to two thirds; the flattened kernel stays
 * ahead on stride-1 rows of 24 and more (40 against 46 us at 48x48)
 * below the VNNI tier.
 *
 *===----------------------------------------------------------------------===*/

#include "Internal.h"

#include <stdlib.h>

enum {
  kBlock = 16,           /* sums per vector block */
  kMaxTaps = 64,         /* KH * KW of the flattened path */
  kFlatPositions = 2048, /* positions (rows * W) per pass: sums in L1 */
  kFlatMinWidth = 24,    /* output columns for the flattened kernel */
};

typedef int8_t qccV16i8 __attribute__((vector_size(16)));
typedef int32_t qccV16i32 __attribute__((vector_size(64)));
typedef int64_t qccV16i64 __attribute__((vector_size(128)));

typedef struct {
  int64_t N, C, H, W, KH, KW, OH, OW, sh, sw, dh, dw;
  /* x's planes are (H - pad.top - pad.bottom) x (W - pad.left - pad.right);
   * with padding, each part pads the planes it works on into its scratch
   * (in cache, shared among threads) before reading them as H x W. */
  qcc_ukernel_padding pad;
  const int8_t *x, *w;
  const int32_t *bias, *multiplier;
  const int8_t *shift;
  int perChannel;
  int32_t outZp, lo, hi;
  int8_t *out;
  int highScales; /* every shift in [33, 54] (qccUkernelHighScales) */
} DepthwiseJob;

/* 16 int8 at p, sign-extended. */
__attribute__((always_inline)) static inline qccV16i32 load16(const int8_t *p) {
  qccV16i8 q;
  memcpy(&q, p, sizeof q);
  return __builtin_convertvector(q, qccV16i32);
}

/* 16 sums to int8, each lane with its own scale: TOSA apply_scale_32,
 * (acc * multiplier + round) >> shift in 64 bits with round =
 * 2^(shift-1), + outZp, clamped to [lo, hi]. Vectors by pointer: the
 * VNNI tier's function calls it too, and wide vector arguments would
 * change the ABI between functions of different targets. */
__attribute__((always_inline)) static inline qccV16i8
requantizeLanes(const qccV16i32 *acc, const qccV16i64 *multiplier,
                const qccV16i64 *round, const qccV16i64 *shift, int64_t outZp,
                int64_t lo, int64_t hi) {
  qccV16i64 y =
      (__builtin_convertvector(*acc, qccV16i64) * *multiplier + *round);
  y = (y >> *shift) + outZp;
  const qccV16i64 low = (qccV16i64){0} + lo, high = (qccV16i64){0} + hi;
#if defined(__has_builtin) && __has_builtin(__builtin_elementwise_max)
  y = __builtin_elementwise_min(__builtin_elementwise_max(y, low), high);
#else
  const qccV16i64 below = y<low, above = y> high;
  y = (y & ~below) | (low & below);
  y = (y & ~above) | (high & above);
#endif
  return __builtin_convertvector(y, qccV16i8);
}

/* requantizeLanes with one scale for all 16 lanes. */
__attribute__((always_inline)) static inline void
requantize16(const int32_t *acc, int8_t *out, int64_t multiplier, int shift,
             int64_t outZp, int64_t lo, int64_t hi) {
  qccV16i32 a;
  memcpy(&a, acc, sizeof a);
  const qccV16i64 zero = {0};
  const qccV16i64 m = zero + multiplier,
                  round = zero + ((int64_t)1 << (shift - 1)), s = zero + shift;
  const qccV16i8 q = requantizeLanes(&a, &m, &round, &s, outZp, lo, hi);
  memcpy(out, &q, sizeof q);
}

/* One plane by flattened positions (stride 1, at most kMaxTaps taps,
 * W <= kFlatPositions). Inlined into each tier's copy. */
__attribute__((always_inline)) static inline void
flatPlane(const DepthwiseJob *job, const int8_t *x, const int8_t *w,
          int32_t bias, int8_t *out, int32_t multiplier, int shift) {
  const int64_t W = job->W, OW = job->OW;
  const int64_t taps = job->KH * job->KW;
  int64_t offsets[kMaxTaps];
  int32_t weights[kMaxTaps];
  int64_t reach = 0;
  for (int64_t kh = 0; kh < job->KH; ++kh)
    for (int64_t kw = 0; kw < job->KW; ++kw) {
      const int64_t t = kh * job->KW + kw;
      offsets[t] = kh * job->dh * W + kw * job->dw;
      weights[t] = w[t];
      if (offsets[t] > reach)
        reach = offsets[t];
    }
  /* A block at p reads up to p + 15 + reach. Lanes past the plane read
   * the next plane's bytes and are dropped; only reads past the whole
   * input tensor (with padding: the padded plane and its kBlock bytes of
   * slack) are avoided. */
  const int64_t inside = qccUkernelHasPadding(&job->pad)
                             ? job->H * W + kBlock
                             : job->x + job->N * job->C * job->H * W - x;
  const int64_t rowsPerPass = kFlatPositions / W;
  int32_t acc[kFlatPositions + kBlock];
  int8_t q[kFlatPositions + kBlock];
  for (int64_t oh0 = 0; oh0 < job->OH; oh0 += rowsPerPass) {
    const int64_t oh1 =
        oh0 + rowsPerPass < job->OH ? oh0 + rowsPerPass : job->OH;
    const int64_t p0 = oh0 * W, count = (oh1 - 1 - oh0) * W + OW;
    for (int64_t b = 0; b < count; b += kBlock) {
      const int64_t p = p0 + b;
      if (p + kBlock - 1 + reach < inside) {
        qccV16i32 v = {0};
        v += bias;
        for (int64_t t = 0; t < taps; ++t)
          v += weights[t] * load16(x + p + offsets[t]);
        memcpy(acc + b, &v, sizeof v);
        continue;
      }
      /* The input's last block: only what is inside it. */
      for (int64_t j = b; j < b + kBlock; ++j) {
        int32_t sum = bias;
        if (j < count)
          for (int64_t t = 0; t < taps; ++t)
            sum += weights[t] * (int32_t)x[p0 + j + offsets[t]];
        acc[j] = sum;
      }
    }
    for (int64_t b = 0; b < count; b += kBlock)
      requantize16(acc + b, q + b, multiplier, shift, job->outZp, job->lo,
                   job->hi);
    for (int64_t oh = oh0; oh < oh1; ++oh)
      memcpy(out + oh * OW, q + (oh - oh0) * W, (size_t)OW);
  }
}

typedef void (*PlaneFn)(const DepthwiseJob *, const int8_t *, const int8_t *,
                        int32_t, int8_t *, int32_t, int);

#define QCC_DEFINE_FLAT_PLANE(NAME, ATTR)                                      \
  ATTR static void NAME(const DepthwiseJob *job, const int8_t *x,              \
                        const int8_t *w, int32_t bias, int8_t *out,            \
                        int32_t multiplier, int shift) {                       \
    flatPlane(job, x, w, bias, out, multiplier, shift);                        \
  }
QCC_DEFINE_FLAT_PLANE(flatPlaneGeneric, )
#if QCC_HAVE_X86
QCC_DEFINE_FLAT_PLANE(flatPlaneAvx2, QCC_AVX2)
QCC_DEFINE_FLAT_PLANE(flatPlaneAvx512, QCC_VNNI)
#endif

/* The flattened kernel of the active tier. */
static PlaneFn flatPlaneOfTier(void) {
#if QCC_HAVE_X86
  const int tier = qcc_ukernel_cpu_tier();
  if (tier >= QCC_CPU_TIER_AVX512VNNI)
    return flatPlaneAvx512;
  if (tier >= QCC_CPU_TIER_AVX2)
    return flatPlaneAvx2;
#endif
  return flatPlaneGeneric;
}

/*--- Channel lanes ---------------------------------------------------------*
 *
 * Small planes waste the flattened kernel's lanes (a 3x3 output uses 9 of
 * 16, a stride-2 plane computes the dropped half of every row) and pay its
 * per-plane set-up once per 9 outputs. Channel lanes instead put 16
 * channels in a vector, as an NHWC kernel does: a group's input planes are
 * transposed once into [H * W][16] bytes, each output position sums its
 * taps' 16-byte rows (any stride or dilation: every lane is used), the
 * sums are requantized with per-lane scales, and the [OH * OW][16] result is
 * transposed back into the group's output planes. */

QCC_DEFINE_TRANSPOSE16(transpose16, qccV16i8)

/* The first min(valid, 16) bytes at p (valid <= 0: none), zeros after
 * them; bytes up to `end` may be read beyond them (and are dropped), so a
 * row is one load except at the end of its array. */
__attribute__((always_inline)) static inline qccV16i8
loadRow16(const int8_t *p, int64_t valid, const int8_t *end) {
  qccV16i8 v = {0};
  if (valid <= 0)
    return v;
  if (p + 16 <= end)
    memcpy(&v, p, sizeof v);
  else {
    int8_t bytes[16] = {0};
    for (int64_t k = 0; k < valid && k < 16; ++k)
      bytes[k] = p[k];
    memcpy(&v, bytes, sizeof v);
  }
  if (valid >= 16)
    return v;
  const qccV16i8 lane = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15};
  return v & (qccV16i8)(lane < (int8_t)valid);
}

/* Scratch of one thread: the transposed input and output of a group. */
typedef struct {
  int8_t *input;  /* [H * W rounded up to 64][16] */
  int8_t *output; /* [OH * OW rounded up to 64][16] */
} LaneScratch;

/* The requantization of a group's lanes (lanes past C: the first
 * channel's scales; their outputs are not stored). */
typedef struct {
  qccV16i32 bias;
  qccV16i64 multiplier, shift, round;
} LaneScales;

__attribute__((always_inline)) static inline LaneScales
laneScales(const DepthwiseJob *job, int64_t c0, int64_t lanes) {
  int32_t laneBias[kBlock];
  int64_t laneMultiplier[kBlock], laneShift[kBlock];
  for (int i = 0; i < kBlock; ++i) {
    const int64_t c = c0 + (i < lanes ? i : 0);
    const int s = job->perChannel ? (int)c : 0;
    laneBias[i] = job->bias[c];
    laneMultiplier[i] = job->multiplier[s];
    laneShift[i] = job->shift[s];
  }
  LaneScales scales;
  memcpy(&scales.bias, laneBias, sizeof scales.bias);
  memcpy(&scales.multiplier, laneMultiplier, sizeof scales.multiplier);
  memcpy(&scales.shift, laneShift, sizeof scales.shift);
  const qccV16i64 one = (qccV16i64){0} + 1;
  scales.round = one << (scales.shift - one);
  return scales;
}

/* The group's weights, [lanes][taps] bytes, transposed 16 taps at a time
 * to a column of 16 channels per tap (zeros in the lanes past C). */
__attribute__((always_inline)) static inline void
laneWeightColumns(const DepthwiseJob *job, int64_t c0, int64_t lanes,
                  qccV16i8 columns[kMaxTaps]) {
  const int64_t taps = job->KH * job->KW;
  const int8_t *wEnd = job->w + job->C * taps;
  for (int64_t t0 = 0; t0 < taps; t0 += 16) {
    qccV16i8 rows[16];
    for (int i = 0; i < 16; ++i)
      rows[i] = loadRow16(job->w + (c0 + i) * taps + t0,
                          i < lanes ? taps - t0 : 0, wEnd);
    transpose16(rows, columns + t0);
  }
}

/* The window sums of a group, requantized into scratch->output: per
 * output position, each tap's 16-byte row times its weights widened to 32
 * bits. */
__attribute__((always_inline)) static inline void
laneSums(const DepthwiseJob *job, int64_t c0, int64_t lanes,
         const LaneScratch *scratch) {
  const int64_t taps = job->KH * job->KW;
  qccV16i8 columns[kMaxTaps];
  laneWeightColumns(job, c0, lanes, columns);
  qccV16i32 weights[kMaxTaps];
  for (int64_t t = 0; t < taps; ++t)
    weights[t] = __builtin_convertvector(columns[t], qccV16i32);
  const LaneScales scales = laneScales(job, c0, lanes);
  int64_t offsets[kMaxTaps];
  for (int64_t kh = 0; kh < job->KH; ++kh)
    for (int64_t kw = 0; kw < job->KW; ++kw)
      offsets[kh * job->KW + kw] = (kh * job->dh * job->W + kw * job->dw) * 16;
  const int64_t OH = job->OH, OW = job->OW, W = job->W;
  const int64_t sh = job->sh, sw = job->sw;
  for (int64_t oh = 0; oh < OH; ++oh)
    for (int64_t ow = 0; ow < OW; ++ow) {
      const int8_t *window = scratch->input + (oh * sh * W + ow * sw) * 16;
      qccV16i32 acc = scales.bias;
      for (int64_t t = 0; t < taps; ++t) {
        qccV16i8 v;
        memcpy(&v, window + offsets[t], sizeof v);
        acc += weights[t] * __builtin_convertvector(v, qccV16i32);
      }
      const qccV16i8 q =
          requantizeLanes(&acc, &scales.multiplier, &scales.round,
                          &scales.shift, job->outZp, job->lo, job->hi);
      memcpy(scratch->output + (oh * OW + ow) * 16, &q, sizeof q);
    }
}

/* Positions [j, j + count) of a group's transposed input, 16 bytes each
 * in `chunk`, into scratch->input between the padding (which the part
 * wrote once): a run per source row. */
__attribute__((always_inline)) static inline void
placePaddedChunk(const DepthwiseJob *job, const LaneScratch *scratch, int64_t j,
                 int64_t count, const int8_t *chunk) {
  const qcc_ukernel_padding *pad = &job->pad;
  const int64_t srcW = job->W - pad->left - pad->right;
  int64_t h = j / srcW, w = j % srcW;
  for (int64_t i = 0; i < count; w = 0, ++h) {
    const int64_t run = count - i < srcW - w ? count - i : srcW - w;
    qccUkernelCopyBytes(scratch->input +
                            ((h + pad->top) * job->W + w + pad->left) * 16,
                        chunk + i * 16, run * 16);
    i += run;
  }
}

/* The group's input planes from position j0 on, transposed 16 positions at
 * a time into scratch->input (+ 128 with `unsignedInput`, for vpdpbusd). */
__attribute__((always_inline)) static inline void
laneInput(const DepthwiseJob *job, int64_t n, int64_t c0, int64_t lanes,
          const LaneScratch *scratch, int64_t j0, const int unsignedInput) {
  const qcc_ukernel_padding *pad = &job->pad;
  const int64_t srcW = job->W - pad->left - pad->right;
  const int64_t HW = (job->H - pad->top - pad->bottom) * srcW;
  const int8_t *x = job->x + (n * job->C + c0) * HW;
  const int8_t *xEnd = job->x + job->N * job->C * HW;
  for (int64_t j = j0; j < HW; j += 16) {
    qccV16i8 rows[16], columns[16];
    for (int i = 0; i < 16; ++i)
      rows[i] = loadRow16(x + i * HW + j, i < lanes ? HW - j : 0, xEnd);
    transpose16(rows, columns);
    if (unsignedInput)
      for (int i = 0; i < 16; ++i)
        columns[i] ^= (qccV16i8){0} + (int8_t)-128;
    if (qccUkernelHasPadding(pad))
      placePaddedChunk(job, scratch, j, HW - j < 16 ? HW - j : 16,
                       (const int8_t *)columns);
    else
      memcpy(scratch->input + j * 16, columns, sizeof columns);
  }
}

/* The group's output from position p0 on: `lanes` rows of P bytes, one
 * after another. Each 16-position chunk is stored 16 bytes per row,
 * overwriting the next rows' first positions before they are written: the
 * tail chunk first, then the others in order; a store that would pass the
 * group's last row (into the next group's output) is exact. Positions
 * before p0 are stored
 * after this (they overwrite what the tail wrote into them). */
__attribute__((always_inline)) static inline void
laneOutput(const DepthwiseJob *job, int64_t n, int64_t c0, int64_t lanes,
           const LaneScratch *scratch, int64_t p0) {
  const int64_t P = job->OH * job->OW;
  if (p0 >= P)
    return;
  int8_t *out = job->out + (n * job->C + c0) * P;
  const int64_t tail = (P - 1) / 16 * 16;
  for (int64_t step = 0; p0 + step * 16 < P; ++step) {
    const int64_t p = step == 0 ? tail : p0 + (step - 1) * 16;
    qccV16i8 positions[16], channels[16];
    memcpy(positions, scratch->output + p * 16, sizeof positions);
    transpose16(positions, channels);
    const int64_t count = P - p < 16 ? P - p : 16;
    for (int i = 0; i < lanes; ++i) {
      int8_t *dst = out + i * P + p;
      if (dst + 16 <= out + lanes * P)
        memcpy(dst, &channels[i], 16);
      else
        for (int64_t k = 0; k < count; ++k)
          dst[k] = channels[i][k];
    }
  }
}

/* Channels [c0, c0 + 16) of image n (fewer at the end of C). */
__attribute__((always_inline)) static inline void
channelLaneGroup(const DepthwiseJob *job, int64_t n, int64_t c0,
                 const LaneScratch *scratch) {
  const int64_t lanes = job->C - c0 < kBlock ? job->C - c0 : kBlock;
  laneInput(job, n, c0, lanes, scratch, 0, 0);
  laneSums(job, c0, lanes, scratch);
  laneOutput(job, n, c0, lanes, scratch, 0);
}

typedef void (*LaneGroupFn)(const DepthwiseJob *, int64_t, int64_t,
                            const LaneScratch *);

#define QCC_DEFINE_LANE_GROUP(NAME, ATTR)                                      \
  ATTR static void NAME(const DepthwiseJob *job, int64_t n, int64_t c0,        \
                        const LaneScratch *scratch) {                          \
    channelLaneGroup(job, n, c0, scratch);                                     \
  }
QCC_DEFINE_LANE_GROUP(laneGroupGeneric, )
#if QCC_HAVE_X86
QCC_DEFINE_LANE_GROUP(laneGroupAvx2, QCC_AVX2)
QCC_DEFINE_LANE_GROUP(laneGroupAvx512, QCC_VNNI)

enum { kVnniMaxRows = 8, kVnniMaxColumns = 8 }; /* KH, KW */

/* Whether laneSumsVnni serves a layer: a kernel row's taps in groups of
 * 4 must span at most 8 positions (one 128-byte window): dilation <= 2. */
static int vnniLanesServe(const DepthwiseJob *job) {
  return job->KH <= kVnniMaxRows && job->KW <= kVnniMaxColumns && job->dw <= 2;
}

/* The window sums of a group with vpdpbusd: per output position, each
 * kernel row's taps four at a time, gathered from one 128-byte window of
 * the (unsigned) transposed input by one byte permutation into the lanes'
 * quads [tap 0..3] of each channel, times the quads of weights (zero past
 * KW); 128 * sum(w) per lane is subtracted once. 3 permutations and 3
 * vpdpbusd for a 3x3 window instead of 9 widening multiplies and adds. */
QCC_VNNI static void laneSumsVnni(const DepthwiseJob *job, int64_t c0,
                                  int64_t lanes, const LaneScratch *scratch) {
  const int64_t KH = job->KH, KW = job->KW, groups = (KW + 3) / 4;
  /* Byte 4 ch + i of a lane quad: tap i of channel ch, from 16-byte
   * columns of channels i * step apart (step 1 for the weights, dw
   * positions in the input window). */
  uint8_t index[64], weightIndex[64];
  for (int ch = 0; ch < 16; ++ch)
    for (int i = 0; i < 4; ++i) {
      index[4 * ch + i] = (uint8_t)(i * job->dw * 16 + ch);
      weightIndex[4 * ch + i] = (uint8_t)(i * 16 + ch);
    }
  const __m512i gather = _mm512_loadu_si512(index);
  /* The weights: a column of 16 channels per tap, then four taps' columns
   * into lane quads (zero columns past KW); 128 * sum(w) per lane from the
   * same quads. */
  qccV16i8 columns[kMaxTaps];
  laneWeightColumns(job, c0, lanes, columns);
  __m512i weights[kVnniMaxRows * ((kVnniMaxColumns + 3) / 4)];
  __m512i compensation = _mm512_setzero_si512();
  const __m512i toQuads = _mm512_loadu_si512(weightIndex);
  for (int64_t kh = 0; kh < KH; ++kh)
    for (int64_t g = 0; g < groups; ++g) {
      int8_t four[4][16];
      for (int64_t i = 0; i < 4; ++i)
        if (4 * g + i < KW)
          memcpy(four[i], &columns[kh * KW + 4 * g + i], 16);
        else
          memset(four[i], 0, 16);
      const __m512i quads =
          _mm512_permutexvar_epi8(toQuads, _mm512_loadu_si512(four));
      weights[kh * groups + g] = quads;
      compensation = _mm512_dpbusd_epi32(compensation,
                                         _mm512_set1_epi8((char)0x80), quads);
    }
  const LaneScales scales = laneScales(job, c0, lanes);
  __m512i init;
  memcpy(&init, &scales.bias, sizeof init);
  init = _mm512_sub_epi32(init, compensation);
  /* qccUkernelScaleHigh16's constants where job->highScales: the same
   * lanes' multipliers and shifts, in 32 bits. */
  const qccV16i32 laneMultiplier =
      __builtin_convertvector(scales.multiplier, qccV16i32);
  const qccV16i32 laneBits =
      __builtin_convertvector(scales.shift, qccV16i32) - 32;
  __m512i multiplier, bits;
  memcpy(&multiplier, &laneMultiplier, sizeof multiplier);
  memcpy(&bits, &laneBits, sizeof bits);
  const __m512i addend = qccUkernelHighScaleAddend16(bits, job->outZp);
  const __m512i oddMultiplier = _mm512_srli_epi64(multiplier, 32);
  const int64_t OH = job->OH, OW = job->OW, W = job->W;
  const int64_t rowStep = job->dh * W * 16, groupStep = 4 * job->dw * 16;
  const int8_t *input = scratch->input;
  /* Four positions at a time: four independent vpdpbusd chains (one
   * chain's latency would bound a position to KH x groups x 5 cycles). */
  enum { kChains = 4 };
  const int64_t P = OH * OW;
  for (int64_t p0 = 0; p0 < P; p0 += kChains) {
    const int8_t *window[kChains];
    __m512i acc[kChains];
    for (int j = 0; j < kChains; ++j) {
      const int64_t p = p0 + j < P ? p0 + j : P - 1;
      window[j] = input + (p / OW * job->sh * W + p % OW * job->sw) * 16;
      acc[j] = init;
    }
    for (int64_t kh = 0; kh < KH; ++kh)
      for (int64_t g = 0; g < groups; ++g)
        for (int j = 0; j < kChains; ++j) {
          const int8_t *at = window[j] + kh * rowStep + g * groupStep;
          const __m512i x = _mm512_permutex2var_epi8(
              _mm512_loadu_si512(at), gather, _mm512_loadu_si512(at + 64));
          acc[j] = _mm512_dpbusd_epi32(acc[j], x, weights[kh * groups + g]);
        }
    if (job->highScales) {
      for (int j = 0; j < kChains && p0 + j < P; ++j)
        _mm_storeu_si128((__m128i *)(scratch->output + (p0 + j) * 16),
                         qccUkernelClampInt8(
                             qccUkernelScaleHigh16(acc[j], multiplier,
                                                   oddMultiplier, addend, bits),
                             job->lo, job->hi));
      continue;
    }
    for (int j = 0; j < kChains && p0 + j < P; ++j) {
      qccV16i32 sums;
      memcpy(&sums, &acc[j], sizeof sums);
      const qccV16i8 q =
          requantizeLanes(&sums, &scales.multiplier, &scales.round,
                          &scales.shift, job->outZp, job->lo, job->hi);
      memcpy(scratch->output + (p0 + j) * 16, &q, sizeof q);
    }
  }
}

/* transpose16 on each 128-bit lane of 16 zmm: four 16 x 16 transposes. */
QCC_VNNI __attribute__((always_inline)) static inline void
transpose16x4(const __m512i in[16], __m512i out[16]) {
  __m512i a[16], b[16];
  for (int i = 0; i < 8; ++i) {
    a[i] = _mm512_unpacklo_epi8(in[2 * i], in[2 * i + 1]);
    a[8 + i] = _mm512_unpackhi_epi8(in[2 * i], in[2 * i + 1]);
  }
  for (int h = 0; h < 2; ++h)
    for (int j = 0; j < 4; ++j) {
      b[h * 8 + j] =
          _mm512_unpacklo_epi16(a[h * 8 + 2 * j], a[h * 8 + 2 * j + 1]);
      b[h * 8 + 4 + j] =
          _mm512_unpackhi_epi16(a[h * 8 + 2 * j], a[h * 8 + 2 * j + 1]);
    }
  for (int q = 0; q < 4; ++q) {
    const __m512i *g = &b[q * 4];
    const __m512i c0 = _mm512_unpacklo_epi32(g[0], g[1]),
                  c1 = _mm512_unpackhi_epi32(g[0], g[1]);
    const __m512i c2 = _mm512_unpacklo_epi32(g[2], g[3]),
                  c3 = _mm512_unpackhi_epi32(g[2], g[3]);
    out[4 * q] = _mm512_unpacklo_epi64(c0, c2);
    out[4 * q + 1] = _mm512_unpackhi_epi64(c0, c2);
    out[4 * q + 2] = _mm512_unpacklo_epi64(c1, c3);
    out[4 * q + 3] = _mm512_unpackhi_epi64(c1, c3);
  }
}

/* Lane b of x[r] <-> lane r of x[b], for 4 zmm of four 128-bit lanes. */
QCC_VNNI __attribute__((always_inline)) static inline void
transposeLanes4(__m512i *x0, __m512i *x1, __m512i *x2, __m512i *x3) {
  const __m512i u0 = _mm512_shuffle_i64x2(*x0, *x1, 0x44),
                u1 = _mm512_shuffle_i64x2(*x0, *x1, 0xEE),
                u2 = _mm512_shuffle_i64x2(*x2, *x3, 0x44),
                u3 = _mm512_shuffle_i64x2(*x2, *x3, 0xEE);
  *x0 = _mm512_shuffle_i64x2(u0, u2, 0x88);
  *x1 = _mm512_shuffle_i64x2(u0, u2, 0xDD);
  *x2 = _mm512_shuffle_i64x2(u1, u3, 0x88);
  *x3 = _mm512_shuffle_i64x2(u1, u3, 0xDD);
}

/* The VNNI tier's group: laneGroup's steps with the input and output
 * transposed 64 positions at a time (16 zmm through four lane-wise 16 x 16
 * transposes and one 4 x 4 transpose of lanes: a quarter of the xmm
 * shuffles) while more than 32 positions are left; the rest as the other
 * tiers do it. The input is stored + 128 for vpdpbusd. */
QCC_VNNI static void laneGroupVnni(const DepthwiseJob *job, int64_t n,
                                   int64_t c0, const LaneScratch *scratch) {
  const int64_t lanes = job->C - c0 < kBlock ? job->C - c0 : kBlock;
  const qcc_ukernel_padding *pad = &job->pad;
  const int64_t srcW = job->W - pad->left - pad->right;
  const int64_t HW = (job->H - pad->top - pad->bottom) * srcW;
  const int padded = qccUkernelHasPadding(pad);
  const __m512i flip = _mm512_set1_epi8((char)0x80);
  const int8_t *x = job->x + (n * job->C + c0) * HW;
  int64_t j = 0;
  for (; HW - j > 32; j += 64) {
    const __mmask64 valid = qccUkernelBytes64(HW - j);
    __m512i rows[16], columns[16];
    for (int i = 0; i < 16; ++i)
      rows[i] = i < lanes
                    ? _mm512_xor_si512(
                          _mm512_maskz_loadu_epi8(valid, x + i * HW + j), flip)
                    : flip;
    transpose16x4(rows, columns);
    /* columns[4k + r], lane b: position 16b + 4k + r; after each group's
     * lane transpose, columns[4k + b] holds positions 16b + 4k .. + 3. */
    for (int k = 0; k < 4; ++k)
      transposeLanes4(&columns[4 * k], &columns[4 * k + 1], &columns[4 * k + 2],
                      &columns[4 * k + 3]);
    int8_t chunk[64 * 16] __attribute__((aligned(64)));
    int8_t *dst = padded ? chunk : scratch->input + j * 16;
    for (int k = 0; k < 4; ++k)
      for (int b = 0; b < 4; ++b)
        _mm512_storeu_si512(dst + (16 * b + 4 * k) * 16, columns[4 * k + b]);
    if (padded)
      placePaddedChunk(job, scratch, j, HW - j < 64 ? HW - j : 64, chunk);
  }
  laneInput(job, n, c0, lanes, scratch, j, 1);
  laneSumsVnni(job, c0, lanes, scratch);
  const int64_t P = job->OH * job->OW;
  int64_t p0 = 0;
  while (P - p0 > 32)
    p0 += 64;
  laneOutput(job, n, c0, lanes, scratch, p0);
  int8_t *out = job->out + (n * job->C + c0) * P;
  for (int64_t p = 0; p < p0; p += 64) {
    /* in[4q + r], lane b: position p + 16b + 4q + r, from the 4-position
     * rows at p + 4(4b + q). */
    __m512i in[16], channels[16];
    for (int q = 0; q < 4; ++q) {
      for (int b = 0; b < 4; ++b)
        in[4 * q + b] =
            _mm512_loadu_si512(scratch->output + (p + 16 * b + 4 * q) * 16);
      transposeLanes4(&in[4 * q], &in[4 * q + 1], &in[4 * q + 2],
                      &in[4 * q + 3]);
    }
    transpose16x4(in, channels);
    const __mmask64 valid = qccUkernelBytes64(P - p);
    for (int i = 0; i < lanes; ++i)
      _mm512_mask_storeu_epi8(out + i * P + p, valid, channels[i]);
  }
}
#endif

static LaneGroupFn laneGroupOfTier(const DepthwiseJob *job) {
#if QCC_HAVE_X86
  const int tier = qcc_ukernel_cpu_tier();
  if (tier >= QCC_CPU_TIER_AVX512VNNI)
    return vnniLanesServe(job) ? laneGroupVnni : laneGroupAvx512;
  if (tier >= QCC_CPU_TIER_AVX2)
    return laneGroupAvx2;
#endif
  return laneGroupGeneric;
}

static void *channelLanePart(void *arg) {
  const PackedPart *part = arg; /* groups [begin, end) of 16 channels */
  const DepthwiseJob *job = (const DepthwiseJob *)part->job;
  const int64_t groups = (job->C + kBlock - 1) / kBlock;
  const int64_t HW = job->H * job->W, P = job->OH * job->OW;
  /* Rows past P are transposed but never stored (zeroed); 128 bytes of
   * slack for laneSumsVnni's windows past the last position. */
  LaneScratch scratch = {
      qccUkernelScratch((size_t)((HW + 63) / 64 * 64 * 16 + 128), 0),
      qccUkernelScratch((size_t)((P + 63) / 64 * 64 * 16), 1)};
  const LaneGroupFn group = laneGroupOfTier(job);
#if QCC_HAVE_X86
  const int unsignedInput = group == laneGroupVnni;
#else
  const int unsignedInput = 0;
#endif
  /* The padding positions, the same for every group (+ 128 where the
   * input is stored unsigned). */
  if (qccUkernelHasPadding(&job->pad))
    qccUkernelFillBytes(scratch.input,
                        (int8_t)job->pad.value ^ (unsignedInput ? 0x80 : 0),
                        HW * 16);
  for (int64_t g = part->begin; g < part->end; ++g)
    group(job, g / groups, g % groups * kBlock, &scratch);
  qccUkernelFree(scratch.input);
  qccUkernelFree(scratch.output);
  return NULL;
}

/* Which kernel serves a layer (see the file comment). */
static int flatServes(const DepthwiseJob *job) {
  return job->sh == 1 && job->sw == 1 && job->KH * job->KW <= kMaxTaps &&
         job->W <= kFlatPositions;
}
static int channelLanesServe(const DepthwiseJob *job) {
#if QCC_HAVE_X86
  /* The VNNI lanes beat the flattened planes on wide rows too
   * (MobileNetV2 int8, Zen 4: 0.809 -> 0.782 ms with its 48x48 and 24x24
   * layers in lanes). */
  if (qcc_ukernel_cpu_tier() >= QCC_CPU_TIER_AVX512VNNI && vnniLanesServe(job))
    return 1;
#endif
  return job->KH * job->KW <= kMaxTaps &&
         !(flatServes(job) && job->OW >= kFlatMinWidth);
}

/* One plane, any geometry: direct loops. */
static void directPlane(const DepthwiseJob *job, const int8_t *x,
                        const int8_t *w, int32_t bias, int8_t *out,
                        int32_t multiplier, int shift) {
  for (int64_t oh = 0; oh < job->OH; ++oh)
    for (int64_t ow = 0; ow < job->OW; ++ow) {
      int32_t sum = bias;
      for (int64_t kh = 0; kh < job->KH; ++kh)
        for (int64_t kw = 0; kw < job->KW; ++kw)
          sum += (int32_t)w[kh * job->KW + kw] *
                 (int32_t)x[(oh * job->sh + kh * job->dh) * job->W +
                            ow * job->sw + kw * job->dw];
      out[oh * job->OW + ow] = qccUkernelRequantize(
          sum, multiplier, shift, job->outZp, job->lo, job->hi);
    }
}

static void *depthwisePart(void *arg) {
  const PackedPart *part = arg; /* planes [begin, end) */
  const DepthwiseJob *job = (const DepthwiseJob *)part->job;
  const PlaneFn plane = flatServes(job) ? flatPlaneOfTier() : directPlane;
  const int padded = qccUkernelHasPadding(&job->pad);
  const int64_t srcH = job->H - job->pad.top - job->pad.bottom;
  const int64_t srcW = job->W - job->pad.left - job->pad.right;
  int8_t *paddedPlane =
      padded ? qccUkernelScratch((size_t)(job->H * job->W + kBlock), 0)
             : NULL; /* slack: whole blocks to the end (flatPlane) */
  for (int64_t p = part->begin; p < part->end; ++p) {
    const int64_t c = p % job->C;
    const int s = job->perChannel ? (int)c : 0;
    const int8_t *x = job->x + p * srcH * srcW;
    if (padded) {
      /* The padding stays from the part's first plane: copy the rows. */
      if (p == part->begin)
        qccUkernelPadPlane(x, srcH, srcW, &job->pad, 1, (int8_t)job->pad.value,
                           paddedPlane);
      else
        qccUkernelCopyIntoPadded(x, srcH, srcW, &job->pad, 1, paddedPlane);
      x = paddedPlane;
    }
    const int8_t *w = job->w + c * job->KH * job->KW;
    int8_t *out = job->out + p * job->OH * job->OW;
    plane(job, x, w, job->bias[c], out, job->multiplier[s], job->shift[s]);
  }
  qccUkernelFree(paddedPlane);
  return NULL;
}

void qcc_ukernel_depthwise_conv2d_requant(
    int64_t N, int64_t C, int64_t H, int64_t W, const int8_t *x,
    const qcc_ukernel_padding *pad, int64_t KH, int64_t KW, const int8_t *w,
    const int32_t *bias, int64_t OH, int64_t OW, int8_t *out, int64_t sh,
    int64_t sw, int64_t dh, int64_t dw, const int32_t *multiplier,
    const int8_t *shift, int perChannel, int32_t outZp, int32_t lo, int32_t hi,
    int threads) {
  if (N <= 0 || C <= 0 || OH <= 0 || OW <= 0)
    return;
  const qcc_ukernel_padding none = {0, 0, 0, 0, 0};
  if (!pad)
    pad = &none;
  const int64_t Hp = H + pad->top + pad->bottom,
                Wp = W + pad->left + pad->right;
  const DepthwiseJob job = {
      N,          C,          Hp,
      Wp,         KH,         KW,
      OH,         OW,         sh,
      sw,         dh,         dw,
      *pad,       x,          w,
      bias,       multiplier, shift,
      perChannel, outZp,      lo,
      hi,         out,        qccUkernelHighScales(shift, perChannel ? C : 1)};
  const int64_t work = N * C * OH * OW * KH * KW;
  if (channelLanesServe(&job)) {
    qccUkernelSplitPlanes(channelLanePart, &job,
                          N * ((C + kBlock - 1) / kBlock), work,
                          kDepthwiseParallelWork, threads);
    return;
  }
  qccUkernelSplitPlanes(depthwisePart, &job, N * C, work,
                        kDepthwiseParallelWork, threads);
}
