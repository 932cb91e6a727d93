// RUN: qopt %s -split-input-file -convert-qc-to-linalg | FileCheck %s

// A float clamp (ReLU6) as the interpreter's std::min(std::max(x, lo), hi):
// (x < lo ? lo : x), then (hi < v ? hi : v) in f32, exact there; NaN passes
// through both comparisons.
// CHECK-LABEL: func @clip_f32
// CHECK-DAG: %[[LO:.*]] = arith.constant 0.000000e+00 : f32
// CHECK-DAG: %[[HI:.*]] = arith.constant 6.000000e+00 : f32
// CHECK: linalg.generic
// CHECK: ^bb0(%[[X:.*]]: f32, %{{.*}}: f32):
// CHECK: %[[BELOW:.*]] = arith.cmpf olt, %[[X]], %[[LO]] : f32
// CHECK: %[[V:.*]] = arith.select %[[BELOW]], %[[LO]], %[[X]] : f32
// CHECK: %[[ABOVE:.*]] = arith.cmpf olt, %[[HI]], %[[V]] : f32
// CHECK: %[[R:.*]] = arith.select %[[ABOVE]], %[[HI]], %[[V]] : f32
// CHECK: linalg.yield %[[R]] : f32
func.func @clip_f32(%x: tensor<?x6xf32>) -> tensor<?x6xf32> {
  %lo = arith.constant dense<0.0> : tensor<f32>
  %hi = arith.constant dense<6.0> : tensor<f32>
  %0 = qc.clip %x min %lo max %hi : (tensor<?x6xf32>, tensor<f32>, tensor<f32>) -> tensor<?x6xf32>
  return %0 : tensor<?x6xf32>
}

// -----

// A bound that is not a constant is read once; a missing one does not clamp.
// CHECK-LABEL: func @clip_f32_bound
// CHECK: %[[HI:.*]] = tensor.extract %arg1[] : tensor<f32>
// CHECK: linalg.generic
// CHECK-NOT: arith.cmpf
// CHECK: arith.cmpf olt, %[[HI]], %{{.*}} : f32
// CHECK-NOT: arith.cmpf
// CHECK: linalg.yield
func.func @clip_f32_bound(%x: tensor<4xf32>, %hi: tensor<f32>) -> tensor<4xf32> {
  %0 = qc.clip %x max %hi : (tensor<4xf32>, tensor<f32>) -> tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

// Integer clamps (after qc-lower-to-integer): maxsi / minsi.
// CHECK-LABEL: func @clip_i8
// CHECK-DAG: %[[LO:.*]] = arith.constant -3 : i8
// CHECK-DAG: %[[HI:.*]] = arith.constant 100 : i8
// CHECK: %[[V:.*]] = arith.maxsi %{{.*}}, %[[LO]] : i8
// CHECK: arith.minsi %[[V]], %[[HI]] : i8
func.func @clip_i8(%x: tensor<4xi8>) -> tensor<4xi8> {
  %lo = arith.constant dense<-3> : tensor<i8>
  %hi = arith.constant dense<100> : tensor<i8>
  %0 = qc.clip %x min %lo max %hi : (tensor<4xi8>, tensor<i8>, tensor<i8>) -> tensor<4xi8>
  return %0 : tensor<4xi8>
}

// -----

// HardSwish as the interpreter writes it: x * clamp(x / 6 + 0.5, 0, 1) in
// double, rounded to f32 once.
// CHECK-LABEL: func @hard_swish
// CHECK: %[[X:.*]] = arith.extf %{{.*}} : f32 to f64
// CHECK-DAG: %[[ZERO:.*]] = arith.constant 0.000000e+00 : f64
// CHECK-DAG: %[[ONE:.*]] = arith.constant 1.000000e+00 : f64
// CHECK-DAG: %[[SIX:.*]] = arith.constant 6.000000e+00 : f64
// CHECK: %[[D:.*]] = arith.divf %[[X]], %[[SIX]] : f64
// CHECK: %[[HALF:.*]] = arith.constant 5.000000e-01 : f64
// CHECK: %[[V:.*]] = arith.addf %[[D]], %[[HALF]] : f64
// CHECK: %[[B:.*]] = arith.cmpf olt, %[[V]], %[[ZERO]] : f64
// CHECK: %[[L:.*]] = arith.select %[[B]], %[[ZERO]], %[[V]] : f64
// CHECK: %[[A:.*]] = arith.cmpf olt, %[[ONE]], %[[L]] : f64
// CHECK: %[[C:.*]] = arith.select %[[A]], %[[ONE]], %[[L]] : f64
// CHECK: %[[R:.*]] = arith.mulf %[[X]], %[[C]] : f64
// CHECK: arith.truncf %[[R]] : f64 to f32
func.func @hard_swish(%x: tensor<4xf32>) -> tensor<4xf32> {
  %0 = qc.hard_swish %x : tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

// HardSigmoid: clamp(alpha * x + beta, 0, 1) in double.
// CHECK-LABEL: func @hard_sigmoid
// CHECK: %[[X:.*]] = arith.extf %{{.*}} : f32 to f64
// CHECK: %[[ALPHA:.*]] = arith.constant 2.500000e-01 : f64
// CHECK: %[[M:.*]] = arith.mulf %[[ALPHA]], %[[X]] : f64
// CHECK: %[[BETA:.*]] = arith.constant 5.000000e-01 : f64
// CHECK: %[[V:.*]] = arith.addf %[[M]], %[[BETA]] : f64
// CHECK: arith.cmpf olt, %[[V]], %{{.*}} : f64
// CHECK: arith.select
// CHECK: arith.cmpf olt
// CHECK: %[[R:.*]] = arith.select
// CHECK: arith.truncf %[[R]] : f64 to f32
func.func @hard_sigmoid(%x: tensor<4xf32>) -> tensor<4xf32> {
  %0 = qc.hard_sigmoid %x {alpha = 2.500000e-01 : f32, beta = 5.000000e-01 : f32} : tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

// LeakyRelu: x >= 0 ? x : alpha * x (ordered: NaN takes alpha * NaN).
// CHECK-LABEL: func @leaky_relu
// CHECK: %[[X:.*]] = arith.extf %{{.*}} : f32 to f64
// CHECK: %[[KEEP:.*]] = arith.cmpf oge, %[[X]], %{{.*}} : f64
// CHECK: %[[ALPHA:.*]] = arith.constant 2.500000e-01 : f64
// CHECK: %[[S:.*]] = arith.mulf %[[ALPHA]], %[[X]] : f64
// CHECK: %[[R:.*]] = arith.select %[[KEEP]], %[[X]], %[[S]] : f64
// CHECK: arith.truncf %[[R]] : f64 to f32
func.func @leaky_relu(%x: tensor<4xf32>) -> tensor<4xf32> {
  %0 = qc.leaky_relu %x {alpha = 2.500000e-01 : f32} : tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

// Gelu: 0.5 * x * (1 + erf(x / sqrt(2))), and with the tanh approximation
// 0.5 * x * (1 + tanh(sqrt(2 / pi) * (x + 0.044715 * x * x * x))), left to
// right in double (erf and tanh from libm).
// CHECK-LABEL: func @gelu
// CHECK: %[[X:.*]] = arith.extf %{{.*}} : f32 to f64
// CHECK: %[[H:.*]] = arith.mulf %{{.*}}, %[[X]] : f64
// CHECK: %[[SQRT2:.*]] = arith.constant 1.4142135623730951 : f64
// CHECK: %[[D:.*]] = arith.divf %[[X]], %[[SQRT2]] : f64
// CHECK: %[[E:.*]] = math.erf %[[D]] : f64
// CHECK: %[[P:.*]] = arith.addf %{{.*}}, %[[E]] : f64
// CHECK: %[[R:.*]] = arith.mulf %[[H]], %[[P]] : f64
// CHECK: arith.truncf %[[R]] : f64 to f32
// CHECK: %[[X:.*]] = arith.extf %{{.*}} : f32 to f64
// CHECK: %[[H:.*]] = arith.mulf %{{.*}}, %[[X]] : f64
// CHECK: %[[K:.*]] = arith.constant 4.471500e-02 : f64
// CHECK: %[[C1:.*]] = arith.mulf %[[K]], %[[X]] : f64
// CHECK: %[[C2:.*]] = arith.mulf %[[C1]], %[[X]] : f64
// CHECK: %[[C3:.*]] = arith.mulf %[[C2]], %[[X]] : f64
// CHECK: %[[S:.*]] = arith.constant 0.79788456080286541 : f64
// CHECK: %[[IN:.*]] = arith.addf %[[X]], %[[C3]] : f64
// CHECK: %[[M:.*]] = arith.mulf %[[S]], %[[IN]] : f64
// CHECK: %[[T:.*]] = math.tanh %[[M]] : f64
// CHECK: %[[P:.*]] = arith.addf %{{.*}}, %[[T]] : f64
// CHECK: %[[R:.*]] = arith.mulf %[[H]], %[[P]] : f64
// CHECK: arith.truncf %[[R]] : f64 to f32
func.func @gelu(%x: tensor<4xf32>) -> (tensor<4xf32>, tensor<4xf32>) {
  %0 = qc.gelu %x : tensor<4xf32>
  %1 = qc.gelu %x {tanh_approximation} : tensor<4xf32>
  return %0, %1 : tensor<4xf32>, tensor<4xf32>
}

// -----

// Casts as the interpreter: float to integer truncates, then wraps (the
// value through i64; non-finite and out-of-i64 values become 0); to i1:
// != 0 (NaN is true); integer to float through double; integers wrap or
// extend (zero-extended from unsigned quantized storage).
// CHECK-LABEL: func @cast
// CHECK: ^bb0(%[[F:.*]]: f32, %{{.*}}: i8):
// CHECK: %[[D:.*]] = arith.extf %[[F]] : f32 to f64
// CHECK: %[[T:.*]] = math.trunc %[[D]] : f64
// CHECK: %[[A:.*]] = math.absf %[[T]] : f64
// CHECK: %[[IN:.*]] = arith.cmpf olt, %[[A]], %{{.*}} : f64
// CHECK: %[[S:.*]] = arith.select %[[IN]], %[[T]], %{{.*}} : f64
// CHECK: %[[I:.*]] = arith.fptosi %[[S]] : f64 to i64
// CHECK: arith.trunci %[[I]] : i64 to i8
// CHECK: ^bb0(%{{.*}}: f32, %{{.*}}: i1):
// CHECK: math.trunc
// CHECK: arith.cmpf une
// CHECK: ^bb0(%{{.*}}: i32, %{{.*}}: f32):
// CHECK: %[[W:.*]] = arith.sitofp %{{.*}} : i32 to f64
// CHECK: arith.truncf %[[W]] : f64 to f32
// CHECK: ^bb0(%{{.*}}: i32, %{{.*}}: i8):
// CHECK: arith.trunci %{{.*}} : i32 to i8
// CHECK: ^bb0(%{{.*}}: i32, %{{.*}}: i64):
// CHECK: arith.extsi %{{.*}} : i32 to i64
// CHECK: ^bb0(%{{.*}}: f32, %{{.*}}: f16):
// CHECK: arith.extf %{{.*}} : f32 to f64
// CHECK: arith.truncf %{{.*}} : f64 to f16
// CHECK: ^bb0(%{{.*}}: i8, %{{.*}}: i32):
// CHECK: arith.extui %{{.*}} : i8 to i32
func.func @cast(%x: tensor<4xf32>, %i: tensor<4xi32>, %s: tensor<4xi8>) -> (tensor<4xi8>, tensor<4xi1>, tensor<4xf32>, tensor<4xi8>, tensor<4xi64>, tensor<4xf16>, tensor<4xi32>) {
  %0 = qc.cast %x : tensor<4xf32> -> tensor<4xi8>
  %1 = qc.cast %x : tensor<4xf32> -> tensor<4xi1>
  %2 = qc.cast %i : tensor<4xi32> -> tensor<4xf32>
  %3 = qc.cast %i : tensor<4xi32> -> tensor<4xi8>
  %4 = qc.cast %i : tensor<4xi32> -> tensor<4xi64>
  %5 = qc.cast %x : tensor<4xf32> -> tensor<4xf16>
  %q = qc.storage_cast %s : tensor<4xi8> -> tensor<4x!quant.uniform<u8:f32, 0.5:128>>
  %6 = qc.cast %q : tensor<4x!quant.uniform<u8:f32, 0.5:128>> -> tensor<4xi32>
  return %0, %1, %2, %3, %4, %5, %6 : tensor<4xi8>, tensor<4xi1>, tensor<4xf32>, tensor<4xi8>, tensor<4xi64>, tensor<4xf16>, tensor<4xi32>
}

// -----

// Unsigned integers become signless at the function boundary; division
// uses the unsigned op, and a zero divisor gives 0 as in the interpreter.
// CHECK-LABEL: func @div_ui8
// CHECK-SAME: (%{{.*}}: tensor<4xi8>, %{{.*}}: tensor<4xi8>) -> tensor<4xi8>
// CHECK: ^bb0(%[[X:.*]]: i8, %[[Y:.*]]: i8, %{{.*}}: i8):
// CHECK: %[[ZERO:.*]] = arith.cmpi eq, %[[Y]], %{{.*}} : i8
// CHECK: %[[SAFE:.*]] = arith.select %[[ZERO]], %{{.*}}, %[[Y]] : i8
// CHECK: %[[Q:.*]] = arith.divui %[[X]], %[[SAFE]] : i8
// CHECK: arith.select %[[ZERO]], %{{.*}}, %[[Q]] : i8
func.func @div_ui8(%x: tensor<4xui8>, %y: tensor<4xui8>) -> tensor<4xui8> {
  %0 = qc.div %x, %y : (tensor<4xui8>, tensor<4xui8>) -> tensor<4xui8>
  return %0 : tensor<4xui8>
}

// -----

// Signed division guards INT_MIN / -1 (it wraps, as in the interpreter).
// CHECK-LABEL: func @div_i32
// CHECK: arith.cmpi eq, %{{.*}}, %c-1_i32
// CHECK: arith.divsi
// CHECK: arith.subi
func.func @div_i32(%x: tensor<4xi32>, %y: tensor<4xi32>) -> tensor<4xi32> {
  %0 = qc.div %x, %y : (tensor<4xi32>, tensor<4xi32>) -> tensor<4xi32>
  return %0 : tensor<4xi32>
}

// -----

// Pow with an integer result and a float exponent: in double, truncated
// toward zero and wrapped to the result type, as qc.cast converts.
// CHECK-LABEL: func @pow_i32
// CHECK: arith.sitofp %{{.*}} : i32 to f64
// CHECK: arith.extf %{{.*}} : f32 to f64
// CHECK: math.powf
// CHECK: math.trunc
// CHECK: arith.fptosi %{{.*}} : f64 to i64
// CHECK: arith.trunci %{{.*}} : i64 to i32
func.func @pow_i32(%x: tensor<4xi32>, %y: tensor<4xf32>) -> tensor<4xi32> {
  %0 = qc.pow %x, %y : (tensor<4xi32>, tensor<4xf32>) -> tensor<4xi32>
  return %0 : tensor<4xi32>
}

// -----

// f64 arithmetic stays in f64; an unsigned operand converts as unsigned.
// CHECK-LABEL: func @add_f64_u32
// CHECK: arith.uitofp %{{.*}} : i32 to f64
// CHECK-NEXT: arith.addf %{{.*}} : f64
// CHECK-NEXT: linalg.yield %{{.*}} : f64
func.func @add_f64_u32(%x: tensor<4xf64>, %y: tensor<4xui32>) -> tensor<4xf64> {
  %0 = qc.add %x, %y : (tensor<4xf64>, tensor<4xui32>) -> tensor<4xf64>
  return %0 : tensor<4xf64>
}

// -----

// A constant of unsigned integers: the same bits, signless.
// CHECK-LABEL: func @unsigned_constant
// CHECK: arith.constant dense<[-1, 1]> : tensor<2xi8>
// CHECK: arith.maxui
// CHECK: arith.minui
func.func @unsigned_constant(%x: tensor<2xui8>) -> tensor<2xui8> {
  %lo = arith.constant dense<3> : tensor<ui8>
  %hi = arith.constant dense<200> : tensor<ui8>
  %c = arith.constant dense<[255, 1]> : tensor<2xui8>
  %0 = qc.add %x, %c : (tensor<2xui8>, tensor<2xui8>) -> tensor<2xui8>
  %1 = qc.clip %0 min %lo max %hi : (tensor<2xui8>, tensor<ui8>, tensor<ui8>) -> tensor<2xui8>
  return %1 : tensor<2xui8>
}

// -----

// A table lookup reads the table at the value (sign-extended to an index)
// plus 2^(bits-1).
// CHECK-LABEL: func @table
// CHECK: linalg.generic {{.*}} ins(%arg0 : tensor<?x4xi8>)
// CHECK: ^bb0(%[[X:.*]]: i8, %{{.*}}: i8):
// CHECK: %[[I:.*]] = arith.index_cast %[[X]] : i8 to index
// CHECK: %[[J:.*]] = arith.addi %[[I]], %c128
// CHECK: %[[Y:.*]] = tensor.extract %arg1[%[[J]]] : tensor<256xi8>
// CHECK: linalg.yield %[[Y]] : i8
func.func @table(%x: tensor<?x4xi8>, %t: tensor<256xi8>) -> tensor<?x4xi8> {
  %0 = qc.table %x, %t : (tensor<?x4xi8>, tensor<256xi8>) -> tensor<?x4xi8>
  return %0 : tensor<?x4xi8>
}
