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

    Discardable attributes: `qc.weight_format` and `qc.act_format`
    (strings such as `"int4"`, `"int16"` or `"fp8e4m3"`, on a layer with
    weights) are the weight and input-activation formats that mixed
    precision chose for that layer; `qc-quantize` honours them over its own
    `weight-bits`/`weight-format`/`act-bits` options.

    Every op's semantics is implemented once, in qcc's numerics library
    (`include/qcc/Numerics`), which the passes, the interpreter and the code
    generators share.
  }];
  let dependentDialects = ["::mlir::quant::QuantDialect"];
  let useDefaultTypePrinterParser = 1;
  let useDefaultAttributePrinterParser = 1;
  let hasOperationAttrVerify = 1;
  let extraClassDeclaration = [{
    void registerTypes();
    void registerAttributes();

    /// The per-layer weight format chosen by mixed precision.
    static constexpr ::llvm::StringLiteral kWeightFormatAttrName =
        "qc.weight_format";
    /// The per-layer input-activation format chosen by mixed precision.
    static constexpr ::llvm::StringLiteral kActFormatAttrName =
        "qc.act_format";
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
