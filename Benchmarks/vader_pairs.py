#!/usr/bin/env python3
"""Compares rhetor builds against VADER in the same spells of the machine: each round runs VADER
on the corpus's Reuters sentences once, then `rhetor score --threads 1` of each build on the
500,000 sentences `throughput.py` uses (the corpus cycled), in alternating order, all pinned to
one core as whole processes, and prints each build's rate over VADER's per round and the medians.
Ratios of rates measured minutes apart drift with this machine; rounds see one spell each.

Usage: python3 Benchmarks/vader_pairs.py [--rounds 8] [--statements 500000] BINARY...
  e.g. git worktree add /tmp/old <commit> && (cd /tmp/old && swift build -c release)
       python3 Benchmarks/vader_pairs.py /tmp/old/.build/release/rhetor .build/release/rhetor
Needs vaderSentiment from PyPI; the model is this checkout's models/rhetor-news (RHETOR_MODEL
overrides), so every build scores with the same model and lexicons.
"""
import argparse, os, statistics, subprocess, sys, tempfile, time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from throughput import PEERS, ROOT, reuters_sentences, sentences  # noqa: E402


def wall(cmd, env, out):
    """Wall time of one child process pinned to core 0, stdout to `out`."""
    t = time.perf_counter()
    with open(out, "wb") as f:
        code = subprocess.run(["taskset", "-c", "0"] + cmd, stdout=f, stderr=subprocess.DEVNULL, env=env).returncode
    if code not in (0, 3):
        sys.exit(f"{cmd[0]} failed with status {code}")
    return time.perf_counter() - t


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--rounds", type=int, default=8)
    ap.add_argument("--statements", type=int, default=500_000)
    ap.add_argument("binaries", nargs="+")
    a = ap.parse_args()
    env = dict(os.environ)
    env.setdefault("RHETOR_MODEL", os.path.join(ROOT, "models", "rhetor-news"))
    tmp = tempfile.mkdtemp()
    corpus = reuters_sentences()
    big, once, script = (os.path.join(tmp, n) for n in ("sentences.txt", "corpus.txt", "vader.py"))
    with open(big, "w", encoding="utf-8") as f:
        f.write("\n".join(sentences(a.statements)) + "\n")
    with open(once, "w", encoding="utf-8") as f:
        f.write("\n".join(corpus) + "\n")
    with open(script, "w") as f:
        f.write("import sys\n" + PEERS["vaderSentiment"])
    out = os.path.join(tmp, "out")
    ratios = {b: [] for b in a.binaries}
    for r in range(a.rounds):
        vader = len(corpus) / wall([sys.executable, script, once], env, out)
        for b in (a.binaries if r % 2 == 0 else a.binaries[::-1]):
            ratios[b].append(a.statements / wall([b, "score", "--threads", "1", big], env, out) / vader)
        print(f"round {r + 1}: VADER {vader:,.0f}/s; " + ", ".join(f"{b} {ratios[b][-1]:.1f}x" for b in a.binaries), flush=True)
    for b in a.binaries:
        v = ratios[b]
        print(f"{b}: median {statistics.median(v):.1f}x, {sum(x >= 50 for x in v)} of {len(v)} rounds at 50x or more ({', '.join(f'{x:.1f}' for x in v)})")


if __name__ == "__main__":
    main()
