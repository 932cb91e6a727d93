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

def QCFoldBatchNorm : Pass<"qc-fold-batch-norm"> {
  let summary = "Fold inference BatchNorm into the preceding Conv or Gemm";
  let description = [{
    `batch_norm(conv(x, W, b))` with constant `W`, `b` and BatchNorm
    parameters becomes `conv(x, W', b')` with, per output channel `m`,
    `k = scale[m] / sqrt(var[m] + eps)`, `W'[m] = W[m] * k` and
    `b'[m] = (b[m] - mean[m]) * k + bias[m]` (computed in double, stored as
    f32). The same for `qc.gemm` whose output feature `n` is normalised. A
    BatchNorm whose producer has other users, or whose parameters are not
    constants, stays as it is.
  }];
  let dependentDialects = ["::mlir::arith::ArithDialect"];
}

def QCEqualize : Pass<"qc-equalize"> {
  let summary = "Cross-layer equalization of consecutive convolutions";
  let description = [{
    Data-free quantization (Nagel et al., 2019): for `conv1 -> relu ->
    [max_pool ->] conv2` (ReLU and max pooling commute with positive
    per-channel scaling), rescales each channel `c` between the two layers
    so that their weight ranges match: with `r1[c]` the range (max |w|) of
    conv1's output channel `c` and `r2[c]` that of conv2's input channel
    `c`, `s[c] = sqrt(r1[c] / r2[c])`, conv1's weights and bias for `c` are
    divided by `s[c]` and conv2's input-channel-`c` weights multiplied by
    it. The float function is unchanged (up to rounding); per-tensor and
    per-channel weight quantization then lose less. Applies only to
    constant f32 weights with group 1, and to chains whose intermediate
    values have no other users.
  }];
  let dependentDialects = ["::mlir::arith::ArithDialect"];
}

def QCQuantize : Pass<"qc-quantize"> {
  let summary = "Quantize weights and activations of the linear layers (QDQ form)";
  let description = [{
    Rewrites every `qc.conv`, `qc.conv_transpose`, `qc.gemm` and `qc.matmul`
    so that it computes on quantized values, in quantize/dequantize ("QDQ")
    form: the float graph keeps its ops, and

    * each constant weight becomes an integer constant (rounded half to even
      and saturated by the numerics library), a `qc.storage_cast` to its
      `!quant.uniform` type and a `qc.dequantize`; symmetric weights use the
      narrow range (e.g. [-127, 127]), per output channel or per tensor;
    * each activation operand gets a `qc.quantize` / `qc.dequantize` pair
      whose scale and zero point come from the calibrated range the producer
      (or function argument) carries in `qc.act_range` (`array<f64: lo, hi>`);
      activations without a calibrated range stay in float.

    A layer carrying `qc.weight_format` (e.g. `"int4"`, `"fp6e3m2"`, set by
    mixed precision) gets that weight format instead of the options' one.

    The interpreter runs the result with exact quantization semantics
    (fake-quant evaluation). Ops whose location name is listed in
    `keep-float`, or whose op name (e.g. `qc.gemm`) is, are skipped. Biases
    stay float here (`qc-quantize-bias` quantizes them to int32).

    With `all-activations`, every calibrated activation is quantized where
    it is defined and all its users read the dequantized value, as ONNX
    Runtime's QDQ quantizer does: then each op that integer code can run
    (layers, ReLU/Clip, additions, pooling, reshapes) sits between quantized
    values, and `qc-lower-to-integer` replaces it by its integer form.
  }];
  let dependentDialects = [
    "::mlir::arith::ArithDialect",
    "::mlir::quant::QuantDialect",
    "::qcc::qc::QCDialect",
  ];
  let options = [
    Option<"weightBits", "weight-bits", "unsigned", /*default=*/"8",
           "Weight storage width (2 to 16)">,
    Option<"groupSize", "group-size", "int64_t", /*default=*/"0",
           "Integer weights: one scale per group of this many input "
           "channels within each output channel (per-group, e.g. 32/64/128; "
           "0: per channel). Layers whose input channels are not a multiple "
           "of it keep per-channel scales">,
    Option<"weightFormat", "weight-format", "std::string",
           /*default=*/"\"int\"",
           "Weight format: int (weight-bits wide), a low-bit float: "
           "f8E4M3FN, f8E5M2, f6E3M2FN, f6E2M3FN, f4E2M1FN (per-channel "
           "scales map each channel's absmax onto the format's largest "
           "value), or block-scaled along the reduction axis: mxfp8, "
           "mxfp6, mxfp4 (E8M0 scale per 32), nvfp4 (E4M3 scale per 16 "
           "times a per-tensor scale): element and scale codes read by "
           "qc.dequantize_blocks; the layer gets qc.block_weights">,
    Option<"actBits", "act-bits", "unsigned", /*default=*/"8",
           "Activation storage width (2 to 16)">,
    Option<"asymmetricWeights", "asymmetric-weights", "bool",
           /*default=*/"false",
           "Integer weights with a zero point per channel or group: the "
           "full signed range (e.g. [-8, 7]) spans each one's [min, max] "
           "(with 0) instead of the narrow range spanning +-absmax">,
    Option<"weightOnly", "weight-only", "bool", /*default=*/"false",
           "Quantize the weights only: activations stay f32 (weight-only "
           "quantization, e.g. W4A16), whatever ranges they carry">,
    Option<"perChannel", "per-channel", "bool", /*default=*/"true",
           "One weight scale per output channel (else per tensor)">,
    Option<"symmetricActs", "symmetric-acts", "bool", /*default=*/"false",
           "Symmetric activations (zero point 0) instead of asymmetric">,
    Option<"pow2Scales", "pow2-scales", "bool", /*default=*/"false",
           "Fixed point: every integer scale (weights, activations) rounded "
           "up to a power of two and activations symmetric, so that each "
           "tensor is an ap_fixed<W, I> and every requantization a shift "
           "(hls4ml's and QFX's formats)">,
    Option<"weightClipping", "weight-clipping", "std::string",
           /*default=*/"\"absmax\"",
           "Weight scale per channel or group: absmax (no clipping) or mse "
           "(the clipping factor in [0.5, 1] minimising the weights' "
           "quantization MSE, searched in steps of 0.01; integer and "
           "low-bit float formats)">,
    ListOption<"keepFloat", "keep-float", "std::string",
               "Layers to leave in float: node names or op names (qc.gemm)">,
    Option<"allActivations", "all-activations", "bool", /*default=*/"false",
           "Also quantize every other f32 activation that carries "
           "qc.act_range (layer outputs, sums, pooled values), for all its "
           "users: the form in which qc-lower-to-integer finds each op "
           "between quantized values (integer-only inference)">,
  ];
}

def QCQuantizeBias : Pass<"qc-quantize-bias"> {
  let summary = "Quantize the biases of quantized layers to int32";
  let description = [{
    For a `qc.conv` or `qc.gemm` (with beta 1) whose input and weight are
    quantized (QDQ form, per-tensor input scale `s_x`, per-tensor or
    per-channel weight scales `s_w[c]`) and whose bias is a float constant,
    replaces the bias by int32 values `round_half_even(b[c] / s_b[c])` with
    `s_b[c] = s_x * s_w[c]` (a float product, as ONNX Runtime computes it),
    a storage cast and a dequantize. This is the bias integer-only code adds
    to the int32 accumulator, so fake-quant evaluation sees its rounding too;
    the QDQ ONNX export carries it as a DequantizeLinear of an int32
    initializer, as ONNX Runtime's quantizer emits it.
  }];
  let dependentDialects = [
    "::mlir::arith::ArithDialect",
    "::mlir::quant::QuantDialect",
  ];
}

def QCPackWeights : Pass<"qc-pack-weights"> {
  let summary = "Store low-bit weight constants as packed bytes";
  let description = [{
    Replaces each integer constant of 1 to `max-bits` bits that a weighted
    layer (conv, conv_transpose, gemm, 2-d matmul) reads as its weight,
    directly (integer-only form) or through `qc.storage_cast` and
    `qc.dequantize` (QDQ and weight-only forms), by the bytes of qcc's
    packed layout (docs/packing.md) and a `qc.unpack`: rows are the weight's
    output channels, each running over the dimensions the layer sums over.
    Values are unchanged (the interpreter computes the same model); the
    constant shrinks to bits/8 bytes per weight, and code generators read
    the packed bytes directly.

    Each packed weight gets a remark with its footprint (packed bytes, and
    what it took as a byte per code); the module gets the totals.
  }];
  let dependentDialects = ["::mlir::arith::ArithDialect"];
  let options = [
    Option<"maxBits", "max-bits", "unsigned", /*default=*/"7",
           "Pack weights of at most this many bits (1 to 8; 8 also stores "
           "int8/FP8 weights in row layout)">,
  ];
}

def QCLowerToInteger : Pass<"qc-lower-to-integer"> {
  let summary = "Replace ops between quantized values by integer-only code";
  let description = [{
    Rewrites the QDQ form (`qc-quantize` with `all-activations`, int32
    biases from `qc-quantize-bias` or float biases) into integer-only
    inference (HAWQ-V3 dyadic quantization, TOSA semantics). Each
    `qc.quantize` whose input is computed from dequantized values becomes
    the integer form of that computation:

    * `conv` (any group) / `gemm` (optionally followed by ReLU or constant
      Clip) on a per-tensor input and per-channel or per-tensor symmetric
      integer weights: an integer `qc.conv` / `qc.gemm` with an int32 accumulator
      and bias, then a `qc.rescale` by `s_x * s_w[c] / s_y` per output
      channel, then a `qc.clip` to the activation's range
      (`[quantize(0), max]` for ReLU). The input zero point is folded into
      the bias (`b[c] - zp_x * sum(W[c])`); convolution padding becomes a
      `qc.pad` with the zero point, so padded positions contribute nothing.
      A `matmul`'s bias is an `add` of a constant on either side.
      Per-channel minifloat weights (FP8 E4M3, FP6, FP4) count as integer
      weights decoded to fixed point: every code of a format is a multiple
      of its smallest subnormal `2^-k`, so the weights become the exact
      integers `decode(code) * 2^k` at scales `s_w[c] * 2^-k` (FP4 E2M1:
      5-bit integers, FP8 E4M3: up to 19 bits), where `K * 255 *
      max|weight|` stays below `2^30` (no int32 overflow); others stay
      float islands.
    * a per-channel affine map of an NCHW activation no layer absorbed,
      possibly moved by transposes or reshapes first: a `batch_norm`
      (DenseNet's, after each concat) or a `mul` by one constant per
      channel (ConvNeXt's layer scale): a 1x1 depthwise integer `qc.conv`
      with weights +-127 at the per-channel scales `|k[c]| / 127` (exact)
      and the shifts as its int32 bias, then the per-channel rescale and
      clamp.
    * `add`: both inputs rescaled to int32 at a common scale
      `2 * max(s_a, s_b) / 2^20` (TFLite's and TOSA's scheme), added, and
      rescaled to the output.
    * `global_avg_pool` and `reduce_mean` (over static axes): an int32
      `qc.reduce_sum` rescaled by `s_x / (count * s_y)` with input zero
      point `count * zp_x`;
      `avg_pool` with one window size everywhere (no padding, or
      `count_include_pad`; no `ceil_mode`): a `qc.pad` with the zero point
      if padded, an int32 `qc.sum_pool`, and the same rescale.
    * `max_pool`, `reshape`, `transpose`, `slice` and `concat` run on the stored
      integers. Where an operand's per-tensor type is not the output's, a
      rescale converts: after a one-operand op (a monotone map commutes
      with moving and with max), before a `concat` (its inputs: SqueezeNet's
      fire modules, Inception's branches, DenseNet's features).
    * `pad`: the integers (rescaled to the output's type) padded with the
      pad value's code.
    * a one-operand `max_pool`, `reshape`, `transpose` or `slice` of a
      dequantized activation runs on the integers, and the dequantize
      follows it: a quantize of its result is then a rescale (or nothing),
      and a graph output or a float island's input moves integers.
    * `quantize(dequantize(q))`: a rescale between the two types (or `q`).
    * an element-wise function of one per-tensor activation of at most 12
      bits: a tree of activations (`hard_swish`, `sigmoid`, `erf`, ...: any
      op of `ScalarFunctionOpInterface`) and `add`, `sub`, `mul` and `div`
      whose leaves are the activation and scalar constants (SiLU as PyTorch
      exports it, `x * sigmoid(x)`; GELU as ops, `x * (erf(x / sqrt 2) + 1)
      * 0.5`): a `qc.table` with one entry per input code, each the output
      quantize of the tree at the dequantized code, evaluated as the
      interpreter does (each activation's `evaluate` and each arithmetic op
      in double, rounded to f32), so the table reproduces the QDQ form's
      reference evaluation exactly.
    * `mul` of two factors, each a per-tensor activation or an activation
      function of one (a squeeze-and-excitation gate `x * sigmoid(g)`,
      broadcast as `qc.mul` broadcasts): an int32 `qc.mul` of integer
      factors, then a `qc.rescale` by the factors' scales over `s_y`. An
      activation's factor is its integers less its zero point; a function's
      is a `qc.table` from its input codes (at most 12 bits) to int32
      levels of `max|f| / L`, with `L` up to 2^20 levels, as many as keep
      the product within int32 (2^15 each when both factors are
      functions). Products that could overflow int32 stay float.

    Every multiplier is the numerics library's dyadic approximation; the
    result differs from fake-quant evaluation only by float rounding in the
    latter and by TOSA's round-half-up (and, for a tabulated gate, by its
    levels). Anything else (Softmax, matrix products of two activations,
    per-group or
    low-bit float weights, ...) is left as it is: a float island between a
    dequantize and a quantize, which `qc-check-integer-only` reports.
  }];
  let dependentDialects = [
    "::mlir::arith::ArithDialect",
    "::mlir::quant::QuantDialect",
    "::qcc::qc::QCDialect",
  ];
}

def QCCheckIntegerOnly : Pass<"qc-check-integer-only"> {
  let summary = "Check that no float op remains between input quantization and output dequantization";
  let description = [{
    Integer-only inference means: the graph between the quantization of the
    function's arguments and the dequantization of its results has no
    floating-point arithmetic. This pass finds every op that computes on
    float values there (a float island: anything other than a
    `qc.quantize` of an argument or a `qc.dequantize` whose value is only
    returned) and reports it, naming the op and its ONNX node. By default
    each is an error and the pass fails; with `allow-float-islands` each is
    a warning (the compile report lists them) and the pass succeeds.
  }];
  let options = [
    Option<"allowFloatIslands", "allow-float-islands", "bool",
           /*default=*/"false",
           "Warn about float islands instead of failing">,
  ];
}

def QCSetBatchSize : Pass<"qc-set-batch-size", "::mlir::func::FuncOp"> {
  let summary = "Give the dynamic batch dimension a static size";
  let description = [{
    Models take a batch of any size along dimension 0 (`?`). This pass
    replaces that dynamic size by `batch-size` in the function's arguments,
    then gives every value a static shape, in program order, from its
    operands' static shapes: element-wise ops, broadcasts, `qc.matmul`,
    `qc.gemm`, `qc.transpose`, `qc.reshape` (the one dynamic dimension from
    the element count), `qc.slice`, `qc.concat` and `qc.expand` (whose sizes
    it drops) follow their operands, so a transformer's batch moved to
    dimension 1, or multiplied by its heads, gets the right size. Another
    op's dynamic dimension 0 is its operand 0's (the batch a convolution or
    pooling keeps) or the batch size. Code generation then sees static
    shapes throughout (constant strides that LLVM vectorizes, static
    buffers). The CPU target compiles the batch-1 function and runs larger
    batches one sample at a time. Fails, naming the op, on a dynamic
    dimension that follows from none of these.
  }];
  let options = [
    Option<"batchSize", "batch-size", "int64_t", /*default=*/"1",
           "The static size of dimension 0">,
  ];
}

#endif // QCC_DIALECT_QC_TRANSFORMS_PASSES_TD
