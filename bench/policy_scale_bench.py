"""政策找企业 in the product at scale: the same registry served by two binaries (the previous
version and this one), one after the other, each asked the same questions over HTTP with a city
staff token:

- the first `/api/policy-rules/{rule}/matches` after start (loads every enterprise's facts, then
  classifies them against the rule), for the first rule;
- the first call for each further rule (the enterprises' facts are loaded: this is policy →
  enterprises for one rule over the whole registry);
- warm calls (median of 5) of the lists, the 政策评估 and the rules page;
- one write (a fact entered for one enterprise through the API), then the first call of the first
  rule and of a second rule after it;
- the server's resident memory (VmRSS, VmHWM) at that point;
- a second start: the first call after the server has finished its start-up work (its CPU time
  has stopped growing for 3 s);
- the answer's size.

Usage: python3 bench/policy_scale_bench.py DATA_DIR BINARY_BEFORE BINARY_AFTER
(DATA_DIR made by `innomesh demo --scale 100 --no-serve --data-dir DATA_DIR`). It writes to
DATA_DIR (an API token, the fact entered, a newer binary's migrations): run it on a copy.
Standard library.
"""

import http.client
import json
import os
import socket
import statistics
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from innomesh_login import token_headers  # noqa: E402

RULES = ["hitech_certification", "tech_sme", "specialised_sme"]


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def get(port, path, headers, method="GET", body=None):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=1800)
    t = time.perf_counter()
    conn.request(method, path, body=body, headers=headers)
    r = conn.getresponse()
    body = r.read()
    dt = time.perf_counter() - t
    conn.close()
    if r.status != 200:
        raise RuntimeError(f"{path}: {r.status} {body[:200]!r}")
    get.last = body
    return dt, len(body)


def memory(pid):
    out = {}
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith(("VmRSS", "VmHWM")):
                k, v = line.split(":")
                out[k] = int(v.split()[0]) / 1024 / 1024
    return out


def cpu_seconds(pid):
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def start(binary, data_dir):
    port = free_port()
    server = subprocess.Popen([binary, "serve", "--data-dir", data_dir, "--port", str(port)],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    for _ in range(1200):
        try:
            get(port, "/assets/site.css", {})
            break
        except (OSError, RuntimeError):
            time.sleep(0.5)
    return server, port


def run(binary, data_dir):
    headers = token_headers(binary, data_dir, name="policy-bench")
    server, port = start(binary, data_dir)
    try:
        res = {}
        matches = "/api/policy-rules/{}/matches"
        res["first rule, cold (facts load + classify)"], res["answer bytes"] = get(
            port, matches.format(RULES[0]), headers)
        for r in RULES[1:]:
            res[f"first call, {r} (classify one rule)"], _ = get(port, matches.format(r), headers)
        warm = [get(port, matches.format(RULES[0]), headers)[0] for _ in range(5)]
        res["warm lists, median"] = statistics.median(warm)
        warm = [get(port, f"/api/policy-rules/{RULES[0]}/assessment", headers)[0] for _ in range(5)]
        res["warm 政策评估, median"] = statistics.median(warm)
        warm = [get(port, "/policy-rules", headers)[0] for _ in range(5)]
        res["warm /policy-rules page, median"] = statistics.median(warm)
        # One write: a fact entered for the first enterprise of a list.
        get(port, matches.format(RULES[0]) + "?list=unknown&limit=1", headers)
        org = json.loads(get.last)["unknown"][0]["org"]
        body = json.dumps({"facts": [{"key": "innovation_score", "value": 77}]}).encode()
        put = dict(headers, **{"Content-Type": "application/json"})
        res["the write (PUT policy-facts)"], _ = get(
            port, f"/api/organisations/{org}/policy-facts", put, "PUT", body)
        res["first call after the write, " + RULES[0]], _ = get(
            port, matches.format(RULES[0]), headers)
        res["first call after the write, " + RULES[1]], _ = get(
            port, matches.format(RULES[1]), headers)
        res.update({k + " GB": v for k, v in memory(server.pid).items()})
    finally:
        server.terminate()
        server.wait()
    server, port = start(binary, data_dir)
    try:
        # Start-up work done: CPU time unchanged for 3 s (at most 30 minutes).
        t0, last, still = time.perf_counter(), -1.0, 0
        while still < 3 and time.perf_counter() - t0 < 1800:
            time.sleep(1)
            now = cpu_seconds(server.pid)
            still = still + 1 if now - last < 0.05 else 0
            last = now
        res["second start: start-up work (s)"] = time.perf_counter() - t0
        res["second start: first call after it"], _ = get(port, matches.format(RULES[0]), headers)
        return res
    finally:
        server.terminate()
        server.wait()


def main():
    data_dir, before, after = sys.argv[1:4]
    results = [run(before, data_dir), run(after, data_dir)]
    print(f"load average {os.getloadavg()[0]:.1f}")
    print(f"{'':44} {'before':>10} {'after':>10} {'ratio':>8}")
    for k in results[0]:
        a, b = results[0][k], results[1].get(k)
        ratio = f"{a / b:.1f}×" if b else ""
        fmt = (lambda x: f"{x:10.3f}" if x is not None else f"{'–':>10}") if isinstance(
            a, float) else (lambda x: f"{x:10d}")
        print(f"{k:44} {fmt(a)} {fmt(b)} {ratio:>8}")


if __name__ == "__main__":
    main()
