"""Iceberg tables written by lakeshare itself, read back through the server.

- ``lakeshare generate-iceberg`` writes a synthetic table (several append
  snapshots, several manifests per snapshot, identity-partitioned by day);
  served by a real server, every version, the change feed and predicates
  are compared with iceberg_meta.py (python3-avro), and the data files
  download as parquet.
- ``lakeshare demo`` serves its sample Iceberg table ``events`` (recorded
  location differs from where it is: re-basing) next to the Delta tables;
  the strict client reads it with the demo's own profile file.
"""

import json
import os
import re
import signal
import socket
import subprocess
import threading
import time

import pytest

import expect
import iceberg_meta
from conftest import launch_server
from expect import cmp
from strict_client import StrictClient

pytestmark = pytest.mark.filterwarnings("ignore:Unknown map")

TOKEN = "tok-roundtrip"


def run(binary, *args, timeout=600):
    p = subprocess.run([binary] + list(args), capture_output=True, text=True, timeout=timeout)
    assert p.returncode == 0, "%s %s failed (%d):\n%s\n%s" % (binary, args, p.returncode, p.stdout, p.stderr)
    return p.stdout


@pytest.fixture(scope="module")
def generated(lakeshare_bin, tmp_path_factory):
    base = str(tmp_path_factory.mktemp("ice_rt"))
    table = os.path.join(base, "gen")
    out = run(lakeshare_bin, "generate-iceberg", "--dir", table, "--files", "300", "--snapshots", "3",
              "--files-per-manifest", "120", "--rows-per-file", "7")
    assert "300 data files" in out and "2100 rows" in out, out
    config = {
        "version": 1, "host": "127.0.0.1", "port": 0, "endpoint": "/delta-sharing",
        "shares": [{"name": "rt", "schemas": [{"name": "s", "tables": [
            {"name": "gen", "location": table, "format": "iceberg", "historyShared": True}]}]}],
        "recipients": [{"name": "r", "token": TOKEN, "shares": ["rt"]}],
    }
    server = launch_server(lakeshare_bin, config, os.path.join(base, "conf"), name="ice_rt")
    yield StrictClient(server.endpoint_url, TOKEN, server), iceberg_meta.IcebergTable(table)
    server.stop_and_check()


def test_generated_table_every_version(generated):
    client, t = generated
    coords = ("rt", "s", "gen")
    assert t.versions == [1, 2, 3]
    assert client.table_version(*coords) == 3
    counts = []
    for v in t.versions:
        snap = t.snapshot(v)
        counts.append(len(snap.files))
        for caps in (None, "responseformat=delta"):
            q = client.query(*coords, body={"version": v}, capabilities=caps)
            assert q.version == v
            if caps is None:
                files = q.files
                assert q.metadata["partitionColumns"] == ["day"]
                assert json.loads(q.metadata["schemaString"]) == json.loads(snap.metadata["schemaString"])
            else:
                files = [{"size": f["deltaSingleAction"]["add"]["size"],
                          "partitionValues": f["deltaSingleAction"]["add"]["partitionValues"],
                          "stats": f["deltaSingleAction"]["add"]["stats"]} for f in q.files]
            expect.assert_same_files(files, snap, "gen@%d %s" % (v, caps))
    assert counts == [100, 200, 300]
    # every file carries full stats
    q = client.query(*coords)
    for f in q.files:
        st = json.loads(f["stats"])
        assert st["numRecords"] == 7
        assert set(st["minValues"]) == {"id", "day", "category", "value", "ts"}


def test_generated_files_download_as_parquet(generated):
    client, t = generated
    snap = t.snapshot()
    q = client.query("rt", "s", "gen", body={"limitHint": 1})
    for f in q.files[:3]:
        data = expect.download_bytes(f["url"])
        assert data[:4] == b"PAR1" and data[-4:] == b"PAR1" and len(data) == f["size"]
        assert any(open(e.path, "rb").read() == data for e in expect.candidates(f, snap))


def test_generated_changes_are_the_appends(generated):
    client, t = generated
    for start in t.versions:
        r = client.changes("rt", "s", "gen", {"startingVersion": start})
        by_version = {}
        for e in r.files:
            assert e["kind"] == "add"
            by_version.setdefault(e["version"], []).append(
                {"size": e["size"], "partitionValues": e["partitionValues"], "stats": e["stats"]})
        assert sorted(by_version) == [v for v in t.versions if v >= start]
        for v, files in by_version.items():
            _, added, ts = t.added_files(v)

            class S:
                pass
            S.files, S.version = added, v
            expect.assert_same_files(files, S, "changes@%d" % v)
    pages = client.changes_pages("rt", "s", "gen", {"startingVersion": 1}, max_files=64)
    assert len(pages) == 5 and sum(len(p.files) for p in pages) == 300


def test_generated_predicates_prune(generated):
    client, t = generated
    snap = t.snapshot()
    pred = cmp("equal", "day", "2020-01-02", "date")
    q = client.query("rt", "s", "gen", body={"jsonPredicateHints": json.dumps(pred)})
    expect.assert_predicate_result(q.files, snap, pred)
    assert len(q.files) == 100  # 100 files per day
    pred = cmp("lessThan", "id", "70", "long")
    q = client.query("rt", "s", "gen", body={"jsonPredicateHints": json.dumps(pred)})
    expect.assert_predicate_result(q.files, snap, pred)
    assert len(q.files) == 10  # ids 0..69 are in the first ten files


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_demo_serves_its_iceberg_table(lakeshare_bin, tmp_path):
    demo_dir = str(tmp_path / "demo")
    for attempt in range(3):
        port = free_port()
        proc = subprocess.Popen([lakeshare_bin, "demo", "--dir", demo_dir, "--port", str(port)],
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, stdin=subprocess.DEVNULL)
        url = None
        lines = []
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            line = proc.stdout.readline().decode()
            if not line:
                break
            lines.append(line)
            m = re.search(r"listening on (http://\S+)", line)
            if m:
                url = m.group(1)
                break
        if url is not None:
            break
        proc.kill()
        proc.wait()
    assert url is not None, "demo did not start: %s %s" % ("".join(lines), proc.stderr.read()[-2000:])
    threading.Thread(target=proc.stdout.read, daemon=True).start()
    threading.Thread(target=proc.stderr.read, daemon=True).start()
    try:
        profile = json.load(open(os.path.join(demo_dir, "demo-profile.share")))
        client = StrictClient(profile["endpoint"], profile["bearerToken"])
        names = {t["name"] for t in client.list_all_tables("demo")[0]}
        assert {"sales", "customers", "events"} <= names
        table = iceberg_meta.IcebergTable(os.path.join(demo_dir, "tables", "events"))
        assert table.meta["location"] == "demo-warehouse/events"  # recorded elsewhere: re-based
        assert table.versions == [1, 2, 3]
        for v in table.versions:
            snap = table.snapshot(v)
            q = client.query("demo", "retail", "events", body={"version": v})
            expect.assert_same_files(q.files, snap, "events@%d" % v)
            assert q.metadata["partitionColumns"] == ["country"]
        q = client.query("demo", "retail", "events")
        pvs = sorted(str(f["partitionValues"]["country"]) for f in q.files)
        assert pvs == ["DE", "DE", "FR", "JP", "None", "US"], pvs
        md = client.metadata("demo", "retail", "events")
        assert md.metadata["description"] == "Sample events: an Iceberg table written by lakeshare"
        fields = {f["name"]: f for f in md.schema["fields"]}
        assert fields["ts"]["type"] == "timestamp" and fields["day"]["type"] == "date"
        assert fields["event_id"]["nullable"] is False
        assert fields["event_id"]["metadata"] == {"comment": "unique id of the event"}
        for f in q.files[:2]:
            data = expect.download_bytes(f["url"])
            assert data[:4] == b"PAR1" and len(data) == f["size"]
        # the change feed: three appends
        r = client.changes("demo", "retail", "events", {"startingVersion": 1})
        assert sorted({e["version"] for e in r.files}) == [1, 2, 3] and len(r.files) == 6
    finally:
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(10) == 0


def test_rest_catalog_table(lakeshare_bin, tmp_path):
    """format: iceberg with an Iceberg REST catalog table URL: the server asks
    the catalog (a small HTTP server in this test, answering LoadTable for one
    table) for the metadata-location on every request."""
    import http.server

    table = str(tmp_path / "rest_table")
    run(lakeshare_bin, "generate-iceberg", "--dir", table, "--files", "20", "--snapshots", "2")
    oracle = iceberg_meta.IcebergTable(table)
    state = {"location": "file://" + iceberg_meta.current_metadata_file(table), "status": 200, "paths": []}

    class Catalog(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            state["paths"].append(self.path)
            if self.path != "/v1/ns/namespaces/db/tables/events" or state["status"] != 200:
                self.send_response(404 if self.path.endswith("/missing") else state["status"])
                self.end_headers()
                return
            body = json.dumps({"metadata-location": state["location"], "metadata": {}}).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *a):
            pass

    srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Catalog)
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    base = "http://127.0.0.1:%d" % srv.server_address[1]
    try:
        config = {
            "version": 1, "host": "127.0.0.1", "port": 0, "endpoint": "/delta-sharing",
            "shares": [{"name": "rc", "schemas": [{"name": "s", "tables": [
                {"name": "events", "location": base + "/v1/ns/namespaces/db/tables/events",
                 "format": "iceberg", "historyShared": True},
                {"name": "missing", "location": base + "/v1/ns/namespaces/db/tables/missing",
                 "format": "iceberg"}]}]}],
            "recipients": [{"name": "r", "token": TOKEN, "shares": ["rc"]}],
        }
        server = launch_server(lakeshare_bin, config, str(tmp_path / "conf"), name="rest")
        try:
            client = StrictClient(server.endpoint_url, TOKEN, server)
            assert client.table_version("rc", "s", "events") == 2
            for v in (1, 2):
                q = client.query("rc", "s", "events", body={"version": v})
                expect.assert_same_files(q.files, oracle.snapshot(v), "rest@%d" % v)
            f = q.files[0]
            assert expect.download_bytes(f["url"])[:4] == b"PAR1"
            assert "/v1/ns/namespaces/db/tables/events" in state["paths"]
            # The catalog decides: point it at the first metadata version.
            state["location"] = os.path.join(table, "metadata", "v2.metadata.json")
            assert client.table_version("rc", "s", "events") == 1
            # A table the catalog does not have is the provider's to fix: the
            # recipient is told it is unavailable, the log gets the reason.
            err = client.parse_error(client.query_raw("rc", "s", "missing"), 404, "RESOURCE_DOES_NOT_EXIST")
            assert "unavailable" in err.message, err.message
            state["status"] = 500
            resp = client.raw("GET", client.table_path("rc", "s", "events") + "/version", allow_5xx=True)
            assert resp.status_code == 503 and "REST catalog" in resp.json()["message"]
        finally:
            server.stop_and_check()
    finally:
        srv.shutdown()
