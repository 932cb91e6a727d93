/* model.h: the C API of a model compiled by qcc (ABI version 3).
 *
 * A compiled model is a shared library exporting these functions. Inputs
 * and outputs are dense row-major arrays of the dtypes the library reports
 * (NumPy's names: "float32" for a float model; "bool", "int8" ... "int64",
 * "uint8" ... "uint64", "float16", "float64" where the graph has them); a
 * shape entry of -1 is the batch dimension, chosen per call. All functions are thread-safe; a
 * model object may run on several threads at once.
 *
 * Version 2 added qcc_model_run_checked (buffer sizes are checked) and
 * qcc_model_error_string, and made handles safe to pass after
 * qcc_model_destroy (an error, not undefined behaviour). Version 3 added
 * qcc_model_cpu_error, qcc_model_cpu_tier and qcc_model_cpu_code_version:
 * a library built for an instruction set (qcc compile --cpu) refuses to
 * run on a CPU without it.
 */
#ifndef QCC_MODEL_H
#define QCC_MODEL_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define QCC_MODEL_ABI_VERSION 3

/* Results of qcc_model_run_checked. */
#define QCC_MODEL_OK 0
/* A NULL model, or a NULL array of buffers, array of sizes or buffer that
 * the model needs. */
#define QCC_MODEL_ERROR_NULL (-1)
/* The model is not live: destroyed, or not from qcc_model_create. */
#define QCC_MODEL_ERROR_HANDLE (-2)
/* The batch is below 1, or not 1 for a model without a batch dimension. */
#define QCC_MODEL_ERROR_BATCH (-3)
/* The size of a buffer for this batch does not fit in size_t. */
#define QCC_MODEL_ERROR_OVERFLOW (-4)
/* A buffer size differs from the size the batch needs. */
#define QCC_MODEL_ERROR_SIZE (-5)
/* A GPU model's device failed during the run (an allocation, a copy or a
 * kernel); qcc_model_error_string(QCC_MODEL_ERROR_DEVICE) says what, for
 * the calling thread's last run. The outputs may be partly written. */
#define QCC_MODEL_ERROR_DEVICE (-6)

typedef struct qcc_model qcc_model;

/* QCC_MODEL_ABI_VERSION of the library. */
int qcc_model_abi_version(void);

int qcc_model_num_inputs(void);
int qcc_model_num_outputs(void);
/* Names (the ONNX graph's), ranks, shapes and NumPy dtype names ("float32")
 * of input/output i; NULL or -1 when i is out of range. */
const char *qcc_model_input_name(int i);
const char *qcc_model_output_name(int i);
int qcc_model_input_rank(int i);
int qcc_model_output_rank(int i);
const int64_t *qcc_model_input_shape(int i);
const int64_t *qcc_model_output_shape(int i);
const char *qcc_model_input_dtype(int i);
const char *qcc_model_output_dtype(int i);

/* JSON: qcc version, hashes of the source model and calibration data, and
 * the options it was compiled with. */
const char *qcc_model_provenance(void);

/* NULL when this CPU has the instruction-set features the library was
 * built for (qcc compile --cpu, recorded in the provenance) and, for a GPU
 * model (qcc compile --target nvptx), the CUDA driver loaded, found a GPU
 * and compiled the kernels for it; else why not, naming the features it
 * lacks or the step that failed. */
const char *qcc_model_cpu_error(void);

/* The ISA tier the micro-kernels run on this CPU: "amx", "avx512vnni",
 * "avxvnni", "avx2" or "generic" (the best the CPU has, or the lower one
 * the environment variable QCC_CPU_TIER names). Integer outputs are the
 * same on every tier. */
const char *qcc_model_cpu_tier(void);

/* Which copy of the model's code runs: a portable library carries one per
 * x86-64 level ("x86-64-v4", "x86-64-v3", else its --cpu value) and runs
 * the highest the CPU has and the tier allows (QCC_CPU_TIER=generic: the
 * baseline; avx2, avxvnni: x86-64-v3). */
const char *qcc_model_cpu_code_version(void);

/* A new model handle, or NULL when out of memory or when this CPU lacks
 * the library's instruction set (qcc_model_cpu_error). */
qcc_model *qcc_model_create(void);

/* Runs the model on `batch` samples: inputs[i] and outputs[i] point to
 * caller-owned buffers of input_sizes[i] and output_sizes[i] bytes, each
 * exactly `batch` times the bytes of one sample of the shapes above (the
 * product of the shape, -1 taken as `batch`, times the dtype's size). The arrays of a kind
 * the model has none of may be NULL, and so may the buffer of a tensor of
 * no elements. Returns QCC_MODEL_OK, or one of the QCC_MODEL_ERROR_* codes
 * without touching any buffer (except QCC_MODEL_ERROR_DEVICE). */
int qcc_model_run_checked(qcc_model *model, int64_t batch,
                          const void *const *inputs,
                          const size_t *input_sizes, void *const *outputs,
                          const size_t *output_sizes);

/* Legacy (ABI 1), unchecked: as qcc_model_run_checked with the sizes the
 * batch needs, which the buffers are trusted to have; a short buffer is
 * undefined behaviour. Returns 0, or -1 on any error. */
int qcc_model_run(qcc_model *model, int64_t batch, const void *const *inputs,
                  void *const *outputs);

/* A short English description of a qcc_model_run_checked result. */
const char *qcc_model_error_string(int code);

/* Ends a model. A handle that is not live (NULL, already destroyed) is
 * ignored: destroying twice is harmless. */
void qcc_model_destroy(qcc_model *model);

#ifdef __cplusplus
}
#endif

#endif /* QCC_MODEL_H */
