"""`lakeshare demo` ends in the web console: it serves its sample tables from a
SQLite catalog, prints the console URL and an admin password made for the
run, and that password logs in to the admin API the console uses. Its
`members` table has the change data feed on: /changes returns its inserts
and the DELETE's rows. `shipments` (deletion vectors) and `contacts` (column
mapping, a renamed column) are read by delta-format clients and refused to
parquet-format ones; their rows (the console's preview) match an independent
reading: DuckDB for the parquet files, the log and the DVs decoded in
Python."""
import json
import os
import re
import subprocess
import threading
import time

import pytest
import requests

import hudi_reader
import strict_client
from catalog_db import free_port
from delta_rows import delta_rows, key, comparable, served_rows


def start_demo(binary, demo_dir):
    for _ in range(3):
        port = free_port()
        proc = subprocess.Popen([binary, "demo", "--dir", demo_dir, "--port", str(port)],
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, stdin=subprocess.DEVNULL)
        lines, deadline = [], time.monotonic() + 60
        while time.monotonic() < deadline:
            line = proc.stdout.readline().decode()
            if not line:
                break
            lines.append(line)
            if re.search(r"listening on (http://\S+)", line):
                threading.Thread(target=proc.stdout.read, daemon=True).start()
                threading.Thread(target=proc.stderr.read, daemon=True).start()
                return proc, "".join(lines)
        proc.kill()
        proc.wait()
    raise AssertionError("demo did not start: %s %s" % ("".join(lines), proc.stderr.read()[-2000:]))


def test_demo_prints_the_console_and_a_password_that_logs_in(lakeshare_bin, tmp_path):
    for run in range(2):  # a second run starts from a fresh catalog and a new password
        proc, out = start_demo(lakeshare_bin, str(tmp_path / "demo"))
        try:
            m = re.search(r"console:\s+(http://\S+/console/)\s+\(user admin, password (\S+),", out)
            assert m, out
            console, password = m.group(1), m.group(2)
            assert requests.get(console, timeout=30).status_code == 200
            base = console[: -len("/console/")]
            r = requests.post(base + "/api/v1/login", json={"username": "admin", "password": password},
                              timeout=30)
            assert r.status_code == 200, r.text
            h = {"Authorization": "Bearer " + r.json()["token"]}
            tables = requests.get(base + "/api/v1/shares/demo/schemas/retail/tables", headers=h, timeout=30)
            assert tables.status_code == 200, tables.text
            names = {t["name"] for t in tables.json()["items"]}
            assert {"sales", "customers", "members", "shipments", "contacts", "events"} <= names
            inspected = requests.get(base + "/api/v1/shares/demo/schemas/retail/tables/sales/inspect",
                                     headers=h, timeout=30)
            assert inspected.status_code == 200 and inspected.json()["numFiles"] > 0, inspected.text
            if run == 0:
                check_change_data_feed(str(tmp_path / "demo"))
        finally:
            proc.terminate()
            proc.wait(timeout=30)


def check_change_data_feed(demo_dir):
    """The recipient's profile reads members' changes: v0 and v1 inserts, v2 deletes (from its
    change data file), each row with _change_type and _commit_version."""
    with open(os.path.join(demo_dir, "demo-profile.share")) as f:
        profile = json.load(f)
    h = {"Authorization": "Bearer " + profile["bearerToken"]}
    table = profile["endpoint"].rstrip("/") + "/shares/demo/schemas/retail/tables/members"
    r = requests.get(table + "/changes", params={"startingVersion": 0}, headers=h, timeout=30)
    assert r.status_code == 200, r.text
    lines = [json.loads(line) for line in r.text.splitlines() if line]
    assert "protocol" in lines[0] and "metaData" in lines[1]
    changes = [ln for ln in lines if "cdf" in ln or "add" in ln or "remove" in ln]
    kinds = {}
    for ln in changes:
        action = ln.get("cdf") or ln.get("add") or ln.get("remove")
        kinds.setdefault(action["version"], set()).add(next(iter(ln)))
    assert kinds[0] == {"add"} and kinds[1] == {"add"}, kinds
    assert kinds[2] == {"cdf"}, kinds  # the DELETE: its change data file
    # The change data file's bytes are a parquet file with _change_type.
    cdf = next(ln["cdf"] for ln in changes if "cdf" in ln)
    data = requests.get(cdf["url"], timeout=30)
    assert data.status_code == 200 and data.content[:4] == b"PAR1" and b"_change_type" in data.content


@pytest.fixture(scope="module")
def parquet(parquet_rows):
    return hudi_reader.Parquet(parquet_rows.dir.rsplit("/duckdb-node", 1)[0])


def query_lines(table_url, headers, capabilities):
    h = dict(headers)
    if capabilities:
        h["delta-sharing-capabilities"] = capabilities
    r = requests.post(table_url + "/query", json={}, headers=h, timeout=30)
    return r, [json.loads(line) for line in r.text.splitlines() if line] if r.status_code == 200 else []


def test_the_deletion_vector_and_column_mapping_tables(lakeshare_bin, tmp_path, parquet):
    demo_dir = str(tmp_path / "demo")
    proc, out = start_demo(lakeshare_bin, demo_dir)
    try:
        with open(os.path.join(demo_dir, "demo-profile.share")) as f:
            profile = json.load(f)
        h = {"Authorization": "Bearer " + profile["bearerToken"]}
        base = profile["endpoint"].rstrip("/") + "/shares/demo/schemas/retail/tables/"

        # shipments: DVs in the delta format, a clear 400 in the parquet format.
        r, lines = query_lines(base + "shipments", h, "responseformat=delta;readerfeatures=deletionvectors")
        assert r.status_code == 200, r.text
        protocol = lines[0]["protocol"]["deltaProtocol"]
        assert protocol["minReaderVersion"] == 3 and protocol["readerFeatures"] == ["deletionVectors"]
        adds = [ln["file"]["deltaSingleAction"]["add"] for ln in lines if "file" in ln]
        assert len(adds) == 3
        live = 0
        for add in adds:
            dv = add["deletionVector"]
            strict_client.check_deletion_vector(dv, add["path"])
            live += json.loads(add["stats"])["numRecords"] - dv["cardinality"]
        assert live == 85
        assert {a["deletionVector"]["storageType"] for a in adds} == {"p"}  # v3 put every DV in a file
        r, _ = query_lines(base + "shipments", h, None)
        assert r.status_code == 400 and "deletion vectors" in r.json()["message"], r.text
        r, _ = query_lines(base + "shipments", h, "responseformat=delta")  # no readerfeatures
        assert r.status_code == 400, r.text

        # contacts: column mapping metadata in the delta format, a clear 400 in the parquet format.
        r, lines = query_lines(base + "contacts", h, "responseformat=delta;readerfeatures=columnmapping")
        assert r.status_code == 200, r.text
        meta = lines[1]["metaData"]["deltaMetadata"]
        assert meta["configuration"]["delta.columnMapping.mode"] == "name"
        fields = json.loads(meta["schemaString"])["fields"]
        assert [f["name"] for f in fields][3] == "mobile_phone"
        assert all(f["metadata"]["delta.columnMapping.physicalName"].startswith("col-") for f in fields)
        r, _ = query_lines(base + "contacts", h, None)
        assert r.status_code == 400 and "column mapping" in r.json()["message"], r.text

        # The console's preview (the server's readers, honouring DVs and column
        # mapping) against an independent reading.
        m = re.search(r"password (\S+),", out)
        admin = profile["endpoint"].rsplit("/delta-sharing", 1)[0] + "/api/v1"
        login = requests.post(admin + "/login", json={"username": "admin", "password": m.group(1)},
                              timeout=30)
        assert login.status_code == 200, login.text
        ah = {"Authorization": "Bearer " + login.json()["token"]}
        for table, rows in (("shipments", 85), ("contacts", 40)):
            names, expected = delta_rows(parquet, os.path.join(demo_dir, "tables", table))
            got = requests.get(admin + "/shares/demo/schemas/retail/tables/%s/preview" % table,
                               headers=ah, timeout=30)
            assert got.status_code == 200, got.text
            assert [c["name"] for c in got.json()["columns"]] == names
            served = [comparable(row) for row in served_rows(got.json())]
            expected = [comparable(row) for row in expected]
            assert len(expected) == rows
            assert sorted(map(key, served)) == sorted(map(key, expected)), table
    finally:
        proc.terminate()
        proc.wait(timeout=30)
