// RUN: qopt %s -split-input-file -qcc-cpu-convert-qc-to-linalg | FileCheck %s

// int8 max pooling with padding: one call of the pooling kernel on the
// unpadded input, the pads (top, left, bottom, right) and their value
// -128 as its last arguments; no padded copy, no pooling loops.
// CHECK-LABEL: func.func @padded
// CHECK-NOT: tensor.pad
// CHECK: %[[X:.*]] = bufferization.to_buffer %arg0 read_only : tensor<1x2x6x6xi8>
// CHECK: %[[CAST:.*]] = memref.cast %[[X]]
// CHECK: %[[OUT:.*]] = memref.cast %{{.*}} : memref<1x2x6x6xi8>
// CHECK-COUNT-6: arith.constant {{[0-9]}} : i64
// CHECK-NEXT: %[[TOP:.*]] = arith.constant 1 : i64
// CHECK-NEXT: %[[LEFT:.*]] = arith.constant 1 : i64
// CHECK-NEXT: %[[BOTTOM:.*]] = arith.constant 1 : i64
// CHECK-NEXT: %[[RIGHT:.*]] = arith.constant 1 : i64
// CHECK-NEXT: %[[VALUE:.*]] = arith.constant -128 : i64
// CHECK-NEXT: call @qcc_ukernel_max_pool2d_s8(%[[CAST]], %[[OUT]], {{.*}}, %[[TOP]], %[[LEFT]], %[[BOTTOM]], %[[RIGHT]], %[[VALUE]])
// CHECK-NOT: linalg.pooling_nchw_max
func.func @padded(%x: tensor<1x2x6x6xi8>) -> tensor<1x2x6x6xi8> {
  %y = qc.max_pool %x {ceil_mode = false, dilations = array<i64: 1, 1>, kernel_shape = array<i64: 3, 3>, pads = array<i64: 1, 1, 1, 1>, strides = array<i64: 1, 1>} : tensor<1x2x6x6xi8> -> tensor<1x2x6x6xi8>
  return %y : tensor<1x2x6x6xi8>
}

// -----

// ceil_mode: the last windows run past the end; end padding makes them
// whole (an 8x8 input, 3x3 windows at stride 2: ceil gives 4 outputs,
// which need 9 rows, so one more row and column at the end).
// CHECK-LABEL: func.func @ceil
// CHECK: %[[ZERO:.*]] = arith.constant 0 : i64
// CHECK-NEXT: %[[ZERO2:.*]] = arith.constant 0 : i64
// CHECK-NEXT: arith.constant 1 : i64
// CHECK-NEXT: arith.constant 1 : i64
// CHECK-NEXT: arith.constant -128 : i64
// CHECK-NEXT: call @qcc_ukernel_max_pool2d_s8
func.func @ceil(%x: tensor<1x3x8x8xi8>) -> tensor<1x3x4x4xi8> {
  %y = qc.max_pool %x {ceil_mode = true, dilations = array<i64: 1, 1>, kernel_shape = array<i64: 3, 3>, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 2, 2>} : tensor<1x3x8x8xi8> -> tensor<1x3x4x4xi8>
  return %y : tensor<1x3x4x4xi8>
}

// -----

// f32 pooling: the f32 kernel on the unpadded input, with the pads and no
// padding value (the kernel pads with -inf).
// CHECK-LABEL: func.func @float
// CHECK-NOT: tensor.pad
// CHECK: %[[X:.*]] = bufferization.to_buffer %arg0 read_only : tensor<1x2x6x6xf32>
// CHECK: %[[CAST:.*]] = memref.cast %[[X]]
// CHECK: %[[OUT:.*]] = memref.cast %{{.*}} : memref<1x2x6x6xf32>
// CHECK-COUNT-6: arith.constant {{[0-9]}} : i64
// CHECK-NEXT: %[[TOP:.*]] = arith.constant 1 : i64
// CHECK-NEXT: arith.constant 1 : i64
// CHECK-NEXT: arith.constant 1 : i64
// CHECK-NEXT: %[[RIGHT:.*]] = arith.constant 1 : i64
// CHECK-NEXT: call @qcc_ukernel_max_pool2d_f32(%[[CAST]], %[[OUT]], {{.*}}, %[[TOP]], {{.*}}, %[[RIGHT]]) : (memref<?x?x?x?xf32, strided<[?, ?, ?, ?], offset: ?>>, memref<?x?x?x?xf32, strided<[?, ?, ?, ?], offset: ?>>, i64, i64, i64, i64, i64, i64, i64, i64, i64, i64) -> ()
// CHECK-NOT: linalg.pooling_nchw_max
func.func @float(%x: tensor<1x2x6x6xf32>) -> tensor<1x2x6x6xf32> {
  %y = qc.max_pool %x {ceil_mode = false, dilations = array<i64: 1, 1>, kernel_shape = array<i64: 3, 3>, pads = array<i64: 1, 1, 1, 1>, strides = array<i64: 1, 1>} : tensor<1x2x6x6xf32> -> tensor<1x2x6x6xf32>
  return %y : tensor<1x2x6x6xf32>
}

// -----

// Dynamic shapes keep the target-neutral lowering: loops on a padded copy.
// CHECK-LABEL: func.func @dynamic
// CHECK: tensor.pad
// CHECK: linalg.pooling_nchw_max
// CHECK-NOT: call
func.func @dynamic(%x: tensor<?x2x6x6xf32>) -> tensor<?x2x6x6xf32> {
  %y = qc.max_pool %x {ceil_mode = false, dilations = array<i64: 1, 1>, kernel_shape = array<i64: 3, 3>, pads = array<i64: 1, 1, 1, 1>, strides = array<i64: 1, 1>} : tensor<?x2x6x6xf32> -> tensor<?x2x6x6xf32>
  return %y : tensor<?x2x6x6xf32>
}
