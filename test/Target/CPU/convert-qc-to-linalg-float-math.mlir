// RUN: qopt %s -qcc-cpu-convert-qc-to-linalg | FileCheck %s --check-prefix=INTERPRETER
// RUN: qopt %s -qcc-cpu-convert-qc-to-linalg=single-float-math=true | FileCheck %s --check-prefix=SINGLE

// Float activations: by default as the reference interpreter computes
// them (double precision, libm, rounded to f32 once: bit-exact, what an
// integer model's float islands need); with single-float-math (qcc compile
// --float) the same formula in f32, which qcc-cpu-approximate-float-math
// then approximates.
// INTERPRETER-LABEL: func.func @silu
// INTERPRETER: arith.extf %{{.*}} : f32 to f64
// INTERPRETER: math.exp %{{.*}} : f64
// INTERPRETER: arith.truncf %{{.*}} : f64 to f32
// (Binary arithmetic computes in double either way: for f32 operands it is
// exact, rounded once, and LLVM narrows it back to f32.)
// SINGLE-LABEL: func.func @silu
// SINGLE: linalg.generic
// SINGLE-NOT: arith.extf
// SINGLE: math.exp %{{.*}} : f32
// SINGLE-NOT: arith.truncf
// SINGLE: linalg.yield
func.func @silu(%x: tensor<8xf32>) -> tensor<8xf32> {
  %s = qc.sigmoid %x : tensor<8xf32>
  %y = qc.mul %x, %s : (tensor<8xf32>, tensor<8xf32>) -> tensor<8xf32>
  return %y : tensor<8xf32>
}
