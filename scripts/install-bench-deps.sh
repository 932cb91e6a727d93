#!/usr/bin/env bash
# Installs what qcc's benchmarks need (not needed to build or test qcc) and checks it.
# Idempotent: does nothing when everything is present.
#   apt: python3-torch (PyTorch 1.13, CPU, with the onednn quantized engine),
#        python3-torchvision (ResNet-18 for bench/cpu_latency.sh), python3-sklearn (the
#        digits data of python/make_example_digits.py), python3-numpy,
#        python3-onnx, dataset-fashion-mnist (the idx files in /usr/share/datasets/fashion-mnist),
#        nodejs/npm only if node is missing.
#   npm: onnxruntime-node (version pinned in bench/package.json) into bench/node_modules.
# Use Debian's interpreter, /usr/bin/python3, for the Python scripts.
set -euo pipefail
source "$(dirname "$0")/apt-install-missing.sh"

ROOT=$(cd "$(dirname "$0")/.." && pwd)
PACKAGES=(python3-torch python3-torchvision python3-sklearn python3-numpy python3-onnx
          dataset-fashion-mnist libdnnl-dev)
command -v node >/dev/null || PACKAGES+=(nodejs)
command -v npm >/dev/null || PACKAGES+=(npm)

apt_install_missing qcc-bench "${PACKAGES[@]}"

# onnxruntime-node: the CPU binaries for linux/x64 ship inside the npm package. Its
# postinstall script only downloads optional extras (the CUDA execution provider, from
# api.nuget.org/GitHub), which fails without network access beyond the npm registry, so it
# is skipped. `npm ci` installs exactly what bench/package-lock.json records.
check_ort() { (cd "$ROOT/bench" && node -e "require('onnxruntime-node')" 2>/dev/null); }
want=$(sed -n 's/.*"onnxruntime-node": *"\([^"]*\)".*/\1/p' "$ROOT/bench/package.json")
have=$(cd "$ROOT/bench" && node -p "require('onnxruntime-node/package.json').version" 2>/dev/null || true)
if [ "$have" != "$want" ] || ! check_ort; then
  echo "qcc-bench: installing onnxruntime-node $want into bench/node_modules"
  (cd "$ROOT/bench" && ONNXRUNTIME_NODE_INSTALL=skip npm ci --no-audit --no-fund)
fi

fail() { echo "qcc-bench: error: $*" >&2; exit 1; }
PY=/usr/bin/python3
$PY -c 'import torch, numpy, onnx' 2>/dev/null || fail "$PY cannot import torch, numpy and onnx"
$PY -c 'import torch, sys; sys.exit(0 if "onednn" in torch.backends.quantized.supported_engines else 1)' \
  || echo "qcc-bench: warning: PyTorch has no onednn quantized engine; pytorch_int8_baseline.py falls back to fbgemm" >&2
[ -f /usr/share/datasets/fashion-mnist/t10k-images-idx3-ubyte.gz ] || fail "Fashion-MNIST not found (dataset-fashion-mnist)"
check_ort || fail "node cannot load onnxruntime-node from bench/"
versions=$($PY -c 'import torch, numpy, onnx; print(f"torch {torch.__version__}, numpy {numpy.__version__}, onnx {onnx.__version__}")')
ortv=$(cd "$ROOT/bench" && node -p "require('onnxruntime-node').env.versions.node")
echo "qcc-bench: dependencies OK ($versions, node $(node --version), onnxruntime-node $ortv)"
