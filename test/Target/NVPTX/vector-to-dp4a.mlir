// RUN: qopt %s --split-input-file --pass-pipeline='builtin.module(gpu.module(qcc-gpu-vector-to-dp4a))' | FileCheck %s

// The dot product of two sign-extended byte quads, accumulated: dp4a.
// CHECK-LABEL: gpu.func @quad
// CHECK-SAME:    (%[[A:.*]]: vector<4xi8>, %[[B:.*]]: vector<4xi8>, %[[ACC:.*]]: i32)
// CHECK:         %[[D:.*]] = nvvm.dot.accumulate.4way %[[A]] <signed>, %[[B]] <signed>, %[[ACC]] : vector<4xi8>, vector<4xi8>
// CHECK-NOT:     arith.extsi
// CHECK-NOT:     vector.reduction
// CHECK:         gpu.return %[[D]]
gpu.module @kernels {
  gpu.func @quad(%a: vector<4xi8>, %b: vector<4xi8>, %acc: i32) -> i32 {
    %ae = arith.extsi %a : vector<4xi8> to vector<4xi32>
    %be = arith.extsi %b : vector<4xi8> to vector<4xi32>
    %p = arith.muli %ae, %be : vector<4xi32>
    %s = vector.reduction <add>, %p, %acc : vector<4xi32> into i32
    gpu.return %s : i32
  }
}

// -----

// Zero-extended bytes: dp4a with that operand unsigned (the offset int4
// weights: dp4a.u32.s32).
// CHECK-LABEL: gpu.func @unsigned_quad
// CHECK:         nvvm.dot.accumulate.4way %{{.*}} <unsigned>, %{{.*}} <signed>, %{{.*}} : vector<4xi8>, vector<4xi8>
// CHECK-NOT:     vector.reduction
gpu.module @kernels {
  gpu.func @unsigned_quad(%a: vector<4xi8>, %b: vector<4xi8>, %acc: i32) -> i32 {
    %au = arith.extui %a : vector<4xi8> to vector<4xi32>
    %be = arith.extsi %b : vector<4xi8> to vector<4xi32>
    %p = arith.muli %au, %be : vector<4xi32>
    %s = vector.reduction <add>, %p, %acc : vector<4xi32> into i32
    gpu.return %s : i32
  }
}

// -----

// Not dp4a: no accumulator, another combining kind, 8 lanes, int16 lanes.
// CHECK-LABEL: gpu.func @others
// CHECK-NOT:     nvvm.dot.accumulate.4way
// CHECK-COUNT-4: vector.reduction
gpu.module @kernels {
  gpu.func @others(%a: vector<4xi8>, %b: vector<4xi8>, %a8: vector<8xi8>, %a16: vector<4xi16>, %acc: i32) -> (i32, i32, i32, i32) {
    %ae = arith.extsi %a : vector<4xi8> to vector<4xi32>
    %be = arith.extsi %b : vector<4xi8> to vector<4xi32>
    %p = arith.muli %ae, %be : vector<4xi32>
    %s1 = vector.reduction <add>, %p : vector<4xi32> into i32
    %s2 = vector.reduction <maxsi>, %p, %acc : vector<4xi32> into i32
    %a8e = arith.extsi %a8 : vector<8xi8> to vector<8xi32>
    %p8 = arith.muli %a8e, %a8e : vector<8xi32>
    %s3 = vector.reduction <add>, %p8, %acc : vector<8xi32> into i32
    %a16e = arith.extsi %a16 : vector<4xi16> to vector<4xi32>
    %p16 = arith.muli %a16e, %be : vector<4xi32>
    %s4 = vector.reduction <add>, %p16, %acc : vector<4xi32> into i32
    gpu.return %s1, %s2, %s3, %s4 : i32, i32, i32, i32
  }
}
