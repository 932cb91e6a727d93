# qcc developer entry points. The README's two commands:
#   make demo    install dependencies, build, and run qcc on a bundled example
#   make check   install dependencies, build, and run every test
# Both are idempotent and only rebuild what changed.

# SANITIZE=address,undefined builds into its own directory (build-sanitize)
# with clang's sanitizers; `make check SANITIZE=address,undefined` runs the
# whole suite (with the fuzz smoke run) under them.
SANITIZE ?=
ifneq ($(SANITIZE),)
BUILD_DIR ?= build-sanitize
BUILD_TYPE ?= RelWithDebInfo
CMAKE_SANITIZE := -DQCC_SANITIZE=$(SANITIZE)
# Leak reports would come from LLVM's and MLIR's process-lifetime objects.
# LLVM's headers poison BumpPtrAllocator slabs in our (instrumented) code
# while the uninstrumented libMLIR.so writes into them: user poisoning off.
export ASAN_OPTIONS ?= detect_leaks=0:allow_user_poisoning=0
export UBSAN_OPTIONS ?= print_stacktrace=1
endif
BUILD_DIR ?= build
BUILD_TYPE ?= Release
JOBS ?= $(shell nproc)
CMAKE_FLAGS ?=

.PHONY: all deps configure build demo check check-tiers docs clean conformance-report zoo

all: build

deps:
	@QCC_SANITIZE="$(SANITIZE)" scripts/install-deps.sh

$(BUILD_DIR)/build.ninja:
	cmake -G Ninja -S . -B $(BUILD_DIR) \
	  -DCMAKE_BUILD_TYPE=$(BUILD_TYPE) \
	  -DCMAKE_C_COMPILER=clang-22 -DCMAKE_CXX_COMPILER=clang++-22 \
	  -DMLIR_DIR=/usr/lib/llvm-22/lib/cmake/mlir \
	  $(CMAKE_SANITIZE) $(CMAKE_FLAGS)

configure: deps $(BUILD_DIR)/build.ninja

build: configure
	ninja -C $(BUILD_DIR) -j $(JOBS) qcc qopt

demo: build
	@scripts/demo.sh $(BUILD_DIR)

check: configure
	ninja -C $(BUILD_DIR) -j $(JOBS) check-qcc

# The whole suite again with the CPU kernels forced down to the AVX2 tier
# and to the generic one (what a CPU without AVX-512, or without AVX2, runs:
# QCC_CPU_TIER), then with 3 threads (QCC_NUM_THREADS): every output the
# tests check, hashes of integer outputs included, must stay the same.
# About 2 minutes each on 2 cores; CI (.ci/run) runs it after `make check`.
check-tiers: configure
	QCC_CPU_TIER=avx2 ninja -C $(BUILD_DIR) -j $(JOBS) check-qcc
	QCC_CPU_TIER=generic ninja -C $(BUILD_DIR) -j $(JOBS) check-qcc
	QCC_NUM_THREADS=3 ninja -C $(BUILD_DIR) -j $(JOBS) check-qcc

# Regenerate the checked-in dialect and pass references in docs/.
docs: configure
	ninja -C $(BUILD_DIR) qcc-docs
	cp $(BUILD_DIR)/docs/QCDialect.md docs/dialect/QCDialect.md
	cp $(BUILD_DIR)/docs/QCPasses.md docs/dialect/QCPasses.md
	cp $(BUILD_DIR)/docs/ConversionPasses.md docs/dialect/ConversionPasses.md
	cp $(BUILD_DIR)/docs/CPUPasses.md docs/dialect/CPUPasses.md
	cp $(BUILD_DIR)/docs/NVPTXPasses.md docs/dialect/NVPTXPasses.md
	cp $(BUILD_DIR)/docs/HLSPasses.md docs/dialect/HLSPasses.md

clean:
	rm -rf $(BUILD_DIR)

# Regenerate docs/onnx-conformance.md from the ONNX backend node tests.
conformance-report: configure
	ninja -C $(BUILD_DIR) qcc-conformance
	$(BUILD_DIR)/bin/qcc-conformance --compiled --report docs/onnx-conformance.md \
	  --support-report docs/onnx-support.md

# The model zoo of docs/model-zoo.md: torchvision architectures (random
# weights, seeded) exported to ONNX, then each through qcc (import, the
# interpreter and compiled f32 against PyTorch, the int8 compile, its
# exactness and SQNR). Prints the table the doc holds; fails if any step of
# any model fails. Not part of `make check` (about 15 minutes on 2 cores);
# CI (.ci/run) runs it after `make check`.
ZOO_DIR ?= $(BUILD_DIR)/zoo
zoo: build
	@QCC_ZOO=1 scripts/install-deps.sh
	/usr/bin/python3 python/make_zoo.py $(ZOO_DIR)/models
	/usr/bin/python3 python/check_zoo.py $(BUILD_DIR)/bin/qcc $(ZOO_DIR)/models $(ZOO_DIR)/work
