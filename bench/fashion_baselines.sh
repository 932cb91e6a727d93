#!/usr/bin/env bash
# Fashion-MNIST baselines for qcc's post-training-quantization experiments: trains the
# small residual CNN (python/train_fashion_mnist.py), quantizes it with PyTorch FX
# (onednn) and with the re-implementation of ONNX Runtime's QDQ quantize_static
# (python/ort_style_quantize.py), evaluates everything on the first 2000 test images and
# prints a Markdown table of what it measured.
#
#   bench/fashion_baselines.sh [OUTDIR] [--reuse-model]
#
# OUTDIR defaults to build/models/fashion (git-ignored). --reuse-model skips training when
# OUTDIR already holds a trained model. Dependencies: scripts/install-bench-deps.sh.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
PY=/usr/bin/python3
OUT=build/models/fashion
REUSE=0
for a in "$@"; do
  case "$a" in
    --reuse-model) REUSE=1 ;;
    -h|--help) sed -n '2,11p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    -*) echo "fashion_baselines: unknown option $a" >&2; exit 2 ;;
    *) OUT=$a ;;
  esac
done
mkdir -p "$OUT"
LOG="$OUT/fashion_baselines.log"
: > "$LOG"

if [ "$REUSE" = 1 ] && [ -f "$OUT/fashion_cnn.onnx" ] && [ -f "$OUT/fashion_cnn.pt" ]; then
  echo "reusing the model in $OUT" >&2
else
  echo "training (a few minutes on 2 cores; log: $LOG)" >&2
  $PY "$ROOT/python/train_fashion_mnist.py" "$OUT" >> "$LOG" 2>&1
fi
X="$OUT/fashion_test.npy"
Y="$OUT/fashion_test_labels.npy"

$PY "$ROOT/python/pytorch_int8_baseline.py" "$OUT" >> "$LOG" 2>&1
node "$ROOT/bench/ort_eval.mjs" "$OUT/fashion_cnn.onnx" "$X" "$Y" --name "fp32 ORT" --json "$OUT/ort_fp32.json" >> "$LOG"
$PY "$ROOT/python/ort_style_quantize.py" "$OUT/fashion_cnn.onnx" "$OUT/fashion_calib.npy" "$OUT/fashion_cnn_int8_qdq.onnx" \
  --json "$OUT/fashion_cnn_int8_qdq.json" --ranges "$OUT/fashion_calib_ranges.json" >> "$LOG" 2>&1
node "$ROOT/bench/ort_eval.mjs" "$OUT/fashion_cnn_int8_qdq.onnx" "$X" "$Y" --name "int8 ORT-style QDQ" --json "$OUT/ort_int8.json" >> "$LOG"
# ORT's literal quantize_static defaults (activation_type=QInt8, per_channel=False).
$PY "$ROOT/python/ort_style_quantize.py" "$OUT/fashion_cnn.onnx" "$OUT/fashion_calib.npy" "$OUT/fashion_cnn_int8_qdq_s8s8_pt.onnx" \
  --activation-type int8 --per-tensor --json "$OUT/fashion_cnn_int8_qdq_s8s8_pt.json" >> "$LOG" 2>&1
node "$ROOT/bench/ort_eval.mjs" "$OUT/fashion_cnn_int8_qdq_s8s8_pt.onnx" "$X" "$Y" --name "int8 ORT-style QDQ S8S8 per-tensor" \
  --json "$OUT/ort_int8_s8s8_pt.json" >> "$LOG"

$PY - "$OUT" <<'PYEOF'
import json, os, sys
d = sys.argv[1]
j = lambda f: json.load(open(os.path.join(d, f)))
m, pt, of, oq, od = j("fashion_cnn.json"), j("pytorch_int8.json"), j("ort_fp32.json"), j("ort_int8.json"), j("ort_int8_s8s8_pt.json")
n = pt["total"]
pct = lambda a: f"{100 * a:.2f}"
print(f"| model | runtime | top-1 (first {n} test images) |")
print("|---|---|---:|")
print(f"| fp32 | PyTorch {m['versions']['torch']} | {pct(m['fp32_accuracy_test_first2000'])} |")
print(f"| fp32 | ONNX Runtime {of['runtime'].split()[-1]} (CPU EP) | {pct(of['accuracy'])} |")
print(f"| int8 PyTorch FX PTQ ({pt['engine']}; u8 act. histogram, s8 per-channel weights) | PyTorch {m['versions']['torch']} | {pct(pt['accuracy'])} |")
print(f"| int8 ORT-style QDQ (MinMax; u8 asym. act., s8 sym. per-channel weights) | ONNX Runtime {oq['runtime'].split()[-1]} (CPU EP) | {pct(oq['accuracy'])} |")
print(f"| int8 ORT-style QDQ, ORT's literal defaults (s8 asym. act., s8 per-tensor weights) | ONNX Runtime {od['runtime'].split()[-1]} (CPU EP) | {pct(od['accuracy'])} |")
print()
print(f"fp32 on all 10000 test images: {pct(m['fp32_accuracy_test_10k'])}. Training: {m['epochs']} epochs, seed {m['seed']}, "
      f"{m['threads']} threads, {m['train_seconds']:.0f} s. Calibration: 512 train images.")
PYEOF
