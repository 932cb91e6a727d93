// RUN: qopt %s -qcc-cpu-lowering | FileCheck %s

// Through the whole CPU pipeline: an int8 convolution that is not part of
// a fusable chain (its int32 result is rescaled twice) stays a linalg op until
// bufferization and becomes a call of the implicit-GEMM kernel there; the
// fused chain is the requantizing kernel. The library's entry point and
// signature come with it.
// CHECK-DAG: llvm.mlir.global external constant @qcc_signature_counts(dense<[1, 2, 0]> : tensor<3xi32>)
// CHECK-DAG: llvm.mlir.global external constant @qcc_signature_ranks(dense<[4, 4, 4, 0]> : tensor<4xi32>)
// CHECK-DAG: llvm.mlir.global external constant @qcc_signature_shapes(dense<[1, 2, 6, 6, 1, 4, 4, 4, 1, 4, 4, 4, 0]> : tensor<13xi64>)
// CHECK-DAG: llvm.mlir.global external constant @qcc_signature_names("input_0\00output_0\00output_1\00")
// CHECK-DAG: llvm.mlir.global external constant @qcc_signature_dtypes("float32\00float32\00float32\00")
// CHECK-LABEL: llvm.func @qcc_model_entry
// CHECK-DAG: llvm.call @qcc_ukernel_conv2d_requant(
// CHECK-DAG: llvm.call @qcc_ukernel_conv2d(
// CHECK-LABEL: llvm.func @qcc_model_invoke(%arg0: !llvm.ptr)
// CHECK: %[[P0:.*]] = llvm.getelementptr %arg0[0] : (!llvm.ptr) -> !llvm.ptr, !llvm.ptr
// CHECK: %[[D0:.*]] = llvm.load %[[P0]] : !llvm.ptr -> !llvm.ptr
// CHECK: %[[P2:.*]] = llvm.getelementptr %arg0[2] : (!llvm.ptr) -> !llvm.ptr, !llvm.ptr
// CHECK: %[[D2:.*]] = llvm.load %[[P2]] : !llvm.ptr -> !llvm.ptr
// CHECK: llvm.call @_mlir_ciface_qcc_model_entry(%[[D0]], %{{.*}}, %[[D2]])
!q = !quant.uniform<i8:f32, 0.5:-3>
func.func @main(%f: tensor<1x2x6x6xf32>) -> (tensor<1x4x4x4xf32>, tensor<1x4x4x4xf32>) {
  %x = qc.quantize %f : tensor<1x2x6x6xf32> -> tensor<1x2x6x6x!q>
  %xi = qc.storage_cast %x : tensor<1x2x6x6x!q> -> tensor<1x2x6x6xi8>
  %w = arith.constant dense<1> : tensor<4x2x3x3xi8>
  %c = qc.conv %xi, %w {dilations = array<i64: 1, 1>, group = 1 : i64, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>} : (tensor<1x2x6x6xi8>, tensor<4x2x3x3xi8>) -> tensor<1x4x4x4xi32>
  %r = qc.rescale %c multiplier [1073741824] shift [33] zp (0, -3) : tensor<1x4x4x4xi32> -> tensor<1x4x4x4xi8>
  %c2 = qc.conv %xi, %w {dilations = array<i64: 1, 1>, group = 1 : i64, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>} : (tensor<1x2x6x6xi8>, tensor<4x2x3x3xi8>) -> tensor<1x4x4x4xi32>
  %r2 = qc.rescale %c2 multiplier [1073741824] shift [33] zp (0, -3) : tensor<1x4x4x4xi32> -> tensor<1x4x4x4xi8>
  %s = qc.add %r, %r2 : (tensor<1x4x4x4xi8>, tensor<1x4x4x4xi8>) -> tensor<1x4x4x4xi8>
  %r3 = qc.rescale %c multiplier [1073741824] shift [32] zp (0, 0) : tensor<1x4x4x4xi32> -> tensor<1x4x4x4xi8>
  %sq = qc.storage_cast %s : tensor<1x4x4x4xi8> -> tensor<1x4x4x4x!q>
  %y = qc.dequantize %sq : tensor<1x4x4x4x!q> -> tensor<1x4x4x4xf32>
  %r3q = qc.storage_cast %r3 : tensor<1x4x4x4xi8> -> tensor<1x4x4x4x!q>
  %y3 = qc.dequantize %r3q : tensor<1x4x4x4x!q> -> tensor<1x4x4x4xf32>
  return %y, %y3 : tensor<1x4x4x4xf32>, tensor<1x4x4x4xf32>
}
