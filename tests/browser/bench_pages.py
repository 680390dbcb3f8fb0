"""Page timings of the web workbench: starts `innomesh demo --no-serve` + `innomesh serve` on a
free port, requests every page kind N times over keep-alive HTTP/1.1 and prints a Markdown table
(median, p95, max in ms; the first, cold request of each page separately), plus the cost of the
first list page and dashboard after a write (caches rebuilt). Standard library only.

Usage: python3 tests/browser/bench_pages.py path/to/innomesh [N]
"""

import http.client
import json
import os
import platform
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "bench"))
from innomesh_login import token_headers  # noqa: E402

AUTH = {}


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Client:
    def __init__(self, port):
        self.port = port
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)

    def request(self, method, path, body=None, headers=None):
        t0 = time.perf_counter()
        self.conn.request(method, path, body=body, headers={**AUTH, **(headers or {})})
        r = self.conn.getresponse()
        data = r.read()
        ms = (time.perf_counter() - t0) * 1000
        return r.status, data, ms


def main():
    binary = sys.argv[1]
    n = int(sys.argv[2]) if len(sys.argv) > 2 else 50
    tmp = tempfile.mkdtemp(prefix="innomesh-bench-web-")
    data = os.path.join(tmp, "data")
    port = free_port()
    log = open(os.path.join(tmp, "server.log"), "w")
    subprocess.run([binary, "demo", "--data-dir", data, "--no-serve"], stdout=log, stderr=subprocess.STDOUT, check=True)
    AUTH.update(token_headers(binary, data))
    server = subprocess.Popen([binary, "serve", "--data-dir", data, "--port", str(port)], stdout=log, stderr=subprocess.STDOUT)
    try:
        for _ in range(600):
            try:
                c = Client(port)
                if c.request("GET", "/assets/site.css")[0] == 200:
                    break
            except OSError:
                time.sleep(0.1)
        c = Client(port)
        ids = {}
        for kind in ["organisations", "platforms", "people", "achievements", "equipment", "demands",
                     "applications", "policies", "chain-nodes", "supply-relations"]:
            _, body, _ = c.request("GET", f"/api/{kind}?per_page=1")
            item = json.loads(body)["items"][0]
            ids[kind] = item.get("id") or item.get("credit_code")
        _, body, _ = c.request("GET", "/api/organisations?kind=enterprise&region=150203&flag=high_tech&per_page=1")
        org = json.loads(body)["items"][0]
        q = urllib.parse.quote(org["name"][:4])
        pages = [("首页", "/"), ("驾驶舱", "/dashboard"), ("驾驶舱（地图按研发强度）", "/dashboard?map=rd"),
                 ("驾驶舱图表 XLSX", "/dashboard/districts.xlsx"), ("产业链列表", "/chains"),
                 ("产业链图谱 稀土", "/chains/rare_earth"), ("产业链图谱 高端装备", "/chains/high_end_equipment"),
                 ("链节点详情", "/chains/rare_earth/nodes/magnet"), ("导入页", "/import")]
        for kind, i in ids.items():
            pages.append((f"{kind} 列表", f"/{kind}"))
            pages.append((f"{kind} 列表（区划+排序+第 3 页）", f"/{kind}?region=150203&sort=number&page=3"))
            pages.append((f"{kind} 详情", f"/{kind}/{urllib.parse.quote(i)}"))
            pages.append((f"{kind} 编辑表单", f"/{kind}/{urllib.parse.quote(i)}/edit"))
        pages.append(("organisations 搜索", f"/organisations?q={q}"))
        pages.append(("organisations 详情（龙头企业）", f"/organisations/{org['credit_code']}"))
        rows = []
        for label, path in pages:
            status, _, cold = c.request("GET", path)
            if status != 200:
                raise SystemExit(f"{path} answered {status}")
            times = [c.request("GET", path)[2] for _ in range(n)]
            times.sort()
            rows.append((label, path, cold, statistics.median(times), times[int(0.95 * (len(times) - 1))], times[-1]))
        # After a write every cache (facets, dashboard, chains) is rebuilt on first use.
        form = urllib.parse.urlencode({"credit_code": org["credit_code"], "name": org["name"], "kind": "enterprise",
                                       "region": org["region"], "address": "基准测试路 1 号"})
        after = []
        for label, path in [("组织列表（写入后首次）", "/organisations"), ("驾驶舱（写入后首次）", "/dashboard"),
                            ("稀土图谱（写入后首次）", "/chains/rare_earth")]:
            st, _, post_ms = c.request("POST", f"/organisations/{org['credit_code']}/edit", form,
                                       {"Content-Type": "application/x-www-form-urlencoded"})
            if st != 303:
                raise SystemExit(f"edit answered {st}")
            _, _, ms = c.request("GET", path)
            # A reader a moment later finds the caches already rebuilt by the background warmer.
            st, _, _ = c.request("POST", f"/organisations/{org['credit_code']}/edit", form,
                                 {"Content-Type": "application/x-www-form-urlencoded"})
            time.sleep(1.5)
            _, _, later = c.request("GET", path)
            after.append((label, path, ms, later, post_ms))
    finally:
        server.terminate()
        server.wait(timeout=10)
        log.close()
        shutil.rmtree(tmp, ignore_errors=True)
    print(f"N = {n} requests per page after one cold request; keep-alive HTTP/1.1 from one client.\n")
    print("| 页面 | 路径 | 首次（ms） | 中位数（ms） | p95（ms） | 最大（ms） |")
    print("| --- | --- | ---: | ---: | ---: | ---: |")
    for label, path, cold, med, p95, mx in rows:
        print(f"| {label} | `{path}` | {cold:.1f} | {med:.1f} | {p95:.1f} | {mx:.1f} |")
    worst = max(r[4] for r in rows)
    print(f"\nWorst p95 over all pages: {worst:.1f} ms; slowest page overall (max): {max(r[5] for r in rows):.1f} ms.\n")
    print("| 写入后首次请求 | 路径 | 保存后立即 GET（ms） | 保存 1.5 秒后 GET（ms） | 保存 POST（ms） |")
    print("| --- | --- | ---: | ---: | ---: |")
    for label, path, ms, later, post in after:
        print(f"| {label} | `{path}` | {ms:.1f} | {later:.1f} | {post:.1f} |")
    print(f"\nmachine: {platform.node()} · {platform.machine()} · {os.cpu_count()} CPUs · {platform.platform()}")


if __name__ == "__main__":
    main()
