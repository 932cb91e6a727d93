// RUN: qopt %s -split-input-file -qc-lower-requantize -verify-diagnostics | FileCheck %s
// RUN: qopt %s -split-input-file -qc-lower-requantize=scale32=false -verify-diagnostics | FileCheck %s --check-prefix=S16

// 0.0004 / 0.05 = 0.008 = 1099511628 / 2^37 (relative error 2e-10); with
// 16-bit multipliers 16777 / 2^21.
// CHECK-LABEL: func @per_tensor
// CHECK-SAME: (%[[ACC:.*]]: tensor<8xi32>)
// The storage casts around the rescale fold away against the ones around
// the requantize.
// CHECK-NOT: quant.scast
// CHECK: %[[R:.*]] = qc.rescale %[[ACC]] multiplier [1099511628] shift [37] zp (0, -3) : tensor<8xi32> -> tensor<8xi8>
// CHECK-NEXT: return %[[R]] : tensor<8xi8>
// S16-LABEL: func @per_tensor
// S16: qc.rescale %{{.*}} multiplier [16777] shift [21] zp (0, -3) {scale32 = false} : tensor<8xi32> -> tensor<8xi8>
func.func @per_tensor(%acc: tensor<8xi32>) -> tensor<8xi8> {
  %q = quant.scast %acc : tensor<8xi32> to tensor<8x!quant.uniform<i32:f32, 0.0004>>
  %r = qc.requantize %q rounding<half_up> : tensor<8x!quant.uniform<i32:f32, 0.0004>> -> tensor<8x!quant.uniform<i8:f32, 0.05:-3>>
  %s = quant.scast %r : tensor<8x!quant.uniform<i8:f32, 0.05:-3>> to tensor<8xi8>
  return %s : tensor<8xi8>
}

// -----

// Per-channel accumulator scales (s_x * s_w[c]) give one multiplier per
// channel along the quantized axis.
// CHECK-LABEL: func @per_channel
// CHECK: %[[S:.*]] = quant.scast %{{.*}} : tensor<2x4x!quant.uniform<i32:f32:1, {{.*}}>> to tensor<2x4xi32>
// CHECK: %[[R:.*]] = qc.rescale %[[S]] multiplier [1374389535, 1374389535, 2061584302, 1374389535] shift [36, 35, 35, 34] axis 1 zp (0, 5) : tensor<2x4xi32> -> tensor<2x4xi8>
// CHECK: quant.scast %[[R]] : tensor<2x4xi8> to tensor<2x4x!quant.uniform<i8:f32, 5.000000e-02:5>>
// CHECK-NOT: qc.requantize
func.func @per_channel(%acc: tensor<2x4x!quant.uniform<i32:f32:1, {0.001, 0.002, 0.003, 0.004}>>) -> tensor<2x4x!quant.uniform<i8:f32, 0.05:5>> {
  %r = qc.requantize %acc rounding<half_up> : tensor<2x4x!quant.uniform<i32:f32:1, {0.001, 0.002, 0.003, 0.004}>> -> tensor<2x4x!quant.uniform<i8:f32, 0.05:5>>
  return %r : tensor<2x4x!quant.uniform<i8:f32, 0.05:5>>
}

// -----

// Unsigned storage sets the rescale's unsigned flags.
// CHECK-LABEL: func @unsigned
// CHECK: qc.rescale %{{.*}} multiplier [1073741824] shift [29] zp (128, 0) {input_unsigned} : tensor<4xi8> -> tensor<4xi8>
// CHECK: qc.rescale %{{.*}} multiplier [1073741824] shift [31] zp (0, 8) {output_unsigned} : tensor<4xi8> -> tensor<4xi4>
func.func @unsigned(%x: tensor<4x!quant.uniform<u8:f32, 0.5:128>>, %y: tensor<4x!quant.uniform<i8:f32, 0.5>>) -> (tensor<4x!quant.uniform<i8:f32, 0.25>>, tensor<4x!quant.uniform<u4:f32, 1.0:8>>) {
  %a = qc.requantize %x rounding<half_up> : tensor<4x!quant.uniform<u8:f32, 0.5:128>> -> tensor<4x!quant.uniform<i8:f32, 0.25>>
  %b = qc.requantize %y rounding<half_up> : tensor<4x!quant.uniform<i8:f32, 0.5>> -> tensor<4x!quant.uniform<u4:f32, 1.0:8>>
  return %a, %b : tensor<4x!quant.uniform<i8:f32, 0.25>>, tensor<4x!quant.uniform<u4:f32, 1.0:8>>
}

// -----

func.func @half_to_even(%x: tensor<4x!quant.uniform<i32:f32, 0.5>>) -> tensor<4x!quant.uniform<i8:f32, 0.25>> {
  // expected-error @+1 {{'qc.requantize' op cannot be lowered to a dyadic rescale: rounding half_to_even has no dyadic rescale form; only half_up (TOSA single_round) does}}
  %a = qc.requantize %x rounding<half_to_even> : tensor<4x!quant.uniform<i32:f32, 0.5>> -> tensor<4x!quant.uniform<i8:f32, 0.25>>
  return %a : tensor<4x!quant.uniform<i8:f32, 0.25>>
}

// -----

func.func @narrow_range(%x: tensor<4x!quant.uniform<i32:f32, 0.5>>) -> tensor<4x!quant.uniform<i8<-127:127>:f32, 0.25>> {
  // expected-error @+1 {{'qc.requantize' op cannot be lowered to a dyadic rescale: the result's narrowed storage range [-127, 127] is not supported (a rescale clamps to the full storage range)}}
  %a = qc.requantize %x rounding<half_up> : tensor<4x!quant.uniform<i32:f32, 0.5>> -> tensor<4x!quant.uniform<i8<-127:127>:f32, 0.25>>
  return %a : tensor<4x!quant.uniform<i8<-127:127>:f32, 0.25>>
}

// -----

func.func @zero_points_differ(%x: tensor<2x!quant.uniform<i8:f32:0, {0.5:1, 0.5:2}>>) -> tensor<2x!quant.uniform<i8:f32, 0.25>> {
  // expected-error @+1 {{'qc.requantize' op cannot be lowered to a dyadic rescale: per-channel zero points that differ between channels are not supported (a rescale has one zero point per operand)}}
  %a = qc.requantize %x rounding<half_up> : tensor<2x!quant.uniform<i8:f32:0, {0.5:1, 0.5:2}>> -> tensor<2x!quant.uniform<i8:f32, 0.25>>
  return %a : tensor<2x!quant.uniform<i8:f32, 0.25>>
}

// -----

func.func @ratio_too_large(%x: tensor<4x!quant.uniform<i32:f32, 1.0e10>>) -> tensor<4x!quant.uniform<i8:f32, 1.0>> {
  // expected-error @+1 {{'qc.requantize' op cannot be lowered to a dyadic rescale: channel 0: scale 1e+10 is too large for a dyadic rescale}}
  %a = qc.requantize %x rounding<half_up> : tensor<4x!quant.uniform<i32:f32, 1.0e10>> -> tensor<4x!quant.uniform<i8:f32, 1.0>>
  return %a : tensor<4x!quant.uniform<i8:f32, 1.0>>
}
