#!/usr/bin/env python3
"""End-to-end /query figures for a large Iceberg table (Debian python3 + requests).

Writes a synthetic Iceberg table with `lakeshare generate-iceberg` (real
parquet data files, Avro manifests, metadata JSON), starts the real server
on it and measures what a client sees:
  - cold /query: the first query after start (reads the metadata JSON, the
    manifest list and every manifest, converts bounds to stats, signs URLs),
  - warm /query: the same query again (snapshot cached), median of --repeat,
  - a query with a partition predicate, /version, and the server's memory.

With --delete-fraction F: position deletes instead (issue 16). Two tables of
the same shape, one whose last snapshot adds v2 position delete files to the
fraction F of its data files (`generate-iceberg --delete-fraction`), served
one after the other by fresh servers, --rounds times alternately; each is
queried in the delta format with deletion vectors (curl, answer to
/dev/null): cold /query (first after start), warm /query (best and median of
--repeat), the server's CPU (user+sys) for each, and the load average.

Usage: bench/iceberg_query_load.py [--bin build/src/cli/lakeshare]
       [--files 100000] [--snapshots 10] [--files-per-manifest 10000]
       [--repeat 5] [--metadata-only]
       [--delete-fraction 0.1 [--rounds 2] [--delete-file-per-data-file]]
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile
import time

from bench_server import TOKEN, serve, write_config


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--bin", default=os.path.join(os.path.dirname(__file__), "..", "build", "src", "cli", "lakeshare"))
    ap.add_argument("--files", type=int, default=100000)
    ap.add_argument("--snapshots", type=int, default=10)
    ap.add_argument("--files-per-manifest", type=int, default=10000)
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--metadata-only", action="store_true", help="no parquet files (manifests only)")
    ap.add_argument("--delete-fraction", type=float, default=0,
                    help="compare with a table whose files this fraction has position deletes")
    ap.add_argument("--rounds", type=int, default=2, help="with --delete-fraction: alternations")
    ap.add_argument("--delete-file-per-data-file", action="store_true",
                    help="with --delete-fraction: one delete file per data file (default: per day)")
    args = ap.parse_args()
    if args.delete_fraction > 0:
        return compare_deletes(args)

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


DV_CAPS = "responseformat=delta;readerfeatures=deletionvectors"


def curl_query(server):
    """(seconds, bytes) of one delta-format /query with DVs, read by curl."""
    out = subprocess.run(
        ["curl", "-sS", "-f", "-o", os.devnull, "-w", "%{time_total} %{size_download}",
         "-H", "Authorization: Bearer " + TOKEN, "-H", "Content-Type: application/json",
         "-H", "delta-sharing-capabilities: " + DV_CAPS, "-d", "{}", server.table + "/query"],
        check=True, capture_output=True, text=True).stdout.split()
    return float(out[0]), int(out[1])


def measure(server, repeat):
    c0 = server.cpu_s()
    cold, size = curl_query(server)
    c1 = server.cpu_s()
    warm = sorted(curl_query(server)[0] for _ in range(repeat))
    c2 = server.cpu_s()
    # What the answer holds (once, outside the timings).
    r = server.session.post(server.table + "/query", json={}, headers={"delta-sharing-capabilities": DV_CAPS})
    r.raise_for_status()
    lines = r.text.splitlines()
    with_dv = sum(1 for l in lines if '"deletionVector"' in l)
    return {"cold": cold, "cold_cpu": c1 - c0, "warm_best": warm[0], "warm_med": warm[len(warm) // 2],
            "warm_cpu": (c2 - c1) / repeat, "bytes": size, "files": len(lines) - 2, "with_dv": with_dv}


def compare_deletes(args):
    with tempfile.TemporaryDirectory(prefix="lakeshare-iceberg-bench-") as tmp:
        tables = {}
        for name, extra in (("no deletes", []), ("deletes", ["--delete-fraction", str(args.delete_fraction)])):
            table = os.path.join(tmp, name.replace(" ", "-"))
            cmd = [args.bin, "generate-iceberg", "--dir", table, "--files", str(args.files), "--snapshots",
                   str(args.snapshots), "--files-per-manifest", str(args.files_per_manifest)] + extra
            if args.metadata_only:
                cmd.append("--metadata-only")
            if extra and args.delete_file_per_data_file:
                cmd.append("--delete-file-per-data-file")
            out = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout.strip()
            print(out)
            config = os.path.join(tmp, name.replace(" ", "-") + ".yaml")
            write_config(config, "{name: t, location: %s, format: iceberg}" % table)
            tables[name] = config
        results = {name: [] for name in tables}
        for _ in range(args.rounds):
            for name, config in tables.items():
                with serve(args.bin, config) as server:
                    m = measure(server, args.repeat)
                    m["load"] = os.getloadavg()[0]
                    results[name].append(m)
        print("delta format (%s), %d files, curl; per round: cold wall / server CPU, warm best / median "
              "wall (file lines/s of the best) / server CPU per query, load average (1 min)"
              % (DV_CAPS, args.files))
        for name, runs in results.items():
            for m in runs:
                assert m["files"] == args.files, (name, m)
                print("%-10s cold %4.0f ms / %4.0f ms CPU   warm %4.0f / %4.0f ms (%.0f lines/s) / %4.0f ms CPU"
                      "   %d files with DVs, %.1f MB   load %.1f"
                      % (name, m["cold"] * 1000, m["cold_cpu"] * 1000, m["warm_best"] * 1000,
                         m["warm_med"] * 1000, args.files / m["warm_best"], m["warm_cpu"] * 1000,
                         m["with_dv"], m["bytes"] / 1e6, m["load"]))
        base = min(m["cold"] for m in results["no deletes"])
        dels = min(m["cold"] for m in results["deletes"])
        print("cold with deletes / without (best of rounds): %.2fx" % (dels / base))


if __name__ == "__main__":
    sys.exit(main())
