"""POST .../query and the time-travel parameters.

- jsonPredicateHints (as a JSON string and as an object) on partitioned
  tables: every file that can match is returned, files whose partition values
  cannot match are dropped; NOT over a stats range never drops a file;
  invalid predicates mean no filtering; predicateHints are accepted.
- limitHint, unknown body fields, malformed bodies (400 MALFORMED_REQUEST),
  oversized bodies (413), capabilities header handling, endStreamAction only
  on request.
- version/timestamp time travel on a copy of simple_table whose commit N is
  dated 2021-01-01 + N days; startingTimestamp on /version; the errors
  (history not shared, out of range, both given, negative, startVersion).
"""

import datetime
import json

import pytest

import expect
from expect import AND, IS_NULL, NOT, OR, cmp
from conftest import ICT_FIRST_EPOCH, TT_FIRST_EPOCH, TT_STEP


def snap_of(main, share, schema, table, version=None):
    return main.table(share, schema, table).delta.snapshot(version)


# ---------------------------------------------------------------------------
# Predicates
# ---------------------------------------------------------------------------

PREDICATE_CASES = [
    # (table coords, predicate, min number of files that must come back)
    (("share1", "default", "partitioned"), cmp("equal", "year", "2021", "string"), 3),
    (("share1", "default", "partitioned"), AND(cmp("equal", "year", "2020", "string"),
                                               cmp("equal", "month", "2", "string")), 2),
    (("share1", "default", "partitioned"), OR(cmp("equal", "day", "1", "string"),
                                              cmp("equal", "day", "20", "string")), 2),
    # typed comparison: as ints 12 and 4 are > 2 (as strings only "4" is)
    (("share1", "default", "partitioned"), cmp("greaterThan", "month", "2", "int"), 3),
    (("share1", "default", "partitioned"), cmp("lessThanOrEqual", "month", "2", "int"), 3),
    (("share1", "default", "partitioned"), NOT(cmp("equal", "year", "2020", "string")), 3),
    (("share1", "default", "partitioned"), AND(cmp("greaterThanOrEqual", "year", "2021", "int"),
                                               cmp("lessThan", "day", "10", "int")), 2),
    (("share1", "default", "partitioned"), cmp("equal", "year", "1999", "string"), 0),
    # literal on the left
    (("share1", "default", "partitioned"), {"op": "lessThan", "children": [
        {"op": "literal", "value": "2020", "valueType": "int"},
        {"op": "column", "name": "year", "valueType": "int"}]}, 3),
    (("share1", "extra", "types"), cmp("equal", "c1", "5", "int"), 1),
    (("share1", "extra", "types"), cmp("greaterThanOrEqual", "c1", "5", "int"), 2),
    (("share1", "extra", "types"), AND(cmp("lessThan", "c1", "6", "int"), cmp("equal", "c2", "c", "string")), 1),
    (("share1", "extra", "types"), OR(cmp("equal", "c2", "a", "string"), cmp("equal", "c3", "6", "int")), 2),
    # data column with exact stats (min == max): may be used, never required
    (("share1", "extra", "types"), cmp("equal", "c3", "5", "int"), 1),
    (("share1", "extra", "numeric"), cmp("greaterThan", "x", "9", "long"), 1),
    (("share1", "extra", "numeric"), cmp("equal", "y", "9.9", "double"), 1),
    (("share1", "extra", "prims"), AND(cmp("equal", "category", "A", "string"),
                                       cmp("equal", "event_date", "2023-01-02", "date")), 4),
    (("share1", "extra", "prims"), cmp("equal", "is_active", "true", "string"), 8),
    (("share1", "default", "nullpart"), IS_NULL("k", "string"), 1),
    (("share1", "default", "nullpart"), NOT(IS_NULL("k", "string")), 1),
    (("share1", "default", "nullpart"), cmp("equal", "k", "A", "string"), 1),
    (("share1", "default", "special"), cmp("equal", "x", "A/A", "string"), 1),
    (("share1", "default", "special"), cmp("equal", "x", "B B", "string"), 1),
    # stats ranges on timestamps
    (("share1", "extra", "http"), cmp("greaterThan", "EdgeStartTimestamp", "2023-04-14T00:00:00Z", "timestamp"), 0),
    # NOT over a data column whose value lies strictly inside [min, max]: nothing may be dropped
    (("share1", "extra", "nodv"), NOT(cmp("equal", "value", "5", "int")), 1),
    (("share1", "default", "nohist"), NOT(cmp("equal", "value", "3", "int")), 2),
    (("share1", "extra", "covid"), NOT(cmp("equal", "cases", "100", "long")), 8),
    (("share1", "extra", "covid"), NOT(cmp("lessThan", "fips", "2000", "int")), 8),
]


@pytest.mark.parametrize("coords,pred,at_least", PREDICATE_CASES,
                         ids=["%s:%s" % (c[2], json.dumps(p)[:70]) for c, p, _ in PREDICATE_CASES])
@pytest.mark.parametrize("as_string", [True, False], ids=["string", "object"])
def test_json_predicate_hints(main, coords, pred, at_least, as_string):
    c = main.alice
    snap = snap_of(main, *coords)
    hint = json.dumps(pred) if as_string else pred
    q = c.query(*coords, body={"jsonPredicateHints": hint})
    inc, exc = expect.assert_predicate_result(q.files, snap, pred, "%s.%s.%s" % coords)
    assert len(inc) >= at_least, "test expectation: %d files must match, computed %d" % (at_least, len(inc))


def test_predicate_expectations_are_meaningful(main):
    """Self-check of the evaluator on known data (guards the test logic)."""
    snap = snap_of(main, "share1", "default", "partitioned")
    inc, exc = expect.partition_bounds(cmp("greaterThan", "month", "2", "int"), snap)
    assert sorted(e.partition_values["month"] for e in inc) == ["12", "12", "4"]
    assert sorted(e.partition_values["month"] for e in exc) == ["1", "2", "2"]
    snap = snap_of(main, "share1", "extra", "nodv")
    inc, exc = expect.partition_bounds(NOT(cmp("equal", "value", "5", "int")), snap)
    assert len(inc) == 1 and not exc
    inc, exc = expect.partition_bounds(cmp("equal", "value", "100", "int"), snap)
    assert not inc and not exc


INVALID_HINTS = [
    "{not json",
    "[]",
    json.dumps({"op": "frobnicate", "children": []}),
    json.dumps({"op": "equal", "children": [{"op": "column", "name": "year", "valueType": "string"}]}),
    json.dumps({"op": "equal", "children": [{"op": "column", "name": "year", "valueType": "int"},
                                            {"op": "literal", "value": "not-an-int", "valueType": "int"}]}),
    json.dumps({"op": "and", "children": []}),
    json.dumps({"op": "equal", "children": [{"op": "column", "name": "nosuchcolumn", "valueType": "string"},
                                            {"op": "literal", "value": "x", "valueType": "string"}]}),
    json.dumps({"op": "equal", "children": [{"op": "column", "name": "year", "valueType": "weird"},
                                            {"op": "literal", "value": "x", "valueType": "weird"}]}),
    "",
    "null",
]


@pytest.mark.parametrize("hint", INVALID_HINTS)
def test_invalid_predicate_means_no_filtering(main, hint):
    coords = ("share1", "default", "partitioned")
    q = main.alice.query(*coords, body={"jsonPredicateHints": hint})
    expect.assert_same_files(q.files, snap_of(main, *coords), "invalid hint %r" % hint)


def test_deeply_nested_predicate(main):
    coords = ("share1", "default", "partitioned")
    pred = cmp("equal", "year", "2021", "string")
    for _ in range(150):
        pred = NOT(NOT(pred))
    q = main.alice.query(*coords, body={"jsonPredicateHints": json.dumps(pred)})
    # too deep may mean "no filtering", never an error or a wrong drop
    expect.assert_predicate_result(q.files, snap_of(main, *coords), cmp("equal", "year", "2021", "string"),
                                   check_exclusions=False)


def test_sql_predicate_hints_accepted(main):
    coords = ("share1", "default", "partitioned")
    snap = snap_of(main, *coords)
    q = main.alice.query(*coords, body={"predicateHints": ["year = '2021'", "month > 1"]})
    # SQL hints are best effort (the reference ignores them by default): only never drop a match
    expect.assert_predicate_result(q.files, snap, AND(cmp("equal", "year", "2021", "string"),
                                                       cmp("greaterThan", "month", "1", "int")),
                                   check_exclusions=False)
    # unparsable SQL: ignored
    q = main.alice.query(*coords, body={"predicateHints": ["this is (not sql"]})
    expect.assert_same_files(q.files, snap)


# ---------------------------------------------------------------------------
# limitHint
# ---------------------------------------------------------------------------

@pytest.mark.parametrize("coords,limit", [
    (("share1", "extra", "prims"), 1), (("share1", "extra", "prims"), 3), (("share1", "extra", "prims"), 1000),
    (("share1", "extra", "covid"), 10), (("share1", "default", "simple"), 1),
    (("share1", "default", "partitioned"), 1),
])
def test_limit_hint(main, coords, limit):
    snap = snap_of(main, *coords)
    q = main.alice.query(*coords, body={"limitHint": limit})
    got = {expect.returned_key(f) for f in q.files}
    all_keys = {expect.expected_key(e) for e in snap.files}
    assert got <= all_keys
    if len(q.files) < len(snap.files):
        rows = sum(json.loads(f["stats"])["numRecords"] for f in q.files
                   if "stats" in f and "numRecords" in json.loads(f["stats"]))
        assert rows >= limit, "limitHint %d: returned files hold only %d rows by stats" % (limit, rows)


def test_limit_hint_with_predicate(main):
    coords = ("share1", "extra", "prims")
    pred = cmp("equal", "category", "B", "string")
    snap = snap_of(main, *coords)
    q = main.alice.query(*coords, body={"limitHint": 2, "jsonPredicateHints": json.dumps(pred)})
    inc, exc = expect.partition_bounds(pred, snap)
    got = [expect.returned_key(f) for f in q.files]
    assert not set(got) & {expect.expected_key(e) for e in exc}
    assert len(q.files) >= 2, "limitHint 2 after filtering needs 2 one-row files"


# ---------------------------------------------------------------------------
# Request bodies
# ---------------------------------------------------------------------------

def test_unknown_body_fields_ignored(main):
    coords = ("share1", "default", "simple")
    snap = snap_of(main, *coords)
    body = {"someFutureField": {"a": [1, 2, {"b": None}]}, "queryDeltaLog": True,
            "requested_columns": ["x"], "idempotency_key": "k", "x-y": 1.5}
    q = main.alice.query(*coords, body=body)
    expect.assert_same_files(q.files, snap)


@pytest.mark.parametrize("data", ["{", "[]", "\"text\"", "123", "null", "{\"limitHint\": }", "{}{}",
                                  "\xff\xfe", "{'single': 'quotes'}"])
def test_malformed_body(main, data):
    c = main.alice
    resp = c.query_raw("share1", "default", "simple", data=data.encode("latin-1"))
    c.parse_error(resp, 400, "MALFORMED_REQUEST")


def test_empty_body(main):
    """An empty body: treated as {} or refused as malformed, never a crash."""
    c = main.alice
    resp = c.query_raw("share1", "default", "simple", data=b"")
    if resp.status_code == 200:
        c.parse_query(resp)
    else:
        c.parse_error(resp, 400, "MALFORMED_REQUEST")


def test_oversized_body_is_413(main):
    c = main.alice
    big = json.dumps({"predicateHints": ["x = '%s'" % ("a" * 200000)]})
    resp = c.query_raw("share1", "default", "simple", data=big)
    assert resp.status_code == 413, "body of %d bytes over maxRequestBodyBytes=65536: got %d" % (
        len(big), resp.status_code)
    # and the server carries on
    assert c.query("share1", "default", "simple").files
    # a body just under the limit is fine
    ok = json.dumps({"predicateHints": ["x = '%s'" % ("a" * 60000)]})
    assert len(ok) < 65536
    c.query("share1", "default", "simple", body=json.loads(ok))


# ---------------------------------------------------------------------------
# Capabilities header
# ---------------------------------------------------------------------------

@pytest.mark.parametrize("caps", [
    None, "responseformat=parquet", "responseformat=delta,parquet", "ResponseFormat=PARQUET",
    "responseformat=parquet;readerfeatures=deletionvectors,columnmapping,timestampntz",
    "foo=bar;responseformat=parquet", "responseformat=parquet;",
])
def test_capabilities_answered_in_parquet(main, caps):
    coords = ("share1", "default", "simple")
    q = main.alice.query(*coords, capabilities=caps)
    assert q.format == "parquet", "a plain table must be answered in parquet when parquet is acceptable"
    expect.assert_same_files(q.files, snap_of(main, *coords))
    md = main.alice.metadata(*coords, capabilities=caps)
    assert md.format == "parquet"
    assert md.metadata["id"] == q.metadata["id"]


def test_end_stream_action_only_when_asked(main):
    coords = ("share1", "default", "simple")
    c = main.alice
    q = c.query(*coords)  # strict parse fails on an unrequested endStreamAction
    assert q.end_stream is None
    q = c.query(*coords, capabilities="responseformat=parquet;includeendstreamaction=true")
    expect.assert_same_files(q.files, snap_of(main, *coords))
    if q.end_stream is not None:
        if "minUrlExpirationTimestamp" in q.end_stream:
            assert q.end_stream["minUrlExpirationTimestamp"] == min(f["expirationTimestamp"] for f in q.files)
        assert not q.end_stream.get("errorMessage")


def test_metadata_and_query_agree(main):
    coords = ("share1", "default", "simple")
    c = main.alice
    md = c.metadata(*coords)
    q = c.query(*coords)
    assert md.metadata == q.metadata
    assert md.version == q.version == c.table_version(*coords)


# ---------------------------------------------------------------------------
# Time travel (copy of simple_table, commit N at 2021-01-01 + N days)
# ---------------------------------------------------------------------------

TT = ("share1", "tt", "simple_tt")


def iso(epoch_s, fmt="%Y-%m-%dT%H:%M:%SZ"):
    return datetime.datetime.fromtimestamp(epoch_s, datetime.timezone.utc).strftime(fmt)


def commit_ts(v):
    return TT_FIRST_EPOCH + v * TT_STEP


def tt_delta(main):
    return main.table(*TT).delta


def test_time_travel_fixture_dates(main):
    d = tt_delta(main)
    assert d.latest_version == 4
    for v in d.commit_versions:
        assert d.commit_timestamp_ms(v) == commit_ts(v) * 1000


@pytest.mark.parametrize("v", range(5))
def test_query_by_version(main, v):
    c = main.alice
    snap = tt_delta(main).snapshot(v)
    q = c.query(*TT, body={"version": v})
    assert q.version == v
    expect.assert_same_files(q.files, snap, "version %d" % v)
    md = c.metadata(*TT, version=v)
    assert md.version == v
    expect.assert_metadata_matches(md.metadata, snap)


@pytest.mark.parametrize("v,offset_s,fmt", [
    (0, 0, "%Y-%m-%dT%H:%M:%SZ"),
    (0, 3600, "%Y-%m-%dT%H:%M:%SZ"),
    (2, 0, "%Y-%m-%dT%H:%M:%SZ"),
    (2, 86399, "%Y-%m-%dT%H:%M:%SZ"),
    (3, 1, "%Y-%m-%dT%H:%M:%S.000Z"),
    (4, 0, "%Y-%m-%dT%H:%M:%SZ"),
])
def test_query_by_timestamp(main, v, offset_s, fmt):
    """timestamp T → the latest version committed at or before T."""
    c = main.alice
    ts = iso(commit_ts(v) + offset_s, fmt)
    q = c.query(*TT, body={"timestamp": ts})
    assert q.version == v, "timestamp %s should resolve to version %d, got %d" % (ts, v, q.version)
    expect.assert_same_files(q.files, tt_delta(main).snapshot(v), "timestamp %s" % ts)
    md = c.metadata(*TT, timestamp=ts)
    assert md.version == v


def test_timestamp_with_offset(main):
    c = main.alice
    # 2021-01-03T02:00:00+02:00 == 2021-01-03T00:00:00Z == commit 2
    q = c.query(*TT, body={"timestamp": "2021-01-03T02:00:00+02:00"})
    assert q.version == 2
    # 2021-01-02T23:00:00-02:00 == 2021-01-03T01:00:00Z → still version 2
    q = c.query(*TT, body={"timestamp": "2021-01-02T23:00:00-02:00"})
    assert q.version == 2
    # one second before commit 2 (with an offset) → version 1
    q = c.query(*TT, body={"timestamp": "2021-01-03T01:59:59+02:00"})
    assert q.version == 1


@pytest.mark.parametrize("ts,expected", [
    ("2020-06-01T00:00:00Z", 0),            # before version 0 → 0
    ("2021-01-01T00:00:00Z", 0),
    ("2021-01-01T00:00:01Z", 1),            # first version at or after
    ("2021-01-02T00:00:00Z", 1),
    ("2021-01-04T12:00:00Z", 4),
    ("2021-01-05T00:00:00Z", 4),
    ("2021-01-03T01:00:00+02:00", 2),       # 2021-01-02T23:00Z
])
def test_version_with_starting_timestamp(main, ts, expected):
    assert main.alice.table_version(*TT, starting_timestamp=ts) == expected


def test_version_without_starting_timestamp(main):
    assert main.alice.table_version(*TT) == 4


TT_ERRORS = [
    ("query", {"version": 5}),                       # beyond latest
    ("query", {"version": 99999}),
    ("query", {"version": -1}),
    ("query", {"version": 1, "timestamp": "2021-01-02T00:00:00Z"}),
    ("query", {"timestamp": "2020-12-31T23:59:59Z"}),  # before the first commit
    ("query", {"timestamp": "2021-01-06T00:00:00Z"}),  # after the latest commit
    ("query", {"timestamp": "not a timestamp"}),
    ("query", {"timestamp": "2021-13-45T00:00:00Z"}),
    ("metadata", {"version": "5"}),
    ("metadata", {"version": "-1"}),
    ("metadata", {"version": "abc"}),
    ("metadata", {"version": "1", "timestamp": "2021-01-02T00:00:00Z"}),
    ("metadata", {"timestamp": "2020-12-31T00:00:00Z"}),
    ("metadata", {"timestamp": "9999-01-01T00:00:00Z"}),
    ("metadata", {"timestamp": "yesterday"}),
    ("version", {"startingTimestamp": "abc"}),
    ("version", {"startingTimestamp": "2021-01-05T00:00:01Z"}),   # after the latest commit
    ("version", {"startingTimestamp": "9999-01-01T00:00:00-08:00"}),
]


def _tt_request(c, coords, kind, params):
    if kind == "query":
        return c.query_raw(*coords, body=params)
    path = c.table_path(*coords) + ("/metadata" if kind == "metadata" else "/version")
    return c.raw("GET", path, params=params)


@pytest.mark.parametrize("kind,params", TT_ERRORS, ids=["%s-%s" % (k, json.dumps(p)) for k, p in TT_ERRORS])
def test_time_travel_errors(main, kind, params):
    c = main.alice
    c.parse_error(_tt_request(c, TT, kind, params), 400, "INVALID_PARAMETER_VALUE")


def test_date_only_timestamp(main):
    """'2021-01-02' is not the protocol's timestamp form (the reference refuses
    it); a lenient server must at least read it as midnight UTC."""
    c = main.alice
    resp = c.query_raw(*TT, body={"timestamp": "2021-01-02"})
    if resp.status_code == 200:
        assert c.parse_query(resp, time_travel=True).version == 1
    else:
        c.parse_error(resp, 400, "INVALID_PARAMETER_VALUE")


@pytest.mark.parametrize("kind,params", [
    ("query", {"version": 1}), ("query", {"version": 4}), ("query", {"timestamp": "2021-01-03T00:00:00Z"}),
    ("metadata", {"version": "1"}), ("metadata", {"timestamp": "2021-01-03T00:00:00Z"}),
    ("version", {"startingTimestamp": "2021-01-03T00:00:00Z"}),
])
def test_time_travel_needs_history_shared(main, kind, params):
    c = main.alice
    err = c.parse_error(_tt_request(c, ("share1", "tt", "tt_nohist"), kind, params), 400,
                        "INVALID_PARAMETER_VALUE")
    # the same table without time travel works
    assert c.query("share1", "tt", "tt_nohist").version == 4


def test_start_version(main):
    c = main.alice
    coords = ("share1", "tt", "tt_start")
    for v in (0, 1):
        c.parse_error(c.query_raw(*coords, body={"version": v}), 400, "INVALID_PARAMETER_VALUE")
        c.parse_error(c.metadata_raw(*coords, version=v), 400, "INVALID_PARAMETER_VALUE")
    c.parse_error(c.query_raw(*coords, body={"timestamp": "2021-01-02T12:00:00Z"}), 400, "INVALID_PARAMETER_VALUE")
    for v in (2, 3, 4):
        q = c.query(*coords, body={"version": v})
        assert q.version == v
        expect.assert_same_files(q.files, tt_delta(main).snapshot(v))
    assert c.query(*coords).version == 4


def test_time_travel_file_fields(main):
    """version/timestamp on file lines: only on time-travel queries (checked by the
    strict parser); when present on a time-travel answer they are ints."""
    c = main.alice
    q = c.query(*TT, body={"version": 2})
    for f in q.files:
        if "version" in f:
            assert 0 <= f["version"] <= 2
    q = c.query(*TT)
    for f in q.files:
        assert "version" not in f and "timestamp" not in f


def test_file_ids_are_stable(main):
    """A file keeps its id across requests and across versions."""
    c = main.alice
    a = {expect.returned_key(f): f["id"] for f in c.query(*TT).files}
    b = {expect.returned_key(f): f["id"] for f in c.query(*TT).files}
    assert a == b
    v3 = {expect.returned_key(f): f["id"] for f in c.query(*TT, body={"version": 3}).files}
    common = set(a) & set(v3)
    assert common, "versions 3 and 4 of simple_table share files"
    for k in common:
        assert a[k] == v3[k], "file id changed between versions"


# ---------------------------------------------------------------------------
# In-commit timestamps (copy of cdc_ict_table: ICT of commit N = 2022-01-01 + N days,
# file modification times 2030-01-01 + N days, which must not be used)
# ---------------------------------------------------------------------------

ICT = ("share1", "tt", "ict_tt")


def test_ict_fixture(main):
    d = main.table(*ICT).delta
    for v in d.commit_versions:
        assert d.commit_timestamp_ms(v) == (ICT_FIRST_EPOCH + v * TT_STEP) * 1000


@pytest.mark.parametrize("ts,expected", [
    ("2022-01-01T00:00:00Z", 0), ("2022-01-02T12:00:00Z", 1), ("2022-01-03T00:00:00Z", 2),
    ("2022-01-04T00:00:00Z", 3),
])
def test_ict_time_travel(main, ts, expected):
    c = main.alice
    q = c.query(*ICT, body={"timestamp": ts})
    assert q.version == expected, "timestamp %s: in-commit timestamps say version %d, got %d" % (
        ts, expected, q.version)
    expect.assert_same_files(q.files, main.table(*ICT).delta.snapshot(expected))


@pytest.mark.parametrize("ts,expected", [
    ("2021-06-01T00:00:00Z", 0), ("2022-01-02T12:00:00Z", 2), ("2022-01-04T00:00:00Z", 3),
])
def test_ict_starting_timestamp(main, ts, expected):
    assert main.alice.table_version(*ICT, starting_timestamp=ts) == expected


def test_ict_ignores_file_times(main):
    c = main.alice
    c.parse_error(c.query_raw(*ICT, body={"timestamp": "2030-01-02T00:00:00Z"}), 400, "INVALID_PARAMETER_VALUE")


ODD_BODIES = [
    {"version": "1"}, {"version": 1.5}, {"version": True}, {"version": None},
    {"version": 9223372036854775808}, {"version": -9223372036854775809},
    {"timestamp": 123}, {"timestamp": None}, {"timestamp": ""},
    {"limitHint": "x"}, {"limitHint": -1}, {"limitHint": 1.5}, {"limitHint": 99999999999999999999},
    {"predicateHints": "notalist"}, {"predicateHints": [1, 2]}, {"predicateHints": None},
    {"jsonPredicateHints": 5}, {"jsonPredicateHints": []}, {"jsonPredicateHints": None},
    {"startingVersion": "x"}, {"maxFiles": -1}, {"pageToken": 5},
]


@pytest.mark.parametrize("body", ODD_BODIES, ids=[json.dumps(b) for b in ODD_BODIES])
def test_odd_body_values(main, body):
    """Wrongly typed fields: a 200 (field ignored) or a 400, never a 5xx; a
    200 must still be a correct answer."""
    c = main.alice
    resp = c.query_raw(*TT, body=body)
    if resp.status_code == 200:
        q = c.parse_query(resp, time_travel=True)
        snap = tt_delta(main).snapshot(q.version)
        got = {expect.returned_key(f) for f in q.files}
        assert got <= {expect.expected_key(e) for e in snap.files}
    else:
        c.parse_error(resp, 400, ("INVALID_PARAMETER_VALUE", "MALFORMED_REQUEST"))
    assert c.table_version(*TT) == 4
