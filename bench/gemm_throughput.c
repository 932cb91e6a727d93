/* int8 GEMM throughput: qcc's micro-kernel (the one generated code calls)
 * next to oneDNN's dnnl_gemm_u8s8s32 and dnnl_gemm_s8s8s32 on square
 * C[n x n] = A[n x n] * B[n x n], plus this CPU's measured int8 peak (a
 * register-only loop of independent vpdpbusd on the AVX-512 VNNI tier, of
 * independent tdpbsud on the AMX tier).
 * qcc runs the tier QCC_CPU_TIER selects (the best the CPU has by default);
 * give oneDNN the same with ONEDNN_MAX_CPU_ISA (e.g. AVX2 for avx2). Built
 * and run by bench/cpu_latency.sh:
 *
 *   clang-22 -O3 -march=native -Iinclude bench/gemm_throughput.c \
 *       lib/Target/CPU/Ukernel/*.c -ldnnl -lpthread -o gemm_throughput
 *   ./gemm_throughput THREADS
 *   ./gemm_throughput --tier     (prints the tier qcc's kernels would run)
 *
 * oneDNN's threads follow OMP_NUM_THREADS (set it to THREADS). Prints one
 * JSON line per measurement; GOP/s counts 2 operations per multiply-add.
 */
#include "qcc/Target/CPU/Ukernel.h"

#include <dnnl.h>
#include <immintrin.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static double now(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec + t.tv_nsec * 1e-9;
}

/* Median seconds of `runs` calls. */
#define TIME(runs, call)                                                       \
  ({                                                                           \
    double ts[64];                                                             \
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

__attribute__((target("avx512f,avx512vnni"))) static double peak(void) {
  __m512i acc[12];
  for (int i = 0; i < 12; ++i)
    acc[i] = _mm512_set1_epi32(i);
  __m512i a = _mm512_set1_epi8(1), b = _mm512_set1_epi8(2);
  const long n = 50000000;
  double t0 = now();
  for (long i = 0; i < n; ++i) {
    for (int j = 0; j < 12; ++j)
      acc[j] = _mm512_dpbusd_epi32(acc[j], a, b);
    __asm__ volatile("" : "+v"(a));
  }
  double t = now() - t0;
  __m512i s = acc[0];
  for (int j = 1; j < 12; ++j)
    s = _mm512_add_epi32(s, acc[j]);
  volatile int sink = _mm512_reduce_add_epi32(s);
  (void)sink;
  return n * 12.0 * 64 * 2 / t / 1e9; /* GOP/s, one core */
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
  dnnl_exec_arg_t args[] = {{DNNL_ARG_SRC, am},
                            {DNNL_ARG_WEIGHTS, bm},
                            {DNNL_ARG_DST, cm}};
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
  if (qcc_ukernel_cpu_tier() == QCC_CPU_TIER_AVX512VNNI)
    printf("{\"what\": \"peak\", \"threads\": 1, \"gops\": %.1f}\n",
           peak());
  if (qcc_ukernel_cpu_tier() == QCC_CPU_TIER_AMX)
    printf("{\"what\": \"peak\", \"threads\": 1, \"gops\": %.1f}\n",
           peakAmx());
  const int sizes[] = {256, 512, 1024, 2048};
  for (int s = 0; s < 4; ++s) {
    const int n = sizes[s];
    int8_t *A = malloc((size_t)n * n), *B = malloc((size_t)n * n);
    uint8_t *Au = malloc((size_t)n * n);
    int32_t *C = calloc((size_t)n * n, 4);
    for (long i = 0; i < (long)n * n; ++i) {
      A[i] = (int8_t)(rand() % 256 - 128);
      B[i] = (int8_t)(rand() % 256 - 128);
      Au[i] = (uint8_t)A[i];
    }
    const double ops = 2.0 * n * n * n;
    const int runs = n <= 512 ? 31 : 11;
    int32_t co = 0;
    double tq = TIME(runs, qcc_ukernel_matmul_s8s8s32(1, n, n, n, A, n, B, 0, n,
                                                      C, 0, n, threads));
    /* Whether oneDNN's products are exact: without VNNI its kernels use
     * vpmaddubsw, whose 16-bit pair sums saturate. qcc's C (exact on every
     * tier) is the reference; full-range random bytes make saturation
     * likely where it can happen. */
    int32_t *exact = calloc((size_t)n * n, 4), *other = calloc((size_t)n * n, 4);
    qcc_ukernel_matmul_s8s8s32(1, n, n, n, A, n, B, 0, n, exact, 0, n, threads);
    dnnl_gemm_s8s8s32('N', 'N', 'F', n, n, n, 1.0f, A, n, 0, B, n, 0, 0.0f,
                      other, n, &co);
    long wrong = 0;
    for (long i = 0; i < (long)n * n; ++i)
      wrong += other[i] != exact[i];
    free(exact);
    free(other);
    double tu = TIME(runs, dnnl_gemm_u8s8s32('N', 'N', 'F', n, n, n, 1.0f, Au,
                                             n, 0, B, n, 0, 0.0f, C, n, &co));
    double ts = TIME(runs, dnnl_gemm_s8s8s32('N', 'N', 'F', n, n, n, 1.0f, A, n,
                                             0, B, n, 0, 0.0f, C, n, &co));
    const char *impl = "";
    double tm = timeMatmul(n, Au, B, C, runs, &impl);
    printf("{\"what\": \"gemm\", \"tier\": \"%s\", \"n\": %d, \"threads\": "
           "%d, \"qcc_gops\": %.1f, \"onednn_u8s8s32_gops\": %.1f, "
           "\"onednn_s8s8s32_gops\": %.1f, \"onednn_s8s8s32_inexact\": %ld, "
           "\"onednn_matmul_gops\": %.1f, \"onednn_matmul_impl\": \"%s\"}\n",
           tier, n, threads, ops / tq / 1e9, ops / tu / 1e9, ops / ts / 1e9,
           wrong, tm > 0 ? ops / tm / 1e9 : 0.0, impl);
    free(A);
    free(B);
    free(Au);
    free(C);
  }
  return 0;
}
