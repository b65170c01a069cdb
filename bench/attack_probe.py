#!/usr/bin/env python3
"""Replays hostile-client attacks (issue 18) against a real lakeshare server
and reports, per attack, what the server answered, its resident memory and
the latency of a concurrent, authenticated `GET /shares` (one new connection
every 100 ms), so the next hardening round starts from figures.

Starts `lakeshare serve` itself on a synthetic 10 000-file table (the one of
query_load.py; its /query answer is ~6 MB) unless --url/--pid point at a
running server (the token then comes from --token and the table must be
`s.d.t`). Python 3 standard library and requests only.

Usage: bench/attack_probe.py [--bin build/src/cli/lakeshare] [--seconds 8]
       [--only chunk_ext,trailers,...] [--config-extra 'maxConnections: 500']
"""
import argparse
import json
import os
import resource
import select
import socket
import statistics
import sys
import tempfile
import threading
import time

import requests

from bench_server import TOKEN, rss_kib, serve, write_config
from query_load import write_table

TABLE = "/shares/s/schemas/d/tables/t"


class Target:
    def __init__(self, url, pid, token):
        self.url = url.rstrip("/")  # ends in the endpoint, e.g. /delta-sharing
        rest = self.url.split("://", 1)[1]
        self.netloc, _, path = rest.partition("/")
        self.host, port = self.netloc.rsplit(":", 1)
        self.port = int(port)
        self.prefix = "/" + path if path else ""
        self.pid = pid
        self.auth = "Authorization: Bearer %s\r\n" % token
        self.token = token

    def connect(self, timeout=10):
        return socket.create_connection((self.host, self.port), timeout=timeout)

    def rss_mb(self):
        try:
            return rss_kib(self.pid) / 1024
        except (OSError, TypeError):
            return float("nan")

    def fds(self):
        """Descriptors the server holds (its sockets, mostly)."""
        try:
            return len(os.listdir("/proc/%d/fd" % self.pid))
        except (OSError, TypeError):
            return -1


class Monitor(threading.Thread):
    """Samples RSS and the latency of GET /shares until stopped."""

    def __init__(self, target):
        super().__init__(daemon=True)
        self.t = target
        self.stop = threading.Event()
        self.lat_ms, self.rss, self.fds, self.failures = [], [], [], 0

    def run(self):
        while not self.stop.is_set():
            self.rss.append(self.t.rss_mb())
            self.fds.append(self.t.fds())
            t0 = time.perf_counter()
            try:
                r = requests.get(self.t.url + "/shares", timeout=30,
                                 headers={"Authorization": "Bearer " + self.t.token, "Connection": "close"})
                ok = r.status_code == 200
            except requests.RequestException:
                ok = False
            self.lat_ms.append((time.perf_counter() - t0) * 1000)
            self.failures += 0 if ok else 1
            self.stop.wait(0.1)


def status_of(data):
    if data.startswith(b"HTTP/1."):
        return int(data.split(b" ", 2)[1])
    return None


def read_all(sock, limit=1 << 20):
    out = b""
    try:
        while len(out) < limit:
            b = sock.recv(65536)
            if not b:
                break
            out += b
    except OSError:
        pass
    return out


# What one streaming attacker sends at most: enough to show unbounded growth
# without taking a shared machine's memory.
MAX_STREAM_BYTES = 128 << 20


def stream_until_closed(target, head, filler, seconds, results):
    """Sends `head`, then `filler` over and over until the server answers,
    closes, or time is up; appends the status seen (None: none)."""
    s = target.connect()
    deadline = time.monotonic() + seconds
    sent = 0
    try:
        s.sendall(head)
        s.settimeout(1)
        while time.monotonic() < deadline and sent < MAX_STREAM_BYTES:
            if select.select([s], [], [], 0)[0]:
                break  # the server answered (or closed)
            s.sendall(filler)
            sent += len(filler)
    except OSError:
        pass
    s.settimeout(3)
    results.append((status_of(read_all(s, 4096)), sent))
    s.close()


# ---- Attacks: each returns a one-line outcome ----

def chunk_ext(t, seconds):
    head = ("POST %s%s/query HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n2;e="
            % (t.prefix, TABLE)).encode()
    return _parallel_streams(t, head, b"e" * 65536, seconds, 3)


def trailers(t, seconds):
    head = ("POST %s%s/query HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n2\r\n{}\r\n0\r\n"
            % (t.prefix, TABLE)).encode()
    return _parallel_streams(t, head, b"X-T: v\r\n" * 8192, seconds, 3)


def _parallel_streams(t, head, filler, seconds, n):
    results = []
    threads = [threading.Thread(target=stream_until_closed, args=(t, head, filler, seconds, results))
               for _ in range(n)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    return "%d connections: statuses %s, %.1f MB sent before the server answered" % (
        n, sorted({str(r[0]) for r in results}), sum(r[1] for r in results) / 2**20)


def big_trailer_field(t, seconds):
    s = t.connect()
    s.sendall(("POST %s%s/query HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
               "2\r\n{}\r\n0\r\nX-Big: " % (t.prefix, TABLE)).encode())
    try:
        s.sendall(b"b" * (70 * 1024) + b"\r\n\r\n")
    except OSError:
        pass
    s.settimeout(5)
    st = status_of(read_all(s, 4096))
    s.close()
    return "70 KiB trailer field: status %s" % st


def smuggle(t, seconds):
    seen = []
    for coding in ("xchunked", "gzip", "chunked, identity"):
        s = t.connect(timeout=3)
        s.sendall(("POST %s/shares HTTP/1.1\r\nHost: x\r\n%sTransfer-Encoding: %s\r\n\r\n"
                   "GET %s/shares HTTP/1.1\r\nHost: x\r\n%s\r\n"
                   % (t.prefix, t.auth, coding, t.prefix, t.auth)).encode())
        data = read_all(s)
        s.close()
        seen.append("%s: %d response(s), first %s" % (coding, data.count(b"HTTP/1.1 "), status_of(data)))
    return "; ".join(seen)


def no_host(t, seconds):
    s = t.connect(timeout=3)
    s.sendall(("GET %s/shares HTTP/1.1\r\n%sConnection: close\r\n\r\n" % (t.prefix, t.auth)).encode())
    st = status_of(read_all(s))
    s.close()
    return "HTTP/1.1 without Host: status %s" % st


def host_reflection(t, seconds):
    s = t.connect(timeout=10)
    s.sendall(("POST %s%s/query HTTP/1.1\r\nHost: evil.example/x?\r\n%sContent-Type: application/json\r\n"
               "Content-Length: 15\r\nConnection: close\r\n\r\n{\"limitHint\":1}"
               % (t.prefix, TABLE, t.auth)).encode())
    data = read_all(s, 8 << 20)
    s.close()
    return "Host: evil.example/x? -> status %s, evil host in signed URLs: %s" % (
        status_of(data), b"evil.example" in data.split(b"\r\n\r\n", 1)[-1])


def body_flood(t, seconds, n=150, size=1 << 20):
    """Many connections each declaring a body at the default 1 MiB limit, sending
    all of it but the last byte, and holding it."""
    socks, statuses = [], []
    head = ("POST %s%s/query HTTP/1.1\r\nHost: x\r\nContent-Length: %d\r\n\r\n" % (t.prefix, TABLE, size)).encode()
    body = b" " * (size - 1)
    for _ in range(n):
        try:
            s = t.connect(timeout=2)
            s.sendall(head)
            s.settimeout(0.05)
            try:
                s.sendall(body)
            except socket.timeout:
                pass
            except OSError:
                pass
            socks.append(s)
        except OSError:
            break
    time.sleep(seconds)
    for s in socks:
        s.settimeout(0.2)
        statuses.append(status_of(read_all(s, 4096)))
        s.close()
    refused = sum(1 for x in statuses if x == 503)
    return "%d connections x %d KiB held: %d refused with 503" % (len(socks), size // 1024, refused)


def connection_flood(t, seconds, n=3000):
    socks, refused = [], 0
    for _ in range(n):
        try:
            socks.append(t.connect(timeout=2))
        except OSError:
            break
    time.sleep(seconds)
    for s in socks:
        s.settimeout(0.01)
        try:
            refused += 1 if s.recv(16).startswith(b"HTTP/1.1 503") else 0
        except OSError:
            pass
        s.close()
    return "%d idle connections held: %d answered 503 at once" % (len(socks), refused)


def slow_readers(t, seconds, n=40):
    """Connections that ask for the ~6 MB /query answer and read 1 KiB a second;
    how many the server still holds open after `seconds`."""
    stop = threading.Event()
    base = t.fds()

    def reader():
        s = t.connect()
        s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
        s.sendall(("POST %s%s/query HTTP/1.1\r\nHost: x\r\n%sContent-Type: application/json\r\n"
                   "Content-Length: 2\r\n\r\n{}" % (t.prefix, TABLE, t.auth)).encode())
        s.settimeout(1)
        while not stop.wait(1):
            try:
                if not s.recv(1024):
                    break
            except socket.timeout:
                continue
            except OSError:
                break
        s.close()

    threads = [threading.Thread(target=reader) for _ in range(n)]
    for th in threads:
        th.start()
    time.sleep(2)
    held_early = t.fds() - base
    time.sleep(max(0, seconds - 2))
    held = t.fds() - base
    stop.set()
    for th in threads:
        th.join()
    return "%d slow readers: server descriptors held %d after 2 s, %d after %d s" % (n, held_early, held, seconds)


def invalid_utf8(t, seconds):
    r = requests.get(t.url + "/shares/%FF%FE/schemas", headers={"Authorization": "Bearer " + t.token}, timeout=10)
    try:
        r.content.decode("utf-8")
        valid = True
    except UnicodeDecodeError:
        valid = False
    return "GET /shares/%%FF%%FE/schemas: %d, body valid UTF-8: %s" % (r.status_code, valid)


def max_results_zero(t, seconds):
    r = requests.get(t.url + "/shares", params={"maxResults": "0"},
                     headers={"Authorization": "Bearer " + t.token}, timeout=10)
    return "maxResults=0: %d %s" % (r.status_code, r.text[:80])


def _query(t, body, timeout=120):
    return requests.post(t.url + TABLE + "/query", json=body,
                         headers={"Authorization": "Bearer " + t.token}, timeout=timeout)


def _eq(column, value_type, value):
    return {"op": "equal", "children": [{"op": "column", "name": column, "valueType": value_type},
                                        {"op": "literal", "value": value, "valueType": value_type}]}


def costly_predicates(t, seconds):
    """The largest predicate hints a client can send, evaluated against every
    file of the 10 000-file table: a wide OR and a deep NOT chain."""
    wide = {"op": "or", "children": [_eq("id", "long", str(i)) for i in range(2000)]}
    deep = _eq("name", "string", "x")
    for _ in range(200):
        deep = {"op": "not", "children": [deep]}
    out = []
    for label, tree in (("2000-way or", wide), ("200-deep not", deep)):
        start = time.time()
        r = _query(t, {"jsonPredicateHints": json.dumps(tree)})
        out.append("%s: %d in %.0f ms (%d KB)" % (label, r.status_code, (time.time() - start) * 1000,
                                                  len(r.content) // 1024))
    return "; ".join(out)


def recipient_queries(t, seconds, n=16):
    """One recipient with many /query answers in progress at once: beyond its
    share of the workers they get a 429 (the others still get /shares)."""
    statuses = []
    lock = threading.Lock()

    def one():
        try:
            with requests.post(t.url + TABLE + "/query", json={}, stream=True, timeout=60,
                               headers={"Authorization": "Bearer " + t.token}) as r:
                for _ in r.iter_content(64 * 1024):
                    time.sleep(0.05)  # a slow reader keeps its slot
                code = r.status_code
        except requests.RequestException as e:
            code = type(e).__name__
        with lock:
            statuses.append(code)

    threads = [threading.Thread(target=one) for _ in range(n)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    counts = {}
    for c in statuses:
        counts[c] = counts.get(c, 0) + 1
    return "%d concurrent /query of one recipient: %s" % (n, ", ".join(
        "%s x%d" % (c, k) for c, k in sorted(counts.items(), key=str)))


ATTACKS = [("chunk_ext", chunk_ext), ("trailers", trailers), ("big_trailer_field", big_trailer_field),
           ("smuggle", smuggle), ("no_host", no_host), ("host_reflection", host_reflection),
           ("body_flood", body_flood), ("connection_flood", connection_flood),
           ("slow_readers", slow_readers), ("invalid_utf8", invalid_utf8),
           ("max_results_zero", max_results_zero), ("costly_predicates", costly_predicates),
           ("recipient_queries", recipient_queries)]


def run(target, seconds, only):
    print("| attack | outcome | peak RSS (MB) | peak fds | /shares p50 / max (ms) | /shares failures |")
    print("|---|---|---|---|---|---|")
    print("| (idle) | | %.0f | %d | | |" % (target.rss_mb(), target.fds()))
    for name, fn in ATTACKS:
        if only and name not in only:
            continue
        mon = Monitor(target)
        mon.start()
        try:
            outcome = fn(target, seconds * 3 if name == "slow_readers" else seconds)
        except Exception as e:  # noqa: BLE001 (a probe reports, it does not stop)
            outcome = "probe error: %r" % e
        time.sleep(0.5)
        mon.stop.set()
        mon.join()
        lat = sorted(mon.lat_ms) or [float("nan")]
        print("| %s | %s | %.0f | %d | %.0f / %.0f | %d |" % (
            name, outcome, max(mon.rss), max(mon.fds), statistics.median(lat), lat[-1], mon.failures),
            flush=True)
        time.sleep(1)  # let closed connections go


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--bin", default=os.path.join(os.path.dirname(__file__), "..", "build", "src", "cli", "lakeshare"))
    ap.add_argument("--url", help="endpoint URL of a running server (with --pid, --token)")
    ap.add_argument("--pid", type=int)
    ap.add_argument("--token", default=TOKEN)
    ap.add_argument("--seconds", type=int, default=8, help="length of each attack")
    ap.add_argument("--only", default="", help="comma-separated attack names")
    ap.add_argument("--config-extra", default="", help="YAML lines appended to the generated config")
    args = ap.parse_args()
    only = set(filter(None, args.only.split(",")))
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)  # the connection flood needs descriptors
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    if args.url:
        run(Target(args.url, args.pid, args.token), args.seconds, only)
        return
    with tempfile.TemporaryDirectory(prefix="lakeshare-probe-") as tmp:
        table = os.path.join(tmp, "table")
        write_table(table, 10000, 10)
        config = os.path.join(tmp, "config.yaml")
        write_config(config, "{name: t, location: %s}" % table)
        if args.config_extra:
            with open(config, "a") as f:
                f.write(args.config_extra.replace("\\n", "\n") + "\n")
        with serve(args.bin, config) as server:
            requests.post(server.table + "/query", json={}, headers={"Authorization": "Bearer " + TOKEN},
                          timeout=60).raise_for_status()  # warm the snapshot
            run(Target(server.url, server.proc.pid, TOKEN), args.seconds, only)


if __name__ == "__main__":
    sys.exit(main())
