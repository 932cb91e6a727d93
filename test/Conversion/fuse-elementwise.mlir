// RUN: qopt %s -split-input-file -qc-fuse-elementwise | FileCheck %s

// Two element-wise ops fuse into one; its trailing loops (H, W of a
// per-channel op) merge into one, with reshapes around it.
// CHECK-DAG: #[[ID:.*]] = affine_map<(d0, d1, d2) -> (d0, d1, d2)>
// CHECK-DAG: #[[CH:.*]] = affine_map<(d0, d1, d2) -> (d1)>
// CHECK-LABEL: func @fuse_and_collapse
// CHECK: tensor.collapse_shape %arg0 {{\[\[}}0], [1], [2, 3]] : tensor<1x4x5x6xi32> into tensor<1x4x30xi32>
// CHECK: linalg.generic {indexing_maps = [#[[ID]], #[[CH]], #[[ID]]], iterator_types = ["parallel", "parallel", "parallel"]}
// CHECK: arith.muli
// CHECK: arith.maxsi
// CHECK-NOT: linalg.generic
// CHECK: tensor.expand_shape
#id = affine_map<(n, c, h, w) -> (n, c, h, w)>
#ch = affine_map<(n, c, h, w) -> (c)>
func.func @fuse_and_collapse(%x: tensor<1x4x5x6xi32>, %m: tensor<4xi32>) -> tensor<1x4x5x6xi32> {
  %e = tensor.empty() : tensor<1x4x5x6xi32>
  %0 = linalg.generic {indexing_maps = [#id, #ch, #id], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%x, %m : tensor<1x4x5x6xi32>, tensor<4xi32>) outs(%e : tensor<1x4x5x6xi32>) {
  ^bb0(%a: i32, %b: i32, %o: i32):
    %p = arith.muli %a, %b : i32
    linalg.yield %p : i32
  } -> tensor<1x4x5x6xi32>
  %1 = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%0 : tensor<1x4x5x6xi32>) outs(%e : tensor<1x4x5x6xi32>) {
  ^bb0(%a: i32, %o: i32):
    %z = arith.constant 0 : i32
    %r = arith.maxsi %a, %z : i32
    linalg.yield %r : i32
  } -> tensor<1x4x5x6xi32>
  return %1 : tensor<1x4x5x6xi32>
}

// -----

// Contractions are neither fused into nor collapsed: the element-wise
// producer of the int8 product's input stays (collapsed to 1-d), and the
// product keeps the form a target's kernels match.
// CHECK-LABEL: func @spare_contractions
// CHECK: linalg.generic {{.*}}ins(%{{.*}} : tensor<6xi8>)
// CHECK: linalg.generic {{.*}}ins(%{{.*}}, %arg2 : tensor<2x3xi8>, tensor<1x3x8xi8>) outs(%arg0 : tensor<1x2x8xi32>) {
#m2 = affine_map<(b, m, p, k) -> (m, k)>
#b2 = affine_map<(b, m, p, k) -> (b, k, p)>
#c2 = affine_map<(b, m, p, k) -> (b, m, p)>
#i2 = affine_map<(m, p) -> (m, p)>
func.func @spare_contractions(%init: tensor<1x2x8xi32>, %a: tensor<2x3xi8>, %b: tensor<1x3x8xi8>) -> tensor<1x2x8xi32> {
  %e = tensor.empty() : tensor<2x3xi8>
  %0 = linalg.generic {indexing_maps = [#i2, #i2], iterator_types = ["parallel", "parallel"]} ins(%a : tensor<2x3xi8>) outs(%e : tensor<2x3xi8>) {
  ^bb0(%v: i8, %o: i8):
    %one = arith.constant 1 : i8
    %s = arith.addi %v, %one : i8
    linalg.yield %s : i8
  } -> tensor<2x3xi8>
  %2 = linalg.generic {indexing_maps = [#m2, #b2, #c2], iterator_types = ["parallel", "parallel", "parallel", "reduction"]} ins(%0, %b : tensor<2x3xi8>, tensor<1x3x8xi8>) outs(%init : tensor<1x2x8xi32>) {
  ^bb0(%x: i8, %y: i8, %acc: i32):
    %xe = arith.extsi %x : i8 to i32
    %ye = arith.extsi %y : i8 to i32
    %p = arith.muli %xe, %ye : i32
    %s = arith.addi %acc, %p : i32
    linalg.yield %s : i32
  } -> tensor<1x2x8xi32>
  return %2 : tensor<1x2x8xi32>
}

// -----

// A size-1 dimension broadcast by a constant index ([1, C, 1, 1] against
// [1, C, H, W]: EfficientNet's squeeze-and-excitation scale, dequantized,
// multiplied, quantized). The broadcast producer is not fused (it would be
// computed again for each of the H x W elements it scales: the float
// sigmoid of the squeeze-and-excitation); it runs on its C elements. The
// consumer, fused with its own consumer, is not collapsed: upstream's
// collapsing takes every operand index for a loop dimension and left the
// broadcast operand with a map of the old rank (invalid IR, and a crash in
// qcc compile).
// CHECK-LABEL: func @broadcast_not_collapsed
// CHECK: linalg.generic {{.*}} ins(%{{.*}} : tensor<4xi8>) outs(%{{.*}} : tensor<4xf32>)
// CHECK: arith.sitofp
// CHECK: %[[SCALE:.*]] = tensor.expand_shape {{.*}} : tensor<4xf32> into tensor<1x4x1x1xf32>
// CHECK-NOT: tensor.collapse_shape
// CHECK: linalg.generic {{.*}} ins(%[[SCALE]], %arg0 : tensor<1x4x1x1xf32>, tensor<1x4x5x6xf32>) outs(%{{.*}} : tensor<1x4x5x6xi8>)
// CHECK-NOT: arith.sitofp
// CHECK: arith.mulf
// CHECK: arith.fptosi
// CHECK-NOT: linalg.generic
#idb = affine_map<(n, c, h, w) -> (n, c, h, w)>
#bc = affine_map<(n, c, h, w) -> (n, c, 0, 0)>
func.func @broadcast_not_collapsed(%x: tensor<1x4x5x6xf32>, %s: tensor<1x4x1x1xi8>) -> tensor<1x4x5x6xi8> {
  %e1 = tensor.empty() : tensor<1x4x1x1xf32>
  %0 = linalg.generic {indexing_maps = [#idb, #idb], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%s : tensor<1x4x1x1xi8>) outs(%e1 : tensor<1x4x1x1xf32>) {
  ^bb0(%a: i8, %o: f32):
    %f = arith.sitofp %a : i8 to f32
    linalg.yield %f : f32
  } -> tensor<1x4x1x1xf32>
  %e = tensor.empty() : tensor<1x4x5x6xf32>
  %1 = linalg.generic {indexing_maps = [#bc, #idb, #idb], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%0, %x : tensor<1x4x1x1xf32>, tensor<1x4x5x6xf32>) outs(%e : tensor<1x4x5x6xf32>) {
  ^bb0(%a: f32, %b: f32, %o: f32):
    %p = arith.mulf %a, %b : f32
    linalg.yield %p : f32
  } -> tensor<1x4x5x6xf32>
  %e2 = tensor.empty() : tensor<1x4x5x6xi8>
  %2 = linalg.generic {indexing_maps = [#idb, #idb], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%1 : tensor<1x4x5x6xf32>) outs(%e2 : tensor<1x4x5x6xi8>) {
  ^bb0(%a: f32, %o: i8):
    %i = arith.fptosi %a : f32 to i8
    linalg.yield %i : i8
  } -> tensor<1x4x5x6xi8>
  return %2 : tensor<1x4x5x6xi8>
}
