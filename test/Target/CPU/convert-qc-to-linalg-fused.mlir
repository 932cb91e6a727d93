// RUN: qopt %s -split-input-file -qcc-cpu-convert-qc-to-linalg | FileCheck %s
// RUN: qopt %s -split-input-file -qcc-cpu-convert-qc-to-linalg=fuse-requantization=false | FileCheck %s --check-prefix=UNFUSED

// conv -> rescale -> clip (static shapes, constant weights): one call of the
// fused kernel on buffers of the operands; per-channel multipliers and
// shifts as constants; the clip's bounds intersected with int8; the int32
// sums are never a tensor.
// CHECK-LABEL: func.func private @qcc_ukernel_conv2d_requant
// CHECK-SAME: attributes {llvm.emit_c_interface}
// CHECK-LABEL: func.func @f
// CHECK-DAG: %[[M:.*]] = arith.constant dense<1073741824> : tensor<4xi32>
// CHECK-DAG: %[[S:.*]] = arith.constant dense<33> : tensor<4xi8>
// CHECK: bufferization.to_buffer %arg0 read_only
// CHECK: %[[OUT:.*]] = memref.alloc() {alignment = 64 : i64} : memref<1x4x4x4xi8>
// CHECK: %[[ZP:.*]] = arith.constant -3 : i64
// CHECK: %[[LO:.*]] = arith.constant -5 : i64
// CHECK: %[[HI:.*]] = arith.constant 127 : i64
// CHECK: call @qcc_ukernel_conv2d_requant({{.*}}, %[[ZP]], %[[LO]], %[[HI]], %{{.*}})
// CHECK: %[[T:.*]] = bufferization.to_tensor %[[OUT]] restrict writable
// CHECK: return %[[T]]
// CHECK-NOT: linalg.conv_2d_nchw_fchw
// UNFUSED-LABEL: func.func @f
// UNFUSED: linalg.conv_2d_nchw_fchw
// UNFUSED-NOT: call
func.func @f(%x: tensor<1x2x6x6xi8>) -> tensor<1x4x4x4xi8> {
  %w = arith.constant dense<1> : tensor<4x2x3x3xi8>
  %b = arith.constant dense<[1, 2, 3, 4]> : tensor<4xi32>
  %lo = arith.constant dense<-5> : tensor<i8>
  %hi = arith.constant dense<127> : tensor<i8>
  %c = qc.conv %x, %w, %b {dilations = array<i64: 1, 1>, group = 1 : i64, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>} : (tensor<1x2x6x6xi8>, tensor<4x2x3x3xi8>, tensor<4xi32>) -> tensor<1x4x4x4xi32>
  %r = qc.rescale %c multiplier [1073741824, 1073741824, 1073741824, 1073741824] shift [33, 33, 33, 33] axis 1 zp (0, -3) : tensor<1x4x4x4xi32> -> tensor<1x4x4x4xi8>
  %k = qc.clip %r min %lo max %hi : (tensor<1x4x4x4xi8>, tensor<i8>, tensor<i8>) -> tensor<1x4x4x4xi8>
  return %k : tensor<1x4x4x4xi8>
}

// -----

// A conv result with two users is not fused.
// CHECK-LABEL: func.func @two_users
// CHECK: linalg.conv_2d_nchw_fchw
// CHECK-NOT: call @qcc_ukernel_conv2d_requant
func.func @two_users(%x: tensor<1x2x6x6xi8>) -> (tensor<1x4x4x4xi8>, tensor<1x4x4x4xi32>) {
  %w = arith.constant dense<1> : tensor<4x2x3x3xi8>
  %c = qc.conv %x, %w {dilations = array<i64: 1, 1>, group = 1 : i64, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>} : (tensor<1x2x6x6xi8>, tensor<4x2x3x3xi8>) -> tensor<1x4x4x4xi32>
  %r = qc.rescale %c multiplier [1073741824] shift [33] zp (0, -3) : tensor<1x4x4x4xi32> -> tensor<1x4x4x4xi8>
  return %r, %c : tensor<1x4x4x4xi8>, tensor<1x4x4x4xi32>
}

// -----

// A constant qc.pad of the rows and columns in front of the fused chain is
// read by the kernel: the call takes the unpadded input and the padding
// (top, left, bottom, right, value) as its last arguments; no padded copy
// is read (the padded tensor is left dead, for the canonicalizer).
// CHECK-LABEL: func.func @padded
// CHECK: %[[X:.*]] = bufferization.to_buffer %arg0 read_only : tensor<1x2x5x4xi8>
// CHECK: %[[CAST:.*]] = memref.cast %[[X]]
// CHECK: arith.constant 127 : i64
// CHECK-NEXT: arith.constant 1 : i64
// CHECK-NEXT: %[[TOP:.*]] = arith.constant 1 : i64
// CHECK-NEXT: %[[LEFT:.*]] = arith.constant 2 : i64
// CHECK-NEXT: %[[BOTTOM:.*]] = arith.constant 1 : i64
// CHECK-NEXT: %[[RIGHT:.*]] = arith.constant 0 : i64
// CHECK-NEXT: %[[VALUE:.*]] = arith.constant -128 : i64
// CHECK-NEXT: call @qcc_ukernel_conv2d_requant(%[[CAST]], {{.*}}, %[[TOP]], %[[LEFT]], %[[BOTTOM]], %[[RIGHT]], %[[VALUE]])
func.func @padded(%x: tensor<1x2x5x4xi8>) -> tensor<1x4x5x4xi8> {
  %w = arith.constant dense<1> : tensor<4x2x3x3xi8>
  %p = qc.pad %x {mode = #qc.pad_mode<constant>, pads = array<i64: 0, 0, 1, 2, 0, 0, 1, 0>, value = -1.280000e+02 : f64} : tensor<1x2x5x4xi8> -> tensor<1x2x7x6xi8>
  %c = qc.conv %p, %w {dilations = array<i64: 1, 1>, group = 1 : i64, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>} : (tensor<1x2x7x6xi8>, tensor<4x2x3x3xi8>) -> tensor<1x4x5x4xi32>
  %r = qc.rescale %c multiplier [1073741824] shift [33] zp (0, -3) : tensor<1x4x5x4xi32> -> tensor<1x4x5x4xi8>
  return %r : tensor<1x4x5x4xi8>
}

// -----

// Padding the kernels cannot read (edge mode) stays a padded copy, and the
// call reads it unpadded.
// CHECK-LABEL: func.func @edge_padded
// CHECK: linalg.generic
// CHECK: linalg.index
// CHECK: call @qcc_ukernel_depthwise_conv2d_requant({{.*}}, %c0_i64, %c0_i64_{{[0-9]+}}, %c0_i64_{{[0-9]+}}, %c0_i64_{{[0-9]+}}, %c0_i64_{{[0-9]+}})
func.func @edge_padded(%x: tensor<1x2x5x4xi8>) -> tensor<1x2x5x4xi8> {
  %w = arith.constant dense<1> : tensor<2x1x3x3xi8>
  %p = qc.pad %x {mode = #qc.pad_mode<edge>, pads = array<i64: 0, 0, 1, 1, 0, 0, 1, 1>, value = 0.000000e+00 : f64} : tensor<1x2x5x4xi8> -> tensor<1x2x7x6xi8>
  %c = qc.conv %p, %w {dilations = array<i64: 1, 1>, group = 2 : i64, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>} : (tensor<1x2x7x6xi8>, tensor<2x1x3x3xi8>) -> tensor<1x2x5x4xi32>
  %r = qc.rescale %c multiplier [1073741824] shift [33] zp (0, -3) : tensor<1x2x5x4xi32> -> tensor<1x2x5x4xi8>
  return %r : tensor<1x2x5x4xi8>
}
