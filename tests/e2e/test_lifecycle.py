"""Server lifecycle and robustness.

- SIGTERM → exit code 0 within a few seconds, also with idle and keep-alive
  connections open;
- configs without any authentication are refused unless allowAnonymous;
  unreadable configs are refused;
- the URL signing key is created beside the config with mode 0600 and
  survives a restart (old URLs stay valid);
- malformed HTTP, truncated bodies and many idle connections do not stop
  the server from answering.
"""

import os
import socket
import stat
import time

import pytest
import requests

import harness
from conftest import launch_server
from strict_client import StrictClient


def simple_config(**extra):
    cfg = {
        "version": 1, "host": "127.0.0.1", "port": 0, "endpoint": "/delta-sharing",
        "shares": [{"name": "s", "schemas": [{"name": "d", "tables": [
            {"name": "t", "location": os.path.join(harness.DELTA_ROOT, "simple_table")}]}]}],
    }
    cfg.update(extra)
    return cfg


AUTH = {"authorization": {"bearerToken": "tok-admin"}}


@pytest.mark.parametrize("kind", ["keepalive", "idle", "partial"])
def test_sigterm_with_open_connections(lakeshare_bin, tmp_path, kind):
    """Graceful shutdown finishes in-flight work; connections with no request
    in flight (an idle keep-alive, a connection that never sent anything, a
    half-sent request) must not hold the process for long."""
    server = launch_server(lakeshare_bin, simple_config(**AUTH), str(tmp_path), name="term")
    c = StrictClient(server.endpoint_url, "tok-admin", server)
    host, port = c.netloc.split(":")
    sock = socket.create_connection((host, int(port)))
    if kind == "keepalive":
        sock.sendall(b"GET /delta-sharing/shares HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer tok-admin\r\n\r\n")
        assert sock.recv(65536).startswith(b"HTTP/1.1 200")
    elif kind == "partial":
        sock.sendall(b"GET /delta-sharing/shares HTTP/1.1\r\nHost: x\r\n")  # incomplete request
    time.sleep(0.2)
    try:
        took = server.stop_and_check(timeout=10)
    finally:
        sock.close()
    assert took < 5.0, "shutdown took %.1f s" % took


def test_sigterm_right_after_start(lakeshare_bin, tmp_path):
    """SIGTERM as soon as the listening line is out: the handler must already
    be installed (repeated, since a race only shows some of the time)."""
    for i in range(10):
        server = launch_server(lakeshare_bin, simple_config(**AUTH), str(tmp_path / str(i)), name="quick")
        took = server.stop_and_check()
        assert took < 5.0


def process_environment(pid):
    with open("/proc/%d/environ" % pid, "rb") as f:
        entries = f.read().split(b"\0")
    return dict(e.decode().split("=", 1) for e in entries if b"=" in e)


@pytest.mark.parametrize("before,asks", [
    (None, True),
    ("glibc.malloc.arena_max=4", True),
    ("glibc.malloc.hugetlb=0", False),  # the operator's choice stands
])
def test_server_runs_with_huge_page_malloc(lakeshare_bin, tmp_path, before, asks):
    """The server re-executes itself (same process) with glibc's malloc on
    transparent huge pages, keeping the tunables set before it, says so in
    its log, and answers."""
    env = {k: v for k, v in os.environ.items() if k != "GLIBC_TUNABLES"}
    if before is not None:
        env["GLIBC_TUNABLES"] = before
    server = launch_server(lakeshare_bin, simple_config(**AUTH), str(tmp_path), name="huge", env=env)
    try:
        # glibc cuts the variable at its first ':' while reading it, so the
        # process's initial environment shows the first tunable only.
        first = process_environment(server.proc.pid).get("GLIBC_TUNABLES")
        assert first == (before or "glibc.malloc.hugetlb=1").split(":")[0]
        want_tunables = before if not asks else ":".join(
            t for t in [before, "glibc.malloc.hugetlb=1"] if t)
        memory = [l for l in server.stderr_text().splitlines() if "memory: " in l]
        assert len(memory) == 1, server.diagnostics()
        state = ("malloc asks for transparent huge pages" if asks
                 else "malloc does not ask for huge pages")
        assert "%s (GLIBC_TUNABLES %s)" % (state, want_tunables) in memory[0]
        items, _ = StrictClient(server.endpoint_url, "tok-admin", server).list_shares()
        assert [s["name"] for s in items] == ["s"]
    finally:
        server.stop_and_check()


def test_refuses_config_without_auth(lakeshare_bin, tmp_path):
    proc = harness.ServerProcess(lakeshare_bin, simple_config(), str(tmp_path), name="noauth")
    rc, out = proc.run_expecting_failure()
    assert rc != 0
    assert proc.endpoint_url is None, "must not start listening"
    low = out.lower()
    assert "anonymous" in low or "authorization" in low or "recipient" in low or "token" in low, \
        "the refusal should explain what is missing: %r" % out[-500:]


def test_refuses_config_with_anonymous_false(lakeshare_bin, tmp_path):
    proc = harness.ServerProcess(lakeshare_bin, simple_config(allowAnonymous=False), str(tmp_path), name="anonfalse")
    rc, _ = proc.run_expecting_failure()
    assert rc != 0


def test_allow_anonymous(lakeshare_bin, tmp_path):
    server = launch_server(lakeshare_bin, simple_config(allowAnonymous=True), str(tmp_path), name="anon")
    try:
        c = StrictClient(server.endpoint_url, None, server)
        assert [s["name"] for s in c.walk(c.list_shares)] == ["s"]
        assert len(c.query("s", "d", "t").files) == 5
    finally:
        server.stop_and_check()


@pytest.mark.parametrize("text", [
    "version: 1\nshares: [unclosed\n",
    "\x00\x01\x02",
    "- just\n- a\n- list\n",
    "version: 1\nauthorization:\n  bearerToken: tok\nshares:\n  - schemas: 5\n",
])
def test_refuses_unreadable_config(lakeshare_bin, tmp_path, text):
    proc = harness.ServerProcess(lakeshare_bin, text, str(tmp_path), name="bad")
    rc, out = proc.run_expecting_failure()
    assert rc != 0 and proc.endpoint_url is None
    assert out.strip(), "a refused config needs a message"


def test_missing_config_file(lakeshare_bin, tmp_path):
    import subprocess
    r = subprocess.run([lakeshare_bin, "serve", "--config", str(tmp_path / "nope.yaml"), "--port", "0"],
                       capture_output=True, timeout=20)
    assert r.returncode != 0
    assert (r.stdout + r.stderr).strip()


def test_signing_key_created_private_and_persistent(lakeshare_bin, tmp_path):
    workdir = str(tmp_path)
    before = set(os.listdir(workdir))
    server = launch_server(lakeshare_bin, simple_config(**AUTH), workdir, name="key")
    c = StrictClient(server.endpoint_url, "tok-admin", server)
    q = c.query("s", "d", "t")
    old_netloc = c.netloc
    server.stop_and_check()

    new_files = set(os.listdir(workdir)) - before - {"key.yaml", "key.stderr.log"}
    assert new_files, "a signing key file should be created beside the config"
    modes = {f: stat.S_IMODE(os.stat(os.path.join(workdir, f)).st_mode) for f in new_files}
    assert any(m & 0o077 == 0 for m in modes.values()), "no private (0600) key file among %r" % modes
    for f, m in modes.items():
        if "key" in f.lower():
            assert m & 0o077 == 0, "%s has mode %o; the key must be private (0600)" % (f, m)

    server2 = launch_server(lakeshare_bin, simple_config(**AUTH), workdir, name="key")
    try:
        c2 = StrictClient(server2.endpoint_url, "tok-admin", server2)
        url = q.files[0]["url"]
        pq = url.split(old_netloc, 1)[1]
        status, _, body = c2.raw_http("GET", pq, headers={"Host": old_netloc}, token=None)
        assert status == 200 and len(body) == q.files[0]["size"], \
            "a URL signed before a restart must stay valid (same key file): %d" % status
    finally:
        server2.stop_and_check()


# ---------------------------------------------------------------------------
# Robustness against bad HTTP
# ---------------------------------------------------------------------------

@pytest.fixture(scope="module")
def robust(lakeshare_bin, tmp_path_factory):
    workdir = str(tmp_path_factory.mktemp("robust"))
    server = launch_server(lakeshare_bin, simple_config(maxRequestBodyBytes=4096, **AUTH), workdir, name="robust")
    yield StrictClient(server.endpoint_url, "tok-admin", server)
    server.stop_and_check()


def _send(c, data, close_write=True, timeout=3.0):
    host, port = c.netloc.split(":")
    s = socket.create_connection((host, int(port)), timeout=timeout)
    try:
        try:
            if data:
                s.sendall(data)
            if close_write:
                s.shutdown(socket.SHUT_WR)
        except OSError:
            pass  # the server may close early on garbage
        chunks = []
        try:
            while True:
                b = s.recv(65536)
                if not b:
                    break
                chunks.append(b)
                if close_write is False and b"\r\n\r\n" in b"".join(chunks):
                    break
        except (socket.timeout, ConnectionResetError):
            pass
        return b"".join(chunks)
    finally:
        s.close()


def _status(resp_bytes):
    if resp_bytes.startswith(b"HTTP/"):
        return int(resp_bytes.split(b" ", 2)[1])
    return None


AUTH_HDR = b"Authorization: Bearer tok-admin\r\n"
GARBAGE = [
    b"GARBAGE\r\n\r\n",
    b"\x00\xff" * 200 + b"\r\n\r\n",
    b"GET /delta-sharing/shares HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\n" + AUTH_HDR + b"\r\n",
    b"GET /delta-sharing/shares HTTP/1.1\r\nHost: x\r\nContent-Length: -5\r\n" + AUTH_HDR + b"\r\n",
    b"POST /delta-sharing/shares/s/schemas/d/tables/t/query HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n"
    + AUTH_HDR + b"\r\n{",
    b"POST /delta-sharing/shares/s/schemas/d/tables/t/query HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n"
    + AUTH_HDR + b"\r\nzz\r\n{}\r\n0\r\n\r\n",
    b"POST /delta-sharing/shares/s/schemas/d/tables/t/query HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n"
    + AUTH_HDR + b"\r\n" + b"1000\r\n" + b" " * 4096 + b"\r\n" + b"1000\r\n" + b" " * 4096 + b"\r\n0\r\n\r\n",
    b"GET /delta-sharing/shares HTTP/1.1\r\nHost: x\r\nX-Big: " + b"a" * 200000 + b"\r\n\r\n",
    b"GET /" + b"a" * 100000 + b" HTTP/1.1\r\nHost: x\r\n\r\n",
    b"GET /delta-sharing/shares HTTP/9.9\r\nHost: x\r\n" + AUTH_HDR + b"\r\n",
    b"GET /delta-sharing/shares/%zz/schemas HTTP/1.1\r\nHost: x\r\n" + AUTH_HDR + b"\r\n",
    b"GET /delta-sharing/shares/%00/schemas HTTP/1.1\r\nHost: x\r\n" + AUTH_HDR + b"\r\n",
    b"GET /delta-sharing/shares?maxResults=1&maxResults=2&pageToken HTTP/1.1\r\nHost: x\r\n" + AUTH_HDR + b"\r\n",
    b"",
]


@pytest.mark.parametrize("data", GARBAGE, ids=range(len(GARBAGE)))
def test_bad_http_does_not_hurt(robust, data):
    resp = _send(robust, data)
    st = _status(resp)
    assert st is None or st < 500, "server answered %r" % resp[:200]
    # the server still works
    assert robust.query("s", "d", "t").files


def test_http10_request(robust):
    resp = _send(robust, b"GET /delta-sharing/shares HTTP/1.0\r\n" + AUTH_HDR + b"\r\n", close_write=True)
    assert _status(resp) == 200, resp[:300]
    assert b'"s"' in resp


def test_many_idle_connections(robust):
    host, port = robust.netloc.split(":")
    idle = [socket.create_connection((host, int(port))) for _ in range(40)]
    try:
        time.sleep(0.2)
        t0 = time.monotonic()
        r = requests.get(robust.endpoint_url + "/shares", headers={"Authorization": "Bearer tok-admin"}, timeout=10)
        assert r.status_code == 200
        assert time.monotonic() - t0 < 5
    finally:
        for s in idle:
            s.close()


def test_body_limit_on_small_server(robust):
    c = robust
    resp = c.query_raw("s", "d", "t", data=b"{" + b" " * 10000 + b"}")
    assert resp.status_code == 413
    assert c.query("s", "d", "t").files
