// RUN: qopt %s -split-input-file -verify-diagnostics -qc-set-batch-size | FileCheck %s
// RUN: qopt %s -split-input-file -verify-diagnostics -qc-set-batch-size=batch-size=4 | FileCheck %s --check-prefix=FOUR

// The dynamic batch becomes static in the signature and every value.
// CHECK-LABEL: func @batch(%arg0: tensor<1x3xf32>) -> tensor<1x3xf32>
// CHECK: qc.relu %arg0 : tensor<1x3xf32>
// FOUR-LABEL: func @batch(%arg0: tensor<4x3xf32>) -> tensor<4x3xf32>
func.func @batch(%x: tensor<?x3xf32>) -> tensor<?x3xf32> {
  %0 = qc.relu %x : tensor<?x3xf32>
  return %0 : tensor<?x3xf32>
}

// -----

// Only dimension 0 may be dynamic.
func.func @other(%x: tensor<2x?xf32>) -> tensor<2x?xf32> {
  // expected-error @-1 {{qc-set-batch-size: 'tensor<2x?xf32>' has a dynamic dimension other than the batch (0)}}
  return %x : tensor<2x?xf32>
}
