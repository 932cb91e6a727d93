// RUN: qopt %s --split-input-file --pass-pipeline='builtin.module(func.func(qcc-gpu-convolutions-to-gemm))' | FileCheck %s

// An int8 convolution: im2col into [1, C*KH*KW, OH*OW] = [1, 18, 16], then
// the product of the collapsed [4, 18] filter with it in the batched form.
// CHECK-LABEL: func.func @conv
// CHECK:         %[[FILTER:.*]] = tensor.collapse_shape %{{.*}} {{\[}}[0], [1, 2, 3]] : tensor<4x2x3x3xi8> into tensor<4x18xi8>
// CHECK:         %[[COLS:.*]] = linalg.generic {{.*}} outs(%{{.*}} : tensor<1x18x16xi8>)
// CHECK:         linalg.generic {indexing_maps = [#[[A:.*]], #[[B:.*]], #[[C:.*]]], iterator_types = ["parallel", "parallel", "parallel", "reduction"]} ins(%[[FILTER]], %[[COLS]] : tensor<4x18xi8>, tensor<1x18x16xi8>) outs(%{{.*}} : tensor<1x4x16xi32>)
// CHECK-NOT:     linalg.conv_2d_nchw_fchw
func.func @conv(%x: tensor<1x2x6x6xi8>, %w: tensor<4x2x3x3xi8>, %acc: tensor<1x4x4x4xi32>) -> tensor<1x4x4x4xi32> {
  %y = linalg.conv_2d_nchw_fchw {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>} ins(%x, %w : tensor<1x2x6x6xi8>, tensor<4x2x3x3xi8>) outs(%acc : tensor<1x4x4x4xi32>) -> tensor<1x4x4x4xi32>
  return %y : tensor<1x4x4x4xi32>
}

// -----

// A float convolution stays.
// CHECK-LABEL: func.func @float_conv
// CHECK:         linalg.conv_2d_nchw_fchw
func.func @float_conv(%x: tensor<1x2x6x6xf32>, %w: tensor<4x2x3x3xf32>, %acc: tensor<1x4x4x4xf32>) -> tensor<1x4x4x4xf32> {
  %y = linalg.conv_2d_nchw_fchw {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>} ins(%x, %w : tensor<1x2x6x6xf32>, tensor<4x2x3x3xf32>) outs(%acc : tensor<1x4x4x4xf32>) -> tensor<1x4x4x4xf32>
  return %y : tensor<1x4x4x4xf32>
}
