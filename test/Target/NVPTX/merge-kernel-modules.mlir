// RUN: qopt %s --qcc-gpu-merge-kernel-modules | FileCheck %s

// Both kernels end up in the first module; the second, whose name clashed,
// takes its old module's name, and the launches follow.
// CHECK:     gpu.launch_func @k::@k blocks
// CHECK:     gpu.launch_func @k::@k_0 blocks
// CHECK:     gpu.module @k {
// CHECK:       gpu.func @k(
// CHECK:       gpu.func @k_0(
// CHECK:     }
// CHECK-NOT: gpu.module
module attributes {gpu.container_module} {
  func.func @entry() {
    %c1 = arith.constant 1 : index
    gpu.launch_func @k::@k blocks in (%c1, %c1, %c1) threads in (%c1, %c1, %c1)
    gpu.launch_func @k_0::@k blocks in (%c1, %c1, %c1) threads in (%c1, %c1, %c1)
    return
  }
  gpu.module @k {
    gpu.func @k() kernel {
      gpu.return
    }
  }
  gpu.module @k_0 {
    gpu.func @k() kernel {
      gpu.return
    }
  }
}
