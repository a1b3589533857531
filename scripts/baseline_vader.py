#!/usr/bin/env python3
"""VADER's compound score against the human valence ratings on Rhetor's dev split of each VADER
set (and on the whole NYT dev file, the figure the issue quotes). Needs vaderSentiment (comparison
only; not a Rhetor dependency).

Usage: python3 scripts/baseline_vader.py [--data ../shared/data]
"""
import argparse, os, sys
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from derive_lexicons import is_train
from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer
from statistics import correlation

ap = argparse.ArgumentParser()
ap.add_argument("--data", default=os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "shared", "data"))
a = ap.parse_args()
sia = SentimentIntensityAnalyzer()
for name, f in [("vader-tweets", "tweets"), ("vader-movies", "movieReviewSnippets"), ("vader-amazon", "amazonReviewSnippets"), ("vader-nyt", "nytEditorialSnippets-dev")]:
    rows = []
    with open(f"{a.data}/valence/vader/{f}_GroundTruth.txt", encoding="utf-8") as fh:
        for line in fh:
            parts = line.rstrip("\n").split("\t")
            if len(parts) >= 3:
                rows.append((float(parts[1]), "\t".join(parts[2:])))
    dev = [(y, t) for y, t in rows if not is_train(t)]
    r_dev = correlation([y for y, _ in dev], [sia.polarity_scores(t)["compound"] for _, t in dev])
    r_all = correlation([y for y, _ in rows], [sia.polarity_scores(t)["compound"] for _, t in rows])
    print(f"{name:13s} VADER r dev {r_dev:.4f} (n={len(dev)})  all {r_all:.4f} (n={len(rows)})")
