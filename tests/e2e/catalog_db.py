"""Catalog databases for the end-to-end tests of the database catalog and
the admin API: SQLite files, and a private PostgreSQL server that the tests
start themselves (Debian's postgresql-15: initdb into a temporary folder,
postgres on a free 127.0.0.1 port, stopped at the end). No skipping: if the
server binaries are missing, the tests that need them fail and say why.

Also `DbServer`: a `lakeshare serve` on a catalog database with an admin
user, and `AdminSession`, a small client of its admin API.
"""

import glob
import json
import os
import pwd
import shutil
import signal
import socket
import subprocess
import tempfile
import time

import pytest
import requests

import harness

ADMIN_USER = "ops"
ADMIN_PASSWORD = "correct horse battery staple"
VIEWER_USER = "watcher"
VIEWER_PASSWORD = "viewer password 1234"
BACKENDS = ["sqlite", "postgresql"]


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def postgres_bindir():
    env = os.environ.get("LAKESHARE_PG_BINDIR")
    candidates = [env] if env else []
    try:
        out = subprocess.run(["pg_config", "--bindir"], capture_output=True, text=True, timeout=10)
        if out.returncode == 0:
            candidates.append(out.stdout.strip())
    except OSError:
        pass
    candidates += sorted(glob.glob("/usr/lib/postgresql/*/bin"),
                         key=lambda p: int(p.split("/")[-2]) if p.split("/")[-2].isdigit() else 0,
                         reverse=True)
    for c in candidates:
        if c and os.access(os.path.join(c, "initdb"), os.X_OK) and os.access(os.path.join(c, "postgres"), os.X_OK):
            return c
    return None


class PostgresCluster:
    """A private PostgreSQL server: run as the `postgres` user when we are root
    (PostgreSQL refuses root), listening on 127.0.0.1:<free port> and a Unix
    socket in its own folder."""

    def __init__(self, fsync=False):
        self.bindir = postgres_bindir()
        if self.bindir is None:
            raise AssertionError("no PostgreSQL server binaries (initdb, postgres) found: install the Debian "
                                 "package postgresql-15 (scripts/install-deps), or set LAKESHARE_PG_BINDIR")
        self.fsync = fsync
        self.dir = tempfile.mkdtemp(prefix="lakeshare-e2e-pg-")
        self.data = os.path.join(self.dir, "data")
        self.log = os.path.join(self.dir, "server.log")
        self.port = None
        self.proc = None
        self.counter = 0
        self._uid = self._gid = None
        if os.geteuid() == 0:
            try:
                pw = pwd.getpwnam("postgres")
            except KeyError:
                raise AssertionError("running as root, but there is no 'postgres' user to run the test server as")
            self._uid, self._gid = pw.pw_uid, pw.pw_gid
            os.chown(self.dir, self._uid, self._gid)
        os.chmod(self.dir, 0o700)

    def _demote(self):
        if self._uid is not None:
            os.setgroups([])
            os.setgid(self._gid)
            os.setuid(self._uid)

    def _run(self, args, **kw):
        return subprocess.run(args, preexec_fn=self._demote, capture_output=True, text=True, timeout=120, **kw)

    def start(self):
        out = self._run([os.path.join(self.bindir, "initdb"), "-D", self.data, "-A", "trust", "-U", "postgres",
                         "-E", "UTF8", "--locale=C", "--no-sync", "--no-instructions"])
        if out.returncode != 0:
            raise AssertionError("initdb failed:\n" + out.stdout + out.stderr)
        for attempt in range(5):
            self.port = free_port()
            log = open(self.log, "ab")
            args = [os.path.join(self.bindir, "postgres"), "-D", self.data, "-k", self.dir, "-p", str(self.port),
                    "-c", "listen_addresses=127.0.0.1", "-c", "max_connections=200",
                    "-c", "fsync=" + ("on" if self.fsync else "off"),
                    "-c", "synchronous_commit=" + ("on" if self.fsync else "off")]
            self.proc = subprocess.Popen(args, preexec_fn=self._demote, stdout=log, stderr=log,
                                         stdin=subprocess.DEVNULL)
            log.close()
            deadline = time.monotonic() + 60
            while time.monotonic() < deadline:
                if self.proc.poll() is not None:
                    break
                ready = subprocess.run([os.path.join(self.bindir, "pg_isready"), "-q", "-h", "127.0.0.1",
                                        "-p", str(self.port)], timeout=10)
                if ready.returncode == 0:
                    return self
                time.sleep(0.1)
            if self.proc.poll() is None:
                self.proc.kill()
                self.proc.wait()
            # The port may have been taken in between: try another one.
        raise AssertionError("PostgreSQL did not start:\n" + self.log_tail())

    def log_tail(self, limit=4000):
        try:
            with open(self.log, errors="replace") as f:
                return f.read()[-limit:]
        except OSError:
            return ""

    def stop(self):
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGINT)  # fast shutdown
            try:
                self.proc.wait(30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        shutil.rmtree(self.dir, ignore_errors=True)

    def psql(self, dbname, sql):
        """Runs SQL; returns the rows as lists of strings."""
        out = subprocess.run([os.path.join(self.bindir, "psql"), "-X", "-q", "-At", "-F", "\t", "-v",
                              "ON_ERROR_STOP=1", "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres",
                              "-d", dbname, "-c", sql], capture_output=True, text=True, timeout=60)
        if out.returncode != 0:
            raise AssertionError("psql failed: %s\n%s" % (sql, out.stderr))
        return [line.split("\t") for line in out.stdout.splitlines() if line]

    def new_database(self):
        """Creates an empty database; returns (name, catalogUrl)."""
        self.counter += 1
        name = "e2e_%d_%d" % (os.getpid(), self.counter)
        self.psql("postgres", "CREATE DATABASE " + name)
        return name, "postgresql://postgres@127.0.0.1:%d/%s" % (self.port, name)


@pytest.fixture(scope="session")
def postgres_cluster():
    cluster = PostgresCluster().start()
    yield cluster
    cluster.stop()


class CatalogDb:
    """One empty catalog database of either backend."""

    def __init__(self, backend, url, path=None, cluster=None, dbname=None):
        self.backend = backend
        self.url = url
        self.path = path          # sqlite: the file
        self.cluster = cluster    # postgresql
        self.dbname = dbname

    def query(self, sql):
        """Rows of a read-only query, as lists of strings (both backends)."""
        if self.backend == "sqlite":
            import sqlite3
            con = sqlite3.connect("file:%s?mode=ro" % self.path, uri=True, timeout=30)
            try:
                return [[("" if v is None else str(v)) for v in row] for row in con.execute(sql).fetchall()]
            finally:
                con.close()
        return self.cluster.psql(self.dbname, sql)


def new_catalog_db(backend, workdir, request):
    if backend == "sqlite":
        path = os.path.join(workdir, "catalog.db")
        return CatalogDb("sqlite", "sqlite:" + path, path=path)
    cluster = request.getfixturevalue("postgres_cluster")
    name, url = cluster.new_database()
    return CatalogDb("postgresql", url, cluster=cluster, dbname=name)


@pytest.fixture(params=BACKENDS)
def backend_db(request, tmp_path):
    """A fresh catalog database, once per backend."""
    return new_catalog_db(request.param, str(tmp_path), request)


# ---------------------------------------------------------------------------
# A server on a catalog database, and its admin API
# ---------------------------------------------------------------------------

def run_cli(binary, args, stdin=None, env=None, timeout=60):
    e = dict(os.environ)
    for k in ("LAKESHARE_ADMIN_TOKEN", "LAKESHARE_ADMIN_PASSWORD", "LAKESHARE_ADMIN_URL",
              "LAKESHARE_ADMIN_USER", "LAKESHARE_NEW_PASSWORD"):
        e.pop(k, None)
    # Each command logs in unless a test keeps sessions on purpose (its own folder).
    e["LAKESHARE_ADMIN_SESSION_DIR"] = ""
    e.update(env or {})
    return subprocess.run([binary] + args, input=stdin, capture_output=True, text=True, timeout=timeout, env=e)


def db_config(db_url, **extra):
    cfg = {"version": 1, "host": "127.0.0.1", "port": 0, "endpoint": "/delta-sharing", "catalogUrl": db_url}
    cfg.update(extra)
    return cfg


def write_config(workdir, cfg, name="catalog.yaml"):
    path = os.path.join(workdir, name)
    with open(path, "w") as f:
        f.write(harness.to_yaml(cfg))
    return path


def create_users(binary, config_path):
    for name, password, viewer in ((ADMIN_USER, ADMIN_PASSWORD, False), (VIEWER_USER, VIEWER_PASSWORD, True)):
        args = ["create-admin-user", "--config", config_path, "--name", name] + (["--viewer"] if viewer else [])
        out = run_cli(binary, args, stdin=password + "\n")
        assert out.returncode == 0, out.stderr


class AdminSession:
    """The admin API of one server, as one logged-in user."""

    def __init__(self, base_url, user=ADMIN_USER, password=ADMIN_PASSWORD, token=None):
        self.api = base_url.rstrip("/") + "/api/v1"
        self.http = requests.Session()
        self.token = token
        if token is None:
            r = self.http.post(self.api + "/login", json={"username": user, "password": password}, timeout=30)
            assert r.status_code == 200, r.text
            self.token = r.json()["token"]

    def call(self, method, path, body=None, headers=None, token=..., **kw):
        h = dict(headers or {})
        t = self.token if token is ... else token
        if t is not None:
            h["Authorization"] = "Bearer " + t
        kwargs = dict(kw)
        if body is not None:
            kwargs["json"] = body
        return self.http.request(method, self.api + path, headers=h, timeout=30, **kwargs)

    def ok(self, method, path, body=None, status=None, **kw):
        r = self.call(method, path, body, **kw)
        expected = (status,) if status else (200, 201, 204)
        assert r.status_code in expected, "%s %s -> %d %s" % (method, path, r.status_code, r.text)
        return r.json() if r.content else None


class DbServer:
    """`lakeshare serve` on a catalog database, with users ops (admin) and
    watcher (viewer)."""

    def __init__(self, binary, db, workdir, name="dbserver", users=True, **config):
        self.binary = binary
        self.db = db
        self.workdir = workdir
        self.config = db_config(db.url, **config)
        self.config_path = write_config(workdir, self.config, name + ".cli.yaml")
        if users:
            create_users(binary, self.config_path)
        self.name = name
        self.proc = None

    def start(self):
        self.proc = harness.ServerProcess(self.binary, self.config, self.workdir, name=self.name).start()
        return self

    @property
    def base_url(self):
        return self.proc.base_url

    @property
    def endpoint_url(self):
        return self.proc.endpoint_url

    def admin(self, user=ADMIN_USER, password=ADMIN_PASSWORD):
        return AdminSession(self.base_url, user, password)

    def stop(self):
        if self.proc is not None:
            self.proc.stop_and_check()
            self.proc = None

    def kill(self):
        """kill -9: no shutdown of any kind."""
        self.proc.proc.send_signal(signal.SIGKILL)
        self.proc.proc.wait(10)
        self.proc = None


def sharing_get(endpoint_url, path, token, **kw):
    headers = {"Authorization": "Bearer " + token} if token else {}
    headers.update(kw.pop("headers", {}))
    return requests.get(endpoint_url + path, headers=headers, timeout=30, **kw)


def ndjson(resp):
    return [json.loads(line) for line in resp.text.splitlines() if line.strip()]
