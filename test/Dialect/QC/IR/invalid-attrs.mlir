// RUN: qopt %s -split-input-file -verify-diagnostics
//
// The qc dialect's discardable attributes (QCDialect.td, discardableAttrs):
// each malformed value is rejected with a message naming the attribute.

func.func @weight_format_unknown(%x: tensor<4x2xf32>, %w: tensor<2x2xf32>) {
  // expected-error @+1 {{'qc.matmul' op 'qc.weight_format' must be a string naming int2 .. int16, fp8e4m3, fp8e5m2, fp6e3m2, fp6e2m3 or fp4e2m1, got "int1"}}
  %0 = qc.matmul %x, %w {qc.weight_format = "int1"} : (tensor<4x2xf32>, tensor<2x2xf32>) -> tensor<4x2xf32>
  return
}

// -----

func.func @weight_format_not_a_string(%x: tensor<4x2xf32>, %w: tensor<2x2xf32>) {
  // expected-error @+1 {{'qc.matmul' op 'qc.weight_format' must be a string naming int2 .. int16, fp8e4m3, fp8e5m2, fp6e3m2, fp6e2m3 or fp4e2m1, got 4 : i64}}
  %0 = qc.matmul %x, %w {qc.weight_format = 4} : (tensor<4x2xf32>, tensor<2x2xf32>) -> tensor<4x2xf32>
  return
}

// -----

func.func @weight_format_on_relu(%x: tensor<4xf32>) {
  // expected-error @+1 {{'qc.relu' op 'qc.weight_format' is only meaningful on a layer with weights (qc.conv, qc.conv_transpose, qc.gemm, qc.matmul)}}
  %0 = qc.relu %x {qc.weight_format = "int4"} : tensor<4xf32>
  return
}

// -----

func.func @act_format_unknown(%x: tensor<4x2xf32>, %w: tensor<2x2xf32>) {
  // expected-error @+1 {{'qc.matmul' op 'qc.act_format' must be a string naming int2 .. int16, fp8e4m3, fp8e5m2, fp6e3m2, fp6e2m3 or fp4e2m1, got "fp9"}}
  %0 = qc.matmul %x, %w {qc.act_format = "fp9"} : (tensor<4x2xf32>, tensor<2x2xf32>) -> tensor<4x2xf32>
  return
}

// -----

func.func @block_weights_unknown(%x: tensor<4x32xf32>, %w: tensor<32x2xf32>) {
  // expected-error @+1 {{'qc.gemm' op 'qc.block_weights' must be a string naming mxfp8, mxfp6, mxfp4 or nvfp4, got "mxfp2"}}
  %0 = qc.gemm %x, %w {alpha = 1.0 : f32, beta = 1.0 : f32, trans_a = false, trans_b = false, qc.block_weights = "mxfp2"} : (tensor<4x32xf32>, tensor<32x2xf32>) -> tensor<4x2xf32>
  return
}

// -----

func.func @block_weights_not_a_string(%x: tensor<4x32xf32>, %w: tensor<32x2xf32>) {
  // expected-error @+1 {{'qc.gemm' op 'qc.block_weights' must be a string naming mxfp8, mxfp6, mxfp4 or nvfp4, got 4 : i64}}
  %0 = qc.gemm %x, %w {alpha = 1.0 : f32, beta = 1.0 : f32, trans_a = false, trans_b = false, qc.block_weights = 4} : (tensor<4x32xf32>, tensor<32x2xf32>) -> tensor<4x2xf32>
  return
}

// -----

func.func @block_weights_on_relu(%x: tensor<4xf32>) {
  // expected-error @+1 {{'qc.relu' op 'qc.block_weights' is only meaningful on a layer with weights (qc.conv, qc.conv_transpose, qc.gemm, qc.matmul)}}
  %0 = qc.relu %x {qc.block_weights = "mxfp4"} : tensor<4xf32>
  return
}

// -----

func.func @act_range_one_element(%x: tensor<4xf32>) {
  // expected-error @+1 {{'qc.relu' op 'qc.act_range' must be an array<f64: lo, hi> of two elements, got array<f64: 1.000000e+00>}}
  %0 = qc.relu %x {qc.act_range = array<f64: 1.0>} : tensor<4xf32>
  return
}

// -----

func.func @act_range_dense(%x: tensor<4xf32>) {
  // expected-error @+1 {{'qc.relu' op 'qc.act_range' must be an array<f64: lo, hi> of two elements, got dense<[0.000000e+00, 1.000000e+00]> : tensor<2xf64>}}
  %0 = qc.relu %x {qc.act_range = dense<[0.0, 1.0]> : tensor<2xf64>} : tensor<4xf32>
  return
}

// -----

func.func @act_range_f32(%x: tensor<4xf32>) {
  // expected-error @+1 {{'qc.relu' op 'qc.act_range' must be an array<f64: lo, hi> of two elements, got array<f32: 0.000000e+00, 1.000000e+00>}}
  %0 = qc.relu %x {qc.act_range = array<f32: 0.0, 1.0>} : tensor<4xf32>
  return
}

// -----

func.func @act_range_reversed(%x: tensor<4xf32>) {
  // expected-error @+1 {{'qc.relu' op 'qc.act_range' must have lo <= hi, got array<f64: 3.000000e+00, 1.000000e+00>}}
  %0 = qc.relu %x {qc.act_range = array<f64: 3.0, 1.0>} : tensor<4xf32>
  return
}

// -----

func.func @act_range_infinite(%x: tensor<4xf32>) {
  // expected-error @+1 {{'qc.relu' op 'qc.act_range' must have finite bounds, got array<f64: 0.000000e+00, 0x7FF0000000000000>}}
  %0 = qc.relu %x {qc.act_range = array<f64: 0.0, 0x7FF0000000000000>} : tensor<4xf32>
  return
}

// -----

func.func @act_range_nan(%x: tensor<4xf32>) {
  // expected-error @+1 {{'qc.relu' op 'qc.act_range' must have finite bounds, got array<f64: 0x7FF8000000000000, 1.000000e+00>}}
  %0 = qc.relu %x {qc.act_range = array<f64: 0x7FF8000000000000, 1.0>} : tensor<4xf32>
  return
}

// -----

func.func @act_minmax_reversed(%x: tensor<4xf32>) {
  // expected-error @+1 {{'qc.relu' op 'qc.act_minmax' must have lo <= hi, got array<f64: 2.000000e+00, -2.000000e+00>}}
  %0 = qc.relu %x {qc.act_minmax = array<f64: 2.0, -2.0>} : tensor<4xf32>
  return
}

// -----

func.func @act_range_without_result() {
  // expected-error @+1 {{'func.return' op 'qc.act_range' describes an op's result, but the op has none}}
  return {qc.act_range = array<f64: 0.0, 1.0>}
}

// -----

// expected-error @+1 {{'func.func' op argument #0: 'qc.act_range' must have lo <= hi, got array<f64: 1.000000e+00, 0.000000e+00>}}
func.func @act_range_argument_reversed(%x: tensor<4xf32> {qc.act_range = array<f64: 1.0, 0.0>}) {
  return
}

// -----

// expected-error @+1 {{'func.func' op argument #1: 'qc.act_minmax' must be an array<f64: lo, hi> of two elements, got "wide"}}
func.func @act_minmax_argument_string(%x: tensor<4xf32>, %y: tensor<4xf32> {qc.act_minmax = "wide"}) {
  return
}

// -----

// expected-error @+1 {{'func.func' op argument #0: 'qc.weight_format' belongs on a layer with weights, not on an argument}}
func.func @weight_format_on_argument(%x: tensor<4xf32> {qc.weight_format = "int4"}) {
  return
}

// -----

// A misspelt or retired attribute of the dialect is an error, not ignored.
func.func @unknown_attribute(%x: tensor<4xf32>) -> tensor<4xf32> {
  // expected-error @+1 {{'qc.relu' op unknown attribute 'qc.act_rnage' of the qc dialect, which declares qc.weight_format, qc.act_format, qc.act_range, qc.act_minmax and qc.block_weights}}
  %0 = qc.relu %x {qc.act_rnage = array<f64: 0.0, 1.0>} : tensor<4xf32>
  return %0 : tensor<4xf32>
}
