// RUN: qopt %s -split-input-file -verify-diagnostics

// Upstream's parser accepts zero points outside the storage range and NaN
// scales; every qc op rejects them on its operands and results.

func.func @zero_point_above_storage(%x: tensor<4xf32>) {
  // expected-error @+1 {{'qc.quantize' op result #0 element type '!quant.uniform<i8:f32, 1.000000e-01:1000>' is invalid: zero point 1000 is out of the storage range [-128, 127]}}
  %0 = qc.quantize %x : tensor<4xf32> -> tensor<4x!quant.uniform<i8:f32, 0.1:1000>>
  return
}

// -----

func.func @zero_point_below_unsigned_storage(%q: tensor<4x!quant.uniform<u8:f32, 0.1:-1>>) {
  // expected-error @+1 {{'qc.dequantize' op operand #0 element type '!quant.uniform<u8:f32, 1.000000e-01:-1>' is invalid: zero point -1 is out of the storage range [0, 255]}}
  %0 = qc.dequantize %q : tensor<4x!quant.uniform<u8:f32, 0.1:-1>> -> tensor<4xf32>
  return
}

// -----

func.func @zero_point_outside_narrow_range(%x: tensor<4xf32>) {
  // expected-error @+1 {{'qc.quantize' op result #0 element type '!quant.uniform<i8<-127:127>:f32, 1.000000e-01:-128>' is invalid: zero point -128 is out of the storage range [-127, 127]}}
  %0 = qc.quantize %x : tensor<4xf32> -> tensor<4x!quant.uniform<i8<-127:127>:f32, 0.1:-128>>
  return
}

// -----

func.func @zero_point_i4(%x: tensor<4xf32>) {
  // expected-error @+1 {{'qc.quantize' op result #0 element type '!quant.uniform<i4:f32, 1.000000e-01:8>' is invalid: zero point 8 is out of the storage range [-8, 7]}}
  %0 = qc.quantize %x : tensor<4xf32> -> tensor<4x!quant.uniform<i4:f32, 0.1:8>>
  return
}

// -----

func.func @per_axis_zero_point(%x: tensor<2x3xf32>) {
  // expected-error @+1 {{is invalid: zero point #1 (300) is out of the storage range [-128, 127]}}
  %0 = qc.quantize %x : tensor<2x3xf32> -> tensor<2x3x!quant.uniform<i8:f32:0, {0.1, 0.2:300}>>
  return
}

// -----

// Per-group zero points are stored in the storage type (upstream wraps
// larger ones on parse): only a narrowed range can exclude them.
func.func @per_group_zero_point(%x: tensor<2x64xf32>) {
  // expected-error @+1 {{is invalid: zero point #2 (-8) is out of the storage range [-7, 7]}}
  %0 = qc.quantize %x : tensor<2x64xf32> -> tensor<2x64x!quant.uniform<i4<-7:7>:f32:{0:1, 1:32}, {{0.1, 0.2}, {0.3:-8, 0.4}}>>
  return
}

// -----

func.func @nan_scale(%x: tensor<4xf32>) {
  // expected-error @+1 {{is invalid: scale must be finite and positive, got nan}}
  %0 = qc.quantize %x : tensor<4xf32> -> tensor<4x!quant.uniform<i8:f32, 0x7FF8000000000000>>
  return
}

// -----

func.func @per_axis_nan_scale(%x: tensor<2x3xf32>) {
  // expected-error @+1 {{is invalid: scale #1 must be finite and positive, got nan}}
  %0 = qc.quantize %x : tensor<2x3xf32> -> tensor<2x3x!quant.uniform<i8:f32:0, {0.1, 0x7FF8000000000000}>>
  return
}

// -----

func.func @requantize_result(%q: tensor<4x!quant.uniform<i32:f32, 0.001>>) {
  // expected-error @+1 {{'qc.requantize' op result #0 element type '!quant.uniform<u8:f32, 5.000000e-02:256>' is invalid: zero point 256 is out of the storage range [0, 255]}}
  %0 = qc.requantize %q rounding<half_to_even> : tensor<4x!quant.uniform<i32:f32, 0.001>> -> tensor<4x!quant.uniform<u8:f32, 0.05:256>>
  return
}

// -----

func.func @storage_cast_result(%x: tensor<4xi8>) {
  // expected-error @+1 {{'qc.storage_cast' op result #0 element type '!quant.uniform<i8:f32, 1.000000e-01:200>' is invalid: zero point 200 is out of the storage range [-128, 127]}}
  %0 = qc.storage_cast %x : tensor<4xi8> -> tensor<4x!quant.uniform<i8:f32, 0.1:200>>
  return
}

// -----

// Graph ops carry quantized operands in the quantized graph IR.
func.func @graph_op_operand(%a: tensor<4x!quant.uniform<i8:f32, 0.1:-129>>, %b: tensor<4x!quant.uniform<i8:f32, 0.1>>) {
  // expected-error @+1 {{'qc.add' op operand #0 element type '!quant.uniform<i8:f32, 1.000000e-01:-129>' is invalid: zero point -129 is out of the storage range [-128, 127]}}
  %0 = qc.add %a, %b : (tensor<4x!quant.uniform<i8:f32, 0.1:-129>>, tensor<4x!quant.uniform<i8:f32, 0.1>>) -> tensor<4x!quant.uniform<i8:f32, 0.1>>
  return
}

// -----

func.func @graph_op_result(%x: tensor<2x2x!quant.uniform<i8:f32, 0.1>>) {
  // expected-error @+1 {{'qc.reshape' op result #0 element type '!quant.uniform<i8:f32, 0x7FF8000000000000>' is invalid: scale must be finite and positive, got nan}}
  %0 = qc.reshape %x : tensor<2x2x!quant.uniform<i8:f32, 0.1>> -> tensor<4x!quant.uniform<i8:f32, 0x7FF8000000000000>>
  return
}
