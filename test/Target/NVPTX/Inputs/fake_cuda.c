/* A stand-in for the CUDA driver (libcuda.so.1) for tests on machines
 * without a GPU: QCC_CUDA_DRIVER names it, and a GPU model.so's launcher
 * loads it instead. Device memory is host memory, copies are memcpy, and
 * kernels do not run (a launch only checks its kernel and dimensions), so
 * the outputs mean nothing; what it tests is the host side: the kernels
 * the host code looks up exist in the PTX, every launch is well formed,
 * and device buffers are reused across runs and never leaked. At exit it
 * prints what it saw to stderr.
 *
 * FAKE_CUDA_FAIL_LAUNCH=n makes the n-th launch fail (CUDA error 719).
 * Events read a fake clock that each launch advances by 1 ns per thread,
 * so that timings are deterministic. */

#define _GNU_SOURCE /* memmem */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef int CUresult;
enum {
  OK = 0,
  INVALID_VALUE = 1,
  NOT_FOUND = 500,
  LAUNCH_FAILED = 719,
};

static int launches, allocations, live_buffers, loads, failures;
static unsigned long long copied_bytes, clock_ns;

/* A loaded module: its image and size (PTX text, or a fatbin whose
 * uncompressed PTX the kernels are looked up in). */
typedef struct {
  const char *image;
  size_t size;
} Module;

static size_t image_size(const void *image) {
  const unsigned char *bytes = image;
  unsigned magic;
  memcpy(&magic, bytes, sizeof magic);
  if (magic == 0xBA55ED50u) { /* fatbin: header size (u16), data size (u64) */
    unsigned short header;
    unsigned long long data;
    memcpy(&header, bytes + 6, sizeof header);
    memcpy(&data, bytes + 8, sizeof data);
    return header + data;
  }
  return strlen(image);
}

CUresult cuInit(unsigned flags) { return flags ? INVALID_VALUE : OK; }
CUresult cuDeviceGetCount(int *count) { *count = 1; return OK; }
CUresult cuDeviceGet(int *device, int ordinal) {
  *device = ordinal;
  return ordinal == 0 ? OK : INVALID_VALUE;
}
CUresult cuDevicePrimaryCtxRetain(void **context, int device) {
  (void)device;
  *context = (void *)0x1;
  return OK;
}
CUresult cuCtxSetCurrent(void *context) { return context ? OK : INVALID_VALUE; }
CUresult cuGetErrorString(CUresult result, const char **text) {
  *text = result == LAUNCH_FAILED ? "unspecified launch failure (fake)"
                                  : "fake CUDA error";
  return OK;
}
CUresult cuModuleLoadData(void **module, const void *image) {
  Module *m = malloc(sizeof *m);
  m->image = image;
  m->size = image_size(image);
  ++loads;
  *module = m;
  return OK;
}
CUresult cuModuleLoadDataEx(void **module, const void *image, unsigned count,
                            int *options, void **values) {
  (void)count, (void)options, (void)values;
  if (!strstr(image, ".version") || !strstr(image, ".target"))
    return INVALID_VALUE; /* not PTX */
  return cuModuleLoadData(module, image);
}
CUresult cuModuleUnload(void *module) {
  free(module);
  return module ? OK : INVALID_VALUE;
}
/* The kernel must be an .entry of the loaded PTX. */
CUresult cuModuleGetFunction(void **function, void *module, const char *name) {
  char entry[512];
  snprintf(entry, sizeof entry, ".entry %s(", name);
  const Module *m = module;
  if (!m || !memmem(m->image, m->size, entry, strlen(entry)))
    return NOT_FOUND;
  *function = (void *)name;
  return OK;
}
CUresult cuLaunchKernel(void *function, unsigned gx, unsigned gy, unsigned gz,
                        unsigned bx, unsigned by, unsigned bz, unsigned shared,
                        void *stream, void **params, void **extra) {
  (void)stream, (void)shared, (void)extra;
  ++launches;
  const char *fail = getenv("FAKE_CUDA_FAIL_LAUNCH");
  if (fail && atoi(fail) == launches)
    return LAUNCH_FAILED;
  if (!function || !params || !gx || !gy || !gz || !bx || !by || !bz ||
      (unsigned long long)bx * by * bz > 1024) {
    ++failures;
    return INVALID_VALUE;
  }
  clock_ns += (unsigned long long)gx * gy * gz * bx * by * bz;
  return OK;
}
CUresult cuEventCreate(void **event, unsigned flags) {
  (void)flags;
  *event = calloc(1, sizeof(unsigned long long));
  return *event ? OK : INVALID_VALUE;
}
CUresult cuEventRecord(void *event, void *stream) {
  (void)stream;
  *(unsigned long long *)event = clock_ns;
  return OK;
}
CUresult cuEventElapsedTime_v2(float *ms, void *start, void *end) {
  *ms = (*(unsigned long long *)end - *(unsigned long long *)start) / 1e6f;
  return OK;
}
CUresult cuEventDestroy_v2(void *event) {
  free(event);
  return OK;
}
CUresult cuStreamCreate(void **stream, unsigned flags) {
  (void)flags;
  *stream = malloc(1);
  return OK;
}
CUresult cuStreamDestroy_v2(void *stream) { free(stream); return OK; }
CUresult cuStreamSynchronize(void *stream) { (void)stream; return OK; }
CUresult cuMemAlloc_v2(unsigned long long *pointer, size_t bytes) {
  void *p = malloc(bytes);
  if (!p)
    return INVALID_VALUE;
  ++allocations;
  ++live_buffers;
  *pointer = (unsigned long long)(size_t)p;
  return OK;
}
CUresult cuMemFree_v2(unsigned long long pointer) {
  --live_buffers;
  free((void *)(size_t)pointer);
  return OK;
}
CUresult cuMemcpyAsync(unsigned long long target, unsigned long long source,
                       size_t bytes, void *stream) {
  (void)stream;
  memcpy((void *)(size_t)target, (const void *)(size_t)source, bytes);
  copied_bytes += bytes;
  return OK;
}
CUresult cuMemsetD32Async(unsigned long long target, unsigned value,
                          size_t count, void *stream) {
  (void)stream;
  unsigned *p = (unsigned *)(size_t)target;
  for (size_t i = 0; i < count; ++i)
    p[i] = value;
  return OK;
}

__attribute__((destructor)) static void report(void) {
  fprintf(stderr,
          "fake-cuda: %d module loads, %d launches, %d bad launches, %d "
          "allocations, %llu bytes copied\n",
          loads, launches, failures, allocations, copied_bytes);
}
