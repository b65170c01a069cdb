"""Identity federation (issue 14, OAuth recipients): JWT access tokens issued
by an external identity provider, whose keys this test serves as a JWKS from
a Python http.server, are accepted as the bearer tokens of the recipient
their claim names, on YAML and SQLite catalogs. Key rotation (an unknown kid
refetches the JWKS, an old kid that left it is refused); every refusal
(expired, not yet valid, wrong audience, unknown issuer, unknown recipient,
bad signature, algorithm confusion, HS256 keyed with the public key, "none")
is a 401 JSON error; a flood of unknown kids does not make the server hit
the provider more than once per refetch interval; SIGHUP adds federation to
a running server. Also the per-address limit of {endpoint}/oauth/token and
the 429 counters of /metrics."""
import base64
import hashlib
import hmac
import json
import math
import os
import signal
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import jwt
import pytest
import requests
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from jwt.algorithms import ECAlgorithm, RSAAlgorithm

import harness
from catalog_db import DbServer
from conftest import launch_server

SIMPLE = os.path.join(harness.DELTA_ROOT, "simple_table")
ISSUER = "https://idp.example.test/"
AUDIENCE = "lakeshare-e2e"
REFETCH_SECONDS = 2


class FakeIdp:
    """A JWKS endpoint on 127.0.0.1 whose keys the test rotates; counts hits."""

    def __init__(self):
        self.keys = {}  # kid -> private key
        self.published = []  # kids in the JWKS
        self.hits = 0
        self.lock = threading.Lock()
        idp = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):  # noqa: N802 - http.server's name
                with idp.lock:
                    idp.hits += 1
                    body = json.dumps({"keys": [idp.jwk(k) for k in idp.published]}).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Cache-Control", "public, max-age=300")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()
        self.url = "http://127.0.0.1:%d/jwks" % self.server.server_address[1]

    def add(self, kid, kind="RS256", publish=True):
        key = rsa.generate_private_key(public_exponent=65537, key_size=2048) if kind == "RS256" \
            else ec.generate_private_key(ec.SECP256R1())
        with self.lock:
            self.keys[kid] = (key, kind)
            if publish:
                self.published.append(kid)
        return key

    def unpublish(self, kid):
        with self.lock:
            self.published.remove(kid)

    def jwk(self, kid):
        key, kind = self.keys[kid]
        algo = RSAAlgorithm if kind == "RS256" else ECAlgorithm
        d = json.loads(algo.to_jwk(key.public_key()))
        d.update({"kid": kid, "use": "sig", "alg": kind})
        return d

    def token(self, kid, sub="fed", **override):
        key, kind = self.keys[kid]
        now = int(time.time())
        claims = {"iss": ISSUER, "aud": AUDIENCE, "sub": sub, "iat": now, "exp": now + 300,
                  "jti": str(uuid.uuid4())}
        claims.update(override)
        claims = {k: v for k, v in claims.items() if v is not None}
        return jwt.encode(claims, key, algorithm=kind, headers={"kid": kid})

    def stop(self):
        self.server.shutdown()
        self.server.server_close()


def federation(idp, **extra):
    entry = {"issuer": ISSUER, "jwksUrl": idp.url, "audience": AUDIENCE,
             "jwksRefetchSeconds": REFETCH_SECONDS}
    entry.update(extra)
    return [entry]


def yaml_config(idp=None, **extra):
    cfg = {"version": 1, "host": "127.0.0.1", "port": 0, "endpoint": "/delta-sharing",
           "shares": [{"name": "s", "schemas": [{"name": "d", "tables": [
               {"name": "t", "location": SIMPLE}]}]}],
           "recipients": [{"name": "fed", "token": "tok-fed-static", "shares": ["s"]},
                          {"name": "other", "token": "tok-other", "shares": []}]}
    if idp is not None:
        cfg["federation"] = federation(idp)
    cfg.update(extra)
    return cfg


def get(endpoint, path, token):
    return requests.get(endpoint + path, headers={"Authorization": "Bearer " + token}, timeout=30)


def query(endpoint, token):
    return requests.post(endpoint + "/shares/s/schemas/d/tables/t/query", json={}, timeout=30,
                         headers={"Authorization": "Bearer " + token})


def assert_401(r):
    assert r.status_code == 401, r.text
    assert r.headers["Content-Type"].startswith("application/json")
    body = r.json()
    assert body["errorCode"] == "UNAUTHENTICATED", body
    assert isinstance(body["message"], str)


def b64url(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def wait_for(predicate, timeout=10.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.05)
    return predicate()


@pytest.fixture(scope="module")
def idp():
    p = FakeIdp()
    p.add("k1")
    p.add("e1", kind="ES256")
    yield p
    p.stop()


@pytest.fixture(scope="module")
def yaml_server(lakeshare_bin, idp, tmp_path_factory):
    server = launch_server(lakeshare_bin, yaml_config(idp), str(tmp_path_factory.mktemp("fed_yaml")),
                           name="fed_yaml")
    yield server
    server.stop_and_check()


def test_list_and_query_with_a_federated_token_on_yaml(yaml_server, idp):
    for kid in ("k1", "e1"):
        token = idp.token(kid)
        r = get(yaml_server.endpoint_url, "/shares", token)
        assert r.status_code == 200, r.text
        assert [s["name"] for s in r.json()["items"]] == ["s"]
        q = query(yaml_server.endpoint_url, token)
        assert q.status_code == 200, q.text
        lines = q.text.splitlines()
        assert json.loads(lines[0])["protocol"]["minReaderVersion"] >= 1
        assert sum(1 for line in lines if "file" in json.loads(line)) == 5
    # The recipient's grants hold: "other" sees no share.
    r = get(yaml_server.endpoint_url, "/shares", idp.token("k1", sub="other"))
    assert r.status_code == 200 and r.json()["items"] == []
    # The static token keeps working beside it.
    assert get(yaml_server.endpoint_url, "/shares", "tok-fed-static").status_code == 200


def test_every_refusal_is_a_401_json_error(yaml_server, idp):
    ep = yaml_server.endpoint_url
    now = int(time.time())
    assert_401(get(ep, "/shares", idp.token("k1", exp=now - 600)))                 # expired
    assert_401(get(ep, "/shares", idp.token("k1", nbf=now + 600)))                 # not yet valid
    assert_401(get(ep, "/shares", idp.token("k1", aud="someone-else")))            # wrong audience
    assert_401(get(ep, "/shares", idp.token("k1", iss="https://evil.example/")))   # unknown issuer
    assert_401(get(ep, "/shares", idp.token("k1", sub="nobody")))                  # unknown recipient
    assert_401(get(ep, "/shares", idp.token("k1", exp=None)))                      # no expiry
    # Signed by a key the provider does not publish, under a published kid.
    rogue = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    claims = {"iss": ISSUER, "aud": AUDIENCE, "sub": "fed", "exp": now + 300}
    assert_401(get(ep, "/shares", jwt.encode(claims, rogue, algorithm="RS256", headers={"kid": "k1"})))
    # A tampered payload under a genuine signature.
    h, p, s = idp.token("k1").split(".")
    forged = json.loads(base64.urlsafe_b64decode(p + "==="))
    forged["sub"] = "other"
    assert_401(get(ep, "/shares", h + "." + b64url(json.dumps(forged).encode()) + "." + s))
    # Algorithm confusion: an ES256 signature presented under the RSA key's kid.
    es_key = idp.keys["e1"][0]
    assert_401(get(ep, "/shares", jwt.encode(claims, es_key, algorithm="ES256", headers={"kid": "k1"})))
    # HS256 keyed with the provider's public key (PyJWT refuses to make it).
    pem = idp.keys["k1"][0].public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    signing_input = b64url(b'{"alg":"HS256","kid":"k1"}') + "." + b64url(json.dumps(claims).encode())
    mac = hmac.new(pem, signing_input.encode(), hashlib.sha256).digest()
    assert_401(get(ep, "/shares", signing_input + "." + b64url(mac)))
    # "none".
    assert_401(get(ep, "/shares", b64url(b'{"alg":"none"}') + "." + b64url(json.dumps(claims).encode()) + "."))
    # The head check refuses a POST /query the same way, before its body.
    assert_401(query(ep, idp.token("k1", aud="someone-else")))


def test_key_rotation(yaml_server, idp):
    ep = yaml_server.endpoint_url
    assert get(ep, "/shares", idp.token("k1")).status_code == 200
    idp.add("k2")
    idp.unpublish("k1")
    time.sleep(REFETCH_SECONDS + 0.5)  # past the refetch interval
    # The new kid is unknown to the cache: one refetch, then accepted.
    r = get(ep, "/shares", idp.token("k2"))
    assert r.status_code == 200, r.text
    # The old kid left the JWKS that refetch brought: refused.
    assert_401(get(ep, "/shares", idp.token("k1")))
    idp.published.append("k1")  # for the other tests


def test_a_flood_of_unknown_kids_does_not_hammer_the_provider(yaml_server, idp):
    ep = yaml_server.endpoint_url
    # k1 is back in the JWKS (after the rotation test): known after the next allowed refetch.
    assert wait_for(lambda: get(ep, "/shares", idp.token("k1")).status_code == 200,
                    timeout=3 * REFETCH_SECONDS)
    idp.add("unpublished", publish=False)
    before = idp.hits
    start = time.monotonic()
    s = requests.Session()
    n = 0
    while time.monotonic() - start < 3:
        token = idp.token("unpublished")  # a valid-looking token under a random kid
        header = b64url(json.dumps({"alg": "RS256", "kid": uuid.uuid4().hex}).encode())
        r = s.get(ep + "/shares", headers={"Authorization": "Bearer " + header + token[token.index("."):]},
                  timeout=30)
        assert_401(r)
        n += 1
    elapsed = time.monotonic() - start
    fetched = idp.hits - before
    assert n > 20
    assert fetched <= math.ceil(elapsed / REFETCH_SECONDS) + 1, (fetched, n, elapsed)


def test_on_sqlite_with_audit_origin(lakeshare_bin, idp, tmp_path):
    class Db:
        url = "sqlite:" + os.path.join(str(tmp_path), "catalog.db")

    srv = DbServer(lakeshare_bin, Db, str(tmp_path), name="fed_db", federation=federation(idp)).start()
    try:
        ops = srv.admin()
        ops.ok("POST", "/shares", {"name": "s"}, status=201)
        ops.ok("POST", "/shares/s/schemas", {"name": "d"}, status=201)
        ops.ok("POST", "/shares/s/schemas/d/tables", {"name": "t", "location": SIMPLE}, status=201)
        ops.ok("POST", "/recipients", {"name": "fed"}, status=201)
        ops.ok("PUT", "/recipients/fed/grants/s")
        token = idp.token("k1")
        r = get(srv.endpoint_url, "/shares", token)
        assert r.status_code == 200 and [s["name"] for s in r.json()["items"]] == ["s"], r.text
        q = query(srv.endpoint_url, token)
        assert q.status_code == 200, q.text
        assert_401(get(srv.endpoint_url, "/shares", idp.token("k1", sub="nobody")))

        def entry():
            items = ops.ok("GET", "/audit", params={"action": "queryTable"})["items"]
            return items[0] if items else None

        assert wait_for(lambda: entry() is not None)
        e = entry()
        assert e["actor"] == "fed"
        assert "via federation issuer=%s subject=fed" % ISSUER in e["detail"], e
        assert token not in json.dumps(e)
        # The recipient's IP allow-list applies to federated tokens too.
        ops.ok("PATCH", "/recipients/fed", {"ipAllowlist": ["10.9.8.0/24"]})
        r = get(srv.endpoint_url, "/shares", token)
        assert r.status_code == 403, r.text
    finally:
        srv.stop()


def test_sighup_adds_federation(lakeshare_bin, idp, tmp_path):
    server = launch_server(lakeshare_bin, yaml_config(), str(tmp_path), name="fed_reload")
    try:
        token = idp.token("k1")
        assert_401(get(server.endpoint_url, "/shares", token))
        server.config = yaml_config(idp)
        server.write_config()
        server.proc.send_signal(signal.SIGHUP)
        assert wait_for(lambda: get(server.endpoint_url, "/shares", token).status_code == 200)
        with open(server.stderr_path, errors="replace") as f:
            assert "config: federation: issuers [] -> [%s]" % ISSUER in f.read()
    finally:
        server.stop_and_check()


def test_plain_http_jwks_of_a_remote_host_is_refused_at_start(lakeshare_bin, tmp_path):
    cfg = yaml_config()
    cfg["federation"] = [{"issuer": ISSUER, "jwksUrl": "http://idp.example.test/jwks", "audience": "a"}]
    rc, out = harness.ServerProcess(lakeshare_bin, cfg, str(tmp_path), name="fed_http").run_expecting_failure()
    assert rc != 0
    assert "https" in out, out


def metric(base_url, name, scope):
    text = requests.get(base_url + "/metrics", timeout=30).text
    for line in text.splitlines():
        if line.startswith('%s{scope="%s"}' % (name, scope)):
            return float(line.split()[-1])
    raise AssertionError("no %s{scope=%s} in /metrics:\n%s" % (name, scope, text[-2000:]))


def test_token_endpoint_is_limited_per_address_and_counted(lakeshare_bin, tmp_path):
    class Db:
        url = "sqlite:" + os.path.join(str(tmp_path), "catalog.db")

    srv = DbServer(lakeshare_bin, Db, str(tmp_path), name="token_limit",
                   tokenEndpointRateLimit={"requestsPerSecond": 0.2, "burst": 3},
                   rateLimit={"requestsPerSecond": 0.2, "burst": 2}).start()
    try:
        name = "lakeshare_rate_limited_requests_total"
        assert metric(srv.base_url, name, "token_endpoint") == 0
        url = srv.endpoint_url + "/oauth/token"
        form = {"grant_type": "client_credentials", "client_id": "nope", "client_secret": "nope"}
        for _ in range(3):
            r = requests.post(url, data=form, timeout=30)
            assert r.status_code == 401, r.text
        r = requests.post(url, data=form, timeout=30)
        assert r.status_code == 429, r.text
        assert int(r.headers["Retry-After"]) >= 1
        assert r.json()["error"] == "slow_down" and r.json()["error_description"]
        assert metric(srv.base_url, name, "token_endpoint") == 1
        # The recipients' own limit is counted apart.
        ops = srv.admin()
        ops.ok("POST", "/recipients", {"name": "r"}, status=201)
        tok = ops.ok("POST", "/recipients/r/tokens", {}, status=201)["bearerToken"]
        codes = [get(srv.endpoint_url, "/shares", tok).status_code for _ in range(4)]
        assert codes[:2] == [200, 200] and 429 in codes, codes
        assert metric(srv.base_url, name, "recipient") == codes.count(429)
        assert metric(srv.base_url, name, "token_endpoint") == 1
    finally:
        srv.stop()
