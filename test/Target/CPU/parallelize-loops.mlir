// RUN: qopt %s -split-input-file -qcc-cpu-outline-loops -qcc-cpu-parallelize-loops | FileCheck %s
// RUN: qopt %s -split-input-file -qcc-cpu-outline-loops -qcc-cpu-parallelize-loops=min-work=100000000 | FileCheck %s --check-prefix=SMALL

// A nest of 64 x 128 iterations of 2 operations: the call becomes
// qcc_ukernel_parallel_for on its task, with the arguments as 64-bit words
// in a context (buffers by their aligned address, a scalar's bits), the
// split dimension's extent (the outer one: 64 rows, enough for an even
// split) and the work (64 x 128 x 2). The range function runs the nest on
// subviews of the rows [begin, end) of the operands that use it; the row
// vector %s (indexed by d0) too. The task rebuilds each buffer's
// descriptor from its address and static layout.
// CHECK-LABEL: func.func @scale_rows
// CHECK: %[[CTX:.*]] = memref.alloca() : memref<4xi64>
// CHECK: memref.extract_aligned_pointer_as_index %arg0
// CHECK: memref.store %{{.*}}, %[[CTX]][%{{.*}}] : memref<4xi64>
// CHECK: %[[BITS:.*]] = arith.bitcast %arg3 : f32 to i32
// CHECK: arith.extui %[[BITS]] : i32 to i64
// CHECK: %[[TASK:.*]] = constant @qcc_loops_0_task : (i64, i64, i64) -> ()
// CHECK-DAG: %[[EXTENT:.*]] = arith.constant 64 : i64
// CHECK-DAG: %[[WORK:.*]] = arith.constant 16384 : i64
// CHECK: call @qcc_ukernel_parallel_for(%[[TASK]], %{{.*}}, %[[EXTENT]], %[[WORK]])
// CHECK-NOT: call @qcc_loops_0(
// CHECK-LABEL: func.func private @qcc_loops_0_range
// CHECK-SAME: (%[[BEGIN:.*]]: index, %[[END:.*]]: index, %[[X:.*]]: memref<64x128xf32>, %[[S:.*]]: memref<64xf32>, %[[Y:.*]]: memref<64x128xf32>, %{{.*}}: f32)
// CHECK-SAME: passthrough = ["noinline"]
// CHECK: %[[ROWS:.*]] = arith.subi %[[END]], %[[BEGIN]]
// CHECK: memref.subview %[[X]][%[[BEGIN]], 0] [%[[ROWS]], 128] [1, 1]
// CHECK: memref.subview %[[S]][%[[BEGIN]]] [%[[ROWS]]] [1]
// CHECK: memref.subview %[[Y]][%[[BEGIN]], 0] [%[[ROWS]], 128] [1, 1]
// CHECK: linalg.generic
// CHECK-LABEL: func.func private @qcc_loops_0_task
// CHECK-SAME: (%{{.*}}: i64, %{{.*}}: i64, %{{.*}}: i64)
// CHECK: llvm.inttoptr
// CHECK: builtin.unrealized_conversion_cast %{{.*}} : !llvm.struct<(ptr, ptr, i64, array<2 x i64>, array<2 x i64>)> to memref<64x128xf32>
// CHECK: arith.trunci %{{.*}} : i64 to i32
// CHECK: arith.bitcast %{{.*}} : i32 to f32
// CHECK: call @qcc_loops_0_range
// CHECK: func.func private @qcc_ukernel_parallel_for((i64, i64, i64) -> (), i64, i64, i64)
// SMALL-LABEL: func.func @scale_rows
// SMALL: call @qcc_loops_0(
// SMALL-NOT: qcc_ukernel_parallel_for
#id = affine_map<(d0, d1) -> (d0, d1)>
#row = affine_map<(d0, d1) -> (d0)>
func.func @scale_rows(%x: memref<64x128xf32>, %s: memref<64xf32>, %y: memref<64x128xf32>, %k: f32) {
  linalg.generic {indexing_maps = [#id, #row, #id], iterator_types = ["parallel", "parallel"]} ins(%x, %s : memref<64x128xf32>, memref<64xf32>) outs(%y : memref<64x128xf32>) {
  ^bb0(%a: f32, %b: f32, %c: f32):
    %0 = arith.mulf %a, %b : f32
    %1 = arith.addf %0, %k : f32
    linalg.yield %1 : f32
  }
  return
}

// -----

// Attention scores (3 heads x 37 x 37, a reduction over 64): the heads are
// fewer than 16, so the longest parallel dimension is split (d1 and d3
// tie at 37: the first); the reduction never is. The keys do not use d1:
// each thread reads all of them.
// CHECK-LABEL: func.func @scores
// CHECK: %[[EXTENT:.*]] = arith.constant 37 : i64
// CHECK: call @qcc_ukernel_parallel_for(%{{.*}}, %{{.*}}, %[[EXTENT]],
// CHECK-LABEL: func.func private @qcc_loops_0_range
// CHECK-SAME: %[[Q:[a-z0-9]*]]: memref<3x37x64xf32>, %[[K:[a-z0-9]*]]: memref<3x64x37xf32>, %[[S:[a-z0-9]*]]: memref<3x37x37xf64>
// CHECK: memref.subview %[[Q]][0, %{{.*}}, 0] [3, %{{.*}}, 64] [1, 1, 1]
// CHECK-NOT: memref.subview %[[K]]
// CHECK: memref.subview %[[S]][0, %{{.*}}, 0] [3, %{{.*}}, 37] [1, 1, 1]
// CHECK: ins(%{{.*}}, %[[K]] :
#q = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2)>
#k = affine_map<(d0, d1, d2, d3) -> (d0, d2, d3)>
#s = affine_map<(d0, d1, d2, d3) -> (d0, d1, d3)>
func.func @scores(%q: memref<3x37x64xf32>, %k: memref<3x64x37xf32>, %s: memref<3x37x37xf64>) {
  linalg.generic {indexing_maps = [#q, #k, #s], iterator_types = ["parallel", "parallel", "reduction", "parallel"]} ins(%q, %k : memref<3x37x64xf32>, memref<3x64x37xf32>) outs(%s : memref<3x37x37xf64>) {
  ^bb0(%a: f32, %b: f32, %c: f64):
    %0 = arith.extf %a : f32 to f64
    %1 = arith.extf %b : f32 to f64
    %2 = arith.mulf %0, %1 : f64
    %3 = arith.addf %c, %2 : f64
    linalg.yield %3 : f64
  }
  return
}

// -----

// Not split: a body that reads linalg.index (its rows would need an
// offset).
// CHECK-LABEL: func.func @iota
// CHECK: call @qcc_loops_0(
// CHECK-NOT: qcc_ukernel_parallel_for
#i1 = affine_map<(d0, d1) -> (d0, d1)>
func.func @iota(%y: memref<256x128xi64>) {
  linalg.generic {indexing_maps = [#i1], iterator_types = ["parallel", "parallel"]} outs(%y : memref<256x128xi64>) {
  ^bb0(%c: i64):
    %0 = linalg.index 0 : index
    %1 = arith.index_cast %0 : index to i64
    linalg.yield %1 : i64
  }
  return
}
