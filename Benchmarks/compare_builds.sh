#!/usr/bin/env bash
# Compares rhetor builds on one input, like for like: runs `rhetor score --threads 1` (or `quotes`) of each
# binary in turn (interleaved, so a slow spell of this shared VM hits all of them), pinned to one
# core, output written to a file as a user's run would, and prints each binary's minimum, lower
# quartile and median CPU time (perf's task-clock when perf runs here, else user + system). On
# this machine class single runs of the same binary vary by up to 1.5x from minute to minute;
# interleaving and the minimum make builds comparable. Each round runs the binaries in a rotated
# order, and every binary's time is also divided by the first binary's in the same round: the
# median of those ratios (with their quartiles and how many rounds were faster) compares builds
# within a spell rather than across spells.
#
# Usage: [JOB=quotes] Benchmarks/compare_builds.sh RUNS INPUT BINARY...
#   JOB is the subcommand timed (`score`, the default, or `quotes` on an article file).
#   e.g. git worktree add /tmp/old <commit> && (cd /tmp/old && swift build -c release)
#        Benchmarks/compare_builds.sh 11 sentences.txt /tmp/old/.build/release/rhetor .build/release/rhetor
# The model is this checkout's models/rhetor-news (RHETOR_MODEL overrides), so every binary
# scores with the same model and lexicons.
set -euo pipefail
if [ $# -lt 3 ]; then sed -n 2,15p "$0"; exit 2; fi
runs=$1; input=$2; shift 2
root=$(cd "$(dirname "$0")/.." && pwd)
export RHETOR_MODEL=${RHETOR_MODEL:-$root/models/rhetor-news}
core=${CORE:-0}
job=${JOB:-score}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# CPU time from `perf stat -e task-clock` (milliseconds) when perf runs here, else from GNU time
# (user + system, 10 ms steps).
if perf stat -x, -e task-clock -o /dev/null true 2> /dev/null; then perf=1; else perf=0; fi
bins=("$@")
count=${#bins[@]}
for ((r = 1; r <= runs; r++)); do
  for ((k = 0; k < count; k++)); do
    i=$(( (r + k) % count ))
    bin=${bins[$i]}
    if [ $perf = 1 ]; then
      perf stat -x, -e task-clock -o "$work/time" taskset -c "$core" "$bin" "$job" --threads 1 "$input" > "$work/out" 2> /dev/null
      awk -F, '/task-clock/ { printf "%.4f\n", $1 / 1000 }' "$work/time" >> "$work/cpu.$i"
    else
      /usr/bin/time -f "%U %S" -o "$work/time" taskset -c "$core" "$bin" "$job" --threads 1 "$input" > "$work/out" 2> /dev/null
      awk '{ printf "%.2f\n", $1 + $2 }' "$work/time" >> "$work/cpu.$i"
    fi
  done
done
i=0
for bin in "$@"; do
  sort -n "$work/cpu.$i" | awk -v bin="$bin" -v n="$runs" '{ a[NR] = $1 } END { printf "%-50s min %.3f s  q1 %.3f s  median %.3f s  (%d runs)\n", bin, a[1], a[int((NR + 3) / 4)], a[int((NR + 1) / 2)], n }'
  i=$((i + 1))
done
if [ $count -gt 1 ]; then
  python3 - "$work" "$@" <<'PY'
import statistics, sys
work, bins = sys.argv[1], sys.argv[2:]
cols = [[float(x) for x in open(f"{work}/cpu.{i}")] for i in range(len(bins))]
for i, b in enumerate(bins[1:], 1):
    q = sorted(t / f for t, f in zip(cols[i], cols[0]))
    n = len(q)
    print(f"{b}: time / first binary's, same round: median {statistics.median(q):.3f}, quartiles {q[n // 4]:.3f}-{q[(3 * n) // 4]:.3f}, faster in {sum(x < 1 for x in q)} of {n} rounds")
PY
fi
