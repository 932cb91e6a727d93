/* qcc_model_run_checked (ABI 2) from C, on any compiled model: runs a batch
 * of 2 on deterministic inputs, writes the inputs and outputs as .npy files
 * into the directory argv[1] (for comparison with qcc run), then passes
 * wrong sizes, batches, NULLs and dead handles, printing each result. */
#include "model.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { BATCH = 2, MAX_TENSORS = 16 };

static size_t num_elements(const int64_t *shape, int rank, int64_t batch) {
  size_t n = 1;
  for (int d = 0; d < rank; ++d)
    n *= shape[d] < 0 ? (size_t)batch : (size_t)shape[d];
  return n;
}

/* A float32 .npy file of `rank` dimensions (-1: BATCH). */
static void write_npy(const char *dir, const char *name, const int64_t *shape,
                      int rank, const float *data) {
  char path[4096], header[256];
  snprintf(path, sizeof path, "%s/%s.npy", dir, name);
  int len = snprintf(header, sizeof header,
                     "{'descr': '<f4', 'fortran_order': False, 'shape': (");
  for (int d = 0; d < rank; ++d)
    len += snprintf(header + len, sizeof header - len, "%lld,%s",
                    (long long)(shape[d] < 0 ? BATCH : shape[d]),
                    d + 1 < rank ? " " : "");
  len += snprintf(header + len, sizeof header - len, "), }");
  while ((10 + len + 1) % 64)
    header[len++] = ' ';
  header[len++] = '\n';
  FILE *f = fopen(path, "wb");
  const unsigned char preamble[] = {0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0,
                                    (unsigned char)len, 0};
  fwrite(preamble, 1, sizeof preamble, f);
  fwrite(header, 1, len, f);
  fwrite(data, sizeof(float), num_elements(shape, rank, BATCH), f);
  fclose(f);
}

int main(int argc, char **argv) {
  if (argc != 2)
    return 2;
  const int ni = qcc_model_num_inputs(), no = qcc_model_num_outputs();
  if (ni > MAX_TENSORS || no > MAX_TENSORS)
    return 2;
  printf("abi %d\n", qcc_model_abi_version());
  const char *cpu_error = qcc_model_cpu_error();
  printf("cpu error: %s\n", cpu_error ? cpu_error : "none");
  printf("cpu tier: %s\n", qcc_model_cpu_tier());
  printf("code version: %s\n", qcc_model_cpu_code_version());
  const void *inputs[MAX_TENSORS];
  void *outputs[MAX_TENSORS];
  size_t in_sizes[MAX_TENSORS], out_sizes[MAX_TENSORS];
  for (int i = 0; i < ni; ++i) {
    size_t n = num_elements(qcc_model_input_shape(i), qcc_model_input_rank(i),
                            BATCH);
    float *x = malloc(n * sizeof(float));
    for (size_t j = 0; j < n; ++j)
      x[j] = (float)((int)(j * 7 % 13) - 6) * 0.75f;
    inputs[i] = x;
    in_sizes[i] = n * sizeof(float);
    write_npy(argv[1], "in", qcc_model_input_shape(i), qcc_model_input_rank(i),
              x);
  }
  for (int i = 0; i < no; ++i) {
    out_sizes[i] = num_elements(qcc_model_output_shape(i),
                                qcc_model_output_rank(i), BATCH) *
                   sizeof(float);
    outputs[i] = malloc(out_sizes[i]);
  }

  qcc_model *model = qcc_model_create();
  printf("run: %d\n", qcc_model_run_checked(model, BATCH, inputs, in_sizes,
                                            outputs, out_sizes));
  for (int i = 0; i < no; ++i) {
    char name[32];
    snprintf(name, sizeof name, "output_%d", i);
    write_npy(argv[1], name, qcc_model_output_shape(i),
              qcc_model_output_rank(i), outputs[i]);
  }

  /* Wrong sizes: nothing is written. */
  const int last = no - 1;
  memset(outputs[last], 0x7f, out_sizes[last]);
  out_sizes[last] -= sizeof(float);
  printf("short output: %d\n", qcc_model_run_checked(model, BATCH, inputs,
                                                     in_sizes, outputs,
                                                     out_sizes));
  out_sizes[last] += 2 * sizeof(float);
  printf("long output: %d\n", qcc_model_run_checked(model, BATCH, inputs,
                                                    in_sizes, outputs,
                                                    out_sizes));
  out_sizes[last] -= sizeof(float);
  int untouched = 1;
  for (size_t j = 0; j < out_sizes[last]; ++j)
    untouched &= ((unsigned char *)outputs[last])[j] == 0x7f;
  printf("untouched: %d\n", untouched);
  in_sizes[0] -= 1;
  printf("short input: %d\n", qcc_model_run_checked(model, BATCH, inputs,
                                                    in_sizes, outputs,
                                                    out_sizes));
  in_sizes[0] += 1;
  printf("batch 3: %d\n", qcc_model_run_checked(model, 3, inputs, in_sizes,
                                                outputs, out_sizes));
  printf("batch 2^40: %d\n",
         qcc_model_run_checked(model, (int64_t)1 << 40, inputs, in_sizes,
                               outputs, out_sizes));
  printf("batch INT64_MAX: %d\n",
         qcc_model_run_checked(model, INT64_MAX, inputs, in_sizes, outputs,
                               out_sizes));
  printf("batch 0: %d\n", qcc_model_run_checked(model, 0, inputs, in_sizes,
                                                outputs, out_sizes));
  printf("batch -1: %d\n", qcc_model_run_checked(model, -1, inputs, in_sizes,
                                                 outputs, out_sizes));

  /* NULLs. */
  printf("null model: %d\n", qcc_model_run_checked(NULL, BATCH, inputs,
                                                   in_sizes, outputs,
                                                   out_sizes));
  printf("null inputs: %d\n", qcc_model_run_checked(model, BATCH, NULL,
                                                    in_sizes, outputs,
                                                    out_sizes));
  printf("null input sizes: %d\n", qcc_model_run_checked(model, BATCH, inputs,
                                                         NULL, outputs,
                                                         out_sizes));
  printf("null output sizes: %d\n",
         qcc_model_run_checked(model, BATCH, inputs, in_sizes, outputs, NULL));
  void *saved = outputs[last];
  outputs[last] = NULL;
  printf("null output: %d\n", qcc_model_run_checked(model, BATCH, inputs,
                                                    in_sizes, outputs,
                                                    out_sizes));
  outputs[last] = saved;

  /* The legacy entry point still runs, unchecked. */
  printf("legacy run: %d\n", qcc_model_run(model, BATCH, inputs, outputs));
  printf("legacy batch 0: %d\n", qcc_model_run(model, 0, inputs, outputs));

  /* Dead handles: errors, never a crash. */
  qcc_model_destroy(model);
  printf("run after destroy: %d\n",
         qcc_model_run_checked(model, BATCH, inputs, in_sizes, outputs,
                               out_sizes));
  printf("legacy run after destroy: %d\n",
         qcc_model_run(model, BATCH, inputs, outputs));
  qcc_model_destroy(model);
  qcc_model_destroy(NULL);
  printf("destroyed twice\n");
  /* A new model may take the old one's slot: the old handle stays dead. */
  qcc_model *other = qcc_model_create();
  printf("new model: %d, old handle: %d\n",
         qcc_model_run_checked(other, BATCH, inputs, in_sizes, outputs,
                               out_sizes),
         qcc_model_run_checked(model, BATCH, inputs, in_sizes, outputs,
                               out_sizes));
  qcc_model_destroy(model);
  printf("new model after old destroy: %d\n",
         qcc_model_run_checked(other, BATCH, inputs, in_sizes, outputs,
                               out_sizes));
  printf("made-up handle: %d\n",
         qcc_model_run_checked((qcc_model *)(uintptr_t)0x1234, BATCH, inputs,
                               in_sizes, outputs, out_sizes));
  qcc_model_destroy((qcc_model *)(uintptr_t)0x1234);
  qcc_model_destroy(other);

  for (int code = 0; code >= -7; --code)
    printf("error %d: %s\n", code, qcc_model_error_string(code));
  for (int i = 0; i < ni; ++i)
    free((void *)inputs[i]);
  for (int i = 0; i < no; ++i)
    free(outputs[i]);
  return 0;
}
