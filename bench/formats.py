#!/usr/bin/python3
"""Accuracy, weight storage and CPU latency of the bundled trained models in
every weight format qcc offers (docs/low-bit-formats.md shows the result).

    /usr/bin/python3 bench/formats.py [--qcc build/bin/qcc] [--runs 50]
                                      [--json out.json] [--only digits|lm]

Models (examples/):
  digits_cnn   CNN on scikit-learn's digits; top-1 on the 540 test images.
  char_lm      character-level transformer LM (python/train_char_lm.py);
               perplexity per character on the 128 held-out windows of 64
               characters (8192 predictions): exp(mean cross-entropy).

For each format the model is quantized with `qcc quantize` (weight-only
rows with --acts none: float activations; W8A8 / W4A8 rows integer-only),
compiled with `qcc compile` for this CPU, evaluated with the compiled code
and timed with `qcc bench` (batch 1, median of --runs). Weight bytes are
the quantize report's storage of the quantized layers' weights (packed
codes, scales, zero points); fp32 counts the same tensors as f32.
"""

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile

import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
EX = os.path.join(ROOT, "examples")

WEIGHT_ONLY = ["--acts", "none"]
CNN_FORMATS = [
    ("fp32", None),
    ("int8 W8A8 (integer-only)", ["--weights", "int8", "--integer-only"]),
    ("int4 W4A8 (integer-only)", ["--weights", "int4", "--integer-only"]),
    ("int8 weight-only", ["--weights", "int8"] + WEIGHT_ONLY),
    ("int4 weight-only, per channel", ["--weights", "int4"] + WEIGHT_ONLY),
    ("int4 weight-only, g32 asym", ["--weights", "int4", "--weight-group-size", "32",
                                    "--asymmetric-weights"] + WEIGHT_ONLY),
    ("int4 weight-only, g32 asym + rounding opt.",
     ["--weights", "int4", "--weight-group-size", "32", "--asymmetric-weights",
      "--optimize-rounding"] + WEIGHT_ONLY),
    ("FP8 E4M3", ["--weights", "fp8e4m3"] + WEIGHT_ONLY),
    ("FP6 E3M2", ["--weights", "fp6e3m2"] + WEIGHT_ONLY),
    ("FP6 E3M2 + scale search", ["--weights", "fp6e3m2", "--weight-clipping", "mse"] + WEIGHT_ONLY),
    ("FP4 E2M1", ["--weights", "fp4e2m1"] + WEIGHT_ONLY),
    ("FP4 E2M1 + scale search", ["--weights", "fp4e2m1", "--weight-clipping", "mse"] + WEIGHT_ONLY),
    ("MXFP6", ["--weights", "mxfp6"] + WEIGHT_ONLY),
    ("MXFP4", ["--weights", "mxfp4"] + WEIGHT_ONLY),
    ("NVFP4", ["--weights", "nvfp4"] + WEIGHT_ONLY),
]
# Integer-only needs every op in integer form: the transformer's LayerNorm,
# Softmax and GELU are float, so it is a weight-only model.
LM_FORMATS = [f for f in CNN_FORMATS if "integer-only" not in f[0]]


def run(cmd, **kw):
    r = subprocess.run(cmd, capture_output=True, text=True, **kw)
    if r.returncode != 0:
        sys.exit(f"failed: {' '.join(cmd)}\n{r.stdout}\n{r.stderr}")
    return r.stdout


def one_hot(ids_file, vocab, out):
    ids = np.load(ids_file)
    x = np.zeros(ids.shape + (vocab,), dtype=np.float32)
    np.put_along_axis(x, ids[..., None], 1.0, axis=-1)
    np.save(out, x)


def perplexity(logits_file, targets_file):
    logits = np.load(logits_file).astype(np.float64)
    targets = np.load(targets_file)
    m = logits.max(-1, keepdims=True)
    logz = np.log(np.exp(logits - m).sum(-1)) + m[..., 0]
    nll = logz - np.take_along_axis(logits, targets[..., None], -1)[..., 0]
    return float(np.exp(nll.mean()))


def evaluate(model, args, work):
    qcc = args.qcc
    if model == "digits":
        onnx = os.path.join(EX, "digits_cnn.onnx")
        calib = os.path.join(EX, "digits_calib.npy")
        test = os.path.join(EX, "digits_test.npy")
        formats = CNN_FORMATS
    else:
        onnx = os.path.join(EX, "char_lm.onnx")
        vocab = json.load(open(os.path.join(EX, "char_lm.json")))["vocab"]["size"]
        calib = os.path.join(work, "lm_calib.npy")
        test = os.path.join(work, "lm_test.npy")
        one_hot(os.path.join(EX, "char_lm_calib_ids.npy"), vocab, calib)
        one_hot(os.path.join(EX, "char_lm_test_ids.npy"), vocab, test)
        formats = LM_FORMATS
    rows = []
    float_bytes = None
    for name, flags in formats:
        tag = re.sub(r"[^a-z0-9]+", "_", name.lower())
        out = os.path.join(work, f"{model}_{tag}")
        print(f"[{model}] {name} ...", file=sys.stderr, flush=True)
        weight_bytes = None
        if flags is None:
            run([qcc, "compile", onnx, "--float", "-o", out])
        else:
            mlir = out + ".mlir"
            report = out + ".json"
            run([qcc, "quantize", onnx, "--calib", calib, "--sqnr-samples", "16",
                 "--report", report, "-o", mlir] + flags)
            r = json.load(open(report))
            weight_bytes = r["weight_bytes"]
            float_bytes = r["float_weight_bytes"]
            run([qcc, "compile", mlir, "-o", out])
        if model == "digits":
            text = run([qcc, "eval", out, "--input", test, "--labels",
                        os.path.join(EX, "digits_test_labels.npy")])
            metric = float(re.search(r"top-1 accuracy: ([0-9.]+)%", text).group(1))
        else:
            logits = out + "_logits.npy"
            run([qcc, "run", out, "--input", test, "-o", logits])
            metric = perplexity(logits, os.path.join(EX, "char_lm_test_targets.npy"))
        bench = json.loads(run([qcc, "bench", out, "--runs", str(args.runs), "--json"]))
        rows.append({"format": name, "metric": metric, "weight_bytes": weight_bytes,
                     "latency_ms": bench.get("median_ms", bench.get("median"))})
    for r in rows:
        if r["weight_bytes"] is None:
            r["weight_bytes"] = float_bytes
    return rows


def table(model, rows):
    metric = "top-1 (%)" if model == "digits" else "perplexity/char"
    fp32 = rows[0]
    lines = [f"| format | {metric} | weight bytes | vs fp32 | latency (ms) |",
             "|---|---:|---:|---:|---:|"]
    for r in rows:
        m = f"{r['metric']:.2f}" if model == "digits" else f"{r['metric']:.3f}"
        lines.append(f"| {r['format']} | {m} | {r['weight_bytes']} | "
                     f"{100.0 * r['weight_bytes'] / fp32['weight_bytes']:.1f}% | "
                     f"{r['latency_ms']:.3f} |")
    return "\n".join(lines)


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--qcc", default=os.path.join(ROOT, "build", "bin", "qcc"))
    p.add_argument("--runs", type=int, default=50)
    p.add_argument("--json")
    p.add_argument("--only", choices=["digits", "lm"])
    args = p.parse_args()
    results = {}
    with tempfile.TemporaryDirectory() as work:
        for model in ["digits", "lm"]:
            if args.only and args.only != model:
                continue
            results[model] = evaluate(model, args, work)
    for model, rows in results.items():
        print(f"\n### {'digits_cnn (540 test images)' if model == 'digits' else 'char_lm (128 x 64 held-out characters)'}\n")
        print(table(model, rows))
    if args.json:
        json.dump(results, open(args.json, "w"), indent=1)


if __name__ == "__main__":
    main()
