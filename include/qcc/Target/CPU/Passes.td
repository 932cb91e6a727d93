//===- Passes.td - CPU target passes ------------------------*- tablegen -*-===//
//
// Passes of the CPU target's pipeline (qcc-cpu-lowering) that are not
// upstream's: what a model's entry function needs to become the body of a
// shared library's C API.
//
//===----------------------------------------------------------------------===//

#ifndef QCC_TARGET_CPU_PASSES_TD
#define QCC_TARGET_CPU_PASSES_TD

include "mlir/Pass/PassBase.td"

def CPUPrepareEntry : Pass<"qcc-cpu-prepare-entry", "mlir::ModuleOp"> {
  let summary = "Make the model's entry function the library's entry point";
  let description = [{
    Prepares a quantized (or float) model for CPU code generation:

    - refuses what the target cannot compile: call cycles (the graph has no
      base case; recursion compiled into code that overflowed the stack),
      calls of declarations and indirect calls;
    - renames the entry function (`entry`, default `@main` or else the first
      function with a body) to `@qcc_model_entry`, so that the shared
      library exports no `main`, and gives it `llvm.emit_c_interface`;
    - gives each result its own buffer (the caller's output array): a
      returned argument, or a value returned twice, is copied into a
      `bufferization.alloc_tensor` first, since
      `buffer-results-to-out-params` cannot handle them;
    - drops the ONNX argument and result attributes, which mean nothing to
      LLVM.
  }];
  let dependentDialects = ["mlir::bufferization::BufferizationDialect"];
  let options = [
    Option<"entry", "entry", "std::string", /*default=*/"\"\"",
           "The entry function (default: @main, else the first function "
           "with a body)">,
  ];
}

#endif // QCC_TARGET_CPU_PASSES_TD
