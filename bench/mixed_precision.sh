#!/usr/bin/env bash
# Mixed precision against uniform 4-bit weights (issue 6), on the trained
# models, under several PTQ settings, and the solver's speed on ResNet-18:
#  - for each model and setting: uniform int4, mixed precision at <= 4.5
#    average weight bits and at uniform int4's size (4.0 bits; the per-channel
#    scales are the same), each with its top-1 accuracy, its top-1 agreement
#    with the float model and the mean KL of its logits from the float
#    model's (test set);
#  - the same at <= 4.5 bits with the data-free proxy, and at both budgets
#    with the Hessian-trace estimate, instead of measured sensitivity;
#  - the Pareto frontier of each trained model (default PTQ setting): per
#    average-bits budget, the allocation, its predicted KL (summed
#    sensitivity), its measured KL on the test set and its top-1; SVG plots
#    go to PLOT_DIR when it is set;
#  - ResNet-18 (random weights, python/make_resnet18.py; data-free proxy
#    sensitivity): the frontier over average-bits budgets and the solve time
#    with three budgets at once.
# Prints Markdown tables of what it measured.
#
#   bench/mixed_precision.sh [BUILD_DIR] [SHARED_MODELS] [FASHION_DIR] [RESNET_DIR]
set -euo pipefail
BUILD=${1:-build}
SHARED=${2:-../shared/models}
FASHION=${3:-build/models/fashion}
RESNET=${4:-build/models/resnet18}
QCC=$BUILD/bin/qcc
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT

# model calib test labels: one table.
compare() {
  local name=$1 model=$2 calib=$3 test=$4 labels=$5
  echo
  echo "### $name"
  echo
  echo "| PTQ setting | weights | avg bits | top-1 % | agreement with fp32 % | KL(fp32 \|\| q) nats |"
  echo "|---|---|---:|---:|---:|---:|"
  local i=0
  while IFS='|' read -r label flags; do
    i=$((i + 1))
    while IFS='|' read -r scheme mode; do
      # One sensitivity cache per setting and kind (measured or proxy).
      local cache="$TMP/$name-$i${mode//[^a-z]/}.json"
      cache=${cache/mixedprecisionavgbits/}
      # Sensitivity kinds: where the two budgets share one.
      cache=${cache/sensitivityhessian/hessian}
      # shellcheck disable=SC2086
      "$QCC" quantize "$model" --calib "$calib" $flags $mode \
        --sensitivity-cache "$cache" -o "$TMP/q.mlir" > "$TMP/log"
      local bits
      bits=$(sed -n 's/^average weight bits \([0-9.]*\) .*/\1/p' "$TMP/log")
      "$QCC" eval "$TMP/q.mlir" --input "$test" --labels "$labels" \
        --reference "$model" > "$TMP/eval"
      local acc agree kl
      acc=$(sed -n 's/^top-1 accuracy: \([0-9.]*\)%.*/\1/p' "$TMP/eval")
      agree=$(sed -n 's/^top-1 agreement with the reference: \([0-9.]*\)%.*/\1/p' "$TMP/eval")
      kl=$(sed -n 's/^mean KL(reference || model) of the logits: \([0-9.e-]*\) nats/\1/p' "$TMP/eval")
      echo "| $label | $scheme | ${bits:-4.000} | $acc | $agree | $kl |"
    done <<'MODES'
uniform int4|--weights int4
mixed, <= 4.5 bits|--mixed-precision --avg-bits 4.5
mixed, uniform int4's size|--mixed-precision --avg-bits 4
mixed (data-free proxy), <= 4.5 bits|--mixed-precision --avg-bits 4.5 --sensitivity proxy
mixed (Hessian trace), <= 4.5 bits|--mixed-precision --avg-bits 4.5 --sensitivity hessian
mixed (Hessian trace), uniform int4's size|--mixed-precision --avg-bits 4 --sensitivity hessian
MODES
  done
  echo
  echo "Pareto frontier of $name (absmax scales; per budget: average bits [formats], predicted KL, measured KL on the test set, top-1 %):"
  echo
  "$QCC" quantize "$model" --calib "$calib" --calibrated-output "$TMP/cal.mlir" \
    -o "$TMP/q.mlir" > /dev/null
  local plot=()
  [ -n "${PLOT_DIR:-}" ] && plot=(--plot "$PLOT_DIR/$name-mixed-precision-frontier.svg")
  "$QCC" allocate "$TMP/cal.mlir" --calib "$calib" --avg-bits 4.5 \
    --sweep 2.5,3,3.5,4,4.5,5,6,8 --input "$test" --labels "$labels" \
    "${plot[@]}" --sensitivity-cache "$TMP/$name-1.json" -o "$TMP/mp.mlir" |
    grep -E '^  [0-9]' | sed 's/^  /    /'
}

SETTINGS_ALL='absmax scales|
MSE scales|--weight-clipping mse
bias correction|--bias-correction
optimized rounding|--optimize-rounding
MSE scales + bias correction|--weight-clipping mse --bias-correction'

compare digits_cnn "$SHARED/digits_cnn.onnx" "$SHARED/digits_calib.npy" \
  "$SHARED/digits_test.npy" "$SHARED/digits_test_labels.npy" <<< "$SETTINGS_ALL"

if [ -f "$FASHION/fashion_cnn.onnx" ]; then
  # The first 2000 test images, as bench/ptq_fashion.sh.
  compare fashion_cnn "$FASHION/fashion_cnn.onnx" "$FASHION/fashion_calib.npy" \
    "$FASHION/fashion_test.npy" "$FASHION/fashion_test_labels.npy" <<'SETTINGS'
absmax scales|
MSE scales|--weight-clipping mse
bias correction|--bias-correction
SETTINGS
else
  echo "(no $FASHION/fashion_cnn.onnx: run bench/fashion_baselines.sh)"
fi

if [ -f "$RESNET/resnet18.onnx" ]; then
  echo
  echo "### ResNet-18 (random weights; data-free proxy sensitivity)"
  echo
  "$QCC" quantize "$RESNET/resnet18.onnx" --calib "$RESNET/resnet18_calib.npy" \
    --calibrated-output "$TMP/r18.mlir" -o "$TMP/r18q.mlir" > /dev/null
  "$QCC" allocate "$TMP/r18.mlir" --calib "$RESNET/resnet18_calib.npy" \
    --sensitivity proxy --avg-bits 4.5 --sweep 2.5,3,3.5,4,4.5,5,6,8 \
    --sensitivity-cache "$TMP/r18.json" -o "$TMP/r18mp.mlir" | grep -E '^  [0-9]|^ILP'
  "$QCC" allocate "$TMP/r18.mlir" --calib "$RESNET/resnet18_calib.npy" \
    --sensitivity proxy --avg-bits 4.5 --size-budget 14% --bops-budget 50% \
    --sensitivity-cache "$TMP/r18.json" -o "$TMP/r18mp.mlir" |
    grep -E '^average|^weight bytes|^BOPs|^ILP'
else
  echo "(no $RESNET/resnet18.onnx: run python/make_resnet18.py $RESNET 8)"
fi
