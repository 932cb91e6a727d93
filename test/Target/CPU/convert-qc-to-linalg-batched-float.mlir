// RUN: qopt %s -split-input-file -qcc-cpu-convert-qc-to-linalg=single-float-math=true | FileCheck %s --check-prefix=FLOAT
// RUN: qopt %s -split-input-file -qcc-cpu-convert-qc-to-linalg | FileCheck %s --check-prefix=ISLAND

// A float model's batched products of two activations (attention's
// queries times transposed keys, then its weights times the values): one
// call of qcc_ukernel_batch_matmul_f32 each, the batch dimensions
// collapsed into one and expanded back, sums in f32. A float island of an
// integer model (no single-float-math) keeps the interpreter's double
// sums: no call.
// FLOAT-LABEL: func.func private @qcc_ukernel_batch_matmul_f32
// FLOAT-SAME: (memref<?x?x?xf32, strided<[?, ?, ?], offset: ?>>, memref<?x?x?xf32, strided<[?, ?, ?], offset: ?>>, memref<?x?x?xf32, strided<[?, ?, ?], offset: ?>>)
// FLOAT-SAME: attributes {llvm.emit_c_interface}
// FLOAT-LABEL: func.func @attention
// FLOAT: %[[Q:.*]] = tensor.collapse_shape %arg0 {{\[\[}}0, 1], [2], [3]] : tensor<2x3x5x4xf32> into tensor<6x5x4xf32>
// FLOAT: bufferization.to_buffer %[[Q]] read_only
// FLOAT: %[[K:.*]] = tensor.collapse_shape %arg1 {{\[\[}}0, 1], [2], [3]] : tensor<2x3x4x5xf32> into tensor<6x4x5xf32>
// FLOAT: bufferization.to_buffer %[[K]] read_only
// FLOAT: %[[S:.*]] = memref.alloc() {alignment = 64 : i64} : memref<6x5x5xf32>
// FLOAT: call @qcc_ukernel_batch_matmul_f32
// FLOAT: %[[ST:.*]] = bufferization.to_tensor %[[S]] restrict writable
// FLOAT: tensor.expand_shape %[[ST]] {{\[\[}}0, 1], [2], [3]] output_shape [2, 3, 5, 5] : tensor<6x5x5xf32> into tensor<2x3x5x5xf32>
// FLOAT: memref.alloc() {alignment = 64 : i64} : memref<6x5x4xf32>
// FLOAT: call @qcc_ukernel_batch_matmul_f32
// FLOAT-NOT: f64
// FLOAT: return
// ISLAND-LABEL: func.func @attention
// ISLAND-NOT: call @qcc_ukernel_batch_matmul_f32
// ISLAND: arith.extf %{{.*}} : f32 to f64
// ISLAND-NOT: call @qcc_ukernel_batch_matmul_f32
// ISLAND: return
func.func @attention(%q: tensor<2x3x5x4xf32>, %kt: tensor<2x3x4x5xf32>) -> tensor<2x3x5x4xf32> {
  %s = qc.matmul %q, %kt : (tensor<2x3x5x4xf32>, tensor<2x3x4x5xf32>) -> tensor<2x3x5x5xf32>
  %v = qc.transpose %kt {perm = array<i64: 0, 1, 3, 2>} : tensor<2x3x4x5xf32> -> tensor<2x3x5x4xf32>
  %y = qc.matmul %s, %v : (tensor<2x3x5x5xf32>, tensor<2x3x5x4xf32>) -> tensor<2x3x5x4xf32>
  return %y : tensor<2x3x5x4xf32>
}

// -----

// Rank 3 needs no collapse. A product that broadcasts a batch dimension
// (a 2-d weight applied to every position, or an operand of batch 1) is
// not this kernel's.
// FLOAT-LABEL: func.func @rank3
// FLOAT-NOT: tensor.collapse_shape
// FLOAT: call @qcc_ukernel_batch_matmul_f32
// FLOAT-NOT: tensor.expand_shape
// FLOAT: return
func.func @rank3(%a: tensor<3x2x4xf32>, %b: tensor<3x4x6xf32>) -> tensor<3x2x6xf32> {
  %y = qc.matmul %a, %b : (tensor<3x2x4xf32>, tensor<3x4x6xf32>) -> tensor<3x2x6xf32>
  return %y : tensor<3x2x6xf32>
}

// FLOAT-LABEL: func.func @broadcast
// FLOAT-NOT: call @qcc_ukernel_batch_matmul_f32
// FLOAT: return
func.func @broadcast(%a: tensor<3x2x4xf32>, %b: tensor<1x4x6xf32>) -> tensor<3x2x6xf32> {
  %y = qc.matmul %a, %b : (tensor<3x2x4xf32>, tensor<1x4x6xf32>) -> tensor<3x2x6xf32>
  return %y : tensor<3x2x6xf32>
}
