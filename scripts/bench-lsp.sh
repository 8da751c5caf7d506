#!/usr/bin/env bash
# LSP latency benchmark: didChange -> publishDiagnostics, end to end through a real
# `ordlint lsp` process, for a one-line change in a generated 5,000-line C file.
# Target: under 50 ms. Usage: scripts/bench-lsp.sh [ROUNDS]
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release -q -p ordlint
cargo run --release -q -p ordlint_lsp --example bench_lsp -- target/release/ordlint "${1:-50}"
