#!/usr/bin/env bash
# Compares rhetor builds on one input, like for like: runs `rhetor score --threads 1` of each
# binary in turn (interleaved, so a slow spell of this shared VM hits all of them), pinned to one
# core, output written to a file as a user's run would, and prints each binary's minimum and
# median CPU time (user + system). On this machine class single runs of the same binary vary by
# up to 1.5x from minute to minute; interleaving and the minimum make builds comparable.
#
# Usage: Benchmarks/compare_builds.sh RUNS INPUT BINARY...
#   e.g. git worktree add /tmp/old <commit> && (cd /tmp/old && swift build -c release)
#        Benchmarks/compare_builds.sh 11 sentences.txt /tmp/old/.build/release/rhetor .build/release/rhetor
# The model is this checkout's models/rhetor-news (RHETOR_MODEL overrides), so every binary
# scores with the same model and lexicons.
set -euo pipefail
if [ $# -lt 3 ]; then sed -n 2,14p "$0"; exit 2; fi
runs=$1; input=$2; shift 2
root=$(cd "$(dirname "$0")/.." && pwd)
export RHETOR_MODEL=${RHETOR_MODEL:-$root/models/rhetor-news}
core=${CORE:-0}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
for ((r = 1; r <= runs; r++)); do
  i=0
  for bin in "$@"; do
    /usr/bin/time -f "%U %S" -o "$work/time" taskset -c "$core" "$bin" score --threads 1 "$input" > "$work/out" 2> /dev/null
    awk '{ printf "%.2f\n", $1 + $2 }' "$work/time" >> "$work/cpu.$i"
    i=$((i + 1))
  done
done
i=0
for bin in "$@"; do
  sort -n "$work/cpu.$i" | awk -v bin="$bin" -v n="$runs" '{ a[NR] = $1 } END { printf "%-50s min %.2f s  median %.2f s  (%d runs)\n", bin, a[1], a[int((NR + 1) / 2)], n }'
  i=$((i + 1))
done
