"""Broken tables never crash the server nor yield silently wrong data.

Each table is a temporary copy of a small test table with its log damaged:
a garbage latest commit, a truncated line, wrongly typed actions, a version
gap, no _delta_log at all, a location that does not exist. Queries of them
get a JSON 4xx error naming the table, and the server answers the next
request normally.
"""

import json
import os
import shutil

import pytest

import expect
import harness
from conftest import launch_server
from delta_log import DeltaTable
from strict_client import StrictClient

DAMAGED = {
    # name: function(table_dir) that damages the copy
    "junk": lambda d: _write(d, 5, "this is not json at all\n"),
    "truncated": lambda d: _write(d, 5, json.dumps({"commitInfo": {"timestamp": 1}}) + "\n"
                                  + '{"add":{"path":"part-x.parquet","partitionValues":{},"si'),
    "badtypes": lambda d: _write(d, 5, json.dumps({"add": {"path": 123, "partitionValues": "x", "size": "big",
                                                            "modificationTime": 1, "dataChange": True}}) + "\n"),
    "binary": lambda d: _write_bytes(d, 5, b"\x00\xff\xfe\x80garbage\x00\n"),
    "gap": lambda d: os.remove(os.path.join(d, "_delta_log", "%020d.json" % 3)),
    "nolog": lambda d: shutil.rmtree(os.path.join(d, "_delta_log")),
    "nometadata": lambda d: _strip_first_commit(d),
}


def _write(d, version, text):
    with open(os.path.join(d, "_delta_log", "%020d.json" % version), "w") as f:
        f.write(text)


def _write_bytes(d, version, data):
    with open(os.path.join(d, "_delta_log", "%020d.json" % version), "wb") as f:
        f.write(data)


def _strip_first_commit(d):
    """Version 0 without its metaData/protocol lines."""
    p = os.path.join(d, "_delta_log", "%020d.json" % 0)
    with open(p) as f:
        lines = [l for l in f if '"metaData"' not in l and '"protocol"' not in l]
    with open(p, "w") as f:
        f.writelines(lines)


@pytest.fixture(scope="module")
def broken(lakeshare_bin, tmp_path_factory):
    base = str(tmp_path_factory.mktemp("broken"))
    tables = []
    for name, damage in DAMAGED.items():
        d = harness.copy_table("simple_table", base, "copy_" + name)  # folder name != table name
        damage(d)
        tables.append({"name": "tbl_" + name, "location": d, "historyShared": True})
    tables.append({"name": "tbl_missing", "location": os.path.join(base, "does-not-exist")})
    # An Azure location that names no account, and no credentials anywhere.
    tables.append({"name": "tbl_nocreds", "location": "az://nocontainer/some/t"})
    tables.append({"name": "tbl_good", "location": os.path.join(harness.DELTA_ROOT, "simple_table")})
    config = {
        "version": 1, "host": "127.0.0.1", "port": 0, "endpoint": "/delta-sharing",
        "authorization": {"bearerToken": "tok-admin"},
        "shares": [{"name": "s", "schemas": [{"name": "d", "tables": tables}]}],
    }
    server = launch_server(lakeshare_bin, config, base, name="broken")
    yield StrictClient(server.endpoint_url, "tok-admin", server)
    server.stop_and_check()


def _good_request_works(c):
    q = c.query("s", "d", "tbl_good")
    expect.assert_same_files(q.files, DeltaTable(os.path.join(harness.DELTA_ROOT, "simple_table")).snapshot())


# a damaged commit log must be reported as a problem of that table
NAMED = {"junk", "truncated", "badtypes", "binary", "gap", "nometadata"}


@pytest.mark.parametrize("name", sorted(DAMAGED) + ["missing"])
def test_broken_table_is_a_json_4xx(broken, name):
    c = broken
    t = "tbl_" + name
    for resp in (c.query_raw("s", "d", t, body={}), c.metadata_raw("s", "d", t)):
        err = c.parse_error(resp)
        if name in NAMED:
            assert t.lower() in err.message.lower(), "the error should name the table: %r" % err.message
        _good_request_works(c)
    resp = c.raw("GET", c.table_path("s", "d", t) + "/version")
    if resp.status_code != 200:
        c.parse_error(resp)
    _good_request_works(c)


@pytest.mark.parametrize("name", ["truncated", "junk", "badtypes", "binary"])
def test_version_is_refused_like_query(broken, name):
    """A latest commit /query refuses is not announced by /version either (which
    reads that one commit, not the snapshot)."""
    c = broken
    t = "tbl_" + name
    q = c.parse_error(c.query_raw("s", "d", t, body={}))
    for _ in range(2):  # the second answer too (a passed check is remembered, a failed one not)
        err = c.parse_error(c.raw("GET", c.table_path("s", "d", t) + "/version"), q.status, q.code)
        assert t in err.message.lower(), err.message
    assert c.table_version("s", "d", "tbl_good") >= 0
    _good_request_works(c)


@pytest.mark.parametrize("name", ["missing", "nolog", "nocreds"])
def test_misconfigured_table_is_unavailable(broken, name):
    """A table the provider set up wrong (no table at its location, a store it
    gave no credentials for) is unavailable: the error does not blame the
    request, and only the server log has the location and the reason."""
    c = broken
    t = "tbl_" + name
    for resp in (c.query_raw("s", "d", t, body={}), c.metadata_raw("s", "d", t),
                 c.raw("GET", c.table_path("s", "d", t) + "/version")):
        err = c.parse_error(resp, 404, "RESOURCE_DOES_NOT_EXIST")
        assert "s.d.%s is unavailable" % t in err.message, err.message
        assert "nocontainer" not in err.message and "copy_" not in err.message, err.message
    log = "".join(c.server.stdout_lines) + c.server.stderr_text(limit=200000)
    where = {"missing": "does-not-exist", "nolog": "copy_nolog", "nocreds": "nocontainer"}[name]
    assert any("s.d.%s is unavailable" % t in line and where in line for line in log.splitlines()), log[-3000:]
    _good_request_works(c)


def test_broken_tables_still_listed(broken):
    names = {t["name"] for t in broken.walk(broken.list_tables, "s", "d")}
    assert {"tbl_" + n for n in DAMAGED} <= names


def test_broken_repeatedly(broken):
    """Hammering a broken table does not wear the server down."""
    for _ in range(30):
        broken.parse_error(broken.query_raw("s", "d", "tbl_junk", body={}))
    _good_request_works(broken)


@pytest.mark.parametrize("name", sorted(DAMAGED) + ["missing"])
def test_errors_do_not_leak_storage_paths(broken, name):
    """A recipient must not learn where the provider keeps its tables."""
    c = broken
    base = os.path.dirname(broken.server.config_path)
    for resp in (c.query_raw("s", "d", "tbl_" + name, body={}), c.metadata_raw("s", "d", "tbl_" + name)):
        err = c.parse_error(resp)
        for secret in (base, harness.DELTA_ROOT, harness.REPO_ROOT):
            assert secret not in err.message, "error message reveals a server path: %r" % err.message
