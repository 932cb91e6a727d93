# -*- Python -*-
# lit configuration of qcc's GoogleTest unit tests.

import os

import lit.formats

config.name = "qcc-unit"
config.test_format = lit.formats.GoogleTest(".", "Tests")
config.test_source_root = os.path.join(config.qcc_obj_root, "unittests")
config.test_exec_root = config.test_source_root

# Sanitizer builds: their runtime options reach the tests.
for name in ["ASAN_OPTIONS", "UBSAN_OPTIONS"]:
    if name in os.environ:
        config.environment[name] = os.environ[name]
