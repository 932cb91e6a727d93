// RUN: qopt %s -split-input-file -qcc-cpu-linalg-to-ukernel-calls | FileCheck %s

// An int8 convolution into int32 on contiguous buffers becomes a call of
// the C-interface kernel; a constant global weight is packed once.
// CHECK-LABEL: func.func private @qcc_ukernel_conv2d(memref<?x?x?x?xi8, strided<[?, ?, ?, ?], offset: ?>>, memref<?x?x?x?xi8, strided<[?, ?, ?, ?], offset: ?>>, memref<?x?x?x?xi32, strided<[?, ?, ?, ?], offset: ?>>, i64, i64, i64, i64, i64) attributes {llvm.emit_c_interface}
// CHECK-LABEL: func @conv
// CHECK: %[[X:.*]] = memref.cast %arg0 : memref<1x2x6x6xi8> to memref<?x?x?x?xi8, strided<[?, ?, ?, ?], offset: ?>>
// CHECK: %[[W:.*]] = memref.cast %arg1
// CHECK: %[[O:.*]] = memref.cast %arg2
// CHECK: %[[S:.*]] = arith.constant 2 : i64
// CHECK: %[[VARIABLE:.*]] = arith.constant 0 : i64
// CHECK: call @qcc_ukernel_conv2d(%[[X]], %[[W]], %[[O]], %[[S]], %{{.*}}, %{{.*}}, %{{.*}}, %[[VARIABLE]])
// CHECK-NOT: linalg.conv_2d_nchw_fchw
func.func @conv(%x: memref<1x2x6x6xi8>, %w: memref<4x2x3x3xi8>, %o: memref<1x4x2x2xi32>) {
  linalg.conv_2d_nchw_fchw {dilations = dense<1> : tensor<2xi64>, strides = dense<2> : tensor<2xi64>} ins(%x, %w : memref<1x2x6x6xi8>, memref<4x2x3x3xi8>) outs(%o : memref<1x4x2x2xi32>)
  return
}

// -----

// CHECK-LABEL: func @constant_weights
// CHECK: arith.constant 2 : i64
// CHECK-NEXT: arith.constant 2 : i64
// CHECK-NEXT: arith.constant 1 : i64
// CHECK-NEXT: arith.constant 1 : i64
// CHECK-NEXT: %[[CONSTANT:.*]] = arith.constant 1 : i64
// CHECK-NEXT: call @qcc_ukernel_conv2d({{.*}}, %[[CONSTANT]])
memref.global "private" constant @w : memref<4x2x3x3xi8> = dense<1>
func.func @constant_weights(%x: memref<1x2x6x6xi8>, %o: memref<1x4x2x2xi32>) {
  %w = memref.get_global @w : memref<4x2x3x3xi8>
  linalg.conv_2d_nchw_fchw {dilations = dense<1> : tensor<2xi64>, strides = dense<2> : tensor<2xi64>} ins(%x, %w : memref<1x2x6x6xi8>, memref<4x2x3x3xi8>) outs(%o : memref<1x4x2x2xi32>)
  return
}

// -----

// Convolutions on strided buffers, or not int8 x int8 -> int32, stay.
// CHECK-LABEL: func @strided
// CHECK-NOT: call
// CHECK: linalg.conv_2d_nchw_fchw
func.func @strided(%x: memref<1x2x6x6xi8, strided<[144, 72, 12, 2]>>, %w: memref<4x2x3x3xi8>, %o: memref<1x4x2x2xi32>) {
  linalg.conv_2d_nchw_fchw {dilations = dense<1> : tensor<2xi64>, strides = dense<2> : tensor<2xi64>} ins(%x, %w : memref<1x2x6x6xi8, strided<[144, 72, 12, 2]>>, memref<4x2x3x3xi8>) outs(%o : memref<1x4x2x2xi32>)
  return
}

// CHECK-LABEL: func @wide
// CHECK-NOT: call
// CHECK: linalg.conv_2d_nchw_fchw
func.func @wide(%x: memref<1x2x6x6xi16>, %w: memref<4x2x3x3xi8>, %o: memref<1x4x2x2xi32>) {
  linalg.conv_2d_nchw_fchw {dilations = dense<1> : tensor<2xi64>, strides = dense<2> : tensor<2xi64>} ins(%x, %w : memref<1x2x6x6xi16>, memref<4x2x3x3xi8>) outs(%o : memref<1x4x2x2xi32>)
  return
}

// -----

// The batched int8 product convert-qc-to-linalg emits:
// C[b, m, p] += sext(A[m, k]) * sext(B[b, k, p]).
// CHECK-LABEL: func.func private @qcc_ukernel_matmul(memref<?x?xi8, strided<[?, ?], offset: ?>>, memref<?x?x?xi8, strided<[?, ?, ?], offset: ?>>, memref<?x?x?xi32, strided<[?, ?, ?], offset: ?>>) attributes {llvm.emit_c_interface}
// CHECK-LABEL: func @matmul
// CHECK: call @qcc_ukernel_matmul(
// CHECK-NOT: linalg.generic
#a = affine_map<(b, m, p, k) -> (m, k)>
#b = affine_map<(b, m, p, k) -> (b, k, p)>
#c = affine_map<(b, m, p, k) -> (b, m, p)>
func.func @matmul(%a: memref<2x3xi8>, %b: memref<1x3x8xi8>, %c: memref<1x2x8xi32>) {
  linalg.generic {indexing_maps = [#a, #b, #c], iterator_types = ["parallel", "parallel", "parallel", "reduction"]} ins(%a, %b : memref<2x3xi8>, memref<1x3x8xi8>) outs(%c : memref<1x2x8xi32>) {
  ^bb0(%x: i8, %y: i8, %acc: i32):
    %xe = arith.extsi %x : i8 to i32
    %ye = arith.extsi %y : i8 to i32
    %p = arith.muli %xe, %ye : i32
    %s = arith.addi %acc, %p : i32
    linalg.yield %s : i32
  }
  return
}

// -----

// Another body (zero-extended operands) or other maps: not the kernel's
// product, so it stays.
// CHECK-LABEL: func @unsigned
// CHECK-NOT: call
// CHECK: linalg.generic
#a = affine_map<(b, m, p, k) -> (m, k)>
#b = affine_map<(b, m, p, k) -> (b, k, p)>
#c = affine_map<(b, m, p, k) -> (b, m, p)>
func.func @unsigned(%a: memref<2x3xi8>, %b: memref<1x3x8xi8>, %c: memref<1x2x8xi32>) {
  linalg.generic {indexing_maps = [#a, #b, #c], iterator_types = ["parallel", "parallel", "parallel", "reduction"]} ins(%a, %b : memref<2x3xi8>, memref<1x3x8xi8>) outs(%c : memref<1x2x8xi32>) {
  ^bb0(%x: i8, %y: i8, %acc: i32):
    %xe = arith.extui %x : i8 to i32
    %ye = arith.extsi %y : i8 to i32
    %p = arith.muli %xe, %ye : i32
    %s = arith.addi %acc, %p : i32
    linalg.yield %s : i32
  }
  return
}

// CHECK-LABEL: func @transposed
// CHECK-NOT: call
// CHECK: linalg.generic
#at = affine_map<(b, m, p, k) -> (k, m)>
func.func @transposed(%a: memref<3x2xi8>, %b: memref<1x3x8xi8>, %c: memref<1x2x8xi32>) {
  linalg.generic {indexing_maps = [#at, #b, #c], iterator_types = ["parallel", "parallel", "parallel", "reduction"]} ins(%a, %b : memref<3x2xi8>, memref<1x3x8xi8>) outs(%c : memref<1x2x8xi32>) {
  ^bb0(%x: i8, %y: i8, %acc: i32):
    %xe = arith.extsi %x : i8 to i32
    %ye = arith.extsi %y : i8 to i32
    %p = arith.muli %xe, %ye : i32
    %s = arith.addi %acc, %p : i32
    linalg.yield %s : i32
  }
  return
}

// -----

// int8 max pooling: the window's shape, then strides and dilations; the
// input is padded already (no padding for the kernel to read).
// CHECK-LABEL: func.func private @qcc_ukernel_max_pool2d_s8(memref<?x?x?x?xi8, strided<[?, ?, ?, ?], offset: ?>>, memref<?x?x?x?xi8, strided<[?, ?, ?, ?], offset: ?>>, i64, i64, i64, i64, i64, i64, i64, i64, i64, i64, i64) attributes {llvm.emit_c_interface}
// CHECK-LABEL: func @max_pool
// CHECK: %[[X:.*]] = memref.cast %arg0 : memref<1x2x7x8xi8> to memref<?x?x?x?xi8, strided<[?, ?, ?, ?], offset: ?>>
// CHECK: %[[O:.*]] = memref.cast %arg2 : memref<1x2x3x3xi8> to memref<?x?x?x?xi8, strided<[?, ?, ?, ?], offset: ?>>
// CHECK: %[[KH:.*]] = arith.constant 3 : i64
// CHECK: %[[KW:.*]] = arith.constant 2 : i64
// CHECK: %[[SH:.*]] = arith.constant 2 : i64
// CHECK: %[[SW:.*]] = arith.constant 3 : i64
// CHECK: %[[DH:.*]] = arith.constant 1 : i64
// CHECK: %[[DW:.*]] = arith.constant 1 : i64
// CHECK: %[[ZERO:.*]] = arith.constant 0 : i64
// CHECK: call @qcc_ukernel_max_pool2d_s8(%[[X]], %[[O]], %[[KH]], %[[KW]], %[[SH]], %[[SW]], %[[DH]], %[[DW]], %[[ZERO]], %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}})
// CHECK-NOT: linalg.pooling_nchw_max
func.func @max_pool(%x: memref<1x2x7x8xi8>, %window: memref<3x2xi8>, %o: memref<1x2x3x3xi8>) {
  linalg.pooling_nchw_max {dilations = dense<1> : tensor<2xi64>, strides = dense<[2, 3]> : tensor<2xi64>} ins(%x, %window : memref<1x2x7x8xi8>, memref<3x2xi8>) outs(%o : memref<1x2x3x3xi8>)
  return
}

// -----

// Float max pooling stays loops.
// CHECK-LABEL: func @max_pool_f32
// CHECK-NOT: call
// CHECK: linalg.pooling_nchw_max
func.func @max_pool_f32(%x: memref<1x2x7x7xf32>, %window: memref<3x3xf32>, %o: memref<1x2x3x3xf32>) {
  linalg.pooling_nchw_max {dilations = dense<1> : tensor<2xi64>, strides = dense<2> : tensor<2xi64>} ins(%x, %window : memref<1x2x7x7xf32>, memref<3x3xf32>) outs(%o : memref<1x2x3x3xf32>)
  return
}
