"""Warm timings of the duplicate review (重复申报审查) pages and API, a baseline binary against a
candidate on the same sample, in the same run: each binary builds its own `demo --no-serve`
database (same seed, so the same registry) and serves it; after one warm-up request per address,
requests alternate between the two servers (baseline, candidate, baseline, …) so machine load
hits both alike. Prints a Markdown table (median and p95 in ms, candidate ÷ baseline).

Usage: python3 bench/duplicates_pages_bench.py BASELINE_BIN CANDIDATE_BIN [N] [--scale S]
Standard library only.
"""

import http.client
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from innomesh_login import token_headers  # noqa: E402

PATHS = [
    "/funding/duplicates",
    "/funding/duplicates/{pair}",
    "/api/funding/duplicates",
]


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start(binary, scale, tmp, name):
    data = os.path.join(tmp, name)
    log = open(os.path.join(tmp, name + ".log"), "w")
    subprocess.run([binary, "demo", "--data-dir", data, "--no-serve", "--scale", str(scale)],
                   stdout=log, stderr=subprocess.STDOUT, check=True, timeout=3600)
    headers = token_headers(binary, data, name="dupbench")
    port = free_port()
    proc = subprocess.Popen([binary, "serve", "--data-dir", data, "--port", str(port)],
                            stdout=log, stderr=subprocess.STDOUT)
    for _ in range(600):
        try:
            c = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            c.request("GET", "/assets/site.css")
            c.getresponse().read()
            break
        except OSError:
            time.sleep(0.5)
    return proc, http.client.HTTPConnection("127.0.0.1", port, timeout=600), headers


def get(conn, headers, path):
    t0 = time.perf_counter()
    conn.request("GET", path, headers=headers)
    r = conn.getresponse()
    body = r.read()
    ms = (time.perf_counter() - t0) * 1000
    if r.status != 200:
        raise SystemExit(f"{path} answered {r.status}: {body[:200]!r}")
    return ms, body


def main():
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    scale = 1
    if "--scale" in sys.argv:
        scale = int(sys.argv[sys.argv.index("--scale") + 1])
        args = [a for a in args if a != str(scale)]
    if len(args) < 2:
        print(__doc__)
        return 2
    base_bin, cand_bin = args[0], args[1]
    n = int(args[2]) if len(args) > 2 else 30
    tmp = tempfile.mkdtemp(prefix="innomesh-dupbench-")
    procs = []
    try:
        servers = []
        for name, b in (("baseline", base_bin), ("candidate", cand_bin)):
            proc, conn, headers = start(b, scale, tmp, name)
            procs.append(proc)
            servers.append((conn, headers))
        # A text-duplicate pair from the candidate's API (the registry is the same in both).
        import json
        _, body = get(servers[1][0], servers[1][1], "/api/funding/duplicates?kind=text&limit=1")
        p = json.loads(body)["pairs"][0]
        pair = f"{p['a']['id']}/{p['b']['id']}"
        paths = [x.replace("{pair}", pair) for x in PATHS]
        first = {}
        for path in paths:
            for k, (conn, headers) in enumerate(servers):
                first[(path, k)] = get(conn, headers, path)[0]
        times = {(path, k): [] for path in paths for k in range(2)}
        for _ in range(n):
            for path in paths:
                for k, (conn, headers) in enumerate(servers):
                    times[(path, k)].append(get(conn, headers, path)[0])
        load = os.getloadavg()[0]
        print(f"scale ×{scale}, {n} warm requests each, alternating; load average {load:.1f}")
        print("| address | first (baseline / candidate) | baseline median / p95 | candidate median / p95 | ratio of medians |")
        print("| --- | --- | --- | --- | --- |")
        for path in paths:
            row = []
            for k in range(2):
                t = sorted(times[(path, k)])
                row.append((statistics.median(t), t[int(0.95 * (len(t) - 1))]))
            print(f"| `{path}` | {first[(path, 0)]:.0f} / {first[(path, 1)]:.0f} ms | "
                  f"{row[0][0]:.1f} / {row[0][1]:.1f} ms | {row[1][0]:.1f} / {row[1][1]:.1f} ms | "
                  f"{row[1][0] / row[0][0]:.2f} |")
    finally:
        for p in procs:
            p.terminate()
            try:
                p.wait(timeout=10)
            except subprocess.TimeoutExpired:
                p.kill()
        shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
