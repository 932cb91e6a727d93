// RUN: qopt %s -split-input-file -qcc-cpu-convert-qc-to-linalg | FileCheck %s
// RUN: qopt %s -split-input-file -qcc-cpu-convert-qc-to-linalg=packed-conv-min-bytes=0 | FileCheck %s --check-prefix=PACKED-CONV

// W4A8: an int8 x packed int4 product is one call of the packed kernel on
// the packed bytes (never unpacked); no bias: an empty bias vector.
// CHECK-LABEL: func.func private @qcc_ukernel_matmul_s8_packed
// CHECK-SAME: (memref<?x?xi8, strided<[?, ?], offset: ?>>, memref<?xi8, strided<[?], offset: ?>>, memref<?xi32, strided<[?], offset: ?>>, memref<?x?xi32, strided<[?, ?], offset: ?>>, i64)
// CHECK-SAME: attributes {llvm.emit_c_interface}
// CHECK-LABEL: func.func @w4a8
// CHECK-DAG: %[[W:.*]] = arith.constant dense<[1, 2, 3, 4, 5, 6]> : tensor<6xi8>
// CHECK-DAG: %[[NOBIAS:.*]] = arith.constant dense<> : tensor<0xi32>
// CHECK-DAG: bufferization.to_buffer %arg0 read_only
// CHECK-DAG: bufferization.to_buffer %[[W]] read_only
// CHECK-DAG: bufferization.to_buffer %[[NOBIAS]] read_only
// CHECK: %[[OUT:.*]] = memref.alloc() {alignment = 64 : i64} : memref<2x3xi32>
// CHECK: %[[BITS:.*]] = arith.constant 4 : i64
// CHECK: call @qcc_ukernel_matmul_s8_packed({{.*}}, %[[BITS]])
// CHECK: %[[T:.*]] = bufferization.to_tensor %[[OUT]] restrict writable
// CHECK: return %[[T]]
// CHECK-NOT: qc.unpack
func.func @w4a8(%x: tensor<2x4xi8>) -> tensor<2x3xi32> {
  %p = arith.constant dense<[1, 2, 3, 4, 5, 6]> : tensor<6xi8>
  %w = qc.unpack %p {reduction_dims = array<i64: 0>} : tensor<6xi8> -> tensor<4x3xi4>
  %y = qc.matmul %x, %w : (tensor<2x4xi8>, tensor<4x3xi4>) -> tensor<2x3xi32>
  return %y : tensor<2x3xi32>
}

// -----

// Widths without kernel rows of their own are re-encoded at compile time:
// int7 (planes 4 + 2 + 1) as int8 rows, the same values a byte each...
// CHECK-LABEL: func.func @w7a8
// CHECK-DAG: %[[W:.*]] = arith.constant dense<[-64, 63, 1, -1, 5, -5, 0, 33, -33, 20, -2, 7]> : tensor<12xi8>
// CHECK-DAG: bufferization.to_buffer %[[W]] read_only
// CHECK: %[[BITS:.*]] = arith.constant 8 : i64
// CHECK: call @qcc_ukernel_matmul_s8_packed({{.*}}, %[[BITS]])
// CHECK-NOT: qc.unpack
func.func @w7a8(%x: tensor<2x4xi8>) -> tensor<2x3xi32> {
  %p = arith.constant dense<[-16, -15, -52, 9, -75, 16, -116, 2, 79, 126, 53, 5]> : tensor<12xi8>
  %w = qc.unpack %p {reduction_dims = array<i64: 0>} : tensor<12xi8> -> tensor<4x3xi7>
  %y = qc.matmul %x, %w : (tensor<2x4xi8>, tensor<4x3xi7>) -> tensor<2x3xi32>
  return %y : tensor<2x3xi32>
}

// -----

// ... and int3 (planes 2 + 1) as int4 rows: [-4, 3, -1, 2] as nibbles.
// CHECK-LABEL: func.func @w3a8
// CHECK-DAG: %[[W:.*]] = arith.constant dense<[60, 47]> : tensor<2xi8>
// CHECK-DAG: bufferization.to_buffer %[[W]] read_only
// CHECK: %[[BITS:.*]] = arith.constant 4 : i64
// CHECK: call @qcc_ukernel_matmul_s8_packed({{.*}}, %[[BITS]])
func.func @w3a8(%x: tensor<2x4xi8>) -> tensor<2x1xi32> {
  %p = arith.constant dense<[-68, 5]> : tensor<2xi8>
  %w = qc.unpack %p {reduction_dims = array<i64: 0>} : tensor<2xi8> -> tensor<4x1xi3>
  %y = qc.matmul %x, %w : (tensor<2x4xi8>, tensor<4x1xi3>) -> tensor<2x1xi32>
  return %y : tensor<2x1xi32>
}

// -----

// A gemm with transposed weights (rows along dimension 1) and an int32
// bias, dynamic batch.
// CHECK-LABEL: func.func @gemm_bias
// CHECK: %[[B:.*]] = arith.constant dense<[7, 8, 9]> : tensor<3xi32>
// CHECK: bufferization.to_buffer %[[B]] read_only
// CHECK: %[[N:.*]] = tensor.dim %arg0, %c0
// CHECK: memref.alloc(%[[N]]) {alignment = 64 : i64} : memref<?x3xi32>
// CHECK: call @qcc_ukernel_matmul_s8_packed
func.func @gemm_bias(%x: tensor<?x4xi8>) -> tensor<?x3xi32> {
  %p = arith.constant dense<[1, 2, 3, 4, 5, 6]> : tensor<6xi8>
  %b = arith.constant dense<[7, 8, 9]> : tensor<3xi32>
  %w = qc.unpack %p {reduction_dims = array<i64: 1>} : tensor<6xi8> -> tensor<3x4xi4>
  %y = qc.gemm %x, %w, %b {alpha = 1.0 : f32, beta = 1.0 : f32, trans_a = false, trans_b = true} : (tensor<?x4xi8>, tensor<3x4xi4>, tensor<3xi32>) -> tensor<?x3xi32>
  return %y : tensor<?x3xi32>
}

// -----

// Weight-only FP4: f32 activations times dequantized FP4 codes with one
// scale per output channel: the f32 kernel with format 8 (FP4 E2M1) and
// group size K; no zero points.
// CHECK-LABEL: func.func @fp4_weight_only
// CHECK-DAG: %[[S:.*]] = arith.constant dense<[5.000000e-01, 2.500000e-01, 1.000000e+00]> : tensor<3xf32>
// CHECK-DAG: %[[Z:.*]] = arith.constant dense<> : tensor<0xi8>
// CHECK-DAG: bufferization.to_buffer %[[S]] read_only
// CHECK-DAG: bufferization.to_buffer %[[Z]] read_only
// CHECK: %[[FORMAT:.*]] = arith.constant 8 : i64
// CHECK: %[[GROUP:.*]] = arith.constant 4 : i64
// CHECK: call @qcc_ukernel_matmul_f32_packed({{.*}}, %[[FORMAT]], %[[GROUP]])
// CHECK-NOT: qc.
func.func @fp4_weight_only(%x: tensor<2x4xf32>) -> tensor<2x3xf32> {
  %p = arith.constant dense<[1, 2, 3, 4, 5, 6]> : tensor<6xi8>
  %c = qc.unpack %p {reduction_dims = array<i64: 0>} : tensor<6xi8> -> tensor<4x3xi4>
  %q = qc.storage_cast %c : tensor<4x3xi4> -> tensor<4x3x!qc.float<f4E2M1FN:f32:1, {0.5, 0.25, 1.0}>>
  %w = qc.dequantize %q : tensor<4x3x!qc.float<f4E2M1FN:f32:1, {0.5, 0.25, 1.0}>> -> tensor<4x3xf32>
  %y = qc.matmul %x, %w : (tensor<2x4xf32>, tensor<4x3xf32>) -> tensor<2x3xf32>
  return %y : tensor<2x3xf32>
}

// -----

// Weight-only int4 with one scale and zero point per group of 2 inputs:
// the sub-channel scales [K/G][N] become the kernel's [N][K/G] order.
// CHECK-LABEL: func.func @int4_groups
// CHECK-DAG: arith.constant dense<[1.000000e+00, 3.000000e+00, 2.000000e+00, 4.000000e+00]> : tensor<4xf32>
// CHECK-DAG: arith.constant dense<[1, 3, 2, -4]> : tensor<4xi8>
// CHECK-DAG: %[[FORMAT:.*]] = arith.constant 2 : i64
// CHECK-DAG: %[[GROUP:.*]] = arith.constant 2 : i64
// CHECK: call @qcc_ukernel_matmul_f32_packed({{.*}}, %[[FORMAT]], %[[GROUP]])
func.func @int4_groups(%x: tensor<1x4xf32>) -> tensor<1x2xf32> {
  %p = arith.constant dense<[1, 2, 3, 4]> : tensor<4xi8>
  %c = qc.unpack %p {reduction_dims = array<i64: 0>} : tensor<4xi8> -> tensor<4x2xi4>
  %q = qc.storage_cast %c : tensor<4x2xi4> -> tensor<4x2x!quant.uniform<i4:f32:{0:2, 1:1}, {{1.0:1, 2.0:2}, {3.0:3, 4.0:-4}}>>
  %w = qc.dequantize %q : tensor<4x2x!quant.uniform<i4:f32:{0:2, 1:1}, {{1.0:1, 2.0:2}, {3.0:3, 4.0:-4}}>> -> tensor<4x2xf32>
  %y = qc.matmul %x, %w : (tensor<1x4xf32>, tensor<4x2xf32>) -> tensor<1x2xf32>
  return %y : tensor<1x2xf32>
}

// -----

// int2 rows as int4 rows: the codes 0, 1, -2, -1 of row 0 (byte 0xE4,
// first code lowest) as the nibbles 0x10, 0xFE; rows 1 and 2 zeros.
// CHECK-LABEL: func.func @int2_unpacked
// CHECK-DAG: %[[W:.*]] = arith.constant dense<[16, -2, 0, 0, 0, 0]> : tensor<6xi8>
// CHECK-DAG: bufferization.to_buffer %[[W]] read_only
// CHECK: %[[BITS:.*]] = arith.constant 4 : i64
// CHECK: call @qcc_ukernel_matmul_s8_packed({{.*}}, %[[BITS]])
// CHECK-NOT: qc.unpack
func.func @int2_unpacked(%x: tensor<2x4xi8>) -> tensor<2x3xi32> {
  %p = arith.constant dense<[-28, 0, 0]> : tensor<3xi8>
  %w = qc.unpack %p {reduction_dims = array<i64: 0>} : tensor<3xi8> -> tensor<4x3xi2>
  %y = qc.matmul %x, %w : (tensor<2x4xi8>, tensor<4x3xi2>) -> tensor<2x3xi32>
  return %y : tensor<2x3xi32>
}

// -----

// Low-bit float weights of other layers are dequantized at compile time
// (FP8 E4M3 code 0x38 is 1.0, 0x40 is 2.0; scales per output channel).
// CHECK-LABEL: func.func @fp8_conv
// CHECK: arith.constant dense<{{\[\[\[\[}}5.000000e-01]]], {{\[\[\[}}4.000000e+00]]]]> : tensor<2x1x1x1xf32>
// CHECK-NOT: qc.
func.func @fp8_conv(%x: tensor<1x1x2x2xf32>) -> tensor<1x2x2x2xf32> {
  %c = arith.constant dense<[[[[56]]], [[[64]]]]> : tensor<2x1x1x1xi8>
  %q = qc.storage_cast %c : tensor<2x1x1x1xi8> -> tensor<2x1x1x1x!qc.float<f8E4M3FN:f32:0, {0.5, 2.0}>>
  %w = qc.dequantize %q : tensor<2x1x1x1x!qc.float<f8E4M3FN:f32:0, {0.5, 2.0}>> -> tensor<2x1x1x1xf32>
  %y = qc.conv %x, %w {dilations = array<i64: 1, 1>, group = 1 : i64, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>} : (tensor<1x1x2x2xf32>, tensor<2x1x1x1xf32>) -> tensor<1x2x2x2xf32>
  return %y : tensor<1x2x2x2xf32>
}

// -----

// A float model's constant f32 weight: the same kernel reading rows of
// floats (format 9), laid out [N][K] at compile time: W [K=2, N=2] =
// [[1, 2], [3, 4]] becomes rows (1, 3), (2, 4), as bytes of f32. An N-d
// input is the matrix of its rows ([2, 3, 2] -> [6, 2]) and the result is
// expanded back.
// CHECK-LABEL: func.func @float_weight
// CHECK: %[[ROWS:.*]] = arith.constant dense<[0, 0, -128, 63, 0, 0, 64, 64, 0, 0, 0, 64, 0, 0, -128, 64]> : tensor<16xi8>
// CHECK: %[[X:.*]] = tensor.collapse_shape %arg0 {{\[\[}}0, 1], [2]] : tensor<2x3x2xf32> into tensor<6x2xf32>
// CHECK: bufferization.to_buffer %[[X]] read_only
// CHECK: bufferization.to_buffer %[[ROWS]] read_only
// CHECK: memref.alloc() {alignment = 64 : i64} : memref<6x2xf32>
// CHECK: %[[FORMAT:.*]] = arith.constant 9 : i64
// CHECK: call @qcc_ukernel_matmul_f32_packed({{.*}}, %[[FORMAT]], %{{.*}})
// CHECK: tensor.expand_shape {{.*}} {{\[\[}}0, 1], [2]] output_shape [2, 3, 2] : tensor<6x2xf32> into tensor<2x3x2xf32>
func.func @float_weight(%x: tensor<2x3x2xf32>) -> tensor<2x3x2xf32> {
  %w = arith.constant dense<[[1.0, 2.0], [3.0, 4.0]]> : tensor<2x2xf32>
  %y = qc.matmul %x, %w : (tensor<2x3x2xf32>, tensor<2x2xf32>) -> tensor<2x3x2xf32>
  return %y : tensor<2x3x2xf32>
}

// -----

// Block-scaled weights on packed codes: the block kernel with the element
// format (8: FP4 E2M1), the block size, the scale kind (2: E4M3) and the
// tensor scale's f32 bits (0.25 = 0x3E800000); scale codes [K/B][N] become
// the kernel's [N][K/B].
// CHECK-LABEL: func.func private @qcc_ukernel_matmul_f32_block_packed
// CHECK-LABEL: func.func @nvfp4
// CHECK: arith.constant dense<[1, 3, 2, 4]> : tensor<4xi8>
// CHECK: %[[FORMAT:.*]] = arith.constant 8 : i64
// CHECK: %[[BLOCK:.*]] = arith.constant 16 : i64
// CHECK: %[[KIND:.*]] = arith.constant 2 : i64
// CHECK: %[[TENSOR:.*]] = arith.constant 1048576000 : i64
// CHECK: call @qcc_ukernel_matmul_f32_block_packed({{.*}}, %[[FORMAT]], %[[BLOCK]], %[[KIND]], %[[TENSOR]])
// CHECK-NOT: qc.
func.func @nvfp4(%x: tensor<1x32xf32>) -> tensor<1x2xf32> {
  %p = arith.constant dense<17> : tensor<32xi8>
  %s = arith.constant dense<[[1, 2], [3, 4]]> : tensor<2x2xi8>
  %c = qc.unpack %p {reduction_dims = array<i64: 0>} : tensor<32xi8> -> tensor<32x2xi4>
  %w = qc.dequantize_blocks %c, %s {format = !qc.block<f4E2M1FN:f32, scale = f8E4M3FN, block = 16, axis = 0, tensor_scale = 0.25>} : (tensor<32x2xi4>, tensor<2x2xi8>) -> tensor<32x2xf32>
  %y = qc.matmul %x, %w : (tensor<1x32xf32>, tensor<32x2xf32>) -> tensor<1x2xf32>
  return %y : tensor<1x2xf32>
}

// -----

// Block-scaled weights of a convolution are dequantized at compile time:
// NVFP4 code 2 (1.0) times E4M3 scale code 56 (1.0) times tensor scale 0.5.
// CHECK-LABEL: func.func @nv_conv
// CHECK: arith.constant dense<5.000000e-01> : tensor<1x16x1x1xf32>
// CHECK-NOT: qc.dequantize_blocks
func.func @nv_conv(%x: tensor<1x16x2x2xf32>) -> tensor<1x1x2x2xf32> {
  %c = arith.constant dense<2> : tensor<1x16x1x1xi4>
  %s = arith.constant dense<56> : tensor<1x1x1x1xi8>
  %w = qc.dequantize_blocks %c, %s {format = !qc.block<f4E2M1FN:f32, scale = f8E4M3FN, block = 16, axis = 1, tensor_scale = 0.5>} : (tensor<1x16x1x1xi4>, tensor<1x1x1x1xi8>) -> tensor<1x16x1x1xf32>
  %y = qc.conv %x, %w {dilations = array<i64: 1, 1>, group = 1 : i64, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>} : (tensor<1x16x2x2xf32>, tensor<1x16x1x1xf32>) -> tensor<1x1x2x2xf32>
  return %y : tensor<1x1x2x2xf32>
}

// -----

// A float convolution on packed FP4 weights (rows [M][C*KH*KW], reduced
// over dimensions 1-3): zero padding, im2col rows [N*OH*OW, C*KH*KW] (one
// generic copying patches), the f32 kernel, then [N, OH, OW, M] transposed
// to NCHW. The conv bias is the kernel's bias.
// CHECK-LABEL: func.func @fp4_conv
// CHECK: tensor.pad %arg0 low[0, 0, 1, 1] high[0, 0, 1, 1]
// CHECK: %[[COL:.*]] = linalg.generic {{.*}} outs(%{{.*}} : tensor<1x4x4x2x3x3xf32>)
// CHECK: tensor.collapse_shape %[[COL]] {{\[\[}}0, 1, 2], [3, 4, 5]] : tensor<1x4x4x2x3x3xf32> into tensor<16x18xf32>
// CHECK: memref.alloc() {alignment = 64 : i64} : memref<16x3xf32>
// CHECK: %[[FORMAT:.*]] = arith.constant 8 : i64
// CHECK: %[[GROUP:.*]] = arith.constant 18 : i64
// CHECK: call @qcc_ukernel_matmul_f32_packed({{.*}}, %[[FORMAT]], %[[GROUP]])
// CHECK: tensor.expand_shape {{.*}} : tensor<16x3xf32> into tensor<1x4x4x3xf32>
// CHECK: linalg.transpose ins(%{{.*}} : tensor<1x4x4x3xf32>) outs(%{{.*}} : tensor<1x3x4x4xf32>) permutation = [0, 3, 1, 2]
// CHECK-NOT: qc.
func.func @fp4_conv(%x: tensor<1x2x4x4xf32>) -> tensor<1x3x4x4xf32> {
  %p = arith.constant dense<17> : tensor<27xi8>
  %b = arith.constant dense<[1.0, 2.0, 3.0]> : tensor<3xf32>
  %c = qc.unpack %p {reduction_dims = array<i64: 1, 2, 3>} : tensor<27xi8> -> tensor<3x2x3x3xi4>
  %q = qc.storage_cast %c : tensor<3x2x3x3xi4> -> tensor<3x2x3x3x!qc.float<f4E2M1FN:f32:0, {0.5, 0.25, 1.0}>>
  %w = qc.dequantize %q : tensor<3x2x3x3x!qc.float<f4E2M1FN:f32:0, {0.5, 0.25, 1.0}>> -> tensor<3x2x3x3xf32>
  %y = qc.conv %x, %w, %b {dilations = array<i64: 1, 1>, group = 1 : i64, pads = array<i64: 1, 1, 1, 1>, strides = array<i64: 1, 1>} : (tensor<1x2x4x4xf32>, tensor<3x2x3x3xf32>, tensor<3xf32>) -> tensor<1x3x4x4xf32>
  return %y : tensor<1x3x4x4xf32>
}

// -----

// An integer convolution on packed int4 weights: below packed-conv-min-bytes
// (default 256 KiB as int8) unpacked for the int8 convolution; with 0,
// im2col rows [N*OH*OW, C*KH*KW] times the W4A8 kernel, then NCHW.
// CHECK-LABEL: func.func @w4_conv
// CHECK: linalg.conv_2d_nchw_fchw
// CHECK-NOT: call
// PACKED-CONV-LABEL: func.func @w4_conv
// PACKED-CONV: tensor.collapse_shape {{.*}} : tensor<1x2x2x2x3x3xi8> into tensor<4x18xi8>
// PACKED-CONV: call @qcc_ukernel_matmul_s8_packed
// PACKED-CONV: linalg.transpose ins(%{{.*}} : tensor<1x2x2x3xi32>) outs(%{{.*}} : tensor<1x3x2x2xi32>) permutation = [0, 3, 1, 2]
func.func @w4_conv(%x: tensor<1x2x4x4xi8>) -> tensor<1x3x2x2xi32> {
  %p = arith.constant dense<17> : tensor<27xi8>
  %c = qc.unpack %p {reduction_dims = array<i64: 1, 2, 3>} : tensor<27xi8> -> tensor<3x2x3x3xi4>
  %y = qc.conv %x, %c {dilations = array<i64: 1, 1>, group = 1 : i64, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>} : (tensor<1x2x4x4xi8>, tensor<3x2x3x3xi4>) -> tensor<1x3x2x2xi32>
  return %y : tensor<1x3x2x2xi32>
}

// -----

// A float model's convolution on a constant f32 weight is one call of the
// float convolution kernel on the unpadded input: its clamp bounds (-inf,
// +inf: no activation) follow the output, and the pads (top, left, bottom,
// right) are the last arguments, after the strides, dilations and the
// constant-weight flag; no tensor.pad. A depthwise one likewise.
// CHECK-LABEL: func.func @float_conv_padded
// CHECK-NOT: tensor.pad
// CHECK-DAG: %[[NEGINF:.*]] = arith.constant 0xFF800000 : f32
// CHECK-DAG: %[[INF:.*]] = arith.constant 0x7F800000 : f32
// CHECK: call @qcc_ukernel_conv2d_f32(%{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}, %[[NEGINF]], %[[INF]], %c2_i64{{[_0-9]*}}, %c2_i64{{[_0-9]*}}, %c1_i64{{[_0-9]*}}, %c1_i64{{[_0-9]*}}, %c1_i64{{[_0-9]*}}, %c1_i64{{[_0-9]*}}, %c0_i64{{[_0-9]*}}, %c2_i64{{[_0-9]*}}, %c1_i64{{[_0-9]*}})
// CHECK: call @qcc_ukernel_depthwise_conv2d_f32(%{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}, %c1_i64{{[_0-9]*}}, %c1_i64{{[_0-9]*}}, %c1_i64{{[_0-9]*}}, %c1_i64{{[_0-9]*}}, %c1_i64{{[_0-9]*}}, %c1_i64{{[_0-9]*}}, %c1_i64{{[_0-9]*}}, %c1_i64{{[_0-9]*}})
// CHECK-NOT: tensor.pad
func.func @float_conv_padded(%x: tensor<1x2x8x8xf32>) -> tensor<1x3x4x5xf32> {
  %w = arith.constant dense<0.5> : tensor<3x2x3x3xf32>
  %y = qc.conv %x, %w {dilations = array<i64: 1, 1>, group = 1 : i64, pads = array<i64: 1, 0, 2, 1>, strides = array<i64: 2, 2>} : (tensor<1x2x8x8xf32>, tensor<3x2x3x3xf32>) -> tensor<1x3x5x4xf32>
  %d = arith.constant dense<0.25> : tensor<3x1x3x3xf32>
  %z = qc.conv %y, %d {dilations = array<i64: 1, 1>, group = 3 : i64, pads = array<i64: 1, 1, 1, 1>, strides = array<i64: 1, 1>} : (tensor<1x3x5x4xf32>, tensor<3x1x3x3xf32>) -> tensor<1x3x5x4xf32>
  %t = qc.transpose %z {perm = array<i64: 0, 1, 3, 2>} : tensor<1x3x5x4xf32> -> tensor<1x3x4x5xf32>
  return %t : tensor<1x3x4x5xf32>
}

// -----

// A Relu or a Clip on constant bounds (ReLU6) that is a float convolution's
// only user is applied by the kernel as it stores: its bounds are the
// call's, and the op is gone. A convolution with two users keeps its Relu.
// CHECK-LABEL: func.func @float_conv_activation
// CHECK: %[[ZERO:.*]] = arith.constant 0.000000e+00 : f32
// CHECK: %[[INF:.*]] = arith.constant 0x7F800000 : f32
// CHECK: call @qcc_ukernel_conv2d_f32(%{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}, %[[ZERO]], %[[INF]],
// CHECK: %[[LO:.*]] = arith.constant 0.000000e+00 : f32
// CHECK: %[[SIX:.*]] = arith.constant 6.000000e+00 : f32
// CHECK: call @qcc_ukernel_depthwise_conv2d_f32(%{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}, %[[LO]], %[[SIX]],
// CHECK: %[[NEGINF:.*]] = arith.constant 0xFF800000 : f32
// CHECK: call @qcc_ukernel_conv2d_f32(%{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}, %[[NEGINF]], %{{.*}},
// CHECK: linalg.generic
// CHECK: arith.cmpf ugt
// CHECK-NOT: qc.
func.func @float_conv_activation(%x: tensor<1x2x4x4xf32>) -> (tensor<1x3x4x4xf32>, tensor<1x3x4x4xf32>) {
  %w = arith.constant dense<0.5> : tensor<3x2x1x1xf32>
  %y = qc.conv %x, %w {dilations = array<i64: 1, 1>, group = 1 : i64, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>} : (tensor<1x2x4x4xf32>, tensor<3x2x1x1xf32>) -> tensor<1x3x4x4xf32>
  %r = qc.relu %y : tensor<1x3x4x4xf32>
  %d = arith.constant dense<0.25> : tensor<3x1x3x3xf32>
  %z = qc.conv %r, %d {dilations = array<i64: 1, 1>, group = 3 : i64, pads = array<i64: 1, 1, 1, 1>, strides = array<i64: 1, 1>} : (tensor<1x3x4x4xf32>, tensor<3x1x3x3xf32>) -> tensor<1x3x4x4xf32>
  %lo = arith.constant dense<0.0> : tensor<f32>
  %hi = arith.constant dense<6.0> : tensor<f32>
  %c = qc.clip %z min %lo max %hi : (tensor<1x3x4x4xf32>, tensor<f32>, tensor<f32>) -> tensor<1x3x4x4xf32>
  %v = arith.constant dense<1.0> : tensor<3x3x1x1xf32>
  %u = qc.conv %c, %v {dilations = array<i64: 1, 1>, group = 1 : i64, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>} : (tensor<1x3x4x4xf32>, tensor<3x3x1x1xf32>) -> tensor<1x3x4x4xf32>
  %s = qc.relu %u : tensor<1x3x4x4xf32>
  return %u, %s : tensor<1x3x4x4xf32>, tensor<1x3x4x4xf32>
}
