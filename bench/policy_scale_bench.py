"""政策找企业 in the product at scale: the same registry served by two binaries (the previous
version and this one), one after the other, each asked the same questions over HTTP with a city
staff token:

- the first `/api/policy-rules/{rule}/matches` after start (loads every enterprise's facts, then
  classifies them against the rule), for the first rule;
- the first call for each further rule (the enterprises' facts are loaded: this is policy →
  enterprises for one rule over the whole registry);
- warm calls (median of 5) of the lists, the 政策评估 and the rules page;
- the answer's size and the server's resident memory (VmRSS, VmHWM) at the end.

Usage: python3 bench/policy_scale_bench.py DATA_DIR BINARY_BEFORE BINARY_AFTER
(DATA_DIR made by `innomesh demo --scale 100 --no-serve --data-dir DATA_DIR`). Standard library.
"""

import http.client
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


def get(port, path, headers):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=1800)
    t = time.perf_counter()
    conn.request("GET", path, headers=headers)
    r = conn.getresponse()
    body = r.read()
    dt = time.perf_counter() - t
    conn.close()
    if r.status != 200:
        raise RuntimeError(f"{path}: {r.status} {body[:200]!r}")
    return dt, len(body)


def memory(pid):
    out = {}
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith(("VmRSS", "VmHWM")):
                k, v = line.split(":")
                out[k] = int(v.split()[0]) / 1024 / 1024
    return out


def run(binary, data_dir):
    headers = token_headers(binary, data_dir, name="policy-bench")
    port = free_port()
    server = subprocess.Popen([binary, "serve", "--data-dir", data_dir, "--port", str(port)],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        for _ in range(600):
            try:
                get(port, "/assets/site.css", {})
                break
            except (OSError, RuntimeError):
                time.sleep(0.5)
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
        res.update({k + " GB": v for k, v in memory(server.pid).items()})
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
        fmt = (lambda x: f"{x:10.3f}") if isinstance(a, float) else (lambda x: f"{x:10d}")
        print(f"{k:44} {fmt(a)} {fmt(b)} {ratio:>8}")


if __name__ == "__main__":
    main()
