#!/usr/bin/env python3
"""Reads while a big import runs: do list pages and detail reads stall behind the import?

    python3 bench/read_during_import.py target/release/innomesh [--rows 100000] [--readers 4]

Builds a sample database (`demo --no-serve`) and an XLSX of ROWS organisations
(`innomesh bench import --rows ROWS --keep-file F.xlsx`), starts `serve`, measures READERS
threads hitting `GET /organisations` (list page) and `GET /api/organisations/{id}` for 5 s alone
(baseline), then again while `POST /api/organisations/import` of the file runs. Prints reader
p50/p99/max per phase and endpoint, and the import's own duration.
Python 3 standard library only.
"""

import argparse
import http.client
import json
import os
import random
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from innomesh_login import token_headers  # noqa: E402

AUTH = {}


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def pct(xs, p):
    if not xs:
        return float("nan")
    return xs[min(len(xs) - 1, int(round(p / 100 * (len(xs) - 1))))]


def wait_ready(proc, port, timeout=600):
    start = time.time()
    while time.time() - start < timeout:
        if proc.poll() is not None:
            raise SystemExit(f"server exited with {proc.returncode}")
        try:
            c = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            c.request("GET", "/api/organisations?per_page=1", headers=AUTH)
            r = c.getresponse()
            r.read()
            c.close()
            if r.status == 200:
                return time.time() - start
        except OSError:
            pass
        time.sleep(0.1)
    raise SystemExit("server did not become ready")


def reader(port, ids, stop, out, seed):
    rnd = random.Random(seed)
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=300)
    lat = {"list": [], "detail": []}
    errors = 0
    while not stop.is_set():
        if rnd.random() < 0.5:
            what, path = "list", f"/organisations?page={rnd.randint(1, 20)}"
        else:
            what, path = "detail", f"/api/organisations/{rnd.choice(ids)}"
        t = time.perf_counter()
        try:
            conn.request("GET", path, headers=AUTH)
            r = conn.getresponse()
            r.read()
            ok = r.status == 200
        except (OSError, http.client.HTTPException):
            ok = False
            conn.close()
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=300)
        if ok:
            lat[what].append(time.perf_counter() - t)
        else:
            errors += 1
    conn.close()
    out.append((lat, errors))


def read_phase(port, ids, readers, until):
    """Runs readers until `until()` returns; returns merged latencies and errors."""
    stop, out = threading.Event(), []
    ts = [threading.Thread(target=reader, args=(port, ids, stop, out, i)) for i in range(readers)]
    for t in ts:
        t.start()
    until()
    stop.set()
    for t in ts:
        t.join()
    merged = {"list": [], "detail": []}
    for lat, _ in out:
        for k in merged:
            merged[k].extend(lat[k])
    return merged, sum(e for _, e in out)


def report(phase, merged, errors, seconds):
    for k in ("list", "detail"):
        xs = sorted(merged[k])
        print(
            f"{phase} {k:6} n={len(xs)} per_s={len(xs) / seconds:.1f} "
            f"p50_ms={pct(xs, 50) * 1000:.1f} p99_ms={pct(xs, 99) * 1000:.1f} "
            f"max_ms={(xs[-1] if xs else 0) * 1000:.1f}"
        )
    allx = sorted(merged["list"] + merged["detail"])
    print(
        f"read_during_import phase={phase} reads={len(allx)} "
        f"p50_ms={pct(allx, 50) * 1000:.1f} p99_ms={pct(allx, 99) * 1000:.1f} "
        f"max_ms={(allx[-1] if allx else 0) * 1000:.1f} errors={errors}",
        flush=True,
    )


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("binary")
    ap.add_argument("--rows", type=int, default=100_000)
    ap.add_argument("--readers", type=int, default=4)
    ap.add_argument("--baseline-seconds", type=float, default=5)
    ap.add_argument("--file", help="reuse this XLSX instead of generating one")
    a = ap.parse_args()
    binary = os.path.abspath(a.binary)
    tmp = tempfile.mkdtemp(prefix="innomesh-read-import-")
    data = os.path.join(tmp, "data")
    log = open(os.path.join(tmp, "server.log"), "ab")
    t = time.time()
    subprocess.run([binary, "demo", "--no-serve", "--data-dir", data],
                   check=True, stdout=log, stderr=log)
    print(f"demo built in {time.time() - t:.1f} s", flush=True)
    xlsx = a.file
    if not xlsx:
        xlsx = os.path.join(tmp, "orgs.xlsx")
        t = time.time()
        bench = subprocess.run([binary, "bench", "import", "--rows", str(a.rows),
                                "--keep-file", xlsx], check=True, capture_output=True, text=True)
        print(f"file made in {time.time() - t:.1f} s; bench import said: "
              f"{bench.stdout.strip().splitlines()[0] if bench.stdout.strip() else ''}",
              flush=True)
    body = open(xlsx, "rb").read()
    AUTH.update(token_headers(binary, data))
    port = free_port()
    proc = subprocess.Popen([binary, "serve", "--data-dir", data, "--port", str(port)],
                            stdout=log, stderr=log)
    try:
        print(f"server ready in {wait_ready(proc, port):.1f} s", flush=True)
        c = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        c.request("GET", "/api/organisations?per_page=100", headers=AUTH)
        page = json.loads(c.getresponse().read())
        c.close()
        ids = [o["credit_code"] for o in page["items"]]

        t0 = time.time()
        merged, errors = read_phase(port, ids, a.readers,
                                    lambda: time.sleep(a.baseline_seconds))
        report("baseline", merged, errors, time.time() - t0)

        result = {}

        def do_import():
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=3600)
            t = time.perf_counter()
            conn.request("POST", "/api/organisations/import?filename=bench.xlsx", body=body,
                         headers={**AUTH, "content-type": "application/octet-stream"})
            r = conn.getresponse()
            raw = r.read()
            result["seconds"] = time.perf_counter() - t
            result["status"] = r.status
            result["body"] = raw[:300].decode(errors="replace")
            conn.close()

        t0 = time.time()
        merged, errors = read_phase(port, ids, a.readers, do_import)
        wall = time.time() - t0
        report("during_import", merged, errors, wall)
        print(
            f"import rows={a.rows} status={result['status']} seconds={result['seconds']:.1f} "
            f"rows_per_s={a.rows / result['seconds']:.0f} answer={result['body']}",
            flush=True,
        )
    finally:
        proc.send_signal(signal.SIGINT)
        try:
            proc.wait(timeout=120)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()
    shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
