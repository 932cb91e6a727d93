/* int8 GEMM throughput: qcc's micro-kernel (the one generated code calls)
 * next to oneDNN's dnnl_gemm_u8s8s32 and dnnl_gemm_s8s8s32 on square
 * C[n x n] = A[n x n] * B[n x n], plus this CPU's measured int8 peak (a
 * register-only loop of the tier's multiply-add instruction: vpdpbusd on
 * AVX-512 VNNI and AVX-VNNI, tdpbsud on AMX, vpmaddwd + vpaddd on AVX2 and
 * SSE2's pmaddwd + paddd for the generic tier; on AVX2 and generic also
 * the saturating vpmaddubsw scheme oneDNN's AVX2 kernels run).
 * qcc runs the tier QCC_CPU_TIER selects (the best the CPU has by default);
 * give oneDNN the same with ONEDNN_MAX_CPU_ISA (e.g. AVX2 for avx2). Built
 * and run by bench/cpu_latency.sh:
 *
 *   clang-22 -O3 -march=x86-64 -Iinclude bench/gemm_throughput.c \
 *       lib/Target/CPU/Ukernel/*.c -ldnnl -lpthread -o gemm_throughput
 *   ./gemm_throughput THREADS
 *   ./gemm_throughput --tier     (prints the tier qcc's kernels would run)
 *
 * oneDNN's threads follow OMP_NUM_THREADS (set it to THREADS). Prints one
 * JSON line per measurement; GOP/s counts 2 operations per multiply-add.
 * Build it for baseline x86-64, as model.so's portable kernels are built:
 * with -march=native the compiler would use the host's AVX-512 (masks,
 * vpdpwssd) inside the lower tiers' kernels, which an AVX2 CPU lacks.
 */
#include "qcc/Target/CPU/Ukernel.h"

#include <dnnl.h>
#include <immintrin.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static double now(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec + t.tv_nsec * 1e-9;
}

/* Median seconds of `runs` calls, after a pause: the previous engine's
 * idle threads (oneDNN's OpenMP workers, qcc's pool) spin for a while after
 * their last job, and on a machine with as many cores as threads they
 * would take turns with the engine being timed. */
#define TIME(runs, call)                                                       \
  ({                                                                           \
    double ts[64];                                                             \
    usleep(200000);                                                            \
    call;                                                                      \
    for (int r_ = 0; r_ < (runs); ++r_) {                                      \
      double t0_ = now();                                                      \
      call;                                                                    \
      ts[r_] = now() - t0_;                                                    \
    }                                                                          \
    for (int i_ = 0; i_ < (runs); ++i_)                                        \
      for (int j_ = i_ + 1; j_ < (runs); ++j_)                                 \
        if (ts[j_] < ts[i_]) {                                                 \
          double t_ = ts[i_];                                                  \
          ts[i_] = ts[j_];                                                     \
          ts[j_] = t_;                                                         \
        }                                                                      \
    ts[(runs) / 2];                                                            \
  })

/* Peaks: register-only loops of 12 independent accumulators, one core.
 * Each returns GOP/s (2 per multiply-add). The loops below AVX-512 are
 * inline assembly: their products do not depend on the accumulators, so a
 * compiler would fold the 12 equal products into one. */
enum { kPeakIterations = 50000000, kPeakSteps = 12 };

/* GOP/s of kPeakIterations x kPeakSteps steps of `macs` multiply-adds. */
static double peakGops(double seconds, int macs) {
  return (double)kPeakIterations * kPeakSteps * macs * 2 / seconds / 1e9;
}

__attribute__((target("avx512f,avx512vnni"))) static double peak(void) {
  __m512i acc[kPeakSteps];
  for (int i = 0; i < kPeakSteps; ++i)
    acc[i] = _mm512_set1_epi32(i);
  __m512i a = _mm512_set1_epi8(1), b = _mm512_set1_epi8(2);
  double t0 = now();
  for (long i = 0; i < kPeakIterations; ++i) {
    for (int j = 0; j < kPeakSteps; ++j)
      acc[j] = _mm512_dpbusd_epi32(acc[j], a, b);
    __asm__ volatile("" : "+v"(a));
  }
  double t = now() - t0;
  __m512i s = acc[0];
  for (int j = 1; j < kPeakSteps; ++j)
    s = _mm512_add_epi32(s, acc[j]);
  volatile int sink = _mm512_reduce_add_epi32(s);
  (void)sink;
  return peakGops(t, 64);
}

/* AVX-VNNI: vpdpbusd on ymm, 32 multiply-adds each. */
__attribute__((target("avx2,avxvnni"))) static double peakAvxVnni(void) {
  __m256i acc[kPeakSteps];
  for (int i = 0; i < kPeakSteps; ++i)
    acc[i] = _mm256_set1_epi32(i);
  __m256i a = _mm256_set1_epi8(1), b = _mm256_set1_epi8(2);
  double t0 = now();
  for (long i = 0; i < kPeakIterations; ++i) {
    for (int j = 0; j < kPeakSteps; ++j)
      acc[j] = _mm256_dpbusd_avx_epi32(acc[j], a, b);
    __asm__ volatile("" : "+x"(a));
  }
  double t = now() - t0;
  __m256i s = acc[0];
  for (int j = 1; j < kPeakSteps; ++j)
    s = _mm256_add_epi32(s, acc[j]);
  volatile int sink = _mm256_extract_epi32(s, 0);
  (void)sink;
  return peakGops(t, 32);
}

#define QCC_ACCUMULATORS(X)                                                    \
  X(4) X(5) X(6) X(7) X(8) X(9) X(10) X(11) X(12) X(13) X(14) X(15)
#define QCC_YMM_CLOBBERS                                                       \
  "xmm0", "xmm1", "xmm2", "xmm3", "xmm4", "xmm5", "xmm6", "xmm7", "xmm8",      \
      "xmm9", "xmm10", "xmm11", "xmm12", "xmm13", "xmm14", "xmm15"

/* kPeakIterations of kPeakSteps steps (one per accumulator); PROLOGUE
 * sets the operands, EPILOGUE ends (vzeroupper after ymm code: dirty upper
 * halves slowed the SSE2 code of the generic tier timed after it
 * threefold). */
#define QCC_PEAK_LOOP(STEP, PROLOGUE, EPILOGUE)                                \
  ({                                                                           \
    long n_ = kPeakIterations;                                                 \
    double t0_ = now();                                                        \
    __asm__ volatile(                                                          \
        PROLOGUE "1:\n" QCC_ACCUMULATORS(STEP) "dec %0\n jnz 1b\n" EPILOGUE    \
        : "+r"(n_)                                                             \
        :                                                                      \
        : "memory", QCC_YMM_CLOBBERS);                                         \
    now() - t0_;                                                               \
  })
/* AVX2 as qcc's kernels use it (exact): vpmaddwd of 16-bit pairs (16
 * multiply-adds) and vpaddd into the accumulator. */
#define QCC_EXACT_STEP(i)                                                      \
  "vpmaddwd %%ymm0, %%ymm1, %%ymm3\n vpaddd %%ymm3, %%ymm" #i ", %%ymm" #i "\n"
__attribute__((target("avx2"))) static double peakAvx2Exact(void) {
  double t = QCC_PEAK_LOOP(QCC_EXACT_STEP,
                           "vpcmpeqd %%ymm0, %%ymm0, %%ymm0\n"
                           "vpcmpeqd %%ymm1, %%ymm1, %%ymm1\n",
                           "vzeroupper\n");
  return peakGops(t, 16);
}

/* AVX2 as oneDNN and ONNX Runtime use it (16-bit pair sums that
 * saturate): vpmaddubsw (32 multiply-adds), vpmaddwd by ones, vpaddd. */
#define QCC_SATURATING_STEP(i)                                                 \
  "vpmaddubsw %%ymm0, %%ymm1, %%ymm3\n vpmaddwd %%ymm2, %%ymm3, %%ymm3\n"      \
  "vpaddd %%ymm3, %%ymm" #i ", %%ymm" #i "\n"
__attribute__((target("avx2"))) static double peakAvx2Saturating(void) {
  double t = QCC_PEAK_LOOP(QCC_SATURATING_STEP,
                           "vpcmpeqd %%ymm0, %%ymm0, %%ymm0\n"
                           "vpcmpeqd %%ymm1, %%ymm1, %%ymm1\n"
                           "vpcmpeqd %%ymm2, %%ymm2, %%ymm2\n",
                           "vzeroupper\n");
  return peakGops(t, 32);
}

/* The generic tier's baseline (SSE2): pmaddwd of 16-bit pairs, paddd. */
#define QCC_SSE2_STEP(i)                                                       \
  "movdqa %%xmm1, %%xmm3\n pmaddwd %%xmm0, %%xmm3\n paddd %%xmm3, %%xmm" #i "\n"
static double peakSse2(void) {
  double t = QCC_PEAK_LOOP(QCC_SSE2_STEP,
                           "pcmpeqd %%xmm0, %%xmm0\n"
                           "pcmpeqd %%xmm1, %%xmm1\n",
                           "");
  return peakGops(t, 8);
}

/* Four independent 16 x 16 accumulator tiles, each step one tdpbsud of a
 * 16 x 64 by 64 x 16 byte product (16384 multiply-adds). The tier check
 * (Dispatch.c) has already asked Linux for the tile state. */
__attribute__((target("amx-tile,amx-int8"))) static double peakAmx(void) {
  struct {
    unsigned char palette, startRow, reserved[14];
    unsigned short bytesPerRow[16];
    unsigned char rows[16];
  } config;
  memset(&config, 0, sizeof config);
  config.palette = 1;
  for (int t = 0; t < 8; ++t) {
    config.rows[t] = 16;
    config.bytesPerRow[t] = 64;
  }
  _tile_loadconfig(&config);
  const long n = 2000000;
  double t0 = now();
  for (long i = 0; i < n; ++i) {
    _tile_dpbsud(0, 4, 6);
    _tile_dpbsud(1, 4, 7);
    _tile_dpbsud(2, 5, 6);
    _tile_dpbsud(3, 5, 7);
  }
  double t = now() - t0;
  _tile_release();
  return n * 4.0 * 16384 * 2 / t / 1e9; /* GOP/s, one core */
}

/* oneDNN's matmul primitive on the same u8 x s8 -> s32 product, plain
 * row-major operands (no pre-packed weights, as the gemm calls): unlike
 * dnnl_gemm_*, it runs oneDNN's AMX (brgemm) kernels where the CPU and
 * ONEDNN_MAX_CPU_ISA allow. Returns the median seconds and sets *impl to
 * the implementation oneDNN chose. */
static double timeMatmul(int n, const uint8_t *A, const int8_t *B, int32_t *C,
                         int runs, const char **impl) {
  dnnl_engine_t engine;
  dnnl_stream_t stream;
  dnnl_engine_create(&engine, dnnl_cpu, 0);
  dnnl_stream_create(&stream, engine, dnnl_stream_default_flags);
  dnnl_dims_t dims = {n, n};
  dnnl_memory_desc_t a, b, c;
  dnnl_memory_desc_init_by_tag(&a, 2, dims, dnnl_u8, dnnl_ab);
  dnnl_memory_desc_init_by_tag(&b, 2, dims, dnnl_s8, dnnl_ab);
  dnnl_memory_desc_init_by_tag(&c, 2, dims, dnnl_s32, dnnl_ab);
  dnnl_matmul_desc_t desc;
  dnnl_matmul_desc_init(&desc, &a, &b, NULL, &c);
  dnnl_primitive_desc_t pd;
  dnnl_primitive_t matmul;
  if (dnnl_primitive_desc_create(&pd, &desc, NULL, engine, NULL) !=
          dnnl_success ||
      dnnl_primitive_create(&matmul, pd) != dnnl_success) {
    *impl = "unavailable";
    return 0;
  }
  dnnl_primitive_desc_query(pd, dnnl_query_impl_info_str, 0, impl);
  dnnl_memory_t am, bm, cm;
  dnnl_memory_create(&am, &a, engine, (void *)A);
  dnnl_memory_create(&bm, &b, engine, (void *)B);
  dnnl_memory_create(&cm, &c, engine, C);
  dnnl_exec_arg_t args[] = {
      {DNNL_ARG_SRC, am}, {DNNL_ARG_WEIGHTS, bm}, {DNNL_ARG_DST, cm}};
  double t = TIME(runs, (dnnl_primitive_execute(matmul, stream, 3, args),
                         dnnl_stream_wait(stream)));
  dnnl_memory_destroy(am);
  dnnl_memory_destroy(bm);
  dnnl_memory_destroy(cm);
  dnnl_primitive_destroy(matmul);
  /* impl points into pd: kept for the caller (a few bytes per size). */
  dnnl_stream_destroy(stream);
  return t;
}

int main(int argc, char **argv) {
  if (argc > 1 && strcmp(argv[1], "--tier") == 0) { /* the tier it would run */
    printf("%s\n", qcc_ukernel_cpu_tier_name(qcc_ukernel_cpu_tier()));
    return 0;
  }
  const int threads = argc > 1 ? atoi(argv[1]) : 1;
  const char *tier = qcc_ukernel_cpu_tier_name(qcc_ukernel_cpu_tier());
  /* The tier's peak for qcc's (exact) scheme, and on AVX2 the saturating
   * scheme's, which oneDNN's AVX2 kernels run. */
  const int tierId = qcc_ukernel_cpu_tier();
  const double exactPeak = tierId == QCC_CPU_TIER_AMX          ? peakAmx()
                           : tierId == QCC_CPU_TIER_AVX512VNNI ? peak()
                           : tierId == QCC_CPU_TIER_AVXVNNI    ? peakAvxVnni()
                           : tierId == QCC_CPU_TIER_AVX2       ? peakAvx2Exact()
                                                               : peakSse2();
  printf("{\"what\": \"peak\", \"tier\": \"%s\", \"scheme\": \"exact\", "
         "\"threads\": 1, \"gops\": %.1f}\n",
         tier, exactPeak);
  if ((tierId == QCC_CPU_TIER_AVX2 || tierId == QCC_CPU_TIER_GENERIC) &&
      __builtin_cpu_supports("avx2"))
    printf("{\"what\": \"peak\", \"tier\": \"%s\", \"scheme\": "
           "\"saturating\", \"threads\": 1, \"gops\": %.1f}\n",
           tier, peakAvx2Saturating());
  /* qcc is timed at every size first, before the first oneDNN call starts
   * oneDNN's OpenMP workers: once they exist, their spinning took turns
   * with qcc's threads on a 2-core machine (qcc at 2 threads measured 0.5x
   * to 1x of its time alone). */
  enum { kSizes = 4 };
  const int sizes[kSizes] = {256, 512, 1024, 2048};
  /* qcc also with A of 7 bits ([-64, 64], as int7 weights): its AVX2 tier
   * then runs vpmaddubsw, exact for such A (Int8Pairs.c). */
  double qccSeconds[kSizes], qcc7Seconds[kSizes];
  for (int pass = 0; pass < 2; ++pass) {
    for (int s = 0; s < kSizes; ++s) {
      const int n = sizes[s];
      int8_t *A = malloc((size_t)n * n), *B = malloc((size_t)n * n);
      int8_t *A7 = malloc((size_t)n * n);
      uint8_t *Au = malloc((size_t)n * n);
      int32_t *C = calloc((size_t)n * n, 4);
      srand(n);
      for (long i = 0; i < (long)n * n; ++i) {
        A[i] = (int8_t)(rand() % 256 - 128);
        B[i] = (int8_t)(rand() % 256 - 128);
        A7[i] = (int8_t)(rand() % 129 - 64);
        Au[i] = (uint8_t)A[i];
      }
      const double ops = 2.0 * n * n * n;
      const int runs = n <= 512 ? 31 : 11;
      if (pass == 0) {
        qccSeconds[s] =
            TIME(runs, qcc_ukernel_matmul_s8s8s32(1, n, n, n, A, n, B, 0, n, C,
                                                  0, n, threads));
        qcc7Seconds[s] =
            TIME(runs, qcc_ukernel_matmul_s8s8s32(1, n, n, n, A7, n, B, 0, n, C,
                                                  0, n, threads));
      } else {
        int32_t co = 0;
        /* Whether oneDNN's products are exact: without VNNI its kernels use
         * vpmaddubsw, whose 16-bit pair sums saturate. qcc's C (exact on
         * every tier) is the reference; full-range random bytes make
         * saturation likely where it can happen. */
        int32_t *exact = calloc((size_t)n * n, 4),
                *other = calloc((size_t)n * n, 4);
        qcc_ukernel_matmul_s8s8s32(1, n, n, n, A, n, B, 0, n, exact, 0, n,
                                   threads);
        dnnl_gemm_s8s8s32('N', 'N', 'F', n, n, n, 1.0f, A, n, 0, B, n, 0, 0.0f,
                          other, n, &co);
        long wrong = 0;
        for (long i = 0; i < (long)n * n; ++i)
          wrong += other[i] != exact[i];
        free(exact);
        free(other);
        double tu =
            TIME(runs, dnnl_gemm_u8s8s32('N', 'N', 'F', n, n, n, 1.0f, Au, n, 0,
                                         B, n, 0, 0.0f, C, n, &co));
        double ts =
            TIME(runs, dnnl_gemm_s8s8s32('N', 'N', 'F', n, n, n, 1.0f, A, n, 0,
                                         B, n, 0, 0.0f, C, n, &co));
        const char *impl = "";
        double tm = timeMatmul(n, Au, B, C, runs, &impl);
        printf(
            "{\"what\": \"gemm\", \"tier\": \"%s\", \"n\": %d, "
            "\"threads\": %d, \"qcc_gops\": %.1f, \"qcc_7bit_a_gops\": %.1f, "
            "\"onednn_u8s8s32_gops\": %.1f, \"onednn_s8s8s32_gops\": %.1f, "
            "\"onednn_s8s8s32_inexact\": %ld, \"onednn_matmul_gops\": %.1f, "
            "\"onednn_matmul_impl\": \"%s\"}\n",
            tier, n, threads, ops / qccSeconds[s] / 1e9,
            ops / qcc7Seconds[s] / 1e9, ops / tu / 1e9, ops / ts / 1e9, wrong,
            tm > 0 ? ops / tm / 1e9 : 0.0, impl);
      }
      free(A);
      free(A7);
      free(B);
      free(Au);
      free(C);
    }
  }
  return 0;
}
