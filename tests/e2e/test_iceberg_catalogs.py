"""Iceberg catalogs that need a login, end to end through the real server.

The catalogs are small HTTP servers written here (no Iceberg REST catalog or
AWS Glue can run in the tests): they check the exchange as the specs say --
the OAuth2 client credentials grant of the Iceberg REST spec
(POST /v1/oauth/tokens, form fields, bearer token on later calls, expiry),
a static bearer token, and AWS SigV4 signatures recomputed with botocore's
own signer (REST endpoints of S3 Tables, and Glue's GetTable API).
"""

import datetime
import json
import os
import re
import threading
import time
import urllib.parse
import http.server

import botocore.auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

import expect
import iceberg_meta
from conftest import launch_server
from strict_client import StrictClient
from test_iceberg_roundtrip import run

TOKEN = "tok-catalogs"
TABLE_PATH = "/v1/ns/namespaces/db/tables/events"

AK = "AKIDLAKESHARETEST"
SK = "c2VjcmV0LWtleS1vZi10aGUtdGVzdHM/K7MDENG+bPxRf"
SESSION = "session-token-of-the-tests"

def botocore_signature(method, url, headers, body, service, region, token):
    """The Authorization header botocore's SigV4Auth makes for the request the
    server sent: the headers it signed, at the time it claims (X-Amz-Date)."""
    auth = headers.get("Authorization", "")
    m = re.match(r"AWS4-HMAC-SHA256 Credential=([^/]+)/(\d{8})/([^/]+)/([^/]+)/aws4_request, "
                 r"SignedHeaders=([a-z0-9;-]+), Signature=[0-9a-f]{64}$", auth)
    assert m, "not a SigV4 Authorization header: %r" % auth
    assert (m.group(1), m.group(3), m.group(4)) == (AK, region, service), auth
    signed = m.group(5).split(";")
    for required in ("host", "x-amz-date"):
        assert required in signed, auth
    amz_date = headers["X-Amz-Date"]
    when = datetime.datetime.strptime(amz_date, "%Y%m%dT%H%M%SZ")
    skew = abs((datetime.datetime.utcnow() - when).total_seconds())
    assert skew < 300, "X-Amz-Date %s is %d s off" % (amz_date, skew)
    keep = {h: headers[h] for h in signed if h not in ("host", "x-amz-date", "x-amz-security-token")}
    req = AWSRequest(method=method, url=url, data=body, headers=keep)
    # add_auth's steps, at the claimed time instead of now.
    signer = botocore.auth.SigV4Auth(Credentials(AK, SK, token), service, region)
    req.context["timestamp"] = amz_date
    signer._modify_request_before_signing(req)
    canonical = signer.canonical_request(req)
    signer._inject_signature_to_request(
        req, signer.signature(signer.string_to_sign(req, canonical), req))
    return req.headers["Authorization"]


class FakeCatalog:
    """One table (db.events) behind the login `mode`: oauth2, bearer, sigv4
    (an Iceberg REST catalog under /iceberg) or glue (the Glue JSON API)."""

    def __init__(self, mode, metadata_location):
        self.mode = mode
        self.metadata_location = metadata_location
        self.lock = threading.Lock()
        self.ttl = 3600
        self.client_secret = "client-s3cret"  # what the token endpoint accepts
        self.tokens = {}          # issued access token -> expiry (time.time())
        self.grants = []          # the form of every token request
        self.loads = 0            # table answers given
        self.refused = []         # why requests were refused
        self.failures = []        # protocol violations (the test fails on any)
        self.signatures = 0       # SigV4 signatures checked with botocore
        outer = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def reply(self, status, obj):
                body = json.dumps(obj).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def body(self):
                n = int(self.headers.get("Content-Length", "0"))
                return self.rfile.read(n) if n else b""

            def do_POST(self):
                data = self.body()
                with outer.lock:
                    status, obj = outer.post(self.path, self.headers, data)
                self.reply(status, obj)

            def do_GET(self):
                with outer.lock:
                    status, obj = outer.get(self.path, self.headers)
                self.reply(status, obj)

            def log_message(self, *a):
                pass

        self.srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.base = "http://127.0.0.1:%d" % self.srv.server_address[1]
        threading.Thread(target=self.srv.serve_forever, daemon=True).start()

    def close(self):
        self.srv.shutdown()

    # -- the OAuth2 token endpoint (Iceberg REST spec: /v1/oauth/tokens) --
    def post(self, path, headers, data):
        if self.mode == "glue":
            return self.glue(path, headers, data)
        if path != "/iceberg/v1/oauth/tokens" or self.mode != "oauth2":
            self.failures.append("unexpected POST %s" % path)
            return 404, {}
        if not headers.get("Content-Type", "").startswith("application/x-www-form-urlencoded"):
            self.failures.append("token request Content-Type %r" % headers.get("Content-Type"))
        form = dict(urllib.parse.parse_qsl(data.decode()))
        self.grants.append(form)
        if "Authorization" in headers:
            self.failures.append("client credentials sent in an Authorization header too")
        if form.get("grant_type") != "client_credentials":
            return 400, {"error": "unsupported_grant_type"}
        if (form.get("client_id"), form.get("client_secret")) != ("lakeshare-client", self.client_secret):
            return 401, {"error": "invalid_client", "error_description": "wrong credentials"}
        if form.get("scope") != "PRINCIPAL_ROLE:ALL":
            return 400, {"error": "invalid_scope"}
        token = "access-%d-%s" % (len(self.grants), os.urandom(4).hex())
        self.tokens[token] = time.time() + self.ttl
        return 200, {"access_token": token, "token_type": "bearer", "expires_in": self.ttl,
                     "issued_token_type": "urn:ietf:params:oauth:token-type:access_token"}

    # -- LoadTable --
    def get(self, path, headers):
        if path != "/iceberg" + TABLE_PATH:
            self.failures.append("unexpected GET %s" % path)
            return 404, {}
        why = self.check_auth("GET", path, headers, b"")
        if why:
            self.refused.append(why)
            return 401, {"error": {"message": why, "type": "NotAuthorizedException", "code": 401}}
        self.loads += 1
        return 200, {"metadata-location": self.metadata_location, "metadata": {}}

    def check_auth(self, method, path, headers, data):
        auth = headers.get("Authorization")
        if self.mode == "oauth2":
            m = re.match(r"Bearer (\S+)$", auth or "")
            if not m or m.group(1) not in self.tokens:
                return "unknown token"
            if self.tokens[m.group(1)] < time.time():
                return "expired token"
            return None
        if self.mode == "bearer":
            return None if auth == "Bearer static-t0ken" else "wrong bearer token"
        # sigv4 / glue: botocore recomputes the signature
        expected = botocore_signature(method, self.base + path, headers, data,
                                      "s3tables" if self.mode == "sigv4" else "glue",
                                      "us-west-2" if self.mode == "sigv4" else "eu-west-1",
                                      SESSION if self.mode == "sigv4" else None)
        self.signatures += 1
        if headers.get("Authorization") != expected:
            self.failures.append("signature differs from botocore's: %s vs %s" % (auth, expected))
            return "bad signature"
        return None

    # -- AWS Glue GetTable (JSON 1.1) --
    def glue(self, path, headers, data):
        if path != "/" or headers.get("X-Amz-Target") != "AWSGlue.GetTable" or \
                headers.get("Content-Type") != "application/x-amz-json-1.1":
            self.failures.append("not a GetTable call: %s %r" % (path, headers.get("X-Amz-Target")))
            return 400, {"__type": "InvalidInputException"}
        why = self.check_auth("POST", path, headers, data)
        if why:
            self.refused.append(why)
            return 403, {"__type": "com.amazonaws.glue#AccessDeniedException"}
        req = json.loads(data)
        if req.get("CatalogId") != "111122223333":
            self.failures.append("CatalogId %r" % req.get("CatalogId"))
        if (req.get("DatabaseName"), req.get("Name")) == ("db", "events"):
            self.loads += 1
            return 200, {"Table": {"Name": "events", "DatabaseName": "db", "TableType": "EXTERNAL_TABLE",
                                   "Parameters": {"table_type": "ICEBERG",
                                                  "metadata_location": self.metadata_location}}}
        if (req.get("DatabaseName"), req.get("Name")) == ("db", "plain"):
            return 200, {"Table": {"Name": "plain", "Parameters": {"classification": "parquet"}}}
        return 400, {"__type": "EntityNotFoundException", "Message": "Table not found"}


def make_table(lakeshare_bin, tmp_path):
    table = str(tmp_path / "events")
    run(lakeshare_bin, "generate-iceberg", "--dir", table, "--files", "12", "--snapshots", "2")
    return table, iceberg_meta.IcebergTable(table)


def serve(lakeshare_bin, tmp_path, tables, catalogs, env=None):
    config = {
        "version": 1, "host": "127.0.0.1", "port": 0, "endpoint": "/delta-sharing",
        "shares": [{"name": "cat", "schemas": [{"name": "s", "tables": tables}]}],
        "recipients": [{"name": "r", "token": TOKEN, "shares": ["cat"]}],
        "icebergCatalogs": catalogs,
    }
    return launch_server(lakeshare_bin, config, str(tmp_path / "conf"), name="catalogs", env=env)


def assert_serves(client, oracle, table="events"):
    assert client.table_version("cat", "s", table) == 2
    for v in (1, 2):
        q = client.query("cat", "s", table, body={"version": v})
        expect.assert_same_files(q.files, oracle.snapshot(v), "%s@%d" % (table, v))
    assert expect.download_bytes(q.files[0]["url"])[:4] == b"PAR1"


def logs_of(server):
    return server.stderr_text(limit=10 ** 8) + "".join(server.stdout_lines)


def test_rest_catalog_oauth2_client_credentials(lakeshare_bin, tmp_path):
    table, oracle = make_table(lakeshare_bin, tmp_path)
    cat = FakeCatalog("oauth2", "file://" + iceberg_meta.current_metadata_file(table))
    try:
        server = serve(lakeshare_bin, tmp_path, [
            {"name": "events", "location": cat.base + "/iceberg" + TABLE_PATH, "format": "iceberg", "historyShared": True},
        ], [{"name": "polaris", "uri": cat.base + "/iceberg", "auth": "oauth2",
             "clientId": "lakeshare-client", "clientSecret": "client-s3cret",
             "scope": "PRINCIPAL_ROLE:ALL"}])
        try:
            client = StrictClient(server.endpoint_url, TOKEN, server)
            assert_serves(client, oracle)
            with cat.lock:
                # One grant, its token on every LoadTable (cached, not asked again).
                assert len(cat.grants) == 1 and cat.loads >= 3 and cat.refused == []
                assert cat.grants[0]["grant_type"] == "client_credentials"
                # The catalog revokes every token; from now on tokens live 4 s.
                cat.tokens.clear()
                cat.ttl = 4
            assert client.table_version("cat", "s", "events") == 2
            with cat.lock:
                # A 401, one new grant, the call sent once more.
                assert cat.refused == ["unknown token"] and len(cat.grants) == 2
            time.sleep(5)  # the 4 s token has expired
            assert client.table_version("cat", "s", "events") == 2
            with cat.lock:
                # Fetched again before use: the catalog never saw the expired token.
                assert cat.refused == ["unknown token"] and len(cat.grants) == 3
                assert cat.failures == []
        finally:
            server.stop_and_check()
        logs = logs_of(server)
        assert "client-s3cret" not in logs and not re.search(r"access-\d+-[0-9a-f]{8}", logs)
        assert "icebergCatalogs: polaris: rest catalog" in logs and "oauth2" in logs
    finally:
        cat.close()


def test_rest_catalog_oauth2_refused_credentials(lakeshare_bin, tmp_path):
    table, _ = make_table(lakeshare_bin, tmp_path)
    cat = FakeCatalog("oauth2", "file://" + iceberg_meta.current_metadata_file(table))
    try:
        server = serve(lakeshare_bin, tmp_path, [
            {"name": "events", "location": cat.base + "/iceberg" + TABLE_PATH, "format": "iceberg", "historyShared": True},
        ], [{"name": "polaris", "uri": cat.base + "/iceberg", "auth": "oauth2",
             "clientId": "lakeshare-client", "clientSecret": "wrong-s3cret",
             "scope": "PRINCIPAL_ROLE:ALL"}])
        try:
            client = StrictClient(server.endpoint_url, TOKEN, server)
            resp = client.raw("GET", client.table_path("cat", "s", "events") + "/version", allow_5xx=True)
            assert resp.status_code == 503, resp.text
            assert "wrong-s3cret" not in resp.text
            # The OAuth2 error code says why; the secret never appears.
            assert "invalid_client" in resp.json()["message"], resp.text
            assert cat.loads == 0 and cat.failures == []
        finally:
            server.stop_and_check()
        assert "wrong-s3cret" not in logs_of(server)
    finally:
        cat.close()


def test_rest_catalog_static_bearer_token(lakeshare_bin, tmp_path):
    table, oracle = make_table(lakeshare_bin, tmp_path)
    cat = FakeCatalog("bearer", "file://" + iceberg_meta.current_metadata_file(table))
    try:
        server = serve(lakeshare_bin, tmp_path, [
            {"name": "events", "location": cat.base + "/iceberg" + TABLE_PATH, "format": "iceberg", "historyShared": True},
        ], [{"name": "unity", "uri": cat.base + "/iceberg/", "auth": "bearer", "token": "static-t0ken"}])
        try:
            client = StrictClient(server.endpoint_url, TOKEN, server)
            assert_serves(client, oracle)
            assert cat.refused == [] and cat.loads >= 3 and cat.failures == []
        finally:
            server.stop_and_check()
        assert "static-t0ken" not in logs_of(server)
    finally:
        cat.close()


def test_rest_catalog_sigv4_checked_by_botocore(lakeshare_bin, tmp_path):
    """S3 Tables' Iceberg REST endpoint style: SigV4 for service s3tables,
    keys and session token from the config."""
    table, oracle = make_table(lakeshare_bin, tmp_path)
    cat = FakeCatalog("sigv4", "file://" + iceberg_meta.current_metadata_file(table))
    try:
        server = serve(lakeshare_bin, tmp_path, [
            {"name": "events", "location": cat.base + "/iceberg" + TABLE_PATH, "format": "iceberg", "historyShared": True},
        ], [{"name": "s3tables", "uri": cat.base + "/iceberg", "auth": "sigv4",
             "signingName": "s3tables", "region": "us-west-2", "accessKeyId": AK,
             "secretAccessKey": SK, "sessionToken": SESSION}])
        try:
            client = StrictClient(server.endpoint_url, TOKEN, server)
            assert_serves(client, oracle)
            assert cat.refused == [] and cat.failures == []
            assert cat.signatures >= 3
        finally:
            server.stop_and_check()
        logs = logs_of(server)
        assert SK not in logs and SESSION not in logs
    finally:
        cat.close()


def test_glue_catalog_get_table(lakeshare_bin, tmp_path):
    """AWS Glue's own API: GetTable -> Parameters.metadata_location, signed
    with SigV4 (service glue), keys and region from the AWS environment."""
    table, oracle = make_table(lakeshare_bin, tmp_path)
    cat = FakeCatalog("glue", "file://" + iceberg_meta.current_metadata_file(table))
    env = dict(os.environ, AWS_ACCESS_KEY_ID=AK, AWS_SECRET_ACCESS_KEY=SK, AWS_REGION="eu-west-1")
    env.pop("AWS_SESSION_TOKEN", None)
    try:
        server = serve(lakeshare_bin, tmp_path, [
            {"name": "events", "location": "glue://prod/db/events", "format": "iceberg", "historyShared": True},
            {"name": "missing", "location": "glue://prod/db/missing", "format": "iceberg", "historyShared": True},
            {"name": "plain", "location": "glue://prod/db/plain", "format": "iceberg", "historyShared": True},
            {"name": "nocatalog", "location": "glue://nope/db/events", "format": "iceberg", "historyShared": True},
        ], [{"name": "prod", "type": "glue", "uri": cat.base, "catalogId": "111122223333"}], env=env)
        try:
            client = StrictClient(server.endpoint_url, TOKEN, server)
            assert_serves(client, oracle)
            assert cat.refused == [] and cat.failures == [] and cat.signatures >= 3
            err = client.parse_error(client.query_raw("cat", "s", "missing"), 404, "RESOURCE_DOES_NOT_EXIST")
            assert "unavailable" in err.message, err.message
            for name in ("plain", "nocatalog"):
                resp = client.raw("GET", client.table_path("cat", "s", name) + "/version", allow_5xx=True)
                assert 400 <= resp.status_code < 600 and resp.status_code != 500, (name, resp.status_code)
        finally:
            server.stop_and_check()
        logs = logs_of(server)
        assert SK not in logs
        assert "not an Iceberg table" in logs and "nope" in logs
    finally:
        cat.close()


# ---------------------------------------------------------------------------
# Connections kept in the catalog database (admin API, CLI), not the config
# ---------------------------------------------------------------------------

DB_SECRETS = ("db-s3cret-first-0a1b", "db-s3cret-second-2c3d", "db-s3cret-third-4e5f",
              "db-bearer-t0ken-6a7b")


def grant_secrets(cat):
    with cat.lock:
        return [g.get("client_secret") for g in cat.grants]


def test_catalog_connections_in_the_catalog_database(lakeshare_bin, tmp_path, request):
    """A connection made through the admin API serves a table at once; the
    answers, the server log and the audit log never hold its secret; an
    update rotates it (the catalog sees the new one), one that leaves it out
    keeps it; one made by another process (`lakeshare admin --config`, as
    another replica would) applies within the refresh interval; a connection
    a table uses cannot be removed."""
    from catalog_db import ADMIN_PASSWORD, ADMIN_USER, DbServer, new_catalog_db, run_cli

    table, oracle = make_table(lakeshare_bin, tmp_path)
    cat = FakeCatalog("oauth2", "file://" + iceberg_meta.current_metadata_file(table))
    cat.client_secret = DB_SECRETS[0]
    workdir = str(tmp_path / "db")
    os.makedirs(workdir)
    db = new_catalog_db("sqlite", workdir, request)
    server = DbServer(lakeshare_bin, db, workdir, name="catalogs_db", icebergCatalogs=[
        {"name": "fromfile", "uri": "http://127.0.0.1:9/file", "auth": "bearer", "token": "file-t0ken"}])
    server.start()
    try:
        ops = server.admin()
        answers = []

        def ok(method, path, body=None, status=None):
            r = ops.call(method, path, body)
            answers.append(r.text)
            assert r.status_code in ((status,) if status else (200, 201, 204)), (method, path, r.text)
            return r.json() if r.content else None

        uri = cat.base + "/iceberg"
        created = ok("POST", "/iceberg-catalogs", {
            "name": "polaris", "uri": uri,
            "auth": {"kind": "oauth2", "clientId": "lakeshare-client", "clientSecret": DB_SECRETS[0],
                     "scope": "PRINCIPAL_ROLE:ALL"}}, status=201)
        assert created["name"] == "polaris" and created["type"] == "rest" and created["uri"] == uri
        assert created["auth"] == {"kind": "oauth2", "clientId": "lakeshare-client",
                                   "scope": "PRINCIPAL_ROLE:ALL", "tokenSet": False,
                                   "clientSecretSet": True, "secretAccessKeySet": False,
                                   "sessionTokenSet": False}
        assert created["version"] == 1 and created["createdAt"] > 0
        # The config's names and REST uris are taken; the config's rules apply.
        r = ops.call("POST", "/iceberg-catalogs", {"name": "FromFile", "uri": "http://127.0.0.1:9/other"})
        assert r.status_code == 409 and "config" in r.json()["message"], r.text
        r = ops.call("POST", "/iceberg-catalogs", {"name": "again", "uri": uri + "/"})
        assert r.status_code == 409 and "uri" in r.json()["message"], r.text
        r = ops.call("POST", "/iceberg-catalogs", {"name": "x", "uri": uri + "2", "auth": {"kind": "oauth2"}})
        assert r.status_code == 400 and "clientId" in r.json()["message"], r.text
        r = ops.call("POST", "/iceberg-catalogs", {"name": "x", "type": "glue", "auth": {"kind": "bearer"}})
        assert r.status_code == 400, r.text
        r = ops.call("POST", "/iceberg-catalogs", {"name": "x", "uri": uri + "2", "auth": {"kind": "bearer",
                                                                                         "tokne": "t"}})
        assert r.status_code == 400 and "tokne" in r.json()["message"], r.text

        # A table under its uri is checked and served through it at once.
        ok("POST", "/shares", {"name": "cat"}, status=201)
        ok("POST", "/shares/cat/schemas/s/tables", {"name": "events", "location": uri + TABLE_PATH,
                                                    "format": "iceberg", "historyShared": True}, status=201)
        rcp = ok("POST", "/recipients", {"name": "r", "shares": ["cat"], "token": {}}, status=201)
        client = StrictClient(server.endpoint_url, rcp["profile"]["bearerToken"], server.proc)
        assert_serves(client, oracle)
        assert set(grant_secrets(cat)) == {DB_SECRETS[0]} and cat.refused == [] and cat.failures == []

        listed = ok("GET", "/iceberg-catalogs")["items"]
        assert [c["name"] for c in listed] == ["polaris"]
        assert ok("GET", "/iceberg-catalogs/POLARIS")["auth"]["clientSecretSet"] is True

        # Rotation: the catalog takes only the new secret from now on.
        with cat.lock:
            cat.client_secret = DB_SECRETS[1]
            cat.tokens.clear()
        rotated = ok("PATCH", "/iceberg-catalogs/polaris", {"auth": {"clientSecret": DB_SECRETS[1]}})
        assert rotated["version"] == 2 and rotated["auth"]["clientSecretSet"] is True
        assert client.table_version("cat", "s", "events") == 2
        assert grant_secrets(cat)[-1] == DB_SECRETS[1] and cat.refused == []
        # An update that leaves the secret out keeps it (and the cached token).
        grants = len(grant_secrets(cat))
        kept = ok("PATCH", "/iceberg-catalogs/polaris", {"uri": uri, "version": 2})
        assert kept["version"] == 3 and kept["auth"]["clientSecretSet"] is True
        assert client.table_version("cat", "s", "events") == 2
        assert len(grant_secrets(cat)) == grants and cat.refused == []
        stale = ops.call("PATCH", "/iceberg-catalogs/polaris", {"uri": uri, "version": 2})
        assert stale.status_code == 400, stale.text

        # Another process writes the database directly: applied within the refresh.
        secret_file = tmp_path / "secret.txt"
        secret_file.write_text(DB_SECRETS[2] + "\n")
        with cat.lock:
            cat.client_secret = DB_SECRETS[2]
        out = run_cli(lakeshare_bin, ["admin", "--config", server.config_path, "--json", "iceberg-catalog",
                                      "update", "polaris", "--client-secret-file", str(secret_file)])
        assert out.returncode == 0, out.stderr
        assert DB_SECRETS[2] not in out.stdout + out.stderr
        assert json.loads(out.stdout)["version"] == 4
        deadline = time.time() + 15
        while grant_secrets(cat)[-1] != DB_SECRETS[2]:
            assert time.time() < deadline, "the server never used the rotated secret"
            with cat.lock:
                cat.tokens.clear()  # the old secret's token stops working
            client.raw("GET", client.table_path("cat", "s", "events") + "/version", allow_5xx=True)
            time.sleep(0.5)
        assert client.table_version("cat", "s", "events") == 2

        # The CLI over HTTP: a bearer connection with its token from stdin.
        admin = ["admin", "--url", server.base_url, "-u", ADMIN_USER]
        env = {"LAKESHARE_ADMIN_PASSWORD": ADMIN_PASSWORD}
        out = run_cli(lakeshare_bin, admin + ["--json", "iceberg-catalog", "add", "unity", "--uri",
                                              "http://127.0.0.1:9/unity", "--auth", "bearer", "--token-file", "-"],
                      stdin=DB_SECRETS[3] + "\n", env=env)
        assert out.returncode == 0, out.stderr
        assert json.loads(out.stdout)["auth"]["tokenSet"] is True and DB_SECRETS[3] not in out.stdout
        out = run_cli(lakeshare_bin, admin + ["iceberg-catalog", "list"], env=env)
        assert out.returncode == 0 and "unity" in out.stdout and "polaris" in out.stdout, out.stderr
        out = run_cli(lakeshare_bin, admin + ["iceberg-catalog", "get", "unity"], env=env)
        assert out.returncode == 0 and DB_SECRETS[3] not in out.stdout, out.stderr
        out = run_cli(lakeshare_bin, admin + ["iceberg-catalog", "add", "bad", "--token", "x"], env=env)
        assert out.returncode != 0  # no secret on the command line
        out = run_cli(lakeshare_bin, admin + ["iceberg-catalog", "remove", "unity"], env=env)
        assert out.returncode == 0 and "removed Iceberg catalog unity" in out.stdout, out.stderr

        # Removing a connection a table uses is refused, naming the table.
        r = ops.call("DELETE", "/iceberg-catalogs/polaris")
        assert r.status_code == 400 and "cat.s.events" in r.json()["message"], r.text
        ok("DELETE", "/shares/cat/schemas/s/tables/events", status=204)
        ok("DELETE", "/iceberg-catalogs/polaris", status=204)
        assert ops.call("GET", "/iceberg-catalogs/polaris").status_code == 404
        assert ok("GET", "/iceberg-catalogs")["items"] == []

        # The secrets are in the database (the server must send them), and
        # nowhere else: not in an answer, nor in the audit log.
        answers.append(ops.call("GET", "/openapi.json").text)
        for text in answers:
            for secret in DB_SECRETS:
                assert secret not in text
        audit = db.query("SELECT action, object, outcome, detail FROM audit_log")
        actions = [row[0] for row in audit]
        for action in ("createIcebergCatalog", "updateIcebergCatalog", "deleteIcebergCatalog",
                       "getIcebergCatalog", "listIcebergCatalogs"):
            assert action in actions, action
        assert ["createIcebergCatalog", "icebergCatalog:polaris", "ok"] in [row[:3] for row in audit]
        flat = json.dumps(audit)
        for secret in DB_SECRETS:
            assert secret not in flat
        assert cat.failures == []
    finally:
        proc = server.proc
        server.stop()
        cat.close()
    logs = logs_of(proc)
    assert "icebergCatalogs: polaris: rest catalog" in logs
    for secret in DB_SECRETS + ("file-t0ken",):
        assert secret not in logs


def test_glue_connection_in_the_catalog_database_and_import_config(lakeshare_bin, tmp_path, request):
    """A Glue connection with its own SigV4 keys, made through the admin API,
    serves glue:// tables (signatures checked by botocore); its secret key is
    in no answer and no log. import-config copies a config file's entries
    (secrets included) into the database, idempotently."""
    from catalog_db import DbServer, new_catalog_db, run_cli, write_config

    table, oracle = make_table(lakeshare_bin, tmp_path)
    cat = FakeCatalog("glue", "file://" + iceberg_meta.current_metadata_file(table))
    workdir = str(tmp_path / "db")
    os.makedirs(workdir)
    db = new_catalog_db("sqlite", workdir, request)
    server = DbServer(lakeshare_bin, db, workdir, name="glue_db")
    server.start()
    try:
        ops = server.admin()
        r = ops.call("POST", "/iceberg-catalogs", {
            "name": "prod", "type": "glue", "uri": cat.base, "catalogId": "111122223333",
            "auth": {"region": "eu-west-1", "accessKeyId": AK, "secretAccessKey": SK}})
        assert r.status_code == 201, r.text
        answers = [r.text]
        assert r.json()["auth"]["kind"] == "sigv4" and r.json()["auth"]["secretAccessKeySet"] is True
        ops.ok("POST", "/shares", {"name": "cat"}, status=201)
        ops.ok("POST", "/shares/cat/schemas/s/tables", {"name": "events", "location": "glue://prod/db/events",
                                                        "format": "iceberg", "historyShared": True}, status=201)
        r = ops.call("POST", "/shares/cat/schemas/s/tables", {"name": "nope", "location": "glue://nope/db/events",
                                                              "format": "iceberg"})
        assert r.status_code == 400 and "nope" in r.json()["message"], r.text
        rcp = ops.ok("POST", "/recipients", {"name": "r", "shares": ["cat"], "token": {}}, status=201)
        client = StrictClient(server.endpoint_url, rcp["profile"]["bearerToken"], server.proc)
        assert_serves(client, oracle)
        assert cat.refused == [] and cat.failures == [] and cat.signatures >= 3
        r = ops.call("DELETE", "/iceberg-catalogs/prod")
        assert r.status_code == 400 and "cat.s.events" in r.json()["message"], r.text
        answers.append(ops.call("GET", "/iceberg-catalogs").text)

        # import-config: the file's entries become the database's (by name).
        cfg = dict(server.config, icebergCatalogs=[
            {"name": "unity", "uri": "http://127.0.0.1:9/unity", "auth": "bearer", "token": "imported-t0ken"}])
        path = write_config(workdir, cfg, "import.yaml")
        for expected in (1, 0):
            out = run_cli(lakeshare_bin, ["import-config", "--config", path])
            assert out.returncode == 0, out.stderr
            assert json.loads(out.stdout.strip().splitlines()[-1])["icebergCatalogsCreated"] == expected
            assert "imported-t0ken" not in out.stdout + out.stderr
        unity = ops.ok("GET", "/iceberg-catalogs/unity")
        answers.append(json.dumps(unity))
        assert unity["auth"] == {"kind": "bearer", "tokenSet": True, "clientSecretSet": False,
                                 "secretAccessKeySet": False, "sessionTokenSet": False}
        assert db.query("SELECT token FROM iceberg_catalogs WHERE name = 'unity'") == [["imported-t0ken"]]
        for text in answers:
            assert SK not in text and "imported-t0ken" not in text
    finally:
        proc = server.proc
        server.stop()
        cat.close()
    logs = logs_of(proc)
    assert SK not in logs and "imported-t0ken" not in logs
