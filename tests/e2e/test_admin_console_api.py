"""What the admin API gives the web console (web/README.md, "API the console
uses"), on the real binary over HTTP, on SQLite and PostgreSQL: sessions in
an HttpOnly cookie with a CSRF token for writes, the overview."""
import time

import pytest
import requests

from catalog_db import (ADMIN_PASSWORD, ADMIN_USER, BACKENDS, VIEWER_PASSWORD, VIEWER_USER, DbServer,
                        new_catalog_db)


@pytest.fixture(scope="module", params=BACKENDS)
def server(request, lakeshare_bin, tmp_path_factory):
    workdir = str(tmp_path_factory.mktemp("console_api_" + request.param))
    db = new_catalog_db(request.param, workdir, request)
    s = DbServer(lakeshare_bin, db, workdir, name="console_api_" + request.param).start()
    yield s
    s.stop()


def cookie_login(server):
    """A browser-like client: a cookie jar, and its session's CSRF token."""
    browser = requests.Session()
    r = browser.post(server.base_url + "/api/v1/login",
                     json={"username": ADMIN_USER, "password": ADMIN_PASSWORD, "cookie": True}, timeout=30)
    assert r.status_code == 200, r.text
    return browser, r


def test_cookie_login_keeps_the_token_out_of_the_page(server):
    browser, r = cookie_login(server)
    body = r.json()
    assert "token" not in body and body["username"] == ADMIN_USER and body["role"] == "admin"
    set_cookie = r.headers["Set-Cookie"]
    assert set_cookie.startswith("lakeshare_session=")
    for part in ("Path=/api/v1", "HttpOnly", "SameSite=Strict", "Max-Age="):
        assert part in set_cookie, set_cookie
    assert "Secure" not in set_cookie  # plain http here
    s = browser.get(server.base_url + "/api/v1/session", timeout=30)
    assert s.status_code == 200, s.text
    assert s.json()["csrfToken"] == body["csrfToken"] and s.json()["expiresAt"] == body["expiresAt"]
    assert requests.get(server.base_url + "/api/v1/session", timeout=30).status_code == 401


def test_cookie_writes_need_the_csrf_token_and_our_origin(server):
    browser, r = cookie_login(server)
    csrf = r.json()["csrfToken"]
    api = server.base_url + "/api/v1"
    own_origin = server.base_url.rstrip("/")
    for headers in ({}, {"X-CSRF-Token": "x" * 64}, {"X-CSRF-Token": csrf, "Origin": "https://evil.example"},
                    {"X-CSRF-Token": csrf, "Sec-Fetch-Site": "cross-site"}):
        w = browser.post(api + "/shares", json={"name": "csrf_refused"}, headers=headers, timeout=30)
        assert w.status_code == 403, (headers, w.text)
        assert w.json()["errorCode"] == "CSRF_REJECTED"
    assert browser.get(api + "/shares/csrf_refused", timeout=30).status_code == 404  # nothing changed
    ok = browser.post(api + "/shares", json={"name": "csrf_ok"},
                      headers={"X-CSRF-Token": csrf, "Origin": own_origin, "Sec-Fetch-Site": "same-origin"},
                      timeout=30)
    assert ok.status_code == 201, ok.text
    # The refusals are in the audit log as denied.
    denied = [e for e in server.admin().ok("GET", "/audit", params={"maxResults": 20})["items"]
              if e["outcome"] == "denied" and "CSRF" in (e.get("detail") or "")]
    assert len(denied) >= 1
    # Logout clears the cookie and ends the session.
    out = browser.post(api + "/logout", headers={"X-CSRF-Token": csrf}, timeout=30)
    assert out.status_code == 204, out.text
    assert "Max-Age=0" in out.headers["Set-Cookie"]
    assert browser.get(api + "/session", timeout=30).status_code == 401


def test_bearer_sessions_are_unaffected(server):
    ops = server.admin()
    r = ops.call("POST", "/shares", {"name": "bearer_write"}, headers={"Origin": "https://evil.example"})
    assert r.status_code == 201, r.text
    assert "csrfToken" in ops.ok("GET", "/session")


def test_overview(server):
    ops = server.admin()
    ops.ok("POST", "/shares", {"name": "ov_share"}, status=201)
    ops.ok("POST", "/recipients", {"name": "ov_reader"}, status=201)
    ops.ok("POST", "/recipients/ov_reader/tokens", {"expirationTime": "2099-01-01T00:00:00Z"}, status=201)
    soon = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(time.time() + 3600))
    ops.ok("POST", "/recipients/ov_reader/tokens", {"expirationTime": soon}, status=201)
    viewer = server.admin(VIEWER_USER, VIEWER_PASSWORD)
    o = viewer.ok("GET", "/overview")
    assert o["counts"]["shares"] >= 1 and o["counts"]["recipients"] >= 1 and o["counts"]["activeTokens"] >= 2
    assert [t["recipient"] for t in o["expiringTokens"]].count("ov_reader") == 1
    assert 1 <= len(o["recentAudit"]) <= 10
    assert o["server"]["catalogBackend"] in ("sqlite", "postgresql") and o["server"]["version"]
    assert requests.get(server.base_url + "/api/v1/overview", timeout=30).status_code == 401


@pytest.mark.parametrize("path", ["/shares", "/recipients", "/shares/pg_share/schemas",
                                  "/shares/pg_share/schemas/pg_schema/tables", "/users"])
def test_lists_search_and_page_by_name(server, path):
    ops = server.admin()
    if ops.call("GET", "/shares/pg_share").status_code == 404:
        ops.ok("POST", "/shares", {"name": "pg_share"}, status=201)
        ops.ok("POST", "/shares/pg_share/schemas", {"name": "pg_schema"}, status=201)
        for name in ("Pg_b", "pg_a", "pg_c", "other"):
            ops.ok("POST", "/shares", {"name": name}, status=201)
            ops.ok("POST", "/recipients", {"name": name}, status=201)
            ops.ok("POST", "/shares/pg_share/schemas", {"name": name}, status=201)
            ops.ok("POST", "/shares/pg_share/schemas/pg_schema/tables",
                   {"name": name, "location": "/nowhere/" + name, "check": False}, status=201)
            ops.ok("POST", "/users", {"name": name, "password": "a long password " + name, "role": "viewer"},
                   status=201)
    seen, token = [], None
    for _ in range(5):
        params = {"search": "PG_", "maxResults": 2}
        if token:
            params["pageToken"] = token
        page = ops.ok("GET", path, params=params)
        seen += [i["name"] for i in page["items"]]
        token = page.get("nextPageToken")
        if not token:
            break
    assert [n.lower() for n in seen if n.lower() != "pg_share" and n.lower() != "pg_schema"] == ["pg_a", "pg_b", "pg_c"]
    assert ops.call("GET", path, params={"maxResults": 0}).status_code == 400
    assert ops.call("GET", path, params={"pageToken": "nonsense!"}).status_code == 400


def test_adding_a_table_creates_its_schema(server):
    ops = server.admin()
    ops.ok("POST", "/shares", {"name": "auto_share"}, status=201)
    t = ops.ok("POST", "/shares/auto_share/schemas/new_schema/tables",
               {"name": "t", "location": "/nowhere/t", "check": False}, status=201)
    assert t["schema"] == "new_schema"
    assert [s["name"] for s in ops.ok("GET", "/shares/auto_share/schemas")["items"]] == ["new_schema"]
    r = ops.call("POST", "/shares/no_share/schemas/s/tables", {"name": "t", "location": "/nowhere/t"})
    assert r.status_code == 404, r.text
