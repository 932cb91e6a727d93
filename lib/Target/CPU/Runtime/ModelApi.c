/*===- ModelApi.c - The C API of every compiled model --------------*- C -*-===*
 *
 * model.h's functions, the same for every model: compiled once when qcc is
 * built and linked into each model.so. What differs between models is
 * data and one function, both in the model's own code (model.bc):
 *
 *   - the signature, constant globals qcc-cpu-prepare-entry emits: counts,
 *     ranks, element sizes, shapes (-1: the batch), names and dtypes of the
 *     inputs followed by the outputs;
 *   - the provenance JSON, a global qcc compile adds to model.bc;
 *   - qcc_model_invoke(descriptors), which qcc-cpu-emit-invoke emits: the
 *     entry function called with one MLIR memref descriptor per tensor
 *     (inputs, then outputs), for one sample.
 *
 *===----------------------------------------------------------------------===*/

#include "model.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#if defined(__x86_64__)
#include <cpuid.h>
#endif

#define QCC_EXPORT __attribute__((visibility("default")))

/* From model.bc (see above). */
extern const int32_t qcc_signature_counts[3]; /* inputs, outputs, batched */
extern const int32_t qcc_signature_ranks[];
extern const int32_t qcc_signature_element_bytes[];
extern const int64_t qcc_signature_shapes[];
extern const char qcc_signature_names[];
extern const char qcc_signature_dtypes[];
extern const char qcc_provenance[];
extern const char qcc_cpu_isa[];      /* the --cpu it was built for */
extern const char qcc_cpu_features[]; /* comma-separated, CpuFeatures.def */
void qcc_model_invoke(void *const *descriptors);
/* Copies of it compiled for higher x86-64 levels (--cpu portable adds
 * both; absent ones are NULL). */
__attribute__((weak, visibility("hidden"))) void
qcc_model_invoke_x86_64_v3(void *const *descriptors);
__attribute__((weak, visibility("hidden"))) void
qcc_model_invoke_x86_64_v4(void *const *descriptors);

/* From a GPU model's launcher (lib/Target/NVPTX/Runtime/CudaLauncher.c);
 * absent (NULL) in CPU models. */
__attribute__((weak, visibility("hidden"))) const char *qcc_device_error(void);
__attribute__((weak, visibility("hidden"))) void qcc_device_begin_run(void);
__attribute__((weak, visibility("hidden"))) const char *
qcc_device_run_error(void);

/* From the micro-kernels linked beside it (Ukernel.h). */
int qcc_ukernel_cpu_tier(void);
const char *qcc_ukernel_cpu_tier_name(int tier);

#define NUM_INPUTS qcc_signature_counts[0]
#define NUM_OUTPUTS qcc_signature_counts[1]
#define BATCHED qcc_signature_counts[2]
#define NUM_TENSORS (NUM_INPUTS + NUM_OUTPUTS)

/* String k of a blob of NUL-terminated strings. */
static const char *nth_string(const char *blob, int k) {
  for (; k > 0; --k)
    blob += strlen(blob) + 1;
  return blob;
}

/* The shape of tensor k: its rank's entries of the concatenated shapes. */
static const int64_t *shape_of(int k) {
  const int64_t *shape = qcc_signature_shapes;
  for (int j = 0; j < k; ++j)
    shape += qcc_signature_ranks[j];
  return shape;
}

QCC_EXPORT int qcc_model_abi_version(void) { return QCC_MODEL_ABI_VERSION; }
QCC_EXPORT int qcc_model_num_inputs(void) { return NUM_INPUTS; }
QCC_EXPORT int qcc_model_num_outputs(void) { return NUM_OUTPUTS; }

/* Accessors of input / output i: tensor i or NUM_INPUTS + i. */
#define QCC_ACCESSORS(type, name, none, value)                                \
  QCC_EXPORT type qcc_model_input_##name(int i) {                             \
    const int k = i;                                                          \
    return i >= 0 && i < NUM_INPUTS ? (value) : (none);                       \
  }                                                                           \
  QCC_EXPORT type qcc_model_output_##name(int i) {                            \
    const int k = NUM_INPUTS + i;                                             \
    return i >= 0 && i < NUM_OUTPUTS ? (value) : (none);                      \
  }
QCC_ACCESSORS(const char *, name, NULL, nth_string(qcc_signature_names, k))
QCC_ACCESSORS(const char *, dtype, NULL, nth_string(qcc_signature_dtypes, k))
QCC_ACCESSORS(const int64_t *, shape, NULL, shape_of(k))
QCC_ACCESSORS(int, rank, -1, qcc_signature_ranks[k])

QCC_EXPORT const char *qcc_model_provenance(void) { return qcc_provenance; }

/* The instruction set. This file is compiled without -march, so that it
 * runs on every x86-64 CPU and can refuse the model's code before any of
 * it runs. */

#if defined(__x86_64__)
/* Whether the OS saves the register state a feature needs (XCR0): 1 the
 * ymm registers, 2 also the zmm registers and the masks. */
static int os_saves_state(int state) {
  unsigned a, b, c, d;
  if (state == 0)
    return 1;
  if (!__get_cpuid(1, &a, &b, &c, &d) || !(c & (1u << 27))) /* OSXSAVE */
    return 0;
  unsigned lo, hi;
  __asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
  const unsigned needs = state == 1 ? 0x6u : 0xE6u;
  return (lo & needs) == needs;
}

static int cpu_has(const char *name, size_t length) {
  unsigned r[4];
#define QCC_CPU_FEATURE(NAME, LEAF, SUBLEAF, REGISTER, BIT, STATE)             \
  if (length == sizeof(NAME) - 1 && strncmp(name, NAME, length) == 0)          \
    return __get_cpuid_count(LEAF, SUBLEAF, &r[0], &r[1], &r[2], &r[3]) &&     \
           (r[REGISTER] & (1u << BIT)) && os_saves_state(STATE);
#include "CpuFeatures.def"
  return 0; /* qcc compile records only the features listed there */
}
#else
static int cpu_has(const char *name, size_t length) {
  (void)name;
  (void)length;
  return 0;
}
#endif

static char cpu_error[1024];
static pthread_once_t cpu_checked = PTHREAD_ONCE_INIT;

/* QCC_ASSUME_CPU_LACKS (comma-separated feature names) makes the check
 * treat those as missing: how tests show the refusal on a CPU that has
 * everything. */
static int assumed_missing(const char *name, size_t length) {
  const char *list = getenv("QCC_ASSUME_CPU_LACKS");
  while (list && *list) {
    const size_t n = strcspn(list, ",");
    if (n == length && strncmp(list, name, n) == 0)
      return 1;
    list += n + (list[n] == ',');
  }
  return 0;
}

static void check_cpu(void) {
  char missing[512] = "";
  size_t used = 0;
  for (const char *f = qcc_cpu_features; *f;) {
    const size_t n = strcspn(f, ",");
    if ((!cpu_has(f, n) || assumed_missing(f, n)) &&
        used + n + 3 < sizeof missing) {
      used += (size_t)snprintf(missing + used, sizeof missing - used, "%s%.*s",
                               used ? ", " : "", (int)n, f);
    }
    f += n + (f[n] == ',');
  }
  if (used)
    snprintf(cpu_error, sizeof cpu_error,
             "this model was compiled for %s (qcc compile --cpu %s) and this "
             "CPU lacks %s; recompile it with --cpu portable (any x86-64 CPU) "
             "or --cpu native on this machine",
             qcc_cpu_isa, qcc_cpu_isa, missing);
}

QCC_EXPORT const char *qcc_model_cpu_error(void) {
  pthread_once(&cpu_checked, check_cpu);
  if (cpu_error[0])
    return cpu_error;
  /* A GPU model also needs the driver and a GPU. */
  return qcc_device_error ? qcc_device_error() : NULL;
}

QCC_EXPORT const char *qcc_model_cpu_tier(void) {
  return qcc_ukernel_cpu_tier_name(qcc_ukernel_cpu_tier());
}

/* The copy of the model's code a run calls: the highest level present
 * that the CPU has and the kernels' tier allows (QCC_CPU_TIER=generic runs
 * the baseline code, avx2 and avxvnni the x86-64-v3 copy), so that tests
 * reach every copy on one machine. */
typedef void (*invoke_fn)(void *const *);
static invoke_fn chosen_invoke = qcc_model_invoke;
static const char *chosen_version; /* NULL: the baseline, qcc_cpu_isa */
static pthread_once_t invoke_chosen = PTHREAD_ONCE_INIT;

static int cpu_has_all(const char *const *names) {
  for (; *names; ++names)
    if (!cpu_has(*names, strlen(*names)) ||
        assumed_missing(*names, strlen(*names)))
      return 0;
  return 1;
}

static void choose_invoke(void) {
  static const char *const v3[] = {"avx",  "avx2", "bmi",   "bmi2",  "f16c",
                                   "fma",  "lzcnt", "movbe", "xsave", NULL};
  static const char *const v4[] = {"avx512f", "avx512bw", "avx512cd",
                                   "avx512dq", "avx512vl", NULL};
  const int tier = qcc_ukernel_cpu_tier(); /* 1 avx2, 2 avxvnni, 3 avx512 */
  if (qcc_model_invoke_x86_64_v3 && tier >= 1 && cpu_has_all(v3)) {
    chosen_invoke = qcc_model_invoke_x86_64_v3;
    chosen_version = "x86-64-v3";
    if (qcc_model_invoke_x86_64_v4 && tier >= 3 && cpu_has_all(v4)) {
      chosen_invoke = qcc_model_invoke_x86_64_v4;
      chosen_version = "x86-64-v4";
    }
  }
}

QCC_EXPORT const char *qcc_model_cpu_code_version(void) {
  pthread_once(&invoke_chosen, choose_invoke);
  return chosen_version ? chosen_version : qcc_cpu_isa;
}

/* Handles. The model has no mutable state, so a handle names a slot of this
 * table and is never a pointer to memory: (generation << 32) | (slot + 1).
 * Destroying a model advances its slot's generation, so the old handle
 * never matches again, not even once the slot serves a new model: run and
 * destroy on it find no live model and fail (or do nothing) instead of
 * reading freed memory. Odd generations are live; a slot whose generation
 * would wrap is never reused. */
_Static_assert(sizeof(uintptr_t) == 8, "a handle holds 64 bits");
static pthread_mutex_t handles_lock = PTHREAD_MUTEX_INITIALIZER;
static uint32_t *generations;
static uint32_t num_slots;

/* The slot of a live handle, or -1. Call with handles_lock held. */
static int64_t live_slot(const qcc_model *model) {
  const uintptr_t handle = (uintptr_t)model;
  const uint32_t slot = (uint32_t)handle - 1, generation = handle >> 32;
  return generation % 2 && slot < num_slots && generations[slot] == generation
             ? (int64_t)slot
             : -1;
}

static int is_live(const qcc_model *model) {
  pthread_mutex_lock(&handles_lock);
  const int live = live_slot(model) >= 0;
  pthread_mutex_unlock(&handles_lock);
  return live;
}

QCC_EXPORT qcc_model *qcc_model_create(void) {
  if (qcc_model_cpu_error())
    return NULL;
  pthread_mutex_lock(&handles_lock);
  uint32_t slot = 0;
  while (slot < num_slots &&
         (generations[slot] % 2 || generations[slot] == UINT32_MAX - 1))
    ++slot;
  if (slot == num_slots) {
    const uint32_t grown = num_slots ? 2 * num_slots : 16;
    uint32_t *table = grown > num_slots
                          ? realloc(generations, grown * sizeof(uint32_t))
                          : NULL;
    if (!table) {
      pthread_mutex_unlock(&handles_lock);
      return NULL;
    }
    memset(table + num_slots, 0, (grown - num_slots) * sizeof(uint32_t));
    generations = table;
    num_slots = grown;
  }
  const uint32_t generation = ++generations[slot];
  pthread_mutex_unlock(&handles_lock);
  return (qcc_model *)(((uintptr_t)generation << 32) | (slot + 1));
}

QCC_EXPORT void qcc_model_destroy(qcc_model *model) {
  pthread_mutex_lock(&handles_lock);
  const int64_t slot = live_slot(model);
  if (slot >= 0)
    ++generations[slot];
  pthread_mutex_unlock(&handles_lock);
}

/* At unload (or exit, before other destructors that may still destroy
 * models) no handle stays live. */
__attribute__((destructor)) static void free_handles(void) {
  pthread_mutex_lock(&handles_lock);
  free(generations);
  generations = NULL;
  num_slots = 0;
  pthread_mutex_unlock(&handles_lock);
}

/* The bytes of tensor k for `batch` >= 1 samples into *bytes; nonzero when
 * they do not fit in size_t. */
static int tensor_bytes(int k, int64_t batch, size_t *bytes) {
  const int64_t *shape = shape_of(k);
  size_t n = (size_t)qcc_signature_element_bytes[k];
  for (int d = 0; d < qcc_signature_ranks[k]; ++d)
    if (__builtin_mul_overflow(
            n, (uint64_t)(shape[d] < 0 ? batch : shape[d]), &n))
      return 1;
  *bytes = n;
  return 0;
}

/* Runs one sample at a time (the entry computes one: qc-set-batch-size=1)
 * on consecutive samples of the caller's buffers, each tensor passed as a
 * dense row-major MLIR memref descriptor: allocated and aligned pointers,
 * offset, sizes[rank], strides[rank], all 64-bit words. */
static int run_batch(int64_t batch, const void *const *inputs,
                     void *const *outputs) {
  pthread_once(&invoke_chosen, choose_invoke);
  const int n = NUM_TENSORS;
  int words = 0;
  for (int k = 0; k < n; ++k)
    words += 3 + 2 * qcc_signature_ranks[k];
  /* A few words per tensor: on the stack. */
  int64_t storage[words];
  void *descriptors[n];
  int64_t samples[n];
  int64_t *word = storage;
  for (int k = 0; k < n; ++k) {
    const int rank = qcc_signature_ranks[k];
    const int64_t *shape = shape_of(k);
    descriptors[k] = word;
    word[2] = 0; /* offset */
    int64_t stride = 1;
    for (int d = rank - 1; d >= 0; --d) {
      word[3 + d] = shape[d] < 0 ? 1 : shape[d];
      word[3 + rank + d] = stride;
      stride *= word[3 + d];
    }
    samples[k] = stride * qcc_signature_element_bytes[k]; /* bytes */
    word += 3 + 2 * rank;
  }
  for (int64_t b = 0; b < batch; ++b) {
    for (int k = 0; k < n; ++k) {
      char *base = k < NUM_INPUTS ? (char *)inputs[k]
                                  : (char *)outputs[k - NUM_INPUTS];
      int64_t *descriptor = descriptors[k];
      char *sample = base + b * samples[k];
      memcpy(&descriptor[0], &sample, sizeof sample);
      memcpy(&descriptor[1], &sample, sizeof sample);
    }
    if (qcc_device_begin_run)
      qcc_device_begin_run();
    chosen_invoke(descriptors);
    if (qcc_device_run_error && qcc_device_run_error())
      return QCC_MODEL_ERROR_DEVICE;
  }
  return QCC_MODEL_OK;
}

QCC_EXPORT int qcc_model_run_checked(qcc_model *model, int64_t batch,
                                     const void *const *inputs,
                                     const size_t *input_sizes,
                                     void *const *outputs,
                                     const size_t *output_sizes) {
  if (!model)
    return QCC_MODEL_ERROR_NULL;
  if (!is_live(model))
    return QCC_MODEL_ERROR_HANDLE;
  /* The arrays of a kind the model has none of (a model of constants has
   * no inputs) may be NULL, and so may the buffer of an empty tensor. */
  if ((NUM_INPUTS > 0 && (!inputs || !input_sizes)) ||
      (NUM_OUTPUTS > 0 && (!outputs || !output_sizes)))
    return QCC_MODEL_ERROR_NULL;
  if (batch < 1 || (!BATCHED && batch != 1))
    return QCC_MODEL_ERROR_BATCH;
  for (int k = 0; k < NUM_TENSORS; ++k) {
    size_t bytes;
    if (tensor_bytes(k, batch, &bytes))
      return QCC_MODEL_ERROR_OVERFLOW;
    if (bytes != (k < NUM_INPUTS ? input_sizes[k]
                                 : output_sizes[k - NUM_INPUTS]))
      return QCC_MODEL_ERROR_SIZE;
    if (bytes > 0 && !(k < NUM_INPUTS ? inputs[k] : outputs[k - NUM_INPUTS]))
      return QCC_MODEL_ERROR_NULL;
  }
  return run_batch(batch, inputs, outputs);
}

QCC_EXPORT int qcc_model_run(qcc_model *model, int64_t batch,
                             const void *const *inputs, void *const *outputs) {
  /* The sizes the batch needs (0 where they overflow: the checked run
   * reports it), which the caller's buffers are trusted to have. */
  size_t sizes[NUM_TENSORS + 1];
  for (int k = 0; k < NUM_TENSORS; ++k)
    if (batch < 1 || tensor_bytes(k, batch, &sizes[k]))
      sizes[k] = 0;
  return qcc_model_run_checked(model, batch, inputs, sizes, outputs,
                               sizes + NUM_INPUTS) == QCC_MODEL_OK
             ? 0
             : -1;
}

QCC_EXPORT const char *qcc_model_error_string(int code) {
  switch (code) {
  case QCC_MODEL_OK:
    return "success";
  case QCC_MODEL_ERROR_NULL:
    return "a NULL model, buffer array, size array or buffer";
  case QCC_MODEL_ERROR_HANDLE:
    return "the model is not live (destroyed, or not from qcc_model_create)";
  case QCC_MODEL_ERROR_BATCH:
    return "the batch is below 1, or not 1 for a model without a batch "
           "dimension";
  case QCC_MODEL_ERROR_OVERFLOW:
    return "the buffer sizes of this batch overflow size_t";
  case QCC_MODEL_ERROR_SIZE:
    return "a buffer size differs from the size the batch needs";
  case QCC_MODEL_ERROR_DEVICE: {
    const char *why = qcc_device_run_error ? qcc_device_run_error() : NULL;
    return why ? why : "the GPU failed";
  }
  }
  return "unknown error code";
}
