// RUN: qopt %s -split-input-file -convert-qc-to-linalg -verify-diagnostics

// Ops code generation does not support are errors naming the op and node.
func.func @gather(%x: tensor<5x4xf32>, %i: tensor<2xi64>) -> tensor<2x4xf32> {
  // expected-error @+1 {{no CPU code generation for 'qc.gather' (node 'qc.gather'): not implemented yet}}
  %0 = qc.gather %x[%i] {axis = 0 : i64} : (tensor<5x4xf32>, tensor<2xi64>) -> tensor<2x4xf32>
  return %0 : tensor<2x4xf32>
}

// -----

// Layer normalization over other than the last dimension.
func.func @layer_norm(%x: tensor<2x4xf32>, %s: tensor<2x4xf32>) -> tensor<2x4xf32> {
  // expected-error @+2 {{no CPU code generation for 'qc.layer_norm' (node 'qc.layer_norm'): only f32 layer normalization over the last (static) dimension with 1-d scale and bias}}
  // expected-error @+1 {{failed to legalize operation 'qc.layer_norm'}}
  %0 = qc.layer_norm %x, %s {axis = 0 : i64, epsilon = 1.0e-5 : f32} : (tensor<2x4xf32>, tensor<2x4xf32>) -> tensor<2x4xf32>
  return %0 : tensor<2x4xf32>
}

// -----

func.func @conv3d(%x: tensor<1x4x4x4x4xi8>, %w: tensor<4x1x3x3x3xi8>) -> tensor<1x4x2x2x2xi32> {
  // expected-error @+2 {{no CPU code generation for 'qc.conv' (node 'qc.conv'): only 2-d convolutions: integer with explicit padding (qc-lower-to-integer's form) or f32}}
  // expected-error @+1 {{failed to legalize operation 'qc.conv'}}
  %0 = qc.conv %x, %w {dilations = array<i64: 1, 1, 1>, group = 4 : i64, pads = array<i64: 0, 0, 0, 0, 0, 0>, strides = array<i64: 1, 1, 1>} : (tensor<1x4x4x4x4xi8>, tensor<4x1x3x3x3xi8>) -> tensor<1x4x2x2x2xi32>
  return %0 : tensor<1x4x2x2x2xi32>
}
