// RUN: qopt %s --split-input-file --verify-diagnostics --pass-pipeline='builtin.module(func.func(qcc-gpu-device-buffers))' | FileCheck %s

// The weights move into the kernel that reads them (outlining puts them
// in the kernels' module: on the device from when it loads); the input is
// copied in, the output's buffer (only written) copied back out; the
// allocation moves to the device, the copy between buffers is a device
// copy, and every device buffer is freed before returning.
// CHECK-LABEL: func.func @entry
// CHECK-SAME:    (%[[IN:.*]]: memref<4xf32>, %[[OUT:.*]]: memref<4xf32>)
// CHECK:         %[[DEVIN:.*]] = gpu.alloc () : memref<4xf32>
// CHECK-NEXT:    gpu.memcpy %[[DEVIN]], %[[IN]]
// CHECK-NEXT:    %[[DEVOUT:.*]] = gpu.alloc () : memref<4xf32>
// CHECK-NOT:     gpu.memcpy %[[DEVOUT]], %[[OUT]]
// CHECK:         %[[TMP:.*]] = gpu.alloc () : memref<4xf32>
// CHECK:         gpu.launch
// CHECK:           %[[W:.*]] = memref.get_global @weights
// CHECK:           %[[FLAT:.*]] = memref.collapse_shape %[[W]]
// CHECK:           memref.load %[[FLAT]]
// CHECK:           memref.load %[[DEVIN]]
// CHECK:           memref.store %{{.*}}, %[[TMP]]
// CHECK:         gpu.memcpy %[[DEVOUT]], %[[TMP]]
// CHECK-NOT:     memref.dealloc
// CHECK-NOT:     gpu.memcpy %[[IN]]
// CHECK:         gpu.memcpy %[[OUT]], %[[DEVOUT]]
// CHECK-DAG:     gpu.dealloc %[[DEVIN]]
// CHECK-DAG:     gpu.dealloc %[[DEVOUT]]
// CHECK-DAG:     gpu.dealloc %[[TMP]]
// CHECK:         return
memref.global "private" constant @weights : memref<2x2xf32> = dense<[[1.0, 2.0], [3.0, 4.0]]>
func.func @entry(%in: memref<4xf32>, %out: memref<4xf32>) {
  %c1 = arith.constant 1 : index
  %w = memref.get_global @weights : memref<2x2xf32>
  %flat = memref.collapse_shape %w [[0, 1]] : memref<2x2xf32> into memref<4xf32>
  %tmp = memref.alloc() : memref<4xf32>
  gpu.launch blocks(%b, %by, %bz) in (%g0 = %c1, %g1 = %c1, %g2 = %c1)
             threads(%t, %ty, %tz) in (%s0 = %c1, %s1 = %c1, %s2 = %c1) {
    %x = memref.load %flat[%t] : memref<4xf32>
    %y = memref.load %in[%t] : memref<4xf32>
    %z = arith.addf %x, %y : f32
    memref.store %z, %tmp[%t] : memref<4xf32>
    gpu.terminator
  }
  memref.copy %tmp, %out : memref<4xf32> to memref<4xf32>
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
