#!/usr/bin/env python3
"""Replays the word stream of Reuters-21578 sentences through models of the scorer's word cache
(`WordCache` in Sources/RhetorScoring/Features/FeatureExtractor.swift) and prints hit rates.

Words are what the batch scorer caches: ASCII letter/digit runs of at most 16 bytes, lower-cased,
indexed by their term hash (FNV-1a 64 + fmix64, as `TermHash.term`) modulo the number of sets,
least recently used way evicted. Sentences are those of Benchmarks/throughput.py, cycled to
--statements (default 500,000, as the throughput run). Reads ../shared/data/corpora at run time.

Usage: python3 Benchmarks/word_cache_sim.py [--statements 500000]
"""
import argparse, os, re, sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from throughput import sentences  # noqa: E402

M = (1 << 64) - 1


def term_hash(word: bytes) -> int:
    h = 0xCBF29CE484222325
    for b in word:
        h = ((h ^ b) * 0x100000001B3) & M
    h ^= h >> 33
    h = (h * 0xFF51AFD7ED558CCD) & M
    h ^= h >> 33
    h = (h * 0xC4CEB9FE1A85EC53) & M
    return h ^ (h >> 33)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--statements", type=int, default=500_000)
    a = ap.parse_args()
    hashes = {}
    stream = []
    for s in sentences(a.statements):
        for w in re.findall(rb"[A-Za-z0-9]+", s.encode()):
            if len(w) <= 16:
                w = w.lower()
                h = hashes.get(w)
                if h is None:
                    h = hashes[w] = term_hash(w)
                stream.append((w, h))
    print(f"{len(stream)} words, {len(hashes)} distinct")
    for slots in (16384, 32768):
        for ways in (1, 2, 4):
            sets = [[] for _ in range(slots // ways)]
            hits = 0
            for w, h in stream:
                s = sets[h % len(sets)]
                if w in s:
                    hits += 1
                    s.remove(w)
                elif len(s) == ways:
                    s.pop()
                s.insert(0, w)
            print(f"{slots} slots, {ways}-way: {100 * hits / len(stream):.2f} % hits")


if __name__ == "__main__":
    main()
