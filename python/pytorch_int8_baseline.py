#!/usr/bin/python3
"""PyTorch int8 baseline for the Fashion-MNIST model: FX graph-mode post-training static
quantization with the oneDNN engine, evaluated on the same test subset as qcc.

    /usr/bin/python3 python/pytorch_int8_baseline.py OUTDIR [--threads T]

Reads OUTDIR/fashion_cnn.pt, fashion_calib.npy, fashion_test.npy, fashion_test_labels.npy
(written by train_fashion_mnist.py) and writes OUTDIR/pytorch_int8.json.

Recipe (PyTorch 1.13, Debian's python3-torch):
  torch.backends.quantized.engine = 'onednn'
  qconfig_mapping = get_default_qconfig_mapping('onednn')
      (activations: HistogramObserver, quint8 affine per-tensor, reduce_range=False;
       weights: PerChannelMinMaxObserver, qint8 symmetric per-channel)
  prepared = prepare_fx(model.eval(), qconfig_mapping, example_inputs)   # fuses conv-bn(-relu)
  run prepared on every calibration image (batches of 64)
  quantized = convert_fx(prepared)
PyTorch 1.13 has no oneDNN-specific BackendConfig (get_onednn_backend_config appeared in
2.0), so prepare_fx uses its default, the native backend config.
"""

import argparse
import json
import os
import sys
import time

import numpy as np
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from train_fashion_mnist import FashionResNet  # noqa: E402


def accuracy(model, x, y, batch=500):
    correct = 0
    with torch.no_grad():
        for i in range(0, len(x), batch):
            logits = model(torch.from_numpy(x[i:i + batch]))
            correct += int((logits.argmax(1).numpy() == y[i:i + batch]).sum())
    return correct / len(x), correct


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("outdir")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--engine", default="onednn", help="quantized engine (default onednn)")
    args = ap.parse_args()
    torch.manual_seed(0)
    torch.set_num_threads(args.threads)

    from torch.ao.quantization import get_default_qconfig_mapping
    from torch.ao.quantization.quantize_fx import convert_fx, prepare_fx

    engines = torch.backends.quantized.supported_engines
    engine = args.engine
    note = None
    if engine not in engines:
        note = f"engine {engine} unavailable in this build (supported: {engines}); using fbgemm"
        engine = "fbgemm"
        print(note, file=sys.stderr)
    torch.backends.quantized.engine = engine

    d = args.outdir
    calib = np.load(os.path.join(d, "fashion_calib.npy"))
    x = np.load(os.path.join(d, "fashion_test.npy"))
    y = np.load(os.path.join(d, "fashion_test_labels.npy"))

    model = FashionResNet()
    model.load_state_dict(torch.load(os.path.join(d, "fashion_cnn.pt")))
    model.eval()
    fp32_acc, _ = accuracy(model, x, y)

    t0 = time.time()
    qconfig_mapping = get_default_qconfig_mapping(engine)
    prepared = prepare_fx(model, qconfig_mapping, example_inputs=(torch.from_numpy(calib[:1]),))
    with torch.no_grad():
        for i in range(0, len(calib), 64):
            prepared(torch.from_numpy(calib[i:i + 64]))
    quantized = convert_fx(prepared)
    quant_seconds = time.time() - t0

    t0 = time.time()
    int8_acc, correct = accuracy(quantized, x, y)
    eval_seconds = time.time() - t0

    result = {
        "name": f"PyTorch {torch.__version__} FX PTQ static int8 ({engine})",
        "engine": engine,
        "engine_note": note,
        "qconfig": str(qconfig_mapping.global_qconfig),
        "backend_config": "native (default; PyTorch 1.13 has no onednn BackendConfig)",
        "calibration_images": int(len(calib)),
        "accuracy": int8_acc,
        "correct": correct,
        "total": int(len(x)),
        "fp32_accuracy_same_images": fp32_acc,
        "quantize_seconds": quant_seconds,
        "eval_seconds": eval_seconds,
        "threads": args.threads,
        "quantized_graph": str(quantized.graph),
    }
    with open(os.path.join(d, "pytorch_int8.json"), "w") as f:
        json.dump(result, f, indent=2)
    print(f"PyTorch int8 ({engine}) top-1 accuracy: {int8_acc:.4f} ({correct}/{len(x)}); fp32 {fp32_acc:.4f}")


if __name__ == "__main__":
    main()
