#!/usr/bin/env python3
"""End-to-end /query figures for a large Iceberg table (Debian python3 + requests).

Writes a synthetic Iceberg table with `lakeshare generate-iceberg` (real
parquet data files, Avro manifests, metadata JSON), starts the real server
on it and measures what a client sees:
  - cold /query: the first query after start (reads the metadata JSON, the
    manifest list and every manifest, converts bounds to stats, signs URLs),
  - warm /query: the same query again (snapshot cached), median of --repeat,
  - a query with a partition predicate, /version, and the server's memory.

Usage: bench/iceberg_query_load.py [--bin build/src/cli/lakeshare]
       [--files 100000] [--snapshots 10] [--files-per-manifest 10000]
       [--repeat 5] [--metadata-only]
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile
import time

from bench_server import serve, write_config


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--bin", default=os.path.join(os.path.dirname(__file__), "..", "build", "src", "cli", "lakeshare"))
    ap.add_argument("--files", type=int, default=100000)
    ap.add_argument("--snapshots", type=int, default=10)
    ap.add_argument("--files-per-manifest", type=int, default=10000)
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--metadata-only", action="store_true", help="no parquet files (manifests only)")
    args = ap.parse_args()

    with tempfile.TemporaryDirectory(prefix="lakeshare-iceberg-bench-") as tmp:
        table = os.path.join(tmp, "table")
        t0 = time.perf_counter()
        cmd = [args.bin, "generate-iceberg", "--dir", table, "--files", str(args.files),
               "--snapshots", str(args.snapshots), "--files-per-manifest", str(args.files_per_manifest)]
        if args.metadata_only:
            cmd.append("--metadata-only")
        subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL)
        gen_s = time.perf_counter() - t0
        manifests = sum(os.path.getsize(os.path.join(table, "metadata", f))
                        for f in os.listdir(os.path.join(table, "metadata")) if f.endswith(".avro"))
        config = os.path.join(tmp, "config.yaml")
        write_config(config, "{name: t, location: %s, format: iceberg, historyShared: true}" % table)
        with serve(args.bin, config) as server:
            base_rss = server.rss_kib()
            cold, n = server.query()
            assert n == args.files, (n, args.files)
            warm = sorted(server.query()[0] for _ in range(args.repeat))
            pred = {"op": "equal", "children": [{"op": "column", "name": "day", "valueType": "date"},
                                                 {"op": "literal", "value": "2020-01-05", "valueType": "date"}]}
            pt, pn = min((server.query({"jsonPredicateHints": json.dumps(pred)}) for _ in range(args.repeat)),
                         key=lambda x: x[0])
            old, _ = server.query({"version": 1})
            version_ms = server.version_ms()
            rss = server.rss_kib()
            med = warm[len(warm) // 2]
            print("files=%d snapshots=%d files/manifest=%d manifests=%.1f MB (generated in %.1f s)"
                  % (args.files, args.snapshots, args.files_per_manifest, manifests / 1e6, gen_s))
            print("cold query:  %.0f ms" % (cold * 1000))
            print("warm query:  %.0f ms median (%.0f file lines/s)" % (med * 1000, args.files / med))
            print("predicate:   %.0f ms (%d of %d files kept)" % (pt * 1000, pn, args.files))
            print("version 1 (first time): %.0f ms" % (old * 1000))
            print("/version:    %.2f ms" % version_ms)
            print("server RSS:  %.1f MiB at start, %.1f MiB after queries (%.0f bytes/file)"
                  % (base_rss / 1024, rss / 1024, (rss - base_rss) * 1024 / args.files))


if __name__ == "__main__":
    sys.exit(main())
