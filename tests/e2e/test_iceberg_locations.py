"""Iceberg files outside the table folder, end to end: a location map from
recorded prefixes to real locations (per table `locationMap:` and the global
`icebergLocationMap:`).

Impala's iceberg_multiple_storage_locations writes its data files beside the
table folder (…_data, …_data01, …_data02, all recorded under
/test-warehouse/). Served from a copy in another folder through a per-table
map, and from the repository's copy through the global map; for every
version the files must be those an independent reading of the metadata
finds (with the same map applied here, not by the server), and the bytes
behind each URL those of that file. Without a map it is the clear refusal
of a file outside the table.
"""

import os
import shutil

import requests

import expect
import iceberg_deletes
import iceberg_meta
from conftest import launch_server
from strict_client import StrictClient

TOKEN = "tok-locations"
ICE = "hadoop_catalog/ice"
NAME = "iceberg_multiple_storage_locations"
RECORDED = "/test-warehouse/iceberg_test/hadoop_catalog/ice/"


class MappedTable(iceberg_meta.IcebergTable):
    """The independent reading, with recorded locations outside the table
    mapped by prefix."""

    def __init__(self, location, mapping):
        self.mapping = mapping
        super().__init__(location)

    def _path(self, recorded):
        try:
            return super()._path(recorded)
        except ValueError:
            for src, dst in self.mapping.items():
                if recorded.startswith(src):
                    return os.path.join(dst, recorded[len(src):])
            raise


def ice_root():
    return os.path.join(iceberg_deletes.impala_root(), ICE)


def check_versions(client, table, oracle, context):
    versions = oracle.versions
    assert len(versions) >= 2
    folders = set()
    for v in versions:
        q = client.query("locs", "s", table, body={"version": v})
        snap = oracle.snapshot(v)
        expect.assert_same_files(q.files, snap, "%s@%d" % (context, v))
        for f in q.files:
            assert expect.download_and_compare(f, snap, context="%s@%d" % (context, v))
        folders.update(os.path.basename(os.path.dirname(os.path.dirname(e.path))) for e in snap.files)
    # The data really lies in several folders beside the table's.
    assert len(folders) >= 2, folders


def test_table_copied_elsewhere_served_through_maps(lakeshare_bin, tmp_path):
    copy = tmp_path / "copy"
    copy.mkdir()
    for name in os.listdir(ice_root()):
        if name.startswith(NAME):
            shutil.copytree(os.path.join(ice_root(), name), copy / name)
    copied = MappedTable(str(copy / NAME), {RECORDED: str(copy)})
    in_repo = MappedTable(os.path.join(ice_root(), NAME), {RECORDED: ice_root()})
    config = {
        "version": 1, "host": "127.0.0.1", "port": 0, "endpoint": "/delta-sharing",
        # Every Iceberg table: /test-warehouse/ is the repository's copy.
        "icebergLocationMap": {"/test-warehouse/iceberg_test/": iceberg_deletes.impala_root()},
        "shares": [{"name": "locs", "schemas": [{"name": "s", "tables": [
            # The table's own map wins over the global one.
            {"name": "copied", "location": str(copy / NAME), "format": "iceberg",
             "historyShared": True, "locationMap": {RECORDED: str(copy)}},
            {"name": "global", "location": os.path.join(ice_root(), NAME), "format": "iceberg",
             "historyShared": True},
        ]}]}],
        "recipients": [{"name": "r", "token": TOKEN, "shares": ["locs"]}],
    }
    server = launch_server(lakeshare_bin, config, str(tmp_path / "conf"), name="locations")
    try:
        client = StrictClient(server.endpoint_url, TOKEN, server)
        check_versions(client, "copied", copied, "copied")
        check_versions(client, "global", in_repo, "global")
        # The copy is served from the copy, not from the repository's files:
        # once a folder of the copy is gone, its files' URLs are 404s.
        q = client.query("locs", "s", "copied")
        snap = copied.snapshot()
        gone = [f for f in q.files
                if all("_data01/" in e.path for e in expect.candidates(f, snap))]
        assert gone
        shutil.rmtree(copy / (NAME + "_data01"))
        for f in gone:
            assert requests.get(f["url"], timeout=30).status_code == 404
        q = client.query("locs", "s", "global")
        for f in q.files:
            assert requests.get(f["url"], timeout=30).status_code == 200
    finally:
        server.stop_and_check()


def test_without_a_map_files_outside_are_refused(lakeshare_bin, tmp_path):
    config = {
        "version": 1, "host": "127.0.0.1", "port": 0, "endpoint": "/delta-sharing",
        "shares": [{"name": "locs", "schemas": [{"name": "s", "tables": [
            {"name": "plain", "location": os.path.join(ice_root(), NAME), "format": "iceberg"},
        ]}]}],
        "recipients": [{"name": "r", "token": TOKEN, "shares": ["locs"]}],
    }
    server = launch_server(lakeshare_bin, config, str(tmp_path / "conf"), name="nomap")
    try:
        client = StrictClient(server.endpoint_url, TOKEN, server)
        resp = client.query_raw("locs", "s", "plain")
        assert resp.status_code == 400, resp.text
        assert "outside the table location" in resp.json()["message"], resp.text
    finally:
        server.stop_and_check()
