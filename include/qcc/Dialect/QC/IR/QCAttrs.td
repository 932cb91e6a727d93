//===- QCAttrs.td - qc dialect attributes and enums --------*- tablegen -*-===//

#ifndef QCC_DIALECT_QC_IR_QCATTRS_TD
#define QCC_DIALECT_QC_IR_QCATTRS_TD

include "qcc/Dialect/QC/IR/QCDialect.td"
include "mlir/IR/AttrTypeBase.td"
include "mlir/IR/EnumAttr.td"

def QC_RoundingMode : I32EnumAttr<"RoundingMode",
    "how a real value is rounded to an integer", [
      I32EnumAttrCase<"HalfToEven", 0, "half_to_even">,
      I32EnumAttrCase<"HalfAwayFromZero", 1, "half_away_from_zero">,
      I32EnumAttrCase<"HalfUp", 2, "half_up">,
      I32EnumAttrCase<"TowardZero", 3, "toward_zero">,
      I32EnumAttrCase<"Down", 4, "down">,
      I32EnumAttrCase<"Up", 5, "up">,
    ]> {
  let cppNamespace = "::qcc::qc";
  let genSpecializedAttr = 0;
}

def QC_RoundingModeAttr : EnumAttr<QC_Dialect, QC_RoundingMode, "rounding"> {
  let summary = "rounding mode of a quantization op";
  let description = [{
    * `half_to_even`: nearest, ties to even (IEEE; ONNX QuantizeLinear).
    * `half_away_from_zero`: nearest, ties away from zero (C `round`).
    * `half_up`: nearest, ties toward +infinity, i.e. floor(x + 1/2) (TOSA
      SINGLE_ROUND).
    * `toward_zero`: truncation (C `trunc`).
    * `down`: floor. `up`: ceil.
  }];
  let assemblyFormat = "`<` $value `>`";
}

def QC_RescaleRounding : I32EnumAttr<"RescaleRounding",
    "rounding of a dyadic rescale (TOSA RESCALE rounding_mode)", [
      I32EnumAttrCase<"SingleRound", 0, "single_round">,
      I32EnumAttrCase<"DoubleRound", 1, "double_round">,
    ]> {
  let cppNamespace = "::qcc::qc";
  let genSpecializedAttr = 0;
}

def QC_RescaleRoundingAttr
    : EnumAttr<QC_Dialect, QC_RescaleRounding, "rescale_rounding"> {
  let summary = "rounding of a dyadic rescale";
  let description = [{
    * `single_round`: one rounding, ties toward +infinity:
      `(v * m + 2^(s-1)) >> s`.
    * `double_round`: TOSA DOUBLE_ROUND: for shifts above 31 the rounding
      constant also gets +-2^30 (sign of `v`), emulating frameworks that
      round twice (TFLite's SaturatingRoundingDoublingHighMul followed by a
      rounding divide). Only with 32-bit multipliers.
  }];
  let assemblyFormat = "`<` $value `>`";
}

def QC_PadMode : I32EnumAttr<"PadMode", "how qc.pad fills", [
      I32EnumAttrCase<"Constant", 0, "constant">,
      I32EnumAttrCase<"Reflect", 1, "reflect">,
      I32EnumAttrCase<"Edge", 2, "edge">,
    ]> {
  let cppNamespace = "::qcc::qc";
  let genSpecializedAttr = 0;
}

def QC_PadModeAttr : EnumAttr<QC_Dialect, QC_PadMode, "pad_mode"> {
  let summary = "padding mode of qc.pad";
  let assemblyFormat = "`<` $value `>`";
}

#endif // QCC_DIALECT_QC_IR_QCATTRS_TD
