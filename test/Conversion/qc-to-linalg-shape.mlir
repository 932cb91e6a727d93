// RUN: qopt %s -split-input-file -convert-qc-to-linalg | FileCheck %s

// Concat: each input inserted at its offset along the axis.
// CHECK-LABEL: func @concat
// CHECK: %[[N:.*]] = tensor.dim %arg0, %{{.*}} : tensor<?x2x4xf32>
// CHECK: %[[E:.*]] = tensor.empty(%[[N]]) : tensor<?x5x4xf32>
// CHECK: %[[A:.*]] = tensor.insert_slice %arg0 into %[[E]][0, 0, 0] [%{{.*}}, 2, 4] [1, 1, 1] : tensor<?x2x4xf32> into tensor<?x5x4xf32>
// CHECK: %[[B:.*]] = tensor.insert_slice %arg1 into %[[A]][0, 2, 0] [%{{.*}}, 3, 4] [1, 1, 1] : tensor<?x3x4xf32> into tensor<?x5x4xf32>
// CHECK: return %[[B]]
func.func @concat(%a: tensor<?x2x4xf32>, %b: tensor<?x3x4xf32>) -> tensor<?x5x4xf32> {
  %0 = qc.concat %a, %b {axis = 1 : i64} : (tensor<?x2x4xf32>, tensor<?x3x4xf32>) -> tensor<?x5x4xf32>
  return %0 : tensor<?x5x4xf32>
}

// -----

// Along a dynamic axis the offsets and the size are read.
// CHECK-LABEL: func @concat_dynamic_axis
// CHECK: %[[A:.*]] = tensor.dim %arg0, %{{.*}} : tensor<?x2xi8>
// CHECK: %[[B:.*]] = tensor.dim %arg1, %{{.*}} : tensor<?x2xi8>
// CHECK: %[[SUM:.*]] = arith.addi %[[A]], %[[B]] : index
// CHECK: %[[E:.*]] = tensor.empty(%[[SUM]]) : tensor<?x2xi8>
// CHECK: %[[F:.*]] = tensor.insert_slice %arg0 into %[[E]][0, 0]
// CHECK: tensor.insert_slice %arg1 into %[[F]][%[[A]], 0]
func.func @concat_dynamic_axis(%a: tensor<?x2xi8>, %b: tensor<?x2xi8>) -> tensor<?x2xi8> {
  %0 = qc.concat %a, %b {axis = 0 : i64} : (tensor<?x2xi8>, tensor<?x2xi8>) -> tensor<?x2xi8>
  return %0 : tensor<?x2xi8>
}

// -----

// Integer path: values of one quantized type concatenate as their storage.
// CHECK-LABEL: func @concat_quantized
// CHECK: %[[E:.*]] = tensor.empty() : tensor<1x5xi8>
// CHECK: %[[F:.*]] = tensor.insert_slice %arg0 into %[[E]][0, 0] [1, 2] [1, 1] : tensor<1x2xi8> into tensor<1x5xi8>
// CHECK: tensor.insert_slice %arg1 into %[[F]][0, 2] [1, 3] [1, 1] : tensor<1x3xi8> into tensor<1x5xi8>
// CHECK-NOT: qc.
func.func @concat_quantized(%a: tensor<1x2xi8>, %b: tensor<1x3xi8>) -> tensor<1x5xi8> {
  %qa = qc.storage_cast %a : tensor<1x2xi8> -> tensor<1x2x!quant.uniform<i8:f32, 0.5:-3>>
  %qb = qc.storage_cast %b : tensor<1x3xi8> -> tensor<1x3x!quant.uniform<i8:f32, 0.5:-3>>
  %0 = qc.concat %qa, %qb {axis = 1 : i64} : (tensor<1x2x!quant.uniform<i8:f32, 0.5:-3>>, tensor<1x3x!quant.uniform<i8:f32, 0.5:-3>>) -> tensor<1x5x!quant.uniform<i8:f32, 0.5:-3>>
  %1 = qc.storage_cast %0 : tensor<1x5x!quant.uniform<i8:f32, 0.5:-3>> -> tensor<1x5xi8>
  return %1 : tensor<1x5xi8>
}

// -----

// Split: one slice per result.
// CHECK-LABEL: func @split
// CHECK: %[[A:.*]] = tensor.extract_slice %arg0[0, 0] [%{{.*}}, 2] [1, 1] : tensor<?x5xf32> to tensor<?x2xf32>
// CHECK: %[[B:.*]] = tensor.extract_slice %arg0[0, 2] [%{{.*}}, 3] [1, 1] : tensor<?x5xf32> to tensor<?x3xf32>
// CHECK: return %[[A]], %[[B]]
func.func @split(%x: tensor<?x5xf32>) -> (tensor<?x2xf32>, tensor<?x3xf32>) {
  %0:2 = qc.split %x {axis = 1 : i64} : (tensor<?x5xf32>) -> (tensor<?x2xf32>, tensor<?x3xf32>)
  return %0#0, %0#1 : tensor<?x2xf32>, tensor<?x3xf32>
}

// -----

// Positive steps: one strided extract_slice, starts and ends clamped as
// ONNX (1 to 100 by 3 along 8: 1, 4, 7; -3 to 8 by 2: 5, 7); the whole
// dynamic batch. An empty slice is an empty tensor.
// CHECK-LABEL: func @slice
// CHECK: tensor.empty(%{{.*}}) : tensor<?x3x0xf32>
// CHECK: tensor.extract_slice %arg0[0, 1, 5] [%{{.*}}, 3, 2] [1, 3, 2] : tensor<?x8x8xf32> to tensor<?x3x2xf32>
func.func @slice(%x: tensor<?x8x8xf32>) -> (tensor<?x3x0xf32>, tensor<?x3x2xf32>) {
  %0 = qc.slice %x {starts = array<i64: 0, -8, 100>, ends = array<i64: 9223372036854775807, 7, 2>, steps = array<i64: 1, 3, 1>} : tensor<?x8x8xf32> -> tensor<?x3x0xf32>
  %1 = qc.slice %x {starts = array<i64: 0, 1, -3>, ends = array<i64: 9223372036854775807, 100, 8>, steps = array<i64: 1, 3, 2>} : tensor<?x8x8xf32> -> tensor<?x3x2xf32>
  return %0, %1 : tensor<?x3x0xf32>, tensor<?x3x2xf32>
}

// -----

// Negative steps: a linalg.generic reading first + step * i (rows: one
// element, from -1 by INT64_MIN; columns: 7, 5, 3, 1 from 100 clamped).
// CHECK-DAG: #[[ONE:.*]] = affine_map<(d0, d1) -> (d0 + 1, d1 * -2 + 7)>
// CHECK-DAG: #[[REV:.*]] = affine_map<(d0, d1) -> (d0, d1 * -2 + 7)>
// CHECK-DAG: #[[ID:.*]] = affine_map<(d0, d1) -> (d0, d1)>
// CHECK-LABEL: func @slice_negative
// CHECK: linalg.generic {indexing_maps = [#[[ONE]], #[[ID]]]{{.*}} ins(%arg0 : tensor<2x8xi8>) outs(%{{.*}} : tensor<1x4xi8>)
// CHECK: linalg.generic {indexing_maps = [#[[REV]], #[[ID]]]{{.*}} ins(%arg0 : tensor<2x8xi8>) outs(%{{.*}} : tensor<2x4xi8>)
func.func @slice_negative(%x: tensor<2x8xi8>) -> (tensor<1x4xi8>, tensor<2x4xi8>) {
  %0 = qc.slice %x {starts = array<i64: -1, -1>, ends = array<i64: -9223372036854775808, -9223372036854775808>, steps = array<i64: -9223372036854775808, -2>} : tensor<2x8xi8> -> tensor<1x4xi8>
  %1 = qc.slice %x {starts = array<i64: 0, 100>, ends = array<i64: 2, 0>, steps = array<i64: 1, -2>} : tensor<2x8xi8> -> tensor<2x4xi8>
  return %0, %1 : tensor<1x4xi8>, tensor<2x4xi8>
}

// -----

// Gather: the index read from `indices`, negative ones from the end,
// clamped into the dimension; outer and inner indices from the loops.
// CHECK-DAG: #[[IDX:.*]] = affine_map<(d0, d1, d2, d3) -> (d1, d2)>
// CHECK-DAG: #[[OUT:.*]] = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>
// CHECK-LABEL: func @gather
// CHECK: %[[DIM:.*]] = tensor.dim %arg0, %{{.*}} : tensor<?x5x4xf32>
// CHECK: linalg.generic {indexing_maps = [#[[IDX]], #[[OUT]]]{{.*}} ins(%arg1 : tensor<2x3xi64>)
// CHECK: ^bb0(%[[I:.*]]: i64, %{{.*}}: f32):
// CHECK: %[[J:.*]] = arith.index_cast %[[I]] : i64 to index
// CHECK: %[[NEG:.*]] = arith.cmpi slt, %[[J]], %[[ZERO:.*]] : index
// CHECK: %[[WRAP:.*]] = arith.addi %[[J]], %[[DIM]] : index
// CHECK: %[[K:.*]] = arith.select %[[NEG]], %[[WRAP]], %[[J]] : index
// CHECK: %[[LO:.*]] = arith.maxsi %[[K]], %[[ZERO]] : index
// CHECK: %[[LAST:.*]] = arith.subi %[[DIM]], %{{.*}} : index
// CHECK: %[[AT:.*]] = arith.minsi %[[LO]], %[[LAST]] : index
// CHECK: %[[D0:.*]] = linalg.index 0 : index
// CHECK: %[[D3:.*]] = linalg.index 3 : index
// CHECK: %[[V:.*]] = tensor.extract %arg0[%[[D0]], %[[AT]], %[[D3]]] : tensor<?x5x4xf32>
// CHECK: linalg.yield %[[V]] : f32
func.func @gather(%x: tensor<?x5x4xf32>, %i: tensor<2x3xi64>) -> tensor<?x2x3x4xf32> {
  %0 = qc.gather %x[%i] {axis = 1 : i64} : (tensor<?x5x4xf32>, tensor<2x3xi64>) -> tensor<?x2x3x4xf32>
  return %0 : tensor<?x2x3x4xf32>
}

// -----

// Expand: size-1 input dimensions read at index 0; the dynamic result
// dimension comes from the op's size operand.
// CHECK-DAG: #[[IN:.*]] = affine_map<(d0, d1, d2) -> (0, d2)>
// CHECK-DAG: #[[OUT:.*]] = affine_map<(d0, d1, d2) -> (d0, d1, d2)>
// CHECK-LABEL: func @expand
// CHECK-SAME: (%[[X:.*]]: tensor<1x4xf32>, %[[N:.*]]: index)
// CHECK: %[[INIT:.*]] = tensor.empty(%[[N]]) : tensor<?x3x4xf32>
// CHECK: linalg.generic {indexing_maps = [#[[IN]], #[[OUT]]], iterator_types = ["parallel", "parallel", "parallel"]} ins(%[[X]] : tensor<1x4xf32>) outs(%[[INIT]] : tensor<?x3x4xf32>)
func.func @expand(%x: tensor<1x4xf32>, %n: index) -> tensor<?x3x4xf32> {
  %0 = qc.expand %x[%n] : tensor<1x4xf32> -> tensor<?x3x4xf32>
  return %0 : tensor<?x3x4xf32>
}

// -----

// A reshape that regroups dimensions (neither collapses nor expands
// contiguous ones) goes through one dimension.
// CHECK-LABEL: func @regroup
// CHECK: %[[FLAT:.*]] = tensor.collapse_shape %arg0 {{\[}}[0, 1, 2]] : tensor<5x1x6xf32> into tensor<30xf32>
// CHECK: tensor.expand_shape %[[FLAT]] {{\[}}[0, 1, 2]] output_shape [5, 2, 3] : tensor<30xf32> into tensor<5x2x3xf32>
func.func @regroup(%x: tensor<5x1x6xf32>) -> tensor<5x2x3xf32> {
  %0 = qc.reshape %x : tensor<5x1x6xf32> -> tensor<5x2x3xf32>
  return %0 : tensor<5x2x3xf32>
}
