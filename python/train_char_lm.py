#!/usr/bin/python3
"""Trains a small GPT-style character-level language model on English text that every
Debian 12 machine has, and writes the artefacts qcc's transformer experiments use.

    /usr/bin/python3 python/train_char_lm.py --out-dir examples [--steps N] [--seed S] [--threads T]

Corpus (CORPUS_FILES below, a fixed, explicit list): the plain-text licences in
/usr/share/common-licenses (package base-files) and the English documentation of two
Essential packages, bash and coreutils, in /usr/share/doc (the .gz files are
decompressed with Python's gzip module). About 630 KB, all ASCII. Split: the first 90%
of the characters of EACH file go to the train split and its last 10% to the held-out
split; each split is the concatenation of its per-file parts in CORPUS_FILES order.

Vocabulary: the characters seen at least MIN_COUNT times in the train split, sorted by
code point, then one "unknown" id (the last) for every other character.

Model (CharGPT): pre-LayerNorm GPT, n_layer=2, d=128, n_head=4, context T=64, MLP 4d
with exact (erf) GELU. The input is a float32 ONE-HOT tensor [batch, T, V] (qcc's compiled
models take float arrays, not int64 ids): the token embedding is `onehot @ E` (E [V, d]),
plus a learned positional embedding [T, d]. Attention uses separate q/k/v Linear layers,
scores = q @ k^T * (1/sqrt(dh)) + a constant causal mask [T, T] (-1e4 above the
diagonal, ADDED), Softmax(-1), @ v. Every reshape uses -1 for the batch and constant
T, H, dh, d, so the export has constant Reshape shapes (no Shape/Gather/Concat chains).
Output: logits [batch, T, V]. No dropout.

Training: AdamW (weight decay on matrices only), linear warm-up then cosine decay,
random windows of T+1 characters from the train split, fixed seeds; deterministic for a
fixed --threads (torch.use_deterministic_algorithms). Debian's PyTorch multiplies
matrices with the reference BLAS (~7 GFLOP/s), so while training the Linear layers and
the embedding run as 1x1 convolutions (oneDNN, ~50x faster, same arithmetic up to
rounding; see dense()); the recorded logits, metrics and the export use F.linear/matmul.
The default 5000 steps take about 8 minutes on 2 cores.

Writes to --out-dir (default examples):
  char_lm.onnx              ONNX opset 17, input `input` float32 [N, T, V] (dynamic N),
                            output `logits` float32 [N, T, V]; do_constant_folding=True.
                            The script fails if the graph has an op outside ALLOWED_OPS.
  char_lm_calib_ids.npy     int64 [64, T]: character ids of random windows of the TRAIN
                            split (python/char_lm_onehot.py expands ids to the model's
                            one-hot input; ids keep the repository small)
  char_lm_test_ids.npy      int64 [128, T]: non-overlapping windows of the HELD-OUT split,
                            evenly spaced over it
  char_lm_test_targets.npy  int64 [128, T]: the next character's id at each position
  char_lm_head.npy          float32 one-hot [2, T, V]: the first two test windows, and
  char_lm_head_logits.npy   float32 [2, T, V]: PyTorch fp32 logits on them (reference for
                            qcc's importer and interpreter: there is no onnxruntime here)
  char_lm.json              vocabulary, hyper-parameters, corpus files (bytes, sha256),
                            steps, timings, held-out loss / bits per character / perplexity
                            (on exactly the test arrays, and on the whole held-out split),
                            versions

Needs python3-torch, python3-numpy, python3-onnx (scripts/install-bench-deps.sh).
"""

import argparse
import gzip
import hashlib
import json
import math
import os
import platform
import sys
import time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

# Fixed, explicit and sorted corpus. base-files (common-licenses), bash and coreutils are
# Essential packages of Debian 12, so every installation has these files (the symlinks
# GFDL, GPL, LGPL in common-licenses are left out: they duplicate GFDL-1.3, GPL-3, LGPL-3).
CORPUS_FILES = [
    "/usr/share/common-licenses/Apache-2.0",
    "/usr/share/common-licenses/Artistic",
    "/usr/share/common-licenses/BSD",
    "/usr/share/common-licenses/CC0-1.0",
    "/usr/share/common-licenses/GFDL-1.2",
    "/usr/share/common-licenses/GFDL-1.3",
    "/usr/share/common-licenses/GPL-1",
    "/usr/share/common-licenses/GPL-2",
    "/usr/share/common-licenses/GPL-3",
    "/usr/share/common-licenses/LGPL-2",
    "/usr/share/common-licenses/LGPL-2.1",
    "/usr/share/common-licenses/LGPL-3",
    "/usr/share/common-licenses/MPL-1.1",
    "/usr/share/common-licenses/MPL-2.0",
    "/usr/share/doc/bash/COMPAT.gz",
    "/usr/share/doc/bash/INTRO.gz",
    "/usr/share/doc/bash/NEWS.gz",
    "/usr/share/doc/bash/POSIX.gz",
    "/usr/share/doc/bash/RBASH",
    "/usr/share/doc/bash/README.gz",
    "/usr/share/doc/coreutils/NEWS.gz",
]
TRAIN_FRACTION = 0.9
MIN_COUNT = 50          # characters seen fewer times in the train split map to "unknown"
MAX_VOCAB = 96

# Model hyper-parameters.
N_LAYER = 2
D_MODEL = 128
N_HEAD = 4
CONTEXT = 64            # T
MLP_MULT = 4
MASK_VALUE = -1e4       # added above the diagonal (not -inf: keeps the graph finite)

# Arrays written for qcc.
NUM_CALIB = 64
NUM_TEST = 128

ALLOWED_OPS = {"MatMul", "Add", "Sub", "Mul", "Div", "Pow", "Sqrt", "Erf", "Softmax",
               "Transpose", "Reshape", "LayerNormalization", "ReduceMean", "Constant",
               "Gemm", "Identity", "Unsqueeze", "Slice"}


# ----------------------------------------------------------------------------- data

def read_text(path):
    """The file's text (decompressed if it ends in .gz), decoded as UTF-8."""
    if path.endswith(".gz"):
        with gzip.open(path, "rb") as f:
            data = f.read()
    else:
        with open(path, "rb") as f:
            data = f.read()
    return data.decode("utf-8"), data


def load_corpus():
    """Returns (train_text, heldout_text, file_records)."""
    missing = [p for p in CORPUS_FILES if not os.path.isfile(p)]
    if missing:
        raise SystemExit("train_char_lm: corpus files not found (base-files, bash and coreutils "
                         "documentation; a 'slim' image without /usr/share/doc lacks them): "
                         + ", ".join(missing))
    train_parts, held_parts, records = [], [], []
    for path in CORPUS_FILES:
        text, raw = read_text(path)
        cut = int(len(text) * TRAIN_FRACTION)
        train_parts.append(text[:cut])
        held_parts.append(text[cut:])
        records.append({"path": path, "chars": len(text), "bytes_decompressed": len(raw),
                        "bytes_on_disk": os.path.getsize(path), "train_chars": cut,
                        "heldout_chars": len(text) - cut,
                        "sha256_decompressed": hashlib.sha256(raw).hexdigest()})
    return "".join(train_parts), "".join(held_parts), records


def build_vocab(train_text):
    """chars: the characters with >= MIN_COUNT occurrences, sorted; id len(chars) is unknown."""
    counts = {}
    for c in train_text:
        counts[c] = counts.get(c, 0) + 1
    chars = sorted(c for c, n in counts.items() if n >= MIN_COUNT)
    if len(chars) + 1 > MAX_VOCAB:
        raise SystemExit(f"train_char_lm: vocabulary of {len(chars) + 1} > {MAX_VOCAB}")
    return chars, counts


def encode(text, chars):
    table = np.full(max(max(map(ord, text)), max(map(ord, chars))) + 1, len(chars), dtype=np.int64)
    for i, c in enumerate(chars):
        table[ord(c)] = i
    return table[np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32)]


def one_hot(ids, vocab_size):
    """int64 [..., T] -> float32 one-hot [..., T, V] (numpy)."""
    out = np.zeros(ids.shape + (vocab_size,), dtype=np.float32)
    np.put_along_axis(out, ids[..., None], 1.0, axis=-1)
    return out


# ----------------------------------------------------------------------------- model

# Debian's PyTorch calls the reference (netlib) BLAS for matrix products: about 7 GFLOP/s
# here, while oneDNN (which PyTorch uses for convolutions) is ~50x faster. While training,
# dense() therefore computes x @ W^T + b as a 1x1 convolution (the same arithmetic, through
# oneDNN); evaluation of the reported numbers and the ONNX export use F.linear / matmul.
FAST_DENSE = False


def dense(x, weight, bias=None):
    """F.linear(x, weight, bias); a 1x1 conv1d (oneDNN) while FAST_DENSE is set."""
    if not FAST_DENSE:
        return F.linear(x, weight, bias)
    lead = x.shape[:-1]
    y = F.conv1d(x.reshape(-1, x.shape[-1]).t().unsqueeze(0), weight.unsqueeze(-1), bias)
    return y.squeeze(0).t().reshape(*lead, weight.shape[0])


class Dense(nn.Linear):
    def forward(self, x):
        return dense(x, self.weight, self.bias)


class CausalSelfAttention(nn.Module):
    def __init__(self, d, n_head, context):
        super().__init__()
        self.d, self.h, self.dh, self.t = d, n_head, d // n_head, context
        self.q = Dense(d, d)
        self.k = Dense(d, d)
        self.v = Dense(d, d)
        self.proj = Dense(d, d)
        self.scale = 1.0 / math.sqrt(self.dh)
        mask = torch.triu(torch.full((context, context), MASK_VALUE), diagonal=1)
        self.register_buffer("mask", mask)

    def forward(self, x):
        T, H, dh, d = self.t, self.h, self.dh, self.d      # Python ints: constant shapes in ONNX
        q = self.q(x).view(-1, T, H, dh).transpose(1, 2)   # [B, H, T, dh]
        k = self.k(x).view(-1, T, H, dh).transpose(1, 2)
        v = self.v(x).view(-1, T, H, dh).transpose(1, 2)
        scores = (q @ k.transpose(-2, -1)) * self.scale    # [B, H, T, T]
        scores = scores + self.mask                         # causal mask, added
        att = torch.softmax(scores, dim=-1)
        y = (att @ v).transpose(1, 2).reshape(-1, T, d)     # [B, T, d]
        return self.proj(y)


class Block(nn.Module):
    def __init__(self, d, n_head, context):
        super().__init__()
        self.ln1 = nn.LayerNorm(d)
        self.attn = CausalSelfAttention(d, n_head, context)
        self.ln2 = nn.LayerNorm(d)
        self.fc1 = Dense(d, MLP_MULT * d)
        self.gelu = nn.GELU()                               # exact (erf) GELU
        self.fc2 = Dense(MLP_MULT * d, d)

    def forward(self, x):
        x = x + self.attn(self.ln1(x))
        return x + self.fc2(self.gelu(self.fc1(self.ln2(x))))


class CharGPT(nn.Module):
    """Input: float32 one-hot [B, T, V]; output: logits [B, T, V]."""

    def __init__(self, vocab_size, d=D_MODEL, n_layer=N_LAYER, n_head=N_HEAD, context=CONTEXT):
        super().__init__()
        self.tok = nn.Parameter(torch.empty(vocab_size, d))    # E: embedding = onehot @ E
        self.pos = nn.Parameter(torch.empty(context, d))       # learned positional embedding
        self.blocks = nn.ModuleList([Block(d, n_head, context) for _ in range(n_layer)])
        self.ln_f = nn.LayerNorm(d)
        self.head = Dense(d, vocab_size)
        # GPT-2 style initialisation; residual output projections scaled by 1/sqrt(2 n_layer).
        for name, p in self.named_parameters():
            if p.dim() == 2:
                std = 0.02 / math.sqrt(2 * n_layer) if name.endswith(("proj.weight", "fc2.weight")) else 0.02
                nn.init.normal_(p, 0.0, std)
            elif name.endswith("bias"):
                nn.init.zeros_(p)

    def forward(self, x):
        h = (dense(x, self.tok.t()) if FAST_DENSE else x @ self.tok) + self.pos
        for blk in self.blocks:
            h = blk(h)
        return self.head(self.ln_f(h))


def set_fast_dense(on):
    global FAST_DENSE
    FAST_DENSE = on


def predict(model, x, batch=64, fast=False):
    """fp32 logits of model on numpy one-hot x, as a numpy array; fast: through dense()'s
    oneDNN path (progress reports only; the recorded logits use the exported arithmetic)."""
    model.eval()
    outs = []
    set_fast_dense(fast)
    try:
        with torch.no_grad():
            for i in range(0, len(x), batch):
                outs.append(model(torch.from_numpy(x[i:i + batch])).numpy())
    finally:
        set_fast_dense(False)
    return np.concatenate(outs, axis=0)


def cross_entropy_nats(logits, targets):
    """Mean cross-entropy (nats/char) of numpy logits [..., V] against int targets, in float64."""
    z = logits.astype(np.float64).reshape(-1, logits.shape[-1])
    t = targets.reshape(-1)
    m = z.max(axis=1, keepdims=True)
    lse = m[:, 0] + np.log(np.exp(z - m).sum(axis=1))
    return float(np.mean(lse - z[np.arange(len(t)), t]))


def metrics(loss_nats):
    return {"loss_nats": loss_nats, "bits_per_char": loss_nats / math.log(2),
            "perplexity_per_char": math.exp(loss_nats)}


# ----------------------------------------------------------------------------- main

def set_determinism(seed, threads):
    torch.manual_seed(seed)
    np.random.seed(seed)
    torch.set_num_threads(threads)
    torch.use_deterministic_algorithms(True)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out-dir", default=os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                                      "..", "examples"))
    ap.add_argument("--steps", type=int, default=5000)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--threads", type=int, default=2,
                    help="torch intra-op threads (results are reproducible for a fixed value)")
    ap.add_argument("--batch-size", type=int, default=32)
    ap.add_argument("--lr", type=float, default=3e-3)
    ap.add_argument("--warmup", type=int, default=100)
    ap.add_argument("--weight-decay", type=float, default=0.1)
    args = ap.parse_args()
    out_dir = os.path.normpath(args.out_dir)
    os.makedirs(out_dir, exist_ok=True)
    set_determinism(args.seed, args.threads)
    t_start = time.time()
    T = CONTEXT

    # ---- corpus, vocabulary, arrays
    train_text, held_text, records = load_corpus()
    total_chars = sum(r["chars"] for r in records)
    print(f"corpus: {len(records)} files, {total_chars} characters "
          f"({sum(r['bytes_on_disk'] for r in records)} bytes on disk); "
          f"train {len(train_text)}, held-out {len(held_text)} (last {1 - TRAIN_FRACTION:.0%} of each file)")
    for r in records:
        print(f"  {r['path']}: {r['chars']} chars")
    chars, counts = build_vocab(train_text)
    V = len(chars) + 1
    unk = len(chars)
    train_ids = encode(train_text, chars)
    held_ids = encode(held_text, chars)
    print(f"vocabulary: V={V} ({len(chars)} characters + unknown id {unk}); unknown rate "
          f"train {np.mean(train_ids == unk):.5f}, held-out {np.mean(held_ids == unk):.5f}")

    rng = np.random.default_rng(args.seed)
    calib_starts = np.sort(rng.choice(len(train_ids) - T, NUM_CALIB, replace=False))
    # NUM_TEST non-overlapping windows evenly spaced over the held-out split.
    test_starts = np.linspace(0, len(held_ids) - T - 1, NUM_TEST).astype(np.int64)
    assert np.all(np.diff(test_starts) >= T + 1), "held-out split too short for non-overlapping windows"
    test_ids = np.stack([held_ids[s:s + T] for s in test_starts])
    test_y = np.stack([held_ids[s + 1:s + T + 1] for s in test_starts]).astype(np.int64)
    test_x = one_hot(test_ids, V)
    # The whole held-out split as consecutive non-overlapping windows (a second, larger measure).
    n_full = (len(held_ids) - 1) // T
    full_x_ids = held_ids[:n_full * T].reshape(n_full, T)
    full_y = held_ids[1:n_full * T + 1].reshape(n_full, T)

    # ---- model and training
    model = CharGPT(V)
    n_params = int(sum(p.numel() for p in model.parameters()))
    print(f"model: {n_params} parameters")
    decay = [p for p in model.parameters() if p.dim() == 2]
    no_decay = [p for p in model.parameters() if p.dim() != 2]
    opt = torch.optim.AdamW([{"params": decay, "weight_decay": args.weight_decay},
                             {"params": no_decay, "weight_decay": 0.0}],
                            lr=args.lr, betas=(0.9, 0.99))

    def lr_at(step):     # linear warm-up, then cosine decay to 10% of the peak
        if step < args.warmup:
            return args.lr * (step + 1) / args.warmup
        frac = (step - args.warmup) / max(1, args.steps - args.warmup)
        return args.lr * (0.1 + 0.9 * 0.5 * (1.0 + math.cos(math.pi * frac)))

    def heldout_loss(fast):
        logits = predict(model, one_hot(full_x_ids, V), batch=128, fast=fast)
        return cross_entropy_nats(logits, full_y)

    gen = torch.Generator().manual_seed(args.seed)
    train_t = torch.from_numpy(train_ids)
    offsets = torch.arange(T + 1)
    log = []
    t_train = time.time()
    loss_acc, n_acc = 0.0, 0
    for step in range(args.steps):
        model.train()
        set_fast_dense(True)
        for g in opt.param_groups:
            g["lr"] = lr_at(step)
        starts = torch.randint(0, len(train_t) - T - 1, (args.batch_size,), generator=gen)
        win = train_t[starts[:, None] + offsets]                    # [B, T+1]
        xb = F.one_hot(win[:, :T], V).float()
        yb = win[:, 1:]
        logits = model(xb)
        loss = F.cross_entropy(logits.reshape(-1, V), yb.reshape(-1))
        opt.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        loss_acc += loss.item()
        n_acc += 1
        if (step + 1) % 100 == 0 or step + 1 == args.steps:
            rec = {"step": step + 1, "train_loss": loss_acc / n_acc, "lr": lr_at(step),
                   "seconds": time.time() - t_train}
            if (step + 1) % 500 == 0 or step + 1 == args.steps:
                rec["heldout_loss"] = heldout_loss(fast=True)
            log.append(rec)
            extra = f" held-out {rec['heldout_loss']:.4f}" if "heldout_loss" in rec else ""
            print(f"step {step + 1}/{args.steps}: train loss {rec['train_loss']:.4f}{extra} "
                  f"({rec['seconds']:.1f} s)", flush=True)
            loss_acc, n_acc = 0.0, 0
    set_fast_dense(False)
    train_seconds = time.time() - t_train

    # ---- evaluation on exactly the test arrays, and on the whole held-out split
    model.eval()
    test_logits = predict(model, test_x).astype(np.float32)
    test_m = metrics(cross_entropy_nats(test_logits, test_y))
    fast_vs_exact = float(np.max(np.abs(predict(model, test_x, fast=True) - test_logits)))
    print(f"max |logits(oneDNN 1x1-conv path) - logits(F.linear/matmul path)| on the test arrays: "
          f"{fast_vs_exact:.3g}")
    full_m = metrics(heldout_loss(fast=False))
    print(f"held-out (test arrays, {NUM_TEST}x{T} chars): {test_m['loss_nats']:.4f} nats, "
          f"{test_m['bits_per_char']:.4f} bpc, perplexity {test_m['perplexity_per_char']:.3f}")
    print(f"held-out (whole split, {n_full}x{T} chars): {full_m['loss_nats']:.4f} nats, "
          f"{full_m['bits_per_char']:.4f} bpc, perplexity {full_m['perplexity_per_char']:.3f}")

    np.save(os.path.join(out_dir, "char_lm_calib_ids.npy"),
            np.stack([train_ids[s:s + T] for s in calib_starts]).astype(np.int64))
    np.save(os.path.join(out_dir, "char_lm_test_ids.npy"), test_ids.astype(np.int64))
    np.save(os.path.join(out_dir, "char_lm_test_targets.npy"), test_y)
    np.save(os.path.join(out_dir, "char_lm_head.npy"), test_x[:2])
    np.save(os.path.join(out_dir, "char_lm_head_logits.npy"), test_logits[:2].astype(np.float32))

    # ---- ONNX export and check
    import onnx
    onnx_path = os.path.join(out_dir, "char_lm.onnx")
    t_exp = time.time()
    torch.onnx.export(model, torch.from_numpy(test_x[:1]), onnx_path, opset_version=17,
                      input_names=["input"], output_names=["logits"],
                      dynamic_axes={"input": {0: "N"}, "logits": {0: "N"}},
                      do_constant_folding=True)
    export_seconds = time.time() - t_exp
    m = onnx.load(onnx_path)
    # The exporter names the output's T dimension symbolically ("Addlogits_dim_1"); it is
    # the constant T: write it as such (only the output's type annotation changes).
    out_dims = m.graph.output[0].type.tensor_type.shape.dim
    if len(out_dims) == 3 and not out_dims[1].HasField("dim_value"):
        out_dims[1].dim_value = T
        onnx.save(m, onnx_path)
    onnx.checker.check_model(m)
    op_counts = {}
    for n in m.graph.node:
        op_counts[n.op_type] = op_counts.get(n.op_type, 0) + 1
    op_counts = dict(sorted(op_counts.items()))
    print(f"ONNX op types: {sorted(op_counts)}")
    print(f"ONNX op counts: {op_counts}")
    bad = sorted(set(op_counts) - ALLOWED_OPS)
    if bad:
        raise SystemExit(f"train_char_lm: the exported graph has ops outside the allowed set: {bad}")

    info = {
        "model": f"CharGPT: one-hot [N,{T},{V}] @ E[{V},{D_MODEL}] + pos[{T},{D_MODEL}], {N_LAYER} pre-LN blocks "
                 f"(LayerNorm, causal self-attention with separate q/k/v Linear, {N_HEAD} heads, additive "
                 f"mask {MASK_VALUE}; LayerNorm, MLP {D_MODEL}->{MLP_MULT * D_MODEL}->{D_MODEL} exact GELU), "
                 f"final LayerNorm, Linear({D_MODEL}->{V})",
        "parameters": n_params,
        "hyperparameters": {"n_layer": N_LAYER, "d_model": D_MODEL, "n_head": N_HEAD, "context": T,
                            "mlp_hidden": MLP_MULT * D_MODEL, "gelu": "exact (erf)",
                            "mask_value": MASK_VALUE, "dropout": 0.0},
        "vocab": {"size": V, "chars": chars, "unknown_id": unk, "min_count": MIN_COUNT,
                  "note": "id i < unknown_id is chars[i]; every other character maps to unknown_id",
                  "train_counts": {c: counts[c] for c in chars}},
        "corpus": {"files": records, "total_chars": total_chars,
                   "train_chars": len(train_text), "heldout_chars": len(held_text),
                   "split": f"first {TRAIN_FRACTION:.0%} of each file's characters -> train, the rest -> "
                            "held-out; each split is the concatenation of its parts in file order"},
        "arrays": {
            "char_lm_calib_ids.npy": f"int64 [{NUM_CALIB},{T}], character ids of train-split windows at "
                                     f"sorted numpy default_rng({args.seed}).choice starts",
            "char_lm_test_ids.npy": f"int64 [{NUM_TEST},{T}], character ids of non-overlapping held-out "
                                    f"windows at starts linspace(0, len-{T}-1, {NUM_TEST})",
            "char_lm_test_targets.npy": f"int64 [{NUM_TEST},{T}], next-character ids",
            "char_lm_head.npy": f"float32 one-hot [2,{T},{V}], the first two test windows",
            "char_lm_head_logits.npy": f"float32 [2,{T},{V}], PyTorch fp32 logits on char_lm_head.npy",
        },
        "heldout_test_arrays": test_m,
        "heldout_whole_split": dict(full_m, windows=n_full),
        "max_abs_logit_diff_train_path_vs_export_path": fast_vs_exact,
        "training": {"steps": args.steps, "batch_size": args.batch_size, "seed": args.seed,
                     "threads": args.threads,
                     "optimizer": f"AdamW betas (0.9, 0.99), weight decay {args.weight_decay} on matrices, "
                                  f"grad-norm clip 1.0",
                     "lr": f"peak {args.lr}, linear warm-up {args.warmup} steps, cosine decay to 10%",
                     "final_train_loss": log[-1]["train_loss"] if log else None,
                     "log": log},
        "train_seconds": train_seconds,
        "export_seconds": export_seconds,
        "total_seconds": time.time() - t_start,
        "onnx": {"opset": 17, "input": "input", "output": "logits", "dynamic_batch": True,
                 "do_constant_folding": True, "op_counts": op_counts,
                 "bytes": os.path.getsize(onnx_path)},
        "versions": {"torch": torch.__version__, "numpy": np.__version__, "onnx": onnx.__version__,
                     "python": platform.python_version()},
        "cpu": platform.processor() or platform.machine(),
    }
    with open(os.path.join(out_dir, "char_lm.json"), "w") as f:
        json.dump(info, f, indent=2)
    print(f"training {train_seconds:.1f} s, total {info['total_seconds']:.1f} s; wrote {out_dir}")


if __name__ == "__main__":
    sys.exit(main())
