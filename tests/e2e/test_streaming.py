"""Streaming queries: POST …/query with {"startingVersion": S, "endingVersion"?: E}.

Every answer is compared with an independent reading of the Delta log
(delta_log.expected_changes in "stream" mode): line 1/2 the protocol and
metaData at S, Delta-Table-Version S, then per commit S..E a metaData line
(with its version) for each v > S that changed it, and add/remove lines
(with version and timestamp) for the actions with dataChange=true; cdc
actions are ignored and no CDF is required.

- Every range [S, E] (and [S, latest] without endingVersion) of plain and
  CDF tables on the main server and of the tables built in change_tables
  (metaData changes, no-op MERGE, dataChange=false, CDF switched off), in
  the parquet and delta formats; deletion vectors only in the delta format
  with readerfeatures=deletionvectors.
- Paging with maxFiles: the pages together are exactly the unpaged lines;
  endStreamAction only when asked; tampered/foreign/rebound page tokens are
  400; a commit landing between pages does not change the walk.
- Errors: no history sharing, S or E beyond the latest version, E < S,
  startingVersion with version/timestamp, refresh tokens, startVersion of
  the share, bad values.
"""

import os

import pytest
import requests

import change_tables
import expect
from delta_log import DeltaTable, expected_changes
from expect import all_ranges, tamper_token
from strict_client import requested_formats

DV_CAPS = "responseformat=delta;readerfeatures=deletionvectors"
CAPS = {"parquet": None, "delta": "responseformat=delta", "delta-dv": DV_CAPS}
INVALID = "INVALID_PARAMETER_VALUE"


def body_of(s, e, **extra):
    b = {"startingVersion": s}
    if e is not None:
        b["endingVersion"] = e
    b.update(extra)
    return b


def check_stream(c, coords, table, body, start, end, caps, context, headers=None):
    r = c.stream(*coords, body=body, capabilities=caps, headers=headers)
    want = "parquet" if "parquet" in requested_formats(caps) else "delta"
    assert r.format == want, "%s: answered in %s, expected %s" % (context, r.format, want)
    expect.assert_change_head(r, table, start, context)
    exp = expected_changes(table, start, end, "stream")
    expect.assert_changes_match(r.entries, exp, r.format, expect.id_scheme(r), context)
    return r


def check_every_range(c, coords, table, caps, label):
    items = [(s, table.latest_version if e is None else e, e) for s, e in all_ranges(table)]

    def one(client, item):
        s, end, e = item
        check_stream(client, coords, table, body_of(s, e), s, end, caps, "%s [%s, %s]" % (label, s, e))
    c.map_parallel(one, items)


MAIN_TABLES = [
    ("simple_table", "parquet"), ("simple_table", "delta"),
    ("delta-0.8.0-partitioned", "parquet"),
    ("cdf-table", "parquet"), ("cdf-table", "delta"),
    ("cdf-table-non-partitioned", "delta"),
    ("cdc_ict_table", "parquet"),
    ("cdf-table-with-cdc-and-dvs", "delta-dv"),
]


@pytest.mark.parametrize("dirname,fmt", MAIN_TABLES, ids=["%s-%s" % t for t in MAIN_TABLES])
def test_every_range_main(main, dirname, fmt):
    ref = main.all_share_table(dirname)
    check_every_range(main.alice, ref.coords, ref.delta, CAPS[fmt], "%s %s" % (dirname, fmt))


BUILT = [("evolving", "parquet"), ("evolving", "delta"), ("toggle", "parquet"), ("toggle", "delta"),
         ("late_dv", "delta-dv"), ("cdc_simple", "parquet"), ("ict", "delta"), ("backwards", "parquet")]


@pytest.mark.parametrize("name,fmt", BUILT, ids=["%s-%s" % t for t in BUILT])
def test_every_range_built(changes_server, name, fmt):
    check_every_range(changes_server.client, changes_server.coords(name), changes_server.delta(name), CAPS[fmt],
                      "%s %s" % (name, fmt))


def test_stream_rules(changes_server):
    """The rules spelled out on the built table: metaData lines for every
    change after S, a no-op MERGE still streams its files, dataChange=false
    does not, cdc actions never appear."""
    c = changes_server.client
    r = c.stream(*changes_server.coords("evolving"), body={"startingVersion": 5})
    by_version = {}
    for e in r.entries:
        by_version.setdefault(e["version"], []).append(e["kind"])
    assert 5 not in by_version, "the start version's own metaData is line 2"
    assert r.metadata.get("description") == "evolved at 5"
    assert sorted(by_version[7]) == ["add", "remove"]
    assert 9 not in by_version
    assert by_version[10][0] == "metaData" and sorted(by_version[10][1:]) == ["add", "remove"]
    assert sorted(by_version[12]) == ["add", "remove"]
    assert by_version[13] == ["metaData"]
    assert not [e for e in r.entries if e["kind"] == "cdf"]
    # CDF switched off in the range does not matter here
    r = c.stream(*changes_server.coords("toggle"), body={"startingVersion": 4})
    assert [e["version"] for e in r.entries if e["kind"] == "metaData"] == [5, 7]


@pytest.mark.parametrize("caps", [None, "responseformat=parquet", "responseformat=delta"])
def test_deletion_vectors_need_the_delta_format(main, changes_server, caps):
    c = main.alice
    coords = main.all_share_table("cdf-table-with-cdc-and-dvs").coords
    for s in (0, 2, 24):
        c.parse_error(c.query_raw(*coords, body=body_of(s, None), capabilities=caps), 400)
    # late_dv: a DV file at 6 (DVs enabled at 5)
    c = changes_server.client
    coords = changes_server.coords("late_dv")
    for s, e in ((0, None), (0, 6), (4, 7), (5, 5), (6, 6)):
        c.parse_error(c.query_raw(*coords, body=body_of(s, e), capabilities=caps), 400)
    table = changes_server.delta("late_dv")
    if caps != "responseformat=delta":
        check_stream(c, coords, table, body_of(0, 4), 0, 4, caps, "late_dv before the DVs")


# ---------------------------------------------------------------------------
# Paging
# ---------------------------------------------------------------------------

PAGED = [
    ("main", "simple_table", "parquet", 1, (0, None)),
    ("main", "simple_table", "delta", 2, (1, 3)),
    ("main", "cdf-table", "delta", 1, (0, None)),
    ("main", "cdf-table-with-cdc-and-dvs", "delta-dv", 1, (0, None)),
    ("main", "cdf-table-with-cdc-and-dvs", "delta-dv", 2, (3, 18)),
    ("cs", "evolving", "parquet", 1, (0, None)),
    ("cs", "evolving", "delta", 1, (5, 13)),
    ("cs", "toggle", "parquet", 2, (3, 8)),
]


@pytest.mark.parametrize("where,name,fmt,max_files,rng", PAGED,
                         ids=["%s-%s-%d-%s" % (n, f, m, r) for _, n, f, m, r in PAGED])
def test_paging_equals_unpaged(main, changes_server, where, name, fmt, max_files, rng):
    if where == "main":
        ref = main.all_share_table(name)
        c, coords, table = main.alice, ref.coords, ref.delta
    else:
        c, coords, table = changes_server.client, changes_server.coords(name), changes_server.delta(name)
    s, e = rng
    end = table.latest_version if e is None else e
    ctx = "%s [%s, %s] %s maxFiles=%d" % (name, s, e, fmt, max_files)
    unpaged = check_stream(c, coords, table, body_of(s, e), s, end, CAPS[fmt], ctx)
    assert unpaged.end_stream is None
    pages = c.stream_pages(*coords, body=body_of(s, e), max_files=max_files, capabilities=CAPS[fmt])
    entries = expect.assert_change_walk(pages, unpaged, max_files, ctx)
    expect.assert_changes_match(entries, expected_changes(table, s, end, "stream"), unpaged.format,
                                expect.id_scheme(unpaged), ctx + " (pages)")


@pytest.mark.parametrize("caps,extra,asked", [
    (None, {}, False),
    ("includeendstreamaction=true", {}, True),
    ("responseformat=delta;includeendstreamaction=true", {}, True),
    (None, {"maxFiles": 1000}, True),
    ("responseformat=delta", {"maxFiles": 2147483647}, True),
])
def test_end_stream_action_only_when_asked(changes_server, caps, extra, asked):
    c = changes_server.client
    r = c.stream(*changes_server.coords("cdf"), body=body_of(0, None, **extra), capabilities=caps)
    assert (r.end_stream is not None) == asked
    if asked:
        assert r.next_page_token is None and "refreshToken" not in r.end_stream


def _first_token(c, coords, body, caps=None):
    r = c.stream(*coords, body=dict(body, maxFiles=1), capabilities=caps)
    assert r.next_page_token, "test setup: the walk needs a second page"
    return r.next_page_token


def test_page_tokens(main, changes_server):
    c = changes_server.client
    coords = changes_server.coords("cdf")
    base = {"startingVersion": 0, "endingVersion": 3}
    tok = _first_token(c, coords, base)
    bad = {
        "tampered": tamper_token(tok),
        "truncated": tok[:-4],
        "garbage": "not-a-token",
        "other table": _first_token(c, changes_server.coords("backwards"), base),
        "snapshot query": c.query(*coords, body={"maxFiles": 1}).next_page_token,
        "changes": c.changes(*coords, params={"startingVersion": 0, "endingVersion": 3,
                                              "maxFiles": 1}).next_page_token,
        "other startingVersion": _first_token(c, coords, {"startingVersion": 1, "endingVersion": 3}),
        "other endingVersion": _first_token(c, coords, {"startingVersion": 0, "endingVersion": 2}),
        "no endingVersion": _first_token(c, coords, {"startingVersion": 0}),
        "delta format": _first_token(c, coords, base, caps="responseformat=delta"),
        "main server": _first_token(main.alice, main.all_share_table("cdf-table").coords, base),
    }
    for name, t in bad.items():
        assert t and t != tok, name
        c.parse_error(c.query_raw(*coords, body=dict(base, maxFiles=1, pageToken=t)), 400, INVALID)
    # a streaming token is no snapshot-query token
    c.parse_error(c.query_raw(*coords, body={"maxFiles": 1, "pageToken": tok}), 400, INVALID)
    # the genuine token continues
    assert c.stream(*coords, body=dict(base, maxFiles=1, pageToken=tok)).files


def test_commit_between_pages(live_changes):
    c, dirs = live_changes
    d = dirs["live_stream"]
    coords = ("cs", "s", "live_stream")
    table = DeltaTable(d)
    v0 = table.latest_version
    unpaged = check_stream(c, coords, table, body_of(1, None), 1, v0, None, "live before")
    added = []

    def between(i):
        if i == 1:
            added.append(change_tables.append_write(d, "e2e-live-stream.snappy.parquet"))

    pages = c.stream_pages(*coords, body=body_of(1, None), max_files=1, between_pages=between)
    assert added == [v0 + 1]
    entries = expect.assert_change_walk(pages, unpaged, 1, "live stream walk")
    assert all(e["version"] <= v0 for e in entries)
    check_stream(c, coords, DeltaTable(d), body_of(1, None), 1, v0 + 1, None, "live after")


# ---------------------------------------------------------------------------
# Errors
# ---------------------------------------------------------------------------

# On the copy of cdf-table (versions 0-3).
BAD_BODIES = [
    {"startingVersion": 4},
    {"startingVersion": 1000000},
    {"startingVersion": 0, "endingVersion": 4},
    {"startingVersion": 2, "endingVersion": 1},
    {"startingVersion": -1},
    {"startingVersion": 0, "endingVersion": -1},
    {"startingVersion": "zero"},
    {"startingVersion": 1.5},
    {"startingVersion": 0, "version": 1},
    {"startingVersion": 0, "version": 0},
    {"startingVersion": 0, "timestamp": "2023-01-01T00:00:00Z"},
    {"startingVersion": 0, "includeRefreshToken": True},
    {"startingVersion": 0, "endingVersion": 3, "includeRefreshToken": True},
    {"startingVersion": 0, "maxFiles": 0},
    {"startingVersion": 0, "maxFiles": -5},
]


@pytest.mark.parametrize("body", BAD_BODIES, ids=[repr(b) for b in BAD_BODIES])
@pytest.mark.parametrize("caps", [None, "responseformat=delta"])
def test_bad_bodies(changes_server, body, caps):
    c = changes_server.client
    c.parse_error(c.query_raw(*changes_server.coords("cdf"), body=body, capabilities=caps), 400, INVALID)


def test_refresh_token_with_starting_version(changes_server):
    c = changes_server.client
    coords = changes_server.coords("cdf")
    rt = c.query(*coords, body={"includeRefreshToken": True}).end_stream["refreshToken"]
    c.parse_error(c.query_raw(*coords, body={"startingVersion": 0, "refreshToken": rt}), 400, INVALID)


def test_not_history_shared(main, changes_server):
    for c, coords in ((main.alice, ("share1", "default", "nohist")), (main.alice, ("share1", "tt", "tt_nohist")),
                      (changes_server.client, changes_server.coords("plain_nohist")),
                      (changes_server.client, changes_server.coords("cdf_nohist"))):
        for body in ({"startingVersion": 0}, {"startingVersion": 0, "endingVersion": 1}):
            c.parse_error(c.query_raw(*coords, body=body), 400, INVALID)


def test_start_version_of_the_share(main, changes_server):
    """share1.tt.tt_start (startVersion 2) and cs.s.evolving_sv5 (startVersion 5)."""
    c = main.alice
    ref = main.table("share1", "tt", "tt_start")
    for s in (0, 1):
        c.parse_error(c.query_raw(*ref.coords, body={"startingVersion": s}), 400, INVALID)
    for s in (2, 3, 4):
        check_stream(c, ref.coords, ref.delta, {"startingVersion": s}, s, ref.delta.latest_version, None,
                     "tt_start from %d" % s)
    c = changes_server.client
    coords = changes_server.coords("evolving_sv5")
    table = changes_server.delta("evolving")
    for s in (0, 4):
        c.parse_error(c.query_raw(*coords, body={"startingVersion": s, "endingVersion": 6}), 400, INVALID)
    check_stream(c, coords, table, {"startingVersion": 5, "endingVersion": 8}, 5, 8, "responseformat=delta",
                 "evolving_sv5 from 5")


def test_not_cdf_is_fine(main):
    """Streaming needs no change data feed: simple_table has none, and the
    table's snapshot query at S agrees with the adds streamed from 0..S."""
    c = main.alice
    ref = main.all_share_table("simple_table")
    table = ref.delta
    for s in table.commit_versions:
        r = check_stream(c, ref.coords, table, {"startingVersion": 0, "endingVersion": s}, 0, s, None,
                         "simple_table [0, %d]" % s)
        live = {}
        for e in r.files:
            if e["kind"] == "add":
                live[e["id"]] = e
            else:
                live.pop(e["id"], None)
        assert sorted(live) == sorted(f["id"] for f in c.query(*ref.coords, body={"version": s}).files)


@pytest.mark.parametrize("fmt", ["parquet", "delta"])
def test_downloads_match_sizes(main, fmt):
    """Every add/remove URL of simple_table (whose removes record no size)
    downloads to the file it names, with as many bytes as the line's size
    says (a delta-format remove may leave out the size the log lacks)."""
    c = main.alice
    ref = main.all_share_table("simple_table")
    table = ref.delta
    r = c.stream(*ref.coords, body={"startingVersion": 0}, capabilities=CAPS[fmt])
    scheme = expect.id_scheme(r)
    paths = {expect.file_id(a["path"], scheme): a["path"]
             for v in table.commit_versions for _, a in table.commit(v).file_actions}
    assert any(e["kind"] == "remove" for e in r.files)
    with requests.Session() as s:
        for e in r.files:
            local = os.path.join(table.table_dir, paths[e["id"]])
            resp = s.get(e["url"], timeout=10)
            assert resp.status_code == 200, e["url"]
            with open(local, "rb") as fh:
                same = resp.content == fh.read()
            assert same, "%s: bytes differ from %s" % (e["kind"], local)
            n = len(resp.content)
            if e["size"] is not None or fmt == "parquet":
                assert e["size"] == n, "v%d %s %s: size %r, the file has %d bytes" % (
                    e["version"], e["kind"], paths[e["id"]], e["size"], n)
