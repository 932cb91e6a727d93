// RUN: qopt %s --qcc-gpu-merge-kernel-modules | FileCheck %s

// Both kernels end up in the first module; the second, whose name clashed,
// takes its old module's name, and the launches follow. The global both
// modules hold (outlining copies it into each) is kept once.
// CHECK:     gpu.launch_func @k::@k blocks
// CHECK:     gpu.launch_func @k::@k_0 blocks
// CHECK:     gpu.module @k {
// CHECK:       memref.global "private" constant @w
// CHECK:       gpu.func @k(
// CHECK-NOT:   memref.global
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
    memref.global "private" constant @w : memref<2xi8> = dense<[1, 2]>
    gpu.func @k() kernel {
      %w = memref.get_global @w : memref<2xi8>
      gpu.return
    }
  }
  gpu.module @k_0 {
    memref.global "private" constant @w : memref<2xi8> = dense<[1, 2]>
    gpu.func @k() kernel {
      %w = memref.get_global @w : memref<2xi8>
      gpu.return
    }
  }
}
