"""Fixtures for the lakeshare end-to-end tests.

The session-scoped ``main`` fixture writes one config (several shares, every
Delta test table, recipients with different grants), starts
``lakeshare serve --config FILE --port 0`` once, and stops it with SIGTERM at
the end, asserting a clean exit (code 0). Tests that need another config
start their own server with ``launch_server`` (module-scoped where possible).
"""

import hashlib
import os

import pytest

import change_tables
import checkpoint_log
import harness
from catalog_db import backend_db, postgres_cluster  # noqa: F401 (fixtures of the catalog tests)
from delta_log import DeltaTable, list_tables
from strict_client import StrictClient

# Fixed clock for the time-travel copies: commit N at 2021-01-01T00:00:00Z + N days.
TT_FIRST_EPOCH = 1609459200
TT_STEP = 86400
# In-commit-timestamp copy: inCommitTimestamp of commit N = 2022-01-01 + N days,
# while the commit files' mtimes say 2030-01-01 + N days (must be ignored).
ICT_FIRST_EPOCH = 1640995200
ICT_MTIME_EPOCH = 1893456000


def pytest_addoption(parser):
    parser.addoption("--lakeshare-bin", action="store", default=None,
                     help="path to the lakeshare binary (default: <repo>/build/src/cli/lakeshare)")


@pytest.fixture(scope="session")
def lakeshare_bin(request):
    path = request.config.getoption("--lakeshare-bin") or harness.DEFAULT_BIN
    path = os.path.abspath(path)
    if not os.access(path, os.X_OK):
        pytest.fail("lakeshare binary not found or not executable: %s (build it, or pass --lakeshare-bin)" % path)
    return path


@pytest.fixture(scope="session")
def parquet_rows(lakeshare_bin):
    """DuckDB as an independent parquet reader, installed into the build tree."""
    build = os.path.dirname(os.path.dirname(os.path.dirname(lakeshare_bin)))  # <build>/src/cli/lakeshare
    if not os.path.isfile(os.path.join(build, "CMakeCache.txt")):
        build = os.path.join(harness.REPO_ROOT, "build")
    return checkpoint_log.ParquetRows(build)


@pytest.fixture(scope="session")
def testdata_root():
    if not os.path.isdir(harness.DELTA_ROOT):
        pytest.fail("test data not found at %s" % harness.DELTA_ROOT)
    return harness.DELTA_ROOT


def launch_server(binary, config, workdir, name="server", **kw):
    """Starts a server and returns the harness.ServerProcess (caller stops it)."""
    return harness.ServerProcess(binary, config, workdir, name=name, **kw).start()


# ---------------------------------------------------------------------------
# The main server
# ---------------------------------------------------------------------------

class TableRef:
    def __init__(self, share, schema, name, location, history=False, start_version=None, table_id=None):
        self.share = share
        self.schema = schema
        self.name = name
        self.location = location          # absolute path of the table folder
        self.history = history
        self.start_version = start_version
        self.table_id = table_id
        self._delta = None

    @property
    def delta(self):
        if self._delta is None:
            self._delta = DeltaTable(self.location)
        return self._delta

    @property
    def coords(self):
        return (self.share, self.schema, self.name)

    def __repr__(self):
        return "%s.%s.%s" % self.coords


class MainServer:
    """The running main server plus a description of what it shares."""

    def __init__(self, server, tables, shares_layout, workdir):
        self.server = server
        self.tables = tables                  # list of TableRef
        self.shares_layout = shares_layout    # [(share, [(schema, [table, ...]), ...]), ...]
        self.workdir = workdir
        url = server.endpoint_url
        self.admin = StrictClient(url, harness.ADMIN_TOKEN, server)
        self.alice = StrictClient(url, "tok-alice", server)
        self.bob = StrictClient(url, "tok-bob", server)
        self.carol = StrictClient(url, "tok-carol", server)   # expired
        self.dave = StrictClient(url, "tok-dave", server)     # "*", not expired
        self.eve = StrictClient(url, "tok-eve", server)       # no shares
        self.anonymous = StrictClient(url, None, server)

    def table(self, share, schema, name):
        for t in self.tables:
            if t.coords == (share, schema, name):
                return t
        raise KeyError((share, schema, name))

    def all_share_table(self, dirname):
        return self.table("all", "delta", harness.sanitize_name(dirname))


def _table_entry(ref, workdir, relative=False):
    e = {"name": ref.name,
         "location": os.path.relpath(ref.location, workdir) if relative else ref.location}
    if ref.table_id:
        e["id"] = ref.table_id
    e["historyShared"] = bool(ref.history)
    if ref.start_version is not None:
        e["startVersion"] = ref.start_version
    return e


def build_main_config(workdir, tables, layout):
    shares = []
    for share, schemas in layout:
        sch_list = []
        for schema, names in schemas:
            entries = []
            for n in names:
                ref = next(t for t in tables if t.coords == (share, schema, n))
                # share1.default.simple uses a path relative to the config folder.
                entries.append(_table_entry(ref, workdir, relative=(ref.coords == ("share1", "default", "simple"))))
            sch_list.append({"name": schema, "tables": entries})
        shares.append({"name": share, "schemas": sch_list})
    return {
        "version": 1,
        "host": "127.0.0.1",
        "port": 0,
        "endpoint": "/delta-sharing",
        "preSignedUrlTimeoutSeconds": 3600,
        "maxRequestBodyBytes": 65536,
        # test_files runs 16 queries of one recipient at once.
        "maxConcurrentQueriesPerRecipient": 16,
        "authorization": {"bearerToken": harness.ADMIN_TOKEN},
        "shares": shares,
        "recipients": [
            {"name": "alice", "token": "tok-alice", "shares": ["share1", "share2", "all"]},
            {"name": "bob", "tokenHash": "sha256:" + hashlib.sha256(b"tok-bob").hexdigest(),
             "shares": ["secret"]},
            {"name": "carol", "token": "tok-carol", "shares": ["*"], "expirationTime": "2001-01-01T00:00:00Z"},
            {"name": "dave", "token": "tok-dave", "shares": ["*"], "expirationTime": "2099-01-01T00:00:00Z"},
            {"name": "eve", "token": "tok-eve", "shares": []},
        ],
    }


@pytest.fixture(scope="session")
def main(lakeshare_bin, testdata_root, tmp_path_factory):
    base = str(tmp_path_factory.mktemp("main"))
    workdir = os.path.join(base, "conf")
    copies = os.path.join(base, "copies")
    cwd = os.path.join(base, "cwd")
    for d in (workdir, copies, cwd):
        os.makedirs(d)

    def p(name):
        return os.path.join(testdata_root, name)

    tt = harness.copy_table("simple_table", copies, "simple_tt")
    harness.set_commit_mtimes(tt, TT_FIRST_EPOCH, TT_STEP)
    ict = harness.copy_table("cdc_ict_table", copies, "ict_tt")
    harness.set_in_commit_timestamps(ict, ICT_FIRST_EPOCH * 1000, TT_STEP * 1000)
    harness.set_commit_mtimes(ict, ICT_MTIME_EPOCH, TT_STEP)

    T = TableRef
    tables = [
        T("share1", "default", "simple", p("simple_table"), history=True,
          table_id="00000000-0000-0000-0000-000000000001"),
        T("share1", "default", "partitioned", p("delta-0.8.0-partitioned")),
        T("share1", "default", "nohist", p("delta-0.8.0"), history=False),
        T("share1", "default", "nullpart", p("delta-0.8.0-null-partition")),
        T("share1", "default", "special", p("delta-0.8.0-special-partition")),
        T("share1", "extra", "types", p("delta-2.2.0-partitioned-types"), table_id="00000000-0000-0000-0000-000000000002"),
        T("share1", "extra", "numeric", p("delta-0.8.0-numeric-partition")),
        T("share1", "extra", "prims", p("partition-type-primitives")),
        T("share1", "extra", "nodv", p("table-without-dv-small")),
        T("share1", "extra", "covid", p("COVID-19_NYT")),
        T("share1", "extra", "http", p("http_requests")),
        T("share1", "extra", "dv", p("table-with-dv-small")),
        T("share1", "tt", "simple_tt", tt, history=True),
        T("share1", "tt", "tt_start", tt, history=True, start_version=2),
        T("share1", "tt", "tt_nohist", tt, history=False),
        T("share1", "tt", "ict_tt", ict, history=True),
        T("share2", "s2", "t", p("table-without-dv-small")),
        T("share3", "s3", "t", p("delta-0.8.0")),
        T("secret", "hidden", "stuff", p("delta-0.8.0-null-partition")),
    ]
    all_dirs = list_tables(testdata_root) + list_tables(os.path.join(testdata_root, "golden"))
    for d in all_dirs:
        tables.append(T("all", "delta", harness.sanitize_name(os.path.basename(d)), d, history=True))

    layout = []
    for t in tables:
        share = next((s for s in layout if s[0] == t.share), None)
        if share is None:
            share = (t.share, [])
            layout.append(share)
        schema = next((s for s in share[1] if s[0] == t.schema), None)
        if schema is None:
            schema = (t.schema, [])
            share[1].append(schema)
        schema[1].append(t.name)

    config = build_main_config(workdir, tables, layout)
    server = harness.ServerProcess(lakeshare_bin, config, workdir, name="main", cwd=cwd)
    server.start()
    m = MainServer(server, tables, layout, workdir)
    yield m
    # The server must still be healthy after the whole suite, then shut down cleanly.
    alive = server.alive()
    ok = False
    if alive:
        try:
            m.admin.list_shares()
            ok = True
        except AssertionError:
            ok = False
    took = server.stop_and_check()
    assert ok, "main server no longer answered /shares at the end of the suite\n" + server.diagnostics()
    assert took < 5.0, "SIGTERM shutdown took %.1f s" % took


@pytest.fixture(scope="session")
def admin(main):
    return main.admin


@pytest.fixture(scope="session")
def alice(main):
    return main.alice


# ---------------------------------------------------------------------------
# The change-data-feed server (test_changes.py, test_streaming.py)
# ---------------------------------------------------------------------------

class ChangesServer:
    """A server sharing change_tables' copies (share cs, schema s)."""

    def __init__(self, server, tables):
        self.server = server
        self.dirs = tables                    # name -> folder
        self.client = StrictClient(server.endpoint_url, change_tables.TOKEN, server)

    @staticmethod
    def coords(name):
        return (change_tables.SHARE, change_tables.SCHEMA, name)

    def delta(self, name):
        """A fresh reader (tests may append commits to a table)."""
        return DeltaTable(self.dirs[name])


@pytest.fixture(scope="session")
def changes_server(lakeshare_bin, tmp_path_factory):
    base = str(tmp_path_factory.mktemp("changes"))
    tables = change_tables.build(os.path.join(base, "tables"))
    server = launch_server(lakeshare_bin, change_tables.config(tables), os.path.join(base, "conf"), name="changes")
    yield ChangesServer(server, tables)
    server.stop_and_check()


@pytest.fixture(scope="session")
def live_changes(lakeshare_bin, tmp_path_factory):
    """A server with copies of cdf-table-non-partitioned that tests append
    commits to: (client, {name: folder})."""
    base = str(tmp_path_factory.mktemp("live_changes"))
    dirs = {}
    for name in ("live_cdf", "live_stream"):
        dirs[name] = harness.copy_table("cdf-table-non-partitioned", base, name)
        harness.make_writable(dirs[name])
    config = change_tables.config(dirs, variants=False)
    server = launch_server(lakeshare_bin, config, os.path.join(base, "conf"), name="live_changes")
    yield StrictClient(server.endpoint_url, change_tables.TOKEN, server), dirs
    server.stop_and_check()

