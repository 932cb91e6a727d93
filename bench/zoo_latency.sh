#!/usr/bin/env bash
# Latency of the model zoo (python/make_zoo.py: torchvision architectures,
# random weights, 96x96 inputs) compiled by qcc, next to ONNX Runtime, all
# measured in one run on this machine with the same batch-1 inputs:
#
#   * qcc f32: `qcc compile --float` (float code, the CPU target);
#   * qcc int8: `qcc compile --calib` (integer-only where the graph allows,
#     float islands listed by the compile);
#   * ONNX Runtime fp32 on the ONNX model;
#   * ONNX Runtime int8: QDQ U8S8 as ORT's quantize_static makes it
#     (python/ort_style_quantize.py, same calibration images).
#
# Median of --runs runs after warm-up, per thread count, in --rounds rounds
# that take the four engines in turn: a shared machine's speed drifts by
# tens of percent over minutes, so each ratio qcc / ORT is taken within a
# round and the report gives the median of the rounds' ratios with their
# range, and each latency as the median of the rounds' medians. Prints a
# Markdown report with the CPU it ran on and its ISA.
#
#   bench/zoo_latency.sh [--build DIR] [--runs N] [--rounds R]
#                        [--threads "1 2"] [--out FILE.md] [NAME ...]
#
# Models: $BUILD/zoo/models (made by python/make_zoo.py if missing).
# Dependencies: scripts/install-deps.sh, scripts/install-bench-deps.sh.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
BUILD=build
RUNS=20
ROUNDS=3
THREADS="1"
OUT=""
NAMES=()
while [ $# -gt 0 ]; do
  case "$1" in
    --build) BUILD=$2; shift 2 ;;
    --runs) RUNS=$2; shift 2 ;;
    --rounds) ROUNDS=$2; shift 2 ;;
    --threads) THREADS=$2; shift 2 ;;
    --out) OUT=$2; shift 2 ;;
    -h|--help) sed -n '2,24p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    -*) echo "zoo_latency: unknown argument $1" >&2; exit 2 ;;
    *) NAMES+=("$1"); shift ;;
  esac
done
QCC=$BUILD/bin/qcc
PY=/usr/bin/python3
ZOO=$BUILD/zoo/models
WORK=$BUILD/bench/zoo
mkdir -p "$WORK"
RESULTS=$WORK/results.jsonl
: > "$RESULTS"
log() { echo "zoo_latency: $*" >&2; }
record() { echo "$1" >> "$RESULTS"; }

[ -x "$QCC" ] || { echo "zoo_latency: $QCC not built (make build)" >&2; exit 1; }
[ -d bench/node_modules/onnxruntime-node ] || { echo "zoo_latency: run scripts/install-bench-deps.sh" >&2; exit 1; }
if [ ! -d "$ZOO" ] || [ -z "$(ls "$ZOO"/*.onnx 2>/dev/null)" ]; then
  log "making the zoo (python/make_zoo.py)"
  $PY python/make_zoo.py "$ZOO" >&2
fi
if [ ${#NAMES[@]} -eq 0 ]; then
  for f in "$ZOO"/*.onnx; do NAMES+=("$(basename "$f" .onnx)"); done
fi

# Latency JSON of one engine, or {} with the failure logged (a model one
# engine cannot run still reports the others).
measure() {
  local what=$1; shift
  local out
  if out=$("$@" 2> "$WORK/last_error.log"); then
    echo "$out"
  else
    log "$what failed: $(tail -1 "$WORK/last_error.log")"
    echo "{}"
  fi
}

for name in "${NAMES[@]}"; do
  onnx=$ZOO/$name.onnx
  calib=$ZOO/${name}_calib.npy
  dir=$WORK/$name
  mkdir -p "$dir"
  log "$name: compiling (f32 and int8) and quantizing for ORT"
  "$QCC" compile "$onnx" --float -o "$dir/float" > "$dir/float.log" 2>&1 ||
    log "$name: qcc compile --float failed (see $dir/float.log)"
  "$QCC" compile "$onnx" --calib "$calib" -o "$dir/int8" > "$dir/int8.log" 2>&1 ||
    log "$name: qcc compile --calib failed (see $dir/int8.log)"
  islands=false
  grep -q "float islands" "$dir/int8.log" && islands=true
  $PY python/ort_style_quantize.py "$onnx" "$calib" "$dir/ort_u8s8.onnx" > "$dir/ort_quantize.log" 2>&1 ||
    log "$name: ORT-style quantization failed (see $dir/ort_quantize.log)"
  for t in $THREADS; do
    for round in $(seq "$ROUNDS"); do
      log "$name: latency, $t thread(s), round $round of $ROUNDS"
      at="\"model\": \"$name\", \"threads\": $t, \"round\": $round"
      q=$(QCC_NUM_THREADS=$t measure "qcc f32" "$QCC" bench "$dir/float" --runs "$RUNS" --json)
      record "{$at, \"engine\": \"qcc f32\", \"latency\": $q}"
      q=$(QCC_NUM_THREADS=$t measure "qcc int8" "$QCC" bench "$dir/int8" --runs "$RUNS" --json)
      record "{$at, \"engine\": \"qcc int8\", \"islands\": $islands, \"latency\": $q}"
      o=$(measure "ORT fp32" node bench/ort_latency.mjs "$onnx" --threads "$t" --runs "$RUNS")
      record "{$at, \"engine\": \"ORT fp32\", \"latency\": $o}"
      o=$(measure "ORT int8" node bench/ort_latency.mjs "$dir/ort_u8s8.onnx" --threads "$t" --runs "$RUNS")
      record "{$at, \"engine\": \"ORT int8\", \"latency\": $o}"
    done
  done
done

$PY - "$RESULTS" "$RUNS" <<'EOF' | tee ${OUT:+"$OUT"}
import json, statistics, subprocess, sys
rows = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
runs = sys.argv[2]
cpu = next((l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name")), "?")
flags = next((l.split(":", 1)[1].split() for l in open("/proc/cpuinfo") if l.startswith("flags")), [])
isa = "AVX-512 VNNI" if "avx512_vnni" in flags else ("AVX2" if "avx2" in flags else "x86-64")
field = lambda key: next((l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith(key)), "?")
model = field("model\t")  # not "model name"
cpu += f" (family {field('cpu family')}, model {model})"
rounds = max((r.get("round", 1) for r in rows), default=1)
print(f"# Model zoo latency\n\nMachine: {cpu} ({isa}), {subprocess.check_output(['nproc']).decode().strip()} cores. "
      f"Batch 1, 96x96 inputs. {rounds} rounds, each running the four engines in turn (median of {runs} "
      "timed runs each, ms); a latency is the median of its rounds, a ratio the median of the rounds' "
      "ratios (range in brackets). qcc int8 is `qcc compile --calib` "
      "(* marks a model with float islands); ORT int8 is QDQ U8S8 (python/ort_style_quantize.py).\n")
print("| model | threads | qcc f32 | ORT fp32 | qcc f32 / ORT fp32 | qcc int8 | ORT int8 | qcc int8 / ORT int8 |")
print("|---|---|---|---|---|---|---|---|")
models = []
for r in rows:
    if r["model"] not in models:
        models.append(r["model"])
for m in models:
    for t in sorted({r["threads"] for r in rows if r["model"] == m}):
        sel = [r for r in rows if r["model"] == m and r["threads"] == t]
        byRound = {}
        for r in sel:
            byRound.setdefault(r.get("round", 1), {})[r["engine"]] = r["latency"].get("median_ms")
        islands = any(r.get("islands") for r in sel)
        def lat(k):
            v = [d[k] for d in byRound.values() if d.get(k) is not None]
            return f"{statistics.median(v):.2f}" if v else "failed"
        def ratio(a, b):
            v = sorted(d[a] / d[b] for d in byRound.values() if d.get(a) is not None and d.get(b) is not None)
            if not v:
                return "-"
            spread = f" [{v[0]:.2f}-{v[-1]:.2f}]" if len(v) > 1 else ""
            return f"{statistics.median(v):.2f}{spread}"
        print(f"| {m} | {t} | {lat('qcc f32')} | {lat('ORT fp32')} | {ratio('qcc f32', 'ORT fp32')} | "
              f"{lat('qcc int8')}{'*' if islands else ''} | {lat('ORT int8')} | {ratio('qcc int8', 'ORT int8')} |")
EOF
