// RUN: qopt %s -split-input-file -qc-quantize-bias | FileCheck %s

// s_x = 0.5, s_w = {0.25, 0.125}: s_b = {0.125, 0.0625}; b = {1.0, -0.1}
// gives {8, round_half_even(-1.6) = -2}.
// CHECK-LABEL: func @conv
// CHECK: %[[B:.*]] = arith.constant dense<[8, -2]> : tensor<2xi32>
// CHECK: %[[Q:.*]] = qc.storage_cast %[[B]] : tensor<2xi32> -> tensor<2x!quant.uniform<i32:f32:0, {1.250000e-01,6.250000e-02}>>
// CHECK: %[[D:.*]] = qc.dequantize %[[Q]]
// CHECK: qc.conv %{{.*}}, %{{.*}}, %[[D]]
func.func @conv(%x: tensor<1x1x2x2xf32>) -> tensor<1x2x2x2xf32> {
  %q = qc.quantize %x : tensor<1x1x2x2xf32> -> tensor<1x1x2x2x!quant.uniform<i8:f32, 0.5>>
  %dq = qc.dequantize %q : tensor<1x1x2x2x!quant.uniform<i8:f32, 0.5>> -> tensor<1x1x2x2xf32>
  %wi = arith.constant dense<[[[[4]]], [[[8]]]]> : tensor<2x1x1x1xi8>
  %wq = qc.storage_cast %wi : tensor<2x1x1x1xi8> -> tensor<2x1x1x1x!quant.uniform<i8<-127:127>:f32:0, {0.25, 0.125}>>
  %w = qc.dequantize %wq : tensor<2x1x1x1x!quant.uniform<i8<-127:127>:f32:0, {0.25, 0.125}>> -> tensor<2x1x1x1xf32>
  %b = arith.constant dense<[1.0, -0.1]> : tensor<2xf32>
  %0 = qc.conv %dq, %w, %b {dilations = array<i64: 1, 1>, group = 1 : i64, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>} : (tensor<1x1x2x2xf32>, tensor<2x1x1x1xf32>, tensor<2xf32>) -> tensor<1x2x2x2xf32>
  return %0 : tensor<1x2x2x2xf32>
}

// -----

// A float input (not quantized) leaves the bias alone.
// CHECK-LABEL: func @float_input
// CHECK: %[[B:.*]] = arith.constant dense<[1.000000e+00, -1.000000e-01]> : tensor<2xf32>
// CHECK: qc.conv %arg0, %{{.*}}, %[[B]]
func.func @float_input(%x: tensor<1x1x2x2xf32>) -> tensor<1x2x2x2xf32> {
  %wi = arith.constant dense<[[[[4]]], [[[8]]]]> : tensor<2x1x1x1xi8>
  %wq = qc.storage_cast %wi : tensor<2x1x1x1xi8> -> tensor<2x1x1x1x!quant.uniform<i8<-127:127>:f32:0, {0.25, 0.125}>>
  %w = qc.dequantize %wq : tensor<2x1x1x1x!quant.uniform<i8<-127:127>:f32:0, {0.25, 0.125}>> -> tensor<2x1x1x1xf32>
  %b = arith.constant dense<[1.0, -0.1]> : tensor<2xf32>
  %0 = qc.conv %x, %w, %b {dilations = array<i64: 1, 1>, group = 1 : i64, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>} : (tensor<1x1x2x2xf32>, tensor<2x1x1x1xf32>, tensor<2xf32>) -> tensor<1x2x2x2xf32>
  return %0 : tensor<1x2x2x2xf32>
}
