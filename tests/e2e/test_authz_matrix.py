"""The authorisation matrix of a server on a catalog database (SQLite and
PostgreSQL): every sharing endpoint × {no token, wrong token, expired token,
revoked token, token of a recipient without the grant, valid token} gives
the right status, and nothing ungranted leaks — an ungranted object answers
exactly like a missing one. Every admin endpoint (from the OpenAPI
description) refuses sharing tokens and anonymous callers, and viewers'
writes."""
import os
import re
import time

import pytest
import requests

import harness
from catalog_db import BACKENDS, VIEWER_PASSWORD, VIEWER_USER, DbServer, new_catalog_db

SIMPLE = os.path.join(harness.DELTA_ROOT, "simple_table")
CDF = os.path.join(harness.DELTA_ROOT, "cdf-table")

T = "/shares/granted/schemas/d/tables"
# (name, method, path, json body): every sharing endpoint on a granted object.
SHARING = [
    ("getShare", "GET", "/shares/granted", None),
    ("listSchemas", "GET", "/shares/granted/schemas", None),
    ("listAllTables", "GET", "/shares/granted/all-tables", None),
    ("listTables", "GET", T, None),
    ("version", "GET", T + "/t/version", None),
    ("head", "HEAD", T + "/t", None),
    ("metadata", "GET", T + "/t/metadata", None),
    ("query", "POST", T + "/t/query", {}),
    ("changes", "GET", T + "/c/changes?startingVersion=0", None),
    ("streaming", "POST", T + "/c/query", {"startingVersion": 0}),
]


class Setup:
    pass


@pytest.fixture(scope="module", params=BACKENDS)
def world(request, lakeshare_bin, tmp_path_factory):
    workdir = str(tmp_path_factory.mktemp("authz_" + request.param))
    db = new_catalog_db(request.param, workdir, request)
    server = DbServer(lakeshare_bin, db, workdir, name="authz_" + request.param).start()
    ops = server.admin()
    for share in ("granted", "other"):
        ops.ok("POST", "/shares", {"name": share}, status=201)
        ops.ok("POST", "/shares/%s/schemas" % share, {"name": "d"}, status=201)
        ops.ok("POST", "/shares/%s/schemas/d/tables" % share, {"name": "t", "location": SIMPLE}, status=201)
        ops.ok("POST", "/shares/%s/schemas/d/tables" % share, {"name": "c", "location": CDF, "historyShared": True},
               status=201)
    for rcp, share in (("reader", "granted"), ("outsider", "other")):
        ops.ok("POST", "/recipients", {"name": rcp}, status=201)
        ops.ok("PUT", "/recipients/%s/grants/%s" % (rcp, share))
    # Viewers may read catalog connections: one must exist for its GET to be a 200.
    ops.ok("POST", "/iceberg-catalogs", {"name": "nocatalog", "type": "rest", "uri": "http://127.0.0.1:9/catalog"},
           status=201)
    w = Setup()
    w.server, w.ops = server, ops
    w.valid = ops.ok("POST", "/recipients/reader/tokens", {}, status=201)["bearerToken"]
    w.outsider = ops.ok("POST", "/recipients/outsider/tokens", {}, status=201)["bearerToken"]
    w.revoked = ops.ok("POST", "/recipients/reader/tokens", {}, status=201)["bearerToken"]
    w.expired = ops.ok("POST", "/recipients/reader/tokens", {"expirationTime": int(time.time() * 1000) + 1500},
                       status=201)["bearerToken"]
    tokens = ops.ok("GET", "/recipients/reader/tokens")["items"]
    # The revoked one: created second, so neither the first nor the one with an expiry.
    first = min(tokens, key=lambda t: t["createdAt"])
    candidates = [t for t in tokens if t["id"] != first["id"] and "expirationTime" not in t]
    assert len(candidates) == 1
    ops.ok("DELETE", "/recipients/reader/tokens/" + candidates[0]["id"])
    w.token_id = first["id"]
    deadline = time.monotonic() + 10
    while any(t["live"] for t in ops.ok("GET", "/recipients/reader/tokens")["items"] if "expirationTime" in t):
        assert time.monotonic() < deadline, "the short-lived token never expired"
        time.sleep(0.1)
    yield w
    server.stop()


def call(world, method, path, body, token):
    headers = {"Authorization": "Bearer " + token} if token is not None else {}
    url = world.server.endpoint_url + path
    if method == "POST":
        return requests.post(url, json=body, headers=headers, timeout=30)
    return requests.request(method, url, headers=headers, timeout=30)


@pytest.mark.parametrize("endpoint", SHARING, ids=[e[0] for e in SHARING])
def test_sharing_endpoint_matrix(world, endpoint):
    name, method, path, body = endpoint
    cases = {
        "no token": (None, 401),
        "wrong token": ("not-a-token-at-all", 401),
        "expired token": (world.expired, 401),
        "revoked token": (world.revoked, 401),
        "recipient without the grant": (world.outsider, 404),
        "valid token": (world.valid, 200),
    }
    for case, (token, expected) in cases.items():
        r = call(world, method, path, body, token)
        assert r.status_code == expected, "%s, %s: %d %s" % (name, case, r.status_code, r.text[:300])
        if expected == 401 and method != "HEAD":
            assert r.json()["errorCode"] == "UNAUTHENTICATED"
            assert r.headers.get("WWW-Authenticate", "").startswith("Bearer")
        if expected == 200 and name in ("query", "changes", "streaming", "metadata"):
            assert r.headers["Content-Type"].startswith("application/x-ndjson")
            assert "Delta-Table-Version" in r.headers


def _shape(resp, names):
    """What a client can observe of an error, with the requested names
    masked (they are echoed back, and differ between the two requests)."""
    text = resp.text
    for n in names:
        text = text.replace(n, "<name>")
    headers = {k.lower(): v for k, v in resp.headers.items() if k.lower() not in ("date", "content-length", "x-request-id")}
    return resp.status_code, headers, text


@pytest.mark.parametrize("endpoint", SHARING, ids=[e[0] for e in SHARING])
def test_ungranted_looks_exactly_like_missing(world, endpoint):
    name, method, path, body = endpoint
    # The outsider asks for the granted share; and for a share that does not
    # exist, spelled with as many characters. The reader, for a missing
    # table/schema in its own share, sees the same shape too.
    ungranted = call(world, method, path, body, world.outsider)
    missing = call(world, method, path.replace("/shares/granted", "/shares/nothere"), body, world.outsider)
    assert _shape(ungranted, ["granted"]) == _shape(missing, ["nothere"])
    assert ungranted.status_code == 404
    if "/tables/" in path and re.search(r"/tables/[tc](/|$|\?)", path):
        own_missing = call(world, method, re.sub(r"/tables/([tc])", r"/tables/z", path), body, world.valid)
        other_share = call(world, method, path.replace("/shares/granted", "/shares/other"), body, world.valid)
        assert _shape(other_share, ["other"]) == _shape(missing, ["nothere"])
        assert own_missing.status_code == 404


def test_list_shares_shows_only_grants(world):
    for token, expected in ((world.valid, ["granted"]), (world.outsider, ["other"])):
        r = call(world, "GET", "/shares", None, token)
        assert r.status_code == 200 and [s["name"] for s in r.json()["items"]] == expected
    for token in (None, "nope", world.expired, world.revoked):
        assert call(world, "GET", "/shares", None, token).status_code == 401


def _admin_calls(world, every_method=False):
    """Every (method, path) of the OpenAPI description, with real names, and
    who may call it (x-lakeshare-access: public, session, viewer or admin;
    None for a method the path does not serve); with every_method, each path
    with every method (the API also takes PUT for PATCH and POST for PUT, and
    must refuse the rest just as firmly)."""
    doc = requests.get(world.server.base_url + "/api/v1/openapi.json", timeout=30).json()
    values = {"share": "granted", "schema": "d", "table": "t", "recipient": "reader", "id": world.token_id,
              "user": "ops", "secret": "s", "client": "noclient", "keyId": "nokey", "catalog": "nocatalog"}
    out = []
    for path, item in doc["paths"].items():
        methods = ("get", "post", "put", "patch", "delete") if every_method else item
        for method in methods:
            if method not in ("get", "post", "put", "patch", "delete"):
                continue
            real = re.sub(r"\{(\w+)\}", lambda m: values[m.group(1)], path)
            access = item[method]["x-lakeshare-access"] if method in item else None
            out.append((method.upper(), path, real, access))
    return out


def _paths_only(world, access):
    """Paths whose every operation has this x-lakeshare-access."""
    doc = requests.get(world.server.base_url + "/api/v1/openapi.json", timeout=30).json()
    return {path for path, item in doc["paths"].items()
            if all(op["x-lakeshare-access"] == access for m, op in item.items() if m != "parameters")}


def _public_paths(world):
    """Paths whose every operation is public: logging in, this description,
    looking at and redeeming a link."""
    return _paths_only(world, "public")


def test_the_document_says_who_may_call_what(world):
    public = _public_paths(world)
    assert public == {"/api/v1/login", "/api/v1/openapi.json", "/api/v1/activate/{secret}",
                      "/api/v1/activate/{secret}/info"}
    access = {(m, t): a for m, t, _, a in _admin_calls(world)}
    assert access[("POST", "/api/v1/logout")] == "session"
    assert access[("GET", "/api/v1/shares")] == "viewer" and access[("POST", "/api/v1/shares")] == "admin"
    assert all(a == "admin" for (m, t), a in access.items() if t.startswith("/api/v1/users"))


def test_admin_endpoints_refuse_sharing_tokens_and_anonymous_callers(world):
    calls = _admin_calls(world, every_method=True)
    assert len(calls) >= 100
    public = _public_paths(world)
    for method, template, path, _ in calls:
        if template in public:
            continue
        for token in (world.valid, world.outsider, None, "garbage"):
            headers = {"Authorization": "Bearer " + token} if token else {}
            r = requests.request(method, world.server.base_url + path, headers=headers, json={}, timeout=30)
            assert r.status_code == 401, (method, path, token is not None, r.status_code, r.text)


def test_viewers_may_read_but_never_write(world):
    viewer = world.server.admin(VIEWER_USER, VIEWER_PASSWORD)
    before = world.ops.ok("GET", "/audit", params={"maxResults": 1})["items"][0]["id"]
    writes = refused_reads = 0
    # Paths of any session (logout, the session itself) have nothing a viewer may not do.
    skipped = _public_paths(world) | _paths_only(world, "session")
    assert skipped >= {"/api/v1/logout", "/api/v1/session"}
    for method, template, path, access in _admin_calls(world, every_method=True):
        if template in skipped:
            continue
        r = viewer.call(method, path[len("/api/v1"):], {})
        if method == "GET":
            expected = 403 if access == "admin" else 200 if access == "viewer" else 405
            assert r.status_code == expected, (method, path, r.status_code, r.text)
            refused_reads += expected == 403
        else:
            writes += 1
            assert r.status_code == 403, (method, path, r.status_code, r.text)
    assert writes >= 15 and refused_reads >= 2
    # Nothing changed: the reader's token still works, the objects are there.
    assert call(world, "GET", "/shares/granted/schemas/d/tables/t/version", None, world.valid).status_code == 200
    assert world.ops.ok("GET", "/recipients/reader")["shares"] == ["granted"]
    denied = [e for e in world.ops.ok("GET", "/audit", params={"actor": VIEWER_USER, "outcome": "denied",
                                                                "maxResults": 1000})["items"] if e["id"] > before]
    assert len(denied) == writes + refused_reads  # each refusal audited
