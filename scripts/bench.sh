#!/usr/bin/env bash
# bench.sh -- whole-tree benchmark on linux-source-6.12 (a script, not a timed test).
#
# Prints, for ordlint with all default rules and for the file-scan floor (ripgrep counting
# the rules' trigger tokens over the same files): wall time, CPU time, peak RSS, files
# scanned/parsed and findings, and the ordlint/floor ratio.
#   KERNEL_TREE  use this tree instead of fetching one with ../shared/scripts/kernel-tree.sh
#   JOBS         worker threads (default: all cores)
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
tree=${KERNEL_TREE:-$("$here/../shared/scripts/kernel-tree.sh")}
cargo build --release --quiet --manifest-path "$here/Cargo.toml"
bin="$here/target/release/ordlint"
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT

measure() { # name, command...
  local name=$1; shift
  /usr/bin/time -v "$@" >"$out/$name.out" 2>"$out/$name.err" || true
  local wall user sys rss
  wall=$(grep 'Elapsed (wall clock)' "$out/$name.err" | awk '{print $NF}')
  user=$(grep 'User time' "$out/$name.err" | awk '{print $NF}')
  sys=$(grep 'System time' "$out/$name.err" | awk '{print $NF}')
  rss=$(grep 'Maximum resident' "$out/$name.err" | awk '{print $NF}')
  printf '%-10s wall %8s  cpu %7.1fs  peak RSS %6d MiB\n' "$name" "$wall" "$(echo "$user + $sys" | bc)" "$((rss / 1024))"
}

echo "tree: $tree"
measure ordlint "$bin" check --exit-zero --statistics --format json ${JOBS:+--jobs $JOBS} "$tree"
grep '^ordlint:' "$out/ordlint.err" || true
echo "findings: $(python3 -c 'import json,sys; print(len(json.load(open(sys.argv[1]))))' "$out/ordlint.out")"
if command -v rg >/dev/null; then
  tokens=$("$bin" rule --triggers 2>/dev/null || echo 'barrier\(\)|smp_store_release|set_release|wmb|smp_mb|READ_ONCE|WRITE_ONCE|this_cpu_|volatile|test_and_set_bit|__rcu|Relaxed|compiler_fence')
  measure floor rg -c --no-ignore -t c -t rust -e "$tokens" "$tree"
else
  echo "floor      ripgrep (rg) not installed: apt-get install ripgrep"
fi
if command -v spatch >/dev/null; then
  cat >"$out/bp.cocci" <<'COCCI'
@@
expression E, V;
@@
* barrier();
  E = V;
COCCI
  measure spatch spatch --very-quiet --sp-file "$out/bp.cocci" --dir "$tree" -j "$(nproc)"
else
  echo "spatch     coccinelle not installed: apt-get install coccinelle"
fi
