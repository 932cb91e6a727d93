// RUN: qopt %s -split-input-file -convert-qc-to-linalg -verify-diagnostics

// Ops code generation does not support are errors naming the op and node
// (qc.requantize is lowered to qc.rescale by qc-lower-requantize first).
func.func @requantize(%q: tensor<8x!quant.uniform<i32:f32, 0.0004>>) -> tensor<8x!quant.uniform<i8:f32, 0.05:-3>> {
  // expected-error @+1 {{no CPU code generation for 'qc.requantize' (node 'qc.requantize'): not implemented yet}}
  %r = qc.requantize %q rounding<half_up> : tensor<8x!quant.uniform<i32:f32, 0.0004>> -> tensor<8x!quant.uniform<i8:f32, 0.05:-3>>
  return %r : tensor<8x!quant.uniform<i8:f32, 0.05:-3>>
}

// -----

// Layer normalization over a dynamic dimension.
func.func @layer_norm(%x: tensor<2x?xf32>, %s: tensor<1xf32>) -> tensor<2x?xf32> {
  // expected-error @+2 {{no CPU code generation for 'qc.layer_norm' (node 'qc.layer_norm'): only f32 layer normalization over static dimensions with f32 scale and bias that broadcast to them}}
  // expected-error @+1 {{failed to legalize operation 'qc.layer_norm'}}
  %0 = qc.layer_norm %x, %s {axis = 1 : i64, epsilon = 1.0e-5 : f32} : (tensor<2x?xf32>, tensor<1xf32>) -> tensor<2x?xf32>
  return %0 : tensor<2x?xf32>
}

// -----

func.func @conv3d(%x: tensor<1x4x4x4x4xi8>, %w: tensor<4x1x3x3x3xi8>) -> tensor<1x4x2x2x2xi32> {
  // expected-error @+2 {{no CPU code generation for 'qc.conv' (node 'qc.conv'): only 2-d convolutions: integer with explicit padding (qc-lower-to-integer's form) or f32}}
  // expected-error @+1 {{failed to legalize operation 'qc.conv'}}
  %0 = qc.conv %x, %w {dilations = array<i64: 1, 1, 1>, group = 4 : i64, pads = array<i64: 0, 0, 0, 0, 0, 0>, strides = array<i64: 1, 1, 1>} : (tensor<1x4x4x4x4xi8>, tensor<4x1x3x3x3xi8>) -> tensor<1x4x2x2x2xi32>
  return %0 : tensor<1x4x2x2x2xi32>
}

// -----

// A slice of a dynamic dimension that is not the whole dimension: its size
// is unknown until qc-set-batch-size makes the shape static.
func.func @slice_dynamic(%x: tensor<?x4xf32>) -> tensor<?x4xf32> {
  // expected-error @+2 {{no CPU code generation for 'qc.slice' (node 'qc.slice'): only whole dynamic dimensions (a static shape: qc-set-batch-size)}}
  // expected-error @+1 {{failed to legalize operation 'qc.slice'}}
  %0 = qc.slice %x {starts = array<i64: 1, 0>, ends = array<i64: 9223372036854775807, 4>, steps = array<i64: 1, 1>} : tensor<?x4xf32> -> tensor<?x4xf32>
  return %0 : tensor<?x4xf32>
}

// -----

// A float activation on integers (integer activations are clamps after
// qc-lower-to-integer).
func.func @hard_swish_integer(%x: tensor<4xi8>) -> tensor<4xi8> {
  // expected-error @+2 {{no CPU code generation for 'qc.hard_swish' (node 'qc.hard_swish'): only f32 (integer activations are clamps after qc-lower-to-integer)}}
  // expected-error @+1 {{failed to legalize operation 'qc.hard_swish'}}
  %0 = qc.hard_swish %x : tensor<4xi8>
  return %0 : tensor<4xi8>
}

// -----

// A mean over a dynamic dimension (the count is unknown).
func.func @reduce_mean_dynamic(%x: tensor<?x4xf32>) -> tensor<4xf32> {
  // expected-error @+2 {{no CPU code generation for 'qc.reduce_mean' (node 'qc.reduce_mean'): only f32 means over static dimensions}}
  // expected-error @+1 {{failed to legalize operation 'qc.reduce_mean'}}
  %0 = qc.reduce_mean %x {axes = array<i64: 0>, keepdims = false} : tensor<?x4xf32> -> tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

// Casts of float8 (LLVM has no such type; qc minifloats are codes).
func.func @cast_f8(%x: tensor<4xf8E4M3FN>) -> tensor<4xi32> {
  // expected-error @+2 {{no CPU code generation for 'qc.cast' (node 'qc.cast'): only casts between integer (or quantized), f16, f32 and f64 element types}}
  // expected-error @+1 {{failed to legalize operation 'qc.cast'}}
  %0 = qc.cast %x : tensor<4xf8E4M3FN> -> tensor<4xi32>
  return %0 : tensor<4xi32>
}
