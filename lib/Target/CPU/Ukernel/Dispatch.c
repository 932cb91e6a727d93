/*===- Dispatch.c - ISA tiers and the int8 entry points ------------*- C -*-===*
 *
 * Which tier the kernels run (the best the CPU has, or a lower one the
 * environment asks for), and the public int8 entry points, which describe
 * their problem once (qccUkernelInt8Problem) and hand it to that tier's
 * kernel. What the tiers' kernels share lives here too: the im2col plane
 * offsets, the thread count for a job, and the cache of packed constant
 * weights.
 *
 *===----------------------------------------------------------------------===*/

#include "Internal.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#if defined(__linux__)
#include <sys/mman.h> /* madvise */
#endif
#if defined(__linux__) && QCC_HAVE_X86
#include <sys/syscall.h>
#include <unistd.h>
#endif

/*--- Tiers ------------------------------------------------------------------*/

static const char *const kTierNames[] = {"generic", "avx2", "avxvnni",
                                         "avx512vnni", "amx"};

const char *qcc_ukernel_cpu_tier_name(int tier) {
  return tier >= 0 && tier <= QCC_CPU_TIER_BEST ? kTierNames[tier] : NULL;
}

int qcc_ukernel_cpu_tier_from_name(const char *name) {
  for (int tier = 0; name && tier <= QCC_CPU_TIER_BEST; ++tier)
    if (strcmp(name, kTierNames[tier]) == 0)
      return tier;
  return -1;
}

/* AMX-TILE and AMX-INT8 (cpuid leaf 7: EDX bits 24 and 25), with the
 * tile state enabled by the OS (XCR0 bits 17 and 18) and granted to this
 * process: Linux hands out the 8 KiB tile data state only on request
 * (arch_prctl ARCH_REQ_XCOMP_PERM), process-wide. Elsewhere, no AMX. */
static int amxUsable(void) {
#if defined(__linux__) && QCC_HAVE_X86
  unsigned eax = 7, ebx, ecx = 0, edx;
  __asm__("cpuid" : "+a"(eax), "=b"(ebx), "+c"(ecx), "=d"(edx));
  if ((edx & (3u << 24)) != (3u << 24))
    return 0;
  unsigned xcr0Low, xcr0High;
  __asm__("xgetbv" : "=a"(xcr0Low), "=d"(xcr0High) : "c"(0));
  if ((xcr0Low & (3u << 17)) != (3u << 17))
    return 0;
  enum { kArchReqXcompPerm = 0x1023, kXfeatureXtiledata = 18 };
  return syscall(SYS_arch_prctl, kArchReqXcompPerm, kXfeatureXtiledata) == 0;
#else
  return 0;
#endif
}

/* The tiers this CPU runs, one bit each. Not a ladder: AMD's Zen 4 has
 * AVX-512 VNNI (EVEX) but not AVX-VNNI (its VEX form on ymm), so the
 * avxvnni tier's kernels would fault there. */
static unsigned supportedTiers(void) {
  static int tiers = -1;
  if (tiers < 0) {
    unsigned set = 1u << QCC_CPU_TIER_GENERIC;
#if QCC_HAVE_X86
    __builtin_cpu_init();
    const int avx2 =
        __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
    if (avx2)
      set |= 1u << QCC_CPU_TIER_AVX2;
    /* GCC 12's __builtin_cpu_supports has no "avxvnni": cpuid leaf 7
     * subleaf 1, EAX bit 4. */
    unsigned eax = 0, ebx, ecx, edx;
    __asm__("cpuid" : "+a"(eax), "=b"(ebx), "=c"(ecx), "=d"(edx));
    const unsigned maxLeaf = eax;
    if (avx2 && maxLeaf >= 7) {
      eax = 7;
      ecx = 1;
      __asm__("cpuid" : "+a"(eax), "=b"(ebx), "+c"(ecx), "=d"(edx));
      if (eax & (1u << 4))
        set |= 1u << QCC_CPU_TIER_AVXVNNI;
    }
    if (avx2 && __builtin_cpu_supports("avx512vnni") &&
        __builtin_cpu_supports("avx512bw") &&
        __builtin_cpu_supports("avx512vl") &&
        __builtin_cpu_supports("avx512dq") &&
        __builtin_cpu_supports("avx512vbmi")) {
      set |= 1u << QCC_CPU_TIER_AVX512VNNI;
      if (amxUsable())
        set |= 1u << QCC_CPU_TIER_AMX;
    }
#endif
    tiers = (int)set;
  }
  return (unsigned)tiers;
}

int qcc_ukernel_cpu_tier_supported(int tier) {
  return tier >= QCC_CPU_TIER_GENERIC && tier <= QCC_CPU_TIER_BEST &&
         (supportedTiers() >> tier & 1u);
}

int qcc_ukernel_cpu_tier_available(void) {
  int tier = QCC_CPU_TIER_BEST;
  while (!qcc_ukernel_cpu_tier_supported(tier))
    --tier;
  return tier;
}

static _Atomic int activeTier = -1;

int qcc_ukernel_force_cpu_tier(int tier) {
  if (tier > QCC_CPU_TIER_BEST)
    tier = QCC_CPU_TIER_BEST;
  while (tier > QCC_CPU_TIER_GENERIC && !qcc_ukernel_cpu_tier_supported(tier))
    --tier;
  if (tier < QCC_CPU_TIER_GENERIC)
    tier = QCC_CPU_TIER_GENERIC;
  atomic_store(&activeTier, tier);
  return tier;
}

int qcc_ukernel_cpu_tier(void) {
  int tier = atomic_load(&activeTier);
  if (tier < 0) {
    const char *env = getenv("QCC_CPU_TIER");
    const int asked = qcc_ukernel_cpu_tier_from_name(env);
    /* An unknown name runs the best tier; qcc and the C API report the
     * tier in use (qcc_model_cpu_tier), so a typo shows. */
    tier = qcc_ukernel_force_cpu_tier(
        asked >= 0 ? asked : qcc_ukernel_cpu_tier_available());
  }
  return tier;
}

/*--- What the tiers share ---------------------------------------------------*/

/* The least multiply-adds a thread gets (a few microseconds of VNNI
 * work; the pool's workers spin between jobs). 2^23 kept MobileNet's,
 * GoogLeNet's and ResNet-50's smaller convolutions on one thread; measured
 * with 2 threads on AMD Zen 4, 2^20 against 2^23: ResNet-50 int8 6.7-7.6
 * -> 5.3-5.5 ms, GoogLeNet 2.97 -> 2.6-2.7 ms, MobileNetV2 1.52-1.56 ->
 * 1.43-1.51 ms, ResNet-18 unchanged. Once the small-plane kernels had cut
 * those layers' time, 2^18 against 2^20 (and 2^16 against 2^18 for the
 * depthwise kernels): MobileNetV2 0.77 -> 0.63 ms, EfficientNet-B0 1.91 ->
 * 1.74-1.81, GoogLeNet 1.44 -> 1.37, ResNet-50 3.86 -> 3.69-3.80 (minima,
 * interleaved); 2^17 gained nothing more. */
enum { kWorkPerThreadLog2 = 18 };

int qccUkernelThreadsForWork(double work, int threads) {
  const double perThread = (double)((int64_t)1 << kWorkPerThreadLog2);
  if (threads < 1)
    threads = 1;
  if (threads > work / perThread)
    threads = work >= 2 * perThread ? (int)(work / perThread) : 1;
  return threads > 64 ? 64 : threads;
}

void qccUkernelSplitPanels(void *(*fn)(void *), const void *job, int64_t blocks,
                           int64_t panels, int threads) {
  qccUkernelPanelPart parts[64];
  const int64_t tiles = blocks * panels;
  if (tiles <= 0)
    return;
  if (threads > tiles)
    threads = tiles > 1 ? (int)tiles : 1;
  if (threads > 64)
    threads = 64;
  for (int t = 0; t < threads; ++t) {
    parts[t].job = job;
    parts[t].blocks = blocks;
    parts[t].begin = tiles * t / threads;
    parts[t].end = tiles * (t + 1) / threads;
    parts[t].panelBegin = parts[t].begin / blocks;
    parts[t].panelEnd = (parts[t].end + blocks - 1) / blocks;
  }
  qccUkernelRunParallel(fn, parts, sizeof(qccUkernelPanelPart), threads);
}

int qccUkernelPlanSegments(const qccUkernelInt8Problem *pb, int64_t p0,
                           int64_t cols, qccUkernelSegment *segments) {
  int count = 0;
  int64_t oh = p0 / pb->ow, ow = p0 % pb->ow;
  for (int64_t j = 0; j < cols; ++oh, ow = 0) {
    int64_t n = pb->ow - ow;
    if (n > cols - j)
      n = cols - j;
    segments[count++] =
        (qccUkernelSegment){j, n, oh * pb->sh * pb->width + ow * pb->sw};
    j += n;
  }
  return count;
}

int64_t *qccUkernelPlaneOffsets(const qccUkernelInt8Problem *pb, int64_t rows) {
  /* Once per call, not per panel; counted without divisions (three per
   * row were 2% of SqueezeNet f32). Rows past K repeat the last one. */
  int64_t *offsets = malloc((size_t)rows * sizeof(int64_t));
  if (!offsets)
    abort();
  const int64_t plane = pb->height * pb->width;
  const int64_t filled = pb->K < rows ? pb->K : rows;
  int64_t k = 0;
  for (int64_t c = 0; k < filled; ++c)
    for (int64_t i = 0; i < pb->kh && k < filled; ++i)
      for (int64_t j = 0; j < pb->kw && k < filled; ++j)
        offsets[k++] = c * plane + i * pb->dh * pb->width + j * pb->dw;
  for (; k < rows; ++k)
    offsets[k] = offsets[k - 1];
  return offsets;
}

/* Packed constants are kept for the process on 2 MiB pages where the
 * system gives them (transparent huge pages, asked for by madvise): a model
 * reads them from memory on every run (ResNet-50's 25 MB do not stay in
 * cache), and on 4 KiB pages every 4 KiB of a weight stream is a TLB miss
 * and a boundary the hardware prefetchers stop at. ResNet-50's last stage
 * (96x96, Zen 4, one thread, layers in model order): 985-1248 -> 783-787
 * us. Chunks of up to kArenaMaxChunk are carved 64 bytes at a time, under
 * packedLock; a constant that does not fit stays where its packer put it. */
enum { kArenaMaxChunk = 32 << 20, kHugePage = 2 << 20 };
static uint8_t *arenaNext, *arenaEnd;
static size_t arenaChunk = kHugePage / 2; /* doubles up to kArenaMaxChunk */

static void *keepOnHugePages(const void *data, size_t bytes) {
#if defined(__linux__) && defined(MADV_HUGEPAGE)
  if (bytes == 0) /* a packer that does not say its size keeps its buffer */
    return NULL;
  bytes = (bytes + 63) / 64 * 64;
  if (!arenaNext || (size_t)(arenaEnd - arenaNext) < bytes) {
    /* Chunks grow from one huge page: a small model keeps a small
     * footprint. */
    arenaChunk = arenaChunk < kArenaMaxChunk ? 2 * arenaChunk : arenaChunk;
    const size_t chunk = bytes > arenaChunk
                             ? (bytes + kHugePage - 1) / kHugePage * kHugePage
                             : arenaChunk;
    void *p = NULL;
    if (posix_memalign(&p, kHugePage, chunk) != 0)
      return NULL;
    madvise(p, chunk, MADV_HUGEPAGE); /* advice: 4 KiB pages if refused */
    arenaNext = p;
    arenaEnd = arenaNext + chunk;
  }
  void *kept = arenaNext;
  memcpy(kept, data, bytes);
  arenaNext += bytes;
  return kept;
#else
  (void)data;
  (void)bytes;
  return NULL;
#endif
}

/* Packed constant operands (a model's weights), packed once per process:
 * the generated code says which operands are constant. */
enum { kPackedCacheSize = 1024 };
typedef struct {
  const void *A;
  int64_t M, K, lda, taps;
  qccUkernelPackFn pack;
  qccUkernelPacked packed;
} CacheEntry;
static CacheEntry packedCache[kPackedCacheSize];
static int packedCount = 0;
static pthread_mutex_t packedLock = PTHREAD_MUTEX_INITIALIZER;

qccUkernelPacked qccUkernelGetPacked(const void *A, int64_t M, int64_t K,
                                     int64_t lda, int64_t taps, int constant,
                                     qccUkernelPackFn pack, int *owned) {
  *owned = 1;
  if (!constant)
    return pack(A, M, K, lda, taps);
  pthread_mutex_lock(&packedLock);
  for (int i = 0; i < packedCount; ++i) {
    const CacheEntry *c = &packedCache[i];
    if (c->A == A && c->M == M && c->K == K && c->lda == lda &&
        c->taps == taps && c->pack == pack) {
      *owned = 0;
      pthread_mutex_unlock(&packedLock);
      return c->packed;
    }
  }
  qccUkernelPacked packed = pack(A, M, K, lda, taps);
  if (packedCount < kPackedCacheSize) {
    void *kept = keepOnHugePages(packed.data, packed.bytes);
    if (kept) {
      free(packed.data);
      packed.data = kept;
    }
    packedCache[packedCount++] = (CacheEntry){A, M, K, lda, taps, pack, packed};
    *owned = 0;
  }
  pthread_mutex_unlock(&packedLock);
  return packed;
}

qccUkernelPacked qccUkernelPackF32Blocks(const float *A, int64_t M, int64_t K,
                                         int64_t lda, int64_t rows) {
  const int64_t Mp = (M + rows - 1) / rows * rows;
  float *packed = calloc((size_t)(Mp * K), sizeof(float));
  if (!packed)
    abort();
  for (int64_t m = 0; m < M; ++m)
    for (int64_t k = 0; k < K; ++k)
      packed[(m / rows) * K * rows + k * rows + m % rows] = A[m * lda + k];
  return (qccUkernelPacked){packed, NULL, (size_t)(Mp * K) * sizeof(float)};
}

/* The sum of a[0, n): with SSE2's psadbw where there is one (16 bytes an
 * instruction, as unsigned a + 128), which every x86-64 has; the byte
 * loop the compiler made of a plain sum took 4 bytes a step at the
 * portable level, a tenth of a 256 x 256 x 256 product whose A changes
 * every call. */
static int32_t sumBytes(const int8_t *a, int64_t n) {
  int64_t k = 0, sum = 0;
#if QCC_HAVE_X86
  const __m128i flip = _mm_set1_epi8((char)0x80), zero = _mm_setzero_si128();
  __m128i acc = zero;
  for (; k + 16 <= n; k += 16) {
    const __m128i v = _mm_loadu_si128((const __m128i *)(a + k));
    acc = _mm_add_epi64(acc, _mm_sad_epu8(_mm_xor_si128(v, flip), zero));
  }
  sum = _mm_cvtsi128_si64(acc) +
        _mm_cvtsi128_si64(_mm_unpackhi_epi64(acc, acc)) - 128 * k;
#endif
  for (; k < n; ++k)
    sum += a[k];
  return (int32_t)sum;
}

qccUkernelPacked qccUkernelPackQuads(const int8_t *A, int64_t M, int64_t K,
                                     int64_t lda, int64_t kMultiple,
                                     int64_t mMultiple) {
  const int64_t K4 = (K + kMultiple - 1) / kMultiple * (kMultiple / 4);
  const int64_t Mp = (M + mMultiple - 1) / mMultiple * mMultiple;
  const size_t bytes = (size_t)(Mp * K4 * 4);
  int8_t *packed = calloc(bytes, 1);
  int32_t *rowSum = calloc((size_t)Mp, sizeof(int32_t));
  if (!packed || !rowSum)
    abort();
  for (int64_t m = 0; m < M; ++m) {
    memcpy(packed + m * K4 * 4, A + m * lda, (size_t)K);
    rowSum[m] = 128 * sumBytes(A + m * lda, K);
  }
  return (qccUkernelPacked){packed, rowSum, bytes};
}

int qccUkernelPairSumsFit16Bits(const int8_t *A, int64_t M, int64_t K,
                                int64_t lda, int64_t taps) {
  const int64_t C = K / taps;
  for (int64_t m = 0; m < M; ++m)
    for (int64_t c = 0; c < C; c += 2)
      for (int64_t t = 0; t < taps; ++t) {
        const int first = abs(A[m * lda + c * taps + t]);
        const int second = c + 1 < C ? abs(A[m * lda + (c + 1) * taps + t]) : 0;
        if (first + second > 128)
          return 0;
      }
  return 1;
}

void qccUkernelFreePacked(qccUkernelPacked packed) {
  free(packed.data);
  free(packed.rowSum);
}

/*--- Padding ----------------------------------------------------------------*/

void qccUkernelPadPlane(const void *x, int64_t H, int64_t W,
                        const qcc_ukernel_padding *pad, int64_t elementBytes,
                        int fill, void *dst) {
  const int8_t *src = (const int8_t *)x;
  int8_t *d = (int8_t *)dst;
  const int64_t rowBytes = (W + pad->left + pad->right) * elementBytes;
  const int64_t left = pad->left * elementBytes, right = pad->right * elementBytes;
  if (H == 0) {
    qccUkernelFillBytes(d, fill, (pad->top + pad->bottom) * rowBytes);
    return;
  }
  /* The right padding of a row and the left of the next are one run. */
  qccUkernelFillBytes(d, fill, pad->top * rowBytes + left);
  d += pad->top * rowBytes + left;
  for (int64_t h = 0; h < H; ++h, d += rowBytes) {
    qccUkernelCopyBytes(d, src + h * W * elementBytes, W * elementBytes);
    qccUkernelFillBytes(d + W * elementBytes, fill,
                        h + 1 < H ? right + left
                                  : right + pad->bottom * rowBytes);
  }
}

void qccUkernelCopyIntoPadded(const void *x, int64_t H, int64_t W,
                              const qcc_ukernel_padding *pad,
                              int64_t elementBytes, void *dst) {
  const int64_t row = W * elementBytes;
  const int64_t paddedRow = (W + pad->left + pad->right) * elementBytes;
  const int8_t *src = (const int8_t *)x;
  int8_t *d = (int8_t *)dst + pad->top * paddedRow + pad->left * elementBytes;
  for (int64_t h = 0; h < H; ++h)
    qccUkernelCopyBytes(d + h * paddedRow, src + h * row, row);
}

typedef struct {
  const void *x;
  int64_t H, W, elementBytes;
  const qcc_ukernel_padding *pad;
  int fill;
  int8_t *dst;
} PadJob;

static void *padPart(void *arg) {
  const PackedPart *part = arg; /* planes [begin, end) of all images */
  const PadJob *job = part->job;
  const int64_t plane = job->H * job->W * job->elementBytes;
  const int64_t padded = (job->H + job->pad->top + job->pad->bottom) *
                         (job->W + job->pad->left + job->pad->right) *
                         job->elementBytes;
  for (int64_t p = part->begin; p < part->end; ++p)
    qccUkernelPadPlane((const int8_t *)job->x + p * plane, job->H, job->W,
                       job->pad, job->elementBytes, job->fill,
                       job->dst + p * padded);
  return NULL;
}

void *qccUkernelPadPlanes(const void *x, int64_t planes, int64_t H, int64_t W,
                          const qcc_ukernel_padding *pad, int64_t elementBytes,
                          int fill, int threads) {
  const int64_t padded = (H + pad->top + pad->bottom) *
                         (W + pad->left + pad->right) * elementBytes;
  PadJob job = {x,    H,    W,
                elementBytes, pad, fill,
                qccUkernelScratch((size_t)(planes * padded), 0)};
  qccUkernelSplitPlanes(padPart, &job, planes, planes * padded,
                        kRepackParallelBytes, threads);
  return job.dst;
}

int8_t *qccUkernelMaterializePadding(const qccUkernelInt8Problem *problem,
                                     qccUkernelInt8Problem *padded,
                                     int threads) {
  *padded = *problem;
  if (!problem->conv || !qccUkernelHasPadding(&problem->pad))
    return NULL;
  const qcc_ukernel_padding *pad = &problem->pad;
  int8_t *dst = qccUkernelPadPlanes(
      problem->B, problem->batch * problem->channels,
      problem->height - pad->top - pad->bottom,
      problem->width - pad->left - pad->right, pad, 1, (int8_t)pad->value,
      threads);
  padded->B = dst;
  padded->strideB = problem->channels * problem->height * problem->width;
  memset(&padded->pad, 0, sizeof padded->pad);
  return dst;
}

/*--- The int8 entry points --------------------------------------------------*/

static void runInt8(const qccUkernelInt8Problem *problem, int threads) {
  const int tier = qcc_ukernel_cpu_tier();
  if (tier >= QCC_CPU_TIER_AVX512VNNI)
    qccUkernelInt8Avx512(problem, tier == QCC_CPU_TIER_AMX, threads);
  else
    qccUkernelInt8Pairs(problem, tier, threads);
}

void qcc_ukernel_matmul_s8s8s32(int64_t batch, int64_t M, int64_t P, int64_t K,
                                const int8_t *A, int64_t lda, const int8_t *B,
                                int64_t strideB, int64_t ldb, int32_t *C,
                                int64_t strideC, int64_t ldc, int threads) {
  if (batch <= 0 || M <= 0 || P <= 0 || K <= 0)
    return;
  qccUkernelInt8Problem problem = {0};
  problem.batch = batch;
  problem.M = M;
  problem.P = P;
  problem.K = K;
  problem.A = A;
  problem.lda = lda;
  problem.B = B;
  problem.strideB = strideB;
  problem.ldb = ldb;
  problem.C = C;
  problem.strideC = strideC;
  problem.ldc = ldc;
  runInt8(&problem, threads);
}

/* The implicit GEMM of a convolution, out[n] (M x OH*OW) += w (M x
 * C*KH*KW) * im2col(x[n]); the caller sets the output. */
static qccUkernelInt8Problem
convProblem(int64_t N, int64_t C, int64_t H, int64_t W, const int8_t *x,
            const qcc_ukernel_padding *pad, int64_t M, int64_t KH, int64_t KW,
            const int8_t *w, int64_t OH, int64_t OW, int64_t sh, int64_t sw,
            int64_t dh, int64_t dw, int constantWeights) {
  qccUkernelInt8Problem problem = {0};
  if (pad) {
    problem.pad = *pad;
    H += pad->top + pad->bottom;
    W += pad->left + pad->right;
  }
  problem.batch = N;
  problem.M = M;
  problem.P = OH * OW;
  problem.K = C * KH * KW;
  problem.A = w;
  problem.lda = C * KH * KW;
  problem.constantA = constantWeights;
  problem.B = x;
  problem.strideB = C * (H - problem.pad.top - problem.pad.bottom) *
                    (W - problem.pad.left - problem.pad.right);
  problem.conv = 1;
  problem.channels = C;
  problem.height = H;
  problem.width = W;
  problem.kh = KH;
  problem.kw = KW;
  problem.ow = OW;
  problem.sh = sh;
  problem.sw = sw;
  problem.dh = dh;
  problem.dw = dw;
  return problem;
}

void qcc_ukernel_conv2d_nchw_s8s8s32(int64_t N, int64_t C, int64_t H, int64_t W,
                                     const int8_t *x, int64_t M, int64_t KH,
                                     int64_t KW, const int8_t *w, int64_t OH,
                                     int64_t OW, int32_t *out, int64_t sh,
                                     int64_t sw, int64_t dh, int64_t dw,
                                     int constantWeights, int threads) {
  if (N <= 0 || M <= 0 || OH <= 0 || OW <= 0 || C * KH * KW <= 0)
    return;
  qccUkernelInt8Problem problem =
      convProblem(N, C, H, W, x, NULL, M, KH, KW, w, OH, OW, sh, sw, dh, dw,
                  constantWeights);
  problem.C = out;
  problem.strideC = M * OH * OW;
  problem.ldc = OH * OW;
  runInt8(&problem, threads);
}

/* The problem of qcc_ukernel_conv2d_requant on the channels of `group`
 * (of `groups`): input channels [g C/G, (g+1) C/G), output channels
 * [g M/G, (g+1) M/G) with their weights, bias and scales. */
static qccUkernelInt8Problem
requantProblem(int64_t N, int64_t C, int64_t H, int64_t W, const int8_t *x,
               const qcc_ukernel_padding *pad, int64_t M, int64_t KH,
               int64_t KW, const int8_t *w,
               const int32_t *bias, int64_t OH, int64_t OW, int8_t *out,
               int64_t sh, int64_t sw, int64_t dh, int64_t dw,
               const int32_t *multiplier, const int8_t *shift, int perChannel,
               int32_t outZp, int32_t lo, int32_t hi, int constantWeights,
               int64_t group, int64_t groups) {
  const int64_t Cg = C / groups, Mg = M / groups;
  qccUkernelInt8Problem problem = convProblem(
      N, Cg, H, W, x + group * Cg * H * W, pad, Mg, KH, KW,
      w + group * Mg * Cg * KH * KW, OH, OW, sh, sw, dh, dw, constantWeights);
  problem.strideB = C * H * W;
  problem.requant = 1;
  problem.bias = bias + group * Mg;
  problem.multiplier = multiplier + (perChannel ? group * Mg : 0);
  problem.shift = shift + (perChannel ? group * Mg : 0);
  problem.perChannel = perChannel;
  problem.highScales = qccUkernelHighScales(problem.shift, perChannel ? Mg : 1);
  problem.outZp = outZp;
  problem.lo = lo;
  problem.hi = hi;
  problem.out = out + group * Mg * OH * OW;
  problem.strideOut = M * OH * OW;
  return problem;
}

void qcc_ukernel_conv2d_requant(
    int64_t N, int64_t C, int64_t H, int64_t W, const int8_t *x,
    const qcc_ukernel_padding *pad, int64_t M, int64_t KH, int64_t KW,
    const int8_t *w, const int32_t *bias, int64_t OH, int64_t OW, int8_t *out,
    int64_t sh, int64_t sw, int64_t dh, int64_t dw, const int32_t *multiplier,
    const int8_t *shift, int perChannel, int32_t outZp, int32_t lo, int32_t hi,
    int constantWeights, int threads) {
  qcc_ukernel_grouped_conv2d_requant(N, C, H, W, x, pad, M, KH, KW, w, bias,
                                     OH, OW,
                                     out, sh, sw, dh, dw, multiplier, shift,
                                     perChannel, outZp, lo, hi, constantWeights,
                                     1, threads);
}

/* Groups [begin, end) of a grouped convolution, one thread's share. */
static void *runGroups(void *arg) {
  const PackedPart *part = arg;
  const qccUkernelInt8Problem *problems = part->job;
  for (int64_t g = part->begin; g < part->end; ++g)
    runInt8(&problems[g], 1);
  return NULL;
}

void qcc_ukernel_grouped_conv2d_requant(
    int64_t N, int64_t C, int64_t H, int64_t W, const int8_t *x,
    const qcc_ukernel_padding *pad, int64_t M, int64_t KH, int64_t KW,
    const int8_t *w, const int32_t *bias, int64_t OH,
    int64_t OW, int8_t *out, int64_t sh, int64_t sw, int64_t dh, int64_t dw,
    const int32_t *multiplier, const int8_t *shift, int perChannel,
    int32_t outZp, int32_t lo, int32_t hi, int constantWeights, int64_t groups,
    int threads) {
  if (N <= 0 || M <= 0 || OH <= 0 || OW <= 0 || C * KH * KW <= 0 ||
      groups <= 0 || C % groups || M % groups)
    return;
  if (groups == 1) {
    qccUkernelInt8Problem problem = requantProblem(
        N, C, H, W, x, pad, M, KH, KW, w, bias, OH, OW, out, sh, sw, dh, dw,
        multiplier, shift, perChannel, outZp, lo, hi, constantWeights, 0, 1);
    runInt8(&problem, threads);
    return;
  }
  /* Groups are small problems (RegNet's have 8 channels): whole groups
   * per thread, each on one thread. */
  qccUkernelInt8Problem *problems =
      malloc((size_t)groups * sizeof(qccUkernelInt8Problem));
  if (!problems)
    abort();
  for (int64_t g = 0; g < groups; ++g)
    problems[g] = requantProblem(N, C, H, W, x, pad, M, KH, KW, w, bias, OH, OW, out,
                                 sh, sw, dh, dw, multiplier, shift, perChannel,
                                 outZp, lo, hi, constantWeights, g, groups);
  qccUkernelSplitPlanes(
      runGroups, problems, groups, 0, 0,
      qccUkernelThreadsForWork(
          (double)N * M * OH * OW * (C / groups) * KH * KW, threads));
  free(problems);
}
