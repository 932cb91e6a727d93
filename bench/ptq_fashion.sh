#!/usr/bin/env bash
# Post-training quantization of the Fashion-MNIST residual CNN trained by
# python/train_fashion_mnist.py (bench/fashion_baselines.sh builds it and the
# PyTorch/ONNX Runtime int8 baselines): qcc's top-1 accuracy on the first
# 2000 test images for int8 and W4A8 schemes, calibrated on the same 512
# images the baselines use. Prints a Markdown table of what it measured.
#
#   bench/ptq_fashion.sh [BUILD_DIR] [MODEL_DIR]
set -euo pipefail
BUILD=${1:-build}
DIR=${2:-build/models/fashion}
QCC=$BUILD/bin/qcc
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT

accuracy() { "$QCC" eval "$1" --input "$DIR/fashion_test.npy" --labels "$DIR/fashion_test_labels.npy" | sed -n 's/^top-1 accuracy: \([0-9.]*\)%.*/\1/p'; }

echo "| scheme | calibration | top-1 |"
echo "|---|---|---:|"
echo "| fp32 (qcc interpreter) | - | $(accuracy "$DIR/fashion_cnn.onnx") |"
while IFS='|' read -r label method flags; do
  # shellcheck disable=SC2086
  "$QCC" quantize "$DIR/fashion_cnn.onnx" --calib "$DIR/fashion_calib.npy" \
    --calib-method "$method" $flags -o "$TMP/q.mlir" > "$TMP/log"
  echo "| $label | $method | $(accuracy "$TMP/q.mlir") |"
done <<'SCHEMES'
int8 per-channel weights, int8 activations|minmax|--weights int8
int8 per-channel weights, int8 activations|percentile|--weights int8
int8 per-channel weights, int8 activations|mse|--weights int8
int8 per-channel weights, int8 activations|entropy|--weights int8
W4A8 per-channel|minmax|--weights int4
W4A8 per-channel, optimized rounding|minmax|--weights int4 --optimize-rounding
W4A8 per-channel, MSE scales + optimized rounding|minmax|--weights int4 --weight-clipping mse --optimize-rounding
W4A8 per-channel, MSE scales + optimized rounding|entropy|--weights int4 --weight-clipping mse --optimize-rounding
SCHEMES
grep '^calibration:' "$TMP/log" | sed 's/^/Last run: /'
