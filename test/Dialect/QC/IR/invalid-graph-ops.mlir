// RUN: qopt %s -split-input-file -verify-diagnostics

//===----------------------------------------------------------------------===//
// Element-wise
//===----------------------------------------------------------------------===//

func.func @add_not_broadcastable(%a: tensor<2x3xf32>, %b: tensor<4x3xf32>) {
  // expected-error @+1 {{'qc.add' op operands are not broadcast-compatible: lhs dim 0 is 2 but rhs dim 0 is 4}}
  %0 = qc.add %a, %b : (tensor<2x3xf32>, tensor<4x3xf32>) -> tensor<4x3xf32>
  return
}

// -----

func.func @mul_not_broadcastable_aligned_right(%a: tensor<5x2x3xf32>, %b: tensor<4x1xf32>) {
  // expected-error @+1 {{'qc.mul' op operands are not broadcast-compatible: lhs dim 1 is 2 but rhs dim 0 is 4}}
  %0 = qc.mul %a, %b : (tensor<5x2x3xf32>, tensor<4x1xf32>) -> tensor<5x2x3xf32>
  return
}

// -----

func.func @sub_result_dim(%a: tensor<2x3xf32>, %b: tensor<3xf32>) {
  // expected-error @+1 {{'qc.sub' op result dim 1 is 4 but broadcasting lhs and rhs gives 3}}
  %0 = qc.sub %a, %b : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<2x4xf32>
  return
}

// -----

func.func @div_result_rank(%a: tensor<3xi32>, %b: tensor<3xi32>) {
  // expected-error @+1 {{'qc.div' op result has rank 2 but broadcasting lhs and rhs gives rank 1}}
  %0 = qc.div %a, %b : (tensor<3xi32>, tensor<3xi32>) -> tensor<1x3xi32>
  return
}

// -----

func.func @pow_size_one_result(%a: tensor<1x3xf32>, %b: tensor<1x3xf32>) {
  // Broadcasting never turns two 1s into 4.
  // expected-error @+1 {{'qc.pow' op result dim 0 is 4 but broadcasting lhs and rhs gives 1}}
  %0 = qc.pow %a, %b : (tensor<1x3xf32>, tensor<1x3xf32>) -> tensor<4x3xf32>
  return
}

// -----

func.func @unary_result_type(%x: tensor<4xf32>) {
  // expected-error @+1 {{'qc.relu' op requires the same type for all operands and results}}
  %0 = "qc.relu"(%x) : (tensor<4xf32>) -> tensor<5xf32>
  return
}

// -----

func.func @clip_result_shape(%x: tensor<4xf32>, %lo: tensor<f32>) {
  // expected-error @+1 {{'qc.clip' op shape mismatch: result dim 0 is 5 but input dim 0 is 4}}
  %0 = qc.clip %x min %lo : (tensor<4xf32>, tensor<f32>) -> tensor<5xf32>
  return
}

// -----

func.func @clip_result_element(%x: tensor<4xf32>) {
  // expected-error @+1 {{'qc.clip' op result element type 'f16' differs from input element type 'f32'}}
  %0 = qc.clip %x : (tensor<4xf32>) -> tensor<4xf16>
  return
}

// -----

func.func @clip_bound_rank(%x: tensor<4xf32>, %lo: tensor<1xf32>) {
  // expected-error @+1 {{'qc.clip' op bounds must be rank-0 tensors of the input's element type, got 'tensor<1xf32>'}}
  %0 = qc.clip %x min %lo : (tensor<4xf32>, tensor<1xf32>) -> tensor<4xf32>
  return
}

// -----

func.func @cast_shape(%x: tensor<4xf32>) {
  // expected-error @+1 {{'qc.cast' op requires the same shape for all operands and results}}
  %0 = qc.cast %x : tensor<4xf32> -> tensor<5xi8>
  return
}

//===----------------------------------------------------------------------===//
// MatMul
//===----------------------------------------------------------------------===//

// -----

func.func @matmul_contraction(%a: tensor<2x4096xf32>, %b: tensor<3x5xf32>) {
  // expected-error @+1 {{'qc.matmul' op contraction dimension mismatch: lhs dim 1 is 4096 but rhs dim 0 is 3}}
  %0 = qc.matmul %a, %b : (tensor<2x4096xf32>, tensor<3x5xf32>) -> tensor<2x5xf32>
  return
}

// -----

func.func @matmul_batched_contraction(%a: tensor<2x3x4xf32>, %b: tensor<2x5x6xf32>) {
  // expected-error @+1 {{'qc.matmul' op contraction dimension mismatch: lhs dim 2 is 4 but rhs dim 1 is 5}}
  %0 = qc.matmul %a, %b : (tensor<2x3x4xf32>, tensor<2x5x6xf32>) -> tensor<2x3x6xf32>
  return
}

// -----

func.func @matmul_vector_contraction(%a: tensor<4xf32>, %b: tensor<5xf32>) {
  // expected-error @+1 {{'qc.matmul' op contraction dimension mismatch: lhs dim 0 is 4 but rhs dim 0 is 5}}
  %0 = qc.matmul %a, %b : (tensor<4xf32>, tensor<5xf32>) -> tensor<f32>
  return
}

// -----

func.func @matmul_batch_broadcast(%a: tensor<2x3x4xf32>, %b: tensor<3x4x5xf32>) {
  // expected-error @+1 {{'qc.matmul' op batch dimensions are not broadcast-compatible: lhs dim 0 is 2 but rhs dim 0 is 3}}
  %0 = qc.matmul %a, %b : (tensor<2x3x4xf32>, tensor<3x4x5xf32>) -> tensor<2x3x5xf32>
  return
}

// -----

func.func @matmul_result_dim(%a: tensor<2x3xi8>, %b: tensor<3x5xi8>) {
  // expected-error @+1 {{'qc.matmul' op result dim 1 is 6 but the matrix product of lhs and rhs gives 5}}
  %0 = qc.matmul %a, %b : (tensor<2x3xi8>, tensor<3x5xi8>) -> tensor<2x6xi32>
  return
}

// -----

func.func @matmul_result_batch(%a: tensor<1x2x3xf32>, %b: tensor<4x3x5xf32>) {
  // expected-error @+1 {{'qc.matmul' op result dim 0 is 1 but the matrix product of lhs and rhs gives 4}}
  %0 = qc.matmul %a, %b : (tensor<1x2x3xf32>, tensor<4x3x5xf32>) -> tensor<1x2x5xf32>
  return
}

// -----

func.func @matmul_vector_result_rank(%a: tensor<4xf32>, %b: tensor<4x5xf32>) {
  // A 1-d lhs is a row whose promoted dimension is dropped.
  // expected-error @+1 {{'qc.matmul' op result has rank 2 but the matrix product of lhs and rhs gives rank 1}}
  %0 = qc.matmul %a, %b : (tensor<4xf32>, tensor<4x5xf32>) -> tensor<1x5xf32>
  return
}

// -----

func.func @matmul_scalar(%a: tensor<f32>, %b: tensor<4x5xf32>) {
  // expected-error @+1 {{'qc.matmul' op operands must have rank >= 1, got lhs rank 0 and rhs rank 2}}
  %0 = qc.matmul %a, %b : (tensor<f32>, tensor<4x5xf32>) -> tensor<5xf32>
  return
}

//===----------------------------------------------------------------------===//
// Gemm
//===----------------------------------------------------------------------===//

// -----

func.func @gemm_rank(%a: tensor<1x4x8xf32>, %b: tensor<8x5xf32>) {
  // expected-error @+1 {{'qc.gemm' op a must have rank 2, got rank 3}}
  %0 = qc.gemm %a, %b {alpha = 1.0 : f32, beta = 1.0 : f32, trans_a = false, trans_b = false} : (tensor<1x4x8xf32>, tensor<8x5xf32>) -> tensor<4x5xf32>
  return
}

// -----

func.func @gemm_contraction_trans_b(%a: tensor<4x8xf32>, %b: tensor<5x7xf32>) {
  // expected-error @+1 {{'qc.gemm' op contraction dimension mismatch: a dim 1 is 8 but b dim 1 is 7}}
  %0 = qc.gemm %a, %b {alpha = 1.0 : f32, beta = 1.0 : f32, trans_a = false, trans_b = true} : (tensor<4x8xf32>, tensor<5x7xf32>) -> tensor<4x5xf32>
  return
}

// -----

func.func @gemm_contraction_trans_a(%a: tensor<8x4xf32>, %b: tensor<4x5xf32>) {
  // expected-error @+1 {{'qc.gemm' op contraction dimension mismatch: a dim 0 is 8 but b dim 0 is 4}}
  %0 = qc.gemm %a, %b {alpha = 1.0 : f32, beta = 1.0 : f32, trans_a = true, trans_b = false} : (tensor<8x4xf32>, tensor<4x5xf32>) -> tensor<4x5xf32>
  return
}

// -----

func.func @gemm_result(%a: tensor<4x8xf32>, %b: tensor<5x8xf32>) {
  // expected-error @+1 {{'qc.gemm' op result dim 1 is 6 but op(a) * op(b) gives 5}}
  %0 = qc.gemm %a, %b {alpha = 1.0 : f32, beta = 1.0 : f32, trans_a = false, trans_b = true} : (tensor<4x8xf32>, tensor<5x8xf32>) -> tensor<4x6xf32>
  return
}

// -----

func.func @gemm_bias_broadcast(%a: tensor<4x8xf32>, %b: tensor<8x5xf32>, %c: tensor<3xf32>) {
  // expected-error @+1 {{'qc.gemm' op c does not broadcast to result: c dim 0 is 3 but result dim 1 is 5}}
  %0 = qc.gemm %a, %b, %c {alpha = 1.0 : f32, beta = 1.0 : f32, trans_a = false, trans_b = false} : (tensor<4x8xf32>, tensor<8x5xf32>, tensor<3xf32>) -> tensor<4x5xf32>
  return
}

// -----

func.func @gemm_bias_rank(%a: tensor<4x8xf32>, %b: tensor<8x5xf32>, %c: tensor<1x4x5xf32>) {
  // expected-error @+1 {{'qc.gemm' op c of rank 3 cannot broadcast to result dims [0, 2)}}
  %0 = qc.gemm %a, %b, %c {alpha = 1.0 : f32, beta = 1.0 : f32, trans_a = false, trans_b = false} : (tensor<4x8xf32>, tensor<8x5xf32>, tensor<1x4x5xf32>) -> tensor<4x5xf32>
  return
}

//===----------------------------------------------------------------------===//
// Conv, ConvTranspose
//===----------------------------------------------------------------------===//

// -----

func.func @conv_input_rank(%x: tensor<3x8xf32>, %w: tensor<4x3xf32>) {
  // expected-error @+1 {{'qc.conv' op expected input of rank >= 3 ([N, C, D1, ...]), got rank 2}}
  %0 = qc.conv %x, %w {dilations = array<i64>, group = 1 : i64, pads = array<i64>, strides = array<i64>} : (tensor<3x8xf32>, tensor<4x3xf32>) -> tensor<3x4xf32>
  return
}

// -----

func.func @conv_weight_rank(%x: tensor<1x3x8x8xf32>, %w: tensor<4x3x3xf32>) {
  // expected-error @+1 {{'qc.conv' op weight rank 3 differs from input rank 4}}
  %0 = qc.conv %x, %w {dilations = array<i64: 1, 1>, group = 1 : i64, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>} : (tensor<1x3x8x8xf32>, tensor<4x3x3xf32>) -> tensor<1x4x6x6xf32>
  return
}

// -----

func.func @conv_channels(%x: tensor<1x3x8x8xf32>, %w: tensor<4x2x3x3xf32>) {
  // expected-error @+1 {{'qc.conv' op input channel mismatch: input dim 1 is 3 but weight dim 1 is 2, times group 1 gives 2}}
  %0 = qc.conv %x, %w {dilations = array<i64: 1, 1>, group = 1 : i64, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>} : (tensor<1x3x8x8xf32>, tensor<4x2x3x3xf32>) -> tensor<1x4x6x6xf32>
  return
}

// -----

func.func @conv_group_channels(%x: tensor<1x4x8x8xf32>, %w: tensor<4x1x3x3xf32>) {
  // expected-error @+1 {{'qc.conv' op input channel mismatch: input dim 1 is 4 but weight dim 1 is 1, times group 2 gives 2}}
  %0 = qc.conv %x, %w {dilations = array<i64: 1, 1>, group = 2 : i64, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>} : (tensor<1x4x8x8xf32>, tensor<4x1x3x3xf32>) -> tensor<1x4x6x6xf32>
  return
}

// -----

func.func @conv_group_output_channels(%x: tensor<1x4x8x8xf32>, %w: tensor<3x2x3x3xf32>) {
  // expected-error @+1 {{'qc.conv' op weight dim 0 (output channels) is 3, which group 2 does not divide}}
  %0 = qc.conv %x, %w {dilations = array<i64: 1, 1>, group = 2 : i64, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>} : (tensor<1x4x8x8xf32>, tensor<3x2x3x3xf32>) -> tensor<1x3x6x6xf32>
  return
}

// -----

func.func @conv_group(%x: tensor<1x3x8x8xf32>, %w: tensor<4x3x3x3xf32>) {
  // expected-error @+1 {{'qc.conv' op group must be positive, got 0}}
  %0 = qc.conv %x, %w {dilations = array<i64: 1, 1>, group = 0 : i64, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>} : (tensor<1x3x8x8xf32>, tensor<4x3x3x3xf32>) -> tensor<1x4x6x6xf32>
  return
}

// -----

func.func @conv_attr_sizes(%x: tensor<1x3x8x8xf32>, %w: tensor<4x3x3x3xf32>) {
  // expected-error @+1 {{'qc.conv' op expected 2 strides, 2 dilations and 4 pads for a tensor with 2 spatial dimensions, got 2, 2 and 2}}
  %0 = qc.conv %x, %w {dilations = array<i64: 1, 1>, group = 1 : i64, pads = array<i64: 0, 0>, strides = array<i64: 1, 1>} : (tensor<1x3x8x8xf32>, tensor<4x3x3x3xf32>) -> tensor<1x4x6x6xf32>
  return
}

// -----

func.func @conv_stride(%x: tensor<1x3x8x8xf32>, %w: tensor<4x3x3x3xf32>) {
  // expected-error @+1 {{'qc.conv' op strides[1] must be >= 1, got 0}}
  %0 = qc.conv %x, %w {dilations = array<i64: 1, 1>, group = 1 : i64, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 0>} : (tensor<1x3x8x8xf32>, tensor<4x3x3x3xf32>) -> tensor<1x4x6x6xf32>
  return
}

// -----

func.func @conv_dilation(%x: tensor<1x3x8x8xf32>, %w: tensor<4x3x3x3xf32>) {
  // expected-error @+1 {{'qc.conv' op dilations[0] must be >= 1, got -1}}
  %0 = qc.conv %x, %w {dilations = array<i64: -1, 1>, group = 1 : i64, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>} : (tensor<1x3x8x8xf32>, tensor<4x3x3x3xf32>) -> tensor<1x4x6x6xf32>
  return
}

// -----

func.func @conv_negative_pad(%x: tensor<1x3x8x8xf32>, %w: tensor<4x3x3x3xf32>) {
  // expected-error @+1 {{'qc.conv' op pads[2] must be >= 0, got -1}}
  %0 = qc.conv %x, %w {dilations = array<i64: 1, 1>, group = 1 : i64, pads = array<i64: 0, 0, -1, 0>, strides = array<i64: 1, 1>} : (tensor<1x3x8x8xf32>, tensor<4x3x3x3xf32>) -> tensor<1x4x5x6xf32>
  return
}

// -----

func.func @conv_bias_rank(%x: tensor<1x3x8x8xf32>, %w: tensor<4x3x3x3xf32>, %b: tensor<1x4xf32>) {
  // expected-error @+1 {{'qc.conv' op bias must have rank 1, got rank 2}}
  %0 = qc.conv %x, %w, %b {dilations = array<i64: 1, 1>, group = 1 : i64, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>} : (tensor<1x3x8x8xf32>, tensor<4x3x3x3xf32>, tensor<1x4xf32>) -> tensor<1x4x6x6xf32>
  return
}

// -----

func.func @conv_bias_size(%x: tensor<1x3x8x8xf32>, %w: tensor<4x3x3x3xf32>, %b: tensor<5xf32>) {
  // expected-error @+1 {{'qc.conv' op bias dim 0 is 5 but the layer has 4 output channels}}
  %0 = qc.conv %x, %w, %b {dilations = array<i64: 1, 1>, group = 1 : i64, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>} : (tensor<1x3x8x8xf32>, tensor<4x3x3x3xf32>, tensor<5xf32>) -> tensor<1x4x6x6xf32>
  return
}

// -----

func.func @conv_kernel_size(%x: tensor<1x3x8x8xf32>, %w: tensor<4x3x0x3xf32>) {
  // expected-error @+1 {{'qc.conv' op weight dim 2 (kernel size) must be >= 1, got 0}}
  %0 = qc.conv %x, %w {dilations = array<i64: 1, 1>, group = 1 : i64, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>} : (tensor<1x3x8x8xf32>, tensor<4x3x0x3xf32>) -> tensor<1x4x9x6xf32>
  return
}

// -----

func.func @conv_window_does_not_fit(%x: tensor<1x3x2x8xf32>, %w: tensor<4x3x3x3xf32>) {
  // expected-error @+1 {{'qc.conv' op window does not fit: input dim 2 is 2, padded by 0 and 0, but kernel 3 with dilation 1 spans more}}
  %0 = qc.conv %x, %w {dilations = array<i64: 1, 1>, group = 1 : i64, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>} : (tensor<1x3x2x8xf32>, tensor<4x3x3x3xf32>) -> tensor<1x4x1x6xf32>
  return
}

// -----

func.func @conv_output_size(%x: tensor<1x3x8x8xf32>, %w: tensor<4x3x3x3xf32>) {
  // (8 + 1 + 0 - 2 * (3 - 1) - 1) / 2 + 1 = 3
  // expected-error @+1 {{'qc.conv' op result dim 2 is 4 but the convolution gives 3}}
  %0 = qc.conv %x, %w {dilations = array<i64: 2, 1>, group = 1 : i64, pads = array<i64: 1, 0, 0, 0>, strides = array<i64: 2, 1>} : (tensor<1x3x8x8xf32>, tensor<4x3x3x3xf32>) -> tensor<1x4x4x6xf32>
  return
}

// -----

func.func @conv_output_channels(%x: tensor<1x3x8x8xf32>, %w: tensor<4x3x3x3xf32>) {
  // expected-error @+1 {{'qc.conv' op result dim 1 is 5 but the convolution gives 4}}
  %0 = qc.conv %x, %w {dilations = array<i64: 1, 1>, group = 1 : i64, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>} : (tensor<1x3x8x8xf32>, tensor<4x3x3x3xf32>) -> tensor<1x5x6x6xf32>
  return
}

// -----

func.func @conv_batch(%x: tensor<2x3x8x8xf32>, %w: tensor<4x3x3x3xf32>) {
  // expected-error @+1 {{'qc.conv' op result dim 0 is 1 but the convolution gives 2}}
  %0 = qc.conv %x, %w {dilations = array<i64: 1, 1>, group = 1 : i64, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>} : (tensor<2x3x8x8xf32>, tensor<4x3x3x3xf32>) -> tensor<1x4x6x6xf32>
  return
}

// -----

func.func @conv_result_rank(%x: tensor<1x3x8x8xf32>, %w: tensor<4x3x3x3xf32>) {
  // expected-error @+1 {{'qc.conv' op result has rank 3 but the convolution gives rank 4}}
  %0 = qc.conv %x, %w {dilations = array<i64: 1, 1>, group = 1 : i64, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>} : (tensor<1x3x8x8xf32>, tensor<4x3x3x3xf32>) -> tensor<4x6x6xf32>
  return
}

// -----

func.func @conv_transpose_channels(%x: tensor<1x3x3x3xf32>, %w: tensor<4x2x3x3xf32>) {
  // expected-error @+1 {{'qc.conv_transpose' op input channel mismatch: input dim 1 is 3 but weight dim 0 is 4}}
  %0 = qc.conv_transpose %x, %w {dilations = array<i64: 1, 1>, group = 1 : i64, output_padding = array<i64: 0, 0>, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>} : (tensor<1x3x3x3xf32>, tensor<4x2x3x3xf32>) -> tensor<1x2x5x5xf32>
  return
}

// -----

func.func @conv_transpose_group(%x: tensor<1x3x3x3xf32>, %w: tensor<3x2x3x3xf32>) {
  // expected-error @+1 {{'qc.conv_transpose' op input dim 1 (channels) is 3, which group 2 does not divide}}
  %0 = qc.conv_transpose %x, %w {dilations = array<i64: 1, 1>, group = 2 : i64, output_padding = array<i64: 0, 0>, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>} : (tensor<1x3x3x3xf32>, tensor<3x2x3x3xf32>) -> tensor<1x4x5x5xf32>
  return
}

// -----

func.func @conv_transpose_output_padding_count(%x: tensor<1x4x3x3xf32>, %w: tensor<4x2x3x3xf32>) {
  // expected-error @+1 {{'qc.conv_transpose' op expected one output_padding per spatial dimension, got 1}}
  %0 = qc.conv_transpose %x, %w {dilations = array<i64: 1, 1>, group = 1 : i64, output_padding = array<i64: 0>, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>} : (tensor<1x4x3x3xf32>, tensor<4x2x3x3xf32>) -> tensor<1x2x5x5xf32>
  return
}

// -----

func.func @conv_transpose_output_padding(%x: tensor<1x4x3x3xf32>, %w: tensor<4x2x3x3xf32>) {
  // expected-error @+1 {{'qc.conv_transpose' op output_padding[1] must be >= 0, got -1}}
  %0 = qc.conv_transpose %x, %w {dilations = array<i64: 1, 1>, group = 1 : i64, output_padding = array<i64: 0, -1>, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>} : (tensor<1x4x3x3xf32>, tensor<4x2x3x3xf32>) -> tensor<1x2x5x4xf32>
  return
}

// -----

func.func @conv_transpose_output_size(%x: tensor<1x4x3x3xf32>, %w: tensor<4x2x3x3xf32>) {
  // 2 * (3 - 1) + 1 + 1 * (3 - 1) + 1 - 1 - 0 = 7
  // expected-error @+1 {{'qc.conv_transpose' op result dim 2 is 8 but the transposed convolution gives 7}}
  %0 = qc.conv_transpose %x, %w {dilations = array<i64: 1, 1>, group = 1 : i64, output_padding = array<i64: 1, 0>, pads = array<i64: 1, 0, 0, 0>, strides = array<i64: 2, 1>} : (tensor<1x4x3x3xf32>, tensor<4x2x3x3xf32>) -> tensor<1x2x8x5xf32>
  return
}

// -----

func.func @conv_transpose_output_channels(%x: tensor<1x4x3x3xf32>, %w: tensor<4x2x3x3xf32>) {
  // M = weight dim 1 * group = 4.
  // expected-error @+1 {{'qc.conv_transpose' op result dim 1 is 2 but the transposed convolution gives 4}}
  %0 = qc.conv_transpose %x, %w {dilations = array<i64: 1, 1>, group = 2 : i64, output_padding = array<i64: 0, 0>, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>} : (tensor<1x4x3x3xf32>, tensor<4x2x3x3xf32>) -> tensor<1x2x5x5xf32>
  return
}

// -----

func.func @conv_transpose_bias(%x: tensor<1x4x3x3xf32>, %w: tensor<4x2x3x3xf32>, %b: tensor<4xf32>) {
  // expected-error @+1 {{'qc.conv_transpose' op bias dim 0 is 4 but the layer has 2 output channels}}
  %0 = qc.conv_transpose %x, %w, %b {dilations = array<i64: 1, 1>, group = 1 : i64, output_padding = array<i64: 0, 0>, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>} : (tensor<1x4x3x3xf32>, tensor<4x2x3x3xf32>, tensor<4xf32>) -> tensor<1x2x5x5xf32>
  return
}

// -----

func.func @conv_transpose_empty_output(%x: tensor<1x4x1x3xf32>, %w: tensor<4x2x1x3xf32>) {
  // expected-error @+1 {{'qc.conv_transpose' op input dim 2 of size 1 gives an empty output with kernel 1, stride 1, dilation 1, pads 1 and 0 and output_padding 0}}
  %0 = qc.conv_transpose %x, %w {dilations = array<i64: 1, 1>, group = 1 : i64, output_padding = array<i64: 0, 0>, pads = array<i64: 1, 0, 0, 0>, strides = array<i64: 1, 1>} : (tensor<1x4x1x3xf32>, tensor<4x2x1x3xf32>) -> tensor<1x2x1x5xf32>
  return
}

//===----------------------------------------------------------------------===//
// Pooling
//===----------------------------------------------------------------------===//

// -----

func.func @max_pool_kernel_count(%x: tensor<1x1x5x5xf32>) {
  // expected-error @+1 {{'qc.max_pool' op expected 2 kernel_shape entries (one per spatial dimension), got 1}}
  %0 = qc.max_pool %x {ceil_mode = false, dilations = array<i64: 1, 1>, kernel_shape = array<i64: 2>, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 2, 2>} : tensor<1x1x5x5xf32> -> tensor<1x1x2x2xf32>
  return
}

// -----

func.func @max_pool_kernel_size(%x: tensor<1x1x5x5xf32>) {
  // expected-error @+1 {{'qc.max_pool' op kernel_shape[1] must be >= 1, got 0}}
  %0 = qc.max_pool %x {ceil_mode = false, dilations = array<i64: 1, 1>, kernel_shape = array<i64: 2, 0>, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 2, 2>} : tensor<1x1x5x5xf32> -> tensor<1x1x2x2xf32>
  return
}

// -----

func.func @max_pool_floor(%x: tensor<1x1x5x5xf32>) {
  // expected-error @+1 {{'qc.max_pool' op result dim 2 is 3 but the pooling window gives 2}}
  %0 = qc.max_pool %x {ceil_mode = false, dilations = array<i64: 1, 1>, kernel_shape = array<i64: 2, 2>, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 2, 2>} : tensor<1x1x5x5xf32> -> tensor<1x1x3x2xf32>
  return
}

// -----

func.func @max_pool_ceil(%x: tensor<1x1x5x5xf32>) {
  // expected-error @+1 {{'qc.max_pool' op result dim 2 is 2 but the pooling window gives 3}}
  %0 = qc.max_pool %x {ceil_mode = true, dilations = array<i64: 1, 1>, kernel_shape = array<i64: 2, 2>, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 2, 2>} : tensor<1x1x5x5xf32> -> tensor<1x1x2x3xf32>
  return
}

// -----

func.func @max_pool_ceil_drops_window_in_end_padding(%x: tensor<1x1x4x4xf32>) {
  // ceil((4 + 1 - 2) / 2) + 1 = 3, but the third window would start at 4,
  // in the end padding.
  // expected-error @+1 {{'qc.max_pool' op result dim 2 is 3 but the pooling window gives 2}}
  %0 = qc.max_pool %x {ceil_mode = true, dilations = array<i64: 1, 1>, kernel_shape = array<i64: 2, 2>, pads = array<i64: 0, 0, 1, 1>, strides = array<i64: 2, 2>} : tensor<1x1x4x4xf32> -> tensor<1x1x3x3xf32>
  return
}

// -----

func.func @max_pool_channels(%x: tensor<1x3x4x4xf32>) {
  // expected-error @+1 {{'qc.max_pool' op result dim 1 is 1 but the pooling window gives 3}}
  %0 = qc.max_pool %x {ceil_mode = false, dilations = array<i64: 1, 1>, kernel_shape = array<i64: 2, 2>, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 2, 2>} : tensor<1x3x4x4xf32> -> tensor<1x1x2x2xf32>
  return
}

// -----

func.func @avg_pool_dilation(%x: tensor<1x1x5x5xf32>) {
  // expected-error @+1 {{'qc.avg_pool' op dilations[0] must be >= 1, got 0}}
  %0 = qc.avg_pool %x {ceil_mode = false, count_include_pad = false, dilations = array<i64: 0, 1>, kernel_shape = array<i64: 2, 2>, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 2, 2>} : tensor<1x1x5x5xf32> -> tensor<1x1x2x2xf32>
  return
}

// -----

func.func @avg_pool_negative_pad(%x: tensor<1x1x5x5xf32>) {
  // expected-error @+1 {{'qc.avg_pool' op pads[3] must be >= 0, got -2}}
  %0 = qc.avg_pool %x {ceil_mode = false, count_include_pad = false, dilations = array<i64: 1, 1>, kernel_shape = array<i64: 2, 2>, pads = array<i64: 0, 0, 0, -2>, strides = array<i64: 2, 2>} : tensor<1x1x5x5xf32> -> tensor<1x1x2x1xf32>
  return
}

// -----

func.func @avg_pool_window_does_not_fit(%x: tensor<1x1x5x5xf32>) {
  // expected-error @+1 {{'qc.avg_pool' op window does not fit: input dim 3 is 5, padded by 0 and 0, but kernel 3 with dilation 3 spans more}}
  %0 = qc.avg_pool %x {ceil_mode = false, count_include_pad = false, dilations = array<i64: 1, 3>, kernel_shape = array<i64: 2, 3>, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>} : tensor<1x1x5x5xf32> -> tensor<1x1x4x1xf32>
  return
}

// -----

func.func @sum_pool_rank(%x: tensor<1x5xi8>) {
  // expected-error @+1 {{'qc.sum_pool' op expected input of rank >= 3 ([N, C, D1, ...]), got rank 2}}
  %0 = qc.sum_pool %x {ceil_mode = false, dilations = array<i64>, kernel_shape = array<i64>, pads = array<i64>, strides = array<i64>} : tensor<1x5xi8> -> tensor<1x5xi32>
  return
}

// -----

func.func @sum_pool_strides_count(%x: tensor<1x1x5xi8>) {
  // expected-error @+1 {{'qc.sum_pool' op expected 1 strides, 1 dilations and 2 pads for a tensor with 1 spatial dimensions, got 2, 1 and 2}}
  %0 = qc.sum_pool %x {ceil_mode = false, dilations = array<i64: 1>, kernel_shape = array<i64: 2>, pads = array<i64: 0, 0>, strides = array<i64: 1, 1>} : tensor<1x1x5xi8> -> tensor<1x1x4xi32>
  return
}

// -----

func.func @global_avg_pool(%x: tensor<1x3x4x4xf32>) {
  // expected-error @+1 {{'qc.global_avg_pool' op result dim 2 is 4 but pooling every spatial dimension gives 1}}
  %0 = qc.global_avg_pool %x : tensor<1x3x4x4xf32> -> tensor<1x3x4x1xf32>
  return
}

// -----

func.func @global_avg_pool_rank(%x: tensor<3xf32>) {
  // expected-error @+1 {{'qc.global_avg_pool' op expected input of rank >= 2 ([N, C, D1, ...]), got rank 1}}
  %0 = qc.global_avg_pool %x : tensor<3xf32> -> tensor<3xf32>
  return
}

//===----------------------------------------------------------------------===//
// Normalisation and reductions
//===----------------------------------------------------------------------===//

// -----

func.func @softmax_axis(%x: tensor<2x3xf32>) {
  // expected-error @+1 {{'qc.softmax' op axis 2 is out of range for input rank 2}}
  %0 = qc.softmax %x {axis = 2 : i64} : tensor<2x3xf32>
  return
}

// -----

func.func @softmax_negative_axis(%x: tensor<2x3xf32>) {
  // expected-error @+1 {{'qc.softmax' op axis -1 is out of range for input rank 2}}
  %0 = qc.softmax %x {axis = -1 : i64} : tensor<2x3xf32>
  return
}

// -----

func.func @batch_norm_rank(%x: tensor<3xf32>, %p: tensor<3xf32>) {
  // expected-error @+1 {{'qc.batch_norm' op expected input of rank >= 2 ([N, C, ...]), got rank 1}}
  %0 = qc.batch_norm %x, %p, %p, %p, %p {epsilon = 1.0e-5 : f32} : (tensor<3xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>) -> tensor<3xf32>
  return
}

// -----

func.func @batch_norm_scale(%x: tensor<1x3x4xf32>, %s: tensor<4xf32>, %p: tensor<3xf32>) {
  // expected-error @+1 {{'qc.batch_norm' op channel mismatch: scale dim 0 is 4 but input dim 1 is 3}}
  %0 = qc.batch_norm %x, %s, %p, %p, %p {epsilon = 1.0e-5 : f32} : (tensor<1x3x4xf32>, tensor<4xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>) -> tensor<1x3x4xf32>
  return
}

// -----

func.func @batch_norm_variance(%x: tensor<1x3x4xf32>, %p: tensor<3xf32>, %v: tensor<2xf32>) {
  // expected-error @+1 {{'qc.batch_norm' op channel mismatch: variance dim 0 is 2 but input dim 1 is 3}}
  %0 = qc.batch_norm %x, %p, %p, %p, %v {epsilon = 1.0e-5 : f32} : (tensor<1x3x4xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>, tensor<2xf32>) -> tensor<1x3x4xf32>
  return
}

// -----

func.func @batch_norm_mean_rank(%x: tensor<1x3x4xf32>, %p: tensor<3xf32>, %m: tensor<1x3xf32>) {
  // expected-error @+1 {{'qc.batch_norm' op mean must have rank 1, got rank 2}}
  %0 = qc.batch_norm %x, %p, %p, %m, %p {epsilon = 1.0e-5 : f32} : (tensor<1x3x4xf32>, tensor<3xf32>, tensor<3xf32>, tensor<1x3xf32>, tensor<3xf32>) -> tensor<1x3x4xf32>
  return
}

// -----

func.func @batch_norm_result(%x: tensor<1x3x4xf32>, %p: tensor<3xf32>) {
  // expected-error @+1 {{'qc.batch_norm' op shape mismatch: result dim 2 is 5 but input dim 2 is 4}}
  %0 = qc.batch_norm %x, %p, %p, %p, %p {epsilon = 1.0e-5 : f32} : (tensor<1x3x4xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>) -> tensor<1x3x5xf32>
  return
}

// -----

func.func @layer_norm_axis(%x: tensor<2x3x4xf32>, %s: tensor<4xf32>) {
  // expected-error @+1 {{'qc.layer_norm' op axis 3 is out of range for input rank 3}}
  %0 = qc.layer_norm %x, %s {axis = 3 : i64, epsilon = 1.0e-5 : f32} : (tensor<2x3x4xf32>, tensor<4xf32>) -> tensor<2x3x4xf32>
  return
}

// -----

func.func @layer_norm_scale(%x: tensor<2x3x4xf32>, %s: tensor<3xf32>) {
  // expected-error @+1 {{'qc.layer_norm' op scale does not broadcast to input: scale dim 0 is 3 but input dim 2 is 4}}
  %0 = qc.layer_norm %x, %s {axis = 2 : i64, epsilon = 1.0e-5 : f32} : (tensor<2x3x4xf32>, tensor<3xf32>) -> tensor<2x3x4xf32>
  return
}

// -----

func.func @layer_norm_bias_rank(%x: tensor<2x3x4xf32>, %s: tensor<4xf32>, %b: tensor<3x4xf32>) {
  // expected-error @+1 {{'qc.layer_norm' op bias of rank 2 cannot broadcast to input dims [2, 3)}}
  %0 = qc.layer_norm %x, %s, %b {axis = 2 : i64, epsilon = 1.0e-5 : f32} : (tensor<2x3x4xf32>, tensor<4xf32>, tensor<3x4xf32>) -> tensor<2x3x4xf32>
  return
}

// -----

func.func @layer_norm_result(%x: tensor<2x3x4xf32>, %s: tensor<4xf32>) {
  // expected-error @+1 {{'qc.layer_norm' op result rank 2 differs from input rank 3}}
  %0 = qc.layer_norm %x, %s {axis = 2 : i64, epsilon = 1.0e-5 : f32} : (tensor<2x3x4xf32>, tensor<4xf32>) -> tensor<6x4xf32>
  return
}

// -----

func.func @reduce_mean_axis(%x: tensor<2x3x4xf32>) {
  // expected-error @+1 {{'qc.reduce_mean' op axes[1] = 3 is out of range for input rank 3}}
  %0 = qc.reduce_mean %x {axes = array<i64: 1, 3>, keepdims = true} : tensor<2x3x4xf32> -> tensor<2x1x4xf32>
  return
}

// -----

func.func @reduce_sum_repeated_axis(%x: tensor<2x3x4xi8>) {
  // expected-error @+1 {{'qc.reduce_sum' op axes must be sorted and unique, got 1 after 1}}
  %0 = qc.reduce_sum %x {axes = array<i64: 1, 1>, keepdims = true} : tensor<2x3x4xi8> -> tensor<2x1x4xi32>
  return
}

// -----

func.func @reduce_sum_unsorted_axes(%x: tensor<2x3x4xi8>) {
  // expected-error @+1 {{'qc.reduce_sum' op axes must be sorted and unique, got 0 after 2}}
  %0 = qc.reduce_sum %x {axes = array<i64: 2, 0>, keepdims = true} : tensor<2x3x4xi8> -> tensor<1x3x1xi32>
  return
}

// -----

func.func @reduce_mean_keepdims(%x: tensor<2x3x4xf32>) {
  // expected-error @+1 {{'qc.reduce_mean' op result has rank 2 but the reduction with keepdims gives rank 3}}
  %0 = qc.reduce_mean %x {axes = array<i64: 1>, keepdims = true} : tensor<2x3x4xf32> -> tensor<2x4xf32>
  return
}

// -----

func.func @reduce_mean_no_keepdims(%x: tensor<2x3x4xf32>) {
  // expected-error @+1 {{'qc.reduce_mean' op result dim 1 is 3 but the reduction without keepdims gives 4}}
  %0 = qc.reduce_mean %x {axes = array<i64: 1>, keepdims = false} : tensor<2x3x4xf32> -> tensor<2x3xf32>
  return
}

// -----

func.func @reduce_sum_all(%x: tensor<2x3xf32>) {
  // No axes: every axis, as ONNX.
  // expected-error @+1 {{'qc.reduce_sum' op result dim 1 is 3 but the reduction with keepdims gives 1}}
  %0 = qc.reduce_sum %x {axes = array<i64>, keepdims = true} : tensor<2x3xf32> -> tensor<1x3xf32>
  return
}

//===----------------------------------------------------------------------===//
// Data movement
//===----------------------------------------------------------------------===//

// -----

func.func @reshape_count(%x: tensor<3x4xf32>) {
  // expected-error @+1 {{'qc.reshape' op cannot reshape 12 elements into 'tensor<5x2xf32>'}}
  %0 = qc.reshape %x : tensor<3x4xf32> -> tensor<5x2xf32>
  return
}

// -----

func.func @reshape_count_dynamic_result(%x: tensor<3x4xf32>) {
  // expected-error @+1 {{'qc.reshape' op cannot reshape 12 elements into 'tensor<?x5xf32>'}}
  %0 = qc.reshape %x : tensor<3x4xf32> -> tensor<?x5xf32>
  return
}

// -----

func.func @reshape_count_dynamic_input(%x: tensor<?x5xf32>) {
  // expected-error @+1 {{'qc.reshape' op cannot reshape 'tensor<?x5xf32>' into 12 elements}}
  %0 = qc.reshape %x : tensor<?x5xf32> -> tensor<3x4xf32>
  return
}

// -----

func.func @reshape_two_dynamic(%x: tensor<?x4xf32>) {
  // expected-error @+1 {{'qc.reshape' op at most one result dimension may be dynamic, got 'tensor<?x?xf32>'}}
  %0 = qc.reshape %x : tensor<?x4xf32> -> tensor<?x?xf32>
  return
}

// -----

func.func @reshape_element_type(%x: tensor<3x4xf32>) {
  // expected-error @+1 {{'qc.reshape' op result element type 'i32' differs from input element type 'f32'}}
  %0 = qc.reshape %x : tensor<3x4xf32> -> tensor<12xi32>
  return
}

// -----

func.func @transpose_not_permutation(%x: tensor<2x3xf32>) {
  // expected-error @+1 {{'qc.transpose' op perm is not a permutation of [0, 2): perm[1] = 0}}
  %0 = qc.transpose %x {perm = array<i64: 0, 0>} : tensor<2x3xf32> -> tensor<2x2xf32>
  return
}

// -----

func.func @transpose_perm_size(%x: tensor<2x3xf32>) {
  // expected-error @+1 {{'qc.transpose' op perm has 3 entries for input rank 2 and result rank 2}}
  %0 = qc.transpose %x {perm = array<i64: 1, 0, 2>} : tensor<2x3xf32> -> tensor<3x2xf32>
  return
}

// -----

func.func @transpose_result(%x: tensor<2x3xf32>) {
  // expected-error @+1 {{'qc.transpose' op permuted dimension mismatch: result dim 0 is 2 but input dim 1 is 3}}
  %0 = qc.transpose %x {perm = array<i64: 1, 0>} : tensor<2x3xf32> -> tensor<2x3xf32>
  return
}

// -----

func.func @concat_axis(%a: tensor<2x3xf32>) {
  // expected-error @+1 {{'qc.concat' op axis 2 is out of range for result rank 2}}
  %0 = qc.concat %a, %a {axis = 2 : i64} : (tensor<2x3xf32>, tensor<2x3xf32>) -> tensor<2x6xf32>
  return
}

// -----

func.func @concat_other_dim(%a: tensor<2x3xf32>, %b: tensor<2x4xf32>) {
  // expected-error @+1 {{'qc.concat' op concat dimension mismatch: input #1 dim 1 is 4 but result dim 1 is 3}}
  %0 = qc.concat %a, %b {axis = 0 : i64} : (tensor<2x3xf32>, tensor<2x4xf32>) -> tensor<4x3xf32>
  return
}

// -----

func.func @concat_rank(%a: tensor<2x3xf32>, %b: tensor<6xf32>) {
  // expected-error @+1 {{'qc.concat' op input #1 has rank 1 but the result has rank 2}}
  %0 = qc.concat %a, %b {axis = 0 : i64} : (tensor<2x3xf32>, tensor<6xf32>) -> tensor<4x3xf32>
  return
}

// -----

func.func @concat_sum(%a: tensor<2x3xf32>, %b: tensor<4x3xf32>) {
  // expected-error @+1 {{'qc.concat' op result dim 0 is 7 but the inputs' sizes along it add up to 6}}
  %0 = qc.concat %a, %b {axis = 0 : i64} : (tensor<2x3xf32>, tensor<4x3xf32>) -> tensor<7x3xf32>
  return
}

// -----

func.func @concat_sum_dynamic(%a: tensor<?x3xf32>, %b: tensor<4x3xf32>) {
  // expected-error @+1 {{'qc.concat' op result dim 0 is 3 but the inputs' sizes along it add up to at least 4}}
  %0 = qc.concat %a, %b {axis = 0 : i64} : (tensor<?x3xf32>, tensor<4x3xf32>) -> tensor<3x3xf32>
  return
}

// -----

func.func @concat_element_type(%a: tensor<2x3xf32>, %b: tensor<2x3xi8>) {
  // expected-error @+1 {{'qc.concat' op result element type 'f32' differs from input #1 element type 'i8'}}
  %0 = qc.concat %a, %b {axis = 0 : i64} : (tensor<2x3xf32>, tensor<2x3xi8>) -> tensor<4x3xf32>
  return
}

// -----

func.func @split_sum(%x: tensor<6x2xf32>) {
  // expected-error @+1 {{'qc.split' op the results' sizes along dim 0 add up to 5 but input dim 0 is 6}}
  %0:2 = qc.split %x {axis = 0 : i64} : (tensor<6x2xf32>) -> (tensor<2x2xf32>, tensor<3x2xf32>)
  return
}

// -----

func.func @split_axis(%x: tensor<6x2xf32>) {
  // expected-error @+1 {{'qc.split' op axis 2 is out of range for input rank 2}}
  %0:2 = qc.split %x {axis = 2 : i64} : (tensor<6x2xf32>) -> (tensor<3x2xf32>, tensor<3x2xf32>)
  return
}

// -----

func.func @split_other_dim(%x: tensor<6x2xf32>) {
  // expected-error @+1 {{'qc.split' op split dimension mismatch: result #1 dim 1 is 3 but input dim 1 is 2}}
  %0:2 = qc.split %x {axis = 0 : i64} : (tensor<6x2xf32>) -> (tensor<3x2xf32>, tensor<3x3xf32>)
  return
}

// -----

func.func @split_dynamic_size(%x: tensor<6x2xf32>) {
  // expected-error @+1 {{'qc.split' op result #0 dim 0 must be static}}
  %0:2 = qc.split %x {axis = 0 : i64} : (tensor<6x2xf32>) -> (tensor<?x2xf32>, tensor<3x2xf32>)
  return
}

// -----

func.func @slice_attr_sizes(%x: tensor<10x4xf32>) {
  // expected-error @+1 {{'qc.slice' op expected 2 starts, ends and steps (one per input dimension), got 1, 2 and 2}}
  %0 = qc.slice %x {starts = array<i64: 0>, ends = array<i64: 8, 4>, steps = array<i64: 1, 1>} : tensor<10x4xf32> -> tensor<8x4xf32>
  return
}

// -----

func.func @slice_zero_step(%x: tensor<10x4xf32>) {
  // expected-error @+1 {{'qc.slice' op steps[1] must be nonzero}}
  %0 = qc.slice %x {starts = array<i64: 0, 0>, ends = array<i64: 8, 4>, steps = array<i64: 1, 0>} : tensor<10x4xf32> -> tensor<8x4xf32>
  return
}

// -----

func.func @slice_result(%x: tensor<10x4xf32>) {
  // ceil((8 - 1) / 2) = 4
  // expected-error @+1 {{'qc.slice' op result dim 0 is 5 but the slice gives 4}}
  %0 = qc.slice %x {starts = array<i64: 1, 0>, ends = array<i64: 8, 4>, steps = array<i64: 2, 1>} : tensor<10x4xf32> -> tensor<5x4xf32>
  return
}

// -----

func.func @slice_negative_step(%x: tensor<10xf32>) {
  // From 9 down to (clamped) -1 by 3: 9, 6, 3, 0.
  // expected-error @+1 {{'qc.slice' op result dim 0 is 3 but the slice gives 4}}
  %0 = qc.slice %x {starts = array<i64: -1>, ends = array<i64: -9223372036854775808>, steps = array<i64: -3>} : tensor<10xf32> -> tensor<3xf32>
  return
}

// -----

func.func @slice_clamped(%x: tensor<10xf32>) {
  // Out-of-range bounds clamp: [2, 10).
  // expected-error @+1 {{'qc.slice' op result dim 0 is 98 but the slice gives 8}}
  %0 = qc.slice %x {starts = array<i64: 2>, ends = array<i64: 100>, steps = array<i64: 1>} : tensor<10xf32> -> tensor<98xf32>
  return
}

// -----

func.func @gather_axis(%x: tensor<5x4xf32>, %i: tensor<2xi64>) {
  // expected-error @+1 {{'qc.gather' op axis 2 is out of range for data rank 2}}
  %0 = qc.gather %x[%i] {axis = 2 : i64} : (tensor<5x4xf32>, tensor<2xi64>) -> tensor<5x2xf32>
  return
}

// -----

func.func @gather_result_rank(%x: tensor<5x4xf32>, %i: tensor<2x3xi64>) {
  // expected-error @+1 {{'qc.gather' op result has rank 2 but the gather gives rank 3}}
  %0 = qc.gather %x[%i] {axis = 0 : i64} : (tensor<5x4xf32>, tensor<2x3xi64>) -> tensor<2x4xf32>
  return
}

// -----

func.func @gather_result_dim(%x: tensor<5x4xf32>, %i: tensor<2xi32>) {
  // expected-error @+1 {{'qc.gather' op result dim 0 is 2 but the gather gives 5}}
  %0 = qc.gather %x[%i] {axis = 1 : i64} : (tensor<5x4xf32>, tensor<2xi32>) -> tensor<2x2xf32>
  return
}

// -----

func.func @gather_float_indices(%x: tensor<5x4xf32>, %i: tensor<2xf32>) {
  // expected-error @+1 {{'qc.gather' op indices must be integers, got 'f32'}}
  %0 = qc.gather %x[%i] {axis = 0 : i64} : (tensor<5x4xf32>, tensor<2xf32>) -> tensor<2x4xf32>
  return
}

// -----

func.func @pad_count(%x: tensor<2x3xf32>) {
  // expected-error @+1 {{'qc.pad' op expected 4 pads (begin then end of each input dimension), got 2}}
  %0 = qc.pad %x {mode = #qc.pad_mode<constant>, pads = array<i64: 1, 1>, value = 0.0 : f64} : tensor<2x3xf32> -> tensor<3x4xf32>
  return
}

// -----

func.func @pad_result(%x: tensor<2x3xf32>) {
  // expected-error @+1 {{'qc.pad' op result dim 1 is 4 but the padding gives 5}}
  %0 = qc.pad %x {mode = #qc.pad_mode<constant>, pads = array<i64: 1, 0, 1, 2>, value = 0.0 : f64} : tensor<2x3xf32> -> tensor<4x4xf32>
  return
}

// -----

func.func @pad_crop(%x: tensor<2x3xf32>) {
  // expected-error @+1 {{'qc.pad' op pads -2 and -2 crop more than input dim 1 of size 3}}
  %0 = qc.pad %x {mode = #qc.pad_mode<constant>, pads = array<i64: 0, -2, 0, -2>, value = 0.0 : f64} : tensor<2x3xf32> -> tensor<2x0xf32>
  return
}

// -----

func.func @pad_reflect_empty(%x: tensor<2x3xf32>) {
  // expected-error @+1 {{'qc.pad' op cannot reflect-pad input dim 1, which is empty after cropping}}
  %0 = qc.pad %x {mode = #qc.pad_mode<reflect>, pads = array<i64: 0, -3, 0, 1>, value = 0.0 : f64} : tensor<2x3xf32> -> tensor<2x1xf32>
  return
}

// -----

func.func @pad_element_type(%x: tensor<2x3xi8>) {
  // expected-error @+1 {{'qc.pad' op result element type 'i32' differs from input element type 'i8'}}
  %0 = qc.pad %x {mode = #qc.pad_mode<constant>, pads = array<i64: 0, 0, 0, 0>, value = 0.0 : f64} : tensor<2x3xi8> -> tensor<2x3xi32>
  return
}

// -----

func.func @expand_sizes(%x: tensor<1x6xf32>, %n: index) {
  // expected-error @+1 {{'qc.expand' op expected 1 sizes (one per dynamic result dimension), got 0}}
  %0 = qc.expand %x : tensor<1x6xf32> -> tensor<?x6xf32>
  return
}

// -----

func.func @expand_broadcast(%x: tensor<2x6xf32>) {
  // expected-error @+1 {{'qc.expand' op input dim 0 (2) does not broadcast to result dim 1 (3)}}
  %0 = qc.expand %x : tensor<2x6xf32> -> tensor<4x3x6xf32>
  return
}

// -----

func.func @expand_rank(%x: tensor<2x6xf32>) {
  // expected-error @+1 {{'qc.expand' op result rank 1 is below the input's 2}}
  %0 = qc.expand %x : tensor<2x6xf32> -> tensor<12xf32>
  return
}
