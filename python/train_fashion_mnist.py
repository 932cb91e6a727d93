#!/usr/bin/python3
"""Trains a small residual CNN on Fashion-MNIST and writes the artefacts qcc's
post-training-quantization experiments use.

    /usr/bin/python3 python/train_fashion_mnist.py OUTDIR [--epochs N] [--seed S] [--threads T]

Data: the Debian package dataset-fashion-mnist (/usr/share/datasets/fashion-mnist,
the original idx files). Needs python3-torch, python3-numpy, python3-onnx
(scripts/install-bench-deps.sh installs them).

Writes to OUTDIR:
  fashion_cnn.pt               PyTorch state_dict (used by pytorch_int8_baseline.py)
  fashion_cnn.onnx             ONNX opset 13, input `input` [N,1,28,28] float32 (dynamic N),
                               output `logits` [N,10]; exported from model.eval() with
                               do_constant_folding=True (the exporter folds BatchNorm into Conv;
                               this script does not)
  fashion_calib.npy            float32 [512,1,28,28], normalised, drawn from the TRAIN split
                               with a fixed seed (calibration set)
  fashion_test.npy             float32 [2000,1,28,28], normalised: the FIRST 2000 test images
                               (a subset because qcc's reference interpreter is slow)
  fashion_test_labels.npy      int64 [2000]
  fashion_test_logits.npy      float32 [2000,10], PyTorch fp32 logits on fashion_test.npy
  fashion_cnn.json             fp32 accuracy (2000-image subset and full 10k test set),
                               epochs, seed, hyper-parameters and timings

Normalisation (the model expects it; every .npy above is already normalised):
  x = (pixel / 255 - 0.2860) / 0.3530
"""

import argparse
import gzip
import json
import os
import platform
import sys
import time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

DATA_DIR = "/usr/share/datasets/fashion-mnist"
MEAN = 0.2860
STD = 0.3530
NUM_TEST_SUBSET = 2000
NUM_CALIB = 512
CLASSES = ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
           "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"]


# ----------------------------------------------------------------------------- data

def read_idx(path):
    """Reads a (gzipped) idx file (the MNIST format) into a numpy array."""
    with gzip.open(path, "rb") as f:
        data = f.read()
    magic = int.from_bytes(data[0:4], "big")
    dtype_code, ndim = (magic >> 8) & 0xFF, magic & 0xFF
    if dtype_code != 0x08:
        raise ValueError(f"{path}: unsupported idx dtype 0x{dtype_code:02x}")
    dims = [int.from_bytes(data[4 + 4 * i:8 + 4 * i], "big") for i in range(ndim)]
    arr = np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * ndim)
    return arr.reshape(dims)


def load_split(kind):
    """kind: 'train' or 't10k'. Returns (images uint8 [N,28,28], labels int64 [N])."""
    images = read_idx(os.path.join(DATA_DIR, f"{kind}-images-idx3-ubyte.gz"))
    labels = read_idx(os.path.join(DATA_DIR, f"{kind}-labels-idx1-ubyte.gz")).astype(np.int64)
    assert images.shape[0] == labels.shape[0]
    return images, labels


def normalise(images_u8):
    """uint8 [N,28,28] -> float32 [N,1,28,28], the model's input normalisation."""
    x = images_u8.astype(np.float32) / np.float32(255.0)
    x = (x - np.float32(MEAN)) / np.float32(STD)
    return x[:, None, :, :].astype(np.float32)


# ----------------------------------------------------------------------------- model

class BasicBlock(nn.Module):
    """conv3x3-BN-ReLU-conv3x3-BN + skip, then ReLU. A 1x1 conv + BN projects the
    skip when the stride or the channel count changes."""

    def __init__(self, cin, cout, stride):
        super().__init__()
        self.conv1 = nn.Conv2d(cin, cout, 3, stride=stride, padding=1, bias=False)
        self.bn1 = nn.BatchNorm2d(cout)
        self.relu1 = nn.ReLU()
        self.conv2 = nn.Conv2d(cout, cout, 3, stride=1, padding=1, bias=False)
        self.bn2 = nn.BatchNorm2d(cout)
        self.relu2 = nn.ReLU()
        if stride != 1 or cin != cout:
            self.proj = nn.Sequential(nn.Conv2d(cin, cout, 1, stride=stride, bias=False),
                                      nn.BatchNorm2d(cout))
        else:
            self.proj = nn.Identity()

    def forward(self, x):
        out = self.relu1(self.bn1(self.conv1(x)))
        out = self.bn2(self.conv2(out))
        return self.relu2(out + self.proj(x))


class FashionResNet(nn.Module):
    """stem conv(1->16) + two residual blocks (16->16, 16->32 stride 2) + GAP + linear(32->10)."""

    def __init__(self, width=16, num_classes=10):
        super().__init__()
        self.stem = nn.Conv2d(1, width, 3, padding=1, bias=False)
        self.stem_bn = nn.BatchNorm2d(width)
        self.stem_relu = nn.ReLU()
        self.block1 = BasicBlock(width, width, 1)
        self.block2 = BasicBlock(width, 2 * width, 2)
        self.pool = nn.AdaptiveAvgPool2d(1)
        self.fc = nn.Linear(2 * width, num_classes)

    def forward(self, x):
        x = self.stem_relu(self.stem_bn(self.stem(x)))
        x = self.block1(x)
        x = self.block2(x)
        x = self.pool(x)
        x = torch.flatten(x, 1)
        return self.fc(x)


def predict(model, x, batch=500):
    """fp32 logits of model on numpy x, as a numpy array."""
    model.eval()
    outs = []
    with torch.no_grad():
        for i in range(0, len(x), batch):
            outs.append(model(torch.from_numpy(x[i:i + batch])).numpy())
    return np.concatenate(outs, axis=0)


# ----------------------------------------------------------------------------- main

def set_determinism(seed, threads):
    torch.manual_seed(seed)
    np.random.seed(seed)
    torch.set_num_threads(threads)
    torch.use_deterministic_algorithms(True)
    torch.backends.cudnn.deterministic = True
    torch.backends.cudnn.benchmark = False


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("outdir")
    ap.add_argument("--epochs", type=int, default=6)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--threads", type=int, default=2,
                    help="torch intra-op threads (results are reproducible for a fixed value)")
    ap.add_argument("--batch-size", type=int, default=128)
    ap.add_argument("--lr", type=float, default=0.1)
    args = ap.parse_args()
    os.makedirs(args.outdir, exist_ok=True)
    set_determinism(args.seed, args.threads)
    t_start = time.time()

    train_u8, train_y = load_split("train")
    test_u8, test_y = load_split("t10k")
    train_x = normalise(train_u8)
    test_x = normalise(test_u8)

    # Calibration set: NUM_CALIB train images chosen with a fixed seed.
    calib_idx = np.sort(np.random.default_rng(args.seed).choice(len(train_x), NUM_CALIB, replace=False))
    calib_x = np.ascontiguousarray(train_x[calib_idx])

    model = FashionResNet()
    steps_per_epoch = (len(train_x) + args.batch_size - 1) // args.batch_size
    total_steps = steps_per_epoch * args.epochs
    opt = torch.optim.SGD(model.parameters(), lr=args.lr, momentum=0.9, weight_decay=5e-4, nesterov=True)
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=args.lr, total_steps=total_steps,
                                                pct_start=0.15, anneal_strategy="cos")
    gen = torch.Generator().manual_seed(args.seed)
    train_x_t = torch.from_numpy(train_x)
    train_y_t = torch.from_numpy(train_y)

    epoch_log = []
    t_train = time.time()
    for epoch in range(args.epochs):
        model.train()
        t_ep = time.time()
        perm = torch.randperm(len(train_x_t), generator=gen)
        loss_sum, correct, seen = 0.0, 0, 0
        for s in range(steps_per_epoch):
            idx = perm[s * args.batch_size:(s + 1) * args.batch_size]
            xb, yb = train_x_t[idx], train_y_t[idx]
            # Augmentation: random horizontal flip (deterministic via gen).
            flip = torch.rand(len(idx), generator=gen) < 0.5
            xb = torch.where(flip[:, None, None, None], xb.flip(3), xb)
            logits = model(xb)
            loss = F.cross_entropy(logits, yb)
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
            sched.step()
            loss_sum += loss.item() * len(idx)
            correct += (logits.argmax(1) == yb).sum().item()
            seen += len(idx)
        test_acc = float((predict(model, test_x).argmax(1) == test_y).mean())
        rec = {"epoch": epoch + 1, "train_loss": loss_sum / seen, "train_acc": correct / seen,
               "test_acc_10k": test_acc, "seconds": time.time() - t_ep}
        epoch_log.append(rec)
        print(f"epoch {epoch + 1}/{args.epochs}: loss {rec['train_loss']:.4f} train acc {rec['train_acc']:.4f} "
              f"test acc {test_acc:.4f} ({rec['seconds']:.1f} s)", flush=True)
    train_seconds = time.time() - t_train

    model.eval()
    torch.save(model.state_dict(), os.path.join(args.outdir, "fashion_cnn.pt"))

    sub_x = np.ascontiguousarray(test_x[:NUM_TEST_SUBSET])
    sub_y = np.ascontiguousarray(test_y[:NUM_TEST_SUBSET])
    sub_logits = predict(model, sub_x).astype(np.float32)
    full_acc = float((predict(model, test_x).argmax(1) == test_y).mean())
    sub_acc = float((sub_logits.argmax(1) == sub_y).mean())

    np.save(os.path.join(args.outdir, "fashion_calib.npy"), calib_x)
    np.save(os.path.join(args.outdir, "fashion_test.npy"), sub_x)
    np.save(os.path.join(args.outdir, "fashion_test_labels.npy"), sub_y)
    np.save(os.path.join(args.outdir, "fashion_test_logits.npy"), sub_logits)

    # ONNX export. model.eval(): the exporter (TrainingMode.EVAL) folds BatchNorm into the
    # preceding Conv by itself; we do not fold anything.
    onnx_path = os.path.join(args.outdir, "fashion_cnn.onnx")
    t_exp = time.time()
    torch.onnx.export(model, torch.from_numpy(sub_x[:1]), onnx_path, opset_version=13,
                      input_names=["input"], output_names=["logits"],
                      dynamic_axes={"input": {0: "N"}, "logits": {0: "N"}},
                      do_constant_folding=True)
    export_seconds = time.time() - t_exp
    import onnx
    m = onnx.load(onnx_path)
    onnx.checker.check_model(m)
    op_counts = {}
    for n in m.graph.node:
        op_counts[n.op_type] = op_counts.get(n.op_type, 0) + 1

    info = {
        "model": "FashionResNet: conv3x3(1->16)-BN-ReLU, BasicBlock(16->16), "
                 "BasicBlock(16->32, stride 2, 1x1 projection), GlobalAvgPool, Flatten, Linear(32->10)",
        "parameters": int(sum(p.numel() for p in model.parameters())),
        "dataset": DATA_DIR,
        "normalisation": {"mean": MEAN, "std": STD, "formula": "(pixel/255 - mean)/std"},
        "fp32_accuracy_test_first2000": sub_acc,
        "fp32_accuracy_test_10k": full_acc,
        "test_subset": f"first {NUM_TEST_SUBSET} images of t10k",
        "calibration": f"{NUM_CALIB} train images, numpy default_rng({args.seed}).choice without replacement, sorted",
        "epochs": args.epochs,
        "seed": args.seed,
        "threads": args.threads,
        "batch_size": args.batch_size,
        "optimizer": f"SGD nesterov momentum 0.9, wd 5e-4, OneCycle cosine max_lr {args.lr}",
        "augmentation": "random horizontal flip",
        "epoch_log": epoch_log,
        "train_seconds": train_seconds,
        "export_seconds": export_seconds,
        "total_seconds": time.time() - t_start,
        "onnx": {"opset": 13, "input": "input", "output": "logits", "dynamic_batch": True,
                 "do_constant_folding": True, "op_counts": op_counts},
        "versions": {"torch": torch.__version__, "numpy": np.__version__, "onnx": onnx.__version__,
                     "python": platform.python_version()},
        "cpu": platform.processor() or platform.machine(),
    }
    with open(os.path.join(args.outdir, "fashion_cnn.json"), "w") as f:
        json.dump(info, f, indent=2)
    print(f"fp32 accuracy: {sub_acc:.4f} on the first {NUM_TEST_SUBSET} test images, {full_acc:.4f} on all 10k; "
          f"training {train_seconds:.1f} s; ONNX ops {op_counts}")
    print(f"wrote {args.outdir}")


if __name__ == "__main__":
    sys.exit(main())
