"""Delta details a current client relies on, checked against the log itself.

- includeHistoricalProtocol (streaming queries and /changes, delta format
  only): a protocol line with its version for every commit after the start
  that changed the protocol, before that commit's metaData and files; none
  without the flag or in the parquet format.
- `tags` of add actions pass through to delta-format file lines.
- jsonPredicateHints on column-mapping tables name logical columns: the
  server maps them to the physical names partition values and stats use, so
  files are pruned exactly as on a table without mapping.
"""

import hashlib
import json
import os

import harness
from delta_log import DeltaTable
from expect import ALL_READER_FEATURES

DELTA_ALL = "responseformat=delta;readerfeatures=" + ALL_READER_FEATURES


def coords_of(main, dirname):
    return main.all_share_table(dirname).coords


def log_actions(dirname):
    """(version, action dict) for every action of every JSON commit."""
    log = os.path.join(harness.DELTA_ROOT, dirname, "_delta_log")
    out = []
    for name in sorted(os.listdir(log)):
        if not name.endswith(".json") or "checkpoint" in name:
            continue
        v = int(name.split(".")[0])
        with open(os.path.join(log, name)) as f:
            for line in f:
                if line.strip():
                    out.append((v, json.loads(line)))
    return out


def protocol_changes(dirname, after):
    return {v: a["protocol"] for v, a in log_actions(dirname) if "protocol" in a and v > after}


def test_streaming_with_historical_protocol(main):
    for dirname in ("table_with_deletion_logs", "table_with_partitioning_mapping"):
        coords = coords_of(main, dirname)
        latest = DeltaTable(os.path.join(harness.DELTA_ROOT, dirname)).latest_version
        body = {"startingVersion": 0, "includeHistoricalProtocol": True}
        r = main.alice.stream(*coords, body=body, capabilities=DELTA_ALL)
        got = {e["version"]: e["protocol"] for e in r.entries if e["kind"] == "protocol"}
        want = protocol_changes(dirname, 0)
        assert want, dirname  # the table changes its protocol after version 0
        assert got == want, (dirname, got, want)
        # Each protocol line comes before the files and metaData of its version.
        for i, e in enumerate(r.entries):
            if e["kind"] == "protocol":
                assert all(x["version"] < e["version"] or x["kind"] == "protocol"
                           for x in r.entries[:i]), dirname
                later_same = [x for x in r.entries[i + 1:] if x["version"] == e["version"]]
                assert all(x["kind"] != "protocol" for x in later_same)
        # Without the flag: no protocol lines (the strict client refuses them).
        plain = main.alice.stream(*coords, body={"startingVersion": 0}, capabilities=DELTA_ALL)
        assert not [e for e in plain.entries if e["kind"] == "protocol"]
        assert len(plain.files) == len(r.files) and latest >= 1


def test_historical_protocol_not_in_parquet_format(main):
    # delta-live-table raises its protocol in version 1 and stays parquet-readable.
    coords = coords_of(main, "delta-live-table")
    r = main.alice.stream(*coords, body={"startingVersion": 0, "includeHistoricalProtocol": True})
    assert r.format == "parquet"
    assert not [e for e in r.entries if e["kind"] == "protocol"]
    d = main.alice.stream(*coords, body={"startingVersion": 0, "includeHistoricalProtocol": True},
                          capabilities=DELTA_ALL)
    assert [e["version"] for e in d.entries if e["kind"] == "protocol"] == \
        sorted(protocol_changes("delta-live-table", 0))


def test_changes_with_historical_protocol(main):
    # cdf-table-with-cdc-and-dvs: /changes in the delta format with the flag
    # gives exactly the log's later protocol actions (possibly none).
    dirname = "cdf-table-with-cdc-and-dvs"
    coords = coords_of(main, dirname)
    r = main.alice.changes(*coords, params={"startingVersion": 0, "includeHistoricalProtocol": "true"},
                           capabilities=DELTA_ALL)
    got = {e["version"]: e["protocol"] for e in r.entries if e["kind"] == "protocol"}
    assert got == protocol_changes(dirname, 0)
    bad = main.alice.changes_raw(*coords, params={"startingVersion": 0, "includeHistoricalProtocol": "maybe"},
                                 capabilities=DELTA_ALL)
    main.alice.parse_error(bad, 400)


def test_add_tags_pass_through(main):
    dirname = "cdf-table-with-cdc-and-dvs"
    table = DeltaTable(os.path.join(harness.DELTA_ROOT, dirname))
    snap = table.snapshot()
    # The URL replaced the path: a line is matched to the log by its id (SHA-256 of the path).
    by_id = {hashlib.sha256(f.path.encode()).hexdigest(): f for f in snap.files}
    assert any(f.raw.get("tags") for f in snap.files)
    q = main.alice.query(*coords_of(main, dirname), body={}, capabilities=DELTA_ALL)
    assert len(q.files) == len(snap.files)
    seen = 0
    for f in q.files:
        add = f["deltaSingleAction"]["add"]
        want = {k: v for k, v in (by_id[f["id"]].raw.get("tags") or {}).items() if v is not None}
        assert add.get("tags", {}) == want
        seen += bool(want)
    assert seen > 0


def eq_hint(column, type_, value):
    return json.dumps({"op": "equal", "children": [
        {"op": "column", "name": column, "valueType": type_},
        {"op": "literal", "value": value, "valueType": type_}]})


def test_predicates_on_column_mapping_tables(main):
    dirname = "table_with_column_mapping"
    coords = coords_of(main, dirname)
    snap = DeltaTable(os.path.join(harness.DELTA_ROOT, dirname)).snapshot()
    physical = "col-173b4db9-b5ad-427f-9e75-516aae37fbbb"
    everything = main.alice.query(*coords, body={}, capabilities=DELTA_ALL)
    assert len(everything.files) == len(snap.files)
    hint = eq_hint("Company Very Short", "string", "BMS")
    q = main.alice.query(*coords, body={"jsonPredicateHints": hint}, capabilities=DELTA_ALL)
    values = [f["deltaSingleAction"]["add"]["partitionValues"][physical] for f in q.files]
    assert values and set(values) == {"BMS"}
    want = sum(1 for f in snap.files if f.partition_values[physical] == "BMS")
    assert len(q.files) == want
    # A stats-pruned data column, by its logical name in another case.
    q2 = main.alice.query(*coords, body={"jsonPredicateHints": eq_hint("super name", "string", "Timothy Lamb")},
                          capabilities=DELTA_ALL)
    assert 0 < len(q2.files) < len(snap.files)
    # The partition column renamed after mapping was enabled (physical name stays "id").
    coords3 = coords_of(main, "table_with_partitioning_mapping")
    q3 = main.alice.query(*coords3, body={"jsonPredicateHints": eq_hint("newid", "int", "2")},
                          capabilities=DELTA_ALL)
    ids = {f["deltaSingleAction"]["add"]["partitionValues"]["id"] for f in q3.files}
    assert ids == {"2"}
