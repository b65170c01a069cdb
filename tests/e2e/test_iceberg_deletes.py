"""Iceberg row-level deletes served end to end as Delta deletion vectors.

Impala's Iceberg test tables (tests/data/iceberg/impala: v2 position deletes
in many shapes, dangling deletes after compaction, null delete records, a
multi-block lineitem with 2,114 deleted positions, v3 deletion vectors in
Puffin, equality deletes) and duckdb-iceberg's legacy_bare_deletion_vector
are shared by a real server. For every version of each table, the rows a
delta-format client reconstructs from the answer (data files downloaded and
read by DuckDB, minus the served deletion vectors, inline or DV files
downloaded by URL) must equal an independent reading: iceberg_deletes.py
applies the table's delete files itself (sequence numbers, partition scope,
referenced files, Puffin blobs, equality deletes matched by field id with
NULL = NULL). Clients that cannot take deletion vectors get a clear 400.
A table written by `lakeshare generate-iceberg --delete-fraction` (the
benchmark's generator) is checked the same way, with parquet and with Avro
(`--delete-format avro`) position delete files.
"""

import hashlib
import json
import os
import subprocess

import pytest

import hudi_reader
import iceberg_deletes
import iceberg_meta
from conftest import launch_server
from strict_client import StrictClient

SHARE, SCHEMA = "ice", "t"
TOKEN = "tok-icedel"
DV_CAPS = "responseformat=delta;readerfeatures=deletionvectors,timestampntz,columnmapping"
NO_DV_CAPS = "responseformat=delta;readerfeatures=timestampntz"
PARQUET_CAPS = "responseformat=parquet"

ICE = "hadoop_catalog/ice/"
TABLES = [
    ICE + "iceberg_v2_delete_positional",
    ICE + "iceberg_v2_partitioned_position_deletes",
    ICE + "iceberg_v2_positional_delete_all_rows",
    ICE + "iceberg_v2_positional_update_all_rows",
    ICE + "iceberg_v2_positional_not_all_data_files_have_delete_files",
    ICE + "iceberg_v2_null_delete_record",
    ICE + "iceberg_spark_compaction_with_dangling_delete",
    ICE + "iceberg_lineitem_multiblock",
    ICE + "iceberg_v2_no_deletes",
    "iceberg_v3/iceberg_v3_deletion_vectors",
    # equality deletes, resolved by the server into deletion vectors
    ICE + "iceberg_v2_delete_equality",
    ICE + "iceberg_v2_delete_equality_multi_eq_ids",
    ICE + "iceberg_v2_delete_equality_nulls",
    ICE + "iceberg_v2_delete_equality_partitioned",
    ICE + "iceberg_v2_delete_equality_partition_evolution",
    ICE + "iceberg_v2_delete_both_eq_and_pos",
    ICE + "iceberg_v2_delete_pos_and_multi_eq_ids",
    # a column renamed after equality deletes on it: served with Delta column
    # mapping mode `id`, the files read by field id
    ICE + "iceberg_v2_equality_delete_schema_evolution",
]
DUCKDB_LEGACY_DV = "legacy_bare_deletion_vector/warehouse/default/legacy_bare_deletion_vector"
DUCKDB_EQ = [
    "equality_deletes/warehouse/mydb/mytable",
    "equality_deletes/warehouse/mydb/mytable_partitioned",
    "equality_delete_cross_partition/warehouse/ns/t/metadata/vfinal.metadata.json",
    "equality_delete_extra_column/warehouse/ns/t/metadata/vfinal.metadata.json",
]


def name_of(rel):
    if rel in DUCKDB_EQ:
        return "duck_" + rel.split("/")[0] + ("_part" if rel.endswith("_partitioned") else "")
    return os.path.basename(rel.rstrip("/"))


def location_of(rel):
    if rel == DUCKDB_LEGACY_DV or rel in DUCKDB_EQ:
        return os.path.join(iceberg_meta.ROOT, rel)
    return os.path.join(iceberg_deletes.impala_root(), rel)


ALL = TABLES + [DUCKDB_LEGACY_DV] + DUCKDB_EQ


@pytest.fixture(scope="module")
def server(lakeshare_bin, tmp_path_factory, parquet_rows):
    base = str(tmp_path_factory.mktemp("icedel"))
    tables = [{"name": name_of(rel), "location": location_of(rel), "format": "iceberg",
               "historyShared": True} for rel in ALL]
    generated = os.path.join(base, "generated")
    out = subprocess.run([lakeshare_bin, "generate-iceberg", "--dir", generated, "--files", "250",
                          "--snapshots", "2", "--rows-per-file", "7", "--files-per-manifest", "40",
                          "--delete-fraction", "0.1"], check=True, capture_output=True, text=True).stdout
    assert "3 position delete files (75 rows deleted in 25 data files), latest version 3" in out, out
    tables.append({"name": "generated", "location": generated, "format": "iceberg", "historyShared": True})
    # The same with Avro position delete files.
    generated_avro = os.path.join(base, "generated_avro")
    out = subprocess.run([lakeshare_bin, "generate-iceberg", "--dir", generated_avro, "--files", "250",
                          "--snapshots", "2", "--rows-per-file", "7", "--files-per-manifest", "40",
                          "--delete-fraction", "0.1", "--delete-format", "avro"],
                         check=True, capture_output=True, text=True).stdout
    assert "3 position delete files (75 rows deleted in 25 data files), latest version 3" in out, out
    tables.append({"name": "generated_avro", "location": generated_avro, "format": "iceberg",
                   "historyShared": True})
    config = {
        "version": 1, "host": "127.0.0.1", "port": 0, "endpoint": "/delta-sharing",
        "shares": [{"name": SHARE, "schemas": [{"name": SCHEMA, "tables": tables}]}],
        "recipients": [{"name": "r", "token": TOKEN, "shares": [SHARE]}],
        # The deletion-vector files go to the server's file cache.
        "hudi": {"mergeCache": os.path.join(base, "file-cache")},
    }
    srv = launch_server(lakeshare_bin, config, os.path.join(base, "conf"), name="icedel")
    client = StrictClient(srv.endpoint_url, TOKEN, srv)
    parquet = hudi_reader.Parquet(parquet_rows.dir.rsplit("/duckdb-node", 1)[0])
    yield (client, parquet, os.path.join(base, "downloads"), os.path.join(base, "file-cache"), generated,
           generated_avro)
    srv.stop_and_check()


def download(url, folder):
    data = iceberg_deletes.expect.download_bytes(url)
    os.makedirs(folder, exist_ok=True)
    path = os.path.join(folder, hashlib.sha256(data).hexdigest() + ".parquet")
    if not os.path.exists(path):
        with open(path, "wb") as f:
            f.write(data)
    return path


def canonical(rows):
    # A column a file lacks reads as null: absent and null compare equal.
    return sorted(json.dumps({k: v for k, v in r.items() if v is not None}, sort_keys=True) for r in rows)


def names_differ(table):
    """Whether a field id has different names in the table's schemas (a
    rename, or a name dropped and given to a new field): such a table is read
    by field id."""
    by_id, by_name = {}, {}
    for schema in table.schemas.values():
        for f in schema["fields"]:
            by_id.setdefault(f["id"], set()).add(f["name"])
            by_name.setdefault(f["name"], set()).add(f["id"])
    return any(len(v) > 1 for v in by_id.values()) or any(len(v) > 1 for v in by_name.values())


def rows_by_field_id(parquet, rows, fields):
    """Rows of each file as a reader matching columns by field id sees them:
    {name: the value of the file column with that field's id, None if the
    file has none}; `fields` is [(name, field id)]."""
    ids = iceberg_deletes.field_ids(parquet, list(rows))
    out = {}
    for path, file_rows in rows.items():
        names = ids[path]
        assert names, "%s: a file without field ids" % path
        out[path] = [{name: r.get(names[i]) if i in names else None for name, i in fields}
                     for r in file_rows]
    return out


def expected_rows(table, version, parquet):
    """(The table's rows at `version` by the independent reader, the number
    of data files with deleted rows)."""
    entry = table.entry_at(version)
    if entry is None:
        return [], 0
    snap = entry[2]
    deleted = iceberg_deletes.deleted_positions(table, snap, parquet)
    data, _ = iceberg_deletes.live_files(table, snap)
    rows = parquet.rows([f.path for f in data])
    if names_differ(table):
        schema = table.schema_for(snap)
        rows = rows_by_field_id(parquet, rows, [(f["name"], f["id"]) for f in schema["fields"]])
    out = []
    for f in data:
        gone = deleted.get(f.path, set())
        out.extend(r for i, r in enumerate(rows[f.path]) if i not in gone)
    return out, len([f for f in data if deleted.get(f.path)])


def served_rows(result, folder, parquet):
    """(rows, number of files with a DV, storage types seen) a client reads."""
    files, with_dv, kinds = [], 0, set()
    for f in result.files:
        add = f["deltaSingleAction"]["add"]
        dv = add.get("deletionVector")
        positions = set()
        if dv is not None:
            positions = iceberg_deletes.served_dv_positions(dv)
            with_dv += 1
            kinds.add(dv["storageType"])
        files.append((download(add["path"], folder), positions, add.get("stats")))
    rows = parquet.rows(sorted({p for p, _, _ in files}))  # identical files download once
    if result.metadata.get("configuration", {}).get("delta.columnMapping.mode") == "id":
        # Delta column mapping mode `id`: the schema's field ids name the columns.
        fields = [(f["name"], f["metadata"]["delta.columnMapping.id"])
                  for f in json.loads(result.metadata["schemaString"])["fields"]]
        rows = rows_by_field_id(parquet, rows, fields)
    out = []
    for path, deleted, stats in files:
        file_rows = rows[path]
        if stats:
            n = json.loads(stats).get("numRecords")
            if n is not None:  # Delta's numRecords: the file's rows, deleted ones included
                assert n == len(file_rows), "numRecords %d != %d rows" % (n, len(file_rows))
        assert all(p < len(file_rows) for p in deleted), "a DV position beyond the file"
        out.extend(r for i, r in enumerate(file_rows) if i not in deleted)
    return out, with_dv, kinds


@pytest.mark.parametrize("rel", ALL, ids=[name_of(r) for r in ALL])
def test_every_version_matches_the_independent_reader(server, rel):
    client, parquet, downloads = server[:3]
    check_every_version(client, parquet, downloads, name_of(rel), location_of(rel))


def test_generated_position_deletes_match_the_independent_reader(server):
    client, parquet, downloads = server[:3]
    check_every_version(client, parquet, downloads, "generated", server[4])


def test_generated_avro_position_deletes_match_the_independent_reader(server):
    """Avro position delete files (records of file_path and pos) are read by
    the server's Avro reader; the oracle reads them with python3-avro."""
    client, parquet, downloads = server[:3]
    location = server[5]
    table = iceberg_meta.IcebergTable(location)
    _, deletes = iceberg_deletes.live_files(table, table.entry_at(table.versions[-1])[2])
    assert deletes and all(d.df["file_format"] == "AVRO" and d.path.endswith(".avro") for d in deletes)
    check_every_version(client, parquet, downloads, "generated_avro", location)


def check_every_version(client, parquet, downloads, name, location):
    table = iceberg_meta.IcebergTable(location)
    assert table.versions, location
    for v in table.versions:
        context = "%s@%d" % (name, v)
        try:
            want, files_with_deletes = expected_rows(table, v, parquet)
        except FileNotFoundError:
            # an expired snapshot whose manifest list is gone: unavailable
            resp = client.query_raw(SHARE, SCHEMA, name, body={"version": v}, capabilities=DV_CAPS)
            client.parse_error(resp, 404, "RESOURCE_DOES_NOT_EXIST")
            continue
        res = client.query(SHARE, SCHEMA, name, body={"version": v}, capabilities=DV_CAPS)
        assert res.version == v, context
        got, with_dv, _ = served_rows(res, downloads, parquet)
        assert with_dv == files_with_deletes, context
        mapped = res.metadata.get("configuration", {}).get("delta.columnMapping.mode") == "id"
        if mapped:
            assert names_differ(table), context
            assert "columnMapping" in res.protocol["readerFeatures"], context
            resp = client.query_raw(SHARE, SCHEMA, name, body={"version": v},
                                    capabilities=DV_CAPS.replace(",columnmapping", ""))
            assert "columnmapping" in client.parse_error(resp, 400).message.lower(), context
        assert canonical(got) == canonical(want), "%s: the served rows differ from the independent " \
            "reading (%d served, %d expected)" % (context, len(got), len(want))
        if with_dv:
            assert "deletionVectors" in (res.protocol.get("readerFeatures") or []), context
            # Clients that cannot apply deletion vectors are refused, clearly.
            for caps in (PARQUET_CAPS, NO_DV_CAPS):
                resp = client.query_raw(SHARE, SCHEMA, name, body={"version": v}, capabilities=caps)
                err = client.parse_error(resp, 400)
                # (a column-mapped version may be refused for that first)
                assert "deletion" in err.message.lower() or \
                    (mapped and "columnmapping" in err.message.lower().replace(" ", "")), (context, caps, err)


def test_large_deletion_vectors_are_dv_files_in_the_cache(server):
    """lineitem's 2,114 deleted positions are too many to inline: a DV file
    in the server's cache, downloaded by a signed URL; a second query serves
    the same file."""
    client, parquet, downloads, cache = server[:4]
    name = "iceberg_lineitem_multiblock"
    res = client.query(SHARE, SCHEMA, name, body={}, capabilities=DV_CAPS)
    _, with_dv, kinds = served_rows(res, downloads, parquet)
    assert with_dv == 1 and kinds == {"p"}
    dv = [f["deltaSingleAction"]["add"]["deletionVector"] for f in res.files
          if "deletionVector" in f["deltaSingleAction"]["add"]][0]
    assert dv["cardinality"] == 2114
    cached = [os.path.join(d, f) for d, _, fs in os.walk(cache) for f in fs if f.endswith(".bin")]
    assert len(cached) == 1
    again = client.query(SHARE, SCHEMA, name, body={}, capabilities=DV_CAPS)
    dv2 = [f["deltaSingleAction"]["add"]["deletionVector"] for f in again.files
           if "deletionVector" in f["deltaSingleAction"]["add"]][0]
    assert iceberg_deletes.served_dv_positions(dv2) == iceberg_deletes.served_dv_positions(dv)
    assert len([f for _, _, fs in os.walk(cache) for f in fs if f.endswith(".bin")]) == 1


def test_equality_deletes_are_resolved_once(server):
    """The positions equality deletes remove are kept in the server's cache
    (.eqd files, one per data file they apply to): a restart or another
    version finds them; the answers stay the same."""
    client, parquet, downloads, cache = server[:4]
    name = "iceberg_v2_delete_equality_multi_eq_ids"
    first = client.query(SHARE, SCHEMA, name, body={}, capabilities=DV_CAPS)
    got, with_dv, _ = served_rows(first, downloads, parquet)
    assert with_dv >= 1
    resolved = [f for _, _, fs in os.walk(cache) for f in fs if f.endswith(".eqd")]
    assert resolved, "no resolved equality deletes in the cache"
    again = client.query(SHARE, SCHEMA, name, body={}, capabilities=DV_CAPS)
    assert canonical(served_rows(again, downloads, parquet)[0]) == canonical(got)
    assert sorted(f for _, _, fs in os.walk(cache) for f in fs if f.endswith(".eqd")) == sorted(resolved)
