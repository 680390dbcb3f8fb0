#!/usr/bin/env python3
"""Duplicate-application detection benchmark: ours vs datasketch MinHash LSH, same files, same run.

usage: python3 bench/dedup_bench.py --cmd "target/release/examples/dedup_cli" [--seeds 11,22,33]
           [--scale 100000] [--skip-scale] [--workdir /tmp/dedup_bench] [--ds-threshold 0.5]

--cmd is called as `CMD --input APPS.jsonl` and must write flagged pairs as JSON lines on stdout
(later: --cmd "target/release/innomesh dedup"). Sets: the dev set, extra sets generated with
make_dedup.py from the given seeds, and a --scale set (default 100,000 applications). Each set is
run by ours and by datasketch (char 3-gram shingles, 128 permutations, LSH at --ds-threshold, a
pair flagged when its estimated Jaccard reaches the threshold), both timed end to end (read
JSONL, detect, write pairs) and scored by score_dedup.py. Prints a markdown table.
Needs: pip install datasketch.
"""
import argparse, json, os, platform, shlex, subprocess, sys, time

EVAL = "/work/shared/eval"
MAKE = f"{EVAL}/dedup/make_dedup.py"
POOL = f"{EVAL}/dedup/abstracts_pool.txt"
SCORE = f"{EVAL}/score/score_dedup.py"


def datasketch_run(apps_path, out_path, threshold, num_perm=128):
    """End to end with datasketch: read, shingle, MinHash, LSH, query, write pairs."""
    from datasketch import MinHash, MinHashLSH

    t0 = time.perf_counter()
    docs = [json.loads(l) for l in open(apps_path, encoding="utf-8") if l.strip()]
    lsh = MinHashLSH(threshold=threshold, num_perm=num_perm)
    hashes = []
    for d in docs:
        t = d["text"]
        m = MinHash(num_perm=num_perm)
        m.update_batch([t[i:i + 3].encode("utf-8") for i in range(max(1, len(t) - 2))])
        hashes.append(m)
        lsh.insert(d["id"], m)
    index = {d["id"]: i for i, d in enumerate(docs)}
    with open(out_path, "w", encoding="utf-8") as out:
        for i, d in enumerate(docs):
            for other in lsh.query(hashes[i]):
                j = index[other]
                if j <= i:
                    continue
                s = hashes[i].jaccard(hashes[j])
                if s >= threshold:
                    out.write(json.dumps({"a": d["id"], "b": other, "score": round(s, 4)}) + "\n")
    return time.perf_counter() - t0


def ours_run(cmd, apps_path, out_path):
    t0 = time.perf_counter()
    with open(out_path, "w", encoding="utf-8") as out:
        r = subprocess.run(shlex.split(cmd) + ["--input", apps_path], stdout=out, stderr=subprocess.PIPE, text=True)
    dt = time.perf_counter() - t0
    if r.returncode != 0:
        sys.exit(f"{cmd} failed on {apps_path}: {r.stderr.strip()}")
    return dt, r.stderr.strip()


def score(truth, flagged):
    out = subprocess.run([sys.executable, SCORE, truth, flagged], capture_output=True, text=True, check=True).stdout.split()
    # flagged N true M precision P recall R F1 F
    return float(out[5]), float(out[7]), float(out[9])


def ensure_set(workdir, seed, n_sources, scale=None):
    prefix = os.path.join(workdir, f"seed{seed}" + (f"_scale{scale}" if scale else ""))
    if not os.path.exists(prefix + "_apps.jsonl"):
        args = [sys.executable, MAKE, POOL, prefix, str(seed), str(n_sources)]
        if scale:
            args += ["--scale", str(scale)]
        subprocess.run(args, check=True, capture_output=True)
    return prefix + "_apps.jsonl", prefix + "_truth.jsonl"


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--cmd", required=True)
    ap.add_argument("--seeds", default="11,22,33")
    ap.add_argument("--scale", type=int, default=100000)
    ap.add_argument("--scale-seed", type=int, default=7)
    ap.add_argument("--skip-scale", action="store_true")
    ap.add_argument("--workdir", default="/tmp/dedup_bench")
    ap.add_argument("--ds-threshold", type=float, default=0.5)
    a = ap.parse_args()
    os.makedirs(a.workdir, exist_ok=True)
    sets = [("dev", f"{EVAL}/dedup/dev_apps.jsonl", f"{EVAL}/dedup/dev_truth.jsonl")]
    for s in [x for x in a.seeds.split(",") if x.strip()]:
        sets.append((f"seed {s}", *ensure_set(a.workdir, int(s), 1500)))
    if not a.skip_scale:
        sets.append((f"scale {a.scale} (seed {a.scale_seed})", *ensure_set(a.workdir, a.scale_seed, 1500, a.scale)))
    print(f"machine: {platform.node()} {platform.machine()}, {os.cpu_count()} cores, load {os.getloadavg()[0]:.1f} at start; "
          f"{time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}")
    print(f"ours: `{a.cmd}`; datasketch MinHashLSH(threshold={a.ds_threshold}, num_perm=128), char 3-grams\n")
    print("| set | applications | method | precision | recall | F1 | seconds | speed ratio |")
    print("|---|---:|---|---:|---:|---:|---:|---:|")
    for name, apps, truth in sets:
        n = sum(1 for l in open(apps, encoding="utf-8") if l.strip())
        out_o = os.path.join(a.workdir, "ours_out.jsonl")
        out_d = os.path.join(a.workdir, "ds_out.jsonl")
        t_o, _ = ours_run(a.cmd, apps, out_o)
        p_o, r_o, f_o = score(truth, out_o)
        t_d = datasketch_run(apps, out_d, a.ds_threshold)
        p_d, r_d, f_d = score(truth, out_d)
        print(f"| {name} | {n} | ours | {p_o:.4f} | {r_o:.4f} | {f_o:.4f} | {t_o:.2f} | {t_d / t_o:.1f}× faster |")
        print(f"| {name} | {n} | datasketch | {p_d:.4f} | {r_d:.4f} | {f_d:.4f} | {t_d:.2f} | 1.0 |")
        sys.stdout.flush()
    print(f"\nload {os.getloadavg()[0]:.1f} at end")


if __name__ == "__main__":
    main()
