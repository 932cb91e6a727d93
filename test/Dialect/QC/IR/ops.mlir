// RUN: qopt %s -split-input-file | FileCheck %s
// RUN: qopt %s -split-input-file -mlir-print-op-generic | qopt -split-input-file | FileCheck %s

// CHECK-LABEL: func @quantize_integer
func.func @quantize_integer(%x: tensor<?x16xf32>) {
  // The default rounding (half_to_even, as ONNX) is not printed.
  // CHECK: qc.quantize %{{.*}} : tensor<?x16xf32> -> tensor<?x16x!quant.uniform<i8:f32, 5.000000e-02:-3>>
  %0 = qc.quantize %x : tensor<?x16xf32> -> tensor<?x16x!quant.uniform<i8:f32, 0.05:-3>>
  // CHECK: qc.quantize %{{.*}} : tensor<?x16xf32> -> tensor<?x16x!quant.uniform<u4:f32, 5.000000e-01:3>>
  %1 = qc.quantize %x rounding<half_to_even> : tensor<?x16xf32> -> tensor<?x16x!quant.uniform<u4:f32, 0.5:3>>
  // CHECK: qc.quantize %{{.*}} rounding<half_up> : tensor<?x16xf32> -> tensor<?x16x!quant.uniform<i4:f32:1,
  %2 = qc.quantize %x rounding<half_up> : tensor<?x16xf32> -> tensor<?x16x!quant.uniform<i4:f32:1, {1.0,2.0,3.0,4.0,5.0,6.0,7.0,8.0,1.0,2.0,3.0,4.0,5.0,6.0,7.0,8.0}>>
  // CHECK: qc.quantize %{{.*}} rounding<toward_zero>
  %3 = qc.quantize %x rounding<toward_zero> : tensor<?x16xf32> -> tensor<?x16x!quant.uniform<i2<-1:1>:f32, 1.0>>
  // CHECK: qc.quantize %{{.*}} rounding<half_away_from_zero>
  %4 = qc.quantize %x rounding<half_away_from_zero> : tensor<?x16xf32> -> tensor<?x16x!quant.uniform<i16:f32, 1.0>>
  // CHECK: qc.quantize %{{.*}} rounding<down>
  %5 = qc.quantize %x rounding<down> : tensor<?x16xf32> -> tensor<?x16x!quant.uniform<i8:f32, 1.0>>
  // CHECK: qc.quantize %{{.*}} rounding<up>
  %6 = qc.quantize %x rounding<up> : tensor<?x16xf32> -> tensor<?x16x!quant.uniform<i8:f32, 1.0>>
  return
}

// -----

// CHECK-LABEL: func @quantize_per_group
func.func @quantize_per_group(%w: tensor<2x64xf32>) -> tensor<2x64xf32> {
  // CHECK: qc.quantize %{{.*}} : tensor<2x64xf32> -> tensor<2x64x!quant.uniform<i4:f32:{0:1, 1:32}
  %q = qc.quantize %w : tensor<2x64xf32> -> tensor<2x64x!quant.uniform<i4:f32:{0:1, 1:32}, {{0.1, 0.2}, {0.3, 0.4}}>>
  // CHECK: qc.dequantize %{{.*}} : tensor<2x64x!quant.uniform<i4:f32:{0:1, 1:32}
  %d = qc.dequantize %q : tensor<2x64x!quant.uniform<i4:f32:{0:1, 1:32}, {{0.1, 0.2}, {0.3, 0.4}}>> -> tensor<2x64xf32>
  return %d : tensor<2x64xf32>
}

// -----

// CHECK-LABEL: func @quantize_low_bit_float
func.func @quantize_low_bit_float(%x: tensor<4x3xf16>) -> tensor<4x3xf16> {
  // CHECK: qc.quantize %{{.*}} : tensor<4x3xf16> -> tensor<4x3x!qc.float<f8E4M3FN:f16, 0.0125>>
  %0 = qc.quantize %x : tensor<4x3xf16> -> tensor<4x3x!qc.float<f8E4M3FN:f16, 0.0125>>
  // CHECK: qc.quantize %{{.*}} rounding<toward_zero> : tensor<4x3xf16> -> tensor<4x3x!qc.float<f6E2M3FN:f16:1, {0.5, 0.25, 0.125}>>
  %1 = qc.quantize %x rounding<toward_zero> : tensor<4x3xf16> -> tensor<4x3x!qc.float<f6E2M3FN:f16:1, {0.5, 0.25, 0.125}>>
  // CHECK: qc.dequantize %{{.*}} : tensor<4x3x!qc.float<f8E4M3FN:f16, 0.0125>> -> tensor<4x3xf16>
  %2 = qc.dequantize %0 : tensor<4x3x!qc.float<f8E4M3FN:f16, 0.0125>> -> tensor<4x3xf16>
  return %2 : tensor<4x3xf16>
}

// -----

// CHECK-LABEL: func @quantize_block_scaled
func.func @quantize_block_scaled(%x: tensor<?x64xf32>) -> tensor<?x64xf32> {
  // A dynamic batch is fine; only the blocked axis must be static.
  // CHECK: qc.quantize %{{.*}} : tensor<?x64xf32> -> tensor<?x64x!qc.block<f4E2M1FN:f32, scale = f8E8M0FNU, block = 32, axis = 1>>
  %mx = qc.quantize %x : tensor<?x64xf32> -> tensor<?x64x!qc.block<f4E2M1FN:f32, scale = f8E8M0FNU, block = 32, axis = 1>>
  // CHECK: qc.quantize %{{.*}} : tensor<?x64xf32> -> tensor<?x64x!qc.block<f4E2M1FN:f32, scale = f8E4M3FN, block = 16, axis = 1, tensor_scale = 0.0025>>
  %nv = qc.quantize %x : tensor<?x64xf32> -> tensor<?x64x!qc.block<f4E2M1FN:f32, scale = f8E4M3FN, block = 16, axis = 1, tensor_scale = 0.0025>>
  // CHECK: qc.dequantize %{{.*}} : tensor<?x64x!qc.block<f4E2M1FN:f32, scale = f8E8M0FNU, block = 32, axis = 1>> -> tensor<?x64xf32>
  %d = qc.dequantize %mx : tensor<?x64x!qc.block<f4E2M1FN:f32, scale = f8E8M0FNU, block = 32, axis = 1>> -> tensor<?x64xf32>
  return %d : tensor<?x64xf32>
}

// -----

// CHECK-LABEL: func @requantize
func.func @requantize(%acc: tensor<8x4x!quant.uniform<i32:f32:1, {0.001, 0.002, 0.003, 0.004}>>) {
  // CHECK: qc.requantize %{{.*}} rounding<half_up> : tensor<8x4x!quant.uniform<i32:f32:1, {{.*}}>> -> tensor<8x4x!quant.uniform<i8:f32, 5.000000e-02:-3>>
  %0 = qc.requantize %acc rounding<half_up> : tensor<8x4x!quant.uniform<i32:f32:1, {0.001, 0.002, 0.003, 0.004}>> -> tensor<8x4x!quant.uniform<i8:f32, 0.05:-3>>
  // CHECK: qc.requantize %{{.*}} rounding<half_to_even> : {{.*}} -> tensor<8x4x!quant.uniform<u8:f32:1,
  %1 = qc.requantize %acc rounding<half_to_even> : tensor<8x4x!quant.uniform<i32:f32:1, {0.001, 0.002, 0.003, 0.004}>> -> tensor<8x4x!quant.uniform<u8:f32:1, {0.1:128, 0.1:128, 0.2:128, 0.2:128}>>
  return
}

// -----

// CHECK-LABEL: func @rescale
func.func @rescale(%acc: tensor<?x4xi32>, %x: tensor<16xi8>, %wide: tensor<4xi48>) {
  // CHECK: qc.rescale %{{.*}} multiplier [1518500250] shift [38] zp (0, -3) : tensor<?x4xi32> -> tensor<?x4xi8>
  %0 = qc.rescale %acc multiplier [1518500250] shift [38] zp (0, -3) : tensor<?x4xi32> -> tensor<?x4xi8>
  // Per channel along axis 1, unsigned output, TOSA double rounding.
  // CHECK: qc.rescale %{{.*}} multiplier [1073741824, 1073741825, 2147483647, 0] shift [31, 40, 62, 2] axis 1 zp (0, 128) {output_unsigned, rounding_mode = #qc.rescale_rounding<double_round>} : tensor<?x4xi32> -> tensor<?x4xi8>
  %1 = qc.rescale %acc multiplier [1073741824, 1073741825, 2147483647, 0] shift [31, 40, 62, 2] axis 1 zp (0, 128) {output_unsigned, rounding_mode = #qc.rescale_rounding<double_round>} : tensor<?x4xi32> -> tensor<?x4xi8>
  // Unsigned input (uint8 with zero point 128) to int8.
  // CHECK: qc.rescale %{{.*}} multiplier [1073741824] shift [30] zp (128, 0) {input_unsigned} : tensor<16xi8> -> tensor<16xi8>
  %2 = qc.rescale %x multiplier [1073741824] shift [30] zp (128, 0) {input_unsigned} : tensor<16xi8> -> tensor<16xi8>
  // 16-bit multipliers take 48-bit inputs.
  // CHECK: qc.rescale %{{.*}} multiplier [32767] shift [20] zp (0, 0) {scale32 = false} : tensor<4xi48> -> tensor<4xi16>
  %3 = qc.rescale %wide multiplier [32767] shift [20] zp (0, 0) {scale32 = false} : tensor<4xi48> -> tensor<4xi16>
  return
}

// -----

// A lookup table with one entry per input value (2^4 for i4), of the
// result's element type.
// CHECK-LABEL: func @table
// CHECK: qc.table %{{.*}}, %{{.*}} : (tensor<?x4xi4>, tensor<16xi8>) -> tensor<?x4xi8>
func.func @table(%x: tensor<?x4xi4>, %t: tensor<16xi8>) -> tensor<?x4xi8> {
  %0 = qc.table %x, %t : (tensor<?x4xi4>, tensor<16xi8>) -> tensor<?x4xi8>
  return %0 : tensor<?x4xi8>
}

// -----

// CHECK-LABEL: func @unpack
// CHECK: qc.unpack %arg0 {reduction_dims = array<i64: 1, 2, 3>} : tensor<2xi8> -> tensor<2x1x1x3xi2>
func.func @unpack(%p: tensor<2xi8>) -> tensor<2x1x1x3xi2> {
  %0 = qc.unpack %p {reduction_dims = array<i64: 1, 2, 3>} : tensor<2xi8> -> tensor<2x1x1x3xi2>
  return %0 : tensor<2x1x1x3xi2>
}

// -----

// CHECK-LABEL: func @dequantize_blocks
// CHECK: qc.dequantize_blocks %arg0, %arg1 {format = !qc.block<f4E2M1FN:f32, scale = f8E4M3FN, block = 16, axis = 1, tensor_scale = 0.25>} : (tensor<2x32xi4>, tensor<2x2xi8>) -> tensor<2x32xf32>
func.func @dequantize_blocks(%c: tensor<2x32xi4>, %s: tensor<2x2xi8>) -> tensor<2x32xf32> {
  %0 = qc.dequantize_blocks %c, %s {format = !qc.block<f4E2M1FN:f32, scale = f8E4M3FN, block = 16, axis = 1, tensor_scale = 0.25>} : (tensor<2x32xi4>, tensor<2x2xi8>) -> tensor<2x32xf32>
  return %0 : tensor<2x32xf32>
}
