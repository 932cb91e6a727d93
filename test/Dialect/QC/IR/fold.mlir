// RUN: qopt %s -split-input-file -canonicalize | FileCheck %s

// A reshape to its input's type, and the identity transpose, are the input.
// CHECK-LABEL: func @identity
// CHECK-NOT: qc.
// CHECK: return %arg0, %arg0
func.func @identity(%x: tensor<?x4xf32>) -> (tensor<?x4xf32>, tensor<?x4xf32>) {
  %r = qc.reshape %x : tensor<?x4xf32> -> tensor<?x4xf32>
  %t = qc.transpose %x {perm = array<i64: 0, 1>} : tensor<?x4xf32> -> tensor<?x4xf32>
  return %r, %t : tensor<?x4xf32>, tensor<?x4xf32>
}

// -----

// A reshape of a reshape reads the first one's input.
// CHECK-LABEL: func @reshape_of_reshape
// CHECK-NEXT: %[[R:.*]] = qc.reshape %arg0 : tensor<2x3x4xf32> -> tensor<24xf32>
// CHECK-NEXT: return %[[R]]
func.func @reshape_of_reshape(%x: tensor<2x3x4xf32>) -> tensor<24xf32> {
  %a = qc.reshape %x : tensor<2x3x4xf32> -> tensor<6x4xf32>
  %b = qc.reshape %a : tensor<6x4xf32> -> tensor<24xf32>
  return %b : tensor<24xf32>
}

// -----

// Constants: reshaped and permuted at compile time.
// CHECK-LABEL: func @constants
// CHECK-DAG: arith.constant dense<{{\[\[}}1, 2, 3], [4, 5, 6]]> : tensor<2x3xi8>
// CHECK-DAG: arith.constant dense<{{\[\[}}1.000000e+00, 4.000000e+00], [2.000000e+00, 5.000000e+00], [3.000000e+00, 6.000000e+00]]> : tensor<3x2xf32>
// CHECK-DAG: arith.constant dense<7> : tensor<3x2xi32>
// CHECK-NOT: qc.
func.func @constants() -> (tensor<2x3xi8>, tensor<3x2xf32>, tensor<3x2xi32>) {
  %c = arith.constant dense<[1, 2, 3, 4, 5, 6]> : tensor<6xi8>
  %r = qc.reshape %c : tensor<6xi8> -> tensor<2x3xi8>
  %f = arith.constant dense<[[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]> : tensor<2x3xf32>
  %t = qc.transpose %f {perm = array<i64: 1, 0>} : tensor<2x3xf32> -> tensor<3x2xf32>
  %s = arith.constant dense<7> : tensor<2x3xi32>
  %u = qc.transpose %s {perm = array<i64: 1, 0>} : tensor<2x3xi32> -> tensor<3x2xi32>
  return %r, %t, %u : tensor<2x3xi8>, tensor<3x2xf32>, tensor<3x2xi32>
}

// -----

// A rank-3 permutation of a constant.
// CHECK-LABEL: func @transpose_rank3
// CHECK: arith.constant dense<{{\[\[\[}}0, 3], [1, 4], [2, 5]], {{\[\[}}6, 9], [7, 10], [8, 11]]]> : tensor<2x3x2xi16>
func.func @transpose_rank3() -> tensor<2x3x2xi16> {
  %c = arith.constant dense<[[[0, 1, 2], [3, 4, 5]], [[6, 7, 8], [9, 10, 11]]]> : tensor<2x2x3xi16>
  %t = qc.transpose %c {perm = array<i64: 0, 2, 1>} : tensor<2x2x3xi16> -> tensor<2x3x2xi16>
  return %t : tensor<2x3x2xi16>
}

// -----

// A dynamic result shape, or a non-constant input, stays.
// CHECK-LABEL: func @stays
// CHECK: qc.reshape
// CHECK: qc.transpose
func.func @stays(%x: tensor<?x6xf32>) -> (tensor<?x2x3xf32>, tensor<6x?xf32>) {
  %r = qc.reshape %x : tensor<?x6xf32> -> tensor<?x2x3xf32>
  %t = qc.transpose %x {perm = array<i64: 1, 0>} : tensor<?x6xf32> -> tensor<6x?xf32>
  return %r, %t : tensor<?x2x3xf32>, tensor<6x?xf32>
}
