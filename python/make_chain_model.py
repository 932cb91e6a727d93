#!/usr/bin/python3
"""A long chain model for the scale benchmark (bench/scale.sh).

    /usr/bin/python3 python/make_chain_model.py NODES OUT.onnx OUT_calib.npy

NODES nodes in a chain on [N, 8] activations: MatMul by an 8x8 weight, Add
a bias, Relu, and every 10th block a Tanh (no integer form: a float island),
so that every stage of quantize and lower sees a graph of NODES ops.
"""

import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper


def main():
    nodes_wanted, out, calib_out = int(sys.argv[1]), sys.argv[2], sys.argv[3]
    rng = np.random.default_rng(0)
    nodes, inits = [], []
    x = "input"
    i = 0
    while len(nodes) < nodes_wanted:
        w = (rng.standard_normal((8, 8)) / np.sqrt(8)).astype(np.float32)
        b = (rng.standard_normal(8) * 0.1).astype(np.float32)
        inits += [numpy_helper.from_array(w, "w%d" % i),
                  numpy_helper.from_array(b, "b%d" % i)]
        nodes += [helper.make_node("MatMul", [x, "w%d" % i], ["m%d" % i], name="mm%d" % i),
                  helper.make_node("Add", ["m%d" % i, "b%d" % i], ["a%d" % i], name="add%d" % i)]
        op = "Tanh" if i % 10 == 9 else "Relu"
        nodes.append(helper.make_node(op, ["a%d" % i], ["r%d" % i], name="%s%d" % (op.lower(), i)))
        x = "r%d" % i
        i += 1
    nodes[-1].output[0] = "output"
    graph = helper.make_graph(
        nodes, "chain",
        [helper.make_tensor_value_info("input", TensorProto.FLOAT, ["N", 8])],
        [helper.make_tensor_value_info("output", TensorProto.FLOAT, ["N", 8])],
        inits)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)])
    model.ir_version = 8
    onnx.save(model, out)
    np.save(calib_out, rng.standard_normal((16, 8)).astype(np.float32))


if __name__ == "__main__":
    main()
