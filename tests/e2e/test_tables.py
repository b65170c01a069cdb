"""Every Delta table under the shared test data, served through share `all`
(schema `delta`, historyShared on every table), checked against an
independent reading of its `_delta_log`:

- JSON-only tables (commits from 00000000000000000000.json on): for the
  latest version and for every historical version, `/version`, `/metadata`
  and `/query` agree with the log (file set by size/partitionValues/stats,
  metaData id/schema/partition columns), file ids are unique, and every
  returned file whose data exists on disk downloads to identical bytes.
- Tables the parquet format cannot represent (deletion vectors present,
  column mapping, unknown reader features) are refused with a JSON 4xx.
- Every table with a checkpoint (including those whose early commits are
  gone): every reconstructable version against an independent reading of
  its newest usable checkpoint (parquet read by DuckDB, see
  checkpoint_log.py) plus the JSON commits after it; file counts and sizes
  against the log's .crc files where there are some.
"""

import os
import re

import pytest
import requests

import checkpoint_log
import expect
import harness
from checkpoint_log import CheckpointedTable
from delta_log import DeltaTable, list_tables

ALL_DIRS = list_tables(harness.DELTA_ROOT) + list_tables(os.path.join(harness.DELTA_ROOT, "golden")) \
    if os.path.isdir(harness.DELTA_ROOT) else []
JSON_ONLY = [d for d in ALL_DIRS if DeltaTable(d).is_json_only]
CHECKPOINT_TABLES = checkpoint_log.checkpoint_tables()


def _id(d):
    return os.path.relpath(d, harness.DELTA_ROOT)


def _coords(main, d):
    return main.all_share_table(os.path.basename(d)).coords


def check_snapshot_response(client, coords, snap, version_arg, session, download=True):
    """Queries one snapshot and checks everything against the log."""
    kind = expect.classify(snap)
    ctx = "%s@%s" % (".".join(coords), "latest" if version_arg is None else version_arg)
    kw = {} if version_arg is None else {"version": version_arg}
    body = {} if version_arg is None else {"version": version_arg}

    # metadata
    resp = client.metadata_raw(*coords, **kw)
    if resp.status_code == 200:
        md = client.parse_metadata(resp)
        assert md.version == snap.version, "%s: metadata Delta-Table-Version %d != %d" % (ctx, md.version, snap.version)
        expect.assert_metadata_matches(md.metadata, snap, ctx)
    else:
        assert kind != expect.MUST_SERVE, "%s: metadata refused (%d %r) for a plain table" % (
            ctx, resp.status_code, resp.content[:300])
        client.parse_error(resp)

    # query
    resp = client.query_raw(*coords, body=body)
    if kind == expect.MUST_REFUSE:
        err = client.parse_error(resp)
        if snap.has_deletion_vectors or snap.column_mapping_mode in ("name", "id"):
            assert err.status == 400, "%s: parquet query of a table with DVs/column mapping must be 400" % ctx
        return None
    if resp.status_code != 200 and kind == expect.MAY_REFUSE:
        client.parse_error(resp)
        return None
    q = client.parse_query(resp, time_travel=version_arg is not None)
    assert q.version == snap.version, "%s: query Delta-Table-Version %d != %d" % (ctx, q.version, snap.version)
    expect.assert_metadata_matches(q.metadata, snap, ctx)
    expect.assert_same_files(q.files, snap, ctx)
    if download:
        for f in q.files:
            expect.download_and_compare(f, snap, session, ctx)
    return q


@pytest.mark.parametrize("table_dir", JSON_ONLY, ids=_id)
def test_latest_snapshot(main, table_dir):
    client = main.alice
    coords = _coords(main, table_dir)
    delta = DeltaTable(table_dir)
    snap = delta.snapshot()
    kind = expect.classify(snap)

    resp = client.raw("GET", client.table_path(*coords) + "/version")
    if kind == expect.MUST_SERVE or resp.status_code == 200:
        assert client.table_version(*coords) == delta.latest_version
    else:
        client.parse_error(resp)

    with requests.Session() as s:
        check_snapshot_response(client, coords, snap, None, s, download=True)


@pytest.mark.parametrize("table_dir", [d for d in JSON_ONLY if len(DeltaTable(d).commit_versions) > 1], ids=_id)
def test_every_version(main, table_dir):
    client = main.alice
    coords = _coords(main, table_dir)
    delta = DeltaTable(table_dir)
    with requests.Session() as s:
        for v in delta.commit_versions:
            snap = delta.snapshot(v)
            # download only for the first version: bytes are checked for latest elsewhere
            check_snapshot_response(client, coords, snap, v, s, download=(v == 0))


def test_every_checkpoint_table_is_covered():
    names = {os.path.basename(d) for d in CHECKPOINT_TABLES}
    assert len(names) >= 17, names
    # The ones whose early JSON commits are gone are among them.
    assert {"checkpoints_vacuumed", "checkpoint-cdf-table", "checkpoint_with_partitions",
            "table-with-domain-metadata"} <= names


@pytest.mark.parametrize("table_dir", CHECKPOINT_TABLES, ids=_id)
def test_checkpoint_table_every_version(main, parquet_rows, table_dir):
    client = main.alice
    coords = _coords(main, table_dir)
    table = CheckpointedTable(table_dir, parquet_rows)
    assert client.table_version(*coords) == table.latest
    versions = table.versions()
    assert versions and versions[-1] == table.latest
    with requests.Session() as s:
        check_snapshot_response(client, coords, table.snapshot(), None, s, download=True)
        for v in versions:
            check_snapshot_response(client, coords, table.snapshot(v), v, s, download=False)
    # Versions before the oldest checkpoint are gone (when commit 0 is).
    if table.earliest > 0:
        err = client.parse_error(client.query_raw(*coords, body={"version": table.earliest - 1}), 400)
        assert "Available versions" in err.message, err.message
    assert client.list_shares()[0]


@pytest.mark.parametrize("table_dir", [d for d in CHECKPOINT_TABLES if checkpoint_log.crc_facts(d)], ids=_id)
def test_checkpoint_table_agrees_with_crc_files(main, table_dir):
    """numFiles and tableSizeBytes of the log's .crc files: a third reading."""
    client = main.alice
    coords = _coords(main, table_dir)
    for v, (num_files, size) in sorted(checkpoint_log.crc_facts(table_dir).items()):
        resp = client.query_raw(*coords, body={"version": v}, capabilities="responseformat=delta;"
                                "readerfeatures=deletionvectors,columnmapping,timestampntz,v2checkpoint")
        q = client.parse_query(resp)
        assert len(q.files) == num_files, "version %d: %d files, .crc says %d" % (v, len(q.files), num_files)
        total = sum(expect.add_of(f)["size"] for f in q.files)
        assert total == size, "version %d: %d bytes, .crc says %d" % (v, total, size)


def test_all_share_lists_every_table(main):
    items = main.alice.walk(main.alice.list_all_tables, "all")
    names = sorted(i["name"] for i in items)
    expected = sorted(harness.sanitize_name(os.path.basename(d)) for d in ALL_DIRS)
    assert names == expected


def test_dv_table_refused_in_parquet(main):
    """table-with-dv-small has deletion vectors: the parquet format would
    return rows that were deleted, so the query must be a 400."""
    client = main.alice
    coords = ("share1", "extra", "dv")
    for caps in (None, "responseformat=parquet",
                 "responseformat=parquet;readerfeatures=deletionvectors"):
        resp = client.query_raw(*coords, body={}, capabilities=caps)
        client.parse_error(resp, 400)
    delta = DeltaTable(os.path.join(harness.DELTA_ROOT, "table-with-dv-small"))
    assert delta.snapshot(1).has_deletion_vectors
    assert client.table_version(*coords) == delta.latest_version
