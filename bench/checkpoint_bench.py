#!/usr/bin/python3
"""Checkpoint figures at a million files, with DuckDB as the yardstick.

1. Writes the synthetic table (``lakeshare generate-delta``: 1 000 000 files in
   a parquet checkpoint + 100 JSON commits) into build/bench-checkpoint once.
2. Installs npm ``@duckdb/node-api`` into build/duckdb-node (a scratch folder
   of the build tree; DuckDB is never a dependency of lakeshare) and times
   DuckDB scanning the checkpoint's add columns, 1 and 2 threads, best of N.
3. Runs ``delta_benchmark`` on the same files: our decode of the same
   columns, the checkpoint read into DataFiles, the cold load of the latest
   snapshot (checkpoint + 100 commits) and the incremental refresh.

Usage: bench/checkpoint_bench.py [--build build] [--runs 5]
"""

import argparse
import json
import os
import subprocess
import sys
import time

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DUCKDB_PACKAGE = "@duckdb/node-api@1.5.6-r.1"

DUCKDB_SCRIPT = r"""
import { DuckDBInstance } from '@duckdb/node-api';
const [file, threads, runs] = [process.argv[2], Number(process.argv[3]), Number(process.argv[4])];
const con = await (await DuckDBInstance.create(':memory:')).connect();
await con.run(`SET threads = ${threads}`);
const sql = `SELECT count(add.path) AS adds, sum(length(add.path)) AS path_bytes,
  sum(length(add.stats)) AS stats_bytes, sum(add.size) AS sizes,
  sum(add.modificationTime) AS mtimes, count_if(add.dataChange) AS data_change,
  sum(cardinality(add.partitionValues)) AS entries, count(add.deletionVector.storageType) AS dvs
  FROM read_parquet('${file.replaceAll("'", "''")}')`;
let best = Infinity, result = null;
for (let i = 0; i < runs; ++i) {
  const t = process.hrtime.bigint();
  const r = await con.runAndReadAll(sql);
  const ms = Number(process.hrtime.bigint() - t) / 1e6;
  best = Math.min(best, ms);
  result = r.getRowObjectsJson()[0];
}
console.log(JSON.stringify({ best_ms: best, result }));
"""


def run(cmd, **kw):
    print("+", " ".join(cmd), file=sys.stderr)
    return subprocess.run(cmd, check=True, **kw)


def ensure_duckdb(build):
    """<build>/duckdb-node with npm @duckdb/node-api installed (once)."""
    duck = os.path.join(build, "duckdb-node")
    if not os.path.isdir(os.path.join(duck, "node_modules", "@duckdb", "node-api")):
        os.makedirs(duck, exist_ok=True)
        with open(os.path.join(duck, "package.json"), "w") as f:
            f.write('{"private": true}\n')
        run(["npm", "install", "--no-audit", "--no-fund", "--loglevel=error", DUCKDB_PACKAGE], cwd=duck)
    return duck


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--build", default=os.path.join(REPO, "build"))
    ap.add_argument("--runs", type=int, default=5)
    args = ap.parse_args()
    build = os.path.abspath(args.build)
    lakeshare = os.path.join(build, "src", "cli", "lakeshare")
    bench = os.path.join(build, "src", "delta", "delta_benchmark")

    table = os.path.join(build, "bench-checkpoint")
    checkpoint = os.path.join(table, "_delta_log", "00000000000000000000.checkpoint.parquet")
    if not os.path.exists(checkpoint):
        run([lakeshare, "generate-delta", "--dir", table, "--files", "1000000", "--commits", "100"])

    duck = ensure_duckdb(build)
    script = os.path.join(duck, "checkpoint_scan.mjs")
    with open(script, "w") as f:
        f.write(DUCKDB_SCRIPT)

    print("load average before: %s" % open("/proc/loadavg").read().split()[:3])
    duckdb = {}
    for threads in (1, 2):
        out = run(["node", script, checkpoint, str(threads), str(args.runs)], cwd=duck,
                  capture_output=True, text=True).stdout
        duckdb[threads] = json.loads(out)
        print("DuckDB, %d thread(s): %.0f ms  %s" % (threads, duckdb[threads]["best_ms"],
                                                     duckdb[threads]["result"]))

    env = dict(os.environ, LAKESHARE_BENCH_TABLE=table)
    t = time.time()
    run([bench, "--benchmark_filter=Million", "--benchmark_counters_tabular=true"], env=env)
    print("delta_benchmark took %.0f s" % (time.time() - t))
    print("load average after: %s" % open("/proc/loadavg").read().split()[:3])


if __name__ == "__main__":
    main()
