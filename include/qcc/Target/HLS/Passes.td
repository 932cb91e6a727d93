//===- Passes.td - FPGA HLS target passes ------------------*- tablegen -*-===//
//
// The passes of the HLS target's lowering (docs/hls.md): the integer core
// of the graph becomes the design's top function, every integer gets the
// width its values need, the layers become loop nests in functions of
// their own, scheduled by the reuse factor, which EmitHLSCpp prints as HLS
// C++.
//
//===----------------------------------------------------------------------===//

#ifndef QCC_TARGET_HLS_PASSES_TD
#define QCC_TARGET_HLS_PASSES_TD

include "mlir/Pass/PassBase.td"

def HLSSplitInterface : Pass<"qcc-hls-split-interface", "mlir::ModuleOp"> {
  let summary = "Move the integer core of the entry into the design's top "
                "function";
  let description = [{
    Runs on a lowered qc graph. The entry's inputs go through `qc.quantize`
    and `qc.storage_cast` to integers, and its outputs come from integers
    through `qc.storage_cast` and `qc.dequantize`: what lies between
    becomes the function `top` on integer tensors, the hardware. The entry
    keeps the float conversions around a call of it: the testbench and the
    C simulation's host side run them, so that the design's ports carry
    the quantized integers an FPGA design streams.

    An input used other than by one quantize, or an output that is not a
    dequantize, is an error naming it; so is an entry already holding a
    function called `top`.
  }];
  let options = [
    Option<"entry", "entry", "std::string", /*default=*/"\"\"",
           "The entry function (default: @main, else the first function "
           "with a body)">,
    Option<"top", "top", "std::string", /*default=*/"\"qcc_model\"",
           "The name of the design's top function">,
  ];
  let dependentDialects = ["mlir::func::FuncDialect"];
}

def HLSNarrowIntegers
    : Pass<"qcc-hls-narrow-integers", "mlir::func::FuncOp"> {
  let summary = "Give every integer the width its values need (bit growth)";
  let description = [{
    On linalg on tensors, before bufferization. An interval analysis runs
    through the function in order: integer constants have the range of
    their elements, arguments the range of their type, shape ops and pads
    the union of what they move, and each `linalg.generic` the ranges its
    body computes from those of its operands. A reduction's accumulator
    starts at its init's range and grows by its body, once per reduced
    element (the product of the reduction dimensions), until it stops
    changing: for a multiply-accumulate of a `K`-element dot product that
    is the bias range plus `K` times the product range, the exact bit
    growth of the layer (per layer, not per output channel).

    Each integer tensor then gets the narrowest signed width that holds
    its range, and so does each integer value inside a generic's body:
    additions, subtractions, products, minima, maxima, selects and shifts
    compute at the widest of their operands and result widths, then
    truncate (exactly: the value fits) to their own. Constants (weights)
    are rewritten at their widths, e.g. `i4` for 4-bit weights. Everything
    else (unsigned comparisons and shifts, divisions, float code) keeps
    its types, its integer operands sign-extended back. The values the IR
    computes do not change, only the widths they are held in.

    With `accumulator-bits` N > 0, every reduction's result is N bits wide
    instead (a blanket accumulator, as in designs without bit growth); a
    reduction that needs more is an error.
  }];
  let options = [
    Option<"accumulatorBits", "accumulator-bits", "int64_t",
           /*default=*/"0",
           "Width of every reduction's result (0: exact bit growth)">,
    Option<"maxIterations", "max-iterations", "int64_t",
           /*default=*/"1048576",
           "Reductions over more elements than this are not analysed "
           "(their widths stay)">,
  ];
  let dependentDialects = ["mlir::arith::ArithDialect",
                           "mlir::tensor::TensorDialect"];
}

def HLSFoldReductionInits
    : Pass<"qcc-hls-fold-reduction-inits", "mlir::func::FuncOp"> {
  let summary = "Reductions compute their init at their first element";
  let description = [{
    On linalg on tensors. A reduction whose init is computed point-wise
    from other tensors (a convolution's accumulator broadcast from its
    bias, converted to the accumulator's width; through `expand_shape`)
    reads those tensors itself and starts each output at its first reduced
    element: `acc = (every reduction index == 0 ? init : acc) + ...`, the
    producers' bodies inlined, their inputs read at the composed indexing
    maps. Its init becomes a `tensor.empty`: no loop nest fills the
    accumulator before the reduction runs. The values are the same.
  }];
  let dependentDialects = ["mlir::arith::ArithDialect",
                           "mlir::linalg::LinalgDialect",
                           "mlir::tensor::TensorDialect"];
}

def HLSOutlineLayers : Pass<"qcc-hls-outline-layers", "mlir::ModuleOp"> {
  let summary = "Move each layer's loop nests into a function of its own";
  let description = [{
    Runs on loops over buffers whose views are folded into the accesses.
    The outermost `scf.for` nests of the `top` function that come from one
    ONNX node (the location's name; a pad's fill and copy, an
    accumulator's init, the reduction, the requantization) move, in order,
    into one function `<top>_layer<i>` called in their place and named in
    its `hls.layer` attribute, so that reuse factors can be given per node.
    Buffers only that node uses (a pad's window, an accumulator) become
    arrays of the function; the others, and the ports, are its arguments:
    the functions then pass data only through the arrays between layers,
    the shape HLS dataflow takes. Constants and weights are recreated
    inside.
  }];
  let options = [
    Option<"top", "top", "std::string", /*default=*/"\"qcc_model\"",
           "The design's top function">,
  ];
  let dependentDialects = ["mlir::func::FuncDialect"];
}

def HLSScheduleLayers
    : Pass<"qcc-hls-schedule-layers", "mlir::ModuleOp"> {
  let summary = "HLS pragmas for each layer from its reuse factor";
  let description = [{
    Runs after `qcc-hls-outline-layers`. In each layer's loop nest, the
    innermost loops whose iterations reduce into one value (those whose
    induction variable no store index uses) are unrolled, and the loop
    around them is pipelined with an initiation interval of the layer's
    reuse factor `R` (capped at the number of unrolled iterations): each
    multiplier then serves `R` products, as hls4ml's reuse factor does. A
    nest without reductions has its innermost loop pipelined at II=1. The
    arrays the unrolled loops index are partitioned along those
    dimensions (cyclic, by the number of accesses each cycle needs).

    `reuse-factor` is the default; `layer-reuse-factors` lists
    `NAME=R` pairs for the layers named NAME (`hls.layer`), comma-separated.
    A NAME no layer has is an error.
  }];
  let options = [
    Option<"reuseFactor", "reuse-factor", "int64_t", /*default=*/"1",
           "Products each multiplier computes per output (the initiation "
           "interval of the pipelined loops)">,
    Option<"layerReuseFactors", "layer-reuse-factors", "std::string",
           /*default=*/"\"\"",
           "Per-layer reuse factors, NAME=R comma-separated">,
  ];
  let dependentDialects = ["mlir::scf::SCFDialect"];
}

#endif // QCC_TARGET_HLS_PASSES_TD
