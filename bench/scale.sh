#!/usr/bin/env bash
# Scale: import, quantize --integer-only (calibrate, quantize, lower, check)
# and compile time of chain models of 2,500 to 20,000 nodes
# (python/make_chain_model.py). Linear passes give time proportional to the
# node count. Usage: bench/scale.sh [BUILD_DIR] [SIZES...]
set -euo pipefail
BUILD=${1:-build}
shift || true
SIZES=${*:-2500 5000 10000 20000}
QCC="$BUILD/bin/qcc"
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
echo "CPU: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)" \
     "($(grep -o 'avx512_vnni' /proc/cpuinfo | head -1 || echo 'no avx512_vnni'))"
secs() { /usr/bin/time -f %e "$@" 2>&1 >/dev/null | tail -1; }
echo "| nodes | import (s) | quantize --integer-only (s) | per 1000 nodes (s) | peak RSS (MB) |"
echo "|---|---|---|---|---|"
for n in $SIZES; do
  /usr/bin/python3 python/make_chain_model.py "$n" "$WORK/chain.onnx" "$WORK/calib.npy"
  t_import=$(secs "$QCC" import "$WORK/chain.onnx" -o "$WORK/chain.mlir")
  /usr/bin/time -f '%e %M' "$QCC" quantize "$WORK/chain.onnx" --calib "$WORK/calib.npy" \
    --integer-only -o "$WORK/q.mlir" > /dev/null 2> "$WORK/err"
  read -r t_quant rss <<< "$(tail -1 "$WORK/err")"
  printf "| %d | %s | %s | %.3f | %d |\n" "$n" "$t_import" "$t_quant" \
    "$(echo "$t_quant * 1000 / $n" | bc -l)" "$((rss / 1024))"
done
