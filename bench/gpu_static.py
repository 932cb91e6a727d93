#!/usr/bin/python3
"""Static figures of a model compiled with qcc compile --target nvptx.

    bench/gpu_static.py DIR [--arch sm_90]

Reads DIR/model.<arch>.ptxas.txt (ptxas -v, written by qcc compile when
ptxas is present) and DIR/provenance.json (the threads per block), and
prints per kernel: registers per thread, spill stores/loads, stack, shared
memory, and the theoretical occupancy on that architecture (resident warps
per SM over the maximum, limited by registers, threads, blocks and shared
memory), then the totals. Machines without a GPU get these figures; the
latency benchmarks need one.
"""

import json
import math
import re
import sys

# Per-SM limits (CUDA occupancy calculator; the same for sm_80 and sm_90
# except shared memory; sm_75: Turing, the dp4a kernels' oldest target).
LIMITS = {
    "sm_75": dict(regs=65536, warps=32, blocks=16, smem=65536),
    "sm_80": dict(regs=65536, warps=64, blocks=32, smem=167936),
    "sm_86": dict(regs=65536, warps=48, blocks=16, smem=102400),
    "sm_89": dict(regs=65536, warps=48, blocks=24, smem=102400),
    "sm_90": dict(regs=65536, warps=64, blocks=32, smem=233472),
}


def occupancy(arch, regs, smem, threads):
    lim = LIMITS[arch]
    warps_per_block = math.ceil(threads / 32)
    regs_per_warp = math.ceil(max(regs, 1) * 32 / 256) * 256
    by_regs = (lim["regs"] // regs_per_warp) // warps_per_block
    by_warps = lim["warps"] // warps_per_block
    by_smem = lim["smem"] // smem if smem else lim["blocks"]
    blocks = min(by_regs, by_warps, lim["blocks"], by_smem)
    # The first limit reached, threads first on ties (the block size's).
    limiter = next(name for value, name in (
        (by_warps, "threads"), (by_regs, "registers"),
        (lim["blocks"], "blocks"), (by_smem, "shared memory"))
        if value == blocks)
    return blocks * warps_per_block / lim["warps"], limiter


def main(argv):
    if len(argv) < 2:
        print(__doc__.strip(), file=sys.stderr)
        return 2
    directory = argv[1]
    arch = argv[argv.index("--arch") + 1] if "--arch" in argv else "sm_90"
    if arch not in LIMITS:
        print(f"unknown --arch {arch} (known: {', '.join(LIMITS)})",
              file=sys.stderr)
        return 2
    try:
        report = open(f"{directory}/model.{arch}.ptxas.txt").read()
    except OSError as e:
        print(f"{e}: compile with --gpu {arch} where ptxas is present",
              file=sys.stderr)
        return 1
    threads = 256
    try:
        gpu = json.load(open(f"{directory}/provenance.json")).get("gpu", {})
        threads = int(gpu.get("block_size", threads))
    except (OSError, ValueError):
        pass
    kernels = []
    current = None
    for line in report.splitlines():
        m = re.search(r"Compiling entry function '([^']+)'", line)
        if m:
            current = dict(name=m.group(1), regs=0, smem=0, stack=0,
                           spill_stores=0, spill_loads=0)
            kernels.append(current)
            continue
        if current is None:
            continue
        m = re.search(r"(\d+) bytes stack frame, (\d+) bytes spill stores, "
                      r"(\d+) bytes spill loads", line)
        if m:
            current["stack"], current["spill_stores"], current[
                "spill_loads"] = map(int, m.groups())
        m = re.search(r"Used (\d+) registers", line)
        if m:
            current["regs"] = int(m.group(1))
        m = re.search(r"(\d+) bytes smem", line)
        if m:
            current["smem"] = int(m.group(1))
    if not kernels:
        print(f"no kernels in {directory}/model.{arch}.ptxas.txt",
              file=sys.stderr)
        return 1
    print(f"{directory}: {len(kernels)} kernels for {arch}, {threads} "
          f"threads per block (smaller loops: fewer, in whole warps)")
    print(f"{'kernel':40} {'regs':>5} {'spill st/ld':>12} {'stack':>6} "
          f"{'smem':>6} {'occupancy':>10}  limited by")
    worst = 1.0
    for k in kernels:
        occ, limiter = occupancy(arch, k["regs"], k["smem"], threads)
        worst = min(worst, occ)
        print(f"{k['name'][:40]:40} {k['regs']:5d} "
              f"{k['spill_stores']:5d}/{k['spill_loads']:<6d} "
              f"{k['stack']:6d} {k['smem']:6d} {occ:9.0%}  {limiter}")
    spills = sum(k["spill_stores"] + k["spill_loads"] for k in kernels)
    print(f"registers: max {max(k['regs'] for k in kernels)}, "
          f"median {sorted(k['regs'] for k in kernels)[len(kernels) // 2]}; "
          f"spill bytes: {spills}; lowest occupancy: {worst:.0%}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
