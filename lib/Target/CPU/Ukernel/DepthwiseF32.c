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

enum { kBlock = 16, kMaxTaps = 64, kFlatPositions = 2048, kFlatMinWidth = 24 };

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

/*--- Channel lanes ---------------------------------------------------------*
 *
 * Small planes waste the flattened kernel's lanes (a 3 x 3 output uses 9
 * of 16, a stride-2 plane computes the dropped half of every row) and pay
 * its per-plane set-up (the padded copy, the tap offsets, a latency-bound
 * chain of multiply-adds per block) once per few outputs: MobileNetV2's
 * 6 x 6 and 3 x 3 layers ran at 3-10 GFLOP/s. Channel lanes put VL
 * channels in a vector, as an NHWC kernel does, Depthwise.c's int8 lanes
 * in float: a group's input planes are transposed once into the interior
 * of a zero-bordered [H][W][VL] scratch, each output position sums its
 * taps' vectors (any stride or dilation; every lane used), four positions
 * at a time, and the [OH * OW][VL] sums are transposed back into the
 * group's output planes. The sums are formed in the flattened kernel's
 * order (bias, then the taps in (kh, kw) order). */

typedef float qccV8f __attribute__((vector_size(32)));
typedef int32_t qccV8i32 __attribute__((vector_size(32)));
typedef int32_t qccV16i32 __attribute__((vector_size(64)));
QCC_DEFINE_TRANSPOSE16(transposeLanes16, qccV16f)
QCC_DEFINE_TRANSPOSE8(transposeLanes8, qccV8f)

/* One thread's scratch: a group's padded input and its sums. */
typedef struct {
  float *input;  /* [H][W][VL], the border zero */
  float *output; /* [OH * OW rounded up to VL][VL] */
} LaneScratch;

/* One tier's group of VL channels [c0, c0 + VL) of image n (fewer at the
 * end of C; the lanes past it compute zeros that are not stored). */
#define QCC_DEFINE_LANE_GROUP(NAME, ATTR, VL, VEC, IVEC, TRANSPOSE)            \
  /* The first min(valid, VL) floats at p (valid <= 0: none), zeros after      \
   * them; floats up to `end` may be read beyond them (and are dropped). */    \
  ATTR __attribute__((always_inline)) static inline VEC NAME##Load(            \
      const float *p, int64_t valid, const float *end) {                       \
    VEC v = {0};                                                               \
    if (valid <= 0)                                                            \
      return v;                                                                \
    if (valid < VL && p + VL > end) { /* the end of the array */               \
      float part[VL] = {0};                                                    \
      memcpy(part, p, (size_t)valid * sizeof(float));                          \
      memcpy(&v, part, sizeof v);                                              \
      return v;                                                                \
    }                                                                          \
    memcpy(&v, p, sizeof v);                                                   \
    if (valid >= VL)                                                           \
      return v;                                                                \
    IVEC lane;                                                                 \
    for (int i = 0; i < VL; ++i)                                               \
      lane[i] = i;                                                             \
    return (VEC)((IVEC)v & (lane < (int32_t)valid));                           \
  }                                                                            \
                                                                               \
  ATTR static void NAME(const Job *job, int64_t n, int64_t c0,                 \
                        const LaneScratch *scratch) {                          \
    const int64_t lanes = job->C - c0 < VL ? job->C - c0 : VL;                 \
    const qcc_ukernel_padding *pad = &job->pad;                                \
    const int64_t W = job->W, srcW = W - pad->left - pad->right;               \
    const int64_t HW = (job->H - pad->top - pad->bottom) * srcW;               \
    const float *x = job->x + (n * job->C + c0) * HW;                          \
    const float *xEnd = job->x + job->N * job->C * HW;                         \
    /* The input, VL positions at a time, into the padded interior. */         \
    int64_t h = 0, w = 0;                                                      \
    for (int64_t j = 0; j < HW; j += VL) {                                     \
      VEC rows[VL], columns[VL];                                               \
      for (int i = 0; i < VL; ++i)                                             \
        rows[i] = NAME##Load(x + i * HW + j, i < lanes ? HW - j : 0, xEnd);    \
      TRANSPOSE(rows, columns);                                                \
      for (int k = 0; k < VL && j + k < HW; ++k) {                             \
        memcpy(scratch->input + ((h + pad->top) * W + w + pad->left) * VL,     \
               &columns[k], sizeof columns[k]);                                \
        if (++w == srcW) {                                                     \
          w = 0;                                                               \
          ++h;                                                                 \
        }                                                                      \
      }                                                                        \
    }                                                                          \
    /* The weights, a vector of VL channels per tap, and the bias. */          \
    const int64_t taps = job->KH * job->KW;                                    \
    const float *wEnd = job->w + job->C * taps;                                \
    VEC weights[kMaxTaps];                                                     \
    for (int64_t t0 = 0; t0 < taps; t0 += VL) {                                \
      VEC rows[VL];                                                            \
      for (int i = 0; i < VL; ++i)                                             \
        rows[i] = NAME##Load(job->w + (c0 + i) * taps + t0,                    \
                             i < lanes ? taps - t0 : 0, wEnd);                 \
      TRANSPOSE(rows, weights + t0);                                           \
    }                                                                          \
    const VEC bias = NAME##Load(job->bias + c0, lanes, job->bias + job->C);    \
    const VEC lo = (VEC){0} + job->lo, hi = (VEC){0} + job->hi;                \
    int64_t offsets[kMaxTaps];                                                 \
    for (int64_t kh = 0; kh < job->KH; ++kh)                                   \
      for (int64_t kw = 0; kw < job->KW; ++kw)                                 \
        offsets[kh * job->KW + kw] = (kh * job->dh * W + kw * job->dw) * VL;   \
    /* Four positions at a time: four independent chains of multiply-adds. */  \
    enum { kChains = 4 };                                                      \
    const int64_t OW = job->OW, P = job->OH * OW;                              \
    /* The next position's window, row by row (no divisions). */               \
    const float *rowStart = scratch->input, *next = rowStart;                  \
    int64_t ow = 0;                                                            \
    for (int64_t p0 = 0; p0 < P; p0 += kChains) {                              \
      const float *window[kChains];                                            \
      VEC acc[kChains];                                                        \
      for (int j = 0; j < kChains; ++j) {                                      \
        window[j] = next; /* past P: the last position again */                \
        acc[j] = bias;                                                         \
        if (p0 + j + 1 >= P)                                                   \
          continue;                                                            \
        if (++ow < OW) {                                                       \
          next += job->sw * VL;                                                \
        } else {                                                               \
          ow = 0;                                                              \
          rowStart += job->sh * W * VL;                                        \
          next = rowStart;                                                     \
        }                                                                      \
      }                                                                        \
      for (int64_t t = 0; t < taps; ++t)                                       \
        for (int j = 0; j < kChains; ++j) {                                    \
          VEC v;                                                               \
          memcpy(&v, window[j] + offsets[t], sizeof v);                        \
          acc[j] += weights[t] * v;                                            \
        }                                                                      \
      for (int j = 0; j < kChains && p0 + j < P; ++j) {                        \
        /* qccUkernelClampF32 per lane: NaN compares false and stays. */       \
        const IVEC below = (acc[j] < lo), above = (acc[j] > hi);               \
        VEC v = (VEC)(((IVEC)acc[j] & ~below) | ((IVEC)lo & below));           \
        v = (VEC)(((IVEC)v & ~above) | ((IVEC)hi & above));                    \
        memcpy(scratch->output + (p0 + j) * VL, &v, sizeof v);                 \
      }                                                                        \
    }                                                                          \
    /* Back to planes, VL positions a step, each stored VL floats per plane,   \
     * running on into the next planes' first positions before they are        \
     * written: the tail step first, then the others in order. A store that    \
     * would pass the group's last plane (the next group's output) is exact.   \
     */                                                                        \
    float *out = job->out + (n * job->C + c0) * P;                             \
    const float *end = out + lanes * P;                                        \
    const int64_t tail = (P - 1) / VL * VL;                                    \
    for (int64_t step = 0; step * VL < P; ++step) {                            \
      const int64_t p = step == 0 ? tail : (step - 1) * VL;                    \
      VEC positions[VL], channels[VL];                                         \
      memcpy(positions, scratch->output + p * VL, sizeof positions);           \
      TRANSPOSE(positions, channels);                                          \
      const int64_t count = P - p < VL ? P - p : VL;                           \
      for (int i = 0; i < lanes; ++i) {                                        \
        float *dst = out + i * P + p;                                          \
        if (dst + VL <= end)                                                   \
          memcpy(dst, &channels[i], sizeof channels[i]);                       \
        else                                                                   \
          for (int64_t k = 0; k < count; ++k)                                  \
            dst[k] = channels[i][k];                                           \
      }                                                                        \
    }                                                                          \
  }

QCC_DEFINE_LANE_GROUP(laneGroupGeneric, , 8, qccV8f, qccV8i32, transposeLanes8)
#if QCC_HAVE_X86
QCC_DEFINE_LANE_GROUP(laneGroupAvx2, QCC_AVX2, 8, qccV8f, qccV8i32,
                      transposeLanes8)
QCC_DEFINE_LANE_GROUP(laneGroupAvx512, QCC_VNNI, 16, qccV16f, qccV16i32,
                      transposeLanes16)
#endif

typedef void (*LaneGroupFn)(const Job *, int64_t, int64_t, const LaneScratch *);

/* The tier's group and its lanes. */
static LaneGroupFn laneGroupOfTier(int *lanes) {
  *lanes = 8;
#if QCC_HAVE_X86
  const int tier = qcc_ukernel_cpu_tier();
  if (tier >= QCC_CPU_TIER_AVX512VNNI) {
    *lanes = 16;
    return laneGroupAvx512;
  }
  if (tier >= QCC_CPU_TIER_AVX2)
    return laneGroupAvx2;
#endif
  return laneGroupGeneric;
}

static void *lanePart(void *arg) {
  const PackedPart *part = arg; /* groups [begin, end) of VL channels */
  const Job *job = (const Job *)part->job;
  int vl;
  const LaneGroupFn group = laneGroupOfTier(&vl);
  const int64_t groups = (job->C + vl - 1) / vl;
  const int64_t P = job->OH * job->OW;
  LaneScratch scratch = {
      qccUkernelScratch((size_t)(job->H * job->W * vl) * sizeof(float), 1),
      qccUkernelScratch((size_t)((P + vl - 1) / vl * vl * vl) * sizeof(float),
                        1)};
  for (int64_t g = part->begin; g < part->end; ++g)
    group(job, g / groups, g % groups * vl, &scratch);
  qccUkernelFree(scratch.input);
  qccUkernelFree(scratch.output);
  return NULL;
}

/* Which kernel serves a layer: channel lanes, except where stride-1 rows of
 * kFlatMinWidth outputs and more keep the flattened kernel's lanes busy
 * (MobileNetV2's 48 x 48 planes: flattened 42-47 us, lanes 51-65, Zen 4
 * AVX-512 and AVX2). */
static int flatServes(const Job *job) {
  return job->sh == job->sw && (job->sw == 1 || job->sw == 2) &&
         job->KH * job->KW <= kMaxTaps && job->W <= kFlatPositions;
}
static int lanesServe(const Job *job) {
  return job->KH * job->KW <= kMaxTaps &&
         !(flatServes(job) && job->sw == 1 && job->OW >= kFlatMinWidth);
}

static void *runPart(void *arg) {
  const PackedPart *part = arg; /* planes [begin, end) */
  const Job *job = (const Job *)part->job;
  PlaneFn plane = directPlane;
  if (flatServes(job)) {
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
  const int64_t work = N * C * OH * OW * KH * KW;
  if (lanesServe(&job)) {
    int vl;
    (void)laneGroupOfTier(&vl);
    qccUkernelSplitPlanes(lanePart, &job, N * ((C + vl - 1) / vl), work,
                          kDepthwiseParallelWork, threads);
    return;
  }
  qccUkernelSplitPlanes(runPart, &job, N * C, work, kDepthwiseParallelWork,
                        threads);
}
