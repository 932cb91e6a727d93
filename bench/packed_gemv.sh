#!/usr/bin/env bash
# Throughput of the packed low-bit weight kernels (bench/packed_gemv.c):
# GEMV (batch 1) and batch 4 over weight matrices of 4096x4096, 11008x4096
# and 8192x8192, with 1 and 2 threads, REPEAT times (the machine is shared:
# the medians of the repeats are reported). Prints a Markdown table of the
# weight-only (float activation) and the int8-activation kernels, with the
# int4 / int8 speedup.
#
#   bench/packed_gemv.sh [REPEAT]      # default 3
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
REPEAT=${1:-3}
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
clang-22 -O3 -march=native -Iinclude bench/packed_gemv.c \
  lib/Target/CPU/Ukernel/*.c -lpthread -o "$WORK/packed_gemv"
for r in $(seq "$REPEAT"); do
  for t in 1 2; do
    "$WORK/packed_gemv" $t >>"$WORK/results.jsonl"
  done
done
/usr/bin/python3 - "$WORK/results.jsonl" <<'PY'
import json, statistics, sys, collections
runs = collections.defaultdict(list)
for line in open(sys.argv[1]):
    r = json.loads(line)
    runs[(r["kernel"], r["weights"], r["M"], r["N"], r["K"], r["threads"])].append(r)
def median(key, field):
    return statistics.median(r[field] for r in runs[key])
shapes = sorted({k[2:5] for k in runs}, key=lambda s: (s[0], s[1] * s[2]))
print(f"Medians of {len(next(iter(runs.values())))} runs. GB/s: weight bytes "
      "(scales included) per second; GMAC/s: multiply-adds per second.\n")
for kernel in ["s8 x packed", "f32 x packed"]:
    names = [k[1] for k in runs if k[0] == kernel]
    names = list(dict.fromkeys(names))
    print(f"### {kernel} weights ({'int8' if kernel[0] == 's' else 'f32'} activations)\n")
    print("| M | N x K | threads | " + " | ".join(names) + " | int4 / int8 |")
    print("|---" * (len(names) + 4) + "|")
    base = "int8" if kernel[0] == "s" else "int8 per channel"
    four = "int4" if kernel[0] == "s" else "int4 g128"
    for (M, N, K) in shapes:
        for t in (1, 2):
            cells = []
            for n in names:
                us = median((kernel, n, M, N, K, t), "us")
                cells.append(f"{us:.0f} us, {median((kernel, n, M, N, K, t), 'GMACps'):.1f} GMAC/s")
            ratio = median((kernel, base, M, N, K, t), "us") / median((kernel, four, M, N, K, t), "us")
            print(f"| {M} | {N}x{K} | {t} | " + " | ".join(cells) + f" | {ratio:.2f}x |")
    print()
PY
