"""`lakeshare admin`, the admin API from the shell, on SQLite and PostgreSQL:
against a running server (--url, a session from a password read from stdin
or the environment, never from the command line; https through a TLS proxy
with --ca-file) and directly on the database while the server is down
(--config). Scriptable: --json output and documented exit codes."""
import http.client
import http.server
import json
import os
import ssl
import stat
import subprocess
import threading
import time

import pytest
import requests

import harness
from catalog_db import (ADMIN_PASSWORD, ADMIN_USER, BACKENDS, VIEWER_PASSWORD, VIEWER_USER, DbServer,
                        new_catalog_db, run_cli)

SIMPLE = os.path.join(harness.DELTA_ROOT, "simple_table")
PARTITIONED = os.path.join(harness.DELTA_ROOT, "delta-0.8.0-partitioned")

OK, FAILED, USAGE, DENIED, NOT_FOUND, REJECTED, UNAVAILABLE = 0, 1, 2, 3, 4, 5, 6


@pytest.fixture(scope="module", params=BACKENDS)
def server(request, lakeshare_bin, tmp_path_factory):
    workdir = str(tmp_path_factory.mktemp("cli_" + request.param))
    db = new_catalog_db(request.param, workdir, request)
    s = DbServer(lakeshare_bin, db, workdir, name="cli_" + request.param).start()
    yield s
    s.stop()


class Cli:
    """Runs `lakeshare admin --url <server> ...` as the admin user."""

    def __init__(self, binary, url):
        self.binary = binary
        self.url = url

    def run(self, *args, password=ADMIN_PASSWORD, user=ADMIN_USER, stdin=None, env=None, url=None):
        base = ["admin", "--url", url or self.url]
        if user:
            base += ["-u", user]
        text = stdin if stdin is not None else (password + "\n" if password is not None else None)
        return run_cli(self.binary, base + list(args), stdin=text, env=env)

    def json(self, *args, **kw):
        out = self.run("--json", *args, **kw)
        assert out.returncode == OK, (args, out.returncode, out.stdout, out.stderr)
        return json.loads(out.stdout) if out.stdout.strip() else None


@pytest.fixture(scope="module")
def cli(server, lakeshare_bin):
    return Cli(lakeshare_bin, server.base_url)


def bearer_get(endpoint, path, token):
    return requests.get(endpoint + path, headers={"Authorization": "Bearer " + token}, timeout=30)


def test_full_workflow_through_the_api(cli, server, tmp_path):
    share = cli.json("share", "create", "sales", "--display-name", "Sales", "--comment", "quarterly")
    assert share["name"] == "sales" and share["displayName"] == "Sales"
    assert cli.json("schema", "create", "sales", "d")["name"] == "d"
    t = cli.json("table", "add", "sales", "d", "orders", "--location", SIMPLE, "--history", "true")
    assert t["historyShared"] is True and t["location"] == SIMPLE
    f = cli.json("table", "add", "sales", "d", "recent", "--location", PARTITIONED,
                 "--partition-filter", "year = '2021'")
    assert f["partitionFilter"] == "year = '2021'"
    assert [x["name"] for x in cli.json("table", "list", "sales", "d")["items"]] == ["orders", "recent"]
    r = cli.json("recipient", "create", "partner", "--ip", "127.0.0.1", "--ip", "10.0.0.0/8", "--comment", "p")
    assert r["ipAllowlist"] == ["127.0.0.1", "10.0.0.0/8"]
    out = cli.run("grant", "add", "partner", "sales")
    assert out.returncode == OK and "granted sales to partner" in out.stdout
    assert cli.json("grant", "list", "partner")["items"] == ["sales"]

    # A token as a profile file, readable by its owner only.
    path = str(tmp_path / "partner.share")
    out = cli.run("token", "create", "partner", "--expires-in", "30d", "-o", path)
    assert out.returncode == OK, out.stderr
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    with open(path) as fh:
        profile = json.load(fh)
    assert profile["shareCredentialsVersion"] == 1 and "expirationTime" in profile
    assert profile["endpoint"] == server.endpoint_url
    assert [s["name"] for s in bearer_get(profile["endpoint"], "/shares", profile["bearerToken"]).json()["items"]] \
        == ["sales"]
    q = requests.post(profile["endpoint"] + "/shares/sales/schemas/d/tables/recent/query", json={},
                      headers={"Authorization": "Bearer " + profile["bearerToken"]}, timeout=30)
    assert len(q.text.splitlines()) - 2 == 3  # the three 2021 files
    listed = cli.run("token", "list", "partner")
    assert listed.returncode == OK and profile["bearerToken"] not in listed.stdout and "true" in listed.stdout

    # Rotation prints the new profile; revoke --all ends every live token.
    rotated = cli.json("token", "rotate", "partner", "--grace-seconds", "60")
    assert rotated["bearerToken"] != profile["bearerToken"]
    assert bearer_get(profile["endpoint"], "/shares", profile["bearerToken"]).status_code == 200  # in its grace
    revoked = cli.json("token", "revoke", "partner", "--all")
    assert len(revoked["revoked"]) == 2
    for tok in (profile["bearerToken"], rotated["bearerToken"]):
        assert bearer_get(profile["endpoint"], "/shares", tok).status_code == 401

    # An activation link, redeemed once.
    link = cli.json("link", "create", "partner", "--expires-in", "1h", "--token-expires-in", "7d")
    redeem_url = server.base_url + "/api/v1/activate/" + link["url"].split("#", 1)[1]
    redeemed = requests.post(redeem_url, timeout=30)
    assert redeemed.status_code == 200 and redeemed.json()["shareCredentialsVersion"] == 1
    assert requests.post(redeem_url, timeout=30).status_code == 400
    assert cli.json("link", "list", "partner")["items"][0]["usedAt"] > 0

    # Updates with optimistic versions; a stale one is refused with exit code 5.
    upd = cli.json("share", "update", "sales", "--comment", "annual", "--if-version", "1")
    assert upd["version"] == 2
    assert cli.run("share", "update", "sales", "--comment", "x", "--if-version", "1").returncode == REJECTED
    assert cli.json("schema", "rename", "sales", "d", "main")["name"] == "main"
    assert cli.json("table", "update", "sales", "main", "recent", "--partition-filter", "")["name"] == "recent"
    assert cli.run("table", "remove", "sales", "main", "orders").returncode == OK
    assert cli.run("table", "get", "sales", "main", "orders").returncode == NOT_FOUND

    # Human-readable output: tables and key: value lines.
    text = cli.run("recipient", "list")
    assert text.returncode == OK and text.stdout.splitlines()[0].split() == ["name", "allShares", "ipAllowlist",
                                                                             "comment"]
    text = cli.run("share", "get", "sales")
    assert "displayName: Sales" in text.stdout.replace("  ", " ") and "recipients:  partner" in text.stdout

    # The audit log: who did what, newest first, filterable; --all pages.
    entries = cli.json("audit", "--actor", ADMIN_USER, "--action", "createShare")["items"]
    assert [e["object"] for e in entries] == ["share:sales"]
    everything = cli.json("audit", "--all", "--limit", "2")["items"]
    assert len(everything) > 20 and len({e["id"] for e in everything}) == len(everything)
    page = cli.run("audit", "--limit", "1")
    assert page.returncode == OK and "--page-token" in page.stderr
    assert profile["bearerToken"] not in json.dumps(everything)


def test_three_commands_and_one_login_from_nothing_to_a_profile(cli, server, tmp_path):
    """share, table (its schema made on the way), recipient with its grant and
    token: three commands; the first logs in, the others reuse its session."""
    sessions = tmp_path / "sessions"
    env = {"LAKESHARE_ADMIN_SESSION_DIR": str(sessions)}
    since = str(int(time.time() * 1000))
    assert cli.run("share", "create", "quick", env=env).returncode == OK  # reads the password
    kept = list(sessions.iterdir())
    assert len(kept) == 1 and stat.S_IMODE(kept[0].stat().st_mode) == 0o600
    assert stat.S_IMODE(sessions.stat().st_mode) == 0o700
    out = cli.run("table", "add", "quick", "d", "orders", "--location", SIMPLE, password=None, stdin="", env=env)
    assert out.returncode == OK, out.stderr
    path = str(tmp_path / "quick.share")
    out = cli.run("recipient", "create", "quick_partner", "--share", "quick", "--token",
                  "--token-expires-in", "30d", "-o", path, password=None, stdin="", env=env)
    assert out.returncode == OK, out.stderr
    assert "shares:" in out.stdout and "profile written to " + path in out.stdout
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    with open(path) as fh:
        profile = json.load(fh)
    q = requests.post(profile["endpoint"] + "/shares/quick/schemas/d/tables/orders/query", json={},
                      headers={"Authorization": "Bearer " + profile["bearerToken"]}, timeout=30)
    assert q.status_code == 200 and len(q.text.splitlines()) > 2
    # One login for the three commands (and for this audit query: the same session), no logouts.
    mine = cli.json("audit", "--actor", ADMIN_USER, "--from", since, "--all", password=None, stdin="",
                    env=env)["items"]
    assert [e["action"] for e in mine].count("login") == 1, [e["action"] for e in mine]
    assert "logout" not in [e["action"] for e in mine]
    # --json: the whole answer, the profile inside; a link instead of a token.
    linked = cli.json("recipient", "create", "quick_linked", "--share", "quick", "--link", "--link-expires-in", "1h",
                      env=env)
    assert linked["shares"] == ["quick"] and "#" in linked["activationLink"]["url"] and "profile" not in linked
    # Logging out ends the kept session; the next command needs the password again.
    assert cli.run("logout", password=None, stdin="", env=env).returncode == OK
    assert list(sessions.iterdir()) == []
    assert cli.run("share", "list", password=None, stdin="", env=env).returncode == REJECTED
    # A session the server no longer knows is replaced by a new login.
    assert cli.run("share", "list", env=env).returncode == OK
    token = next(sessions.iterdir()).read_text().strip()
    assert cli.run("logout", user=None, password=None, env={"LAKESHARE_ADMIN_TOKEN": token}).returncode == OK
    assert cli.run("share", "list", env=env).returncode == OK
    assert next(sessions.iterdir()).read_text().strip() != token


def test_users_and_passwords_never_on_the_command_line(cli, server):
    # The new user's password comes from the environment or the next stdin line.
    out = cli.run("--json", "user", "create", "helper", "--role", "viewer",
                  env={"LAKESHARE_NEW_PASSWORD": "helper password 123"})
    assert out.returncode == OK, out.stderr
    assert json.loads(out.stdout)["role"] == "viewer"
    helper = Cli(cli.binary, cli.url)
    assert helper.run("share", "list", user="helper", password="helper password 123").returncode == OK
    assert helper.run("share", "create", "nope", user="helper", password="helper password 123").returncode == DENIED
    # Login password and new password, both on stdin (in that order).
    out = cli.run("user", "set-password", "helper", stdin=ADMIN_PASSWORD + "\nchanged password 456\n")
    assert out.returncode == OK, out.stderr
    assert helper.run("share", "list", user="helper", password="helper password 123").returncode == DENIED
    assert helper.run("share", "list", user="helper", password="changed password 456").returncode == OK
    assert cli.json("user", "set-role", "helper", "admin")["role"] == "admin"
    assert cli.run("user", "delete", "helper").returncode == OK
    # The login password from the environment.
    assert cli.run("share", "list", password=None, env={"LAKESHARE_ADMIN_PASSWORD": ADMIN_PASSWORD}).returncode == OK
    # There is no way to put a password on the command line.
    assert cli.run("--password", ADMIN_PASSWORD, "share", "list").returncode == USAGE
    assert cli.run("share", "list", "--password", ADMIN_PASSWORD).returncode == USAGE
    # Wrong or missing credentials.
    wrong = cli.run("share", "list", password="wrong")
    assert wrong.returncode == DENIED and "invalid username or password" in wrong.stderr
    assert cli.run("share", "list", user=None).returncode == USAGE
    assert cli.run("share", "list", password=None, stdin="").returncode == REJECTED  # no password at all


def test_sessions_and_exit_codes(cli, server):
    token = cli.run("login").stdout.strip()
    assert len(token) > 20
    env = {"LAKESHARE_ADMIN_TOKEN": token}
    assert cli.run("share", "list", user=None, password=None, env=env).returncode == OK
    assert cli.run("logout", user=None, password=None, env=env).returncode == OK
    assert cli.run("share", "list", user=None, password=None, env=env).returncode == DENIED
    viewer_env = {"LAKESHARE_ADMIN_PASSWORD": VIEWER_PASSWORD}
    assert cli.run("user", "list", user=VIEWER_USER, password=None, env=viewer_env).returncode == DENIED

    out = cli.run("--json", "share", "get", "missing")
    assert out.returncode == NOT_FOUND and json.loads(out.stdout)["errorCode"] == "RESOURCE_DOES_NOT_EXIST"
    out = cli.run("table", "add", "missing", "d", "t", "--location", SIMPLE)
    assert out.returncode == NOT_FOUND
    cli.json("share", "create", "codes")
    out = cli.run("--json", "share", "create", "codes")
    assert out.returncode == REJECTED and json.loads(out.stdout)["errorCode"] == "RESOURCE_ALREADY_EXISTS"
    assert "already exists" in out.stderr
    cli.json("schema", "create", "codes", "d")
    out = cli.run("table", "add", "codes", "d", "t", "--location", SIMPLE, "--partition-filter", "a = b")
    assert out.returncode == REJECTED and "partition filter" in out.stderr
    assert cli.run("recipient", "create", "bad", "--ip", "999.1.1.1").returncode == REJECTED
    assert cli.run("token", "create", "nobody").returncode == NOT_FOUND
    assert cli.run("token", "create", "x", "--expires-in", "soon").returncode == REJECTED
    assert cli.run("token", "revoke", "x").returncode == REJECTED  # neither an id nor --all
    assert cli.run("share", "list", url="http://127.0.0.1:1").returncode == UNAVAILABLE
    assert cli.run("share", "list", url="ftp://127.0.0.1").returncode == USAGE
    assert cli.run("share").returncode == USAGE          # no verb
    assert cli.run("nonsense").returncode == USAGE
    bare = run_cli(cli.binary, ["admin", "share", "list"])  # neither --url nor --config
    assert bare.returncode == USAGE and "--url" in bare.stderr


def test_public_commands_need_no_login(cli, server, tmp_path):
    """The commands of public routes run without a session: the API's
    description, and redeeming an activation link as its recipient would."""
    out = cli.run("openapi", user=None, password=None)
    assert out.returncode == OK, out.stderr
    assert json.loads(out.stdout) == requests.get(server.base_url + "/api/v1/openapi.json", timeout=30).json()
    cli.json("recipient", "create", "newcomer")
    link = cli.json("link", "create", "newcomer", "--expires-in", "1h")
    secret = link["url"].split("#", 1)[1]
    info = cli.run("--json", "link", "info", secret, user=None, password=None)
    assert info.returncode == OK, info.stderr
    assert json.loads(info.stdout)["recipient"] == "newcomer"
    path = str(tmp_path / "newcomer.share")
    out = cli.run("link", "redeem", secret, "-o", path, user=None, password=None)
    assert out.returncode == OK, out.stderr
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    with open(path) as fh:
        profile = json.load(fh)
    assert bearer_get(profile["endpoint"], "/shares", profile["bearerToken"]).status_code == 200
    used = cli.run("link", "redeem", secret, user=None, password=None)
    assert used.returncode == REJECTED and "already been used" in used.stderr


def test_directly_on_the_database_while_the_server_is_down(lakeshare_bin, tmp_path, request):
    for backend in BACKENDS:
        workdir = str(tmp_path / backend)
        os.makedirs(workdir)
        db = new_catalog_db(backend, workdir, request)
        server = DbServer(lakeshare_bin, db, workdir, name="offline_" + backend, users=False)
        server.config["publicUrl"] = "https://share.example.com"
        config = harness.to_yaml(server.config)
        cfg_path = os.path.join(workdir, "offline.yaml")
        with open(cfg_path, "w") as fh:
            fh.write(config)

        def offline(*args, **kw):
            return run_cli(lakeshare_bin, ["admin", "--config", cfg_path] + list(args), **kw)

        out = offline("--json", "share", "create", "offline")
        assert out.returncode == OK, out.stderr
        assert offline("schema", "create", "offline", "d").returncode == OK
        assert offline("table", "add", "offline", "d", "t", "--location", SIMPLE).returncode == OK
        assert offline("recipient", "create", "later").returncode == OK
        assert offline("grant", "add", "later", "offline").returncode == OK
        out = offline("--json", "token", "create", "later")
        assert out.returncode == OK
        profile = json.loads(out.stdout)
        assert profile["endpoint"] == "https://share.example.com/delta-sharing"
        assert offline("share", "get", "nope").returncode == NOT_FOUND
        # No password is asked: whoever can open the database is trusted.
        out = offline("--json", "user", "create", "first", "--role", "admin",
                      env={"LAKESHARE_NEW_PASSWORD": "first admin password"})
        assert out.returncode == OK, out.stderr
        actors = {e["actor"] for e in json.loads(offline("--json", "audit").stdout)["items"]}
        assert len(actors) == 1 and next(iter(actors)).startswith("local:")

        # Now the server comes up and serves what was written offline.
        server.start()
        try:
            r = bearer_get(server.endpoint_url, "/shares/offline/all-tables", profile["bearerToken"])
            assert [t["name"] for t in r.json()["items"]] == ["t"]
            web = Cli(lakeshare_bin, server.base_url)
            assert web.run("share", "list", user="first", password="first admin password").returncode == OK
            # ...and the CLI may keep working on the database beside the running server.
            assert offline("token", "revoke", "later", "--all").returncode == OK
            assert bearer_get(server.endpoint_url, "/shares", profile["bearerToken"]).status_code == 401
        finally:
            server.stop()
        no_db = os.path.join(workdir, "yaml-only.yaml")
        with open(no_db, "w") as fh:
            fh.write("version: 1\nauthorization: {bearerToken: x}\n")
        out = run_cli(lakeshare_bin, ["admin", "--config", no_db, "share", "list"])
        assert out.returncode == REJECTED and "catalogUrl" in out.stderr


# ---------------------------------------------------------------------------
# https: the admin API behind a TLS-terminating proxy
# ---------------------------------------------------------------------------

class _Proxy(http.server.BaseHTTPRequestHandler):
    backend = None  # (host, port)

    def _forward(self):
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else None
        conn = http.client.HTTPConnection(*self.backend, timeout=30)
        headers = {k: v for k, v in self.headers.items() if k.lower() not in ("host", "connection")}
        headers["X-Forwarded-For"] = self.client_address[0]
        conn.request(self.command, self.path, body=body, headers=headers)
        resp = conn.getresponse()
        data = resp.read()
        self.send_response(resp.status)
        for k, v in resp.getheaders():
            if k.lower() not in ("connection", "transfer-encoding", "content-length"):
                self.send_header(k, v)
        self.send_header("Content-Length", str(len(data)))
        self.send_header("Connection", "close")
        self.end_headers()
        self.wfile.write(data)
        conn.close()

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = _forward

    def log_message(self, *args):
        pass


def test_https_through_a_tls_proxy(cli, server, tmp_path):
    cert, key = str(tmp_path / "cert.pem"), str(tmp_path / "key.pem")
    gen = subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out", cert,
                          "-days", "1", "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1"],
                         capture_output=True, text=True, timeout=60)
    assert gen.returncode == 0, gen.stderr
    backend = server.base_url.split("//")[1].split(":")
    handler = type("Proxy", (_Proxy,), {"backend": (backend[0], int(backend[1]))})
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(cert, key)
    httpd.socket = ctx.wrap_socket(httpd.socket, server_side=True)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        url = "https://127.0.0.1:%d" % httpd.server_address[1]
        ok = cli.run("--json", "--ca-file", cert, "share", "list", url=url)
        assert ok.returncode == OK, ok.stderr
        assert isinstance(json.loads(ok.stdout)["items"], list)
        # Without trusting the proxy's certificate: refused, as unreachable.
        untrusted = cli.run("share", "list", url=url)
        assert untrusted.returncode == UNAVAILABLE and "TLS" in untrusted.stderr
        # Plain http to a TLS port is no answer either.
        assert cli.run("share", "list", url="http://127.0.0.1:%d" % httpd.server_address[1]).returncode \
            == UNAVAILABLE
    finally:
        httpd.shutdown()
        httpd.server_close()
