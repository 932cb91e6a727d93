// RUN: qopt %s --split-input-file --pass-pipeline='builtin.module(func.func(qcc-gpu-tensor-core-contractions{warps-per-block=2},cse))' | FileCheck %s

// A 20x40 int8 weight times a 40x12 activation: each warp computes a
// 32x16 tile of C as 2x2 mma tiles (M above 16, P above 8), so M, K and P
// are padded to 32, 64 and 16. The weight is padded at compile time into a
// global of its own; C goes through a zero-filled padded copy; B is
// transposed into a zero-filled [16, 64] buffer (a lane's column fragment
// is then 4 consecutive k). The one warp (of a block of 2) reads its 4
// accumulators from C's tiles, and per step of 32 along K two 16x32 tiles
// of A and two 8x32 tiles of B, each used by two of the 4 contractions;
// the valid part of C is copied back.
// CHECK:       memref.global "private" constant @__qcc_mma_weight : memref<32x64xi8> = dense<
// CHECK-LABEL: func.func @product
// CHECK:         %[[CPAD:.*]] = memref.alloc() : memref<32x16xi32>
// CHECK:         linalg.fill
// CHECK:         linalg.copy
// CHECK:         %[[BT3:.*]] = memref.alloc() : memref<1x16x64xi8>
// CHECK:         linalg.fill ins(%c0_i8 : i8) outs(%[[BT3]]
// CHECK:         %[[BT:.*]] = memref.collapse_shape %[[BT3]] {{\[\[}}0, 1], [2]] : memref<1x16x64xi8> into memref<16x64xi8>
// CHECK:         %[[BWIN:.*]] = memref.subview %[[BT]][0, 0] [12, 40] [1, 1]
// CHECK:         linalg.transpose ins(%{{.*}} : memref<40x12xi8>) outs(%[[BWIN]] : {{.*}}) permutation = [1, 0]
// CHECK:         gpu.launch blocks({{.*}}) in ({{.*}} = %c1, {{.*}} = %c1, {{.*}} = %c1) threads({{.*}}) in ({{.*}} = %c32, {{.*}} = %c2, {{.*}} = %c1)
// CHECK:           scf.if
// CHECK:             %[[M0:.*]] = affine.apply
// CHECK:             %[[N0:.*]] = affine.apply
// CHECK:             %[[M1:.*]] = affine.apply #{{.*}}(%[[M0]])
// CHECK:             %[[N1:.*]] = affine.apply #{{.*}}(%[[N0]])
// CHECK:             %[[W:.*]] = memref.get_global @__qcc_mma_weight : memref<32x64xi8>
// CHECK-COUNT-4:     vector.transfer_read %[[CPAD]]{{.*}} : memref<32x16xi32>, vector<16x8xi32>
// CHECK:             scf.for %[[K:.*]] = %c0 to %c64 step %c32 iter_args(
// CHECK:               %[[A0:.*]] = vector.transfer_read %[[W]][%[[M0]], %[[K]]]{{.*}} : memref<32x64xi8>, vector<16x32xi8>
// CHECK:               %[[A1:.*]] = vector.transfer_read %[[W]][%[[M1]], %[[K]]]{{.*}} : memref<32x64xi8>, vector<16x32xi8>
// CHECK:               %[[B0:.*]] = vector.transfer_read %[[BT]][%[[N0]], %[[K]]]{{.*}} : memref<16x64xi8>, vector<8x32xi8>
// CHECK:               %[[B1:.*]] = vector.transfer_read %[[BT]][%[[N1]], %[[K]]]{{.*}} : memref<16x64xi8>, vector<8x32xi8>
// CHECK:               vector.contract {{.*}} %[[A0]], %[[B0]]
// CHECK:               vector.contract {{.*}} %[[A0]], %[[B1]]
// CHECK:               vector.contract {{.*}} %[[A1]], %[[B0]]
// CHECK:               vector.contract {{.*}} %[[A1]], %[[B1]]
// CHECK-SAME:            vector<16x32xi8>, vector<8x32xi8> into vector<16x8xi32>
// CHECK-COUNT-4:     vector.transfer_write {{.*}}, %[[CPAD]]
// CHECK:           } {qcc.warp_tile}
// CHECK:         } {qcc.warp_uniform}
// CHECK:         linalg.copy ins(%{{.*}} : memref<20x12xi32, strided<[16, 1]>>) outs(%{{.*}} : memref<20x12xi32>)
// CHECK-NOT:     linalg.generic
memref.global "private" constant @w : memref<20x40xi8> = dense<3>
func.func @product(%b: memref<1x40x12xi8>, %c: memref<1x20x12xi32>) {
  %w = memref.get_global @w : memref<20x40xi8>
  linalg.generic {indexing_maps = [affine_map<(b, m, p, k) -> (m, k)>, affine_map<(b, m, p, k) -> (b, k, p)>, affine_map<(b, m, p, k) -> (b, m, p)>], iterator_types = ["parallel", "parallel", "parallel", "reduction"]} ins(%w, %b : memref<20x40xi8>, memref<1x40x12xi8>) outs(%c : memref<1x20x12xi32>) {
  ^bb0(%x: i8, %y: i8, %acc: i32):
    %xe = arith.extsi %x : i8 to i32
    %ye = arith.extsi %y : i8 to i32
    %p = arith.muli %xe, %ye : i32
    %s = arith.addi %acc, %p : i32
    linalg.yield %s : i32
  }
  return
}

// -----

// Already whole tiles (one mma tile per warp), and an activation as A (a
// fully connected layer): A and C are used in place, B transposed (with no
// padding to fill).
// CHECK-LABEL: func.func @whole_tiles
// CHECK:         %[[BT3:.*]] = memref.alloc() : memref<1x8x32xi8>
// CHECK-NOT:     memref.alloc
// CHECK-NOT:     linalg.fill
// CHECK:         %[[BT:.*]] = memref.collapse_shape %[[BT3]]
// CHECK:         linalg.transpose
// CHECK:         gpu.launch
// CHECK:           vector.transfer_read %arg0
// CHECK:           vector.transfer_read %[[BT]]
// CHECK-NOT:       vector.contract
// CHECK:           vector.contract
// CHECK-NOT:       vector.contract
func.func @whole_tiles(%a: memref<16x32xi8>, %b: memref<1x32x8xi8>, %c: memref<1x16x8xi32>) {
  linalg.generic {indexing_maps = [affine_map<(b, m, p, k) -> (m, k)>, affine_map<(b, m, p, k) -> (b, k, p)>, affine_map<(b, m, p, k) -> (b, m, p)>], iterator_types = ["parallel", "parallel", "parallel", "reduction"]} ins(%a, %b : memref<16x32xi8>, memref<1x32x8xi8>) outs(%c : memref<1x16x8xi32>) {
  ^bb0(%x: i8, %y: i8, %acc: i32):
    %xe = arith.extsi %x : i8 to i32
    %ye = arith.extsi %y : i8 to i32
    %p = arith.muli %xe, %ye : i32
    %s = arith.addi %p, %acc : i32
    linalg.yield %s : i32
  }
  return
}

// -----

// Not int8 products of the batched form: left to the scalar kernels.
// CHECK-LABEL: func.func @float_product
// CHECK-NOT:     gpu.launch
// CHECK:         linalg.generic
func.func @float_product(%a: memref<16x32xf32>, %b: memref<1x32x8xf32>, %c: memref<1x16x8xf32>) {
  linalg.generic {indexing_maps = [affine_map<(b, m, p, k) -> (m, k)>, affine_map<(b, m, p, k) -> (b, k, p)>, affine_map<(b, m, p, k) -> (b, m, p)>], iterator_types = ["parallel", "parallel", "parallel", "reduction"]} ins(%a, %b : memref<16x32xf32>, memref<1x32x8xf32>) outs(%c : memref<1x16x8xf32>) {
  ^bb0(%x: f32, %y: f32, %acc: f32):
    %p = arith.mulf %x, %y : f32
    %s = arith.addf %acc, %p : f32
    linalg.yield %s : f32
  }
  return
}

// -----

// The requantization that alone reads C: after storing its 32x16 tile,
// each warp's lanes apply it to 16 elements each (element step + lane: row
// (step + lane) / 16, column (step + lane) % 16 of the tile), inside C
// only; it is no kernel of its own, and the padded C is not copied back.
// CHECK-LABEL: func.func @requantized
// CHECK:         gpu.launch
// CHECK:           scf.if
// CHECK:           } {qcc.warp_tile}
// CHECK:           scf.if
// CHECK:             scf.for %[[STEP:.*]] = %c0 to %c512 step %c32
// CHECK:               %[[ROW:.*]] = affine.apply #{{.*}}(%{{.*}}, %[[STEP]], %{{.*}})
// CHECK:               %[[COL:.*]] = affine.apply #{{.*}}(%{{.*}}, %[[STEP]], %{{.*}})
// CHECK:               arith.cmpi ult, %[[ROW]], %c20
// CHECK:               arith.cmpi ult, %[[COL]], %c12
// CHECK:               scf.if
// CHECK:                 %[[V:.*]] = memref.load %{{.*}}[%[[ROW]], %[[COL]]] : memref<32x16xi32>
// CHECK:                 %[[MUL:.*]] = memref.load %arg2[%[[ROW]]] : memref<20xi32>
// CHECK:                 arith.muli %[[V]], %[[MUL]] : i32
// CHECK:                 memref.store %{{.*}}, %arg3[%c0, %[[ROW]], %[[COL]]] : memref<1x20x12xi8>
// CHECK:           } {qcc.per_lane}
// CHECK:         } {qcc.warp_uniform}
// CHECK-NOT:     linalg.copy
// CHECK-NOT:     linalg.generic
memref.global "private" constant @w2 : memref<20x40xi8> = dense<3>
func.func @requantized(%b: memref<1x40x12xi8>, %c: memref<1x20x12xi32>, %mul: memref<20xi32>, %out: memref<1x20x12xi8>) {
  %w = memref.get_global @w2 : memref<20x40xi8>
  linalg.generic {indexing_maps = [affine_map<(b, m, p, k) -> (m, k)>, affine_map<(b, m, p, k) -> (b, k, p)>, affine_map<(b, m, p, k) -> (b, m, p)>], iterator_types = ["parallel", "parallel", "parallel", "reduction"]} ins(%w, %b : memref<20x40xi8>, memref<1x40x12xi8>) outs(%c : memref<1x20x12xi32>) {
  ^bb0(%x: i8, %y: i8, %acc: i32):
    %xe = arith.extsi %x : i8 to i32
    %ye = arith.extsi %y : i8 to i32
    %p = arith.muli %xe, %ye : i32
    %s = arith.addi %acc, %p : i32
    linalg.yield %s : i32
  }
  linalg.generic {indexing_maps = [affine_map<(d0, d1, d2) -> (d0, d1, d2)>, affine_map<(d0, d1, d2) -> (d1)>, affine_map<(d0, d1, d2) -> (d0, d1, d2)>], iterator_types = ["parallel", "parallel", "parallel"]} ins(%c, %mul : memref<1x20x12xi32>, memref<20xi32>) outs(%out : memref<1x20x12xi8>) {
  ^bb0(%v: i32, %m: i32, %o: i8):
    %r = arith.muli %v, %m : i32
    %t = arith.trunci %r : i32 to i8
    linalg.yield %t : i8
  }
  return
}

// -----

// B written whole by an element-wise op (a convolution's im2col) and read
// by the product alone: that op writes it transposed ([b, k, p] as
// [b, p, k] of the padded buffer), and there is no transpose.
// CHECK-LABEL: func.func @im2col
// CHECK:         %[[BT3:.*]] = memref.alloc() : memref<1x8x32xi8>
// CHECK:         linalg.fill ins(%c0_i8 : i8) outs(%[[BT3]]
// CHECK:         %[[BT:.*]] = memref.collapse_shape %[[BT3]]
// CHECK:         %[[WIN:.*]] = memref.subview %[[BT3]][0, 0, 0] [1, 6, 20] [1, 1, 1]
// CHECK:         linalg.generic {indexing_maps = [#{{.*}}, #[[OUT:.*]]], {{.*}} ins(%arg0 : memref<6x20xi8>) outs(%[[WIN]] : memref<1x6x20xi8, strided<[256, 32, 1]>>)
// CHECK-NOT:     linalg.transpose
// CHECK:         gpu.launch
// CHECK:           vector.transfer_read %[[BT]]
memref.global "private" constant @w4 : memref<16x20xi8> = dense<3>
func.func @im2col(%x: memref<6x20xi8>, %c: memref<1x16x6xi32>) {
  %w = memref.get_global @w4 : memref<16x20xi8>
  %b = memref.alloc() : memref<1x20x6xi8>
  linalg.generic {indexing_maps = [affine_map<(d0, d1, d2) -> (d2, d1)>, affine_map<(d0, d1, d2) -> (d0, d1, d2)>], iterator_types = ["parallel", "parallel", "parallel"]} ins(%x : memref<6x20xi8>) outs(%b : memref<1x20x6xi8>) {
  ^bb0(%in: i8, %out: i8):
    linalg.yield %in : i8
  }
  linalg.generic {indexing_maps = [affine_map<(b, m, p, k) -> (m, k)>, affine_map<(b, m, p, k) -> (b, k, p)>, affine_map<(b, m, p, k) -> (b, m, p)>], iterator_types = ["parallel", "parallel", "parallel", "reduction"]} ins(%w, %b : memref<16x20xi8>, memref<1x20x6xi8>) outs(%c : memref<1x16x6xi32>) {
  ^bb0(%x0: i8, %y: i8, %acc: i32):
    %xe = arith.extsi %x0 : i8 to i32
    %ye = arith.extsi %y : i8 to i32
    %p = arith.muli %xe, %ye : i32
    %s = arith.addi %acc, %p : i32
    linalg.yield %s : i32
  }
  return
}
