#!/usr/bin/env bash
# Installs (from Debian's apt) exactly what qcc needs to build and test, and
# checks the versions. Idempotent: does nothing when everything is present.
set -euo pipefail
source "$(dirname "$0")/apt-install-missing.sh"

PACKAGES=(
  # LLVM/MLIR 22: libraries, mlir-tblgen, lit, FileCheck, not.
  libmlir-22-dev mlir-22-tools llvm-22-dev llvm-22-tools
  # Compiler (clang builds this project ~30% faster than g++ here) and build tools.
  clang-22 cmake ninja-build
  # Unit tests.
  libgtest-dev
  # ONNX import: the protobuf schema and library; the ONNX backend node tests
  # the conformance runner checks against.
  libonnx-dev libprotobuf-dev protobuf-compiler libonnx-testdata
  # Mixed precision: the CBC MILP solver (C API), found with pkg-config.
  coinor-libcbc-dev pkg-config
  # Tests that check which programs qcc runs (skipped without it).
  strace
)

# Sanitizer builds (make check SANITIZE=...): clang's runtimes, and with them
# libFuzzer for qcc-fuzz-import.
if [ -n "${QCC_SANITIZE:-}" ]; then
  PACKAGES+=(libclang-rt-22-dev)
fi

# The model zoo (make zoo): torchvision's architectures, exported by PyTorch.
if [ -n "${QCC_ZOO:-}" ]; then
  PACKAGES+=(python3-torchvision python3-onnx python3-numpy)
fi

apt_install_missing qcc "${PACKAGES[@]}"

# Version checks: fail with a clear message rather than a confusing build error.
fail() { echo "qcc: error: $*" >&2; exit 1; }
LLVM_BIN=/usr/lib/llvm-22/bin
[ -f /usr/lib/llvm-22/lib/cmake/mlir/MLIRConfig.cmake ] || fail "MLIR 22 CMake package not found (libmlir-22-dev)"
for tool in mlir-tblgen mlir-opt FileCheck lit not; do
  [ -x "$LLVM_BIN/$tool" ] || fail "$LLVM_BIN/$tool not found (mlir-22-tools / llvm-22-tools)"
done
llvm_version=$("$LLVM_BIN/llvm-config" --version)
[ "${llvm_version%%.*}" = 22 ] || fail "expected LLVM 22, found $llvm_version"
cmake_version=$(cmake --version | head -1 | awk '{print $3}')
printf '%s\n%s\n' 3.20 "$cmake_version" | sort -V -C || fail "cmake >= 3.20 required, found $cmake_version"
[ -f /usr/include/gtest/gtest.h ] || fail "GoogleTest headers not found (libgtest-dev)"
command -v clang++-22 >/dev/null || fail "clang++-22 not found (clang-22)"
[ -f /usr/lib/x86_64-linux-gnu/cmake/ONNX/ONNXConfig.cmake ] || fail "ONNX CMake package not found (libonnx-dev)"
[ -d /usr/share/libonnx-testdata/data/node ] || fail "ONNX backend node tests not found (libonnx-testdata)"
# Optional: ONNX Runtime (npm onnxruntime-node, pinned in bench/package.json)
# for the test that runs qcc's exported QDQ models in ONNX Runtime. Its CPU
# binaries ship in the npm package; the postinstall download of extras is
# skipped. Without node/npm or the npm registry, that one test is skipped.
ROOT=$(cd "$(dirname "$0")/.." && pwd)
if command -v npm >/dev/null && command -v node >/dev/null; then
  if ! (cd "$ROOT/bench" && node -e "require('onnxruntime-node')" 2>/dev/null); then
    echo "qcc: installing onnxruntime-node into bench/node_modules (optional)"
    (cd "$ROOT/bench" && ONNXRUNTIME_NODE_INSTALL=skip npm ci --no-audit --no-fund --loglevel=error) ||
      echo "qcc: warning: could not install onnxruntime-node; the ONNX Runtime test will be skipped" >&2
  fi
else
  echo "qcc: warning: node/npm not found; the ONNX Runtime test will be skipped" >&2
fi

echo "qcc: dependencies OK (LLVM/MLIR $llvm_version, cmake $cmake_version, $(ninja --version | sed 's/^/ninja /'))"
