// RUN: qopt %s -split-input-file -qcc-cpu-plan-buffers | FileCheck %s

// A chain of layers: each buffer is live from its allocation to its last
// use, so the third reuses the first's memory (dead after the second call)
// and the second sits beside both. One arena, freed at the end.
// CHECK-LABEL: func.func @chain
// CHECK: %[[ARENA:.*]] = memref.alloc() {alignment = 64 : i64} : memref<2048xi8>
// CHECK: %[[A:.*]] = memref.view %[[ARENA]][%c0{{.*}}][] : memref<2048xi8> to memref<256xf32>
// CHECK: call @write(%[[A]])
// CHECK: %[[B:.*]] = memref.view %[[ARENA]][%c1024{{.*}}][] : memref<2048xi8> to memref<256xf32>
// CHECK: call @step(%[[A]], %[[B]])
// CHECK: %[[C:.*]] = memref.view %[[ARENA]][%c0{{.*}}][] : memref<2048xi8> to memref<256xf32>
// CHECK: call @step(%[[B]], %[[C]])
// CHECK: call @step(%[[C]], %arg0)
// CHECK-NOT: memref.dealloc %[[A]]
// CHECK: memref.dealloc %[[ARENA]] : memref<2048xi8>
// CHECK-NEXT: return
func.func private @write(memref<256xf32>)
func.func private @step(memref<256xf32>, memref<256xf32>)
func.func @chain(%out: memref<256xf32>) {
  %a = memref.alloc() {alignment = 64 : i64} : memref<256xf32>
  call @write(%a) : (memref<256xf32>) -> ()
  %b = memref.alloc() {alignment = 64 : i64} : memref<256xf32>
  call @step(%a, %b) : (memref<256xf32>, memref<256xf32>) -> ()
  %c = memref.alloc() {alignment = 64 : i64} : memref<256xf32>
  call @step(%b, %c) : (memref<256xf32>, memref<256xf32>) -> ()
  call @step(%c, %out) : (memref<256xf32>, memref<256xf32>) -> ()
  memref.dealloc %a : memref<256xf32>
  memref.dealloc %b : memref<256xf32>
  memref.dealloc %c : memref<256xf32>
  return
}

// -----

// A view (cast, reshape) used later keeps its buffer live; a use inside a
// loop counts at the loop. The largest buffer is placed first, the next
// beside it (at a multiple of 64 bytes), and the last, allocated after the
// largest's last use, where the largest was.
// CHECK-LABEL: func.func @aliases
// CHECK: %[[ARENA:.*]] = memref.alloc() {alignment = 64 : i64} : memref<4160xi8>
// CHECK: %[[A:.*]] = memref.view %[[ARENA]][%c4096{{.*}}][] : memref<4160xi8> to memref<10xi8>
// CHECK: memref.cast %[[A]]
// CHECK: %[[B:.*]] = memref.view %[[ARENA]][%c0{{.*}}][] : memref<4160xi8> to memref<1024xf32>
// CHECK: %[[C:.*]] = memref.view %[[ARENA]][%c0{{.*}}][] : memref<4160xi8> to memref<2x5xi8>
// CHECK: memref.collapse_shape %[[C]]
func.func private @bytes(memref<?xi8>)
func.func private @floats(memref<1024xf32>)
func.func private @pair(memref<10xi8>, memref<2x5xi8>)
func.func @aliases() {
  %a = memref.alloc() : memref<10xi8>
  %cast = memref.cast %a : memref<10xi8> to memref<?xi8>
  %b = memref.alloc() : memref<1024xf32>
  call @floats(%b) : (memref<1024xf32>) -> ()
  %c = memref.alloc() : memref<2x5xi8>
  %c0 = arith.constant 0 : index
  %c4 = arith.constant 4 : index
  %c1 = arith.constant 1 : index
  scf.for %i = %c0 to %c4 step %c1 {
    func.call @bytes(%cast) : (memref<?xi8>) -> ()
  }
  %flat = memref.collapse_shape %c [[0, 1]] : memref<2x5xi8> into memref<10xi8>
  call @pair(%flat, %c) : (memref<10xi8>, memref<2x5xi8>) -> ()
  memref.dealloc %a : memref<10xi8>
  memref.dealloc %b : memref<1024xf32>
  memref.dealloc %c : memref<2x5xi8>
  return
}

// -----

// Left alone: a buffer yielded out of a region (an alias the pass does not
// follow), one without a deallocation, a dynamic shape, sub-byte elements,
// an alignment beyond the arena's. Fewer than two buffers to plan: no arena.
// CHECK-LABEL: func.func @escapes
// CHECK-NOT: memref.view
// CHECK: memref.alloc() : memref<16xf32>
// CHECK: memref.alloc() : memref<8xf32>
// CHECK: memref.alloc(%{{.*}}) : memref<?xf32>
// CHECK: memref.alloc() : memref<64xi4>
// CHECK: memref.alloc() {alignment = 128 : i64} : memref<64xf32>
// CHECK: memref.alloc() : memref<4xf32>
// CHECK-NOT: memref.view
func.func private @use(memref<16xf32>, memref<8xf32>, memref<?xf32>, memref<64xi4>, memref<64xf32>, memref<4xf32>)
func.func @escapes(%n: index, %flag: i1, %other: memref<16xf32>) -> memref<16xf32> {
  %yielded = memref.alloc() : memref<16xf32>
  %kept = memref.alloc() : memref<8xf32>
  %dynamic = memref.alloc(%n) : memref<?xf32>
  %nibbles = memref.alloc() : memref<64xi4>
  %aligned = memref.alloc() {alignment = 128 : i64} : memref<64xf32>
  %plain = memref.alloc() : memref<4xf32>
  call @use(%yielded, %kept, %dynamic, %nibbles, %aligned, %plain) : (memref<16xf32>, memref<8xf32>, memref<?xf32>, memref<64xi4>, memref<64xf32>, memref<4xf32>) -> ()
  %chosen = scf.if %flag -> memref<16xf32> {
    scf.yield %yielded : memref<16xf32>
  } else {
    scf.yield %other : memref<16xf32>
  }
  memref.dealloc %yielded : memref<16xf32>
  memref.dealloc %dynamic : memref<?xf32>
  memref.dealloc %nibbles : memref<64xi4>
  memref.dealloc %aligned : memref<64xf32>
  memref.dealloc %plain : memref<4xf32>
  return %chosen : memref<16xf32>
}
