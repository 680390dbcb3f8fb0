#!/usr/bin/env python3
"""Benchmark the capacity optimiser against peers on the same instances with the same time limit.

GAP (generalized assignment): ours vs HiGHS (MIP) vs OR-Tools CP-SAT (2 workers).
FJSP (flexible job shop):     ours vs OR-Tools CP-SAT (2 workers).
Every answer, ours and the peers', is checked by the evaluation scorers (verify_gap.py /
verify_fjsp.py), which recompute cost / makespan themselves. Prints a markdown table.

usage: alloc_bench.py [--cmd "target/release/innomesh alloc"] [--time-limit 10]
                      [--eval ../shared/eval] [--gap chu1997,yagiura2004] [--fjsp brandimarte]
                      [--only REGEX] [--peers highs,cpsat] [--out FILE]
pip install highspy ortools   (peers are skipped with a note when missing)
"""
import argparse, csv, json, os, re, shlex, subprocess, sys, tempfile, time


def parse_args():
    ap = argparse.ArgumentParser()
    ap.add_argument("--cmd", default="target/release/innomesh alloc",
                    help="command prefix; run as CMD gap|fjsp INSTANCE --time-limit S")
    ap.add_argument("--bin", help="alias of --cmd")
    ap.add_argument("--time-limit", type=float, default=10.0)
    ap.add_argument("--eval", default=os.environ.get("INNOMESH_EVAL_DIR", "../shared/eval"))
    ap.add_argument("--gap", default="chu1997,yagiura2004", help="GAP families (comma list, empty = none)")
    ap.add_argument("--fjsp", default="brandimarte", help="FJSP families (comma list, empty = none)")
    ap.add_argument("--only", default="", help="regex on family/instance to keep")
    ap.add_argument("--peers", default="highs,cpsat")
    ap.add_argument("--out", help="also write the markdown here")
    return ap.parse_args()


def read_gap(path):
    t = [int(x) for x in open(path).read().split()]
    m, n = t[0], t[1]
    p = 2
    c = [t[p + i * n: p + (i + 1) * n] for i in range(m)]
    p += m * n
    w = [t[p + i * n: p + (i + 1) * n] for i in range(m)]
    p += m * n
    return m, n, c, w, t[p: p + m]


def read_fjsp(path):
    tok = open(path).read().split()
    pos = 0

    def nxt():
        nonlocal pos
        pos += 1
        return int(float(tok[pos - 1]))
    nj, nm = nxt(), nxt()
    jobs = []
    for _ in range(nj):
        ops = []
        for _ in range(nxt()):
            ops.append({nxt(): nxt() for _ in range(nxt())})
        jobs.append(ops)
    return nj, nm, jobs


def verify(kind, eval_dir, inst, result):
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as f:
        json.dump(result, f)
        name = f.name
    script = os.path.join(eval_dir, "score", f"verify_{kind}.py")
    ref = os.path.join(eval_dir, kind, "optima.csv" if kind == "gap" else "instances.json")
    r = subprocess.run([sys.executable, script, inst, name, ref], capture_output=True, text=True)
    os.unlink(name)
    out = (r.stdout + r.stderr).strip()
    m = re.search(r"(?:feasible cost|valid makespan) (-?\d+)", out)
    return (int(m.group(1)) if (r.returncode == 0 and m) else None), out


def run_ours(cmd, kind, inst, tl):
    t0 = time.time()
    r = subprocess.run(shlex.split(cmd) + [kind, inst, "--time-limit", str(tl)], capture_output=True, text=True)
    dt = time.time() - t0
    if r.returncode != 0:
        return None, dt, r.stderr.strip()[:200]
    try:
        return json.loads(r.stdout), dt, ""
    except json.JSONDecodeError as e:
        return None, dt, f"bad JSON: {e}"


def highs_gap(path, tl):
    import highspy
    import numpy as np
    m, n, c, w, cap = read_gap(path)
    h = highspy.Highs()
    h.setOptionValue("output_flag", False)
    h.setOptionValue("time_limit", float(tl))
    h.setOptionValue("threads", 1)
    nv = m * n
    lp = highspy.HighsLp()
    lp.num_col_ = nv
    lp.col_cost_ = np.array([c[i][j] for i in range(m) for j in range(n)], dtype=float)
    lp.col_lower_ = np.zeros(nv)
    lp.col_upper_ = np.ones(nv)
    lp.integrality_ = [highspy.HighsVarType.kInteger] * nv
    starts, idx, val, lo, up = [0], [], [], [], []
    for j in range(n):
        for i in range(m):
            idx.append(i * n + j); val.append(1.0)
        starts.append(len(idx)); lo.append(1.0); up.append(1.0)
    for i in range(m):
        for j in range(n):
            idx.append(i * n + j); val.append(float(w[i][j]))
        starts.append(len(idx)); lo.append(-highspy.kHighsInf); up.append(float(cap[i]))
    lp.num_row_ = n + m
    lp.row_lower_ = np.array(lo)
    lp.row_upper_ = np.array(up)
    lp.a_matrix_.format_ = highspy.MatrixFormat.kRowwise
    lp.a_matrix_.start_ = np.array(starts)
    lp.a_matrix_.index_ = np.array(idx)
    lp.a_matrix_.value_ = np.array(val)
    h.passModel(lp)
    h.run()
    if h.getInfo().primal_solution_status != 2:
        return None
    x = h.getSolution().col_value
    return {"assignment": [max(range(m), key=lambda i: x[i * n + j]) for j in range(n)]}


def cpsat_gap(path, tl):
    from ortools.sat.python import cp_model
    m, n, c, w, cap = read_gap(path)
    md = cp_model.CpModel()
    x = [[md.NewBoolVar("") for j in range(n)] for i in range(m)]
    for j in range(n):
        md.AddExactlyOne(x[i][j] for i in range(m))
    for i in range(m):
        md.Add(sum(w[i][j] * x[i][j] for j in range(n)) <= cap[i])
    md.Minimize(sum(c[i][j] * x[i][j] for i in range(m) for j in range(n)))
    s = cp_model.CpSolver()
    s.parameters.max_time_in_seconds = tl
    s.parameters.num_workers = 2
    st = s.Solve(md)
    if st not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return None
    return {"assignment": [next(i for i in range(m) if s.Value(x[i][j])) for j in range(n)]}


def cpsat_fjsp(path, tl):
    from ortools.sat.python import cp_model
    nj, nm, jobs = read_fjsp(path)
    horizon = sum(max(o.values()) for ops in jobs for o in ops)
    md = cp_model.CpModel()
    per_machine = {k: [] for k in range(nm)}
    starts, ends, choice = {}, {}, {}
    for j, ops in enumerate(jobs):
        for k, alts in enumerate(ops):
            s = md.NewIntVar(0, horizon, "")
            e = md.NewIntVar(0, horizon, "")
            starts[j, k], ends[j, k] = s, e
            lits = []
            for mc, p in alts.items():
                b = md.NewBoolVar("")
                iv = md.NewOptionalIntervalVar(s, p, e, b, "")
                per_machine[mc].append(iv)
                lits.append((mc, b))
            md.AddExactlyOne(b for _, b in lits)
            choice[j, k] = lits
            if k > 0:
                md.Add(s >= ends[j, k - 1])
    for ivs in per_machine.values():
        md.AddNoOverlap(ivs)
    mk = md.NewIntVar(0, horizon, "")
    md.AddMaxEquality(mk, [ends[j, len(ops) - 1] for j, ops in enumerate(jobs) if ops])
    md.Minimize(mk)
    sv = cp_model.CpSolver()
    sv.parameters.max_time_in_seconds = tl
    sv.parameters.num_workers = 2
    st = sv.Solve(md)
    if st not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return None
    ops_out = []
    for (j, k), lits in choice.items():
        mc = next(mc for mc, b in lits if sv.Value(b))
        ops_out.append({"job": j, "op": k, "machine": mc, "start": sv.Value(starts[j, k]), "end": sv.Value(ends[j, k])})
    return {"operations": ops_out}


def best_known_gap(eval_dir):
    out = {}
    for r in csv.DictReader(open(os.path.join(eval_dir, "gap", "optima.csv"))):
        out[r["instance"]] = int(r["optimum"] or r["best_known_value"])
    return out


def best_known_fjsp(eval_dir):
    out = {}
    for r in json.load(open(os.path.join(eval_dir, "fjsp", "instances.json"))):
        best = r.get("optimum") or (r.get("bounds") or {}).get("upper")
        if best:
            out[r["path"]] = best
    return out


def pct(v, ref):
    return None if v is None or not ref else 100.0 * (v - ref) / ref


def fmt(x, nd=2):
    return "—" if x is None else (f"{x:.{nd}f}" if isinstance(x, float) else str(x))


def main():
    a = parse_args()
    cmd = a.bin or a.cmd
    peers = [p for p in a.peers.split(",") if p]
    lines = []

    def emit(s=""):
        print(s, flush=True)
        lines.append(s)

    only = re.compile(a.only) if a.only else None
    for kind, fams, peer_list in (("gap", a.gap, [p for p in peers if p in ("highs", "cpsat")]),
                                  ("fjsp", a.fjsp, [p for p in peers if p == "cpsat"])):
        fams = [f for f in fams.split(",") if f]
        if not fams:
            continue
        ref = best_known_gap(a.eval) if kind == "gap" else best_known_fjsp(a.eval)
        solvers = ["ours"] + peer_list
        runners = {"highs": highs_gap, "cpsat": cpsat_gap if kind == "gap" else cpsat_fjsp}
        emit(f"\n### {kind.upper()} — time limit {a.time_limit:g} s per instance and solver\n")
        head = "| instance | best known | " + " | ".join(f"{s} | {s} gap %" for s in solvers)
        head += " | " + " | ".join(f"ours/{p}" for p in peer_list) + " | ours s |"
        emit(head)
        emit("|" + "---|" * (2 + 2 * len(solvers) + len(peer_list) + 1))
        gaps = {s: [] for s in solvers}
        ratios = {p: [] for p in peer_list}
        for fam in fams:
            d = os.path.join(a.eval, kind, fam)
            if not os.path.isdir(d):
                emit(f"(missing {d})")
                continue
            files = sorted(os.listdir(d), key=lambda s: (len(s), s))
            for fn in files:
                key = f"{fam}/{fn}"
                if only and not only.search(key):
                    continue
                inst = os.path.join(d, fn)
                refv = ref.get(key)
                vals, secs = {}, None
                res, secs, err = run_ours(cmd, kind, inst, a.time_limit)
                vals["ours"] = verify(kind, a.eval, inst, res)[0] if res else None
                if res is None:
                    print(f"  ours failed on {key}: {err}", file=sys.stderr)
                for p in peer_list:
                    try:
                        r = runners[p](inst, a.time_limit)
                        vals[p] = verify(kind, a.eval, inst, r)[0] if r else None
                    except ImportError as e:
                        print(f"  peer {p} unavailable: {e}", file=sys.stderr)
                        vals[p] = None
                row = f"| {key} | {fmt(refv)} | "
                row += " | ".join(f"{fmt(vals[s])} | {fmt(pct(vals[s], refv))}" for s in solvers)
                rr = []
                for p in peer_list:
                    r = vals["ours"] / vals[p] if vals["ours"] and vals[p] else None
                    if r:
                        ratios[p].append(r)
                    rr.append(fmt(r, 3))
                row += " | " + " | ".join(rr) + f" | {secs:.1f} |"
                emit(row)
                for s in solvers:
                    g = pct(vals[s], refv)
                    if g is not None:
                        gaps[s].append(g)
        summary = "| **mean** | | " + " | ".join(
            f"{len(gaps[s])} solved | {fmt(sum(gaps[s]) / len(gaps[s]) if gaps[s] else None, 3)}" for s in solvers)
        summary += " | " + " | ".join(fmt(sum(ratios[p]) / len(ratios[p]) if ratios[p] else None, 3) for p in peer_list)
        summary += " | |"
        emit(summary)
        emit("\n(gap % = (value − best known) / best known; ratio < 1 means ours is better; "
             "— = no verified answer within the limit)")
    if a.out:
        with open(a.out, "w") as f:
            f.write("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
