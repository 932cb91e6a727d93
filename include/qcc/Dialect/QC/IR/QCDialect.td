//===- QCDialect.td - The qc dialect -----------------------*- tablegen -*-===//

#ifndef QCC_DIALECT_QC_IR_QCDIALECT_TD
#define QCC_DIALECT_QC_IR_QCDIALECT_TD

include "mlir/IR/OpBase.td"

def QC_Dialect : Dialect {
  let name = "qc";
  let cppNamespace = "::qcc::qc";
  let summary = "Quantized types and quantization ops of the qcc compiler";
  let description = [{
    The `qc` dialect holds what qcc needs beyond upstream MLIR to describe
    quantized neural networks:

    * types for low-bit float storage with a per-tensor or per-axis scale
      (`!qc.float`) and for block-scaled formats such as OCP MX and NVFP4
      (`!qc.block`). Uniform integer quantization (per-tensor, per-axis and
      per-group) reuses upstream `!quant.uniform` types;
    * ops whose integer semantics are defined exactly, down to rounding and
      saturation: `qc.quantize`, `qc.dequantize`, `qc.requantize` and the
      dyadic `qc.rescale` (TOSA RESCALE semantics).

    Discardable attributes (declared in `discardableAttrs`, checked by the
    dialect's attribute verifier):

    * `qc.weight_format` and `qc.act_format` (strings such as `"int4"`,
      `"int16"` or `"fp8e4m3"`, on a layer with weights) are the weight and
      input-activation formats that mixed precision chose for that layer;
      `qc-quantize` honours them over its own
      `weight-bits`/`weight-format`/`act-bits` options.
    * `qc.act_range` (`array<f64: lo, hi>`, finite, `lo <= hi`, on an op or
      a function argument) is the range calibration chose for the value
      (the op's results); `qc-quantize` quantizes the value to it.
    * `qc.act_minmax` (`array<f64: min, max>`, same rules) is the observed
      minimum and maximum of the value (reports).
    * `qc.block_weights` (`"mxfp8"`, `"mxfp6"`, `"mxfp4"` or `"nvfp4"`, on a
      layer with weights) is the block-scaled format `qc-quantize` gave the
      layer's weights.

    Every op's semantics is implemented once, in qcc's numerics library
    (`include/qcc/Numerics`), which the passes, the interpreter and the code
    generators share.
  }];
  let dependentDialects = ["::mlir::quant::QuantDialect"];
  let useDefaultTypePrinterParser = 1;
  let useDefaultAttributePrinterParser = 1;
  let hasConstantMaterializer = 1;
  let hasOperationAttrVerify = 1;
  let hasRegionArgAttrVerify = 1;
  // The `qc.*` discardable attributes; each gets a helper class
  // (`QCDialect::ActRangeAttrHelper::getNameStr()` is "qc.act_range").
  let discardableAttrs = (ins
    "::mlir::StringAttr":$weight_format,
    "::mlir::StringAttr":$act_format,
    "::mlir::DenseF64ArrayAttr":$act_range,
    "::mlir::DenseF64ArrayAttr":$act_minmax,
    "::mlir::StringAttr":$block_weights
  );
  let extraClassDeclaration = [{
    void registerTypes();
    void registerAttributes();
  }];
}

// Checks the scales and zero points of the `!quant.uniform` element types of
// an op's operands and results: upstream's parser accepts zero points outside
// the storage range and NaN scales.
def QC_VerifiesQuantizedTypes : NativeOpTrait<"VerifiesQuantizedTypes"> {
  let cppNamespace = "::qcc::qc::OpTrait";
}

class QC_Op<string mnemonic, list<Trait> traits = []>
    : Op<QC_Dialect, mnemonic,
         !listconcat(traits, [QC_VerifiesQuantizedTypes])>;

#endif // QCC_DIALECT_QC_IR_QCDIALECT_TD
