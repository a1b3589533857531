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


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", default=os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "shared", "data"))
    a = ap.parse_args()
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
