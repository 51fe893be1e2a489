"""Writes blake3_reference.json: BLAKE3-256 hashes computed by the `blake3` package from PyPI (the reference
implementation's Rust/C code), for Tests/PipelineTests/Blake3Tests.swift.

    .bench/venv/bin/pip install blake3==1.0.11
    .bench/venv/bin/python Tests/Fixtures/hash/make_blake3_fixture.py

Input of length n: byte i is i % 251. The lengths straddle block (64 B) and chunk (1 KiB) edges, the eight-chunk
runs the Swift code hashes side by side, and tree depths up to 2^11 chunks.
"""
import json
import os

import blake3

LENGTHS = [0, 1, 63, 64, 65, 127, 128, 1023, 1024, 1025, 2048, 2049, 3072, 4096, 5121, 7168, 8191, 8192, 8193,
           9216, 16384, 16385, 31744, 65537, 102400, 1 << 20, (1 << 20) + 7, (1 << 21) + 1000]


def data(n):
    return bytes(i % 251 for i in range(n))


out = {"generator": "blake3 %s (PyPI)" % blake3.__version__, "pattern": "byte i = i % 251",
       "hashes": [{"length": n, "blake3": blake3.blake3(data(n)).hexdigest()} for n in LENGTHS]}
path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "blake3_reference.json")
with open(path, "w") as f:
    json.dump(out, f, indent=1)
    f.write("\n")
print("wrote", path)
