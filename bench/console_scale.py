#!/usr/bin/env python3
"""The web console at scale (issue 17): every page's data in under 200 ms
with 1 000 shares, 10 000 tables and 1 000 recipients (Debian python3 +
requests).

Makes a SQLite catalog of that size directly with SQL (12 000 HTTP calls
would measure the write path, not the pages): 1 000 shares of one schema,
one of them ("big") with 5 000 tables in its schema "wide", the other
5 000 tables spread over the rest; 1 000 recipients, each granted three
shares, with a token and an activation link; 50 000 audit entries. Then
starts the real `lakeshare serve` on it, logs in, and loads each console
page the way the console does: its API calls at once (a browser's parallel
connections), timing the page (all its data there) and each call, for
`--rounds` rounds after one warm-up round. Prints median and 95th
percentile per page and per call, and fails (exit 1) when a page's 95th
percentile is over --target-ms.

Usage: bench/console_scale.py [--bin build/src/cli/lakeshare] [--rounds 30]
       [--target-ms 200] [--keep DIR]
"""
import argparse
import concurrent.futures
import os
import shutil
import sqlite3
import statistics
import sys
import tempfile
import time
import uuid

import requests

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(HERE), "tests", "e2e"))

import catalog_db  # noqa: E402

SHARES, TABLES, RECIPIENTS, AUDIT = 1000, 10000, 1000, 50000
BIG_TABLES = 5000


def fill(path):
    """The catalog's rows, straight into the migrated SQLite file."""
    now = int(time.time() * 1000)
    db = sqlite3.connect(path)
    db.execute("PRAGMA foreign_keys = ON")
    share_ids, schema_ids = [], []
    for i in range(SHARES):
        name = "big" if i == 0 else "share_%04d" % i
        sid = str(uuid.uuid4())
        share_ids.append(sid)
        db.execute("INSERT INTO shares (id, name, name_key, comment, created_ms, updated_ms) VALUES (?,?,?,?,?,?)",
                   (sid, name, name.lower(), "share number %d" % i, now, now))
        cid = str(uuid.uuid4())
        schema_ids.append(cid)
        sname = "wide" if i == 0 else "main"
        db.execute("INSERT INTO share_schemas (id, share_id, name, name_key, created_ms, updated_ms) "
                   "VALUES (?,?,?,?,?,?)", (cid, sid, sname, sname, now, now))
    rows = []
    for t in range(TABLES):
        if t < BIG_TABLES:
            cid, name = schema_ids[0], "t_%05d" % t
        else:
            k = t - BIG_TABLES
            cid, name = schema_ids[1 + k % (SHARES - 1)], "t_%05d" % k
        rows.append((str(uuid.uuid4()), cid, name, name, "/data/%s" % name, now, now))
    db.executemany("INSERT INTO shared_tables (id, schema_id, name, name_key, location, created_ms, updated_ms) "
                   "VALUES (?,?,?,?,?,?,?)", rows)
    recipient_ids = []
    for r in range(RECIPIENTS):
        rid = str(uuid.uuid4())
        recipient_ids.append(rid)
        name = "partner_%04d" % r
        db.execute("INSERT INTO recipients (id, name, name_key, comment, created_ms, updated_ms) "
                   "VALUES (?,?,?,?,?,?)", (rid, name, name, "recipient %d" % r, now, now))
        for g in range(3):
            db.execute("INSERT INTO share_grants (recipient_id, share_id, created_ms) VALUES (?,?,?)",
                       (rid, share_ids[(r * 7 + g * 13) % SHARES], now))
        db.execute("INSERT INTO recipient_tokens (id, recipient_id, token_hash, created_ms, expiration_ms) "
                   "VALUES (?,?,?,?,?)", (str(uuid.uuid4()), rid, uuid.uuid4().hex + uuid.uuid4().hex, now,
                                          now + (r % 30) * 86400000))
        db.execute("INSERT INTO activation_links (id, secret_hash, recipient_id, created_ms, expiration_ms) "
                   "VALUES (?,?,?,?,?)", (str(uuid.uuid4()), uuid.uuid4().hex + uuid.uuid4().hex, rid, now,
                                          now + 7 * 86400000))
    actions = ("queryTable", "listShares", "getTableVersion", "createShare", "login")
    db.executemany(
        "INSERT INTO audit_log (time_ms, actor_kind, actor_name, action, object, outcome) VALUES (?,?,?,?,?,?)",
        [(now - (AUDIT - a) * 1000, "recipient", "partner_%04d" % (a % RECIPIENTS), actions[a % len(actions)],
          "table:share_%04d.main.t_%05d" % (a % SHARES, a % TABLES), "ok" if a % 17 else "denied")
         for a in range(AUDIT)])
    db.commit()
    db.close()


def pages(last_page_token):
    """Each console page: the API calls it makes when it opens (web/src/pages)."""
    return {
        "overview": ["/overview"],
        "shares list": ["/shares?maxResults=50"],
        "shares search": ["/shares?maxResults=50&search=share_09"],
        "share (1 schema)": ["/shares/share_0500", "/shares/share_0500/schemas?maxResults=1000"],
        "big share": ["/shares/big", "/shares/big/schemas?maxResults=1000"],
        "schema, 5 000 tables": ["/shares/big/schemas/wide", "/shares/big/schemas/wide/tables?maxResults=50"],
        "schema, last page": ["/shares/big/schemas/wide",
                              "/shares/big/schemas/wide/tables?maxResults=50&pageToken=" + last_page_token],
        "schema search": ["/shares/big/schemas/wide", "/shares/big/schemas/wide/tables?maxResults=50&search=t_049"],
        "recipients list": ["/recipients?maxResults=50", "/shares?maxResults=1000"],
        "recipient": ["/recipients/partner_0500", "/recipients/partner_0500/tokens",
                      "/recipients/partner_0500/activation-links", "/recipients/partner_0500/grants",
                      "/shares?maxResults=1000"],
        "audit": ["/audit?maxResults=50"],
        "audit, filtered": ["/audit?maxResults=50&actor=partner_0042&outcome=denied"],
    }


def pct(values, p):
    s = sorted(values)
    return s[min(len(s) - 1, int(round(p / 100.0 * (len(s) - 1))))]


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--bin", default=os.path.join(os.path.dirname(HERE), "build", "src", "cli", "lakeshare"))
    ap.add_argument("--rounds", type=int, default=30)
    ap.add_argument("--target-ms", type=float, default=200.0)
    ap.add_argument("--keep", help="make the catalog in this folder and leave it there")
    args = ap.parse_args()

    workdir = args.keep or tempfile.mkdtemp(prefix="console_scale_")
    os.makedirs(workdir, exist_ok=True)
    path = os.path.join(workdir, "catalog.db")
    if os.path.exists(path):
        os.remove(path)
    db = catalog_db.CatalogDb("sqlite", "sqlite:" + path, path=path)
    t0 = time.perf_counter()
    server = catalog_db.DbServer(args.bin, db, workdir, name="console_scale")  # migrates, adds users
    fill(path)
    print("catalog: %d shares, %d tables, %d recipients, %d audit entries in %.1f s"
          % (SHARES, TABLES, RECIPIENTS, AUDIT, time.perf_counter() - t0))
    server.start()
    try:
        api = server.base_url + "/api/v1"
        login = requests.post(api + "/login", json={"username": catalog_db.ADMIN_USER,
                                                    "password": catalog_db.ADMIN_PASSWORD}, timeout=30)
        login.raise_for_status()
        headers = {"Authorization": "Bearer " + login.json()["token"]}
        sessions = [requests.Session() for _ in range(6)]  # a browser's connections per host
        # The token of the big schema's last page of 50 (tokens are opaque: walk there).
        token, seen = None, 0
        while seen < BIG_TABLES - 50:
            n = min(1000, BIG_TABLES - 50 - seen)
            q = {"maxResults": n}
            if token:
                q["pageToken"] = token
            r = sessions[0].get(api + "/shares/big/schemas/wide/tables", params=q, headers=headers, timeout=60)
            r.raise_for_status()
            token, seen = r.json()["nextPageToken"], seen + n
        plan = pages(requests.utils.quote(token, safe=""))

        def get(i, target):
            t = time.perf_counter()
            r = sessions[i].get(api + target, headers=headers, timeout=60)
            if r.status_code != 200:
                raise SystemExit("%s -> %d %s" % (target, r.status_code, r.text[:200]))
            return time.perf_counter() - t, len(r.content)

        page_ms, call_ms, sizes = {}, {}, {}
        with concurrent.futures.ThreadPoolExecutor(max_workers=6) as pool:
            for rnd in range(args.rounds + 1):
                for page, calls in plan.items():
                    t = time.perf_counter()
                    results = list(pool.map(get, range(len(calls)), calls))
                    wall = (time.perf_counter() - t) * 1000
                    if rnd == 0:
                        continue  # warm-up
                    page_ms.setdefault(page, []).append(wall)
                    for target, (secs, size) in zip(calls, results):
                        call_ms.setdefault(target, []).append(secs * 1000)
                        sizes[target] = size
        slow = []
        print("\n%-24s %10s %10s" % ("page (all its data)", "median ms", "p95 ms"))
        for page, v in page_ms.items():
            p95 = pct(v, 95)
            print("%-24s %10.1f %10.1f%s" % (page, statistics.median(v), p95,
                                           "  OVER TARGET" if p95 > args.target_ms else ""))
            if p95 > args.target_ms:
                slow.append(page)
        print("\n%-72s %9s %9s %9s" % ("call", "median ms", "p95 ms", "bytes"))
        for target, v in call_ms.items():
            print("%-72s %9.1f %9.1f %9d" % (target, statistics.median(v), pct(v, 95), sizes[target]))
        if slow:
            print("\nover %.0f ms (p95): %s" % (args.target_ms, ", ".join(slow)))
            return 1
        print("\nevery page under %.0f ms (p95)" % args.target_ms)
        return 0
    finally:
        server.stop()
        if not args.keep:
            shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
