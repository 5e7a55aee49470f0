#!/usr/bin/env python3
"""The PyTorch anchors of the `opsreduce` and `opsmatmul` bench workloads.

    python3 tests/bench/torch_ops.py reduce --mib 64,256,1024 [--device cuda]
    python3 tests/bench/torch_ops.py matmul --sizes 1024,2048,4096 [--device cuda]

`reduce` times `torch.sum`, `torch.amax` and `torch.cumsum` of MiB of
float32, and `dst.copy_(src)` of the same size; `matmul` times `a @ b` of
n x n float32 with TF32 off (cuBLAS SGEMM) and of float16 (cuBLAS HGEMM).
Each sample is one call plus `torch.cuda.synchronize()`, what the guest
times (one submit plus the wait). Prints one JSON object per line:

    {"op": "sum", "size": 64, "median_ms": 0.03, "samples": 3000, "device": "...", "torch": "2.11"}

The harness runs it in the same run as the guest and native sides.
"""

import argparse
import json
import statistics
import time

import torch


def timed(fn, device, min_seconds):
    """Median seconds per call, synchronised, over enough calls to last `min_seconds`."""

    def once():
        fn()
        if device == "cuda":
            torch.cuda.synchronize()

    for _ in range(3):
        once()
    samples = []
    start = time.perf_counter()
    while len(samples) < 5 or time.perf_counter() - start < min_seconds:
        t = time.perf_counter()
        once()
        samples.append(time.perf_counter() - t)
    return statistics.median(samples), len(samples)


def emit(op, size, seconds, samples, device):
    name = torch.cuda.get_device_name() if device == "cuda" else "cpu"
    print(json.dumps({
        "op": op, "size": size, "median_ms": seconds * 1e3, "samples": samples,
        "device": name, "torch": torch.__version__,
    }), flush=True)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("what", choices=["reduce", "matmul"])
    p.add_argument("--device", default="cuda" if torch.cuda.is_available() else "cpu")
    p.add_argument("--mib", default="64,256,1024")
    p.add_argument("--sizes", default="1024,2048,4096")
    p.add_argument("--min-seconds", type=float, default=1.0)
    args = p.parse_args()
    dev = args.device
    torch.backends.cuda.matmul.allow_tf32 = False

    if args.what == "reduce":
        for mib in [int(m) for m in args.mib.split(",")]:
            n = (mib << 20) // 4
            x = torch.randint(0, 2, (n,), device=dev, dtype=torch.float32) * 2 - 1
            y = torch.empty_like(x)
            for op, fn in [
                ("sum", lambda: torch.sum(x)),
                ("max", lambda: torch.amax(x)),
                ("scan", lambda: torch.cumsum(x, 0, out=y)),
                ("copy", lambda: y.copy_(x)),
            ]:
                seconds, samples = timed(fn, dev, args.min_seconds)
                emit(op, mib, seconds, samples, dev)
            del x, y
            if dev == "cuda":
                torch.cuda.empty_cache()
    else:
        for n in [int(s) for s in args.sizes.split(",")]:
            for op, dtype in [("sgemm", torch.float32), ("hgemm", torch.float16)]:
                if dev == "cpu" and dtype == torch.float16:
                    continue
                a = torch.randn(n, n, device=dev, dtype=dtype)
                b = torch.randn(n, n, device=dev, dtype=dtype)
                c = torch.empty(n, n, device=dev, dtype=dtype)
                seconds, samples = timed(lambda: torch.matmul(a, b, out=c), dev, args.min_seconds)
                emit(op, n, seconds, samples, dev)


if __name__ == "__main__":
    main()
