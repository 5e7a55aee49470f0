#!/usr/bin/env python3
"""Writes digits.bin, the 8x8 handwritten digits that ship inside scikit-learn
(sklearn.datasets.load_digits: 1797 samples from the UCI optical recognition
of handwritten digits data set), in the form the mlp-digits guest reads.

Run once, from anywhere: `pip install scikit-learn && python3 convert.py`.
The output is committed, so building and running the example needs no Python.

Format (little-endian):
    magic     4 bytes  b"DGT1"
    samples   u32      number of samples (1797)
    features  u32      pixels per sample (64, row-major 8x8)
    classes   u32      number of labels (10)
    then, per sample: `features` u8 pixel values in 0..=16, then one u8 label.
The samples keep scikit-learn's order; the guest makes its own train/test split.
"""

import pathlib
import struct

import numpy as np
from sklearn.datasets import load_digits


def main() -> None:
    digits = load_digits()
    pixels = digits.data.astype(np.int64)
    labels = digits.target.astype(np.int64)
    samples, features = pixels.shape
    assert features == 64 and pixels.min() >= 0 and pixels.max() <= 16
    assert labels.min() == 0 and labels.max() == 9 and len(labels) == samples

    rows = np.concatenate([pixels, labels[:, None]], axis=1).astype(np.uint8)
    out = pathlib.Path(__file__).with_name("digits.bin")
    out.write_bytes(struct.pack("<4sIII", b"DGT1", samples, features, 10) + rows.tobytes())
    print(f"wrote {out}: {samples} samples of {features} pixels, {out.stat().st_size} bytes")


if __name__ == "__main__":
    main()
