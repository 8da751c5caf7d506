#!/usr/bin/env bash
# bench.sh -- whole-tree benchmark on linux-source-6.12 (a script, not a timed test).
#
# Prints, for ordlint with all default rules, for the file-scan floor (ripgrep counting the
# rules' trigger tokens over the same files) and, when installed, for coccinelle with a
# semantic patch for the barrier-publication shape: wall time, CPU time, peak RSS, files
# scanned/parsed and findings, the ordlint/floor and coccinelle/ordlint ratios, and a scaling
# check (every 8th, 4th, 2nd file of the tree). Then the same ordlint/floor pair with the two
# pedantic pairing rules added (barrier-publication, unordered-flag-read), the heaviest
# configuration a kernel developer is likely to run: they pull in partner files.
#   KERNEL_TREE  use this tree instead of fetching one with ../shared/scripts/kernel-tree.sh
#   JOBS         worker threads (default: all cores)
#   SCALING=0    skip the scaling check
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
tree=${KERNEL_TREE:-$("$here/../shared/scripts/kernel-tree.sh")}
cargo build --release --quiet --manifest-path "$here/Cargo.toml"
bin="$here/target/release/ordlint"
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT

measure() { # name, command...
  local name=${1//\//-}; shift
  /usr/bin/time -v "$@" >"$out/$name.out" 2>"$out/$name.err" || true
  local wall user sys rss
  wall=$(grep 'Elapsed (wall clock)' "$out/$name.err" | awk '{print $NF}')
  user=$(grep 'User time' "$out/$name.err" | awk '{print $NF}')
  sys=$(grep 'System time' "$out/$name.err" | awk '{print $NF}')
  rss=$(grep 'Maximum resident' "$out/$name.err" | awk '{print $NF}')
  printf '%-10s wall %8s  cpu %7.1fs  peak RSS %6d MiB\n' "$name" "$wall" "$(echo "$user + $sys" | bc)" "$((rss / 1024))"
}

wall_s() { # name -> wall seconds of that measurement
  local name=${1//\//-}
  grep 'Elapsed (wall clock)' "$out/$name.err" | awk '{print $NF}' | awk -F: '{ if (NF == 3) print $1*3600+$2*60+$3; else print $1*60+$2 }'
}

echo "tree: $tree"
files=$(find "$tree" -type f \( -name '*.c' -o -name '*.h' -o -name '*.rs' \) | wc -l)
echo "files: $files .c/.h/.rs, $(du -sh --apparent-size "$tree" | cut -f1) in the tree"
# Warm the page cache so every tool below reads from memory.
find "$tree" -type f \( -name '*.c' -o -name '*.h' -o -name '*.rs' \) -print0 | xargs -0 cat >/dev/null

measure ordlint "$bin" check --exit-zero --no-progress --statistics --format json ${JOBS:+--jobs $JOBS} "$tree"
grep '^ordlint:' "$out/ordlint.err" || true
echo "findings: $(python3 -c 'import json,sys; print(len(json.load(open(sys.argv[1]))))' "$out/ordlint.out")"
if command -v rg >/dev/null; then
  tokens=$("$bin" rule --triggers)
  measure floor rg -c --no-ignore -t c -t rust -e "$tokens" "$tree"
  echo "ratio ordlint/floor (wall): $(python3 -c "print(round($(wall_s ordlint) / max($(wall_s floor), 0.01), 1))")"
else
  echo "floor      ripgrep (rg) not installed: apt-get install ripgrep"
fi
pairing=barrier-publication,unordered-flag-read
measure pairing "$bin" check --exit-zero --no-progress --statistics --format json --extend-select "$pairing" ${JOBS:+--jobs $JOBS} "$tree"
grep '^ordlint:' "$out/pairing.err" || true
echo "findings with the pairing rules: $(python3 -c 'import json,sys; print(len(json.load(open(sys.argv[1]))))' "$out/pairing.out")"
if command -v rg >/dev/null; then
  tokens=$("$bin" rule --triggers --extend-select "$pairing")
  measure pairing-floor rg -c --no-ignore -t c -t rust -e "$tokens" "$tree"
  echo "ratio with the pairing rules, ordlint/floor (wall): $(python3 -c "print(round($(wall_s pairing) / max($(wall_s pairing-floor), 0.01), 1))")"
fi
if command -v spatch >/dev/null; then
  cat >"$out/bp.cocci" <<'COCCI'
// The barrier-publication shape: a compiler barrier, then a plain store to a field.
@@
expression E, V;
identifier F;
@@
* barrier();
  E->F = V;
COCCI
  measure spatch spatch --very-quiet --sp-file "$out/bp.cocci" --dir "$tree" -j "$(nproc)"
  echo "spatch hits: $(grep -c '^---' "$out/spatch.out" || true)"
  # Against the run that has barrier-publication, the rule the semantic patch stands for.
  echo "ratio coccinelle/ordlint with the pairing rules (wall): $(python3 -c "print(round($(wall_s spatch) / max($(wall_s pairing), 0.01), 1))")"
else
  echo "spatch     coccinelle not installed: apt-get install coccinelle"
fi

# Scaling: the same run on every 8th, 4th and 2nd file (hard links, so no copy).
if [ "${SCALING:-1}" = 1 ]; then
  sample=$(mktemp -d "$(dirname "$tree")/ordlint-scaling.XXXXXX")
  trap 'rm -rf "$out" "$sample"' EXIT
  (cd "$tree" && find . -type f \( -name '*.c' -o -name '*.h' -o -name '*.rs' \) | sort) >"$out/all-files"
  for n in 8 4 2; do
    mkdir -p "$sample/1-$n"
    awk -v n="$n" 'NR % n == 0' "$out/all-files" | (cd "$tree" && xargs cp -l --parents -t "$sample/1-$n" 2>/dev/null || xargs cp --parents -t "$sample/1-$n")
    measure "1/$n" "$bin" check --exit-zero --no-progress --format json ${JOBS:+--jobs $JOBS} "$sample/1-$n"
  done
  echo "scaling (wall s): 1/8 $(wall_s 1/8), 1/4 $(wall_s 1/4), 1/2 $(wall_s 1/2), all $(wall_s ordlint)"
fi
