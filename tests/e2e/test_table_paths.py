"""The paths a Delta log records, as the server resolves and compares them.

- A data file the answer cannot serve (outside the table, a scheme-less
  absolute path, a '..' that climbs out) is found before the first byte: a
  JSON 4xx for /query and /changes in both formats, never a 200 whose body
  breaks off, and never a URL for the outside file.
- A remove cancels the add of the same file however the two spell its path
  (file:/abs, file:///abs, file://localhost/abs, percent-encoded, relative
  vs absolute under the table root).
- A local data file that is a symlink out of the table (here to the
  URL-signing key) is never served: its signed URL is refused at download
  time (403), whether the link was there at /query time or made after
  signing. (/query itself checks paths lexically only: a system call per
  file would cost seconds on large tables.)
- A table whose reader protocol lakeshare does not implement (minReaderVersion
  above 3, an unknown reader feature) is refused by /metadata, /query and
  /changes in both formats, with a message naming what it does not know.
"""

import hashlib
import json
import os
import shutil

import pytest
import requests

import harness
from conftest import launch_server
from delta_log import DeltaTable
from strict_client import StrictClient

SIMPLE = os.path.join(harness.DELTA_ROOT, "simple_table")
# Added by commit 4 of simple_table, live at the latest version.
TARGET = "part-00000-2befed33-c358-4768-a43c-3eda0d2a499d-c000.snappy.parquet"
# Added by commit 0 and removed by commit 1.
OLD = "part-00000-a72b1fb3-f2df-41fe-a8f0-e65b746382dd-c000.snappy.parquet"

FORMATS = [
    None,
    "responseformat=delta",
    "includeendstreamaction=true",
    "responseformat=delta;includeendstreamaction=true",
]


def _add(path):
    return {"add": {"path": path, "partitionValues": {}, "size": 262, "modificationTime": 1,
                    "dataChange": True}}


def _remove(path):
    return {"remove": {"path": path, "deletionTimestamp": 2, "dataChange": True}}


def _with_cdf(action):
    if "metaData" in action:
        action["metaData"]["configuration"] = {"delta.enableChangeDataFeed": "true"}
    return action


@pytest.fixture(scope="module")
def paths(lakeshare_bin, tmp_path_factory):
    base = str(tmp_path_factory.mktemp("paths"))
    outside = os.path.join(base, "outside")
    os.makedirs(outside)
    outside_file = os.path.join(outside, TARGET)
    shutil.copy(os.path.join(SIMPLE, TARGET), outside_file)
    tables = {}

    def table(name, *commits):
        d = harness.copy_table("simple_table", base, name)
        harness.rewrite_commit(d, 0, _with_cdf)
        for actions in commits:
            harness.add_commit(d, [a(d) if callable(a) else a for a in actions])
        tables[name] = d

    # unusable data files
    table("outside_uri", [_add("file://" + outside_file)])
    table("schemeless", [_add(outside_file)])
    table("climbs", [_add("../outside/" + TARGET)])
    # the same file in other spellings
    table("rm_file_triple", [lambda d: _remove("file://" + os.path.join(d, TARGET))])
    table("rm_file_single", [lambda d: _remove("file:" + os.path.join(d, TARGET))])
    table("rm_localhost", [lambda d: _remove("file://localhost" + os.path.join(d, TARGET))])
    table("rm_encoded", [_remove(TARGET.replace("-", "%2D", 1))])
    table("rm_abs_encoded", [lambda d: _remove("file://" + os.path.join(d, TARGET.replace("-", "%2d")))])
    table("abs_add_rel_remove", [lambda d: _add("file://" + os.path.join(d, OLD))], [_remove(OLD)])
    # links out of the table (made once the signing key exists)
    table("link_out", [_add("evil.parquet")])
    table("swapped", [_add("swap.parquet")])
    shutil.copy(os.path.join(SIMPLE, TARGET), os.path.join(tables["swapped"], "swap.parquet"))
    # reader protocols lakeshare does not implement
    table("reader99", [{"protocol": {"minReaderVersion": 99, "minWriterVersion": 7}}])
    table("unknown_feature", [{"protocol": {"minReaderVersion": 3, "minWriterVersion": 7,
                                            "readerFeatures": ["fancyNewThing"],
                                            "writerFeatures": ["fancyNewThing"]}}])

    config = {
        "version": 1, "host": "127.0.0.1", "port": 0, "endpoint": "/delta-sharing",
        "recipients": [{"name": "r", "token": "tok-r", "shares": ["s"]}],
        "shares": [{"name": "s", "schemas": [{"name": "d", "tables": [
            {"name": n, "location": d, "historyShared": True} for n, d in tables.items()]}]}],
    }
    server = launch_server(lakeshare_bin, config, os.path.join(base, "conf"), name="paths")
    key = os.path.join(os.path.dirname(server.config_path), "lakeshare-url-signing.key")
    assert os.path.isfile(key)
    os.symlink(key, os.path.join(tables["link_out"], "evil.parquet"))
    yield StrictClient(server.endpoint_url, "tok-r", server), tables, outside, key
    server.stop_and_check()


@pytest.mark.parametrize("table", ["outside_uri", "schemeless", "climbs"])
@pytest.mark.parametrize("caps", FORMATS)
def test_unusable_data_file_is_a_4xx_before_the_body(paths, table, caps):
    c, _, outside, _ = paths
    for body in ({}, {"startingVersion": 0}, {"version": 5}):
        resp = c.query_raw("s", "d", table, body=body, capabilities=caps)
        assert outside.encode() not in resp.content, "the answer names or signs the outside file"
        err = c.parse_error(resp, 400)
        assert table.lower() in err.message.lower(), err.message
    resp = c.changes_raw("s", "d", table, params={"startingVersion": 0}, capabilities=caps)
    assert outside.encode() not in resp.content
    c.parse_error(resp, 400)
    # the versions before the bad file are served
    q = c.query("s", "d", table, body={"version": 4}, capabilities=caps)
    assert len(q.files) == len(DeltaTable(SIMPLE).snapshot().files)


def _md5(text):
    return hashlib.md5(text.encode()).hexdigest()


def _file_id(path, caps):
    """The protocol's file id: MD5 of the recorded path (SHA-256 in the delta format)."""
    if caps and "responseformat=delta" in caps:
        return hashlib.sha256(path.encode()).hexdigest()
    return _md5(path)


@pytest.mark.parametrize("table", ["rm_file_triple", "rm_file_single", "rm_localhost", "rm_encoded",
                                   "rm_abs_encoded"])
@pytest.mark.parametrize("caps", [None, "responseformat=delta"])
def test_remove_in_another_spelling_cancels_the_add(paths, table, caps):
    c, _, _, _ = paths
    live = [e.path for e in DeltaTable(SIMPLE).snapshot().files]
    assert TARGET in live
    q = c.query("s", "d", table, capabilities=caps)
    assert sorted(q.ids) == sorted(_file_id(p, caps) for p in live if p != TARGET)
    # the version before the remove still has it
    q = c.query("s", "d", table, body={"version": 4}, capabilities=caps)
    assert sorted(q.ids) == sorted(_file_id(p, caps) for p in live)


def test_absolute_add_cancelled_by_relative_remove(paths):
    c, _, _, _ = paths
    live = [e.path for e in DeltaTable(SIMPLE).snapshot().files]
    q = c.query("s", "d", "abs_add_rel_remove", body={"version": 5})
    assert len(q.files) == len(live) + 1
    q = c.query("s", "d", "abs_add_rel_remove")
    assert sorted(q.ids) == sorted(_md5(p) for p in live)


@pytest.mark.parametrize("table,named", [("reader99", "99"), ("unknown_feature", "fancyNewThing")])
@pytest.mark.parametrize("caps", [None, "responseformat=delta", "responseformat=parquet,delta",
                                  "responseformat=delta;readerfeatures=deletionvectors,columnmapping"])
def test_unknown_reader_protocol_is_refused_everywhere(paths, table, named, caps):
    c, _, _, _ = paths
    answers = [
        c.metadata_raw("s", "d", table, capabilities=caps),
        c.query_raw("s", "d", table, body={}, capabilities=caps),
        c.query_raw("s", "d", table, body={"startingVersion": 0}, capabilities=caps),
        c.changes_raw("s", "d", table, params={"startingVersion": 0}, capabilities=caps),
    ]
    for resp in answers:
        err = c.parse_error(resp, 400, "UNSUPPORTED_OPERATION")
        assert named in err.message and table in err.message, err.message
    # before the protocol change the table is served
    c.query("s", "d", table, body={"version": 4}, capabilities=caps)
    c.metadata("s", "d", table, version=4, capabilities=caps)


def _read(path):
    with open(path, "rb") as f:
        return f.read()


@pytest.mark.parametrize("caps", FORMATS)
def test_symlink_out_of_the_table_is_never_served(paths, caps):
    c, _, _, key = paths
    secret = _read(key).strip()
    resp = c.query_raw("s", "d", "link_out", body={}, capabilities=caps)
    assert secret not in resp.content
    assert resp.status_code == 200, resp.text
    files = [json.loads(line)["file"] for line in resp.text.splitlines() if '"file"' in line]
    urls = [f["url"] if "url" in f else f["deltaSingleAction"]["add"]["path"] for f in files]
    refused = 0
    for url in urls:
        r = requests.get(url, timeout=30)
        assert secret not in r.content
        if r.status_code != 200:
            c.parse_error(r, 403)
            refused += 1
    assert refused == 1  # the link; the table's real files download


def test_symlink_made_after_signing_is_refused_at_download(paths):
    c, tables, _, key = paths
    secret = _read(key).strip()
    swap = os.path.join(tables["swapped"], "swap.parquet")
    q = c.query("s", "d", "swapped")
    [f] = [f for f in q.files if f["id"] == _md5("swap.parquet")]
    r = requests.get(f["url"], timeout=30)
    assert r.status_code == 200 and r.content == _read(swap)
    os.remove(swap)
    os.symlink(key, swap)
    r = requests.get(f["url"], timeout=30)
    assert secret not in r.content
    c.parse_error(r, 403)
    # the other files of the answer still download
    other = [g for g in q.files if g["id"] != f["id"]][0]
    assert requests.get(other["url"], timeout=30).status_code == 200
