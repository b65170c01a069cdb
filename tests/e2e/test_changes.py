"""Change data feed: GET …/tables/{t}/changes.

Every answer is compared with an independent reading of the Delta log
(delta_log.expected_changes): per version the same add/cdf/remove lines
(kind, file id, size, partition values, timestamp, add stats) and the same
historical metaData lines; line 1/2 are the protocol and metaData at the
start version; Delta-Table-Version is the start version.

- Every version range [s, e] (and [s, latest] without an end) of the real
  CDF tables on the main server, parquet and delta formats, with and without
  includeHistoricalMetadata; the table with deletion vectors only in the
  delta format with readerfeatures=deletionvectors (refused otherwise).
- Every range by timestamp bounds (exact commit times, times between
  commits, before the first commit; offsets) on copies with controlled commit
  times: file modification times with sub-millisecond parts, all equal
  (made strictly increasing), going backwards, or in-commit timestamps.
- Tables built by appending commits: metaData changes (historical metadata),
  no-op MERGE skipped, MERGE with changes or incomplete metrics kept,
  dataChange=false skipped, cdc preferred over add/remove; CDF switched off
  and on again ("change data was not recorded for version N"); deletion
  vectors appearing later in the range.
- Paging (maxFiles/pageToken): pages together are exactly the unpaged lines;
  endStreamAction only when asked; tampered/foreign/rebound page tokens are
  400; a commit between pages does not change the walk.
- Downloads: cdf URLs give the bytes of the _change_data files, add/remove
  URLs and deletion vector URLs those of their files.
- Every error case of the contract (400 with a JSON error).
"""

import datetime
import hashlib
import os

import pytest
import requests

import change_tables
import expect
from change_tables import BASE_MS, STEP_MS, commit_time_ms
from delta_log import ChangesRefused, DeltaTable, TimestampOutOfRange, dv_file_path, expected_changes
from expect import all_ranges, iso_ms, tamper_token as tamper
from strict_client import requested_formats

DV_CAPS = "responseformat=delta;readerfeatures=deletionvectors"
CAPS = {"parquet": None, "delta": "responseformat=delta", "delta-dv": DV_CAPS}
INVALID = "INVALID_PARAMETER_VALUE"

REAL_TABLES = [
    ("cdf-table", ("parquet", "delta")),
    ("cdf-table-non-partitioned", ("parquet", "delta")),
    ("simple_table_with_cdc", ("parquet", "delta")),
    ("cdc_ict_table", ("parquet", "delta")),
    ("cdf-table-with-cdc-and-dvs", ("delta-dv",)),
]
REAL_CASES = [(d, f) for d, fmts in REAL_TABLES for f in fmts]


def hist_param(flag, i):
    """includeHistoricalMetadata spelled as Python (True/False) or in lower
    case, or left out when false."""
    if not flag and i % 3 == 2:
        return []
    text = "true" if flag else "false"
    return [("includeHistoricalMetadata", text.capitalize() if (i // 2) % 2 else text)]


def check_changes(c, coords, table, params, start, end, caps, hist, context, headers=None):
    """GETs /changes and compares the answer with the log; returns it."""
    r = c.changes(*coords, params=params, capabilities=caps, headers=headers)
    want = "parquet" if "parquet" in requested_formats(caps) else "delta"
    assert r.format == want, "%s: answered in %s, expected %s" % (context, r.format, want)
    expect.assert_change_head(r, table, start, context)
    exp = expected_changes(table, start, end, "cdf", hist)
    expect.assert_changes_match(r.entries, exp, r.format, expect.id_scheme(r), context)
    return r


def hist_flags(table, i):
    """includeHistoricalMetadata values to try for the i-th range: both when
    the table's metaData changes after version 0 (the flag changes the
    answer), else one per range, alternating."""
    if any(table.commit(v).metadata is not None for v in table.commit_versions[1:]):
        return (False, True)
    return (i % 2 == 1,)


def check_all(c, coords, table, items, caps, label):
    """check_changes for every (params, start, end, hist) item, in parallel."""
    def one(client, item):
        params, s, end, hist = item
        check_changes(client, coords, table, params, s, end, caps, hist, "%s %r" % (label, params))
    c.map_parallel(one, items)


def range_params(s, e):
    p = [("startingVersion", s)]
    if e is not None:
        p.append(("endingVersion", e))
    return p


# ---------------------------------------------------------------------------
# Every version range of the real CDF tables (main server)
# ---------------------------------------------------------------------------

@pytest.mark.parametrize("dirname,fmt", REAL_CASES, ids=["%s-%s" % c for c in REAL_CASES])
def test_every_range_by_version(main, dirname, fmt):
    ref = main.all_share_table(dirname)
    table = ref.delta
    items = []
    for i, (s, e) in enumerate(all_ranges(table)):
        end = table.latest_version if e is None else e
        for hist in hist_flags(table, i):
            items.append((range_params(s, e) + hist_param(hist, i), s, end, hist))
    check_all(main.alice, ref.coords, table, items, CAPS[fmt], "%s %s" % (dirname, fmt))


@pytest.mark.parametrize("caps", [None, "responseformat=parquet", "responseformat=delta",
                                  "responseformat=delta;readerfeatures=columnmapping"])
def test_dv_table_needs_delta_with_deletion_vectors(main, caps):
    """cdf-table-with-cdc-and-dvs has deletion vectors enabled from version
    0: refused in the parquet format and without readerfeatures=deletionvectors."""
    c = main.alice
    ref = main.all_share_table("cdf-table-with-cdc-and-dvs")
    for s in (0, 1, 2, 9, 25):
        for e in (None, s):
            c.parse_error(c.changes_raw(*ref.coords, params=range_params(s, e), capabilities=caps), 400)


def test_python_style_request(main):
    """What the Python client sends: only the parameters it has, the start
    as startingVersion, and responseformat=delta,parquet is answered in parquet
    for a plain table."""
    c = main.alice
    ref = main.all_share_table("cdf-table")
    r = check_changes(c, ref.coords, ref.delta, [("startingVersion", 0)], 0, ref.delta.latest_version,
                      None, False, "python style")
    assert r.version == 0
    r = c.changes(*ref.coords, params={"startingVersion": 1, "endingVersion": 2},
                  capabilities="responseformat=delta,parquet")
    assert r.format == "parquet"


# ---------------------------------------------------------------------------
# Every range by timestamp bounds (copies with controlled commit times)
# ---------------------------------------------------------------------------

TIMED = [("cdf", "parquet"), ("cdf_np", "delta"), ("cdc_simple", "parquet"), ("ict", "parquet"),
         ("ict", "delta"), ("dvs", "delta-dv"), ("same_mtime", "parquet"), ("backwards", "delta"),
         ("evolving", "parquet"), ("evolving", "delta")]


def start_bound(table, s, variant):
    """Parameters naming start version s: its exact commit time, a time just
    after the previous commit (or before the first one), or the version."""
    tl = table.change_timestamps()
    if variant == 0:
        return [("startingTimestamp", iso_ms(tl[s]))]
    if variant == 1:
        return [("startingTimestamp", iso_ms(tl[s - 1] + 1 if s > 0 else tl[0] - 86400000))]
    return [("startingVersion", s)]


def end_bound(table, e, variant):
    """Parameters naming end version e: its exact commit time, a time just
    before the next commit (no bound for the latest), or the version."""
    tl = table.change_timestamps()
    if variant == 0:
        return [("endingTimestamp", iso_ms(tl[e]))]
    if variant == 1:
        return [("endingTimestamp", iso_ms(tl[e + 1] - 1))] if e < table.latest_version else []
    return [("endingVersion", e)]


def resolve(table, params):
    """(start, end) the parameters name, per the log's commit times."""
    p = dict(params)
    s = p.get("startingVersion")
    if "startingTimestamp" in p:
        s = table.version_at_or_after(expect.parse_iso_ms(p["startingTimestamp"]))
    e = p.get("endingVersion", table.latest_version)
    if "endingTimestamp" in p:
        e = table.version_at_or_before(expect.parse_iso_ms(p["endingTimestamp"]))
    return s, e


@pytest.mark.parametrize("name,fmt", TIMED, ids=["%s-%s" % t for t in TIMED])
def test_every_range_by_timestamp(changes_server, name, fmt):
    table = changes_server.delta(name)
    vs = table.commit_versions
    items = []
    for s in vs:
        for e in vs[s:]:
            # the kinds of bounds rotate from range to range
            i = len(items)
            sv, ev = i % 3, (i // 3) % 3
            params = start_bound(table, s, sv) + end_bound(table, e, ev)
            if sv == 2 and ev == 2:
                params = start_bound(table, s, 0) + end_bound(table, e, 0)
            assert resolve(table, params) == (s, e), "test setup: %r does not name [%d, %d]" % (params, s, e)
            for hist in hist_flags(table, i):
                items.append((params + hist_param(hist, i), s, e, hist))
    check_all(changes_server.client, changes_server.coords(name), table, items, CAPS[fmt], name)


def test_commit_timestamps_in_lines(changes_server):
    """The timestamp of every line is the commit time as the Delta protocol
    defines it: file modification times truncated to milliseconds, made
    strictly increasing; in-commit timestamps when enabled."""
    c = changes_server.client
    cases = {
        "cdf": [commit_time_ms(v) for v in range(4)],
        "same_mtime": [BASE_MS + v for v in range(5)],
        "backwards": [BASE_MS + 3 * STEP_MS + v for v in range(4)],
        "ict": [BASE_MS + v * STEP_MS for v in range(4)],
    }
    for name, times in cases.items():
        assert changes_server.delta(name).change_timestamps() == dict(enumerate(times)), "test setup: " + name
        r = c.changes(*changes_server.coords(name), params={"startingVersion": 0})
        assert r.files
        for e in r.files:
            assert e["timestamp"] == times[e["version"]], "%s: v%d timestamp %d, expected %d" % (
                name, e["version"], e["timestamp"], times[e["version"]])


@pytest.mark.parametrize("name", ["cdf", "same_mtime", "ict"])
def test_timestamps_with_offsets(changes_server, name):
    """A bound given with a UTC offset names the same instant as with Z."""
    c = changes_server.client
    table = changes_server.delta(name)
    tl = table.change_timestamps()
    tz = datetime.timezone(datetime.timedelta(hours=5, minutes=30))
    for s in table.commit_versions:
        for e in table.commit_versions[s:]:
            def fmt(ms):
                d = datetime.datetime.fromtimestamp(ms / 1000.0, tz=tz)
                return d.strftime("%Y-%m-%dT%H:%M:%S.") + "%03d+05:30" % (ms % 1000)
            params = {"startingTimestamp": fmt(tl[s]), "endingTimestamp": fmt(tl[e])}
            check_changes(c, changes_server.coords(name), table, params, s, e, None, False,
                          "%s %r" % (name, params))


def test_timestamp_edges(changes_server):
    c = changes_server.client
    coords = changes_server.coords("cdf")
    table = changes_server.delta("cdf")
    tl = table.change_timestamps()
    latest = table.latest_version
    # before the first commit: the start is version 0
    check_changes(c, coords, table, {"startingTimestamp": "2000-01-01T00:00:00Z"}, 0, latest, None, False,
                  "start before the first commit")
    # after the last commit: no version qualifies
    with pytest.raises(TimestampOutOfRange):
        table.version_at_or_after(tl[latest] + 1)
    for ts in (iso_ms(tl[latest] + 1), "2100-01-01T00:00:00Z"):
        c.parse_error(c.changes_raw(*coords, params={"startingTimestamp": ts}), 400, INVALID)
    # an ending time before the first commit
    c.parse_error(c.changes_raw(*coords, params={"startingVersion": 0, "endingTimestamp": iso_ms(tl[0] - 1)}),
                  400, INVALID)
    # both bounds at one time strictly between commits 1 and 2: start 2 > end 1
    mid = iso_ms(tl[1] + 1)
    assert resolve(table, [("startingTimestamp", mid), ("endingTimestamp", mid)]) == (2, 1)
    c.parse_error(c.changes_raw(*coords, params={"startingTimestamp": mid, "endingTimestamp": mid}), 400, INVALID)
    # an ending time after the last commit: the reference refuses it, "the
    # last version at or before it" would be the latest; either way no 5xx
    resp = c.changes_raw(*coords, params={"startingVersion": 1, "endingTimestamp": "2100-01-01T00:00:00Z"})
    if resp.status_code == 200:
        r = c.parse_changes(resp)
        expect.assert_changes_match(r.entries, expected_changes(table, 1, latest), r.format, "parquet")
    else:
        c.parse_error(resp, 400, INVALID)


# ---------------------------------------------------------------------------
# Tables built here: historical metadata, MERGE, dataChange, CDF toggling
# ---------------------------------------------------------------------------

@pytest.mark.parametrize("fmt", ["parquet", "delta"])
def test_evolving_every_range(changes_server, fmt):
    table = changes_server.delta("evolving")
    items = []
    for i, (s, e) in enumerate(all_ranges(table)):
        end = table.latest_version if e is None else e
        for hist in (False, True):
            items.append((range_params(s, e) + hist_param(hist, i), s, end, hist))
    check_all(changes_server.client, changes_server.coords("evolving"), table, items, CAPS[fmt], "evolving " + fmt)


def test_evolving_rules(changes_server):
    """The rules spelled out on the built table (guards the independent
    reading as much as the server)."""
    c = changes_server.client
    r = c.changes(*changes_server.coords("evolving"), params={"startingVersion": 4, "includeHistoricalMetadata": "true"})
    by_version = {}
    for e in r.entries:
        by_version.setdefault(e["version"], []).append(e["kind"])
    assert by_version.get(5) == ["metaData"], "a metaData change after the start is a metaData line"
    assert sorted(by_version.get(6)) == ["add"]
    assert 7 not in by_version, "a MERGE whose metrics say no row changed gives nothing"
    assert sorted(by_version.get(8)) == ["add", "remove"], "a MERGE that changed rows gives its add/remove"
    assert 9 not in by_version, "dataChange=false actions give nothing"
    assert by_version.get(10) == ["metaData", "cdf"], "cdc actions only (after the metaData line)"
    assert by_version.get(11) == ["add"], "a MERGE with incomplete metrics is not skipped"
    assert by_version.get(12) == ["cdf"], "a MERGE with cdc actions gives them"
    assert by_version.get(13) == ["metaData"]
    assert [e["metadata"].get("description") for e in r.entries if e["kind"] == "metaData"] == \
        ["evolved at 5", "evolved at 10", "evolved at 13"]
    # line 2 is the metaData of the start version
    r = c.changes(*changes_server.coords("evolving"), params={"startingVersion": 10, "endingVersion": 12})
    assert r.metadata.get("description") == "evolved at 10"
    assert not [e for e in r.entries if e["kind"] == "metaData"]


@pytest.mark.parametrize("spelling,flag", [("true", True), ("True", True), ("false", False),
                                           ("False", False), (None, False)])
def test_historical_metadata_spellings(changes_server, spelling, flag):
    c = changes_server.client
    table = changes_server.delta("evolving")
    params = [("startingVersion", 4)] + ([("includeHistoricalMetadata", spelling)] if spelling else [])
    r = check_changes(c, changes_server.coords("evolving"), table, params, 4, table.latest_version, None, flag,
                      "includeHistoricalMetadata=%s" % spelling)
    assert bool([e for e in r.entries if e["kind"] == "metaData"]) == flag


@pytest.mark.parametrize("fmt", ["parquet", "delta"])
def test_cdf_switched_off_and_on(changes_server, fmt):
    """toggle: CDF off at 5, a write at 6, on again at 7. A range is served
    iff CDF is on at its start and no metaData in it turns CDF off."""
    c = changes_server.client
    table = changes_server.delta("toggle")
    served = refused = 0
    for i, (s, e) in enumerate(all_ranges(table)):
        end = table.latest_version if e is None else e
        ctx = "toggle [%s, %s] %s" % (s, e, fmt)
        try:
            expected_changes(table, s, end, "cdf", True)
        except ChangesRefused as ex:
            refused += 1
            err = c.parse_error(c.changes_raw(*changes_server.coords("toggle"), params=range_params(s, e),
                                              capabilities=CAPS[fmt]), 400, INVALID)
            want = "change data was not recorded for version %d" % ex.version
            assert want in err.message, "%s: message %r should say %r" % (ctx, err.message, want)
            continue
        served += 1
        check_changes(c, changes_server.coords("toggle"), table, range_params(s, e) + hist_param(True, i),
                      s, end, CAPS[fmt], True, ctx)
    assert served and refused


def test_not_cdf_tables(main):
    """History-shared tables without CDF: every start version is refused."""
    c = main.alice
    for dirname in ("simple_table", "delta-0.8.0-partitioned"):
        ref = main.all_share_table(dirname)
        for s in ref.delta.commit_versions:
            err = c.parse_error(c.changes_raw(*ref.coords, params={"startingVersion": s}), 400, INVALID)
            assert "change data was not recorded for version %d" % s in err.message, err


def test_not_history_shared(main, changes_server):
    for client, coords in ((main.alice, ("share1", "default", "nohist")),
                           (main.alice, ("share1", "tt", "tt_nohist")),
                           (changes_server.client, changes_server.coords("cdf_nohist"))):
        for params in ({"startingVersion": 0}, {"startingVersion": 0, "endingVersion": 0},
                       {"startingTimestamp": "2000-01-01T00:00:00Z"}):
            err = client.parse_error(client.changes_raw(*coords, params=params), 400, INVALID)
            want = "cdf is not enabled on table %s.%s.%s" % coords
            assert want in err.message, "message %r should say %r" % (err.message, want)


# ---------------------------------------------------------------------------
# Deletion vectors appearing later in the range
# ---------------------------------------------------------------------------

def test_late_deletion_vectors_served(changes_server):
    """late_dv: plain until 4, deletion vectors enabled at 5 (reader 3), a
    file with an on-disk DV at 6. Every range is served in the delta format
    with readerfeatures=deletionvectors; ranges before 5 in any format."""
    c = changes_server.client
    coords = changes_server.coords("late_dv")
    table = changes_server.delta("late_dv")
    for s, e in all_ranges(table):
        end = table.latest_version if e is None else e
        ctx = "late_dv [%s, %s]" % (s, e)
        check_changes(c, coords, table, range_params(s, e), s, end, DV_CAPS, False, ctx + " delta+dv")
        if end <= 4:
            check_changes(c, coords, table, range_params(s, e), s, end, None, False, ctx + " parquet")
            check_changes(c, coords, table, range_params(s, e), s, end, "responseformat=delta", False, ctx + " delta")


@pytest.mark.parametrize("caps", [None, "responseformat=parquet", "responseformat=delta,parquet",
                                  "responseformat=delta", "responseformat=delta;readerfeatures=columnmapping"])
def test_late_deletion_vectors_refused(changes_server, caps):
    """Ranges holding the DV file (or starting where DVs are enabled) are
    refused in the parquet format and in the delta format without
    readerfeatures=deletionvectors."""
    c = changes_server.client
    coords = changes_server.coords("late_dv")
    for s, e in all_ranges(changes_server.delta("late_dv")):
        end = 7 if e is None else e
        if end >= 6 or s >= 5:
            c.parse_error(c.changes_raw(*coords, params=range_params(s, e), capabilities=caps), 400)


def test_late_deletion_vector_download(changes_server):
    c = changes_server.client
    table = changes_server.delta("late_dv")
    r = c.changes(*changes_server.coords("late_dv"), params={"startingVersion": 6, "endingVersion": 6},
                  capabilities=DV_CAPS)
    dvs = [e for e in r.files if "deletionVector" in e["action"]]
    assert len(dvs) == 1
    log_dv = [a for k, a in table.commit(6).file_actions if k == "add"][0]["deletionVector"]
    with open(dv_file_path(table.table_dir, log_dv), "rb") as fh:
        want = fh.read()
    assert expect.download_bytes(dvs[0]["action"]["deletionVector"]["pathOrInlineDv"]) == want


@pytest.mark.parametrize("fmt", ["parquet", "delta"])
def test_remove_without_size(changes_server, fmt):
    """unsized@5 removes a file without recording its size: the line's size
    is the file's (parquet: required; delta: the true size or left out),
    and its URL downloads that many bytes."""
    c = changes_server.client
    table = changes_server.delta("unsized")
    r = check_changes(c, changes_server.coords("unsized"), table, {"startingVersion": 4}, 4, 5, CAPS[fmt], False,
                      "unsized " + fmt)
    removes = [e for e in r.files if e["kind"] == "remove"]
    assert len(removes) == 1
    data = expect.download_bytes(removes[0]["url"])
    assert removes[0]["size"] in ((len(data), None) if fmt == "delta" else (len(data),))


# ---------------------------------------------------------------------------
# Errors
# ---------------------------------------------------------------------------

# On the copy of cdf-table (versions 0-3).
BAD_PARAMS = [
    {},
    {"endingVersion": 2},
    {"endingTimestamp": "2030-01-01T00:00:00Z"},
    {"includeHistoricalMetadata": "true"},
    {"startingVersion": 0, "startingTimestamp": "2000-01-01T00:00:00Z"},
    {"startingVersion": 0, "endingVersion": 1, "endingTimestamp": "2030-01-01T00:00:00Z"},
    {"startingVersion": 4},
    {"startingVersion": 1000000},
    {"startingVersion": 0, "endingVersion": 4},
    {"startingVersion": 2, "endingVersion": 1},
    {"startingVersion": 3, "endingVersion": 0},
    {"startingVersion": -1},
    {"startingVersion": "abc"},
    {"startingVersion": "1.5"},
    {"startingVersion": ""},
    {"startingVersion": "99999999999999999999999"},
    {"startingVersion": 0, "endingVersion": -1},
    {"startingVersion": 0, "endingVersion": "x"},
    {"startingTimestamp": "not-a-timestamp"},
    {"startingTimestamp": ""},
    {"startingTimestamp": "2023-13-01T00:00:00Z"},
    {"startingTimestamp": "2023-02-30T00:00:00Z"},
    {"startingTimestamp": "2023-01-01T25:00:00Z"},
    {"startingTimestamp": "2023-01-01T00:00:00"},
    {"startingTimestamp": "2023-01-01T00:00:00+25:00"},
    {"startingTimestamp": "1672531200000"},
    {"startingVersion": 0, "endingTimestamp": "yesterday"},
    {"startingVersion": 0, "endingTimestamp": "2023-01-01T00:00:00Zjunk"},
    {"startingVersion": 0, "includeHistoricalMetadata": "yes"},
    {"startingVersion": 0, "includeHistoricalMetadata": "1"},
    {"startingVersion": 0, "includeHistoricalMetadata": "tru"},
    {"startingVersion": 0, "maxFiles": 0},
    {"startingVersion": 0, "maxFiles": -1},
    {"startingVersion": 0, "maxFiles": "many"},
]


@pytest.mark.parametrize("params", BAD_PARAMS, ids=[repr(p) for p in BAD_PARAMS])
@pytest.mark.parametrize("caps", [None, "responseformat=delta"])
def test_bad_parameters(changes_server, params, caps):
    c = changes_server.client
    c.parse_error(c.changes_raw(*changes_server.coords("cdf"), params=params, capabilities=caps), 400, INVALID)


def test_start_version_of_the_share(changes_server):
    """cdf_sv2 shares the cdf copy with startVersion 2: earlier starts are
    400, by version or by timestamp."""
    c = changes_server.client
    coords = changes_server.coords("cdf_sv2")
    table = changes_server.delta("cdf")
    tl = table.change_timestamps()
    for params in ({"startingVersion": 0}, {"startingVersion": 1}, {"startingVersion": 1, "endingVersion": 3},
                   {"startingTimestamp": iso_ms(tl[1])}, {"startingTimestamp": "2000-01-01T00:00:00Z"}):
        c.parse_error(c.changes_raw(*coords, params=params), 400, INVALID)
    for params, s in (({"startingVersion": 2}, 2), ({"startingTimestamp": iso_ms(tl[1] + 1)}, 2),
                      ({"startingVersion": 3}, 3)):
        check_changes(c, coords, table, params, s, 3, None, False, "startVersion 2: %r" % params)


def test_unknown_table_and_auth(main):
    c = main.alice
    c.parse_error(c.changes_raw("all", "delta", "no_such_table", params={"startingVersion": 0}), 404)
    resp = main.anonymous.changes_raw(*main.all_share_table("cdf-table").coords, params={"startingVersion": 0})
    assert resp.status_code == 401
    resp = main.bob.changes_raw(*main.all_share_table("cdf-table").coords, params={"startingVersion": 0})
    main.bob.parse_error(resp, 404)


def test_file_id_hash_header(changes_server):
    """fileidhash picks the file-id scheme in both formats; invalid is 400."""
    c = changes_server.client
    table = changes_server.delta("cdf")
    for caps in (None, "responseformat=delta"):
        for h in ("parquet", "delta", "DELTA"):
            r = check_changes(c, changes_server.coords("cdf"), table, {"startingVersion": 0}, 0, 3, caps, False,
                              "fileidhash %s %s" % (h, caps), headers={"fileidhash": h})
            assert len(r.files[0]["id"]) == (32 if h == "parquet" else 64)
        c.parse_error(c.changes_raw(*changes_server.coords("cdf"), params={"startingVersion": 0}, capabilities=caps,
                                    headers={"fileidhash": "sha1"}), 400)


# ---------------------------------------------------------------------------
# Downloads
# ---------------------------------------------------------------------------

def _local(table, path):
    return os.path.join(table.table_dir, path)


def _sha(path):
    with open(path, "rb") as fh:
        return hashlib.sha256(fh.read()).hexdigest()


@pytest.mark.parametrize("dirname,fmt", [("cdf-table", "parquet"), ("cdf-table-non-partitioned", "delta"),
                                         ("cdf-table-with-cdc-and-dvs", "delta-dv"),
                                         ("simple_table_with_cdc", "parquet")])
def test_downloads(main, dirname, fmt):
    """Every cdf URL downloads to the bytes of its _change_data file, and
    a few add/remove URLs to those of their data files."""
    c = main.alice
    ref = main.all_share_table(dirname)
    table = ref.delta
    r = c.changes(*ref.coords, params={"startingVersion": 0}, capabilities=CAPS[fmt])
    scheme = expect.id_scheme(r)
    paths = {}
    for v in table.commit_versions:
        for k, a in table.commit(v).file_actions:
            paths[expect.file_id(a["path"], scheme)] = a["path"]
    cdfs = [e for e in r.files if e["kind"] == "cdf"]
    assert cdfs, "test setup: the table has cdc files"
    others = [e for e in r.files if e["kind"] != "cdf"][:4]
    with requests.Session() as s:
        for e in cdfs + others:
            path = paths[e["id"]]
            if e["kind"] == "cdf":
                assert path.startswith("_change_data/"), path
            resp = s.get(e["url"], timeout=10)
            assert resp.status_code == 200, "%s: GET %s -> %d" % (path, e["url"], resp.status_code)
            assert len(resp.content) == e["size"] == os.path.getsize(_local(table, path))
            assert hashlib.sha256(resp.content).hexdigest() == _sha(_local(table, path)), path
            dv = (e.get("action") or {}).get("deletionVector")
            if dv and dv["storageType"] == "p":
                log_dv = [a for k, a in table.commit(e["version"]).file_actions
                          if a["path"] == path and a.get("deletionVector")][0]["deletionVector"]
                with open(dv_file_path(table.table_dir, log_dv), "rb") as fh:
                    assert s.get(dv["pathOrInlineDv"], timeout=10).content == fh.read()


# ---------------------------------------------------------------------------
# Paging
# ---------------------------------------------------------------------------

PAGED = [
    ("main", "cdf-table", "parquet", 1, (0, None)),
    ("main", "cdf-table", "delta", 2, (1, 3)),
    ("main", "cdf-table-non-partitioned", "parquet", 1, (0, None)),
    ("main", "cdf-table-non-partitioned", "delta", 1, (2, 4)),
    ("main", "simple_table_with_cdc", "delta", 1, (0, None)),
    ("main", "cdc_ict_table", "parquet", 1, (1, 3)),
    ("main", "cdf-table-with-cdc-and-dvs", "delta-dv", 1, (0, None)),
    ("main", "cdf-table-with-cdc-and-dvs", "delta-dv", 3, (5, 20)),
    ("cs", "evolving", "parquet", 1, (0, None)),
    ("cs", "evolving", "delta", 1, (4, 13)),
    ("cs", "evolving", "parquet", 2, (5, 12)),
    ("cs", "late_dv", "delta-dv", 1, (0, None)),
]


def _target(main, changes_server, where, name):
    if where == "main":
        ref = main.all_share_table(name)
        return main.alice, ref.coords, ref.delta
    return changes_server.client, changes_server.coords(name), changes_server.delta(name)


@pytest.mark.parametrize("where,name,fmt,max_files,rng", PAGED,
                         ids=["%s-%s-%d-%s" % (n, f, m, r) for _, n, f, m, r in PAGED])
def test_paging_equals_unpaged(main, changes_server, where, name, fmt, max_files, rng):
    c, coords, table = _target(main, changes_server, where, name)
    s, e = rng
    end = table.latest_version if e is None else e
    for hist in (True, False):
        params = range_params(s, e) + hist_param(hist, 0)
        ctx = "%s [%s, %s] %s maxFiles=%d hist=%s" % (name, s, e, fmt, max_files, hist)
        unpaged = check_changes(c, coords, table, params, s, end, CAPS[fmt], hist, ctx)
        assert unpaged.end_stream is None
        pages = c.changes_pages(*coords, params=params, max_files=max_files, capabilities=CAPS[fmt])
        entries = expect.assert_change_walk(pages, unpaged, max_files, ctx)
        expect.assert_changes_match(entries, expected_changes(table, s, end, "cdf", hist), unpaged.format,
                                    expect.id_scheme(unpaged), ctx + " (pages)")


@pytest.mark.parametrize("caps,params,asked", [
    (None, {}, False),
    ("includeendstreamaction=true", {}, True),
    ("responseformat=delta;includeendstreamaction=true", {}, True),
    ("responseformat=delta;includeendstreamaction=false", {}, False),
    (None, {"maxFiles": 1000}, True),
    ("responseformat=delta", {"maxFiles": 2147483647}, True),
])
def test_end_stream_action_only_when_asked(changes_server, caps, params, asked):
    """The strict parser checks presence == asked and the response header."""
    c = changes_server.client
    r = c.changes(*changes_server.coords("cdf"), params=dict(params, startingVersion=0), capabilities=caps)
    assert (r.end_stream is not None) == asked
    if asked:
        assert r.next_page_token is None
        assert r.end_stream["minUrlExpirationTimestamp"] <= min(e["expirationTimestamp"] for e in r.files)


def _first_token(c, coords, params, caps=None, max_files=1):
    r = c.changes(*coords, params=list(params) + [("maxFiles", max_files)], capabilities=caps)
    assert r.next_page_token, "test setup: the walk needs a second page"
    return r.next_page_token


def test_tampered_page_tokens(changes_server):
    c = changes_server.client
    coords = changes_server.coords("cdf")
    params = [("startingVersion", 0)]
    tok = _first_token(c, coords, params)
    for bad in (tamper(tok), tok[:-4], tok + "AAAA", tok + tok, "garbage", "A" * 3000, " " + tok):
        assert bad != tok
        c.parse_error(c.changes_raw(*coords, params=params + [("maxFiles", 1), ("pageToken", bad)]), 400, INVALID)
    assert c.changes(*coords, params=params + [("maxFiles", 1), ("pageToken", tok)]).files


def test_foreign_page_tokens(main, changes_server):
    """Tokens of another table, of /query (snapshot or streaming) and of
    other parameters are refused; /changes tokens are refused by /query."""
    c = changes_server.client
    coords = changes_server.coords("cdf")
    base = [("startingVersion", 0), ("endingVersion", 3)]
    foreign = {
        "other table": _first_token(c, changes_server.coords("backwards"), base),
        "same location, other name": _first_token(c, changes_server.coords("cdf_sv2"), [("startingVersion", 2)]),
        "snapshot query": c.query(*coords, body={"maxFiles": 1}).next_page_token,
        "streaming query": c.stream(*coords, body={"startingVersion": 0, "endingVersion": 3,
                                                   "maxFiles": 1}).next_page_token,
        "other startingVersion": _first_token(c, coords, [("startingVersion", 1), ("endingVersion", 3)]),
        "other endingVersion": _first_token(c, coords, [("startingVersion", 0), ("endingVersion", 2)]),
        "no endingVersion": _first_token(c, coords, [("startingVersion", 0)]),
        "startingTimestamp": _first_token(c, coords, [("startingTimestamp", "2000-01-01T00:00:00Z"),
                                                      ("endingVersion", 3)]),
        "historical metadata": _first_token(c, coords, base + [("includeHistoricalMetadata", "true")]),
        "delta format": _first_token(c, coords, base, caps="responseformat=delta"),
    }
    for name, tok in foreign.items():
        assert tok, name
        resp = c.changes_raw(*coords, params=base + [("maxFiles", 1), ("pageToken", tok)])
        c.parse_error(resp, 400, INVALID)
    tok = _first_token(c, coords, base)
    c.parse_error(c.query_raw(*coords, body={"maxFiles": 1, "pageToken": tok}), 400, INVALID)
    c.parse_error(c.query_raw(*coords, body={"startingVersion": 0, "endingVersion": 3, "maxFiles": 1,
                                             "pageToken": tok}), 400, INVALID)
    # a token of the main server is foreign to this one
    mtok = _first_token(main.alice, main.all_share_table("cdf-table").coords, base)
    c.parse_error(c.changes_raw(*coords, params=base + [("maxFiles", 1), ("pageToken", mtok)]), 400, INVALID)


EQUIVALENT = {
    "reordered": [("includeHistoricalMetadata", "true"), ("endingVersion", 3), ("startingVersion", 0)],
    "True for true": [("startingVersion", 0), ("endingVersion", 3), ("includeHistoricalMetadata", "True")],
}


@pytest.mark.parametrize("name", sorted(EQUIVALENT))
def test_page_token_with_equivalent_parameters(changes_server, name):
    """A token is bound to what the parameters mean, not to their spelling:
    the same parameters in another order, or a boolean spelled the Python
    way, continue the walk."""
    c = changes_server.client
    coords = changes_server.coords("cdf")
    params = [("startingVersion", 0), ("endingVersion", 3), ("includeHistoricalMetadata", "true")]
    tok = _first_token(c, coords, params)
    r = c.changes(*coords, params=[("pageToken", tok), ("maxFiles", 1)] + EQUIVALENT[name])
    assert len(r.files) == 1


def test_page_token_reuse_and_page_size_change(changes_server):
    """A token names a position: asking twice gives the same page; maxFiles
    may change between pages."""
    c = changes_server.client
    coords = changes_server.coords("cdf_np")
    params = [("startingVersion", 0)]
    unpaged = c.changes(*coords, params=params)
    tok = _first_token(c, coords, params)
    a = c.changes(*coords, params=params + [("maxFiles", 3), ("pageToken", tok)])
    b = c.changes(*coords, params=params + [("maxFiles", 3), ("pageToken", tok)])
    assert [expect.change_entry_identity(e) for e in a.entries] == [expect.change_entry_identity(e) for e in b.entries]
    assert len(a.files) == 3 and a.next_page_token
    rest = c.changes(*coords, params=params + [("maxFiles", 1000), ("pageToken", a.next_page_token)])
    assert rest.next_page_token is None
    assert len(unpaged.files) == 1 + len(a.files) + len(rest.files)


def test_commit_between_pages(live_changes):
    """Without endingVersion the walk reads the versions that existed at its
    first page: a commit landing between pages does not show up in it."""
    c, dirs = live_changes
    d = dirs["live_cdf"]
    coords = ("cs", "s", "live_cdf")
    table = DeltaTable(d)
    v0 = table.latest_version
    params = [("startingVersion", 2)]
    unpaged = check_changes(c, coords, table, params, 2, v0, None, False, "live before")
    added = []

    def between(i):
        if i == 1:
            added.append(change_tables.append_write(d, "e2e-live.snappy.parquet"))

    pages = c.changes_pages(*coords, params=params, max_files=1, between_pages=between)
    assert added == [v0 + 1]
    entries = expect.assert_change_walk(pages, unpaged, 1, "live walk")
    assert all(e["version"] <= v0 for e in entries)
    fresh = DeltaTable(d)
    check_changes(c, coords, fresh, params, 2, v0 + 1, None, False, "live after")

