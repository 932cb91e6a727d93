// RUN: qopt %s -split-input-file -convert-qc-to-linalg | FileCheck %s

// A depthwise int8 convolution (group == channels, after qc.pad): no
// im2col, one linalg.generic on views with the group as a dimension, loops
// (n, g, j, oh, c, kh, kw, ow) with the output row innermost, operands
// sign-extended into the broadcast int32 bias.
// CHECK-DAG: #[[X:.*]] = affine_map<(d0, d1, d2, d3, d4, d5, d6, d7) -> (d0, d1, d4, d3 * 2 + d5, d7 * 2 + d6)>
// CHECK-DAG: #[[W:.*]] = affine_map<(d0, d1, d2, d3, d4, d5, d6, d7) -> (d1, d2, d4, d5, d6)>
// CHECK-DAG: #[[Y:.*]] = affine_map<(d0, d1, d2, d3, d4, d5, d6, d7) -> (d0, d1, d2, d3, d7)>
// CHECK-LABEL: func @depthwise_int8
// CHECK: %[[B:.*]] = linalg.generic {{.*}} ins(%arg2 : tensor<4xi32>)
// CHECK: %[[XG:.*]] = tensor.expand_shape %arg0 {{\[\[}}0], [1, 2], [3], [4]] {{.*}} into tensor<?x4x1x6x6xi8>
// CHECK: %[[WG:.*]] = tensor.expand_shape %arg1 {{\[\[}}0, 1], [2], [3], [4]] {{.*}} into tensor<4x1x1x3x3xi8>
// CHECK: %[[BG:.*]] = tensor.expand_shape %[[B]] {{.*}} into tensor<?x4x1x2x2xi32>
// CHECK: %[[C:.*]] = linalg.generic {indexing_maps = [#[[X]], #[[W]], #[[Y]]], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction", "reduction", "reduction", "parallel"]} ins(%[[XG]], %[[WG]] : {{.*}}) outs(%[[BG]] :
// CHECK: arith.extsi {{.*}} : i8 to i32
// CHECK: arith.extsi {{.*}} : i8 to i32
// CHECK: arith.muli
// CHECK: arith.addi
// CHECK: tensor.collapse_shape %[[C]] {{\[\[}}0], [1, 2], [3], [4]] : tensor<?x4x1x2x2xi32> into tensor<?x4x2x2xi32>
// CHECK-NOT: linalg.conv
func.func @depthwise_int8(%x: tensor<?x4x6x6xi8>, %w: tensor<4x1x3x3xi8>, %b: tensor<4xi32>) -> tensor<?x4x2x2xi32> {
  %c = qc.conv %x, %w, %b {dilations = array<i64: 1, 1>, group = 4 : i64, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 2, 2>} : (tensor<?x4x6x6xi8>, tensor<4x1x3x3xi8>, tensor<4xi32>) -> tensor<?x4x2x2xi32>
  return %c : tensor<?x4x2x2xi32>
}

// -----

// Depthwise with two filters per channel and dilation 2.
// CHECK-DAG: #[[X:.*]] = affine_map<(d0, d1, d2, d3, d4, d5, d6, d7) -> (d0, d1, d4, d3 + d5 * 2, d7 + d6 * 2)>
// CHECK-LABEL: func @depthwise_multiplier
// CHECK: tensor.expand_shape %arg1 {{.*}} into tensor<3x2x1x3x3xi8>
// CHECK: linalg.generic {indexing_maps = [#[[X]], {{.*}}]{{.*}} outs({{.*}} : tensor<1x3x2x4x4xi32>)
func.func @depthwise_multiplier(%x: tensor<1x3x8x8xi8>, %w: tensor<6x1x3x3xi8>) -> tensor<1x6x4x4xi32> {
  %c = qc.conv %x, %w {dilations = array<i64: 2, 2>, group = 3 : i64, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>} : (tensor<1x3x8x8xi8>, tensor<6x1x3x3xi8>) -> tensor<1x6x4x4xi32>
  return %c : tensor<1x6x4x4xi32>
}

// -----

// A grouped f32 convolution pads with zeros itself: two groups of 2 input
// and 3 output channels, f32 multiply-add.
// CHECK-LABEL: func @grouped_f32
// CHECK: %[[P:.*]] = tensor.pad %arg0 low[0, 0, 1, 1] high[0, 0, 1, 1]
// CHECK: %[[Z:.*]] = linalg.fill
// CHECK: tensor.expand_shape %[[P]] {{.*}} into tensor<1x2x2x7x7xf32>
// CHECK: tensor.expand_shape %arg1 {{.*}} into tensor<2x3x2x3x3xf32>
// CHECK: tensor.expand_shape %[[Z]] {{.*}} into tensor<1x2x3x5x5xf32>
// CHECK: linalg.generic
// CHECK: arith.mulf
// CHECK: arith.addf
// CHECK: tensor.collapse_shape {{.*}} into tensor<1x6x5x5xf32>
func.func @grouped_f32(%x: tensor<1x4x5x5xf32>, %w: tensor<6x2x3x3xf32>) -> tensor<1x6x5x5xf32> {
  %c = qc.conv %x, %w {dilations = array<i64: 1, 1>, group = 2 : i64, pads = array<i64: 1, 1, 1, 1>, strides = array<i64: 1, 1>} : (tensor<1x4x5x5xf32>, tensor<6x2x3x3xf32>) -> tensor<1x6x5x5xf32>
  return %c : tensor<1x6x5x5xf32>
}

// -----

// Group 1 is unchanged: linalg.conv_2d_nchw_fchw, which the CPU target's
// micro-kernels replace.
// CHECK-LABEL: func @group1_int8
// CHECK: linalg.conv_2d_nchw_fchw
func.func @group1_int8(%x: tensor<1x2x6x6xi8>, %w: tensor<4x2x3x3xi8>) -> tensor<1x4x4x4xi32> {
  %c = qc.conv %x, %w {dilations = array<i64: 1, 1>, group = 1 : i64, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>} : (tensor<1x2x6x6xi8>, tensor<4x2x3x3xi8>) -> tensor<1x4x4x4xi32>
  return %c : tensor<1x4x4x4xi32>
}

// -----

// Average pooling (ceil_mode, padding not counted): the input padded with
// zeros (and one more column and row at the end for the last window), window
// sums in f64 in (kh, kw) order, divided by constant per-position divisors
// (elements inside the input: 2, 3, 2 per axis), rounded to f32 once.
// CHECK-DAG: #[[IN:.*]] = affine_map<(d0, d1, d2, d3, d4, d5) -> (d0, d1, d2 * 2 + d3, d5 * 2 + d4)>
// CHECK-DAG: #[[WIN:.*]] = affine_map<(d0, d1, d2, d3, d4, d5) -> (d3, d4)>
// CHECK-DAG: #[[OUT:.*]] = affine_map<(d0, d1, d2, d3, d4, d5) -> (d0, d1, d2, d5)>
// CHECK-LABEL: func @avg_pool
// CHECK: %[[D:.*]] = arith.constant dense<{{\[\[}}4.000000e+00, 6.000000e+00, 4.000000e+00], [6.000000e+00, 9.000000e+00, 6.000000e+00], [4.000000e+00, 6.000000e+00, 4.000000e+00]]> : tensor<3x3xf64>
// CHECK: %[[P:.*]] = tensor.pad %arg0 low[0, 0, 1, 1] high[0, 0, 1, 1]
// CHECK: %[[S:.*]] = linalg.generic {indexing_maps = [#[[IN]], #[[WIN]], #[[OUT]]], iterator_types = ["parallel", "parallel", "parallel", "reduction", "reduction", "parallel"]} ins(%[[P]], %{{.*}} : tensor<?x3x7x7xf32>, tensor<3x3xf32>) outs(%{{.*}} : tensor<?x3x3x3xf64>)
// CHECK: arith.extf {{.*}} : f32 to f64
// CHECK: arith.addf {{.*}} : f64
// CHECK: linalg.generic {{.*}} ins(%[[S]], %[[D]] : tensor<?x3x3x3xf64>, tensor<3x3xf64>)
// CHECK: arith.divf {{.*}} : f64
// CHECK: arith.truncf {{.*}} : f64 to f32
func.func @avg_pool(%x: tensor<?x3x5x5xf32>) -> tensor<?x3x3x3xf32> {
  %0 = qc.avg_pool %x {ceil_mode = true, count_include_pad = false, dilations = array<i64: 1, 1>, kernel_shape = array<i64: 3, 3>, pads = array<i64: 1, 1, 0, 0>, strides = array<i64: 2, 2>} : tensor<?x3x5x5xf32> -> tensor<?x3x3x3xf32>
  return %0 : tensor<?x3x3x3xf32>
}

// -----

// count_include_pad counts the padding, not what ceil_mode adds past it.
// CHECK-LABEL: func @avg_pool_include_pad
// CHECK: arith.constant dense<{{\[\[}}4.000000e+00, 4.000000e+00, 2.000000e+00], [4.000000e+00, 4.000000e+00, 2.000000e+00], [2.000000e+00, 2.000000e+00, 1.000000e+00]]> : tensor<3x3xf64>
// CHECK: tensor.pad %arg0 low[0, 0, 1, 1] high[0, 0, 1, 1]
func.func @avg_pool_include_pad(%x: tensor<1x1x4x4xf32>) -> tensor<1x1x3x3xf32> {
  %0 = qc.avg_pool %x {ceil_mode = true, count_include_pad = true, dilations = array<i64: 1, 1>, kernel_shape = array<i64: 2, 2>, pads = array<i64: 1, 1, 0, 0>, strides = array<i64: 2, 2>} : tensor<1x1x4x4xf32> -> tensor<1x1x3x3xf32>
  return %0 : tensor<1x1x3x3xf32>
}

// -----

// A transposed convolution: the input stretched by the stride into zeros
// (offset d * (K - 1) - pad), the weight swapped to [M, C, KH, KW] and
// flipped, a stride-1 convolution (im2col and a contraction for group 1)
// into the broadcast bias.
// CHECK-DAG: #[[FLIP:.*]] = affine_map<(d0, d1, d2, d3, d4) -> (d0, d2, d1, -d3 + 2, -d4 + 2)>
// CHECK-LABEL: func @conv_transpose
// CHECK: %[[Z:.*]] = linalg.fill {{.*}} -> tensor<?x3x11x11xf32>
// CHECK: %[[S:.*]] = tensor.insert_slice %arg0 into %[[Z]][0, 0, 1, 1] [%{{.*}}, 3, 4, 4] [1, 1, 2, 2] : tensor<?x3x4x4xf32> into tensor<?x3x11x11xf32>
// CHECK: %[[W:.*]] = tensor.expand_shape %arg1 {{.*}} into tensor<1x3x2x3x3xf32>
// CHECK: linalg.generic {indexing_maps = [#[[FLIP]], {{.*}}]{{.*}} ins(%[[W]] : tensor<1x3x2x3x3xf32>) outs(%{{.*}} : tensor<1x2x3x3x3xf32>)
// CHECK: linalg.generic {{.*}} ins(%arg2 : tensor<2xf32>)
// CHECK: linalg.generic {{.*}} ins(%[[S]] : tensor<?x3x11x11xf32>) outs(%{{.*}} : tensor<?x3x3x3x9x9xf32>)
// CHECK: tensor.expand_shape {{.*}} into tensor<?x2x9x9xf32>
func.func @conv_transpose(%x: tensor<?x3x4x4xf32>, %w: tensor<3x2x3x3xf32>, %b: tensor<2xf32>) -> tensor<?x2x9x9xf32> {
  %0 = qc.conv_transpose %x, %w, %b {dilations = array<i64: 1, 1>, group = 1 : i64, output_padding = array<i64: 1, 1>, pads = array<i64: 1, 1, 0, 0>, strides = array<i64: 2, 2>} : (tensor<?x3x4x4xf32>, tensor<3x2x3x3xf32>, tensor<2xf32>) -> tensor<?x2x9x9xf32>
  return %0 : tensor<?x2x9x9xf32>
}

// -----

// Grouped and integer: the grouped convolution; pads beyond the kernel's
// reach (3 > 1 * (3 - 1)) crop the full output.
// CHECK-LABEL: func @conv_transpose_grouped_cropped
// CHECK: tensor.insert_slice %arg0 into %{{.*}}[0, 0, 0, 0] [1, 4, 4, 4] [1, 1, 2, 2] : tensor<1x4x4x4xi8> into tensor<1x4x7x7xi8>
// CHECK: linalg.generic {{.*}} outs(%{{.*}} : tensor<2x1x2x3x3xi8>)
// CHECK: %[[C:.*]] = linalg.generic {{.*}} outs(%{{.*}} : tensor<1x2x1x5x5xi32>)
// CHECK: arith.extsi
// CHECK: %[[F:.*]] = tensor.collapse_shape %[[C]]
// CHECK: tensor.extract_slice %[[F]][0, 0, 1, 1] [1, 2, 3, 3] [1, 1, 1, 1] : tensor<1x2x5x5xi32> to tensor<1x2x3x3xi32>
func.func @conv_transpose_grouped_cropped(%x: tensor<1x4x4x4xi8>, %w: tensor<4x1x3x3xi8>) -> tensor<1x2x3x3xi32> {
  %0 = qc.conv_transpose %x, %w {dilations = array<i64: 1, 1>, group = 2 : i64, output_padding = array<i64: 0, 0>, pads = array<i64: 3, 3, 3, 3>, strides = array<i64: 2, 2>} : (tensor<1x4x4x4xi8>, tensor<4x1x3x3xi8>) -> tensor<1x2x3x3xi32>
  return %0 : tensor<1x2x3x3xi32>
}
