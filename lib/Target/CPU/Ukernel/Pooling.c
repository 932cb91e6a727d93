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
 * (maxPoolSamePlanesS8, int8); stride-2 windows that halve an even plane
 * (the stems' and GoogLeNet's stage pools) read their input as byte pairs
 * (maxPoolHalfPlanesS8, int8). Written with GCC/clang vector
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
typedef uint8_t qccPoolV32u8 __attribute__((vector_size(32)));
typedef uint8_t qccPoolV16u8 __attribute__((vector_size(16)));
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

/* The lane-wise maximum of vectors of type V, signed or unsigned as V's
 * elements are. */
#if defined(__has_builtin) && __has_builtin(__builtin_elementwise_max)
#define QCC_POOL_MAX(V, a, b) __builtin_elementwise_max((V)(a), (V)(b))
#else
#define QCC_POOL_MAX(V, a, b)                                                  \
  ((((V)(a) > (V)(b)) & (V)(a)) | (~((V)(a) > (V)(b)) & (V)(b)))
#endif

__attribute__((always_inline)) static inline qccPoolV64i8
maxBytes(qccPoolV64i8 a, qccPoolV64i8 b) {
  return QCC_POOL_MAX(qccPoolV64i8, a, b);
}

__attribute__((always_inline)) static inline qccPoolV64u8
maxUnsignedBytes(qccPoolV64u8 a, qccPoolV64u8 b) {
  return QCC_POOL_MAX(qccPoolV64u8, a, b);
}

__attribute__((always_inline)) static inline qccPoolV16i8
maxBytes16(qccPoolV16i8 a, qccPoolV16i8 b) {
  return QCC_POOL_MAX(qccPoolV16i8, a, b);
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

/* The same for floats without a sign bit set (+0, positive values, +inf,
 * positive NaN): their bit patterns order as signed integers do, NaN above
 * +inf, +0 lowest, and -inf (the padding) below them all. */
__attribute__((always_inline)) static inline qccPoolV16f32
maxSignsClearFloats(qccPoolV16f32 a, qccPoolV16f32 b) {
  return (qccPoolV16f32)QCC_POOL_MAX(qccPoolV16i32, a, b);
}

/* Whether no float of p[0, n) has its sign bit set (ReLU outputs). */
__attribute__((always_inline)) static inline int
signsClearFloats(const float *p, int64_t n) {
  qccPoolV16i32 any = {0};
  int64_t i = 0;
  for (; i + 16 <= n; i += 16) {
    qccPoolV16i32 v;
    memcpy(&v, p + i, sizeof v);
    any |= v;
  }
  int32_t all = 0;
  for (int lane = 0; lane < 16; ++lane)
    all |= any[lane];
  for (; i < n; ++i) {
    int32_t bits;
    memcpy(&bits, p + i, 4);
    all |= bits;
  }
  return all >= 0;
}

static inline int signsClearBytes(const int8_t *p, int64_t n) {
  (void)p;
  (void)n;
  return 0; /* the int8 maximum is one instruction either way */
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
#define POOL_MAXV16 maxBytes16
#define POOL_MAXV16_SIGNS_CLEAR maxBytes16
#define POOL_SIGNS_CLEAR signsClearBytes
#define POOL_MAXS maxByte
#define POOL_FILL fillBytes
#define POOL_NAME(x) x##S8
#include "MaxPoolPlanes.inc"

#define POOL_T float
#define POOL_V qccPoolV16f32
#define POOL_V16 qccPoolV16f32
#define POOL_V32 qccPoolV32f32
#define POOL_MAXV maxFloats
#define POOL_MAXV16 maxFloats
#define POOL_MAXV16_SIGNS_CLEAR maxSignsClearFloats
#define POOL_SIGNS_CLEAR signsClearFloats
#define POOL_MAXS maxFloat
#define POOL_FILL fillFloats
#define POOL_NAME(x) x##F32
#include "MaxPoolPlanes.inc"

/* dst[i] = x[from + i] for i < count, the padding (-128) where from + i is
 * outside [0, total): the reads of a vector at the tensor's first or last
 * positions. */
static inline void copyOrPad(int8_t *dst, const int8_t *x, int64_t total,
                             int64_t from, int64_t count) {
  for (int64_t i = 0; i < count; ++i)
    dst[i] = from + i >= 0 && from + i < total ? x[from + i] : -128;
}

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
      copyOrPad(edge, x, total, q + lowest, 64 + highest - lowest);
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

/*--- int8 stride-2 windows that halve an even plane --------------------*/

/* The stems' pools of ResNet, GoogLeNet and DenseNet and GoogLeNet's stage
 * pools (3x3 or 2x2 windows, stride 2, borders of 0 or 1, ceil_mode's
 * extra end row and column) halve an even plane. Seen as pairs of bytes,
 * an input row's column 2 * ow + dc is the even byte (dc = 0) or the odd
 * byte (dc = 1) of pair ow, or a byte of pair ow - 1 or ow + 1 (dc = -1,
 * 2); so the maxima h of the window's columns at every output column of
 * every input row are element-wise maxima of deinterleaved vectors, 64
 * outputs per vector whatever the rows' width, lanes outside the row
 * masked as in maxPoolSamePlanesS8. An output row is then the maximum of
 * the h rows its window covers: a vector of 16, 32 or 64 bytes per row (or
 * per 64 outputs), stored running on into the next row's outputs. Runs of
 * planes keep h in L1. GoogLeNet's four (Zen 4, one thread): 79-91 -> 28
 * us. */
enum {
  kHalfMaxOutputs = 127, /* output columns: byte counters */
};

static int halvesPlane(const MaxPoolJob *job) {
  const int64_t H = job->H - job->pad.top - job->pad.bottom,
                W = job->W - job->pad.left - job->pad.right;
  return job->elementBytes == 1 && job->sh == 2 && job->sw == 2 &&
         job->dh == 1 && job->dw == 1 && H % 2 == 0 && W % 2 == 0 &&
         job->OH == H / 2 && job->OW == W / 2 && job->OW <= kHalfMaxOutputs &&
         job->pad.top <= 1 && job->pad.left <= 1 &&
         job->KH - 1 - job->pad.top <= 2 && job->KW - 1 - job->pad.left <= 2;
}

#define QCC_EVEN_BYTES                                                         \
  0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28, 30, 32, 34, 36, 38,   \
      40, 42, 44, 46, 48, 50, 52, 54, 56, 58, 60, 62, 64, 66, 68, 70, 72, 74,  \
      76, 78, 80, 82, 84, 86, 88, 90, 92, 94, 96, 98, 100, 102, 104, 106, 108, \
      110, 112, 114, 116, 118, 120, 122, 124, 126
#define QCC_ODD_BYTES                                                          \
  1, 3, 5, 7, 9, 11, 13, 15, 17, 19, 21, 23, 25, 27, 29, 31, 33, 35, 37, 39,   \
      41, 43, 45, 47, 49, 51, 53, 55, 57, 59, 61, 63, 65, 67, 69, 71, 73, 75,  \
      77, 79, 81, 83, 85, 87, 89, 91, 93, 95, 97, 99, 101, 103, 105, 107, 109, \
      111, 113, 115, 117, 119, 121, 123, 125, 127

/* The even and the odd bytes of the 64 pairs from src, in the unsigned
 * order (x ^ 0x80: the padding is 0); a caller's unused half is dead code
 * once this is inlined. */
__attribute__((always_inline)) static inline void
pairBytes(const int8_t *src, qccPoolV64u8 *even, qccPoolV64u8 *odd) {
  qccPoolV64u8 lo, hi;
  memcpy(&lo, src, 64);
  memcpy(&hi, src + 64, 64);
  lo ^= 0x80;
  hi ^= 0x80;
  *even = __builtin_shufflevector(lo, hi, QCC_EVEN_BYTES);
  *odd = __builtin_shufflevector(lo, hi, QCC_ODD_BYTES);
}

/* Planes [begin, end) of a job halvesPlane accepts; h: scratch of a run's
 * input rows' outputs and 64 bytes more (the last vector's lanes past the
 * run, and the last output row's vector read). Inlined into each tier's
 * copy. */
__attribute__((always_inline)) static inline void
maxPoolHalfPlanesS8(const MaxPoolJob *job, int64_t begin, int64_t end,
                    uint8_t *h) {
  const int64_t H = 2 * job->OH, W = 2 * job->OW, OH = job->OH, OW = job->OW;
  const int64_t total = job->N * job->C * H * W;
  const int8_t *x = (const int8_t *)job->x;
  int8_t *out = (int8_t *)job->out;
  const int firstColumn = (int)-job->pad.left,
            lastColumn = (int)(job->KW - 1 - job->pad.left);
  const int firstRow = (int)-job->pad.top,
            lastRow = (int)(job->KH - 1 - job->pad.top);
  const uint8_t columnStep = (uint8_t)(64 % OW);
  const qccPoolV64u8 outputs = (qccPoolV64u8){0} + (uint8_t)OW,
                     one = (qccPoolV64u8){0} + 1;
  /* Runs of whole planes whose h fits kRunBytes (or one plane). */
  const int64_t perRun = kRunBytes / (H * OW) > 1 ? kRunBytes / (H * OW) : 1;
  int8_t edge[128 + 8];
  for (int64_t first = begin; first < end; first += perRun) {
    const int64_t planes = end - first < perRun ? end - first : perRun;
    const int64_t count = planes * H * OW; /* h's elements */
    /* The lanes' output columns at a plane's start. */
    qccPoolV64u8 column;
    for (int j = 0, c = 0; j < 64; ++j) {
      column[j] = (uint8_t)c;
      c = c + 1 == OW ? 0 : c + 1;
    }
    for (int64_t j = 0; j < count; j += 64) {
      /* Input pairs j - 1 .. j + 64 of the run: bytes from 2j - 2. */
      const int64_t at = first * H * W + 2 * j;
      const int8_t *src = x + at;
      if (at - 2 < 0 || at + 130 > total) {
        copyOrPad(edge, x, total, at - 2, 132);
        src = edge + 2;
      }
      qccPoolV64u8 best = (qccPoolV64u8){0}, even, odd;
      pairBytes(src, &even, &odd);
      if (firstColumn <= 0 && lastColumn >= 0)
        best = even;
      if (lastColumn >= 1)
        best = maxUnsignedBytes(best, odd);
      if (firstColumn < 0) { /* pair ow - 1's odd byte, inside from ow 1 */
        pairBytes(src - 2, &even, &odd);
        best = maxUnsignedBytes(best, odd & (qccPoolV64u8)(column >= one));
      }
      if (lastColumn >= 2) { /* pair ow + 1's even byte, up to ow OW - 2 */
        pairBytes(src + 2, &even, &odd);
        best = maxUnsignedBytes(best,
                                even & (qccPoolV64u8)(column + one < outputs));
      }
      memcpy(h + j, &best, 64);
      column += columnStep;
      column -= (qccPoolV64u8)(column >= outputs) & outputs;
    }
    /* Output rows: the maxima of h rows 2 * oh + dr; rows past the plane
     * are never read unmasked (they are another plane's, or h's slack). */
    int8_t *const runEnd = out + (first + planes) * OH * OW;
    const int up = firstRow < 0, same = firstRow <= 0 && lastRow >= 0,
              below = lastRow >= 1, twoBelow = lastRow >= 2;
    /* Vectors of 16 or 32 bytes for narrow rows (GoogLeNet's 3 to 24
     * outputs): 64-byte loads and stores at every row's offset split
     * across cache lines and cost more than the maxima. */
#define QCC_HALF_ROWS(V, LANES)                                                \
  for (int64_t R = 0, oh = 0; R < planes * OH;                                 \
       ++R, oh = oh + 1 == OH ? 0 : oh + 1) {                                  \
    int8_t *dst = out + first * OH * OW + R * OW;                              \
    const uint8_t *row = h + 2 * R * OW; /* h row 2 * oh of the plane */       \
    for (int64_t ow = 0; ow < OW; ow += LANES) {                               \
      V best = (V){0}, v;                                                      \
      if (same) {                                                              \
        memcpy(&v, row + ow, LANES);                                           \
        best = v;                                                              \
      }                                                                        \
      if (below) {                                                             \
        memcpy(&v, row + OW + ow, LANES);                                      \
        best = QCC_POOL_MAX(V, best, v);                                       \
      }                                                                        \
      if (up && oh > 0) {                                                      \
        memcpy(&v, row - OW + ow, LANES);                                      \
        best = QCC_POOL_MAX(V, best, v);                                       \
      }                                                                        \
      if (twoBelow && oh + 1 < OH) {                                           \
        memcpy(&v, row + 2 * OW + ow, LANES);                                  \
        best = QCC_POOL_MAX(V, best, v);                                       \
      }                                                                        \
      best ^= 0x80;                                                            \
      /* The rest of the vector runs on into the next row's outputs, which     \
       * are stored after them; the run's last row stops at its end. */        \
      const int64_t left = runEnd - (dst + ow);                                \
      if (left >= LANES)                                                       \
        memcpy(dst + ow, &best, LANES);                                        \
      else                                                                     \
        memcpy(dst + ow, &best, (size_t)left);                                 \
    }                                                                          \
  }
    if (OW <= 16) {
      QCC_HALF_ROWS(qccPoolV16u8, 16)
    } else if (OW <= 32) {
      QCC_HALF_ROWS(qccPoolV32u8, 32)
    } else {
      QCC_HALF_ROWS(qccPoolV64u8, 64)
    }
#undef QCC_HALF_ROWS
  }
}

/* Each tier's copies of the two int8 paths, with one signature (h: the
 * halving path's scratch). The same-size path unrolls GoogLeNet's 3x3
 * windows. */
typedef void (*Int8PoolFn)(const MaxPoolJob *, int64_t, int64_t, uint8_t *);
#define QCC_DEFINE_INT8_POOLS(TIER, ATTR)                                      \
  ATTR static void maxPoolSame##TIER(const MaxPoolJob *job, int64_t begin,     \
                                     int64_t end, uint8_t *h) {                \
    (void)h;                                                                   \
    if (job->KH == 3 && job->KW == 3)                                          \
      maxPoolSamePlanesS8(job, 3, 3, begin, end);                              \
    else                                                                       \
      maxPoolSamePlanesS8(job, job->KH, job->KW, begin, end);                  \
  }                                                                            \
  ATTR static void maxPoolHalf##TIER(const MaxPoolJob *job, int64_t begin,     \
                                     int64_t end, uint8_t *h) {                \
    maxPoolHalfPlanesS8(job, begin, end, h);                                   \
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

QCC_DEFINE_INT8_POOLS(Generic, )
#if QCC_HAVE_X86
QCC_DEFINE_INT8_POOLS(Avx2, QCC_AVX2)
QCC_DEFINE_INT8_POOLS(Avx512, QCC_VNNI)
#endif

/* The tier's copy of the halving (half) or the same-size int8 path. */
static Int8PoolFn chooseInt8Pool(int half) {
#if QCC_HAVE_X86
  const int tier = qcc_ukernel_cpu_tier();
  if (tier >= QCC_CPU_TIER_AVX512VNNI)
    return half ? maxPoolHalfAvx512 : maxPoolSameAvx512;
  if (tier >= QCC_CPU_TIER_AVX2)
    return half ? maxPoolHalfAvx2 : maxPoolSameAvx2;
#endif
  return half ? maxPoolHalfGeneric : maxPoolSameGeneric;
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
  const int same = keepsPlaneSize(job), half = !same && halvesPlane(job);
  if (same || half) {
    /* The halving path's h: a run (kRunBytes, or one plane's rows) and
     * 64 bytes. */
    const int64_t rows = 2 * job->OH * job->OW;
    uint8_t *h =
        half ? qccUkernelScratch(
                   (size_t)(rows > kRunBytes ? rows : kRunBytes) + 64, 0)
             : NULL;
    chooseInt8Pool(half)(job, part->begin, part->end, h);
    qccUkernelFree(h);
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
