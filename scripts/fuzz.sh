#!/usr/bin/env bash
# Mutation-fuzz the whole lint and fix loop with a long budget (#9).
#
# Runs the test of crates/ordlint_test/tests/fuzz.rs (harness: crates/ordlint_test/src/fuzz.rs)
# with many more inputs than the normal suite and a fresh seed, optimised. Every failing input
# is printed with the seed and index that replay it, and written under $ORDLINT_FUZZ_OUT.
#
#   scripts/fuzz.sh [ITERATIONS]              # default 100000 inputs, seed from the clock
#   ORDLINT_FUZZ_SEED=S ORDLINT_FUZZ_CASE=I scripts/fuzz.sh    # replay one failing input
#
# Environment: ORDLINT_FUZZ_SEED (u64), ORDLINT_FUZZ_ITERS (overrides ITERATIONS),
# ORDLINT_FUZZ_CASE, ORDLINT_FUZZ_TIMEOUT_MS (deadline per input, default 2000),
# ORDLINT_FUZZ_MAX_FAILURES (stop after that many, default 20), ORDLINT_FUZZ_OUT (default
# target/fuzz-failures), ORDLINT_FUZZ_PROFILE (cargo profile, default release; `dev` reuses
# the build of `cargo test`).
set -euo pipefail
cd "$(dirname "$0")/.."

export ORDLINT_FUZZ_SEED="${ORDLINT_FUZZ_SEED:-$(date +%s%N)}"
export ORDLINT_FUZZ_ITERS="${ORDLINT_FUZZ_ITERS:-${1:-100000}}"
export ORDLINT_FUZZ_TIMEOUT_MS="${ORDLINT_FUZZ_TIMEOUT_MS:-2000}"
export ORDLINT_FUZZ_OUT="${ORDLINT_FUZZ_OUT:-${CARGO_TARGET_DIR:-target}/fuzz-failures}"
profile="${ORDLINT_FUZZ_PROFILE:-release}"

if [ -n "${ORDLINT_FUZZ_CASE:-}" ]; then
    echo "fuzz: replaying input $ORDLINT_FUZZ_CASE of seed $ORDLINT_FUZZ_SEED" >&2
else
    echo "fuzz: seed $ORDLINT_FUZZ_SEED, $ORDLINT_FUZZ_ITERS inputs, failing inputs go to $ORDLINT_FUZZ_OUT" >&2
fi
exec cargo test --profile "$profile" -p ordlint_test --test fuzz -- --nocapture
