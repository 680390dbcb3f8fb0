"""Drives the Innomesh web workbench in headless Chromium through chromedriver's W3C WebDriver
HTTP API (standard library only). Started by tests/browser/run.sh with the innomesh binary.

Steps: search for an enterprise, open it, edit a field and see it saved (and a bad value refused
beside its field), import a file with one bad row and see the error, open the dashboard and a
chain page, check tablet width and keyboard focus. Screenshots go to target/screenshots/.
Prints PASS/FAIL per step and a final line `N passed, M failed`; exits 1 on any failure.
"""

import base64
import json
import re
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import traceback
import urllib.error
import urllib.parse
import urllib.request

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "bench"))
from innomesh_login import token_headers  # noqa: E402

# The API calls this script makes itself (to pick records) use an API token of a city staff
# account; the browser logs in through the login page like a person.
AUTH = {}

SHOTS = os.path.join("target", "screenshots")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def http(method, url, body=None, timeout=60):
    data = None if body is None else json.dumps(body).encode()
    req = urllib.request.Request(url, data=data, method=method)
    if "127.0.0.1" in url and ":%d" % DRIVER_PORT[0] not in url:
        for k, v in AUTH.items():
            req.add_header(k, v)
    if data is not None:
        req.add_header("Content-Type", "application/json")
    try:
        with urllib.request.urlopen(req, timeout=timeout) as r:
            return r.status, r.read(), dict(r.headers)
    except urllib.error.HTTPError as e:
        return e.code, e.read(), dict(e.headers)


DRIVER_PORT = [0]


def wait_for(url, seconds, what, proc=None):
    deadline = time.time() + seconds
    last = None
    while time.time() < deadline:
        if proc is not None and proc.poll() is not None:
            raise RuntimeError(f"{what} exited early with code {proc.returncode}")
        try:
            status, _, _ = http("GET", url, timeout=5)
            if status == 200:
                return
            last = status
        except OSError as e:  # not listening yet
            last = e
        time.sleep(0.25)
    raise RuntimeError(f"{what} not ready at {url} after {seconds}s: {last}")


# GB 32100-2015 check digit, to build a valid and an invalid credit code for the import file.
ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
WEIGHTS = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28]


def credit_code(base17):
    total = sum(ALPHABET.index(c) * w for c, w in zip(base17, WEIGHTS))
    check = (31 - total % 31) % 31
    return base17 + ALPHABET[check]


class Browser:
    """A WebDriver session; every call raises with the driver's message on error."""

    def __init__(self, driver_url):
        self.base = driver_url
        profile = tempfile.mkdtemp(prefix="innomesh-chromium-")
        self.profile = profile
        caps = {
            "capabilities": {
                "alwaysMatch": {
                    "browserName": "chrome",
                    "goog:chromeOptions": {
                        "binary": shutil.which("chromium") or "/usr/bin/chromium",
                        "args": [
                            "--headless",
                            "--no-sandbox",
                            "--disable-gpu",
                            "--disable-quic",
                            "--no-first-run",
                            "--disable-background-networking",
                            "--disable-component-update",
                            "--disable-sync",
                            "--disable-dev-shm-usage",
                            "--hide-scrollbars",
                            "--lang=zh-CN",
                            "--window-size=1280,720",
                            f"--user-data-dir={profile}",
                        ],
                    },
                }
            }
        }
        value = self.call("POST", "/session", caps, session=False)
        self.sid = value["sessionId"]

    def call(self, method, path, body=None, session=True):
        url = self.base + (f"/session/{self.sid}" if session else "") + path
        if body is None and method == "POST":
            body = {}
        status, raw, _ = http(method, url, body, timeout=120)
        payload = json.loads(raw or b"{}")
        value = payload.get("value")
        if status != 200:
            msg = value.get("message", "") if isinstance(value, dict) else value
            raise RuntimeError(f"WebDriver {method} {path}: {status} {str(msg)[:300]}")
        return value

    def go(self, url):
        self.call("POST", "/url", {"url": url})
        self.settle()

    def settle(self, limit=120):
        """An engine page whose figures are still being built answers 「正在准备」 and reloads
        itself (a user waits the same way): wait until it shows its figures."""
        deadline = time.time() + limit
        while time.time() < deadline:
            try:
                preparing = self.js("return !!document.querySelector('[data-derived=preparing]');")
            except RuntimeError:  # the page is being replaced by its reload
                preparing = True
            if not preparing:
                return
            time.sleep(0.5)

    def find(self, css):
        v = self.call("POST", "/element", {"using": "css selector", "value": css})
        return next(iter(v.values()))

    def find_all(self, css):
        v = self.call("POST", "/elements", {"using": "css selector", "value": css})
        return [next(iter(e.values())) for e in v]

    def text(self, el):
        return self.call("GET", f"/element/{el}/text")

    def click(self, el):
        self.call("POST", f"/element/{el}/click")

    def wait_url(self, needle, seconds=20):
        """Waits until the address contains `needle` (a submitted form navigates asynchronously)."""
        deadline = time.time() + seconds
        while time.time() < deadline:
            url = self.call("GET", "/url")
            if needle in url:
                return url
            time.sleep(0.1)
        raise AssertionError(f"address never contained {needle!r}")

    def clear(self, el):
        self.call("POST", f"/element/{el}/clear")

    def type(self, el, text):
        self.call("POST", f"/element/{el}/value", {"text": text})

    def js(self, script, *args):
        return self.call("POST", "/execute/sync", {"script": script, "args": list(args)})

    def js_async(self, script, *args):
        """Runs `script`, which calls its last argument with the result (a fetch, say)."""
        return self.call("POST", "/execute/async", {"script": script, "args": list(args)})

    def body_text(self):
        return self.js("return document.body.innerText;")

    def wait_text(self, needle, seconds=20):
        """Body text once it contains `needle` (a submitted form may still be loading)."""
        deadline = time.time() + seconds
        text = ""
        while time.time() < deadline:
            try:
                text = self.body_text()
            except RuntimeError:  # the page is being replaced
                text = ""
            if needle in text:
                return text
            time.sleep(0.1)
        raise AssertionError(f"page never showed {needle!r}; it shows: {text[:300]!r}")

    def title(self):
        return self.call("GET", "/title")

    def resize(self, w, h):
        self.call("POST", "/window/rect", {"width": w, "height": h})

    def screenshot(self, name, full=False):
        os.makedirs(SHOTS, exist_ok=True)
        if full:
            height = self.js("return Math.ceil(document.documentElement.scrollHeight);")
            width = self.js("return window.outerWidth;")
            self.resize(width, min(max(height + 140, 720), 6000))
        png = base64.b64decode(self.call("GET", "/screenshot"))
        path = os.path.join(SHOTS, name + ".png")
        with open(path, "wb") as f:
            f.write(png)
        if full:
            self.resize(1280, 720)
        return path

    def element_screenshot(self, css, name):
        # A tall window, so the element is not clipped by the 720-pixel viewport.
        height = self.js("return Math.ceil(document.documentElement.scrollHeight);")
        self.resize(1280, min(max(height + 140, 720), 6000))
        self.js("arguments[0].scrollIntoView(); return 0;", {"element-6066-11e4-a52e-4f735466cecf": self.find(css)})
        el = self.find(css)
        png = base64.b64decode(self.call("GET", f"/element/{el}/screenshot"))
        path = os.path.join(SHOTS, name + ".png")
        with open(path, "wb") as f:
            f.write(png)
        self.resize(1280, 720)
        return path

    def keys(self, *keys):
        actions = []
        for k in keys:
            actions += [{"type": "keyDown", "value": k}, {"type": "keyUp", "value": k}]
        self.call("POST", "/actions", {"actions": [{"type": "key", "id": "kb", "actions": actions}]})

    def quit(self):
        try:
            self.call("DELETE", "")
        except Exception:
            pass
        shutil.rmtree(self.profile, ignore_errors=True)


def check(cond, message):
    if not cond:
        raise AssertionError(message)


def main():
    if len(sys.argv) < 2:
        print("usage: webtest.py path/to/innomesh", file=sys.stderr)
        return 2
    binary = sys.argv[1]
    os.makedirs(SHOTS, exist_ok=True)
    tmp = tempfile.mkdtemp(prefix="innomesh-web-")
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    server_log = open(os.path.join(tmp, "server.log"), "w")
    data_dir = os.path.join(tmp, "data")
    # Build the sample database, then serve it (`serve` also loads the shipped chain models).
    built = subprocess.run(
        [binary, "demo", "--data-dir", data_dir, "--no-serve"],
        stdout=server_log,
        stderr=subprocess.STDOUT,
        timeout=600,
    )
    if built.returncode != 0:
        server_log.close()
        with open(os.path.join(tmp, "server.log"), errors="replace") as f:
            print(f.read()[-2000:])
        print("FAIL setup: innomesh demo --no-serve failed")
        print("0 passed, 1 failed")
        return 1
    AUTH.update(token_headers(binary, data_dir))
    server = subprocess.Popen(
        [binary, "serve", "--data-dir", data_dir, "--port", str(port)],
        stdout=server_log,
        stderr=subprocess.STDOUT,
    )
    dport = free_port()
    DRIVER_PORT[0] = dport
    driver_log = open(os.path.join(tmp, "chromedriver.log"), "w")
    driver = subprocess.Popen(
        [shutil.which("chromedriver") or "/usr/bin/chromedriver", f"--port={dport}"],
        stdout=driver_log,
        stderr=subprocess.STDOUT,
    )
    results = []
    browser = None
    try:
        wait_for(base + "/assets/site.css", 300, "innomesh demo", server)
        wait_for(f"http://127.0.0.1:{dport}/status", 60, "chromedriver", driver)
        browser = Browser(f"http://127.0.0.1:{dport}")
        state = {}

        def step(name, fn):
            try:
                fn()
                results.append((name, True, ""))
                print(f"PASS {name}", flush=True)
            except Exception as e:  # one failing step must not hide the others
                detail = f"{type(e).__name__}: {e}"
                results.append((name, False, detail))
                print(f"FAIL {name}: {detail}", flush=True)
                traceback.print_exc()
                try:
                    browser.screenshot("failed-" + name.replace(" ", "-"))
                except Exception:
                    pass

        def login(username="demo-city", password="示例数据-市级-2026!", expect="市级工作人员"):
            browser.go(base + "/organisations")
            browser.wait_url("/login")
            check("登录" in browser.title(), f"not the login page: {browser.title()!r}")
            check("示例账号" in browser.body_text(), "the demo accounts are listed under 示例数据")
            browser.screenshot("00-login")
            browser.type(browser.find("input#u"), username)
            browser.type(browser.find("input#p"), password)
            browser.click(browser.find("form.record button"))
            browser.wait_url("/organisations")
            check(expect in browser.body_text(), f"the user bar does not name the role {expect}")

        def district_clerk():
            # A district clerk sees only their district's records; another district's record by
            # its address is "not found".
            browser.click(browser.find(".user form button"))
            browser.wait_url("/login")
            login("demo-district", "示例数据-旗县区-2026!", "旗县区工作人员")
            browser.go(base + "/organisations")
            text = browser.body_text()
            import re
            m = re.search(r"旗县区工作人员：(\d{6})", text)
            check(m is not None, "the user bar shows the clerk's district")
            mine = m.group(1)
            others = [r for r in ["150202", "150203", "150204", "150205", "150206", "150207"] if r != mine]
            status, raw, _ = http("GET", base + f"/api/organisations?region={others[0]}&per_page=1")
            other = json.loads(raw)["items"]
            rows = browser.find_all("table.results tbody tr")
            check(len(rows) > 0, "the clerk sees their district's organisations")
            browser.screenshot("12-district-clerk")
            status, raw, _ = http("GET", base + "/api/organisations?per_page=1")
            everyone = json.loads(raw)["total"]
            check("共" in text or "条" in text, "the list page shows a total")
            if other:
                browser.go(base + "/organisations/" + other[0]["credit_code"])
                body = browser.body_text()
                check("未找到" in body or "不存在" in body or "管辖" in body,
                      "another district's organisation opened for a district clerk")
            check(everyone > 0, "the city staff token sees organisations")
            browser.click(browser.find(".user form button"))
            browser.wait_url("/login")
            login()

        def search():
            status, raw, _ = http("GET", base + "/api/organisations?kind=enterprise&flag=high_tech&region=150203&sort=number&per_page=1")
            check(status == 200, f"API answered {status}")
            org = json.loads(raw)["items"][0]
            state["org"] = org
            browser.go(base + "/")
            check("示例数据" in browser.body_text(), "no 示例数据 banner on the home page")
            browser.screenshot("00-home")
            browser.go(base + "/organisations")
            check("组织" in browser.title(), f"title {browser.title()!r}")
            box = browser.find("input#q")
            browser.type(box, org["name"])
            browser.click(browser.find("form.searchbar button"))
            browser.wait_url("q=")
            browser.wait_text("组织")
            rows = browser.find_all("table.results tbody tr")
            check(len(rows) >= 1, "no result rows")
            check(org["name"] in browser.text(browser.find("table.results")), "enterprise not in results")
            facets = browser.text(browser.find("nav.facets"))
            check("昆都仑区" in facets, "district facet missing")
            browser.screenshot("01-search")

        def open_detail():
            link = browser.find("table.results td.name a")
            browser.click(link)
            h1 = browser.text(browser.find("h1"))
            check(h1 == state["org"]["name"], f"detail h1 {h1!r}")
            text = browser.body_text()
            check("统一社会信用代码" in text and "关联资源" in text, "fields or relations missing")
            state["detail_url"] = browser.call("GET", "/url")
            browser.screenshot("02-detail", full=True)

        def edit():
            browser.click(browser.find("a.btn[href$='/edit']"))
            field = browser.find("#f-address")
            new_address = "包头市昆都仑区钢铁大街 88 号（浏览器测试）"
            browser.clear(field)
            browser.type(field, new_address)
            browser.click(browser.find("form.record button[type=submit]"))
            text = browser.wait_text("已保存")
            check(new_address in text, "new address not shown")
            code = state["org"]["credit_code"]
            status, raw, _ = http("GET", f"{base}/api/organisations/{code}")
            check(status == 200 and json.loads(raw)["address"] == new_address, "API does not show the saved address")
            browser.screenshot("03-saved", full=True)

        def invalid_value():
            browser.click(browser.find("a.btn[href$='/edit']"))
            field = browser.find("#f-revenue")
            browser.clear(field)
            browser.type(field, "很多")
            browser.click(browser.find("form.record button[type=submit]"))
            browser.wait_text("尚未保存")
            err = browser.text(browser.find("#err-revenue"))
            check("数字" in err, f"error beside field: {err!r}")
            check("尚未保存" in browser.body_text(), "no summary")
            browser.screenshot("04-form-error")

        def import_bad_row():
            good = credit_code("91150203MA0BRW0" + "1T")
            bad_base = credit_code("91150203MA0BRW0" + "2T")
            bad = bad_base[:-1] + ("0" if bad_base[-1] != "0" else "1")
            path = os.path.join(tmp, "组织-一行有错.csv")
            with open(path, "w", encoding="utf-8-sig") as f:
                f.write("统一社会信用代码,名称,组织类型,行政区划代码,地址\n")
                f.write(f"{good},包头浏览器测试材料有限公司,企业,150203,昆都仑区\n")
                f.write(f"{bad},包头浏览器测试装备有限公司,企业,150207,九原区\n")
            browser.go(base + "/import?kind=organisations")
            browser.type(browser.find("input#file"), path)
            browser.click(browser.find("form.record button[type=submit]"))
            browser.wait_text("未写入任何数据")
            table = browser.text(browser.find("table.errors"))
            check("统一社会信用代码" in table and bad in table, f"error row missing: {table[:200]}")
            first_row = browser.text(browser.find("table.errors tbody tr td"))
            check(first_row.strip() == "3", f"error row number {first_row!r}")
            href = browser.js("return document.querySelector(\"a[href^='/import/report/']\").getAttribute('href');")
            status, body, headers = http("GET", base + href)
            check(status == 200 and body[:2] == b"PK", f"error report download: {status}")
            status, raw, _ = http("GET", f"{base}/api/organisations/{good}")
            check(status == 404, "the good row was written although the file had a bad row")
            browser.screenshot("05-import-error", full=True)

        def dashboard():
            browser.go(base + "/dashboard")
            svgs = browser.find_all("figure.chart svg")
            check(len(svgs) >= 6, f"only {len(svgs)} charts")
            text = browser.body_text()
            check("高新技术企业" in text and "研发投入强度" in text, "key figures missing")
            browser.screenshot("06-dashboard")
            browser.screenshot("06-dashboard-full", full=True)
            browser.element_screenshot("#map", "06-dashboard-map")
            status, body, _ = http("GET", base + "/dashboard/enterprises.xlsx")
            check(status == 200 and body[:2] == b"PK", "chart XLSX download")
            sel = browser.find("#map-ind")
            browser.click(sel)
            browser.click(browser.find("#map-ind option[value=rd]"))
            browser.click(browser.find("#map button[type=submit]"))
            # The old page also says 着色指标: wait for the new address, then for its map (the
            # document may still be loading when the address changes).
            browser.wait_url("map=rd")
            label, deadline = "", time.time() + 20
            while "研发投入强度示意图" not in label and time.time() < deadline:
                try:
                    label = browser.js("var s = document.querySelector('#map svg'); return s ? s.getAttribute('aria-label') : '';") or ""
                except RuntimeError:  # the page is being replaced
                    label = ""
                time.sleep(0.1)
            check("研发投入强度示意图" in label, f"map indicator not applied: {label!r}")

        def chain():
            browser.go(base + "/chains")
            links = browser.find_all("main a[href^='/chains/']")
            check(links, "no chain links on /chains")
            rare = [l for l in links if "rare_earth" in (browser.call("GET", f"/element/{l}/attribute/href") or "")]
            browser.click(rare[0] if rare else links[0])
            svg = browser.find("main svg")
            nodes = browser.find_all("main svg a")
            check(len(nodes) >= 5, f"only {len(nodes)} linked nodes")
            check("上游" in browser.body_text() and "下游" in browser.body_text(), "positions missing")
            browser.screenshot("07-chain")
            browser.screenshot("07-chain-full", full=True)
            browser.element_screenshot("main figure.chart", "07-chain-graph")
            browser.click(browser.find("main svg a"))
            browser.wait_text("本地企业")
            browser.screenshot("07-chain-node", full=True)
            del svg

        def chain_gap_action():
            # Journey 1, the city clerk: dashboard → 产业链图谱 in the menu → the chain → the
            # open-gap count → the list of open gaps → 新增补链行动 (node picked by name) → a
            # refused save keeps what was typed → saved → the action is listed against its gap →
            # the node's remedies (本地配套对接 before 招商目标, by name) → the report (XLSX).
            browser.go(base + "/dashboard")
            browser.wait_text("高新技术企业")
            browser.screenshot("j1-01-dashboard")
            browser.click(browser.find("a[href='/chains']"))
            browser.wait_url("/chains")
            chains = browser.find_all("main a[href='/chains/rare_earth']")
            check(chains, "the chain list has no link to the rare-earth chain")
            browser.click(chains[0])
            browser.wait_url("/chains/rare_earth")
            text = browser.wait_text("诊断与原因")
            browser.screenshot("j1-02-chain", full=True)
            check("rare_earth" not in text, "a chain code is shown on the chain page")
            browser.click(browser.find("main a[href='/chains/rare_earth/gaps']"))
            browser.wait_url("/chains/rare_earth/gaps")
            text = browser.wait_text("新增补链行动")
            browser.screenshot("07-chain-gaps", full=True)
            buttons = browser.find_all("main a.btn[href^='/gap-actions/new']")
            check(buttons, "no 新增补链行动 on the gap list")
            browser.click(buttons[0])
            browser.wait_url("/gap-actions/new")
            picked = "var s = document.getElementById('f-node'); return s && s.selectedIndex > 0 ? s.options[s.selectedIndex].text : '';"
            node = browser.js(picked)
            check(node and "·" in node and "." not in node, f"the node is not picked by name: {node!r}")
            title = browser.find("#f-title")
            browser.clear(title)
            browser.type(title, "浏览器补链行动：本地配套对接会")
            owner = browser.find("#f-owner")
            browser.clear(owner)
            browser.click(browser.find("form.record button[type=submit]"))
            browser.wait_text("尚未保存")
            check(browser.js("return document.getElementById('f-title').value;") == "浏览器补链行动：本地配套对接会",
                  "the title was lost when the form was refused")
            check(browser.js(picked) == node, "the node was lost when the form was refused")
            browser.screenshot("07-chain-action-refused", full=True)
            browser.type(browser.find("#f-owner"), "市工信局产业链办")
            browser.click(browser.find("form.record button[type=submit]"))
            browser.wait_text("已保存")
            browser.go(base + "/chains/rare_earth/gaps")
            browser.wait_text("浏览器补链行动：本地配套对接会")
            browser.screenshot("07-chain-gaps-after", full=True)
            # A gap node proposes 本地配套对接 (named local pairs) before outside firms.
            browser.go(base + "/chains/rare_earth/nodes/polishing")
            text = browser.wait_text("本地配套对接")
            check(text.find("本地配套对接") < text.find("招商目标") or "招商目标" not in text,
                  "本地配套对接 is not proposed first")
            browser.screenshot("07-chain-node-actions", full=True)
            targets = text[text.find("招商目标"):] if "招商目标" in text else ""
            check(not re.search(r"\b9[0-9A-HJ-NPQRTUWXY]{17}\b", targets[:2000]),
                  "a target is named by its credit code alone")
            # The diagnosis report, as the clerk downloads it from the chain page.
            browser.go(base + "/chains/rare_earth")
            link = browser.find("main a[href='/api/chains/rare_earth/report']")
            check("下载诊断报告" in browser.text(link), "no report download on the chain page")
            got = browser.js_async(
                "var done = arguments[arguments.length - 1];"
                "fetch('/api/chains/rare_earth/report').then(r => r.arrayBuffer().then(b => {"
                " var u = new Uint8Array(b);"
                " done([r.status, r.headers.get('content-type') || '', r.headers.get('content-disposition') || '',"
                " u.length, String.fromCharCode(u[0], u[1])]); })).catch(e => done([0, String(e), '', 0, '']));")
            status, ctype, disposition, size, magic = got
            check(status == 200 and magic == "PK" and size > 2000,
                  f"the report download answered {status}, {size} bytes, {magic!r}")
            check("spreadsheetml" in ctype, f"the report is not an XLSX: {ctype!r}")
            check("%E8%AF%8A%E6%96%AD%E6%8A%A5%E5%91%8A" in disposition or "诊断报告" in disposition,
                  f"the report's file name does not say 诊断报告: {disposition!r}")
            browser.screenshot("j1-03-report-link")

        def fetch_bytes(path):
            """GET `path` as the signed-in browser: (status, headers dict, bytes)."""
            got = browser.js_async(
                "var done = arguments[arguments.length - 1];"
                "fetch(arguments[0]).then(r => r.arrayBuffer().then(b => {"
                " var u = new Uint8Array(b), s = '';"
                " for (var i = 0; i < u.length; i += 8192) s += String.fromCharCode.apply(null, u.subarray(i, i + 8192));"
                " done([r.status, r.headers.get('content-type') || '', r.headers.get('content-disposition') || '', btoa(s)]); }))"
                ".catch(e => done([0, String(e), '', '']));",
                path)
            return got[0], {"content-type": got[1], "content-disposition": got[2]}, base64.b64decode(got[3])

        def xlsx_rows(data):
            """The first sheet's rows of an XLSX as lists of cell texts (shared and inline strings)."""
            import io
            import zipfile
            import xml.etree.ElementTree as ET
            ns = {"m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main"}
            z = zipfile.ZipFile(io.BytesIO(data))
            shared = []
            if "xl/sharedStrings.xml" in z.namelist():
                for si in ET.fromstring(z.read("xl/sharedStrings.xml")).findall("m:si", ns):
                    shared.append("".join(t.text or "" for t in si.iter("{%s}t" % ns["m"])))
            sheet = ET.fromstring(z.read("xl/worksheets/sheet1.xml"))
            rows = []
            for row in sheet.iter("{%s}row" % ns["m"]):
                cells = []
                for c in row.findall("m:c", ns):
                    v = c.find("m:v", ns)
                    if c.get("t") == "s" and v is not None:
                        cells.append(shared[int(v.text)])
                    elif c.get("t") == "inlineStr":
                        cells.append("".join(t.text or "" for t in c.iter("{%s}t" % ns["m"])))
                    else:
                        cells.append(v.text if v is not None else "")
                rows.append(cells)
            return rows

        def district_import_journey():
            # Journey 3, the district clerk: the import template → a file filled with two
            # mistakes → the errors read on the page (nothing written) → the file fixed → imported
            # → found by search → in the export filtered to the district.
            browser.click(browser.find(".user form button"))
            browser.wait_url("/login")
            login("demo-district", "示例数据-旗县区-2026!", "旗县区工作人员")
            m = re.search(r"旗县区工作人员：(\d{6})", browser.body_text())
            check(m is not None, "the user bar shows the clerk's district")
            mine = m.group(1)
            browser.go(base + "/import?kind=organisations")
            browser.screenshot("j3-01-import-page")
            status, headers, data = fetch_bytes("/api/organisations/template")
            check(status == 200 and data[:2] == b"PK", f"template download answered {status}")
            header = [h.strip() for h in xlsx_rows(data)[0]]
            # Required columns are marked 「*」.
            for need in ["统一社会信用代码", "名称", "组织类型", "行政区划代码"]:
                check(("*" + need) in header, f"the template has no required 「{need}」 column: {header}")
            name = "包头示例旗县区导入测试科技有限公司"
            good = credit_code("91" + mine + "MA0DXT35K")
            bad = good[:-1] + ("0" if good[-1] != "0" else "1")

            def write(path, code, region):
                values = {"统一社会信用代码": code, "名称": name, "组织类型": "企业",
                          "行政区划代码": region, "地址": "包头市（浏览器测试）"}
                with open(path, "w", encoding="utf-8-sig") as f:
                    f.write(",".join(header) + "\n")
                    row = []
                    for h in header:
                        key = next((k for k in values if h.lstrip("*") == k), None)
                        row.append(values[key] if key else "")
                    f.write(",".join(row) + "\n")

            wrong = os.path.join(tmp, "旗县区-有错.csv")
            write(wrong, bad, "不存在的区")
            browser.type(browser.find("input#file"), wrong)
            browser.click(browser.find("form.record button[type=submit]"))
            browser.wait_text("未写入任何数据")
            table = browser.text(browser.find("table.errors"))
            check("统一社会信用代码" in table and "行政区划代码" in table,
                  f"both mistakes are not explained: {table[:300]}")
            browser.screenshot("j3-02-import-errors", full=True)
            status, raw, _ = http("GET", f"{base}/api/organisations/{good}")
            check(status == 404, "a refused file wrote its row")
            fixed = os.path.join(tmp, "旗县区-已改正.csv")
            write(fixed, good, mine)
            browser.go(base + "/import?kind=organisations")
            browser.type(browser.find("input#file"), fixed)
            browser.click(browser.find("form.record button[type=submit]"))
            text = browser.wait_text("导入成功")
            check("新增 1 条" in text, f"the fixed file did not add its row: {text[:300]}")
            browser.screenshot("j3-03-imported", full=True)
            browser.go(base + "/search?q=" + urllib.parse.quote(name))
            text = browser.wait_text("找到")
            check(name in text, "the imported organisation is not found by search")
            browser.screenshot("j3-04-search")
            browser.go(base + f"/organisations?region={mine}&q=" + urllib.parse.quote(name))
            link = browser.js("var a = [...document.querySelectorAll('main a.btn')].find(a => a.getAttribute('href').startsWith('/api/organisations/export')); return a ? a.getAttribute('href') : '';")
            check(link and f"region={mine}" in link, f"the export link does not keep the district filter: {link!r}")
            status, headers, data = fetch_bytes(link)
            check(status == 200 and data[:2] == b"PK", f"the filtered export answered {status}")
            cells = [c for r in xlsx_rows(data) for c in r]
            check(name in cells, "the filtered export does not hold the imported organisation")
            browser.screenshot("j3-05-filtered-list")
            browser.click(browser.find(".user form button"))
            browser.wait_url("/login")
            login()

        def enterprise_journey():
            # Journey 2, the enterprise: post a demand, with the problem card checked before
            # publishing (nothing saved by a check) → saved at its first stage → solvers of
            # several kinds ranked for it → the city bureau moves it along, named in its history.
            browser.click(browser.find(".user form button"))
            browser.wait_url("/login")
            login("demo-enterprise", "示例数据-企业-2026!", "企业用户")
            m = re.search(r"企业用户：([0-9A-Z]{18})", browser.body_text())
            check(m is not None, "the user bar does not name the enterprise")
            own = m.group(1)
            browser.go(base + "/demands/new")
            browser.wait_text("检查问题卡")
            status_field = browser.js("var s = document.querySelector('[name=status]'); return s ? [s.tagName, s.disabled || s.readOnly || s.type === 'hidden'] : null;")
            check(status_field is None or status_field[1], f"状态 can be chosen at creation: {status_field}")
            fill = ("var f = arguments[0], bad = [];"
                    "for (var k in f) { var e = document.querySelector('form.record [name=' + k + ']');"
                    " if (!e) { bad.push(k); continue; }"
                    " if (e.tagName === 'SELECT') { var o = [...e.options].find(o => o.text === f[k] || o.value === f[k]);"
                    "  if (o) { e.value = o.value; } else { bad.push(k); } continue; }"
                    " e.value = f[k]; if (e.value !== f[k]) bad.push(k); }"
                    "return bad;")
            title = "稀土永磁电机高温退磁问题（浏览器测试）"
            bad = browser.js(fill, {
                "title": title,
                "kind": "技术难题",
                "organisation": own,
                "text": "我公司生产新能源汽车驱动电机用烧结钕铁硼磁体，电机在 150℃ 长期运行时出现高温退磁，需要提高磁体的矫顽力和温度稳定性，并减少重稀土镝、铽的用量。",
            })
            check(not bad, f"demand form fields not found or not settable: {bad}")
            browser.click(browser.find("form.record button[name=check_card]"))
            text = browser.wait_text("问题卡还有")
            check(browser.js("return document.querySelector('form.record [name=title]').value;") == title,
                  "the check lost the title")
            browser.screenshot("j2-01-card-check", full=True)
            bad = browser.js(fill, {
                "goal_metric": "150℃ 下退磁率 ≤ 3%",
                "current_state": "目前 150℃ 退磁率约 8%",
                "trl_target": "6",
                "deadline": "2027-12-31",
                "ip_terms": "成果归企业所有，解题方可用于教学科研",
            })
            check(not bad, f"card fields not found or not settable: {bad}")
            budget = browser.js("var s = document.querySelector('form.record [name=budget_band]');"
                                "if (!s) return null; if (s.tagName === 'SELECT') { s.selectedIndex = s.options.length - 1; }"
                                "else { s.value = '50–200万元'; } return s.value;")
            check(budget, "no budget field on the demand form")
            browser.click(browser.find("form.record button[name=check_card]"))
            browser.wait_text("问题卡完整")
            browser.screenshot("j2-02-card-complete", full=True)
            status, raw, _ = http("GET", base + "/api/demands?q=" + urllib.parse.quote(title) + "&per_page=5")
            check(status == 200 and not [d for d in json.loads(raw)["items"] if d["title"] == title],
                  "checking the card saved the demand")
            browser.click(browser.find("form.record button[type=submit]:not([name])"))
            browser.wait_url("saved=1")
            url = browser.js("return location.pathname;")
            check(re.match(r"^/demands/[^/]+$", url), f"not on the new demand's page: {url}")
            text = browser.body_text()
            check("已发布" in text, "the new demand does not start at 已发布")
            browser.screenshot("j2-03-posted", full=True)
            browser.go(base + url + "/matches")
            browser.wait_text("匹配解题方")
            kinds = browser.js("return [...document.querySelectorAll('table.results tbody tr[data-kind]')].slice(0, 10).map(r => r.dataset.kind)")
            check(len(set(kinds)) >= 3, f"the top 10 solvers are of fewer than 3 kinds: {kinds}")
            browser.screenshot("j2-04-matches", full=True)
            browser.click(browser.find(".user form button"))
            browser.wait_url("/login")
            login()
            browser.go(base + url)
            browser.type(browser.find("#f-note"), "问题卡完整，进入初筛（浏览器测试）")
            browser.click(browser.find("form[action$='/transition'] button[type=submit]"))
            text = browser.wait_text("已流转到")
            check("已初筛" in text, "the demand was not moved along")
            browser.screenshot("j2-05-moved", full=True)

        def tablet():
            browser.resize(768, 1024)
            for path, name in [("/organisations", "08-tablet-list"), ("/dashboard", "09-tablet-dashboard")]:
                browser.go(base + path)
                overflow = browser.js("return document.documentElement.scrollWidth - window.innerWidth;")
                check(overflow <= 1, f"{path} scrolls sideways by {overflow}px at 768px")
                browser.screenshot(name)
            browser.resize(1280, 720)

        def keyboard():
            browser.go(base + "/organisations")
            # Start from the top of the document, as a user who has just opened the page.
            browser.js("window.focus(); if (document.activeElement) document.activeElement.blur(); return 0;")
            browser.keys("\ue004")
            cls = browser.js("return document.activeElement.className;")
            check(cls == "skip", f"first Tab focuses {cls!r}, not the skip link")
            outline = browser.js("return getComputedStyle(document.activeElement).left;")
            check(outline != "-9999px", "skip link not visible when focused")
            browser.keys("\ue007")
            focused = browser.js("return document.activeElement.id;")
            check(focused == "main", f"skip link moved focus to {focused!r}")

        def full_text_search():
            browser.go(base + "/search")
            browser.type(browser.find("input#q"), "钕铁硼")
            browser.click(browser.find("form.searchbar button"))
            text = browser.wait_text("找到")
            hits = browser.find_all("ol.hits li")
            check(len(hits) >= 3, f"only {len(hits)} hits")
            marks = browser.find_all("ol.hits mark")
            check(marks, "no highlighted matches")
            check("类型" in text and "旗县区" in text, "facets missing")
            browser.screenshot("10-full-text-search")

        def demand_workflow():
            status, raw, _ = http("GET", f"{base}/api/demands?flag=posted&per_page=1")
            demand = json.loads(raw)["items"][0]
            browser.go(f"{base}/demands/{demand['id']}")
            text = browser.body_text()
            check("需求流转" in text and "问题卡片" in text, "workflow section missing")
            note = browser.find("#f-note")
            browser.type(note, "卡片已核对（浏览器测试）")
            # Who moved it is the signed-in account, not a name typed into the form.
            browser.click(browser.find("form[action$='/transition'] button[type=submit]"))
            text = browser.wait_text("已流转到")
            check("demo-city" in text and "已初筛" in text, "history does not name who moved it")
            status, raw, _ = http("GET", f"{base}/api/demands/{demand['id']}/history")
            h = json.loads(raw)["history"]
            check(h[-1]["actor"] == "demo-city" and h[-1]["to"] == "screened", f"history {h[-1]}")
            browser.screenshot("11-demand-workflow", full=True)
            browser.click(browser.find("a.btn[href$='/matches']"))
            browser.wait_text("匹配解题方")
            rows = browser.find_all("table.results tbody tr")
            check(rows, "no ranked solvers")
            text = browser.body_text()
            check("推荐理由与依据" in text and "联系途径" in text, "no reason or contact column")
            # Each line names its organisation and district; the evidence opens on demand.
            cells = browser.js(
                "return [...document.querySelectorAll('table.results tbody tr')].slice(0, 10)"
                ".map(r => [r.dataset.kind, r.cells[3].innerText, r.querySelector('p.reason').innerText])"
            )
            check(all(c[1].strip() and "—" not in c[1].split("\n")[0] for c in cells), f"a line without organisation: {cells}")
            check(all(c[2].endswith("。") for c in cells), f"a reason is not a sentence: {cells}")
            browser.click(browser.find("table.results details summary"))
            check("命中词" in browser.body_text(), "no evidence on the match list")
            browser.screenshot("12-demand-matches", full=True)
            # One type: the best instruments, not the instruments of an overall list.
            browser.go(browser.js("return location.href.split('?')[0]") + "?type=equipment")
            kinds = browser.js("return [...document.querySelectorAll('table.results tbody tr[data-kind]')].map(r => r.dataset.kind)")
            check(kinds and set(kinds) == {"equipment"}, f"instrument tab: {kinds}")
            browser.screenshot("12b-demand-matches-equipment")
            browser.go(base + "/demand-funnel")
            text = browser.body_text()
            check("按区县" in text and "按技术经理人" in text, "funnel tables missing")
            browser.screenshot("13-demand-funnel", full=True)

        def assessment():
            browser.go(base + "/assessment")
            text = browser.body_text()
            check("考核评估" in text and "重点实验室评估（示例数据）" in text, "sample rounds missing on /assessment")
            links = browser.find_all("main table a[href^='/assessment/key_laboratory-']")
            check(len(links) >= 2, f"only {len(links)} rounds listed")
            hrefs = [browser.call("GET", f"/element/{l}/attribute/href") for l in links]
            published = sorted(hrefs)[0]
            draft = sorted(hrefs)[-1]
            browser.go(base + published)
            text = browser.body_text()
            check("位次区间" in text and "敏感性分析" in text and "已发布" in text, "scorecards incomplete")
            check(len(browser.find_all("table.scorecards tbody tr")) >= 3, "too few scorecards")
            check(len(browser.find_all("table.scorecards .meter .median")) >= 3, "no median marks on the bars")
            browser.screenshot("14-assessment-round", full=True)
            browser.click(browser.find("table.scorecards tbody tr a"))
            browser.wait_text("各项指标")
            text = browser.body_text()
            check("登记库" in text and "平台填报" in text, "figures without their sources")
            check(browser.find_all("main a[href^='/achievements/'], main a[href^='/people/'], main a[href^='/equipment/']"), "no links to the records behind figures")
            browser.screenshot("15-assessment-platform", full=True)
            browser.go(base + draft)
            check("待审核的填报值" in browser.body_text(), "draft round without its review queue")
            browser.screenshot("16-assessment-draft", full=True)
            a = published.rsplit("/", 1)[-1]
            b = draft.rsplit("/", 1)[-1]
            browser.go(base + f"/assessment/compare?a={a}&b={b}")
            check("数据变化" in browser.body_text(), "comparison without its decomposition")
            browser.screenshot("17-assessment-compare", full=True)
            browser.go(base + "/assessment/frameworks")
            text = browser.body_text()
            check("重点实验室评估指标体系" in text and "内置" in text, "framework versions missing")
            browser.go(base + "/assessment/frameworks/key_laboratory/diff?from=2026.1&to=2026.1")
            check("两个版本的内容相同" in browser.body_text(), "diff of a version with itself is not empty")
        def policies():
            # 政策找企业: the bureau sees a policy's lists and its assessment; an enterprise sees
            # its own policies with what is missing and what would change the verdict.
            browser.go(base + "/policy-rules/hitech_certification")
            text = browser.body_text()
            check("免申即享" in text and "差一项" in text and "快申快享" in text, "the three lists are missing")
            check("再补充：" in text, "no 快申快享 invitation names the facts to supply")
            browser.screenshot("30-policy-lists", full=True)
            browser.go(base + "/policy-rules/hitech_certification/assessment")
            text = browser.body_text()
            check("按旗县区" in text and "卡在哪一条" in text, "the assessment tables are missing")
            check("昆都仑区" in text or "青山区" in text, "districts are not shown by name")
            browser.screenshot("31-policy-assessment", full=True)
            browser.click(browser.find(".user form button"))
            browser.wait_url("/login")
            login("demo-enterprise", "示例数据-企业-2026!", "企业用户")
            import re
            m = re.search(r"企业用户：([0-9A-Z]{18})", browser.body_text())
            check(m is not None, "the user bar shows the enterprise's credit code")
            code = m.group(1)
            browser.go(base + f"/organisations/{code}/policies")
            rows = browser.find_all("table.org-policies tbody tr")
            check(len(rows) >= 4, f"the enterprise page lists {len(rows)} policies")
            gaps = [browser.text(r) for r in rows]
            for g in gaps:
                if "符合" in g and "不符合" not in g:
                    continue
                check("再补充：" in g or "可达标" in g or "要求" in g, f"a policy row says nothing about the gap: {g}")
            check(any("再补充：" in g or "可达标" in g for g in gaps), "no row says what is missing or what would change it")
            browser.screenshot("32-enterprise-policies", full=True)
            # The enterprise enters a fact the registry lacks; the verdicts are recomputed.
            field = browser.find("input[name='f.innovation_score']")
            browser.type(field, "80")
            browser.click(browser.find("form[action$='/policies'] button"))
            browser.wait_text("已保存 1 项事实")
            check("企业填报" in browser.body_text(), "the entered fact is not shown as 企业填报")
            browser.screenshot("33-enterprise-fact-saved")
            browser.go(base + "/policy-rules")
            check("未找到" in browser.body_text() or "无权" in browser.body_text() or "无法显示" in browser.body_text(),
                  "an enterprise opened the bureau's policy lists")
            browser.click(browser.find(".user form button"))
            browser.wait_url("/login")
            login()

        def switch(username, password, expect):
            browser.click(browser.find(".user form button"))
            browser.wait_url("/login")
            login(username, password, expect)

        def sharing_journey():
            # 开放共享: an enterprise finds a free 稀土元素分析 slot and books it, the owner confirms
            # and records the hours, the enterprise claims an innovation voucher, the bureau
            # approves it.
            status, raw, _ = http("GET", base + "/api/shared-services?q=" + urllib.parse.quote("稀土元素分析") + "&per_page=50")
            items = [i for i in json.loads(raw)["items"] if "稀土元素分析" in i["name"]]
            check(items, "no 稀土元素分析 service in the sample")
            service = items[0]["id"]
            switch("demo-enterprise", "示例数据-企业-2026!", "企业用户")
            browser.go(base + "/sharing")
            browser.type(browser.find("input[name=q]"), "稀土元素分析")
            browser.click(browser.find("form[action='/shared-services'] button"))
            browser.wait_url("/shared-services")
            check(browser.find_all("table.results tbody tr"), "the search lists no shared services")
            browser.screenshot("20-sharing-find")
            browser.go(f"{base}/shared-services/{service}")
            text = browser.wait_text("预约日历")
            links = browser.find_all("a[href*='start=']")
            check(links, "the calendar shows no free slot in the next two weeks")
            browser.click(links[0])
            browser.wait_url("start=")
            browser.type(browser.find("#book-form input[name=note]"), "稀土氧化物配分分析 3 个样品（浏览器测试）")
            browser.screenshot("21-sharing-calendar", full=True)
            browser.click(browser.find("#book-form button"))
            text = browser.wait_text("已提交预约")
            check("待确认" in text, "the new booking is not waiting for the owner")
            booking = browser.js("return location.pathname;").rsplit("/", 1)[-1]
            check(booking.startswith("BK"), f"not a booking page: {booking}")
            browser.screenshot("22-sharing-booked")
            switch("demo-owner", "示例数据-仪器共享-2026!", "企业用户")
            browser.go(f"{base}/sharing/bookings/{booking}")
            browser.click(browser.find("form[action$='/action'] input[value=confirm] ~ button"))
            text = browser.wait_text("已确认")
            browser.type(browser.find("input[name=result]"), "检测报告 BT-2026-0001")
            hours = browser.find("input[name=hours]")
            browser.clear(hours)
            browser.type(hours, "1.5")
            browser.click(browser.find("form[action$='/action'] input[value=complete] ~ button"))
            text = browser.wait_text("已完成")
            check("1.5 小时" in text and "检测报告 BT-2026-0001" in text, "the hours and result are not recorded")
            browser.screenshot("23-sharing-completed", full=True)
            switch("demo-enterprise", "示例数据-企业-2026!", "企业用户")
            browser.go(f"{base}/sharing/bookings/{booking}")
            browser.click(browser.find("form[action='/sharing/claims'] button"))
            text = browser.wait_text("已提交创新券申领")
            import re
            m = re.search(r"已提交创新券申领 (VC\d+)", text)
            check(m is not None, "no claim number shown")
            claim = m.group(1)
            browser.screenshot("24-sharing-claimed")
            # The same booking cannot be claimed twice, under any programme.
            status, raw, _ = http("GET", base + "/api/voucher-programmes?per_page=50")
            for prog in json.loads(raw)["items"]:
                status, raw, _ = http("POST", base + "/api/voucher-claims", {"booking": booking, "programme": prog["id"]})
                check(status == 409 and "不能重复申领" in json.loads(raw)["message"], f"second claim answered {status}")
            switch("demo-city", "示例数据-市级-2026!", "市级工作人员")
            browser.go(base + "/sharing/claims")
            browser.click(browser.find(f"form[action='/sharing/claims/{claim}/decision'] button"))
            text = browser.wait_text(f"申领 {claim} 已核准")
            browser.screenshot("25-sharing-approved")
            browser.go(base + "/sharing")
            text = browser.body_text()
            check("提供单位开放度排名" in text and "共享率" in text, "the city figures are missing")
            browser.screenshot("26-sharing-figures", full=True)

        def consortium_journey():
            # 创新联合体: the bureau picks a chain gap, gets a proposal whose members (a lead
            # enterprise, firms upstream and downstream, a university or institute, an
            # intermediary) each carry a reason, drops one member, saves it, opens the saved
            # proposal and downloads its XLSX annex.
            browser.go(base + "/consortia")
            nodes = browser.js("return [...document.querySelectorAll('#by-node option')].map(o => o.value);")
            check(nodes, "no chain gap offered for a consortium")
            browser.screenshot("40-consortia")
            wanted = {"lead", "upstream", "downstream", "academic", "intermediary"}
            chosen = None
            for node in nodes:
                status, raw, _ = http("GET", base + "/api/consortia/propose?node=" + urllib.parse.quote(node))
                check(status == 200, f"proposal for {node} answered {status}")
                if wanted <= {m["role"] for m in json.loads(raw)["members"]}:
                    chosen = node
                    break
            check(chosen, "no sample gap gets a complete consortium")
            browser.go(base + "/consortia/new?node=" + urllib.parse.quote(chosen))
            browser.wait_text("组建依据")
            roles = browser.js("return [...document.querySelectorAll('#consortium-form tr[data-role]')].map(r => r.dataset.role);")
            check(wanted <= set(roles), f"the page lists roles {roles}")
            reasons = browser.js("return [...document.querySelectorAll('#consortium-form tr[data-role] textarea')].map(t => t.value);")
            check(all(r.strip() for r in reasons), "a member has no reason")
            browser.screenshot("41-consortium-proposal", full=True)
            boxes = browser.find_all("#consortium-form tr[data-role] input[type=checkbox]")
            browser.click(boxes[-1])
            title = browser.find("#consortium-form input[name=title]")
            browser.clear(title)
            browser.type(title, "产业链缺口攻关创新联合体（浏览器测试）")
            browser.click(browser.find("#consortium-form button[type=submit]"))
            browser.wait_url("/consortia/CS")
            text = browser.wait_text("联合体成员")
            check("浏览器测试" in text and "牵头企业" in text, "the saved proposal is not shown")
            saved = browser.js("return location.pathname;").rsplit("/", 1)[-1]
            shown = browser.js("return document.querySelectorAll('table.consortium tbody tr').length;")
            check(shown == len(roles) - 1, f"saved {shown} members, expected {len(roles) - 1}")
            browser.screenshot("42-consortium-saved", full=True)
            status, raw, headers = http("GET", f"{base}/api/consortia/{saved}/export")
            check(status == 200 and raw[:2] == b"PK", f"the annex answered {status}")

        def platform_journey():
            # 考核评估, a platform's side: the key laboratory's account sees only its own
            # scorecard, enters a figure with its evidence text, uploads an evidence file (a PDF)
            # and sees it listed beside the figure; another platform's scorecard is not there.
            switch("demo-platform", "示例数据-创新平台-2026!", "专家 / 平台")
            browser.go(base + "/assessment")
            links = browser.find_all("main table a[href^='/assessment/key_laboratory-']")
            check(len(links) >= 2, f"the platform sees {len(links)} rounds")
            hrefs = sorted(browser.call("GET", f"/element/{l}/attribute/href") for l in links)
            draft = hrefs[-1]
            browser.go(base + draft)
            rows = browser.find_all("table.scorecards tbody tr")
            check(len(rows) == 1, f"the platform sees {len(rows)} scorecards, not its own only")
            browser.click(browser.find("table.scorecards tbody tr a"))
            browser.wait_text("各项指标")
            own = browser.js("return location.pathname;")
            browser.js("document.querySelector(\"form[action$='/entries'] select[name=indicator]\").value = 'leading_talent';")
            browser.type(browser.find("form[action$='/entries'] input[name=value]"), "6")
            browser.type(browser.find("form[action$='/entries'] input[name=evidence]"), "人才称号文件 6 份（浏览器测试）")
            browser.click(browser.find("form[action$='/entries'] button"))
            browser.wait_text("已提交，待市科技局审核")
            pdf = os.path.join(tmp, "人才证书.pdf")
            with open(pdf, "wb") as f:
                f.write(b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n")
            browser.js("document.querySelector(\"form[action*='/evidence'] select[name=indicator]\").value = 'leading_talent';")
            browser.type(browser.find("form[action*='/evidence'] input[type=file]"), pdf)
            browser.click(browser.find("form[action*='/evidence'] button"))
            text = browser.wait_text("已上传")
            check("人才证书.pdf" in text and "PDF" in text, "the uploaded file is not listed")
            check(browser.find_all("a.evidence[href^='/api/assessment/evidence/']"), "no download link for the evidence")
            browser.screenshot("18-assessment-platform-own", full=True)
            # A file that is not what it claims: refused in Chinese, nothing listed.
            fake = os.path.join(tmp, "伪装.pdf")
            with open(fake, "wb") as f:
                f.write(b"MZ\x90\x00 not a pdf")
            browser.type(browser.find("form[action*='/evidence'] input[type=file]"), fake)
            browser.click(browser.find("form[action*='/evidence'] button"))
            text = browser.wait_text("文件类型不支持")
            check("伪装.pdf" not in text, "a refused file is listed")
            browser.screenshot("19-assessment-evidence-refused")
            # Another platform of the round: not found for this account.
            round_id = draft.rsplit("/", 1)[-1]
            status, raw, _ = http("GET", f"{base}/api/assessment/rounds/{round_id}")
            others = [u["id"] for u in json.loads(raw)["units"] if not own.endswith("/" + u["id"])]
            check(others, "the round has only one platform")
            browser.go(f"{base}/assessment/{round_id}/platforms/{others[0]}")
            check("未找到" in browser.body_text() or "没有平台" in browser.body_text(), "another platform's scorecard is shown")
            switch("demo-city", "示例数据-市级-2026!", "市级工作人员")
            browser.go(base + draft)
            text = browser.body_text()
            check("人才证书.pdf" in text, "the review queue does not show the evidence file")

        def duplicate_review():
            # 重复申报审查: the programme officer opens the duplicate list (applicants by name,
            # grouped by kind), a pair side by side whose figure counts what is highlighted,
            # excludes it with a reason, and it leaves the default list (kept under 已排除).
            browser.go(base + "/funding/duplicates")
            text = browser.wait_text("正文相同")
            check("成员相同" in text and "预算相同" in text and "待审查" in text, "the list is not grouped by kind")
            check(not re.search(r"\b(20\d\d) · \1\b", text), "the list repeats the year")
            browser.screenshot("50-duplicates-list", full=True)
            link = browser.find("section[data-kind=text] a[href^='/funding/duplicates/']")
            pair = browser.call("GET", f"/element/{link}/attribute/href")
            pair = "/" + pair.split("/", 3)[-1] if pair.startswith("http") else pair
            browser.click(link)
            text = browser.wait_text("审查决定")
            check("不计套话共" in text and "申报单位" in text, "the pair page does not explain its figure")
            shown = browser.js("return [...document.querySelectorAll('.figure[data-reuse]')].map(e => +e.dataset.reuse);")
            counted = browser.js(
                "return [...document.querySelectorAll('article.side .text')].map(t => {"
                " const n = s => s.replace(/\\s/g, '').length;"
                " const grey = [...t.querySelectorAll('.bp')].reduce((a, e) => a + n(e.textContent), 0);"
                " const marked = [...t.querySelectorAll('mark')].reduce((a, e) => a + n(e.textContent), 0);"
                " return marked / (n(t.textContent) - grey); });")
            check(len(shown) == 2 and all(abs(a - b) < 1e-3 for a, b in zip(shown, counted)),
                  f"figures {shown} do not count the highlighted text {counted}")
            browser.screenshot("51-duplicate-pair", full=True)
            browser.type(browser.find("#exclude-form textarea[name=reason]"), "同一项目的分期申报，已与主管部门核实（浏览器测试）")
            browser.click(browser.find("#exclude-form button"))
            text = browser.wait_text("默认列表不再显示")
            gone = browser.js("return document.querySelectorAll(arguments[0]).length;", f"a[href='{pair}']")
            check(gone == 0, f"the excluded pair {pair} is still listed")
            browser.screenshot("52-duplicate-excluded")
            browser.go(base + "/funding/duplicates?decision=excluded")
            text = browser.wait_text("已排除")
            check("分期申报" in text and browser.find_all(f"a[href='{pair}']"), "the excluded pair is not under 已排除")

        step("log in as city staff", login)
        step("search for an enterprise", search)
        step("open it", open_detail)
        step("edit a field and see it saved", edit)
        step("a bad value is refused beside its field", invalid_value)
        step("import a file with one bad row", import_bad_row)
        step("dashboard", dashboard)
        step("chain page", chain)
        step("journey 1, city clerk: dashboard → chain → open gaps → 新增补链行动 (refused keeps input) → saved and listed → remedies by name → report XLSX", chain_gap_action)
        step("tablet width", tablet)
        step("keyboard navigation", keyboard)
        step("full-text search with highlights and facets", full_text_search)
        step("move a demand, see who moved it, its solvers and the funnel", demand_workflow)
        step("assessment scorecards, a platform's view, a draft and a comparison", assessment)
        step("a district clerk sees only their district", district_clerk)
        step("journey 2, enterprise: post a demand with the card checked first → several kinds of solvers → moved along by the bureau", enterprise_journey)
        step("journey 3, district clerk: template → file with mistakes → errors read, nothing written → fixed → imported → found → filtered export", district_import_journey)
        step("policy lists, assessment and an enterprise's policies with what is missing", policies)

        step("a platform enters its figure and uploads evidence, seeing only its own scorecard", platform_journey)
        step("book a shared instrument, record the hours, claim and approve a voucher", sharing_journey)
        step("build a consortium for a chain gap, adjust, save and export it", consortium_journey)
        step("review a duplicate pair by its highlighted text and exclude it with a reason", duplicate_review)
    except Exception as e:
        results.append(("setup", False, str(e)))
        print(f"FAIL setup: {e}", flush=True)
        traceback.print_exc()
    finally:
        if browser is not None:
            browser.quit()
        for p in (driver, server):
            p.terminate()
            try:
                p.wait(timeout=10)
            except subprocess.TimeoutExpired:
                p.kill()
        server_log.close()
        driver_log.close()
        failed = [r for r in results if not r[1]]
        if failed:
            for name in ("server.log", "chromedriver.log"):
                p = os.path.join(tmp, name)
                if os.path.exists(p):
                    with open(p, errors="replace") as f:
                        tail = f.read()[-2000:]
                    print(f"--- {name} (tail)\n{tail}")
        shutil.rmtree(tmp, ignore_errors=True)
    passed = sum(1 for r in results if r[1])
    failed = len(results) - passed
    print(f"screenshots: {os.path.abspath(SHOTS)}")
    print(f"{passed} passed, {failed} failed")
    return 0 if failed == 0 and passed > 0 else 1


if __name__ == "__main__":
    sys.exit(main())
