#!/usr/bin/python3
"""Expands character ids to the one-hot input of examples/char_lm.onnx.

    /usr/bin/python3 python/char_lm_onehot.py IDS.npy VOCAB_SIZE OUT.npy

IDS.npy: int64 [N, T] (char_lm_test_ids.npy, char_lm_calib_ids.npy);
OUT.npy: float32 [N, T, VOCAB_SIZE] with a 1 at each id.
"""

import sys

import numpy as np


def main():
    if len(sys.argv) != 4:
        sys.exit(__doc__)
    ids = np.load(sys.argv[1])
    vocab = int(sys.argv[2])
    if ids.ndim != 2 or ids.min() < 0 or ids.max() >= vocab:
        sys.exit(f"{sys.argv[1]}: expected int ids in [0, {vocab}) of shape [N, T], "
                 f"got shape {ids.shape}, range [{ids.min()}, {ids.max()}]")
    out = np.zeros(ids.shape + (vocab,), dtype=np.float32)
    np.put_along_axis(out, ids[..., None], 1.0, axis=-1)
    np.save(sys.argv[3], out)


if __name__ == "__main__":
    main()
