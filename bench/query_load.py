#!/usr/bin/env python3
"""End-to-end load figures for lakeshare (Debian python3 + requests).

Writes a synthetic Delta table (JSON commit log only; the data files
themselves are not needed to sign URLs), starts the real server on it, and
measures what a client sees:
  - cold /query: first query after start (lists and replays the log),
  - warm /query: file lines per second over one connection,
  - /version latency, and the server's resident memory after the queries.

Usage: bench/query_load.py [--bin build/src/cli/lakeshare] [--files 10000]
       [--commits 100] [--repeat 5]
"""
import argparse
import json
import os
import random
import sys
import tempfile
import time
import uuid

from bench_server import serve, write_config


def write_table(root, files, commits, seed=7):
    rnd = random.Random(seed)
    log = os.path.join(root, "_delta_log")
    os.makedirs(log)
    schema = {"type": "struct", "fields": [
        {"name": "id", "type": "long", "nullable": True, "metadata": {}},
        {"name": "value", "type": "double", "nullable": True, "metadata": {}},
        {"name": "name", "type": "string", "nullable": True, "metadata": {}},
        {"name": "part", "type": "integer", "nullable": True, "metadata": {}}]}
    per_commit = max(1, files // commits)
    now_ms = int(time.time() * 1000)
    written = 0
    for v in range(commits):
        lines = [json.dumps({"commitInfo": {"timestamp": now_ms + v, "operation": "WRITE"}})]
        if v == 0:
            lines.append(json.dumps({"protocol": {"minReaderVersion": 1, "minWriterVersion": 2}}))
            lines.append(json.dumps({"metaData": {
                "id": str(uuid.UUID(int=rnd.getrandbits(128))), "format": {"provider": "parquet", "options": {}},
                "schemaString": json.dumps(schema), "partitionColumns": ["part"], "configuration": {},
                "createdTime": now_ms}}))
        count = per_commit if v < commits - 1 else files - written
        for _ in range(count):
            part = rnd.randrange(100)
            lo = rnd.randrange(1_000_000)
            stats = {"numRecords": rnd.randrange(1000, 100000),
                     "minValues": {"id": lo, "value": rnd.random(), "name": "aaa%05d" % rnd.randrange(99999)},
                     "maxValues": {"id": lo + 5000, "value": 1 + rnd.random(), "name": "zzz%05d" % rnd.randrange(99999)},
                     "nullCount": {"id": 0, "value": rnd.randrange(10), "name": 0}}
            lines.append(json.dumps({"add": {
                "path": "part=%d/part-%05d-%s.c000.snappy.parquet" % (part, written % 100000, uuid.UUID(int=rnd.getrandbits(128))),
                "partitionValues": {"part": str(part)}, "size": rnd.randrange(10**6, 10**8),
                "modificationTime": now_ms, "dataChange": True, "stats": json.dumps(stats)}}))
            written += 1
        with open(os.path.join(log, "%020d.json" % v), "w") as f:
            f.write("\n".join(lines) + "\n")


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--bin", default=os.path.join(os.path.dirname(__file__), "..", "build", "src", "cli", "lakeshare"))
    ap.add_argument("--files", type=int, default=10000)
    ap.add_argument("--commits", type=int, default=100)
    ap.add_argument("--repeat", type=int, default=5)
    args = ap.parse_args()

    with tempfile.TemporaryDirectory(prefix="lakeshare-bench-") as tmp:
        table = os.path.join(tmp, "table")
        write_table(table, args.files, args.commits)
        config = os.path.join(tmp, "config.yaml")
        write_config(config, "{name: t, location: %s}" % table)
        with serve(args.bin, config) as server:
            base_rss = server.rss_kib()
            cold, n = server.query()
            assert n == args.files, (n, args.files)
            warm = sorted(server.query()[0] for _ in range(args.repeat))
            version_ms = server.version_ms()
            rss = server.rss_kib()
            med = warm[len(warm) // 2]
            print("files=%d commits=%d" % (args.files, args.commits))
            print("cold query:  %.1f ms" % (cold * 1000))
            print("warm query:  %.1f ms median (%.0f file lines/s)" % (med * 1000, args.files / med))
            print("/version:    %.2f ms" % version_ms)
            print("server RSS:  %.1f MiB at start, %.1f MiB after queries (%.0f bytes/file)"
                  % (base_rss / 1024, rss / 1024, (rss - base_rss) * 1024 / args.files))


if __name__ == "__main__":
    sys.exit(main())
