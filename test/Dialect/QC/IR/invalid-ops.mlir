// RUN: qopt %s -split-input-file -verify-diagnostics

func.func @quantize_to_float(%x: tensor<4xf32>) {
  // expected-error @+1 {{'qc.quantize' op result element type must be !quant.uniform, !qc.float or !qc.block, got 'f16'}}
  %0 = qc.quantize %x : tensor<4xf32> -> tensor<4xf16>
  return
}

// -----

func.func @quantize_expressed_mismatch(%x: tensor<4xf16>) {
  // expected-error @+1 {{'qc.quantize' op expressed type 'f32' of the result does not match float element type 'f16'}}
  %0 = qc.quantize %x : tensor<4xf16> -> tensor<4x!quant.uniform<i8:f32, 0.1>>
  return
}

// -----

func.func @quantize_integer_input(%x: tensor<4xi32>) {
  // expected-error @+1 {{'qc.quantize' op operand #0 must be ranked tensor of 32-bit float or 16-bit float or bfloat16 type values, but got 'tensor<4xi32>'}}
  %0 = qc.quantize %x : tensor<4xi32> -> tensor<4x!quant.uniform<i8:f32, 0.1>>
  return
}

// -----

func.func @quantize_shape_mismatch(%x: tensor<4xf32>) {
  // expected-error @+1 {{'qc.quantize' op requires the same shape for all operands and results}}
  %0 = qc.quantize %x : tensor<4xf32> -> tensor<5x!quant.uniform<i8:f32, 0.1>>
  return
}

// -----

func.func @quantize_calibrated_type(%x: tensor<4xf32>) {
  // expected-error @+1 {{'qc.quantize' op result element type must be !quant.uniform, !qc.float or !qc.block, got '!quant.calibrated<f32<-1.000000e+00:1.000000e+00>>'}}
  %0 = qc.quantize %x : tensor<4xf32> -> tensor<4x!quant.calibrated<f32<-1.0:1.0>>>
  return
}

// -----

func.func @per_axis_out_of_range(%x: tensor<4xf32>) {
  // expected-error @+1 {{'qc.quantize' op quantized axis 1 is out of range for a tensor of rank 1}}
  %0 = qc.quantize %x : tensor<4xf32> -> tensor<4x!quant.uniform<i8:f32:1, {0.1, 0.2}>>
  return
}

// -----

func.func @per_axis_scale_count(%x: tensor<2x3xf32>) {
  // expected-error @+1 {{'qc.quantize' op dimension 1 has size 3 but the quantized type has 2 scales}}
  %0 = qc.quantize %x : tensor<2x3xf32> -> tensor<2x3x!quant.uniform<i8:f32:1, {0.1, 0.2}>>
  return
}

// -----

func.func @scaled_float_scale_count(%x: tensor<2x3xf32>) {
  // expected-error @+1 {{'qc.quantize' op dimension 0 has size 2 but the quantized type has 3 scales}}
  %0 = qc.quantize %x : tensor<2x3xf32> -> tensor<2x3x!qc.float<f8E4M3FN:f32:0, {0.1, 0.2, 0.3}>>
  return
}

// -----

func.func @per_group_mismatch(%x: tensor<2x48xf32>) {
  // expected-error @+1 {{'qc.quantize' op dimension 1 of size 48 does not split into 2 groups of 32}}
  %0 = qc.quantize %x : tensor<2x48xf32> -> tensor<2x48x!quant.uniform<i4:f32:{0:1, 1:32}, {{0.1, 0.2}, {0.3, 0.4}}>>
  return
}

// -----

func.func @per_group_rank(%x: tensor<2x64x1xf32>) {
  // expected-error @+1 {{'qc.quantize' op per-group scales have rank 2 but the tensor has rank 3}}
  %0 = qc.quantize %x : tensor<2x64x1xf32> -> tensor<2x64x1x!quant.uniform<i4:f32:{0:1, 1:32}, {{0.1, 0.2}, {0.3, 0.4}}>>
  return
}

// -----

func.func @block_not_multiple(%x: tensor<4x48xf32>) {
  // expected-error @+1 {{'qc.quantize' op dimension 1 of size 48 is not a multiple of the block size 32}}
  %0 = qc.quantize %x : tensor<4x48xf32> -> tensor<4x48x!qc.block<f4E2M1FN:f32, scale = f8E8M0FNU, block = 32, axis = 1>>
  return
}

// -----

func.func @block_dynamic_axis(%x: tensor<4x?xf32>) {
  // expected-error @+1 {{'qc.quantize' op block-scaled dimension 1 must be static}}
  %0 = qc.quantize %x : tensor<4x?xf32> -> tensor<4x?x!qc.block<f4E2M1FN:f32, scale = f8E8M0FNU, block = 32, axis = 1>>
  return
}

// -----

func.func @block_axis_out_of_range(%x: tensor<64xf32>) {
  // expected-error @+1 {{'qc.quantize' op block axis 1 is out of range for a tensor of rank 1}}
  %0 = qc.quantize %x : tensor<64xf32> -> tensor<64x!qc.block<f4E2M1FN:f32, scale = f8E8M0FNU, block = 32, axis = 1>>
  return
}

// -----

func.func @block_rounding(%x: tensor<64xf32>) {
  // expected-error @+1 {{'qc.quantize' op block-scaled quantization rounds half_to_even, got rounding half_up}}
  %0 = qc.quantize %x rounding<half_up> : tensor<64xf32> -> tensor<64x!qc.block<f4E2M1FN:f32, scale = f8E8M0FNU, block = 32, axis = 0>>
  return
}

// -----

func.func @bad_rounding_name(%x: tensor<4xf32>) {
  // expected-error @+2 {{expected ::qcc::qc::RoundingMode to be one of: half_to_even, half_away_from_zero, half_up, toward_zero, down, up}}
  // expected-error @+1 {{failed to parse QC_RoundingModeAttr parameter 'value'}}
  %0 = qc.quantize %x rounding<nearest> : tensor<4xf32> -> tensor<4x!quant.uniform<i8:f32, 0.1>>
  return
}

// -----

func.func @dequantize_float_input(%x: tensor<4xf32>) {
  // expected-error @+1 {{'qc.dequantize' op input element type must be !quant.uniform, !qc.float or !qc.block, got 'f32'}}
  %0 = qc.dequantize %x : tensor<4xf32> -> tensor<4xf32>
  return
}

// -----

func.func @dequantize_expressed_mismatch(%q: tensor<4x!qc.float<f8E5M2:f32, 0.5>>) {
  // expected-error @+1 {{'qc.dequantize' op expressed type 'f32' of the input does not match float element type 'bf16'}}
  %0 = qc.dequantize %q : tensor<4x!qc.float<f8E5M2:f32, 0.5>> -> tensor<4xbf16>
  return
}

// -----

func.func @requantize_needs_rounding(%q: tensor<4x!quant.uniform<i32:f32, 0.1>>) {
  // expected-error @+1 {{expected 'rounding'}}
  %0 = qc.requantize %q : tensor<4x!quant.uniform<i32:f32, 0.1>> -> tensor<4x!quant.uniform<i8:f32, 0.1>>
  return
}

// -----

func.func @requantize_float_type(%q: tensor<4x!qc.float<f8E4M3FN:f32, 0.5>>) {
  // expected-error @+1 {{'qc.requantize' op input element type must be a per-tensor or per-axis !quant.uniform type, got '!qc.float<f8E4M3FN:f32, 0.5>'}}
  %0 = qc.requantize %q rounding<half_up> : tensor<4x!qc.float<f8E4M3FN:f32, 0.5>> -> tensor<4x!quant.uniform<i8:f32, 0.1>>
  return
}

// -----

func.func @requantize_expressed(%q: tensor<4x!quant.uniform<i32:f32, 0.1>>) {
  // expected-error @+1 {{'qc.requantize' op input and result expressed types differ: 'f32' vs 'f16'}}
  %0 = qc.requantize %q rounding<half_up> : tensor<4x!quant.uniform<i32:f32, 0.1>> -> tensor<4x!quant.uniform<i8:f16, 0.1>>
  return
}

// -----

func.func @requantize_axes(%q: tensor<2x2x!quant.uniform<i32:f32:0, {0.1, 0.2}>>) {
  // expected-error @+1 {{'qc.requantize' op input is quantized along axis 0 but the result along axis 1}}
  %0 = qc.requantize %q rounding<half_up> : tensor<2x2x!quant.uniform<i32:f32:0, {0.1, 0.2}>> -> tensor<2x2x!quant.uniform<i8:f32:1, {0.1, 0.2}>>
  return
}

// -----

func.func @rescale_count(%x: tensor<4xi32>) {
  // expected-error @+1 {{'qc.rescale' op expected as many shifts as multipliers (at least one), got 2 multipliers and 1 shifts}}
  %0 = qc.rescale %x multiplier [1, 2] shift [3] zp (0, 0) : tensor<4xi32> -> tensor<4xi8>
  return
}

// -----

func.func @rescale_per_channel_without_axis(%x: tensor<4xi32>) {
  // expected-error @+1 {{'qc.rescale' op expected one multiplier without an axis, got 2}}
  %0 = qc.rescale %x multiplier [1, 2] shift [3, 3] zp (0, 0) : tensor<4xi32> -> tensor<4xi8>
  return
}

// -----

func.func @rescale_channels(%x: tensor<2x3xi32>) {
  // expected-error @+1 {{'qc.rescale' op dimension 1 has 3 channels but 2 multipliers are given}}
  %0 = qc.rescale %x multiplier [1, 2] shift [3, 3] axis 1 zp (0, 0) : tensor<2x3xi32> -> tensor<2x3xi8>
  return
}

// -----

func.func @rescale_axis(%x: tensor<2x3xi32>) {
  // expected-error @+1 {{'qc.rescale' op axis 2 is out of range for a tensor of rank 2}}
  %0 = qc.rescale %x multiplier [1] shift [3] axis 2 zp (0, 0) : tensor<2x3xi32> -> tensor<2x3xi8>
  return
}

// -----

func.func @rescale_negative_multiplier(%x: tensor<4xi32>) {
  // expected-error @+1 {{'qc.rescale' op multiplier #0 (-1) must be in [0, 2147483648) with scale32}}
  %0 = qc.rescale %x multiplier [-1] shift [3] zp (0, 0) : tensor<4xi32> -> tensor<4xi8>
  return
}

// -----

func.func @rescale_multiplier16(%x: tensor<4xi32>) {
  // expected-error @+1 {{'qc.rescale' op multiplier #0 (32768) must be in [0, 32768) without scale32}}
  %0 = qc.rescale %x multiplier [32768] shift [3] zp (0, 0) {scale32 = false} : tensor<4xi32> -> tensor<4xi8>
  return
}

// -----

func.func @rescale_shift(%x: tensor<4xi32>) {
  // expected-error @+1 {{'qc.rescale' op shift #0 (1) must be in [2, 62]}}
  %0 = qc.rescale %x multiplier [1] shift [1] zp (0, 0) : tensor<4xi32> -> tensor<4xi8>
  return
}

// -----

func.func @rescale_shift_high(%x: tensor<2x2xi32>) {
  // expected-error @+1 {{'qc.rescale' op shift #1 (63) must be in [2, 62]}}
  %0 = qc.rescale %x multiplier [1, 1] shift [2, 63] axis 0 zp (0, 0) : tensor<2x2xi32> -> tensor<2x2xi8>
  return
}

// -----

func.func @rescale_double_round16(%x: tensor<4xi32>) {
  // expected-error @+1 {{'qc.rescale' op double_round requires scale32}}
  %0 = qc.rescale %x multiplier [1] shift [3] zp (0, 0) {scale32 = false, rounding_mode = #qc.rescale_rounding<double_round>} : tensor<4xi32> -> tensor<4xi8>
  return
}

// -----

func.func @rescale_wide_input(%x: tensor<4xi48>) {
  // expected-error @+1 {{'qc.rescale' op input of 48 bits exceeds the 32-bit limit of scale32}}
  %0 = qc.rescale %x multiplier [1] shift [3] zp (0, 0) : tensor<4xi48> -> tensor<4xi8>
  return
}

// -----

func.func @rescale_wider_than_48(%x: tensor<4xi64>) {
  // expected-error @+1 {{'qc.rescale' op input of 64 bits exceeds the 48-bit limit}}
  %0 = qc.rescale %x multiplier [1] shift [3] zp (0, 0) {scale32 = false} : tensor<4xi64> -> tensor<4xi8>
  return
}

// -----

func.func @requantize_shape(%q: tensor<2x3x!quant.uniform<i32:f32, 0.1>>) {
  // expected-error @+1 {{'qc.requantize' op dimension 1 has size 3 but the quantized type has 2 scales}}
  %0 = qc.requantize %q rounding<half_up> : tensor<2x3x!quant.uniform<i32:f32, 0.1>> -> tensor<2x3x!quant.uniform<i8:f32:1, {0.1, 0.2}>>
  return
}

// -----

func.func @requantize_per_group(%q: tensor<2x64x!quant.uniform<i32:f32:{0:1, 1:32}, {{0.1, 0.2}, {0.3, 0.4}}>>) {
  // expected-error @+1 {{'qc.requantize' op input element type must be a per-tensor or per-axis !quant.uniform type}}
  %0 = qc.requantize %q rounding<half_up> : tensor<2x64x!quant.uniform<i32:f32:{0:1, 1:32}, {{0.1, 0.2}, {0.3, 0.4}}>> -> tensor<2x64x!quant.uniform<i8:f32, 0.1>>
  return
}

// -----

func.func @rescale_wide_output(%x: tensor<4xi32>) {
  // expected-error @+1 {{'qc.rescale' op output of 64 bits exceeds the 32-bit limit}}
  %0 = qc.rescale %x multiplier [1] shift [3] zp (0, 0) : tensor<4xi32> -> tensor<4xi64>
  return
}

// -----

func.func @rescale_input_zp(%x: tensor<4xi8>) {
  // expected-error @+1 {{'qc.rescale' op input zero point 200 is out of range [-128, 127] of its 8-bit signed operand}}
  %0 = qc.rescale %x multiplier [1] shift [3] zp (200, 0) : tensor<4xi8> -> tensor<4xi8>
  return
}

// -----

func.func @rescale_output_zp(%x: tensor<4xi32>) {
  // expected-error @+1 {{'qc.rescale' op output zero point -1 is out of range [0, 255] of its 8-bit unsigned operand}}
  %0 = qc.rescale %x multiplier [1] shift [3] zp (0, -1) {output_unsigned} : tensor<4xi32> -> tensor<4xi8>
  return
}

// -----

func.func @rescale_float(%x: tensor<4xf32>) {
  // expected-error @+1 {{'qc.rescale' op operand #0 must be ranked tensor of signless integer values, but got 'tensor<4xf32>'}}
  %0 = qc.rescale %x multiplier [1] shift [3] zp (0, 0) : tensor<4xf32> -> tensor<4xi8>
  return
}

// -----

func.func @unpack_wrong_byte_count(%p: tensor<3xi8>) {
  // expected-error @+1 {{'qc.unpack' op expected 4 packed bytes (2 rows of 3 4-bit codes), got 3}}
  %0 = qc.unpack %p {reduction_dims = array<i64: 0>} : tensor<3xi8> -> tensor<3x2xi4>
  return
}

// -----

func.func @unpack_bad_dims(%p: tensor<4xi8>) {
  // expected-error @+1 {{'qc.unpack' op expected increasing reduction dimensions in [0, 2), got dimension 2}}
  %0 = qc.unpack %p {reduction_dims = array<i64: 2>} : tensor<4xi8> -> tensor<3x2xi4>
  return
}

// -----

func.func @unpack_no_dims(%p: tensor<4xi8>) {
  // expected-error @+1 {{'qc.unpack' op expected at least one reduction dimension}}
  %0 = qc.unpack %p {reduction_dims = array<i64>} : tensor<4xi8> -> tensor<3x2xi4>
  return
}

// -----

func.func @unpack_wide_codes(%p: tensor<12xi8>) {
  // expected-error @+1 {{'qc.unpack' op expected signless or unsigned codes of 1 to 8 bits, got 'i16'}}
  %0 = qc.unpack %p {reduction_dims = array<i64: 0>} : tensor<12xi8> -> tensor<3x2xi16>
  return
}

// -----

func.func @blocks_partial(%c: tensor<48x2xi4>, %s: tensor<1x2xi8>) {
  // expected-error @+1 {{'qc.dequantize_blocks' op expected dimension 0 to split into blocks of 32}}
  %0 = qc.dequantize_blocks %c, %s {format = !qc.block<f4E2M1FN:f32, scale = f8E8M0FNU, block = 32, axis = 0>} : (tensor<48x2xi4>, tensor<1x2xi8>) -> tensor<48x2xf32>
  return
}

// -----

func.func @blocks_code_width(%c: tensor<32x2xi8>, %s: tensor<1x2xi8>) {
  // expected-error @+1 {{'qc.dequantize_blocks' op expected 4-bit codes for 'f4E2M1FN', got 'i8'}}
  %0 = qc.dequantize_blocks %c, %s {format = !qc.block<f4E2M1FN:f32, scale = f8E8M0FNU, block = 32, axis = 0>} : (tensor<32x2xi8>, tensor<1x2xi8>) -> tensor<32x2xf32>
  return
}

// -----

func.func @blocks_scale_shape(%c: tensor<32x2xi4>, %s: tensor<2x2xi8>) {
  // expected-error @+1 {{'qc.dequantize_blocks' op expected scales of shape 'tensor<1x2xi8>', got 'tensor<2x2xi8>'}}
  %0 = qc.dequantize_blocks %c, %s {format = !qc.block<f4E2M1FN:f32, scale = f8E8M0FNU, block = 32, axis = 0>} : (tensor<32x2xi4>, tensor<2x2xi8>) -> tensor<32x2xf32>
  return
}

// -----

func.func @blocks_result_shape(%c: tensor<32x2xi4>, %s: tensor<1x2xi8>) {
  // expected-error @+1 {{'qc.dequantize_blocks' op expected static codes of the result's shape}}
  %0 = qc.dequantize_blocks %c, %s {format = !qc.block<f4E2M1FN:f32, scale = f8E8M0FNU, block = 32, axis = 0>} : (tensor<32x2xi4>, tensor<1x2xi8>) -> tensor<2x32xf32>
  return
}

// -----

func.func @table_size(%x: tensor<4xi8>, %t: tensor<128xi8>) {
  // expected-error @+1 {{'qc.table' op expected a table of 256 entries (one per 'i8' value), got 128}}
  %0 = qc.table %x, %t : (tensor<4xi8>, tensor<128xi8>) -> tensor<4xi8>
  return
}

// -----

func.func @table_element(%x: tensor<4xi4>, %t: tensor<16xi8>) {
  // expected-error @+1 {{'qc.table' op expected the table's element type 'i8' as the result's, got 'i4'}}
  %0 = qc.table %x, %t : (tensor<4xi4>, tensor<16xi8>) -> tensor<4xi4>
  return
}

// -----

func.func @table_wide(%x: tensor<4xi32>, %t: tensor<16xi8>) {
  // expected-error @+1 {{'qc.table' op expected an input of at most 16 bits (a table of 2^bits entries), got 'i32'}}
  %0 = qc.table %x, %t : (tensor<4xi32>, tensor<16xi8>) -> tensor<4xi8>
  return
}

// -----

func.func @table_shape(%x: tensor<4xi4>, %t: tensor<16xi8>) {
  // expected-error @+1 {{'qc.table' op expected the result's shape to be the input's}}
  %0 = qc.table %x, %t : (tensor<4xi4>, tensor<16xi8>) -> tensor<5xi8>
  return
}
