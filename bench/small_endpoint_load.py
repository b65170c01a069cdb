#!/usr/bin/env python3
"""Requests per second of a small endpoint (GET /shares) over keep-alive
connections, for server variants side by side in one run: plain HTTP with
metrics (the default), plain HTTP without metrics (`metrics.enabled: false`),
and HTTPS (a self-signed certificate) with metrics. Clients are processes
(not threads: the GIL would be the bottleneck), each on one connection.

There is no wrk on Debian's default install here; this is the stand-in. The
figures compare the variants; absolute numbers are bounded by the Python
clients on the same cores.

Usage: bench/small_endpoint_load.py [--bin build/src/cli/lakeshare]
       [--clients 4] [--seconds 5] [--rounds 2]
"""
import argparse
import http.client
import multiprocessing
import os
import ssl
import tempfile
import time
import urllib.parse

from bench_server import TOKEN, serve, write_config

VARIANTS = {
    "plain, metrics": "",
    "plain, no metrics": "metrics: {enabled: false}\n",
    "tls, metrics": "ssl: {selfSigned: true}\n",
}


def client(url, seconds, out):
    u = urllib.parse.urlsplit(url)
    if u.scheme == "https":
        ctx = ssl.create_default_context()
        ctx.check_hostname = False
        ctx.verify_mode = ssl.CERT_NONE
        conn = http.client.HTTPSConnection(u.hostname, u.port, context=ctx)
    else:
        conn = http.client.HTTPConnection(u.hostname, u.port)
    headers = {"Authorization": "Bearer " + TOKEN}
    n = 0
    deadline = time.perf_counter() + seconds
    while time.perf_counter() < deadline:
        conn.request("GET", u.path + "/shares", headers=headers)
        r = conn.getresponse()
        r.read()
        if r.status != 200:
            raise SystemExit("status %d" % r.status)
        n += 1
    out.put(n)


def measure(url, clients, seconds):
    out = multiprocessing.Queue()
    procs = [multiprocessing.Process(target=client, args=(url, seconds, out)) for _ in range(clients)]
    for p in procs:
        p.start()
    total = sum(out.get() for _ in procs)
    for p in procs:
        p.join()
    return total / seconds


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bin", default=os.path.join(os.path.dirname(__file__), "..", "build", "src", "cli", "lakeshare"))
    ap.add_argument("--clients", type=int, default=4)
    ap.add_argument("--seconds", type=float, default=5)
    ap.add_argument("--rounds", type=int, default=2)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as d:
        results = {name: [] for name in VARIANTS}
        for _ in range(args.rounds):  # interleaved, so load from elsewhere hits all alike
            for name, extra in VARIANTS.items():
                config = os.path.join(d, "config.yaml")
                write_config(config, "{name: t, location: %s}" % d)
                with open(config, "a") as f:
                    f.write(extra)
                with serve(args.bin, config) as server:
                    results[name].append(measure(server.url, args.clients, args.seconds))
        for name, rates in results.items():
            print("%-18s %8.0f req/s (best of %d: %s)" % (name, max(rates), len(rates),
                                                         ", ".join("%.0f" % r for r in rates)))


if __name__ == "__main__":
    main()
