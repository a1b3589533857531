#!/usr/bin/env python3
"""End-to-end throughput: rhetor against the Python peers on the same input, as whole processes
on one core (taskset -c 0), with peak RSS. Inputs come from ../shared/data/corpora (Reuters-21578
sentences and articles, Wikinews articles) at run time; nothing from them is written to the repo.

Usage: python3 Benchmarks/throughput.py [--statements 200000] [--peer-statements 20000] [--out FILE]
Needs a release build (swift build -c release) and, for the peers, pip packages vaderSentiment,
textblob and alt-profanity-check (missing peers are skipped and said so).
"""
import argparse, json, os, platform, re, resource, subprocess, sys, tempfile, time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
DATA = os.path.join(ROOT, "..", "shared", "data", "corpora")


def sentences(limit):
    out = []
    with open(os.path.join(DATA, "reuters21578", "reuters21578.jsonl"), encoding="utf-8") as f:
        for line in f:
            text = json.loads(line)["text"].replace("\n", " ")
            for s in re.split(r"(?<=[.!?])\s+(?=[A-Z\"])", text):
                s = " ".join(s.split())
                if 20 <= len(s) <= 400:
                    out.append(s)
                    if len(out) >= limit:
                        return out
    return out


def articles():
    out = []
    with open(os.path.join(DATA, "reuters21578", "reuters21578.jsonl"), encoding="utf-8") as f:
        for line in f:
            r = json.loads(line)
            out.append({"id": r["id"], "date": r.get("date"), "text": r["text"]})
    return out


PEERS = {
    "vaderSentiment": "from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer\na=SentimentIntensityAnalyzer()\nfor l in open(sys.argv[1]):\n    a.polarity_scores(l)\n",
    "TextBlob": "from textblob import TextBlob\nfor l in open(sys.argv[1]):\n    TextBlob(l).sentiment\n",
    "alt-profanity-check": "from profanity_check import predict_prob\nlines=open(sys.argv[1]).read().split('\\n')\nfor i in range(0,len(lines),20000):\n    predict_prob(lines[i:i+20000])\n",
}


def run(cmd, stdin_path=None):
    """Wall time and peak RSS (MiB) of one child process (its own rusage, from wait4)."""
    t = time.perf_counter()
    with open(stdin_path or os.devnull, "rb") as inp, tempfile.TemporaryFile() as err:
        p = subprocess.Popen(cmd, stdin=inp, stdout=subprocess.DEVNULL, stderr=err)
        _, status, usage = os.wait4(p.pid, 0)
        wall = time.perf_counter() - t
        code = os.waitstatus_to_exitcode(status)
        if code not in (0, 3):
            err.seek(0)
            raise RuntimeError(f"{cmd[0]} failed: {err.read().decode()[-500:]}")
    return wall, usage.ru_maxrss / 1024


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--statements", type=int, default=200_000)
    ap.add_argument("--peer-statements", type=int, default=20_000)
    ap.add_argument("--out", default=None)
    a = ap.parse_args()
    rhetor = os.path.join(ROOT, ".build", "release", "rhetor")
    if not os.path.exists(rhetor):
        sys.exit("build first: swift build -c release")
    tmp = tempfile.mkdtemp()
    sents = sentences(a.statements)
    big = os.path.join(tmp, "sentences.txt")
    with open(big, "w", encoding="utf-8") as f:
        f.write("\n".join(sents) + "\n")
    small = os.path.join(tmp, "sentences-small.txt")
    with open(small, "w", encoding="utf-8") as f:
        f.write("\n".join(sents[: a.peer_statements]) + "\n")
    arts = os.path.join(tmp, "articles.jsonl")
    with open(arts, "w", encoding="utf-8") as f:
        for r in articles():
            f.write(json.dumps(r) + "\n")
    big_mb = os.path.getsize(big) / 1e6
    small_mb = os.path.getsize(small) / 1e6
    art_mb = sum(len(r["text"].encode()) for r in articles()) / 1e6
    one = ["taskset", "-c", "0"]
    rows = []

    def record(name, n, mb, wall, rss):
        rows.append((name, n, n / wall, mb / wall, rss))

    for threads, pin in ((1, one), (2, [])):
        wall, rss = run(pin + [rhetor, "score", "--threads", str(threads), big])
        record(f"rhetor score --threads {threads}", len(sents), big_mb, wall, rss)
    wall, rss = run(one + [rhetor, "quotes", "--threads", "1", arts])
    record("rhetor quotes --threads 1 (articles)", 19043, art_mb, wall, rss)
    wall, rss = run([rhetor, "quotes", "--threads", "2", arts])
    record("rhetor quotes --threads 2 (articles)", 19043, art_mb, wall, rss)
    skipped = []
    for name, code in PEERS.items():
        script = os.path.join(tmp, "peer_" + re.sub(r"\W", "_", name) + ".py")
        with open(script, "w") as f:
            f.write("import sys\n" + code)
        try:
            wall, rss = run(one + [sys.executable, script, small])
            record(name, a.peer_statements, small_mb, wall, rss)
        except RuntimeError as e:
            skipped.append(f"{name}: {str(e).splitlines()[-1] if str(e) else 'failed'}")
    vader = next((r for r in rows if r[0] == "vaderSentiment"), None)
    lines = [f"machine: {platform.machine()}, {os.cpu_count()} cores, {platform.platform()}",
             f"python: {platform.python_version()}; swift: {subprocess.run(['swift', '--version'], capture_output=True, text=True).stdout.splitlines()[0]}",
             f"blas: {os.path.realpath('/usr/lib/x86_64-linux-gnu/libblas.so.3')}",
             f"input: {len(sents)} Reuters-21578 sentences ({big_mb:.1f} MB) for rhetor, the first {a.peer_statements} for the peers; {art_mb:.1f} MB of article text for quotes",
             "",
             "| run | statements | statements/s | MB/s | peak RSS MiB | vs VADER |",
             "|---|---|---|---|---|---|"]
    for name, n, sps, mbs, rss in rows:
        ratio = f"{sps / vader[2]:.1f}x" if vader and "quotes" not in name else ""
        lines.append(f"| {name} | {n} | {sps:,.0f} | {mbs:.2f} | {rss:.0f} | {ratio} |")
    for s in skipped:
        lines.append(f"\nskipped {s}")
    text = "\n".join(lines)
    print(text)
    if a.out:
        with open(a.out, "w") as f:
            f.write(f"# Throughput run\n\nCommand: `python3 Benchmarks/throughput.py --statements {a.statements} --peer-statements {a.peer_statements}`\n\n{text}\n")


if __name__ == "__main__":
    main()
