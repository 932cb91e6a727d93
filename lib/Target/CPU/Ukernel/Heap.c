/*===- Heap.c - Generated code's buffers, reused -------------------*- C -*-===*
 *
 * Generated code allocates every intermediate tensor with memref.alloc and
 * frees it after its last use, the same sizes in the same order on every
 * run. Through malloc, the large ones (a transformer's attention scores,
 * a CNN's early activations) are fresh pages each run: glibc gives blocks
 * above its mmap threshold back to the kernel on free, and trims the top
 * of the heap, so every run page-faults them in and clears them again
 * (a sixth of the ViT's int8 latency).
 *
 * finalize-memref-to-llvm{use-generic-functions} lowers memref.alloc and
 * memref.dealloc to the functions below. Freed blocks of at least
 * kMinCachedBytes are kept in per-size lists and handed out again to the
 * next request of that exact size, so after the first run a model's
 * buffers are the same warm pages; smaller ones go to malloc, whose own
 * bins already reuse them. At most kMaxCachedBytes stay cached; the rest
 * is freed. Unloading the model frees the cache. Thread-safe (one lock):
 * a model may run on several threads at once.
 *
 *===----------------------------------------------------------------------===*/

#include "Internal.h"

#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>

enum {
  kMinCachedBytes = 4096,
  kBuckets = 256, /* per-size lists, open addressing on the size */
};
static const size_t kMaxCachedBytes = (size_t)256 << 20;

/* Every block starts with its header; the caller's bytes follow. */
typedef struct Block {
  size_t size;        /* the caller's bytes */
  void *base;         /* what malloc returned: the block, or before it */
  struct Block *next; /* in its size's free list */
} Block;
enum { kHeaderBytes = 64 }; /* keeps the caller's bytes 64-byte aligned */

typedef struct {
  size_t size; /* 0: empty bucket */
  Block *free;
} Bucket;

static struct {
  pthread_mutex_t lock;
  Bucket buckets[kBuckets];
  size_t cachedBytes;
} heap = {.lock = PTHREAD_MUTEX_INITIALIZER};

/* The bucket of `size`, or of an empty slot for it; NULL when full. */
static Bucket *bucketOf(size_t size) {
  const size_t start = (size / 64 * 0x9E3779B97F4A7C15ull) >> 56;
  for (size_t i = 0; i < kBuckets; ++i) {
    Bucket *b = &heap.buckets[(start + i) % kBuckets];
    if (b->size == size || b->size == 0)
      return b;
  }
  return NULL;
}

void *qccUkernelAlloc(size_t size) {
  if (size >= kMinCachedBytes) {
    pthread_mutex_lock(&heap.lock);
    Bucket *b = bucketOf(size);
    Block *block = b && b->size == size ? b->free : NULL;
    if (block) {
      b->free = block->next;
      heap.cachedBytes -= size;
    }
    pthread_mutex_unlock(&heap.lock);
    if (block)
      return (char *)block + kHeaderBytes;
  }
  Block *block =
      aligned_alloc(kHeaderBytes, (size + kHeaderBytes + kHeaderBytes - 1) /
                                      kHeaderBytes * kHeaderBytes);
  if (!block)
    return NULL;
  block->size = size;
  block->base = block;
  return (char *)block + kHeaderBytes;
}

/* A block aligned beyond 64 bytes (never cached). */
static void *allocOverAligned(size_t alignment, size_t size) {
  char *base = aligned_alloc(alignment, (size + 2 * alignment - 1) / alignment *
                                            alignment);
  if (!base)
    return NULL;
  char *p = base + alignment;
  Block *block = (Block *)(p - kHeaderBytes);
  block->size = size;
  block->base = base;
  return p;
}

void qccUkernelFree(void *p) {
  if (!p)
    return;
  Block *block = (Block *)((char *)p - kHeaderBytes);
  const size_t size = block->size;
  if (size >= kMinCachedBytes && block->base == block) {
    pthread_mutex_lock(&heap.lock);
    Bucket *b =
        heap.cachedBytes + size <= kMaxCachedBytes ? bucketOf(size) : NULL;
    if (b) {
      b->size = size;
      block->next = b->free;
      b->free = block;
      heap.cachedBytes += size;
    }
    pthread_mutex_unlock(&heap.lock);
    if (b)
      return;
  }
  free(block->base);
}

void *qccUkernelScratch(size_t size, int zeroed) {
  void *p = qccUkernelAlloc(size);
  if (!p)
    abort();
  if (zeroed)
    memset(p, 0, size);
  return p;
}

/* Unloading the model (dlclose) frees what is cached. */
__attribute__((destructor)) static void freeHeap(void) {
  pthread_mutex_lock(&heap.lock);
  for (size_t i = 0; i < kBuckets; ++i)
    for (Block *block = heap.buckets[i].free; block;) {
      Block *next = block->next;
      free(block);
      block = next;
    }
  memset(heap.buckets, 0, sizeof heap.buckets);
  heap.cachedBytes = 0;
  pthread_mutex_unlock(&heap.lock);
}

/* What finalize-memref-to-llvm{use-generic-functions} calls. */
void *_mlir_memref_to_llvm_alloc(size_t size) { return qccUkernelAlloc(size); }

void *_mlir_memref_to_llvm_aligned_alloc(size_t alignment, size_t size) {
  return alignment <= kHeaderBytes ? qccUkernelAlloc(size)
                                   : allocOverAligned(alignment, size);
}

void _mlir_memref_to_llvm_free(void *p) { qccUkernelFree(p); }
