"""Paging of /query (maxFiles / pageToken), endStreamAction, refresh tokens.

- Walks with maxFiles 1 and 2 over plain, partitioned, column-mapped and DV
  tables, in both response formats, latest and time travel, with
  jsonPredicateHints and limitHint: every page has at most maxFiles files,
  repeats the protocol/metaData lines and the Delta-Table-Version, only the
  last page omits nextPageToken, and the pages together are exactly the
  unpaged answer (no duplicates, none missing) and the log's file set.
- maxFiles may change between pages (or be left out: the rest in one page);
  maxFiles is capped, never an error when large; 0 or negative is 400.
- Page tokens are opaque and bound to the table and the request parameters
  (format, reader features, fileidhash, version, timestamp, predicateHints,
  jsonPredicateHints, limitHint — not maxFiles): anything else is 400
  INVALID_PARAMETER_VALUE, as is a tampered token.
- endStreamAction ends the body exactly when maxFiles, pageToken,
  includeRefreshToken or includeendstreamaction=true was asked for.
- On copies of simple_table served by their own server: a commit landing
  between two pages does not change the walk (the first page pins the
  snapshot); a refresh token re-signs the same version after a commit;
  refresh-token errors.
"""

import json
import os

import pytest
import requests

import expect
import harness
from conftest import TT_FIRST_EPOCH, TT_STEP, launch_server
from delta_log import DeltaTable
from expect import AND, cmp
from strict_client import StrictClient, add_of

DELTA_DV = "responseformat=delta;readerfeatures=deletionvectors"
DELTA_CM = "responseformat=delta;readerfeatures=columnmapping"

FORMAT_CAPS = {"parquet": None, "delta": "responseformat=delta"}


def tamper(token):
    """Changes one character in the middle of a token (all 6 bits of a
    middle base64 character carry data)."""
    i = len(token) // 2
    return token[:i] + ("A" if token[i] != "A" else "B") + token[i + 1:]


def coords_of(main, dirname):
    return main.all_share_table(dirname).coords


def delta_of(main, dirname):
    return main.all_share_table(dirname).delta


def assert_walk(pages, unpaged, max_files, context):
    """The paging properties; returns the files of all pages."""
    first = pages[0]
    files = []
    for i, p in enumerate(pages):
        ctx = "%s page %d/%d" % (context, i + 1, len(pages))
        assert p.format == unpaged.format, ctx
        assert p.version == first.version == unpaged.version, "%s: Delta-Table-Version %d, first page %d" % (
            ctx, p.version, first.version)
        assert p.protocol == first.protocol and p.metadata_wrapper == first.metadata_wrapper, \
            "%s: the protocol/metaData lines differ between pages" % ctx
        assert p.end_stream is not None, "%s: a paged answer ends with an endStreamAction" % ctx
        assert len(p.files) <= max_files, "%s: %d files, maxFiles %d" % (ctx, len(p.files), max_files)
        last = i == len(pages) - 1
        assert (p.next_page_token is None) == last, "%s: nextPageToken must be omitted exactly on the last page" % ctx
        files.extend(p.files)
    assert first.protocol == unpaged.protocol and first.metadata_wrapper == unpaged.metadata_wrapper, context
    ids = [f["id"] for f in files]
    dups = sorted({i for i in ids if ids.count(i) > 1})
    assert not dups, "%s: files returned on more than one page: %s" % (context, dups)
    assert sorted(ids) == sorted(unpaged.ids), "%s: pages give %d files, the unpaged answer %d\n  missing: %s\n  extra: %s" % (
        context, len(ids), len(unpaged.ids), sorted(set(unpaged.ids) - set(ids)), sorted(set(ids) - set(unpaged.ids)))
    assert len(pages) <= len(unpaged.files) + 1, "%s: %d pages for %d files" % (context, len(pages), len(unpaged.files))
    return files


def assert_files_match_log(files, fmt, snap, context):
    if fmt == "delta":
        expect.assert_same_delta_files(files, snap, context)
    else:
        expect.assert_same_files(files, snap, context)


# ---------------------------------------------------------------------------
# Walks
# ---------------------------------------------------------------------------

WALK_TABLES = [
    ("simple_table", None),
    ("delta-0.8.0-partitioned", None),
    ("partition-type-primitives", None),
    ("cdf-table", None),
    ("COVID-19_NYT", None),
    ("delta-0.8.0-null-partition", None),
    ("table_with_column_mapping", DELTA_CM),
    ("cdf-table-with-cdc-and-dvs", DELTA_DV),
    ("table_with_partitioning_mapping", "responseformat=delta;readerfeatures=columnmapping,deletionvectors"),
]
WALKS = []
for _dir, _caps in WALK_TABLES:
    for _fmt in (["parquet", "delta"] if _caps is None else ["delta"]):
        for _n in (1, 2):
            WALKS.append((_dir, _fmt, _caps or FORMAT_CAPS[_fmt], _n))


@pytest.mark.parametrize("dirname,fmt,caps,max_files", WALKS,
                         ids=["%s-%s-%d" % (d, f, n) for d, f, _, n in WALKS])
def test_walk_equals_unpaged(main, dirname, fmt, caps, max_files):
    c = main.alice
    coords = coords_of(main, dirname)
    snap = delta_of(main, dirname).snapshot()
    unpaged = c.query(*coords, capabilities=caps)
    assert unpaged.format == fmt and unpaged.end_stream is None
    pages = c.query_pages(*coords, body={"maxFiles": max_files}, capabilities=caps)
    files = assert_walk(pages, unpaged, max_files, "%s maxFiles=%d (%s)" % (dirname, max_files, fmt))
    assert_files_match_log(files, fmt, snap, dirname)
    if len(snap.files) > max_files:
        assert len(pages) > 1, "%d files, maxFiles %d: more than one page" % (len(snap.files), max_files)


@pytest.mark.parametrize("dirname,version,caps", [
    ("simple_table", 2, None), ("simple_table", 3, "responseformat=delta"),
    ("cdf-table-with-cdc-and-dvs", 16, DELTA_DV), ("cdf-table-with-cdc-and-dvs", 10, DELTA_DV),
    ("cdf-table", 1, "responseformat=delta"),
])
def test_walk_time_travel(main, dirname, version, caps):
    c = main.alice
    coords = coords_of(main, dirname)
    snap = delta_of(main, dirname).snapshot(version)
    body = {"version": version}
    unpaged = c.query(*coords, body=body, capabilities=caps)
    assert unpaged.version == version
    pages = c.query_pages(*coords, body=dict(body, maxFiles=1), capabilities=caps)
    files = assert_walk(pages, unpaged, 1, "%s@%d" % (dirname, version))
    assert_files_match_log(files, unpaged.format, snap, "%s@%d" % (dirname, version))
    for f in files:
        if "version" in f:
            assert f["version"] <= version


def test_walk_by_timestamp(main):
    """share1.tt.simple_tt: commit N at 2021-01-01 + N days."""
    c = main.alice
    coords = ("share1", "tt", "simple_tt")
    body = {"timestamp": "2021-01-03T12:00:00Z"}   # version 2
    unpaged = c.query(*coords, body=body)
    assert unpaged.version == 2
    pages = c.query_pages(*coords, body=dict(body, maxFiles=1))
    assert_walk(pages, unpaged, 1, "timestamp walk")


WALK_FILTERS = [
    ("delta-0.8.0-partitioned", {"jsonPredicateHints": json.dumps(cmp("equal", "year", "2021", "string"))}),
    ("delta-0.8.0-partitioned", {"jsonPredicateHints": json.dumps(cmp("greaterThan", "month", "2", "int"))}),
    ("partition-type-primitives", {"jsonPredicateHints": json.dumps(
        AND(cmp("equal", "category", "A", "string"), cmp("equal", "is_active", "true", "string")))}),
    ("partition-type-primitives", {"limitHint": 3}),
    ("partition-type-primitives", {"limitHint": 1}),
    ("COVID-19_NYT", {"limitHint": 1000}),
    ("partition-type-primitives", {"limitHint": 2,
                                   "jsonPredicateHints": json.dumps(cmp("equal", "category", "B", "string"))}),
    ("delta-0.8.0-partitioned", {"predicateHints": ["year = '2021'"]}),
]


@pytest.mark.parametrize("fmt", ["parquet", "delta"])
@pytest.mark.parametrize("max_files", [1, 2])
@pytest.mark.parametrize("dirname,body", WALK_FILTERS, ids=lambda x: x if isinstance(x, str) else json.dumps(x)[:60])
def test_walk_with_filters(main, dirname, body, max_files, fmt):
    """Pages of a filtered / limited query together equal its unpaged answer."""
    c = main.alice
    coords = coords_of(main, dirname)
    caps = FORMAT_CAPS[fmt]
    unpaged = c.query(*coords, body=body, capabilities=caps)
    pages = c.query_pages(*coords, body=dict(body, maxFiles=max_files), capabilities=caps)
    assert_walk(pages, unpaged, max_files, "%s %s" % (dirname, json.dumps(body)))


def test_walk_with_limit_and_dvs(main):
    """limitHint across pages in the delta format counts live rows (numRecords
    minus DV cardinality), like the unpaged answer."""
    c = main.alice
    coords = coords_of(main, "cdf-table-with-cdc-and-dvs")
    for version in (10, 16, 25):
        for limit in (1, 2, 3, 4):
            body = {"version": version, "limitHint": limit}
            unpaged = c.query(*coords, body=body, capabilities=DELTA_DV)
            pages = c.query_pages(*coords, body=dict(body, maxFiles=1), capabilities=DELTA_DV)
            assert_walk(pages, unpaged, 1, "v%d limitHint %d" % (version, limit))


def test_max_files_may_change_between_pages(main):
    c = main.alice
    coords = coords_of(main, "partition-type-primitives")
    unpaged = c.query(*coords)
    p1 = c.query(*coords, body={"maxFiles": 1})
    p2 = c.query(*coords, body={"maxFiles": 5, "pageToken": p1.next_page_token})
    assert len(p1.files) == 1 and len(p2.files) <= 5
    rest = c.query_pages(*coords, body={"maxFiles": 100, "pageToken": p2.next_page_token})
    assert len(rest) == 1 and rest[0].next_page_token is None
    ids = p1.ids + p2.ids + rest[0].ids
    assert len(ids) == len(set(ids)) and sorted(ids) == sorted(unpaged.ids)


def test_page_token_without_max_files_gives_the_rest(main):
    """maxFiles is the client's page size, not part of what a token pins (as
    the reference server's page-token checksum leaves it out): a token sent
    without maxFiles gets every remaining file of the pinned snapshot, with
    no nextPageToken."""
    c = main.alice
    coords = coords_of(main, "partition-type-primitives")
    unpaged = c.query(*coords)
    p1 = c.query(*coords, body={"maxFiles": 1})
    rest = c.query(*coords, body={"pageToken": p1.next_page_token})
    assert rest.next_page_token is None
    ids = p1.ids + rest.ids
    assert len(ids) == len(set(ids)) and sorted(ids) == sorted(unpaged.ids)


def test_page_token_is_reusable(main):
    """A page token names a position: asking twice (a retry) gives the same page."""
    c = main.alice
    coords = coords_of(main, "partition-type-primitives")
    p1 = c.query(*coords, body={"maxFiles": 3})
    a = c.query(*coords, body={"maxFiles": 3, "pageToken": p1.next_page_token})
    b = c.query(*coords, body={"maxFiles": 3, "pageToken": p1.next_page_token})
    assert a.ids == b.ids and a.next_page_token is not None
    assert not set(a.ids) & set(p1.ids)


@pytest.mark.parametrize("max_files", [10000, 10001, 20000, 2147483647])
def test_large_max_files(main, max_files):
    c = main.alice
    coords = coords_of(main, "partition-type-primitives")
    q = c.query(*coords, body={"maxFiles": max_files})
    assert q.end_stream is not None and q.next_page_token is None
    expect.assert_same_files(q.files, delta_of(main, "partition-type-primitives").snapshot())


@pytest.mark.parametrize("max_files", [0, -1, -100])
@pytest.mark.parametrize("caps", [None, "responseformat=delta"])
def test_invalid_max_files(main, max_files, caps):
    c = main.alice
    resp = c.query_raw(*coords_of(main, "simple_table"), body={"maxFiles": max_files}, capabilities=caps)
    c.parse_error(resp, 400, "INVALID_PARAMETER_VALUE")


def test_empty_table_paging(main):
    """A table without files: one page, no files, no nextPageToken."""
    c = main.alice
    coords = coords_of(main, "delta-0.8-empty")
    for caps in FORMAT_CAPS.values():
        q = c.query(*coords, body={"maxFiles": 1}, capabilities=caps)
        assert q.files == [] and q.end_stream is not None and q.next_page_token is None


# ---------------------------------------------------------------------------
# Page token binding and tampering
# ---------------------------------------------------------------------------

def _first_token(c, coords, body=None, caps=None, headers=None, max_files=1):
    q = c.query(*coords, body=dict(body or {}, maxFiles=max_files), capabilities=caps, headers=headers)
    assert q.next_page_token, "test setup: the walk needs a second page"
    return q.next_page_token


def test_tampered_page_tokens(main):
    c = main.alice
    coords = coords_of(main, "partition-type-primitives")
    tok = _first_token(c, coords, max_files=2)
    variants = {
        "middle char": tamper(tok),
        "second char": tok[0] + ("A" if tok[1] != "A" else "B") + tok[2:],
        "truncated": tok[:-4],
        "extended": tok + "AAAA",
        "doubled": tok + tok,
        "garbage": "not-a-token",
        "base64 json": "eyJvZmZzZXQiOjJ9",
        "huge": "A" * 5000,
        "whitespace": " " + tok,
    }
    for name, bad in variants.items():
        assert bad != tok
        resp = c.query_raw(*coords, body={"maxFiles": 2, "pageToken": bad})
        c.parse_error(resp, 400, "INVALID_PARAMETER_VALUE")
    # the genuine token still works
    assert c.query(*coords, body={"maxFiles": 2, "pageToken": tok}).files


def test_page_token_bound_to_table(main):
    c = main.alice
    tok = _first_token(c, coords_of(main, "simple_table"))
    for coords in (("share1", "default", "simple"),          # same files, another share/table name
                   ("share1", "tt", "simple_tt"),
                   coords_of(main, "partition-type-primitives")):
        c.parse_error(c.query_raw(*coords, body={"maxFiles": 1, "pageToken": tok}), 400, "INVALID_PARAMETER_VALUE")


TT = ("share1", "tt", "simple_tt")
TT_PRED = json.dumps(cmp("greaterThan", "id", "0", "long"))
BASE = {"jsonPredicateHints": TT_PRED, "limitHint": 1000, "predicateHints": ["id > 0"]}

# (name, first request (body, caps, headers), second request (body, caps, headers)) -> must be 400
CHANGED = [
    ("parquet -> delta", (BASE, None, None), (BASE, "responseformat=delta", None)),
    ("delta -> parquet", (BASE, "responseformat=delta", None), (BASE, "responseformat=parquet", None)),
    ("delta -> delta,parquet", (BASE, "responseformat=delta", None), (BASE, "responseformat=delta,parquet", None)),
    ("readerfeatures added", (BASE, "responseformat=delta", None), (BASE, DELTA_DV, None)),
    ("readerfeatures changed", (BASE, DELTA_DV, None), (BASE, DELTA_CM, None)),
    ("fileidhash added", (BASE, None, None), (BASE, None, {"fileidhash": "delta"})),
    ("fileidhash changed", (BASE, None, {"fileidhash": "parquet"}), (BASE, None, {"fileidhash": "delta"})),
    ("fileidhash removed", (BASE, "responseformat=delta", {"fileidhash": "parquet"}),
     (BASE, "responseformat=delta", None)),
    ("version added", (BASE, None, None), (dict(BASE, version=4), None, None)),
    ("version changed", (dict(BASE, version=3), None, None), (dict(BASE, version=4), None, None)),
    ("version removed", (dict(BASE, version=4), None, None), (BASE, None, None)),
    ("version -> timestamp", (dict(BASE, version=3), None, None),
     (dict(BASE, timestamp="2021-01-04T00:00:00Z"), None, None)),
    ("timestamp changed", (dict(BASE, timestamp="2021-01-04T00:00:00Z"), None, None),
     (dict(BASE, timestamp="2021-01-04T00:00:01Z"), None, None)),
    ("predicateHints changed", (BASE, None, None), (dict(BASE, predicateHints=["id > 1"]), None, None)),
    ("predicateHints removed", (BASE, None, None),
     ({k: v for k, v in BASE.items() if k != "predicateHints"}, None, None)),
    ("jsonPredicateHints changed", (BASE, None, None),
     (dict(BASE, jsonPredicateHints=json.dumps(cmp("greaterThan", "id", "1", "long"))), None, None)),
    ("jsonPredicateHints removed", (BASE, None, None),
     ({k: v for k, v in BASE.items() if k != "jsonPredicateHints"}, None, None)),
    ("limitHint changed", (BASE, None, None), (dict(BASE, limitHint=999), None, None)),
    ("limitHint removed", (BASE, None, None), ({k: v for k, v in BASE.items() if k != "limitHint"}, None, None)),
]


@pytest.mark.parametrize("name,first,second", CHANGED, ids=[c[0] for c in CHANGED])
def test_page_token_bound_to_parameters(main, name, first, second):
    c = main.alice
    body1, caps1, h1 = first
    body2, caps2, h2 = second
    tok = _first_token(c, TT, body1, caps1, h1)
    resp = c.query_raw(*TT, body=dict(body2, maxFiles=1, pageToken=tok), capabilities=caps2, headers=h2)
    c.parse_error(resp, 400, "INVALID_PARAMETER_VALUE")
    # unchanged parameters continue the walk
    q = c.query(*TT, body=dict(body1, maxFiles=1, pageToken=tok), capabilities=caps1, headers=h1)
    assert len(q.files) <= 1


def test_page_token_not_bound_to_max_files(main):
    c = main.alice
    tok = _first_token(c, TT, BASE, "responseformat=delta", {"fileidhash": "parquet"})
    q = c.query(*TT, body=dict(BASE, maxFiles=3, pageToken=tok), capabilities="responseformat=delta",
                headers={"fileidhash": "parquet"})
    assert 1 <= len(q.files) <= 3


@pytest.mark.parametrize("first,second", [
    (("ResponseFormat=DELTA;ReaderFeatures=DeletionVectors", None),
     ("responseformat=delta;readerfeatures=deletionvectors", None)),
    (("responseformat=delta", {"fileidhash": "PARQUET"}), ("responseformat=delta", {"fileidhash": "parquet"})),
    ((None, {"fileidhash": "Delta"}), (None, {"fileidhash": "delta"})),
])
def test_page_token_parameters_are_case_insensitive(main, first, second):
    """Capabilities and fileidhash values are case-insensitive: the same
    parameters spelled in another case continue the walk."""
    c = main.alice
    tok = _first_token(c, TT, {}, first[0], first[1])
    q = c.query(*TT, body={"maxFiles": 1, "pageToken": tok}, capabilities=second[0], headers=second[1])
    assert len(q.files) == 1


def test_page_token_is_not_a_refresh_token(main):
    c = main.alice
    coords = coords_of(main, "simple_table")
    tok = _first_token(c, coords)
    c.parse_error(c.query_raw(*coords, body={"refreshToken": tok}), 400, "INVALID_PARAMETER_VALUE")
    q = c.query(*coords, body={"includeRefreshToken": True})
    rt = q.end_stream["refreshToken"]
    c.parse_error(c.query_raw(*coords, body={"maxFiles": 1, "pageToken": rt}), 400, "INVALID_PARAMETER_VALUE")


def test_list_page_token_is_not_a_query_token(main):
    """Tokens of the list endpoints and of /query are not interchangeable."""
    c = main.alice
    _, list_tok = c.list_all_tables("all", max_results=1)
    assert list_tok
    c.parse_error(c.query_raw(*coords_of(main, "simple_table"), body={"maxFiles": 1, "pageToken": list_tok}),
                  400, "INVALID_PARAMETER_VALUE")
    qtok = _first_token(c, coords_of(main, "simple_table"))
    resp = c.raw("GET", "/shares/all/all-tables", params={"maxResults": 1, "pageToken": qtok})
    c.parse_error(resp, 400)


# ---------------------------------------------------------------------------
# endStreamAction only when asked
# ---------------------------------------------------------------------------

END_STREAM_CASES = [
    ({}, None, False),
    ({}, "includeendstreamaction=true", True),
    ({}, "responseformat=parquet;includeendstreamaction=true", True),
    ({}, "IncludeEndStreamAction=TRUE;responseformat=delta", True),
    ({}, "responseformat=delta;includeendstreamaction=false", False),
    ({"maxFiles": 1000}, None, True),
    ({"maxFiles": 1000}, "responseformat=delta", True),
    ({"includeRefreshToken": True}, None, True),
    ({"includeRefreshToken": True}, "responseformat=delta", True),
    ({"includeRefreshToken": False}, None, False),
    ({"maxFiles": None}, None, False),
    ({"limitHint": 1}, None, False),
    ({"version": 2}, "responseformat=delta", False),
    ({"version": 2, "maxFiles": 100}, "responseformat=delta", True),
]


@pytest.mark.parametrize("body,caps", [(b, c) for b, c, _ in END_STREAM_CASES],
                         ids=["%s-%s" % (json.dumps(b), c) for b, c, _ in END_STREAM_CASES])
def test_end_stream_action_iff_asked(main, body, caps):
    """The strict parser enforces 'present iff asked' and the response header."""
    c = main.alice
    expected = dict(((json.dumps(b), cc), e) for b, cc, e in END_STREAM_CASES)[(json.dumps(body), caps)]
    q = c.query(*coords_of(main, "simple_table"), body=body, capabilities=caps)
    assert (q.end_stream is not None) == expected
    if q.end_stream is not None:
        assert q.capabilities.get("includeendstreamaction") == ["true"]
        assert q.end_stream["minUrlExpirationTimestamp"] == min(f["expirationTimestamp"] for f in q.files)
        assert ("refreshToken" in q.end_stream) == bool(body.get("includeRefreshToken"))
        assert "nextPageToken" not in q.end_stream
    else:
        assert "includeendstreamaction" not in q.capabilities or q.capabilities["includeendstreamaction"] == ["false"]


def test_metadata_never_has_end_stream_action(main):
    c = main.alice
    for caps in ("includeendstreamaction=true", "responseformat=delta;includeendstreamaction=true"):
        c.metadata(*coords_of(main, "simple_table"), capabilities=caps)


# ---------------------------------------------------------------------------
# Refresh tokens on the main server
# ---------------------------------------------------------------------------

@pytest.mark.parametrize("caps", [None, "responseformat=delta", DELTA_DV])
def test_refresh_token_round_trip(main, caps):
    c = main.alice
    dirname = "table-with-dv-small" if caps == DELTA_DV else "partition-type-primitives"
    coords = coords_of(main, dirname)
    q1 = c.query(*coords, body={"includeRefreshToken": True}, capabilities=caps)
    rt = q1.end_stream.get("refreshToken")
    assert isinstance(rt, str) and rt
    assert "nextPageToken" not in q1.end_stream
    q2 = c.query(*coords, body={"refreshToken": rt}, capabilities=caps)
    assert q2.version == q1.version and sorted(q2.ids) == sorted(q1.ids)
    assert q2.end_stream is None
    assert_files_match_log(q2.files, q2.format, delta_of(main, dirname).snapshot(), dirname)
    # asking for a new refresh token with the old one
    q3 = c.query(*coords, body={"refreshToken": rt, "includeRefreshToken": True}, capabilities=caps)
    assert sorted(q3.ids) == sorted(q1.ids) and q3.end_stream.get("refreshToken")


def test_refresh_token_without_history_sharing(main):
    """Refresh tokens re-sign the latest snapshot a client already read: they
    need no history sharing."""
    c = main.alice
    coords = ("share1", "default", "nohist")
    q1 = c.query(*coords, body={"includeRefreshToken": True})
    q2 = c.query(*coords, body={"refreshToken": q1.end_stream["refreshToken"]})
    assert q2.version == q1.version and sorted(q2.ids) == sorted(q1.ids)


def test_refresh_token_with_filters(main):
    c = main.alice
    coords = coords_of(main, "delta-0.8.0-partitioned")
    body = {"jsonPredicateHints": json.dumps(cmp("equal", "year", "2021", "string")), "limitHint": 100}
    q1 = c.query(*coords, body=dict(body, includeRefreshToken=True))
    q2 = c.query(*coords, body=dict(body, refreshToken=q1.end_stream["refreshToken"]))
    assert sorted(q2.ids) == sorted(q1.ids)


def test_refresh_token_with_paging(main):
    """includeRefreshToken on the first page of a walk: its endStreamAction
    carries both tokens; the refresh token gives the whole snapshot."""
    c = main.alice
    coords = coords_of(main, "partition-type-primitives")
    p1 = c.query(*coords, body={"includeRefreshToken": True, "maxFiles": 2})
    assert p1.next_page_token and p1.end_stream.get("refreshToken")
    q = c.query(*coords, body={"refreshToken": p1.end_stream["refreshToken"]})
    assert sorted(q.ids) == sorted(c.query(*coords).ids)


REFRESH_ERRORS = [
    {"includeRefreshToken": True, "version": 2},
    {"includeRefreshToken": True, "version": 4},
    {"includeRefreshToken": True, "timestamp": "2021-01-03T00:00:00Z"},
    {"refreshToken": "@RT@", "version": 4},
    {"refreshToken": "@RT@", "timestamp": "2021-01-05T00:00:00Z"},
    {"refreshToken": "@RT@", "pageToken": "@PT@", "maxFiles": 1},
    {"includeRefreshToken": True, "pageToken": "@PT@", "maxFiles": 1},
    {"refreshToken": "@RT@", "includeRefreshToken": True, "version": 4},
]


@pytest.mark.parametrize("body", REFRESH_ERRORS, ids=[json.dumps(b) for b in REFRESH_ERRORS])
def test_refresh_token_errors(main, body):
    c = main.alice
    rt = c.query(*TT, body={"includeRefreshToken": True}).end_stream["refreshToken"]
    pt = _first_token(c, TT)
    body = {k: (rt if v == "@RT@" else pt if v == "@PT@" else v) for k, v in body.items()}
    c.parse_error(c.query_raw(*TT, body=body), 400, "INVALID_PARAMETER_VALUE")


def test_tampered_or_foreign_refresh_tokens(main):
    c = main.alice
    rt = c.query(*TT, body={"includeRefreshToken": True}).end_stream["refreshToken"]
    other = c.query(*coords_of(main, "simple_table"), body={"includeRefreshToken": True}).end_stream["refreshToken"]
    for bad in (tamper(rt), rt[:-3], rt + "AAAA", "nonsense", other):
        assert bad != rt
        c.parse_error(c.query_raw(*TT, body={"refreshToken": bad}), 400, "INVALID_PARAMETER_VALUE")
    assert c.query(*TT, body={"refreshToken": rt}).version == 4


# ---------------------------------------------------------------------------
# Commits landing while a client pages or holds a refresh token (copies)
# ---------------------------------------------------------------------------

LIVE_TABLES = ["pin_parquet", "pin_delta", "pin_filtered", "refresh_parquet", "refresh_delta"]


@pytest.fixture(scope="module")
def live(lakeshare_bin, tmp_path_factory):
    base = str(tmp_path_factory.mktemp("live"))
    dirs = {}
    for name in LIVE_TABLES:
        src = "delta-0.8.0-partitioned" if name == "pin_filtered" else "simple_table"
        dirs[name] = harness.copy_table(src, base, name)
    config = {
        "version": 1, "host": "127.0.0.1", "port": 0, "endpoint": "/delta-sharing",
        "recipients": [{"name": "r", "token": "tok-r", "shares": ["live"]}],
        "shares": [{"name": "live", "schemas": [{"name": "s", "tables": [
            {"name": n, "location": d, "historyShared": True} for n, d in dirs.items()]}]}],
    }
    server = launch_server(lakeshare_bin, config, os.path.join(base, "conf"), name="live")
    yield server, StrictClient(server.endpoint_url, "tok-r", server), dirs
    server.stop_and_check()


def commit_removing_one_file(table_dir):
    """Adds a commit that removes the first active file; returns the new version."""
    snap = DeltaTable(table_dir).snapshot()
    victim = snap.files[0]
    return harness.add_commit(table_dir, [{"remove": {
        "path": victim.path, "deletionTimestamp": 1700000000000, "dataChange": True,
        "partitionValues": victim.partition_values, "size": victim.size}}])


@pytest.mark.parametrize("name,caps,body", [
    ("pin_parquet", None, {}),
    ("pin_delta", "responseformat=delta", {}),
    ("pin_filtered", "responseformat=delta", {"jsonPredicateHints": json.dumps(cmp("equal", "year", "2020", "string"))}),
])
def test_commit_between_pages(live, name, caps, body):
    server, c, dirs = live
    table_dir = dirs[name]
    before = DeltaTable(table_dir)
    v0 = before.latest_version
    snap0 = before.snapshot()
    unpaged = c.query("live", "s", name, body=body, capabilities=caps)
    assert unpaged.version == v0
    commits = []

    def between(i):
        if i == 1:
            commits.append(commit_removing_one_file(table_dir))

    pages = c.query_pages("live", "s", name, body=dict(body, maxFiles=1), capabilities=caps, between_pages=between)
    assert commits == [v0 + 1], "test setup: the walk needs more than one page"
    files = assert_walk(pages, unpaged, 1, "%s with a commit after page 1" % name)
    if not body:
        assert_files_match_log(files, unpaged.format, snap0, name)
    # the commit is visible to a new query, and changes the answer
    after = DeltaTable(table_dir).snapshot()
    assert after.version == v0 + 1 and len(after.files) == len(snap0.files) - 1
    fresh = c.query("live", "s", name, capabilities=caps)
    assert fresh.version == v0 + 1
    assert_files_match_log(fresh.files, fresh.format, after, name + " after the commit")
    # an old page token still reads the pinned version
    p = c.query("live", "s", name, body=dict(body, maxFiles=1, pageToken=pages[0].next_page_token),
                capabilities=caps)
    assert p.version == v0 and p.ids == pages[1].ids


@pytest.mark.parametrize("name,caps", [("refresh_parquet", None), ("refresh_delta", "responseformat=delta")])
def test_refresh_after_commit(live, name, caps):
    server, c, dirs = live
    table_dir = dirs[name]
    snap0 = DeltaTable(table_dir).snapshot()
    q1 = c.query("live", "s", name, body={"includeRefreshToken": True}, capabilities=caps)
    rt = q1.end_stream["refreshToken"]
    v1 = commit_removing_one_file(table_dir)
    q2 = c.query("live", "s", name, body={"refreshToken": rt}, capabilities=caps)
    assert q2.version == snap0.version, "a refresh token re-signs its own version, not the latest"
    assert sorted(q2.ids) == sorted(q1.ids)
    assert_files_match_log(q2.files, q2.format, snap0, name + " refreshed")
    exp1 = {f["id"]: f["expirationTimestamp"] for f in q1.files}
    for f in q2.files:
        assert f["expirationTimestamp"] >= exp1[f["id"]], "refreshed URLs expire no earlier"
    # the refreshed URLs work
    with requests.Session() as s:
        for f in q2.files:
            url = add_of(f)["path"] if q2.format == "delta" else f["url"]
            r = s.get(url, timeout=10)
            assert r.status_code == 200
    latest = c.query("live", "s", name, capabilities=caps)
    assert latest.version == v1 and len(latest.files) == len(q1.files) - 1
    # a new refresh token asked for with the old one still names the old version
    q3 = c.query("live", "s", name, body={"refreshToken": rt, "includeRefreshToken": True}, capabilities=caps)
    q4 = c.query("live", "s", name, body={"refreshToken": q3.end_stream["refreshToken"]}, capabilities=caps)
    assert q4.version == snap0.version and sorted(q4.ids) == sorted(q1.ids)
