// RUN: qopt %s -split-input-file -qcc-cpu-prepare-entry -verify-diagnostics | FileCheck %s

// The entry is renamed (calls follow), gets a C interface and loses its
// ONNX attributes; a returned argument and a value returned twice are
// copied so that every result has its own buffer.
// CHECK-LABEL: func.func @helper
// CHECK: func.func @qcc_model_entry(%[[A:.*]]: tensor<2xf32>) -> (tensor<2xf32>, tensor<2xf32>, tensor<2xf32>) attributes {llvm.emit_c_interface}
// CHECK: %[[H:.*]] = call @helper(%[[A]])
// CHECK: %[[COPY1:.*]] = bufferization.alloc_tensor() copy(%[[A]])
// CHECK: %[[COPY2:.*]] = bufferization.alloc_tensor() copy(%[[H]])
// CHECK: return %[[COPY1]], %[[H]], %[[COPY2]]
func.func @helper(%x: tensor<2xf32>) -> tensor<2xf32> {
  %y = qc.relu %x : tensor<2xf32>
  return %y : tensor<2xf32>
}
func.func @main(%a: tensor<2xf32> {onnx.name = "a"})
    -> (tensor<2xf32> {onnx.name = "x"}, tensor<2xf32>, tensor<2xf32>) {
  %h = call @helper(%a) : (tensor<2xf32>) -> tensor<2xf32>
  return %a, %h, %h : tensor<2xf32>, tensor<2xf32>, tensor<2xf32>
}

// -----

// expected-error @+1 {{recursive calls are not supported by the CPU target: @f -> @g -> @f}}
func.func @f(%x: tensor<2xf32>) -> tensor<2xf32> {
  %y = call @g(%x) : (tensor<2xf32>) -> tensor<2xf32>
  return %y : tensor<2xf32>
}
func.func @g(%x: tensor<2xf32>) -> tensor<2xf32> {
  %y = call @f(%x) : (tensor<2xf32>) -> tensor<2xf32>
  return %y : tensor<2xf32>
}

// -----

func.func private @ext(tensor<2xf32>) -> tensor<2xf32>
func.func @main(%x: tensor<2xf32>) -> tensor<2xf32> {
  // expected-error @+1 {{@main calls @ext, which has no body in the model; the CPU target compiles only direct calls of functions defined in the model}}
  %y = call @ext(%x) : (tensor<2xf32>) -> tensor<2xf32>
  return %y : tensor<2xf32>
}

// -----

// expected-error @+1 {{no entry function (@main, or any function with a body)}}
module {
  func.func private @ext(tensor<2xf32>) -> tensor<2xf32>
}

// -----

// The library takes and returns arrays of NumPy dtypes whose only dynamic
// dimension is the batch: not quantized tensors, whose scale the caller
// would not see.
// expected-error @+1 {{argument 'input_0' is a tensor<4x!quant.uniform<i8:f32, 5.000000e-01>>; compiled models take and return ranked tensors of bool, 8- to 64-bit integers, f16, f32 or f64}}
func.func @main(%x: tensor<4x!quant.uniform<i8:f32, 0.5>>) -> tensor<4x!quant.uniform<i8:f32, 0.5>> {
  return %x : tensor<4x!quant.uniform<i8:f32, 0.5>>
}

// -----

// expected-error @+1 {{argument 'input_0' has a dynamic dimension 1; only dimension 0 (the batch) may be dynamic}}
func.func @main(%x: tensor<2x?xf32>) -> tensor<2x?xf32> {
  return %x : tensor<2x?xf32>
}

// -----

// The signature the C API reads: counts (inputs, outputs, batched), ranks,
// element sizes and shapes (-1: the batch) with a trailing 0, names and
// NumPy dtypes.
// CHECK: llvm.mlir.global external constant @qcc_signature_counts(dense<1> : tensor<3xi32>)
// CHECK: llvm.mlir.global external constant @qcc_signature_ranks(dense<[2, 1, 0]> : tensor<3xi32>)
// CHECK: llvm.mlir.global external constant @qcc_signature_element_bytes(dense<[4, 4, 0]> : tensor<3xi32>)
// CHECK: llvm.mlir.global external constant @qcc_signature_shapes(dense<[-1, 3, 5, 0]> : tensor<4xi64>)
// CHECK: llvm.mlir.global external constant @qcc_signature_names("x\00y\00")
// CHECK: llvm.mlir.global external constant @qcc_signature_dtypes("float32\00float32\00")
func.func @main(%x: tensor<?x3xf32> {onnx.name = "x"}) -> (tensor<5xf32> {onnx.name = "y"}) {
  %c = arith.constant dense<1.0> : tensor<5xf32>
  return %c : tensor<5xf32>
}

// -----

// Integer, bool and other float tensors keep their types: signless integers
// are signed.
// CHECK-LABEL: @qcc_signature_counts(dense<[4, 1, 0]> : tensor<3xi32>)
// CHECK: @qcc_signature_element_bytes(dense<[1, 8, 1, 2, 8, 0]> : tensor<6xi32>)
// CHECK: @qcc_signature_dtypes("uint8\00int64\00bool\00float16\00float64\00")
func.func @main(%a: tensor<2xui8>, %b: tensor<2xi64>, %c: tensor<2xi1>, %d: tensor<2xf16>) -> tensor<2xf64> {
  %e = arith.constant dense<1.0> : tensor<2xf64>
  return %e : tensor<2xf64>
}
