//===- Passes.td - qc dialect passes -----------------------*- tablegen -*-===//

#ifndef QCC_DIALECT_QC_TRANSFORMS_PASSES_TD
#define QCC_DIALECT_QC_TRANSFORMS_PASSES_TD

include "mlir/Pass/PassBase.td"

def QCLowerRequantize : Pass<"qc-lower-requantize"> {
  let summary = "Lower qc.requantize to the dyadic, integer-only qc.rescale";
  let description = [{
    Replaces each `qc.requantize` by `quant.scast` to its integer storage,
    a `qc.rescale` whose multiplier and shift are the numerics library's
    closest dyadic approximation of `s_in / s_out` (per channel for per-axis
    types), and a `quant.scast` back. The result equals the real-valued
    requantize except where `(q - zp) * s_in / s_out` lies within the dyadic
    approximation error (at most 2^-31 relative) of a rounding tie.

    Only `rounding<half_up>` maps onto a rescale (TOSA SINGLE_ROUND rounds
    ties toward +infinity). The pass fails with an error naming the op for
    any other rounding, for per-channel zero points that differ, for output
    types with narrowed storage ranges and for ratios no dyadic scale can
    represent.
  }];
  let dependentDialects = [
    "::mlir::quant::QuantDialect",
    "::qcc::qc::QCDialect",
  ];
  let options = [
    Option<"scale32", "scale32", "bool", /*default=*/"true",
           "Use 32-bit multipliers (TOSA scale32); 16-bit otherwise">,
  ];
}

#endif // QCC_DIALECT_QC_TRANSFORMS_PASSES_TD
