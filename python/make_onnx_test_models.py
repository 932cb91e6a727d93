#!/usr/bin/python3
"""Generates the small ONNX models of qcc's importer lit tests.

Run with Debian's interpreter (python3-onnx, python3-numpy):

    /usr/bin/python3 python/make_onnx_test_models.py test/Import/ONNX/Inputs

Every model is tiny (a node or two, a few weights) and deterministic, so the
outputs are committed; rerun the script after changing it. Two families:
  ops/*.onnx    one model per supported op (valid; FileCheck'd IR)
  bad/*         models that must be rejected with a clear error
"""

import os
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

F = TensorProto.FLOAT
I64 = TensorProto.INT64
U8 = TensorProto.UINT8
I8 = TensorProto.INT8
I32 = TensorProto.INT32


def rand(*shape, seed=0):
    return np.random.default_rng(seed).standard_normal(shape).astype(np.float32)


def model(nodes, inputs, outputs, inits=(), opset=13, name="g"):
    graph = helper.make_graph(
        nodes,
        name,
        [helper.make_tensor_value_info(n, t, s) for n, t, s in inputs],
        [helper.make_tensor_value_info(n, t, s) for n, t, s in outputs],
        [numpy_helper.from_array(a, n) for n, a in inits],
    )
    m = helper.make_model(graph, opset_imports=[helper.make_opsetid("", opset)])
    m.ir_version = 8
    return m


def empty_tensor(name, dtype, dims):
    """A TensorProto with dims but no data (external or absurd tensors)."""
    t = TensorProto()
    t.name, t.data_type = name, dtype
    t.dims.extend(dims)
    return t


def node(op, inputs, outputs, name=None, **attrs):
    return helper.make_node(op, inputs, outputs, name=name or op.lower(), **attrs)


def op_models():
    """(name, model) of one small valid model per supported op."""
    X = [("x", F, ["N", 3, 8, 8])]
    Y = lambda shape: [("y", F, shape)]
    m = {}
    # Convolutions and pooling.
    m["conv"] = model(
        [node("Conv", ["x", "w", "b"], ["y"], kernel_shape=[3, 3], pads=[1, 1, 1, 1],
              strides=[2, 2])],
        X, Y(["N", 4, 4, 4]), [("w", rand(4, 3, 3, 3)), ("b", rand(4))])
    m["conv_depthwise_same"] = model(
        [node("Conv", ["x", "w"], ["y"], group=3, auto_pad="SAME_UPPER",
              dilations=[2, 2])],
        X, Y(["N", 3, 8, 8]), [("w", rand(3, 1, 3, 3))])
    m["conv_transpose"] = model(
        [node("ConvTranspose", ["x", "w"], ["y"], strides=[2, 2],
              output_padding=[1, 1])],
        X, Y(["N", 2, 18, 18]), [("w", rand(3, 2, 3, 3))], opset=11)
    m["maxpool"] = model(
        [node("MaxPool", ["x"], ["y"], kernel_shape=[3, 3], strides=[2, 2],
              ceil_mode=1)],
        X, Y(["N", 3, 4, 4]), opset=12)
    m["averagepool"] = model(
        [node("AveragePool", ["x"], ["y"], kernel_shape=[2, 2], pads=[1, 1, 0, 0],
              count_include_pad=1)],
        X, Y(["N", 3, 8, 8]), opset=11)
    m["globalaveragepool"] = model([node("GlobalAveragePool", ["x"], ["y"])], X,
                                   Y(["N", 3, 1, 1]))
    # Matrix products.
    A = [("a", F, ["N", 6])]
    m["gemm"] = model(
        [node("Gemm", ["a", "w", "c"], ["y"], transB=1, alpha=0.5, beta=2.0)],
        A, Y(["N", 4]), [("w", rand(4, 6)), ("c", rand(4))])
    m["matmul"] = model([node("MatMul", ["a", "w"], ["y"])], A, Y(["N", 5]),
                        [("w", rand(6, 5))])
    # Element-wise.
    for op in ["Add", "Sub", "Mul", "Div", "Pow"]:
        m[op.lower()] = model([node(op, ["a", "k"], ["y"])], A, Y(["N", 6]),
                              [("k", rand(6))])
    for op, attrs, opset in [("Relu", {}, 14), ("Sigmoid", {}, 13),
                             ("Tanh", {}, 13), ("Erf", {}, 13),
                             ("Sqrt", {}, 13), ("HardSwish", {}, 14),
                             ("LeakyRelu", {"alpha": 0.2}, 16),
                             ("HardSigmoid", {"alpha": 0.25, "beta": 0.4}, 6)]:
        m[op.lower()] = model([node(op, ["a"], ["y"], **attrs)], A, Y(["N", 6]),
                              opset=opset)
    m["gelu"] = model([node("Gelu", ["a"], ["y"], approximate="tanh")], A,
                      Y(["N", 6]), opset=20)
    m["gelu_erf"] = model([node("Gelu", ["a"], ["y"])], A, Y(["N", 6]),
                          opset=20)
    m["clip"] = model([node("Clip", ["a", "lo", "hi"], ["y"])], A, Y(["N", 6]),
                      [("lo", np.array(-1, np.float32)),
                       ("hi", np.array(6, np.float32))])
    m["clip_opset6"] = model([node("Clip", ["a"], ["y"], min=0.0, max=6.0)], A,
                             Y(["N", 6]), opset=6)
    # Normalisation and reductions.
    m["softmax"] = model([node("Softmax", ["a"], ["y"])], A, Y(["N", 6]))
    m["softmax_opset11"] = model([node("Softmax", ["x"], ["y"], axis=1)], X,
                                 Y(["N", 3, 8, 8]), opset=11)
    m["layernorm"] = model(
        [node("LayerNormalization", ["a", "s", "b"], ["y"], epsilon=1e-3)],
        A, Y(["N", 6]), [("s", rand(6)), ("b", rand(6))], opset=17)
    m["batchnorm"] = model(
        [node("BatchNormalization", ["x", "s", "b", "m", "v"], ["y"])],
        X, Y(["N", 3, 8, 8]),
        [("s", rand(3)), ("b", rand(3)), ("m", rand(3)),
         ("v", np.abs(rand(3)) + 0.5)], opset=15)
    m["reducemean"] = model(
        [node("ReduceMean", ["x"], ["y"], axes=[2, 3], keepdims=0)], X,
        Y(["N", 3]))
    # Shapes and data movement.
    m["flatten"] = model([node("Flatten", ["x"], ["y"])], X, Y(["N", 192]))
    m["reshape_shape_subgraph"] = model(
        [node("Shape", ["x"], ["s"]),
         node("Constant", [], ["zero"], value=numpy_helper.from_array(np.array(0, np.int64))),
         node("Gather", ["s", "zero"], ["n"]),
         node("Constant", [], ["axes"], value=numpy_helper.from_array(np.array([0], np.int64))),
         node("Unsqueeze", ["n", "axes"], ["n1"]),
         node("Constant", [], ["rest"], value=numpy_helper.from_array(np.array([-1], np.int64))),
         node("Concat", ["n1", "rest"], ["target"], axis=0),
         node("Reshape", ["x", "target"], ["y"])],
        X, Y(["N", 192]))
    m["transpose"] = model([node("Transpose", ["x"], ["y"], perm=[0, 2, 3, 1])],
                           X, Y(["N", 8, 8, 3]))
    m["concat"] = model([node("Concat", ["x", "x"], ["y"], axis=1)], X,
                        Y(["N", 6, 8, 8]))
    m["split"] = model(
        [node("Split", ["x", "sizes"], ["y", "z"], axis=1)], X,
        [("y", F, ["N", 1, 8, 8]), ("z", F, ["N", 2, 8, 8])],
        [("sizes", np.array([1, 2], np.int64))])
    m["slice"] = model(
        [node("Slice", ["x", "st", "en", "ax", "sp"], ["y"])], X,
        Y(["N", 3, 4, 8]),
        [("st", np.array([-1], np.int64)), ("en", np.array([-8], np.int64)),
         ("ax", np.array([2], np.int64)), ("sp", np.array([-2], np.int64))])
    m["squeeze_unsqueeze"] = model(
        [node("Unsqueeze", ["a", "ax"], ["u"]), node("Squeeze", ["u", "ax"], ["y"])],
        A, Y(["N", 6]), [("ax", np.array([1], np.int64))])
    # Cast: of a shape (an import-time literal, folded; the reshape it
    # feeds is an identity), then of the data there and back (truncation).
    m["cast"] = model(
        [node("Shape", ["a"], ["s"]),
         node("Cast", ["s"], ["s32"], to=TensorProto.INT32),
         node("Cast", ["s32"], ["s64"], to=TensorProto.INT64),
         node("Reshape", ["a", "s64"], ["r"]),
         node("Cast", ["r"], ["ri"], to=TensorProto.INT32),
         node("Cast", ["ri"], ["y"], to=TensorProto.FLOAT)],
        A, Y(["N", 6]))
    m["gather"] = model([node("Gather", ["x", "idx"], ["y"], axis=1)], X,
                        Y(["N", 2, 8, 8]), [("idx", np.array([2, -3], np.int64))])
    # A vision transformer's shape logic, as PyTorch exports it with a
    # dynamic batch: the class token broadcast over the batch (Shape,
    # ConstantOfShape, Equal, Where, Expand), attention heads folded into
    # the batch (a reshape to [tokens, batch * heads, width / heads], the
    # batch moved to dimension 1), and a ConstantOfShape of a dynamic shape.
    c = lambda name, v: node("Constant", [], [name], value=numpy_helper.from_array(
        np.array(v, np.int64), name))
    m["class_token_heads"] = model(
        [node("Shape", ["x"], ["shape"]), c("zero", 0),
         node("Gather", ["shape", "zero"], ["n"], axis=0),
         c("axes", [0]), node("Unsqueeze", ["n", "axes"], ["n1"]),
         c("minus1", [-1]),
         node("Concat", ["n1", "minus1", "minus1"], ["target"], axis=0),
         node("Shape", ["target"], ["target_shape"]),
         node("ConstantOfShape", ["target_shape"], ["ones"],
              value=numpy_helper.from_array(np.array([1], np.int64), "one")),
         c("neg", -1), node("Mul", ["ones", "neg"], ["negs"]),
         node("Equal", ["target", "negs"], ["is_neg"]),
         node("Where", ["is_neg", "ones", "target"], ["expand_to"]),
         node("Expand", ["token", "expand_to"], ["tokens"]),
         node("ConstantOfShape", ["shape"], ["halves"],
              value=numpy_helper.from_array(np.array([0.5], np.float32), "half")),
         node("Add", ["x", "halves"], ["x1"]),
         node("Concat", ["tokens", "x1"], ["seq"], axis=1),
         node("Transpose", ["seq"], ["tbc"], perm=[1, 0, 2]),
         c("heads", 2), node("Mul", ["n", "heads"], ["nh"]),
         node("Unsqueeze", ["nh", "axes"], ["nh1"]),
         c("head_shape", [5]), c("head_width", [3]),
         node("Concat", ["head_shape", "nh1", "head_width"], ["split_shape"],
              axis=0),
         node("Reshape", ["tbc", "split_shape"], ["split"]),
         node("Transpose", ["split"], ["bth"], perm=[1, 0, 2]),
         node("Softmax", ["bth"], ["attn"], axis=-1),
         node("Transpose", ["attn"], ["tbh"], perm=[1, 0, 2]),
         c("merged", [5, -1, 6]),
         node("Reshape", ["tbh", "merged"], ["tbc2"]),
         node("Transpose", ["tbc2"], ["y"], perm=[1, 0, 2])],
        [("x", F, ["N", 4, 6])], Y(["N", 5, 6]),
        [("token", rand(1, 1, 6, seed=31))], opset=17)
    m["pad"] = model(
        [node("Pad", ["x", "pads", "value"], ["y"], mode="constant")], X,
        Y(["N", 3, 10, 9]),
        [("pads", np.array([0, 0, 1, 0, 0, 0, 1, 1], np.int64)),
         ("value", np.array(0.5, np.float32))])
    m["identity_constant"] = model(
        [node("Constant", [], ["c"], value=numpy_helper.from_array(rand(6))),
         node("Identity", ["c"], ["ci"]), node("Add", ["a", "ci"], ["y"])],
        A, Y(["N", 6]))
    # Quantized ops.
    m["quantize_dequantize"] = model(
        [node("QuantizeLinear", ["a", "s", "z"], ["q"]),
         node("DequantizeLinear", ["q", "s", "z"], ["y"])],
        A, Y(["N", 6]),
        [("s", np.array(0.05, np.float32)), ("z", np.array(128, np.uint8))])
    m["dequantize_per_axis"] = model(
        [node("DequantizeLinear", ["wq", "s", "z"], ["y"], axis=0)],
        [], Y([4, 6]),
        [("wq", np.arange(24, dtype=np.int8).reshape(4, 6)),
         ("s", np.array([0.1, 0.2, 0.3, 0.4], np.float32)),
         ("z", np.zeros(4, np.int8))])
    m["qlinearmatmul"] = model(
        [node("QLinearMatMul", ["q", "as", "az", "w", "ws", "wz", "ys", "yz"], ["y"])],
        [("q", U8, ["N", 6])], [("y", U8, ["N", 4])],
        [("as", np.array(0.1, np.float32)), ("az", np.array(128, np.uint8)),
         ("w", np.arange(24, dtype=np.int8).reshape(6, 4)),
         ("ws", np.array(0.05, np.float32)), ("wz", np.array(0, np.int8)),
         ("ys", np.array(0.2, np.float32)), ("yz", np.array(10, np.uint8))],
        opset=10)
    m["qlinearconv"] = model(
        [node("QLinearConv", ["q", "xs", "xz", "w", "ws", "wz", "ys", "yz", "b"],
              ["y"], kernel_shape=[1, 1])],
        [("q", U8, ["N", 3, 4, 4])], [("y", U8, ["N", 2, 4, 4])],
        [("xs", np.array(0.1, np.float32)), ("xz", np.array(128, np.uint8)),
         ("w", np.arange(6, dtype=np.int8).reshape(2, 3, 1, 1)),
         ("ws", np.array([0.05, 0.1], np.float32)),
         ("wz", np.array([0, 0], np.int8)),
         ("ys", np.array(0.2, np.float32)), ("yz", np.array(10, np.uint8)),
         ("b", np.array([100, -100], np.int32))], opset=10)
    m["matmulinteger"] = model(
        [node("MatMulInteger", ["q", "w", "az"], ["y"])],
        [("q", U8, ["N", 6])], [("y", I32, ["N", 4])],
        [("w", np.arange(24, dtype=np.uint8).reshape(6, 4)),
         ("az", np.array(128, np.uint8))], opset=10)
    m["convinteger"] = model(
        [node("ConvInteger", ["q", "w", "xz"], ["y"])],
        [("q", U8, ["N", 3, 4, 4])], [("y", I32, ["N", 2, 2, 2])],
        [("w", np.arange(54, dtype=np.uint8).reshape(2, 3, 3, 3)),
         ("xz", np.array(128, np.uint8))], opset=10)
    return m


def bad_models(out):
    """Models the importer must reject; returns nothing (writes files)."""
    A = [("a", F, ["N", 6])]
    Y = [("y", F, ["N", 6])]
    save = lambda name, m: onnx.save(m, os.path.join(out, name))
    save("unsupported_op.onnx",
         model([node("Celu", ["a"], ["y"], name="act1")], A, Y))
    save("unsupported_attribute.onnx",
         model([node("Gelu", ["a"], ["y"], name="gelu1", approximate="sigmoid")],
               A, Y, opset=20))
    save("unsupported_version.onnx",
         model([node("Add", ["a", "a"], ["y"], name="add_v6")], A, Y, opset=6))
    save("opset_too_new.onnx", model([node("Relu", ["a"], ["y"])], A, Y, opset=22))
    save("inconsistent_shapes.onnx",
         model([node("Add", ["a", "k"], ["y"], name="add_bad")], A, Y,
               [("k", rand(5))]))
    save("dangling_input.onnx",
         model([node("Add", ["a", "ghost"], ["y"], name="add_ghost")], A, Y))
    save("cycle.onnx",
         model([node("Add", ["a", "t2"], ["t1"], name="first"),
                node("Relu", ["t1"], ["t2"], name="second"),
                node("Identity", ["t2"], ["y"], name="out")], A, Y))
    absurd = model([node("Add", ["a", "k"], ["y"], name="add_huge")], A, Y)
    huge = empty_tensor("k", F, [1 << 40])
    absurd.graph.initializer.append(huge)
    save("absurd_dims.onnx", absurd)
    save("absurd_input_dim.onnx",
         model([node("Relu", ["a"], ["y"])], [("a", F, [-3, 6])], Y))
    save("nonconstant_shape.onnx",
         model([node("Reshape", ["a", "shape"], ["y"], name="reshape_rt")],
               [("a", F, ["N", 6]), ("shape", I64, [2])], Y))
    # Shape logic qcc folds at import only: on run-time data it is reported.
    save("equal_runtime.onnx",
         model([node("Equal", ["a", "a"], ["e"], name="equal_rt"),
                node("Where", ["e", "a", "a"], ["y"], name="where_rt")],
               [("a", F, ["N", 6])], Y, opset=17))
    save("constantofshape_negative.onnx",
         model([node("Constant", [], ["shape"], value=numpy_helper.from_array(
                    np.array([2, -3], np.int64), "shape")),
                node("ConstantOfShape", ["shape"], ["y"], name="fill_bad")],
               [], Y, opset=17))
    save("expand_no_broadcast.onnx",
         model([node("Constant", [], ["shape"], value=numpy_helper.from_array(
                    np.array([2, 4], np.int64), "shape")),
                node("Expand", ["a", "shape"], ["y"], name="expand_bad")],
               [("a", F, ["N", 6])], Y, opset=17))
    valid = model([node("Relu", ["a"], ["y"])], A, Y).SerializeToString()
    with open(os.path.join(out, "truncated.onnx"), "wb") as f:
        f.write(valid[: len(valid) // 2])
    with open(os.path.join(out, "garbage.onnx"), "wb") as f:
        f.write(bytes(range(7, 250, 3)) * 3)
    # Hostile nodes: no inputs at all (the importer once dereferenced them).
    for op in ["Add", "Sub", "Mul", "Div", "Pow", "Identity", "Flatten",
               "Gather", "Reshape", "Shape", "Slice", "Squeeze", "Unsqueeze"]:
        save("no_inputs_%s.onnx" % op.lower(),
             model([node(op, [], ["y"], name="empty_" + op.lower())], A, Y))
    # A required input left empty ("") in the middle.
    save("empty_required_input.onnx",
         model([node("Add", ["a", ""], ["y"], name="add_half")], A, Y))
    # Window arithmetic from the file: absurd pads, strides that wrap int64.
    X = [("x", F, ["N", 1, 8, 8])]
    w = ("w", rand(1, 1, 3, 3))
    save("conv_huge_pads.onnx",
         model([node("Conv", ["x", "w"], ["y"], name="conv_pads",
                     pads=[100000] * 4)], X, [("y", F, ["N", 1, "H", "W"])],
               [w]))
    save("conv_large_pads.onnx",
         model([node("Conv", ["x", "w"], ["y"], name="conv_pads",
                     pads=[20000] * 4)], X, [("y", F, ["N", 1, "H", "W"])],
               [w]))
    save("conv_transpose_overflow.onnx",
         model([node("ConvTranspose", ["x", "w"], ["y"], name="deconv_wrap",
                     strides=[1 << 61, 1 << 61])], X,
               [("y", F, ["N", 1, "H", "W"])], [w]))
    save("conv_dilation_overflow.onnx",
         model([node("Conv", ["x", "w"], ["y"], name="conv_dilated",
                     dilations=[1 << 62, 1 << 62])], X,
               [("y", F, ["N", 1, "H", "W"])], [w]))
    save("pad_overflow.onnx",
         model([node("Pad", ["a", "pads"], ["y"], name="pad_wrap")], A, Y,
               [("pads", np.array([0, (1 << 63) - 1, 0, 5], np.int64))]))
    # Found by qcc-fuzz-import: pads that grow the dynamic batch dimension by
    # 3.3e9 import (the size is symbolic) but must not be allocated when run.
    save("pad_dynamic_batch.onnx",
         model([node("Pad", ["x", "pads"], ["y"], name="pad_batch")],
               [("x", F, ["N", 3, 8, 8])],
               [("y", F, ["M", 3, 10, 9])],
               [("pads", np.array([0, 0, 1, 0, 3338665984, 0, 1, 1], np.int64))]))
    # Found by qcc-fuzz-import under UBSan: a target shape whose element
    # count overflows int64.
    save("reshape_overflow.onnx",
         model([node("Reshape", ["a", "shape"], ["y"], name="reshape_wrap")],
               A, Y, [("shape", np.array([-1, 1 << 40, 1 << 40, 1 << 40],
                                         np.int64))]))
    # Found by qcc-fuzz-import under UBSan: INT64_MAX in a target shape (held
    # as 2^63 in a double) converted to int64.
    save("reshape_int64_max.onnx",
         model([node("Reshape", ["a", "shape"], ["y"], name="reshape_max")],
               A, Y, [("shape", np.array([1, (1 << 63) - 1], np.int64))]))
    # External data: the weights live in a side file.
    for name, location, length in [("external_absolute", "/etc/passwd", None),
                                   ("external_parent", "../secret.bin", None),
                                   ("external_missing", "missing.bin", None),
                                   ("external_short", "weights.bin", 4096)]:
        m = model([node("Add", ["a", "k"], ["y"], name="add_ext")], A, Y)
        k = empty_tensor("k", F, [6])
        k.data_location = TensorProto.EXTERNAL
        entries = {"location": location}
        if length is not None:
            entries["length"] = str(length)
        for key, value in entries.items():
            e = k.external_data.add()
            e.key, e.value = key, value
        m.graph.initializer.append(k)
        save(name + ".onnx", m)
    with open(os.path.join(out, "weights.bin"), "wb") as f:
        f.write(np.arange(6, dtype=np.float32).tobytes())
    # A valid external-data model reading weights.bin.
    m = model([node("Add", ["a", "k"], ["y"], name="add_ext")], A, Y)
    k = empty_tensor("k", F, [6])
    k.data_location = TensorProto.EXTERNAL
    e = k.external_data.add()
    e.key, e.value = "location", "weights.bin"
    m.graph.initializer.append(k)
    save("external_ok.onnx", m)


def run_fixtures(out, ops):
    """Inputs and NumPy-computed expected outputs for `qcc run` tests."""
    a = np.array([[-2.0, -0.5, 0.0, 0.25, 1.5, 3.0],
                  [4.0, -1.0, 2.5, -3.5, 0.75, -0.125]], np.float32)
    np.save(os.path.join(out, "a.npy"), a)
    np.save(os.path.join(out, "a_f64.npy"), a.astype(np.float64))
    np.save(os.path.join(out, "a_short.npy"), a[:, :5])
    np.save(os.path.join(out, "a_row.npy"), a[:1])
    np.save(os.path.join(out, "relu_expected.npy"), np.maximum(a, 0))
    np.save(os.path.join(out, "cast_expected.npy"), np.trunc(a))
    w = numpy_helper.to_array(ops["gemm"].graph.initializer[0])
    c = numpy_helper.to_array(ops["gemm"].graph.initializer[1])
    np.save(os.path.join(out, "gemm_expected.npy"),
            (0.5 * (a.astype(np.float64) @ w.T.astype(np.float64)) + 2.0 * c)
            .astype(np.float32))
    x = np.random.default_rng(1).standard_normal((2, 3, 8, 8)).astype(np.float32)
    np.save(os.path.join(out, "x.npy"), x)
    np.save(os.path.join(out, "split_z_expected.npy"), x[:, 1:])
    tokens = np.random.default_rng(7).standard_normal((3, 4, 6)).astype(np.float32)
    np.save(os.path.join(out, "tokens.npy"), tokens)
    token = numpy_helper.to_array(ops["class_token_heads"].graph.initializer[0])
    seq = np.concatenate([np.broadcast_to(token, (3, 1, 6)), tokens + np.float32(0.5)], 1)
    heads = seq.transpose(1, 0, 2).reshape(5, 6, 3).transpose(1, 0, 2).astype(np.float64)
    e = np.exp(heads - heads.max(-1, keepdims=True))
    attn = (e / e.sum(-1, keepdims=True)).astype(np.float32)
    np.save(os.path.join(out, "class_token_heads_expected.npy"),
            attn.transpose(1, 0, 2).reshape(5, 3, 6).transpose(1, 0, 2))
    # NaN and infinities through activations and max pooling: NaN must
    # propagate (as in ONNX Runtime and PyTorch), never turn into 0 or vanish.
    a_nan = a.copy()
    a_nan[0, 1], a_nan[1, 3], a_nan[1, 5] = np.nan, np.inf, -np.inf
    a_nan[0, 4] = np.nan
    np.save(os.path.join(out, "a_nan.npy"), a_nan)
    with np.errstate(invalid="ignore"):
        np.save(os.path.join(out, "relu_nan_expected.npy"),
                np.where(np.isnan(a_nan) | (a_nan > 0), a_nan, 0).astype(np.float32))
        lo, hi = [numpy_helper.to_array(t) for t in ops["clip"].graph.initializer]
        np.save(os.path.join(out, "clip_nan_expected.npy"),
                np.minimum(np.maximum(a_nan, lo), hi).astype(np.float32))
        np.save(os.path.join(out, "hardsigmoid_nan_expected.npy"),
                np.minimum(np.maximum(0.25 * a_nan.astype(np.float64) + np.float64(np.float32(0.4)), 0), 1)
                .astype(np.float32))
    onnx.save(model([node("Relu", ["x"], ["r"]),
                     node("MaxPool", ["r"], ["y"], kernel_shape=[2, 2],
                          strides=[2, 2])],
                    [("x", F, ["N", 1, 4, 4])], [("y", F, ["N", 1, 2, 2])]),
              os.path.join(out, "relu_maxpool.onnx"))
    x_nan = np.arange(-8, 8, dtype=np.float32).reshape(1, 1, 4, 4)
    x_nan[0, 0, 0, 0] = np.nan   # window (0, 0): NaN with larger values
    x_nan[0, 0, 3, 3] = np.nan   # window (1, 1): NaN last in the window
    x_nan[0, 0, 1, 2] = -np.inf  # window (0, 1): -inf alone
    np.save(os.path.join(out, "x_nan.npy"), x_nan)
    r = np.where(np.isnan(x_nan) | (x_nan > 0), x_nan, 0)
    np.save(os.path.join(out, "relu_maxpool_nan_expected.npy"),
            r.reshape(1, 1, 2, 2, 2, 2).max(axis=(3, 5)).astype(np.float32))
    # Edge values for compiled-versus-interpreted activations: NaN, the
    # infinities, signed zeros, the kinks of HardSwish/HardSigmoid/ReLU6
    # (+-3, +-6 and their f32 neighbours), denormals and huge values.
    edges = np.array([[-np.inf, np.inf, np.nan, -0.0, 0.0, 3.0],
                      [-3.0, 6.0, -6.0, np.nextafter(np.float32(3), np.float32(0)),
                       np.nextafter(np.float32(-3), np.float32(0)), 1e30],
                      [-1e30, 1e-45, -1e-45, 0.5, -0.5, 1.0],
                      [-1.0, 1.5, -1.5, 200.7, -200.7, 3.4e38]], np.float32)
    np.save(os.path.join(out, "edges.npy"), edges)
    x_edges = x.copy()
    x_edges[0, 0, 0, :4] = [np.nan, np.inf, -np.inf, -0.0]
    x_edges[1, 2, 3, :2] = [1e30, -1e30]
    np.save(os.path.join(out, "x_edges.npy"), x_edges)
    # A SqueezeNet fire module: two convolution branches concatenated and
    # read by a convolution (in integer-only code a concatenation of one
    # quantized type: calibration unifies the branches' ranges).
    onnx.save(model([node("Conv", ["x", "w1", "b1"], ["c1"], name="squeeze1x1",
                          kernel_shape=[1, 1]),
                     node("Relu", ["c1"], ["r1"], name="relu1"),
                     node("Conv", ["x", "w3", "b3"], ["c3"], name="expand3x3",
                          kernel_shape=[3, 3], pads=[1, 1, 1, 1]),
                     node("Relu", ["c3"], ["r3"], name="relu3"),
                     node("Concat", ["r1", "r3"], ["cat"], name="concat", axis=1),
                     node("Conv", ["cat", "w", "b"], ["y"], name="conv",
                          kernel_shape=[1, 1])],
                    [("x", F, ["N", 3, 8, 8])], [("y", F, ["N", 4, 8, 8])],
                    [("w1", rand(2, 3, 1, 1, seed=21)), ("b1", rand(2, seed=22)),
                     ("w3", rand(4, 3, 3, 3, seed=23)), ("b3", rand(4, seed=24)),
                     ("w", rand(4, 6, 1, 1, seed=25)), ("b", rand(4, seed=26))]),
              os.path.join(out, "fire_concat.onnx"))
    # Found by qcc-fuzz-import under UBSan: a convolution over an input with
    # a zero-size spatial dimension, padded: every output is the bias.
    w = rand(4, 3, 3, 3, seed=3)
    bias = np.array([0.125, -0.25, 0.5, 1.0], np.float32)
    onnx.save(model([node("Conv", ["x", "w", "b"], ["y"], pads=[1, 64, 1, 1],
                          strides=[2, 2])],
                    [("x", F, ["N", 3, 8, 0])], [("y", F, ["N", 4, 4, 32])],
                    [("w", w), ("b", bias)]),
              os.path.join(out, "conv_empty_input.onnx"))
    np.save(os.path.join(out, "x_empty.npy"), np.zeros((2, 3, 8, 0), np.float32))
    np.save(os.path.join(out, "conv_empty_expected.npy"),
            np.broadcast_to(bias.reshape(1, 4, 1, 1), (2, 4, 4, 32)).astype(np.float32))
    # Two inputs with independent leading dimensions and a scalar output: the
    # inputs and the output --batch-size cannot split along dimension 0.
    onnx.save(model([node("Concat", ["a", "b"], ["c"], axis=0),
                     node("ReduceMean", ["c"], ["y"], keepdims=0)],
                    [("a", F, ["N", 6]), ("b", F, ["M", 6])], [("y", F, [])]),
              os.path.join(out, "unbatched.onnx"))


def example_cnn(out):
    """examples/tiny_cnn.onnx: Conv-Relu-MaxPool-Conv-Relu-GAP-Flatten-Gemm
    on 1x8x8 images (the shape of sklearn's digits) with random weights, and
    an input batch; `make demo` imports and runs it."""
    r = lambda *s, seed: (np.random.default_rng(seed).standard_normal(s) * 0.3).astype(np.float32)
    nodes = [
        node("Conv", ["input", "w1", "b1"], ["c1"], name="conv1", kernel_shape=[3, 3], pads=[1, 1, 1, 1]),
        node("Relu", ["c1"], ["r1"], name="relu1"),
        node("MaxPool", ["r1"], ["p1"], name="pool1", kernel_shape=[2, 2], strides=[2, 2]),
        node("Conv", ["p1", "w2", "b2"], ["c2"], name="conv2", kernel_shape=[3, 3], pads=[1, 1, 1, 1]),
        node("Relu", ["c2"], ["r2"], name="relu2"),
        node("GlobalAveragePool", ["r2"], ["g"], name="gap"),
        node("Flatten", ["g"], ["f"], name="flatten"),
        node("Gemm", ["f", "wf", "bf"], ["logits"], name="fc", transB=1),
    ]
    m = model(nodes, [("input", F, ["N", 1, 8, 8])], [("logits", F, ["N", 10])],
              [("w1", r(8, 1, 3, 3, seed=1)), ("b1", r(8, seed=2)),
               ("w2", r(16, 8, 3, 3, seed=3)), ("b2", r(16, seed=4)),
               ("wf", r(10, 16, seed=5)), ("bf", r(10, seed=6))], name="tiny_cnn")
    onnx.checker.check_model(m)
    onnx.save(m, os.path.join(out, "tiny_cnn.onnx"))
    x = np.random.default_rng(7).uniform(0, 1, (4, 1, 8, 8)).astype(np.float32)
    np.save(os.path.join(out, "tiny_cnn_input.npy"), x)


def calibration_fixtures(out):
    """Calibration data for `qcc quantize` tests of tiny_cnn: good, and bad."""
    rng = np.random.default_rng(11)
    good = rng.uniform(0, 1, (40, 1, 8, 8)).astype(np.float32)
    np.save(os.path.join(out, "calib.npy"), good)
    labels = rng.integers(0, 10, 40).astype(np.int64)
    np.save(os.path.join(out, "labels.npy"), labels)
    nan = good.copy()
    nan[3, 0, 2, 5] = np.nan
    np.save(os.path.join(out, "calib_nan.npy"), nan)
    np.save(os.path.join(out, "calib_inf.npy"), np.where(good > 0.99, np.inf, good).astype(np.float32))
    np.save(os.path.join(out, "calib_shape.npy"), good[:, :, :7, :])
    np.save(os.path.join(out, "calib_f64.npy"), good.astype(np.float64))
    np.save(os.path.join(out, "calib_empty.npy"), good[:0])
    # Inputs for bit-exactness tests of compiled models: beyond the
    # calibrated range (saturation), and NaN and infinities.
    wide = np.random.default_rng(12).uniform(-1, 2, (64, 1, 8, 8)).astype(np.float32)
    wide[0, 0, 0, :4] = [np.nan, np.inf, -np.inf, 1e30]
    np.save(os.path.join(out, "wide.npy"), wide)


def codegen_conv_models(out):
    """Models of the code generation tests of grouped and depthwise
    convolutions, average pooling, transposed convolutions and reductions
    of odd lengths (test/Target/CPU/conv-groups.test; the last:
    test/Target/NVPTX/compile-models.test), their input and calibration
    data."""
    r = lambda *s, seed: (np.random.default_rng(seed).standard_normal(s) * 0.3).astype(np.float32)
    X = [("x", F, ["N", 3, 8, 8])]

    def save(name, nodes, shape, inits, opset=13):
        m = model(nodes, X, [("y", F, shape)], inits, opset=opset, name=name)
        onnx.checker.check_model(m)
        onnx.save(m, os.path.join(out, name + ".onnx"))

    # A residual block with depthwise convolutions (MobileNet's pattern):
    # depthwise with one filter per channel, and with two (stride 2).
    save("depthwise_residual", [
        node("Conv", ["x", "w0", "b0"], ["c0"], name="conv0", pads=[1, 1, 1, 1]),
        node("Relu", ["c0"], ["a"], name="relu0"),
        node("Conv", ["a", "w1", "b1"], ["c1"], name="dw1", group=8, pads=[1, 1, 1, 1]),
        node("Relu", ["c1"], ["r1"], name="relu1"),
        node("Conv", ["r1", "w2", "b2"], ["c2"], name="pw1"),
        node("Add", ["a", "c2"], ["s"], name="residual"),
        node("Conv", ["s", "w3", "b3"], ["c3"], name="dw2", group=8, pads=[1, 1, 1, 1],
             strides=[2, 2]),
        node("Relu", ["c3"], ["r3"], name="relu3"),
        node("AveragePool", ["r3"], ["p"], name="pool", kernel_shape=[2, 2], strides=[2, 2]),
        node("GlobalAveragePool", ["p"], ["g"], name="gap"),
        node("Flatten", ["g"], ["f"], name="flatten"),
        node("Gemm", ["f", "wf", "bf"], ["y"], name="fc", transB=1),
    ], ["N", 5], [("w0", r(8, 3, 3, 3, seed=21)), ("b0", r(8, seed=22)),
                  ("w1", r(8, 1, 3, 3, seed=23)), ("b1", r(8, seed=24)),
                  ("w2", r(8, 8, 1, 1, seed=25)), ("b2", r(8, seed=26)),
                  ("w3", r(16, 1, 3, 3, seed=27)), ("b3", r(16, seed=28)),
                  ("wf", r(5, 16, seed=29)), ("bf", r(5, seed=30))])
    # Grouped convolutions: 3 groups of 2 -> 2 channels; 2 groups of 3 -> 2
    # channels with stride and dilation.
    save("grouped_conv", [
        node("Conv", ["x", "w0"], ["c0"], name="conv0"),
        node("Relu", ["c0"], ["a"], name="relu0"),
        node("Conv", ["a", "w1", "b1"], ["c1"], name="g3", group=3, pads=[1, 1, 1, 1]),
        node("Relu", ["c1"], ["r1"], name="relu1"),
        node("Conv", ["r1", "w2", "b2"], ["y"], name="g2", group=2, pads=[2, 2, 2, 2],
             strides=[2, 2], dilations=[2, 2]),
    ], ["N", 4, 4, 4], [("w0", r(6, 3, 1, 1, seed=31)), ("w1", r(6, 2, 3, 3, seed=32)),
                        ("b1", r(6, seed=33)), ("w2", r(4, 3, 3, 3, seed=34)),
                        ("b2", r(4, seed=35))])
    # Transposed convolutions: stride 2 with pads and output_padding, then
    # grouped.
    save("conv_transpose_chain", [
        node("ConvTranspose", ["x", "w0", "b0"], ["t0"], name="up0", strides=[2, 2],
             pads=[1, 1, 1, 1], output_padding=[1, 1]),
        node("Relu", ["t0"], ["a"], name="relu0"),
        node("ConvTranspose", ["a", "w1"], ["y"], name="up1", group=2, strides=[2, 2],
             kernel_shape=[2, 2]),
    ], ["N", 2, 32, 32], [("w0", r(3, 4, 3, 3, seed=41)), ("b0", r(4, seed=42)),
                          ("w1", r(4, 1, 2, 2, seed=43))], opset=11)
    # Reductions that are not whole 4-byte words (the GPU's dp4a kernels pad
    # K to a multiple of 4): a 3x3 convolution over 3 channels (K = 27) and
    # two fully connected layers over 5 and 7 activations.
    save("odd_reductions", [
        node("Conv", ["x", "w0", "b0"], ["c0"], name="conv0"),
        node("Relu", ["c0"], ["a"], name="relu0"),
        node("GlobalAveragePool", ["a"], ["g"], name="gap"),
        node("Flatten", ["g"], ["f"], name="flatten"),
        node("Gemm", ["f", "w1", "b1"], ["h"], name="fc1", transB=1),
        node("Relu", ["h"], ["r"], name="relu1"),
        node("Gemm", ["r", "w2", "b2"], ["y"], name="fc2", transB=1),
    ], ["N", 3], [("w0", r(5, 3, 3, 3, seed=51)), ("b0", r(5, seed=52)),
                  ("w1", r(7, 5, seed=53)), ("b1", r(7, seed=54)),
                  ("w2", r(3, 7, seed=55)), ("b2", r(3, seed=56))])
    # Average pooling: padding not counted, ceil_mode windows running past
    # the padded input (counted and not).
    for name, attrs, shape in [
            ("avgpool_pads_exclude", dict(kernel_shape=[3, 3], pads=[1, 1, 1, 1],
                                          count_include_pad=0), [8, 8]),
            ("avgpool_ceil_include", dict(kernel_shape=[2, 2], strides=[2, 2],
                                          pads=[1, 1, 0, 0], ceil_mode=1,
                                          count_include_pad=1), [5, 5]),
            ("avgpool_ceil_exclude", dict(kernel_shape=[3, 3], strides=[2, 2],
                                          pads=[0, 1, 0, 0], ceil_mode=1,
                                          count_include_pad=0), [4, 4])]:
        save(name, [node("AveragePool", ["x"], ["y"], name="pool", **attrs)],
             ["N", 3] + shape, [], opset=11)
    rng = np.random.default_rng(44)
    np.save(os.path.join(out, "x.npy"), rng.uniform(-1, 1, (8, 3, 8, 8)).astype(np.float32))
    wide = rng.uniform(-2, 3, (4, 3, 8, 8)).astype(np.float32)
    wide[0, 0, 0, :3] = [np.inf, -np.inf, 1e30]
    np.save(os.path.join(out, "wide.npy"), wide)


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else "test/Import/ONNX/Inputs"
    os.makedirs(os.path.join(out, "ops"), exist_ok=True)
    os.makedirs(os.path.join(out, "bad"), exist_ok=True)
    for name, m in op_models().items():
        onnx.save(m, os.path.join(out, "ops", name + ".onnx"))
    bad_models(os.path.join(out, "bad"))
    os.makedirs(os.path.join(out, "run"), exist_ok=True)
    run_fixtures(os.path.join(out, "run"), op_models())
    example_cnn(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..",
                             "examples"))
    os.makedirs(os.path.join(out, "calib"), exist_ok=True)
    calibration_fixtures(os.path.join(out, "calib"))
    os.makedirs(os.path.join(out, "codegen"), exist_ok=True)
    codegen_conv_models(os.path.join(out, "codegen"))


if __name__ == "__main__":
    main()
