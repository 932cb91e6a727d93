# -*- Python -*-
# lit configuration of qcc's regression tests (FileCheck).

import os

import lit.formats
from lit.llvm import llvm_config
from lit.llvm.subst import ToolSubst

config.name = "qcc"
config.test_format = lit.formats.ShTest(not llvm_config.use_lit_shell)
config.suffixes = [".mlir", ".test"]
config.excludes = ["CMakeLists.txt", "lit.cfg.py", "lit.site.cfg.py", "Inputs", "lit-utils"]
config.test_source_root = os.path.dirname(__file__)
config.test_exec_root = os.path.join(config.qcc_obj_root, "test")

config.substitutions.append(("%qcc_src_root", config.qcc_src_root))
config.substitutions.append(("%qcc_obj_root", config.qcc_obj_root))
config.substitutions.append(("%mlir_include_dir", config.mlir_include_dir))

llvm_config.use_default_substitutions()
# Sanitizer builds: their runtime options reach the tools under test.
# QCC_CPU_TIER and QCC_NUM_THREADS reach the tests, so that the whole suite
# can run with the kernels forced to a lower ISA tier or more threads (make
# check-tiers): outputs must not change.
llvm_config.with_system_environment(
    ["ASAN_OPTIONS", "UBSAN_OPTIONS", "QCC_CPU_TIER", "QCC_NUM_THREADS"])
llvm_config.with_environment("PATH", config.llvm_tools_dir, append_path=True)

tool_dirs = [config.qcc_tools_dir, config.llvm_tools_dir]
tools = ["qopt", "qcc", "qcc-conformance", "qcc-fuzz-import", ToolSubst("mlir-tblgen", unresolved="fatal")]
llvm_config.add_tool_substitutions(tools, tool_dirs)

# The shared fixtures beside the project (../shared/models), when present.
shared_models = os.path.join(config.qcc_shared_dir, "models")
if os.path.isfile(os.path.join(shared_models, "digits_cnn.onnx")):
    config.available_features.add("shared-models")
    config.substitutions.append(("%shared_models", shared_models))

# ONNX Runtime (bench/node_modules/onnxruntime-node), when installed.
import shutil
import subprocess
# A C compiler for tests that use compiled models' C API (what qcc compile
# links with).
host_cc = shutil.which("clang-22") or shutil.which("clang") or shutil.which("cc")
if host_cc:
    config.substitutions.append(("%host_cc", host_cc))
ort = os.path.join(config.qcc_src_root, "bench", "node_modules", "onnxruntime-node")
node = shutil.which("node")
if node and os.path.isdir(ort):
    config.available_features.add("onnxruntime")
    config.substitutions.append(
        ("%ort_eval", node + " " + os.path.join(config.qcc_src_root, "bench", "ort_eval.mjs")))

# strace, where it may trace (tests that check which programs run).
strace = shutil.which("strace")
if strace and subprocess.call([strace, "-o", os.devnull, "true"],
                              stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL) == 0:
    config.available_features.add("strace")
