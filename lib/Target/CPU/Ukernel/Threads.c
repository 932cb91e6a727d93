/*===- Threads.c - The micro-kernels' thread pool ------------------*- C -*-===*
 *
 * The kernels split their work into parts and run them on a pool of
 * threads kept alive between calls: a model runs its layers back to back,
 * and creating or waking threads per call would cost as much as a small
 * layer. Each compiled model has its own pool (the object is linked into
 * every model.so with hidden symbols); unloading the model joins it.
 * QCC_NUM_THREADS says how many threads generated code asks for.
 *
 *===----------------------------------------------------------------------===*/

#include "Internal.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>

int qcc_ukernel_num_threads(void) {
  static int threads = 0;
  if (threads == 0) {
    const char *env = getenv("QCC_NUM_THREADS");
    int n = env ? atoi(env) : 1;
    threads = n >= 1 && n <= 256 ? n : 1;
  }
  return threads;
}

/* A pool of worker threads that stay alive between calls (creating threads
 * per call costs tens of microseconds, as much as a small layer). A job is
 * published by bumping `generation`; workers spin on it for a while (a
 * model runs its layers back to back, and waking a sleeping thread costs
 * tens of microseconds) and then sleep on a condition variable. The caller
 * runs part 0 itself and spins until the others are done. One job runs at
 * a time (calls from several threads queue on `busy`). */
typedef struct {
  pthread_mutex_t lock;
  pthread_cond_t wake, free;
  int workers; /* started */
  int busy;    /* a job is being shared out */
  _Atomic unsigned long generation;
  void *(*fn)(void *);
  char *parts;
  size_t partSize;
  int parallelism;       /* parts of the current job, caller included */
  _Atomic int remaining; /* parts not finished */
  _Atomic int stop;      /* the library is being unloaded */
  pthread_t ids[64];
} Pool;

static Pool pool = {.lock = PTHREAD_MUTEX_INITIALIZER,
                    .wake = PTHREAD_COND_INITIALIZER,
                    .free = PTHREAD_COND_INITIALIZER};

enum { kSpinIterations = 1 << 20 }; /* about a millisecond of pause */

static inline void cpuRelax(void) {
#if QCC_HAVE_X86
  _mm_pause();
#endif
}

static void *worker(void *arg) {
  const int index = (int)(intptr_t)arg; /* runs part index (>= 1) */
  unsigned long seen = 0;
  for (;;) {
    unsigned long now = atomic_load(&pool.generation);
    for (int i = 0; now == seen && i < kSpinIterations; ++i) {
      cpuRelax();
      now = atomic_load(&pool.generation);
    }
    if (now == seen) {
      pthread_mutex_lock(&pool.lock);
      while ((now = atomic_load(&pool.generation)) == seen)
        pthread_cond_wait(&pool.wake, &pool.lock);
      pthread_mutex_unlock(&pool.lock);
    }
    seen = now;
    if (atomic_load(&pool.stop))
      return NULL;
    if (index >= pool.parallelism)
      continue;
    pool.fn(pool.parts + (size_t)index * pool.partSize);
    atomic_fetch_sub(&pool.remaining, 1);
  }
  return NULL;
}

/* Unloading the library (dlclose) stops and joins the workers first: their
 * code is about to be unmapped. */
__attribute__((destructor)) static void stopPool(void) {
  pthread_mutex_lock(&pool.lock);
  atomic_store(&pool.stop, 1);
  atomic_fetch_add(&pool.generation, 1);
  pthread_cond_broadcast(&pool.wake);
  const int workers = pool.workers;
  pool.workers = 0;
  pthread_mutex_unlock(&pool.lock);
  for (int t = 0; t < workers; ++t)
    pthread_join(pool.ids[t], NULL);
}

void qccUkernelRunParallel(void *(*fn)(void *), void *parts, size_t partSize,
                           int threads) {
  if (threads <= 1) {
    fn(parts);
    return;
  }
  pthread_mutex_lock(&pool.lock);
  while (pool.busy)
    pthread_cond_wait(&pool.free, &pool.lock);
  while (pool.workers < threads - 1 && pool.workers < 63) {
    if (pthread_create(&pool.ids[pool.workers], NULL, worker,
                       (void *)(intptr_t)(pool.workers + 1)) != 0)
      break;
    ++pool.workers;
  }
  const int helpers = pool.workers < threads - 1 ? pool.workers : threads - 1;
  pool.busy = 1;
  pool.fn = fn;
  pool.parts = (char *)parts;
  pool.partSize = partSize;
  pool.parallelism = helpers + 1;
  atomic_store(&pool.remaining, helpers);
  atomic_fetch_add(&pool.generation, 1);
  pthread_cond_broadcast(&pool.wake);
  pthread_mutex_unlock(&pool.lock);
  fn(parts);
  /* Parts without a worker (thread creation failed) run here. */
  for (int t = helpers + 1; t < threads; ++t)
    fn((char *)parts + (size_t)t * partSize);
  while (atomic_load(&pool.remaining) > 0)
    cpuRelax();
  pthread_mutex_lock(&pool.lock);
  pool.busy = 0;
  pthread_cond_signal(&pool.free);
  pthread_mutex_unlock(&pool.lock);
}

void qccUkernelSplitRows(void *(*fn)(void *), const void *job, int64_t N,
                         int64_t work, int threads) {
  /* The same share per thread as the GEMM kernels: a classifier's
   * matrix-vector product (1000 x 1280, 1.3 M multiply-adds) is bound by
   * reading its weights, which two cores do faster than one. */
  threads = qccUkernelThreadsForWork((double)work, threads);
  const int64_t tiles = (N + kPackedTileRows - 1) / kPackedTileRows;
  if (threads > tiles)
    threads = (int)tiles;
  if (threads < 1)
    threads = 1;
  PackedPart parts[64];
  if (threads > 64)
    threads = 64;
  for (int t = 0; t < threads; ++t) {
    parts[t].job = job;
    parts[t].begin = tiles * t / threads * kPackedTileRows;
    parts[t].end = tiles * (t + 1) / threads * kPackedTileRows;
    if (parts[t].end > N)
      parts[t].end = N;
  }
  qccUkernelRunParallel(fn, parts, sizeof(PackedPart), threads);
}

void qccUkernelSplitPlanes(void *(*fn)(void *), const void *job,
                           int64_t planes, int64_t work, int64_t minWork,
                           int threads) {
  if (work < minWork)
    threads = 1;
  if (threads > planes)
    threads = (int)planes;
  if (threads > 64)
    threads = 64;
  if (threads < 1)
    threads = 1;
  PackedPart parts[64];
  for (int t = 0; t < threads; ++t) {
    parts[t].job = job;
    parts[t].begin = planes * t / threads;
    parts[t].end = planes * (t + 1) / threads;
  }
  qccUkernelRunParallel(fn, parts, sizeof(PackedPart), threads);
}

/*--- The generated code's loop nests (qcc-cpu-parallelize-loops) ---------*/

/* Work (iterations times body operations) of a generated nest per thread,
 * at least: a part costs the pool's wake-up (a few microseconds while the
 * workers spin). */
enum { kLoopWorkPerThread = 1 << 13 };

typedef struct {
  void (*task)(int64_t, int64_t, int64_t);
  int64_t context;
} LoopJob;

static void *runLoopPart(void *arg) {
  const PackedPart *part = (const PackedPart *)arg; /* rows [begin, end) */
  const LoopJob *job = (const LoopJob *)part->job;
  job->task(job->context, part->begin, part->end);
  return NULL;
}

void qcc_ukernel_parallel_for(void (*task)(int64_t, int64_t, int64_t),
                              int64_t context, int64_t extent,
                              int64_t work) {
  int64_t threads = qcc_ukernel_num_threads();
  if (threads > work / kLoopWorkPerThread)
    threads = work / kLoopWorkPerThread;
  const LoopJob job = {task, context};
  /* Contiguous row ranges, at most one thread per row. */
  qccUkernelSplitPlanes(runLoopPart, &job, extent, 0, 0,
                        threads < 1 ? 1 : (int)threads);
}
