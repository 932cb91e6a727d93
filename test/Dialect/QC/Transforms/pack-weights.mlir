// RUN: qopt %s -split-input-file -qc-pack-weights -verify-diagnostics | FileCheck %s
// RUN: qopt %s -split-input-file -qc-pack-weights="max-bits=8" -verify-diagnostics=only-expected | FileCheck %s --check-prefix=BYTES
// RUN: not qopt %s -split-input-file -qc-pack-weights="max-bits=9" 2>&1 | FileCheck %s --check-prefix=RANGE
// RANGE: qc-pack-weights: max-bits must be 1 to 8, got 9

// Integer-only gemm with int4 weights [K = 3, N = 2]: one row per output
// column, [1, 7, 3] -> 0x71 0x03 and [-2, -8, 0] -> 0x8E 0x00 (docs/packing.md).
// CHECK-LABEL: func @gemm_int4
// CHECK: %[[P:.*]] = arith.constant dense<[113, 3, -114, 0]> : tensor<4xi8>
// CHECK: %[[W:.*]] = qc.unpack %[[P]] {reduction_dims = array<i64: 0>} : tensor<4xi8> -> tensor<3x2xi4>
// CHECK: qc.gemm %arg0, %[[W]]
// expected-remark @+1 {{packed 1 weight tensors: 4 bytes (6 as one byte per weight)}}
func.func @gemm_int4(%x: tensor<1x3xi8>) -> tensor<1x2xi32> {
  // expected-remark @+1 {{packed 4-bit weights 'tensor<3x2xi4>': 4 bytes (6 as one byte per weight)}}
  %w = arith.constant dense<[[1, -2], [7, -8], [3, 0]]> : tensor<3x2xi4>
  %0 = qc.gemm %x, %w {alpha = 1.0 : f32, beta = 1.0 : f32, trans_a = false, trans_b = false} : (tensor<1x3xi8>, tensor<3x2xi4>) -> tensor<1x2xi32>
  return %0 : tensor<1x2xi32>
}

// -----

// Transposed B [N = 2, K = 3]: rows are the tensor's rows, [1, -2, 7] ->
// 0xE1 0x07 and [-8, 0, 0] -> 0x08 0x00.
// CHECK-LABEL: func @gemm_trans_b
// CHECK: %[[P:.*]] = arith.constant dense<[-31, 7, 8, 0]> : tensor<4xi8>
// CHECK: qc.unpack %[[P]] {reduction_dims = array<i64: 1>} : tensor<4xi8> -> tensor<2x3xi4>
// expected-remark @+1 {{packed 1 weight tensors}}
func.func @gemm_trans_b(%x: tensor<1x3xi8>) -> tensor<1x2xi32> {
  // expected-remark @+1 {{packed 4-bit weights}}
  %w = arith.constant dense<[[1, -2, 7], [-8, 0, 0]]> : tensor<2x3xi4>
  %0 = qc.gemm %x, %w {alpha = 1.0 : f32, beta = 1.0 : f32, trans_a = false, trans_b = true} : (tensor<1x3xi8>, tensor<2x3xi4>) -> tensor<1x2xi32>
  return %0 : tensor<1x2xi32>
}

// -----

// Weight-only (QDQ) FP4 weights of a matmul: the codes behind the storage
// cast are packed; the cast now reads the unpacked codes.
// CHECK-LABEL: func @matmul_fp4_weight_only
// CHECK: %[[P:.*]] = arith.constant dense<[117, 15]> : tensor<2xi8>
// CHECK: %[[U:.*]] = qc.unpack %[[P]] {reduction_dims = array<i64: 0>} : tensor<2xi8> -> tensor<2x2xi4>
// CHECK: qc.storage_cast %[[U]] : tensor<2x2xi4> -> tensor<2x2x!qc.float<f4E2M1FN:f32:1, {0.5, 0.25}>>
// expected-remark @+1 {{packed 1 weight tensors}}
func.func @matmul_fp4_weight_only(%x: tensor<4x2xf32>) -> tensor<4x2xf32> {
  // expected-remark @+1 {{packed 4-bit weights}}
  %c = arith.constant dense<[[5, -1], [7, 0]]> : tensor<2x2xi4>
  %q = qc.storage_cast %c : tensor<2x2xi4> -> tensor<2x2x!qc.float<f4E2M1FN:f32:1, {0.5, 0.25}>>
  %w = qc.dequantize %q : tensor<2x2x!qc.float<f4E2M1FN:f32:1, {0.5, 0.25}>> -> tensor<2x2xf32>
  %0 = qc.matmul %x, %w : (tensor<4x2xf32>, tensor<2x2xf32>) -> tensor<4x2xf32>
  return %0 : tensor<4x2xf32>
}

// -----

// Ternary conv weights [M = 2, C = 1, 1, 3]: rows run over C x KH x KW,
// four 2-bit codes per byte: [1, 0, -1] -> 0b110001, [-1, -1, 1] -> 0b011111.
// CHECK-LABEL: func @conv_ternary
// CHECK: %[[P:.*]] = arith.constant dense<[49, 31]> : tensor<2xi8>
// CHECK: qc.unpack %[[P]] {reduction_dims = array<i64: 1, 2, 3>} : tensor<2xi8> -> tensor<2x1x1x3xi2>
// expected-remark @+1 {{packed 1 weight tensors: 2 bytes (6 as one byte per weight)}}
func.func @conv_ternary(%x: tensor<1x1x1x3xi8>) -> tensor<1x2x1x1xi32> {
  // expected-remark @+1 {{packed 2-bit weights}}
  %w = arith.constant dense<[[[[1, 0, -1]]], [[[-1, -1, 1]]]]> : tensor<2x1x1x3xi2>
  %0 = qc.conv %x, %w {dilations = array<i64: 1, 1>, group = 1 : i64, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>} : (tensor<1x1x1x3xi8>, tensor<2x1x1x3xi2>) -> tensor<1x2x1x1xi32>
  return %0 : tensor<1x2x1x1xi32>
}

// -----

// int8 weights stay as they are unless max-bits is 8 (then they are stored
// in row layout: the transpose of [K, N]).
// CHECK-LABEL: func @int8
// CHECK: arith.constant dense<{{\[\[}}1, 2], [3, 4]]> : tensor<2x2xi8>
// CHECK-NOT: qc.unpack
// BYTES-LABEL: func @int8
// BYTES: %[[P:.*]] = arith.constant dense<[1, 3, 2, 4]> : tensor<4xi8>
// BYTES: qc.unpack %[[P]] {reduction_dims = array<i64: 0>} : tensor<4xi8> -> tensor<2x2xi8>
func.func @int8(%x: tensor<1x2xi8>) -> tensor<1x2xi32> {
  %w = arith.constant dense<[[1, 2], [3, 4]]> : tensor<2x2xi8>
  %0 = qc.gemm %x, %w {alpha = 1.0 : f32, beta = 1.0 : f32, trans_a = false, trans_b = false} : (tensor<1x2xi8>, tensor<2x2xi8>) -> tensor<1x2xi32>
  return %0 : tensor<1x2xi32>
}

// -----

// A constant two layers read along different dimensions stays unpacked.
// CHECK-LABEL: func @disagreeing_layers
// CHECK-NOT: qc.unpack
func.func @disagreeing_layers(%x: tensor<1x2xi8>) -> (tensor<1x2xi32>, tensor<1x2xi32>) {
  %w = arith.constant dense<[[1, 2], [3, 4]]> : tensor<2x2xi4>
  %0 = qc.gemm %x, %w {alpha = 1.0 : f32, beta = 1.0 : f32, trans_a = false, trans_b = false} : (tensor<1x2xi8>, tensor<2x2xi4>) -> tensor<1x2xi32>
  %1 = qc.gemm %x, %w {alpha = 1.0 : f32, beta = 1.0 : f32, trans_a = false, trans_b = true} : (tensor<1x2xi8>, tensor<2x2xi4>) -> tensor<1x2xi32>
  return %0, %1 : tensor<1x2xi32>, tensor<1x2xi32>
}
