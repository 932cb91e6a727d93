#!/usr/bin/env bash
# CPU benchmark of qcc's compiled integer-only models against ONNX Runtime and
# PyTorch, all measured in one run on this machine with the same inputs:
#
#   * batch-1 latency (median of --runs runs, 1 and 2 threads) of qcc's int8
#     model.so, ONNX Runtime fp32, ONNX Runtime int8 (QDQ, U8S8 as ORT's
#     quantize_static makes it: python/ort_style_quantize.py) and, for
#     ResNet-18 and the Fashion-MNIST CNN (whose PyTorch weights the
#     project's scripts keep; the shared digits models are ONNX only),
#     PyTorch 1.13 FX int8 (onednn) and fp32;
#   * top-1 accuracy of the compiled int8 models next to fp32 and to the
#     reference interpreter on the same integer IR (equal: the compiled code
#     is bit-exact), for the digits and Fashion-MNIST models;
#   * int8 GEMM throughput of qcc's micro-kernel next to oneDNN's, and the
#     CPU's measured int8 peak (vpdpbusd).
#
#   bench/cpu_latency.sh [--build DIR] [--runs N] [--out FILE.md]
#
# Models: ../shared/models (digits), build/models/fashion (trained by
# bench/fashion_baselines.sh if missing; skipped with a note otherwise) and
# build/models/resnet18 (python/make_resnet18.py, torchvision's ResNet-18 with
# random weights). Prints a Markdown report (and writes it to --out).
# Dependencies: scripts/install-deps.sh, scripts/install-bench-deps.sh.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
BUILD=build
RUNS=50
OUT=""
while [ $# -gt 0 ]; do
  case "$1" in
    --build) BUILD=$2; shift 2 ;;
    --runs) RUNS=$2; shift 2 ;;
    --out) OUT=$2; shift 2 ;;
    -h|--help) sed -n '2,22p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "cpu_latency: unknown argument $1" >&2; exit 2 ;;
  esac
done
QCC=$BUILD/bin/qcc
PY=/usr/bin/python3
SHARED=$ROOT/../shared/models
WORK=$BUILD/bench/cpu_latency
mkdir -p "$WORK"
RESULTS=$WORK/results.jsonl
: > "$RESULTS"
log() { echo "cpu_latency: $*" >&2; }
record() { echo "$1" >> "$RESULTS"; }

[ -x "$QCC" ] || { echo "cpu_latency: $QCC not built (make build)" >&2; exit 1; }
[ -d bench/node_modules/onnxruntime-node ] || { echo "cpu_latency: run scripts/install-bench-deps.sh" >&2; exit 1; }

# Models: name, ONNX, calibration, test inputs, labels.
MODELS=()
if [ -f "$SHARED/digits_cnn.onnx" ]; then
  MODELS+=("digits_cnn|$SHARED/digits_cnn.onnx|$SHARED/digits_calib.npy|$SHARED/digits_test.npy|$SHARED/digits_test_labels.npy")
  MODELS+=("digits_mlp|$SHARED/digits_mlp.onnx|$SHARED/digits_calib.npy|$SHARED/digits_test.npy|$SHARED/digits_test_labels.npy")
else
  log "no ../shared/models: digits models skipped"
fi
FASHION=$BUILD/models/fashion
if [ ! -f "$FASHION/fashion_cnn.onnx" ]; then
  log "training the Fashion-MNIST model (bench/fashion_baselines.sh, a few minutes)"
  bench/fashion_baselines.sh "$FASHION" >&2 || log "Fashion-MNIST model unavailable: skipped"
fi
if [ -f "$FASHION/fashion_cnn.onnx" ]; then
  MODELS+=("fashion_cnn|$FASHION/fashion_cnn.onnx|$FASHION/fashion_calib.npy|$FASHION/fashion_test.npy|$FASHION/fashion_test_labels.npy")
fi
RESNET=$BUILD/models/resnet18
if [ ! -f "$RESNET/resnet18.onnx" ] || [ ! -f "$RESNET/resnet18.pt" ]; then
  log "generating ResNet-18 (python/make_resnet18.py)"
  $PY python/make_resnet18.py "$RESNET" 8
fi
MODELS+=("resnet18|$RESNET/resnet18.onnx|$RESNET/resnet18_calib.npy||")

for entry in "${MODELS[@]}"; do
  IFS='|' read -r name onnx calib test labels <<< "$entry"
  dir=$WORK/$name
  mkdir -p "$dir"
  log "$name: quantizing (integer-only) and compiling"
  "$QCC" quantize "$onnx" --calib "$calib" --integer-only -o "$dir/int8.mlir" \
    --export-onnx "$dir/qcc_qdq.onnx" > "$dir/quantize.log" 2>&1
  "$QCC" compile "$dir/int8.mlir" -o "$dir/compiled" > "$dir/compile.log"
  log "$name: ONNX Runtime int8 model (ORT-style QDQ, U8S8)"
  $PY python/ort_style_quantize.py "$onnx" "$calib" "$dir/ort_u8s8.onnx" > "$dir/ort_quantize.log" 2>&1
  for t in 1 2; do
    log "$name: latency, $t thread(s)"
    q=$(QCC_NUM_THREADS=$t "$QCC" bench "$dir/compiled" --runs "$RUNS" --json)
    record "{\"model\": \"$name\", \"engine\": \"qcc int8\", \"threads\": $t, \"latency\": $q}"
    o=$(node bench/ort_latency.mjs "$onnx" --threads $t --runs "$RUNS")
    record "{\"model\": \"$name\", \"engine\": \"ORT fp32\", \"threads\": $t, \"latency\": $o}"
    o=$(node bench/ort_latency.mjs "$dir/ort_u8s8.onnx" --threads $t --runs "$RUNS")
    record "{\"model\": \"$name\", \"engine\": \"ORT int8\", \"threads\": $t, \"latency\": $o}"
    pt=""
    [ "$name" = resnet18 ] && pt="$RESNET --model resnet18"
    [ "$name" = fashion_cnn ] && [ -f "$FASHION/fashion_cnn.pt" ] && pt="$FASHION --model fashion"
    if [ -n "$pt" ]; then
      $PY python/pytorch_latency.py $pt --threads $t --runs "$RUNS" | while read -r line; do
        engine=$(echo "$line" | $PY -c 'import json,sys; d=json.load(sys.stdin); print("PyTorch int8" if d["engine"] != "fp32" else "PyTorch fp32")')
        record "{\"model\": \"$name\", \"engine\": \"$engine\", \"threads\": $t, \"latency\": $line}"
      done
    fi
  done
  if [ -z "$test" ]; then
    # No labelled test set (random weights): compiled vs interpreter on two
    # calibration images, exactly.
    $PY -c "import numpy as np, sys; np.save(sys.argv[2], np.load(sys.argv[1])[:2])" "$calib" "$dir/two.npy"
    "$QCC" run "$dir/compiled" --input "$dir/two.npy" -o "$dir/compiled.npy"
    "$QCC" run "$dir/int8.mlir" --input "$dir/two.npy" -o "$dir/interpreted.npy"
    exact=$("$QCC" compare "$dir/compiled.npy" "$dir/interpreted.npy" --rtol 0 --atol 0 | sed -n 's/.*: \(MATCH\|DIFFERENT\)$/\1/p')
    record "{\"model\": \"$name\", \"exactness\": \"$exact\"}"
  fi
  if [ -n "$test" ]; then
    log "$name: accuracy"
    acc() { "$QCC" eval "$1" --input "$test" --labels "$labels" | sed -n 's/^top-1 accuracy: \([0-9.]*\)%.*/\1/p'; }
    fp32=$(acc "$onnx")
    compiled=$(acc "$dir/compiled")
    interpreted=$(acc "$dir/int8.mlir")
    "$QCC" run "$dir/compiled" --input "$test" -o "$dir/compiled.npy"
    "$QCC" run "$dir/int8.mlir" --input "$test" -o "$dir/interpreted.npy"
    exact=$("$QCC" compare "$dir/compiled.npy" "$dir/interpreted.npy" --rtol 0 --atol 0 | sed -n 's/.*: \(MATCH\|DIFFERENT\)$/\1/p')
    record "{\"model\": \"$name\", \"accuracy\": {\"fp32\": $fp32, \"int8_compiled\": $compiled, \"int8_interpreted\": $interpreted, \"bit_exact\": \"$exact\"}}"
  fi
done

log "int8 GEMM throughput"
clang-22 -O3 -march=x86-64 -Iinclude bench/gemm_throughput.c \
  lib/Target/CPU/Ukernel/*.c -ldnnl -lpthread -o "$WORK/gemm_throughput"
for t in 1 2; do
  OMP_NUM_THREADS=$t QCC_NUM_THREADS=$t "$WORK/gemm_throughput" $t | while read -r line; do
    record "$line"
  done
done

$PY - "$RESULTS" <<'EOF' | tee ${OUT:+"$OUT"}
import json, platform, subprocess, sys
rows = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
cpu = next((l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name")), "?")
print(f"# qcc CPU benchmark\n\nMachine: {cpu}, {subprocess.check_output(['nproc']).decode().strip()} cores. "
      "Batch 1, median of the timed runs; int8 for qcc is its integer-only compiled model.so.\n")
peaks = [r for r in rows if r.get("what") == "peak" and r.get("scheme", "exact") == "exact"]
peak = peaks[0]["gops"] if peaks else None
peak_tier = peaks[0].get("tier", "?") if peaks else None
resnet_gmac = 1.814  # ResNet-18 multiply-adds at 224x224
print("## Latency (ms)\n")
print("| model | threads | qcc int8 | ORT int8 | ORT fp32 | PyTorch int8 | PyTorch fp32 | qcc / ORT int8 | qcc / PyTorch int8 |")
print("|---|---|---|---|---|---|---|---|---|")
models = []
for r in rows:
    if "engine" in r and r["model"] not in models:
        models.append(r["model"])
for m in models:
    for t in (1, 2):
        lat = {r["engine"]: r["latency"]["median_ms"] for r in rows
               if r.get("model") == m and r.get("threads") == t and "engine" in r}
        if not lat:
            continue
        f = lambda k: f"{lat[k]:.3f}" if k in lat else "-"
        ratio = lambda k: f"{lat['qcc int8'] / lat[k]:.2f}" if k in lat and "qcc int8" in lat else "-"
        print(f"| {m} | {t} | {f('qcc int8')} | {f('ORT int8')} | {f('ORT fp32')} | {f('PyTorch int8')} | "
              f"{f('PyTorch fp32')} | {ratio('ORT int8')} | {ratio('PyTorch int8')} |")
if peak:
    print(f"\nMeasured int8 peak of one core on the {peak_tier} tier (bench/gemm_throughput.c's "
          f"register-only loop of the tier's exact multiply-add): {peak:.0f} GOP/s ({peak / 2:.0f} GMAC/s).")
    for t in (1, 2):
        lat = [r["latency"]["median_ms"] for r in rows if r.get("model") == "resnet18"
               and r.get("engine") == "qcc int8" and r.get("threads") == t]
        if lat:
            achieved = resnet_gmac / (lat[0] / 1e3)
            print(f"ResNet-18 qcc int8, {t} thread(s): {achieved:.0f} GMAC/s = "
                  f"{100 * achieved / (peak / 2 * t):.0f}% of the measured peak "
                  f"(floor {resnet_gmac / (peak / 2 * t) * 1e3:.2f} ms).")
for r in rows:
    if "exactness" in r:
        print(f"\n{r['model']}: compiled outputs vs the reference interpreter on the integer IR, "
              f"two calibration images, atol 0: {r['exactness']}")
acc = [r for r in rows if "accuracy" in r]
if acc:
    print("\n## Accuracy of the compiled models (top-1 %, test sets)\n")
    print("| model | fp32 | int8 compiled | int8 reference interpreter | compiled == interpreter |")
    print("|---|---|---|---|---|")
    for r in acc:
        a = r["accuracy"]
        print(f"| {r['model']} | {a['fp32']:.2f} | {a['int8_compiled']:.2f} | {a['int8_interpreted']:.2f} | {a['bit_exact']} |")
gemm = [r for r in rows if r.get("what") == "gemm"]
if gemm:
    print("\n## int8 GEMM throughput (GOP/s, square n x n x n)\n")
    print("| tier | n | threads | qcc micro-kernel | oneDNN gemm u8s8s32 | oneDNN gemm s8s8s32 | oneDNN matmul (kernel) | qcc / best oneDNN | qcc / tier peak |")
    print("|---|---|---|---|---|---|---|---|---|")
    for r in gemm:
        best = max(r["onednn_u8s8s32_gops"], r["onednn_s8s8s32_gops"], r["onednn_matmul_gops"])
        of_peak = f"{100 * r['qcc_gops'] / (peak * r['threads']):.0f}%" if peak else "-"
        print(f"| {r['tier']} | {r['n']} | {r['threads']} | {r['qcc_gops']:.0f} | {r['onednn_u8s8s32_gops']:.0f} | "
              f"{r['onednn_s8s8s32_gops']:.0f} | {r['onednn_matmul_gops']:.0f} ({r['onednn_matmul_impl']}) | "
              f"{100 * r['qcc_gops'] / best:.0f}% | {of_peak} |")
EOF
