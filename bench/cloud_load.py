#!/usr/bin/env python3
"""Cold load of tables in an object store, as a client sees it.

Uploads Delta logs (data files are not read to sign URLs) to the `s3rver` S3
emulator (installed from npm into <build>/e2e-npm like the e2e tests do) and
serves them with lakeshare from s3:// locations:

  - json:   the synthetic table of query_load.py (JSON commit log only);
  - cp:     `lakeshare generate-delta`: the files in a parquet checkpoint at
            version 0, then --commits JSON commits;
  - cp-old: the same with --commits-before-checkpoint JSON commits before the
            checkpoint (commit 0 holds the files), as writers leave a log.

For each table and binary it measures, on a server that has not read the
table yet: the first /version, the first /query, /version once warm, and
/query after one new commit is uploaded. Store requests are counted from the
emulator's log (listings, and among them those that start after a key:
S3 start-after); time is wall time as the client sees it. The same cold
/query on a local copy is given for comparison.

--compare-bin runs everything again with another build of lakeshare (e.g.
one before a change), each binary on its own copy of the tables.
--latency-ms puts a proxy between lakeshare and the emulator that holds each
request that long before passing it on (a store farther away than a local
process), so that what reading in parallel saves shows.

Usage: bench/cloud_load.py [--bin build/src/cli/lakeshare] [--compare-bin OTHER]
                           [--files 10000] [--commits 100] [--commits-before 100]
                           [--tables json,cp,cp-old] [--latency-ms 0]
"""
import argparse
import http.client
import http.server
import json
import os
import re
import socketserver
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse

import requests

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "tests", "e2e"))
sys.path.insert(0, HERE)

import emulators  # noqa: E402
import harness  # noqa: E402
from query_load import write_table  # noqa: E402

TOKEN = "bench-token"
ANSWER = re.compile(r" [1-5]\d\d \d+ms ")


class Store:
    def __init__(self, s3):
        self.s3 = s3

    def answered(self, start, prefix):
        time.sleep(0.5)  # the emulator logs after answering
        lines = self.s3.request_lines()[start:]
        return [l for l in lines if ANSWER.search(l) and prefix in urllib.parse.unquote(l)]

    def mark(self):
        time.sleep(0.5)
        return len(self.s3.request_lines())


class LatencyProxy(socketserver.ThreadingMixIn, http.server.HTTPServer):
    """Passes each request on to `target_port` after `delay_s`."""
    daemon_threads = True

    def __init__(self, target_port, delay_s):
        super().__init__(("127.0.0.1", 0), _ProxyHandler)
        self.target_port = target_port
        self.delay_s = delay_s

    @property
    def endpoint(self):
        return "http://127.0.0.1:%d" % self.server_address[1]


class _ProxyHandler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # else small writes wait for delayed ACKs

    def log_message(self, *args):
        pass

    def _forward(self):
        time.sleep(self.server.delay_s)
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else None
        conn = http.client.HTTPConnection("127.0.0.1", self.server.target_port, timeout=60)
        conn.request(self.command, self.path, body=body,
                     headers={k: v for k, v in self.headers.items() if k.lower() != "connection"})
        r = conn.getresponse()
        data = r.read()
        self.send_response(r.status)
        for k, v in r.getheaders():
            if k.lower() not in ("connection", "transfer-encoding", "content-length"):
                self.send_header(k, v)
        self.send_header("Content-Length", str(len(data)))
        self._headers_buffer.append(b"\r\n")
        if self.command != "HEAD":
            self._headers_buffer.append(data)
        self.flush_headers()  # one write: headers and body
        conn.close()

    do_GET = do_HEAD = do_PUT = do_POST = do_DELETE = _forward


def summarize(lines):
    lists = [l for l in lines if "list-type=2" in l]
    after = [l for l in lists if "start-after=" in l]
    checkpoint = [l for l in lines if ".checkpoint." in l and l not in lists]
    return {"requests": len(lines), "lists": len(lists), "lists_after": len(after),
            "gets": len(lines) - len(lists), "checkpoint_gets": len(checkpoint)}


def fmt(s):
    return "%d (%d listing%s%s, %d GET%s%s)" % (
        s["requests"], s["lists"], "" if s["lists"] == 1 else "s",
        " of which %d from the checkpoint" % s["lists_after"] if s["lists_after"] else "",
        s["gets"], "" if s["gets"] == 1 else "s",
        ", %d of them of the checkpoint" % s["checkpoint_gets"] if s["checkpoint_gets"] else "")


def make_tables(bin_path, tmp, args):
    out = {}
    for name in args.tables:
        d = os.path.join(tmp, "tables", name)
        if name == "json":
            write_table(d, args.files, args.commits)
        else:
            cmd = [bin_path, "generate-delta", "--dir", d, "--files", str(args.files),
                   "--commits", str(args.commits), "--partitions", "100"]
            if name == "cp-old":
                cmd += ["--commits-before-checkpoint", str(args.commits_before)]
            subprocess.run(cmd, check=True, capture_output=True, timeout=600)
        out[name] = d
    return out


def new_commit(table_dir, version, partition):
    add = {"add": {"path": "%s=1/part-00001-bench-new.c000.snappy.parquet" % partition,
                   "partitionValues": {partition: "2024-09-09" if partition == "date" else "1"},
                   "size": 4242, "modificationTime": 1, "dataChange": True,
                   "stats": json.dumps({"numRecords": 7})}}
    d = os.path.join(table_dir + "-new", "_delta_log")
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, "%020d.json" % version), "w") as f:
        f.write(json.dumps({"commitInfo": {"timestamp": 1, "operation": "WRITE"}}) + "\n" + json.dumps(add) + "\n")
    return os.path.dirname(d)


def latest_version(table_dir):
    names = os.listdir(os.path.join(table_dir, "_delta_log"))
    return max(int(n[:20]) for n in names if re.match(r"^\d{20}\.json$", n))


def run_binary(label, binary, store, tables, tmp, endpoint):
    results = {}
    for name, local in tables.items():
        prefix = "%s/%s" % (label, name)
        store.s3.upload_tree(local, "bench", prefix)
        config = {
            "version": 1, "host": "127.0.0.1", "port": 0, "accessLog": False,
            "authorization": {"bearerToken": TOKEN},
            "shares": [{"name": "s", "schemas": [{"name": "d", "tables": [
                {"name": "t", "location": "s3://bench/" + prefix},
                {"name": "local", "location": local}]}]}],
            "storage": [{"location": "s3://bench", "endpoint": endpoint, "pathStyle": True,
                         "accessKeyId": emulators.S3_KEY_ID, "secretAccessKey": emulators.S3_SECRET}],
        }
        row = {}
        for run in ("query", "version"):  # a fresh server for each cold start
            server = harness.ServerProcess(binary, config, os.path.join(tmp, "conf-%s-%s-%s" % (label, name, run)),
                                           name="bench").start()
            try:
                s = requests.Session()
                s.headers["Authorization"] = "Bearer " + TOKEN
                base = server.endpoint_url + "/shares/s/schemas/d/tables/"

                def timed(fn):
                    start = store.mark()
                    t0 = time.perf_counter()
                    value = fn()
                    took = time.perf_counter() - t0
                    return took, value, summarize(store.answered(start, prefix + "/"))

                def version():
                    r = s.get(base + "t/version")
                    r.raise_for_status()
                    return int(r.headers["Delta-Table-Version"])

                def query(table="t"):
                    r = s.post(base + table + "/query", json={}, stream=True)
                    if r.status_code != 200:
                        raise AssertionError("%s /query: %d %s" % (name, r.status_code, r.text[:500]))
                    return sum(1 for _ in r.iter_lines()) - 2

                if run == "version":
                    row["cold /version"] = timed(version)
                    continue
                row["cold /query"] = timed(query)
                row["warm /query"] = timed(query)
                took = []
                start = store.mark()
                for _ in range(20):
                    t0 = time.perf_counter()
                    version()
                    took.append(time.perf_counter() - t0)
                reqs = summarize(store.answered(start, prefix + "/"))
                reqs = {k: v / 20.0 for k, v in reqs.items()}
                row["warm /version (median)"] = (sorted(took)[10], None, reqs)
                v = latest_version(local) + 1
                new = new_commit(os.path.join(tmp, "new", label, name), v, "part" if name == "json" else "date")
                store.s3.upload_tree(new, "bench", prefix)
                row["/query after 1 new commit"] = timed(query)
                row["local cold /query"] = (timed(lambda: query("local"))[0], None, None)
            finally:
                server.stop()
        results[name] = row
    return results


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--bin", default=os.path.join(HERE, "..", "build", "src", "cli", "lakeshare"))
    ap.add_argument("--compare-bin", help="another lakeshare build, measured the same way")
    ap.add_argument("--files", type=int, default=10000)
    ap.add_argument("--commits", type=int, default=100)
    ap.add_argument("--commits-before", type=int, default=100,
                    help="JSON commits before the checkpoint of the cp-old table")
    ap.add_argument("--tables", default="json,cp,cp-old")
    ap.add_argument("--latency-ms", type=float, default=0,
                    help="hold each store request this long (a proxy in front of the emulator)")
    args = ap.parse_args()
    args.tables = args.tables.split(",")
    binaries = [("after", os.path.abspath(args.bin))]
    if args.compare_bin:
        binaries.insert(0, ("before", os.path.abspath(args.compare_bin)))

    with tempfile.TemporaryDirectory(prefix="lakeshare-cloud-bench-") as tmp:
        tables = make_tables(binaries[-1][1], tmp, args)
        s3 = emulators.S3rver(emulators.ensure_npm_packages(binaries[-1][1]), os.path.join(tmp, "s3"),
                              ["bench"]).start()
        try:
            store = Store(s3)
            endpoint = s3.endpoint
            proxy = None
            if args.latency_ms > 0:
                proxy = LatencyProxy(s3.port, args.latency_ms / 1000.0)
                threading.Thread(target=proxy.serve_forever, daemon=True).start()
                endpoint = proxy.endpoint
            all_results = {label: run_binary(label, b, store, tables, tmp, endpoint) for label, b in binaries}
            if proxy is not None:
                proxy.shutdown()
        finally:
            s3.stop()
    print("files=%d commits=%d commits-before-checkpoint(cp-old)=%d latency=%g ms"
          % (args.files, args.commits, args.commits_before, args.latency_ms))
    for name in args.tables:
        print("\n== table %s" % name)
        for label, _ in binaries:
            for what, (took, value, reqs) in all_results[label][name].items():
                print("%-7s %-26s %8.1f ms   %s" % (label, what, took * 1000,
                                                     fmt(reqs) if reqs and reqs["requests"] >= 1 and
                                                     float(reqs["requests"]).is_integer() else
                                                     ("%.1f requests" % reqs["requests"] if reqs else "")))


if __name__ == "__main__":
    sys.exit(main())
