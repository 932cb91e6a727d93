#!/usr/bin/env python3
"""The model zoo of issue 19: torchvision architectures as ONNX, with inputs.

Exports standard torchvision 0.14 architectures (Debian's python3-torchvision)
with seeded random weights to ONNX opset 17 at a 96x96 input with a dynamic
batch, and writes beside each model:
  NAME.onnx           the model;
  NAME_input.npy      4 test images (seeded, standard normal);
  NAME_calib.npy      16 calibration images (another seed);
  NAME_torch.npy      PyTorch's fp32 output on the test images (the reference).
BatchNorm layers get random statistics (eval mode) so that folding them is
tested with values other than 0 and 1.

Usage: /usr/bin/python3 python/make_zoo.py OUT_DIR [NAME ...]
"""
import os
import sys

import numpy as np
import torch
import torchvision.models as tvm

# name -> constructor (random weights: weights=None).
MODELS = {
    "mobilenet_v2": lambda: tvm.mobilenet_v2(),
    "mobilenet_v3_small": lambda: tvm.mobilenet_v3_small(),
    "mobilenet_v3_large": lambda: tvm.mobilenet_v3_large(),
    "efficientnet_b0": lambda: tvm.efficientnet_b0(),
    "squeezenet1_1": lambda: tvm.squeezenet1_1(),
    "shufflenet_v2_x1_0": lambda: tvm.shufflenet_v2_x1_0(),
    "mnasnet1_0": lambda: tvm.mnasnet1_0(),
    "googlenet": lambda: tvm.googlenet(aux_logits=False, init_weights=True),
    "densenet121": lambda: tvm.densenet121(),
    "resnet50": lambda: tvm.resnet50(),
    "regnet_y_400mf": lambda: tvm.regnet_y_400mf(),
    "convnext_tiny": lambda: tvm.convnext_tiny(),
    # The vision transformer class at a size the tests can run: 96x96
    # images in 16x16 patches, 4 layers of width 192.
    "vit_small_96": lambda: tvm.VisionTransformer(
        image_size=96, patch_size=16, num_layers=4, num_heads=3,
        hidden_dim=192, mlp_dim=768),
}

SIZE = 96


def randomize_batch_norm(model, generator):
    for m in model.modules():
        if isinstance(m, torch.nn.modules.batchnorm._BatchNorm):
            n = m.num_features
            m.running_mean.copy_(torch.randn(n, generator=generator) * 0.1)
            m.running_var.copy_(torch.rand(n, generator=generator) + 0.5)


def randomize_zero_layers(model, generator):
    """Zero-initialised layers (ViT's classifier head) get random weights:
    an all-zero output would compare equal whatever qcc computes."""
    for m in model.modules():
        if isinstance(m, torch.nn.Linear) and not m.weight.any():
            m.weight.copy_(torch.randn(m.weight.shape, generator=generator)
                           * 0.02)


def export(name, out):
    torch.manual_seed(0)
    generator = torch.Generator().manual_seed(1)
    model = MODELS[name]().eval()
    with torch.no_grad():
        randomize_batch_norm(model, generator)
        randomize_zero_layers(model, generator)
    x = torch.randn(4, 3, SIZE, SIZE, generator=torch.Generator().manual_seed(2))
    calib = torch.randn(16, 3, SIZE, SIZE,
                        generator=torch.Generator().manual_seed(3))
    path = os.path.join(out, name + ".onnx")
    torch.onnx.export(model, x[:1], path, opset_version=17,
                      input_names=["input"], output_names=["logits"],
                      dynamic_axes={"input": {0: "N"}, "logits": {0: "N"}})
    with torch.no_grad():
        y = model(x)
    np.save(os.path.join(out, name + "_input.npy"), x.numpy())
    np.save(os.path.join(out, name + "_calib.npy"), calib.numpy())
    np.save(os.path.join(out, name + "_torch.npy"), y.numpy())


def main():
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)
    names = sys.argv[2:] or list(MODELS)
    for name in names:
        if name not in MODELS:
            sys.exit("unknown model %s; known: %s" % (name, ", ".join(MODELS)))
        print("exporting", name, flush=True)
        export(name, out)


if __name__ == "__main__":
    main()
