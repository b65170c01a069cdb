"""Checkpoints through the real server, beyond the shared test tables:

- A table written by ``lakeshare generate-delta`` (a parquet checkpoint from
  our own writer + JSON commits): its log is read by DuckDB and the Python
  log reader (checkpoint_log.py) and every version the server serves must
  match; a commit appended later is seen at once (incremental refresh), and
  the same answers come from a server whose snapshot cache is off
  (snapshotCacheBytes: 0).
- Damaged checkpoints (truncated parquet, a V2 checkpoint whose sidecar is
  gone): a JSON 400 naming the table and no server path; versions served
  from an older, intact checkpoint still work; the server carries on.
"""

import json
import os
import shutil
import subprocess

import pytest

import expect
import harness
from checkpoint_log import CheckpointedTable
from conftest import launch_server
from strict_client import StrictClient


def _config(tables, cache_bytes=None):
    config = {
        "version": 1, "host": "127.0.0.1", "port": 0, "endpoint": "/delta-sharing",
        "authorization": {"bearerToken": "tok"},
        "shares": [{"name": "s", "schemas": [{"name": "d", "tables": tables}]}],
    }
    if cache_bytes is not None:
        config["snapshotCacheBytes"] = cache_bytes
    return config


@pytest.fixture(scope="module")
def generated(lakeshare_bin, tmp_path_factory):
    base = str(tmp_path_factory.mktemp("generated"))
    table = os.path.join(base, "synthetic")
    subprocess.run([lakeshare_bin, "generate-delta", "--dir", table, "--files", "20000", "--commits", "10",
                    "--partitions", "30", "--rows-per-row-group", "3000"], check=True, timeout=120,
                   capture_output=True)
    damaged_dir = os.path.join(base, "damaged")
    os.makedirs(damaged_dir)
    vacuumed = harness.copy_table("checkpoints_vacuumed", damaged_dir, "vacuumed")
    with open(os.path.join(vacuumed, "_delta_log", "%020d.checkpoint.parquet" % 10), "r+b") as f:
        f.truncate(500)
    v2 = harness.copy_table("checkpoint-v2-table", damaged_dir, "v2")
    for name in os.listdir(os.path.join(v2, "_delta_log", "_sidecars")):
        if name.startswith("%020d." % 8):
            os.remove(os.path.join(v2, "_delta_log", "_sidecars", name))
    tables = [{"name": "synthetic", "location": table, "historyShared": True},
              {"name": "vacuumed", "location": vacuumed, "historyShared": True},
              {"name": "v2", "location": v2, "historyShared": True}]
    servers = [launch_server(lakeshare_bin, _config(tables), base, name="cached"),
               launch_server(lakeshare_bin, _config(tables, cache_bytes=0), base, name="uncached")]
    yield {"table": table, "clients": [StrictClient(s.endpoint_url, "tok", s) for s in servers], "base": base}
    for s in servers:
        s.stop_and_check()


def _check(client, table_dir, parquet_rows, version=None):
    snap = CheckpointedTable(table_dir, parquet_rows).snapshot(version)
    body = {} if version is None else {"version": version}
    q = client.parse_query(client.query_raw("s", "d", "synthetic", body=body), time_travel=version is not None)
    assert q.version == snap.version
    expect.assert_metadata_matches(q.metadata, snap, "synthetic@%s" % version)
    expect.assert_same_files(q.files, snap, "synthetic@%s" % version)
    return q


def test_generated_table_matches_an_independent_reading(generated, parquet_rows):
    for c in generated["clients"]:
        assert c.table_version("s", "d", "synthetic") == 10
        q = _check(c, generated["table"], parquet_rows)
        assert len(q.files) == 20000
        for v in (0, 1, 5, 10):
            _check(c, generated["table"], parquet_rows, v)


def test_generated_table_new_commit_is_seen(generated, parquet_rows):
    c = generated["clients"][0]
    _check(c, generated["table"], parquet_rows)  # cached at 10
    log = os.path.join(generated["table"], "_delta_log")
    add = {"add": {"path": "date=2024-02-02/part-00001-new.c000.snappy.parquet",
                   "partitionValues": {"date": "2024-02-02"}, "size": 4242, "modificationTime": 1,
                   "dataChange": True, "stats": json.dumps({"numRecords": 7})}}
    with open(os.path.join(log, "%020d.json" % 10)) as f:
        removed = next(json.loads(l)["remove"] for l in f if '"remove"' in l)
    # re-add a removed file and add a new one
    readd = {"add": {"path": removed["path"], "partitionValues": removed["partitionValues"],
                     "size": removed["size"], "modificationTime": 2, "dataChange": True}}
    with open(os.path.join(log, "%020d.json" % 11), "w") as f:
        f.write(json.dumps({"commitInfo": {"timestamp": 1, "operation": "WRITE"}}) + "\n")
        f.write(json.dumps(add) + "\n" + json.dumps(readd) + "\n")
    for client in generated["clients"]:
        assert client.table_version("s", "d", "synthetic") == 11
        q = _check(client, generated["table"], parquet_rows)
        assert len(q.files) == 20002
        _check(client, generated["table"], parquet_rows, 10)


def test_damaged_checkpoints_are_json_400s(generated):
    for c in generated["clients"]:
        for table, good_version in (("vacuumed", 7), ("v2", 7)):
            err = c.parse_error(c.query_raw("s", "d", table, body={}), 400)
            assert table in err.message, err.message
            assert "checkpoint" in err.message, err.message
            for secret in (generated["base"], harness.DELTA_ROOT, harness.REPO_ROOT):
                assert secret not in err.message, "error reveals a server path: %r" % err.message
            # an older, intact checkpoint still serves the versions it reaches
            q = c.parse_query(c.query_raw("s", "d", table, body={"version": good_version}), time_travel=True)
            assert q.version == good_version
        assert c.list_shares()
