#!/usr/bin/env bash
# Build a realistic Rust corpus for ordlint's Rust rules: a throw-away crate that depends on
# popular concurrency crates, vendored with `cargo vendor` into a cache directory.
#
#   scripts/rust-corpus.sh            # prints the corpus path (vendor directory)
#   ORDLINT_CACHE=/tmp/c scripts/rust-corpus.sh
#
# The corpus is rebuilt only when missing (delete the directory to refresh it).
set -euo pipefail

cache="${ORDLINT_CACHE:-$HOME/.cache/ordlint}/rust-corpus"
vendor="$cache/vendor"

if [[ -d "$vendor" && -n "$(ls -A "$vendor" 2>/dev/null)" ]]; then
    echo "$vendor"
    exit 0
fi

mkdir -p "$cache/crate/src"
cat >"$cache/crate/Cargo.toml" <<'TOML'
[package]
name = "ordlint-rust-corpus"
version = "0.0.0"
edition = "2021"
publish = false

[dependencies]
tokio = { version = "1", features = ["full"] }
crossbeam = "0.8"
crossbeam-utils = "0.8"
crossbeam-epoch = "0.9"
crossbeam-deque = "0.8"
crossbeam-queue = "0.3"
crossbeam-channel = "0.5"
parking_lot = "0.12"
parking_lot_core = "0.9"
lock_api = "0.4"
once_cell = "1"
rayon = "1"
rayon-core = "1"
arc-swap = "1"
triomphe = "0.1"
dashmap = "6"
flume = "0.11"
spin = "0.9"
event-listener = "5"
concurrent-queue = "2"
async-channel = "2"
futures = "0.3"
bytes = "1"
sharded-slab = "0.1"
thread_local = "1"
seqlock = "0.2"
atomic-waker = "1"
portable-atomic = "1"
slab = "0.4"
TOML
echo 'fn main() {}' >"$cache/crate/src/main.rs"

(cd "$cache/crate" && cargo vendor --versioned-dirs --quiet "$vendor" >/dev/null)
echo "$vendor"
