#!/usr/bin/env bash
# qcc's CPU kernels on every ISA tier this machine runs (amx, avx512vnni,
# avxvnni, avx2, generic; QCC_CPU_TIER selects one), next to ONNX Runtime,
# all in one run on the same inputs:
#
#   * batch-1 latency (median of --runs runs, 1 and 2 threads) of one
#     portable model.so per model (qcc compile, default --cpu portable),
#     int8 (integer-only), int7 (integer-only with 7-bit weights, which
#     the avx2 tier runs with exact vpmaddubsw) and f32 (--float), under
#     each tier; ORT fp32 and
#     ORT int8 (QDQ U8S8, python/ort_style_quantize.py) on the same model.
#     ORT picks its own kernels (the best this CPU has), so on an AVX-512
#     machine the lower tiers' ratios are against a faster ORT than an AVX2
#     machine would run;
#   * whether the int8 and int7 outputs are the same bytes on every tier
#     (two calibration images);
#   * int8 GEMM throughput per tier next to oneDNN limited to the same ISA
#     (ONEDNN_MAX_CPU_ISA), and how many of oneDNN's outputs are inexact
#     (its AVX2 kernels saturate 16-bit pair sums).
#
#   bench/cpu_tiers.sh [--build DIR] [--runs N] [--out FILE.md] [MODEL...]
#
# MODEL: digits_cnn (examples/), resnet18 (python/make_resnet18.py, into
# DIR/models/resnet18) or a zoo model in DIR/zoo/models (make zoo), e.g.
# mobilenet_v2; default: digits_cnn resnet18 mobilenet_v2.
# Dependencies: scripts/install-deps.sh, scripts/install-bench-deps.sh.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
BUILD=build
RUNS=50
OUT=""
NAMES=()
while [ $# -gt 0 ]; do
  case "$1" in
    --build) BUILD=$2; shift 2 ;;
    --runs) RUNS=$2; shift 2 ;;
    --out) OUT=$2; shift 2 ;;
    -h|--help) sed -n '2,25p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    -*) echo "cpu_tiers: unknown option $1" >&2; exit 2 ;;
    *) NAMES+=("$1"); shift ;;
  esac
done
[ ${#NAMES[@]} -gt 0 ] || NAMES=(digits_cnn resnet18 mobilenet_v2)
QCC=$BUILD/bin/qcc
PY=/usr/bin/python3
WORK=$BUILD/bench/cpu_tiers
mkdir -p "$WORK"
RESULTS=$WORK/results.jsonl
: > "$RESULTS"
log() { echo "cpu_tiers: $*" >&2; }
record() { echo "$1" >> "$RESULTS"; }
[ -x "$QCC" ] || { echo "cpu_tiers: $QCC not built (make build)" >&2; exit 1; }
[ -d bench/node_modules/onnxruntime-node ] || { echo "cpu_tiers: run scripts/install-bench-deps.sh" >&2; exit 1; }

# Every tier; QCC_CPU_TIER clamps one the CPU lacks to the best it has, and
# qcc bench names the tier it ran, so those are skipped below.
TIERS=(amx avx512vnni avxvnni avx2 generic)

model_files() { # name -> "onnx|calib"
  case "$1" in
    digits_cnn) echo "examples/digits_cnn.onnx|examples/digits_calib.npy" ;;
    resnet18)
      local dir=$BUILD/models/resnet18
      if [ ! -f "$dir/resnet18.onnx" ]; then
        log "generating ResNet-18 (python/make_resnet18.py)"
        $PY python/make_resnet18.py "$dir" 8 >&2
      fi
      echo "$dir/resnet18.onnx|$dir/resnet18_calib.npy" ;;
    *) echo "$BUILD/zoo/models/$1.onnx|$BUILD/zoo/models/$1_calib.npy" ;;
  esac
}

for name in "${NAMES[@]}"; do
  IFS='|' read -r onnx calib <<< "$(model_files "$name")"
  [ -f "$onnx" ] || { log "$name: $onnx missing (make zoo builds the zoo): skipped"; continue; }
  dir=$WORK/$name
  mkdir -p "$dir"
  log "$name: compiling int8, int7 and f32 (portable)"
  "$QCC" compile "$onnx" --calib "$calib" -o "$dir/int8" > "$dir/int8.log" 2>&1
  "$QCC" quantize "$onnx" --calib "$calib" --weights int7 --integer-only \
    -o "$dir/int7.mlir" > "$dir/int7.log" 2>&1
  "$QCC" compile "$dir/int7.mlir" -o "$dir/int7" >> "$dir/int7.log" 2>&1
  "$QCC" compile "$onnx" --float -o "$dir/f32" > "$dir/f32.log" 2>&1
  $PY python/ort_style_quantize.py "$onnx" "$calib" "$dir/ort_u8s8.onnx" > "$dir/ort_quantize.log" 2>&1
  $PY -c "import numpy as np, sys; np.save(sys.argv[2], np.load(sys.argv[1])[:2])" "$calib" "$dir/two.npy"
  for tier in "${TIERS[@]}"; do
    ran=$(QCC_CPU_TIER=$tier "$QCC" bench "$dir/int8" --runs 1 --warmup 0 --json | $PY -c 'import json,sys; print(json.load(sys.stdin)["cpu_tier"])')
    [ "$ran" = "$tier" ] || { log "$name: this CPU lacks $tier: skipped"; continue; }
    for kind in int8 int7; do
      QCC_CPU_TIER=$tier "$QCC" run "$dir/$kind" --input "$dir/two.npy" -o "$dir/out-$kind-$tier.npy" > /dev/null
      record "{\"model\": \"$name\", \"kind\": \"$kind\", \"tier\": \"$tier\", \"sha256\": \"$(sha256sum < "$dir/out-$kind-$tier.npy" | cut -d' ' -f1)\"}"
    done
    for t in 1 2; do
      log "$name: $tier, $t thread(s)"
      for kind in int8 int7 f32; do
        q=$(QCC_CPU_TIER=$tier QCC_NUM_THREADS=$t "$QCC" bench "$dir/$kind" --runs "$RUNS" --json)
        record "{\"model\": \"$name\", \"engine\": \"qcc $kind\", \"tier\": \"$tier\", \"threads\": $t, \"latency\": $q}"
      done
    done
  done
  for t in 1 2; do
    log "$name: ONNX Runtime, $t thread(s)"
    o=$(node bench/ort_latency.mjs "$onnx" --threads $t --runs "$RUNS")
    record "{\"model\": \"$name\", \"engine\": \"ORT fp32\", \"threads\": $t, \"latency\": $o}"
    o=$(node bench/ort_latency.mjs "$dir/ort_u8s8.onnx" --threads $t --runs "$RUNS")
    record "{\"model\": \"$name\", \"engine\": \"ORT int8\", \"threads\": $t, \"latency\": $o}"
  done
done

log "int8 GEMM throughput per tier"
clang-22 -O3 -march=x86-64 -Iinclude bench/gemm_throughput.c \
  lib/Target/CPU/Ukernel/*.c -ldnnl -lpthread -o "$WORK/gemm_throughput"
for tier in "${TIERS[@]}"; do
  # A tier the CPU lacks would run clamped: not that tier's figure.
  [ "$(QCC_CPU_TIER=$tier "$WORK/gemm_throughput" --tier)" = "$tier" ] || continue
  case $tier in
    amx) isa=AVX512_CORE_AMX ;;
    avx512vnni) isa=AVX512_CORE_VNNI ;;
    avxvnni) isa=AVX2_VNNI ;;
    *) isa=AVX2 ;;
  esac
  for t in 1 2; do
    QCC_CPU_TIER=$tier ONEDNN_MAX_CPU_ISA=$isa OMP_NUM_THREADS=$t QCC_NUM_THREADS=$t \
      "$WORK/gemm_throughput" $t | while read -r line; do
      case $line in
        *'"gemm"'*) record "${line%\}}, \"onednn_isa\": \"$isa\"}" ;;
        *'"peak"'*) if [ $t = 1 ]; then record "$line"; fi ;;
      esac
    done
  done
done

$PY - "$RESULTS" <<'EOF' | tee ${OUT:+"$OUT"}
import json, subprocess, sys
rows = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
cpu = next((l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name")), "?")
flags = next((l for l in open("/proc/cpuinfo") if l.startswith("flags")), "")
isa = ", ".join(f for f in ("amx_int8", "avx512_vnni", "avx_vnni", "avx2") if f" {f}" in flags)
print(f"# qcc CPU kernels per ISA tier\n\nMachine: {cpu} ({isa}), "
      f"{subprocess.check_output(['nproc']).decode().strip()} cores. Batch 1, median ms; one portable "
      "model.so per model, the tier forced with QCC_CPU_TIER. ONNX Runtime runs its own best kernels.\n")
models = []
for r in rows:
    if "engine" in r and r["model"] not in models:
        models.append(r["model"])
print("| model | tier | threads | qcc int8 | qcc int7 | ORT int8 | qcc f32 | ORT fp32 | int8 / ORT int8 | int7 / ORT int8 | f32 / ORT fp32 |")
print("|---|---|---|---|---|---|---|---|---|---|---|")
for m in models:
    tiers = []
    for r in rows:
        if r.get("model") == m and "tier" in r and "engine" in r and r["tier"] not in tiers:
            tiers.append(r["tier"])
    for tier in tiers:
        for t in (1, 2):
            lat = {r["engine"]: r["latency"]["median_ms"] for r in rows if r.get("model") == m
                   and r.get("threads") == t and "engine" in r and r.get("tier", tier) == tier}
            if "qcc int8" not in lat:
                continue
            f = lambda k: f"{lat[k]:.3f}" if k in lat else "-"
            ratio = lambda a, b: f"{lat[a] / lat[b]:.2f}" if a in lat and b in lat else "-"
            print(f"| {m} | {tier} | {t} | {f('qcc int8')} | {f('qcc int7')} | {f('ORT int8')} | {f('qcc f32')} | "
                  f"{f('ORT fp32')} | {ratio('qcc int8', 'ORT int8')} | {ratio('qcc int7', 'ORT int8')} | "
                  f"{ratio('qcc f32', 'ORT fp32')} |")
print()
for m in models:
    for kind in ("int8", "int7"):
        hashes = {r["tier"]: r["sha256"] for r in rows
                  if r.get("model") == m and r.get("kind") == kind and "sha256" in r}
        same = len(set(hashes.values())) == 1
        print(f"{m}: {kind} outputs on {', '.join(hashes)}: {'identical bytes' if same else 'DIFFERENT'}")
gemm = [r for r in rows if r.get("what") == "gemm"]
if gemm:
    print("\n## int8 GEMM (GOP/s, square n x n x n), oneDNN limited to the same ISA\n")
    # One core's peak per tier and scheme (bench/gemm_throughput.c): qcc's
    # kernels are exact; oneDNN's AVX2 ones use the saturating vpmaddubsw.
    peak = {(r["tier"], r["scheme"]): r["gops"] for r in rows if r.get("what") == "peak"}
    # qcc 7-bit A: A in [-64, 64] (int7 weights), which the avx2 tier runs
    # with vpmaddubsw, exactly (the other tiers as for any A).
    print("| tier | oneDNN ISA | n | threads | qcc | qcc, 7-bit A | oneDNN gemm s8s8s32 | oneDNN gemm u8s8s32 | oneDNN matmul (kernel) | qcc / best oneDNN | qcc 7-bit A / best oneDNN | qcc / exact peak | best oneDNN / its peak | oneDNN s8s8s32 inexact outputs |")
    print("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|")
    for r in gemm:
        best = max(r["onednn_u8s8s32_gops"], r["onednn_s8s8s32_gops"], r["onednn_matmul_gops"])
        exact = peak.get((r["tier"], "exact"))
        theirs = peak.get((r["tier"], "saturating" if r["onednn_isa"] == "AVX2" else "exact"))
        frac = lambda g, p: f"{100 * g / (p * r['threads']):.0f}%" if p else "-"
        print(f"| {r['tier']} | {r['onednn_isa']} | {r['n']} | {r['threads']} | {r['qcc_gops']:.0f} | "
              f"{r['qcc_7bit_a_gops']:.0f} | "
              f"{r['onednn_s8s8s32_gops']:.0f} | {r['onednn_u8s8s32_gops']:.0f} | "
              f"{r['onednn_matmul_gops']:.0f} ({r['onednn_matmul_impl']}) | "
              f"{100 * r['qcc_gops'] / best:.0f}% | {100 * r['qcc_7bit_a_gops'] / best:.0f}% | "
              f"{frac(r['qcc_gops'], exact)} | {frac(best, theirs)} | "
              f"{r['onednn_s8s8s32_inexact']} of {r['n'] ** 2} |")
    print()
    for (tier, scheme), g in peak.items():
        print(f"Peak of one core, {tier}, {scheme} scheme: {g:.0f} GOP/s")
EOF
