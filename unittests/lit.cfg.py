# -*- Python -*-
# lit configuration of qcc's GoogleTest unit tests.

import os

import lit.formats

config.name = "qcc-unit"
config.test_format = lit.formats.GoogleTest(".", "Tests")
config.test_source_root = os.path.join(config.qcc_obj_root, "unittests")
config.test_exec_root = config.test_source_root
