#!/usr/bin/env bash
# The README's first command ends here: qcc compiles the bundled example (a
# small CNN trained on scikit-learn's digits, examples/digits_cnn.onnx) to
# native integer-only code with calibration, and compares its accuracy and
# latency with the float model's.
set -euo pipefail
BUILD_DIR=${1:-build}
QCC=$BUILD_DIR/bin/qcc
OUT=$BUILD_DIR/demo
EX=examples
rm -rf "$OUT"
mkdir -p "$OUT"

echo "== $("$QCC" --version)"
echo
echo "== 1. The float model, compiled as it is (the baseline):"
echo "   qcc compile $EX/digits_cnn.onnx --float -o $OUT/float"
"$QCC" compile "$EX/digits_cnn.onnx" --float -o "$OUT/float" | sed 's/^/   /'
echo
echo "== 2. Calibrated int8, integer-only (dyadic rescales, int8 micro-kernels):"
echo "   qcc compile $EX/digits_cnn.onnx --calib $EX/digits_calib.npy -o $OUT/int8"
"$QCC" compile "$EX/digits_cnn.onnx" --calib "$EX/digits_calib.npy" -o "$OUT/int8" \
  > "$OUT/compile.log" 2>&1 || { cat "$OUT/compile.log"; exit 1; }
grep '^qcc compile:' "$OUT/compile.log" | grep -v quantizing | sed 's/^/   /'
echo
echo "== 3. Accuracy on the 540 test images and batch-1 latency (1 thread,"
echo "   $(grep -m1 'model name' /proc/cpuinfo | sed 's/.*: //'), kernel tier" \
  "$("$QCC" bench "$OUT/int8" --runs 1 --warmup 0 | sed -n 's/.*(kernel tier \(.*\))$/\1/p')):"
accuracy() {
  "$QCC" eval "$1" --input "$EX/digits_test.npy" --labels "$EX/digits_test_labels.npy" |
    sed -n 's/^top-1 accuracy: \(.*\)$/\1/p'
}
latency() { "$QCC" bench "$1" --runs 200 | sed -n 's/^batch 1: median \([0-9.]*\) ms.*/\1 ms/p'; }
printf '   %-22s %-22s %s\n' model top-1 latency
printf '   %-22s %-22s %s\n' "float (f32 code)" "$(accuracy "$OUT/float")" "$(latency "$OUT/float")"
printf '   %-22s %-22s %s\n' "int8 (integer-only)" "$(accuracy "$OUT/int8")" "$(latency "$OUT/int8")"
echo
echo "== 4. The compiled model: $OUT/int8/model.so with the C API of model.h"
"$QCC" info "$OUT/int8" | sed -n '1,3p' | sed 's/^/   /'
echo "   (qcc info $OUT/int8 prints its provenance: model and calibration hashes, options)"
echo
echo "== 5. Every rescale is a dyadic multiplier / 2^shift: qcc dyadic 0.02 0.04"
"$QCC" dyadic 0.02 0.04 | sed 's/^/   /'
