// RUN: qopt %s -split-input-file -qcc-cpu-lowering | FileCheck %s

// Through the whole CPU pipeline: an int8 convolution that is not part of
// a fusable chain (its int32 result is used twice) stays a linalg op until
// bufferization and becomes a call of the implicit-GEMM kernel there, with
// its constant weights packed once; the fused chain is the requantizing
// kernel.
// CHECK-LABEL: llvm.func @qcc_model_entry
// CHECK-DAG: llvm.call @qcc_ukernel_conv2d_requant(
// CHECK-DAG: llvm.call @qcc_ukernel_conv2d(
func.func @main(%x: tensor<1x2x6x6xi8>) -> (tensor<1x4x4x4xi8>, tensor<1x4x4x4xi32>) {
  %w = arith.constant dense<1> : tensor<4x2x3x3xi8>
  %c = qc.conv %x, %w {dilations = array<i64: 1, 1>, group = 1 : i64, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>} : (tensor<1x2x6x6xi8>, tensor<4x2x3x3xi8>) -> tensor<1x4x4x4xi32>
  %r = qc.rescale %c multiplier [1073741824] shift [33] zp (0, -3) : tensor<1x4x4x4xi32> -> tensor<1x4x4x4xi8>
  %c2 = qc.conv %x, %w {dilations = array<i64: 1, 1>, group = 1 : i64, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>} : (tensor<1x2x6x6xi8>, tensor<4x2x3x3xi8>) -> tensor<1x4x4x4xi32>
  %r2 = qc.rescale %c2 multiplier [1073741824] shift [33] zp (0, -3) : tensor<1x4x4x4xi32> -> tensor<1x4x4x4xi8>
  %s = qc.add %r, %r2 : (tensor<1x4x4x4xi8>, tensor<1x4x4x4xi8>) -> tensor<1x4x4x4xi8>
  return %s, %c : tensor<1x4x4x4xi8>, tensor<1x4x4x4xi32>
}
