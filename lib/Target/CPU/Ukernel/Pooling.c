/*===- Pooling.c - int8 max pooling --------------------------------*- C -*-===*
 *
 * Max pooling of int8 NCHW planes (GoogLeNet's thirteen, ResNet's stem):
 * the window loops generated from linalg.pooling_nchw_max compare one byte
 * at a time, which made GoogLeNet's pooling a quarter of its int8 latency.
 *
 * The planes are small (3 to 48 columns), so this kernel does not loop
 * over output rows: it takes a run of whole planes as one flat array and
 * computes the stride-1 window maximum m[q] = max over taps of x[q +
 * kh * dh * W + kw * dw] at every position q, 64 positions per vector max
 * whatever the rows' width (separably: the maxima of the window's rows,
 * then their maximum), then picks the outputs, out[oh][ow] =
 * m[oh * sh * W + ow * sw] of each plane (positions whose window crosses a
 * row or plane end are computed and never picked). Runs of planes are
 * sized to stay in L1. Written with GCC/clang vector types and compiled
 * once per ISA tier, as the depthwise kernels. Exact: a maximum is a
 * maximum. Padding (-128) is written around each run's planes in the
 * part's scratch, not by the caller.
 *
 *===----------------------------------------------------------------------===*/

#include "Internal.h"

#include <stdlib.h>

enum {
  kRunBytes = 16384, /* bytes of planes per run: m in L1 */
};

typedef int8_t qccPoolV64i8 __attribute__((vector_size(64)));
typedef int8_t qccPoolV16i8 __attribute__((vector_size(16)));
typedef int8_t qccPoolV32i8 __attribute__((vector_size(32)));

typedef struct {
  int64_t N, C, H, W, KH, KW, OH, OW, sh, sw, dh, dw;
  /* H, W are the padded planes'; x's are (H - top - bottom) x (W - left -
   * right), padded run by run into scratch when there is padding. */
  qcc_ukernel_padding pad;
  const int8_t *x;
  int8_t *out;
} MaxPoolJob;

__attribute__((always_inline)) static inline qccPoolV64i8
maxBytes(qccPoolV64i8 a, qccPoolV64i8 b) {
#if defined(__has_builtin) && __has_builtin(__builtin_elementwise_max)
  return __builtin_elementwise_max(a, b);
#else
  const qccPoolV64i8 greater = a > b;
  return (a & greater) | (b & ~greater);
#endif
}

/* out[q] = max over t < taps of in[q + t * step] for q < count, 64 at a
 * time while the reads stay before `end`. */
__attribute__((always_inline)) static inline void
maxOverTaps(const int8_t *in, int64_t count, int64_t taps, int64_t step,
            const int8_t *end, int8_t *out) {
  const int64_t reach = (taps - 1) * step;
  int64_t q = 0;
  for (; q < count && in + q + 64 + reach <= end; q += 64) {
    qccPoolV64i8 acc;
    memcpy(&acc, in + q, sizeof acc);
    for (int64_t t = 1; t < taps; ++t) {
      qccPoolV64i8 v;
      memcpy(&v, in + q + t * step, sizeof v);
      acc = maxBytes(acc, v);
    }
    memcpy(out + q, &acc, sizeof acc);
  }
  for (; q < count; ++q) { /* the last bytes */
    int8_t best = in[q];
    for (int64_t t = 1; t < taps; ++t)
      if (in[q + t * step] > best)
        best = in[q + t * step];
    out[q] = best;
  }
}

/* Planes [begin, end) of the job, `m` and `h` scratch of a run + 64 bytes
 * each, `padded` of a run (with padding).
 * Inlined into each tier's copy. */
__attribute__((always_inline)) static inline void
maxPoolPlanes(const MaxPoolJob *job, int64_t begin, int64_t end, int8_t *m,
              int8_t *h, int8_t *padded) {
  const int64_t W = job->W, HW = job->H * W, OW = job->OW;
  const int64_t taps = job->KH * job->KW;
  const int64_t reach = (job->KH - 1) * job->dh * W + (job->KW - 1) * job->dw;
  const int64_t srcH = job->H - job->pad.top - job->pad.bottom;
  const int64_t srcW = W - job->pad.left - job->pad.right;
  const int64_t perRun = kRunBytes / HW > 1 ? kRunBytes / HW : 1;
  const int8_t *outEnd = job->out + end * job->OH * OW;
  for (int64_t first = begin; first < end; first += perRun) {
    const int64_t planes = end - first < perRun ? end - first : perRun;
    const int8_t *x = job->x + first * HW;
    const int8_t *xEnd = job->x + job->N * job->C * HW;
    if (padded) {
      /* The padding is the same in every run: written once, then only the
       * planes' rows are copied in. */
      if (first == begin)
        memset(padded, (int8_t)job->pad.value, (size_t)(planes * HW));
      for (int64_t p = 0; p < planes; ++p)
        qccUkernelCopyIntoPadded(job->x + (first + p) * srcH * srcW, srcH, srcW,
                                 &job->pad, 1, padded + p * HW);
      /* The scratch's 64 bytes of slack keep the last vectors of a run
       * vectors (they compute positions never picked) and cover the
       * pick's 16- and 32-byte reads past a run's last row. */
      x = padded;
      xEnd = padded + planes * HW + 64;
    }
    /* Positions whose window stays inside the last plane. */
    const int64_t count = planes * HW - reach;
    if (job->KH > 1 && job->KW > 1) {
      /* Separably: the rows' maxima h first, then m as the maximum of KH
       * of them (a 3x3 window: 2 + 2 vector maxima instead of 8). */
      const int64_t rowReach = (job->KW - 1) * job->dw;
      const int64_t rows = planes * HW - rowReach;
      maxOverTaps(x, rows, job->KW, job->dw, xEnd, h);
      maxOverTaps(h, count, job->KH, job->dh * W, h + rows + 64, m);
    } else {
      maxOverTaps(x, count, taps, job->KH > 1 ? job->dh * W : job->dw, xEnd, m);
    }
    /* The outputs: row oh of a plane is m[oh * sh * W + ow * sw]. Rows are
     * stored 16 bytes at a time, the last 16 running on into the next
     * row's outputs, which are stored after it (GoogLeNet's 3- and 6-wide
     * rows went a byte at a time: most of its pooling time); only the
     * bytes at the end of this part's planes, where another thread may
     * store, go one at a time. */
    for (int64_t plane = 0; plane < planes; ++plane)
      for (int64_t oh = 0; oh < job->OH; ++oh) {
        const int8_t *row = m + plane * HW + oh * job->sh * W;
        int8_t *dst = job->out + ((first + plane) * job->OH + oh) * OW;
        int64_t ow = 0;
        if (job->sw <= 2)
          for (; ow < OW && dst + ow + 16 <= outEnd; ow += 16) {
            qccPoolV16i8 v;
            if (job->sw == 1) {
              memcpy(&v, row + ow, sizeof v);
            } else {
              qccPoolV32i8 pair;
              memcpy(&pair, row + 2 * ow, sizeof pair);
              v = __builtin_shufflevector(pair, pair, 0, 2, 4, 6, 8, 10, 12, 14,
                                          16, 18, 20, 22, 24, 26, 28, 30);
            }
            memcpy(dst + ow, &v, sizeof v);
          }
        for (; ow < OW; ++ow)
          dst[ow] = row[ow * job->sw];
      }
  }
}

typedef void (*MaxPoolFn)(const MaxPoolJob *, int64_t, int64_t, int8_t *,
                          int8_t *, int8_t *);

#define QCC_DEFINE_MAX_POOL(NAME, ATTR)                                        \
  ATTR static void NAME(const MaxPoolJob *job, int64_t begin, int64_t end,     \
                        int8_t *m, int8_t *h, int8_t *padded) {                \
    maxPoolPlanes(job, begin, end, m, h, padded);                              \
  }
QCC_DEFINE_MAX_POOL(maxPoolGeneric, )
#if QCC_HAVE_X86
QCC_DEFINE_MAX_POOL(maxPoolAvx2, QCC_AVX2)
QCC_DEFINE_MAX_POOL(maxPoolAvx512, QCC_VNNI)
#endif

static void *maxPoolPart(void *arg) {
  const PackedPart *part = arg; /* planes [begin, end) */
  const MaxPoolJob *job = (const MaxPoolJob *)part->job;
  MaxPoolFn pool = maxPoolGeneric;
#if QCC_HAVE_X86
  const int tier = qcc_ukernel_cpu_tier();
  if (tier >= QCC_CPU_TIER_AVX512VNNI)
    pool = maxPoolAvx512;
  else if (tier >= QCC_CPU_TIER_AVX2)
    pool = maxPoolAvx2;
#endif
  /* A run is kRunBytes, or one plane if that is larger; 64 bytes of slack
   * for the last vector and the stride-2 picks' 32-byte loads; one buffer
   * for the window maxima, one for the rows'. */
  const int64_t HW = job->H * job->W;
  const size_t bytes = (size_t)(HW > kRunBytes ? HW : kRunBytes) + 64;
  const int padded = qccUkernelHasPadding(&job->pad);
  int8_t *m = qccUkernelScratch((padded ? 3 : 2) * bytes, 0);
  pool(job, part->begin, part->end, m, m + bytes,
       padded ? m + 2 * bytes : NULL);
  qccUkernelFree(m);
  return NULL;
}

void qcc_ukernel_max_pool2d_s8(int64_t N, int64_t C, int64_t H, int64_t W,
                               const int8_t *x, const qcc_ukernel_padding *pad,
                               int64_t KH, int64_t KW, int64_t OH, int64_t OW,
                               int8_t *out, int64_t sh, int64_t sw, int64_t dh,
                               int64_t dw, int threads) {
  if (N <= 0 || C <= 0 || OH <= 0 || OW <= 0)
    return;
  const qcc_ukernel_padding none = {0, 0, 0, 0, 0};
  if (!pad)
    pad = &none;
  const MaxPoolJob job = {N,
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
                          *pad,
                          x,
                          out};
  qccUkernelSplitPlanes(maxPoolPart, &job, N * C, N * C * OH * OW * KH * KW,
                        kDepthwiseParallelWork, threads);
}
