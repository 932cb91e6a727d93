/* A C program using a compiled model through model.h, as a user would
 * (with the unchecked qcc_model_run of ABI 1, which version 2 keeps):
 * prints the signature, runs a batch of 3 zero images, checks errors. */
#include "model.h"

#include <stdio.h>
#include <stdlib.h>

int main(void) {
  printf("abi %d inputs %d outputs %d\n", qcc_model_abi_version(),
         qcc_model_num_inputs(), qcc_model_num_outputs());
  for (int i = 0; i < qcc_model_num_inputs(); ++i) {
    printf("input %s %s [", qcc_model_input_name(i), qcc_model_input_dtype(i));
    for (int d = 0; d < qcc_model_input_rank(i); ++d)
      printf("%s%lld", d ? ", " : "", (long long)qcc_model_input_shape(i)[d]);
    printf("]\n");
  }
  printf("output %s rank %d\n", qcc_model_output_name(0),
         qcc_model_output_rank(0));
  printf("out of range: %p %d\n", (const void *)qcc_model_input_name(5),
         qcc_model_input_rank(-1));
  qcc_model *model = qcc_model_create();
  float *x = calloc(3 * 64, sizeof(float));
  float *y = calloc(3 * 10, sizeof(float));
  const void *inputs[] = {x};
  void *outputs[] = {y};
  printf("run: %d\n", qcc_model_run(model, 3, inputs, outputs));
  /* The three zero images give the same logits. */
  int same = 1;
  for (int j = 0; j < 10; ++j)
    same &= y[j] == y[10 + j] && y[j] == y[20 + j];
  printf("rows equal: %d\n", same);
  printf("batch 0: %d\n", qcc_model_run(model, 0, inputs, outputs));
  printf("null input: %d\n", qcc_model_run(model, 1, NULL, outputs));
  qcc_model_destroy(model);
  free(x);
  free(y);
  return 0;
}
