// RUN: qopt %s -split-input-file -qcc-cpu-outline-loops | FileCheck %s

// A linalg op on buffers moves into a private, never-inlined function of
// its own, called in its place; a constant and a constant global it reads
// from outside are recreated inside, a scalar argument is passed.
// CHECK-LABEL: func.func @main
// CHECK-SAME: (%[[X:.*]]: memref<4x8xi8>, %[[Y:.*]]: memref<4x8xi8>, %[[S:.*]]: i8)
// CHECK-NOT: linalg.generic
// CHECK: call @qcc_loops_0(%[[X]], %[[Y]], %[[S]]) : (memref<4x8xi8>, memref<4x8xi8>, i8) -> ()
// CHECK: func.func private @qcc_loops_0(%[[A:.*]]: memref<4x8xi8>, %[[B:.*]]: memref<4x8xi8>, %[[C:.*]]: i8) attributes {passthrough = ["noinline"]}
// CHECK-DAG: %[[K:.*]] = arith.constant 3 : index
// CHECK-DAG: %[[T:.*]] = memref.get_global @table : memref<256xi8>
// CHECK: linalg.generic {{.*}} ins(%[[A]] : memref<4x8xi8>) outs(%[[B]] : memref<4x8xi8>)
// CHECK: memref.load %[[T]][%[[K]]]
// CHECK: arith.addi {{.*}}, %[[C]]
memref.global "private" constant @table : memref<256xi8> = dense<1>
func.func @main(%x: memref<4x8xi8>, %y: memref<4x8xi8>, %s: i8) {
  %three = arith.constant 3 : index
  %table = memref.get_global @table : memref<256xi8>
  linalg.generic {indexing_maps = [affine_map<(i, j) -> (i, j)>, affine_map<(i, j) -> (i, j)>], iterator_types = ["parallel", "parallel"]} ins(%x : memref<4x8xi8>) outs(%y : memref<4x8xi8>) {
  ^bb0(%a: i8, %b: i8):
    %t = memref.load %table[%three] : memref<256xi8>
    %u = arith.addi %a, %t : i8
    %v = arith.addi %u, %s : i8
    linalg.yield %v : i8
  }
  return
}

// -----

// Ops on tensors (not yet bufferized) stay.
// CHECK-LABEL: func.func @tensors
// CHECK: linalg.generic
// CHECK-NOT: func.func private @qcc_loops
func.func @tensors(%x: tensor<4xi8>, %y: tensor<4xi8>) -> tensor<4xi8> {
  %r = linalg.generic {indexing_maps = [affine_map<(i) -> (i)>, affine_map<(i) -> (i)>], iterator_types = ["parallel"]} ins(%x : tensor<4xi8>) outs(%y : tensor<4xi8>) {
  ^bb0(%a: i8, %b: i8):
    linalg.yield %a : i8
  } -> tensor<4xi8>
  return %r : tensor<4xi8>
}
