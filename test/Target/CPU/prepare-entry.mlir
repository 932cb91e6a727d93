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
