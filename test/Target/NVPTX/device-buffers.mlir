// RUN: qopt %s --split-input-file --verify-diagnostics --pass-pipeline='builtin.module(func.func(qcc-gpu-device-buffers))' | FileCheck %s

memref.global "private" constant @weights : memref<4xf32> = dense<[1.0, 2.0, 3.0, 4.0]>

// The argument and the weights are copied to the device, the allocation
// moves there, the copy between buffers is a device copy, the argument is
// copied back, and every device buffer is freed before returning.
// CHECK-LABEL: func.func @entry
// CHECK-SAME:    (%[[ARG:.*]]: memref<4xf32>)
// CHECK:         %[[DEVARG:.*]] = gpu.alloc () : memref<4xf32>
// CHECK:         gpu.memcpy %[[DEVARG]], %[[ARG]]
// CHECK:         %[[HOSTW:.*]] = memref.get_global @weights
// CHECK:         %[[DEVW:.*]] = gpu.alloc () : memref<4xf32>
// CHECK:         gpu.memcpy %[[DEVW]], %[[HOSTW]]
// CHECK:         %[[TMP:.*]] = gpu.alloc () : memref<4xf32>
// CHECK:         gpu.launch
// CHECK:           memref.load %[[DEVW]]
// CHECK:           memref.store %{{.*}}, %[[TMP]]
// CHECK:         gpu.memcpy %[[DEVARG]], %[[TMP]]
// CHECK-NOT:     memref.dealloc
// CHECK:         gpu.memcpy %[[ARG]], %[[DEVARG]]
// CHECK-DAG:     gpu.dealloc %[[DEVARG]]
// CHECK-DAG:     gpu.dealloc %[[DEVW]]
// CHECK-DAG:     gpu.dealloc %[[TMP]]
// CHECK:         return
func.func @entry(%arg: memref<4xf32>) {
  %c1 = arith.constant 1 : index
  %w = memref.get_global @weights : memref<4xf32>
  %tmp = memref.alloc() : memref<4xf32>
  gpu.launch blocks(%b, %by, %bz) in (%g0 = %c1, %g1 = %c1, %g2 = %c1)
             threads(%t, %ty, %tz) in (%s0 = %c1, %s1 = %c1, %s2 = %c1) {
    %x = memref.load %w[%t] : memref<4xf32>
    memref.store %x, %tmp[%t] : memref<4xf32>
    gpu.terminator
  }
  memref.copy %tmp, %arg : memref<4xf32> to memref<4xf32>
  memref.dealloc %tmp : memref<4xf32>
  return
}

// -----

func.func @host_load(%arg: memref<4xf32>) -> f32 {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  gpu.launch blocks(%b, %by, %bz) in (%g0 = %c1, %g1 = %c1, %g2 = %c1)
             threads(%t, %ty, %tz) in (%s0 = %c1, %s1 = %c1, %s2 = %c1) {
    gpu.terminator
  }
  // expected-error @below {{the host reads or writes a buffer outside any GPU kernel}}
  %x = memref.load %arg[%c0] : memref<4xf32>
  return %x : f32
}

// -----

func.func @strided_copy(%a: memref<4x4xf32>, %b: memref<2x2xf32>) {
  %c1 = arith.constant 1 : index
  gpu.launch blocks(%bx, %by, %bz) in (%g0 = %c1, %g1 = %c1, %g2 = %c1)
             threads(%t, %ty, %tz) in (%s0 = %c1, %s1 = %c1, %s2 = %c1) {
    gpu.terminator
  }
  %window = memref.subview %a[0, 0] [2, 2] [1, 1] : memref<4x4xf32> to memref<2x2xf32, strided<[4, 1]>>
  // expected-error @below {{a copy of a strided buffer outside any GPU kernel}}
  memref.copy %window, %b : memref<2x2xf32, strided<[4, 1]>> to memref<2x2xf32>
  return
}
