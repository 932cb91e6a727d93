// RUN: qopt %s -split-input-file -qcc-hls-schedule-layers=reuse-factor=4 -verify-diagnostics | FileCheck %s

// A dense layer: out[j] = sum_k x[k] * w[j][k]. The k loop (no store
// index uses it) is unrolled, the j loop pipelined at II = R = 4, and the
// arrays it reads along k are partitioned so that a cycle reads 16 / 4
// elements of each.
// CHECK-LABEL: func.func private @qcc_model_layer0
// CHECK-SAME: hls.partition = [{arg = 0 : i64, dim = 1 : i64, factor = 4 : i64, kind = "cyclic"}, {dim = 2 : i64, factor = 4 : i64, global = @w, kind = "cyclic"}]
// CHECK-SAME: hls.reuse_factor = 4
// CHECK: scf.for
// CHECK: scf.for
// CHECK: } {hls.unroll}
// CHECK: } {hls.pipeline_ii = 4 : i64}
memref.global "private" constant @w : memref<8x16xi8> = dense<1>
func.func private @qcc_model_layer0(%x: memref<16xi8>, %y: memref<8xi32>) attributes {hls.layer = "/fc"} {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c8 = arith.constant 8 : index
  %c16 = arith.constant 16 : index
  %w = memref.get_global @w : memref<8x16xi8>
  scf.for %j = %c0 to %c8 step %c1 {
    scf.for %k = %c0 to %c16 step %c1 {
      %a = memref.load %x[%k] : memref<16xi8>
      %b = memref.load %w[%j, %k] : memref<8x16xi8>
      %acc = memref.load %y[%j] : memref<8xi32>
      %a32 = arith.extsi %a : i8 to i32
      %b32 = arith.extsi %b : i8 to i32
      %p = arith.muli %a32, %b32 : i32
      %s = arith.addi %acc, %p : i32
      memref.store %s, %y[%j] : memref<8xi32>
    }
  }
  return
}

// -----

// Element-wise: the innermost loop pipelined at II=1, nothing unrolled.
// CHECK-LABEL: func.func private @qcc_model_layer1
// CHECK-NOT: hls.unroll
// CHECK: } {hls.pipeline_ii = 1 : i64}
func.func private @qcc_model_layer1(%x: memref<4x4xi8>, %y: memref<4x4xi8>) attributes {hls.layer = "/relu"} {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c4 = arith.constant 4 : index
  %zero = arith.constant 0 : i8
  scf.for %i = %c0 to %c4 step %c1 {
    scf.for %j = %c0 to %c4 step %c1 {
      %a = memref.load %x[%i, %j] : memref<4x4xi8>
      %r = arith.maxsi %a, %zero : i8
      memref.store %r, %y[%i, %j] : memref<4x4xi8>
    }
  }
  return
}
