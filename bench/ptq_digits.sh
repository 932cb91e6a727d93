#!/usr/bin/env bash
# Post-training quantization of the shared digits models: top-1 accuracy on
# digits_test.npy (540 images) for every calibration method and several
# weight schemes, with int8 asymmetric per-tensor activations. Prints a
# Markdown table of what it measured; docs/ptq-results.md holds a copy.
#
#   bench/ptq_digits.sh [BUILD_DIR] [SHARED_MODELS_DIR]
set -euo pipefail
BUILD=${1:-build}
MODELS=${2:-../shared/models}
QCC=$BUILD/bin/qcc
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT

accuracy() { "$QCC" eval "$1" --input "$MODELS/digits_test.npy" --labels "$MODELS/digits_test_labels.npy" | sed -n 's/^top-1 accuracy: \([0-9.]*\)%.*/\1/p'; }

# label | qcc quantize flags
SCHEMES=(
  "int8 per-channel|--weights int8"
  "int4 per-channel|--weights int4"
  "int4 per-channel, MSE-clipped scales|--weights int4 --weight-clipping mse"
  "int4 per-channel, optimized rounding|--weights int4 --optimize-rounding"
  "int4 per-channel, MSE scales + optimized rounding|--weights int4 --weight-clipping mse --optimize-rounding"
  "int4 per-channel, bias correction|--weights int4 --bias-correction"
  "int4 per-group of 16|--weights int4 --weight-group-size 16"
  "fp8 e4m3 per-channel|--weights fp8e4m3"
  "fp6 e3m2 per-channel|--weights fp6e3m2"
  "fp4 e2m1 per-channel|--weights fp4e2m1"
)

echo "| model | fp32 | weights | minmax | percentile 99.99 | mse | entropy |"
echo "|---|---:|---|---:|---:|---:|---:|"
for model in cnn mlp; do
  fp32=$(accuracy "$MODELS/digits_$model.onnx")
  for scheme in "${SCHEMES[@]}"; do
    label=${scheme%%|*}
    flags=${scheme#*|}
    row="| digits_$model | $fp32 | $label |"
    for method in minmax percentile mse entropy; do
      # shellcheck disable=SC2086
      "$QCC" quantize "$MODELS/digits_$model.onnx" --calib "$MODELS/digits_calib.npy" \
        --calib-method "$method" $flags -o "$TMP/q.mlir" > "$TMP/log"
      row="$row $(accuracy "$TMP/q.mlir") |"
    done
    echo "$row"
  done
done
echo
echo "Activations: int8 asymmetric per tensor. Calibration: digits_calib.npy (256 images)."
