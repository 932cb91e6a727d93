#!/usr/bin/env bash
# Calibration throughput of `qcc quantize` (samples/s, as qcc measures it)
# on the shared digits models, the Fashion-MNIST CNN (if built by
# bench/fashion_baselines.sh) and a ResNet-18-sized model with random
# weights (python/make_resnet18.py, needs python3-torch).
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
  local line
  line=$("$QCC" quantize "$model" --calib "$calib" -o "$TMP/q.mlir" "$@" | grep '^calibration:')
  echo "| $label | ${line#calibration: } |"
}

echo "| model | calibration (qcc reference interpreter, 1 thread) |"
echo "|---|---|"
measure digits_mlp "$SHARED/digits_mlp.onnx" "$SHARED/digits_calib.npy"
measure digits_cnn "$SHARED/digits_cnn.onnx" "$SHARED/digits_calib.npy"
if [ -f "$FASHION/fashion_cnn.onnx" ]; then
  measure fashion_cnn "$FASHION/fashion_cnn.onnx" "$FASHION/fashion_calib.npy"
fi
/usr/bin/python3 python/make_resnet18.py "$TMP/resnet18" 4
measure "resnet18 (224x224, random weights)" "$TMP/resnet18/resnet18.onnx" "$TMP/resnet18/resnet18_calib.npy" --batch-size 2
