/*===- DepthwiseF32.c - Float depthwise convolution ----------------*- C -*-===*
 *
 * qcc_ukernel_depthwise_conv2d_f32: the float models' depthwise
 * convolutions (MobileNet, EfficientNet, MnasNet), on flattened planes as
 * Depthwise.c computes the int8 ones: with equal strides s of 1 or 2,
 * output (oh, ow) reads x[s * (oh * W + ow) + kh * dh * W + kw * dw], so
 * consecutive output rows are one range of positions p = oh * W + ow; 16
 * sums stay in registers across all taps (columns [OW, W) are computed and
 * dropped). A padded input is padded plane by plane into each thread's
 * scratch. Other geometries take direct loops. GCC/clang vector types,
 * compiled per ISA tier and chosen at run time. Each output is bias plus
 * the taps in (kh, kw) order, in float.
 *
 *===----------------------------------------------------------------------===*/

#include "Internal.h"

#include <stdint.h>
#include <string.h>

enum { kBlock = 16, kMaxTaps = 64, kFlatPositions = 2048 };

typedef float qccV16f __attribute__((vector_size(64)));
typedef float qccV32f __attribute__((vector_size(128)));

typedef struct {
  int64_t N, C, H, W, KH, KW, OH, OW, sh, sw, dh, dw; /* H, W: padded */
  const float *x, *w, *bias;
  float *out;
  qcc_ukernel_padding pad;
  float lo, hi; /* the fused activation's bounds (Relu: 0, +inf) */
} Job;

/* Floats past a padded plane in its scratch: the last blocks of flatPlane
 * stay vectors (their extra lanes are dropped). */
enum { kScratchSlack = 2 * kBlock + 64 };

/* 16 floats at p[0], p[stride], ...; stride 1 or 2 (which reads 32). */
__attribute__((always_inline)) static inline qccV16f load16(const float *p,
                                                            int64_t stride) {
  qccV16f v;
  if (stride == 1) {
    memcpy(&v, p, sizeof v);
  } else {
    qccV32f pair;
    memcpy(&pair, p, sizeof pair);
    v = __builtin_shufflevector(pair, pair, 0, 2, 4, 6, 8, 10, 12, 14, 16, 18,
                                20, 22, 24, 26, 28, 30);
  }
  return v;
}

/* One plane by flattened positions, x readable up to x + inside (lanes
 * past the plane read what follows it and are dropped). Inlined into each
 * tier's copy. */
__attribute__((always_inline)) static inline void
flatPlane(const Job *job, const float *x, int64_t inside, const float *w,
          float bias, float *out) {
  const int64_t W = job->W, OW = job->OW, s = job->sw;
  const int64_t taps = job->KH * job->KW;
  int64_t offsets[kMaxTaps];
  int64_t reach = 0;
  for (int64_t kh = 0; kh < job->KH; ++kh)
    for (int64_t kw = 0; kw < job->KW; ++kw) {
      const int64_t t = kh * job->KW + kw;
      offsets[t] = kh * job->dh * W + kw * job->dw;
      if (offsets[t] > reach)
        reach = offsets[t];
    }
  const int64_t rowsPerPass = kFlatPositions / W;
  float acc[kFlatPositions + kBlock];
  for (int64_t oh0 = 0; oh0 < job->OH; oh0 += rowsPerPass) {
    const int64_t oh1 =
        oh0 + rowsPerPass < job->OH ? oh0 + rowsPerPass : job->OH;
    const int64_t p0 = oh0 * W, count = (oh1 - 1 - oh0) * W + OW;
    for (int64_t b = 0; b < count; b += kBlock) {
      const int64_t p = p0 + b;
      /* Four blocks at a time where they are whole: four independent sums,
       * where one block's taps were a chain of dependent multiply-adds
       * (latency-bound: half of MobileNetV2 f32's depthwise time). */
      if (b + 4 * kBlock <= count &&
          s * (p + 4 * kBlock - 1) + reach + (s - 1) < inside) {
        qccV16f v[4];
        for (int i = 0; i < 4; ++i)
          v[i] = (qccV16f){0} + bias;
        for (int64_t t = 0; t < taps; ++t) {
          const float *at = x + s * p + offsets[t];
          for (int i = 0; i < 4; ++i)
            v[i] += w[t] * load16(at + s * kBlock * i, s);
        }
        memcpy(acc + b, v, sizeof v);
        b += 3 * kBlock;
        continue;
      }
      if (s * (p + kBlock - 1) + reach + (s - 1) < inside) {
        qccV16f v = (qccV16f){0} + bias;
        for (int64_t t = 0; t < taps; ++t)
          v += w[t] * load16(x + s * p + offsets[t], s);
        memcpy(acc + b, &v, sizeof v);
        continue;
      }
      for (int64_t j = b; j < b + kBlock; ++j) {
        float sum = bias;
        if (j < count)
          for (int64_t t = 0; t < taps; ++t)
            sum += w[t] * x[s * (p0 + j) + offsets[t]];
        acc[j] = sum;
      }
    }
    for (int64_t oh = oh0; oh < oh1; ++oh)
      for (int64_t ow = 0; ow < OW; ++ow)
        out[oh * OW + ow] =
            qccUkernelClampF32(acc[(oh - oh0) * W + ow], job->lo, job->hi);
  }
}

/* One plane, any geometry. */
static void directPlane(const Job *job, const float *x, int64_t inside,
                        const float *w, float bias, float *out) {
  (void)inside;
  for (int64_t oh = 0; oh < job->OH; ++oh)
    for (int64_t ow = 0; ow < job->OW; ++ow) {
      float sum = bias;
      for (int64_t kh = 0; kh < job->KH; ++kh)
        for (int64_t kw = 0; kw < job->KW; ++kw)
          sum +=
              w[kh * job->KW + kw] * x[(oh * job->sh + kh * job->dh) * job->W +
                                       ow * job->sw + kw * job->dw];
      out[oh * job->OW + ow] = qccUkernelClampF32(sum, job->lo, job->hi);
    }
}

typedef void (*PlaneFn)(const Job *, const float *, int64_t, const float *,
                        float, float *);

#define QCC_DEFINE_FLAT_PLANE(NAME, ATTR)                                      \
  ATTR static void NAME(const Job *job, const float *x, int64_t inside,        \
                        const float *w, float bias, float *out) {              \
    flatPlane(job, x, inside, w, bias, out);                                   \
  }
QCC_DEFINE_FLAT_PLANE(flatPlaneGeneric, )
#if QCC_HAVE_X86
QCC_DEFINE_FLAT_PLANE(flatPlaneAvx2, QCC_AVX2)
QCC_DEFINE_FLAT_PLANE(flatPlaneAvx512, QCC_VNNI)
#endif

static void *runPart(void *arg) {
  const PackedPart *part = arg; /* planes [begin, end) */
  const Job *job = (const Job *)part->job;
  PlaneFn plane = directPlane;
  if (job->sh == job->sw && (job->sw == 1 || job->sw == 2) &&
      job->KH * job->KW <= kMaxTaps && job->W <= kFlatPositions) {
    plane = flatPlaneGeneric;
#if QCC_HAVE_X86
    const int tier = qcc_ukernel_cpu_tier();
    if (tier >= QCC_CPU_TIER_AVX512VNNI)
      plane = flatPlaneAvx512;
    else if (tier >= QCC_CPU_TIER_AVX2)
      plane = flatPlaneAvx2;
#endif
  }
  /* Padded inputs: each plane copied into the interior of this part's
   * zeroed scratch. */
  const int padded = qccUkernelHasPadding(&job->pad);
  const int64_t planeSize = job->H * job->W;
  const size_t scratchBytes =
      (size_t)(planeSize + kScratchSlack) * sizeof(float);
  float *scratch =
      padded ? qccUkernelScratch(scratchBytes, /*zeroed=*/1) : NULL;
  const int64_t inH = job->H - job->pad.top - job->pad.bottom;
  const int64_t inW = job->W - job->pad.left - job->pad.right;
  const float *end = job->x + job->N * job->C * inH * inW;
  for (int64_t p = part->begin; p < part->end; ++p) {
    const int64_t c = p % job->C;
    const float *x = job->x + p * inH * inW;
    int64_t inside = end - x;
    if (padded) {
      /* The scratch's border stays zero: only the interior is rewritten. */
      qccUkernelCopyIntoPadded(x, inH, inW, &job->pad, sizeof(float), scratch);
      x = scratch;
      inside = planeSize + kScratchSlack;
    }
    plane(job, x, inside, job->w + c * job->KH * job->KW, job->bias[c],
          job->out + p * job->OH * job->OW);
  }
  qccUkernelFree(scratch);
  return NULL;
}

void qcc_ukernel_depthwise_conv2d_f32(
    int64_t N, int64_t C, int64_t H, int64_t W, const float *x,
    const qcc_ukernel_padding *pad, int64_t KH, int64_t KW, const float *w,
    const float *bias, float lo, float hi, int64_t OH, int64_t OW, float *out,
    int64_t sh, int64_t sw, int64_t dh, int64_t dw, int threads) {
  if (N <= 0 || C <= 0 || OH <= 0 || OW <= 0)
    return;
  const qcc_ukernel_padding none = {0, 0, 0, 0, 0};
  if (!pad) /* NULL: no padding */
    pad = &none;
  const Job job = {N,
                   C,
                   H + pad->top + pad->bottom,
                   W + pad->left + pad->right,
                   KH,
                   KW,
                   OH,
                   OW,
                   sh,
                   sw,
                   dh,
                   dw,
                   x,
                   w,
                   bias,
                   out,
                   *pad,
                   lo,
                   hi};
  qccUkernelSplitPlanes(runPart, &job, N * C, N * C * OH * OW * KH * KW,
                        kDepthwiseParallelWork, threads);
}
