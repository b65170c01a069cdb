"""Hudi tables in object stores: sample tables of tests/data/hudi uploaded to
S3 (the `s3rver` emulator) and Azure Blob (`azurite`), served from s3:// and
abfss:// locations. For the first, a middle and the latest version (every
version of every table is test_hudi.py's work, on local copies), the rows a client reads from the
answer (base files at URLs the store signed, merged slices at the server's
own URLs, deletion vectors applied) equal hudi_reader.py's independent
reading of the local copy, in both response formats; base-file URLs point
at the emulator and S3 ones carry botocore's signature. Change data of a
change-logging table is written into a merge cache in the store and read
back as the independent reader infers it."""

import os
import subprocess

import pytest

import emulators
import hudi_reader
from conftest import launch_server
from strict_client import StrictClient
from test_cloud import BUCKET, cloud_location, start_emulator, storage_entry
from test_hudi import (DV_CAPS, PARQUET_CAPS, canonical_rows, check_partition_values, download,
                       expected_change_data, served_rows)

TOKEN = "tok-hudi-cloud"
ARCHIVES = {
    "cow_v9": "hudi-rs/cow/v9_txns_simple_meta.zip",  # partitioned, replace commits
    "cow_v6": "hudi-rs/cow/v6_complexkeygen_hivestyle.zip",  # JSON commit metadata
    "mor_v8": "hudi-rs-quickstart/quickstart_trips_table/mor/avro/v8_trips_8i3u1d.zip",  # merges, deletes
}


@pytest.fixture(scope="module", params=["s3", "azure"])
def hudi_cloud(request, lakeshare_bin, tmp_path_factory, parquet_rows):
    storage = request.param
    base = str(tmp_path_factory.mktemp("hudi-cloud-" + storage))
    emulator = start_emulator(storage, lakeshare_bin, os.path.join(base, "emulator"))
    server = None
    try:
        roots, tables = {}, []
        for name, archive in ARCHIVES.items():
            roots[name] = hudi_reader.unzip_table(archive, os.path.join(base, "tables", name))
            emulator.upload_tree(roots[name], BUCKET, "tables/hudi-" + name)
            tables.append({"name": name, "location": cloud_location(storage, "hudi-" + name),
                           "format": "hudi", "historyShared": True})
        config = {
            "version": 1, "host": "127.0.0.1", "port": 0, "endpoint": "/delta-sharing",
            "shares": [{"name": "hudi", "schemas": [{"name": "t", "tables": tables}]}],
            "recipients": [{"name": "r", "token": TOKEN, "shares": ["hudi"]}],
            "storage": [storage_entry(storage, emulator)],
            "hudi": {"mergeCache": os.path.join(base, "merge-cache")},
        }
        server = launch_server(lakeshare_bin, config, os.path.join(base, "conf"), name="hudi-" + storage)
        parquet = hudi_reader.Parquet(parquet_rows.dir.rsplit("/duckdb-node", 1)[0])
        yield storage, emulator, StrictClient(server.endpoint_url, TOKEN, server), roots, parquet, \
            os.path.join(base, "downloads")
        server.stop_and_check()
    finally:
        if server is not None and server.alive():
            server.stop()
        emulator.stop()


@pytest.mark.parametrize("name", sorted(ARCHIVES))
def test_cloud_hudi_versions_match_the_independent_reader(hudi_cloud, name):
    storage, emulator, client, roots, parquet, downloads = hudi_cloud
    t = hudi_reader.HudiTable(roots[name], parquet)
    assert client.table_version("hudi", "t", name) == t.latest
    store_urls = 0
    for v in sorted({0, t.latest // 2, t.latest}):
        context = "%s/%s@%d" % (storage, name, v)
        for caps in (DV_CAPS, PARQUET_CAPS):
            res = client.query("hudi", "t", name, body={"version": v}, capabilities=caps)
            assert res.version == v, context
            got = served_rows(res, downloads, parquet)
            check_partition_values(got, res.schema, context)
            want = canonical_rows([r for _, r in t.rows(v)], res.schema)
            assert canonical_rows([r for _, r in got], res.schema) == want, context
            for f in res.files:
                url = f["deltaSingleAction"]["add"]["path"] if res.format == "delta" else f["url"]
                if url.startswith("http://127.0.0.1:%d/" % emulator.port):
                    store_urls += 1
                    if storage == "s3":
                        emulators.assert_same_s3_signature(url)
    assert store_urls > 0, "no base file was served from the store"


@pytest.mark.parametrize("storage", ["s3", "azure"])
def test_merge_cache_under_an_object_store_prefix(storage, lakeshare_bin, tmp_path, parquet_rows):
    """hudi.mergeCache as an s3:// or abfss:// prefix: merged slices are
    written into the store (one object per slice, named by its content key),
    served at URLs the store signed, read back exactly, and a restarted
    server (or a replica) finds them there instead of merging again."""
    base = str(tmp_path)
    emulator = start_emulator(storage, lakeshare_bin, os.path.join(base, "emulator"))
    servers = []
    try:
        name = "mor_v8"
        root = hudi_reader.unzip_table(ARCHIVES[name], os.path.join(base, "tables", name))
        emulator.upload_tree(root, BUCKET, "tables/hudi-" + name)
        config = {
            "version": 1, "host": "127.0.0.1", "port": 0, "endpoint": "/delta-sharing",
            "shares": [{"name": "hudi", "schemas": [{"name": "t", "tables": [
                {"name": name, "location": cloud_location(storage, "hudi-" + name), "format": "hudi",
                 "historyShared": True}]}]}],
            "recipients": [{"name": "r", "token": TOKEN, "shares": ["hudi"]}],
            "storage": [storage_entry(storage, emulator)],
            "hudi": {"mergeCache": cloud_location(storage, "merge-cache/")},
        }
        parquet = hudi_reader.Parquet(parquet_rows.dir.rsplit("/duckdb-node", 1)[0])
        t = hudi_reader.HudiTable(root, parquet)
        emulator_prefix = "http://127.0.0.1:%d/" % emulator.port

        def serve(run):
            server = launch_server(lakeshare_bin, config, os.path.join(base, "conf%d" % run),
                                   name="hudi-cache-%s-%d" % (storage, run))
            servers.append(server)
            client = StrictClient(server.endpoint_url, TOKEN, server)
            merged = set()
            for v in sorted({t.latest // 2, t.latest}):
                res = client.query("hudi", "t", name, body={"version": v}, capabilities=PARQUET_CAPS)
                got = served_rows(res, os.path.join(base, "downloads%d" % run), parquet)
                want = canonical_rows([r for _, r in t.rows(v)], res.schema)
                assert canonical_rows([r for _, r in got], res.schema) == want, (storage, v)
                for f in res.files:
                    assert f["url"].startswith(emulator_prefix), f["url"]  # every URL: the store's
                    path = f["url"].split("?", 1)[0]
                    if "/tables/merge-cache/" in path:
                        merged.add(path.rsplit("/", 1)[1])
                        if storage == "s3":
                            emulators.assert_same_s3_signature(f["url"])
            server.stop_and_check()
            return merged

        merged = serve(1)
        assert merged, "the table has slices with updates: some files must be merged"
        objects = emulator.modification_times_ms(BUCKET, "tables/merge-cache")
        assert merged <= set(objects), (merged, sorted(objects))
        assert all(k.endswith(".parquet") and "/" not in k for k in objects), sorted(objects)
        # A second server finds every merged slice in the store: same objects, none rewritten.
        assert serve(2) == merged
        assert emulator.modification_times_ms(BUCKET, "tables/merge-cache") == objects
    finally:
        for s in servers:
            if s.alive():
                s.stop()
        emulator.stop()


@pytest.mark.parametrize("storage", ["s3", "azure"])
def test_change_data_through_an_object_store(storage, lakeshare_bin, tmp_path, parquet_rows):
    """A change-logging table (op_key_only: every image looked up by record key
    in base files the server reads from the store; an insert_overwrite) in
    the store, the merge cache under a prefix of the same store: /changes
    answers cdf lines at URLs the store signed whose rows equal test_hudi.py's
    oracle on the local copy, and a second server finds the cdf files there."""
    base = str(tmp_path)
    emulator = start_emulator(storage, lakeshare_bin, os.path.join(base, "emulator"))
    servers = []
    try:
        root = os.path.join(base, "tables", "cdc")
        subprocess.run([lakeshare_bin, "generate-hudi", "--dir", root, "--files", "4", "--commits", "2",
                        "--rows-per-file", "5", "--partitions", "2", "--cdc", "--cdc-mode", "op_key_only",
                        "--overwrite-partition"], check=True, stdout=subprocess.DEVNULL)
        emulator.upload_tree(root, BUCKET, "tables/hudi-cdc")
        config = {
            "version": 1, "host": "127.0.0.1", "port": 0, "endpoint": "/delta-sharing",
            "shares": [{"name": "hudi", "schemas": [{"name": "t", "tables": [
                {"name": "cdc", "location": cloud_location(storage, "hudi-cdc"), "format": "hudi",
                 "historyShared": True}]}]}],
            "recipients": [{"name": "r", "token": TOKEN, "shares": ["hudi"]}],
            "storage": [storage_entry(storage, emulator)],
            "hudi": {"mergeCache": cloud_location(storage, "merge-cache/")},
        }
        parquet = hudi_reader.Parquet(parquet_rows.dir.rsplit("/duckdb-node", 1)[0])
        t = hudi_reader.HudiTable(root, parquet)
        fields = [f["name"] for f in t.schema_at(t.latest)["fields"]] + ["_change_type"]

        def key(r):  # numbers as numbers (DuckDB's JSON writes 0.0 as 0)
            return repr(tuple(float(v) + 0.0 if isinstance(v, (int, float)) else v
                              for v in (r.get(f) for f in fields)))

        def serve(run):
            server = launch_server(lakeshare_bin, config, os.path.join(base, "conf%d" % run),
                                   name="hudi-cdc-%s-%d" % (storage, run))
            servers.append(server)
            client = StrictClient(server.endpoint_url, TOKEN, server)
            res = client.changes("hudi", "t", "cdc", params={"startingVersion": 0},
                                 capabilities=PARQUET_CAPS)
            cached = set()
            for v in range(t.latest + 1):
                entries = [e for e in res.files if e["version"] == v]
                assert {e["kind"] for e in entries} == {"cdf"}, (storage, v)
                for e in entries:
                    assert e["url"].startswith("http://127.0.0.1:%d/" % emulator.port), e["url"]
                    path = e["url"].split("?", 1)[0]
                    assert "/tables/merge-cache/" in path, path
                    cached.add(path.rsplit("/", 1)[1])
                    if storage == "s3":
                        emulators.assert_same_s3_signature(e["url"])
                paths = [download(e["url"], os.path.join(base, "downloads%d" % run)) for e in entries]
                got = [r for rs in parquet.rows(paths).values() for r in rs]
                want = expected_change_data(t, v, parquet)
                assert sorted(map(key, got)) == sorted(map(key, want)), (storage, v)
            server.stop_and_check()
            return cached

        cached = serve(1)
        objects = emulator.modification_times_ms(BUCKET, "tables/merge-cache")
        assert cached <= set(objects), (cached, sorted(objects))
        # A second server reads the cdf files from the store: same objects, none rewritten.
        assert serve(2) == cached
        assert emulator.modification_times_ms(BUCKET, "tables/merge-cache") == objects
    finally:
        for s in servers:
            if s.alive():
                s.stop()
        emulator.stop()
