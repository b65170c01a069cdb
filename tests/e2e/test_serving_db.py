"""The serving path of a catalog database (SQLite and PostgreSQL): share
partition filters on /query, /metadata, /changes and streaming queries in
both response formats (the client's predicate AND-ed on top, paging, page
tokens bound to the filter), and recipients' IP allow-lists, with
X-Forwarded-For honoured only from configured trusted proxies."""
import json
import os
import socket

import pytest
import requests

import harness
from catalog_db import BACKENDS, DbServer, new_catalog_db
from delta_log import DeltaTable, expected_changes
from strict_client import StrictClient

PARTITIONED = os.path.join(harness.DELTA_ROOT, "delta-0.8.0-partitioned")  # year/month/day, 6 files
CDF = os.path.join(harness.DELTA_ROOT, "cdf-table")                         # partitioned by birthday
SIMPLE = os.path.join(harness.DELTA_ROOT, "simple_table")
DELTA = "responseformat=delta"


def json_filter(op, column, value):
    return {"op": op, "children": [{"op": "column", "name": column, "valueType": "string"},
                                   {"op": "literal", "value": value, "valueType": "string"}]}


Y2021_M12 = {"op": "and", "children": [json_filter("equal", "year", "2021"), json_filter("equal", "month", "12")]}
CDF_DAYS = ("2023-12-22", "2023-12-29")

TABLES = {
    # name: (location, partition filter, history)
    "y2021": (PARTITIONED, "year = '2021'", False),
    "y2021m12": (PARTITIONED, Y2021_M12, False),
    "everything": (PARTITIONED, None, False),
    "typed": (PARTITIONED, "year = 2020 AND month IN (2)", False),
    "cdf": (CDF, "birthday IN ('%s', '%s')" % CDF_DAYS, True),
    "badcol": (SIMPLE, "region = 'EU'", True),
}


def admitted_2021(pv):
    return pv["year"] == "2021"


class World:
    pass


@pytest.fixture(scope="module", params=BACKENDS)
def world(request, lakeshare_bin, tmp_path_factory):
    workdir = str(tmp_path_factory.mktemp("serving_" + request.param))
    db = new_catalog_db(request.param, workdir, request)
    server = DbServer(lakeshare_bin, db, workdir, name="serving_" + request.param).start()
    ops = server.admin()
    ops.ok("POST", "/shares", {"name": "p"}, status=201)
    ops.ok("POST", "/shares/p/schemas", {"name": "d"}, status=201)
    for name, (loc, flt, hist) in TABLES.items():
        body = {"name": name, "location": loc, "historyShared": hist}
        if flt is not None:
            body["partitionFilter"] = flt
        if name == "badcol":
            body["check"] = False  # misconfigured on purpose: what recipients get (the check refuses it)
        ops.ok("POST", "/shares/p/schemas/d/tables", body, status=201)
    ops.ok("POST", "/recipients", {"name": "r"}, status=201)
    ops.ok("PUT", "/recipients/r/grants/p")
    w = World()
    w.server, w.ops, w.db, w.workdir, w.binary = server, ops, db, workdir, lakeshare_bin
    w.token = ops.ok("POST", "/recipients/r/tokens", {}, status=201)["bearerToken"]
    w.client = StrictClient(server.endpoint_url, w.token)
    yield w
    server.stop()


def pv_of(f):
    return f["deltaSingleAction"]["add"]["partitionValues"] if "deltaSingleAction" in f else f["partitionValues"]


def expected_files(location, keep):
    return sorted(f.path for f in DeltaTable(location).snapshot().files if keep(f.partition_values))


@pytest.mark.parametrize("caps", [None, DELTA], ids=["parquet", "delta"])
def test_query_exposes_only_the_filtered_partitions(world, caps):
    everything = world.client.query("p", "d", "everything", capabilities=caps)
    assert len(everything.files) == 6
    for table, keep in (("y2021", admitted_2021),
                        ("y2021m12", lambda pv: pv["year"] == "2021" and pv["month"] == "12"),
                        ("typed", lambda pv: pv["year"] == "2020" and pv["month"] == "2")):
        res = world.client.query("p", "d", table, capabilities=caps)
        got = [pv_of(f) for f in res.files]
        assert all(keep(pv) for pv in got), (table, got)
        want = expected_files(PARTITIONED, keep)
        assert len(got) == len(want) > 0, (table, got, want)
        if caps == DELTA:
            # The metaData line counts only what the share exposes.
            sizes = sum(f.size for f in DeltaTable(PARTITIONED).snapshot().files if keep(f.partition_values))
            assert res.metadata_wrapper["numFiles"] == len(want)
            assert res.metadata_wrapper["size"] == sizes
            meta = requests.get(world.server.endpoint_url + "/shares/p/schemas/d/tables/%s/metadata" % table,
                                headers={"Authorization": "Bearer " + world.token,
                                         "delta-sharing-capabilities": DELTA}, timeout=30)
            lines = [json.loads(x) for x in meta.text.splitlines()]
            assert lines[1]["metaData"]["numFiles"] == len(want)


@pytest.mark.parametrize("caps", [None, DELTA], ids=["parquet", "delta"])
def test_client_predicates_are_anded_on_top(world, caps):
    month12 = json.dumps(json_filter("equal", "month", "12"))
    res = world.client.query("p", "d", "y2021", body={"jsonPredicateHints": month12}, capabilities=caps)
    assert sorted((pv_of(f)["year"], pv_of(f)["month"]) for f in res.files) == [("2021", "12"), ("2021", "12")]
    # Asking for what the share hides gives nothing.
    y2020 = json.dumps(json_filter("equal", "year", "2020"))
    assert world.client.query("p", "d", "y2021", body={"jsonPredicateHints": y2020}, capabilities=caps).files == []
    # A hint that does not parse means "no filtering" — of the client's: the share's still applies.
    res = world.client.query("p", "d", "y2021", body={"jsonPredicateHints": "{broken"}, capabilities=caps)
    assert len(res.files) == len(expected_files(PARTITIONED, admitted_2021))
    res = world.client.query("p", "d", "y2021", body={"limitHint": 1}, capabilities=caps)
    assert all(admitted_2021(pv_of(f)) for f in res.files)


@pytest.mark.parametrize("caps", [None, DELTA], ids=["parquet", "delta"])
def test_paging_walks_only_the_filtered_files(world, caps):
    pages = world.client.query_pages("p", "d", "y2021", body={"maxFiles": 1}, capabilities=caps)
    files = [f for p in pages for f in p.files]
    assert all(admitted_2021(pv_of(f)) for f in files)
    assert len(files) == len(expected_files(PARTITIONED, admitted_2021))


def test_a_filter_change_invalidates_page_tokens(world):
    ops = world.ops
    ops.ok("POST", "/shares/p/schemas/d/tables", {"name": "moving", "location": PARTITIONED,
                                                  "partitionFilter": "year = '2021'"}, status=201)
    first = world.client.query("p", "d", "moving", body={"maxFiles": 1})
    assert first.next_page_token
    ops.ok("PATCH", "/shares/p/schemas/d/tables/moving", {"partitionFilter": "year = '2020'"})
    r = world.client.query_raw("p", "d", "moving", body={"maxFiles": 1, "pageToken": first.next_page_token})
    assert r.status_code == 400 and "pageToken" in r.json()["message"]
    again = world.client.query("p", "d", "moving")
    assert {pv_of(f)["year"] for f in again.files} == {"2020"}
    ops.ok("PATCH", "/shares/p/schemas/d/tables/moving", {"partitionFilter": ""})
    assert len(world.client.query("p", "d", "moving").files) == 6


@pytest.mark.parametrize("caps", [None, DELTA], ids=["parquet", "delta"])
def test_changes_and_streaming_expose_only_the_filtered_partitions(world, caps):
    table = DeltaTable(CDF)
    latest = table.latest_version
    for mode in ("cdf", "stream"):
        want = [c for c in expected_changes(table, 0, latest, mode=mode) if c.kind != "metaData"]
        want_kept = [c for c in want if c.action["partitionValues"]["birthday"] in CDF_DAYS]
        assert 0 < len(want_kept) < len(want)
        if mode == "cdf":
            res = world.client.changes("p", "d", "cdf", {"startingVersion": 0}, capabilities=caps)
            paged = world.client.changes_pages("p", "d", "cdf", {"startingVersion": 0}, max_files=2,
                                               capabilities=caps)
        else:
            res = world.client.stream("p", "d", "cdf", {"startingVersion": 0}, capabilities=caps)
            paged = world.client.stream_pages("p", "d", "cdf", {"startingVersion": 0}, max_files=2,
                                              capabilities=caps)
        got = sorted((e["kind"], e["version"], e["partitionValues"]["birthday"]) for e in res.files)
        assert got == sorted((c.kind, c.version, c.action["partitionValues"]["birthday"]) for c in want_kept), mode
        assert sorted((e["kind"], e["version"]) for p in paged for e in p.files) == \
            sorted((k, v) for k, v, _ in got)


def test_a_filter_on_a_non_partition_column_is_refused_not_ignored(world):
    for path, method, body in (("/query", "POST", {}), ("/metadata", "GET", None),
                               ("/query", "POST", {"startingVersion": 0})):
        r = requests.request(method, world.server.endpoint_url + "/shares/p/schemas/d/tables/badcol" + path,
                             json=body, headers={"Authorization": "Bearer " + world.token}, timeout=30)
        assert r.status_code == 400, (path, r.text)
        assert "cannot be served" in r.json()["message"] and "region" not in r.text
    # The version needs no data: still answered.
    assert requests.get(world.server.endpoint_url + "/shares/p/schemas/d/tables/badcol/version",
                        headers={"Authorization": "Bearer " + world.token}, timeout=30).status_code == 200


# ---------------------------------------------------------------------------
# IP allow-lists
# ---------------------------------------------------------------------------

def shares(endpoint_url, token, xff=None):
    h = {"Authorization": "Bearer " + token}
    if xff:
        h["X-Forwarded-For"] = xff
    return requests.get(endpoint_url + "/shares", headers=h, timeout=30)


def shares_raw(endpoint_url, token, xff_lines):
    """GET /shares with one X-Forwarded-For header line per entry (requests
    cannot send a header twice)."""
    netloc = endpoint_url.split("://", 1)[1].split("/", 1)[0]
    host, port = netloc.rsplit(":", 1)
    prefix = "/" + endpoint_url.split("://", 1)[1].split("/", 1)[1]
    request = "GET %s/shares HTTP/1.1\r\nHost: %s\r\nAuthorization: Bearer %s\r\n" % (prefix, netloc, token)
    request += "".join("X-Forwarded-For: %s\r\n" % x for x in xff_lines) + "Connection: close\r\n\r\n"
    with socket.create_connection((host, int(port)), timeout=30) as s:
        s.sendall(request.encode())
        data = b""
        while True:
            b = s.recv(65536)
            if not b:
                break
            data += b
    return int(data.split(b" ", 2)[1])


def test_ip_allowlist_on_the_serving_path(world):
    ops = world.ops
    ops.ok("POST", "/recipients", {"name": "fenced", "ipAllowlist": ["203.0.113.0/24"]}, status=201)
    ops.ok("PUT", "/recipients/fenced/grants/p")
    token = ops.ok("POST", "/recipients/fenced/tokens", {}, status=201)["bearerToken"]
    url = world.server.endpoint_url
    r = shares(url, token)
    assert r.status_code == 403 and r.json()["errorCode"] == "PERMISSION_DENIED"
    # Without a trusted proxy configured, X-Forwarded-For is the client's word: ignored.
    assert shares(url, token, xff="203.0.113.7").status_code == 403
    # Every sharing endpoint is fenced, not only /shares.
    r = requests.post(url + "/shares/p/schemas/d/tables/everything/query", json={},
                      headers={"Authorization": "Bearer " + token}, timeout=30)
    assert r.status_code == 403
    # The list is read on every request: widening it applies at once.
    ops.ok("PATCH", "/recipients/fenced", {"ipAllowlist": ["203.0.113.0/24", "127.0.0.0/8"]})
    assert shares(url, token).status_code == 200
    ops.ok("PATCH", "/recipients/fenced", {"ipAllowlist": ["::1/128"]})
    assert shares(url, token).status_code == 403
    ops.ok("PATCH", "/recipients/fenced", {"ipAllowlist": []})
    assert shares(url, token).status_code == 200


def test_trusted_proxy_forwards_the_client_address(world):
    ops = world.ops
    ops.ok("POST", "/recipients", {"name": "proxied", "ipAllowlist": ["203.0.113.0/24"]}, status=201)
    ops.ok("PUT", "/recipients/proxied/grants/p")
    token = ops.ok("POST", "/recipients/proxied/tokens", {}, status=201)["bearerToken"]
    # A second server on the same database, behind a "proxy" at 127.0.0.1.
    behind = DbServer(world.binary, world.db, world.workdir, name="behind_proxy", users=False,
                      trustedProxies=["127.0.0.1", "10.0.0.0/8"]).start()
    try:
        url = behind.endpoint_url
        assert shares(url, token).status_code == 403                      # the proxy itself is not allowed
        assert shares(url, token, xff="203.0.113.9").status_code == 200   # the client it forwards is
        assert shares(url, token, xff="198.51.100.1").status_code == 403
        # Entries left of the last untrusted hop are the client's own claims.
        assert shares(url, token, xff="203.0.113.9, 198.51.100.1").status_code == 403
        assert shares(url, token, xff="198.51.100.1, 203.0.113.9, 10.1.2.3").status_code == 200
        assert shares(url, token, xff="garbage").status_code == 403
        # Two X-Forwarded-For lines are one list (RFC 9110 §5.3): the client's
        # forged first line must not beat the one the proxy appended.
        assert shares_raw(url, token, ["203.0.113.9", "198.51.100.1"]) == 403
        assert shares_raw(url, token, ["198.51.100.1", "203.0.113.9"]) == 200
        # The audit log records the forwarded address.
        import time
        deadline = time.monotonic() + 5
        while True:
            items = ops.ok("GET", "/audit", params={"actor": "proxied", "outcome": "ok"})["items"]
            if items or time.monotonic() > deadline:
                break
            time.sleep(0.05)
        assert items and {e["remoteAddress"] for e in items} == {"203.0.113.9"}
    finally:
        behind.stop()
    bad = DbServer(world.binary, world.db, world.workdir, name="bad_proxy", users=False,
                   trustedProxies=["not-an-address"])
    rc, out = harness.ServerProcess(world.binary, bad.config, world.workdir, name="bad_proxy").run_expecting_failure()
    assert rc != 0 and "trustedProxies" in out


def test_denied_requests_are_counted_not_written_one_by_one(world):
    """An unauthenticated client must not make the server write an audit row
    per request (issue 18, item 4): the first denial of an address and action
    in a minute is recorded, the rest become one summary row."""
    behind = DbServer(world.binary, world.db, world.workdir, name="flooded", users=False,
                      trustedProxies=["127.0.0.1"], auditRetentionDays=30).start()
    address = "198.51.100.77"
    try:
        with requests.Session() as s:
            for _ in range(300):
                r = s.get(behind.endpoint_url + "/shares", timeout=30,
                          headers={"Authorization": "Bearer nope", "X-Forwarded-For": address})
                assert r.status_code == 401
            for _ in range(100):
                r = s.get(behind.base_url + "/api/v1/shares", timeout=30,
                          headers={"Authorization": "Bearer nope", "X-Forwarded-For": address})
                assert r.status_code == 401
    finally:
        behind.stop()  # shutdown writes the open window's summaries
    rows = [e for e in world.ops.ok("GET", "/audit", params={"outcome": "denied", "limit": 1000})["items"]
            if e.get("remoteAddress") == address]
    # Per action: the first denial, and one summary (two of each if a minute
    # boundary fell inside the flood).
    assert 2 <= len(rows) <= 8, rows
    represented = 0
    for e in rows:
        assert e["actorKind"] == "anonymous"
        detail = e.get("detail") or ""
        represented += int(detail.split(" ", 1)[0]) if " more denied requests" in detail else 1
    assert represented == 400, rows
