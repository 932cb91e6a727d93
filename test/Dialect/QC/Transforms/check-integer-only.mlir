// RUN: qopt %s -split-input-file -verify-diagnostics -qc-check-integer-only
// RUN: qopt %s -split-input-file -qc-check-integer-only=allow-float-islands=true 2>&1 >/dev/null | FileCheck %s --check-prefix=WARN
// WARN: warning: float op 'qc.dequantize'
// WARN: warning: float op 'qc.softmax'
// WARN: warning: float op 'qc.quantize'

// Integer from the input quantize to the output dequantize: no diagnostic.
func.func @integer(%x: tensor<4xf32>) -> tensor<4xf32> {
  %q = qc.quantize %x : tensor<4xf32> -> tensor<4x!quant.uniform<i8:f32, 0.5>>
  %i = qc.storage_cast %q : tensor<4x!quant.uniform<i8:f32, 0.5>> -> tensor<4xi8>
  %r = qc.rescale %i multiplier [1073741824] shift [30] zp (0, 1) : tensor<4xi8> -> tensor<4xi8>
  %o = qc.storage_cast %r : tensor<4xi8> -> tensor<4x!quant.uniform<i8:f32, 0.5:1>>
  %y = qc.dequantize %o : tensor<4x!quant.uniform<i8:f32, 0.5:1>> -> tensor<4xf32>
  return %y : tensor<4xf32>
}

// -----

// A float island: the dequantize feeding it, the softmax and the quantize
// after it are each reported.
func.func @island(%x: tensor<4xf32>) -> tensor<4xf32> {
  %q = qc.quantize %x : tensor<4xf32> -> tensor<4x!quant.uniform<i8:f32, 0.5>>
  // expected-error @+1 {{float op 'qc.dequantize' (node 'qc.dequantize') in the integer graph}}
  %d = qc.dequantize %q : tensor<4x!quant.uniform<i8:f32, 0.5>> -> tensor<4xf32>
  // expected-error @+1 {{float op 'qc.softmax' (node 'qc.softmax') in the integer graph}}
  %s = qc.softmax %d {axis = 0 : i64} : tensor<4xf32>
  // expected-error @+1 {{float op 'qc.quantize' (node 'qc.quantize') in the integer graph}}
  %q2 = qc.quantize %s : tensor<4xf32> -> tensor<4x!quant.uniform<i8:f32, 0.0039:-128>>
  %y = qc.dequantize %q2 : tensor<4x!quant.uniform<i8:f32, 0.0039:-128>> -> tensor<4xf32>
  return %y : tensor<4xf32>
}
