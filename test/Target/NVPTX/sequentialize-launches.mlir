// RUN: qopt %s --split-input-file --verify-diagnostics --pass-pipeline='builtin.module(func.func(qcc-gpu-sequentialize-launches))' | FileCheck %s

// Blocks, then threads; z outermost, x innermost; the ids are the loops'
// indices and the sizes the launch's.
// CHECK-LABEL: func.func @launch
// CHECK-SAME:    (%[[BUF:.*]]: memref<?xindex>, %[[GX:.*]]: index, %[[BX:.*]]: index)
// CHECK:         scf.for %{{.*}} = %c0 to %c1
// CHECK:           scf.for %{{.*}} = %c0 to %c1
// CHECK:             scf.for %[[BLOCK:.*]] = %c0 to %[[GX]]
// CHECK:               scf.for %{{.*}} = %c0 to %c1
// CHECK:                 scf.for %{{.*}} = %c0 to %c1
// CHECK:                   scf.for %[[THREAD:.*]] = %c0 to %[[BX]]
// CHECK:                     memref.alloca_scope {
// CHECK:                     %[[BASE:.*]] = arith.muli %[[BLOCK]], %[[BX]]
// CHECK:                     %[[N:.*]] = arith.addi %[[BASE]], %[[THREAD]]
// CHECK:                     memref.store %[[GX]], %[[BUF]][%[[N]]]
// CHECK-NOT:   gpu.launch
func.func @launch(%buf: memref<?xindex>, %gx: index, %bx: index) {
  %c1 = arith.constant 1 : index
  gpu.launch blocks(%b, %by, %bz) in (%g0 = %gx, %g1 = %c1, %g2 = %c1)
             threads(%t, %ty, %tz) in (%s0 = %bx, %s1 = %c1, %s2 = %c1) {
    %base = arith.muli %b, %s0 : index
    %n = arith.addi %base, %t : index
    memref.store %g0, %buf[%n] : memref<?xindex>
    gpu.terminator
  }
  return
}

// -----

func.func @barrier() {
  %c1 = arith.constant 1 : index
  // expected-error @below {{cannot run this launch on the CPU: its threads communicate ('gpu.barrier')}}
  gpu.launch blocks(%b, %by, %bz) in (%g0 = %c1, %g1 = %c1, %g2 = %c1)
             threads(%t, %ty, %tz) in (%s0 = %c1, %s1 = %c1, %s2 = %c1) {
    gpu.barrier
    gpu.terminator
  }
  return
}

// -----

// Warp-level code (every lane of a warp computes the same): one lane per
// warp runs.
// CHECK-LABEL: func.func @warp_uniform
// CHECK:                 scf.for %[[WARP:.*]] = %c0 to %c4
// CHECK-NEXT:              scf.for %{{.*}} = %c0 to %c1{{(_0)?}} step
// CHECK-NEXT:                memref.alloca_scope {
// CHECK-NEXT:                  memref.store %[[WARP]]
// CHECK-NOT:   gpu.launch
func.func @warp_uniform(%buf: memref<4xindex>) {
  %c1 = arith.constant 1 : index
  %c4 = arith.constant 4 : index
  %c32 = arith.constant 32 : index
  gpu.launch blocks(%b, %by, %bz) in (%g0 = %c1, %g1 = %c1, %g2 = %c1)
             threads(%t, %ty, %tz) in (%s0 = %c32, %s1 = %c4, %s2 = %c1) {
    memref.store %ty, %buf[%ty] : memref<4xindex>
    gpu.terminator
  } {qcc.warp_uniform}
  return
}

// -----

// Lane-level code in warp-level launches (an epilogue in which each lane
// takes its part of the warp's tile) runs for every lane, with the lane's
// id; the warp-level code before it, once per warp.
// CHECK-LABEL: func.func @per_lane
// CHECK:                 scf.for %[[WARP:.*]] = %c0 to %c4
// CHECK-NEXT:              scf.for %{{.*}} = %c0 to %c1{{(_0)?}} step
// CHECK-NEXT:                memref.alloca_scope {
// CHECK-NEXT:                  memref.store %[[WARP]], %arg0
// CHECK-NEXT:                  scf.for %[[LANE:.*]] = %c0 to %c32
// CHECK-NEXT:                    scf.if
// CHECK-NEXT:                      memref.store %[[LANE]], %arg1[%[[WARP]], %[[LANE]]]
// CHECK-NOT:   qcc.per_lane
func.func @per_lane(%buf: memref<4xindex>, %lanes: memref<4x32xindex>, %go: i1) {
  %c1 = arith.constant 1 : index
  %c4 = arith.constant 4 : index
  %c32 = arith.constant 32 : index
  gpu.launch blocks(%b, %by, %bz) in (%g0 = %c1, %g1 = %c1, %g2 = %c1)
             threads(%t, %ty, %tz) in (%s0 = %c32, %s1 = %c4, %s2 = %c1) {
    memref.store %ty, %buf[%ty] : memref<4xindex>
    scf.if %go {
      memref.store %t, %lanes[%ty, %t] : memref<4x32xindex>
    } {qcc.per_lane}
    gpu.terminator
  } {qcc.warp_uniform}
  return
}
