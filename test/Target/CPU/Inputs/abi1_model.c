/* A hand-written library with version 1 of the C API (no checked run):
 * y = 2 * x for x of shape [N, 6]. Built with -DABI=4 it claims a version
 * qcc does not know. */
#include <stdint.h>
#include <stdlib.h>

#ifndef ABI
#define ABI 1
#endif
#define EXPORT __attribute__((visibility("default")))

static const int64_t shape[] = {-1, 6};

EXPORT int qcc_model_abi_version(void) { return ABI; }
EXPORT int qcc_model_num_inputs(void) { return 1; }
EXPORT int qcc_model_num_outputs(void) { return 1; }
EXPORT const char *qcc_model_input_name(int i) { return i == 0 ? "x" : 0; }
EXPORT const char *qcc_model_output_name(int i) { return i == 0 ? "y" : 0; }
EXPORT int qcc_model_input_rank(int i) { return i == 0 ? 2 : -1; }
EXPORT int qcc_model_output_rank(int i) { return i == 0 ? 2 : -1; }
EXPORT const int64_t *qcc_model_input_shape(int i) { return i == 0 ? shape : 0; }
EXPORT const int64_t *qcc_model_output_shape(int i) {
  return i == 0 ? shape : 0;
}
EXPORT const char *qcc_model_input_dtype(int i) {
  return i == 0 ? "float32" : 0;
}
EXPORT const char *qcc_model_output_dtype(int i) {
  return i == 0 ? "float32" : 0;
}
EXPORT const char *qcc_model_provenance(void) { return "{}"; }
EXPORT void *qcc_model_create(void) { return malloc(1); }
EXPORT void qcc_model_destroy(void *model) { free(model); }
EXPORT int qcc_model_run(void *model, int64_t batch, const void *const *inputs,
                         void *const *outputs) {
  if (!model || batch < 1 || !inputs || !outputs)
    return -1;
  for (int64_t i = 0; i < batch * 6; ++i)
    ((float *)outputs[0])[i] = 2 * ((const float *)inputs[0])[i];
  return 0;
}
