/*===- Pooling.c - int8 and f32 max pooling -------------------------*- C
 *-*-===*
 *
 * Max pooling of int8 and f32 NCHW planes (GoogLeNet's thirteen, ResNet's
 * stem): the window loops generated from linalg.pooling_nchw_max compare
 * one element at a time, which made GoogLeNet's pooling a quarter of its
 * int8 latency and a third of its f32 one.
 *
 * The planes are small (3 to 48 columns), so this kernel does not loop
 * over output rows: it takes a run of whole planes as one flat array and
 * computes the stride-1 window maximum m[q] = max over taps of x[q +
 * kh * dh * W + kw * dw] at every position q, a 64-byte vector of
 * positions per vector maximum whatever the rows' width (separably: the
 * maxima of the window's rows, then their maximum), then picks the
 * outputs, out[oh][ow] = m[oh * sh * W + ow * sw] of each plane (positions
 * whose window crosses a row or plane end are computed and never picked).
 * Runs of planes are sized to stay in L1. Stride-1 windows that keep the
 * plane's size (GoogLeNet's inception pools) need neither the padded copy
 * nor the picks: their outputs are the positions themselves
 * (maxPoolSamePlanesS8, int8). Written with GCC/clang vector
 * types and compiled once per ISA tier, as the depthwise kernels; the body
 * is MaxPoolPlanes.inc, included once per element type. Padding (the
 * lowest value: -128, -inf) is written around each run's planes in the
 * part's scratch, not by the caller.
 *
 * Exact: a maximum is a maximum. The f32 maximum is arith.maximumf's, the
 * generated code's: NaN if either operand is NaN (a NaN in a window is
 * never dropped, as in ONNX Runtime and PyTorch), and +0 above -0.
 *
 *===----------------------------------------------------------------------===*/

#include "Internal.h"

#include <math.h>
#include <stdlib.h>

enum {
  kRunBytes = 16384, /* bytes of planes per run: m in L1 */
};

typedef int8_t qccPoolV64i8 __attribute__((vector_size(64)));
typedef int8_t qccPoolV16i8 __attribute__((vector_size(16)));
typedef uint8_t qccPoolV64u8 __attribute__((vector_size(64)));
typedef int8_t qccPoolV32i8 __attribute__((vector_size(32)));
typedef float qccPoolV16f32 __attribute__((vector_size(64)));
typedef float qccPoolV32f32 __attribute__((vector_size(128)));
typedef int32_t qccPoolV16i32 __attribute__((vector_size(64)));

typedef struct {
  int64_t N, C, H, W, KH, KW, OH, OW, sh, sw, dh, dw;
  /* H, W are the padded planes'; x's are (H - top - bottom) x (W - left -
   * right), padded run by run into scratch when there is padding. */
  qcc_ukernel_padding pad;
  const void *x; /* int8_t or float */
  void *out;
  int64_t elementBytes; /* 1 or 4 */
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

__attribute__((always_inline)) static inline qccPoolV64u8
maxUnsignedBytes(qccPoolV64u8 a, qccPoolV64u8 b) {
#if defined(__has_builtin) && __has_builtin(__builtin_elementwise_max)
  return __builtin_elementwise_max(a, b);
#else
  const qccPoolV64u8 greater = (qccPoolV64u8)(a > b);
  return (a & greater) | (b & ~greater);
#endif
}

static inline int8_t maxByte(int8_t a, int8_t b) { return a > b ? a : b; }

/* arith.maximumf on 16 lanes: a where a > b, or a is NaN; the bitwise and
 * where a == b (+0 for -0 and +0); else b (NaN where b is). */
__attribute__((always_inline)) static inline qccPoolV16f32
maxFloats(qccPoolV16f32 a, qccPoolV16f32 b) {
  const qccPoolV16i32 ai = (qccPoolV16i32)a, bi = (qccPoolV16i32)b;
  const qccPoolV16i32 takeA = (a > b) | (a != a), equal = a == b;
  const qccPoolV16i32 larger = (ai & takeA) | (bi & ~takeA);
  return (qccPoolV16f32)(((ai & bi) & equal) | (larger & ~equal));
}

static inline float maxFloat(float a, float b) {
  if (a != a || a > b)
    return a;
  if (a == b) { /* -0 and +0: +0 */
    uint32_t x, y;
    memcpy(&x, &a, 4);
    memcpy(&y, &b, 4);
    x &= y;
    memcpy(&a, &x, 4);
    return a;
  }
  return b;
}

static inline void fillBytes(int8_t *p, int64_t n) {
  memset(p, -128, (size_t)n);
}

static inline void fillFloats(float *p, int64_t n) {
  for (int64_t i = 0; i < n; ++i)
    p[i] = -INFINITY;
}

#define POOL_T int8_t
#define POOL_V qccPoolV64i8
#define POOL_V16 qccPoolV16i8
#define POOL_V32 qccPoolV32i8
#define POOL_MAXV maxBytes
#define POOL_MAXS maxByte
#define POOL_FILL fillBytes
#define POOL_NAME(x) x##S8
#include "MaxPoolPlanes.inc"

#define POOL_T float
#define POOL_V qccPoolV16f32
#define POOL_V16 qccPoolV16f32
#define POOL_V32 qccPoolV32f32
#define POOL_MAXV maxFloats
#define POOL_MAXS maxFloat
#define POOL_FILL fillFloats
#define POOL_NAME(x) x##F32
#include "MaxPoolPlanes.inc"

/*--- int8 stride-1 windows that keep the plane's size -------------------*/

/* GoogLeNet's inception pools (3x3, stride 1, a border of 1) keep their
 * planes' size, so output position q (flat over the planes) is input
 * position q too, and each window tap is one offset from it: out[q] = the
 * maximum of x[q + dr * W + dc] over the taps (dr, dc) whose row and
 * column stay in q's plane (the others read the padding, -128, which a
 * maximum ignores). That needs no padded copy and no per-row picks, which
 * were most of the time on the 3x3 to 12x12 planes: a vector of 64
 * positions at a time, whatever the planes' width, with each lane's row
 * and column kept as byte counters that advance by 64 positions per
 * vector; a tap's lanes outside the plane are masked to -128. */
enum {
  kSameMaxSide = 127, /* plane rows and columns: byte counters */
  kSameMaxWindow = 8, /* KH and KW */
  kSameMaxReach = 16, /* rows and columns a tap reaches from its output */
};

static int keepsPlaneSize(const MaxPoolJob *job) {
  const int64_t H = job->H - job->pad.top - job->pad.bottom,
                W = job->W - job->pad.left - job->pad.right;
  const int64_t lastRow = (job->KH - 1) * job->dh - job->pad.top,
                lastColumn = (job->KW - 1) * job->dw - job->pad.left;
  return job->elementBytes == 1 && job->sh == 1 && job->sw == 1 &&
         job->OH == H && job->OW == W && H <= kSameMaxSide &&
         W <= kSameMaxSide && job->KH <= kSameMaxWindow &&
         job->KW <= kSameMaxWindow && job->pad.top <= kSameMaxReach &&
         job->pad.left <= kSameMaxReach && lastRow <= kSameMaxReach &&
         lastColumn <= kSameMaxReach;
}

/* Planes [begin, end) of a job keepsPlaneSize accepts, for a KH x KW
 * window (constants where the caller knows them: the loops unroll and the
 * masks stay in registers). Inlined into each tier's copy. */
__attribute__((always_inline)) static inline void
maxPoolSamePlanesS8(const MaxPoolJob *job, const int64_t KH, const int64_t KW,
                    int64_t begin, int64_t end) {
  const int64_t H = job->OH, W = job->OW, HW = H * W;
  const int64_t total = job->N * job->C * HW;
  const int8_t *x = (const int8_t *)job->x;
  int8_t *out = (int8_t *)job->out;
  int8_t rowShift[kSameMaxWindow], columnShift[kSameMaxWindow];
  for (int64_t kh = 0; kh < KH; ++kh)
    rowShift[kh] = (int8_t)(kh * job->dh - job->pad.top);
  for (int64_t kw = 0; kw < KW; ++kw)
    columnShift[kw] = (int8_t)(kw * job->dw - job->pad.left);
  const int64_t lowest = rowShift[0] * W + columnShift[0],
                highest = rowShift[KH - 1] * W + columnShift[KW - 1];
  /* The lanes' rows and columns at a plane's start. */
  qccPoolV64u8 row, column;
  for (int j = 0, r = 0, c = 0; j < 64; ++j) {
    row[j] = (uint8_t)r;
    column[j] = (uint8_t)c;
    if (++c == W) {
      c = 0;
      r = r + 1 == H ? 0 : r + 1;
    }
  }
  const uint8_t columnStep = (uint8_t)(64 % W), rowStep = (uint8_t)(64 / W % H);
  const qccPoolV64u8 width = (qccPoolV64u8){0} + (uint8_t)W,
                     height = (qccPoolV64u8){0} + (uint8_t)H;
  /* The tensor's first and last vectors read from a copy with the
   * padding value around it. */
  int8_t edge[64 + 2 * kSameMaxReach * (kSameMaxSide + 1)];
  const int64_t last = end * HW;
  for (int64_t q = begin * HW; q < last; q += 64) {
    const int8_t *at = x + q;
    if (q + lowest < 0 || q + 64 + highest > total) {
      const int64_t from = q + lowest, to = q + 64 + highest;
      for (int64_t i = from; i < to; ++i)
        edge[i - from] = i >= 0 && i < total ? x[i] : -128;
      at = edge - lowest;
    }
    /* Unsigned: a row or column before the plane's wraps past it. */
    qccPoolV64i8 rowInside[kSameMaxWindow], columnInside[kSameMaxWindow];
    for (int64_t kh = 0; kh < KH; ++kh)
      rowInside[kh] =
          (qccPoolV64i8)((qccPoolV64u8)(row + (uint8_t)rowShift[kh]) < height);
    for (int64_t kw = 0; kw < KW; ++kw)
      columnInside[kw] =
          (qccPoolV64i8)((qccPoolV64u8)(column + (uint8_t)columnShift[kw]) <
                         width);
    /* In the unsigned order (x ^ 0x80), where the padding (-128) is 0: a
     * tap's lanes outside the plane are cleared. */
    qccPoolV64u8 best = (qccPoolV64u8){0};
    for (int64_t kh = 0; kh < KH; ++kh)
      for (int64_t kw = 0; kw < KW; ++kw) {
        qccPoolV64u8 v;
        memcpy(&v, at + rowShift[kh] * W + columnShift[kw], sizeof v);
        v = (v ^ 0x80) & (qccPoolV64u8)(rowInside[kh] & columnInside[kw]);
        best = maxUnsignedBytes(best, v);
      }
    best ^= 0x80;
    /* The last vector of this part's planes stops at them (the next
     * part's outputs belong to another thread). */
    if (last - q >= 64)
      memcpy(out + q, &best, sizeof best);
    else
      memcpy(out + q, &best, (size_t)(last - q));
    /* Advance the lanes by 64 positions: a column carry is one more row. */
    column += columnStep;
    const qccPoolV64u8 carry = (qccPoolV64u8)(column >= width);
    column -= carry & width;
    row += rowStep - carry; /* carry lanes are 0xFF: + 1 */
    row -= (qccPoolV64u8)(row >= height) & height;
  }
}

/* Each tier's copy: GoogLeNet's 3x3 windows unrolled, any other window. */
#define QCC_DEFINE_SAME_POOL(NAME, ATTR)                                       \
  ATTR static void NAME(const MaxPoolJob *job, int64_t begin, int64_t end) {   \
    if (job->KH == 3 && job->KW == 3)                                          \
      maxPoolSamePlanesS8(job, 3, 3, begin, end);                              \
    else                                                                       \
      maxPoolSamePlanesS8(job, job->KH, job->KW, begin, end);                  \
  }

/* One tier's copy of an element type's planes: m, h and padded are
 * scratch of that element type. */
typedef void (*MaxPoolFn)(const MaxPoolJob *, int64_t, int64_t, void *, void *,
                          void *);

#define QCC_DEFINE_MAX_POOL(NAME, ATTR, T, PLANES)                             \
  ATTR static void NAME(const MaxPoolJob *job, int64_t begin, int64_t end,     \
                        void *m, void *h, void *padded) {                      \
    PLANES(job, begin, end, (T *)m, (T *)h, (T *)padded);                      \
  }
QCC_DEFINE_MAX_POOL(maxPoolGeneric, , int8_t, maxPoolPlanesS8)
QCC_DEFINE_MAX_POOL(maxPoolGenericF32, , float, maxPoolPlanesF32)
#if QCC_HAVE_X86
QCC_DEFINE_MAX_POOL(maxPoolAvx2, QCC_AVX2, int8_t, maxPoolPlanesS8)
QCC_DEFINE_MAX_POOL(maxPoolAvx512, QCC_VNNI, int8_t, maxPoolPlanesS8)
QCC_DEFINE_MAX_POOL(maxPoolAvx2F32, QCC_AVX2, float, maxPoolPlanesF32)
QCC_DEFINE_MAX_POOL(maxPoolAvx512F32, QCC_VNNI, float, maxPoolPlanesF32)
#endif

typedef void (*SamePoolFn)(const MaxPoolJob *, int64_t, int64_t);
QCC_DEFINE_SAME_POOL(maxPoolSameGeneric, )
#if QCC_HAVE_X86
QCC_DEFINE_SAME_POOL(maxPoolSameAvx2, QCC_AVX2)
QCC_DEFINE_SAME_POOL(maxPoolSameAvx512, QCC_VNNI)
#endif

static SamePoolFn chooseSamePool(void) {
#if QCC_HAVE_X86
  const int tier = qcc_ukernel_cpu_tier();
  if (tier >= QCC_CPU_TIER_AVX512VNNI)
    return maxPoolSameAvx512;
  if (tier >= QCC_CPU_TIER_AVX2)
    return maxPoolSameAvx2;
#endif
  return maxPoolSameGeneric;
}

/* The tier's copy for elements of `bytes` bytes. */
static MaxPoolFn chooseMaxPool(int64_t bytes) {
#if QCC_HAVE_X86
  const int tier = qcc_ukernel_cpu_tier();
  if (tier >= QCC_CPU_TIER_AVX512VNNI)
    return bytes == 1 ? maxPoolAvx512 : maxPoolAvx512F32;
  if (tier >= QCC_CPU_TIER_AVX2)
    return bytes == 1 ? maxPoolAvx2 : maxPoolAvx2F32;
#endif
  return bytes == 1 ? maxPoolGeneric : maxPoolGenericF32;
}

static void *maxPoolPart(void *arg) {
  const PackedPart *part = arg; /* planes [begin, end) */
  const MaxPoolJob *job = (const MaxPoolJob *)part->job;
  if (keepsPlaneSize(job)) {
    chooseSamePool()(job, part->begin, part->end);
    return NULL;
  }
  const int64_t size = job->elementBytes;
  /* A run is kRunBytes, or one plane if that is larger; 64 elements of
   * slack for the last vector and the stride-2 picks' 32-element loads;
   * one buffer for the window maxima, one for the rows'. */
  const int64_t HW = job->H * job->W;
  const size_t bytes =
      (size_t)((HW * size > kRunBytes ? HW * size : kRunBytes) + 64 * size);
  const int padded = qccUkernelHasPadding(&job->pad);
  int8_t *m = qccUkernelScratch((padded ? 3 : 2) * bytes, 0);
  chooseMaxPool(size)(job, part->begin, part->end, m, m + bytes,
                      padded ? m + 2 * bytes : NULL);
  qccUkernelFree(m);
  return NULL;
}

static void maxPool(int64_t N, int64_t C, int64_t H, int64_t W, const void *x,
                    const qcc_ukernel_padding *pad, int64_t KH, int64_t KW,
                    int64_t OH, int64_t OW, void *out, int64_t sh, int64_t sw,
                    int64_t dh, int64_t dw, int64_t elementBytes, int threads) {
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
                          out,
                          elementBytes};
  qccUkernelSplitPlanes(maxPoolPart, &job, N * C, N * C * OH * OW * KH * KW,
                        kDepthwiseParallelWork, threads);
}

void qcc_ukernel_max_pool2d_s8(int64_t N, int64_t C, int64_t H, int64_t W,
                               const int8_t *x, const qcc_ukernel_padding *pad,
                               int64_t KH, int64_t KW, int64_t OH, int64_t OW,
                               int8_t *out, int64_t sh, int64_t sw, int64_t dh,
                               int64_t dw, int threads) {
  maxPool(N, C, H, W, x, pad, KH, KW, OH, OW, out, sh, sw, dh, dw, 1, threads);
}

void qcc_ukernel_max_pool2d_f32(int64_t N, int64_t C, int64_t H, int64_t W,
                                const float *x, const qcc_ukernel_padding *pad,
                                int64_t KH, int64_t KW, int64_t OH, int64_t OW,
                                float *out, int64_t sh, int64_t sw, int64_t dh,
                                int64_t dw, int threads) {
  maxPool(N, C, H, W, x, pad, KH, KW, OH, OW, out, sh, sw, dh, dw, 4, threads);
}
