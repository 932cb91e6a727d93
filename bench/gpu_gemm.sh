#!/usr/bin/env bash
# qcc's int8 GEMM on an NVIDIA GPU against cuBLASLt, and ResNet-18 int8
# latency (docs/nvptx.md). Each GEMM size N is a model of one 1x1
# convolution with N input and N output channels over a 32 x N/32 image
# (C[N, N] = W[N, N] * X[N, N]: the product kernels of qcc compile --target
# nvptx, its requantization fused), timed per kernel by the launcher's
# QCC_CUDA_PROFILE (the product kernel is the one with the most time);
# cuBLASLt (bench/cublaslt_gemm.c) times int8 x int8 -> int32 of the same
# size with CUDA events. Prints each time, their ratio, the tera-ops per
# second and each one's fraction of the GPU's dense int8 tensor-core peak.
# ResNet-18 (build/bench/zoo/resnet18, from bench/zoo_latency.sh) at batch
# 1 and 32: qcc bench's median latency (the C API runs a batch one sample
# after another) and its kernels' time per run.
#
# Without a GPU (no driver, or it finds none) it says so and prints the
# static figures of the same kernels instead (bench/gpu_static.py: ptxas
# registers, spills, occupancy).
#
#   bench/gpu_gemm.sh [BUILD_DIR] [SIZES] [RUNS]   # build, "1024 2048 4096", 50
#   GPUS=sm_90 bench/gpu_gemm.sh                    # architectures (qcc --gpu)
#   RESNET18=model.mlir bench/gpu_gemm.sh           # another int8 ResNet-18 IR
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BUILD=$(cd "${1:-$ROOT/build}" && pwd)
SIZES=${2:-1024 2048 4096}
RUNS=${3:-50}
GPUS=${GPUS:-sm_80,sm_90}
QCC=$BUILD/bin/qcc
CUDA=${CUDA_HOME:-/usr/local/cuda}
PY=/usr/bin/python3
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT

gpu_present() {
  $PY - <<'PY' 2>/dev/null
import ctypes, sys
try:
    cuda = ctypes.CDLL("libcuda.so.1")
    n = ctypes.c_int(0)
    ok = cuda.cuInit(0) == 0 and cuda.cuDeviceGetCount(ctypes.byref(n)) == 0
    sys.exit(0 if ok and n.value > 0 else 1)
except OSError:
    sys.exit(1)
PY
}

# The model of one N x N x N int8 GEMM, and its calibration data.
make_gemm_model() {
  $PY - "$1" "$2" <<'PY'
import sys
import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper
n, out = int(sys.argv[1]), sys.argv[2]
h, w = 32, n // 32
rng = np.random.default_rng(n)
weight = (rng.standard_normal((n, n, 1, 1)) * 0.05).astype(np.float32)
graph = helper.make_graph(
    [helper.make_node("Conv", ["x", "w"], ["y"], name="gemm")], "gemm",
    [helper.make_tensor_value_info("x", TensorProto.FLOAT, ["N", n, h, w])],
    [helper.make_tensor_value_info("y", TensorProto.FLOAT, ["N", n, h, w])],
    [numpy_helper.from_array(weight, "w")])
onnx.save(helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)]),
          out + "/gemm.onnx")
np.save(out + "/calib.npy", rng.standard_normal((2, n, h, w)).astype(np.float32))
PY
}

if gpu_present; then HAVE_GPU=1; else HAVE_GPU=0; fi
if [ $HAVE_GPU = 1 ]; then
  gcc -O2 -I"$CUDA/include" "$ROOT/bench/cublaslt_gemm.c" -L"$CUDA/lib64" \
    -lcublasLt -lcudart -Wl,-rpath,"$CUDA/lib64" -o "$WORK/cublaslt_gemm"
else
  echo "gpu_gemm: no GPU here (no CUDA driver, or it finds no GPU): static"
  echo "figures of the kernels instead (bench/gpu_static.py)."
fi

declare -A QCC_US LT_LINE
for n in $SIZES; do
  dir=$WORK/gemm$n
  mkdir -p "$dir"
  make_gemm_model "$n" "$dir"
  "$QCC" compile "$dir/gemm.onnx" --calib "$dir/calib.npy" --emit mlir \
    -o "$dir/int8" >/dev/null
  "$QCC" compile "$dir/int8/model.mlir" --target nvptx --gpu "$GPUS" \
    -o "$dir/gpu" >/dev/null
  if [ $HAVE_GPU = 1 ]; then
    QCC_CUDA_PROFILE=$dir/profile.txt "$QCC" bench "$dir/gpu" --runs "$RUNS" \
      >/dev/null
    # The product kernel: the most time (row 3 of the profile; mean us).
    QCC_US[$n]=$(awk 'NR == 3 { print $4 }' "$dir/profile.txt")
    LT_LINE[$n]=$("$WORK/cublaslt_gemm" "$n" "$RUNS")
  else
    echo
    echo "GEMM N=$n:"
    $PY "$ROOT/bench/gpu_static.py" "$dir/gpu" --arch "${GPUS##*,}"
  fi
done

if [ $HAVE_GPU = 1 ]; then
  {
    for n in $SIZES; do echo "$n ${QCC_US[$n]} ${LT_LINE[$n]}"; done
  } | $PY -c '
import re, sys
# Dense int8 tensor-core multiply-adds x 2 per SM per clock (NVIDIA data
# sheets: T4, A100, RTX 30 / A10, RTX 40 / L4, H100; H100 reaches its
# figure with wgmma, which qcc does not use: mma.sync gets about half).
OPS = {"75": 2048, "80": 4096, "86": 2048, "89": 2048, "90": 8192}
rows = [l.split(None, 2) for l in sys.stdin.read().splitlines()]
info = dict(re.findall(r"(\w+)=(\"[^\"]*\"|\S+)", rows[0][2]))
peak = None
if info["sm"] in OPS:
    peak = OPS[info["sm"]] * int(info["sms"]) * int(info["clock_mhz"]) * 1e6 / 1e12
print("GPU: %s (sm_%s, %s SMs, %s MHz); dense int8 peak %s" % (
    info["gpu"].strip("\""), info["sm"], info["sms"], info["clock_mhz"],
    "%.0f TOPS" % peak if peak else "unknown"))
print()
print("| N | qcc product kernel (us) | cuBLASLt (us) | qcc / cuBLASLt time | qcc TOPS | cuBLASLt TOPS | qcc of peak | cuBLASLt of peak |")
print("|---|---|---|---|---|---|---|---|")
for n, qcc, line in rows:
    lt = dict(re.findall(r"(\w+)=(\"[^\"]*\"|\S+)", line))
    n, qcc, lt_us = int(n), float(qcc), float(lt["median_us"])
    ops = 2.0 * n ** 3
    q, c = ops / (qcc * 1e-6) / 1e12, ops / (lt_us * 1e-6) / 1e12
    frac = lambda t: "%.0f%%" % (100 * t / peak) if peak else "?"
    print("| %d | %.1f | %.1f | %.2f | %.1f | %.1f | %s | %s |" % (
        n, qcc, lt_us, qcc / lt_us, q, c, frac(q), frac(c)))
'
fi

R18=${RESNET18:-$BUILD/bench/zoo/resnet18/int8/model.mlir}
if [ ! -f "$R18" ]; then
  echo
  echo "ResNet-18: $R18 is missing (bench/zoo_latency.sh builds it); skipped."
  exit 0
fi
"$QCC" compile "$R18" --target nvptx --gpu "$GPUS" -o "$WORK/r18" >/dev/null
echo
if [ $HAVE_GPU = 1 ]; then
  echo "| ResNet-18 int8 | median latency (ms) | in kernels per run (ms) | kernels |"
  echo "|---|---|---|---|"
  for batch in 1 32; do
    QCC_CUDA_PROFILE=$WORK/r18-$batch.txt "$QCC" bench "$WORK/r18" \
      --batch $batch --runs 20 --json >"$WORK/r18-$batch.json"
    $PY - "$WORK/r18-$batch.json" "$WORK/r18-$batch.txt" $batch <<'PY'
import json, re, sys
bench = json.load(open(sys.argv[1]))
head = open(sys.argv[2]).readline()
kernels, per_run = re.search(r"(\d+) kernels, ([0-9.]+) ms per run", head).groups()
# qcc bench --json: its median (see tools/qcc/Bench.cpp).
median = bench.get("median_ms", bench.get("median"))
print("| batch %s | %s | %.3f | %s |" % (sys.argv[3], median, float(per_run) * int(sys.argv[3]), kernels))
PY
  done
else
  echo "ResNet-18 int8:"
  $PY "$ROOT/bench/gpu_static.py" "$WORK/r18" --arch "${GPUS##*,}" >"$WORK/r18.txt"
  head -1 "$WORK/r18.txt"
  tail -1 "$WORK/r18.txt"
fi
