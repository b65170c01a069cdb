#!/usr/bin/env python3
"""Load figures of the admin API and of the sharing audit (Debian python3 +
requests).

For each catalog backend — a SQLite file, and a private PostgreSQL server
started here (fsync on, as in production; tests/e2e/catalog_db.py) — starts
the real `lakeshare serve`, logs in, and measures through the API:
  - admin writes per second, by kind (create share, create recipient,
    create token, update share with a version check) and mixed, with 1 and
    N concurrent clients (separate processes, keep-alive connections),
    and their median / 99th percentile latency;
  - warm /query requests per second on a small table (5 files) through two
    servers on the one database, one with the audit of sharing requests on
    (the default), one with it off (auditSharingRequests: false), in
    interleaved runs: what auditing costs a query.

Usage: bench/admin_load.py [--bin build/src/cli/lakeshare] [--seconds 5]
       [--clients 4] [--rounds 3] [--backends sqlite,postgresql]
"""
import argparse
import multiprocessing
import os
import shutil
import statistics
import sys
import tempfile
import time

import requests

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(HERE), "tests", "e2e"))

import catalog_db  # noqa: E402
import harness  # noqa: E402

SIMPLE = os.path.join(harness.DELTA_ROOT, "simple_table")
KINDS = ("createShare", "createRecipient", "createToken", "updateShare", "mixed")


def _client(args):
    """One client process: `kind` writes for `seconds`; returns latencies (s)."""
    base, token, kind, seconds, cid = args
    s = requests.Session()
    h = {"Authorization": "Bearer " + token}
    api = base + "/api/v1"
    lat = []
    # Each client owns a share and a recipient to update and issue tokens for.
    own = "own_%s_%d_%d" % (kind, cid, os.getpid())
    assert s.post(api + "/shares", json={"name": own}, headers=h, timeout=30).status_code == 201
    assert s.post(api + "/recipients", json={"name": own}, headers=h, timeout=30).status_code == 201
    version = 1
    k = 0
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        k += 1
        what = kind if kind != "mixed" else KINDS[k % 4]
        t0 = time.perf_counter()
        if what == "createShare":
            r = s.post(api + "/shares", json={"name": "%s_s%d" % (own, k), "comment": "c"}, headers=h, timeout=30)
        elif what == "createRecipient":
            r = s.post(api + "/recipients", json={"name": "%s_r%d" % (own, k)}, headers=h, timeout=30)
        elif what == "createToken":
            r = s.post(api + "/recipients/%s/tokens" % own, json={}, headers=h, timeout=30)
        else:
            r = s.patch(api + "/shares/" + own, json={"comment": str(k), "version": version}, headers=h, timeout=30)
            if r.status_code == 200:
                version = r.json()["version"]
        lat.append(time.perf_counter() - t0)
        if r.status_code >= 300:
            raise RuntimeError("%s failed: %d %s" % (what, r.status_code, r.text))
    return lat


def _query_client(args):
    endpoint, token, seconds = args
    s = requests.Session()
    h = {"Authorization": "Bearer " + token}
    n = 0
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        r = s.post(endpoint + "/shares/b/schemas/d/tables/t/query", json={}, headers=h, timeout=30)
        assert r.status_code == 200
        n += 1
    return n


def measure_writes(pool, base, token, kind, clients, seconds):
    results = pool.map(_client, [(base, token, kind, seconds, c) for c in range(clients)])
    lat = sorted(x for r in results for x in r)
    return len(lat) / seconds, statistics.median(lat) * 1000, lat[int(len(lat) * 0.99)] * 1000


def measure_queries(pool, endpoint, token, clients, seconds):
    return sum(pool.map(_query_client, [(endpoint, token, seconds)] * clients)) / seconds


def run_backend(binary, backend, cluster, args):
    workdir = tempfile.mkdtemp(prefix="lakeshare-admin-bench-")
    if backend == "sqlite":
        db = catalog_db.CatalogDb("sqlite", "sqlite:" + os.path.join(workdir, "catalog.db"),
                                  path=os.path.join(workdir, "catalog.db"))
    else:
        name, url = cluster.new_database()
        db = catalog_db.CatalogDb("postgresql", url, cluster=cluster, dbname=name)
    rows = []
    # Two servers on the one database, the same but for the sharing audit.
    on = catalog_db.DbServer(binary, db, workdir, name="bench_audit_on", accessLog=False).start()
    off = catalog_db.DbServer(binary, db, workdir, name="bench_audit_off", users=False, accessLog=False,
                              auditSharingRequests=False).start()
    try:
        with multiprocessing.Pool(max(args.clients, 2)) as pool:
            ops = on.admin()
            for kind in (KINDS if not args.skip_writes else ()):
                for clients in (1, args.clients):
                    rate, p50, p99 = measure_writes(pool, on.base_url, ops.token, kind, clients, args.seconds)
                    rows.append((backend, kind, clients, rate, p50, p99))
                    print("%-10s %-16s %d client(s): %7.0f writes/s  p50 %.1f ms  p99 %.1f ms"
                          % (backend, kind, clients, rate, p50, p99), flush=True)
            ops.ok("POST", "/shares", {"name": "b"}, status=201)
            ops.ok("POST", "/shares/b/schemas", {"name": "d"}, status=201)
            ops.ok("POST", "/shares/b/schemas/d/tables", {"name": "t", "location": SIMPLE}, status=201)
            ops.ok("POST", "/recipients", {"name": "reader"}, status=201)
            ops.ok("PUT", "/recipients/reader/grants/b")
            reader = ops.ok("POST", "/recipients/reader/tokens", {}, status=201)["bearerToken"]
            # Interleaved runs, so both see the same background load.
            rates = {True: [], False: []}
            for _ in range(args.rounds):
                for audit, server in ((True, on), (False, off)):
                    rates[audit].append(measure_queries(pool, server.endpoint_url, reader, args.clients,
                                                        args.seconds))
            for audit in (True, False):
                qps = statistics.median(rates[audit])
                rows.append((backend, "/query, sharing audit %s" % ("on" if audit else "off"), args.clients, qps,
                             None, None))
                print("%-10s /query audit %-3s %d clients: %7.0f queries/s (median of %s)"
                      % (backend, "on" if audit else "off", args.clients, qps,
                         ", ".join("%.0f" % r for r in rates[audit])), flush=True)
            time.sleep(1.0)
            audited = ops.ok("GET", "/audit", params={"actor": "reader", "maxResults": 1})["items"]
            assert audited and audited[0]["numFiles"] == 5
            n = int(db.query("SELECT COUNT(*) FROM audit_log WHERE actor_name = 'reader'")[0][0])
            expected = sum(rates[True]) * args.seconds
            print("%-10s audited queries: %d of about %.0f" % (backend, n, expected), flush=True)
    finally:
        on.stop()
        off.stop()
        shutil.rmtree(workdir, ignore_errors=True)
    return rows


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--bin", default=harness.DEFAULT_BIN)
    ap.add_argument("--seconds", type=float, default=5.0)
    ap.add_argument("--clients", type=int, default=4)
    ap.add_argument("--backends", default="sqlite,postgresql")
    ap.add_argument("--rounds", type=int, default=3, help="interleaved /query runs per audit setting")
    ap.add_argument("--skip-writes", action="store_true", help="only the /query figures")
    args = ap.parse_args()
    backends = args.backends.split(",")
    cluster = catalog_db.PostgresCluster(fsync=True).start() if "postgresql" in backends else None
    rows = []
    try:
        for b in backends:
            rows += run_backend(os.path.abspath(args.bin), b, cluster, args)
    finally:
        if cluster:
            cluster.stop()
    print("\n| backend | operation | clients | per second | p50 ms | p99 ms |\n|---|---|---|---|---|---|")
    for backend, kind, clients, rate, p50, p99 in rows:
        print("| %s | %s | %d | %.0f | %s | %s |" % (backend, kind, clients, rate,
                                                    "" if p50 is None else "%.1f" % p50,
                                                    "" if p99 is None else "%.1f" % p99))


if __name__ == "__main__":
    main()
