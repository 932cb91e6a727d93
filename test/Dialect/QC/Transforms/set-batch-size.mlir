// RUN: qopt %s -split-input-file -verify-diagnostics -qc-set-batch-size | FileCheck %s
// RUN: qopt %s -split-input-file -verify-diagnostics -qc-set-batch-size=batch-size=4 | FileCheck %s --check-prefix=FOUR

// The dynamic batch becomes static in the signature and every value.
// CHECK-LABEL: func @batch(%arg0: tensor<1x3xf32>) -> tensor<1x3xf32>
// CHECK: qc.relu %arg0 : tensor<1x3xf32>
// FOUR-LABEL: func @batch(%arg0: tensor<4x3xf32>) -> tensor<4x3xf32>
func.func @batch(%x: tensor<?x3xf32>) -> tensor<?x3xf32> {
  %0 = qc.relu %x : tensor<?x3xf32>
  return %0 : tensor<?x3xf32>
}

// -----

// Only dimension 0 may be dynamic.
func.func @other(%x: tensor<2x?xf32>) -> tensor<2x?xf32> {
  // expected-error @-1 {{qc-set-batch-size: 'tensor<2x?xf32>' has a dynamic dimension other than the batch (0)}}
  return %x : tensor<2x?xf32>
}

// -----

// A transformer moves the batch to dimension 1 and derives sizes from it
// (batch * heads): each value's shape follows from its operands'. A static
// qc.expand takes no sizes; the tensor.dim it read is gone.
// FOUR-LABEL: func @heads(%arg0: tensor<4x5x6xf32>) -> tensor<4x6x6xf32>
// FOUR-NOT: tensor.dim
// FOUR: qc.expand %{{.*}} : tensor<1x1x6xf32> -> tensor<4x1x6xf32>
// FOUR: qc.concat {{.*}} -> tensor<4x6x6xf32>
// FOUR: qc.transpose {{.*}} -> tensor<6x4x6xf32>
// FOUR: qc.reshape {{.*}} : tensor<6x4x6xf32> -> tensor<6x8x3xf32>
// FOUR: qc.matmul {{.*}} -> tensor<8x6x6xf32>
// FOUR: qc.reshape {{.*}} : tensor<6x8x3xf32> -> tensor<6x4x6xf32>
// FOUR: qc.gemm {{.*}} -> tensor<24x6xf32>
// FOUR: qc.reshape {{.*}} : tensor<24x6xf32> -> tensor<4x6x6xf32>
func.func @heads(%x: tensor<?x5x6xf32>) -> tensor<?x6x6xf32> {
  %token = arith.constant dense<1.0> : tensor<1x1x6xf32>
  %c0 = arith.constant 0 : index
  %n = tensor.dim %x, %c0 : tensor<?x5x6xf32>
  %tokens = qc.expand %token[%n] : tensor<1x1x6xf32> -> tensor<?x1x6xf32>
  %seq = qc.concat %tokens, %x {axis = 1 : i64} : (tensor<?x1x6xf32>, tensor<?x5x6xf32>) -> tensor<?x6x6xf32>
  %t = qc.transpose %seq {perm = array<i64: 1, 0, 2>} : tensor<?x6x6xf32> -> tensor<6x?x6xf32>
  %h = qc.reshape %t : tensor<6x?x6xf32> -> tensor<6x?x3xf32>
  %b = qc.transpose %h {perm = array<i64: 1, 0, 2>} : tensor<6x?x3xf32> -> tensor<?x6x3xf32>
  %bt = qc.transpose %h {perm = array<i64: 1, 2, 0>} : tensor<6x?x3xf32> -> tensor<?x3x6xf32>
  %s = qc.matmul %b, %bt : (tensor<?x6x3xf32>, tensor<?x3x6xf32>) -> tensor<?x6x6xf32>
  %a = qc.softmax %s {axis = 2 : i64} : tensor<?x6x6xf32>
  %o = qc.matmul %a, %b : (tensor<?x6x6xf32>, tensor<?x6x3xf32>) -> tensor<?x6x3xf32>
  %ot = qc.transpose %o {perm = array<i64: 1, 0, 2>} : tensor<?x6x3xf32> -> tensor<6x?x3xf32>
  %m = qc.reshape %ot : tensor<6x?x3xf32> -> tensor<6x?x6xf32>
  %flat = qc.reshape %m : tensor<6x?x6xf32> -> tensor<?x6xf32>
  %w = arith.constant dense<0.5> : tensor<6x6xf32>
  %g = qc.gemm %flat, %w {alpha = 1.0 : f32, beta = 1.0 : f32, trans_a = false, trans_b = true} : (tensor<?x6xf32>, tensor<6x6xf32>) -> tensor<?x6xf32>
  %y = qc.reshape %g : tensor<?x6xf32> -> tensor<?x6x6xf32>
  return %y : tensor<?x6x6xf32>
}
