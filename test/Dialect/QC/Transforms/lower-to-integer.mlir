// RUN: qopt %s -split-input-file -qc-lower-to-integer | FileCheck %s

// conv + ReLU between quantized values: padding with the input zero point,
// the zero point folded into the bias (b - zp * sum(W[c]) = 8 - (-2) * 4 and
// -2 - (-2) * 8), a per-channel rescale by s_x * s_w[c] / s_y
// (0.5 * 0.25 / 0.5 = 0.25 = 2^30 / 2^32 and 0.125) and the ReLU as a clamp
// from the output zero point.
// CHECK-LABEL: func @conv_relu
// CHECK-DAG: %[[W:.*]] = arith.constant dense<{{\[\[\[\[}}4]]], {{\[\[\[}}8]]]]> : tensor<2x1x1x1xi8>
// CHECK-DAG: %[[B:.*]] = arith.constant dense<[16, 14]> : tensor<2xi32>
// CHECK-DAG: %[[LO:.*]] = arith.constant dense<3> : tensor<i8>
// CHECK-DAG: %[[HI:.*]] = arith.constant dense<127> : tensor<i8>
// CHECK: %[[X:.*]] = qc.storage_cast %{{.*}} : tensor<1x1x2x2x!quant.uniform<i8:f32, 5.000000e-01:-2>> -> tensor<1x1x2x2xi8>
// CHECK: %[[P:.*]] = qc.pad %[[X]] {mode = #qc.pad_mode<constant>, pads = array<i64: 0, 0, 1, 0, 0, 0, 0, 1>, value = -2.000000e+00 : f64} : tensor<1x1x2x2xi8> -> tensor<1x1x3x3xi8>
// CHECK: %[[ACC:.*]] = qc.conv %[[P]], %[[W]], %[[B]] {{.*}}pads = array<i64: 0, 0, 0, 0>{{.*}} -> tensor<1x2x3x3xi32>
// CHECK: %[[R:.*]] = qc.rescale %[[ACC]] multiplier [1073741824, 1073741824] shift [32, 33] axis 1 zp (0, 3) : tensor<1x2x3x3xi32> -> tensor<1x2x3x3xi8>
// CHECK: %[[C:.*]] = qc.clip %[[R]] min %[[LO]] max %[[HI]]
// CHECK: %[[Y:.*]] = qc.storage_cast %[[C]] : tensor<1x2x3x3xi8> -> tensor<1x2x3x3x!quant.uniform<i8:f32, 5.000000e-01:3>>
// CHECK: qc.dequantize %[[Y]]
func.func @conv_relu(%x: tensor<1x1x2x2xf32>) -> tensor<1x2x3x3xf32> {
  %q = qc.quantize %x : tensor<1x1x2x2xf32> -> tensor<1x1x2x2x!quant.uniform<i8:f32, 0.5:-2>>
  %dq = qc.dequantize %q : tensor<1x1x2x2x!quant.uniform<i8:f32, 0.5:-2>> -> tensor<1x1x2x2xf32>
  %wi = arith.constant dense<[[[[4]]], [[[8]]]]> : tensor<2x1x1x1xi8>
  %wq = qc.storage_cast %wi : tensor<2x1x1x1xi8> -> tensor<2x1x1x1x!quant.uniform<i8<-127:127>:f32:0, {0.25, 0.125}>>
  %w = qc.dequantize %wq : tensor<2x1x1x1x!quant.uniform<i8<-127:127>:f32:0, {0.25, 0.125}>> -> tensor<2x1x1x1xf32>
  %bi = arith.constant dense<[8, -2]> : tensor<2xi32>
  %bq = qc.storage_cast %bi : tensor<2xi32> -> tensor<2x!quant.uniform<i32:f32:0, {0.125, 0.0625}>>
  %b = qc.dequantize %bq : tensor<2x!quant.uniform<i32:f32:0, {0.125, 0.0625}>> -> tensor<2xf32>
  %0 = qc.conv %dq, %w, %b {dilations = array<i64: 1, 1>, group = 1 : i64, pads = array<i64: 1, 0, 0, 1>, strides = array<i64: 1, 1>} : (tensor<1x1x2x2xf32>, tensor<2x1x1x1xf32>, tensor<2xf32>) -> tensor<1x2x3x3xf32>
  %1 = qc.relu %0 : tensor<1x2x3x3xf32>
  %2 = qc.quantize %1 : tensor<1x2x3x3xf32> -> tensor<1x2x3x3x!quant.uniform<i8:f32, 0.5:3>>
  %3 = qc.dequantize %2 : tensor<1x2x3x3x!quant.uniform<i8:f32, 0.5:3>> -> tensor<1x2x3x3xf32>
  return %3 : tensor<1x2x3x3xf32>
}

// -----

// MatMul + Add of a float bias: the bias rounded to int32 at s_x * s_w
// (0.3 / 0.125 -> 2) minus zp * column sums (-1 * (1 + 3) and -1 * 2).
// No activation: no clamp. The output channel is the last axis.
// CHECK-LABEL: func @matmul_bias
// CHECK-DAG: %[[B:.*]] = arith.constant dense<[6, 2]> : tensor<2xi32>
// CHECK: %[[ACC:.*]] = qc.matmul %{{.*}}, %{{.*}} : (tensor<4x2xi8>, tensor<2x2xi8>) -> tensor<4x2xi32>
// CHECK: %[[S:.*]] = qc.add %[[ACC]], %[[B]] : (tensor<4x2xi32>, tensor<2xi32>) -> tensor<4x2xi32>
// CHECK: qc.rescale %[[S]] multiplier [1073741824] shift [33] zp (0, 0) : tensor<4x2xi32> -> tensor<4x2xi8>
// CHECK-NOT: qc.clip
func.func @matmul_bias(%x: tensor<4x2xf32>) -> tensor<4x2xf32> {
  %q = qc.quantize %x : tensor<4x2xf32> -> tensor<4x2x!quant.uniform<i8:f32, 0.5:-1>>
  %dq = qc.dequantize %q : tensor<4x2x!quant.uniform<i8:f32, 0.5:-1>> -> tensor<4x2xf32>
  %wi = arith.constant dense<[[1, 2], [3, 0]]> : tensor<2x2xi8>
  %wq = qc.storage_cast %wi : tensor<2x2xi8> -> tensor<2x2x!quant.uniform<i8<-127:127>:f32, 0.25>>
  %w = qc.dequantize %wq : tensor<2x2x!quant.uniform<i8<-127:127>:f32, 0.25>> -> tensor<2x2xf32>
  %b = arith.constant dense<[0.3, 0.0]> : tensor<2xf32>
  %0 = qc.matmul %dq, %w : (tensor<4x2xf32>, tensor<2x2xf32>) -> tensor<4x2xf32>
  %1 = qc.add %0, %b : (tensor<4x2xf32>, tensor<2xf32>) -> tensor<4x2xf32>
  %2 = qc.quantize %1 : tensor<4x2xf32> -> tensor<4x2x!quant.uniform<i8:f32, 1.0>>
  %3 = qc.dequantize %2 : tensor<4x2x!quant.uniform<i8:f32, 1.0>> -> tensor<4x2xf32>
  return %3 : tensor<4x2xf32>
}

// -----

// The bias on the Add's left (ConvNeXt's export of nn.Linear): the same.
// CHECK-LABEL: func @matmul_bias_on_the_left
// CHECK-DAG: %[[B:.*]] = arith.constant dense<[6, 2]> : tensor<2xi32>
// CHECK: %[[ACC:.*]] = qc.matmul %{{.*}}, %{{.*}} : (tensor<4x2xi8>, tensor<2x2xi8>) -> tensor<4x2xi32>
// CHECK: %[[S:.*]] = qc.add %[[ACC]], %[[B]] : (tensor<4x2xi32>, tensor<2xi32>) -> tensor<4x2xi32>
// CHECK: qc.rescale %[[S]] multiplier [1073741824] shift [33] zp (0, 0) : tensor<4x2xi32> -> tensor<4x2xi8>
// CHECK-NOT: qc.clip
func.func @matmul_bias_on_the_left(%x: tensor<4x2xf32>) -> tensor<4x2xf32> {
  %q = qc.quantize %x : tensor<4x2xf32> -> tensor<4x2x!quant.uniform<i8:f32, 0.5:-1>>
  %dq = qc.dequantize %q : tensor<4x2x!quant.uniform<i8:f32, 0.5:-1>> -> tensor<4x2xf32>
  %wi = arith.constant dense<[[1, 2], [3, 0]]> : tensor<2x2xi8>
  %wq = qc.storage_cast %wi : tensor<2x2xi8> -> tensor<2x2x!quant.uniform<i8<-127:127>:f32, 0.25>>
  %w = qc.dequantize %wq : tensor<2x2x!quant.uniform<i8<-127:127>:f32, 0.25>> -> tensor<2x2xf32>
  %b = arith.constant dense<[0.3, 0.0]> : tensor<2xf32>
  %0 = qc.matmul %dq, %w : (tensor<4x2xf32>, tensor<2x2xf32>) -> tensor<4x2xf32>
  %1 = qc.add %b, %0 : (tensor<2xf32>, tensor<4x2xf32>) -> tensor<4x2xf32>
  %2 = qc.quantize %1 : tensor<4x2xf32> -> tensor<4x2x!quant.uniform<i8:f32, 1.0>>
  %3 = qc.dequantize %2 : tensor<4x2x!quant.uniform<i8:f32, 1.0>> -> tensor<4x2xf32>
  return %3 : tensor<4x2xf32>
}

// -----

// Residual addition: both inputs to int32 at 2 * max(0.5, 0.25) / 2^20,
// added, rescaled to the output (2^-20 / 0.5 = 2^-19), ReLU fused as a
// clamp from the output zero point 0.
// CHECK-LABEL: func @add_relu
// CHECK: %[[A:.*]] = qc.rescale %{{.*}} multiplier [1073741824] shift [11] zp (1, 0) : tensor<8xi8> -> tensor<8xi32>
// CHECK: %[[B:.*]] = qc.rescale %{{.*}} multiplier [1073741824] shift [12] zp (0, 0) : tensor<8xi8> -> tensor<8xi32>
// CHECK: %[[S:.*]] = qc.add %[[A]], %[[B]] : (tensor<8xi32>, tensor<8xi32>) -> tensor<8xi32>
// CHECK: %[[R:.*]] = qc.rescale %[[S]] multiplier [1073741824] shift [49] zp (0, 0) : tensor<8xi32> -> tensor<8xi8>
// CHECK: qc.clip %[[R]]
func.func @add_relu(%a: tensor<8xf32>, %b: tensor<8xf32>) -> tensor<8xf32> {
  %qa = qc.quantize %a : tensor<8xf32> -> tensor<8x!quant.uniform<i8:f32, 0.5:1>>
  %da = qc.dequantize %qa : tensor<8x!quant.uniform<i8:f32, 0.5:1>> -> tensor<8xf32>
  %qb = qc.quantize %b : tensor<8xf32> -> tensor<8x!quant.uniform<i8:f32, 0.25>>
  %db = qc.dequantize %qb : tensor<8x!quant.uniform<i8:f32, 0.25>> -> tensor<8xf32>
  %0 = qc.add %da, %db : (tensor<8xf32>, tensor<8xf32>) -> tensor<8xf32>
  %1 = qc.relu %0 : tensor<8xf32>
  %2 = qc.quantize %1 : tensor<8xf32> -> tensor<8x!quant.uniform<i8:f32, 0.5>>
  %3 = qc.dequantize %2 : tensor<8x!quant.uniform<i8:f32, 0.5>> -> tensor<8xf32>
  return %3 : tensor<8xf32>
}

// -----

// Global average pooling of 2x2: an int32 sum, input zero point 4 * 3,
// ratio 0.5 / (4 * 0.25) = 0.5.
// CHECK-LABEL: func @global_avg_pool
// CHECK: %[[S:.*]] = qc.reduce_sum %{{.*}} {axes = array<i64: 2, 3>, keepdims = true} : tensor<?x2x2x2xi8> -> tensor<?x2x1x1xi32>
// CHECK: qc.rescale %[[S]] multiplier [1073741824] shift [31] zp (12, -5) : tensor<?x2x1x1xi32> -> tensor<?x2x1x1xi8>
func.func @global_avg_pool(%x: tensor<?x2x2x2xf32>) -> tensor<?x2x1x1xf32> {
  %q = qc.quantize %x : tensor<?x2x2x2xf32> -> tensor<?x2x2x2x!quant.uniform<i8:f32, 0.5:3>>
  %dq = qc.dequantize %q : tensor<?x2x2x2x!quant.uniform<i8:f32, 0.5:3>> -> tensor<?x2x2x2xf32>
  %0 = qc.global_avg_pool %dq : tensor<?x2x2x2xf32> -> tensor<?x2x1x1xf32>
  %1 = qc.quantize %0 : tensor<?x2x1x1xf32> -> tensor<?x2x1x1x!quant.uniform<i8:f32, 0.25:-5>>
  %2 = qc.dequantize %1 : tensor<?x2x1x1x!quant.uniform<i8:f32, 0.25:-5>> -> tensor<?x2x1x1xf32>
  return %2 : tensor<?x2x1x1xf32>
}

// -----

// A mean over axes (MnasNet's and ShuffleNet's x.mean([2, 3])) is the same
// sum and rescale, without the reduced axes when keepdims is false.
// CHECK-LABEL: func @reduce_mean
// CHECK: %[[S:.*]] = qc.reduce_sum %{{.*}} {axes = array<i64: 2, 3>, keepdims = false} : tensor<?x2x2x2xi8> -> tensor<?x2xi32>
// CHECK: qc.rescale %[[S]] multiplier [1073741824] shift [31] zp (12, -5) : tensor<?x2xi32> -> tensor<?x2xi8>
// CHECK-NOT: qc.reduce_mean
func.func @reduce_mean(%x: tensor<?x2x2x2xf32>) -> tensor<?x2xf32> {
  %q = qc.quantize %x : tensor<?x2x2x2xf32> -> tensor<?x2x2x2x!quant.uniform<i8:f32, 0.5:3>>
  %dq = qc.dequantize %q : tensor<?x2x2x2x!quant.uniform<i8:f32, 0.5:3>> -> tensor<?x2x2x2xf32>
  %0 = qc.reduce_mean %dq {axes = array<i64: 2, 3>, keepdims = false} : tensor<?x2x2x2xf32> -> tensor<?x2xf32>
  %1 = qc.quantize %0 : tensor<?x2xf32> -> tensor<?x2x!quant.uniform<i8:f32, 0.25:-5>>
  %2 = qc.dequantize %1 : tensor<?x2x!quant.uniform<i8:f32, 0.25:-5>> -> tensor<?x2xf32>
  return %2 : tensor<?x2xf32>
}

// -----

// Max pooling and reshapes between values of one type move the integers;
// a quantize of a dequantize to another type is a rescale (0.5 / 0.25 = 2).
// CHECK-LABEL: func @data_movement
// CHECK: %[[M:.*]] = qc.max_pool %{{.*}} : tensor<1x1x2x2xi8> -> tensor<1x1x1x1xi8>
// CHECK: %[[R:.*]] = qc.reshape %[[M]] : tensor<1x1x1x1xi8> -> tensor<1x1xi8>
// CHECK: qc.rescale %[[R]] multiplier [1073741824] shift [29] zp (0, 7) : tensor<1x1xi8> -> tensor<1x1xi8>
func.func @data_movement(%x: tensor<1x1x2x2xf32>) -> tensor<1x1xf32> {
  %q = qc.quantize %x : tensor<1x1x2x2xf32> -> tensor<1x1x2x2x!quant.uniform<i8:f32, 0.5>>
  %dq = qc.dequantize %q : tensor<1x1x2x2x!quant.uniform<i8:f32, 0.5>> -> tensor<1x1x2x2xf32>
  %0 = qc.max_pool %dq {ceil_mode = false, dilations = array<i64: 1, 1>, kernel_shape = array<i64: 2, 2>, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 2, 2>} : tensor<1x1x2x2xf32> -> tensor<1x1x1x1xf32>
  %1 = qc.quantize %0 : tensor<1x1x1x1xf32> -> tensor<1x1x1x1x!quant.uniform<i8:f32, 0.5>>
  %2 = qc.dequantize %1 : tensor<1x1x1x1x!quant.uniform<i8:f32, 0.5>> -> tensor<1x1x1x1xf32>
  %3 = qc.reshape %2 : tensor<1x1x1x1xf32> -> tensor<1x1xf32>
  %4 = qc.quantize %3 : tensor<1x1xf32> -> tensor<1x1x!quant.uniform<i8:f32, 0.5>>
  %5 = qc.dequantize %4 : tensor<1x1x!quant.uniform<i8:f32, 0.5>> -> tensor<1x1xf32>
  %6 = qc.quantize %5 : tensor<1x1xf32> -> tensor<1x1x!quant.uniform<i8:f32, 0.25:7>>
  %7 = qc.dequantize %6 : tensor<1x1x!quant.uniform<i8:f32, 0.25:7>> -> tensor<1x1xf32>
  return %7 : tensor<1x1xf32>
}

// -----

// A slice (ShuffleNet's channel split) moves the integers too.
// CHECK-LABEL: func @slice
// CHECK: %[[X:.*]] = qc.storage_cast %{{.*}} -> tensor<1x4x2xi8>
// CHECK: %[[S:.*]] = qc.slice %[[X]] {{.*}} : tensor<1x4x2xi8> -> tensor<1x2x2xi8>
// CHECK: qc.storage_cast %[[S]] : tensor<1x2x2xi8> -> tensor<1x2x2x!quant.uniform<i8:f32, 5.000000e-01:3>>
func.func @slice(%x: tensor<1x4x2xf32>) -> tensor<1x2x2xf32> {
  %q = qc.quantize %x : tensor<1x4x2xf32> -> tensor<1x4x2x!quant.uniform<i8:f32, 0.5:3>>
  %dq = qc.dequantize %q : tensor<1x4x2x!quant.uniform<i8:f32, 0.5:3>> -> tensor<1x4x2xf32>
  %0 = qc.slice %dq {starts = array<i64: 0, 2, 0>, ends = array<i64: 1, 4, 2>, steps = array<i64: 1, 1, 1>} : tensor<1x4x2xf32> -> tensor<1x2x2xf32>
  %1 = qc.quantize %0 : tensor<1x2x2xf32> -> tensor<1x2x2x!quant.uniform<i8:f32, 0.5:3>>
  %2 = qc.dequantize %1 : tensor<1x2x2x!quant.uniform<i8:f32, 0.5:3>> -> tensor<1x2x2xf32>
  return %2 : tensor<1x2x2xf32>
}

// -----

// Ops without an integer form stay float islands between a dequantize and a
// quantize.
// CHECK-LABEL: func @float_island
// CHECK: %[[D:.*]] = qc.dequantize
// CHECK: %[[S:.*]] = qc.softmax %[[D]]
// CHECK: qc.quantize %[[S]]
func.func @float_island(%x: tensor<2x4xf32>) -> tensor<2x4xf32> {
  %q = qc.quantize %x : tensor<2x4xf32> -> tensor<2x4x!quant.uniform<i8:f32, 0.5>>
  %dq = qc.dequantize %q : tensor<2x4x!quant.uniform<i8:f32, 0.5>> -> tensor<2x4xf32>
  %0 = qc.softmax %dq {axis = 1 : i64} : tensor<2x4xf32>
  %1 = qc.quantize %0 : tensor<2x4xf32> -> tensor<2x4x!quant.uniform<i8:f32, 0.0039:-128>>
  %2 = qc.dequantize %1 : tensor<2x4x!quant.uniform<i8:f32, 0.0039:-128>> -> tensor<2x4xf32>
  return %2 : tensor<2x4xf32>
}

// -----

// Average pooling with padding counted (count_include_pad): pad with the
// zero point, an int32 window sum, a rescale by 0.5 / (4 * 0.25) with input
// zero point 4 * 3.
// CHECK-LABEL: func @avg_pool
// CHECK: %[[P:.*]] = qc.pad %{{.*}} {mode = #qc.pad_mode<constant>, pads = array<i64: 0, 0, 1, 1, 0, 0, 1, 1>, value = 3.000000e+00 : f64} : tensor<1x2x4x4xi8> -> tensor<1x2x6x6xi8>
// CHECK: %[[S:.*]] = qc.sum_pool %[[P]] {ceil_mode = false, dilations = array<i64: 1, 1>, kernel_shape = array<i64: 2, 2>, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 2, 2>} : tensor<1x2x6x6xi8> -> tensor<1x2x3x3xi32>
// CHECK: qc.rescale %[[S]] multiplier [1073741824] shift [31] zp (12, -5) : tensor<1x2x3x3xi32> -> tensor<1x2x3x3xi8>
func.func @avg_pool(%x: tensor<1x2x4x4xf32>) -> tensor<1x2x3x3xf32> {
  %q = qc.quantize %x : tensor<1x2x4x4xf32> -> tensor<1x2x4x4x!quant.uniform<i8:f32, 0.5:3>>
  %dq = qc.dequantize %q : tensor<1x2x4x4x!quant.uniform<i8:f32, 0.5:3>> -> tensor<1x2x4x4xf32>
  %0 = qc.avg_pool %dq {ceil_mode = false, count_include_pad = true, dilations = array<i64: 1, 1>, kernel_shape = array<i64: 2, 2>, pads = array<i64: 1, 1, 1, 1>, strides = array<i64: 2, 2>} : tensor<1x2x4x4xf32> -> tensor<1x2x3x3xf32>
  %1 = qc.quantize %0 : tensor<1x2x3x3xf32> -> tensor<1x2x3x3x!quant.uniform<i8:f32, 0.25:-5>>
  %2 = qc.dequantize %1 : tensor<1x2x3x3x!quant.uniform<i8:f32, 0.25:-5>> -> tensor<1x2x3x3xf32>
  return %2 : tensor<1x2x3x3xf32>
}

// -----

// Padding not counted: the divisor varies at the borders, so the pooling
// stays a float island.
// CHECK-LABEL: func @avg_pool_exclude_pad
// CHECK: qc.avg_pool {{.*}} : tensor<1x2x4x4xf32>
func.func @avg_pool_exclude_pad(%x: tensor<1x2x4x4xf32>) -> tensor<1x2x3x3xf32> {
  %q = qc.quantize %x : tensor<1x2x4x4xf32> -> tensor<1x2x4x4x!quant.uniform<i8:f32, 0.5:3>>
  %dq = qc.dequantize %q : tensor<1x2x4x4x!quant.uniform<i8:f32, 0.5:3>> -> tensor<1x2x4x4xf32>
  %0 = qc.avg_pool %dq {ceil_mode = false, count_include_pad = false, dilations = array<i64: 1, 1>, kernel_shape = array<i64: 2, 2>, pads = array<i64: 1, 1, 1, 1>, strides = array<i64: 2, 2>} : tensor<1x2x4x4xf32> -> tensor<1x2x3x3xf32>
  %1 = qc.quantize %0 : tensor<1x2x3x3xf32> -> tensor<1x2x3x3x!quant.uniform<i8:f32, 0.25:-5>>
  %2 = qc.dequantize %1 : tensor<1x2x3x3x!quant.uniform<i8:f32, 0.25:-5>> -> tensor<1x2x3x3xf32>
  return %2 : tensor<1x2x3x3xf32>
}

// -----

// A concatenation of values of other types: the input of another scale is
// rescaled to the result's (0.5 / 0.25 = 2, zero point 0 to 3) first; the
// input of the result's type moves as it is.
// CHECK-LABEL: func @concat_requantizes
// CHECK: %[[A:.*]] = qc.storage_cast %{{.*}} : tensor<1x2x!quant.uniform<i8:f32, 5.000000e-01>> -> tensor<1x2xi8>
// CHECK: %[[RA:.*]] = qc.rescale %[[A]] multiplier [1073741824] shift [29] zp (0, 3) : tensor<1x2xi8> -> tensor<1x2xi8>
// CHECK: %[[B:.*]] = qc.storage_cast %{{.*}} : tensor<1x3x!quant.uniform<i8:f32, 2.500000e-01:3>> -> tensor<1x3xi8>
// CHECK: qc.concat %[[RA]], %[[B]] {axis = 1 : i64} : (tensor<1x2xi8>, tensor<1x3xi8>) -> tensor<1x5xi8>
func.func @concat_requantizes(%a: tensor<1x2xf32>, %b: tensor<1x3xf32>) -> tensor<1x5xf32> {
  %qa = qc.quantize %a : tensor<1x2xf32> -> tensor<1x2x!quant.uniform<i8:f32, 0.5>>
  %da = qc.dequantize %qa : tensor<1x2x!quant.uniform<i8:f32, 0.5>> -> tensor<1x2xf32>
  %qb = qc.quantize %b : tensor<1x3xf32> -> tensor<1x3x!quant.uniform<i8:f32, 0.25:3>>
  %db = qc.dequantize %qb : tensor<1x3x!quant.uniform<i8:f32, 0.25:3>> -> tensor<1x3xf32>
  %c = qc.concat %da, %db {axis = 1 : i64} : (tensor<1x2xf32>, tensor<1x3xf32>) -> tensor<1x5xf32>
  %qc = qc.quantize %c : tensor<1x5xf32> -> tensor<1x5x!quant.uniform<i8:f32, 0.25:3>>
  %dc = qc.dequantize %qc : tensor<1x5x!quant.uniform<i8:f32, 0.25:3>> -> tensor<1x5xf32>
  return %dc : tensor<1x5xf32>
}

// -----

// An activation of a quantized activation becomes a table over every input
// code: dequantize (codes -8..7 at scale 0.5: -4..3.5), hard_swish, then
// the output quantize (scale 0.25, zero point -4, round half to even:
// -0.375 / 0.25 = -1.5 gives -2, so -6; 1.125 / 0.25 = 4.5 gives 4, so 0;
// 3 and 3.5 saturate at 7).
// CHECK-LABEL: func @hard_swish_table
// CHECK: %[[T:.*]] = arith.constant dense<[-4, -4, -4, -5, -5, -6, -5, -5, -4, -3, -1, 0, 3, 5, 7, 7]> : tensor<16xi4>
// CHECK: %[[X:.*]] = qc.storage_cast %{{.*}} -> tensor<2x4xi4>
// CHECK: %[[Y:.*]] = qc.table %[[X]], %[[T]] : (tensor<2x4xi4>, tensor<16xi4>) -> tensor<2x4xi4>
// CHECK: qc.storage_cast %[[Y]] : tensor<2x4xi4> -> tensor<2x4x!quant.uniform<i4:f32, 2.500000e-01:-4>>
// CHECK-NOT: qc.hard_swish
func.func @hard_swish_table(%x: tensor<2x4xf32>) -> tensor<2x4xf32> {
  %q = qc.quantize %x : tensor<2x4xf32> -> tensor<2x4x!quant.uniform<i4:f32, 0.5>>
  %dq = qc.dequantize %q : tensor<2x4x!quant.uniform<i4:f32, 0.5>> -> tensor<2x4xf32>
  %0 = qc.hard_swish %dq : tensor<2x4xf32>
  %1 = qc.quantize %0 : tensor<2x4xf32> -> tensor<2x4x!quant.uniform<i4:f32, 0.25:-4>>
  %2 = qc.dequantize %1 : tensor<2x4x!quant.uniform<i4:f32, 0.25:-4>> -> tensor<2x4xf32>
  return %2 : tensor<2x4xf32>
}

// -----

// Inputs of more than 12 bits would need tables of more than 4096 entries:
// the activation stays a float island.
// CHECK-LABEL: func @sigmoid_i16
// CHECK: qc.sigmoid
// CHECK-NOT: qc.table
func.func @sigmoid_i16(%x: tensor<4xf32>) -> tensor<4xf32> {
  %q = qc.quantize %x : tensor<4xf32> -> tensor<4x!quant.uniform<i16:f32, 0.001>>
  %dq = qc.dequantize %q : tensor<4x!quant.uniform<i16:f32, 0.001>> -> tensor<4xf32>
  %0 = qc.sigmoid %dq : tensor<4xf32>
  %1 = qc.quantize %0 : tensor<4xf32> -> tensor<4x!quant.uniform<i8:f32, 0.0039:-128>>
  %2 = qc.dequantize %1 : tensor<4x!quant.uniform<i8:f32, 0.0039:-128>> -> tensor<4xf32>
  return %2 : tensor<4xf32>
}

// -----

// SiLU as PyTorch exports it, x * sigmoid(x): one table too (each entry
// the f32 sigmoid times the code's value in double, rounded to f32, then
// quantized); the sigmoid and the product are gone.
// CHECK-LABEL: func @silu_table
// CHECK: %[[T:.*]] = arith.constant dense<{{.*}}> : tensor<256xi8>
// CHECK: qc.table %{{.*}}, %[[T]] : (tensor<4xi8>, tensor<256xi8>) -> tensor<4xi8>
// CHECK-NOT: qc.sigmoid
// CHECK-NOT: qc.mul
func.func @silu_table(%x: tensor<4xf32>) -> tensor<4xf32> {
  %q = qc.quantize %x : tensor<4xf32> -> tensor<4x!quant.uniform<i8:f32, 0.05:-10>>
  %dq = qc.dequantize %q : tensor<4x!quant.uniform<i8:f32, 0.05:-10>> -> tensor<4xf32>
  %s = qc.sigmoid %dq : tensor<4xf32>
  %0 = qc.mul %dq, %s : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  %1 = qc.quantize %0 : tensor<4xf32> -> tensor<4x!quant.uniform<i8:f32, 0.03:-100>>
  %2 = qc.dequantize %1 : tensor<4x!quant.uniform<i8:f32, 0.03:-100>> -> tensor<4xf32>
  return %2 : tensor<4xf32>
}

// -----

// A squeeze-and-excitation gate, an activation times a function of
// another one (broadcast): the sigmoid becomes a table from the gate's
// codes to int32 levels of max|sigmoid| / 2^20 (sigmoid(-5.9) = 0.00273 of
// sigmoid(6.85) = 0.99894 is 2868 levels), the activation's factor its
// integers less the zero point, then an int32 product and the output
// rescale. No float op remains.
// CHECK-LABEL: func @gate_of_other
// CHECK: %[[T:.*]] = arith.constant dense<"0x340B0000{{.*}}"> : tensor<256xi32>
// CHECK: %[[G:.*]] = qc.table %{{.*}}, %[[T]] : (tensor<1x2x1x1xi8>, tensor<256xi32>) -> tensor<1x2x1x1xi32>
// CHECK: %[[X:.*]] = qc.rescale %{{.*}} multiplier [1073741824] shift [30] zp (-10, 0) : tensor<1x2x2x2xi8> -> tensor<1x2x2x2xi32>
// CHECK: %[[P:.*]] = qc.mul %[[G]], %[[X]] : (tensor<1x2x1x1xi32>, tensor<1x2x2x2xi32>) -> tensor<1x2x2x2xi32>
// CHECK: qc.rescale %[[P]] {{.*}} zp (0, -100) : tensor<1x2x2x2xi32> -> tensor<1x2x2x2xi8>
// CHECK-NOT: qc.sigmoid
// CHECK-NOT: f32>) ->
func.func @gate_of_other(%x: tensor<1x2x2x2xf32>, %g: tensor<1x2x1x1xf32>) -> tensor<1x2x2x2xf32> {
  %q = qc.quantize %x : tensor<1x2x2x2xf32> -> tensor<1x2x2x2x!quant.uniform<i8:f32, 0.05:-10>>
  %dq = qc.dequantize %q : tensor<1x2x2x2x!quant.uniform<i8:f32, 0.05:-10>> -> tensor<1x2x2x2xf32>
  %qg = qc.quantize %g : tensor<1x2x1x1xf32> -> tensor<1x2x1x1x!quant.uniform<i8:f32, 0.05:-10>>
  %dg = qc.dequantize %qg : tensor<1x2x1x1x!quant.uniform<i8:f32, 0.05:-10>> -> tensor<1x2x1x1xf32>
  %s = qc.sigmoid %dg : tensor<1x2x1x1xf32>
  %0 = qc.mul %s, %dq : (tensor<1x2x1x1xf32>, tensor<1x2x2x2xf32>) -> tensor<1x2x2x2xf32>
  %1 = qc.quantize %0 : tensor<1x2x2x2xf32> -> tensor<1x2x2x2x!quant.uniform<i8:f32, 0.03:-100>>
  %2 = qc.dequantize %1 : tensor<1x2x2x2x!quant.uniform<i8:f32, 0.03:-100>> -> tensor<1x2x2x2xf32>
  return %2 : tensor<1x2x2x2xf32>
}

// -----

// A product of two activations: both factors are integers less their zero
// points; the rescale is s_a * s_b / s_y = 0.05 * 0.25 / 0.03.
// CHECK-LABEL: func @product_of_activations
// CHECK-DAG: qc.rescale %{{.*}} multiplier [1073741824] shift [30] zp (3, 0) : tensor<4xi8> -> tensor<4xi32>
// CHECK-DAG: qc.rescale %{{.*}} multiplier [1073741824] shift [30] zp (-10, 0) : tensor<4xi8> -> tensor<4xi32>
// CHECK: %[[P:.*]] = qc.mul %{{.*}}, %{{.*}} : (tensor<4xi32>, tensor<4xi32>) -> tensor<4xi32>
// CHECK: qc.rescale %[[P]] multiplier [1789569707] shift [32] zp (0, -100)
// CHECK-NOT: qc.mul {{.*}}f32
func.func @product_of_activations(%a: tensor<4xf32>, %b: tensor<4xf32>) -> tensor<4xf32> {
  %qa = qc.quantize %a : tensor<4xf32> -> tensor<4x!quant.uniform<i8:f32, 0.05:-10>>
  %da = qc.dequantize %qa : tensor<4x!quant.uniform<i8:f32, 0.05:-10>> -> tensor<4xf32>
  %qb = qc.quantize %b : tensor<4xf32> -> tensor<4x!quant.uniform<i8:f32, 0.25:3>>
  %db = qc.dequantize %qb : tensor<4x!quant.uniform<i8:f32, 0.25:3>> -> tensor<4xf32>
  %0 = qc.mul %da, %db : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  %1 = qc.quantize %0 : tensor<4xf32> -> tensor<4x!quant.uniform<i8:f32, 0.03:-100>>
  %2 = qc.dequantize %1 : tensor<4x!quant.uniform<i8:f32, 0.03:-100>> -> tensor<4xf32>
  return %2 : tensor<4xf32>
}

// -----

// Products of 16-bit activations fit int32 (2^15 * 2^15); of 24-bit ones
// they would not: a float island.
// CHECK-LABEL: func @product_too_wide
// CHECK: qc.mul {{.*}} -> tensor<4xf32>
func.func @product_too_wide(%a: tensor<4xf32>, %b: tensor<4xf32>) -> tensor<4xf32> {
  %qa = qc.quantize %a : tensor<4xf32> -> tensor<4x!quant.uniform<i24:f32, 0.05>>
  %da = qc.dequantize %qa : tensor<4x!quant.uniform<i24:f32, 0.05>> -> tensor<4xf32>
  %qb = qc.quantize %b : tensor<4xf32> -> tensor<4x!quant.uniform<i24:f32, 0.25>>
  %db = qc.dequantize %qb : tensor<4x!quant.uniform<i24:f32, 0.25>> -> tensor<4xf32>
  %0 = qc.mul %da, %db : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  %1 = qc.quantize %0 : tensor<4xf32> -> tensor<4x!quant.uniform<i8:f32, 0.03:-100>>
  %2 = qc.dequantize %1 : tensor<4x!quant.uniform<i8:f32, 0.03:-100>> -> tensor<4xf32>
  return %2 : tensor<4xf32>
}

// -----

// A BatchNorm on an activation (not after a layer: DenseNet's after each
// concat), then ReLU: a 1x1 depthwise integer conv with weights +-127 at
// the per-channel scales |k| / 127 (k = 2 and -0.25), the shifts as its
// int32 bias, a per-channel rescale and the ReLU's clamp.
// CHECK-LABEL: func @batch_norm_relu
// CHECK-DAG: %[[W:.*]] = arith.constant dense<{{\[\[\[\[}}127]]], {{\[\[\[}}-127]]]]> : tensor<2x1x1x1xi8>
// CHECK-DAG: %[[B:.*]] = arith.constant dense<[-825, 0]> : tensor<2xi32>
// CHECK: %[[A:.*]] = qc.conv %{{.*}}, %[[W]], %[[B]] {dilations = array<i64: 1, 1>, group = 2 : i64, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>} : (tensor<1x2x2x2xi8>, tensor<2x1x1x1xi8>, tensor<2xi32>) -> tensor<1x2x2x2xi32>
// CHECK: %[[R:.*]] = qc.rescale %[[A]] {{.*}} axis 1 zp (0, -100)
// CHECK: qc.clip %[[R]]
// CHECK-NOT: qc.batch_norm
func.func @batch_norm_relu(%x: tensor<1x2x2x2xf32>) -> tensor<1x2x2x2xf32> {
  %scale = arith.constant dense<[2.0, -0.5]> : tensor<2xf32>
  %bias = arith.constant dense<[0.1, 0.2]> : tensor<2xf32>
  %mean = arith.constant dense<[0.5, -1.0]> : tensor<2xf32>
  %var = arith.constant dense<[0.99, 3.99]> : tensor<2xf32>
  %q = qc.quantize %x : tensor<1x2x2x2xf32> -> tensor<1x2x2x2x!quant.uniform<i8:f32, 0.1:2>>
  %dq = qc.dequantize %q : tensor<1x2x2x2x!quant.uniform<i8:f32, 0.1:2>> -> tensor<1x2x2x2xf32>
  %0 = qc.batch_norm %dq, %scale, %bias, %mean, %var {epsilon = 0.01 : f32} : (tensor<1x2x2x2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>) -> tensor<1x2x2x2xf32>
  %1 = qc.relu %0 : tensor<1x2x2x2xf32>
  %2 = qc.quantize %1 : tensor<1x2x2x2xf32> -> tensor<1x2x2x2x!quant.uniform<i8:f32, 0.02:-100>>
  %3 = qc.dequantize %2 : tensor<1x2x2x2x!quant.uniform<i8:f32, 0.02:-100>> -> tensor<1x2x2x2xf32>
  return %3 : tensor<1x2x2x2xf32>
}

// -----

// A layer scale (ConvNeXt): an activation moved channels-first by a
// transpose, times one constant per channel. The transpose moves the
// integers; the product is a 1x1 depthwise conv (weights +-127) and a
// per-channel rescale.
// CHECK-LABEL: func @layer_scale
// CHECK-DAG: %[[W:.*]] = arith.constant dense<{{\[\[\[\[}}127]]], {{\[\[\[}}-127]]]]> : tensor<2x1x1x1xi8>
// CHECK: %[[T:.*]] = qc.transpose %{{.*}} {perm = array<i64: 0, 3, 1, 2>} : tensor<1x2x2x2xi8> -> tensor<1x2x2x2xi8>
// CHECK: %[[A:.*]] = qc.conv %[[T]], %[[W]], %{{.*}} {{.*}}group = 2
// CHECK: qc.rescale %[[A]] {{.*}} axis 1
// CHECK-NOT: qc.mul
func.func @layer_scale(%x: tensor<1x2x2x2xf32>) -> tensor<1x2x2x2xf32> {
  %gamma = arith.constant dense<[[[0.5]], [[-0.25]]]> : tensor<2x1x1xf32>
  %q = qc.quantize %x : tensor<1x2x2x2xf32> -> tensor<1x2x2x2x!quant.uniform<i8:f32, 0.1:2>>
  %dq = qc.dequantize %q : tensor<1x2x2x2x!quant.uniform<i8:f32, 0.1:2>> -> tensor<1x2x2x2xf32>
  %t = qc.transpose %dq {perm = array<i64: 0, 3, 1, 2>} : tensor<1x2x2x2xf32> -> tensor<1x2x2x2xf32>
  %0 = qc.mul %gamma, %t : (tensor<2x1x1xf32>, tensor<1x2x2x2xf32>) -> tensor<1x2x2x2xf32>
  %1 = qc.quantize %0 : tensor<1x2x2x2xf32> -> tensor<1x2x2x2x!quant.uniform<i8:f32, 0.01:0>>
  %2 = qc.dequantize %1 : tensor<1x2x2x2x!quant.uniform<i8:f32, 0.01:0>> -> tensor<1x2x2x2xf32>
  return %2 : tensor<1x2x2x2xf32>
}

// -----

// GELU as PyTorch exports it, x * (erf(x / sqrt 2) + 1) * 0.5: element-wise
// ops whose only non-constant leaf is one activation make one table.
// CHECK-LABEL: func @gelu_ops_table
// CHECK: %[[T:.*]] = arith.constant dense<{{.*}}> : tensor<256xi8>
// CHECK: qc.table %{{.*}}, %[[T]] : (tensor<4xi8>, tensor<256xi8>) -> tensor<4xi8>
// CHECK-NOT: qc.erf
// CHECK-NOT: qc.div
// CHECK-NOT: qc.mul
func.func @gelu_ops_table(%x: tensor<4xf32>) -> tensor<4xf32> {
  %sqrt2 = arith.constant dense<1.41421354> : tensor<f32>
  %one = arith.constant dense<1.0> : tensor<f32>
  %half = arith.constant dense<0.5> : tensor<f32>
  %q = qc.quantize %x : tensor<4xf32> -> tensor<4x!quant.uniform<i8:f32, 0.05:-10>>
  %dq = qc.dequantize %q : tensor<4x!quant.uniform<i8:f32, 0.05:-10>> -> tensor<4xf32>
  %0 = qc.div %dq, %sqrt2 : (tensor<4xf32>, tensor<f32>) -> tensor<4xf32>
  %1 = qc.erf %0 : tensor<4xf32>
  %2 = qc.add %1, %one : (tensor<4xf32>, tensor<f32>) -> tensor<4xf32>
  %3 = qc.mul %dq, %2 : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  %4 = qc.mul %3, %half : (tensor<4xf32>, tensor<f32>) -> tensor<4xf32>
  %5 = qc.quantize %4 : tensor<4xf32> -> tensor<4x!quant.uniform<i8:f32, 0.03:-100>>
  %6 = qc.dequantize %5 : tensor<4x!quant.uniform<i8:f32, 0.03:-100>> -> tensor<4xf32>
  return %6 : tensor<4xf32>
}

// -----

// A function of two activations is not one table (a product, here).
// CHECK-LABEL: func @two_leaves
// CHECK-NOT: qc.table
// CHECK: qc.mul {{.*}} -> tensor<4xi32>
func.func @two_leaves(%a: tensor<4xf32>, %b: tensor<4xf32>) -> tensor<4xf32> {
  %half = arith.constant dense<0.5> : tensor<f32>
  %qa = qc.quantize %a : tensor<4xf32> -> tensor<4x!quant.uniform<i8:f32, 0.05:-10>>
  %da = qc.dequantize %qa : tensor<4x!quant.uniform<i8:f32, 0.05:-10>> -> tensor<4xf32>
  %qb = qc.quantize %b : tensor<4xf32> -> tensor<4x!quant.uniform<i8:f32, 0.05:-10>>
  %db = qc.dequantize %qb : tensor<4x!quant.uniform<i8:f32, 0.05:-10>> -> tensor<4xf32>
  %0 = qc.mul %da, %db : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  %1 = qc.quantize %0 : tensor<4xf32> -> tensor<4x!quant.uniform<i8:f32, 0.03:-100>>
  %2 = qc.dequantize %1 : tensor<4x!quant.uniform<i8:f32, 0.03:-100>> -> tensor<4xf32>
  return %2 : tensor<4xf32>
}

// -----

// Max pooling between two quantized types: pooled on the input's
// integers, then rescaled (a monotone map commutes with max).
// CHECK-LABEL: func @max_pool_requantized
// CHECK: %[[P:.*]] = qc.max_pool %{{.*}} : tensor<1x1x4x4xi8> -> tensor<1x1x2x2xi8>
// CHECK: qc.rescale %[[P]] multiplier [1073741824] shift [31] zp (3, -5) : tensor<1x1x2x2xi8> -> tensor<1x1x2x2xi8>
func.func @max_pool_requantized(%x: tensor<1x1x4x4xf32>) -> tensor<1x1x2x2xf32> {
  %q = qc.quantize %x : tensor<1x1x4x4xf32> -> tensor<1x1x4x4x!quant.uniform<i8:f32, 0.1:3>>
  %dq = qc.dequantize %q : tensor<1x1x4x4x!quant.uniform<i8:f32, 0.1:3>> -> tensor<1x1x4x4xf32>
  %0 = qc.max_pool %dq {ceil_mode = false, dilations = array<i64: 1, 1>, kernel_shape = array<i64: 2, 2>, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 2, 2>} : tensor<1x1x4x4xf32> -> tensor<1x1x2x2xf32>
  %1 = qc.quantize %0 : tensor<1x1x2x2xf32> -> tensor<1x1x2x2x!quant.uniform<i8:f32, 0.2:-5>>
  %2 = qc.dequantize %1 : tensor<1x1x2x2x!quant.uniform<i8:f32, 0.2:-5>> -> tensor<1x1x2x2xf32>
  return %2 : tensor<1x1x2x2xf32>
}

// -----

// A constant Pad of an activation: the integers padded with the pad value's
// code (1.0 at scale 0.1, zero point 3: 13).
// CHECK-LABEL: func @pad_constant
// CHECK: qc.pad %{{.*}} {mode = #qc.pad_mode<constant>, pads = array<i64: 0, 0, 1, 1, 0, 0, 1, 1>, value = 1.300000e+01 : f64} : tensor<1x1x2x2xi8> -> tensor<1x1x4x4xi8>
func.func @pad_constant(%x: tensor<1x1x2x2xf32>) -> tensor<1x1x4x4xf32> {
  %q = qc.quantize %x : tensor<1x1x2x2xf32> -> tensor<1x1x2x2x!quant.uniform<i8:f32, 0.1:3>>
  %dq = qc.dequantize %q : tensor<1x1x2x2x!quant.uniform<i8:f32, 0.1:3>> -> tensor<1x1x2x2xf32>
  %0 = qc.pad %dq {mode = #qc.pad_mode<constant>, pads = array<i64: 0, 0, 1, 1, 0, 0, 1, 1>, value = 1.0 : f64} : tensor<1x1x2x2xf32> -> tensor<1x1x4x4xf32>
  %1 = qc.quantize %0 : tensor<1x1x4x4xf32> -> tensor<1x1x4x4x!quant.uniform<i8:f32, 0.1:3>>
  %2 = qc.dequantize %1 : tensor<1x1x4x4x!quant.uniform<i8:f32, 0.1:3>> -> tensor<1x1x4x4xf32>
  return %2 : tensor<1x1x4x4xf32>
}

// -----

// A move of a dequantized activation not quantized again (a graph output:
// SqueezeNet's final flatten) moves the integers; the dequantize follows.
// CHECK-LABEL: func @sink_dequantize
// CHECK: %[[R:.*]] = qc.reshape %{{.*}} : tensor<1x2x1x1xi8> -> tensor<1x2xi8>
// CHECK: %[[S:.*]] = qc.storage_cast %[[R]]
// CHECK: %[[D:.*]] = qc.dequantize %[[S]]
// CHECK: return %[[D]]
func.func @sink_dequantize(%x: tensor<1x2x1x1xf32>) -> tensor<1x2xf32> {
  %q = qc.quantize %x : tensor<1x2x1x1xf32> -> tensor<1x2x1x1x!quant.uniform<i8:f32, 0.1:3>>
  %dq = qc.dequantize %q : tensor<1x2x1x1x!quant.uniform<i8:f32, 0.1:3>> -> tensor<1x2x1x1xf32>
  %0 = qc.reshape %dq : tensor<1x2x1x1xf32> -> tensor<1x2xf32>
  return %0 : tensor<1x2xf32>
}

// -----

// Moved twice, then quantized again: a transpose (the dequantize sunk past
// it) and a reshape of the same type run on the integers.
// CHECK-LABEL: func @transpose_reshape
// CHECK: %[[T:.*]] = qc.transpose %{{.*}} {perm = array<i64: 0, 2, 1, 3>} : tensor<1x4x6x2xi8> -> tensor<1x6x4x2xi8>
// CHECK: qc.reshape %[[T]] : tensor<1x6x4x2xi8> -> tensor<1x6x8xi8>
// CHECK-NOT: qc.dequantize {{.*}}4x2x
func.func @transpose_reshape(%x: tensor<1x4x6x2xf32>) -> tensor<1x6x8xf32> {
  %q = qc.quantize %x : tensor<1x4x6x2xf32> -> tensor<1x4x6x2x!quant.uniform<i8:f32, 0.1:3>>
  %dq = qc.dequantize %q : tensor<1x4x6x2x!quant.uniform<i8:f32, 0.1:3>> -> tensor<1x4x6x2xf32>
  %t = qc.transpose %dq {perm = array<i64: 0, 2, 1, 3>} : tensor<1x4x6x2xf32> -> tensor<1x6x4x2xf32>
  %r = qc.reshape %t : tensor<1x6x4x2xf32> -> tensor<1x6x8xf32>
  %q2 = qc.quantize %r : tensor<1x6x8xf32> -> tensor<1x6x8x!quant.uniform<i8:f32, 0.1:3>>
  %d2 = qc.dequantize %q2 : tensor<1x6x8x!quant.uniform<i8:f32, 0.1:3>> -> tensor<1x6x8xf32>
  return %d2 : tensor<1x6x8xf32>
}

// -----

// FP4 (E2M1) weights 0.5 and -3 decoded to fixed point: every E2M1 value is
// a multiple of 0.5, so the integers are 1 and -6 at half the scales
// (k = 1). The int32 bias given at s_x * s_w[c] is doubled to the new
// accumulator scale (16, -4), then the zero point is folded in
// (16 - (-2) * 1, -4 - (-2) * (-6)); the layer is integer.
// CHECK-LABEL: func @fp4_weights
// CHECK-DAG: %[[W:.*]] = arith.constant dense<{{\[\[\[\[}}1]]], {{\[\[\[}}-6]]]]> : tensor<2x1x1x1xi8>
// CHECK-DAG: %[[B:.*]] = arith.constant dense<[18, -16]> : tensor<2xi32>
// CHECK: qc.conv %{{.*}}, %[[W]], %[[B]]
// CHECK: qc.rescale %{{.*}} multiplier [1073741824, 1073741824] shift [33, 34] axis 1
// CHECK-NOT: qc.float
func.func @fp4_weights(%x: tensor<1x1x2x2xf32>) -> tensor<1x2x2x2xf32> {
  %q = qc.quantize %x : tensor<1x1x2x2xf32> -> tensor<1x1x2x2x!quant.uniform<i8:f32, 0.5:-2>>
  %dq = qc.dequantize %q : tensor<1x1x2x2x!quant.uniform<i8:f32, 0.5:-2>> -> tensor<1x1x2x2xf32>
  %codes = arith.constant dense<[[[[1]]], [[[-3]]]]> : tensor<2x1x1x1xi4>
  %wq = qc.storage_cast %codes : tensor<2x1x1x1xi4> -> tensor<2x1x1x1x!qc.float<f4E2M1FN:f32:0, {0.25, 0.125}>>
  %w = qc.dequantize %wq : tensor<2x1x1x1x!qc.float<f4E2M1FN:f32:0, {0.25, 0.125}>> -> tensor<2x1x1x1xf32>
  %bi = arith.constant dense<[8, -2]> : tensor<2xi32>
  %bq = qc.storage_cast %bi : tensor<2xi32> -> tensor<2x!quant.uniform<i32:f32:0, {0.125, 0.0625}>>
  %b = qc.dequantize %bq : tensor<2x!quant.uniform<i32:f32:0, {0.125, 0.0625}>> -> tensor<2xf32>
  %0 = qc.conv %dq, %w, %b {dilations = array<i64: 1, 1>, group = 1 : i64, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>} : (tensor<1x1x2x2xf32>, tensor<2x1x1x1xf32>, tensor<2xf32>) -> tensor<1x2x2x2xf32>
  %1 = qc.quantize %0 : tensor<1x2x2x2xf32> -> tensor<1x2x2x2x!quant.uniform<i8:f32, 0.5:3>>
  %2 = qc.dequantize %1 : tensor<1x2x2x2x!quant.uniform<i8:f32, 0.5:3>> -> tensor<1x2x2x2xf32>
  return %2 : tensor<1x2x2x2xf32>
}
