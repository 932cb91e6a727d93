#!/usr/bin/env bash
# Calibration throughput of `qcc quantize` (samples/s, as qcc measures it)
# with the reference interpreter and with compiled code (--calibrate-with;
# the build time of the compiled calibration model is printed separately),
# next to ONNX Runtime's MinMax calibration of the same model on the same
# samples (python/ort_style_quantize.py --calibrate-only: the model with
# every tensor its quantizer needs as an output, run by bench/ort_minmax.mjs,
# which times the runs and the min/max reductions). Everything runs on one
# thread. Models: the shared digits models, the Fashion-MNIST CNN (if built
# by bench/fashion_baselines.sh) and ResNet-18 with random weights
# (python/make_resnet18.py, needs python3-torch and python3-torchvision).
# The ORT column needs scripts/install-bench-deps.sh (onnxruntime-node).
#
#   bench/calib_throughput.sh [BUILD_DIR] [SHARED_MODELS_DIR] [FASHION_DIR]
set -euo pipefail
BUILD=${1:-build}
SHARED=${2:-../shared/models}
FASHION=${3:-build/models/fashion}
QCC=$BUILD/bin/qcc
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
HAVE_ORT=0
if command -v node >/dev/null && [ -d bench/node_modules/onnxruntime-node ]; then
  HAVE_ORT=1
fi

rate() { sed -n 's/.*[( ]\([0-9.]*\) samples\/s.*/\1/p' | head -1; }

measure() { # label model calib [extra flags]
  local label=$1 model=$2 calib=$3
  shift 3
  local interp compiled ort="-" ratio="-"
  interp=$(QCC_NUM_THREADS=1 "$QCC" quantize "$model" --calib "$calib" -o "$TMP/q.mlir" \
             --calibrate-with interpreter --sqnr-samples 8 "$@" | grep '^calibration')
  compiled=$(QCC_NUM_THREADS=1 "$QCC" quantize "$model" --calib "$calib" -o "$TMP/q.mlir" \
             --calibrate-with compiled --sqnr-samples 8 "$@" | grep '^calibration')
  if [ $HAVE_ORT = 1 ]; then
    ort=$(/usr/bin/python3 python/ort_style_quantize.py "$model" "$calib" "$TMP/ranges.json" \
            --calibrate-only --threads 1 --batch 16 | grep '^ort_minmax' | sed 's/.*(\(.*\))$/\1/')
    ratio=$(awk -v a="$(echo "$compiled" | rate)" -v b="$(echo "$ort" | rate)" \
              'BEGIN { printf "%.2f", a / b }')
  fi
  # "calibration (compiled code, built in B s): REST" -> "REST; library built in B s"
  compiled=$(echo "$compiled" | sed 's/^calibration (compiled code, built in \([0-9.]* s\)): \(.*\)$/\2; library built in \1/')
  echo "| $label | ${interp#calibration (interpreter): } | $compiled | $ort | $ratio |"
}

echo "Machine: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')" \
     "($(grep -o 'avx512_vnni\|avx2' /proc/cpuinfo | sort -u | tr '\n' ' ' | sed 's/ $//'))," \
     "$(nproc) cores; 1 thread everywhere."
echo
echo "| model | qcc, interpreter | qcc, compiled code | ONNX Runtime | compiled / ORT (samples/s) |"
echo "|---|---|---|---|---|"
measure digits_mlp "$SHARED/digits_mlp.onnx" "$SHARED/digits_calib.npy"
measure digits_cnn "$SHARED/digits_cnn.onnx" "$SHARED/digits_calib.npy"
if [ -f "$FASHION/fashion_cnn.onnx" ]; then
  measure fashion_cnn "$FASHION/fashion_cnn.onnx" "$FASHION/fashion_calib.npy"
fi
/usr/bin/python3 python/make_resnet18.py "$TMP/resnet18" 64 >/dev/null
measure "resnet18 (224x224, random weights)" "$TMP/resnet18/resnet18.onnx" "$TMP/resnet18/resnet18_calib.npy" --batch-size 4
