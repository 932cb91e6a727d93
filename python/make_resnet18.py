#!/usr/bin/python3
"""torchvision's ResNet-18 (224x224, 1000 classes) with random weights
(torchvision's initialisation, seeded) and random BatchNorm statistics,
exported to ONNX with a dynamic batch, plus random calibration images: for
speed benchmarks only (speed does not depend on the weights). Uses Debian's
PyTorch and torchvision (python3-torch, python3-torchvision).

    /usr/bin/python3 python/make_resnet18.py OUTDIR [NUM_IMAGES]
"""

import os
import sys

import numpy as np
import torch
import torchvision


def main():
    out = sys.argv[1]
    images = int(sys.argv[2]) if len(sys.argv) > 2 else 8
    os.makedirs(out, exist_ok=True)
    torch.manual_seed(0)
    model = torchvision.models.resnet18(weights=None)
    # Non-trivial BatchNorm statistics, so that folding them matters.
    with torch.no_grad():
        for m in model.modules():
            if isinstance(m, torch.nn.BatchNorm2d):
                m.running_mean.uniform_(-0.1, 0.1)
                m.running_var.uniform_(0.5, 1.5)
    model.eval()
    # The same weights for PyTorch's own int8 baseline (pytorch_latency.py).
    torch.save(model.state_dict(), os.path.join(out, "resnet18.pt"))
    x = torch.randn(1, 3, 224, 224)
    torch.onnx.export(model, x, os.path.join(out, "resnet18.onnx"),
                      input_names=["input"], output_names=["logits"],
                      dynamic_axes={"input": {0: "N"}, "logits": {0: "N"}},
                      opset_version=13)
    rng = np.random.default_rng(0)
    np.save(os.path.join(out, "resnet18_calib.npy"),
            rng.standard_normal((images, 3, 224, 224)).astype(np.float32))


if __name__ == "__main__":
    main()
