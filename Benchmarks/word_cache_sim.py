#!/usr/bin/env python3
"""Replays the word stream of Reuters-21578 sentences through models of the scorer's word cache
(`WordCache` in Sources/RhetorScoring/Features/FeatureExtractor.swift) and prints hit rates.

Words are what the batch scorer caches: ASCII letter/digit runs of at most 16 bytes, lower-cased,
indexed by their term hash (`TermHash.term`, model format 4) modulo the number of sets,
least recently used way evicted. Sentences are those of Benchmarks/throughput.py, cycled to
--statements (default 500,000, as the throughput run). Reads ../shared/data/corpora at run time.

Usage: python3 Benchmarks/word_cache_sim.py [--statements 500000]
"""
import argparse, os, re, sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from throughput import sentences  # noqa: E402

M = (1 << 64) - 1


def mum(a: int, b: int) -> int:
    p = a * b
    return (p >> 64) ^ (p & M)


def term_hash(word: bytes) -> int:
    """`TermHash.term` (models/README.md): 8-byte chunks through wyhash's mix, then the length."""
    h = 0
    for i in range(0, len(word), 8):
        chunk = int.from_bytes(word[i:i + 8].ljust(8, b"\0"), "little")
        h = mum(h ^ chunk ^ 0xA0761D6478BD642F, 0xE7037ED1A0B428DB)
    return mum(h ^ 0xE7037ED1A0B428DB, len(word) ^ 0xA0761D6478BD642F)


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
    for slots in (16384, 32768, 65536):
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
