"""Latency of the matching endpoints on the sample registry: starts `innomesh demo --no-serve` and
`innomesh serve` on a free port, asks /api/demands/{id}/matches for every demand and
/api/achievements/{id}/adopters for 200 results over keep-alive HTTP, and prints p50/p95/p99/max,
then the first request right after a write (the warmer rebuilds the indexes in the background and
readers get the previous ones meanwhile). Standard library only.

Usage: python3 bench/match_api_bench.py path/to/innomesh
"""

import http.client
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from innomesh_login import token_headers  # noqa: E402

AUTH = {}


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def pct(ts, p):
    ts = sorted(ts)
    return ts[min(len(ts) - 1, int(round(p / 100 * (len(ts) - 1))))]


def main():
    binary = sys.argv[1]
    tmp = tempfile.mkdtemp(prefix="innomesh-match-api-")
    port = free_port()
    log = open(os.path.join(tmp, "server.log"), "w")
    subprocess.run([binary, "demo", "--data-dir", tmp, "--no-serve"], stdout=log, stderr=subprocess.STDOUT, check=True)
    AUTH.update(token_headers(binary, tmp))
    server = subprocess.Popen([binary, "serve", "--data-dir", tmp, "--port", str(port)], stdout=log, stderr=subprocess.STDOUT)
    try:
        for _ in range(600):
            try:
                c = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
                c.request("GET", "/assets/site.css")
                if c.getresponse().read() is not None:
                    break
            except OSError:
                time.sleep(0.1)
        c = http.client.HTTPConnection("127.0.0.1", port, timeout=120)

        def get(path):
            t = time.perf_counter()
            c.request("GET", path, headers=AUTH)
            r = c.getresponse()
            r.read()
            assert r.status == 200, (path, r.status)
            return (time.perf_counter() - t) * 1000

        # The warmer builds the indexes at start; wait for the first answer.
        cold = get("/api/demands/DM000001/matches?top=20")
        c.request("GET", "/api/demands?per_page=1", headers=AUTH)
        total = json.loads(c.getresponse().read())["total"]
        rows = []
        ts = [get(f"/api/demands/DM{i:06d}/matches?top=20") for i in range(1, total + 1)]
        rows.append(("/api/demands/{id}/matches?top=20", len(ts), ts))
        ts = [get(f"/api/achievements/AC{i:06d}/adopters?top=20") for i in range(1, 201)]
        rows.append(("/api/achievements/{id}/adopters?top=20", len(ts), ts))
        print(f"first request after start: {cold:.1f} ms\n")
        print("| endpoint | requests | p50 ms | p95 ms | p99 ms | max ms |")
        print("| --- | --- | --- | --- | --- | --- |")
        for name, n, ts in rows:
            print(f"| `{name}` | {n} | {pct(ts, 50):.1f} | {pct(ts, 95):.1f} | {pct(ts, 99):.1f} | {max(ts):.1f} |")
        body = json.dumps({"to": "screened", "actor": "bench"})
        c.request("POST", "/api/demands/DM000001/transition", body=body, headers={**AUTH, "content-type": "application/json"})
        c.getresponse().read()
        after = get("/api/demands/DM000002/matches?top=20")
        time.sleep(3)
        settled = get("/api/demands/DM000002/matches?top=20")
        print(f"\nright after a write: {after:.1f} ms (previous index while the warmer rebuilds); 3 s later: {settled:.1f} ms")
    finally:
        server.terminate()
        server.wait(timeout=10)
        log.close()
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
