"""Crash safety of the catalog database (SQLite and PostgreSQL): `kill -9`
of the server in the middle of a burst of concurrent admin writes loses
nothing that was acknowledged, and leaves the database consistent (no
orphans, no half-done request: every request is one transaction). Done
twice in a row on the same database, each time after a restart."""
import os
import random
import threading
import time

import pytest
import requests

import harness
from catalog_db import BACKENDS, AdminSession, DbServer, new_catalog_db

SIMPLE = os.path.join(harness.DELTA_ROOT, "simple_table")
WRITERS = 6


class Ledger:
    """What the server acknowledged (a 2xx answer), per kind."""

    def __init__(self):
        self.lock = threading.Lock()
        self.shares = {}        # name -> last acknowledged comment
        self.schemas = set()    # (share, schema)
        self.tables = set()     # (share, schema, table)
        self.recipients = set()
        self.grants = set()     # (recipient, share)
        self.tokens = []        # (recipient, share, bearer token)
        self.deleted = set()    # shares whose DELETE was acknowledged
        self.deleting = set()   # shares whose DELETE was sent (its outcome unknown until acknowledged)
        self.count = 0

    def add(self, fn):
        with self.lock:
            fn()
            self.count += 1


def writer(base_url, token, wid, ledger, stop, errors):
    s = requests.Session()
    h = {"Authorization": "Bearer " + token}
    api = base_url + "/api/v1"

    def post(path, body, method="POST"):
        r = s.request(method, api + path, json=body, headers=h, timeout=10)
        assert r.status_code < 300, (path, r.status_code, r.text)  # the burst itself must succeed
        return r.json() if r.content else None

    k = 0
    try:
        while not stop.is_set():
            k += 1
            share, rcp = "s%s_%d" % (wid, k), "r%s_%d" % (wid, k)
            post("/shares", {"name": share, "comment": "v1"})
            ledger.add(lambda: ledger.shares.__setitem__(share, "v1"))
            post("/shares/%s/schemas" % share, {"name": "d"})
            ledger.add(lambda: ledger.schemas.add((share, "d")))
            post("/shares/%s/schemas/d/tables" % share, {"name": "t", "location": SIMPLE})
            ledger.add(lambda: ledger.tables.add((share, "d", "t")))
            post("/shares/%s" % share, {"comment": "v2", "version": 1}, method="PATCH")
            ledger.add(lambda: ledger.shares.__setitem__(share, "v2"))
            post("/recipients", {"name": rcp})
            ledger.add(lambda: ledger.recipients.add(rcp))
            post("/recipients/%s/grants/%s" % (rcp, share), None, method="PUT")
            ledger.add(lambda: ledger.grants.add((rcp, share)))
            profile = post("/recipients/%s/tokens" % rcp, {})
            ledger.add(lambda: ledger.tokens.append((rcp, share, profile["bearerToken"])))
            if k % 3 == 0:  # a cascading delete now and then
                ledger.add(lambda: ledger.deleting.add(share))
                post("/shares/%s" % share, None, method="DELETE")
                ledger.add(lambda: ledger.deleted.add(share))
    except (requests.ConnectionError, requests.Timeout):
        return  # the server was killed: whatever was in flight is unknown
    except Exception as e:  # noqa: BLE001 (reported by the test)
        errors.append(e)


def burst_and_kill(server, ledger, min_acks, round_no):
    token = server.admin().token
    stop = threading.Event()
    errors = []
    threads = [threading.Thread(target=writer, args=(server.base_url, token, "%d_%d" % (round_no, w), ledger,
                                                     stop, errors), daemon=True)
               for w in range(WRITERS)]
    for t in threads:
        t.start()
    deadline = time.monotonic() + 60
    while ledger.count < min_acks and time.monotonic() < deadline:
        time.sleep(0.01)
    assert ledger.count >= min_acks, "the burst did not get going"
    time.sleep(random.uniform(0.05, 0.3))  # mid-burst, at no particular point
    server.kill()
    stop.set()
    for t in threads:
        t.join(30)
        assert not t.is_alive()
    assert not errors, errors


def check_everything_acknowledged_is_there(server, ledger):
    ops = server.admin()
    # A DELETE in flight when the server died may or may not have committed:
    # its share may be there or not. Acknowledged deletes count as done.
    unknown = ledger.deleting - ledger.deleted
    ledger.deleted |= {name for name in unknown if name not in
                       {s["name"] for s in ops.ok("GET", "/shares")["items"]}}
    ledger.deleting -= ledger.deleted
    shares = {s["name"]: s for s in ops.ok("GET", "/shares")["items"]}
    for name, comment in ledger.shares.items():
        if name in ledger.deleted:
            assert name not in shares, "acknowledged delete of %s undone" % name
            continue
        assert name in shares, "acknowledged share %s lost" % name
        assert shares[name].get("comment") == comment or (comment == "v1" and shares[name].get("comment") == "v2")
    for share, schema in ledger.schemas:
        if share not in ledger.deleted:
            assert ops.call("GET", "/shares/%s/schemas/%s" % (share, schema)).status_code == 200
    for share, schema, table in ledger.tables:
        if share not in ledger.deleted:
            t = ops.ok("GET", "/shares/%s/schemas/%s/tables/%s" % (share, schema, table))
            assert t["location"] == SIMPLE
    recipients = {r["name"] for r in ops.ok("GET", "/recipients")["items"]}
    assert ledger.recipients <= recipients
    for rcp, share in ledger.grants:
        if share not in ledger.deleted:
            assert share in ops.ok("GET", "/recipients/%s/grants" % rcp)["items"]
    for rcp, share, token in ledger.tokens:
        r = requests.get(server.endpoint_url + "/shares", headers={"Authorization": "Bearer " + token}, timeout=30)
        assert r.status_code == 200, "acknowledged token of %s lost" % rcp
        names = [s["name"] for s in r.json()["items"]]
        assert names == ([] if share in ledger.deleted else [share])


def check_database_consistent(db):
    if db.backend == "sqlite":
        assert db.query("PRAGMA integrity_check") == [["ok"]]
        assert db.query("PRAGMA foreign_key_check") == []
    orphans = {
        "schemas without a share":
            "SELECT COUNT(*) FROM share_schemas c LEFT JOIN shares s ON s.id = c.share_id WHERE s.id IS NULL",
        "tables without a schema":
            "SELECT COUNT(*) FROM shared_tables t LEFT JOIN share_schemas c ON c.id = t.schema_id WHERE c.id IS NULL",
        "grants without a share":
            "SELECT COUNT(*) FROM share_grants g LEFT JOIN shares s ON s.id = g.share_id WHERE s.id IS NULL",
        "grants without a recipient":
            "SELECT COUNT(*) FROM share_grants g LEFT JOIN recipients r ON r.id = g.recipient_id WHERE r.id IS NULL",
        "tokens without a recipient":
            "SELECT COUNT(*) FROM recipient_tokens t LEFT JOIN recipients r ON r.id = t.recipient_id "
            "WHERE r.id IS NULL",
        "names out of step with their keys":
            "SELECT COUNT(*) FROM shares WHERE name_key <> LOWER(name)",
        "versions below 1": "SELECT COUNT(*) FROM shares WHERE version < 1",
    }
    for what, sql in orphans.items():
        assert db.query(sql) == [["0"]], what
    # Every share of the burst is whole: it has its schema and table, or it
    # was deleted with them — never in between.
    rows = db.query("SELECT s.name, COUNT(DISTINCT c.id), COUNT(t.id) FROM shares s "
                    "LEFT JOIN share_schemas c ON c.share_id = s.id LEFT JOIN shared_tables t ON t.schema_id = c.id "
                    "GROUP BY s.name")
    for name, schemas, tables in rows:
        assert int(schemas) <= 1 and int(tables) <= int(schemas), (name, schemas, tables)


@pytest.mark.parametrize("backend", BACKENDS)
def test_kill_9_mid_burst_loses_nothing_acknowledged(backend, lakeshare_bin, tmp_path, request):
    workdir = str(tmp_path)
    db = new_catalog_db(backend, workdir, request)
    server = DbServer(lakeshare_bin, db, workdir, name="crash_" + backend)
    ledger = Ledger()
    try:
        for round_no in range(2):
            server.start()
            burst_and_kill(server, ledger, min_acks=ledger.count + 60, round_no=round_no)
            server.start()  # a restart on the same database: migrations, recovery
            check_everything_acknowledged_is_there(server, ledger)
            check_database_consistent(db)
            # An admin write is acknowledged only once its audit entry is written.
            audited = {r[0] for r in db.query("SELECT object FROM audit_log WHERE action = 'createShare' "
                                              "AND outcome = 'ok'")}
            assert {"share:" + name for name in ledger.shares} <= audited
            server.stop()
    finally:
        if server.proc is not None:  # a failed check: do not leave the server behind
            server.proc.stop()
    assert len(ledger.tokens) > 10
