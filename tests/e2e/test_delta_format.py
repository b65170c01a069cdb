"""The delta response format, format negotiation, deletion vectors and file ids.

- Negotiation matrix: `delta-sharing-capabilities` variants (responseformat
  parquet / delta / lists, readerfeatures, case) × table kinds (plain,
  partitioned, DVs present, DVs enabled, column mapping, column mapping + DVs,
  v2 checkpoints, variant) → status and chosen format, on /metadata and
  /query; refusals are 400 UNSUPPORTED_OPERATION.
- Every JSON-only test table in the delta format (all reader features
  declared), latest and every version: deltaProtocol / deltaMetadata equal
  the log's protocol / metaData exactly, metaData version/size/numFiles, file
  lines equal the log's `add` actions (matched by SHA-256 of the log path),
  data and deletion-vector URLs download to the bytes on disk.
- Deletion vectors: on-disk DVs shared as storageType "p" with a signed URL
  (offset/sizeInBytes/cardinality unchanged, the DV file found by decoding
  the Z85 id here), deletionVectorFileId per DV file; inline DVs unchanged;
  an absolute DV path outside the table is refused.
- fileidhash: MD5 (parquet) / SHA-256 (delta) of the log path, the header
  overrides, is echoed lower-cased, invalid values are 400.
- limitHint in the delta format counts rows minus DV cardinality;
  jsonPredicateHints filter delta-format answers like parquet ones.
"""

import json
import os
import shutil

import pytest
import requests

import expect
import harness
from conftest import launch_server
import checkpoint_log
from delta_log import DeltaTable, list_tables, z85_encode
from expect import ALL_READER_FEATURES, cmp
from strict_client import StrictClient, add_of, parse_capabilities, requested_formats, split_ndjson

ALL_DIRS = list_tables(harness.DELTA_ROOT) + list_tables(os.path.join(harness.DELTA_ROOT, "golden")) \
    if os.path.isdir(harness.DELTA_ROOT) else []
JSON_ONLY = [d for d in ALL_DIRS if DeltaTable(d).is_json_only]

DELTA_ALL = "responseformat=delta;readerfeatures=" + ALL_READER_FEATURES
PYTHON_DELTA = "responseformat=delta;readerfeatures=deletionvectors,columnmapping,timestampntz"


def _id(d):
    return os.path.relpath(d, harness.DELTA_ROOT)


def coords_of(main, dirname):
    return main.all_share_table(dirname).coords


def delta_of(main, dirname):
    return main.all_share_table(dirname).delta


def parquet_view(f):
    """A delta-format file line seen as a parquet one (size, partitionValues,
    stats), for the parquet-format comparison helpers."""
    add = add_of(f)
    out = {"size": add["size"], "partitionValues": add["partitionValues"]}
    if "stats" in add:
        out["stats"] = add["stats"]
    return out


# ---------------------------------------------------------------------------
# Format negotiation
# ---------------------------------------------------------------------------

# dirname -> (readable in the parquet format, reader features a delta client must declare)
TABLE_KINDS = {
    "simple_table": (True, set()),
    "delta-0.8.0-partitioned": (True, set()),
    "checkpoint-v2-table": (True, set()),                            # v2Checkpoint: a log-only feature
    "table-with-dv-small": (False, {"deletionvectors"}),              # DVs present
    "table_with_liquid_clustering": (False, {"deletionvectors"}),     # DVs enabled, none present
    "cdf-table-with-cdc-and-dvs": (False, {"deletionvectors"}),
    "table_with_column_mapping": (False, {"columnmapping"}),          # reader v2, mode name
    "table_with_partitioning_mapping": (False, {"deletionvectors", "columnmapping"}),
    "spark-variant-stable-feature-checkpoint": (False, {"varianttype"}),
}

CAPABILITY_VARIANTS = [
    None,
    "responseformat=parquet",
    "responseformat=delta",
    "responseformat=delta;readerfeatures=deletionvectors",
    "responseformat=delta;readerfeatures=columnmapping",
    PYTHON_DELTA,
    "responseformat=delta,parquet",
    "responseformat=delta,parquet;readerfeatures=deletionvectors,columnmapping,timestampntz",
    "responseformat=parquet,delta;readerfeatures=deletionvectors",
    "responseformat=parquet;readerfeatures=deletionvectors,columnmapping,timestampntz",
    "ResponseFormat=DELTA;ReaderFeatures=DeletionVectors,ColumnMapping",
    "readerfeatures=deletionvectors;responseformat=delta;includeendstreamaction=false",
    "responseformat=delta;readerfeatures=varianttype",
    DELTA_ALL,
]


def negotiated(dirname, capabilities):
    """'parquet', 'delta' or 400, per the contract: parquet when it was asked
    for and the table can be read in it, else delta when asked for and every
    needed reader feature was declared, else 400 UNSUPPORTED_OPERATION."""
    parquet_ok, needs = TABLE_KINDS[dirname]
    formats = requested_formats(capabilities)
    declared = set(parse_capabilities(capabilities).get("readerfeatures", []))
    if "parquet" in formats and parquet_ok:
        return "parquet"
    if "delta" in formats and needs <= declared:
        return "delta"
    return 400


@pytest.mark.parametrize("dirname", sorted(TABLE_KINDS))
def test_table_kinds_match_the_log(dirname):
    """Guards the matrix: the kinds above are what the logs say."""
    snap = DeltaTable(os.path.join(harness.DELTA_ROOT, dirname)).snapshot()
    parquet_ok, needs = TABLE_KINDS[dirname]
    need, maybe = expect.required_reader_features(snap)
    assert need == needs, "%s needs %r" % (dirname, need)
    assert not (maybe - needs)
    assert parquet_ok == (not need and snap.min_reader_version <= 3), dirname


def _check_answer(client, resp, expected, snap, endpoint, context):
    if expected == 400:
        err = client.parse_error(resp, 400, "UNSUPPORTED_OPERATION")
        assert err.message, context
        return
    assert resp.status_code == 200, "%s: expected a %s answer\n%s %r" % (
        context, expected, resp.status_code, resp.content[:400])
    r = client.parse_metadata(resp) if endpoint == "metadata" else client.parse_query(resp)
    assert r.format == expected, "%s: answered in %s, expected %s" % (context, r.format, expected)
    assert r.version == snap.version
    if expected == "delta":
        expect.assert_delta_head_matches(r, snap, context)
        if endpoint == "query":
            expect.assert_same_delta_files(r.files, snap, context)
    else:
        expect.assert_metadata_matches(r.metadata, snap, context)
        if endpoint == "query":
            expect.assert_same_files(r.files, snap, context)


@pytest.mark.parametrize("capabilities", CAPABILITY_VARIANTS, ids=lambda c: str(c))
@pytest.mark.parametrize("dirname", sorted(TABLE_KINDS))
def test_format_negotiation(main, dirname, capabilities):
    c = main.alice
    coords = coords_of(main, dirname)
    snap = delta_of(main, dirname).snapshot()
    expected = negotiated(dirname, capabilities)
    ctx = "%s with %r" % (dirname, capabilities)
    _check_answer(c, c.metadata_raw(*coords, capabilities=capabilities), expected, snap, "metadata",
                  ctx + " /metadata")
    _check_answer(c, c.query_raw(*coords, body={}, capabilities=capabilities), expected, snap, "query",
                  ctx + " /query")


@pytest.mark.parametrize("capabilities", ["responseformat=delta", DELTA_ALL])
def test_negotiation_applies_to_time_travel(main, capabilities):
    """table-with-dv-small has no DV at version 0 but DVs are enabled from
    the start: both versions need deletionvectors in the delta format."""
    c = main.alice
    coords = coords_of(main, "table-with-dv-small")
    for v in (0, 1):
        snap = delta_of(main, "table-with-dv-small").snapshot(v)
        expected = "delta" if "deletionvectors" in capabilities else 400
        _check_answer(c, c.metadata_raw(*coords, version=v, capabilities=capabilities), expected, snap,
                      "metadata", "v%d %s" % (v, capabilities))
        _check_answer(c, c.query_raw(*coords, body={"version": v}, capabilities=capabilities), expected,
                      snap, "query", "v%d %s" % (v, capabilities))


def test_simple_table_features(main):
    """simple_table_features: reader version 5 with the features columnMapping,
    deletionVectors, timestampNtz, v2Checkpoint and an unknown one. Never
    parquet; delta only once the data features are declared, and then with
    the table's own protocol (so the client sees the unknown feature)."""
    c = main.alice
    coords = coords_of(main, "simple_table_features")
    snap = delta_of(main, "simple_table_features").snapshot()
    for caps in (None, "responseformat=parquet",
                 "responseformat=parquet;readerfeatures=deletionvectors,columnmapping,timestampntz"):
        c.parse_error(c.query_raw(*coords, body={}, capabilities=caps), 400)
        c.parse_error(c.metadata_raw(*coords, capabilities=caps), 400)
    for caps in ("responseformat=delta", "responseformat=delta,parquet",
                 "responseformat=delta;readerfeatures=deletionvectors,columnmapping"):
        c.parse_error(c.query_raw(*coords, body={}, capabilities=caps), 400, "UNSUPPORTED_OPERATION")
    resp = c.query_raw(*coords, body={}, capabilities=DELTA_ALL)
    if resp.status_code == 200:
        q = c.parse_query(resp)
        expect.assert_delta_head_matches(q, snap)
        expect.assert_same_delta_files(q.files, snap)
    else:
        c.parse_error(resp, 400, "UNSUPPORTED_OPERATION")


@pytest.mark.parametrize("capabilities", ["responseformat=foo", "responseformat=", "responseformat=csv,json"])
def test_unknown_response_format(main, capabilities):
    """A format the server does not know: a 400, or the parquet default -
    never delta, never a 5xx."""
    c = main.alice
    coords = coords_of(main, "simple_table")
    resp = c.query_raw(*coords, body={}, capabilities=capabilities)
    if resp.status_code == 200:
        assert parse_capabilities(resp.headers.get("delta-sharing-capabilities")).get("responseformat") == ["parquet"]
    else:
        c.parse_error(resp, 400)


# ---------------------------------------------------------------------------
# Every table in the delta format, against the log
# ---------------------------------------------------------------------------

DECLARED_ALL = set(ALL_READER_FEATURES.split(","))


def check_delta_snapshot(client, coords, snap, version_arg, session, download):
    kind = expect.classify_delta(snap, DECLARED_ALL)
    ctx = "%s@%s (delta)" % (".".join(coords), "latest" if version_arg is None else version_arg)
    kw = {} if version_arg is None else {"version": version_arg}
    resp = client.metadata_raw(*coords, capabilities=DELTA_ALL, **kw)
    if resp.status_code == 200:
        md = client.parse_metadata(resp)
        assert md.format == "delta", "%s: a delta-only request answered in %s" % (ctx, md.format)
        assert md.version == snap.version
        expect.assert_delta_head_matches(md, snap, ctx + " /metadata")
    else:
        assert kind != expect.MUST_SERVE, "%s: /metadata refused: %d %r" % (ctx, resp.status_code, resp.content[:300])
        client.parse_error(resp, 400)

    resp = client.query_raw(*coords, body=dict(kw), capabilities=DELTA_ALL)
    if resp.status_code != 200:
        assert kind != expect.MUST_SERVE, "%s: /query refused: %d %r" % (ctx, resp.status_code, resp.content[:300])
        client.parse_error(resp, 400)
        return None
    assert kind != expect.MUST_REFUSE, "%s: served although a needed reader feature was not declared" % ctx
    q = client.parse_query(resp)
    assert q.format == "delta"
    assert q.version == snap.version, "%s: Delta-Table-Version %d != %d" % (ctx, q.version, snap.version)
    expect.assert_delta_head_matches(q, snap, ctx)
    expect.assert_same_delta_files(q.files, snap, ctx)
    if version_arg is not None:
        for f in q.files:
            if "version" in f:
                assert f["version"] <= snap.version, "%s: file.version %d after the snapshot" % (ctx, f["version"])
                if "timestamp" in f:
                    # the commit time, possibly made monotonic (cdc_ict_table has a decreasing
                    # in-commit timestamp; the commits of copied tables share an mtime)
                    want = {snap.table.commit_timestamp_ms(f["version"]),
                            snap.table.monotonic_commit_timestamp_ms(f["version"])}
                    assert f["timestamp"] in want, "%s: file.timestamp %d is not the commit time %r of version %d" % (
                        ctx, f["timestamp"], sorted(want), f["version"])
    if download:
        by_id = expect.entries_by_id(snap, "delta")
        for f in q.files:
            expect.assert_delta_downloads(f, by_id[f["id"]], session, ctx)
    return q


@pytest.mark.parametrize("table_dir", checkpoint_log.checkpoint_tables(), ids=_id)
def test_delta_checkpoint_table_latest(main, parquet_rows, table_dir):
    """Tables with checkpoints (early commits gone or not) in the delta
    format, against DuckDB's reading of the checkpoint + later commits."""
    coords = coords_of(main, os.path.basename(table_dir))
    snap = checkpoint_log.CheckpointedTable(table_dir, parquet_rows).snapshot()
    with requests.Session() as s:
        check_delta_snapshot(main.alice, coords, snap, None, s, download=True)


@pytest.mark.parametrize("table_dir", JSON_ONLY, ids=_id)
def test_delta_latest_snapshot(main, table_dir):
    coords = coords_of(main, os.path.basename(table_dir))
    with requests.Session() as s:
        check_delta_snapshot(main.alice, coords, DeltaTable(table_dir).snapshot(), None, s, download=True)


@pytest.mark.parametrize("table_dir", [d for d in JSON_ONLY if len(DeltaTable(d).commit_versions) > 1], ids=_id)
def test_delta_every_version(main, table_dir):
    coords = coords_of(main, os.path.basename(table_dir))
    delta = DeltaTable(table_dir)
    with requests.Session() as s:
        for v in delta.commit_versions:
            check_delta_snapshot(main.alice, coords, delta.snapshot(v), v, s,
                                 download=delta.snapshot(v).has_deletion_vectors)


def test_delta_and_parquet_agree(main):
    """The same snapshot in both formats: same files, same metaData id/schema."""
    c = main.alice
    for dirname in ("simple_table", "delta-0.8.0-partitioned", "partition-type-primitives", "cdf-table"):
        coords = coords_of(main, dirname)
        p = c.query(*coords)
        d = c.query(*coords, capabilities="responseformat=delta")
        assert p.format == "parquet" and d.format == "delta"
        assert p.version == d.version
        assert p.metadata["id"] == d.metadata["id"]
        assert json.loads(p.metadata["schemaString"]) == json.loads(d.metadata["schemaString"])
        assert p.metadata["partitionColumns"] == d.metadata["partitionColumns"]
        assert sorted(expect.returned_key(f) for f in p.files) == \
            sorted(expect.returned_key(parquet_view(f)) for f in d.files)


def test_delta_schema_and_configuration_unmodified(main):
    """The parquet format trims field metadata and configuration; the delta
    format must hand over the table's own schemaString and configuration
    (column mapping ids and physical names included)."""
    c = main.alice
    coords = coords_of(main, "table_with_column_mapping")
    snap = delta_of(main, "table_with_column_mapping").snapshot()
    q = c.query(*coords, capabilities="responseformat=delta;readerfeatures=columnmapping")
    assert q.metadata["schemaString"] == snap.metadata["schemaString"]
    assert q.metadata["configuration"] == snap.configuration
    assert q.metadata["configuration"]["delta.columnMapping.mode"] == "name"
    # partitionValues keep the log's physical column names
    phys = json.loads(snap.metadata["schemaString"])["fields"][0]["metadata"]["delta.columnMapping.physicalName"]
    for f in q.files:
        assert list(add_of(f)["partitionValues"]) == [phys]


def test_delta_metadata_and_query_agree(main):
    c = main.alice
    for dirname in ("table-with-dv-small", "table_with_partitioning_mapping", "simple_table"):
        coords = coords_of(main, dirname)
        md = c.metadata(*coords, capabilities=DELTA_ALL)
        q = c.query(*coords, capabilities=DELTA_ALL)
        assert md.protocol == q.protocol
        assert md.metadata_wrapper == q.metadata_wrapper
        assert md.version == q.version == c.table_version(*coords)


# ---------------------------------------------------------------------------
# Deletion vectors
# ---------------------------------------------------------------------------

DV_SNAPSHOTS = [("table-with-dv-small", 1), ("cdf-table-with-cdc-and-dvs", 16), ("cdf-table-with-cdc-and-dvs", 25),
                ("cdf-table-with-cdc-and-dvs", 10), ("table_with_deletion_logs", None)]


@pytest.mark.parametrize("dirname,version", DV_SNAPSHOTS)
def test_dv_urls_download_the_dv_file(main, dirname, version):
    c = main.alice
    coords = coords_of(main, dirname)
    snap = delta_of(main, dirname).snapshot(version)
    assert snap.has_deletion_vectors
    body = {} if version is None else {"version": version}
    q = c.query(*coords, body=body, capabilities="responseformat=delta;readerfeatures=deletionvectors")
    expect.assert_same_delta_files(q.files, snap)
    by_id = expect.entries_by_id(snap, "delta")
    dv_ids = {}
    with requests.Session() as s:
        for f in q.files:
            e = by_id[f["id"]]
            if e.deletion_vector is None:
                continue
            assert os.path.isfile(e.dv_local_path), "test data: DV file %s missing" % e.dv_local_path
            assert expect.assert_delta_downloads(f, e, s, dirname) == 2
            dv_ids.setdefault(e.dv_local_path, set()).add(f["deletionVectorFileId"])
    assert dv_ids
    for path, ids in dv_ids.items():
        assert len(ids) == 1, "one DV file, several deletionVectorFileIds: %r" % ids
    all_ids = [next(iter(i)) for i in dv_ids.values()]
    assert len(set(all_ids)) == len(all_ids), "different DV files share a deletionVectorFileId"
    assert not set(all_ids) & set(q.ids), "a deletionVectorFileId equals a data file id"


def test_shared_dv_file_two_offsets(main):
    """cdf-table-with-cdc-and-dvs@16: two files keep their DVs in one DV file
    at different offsets; both URLs give the whole file, offsets unchanged."""
    c = main.alice
    snap = delta_of(main, "cdf-table-with-cdc-and-dvs").snapshot(16)
    dvs = [e.deletion_vector for e in snap.files if e.deletion_vector]
    assert len(dvs) == 2 and dvs[0]["pathOrInlineDv"] == dvs[1]["pathOrInlineDv"]
    q = c.query(*coords_of(main, "cdf-table-with-cdc-and-dvs"), body={"version": 16},
                capabilities="responseformat=delta;readerfeatures=deletionvectors")
    got = sorted(add_of(f)["deletionVector"]["offset"] for f in q.files if "deletionVector" in add_of(f))
    assert got == sorted(d["offset"] for d in dvs)
    assert len({f["deletionVectorFileId"] for f in q.files if "deletionVectorFileId" in f}) == 1


def test_dv_urls_are_signed(main):
    """The DV URL is a signed file URL: changing it gives 403, no auth needed."""
    c = main.alice
    q = c.query(*coords_of(main, "table-with-dv-small"), capabilities="responseformat=delta;readerfeatures=deletionvectors")
    url = add_of(q.files[0])["deletionVector"]["pathOrInlineDv"]
    assert requests.get(url, timeout=10).status_code == 200
    i = url.index("signature=") + len("signature=") + 3
    bad = url[:i] + ("0" if url[i] != "0" else "1") + url[i + 1:]
    assert requests.get(bad, timeout=10).status_code == 403


@pytest.mark.parametrize("dirname,version,limits", [
    ("cdf-table-with-cdc-and-dvs", 16, [1, 2, 3, 4, 5, 6]),
    ("cdf-table-with-cdc-and-dvs", 25, [1, 2, 3, 4, 5]),
    ("cdf-table-with-cdc-and-dvs", 10, [1, 2, 3, 4]),
])
def test_limit_hint_subtracts_dv_cardinality(main, dirname, version, limits):
    """limitHint counts the rows a file really returns: numRecords minus the
    DV's cardinality. Fewer files than the snapshot must still hold the rows."""
    c = main.alice
    coords = coords_of(main, dirname)
    snap = delta_of(main, dirname).snapshot(version)
    by_id = expect.entries_by_id(snap, "delta")
    # the data can tell a server that ignores the DVs apart from one that does not
    assert any(e.num_records != e.live_records for e in snap.files)
    for limit in limits:
        q = c.query(*coords, body={"version": version, "limitHint": limit},
                    capabilities="responseformat=delta;readerfeatures=deletionvectors")
        assert set(q.ids) <= set(by_id)
        for f in q.files:
            expect.assert_delta_file_matches(f, by_id[f["id"]], "limitHint %d" % limit)
        if len(q.files) < len(snap.files):
            live = sum(by_id[i].live_records for i in q.ids)
            assert live >= limit, "limitHint %d at v%d: returned files hold %d live rows (%r)" % (
                limit, version, live, [(by_id[i].num_records, by_id[i].live_records) for i in q.ids])


def test_limit_hint_dv_single_file_is_not_enough(main):
    """cdf-table-with-cdc-and-dvs@25: a 3-row file and an 8-row file with 6
    deleted rows. limitHint 3 may be met by the 3-row file alone, never by
    the other one alone (2 live rows)."""
    c = main.alice
    snap = delta_of(main, "cdf-table-with-cdc-and-dvs").snapshot(25)
    assert sorted((e.num_records, e.live_records) for e in snap.files) == [(3, 3), (8, 2)]
    by_id = expect.entries_by_id(snap, "delta")
    q = c.query(*coords_of(main, "cdf-table-with-cdc-and-dvs"), body={"version": 25, "limitHint": 3},
                capabilities="responseformat=delta;readerfeatures=deletionvectors")
    assert [by_id[i].live_records for i in q.ids] != [2]


# ---------------------------------------------------------------------------
# Predicates in the delta format
# ---------------------------------------------------------------------------

DELTA_PREDICATES = [
    ("delta-0.8.0-partitioned", cmp("equal", "year", "2021", "string")),
    ("delta-0.8.0-partitioned", cmp("greaterThan", "month", "2", "int")),
    ("partition-type-primitives", cmp("equal", "category", "A", "string")),
    ("cdf-table", cmp("equal", "birthday", "2023-12-22", "date")),
]


@pytest.mark.parametrize("dirname,pred", DELTA_PREDICATES, ids=lambda x: x if isinstance(x, str) else json.dumps(x)[:60])
def test_json_predicate_in_delta_format(main, dirname, pred):
    c = main.alice
    snap = delta_of(main, dirname).snapshot()
    q = c.query(*coords_of(main, dirname), body={"jsonPredicateHints": json.dumps(pred)},
                capabilities="responseformat=delta")
    assert q.format == "delta"
    inc, exc = expect.assert_predicate_result([parquet_view(f) for f in q.files], snap, pred, dirname)
    assert len(q.files) < len(snap.files), "test expectation: the predicate drops files"
    by_id = expect.entries_by_id(snap, "delta")
    for f in q.files:
        expect.assert_delta_file_matches(f, by_id[f["id"]], dirname)
    assert q.metadata_wrapper["numFiles"] == len(snap.files), "numFiles describes the table, not the answer"


# ---------------------------------------------------------------------------
# fileidhash
# ---------------------------------------------------------------------------

@pytest.mark.parametrize("fmt", ["parquet", "delta"])
@pytest.mark.parametrize("header", [None, "parquet", "delta", "PARQUET", "Delta"])
def test_file_id_hash(main, fmt, header):
    c = main.alice
    dirname = "delta-0.8.0-special-partition"   # percent-encoded paths in the log
    snap = delta_of(main, dirname).snapshot()
    scheme = header.lower() if header else fmt
    q = c.query(*coords_of(main, dirname), capabilities="responseformat=" + fmt,
                headers=None if header is None else {"fileidhash": header})
    assert q.format == fmt
    by_id = expect.entries_by_id(snap, scheme)
    assert sorted(q.ids) == sorted(by_id), "file ids must be the %s hash of the log paths %r" % (
        "SHA-256" if scheme == "delta" else "MD5", [e.path for e in snap.files])
    for f in q.files:
        e = by_id[f["id"]]
        if fmt == "parquet":
            assert expect.returned_key(f) == expect.expected_key(e)
        else:
            expect.assert_delta_file_matches(f, e)
    if header is not None:
        assert q.headers.get("fileidhash") == header.lower()


def test_file_id_hash_time_travel(main):
    """Ids are a function of the log path: the same at every version."""
    c = main.alice
    coords = coords_of(main, "simple_table")
    delta = delta_of(main, "simple_table")
    for v in delta.commit_versions:
        for fmt, scheme in (("parquet", "parquet"), ("delta", "delta")):
            q = c.query(*coords, body={"version": v}, capabilities="responseformat=" + fmt)
            assert sorted(q.ids) == sorted(expect.entries_by_id(delta.snapshot(v), scheme))


@pytest.mark.parametrize("value", ["md5", "sha256", "parquet,delta", "x", "delta;parquet", "deltas"])
@pytest.mark.parametrize("fmt", ["parquet", "delta"])
def test_invalid_file_id_hash(main, fmt, value):
    c = main.alice
    resp = c.query_raw(*coords_of(main, "simple_table"), body={}, capabilities="responseformat=" + fmt,
                       headers={"fileidhash": value})
    c.parse_error(resp, 400, "INVALID_PARAMETER_VALUE")


# ---------------------------------------------------------------------------
# Synthetic variants (copies): DVs stored inline, with a prefix, at an
# absolute path, escaping the table; tables needing timestampNtz / typeWidening
# ---------------------------------------------------------------------------

@pytest.fixture(scope="module")
def synth(lakeshare_bin, tmp_path_factory):
    base = str(tmp_path_factory.mktemp("synth"))
    src = os.path.join(harness.DELTA_ROOT, "table-with-dv-small")
    dv_name = [f for f in os.listdir(src) if f.startswith("deletion_vector_")][0]
    with open(os.path.join(src, dv_name), "rb") as fh:
        dv_file = fh.read()
    tables = {}

    def set_dv(name, fn):
        d = harness.copy_table("table-with-dv-small", base, name)

        def edit(a):
            if "add" in a and a["add"].get("deletionVector"):
                a["add"]["deletionVector"] = fn(dict(a["add"]["deletionVector"]))
            return a
        harness.rewrite_commit(d, 1, edit)
        tables[name] = d
        return d

    # inline: the bitmap (after the 4-byte big-endian length at offset 1) as Z85 text
    size = int.from_bytes(dv_file[1:5], "big")
    bitmap = dv_file[5:5 + size]
    assert size == 36 and len(bitmap) == 36
    inline_dv = {"storageType": "i", "pathOrInlineDv": z85_encode(bitmap), "sizeInBytes": size, "cardinality": 2}
    d = set_dv("inline_dv", lambda dv: dict(inline_dv))
    os.remove(os.path.join(d, dv_name))

    # a random prefix: the DV file lives in <table>/<prefix>/
    d = set_dv("prefixed_dv", lambda dv: dict(dv, pathOrInlineDv="q7" + dv["pathOrInlineDv"]))
    os.makedirs(os.path.join(d, "q7"))
    os.rename(os.path.join(d, dv_name), os.path.join(d, "q7", dv_name))

    # absolute, outside the table
    outside = os.path.join(base, "outside")
    os.makedirs(outside)
    shutil.copy(os.path.join(src, dv_name), os.path.join(outside, dv_name))
    set_dv("abs_dv", lambda dv: dict(dv, storageType="p", pathOrInlineDv="file://" + os.path.join(outside, dv_name)))
    # a prefix that climbs out of the table
    set_dv("escaping_dv", lambda dv: dict(dv, pathOrInlineDv="../outside/" + dv["pathOrInlineDv"]))

    # simple_table with a reader feature in its protocol
    for name, feature in (("ntz", "timestampNtz"), ("widening", "typeWidening")):
        d = harness.copy_table("simple_table", base, name)
        proto = {"minReaderVersion": 3, "minWriterVersion": 7, "readerFeatures": [feature], "writerFeatures": [feature]}
        harness.rewrite_commit(d, 0, lambda a: {"protocol": proto} if "protocol" in a else a)
        tables[name] = d

    config = {
        "version": 1, "host": "127.0.0.1", "port": 0, "endpoint": "/delta-sharing",
        "recipients": [{"name": "r", "token": "tok-r", "shares": ["s"]}],
        "shares": [{"name": "s", "schemas": [{"name": "d", "tables": [
            {"name": n, "location": d, "historyShared": True} for n, d in tables.items()]}]}],
    }
    server = launch_server(lakeshare_bin, config, os.path.join(base, "conf"), name="synth")
    yield StrictClient(server.endpoint_url, "tok-r", server), tables, inline_dv
    server.stop_and_check()


def test_inline_dv_passes_unchanged(synth):
    c, tables, inline_dv = synth
    snap = DeltaTable(tables["inline_dv"]).snapshot()
    q = c.query("s", "d", "inline_dv", capabilities="responseformat=delta;readerfeatures=deletionvectors")
    expect.assert_delta_head_matches(q, snap)
    expect.assert_same_delta_files(q.files, snap)
    assert add_of(q.files[0])["deletionVector"] == inline_dv
    # still a DV table: parquet and an undeclared feature are refused
    c.parse_error(c.query_raw("s", "d", "inline_dv", body={}), 400)
    c.parse_error(c.query_raw("s", "d", "inline_dv", body={}, capabilities="responseformat=delta"),
                  400, "UNSUPPORTED_OPERATION")


def test_inline_dv_limit_hint(synth):
    """10 rows, 2 of them deleted by the inline DV: the single file has 8 live rows."""
    c, _, _ = synth
    for limit in (1, 8, 9, 100):
        q = c.query("s", "d", "inline_dv", body={"limitHint": limit},
                    capabilities="responseformat=delta;readerfeatures=deletionvectors")
        assert len(q.files) == 1


def test_prefixed_dv(synth):
    """pathOrInlineDv = <prefix><Z85 uuid>: the DV file is <table>/<prefix>/deletion_vector_<uuid>.bin."""
    c, tables, _ = synth
    snap = DeltaTable(tables["prefixed_dv"]).snapshot()
    e = snap.files[0]
    assert os.path.dirname(e.dv_local_path).endswith("q7") and os.path.isfile(e.dv_local_path)
    q = c.query("s", "d", "prefixed_dv", capabilities="responseformat=delta;readerfeatures=deletionvectors")
    expect.assert_same_delta_files(q.files, snap)
    assert expect.assert_delta_downloads(q.files[0], e, None, "prefixed_dv") == 2


@pytest.mark.parametrize("table", ["abs_dv", "escaping_dv"])
def test_unshareable_dv_is_refused(synth, table):
    """A DV at an absolute path (here outside the table) or whose prefix climbs
    out of the table cannot be shared: a JSON 400 before any line is sent -
    not a 200 cut short - and never a URL for the outside file."""
    c, _, _ = synth
    resp = c.query_raw("s", "d", table, body={}, capabilities="responseformat=delta;readerfeatures=deletionvectors")
    assert b"outside" not in resp.content, "the answer names or signs the outside DV file"
    c.parse_error(resp, 400)
    # A client that reads endStreamAction may instead get a 200 whose last line
    # is an endStreamAction with an errorMessage (the client then fails).
    resp = c.query_raw("s", "d", table, body={},
                       capabilities="responseformat=delta;readerfeatures=deletionvectors;includeendstreamaction=true")
    assert b"outside" not in resp.content, "the answer names or signs the outside DV file"
    if resp.status_code == 200:
        lines = split_ndjson(resp)
        assert all("file" not in l for l in lines), "a file line was sent for a file with an unshareable DV"
        assert "endStreamAction" in lines[-1] and lines[-1]["endStreamAction"].get("errorMessage"), lines[-1]
    else:
        c.parse_error(resp, 400)
    # the version before the DV was written is fine
    q = c.query("s", "d", table, body={"version": 0},
                capabilities="responseformat=delta;readerfeatures=deletionvectors")
    assert len(q.files) == 1 and "deletionVector" not in add_of(q.files[0])


@pytest.mark.parametrize("table,feature", [("ntz", "timestampntz"), ("widening", "typewidening")])
def test_data_reader_features_must_be_declared(synth, table, feature):
    """A table whose protocol lists timestampNtz / typeWidening: the delta
    format needs the client to declare it; declared, the table's own
    protocol is handed over. (The parquet format may serve or refuse it.)"""
    c, tables, _ = synth
    snap = DeltaTable(tables[table]).snapshot()
    for caps in ("responseformat=delta", "responseformat=delta;readerfeatures=deletionvectors,columnmapping"):
        c.parse_error(c.query_raw("s", "d", table, body={}, capabilities=caps), 400, "UNSUPPORTED_OPERATION")
        c.parse_error(c.metadata_raw("s", "d", table, capabilities=caps), 400, "UNSUPPORTED_OPERATION")
    for caps in ("responseformat=delta;readerfeatures=" + feature, DELTA_ALL):
        q = c.query("s", "d", table, capabilities=caps)
        expect.assert_delta_head_matches(q, snap, table)
        expect.assert_same_delta_files(q.files, snap, table)
    resp = c.query_raw("s", "d", table, body={})
    if resp.status_code == 200:
        q = c.parse_query(resp)
        assert q.protocol == {"minReaderVersion": 1}
        expect.assert_same_files(q.files, snap)
    else:
        c.parse_error(resp, 400, "UNSUPPORTED_OPERATION")
