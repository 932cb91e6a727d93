// RUN: qopt %s -split-input-file -qc-quantize | FileCheck %s
// RUN: qopt %s -split-input-file -qc-quantize="weight-bits=4 per-channel=false symmetric-acts=true" | FileCheck %s --check-prefix=W4
// RUN: qopt %s -split-input-file -qc-quantize="keep-float=fc1" | FileCheck %s --check-prefix=KEEP

// Per-channel symmetric int8 weights (narrow range): absmax 2 and 0.5 give
// scales 2/127 and 0.5/127. The activation's calibrated range [-1, 3] gives
// scale 4/255 and zero point round(-128 + 1 / (4/255)) = -64.
// weight-only: the weights are quantized, the activation stays float
// although it carries a calibrated range.
// RUN: qopt %s -split-input-file -qc-quantize="weight-only=true" | FileCheck %s --check-prefix=WEIGHT-ONLY
// WEIGHT-ONLY-LABEL: func @gemm
// WEIGHT-ONLY-NOT: qc.quantize
// WEIGHT-ONLY: qc.dequantize {{.*}}i8<-127:127>
// WEIGHT-ONLY-NOT: qc.quantize
// WEIGHT-ONLY: qc.gemm %arg0,
// CHECK-LABEL: func @gemm
// CHECK: %[[Q:.*]] = qc.quantize %arg0 : tensor<4x2xf32> -> tensor<4x2x!quant.uniform<i8:f32, 0.015686275{{[0-9]*}}:-64>>
// CHECK: %[[DQ:.*]] = qc.dequantize %[[Q]]
// CHECK: %[[WI:.*]] = arith.constant dense<{{\[\[}}64, 127], [-127, 127]]> : tensor<2x2xi8>
// CHECK: %[[WQ:.*]] = qc.storage_cast %[[WI]] : tensor<2x2xi8> -> tensor<2x2x!quant.uniform<i8<-127:127>:f32:0, {0.015748031{{[0-9]*}},0.0039370078{{[0-9]*}}}>>
// CHECK: %[[W:.*]] = qc.dequantize %[[WQ]]
// CHECK: qc.gemm %[[DQ]], %[[W]], %{{.*}}
// W4-LABEL: func @gemm
// W4: qc.quantize %arg0 : tensor<4x2xf32> -> tensor<4x2x!quant.uniform<i8<-127:127>:f32, 0.023622047{{[0-9]*}}>>
// 1.0 / float(2/7) is 3.4999999 in float: it rounds to 3, not 4.
// W4: arith.constant dense<{{\[\[}}3, 7], [-2, 2]]> : tensor<2x2xi4>
// W4: tensor<2x2x!quant.uniform<i4<-7:7>:f32, 0.2857142984867{{[0-9]*}}>>
// Fixed point: scales rounded up to powers of two, activations symmetric.
// The activation's 3/127 becomes 2^-5; the weights' 2/127 and 0.5/127
// become 2^-5 and 2^-7.
// RUN: qopt %s -split-input-file -qc-quantize="pow2-scales=true" | FileCheck %s --check-prefix=POW2
// POW2-LABEL: func @gemm
// POW2: qc.quantize %arg0 : tensor<4x2xf32> -> tensor<4x2x!quant.uniform<i8<-127:127>:f32, 3.125000e-02>>
// POW2: arith.constant dense<{{\[\[}}32, 64], [-64, 64]]> : tensor<2x2xi8>
// POW2: tensor<2x2x!quant.uniform<i8<-127:127>:f32:0, {3.125000e-02,7.812500e-03}>>
// RUN: not qopt %s -split-input-file -qc-quantize="pow2-scales=true asymmetric-weights=true" 2>&1 | FileCheck %s --check-prefix=POW2-ASYM
// POW2-ASYM: pow2-scales is a fixed-point format: integer weights, symmetric
// KEEP-LABEL: func @gemm
// KEEP-NOT: qc.quantize
// KEEP-NOT: qc.dequantize
func.func @gemm(%x: tensor<4x2xf32> {qc.act_range = array<f64: -1.0, 3.0>}) -> tensor<4x2xf32> {
  %w = arith.constant dense<[[1.0, 2.0], [-0.5, 0.5]]> : tensor<2x2xf32>
  %c = arith.constant dense<[0.1, 0.2]> : tensor<2xf32>
  %0 = qc.gemm %x, %w, %c {alpha = 1.0 : f32, beta = 1.0 : f32, trans_a = false, trans_b = true} : (tensor<4x2xf32>, tensor<2x2xf32>, tensor<2xf32>) -> tensor<4x2xf32> loc("fc1")
  return %0 : tensor<4x2xf32>
}

// -----

// An activation without a calibrated range stays float; the weight is still
// quantized. One quantize pair serves every user of a value.
// CHECK-LABEL: func @shared
// KEEP-LABEL: func @shared
// CHECK-COUNT-1: qc.quantize %[[R:.*]] :
// CHECK: qc.matmul %[[A:.*]], %{{.*}}
// CHECK: qc.matmul %[[A]], %{{.*}}
func.func @shared(%x: tensor<4x2xf32>) -> (tensor<4x2xf32>, tensor<4x2xf32>) {
  %r = qc.relu %x {qc.act_range = array<f64: 0.0, 6.0>} : tensor<4x2xf32>
  %w = arith.constant dense<[[1.0, 2.0], [-0.5, 0.5]]> : tensor<2x2xf32>
  %0 = qc.matmul %r, %w : (tensor<4x2xf32>, tensor<2x2xf32>) -> tensor<4x2xf32>
  %1 = qc.matmul %r, %w : (tensor<4x2xf32>, tensor<2x2xf32>) -> tensor<4x2xf32>
  return %0, %1 : tensor<4x2xf32>, tensor<4x2xf32>
}

// -----

// Low-bit float weights: per-channel scales map each channel's absmax onto
// the format's largest value (6 for FP4 E2M1); the codes are stored in
// integers of the format's width. -0.5 / (0.5/6) = -6: code 0b1111 (-1 as i4).
// RUN: qopt %s -split-input-file -qc-quantize="weight-format=f4E2M1FN" | FileCheck %s --check-prefix=FP4
// FP4-LABEL: func @float_weights
// FP4: %[[C:.*]] = arith.constant dense<{{\[\[}}5, 7], [-1, 6]]> : tensor<2x2xi4>
// FP4: qc.storage_cast %[[C]] : tensor<2x2xi4> -> tensor<2x2x!qc.float<f4E2M1FN:f32:0, {0.3333333432674408, 0.0833333358168602}>>
// RUN: qopt %s -split-input-file -qc-quantize="weight-format=f8E4M3FN per-channel=false" | FileCheck %s --check-prefix=FP8
// FP8-LABEL: func @float_weights
// FP8: qc.storage_cast %{{.*}} : tensor<2x2xi8> -> tensor<2x2x!qc.float<f8E4M3FN:f32, 0.004464285913854837>>
// RUN: not qopt %s -split-input-file -qc-quantize="weight-format=f7" 2>&1 | FileCheck %s --check-prefix=BAD
// BAD: error: qc-quantize: unknown weight-format 'f7'
func.func @float_weights(%x: tensor<4x2xf32>) -> tensor<4x2xf32> {
  %w = arith.constant dense<[[1.0, 2.0], [-0.5, 0.3]]> : tensor<2x2xf32>
  %0 = qc.gemm %x, %w {alpha = 1.0 : f32, beta = 1.0 : f32, trans_a = false, trans_b = true} : (tensor<4x2xf32>, tensor<2x2xf32>) -> tensor<4x2xf32>
  return %0 : tensor<4x2xf32>
}

// -----

// Per-group weights: groups of 2 input features within each output row of
// B (trans_b: [N, K] = [2, 4]); scales [2, 2] in a sub-channel type.
// RUN: qopt %s -split-input-file -qc-quantize="weight-bits=4 group-size=2" | FileCheck %s --check-prefix=GROUP
// GROUP-LABEL: func @grouped
// 0.5 / float(1/7) is 3.4999999 in float: it rounds to 3.
// GROUP: %[[C:.*]] = arith.constant dense<{{\[\[}}7, 3, 7, -7], [7, -7, 4, 7]]> : tensor<2x4xi4>
// GROUP: qc.storage_cast %[[C]] : tensor<2x4xi4> -> tensor<2x4x!quant.uniform<i4<-7:7>:f32:{0:1, 1:2}, {{\{\{}}0.142857149, 0.571428597}, {0.285714298, 0.0714285746}}>>
// A group size that does not divide the input features keeps per-channel
// scales for that layer.
// RUN: qopt %s -split-input-file -qc-quantize="weight-bits=4 group-size=3" | FileCheck %s --check-prefix=NOGROUP
// NOGROUP-LABEL: func @grouped
// NOGROUP: tensor<2x4x!quant.uniform<i4<-7:7>:f32:0,
// asymmetric-weights: each group's [min, max] (with 0) spans the full
// range [-8, 7]: group [1.0, 0.5] gets scale 1/15 and zero point -8 (1.0 is
// code 7); group [4, -4] gets scale 8/15 and zero point -1.
// RUN: qopt %s -split-input-file -qc-quantize="weight-bits=4 group-size=2 asymmetric-weights=true" | FileCheck %s --check-prefix=ASYM-GROUP
// ASYM-GROUP-LABEL: func @grouped
// ASYM-GROUP: %[[C:.*]] = arith.constant dense<{{\[\[}}7, -1, 6, -8], [6, -8, 1, 7]]> : tensor<2x4xi4>
// ASYM-GROUP: qc.storage_cast %[[C]] : tensor<2x4xi4> -> tensor<2x4x!quant.uniform<i4:f32:{0:1, 1:2}, {{\{\{}}0.0666666701:-8, 0.533333361:-1}, {0.266666681:-1, 0.0333333351:-8}}>>
// Per channel: one zero point per output row.
// RUN: qopt %s -split-input-file -qc-quantize="weight-bits=4 asymmetric-weights=true" | FileCheck %s --check-prefix=ASYM
// ASYM-LABEL: func @grouped
// ASYM: tensor<2x4x!quant.uniform<i4:f32:0, {0.53333336114883423:-1,0.26666668057441711:-1}>>
// RUN: not qopt %s -split-input-file -qc-quantize="weight-only=true all-activations=true" 2>&1 | FileCheck %s --check-prefix=WEIGHT-ONLY-ALL
// WEIGHT-ONLY-ALL: error: qc-quantize: weight-only leaves activations in float; it cannot be combined with all-activations
func.func @grouped(%x: tensor<3x4xf32>) -> tensor<3x2xf32> {
  %w = arith.constant dense<[[1.0, 0.5, 4.0, -4.0], [2.0, -2.0, 0.3, 0.5]]> : tensor<2x4xf32>
  %0 = qc.gemm %x, %w {alpha = 1.0 : f32, beta = 1.0 : f32, trans_a = false, trans_b = true} : (tensor<3x4xf32>, tensor<2x4xf32>) -> tensor<3x2xf32>
  return %0 : tensor<3x2xf32>
}

// -----

// weight-clipping=mse searches clipped bounds (absmax down to half of it, in
// 1% steps) for the least squared error. With 2-bit weights (levels -1, 0, 1)
// and [1.5, 1.5, 1.5, 4]: absmax gives scale 4 and rounds every 1.5 to 0
// (error 6.75); the bound minimising 3 (b - 1.5)^2 + (4 - b)^2 is 2.125,
// the grid's nearest 2.12 (error 4.69).
// RUN: qopt %s -split-input-file -qc-quantize="weight-bits=2" | FileCheck %s --check-prefix=ABSMAX
// ABSMAX-LABEL: func @clip
// ABSMAX: arith.constant dense<{{\[\[}}0, 0, 0, 1]]> : tensor<1x4xi2>
// ABSMAX: !quant.uniform<i2<-1:1>:f32:0, {4.000000e+00}>
// RUN: qopt %s -split-input-file -qc-quantize="weight-bits=2 weight-clipping=mse" | FileCheck %s --check-prefix=MSE
// MSE-LABEL: func @clip
// MSE: arith.constant dense<1> : tensor<1x4xi2>
// MSE: !quant.uniform<i2<-1:1>:f32:0, {2.1199998{{[0-9]*}}}>
// act-bits sets the activation width: [-1, 3] in 4 bits is scale 4/15 and
// zero point round(-8 + 1 / (4/15)) = -4.
// RUN: qopt %s -split-input-file -qc-quantize="act-bits=4" | FileCheck %s --check-prefix=A4
// A4-LABEL: func @clip
// A4: qc.quantize %arg0 : tensor<2x4xf32> -> tensor<2x4x!quant.uniform<i4:f32, 0.2666666{{[0-9]*}}:-4>>
// RUN: not qopt %s -split-input-file -qc-quantize="weight-clipping=max" 2>&1 | FileCheck %s --check-prefix=BADCLIP
// BADCLIP: error: qc-quantize: weight-clipping must be absmax or mse, got 'max'
// RUN: not qopt %s -split-input-file -qc-quantize="act-bits=1" 2>&1 | FileCheck %s --check-prefix=BADBITS
// RUN: not qopt %s -split-input-file -qc-quantize="weight-bits=17" 2>&1 | FileCheck %s --check-prefix=BADBITS
// BADBITS: error: qc-quantize: weight-bits and act-bits must be in [2, 16]
func.func @clip(%x: tensor<2x4xf32> {qc.act_range = array<f64: -1.0, 3.0>}) -> tensor<2x1xf32> {
  %w = arith.constant dense<[[1.5, 1.5, 1.5, 4.0]]> : tensor<1x4xf32>
  %0 = qc.gemm %x, %w {alpha = 1.0 : f32, beta = 1.0 : f32, trans_a = false, trans_b = true} : (tensor<2x4xf32>, tensor<1x4xf32>) -> tensor<2x1xf32>
  return %0 : tensor<2x1xf32>
}

// -----

// all-activations: every calibrated value is quantized where it is defined
// and all its users (here the add and the return) read the dequantized
// value; values without a range stay float.
// RUN: qopt %s -split-input-file -qc-quantize="all-activations=true" | FileCheck %s --check-prefix=ALL
// ALL-LABEL: func @all_activations
// ALL: %[[Q:.*]] = qc.quantize %arg0 : tensor<4xf32> -> tensor<4x!quant.uniform<i8:f32, 0.0039215688593685627:-128>>
// ALL: %[[D:.*]] = qc.dequantize %[[Q]]
// ALL: %[[R:.*]] = qc.relu %[[D]]
// ALL: %[[Q2:.*]] = qc.quantize %[[R]] : tensor<4xf32> -> tensor<4x!quant.uniform<i8:f32, 0.0078431377187371254:-128>>
// ALL: %[[D2:.*]] = qc.dequantize %[[Q2]]
// ALL: %[[S:.*]] = qc.add %[[D2]], %[[D]]
// ALL: return %[[S]], %[[D2]]
func.func @all_activations(%x: tensor<4xf32> {qc.act_range = array<f64: 0.0, 1.0>}) -> (tensor<4xf32>, tensor<4xf32>) {
  %r = qc.relu %x {qc.act_range = array<f64: 0.0, 2.0>} : tensor<4xf32>
  %s = qc.add %r, %x : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  return %s, %r : tensor<4xf32>, tensor<4xf32>
}

// -----

// Per-layer formats (mixed precision): `qc.weight_format` overrides the
// options' format; a float weight read by layers in two formats is quantized
// once per format, and layers sharing a format share the quantized weight.
// RUN: qopt %s -split-input-file -qc-quantize | FileCheck %s --check-prefix=MIXED
// MIXED-LABEL: func @mixed_formats
// MIXED: %[[I4:.*]] = qc.storage_cast %{{.*}} : tensor<2x2xi4> -> tensor<2x2x!quant.uniform<i4<-7:7>:f32:1
// MIXED: %[[QINT4:.*]] = qc.dequantize %[[I4]]
// MIXED: qc.matmul %{{.*}}, %[[QINT4]] {qc.weight_format = "int4"}
// MIXED: qc.matmul %{{.*}}, %[[QINT4]] {qc.weight_format = "int4"}
// MIXED: %[[F4:.*]] = qc.storage_cast %{{.*}} : tensor<2x2xi4> -> tensor<2x2x!qc.float<f4E2M1FN:f32:1
// MIXED: %[[QFP4:.*]] = qc.dequantize %[[F4]]
// MIXED: qc.matmul %{{.*}}, %[[QFP4]] {qc.weight_format = "fp4e2m1"}
// MIXED: %[[I8:.*]] = qc.storage_cast %{{.*}} : tensor<2x2xi8> -> tensor<2x2x!quant.uniform<i8<-127:127>:f32:1
// MIXED: %[[QINT8:.*]] = qc.dequantize %[[I8]]
// MIXED: qc.matmul %{{.*}}, %[[QINT8]] :
func.func @mixed_formats(%x: tensor<4x2xf32>) -> (tensor<4x2xf32>, tensor<4x2xf32>, tensor<4x2xf32>, tensor<4x2xf32>) {
  %w = arith.constant dense<[[1.0, 2.0], [-0.5, 0.5]]> : tensor<2x2xf32>
  %0 = qc.matmul %x, %w {qc.weight_format = "int4"} : (tensor<4x2xf32>, tensor<2x2xf32>) -> tensor<4x2xf32>
  %1 = qc.matmul %x, %w {qc.weight_format = "int4"} : (tensor<4x2xf32>, tensor<2x2xf32>) -> tensor<4x2xf32>
  %2 = qc.matmul %x, %w {qc.weight_format = "fp4e2m1"} : (tensor<4x2xf32>, tensor<2x2xf32>) -> tensor<4x2xf32>
  %3 = qc.matmul %x, %w : (tensor<4x2xf32>, tensor<2x2xf32>) -> tensor<4x2xf32>
  return %0, %1, %2, %3 : tensor<4x2xf32>, tensor<4x2xf32>, tensor<4x2xf32>, tensor<4x2xf32>
}

// -----

// Per-layer activation formats: `qc.act_format` gives int16 (scale
// 4/65535, zero point round(-32768 + 1/scale) = -16384) or FP8 E4M3 (scale
// absmax / 448 = 3/448) inputs; a value read in two formats gets one
// quantize per format, and the unannotated layer the options' int8.
// RUN: qopt %s -split-input-file -qc-quantize | FileCheck %s --check-prefix=ACTS
// ACTS-LABEL: func @act_formats
// ACTS-DAG: %[[Q16:.*]] = qc.quantize %arg0 : tensor<4x2xf32> -> tensor<4x2x!quant.uniform<i16:f32, 6.103608{{[0-9]*}}E-5:-16384>>
// ACTS-DAG: %[[Q8:.*]] = qc.quantize %arg0 : tensor<4x2xf32> -> tensor<4x2x!qc.float<f8E4M3FN:f32, 0.0066964{{[0-9]*}}>>
// ACTS-DAG: %[[Q88:.*]] = qc.quantize %arg0 : tensor<4x2xf32> -> tensor<4x2x!quant.uniform<i8:f32, 0.015686{{[0-9]*}}:-64>>
// ACTS-DAG: %[[D16:.*]] = qc.dequantize %[[Q16]]
// ACTS-DAG: %[[D8:.*]] = qc.dequantize %[[Q8]]
// ACTS-DAG: %[[D88:.*]] = qc.dequantize %[[Q88]]
// ACTS-DAG: qc.matmul %[[D16]], %{{.*}} {qc.act_format = "int16"}
// ACTS-DAG: qc.matmul %[[D8]], %{{.*}} {qc.act_format = "fp8e4m3"}
// ACTS-DAG: qc.matmul %[[D88]], %{{.*}} :
func.func @act_formats(%x: tensor<4x2xf32> {qc.act_range = array<f64: -1.0, 3.0>}) -> (tensor<4x2xf32>, tensor<4x2xf32>, tensor<4x2xf32>) {
  %w = arith.constant dense<[[1.0, 2.0], [-0.5, 0.5]]> : tensor<2x2xf32>
  %0 = qc.matmul %x, %w {qc.act_format = "int16"} : (tensor<4x2xf32>, tensor<2x2xf32>) -> tensor<4x2xf32>
  %1 = qc.matmul %x, %w {qc.act_format = "fp8e4m3"} : (tensor<4x2xf32>, tensor<2x2xf32>) -> tensor<4x2xf32>
  %2 = qc.matmul %x, %w : (tensor<4x2xf32>, tensor<2x2xf32>) -> tensor<4x2xf32>
  return %0, %1, %2 : tensor<4x2xf32>, tensor<4x2xf32>, tensor<4x2xf32>
}

// -----

// Float formats with weight-clipping=mse search the scale (the clipping
// value, LLM-FP4's exponent bias and maximum) for the least squared error.
// FP4 E2M1 on [2.5, 2.5, 2.5, 4]: absmax gives scale 4/6, where 2.5 is
// 3.75 -> code 4.0 (2.667, error 3 x 0.0278 = 0.083); the search picks
// scale 0.96 x 4/6 = 0.64 (2.56 and 3.84, error 0.036).
// RUN: qopt %s -split-input-file -qc-quantize="weight-format=f4E2M1FN" | FileCheck %s --check-prefix=FP-ABSMAX
// RUN: qopt %s -split-input-file -qc-quantize="weight-format=f4E2M1FN weight-clipping=mse" | FileCheck %s --check-prefix=FP-MSE
// FP-ABSMAX-LABEL: func @fp_clip
// FP-ABSMAX: !qc.float<f4E2M1FN:f32:0, {0.6666666865348816}>
// FP-MSE-LABEL: func @fp_clip
// FP-MSE: !qc.float<f4E2M1FN:f32:0, {0.6399999856948853}>
func.func @fp_clip(%x: tensor<2x4xf32>) -> tensor<2x1xf32> {
  %w = arith.constant dense<[[2.5, 2.5, 2.5, 4.0]]> : tensor<1x4xf32>
  %0 = qc.gemm %x, %w {alpha = 1.0 : f32, beta = 1.0 : f32, trans_a = false, trans_b = true} : (tensor<2x4xf32>, tensor<1x4xf32>) -> tensor<2x1xf32>
  return %0 : tensor<2x1xf32>
}

// -----

// Block-scaled weights (OCP MX, NVFP4) along the reduction axis: element
// codes, one scale code per block and qc.dequantize_blocks. MXFP4, row 0
// (amax 3): scale 2^(floor(log2 3) - 2) = 0.5 (E8M0 code 126), 3 -> 6.0
// (code 7), 0.3 -> 0.6 -> 0.5 (code 1); row 1 (amax 1): scale 0.25 (125),
// 1 -> 4.0 (code 6), 0.7 -> 2.8 -> 3.0 (code 5). NVFP4 has blocks of 16 with
// E4M3 scales times the tensor scale amax / (6 * 448). A reduction of 4
// (not whole blocks of 32) gets per-channel FP4 scales instead.
// RUN: qopt %s -split-input-file -qc-quantize="weight-format=mxfp4 weight-only=true" | FileCheck %s --check-prefix=MXFP4
// RUN: qopt %s -split-input-file -qc-quantize="weight-format=nvfp4 weight-only=true" | FileCheck %s --check-prefix=NVFP4
// MXFP4-LABEL: func @blocks
// MXFP4: %[[C:.*]] = arith.constant dense<{{\[\[}}7, 1, 1, {{.*}}], [6, 6, {{.*}}, 6, 5]]> : tensor<2x32xi4>
// MXFP4: %[[S:.*]] = arith.constant dense<{{\[\[}}126], [125]]> : tensor<2x1xi8>
// MXFP4: %[[W:.*]] = qc.dequantize_blocks %[[C]], %[[S]] {format = !qc.block<f4E2M1FN:f32, scale = f8E8M0FNU, block = 32, axis = 1>} : (tensor<2x32xi4>, tensor<2x1xi8>) -> tensor<2x32xf32>
// MXFP4: qc.gemm %arg0, %[[W]] {{{.*}}qc.block_weights = "mxfp4"
// MXFP4-LABEL: func @short
// MXFP4: qc.storage_cast {{.*}} -> tensor<2x4x!qc.float<f4E2M1FN:f32:0,
// NVFP4-LABEL: func @blocks
// NVFP4: qc.dequantize_blocks {{.*}} {format = !qc.block<f4E2M1FN:f32, scale = f8E4M3FN, block = 16, axis = 1, tensor_scale = 0.00111607{{[0-9]*}}>} : (tensor<2x32xi4>, tensor<2x2xi8>) -> tensor<2x32xf32>
// NVFP4: qc.gemm {{.*}}qc.block_weights = "nvfp4"
func.func @blocks(%x: tensor<3x32xf32>) -> tensor<3x2xf32> {
  %w = arith.constant dense<[[3.0, 0.3, 0.3, 0.3, 0.3, 0.3, 0.3, 0.3, 0.3, 0.3, 0.3, 0.3, 0.3, 0.3, 0.3, 0.3, 0.3, 0.3, 0.3, 0.3, 0.3, 0.3, 0.3, 0.3, 0.3, 0.3, 0.3, 0.3, 0.3, 0.3, 0.3, 0.3], [1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 0.7]]> : tensor<2x32xf32>
  %0 = qc.gemm %x, %w {alpha = 1.0 : f32, beta = 1.0 : f32, trans_a = false, trans_b = true} : (tensor<3x32xf32>, tensor<2x32xf32>) -> tensor<3x2xf32>
  return %0 : tensor<3x2xf32>
}
func.func @short(%x: tensor<3x4xf32>) -> tensor<3x2xf32> {
  %w = arith.constant dense<[[1.0, 0.5, 4.0, -4.0], [2.0, -2.0, 0.3, 0.5]]> : tensor<2x4xf32>
  %0 = qc.gemm %x, %w {alpha = 1.0 : f32, beta = 1.0 : f32, trans_a = false, trans_b = true} : (tensor<3x4xf32>, tensor<2x4xf32>) -> tensor<3x2xf32>
  return %0 : tensor<3x2xf32>
}
