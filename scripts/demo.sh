#!/usr/bin/env bash
# The README's first command ends here: qcc on the bundled examples.
set -euo pipefail
BUILD_DIR=${1:-build}
BIN=$BUILD_DIR/bin
OUT=$BUILD_DIR/demo
mkdir -p "$OUT"

echo "== $("$BIN/qcc" --version)"
echo
echo "== 1. Import an ONNX model: qcc import examples/tiny_cnn.onnx -o $OUT/tiny_cnn.mlir"
"$BIN/qcc" import examples/tiny_cnn.onnx -o "$OUT/tiny_cnn.mlir"
# The IR without the weight blobs printed after it.
sed -n '/^module/,/^}/p' "$OUT/tiny_cnn.mlir"
echo
echo "== 2. Run it with the reference interpreter on 4 images:"
echo "   qcc run examples/tiny_cnn.onnx --input examples/tiny_cnn_input.npy -o $OUT/logits.npy"
"$BIN/qcc" run examples/tiny_cnn.onnx --input examples/tiny_cnn_input.npy -o "$OUT/logits.npy"
echo "   wrote $OUT/logits.npy ($(stat -c %s "$OUT/logits.npy") bytes: 4 x 10 float32 logits)"
echo
echo "== 3. Integer-only requantization: qopt examples/requantize.mlir --qc-lower-requantize"
"$BIN/qopt" examples/requantize.mlir --qc-lower-requantize
echo
echo "== Each multiplier / 2^shift approximates s_acc[c] / s_out: qcc dyadic"
"$BIN/qcc" dyadic 0.02 0.04 0.06 0.08
echo
echo "== Low-bit formats (computed by the numerics library): qcc formats"
"$BIN/qcc" formats
