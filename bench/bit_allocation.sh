#!/usr/bin/env bash
# Solve time of the mixed-precision bit-allocation ILP (CBC) on random
# ResNet-18-sized instances. Usage: bench/bit_allocation.sh [BUILD_DIR]
set -euo pipefail
BUILD=${1:-build}
ninja -C "$BUILD" qcc-bench-bit-allocation > /dev/null
echo "CPU: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)" \
     "($(grep -o 'avx512_vnni' /proc/cpuinfo | head -1 || echo 'no avx512_vnni'))"
"$BUILD/bench/qcc-bench-bit-allocation"
