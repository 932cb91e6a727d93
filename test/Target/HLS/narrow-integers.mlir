// RUN: qopt %s -split-input-file -qcc-hls-narrow-integers -verify-diagnostics | FileCheck %s
// RUN: qopt %s -split-input-file -qcc-hls-narrow-integers=accumulator-bits=32 -verify-diagnostics | FileCheck %s --check-prefix=BLANKET

// A 4-term dot product of int8 activations and constant weights in
// [-3, 5] (4 bits) into a bias in [-100, 100]: each product is in
// [-640, 635] (11 bits), the accumulator in [-100 - 4*640, 100 + 4*635]
// (13 bits). The weights become i4; the requantization (x * 3 + 16) >> 5
// computes in 15 bits, its clamp in 10.
// CHECK-LABEL: func @dot
// CHECK: %[[W:.*]] = arith.constant dense<{{\[\[}}-3, 5, 1, 0], [2, -1, 0, 4]]> : tensor<2x4xi4>
// CHECK: %[[INIT:.*]] = arith.trunci %{{.*}} : tensor<1x2xi32> to tensor<1x2xi13>
// CHECK: %[[ACC:.*]] = linalg.generic {{.*}} ins(%arg0, %[[W]] : tensor<1x4xi8>, tensor<2x4xi4>) outs(%[[INIT]] : tensor<1x2xi13>)
// CHECK: ^bb0(%[[IN:.*]]: i8, %[[WT:.*]]: i4, %[[OUT:.*]]: i13):
// CHECK:   %[[A:.*]] = arith.extsi %[[IN]] : i8 to i11
// CHECK:   %[[B:.*]] = arith.extsi %[[WT]] : i4 to i11
// CHECK:   %[[P:.*]] = arith.muli %[[A]], %[[B]] : i11
// CHECK:   %[[PW:.*]] = arith.extsi %[[P]] : i11 to i13
// CHECK:   %[[S:.*]] = arith.addi %[[OUT]], %[[PW]] : i13
// CHECK:   linalg.yield %[[S]] : i13
// CHECK: } -> tensor<1x2xi13>
// CHECK: linalg.generic {{.*}} ins(%[[ACC]] : tensor<1x2xi13>)
// CHECK: ^bb0(%{{.*}}: i13, %{{.*}}: i8):
// CHECK:   arith.muli {{.*}} : i15
// CHECK:   arith.addi {{.*}} : i15
// CHECK:   arith.shrsi {{.*}} : i15
// CHECK:   arith.trunci {{.*}} : i15 to i10
// CHECK:   arith.maxsi {{.*}} : i10
// CHECK:   arith.minsi {{.*}} : i10
// CHECK:   linalg.yield {{.*}} : i8
// A blanket accumulator: 32 bits whatever the sums need.
// BLANKET-LABEL: func @dot
// BLANKET: linalg.generic {{.*}} outs(%{{.*}} : tensor<1x2xi32>)
// BLANKET: arith.addi {{.*}} : i32
#x = affine_map<(n, f, k) -> (n, k)>
#w = affine_map<(n, f, k) -> (f, k)>
#y = affine_map<(n, f, k) -> (n, f)>
#e = affine_map<(n, f) -> (n, f)>
func.func @dot(%x: tensor<1x4xi8>) -> tensor<1x2xi8> {
  %bias = arith.constant dense<[[-100, 100]]> : tensor<1x2xi32>
  %w = arith.constant dense<[[-3, 5, 1, 0], [2, -1, 0, 4]]> : tensor<2x4xi8>
  %c3 = arith.constant 3 : i64
  %c16 = arith.constant 16 : i64
  %c5 = arith.constant 5 : i64
  %lo = arith.constant -128 : i64
  %hi = arith.constant 127 : i64
  %acc = linalg.generic {indexing_maps = [#x, #w, #y], iterator_types = ["parallel", "parallel", "reduction"]} ins(%x, %w : tensor<1x4xi8>, tensor<2x4xi8>) outs(%bias : tensor<1x2xi32>) {
  ^bb0(%in: i8, %wt: i8, %out: i32):
    %a = arith.extsi %in : i8 to i32
    %b = arith.extsi %wt : i8 to i32
    %p = arith.muli %a, %b : i32
    %s = arith.addi %out, %p : i32
    linalg.yield %s : i32
  } -> tensor<1x2xi32>
  %empty = tensor.empty() : tensor<1x2xi8>
  %q = linalg.generic {indexing_maps = [#e, #e], iterator_types = ["parallel", "parallel"]} ins(%acc : tensor<1x2xi32>) outs(%empty : tensor<1x2xi8>) {
  ^bb0(%in: i32, %out: i8):
    %v = arith.extsi %in : i32 to i64
    %m = arith.muli %v, %c3 : i64
    %r = arith.addi %m, %c16 : i64
    %sh = arith.shrsi %r, %c5 : i64
    %l = arith.maxsi %sh, %lo : i64
    %h = arith.minsi %l, %hi : i64
    %t = arith.trunci %h : i64 to i8
    linalg.yield %t : i8
  } -> tensor<1x2xi8>
  return %q : tensor<1x2xi8>
}

// -----

// An op that wraps (int8 arithmetic modulo 2^8, as the IR says) keeps its
// width: narrowing it would change the value.
// CHECK-LABEL: func @wraps
// CHECK: arith.addi %{{.*}}, %{{.*}} : i8
// CHECK: linalg.yield %{{.*}} : i8
#e = affine_map<(d0) -> (d0)>
func.func @wraps(%x: tensor<4xi8>) -> tensor<4xi8> {
  %c100 = arith.constant 100 : i8
  %empty = tensor.empty() : tensor<4xi8>
  %y = linalg.generic {indexing_maps = [#e, #e], iterator_types = ["parallel"]} ins(%x : tensor<4xi8>) outs(%empty : tensor<4xi8>) {
  ^bb0(%in: i8, %out: i8):
    %s = arith.addi %in, %c100 : i8
    linalg.yield %s : i8
  } -> tensor<4xi8>
  return %y : tensor<4xi8>
}

// -----

// A max-pooling reduction: the accumulator never leaves the input's range
// (int8, from its init at -128), found in one step.
// CHECK-LABEL: func @max_pool
// CHECK: linalg.generic {{.*}} outs(%{{.*}} : tensor<1x2xi8>)
// CHECK: arith.maxsi %{{.*}}, %{{.*}} : i8
#in = affine_map<(d0, d1, d2) -> (d0, d1 * 2 + d2)>
#win = affine_map<(d0, d1, d2) -> (d2)>
#out = affine_map<(d0, d1, d2) -> (d0, d1)>
func.func @max_pool(%x: tensor<1x4xi8>) -> tensor<1x2xi8> {
  %init = arith.constant dense<-128> : tensor<1x2xi8>
  %window = tensor.empty() : tensor<2xi8>
  %y = linalg.generic {indexing_maps = [#in, #win, #out], iterator_types = ["parallel", "parallel", "reduction"]} ins(%x, %window : tensor<1x4xi8>, tensor<2xi8>) outs(%init : tensor<1x2xi8>) {
  ^bb0(%in: i8, %w: i8, %out: i8):
    %m = arith.maxsi %out, %in : i8
    linalg.yield %m : i8
  } -> tensor<1x2xi8>
  return %y : tensor<1x2xi8>
}

// -----

// A per-channel multiplier that is one value for every channel (a
// fixed-point model's 2^30): a constant in the body, not a read.
// CHECK-LABEL: func @uniform_multiplier
// CHECK: ^bb0(%{{.*}}: i8, %{{.*}}: i32, %{{.*}}: i38):
// CHECK: arith.muli %{{.*}}, %c1073741824_i38 : i38
#e = affine_map<(d0) -> (d0)>
func.func @uniform_multiplier(%x: tensor<4xi8>) -> tensor<4xi64> {
  %m = arith.constant dense<1073741824> : tensor<4xi32>
  %empty = tensor.empty() : tensor<4xi64>
  %y = linalg.generic {indexing_maps = [#e, #e, #e], iterator_types = ["parallel"]} ins(%x, %m : tensor<4xi8>, tensor<4xi32>) outs(%empty : tensor<4xi64>) {
  ^bb0(%in: i8, %mult: i32, %out: i64):
    %a = arith.extsi %in : i8 to i64
    %b = arith.extsi %mult : i32 to i64
    %p = arith.muli %a, %b : i64
    linalg.yield %p : i64
  } -> tensor<4xi64>
  return %y : tensor<4xi64>
}

// -----

// A table read (an activation by lookup, as MobileNetV3's hard sigmoid
// becomes) keeps its width, and so does the product that mixes it with a
// narrowed value: the narrowed operand is widened back to what the op had,
// even where the narrowing made it the same value as another (%t and %s).
// CHECK-LABEL: func @table
// CHECK: %[[S:.*]] = arith.addi %{{.*}}, %{{.*}} : i9
// CHECK: %[[V:.*]] = tensor.extract %{{.*}}[%{{.*}}] : tensor<4xi32>
// CHECK: %[[T:.*]] = arith.extsi %[[S]] : i9 to i32
// CHECK: arith.muli %[[V]], %[[T]] : i32
#e = affine_map<(d0) -> (d0)>
func.func @table(%x: tensor<4xi8>) -> tensor<4xi8> {
  %table = arith.constant dense<[1, 2, 3, 4]> : tensor<4xi32>
  %c1 = arith.constant 1 : i64
  %empty = tensor.empty() : tensor<4xi8>
  %y = linalg.generic {indexing_maps = [#e, #e], iterator_types = ["parallel"]} ins(%x : tensor<4xi8>) outs(%empty : tensor<4xi8>) {
  ^bb0(%in: i8, %out: i8):
    %a = arith.extsi %in : i8 to i64
    %s = arith.addi %a, %c1 : i64
    %t = arith.trunci %s : i64 to i32
    %i = arith.index_cast %in : i8 to index
    %v = tensor.extract %table[%i] : tensor<4xi32>
    %m = arith.muli %v, %t : i32
    %r = arith.trunci %m : i32 to i8
    linalg.yield %r : i8
  } -> tensor<4xi8>
  return %y : tensor<4xi8>
}
