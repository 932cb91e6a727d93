// RUN: qopt %s --split-input-file --verify-diagnostics --pass-pipeline='builtin.module(func.func(qcc-gpu-map-parallel-loops{block-size=128},cse))' | FileCheck %s

// 5x7 iterations: one block of 64 threads (35 rounded up to whole warps),
// thread n computing (n / 7, n % 7); the last 29 threads do nothing.
// CHECK-LABEL: func.func @two_d
// CHECK-DAG:     %[[C7:.*]] = arith.constant 7 : index
// CHECK-DAG:     %[[C35:.*]] = arith.constant 35 : index
// CHECK-DAG:     %[[C64:.*]] = arith.constant 64 : index
// CHECK-DAG:     %[[C0:.*]] = arith.constant 0 : index
// CHECK-DAG:     %[[C1:.*]] = arith.constant 1 : index
// CHECK:         scf.parallel (%[[BLOCK:.*]]) = (%[[C0]]) to (%[[C1]]) step
// CHECK:           scf.parallel (%[[THREAD:.*]]) = (%[[C0]]) to (%[[C64]]) step
// CHECK:             %[[SCALED:.*]] = arith.muli %[[BLOCK]], %[[C64]]
// CHECK:             %[[N:.*]] = arith.addi %[[SCALED]], %[[THREAD]]
// CHECK:             %[[IN:.*]] = arith.cmpi ult, %[[N]], %[[C35]]
// CHECK:             scf.if %[[IN]] {
// CHECK-DAG:           %[[J:.*]] = arith.remui %[[N]], %[[C7]]
// CHECK-DAG:           %[[I:.*]] = arith.divui %[[N]], %[[C7]]
// CHECK:               memref.load %{{.*}}[%[[I]], %[[J]]]
// CHECK:               memref.store %{{.*}}, %{{.*}}[%[[I]], %[[J]]]
// CHECK:           } {mapping = [#gpu.loop_dim_map<processor = thread_x
// CHECK:         } {mapping = [#gpu.loop_dim_map<processor = block_x
func.func @two_d(%a: memref<5x7xf32>, %b: memref<5x7xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c5 = arith.constant 5 : index
  %c7 = arith.constant 7 : index
  scf.parallel (%i, %j) = (%c0, %c0) to (%c5, %c7) step (%c1, %c1) {
    %x = memref.load %a[%i, %j] : memref<5x7xf32>
    memref.store %x, %b[%i, %j] : memref<5x7xf32>
    scf.reduce
  }
  return
}

// -----

// Lower bounds and steps: iteration n is lb + n * step; 1000 iterations
// take 8 blocks of 128.
// CHECK-LABEL: func.func @strided
// CHECK-DAG:     %[[C2:.*]] = arith.constant 2 : index
// CHECK-DAG:     %[[C3:.*]] = arith.constant 3 : index
// CHECK-DAG:     %[[C8:.*]] = arith.constant 8 : index
// CHECK-DAG:     %[[C128:.*]] = arith.constant 128 : index
// CHECK-DAG:     %[[C1000:.*]] = arith.constant 1000 : index
// CHECK:         scf.parallel ({{.*}}) = ({{.*}}) to (%[[C8]])
// CHECK:           scf.parallel ({{.*}}) = ({{.*}}) to (%[[C128]])
// CHECK:             %[[N:.*]] = arith.addi
// CHECK:             arith.cmpi ult, %[[N]], %[[C1000]]
// CHECK:             %[[SCALED:.*]] = arith.muli %[[N]], %[[C3]]
// CHECK:             %[[I:.*]] = arith.addi %[[C2]], %[[SCALED]]
// CHECK:             memref.store %{{.*}}, %{{.*}}[%[[I]]]
func.func @strided(%a: memref<3002xf32>) {
  %c2 = arith.constant 2 : index
  %c3 = arith.constant 3 : index
  %c3002 = arith.constant 3002 : index
  %zero = arith.constant 0.0 : f32
  scf.parallel (%i) = (%c2) to (%c3002) step (%c3) {
    memref.store %zero, %a[%i] : memref<3002xf32>
    scf.reduce
  }
  return
}

// -----

// Dynamic bounds: the trip counts and blocks are computed on the host.
// CHECK-LABEL: func.func @dynamic
// CHECK:         %[[TRIP:.*]] = arith.ceildivui
// CHECK:         %[[BLOCKS:.*]] = arith.ceildivui %[[TRIP]], %c128
// CHECK:         scf.parallel ({{.*}}) = ({{.*}}) to (%[[BLOCKS]])
// CHECK:           arith.cmpi ult, %{{.*}}, %[[TRIP]]
func.func @dynamic(%a: memref<?xf32>, %n: index) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %zero = arith.constant 0.0 : f32
  scf.parallel (%i) = (%c0) to (%n) step (%c1) {
    memref.store %zero, %a[%i] : memref<?xf32>
    scf.reduce
  }
  return
}

// -----

// A store outside any parallel loop (a linalg op on 0-d buffers) becomes
// a kernel of one thread: the host cannot write device memory.
// CHECK-LABEL: func.func @host_store
// CHECK:         scf.parallel
// CHECK:           scf.parallel (%{{.*}}) = (%{{.*}}) to (%c32)
// CHECK:             scf.if
// CHECK:               memref.store
// CHECK:           } {mapping = [#gpu.loop_dim_map<processor = thread_x
func.func @host_store(%a: memref<f32>) {
  %zero = arith.constant 0.0 : f32
  memref.store %zero, %a[] : memref<f32>
  return
}

// -----

func.func @reduction(%a: memref<8xf32>) -> f32 {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c8 = arith.constant 8 : index
  %zero = arith.constant 0.0 : f32
  // expected-error @below {{a parallel loop with reductions cannot be mapped to GPU threads yet}}
  %sum = scf.parallel (%i) = (%c0) to (%c8) step (%c1) init (%zero) -> f32 {
    %x = memref.load %a[%i] : memref<8xf32>
    scf.reduce(%x : f32) {
    ^bb0(%l: f32, %r: f32):
      %s = arith.addf %l, %r : f32
      scf.reduce.return %s : f32
    }
  }
  return %sum : f32
}
