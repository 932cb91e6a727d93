/*===- cublaslt_gemm.c - cuBLASLt's int8 GEMM, the GPU bench's reference --===*
 *
 *   cublaslt_gemm N [RUNS]
 *
 * Times C[N, N] (int32) = A[N, N] * B[N, N] (int8) with cuBLASLt (int32
 * compute, the algorithm its heuristic ranks first) on GPU 0, as
 * bench/gpu_gemm.sh compares qcc's int8 product kernel with it: the
 * median and minimum of RUNS timings (CUDA events around each call, after
 * 3 warm-up calls) and the tera-ops per second (2 N^3 per call). One line:
 *
 *   cublaslt N=2048 median_us=... min_us=... tops=... gpu="NAME" sm=90
 *     sms=132 clock_mhz=1980
 *
 * Exits 2 with a message when there is no GPU or driver.
 *
 * Built by bench/gpu_gemm.sh with the CUDA toolkit's cuBLASLt and runtime.
 *===----------------------------------------------------------------------===*/

#include <cublasLt.h>
#include <cuda_runtime.h>
#include <stdio.h>
#include <stdlib.h>

#define CHECK_CUDA(call)                                                       \
  do {                                                                         \
    cudaError_t e_ = (call);                                                   \
    if (e_ != cudaSuccess) {                                                   \
      fprintf(stderr, "cublaslt_gemm: %s: %s\n", #call, cudaGetErrorString(e_)); \
      exit(1);                                                                 \
    }                                                                          \
  } while (0)
#define CHECK_LT(call)                                                         \
  do {                                                                         \
    cublasStatus_t s_ = (call);                                                \
    if (s_ != CUBLAS_STATUS_SUCCESS) {                                         \
      fprintf(stderr, "cublaslt_gemm: %s: cuBLAS status %d\n", #call, (int)s_); \
      exit(1);                                                                 \
    }                                                                          \
  } while (0)

static int by_value(const void *a, const void *b) {
  const float x = *(const float *)a, y = *(const float *)b;
  return x < y ? -1 : x > y;
}

int main(int argc, char **argv) {
  if (argc < 2) {
    fprintf(stderr, "usage: cublaslt_gemm N [RUNS]\n");
    return 1;
  }
  const int n = atoi(argv[1]);
  const int runs = argc > 2 ? atoi(argv[2]) : 50;
  if (n <= 0 || n % 4 || runs <= 0) {
    fprintf(stderr, "cublaslt_gemm: N must be a positive multiple of 4, "
                    "RUNS positive\n");
    return 1;
  }
  int devices = 0;
  if (cudaGetDeviceCount(&devices) != cudaSuccess || devices == 0) {
    fprintf(stderr, "cublaslt_gemm: no GPU (cudaGetDeviceCount: %d)\n",
            devices);
    return 2;
  }
  struct cudaDeviceProp prop;
  CHECK_CUDA(cudaGetDeviceProperties(&prop, 0));
  int clockKHz = 0;
  cudaDeviceGetAttribute(&clockKHz, cudaDevAttrClockRate, 0);

  const size_t bytes = (size_t)n * n;
  signed char *a, *b;
  int *c;
  CHECK_CUDA(cudaMalloc((void **)&a, bytes));
  CHECK_CUDA(cudaMalloc((void **)&b, bytes));
  CHECK_CUDA(cudaMalloc((void **)&c, bytes * sizeof(int)));
  signed char *host = malloc(bytes);
  for (size_t i = 0; i < bytes; ++i)
    host[i] = (signed char)((i * 2654435761u >> 24) % 255 - 127);
  CHECK_CUDA(cudaMemcpy(a, host, bytes, cudaMemcpyHostToDevice));
  CHECK_CUDA(cudaMemcpy(b, host, bytes, cudaMemcpyHostToDevice));
  free(host);

  cublasLtHandle_t lt;
  CHECK_LT(cublasLtCreate(&lt));
  cublasLtMatmulDesc_t op;
  CHECK_LT(cublasLtMatmulDescCreate(&op, CUBLAS_COMPUTE_32I, CUDA_R_32I));
  /* int8 GEMMs want A transposed (the "TN" layout cuBLASLt's int8 kernels
   * run fastest on): C = A^T B with both stored column-major. */
  const cublasOperation_t transpose = CUBLAS_OP_T;
  CHECK_LT(cublasLtMatmulDescSetAttribute(op, CUBLASLT_MATMUL_DESC_TRANSA,
                                          &transpose, sizeof transpose));
  cublasLtMatrixLayout_t la, lb, lc;
  CHECK_LT(cublasLtMatrixLayoutCreate(&la, CUDA_R_8I, n, n, n));
  CHECK_LT(cublasLtMatrixLayoutCreate(&lb, CUDA_R_8I, n, n, n));
  CHECK_LT(cublasLtMatrixLayoutCreate(&lc, CUDA_R_32I, n, n, n));
  size_t workspaceBytes = 32u << 20;
  void *workspace;
  CHECK_CUDA(cudaMalloc(&workspace, workspaceBytes));
  cublasLtMatmulPreference_t preference;
  CHECK_LT(cublasLtMatmulPreferenceCreate(&preference));
  CHECK_LT(cublasLtMatmulPreferenceSetAttribute(
      preference, CUBLASLT_MATMUL_PREF_MAX_WORKSPACE_BYTES, &workspaceBytes,
      sizeof workspaceBytes));
  cublasLtMatmulHeuristicResult_t heuristic;
  int found = 0;
  CHECK_LT(cublasLtMatmulAlgoGetHeuristic(lt, op, la, lb, lc, lc, preference,
                                          1, &heuristic, &found));
  if (!found) {
    fprintf(stderr, "cublaslt_gemm: cuBLASLt has no int8 algorithm for N=%d\n",
            n);
    return 1;
  }
  const int one = 1, zero = 0;
  cudaStream_t stream;
  CHECK_CUDA(cudaStreamCreate(&stream));
  cudaEvent_t start, end;
  CHECK_CUDA(cudaEventCreate(&start));
  CHECK_CUDA(cudaEventCreate(&end));
  float *times = malloc(sizeof(float) * runs);
  for (int i = -3; i < runs; ++i) {
    CHECK_CUDA(cudaEventRecord(start, stream));
    CHECK_LT(cublasLtMatmul(lt, op, &one, a, la, b, lb, &zero, c, lc, c, lc,
                            &heuristic.algo, workspace, workspaceBytes,
                            stream));
    CHECK_CUDA(cudaEventRecord(end, stream));
    CHECK_CUDA(cudaEventSynchronize(end));
    if (i >= 0)
      CHECK_CUDA(cudaEventElapsedTime(&times[i], start, end));
  }
  qsort(times, runs, sizeof *times, by_value);
  const double median = times[runs / 2], minimum = times[0];
  printf("cublaslt N=%d median_us=%.2f min_us=%.2f tops=%.1f gpu=\"%s\" "
         "sm=%d%d sms=%d clock_mhz=%d\n",
         n, 1000 * median, 1000 * minimum,
         2.0 * n * n * (double)n / (median * 1e-3) / 1e12, prop.name,
         prop.major, prop.minor, prop.multiProcessorCount, clockKHz / 1000);
  return 0;
}
