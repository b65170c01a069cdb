"""Iceberg tables served end to end (format: iceberg).

The real Iceberg tables of tests/data/iceberg/duckdb-iceberg (written
by Spark, PyIceberg and others) are shared by a real server and compared, at
every version, with iceberg_meta.py: an independent reader built on
python3-avro. Checked: schemas (Spark JSON), partition columns and values,
file sets and stats per snapshot, time travel by version and timestamp,
/version, both response formats, predicates, limitHint, paging, /changes of
append-only ranges, row-level deletes only for deletion-vector clients (positions,
and deletion vectors: test_iceberg_deletes.py), and broken tables
(bad metadata, missing or garbage manifests) giving clear 4xx errors while
the server carries on.
"""

import datetime
import json
import os
import shutil

import pytest

import expect
import harness
import iceberg_meta
from conftest import launch_server
from expect import AND, IS_NULL, NOT, OR, cmp
from strict_client import StrictClient, add_of

# python3-avro warns about Iceberg's "map" logical type on every manifest.
pytestmark = pytest.mark.filterwarnings("ignore:Unknown map")

SHARE, SCHEMA = "ice", "t"
TOKEN = "tok-iceberg"
ALL_FEATURES = "responseformat=delta;readerfeatures=" + expect.ALL_READER_FEATURES

# name -> path under the test data (a table folder or a metadata file)
TABLES = {
    "lineitem": "iceberg/lineitem_iceberg",
    "lineitem_no_hint": "iceberg/lineitem_iceberg_no_hint",
    "lineitem_gz": "iceberg/lineitem_iceberg_gz",
    "lineitem_gz_no_hint": "iceberg/lineitem_iceberg_gz_no_hint",
    "p_bigint": "partition_bigint",
    "p_binary": "partition_binary",
    "p_bool": "partition_bool",
    "p_dec_bigint": "partition_decimal_bigint",
    "p_dec_hugeint": "partition_decimal_hugeint",
    "p_dec_integer": "partition_decimal_integer",
    "p_dec_smallint": "partition_decimal_smallint",
    "p_double": "partition_double",
    "p_fixed": "partition_fixed_length_binary/default.db/partition_fixed_length_binary",
    "p_float": "partition_float",
    "p_integer": "partition_integer",
    "p_time": "partition_time/default.db/partition_time",
    "p_timestamp": "partition_timestamp/default.db/partition_timestamp",
    "p_timestamptz": "partition_timestamptz/default.db/partition_timestamptz",
    "hive": "hive_partitioned_table",
    "is_null": "is_null_is_not_null",
    "null_stats": "null_stats/default/test_nulls",
    "map_stats": "map_stats/default.db/map_stats",
    "uuid": "uuid",
    "v1_legacy": "iceberg_v1_deprecated/default/legacy_v1",
    "v1_repro": "iceberg_v1_repro/repro/merch_v1",
    "expr": "expression_filter",
    "bounds": "generated_bounds",
    "case_names": "case_sensitive_names/default.db/case_sensitive_names",
    "ts_ns_empty": "timestamptz_ns",
    "custom_paths": "custom_write_paths",
    "defaults": "add_columns_with_defaults/default.db/add_columns_with_defaults",
    "defaults_struct": "add_columns_with_defaults_in_struct/default.db/add_columns_with_defaults_in_struct",
    "eq_deletes": "equality_deletes/warehouse/mydb/mytable",
    "eq_deletes_part": "equality_deletes/warehouse/mydb/mytable_partitioned",
    "eq_cross": "equality_delete_cross_partition/warehouse/ns/t/metadata/vfinal.metadata.json",
    "eq_extra": "equality_delete_extra_column/warehouse/ns/t/metadata/vfinal.metadata.json",
    "bare_dv": "legacy_bare_deletion_vector/warehouse/default/legacy_bare_deletion_vector",
    "name_mapping": "name_mapping/warehouse_1/mydb/t1",
    "column_mapping": "column_mapping/warehouse/default.db/my_table",
    "big_query": "big_query_error",
    # a metadata file configured directly: an older version of lineitem
    "lineitem_v1_file": "iceberg/lineitem_iceberg/metadata/v1.metadata.json",
}
BROKEN = {"bad": "bad_data/bad_iceberg_metadata.json", "missing": "no_such_table"}


def loc(rel):
    return os.path.join(iceberg_meta.ICEBERG_ROOT, rel)


class Oracle:
    """Expectations of one table, from iceberg_meta (None when the oracle
    itself cannot read the table: then the server must answer a clear 400)."""

    def __init__(self, rel):
        self.rel = rel
        try:
            self.table = iceberg_meta.IcebergTable(loc(rel))
            self.snaps = {}
            self.missing = {}  # version -> the file the oracle could not find
            for v in [self.table.earliest_version] + self.table.versions:
                try:
                    self.snaps[v] = self.table.snapshot(v) if self.table.timeline else self.table.snapshot()
                except FileNotFoundError as e:
                    self.missing[v] = e
            self.error = None
        except (ValueError, FileNotFoundError, KeyError, IndexError) as e:
            self.table = None
            self.error = e

    def unreadable(self, snap):
        """Why the server must refuse the snapshot (None: it must serve it)."""
        if snap.delete_files:
            return "dv"  # served as deletion vectors to delta-format clients only
        t = self.table
        if snap.snapshot_id is None:
            return None
        s = t.snapshots[snap.snapshot_id]
        schema = t.schema_for(s)
        ids, paths = {}, {}

        def index(fields, prefix, ids, paths):
            for f in fields:
                p = prefix + f["name"]
                ids[f["id"]] = p
                paths[p] = f["id"]
                ty = f["type"]
                if isinstance(ty, dict):
                    sub = ty.get("fields") or []
                    if ty["type"] == "list":
                        sub = [{"id": ty["element-id"], "name": "element", "type": ty["element"]}]
                    if ty["type"] == "map":
                        sub = [{"id": ty["key-id"], "name": "key", "type": ty["key"]},
                               {"id": ty["value-id"], "name": "value", "type": ty["value"]}]
                    index(sub, p + ".", ids, paths)
        index(schema["fields"], "", ids, paths)
        if snap.refused:
            return "partition"
        # Schemas naming a field otherwise (renamed, or a name given to a new
        # field): files written with them are read by field id (Delta column
        # mapping mode `id`), which the parquet format cannot say.
        conflicts = set()
        for sid, other in t.schemas.items():
            if other is schema:
                continue
            oi, op = {}, {}
            index(other["fields"], "", oi, op)
            if any(i in oi and oi[i] != p for i, p in ids.items()) or \
                    any(p in op and op[p] != i for i, p in ids.items()):
                conflicts.add(sid)
        mapped = False
        for f in snap.files if conflicts else []:
            writer = t.snapshots.get(f.added_by)
            sid = writer.get("schema-id") if writer else None
            mapped = mapped or sid is None or sid not in t.schemas or sid in conflicts
        defaults = set()

        def scan(fields):
            for f in fields:
                if f.get("initial-default") is not None:
                    defaults.add(f["id"])
                if isinstance(f["type"], dict) and f["type"]["type"] == "struct":
                    scan(f["type"]["fields"])
        scan(schema["fields"])
        if defaults and snap.files:
            # files added by snapshots whose schema lacks a defaulted column
            for sid, other in t.snapshots.items():
                osch = t.schemas.get(other.get("schema-id"))
                oids = {}
                if osch is not None:
                    index(osch["fields"], "", oids, {})
                if not defaults <= set(oids):
                    if any(_added_by(t, other, f) for f in snap.files):
                        top = {f["id"]: f for f in schema["fields"]}
                        servable = all(i in top and _has_default_partition_form(top[i]["type"])
                                       for i in defaults)
                        return "served-default" if servable else "default"
        if mapped:
            props = t.meta.get("properties", {})
            return "namemap" if "schema.name-mapping.default" in props else "mapped"
        return None


def strip_column_mapping(t):
    """Removes (checking them) the column mapping keys of every struct field
    of a Spark type, nested ones included."""
    if not isinstance(t, dict):
        return
    if t.get("type") == "struct":
        for f in t["fields"]:
            md = f["metadata"]
            assert md.pop("delta.columnMapping.physicalName") == f["name"], f
            assert isinstance(md.pop("delta.columnMapping.id"), int), f
            md.pop("delta.columnMapping.nested.ids", None)
            strip_column_mapping(f["type"])
    for k in ("elementType", "keyType", "valueType"):
        strip_column_mapping(t.get(k))


def _has_default_partition_form(ty):
    """Types whose initial defaults the server shares as partition values."""
    return isinstance(ty, str) and (ty in ("boolean", "int", "long", "float", "double", "date", "time",
                                           "timestamp", "timestamptz", "string", "uuid", "binary")
                                    or ty.startswith("decimal") or ty.startswith("fixed"))


def check_served_defaults(o, snap, q, ctx):
    """A snapshot whose files predate columns with initial defaults: those
    columns are partition columns, and the files lacking them carry the
    default (computed here from the spec's JSON forms) as partition value."""
    t = o.table
    schema = t.schema_for(t.snapshots[snap.snapshot_id])
    defaulted = [f for f in schema["fields"] if f.get("initial-default") is not None]
    assert set(f["name"] for f in defaulted) <= set(q.metadata["partitionColumns"]), ctx
    assert len(q.files) == len(snap.files), ctx
    by_size = {e.size: e for e in snap.files}
    predating = 0
    for f in q.files:
        a = f.get("add", f.get("deltaSingleAction", {}).get("add", f))
        e = by_size[a["size"]]
        writer = t.snapshots.get(e.added_by)
        wschema = t.schemas.get(writer.get("schema-id")) if writer else None
        has = {c["id"] for c in wschema["fields"]} if wschema else set()
        for c in defaulted:
            v = a["partitionValues"][c["name"]]
            if c["id"] not in has:
                assert v == iceberg_meta.default_partition_value(c), (ctx, c, v)
                predating += 1
            else:
                assert c["name"] in a["partitionValues"], (ctx, c)
    assert predating > 0, ctx


def _added_by(table, snap, entry):
    try:
        return any(entry.path == f.path for f in table.added_files(
            [v for v, _, s in table.timeline if s is snap][0])[1])
    except (ValueError, IndexError):
        return False


@pytest.fixture(scope="module")
def ice(lakeshare_bin, tmp_path_factory):
    base = str(tmp_path_factory.mktemp("iceberg"))
    # A copy to break: manifests and metadata files damaged by the tests.
    damaged = os.path.join(base, "damaged")
    for name in ("garbage_manifest", "missing_manifest", "garbage_list", "truncated_metadata"):
        shutil.copytree(loc("iceberg/lineitem_iceberg"), os.path.join(damaged, name))
        harness.make_writable(os.path.join(damaged, name))
    _damage(damaged)
    # A copy moved elsewhere: re-basing onto the configured folder.
    moved = os.path.join(base, "moved", "somewhere", "else")
    shutil.copytree(loc("partition_integer"), moved)

    tables = [{"name": n, "location": loc(p), "format": "iceberg", "historyShared": True}
              for n, p in sorted({**TABLES, **BROKEN}.items())]
    tables += [{"name": n, "location": os.path.join(damaged, n), "format": "iceberg", "historyShared": True}
               for n in sorted(os.listdir(damaged))]
    tables.append({"name": "moved", "location": moved, "format": "iceberg", "historyShared": True})
    tables.append({"name": "nohist", "location": loc("hive_partitioned_table"), "format": "iceberg",
                   "historyShared": False})
    config = {
        "version": 1, "host": "127.0.0.1", "port": 0, "endpoint": "/delta-sharing",
        "shares": [{"name": SHARE, "schemas": [{"name": SCHEMA, "tables": tables}]}],
        "recipients": [{"name": "r", "token": TOKEN, "shares": [SHARE]}],
    }
    server = launch_server(lakeshare_bin, config, os.path.join(base, "conf"), name="iceberg")
    client = StrictClient(server.endpoint_url, TOKEN, server)
    yield client, {"moved": moved, "damaged": damaged}
    server.stop_and_check()


def _damage(root):
    def manifests(t):
        md = os.path.join(root, t, "metadata")
        return [os.path.join(md, f) for f in sorted(os.listdir(md)) if f.endswith(".avro") and "-m" in f
                and not f.startswith("snap-")]

    for p in manifests("garbage_manifest"):
        with open(p, "r+b") as f:  # keep the header, scramble the blocks
            data = bytearray(f.read())
            for i in range(len(data) // 2, len(data)):
                data[i] = (data[i] * 7 + 13) % 256
            f.seek(0)
            f.write(data)
    for p in manifests("missing_manifest"):
        os.remove(p)
    md = os.path.join(root, "garbage_list", "metadata")
    for f in os.listdir(md):
        if f.startswith("snap-") and f.endswith(".avro"):
            with open(os.path.join(md, f), "wb") as fh:
                fh.write(b"Obj\x01" + os.urandom(300))
    p = os.path.join(root, "truncated_metadata", "metadata", "v2.metadata.json")
    with open(p, "r+b") as f:
        data = f.read()
        f.seek(0)
        f.truncate()
        f.write(data[: len(data) // 2])


ORACLES = {}


def oracle(name):
    if name not in ORACLES:
        ORACLES[name] = Oracle(TABLES[name])
    return ORACLES[name]


def iso(ms):
    return datetime.datetime.fromtimestamp(ms / 1000, datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


def assert_download(url, size, entries, context=""):
    """The URL serves exactly one of the candidate files on disk; `size` is
    what the manifest records (some test tables' files were rewritten after
    their manifests were written, so the two may differ)."""
    data = expect.download_bytes(url)
    match = [e for e in entries if open(e.path, "rb").read() == data]
    assert match, "%s: downloaded bytes match none of %r" % (context, [e.path for e in entries])
    assert size == match[0].size, "%s: size %d != manifest %d" % (context, size, match[0].size)


def entry_for(f, snap):
    c = expect.candidates(f, snap)
    assert c, "no expected file matches %r" % f
    return c


def delta_keys(files):
    """Delta-format file lines as parquet-like dicts for expect's comparisons."""
    out = []
    for f in files:
        a = add_of(f)
        d = {"size": a["size"], "partitionValues": a["partitionValues"]}
        if "stats" in a:
            d["stats"] = a["stats"]
        out.append(d)
    return out


# ---------------------------------------------------------------------------
# Every table, every version, against the oracle
# ---------------------------------------------------------------------------

@pytest.mark.parametrize("name", sorted(TABLES))
def test_table_every_version(ice, name):
    client, _ = ice
    o = oracle(name)
    coords = (SHARE, SCHEMA, name)
    if o.table is None:
        # The oracle cannot read it either (files outside the recorded location).
        r = client.parse_error(client.query_raw(*coords), 400, "INVALID_TABLE_METADATA")
        assert "outside the table location" in r.message, r.message
        return
    t = o.table
    assert client.table_version(*coords) == t.latest_version
    for v in sorted(o.missing):
        # the metadata names a manifest list or manifest that is not there
        # (the provider's to fix: the recipient is told the table is unavailable)
        err = client.parse_error(client.query_raw(*coords, body={"version": v}), 404, "RESOURCE_DOES_NOT_EXIST")
        assert "unavailable" in err.message, err.message
    for v, snap in sorted(o.snaps.items()):
        ctx = "%s@%d" % (name, v)
        why = o.unreadable(snap)
        resp = client.query_raw(*coords, body={"version": v})
        if why == "served-default":
            check_served_defaults(o, snap, client.parse_query(resp), ctx)
            continue
        if why is not None:
            err = client.parse_error(resp, 400, "UNSUPPORTED_OPERATION")
            words = {"delete": "delete file", "mapped": "column mapping", "namemap": "name-mapping",
                     "partition": "no single value", "default": "initial default",
                     "dv": "deletion vectors"}[why]
            assert words in err.message, "%s: %r" % (ctx, err.message)
            continue
        q = client.parse_query(resp)
        assert q.version == snap.version, "%s: Delta-Table-Version %d != %d" % (ctx, q.version, snap.version)
        assert q.metadata["id"] == t.table_id
        assert q.metadata["partitionColumns"] == snap.partition_columns, ctx
        assert json.loads(q.metadata["schemaString"]) == json.loads(snap.metadata["schemaString"]), ctx
        expect.assert_same_files(q.files, snap, ctx)
        md = client.metadata(*coords, version=v)
        assert md.version == snap.version and md.metadata == q.metadata, ctx
    # latest without a version: same as the latest version
    latest = o.snaps[t.latest_version]
    if o.unreadable(latest) is None:
        q = client.query(*coords)
        expect.assert_same_files(q.files, latest, name)
        for f in q.files[:2]:
            assert_download(f["url"], f["size"], entry_for(f, latest), name)


UNREADABLE_BY_ORACLE = ("column_mapping", "big_query", "bounds")


@pytest.mark.parametrize("name", sorted(n for n in TABLES if n not in UNREADABLE_BY_ORACLE))
def test_delta_format(ice, name):
    client, _ = ice
    o = oracle(name)
    coords = (SHARE, SCHEMA, name)
    snap = o.snaps[o.table.latest_version]
    resp = client.query_raw(*coords, capabilities=ALL_FEATURES)
    why = o.unreadable(snap)
    if why == "served-default":
        check_served_defaults(o, snap, client.parse_query(resp), name)
        return
    if why not in (None, "dv", "mapped"):
        client.parse_error(resp, 400, "UNSUPPORTED_OPERATION")
        return
    q = client.parse_query(resp)
    assert q.format == "delta"
    expect.assert_same_files(delta_keys(q.files), snap, name)
    w = q.metadata_wrapper
    assert w["numFiles"] == len(snap.files) and w["size"] == sum(e.size for e in snap.files)
    schema = json.loads(q.metadata["schemaString"])
    mapped = q.metadata.get("configuration", {}).get("delta.columnMapping.mode") == "id"
    assert mapped == (why == "mapped"), name
    if mapped:
        # every field's Iceberg id and current name; compared without them
        assert "columnMapping" in q.protocol["readerFeatures"], q.protocol
        strip_column_mapping(schema)
    assert schema == json.loads(snap.metadata["schemaString"])
    ntz = "timestamp_ntz" in q.metadata["schemaString"]
    assert ("timestampNtz" in (q.protocol.get("readerFeatures") or [])) == ntz, q.protocol
    for f, k in list(zip(q.files, delta_keys(q.files)))[:1]:
        a = add_of(f)
        assert a["dataChange"] is True and isinstance(a["modificationTime"], int)
        assert_download(a["path"], a["size"], entry_for(k, snap), name)


def test_timestamp_ntz_needs_the_reader_feature(ice):
    client, _ = ice
    coords = (SHARE, SCHEMA, "p_timestamp")
    # parquet format: timestamp_ntz is plain parquet
    client.query(*coords)
    err = client.parse_error(client.query_raw(*coords, capabilities="responseformat=delta"), 400,
                             "UNSUPPORTED_OPERATION")
    assert "timestampntz" in err.message.lower()


def test_lists_show_iceberg_tables(ice):
    client, _ = ice
    names = {t["name"] for t in client.walk(client.list_tables, SHARE, SCHEMA, max_results=7)}
    assert set(TABLES) <= names
    names = {t["name"] for t in client.walk(client.list_all_tables, SHARE)}
    assert set(TABLES) <= names


# ---------------------------------------------------------------------------
# Versions and time travel
# ---------------------------------------------------------------------------

def test_versions_are_sequence_numbers_or_timestamps(ice):
    client, _ = ice
    # v2: sequence numbers
    assert oracle("lineitem").table.versions == [1, 2]
    assert client.table_version(SHARE, SCHEMA, "lineitem") == 2
    # v1 tables have no sequence numbers: commit timestamps
    t = oracle("v1_repro").table
    assert t.versions == [ts for _, ts, _ in t.timeline] and len(t.versions) == 3
    assert client.table_version(SHARE, SCHEMA, "v1_repro") == t.versions[-1]
    # a table without snapshots: version 0, no files
    assert client.table_version(SHARE, SCHEMA, "custom_paths") == 0
    q = client.query(SHARE, SCHEMA, "custom_paths")
    assert q.version == 0 and q.files == []


@pytest.mark.parametrize("name", ["lineitem", "is_null", "null_stats", "v1_repro", "hive", "defaults"])
def test_time_travel_by_timestamp(ice, name):
    client, _ = ice
    coords = (SHARE, SCHEMA, name)
    t = oracle(name).table
    for v, ts, _ in t.timeline:
        for probe in (ts, ts + 1):
            exp = t.version_at_or_before(probe)
            snap = oracle(name).snaps[exp]
            resp = client.query_raw(*coords, body={"timestamp": iso(probe)})
            why = oracle(name).unreadable(snap)
            if why == "served-default":
                check_served_defaults(oracle(name), snap, client.parse_query(resp), name)
                continue
            if why:
                client.parse_error(resp, 400, "UNSUPPORTED_OPERATION")
                continue
            q = client.parse_query(resp)
            assert q.version == exp, "%s ts %d: version %d != %d" % (name, probe, q.version, exp)
            expect.assert_same_files(q.files, snap, "%s@ts%d" % (name, probe))
        # startingTimestamp on /version: the first version at or after
        assert client.table_version(*coords, starting_timestamp=iso(ts)) == t.version_at_or_after(ts)
    first = t.timeline[0][1]
    err = client.parse_error(client.query_raw(*coords, body={"timestamp": iso(first - 1000)}), 400)
    assert "before the earliest version" in err.message
    last = t.timeline[-1][1]
    err = client.parse_error(client.raw("GET", client.table_path(*coords) + "/version",
                                        params={"startingTimestamp": iso(last + 1000)}), 400)
    assert "after the latest version" in err.message


def test_version_errors(ice):
    client, _ = ice
    coords = (SHARE, SCHEMA, "lineitem")
    err = client.parse_error(client.query_raw(*coords, body={"version": 3}), 400, "INVALID_PARAMETER_VALUE")
    assert "Available versions: [0, 2]" in err.message
    # version 0 of a table whose whole history is kept: the empty table
    q = client.query(*coords, body={"version": 0})
    assert q.version == 0 and q.files == []
    err = client.parse_error(client.query_raw(SHARE, SCHEMA, "nohist", body={"version": 1}), 400)
    assert "history sharing is not enabled" in err.message


def test_version_between_snapshots_reads_the_older(ice):
    client, _ = ice
    t = oracle("v1_repro").table
    v1, v2 = t.versions[0], t.versions[1]
    q = client.query(SHARE, SCHEMA, "v1_repro", body={"version": v2 - 1})
    assert q.version == v1
    expect.assert_same_files(q.files, oracle("v1_repro").snaps[v1])


def test_metadata_file_location_pins_history(ice):
    client, _ = ice
    # lineitem's v1.metadata.json: only the first snapshot exists there
    assert client.table_version(SHARE, SCHEMA, "lineitem_v1_file") == 1
    q = client.query(SHARE, SCHEMA, "lineitem_v1_file")
    expect.assert_same_files(q.files, oracle("lineitem").snaps[1])
    for f in q.files:
        assert_download(f["url"], f["size"], entry_for(f, oracle("lineitem").snaps[1]), "v1 file")


def test_moved_table_is_rebased(ice):
    client, paths = ice
    moved = iceberg_meta.IcebergTable(paths["moved"])
    snap = moved.snapshot()
    assert all(e.path.startswith(paths["moved"] + "/") for e in snap.files)
    q = client.query(SHARE, SCHEMA, "moved")
    expect.assert_same_files(q.files, snap)
    for f in q.files:
        assert_download(f["url"], f["size"], entry_for(f, snap), "moved")


# ---------------------------------------------------------------------------
# Deletes
# ---------------------------------------------------------------------------

@pytest.mark.parametrize("name", ["eq_deletes", "eq_deletes_part", "eq_cross", "eq_extra"])
def test_equality_deletes_need_deletion_vectors(ice, name):
    """Equality deletes are resolved into deletion vectors (the rows are
    checked in test_iceberg_deletes.py): clients that cannot take them get
    the 400 naming deletion vectors; versions before the first delete are
    served to every client."""
    client, _ = ice
    coords = (SHARE, SCHEMA, name)
    o = oracle(name)
    latest = o.snaps[o.table.latest_version]
    assert latest.equality_deletes, "test data: %s has equality delete files" % name
    for caps in (None, "responseformat=parquet", "responseformat=delta"):
        err = client.parse_error(client.query_raw(*coords, capabilities=caps), 400)
        assert "deletion" in err.message.lower(), err.message
    q = client.query(*coords, capabilities=ALL_FEATURES)
    assert q.format == "delta"
    assert "deletionVectors" in (q.protocol.get("readerFeatures") or []), q.protocol
    assert any("deletionVector" in f["deltaSingleAction"]["add"] for f in q.files), name
    served = [v for v, s in o.snaps.items() if not s.delete_files and s.files]
    assert served, "test data: %s has versions without deletes" % name
    for v in served:
        expect.assert_same_files(client.query(*coords, body={"version": v}).files, o.snaps[v])


# ---------------------------------------------------------------------------
# Predicates, limitHint, paging
# ---------------------------------------------------------------------------

PREDICATES = [
    ("p_integer", cmp("equal", "partition_col", "42", "int")),
    ("p_integer", cmp("greaterThan", "partition_col", "0", "int")),
    ("p_bigint", cmp("lessThan", "partition_col", "0", "long")),
    ("p_bool", cmp("equal", "partition_col", "true", "bool")),
    ("p_double", cmp("greaterThan", "partition_col", "2.0", "double")),
    ("p_timestamptz", cmp("lessThan", "partition_col", "2023-06-01T00:00:00Z", "timestamp")),
    ("hive", cmp("equal", "event_date", "2024-01-02", "date")),
    ("hive", AND(cmp("greaterThanOrEqual", "event_date", "2024-01-02", "date"),
                 cmp("lessThan", "user_id", "50000", "long"))),
    ("lineitem", cmp("lessThan", "l_orderkey", "100", "long")),
    ("lineitem", cmp("greaterThan", "l_shipdate", "1998-11-01", "date")),
    ("is_null", IS_NULL("value", "string")),
    ("is_null", NOT(IS_NULL("value", "string"))),
    ("null_stats", cmp("equal", "id", "2", "int")),
    ("expr", OR(cmp("equal", "id", "1", "long"), cmp("equal", "id", "100000", "long"))),
    ("lineitem_gz", cmp("greaterThan", "l_quantity", "60", "int")),
    ("v1_repro", cmp("equal", "league", "nba", "string")),
]


@pytest.mark.parametrize("name,pred", PREDICATES, ids=["%s:%s" % (n, json.dumps(p)[:60]) for n, p in PREDICATES])
def test_predicates(ice, name, pred):
    client, _ = ice
    snap = oracle(name).snaps[oracle(name).table.latest_version]
    q = client.query(SHARE, SCHEMA, name, body={"jsonPredicateHints": json.dumps(pred)})
    expect.assert_predicate_result(q.files, snap, pred, name)


def test_predicates_prune_with_stats(ice):
    client, _ = ice
    # hive has one file per (date, type): an equality on the partition keeps exactly its files
    snap = oracle("hive").snaps[oracle("hive").table.latest_version]
    pred = cmp("equal", "event_date", "2024-01-01", "date")
    q = client.query(SHARE, SCHEMA, "hive", body={"jsonPredicateHints": json.dumps(pred)})
    assert 0 < len(q.files) < len(snap.files)
    # stats of a data column: is_null's files differ in their null counts
    snap = oracle("is_null").snaps[oracle("is_null").table.latest_version]
    pred = IS_NULL("value", "string")
    inc, exc = expect.partition_bounds(pred, snap)
    q = client.query(SHARE, SCHEMA, "is_null", body={"jsonPredicateHints": json.dumps(pred)})
    assert len(inc) <= len(q.files) < len(snap.files)


def test_limit_hint(ice):
    client, _ = ice
    snap = oracle("hive").snaps[oracle("hive").table.latest_version]
    q = client.query(SHARE, SCHEMA, "hive", body={"limitHint": 1})
    assert 1 <= len(q.files) < len(snap.files)
    assert sum(json.loads(f["stats"])["numRecords"] for f in q.files) >= 1


@pytest.mark.parametrize("caps", [None, ALL_FEATURES])
def test_paging(ice, caps):
    client, _ = ice
    snap = oracle("hive").snaps[oracle("hive").table.latest_version]
    pages = client.query_pages(SHARE, SCHEMA, "hive", body={"maxFiles": 2}, capabilities=caps)
    assert len(pages) >= 3
    files = [f for p in pages for f in p.files]
    expect.assert_same_files(files if caps is None else delta_keys(files), snap)


def test_refresh_token(ice):
    client, _ = ice
    snap = oracle("hive").snaps[oracle("hive").table.latest_version]
    q = client.query(SHARE, SCHEMA, "hive", body={"includeRefreshToken": True})
    token = q.end_stream["refreshToken"]
    again = client.query(SHARE, SCHEMA, "hive", body={"refreshToken": token})
    expect.assert_same_files(again.files, snap)
    assert sorted(again.ids) == sorted(q.ids)


# ---------------------------------------------------------------------------
# Changes
# ---------------------------------------------------------------------------

@pytest.mark.parametrize("name", ["is_null", "null_stats", "v1_repro", "hive"])
@pytest.mark.parametrize("mode", ["cdf", "stream"])
def test_changes_of_append_only_ranges(ice, name, mode):
    client, _ = ice
    coords = (SHARE, SCHEMA, name)
    t = oracle(name).table
    versions = t.versions
    parts = {v: oracle(name).snaps[v].partition_columns for v in versions}
    for i, start in enumerate(versions):
        for end in versions[i:]:
            params = {"startingVersion": start, "endingVersion": end}
            if mode == "cdf":
                if any(parts[v] != parts[start] for v in versions if start < v <= end):
                    # (hive: a spec adds an identity partition on event_type)
                    err = client.parse_error(client.changes_raw(*coords, params), 400, "UNSUPPORTED_OPERATION")
                    assert "changes its partition columns" in err.message, err.message
                    params["includeHistoricalMetadata"] = "true"
                r = client.changes(*coords, params)
            else:
                r = client.stream(*coords, params)
            assert r.version == start
            for e in r.entries:
                if e["kind"] == "metaData":
                    assert e["metadata"]["partitionColumns"] == parts[e["version"]], e
            got = {}
            for e in r.files:
                assert e["kind"] == "add", e
                got.setdefault(e["version"], []).append(e)
            for v in versions:
                if not start <= v <= end:
                    assert v not in got
                    continue
                op, added, ts = t.added_files(v)
                lines = got.get(v, [])
                assert len(lines) == len(added), "%s %d..%d: version %d has %d adds, expected %d" % (
                    name, start, end, v, len(lines), len(added))
                keys = [{"size": e["size"], "partitionValues": e["partitionValues"],
                         **({"stats": e["stats"]} if e["stats"] is not None else {})} for e in lines]

                class S:
                    files = added
                    version = v
                expect.assert_same_files(keys, S, "%s@%d" % (name, v))
                assert all(e["timestamp"] == ts for e in r.files if e["version"] == v)


def test_changes_with_deletes_refused(ice):
    client, _ = ice
    coords = (SHARE, SCHEMA, "lineitem")
    # version 2 of lineitem deletes a data file
    r = client.changes(*coords, {"startingVersion": 1, "endingVersion": 1})
    assert [e["version"] for e in r.files] == [1]
    for params in ({"startingVersion": 1}, {"startingVersion": 2, "endingVersion": 2}):
        err = client.parse_error(client.changes_raw(*coords, params), 400, "UNSUPPORTED_OPERATION")
        assert "append-only" in err.message
    err = client.parse_error(client.query_raw(*coords, body={"startingVersion": 1}), 400, "UNSUPPORTED_OPERATION")
    assert "append-only" in err.message


# ---------------------------------------------------------------------------
# Broken tables
# ---------------------------------------------------------------------------

BROKEN_CASES = [
    ("bad", 400, "INVALID_TABLE_METADATA", "not valid JSON"),
    ("missing", 404, "RESOURCE_DOES_NOT_EXIST", "unavailable"),
    ("garbage_manifest", 400, "INVALID_TABLE_METADATA", "manifest"),
    ("missing_manifest", 404, "RESOURCE_DOES_NOT_EXIST", "manifest"),
    ("garbage_list", 400, "INVALID_TABLE_METADATA", "manifest list"),
    ("truncated_metadata", 400, "INVALID_TABLE_METADATA", "not valid JSON"),
    ("column_mapping", 400, "INVALID_TABLE_METADATA", "outside the table location"),
    ("bounds", 400, "INVALID_TABLE_METADATA", "outside the table location"),
]


@pytest.mark.parametrize("name,status,code,words", BROKEN_CASES)
def test_broken_tables_give_clear_errors(ice, name, status, code, words):
    client, _ = ice
    coords = (SHARE, SCHEMA, name)
    for resp in (client.query_raw(*coords), client.metadata_raw(*coords)):
        err = client.parse_error(resp, status, code)
        assert words in err.message, err.message
        assert iceberg_meta.ICEBERG_ROOT not in err.message and "/tmp" not in err.message, err.message
    # the server is still there
    client.query(SHARE, SCHEMA, "p_integer")
