"""The admin API's table preview (GET .../tables/{t}/preview) on the real
binary with a SQLite catalog, against an independent reading: the tables'
logs read by delta_log.py / iceberg_meta.py, the parquet files by DuckDB
(read_parquet_records.mjs), deletion vectors decoded in Python. Checked: a
Delta table with deletion vectors (each version), a column-mapped and
partitioned Delta table (logical names, partition values from the log), the
share's partition filter, an Iceberg table, the limit, and refusals (bad
version, limit out of range, a missing table, a corrupt data file)."""
import os
import shutil

import pytest

import harness
import hudi_reader
import iceberg_meta
from delta_rows import delta_rows, key, served_rows
from catalog_db import DbServer, new_catalog_db

# python3-avro warns about Iceberg's "map" logical type on every manifest.
pytestmark = pytest.mark.filterwarnings("ignore:Unknown map")

DV_TABLE = os.path.join(harness.DELTA_ROOT, "table-with-dv-small")
MAPPED = os.path.join(harness.DELTA_ROOT, "table_with_column_mapping")
PARTITIONED = os.path.join(harness.DELTA_ROOT, "delta-0.8.0-partitioned")
ICEBERG = os.path.join(harness.TESTDATA, "iceberg", "duckdb-iceberg", "partition_integer")
BASE = "/shares/p_share/schemas/s/tables/"


@pytest.fixture(scope="module")
def server(request, lakeshare_bin, tmp_path_factory):
    workdir = str(tmp_path_factory.mktemp("preview"))
    db = new_catalog_db("sqlite", workdir, request)
    s = DbServer(lakeshare_bin, db, workdir, name="preview").start()
    yield s
    s.stop()


@pytest.fixture(scope="module")
def ops(server):
    o = server.admin()
    o.ok("POST", "/shares", {"name": "p_share"}, status=201)
    for name, location, extra in [("dv", DV_TABLE, {}), ("mapped", MAPPED, {}),
                                  ("parts", PARTITIONED, {"partitionFilter": "year = '2020'"}),
                                  ("ice", ICEBERG, {"format": "iceberg"})]:
        o.ok("POST", "/shares/p_share/schemas/s/tables", dict(name=name, location=location, **extra),
             status=201)
    return o


@pytest.fixture(scope="module")
def parquet(parquet_rows):
    return hudi_reader.Parquet(parquet_rows.dir.rsplit("/duckdb-node", 1)[0])


def test_a_deletion_vector_table_previews_as_recipients_read_it(ops, parquet):
    for version in (0, 1):
        names, expected = delta_rows(parquet, DV_TABLE, version)
        got = ops.ok("GET", BASE + "dv/preview", params={"version": version})
        assert got["version"] == version
        assert [c["name"] for c in got["columns"]] == names
        assert [c["type"] for c in got["columns"]] == ["integer"]
        assert served_rows(got) == expected, (version, got)
        assert not got["rowsTruncated"] and got["truncatedValues"] == 0
    latest = ops.ok("GET", BASE + "dv/preview")
    assert latest["version"] == 1 and len(latest["rows"]) == 8  # 0 and 9 deleted


def test_column_mapping_and_partition_values(ops, parquet):
    names, expected = delta_rows(parquet, MAPPED)
    got = ops.ok("GET", BASE + "mapped/preview")
    assert [c["name"] for c in got["columns"]] == names == ["Company Very Short", "Super Name"]
    assert [c["partition"] for c in got["columns"]] == [True, False]
    assert sorted(map(key, served_rows(got))) == sorted(map(key, expected))


def test_the_shares_partition_filter_applies(ops, parquet):
    _, expected = delta_rows(parquet, PARTITIONED, keep=lambda pv: pv.get("year") == "2020")
    got = ops.ok("GET", BASE + "parts/preview")
    assert len(expected) == 3
    assert sorted(map(key, served_rows(got))) == sorted(map(key, expected))


def test_an_iceberg_table_previews(ops, parquet):
    table = iceberg_meta.IcebergTable(ICEBERG)
    snap = table.snapshot()
    fields = table.schemas[table.current_schema_id]["fields"]
    names = [f["name"] for f in fields]
    read = parquet.rows([f.path for f in snap.files])

    def value(f, rec, field):
        # Identity partition columns may be left out of the files (here they
        # are): their values come from the manifests, as text.
        name = field["name"]
        if name in snap.partition_columns and name in f.partition_values:
            v = f.partition_values[name]
            return int(v) if v is not None and field["type"] in ("int", "long") else v
        return rec.get(name)

    expected = [{fd["name"]: value(f, rec, fd) for fd in fields} for f in snap.files for rec in read[f.path]]
    got = ops.ok("GET", BASE + "ice/preview")
    assert [c["name"] for c in got["columns"]] == names
    assert sorted(map(key, served_rows(got))) == sorted(map(key, expected))


def test_the_limit_bounds_the_rows(ops):
    got = ops.ok("GET", BASE + "dv/preview", params={"limit": 3, "version": 0})
    assert [r[0] for r in got["rows"]] == [0, 1, 2] and got["rowsTruncated"]
    for bad in ("0", "1001", "x"):
        r = ops.call("GET", BASE + "dv/preview", params={"limit": bad})
        assert r.status_code == 400, (bad, r.text)


def test_refusals_are_clear_json_errors(ops, tmp_path):
    r = ops.call("GET", BASE + "dv/preview", params={"version": 9})
    assert r.status_code == 400 and "version" in r.json()["message"], r.text
    assert ops.call("GET", BASE + "nope/preview").status_code == 404
    broken = str(tmp_path / "broken")
    shutil.copytree(DV_TABLE, broken)
    for name in os.listdir(broken):
        if name.endswith(".parquet"):
            with open(os.path.join(broken, name), "r+b") as f:
                f.seek(-40, os.SEEK_END)
                f.write(b"\x7f" * 36)
    ops.ok("POST", "/shares/p_share/schemas/s/tables", {"name": "broken", "location": broken}, status=201)
    r = ops.call("GET", BASE + "broken/preview")
    assert r.status_code in (400, 502), r.text
    assert "part-00000" in r.json()["message"], r.text
    assert ops.ok("GET", BASE + "dv/preview")["version"] == 1  # the server carries on
