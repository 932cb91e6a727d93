// RUN: qopt %s -split-input-file -qcc-cpu-approximate-float-math | FileCheck %s

// f32 exp, tanh and erf become arithmetic (range reduction and a
// polynomial), their fused multiply-adds and floors LLVM's intrinsics (not
// libm's fmaf and floorf); a double-precision exp (an integer model's float
// island, computed as the interpreter does) is left to libm.
// CHECK-LABEL: func.func @activations
// CHECK-NOT: math.exp %{{.*}} : f32
// CHECK-NOT: math.tanh
// CHECK-NOT: math.erf
// CHECK-NOT: math.fma
// CHECK-NOT: math.floor
// CHECK-DAG: llvm.intr.fma
// CHECK-DAG: llvm.intr.floor
// CHECK: math.exp %{{.*}} : f64
func.func @activations(%x: f32, %d: f64) -> (f32, f32, f32, f64) {
  %e = math.exp %x : f32
  %t = math.tanh %x : f32
  %r = math.erf %x : f32
  %w = math.exp %d : f64
  return %e, %t, %r, %w : f32, f32, f32, f64
}
