// RUN: qopt %s -split-input-file -qcc-hls-fold-reduction-inits | FileCheck %s

// A dot product whose accumulator is a bias broadcast (through an
// expand_shape) and widened: the reduction reads the bias itself at the
// composed map (d0, d1, d2) -> (d1) and starts from it at k == 0.
// CHECK-DAG: #[[BIAS:.*]] = affine_map<(d0, d1, d2) -> (d1)>
// CHECK-LABEL: func @dot
// CHECK: %[[E:.*]] = tensor.empty() : tensor<1x2xi20>
// CHECK: linalg.generic {{.*}} ins(%arg0, %{{.*}}, %{{.*}} : tensor<1x4xi8>, tensor<2x4xi8>, tensor<2xi16>) outs(%[[E]] : tensor<1x2xi20>)
// CHECK: ^bb0(%[[X:.*]]: i8, %[[W:.*]]: i8, %[[B:.*]]: i16, %[[OUT:.*]]: i20):
// CHECK:   %[[BW:.*]] = arith.extsi %[[B]] : i16 to i20
// CHECK:   %[[K:.*]] = linalg.index 2 : index
// CHECK:   %[[FIRST:.*]] = arith.cmpi eq, %[[K]], %{{.*}} : index
// CHECK:   %[[ACC:.*]] = arith.select %[[FIRST]], %[[BW]], %[[OUT]] : i20
// CHECK:   arith.addi %[[ACC]], %{{.*}} : i20
// CHECK-NOT: linalg.generic
#x = affine_map<(n, f, k) -> (n, k)>
#w = affine_map<(n, f, k) -> (f, k)>
#y = affine_map<(n, f, k) -> (n, f)>
#b = affine_map<(d0) -> (d0)>
func.func @dot(%x: tensor<1x4xi8>, %w: tensor<2x4xi8>, %bias: tensor<2xi16>) -> tensor<1x2xi20> {
  %e = tensor.empty() : tensor<2xi20>
  %wide = linalg.generic {indexing_maps = [#b, #b], iterator_types = ["parallel"]} ins(%bias : tensor<2xi16>) outs(%e : tensor<2xi20>) {
  ^bb0(%in: i16, %out: i20):
    %v = arith.extsi %in : i16 to i20
    linalg.yield %v : i20
  } -> tensor<2xi20>
  %init = tensor.expand_shape %wide [[0, 1]] output_shape [1, 2] : tensor<2xi20> into tensor<1x2xi20>
  %acc = linalg.generic {indexing_maps = [#x, #w, #y], iterator_types = ["parallel", "parallel", "reduction"]} ins(%x, %w : tensor<1x4xi8>, tensor<2x4xi8>) outs(%init : tensor<1x2xi20>) {
  ^bb0(%in: i8, %wt: i8, %out: i20):
    %a = arith.extsi %in : i8 to i20
    %c = arith.extsi %wt : i8 to i20
    %p = arith.muli %a, %c : i20
    %s = arith.addi %out, %p : i20
    linalg.yield %s : i20
  } -> tensor<1x2xi20>
  return %acc : tensor<1x2xi20>
}

// -----

// An init that is an argument: nothing to fold, the reduction stays.
// CHECK-LABEL: func @argument_init
// CHECK: linalg.generic {{.*}} outs(%arg1 : tensor<1xi32>)
// CHECK-NOT: linalg.index
#in = affine_map<(n, k) -> (n, k)>
#out = affine_map<(n, k) -> (n)>
func.func @argument_init(%x: tensor<1x4xi32>, %init: tensor<1xi32>) -> tensor<1xi32> {
  %r = linalg.generic {indexing_maps = [#in, #out], iterator_types = ["parallel", "reduction"]} ins(%x : tensor<1x4xi32>) outs(%init : tensor<1xi32>) {
  ^bb0(%a: i32, %o: i32):
    %s = arith.addi %o, %a : i32
    linalg.yield %s : i32
  } -> tensor<1xi32>
  return %r : tensor<1xi32>
}
