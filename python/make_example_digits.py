#!/usr/bin/python3
"""The bundled example model (examples/digits_cnn.onnx) and its data: a small
CNN trained on scikit-learn's digits (1797 8x8 grey images, 10 classes) with
Debian's PyTorch, fixed seeds, exported to ONNX opset 13 with a dynamic batch.
`make demo` compiles it with calibration and compares it with the float model.

    /usr/bin/python3 python/make_example_digits.py [OUTDIR]   (default examples)

Writes digits_cnn.onnx, digits_calib.npy (float32 [256,1,8,8] from the
training split), digits_test.npy (float32 [540,1,8,8]) and
digits_test_labels.npy (int64 [540]); prints the fp32 test accuracy.
Needs python3-torch, python3-sklearn, python3-onnx (apt).
"""

import os
import sys

import numpy as np
import torch
from sklearn.datasets import load_digits
from torch import nn


class DigitsCNN(nn.Module):
    def __init__(self):
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv2d(1, 16, 3, padding=1), nn.ReLU(),
            nn.Conv2d(16, 32, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
            nn.Conv2d(32, 64, 3, padding=1), nn.ReLU(),
            nn.AdaptiveAvgPool2d(1), nn.Flatten())
        self.fc = nn.Linear(64, 10)

    def forward(self, x):
        return self.fc(self.features(x))


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else "examples"
    os.makedirs(out, exist_ok=True)
    torch.manual_seed(0)
    digits = load_digits()
    x = (digits.images / 16.0).astype(np.float32)[:, None]
    y = digits.target.astype(np.int64)
    order = np.random.default_rng(0).permutation(len(x))
    test, train = order[:540], order[540:]
    model = DigitsCNN()
    opt = torch.optim.Adam(model.parameters(), lr=3e-3)
    xt, yt = torch.from_numpy(x[train]), torch.from_numpy(y[train])
    for epoch in range(40):
        perm = torch.randperm(len(xt))
        for i in range(0, len(xt), 64):
            idx = perm[i:i + 64]
            opt.zero_grad()
            nn.functional.cross_entropy(model(xt[idx]), yt[idx]).backward()
            opt.step()
    model.eval()
    with torch.no_grad():
        accuracy = (model(torch.from_numpy(x[test])).argmax(1).numpy() == y[test]).mean()
    torch.onnx.export(model, torch.from_numpy(x[:1]), os.path.join(out, "digits_cnn.onnx"),
                      input_names=["input"], output_names=["logits"],
                      dynamic_axes={"input": {0: "N"}, "logits": {0: "N"}}, opset_version=13)
    np.save(os.path.join(out, "digits_calib.npy"), x[train[:256]])
    np.save(os.path.join(out, "digits_test.npy"), x[test])
    np.save(os.path.join(out, "digits_test_labels.npy"), y[test])
    print(f"digits_cnn: fp32 test accuracy {100 * accuracy:.2f}% on {len(test)} images")


if __name__ == "__main__":
    main()
