// RUN: qopt %s -split-input-file | FileCheck %s

// Graph ops the verifiers accept: dynamic sizes (`?`) match any size, and
// NumPy/ONNX broadcasting, promotion and clamping rules hold.

// CHECK-LABEL: func @matmul
func.func @matmul(%a: tensor<?x4096xf32>, %w: tensor<4096x5xf32>, %d: tensor<?x?xf32>,
                  %v: tensor<4xf32>, %b: tensor<2x4x5xf32>, %l: tensor<1x2x3xf32>,
                  %r: tensor<4x3x5xf32>, %q: tensor<?x3xi8>, %qw: tensor<3x5xi8>) {
  // CHECK-COUNT-7: qc.matmul
  %0 = qc.matmul %a, %w : (tensor<?x4096xf32>, tensor<4096x5xf32>) -> tensor<?x5xf32>
  %1 = qc.matmul %d, %w : (tensor<?x?xf32>, tensor<4096x5xf32>) -> tensor<7x5xf32>
  %2 = qc.matmul %v, %v : (tensor<4xf32>, tensor<4xf32>) -> tensor<f32>
  %3 = qc.matmul %v, %b : (tensor<4xf32>, tensor<2x4x5xf32>) -> tensor<2x5xf32>
  %4 = qc.matmul %b, %d : (tensor<2x4x5xf32>, tensor<?x?xf32>) -> tensor<?x?x?xf32>
  %5 = qc.matmul %l, %r : (tensor<1x2x3xf32>, tensor<4x3x5xf32>) -> tensor<4x2x5xf32>
  %6 = qc.matmul %q, %qw : (tensor<?x3xi8>, tensor<3x5xi8>) -> tensor<?x5xi32>
  return
}

// -----

// CHECK-LABEL: func @gemm
func.func @gemm(%a: tensor<8x4xf32>, %b: tensor<5x8xf32>, %c: tensor<1x5xf32>, %s: tensor<f32>, %m: tensor<4x1xf32>) {
  // CHECK-COUNT-3: qc.gemm
  %0 = qc.gemm %a, %b, %c {alpha = 1.0 : f32, beta = 1.0 : f32, trans_a = true, trans_b = true} : (tensor<8x4xf32>, tensor<5x8xf32>, tensor<1x5xf32>) -> tensor<4x5xf32>
  %1 = qc.gemm %a, %b, %s {alpha = 1.0 : f32, beta = 1.0 : f32, trans_a = true, trans_b = true} : (tensor<8x4xf32>, tensor<5x8xf32>, tensor<f32>) -> tensor<4x5xf32>
  %2 = qc.gemm %a, %b, %m {alpha = 1.0 : f32, beta = 1.0 : f32, trans_a = true, trans_b = true} : (tensor<8x4xf32>, tensor<5x8xf32>, tensor<4x1xf32>) -> tensor<?x5xf32>
  return
}

// -----

// CHECK-LABEL: func @broadcast
func.func @broadcast(%a: tensor<?x3xf32>, %b: tensor<4x3xf32>, %c: tensor<1x3xf32>, %s: tensor<f32>) {
  // CHECK-COUNT-4: qc.add
  %0 = qc.add %a, %b : (tensor<?x3xf32>, tensor<4x3xf32>) -> tensor<4x3xf32>
  %1 = qc.add %a, %c : (tensor<?x3xf32>, tensor<1x3xf32>) -> tensor<5x3xf32>
  %2 = qc.add %a, %a : (tensor<?x3xf32>, tensor<?x3xf32>) -> tensor<?x3xf32>
  %3 = qc.add %s, %b : (tensor<f32>, tensor<4x3xf32>) -> tensor<4x3xf32>
  return
}

// -----

// CHECK-LABEL: func @windows
func.func @windows(%x: tensor<?x3x?x8xf32>, %w: tensor<4x3x3x3xf32>, %g: tensor<1x4x8x8xf32>,
                   %gw: tensor<6x2x3x3xf32>, %t: tensor<1x4x3x3xf32>, %tw: tensor<4x2x3x3xf32>,
                   %p: tensor<1x1x5x5xf32>, %b: tensor<4xf32>) {
  // CHECK: qc.conv
  %0 = qc.conv %x, %w, %b {dilations = array<i64: 1, 1>, group = 1 : i64, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>} : (tensor<?x3x?x8xf32>, tensor<4x3x3x3xf32>, tensor<4xf32>) -> tensor<?x4x?x6xf32>
  // Grouped, strided, dilated and padded: (8 + 2 - 2 * 2 - 1) / 2 + 1 = 3.
  // CHECK: qc.conv
  %1 = qc.conv %g, %gw {dilations = array<i64: 2, 2>, group = 2 : i64, pads = array<i64: 1, 1, 1, 1>, strides = array<i64: 2, 2>} : (tensor<1x4x8x8xf32>, tensor<6x2x3x3xf32>) -> tensor<1x6x3x3xf32>
  // 2 * (3 - 1) + 1 + 2 + 1 - 1 - 0 = 7 and 1 * 2 + 0 + 2 + 1 = 5; M = 2 * 2.
  // CHECK: qc.conv_transpose
  %2 = qc.conv_transpose %t, %tw {dilations = array<i64: 1, 1>, group = 2 : i64, output_padding = array<i64: 1, 0>, pads = array<i64: 1, 0, 0, 0>, strides = array<i64: 2, 1>} : (tensor<1x4x3x3xf32>, tensor<4x2x3x3xf32>) -> tensor<1x4x7x5xf32>
  // CHECK: qc.max_pool
  %3 = qc.max_pool %p {ceil_mode = true, dilations = array<i64: 1, 1>, kernel_shape = array<i64: 2, 2>, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 2, 2>} : tensor<1x1x5x5xf32> -> tensor<1x1x3x3xf32>
  // CHECK: qc.avg_pool
  %4 = qc.avg_pool %p {ceil_mode = false, count_include_pad = true, dilations = array<i64: 1, 1>, kernel_shape = array<i64: 3, 3>, pads = array<i64: 1, 1, 1, 1>, strides = array<i64: 1, 1>} : tensor<1x1x5x5xf32> -> tensor<1x1x5x5xf32>
  // CHECK: qc.global_avg_pool
  %5 = qc.global_avg_pool %x : tensor<?x3x?x8xf32> -> tensor<?x3x1x1xf32>
  return
}

// -----

// CHECK-LABEL: func @normalisation
func.func @normalisation(%x: tensor<?x3x4xf32>, %s: tensor<1x4xf32>, %p: tensor<3xf32>) {
  // CHECK: qc.layer_norm
  %0 = qc.layer_norm %x, %s, %s {axis = 1 : i64, epsilon = 1.0e-5 : f32} : (tensor<?x3x4xf32>, tensor<1x4xf32>, tensor<1x4xf32>) -> tensor<?x3x4xf32>
  // CHECK: qc.batch_norm
  %1 = qc.batch_norm %x, %p, %p, %p, %p {epsilon = 1.0e-5 : f32} : (tensor<?x3x4xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>) -> tensor<?x3x4xf32>
  // CHECK: qc.reduce_mean
  %2 = qc.reduce_mean %x {axes = array<i64: 1, 2>, keepdims = false} : tensor<?x3x4xf32> -> tensor<?xf32>
  // CHECK: qc.reduce_sum
  %3 = qc.reduce_sum %x {axes = array<i64>, keepdims = true} : tensor<?x3x4xf32> -> tensor<1x1x1xf32>
  return
}

// -----

// CHECK-LABEL: func @data_movement
func.func @data_movement(%x: tensor<?x4xf32>, %y: tensor<6x4xf32>, %i: tensor<2x3xi64>,
                         %q: tensor<3x2x!quant.uniform<i8:f32:0, {0.1, 0.2, 0.3}>>) {
  // CHECK: qc.reshape
  %0 = qc.reshape %x : tensor<?x4xf32> -> tensor<?x2x2xf32>
  // CHECK: qc.concat
  %1 = qc.concat %x, %y {axis = 0 : i64} : (tensor<?x4xf32>, tensor<6x4xf32>) -> tensor<9x4xf32>
  // CHECK: qc.split
  %2:2 = qc.split %x {axis = 0 : i64} : (tensor<?x4xf32>) -> (tensor<2x4xf32>, tensor<3x4xf32>)
  // CHECK: qc.slice
  %3 = qc.slice %y {starts = array<i64: 5, -100>, ends = array<i64: -9223372036854775808, 100>, steps = array<i64: -2, 3>} : tensor<6x4xf32> -> tensor<3x2xf32>
  // CHECK: qc.slice
  %4 = qc.slice %x {starts = array<i64: 1, 0>, ends = array<i64: 3, 4>, steps = array<i64: 1, 1>} : tensor<?x4xf32> -> tensor<7x4xf32>
  // CHECK: qc.gather
  %5 = qc.gather %y[%i] {axis = 1 : i64} : (tensor<6x4xf32>, tensor<2x3xi64>) -> tensor<6x2x3xf32>
  // Negative pads crop; reflect pads may exceed the size (periodic).
  // CHECK: qc.pad
  %6 = qc.pad %y {mode = #qc.pad_mode<reflect>, pads = array<i64: -1, 5, -2, 0>, value = 0.0 : f64} : tensor<6x4xf32> -> tensor<3x9xf32>
  // NumPy broadcasting; `sizes` are the dynamic result dimensions.
  // CHECK: qc.expand %{{.*}}[%{{.*}}] : tensor<1x4xf32> -> tensor<?x3x4xf32>
  %c0 = arith.constant 0 : index
  %n = tensor.dim %x, %c0 : tensor<?x4xf32>
  %t = qc.slice %y {starts = array<i64: 0, 0>, ends = array<i64: 1, 4>, steps = array<i64: 1, 1>} : tensor<6x4xf32> -> tensor<1x4xf32>
  %8 = qc.expand %t[%n] : tensor<1x4xf32> -> tensor<?x3x4xf32>
  // Moving per-axis quantized data moves its axis.
  // CHECK: qc.transpose
  %7 = qc.transpose %q {perm = array<i64: 1, 0>} : tensor<3x2x!quant.uniform<i8:f32:0, {0.1, 0.2, 0.3}>> -> tensor<2x3x!quant.uniform<i8:f32:1, {0.1, 0.2, 0.3}>>
  return
}

// -----

// Zero points at the ends of their storage ranges.
// CHECK-LABEL: func @quant_ranges
func.func @quant_ranges(%x: tensor<4xf32>, %b: tensor<4xi32>) {
  // CHECK-COUNT-4: qc.quantize
  %0 = qc.quantize %x : tensor<4xf32> -> tensor<4x!quant.uniform<i8:f32, 0.1:-128>>
  %1 = qc.quantize %x : tensor<4xf32> -> tensor<4x!quant.uniform<i8:f32, 0.1:127>>
  %2 = qc.quantize %x : tensor<4xf32> -> tensor<4x!quant.uniform<u8:f32, 0.1:255>>
  %3 = qc.quantize %x : tensor<4xf32> -> tensor<4x!quant.uniform<i4<-7:7>:f32:0, {0.1:-7, 0.1:7, 0.2, 0.3}>>
  // CHECK: qc.storage_cast
  %4 = qc.storage_cast %b : tensor<4xi32> -> tensor<4x!quant.uniform<i32:f32, 0.001:-2147483648>>
  return
}
