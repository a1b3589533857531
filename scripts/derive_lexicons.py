#!/usr/bin/env python3
"""Derive Rhetor's hostility, certainty and valence lexicons from ../shared/data (stdlib only).

Usage: python3 scripts/derive_lexicons.py [--data ../shared/data] [--out lexicons]

Weights are log-odds ratios with an informative Dirichlet prior (Monroe, Colaresi & Quinn 2008,
"Fightin' Words", eq. 16 and 22), computed on the *training* part of each labeled set only: a
record is in the dev split when split_bucket(text) < 15, the same rule `rhetor train` uses, so dev
metrics are not inflated by lexicon weights that saw the dev text.

Only learned numbers and the curated term lists go into the lexicons; no text from the eval-only
sets is written.
"""
import argparse
import csv
import json
import math
import os
import re
import sys
from collections import Counter, defaultdict

csv.field_size_limit(1 << 30)

MASK64 = (1 << 64) - 1


def fmix64(k):
    k ^= k >> 33
    k = (k * 0xFF51AFD7ED558CCD) & MASK64
    k ^= k >> 33
    k = (k * 0xC4CEB9FE1A85EC53) & MASK64
    k ^= k >> 33
    return k


def term_hash(data: bytes) -> int:
    h = 0xCBF29CE484222325
    for b in data:
        h = ((h ^ b) * 0x100000001B3) & MASK64
    return fmix64(h)


def split_bucket(text: str) -> int:
    """0..99; < 15 is dev. Mirrors DataSplit.bucket in Sources/RhetorScoring/Training/DataSplit.swift."""
    return term_hash(text.encode("utf-8")) % 100


def is_train(text):
    return split_bucket(text) >= 15


WORD = re.compile(r"[a-z0-9]+(?:['\-][a-z0-9]+)*|[!?]+")
CLITIC = re.compile(r"^(.+?)(n't|'s|'re|'ve|'ll|'d|'m)$")


def tokenize(text):
    """Lower-cased words with Penn-style clitics split, close to the Swift tokenizer."""
    text = text.lower().replace("\u2019", "'").replace("\u2018", "'")
    out = []
    for w in WORD.findall(text):
        m = CLITIC.match(w)
        if m and m.group(1):
            out.extend([m.group(1), m.group(2)])
        else:
            out.append(w)
    return out


def ngrams(tokens, n_max, wanted=None):
    for n in range(1, n_max + 1):
        for i in range(len(tokens) - n + 1):
            g = " ".join(tokens[i:i + n])
            if n == 1 or wanted is None or g in wanted:
                yield g


class LogOdds:
    """Counts of terms in a positive and a negative class, and their prior-smoothed log-odds."""

    def __init__(self):
        self.pos = Counter()
        self.neg = Counter()

    def add(self, terms, positive, weight=1.0):
        c = self.pos if positive else self.neg
        for t in terms:
            c[t] += weight

    def table(self, alpha0=500.0):
        n1 = sum(self.pos.values())
        n2 = sum(self.neg.values())
        total = Counter(self.pos)
        total.update(self.neg)
        ntot = n1 + n2
        out = {}
        for w, cnt in total.items():
            a = alpha0 * cnt / ntot
            y1 = self.pos[w]
            y2 = self.neg[w]
            l1 = math.log((y1 + a) / (n1 + alpha0 - y1 - a))
            l2 = math.log((y2 + a) / (n2 + alpha0 - y2 - a))
            d = l1 - l2
            var = 1.0 / (y1 + a) + 1.0 / (y2 + a)
            out[w] = (d, d / math.sqrt(var), cnt)
        return out


def read_seeds(path):
    rows = []
    with open(path, encoding="utf-8") as f:
        for line in f:
            line = line.rstrip("\n")
            if not line or line.startswith("#"):
                continue
            term, kind = line.split("\t")
            rows.append((term, kind))
    return rows


def write_lexicon(path, name, version, source, license_, weights, columns, rows):
    rows = sorted(rows, key=lambda r: r[0].encode("utf-8"))
    seen = set()
    with open(path, "w", encoding="utf-8") as f:
        f.write("#! rhetor-lexicon 1\n")
        f.write(f"# name: {name}\n# version: {version}\n# source: {source}\n# license: {license_}\n")
        f.write(f"# weights: {weights}\n# columns: {chr(9).join(columns)}\n")
        for r in rows:
            if r[0] in seen:
                continue
            seen.add(r[0])
            f.write("\t".join(str(x) for x in r) + "\n")
    print(f"wrote {path}: {len(seen)} entries", file=sys.stderr)


def fmt(x):
    return f"{x:.3f}"


def hostility(data, out):
    seeds = read_seeds(os.path.join(out, "curated", "hostility-seeds.tsv"))
    phrases = {t for t, _ in seeds if " " in t}
    lo = LogOdds()
    h = data + "/hostility/"
    sets = Counter()

    def add(text, label, weight=1.0, name=""):
        if not is_train(text):
            return
        sets[name] += 1
        lo.add(set(ngrams(tokenize(text), 4, phrases)), label, weight)

    with open(h + "mupid-train.csv", encoding="utf-8") as f:
        for r in csv.DictReader(f):
            add(r["text"], r["impoliteness"] == "1" or r["intolerance"] == "1", name="mupid")
    with open(h + "olid-training-v1.0.tsv", encoding="utf-8") as f:
        for r in csv.DictReader(f, delimiter="\t", quoting=csv.QUOTE_NONE):
            add(r["tweet"], r["subtask_a"] == "OFF", name="olid")
    with open(h + "davidson/labeled_data.csv", encoding="utf-8") as f:
        for r in csv.DictReader(f):
            add(r["tweet"], r["class"] != "2", 0.5, name="davidson")
    with open(h + "semeval23-persuasion-train.csv", encoding="utf-8") as f:
        for r in csv.DictReader(f):
            add(r["text"], r["Name_Calling-Labeling"] == "1" or r["Loaded_Language"] == "1", name="semeval23")

    # Toxic Spans: tokens inside annotated spans against tokens outside, and the span types.
    comments = {}
    with open(h + "toxic-spans/data/comments.csv", encoding="utf-8") as f:
        for r in csv.DictReader(f):
            comments[r["comment_id"]] = r["comment_text"]
    ann_comment = {}
    with open(h + "toxic-spans/data/annotations.csv", encoding="utf-8") as f:
        for r in csv.DictReader(f):
            ann_comment[r["annotation"]] = r["comment_id"]
    span_lo = LogOdds()
    span_type = defaultdict(Counter)
    spans_by_ann = defaultdict(list)
    with open(h + "toxic-spans/data/spans.csv", encoding="utf-8") as f:
        for r in csv.DictReader(f):
            try:
                spans_by_ann[r["annotation"]].append((int(r["start"]), int(r["end"]), r["type"]))
            except ValueError:
                continue
    for ann, spans in spans_by_ann.items():
        text = comments.get(ann_comment.get(ann, ""), "")
        if not text or not is_train(text):
            continue
        inside = []
        for s, e, t in spans:
            toks = tokenize(text[s:e])
            inside.extend(toks)
            for tok in toks:
                span_type[tok][t] += 1
        span_lo.add(inside, True)
        outside = Counter(tokenize(text))
        outside.subtract(Counter(inside))
        span_lo.add([w for w, c in outside.items() for _ in range(max(c, 0))], False)

    doc = lo.table()
    span = span_lo.table()

    empath_cat = {}
    empath_map = {"swearing_terms": "profanity", "ridicule": "contempt", "hate": "aggression",
                  "aggression": "aggression", "rage": "aggression", "violence": "threat", "kill": "threat",
                  "crime": "accusation", "deception": "accusation"}
    with open(data + "/lexicons/empath/categories.tsv", encoding="utf-8") as f:
        for line in f:
            parts = line.rstrip("\n").split("\t")
            if parts[0] in empath_map:
                for w in parts[1:]:
                    empath_cat.setdefault(w, empath_map[parts[0]])
    type_map = {"Insult": "insult", "Threat": "threat", "Profane/Obscene": "profanity",
                "Identity based Attack": "contempt", "Other Toxicity": "aggression"}

    def weight_of(term):
        d = doc.get(term)
        s = span.get(term)
        ds = [x[0] for x in (d, s) if x and x[2] >= 5]
        if not ds:
            return None
        return max(ds)

    rows = []
    for term, cat in seeds:
        w = weight_of(term)
        w = 1.0 if w is None else min(max(w, 0.5), 3.0)
        rows.append((term, cat, fmt(w)))
    seeded = {t for t, _ in seeds}
    for term, (d, z, cnt) in span.items():
        if term in seeded or not re.fullmatch(r"[a-z][a-z'\-]+", term):
            continue
        dd = doc.get(term, (0, 0, 0))
        if z < 4 or cnt < 20 or d < 1.0 or dd[0] < 0.5:
            continue
        types = span_type.get(term)
        cat = type_map.get(types.most_common(1)[0][0]) if types else None
        cat = empath_cat.get(term, cat) or "aggression"
        rows.append((term, cat, fmt(min(max(d, dd[0]), 3.0))))
    write_lexicon(
        os.path.join(out, "hostility.tsv"), "hostility", "1.0.0",
        "terms: lexicons/curated/hostility-seeds.tsv (Rhetor maintainers) plus words over-represented inside "
        "Toxic Spans annotations (ipavlopoulos/toxic_spans @ beaf170, CC0); categories from the curated list, "
        "else the Toxic Spans span type, else Empath 0.89 categories (MIT)",
        "CC0 / MIT sources; the file is Rhetor's own",
        "log-odds ratio with informative Dirichlet prior (Monroe et al. 2008, alpha0=500) of hostile vs calm "
        "records on the training split (split_bucket >= 15) of MUPID, OLID, Davidson (weight 0.5), SemEval-2023 "
        "t3 Name_Calling/Loaded_Language, and in-span vs out-of-span Toxic Spans tokens; the larger of the "
        "document and span estimates, clipped to [0.5, 3.0] for curated terms (a curated term the data does not support keeps 0.5); 1.0 where a term occurs fewer than 5 times "
        "(made by scripts/derive_lexicons.py)",
        ["term", "category", "weight"], rows)
    print("hostility training records:", dict(sets), file=sys.stderr)


def certainty(data, out):
    seeds = read_seeds(os.path.join(out, "curated", "certainty-seeds.tsv"))
    kinds = {t: k for t, k in seeds}
    with open(data + "/lexicons/hedges-wooorm.txt", encoding="utf-8") as f:
        for line in f:
            line = line.strip().lower()
            if line and not line.startswith("%"):
                kinds.setdefault(line, "hedge")
    phrases = {t for t in kinds if " " in t}
    lo = LogOdds()
    with open(data + "/certainty/wiki-weasel-train.csv", encoding="utf-8") as f:
        for r in csv.DictReader(f):
            if is_train(r["text"]):
                lo.add(set(ngrams(tokenize(r["text"]), 5, phrases)), r["label"] == "0")
    with open(data + "/certainty/pei-sentence-certainty.jsonl", encoding="utf-8") as f:
        for line in f:
            r = json.loads(line)
            if r["split"] != "train":
                continue
            c = r["sentence-level-certainty"]
            if c >= 5 or c <= 3:
                lo.add(set(ngrams(tokenize(r["finding"]), 5, phrases)), c >= 5)
    table = lo.table()
    rows = []
    for term, kind in kinds.items():
        sign = 1.0 if kind == "booster" else -1.0
        d = table.get(term)
        mag = 1.0 if d is None or d[2] < 5 else min(max(sign * d[0], 0.1), 3.0)
        rows.append((term, kind, fmt(sign * mag)))
    write_lexicon(
        os.path.join(out, "certainty.tsv"), "certainty", "1.0.0",
        "boosters and hedges: lexicons/curated/certainty-seeds.tsv (Rhetor maintainers) plus the wooorm/hedges "
        "list (@ 4bd0fe5, MIT, Copyright (c) Titus Wormer) as hedges",
        "MIT sources; the file is Rhetor's own",
        "signed log-odds ratio with informative Dirichlet prior (Monroe et al. 2008, alpha0=500) of certain vs "
        "uncertain sentences: CoNLL-2010 Wikipedia weasel sentences (training split, split_bucket >= 15) and Pei & "
        "Jurgens 2021 findings (train split; certainty >= 5 vs <= 3); magnitude clipped to [0.1, 3.0] in the "
        "curated direction (booster +, hedge -); 1.0 where a term occurs fewer than 5 times "
        "(made by scripts/derive_lexicons.py)",
        ["term", "kind", "weight"], rows)


def valence(data, out):
    entries = {}
    with open(data + "/valence/vader/vader_lexicon.txt", encoding="utf-8") as f:
        for line in f:
            parts = line.rstrip("\n").split("\t")
            if len(parts) < 4:
                continue
            term, mean, sd, raw = parts[0], parts[1], parts[2], parts[3]
            if term != term.lower() or "\t" in term or not term.strip():
                continue  # VADER lower-cases input before lookup, so upper-case keys never match
            entries[term] = (term, mean, sd, raw.replace(" ", ""))  # last wins, as in VADER's dict
    write_lexicon(
        os.path.join(out, "valence.tsv"), "valence", "1.0.0",
        "VADER lexicon (Hutto & Gilbert 2014, cjhutto/vaderSentiment @ 44fc044, MIT, Copyright (c) 2016 C.J. "
        "Hutto): mean of 10 human ratings on -4..+4, standard deviation, raw ratings",
        "MIT",
        "VADER's human mean rating, unchanged; entries with upper-case letters dropped (VADER never matches them) "
        "and repeated keys resolved as VADER does (last wins) (made by scripts/derive_lexicons.py)",
        ["term", "weight", "sd", "ratings"], list(entries.values()))


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    here = os.path.dirname(os.path.abspath(__file__))
    ap.add_argument("--data", default=os.path.join(here, "..", "..", "shared", "data"))
    ap.add_argument("--out", default=os.path.join(here, "..", "lexicons"))
    a = ap.parse_args()
    hostility(a.data, a.out)
    certainty(a.data, a.out)
    valence(a.data, a.out)


if __name__ == "__main__":
    main()
