//===- QCGraphOps.td - qc graph-level (ONNX-like) ops ------*- tablegen -*-===//
//
// The graph IR the ONNX importer produces: one op per neural-network layer,
// on ranked tensors with static shapes except (usually) a dynamic batch.
// Semantics are ONNX's, with every attribute normalised by the importer
// (explicit pads instead of auto_pad, non-negative axes, full-rank slice
// parameters, shapes in result types), so that passes and the interpreter
// never re-derive ONNX defaults or opset differences.
//
// The same ops carry quantized operands in the quantized graph IR.
//
//===----------------------------------------------------------------------===//

#ifndef QCC_DIALECT_QC_IR_QCGRAPHOPS_TD
#define QCC_DIALECT_QC_IR_QCGRAPHOPS_TD

include "qcc/Dialect/QC/IR/QCDialect.td"
include "qcc/Dialect/QC/IR/QCAttrs.td"
include "qcc/Dialect/QC/IR/QCInterfaces.td"
include "mlir/IR/CommonAttrConstraints.td"
include "mlir/IR/CommonTypeConstraints.td"
include "mlir/IR/OpBase.td"
include "mlir/Interfaces/InferTypeOpInterface.td"
include "mlir/Interfaces/SideEffectInterfaces.td"

class QC_GraphOp<string mnemonic, list<Trait> traits = []>
    : QC_Op<mnemonic, !listconcat([Pure], traits)>;

def QC_AnyTensor : RankedTensorOf<[AnyType]>;

//===----------------------------------------------------------------------===//
// Element-wise
//===----------------------------------------------------------------------===//

class QC_BinaryOp<string mnemonic, string onnxName, string formula,
                  list<Trait> traits = []>
    : QC_GraphOp<mnemonic, traits> {
  let summary = "element-wise " # onnxName # " with NumPy broadcasting";
  let description = "ONNX `" # onnxName # "`: `output = " # formula #
    "`, operands broadcast as NumPy does. Integer division truncates "
    "toward zero.";
  let arguments = (ins QC_AnyTensor:$lhs, QC_AnyTensor:$rhs);
  let results = (outs QC_AnyTensor:$output);
  let assemblyFormat = [{
    $lhs `,` $rhs attr-dict `:` functional-type(operands, results)
  }];
  // The result has the broadcast shape (precise diagnostics, unlike
  // ResultsBroadcastableShape).
  let hasVerifier = 1;
}

def QC_AddOp : QC_BinaryOp<"add", "Add", "lhs + rhs", [QC_RescalesToResult]>;
def QC_SubOp : QC_BinaryOp<"sub", "Sub", "lhs - rhs">;
def QC_MulOp : QC_BinaryOp<"mul", "Mul", "lhs * rhs">;
def QC_DivOp : QC_BinaryOp<"div", "Div", "lhs / rhs">;
def QC_PowOp : QC_BinaryOp<"pow", "Pow", "lhs ^ rhs">;

class QC_UnaryOp<string mnemonic, string onnxName, string formula,
                 dag attrs = (ins)>
    : QC_GraphOp<mnemonic, [SameOperandsAndResultType,
        DeclareOpInterfaceMethods<QC_ScalarFunctionOpInterface>]> {
  let summary = "element-wise " # onnxName;
  let description = "ONNX `" # onnxName # "`: `y = " # formula # "`.";
  let arguments = !con((ins QC_AnyTensor:$input), attrs);
  let results = (outs QC_AnyTensor:$output);
  let assemblyFormat = "$input attr-dict `:` type($input)";
}

def QC_ReluOp : QC_UnaryOp<"relu", "Relu", "max(x, 0)">;
def QC_SigmoidOp : QC_UnaryOp<"sigmoid", "Sigmoid", "1 / (1 + exp(-x))">;
def QC_TanhOp : QC_UnaryOp<"tanh", "Tanh", "tanh(x)">;
def QC_ErfOp : QC_UnaryOp<"erf", "Erf", "erf(x)">;
def QC_SqrtOp : QC_UnaryOp<"sqrt", "Sqrt", "sqrt(x)">;
def QC_HardSwishOp : QC_UnaryOp<"hard_swish", "HardSwish",
    "x * max(0, min(1, x / 6 + 1 / 2))">;
def QC_LeakyReluOp : QC_UnaryOp<"leaky_relu", "LeakyRelu",
    "x >= 0 ? x : alpha * x", (ins F32Attr:$alpha)>;
def QC_HardSigmoidOp : QC_UnaryOp<"hard_sigmoid", "HardSigmoid",
    "max(0, min(1, alpha * x + beta))", (ins F32Attr:$alpha, F32Attr:$beta)>;
def QC_GeluOp : QC_UnaryOp<"gelu", "Gelu",
    "0.5 * x * (1 + erf(x / sqrt(2))), or with `tanh_approximation` "
    "0.5 * x * (1 + tanh(sqrt(2 / pi) * (x + 0.044715 * x^3)))",
    (ins UnitAttr:$tanh_approximation)>;

def QC_ClipOp : QC_GraphOp<"clip", [AttrSizedOperandSegments]> {
  let summary = "element-wise clamp (ONNX Clip)";
  let description = [{
    `y = min(max(x, min), max)`; a missing bound does not clamp. The bounds
    are rank-0 tensors of the input's element type.
  }];
  let arguments = (ins QC_AnyTensor:$input, Optional<QC_AnyTensor>:$min,
                   Optional<QC_AnyTensor>:$max);
  let results = (outs QC_AnyTensor:$output);
  let assemblyFormat = [{
    $input (`min` $min^)? (`max` $max^)? attr-dict `:` functional-type(operands, results)
  }];
  let hasVerifier = 1;
}

def QC_CastOp : QC_GraphOp<"cast", [SameOperandsAndResultShape]> {
  let summary = "element type conversion (ONNX Cast)";
  let description = [{
    Converts each element to the result's element type: float to integer
    truncates toward zero (saturating), integer to integer wraps, float to
    float rounds to nearest even.
  }];
  let arguments = (ins QC_AnyTensor:$input);
  let results = (outs QC_AnyTensor:$output);
  let assemblyFormat = "$input attr-dict `:` type($input) `->` type($output)";
}

//===----------------------------------------------------------------------===//
// Linear layers
//===----------------------------------------------------------------------===//

def QC_ConvOp : QC_GraphOp<"conv",
    [DeclareOpInterfaceMethods<QC_WeightedLayerOpInterface>]> {
  let summary = "N-d grouped convolution (ONNX Conv)";
  let description = [{
    Input `[N, C, D1, ...]`, weight `[M, C / group, K1, ...]`, optional bias
    `[M]`. `pads` holds the begin pads of every spatial axis followed by the
    end pads (ONNX order; the importer resolves `auto_pad`). Output size per
    axis: `floor((D + pad_begin + pad_end - dilation * (K - 1) - 1) / stride) + 1`.
  }];
  let arguments = (ins QC_AnyTensor:$input, QC_AnyTensor:$weight,
                   Optional<QC_AnyTensor>:$bias,
                   DenseI64ArrayAttr:$strides, DenseI64ArrayAttr:$pads,
                   DenseI64ArrayAttr:$dilations, I64Attr:$group);
  let results = (outs QC_AnyTensor:$output);
  let assemblyFormat = [{
    $input `,` $weight (`,` $bias^)? attr-dict `:` functional-type(operands, results)
  }];
  let hasVerifier = 1;
}

def QC_ConvTransposeOp : QC_GraphOp<"conv_transpose",
    [DeclareOpInterfaceMethods<QC_WeightedLayerOpInterface>]> {
  let summary = "N-d grouped transposed convolution (ONNX ConvTranspose)";
  let description = [{
    Input `[N, C, D1, ...]`, weight `[C, M / group, K1, ...]`, optional bias
    `[M]`. Output size per axis:
    `stride * (D - 1) + output_padding + dilation * (K - 1) + 1 - pad_begin - pad_end`
    (the importer turns `output_shape` and `auto_pad` into `pads`).
  }];
  let arguments = (ins QC_AnyTensor:$input, QC_AnyTensor:$weight,
                   Optional<QC_AnyTensor>:$bias,
                   DenseI64ArrayAttr:$strides, DenseI64ArrayAttr:$pads,
                   DenseI64ArrayAttr:$dilations,
                   DenseI64ArrayAttr:$output_padding, I64Attr:$group);
  let results = (outs QC_AnyTensor:$output);
  let assemblyFormat = [{
    $input `,` $weight (`,` $bias^)? attr-dict `:` functional-type(operands, results)
  }];
  let hasVerifier = 1;
}

def QC_GemmOp : QC_GraphOp<"gemm",
    [DeclareOpInterfaceMethods<QC_WeightedLayerOpInterface>]> {
  let summary = "general matrix multiply (ONNX Gemm)";
  let description = [{
    `Y = alpha * op(A) * op(B) + beta * C` with `op` transposing when
    `trans_a` / `trans_b` is set; `C` broadcasts to `[M, N]`.
  }];
  let arguments = (ins QC_AnyTensor:$a, QC_AnyTensor:$b,
                   Optional<QC_AnyTensor>:$c, F32Attr:$alpha, F32Attr:$beta,
                   BoolAttr:$trans_a, BoolAttr:$trans_b);
  let results = (outs QC_AnyTensor:$output);
  let assemblyFormat = [{
    $a `,` $b (`,` $c^)? attr-dict `:` functional-type(operands, results)
  }];
  let hasVerifier = 1;
}

def QC_MatMulOp : QC_GraphOp<"matmul",
    [DeclareOpInterfaceMethods<QC_WeightedLayerOpInterface,
                               ["getActivationOperandIndices"]>]> {
  let summary = "matrix product with NumPy semantics (ONNX MatMul)";
  let description = [{
    `numpy.matmul`: 1-d operands are promoted to matrices, leading (batch)
    dimensions broadcast. Integer operands accumulate in the result type.
  }];
  let arguments = (ins QC_AnyTensor:$lhs, QC_AnyTensor:$rhs);
  let results = (outs QC_AnyTensor:$output);
  let assemblyFormat = [{
    $lhs `,` $rhs attr-dict `:` functional-type(operands, results)
  }];
  let hasVerifier = 1;
}

//===----------------------------------------------------------------------===//
// Normalisation and reductions
//===----------------------------------------------------------------------===//

def QC_SoftmaxOp : QC_GraphOp<"softmax", [SameOperandsAndResultType]> {
  let summary = "softmax along one axis (ONNX Softmax, opset 13 semantics)";
  let description = [{
    `y = exp(x - max(x)) / sum(exp(x - max(x)))` along `axis`. Older
    opsets' 2-d coercion is expressed with reshapes by the importer.
  }];
  let arguments = (ins QC_AnyTensor:$input, I64Attr:$axis);
  let results = (outs QC_AnyTensor:$output);
  let assemblyFormat = "$input attr-dict `:` type($input)";
  let hasVerifier = 1;
}

def QC_LayerNormOp : QC_GraphOp<"layer_norm"> {
  let summary = "layer normalization (ONNX LayerNormalization)";
  let description = [{
    Normalises over the axes `[axis, rank)`:
    `y = (x - mean) / sqrt(var + epsilon) * scale + bias` (population
    variance); `scale` and `bias` broadcast over those axes.
  }];
  let arguments = (ins QC_AnyTensor:$input, QC_AnyTensor:$scale,
                   Optional<QC_AnyTensor>:$bias, I64Attr:$axis,
                   F32Attr:$epsilon);
  let results = (outs QC_AnyTensor:$output);
  let assemblyFormat = [{
    $input `,` $scale (`,` $bias^)? attr-dict `:` functional-type(operands, results)
  }];
  let hasVerifier = 1;
}

def QC_BatchNormOp : QC_GraphOp<"batch_norm"> {
  let summary = "inference batch normalization (ONNX BatchNormalization)";
  let description = [{
    Per channel (axis 1):
    `y = (x - mean[c]) / sqrt(var[c] + epsilon) * scale[c] + bias[c]`.
  }];
  let arguments = (ins QC_AnyTensor:$input, QC_AnyTensor:$scale,
                   QC_AnyTensor:$bias, QC_AnyTensor:$mean,
                   QC_AnyTensor:$variance, F32Attr:$epsilon);
  let results = (outs QC_AnyTensor:$output);
  let assemblyFormat = [{
    $input `,` $scale `,` $bias `,` $mean `,` $variance attr-dict `:` functional-type(operands, results)
  }];
  let hasVerifier = 1;
}

def QC_ReduceMeanOp : QC_GraphOp<"reduce_mean"> {
  let summary = "mean over axes (ONNX ReduceMean)";
  let description = [{
    Mean over the (sorted, non-negative) `axes`; reduced axes are kept with
    size 1 when `keepdims` is set and dropped otherwise.
  }];
  let arguments = (ins QC_AnyTensor:$input, DenseI64ArrayAttr:$axes,
                   BoolAttr:$keepdims);
  let results = (outs QC_AnyTensor:$output);
  let assemblyFormat = "$input attr-dict `:` type($input) `->` type($output)";
  let hasVerifier = 1;
}

def QC_ReduceSumOp : QC_GraphOp<"reduce_sum"> {
  let summary = "sum over axes (ONNX ReduceSum)";
  let description = [{
    Sum over the (sorted, non-negative) `axes`, kept with size 1 when
    `keepdims` is set and dropped otherwise. Integer inputs accumulate
    exactly in the (wider) result type: integer average pooling is a sum
    followed by a dyadic `qc.rescale`.
  }];
  let arguments = (ins QC_AnyTensor:$input, DenseI64ArrayAttr:$axes,
                   BoolAttr:$keepdims);
  let results = (outs QC_AnyTensor:$output);
  let assemblyFormat = "$input attr-dict `:` type($input) `->` type($output)";
  let hasVerifier = 1;
}

//===----------------------------------------------------------------------===//
// Pooling
//===----------------------------------------------------------------------===//

class QC_PoolOp<string mnemonic, string onnxName, dag extra,
                list<Trait> traits = []>
    : QC_GraphOp<mnemonic, traits> {
  let summary = "N-d " # onnxName # " pooling";
  let arguments = !con((ins QC_AnyTensor:$input,
                            DenseI64ArrayAttr:$kernel_shape,
                            DenseI64ArrayAttr:$strides,
                            DenseI64ArrayAttr:$pads,
                            DenseI64ArrayAttr:$dilations,
                            BoolAttr:$ceil_mode), extra);
  let results = (outs QC_AnyTensor:$output);
  let assemblyFormat = "$input attr-dict `:` type($input) `->` type($output)";
  let hasVerifier = 1;
}

def QC_MaxPoolOp : QC_PoolOp<"max_pool", "MaxPool", (ins),
                             [QC_ScalePreserving]> {
  let description = [{
    ONNX `MaxPool` on `[N, C, D1, ...]`; padding never wins the max. Output
    size per axis: `floor_or_ceil((D + pads - dilation * (K - 1) - 1) / stride) + 1`,
    where with `ceil_mode` a window must start inside the input or the
    begin padding.
  }];
}

def QC_AvgPoolOp : QC_PoolOp<"avg_pool", "AveragePool",
                             (ins BoolAttr:$count_include_pad),
                             [QC_RescalesToResult]> {
  let description = [{
    ONNX `AveragePool` on `[N, C, D1, ...]`: the mean of the window's
    elements inside the input, or with `count_include_pad` the sum divided
    by the window size clipped to the padded input.
  }];
}

def QC_SumPoolOp : QC_PoolOp<"sum_pool", "sum", (ins)> {
  let description = [{
    Sum of each window's elements inside the input on `[N, C, D1, ...]`
    (padding contributes nothing); output size as `qc.max_pool`. Not an
    ONNX op: integer average pooling is a `qc.sum_pool` of int8 values into
    int32 followed by a dyadic `qc.rescale` by `1 / window size`.
  }];
}

def QC_GlobalAvgPoolOp : QC_GraphOp<"global_avg_pool",
                                    [QC_RescalesToResult]> {
  let summary = "mean over all spatial axes (ONNX GlobalAveragePool)";
  let description = "`[N, C, D1, ...] -> [N, C, 1, ...]`.";
  let arguments = (ins QC_AnyTensor:$input);
  let results = (outs QC_AnyTensor:$output);
  let assemblyFormat = "$input attr-dict `:` type($input) `->` type($output)";
  let hasVerifier = 1;
}

//===----------------------------------------------------------------------===//
// Data movement
//===----------------------------------------------------------------------===//

def QC_ReshapeOp : QC_GraphOp<"reshape", [QC_ScalePreserving]> {
  let summary = "reshape to the result type (ONNX Reshape/Flatten/Squeeze/Unsqueeze)";
  let description = [{
    Reinterprets the row-major elements with the result's shape. At most one
    result dimension is dynamic; its size follows from the element count.

    Folds: a reshape to the input's own type is the input; a reshape of a
    reshape reads the inner reshape's input; a reshape of a constant (static
    result) is the constant with the result's shape.
  }];
  let arguments = (ins QC_AnyTensor:$input);
  let results = (outs QC_AnyTensor:$output);
  let assemblyFormat = "$input attr-dict `:` type($input) `->` type($output)";
  let hasVerifier = 1;
  let hasFolder = 1;
}

def QC_TransposeOp : QC_GraphOp<"transpose", [QC_ScalePreserving]> {
  let summary = "permutes dimensions (ONNX Transpose)";
  let description = [{
    `output.shape[i] = input.shape[perm[i]]`.

    Folds: the identity permutation is the input; a transpose of a constant
    (static shape, elements of whole bytes) is the permuted constant.
  }];
  let arguments = (ins QC_AnyTensor:$input, DenseI64ArrayAttr:$perm);
  let results = (outs QC_AnyTensor:$output);
  let assemblyFormat = "$input attr-dict `:` type($input) `->` type($output)";
  let hasVerifier = 1;
  let hasFolder = 1;
}

def QC_ConcatOp : QC_GraphOp<"concat", [QC_ScalePreserving]> {
  let summary = "concatenation along an axis (ONNX Concat)";
  let arguments = (ins Variadic<QC_AnyTensor>:$inputs, I64Attr:$axis);
  let results = (outs QC_AnyTensor:$output);
  let assemblyFormat = [{
    $inputs attr-dict `:` functional-type(operands, results)
  }];
  let hasVerifier = 1;
}

def QC_SplitOp : QC_GraphOp<"split"> {
  let summary = "splits along an axis (ONNX Split)";
  let description = [{
    Result `i` takes the next `result_i.shape[axis]` indices along `axis`;
    those sizes are static and add up to the input's.
  }];
  let arguments = (ins QC_AnyTensor:$input, I64Attr:$axis);
  let results = (outs Variadic<QC_AnyTensor>:$outputs);
  let assemblyFormat = [{
    $input attr-dict `:` functional-type(operands, results)
  }];
  let hasVerifier = 1;
}

def QC_SliceOp : QC_GraphOp<"slice", [QC_ScalePreserving]> {
  let summary = "strided slice (ONNX Slice)";
  let description = [{
    One `starts`/`ends`/`steps` entry per dimension, as ONNX gives them
    (negative values count from the end; out-of-range values clamp as ONNX
    specifies, at run time for dynamic dimensions).
  }];
  let arguments = (ins QC_AnyTensor:$input, DenseI64ArrayAttr:$starts,
                   DenseI64ArrayAttr:$ends, DenseI64ArrayAttr:$steps);
  let results = (outs QC_AnyTensor:$output);
  let assemblyFormat = "$input attr-dict `:` type($input) `->` type($output)";
  let hasVerifier = 1;
}

def QC_GatherOp : QC_GraphOp<"gather"> {
  let summary = "gathers slices along an axis (ONNX Gather)";
  let description = [{
    `output = data` indexed along `axis` by `indices` (negative indices count
    from the end); the result shape is
    `data.shape[:axis] + indices.shape + data.shape[axis+1:]`.
  }];
  let arguments = (ins QC_AnyTensor:$data, QC_AnyTensor:$indices,
                   I64Attr:$axis);
  let results = (outs QC_AnyTensor:$output);
  let assemblyFormat = [{
    $data `[` $indices `]` attr-dict `:` functional-type(operands, results)
  }];
  let hasVerifier = 1;
}

def QC_ExpandOp : QC_GraphOp<"expand"> {
  let summary = "broadcasts to a larger shape (ONNX Expand)";
  let description = [{
    NumPy broadcasting of `input` to the result's shape: the input's
    dimensions align with the result's trailing ones, and each is either 1
    (repeated) or the result's size. `sizes` gives the result's dynamic
    dimensions in order (as `tensor.empty` does), e.g. the batch size of a
    class token broadcast over a batch:

    ```mlir
    %n = tensor.dim %images, %c0 : tensor<?x3x96x96xf32>
    %t = qc.expand %token [%n] : tensor<1x1x192xf32> -> tensor<?x1x192xf32>
    ```
  }];
  let arguments = (ins QC_AnyTensor:$input, Variadic<Index>:$sizes);
  let results = (outs QC_AnyTensor:$output);
  let assemblyFormat = [{
    $input (`[` $sizes^ `]`)? attr-dict `:` type($input) `->` type($output)
  }];
  let hasVerifier = 1;
}

def QC_PadOp : QC_GraphOp<"pad"> {
  let summary = "pads a tensor (ONNX Pad)";
  let description = [{
    `pads` holds the begin pads of every dimension followed by the end pads;
    negative pads crop. `constant` fills with `value`, `reflect` mirrors
    without repeating the edge, `edge` repeats it.
  }];
  let arguments = (ins QC_AnyTensor:$input, DenseI64ArrayAttr:$pads,
                   QC_PadModeAttr:$mode, F64Attr:$value);
  let results = (outs QC_AnyTensor:$output);
  let assemblyFormat = "$input attr-dict `:` type($input) `->` type($output)";
  let hasVerifier = 1;
}

#endif // QCC_DIALECT_QC_IR_QCGRAPHOPS_TD
