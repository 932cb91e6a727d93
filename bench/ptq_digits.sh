#!/usr/bin/env bash
# Post-training quantization of the shared digits models: top-1 accuracy on
# digits_test.npy for every calibration method, int8 and int4 weights (per
# channel; absmax or MSE-clipped scales), int8 activations. Prints a Markdown
# table of what it measured; docs/ptq-results.md holds a copy.
#
#   bench/ptq_digits.sh [BUILD_DIR] [SHARED_MODELS_DIR]
set -euo pipefail
BUILD=${1:-build}
MODELS=${2:-../shared/models}
QCC=$BUILD/bin/qcc
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT

accuracy() { "$QCC" eval "$1" --input "$MODELS/digits_test.npy" --labels "$MODELS/digits_test_labels.npy" | sed -n 's/^top-1 accuracy: \([0-9.]*\)%.*/\1/p'; }

echo "| model | fp32 | weights | weight scales | minmax | percentile 99.99 | mse | entropy |"
echo "|---|---:|---|---|---:|---:|---:|---:|"
for model in cnn mlp; do
  fp32=$(accuracy "$MODELS/digits_$model.onnx")
  for weights in int8 int4; do
    for clipping in absmax mse; do
      row="| digits_$model | $fp32 | $weights per-channel | $clipping |"
      for method in minmax percentile mse entropy; do
        "$QCC" quantize "$MODELS/digits_$model.onnx" --calib "$MODELS/digits_calib.npy" \
          --calib-method "$method" --weights "$weights" --weight-clipping "$clipping" \
          -o "$TMP/q.mlir" > "$TMP/log"
        row="$row $(accuracy "$TMP/q.mlir") |"
      done
      echo "$row"
    done
  done
done
echo
echo "Activations int8 asymmetric per tensor; calibration on digits_calib.npy (256 images)."
grep '^calibration:' "$TMP/log" | sed 's/^/Last run: /'
