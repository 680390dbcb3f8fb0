#!/usr/bin/env python3
"""Benchmark innomesh matching against bm25s + jieba on the same files in the same run.

usage: python3 bench/matching_bench.py --cmd "PATH/TO/match_cli" [--eval /work/shared/eval] [--out FILE.md]
  --cmd is the prefix of our binary: `CMD similarity --input F` and
  `CMD match --corpus D --queries Q --top 10` (the `innomesh` CLI or examples/match_cli; with
  --timing the binary must print `build_ms=… query_ms=…` on stderr, as match_cli --timing does).
Needs: pip install bm25s jieba. Scores with the shared scorers (score_pairs.py, score_retrieval.py).
Retrieval is run twice: leave-one-out over all docs (query = a doc, its own id excluded) and a
held-out split (every 5th doc by a hash of its id is a query and absent from the corpus)."""
import argparse, hashlib, json, logging, os, re, shlex, subprocess, sys, tempfile, time
from collections import Counter

import bm25s
import jieba

jieba.setLogLevel(logging.WARNING)
PUNCT = re.compile(r"^[\W_]+$", re.UNICODE)


def toks(text):
    return [t for t in jieba.lcut(text) if t.strip() and not PUNCT.match(t)]


def run(cmd, out_path):
    t0 = time.perf_counter()
    with open(out_path, "w") as f:
        subprocess.run(cmd, stdout=f, check=True)
    return time.perf_counter() - t0


def score(scorer, *args):
    return subprocess.run([sys.executable, scorer, *args], capture_output=True, text=True, check=True).stdout.strip()


def pairs_metric(line):
    m = re.match(r"(AUC|Spearman) ([\d.\-]+)", line)
    return f"{m.group(1)} {m.group(2)}" if m else line


def jaccard_scores(path, out):
    with open(path) as f, open(out, "w") as o:
        for l in f:
            if not l.strip():
                continue
            a, b = l.rstrip("\n").split("\t")[:2]
            A, B = set(toks(a)), set(toks(b))
            o.write(f"{len(A & B) / max(1, len(A | B))}\n")


def bm25_ranks(corpus, queries, out, vote, exclude_self=True):
    """bm25s over jieba tokens; with vote, the top-50 neighbours' majority discipline goes first."""
    ids = [d["id"] for d in corpus]
    disc = [d.get("discipline") for d in corpus]
    r = bm25s.BM25()
    r.index([toks(d["text"]) for d in corpus], show_progress=False)
    k = min(len(corpus), 51 if vote else 11)
    t0 = time.perf_counter()
    qt = [toks(q["text"]) or ["。"] for q in queries]
    res, sc = r.retrieve(qt, k=k, show_progress=False, n_threads=1)
    with open(out, "w") as o:
        for q, row, srow in zip(queries, res, sc):
            hits = [(int(i), float(s)) for i, s in zip(row, srow) if not (exclude_self and ids[int(i)] == q["id"])]
            if vote:
                win = Counter(disc[i] for i, _ in hits[:50]).most_common(1)
                w = win[0][0] if win else None
                hits = [h for h in hits if disc[h[0]] == w] + [h for h in hits if disc[h[0]] != w]
            o.write(json.dumps({"query": q["id"], "hits": [ids[i] for i, _ in hits[:10]]}) + "\n")
    return time.perf_counter() - t0


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--cmd", required=True)
    ap.add_argument("--eval", default="/work/shared/eval")
    ap.add_argument("--out")
    ap.add_argument("--timing", action="store_true", help="pass --timing to `match` (examples/match_cli)")
    a = ap.parse_args()
    cmd = shlex.split(a.cmd)
    ev = a.eval
    sp, sr = f"{ev}/score/score_pairs.py", f"{ev}/score/score_retrieval.py"
    tmp = tempfile.mkdtemp(prefix="matching_bench_")
    rows = ["| pair set | pairs | ours | ours s | jieba word Jaccard |", "| --- | --- | --- | --- | --- |"]
    for name in ["lcqmc_dev", "afqmc_dev", "bustm_dev", "stsb_dev", "stsb_train"]:
        pairs = f"{ev}/matching/{name}.tsv"
        n = sum(1 for l in open(pairs) if l.strip())
        ours = f"{tmp}/{name}.ours"
        secs = run(cmd + ["similarity", "--input", pairs], ours)
        jac = f"{tmp}/{name}.jac"
        jaccard_scores(pairs, jac)
        rows.append(f"| {name} | {n} | {pairs_metric(score(sp, pairs, ours))} | {secs:.2f} | {pairs_metric(score(sp, pairs, jac))} |")
    print("\n".join(rows) + "\n")

    docs_path = f"{ev}/retrieval/csldcp_docs.jsonl"
    docs = [json.loads(l) for l in open(docs_path) if l.strip()]
    held = lambda d: int(hashlib.md5(d["id"].encode()).hexdigest(), 16) % 5 == 0
    setups = {
        "leave-one-out": (docs, docs),
        "held-out 20%": ([d for d in docs if not held(d)], [d for d in docs if held(d)]),
    }
    rrows = ["| setup | method | queries | P@1 | P@10 | ms/query |", "| --- | --- | --- | --- | --- | --- |"]
    # bm25s indexes in well under a second here; its ms/query is measured around retrieve() only.
    for setup, (corpus, queries) in setups.items():
        tag = setup.split()[0]
        cpath, qpath, qrels = f"{tmp}/{tag}.corpus.jsonl", f"{tmp}/{tag}.queries.jsonl", f"{tmp}/{tag}.qrels.tsv"
        with open(cpath, "w") as f:
            f.writelines(json.dumps(d, ensure_ascii=False) + "\n" for d in corpus)
        with open(qpath, "w") as f:
            f.writelines(json.dumps({"id": d["id"], "text": d["text"]}, ensure_ascii=False) + "\n" for d in queries)
        with open(qrels, "w") as f:
            f.writelines(f"{d['id']}\t{d['discipline']}\n" for d in queries)
        ours = f"{tmp}/{tag}.ours.jsonl"
        # Our binary reports index build and per-query time on stderr with --timing (examples/
        # match_cli); for a CLI without it, the whole run is reported as build + queries.
        t0 = time.perf_counter()
        with open(ours, "w") as f:
            p = subprocess.run(cmd + ["match", "--corpus", cpath, "--queries", qpath, "--top", "10"]
                               + (["--timing"] if a.timing else []), stdout=f, stderr=subprocess.PIPE, text=True, check=True)
        secs = time.perf_counter() - t0
        t = re.search(r"build_ms=([\d.]+) query_ms=([\d.]+)", p.stderr)
        build, per_q = (float(t.group(1)) / 1000, float(t.group(2))) if t else (secs, secs * 1000 / len(queries))
        m = score(sr, qrels, docs_path, ours)
        p = re.search(r"P@1 ([\d.]+) P@10 ([\d.]+)", m)
        rrows.append(f"| {setup} | innomesh (index build {build:.1f} s, then query time) | {len(queries)} | {p.group(1)} | {p.group(2)} | {per_q:.1f} |")
        for label, vote in [("bm25s + jieba, text only", False), ("bm25s + jieba + top-50 discipline vote", True)]:
            out = f"{tmp}/{tag}.bm25{'v' if vote else ''}.jsonl"
            secs = bm25_ranks(corpus, queries, out, vote)
            m = score(sr, qrels, docs_path, out)
            p = re.search(r"P@1 ([\d.]+) P@10 ([\d.]+)", m)
            rrows.append(f"| {setup} | {label} (query time only) | {len(queries)} | {p.group(1)} | {p.group(2)} | {secs * 1000 / len(queries):.1f} |")
    print("\n".join(rrows))
    if a.out:
        with open(a.out, "w") as f:
            f.write("\n".join(rows) + "\n\n" + "\n".join(rrows) + "\n")


if __name__ == "__main__":
    main()
