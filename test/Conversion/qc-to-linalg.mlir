// RUN: qopt %s -split-input-file -convert-qc-to-linalg | FileCheck %s

// A per-channel rescale: multipliers and shifts as constant tensors read by
// channel; 64-bit multiply, rounding add 2^(shift-1), arithmetic shift,
// output zero point, clamp, truncate.
// CHECK-DAG: #[[ID:.*]] = affine_map<(d0, d1) -> (d0, d1)>
// CHECK-DAG: #[[CH:.*]] = affine_map<(d0, d1) -> (d1)>
// CHECK-LABEL: func @rescale
// CHECK-DAG: %[[M:.*]] = arith.constant dense<[1073741824, 1518500250]> : tensor<2xi32>
// CHECK-DAG: %[[S:.*]] = arith.constant dense<[31, 38]> : tensor<2xi8>
// CHECK: linalg.generic {indexing_maps = [#[[ID]], #[[CH]], #[[CH]], #[[ID]]]{{.*}} ins(%arg0, %[[M]], %[[S]] :
// CHECK: ^bb0(%[[X:.*]]: i32, %[[MI:.*]]: i32, %[[SI:.*]]: i8, %{{.*}}: i8):
// CHECK: %[[X64:.*]] = arith.extsi %[[X]] : i32 to i64
// CHECK: %[[M64:.*]] = arith.extsi %[[MI]] : i32 to i64
// CHECK: %[[S64:.*]] = arith.extsi %[[SI]] : i8 to i64
// CHECK: %[[ROUND:.*]] = arith.shli %{{.*}}, %{{.*}} : i64
// CHECK: %[[P:.*]] = arith.muli %{{.*}}, %[[M64]] : i64
// CHECK: %[[Q:.*]] = arith.addi %[[P]], %[[ROUND]] : i64
// CHECK: %[[Y:.*]] = arith.shrsi %[[Q]], %[[S64]] : i64
// CHECK: arith.maxsi
// CHECK: arith.minsi
// CHECK: arith.trunci {{.*}} : i64 to i8
func.func @rescale(%x: tensor<?x2xi32>) -> tensor<?x2xi8> {
  %r = qc.rescale %x multiplier [1073741824, 1518500250] shift [31, 38] axis 1 zp (0, -3) : tensor<?x2xi32> -> tensor<?x2xi8>
  return %r : tensor<?x2xi8>
}

// -----

// Quantize: f32 division, round half to even, + zero point, saturation,
// NaN to the zero point. Dequantize: (q - zp) * scale in f32. Storage casts
// disappear.
// CHECK-LABEL: func @quantize_dequantize
// CHECK: arith.divf
// CHECK: math.roundeven
// CHECK: arith.addf
// CHECK: arith.maximumf
// CHECK: arith.minimumf
// CHECK: arith.cmpf uno
// CHECK: arith.select
// CHECK: arith.fptosi {{.*}} : f32 to i8
// CHECK: arith.extsi {{.*}} : i8 to i32
// CHECK: arith.subi
// CHECK: arith.sitofp
// CHECK: arith.mulf
// CHECK-NOT: qc.
func.func @quantize_dequantize(%x: tensor<4xf32>) -> tensor<4xf32> {
  %q = qc.quantize %x : tensor<4xf32> -> tensor<4x!quant.uniform<i8:f32, 0.5:-3>>
  %i = qc.storage_cast %q : tensor<4x!quant.uniform<i8:f32, 0.5:-3>> -> tensor<4xi8>
  %o = qc.storage_cast %i : tensor<4xi8> -> tensor<4x!quant.uniform<i8:f32, 0.5:-3>>
  %y = qc.dequantize %o : tensor<4x!quant.uniform<i8:f32, 0.5:-3>> -> tensor<4xf32>
  return %y : tensor<4xf32>
}

// -----

// Unsigned storage: codes above 127 go through i64 (fptosi to i8 of them
// would be poison); dequantization zero-extends.
// CHECK-LABEL: func @quantize_dequantize_u8
// CHECK: arith.constant 2.550000e+02 : f32
// CHECK: arith.fptosi {{.*}} : f32 to i64
// CHECK: arith.trunci {{.*}} : i64 to i8
// CHECK: arith.extui {{.*}} : i8 to i32
func.func @quantize_dequantize_u8(%x: tensor<4xf32>) -> tensor<4xf32> {
  %q = qc.quantize %x : tensor<4xf32> -> tensor<4x!quant.uniform<u8:f32, 0.5:128>>
  %y = qc.dequantize %q : tensor<4x!quant.uniform<u8:f32, 0.5:128>> -> tensor<4xf32>
  return %y : tensor<4xf32>
}

// -----

// An integer convolution (after qc.pad) accumulates into the broadcast bias,
// marked for the VNNI implicit-GEMM kernel.
// CHECK-LABEL: func @conv
// CHECK: %[[P:.*]] = tensor.pad %arg0 low[0, 0, 1, 1] high[0, 0, 1, 1]
// CHECK: tensor.yield %{{.*}} : i8
// CHECK: %[[B:.*]] = linalg.generic {{.*}} ins(%arg2 : tensor<4xi32>)
// CHECK: linalg.conv_2d_nchw_fchw {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>} ins(%[[P]], %arg1 : tensor<?x2x6x6xi8>, tensor<4x2x3x3xi8>) outs(%[[B]] : tensor<?x4x4x4xi32>)
func.func @conv(%x: tensor<?x2x4x4xi8>, %w: tensor<4x2x3x3xi8>, %b: tensor<4xi32>) -> tensor<?x4x4x4xi32> {
  %p = qc.pad %x {mode = #qc.pad_mode<constant>, pads = array<i64: 0, 0, 1, 1, 0, 0, 1, 1>, value = -5.0 : f64} : tensor<?x2x4x4xi8> -> tensor<?x2x6x6xi8>
  %c = qc.conv %p, %w, %b {dilations = array<i64: 1, 1>, group = 1 : i64, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>} : (tensor<?x2x6x6xi8>, tensor<4x2x3x3xi8>, tensor<4xi32>) -> tensor<?x4x4x4xi32>
  return %c : tensor<?x4x4x4xi32>
}

// -----

// Gemm with transposed B: the weights transposed at compile time to
// [1, K, N], then the batched product C[b, m, p] += A[m, k] * B[b, k, p]
// with sign-extended operands, marked for the VNNI kernel.
// CHECK-DAG: #[[A:.*]] = affine_map<(d0, d1, d2, d3) -> (d1, d3)>
// CHECK-DAG: #[[B:.*]] = affine_map<(d0, d1, d2, d3) -> (d0, d3, d2)>
// CHECK-DAG: #[[C:.*]] = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2)>
// CHECK-LABEL: func @gemm
// CHECK: %[[W:.*]] = arith.constant dense<{{\[\[\[}}1, 3], [2, 4]]]> : tensor<1x2x2xi8>
// CHECK: linalg.generic {indexing_maps = [#[[A]], #[[B]], #[[C]]], iterator_types = ["parallel", "parallel", "parallel", "reduction"]} ins(%arg0, %[[W]] : tensor<?x2xi8>, tensor<1x2x2xi8>)
// CHECK-NOT: attrs
// CHECK: arith.extsi {{.*}} : i8 to i32
// CHECK: arith.muli
// CHECK: arith.addi
// CHECK: tensor.collapse_shape {{.*}} into tensor<?x2xi32>
func.func @gemm(%a: tensor<?x2xi8>, %c: tensor<2xi32>) -> tensor<?x2xi32> {
  %b = arith.constant dense<[[1, 2], [3, 4]]> : tensor<2x2xi8>
  %0 = qc.gemm %a, %b, %c {alpha = 1.0 : f32, beta = 1.0 : f32, trans_a = false, trans_b = true} : (tensor<?x2xi8>, tensor<2x2xi8>, tensor<2xi32>) -> tensor<?x2xi32>
  return %0 : tensor<?x2xi32>
}

// -----

// Max pooling pads with the type's minimum; a sum over spatial axes is a
// reduction then an expand_shape back to keepdims; reshapes collapse.
// CHECK-LABEL: func @pool_sum_reshape
// CHECK: tensor.pad
// CHECK: arith.constant -128 : i8
// CHECK: linalg.pooling_nchw_max {dilations = dense<1> : tensor<2xi64>, strides = dense<2> : tensor<2xi64>}
// CHECK: linalg.generic {{.*}}iterator_types = ["parallel", "parallel", "reduction", "reduction"]
// CHECK: tensor.expand_shape {{.*}} into tensor<?x2x1x1xi32>
// CHECK: tensor.collapse_shape {{.*}} into tensor<?x2xi32>
func.func @pool_sum_reshape(%x: tensor<?x2x4x4xi8>) -> tensor<?x2xi32> {
  %p = qc.max_pool %x {ceil_mode = false, dilations = array<i64: 1, 1>, kernel_shape = array<i64: 3, 3>, pads = array<i64: 1, 1, 1, 1>, strides = array<i64: 2, 2>} : tensor<?x2x4x4xi8> -> tensor<?x2x2x2xi8>
  %s = qc.reduce_sum %p {axes = array<i64: 2, 3>, keepdims = true} : tensor<?x2x2x2xi8> -> tensor<?x2x1x1xi32>
  %r = qc.reshape %s : tensor<?x2x1x1xi32> -> tensor<?x2xi32>
  return %r : tensor<?x2xi32>
}

// -----

// Float islands compute in double precision, rounded to f32 once per op.
// CHECK-LABEL: func @float_island
// CHECK: arith.extf {{.*}} : f32 to f64
// CHECK: arith.negf
// CHECK: math.exp {{.*}} : f64
// CHECK: arith.divf
// CHECK: arith.truncf {{.*}} : f64 to f32
// CHECK: arith.mulf {{.*}} : f64
func.func @float_island(%x: tensor<4xf32>) -> tensor<4xf32> {
  %s = qc.sigmoid %x : tensor<4xf32>
  %m = qc.mul %x, %s : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  return %m : tensor<4xf32>
}

// -----

// Integer sum pooling: linalg.pooling_nchw_sum into zeros, int8 to int32.
// CHECK-LABEL: func @sum_pool
// CHECK: %[[Z:.*]] = linalg.fill
// CHECK: linalg.pooling_nchw_sum {dilations = dense<1> : tensor<2xi64>, strides = dense<2> : tensor<2xi64>} ins(%arg0, %{{.*}} : tensor<1x2x6x6xi8>, tensor<2x2xi8>) outs(%[[Z]] : tensor<1x2x3x3xi32>)
func.func @sum_pool(%x: tensor<1x2x6x6xi8>) -> tensor<1x2x3x3xi32> {
  %s = qc.sum_pool %x {ceil_mode = false, dilations = array<i64: 1, 1>, kernel_shape = array<i64: 2, 2>, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 2, 2>} : tensor<1x2x6x6xi8> -> tensor<1x2x3x3xi32>
  return %s : tensor<1x2x3x3xi32>
}

// -----

// Sub-byte constant weights (mixed precision's int4) are widened to i8
// with the same values and run on the int8 kernel.
// CHECK-LABEL: func @gemm_int4_weight
// CHECK: %[[W:.*]] = arith.constant dense<{{\[\[\[}}-7, 3], [2, 7]]]> : tensor<1x2x2xi8>
// CHECK: linalg.generic {{.*}} ins(%arg0, %[[W]] : tensor<?x2xi8>, tensor<1x2x2xi8>)
// CHECK-NOT: attrs
func.func @gemm_int4_weight(%a: tensor<?x2xi8>, %c: tensor<2xi32>) -> tensor<?x2xi32> {
  %b = arith.constant dense<[[-7, 2], [3, 7]]> : tensor<2x2xi4>
  %0 = qc.gemm %a, %b, %c {alpha = 1.0 : f32, beta = 1.0 : f32, trans_a = false, trans_b = true} : (tensor<?x2xi8>, tensor<2x2xi4>, tensor<2xi32>) -> tensor<?x2xi32>
  return %0 : tensor<?x2xi32>
}

// -----

// Layer normalization over the last dimension, in double: the mean and the
// population variance of x - mean as two reductions, then one element-wise
// pass (x - mean) * (1 / sqrt(var + eps)) * scale + bias, rounded to f32.
// CHECK-LABEL: func.func @layer_norm
// CHECK-COUNT-2: iterator_types = ["parallel", "parallel", "reduction"]
// CHECK: math.sqrt
// CHECK: arith.truncf {{.*}} : f64 to f32
func.func @layer_norm(%x: tensor<2x3x4xf32>, %s: tensor<4xf32>, %b: tensor<4xf32>) -> tensor<2x3x4xf32> {
  %0 = qc.layer_norm %x, %s, %b {axis = 2 : i64, epsilon = 1.0e-5 : f32} : (tensor<2x3x4xf32>, tensor<4xf32>, tensor<4xf32>) -> tensor<2x3x4xf32>
  return %0 : tensor<2x3x4xf32>
}

// -----

// Over the last two dimensions (ONNX axis 1 of a 3-d input): both reduced in
// index order; a 2-d scale reads (d1, d2), a bias of size 1 along d1 reads
// (0, d2); the mean has the outer dimension only.
// CHECK-DAG: #[[SCALE:.*]] = affine_map<(d0, d1, d2) -> (d1, d2)>
// CHECK-DAG: #[[BIAS:.*]] = affine_map<(d0, d1, d2) -> (0, d2)>
// CHECK-LABEL: func.func @layer_norm_trailing
// CHECK-COUNT-2: iterator_types = ["parallel", "reduction", "reduction"]
// CHECK: arith.divf {{.*}} : f64
// CHECK: linalg.generic {indexing_maps = [{{.*}}, #[[SCALE]], #[[BIAS]], {{.*}}], iterator_types = ["parallel", "parallel", "parallel"]}
func.func @layer_norm_trailing(%x: tensor<2x3x4xf32>, %s: tensor<3x4xf32>, %b: tensor<1x4xf32>) -> tensor<2x3x4xf32> {
  %0 = qc.layer_norm %x, %s, %b {axis = 1 : i64, epsilon = 1.0e-5 : f32} : (tensor<2x3x4xf32>, tensor<3x4xf32>, tensor<1x4xf32>) -> tensor<2x3x4xf32>
  return %0 : tensor<2x3x4xf32>
}

// -----

// Batched float products (attention): loops (batch, batch, m, k, n) with
// NumPy broadcasting of a batch dimension of size 1; the products summed in
// double, as the interpreter sums them, and rounded to f32 once.
// CHECK-DAG: #[[A:.*]] = affine_map<(d0, d1, d2, d3, d4) -> (d0, d1, d2, d3)>
// CHECK-DAG: #[[B:.*]] = affine_map<(d0, d1, d2, d3, d4) -> (0, d1, d3, d4)>
// CHECK-DAG: #[[Y:.*]] = affine_map<(d0, d1, d2, d3, d4) -> (d0, d1, d2, d4)>
// CHECK-LABEL: func.func @batched
// CHECK: %[[ZERO:.*]] = linalg.fill ins(%{{.*}} : f64) outs(%{{.*}} : tensor<2x4x3x3xf64>)
// CHECK: %[[SUM:.*]] = linalg.generic {indexing_maps = [#[[A]], #[[B]], #[[Y]]], iterator_types = ["parallel", "parallel", "parallel", "reduction", "parallel"]} {{.*}} outs(%[[ZERO]] : tensor<2x4x3x3xf64>)
// CHECK: arith.extf
// CHECK: arith.extf
// CHECK: arith.mulf {{.*}} : f64
// CHECK: arith.addf {{.*}} : f64
// CHECK: linalg.generic {{.*}} ins(%[[SUM]] : tensor<2x4x3x3xf64>)
// CHECK: arith.truncf {{.*}} : f64 to f32
func.func @batched(%q: tensor<2x4x3x8xf32>, %k: tensor<1x4x8x3xf32>) -> tensor<2x4x3x3xf32> {
  %0 = qc.matmul %q, %k : (tensor<2x4x3x8xf32>, tensor<1x4x8x3xf32>) -> tensor<2x4x3x3xf32>
  return %0 : tensor<2x4x3x3xf32>
}

// -----

// The target-neutral conversion calls no kernel: a packed int4 weight is
// unpacked at compile time and the product is the batched int8 generic.
// CHECK-LABEL: func @packed_weight
// CHECK-NOT: call
// CHECK-NOT: qc.unpack
// CHECK: %[[W:.*]] = arith.constant dense<{{.*}}> : tensor<1x4x3xi8>
// CHECK: linalg.generic {{.*}} ins(%arg0, %[[W]] : tensor<2x4xi8>, tensor<1x4x3xi8>)
func.func @packed_weight(%x: tensor<2x4xi8>) -> tensor<2x3xi32> {
  %p = arith.constant dense<[1, 2, 3, 4, 5, 6]> : tensor<6xi8>
  %w = qc.unpack %p {reduction_dims = array<i64: 0>} : tensor<6xi8> -> tensor<4x3xi4>
  %y = qc.matmul %x, %w : (tensor<2x4xi8>, tensor<4x3xi4>) -> tensor<2x3xi32>
  return %y : tensor<2x3xi32>
}

// -----

// ceil_mode: the last windows run past the end (they need 9 = 3 * 2 + 3
// columns and rows of the 8) and read end padding of -inf.
// CHECK-LABEL: func @max_pool_ceil
// CHECK: %[[NEG:.*]] = arith.constant 0xFF800000 : f32
// CHECK: tensor.pad %arg0 low[0, 0, 0, 0] high[0, 0, 1, 1]
// CHECK: tensor.yield %[[NEG]]
// CHECK: linalg.pooling_nchw_max {{.*}} ins(%{{.*}}, %{{.*}} : tensor<1x1x9x9xf32>, tensor<3x3xf32>) outs(%{{.*}} : tensor<1x1x4x4xf32>)
func.func @max_pool_ceil(%x: tensor<1x1x8x8xf32>) -> tensor<1x1x4x4xf32> {
  %0 = qc.max_pool %x {ceil_mode = true, dilations = array<i64: 1, 1>, kernel_shape = array<i64: 3, 3>, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 2, 2>} : tensor<1x1x8x8xf32> -> tensor<1x1x4x4xf32>
  return %0 : tensor<1x1x4x4xf32>
}

// -----

// f32 constant padding: tensor.pad with the value as f32.
// CHECK-LABEL: func @pad_f32
// CHECK: %[[V:.*]] = arith.constant 5.000000e-01 : f32
// CHECK: tensor.pad %arg0 low[0, 1] high[2, 0]
// CHECK: tensor.yield %[[V]] : f32
func.func @pad_f32(%x: tensor<2x3xf32>) -> tensor<4x4xf32> {
  %0 = qc.pad %x {mode = #qc.pad_mode<constant>, pads = array<i64: 0, 1, 2, 0>, value = 5.000000e-01 : f64} : tensor<2x3xf32> -> tensor<4x4xf32>
  return %0 : tensor<4x4xf32>
}

// -----

// Unsigned max pooling: the sign bit flipped before and after, so the
// signed pooling op orders the values as unsigned ones.
// CHECK-LABEL: func @max_pool_u8
// CHECK-SAME: (%[[X:.*]]: tensor<1x1x4x4xi8>) -> tensor<1x1x2x2xi8>
// CHECK: %[[IN:.*]] = linalg.generic {{.*}} ins(%[[X]] : tensor<1x1x4x4xi8>)
// CHECK: arith.xori %{{.*}}, %c-128_i8
// CHECK: %[[P:.*]] = linalg.pooling_nchw_max {{.*}} ins(%[[IN]], %{{.*}} : tensor<1x1x4x4xi8>, tensor<2x2xi8>)
// CHECK: linalg.generic {{.*}} ins(%[[P]] : tensor<1x1x2x2xi8>)
// CHECK: arith.xori %{{.*}}, %c-128_i8
func.func @max_pool_u8(%x: tensor<1x1x4x4xui8>) -> tensor<1x1x2x2xui8> {
  %0 = qc.max_pool %x {ceil_mode = false, dilations = array<i64: 1, 1>, kernel_shape = array<i64: 2, 2>, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 2, 2>} : tensor<1x1x4x4xui8> -> tensor<1x1x2x2xui8>
  return %0 : tensor<1x1x2x2xui8>
}

// -----

// Reflect padding reads the input at (index - begin) mod 2(n-1), folded
// back into [0, n): min(q, 2(n-1) - q). An unpadded dimension reads its
// own index.
// CHECK-LABEL: func @pad_reflect
// CHECK: linalg.generic {{.*}} outs(%{{.*}} : tensor<3x8xf32>)
// CHECK: %[[I:.*]] = linalg.index 0 : index
// CHECK: %[[J:.*]] = linalg.index 1 : index
// CHECK: %[[Q:.*]] = arith.subi %[[J]], %c2
// CHECK: arith.remsi %[[Q]], %c6
// CHECK: %[[M:.*]] = arith.remsi %{{.*}}, %c6
// CHECK: %[[R:.*]] = arith.subi %c6{{.*}}, %[[M]]
// CHECK: %[[K:.*]] = arith.minsi %[[M]], %[[R]]
// CHECK: tensor.extract %arg0[%[[I]], %[[K]]] : tensor<3x4xf32>
func.func @pad_reflect(%x: tensor<3x4xf32>) -> tensor<3x8xf32> {
  %0 = qc.pad %x {mode = #qc.pad_mode<reflect>, pads = array<i64: 0, 2, 0, 2>, value = 0.0 : f64} : tensor<3x4xf32> -> tensor<3x8xf32>
  return %0 : tensor<3x8xf32>
}

// -----

// Edge padding clamps the index into [0, n).
// CHECK-LABEL: func @pad_edge
// CHECK: %[[Q:.*]] = arith.subi %{{.*}}, %c1
// CHECK: %[[LO:.*]] = arith.maxsi %[[Q]], %c0
// CHECK: %[[K:.*]] = arith.minsi %[[LO]], %c2
// CHECK: tensor.extract %arg0[%[[K]]] : tensor<3xi8>
func.func @pad_edge(%x: tensor<3xi8>) -> tensor<6xi8> {
  %0 = qc.pad %x {mode = #qc.pad_mode<edge>, pads = array<i64: 1, 2>, value = 0.0 : f64} : tensor<3xi8> -> tensor<6xi8>
  return %0 : tensor<6xi8>
}
