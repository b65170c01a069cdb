#!/usr/bin/env python3
"""Issue 18 item 5: does one recipient's flood of costly queries starve another
recipient's cheap requests? Starts `lakeshare serve` on a synthetic table (the
one of query_load.py, --files files) shared to two recipients, then measures
recipient "other"'s `GET /shares` latency (one new connection every 100 ms)
first alone, then while recipient "flood" keeps --flooders clients each
sending `/query` with a wide `or` predicate hint (--leaves leaves) back to back.
Prints p50 / p95 / max latency of both phases and what the flood got (200s,
429s). Python 3 standard library and requests only.

Usage: bench/fair_share_probe.py [--bin build/src/cli/lakeshare] [--seconds 10]
       [--files 5000] [--flooders 24] [--leaves 2000]
"""
import argparse
import json
import os
import statistics
import tempfile
import threading
import time

import requests

from bench_server import serve
from query_load import write_table

FLOOD, OTHER = "tok-flood", "tok-other"
TABLE = "/shares/s/schemas/d/tables/t"


def write_config(path, table):
    with open(path, "w") as f:
        f.write("version: 1\nhost: 127.0.0.1\nport: 0\naccessLog: false\n"
                "maxRequestBodyBytes: 4194304\n"
                "recipients:\n- name: flood\n  token: %s\n  shares: ['*']\n"
                "- name: other\n  token: %s\n  shares: ['*']\n"
                "shares:\n- name: s\n  schemas:\n  - name: d\n    tables:\n"
                "    - {name: t, location: %s}\n" % (FLOOD, OTHER, table))


def latencies(url, seconds):
    out, failures = [], 0
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        t0 = time.perf_counter()
        try:
            r = requests.get(url + "/shares", timeout=60,
                             headers={"Authorization": "Bearer " + OTHER, "Connection": "close"})
            failures += r.status_code != 200
        except requests.RequestException:
            failures += 1
        out.append((time.perf_counter() - t0) * 1000)
        time.sleep(0.1)
    return out, failures


def summary(lat):
    lat = sorted(lat)
    p95 = lat[min(len(lat) - 1, int(len(lat) * 0.95))]
    return "p50 %.0f ms, p95 %.0f ms, max %.0f ms (%d requests)" % (statistics.median(lat), p95, lat[-1],
                                                                    len(lat))


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--bin", default=os.path.join(os.path.dirname(__file__), "..", "build", "src", "cli", "lakeshare"))
    ap.add_argument("--seconds", type=int, default=10)
    ap.add_argument("--files", type=int, default=5000)
    ap.add_argument("--flooders", type=int, default=24)
    ap.add_argument("--leaves", type=int, default=2000)
    args = ap.parse_args()
    leaf = lambda i: {"op": "equal", "children": [  # noqa: E731
        {"op": "column", "name": "id", "valueType": "long"},
        {"op": "literal", "value": str(i), "valueType": "long"}]}
    body = {"jsonPredicateHints": json.dumps({"op": "or", "children": [leaf(i) for i in range(args.leaves)]})}
    with tempfile.TemporaryDirectory(prefix="lakeshare-fair-") as tmp:
        table = os.path.join(tmp, "table")
        write_table(table, args.files, 10)
        config = os.path.join(tmp, "config.yaml")
        write_config(config, table)
        with serve(args.bin, config) as server:
            t0 = time.perf_counter()
            r = requests.post(server.url + TABLE + "/query", json=body, timeout=120,
                              headers={"Authorization": "Bearer " + FLOOD})
            r.raise_for_status()
            one = (time.perf_counter() - t0) * 1000
            alone, _ = latencies(server.url, args.seconds)
            stop = threading.Event()
            codes = {}
            lock = threading.Lock()

            def flood():
                s = requests.Session()
                s.headers["Authorization"] = "Bearer " + FLOOD
                while not stop.is_set():
                    try:
                        code = s.post(server.url + TABLE + "/query", json=body, timeout=120).status_code
                    except requests.RequestException as e:
                        code = type(e).__name__
                    with lock:
                        codes[code] = codes.get(code, 0) + 1

            threads = [threading.Thread(target=flood, daemon=True) for _ in range(args.flooders)]
            for th in threads:
                th.start()
            time.sleep(1)
            flooded, failures = latencies(server.url, args.seconds)
            stop.set()
            for th in threads:
                th.join(timeout=120)
    print("one costly /query (%d-leaf or, %d files): %.0f ms" % (args.leaves, args.files, one))
    print("other's GET /shares alone:          %s" % summary(alone))
    print("other's GET /shares under the flood: %s, %d failed" % (summary(flooded), failures))
    print("flood (%d clients): %s" % (args.flooders, ", ".join("%s x%d" % kv for kv in sorted(codes.items(), key=str))))


if __name__ == "__main__":
    main()
