"""Two `lakeshare serve` replicas on one catalog database behind a real
HAProxy running deploy/compose/haproxy.cfg (health checks on /readyz), and a
bounded load of /query requests and admin writes through it, for
tests/e2e/test_replicas.py and bench/replicas_load.py.

Every request of the load is recorded with its start and end (monotonic
seconds), its outcome and the replica that answered it (HAProxy's
X-Lakeshare-Replica header, set on every response it sends, its own 502s too).
"""
import os
import shutil
import signal
import socket
import subprocess
import threading
import time
import uuid

import requests

import harness
from catalog_db import DbServer, free_port

HAPROXY_CFG = os.path.join(harness.REPO_ROOT, "deploy", "compose", "haproxy.cfg")
SIMPLE = os.path.join(harness.DELTA_ROOT, "simple_table")
REPLICAS = ("replica1", "replica2")  # the server names in haproxy.cfg


class Haproxy:
    """haproxy -db on deploy/compose/haproxy.cfg, its addresses from the environment."""

    def __init__(self, workdir, replica_ports):
        self.port = free_port()
        self.log_path = os.path.join(workdir, "haproxy.log")
        binary = shutil.which("haproxy") or "/usr/sbin/haproxy"
        if not os.access(binary, os.X_OK):
            raise AssertionError("haproxy not found: scripts/install-deps installs it")
        env = dict(os.environ, LISTEN="127.0.0.1:%d" % self.port,
                   REPLICA_1="127.0.0.1:%d" % replica_ports[0], REPLICA_2="127.0.0.1:%d" % replica_ports[1])
        self._log = open(self.log_path, "wb")
        self.proc = subprocess.Popen([binary, "-db", "-f", HAPROXY_CFG], env=env, stdin=subprocess.DEVNULL,
                                     stdout=self._log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise AssertionError("haproxy exited at start:\n" + self.log_tail())
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.2).close()
                break
            except OSError:
                time.sleep(0.05)
        self.url = "http://127.0.0.1:%d" % self.port

    def log_lines_of(self, rid):
        with open(self.log_path, "r", errors="replace") as f:
            return [line.rstrip() for line in f if rid in line]

    def log_tail(self, limit=4000):
        with open(self.log_path, "r", errors="replace") as f:
            return f.read()[-limit:]

    def stop(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self._log.close()


class Cluster:
    """Two replicas on `db` (a catalog_db.CatalogDb), HAProxy in front, and
    a share with one Delta table, a recipient and its token made through it."""

    def __init__(self, binary, db, workdir):
        self.binary = binary
        self.db = db
        self.workdir = workdir
        self.servers = [DbServer(binary, db, workdir, name=REPLICAS[0]).start(),
                        DbServer(binary, db, workdir, name=REPLICAS[1], users=False).start()]
        self.ports = [int(s.base_url.rsplit(":", 1)[1]) for s in self.servers]
        self.lb = Haproxy(workdir, self.ports)
        self.wait_until_both_serve()
        ops = self.admin()
        ops.ok("POST", "/shares", {"name": "sales"}, status=201)
        ops.ok("POST", "/shares/sales/schemas", {"name": "d"}, status=201)
        ops.ok("POST", "/shares/sales/schemas/d/tables", {"name": "orders", "location": SIMPLE}, status=201)
        ops.ok("POST", "/recipients", {"name": "partner"}, status=201)
        ops.ok("PUT", "/recipients/partner/grants/sales")
        self.token = ops.ok("POST", "/recipients/partner/tokens", {}, status=201)["bearerToken"]

    def admin(self):
        # Logged in through the load balancer: the session is the database's, good on both replicas.
        from catalog_db import AdminSession
        return AdminSession(self.lb.url)

    def wait_until_both_serve(self, timeout=15):
        """Until HAProxy sends requests to both replicas (both passed /readyz)."""
        seen = set()
        deadline = time.monotonic() + timeout
        while seen != set(REPLICAS):
            if time.monotonic() > deadline:
                raise AssertionError("HAProxy did not send to both replicas within %d s (saw %s)\n%s"
                                     % (timeout, sorted(seen), self.lb.log_tail()))
            r = requests.get(self.lb.url + "/healthz", timeout=5)
            if r.status_code == 200:
                seen.add(r.headers.get("X-Lakeshare-Replica"))
            time.sleep(0.05)

    def kill(self, i):
        """kill -9 of replica i: no drain, no shutdown of any kind."""
        self.servers[i].kill()

    def restart(self, i):
        """Replica i again, on its old port (the one haproxy.cfg names)."""
        s = self.servers[i]
        s.proc = harness.ServerProcess(self.binary, s.config, self.workdir, name=s.name + "_restarted",
                                       port=self.ports[i]).start()

    def stop(self):
        self.lb.stop()
        for s in self.servers:
            if s.proc is not None:
                s.proc.stop_and_check()
                s.proc = None


class Record:
    __slots__ = ("kind", "start", "end", "status", "replica", "error", "name", "rid")

    def __init__(self, kind, start, end, status, replica, error=None, name=None, rid=None):
        self.kind, self.start, self.end, self.rid = kind, start, end, rid
        self.status, self.replica, self.error, self.name = status, replica, error, name

    @property
    def ok(self):
        return self.error is None and self.status is not None and 200 <= self.status < 300

    @property
    def latency(self):
        return self.end - self.start


class Load:
    """`query_clients` threads POSTing /query on the table and one thread
    creating recipients (admin writes), through the load balancer, until
    stop() or `max_requests` per thread."""

    def __init__(self, cluster, query_clients=3, max_requests=2000, write_pause=0.02, keep_alive=True):
        self.cluster = cluster
        # HAProxy answers a request a dying replica drops with a 502 naming
        # it, except on a kept-alive client connection after its first
        # request: that connection is closed without an answer (so a browser
        # would retry), and nothing says which replica had it.
        self.extra_headers = {} if keep_alive else {"Connection": "close"}
        self.records = []
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self.max_requests = max_requests
        self.write_pause = write_pause
        self.threads = [threading.Thread(target=self._queries, daemon=True) for _ in range(query_clients)]
        self.threads.append(threading.Thread(target=self._writes, daemon=True))

    def _add(self, rec):
        with self._lock:
            self.records.append(rec)

    def _call(self, kind, session, method, url, headers, name=None, **kw):
        rid = uuid.uuid4().hex
        t0 = time.monotonic()
        status = replica = None
        try:
            r = session.request(method, url, timeout=30, stream=True, headers=dict(headers, **{"X-Request-Id": rid}),
                                **kw)
            status, replica = r.status_code, r.headers.get("X-Lakeshare-Replica")
            r.content  # the whole answer, or the error reading it
            self._add(Record(kind, t0, time.monotonic(), status, replica, name=name, rid=rid))
        except Exception as e:  # noqa: BLE001 (any failure is recorded; the thread goes on)
            self._add(Record(kind, t0, time.monotonic(), status, replica, error=repr(e), name=name, rid=rid))

    def _queries(self):
        s = requests.Session()
        url = self.cluster.lb.url + "/delta-sharing/shares/sales/schemas/d/tables/orders/query"
        headers = dict(self.extra_headers, Authorization="Bearer " + self.cluster.token)
        for _ in range(self.max_requests):
            if self._stop.is_set():
                return
            self._call("query", s, "POST", url, headers, json={})

    def _writes(self):
        s = requests.Session()
        headers = dict(self.extra_headers, Authorization="Bearer " + self.admin_token)
        for i in range(self.max_requests):
            if self._stop.is_set():
                return
            name = "w%d" % i
            self._call("write", s, "POST", self.cluster.lb.url + "/api/v1/recipients", headers, name=name,
                       json={"name": name})
            time.sleep(self.write_pause)

    def start(self):
        # Logged in before the load (a login is an Argon2 hash: seconds on a busy machine).
        self.admin_token = self.cluster.admin().token
        for t in self.threads:
            t.start()
        return self

    def stop(self):
        self._stop.set()
        for t in self.threads:
            t.join(60)

    def snapshot(self):
        with self._lock:
            return list(self.records)


def percentile(values, p):
    if not values:
        return float("nan")
    v = sorted(values)
    return v[min(len(v) - 1, int(round(p / 100.0 * (len(v) - 1))))]
