//===- QCTypes.td - qc dialect types -----------------------*- tablegen -*-===//

#ifndef QCC_DIALECT_QC_IR_QCTYPES_TD
#define QCC_DIALECT_QC_IR_QCTYPES_TD

include "qcc/Dialect/QC/IR/QCDialect.td"
include "mlir/IR/AttrTypeBase.td"

class QC_Type<string name, string typeMnemonic, list<Trait> traits = []>
    : TypeDef<QC_Dialect, name, traits> {
  let mnemonic = typeMnemonic;
}

def QC_ScaledFloatType : QC_Type<"ScaledFloat", "float"> {
  let summary = "low-bit float storage with a per-tensor or per-axis scale";
  let description = [{
    A quantized element stored in a low-bit float format and scaled by a
    real number: `real = decode(stored) * scale`. This is what ONNX
    QuantizeLinear produces for FLOAT8 outputs, and the FP8/FP6/FP4 analogue
    of `!quant.uniform` (which in MLIR 22 only allows integer storage).

    Storage: `f8E4M3FN`, `f8E5M2`, `f6E3M2FN`, `f6E2M3FN` or `f4E2M1FN`.
    Expressed (real) type: `f32`, `f16` or `bf16`. There is no zero point.

    ```mlir
    // Per tensor: one scale.
    !qc.float<f8E4M3FN:f32, 0.0125>
    // Per axis (channel) 1: one scale per index along dimension 1.
    !qc.float<f6E3M2FN:f32:1, {0.5, 0.25, 0.125}>
    ```
  }];
  let parameters = (ins
    "::mlir::FloatType":$storageType,
    "::mlir::FloatType":$expressedType,
    // An attribute rather than ArrayRef<double>: LLVM cannot hash doubles.
    "::mlir::DenseF64ArrayAttr":$scales,
    "int32_t":$axis
  );
  let hasCustomAssemblyFormat = 1;
  let genVerifyDecl = 1;
  let extraClassDeclaration = [{
    /// True if scales vary along `getAxis()`; false for one per-tensor scale.
    bool isPerAxis() const { return getAxis() >= 0; }
    /// Sentinel axis of a per-tensor type.
    static constexpr int32_t kPerTensor = -1;
    /// The storage format in the numerics library's terms.
    ::qcc::numerics::MinifloatKind getStorageKind() const;
  }];
}

def QC_BlockScaledType : QC_Type<"BlockScaled", "block"> {
  let summary = "block-scaled low-bit float format (OCP MX, NVFP4)";
  let description = [{
    Consecutive groups of `block` elements along dimension `axis` share one
    scale stored in `scale` format; all blocks share one optional float
    `tensor_scale` (default 1). The real value of an element is
    `decode(element) * decode(block scale) * tensor_scale`.

    Block scales are data, not type parameters: `qc.quantize` computes them
    from the values (exactly as the numerics library's `computeBlockScale`):
    * `scale = f8E8M0FNU` (OCP MX v1.0): the power of two
      `2^(floor(log2(amax)) - emax(element))`;
    * `scale = f8E4M3FN` (NVFP4-style): `amax / (max(element) * tensor_scale)`
      rounded to E4M3, nearest even, saturating.

    Elements: `f8E4M3FN`, `f8E5M2`, `f6E3M2FN`, `f6E2M3FN`, `f4E2M1FN`.

    ```mlir
    !qc.block<f8E4M3FN:f32, scale = f8E8M0FNU, block = 32, axis = 1>  // MXFP8
    !qc.block<f6E3M2FN:f32, scale = f8E8M0FNU, block = 32, axis = 1>  // MXFP6
    !qc.block<f4E2M1FN:f32, scale = f8E8M0FNU, block = 32, axis = 1>  // MXFP4
    !qc.block<f4E2M1FN:f32, scale = f8E4M3FN, block = 16, axis = 1,
              tensor_scale = 0.0025>                                     // NVFP4
    ```
    A tensor of this type must have a static size along `axis` that is a
    multiple of `block`.
  }];
  let parameters = (ins
    "::mlir::FloatType":$elementType,
    "::mlir::FloatType":$expressedType,
    "::mlir::FloatType":$scaleType,
    "unsigned":$blockSize,
    "int32_t":$axis,
    APFloatParameter<"scale shared by all blocks">:$tensorScale
  );
  let hasCustomAssemblyFormat = 1;
  let genVerifyDecl = 1;
  let extraClassDeclaration = [{
    /// The format in the numerics library's terms.
    ::qcc::numerics::BlockFormat getBlockFormat() const;
  }];
}

#endif // QCC_DIALECT_QC_IR_QCTYPES_TD
