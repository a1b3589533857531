#!/usr/bin/env python3
"""Write PolNeAR's articles (train and dev) as Rhetor article JSON lines on stdout:
{"id", "date", "title", "source", "text"}. Reads ../shared/data/attribution/polnear at run time;
the output is eval-only news text and must not be committed.

Usage: python3 scripts/polnear_to_jsonl.py [--polnear DIR] > /tmp/polnear.jsonl
"""
import argparse, csv, json, os, sys

ap = argparse.ArgumentParser()
ap.add_argument("--polnear", default=os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "shared", "data", "attribution", "polnear"))
a = ap.parse_args()
with open(os.path.join(a.polnear, "metadata.tsv"), encoding="utf-8") as f:
    rows = list(csv.DictReader(f, delimiter="\t", quoting=csv.QUOTE_NONE))
seen = set()
for r in sorted(rows, key=lambda r: (r["publication_date"], r["filename"])):
    if r["filename"] in seen:
        continue
    path = os.path.join(a.polnear, r["compartment"], "text", r["filename"] + ".txt")
    if not os.path.exists(path):
        continue
    seen.add(r["filename"])
    with open(path, encoding="utf-8") as f:
        text = f.read()
    print(json.dumps({"id": r["filename"], "date": r["publication_date"], "title": r["title"], "source": r["publisher"], "text": text}, ensure_ascii=False))
print(f"{len(seen)} articles", file=sys.stderr)
