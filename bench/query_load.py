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
import re
import signal
import subprocess
import sys
import tempfile
import time
import uuid

import requests

TOKEN = "bench-token"


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


def rss_kib(pid):
    with open("/proc/%d/status" % pid) as f:
        m = re.search(r"VmRSS:\s+(\d+) kB", f.read())
    return int(m.group(1))


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
        with open(config, "w") as f:
            f.write("version: 1\nhost: 127.0.0.1\nport: 0\naccessLog: false\n"
                    "authorization: {bearerToken: %s}\n"
                    "shares:\n- name: s\n  schemas:\n  - name: d\n    tables:\n"
                    "    - {name: t, location: %s}\n" % (TOKEN, table))
        proc = subprocess.Popen([args.bin, "serve", "--config", config], stdout=subprocess.PIPE, text=True)
        try:
            line = proc.stdout.readline()
            url = line.split("listening on ", 1)[1].strip()
            base_rss = rss_kib(proc.pid)
            s = requests.Session()
            s.headers["Authorization"] = "Bearer " + TOKEN
            q = url + "/shares/s/schemas/d/tables/t/query"

            def query():
                t0 = time.perf_counter()
                r = s.post(q, json={}, stream=True)
                r.raise_for_status()
                n = sum(1 for _ in r.iter_lines())
                return time.perf_counter() - t0, n - 2

            cold, n = query()
            assert n == args.files, (n, args.files)
            warm = sorted(query()[0] for _ in range(args.repeat))
            t0 = time.perf_counter()
            for _ in range(50):
                s.get(url + "/shares/s/schemas/d/tables/t/version").raise_for_status()
            version_ms = (time.perf_counter() - t0) / 50 * 1000
            rss = rss_kib(proc.pid)
            med = warm[len(warm) // 2]
            print("files=%d commits=%d" % (args.files, args.commits))
            print("cold query:  %.1f ms" % (cold * 1000))
            print("warm query:  %.1f ms median (%.0f file lines/s)" % (med * 1000, args.files / med))
            print("/version:    %.2f ms" % version_ms)
            print("server RSS:  %.1f MiB at start, %.1f MiB after queries (%.0f bytes/file)"
                  % (base_rss / 1024, rss / 1024, (rss - base_rss) * 1024 / args.files))
        finally:
            proc.send_signal(signal.SIGTERM)
            proc.wait(timeout=30)


if __name__ == "__main__":
    sys.exit(main())
