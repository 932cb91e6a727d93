// RUN: qopt %s -convert-memref-copy-to-linalg | FileCheck %s

// CHECK-LABEL: func @copy
// CHECK: linalg.copy ins(%arg0 : memref<?x4xf32>) outs(%arg1 : memref<?x4xf32>)
// CHECK-NOT: memref.copy
func.func @copy(%a: memref<?x4xf32>, %b: memref<?x4xf32>) {
  memref.copy %a, %b : memref<?x4xf32> to memref<?x4xf32>
  return
}
