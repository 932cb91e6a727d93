/* Throughput of qcc's packed-weight kernels at batch 1 (GEMV) and small
 * batches: int8 activations x int8 / int4 weights (VNNI), and float
 * activations x int8 / int4 (per group of 128, symmetric and asymmetric) /
 * FP8 / FP6 / FP4 / MXFP4 / NVFP4 weights. Weight matrices are larger than
 * the last-level cache, so GEMV streams them from memory: halving the
 * weight bytes should approach twice the rate. Built and run by
 * bench/packed_gemv.sh:
 *
 *   clang-22 -O3 -march=native -Iinclude bench/packed_gemv.c \
 *       lib/Target/CPU/Ukernel/*.c -lpthread -o packed_gemv
 *   ./packed_gemv THREADS
 *
 * Prints one JSON line per measurement: median microseconds, weight bytes
 * streamed per second (GB/s) and multiply-adds per second (GMAC/s).
 */
#include "qcc/Target/CPU/Ukernel.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static double now(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec + t.tv_nsec * 1e-9;
}

static int compare(const void *a, const void *b) {
  const double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

enum { kRuns = 21 };

/* Median seconds of kRuns calls (after one warm-up call). */
#define MEDIAN_SECONDS(call)                                                   \
  ({                                                                           \
    double ts[kRuns];                                                          \
    call;                                                                      \
    for (int r_ = 0; r_ < kRuns; ++r_) {                                       \
      const double t0_ = now();                                                \
      call;                                                                    \
      ts[r_] = now() - t0_;                                                    \
    }                                                                          \
    qsort(ts, kRuns, sizeof(double), compare);                                 \
    ts[kRuns / 2];                                                             \
  })

static void report(const char *kernel, const char *weights, int64_t M,
                   int64_t N, int64_t K, double bytes, double seconds,
                   int threads) {
  printf("{\"kernel\": \"%s\", \"weights\": \"%s\", \"M\": %lld, \"N\": %lld, "
         "\"K\": %lld, \"threads\": %d, \"us\": %.1f, \"weight_GBps\": %.2f, "
         "\"GMACps\": %.2f}\n",
         kernel, weights, (long long)M, (long long)N, (long long)K, threads,
         seconds * 1e6, bytes / seconds * 1e-9, M * N * K / seconds * 1e-9);
  fflush(stdout);
}

int main(int argc, char **argv) {
  const int threads = argc > 1 ? atoi(argv[1]) : 1;
  const int64_t shapes[][2] = {{4096, 4096}, {11008, 4096}, {8192, 8192}};
  const int64_t batches[] = {1, 4};
  srand(1);
  for (size_t s = 0; s < sizeof shapes / sizeof shapes[0]; ++s)
    for (size_t b = 0; b < sizeof batches / sizeof batches[0]; ++b) {
      const int64_t N = shapes[s][0], K = shapes[s][1], M = batches[b];
      /* Random bytes are valid packed codes of every format. */
      uint8_t *W = malloc((size_t)(N * K));
      for (int64_t i = 0; i < N * K; ++i)
        W[i] = (uint8_t)rand();
      int8_t *X8 = malloc((size_t)(M * K));
      float *X = malloc((size_t)(M * K) * sizeof(float));
      for (int64_t i = 0; i < M * K; ++i) {
        X8[i] = (int8_t)rand();
        X[i] = (float)(rand() % 2001 - 1000) / 1000.0f;
      }
      int32_t *Y32 = calloc((size_t)(M * N), sizeof(int32_t));
      float *Y = calloc((size_t)(M * N), sizeof(float));

      for (int bits = 8; bits >= 4; bits -= 4) {
        const double seconds = MEDIAN_SECONDS(qcc_ukernel_matmul_s8_packed(
            M, N, K, X8, K, W, bits, Y32, N, threads));
        report("s8 x packed", bits == 8 ? "int8" : "int4", M, N, K,
               (double)N * K * bits / 8, seconds, threads);
      }

      const int64_t group = 128, groups = K / group;
      float *scales = malloc((size_t)(N * groups) * sizeof(float));
      uint8_t *e8m0 = malloc((size_t)(N * (K / 16)));
      uint8_t *e4m3 = malloc((size_t)(N * (K / 16)));
      int8_t *zeroPoints = malloc((size_t)(N * groups));
      for (int64_t i = 0; i < N * groups; ++i) {
        scales[i] = 0.01f;
        zeroPoints[i] = 8;
      }
      memset(e8m0, 120, (size_t)(N * (K / 16)));
      memset(e4m3, 0x38, (size_t)(N * (K / 16)));
      struct {
        const char *name;
        qcc_packed_weights format;
        double bitsPerWeight; /* including scales */
      } formats[] = {
          {"int8 per channel",
           {QCC_PACKED_INT8, QCC_SCALE_F32, K, scales, NULL, 1},
           8 + 32.0 / K},
          {"int8 g128",
           {QCC_PACKED_INT8, QCC_SCALE_F32, group, scales, NULL, 1},
           8.25},
          {"int4 g128",
           {QCC_PACKED_INT4, QCC_SCALE_F32, group, scales, NULL, 1},
           4.25},
          {"uint4 g128 asym",
           {QCC_PACKED_UINT4, QCC_SCALE_F32, group, scales, zeroPoints, 1},
           4.3125},
          {"fp8e4m3 per channel",
           {QCC_PACKED_FP8E4M3, QCC_SCALE_F32, K, scales, NULL, 1},
           8 + 32.0 / K},
          {"fp6e3m2 per channel",
           {QCC_PACKED_FP6E3M2, QCC_SCALE_F32, K, scales, NULL, 1},
           6 + 32.0 / K},
          {"fp4e2m1 g128",
           {QCC_PACKED_FP4E2M1, QCC_SCALE_F32, group, scales, NULL, 1},
           4.25},
          {"mxfp4",
           {QCC_PACKED_FP4E2M1, QCC_SCALE_E8M0, 32, e8m0, NULL, 1},
           4.25},
          {"nvfp4",
           {QCC_PACKED_FP4E2M1, QCC_SCALE_E4M3, 16, e4m3, NULL, 0.5f},
           4.5},
      };
      for (size_t f = 0; f < sizeof formats / sizeof formats[0]; ++f) {
        const double seconds = MEDIAN_SECONDS(qcc_ukernel_matmul_f32_packed(
            M, N, K, X, K, W, &formats[f].format, Y, N, threads));
        report("f32 x packed", formats[f].name, M, N, K,
               (double)N * K * formats[f].bitsPerWeight / 8, seconds, threads);
      }
      free(W);
      free(X8);
      free(X);
      free(Y32);
      free(Y);
      free(scales);
      free(e8m0);
      free(e4m3);
      free(zeroPoints);
    }
  return 0;
}
