"""Link crawl of the web workbench: starts `innomesh demo` on a free port with a temporary data
directory, logs in as the city bureau account (demo-city), follows every same-site link breadth
first from the given start pages (downloads and the API left out) and fails when any page answers
other than 200, naming the page that linked to it. Prints pages, median and max time per page.
Standard library only.

Usage: python3 tests/browser/crawl.py path/to/innomesh [PAGES] [START,START,...]
"""

import collections
import http.cookiejar
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request

# Not crawled: leaving the session, file downloads, the JSON API (schemathesis covers it).
SKIP = re.compile(r"^/(logout|api/)|/export$|/template$|/report|\.(xlsx|csv|json)$")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start(binary):
    data = tempfile.mkdtemp(prefix="innomesh-crawl-")
    port = free_port()
    log = open(os.path.join(data, "server.log"), "w")
    proc = subprocess.Popen(
        [binary, "demo", "--data-dir", data, "--port", str(port)],
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    for _ in range(600):
        try:
            urllib.request.urlopen(base + "/login", timeout=2).read()
            return proc, data, base
        except OSError:
            if proc.poll() is not None:
                raise SystemExit(open(os.path.join(data, "server.log")).read())
            time.sleep(0.5)
    proc.kill()
    raise SystemExit("server did not start in 300 s")


def crawl(base, limit, starts):
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    form = urllib.parse.urlencode(
        {"username": "demo-city", "password": "示例数据-市级-2026!", "next": "/"}
    ).encode()
    opener.open(urllib.request.Request(base + "/login", data=form, headers={"Origin": base})).read()
    seen, parent, results = set(), {}, []
    queue = collections.deque(starts)
    while queue and len(results) < limit:
        path = queue.popleft()
        if path in seen:
            continue
        seen.add(path)
        t = time.time()
        try:
            r = opener.open(base + path, timeout=60)
            body, code = r.read().decode("utf-8", "replace"), r.status
        except urllib.error.HTTPError as e:
            body, code = "", e.code
        results.append((path, code, (time.time() - t) * 1000))
        for href in re.findall(r'href="([^"#]+)"', body):
            href = href.replace("&amp;", "&")
            if href.startswith("?"):
                href = path.split("?")[0] + href
            if not href.startswith("/") or href.startswith("//"):
                continue
            if SKIP.search(href.split("?")[0]) or href in seen or href in parent:
                continue
            parent[href] = path
            queue.append(href)
    return results, parent


def main():
    if len(sys.argv) < 2:
        raise SystemExit(__doc__)
    binary = os.path.abspath(sys.argv[1])
    limit = int(sys.argv[2]) if len(sys.argv) > 2 else 300
    starts = sys.argv[3].split(",") if len(sys.argv) > 3 else ["/", "/chains", "/organisations"]
    proc, data, base = start(binary)
    try:
        results, parent = crawl(base, limit, starts)
    finally:
        proc.terminate()
        proc.wait(timeout=30)
        shutil.rmtree(data, ignore_errors=True)
    times = sorted(ms for _, _, ms in results)
    bad = [(p, c, parent.get(p)) for p, c, _ in results if c != 200]
    print(
        f"pages {len(results)}, not 200: {len(bad)}, "
        f"median {times[len(times) // 2]:.0f} ms, max {times[-1]:.0f} ms"
    )
    for p, c, src in bad:
        print(f"  {c} {p}  (linked from {src})")
    if len(results) < limit:
        print(f"only {len(results)} pages reachable (asked for {limit})")
    print(f"{len(results) - len(bad)} passed, {len(bad)} failed")
    sys.exit(1 if bad else 0)


if __name__ == "__main__":
    main()
