// A quantized dense layer's output stage, as qcc's quantizer will emit it:
// int32 accumulators with per-channel scales s_x * s_w[c] are requantized to
// int8 activations, which a float consumer then dequantizes.
//
//   qopt examples/requantize.mlir --qc-lower-requantize
//
// turns the real-valued requantize into an integer-only dyadic rescale
// (multiplier / 2^shift per channel, TOSA RESCALE semantics).
func.func @dense_output(%acc: tensor<?x4xi32>) -> (tensor<?x4xi8>, tensor<?x4xf32>) {
  // Accumulator scales: s_x = 0.02, s_w = {0.05, 0.1, 0.15, 0.2}.
  %q = quant.scast %acc : tensor<?x4xi32> to tensor<?x4x!quant.uniform<i32:f32:1, {0.001, 0.002, 0.003, 0.004}>>
  // Activation scale 0.05, zero point -3; ties round up as TOSA's single_round.
  %y = qc.requantize %q rounding<half_up>
      : tensor<?x4x!quant.uniform<i32:f32:1, {0.001, 0.002, 0.003, 0.004}>>
     -> tensor<?x4x!quant.uniform<i8:f32, 0.05:-3>>
  %s = quant.scast %y : tensor<?x4x!quant.uniform<i8:f32, 0.05:-3>> to tensor<?x4xi8>
  %f = qc.dequantize %y : tensor<?x4x!quant.uniform<i8:f32, 0.05:-3>> -> tensor<?x4xf32>
  return %s, %f : tensor<?x4xi8>, tensor<?x4xf32>
}
