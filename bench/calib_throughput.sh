#!/usr/bin/env bash
# Calibration throughput of `qcc quantize` (samples/s, as qcc measures it)
# with the reference interpreter and with compiled code (--calibrate-with;
# the build time of the compiled calibration model is printed separately)
# on the shared digits models, the Fashion-MNIST CNN (if built by
# bench/fashion_baselines.sh) and ResNet-18 with random weights
# (python/make_resnet18.py, needs python3-torch and python3-torchvision).
#
#   bench/calib_throughput.sh [BUILD_DIR] [SHARED_MODELS_DIR] [FASHION_DIR]
set -euo pipefail
BUILD=${1:-build}
SHARED=${2:-../shared/models}
FASHION=${3:-build/models/fashion}
QCC=$BUILD/bin/qcc
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT

measure() { # label model calib [extra flags]
  local label=$1 model=$2 calib=$3
  shift 3
  local engine line
  for engine in interpreter compiled; do
    line=$("$QCC" quantize "$model" --calib "$calib" -o "$TMP/q.mlir" \
             --calibrate-with $engine --sqnr-samples 8 "$@" | grep '^calibration')
    echo "| $label | ${line#calibration } |"
  done
}

echo "| model | calibration (engine): samples, time, throughput (1 thread) |"
echo "|---|---|"
measure digits_mlp "$SHARED/digits_mlp.onnx" "$SHARED/digits_calib.npy"
measure digits_cnn "$SHARED/digits_cnn.onnx" "$SHARED/digits_calib.npy"
if [ -f "$FASHION/fashion_cnn.onnx" ]; then
  measure fashion_cnn "$FASHION/fashion_cnn.onnx" "$FASHION/fashion_calib.npy"
fi
/usr/bin/python3 python/make_resnet18.py "$TMP/resnet18" 16
measure "resnet18 (224x224, random weights)" "$TMP/resnet18/resnet18.onnx" "$TMP/resnet18/resnet18_calib.npy" --batch-size 4
