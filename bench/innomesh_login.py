"""Signing in to a running Innomesh server from a script, as a person would: POST /login with a
demo account (created by `innomesh demo`, see README「账号与角色」), keep the session cookie, and
read the session's CSRF token from a page so that writes can send it as `X-CSRF-Token`.

    from innomesh_login import session_headers
    headers = session_headers(port)            # demo-city, the city staff demo account
    conn.request("GET", "/api/organisations", headers=headers)

Standard library only.
"""

import http.client
import re
import urllib.parse

DEMO_CITY = ("demo-city", "示例数据-市级-2026!")


def session_headers(port, user=DEMO_CITY, host="127.0.0.1"):
    username, password = user
    conn = http.client.HTTPConnection(host, port, timeout=60)
    body = urllib.parse.urlencode({"username": username, "password": password, "next": "/"})
    conn.request("POST", "/login", body=body,
                 headers={"Content-Type": "application/x-www-form-urlencoded"})
    r = conn.getresponse()
    r.read()
    cookie = r.getheader("Set-Cookie") or ""
    if r.status != 303 or "innomesh_session=" not in cookie:
        raise RuntimeError(f"login as {username} failed: {r.status}")
    session = cookie.split(";", 1)[0]
    conn.request("GET", "/", headers={"Cookie": session})
    page = conn.getresponse().read().decode("utf-8", "replace")
    m = re.search(r'name="_csrf" value="([0-9a-f]+)"', page)
    if not m:
        raise RuntimeError("no CSRF token on the landing page")
    conn.close()
    return {"Cookie": session, "X-CSRF-Token": m.group(1)}


def token_headers(binary, data_dir, name="bench", role="city-staff"):
    """An API token for a `role` account `name` (created if missing) in `data_dir`, made with the
    operator commands `innomesh user add` and `innomesh token create`; returns the header to send.
    A token acts with its account's role and scope on every route, pages included, and needs no
    CSRF token."""
    import subprocess

    subprocess.run([binary, "user", "add", name, "--role", role, "--data-dir", data_dir],
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    out = subprocess.run([binary, "token", "create", name, "--expires", "2", "--data-dir", data_dir],
                         capture_output=True, text=True)
    m = re.search(r"imt_[0-9a-f]+_[0-9a-f]+", out.stdout + out.stderr)
    if not m:
        raise RuntimeError(f"innomesh token create gave no token: {out.stdout}{out.stderr}")
    return {"Authorization": "Bearer " + m.group(0)}
