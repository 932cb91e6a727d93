// RUN: qopt %s -split-input-file -qc-equalize | FileCheck %s

// r1 = {4, 1}, r2 = {1, 4}: s = sqrt(r1 / r2) = {2, 0.5}. conv1's channels
// (and bias) are divided by s, conv2's input channels multiplied: both
// ranges become {2, 2}.
// CHECK-LABEL: func @pair
// CHECK: %[[W1:.*]] = arith.constant dense<2.000000e+00> : tensor<2x1x1x1xf32>
// CHECK: %[[B1:.*]] = arith.constant dense<[1.000000e+00, 2.000000e+00]> : tensor<2xf32>
// CHECK: qc.conv %arg0, %[[W1]], %[[B1]]
// CHECK: qc.relu
// CHECK: qc.max_pool
// CHECK: %[[W2:.*]] = arith.constant dense<2.000000e+00> : tensor<1x2x1x1xf32>
// CHECK: qc.conv %{{.*}}, %[[W2]]
func.func @pair(%x: tensor<1x1x4x4xf32>) -> tensor<1x1x2x2xf32> {
  %w1 = arith.constant dense<[[[[4.0]]], [[[1.0]]]]> : tensor<2x1x1x1xf32>
  %b1 = arith.constant dense<[2.0, 1.0]> : tensor<2xf32>
  %0 = qc.conv %x, %w1, %b1 {dilations = array<i64: 1, 1>, group = 1 : i64, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>} : (tensor<1x1x4x4xf32>, tensor<2x1x1x1xf32>, tensor<2xf32>) -> tensor<1x2x4x4xf32>
  %1 = qc.relu %0 : tensor<1x2x4x4xf32>
  %2 = qc.max_pool %1 {ceil_mode = false, dilations = array<i64: 1, 1>, kernel_shape = array<i64: 2, 2>, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 2, 2>} : tensor<1x2x4x4xf32> -> tensor<1x2x2x2xf32>
  %w2 = arith.constant dense<[[[[1.0]], [[4.0]]]]> : tensor<1x2x1x1xf32>
  %3 = qc.conv %2, %w2 {dilations = array<i64: 1, 1>, group = 1 : i64, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>} : (tensor<1x2x2x2xf32>, tensor<1x2x1x1xf32>) -> tensor<1x1x2x2xf32>
  return %3 : tensor<1x1x2x2xf32>
}

// -----

// Not through a sigmoid (it does not commute with scaling), nor when the
// intermediate value has another user.
// CHECK-LABEL: func @blocked
// CHECK-DAG: arith.constant dense<{{\[\[\[\[}}4.000000e+00]]], {{\[\[\[}}1.000000e+00]]]]> : tensor<2x1x1x1xf32>
// CHECK-DAG: arith.constant dense<{{\[\[\[\[}}1.000000e+00]], {{\[\[}}4.000000e+00]]]]> : tensor<1x2x1x1xf32>
func.func @blocked(%x: tensor<1x1x4x4xf32>) -> (tensor<1x1x4x4xf32>, tensor<1x2x4x4xf32>) {
  %w1 = arith.constant dense<[[[[4.0]]], [[[1.0]]]]> : tensor<2x1x1x1xf32>
  %0 = qc.conv %x, %w1 {dilations = array<i64: 1, 1>, group = 1 : i64, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>} : (tensor<1x1x4x4xf32>, tensor<2x1x1x1xf32>) -> tensor<1x2x4x4xf32>
  %1 = qc.relu %0 : tensor<1x2x4x4xf32>
  %w2 = arith.constant dense<[[[[1.0]], [[4.0]]]]> : tensor<1x2x1x1xf32>
  %2 = qc.conv %1, %w2 {dilations = array<i64: 1, 1>, group = 1 : i64, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>} : (tensor<1x2x4x4xf32>, tensor<1x2x1x1xf32>) -> tensor<1x1x4x4xf32>
  return %2, %1 : tensor<1x1x4x4xf32>, tensor<1x2x4x4xf32>
}
