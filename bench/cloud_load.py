#!/usr/bin/env python3
"""Cold load of a table in an object store, as a client sees it.

Writes the synthetic Delta table of query_load.py (JSON commit log only; data
files are not read to sign URLs), uploads its `_delta_log` to the `s3rver`
S3 emulator (installed from npm into <build>/e2e-npm like the e2e tests do),
starts lakeshare on s3://bench/table and measures:
  - cold /query: first query after start: requests made to the store (from
    the emulator's log) and time;
  - warm /query and /version: requests and time once the snapshot is cached;
  - the same cold query on a local copy, for comparison.

Usage: bench/cloud_load.py [--bin build/src/cli/lakeshare] [--files 10000] [--commits 100]
"""
import argparse
import os
import re
import sys
import tempfile
import time

import requests

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "tests", "e2e"))
sys.path.insert(0, HERE)

import emulators  # noqa: E402
import harness  # noqa: E402
from query_load import write_table  # noqa: E402

TOKEN = "bench-token"
ANSWER = re.compile(r" [1-5]\d\d \d+ms ")


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--bin", default=os.path.join(HERE, "..", "build", "src", "cli", "lakeshare"))
    ap.add_argument("--files", type=int, default=10000)
    ap.add_argument("--commits", type=int, default=100)
    args = ap.parse_args()
    binary = os.path.abspath(args.bin)

    with tempfile.TemporaryDirectory(prefix="lakeshare-cloud-bench-") as tmp:
        table = os.path.join(tmp, "table")
        write_table(table, args.files, args.commits)
        s3 = emulators.S3rver(emulators.ensure_npm_packages(binary), os.path.join(tmp, "s3"), ["bench"]).start()
        server = None
        try:
            s3.upload_tree(table, "bench", "table")
            config = {
                "version": 1, "host": "127.0.0.1", "port": 0, "accessLog": False,
                "authorization": {"bearerToken": TOKEN},
                "shares": [{"name": "s", "schemas": [{"name": "d", "tables": [
                    {"name": "t", "location": "s3://bench/table"},
                    {"name": "local", "location": table}]}]}],
                "storage": [{"location": "s3://bench", "endpoint": s3.endpoint, "pathStyle": True,
                             "accessKeyId": emulators.S3_KEY_ID, "secretAccessKey": emulators.S3_SECRET}],
            }
            server = harness.ServerProcess(binary, config, os.path.join(tmp, "conf"), name="bench").start()
            s = requests.Session()
            s.headers["Authorization"] = "Bearer " + TOKEN
            base = server.endpoint_url + "/shares/s/schemas/d/tables/"

            def answered():
                time.sleep(0.5)  # the emulator logs after answering
                return [l for l in s3.request_lines() if ANSWER.search(l)]

            def query(name):
                before = len(answered())
                t0 = time.perf_counter()
                r = s.post(base + name + "/query", json={}, stream=True)
                r.raise_for_status()
                n = sum(1 for _ in r.iter_lines()) - 2
                took = time.perf_counter() - t0
                new = answered()[before:]
                return took, n, new

            cold, n, reqs = query("t")
            assert n == args.files, (n, args.files)
            lists = sum(1 for l in reqs if "list-type=2" in l)
            warm, _, warm_reqs = query("t")
            before = len(answered())
            t0 = time.perf_counter()
            for _ in range(20):
                s.get(base + "t/version").raise_for_status()
            version_ms = (time.perf_counter() - t0) / 20 * 1000
            version_reqs = len(answered()) - before
            local_cold, _, _ = query("local")
            print("files=%d commits=%d (log: %d objects)" % (args.files, args.commits, args.commits))
            print("S3 cold /query: %.0f ms, %d store requests (%d listing, %d GETs)"
                  % (cold * 1000, len(reqs), lists, len(reqs) - lists))
            print("S3 warm /query: %.0f ms, %d store requests" % (warm * 1000, len(warm_reqs)))
            print("S3 /version:    %.1f ms, %.1f store requests each" % (version_ms, version_reqs / 20))
            print("local cold /query (same table): %.0f ms" % (local_cold * 1000))
        finally:
            if server is not None:
                server.stop()
            s3.stop()


if __name__ == "__main__":
    sys.exit(main())
