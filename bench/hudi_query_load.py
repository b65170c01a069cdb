#!/usr/bin/env python3
"""End-to-end figures for Hudi tables (Debian python3 + requests).

1. A copy-on-write table written by `lakeshare generate-hudi` (--files base
   files over --commits commits; --metadata-only: the timeline only, no data
   files): cold /query (the first after start: lists the timeline, reads every
   commit's metadata, builds the snapshot, signs URLs), warm /query (median of
   --repeat, snapshot cached) as file lines per second, /version.
2. A merge-on-read table (--mor-files groups of --mor-rows rows, 10% of every
   group's rows updated in a log file): the first /query merges every slice
   into the merge cache (MB of merged parquet written per second), the second
   finds them there.

Every /query is read in large chunks (lines counted, not parsed); the
server's CPU time (user + system, from /proc) is printed beside wall times.

Usage: bench/hudi_query_load.py [--bin build/src/cli/lakeshare] [--files 100000]
       [--commits 100] [--repeat 5] [--metadata-only] [--mor-files 20] [--mor-rows 200000]
"""
import argparse
import os
import subprocess
import sys
import tempfile
import time

from bench_server import serve, write_config


def cpu_s(pid):
    """User + system CPU seconds the process has used so far."""
    with open("/proc/%d/stat" % pid) as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def query(server):
    """(wall seconds, file lines, server CPU seconds) of one /query read to
    its end in large chunks, newlines counted in C: the Python client's
    line loop (iter_lines) reads only ~400 000 lines/s and would bound the
    figure."""
    cpu0 = cpu_s(server.proc.pid)
    t0 = time.perf_counter()
    r = server.session.post(server.table + "/query", json={}, stream=True)
    r.raise_for_status()
    n = sum(chunk.count(b"\n") for chunk in r.iter_content(1 << 20))
    wall = time.perf_counter() - t0
    return wall, n - 2, cpu_s(server.proc.pid) - cpu0  # protocol and metaData lines


def folder_bytes(path):
    return sum(os.path.getsize(os.path.join(r, f)) for r, _, fs in os.walk(path) for f in fs)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--bin", default=os.path.join(os.path.dirname(__file__), "..", "build", "src", "cli", "lakeshare"))
    ap.add_argument("--files", type=int, default=100000)
    ap.add_argument("--commits", type=int, default=100)
    ap.add_argument("--table-version", type=int, default=9)
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--metadata-only", action="store_true")
    ap.add_argument("--mor-files", type=int, default=20)
    ap.add_argument("--mor-rows", type=int, default=200000)
    args = ap.parse_args()

    with tempfile.TemporaryDirectory(prefix="lakeshare-hudi-bench-") as tmp:
        table = os.path.join(tmp, "cow")
        t0 = time.perf_counter()
        cmd = [args.bin, "generate-hudi", "--dir", table, "--files", str(args.files), "--commits",
               str(args.commits), "--table-version", str(args.table_version), "--rows-per-file", "10"]
        if args.metadata_only:
            cmd.append("--metadata-only")
        subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL)
        gen_s = time.perf_counter() - t0
        timeline = folder_bytes(os.path.join(table, ".hoodie"))
        config = os.path.join(tmp, "config.yaml")
        write_config(config, "{name: t, location: %s, format: hudi, historyShared: true}" % table)
        with open(config, "a") as f:
            f.write("hudi: {mergeCache: %s}\n" % os.path.join(tmp, "merge-cache"))
        with serve(args.bin, config) as server:
            cold, n, cold_cpu = query(server)
            assert n == args.files, (n, args.files)
            warm = sorted(query(server)[0::2] for _ in range(args.repeat))
            version_ms = server.version_ms()
            med, med_cpu = warm[len(warm) // 2]
            print("copy-on-write: files=%d commits=%d table version %d, timeline %.1f MB (generated in %.1f s)"
                  % (args.files, args.commits, args.table_version, timeline / 1e6, gen_s))
            print("cold query:  %.0f ms (server CPU %.0f ms)" % (cold * 1000, cold_cpu * 1000))
            print("warm query:  %.0f ms median (%.0f file lines/s; server CPU %.0f ms), best %.0f ms"
                  % (med * 1000, args.files / med, med_cpu * 1000, warm[0][0] * 1000))
            print("/version:    %.2f ms" % version_ms)

        if args.mor_files <= 0:
            return 0
        mor = os.path.join(tmp, "mor")
        subprocess.run([args.bin, "generate-hudi", "--dir", mor, "--table-type", "mor", "--files",
                        str(args.mor_files), "--commits", "1", "--rows-per-file", str(args.mor_rows),
                        "--update-fraction", "0.1", "--table-version", str(args.table_version)],
                       check=True, stdout=subprocess.DEVNULL)
        config = os.path.join(tmp, "mor.yaml")
        cache = os.path.join(tmp, "mor-cache")
        write_config(config, "{name: t, location: %s, format: hudi, historyShared: true}" % mor)
        with open(config, "a") as f:
            f.write("hudi: {mergeCache: %s}\n" % cache)
        base = sum(os.path.getsize(os.path.join(r, f)) for r, _, fs in os.walk(mor) for f in fs
                   if f.endswith(".parquet"))
        logs = sum(os.path.getsize(os.path.join(r, f)) for r, _, fs in os.walk(mor) for f in fs
                   if ".log." in f)
        with serve(args.bin, config) as server:
            merge_s, n, merge_cpu = query(server)
            assert n == args.mor_files, n
            again, _, _ = query(server)
        with serve(args.bin, config) as server:
            restart_s, _, _ = query(server)
        merged = folder_bytes(cache)
        rows = args.mor_files * args.mor_rows
        print("merge-on-read: %d slices x %d rows, 10%% updated (base %.1f MB, logs %.1f MB)"
              % (args.mor_files, args.mor_rows, base / 1e6, logs / 1e6))
        print("first query (merges): %.2f s (server CPU %.2f s), %.1f MB merged parquet written: "
              "%.1f MB/s, %.0f rows/s" % (merge_s, merge_cpu, merged / 1e6, merged / 1e6 / merge_s,
                                          rows / merge_s))
        print("second query (cached snapshot): %.0f ms; after a restart (merge cache hit): %.0f ms"
              % (again * 1000, restart_s * 1000))
    return 0


if __name__ == "__main__":
    sys.exit(main())
