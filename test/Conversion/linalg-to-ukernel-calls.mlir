// RUN: qopt %s -split-input-file -convert-linalg-to-ukernel-calls | FileCheck %s

// Marked ops on contiguous buffers become calls of the C-interface kernels;
// unmarked ones and ones on strided buffers stay.
// CHECK-LABEL: func.func private @qcc_ukernel_conv2d(memref<?x?x?x?xi8, strided<[?, ?, ?, ?], offset: ?>>, memref<?x?x?x?xi8, strided<[?, ?, ?, ?], offset: ?>>, memref<?x?x?x?xi32, strided<[?, ?, ?, ?], offset: ?>>, i64, i64, i64, i64, i64) attributes {llvm.emit_c_interface}
// CHECK-LABEL: func @conv
// CHECK: %[[X:.*]] = memref.cast %arg0 : memref<1x2x6x6xi8> to memref<?x?x?x?xi8, strided<[?, ?, ?, ?], offset: ?>>
// CHECK: %[[W:.*]] = memref.cast %arg1
// CHECK: %[[O:.*]] = memref.cast %arg2
// CHECK: %[[S:.*]] = arith.constant 2 : i64
// CHECK: call @qcc_ukernel_conv2d(%[[X]], %[[W]], %[[O]], %[[S]], %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}})
// CHECK-NOT: linalg.conv_2d_nchw_fchw
func.func @conv(%x: memref<1x2x6x6xi8>, %w: memref<4x2x3x3xi8>, %o: memref<1x4x2x2xi32>) {
  linalg.conv_2d_nchw_fchw {dilations = dense<1> : tensor<2xi64>, qc.ukernel = "conv2d_nchw_s8s8s32", strides = dense<2> : tensor<2xi64>} ins(%x, %w : memref<1x2x6x6xi8>, memref<4x2x3x3xi8>) outs(%o : memref<1x4x2x2xi32>)
  return
}

// -----

// CHECK-LABEL: func @strided
// CHECK-NOT: call
// CHECK: linalg.conv_2d_nchw_fchw
func.func @strided(%x: memref<1x2x6x6xi8, strided<[144, 72, 12, 2]>>, %w: memref<4x2x3x3xi8>, %o: memref<1x4x2x2xi32>) {
  linalg.conv_2d_nchw_fchw {dilations = dense<1> : tensor<2xi64>, qc.ukernel = "conv2d_nchw_s8s8s32", strides = dense<2> : tensor<2xi64>} ins(%x, %w : memref<1x2x6x6xi8, strided<[144, 72, 12, 2]>>, memref<4x2x3x3xi8>) outs(%o : memref<1x4x2x2xi32>)
  return
}
