"""The whole product at scale (issue #14): one binary serving existing registries (×1 and ×100),
asked what an operator and the users ask, over HTTP with a city-staff API token.

For each DATA_DIR, in one run and in this order:

1. **ready**: seconds from `innomesh serve` to the first answer;
2. **first match after start**: `/api/demands/{id}/matches` for the first open demand;
3. **first visit** of every page kind and the main API reads (lists with and without filters,
   a deep page, one detail page per kind, dashboard, chains, funding, duplicates, capacity,
   search, matches, policy rules, deals, sharing), each timed on its first request;
4. **warm**: every URL of 3 asked 10 more times: p50 and p95 per URL, and the worst p95;
5. **memory**: the server's VmRSS and VmHWM after all that;
6. **a single write**: a new expert created through the API, then the next request of search
   (is it found?), of the people list and of the dashboard, timed;
7. **a 10,000-row import** of enterprises (`innomesh bench import --rows 10000 --keep-file`, a
   generated file with valid codes) through `POST /api/organisations/import`, timed.

Prints one table per registry with the targets of #14 beside the figures (for BENCHMARKS.md) and
writes every figure (each URL's first visit, p50/p95 and memory growth) to a JSON file in /tmp. A URL that answers other than 200 is reported, not hidden.

Usage: python3 bench/scale_bench.py BINARY DATA_DIR [DATA_DIR ...]
(each DATA_DIR made by `innomesh demo --scale N --no-serve --data-dir DATA_DIR`; the run adds an
API token account `scale-bench`, one expert and 10,000 enterprises to it — to a copy when the
registry is under 1 GB). Standard library only.
"""

import http.client
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
import uuid

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from innomesh_login import token_headers  # noqa: E402

KINDS = ["organisations", "platforms", "people", "achievements", "equipment", "demands",
         "applications", "policies", "chain-nodes", "supply-relations", "gap-actions",
         "programmes", "tech-deals", "shared-services"]
TIMEOUT = 1800


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def request(port, method, path, headers, body=None):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=TIMEOUT)
    t = time.perf_counter()
    conn.request(method, path, body=body, headers=headers)
    r = conn.getresponse()
    data = r.read()
    dt = time.perf_counter() - t
    conn.close()
    return r.status, dt, data


def memory(pid):
    out = {}
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith(("VmRSS", "VmHWM")):
                k, v = line.split(":")
                out[k] = int(v.split()[0]) / 1024 / 1024
    return out


def q(s):
    return urllib.parse.quote(s)


def crawl_urls(ids):
    urls = ["/", "/dashboard", "/chains", "/funding", "/funding/duplicates", "/capacity",
            "/demand-funnel", "/policy-rules", "/deals", "/sharing",
            "/search?q=" + q("稀土永磁"), "/api/search?q=" + q("烧结钕铁硼") + "&limit=20"]
    for k in KINDS:
        urls.append(f"/{k}")
        urls.append(f"/api/{k}?per_page=20")
    urls += ["/organisations?region=150203", "/api/organisations?region=150203&per_page=20",
             "/organisations?page=200", "/api/organisations?page=2000&per_page=20",
             "/organisations?q=" + q("稀土")]
    for k, i in ids.items():
        if k.startswith("_"):
            continue
        urls.append(f"/{k}/{q(i)}")
        urls.append(f"/api/{k}/{q(i)}")
    if "_chain" in ids:
        urls.append(f"/chains/{q(ids['_chain'])}")
    if "_demand" in ids:
        urls.append(f"/demands/{q(ids['_demand'])}/matches")
    return urls


def ids_from_store(data_dir):
    """The first id of each kind and the first open demand, read from the registry with Python's
    sqlite3 (read only), so that the crawl's first visits are the server's first requests."""
    import sqlite3

    db = os.path.join(data_dir, "innomesh.db")
    con = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    kinds = dict(con.execute("SELECT kind, MIN(id) FROM entities GROUP BY kind").fetchall())
    special = {"people": "person", "policies": "policy"}
    out = {}
    for plural in KINDS:
        code = special.get(plural, plural.rstrip("s").replace("-", "_"))
        if code in kinds:
            out[plural] = kinds[code]
    row = con.execute("SELECT id FROM entities WHERE kind = 'demand' AND "
                      "json_extract(data, '$.status') IN ('posted', 'screened', 'matched') ORDER BY id LIMIT 1"
                      ).fetchone()
    if row:
        out["_demand"] = row[0]
    con.close()
    out["_chain"] = "rare_earth"
    return out


def run(binary, data_dir):
    res = {"data_dir": data_dir}
    headers = token_headers(binary, data_dir, name="scale-bench")
    ids = ids_from_store(data_dir)
    port = free_port()
    t0 = time.perf_counter()
    server = subprocess.Popen([binary, "serve", "--data-dir", data_dir, "--port", str(port)],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    bad = []
    try:
        while True:
            try:
                if request(port, "GET", "/assets/site.css", {})[0] == 200:
                    break
            except OSError:
                pass
            if time.perf_counter() - t0 > TIMEOUT or server.poll() is not None:
                raise RuntimeError("the server did not start")
            time.sleep(0.2)
        res["ready_s"] = time.perf_counter() - t0
        res["memory_gb_ready"] = memory(server.pid)["VmRSS"]

        if "_demand" in ids:
            before = memory(server.pid)["VmRSS"]
            s, dt, _ = request(port, "GET", f"/api/demands/{q(ids['_demand'])}/matches", headers)
            res["first_match_s"] = dt
            res["first_match_memory_gb"] = memory(server.pid)["VmRSS"] - before
            if s != 200:
                bad.append((s, "first match"))

        first, grew = {}, {}
        rss = memory(server.pid)["VmRSS"]
        for u in crawl_urls(ids):
            s, dt, body = request(port, "GET", u, headers)
            first[u] = dt
            now = memory(server.pid)["VmRSS"]
            grew[u], rss = now - rss, now
            if s != 200:
                bad.append((s, u))
        res["first_visit"] = first
        res["memory_growth_gb"] = grew

        warm = {}
        for u in first:
            ts = []
            for _ in range(10):
                ts.append(request(port, "GET", u, headers)[1])
            ts.sort()
            warm[u] = (statistics.median(ts), ts[int(0.95 * (len(ts) - 1) + 0.999)])
        res["warm"] = warm
        res["memory_gb"] = memory(server.pid)

        name = "规模测试专家" + uuid.uuid4().hex[:8]
        body = json.dumps({"name": name, "role": "专家", "region": "150203"})
        h = dict(headers, **{"Content-Type": "application/json"})
        s, dt, data = request(port, "POST", "/api/people", h, body.encode())
        res["write_s"] = dt
        if s != 201:
            bad.append((s, "POST /api/people " + data[:200].decode("utf-8", "replace")))
        s, dt, data = request(port, "GET", "/api/search?q=" + q(name), headers)
        res["search_after_write_s"] = dt
        res["write_found_by_search"] = name in data.decode("utf-8", "replace")
        res["people_after_write_s"] = request(port, "GET", "/people", headers)[1]
        res["dashboard_after_write_s"] = request(port, "GET", "/dashboard", headers)[1]
        res["funding_after_write_s"] = request(port, "GET", "/funding", headers)[1]

        with tempfile.TemporaryDirectory() as tmp:
            f = os.path.join(tmp, "import.xlsx")
            subprocess.run([binary, "bench", "import", "--rows", "10000", "--keep-file", f],
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
            xlsx = open(f, "rb").read()
        h = dict(headers, **{"Content-Type": "application/vnd.openxmlformats-officedocument."
                                              "spreadsheetml.sheet"})
        s, dt, data = request(port, "POST", "/api/organisations/import", h, xlsx)
        res["import_10k_s"] = dt
        res["import_status"] = s
        if s not in (200, 201):
            bad.append((s, "import " + data[:300].decode("utf-8", "replace")))
        res["memory_gb_end"] = memory(server.pid)
    finally:
        server.terminate()
        server.wait()
    res["bad"] = bad
    return res


def report(res):
    first, warm = res["first_visit"], res["warm"]
    worst_first = max(first.items(), key=lambda kv: kv[1])
    worst_warm = max(warm.items(), key=lambda kv: kv[1][1])
    print(f"\n## {res['data_dir']}\n")
    print("| measurement | figure | #14 target |")
    print("|---|---|---|")
    print(f"| ready to serve | {res['ready_s']:.1f} s | ≤ 60 s |")
    if "first_match_s" in res:
        print(f"| first match after start | {res['first_match_s']:.2f} s | < 5 s |")
    print(f"| first visit, median of {len(first)} URLs | "
          f"{statistics.median(first.values()) * 1000:.0f} ms | < 1 s each |")
    print(f"| first visit, worst | {worst_first[1]:.2f} s `{worst_first[0]}` | < 1 s |")
    over = sorted(((v, u) for u, v in first.items() if v >= 1), reverse=True)
    print(f"| first visits ≥ 1 s | {len(over)} | 0 |")
    p95s = [v[1] for v in warm.values()]
    print(f"| warm p95, median over URLs | {statistics.median(p95s) * 1000:.1f} ms | < 100 ms |")
    print(f"| warm p95, worst | {worst_warm[1][1] * 1000:.0f} ms `{worst_warm[0]}` | < 100 ms |")
    slow = sorted(((v[1], u) for u, v in warm.items() if v[1] >= 0.1), reverse=True)
    print(f"| warm URLs with p95 ≥ 100 ms | {len(slow)} | 0 |")
    m = res["memory_gb"]
    print(f"| memory after the crawl (VmRSS / VmHWM) | {m['VmRSS']:.2f} / {m['VmHWM']:.2f} GB "
          f"| ≤ 3 GB |")
    if "write_s" in res:
        print(f"| one write (POST /api/people) | {res['write_s'] * 1000:.0f} ms | |")
        print(f"| next search finds it | {res['write_found_by_search']} "
              f"({res['search_after_write_s'] * 1000:.0f} ms) | yes |")
        print(f"| first /people, /dashboard, /funding after the write | "
              f"{res['people_after_write_s']:.2f} / {res['dashboard_after_write_s']:.2f} / "
              f"{res['funding_after_write_s']:.2f} s | < 1 s |")
    if "import_10k_s" in res:
        print(f"| 10,000-row import (HTTP {res['import_status']}) | {res['import_10k_s']:.1f} s "
              f"| < 10 s |")
        me = res["memory_gb_end"]
        print(f"| memory at the end (VmRSS / VmHWM) | {me['VmRSS']:.2f} / {me['VmHWM']:.2f} GB | |")
    grew = sorted(((v, u) for u, v in res["memory_growth_gb"].items() if v >= 0.05),
                  reverse=True)
    print(f"\nResident memory at ready: {res['memory_gb_ready']:.2f} GB; the first match added "
          f"{res.get('first_match_memory_gb', 0):.2f} GB; first visits that added ≥ 50 MB (what "
          f"each builds and keeps): " + (", ".join(f"`{u}` +{v:.2f} GB" for v, u in grew) or "none"))
    if over:
        print("\nFirst visits ≥ 1 s: " + ", ".join(f"`{u}` {v:.1f} s" for v, u in over))
    if slow:
        print("\nWarm p95 ≥ 100 ms: " + ", ".join(f"`{u}` {v * 1000:.0f} ms" for v, u in slow))
    if res["bad"]:
        print("\nNot 200: " + "; ".join(f"{s} {u}" for s, u in res["bad"]))


def main():
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    binary = sys.argv[1]
    import shutil

    for d in sys.argv[2:]:
        if os.path.getsize(os.path.join(d, "innomesh.db")) < 1 << 30:
            # Small registries are measured on a copy, so that runs stay comparable.
            with tempfile.TemporaryDirectory() as tmp:
                copy = os.path.join(tmp, "data")
                shutil.copytree(d, copy)
                res = run(binary, copy)
                res["data_dir"] = d + " (a copy)"
        else:
            res = run(binary, d)
        report(res)
        out = os.path.join(tempfile.gettempdir(),
                           f"scale_bench-{os.path.basename(d.rstrip('/'))}-{int(time.time())}.json")
        with open(out, "w") as f:
            json.dump(res, f, ensure_ascii=False, indent=1, default=str)
        print(f"\nEvery figure of this registry: {out}")
    print(f"\nload average at the end: {os.getloadavg()}")


if __name__ == "__main__":
    main()
