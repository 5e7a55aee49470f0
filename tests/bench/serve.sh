#!/usr/bin/env bash
# The services benchmark of BENCHMARKS.md: all-MiniLM-L6-v2 served by
# `wasi-webgpu-run serve examples/embed-server`, loaded by wrk at 1, 8 and 64
# clients (one sentence a request), against the same model run by the
# command-line example `examples/embed` in the same run: its batch throughput
# (64 sentences in one call) and its single forward pass (one sentence).
#
#   tests/bench/serve.sh RUNNER EMBED.wasm EMBED_SERVER.wasm MODEL_DIR [SECONDS]
#
# RUNNER is a wasi-webgpu-run binary (a release build: `cargo build --release
# -p wasi-webgpu-run`), the .wasm files release builds of examples/embed and
# examples/embed-server. Extra runner options (e.g. `--adapter NVIDIA`) go in
# RUNNER_OPTS, options for every `serve` (e.g. `-e EMBED_BATCH_WAIT_MS=0`) in
# SERVE_OPTS, wrk's thread count in WRK_THREADS (default 2). Prints a
# markdown table; wrk's own reports go to stderr.
set -euo pipefail

runner=$1 embed=$2 server=$3 model=$4 seconds=${5:-10}
read -r -a opts <<<"${RUNNER_OPTS:-}"
read -r -a serve_opts <<<"${SERVE_OPTS:-}"
wrk_threads=${WRK_THREADS:-2}
text="A man is eating food."
work=$(mktemp -d)
trap 'kill "${pid:-}" 2>/dev/null || true; rm -rf "$work"' EXIT

# The CLI example: the median of 10 runs after a first one that compiles.
for _ in $(seq 64); do echo "$text"; done >"$work/batch.txt"
# The guest reads --file itself: it gets the folder of batch.txt too.
cli() {
    "$runner" -q "${opts[@]}" --dir "$model::/model" --dir "$work::/work" "$embed" -- --model /model --runs 10 "$@" 2>&1 |
        sed -n 's/^\([0-9]*\) sentences on .* in \([0-9.]*\) ms, median.*/\1 \2/p'
}
read -r batch_n batch_ms < <(cli --file /work/batch.txt)
read -r _ single_ms < <(cli "$text")
batch_rate=$(awk -v n="$batch_n" -v ms="$batch_ms" 'BEGIN { printf "%.1f", n / ms * 1000 }')

cat >"$work/embed.lua" <<EOF
wrk.method = "POST"
wrk.body = '{"texts":["$text"]}'
wrk.headers["Content-Type"] = "application/json"
EOF

serve_rows() { # LABEL, then runner env options
    local label=$1
    shift
    local log="$work/serve.log"
    "$runner" serve -q "${opts[@]}" "${serve_opts[@]}" --no-request-log --addr 127.0.0.1:0 --dir "$model::/model" "$@" "$server" 2>"$log" &
    pid=$!
    local addr=""
    for _ in $(seq 600); do
        addr=$(sed -n 's/.*serving http:\/\/\([^ ]*\).*/\1/p' "$log")
        [ -n "$addr" ] && break
        sleep 0.1
    done
    [ -n "$addr" ] || { cat "$log" >&2; exit 1; }
    # The first request loads the model.
    curl -sf -d "{\"texts\":[\"$text\"]}" "http://$addr/embed" >/dev/null
    for clients in 1 8 64; do
        local threads=$((clients < wrk_threads ? clients : wrk_threads))
        local out
        out=$(wrk -t"$threads" -c"$clients" -d"${seconds}s" --timeout 30s --latency -s "$work/embed.lua" "http://$addr/embed")
        echo "$out" >&2
        local rps p50 p99 errors
        rps=$(echo "$out" | sed -n 's/^Requests\/sec: *\([0-9.]*\)/\1/p')
        p50=$(echo "$out" | awk '$1 == "50%" { print $2 }')
        p99=$(echo "$out" | awk '$1 == "99%" { print $2 }')
        errors=$(echo "$out" | awk '/Non-2xx|Socket errors/ { s = s $0 "; " } END { print (s == "" ? "0" : s) }')
        echo "| $label | $clients | $rps | $p50 | $p99 | $errors |"
        [ "$clients" = 64 ] && served64=$rps
        [ "$clients" = 1 ] && p99_1=$p99
    done
    kill -TERM "$pid"
    wait "$pid" || true
    pid=""
}

ms() { # wrk's 12.34ms / 1.20s / 900.00us -> ms
    awk -v t="$1" 'BEGIN { v = t + 0; if (t ~ /us$/) v /= 1000; else if (t ~ /ms$/) v += 0; else if (t ~ /s$/) v *= 1000; printf "%.2f", v }'
}

echo "| server | clients | embeddings/s | p50 | p99 | errors |"
echo "|---|---|---|---|---|---|"
serve_rows "batching"
batched64=$served64
batched_p99_1=$p99_1
serve_rows "batching, 2 instances" --instances 2
two64=$served64
serve_rows "batching, 4 instances" --instances 4
four64=$served64
serve_rows "no batching (EMBED_BATCHING=0)" -e EMBED_BATCHING=0
echo
echo "| metric | value | goal |"
echo "|---|---|---|"
echo "| CLI example, 64 sentences in one call | $batch_rate embeddings/s (median $batch_ms ms) | |"
echo "| CLI example, one sentence | $single_ms ms | |"
awk -v s="$batched64" -v b="$batch_rate" 'BEGIN { printf "| served embeddings/s at 64 clients / CLI batch throughput | %.3f | >= 0.8 |\n", s / b }'
awk -v s="$two64" -v b="$batch_rate" 'BEGIN { printf "| the same with 2 instances | %.3f | >= 0.8 |\n", s / b }'
awk -v s="$four64" -v b="$batch_rate" 'BEGIN { printf "| the same with 4 instances | %.3f | >= 0.8 |\n", s / b }'
awk -v p="$(ms "$batched_p99_1")" -v c="$single_ms" 'BEGIN { printf "| p99 at 1 client / CLI single forward pass | %.2fx (%.2f ms / %.2f ms) | <= 1.3x |\n", p / c, p, c }'
