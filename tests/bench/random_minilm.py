#!/usr/bin/env python3
"""Writes a model folder with MiniLM's files and architecture but random weights.

    python3 tests/bench/random_minilm.py MODEL_DIR OUT_DIR

For timing only, where the real weights (90.8 MB) cannot travel: a machine
reached by a limited copy (the GPU machine) gets MODEL_DIR's small files
(config, tokenizer, sentence-transformers' module configs) and makes the
weights here, with transformers' own initialisation (std 0.02). Kernel times
do not depend on the weights' values, so the guest, the native replay and
PyTorch time the same work as with the real model; correctness is checked
against the real model elsewhere (tests/tests/minilm.rs).
"""

import shutil
import sys
from pathlib import Path

import torch
from safetensors.torch import save_file
from transformers import BertConfig, BertModel


def main():
    src, out = Path(sys.argv[1]), Path(sys.argv[2])
    shutil.copytree(src, out, dirs_exist_ok=True, ignore=shutil.ignore_patterns("model.safetensors", "*.part*"))
    torch.manual_seed(0)
    model = BertModel(BertConfig.from_json_file(src / "config.json")).eval()
    tensors = {k: v.contiguous() for k, v in model.state_dict().items()}
    save_file(tensors, out / "model.safetensors", metadata={"format": "pt"})
    print(f"{out}: {len(tensors)} random tensors")


if __name__ == "__main__":
    main()
