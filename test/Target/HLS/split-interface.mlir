// RUN: qopt %s -split-input-file -qcc-hls-split-interface -verify-diagnostics | FileCheck %s

// The integer core becomes the design's top, on the ports' integers (named
// after the ONNX tensors); the entry, renamed, quantizes, calls it and
// dequantizes.
// CHECK-LABEL: func.func @qcc_model(%arg0: tensor<1x4xi8>) -> tensor<1x4xi8>
// CHECK-SAME: hls.port_names = ["x", "y"]
// CHECK-NEXT: %[[R:.*]] = qc.relu %arg0
// CHECK-NEXT: return %[[R]]
// CHECK-LABEL: func.func @qcc_model_host(
// CHECK: %[[Q:.*]] = qc.quantize %arg0
// CHECK: %[[I:.*]] = qc.storage_cast %[[Q]]
// CHECK: %[[C:.*]] = call @qcc_model(%[[I]])
// CHECK: %[[O:.*]] = qc.storage_cast %[[C]]
// CHECK: %[[D:.*]] = qc.dequantize %[[O]]
// CHECK: return %[[D]]
!q = !quant.uniform<i8:f32, 0.5:-3>
func.func @main(%x: tensor<1x4xf32> {onnx.name = "x"}) -> (tensor<1x4xf32> {onnx.name = "y"}) {
  %q = qc.quantize %x : tensor<1x4xf32> -> tensor<1x4x!q>
  %i = qc.storage_cast %q : tensor<1x4x!q> -> tensor<1x4xi8>
  %r = qc.relu %i : tensor<1x4xi8>
  %o = qc.storage_cast %r : tensor<1x4xi8> -> tensor<1x4x!q>
  %d = qc.dequantize %o : tensor<1x4x!q> -> tensor<1x4xf32>
  return %d : tensor<1x4xf32>
}

// -----

// A float model has no integer ports.
// expected-error @below {{input 0 is not quantized once (qc.quantize, qc.storage_cast): the design's ports are integers; compile a model quantized integer-only}}
func.func @main(%x: tensor<1x4xf32>) -> tensor<1x4xf32> {
  %r = qc.relu %x : tensor<1x4xf32>
  return %r : tensor<1x4xf32>
}

// -----

// An output that is not dequantized from integers.
!q = !quant.uniform<i8:f32, 0.5:-3>
// expected-error @below {{output 0 is not dequantized from integers (qc.storage_cast, qc.dequantize) once}}
func.func @main(%x: tensor<1x4xf32>) -> tensor<1x4xf32> {
  %q = qc.quantize %x : tensor<1x4xf32> -> tensor<1x4x!q>
  %i = qc.storage_cast %q : tensor<1x4x!q> -> tensor<1x4xi8>
  %f = arith.sitofp %i : tensor<1x4xi8> to tensor<1x4xf32>
  return %f : tensor<1x4xf32>
}
