#!/usr/bin/python3
"""Re-implementation of ONNX Runtime's static QDQ quantization (onnxruntime.quantization
.quantize_static with the MinMax calibrator) using only the `onnx` package and numpy.
ORT's quantization tool is Python-only and not installable here (no PyPI); ONNX Runtime
itself is used, through Node (bench/ort_minmax.mjs), only to run the float model for
calibration, exactly as ORT's MinMaxCalibrater runs it (graph optimizations disabled).

    /usr/bin/python3 python/ort_style_quantize.py FLOAT.onnx CALIB.npy OUT.onnx
        [--activation-type uint8|int8] [--per-tensor] [--json OUT.json] [--ranges RANGES.json]

Defaults are the configuration ORT recommends for x86 CPUs and that most users pass
explicitly: quant_format=QDQ, activation_type=QUInt8, weight_type=QInt8, per_channel=True,
calibrate_method=MinMax, reduce_range=False. ORT's literal function defaults
(quantize_static(...) with no options) are activation_type=QInt8 and per_channel=False:
`--activation-type int8 --per-tensor` reproduces those.

What is reproduced from ORT (onnxruntime/python/tools/quantization, qdq_quantizer.py,
quant_utils.py, calibrate.py, registry.py, operators/*):
  * op types to quantize: QLinearOpsRegistry + QDQRegistry keys; ops outside them (here:
    Flatten) stay float and get no Q/DQ.
  * calibration: every float, non-initializer input/output of a node of those op types is
    made a graph output; min and max over the whole calibration set (min of batch minima,
    max of batch maxima).
  * activations: per-tensor, range widened to include 0; uint8: scale = (rmax-rmin)/255,
    zp = round(0 - rmin/scale); int8 (asymmetric): qmin=-128, qmax=127. scale computed in
    float64, stored float32; scale < float32 tiny -> scale 1, zp 0.
  * weights (Conv/ConvTranspose/Gemm/MatMul initializers): int8 symmetric, qrange
    [-127,127], scale = absmax/127 (per output channel: Conv axis 0, Gemm axis 0 when
    transB=1 else 1, MatMul axis 1), zp 0; stored as int8 initializer + DequantizeLinear
    (no QuantizeLinear on weights, ORT's AddQDQPairToWeight=False default).
  * biases of Conv/Gemm: int32, scale = input_scale * weight_scale (* Gemm beta), zp 0,
    round-half-even, stored as int32 initializer + DequantizeLinear; ORT's adjustment of
    the weight scale when the bias would overflow int32 is reproduced (rarely triggers).
  * Relu/Clip after a quantized tensor with a single consumer are removed (their output
    range is used for the producer's output: QDQRemovableActivation), for asymmetric
    activations only.
  * one Q/DQ pair per tensor shared by all consumers (DedicatedQDQPair=False); graph
    inputs get Q->DQ in front; graph outputs keep their name (the producer writes
    NAME_QuantizeLinear_Input); node/tensor names use ORT's suffixes.
  * ops whose output shares the input's parameters (Reshape/Transpose/Squeeze/Unsqueeze/
    AveragePool/Slice/MaxPool: ORT's QDQDirect8BitOp, QDQMaxPool) when the input is quantized.
Not reproduced (not exercised by this model, or off by default): the special cases of
Concat/Split/Resize/Gather/Where/Softmax/Pad/normalisations (they fall back to quantizing
all float inputs and outputs), tensor quant overrides, 16-bit and 4-bit types, the
QOperator format, calibration methods other than MinMax, DedicatedQDQPair, reduce_range.
"""

import argparse
import json
import os
import subprocess
import sys
import tempfile

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

# registry.py (ORT >= 1.17): QLinearOpsRegistry and QDQRegistry keys.
QLINEAR_OPS = {"ArgMax", "Conv", "Gemm", "MatMul", "Add", "Mul", "Relu", "Clip", "LeakyRelu",
               "Sigmoid", "MaxPool", "GlobalAveragePool", "Split", "Pad", "Reshape", "Squeeze",
               "Unsqueeze", "Resize", "AveragePool", "Concat", "Softmax", "Where", "Gather",
               "Transpose", "EmbedLayerNormalization"}
QDQ_OPS = {"Conv", "ConvTranspose", "Gemm", "Clip", "Relu", "Reshape", "Transpose", "Squeeze",
           "Unsqueeze", "Resize", "MaxPool", "AveragePool", "Slice", "Pad", "MatMul", "Split",
           "Gather", "GatherElements", "Where", "InstanceNormalization", "LayerNormalization",
           "BatchNormalization"}
OPS_TO_QUANTIZE = QLINEAR_OPS | QDQ_OPS
# QDQDirect8BitOp / QDQMaxPool: the output shares the input's quantization parameters.
SHARE_PARAMS_OPS = {"Reshape", "Transpose", "Squeeze", "Unsqueeze", "AveragePool", "Slice", "MaxPool"}
REMOVABLE_ACTIVATIONS = {"Relu", "Clip"}

INT32_MIN, INT32_MAX = np.iinfo(np.int32).min, np.iinfo(np.int32).max
NP_TYPE = {TensorProto.UINT8: np.uint8, TensorProto.INT8: np.int8}
HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)


# ----------------------------------------------------------------------------- quant_utils

def qrange(qtype, symmetric):
    if qtype == TensorProto.UINT8:
        return np.array(0, np.uint8), np.array(255, np.uint8)
    if qtype == TensorProto.INT8:
        return (np.array(-127, np.int8), np.array(127, np.int8)) if symmetric else \
               (np.array(-128, np.int8), np.array(127, np.int8))
    raise ValueError(qtype)


def compute_scale_zp(rmin, rmax, qmin, qmax, symmetric):
    """quant_utils.compute_scale_zp."""
    rmin = np.minimum(rmin, np.array(0, dtype=rmin.dtype))
    rmax = np.maximum(rmax, np.array(0, dtype=rmax.dtype))
    if symmetric:
        absmax = np.maximum(np.abs(rmin), np.abs(rmax))
        rmin, rmax = -absmax, +absmax
    dr = np.array(rmax - rmin, dtype=np.float64)
    dq = np.array(qmax, dtype=np.float64) - np.array(qmin, dtype=np.float64)
    scale = np.array(dr / dq)
    if scale < np.finfo(rmax.dtype).tiny:
        return np.array(0, dtype=qmin.dtype), np.array(1.0, dtype=rmax.dtype)
    if symmetric:
        zp = np.array(np.round((qmin + qmax) / np.array(2.0, dtype=np.float64)), dtype=qmin.dtype)
    else:
        zp = np.array(np.round(qmin - rmin / scale), dtype=qmin.dtype)
    return zp, scale.astype(rmax.dtype)


def quantize_nparray(qtype, arr, scale, zp):
    """quant_utils.quantize_nparray (integer types)."""
    qmin, qmax = qrange(qtype, symmetric=False)
    q = np.asarray((arr.astype(np.float32) / scale).round() + zp)
    np.clip(q, qmin, qmax, out=q)
    return q.astype(NP_TYPE[qtype])


def quantize_weight(w, qtype, symmetric, axis):
    """Per-tensor (axis None) or per-channel weight quantization; returns (q, scale, zp)."""
    qmin, qmax = qrange(qtype, symmetric)
    if axis is None:
        zp, scale = compute_scale_zp(np.array(w.min(), w.dtype), np.array(w.max(), w.dtype), qmin, qmax, symmetric)
        return quantize_nparray(qtype, w.ravel(), scale, zp).reshape(w.shape), scale, zp
    scales, zps, chans = [], [], []
    for i in range(w.shape[axis]):
        c = w.take(i, axis)
        zp, scale = compute_scale_zp(np.array(c.min(), w.dtype), np.array(c.max(), w.dtype), qmin, qmax, symmetric)
        dims = list(w.shape)
        dims[axis] = 1
        chans.append(quantize_nparray(qtype, c.ravel(), scale, zp).reshape(dims))
        scales.append(scale)
        zps.append(zp)
    return np.concatenate(chans, axis), np.array(scales, dtype=w.dtype), np.array(zps, dtype=zps[0].dtype)


def adjust_weight_scale_for_int32_bias(input_scale, weight_scale, bias, per_channel):
    """qdq_quantizer._adjust_weight_scale_for_int32_bias: grows the weight scale where
    input_scale * weight_scale is too small for the bias to fit in int32. Returns the new
    scale or None."""
    eps = 1.0001
    qr = np.array(INT32_MAX, dtype=np.float64) - np.array(INT32_MIN + 1, dtype=np.float64)
    ws = np.array(weight_scale, copy=True)
    updated = False
    items = [(None, bias)] if not per_channel else [(i, bias[i]) for i in range(ws.shape[0])]
    for i, b in items:
        rmin = np.minimum(np.min(b), np.array(0, dtype=np.float64))
        rmax = np.maximum(np.max(b), np.array(0, dtype=np.float64))
        smallest = eps * (2.0 * np.maximum(np.abs(rmin), np.abs(rmax))) / qr
        w_i = np.array((ws if i is None else ws[i]).item(), dtype=np.float64)
        cand = np.array(input_scale.item(), dtype=np.float64) * w_i
        if 0.0 < cand < smallest:
            new = (w_i * (smallest / cand)).astype(ws.dtype)
            if i is None:
                ws = np.array(new, dtype=ws.dtype)
            else:
                ws[i] = new
            updated = True
    return ws if updated else None


# ----------------------------------------------------------------------------- calibration

def calibration_model(model):
    """ORT's MinMaxCalibrater's augmented model: every float non-initializer input/output
    of a node to quantize made a graph output. Returns (augmented model, tensor names)."""
    inferred = onnx.shape_inference.infer_shapes(model)
    vi = {v.name: v for v in list(inferred.graph.value_info) + list(inferred.graph.input) + list(inferred.graph.output)}
    inits = {i.name for i in model.graph.initializer}
    wanted = []
    for node in model.graph.node:
        if node.op_type not in OPS_TO_QUANTIZE:
            continue
        for t in list(node.input) + list(node.output):
            if t and t in vi and t not in inits and t not in wanted and \
                    vi[t].type.HasField("tensor_type") and \
                    vi[t].type.tensor_type.elem_type in (TensorProto.FLOAT, TensorProto.FLOAT16):
                wanted.append(t)
    aug = onnx.ModelProto()
    aug.CopyFrom(model)
    have = {o.name for o in aug.graph.output}
    for t in wanted:
        if t not in have:
            aug.graph.output.append(helper.make_tensor_value_info(t, vi[t].type.tensor_type.elem_type, None))
    return aug, wanted


def calibrate(model, calib_path, tmpdir, batch, threads=0):
    """Run the calibration model over the calibration set in ONNX Runtime
    (bench/ort_minmax.mjs, which prints its throughput) and return {tensor: (min, max)}
    as float32."""
    aug, wanted = calibration_model(model)
    aug_path = os.path.join(tmpdir, "augmented.onnx")
    ranges_path = os.path.join(tmpdir, "ranges.json")
    onnx.save(aug, aug_path)
    subprocess.run(["node", os.path.join(REPO, "bench", "ort_minmax.mjs"), aug_path, calib_path, ranges_path,
                    "--batch", str(batch), "--threads", str(threads)], check=True)
    with open(ranges_path) as f:
        raw = json.load(f)
    return {t: (np.float32(raw[t][0]), np.float32(raw[t][1])) for t in wanted}


# ----------------------------------------------------------------------------- quantizer

class QDQQuantizer:
    def __init__(self, model, ranges, act_type, per_channel):
        self.model = model
        self.graph = model.graph
        self.ranges = ranges
        self.act_type = act_type
        self.weight_type = TensorProto.INT8
        self.weight_symmetric = True            # WeightSymmetric default for int8 weights
        self.act_symmetric = False              # ActivationSymmetric default
        self.per_channel = per_channel
        self.inits = {i.name: i for i in self.graph.initializer}
        self.tensors_to_quantize = {}           # name -> ("activation", None) | ("weight", axis)
        self.shared = {}                        # output name -> input name it shares params with
        self.bias_to_quantize = []              # (bias, input, weight, beta)
        self.nodes_to_remove = []
        self.params = {}                        # tensor -> (scale, zp) for activations
        self.weight_params = {}                 # weight -> (scale array, zp array, axis)
        self.new_nodes = []
        self.new_inits = []
        self.stats = {"bias_weight_scale_adjustments": 0, "removed_activations": []}

    # helpers -------------------------------------------------------------
    def consumers(self, name):
        return [n for n in self.graph.node if name in n.input]

    def is_graph_output(self, name):
        return any(o.name == name for o in self.graph.output)

    def is_graph_input(self, name):
        return any(i.name == name for i in self.graph.input)

    def is_float_tensor(self, name):
        if name in self.inits:
            return self.inits[name].data_type in (TensorProto.FLOAT, TensorProto.FLOAT16)
        return name in self.ranges    # calibrated => float activation

    def quantize_activation_tensor(self, name):
        if name and self.is_float_tensor(name) and name not in self.tensors_to_quantize:
            self.tensors_to_quantize[name] = ("activation", None)

    def quantize_weight_tensor(self, name, axis=None):
        if name in self.inits and name not in self.tensors_to_quantize:
            self.tensors_to_quantize[name] = ("weight", axis if self.per_channel else None)

    def try_replacing_upstream_output(self, upstream, output):
        if output in self.ranges and len(self.consumers(upstream)) == 1 and \
                not self.is_graph_output(upstream) and not self.is_graph_input(upstream):
            for n in self.graph.node:
                for i, o in enumerate(n.output):
                    if o == upstream:
                        n.output[i] = output
            self.tensors_to_quantize.pop(upstream, None)
            return True
        return False

    # operator quantizers (operators/*.py) --------------------------------
    def quantize_node(self, node):
        op = node.op_type
        if op in ("Conv", "ConvTranspose"):
            self.quantize_activation_tensor(node.input[0])
            self.quantize_weight_tensor(node.input[1], 0 if op == "Conv" else 1)
            # ORT's quantize_bias_tensor: a bias that is not an initializer (the
            # exporter's Identity of a shared one) stays float.
            if len(node.input) > 2 and node.input[2] in self.inits:
                self.bias_to_quantize.append((node.input[2], node.input[0], node.input[1], 1.0))
            self.quantize_activation_tensor(node.output[0])
        elif op == "Gemm":
            attrs = {a.name: helper.get_attribute_value(a) for a in node.attribute}
            self.quantize_activation_tensor(node.input[0])
            if node.input[1] in self.inits:
                self.quantize_weight_tensor(node.input[1], 0 if attrs.get("transB", 0) else 1)
            else:
                self.quantize_activation_tensor(node.input[1])
            if len(node.input) > 2 and node.input[2] in self.inits:
                self.bias_to_quantize.append((node.input[2], node.input[0], node.input[1], float(attrs.get("beta", 1.0))))
            self.quantize_activation_tensor(node.output[0])
        elif op == "MatMul":
            for t in node.input:
                if t in self.inits:
                    self.quantize_weight_tensor(t, 1)
                else:
                    self.quantize_activation_tensor(t)
            self.quantize_activation_tensor(node.output[0])
        elif op in REMOVABLE_ACTIVATIONS:
            if node.input[0] not in self.tensors_to_quantize:
                return
            if not self.act_symmetric and self.try_replacing_upstream_output(node.input[0], node.output[0]):
                self.nodes_to_remove.append(node)
                self.stats["removed_activations"].append(node.name)
            else:
                self.quantize_activation_tensor(node.input[0])
            self.quantize_activation_tensor(node.output[0])
        elif op in SHARE_PARAMS_OPS:
            # QDQDirect8BitOp / QDQMaxPool: only when the input is already quantized.
            if node.input[0] not in self.tensors_to_quantize:
                return
            if node.output[0] not in self.tensors_to_quantize:
                self.shared[node.output[0]] = node.input[0]
                self.tensors_to_quantize[node.output[0]] = ("activation", None)
        else:  # QDQOperatorBase: every float input and output
            for t in node.input:
                if t and t not in self.inits:
                    self.quantize_activation_tensor(t)
            for t in node.output:
                self.quantize_activation_tensor(t)

    # Q/DQ insertion --------------------------------------------------------
    def activation_params(self, name):
        if name in self.params:
            return self.params[name]
        if name in self.shared:
            p = self.activation_params(self.shared[name])
        else:
            rmin, rmax = self.ranges[name]
            qmin, qmax = qrange(self.act_type, self.act_symmetric)
            zp, scale = compute_scale_zp(np.array(rmin, np.float32), np.array(rmax, np.float32),
                                         qmin, qmax, self.act_symmetric)
            p = (scale, zp)
        self.params[name] = p
        return p

    def add_qdq_for_activation(self, name):
        scale, zp = self.activation_params(name)
        scale_name, zp_name = f"{name}_scale", f"{name}_zero_point"
        self.new_inits.append(numpy_helper.from_array(np.array(scale, np.float32), scale_name))
        self.new_inits.append(numpy_helper.from_array(np.array(zp, NP_TYPE[self.act_type]), zp_name))
        q_in, dq_out = name, f"{name}_DequantizeLinear_Output"
        if self.is_graph_output(name):
            q_in, dq_out = f"{name}_QuantizeLinear_Input", name
            for n in self.graph.node:
                for i, o in enumerate(n.output):
                    if o == name:
                        n.output[i] = q_in
        else:
            for n in self.graph.node:
                for i, t in enumerate(n.input):
                    if t == name:
                        n.input[i] = dq_out
        q_out = f"{name}_QuantizeLinear_Output"
        self.new_nodes.append(helper.make_node("QuantizeLinear", [q_in, scale_name, zp_name], [q_out], f"{name}_QuantizeLinear"))
        self.new_nodes.append(helper.make_node("DequantizeLinear", [q_out, scale_name, zp_name], [dq_out], f"{name}_DequantizeLinear"))

    def weight_quant(self, name, axis):
        if name not in self.weight_params:
            w = numpy_helper.to_array(self.inits[name]).astype(np.float32)
            q, scale, zp = quantize_weight(w, self.weight_type, self.weight_symmetric, axis)
            self.weight_params[name] = [w, q, scale, zp, axis]
        return self.weight_params[name]

    def add_dq_for_weight(self, name, axis):
        w, q, scale, zp, axis = self.weight_quant(name, axis)
        qn, sn, zn = f"{name}_quantized", f"{name}_scale", f"{name}_zero_point"
        self.new_inits += [numpy_helper.from_array(q, qn), numpy_helper.from_array(np.asarray(scale, np.float32), sn),
                           numpy_helper.from_array(np.asarray(zp, np.int8), zn)]
        dq_out = f"{name}_DequantizeLinear_Output"
        for n in self.graph.node:
            for i, t in enumerate(n.input):
                if t == name:
                    n.input[i] = dq_out
        kw = {"axis": axis} if axis is not None else {}
        self.new_nodes.append(helper.make_node("DequantizeLinear", [qn, sn, zn], [dq_out], f"{name}_DequantizeLinear", **kw))

    def quantize_bias(self, bias, inp, weight, beta):
        b = numpy_helper.to_array(self.inits[bias]).astype(np.float32)
        in_scale, _ = self.activation_params(inp)
        w, q, w_scale, zp, axis = self.weight_quant(weight, self.tensors_to_quantize[weight][1])
        bias_scale = np.asarray(in_scale, np.float32) * np.asarray(w_scale, np.float32) * np.float32(beta)
        qb = np.clip((b / bias_scale).round(), INT32_MIN, INT32_MAX).astype(np.int32)
        qn, sn, zn = f"{bias}_quantized", f"{bias}_scale", f"{bias}_zero_point"
        self.new_inits += [numpy_helper.from_array(qb.reshape(b.shape), qn),
                           numpy_helper.from_array(np.asarray(bias_scale, np.float32).reshape(-1) if bias_scale.size > 1
                                                   else np.asarray(bias_scale, np.float32).reshape(()), sn),
                           numpy_helper.from_array(np.zeros(bias_scale.shape, np.int32) if bias_scale.size > 1
                                                   else np.array(0, np.int32), zn)]
        kw = {"axis": 0} if bias_scale.size > 1 else {}
        self.new_nodes.append(helper.make_node("DequantizeLinear", [qn, sn, zn], [bias], f"{bias}_DequantizeLinear", **kw))

    def adjust_weights_for_bias(self):
        for bias, inp, weight, beta in self.bias_to_quantize:
            if weight not in self.tensors_to_quantize or self.tensors_to_quantize[weight][0] != "weight":
                continue
            w, q, w_scale, zp, axis = self.weight_quant(weight, self.tensors_to_quantize[weight][1])
            b = numpy_helper.to_array(self.inits[bias]).astype(np.float64)
            new = adjust_weight_scale_for_int32_bias(np.asarray(self.activation_params(inp)[0]), np.asarray(w_scale),
                                                     b, axis is not None)
            if new is not None:
                self.stats["bias_weight_scale_adjustments"] += 1
                if axis is None:
                    q = quantize_nparray(self.weight_type, w.ravel(), new, zp).reshape(w.shape)
                else:
                    dims = list(w.shape)
                    dims[axis] = 1
                    q = np.concatenate([quantize_nparray(self.weight_type, w.take(i, axis).ravel(), new[i], zp[i])
                                        .reshape(dims) for i in range(w.shape[axis])], axis)
                self.weight_params[weight] = [w, q, new, zp, axis]

    def run(self):
        for node in list(self.graph.node):
            if node.op_type in OPS_TO_QUANTIZE:
                self.quantize_node(node)
        self.adjust_weights_for_bias()
        for name, (kind, axis) in list(self.tensors_to_quantize.items()):
            if kind == "weight":
                self.add_dq_for_weight(name, axis)
            else:
                self.add_qdq_for_activation(name)
        biases = {b for b, _, _, _ in self.bias_to_quantize}
        for bias, inp, weight, beta in self.bias_to_quantize:
            if weight in self.tensors_to_quantize and inp in self.tensors_to_quantize:
                self.quantize_bias(bias, inp, weight, beta)
            else:
                biases.discard(bias)
        for n in self.nodes_to_remove:
            self.graph.node.remove(n)
        self.graph.node.extend(self.new_nodes)
        # Replace quantized initializers, drop the unused float ones (clean_initializers).
        quantized_weights = {n for n, (k, _) in self.tensors_to_quantize.items() if k == "weight"}
        keep = [i for i in self.graph.initializer if i.name not in quantized_weights and i.name not in biases]
        del self.graph.initializer[:]
        self.graph.initializer.extend(keep + self.new_inits)
        used = {t for n in self.graph.node for t in n.input}
        keep = [i for i in self.graph.initializer if i.name in used]
        del self.graph.initializer[:]
        self.graph.initializer.extend(keep)
        self.topological_sort()
        self.model.producer_name = "qcc ort_style_quantize (ORT QDQ quantize_static re-implementation)"
        return self.model

    def topological_sort(self):
        avail = {i.name for i in self.graph.input} | {i.name for i in self.graph.initializer} | {""}
        pending = list(self.graph.node)
        ordered = []
        while pending:
            progress = False
            for n in list(pending):
                if all(t in avail for t in n.input):
                    ordered.append(n)
                    avail.update(n.output)
                    pending.remove(n)
                    progress = True
            if not progress:
                raise RuntimeError("graph has a cycle or an undefined input: " + ", ".join(n.name for n in pending))
        del self.graph.node[:]
        self.graph.node.extend(ordered)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("float_model")
    ap.add_argument("calib")
    ap.add_argument("out")
    ap.add_argument("--activation-type", choices=["uint8", "int8"], default="uint8")
    ap.add_argument("--per-tensor", action="store_true", help="per-tensor weights (ORT's per_channel=False default)")
    ap.add_argument("--json", help="write a summary (config, ranges, node counts) here")
    ap.add_argument("--ranges", help="also save the calibrated ranges here")
    ap.add_argument("--batch", type=int, default=64, help="calibration batch size (MinMax is batch-independent)")
    ap.add_argument("--threads", type=int, default=0,
                    help="ONNX Runtime intra-op threads for calibration (0: its default)")
    ap.add_argument("--calibrate-only", action="store_true",
                    help="only calibrate (bench/calib_throughput.sh): OUT receives the ranges as JSON")
    args = ap.parse_args()

    model = onnx.load(args.float_model)
    opset = next((o.version for o in model.opset_import if o.domain in ("", "ai.onnx")), None)
    if opset is None or opset < 13:
        sys.exit(f"ort_style_quantize: need ONNX opset >= 13 (per-channel DequantizeLinear), got {opset}")
    with tempfile.TemporaryDirectory() as tmp:
        ranges = calibrate(model, os.path.abspath(args.calib), tmp, args.batch, args.threads)
    if args.calibrate_only:
        with open(args.out, "w") as f:
            json.dump({k: [float(v[0]), float(v[1])] for k, v in ranges.items()}, f, indent=1)
        return
    act_type = TensorProto.UINT8 if args.activation_type == "uint8" else TensorProto.INT8
    q = QDQQuantizer(model, ranges, act_type, per_channel=not args.per_tensor)
    out = q.run()
    onnx.checker.check_model(out)
    onnx.save(out, args.out)
    counts = {}
    for n in out.graph.node:
        counts[n.op_type] = counts.get(n.op_type, 0) + 1
    summary = {
        "float_model": args.float_model, "calibration": args.calib, "output": args.out,
        "config": {"quant_format": "QDQ", "calibrate_method": "MinMax",
                   "activation_type": "QUInt8" if act_type == TensorProto.UINT8 else "QInt8",
                   "activation_symmetric": False, "weight_type": "QInt8", "weight_symmetric": True,
                   "per_channel": not args.per_tensor, "reduce_range": False},
        "quantized_tensors": len(q.tensors_to_quantize), "quantized_biases": len(q.bias_to_quantize),
        "removed_activations": q.stats["removed_activations"],
        "bias_weight_scale_adjustments": q.stats["bias_weight_scale_adjustments"],
        "op_counts": counts,
    }
    if args.ranges:
        with open(args.ranges, "w") as f:
            json.dump({k: [float(v[0]), float(v[1])] for k, v in ranges.items()}, f, indent=1)
    if args.json:
        with open(args.json, "w") as f:
            json.dump(summary, f, indent=2)
    print(f"ort_style_quantize: {args.out}: {summary['config']['activation_type']} activations, "
          f"{'per-channel' if not args.per_tensor else 'per-tensor'} int8 weights; ops {counts}")


if __name__ == "__main__":
    main()
