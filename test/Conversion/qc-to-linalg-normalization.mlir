// RUN: qopt %s -split-input-file -convert-qc-to-linalg | FileCheck %s

// ReduceMean: a double sum over the reduced axes (in index order), divided
// by their size and rounded to f32 once; kept axes expand back.
// CHECK-DAG: #[[ID:.*]] = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>
// CHECK-DAG: #[[NC:.*]] = affine_map<(d0, d1, d2, d3) -> (d0, d1)>
// CHECK-DAG: #[[NH:.*]] = affine_map<(d0, d1, d2, d3) -> (d0, d2)>
// CHECK-LABEL: func @reduce_mean
// CHECK: %[[Z:.*]] = linalg.fill ins(%{{.*}} : f64) outs(%{{.*}} : tensor<?x3xf64>)
// CHECK: %[[S:.*]] = linalg.generic {indexing_maps = [#[[ID]], #[[NC]]], iterator_types = ["parallel", "parallel", "reduction", "reduction"]} ins(%arg0 : tensor<?x3x4x5xf32>) outs(%[[Z]] : tensor<?x3xf64>)
// CHECK: ^bb0(%[[X:.*]]: f32, %[[ACC:.*]]: f64):
// CHECK: %[[W:.*]] = arith.extf %[[X]] : f32 to f64
// CHECK: arith.addf %[[ACC]], %[[W]] : f64
// CHECK: linalg.generic {{.*}} ins(%[[S]] : tensor<?x3xf64>)
// CHECK: %[[C:.*]] = arith.constant 2.000000e+01 : f64
// CHECK: %[[M:.*]] = arith.divf %{{.*}}, %[[C]] : f64
// CHECK: arith.truncf %[[M]] : f64 to f32
// CHECK: linalg.generic {indexing_maps = [#[[ID]], #[[NH]]], iterator_types = ["parallel", "reduction", "parallel", "reduction"]}
// CHECK: arith.constant 1.500000e+01 : f64
// CHECK: tensor.expand_shape %{{.*}} {{\[}}[0], [1, 2, 3]] output_shape [%{{.*}}, 1, 4, 1] : tensor<?x4xf32> into tensor<?x1x4x1xf32>
func.func @reduce_mean(%x: tensor<?x3x4x5xf32>) -> (tensor<?x3xf32>, tensor<?x1x4x1xf32>) {
  %0 = qc.reduce_mean %x {axes = array<i64: 2, 3>, keepdims = false} : tensor<?x3x4x5xf32> -> tensor<?x3xf32>
  %1 = qc.reduce_mean %x {axes = array<i64: 1, 3>, keepdims = true} : tensor<?x3x4x5xf32> -> tensor<?x1x4x1xf32>
  return %0, %1 : tensor<?x3xf32>, tensor<?x1x4x1xf32>
}

// -----

// An unfolded batch normalization: (x - mean) / sqrt(var + eps) * scale +
// bias in double, parameters read by channel, rounded to f32 once.
// CHECK-DAG: #[[ID:.*]] = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>
// CHECK-DAG: #[[CH:.*]] = affine_map<(d0, d1, d2, d3) -> (d1)>
// CHECK-LABEL: func @batch_norm
// CHECK: linalg.generic {indexing_maps = [#[[ID]], #[[CH]], #[[CH]], #[[CH]], #[[CH]], #[[ID]]]{{.*}} ins(%arg0, %arg3, %arg4, %arg1, %arg2 :
// CHECK: ^bb0(%[[X:.*]]: f32, %[[MEAN:.*]]: f32, %[[VAR:.*]]: f32, %[[SCALE:.*]]: f32, %[[BIAS:.*]]: f32, %{{.*}}: f32):
// CHECK: %[[XD:.*]] = arith.extf %[[X]]
// CHECK: %[[MD:.*]] = arith.extf %[[MEAN]]
// CHECK: %[[VD:.*]] = arith.extf %[[VAR]]
// CHECK: %[[SD:.*]] = arith.extf %[[SCALE]]
// CHECK: %[[BD:.*]] = arith.extf %[[BIAS]]
// CHECK: %[[D:.*]] = arith.subf %[[XD]], %[[MD]] : f64
// CHECK: %[[EPS:.*]] = arith.constant 9.9999997473787516E-6 : f64
// CHECK: %[[VE:.*]] = arith.addf %[[VD]], %[[EPS]] : f64
// CHECK: %[[SQ:.*]] = math.sqrt %[[VE]] : f64
// CHECK: %[[N:.*]] = arith.divf %[[D]], %[[SQ]] : f64
// CHECK: %[[M:.*]] = arith.mulf %[[N]], %[[SD]] : f64
// CHECK: %[[R:.*]] = arith.addf %[[M]], %[[BD]] : f64
// CHECK: arith.truncf %[[R]] : f64 to f32
func.func @batch_norm(%x: tensor<?x3x4x4xf32>, %s: tensor<3xf32>, %b: tensor<3xf32>, %m: tensor<3xf32>, %v: tensor<3xf32>) -> tensor<?x3x4x4xf32> {
  %0 = qc.batch_norm %x, %s, %b, %m, %v {epsilon = 1.0e-5 : f32} : (tensor<?x3x4x4xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>) -> tensor<?x3x4x4xf32>
  return %0 : tensor<?x3x4x4xf32>
}
