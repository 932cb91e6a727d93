// RUN: qopt %s -split-input-file -qcc-cpu-emit-invoke -verify-diagnostics | FileCheck %s

// qcc_model_invoke(descriptors) calls the entry's C interface with
// descriptors[0..n).
// CHECK-LABEL: llvm.func @qcc_model_invoke(%arg0: !llvm.ptr)
// CHECK: %[[P0:.*]] = llvm.getelementptr %arg0[0] : (!llvm.ptr) -> !llvm.ptr, !llvm.ptr
// CHECK: %[[D0:.*]] = llvm.load %[[P0]] : !llvm.ptr -> !llvm.ptr
// CHECK: %[[P1:.*]] = llvm.getelementptr %arg0[1] : (!llvm.ptr) -> !llvm.ptr, !llvm.ptr
// CHECK: %[[D1:.*]] = llvm.load %[[P1]] : !llvm.ptr -> !llvm.ptr
// CHECK: llvm.call @_mlir_ciface_qcc_model_entry(%[[D0]], %[[D1]])
// CHECK: llvm.return
llvm.func @_mlir_ciface_qcc_model_entry(%a: !llvm.ptr, %b: !llvm.ptr) {
  llvm.return
}

// -----

// expected-error @+1 {{no @_mlir_ciface_qcc_model_entry (run qcc-cpu-prepare-entry, and convert to the LLVM dialect, first)}}
module {
  llvm.func @other() {
    llvm.return
  }
}

// -----

module {
  // expected-error @+1 {{the entry's C interface takes other than memref descriptors, or returns a value}}
  llvm.func @_mlir_ciface_qcc_model_entry(%a: i64) {
    llvm.return
  }
}
