/*===- CudaLauncher.c - The GPU model's launcher over the CUDA driver -*- C
 *-*-===*
 *
 * The functions MLIR's host code calls to load kernels, allocate device
 * memory, copy and launch (the mgpu* functions `gpu-to-llvm` and the GPU
 * dialect's LLVM IR translation emit calls to), implemented over the CUDA
 * driver API. The driver (libcuda.so.1) is loaded with dlopen when the
 * first of them runs, so that a model.so builds, loads and reports a clear
 * error on machines without a GPU or driver; nothing here needs cuda.h.
 * Compiled once when qcc is built and linked into every NVPTX model.so,
 * beside the C API (lib/Target/CPU/Runtime/ModelApi.c), which asks
 * qcc_device_error before creating a model and qcc_device_run_error after
 * each run.
 *
 * QCC_CUDA_PROFILE=1 (or a file name) times every launch with CUDA events
 * and prints each kernel's share of the GPU time at exit (to stderr, or to
 * that file): where a model's time goes, kernel by kernel.
 *
 * Errors: the first failure of loading the driver or the kernels is kept
 * for the process (qcc_device_error); a failure during a run is kept for
 * the calling thread until its next run starts, and the calls after it in
 * the same run do nothing, so that a failed allocation is never used.
 *
 *===----------------------------------------------------------------------===*/

#include <dlfcn.h>
#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define QCC_HIDDEN __attribute__((visibility("hidden")))

/* The few driver API types used, as cuda.h defines them. */
typedef int CUresult; /* CUDA_SUCCESS is 0 */
typedef int CUdevice;
typedef void *CUcontext, *CUmodule, *CUfunction, *CUstream, *CUevent;
typedef unsigned long long CUdeviceptr;
enum {
  CU_STREAM_NON_BLOCKING = 1,
  CU_JIT_ERROR_LOG_BUFFER = 5,
  CU_JIT_ERROR_LOG_BUFFER_SIZE_BYTES = 6,
  CU_JIT_OPTIMIZATION_LEVEL = 7,
};

static struct {
  CUresult (*Init)(unsigned);
  CUresult (*DeviceGetCount)(int *);
  CUresult (*DeviceGet)(CUdevice *, int);
  CUresult (*DevicePrimaryCtxRetain)(CUcontext *, CUdevice);
  CUresult (*CtxSetCurrent)(CUcontext);
  CUresult (*GetErrorString)(CUresult, const char **);
  CUresult (*ModuleLoadData)(CUmodule *, const void *);
  CUresult (*ModuleLoadDataEx)(CUmodule *, const void *, unsigned, int *,
                               void **);
  CUresult (*ModuleUnload)(CUmodule);
  CUresult (*ModuleGetFunction)(CUfunction *, CUmodule, const char *);
  CUresult (*LaunchKernel)(CUfunction, unsigned, unsigned, unsigned, unsigned,
                           unsigned, unsigned, unsigned, CUstream, void **,
                           void **);
  CUresult (*StreamCreate)(CUstream *, unsigned);
  CUresult (*StreamDestroy)(CUstream);
  CUresult (*StreamSynchronize)(CUstream);
  CUresult (*MemAlloc)(CUdeviceptr *, size_t);
  CUresult (*MemFree)(CUdeviceptr);
  CUresult (*MemcpyAsync)(CUdeviceptr, CUdeviceptr, size_t, CUstream);
  CUresult (*MemsetD32Async)(CUdeviceptr, unsigned, size_t, CUstream);
} cu;

/* Only for QCC_CUDA_PROFILE, looked up when it is set. */
static struct {
  CUresult (*Create)(CUevent *, unsigned);
  CUresult (*Record)(CUevent, CUstream);
  CUresult (*ElapsedTime)(float *, CUevent, CUevent);
  CUresult (*Destroy)(CUevent);
} cuEvent;

static pthread_once_t driver_once = PTHREAD_ONCE_INIT;
static char load_error[1024]; /* empty: the driver and a device are ready */
static pthread_mutex_t load_error_lock = PTHREAD_MUTEX_INITIALIZER;
static CUcontext context;
static _Thread_local char run_error[1024];

static const char *describe(CUresult result) {
  const char *text = NULL;
  if (cu.GetErrorString && cu.GetErrorString(result, &text) == 0 && text)
    return text;
  return "unknown CUDA error";
}

static void set_load_error(const char *what, CUresult result, const char *log) {
  pthread_mutex_lock(&load_error_lock);
  if (!load_error[0])
    snprintf(load_error, sizeof load_error, "%s failed: %s (CUDA error %d)%s%s",
             what, describe(result), result, log && *log ? ": " : "",
             log ? log : "");
  pthread_mutex_unlock(&load_error_lock);
}

/* QCC_CUDA_PROFILE: per kernel (the function handles of
 * mgpuModuleGetFunction, with their names), its launches and their times;
 * per run, the events of its launches until the stream is synchronized. */
typedef struct {
  CUfunction function;
  char *name;
  unsigned long long launches;
  double totalMs, minMs;
  unsigned grid[3], block[3];
} KernelProfile;
typedef struct {
  size_t kernel;
  CUevent start, end;
} PendingLaunch;
static struct {
  bool on;
  FILE *out;
  pthread_mutex_t lock;
  KernelProfile *kernels;
  size_t numKernels, kernelCapacity;
  PendingLaunch *pending;
  size_t numPending, pendingCapacity;
  unsigned long long runs;
} profile = {.lock = PTHREAD_MUTEX_INITIALIZER};

static int by_total_time(const void *a, const void *b) {
  const double x = ((const KernelProfile *)a)->totalMs,
               y = ((const KernelProfile *)b)->totalMs;
  return x < y ? 1 : x > y ? -1 : 0;
}

static void print_profile(void) {
  pthread_mutex_lock(&profile.lock);
  double total = 0;
  for (size_t i = 0; i < profile.numKernels; ++i)
    total += profile.kernels[i].totalMs;
  qsort(profile.kernels, profile.numKernels, sizeof *profile.kernels,
        by_total_time);
  FILE *out = profile.out ? profile.out : stderr;
  const unsigned long long runs = profile.runs ? profile.runs : 1;
  fprintf(out,
          "qcc GPU profile (QCC_CUDA_PROFILE): %llu runs, %zu kernels, "
          "%.3f ms per run in kernels\n",
          profile.runs, profile.numKernels, total / runs);
  fprintf(out, "%6s %10s %9s %10s %10s  %-27s %s\n", "share", "ms/run",
          "launches", "mean us", "min us", "grid x block", "kernel");
  for (size_t i = 0; i < profile.numKernels; ++i) {
    const KernelProfile *k = &profile.kernels[i];
    if (!k->launches)
      continue;
    char shape[64];
    snprintf(shape, sizeof shape, "%ux%ux%u x %ux%ux%u", k->grid[0], k->grid[1],
             k->grid[2], k->block[0], k->block[1], k->block[2]);
    fprintf(out, "%5.1f%% %10.4f %9llu %10.2f %10.2f  %-27s %s\n",
            total > 0 ? 100 * k->totalMs / total : 0.0, k->totalMs / runs,
            k->launches, 1000 * k->totalMs / k->launches, 1000 * k->minMs,
            shape, k->name);
  }
  if (profile.out)
    fclose(profile.out);
  pthread_mutex_unlock(&profile.lock);
}

static void start_profile(void *library) {
  const char *where = getenv("QCC_CUDA_PROFILE");
  if (!where || !*where || !strcmp(where, "0"))
    return;
  *(void **)&cuEvent.Create = dlsym(library, "cuEventCreate");
  *(void **)&cuEvent.Record = dlsym(library, "cuEventRecord");
  *(void **)&cuEvent.ElapsedTime = dlsym(library, "cuEventElapsedTime_v2");
  if (!cuEvent.ElapsedTime) /* drivers before CUDA 12.8 */
    *(void **)&cuEvent.ElapsedTime = dlsym(library, "cuEventElapsedTime");
  *(void **)&cuEvent.Destroy = dlsym(library, "cuEventDestroy_v2");
  if (!cuEvent.Create || !cuEvent.Record || !cuEvent.ElapsedTime ||
      !cuEvent.Destroy) {
    fprintf(stderr, "qcc: QCC_CUDA_PROFILE: the CUDA driver lacks the event "
                    "functions; not profiling\n");
    return;
  }
  if (strcmp(where, "1") && !(profile.out = fopen(where, "w")))
    fprintf(stderr,
            "qcc: QCC_CUDA_PROFILE: cannot write %s; profiling to "
            "stderr\n",
            where);
  profile.on = true;
  atexit(print_profile);
}

/* The kernel's entry in the profile (added on first sight). */
static size_t profiled_kernel(CUfunction function, const char *name) {
  for (size_t i = 0; i < profile.numKernels; ++i)
    if (profile.kernels[i].function == function)
      return i;
  if (profile.numKernels == profile.kernelCapacity) {
    size_t capacity = profile.kernelCapacity ? 2 * profile.kernelCapacity : 64;
    KernelProfile *grown =
        realloc(profile.kernels, capacity * sizeof *profile.kernels);
    if (!grown)
      return SIZE_MAX;
    profile.kernels = grown;
    profile.kernelCapacity = capacity;
  }
  KernelProfile *k = &profile.kernels[profile.numKernels];
  memset(k, 0, sizeof *k);
  k->function = function;
  k->name = strdup(name ? name : "?");
  return profile.numKernels++;
}

/* Times of the launches queued since the last synchronization (the events
 * have completed). */
static void collect_profile(void) {
  pthread_mutex_lock(&profile.lock);
  if (profile.numPending)
    ++profile.runs;
  for (size_t i = 0; i < profile.numPending; ++i) {
    PendingLaunch *launch = &profile.pending[i];
    float ms = 0;
    if (cuEvent.ElapsedTime(&ms, launch->start, launch->end) == 0) {
      KernelProfile *k = &profile.kernels[launch->kernel];
      if (!k->launches || ms < k->minMs)
        k->minMs = ms;
      k->totalMs += ms;
      ++k->launches;
    }
    cuEvent.Destroy(launch->start);
    cuEvent.Destroy(launch->end);
  }
  profile.numPending = 0;
  pthread_mutex_unlock(&profile.lock);
}

static void load_driver(void) {
  /* QCC_CUDA_DRIVER names another library (tests use it for a missing
   * one). */
  const char *name = getenv("QCC_CUDA_DRIVER");
  if (!name || !*name)
    name = "libcuda.so.1";
  void *library = dlopen(name, RTLD_NOW | RTLD_LOCAL);
  if (!library) {
    snprintf(load_error, sizeof load_error,
             "no CUDA driver: cannot load %s (%s); this model runs on an "
             "NVIDIA GPU, with its driver installed",
             name, dlerror());
    return;
  }
  static const struct {
    void **slot;
    const char *name;
  } symbols[] = {
      {(void **)&cu.Init, "cuInit"},
      {(void **)&cu.DeviceGetCount, "cuDeviceGetCount"},
      {(void **)&cu.DeviceGet, "cuDeviceGet"},
      {(void **)&cu.DevicePrimaryCtxRetain, "cuDevicePrimaryCtxRetain"},
      {(void **)&cu.CtxSetCurrent, "cuCtxSetCurrent"},
      {(void **)&cu.GetErrorString, "cuGetErrorString"},
      {(void **)&cu.ModuleLoadData, "cuModuleLoadData"},
      {(void **)&cu.ModuleLoadDataEx, "cuModuleLoadDataEx"},
      {(void **)&cu.ModuleUnload, "cuModuleUnload"},
      {(void **)&cu.ModuleGetFunction, "cuModuleGetFunction"},
      {(void **)&cu.LaunchKernel, "cuLaunchKernel"},
      {(void **)&cu.StreamCreate, "cuStreamCreate"},
      {(void **)&cu.StreamDestroy, "cuStreamDestroy_v2"},
      {(void **)&cu.StreamSynchronize, "cuStreamSynchronize"},
      {(void **)&cu.MemAlloc, "cuMemAlloc_v2"},
      {(void **)&cu.MemFree, "cuMemFree_v2"},
      {(void **)&cu.MemcpyAsync, "cuMemcpyAsync"},
      {(void **)&cu.MemsetD32Async, "cuMemsetD32Async"},
  };
  for (size_t i = 0; i < sizeof symbols / sizeof symbols[0]; ++i) {
    *symbols[i].slot = dlsym(library, symbols[i].name);
    if (!*symbols[i].slot) {
      snprintf(load_error, sizeof load_error,
               "the CUDA driver %s lacks %s (too old a driver?)", name,
               symbols[i].name);
      return;
    }
  }
  CUresult result = cu.Init(0);
  if (result != 0) {
    set_load_error("initializing the CUDA driver (is there a GPU?): cuInit",
                   result, NULL);
    return;
  }
  int count = 0;
  result = cu.DeviceGetCount(&count);
  if (result != 0 || count == 0) {
    snprintf(load_error, sizeof load_error,
             "the CUDA driver finds no GPU (cuDeviceGetCount: %d devices)",
             count);
    return;
  }
  /* QCC_CUDA_DEVICE picks the GPU (default 0). */
  const char *ordinal = getenv("QCC_CUDA_DEVICE");
  const int index = ordinal ? atoi(ordinal) : 0;
  CUdevice device;
  if ((result = cu.DeviceGet(&device, index)) != 0) {
    set_load_error("cuDeviceGet (QCC_CUDA_DEVICE)", result, NULL);
    return;
  }
  if ((result = cu.DevicePrimaryCtxRetain(&context, device)) != 0) {
    set_load_error("cuDevicePrimaryCtxRetain", result, NULL);
    return;
  }
  start_profile(library);
}

/* Whether the driver is ready, with its context current on this thread. */
static bool driver_ready(void) {
  pthread_once(&driver_once, load_driver);
  if (load_error[0])
    return false;
  return cu.CtxSetCurrent(context) == 0;
}

/* Whether a run on this thread may go on. */
static bool run_ok(void) { return !run_error[0] && driver_ready(); }

static bool check(CUresult result, const char *what) {
  if (result == 0)
    return true;
  if (!run_error[0])
    snprintf(run_error, sizeof run_error, "%s failed: %s (CUDA error %d)",
             what, describe(result), result);
  return false;
}

QCC_HIDDEN const char *qcc_device_error(void) {
  pthread_once(&driver_once, load_driver);
  return load_error[0] ? load_error : NULL;
}

QCC_HIDDEN void qcc_device_begin_run(void) { run_error[0] = 0; }

QCC_HIDDEN const char *qcc_device_run_error(void) {
  return run_error[0] ? run_error : NULL;
}

/* The mgpu* functions, with the signatures MLIR's lowering declares. */

QCC_HIDDEN void *mgpuModuleLoad(void *data, size_t size) {
  (void)size;
  CUmodule module = NULL;
  if (!driver_ready())
    return NULL;
  CUresult result = cu.ModuleLoadData(&module, data);
  if (result != 0)
    set_load_error("loading the model's kernels (cuModuleLoadData)", result,
                   NULL);
  return module;
}

/* PTX: the driver compiles it for the GPU it runs on. */
QCC_HIDDEN void *mgpuModuleLoadJIT(void *data, int optLevel) {
  CUmodule module = NULL;
  if (!driver_ready())
    return NULL;
  char log[512] = {0};
  int options[] = {CU_JIT_ERROR_LOG_BUFFER, CU_JIT_ERROR_LOG_BUFFER_SIZE_BYTES,
                   CU_JIT_OPTIMIZATION_LEVEL};
  void *values[] = {log, (void *)(uintptr_t)sizeof log,
                    (void *)(intptr_t)optLevel};
  CUresult result = cu.ModuleLoadDataEx(&module, data, 3, options, values);
  if (result != 0)
    set_load_error("compiling the model's PTX for this GPU "
                   "(cuModuleLoadDataEx)",
                   result, log);
  return module;
}

QCC_HIDDEN void mgpuModuleUnload(void *module) {
  if (module && driver_ready())
    cu.ModuleUnload(module);
}

QCC_HIDDEN void *mgpuModuleGetFunction(void *module, const char *name) {
  CUfunction function = NULL;
  if (!module) {
    if (!run_error[0])
      snprintf(run_error, sizeof run_error,
               "the kernels are not loaded: %s",
               load_error[0] ? load_error : "unknown reason");
    return NULL;
  }
  if (run_ok() &&
      check(cu.ModuleGetFunction(&function, module, name),
            "cuModuleGetFunction") &&
      profile.on) {
    pthread_mutex_lock(&profile.lock);
    profiled_kernel(function, name);
    pthread_mutex_unlock(&profile.lock);
  }
  return function;
}

QCC_HIDDEN void mgpuLaunchKernel(void *function, intptr_t gridX,
                                 intptr_t gridY, intptr_t gridZ,
                                 intptr_t blockX, intptr_t blockY,
                                 intptr_t blockZ, int32_t sharedBytes,
                                 void *stream, void **params, void **extra,
                                 size_t paramsCount) {
  (void)paramsCount;
  if (!function || !run_ok())
    return;
  CUevent start = NULL, end = NULL;
  if (profile.on &&
      (cuEvent.Create(&start, 0) != 0 || cuEvent.Record(start, stream) != 0))
    start = NULL;
  if (!check(cu.LaunchKernel(function, (unsigned)gridX, (unsigned)gridY,
                             (unsigned)gridZ, (unsigned)blockX,
                             (unsigned)blockY, (unsigned)blockZ,
                             (unsigned)sharedBytes, stream, params, extra),
             "launching a kernel (cuLaunchKernel)") ||
      !start)
    return;
  if (cuEvent.Create(&end, 0) != 0 || cuEvent.Record(end, stream) != 0) {
    cuEvent.Destroy(start);
    return;
  }
  pthread_mutex_lock(&profile.lock);
  const size_t kernel = profiled_kernel(function, NULL);
  if (profile.numPending == profile.pendingCapacity) {
    size_t capacity =
        profile.pendingCapacity ? 2 * profile.pendingCapacity : 256;
    PendingLaunch *grown =
        realloc(profile.pending, capacity * sizeof *profile.pending);
    if (grown) {
      profile.pending = grown;
      profile.pendingCapacity = capacity;
    }
  }
  if (kernel != SIZE_MAX && profile.numPending < profile.pendingCapacity) {
    KernelProfile *k = &profile.kernels[kernel];
    const unsigned shape[6] = {(unsigned)gridX,  (unsigned)gridY,
                               (unsigned)gridZ,  (unsigned)blockX,
                               (unsigned)blockY, (unsigned)blockZ};
    memcpy(k->grid, shape, sizeof k->grid);
    memcpy(k->block, shape + 3, sizeof k->block);
    profile.pending[profile.numPending++] = (PendingLaunch){kernel, start, end};
    start = end = NULL;
  }
  pthread_mutex_unlock(&profile.lock);
  if (start) {
    cuEvent.Destroy(start);
    cuEvent.Destroy(end);
  }
}

QCC_HIDDEN void *mgpuStreamCreate(void) {
  CUstream stream = NULL;
  if (run_ok())
    check(cu.StreamCreate(&stream, CU_STREAM_NON_BLOCKING), "cuStreamCreate");
  return stream;
}

QCC_HIDDEN void mgpuStreamDestroy(void *stream) {
  if (stream && driver_ready())
    cu.StreamDestroy(stream);
}

QCC_HIDDEN void mgpuStreamSynchronize(void *stream) {
  if (run_ok() &&
      check(cu.StreamSynchronize(stream),
            "running the model's kernels (cuStreamSynchronize)") &&
      profile.on)
    collect_profile();
}

/* Device buffers are kept for the next run instead of freed: a model
 * allocates the same sizes every run, and cuMemAlloc/cuMemFree cost more
 * than many of its kernels. Buffers are listed by size; the lists live as
 * long as the process (the driver frees device memory at exit). */
typedef struct FreeBuffer {
  struct FreeBuffer *next;
  uint64_t bytes;
  CUdeviceptr pointer;
} FreeBuffer;
static FreeBuffer *free_buffers;
static pthread_mutex_t free_buffers_lock = PTHREAD_MUTEX_INITIALIZER;
/* The size of each buffer handed out, to file it when it comes back. */
typedef struct LiveBuffer {
  struct LiveBuffer *next;
  uint64_t bytes;
  CUdeviceptr pointer;
} LiveBuffer;
static LiveBuffer *live_buffers;

static CUdeviceptr take_free_buffer(uint64_t bytes) {
  pthread_mutex_lock(&free_buffers_lock);
  CUdeviceptr pointer = 0;
  for (FreeBuffer **link = &free_buffers; *link; link = &(*link)->next)
    if ((*link)->bytes == bytes) {
      FreeBuffer *found = *link;
      *link = found->next;
      pointer = found->pointer;
      free(found);
      break;
    }
  pthread_mutex_unlock(&free_buffers_lock);
  return pointer;
}

QCC_HIDDEN void *mgpuMemAlloc(uint64_t bytes, void *stream, bool hostShared) {
  (void)stream;
  (void)hostShared;
  if (!bytes || !run_ok())
    return NULL;
  CUdeviceptr pointer = take_free_buffer(bytes);
  if (!pointer &&
      !check(cu.MemAlloc(&pointer, bytes),
             "allocating device memory (cuMemAlloc)"))
    return NULL;
  LiveBuffer *live = malloc(sizeof *live);
  if (!live) {
    cu.MemFree(pointer);
    snprintf(run_error, sizeof run_error, "out of host memory");
    return NULL;
  }
  live->bytes = bytes;
  live->pointer = pointer;
  pthread_mutex_lock(&free_buffers_lock);
  live->next = live_buffers;
  live_buffers = live;
  pthread_mutex_unlock(&free_buffers_lock);
  return (void *)(uintptr_t)pointer;
}

/* Kernels queued on `stream` may still use the buffer: it is kept for
 * reuse once they are done. (The host code frees every buffer at the end
 * of a run, after its last launch and copy, so the wait costs nothing.) */
QCC_HIDDEN void mgpuMemFree(void *pointer, void *stream) {
  if (!pointer || !driver_ready())
    return;
  if (stream)
    cu.StreamSynchronize(stream);
  const CUdeviceptr address = (CUdeviceptr)(uintptr_t)pointer;
  pthread_mutex_lock(&free_buffers_lock);
  LiveBuffer *live = NULL;
  for (LiveBuffer **link = &live_buffers; *link; link = &(*link)->next)
    if ((*link)->pointer == address) {
      live = *link;
      *link = live->next;
      break;
    }
  FreeBuffer *entry = live ? malloc(sizeof *entry) : NULL;
  if (entry) {
    entry->bytes = live->bytes;
    entry->pointer = address;
    entry->next = free_buffers;
    free_buffers = entry;
  }
  pthread_mutex_unlock(&free_buffers_lock);
  if (!entry)
    cu.MemFree(address);
  free(live);
}

QCC_HIDDEN void mgpuMemcpy(void *target, void *source, size_t bytes,
                           void *stream) {
  if (bytes && run_ok())
    check(cu.MemcpyAsync((CUdeviceptr)(uintptr_t)target,
                         (CUdeviceptr)(uintptr_t)source, bytes, stream),
          "copying between host and device (cuMemcpyAsync)");
}

QCC_HIDDEN void mgpuMemset32(void *target, unsigned value, size_t count,
                             void *stream) {
  if (count && run_ok())
    check(cu.MemsetD32Async((CUdeviceptr)(uintptr_t)target, value, count,
                            stream),
          "cuMemsetD32Async");
}
