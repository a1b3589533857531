#!/usr/bin/env python3
"""The issue's reference baseline on Rhetor's own dev split: TF-IDF word (1-2) + char (2-5) n-grams
and logistic regression, trained on the pooled training parts of the hostility sets and scored per
set. Needs scikit-learn (comparison only; not a Rhetor dependency).

Usage: python3 scripts/baseline_tfidf.py [--data ../shared/data]
"""
import argparse, csv, os, sys
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from derive_lexicons import is_train  # same split rule as the Swift trainer
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import roc_auc_score
from scipy.sparse import hstack

csv.field_size_limit(1 << 30)


def load(data):
    h = data + "/hostility/"
    sets = {}
    with open(h + "mupid-train.csv", encoding="utf-8") as f:
        sets["mupid"] = [(r["text"], int(r["impoliteness"] == "1" or r["intolerance"] == "1")) for r in csv.DictReader(f)]
    with open(h + "olid-training-v1.0.tsv", encoding="utf-8") as f:
        sets["olid"] = [(r["tweet"], int(r["subtask_a"] == "OFF")) for r in csv.DictReader(f, delimiter="\t", quoting=csv.QUOTE_NONE)]
    with open(h + "davidson/labeled_data.csv", encoding="utf-8") as f:
        sets["davidson"] = [(r["tweet"], int(r["class"] != "2")) for r in csv.DictReader(f)]
    with open(h + "semeval23-persuasion-train.csv", encoding="utf-8") as f:
        sets["semeval23"] = [(r["text"], int(r["Name_Calling-Labeling"] == "1" or r["Loaded_Language"] == "1")) for r in csv.DictReader(f)]
    return sets


def load_certainty(data):
    import json
    sets = {"pei": [], "weasel": []}
    with open(data + "/certainty/pei-sentence-certainty.jsonl", encoding="utf-8") as f:
        for line in f:
            r = json.loads(line)
            sets["pei"].append((r["finding"], (r["sentence-level-certainty"] - 1) / 5, r["split"]))
    with open(data + "/certainty/wiki-weasel-train.csv", encoding="utf-8") as f:
        for r in csv.DictReader(f):
            t = r["text"].strip()
            sets["weasel"].append((t, 1.0 if r["label"] == "0" else 0.0, "train" if is_train(t) else "val"))
    return sets


def certainty(data):
    """Same features; ridge regression on the pooled certainty targets (Pei rescaled, weasel 0/1)."""
    from sklearn.linear_model import Ridge
    from scipy.stats import pearsonr
    sets = load_certainty(data)
    train = [(t, y) for s in sets.values() for t, y, sp in s if sp == "train"]
    wv = TfidfVectorizer(ngram_range=(1, 2), min_df=2, sublinear_tf=True)
    cv = TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5), min_df=2, sublinear_tf=True, max_features=300000)
    X = hstack([wv.fit_transform([t for t, _ in train]), cv.fit_transform([t for t, _ in train])]).tocsr()
    reg = Ridge(alpha=1.0).fit(X, [y for _, y in train])
    for name, rows in sets.items():
        for split in (["val", "test"] if name == "pei" else ["val"]):
            dev = [(t, y) for t, y, sp in rows if sp == split]
            p = reg.predict(hstack([wv.transform([t for t, _ in dev]), cv.transform([t for t, _ in dev])]).tocsr())
            if name == "pei":
                print(f"{name:10s} {split} pearson {pearsonr(p, [y for _, y in dev])[0]:.4f} n={len(dev)}")
            else:
                print(f"{name:10s} dev auc {roc_auc_score([y for _, y in dev], p):.4f} n={len(dev)}")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--task", choices=["hostility", "certainty"], default="hostility")
    ap.add_argument("--data", default=os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "shared", "data"))
    a = ap.parse_args()
    if a.task == "certainty":
        return certainty(a.data)
    sets = load(a.data)
    train = [(t, y) for s in sets.values() for t, y in s if is_train(t)]
    wv = TfidfVectorizer(ngram_range=(1, 2), min_df=2, sublinear_tf=True)
    cv = TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5), min_df=2, sublinear_tf=True, max_features=300000)
    X = hstack([wv.fit_transform([t for t, _ in train]), cv.fit_transform([t for t, _ in train])]).tocsr()
    clf = LogisticRegression(C=4.0, max_iter=2000).fit(X, [y for _, y in train])
    for name, rows in sets.items():
        dev = [(t, y) for t, y in rows if not is_train(t)]
        Xd = hstack([wv.transform([t for t, _ in dev]), cv.transform([t for t, _ in dev])]).tocsr()
        print(f"{name:10s} dev auc {roc_auc_score([y for _, y in dev], clf.predict_proba(Xd)[:, 1]):.4f} n={len(dev)}")


if __name__ == "__main__":
    main()
