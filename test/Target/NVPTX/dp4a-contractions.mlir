// RUN: qopt %s --split-input-file --pass-pipeline='builtin.module(func.func(qcc-gpu-dp4a-contractions,cse))' | FileCheck %s

// A 3x6 int8 weight times a 6x5 activation. The weight is laid out at
// compile time in quads of k ([2, 3, 4]: k 0-3 of each row, then k 4-5 and
// two zeros); B by a launch of one thread per word (10 words), the bytes
// past K zeros. The product is one block of 8x4 threads (the smallest
// block, a warp), each computing one element from its row and column
// (clamped to the last ones for loads), starting from C, over ceil(6/4)
// steps of one 4-deep dot product, and storing it only inside C.
// CHECK:       memref.global "private" constant @__qcc_dp4a_weight : memref<2x3x4xi8> = dense<{{\[\[\[}}1, 2, 3, 4], [-1, -2, -3, -4], [7, 8, 9, 10]], {{\[\[}}5, 6, 0, 0], [-5, -6, 0, 0], [11, 12, 0, 0]]]> {alignment = 16 : i64}
// CHECK-LABEL: func.func @product
// CHECK:         %[[BQ:.*]] = memref.alloc() : memref<2x5x4xi8>
// CHECK:         %[[B:.*]] = memref.collapse_shape %arg0
// CHECK:         gpu.launch {{.*}} threads({{.*}}) in ({{.*}} = %c256, {{.*}} = %c1, {{.*}} = %c1)
// CHECK:           %[[WORD:.*]] = arith.addi
// CHECK:           arith.cmpi ult, %[[WORD]], %c10
// CHECK:             %[[X:.*]] = arith.remui %[[WORD]], %c5
// CHECK:             %[[QUAD:.*]] = arith.divui %[[WORD]], %c5
// CHECK-COUNT-4:     memref.load %[[B]]
// CHECK:             %[[BYTES:.*]] = vector.from_elements
// CHECK:             vector.store %[[BYTES]], %[[BQ]][%[[QUAD]], %[[X]], %c0] {alignment = 4 : i64}
// CHECK:         %[[C:.*]] = memref.collapse_shape %arg1
// CHECK:         gpu.launch blocks({{.*}}) in ({{.*}} = %c1, {{.*}} = %c1, {{.*}} = %c1) threads({{.*}}) in ({{.*}} = %c8, {{.*}} = %c4, {{.*}} = %c1)
// CHECK:           %[[W:.*]] = memref.get_global @__qcc_dp4a_weight
// CHECK:           %[[ROW:.*]] = affine.apply
// CHECK:           %[[READROW:.*]] = arith.minui %[[ROW]], %c2
// CHECK:           %[[COL:.*]] = affine.apply
// CHECK:           %[[READCOL:.*]] = arith.minui %[[COL]], %c4
// CHECK:           %[[BIAS:.*]] = memref.load %[[C]][%[[READROW]], %[[READCOL]]]
// CHECK:           %[[SUM:.*]] = scf.for %[[K:.*]] = %c0 to %c2 step %c1 iter_args(%[[ACC:.*]] = %[[BIAS]])
// CHECK:             %[[A4:.*]] = vector.load %[[W]][%[[K]], %[[READROW]], %c0] {alignment = 4 : i64} : memref<2x3x4xi8>, vector<4xi8>
// CHECK:             %[[AX:.*]] = arith.extsi %[[A4]]
// CHECK:             %[[B4:.*]] = vector.load %[[BQ]][%[[K]], %[[READCOL]], %c0] {alignment = 4 : i64} : memref<2x5x4xi8>, vector<4xi8>
// CHECK:             %[[BX:.*]] = arith.extsi %[[B4]]
// CHECK:             %[[P:.*]] = arith.muli %[[AX]], %[[BX]] : vector<4xi32>
// CHECK:             vector.reduction <add>, %[[P]], %[[ACC]] : vector<4xi32> into i32
// CHECK:           arith.cmpi ult, %[[ROW]], %c3
// CHECK:           arith.cmpi ult, %[[COL]], %c5
// CHECK:           scf.if
// CHECK:             memref.store %[[SUM]], %[[C]][%[[ROW]], %[[COL]]]
// CHECK-NOT:     linalg.generic
memref.global "private" constant @w : memref<3x6xi8> = dense<[[1, 2, 3, 4, 5, 6], [-1, -2, -3, -4, -5, -6], [7, 8, 9, 10, 11, 12]]>
func.func @product(%b: memref<1x6x5xi8>, %c: memref<1x3x5xi32>) {
  %w = memref.get_global @w : memref<3x6xi8>
  linalg.generic {indexing_maps = [affine_map<(b, m, p, k) -> (m, k)>, affine_map<(b, m, p, k) -> (b, k, p)>, affine_map<(b, m, p, k) -> (b, m, p)>], iterator_types = ["parallel", "parallel", "parallel", "reduction"]} ins(%w, %b : memref<3x6xi8>, memref<1x6x5xi8>) outs(%c : memref<1x3x5xi32>) {
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

// A convolution's size (64 filters, 3x3x64 taps, 56x56 pixels): blocks of
// 16x16 threads. 4x4 tiles per thread would make 49 blocks of 64x64, fewer
// than the 64 wanted, so the tiles are 4x2 (98 blocks of 64x32): a thread
// loads 4 words of A and 2 of B per step and makes 8 dot products, which
// it stores at the end. K is a multiple of 4:
// the layout of B needs no bounds. An activation as A (not a constant) is
// laid out by a launch too.
// CHECK-LABEL: func.func @convolution_size
// CHECK:         gpu.launch
// CHECK-NOT:       arith.select
// CHECK:           vector.store
// CHECK:         gpu.launch
// CHECK:           vector.store
// CHECK:         gpu.launch blocks({{.*}}) in ({{.*}} = %c98, {{.*}} = %c1, {{.*}} = %c1) threads({{.*}}) in ({{.*}} = %c16, {{.*}} = %c16, {{.*}} = %c1)
// CHECK:           scf.for {{.*}} = %c0 to %c144 step %c1
// CHECK-COUNT-6:     vector.load
// CHECK-NOT:         vector.load
// CHECK-COUNT-8:     vector.reduction <add>
// CHECK-NOT:         vector.reduction
// CHECK:           scf.yield
// CHECK-COUNT-8:   memref.store
// CHECK-NOT:       memref.store
func.func @convolution_size(%a: memref<64x576xi8>, %b: memref<1x576x3136xi8>, %c: memref<1x64x3136xi32>) {
  linalg.generic {indexing_maps = [affine_map<(b, m, p, k) -> (m, k)>, affine_map<(b, m, p, k) -> (b, k, p)>, affine_map<(b, m, p, k) -> (b, m, p)>], iterator_types = ["parallel", "parallel", "parallel", "reduction"]} ins(%a, %b : memref<64x576xi8>, memref<1x576x3136xi8>) outs(%c : memref<1x64x3136xi32>) {
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

// A fully connected layer at batch 1 (one row of activations times a
// 512x1000 weight): one thread per column in blocks of one warp, so that
// the layer spreads over 32 blocks.
// CHECK-LABEL: func.func @fully_connected
// CHECK:         gpu.launch blocks({{.*}}) in ({{.*}} = %c32, {{.*}} = %c1, {{.*}} = %c1) threads({{.*}}) in ({{.*}} = %c32, {{.*}} = %c1, {{.*}} = %c1)
// CHECK:           scf.for {{.*}} = %c0 to %c128 step %c1
// CHECK-COUNT-1:     vector.reduction <add>
// CHECK-NOT:         vector.reduction
// CHECK:           scf.yield
func.func @fully_connected(%a: memref<1x512xi8>, %b: memref<1x512x1000xi8>, %c: memref<1x1x1000xi32>) {
  linalg.generic {indexing_maps = [affine_map<(b, m, p, k) -> (m, k)>, affine_map<(b, m, p, k) -> (b, k, p)>, affine_map<(b, m, p, k) -> (b, m, p)>], iterator_types = ["parallel", "parallel", "parallel", "reduction"]} ins(%a, %b : memref<1x512xi8>, memref<1x512x1000xi8>) outs(%c : memref<1x1x1000xi32>) {
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

// int16 operands: not dp4a's bytes.
// CHECK-LABEL: func.func @int16_product
// CHECK-NOT:     gpu.launch
// CHECK:         linalg.generic
func.func @int16_product(%a: memref<16x32xi16>, %b: memref<1x32x8xi16>, %c: memref<1x16x8xi32>) {
  linalg.generic {indexing_maps = [affine_map<(b, m, p, k) -> (m, k)>, affine_map<(b, m, p, k) -> (b, k, p)>, affine_map<(b, m, p, k) -> (b, m, p)>], iterator_types = ["parallel", "parallel", "parallel", "reduction"]} ins(%a, %b : memref<16x32xi16>, memref<1x32x8xi16>) outs(%c : memref<1x16x8xi32>) {
  ^bb0(%x: i16, %y: i16, %acc: i32):
    %xe = arith.extsi %x : i16 to i32
    %ye = arith.extsi %y : i16 to i32
    %p = arith.muli %xe, %ye : i32
    %s = arith.addi %p, %acc : i32
    linalg.yield %s : i32
  }
  return
}

// -----

// The requantization that alone reads C: applied by each thread to its
// results (its per-row multiplier loaded at the row), its int8 output
// stored instead of C, and no kernel of its own.
// CHECK-LABEL: func.func @requantized
// CHECK:         gpu.launch
// CHECK:         gpu.launch
// CHECK:           scf.for
// CHECK:           scf.if
// CHECK:             %[[MUL:.*]] = memref.load %arg2[%{{.*}}] : memref<3xi32>
// CHECK:             arith.muli %{{.*}}, %[[MUL]] : i32
// CHECK:             arith.trunci
// CHECK:             memref.store %{{.*}}, %arg3[%c0, %{{.*}}, %{{.*}}] : memref<1x3x5xi8>
// CHECK-NOT:     linalg.generic
// CHECK:         return
memref.global "private" constant @w2 : memref<3x8xi8> = dense<3>
func.func @requantized(%b: memref<1x8x5xi8>, %c: memref<1x3x5xi32>, %mul: memref<3xi32>, %out: memref<1x3x5xi8>) {
  %w = memref.get_global @w2 : memref<3x8xi8>
  linalg.generic {indexing_maps = [affine_map<(b, m, p, k) -> (m, k)>, affine_map<(b, m, p, k) -> (b, k, p)>, affine_map<(b, m, p, k) -> (b, m, p)>], iterator_types = ["parallel", "parallel", "parallel", "reduction"]} ins(%w, %b : memref<3x8xi8>, memref<1x8x5xi8>) outs(%c : memref<1x3x5xi32>) {
  ^bb0(%x: i8, %y: i8, %acc: i32):
    %xe = arith.extsi %x : i8 to i32
    %ye = arith.extsi %y : i8 to i32
    %p = arith.muli %xe, %ye : i32
    %s = arith.addi %acc, %p : i32
    linalg.yield %s : i32
  }
  linalg.generic {indexing_maps = [affine_map<(d0, d1, d2) -> (d0, d1, d2)>, affine_map<(d0, d1, d2) -> (d1)>, affine_map<(d0, d1, d2) -> (d0, d1, d2)>], iterator_types = ["parallel", "parallel", "parallel"]} ins(%c, %mul : memref<1x3x5xi32>, memref<3xi32>) outs(%out : memref<1x3x5xi8>) {
  ^bb0(%v: i32, %m: i32, %o: i8):
    %r = arith.muli %v, %m : i32
    %t = arith.trunci %r : i32 to i8
    linalg.yield %t : i8
  }
  return
}

// -----

// C read again after its requantization: C is stored, the requantization
// stays a kernel of its own.
// CHECK-LABEL: func.func @read_again
// CHECK:         gpu.launch
// CHECK:         gpu.launch
// CHECK:             memref.store %{{.*}} : memref<3x5xi32>
// CHECK:         linalg.generic
// CHECK:         memref.copy
memref.global "private" constant @w3 : memref<3x8xi8> = dense<3>
func.func @read_again(%b: memref<1x8x5xi8>, %c: memref<1x3x5xi32>, %mul: memref<3xi32>, %out: memref<1x3x5xi8>, %keep: memref<1x3x5xi32>) {
  %w = memref.get_global @w3 : memref<3x8xi8>
  linalg.generic {indexing_maps = [affine_map<(b, m, p, k) -> (m, k)>, affine_map<(b, m, p, k) -> (b, k, p)>, affine_map<(b, m, p, k) -> (b, m, p)>], iterator_types = ["parallel", "parallel", "parallel", "reduction"]} ins(%w, %b : memref<3x8xi8>, memref<1x8x5xi8>) outs(%c : memref<1x3x5xi32>) {
  ^bb0(%x: i8, %y: i8, %acc: i32):
    %xe = arith.extsi %x : i8 to i32
    %ye = arith.extsi %y : i8 to i32
    %p = arith.muli %xe, %ye : i32
    %s = arith.addi %acc, %p : i32
    linalg.yield %s : i32
  }
  linalg.generic {indexing_maps = [affine_map<(d0, d1, d2) -> (d0, d1, d2)>, affine_map<(d0, d1, d2) -> (d1)>, affine_map<(d0, d1, d2) -> (d0, d1, d2)>], iterator_types = ["parallel", "parallel", "parallel"]} ins(%c, %mul : memref<1x3x5xi32>, memref<3xi32>) outs(%out : memref<1x3x5xi8>) {
  ^bb0(%v: i32, %m: i32, %o: i8):
    %r = arith.muli %v, %m : i32
    %t = arith.trunci %r : i32 to i8
    linalg.yield %t : i8
  }
  memref.copy %c, %keep : memref<1x3x5xi32> to memref<1x3x5xi32>
  return
}

// -----

// int4 weights (all within [-8, 7]: W4A8) stay packed: byte i of the word
// of 8 k holds k = i in its low nibble and k = i + 4 in its high one, each
// as v + 8 (here v = 1 for k 0-3, -2 for k 4-5, zeros past K = 6: bytes
// 0-1 9 | 6 << 4 = 105, bytes 2-3 9 | 8 << 4 = 137, -119 as int8). B is
// laid out in 2 quads per word (K padded to 8).
// Each step splits the weight word into its unsigned nibbles, multiplies
// them with the two words of B, and sums B's bytes (a dot product with
// ones); the result takes 8 times that sum off.
// CHECK:       memref.global "private" constant @__qcc_dp4a_weight_s4 : memref<1x2x4xi8> = dense<{{\[\[\[}}105, 105, -119, -119], [105, 105, -119, -119]]]>
// CHECK-LABEL: func.func @int4_weights
// CHECK:         memref.alloc() : memref<2x3x4xi8>
// CHECK:         gpu.launch
// CHECK:         gpu.launch
// CHECK:           %[[SUMS:.*]]:2 = scf.for {{.*}} = %c0 to %c1 step %c1 iter_args(%{{.*}} = %{{.*}}, %[[SUMB:.*]] = %c0_i32)
// CHECK:             %[[W:.*]] = vector.load {{.*}} : memref<1x2x4xi8>, vector<4xi8>
// CHECK:             %[[LO:.*]] = arith.andi %[[W]], %cst
// CHECK:             %[[HI:.*]] = arith.shrui %[[W]], %cst
// CHECK:             arith.extui %[[LO]]
// CHECK:             arith.extui %[[HI]]
// CHECK-COUNT-2:     vector.load {{.*}} : memref<2x3x4xi8>, vector<4xi8>
// CHECK-COUNT-4:     vector.reduction <add>
// CHECK:             scf.yield
// CHECK:           %[[EIGHT:.*]] = arith.shli %[[SUMS]]#1, %c3_i32
// CHECK:           arith.subi %[[SUMS]]#0, %[[EIGHT]]
memref.global "private" constant @w5 : memref<2x6xi8> = dense<[[1, 1, 1, 1, -2, -2], [1, 1, 1, 1, -2, -2]]>
func.func @int4_weights(%b: memref<1x6x3xi8>, %c: memref<1x2x3xi32>) {
  %w = memref.get_global @w5 : memref<2x6xi8>
  linalg.generic {indexing_maps = [affine_map<(b, m, p, k) -> (m, k)>, affine_map<(b, m, p, k) -> (b, k, p)>, affine_map<(b, m, p, k) -> (b, m, p)>], iterator_types = ["parallel", "parallel", "parallel", "reduction"]} ins(%w, %b : memref<2x6xi8>, memref<1x6x3xi8>) outs(%c : memref<1x2x3xi32>) {
  ^bb0(%x: i8, %y: i8, %acc: i32):
    %xe = arith.extsi %x : i8 to i32
    %ye = arith.extsi %y : i8 to i32
    %p = arith.muli %xe, %ye : i32
    %s = arith.addi %acc, %p : i32
    linalg.yield %s : i32
  }
  return
}
