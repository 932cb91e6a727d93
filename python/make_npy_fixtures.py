#!/usr/bin/python3
"""Writes the NumPy fixtures of unittests/Support/NpyTest.cpp.

Run with Debian's interpreter (it has numpy):
    /usr/bin/python3 python/make_npy_fixtures.py
The outputs are committed under unittests/Support/Inputs/; rerun this only
to change them. Every array is tiny and deterministic, and NpyTest.cpp
spells out the values it expects.
"""

import os
import sys

import numpy as np

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), os.pardir,
                   "unittests", "Support", "Inputs")


def save(name, array, version=None):
    path = os.path.join(OUT, name)
    if version is None:
        np.save(path, array)
    else:
        with open(path, "wb") as f:
            np.lib.format.write_array(f, array, version=version)


def main():
    os.makedirs(OUT, exist_ok=True)
    # float32 (2, 3): 0.5 * i - 1
    save("f32_2x3.npy", (np.arange(6, dtype=np.float32) * 0.5 - 1).reshape(2, 3))
    # float16: zero, negative zero, smallest subnormal, smallest normal,
    # largest finite, 1/3 (rounded), -inf, nan
    save("f16_8.npy", np.array([0.0, -0.0, 2.0**-24, 2.0**-14, 65504.0,
                                1.0 / 3.0, -np.inf, np.nan], dtype=np.float16))
    # float64 scalar
    save("f64_scalar.npy", np.float64(-2.75))
    save("i8_4.npy", np.array([-128, -1, 0, 127], dtype=np.int8))
    save("u8_4.npy", np.array([0, 1, 128, 255], dtype=np.uint8))
    save("i64_3.npy", np.array([-(2**63), 0, 2**53 + 1], dtype=np.int64))
    save("u16_2x2.npy", np.array([[0, 1], [65534, 65535]], dtype=np.uint16))
    save("bool_5.npy", np.array([True, False, False, True, True]))
    # An empty array and a Fortran-order one (read transposed to C order).
    save("i32_0x3.npy", np.zeros((0, 3), dtype=np.int32))
    save("i32_fortran_2x3.npy",
         np.asfortranarray(np.arange(6, dtype=np.int32).reshape(2, 3)))
    # The same (2, 3) float32 array in format versions 2.0 and 3.0.
    a = (np.arange(6, dtype=np.float32) * 0.5 - 1).reshape(2, 3)
    save("f32_2x3_v2.npy", a, version=(2, 0))
    save("f32_2x3_v3.npy", a, version=(3, 0))
    # Big-endian data, which qcc rejects.
    save("f4_big_endian.npy", np.array([1.0, 2.0], dtype=">f4"))

    members = dict(x=np.arange(3, dtype=np.float32),
                   idx=np.array([[1, 2], [3, 4]], dtype=np.int64),
                   s=np.float16(1.5))
    np.savez(os.path.join(OUT, "savez.npz"), **members)
    np.savez_compressed(os.path.join(OUT, "savez_compressed.npz"), **members)
    return 0


if __name__ == "__main__":
    sys.exit(main())
