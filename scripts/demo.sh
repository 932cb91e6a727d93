#!/usr/bin/env bash
# The README's first command ends here: run qcc on the bundled example.
set -euo pipefail
BUILD_DIR=${1:-build}
BIN=$BUILD_DIR/bin
EXAMPLE=examples/requantize.mlir

echo "== $("$BIN/qcc" --version)"
echo
echo "== Low-bit formats (computed by the numerics library): qcc formats"
"$BIN/qcc" formats
echo
echo "== Input: $EXAMPLE"
grep -v '^//' "$EXAMPLE"
echo
echo "== qopt $EXAMPLE --qc-lower-requantize"
"$BIN/qopt" "$EXAMPLE" --qc-lower-requantize
echo
echo "== Each multiplier / 2^shift approximates s_acc[c] / s_out: qcc dyadic"
"$BIN/qcc" dyadic 0.02 0.04 0.06 0.08
