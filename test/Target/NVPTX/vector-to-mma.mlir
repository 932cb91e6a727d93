// RUN: qopt %s --pass-pipeline='builtin.module(gpu.module(qcc-gpu-vector-to-mma,canonicalize))' | FileCheck %s

// The marked warp tile becomes mma.sync m16n8k32 on per-lane fragments;
// the scalar kernel beside it, whose index arithmetic upstream's pass
// would reject, is left alone.
// The lanes' fragment accesses get the alignment of their size: C's pairs
// of int32 (8 bytes) and A's words of 4 int8 (its rows are 32 bytes, the
// lanes' offsets multiples of 4); B, read transposed, by bytes.
// CHECK-LABEL: gpu.func @tile
// CHECK:         gpu.lane_id
// CHECK:         vector.load %arg2[{{.*}}] {alignment = 8 : i64} : memref<16x8xi32>, vector<2xi32>
// CHECK:         vector.load %arg0[{{.*}}] {alignment = 4 : i64} : memref<16x32xi8>, vector<4xi8>
// CHECK:         memref.load %arg1[{{.*}}] : memref<32x8xi8>
// CHECK:         nvgpu.mma.sync({{.*}}) {mmaShape = [16, 8, 32]} : (vector<4x4xi8>, vector<2x4xi8>, vector<2x2xi32>) -> vector<2x2xi32>
// CHECK-NOT:     vector.contract
// CHECK-NOT:     qcc.warp_tile
// The lane-level epilogue after it reads what the other lanes stored: a
// warp barrier first.
// CHECK:         nvvm.bar.warp.sync %c-1_i32 : i32
// CHECK-NEXT:    scf.if
// CHECK:           memref.load %arg2
// CHECK-NOT:     qcc.per_lane
// CHECK-LABEL: gpu.func @scalar
// CHECK:         arith.muli
module attributes {gpu.container_module} {
  gpu.module @kernels {
    gpu.func @tile(%a: memref<16x32xi8>, %b: memref<32x8xi8>, %c: memref<16x8xi32>, %go: i1, %out: memref<32xi32>) kernel {
      %c0 = arith.constant 0 : index
      %z8 = arith.constant 0 : i8
      %z32 = arith.constant 0 : i32
      scf.if %go {
        %acc = vector.transfer_read %c[%c0, %c0], %z32 {in_bounds = [true, true]} : memref<16x8xi32>, vector<16x8xi32>
        %va = vector.transfer_read %a[%c0, %c0], %z8 {in_bounds = [true, true]} : memref<16x32xi8>, vector<16x32xi8>
        %vb = vector.transfer_read %b[%c0, %c0], %z8 {in_bounds = [true, true], permutation_map = affine_map<(d0, d1) -> (d1, d0)>} : memref<32x8xi8>, vector<8x32xi8>
        %d = vector.contract {indexing_maps = [affine_map<(m, n, k) -> (m, k)>, affine_map<(m, n, k) -> (n, k)>, affine_map<(m, n, k) -> (m, n)>], iterator_types = ["parallel", "parallel", "reduction"], kind = #vector.kind<add>} %va, %vb, %acc : vector<16x32xi8>, vector<8x32xi8> into vector<16x8xi32>
        vector.transfer_write %d, %c[%c0, %c0] {in_bounds = [true, true]} : vector<16x8xi32>, memref<16x8xi32>
      } {qcc.warp_tile}
      scf.if %go {
        %lane = gpu.thread_id x
        %v = memref.load %c[%c0, %c0] : memref<16x8xi32>
        memref.store %v, %out[%lane] : memref<32xi32>
      } {qcc.per_lane}
      gpu.return
    }
    gpu.func @scalar(%a: memref<64xf32>, %n: index) kernel {
      %t = gpu.thread_id x
      %i = arith.muli %t, %n : index
      %z = arith.constant 0.0 : f32
      memref.store %z, %a[%i] : memref<64xf32>
      gpu.return
    }
  }
}
