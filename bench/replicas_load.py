#!/usr/bin/env python3
"""Figures of two replicas behind HAProxy when one is killed (Debian python3,
requests, haproxy, postgresql-15).

Starts a private PostgreSQL (fsync on, as in production), two `lakeshare
serve` replicas on it and HAProxy on deploy/compose/haproxy.cfg (health
checks on /readyz every 500 ms, down after 2 failures), then runs a bounded
load through HAProxy: `--clients` threads POSTing /query on a small Delta
table (5 files) and one thread creating recipients (admin writes). Phases of
`--phase` seconds: both replicas up; replica1 killed with SIGKILL (the
survivor alone); replica1 restarted. Reports per phase /query requests/s and
latency p50/p99 (of every request, and of those answered by the survivor),
write latency, the requests that failed (only those in flight on the killed
replica may), and the acknowledged writes missing from the catalog (must be 0).

Usage: bench/replicas_load.py [--bin build/src/cli/lakeshare] [--phase 5] [--clients 3]
"""
import argparse
import os
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(HERE), "tests", "e2e"))

import catalog_db  # noqa: E402
import harness  # noqa: E402
from replica_cluster import REPLICAS, Cluster, Load, percentile  # noqa: E402


def ms(x):
    return "%.1f" % (1000 * x)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--bin", default=harness.DEFAULT_BIN)
    p.add_argument("--phase", type=float, default=5.0, help="seconds per phase")
    p.add_argument("--clients", type=int, default=3, help="/query client threads")
    p.add_argument("--no-keep-alive", action="store_true",
                   help="a new connection per request (then every failure names its replica)")
    args = p.parse_args()

    with tempfile.TemporaryDirectory(prefix="replicas_load_") as work:
        pg = catalog_db.PostgresCluster(fsync=True).start()
        try:
            dbname, url = pg.new_database()
            db = catalog_db.CatalogDb("postgresql", url, cluster=pg, dbname=dbname)
            cluster = Cluster(os.path.abspath(args.bin), db, work)
            try:
                load = Load(cluster, query_clients=args.clients, max_requests=100000,
                            keep_alive=not args.no_keep_alive).start()
                t0 = time.monotonic()
                time.sleep(args.phase)
                t_kill = time.monotonic()
                cluster.kill(0)
                t_gone = time.monotonic()
                time.sleep(args.phase)
                t_restart = time.monotonic()
                cluster.restart(0)
                time.sleep(args.phase)
                t_end = time.monotonic()
                load.stop()
                records = load.snapshot()
                acked = {r.name for r in records if r.kind == "write" and r.ok}
                in_db = {row[0] for row in db.query("SELECT name FROM recipients")}
            finally:
                cluster.stop()
        finally:
            pg.stop()

    print("two replicas behind HAProxy, %d /query clients + 1 admin writer, %.0f s phases, %s" %
          (args.clients, args.phase, "a connection per request" if args.no_keep_alive else "keep-alive"))
    print("%-22s %8s %8s %8s %8s %12s %12s %10s" % (
        "phase", "query/s", "p50 ms", "p99 ms", "max ms", "surv p50 ms", "surv p99 ms", "write p50"))
    for label, a, b in (("both up", t0, t_kill), ("replica1 killed (-9)", t_kill, t_restart),
                        ("replica1 restarted", t_restart, t_end)):
        rs = [r for r in records if a <= r.start < b and r.ok]
        q = [r for r in rs if r.kind == "query" and r.ok]
        surv = [r.latency for r in q if r.replica == REPLICAS[1]]
        w = [r.latency for r in rs if r.kind == "write" and r.ok]
        lat = [r.latency for r in q]
        print("%-22s %8.0f %8s %8s %8s %12s %12s %10s" % (
            label, len(q) / (b - a), ms(percentile(lat, 50)), ms(percentile(lat, 99)), ms(max(lat or [0])),
            ms(percentile(surv, 50)), ms(percentile(surv, 99)), ms(percentile(w, 50))))
    failed = [r for r in records if not r.ok]
    # In flight on the killed replica: sent before the process was gone, ended
    # after the signal, and not answered by the survivor (a kept-alive
    # connection HAProxy closes without an answer names no replica).
    in_flight = [r for r in failed
                 if r.replica in (REPLICAS[0], None) and r.start <= t_gone and r.end >= t_kill]
    print("the killed process was gone %.0f ms after SIGKILL" % (1000 * (t_gone - t_kill)))
    print("failed requests: %d (in flight on the killed replica: %d)" % (len(failed), len(in_flight)))
    for r in failed:
        print("  %s status=%s replica=%s started %+.3f s, ended %+.3f s from the kill %s" % (
            r.kind, r.status, r.replica, r.start - t_kill, r.end - t_kill, r.error or ""))
    print("acknowledged writes: %d, missing from the catalog: %d" % (len(acked), len(acked - in_db)))
    return 0 if len(failed) == len(in_flight) and not (acked - in_db) else 1


if __name__ == "__main__":
    sys.exit(main())
