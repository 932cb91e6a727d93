// RUN: qopt %s -split-input-file -qc-fold-batch-norm | FileCheck %s

// k = scale / sqrt(var + eps) = {2/sqrt(4), 3/sqrt(9)} = {1, 1}... use
// var + eps = 4 and 0.25: k = {1.0, 6.0}; W' = W * k per output channel;
// b' = (b - mean) * k + bias.
// CHECK-LABEL: func @conv_bn
// CHECK-DAG: %[[W:.*]] = arith.constant dense<{{\[\[\[\[}}1.000000e+00]]], {{\[\[\[}}1.200000e+01]]]]> : tensor<2x1x1x1xf32>
// CHECK-DAG: %[[B:.*]] = arith.constant dense<[1.500000e+00, -7.000000e+00]> : tensor<2xf32>
// CHECK: %[[C:.*]] = qc.conv %arg0, %[[W]], %[[B]]
// CHECK-NOT: qc.batch_norm
// CHECK: return %[[C]]
func.func @conv_bn(%x: tensor<1x1x4x4xf32>) -> tensor<1x2x4x4xf32> {
  %w = arith.constant dense<[[[[1.0]]], [[[2.0]]]]> : tensor<2x1x1x1xf32>
  %b = arith.constant dense<[1.0, 0.0]> : tensor<2xf32>
  %0 = qc.conv %x, %w, %b {dilations = array<i64: 1, 1>, group = 1 : i64, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>} : (tensor<1x1x4x4xf32>, tensor<2x1x1x1xf32>, tensor<2xf32>) -> tensor<1x2x4x4xf32>
  %scale = arith.constant dense<[2.0, 3.0]> : tensor<2xf32>
  %bias = arith.constant dense<[0.5, 5.0]> : tensor<2xf32>
  %mean = arith.constant dense<[0.0, 2.0]> : tensor<2xf32>
  %var = arith.constant dense<[4.0, 0.25]> : tensor<2xf32>
  %1 = qc.batch_norm %0, %scale, %bias, %mean, %var {epsilon = 0.0 : f32} : (tensor<1x2x4x4xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>) -> tensor<1x2x4x4xf32>
  return %1 : tensor<1x2x4x4xf32>
}

// -----

// Gemm with trans_b: rows of B scale; C' = (beta * C - mean) * k + bias.
// CHECK-LABEL: func @gemm_bn
// CHECK-DAG: %[[B:.*]] = arith.constant dense<{{\[\[}}2.000000e+00, 4.000000e+00], [3.000000e+00, 4.000000e+00]]> : tensor<2x2xf32>
// CHECK-DAG: %[[C:.*]] = arith.constant dense<[3.000000e+00, 1.000000e+00]> : tensor<2xf32>
// CHECK: qc.gemm %arg0, %[[B]], %[[C]] {alpha = 1.000000e+00 : f32, beta = 1.000000e+00 : f32, trans_a = false, trans_b = true}
func.func @gemm_bn(%x: tensor<3x2xf32>) -> tensor<3x2xf32> {
  %w = arith.constant dense<[[1.0, 2.0], [3.0, 4.0]]> : tensor<2x2xf32>
  %c = arith.constant dense<[1.0, 1.0]> : tensor<2xf32>
  %0 = qc.gemm %x, %w, %c {alpha = 1.0 : f32, beta = 2.0 : f32, trans_a = false, trans_b = true} : (tensor<3x2xf32>, tensor<2x2xf32>, tensor<2xf32>) -> tensor<3x2xf32>
  %scale = arith.constant dense<[2.0, 1.0]> : tensor<2xf32>
  %bias = arith.constant dense<[1.0, 0.0]> : tensor<2xf32>
  %mean = arith.constant dense<[1.0, 1.0]> : tensor<2xf32>
  %var = arith.constant dense<[1.0, 1.0]> : tensor<2xf32>
  %1 = qc.batch_norm %0, %scale, %bias, %mean, %var {epsilon = 0.0 : f32} : (tensor<3x2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>) -> tensor<3x2xf32>
  return %1 : tensor<3x2xf32>
}

// -----

// A conv with another user keeps its BatchNorm.
// CHECK-LABEL: func @shared_conv
// CHECK: qc.batch_norm
func.func @shared_conv(%x: tensor<1x1x4x4xf32>) -> (tensor<1x1x4x4xf32>, tensor<1x1x4x4xf32>) {
  %w = arith.constant dense<1.0> : tensor<1x1x1x1xf32>
  %0 = qc.conv %x, %w {dilations = array<i64: 1, 1>, group = 1 : i64, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>} : (tensor<1x1x4x4xf32>, tensor<1x1x1x1xf32>) -> tensor<1x1x4x4xf32>
  %s = arith.constant dense<1.0> : tensor<1xf32>
  %1 = qc.batch_norm %0, %s, %s, %s, %s {epsilon = 0.0 : f32} : (tensor<1x1x4x4xf32>, tensor<1xf32>, tensor<1xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x1x4x4xf32>
  return %0, %1 : tensor<1x1x4x4xf32>, tensor<1x1x4x4xf32>
}
