#!/usr/bin/env python3
"""Cold /query of a Hudi sample table with a column-stats index: what reading
the metadata table's index adds. Each round starts a server (`--bin`, and
`--baseline-bin` if given: a build that does not read the index) on the
unzipped table and times its first /query: wall, and the server's CPU time
(user + system, from /proc) over the request. Rounds alternate the binaries.

    bench/hudi_column_stats_cold.py --bin build/src/cli/lakeshare \\
        --baseline-bin OTHER/lakeshare [--archive hudi-rs/cow/v9_txns_simple_meta.zip] [--rounds 4]
"""

import argparse
import json
import os
import sys
import tempfile
import time
import zipfile

from bench_server import serve, write_config

HERE = os.path.dirname(os.path.abspath(__file__))
DATA = os.path.join(os.path.dirname(HERE), "tests", "data", "hudi")


def cold_query(binary, config):
    with serve(binary, config) as server:
        cpu0 = server.cpu_s()
        t0 = time.perf_counter()
        r = server.session.post(server.table + "/query", json={},
                                headers={"delta-sharing-capabilities": "responseformat=delta"})
        r.raise_for_status()
        lines = r.text.splitlines()
        wall = time.perf_counter() - t0
        cpu = server.cpu_s() - cpu0
    adds = [json.loads(x)["file"]["deltaSingleAction"]["add"] for x in lines[2:]]
    bounded = sum(1 for a in adds if "minValues" in (a.get("stats") or ""))
    return wall, cpu, len(adds), bounded


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--bin", required=True)
    p.add_argument("--baseline-bin")
    p.add_argument("--archive", default="hudi-rs/cow/v9_txns_simple_meta.zip")
    p.add_argument("--rounds", type=int, default=4)
    args = p.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        with zipfile.ZipFile(os.path.join(DATA, args.archive)) as z:
            z.extractall(tmp, [m for m in z.namelist() if not m.startswith("__MACOSX/")])
        table = next(os.path.join(tmp, d) for d in os.listdir(tmp)
                     if os.path.isdir(os.path.join(tmp, d, ".hoodie")))
        config = os.path.join(tmp, "config.yaml")
        write_config(config, "{name: t, location: %s, format: hudi}" % table)
        bins = [("bin", args.bin)] + ([("baseline", args.baseline_bin)] if args.baseline_bin else [])
        for r in range(args.rounds):
            for label, binary in bins:
                wall, cpu, files, bounded = cold_query(binary, config)
                print("round %d %-8s cold /query %6.1f ms, server CPU %5.0f ms, %d files (%d with bounds)"
                      % (r, label, wall * 1000, cpu * 1000, files, bounded))
                sys.stdout.flush()


if __name__ == "__main__":
    main()
