// RUN: qopt %s -qcc-hls-outline-layers | FileCheck %s

// Each loop nest of the top becomes a layer function named after its ONNX
// node; the weights it reads are fetched inside, the buffers passed.
// CHECK-LABEL: func.func @qcc_model(%arg0: memref<4xi8>, %arg1: memref<4xi8>)
// CHECK: %[[B:.*]] = memref.alloc() : memref<4xi8>
// CHECK: call @qcc_model_layer0(%arg0, %[[B]])
// CHECK: call @qcc_model_layer1(%[[B]], %arg1)
// CHECK: func.func private @qcc_model_layer0(%{{.*}}: memref<4xi8>, %{{.*}}: memref<4xi8>) attributes {hls.layer = "/add"}
// CHECK: memref.get_global @bias
// CHECK: scf.for
// CHECK: func.func private @qcc_model_layer1({{.*}}) attributes {hls.layer = "/relu"}
memref.global "private" constant @bias : memref<4xi8> = dense<[1, 2, 3, 4]>
func.func @qcc_model(%x: memref<4xi8>, %y: memref<4xi8>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c4 = arith.constant 4 : index
  %zero = arith.constant 0 : i8
  %bias = memref.get_global @bias : memref<4xi8>
  %t = memref.alloc() : memref<4xi8>
  scf.for %i = %c0 to %c4 step %c1 {
    %a = memref.load %x[%i] : memref<4xi8>
    %b = memref.load %bias[%i] : memref<4xi8>
    %s = arith.addi %a, %b : i8
    memref.store %s, %t[%i] : memref<4xi8>
  } loc("/add")
  scf.for %i = %c0 to %c4 step %c1 {
    %a = memref.load %t[%i] : memref<4xi8>
    %r = arith.maxsi %a, %zero : i8
    memref.store %r, %y[%i] : memref<4xi8>
  } loc("/relu")
  return
}
