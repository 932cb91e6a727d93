// What check_synthesizable.py rejects (synthesizable.test).
#include <vector>
#include <stdlib.h>

static void qcc_model_layer0(int a0[4]) {
  int *p = new int[4];
  int *q = (int *)malloc(16);
  std::vector<int> v(4);
  qcc_model_layer0(a0);
}
