/*===- Depthwise.c - Depthwise int8 convolution with requantization -*- C -*-===*
 *
 * Depthwise convolutions (one input channel per output channel: MobileNet,
 * EfficientNet, MnasNet, ShuffleNet) are memory-bound: each weight is used
 * once per output element, so an implicit GEMM (im2col) only adds traffic,
 * and their planes are small (3 to 48 columns in a 96x96 MobileNet), so
 * row-by-row vector loops would mostly run their scalar remainders.
 *
 * Flattened planes: with equal strides s in both dimensions (1 or 2: every
 * zoo model's), output (oh, ow) reads x[s * (oh * W + ow) + kh * dh * W +
 * kw * dw], so the positions p = oh * W + ow of consecutive rows form one
 * contiguous range and each tap is one strided vector load at s * p. The
 * columns ow in [OW, W) are computed and dropped. A block of 16 sums stays
 * in registers across all taps; then the sums are requantized (TOSA
 * apply_scale_32, as qcc_ukernel_conv2d_requant) 16 at a time and each
 * row's OW results stored. Other geometries take the direct loops.
 *
 * GCC/clang vector types, not intrinsics: the flattened kernel is compiled
 * once per ISA tier (target attributes: one zmm, two ymm or four xmm per
 * block) and chosen at run time, like the GEMM kernels. All arithmetic is
 * exact integer arithmetic, so every tier computes the reference's bits.
 *
 *===----------------------------------------------------------------------===*/

#include "Internal.h"

enum {
  kBlock = 16,       /* sums per vector block */
  kMaxTaps = 64,     /* KH * KW of the flattened path */
  kFlatPositions = 2048, /* positions (rows * W) per pass: sums in L1 */
};

typedef int8_t qccV16i8 __attribute__((vector_size(16)));
typedef int8_t qccV32i8 __attribute__((vector_size(32)));
typedef int32_t qccV16i32 __attribute__((vector_size(64)));
typedef int64_t qccV16i64 __attribute__((vector_size(128)));

typedef struct {
  int64_t N, C, H, W, KH, KW, OH, OW, sh, sw, dh, dw;
  const int8_t *x, *w;
  const int32_t *bias, *multiplier;
  const int8_t *shift;
  int perChannel;
  int32_t outZp, lo, hi;
  int8_t *out;
} DepthwiseJob;

/* 16 int8 at p[0], p[stride], ..., sign-extended; stride 1 or 2 (which
 * reads 32 bytes). */
__attribute__((always_inline)) static inline qccV16i32
load16(const int8_t *p, int64_t stride) {
  qccV16i8 q;
  if (stride == 1) {
    memcpy(&q, p, sizeof q);
  } else {
    qccV32i8 pair;
    memcpy(&pair, p, sizeof pair);
    q = __builtin_shufflevector(pair, pair, 0, 2, 4, 6, 8, 10, 12, 14, 16, 18,
                                20, 22, 24, 26, 28, 30);
  }
  return __builtin_convertvector(q, qccV16i32);
}

/* Requantizes 16 sums: (acc * multiplier + 2^(shift-1)) >> shift in 64
 * bits, + outZp, clamped to [lo, hi]. */
__attribute__((always_inline)) static inline void
requantize16(const int32_t *acc, int8_t *out, int64_t multiplier, int shift,
             int64_t outZp, int64_t lo, int64_t hi) {
  qccV16i32 a;
  memcpy(&a, acc, sizeof a);
  qccV16i64 y = __builtin_convertvector(a, qccV16i64) * multiplier +
                ((int64_t)1 << (shift - 1));
  y = (y >> shift) + outZp;
  qccV16i64 below = y < lo, above = y > hi;
  y = (y & ~below) | (lo & below);
  y = (y & ~above) | (hi & above);
  qccV16i8 q = __builtin_convertvector(y, qccV16i8);
  memcpy(out, &q, sizeof q);
}

/* One plane by flattened positions (equal strides s of 1 or 2, at most
 * kMaxTaps taps, W <= kFlatPositions). Inlined into each tier's copy. */
__attribute__((always_inline)) static inline void
flatPlane(const DepthwiseJob *job, const int8_t *x, const int8_t *w,
          int32_t bias, int8_t *out, int32_t multiplier, int shift) {
  const int64_t W = job->W, OW = job->OW, s = job->sw;
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
  /* A block at p reads up to s * (p + 15) + reach (+1: a stride-2 load
   * reads 32 bytes). Lanes past the plane read the next plane's bytes and
   * are dropped; only reads past the whole input tensor are avoided. */
  const int64_t inside = job->x + job->N * job->C * job->H * W - x;
  const int64_t rowsPerPass = kFlatPositions / W;
  int32_t acc[kFlatPositions + kBlock];
  int8_t q[kFlatPositions + kBlock];
  for (int64_t oh0 = 0; oh0 < job->OH; oh0 += rowsPerPass) {
    const int64_t oh1 =
        oh0 + rowsPerPass < job->OH ? oh0 + rowsPerPass : job->OH;
    const int64_t p0 = oh0 * W, count = (oh1 - 1 - oh0) * W + OW;
    for (int64_t b = 0; b < count; b += kBlock) {
      const int64_t p = p0 + b;
      if (s * (p + kBlock - 1) + reach + (s - 1) < inside) {
        qccV16i32 v = {0};
        v += bias;
        for (int64_t t = 0; t < taps; ++t)
          v += weights[t] * load16(x + s * p + offsets[t], s);
        memcpy(acc + b, &v, sizeof v);
        continue;
      }
      /* The input's last block: only what is inside it. */
      for (int64_t j = b; j < b + kBlock; ++j) {
        int32_t sum = bias;
        if (j < count)
          for (int64_t t = 0; t < taps; ++t)
            sum += weights[t] * (int32_t)x[s * (p0 + j) + offsets[t]];
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
  ATTR static void NAME(const DepthwiseJob *job, const int8_t *x,             \
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
  const int flat = job->sh == job->sw && (job->sw == 1 || job->sw == 2) &&
                   job->KH * job->KW <= kMaxTaps && job->W <= kFlatPositions;
  const PlaneFn plane = flat ? flatPlaneOfTier() : directPlane;
  for (int64_t p = part->begin; p < part->end; ++p) {
    const int64_t c = p % job->C;
    const int s = job->perChannel ? (int)c : 0;
    const int8_t *x = job->x + p * job->H * job->W;
    const int8_t *w = job->w + c * job->KH * job->KW;
    int8_t *out = job->out + p * job->OH * job->OW;
    plane(job, x, w, job->bias[c], out, job->multiplier[s], job->shift[s]);
  }
  return NULL;
}


void qcc_ukernel_depthwise_conv2d_requant(
    int64_t N, int64_t C, int64_t H, int64_t W, const int8_t *x, int64_t KH,
    int64_t KW, const int8_t *w, const int32_t *bias, int64_t OH, int64_t OW,
    int8_t *out, int64_t sh, int64_t sw, int64_t dh, int64_t dw,
    const int32_t *multiplier, const int8_t *shift, int perChannel,
    int32_t outZp, int32_t lo, int32_t hi, int threads) {
  if (N <= 0 || C <= 0 || OH <= 0 || OW <= 0)
    return;
  const DepthwiseJob job = {N,  C,  H,  W,  KH,   KW,         OH,
                            OW, sh, sw, dh, dw,   x,          w,
                            bias, multiplier, shift, perChannel, outZp,
                            lo, hi, out};
  qccUkernelSplitPlanes(depthwisePart, &job, N * C, N * C * OH * OW * KH * KW,
                        kDepthwiseParallelWork, threads);
}
