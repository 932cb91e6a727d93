//===- QCOps.td - qc dialect ops ---------------------------*- tablegen -*-===//

#ifndef QCC_DIALECT_QC_IR_QCOPS_TD
#define QCC_DIALECT_QC_IR_QCOPS_TD

include "qcc/Dialect/QC/IR/QCDialect.td"
include "qcc/Dialect/QC/IR/QCAttrs.td"
include "qcc/Dialect/QC/IR/QCTypes.td"
include "qcc/Dialect/QC/IR/QCGraphOps.td"
include "mlir/IR/CommonAttrConstraints.td"
include "mlir/Interfaces/SideEffectInterfaces.td"

// An i64 attribute read back sign-extended (I64Attr's accessor zero-extends,
// turning a zero point of -3 into 2^64 - 3).
def QC_SignedI64Attr : TypedSignlessIntegerAttrBase<I64, "int64_t",
    "64-bit signless integer attribute read as signed"> {
  let convertFromStorage = "$_self.getValue().getSExtValue()";
}

def QC_FloatTensor : RankedTensorOf<[F32, F16, BF16]>;
def QC_IntegerTensor : RankedTensorOf<[AnySignlessInteger]>;

def QC_QuantizeOp : QC_Op<"quantize", [Pure, SameOperandsAndResultShape]> {
  let summary = "quantizes a float tensor (ONNX QuantizeLinear)";
  let description = [{
    Converts each real value `x` to the result's quantized element type.
    All float arithmetic is in single precision, in this order, so that
    results match ONNX Runtime bit for bit:

    * `!quant.uniform` (integer storage, per tensor, per axis or per group):
      `q = clamp(round(x / scale) + zero_point, storage_min, storage_max)`.
      `x / scale` is a float division; `round` is `rounding`
      (default `half_to_even`, as ONNX). NaN gives `zero_point`; infinities
      saturate.
    * `!qc.float` (FP8/FP6/FP4 with a scale): `q = encode(x / scale)`,
      rounded by `rounding` and saturating to the format's largest finite
      value (ONNX `saturate=1`). NaN gives NaN where the format has one,
      +0 otherwise (FP6/FP4).
    * `!qc.block` (MX, NVFP4): per block, the scale code is computed from the
      block's largest magnitude (see the type), then each element is
      `encode(x / (decode(scale) * tensor_scale))`, nearest-even and
      saturating. `rounding` must be `half_to_even`.

    The element semantics is `qcc::numerics::quantizeInteger`,
    `quantizeMinifloat` and `quantizeBlock`.

    ```mlir
    %q = qc.quantize %x : tensor<4x16xf32> -> tensor<4x16x!quant.uniform<i8:f32, 0.05:-3>>
    %r = qc.quantize %x rounding<half_up> : tensor<4x16xf32> -> tensor<4x16x!quant.uniform<u4:f32:1, {...}>>
    ```
  }];
  let arguments = (ins
    QC_FloatTensor:$input,
    DefaultValuedAttr<QC_RoundingModeAttr,
                      "::qcc::qc::RoundingMode::HalfToEven">:$rounding
  );
  let results = (outs AnyRankedTensor:$output);
  let assemblyFormat = [{
    $input (`rounding` `` $rounding^)? attr-dict `:` type($input) `->` type($output)
  }];
  let hasVerifier = 1;
}

def QC_DequantizeOp : QC_Op<"dequantize", [Pure, SameOperandsAndResultShape]> {
  let summary = "dequantizes to a float tensor (ONNX DequantizeLinear)";
  let description = [{
    Converts each quantized element back to its real value, in single
    precision:

    * `!quant.uniform`: `x = float(q - zero_point) * scale`.
    * `!qc.float`: `x = float(decode(q)) * scale`.
    * `!qc.block`: `x = float(decode(q)) * (float(decode(block_scale)) * tensor_scale)`.

    The result element type must be the quantized type's expressed type.
    The element semantics is `qcc::numerics::dequantizeInteger`,
    `dequantizeMinifloat` and `dequantizeBlockElement`.
  }];
  let arguments = (ins AnyRankedTensor:$input);
  let results = (outs QC_FloatTensor:$output);
  let assemblyFormat = [{
    $input attr-dict `:` type($input) `->` type($output)
  }];
  let hasVerifier = 1;
}

def QC_RequantizeOp : QC_Op<"requantize", [Pure, SameOperandsAndResultShape]> {
  let summary = "changes the scale and zero point of an integer tensor";
  let description = [{
    Re-expresses integer-quantized values in another `!quant.uniform` type
    (per tensor or per axis) with an explicit rounding mode. With `c` the
    index along the quantized axis (if any), and `r = s_in[c] / s_out[c]`
    computed in double precision:

    `q_out = clamp(round((q_in - zp_in[c]) * r) + zp_out[c], out_min, out_max)`

    where the product is a double-precision product and `round` is
    `rounding`. This is the exact, real-valued form. Integer-only code uses
    the dyadic `qc.rescale`; the `qc-lower-requantize` pass converts one into
    the other (which is exact up to the dyadic approximation of `r`).

    ```mlir
    %y = qc.requantize %acc rounding<half_up>
        : tensor<8x!quant.uniform<i32:f32, 0.0004>> -> tensor<8x!quant.uniform<i8:f32, 0.05:-3>>
    ```
  }];
  let arguments = (ins AnyRankedTensor:$input, QC_RoundingModeAttr:$rounding);
  let results = (outs AnyRankedTensor:$output);
  let assemblyFormat = [{
    $input `rounding` `` $rounding attr-dict `:` type($input) `->` type($output)
  }];
  let hasVerifier = 1;
}

def QC_RescaleOp : QC_Op<"rescale", [Pure, SameOperandsAndResultShape]> {
  let summary = "dyadic integer rescale with TOSA RESCALE semantics";
  let description = [{
    Integer-only requantization: every real scale is a dyadic number
    `multiplier / 2^shift`. Operands are signless integers; `input_unsigned`
    and `output_unsigned` say how to read and clamp them (as TOSA 1.0). For
    each element `v` (zero- or sign-extended to 64 bits) and `c` its index
    along `axis` (0 without `axis`):

    ```
    x = v - input_zp
    if scale32:   // TOSA apply_scale_32; requires x in [-2^(shift-1), 2^(shift-1))
      round = 2^(shift-1)
      if rounding_mode == double_round and shift > 31:
        round += (x >= 0 ? 2^30 : -2^30)
      y = (x * multiplier[c] + round) >> shift          // 64-bit, arithmetic shift
    else:         // TOSA apply_scale_16; requires x in int48, y in int32
      y = (x * multiplier[c] + 2^(shift-1)) >> shift
    out = clamp(y + output_zp, out_min, out_max)        // y + output_zp in int32
    ```

    Constraints (checked by the verifier): multipliers in `[0, 2^31)` with
    `scale32`, `[0, 2^15)` without; shifts in `[2, 62]`; `double_round` only
    with `scale32`; an input of at most 32 bits with `scale32` and 48 bits
    without; an output of at most 32 bits; zero points within the range of
    their operand. Inputs outside the value range TOSA REQUIREs make the
    result undefined; the interpreter reports them. TOSA always scales per
    channel along the last dimension; `axis` generalises that (a lowering to
    `tosa.rescale` transposes when `axis` is not last).

    The element semantics is `qcc::numerics::rescale`.

    ```mlir
    %y = qc.rescale %acc multiplier [1518500250] shift [38] zp (0, -3)
        : tensor<8xi32> -> tensor<8xi8>
    ```
  }];
  let arguments = (ins
    QC_IntegerTensor:$input,
    DenseI32ArrayAttr:$multiplier,
    DenseI8ArrayAttr:$shift,
    QC_SignedI64Attr:$input_zp,
    QC_SignedI64Attr:$output_zp,
    OptionalAttr<ConfinedAttr<I64Attr, [IntNonNegative]>>:$axis,
    DefaultValuedAttr<BoolAttr, "true">:$scale32,
    DefaultValuedAttr<QC_RescaleRoundingAttr,
                      "::qcc::qc::RescaleRounding::SingleRound">:$rounding_mode,
    UnitAttr:$input_unsigned,
    UnitAttr:$output_unsigned
  );
  let results = (outs QC_IntegerTensor:$output);
  let assemblyFormat = [{
    $input `multiplier` $multiplier `shift` $shift (`axis` $axis^)?
    `zp` ` ` `(` $input_zp `,` $output_zp `)` attr-dict
    `:` type($input) `->` type($output)
  }];
  let hasVerifier = 1;
  let extraClassDeclaration = [{
    /// The numerics library's parameters of channel `c`.
    ::qcc::numerics::RescaleParams getRescaleParams(unsigned c);
  }];
}

def QC_TableOp : QC_Op<"table", [Pure]> {
  let summary = "element-wise table lookup on integers (TOSA TABLE)";
  let description = [{
    `output[i] = table[input[i] - min]`, `min` the least value of the
    input's signless integers read as signed (-128 for `i8`): the table has
    one entry per input value, `2^bits` of them. Integer-only inference
    computes an activation of quantized values (`qc.hard_swish`,
    `qc.sigmoid`, ...) this way: `qc-lower-to-integer` tabulates
    dequantize, the activation and the output quantize over every input
    code, as the reference interpreter computes them.

    ```mlir
    %y = qc.table %x, %lut : (tensor<1x16xi8>, tensor<256xi8>) -> tensor<1x16xi8>
    ```
  }];
  let arguments = (ins QC_IntegerTensor:$input,
                   RankedTensorOf<[AnySignlessInteger], [HasAnyRankOfPred<[1]>]>:$table);
  let results = (outs QC_IntegerTensor:$output);
  let assemblyFormat = "$input `,` $table attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
}

def QC_StorageCastOp : QC_Op<"storage_cast", [Pure, SameOperandsAndResultShape]> {
  let summary = "reinterprets integers as a quantized type or back";
  let description = [{
    Casts between an integer tensor and a `!quant.uniform` tensor whose
    storage it holds, without changing any stored value (like `quant.scast`,
    but the integer side may be signless, signed or unsigned, so that ONNX's
    `uint8` tensors keep their signedness: `ui8` pairs with `u8` storage).
    A `!qc.float` tensor's storage is its codes, held in integers of the
    format's width (`i8` for FP8, `i6` for FP6, `i4` for FP4).

    ```mlir
    %q = qc.storage_cast %x : tensor<4xui8> -> tensor<4x!quant.uniform<u8:f32, 0.1:128>>
    ```
  }];
  let arguments = (ins AnyRankedTensor:$input);
  let results = (outs AnyRankedTensor:$output);
  let assemblyFormat = "$input attr-dict `:` type($input) `->` type($output)";
  let hasVerifier = 1;
  let hasFolder = 1;
}

def QC_UnpackOp : QC_Op<"unpack", [Pure]> {
  let summary = "weight codes from their packed bytes";
  let description = [{
    The tensor of codes (`i1` .. `i8`, signless or unsigned: integers or the
    codes of a `!qc.float` weight) whose bytes `packed` holds in qcc's
    packed layout (docs/packing.md): the result is divided into rows, one
    per index of the dimensions not in `reduction_dims`, taken in row-major
    order; each row runs over `reduction_dims` (in row-major order) and is
    packed on its own in bit planes, the first element in the lowest bits.
    For a weight, the reduction dimensions are those a layer sums over, so
    each row is one output channel's weights, in the order kernels read
    them (`qc-pack-weights` produces this op).

    ```mlir
    // [K = 64, N = 32] int4 gemm weights: 32 rows (columns of the result)
    // of 64 codes, 32 bytes each.
    %w = qc.unpack %bytes {reduction_dims = array<i64: 0>}
        : tensor<1024xi8> -> tensor<64x32xi4>
    ```
  }];
  let arguments = (ins RankedTensorOf<[I8]>:$packed,
                       DenseI64ArrayAttr:$reduction_dims);
  let results = (outs RankedTensorOf<[AnyInteger]>:$output);
  let assemblyFormat = "$packed attr-dict `:` type($packed) `->` type($output)";
  let hasVerifier = 1;
}

def QC_DequantizeBlocksOp : QC_Op<"dequantize_blocks", [Pure]> {
  let summary = "block-scaled weights (OCP MX, NVFP4) from their codes";
  let description = [{
    The real values of constant block-scaled weights, whose scales are data:
    element `i` is `decode(codes[i]) * decode(scales[block(i)]) *
    tensor_scale` in the `format` (a `!qc.block` type) exactly as the
    numerics library's `dequantizeBlockElement` computes it. Blocks are
    `block` consecutive elements along `axis` (a layer's reduction axis);
    `scales` holds one E8M0 (MX) or E4M3 (NVFP4) code per block: the
    codes' shape with dimension `axis` divided by the block size.
    `qc-quantize` produces it for `mxfp8`, `mxfp6`, `mxfp4` and `nvfp4`
    weights; `qc-pack-weights` packs its codes and code generation reads
    them with the block-scaled weight kernel.

    ```mlir
    // MXFP4 gemm weights [K = 64, N = 8]: 2 blocks of 32 per column.
    %w = qc.dequantize_blocks %codes, %scales
        {format = !qc.block<f4E2M1FN:f32, scale = f8E8M0FNU, block = 32, axis = 0>}
        : (tensor<64x8xi4>, tensor<2x8xi8>) -> tensor<64x8xf32>
    ```
  }];
  let arguments = (ins RankedTensorOf<[AnyInteger]>:$codes,
                       RankedTensorOf<[I8]>:$scales,
                       TypeAttrOf<QC_BlockScaledType>:$format);
  let results = (outs RankedTensorOf<[F32]>:$output);
  let assemblyFormat = [{
    $codes `,` $scales attr-dict `:` functional-type(operands, results)
  }];
  let hasVerifier = 1;
  let extraClassDeclaration = [{
    /// The format's block type.
    BlockScaledType getBlockType() {
      return ::llvm::cast<BlockScaledType>(getFormat());
    }
  }];
}

#endif // QCC_DIALECT_QC_IR_QCOPS_TD
