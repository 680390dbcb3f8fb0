#!/usr/bin/env python3
"""Write throughput: concurrent clients creating people through the JSON API.

    python3 bench/write_load.py target/release/innomesh [--clients 20] [--seconds 30] [--scale 1]

Builds a fresh sample database (`demo --no-serve`), starts `serve` on it, waits until it answers,
then CLIENTS threads each POST /api/people over one keep-alive connection for SECONDS. Prints
creates/s, latency p50/p99/max and errors (non-2xx answers and broken connections), plus the
server's CPU time over the run. Target: >= 200 creates/s with p99 < 300 ms.
Python 3 standard library only.
"""

import argparse
import http.client
import json
import os
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


def pct(sorted_values, p):
    if not sorted_values:
        return float("nan")
    i = min(len(sorted_values) - 1, int(round(p / 100 * (len(sorted_values) - 1))))
    return sorted_values[i]


def cpu_seconds(pid):
    """User + system CPU seconds of a process (Linux /proc)."""
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    ticks = os.sysconf("SC_CLK_TCK")
    return (int(fields[11]) + int(fields[12])) / ticks


def wait_ready(proc, port, timeout=600):
    start = time.time()
    while time.time() - start < timeout:
        if proc.poll() is not None:
            raise SystemExit(f"server exited with {proc.returncode}")
        try:
            c = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            c.request("GET", "/api/people?per_page=1", headers=AUTH)
            r = c.getresponse()
            r.read()
            c.close()
            if r.status == 200:
                return time.time() - start
        except OSError:
            pass
        time.sleep(0.1)
    raise SystemExit("server did not become ready")


def client(port, no, run, out, start_gate):
    lat, errors = [], 0
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    n = 0
    start_gate.wait()
    while time.time() < run["deadline"]:
        n += 1
        body = json.dumps(
            {"name": f"压测员c{no}n{n}", "role": "expert", "expertise": "稀土永磁材料 检测"},
            ensure_ascii=False,
        ).encode()
        t = time.perf_counter()
        try:
            conn.request("POST", "/api/people", body=body,
                         headers={**AUTH, "content-type": "application/json"})
            r = conn.getresponse()
            r.read()
            ok = r.status == 201
        except (OSError, http.client.HTTPException):
            ok = False
            conn.close()
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        dt = time.perf_counter() - t
        if ok:
            lat.append(dt)
        else:
            errors += 1
    conn.close()
    out[no] = (lat, errors)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("binary")
    ap.add_argument("--clients", type=int, default=20)
    ap.add_argument("--seconds", type=float, default=30)
    ap.add_argument("--scale", type=int, default=1)
    ap.add_argument("--data-dir", help="use this data directory (built with demo if empty)")
    a = ap.parse_args()
    binary = os.path.abspath(a.binary)
    tmp = tempfile.mkdtemp(prefix="innomesh-write-load-")
    data = a.data_dir or os.path.join(tmp, "data")
    log = open(os.path.join(tmp, "server.log"), "ab")
    if not os.path.exists(os.path.join(data, "innomesh.db")):
        t = time.time()
        subprocess.run([binary, "demo", "--no-serve", "--scale", str(a.scale),
                        "--data-dir", data], check=True, stdout=log, stderr=log)
        print(f"demo ×{a.scale} built in {time.time() - t:.1f} s", flush=True)
    AUTH.update(token_headers(binary, data))
    port = free_port()
    proc = subprocess.Popen([binary, "serve", "--data-dir", data, "--port", str(port)],
                            stdout=log, stderr=log)
    try:
        ready = wait_ready(proc, port)
        print(f"server ready in {ready:.1f} s (pid {proc.pid})", flush=True)
        out = {}
        gate = threading.Event()
        run = {}
        threads = [threading.Thread(target=client, args=(port, i, run, out, gate))
                   for i in range(a.clients)]
        for th in threads:
            th.start()
        cpu0, t0 = cpu_seconds(proc.pid), time.time()
        run["deadline"] = t0 + a.seconds
        gate.set()
        for th in threads:
            th.join()
        wall = time.time() - t0
        cpu = cpu_seconds(proc.pid) - cpu0
    finally:
        proc.send_signal(signal.SIGINT)
        try:
            proc.wait(timeout=60)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()
    lat = sorted(x for l, _ in out.values() for x in l)
    errors = sum(e for _, e in out.values())
    print(
        f"write_load clients={a.clients} seconds={wall:.1f} creates={len(lat)} "
        f"creates_per_s={len(lat) / wall:.1f} p50_ms={pct(lat, 50) * 1000:.1f} "
        f"p99_ms={pct(lat, 99) * 1000:.1f} max_ms={(lat[-1] if lat else 0) * 1000:.1f} "
        f"errors={errors} server_cpu_s={cpu:.1f} server_cpu_per_create_ms="
        f"{cpu / max(1, len(lat)) * 1000:.2f}",
        flush=True,
    )
    if not a.data_dir:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
