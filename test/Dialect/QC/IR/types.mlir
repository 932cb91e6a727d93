// RUN: qopt %s -split-input-file | FileCheck %s
// Round trip through the generic form too: the printed types parse back.
// RUN: qopt %s -split-input-file -mlir-print-op-generic | qopt -split-input-file | FileCheck %s

// CHECK-LABEL: func private @scaled_float_per_tensor
// CHECK-SAME: tensor<4x!qc.float<f8E4M3FN:f32, 0.0125>>
// CHECK-SAME: tensor<4x!qc.float<f8E5M2:f16, 2.0>>
// CHECK-SAME: tensor<4x!qc.float<f6E3M2FN:bf16, 0.5>>
// CHECK-SAME: tensor<4x!qc.float<f6E2M3FN:f32, 1.0e-05>>
// CHECK-SAME: tensor<4x!qc.float<f4E2M1FN:f32, 0.1>>
func.func private @scaled_float_per_tensor(
    tensor<4x!qc.float<f8E4M3FN:f32, 0.0125>>,
    tensor<4x!qc.float<f8E5M2:f16, 2.0>>,
    tensor<4x!qc.float<f6E3M2FN:bf16, 5.0e-1>>,
    tensor<4x!qc.float<f6E2M3FN:f32, 0.00001>>,
    tensor<4x!qc.float<f4E2M1FN:f32, 0.1>>)

// -----

// Scales print with the fewest digits that read back to the same double.
// CHECK-LABEL: func private @scaled_float_per_axis
// CHECK-SAME: tensor<2x3x!qc.float<f8E4M3FN:f32:1, {0.5, 0.25, 0.3333333333333333}>>
// CHECK-SAME: tensor<2x!qc.float<f4E2M1FN:f32:0, {1.0, 3.0e+38}>>
func.func private @scaled_float_per_axis(
    tensor<2x3x!qc.float<f8E4M3FN:f32:1, {0.5, 0.25, 0.333333333333333333}>>,
    tensor<2x!qc.float<f4E2M1FN:f32:0, {1.0, 3.0e38}>>)

// -----

// CHECK-LABEL: func private @block_scaled
// CHECK-SAME: tensor<4x64x!qc.block<f8E4M3FN:f32, scale = f8E8M0FNU, block = 32, axis = 1>>
// CHECK-SAME: tensor<4x64x!qc.block<f6E3M2FN:f32, scale = f8E8M0FNU, block = 32, axis = 1>>
// CHECK-SAME: tensor<4x64x!qc.block<f6E2M3FN:f16, scale = f8E8M0FNU, block = 32, axis = 1>>
// CHECK-SAME: tensor<64x4x!qc.block<f4E2M1FN:f32, scale = f8E8M0FNU, block = 32, axis = 0>>
// CHECK-SAME: tensor<4x64x!qc.block<f4E2M1FN:f32, scale = f8E4M3FN, block = 16, axis = 1, tensor_scale = 0.0025>>
// CHECK-SAME: tensor<4x64x!qc.block<f8E5M2:bf16, scale = f8E4M3FN, block = 16, axis = 1>>
func.func private @block_scaled(
    tensor<4x64x!qc.block<f8E4M3FN:f32, scale = f8E8M0FNU, block = 32, axis = 1>>,
    tensor<4x64x!qc.block<f6E3M2FN:f32, scale = f8E8M0FNU, block = 32, axis = 1>>,
    tensor<4x64x!qc.block<f6E2M3FN:f16, scale = f8E8M0FNU, block = 32, axis = 1>>,
    tensor<64x4x!qc.block<f4E2M1FN:f32, scale = f8E8M0FNU, block = 32, axis = 0>>,
    tensor<4x64x!qc.block<f4E2M1FN:f32, scale = f8E4M3FN, block = 16, axis = 1, tensor_scale = 0.0025>>,
    // A tensor_scale of 1 is the default and is not printed.
    tensor<4x64x!qc.block<f8E5M2:bf16, scale = f8E4M3FN, block = 16, axis = 1, tensor_scale = 1.0>>)

// -----

// Integer quantization is upstream's !quant.uniform: every width from 1 to
// 16 bits, signed or unsigned, narrowed ranges, per tensor, per axis and per
// group (sub-channel).
// CHECK-LABEL: func private @integer_types_are_upstream_quant
// CHECK-SAME: !quant.uniform<i1:f32, 1.000000e+00>
// CHECK-SAME: !quant.uniform<i2<-1:1>:f32, 5.000000e-01>
// CHECK-SAME: !quant.uniform<u4:f32, 1.000000e-01:8>
// CHECK-SAME: !quant.uniform<i16:f32, 1.000000e-03:-3>
// CHECK-SAME: !quant.uniform<i8:f32:0, {1.000000e-01,2.000000e-01}>
// CHECK-SAME: !quant.uniform<i4:f32:{0:1, 1:32}, {{.*}}>
func.func private @integer_types_are_upstream_quant(
    tensor<4x!quant.uniform<i1:f32, 1.0>>,
    tensor<4x!quant.uniform<i2<-1:1>:f32, 0.5>>,
    tensor<4x!quant.uniform<u4:f32, 0.1:8>>,
    tensor<4x!quant.uniform<i16:f32, 0.001:-3>>,
    tensor<2x!quant.uniform<i8:f32:0, {0.1, 0.2}>>,
    tensor<2x64x!quant.uniform<i4:f32:{0:1, 1:32}, {{0.1, 0.2}, {0.3, 0.4}}>>)
