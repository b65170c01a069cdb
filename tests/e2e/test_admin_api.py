"""The admin REST API (/api/v1) end to end on the real binary, the same
suite on SQLite and on a PostgreSQL server the tests start: sessions, every
entity's CRUD, tokens handed out as profile files (rotation, revocation),
activation links, users and roles, the audit log (admin and sharing
requests), input validation, and the OpenAPI description."""
import json
import os
import re
import time

import pytest
import requests

import harness
from catalog_db import (ADMIN_PASSWORD, ADMIN_USER, BACKENDS, VIEWER_PASSWORD, VIEWER_USER, AdminSession,
                        DbServer, ndjson, new_catalog_db, sharing_get)

SIMPLE = os.path.join(harness.DELTA_ROOT, "simple_table")          # 5 files at version 4
PARTITIONED = os.path.join(harness.DELTA_ROOT, "delta-0.8.0-partitioned")


@pytest.fixture(scope="module", params=BACKENDS)
def server(request, lakeshare_bin, tmp_path_factory):
    workdir = str(tmp_path_factory.mktemp("admin_api_" + request.param))
    db = new_catalog_db(request.param, workdir, request)
    s = DbServer(lakeshare_bin, db, workdir, name="admin_" + request.param).start()
    yield s
    s.stop()


@pytest.fixture(scope="module")
def ops(server):
    return server.admin()


_counter = [0]


def unique(prefix):
    _counter[0] += 1
    return "%s%d_%d" % (prefix, int(time.time() * 1000) % 100000, _counter[0])


def profile_for(ops, recipient, **body):
    return ops.ok("POST", "/recipients/%s/tokens" % recipient, body or {}, status=201)


def sharing_client_get(profile, path):
    return sharing_get(profile["endpoint"], path, profile["bearerToken"])


def audit(ops, **params):
    return ops.ok("GET", "/audit", params=params)["items"]


def wait_audit(ops, predicate, timeout=5.0, **params):
    """Sharing requests are audited asynchronously: poll until one matches."""
    deadline = time.monotonic() + timeout
    while True:
        items = audit(ops, **params)
        hits = [e for e in items if predicate(e)]
        if hits or time.monotonic() > deadline:
            return hits
        time.sleep(0.05)


# ---------------------------------------------------------------------------
# Sessions
# ---------------------------------------------------------------------------

def test_login_and_sessions(server):
    api = server.base_url + "/api/v1"
    wrong = requests.post(api + "/login", json={"username": ADMIN_USER, "password": "nope"}, timeout=30)
    unknown = requests.post(api + "/login", json={"username": "nobody", "password": "nope"}, timeout=30)
    assert wrong.status_code == unknown.status_code == 401
    assert wrong.json() == unknown.json()  # an unknown user is not told apart
    assert requests.post(api + "/login", json={"username": ADMIN_USER}, timeout=30).status_code == 400
    assert requests.post(api + "/login", data="{", timeout=30).status_code == 400
    assert requests.get(api + "/login", timeout=30).status_code == 405

    r = requests.post(api + "/login", json={"username": ADMIN_USER, "password": ADMIN_PASSWORD}, timeout=30)
    assert r.status_code == 200
    body = r.json()
    assert body["role"] == "admin" and body["username"] == ADMIN_USER
    assert body["expiresAt"] > time.time() * 1000
    session = AdminSession(server.base_url, token=body["token"])
    assert session.call("GET", "/shares").status_code == 200
    for bad in (None, "", "garbage", body["token"] + "x"):
        assert session.call("GET", "/shares", token=bad).status_code == 401
    assert session.call("POST", "/logout").status_code == 204
    assert session.call("GET", "/shares").status_code == 401  # the session is over


def test_login_refuses_cross_origin_and_non_json_posts(server):
    """A page of another site can POST a form or text/plain body to the login
    without the browser asking first: such a login is refused (403 when the
    browser says it is cross-origin, 415 for a body not sent as JSON), in the
    protocol's error shape, and is no failed attempt. Same-origin JSON works."""
    api = server.base_url + "/api/v1"
    creds = {"username": ADMIN_USER, "password": ADMIN_PASSWORD}
    text = json.dumps(creds)

    def login(headers, data=text):
        return requests.post(api + "/login", data=data, headers=headers, timeout=30)

    for headers in ({"Content-Type": "application/json", "Origin": "http://evil.example"},
                    {"Content-Type": "application/json", "Sec-Fetch-Site": "cross-site"},
                    {"Content-Type": "text/plain", "Origin": "http://evil.example", "Sec-Fetch-Site": "cross-site"},
                    {"Content-Type": "application/json", "Sec-Fetch-Site": "same-site"}):
        r = login(headers)
        assert r.status_code == 403, (headers, r.status_code, r.text)
        assert r.headers["Content-Type"].startswith("application/json")
        assert r.json()["errorCode"] == "CSRF_REJECTED" and r.json()["message"], r.text
        assert "token" not in r.json()
    for headers, data in (({"Content-Type": "text/plain"}, text),
                          ({"Content-Type": "text/plain;charset=UTF-8"}, text),
                          ({"Content-Type": "application/x-www-form-urlencoded"}, text)):
        r = login(headers, data)
        assert r.status_code == 415, (headers, r.status_code, r.text)
        assert r.json()["errorCode"] == "UNSUPPORTED_MEDIA_TYPE" and "application/json" in r.json()["message"]
    # multipart form: not JSON either
    r = requests.post(api + "/login", files={"username": (None, ADMIN_USER)}, timeout=30)
    assert r.status_code in (400, 415), r.text
    host = server.base_url.split("://", 1)[1]
    for headers in ({"Content-Type": "application/json; charset=utf-8"},
                    {"Content-Type": "application/json", "Origin": server.base_url, "Sec-Fetch-Site": "same-origin"},
                    {"Content-Type": "Application/JSON", "Host": host}):
        r = login(headers)
        assert r.status_code == 200, (headers, r.status_code, r.text)
        assert r.json()["token"]


def test_password_guessing_is_slowed_down(server):
    """5 failed logins of one name (from one address) are free; after the 6th
    the next attempt waits, even with the right password: 429 in the
    protocol's error shape, Retry-After."""
    api = server.base_url + "/api/v1"
    name = unique("guesser")
    for _ in range(6):
        r = requests.post(api + "/login", json={"username": name, "password": "guess"}, timeout=30)
        assert r.status_code == 401
    r = requests.post(api + "/login", json={"username": name, "password": "guess"}, timeout=30)
    assert r.status_code == 429, r.text
    assert r.json()["errorCode"] == "TOO_MANY_REQUESTS" and "try again" in r.json()["message"]
    assert int(r.headers["Retry-After"]) >= 1
    # Other names from the same address still get their answer.
    r = requests.post(api + "/login", json={"username": ADMIN_USER, "password": ADMIN_PASSWORD}, timeout=30)
    assert r.status_code == 200


# ---------------------------------------------------------------------------
# Shares, schemas, tables
# ---------------------------------------------------------------------------

def test_shares_crud(ops):
    name = unique("Sales")
    created = ops.ok("POST", "/shares", {"name": name, "displayName": "Sales data", "comment": "q"}, status=201)
    assert created["name"] == name and created["version"] == 1 and len(created["id"]) == 36
    dup = ops.call("POST", "/shares", {"name": name.upper()})
    assert dup.status_code == 409 and "already exists" in dup.json()["message"]
    assert dup.json()["errorCode"] == "RESOURCE_ALREADY_EXISTS"
    for bad in ("", "a b", "a/b", "x" * 256, "tab\tname"):
        r = ops.call("POST", "/shares", {"name": bad})
        assert r.status_code == 400, (bad, r.text)
    assert ops.call("POST", "/shares", {"name": 5}).status_code == 400
    assert ops.call("POST", "/shares", ["x"]).status_code == 400

    got = ops.ok("GET", "/shares/" + name.lower())  # case-insensitive lookup, stored spelling
    assert got["name"] == name and got["displayName"] == "Sales data" and got["recipients"] == []
    assert name in [s["name"] for s in ops.ok("GET", "/shares")["items"]]

    # Optimistic concurrency: a stale version is refused, the current one works.
    upd = ops.ok("PATCH", "/shares/" + name, {"comment": "new", "version": 1})
    assert upd["version"] == 2 and upd["comment"] == "new"
    stale = ops.call("PATCH", "/shares/" + name, {"comment": "lost", "version": 1})
    assert stale.status_code == 400
    stale = ops.call("PATCH", "/shares/" + name, {"comment": "lost"}, headers={"If-Match": '"1"'})
    assert stale.status_code == 400
    assert ops.ok("GET", "/shares/" + name)["comment"] == "new"
    renamed = unique("Revenue")
    assert ops.ok("PATCH", "/shares/" + name, {"name": renamed, "comment": ""})["name"] == renamed
    assert "comment" not in ops.ok("GET", "/shares/" + renamed)  # "" cleared it
    assert ops.call("GET", "/shares/" + name).status_code == 404

    # Deleting a share takes its schemas, tables and grants along.
    ops.ok("POST", "/shares/%s/schemas" % renamed, {"name": "d"}, status=201)
    ops.ok("POST", "/shares/%s/schemas/d/tables" % renamed, {"name": "t", "location": SIMPLE}, status=201)
    rcp = unique("r")
    ops.ok("POST", "/recipients", {"name": rcp}, status=201)
    ops.ok("PUT", "/recipients/%s/grants/%s" % (rcp, renamed))
    assert ops.call("DELETE", "/shares/" + renamed).status_code == 204
    assert ops.call("GET", "/shares/" + renamed).status_code == 404
    assert ops.call("DELETE", "/shares/" + renamed).status_code == 404
    assert ops.ok("GET", "/recipients/%s/grants" % rcp)["items"] == []


def test_schemas_and_tables(ops, server):
    share = unique("s")
    ops.ok("POST", "/shares", {"name": share}, status=201)
    sc = ops.ok("POST", "/shares/%s/schemas" % share, {"name": "Default"}, status=201)
    assert sc["share"] == share and sc["name"] == "Default"
    assert ops.call("POST", "/shares/%s/schemas" % share, {"name": "default"}).status_code == 409
    assert ops.call("POST", "/shares/%s/schemas" % share, {"name": "a.b"}).status_code == 400
    assert ops.call("POST", "/shares/nope/schemas", {"name": "x"}).status_code == 404
    assert ops.ok("GET", "/shares/%s/schemas/default" % share)["name"] == "Default"
    assert [s["name"] for s in ops.ok("GET", "/shares/%s/schemas" % share)["items"]] == ["Default"]
    ren = ops.ok("PATCH", "/shares/%s/schemas/default" % share, {"name": "main"})
    assert ren["name"] == "main" and ren["version"] == 2

    tables = "/shares/%s/schemas/main/tables" % share
    t = ops.ok("POST", tables, {"name": "orders", "location": SIMPLE, "historyShared": True, "startVersion": 1,
                                "comment": "c"}, status=201)
    assert (t["location"], t["format"], t["historyShared"], t["startVersion"]) == (SIMPLE, "delta", True, 1)
    # Aliasing: the same location shared under another name.
    ops.ok("POST", tables, {"name": "orders_alias", "location": SIMPLE}, status=201)
    # Partition filters in both spellings; invalid ones are a clear 400.
    f = ops.ok("POST", tables, {"name": "eu", "location": PARTITIONED,
                                "partitionFilter": "year = '2021' AND month IN ('4', '12')"}, status=201)
    assert f["partitionFilter"] == "year = '2021' AND month IN ('4', '12')"
    tree = {"op": "equal", "children": [{"op": "column", "name": "year", "valueType": "string"},
                                        {"op": "literal", "value": "2020", "valueType": "string"}]}
    j = ops.ok("POST", tables, {"name": "y2020", "location": PARTITIONED, "partitionFilter": tree}, status=201)
    assert json.loads(j["partitionFilter"]) == tree
    for bad in ("year = 2021 OR month = 1", "year =", "{\"op\":\"nope\"}", "year IN ()"):
        r = ops.call("POST", tables, {"name": "bad", "location": PARTITIONED, "partitionFilter": bad})
        assert r.status_code == 400 and r.json()["message"].startswith("partition filter: "), (bad, r.text)
    assert ops.call("POST", tables, {"name": "bad", "location": PARTITIONED, "partitionFilter": 7}).status_code == 400
    for body in ({"name": "bad"}, {"name": "bad", "location": ""}, {"name": "bad", "location": SIMPLE, "format": "csv"},
                 {"name": "bad", "location": SIMPLE, "startVersion": -1}, {"name": "bad", "location": SIMPLE,
                                                                           "historyShared": "yes"},
                 {"name": "b/d", "location": SIMPLE}):
        assert ops.call("POST", tables, body).status_code == 400, body
    assert ops.call("POST", tables, {"name": "ORDERS", "location": SIMPLE}).status_code == 409  # names are case-insensitive

    names = [x["name"] for x in ops.ok("GET", tables)["items"]]
    assert names == sorted(names, key=str.lower) and set(names) == {"orders", "orders_alias", "eu", "y2020"}
    upd = ops.ok("PATCH", tables + "/eu", {"partitionFilter": "", "comment": "all of it", "version": 1})
    assert "partitionFilter" not in upd and upd["version"] == 2
    assert ops.call("PATCH", tables + "/eu", {"partitionFilter": "nonsense"}).status_code == 400
    assert ops.call("PATCH", tables + "/eu", {"comment": "x", "version": 1}).status_code == 400  # stale
    assert ops.call("DELETE", tables + "/orders_alias").status_code == 204
    assert ops.call("GET", tables + "/orders_alias").status_code == 404

    # Recipients see the tables under their shared names.
    rcp = unique("reader")
    ops.ok("POST", "/recipients", {"name": rcp}, status=201)
    ops.ok("POST", "/recipients/%s/grants" % rcp, {"share": share})
    p = profile_for(ops, rcp)
    listed = sharing_client_get(p, "/shares/%s/all-tables" % share).json()["items"]
    assert sorted(x["name"] for x in listed) == ["eu", "orders", "y2020"]
    # startVersion 1 is enforced on time travel.
    r = requests.post(p["endpoint"] + "/shares/%s/schemas/main/tables/orders/query" % share, json={"version": 0},
                      headers={"Authorization": "Bearer " + p["bearerToken"]}, timeout=30)
    assert r.status_code == 400
    assert ops.call("DELETE", "/shares/%s/schemas/main" % share).status_code == 204
    assert ops.ok("GET", "/shares/%s/schemas" % share)["items"] == []
    assert sharing_client_get(p, "/shares/%s/all-tables" % share).json()["items"] == []


# ---------------------------------------------------------------------------
# Recipients, tokens, grants
# ---------------------------------------------------------------------------

def test_recipients_tokens_and_grants(ops):
    share = unique("data")
    ops.ok("POST", "/shares", {"name": share}, status=201)
    ops.ok("POST", "/shares/%s/schemas" % share, {"name": "d"}, status=201)
    ops.ok("POST", "/shares/%s/schemas/d/tables" % share, {"name": "t", "location": SIMPLE}, status=201)
    rcp = unique("partner")
    r = ops.ok("POST", "/recipients", {"name": rcp, "comment": "c", "ipAllowlist": ["10.0.0.0/8", "::1"]},
               status=201)
    assert r["ipAllowlist"] == ["10.0.0.0/8", "::1"] and r["allShares"] is False
    for bad in (["10.0.0.0/33"], ["nope"], "10.0.0.1", [5]):
        assert ops.call("POST", "/recipients", {"name": unique("x"), "ipAllowlist": bad}).status_code == 400
    assert ops.call("POST", "/recipients", {"name": rcp}).status_code == 409
    assert ops.ok("PATCH", "/recipients/" + rcp, {"ipAllowlist": []})["ipAllowlist"] == []

    # Grants.
    assert ops.call("POST", "/recipients/%s/grants" % rcp, {"share": "missing"}).status_code == 404
    ops.ok("PUT", "/recipients/%s/grants/%s" % (rcp, share))
    ops.ok("PUT", "/recipients/%s/grants/%s" % (rcp, share))  # idempotent
    assert ops.ok("GET", "/recipients/%s/grants" % rcp)["items"] == [share]
    assert ops.ok("GET", "/recipients/" + rcp)["shares"] == [share]
    assert ops.ok("GET", "/shares/" + share)["recipients"] == [rcp]

    # A token is handed out once, as a profile file.
    exp = "2099-01-01T00:00:00.000Z"
    p1 = profile_for(ops, rcp, expirationTime=exp)
    assert set(p1) == {"shareCredentialsVersion", "endpoint", "bearerToken", "expirationTime"}
    assert p1["shareCredentialsVersion"] == 1 and p1["expirationTime"] == exp
    assert p1["endpoint"] == ops.api[:-len("/api/v1")] + "/delta-sharing"
    assert ops.call("POST", "/recipients/%s/tokens" % rcp, {"expirationTime": "2001-01-01T00:00:00Z"}).status_code == 400
    assert ops.call("POST", "/recipients/%s/tokens" % rcp, {"expirationTime": "soon"}).status_code == 400
    assert ops.call("POST", "/recipients/nobody/tokens", {}).status_code == 404
    tokens = ops.ok("GET", "/recipients/%s/tokens" % rcp)["items"]
    assert len(tokens) == 1 and tokens[0]["live"] and tokens[0]["expirationTime"] == exp
    assert p1["bearerToken"] not in json.dumps(tokens)  # never shown again
    assert [s["name"] for s in sharing_client_get(p1, "/shares").json()["items"]] == [share]

    # Rotation with a grace period: both work until it ends.
    p2 = ops.ok("POST", "/recipients/%s/tokens/rotate" % rcp, {"graceSeconds": 2}, status=201)
    assert sharing_client_get(p1, "/shares").status_code == 200
    assert sharing_client_get(p2, "/shares").status_code == 200
    time.sleep(2.3)
    assert sharing_client_get(p1, "/shares").status_code == 401
    assert sharing_client_get(p2, "/shares").status_code == 200
    # Rotation without one: the old token stops at once.
    p3 = ops.ok("POST", "/recipients/%s/tokens/rotate" % rcp, {}, status=201)
    assert sharing_client_get(p2, "/shares").status_code == 401
    assert sharing_client_get(p3, "/shares").status_code == 200
    assert ops.call("POST", "/recipients/%s/tokens/rotate" % rcp, {"graceSeconds": -1}).status_code == 400

    # Revocation of one token; the others keep working.
    p4 = profile_for(ops, rcp)
    live = [t for t in ops.ok("GET", "/recipients/%s/tokens" % rcp)["items"] if t["live"]]
    assert len(live) == 2
    newest = max(live, key=lambda t: t["createdAt"])
    assert ops.call("DELETE", "/recipients/%s/tokens/%s" % (rcp, newest["id"])).status_code == 204
    assert ops.call("DELETE", "/recipients/%s/tokens/%s" % (rcp, newest["id"])).status_code == 204  # no-op
    assert ops.call("DELETE", "/recipients/%s/tokens/nope" % rcp).status_code == 404
    assert sharing_client_get(p4, "/shares").status_code == 401
    assert sharing_client_get(p3, "/shares").status_code == 200

    # Revoking the grant hides the share (exactly like a missing one).
    assert ops.call("DELETE", "/recipients/%s/grants/%s" % (rcp, share)).status_code == 204
    assert ops.call("DELETE", "/recipients/%s/grants/%s" % (rcp, share)).status_code == 404
    assert sharing_client_get(p3, "/shares").json()["items"] == []
    hidden = sharing_client_get(p3, "/shares/%s/schemas" % share)
    missing = sharing_client_get(p3, "/shares/%s/schemas" % ("z" * len(share)))
    assert hidden.status_code == missing.status_code == 404
    assert hidden.json()["message"].replace(share, "?") == missing.json()["message"].replace("z" * len(share), "?")
    # allShares: every share, present and future.
    ops.ok("PATCH", "/recipients/" + rcp, {"allShares": True})
    later = unique("later")
    ops.ok("POST", "/shares", {"name": later}, status=201)
    assert {share, later} <= {s["name"] for s in sharing_client_get(p3, "/shares").json()["items"]}
    # Deleting the recipient deletes its tokens.
    assert ops.call("DELETE", "/recipients/" + rcp).status_code == 204
    assert sharing_client_get(p3, "/shares").status_code == 401
    assert ops.call("GET", "/recipients/%s/tokens" % rcp).status_code == 404


def test_a_recipient_ready_to_read_in_one_call(ops, server):
    """share + table (its schema made on the way) + recipient with its grant
    and token: three calls from nothing to a working profile."""
    share = unique("onboard")
    ops.ok("POST", "/shares", {"name": share}, status=201)
    ops.ok("POST", "/shares/%s/schemas/d/tables" % share, {"name": "t", "location": SIMPLE}, status=201)
    rcp = unique("partner")
    r = ops.ok("POST", "/recipients", {"name": rcp, "shares": [share],
                                       "token": {"expirationTime": "2099-01-01T00:00:00Z"}}, status=201)
    assert r["name"] == rcp and r["shares"] == [share]
    profile = r["profile"]
    assert profile["expirationTime"] == "2099-01-01T00:00:00.000Z"
    tables = sharing_client_get(profile, "/shares/%s/all-tables" % share).json()["items"]
    assert [(t["schema"], t["name"]) for t in tables] == [("d", "t")]
    assert ops.ok("GET", "/recipients/%s/tokens" % rcp)["items"][0]["live"]
    assert profile["bearerToken"] not in json.dumps(audit(ops, object="recipient:" + rcp))

    # Or an activation link, whose profile the recipient downloads once.
    other = unique("linked")
    r = ops.ok("POST", "/recipients", {"name": other, "shares": [share], "activationLink": {}}, status=201)
    assert "profile" not in r
    secret = r["activationLink"]["url"].split("#", 1)[1]
    redeemed = requests.post(server.base_url + "/api/v1/activate/" + secret, timeout=30)
    assert redeemed.status_code == 200
    assert [s["name"] for s in sharing_client_get(redeemed.json(), "/shares").json()["items"]] == [share]

    # All or nothing: a missing share leaves no recipient behind.
    gone = unique("gone")
    bad = ops.call("POST", "/recipients", {"name": gone, "shares": [share, "no_such_share"], "token": {}})
    assert bad.status_code == 404, bad.text
    assert ops.call("GET", "/recipients/" + gone).status_code == 404
    both = ops.call("POST", "/recipients", {"name": gone, "token": {}, "activationLink": {}})
    assert both.status_code == 400 and "either" in both.json()["message"]
    typo = ops.call("POST", "/recipients", {"name": gone, "token": {"expiresIn": 5}})
    assert typo.status_code == 400 and "token.expiresIn" in typo.json()["message"]
    assert ops.call("POST", "/recipients", {"name": rcp.upper(), "token": {}}).status_code == 409
    # The request schema documents the new fields.
    doc = requests.get(server.base_url + "/api/v1/openapi.json", timeout=30).json()
    body = doc["paths"]["/api/v1/recipients"]["post"]["requestBody"]["content"]["application/json"]["schema"]
    assert {"shares", "token", "activationLink"} <= set(body["properties"])


def test_activation_links(ops):
    share = unique("linked")
    ops.ok("POST", "/shares", {"name": share}, status=201)
    rcp = unique("newcomer")
    ops.ok("POST", "/recipients", {"name": rcp}, status=201)
    ops.ok("PUT", "/recipients/%s/grants/%s" % (rcp, share))
    link = ops.ok("POST", "/recipients/%s/activation-links" % rcp, {"tokenExpirationTime": "2099-01-01T00:00:00Z"},
                  status=201)
    # The secret rides in the fragment of the console's page, never sent by browsers.
    assert link["url"].startswith(ops.api[:-len("/api/v1")] + "/console/activate#")
    secret = link["url"].split("#", 1)[1]
    assert "usedAt" not in link
    # A GET neither redeems nor tells: it sends the browser to the console's page.
    opened = requests.get(ops.api + "/activate/" + secret, timeout=30, allow_redirects=False)
    assert opened.status_code == 303 and opened.headers["Location"] == "/console/activate#" + secret
    for _ in range(2):  # looking does not use it up
        info = requests.get(ops.api + "/activate/%s/info" % secret, timeout=30)
        assert info.status_code == 200, info.text
        assert info.json()["recipient"] == rcp and info.json()["shares"] == [{"name": share, "tables": []}]
        assert info.json()["tokenExpirationTime"].startswith("2099-01-01")
    first = requests.post(ops.api + "/activate/" + secret, timeout=30)
    assert first.status_code == 200
    assert first.headers["Content-Disposition"] == 'attachment; filename="config.share"'
    profile = first.json()
    assert profile["shareCredentialsVersion"] == 1 and profile["expirationTime"].startswith("2099-01-01")
    assert [s["name"] for s in sharing_client_get(profile, "/shares").json()["items"]] == [share]
    again = requests.post(ops.api + "/activate/" + secret, timeout=30)
    assert again.status_code == 400 and "already been used" in again.json()["message"]
    used = requests.get(ops.api + "/activate/%s/info" % secret, timeout=30)
    unknown = requests.get(ops.api + "/activate/not-a-secret/info", timeout=30)
    assert used.status_code == unknown.status_code == 404 and used.json() == unknown.json()
    assert requests.post(ops.api + "/activate/not-a-secret", timeout=30).status_code == 404
    listed = ops.ok("GET", "/recipients/%s/activation-links" % rcp)["items"]
    assert len(listed) == 1 and listed[0]["usedAt"] > 0 and listed[0]["tokenId"]
    assert secret not in json.dumps(listed)  # the secret is never listed
    tokens = ops.ok("GET", "/recipients/%s/tokens" % rcp)["items"]
    assert [t["origin"] for t in tokens] == ["activation"]
    # An expired link refuses too.
    short = ops.ok("POST", "/recipients/%s/activation-links" % rcp,
                   {"expirationTime": int(time.time() * 1000) + 1000}, status=201)
    time.sleep(1.3)
    r = requests.post(ops.api + "/activate/" + short["url"].split("#", 1)[1], timeout=30)
    assert r.status_code == 400 and "expired" in r.json()["message"]
    # An unused link can be revoked (once); a used one cannot.
    spare = ops.ok("POST", "/recipients/%s/activation-links" % rcp, {}, status=201)
    ops.ok("DELETE", "/recipients/%s/activation-links/%s" % (rcp, spare["id"]), status=204)
    assert ops.call("DELETE", "/recipients/%s/activation-links/%s" % (rcp, spare["id"])).status_code == 404
    assert ops.call("DELETE", "/recipients/%s/activation-links/%s" % (rcp, listed[0]["id"])).status_code == 404
    gone = requests.post(ops.api + "/activate/" + spare["url"].split("#", 1)[1], timeout=30)
    assert gone.status_code == 404
    assert ops.call("POST", "/recipients/%s/activation-links" % rcp,
                    {"expirationTime": "2001-01-01T00:00:00Z"}).status_code == 400


# ---------------------------------------------------------------------------
# Users and roles
# ---------------------------------------------------------------------------

def test_users_and_roles(server, ops):
    viewer = server.admin(VIEWER_USER, VIEWER_PASSWORD)
    assert viewer.call("GET", "/shares").status_code == 200
    assert viewer.call("GET", "/audit").status_code == 200
    assert viewer.call("POST", "/shares", {"name": unique("v")}).status_code == 403
    assert viewer.call("GET", "/users").status_code == 403

    users = {u["name"]: u["role"] for u in ops.ok("GET", "/users")["items"]}
    assert users[ADMIN_USER] == "admin" and users[VIEWER_USER] == "viewer"
    name = unique("helper")
    u = ops.ok("POST", "/users", {"name": name, "password": "a long enough password", "role": "viewer"}, status=201)
    assert u["role"] == "viewer" and "password" not in json.dumps(u)
    assert ops.call("POST", "/users", {"name": name, "password": "x" * 20}).status_code == 409
    assert ops.call("POST", "/users", {"name": unique("r"), "password": "x" * 20, "role": "root"}).status_code == 400
    helper = server.admin(name, "a long enough password")
    assert helper.call("POST", "/shares", {"name": unique("h")}).status_code == 403
    # Promotion ends the user's sessions; a new login has the new role.
    assert ops.ok("PATCH", "/users/" + name, {"role": "admin"})["role"] == "admin"
    assert helper.call("GET", "/shares").status_code == 401
    helper = server.admin(name, "a long enough password")
    assert helper.call("POST", "/shares", {"name": unique("h")}).status_code == 201
    # A password change ends sessions and the old password.
    assert ops.call("PATCH", "/users/" + name, {"password": "another long password"}).status_code == 200
    assert helper.call("GET", "/shares").status_code == 401
    assert requests.post(ops.api + "/login", json={"username": name, "password": "a long enough password"},
                         timeout=30).status_code == 401
    server.admin(name, "another long password")
    # The last admin cannot go.
    assert ops.call("DELETE", "/users/" + name).status_code == 204
    assert ops.call("PATCH", "/users/" + ADMIN_USER, {"role": "viewer"}).status_code == 400
    assert ops.call("DELETE", "/users/" + ADMIN_USER).status_code == 400
    assert ops.call("GET", "/users/" + name).status_code == 404


# ---------------------------------------------------------------------------
# Audit log
# ---------------------------------------------------------------------------

def test_audit_of_admin_and_sharing_requests(server, ops):
    share = unique("audited")
    ops.ok("POST", "/shares", {"name": share}, status=201)
    ops.ok("POST", "/shares/%s/schemas" % share, {"name": "d"}, status=201)
    ops.ok("POST", "/shares/%s/schemas/d/tables" % share, {"name": "t", "location": SIMPLE}, status=201)
    rcp = unique("auditee")
    ops.ok("POST", "/recipients", {"name": rcp}, status=201)
    ops.ok("PUT", "/recipients/%s/grants/%s" % (rcp, share))
    p = profile_for(ops, rcp)

    created = audit(ops, action="createShare", object="share:" + share)
    assert len(created) == 1
    e = created[0]
    assert (e["actorKind"], e["actor"], e["outcome"]) == ("admin", ADMIN_USER, "ok")
    assert e["remoteAddress"] == "127.0.0.1" and e["time"] > 0

    # Sharing requests: who, what, when, outcome, number of files.
    q = requests.post(p["endpoint"] + "/shares/%s/schemas/d/tables/t/query" % share, json={},
                      headers={"Authorization": "Bearer " + p["bearerToken"]}, timeout=30)
    assert q.status_code == 200
    files = len(ndjson(q)) - 2
    assert files == 5
    hits = wait_audit(ops, lambda e: e["action"] == "queryTable", actor=rcp)
    assert len(hits) == 1, audit(ops, actor=rcp)
    h = hits[0]
    assert (h["actorKind"], h["object"], h["outcome"], h["numFiles"]) == ("recipient", "table:%s.d.t" % share,
                                                                          "ok", 5)
    assert h["detail"] == "200"
    assert sharing_client_get(p, "/shares/%s/schemas/d/tables/nope/metadata" % share).status_code == 404
    miss = wait_audit(ops, lambda e: e["action"] == "tableMetadata", actor=rcp)
    assert miss and miss[0]["outcome"] == "error" and miss[0]["detail"].startswith("404 RESOURCE_DOES_NOT_EXIST")
    before = max(e["id"] for e in audit(ops))
    assert sharing_get(p["endpoint"], "/shares", "bad-token").status_code == 401
    # Denials are counted per address and minute: the first of a window is a
    # row of its own, the rest one row when the window closes (earlier tests
    # may have opened this address's window: then wait for it to close).
    why = "401 UNAUTHENTICATED: invalid bearer token"
    denied = wait_audit(ops, lambda e: e["action"] == "listShares" and e["id"] > before and
                        (e["detail"] == why or e["detail"].endswith("(the last: %s)" % why)),
                        timeout=75.0, actorKind="anonymous", outcome="denied")
    assert denied, audit(ops, actorKind="anonymous")

    # Filters combine; paging walks newest first without repeats.
    mine = audit(ops, actor=rcp, maxResults=1000)
    assert {e["action"] for e in mine} == {"queryTable", "tableMetadata"}
    assert audit(ops, actor=rcp, action="queryTable", outcome="error") == []
    seen, token = [], None
    while True:
        params = {"actor": ADMIN_USER, "maxResults": 3}
        if token:
            params["pageToken"] = token
        page = ops.ok("GET", "/audit", params=params)
        seen += page["items"]
        token = page.get("nextPageToken")
        if not token:
            break
    ids = [e["id"] for e in seen]
    assert ids == sorted(ids, reverse=True) and len(ids) == len(set(ids)) and len(ids) >= 5
    t0 = h["time"]
    window = audit(ops, actor=rcp, **{"from": t0, "to": t0 + 1})
    assert h["id"] in [e["id"] for e in window]
    assert audit(ops, actor=rcp, **{"from": "2099-01-01T00:00:00Z"}) == []
    for bad in ({"maxResults": 0}, {"maxResults": 1001}, {"pageToken": "x"}, {"from": "yesterday"}):
        assert ops.call("GET", "/audit", params=bad).status_code == 400, bad
    # No secret ever lands in the audit log.
    everything = json.dumps(audit(ops, maxResults=1000))
    assert p["bearerToken"] not in everything and ADMIN_PASSWORD not in everything
    assert ops.token not in everything


def test_request_validation(ops):
    assert ops.call("GET", "/nothing-here").status_code == 404
    assert ops.call("GET", "/").status_code == 404
    assert ops.call("PUT", "/shares").status_code == 405
    assert ops.call("POST", "/shares", data="{not json").status_code == 400
    r = ops.call("POST", "/shares", data="[]")
    assert r.status_code == 400 and r.json()["errorCode"] == "INVALID_PARAMETER_VALUE"
    assert ops.call("POST", "/recipients", {"name": "x", "allShares": "yes"}).status_code == 400
    assert ops.call("POST", "/recipients", {"name": "x" * 300}).status_code == 400


def test_openapi_describes_the_api(server):
    r = requests.get(server.base_url + "/api/v1/openapi.json", timeout=30)
    assert r.status_code == 200
    doc = r.json()
    assert doc["openapi"].startswith("3.")
    paths = set(doc["paths"])
    for p in ("/api/v1/login", "/api/v1/logout", "/api/v1/shares", "/api/v1/shares/{share}",
              "/api/v1/shares/{share}/schemas/{schema}/tables/{table}", "/api/v1/recipients/{recipient}/tokens",
              "/api/v1/recipients/{recipient}/tokens/rotate", "/api/v1/recipients/{recipient}/activation-links",
              "/api/v1/activate/{secret}", "/api/v1/users/{user}", "/api/v1/audit"):
        assert p in paths, p


METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")


def _resolve(ref, doc):
    return doc["components"]["schemas"][ref["$ref"].split("/")[-1]]


def test_every_documented_route_answers_and_every_answering_route_is_documented(server):
    """The document and the server agree: each documented operation reaches a
    route (on objects that do not exist: a 404 names the object, never "no
    such endpoint"), every other method of a documented path is a 405 that
    names the documented ones, and nothing is served below them."""
    doc = requests.get(server.base_url + "/api/v1/openapi.json", timeout=30).json()
    walker = server.admin()  # its own session: logout is walked too, last
    values = {"share": unique("noshare"), "schema": "noschema", "table": "notable", "recipient": unique("nobody"),
              "id": "notoken", "user": unique("nouser"), "secret": "nosecret", "client": "noclient",
              "keyId": "nokey", "catalog": "nocatalog"}
    operations = 0
    for template, item in sorted(doc["paths"].items(), key=lambda kv: kv[0] == "/api/v1/logout"):
        path = re.sub(r"\{(\w+)\}", lambda m: values[m.group(1)], template)[len("/api/v1"):]
        documented = {m.upper() for m in item if m != "parameters"}
        for method in sorted(documented, key=lambda m: m == "POST" and template == "/api/v1/logout"):
            op = item[method.lower()]
            operations += 1
            assert op["summary"] and op["operationId"] and op["tags"], (method, template)
            assert "x-lakeshare-cli" in op or "x-lakeshare-cli-via" in op, (method, template)
            for status, answer in op["responses"].items():
                if int(status) >= 400:
                    schema = answer["content"]["application/json"]["schema"]
                    assert _resolve(schema["allOf"][0], doc)["required"] == ["errorCode", "message"]
            if method == "HEAD":
                assert walker.call("HEAD", path).status_code == 200, template
                continue
            r = walker.call(method, path, {}, allow_redirects=False)
            assert r.status_code != 405, (method, template, r.text)
            if r.status_code >= 400:
                assert r.json()["message"] != "no such endpoint", (method, template)
                assert str(r.status_code) in op["responses"], (method, template, r.status_code, r.text)
            elif "content" in op["responses"][str(r.status_code)]:
                assert r.headers["Content-Type"].startswith("application/json")
        if template == "/api/v1/logout":
            walker = server.admin()
        for method in set(METHODS) - documented:
            r = walker.call(method, path, {})
            assert r.status_code == 405, (method, template, r.status_code, r.text)
            assert r.json()["errorCode"] == "METHOD_NOT_ALLOWED"
            assert set(r.headers["Allow"].split(", ")) == documented, (template, r.headers["Allow"])
        r = walker.call("GET", path + "/nothing/below")
        assert r.status_code == 404 and r.json()["message"] == "no such endpoint", template
    assert operations >= 40


def _head_answer(base_url, head, wait=10):
    """Sends `head` (request line and headers, no body) on a raw socket;
    returns (seconds to the answer's first bytes or None if none came within
    `wait`, the answer's bytes, whether the server then closed)."""
    import socket
    import urllib.parse
    u = urllib.parse.urlsplit(base_url)
    with socket.create_connection((u.hostname, u.port), timeout=wait) as s:
        t0 = time.monotonic()
        s.sendall(head.encode())
        data = b""
        try:
            while b"\r\n\r\n" not in data:
                chunk = s.recv(65536)
                if not chunk:
                    break
                data += chunk
        except socket.timeout:
            return None, data, False
        took = time.monotonic() - t0
        closed = False
        try:
            while True:
                chunk = s.recv(65536)
                if not chunk:
                    closed = True
                    break
                data += chunk
        except socket.timeout:
            pass
        return took, data, closed


@pytest.fixture(scope="module")
def big_body_server(lakeshare_bin, tmp_path_factory):
    """A server that would take a 50 MB body (maxRequestBodyBytes 64 MiB)."""
    workdir = str(tmp_path_factory.mktemp("admin_big_body"))
    db = new_catalog_db("sqlite", workdir, None)
    s = DbServer(lakeshare_bin, db, workdir, name="admin_big_body",
                 maxRequestBodyBytes=64 << 20, maxPendingRequestBodyBytes=128 << 20).start()
    yield s
    s.stop()


@pytest.mark.parametrize("credentials", [None, "Authorization: Bearer not-a-session\r\n",
                                         "Cookie: lakeshare_session=not-a-session\r\n"],
                         ids=["none", "unknown-token", "unknown-cookie"])
@pytest.mark.parametrize("method,path", [("POST", "/shares"), ("PATCH", "/shares/x"),
                                         ("PUT", "/shares/x"), ("POST", "/no/such/route")])
def test_unauthenticated_write_is_refused_before_its_body(big_body_server, credentials, method, path):
    """Issue 18: a write without a valid session is answered 401 from its
    headers; the 50 MB body it announces is never read (nor waited for), and
    the connection closes."""
    head = ("%s /api/v1%s HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
            "Content-Length: %d\r\n%s\r\n") % (method, path, 50 * 1000 * 1000, credentials or "")
    took, data, closed = _head_answer(big_body_server.base_url, head)
    assert took is not None and took < 5, (took, data[:200])  # not the read timeout
    assert data.startswith(b"HTTP/1.1 401"), data[:200]
    body = json.loads(data.split(b"\r\n\r\n", 1)[1])
    assert body["errorCode"] == "UNAUTHENTICATED", body
    assert closed, "the connection must close: the body was never read"


def test_public_and_authenticated_writes_read_their_body(big_body_server):
    """The login (public) and a write with a valid session wait for their body."""
    import socket
    import urllib.parse
    ops = big_body_server.admin()
    u = urllib.parse.urlsplit(big_body_server.base_url)
    login = json.dumps({"username": ADMIN_USER, "password": ADMIN_PASSWORD}).encode()
    share = json.dumps({"name": unique("bigbody")}).encode()
    for path, auth, body, status in (("/login", "", login, b"200"),
                                     ("/shares", "Authorization: Bearer %s\r\n" % ops.token, share, b"201")):
        with socket.create_connection((u.hostname, u.port), timeout=10) as s:
            s.sendall(("POST /api/v1%s HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                       "Content-Length: %d\r\n%s\r\n" % (path, len(body), auth)).encode())
            s.settimeout(1)
            with pytest.raises(socket.timeout):
                s.recv(100)
            s.settimeout(10)
            s.sendall(body)
            assert s.recv(100).startswith(b"HTTP/1.1 " + status), path
