"""The admin API reading tables, on the real binary over HTTP, on SQLite and
PostgreSQL: the check of a location before it is shared (POST
/api/v1/inspect-table), adding or moving a table refused with what is wrong
with its location (issue 18 item 14; `check: false` / `--no-check` for
tables that will exist later), what the server reads of a shared table and
its version history."""
import json
import os

import pytest

import harness
from catalog_db import BACKENDS, DbServer, db_config, new_catalog_db, run_cli, write_config
from catalog_db import ADMIN_PASSWORD, ADMIN_USER, VIEWER_PASSWORD, VIEWER_USER

SIMPLE = os.path.join(harness.DELTA_ROOT, "simple_table")
PARTITIONED = os.path.join(harness.DELTA_ROOT, "delta-0.8.0-partitioned")
ICEBERG = os.path.join(harness.TESTDATA, "iceberg", "duckdb-iceberg", "partition_integer")


@pytest.fixture(scope="module", params=BACKENDS)
def server(request, lakeshare_bin, tmp_path_factory):
    workdir = str(tmp_path_factory.mktemp("tables_" + request.param))
    db = new_catalog_db(request.param, workdir, request)
    s = DbServer(lakeshare_bin, db, workdir, name="tables_" + request.param).start()
    yield s
    s.stop()


@pytest.fixture(scope="module")
def ops(server):
    o = server.admin()
    o.ok("POST", "/shares", {"name": "t_share"}, status=201)
    return o


def refused(r, *words):
    assert r.status_code == 400, r.text
    body = r.json()
    assert body["errorCode"] == "INVALID_PARAMETER_VALUE", body
    for w in words:
        assert w in body["message"], (w, body["message"])
    return body["message"]


def test_inspecting_a_location_reports_the_table(ops):
    t = ops.ok("POST", "/inspect-table", {"location": SIMPLE, "format": "delta"})
    assert (t["format"], t["version"], t["location"]) == ("delta", 4, SIMPLE)
    assert t["numFiles"] > 0 and t["sizeBytes"] > 0 and t["timestamp"] > 0
    assert t["schema"]["type"] == "struct" and [f["name"] for f in t["schema"]["fields"]] == ["id"]
    assert t["partitionColumns"] == [] and "partitionFilter" not in t
    p = ops.ok("POST", "/inspect-table", {"location": PARTITIONED, "partitionFilter": "year = '2020'"})
    assert p["partitionColumns"] == ["year", "month", "day"]
    pf = p["partitionFilter"]
    assert 0 < pf["partitionsKept"] < pf["partitionsTotal"] and 0 < pf["filesKept"] < p["numFiles"]
    assert pf["kept"] and all(k["year"] == "2020" for k in pf["kept"])
    i = ops.ok("POST", "/inspect-table", {"location": ICEBERG, "format": "ICEBERG"})
    assert i["format"] == "iceberg" and i["numFiles"] > 0 and i["partitionColumns"]


def test_inspecting_a_bad_location_says_what_is_wrong(ops, tmp_path):
    refused(ops.call("POST", "/inspect-table", {"location": "data/orders"}), "relative path", "data/orders")
    missing = str(tmp_path / "missing")
    refused(ops.call("POST", "/inspect-table", {"location": missing}), "no such file or folder", missing)
    refused(ops.call("POST", "/inspect-table", {"location": str(tmp_path)}), "no _delta_log")
    os.makedirs(tmp_path / "broken" / "_delta_log")
    (tmp_path / "broken" / "_delta_log" / "00000000000000000000.json").write_text("{not json\n")
    r = ops.call("POST", "/inspect-table", {"location": str(tmp_path / "broken")})
    assert r.status_code == 400 and str(tmp_path / "broken") in r.json()["message"], r.text
    refused(ops.call("POST", "/inspect-table", {"location": PARTITIONED, "partitionFilter": "region = 'EU'"}),
            "region")
    assert ops.call("POST", "/inspect-table", {"location": SIMPLE, "format": "csv"}).status_code == 400
    assert ops.call("POST", "/inspect-table", {"location": SIMPLE, "fromat": "delta"}).status_code == 400


def test_viewers_read_shared_tables_but_cannot_probe_locations(server, ops):
    ops.ok("POST", "/shares/t_share/schemas/v/tables", {"name": "simple", "location": SIMPLE}, status=201)
    viewer = server.admin(user=VIEWER_USER, password=VIEWER_PASSWORD)
    r = viewer.call("POST", "/inspect-table", {"location": SIMPLE})
    assert r.status_code == 403, r.text
    assert viewer.ok("GET", "/shares/t_share/schemas/v/tables/simple/inspect")["version"] == 4
    assert viewer.ok("GET", "/shares/t_share/schemas/v/tables/simple/history")["items"][0]["version"] == 4


def test_adding_or_moving_a_table_checks_its_location(ops, tmp_path):
    tables = "/shares/t_share/schemas/d/tables"
    missing = str(tmp_path / "later")
    refused(ops.call("POST", tables, {"name": "bad", "location": missing}), "no such file or folder", missing)
    refused(ops.call("POST", tables, {"name": "bad", "location": "rel/table"}), "relative path")
    refused(ops.call("POST", tables, {"name": "bad", "location": PARTITIONED, "partitionFilter": "nope = 1"}),
            "nope")
    assert ops.call("GET", tables + "/bad").status_code == 404  # nothing was written
    assert ops.call("POST", "/shares/no_such_share/schemas/d/tables",
                    {"name": "t", "location": missing}).status_code == 404
    # A table that will exist later.
    later = ops.ok("POST", tables, {"name": "later", "location": missing, "check": False}, status=201)
    assert later["location"] == missing
    good = ops.ok("POST", tables, {"name": "good", "location": SIMPLE}, status=201)
    refused(ops.call("PATCH", tables + "/good", {"location": missing}), "no such file or folder")
    refused(ops.call("PATCH", tables + "/good", {"format": "hudi"}), "no .hoodie")
    assert ops.ok("GET", tables + "/good")["location"] == SIMPLE
    moved = ops.ok("PATCH", tables + "/good", {"location": PARTITIONED, "version": good["version"]})
    assert moved["location"] == PARTITIONED
    ops.ok("PATCH", tables + "/good", {"location": missing, "check": False})
    # A comment alone does not read the table.
    ops.ok("PATCH", tables + "/later", {"comment": "arrives on Monday"})


def test_a_shared_table_is_inspected_and_its_history_paged(ops):
    tables = "/shares/t_share/schemas/h/tables"
    ops.ok("POST", tables, {"name": "simple", "location": SIMPLE}, status=201)
    ops.ok("POST", tables, {"name": "eu", "location": PARTITIONED, "partitionFilter": "year = '2021'"},
           status=201)
    ops.ok("POST", tables, {"name": "ice", "location": ICEBERG, "format": "iceberg"}, status=201)
    t = ops.ok("GET", tables + "/simple/inspect")
    assert t["version"] == 4 and t["format"] == "delta"
    eu = ops.ok("GET", tables + "/eu/inspect")
    assert all(k["year"] == "2021" for k in eu["partitionFilter"]["kept"])
    versions, token = [], None
    for _ in range(5):
        page = ops.ok("GET", tables + "/simple/history",
                      params={"maxResults": 2, **({"pageToken": token} if token else {})})
        assert len(page["items"]) <= 2
        versions += [v["version"] for v in page["items"]]
        for v in page["items"]:
            assert v["timestamp"] > 0 and v["filesAdded"] >= 0 and v["filesRemoved"] >= 0
        token = page.get("nextPageToken")
        if not token:
            break
    assert versions == [4, 3, 2, 1, 0]
    first = ops.ok("GET", tables + "/simple/history")["items"]
    assert first[-1]["filesAdded"] > 0 and sum(v["filesRemoved"] for v in first) > 0
    assert all(v.get("operation") for v in first)
    ice = ops.ok("GET", tables + "/ice/history")["items"]
    assert ice and ice[0]["version"] == ops.ok("GET", tables + "/ice/inspect")["version"]
    for bad in ({"maxResults": 0}, {"maxResults": 101}, {"pageToken": "x"}, {"pageToken": "-3"}):
        assert ops.call("GET", tables + "/simple/history", params=bad).status_code == 400, bad
    assert ops.call("GET", tables + "/nope/history").status_code == 404
    assert ops.call("GET", tables + "/nope/inspect").status_code == 404


def test_the_cli_checks_and_skips_the_check(server, lakeshare_bin, tmp_path):
    base = ["admin", "--url", server.base_url, "-u", ADMIN_USER, "--json"]
    out = run_cli(lakeshare_bin, base + ["table", "check", SIMPLE], stdin=ADMIN_PASSWORD + "\n")
    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout)["version"] == 4
    missing = str(tmp_path / "later")
    out = run_cli(lakeshare_bin, base + ["table", "add", "t_share", "cli", "t", "--location", missing],
                  stdin=ADMIN_PASSWORD + "\n")
    assert out.returncode != 0 and "no such file or folder" in out.stderr, (out.stdout, out.stderr)
    out = run_cli(lakeshare_bin, base + ["table", "add", "t_share", "cli", "t", "--location", missing,
                                         "--no-check"], stdin=ADMIN_PASSWORD + "\n")
    assert out.returncode == 0, out.stderr
    out = run_cli(lakeshare_bin, base + ["table", "history", "t_share", "h", "simple"],
                  stdin=ADMIN_PASSWORD + "\n")
    assert out.returncode == 0, out.stderr
    # Directly on the database (--config): the same check.
    local = ["admin", "--config", server.config_path, "--json"]
    out = run_cli(lakeshare_bin, local + ["table", "add", "t_share", "cli", "u", "--location", missing])
    assert out.returncode != 0 and "no such file or folder" in out.stderr, (out.stdout, out.stderr)
    out = run_cli(lakeshare_bin, local + ["table", "add", "t_share", "cli", "u", "--location", SIMPLE])
    assert out.returncode == 0, out.stderr


def test_import_checks_every_table_first(lakeshare_bin, tmp_path):
    db_url = "sqlite:" + str(tmp_path / "import.db")
    missing = str(tmp_path / "later")
    cfg = db_config(db_url, shares=[{"name": "imp", "schemas": [{"name": "d", "tables": [
        {"name": "good", "location": SIMPLE}, {"name": "later", "location": missing}]}]}])
    path = write_config(str(tmp_path), cfg)
    out = run_cli(lakeshare_bin, ["import-config", "--config", path])
    assert out.returncode != 0
    assert "imp.d.later" in out.stderr and "no such file or folder" in out.stderr, out.stderr
    assert "imp.d.good" not in out.stderr
    out = run_cli(lakeshare_bin, ["import-config", "--config", path, "--no-check"])
    assert out.returncode == 0, out.stderr
    summary = json.loads(out.stdout)
    assert (summary["sharesCreated"], summary["tablesCreated"]) == (1, 2)  # the refused import wrote nothing


def test_a_hudi_tables_view_is_set_through_the_api_and_the_cli(server, ops, lakeshare_bin, tmp_path,
                                                               parquet_rows):
    """hudiView per table in the catalog database: stored, answered, checked
    against the format, and served: a read-optimized table's recipient gets
    the base files only (rows as hudi_reader.py reads the read-optimized
    view) with the description saying so; the snapshot table gets the
    merged rows."""
    import hudi_reader
    from strict_client import StrictClient
    from test_hudi import DV_CAPS, canonical_rows, served_rows
    root = hudi_reader.unzip_table("hudi-rs-quickstart/quickstart_trips_table/mor/avro/v8_trips_8i3u1d.zip",
                                   str(tmp_path / "trips"))
    tables = "/shares/t_share/schemas/hv/tables"
    ro = ops.ok("POST", tables, {"name": "trips_ro", "location": root, "format": "hudi",
                                 "hudiView": "Read_Optimized"}, status=201)
    assert (ro["format"], ro["hudiView"]) == ("hudi", "read_optimized")
    snap = ops.ok("POST", tables, {"name": "trips", "location": root, "format": "hudi"}, status=201)
    assert snap["hudiView"] == "snapshot"
    refused(ops.call("POST", tables, {"name": "d", "location": SIMPLE, "hudiView": "read_optimized"}),
            "hudi tables only")
    refused(ops.call("POST", tables, {"name": "d", "location": root, "format": "hudi", "hudiView": "incremental"}),
            "hudiView")
    assert "hudiView" not in ops.ok("POST", tables, {"name": "d", "location": SIMPLE}, status=201)
    assert ops.ok("GET", tables + "/trips_ro")["hudiView"] == "read_optimized"
    listed = {t["name"]: t.get("hudiView") for t in ops.ok("GET", tables)["items"]}
    assert listed == {"d": None, "trips": "snapshot", "trips_ro": "read_optimized"}
    # A read-optimized table cannot become a delta table without going back to snapshot.
    refused(ops.call("PATCH", tables + "/trips_ro", {"format": "delta", "check": False}), "hudi tables only")
    # Refused as a setting before the table is read as a Delta table.
    refused(ops.call("PATCH", tables + "/trips_ro", {"format": "delta"}),
            "hudiView read_optimized applies to hudi tables only")

    ops.ok("POST", "/recipients", {"name": "hv_r"}, status=201)
    ops.ok("PUT", "/recipients/hv_r/grants/t_share")
    token = ops.ok("POST", "/recipients/hv_r/tokens", {}, status=201)["bearerToken"]
    client = StrictClient(server.endpoint_url, token)
    parquet = hudi_reader.Parquet(parquet_rows.dir.rsplit("/duckdb-node", 1)[0])
    t = hudi_reader.HudiTable(root, parquet)
    downloads = str(tmp_path / "downloads")

    def served(name):
        res = client.query("t_share", "hv", name, body={}, capabilities=DV_CAPS)
        return res, canonical_rows([r for _, r in served_rows(res, downloads, parquet)], res.schema)

    res, got = served("trips_ro")
    assert "Read-optimized" in (res.metadata.get("description") or "")
    assert got == canonical_rows([r for _, r in t.rows(t.latest, read_optimized=True)], res.schema)
    res, got = served("trips")
    assert "Read-optimized" not in (res.metadata.get("description") or "")
    merged = canonical_rows([r for _, r in t.rows(t.latest)], res.schema)
    assert got == merged
    assert merged != canonical_rows([r for _, r in t.rows(t.latest, read_optimized=True)], res.schema)

    # The CLI: --hudi-view on update, then the table is served merged.
    base = ["admin", "--url", server.base_url, "-u", ADMIN_USER, "--json"]
    out = run_cli(lakeshare_bin, base + ["table", "update", "t_share", "hv", "trips_ro", "--hudi-view", "snapshot"],
                  stdin=ADMIN_PASSWORD + "\n")
    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout)["hudiView"] == "snapshot"
    assert served("trips_ro")[1] == merged
    out = run_cli(lakeshare_bin, base + ["table", "add", "t_share", "hv", "cli_ro", "--location", root,
                                         "--format", "hudi", "--hudi-view", "read_optimized"],
                  stdin=ADMIN_PASSWORD + "\n")
    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout)["hudiView"] == "read_optimized"
    assert "Read-optimized" in (client.query("t_share", "hv", "cli_ro", body={}, capabilities=DV_CAPS)
                                .metadata.get("description") or "")
    # The view is a column of the catalog database.
    views = {r[0]: r[1] for r in server.db.query("SELECT name, hudi_view FROM shared_tables")}
    assert views["cli_ro"] == "read_optimized" and views["trips"] == ""  # NULL: snapshot


def test_an_iceberg_tables_location_map_is_set_through_the_api_and_the_cli(server, ops, lakeshare_bin,
                                                                           tmp_path):
    """locationMap per table in the catalog database: an Iceberg table copied
    elsewhere (Impala's iceberg_multiple_storage_locations, data recorded
    under /test-warehouse/ in several folders) is refused without a map and
    served through the one given to the admin API: at every version the
    files an independent reading finds (the map applied by the test), the
    bytes those of the copy. Stored in order, answered, validated as the
    config's, cleared with {} (the CLI's --location-map takes the JSON)."""
    import shutil
    import expect
    from strict_client import StrictClient
    from test_iceberg_locations import NAME, RECORDED, MappedTable, ice_root
    copy = tmp_path / "copy"
    copy.mkdir()
    for name in os.listdir(ice_root()):
        if name.startswith(NAME):
            shutil.copytree(os.path.join(ice_root(), name), copy / name)
    location = str(copy / NAME)
    oracle = MappedTable(location, {RECORDED: str(copy)})
    tables = "/shares/t_share/schemas/lm/tables"
    # Without a map the check refuses the files outside the table folder.
    refused(ops.call("POST", tables, {"name": "ice", "location": location, "format": "iceberg"}),
            "outside the table location")
    refused(ops.call("POST", "/inspect-table", {"location": location, "format": "iceberg"}),
            "outside the table location")
    mapping = {RECORDED: str(copy), "hdfs://nn:8020/warehouse/": "/srv/unused"}
    # The check before adding reads through the map, as the table is served.
    i = ops.ok("POST", "/inspect-table", {"location": location, "format": "iceberg", "locationMap": mapping})
    assert (i["version"], i["numFiles"]) == (oracle.snapshot().version, len(oracle.snapshot().files))
    refused(ops.call("POST", "/inspect-table", {"location": location, "format": "iceberg",
                                                "locationMap": {RECORDED: "relative/copy"}}),
            "locationMap: 'relative/copy' is not an absolute path or a URI")
    refused(ops.call("POST", "/inspect-table", {"location": location, "hudiView": "read_optimized"}),
            "hudi tables only")
    t = ops.ok("POST", tables, {"name": "ice", "location": location, "format": "iceberg",
                                "historyShared": True, "locationMap": mapping}, status=201)
    assert t["locationMap"] == mapping and list(t["locationMap"]) == list(mapping)
    assert ops.ok("GET", tables + "/ice")["locationMap"] == mapping
    refused(ops.call("POST", tables, {"name": "d", "location": SIMPLE, "locationMap": {"/a/": "/b"}}),
            "iceberg tables only")
    # Refused as a setting before the table is read through it (the console
    # shows such a refusal beside the field it names).
    refused(ops.call("POST", tables, {"name": "x", "location": location, "format": "iceberg",
                                      "locationMap": {RECORDED: "relative/copy"}}),
            "locationMap: 'relative/copy' is not an absolute path or a URI")
    refused(ops.call("POST", tables, {"name": "x", "location": location, "format": "iceberg",
                                      "locationMap": {RECORDED: 7}}), "locationMap")
    refused(ops.call("PATCH", tables + "/ice", {"format": "delta", "check": False}), "iceberg tables only")
    refused(ops.call("PATCH", tables + "/ice", {"format": "delta"}), "locationMap applies to iceberg tables only")

    ops.ok("POST", "/recipients", {"name": "lm_r"}, status=201)
    ops.ok("PUT", "/recipients/lm_r/grants/t_share")
    token = ops.ok("POST", "/recipients/lm_r/tokens", {}, status=201)["bearerToken"]
    client = StrictClient(server.endpoint_url, token)
    assert len(oracle.versions) >= 2
    for v in oracle.versions:
        q = client.query("t_share", "lm", "ice", body={"version": v})
        snap = oracle.snapshot(v)
        expect.assert_same_files(q.files, snap, "ice@%d" % v)
        for f in q.files:
            assert expect.download_and_compare(f, snap, context="ice@%d" % v)

    # The CLI: {} removes the map (the table is then refused), a JSON object sets it.
    base = ["admin", "--url", server.base_url, "-u", ADMIN_USER, "--json"]
    out = run_cli(lakeshare_bin, base + ["table", "update", "t_share", "lm", "ice", "--location-map", "{}",
                                         "--no-check"], stdin=ADMIN_PASSWORD + "\n")
    assert out.returncode == 0, out.stderr
    assert "locationMap" not in json.loads(out.stdout)
    resp = client.query_raw("t_share", "lm", "ice")
    assert resp.status_code == 400 and "outside the table location" in resp.json()["message"], resp.text
    out = run_cli(lakeshare_bin, base + ["table", "add", "t_share", "lm", "cli_ice", "--location", location,
                                         "--format", "iceberg", "--location-map",
                                         json.dumps({RECORDED: str(copy)})],
                  stdin=ADMIN_PASSWORD + "\n")
    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout)["locationMap"] == {RECORDED: str(copy)}
    q = client.query("t_share", "lm", "cli_ice", body={})
    expect.assert_same_files(q.files, oracle.snapshot(), "cli_ice")
    # The map is a column of the catalog database ("from<TAB>to" lines; NULL: none).
    # (psql's rows are tab-separated: the cells after the name are joined back.)
    maps = {r[0]: "\t".join(r[1:]) for r in server.db.query("SELECT name, location_map FROM shared_tables")}
    assert maps["cli_ice"].strip("\n") == RECORDED + "\t" + str(copy) and maps["ice"] == ""
