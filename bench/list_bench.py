"""Registry list pages at scale (issue #14): the previous binary and this one, each serving its
own copy of the same registry, asked the same list pages and list API reads.

For each (BINARY, DATA_DIR) pair, in one run: start `innomesh serve`, wait until its start-up
work is done (WAIT seconds, default 120), then per URL the first request and 10 more (p50, p95);
then one write (a new expert, `POST /api/people`) and the first request of each list after it;
then the server's VmHWM. Besides wall times (inflated on a loaded machine), the server's own CPU
time per warm request (its threads but the background warmer, from /proc), which contention
does not inflate. Prints a table with both binaries side by side and the ratio.

Usage: python3 bench/list_bench.py OLD_BINARY OLD_DATA_DIR NEW_BINARY NEW_DATA_DIR
(the data dirs are copies of one registry made by `innomesh demo --scale N --no-serve`; the new
binary migrates its copy on start). Standard library only.
"""

import http.client
import json
import os
import socket
import statistics
import subprocess
import sys
import time
import urllib.parse
import uuid

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from innomesh_login import token_headers  # noqa: E402

Q = urllib.parse.quote
URLS = [
    "/organisations",
    "/organisations?region=150203",
    "/api/organisations?region=150203&per_page=20",
    "/organisations?industry=C",
    "/organisations?industry=C&page=200",
    "/organisations?flag=high_tech",
    "/organisations?page=200",
    "/organisations?q=" + Q("稀土"),
    "/api/organisations?q=" + Q("稀土") + "&per_page=20",
    "/organisations?q=" + Q("量子计算"),
    "/achievements",
    "/achievements?q=" + Q("永磁"),
    "/supply-relations?page=50",
    "/people",
]
AFTER_WRITE = ["/organisations?region=150203", "/organisations", "/people", "/achievements"]


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def get(port, path, headers, method="GET", body=None):
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=1800)
    t = time.perf_counter()
    c.request(method, path, body=body, headers=headers)
    r = c.getresponse()
    data = r.read()
    return r.status, time.perf_counter() - t, data


TICK = os.sysconf("SC_CLK_TCK")


def cpu_s(pid):
    """CPU seconds (user + system) of the server's threads, except the background warmer's: what
    requests cost, whatever else the machine is doing."""
    total = 0
    for tid in os.listdir(f"/proc/{pid}/task"):
        try:
            stat = open(f"/proc/{pid}/task/{tid}/stat").read()
        except OSError:
            continue
        name = stat[stat.index("(") + 1:stat.rindex(")")]
        if name.startswith("innomesh-warmer"):
            continue
        fields = stat[stat.rindex(")") + 2:].split()
        total += int(fields[11]) + int(fields[12])
    return total / TICK


def hwm_gb(pid):
    for line in open(f"/proc/{pid}/status"):
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024 / 1024
    return 0.0


def run(binary, data_dir, wait):
    headers = token_headers(binary, data_dir, name="list-bench")
    port = free_port()
    srv = subprocess.Popen([binary, "serve", "--data-dir", data_dir, "--port", str(port)],
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        t0 = time.time()
        while True:
            try:
                get(port, "/login", {})
                break
            except OSError:
                if srv.poll() is not None:
                    raise RuntimeError(f"{binary} exited")
                time.sleep(0.5)
        res = {"ready_s": time.time() - t0, "urls": {}, "after_write": {}}
        time.sleep(wait)
        for u in URLS:
            s, first, _ = get(port, u, headers)
            c0 = cpu_s(srv.pid)
            ts = sorted(get(port, u, headers)[1] for _ in range(10))
            cpu = (cpu_s(srv.pid) - c0) / 10
            res["urls"][u] = (s, first, statistics.median(ts), ts[9], cpu)
        body = json.dumps({"name": "列表测试专家" + uuid.uuid4().hex[:6], "role": "专家",
                           "region": "150203"}).encode()
        h = dict(headers, **{"Content-Type": "application/json"})
        s, dt, _ = get(port, "/api/people", h, "POST", body)
        res["write"] = (s, dt)
        for u in AFTER_WRITE:
            s, dt, _ = get(port, u, headers)
            res["after_write"][u] = (s, dt)
        res["hwm_gb"] = hwm_gb(srv.pid)
        return res
    finally:
        srv.terminate()
        srv.wait()


def main():
    if len(sys.argv) != 5:
        sys.exit(__doc__)
    wait = int(os.environ.get("WAIT", "120"))
    old = run(sys.argv[1], sys.argv[2], wait)
    new = run(sys.argv[3], sys.argv[4], wait)
    ms = lambda x: f"{x * 1000:.0f}"  # noqa: E731
    print(f"ready: {old['ready_s']:.1f} s → {new['ready_s']:.1f} s; "
          f"VmHWM {old['hwm_gb']:.2f} → {new['hwm_gb']:.2f} GB")
    print("| URL | first (ms) before → after | warm p50 (ms) before → after | warm p95 (ms) before → after "
          "| server CPU per warm request (ms) before → after | CPU ratio |")
    print("|---|---|---|---|---|---|")
    for u in URLS:
        a, b = old["urls"][u], new["urls"][u]
        flag = "" if a[0] == b[0] == 200 else f" (status {a[0]} → {b[0]})"
        print(f"| `{urllib.parse.unquote(u)}`{flag} | {ms(a[1])} → {ms(b[1])} | {ms(a[2])} → {ms(b[2])} "
              f"| {ms(a[3])} → {ms(b[3])} | {ms(a[4])} → {ms(b[4])} | {a[4] / max(b[4], 1e-3):.1f}× |")
    print(f"| one write (`POST /api/people`, status {old['write'][0]} / {new['write'][0]}) "
          f"| {ms(old['write'][1])} → {ms(new['write'][1])} | | | | |")
    for u in AFTER_WRITE:
        a, b = old["after_write"][u], new["after_write"][u]
        print(f"| first `{u}` after the write | {ms(a[1])} → {ms(b[1])} | | | | |")


if __name__ == "__main__":
    main()
