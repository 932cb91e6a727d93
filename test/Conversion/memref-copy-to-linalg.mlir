// RUN: qopt %s -split-input-file -convert-memref-copy-to-linalg | FileCheck %s

// Strided on both sides, innermost stride not 1: loops (linalg.copy).
// CHECK-LABEL: func @strided
// CHECK: linalg.copy ins(%arg0 : memref<4x4xf32, strided<[8, 2]>>) outs(%arg1 : memref<4x4xf32, strided<[8, 2]>>)
// CHECK-NOT: memref.copy
func.func @strided(%a: memref<4x4xf32, strided<[8, 2]>>, %b: memref<4x4xf32, strided<[8, 2]>>) {
  memref.copy %a, %b : memref<4x4xf32, strided<[8, 2]>> to memref<4x4xf32, strided<[8, 2]>>
  return
}

// -----

// Contiguous buffers: left to MemRefToLLVM, which emits one memcpy.
// CHECK-LABEL: func @contiguous
// CHECK: memref.copy %arg0, %arg1 : memref<?x4xf32> to memref<?x4xf32>
// CHECK-NOT: linalg.copy
func.func @contiguous(%a: memref<?x4xf32>, %b: memref<?x4xf32>) {
  memref.copy %a, %b : memref<?x4xf32> to memref<?x4xf32>
  return
}

// -----

// Into the interior of a padded buffer (a bufferized tensor.pad): one
// memcpy of 48 bytes per row, over the batch, channel and row loops.
// CHECK-LABEL: func @pad_interior
// CHECK-DAG: %[[C0:.+]] = arith.constant 0 : index
// CHECK-DAG: %[[C1:.+]] = arith.constant 1 : index
// CHECK: %[[N:.+]] = memref.dim %arg0, %[[C0]]
// CHECK: scf.for %[[I:.+]] = %[[C0]] to %[[N]] step %[[C1]]
// CHECK: scf.for %[[J:.+]] =
// CHECK: scf.for %[[K:.+]] =
// CHECK: %[[FROM:.+]] = memref.subview %arg0[%[[I]], %[[J]], %[[K]], 0] [1, 1, 1, 48] [1, 1, 1, 1] : memref<?x32x48x48xi8> to memref<48xi8, strided<[1], offset: ?>>
// CHECK: %[[TO:.+]] = memref.subview %arg1[%[[I]], %[[J]], %[[K]], 0] [1, 1, 1, 48] [1, 1, 1, 1] : memref<?x32x48x48xi8, strided<[80000, 2500, 50, 1], offset: ?>> to memref<48xi8, strided<[1], offset: ?>>
// CHECK: memref.copy %[[FROM]], %[[TO]]
// CHECK-NOT: linalg.copy
func.func @pad_interior(%a: memref<?x32x48x48xi8>, %b: memref<?x32x48x48xi8, strided<[80000, 2500, 50, 1], offset: ?>>) {
  memref.copy %a, %b : memref<?x32x48x48xi8> to memref<?x32x48x48xi8, strided<[80000, 2500, 50, 1], offset: ?>>
  return
}

// -----

// Rows of dynamic length: loops.
// CHECK-LABEL: func @dynamic_rows
// CHECK: linalg.copy
func.func @dynamic_rows(%a: memref<4x?xi8>, %b: memref<4x?xi8, strided<[64, 1], offset: ?>>) {
  memref.copy %a, %b : memref<4x?xi8> to memref<4x?xi8, strided<[64, 1], offset: ?>>
  return
}
