#!/usr/bin/python3
"""Batch-1 latency of PyTorch's int8 and fp32 models on the CPU: the
baseline bench/cpu_latency.sh puts next to qcc. The networks are the ones
qcc compiles from ONNX: ResNet-18 (python/make_resnet18.py: torchvision's
resnet18 with the weights it saved in resnet18.pt) and the Fashion-MNIST CNN
(python/train_fashion_mnist.py: FashionResNet, fashion_cnn.pt). int8 is FX
graph-mode post-training static quantization (prepare_fx / convert_fx,
default qconfig mapping of the engine, conv-bn-relu fused) calibrated on the
model's calibration array, run by the onednn quantized engine (fbgemm if
this PyTorch lacks it). Uses Debian's PyTorch 1.13 and torchvision.

    /usr/bin/python3 python/pytorch_latency.py MODEL_DIR [--model resnet18|fashion]
        [--threads N] [--runs N]

Prints one JSON line per variant: {"name", "engine", "threads", "median_ms",
"min_ms"}.
"""

import argparse
import json
import os
import sys
import time

import numpy as np
import torch
import torchvision


def latency(model, x, runs, warmup=5):
    times = []
    with torch.no_grad():
        for i in range(warmup + runs):
            t0 = time.perf_counter()
            model(x)
            t1 = time.perf_counter()
            if i >= warmup:
                times.append((t1 - t0) * 1e3)
    times.sort()
    return times[len(times) // 2], times[0]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("model_dir")
    ap.add_argument("--model", choices=["resnet18", "fashion"], default="resnet18")
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--runs", type=int, default=30)
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    from torch.ao.quantization import get_default_qconfig_mapping
    from torch.ao.quantization.quantize_fx import convert_fx, prepare_fx

    if args.model == "resnet18":
        model = torchvision.models.resnet18(weights=None)
        weights, calib_file, shape = "resnet18.pt", "resnet18_calib.npy", (1, 3, 224, 224)
    else:
        sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
        from train_fashion_mnist import FashionResNet  # noqa: E402
        model = FashionResNet()
        weights, calib_file, shape = "fashion_cnn.pt", "fashion_calib.npy", (1, 1, 28, 28)
    model.load_state_dict(torch.load(os.path.join(args.model_dir, weights)))
    model.eval()
    calib = torch.from_numpy(np.load(os.path.join(args.model_dir, calib_file)))
    x = torch.from_numpy(np.random.default_rng(0).uniform(0, 1, shape).astype(np.float32))

    median, best = latency(model, x, args.runs)
    print(json.dumps({"name": f"PyTorch {torch.__version__} fp32", "engine": "fp32",
                      "threads": args.threads, "median_ms": median, "min_ms": best}))

    engine = "onednn" if "onednn" in torch.backends.quantized.supported_engines else "fbgemm"
    torch.backends.quantized.engine = engine
    prepared = prepare_fx(model, get_default_qconfig_mapping(engine),
                          example_inputs=(calib[:1],))
    with torch.no_grad():
        for i in range(calib.shape[0]):
            prepared(calib[i:i + 1])
    quantized = convert_fx(prepared)
    median, best = latency(quantized, x, args.runs)
    print(json.dumps({"name": f"PyTorch {torch.__version__} FX int8 ({engine})",
                      "engine": engine, "threads": args.threads,
                      "median_ms": median, "min_ms": best}))


if __name__ == "__main__":
    main()
