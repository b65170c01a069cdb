"""Iceberg schema evolution served with Delta column mapping mode `id`.

A table written by ``lakeshare generate-iceberg`` (columns id, day, category,
value, ts; identity-partitioned by day) has its metadata evolved as an engine
would: ``day`` and ``ts`` renamed, ``category`` dropped and added again (a new
field id), the columns reordered. Its data files keep the old names, so only a
reader matching columns by field id reads them right: a delta-format client
with the ``columnMapping`` feature gets the schema with every field's id and
physical name, and the rows it reads by field id from the downloaded files
equal the rows an independent reader expects (each file read by name with the
schema it was written with, then mapped by field id onto the evolved schema:
renamed columns keep their values, the re-added column is null). Clients
without the feature, and parquet-format clients, get a clear 400; the older
version, read with its own schema whose names its files carry, is served as
before.
"""

import json
import os
import subprocess

import pytest

import expect
import hudi_reader
import iceberg_deletes
import iceberg_meta
from checkpoint_log import copy_script
from conftest import launch_server
from strict_client import StrictClient, add_of

pytestmark = pytest.mark.filterwarnings("ignore:Unknown map")

TOKEN = "tok-iceevo"
COORDS = ("evo", "s", "t")
CM_CAPS = "responseformat=delta;readerfeatures=columnmapping,timestampntz"

# The evolved schema: value first, day -> event_day, ts -> event_time,
# category (id 3) dropped and a new category (id 6) added.
EVOLVED = [
    {"id": 4, "name": "value", "required": False, "type": "double"},
    {"id": 1, "name": "id", "required": True, "type": "long"},
    {"id": 2, "name": "event_day", "required": False, "type": "date"},
    {"id": 5, "name": "event_time", "required": False, "type": "timestamptz"},
    {"id": 6, "name": "category", "required": False, "type": "string"},
]


def evolve(table):
    """Adds the evolved schema as the current one (the snapshots keep
    schema 0: their files carry the old names)."""
    path = iceberg_meta.current_metadata_file(table)
    with open(path) as f:
        m = json.load(f)
    m["schemas"].append({"type": "struct", "schema-id": 1, "fields": EVOLVED})
    m["current-schema-id"] = 1
    m["last-column-id"] = 6
    with open(path, "w") as f:
        json.dump(m, f)


@pytest.fixture(scope="module")
def evolved(lakeshare_bin, tmp_path_factory, parquet_rows):
    base = str(tmp_path_factory.mktemp("iceevo"))
    table = os.path.join(base, "t")
    p = subprocess.run([lakeshare_bin, "generate-iceberg", "--dir", table, "--files", "6",
                        "--snapshots", "2", "--rows-per-file", "4"],
                       capture_output=True, text=True, timeout=300)
    assert p.returncode == 0, p.stderr
    before = iceberg_meta.IcebergTable(table)
    evolve(table)
    config = {
        "version": 1, "host": "127.0.0.1", "port": 0, "endpoint": "/delta-sharing",
        "shares": [{"name": "evo", "schemas": [{"name": "s", "tables": [
            {"name": "t", "location": table, "format": "iceberg", "historyShared": True}]}]}],
        "recipients": [{"name": "r", "token": TOKEN, "shares": ["evo"]}],
    }
    server = launch_server(lakeshare_bin, config, os.path.join(base, "conf"), name="iceevo")
    parquet = hudi_reader.Parquet(parquet_rows.dir.rsplit("/duckdb-node", 1)[0])
    yield (StrictClient(server.endpoint_url, TOKEN, server), iceberg_meta.IcebergTable(table), before,
           parquet, os.path.join(base, "downloads"))
    server.stop_and_check()


def canonical(rows):
    return sorted(json.dumps(r, sort_keys=True) for r in rows)


def expected_rows(table, version, parquet):
    """Each live file read by name with schema 0 (what wrote it), mapped by
    field id onto the evolved schema."""
    snap = table.timeline[[v for v, _, _ in table.timeline].index(version)][2]
    written = {f["id"]: f["name"] for f in table.schemas[0]["fields"]}
    data, _ = iceberg_deletes.live_files(table, snap)
    rows = parquet.rows([f.path for f in data])
    out = []
    for f in data:
        for r in rows[f.path]:
            out.append({c["name"]: r.get(written[c["id"]]) if c["id"] in written else None
                        for c in EVOLVED})
    return out


def served_rows(result, parquet, folder):
    """What a client reading by field id (the schema's delta.columnMapping.id)
    gets from the downloaded files."""
    fields = [(f["name"], f["metadata"]["delta.columnMapping.id"])
              for f in json.loads(result.metadata["schemaString"])["fields"]]
    paths = []
    os.makedirs(folder, exist_ok=True)
    for i, f in enumerate(result.files):
        data = expect.download_bytes(add_of(f)["path"])
        path = os.path.join(folder, "v%d-%d.parquet" % (result.version, i))
        with open(path, "wb") as fh:
            fh.write(data)
        paths.append(path)
    rows = parquet.rows(paths)
    ids = iceberg_deletes.field_ids(parquet, paths)
    out = []
    for path in paths:
        names = ids[path]
        assert names, "%s: a data file without field ids" % path
        for r in rows[path]:
            out.append({name: r.get(names[i]) if i in names else None for name, i in fields})
    return out


def test_an_older_version_keeps_its_schema_and_names(evolved):
    """Version 1 is read with its own schema (schema 0), whose names its
    files carry: served as before, to both formats."""
    client, table, _, parquet, _ = evolved
    assert table.versions == [1, 2]
    snap = table.snapshot(1)
    for caps in ("responseformat=parquet", CM_CAPS):
        q = client.query(*COORDS, body={"version": 1}, capabilities=caps)
        md = q.metadata
        assert "delta.columnMapping.mode" not in (md.get("configuration") or {}), caps
        assert [f["name"] for f in json.loads(md["schemaString"])["fields"]] == \
            ["id", "day", "category", "value", "ts"]
        assert md["partitionColumns"] == ["day"]
        files = q.files if q.format == "parquet" else [
            {"size": add_of(f)["size"], "partitionValues": add_of(f)["partitionValues"],
             "stats": add_of(f)["stats"]} for f in q.files]
        expect.assert_same_files(files, snap, caps)


def test_the_evolved_version_is_read_by_field_id(evolved):
    client, table, _, parquet, downloads = evolved
    for v in [2]:
        ctx = "version %d" % v
        q = client.query(*COORDS, body={"version": v}, capabilities=CM_CAPS)
        assert q.format == "delta" and q.version == v, ctx
        md = q.metadata
        assert md["configuration"]["delta.columnMapping.mode"] == "id", ctx
        assert md["configuration"]["delta.columnMapping.maxColumnId"] == "6", ctx
        assert "columnMapping" in q.protocol["readerFeatures"], ctx
        assert "columnMapping" in q.protocol["writerFeatures"], ctx
        assert q.protocol["minReaderVersion"] == 3 and q.protocol["minWriterVersion"] == 7, ctx
        schema = json.loads(md["schemaString"])
        assert [(f["name"], f["metadata"]["delta.columnMapping.id"],
                 f["metadata"]["delta.columnMapping.physicalName"]) for f in schema["fields"]] == \
            [(c["name"], c["id"], c["name"]) for c in EVOLVED], ctx
        # Partition values and stats are keyed by the physical (current) names.
        assert md["partitionColumns"] == ["event_day"], ctx
        snap = table.snapshot(v)
        expect.assert_same_files([{"size": add_of(f)["size"], "partitionValues": add_of(f)["partitionValues"],
                                   "stats": add_of(f)["stats"]} for f in q.files], snap, ctx)
        for f in q.files:
            stats = json.loads(add_of(f)["stats"])
            assert "event_time" in stats["minValues"] and "ts" not in stats["minValues"], stats
        got = served_rows(q, parquet, downloads)
        want = expected_rows(table, v, parquet)
        assert len(got) == 4 * 6, ctx
        assert canonical(got) == canonical(want), ctx
        assert all(r["category"] is None for r in got), "the re-added column must read as null"
        assert all(r["event_time"] is not None and r["event_day"] is not None for r in got), \
            "renamed columns keep their values"


def test_clients_that_cannot_map_columns_are_refused(evolved):
    client, _, _, _, _ = evolved
    for caps in ("responseformat=parquet", "responseformat=delta;readerfeatures=timestampntz"):
        err = client.parse_error(client.query_raw(*COORDS, capabilities=caps), 400, "UNSUPPORTED_OPERATION")
        assert "columnmapping" in err.message.lower().replace(" ", ""), (caps, err.message)


def test_a_predicate_on_a_renamed_column_prunes(evolved):
    """Hints name logical columns; the stats of the files carry them too."""
    client, table, _, _, _ = evolved
    snap = table.snapshot(2)
    days = sorted({f.partition_values["event_day"] for f in snap.files})
    hint = {"op": "equal", "children": [{"op": "column", "name": "event_day", "valueType": "date"},
                                        {"op": "literal", "value": days[0], "valueType": "date"}]}
    q = client.query(*COORDS, body={"version": 2, "jsonPredicateHints": json.dumps(hint)},
                     capabilities=CM_CAPS)
    assert q.files and all(add_of(f)["partitionValues"]["event_day"] == days[0] for f in q.files)
    assert len(q.files) == len([f for f in snap.files if f.partition_values["event_day"] == days[0]])


# ---------------------------------------------------------------------------
# v3 initial defaults (Impala's test tables) and ORC/Avro data files
# ---------------------------------------------------------------------------

V3 = "iceberg_v3/"
DEFAULT_TABLES = ["iceberg_v3_default_value", "test_default_part", "test_complex_default"]
NOT_PARQUET = {"iceberg_v3_default_value_avro": "AVRO", "iceberg_v3_default_value_orc": "ORC",
               "iceberg_v3_row_lineage_orc": "ORC"}


@pytest.fixture(scope="module")
def impala_v3(lakeshare_bin, tmp_path_factory, parquet_rows):
    base = str(tmp_path_factory.mktemp("icev3"))
    root = os.path.join(iceberg_deletes.impala_root(), V3)
    tables = [{"name": n, "location": os.path.join(root, n), "format": "iceberg", "historyShared": True}
              for n in DEFAULT_TABLES + sorted(NOT_PARQUET)]
    config = {
        "version": 1, "host": "127.0.0.1", "port": 0, "endpoint": "/delta-sharing",
        "shares": [{"name": "v3", "schemas": [{"name": "s", "tables": tables}]}],
        "recipients": [{"name": "r", "token": TOKEN, "shares": ["v3"]}],
    }
    server = launch_server(lakeshare_bin, config, os.path.join(base, "conf"), name="icev3")
    parquet = hudi_reader.Parquet(parquet_rows.dir.rsplit("/duckdb-node", 1)[0])
    yield StrictClient(server.endpoint_url, TOKEN, server), root, parquet, os.path.join(base, "downloads")
    server.stop_and_check()


def _typed(t, text):
    """A partition value string as the JSON value DuckDB gives the column."""
    if text is None:
        return None
    if t in ("int", "long"):
        return int(text)
    return text


@pytest.mark.parametrize("name", DEFAULT_TABLES)
def test_initial_defaults_reach_the_client_or_are_refused(impala_v3, name):
    """Files written before a column with an initial default read as the
    default: the server shares such columns as partition values (the
    default for the old files, the single value of the newer ones); where
    it cannot, a 400 names the column. Checked against each file read by
    name with its own schema, the defaults filled in by this test."""
    client, root, parquet, downloads = impala_v3
    table = iceberg_meta.IcebergTable(os.path.join(root, name))
    schema = table.schemas[table.current_schema_id]
    defaults = {f["name"]: f for f in schema["fields"] if f.get("initial-default") is not None}
    assert defaults, name
    snap = table.timeline[-1][2]
    data, _ = iceberg_deletes.live_files(table, snap)
    rows = parquet.rows([f.path for f in data])
    want = []
    for f in data:
        for r in rows[f.path]:
            row = {}
            for c in schema["fields"]:
                if c["name"] in r:
                    row[c["name"]] = r[c["name"]]
                elif c["name"] in defaults:
                    row[c["name"]] = defaults[c["name"]]["initial-default"]
                else:
                    row[c["name"]] = None
            want.append(row)
    resp = client.query_raw("v3", "s", name, capabilities="responseformat=parquet")
    if resp.status_code == 400:
        err = client.parse_error(resp, 400, "UNSUPPORTED_OPERATION")
        assert ("has an initial default" in err.message or "have initial defaults" in err.message) and \
            any("'%s'" % n in err.message for n in defaults), err.message
        return
    q = client.parse_query(resp)
    parts = q.metadata["partitionColumns"]
    assert set(defaults) <= set(parts), (name, parts)
    types = {c["name"]: c["type"] for c in schema["fields"]}
    got = []
    os.makedirs(downloads, exist_ok=True)
    for i, f in enumerate(q.files):
        path = os.path.join(downloads, "%s-%d.parquet" % (name, i))
        with open(path, "wb") as fh:
            fh.write(expect.download_bytes(f["url"]))
        for r in parquet.rows([path])[path]:
            row = {c["name"]: r.get(c["name"]) for c in schema["fields"]}
            for p in parts:  # a Delta reader takes partition columns from partitionValues
                row[p] = _typed(types[p], f["partitionValues"][p])
            got.append(row)
    assert canonical(got) == canonical(want), name


@pytest.mark.parametrize("name", sorted(NOT_PARQUET))
def test_orc_and_avro_data_files_are_refused_naming_the_format(impala_v3, name):
    client, _, _, _ = impala_v3
    for caps in ("responseformat=parquet", "responseformat=delta;readerfeatures=deletionvectors,columnmapping"):
        err = client.parse_error(client.query_raw("v3", "s", name, capabilities=caps), 400,
                                 "UNSUPPORTED_OPERATION")
        assert "in %s format" % NOT_PARQUET[name] in err.message, err.message


# ---------------------------------------------------------------------------
# Initial defaults of time, timestamp, binary, fixed and uuid columns
# ---------------------------------------------------------------------------

# Columns added (v3) with an initial default in Iceberg's JSON single-value
# form; the generated files predate them.
DEFAULTED = [
    {"id": 6, "name": "t_time", "required": False, "type": "time", "initial-default": "22:31:08.123456"},
    {"id": 7, "name": "t_ts", "required": False, "type": "timestamp",
     "initial-default": "2017-11-16T22:31:08.5"},
    {"id": 8, "name": "t_tstz", "required": False, "type": "timestamptz",
     "initial-default": "2024-01-15T10:30:45.123456-02:00"},
    {"id": 9, "name": "t_uuid", "required": False, "type": "uuid",
     "initial-default": "f79c3e09-677c-4bbd-a479-3f349cb785e7"},
    {"id": 10, "name": "t_bin", "required": False, "type": "binary", "initial-default": "00017fff41"},
    {"id": 11, "name": "t_fixed", "required": False, "type": "fixed[3]", "initial-default": "e282ac"},
]


# Nanosecond timestamps are served as Spark's (microsecond) timestamps: a
# default without digits below a microsecond is exact there.
NANOS_EXACT = [
    {"id": 6, "name": "t_ns", "required": False, "type": "timestamp_ns",
     "initial-default": "2017-11-16T22:31:08.123456000"},
    {"id": 7, "name": "t_tsns", "required": False, "type": "timestamptz_ns",
     "initial-default": "2024-01-15T10:30:45.5-02:00"},
]


def _add_defaulted_columns(table, extra):
    path = iceberg_meta.current_metadata_file(table)
    with open(path) as f:
        m = json.load(f)
    fields = m["schemas"][0]["fields"] + extra
    m["schemas"].append({"type": "struct", "schema-id": 1, "fields": fields})
    m["current-schema-id"] = 1
    m["last-column-id"] = max(f["id"] for f in fields)
    with open(path, "w") as f:
        json.dump(m, f)


@pytest.fixture(scope="module")
def defaulted(lakeshare_bin, tmp_path_factory):
    base = str(tmp_path_factory.mktemp("icedef"))
    tables = []
    for name, extra in (("typed", DEFAULTED),
                        ("nanos", [{"id": 6, "name": "t_ns", "required": False, "type": "timestamp_ns",
                                    "initial-default": "2017-11-16T22:31:08.123456789"}]),
                        ("nanos_exact", NANOS_EXACT)):
        table = os.path.join(base, name)
        p = subprocess.run([lakeshare_bin, "generate-iceberg", "--dir", table, "--files", "3",
                            "--snapshots", "1", "--rows-per-file", "2"],
                           capture_output=True, text=True, timeout=300)
        assert p.returncode == 0, p.stderr
        _add_defaulted_columns(table, extra)
        tables.append({"name": name, "location": table, "format": "iceberg"})
    config = {
        "version": 1, "host": "127.0.0.1", "port": 0, "endpoint": "/delta-sharing",
        "shares": [{"name": "def", "schemas": [{"name": "s", "tables": tables}]}],
        "recipients": [{"name": "r", "token": TOKEN, "shares": ["def"]}],
    }
    server = launch_server(lakeshare_bin, config, os.path.join(base, "conf"), name="icedef")
    yield StrictClient(server.endpoint_url, TOKEN, server)
    server.stop_and_check()


def test_defaults_of_time_timestamp_and_binary_types_are_partition_values(defaulted):
    client = defaulted
    q = client.query("def", "s", "typed", capabilities="responseformat=delta;readerfeatures=timestampntz")
    md = q.metadata
    parts = md["partitionColumns"]
    assert set(f["name"] for f in DEFAULTED) <= set(parts), parts
    types = {f["name"]: f["type"] for f in json.loads(md["schemaString"])["fields"]}
    assert types["t_time"] == "long" and types["t_ts"] == "timestamp_ntz" and \
        types["t_tstz"] == "timestamp", types
    assert all(types[f["name"]] == "binary" for f in DEFAULTED[3:]), types
    assert len(q.files) == 3
    for f in q.files:
        values = add_of(f)["partitionValues"]
        for field in DEFAULTED:
            assert values[field["name"]] == iceberg_meta.default_partition_value(field), (field, values)
    # The literal forms, for the record.
    values = add_of(q.files[0])["partitionValues"]
    assert values["t_time"] == "81068123456"
    assert values["t_ts"] == "2017-11-16 22:31:08.500000"
    assert values["t_tstz"] == "2024-01-15 12:30:45.123456"
    assert values["t_bin"] == "\x00\x01\x7f\xff\x41"
    assert values["t_fixed"] == "\xe2\x82\xac"


def test_a_nanosecond_default_is_refused_naming_the_column(defaulted):
    client = defaulted
    err = client.parse_error(client.query_raw("def", "s", "nanos", capabilities="responseformat=parquet"),
                             400, "UNSUPPORTED_OPERATION")
    assert "'t_ns'" in err.message and "initial default" in err.message, err.message
    assert "below a microsecond" in err.message, err.message


def test_exact_nanosecond_defaults_are_microsecond_partition_values(defaulted):
    client = defaulted
    q = client.query("def", "s", "nanos_exact", capabilities="responseformat=delta;readerfeatures=timestampntz")
    md = q.metadata
    assert {"t_ns", "t_tsns"} <= set(md["partitionColumns"]), md["partitionColumns"]
    types = {f["name"]: f["type"] for f in json.loads(md["schemaString"])["fields"]}
    assert types["t_ns"] == "timestamp_ntz" and types["t_tsns"] == "timestamp", types
    assert len(q.files) == 3
    for f in q.files:
        values = add_of(f)["partitionValues"]
        for field in NANOS_EXACT:
            assert values[field["name"]] == iceberg_meta.default_partition_value(field), (field, values)
    values = add_of(q.files[0])["partitionValues"]
    assert values["t_ns"] == "2017-11-16 22:31:08.123456"
    assert values["t_tsns"] == "2024-01-15 12:30:45.500000"
    # parquet-format clients get the same values
    p = client.query("def", "s", "nanos_exact", capabilities="responseformat=parquet")
    assert all(f["partitionValues"]["t_ns"] == "2017-11-16 22:31:08.123456" for f in p.files)


# ---------------------------------------------------------------------------
# Name-mapped tables (schema.name-mapping.default) with renamed columns
# ---------------------------------------------------------------------------

# Impala's iceberg_migrated_alter_test: a Hive table migrated to Iceberg, its
# one data file (000000_0) written by Hive without parquet field ids, its
# columns mapped by name (int_col -> 1, string_col -> 2, double_col -> 3).
MIGRATED = "iceberg_migrated_alter_test"
# Evolutions as Iceberg's UpdateSchema records them in the name mapping:
# a rename adds the new name to the field's names; a column dropped and added
# again under its old name takes the name over (MappingUtil.update).
MIGRATED_EVOLUTIONS = {
    # int_col -> int_value, string_col -> str: the file keeps the old names
    "renamed": ([{"id": 1, "name": "int_value", "required": False, "type": "int"},
                 {"id": 2, "name": "str", "required": False, "type": "string"},
                 {"id": 3, "name": "double_col", "required": False, "type": "double"}],
                [{"field-id": 1, "names": ["int_col", "int_value"]},
                 {"field-id": 2, "names": ["string_col", "str"]},
                 {"field-id": 3, "names": ["double_col"]}]),
    # double_col (3) dropped and added again (4): the mapping gives the name
    # to field 4, so Iceberg reads the old file's double_col as the new column;
    # string_col (2) dropped, a new string_col (5) the mapping does not name:
    # no file has it (its old column must not be read as it).
    "readded": ([{"id": 1, "name": "int_col", "required": False, "type": "int"},
                 {"id": 4, "name": "double_col", "required": False, "type": "double"},
                 {"id": 5, "name": "string_col", "required": False, "type": "string"}],
                [{"field-id": 1, "names": ["int_col"]},
                 {"field-id": 2, "names": ["string_col"]},
                 {"field-id": 3, "names": []},
                 {"field-id": 4, "names": ["double_col"]},
                 {"field-id": 5, "names": []}]),
}


@pytest.fixture(scope="module")
def migrated(lakeshare_bin, tmp_path_factory, parquet_rows):
    import shutil
    base = str(tmp_path_factory.mktemp("icemap"))
    tables = []
    # The table as Impala left it (no rename): served without column mapping.
    tables.append({"name": "plain", "location": os.path.join(iceberg_deletes.impala_root(), MIGRATED),
                   "format": "iceberg"})
    for name, (fields, mapping) in MIGRATED_EVOLUTIONS.items():
        table = os.path.join(base, name)
        shutil.copytree(os.path.join(iceberg_deletes.impala_root(), MIGRATED), table)
        path = iceberg_meta.current_metadata_file(table)
        with open(path) as f:
            m = json.load(f)
        m["schemas"].append({"type": "struct", "schema-id": 1, "fields": fields})
        m["current-schema-id"] = 1
        m["last-column-id"] = max(6, m["last-column-id"])
        m["properties"]["schema.name-mapping.default"] = json.dumps(mapping)
        with open(path, "w") as f:
            json.dump(m, f)
        tables.append({"name": name, "location": table, "format": "iceberg"})
    config = {
        "version": 1, "host": "127.0.0.1", "port": 0, "endpoint": "/delta-sharing",
        "shares": [{"name": "map", "schemas": [{"name": "s", "tables": tables}]}],
        "recipients": [{"name": "r", "token": TOKEN, "shares": ["map"]}],
    }
    server = launch_server(lakeshare_bin, config, os.path.join(base, "conf"), name="icemap")
    parquet = hudi_reader.Parquet(parquet_rows.dir.rsplit("/duckdb-node", 1)[0])
    yield StrictClient(server.endpoint_url, TOKEN, server), base, parquet, os.path.join(base, "downloads")
    server.stop_and_check()


def name_mapped_rows(table, parquet):
    """The independent reading: each live file by field id when it has ids,
    else through the table's name mapping (a column whose name the mapping
    lists for a field id is that field), onto the current schema."""
    schema = table.schemas[table.current_schema_id]
    mapping = {}
    for e in json.loads(table.meta["properties"]["schema.name-mapping.default"]):
        for n in e.get("names") or []:
            mapping[n] = e["field-id"]
    data, _ = iceberg_deletes.live_files(table, table.timeline[-1][2])
    paths = [f.path for f in data]
    rows, ids = parquet.rows(paths), iceberg_deletes.field_ids(parquet, paths)
    out = []
    for p in paths:
        by_id = ids[p] or None
        for r in rows[p]:
            if by_id is None:
                by_id_row = {mapping[k]: v for k, v in r.items() if k in mapping}
            else:
                by_id_row = {i: r.get(n) for i, n in by_id.items()}
            out.append({c["name"]: by_id_row.get(c["id"]) for c in schema["fields"]})
    return out


@pytest.mark.parametrize("name", sorted(MIGRATED_EVOLUTIONS))
def test_name_mapped_renames_are_read_by_the_files_names(migrated, name):
    """Column mapping mode `name`: a client reading each file's columns by
    the schema's physical names gets the rows Iceberg's name mapping gives."""
    client, base, parquet, downloads = migrated
    table = iceberg_meta.IcebergTable(os.path.join(base, name))
    q = client.query("map", "s", name, capabilities=CM_CAPS)
    md = q.metadata
    assert md["configuration"]["delta.columnMapping.mode"] == "name", md
    assert "columnMapping" in q.protocol["readerFeatures"] and "columnMapping" in q.protocol["writerFeatures"]
    fields = json.loads(md["schemaString"])["fields"]
    physical = {f["name"]: f["metadata"]["delta.columnMapping.physicalName"] for f in fields}
    assert [f["metadata"]["delta.columnMapping.id"] for f in fields] == \
        [c["id"] for c in MIGRATED_EVOLUTIONS[name][0]]
    if name == "renamed":
        assert physical == {"int_value": "int_col", "str": "string_col", "double_col": "double_col"}
    else:
        assert physical["double_col"] == "double_col" and physical["int_col"] == "int_col"
        assert physical["string_col"] not in ("string_col",), physical  # not the dropped column's
    # Stats are keyed by the physical names.
    for f in q.files:
        stats = json.loads(add_of(f)["stats"])
        assert set(stats.get("minValues", {})) <= set(physical.values()), stats
    os.makedirs(downloads, exist_ok=True)
    got = []
    for i, f in enumerate(q.files):
        path = os.path.join(downloads, "%s-%d.parquet" % (name, i))
        with open(path, "wb") as fh:
            fh.write(expect.download_bytes(add_of(f)["path"]))
        for r in parquet.rows([path])[path]:
            got.append({n: r.get(p) for n, p in physical.items()})
    want = name_mapped_rows(table, parquet)
    assert got and canonical(got) == canonical(want), (got, want)
    if name == "readded":
        assert all(r["string_col"] is None for r in got)
        assert any(r["double_col"] is not None for r in got)
    # Clients that cannot map columns are refused, clearly.
    for caps in ("responseformat=parquet", "responseformat=delta;readerfeatures=timestampntz"):
        err = client.parse_error(client.query_raw("map", "s", name, capabilities=caps), 400,
                                 "UNSUPPORTED_OPERATION")
        assert "columnmapping" in err.message.lower().replace(" ", ""), (caps, err.message)


def test_a_name_mapped_table_without_renames_is_served_by_its_names(migrated):
    """Impala's migrated table as it is: its file's names are the schema's,
    so no column mapping; both formats read the rows the mapping gives."""
    client, _, parquet, downloads = migrated
    table = iceberg_meta.IcebergTable(os.path.join(iceberg_deletes.impala_root(), MIGRATED))
    want = name_mapped_rows(table, parquet)
    assert want
    for caps in ("responseformat=parquet", CM_CAPS):
        q = client.query("map", "s", "plain", capabilities=caps)
        assert "delta.columnMapping.mode" not in (q.metadata.get("configuration") or {}), caps
        got = []
        os.makedirs(downloads, exist_ok=True)
        for i, f in enumerate(q.files):
            url = f["url"] if q.format == "parquet" else add_of(f)["path"]
            path = os.path.join(downloads, "plain-%s-%d.parquet" % (q.format, i))
            with open(path, "wb") as fh:
                fh.write(expect.download_bytes(url))
            got.extend(parquet.rows([path])[path])
        assert canonical(got) == canonical(want), caps


def _duckdb(parquet, statements):
    """Runs DuckDB statements (run_duckdb_sql.mjs) in the reader's folder."""
    script = copy_script(parquet.dir, "run_duckdb_sql.mjs")
    subprocess.run(["node", script, json.dumps({"statements": statements})], cwd=parquet.dir,
                   check=True, timeout=300, capture_output=True, text=True)


def _rewrite(parquet, path, select, field_ids=None):
    """Rewrites a data file by a SELECT over it: without field ids (as Hive
    writes), or with `field_ids` ({column: id})."""
    tmp = path + ".tmp"
    opts = "FORMAT parquet"
    if field_ids is not None:
        opts += ", FIELD_IDS {%s}" % ", ".join("%s: %d" % (k, v) for k, v in field_ids.items())
    _duckdb(parquet, ["COPY (SELECT %s FROM read_parquet('%s')) TO '%s' (%s)" % (select, path, tmp, opts)])
    os.replace(tmp, path)


@pytest.fixture(scope="module")
def mixed(lakeshare_bin, tmp_path_factory, parquet_rows):
    """A generated table whose first two data files were written without
    field ids (read through the name mapping) and the others with them, its
    column category (id 3) renamed to kind: `mixed` (every file names it
    category: served by name), `clash` (the last file, written after the
    rename, names it kind: no one name reads every file)."""
    import shutil
    base = str(tmp_path_factory.mktemp("icemix"))
    parquet = hudi_reader.Parquet(parquet_rows.dir.rsplit("/duckdb-node", 1)[0])
    first = os.path.join(base, "mixed")
    p = subprocess.run([lakeshare_bin, "generate-iceberg", "--dir", first, "--files", "4",
                        "--snapshots", "2", "--rows-per-file", "3"], capture_output=True, text=True, timeout=300)
    assert p.returncode == 0, p.stderr
    path = iceberg_meta.current_metadata_file(first)
    with open(path) as f:
        m = json.load(f)
    fields = [dict(c) for c in m["schemas"][0]["fields"]]
    mapping = [{"field-id": c["id"], "names": [c["name"]]} for c in fields]
    for c, e in zip(fields, mapping):
        if c["name"] == "category":
            c["name"] = "kind"
            e["names"].append("kind")
    m["schemas"].append({"type": "struct", "schema-id": 1, "fields": fields})
    m["current-schema-id"] = 1
    m.setdefault("properties", {})["schema.name-mapping.default"] = json.dumps(mapping)
    with open(path, "w") as f:
        json.dump(m, f)
    data = sorted(os.path.join(d, f) for d, _, fs in os.walk(os.path.join(first, "data"))
                  for f in fs if f.endswith(".parquet"))
    assert len(data) == 4
    for f in data[:2]:
        _rewrite(parquet, f, "*")  # no field ids
    clash = os.path.join(base, "clash")
    shutil.copytree(first, clash)
    last = os.path.join(clash, os.path.relpath(data[3], first))
    _rewrite(parquet, last, "id, day, category AS kind, value, ts",
             {"id": 1, "day": 2, "kind": 3, "value": 4, "ts": 5})
    tables = [{"name": n, "location": os.path.join(base, n), "format": "iceberg"} for n in ("mixed", "clash")]
    config = {
        "version": 1, "host": "127.0.0.1", "port": 0, "endpoint": "/delta-sharing",
        "shares": [{"name": "mix", "schemas": [{"name": "s", "tables": tables}]}],
        "recipients": [{"name": "r", "token": TOKEN, "shares": ["mix"]}],
    }
    server = launch_server(lakeshare_bin, config, os.path.join(base, "conf"), name="icemix")
    yield StrictClient(server.endpoint_url, TOKEN, server), base, parquet, os.path.join(base, "downloads")
    server.stop_and_check()


def test_files_with_and_without_field_ids_agreeing_on_names_are_read_by_name(mixed):
    client, base, parquet, downloads = mixed
    table = iceberg_meta.IcebergTable(os.path.join(base, "mixed"))
    ids = iceberg_deletes.field_ids(parquet, [f.path for f in iceberg_deletes.live_files(
        table, table.timeline[-1][2])[0]])
    assert sorted(bool(v) for v in ids.values()) == [False, False, True, True]
    q = client.query("mix", "s", "mixed", capabilities=CM_CAPS)
    md = q.metadata
    assert md["configuration"]["delta.columnMapping.mode"] == "name"
    fields = json.loads(md["schemaString"])["fields"]
    physical = {f["name"]: f["metadata"]["delta.columnMapping.physicalName"] for f in fields}
    assert physical == {"id": "id", "day": "day", "kind": "category", "value": "value", "ts": "ts"}
    assert md["partitionColumns"] == ["day"]
    got = []
    os.makedirs(downloads, exist_ok=True)
    for i, f in enumerate(q.files):
        add = add_of(f)
        assert set(add["partitionValues"]) == {"day"}
        assert "category" in json.loads(add["stats"])["minValues"]
        path = os.path.join(downloads, "mixed-%d.parquet" % i)
        with open(path, "wb") as fh:
            fh.write(expect.download_bytes(add["path"]))
        for r in parquet.rows([path])[path]:
            row = {n: r.get(p) for n, p in physical.items()}
            row["day"] = add["partitionValues"]["day"]
            got.append(row)
    want = name_mapped_rows(table, parquet)
    assert len(got) == 12 and canonical(got) == canonical(want), (got, want)


def test_a_column_with_two_names_across_files_is_refused_naming_it(mixed):
    client = mixed[0]
    for caps in (CM_CAPS, "responseformat=parquet"):
        err = client.parse_error(client.query_raw("mix", "s", "clash", capabilities=caps), 400,
                                 "UNSUPPORTED_OPERATION")
        assert "column 'kind' is 'category' in data file" in err.message and \
            "and 'kind' in data file" in err.message and "schema.name-mapping.default" in err.message, \
            err.message
