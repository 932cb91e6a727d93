#!/usr/bin/env python3
"""Runs the model zoo (python/make_zoo.py) through qcc and reports each step.

For each model in ZOO_DIR: import; the interpreter against PyTorch fp32;
`qcc compile --float` and its output against PyTorch; the int8 compile
(integer-only, or with its float islands listed), its compiled output
against the interpreter on its own lowered IR (bit-exact), and its SQNR
against PyTorch fp32. With --gpu, also the int8 IR compiled for NVIDIA
GPUs (`--target nvptx`) with tensor cores (sm_80, sm_90) and without
(sm_75: dp4a), the kernels using each counted, ptxas run when the CUDA
toolkit is present, and each GPU mapping run on the CPU (`--emit
cpu-sim`) against the interpreter (bit-exact): not in `make zoo`, since
compiling the CPU simulation of the larger models takes clang tens of
minutes (DenseNet-121). Prints a Markdown table (docs/model-zoo.md holds
the latest); a cell names the first error of a step that fails. Exits 1
when any step of any model failed (`make zoo`, run by CI).

Usage: /usr/bin/python3 python/check_zoo.py [--gpu] QCC ZOO_DIR WORK_DIR [NAME ...]
"""
import os
import subprocess
import sys
import time

import numpy as np

STEPS = ["import", "interp", "float", "int8", "exact"]


def run(cmd, timeout=1800):
    start = time.time()
    try:
        p = subprocess.run(cmd, stdout=subprocess.PIPE,
                           stderr=subprocess.STDOUT, text=True,
                           timeout=timeout)
    except (OSError, subprocess.TimeoutExpired) as e:
        return 1, "error: %s" % e, time.time() - start
    return p.returncode, p.stdout, time.time() - start


def close(a, b, rtol=1e-3, atol=1e-4, atol_of_max=1e-6):
    """|a - b| <= atol + atol_of_max * max|b| + rtol * |b| elementwise.

    The term in max|b| (about 8 float32 ulps of the largest output) keeps
    the test scale-aware: a logit near zero among logits in the hundreds
    (ResNet-50's reach 325) is the difference of large sums, and any
    float summation order (the interpreter's, a GEMM kernel's, PyTorch's)
    moves it by more than 1e-4 + 1e-3 of itself.
    """
    if a.shape != b.shape:
        return False
    bound = atol + atol_of_max * float(np.max(np.abs(b))) + rtol * np.abs(b)
    return bool(np.all(np.abs(a - b) <= bound))


def sqnr(signal, approx):
    noise = np.sum((signal.astype(np.float64) - approx) ** 2)
    power = np.sum(signal.astype(np.float64) ** 2)
    return float("inf") if noise == 0 else 10 * np.log10(power / noise)


def first_error(text):
    """The most specific line of a failure: the ops code generation lacks,
    or else the first error."""
    lines = [l.strip() for l in text.splitlines()]
    marker = "no CPU code generation for '"
    missing = sorted({l.split(marker)[1].split("'")[0] for l in lines
                      if marker in l})
    if missing:
        return "no code for " + ", ".join(missing)
    for line in lines:
        if "error" in line:
            return line[:160]
    return lines[-1][:160] if lines else "failed"


def check_gpu(qcc, out, x, interpreted):
    """The int8 IR for NVIDIA GPUs with tensor cores (sm_80 and sm_90, the
    default) and without (sm_75: dp4a kernels), and each GPU mapping run on
    the CPU against the interpreter's outputs `interpreted`."""
    ir = os.path.join(out, "int8", "model.mlir")
    counts = []
    for gpus, instruction, what in [
            ("sm_80,sm_90", "mma.sync.aligned.m16n8k32", "tensor-core"),
            ("sm_75", "dp4a.s32.s32", "dp4a")]:
        gpu = os.path.join(out, "gpu-" + gpus.split(",")[0])
        rc, text, _ = run([qcc, "compile", ir, "--target", "nvptx", "--gpu",
                           gpus, "-o", gpu])
        if rc:
            return first_error(text)
        with open(os.path.join(gpu, "model.ptx")) as ptx:
            kernels = ptx.read().split(".entry ")[1:]
        counts.append("%d %s kernels" % (
            sum(instruction in kernel for kernel in kernels), what))
        sim = gpu + "-sim"
        rc, text, _ = run([qcc, "compile", ir, "--target", "nvptx", "--gpu",
                           gpus, "--emit", "cpu-sim", "-o", sim])
        if rc == 0:
            rc, text, _ = run([qcc, "run", sim, "--input", x, "-o",
                               sim + ".npy"])
        if rc:
            return first_error(text)
        if not np.array_equal(np.load(sim + ".npy"), interpreted):
            return "GPU mapping (%s) differs from the interpreter" % gpus
    return "ok (%s)" % ", ".join(counts)


def check(qcc, zoo, work, name):
    onnx = os.path.join(zoo, name + ".onnx")
    x = os.path.join(zoo, name + "_input.npy")
    calib = os.path.join(zoo, name + "_calib.npy")
    ref = np.load(os.path.join(zoo, name + "_torch.npy"))
    out = os.path.join(work, name)
    os.makedirs(out, exist_ok=True)
    r = {"model": name}

    rc, text, _ = run([qcc, "import", onnx, "-o", os.path.join(out, "m.mlir")])
    r["import"] = "ok" if rc == 0 else first_error(text)
    if rc:
        return r
    rc, text, t = run([qcc, "run", onnx, "--input", x, "-o",
                       os.path.join(out, "interp.npy")])
    r["interp"] = (("ok" if close(np.load(os.path.join(out, "interp.npy")), ref)
                    else "differs from PyTorch") if rc == 0 else first_error(text))
    rc, text, t = run([qcc, "compile", onnx, "--float", "-o",
                       os.path.join(out, "float")])
    if rc == 0:
        rc, text, _ = run([qcc, "run", os.path.join(out, "float"), "--input", x,
                           "-o", os.path.join(out, "float.npy")])
    r["float"] = (("ok" if close(np.load(os.path.join(out, "float.npy")), ref)
                   else "differs from PyTorch") if rc == 0 else first_error(text))
    rc, text, t = run([qcc, "compile", onnx, "--calib", calib, "-o",
                       os.path.join(out, "int8")])
    islands = "float islands" in text
    if rc == 0:
        r["int8"] = "ok (float islands)" if islands else "ok (integer-only)"
        rc, text, _ = run([qcc, "run", os.path.join(out, "int8"), "--input", x,
                           "-o", os.path.join(out, "int8.npy")])
        rc2, text2, _ = run([qcc, "run", os.path.join(out, "int8", "model.mlir"),
                             "--input", x, "-o", os.path.join(out, "int8.interp.npy")])
        if rc == 0 and rc2 == 0:
            a = np.load(os.path.join(out, "int8.npy"))
            b = np.load(os.path.join(out, "int8.interp.npy"))
            r["exact"] = "ok" if np.array_equal(a, b) else "differs"
            r["sqnr"] = "%.1f dB" % sqnr(ref, a)
            if "gpu" in STEPS:
                r["gpu"] = check_gpu(qcc, out, x, b)
        else:
            r["exact"] = first_error(text if rc else text2)
    else:
        r["int8"] = first_error(text)
    return r


def main():
    args = sys.argv[1:]
    gpu = "--gpu" in args
    args = [a for a in args if a != "--gpu"]
    if len(args) < 3:
        sys.exit(__doc__)
    if gpu:
        STEPS.append("gpu")
    qcc, zoo, work = args[0:3]
    names = args[3:] or sorted(f[:-5] for f in os.listdir(zoo)
                               if f.endswith(".onnx"))
    print("| model | import | interpreter = PyTorch | compiled f32 = PyTorch "
          "| int8 compile | int8 compiled = its IR |" +
          (" int8 GPU mapping = its IR |" if gpu else "") + " int8 SQNR |")
    print("|---|---|---|---|---|---|" + ("---|" if gpu else "") + "---|")
    failed = []
    for name in names:
        r = check(qcc, zoo, work, name)
        cells = [r.get(s, "–") for s in STEPS] + [r.get("sqnr", "–")]
        print("| %s | %s |" % (name, " | ".join(cells)), flush=True)
        if not all(r.get(s, "").startswith("ok") for s in STEPS):
            failed.append(name)
    if failed:
        print("check_zoo: failed: " + ", ".join(failed), file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    main()
