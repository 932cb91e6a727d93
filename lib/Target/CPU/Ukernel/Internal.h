/*===- Internal.h - What the micro-kernel files share --------------*- C -*-===*
 *
 * The micro-kernels are split by concern and ISA: the thread pool
 * (Threads.c), the portable reference kernels and the weight decoding they
 * define (Reference.c), the AVX-512 VNNI int8 kernels (Int8Avx512Vnni.c)
 * and packed-weight kernels (PackedAvx512Vnni.c), the depthwise kernel
 * (Depthwise.c, vectorised by the compiler), and the entry points
 * generated code calls (MemrefInterface.c). This header holds what more
 * than one of them needs and nothing else; the rest stays static in its
 * file.
 *
 * Functions defined in one file and called from another are named
 * qccUkernel*: each prebuilt ukernel-<level>.o is the files linked with
 * `ld -r`, and those symbols are then made local (CMakeLists.txt), so the
 * object defines Ukernel.h's functions and no others, as one file did.
 *
 *===----------------------------------------------------------------------===*/

#ifndef QCC_TARGET_CPU_UKERNEL_INTERNAL_H
#define QCC_TARGET_CPU_UKERNEL_INTERNAL_H

#include "qcc/Target/CPU/Ukernel.h"

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#if defined(__x86_64__)
#include <immintrin.h>
#define QCC_HAVE_X86 1
#else
#define QCC_HAVE_X86 0
#endif

#if QCC_HAVE_X86
/* The AVX-512 VNNI/VBMI kernels: target-attributed functions, called only
 * where qcc_ukernel_has_vnni() says the CPU has them, so every ISA level's
 * object contains them. */
#define QCC_VNNI                                                               \
  __attribute__((target("avx512f,avx512bw,avx512vl,avx512vnni,avx512vbmi")))
#endif

/*--- Requantization ---------------------------------------------------------*/

/* TOSA apply_scale_32, then the zero point and the clamp: one int32 sum to
 * int8, as qc.rescale and qc.clip compute it (the scalar epilogue of every
 * requantizing kernel, and the reference's). */
static inline int8_t qccUkernelRequantize(int32_t acc, int32_t multiplier,
                                          int shift, int32_t outZp, int32_t lo,
                                          int32_t hi) {
  int64_t y =
      ((int64_t)acc * multiplier + ((int64_t)1 << (shift - 1))) >> shift;
  y += outZp;
  y = y < lo ? lo : y > hi ? hi : y;
  return (int8_t)y;
}

/*--- The thread pool (Threads.c) -------------------------------------------*/

/* fn(&parts[t]) for t < threads, part 0 on the calling thread. */
void qccUkernelRunParallel(void *(*fn)(void *), void *parts, size_t partSize,
                           int threads);

enum { kPackedTileRows = 4 }; /* rows of W (and of X) per register tile */

/* The rows [begin, end) of W one thread computes. */
typedef struct {
  const void *job;
  int64_t begin, end;
} PackedPart;

/* Runs fn over the rows of W split among `threads` parts of whole tiles. */
void qccUkernelSplitRows(void *(*fn)(void *), const void *job, int64_t N,
                         int64_t work, int threads);

/*--- Packed weights: decoding shared by the reference and vector kernels --*/

static inline int packedBits(int format) {
  switch (format) {
  case QCC_PACKED_F32:
    return 32;
  case QCC_PACKED_INT8:
  case QCC_PACKED_UINT8:
  case QCC_PACKED_FP8E4M3:
  case QCC_PACKED_FP8E5M2:
    return 8;
  case QCC_PACKED_FP6E3M2:
  case QCC_PACKED_FP6E2M3:
    return 6;
  default:
    return 4;
  }
}

static inline float floatFromBits(uint32_t bits) {
  float f;
  memcpy(&f, &bits, sizeof f);
  return f;
}

static inline int isIntegerFormat(int format) {
  return format <= QCC_PACKED_UINT4;
}

/* One group per row when groupSize is not positive or covers the row. */
static inline int64_t effectiveGroupSize(const qcc_packed_weights *f,
                                         int64_t K) {
  return f->groupSize <= 0 || f->groupSize >= K ? K : f->groupSize;
}

static inline int64_t numGroups(const qcc_packed_weights *f, int64_t K) {
  return (K + effectiveGroupSize(f, K) - 1) / effectiveGroupSize(f, K);
}

static inline int groupZeroPoint(const qcc_packed_weights *f, int64_t groups,
                                 int64_t n, int64_t g) {
  return f->zeroPoints ? f->zeroPoints[n * groups + g] : 0;
}

/* The value of a minifloat weight code (Reference.c). */
float qccUkernelMinifloatWeight(int format, unsigned c);

/* The multiplier of an E8M0 or E4M3 block scale code (Reference.c). */
float qccUkernelBlockScaleMultiplier(const qcc_packed_weights *f,
                                     unsigned code);

#endif /* QCC_TARGET_CPU_UKERNEL_INTERNAL_H */
