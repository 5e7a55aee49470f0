#!/usr/bin/env python3
"""The PyTorch anchor of the `minilm` bench workload: all-MiniLM-L6-v2 through
sentence-transformers on PyTorch eager, the way its users run it.

Times the whole sentence-transformers forward (BERT, mean pooling, L2
normalisation) on token ids already on the device, for batches of `--batch`
sequences of `--seq` tokens (every token real, as in the guest's run), in fp32
with TF32 off and in fp16. Prints one JSON object per line:

    {"precision": "fp32", "batch": 1, "seq": 128, "median_ms": 3.1, "embeddings_per_s": 322.0, ...}

    python3 tests/bench/torch_minilm.py MODEL_DIR [--device cuda] [--batch 1,32,256] [--seq 128]

The harness (`wasi-webgpu-bench --only minilm`) runs it in the same run as the
guest and native sides, so the ratios compare one machine at one time.
"""

import argparse
import json
import statistics
import time

import torch
from sentence_transformers import SentenceTransformer


def timed(model, features, device, min_seconds):
    """Median seconds per forward over enough repetitions to last `min_seconds`."""

    def once():
        with torch.inference_mode():
            out = model(features)["sentence_embedding"]
        if device == "cuda":
            torch.cuda.synchronize()
        return out

    for _ in range(3):
        once()
    samples = []
    start = time.perf_counter()
    while len(samples) < 5 or time.perf_counter() - start < min_seconds:
        t = time.perf_counter()
        once()
        samples.append(time.perf_counter() - t)
    return statistics.median(samples), len(samples)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("model_dir")
    p.add_argument("--device", default="cuda" if torch.cuda.is_available() else "cpu")
    p.add_argument("--batch", default="1,32,256")
    p.add_argument("--seq", type=int, default=128)
    p.add_argument("--precision", default="fp32,fp16")
    p.add_argument("--min-seconds", type=float, default=1.0)
    args = p.parse_args()

    torch.backends.cuda.matmul.allow_tf32 = False
    torch.backends.cudnn.allow_tf32 = False
    gen = torch.Generator().manual_seed(7)
    name = torch.cuda.get_device_name(0) if args.device == "cuda" else "cpu"
    for precision in args.precision.split(","):
        if precision == "fp16" and args.device != "cuda":
            continue
        model = SentenceTransformer(args.model_dir, device=args.device).eval()
        if precision == "fp16":
            model = model.half()
        for batch in [int(b) for b in args.batch.split(",")]:
            vocab = model[0].auto_model.config.vocab_size
            ids = torch.randint(1000, min(30000, vocab), (batch, args.seq), generator=gen)
            ids[:, 0], ids[:, -1] = 101, 102
            features = {
                "input_ids": ids.to(args.device),
                "attention_mask": torch.ones_like(ids).to(args.device),
                "token_type_ids": torch.zeros_like(ids).to(args.device),
            }
            median, n = timed(model, features, args.device, args.min_seconds)
            print(
                json.dumps(
                    {
                        "impl": "pytorch",
                        "device": name,
                        "torch": torch.__version__,
                        "precision": precision,
                        "batch": batch,
                        "seq": args.seq,
                        "median_ms": median * 1e3,
                        "embeddings_per_s": batch / median,
                        "samples": n,
                    }
                ),
                flush=True,
            )


if __name__ == "__main__":
    main()
