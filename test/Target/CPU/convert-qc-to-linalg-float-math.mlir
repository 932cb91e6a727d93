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

// Softmax and layer normalization: in double by default (a float island's,
// the interpreter's sums rounded once); with single-float-math in f32, the
// sums' adds free to reassociate (so that they vectorize) and exp computed
// once per element.
// INTERPRETER-LABEL: func.func @softmax
// INTERPRETER: math.exp %{{.*}} : f64
// INTERPRETER: arith.addf %{{.*}}, %{{.*}} : f64
// INTERPRETER: arith.truncf %{{.*}} : f64 to f32
// SINGLE-LABEL: func.func @softmax
// SINGLE-NOT: f64
// SINGLE: math.exp %{{.*}} : f32
// SINGLE-NOT: f64
// SINGLE: arith.addf %{{.*}}, %{{.*}} fastmath<reassoc> : f32
// SINGLE-NOT: math.exp
// SINGLE: arith.divf %{{.*}}, %{{.*}} : f32
// SINGLE-NOT: math.exp
// SINGLE: return
func.func @softmax(%x: tensor<2x5xf32>) -> tensor<2x5xf32> {
  %y = qc.softmax %x {axis = 1 : i64} : tensor<2x5xf32>
  return %y : tensor<2x5xf32>
}

// INTERPRETER-LABEL: func.func @layer_norm
// INTERPRETER: math.sqrt %{{.*}} : f64
// INTERPRETER: arith.truncf %{{.*}} : f64 to f32
// SINGLE-LABEL: func.func @layer_norm
// SINGLE-NOT: f64
// SINGLE: arith.addf %{{.*}}, %{{.*}} fastmath<reassoc> : f32
// SINGLE: arith.addf %{{.*}}, %{{.*}} fastmath<reassoc> : f32
// SINGLE: math.sqrt %{{.*}} : f32
// SINGLE-NOT: f64
// SINGLE: return
func.func @layer_norm(%x: tensor<2x3x4xf32>, %s: tensor<4xf32>, %b: tensor<4xf32>) -> tensor<2x3x4xf32> {
  %0 = qc.layer_norm %x, %s, %b {axis = 2 : i64, epsilon = 1.0e-5 : f32} : (tensor<2x3x4xf32>, tensor<4xf32>, tensor<4xf32>) -> tensor<2x3x4xf32>
  return %0 : tensor<2x3x4xf32>
}
