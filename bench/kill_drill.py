#!/usr/bin/env python3
"""Kill drill: acknowledged writes survive `kill -9`, and the search index converges on them.

    python3 bench/kill_drill.py target/release/innomesh [--kills 20] [--writers 4] [--seed 1]

Builds a sample database once (`demo --no-serve`), then KILLS times: starts `serve`, runs
concurrent writers (creates, updates and deletes of people through the JSON API) for a random
0.5–2 s, and `kill -9`s the server while they are still writing. Every 2xx answer is an
acknowledged write. At the end the server is started once more and every record checked:

  lost            an acknowledged create/update/delete whose effect is not in the store
                  (GET /api/people/{id} shows neither the last acknowledged state nor the one
                  unacknowledged write that may have landed after it)
  search_missing  a record in the store that /api/search?q=<its name>&kind=people does not find
  search_stale    a deleted record that search still finds, or a renamed one still found by an
                  earlier acknowledged name

Prints `kill_drill kills=K acked_writes=N lost=L search_missing=M search_stale=S` and exits 1 if
any of the three is non-zero. Python 3 standard library only.
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
import urllib.parse

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from innomesh_login import token_headers  # noqa: E402

AUTH = {}

DELETED = object()


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def request(conn, method, path, body=None):
    headers = {**AUTH, "content-type": "application/json"} if body is not None else dict(AUTH)
    data = json.dumps(body, ensure_ascii=False).encode() if body is not None else None
    conn.request(method, path, body=data, headers=headers)
    res = conn.getresponse()
    raw = res.read()
    return res.status, raw


def get_json(port, path, timeout=30):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        status, raw = request(conn, "GET", path)
        return status, (json.loads(raw) if raw else None)
    finally:
        conn.close()


class Server:
    def __init__(self, binary, data_dir, port, log):
        self.port = port
        self.proc = subprocess.Popen(
            [binary, "serve", "--data-dir", data_dir, "--port", str(port)],
            stdout=log,
            stderr=log,
        )

    def wait_ready(self, timeout=300):
        start = time.time()
        while time.time() - start < timeout:
            if self.proc.poll() is not None:
                raise SystemExit(f"server exited with {self.proc.returncode} while starting")
            try:
                status, _ = get_json(self.port, "/api/people?per_page=1", timeout=5)
                if status == 200:
                    return time.time() - start
            except OSError:
                pass
            time.sleep(0.05)
        raise SystemExit("server did not become ready")

    def kill9(self):
        os.kill(self.proc.pid, signal.SIGKILL)
        self.proc.wait()

    def stop(self):
        self.proc.send_signal(signal.SIGINT)
        try:
            self.proc.wait(timeout=60)
        except subprocess.TimeoutExpired:
            self.kill9()


class Tracked:
    """One person record as the writers saw it."""

    def __init__(self, rid, name):
        self.id = rid
        self.acked = name  # last acknowledged state: a name, or DELETED
        self.names = [name]  # every acknowledged name, oldest first
        self.maybe = None  # an unacknowledged write that may have landed after `acked`
        self.retired = False  # no more writes after an unacknowledged one


class Writer(threading.Thread):
    def __init__(self, port, rnd, round_no, no, stop, ledger, lock):
        super().__init__(daemon=True)
        self.port, self.rnd, self.round, self.no = port, rnd, round_no, no
        self.stop, self.ledger, self.lock = stop, ledger, lock
        self.seq = 0
        self.acked = 0
        self.mine = []

    def name(self):
        self.seq += 1
        return f"演练员k{self.round}t{self.no}n{self.seq}"

    def run(self):
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
        while not self.stop.is_set():
            live = [t for t in self.mine if not t.retired and t.acked is not DELETED]
            r = self.rnd.random()
            if not live or r < 0.5:
                op, t = "create", None
            elif r < 0.8:
                op, t = "update", self.rnd.choice(live)
            else:
                op, t = "delete", self.rnd.choice(live)
            name = self.name()
            try:
                if op == "create":
                    status, raw = request(
                        conn, "POST", "/api/people", {"name": name, "role": "expert"}
                    )
                elif op == "update":
                    status, raw = request(
                        conn, "PUT", f"/api/people/{t.id}", {"name": name, "role": "expert"}
                    )
                else:
                    status, raw = request(conn, "DELETE", f"/api/people/{t.id}")
            except (OSError, http.client.HTTPException):
                # No answer: the write may or may not have landed.
                if t is not None:
                    t.maybe = DELETED if op == "delete" else name
                    t.retired = True
                conn.close()
                if self.stop.is_set():
                    break
                time.sleep(0.01)
                conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
                continue
            if not 200 <= status < 300:
                raise SystemExit(f"{op} answered {status}: {raw[:300]!r}")
            self.acked += 1
            if op == "create":
                rid = json.loads(raw)["id"]
                t = Tracked(rid, name)
                self.mine.append(t)
                with self.lock:
                    self.ledger.append(t)
            elif op == "update":
                t.acked = name
                t.names.append(name)
            else:
                t.acked = DELETED
        conn.close()


def search_ids(port, q):
    path = "/api/search?" + urllib.parse.urlencode({"q": q, "kind": "people", "limit": 100})
    status, body = get_json(port, path)
    if status != 200:
        raise SystemExit(f"search answered {status}: {body}")
    return {h["id"] for h in body["hits"]}


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("binary")
    ap.add_argument("--kills", type=int, default=20)
    ap.add_argument("--writers", type=int, default=4)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--keep", action="store_true", help="keep the data directory")
    a = ap.parse_args()
    rnd = random.Random(a.seed)
    binary = os.path.abspath(a.binary)
    tmp = tempfile.mkdtemp(prefix="innomesh-kill-drill-")
    data = os.path.join(tmp, "data")
    log = open(os.path.join(tmp, "server.log"), "ab")
    t0 = time.time()
    subprocess.run(
        [binary, "demo", "--no-serve", "--data-dir", data],
        check=True,
        stdout=log,
        stderr=log,
    )
    print(f"demo built in {time.time() - t0:.1f} s ({data})", flush=True)
    AUTH.update(token_headers(binary, data))
    ledger, lock = [], threading.Lock()
    acked = 0
    starts = []
    for k in range(a.kills):
        port = free_port()
        srv = Server(binary, data, port, log)
        starts.append(srv.wait_ready())
        stop = threading.Event()
        writers = [
            Writer(port, random.Random(rnd.random()), k, i, stop, ledger, lock)
            for i in range(a.writers)
        ]
        for w in writers:
            w.start()
        time.sleep(rnd.uniform(0.5, 2.0))
        srv.kill9()  # while the writers are mid-request
        stop.set()
        for w in writers:
            w.join()
        round_acked = sum(w.acked for w in writers)
        acked += round_acked
        print(
            f"round {k + 1}: start {starts[-1]:.2f} s, acked {round_acked} writes",
            flush=True,
        )

    port = free_port()
    srv = Server(binary, data, port, log)
    final_start = srv.wait_ready()
    lost = missing = stale = 0
    problems = []
    try:
        for t in ledger:
            status, body = get_json(port, f"/api/people/{t.id}")
            if status == 404:
                state = DELETED
            elif status == 200:
                state = body["name"]
            else:
                raise SystemExit(f"GET /api/people/{t.id} answered {status}")
            allowed = [t.acked] + ([t.maybe] if t.maybe is not None else [])
            if not any(state is s or state == s for s in allowed):
                lost += 1
                problems.append(f"lost: {t.id} is {state!r}, acknowledged {t.acked!r}")
                continue
            if state is DELETED:
                if t.id in search_ids(port, t.names[-1]):
                    stale += 1
                    problems.append(f"stale: deleted {t.id} found by {t.names[-1]}")
                continue
            if t.id not in search_ids(port, state):
                missing += 1
                problems.append(f"missing: {t.id} not found by its name {state}")
            for old in t.names:
                if old != state and t.id in search_ids(port, old):
                    stale += 1
                    problems.append(f"stale: {t.id} ({state}) still found by {old}")
    finally:
        srv.stop()
        log.close()
    for p in problems[:20]:
        print(p)
    print(
        f"restarts: median start {sorted(starts)[len(starts) // 2]:.2f} s, "
        f"max {max(starts):.2f} s, final {final_start:.2f} s; records tracked {len(ledger)}"
    )
    print(
        f"kill_drill kills={a.kills} acked_writes={acked} lost={lost} "
        f"search_missing={missing} search_stale={stale}",
        flush=True,
    )
    if not a.keep:
        shutil.rmtree(tmp, ignore_errors=True)
    else:
        print(f"kept {tmp}")
    sys.exit(1 if lost or missing or stale else 0)


if __name__ == "__main__":
    main()
