#!/bin/sh
# The HLS target's designs and their accuracy (docs/hls.md): the digits CNN
# at int8, int4 and FP4 weights and reuse factors 1 and 4 (resource and
# latency estimate from report.json, top-1 of the C simulation on the 540
# test images), and the Fashion-MNIST residual CNN when FASHION_DIR holds
# the artefacts of python/train_fashion_mnist.py (its C simulation checked
# bit for bit against the interpreter on 200 test images).
#
#   bench/hls_designs.sh [BUILD_DIR] [SHARED_MODELS_DIR]
#   FASHION_DIR=/tmp/fashion bench/hls_designs.sh
set -eu
BUILD=${1:-build}
MODELS=${2:-../shared/models}
QCC=$BUILD/bin/qcc
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT

echo "| weights | reuse factor | DSP | LUT | FF | BRAM18K | latency (cycles) | top-1 (C simulation) |"
echo "|---|---|---|---|---|---|---|---|"
for weights in int8 int4 fp4e2m1; do
  "$QCC" quantize "$MODELS/digits_cnn.onnx" --calib "$MODELS/digits_calib.npy" \
    --integer-only --weights "$weights" -o "$WORK/cnn_$weights.mlir" > /dev/null
  for reuse in 1 4; do
    out="$WORK/${weights}_$reuse"
    "$QCC" compile "$WORK/cnn_$weights.mlir" --target hls --reuse-factor "$reuse" -o "$out" > /dev/null
    accuracy=$("$QCC" eval "$out" --input "$MODELS/digits_test.npy" \
      --labels "$MODELS/digits_test_labels.npy" | sed -n 's/.*top-1 accuracy: \([0-9.]*%\).*/\1/p')
    /usr/bin/python3 - "$out/report.json" "$weights" "$reuse" "$accuracy" <<'PY'
import json, sys
t = json.load(open(sys.argv[1]))["total"]
print("| %s | %s | %d | %d | %d | %d | %d | %s |" % (sys.argv[2], sys.argv[3], t["dsp"], t["lut"], t["ff"], t["bram18k"], t["latency_cycles"], sys.argv[4]))
PY
  done
done

if [ -n "${FASHION_DIR:-}" ]; then
  /usr/bin/python3 -c "
import numpy as np, sys
np.save('$WORK/f200.npy', np.load('$FASHION_DIR/fashion_test.npy')[:200])
np.save('$WORK/f200_labels.npy', np.load('$FASHION_DIR/fashion_test_labels.npy')[:200])"
  "$QCC" compile "$FASHION_DIR/fashion_cnn.onnx" --calib "$FASHION_DIR/fashion_calib.npy" \
    --target hls -o "$WORK/fashion" | sed -n '/estimated/,/^total/p'
  "$QCC" run "$WORK/fashion" --input "$WORK/f200.npy" -o "$WORK/fashion.csim.npy"
  "$QCC" run "$WORK/fashion/model.mlir" --input "$WORK/f200.npy" -o "$WORK/fashion.interpreted.npy"
  echo "Fashion-MNIST C simulation against the interpreter (200 images):"
  "$QCC" compare "$WORK/fashion.csim.npy" "$WORK/fashion.interpreted.npy" --rtol 0 --atol 0
  "$QCC" eval "$WORK/fashion" --input "$WORK/f200.npy" --labels "$WORK/f200_labels.npy" | tail -1
fi
