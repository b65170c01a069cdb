"""OAuth recipients (profile format version 2) on SQLite and PostgreSQL: an
admin creates an OAuth client for a recipient (the answer is an
oauth_client_credentials profile) and registers public keys (each answer an
oauth_jwt_bearer_private_key_jwt profile); a small client that behaves like
the Delta Sharing clients' v2 providers gets access tokens from
{endpoint}/oauth/token (client secret by HTTP Basic, or a private-key JWT
assertion signed with RS256 or ES256) and lists and queries a table with
them. Refused: wrong secrets, expired, wrong-audience, wrong-signature,
replayed and alg-confused assertions, revoked clients; the token endpoint's
errors are RFC 6749 §5.2 JSON."""
import base64
import hashlib
import hmac
import json
import os
import time
import uuid

import jwt
import pytest
import requests
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa

import harness
from catalog_db import BACKENDS, DbServer, new_catalog_db

SIMPLE = os.path.join(harness.DELTA_ROOT, "simple_table")
JWT_BEARER = "urn:ietf:params:oauth:grant-type:jwt-bearer"


def new_key(kind):
    if kind == "RS256":
        return rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return ec.generate_private_key(ec.SECP256R1())


def public_pem(key):
    return key.public_key().public_bytes(serialization.Encoding.PEM,
                                         serialization.PublicFormat.SubjectPublicKeyInfo).decode()


def private_pem(key):
    return key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                             serialization.NoEncryption())


class V2Client:
    """What a Delta Sharing client does with a version 2 profile: exchange the
    profile's credentials at its token endpoint for an access token (RFC 6749
    §5.1 answer), then send that as the bearer token."""

    def __init__(self, profile, workdir=None):
        assert profile["shareCredentialsVersion"] == 2
        self.profile = profile
        self.workdir = workdir
        self.access_token = None

    def token_request(self, **claims_override):
        p = self.profile
        headers = {"accept": "application/json", "content-type": "application/x-www-form-urlencoded"}
        if p["type"] == "oauth_client_credentials":
            basic = base64.b64encode(("%s:%s" % (p["clientId"], p["clientSecret"])).encode()).decode()
            headers["authorization"] = "Basic " + basic
            return requests.post(p["tokenEndpoint"], headers=headers, data="grant_type=client_credentials",
                                 timeout=30)
        assert p["type"] == "oauth_jwt_bearer_private_key_jwt"
        auth = p["auth"]
        key = auth["privateKey"]
        with open(key["privateKeyFile"], "rb") as f:
            pem = f.read()
        now = int(time.time())
        claims = {"aud": auth["issuer"], "iss": auth["clientId"], "iat": now, "exp": now + 120,
                  "jti": str(uuid.uuid4()), "resource": auth["audience"]}
        claims.update(claims_override)
        assertion = jwt.encode(claims, pem, algorithm=key["algorithm"], headers={"kid": key["keyId"]})
        return requests.post(auth["tokenEndpoint"], headers=headers,
                             data={"grant_type": JWT_BEARER, "assertion": assertion}, timeout=30)

    def login(self):
        r = self.token_request()
        assert r.status_code == 200, r.text
        body = r.json()
        assert body["token_type"] == "Bearer"
        assert 0 < int(body["expires_in"]) <= 3600
        assert r.headers["Cache-Control"] == "no-store"
        self.access_token = body["access_token"]
        return self

    def get(self, path):
        return requests.get(self.profile["endpoint"] + path, timeout=30,
                            headers={"Authorization": "Bearer " + self.access_token})

    def post(self, path, body):
        return requests.post(self.profile["endpoint"] + path, json=body, timeout=30,
                             headers={"Authorization": "Bearer " + self.access_token})


class World:
    pass


@pytest.fixture(scope="module", params=BACKENDS)
def world(request, lakeshare_bin, tmp_path_factory):
    workdir = str(tmp_path_factory.mktemp("oauth_" + request.param))
    db = new_catalog_db(request.param, workdir, request)
    # These tests make dozens of token requests in a second from one address: the
    # per-address limit of the token endpoint (test_federation.py tests it) is off.
    server = DbServer(lakeshare_bin, db, workdir, name="oauth_" + request.param,
                      tokenEndpointRateLimit={"requestsPerSecond": 0, "burst": 1}).start()
    ops = server.admin()
    ops.ok("POST", "/shares", {"name": "s"}, status=201)
    ops.ok("POST", "/shares/s/schemas", {"name": "d"}, status=201)
    ops.ok("POST", "/shares/s/schemas/d/tables", {"name": "t", "location": SIMPLE}, status=201)
    ops.ok("POST", "/recipients", {"name": "r"}, status=201)
    ops.ok("PUT", "/recipients/r/grants/s")
    w = World()
    w.server, w.ops, w.db, w.workdir = server, ops, db, workdir
    yield w
    server.stop()


def key_profile(w, client_id, kind, key_id):
    key = new_key(kind)
    profile = w.ops.ok("POST", "/recipients/r/oauth-clients/%s/keys" % client_id,
                       {"publicKey": public_pem(key), "keyId": key_id}, status=201)
    path = os.path.join(w.workdir, "%s-%s.pem" % (client_id, key_id))
    with open(path, "wb") as f:
        f.write(private_pem(key))
    profile["auth"]["privateKey"]["privateKeyFile"] = path
    return profile, key


def b64url(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def hs256_with(secret, claims):
    """An HS256 JWT keyed with `secret` (PyJWT refuses a PEM key as an HMAC
    secret, which is the attack)."""
    signing_input = b64url(b'{"alg":"HS256","kid":"k1"}') + "." + b64url(json.dumps(claims).encode())
    mac = hmac.new(secret.encode(), signing_input.encode(), hashlib.sha256).digest()
    return signing_input + "." + b64url(mac)


def assert_oauth_error(r, status, error):
    assert r.status_code == status, r.text
    assert r.headers["Content-Type"].startswith("application/json")
    body = r.json()
    assert body["error"] == error, body
    assert isinstance(body["error_description"], str)


def list_and_query(client):
    r = client.get("/shares")
    assert r.status_code == 200, r.text
    assert [s["name"] for s in r.json()["items"]] == ["s"]
    r = client.post("/shares/s/schemas/d/tables/t/query", {})
    assert r.status_code == 200, r.text
    lines = [json.loads(line) for line in r.text.splitlines() if line.strip()]
    assert any("file" in line for line in lines)
    return lines


def test_client_credentials_profile_lists_and_queries(world):
    profile = world.ops.ok("POST", "/recipients/r/oauth-clients", {}, status=201)
    assert profile["type"] == "oauth_client_credentials"
    assert profile["endpoint"] == world.server.endpoint_url
    assert profile["tokenEndpoint"] == world.server.endpoint_url + "/oauth/token"
    client = V2Client(profile).login()
    list_and_query(client)
    # The secret is never listed, only the client.
    listed = world.ops.ok("GET", "/recipients/r/oauth-clients")["items"]
    assert profile["clientId"] in [c["clientId"] for c in listed]
    assert profile["clientSecret"] not in json.dumps(listed)
    # Access tokens are not the recipient's own tokens.
    assert world.ops.ok("GET", "/recipients/r/tokens")["items"] == []
    # Secret in the body instead of Basic.
    r = requests.post(profile["tokenEndpoint"], timeout=30, data={
        "grant_type": "client_credentials", "client_id": profile["clientId"],
        "client_secret": profile["clientSecret"]})
    assert r.status_code == 200, r.text
    # The sharing request is audited under the recipient.
    time.sleep(1.5)
    audit = world.ops.ok("GET", "/audit?actor=r")
    actions = [e["action"] for e in audit["items"]]
    assert "listShares" in actions and "oauthToken" in actions, actions


def test_client_credentials_refusals(world):
    profile = world.ops.ok("POST", "/recipients/r/oauth-clients", {}, status=201)
    url = profile["tokenEndpoint"]
    bad = dict(profile, clientSecret="wrong")
    assert_oauth_error(V2Client(bad).token_request(), 401, "invalid_client")
    unknown = dict(profile, clientId="nobody")
    assert_oauth_error(V2Client(unknown).token_request(), 401, "invalid_client")
    assert_oauth_error(requests.post(url, data={"grant_type": "client_credentials"}, timeout=30),
                       401, "invalid_client")
    assert_oauth_error(requests.post(url, data={"grant_type": "password"}, timeout=30),
                       400, "unsupported_grant_type")
    assert_oauth_error(requests.post(url, data={}, timeout=30), 400, "invalid_request")
    assert_oauth_error(requests.post(url, json={"grant_type": "client_credentials"}, timeout=30),
                       400, "invalid_request")
    assert_oauth_error(requests.post(url, data="grant_type=a&grant_type=b", timeout=30,
                                     headers={"content-type": "application/x-www-form-urlencoded"}),
                       400, "invalid_request")
    assert_oauth_error(requests.post(url, data={"x": "y" * 20000}, timeout=30), 400, "invalid_request")
    r = requests.get(url, timeout=30)
    assert r.status_code == 405 and r.headers["Allow"] == "POST"
    # Revoked: no new tokens, and the ones issued stop working.
    client = V2Client(profile).login()
    assert client.get("/shares").status_code == 200
    world.ops.ok("DELETE", "/recipients/r/oauth-clients/" + profile["clientId"], status=204)
    assert client.get("/shares").status_code == 401
    assert_oauth_error(V2Client(profile).token_request(), 401, "invalid_client")


@pytest.mark.parametrize("alg", ["RS256", "ES256"])
def test_private_key_jwt_profile_lists_and_queries(world, alg):
    created = world.ops.ok("POST", "/recipients/r/oauth-clients", {}, status=201)
    profile, _ = key_profile(world, created["clientId"], alg, "k-" + alg)
    assert profile["type"] == "oauth_jwt_bearer_private_key_jwt"
    assert profile["auth"]["issuer"] == world.server.endpoint_url + "/oauth/token"
    assert profile["auth"]["privateKey"]["algorithm"] == alg
    list_and_query(V2Client(profile).login())
    keys = [c for c in world.ops.ok("GET", "/recipients/r/oauth-clients")["items"]
            if c["clientId"] == created["clientId"]][0]["keys"]
    assert [(k["keyId"], k["algorithm"]) for k in keys] == [("k-" + alg, alg)]


def test_private_key_jwt_refusals(world):
    created = world.ops.ok("POST", "/recipients/r/oauth-clients", {}, status=201)
    profile, key = key_profile(world, created["clientId"], "ES256", "k1")
    client = V2Client(profile)
    now = int(time.time())
    assert_oauth_error(client.token_request(iat=now - 600, exp=now - 300), 400, "invalid_grant")
    assert_oauth_error(client.token_request(aud="https://elsewhere.example/oauth/token"), 400, "invalid_grant")
    assert_oauth_error(client.token_request(exp=now + 86400), 400, "invalid_grant")  # lives too long
    assert_oauth_error(client.token_request(iss="someone-else"), 400, "invalid_grant")
    # Replay: the same jti twice.
    jti = str(uuid.uuid4())
    assert client.token_request(jti=jti).status_code == 200
    assert_oauth_error(client.token_request(jti=jti), 400, "invalid_grant")
    # Signed by another key under the registered kid.
    other_path = os.path.join(world.workdir, "other.pem")
    with open(other_path, "wb") as f:
        f.write(private_pem(new_key("ES256")))
    forged = json.loads(json.dumps(profile))
    forged["auth"]["privateKey"]["privateKeyFile"] = other_path
    assert_oauth_error(V2Client(forged).token_request(), 400, "invalid_grant")
    # HS256 with the public key as the HMAC secret; alg none.
    url = profile["auth"]["tokenEndpoint"]
    claims = {"aud": url, "iss": created["clientId"], "exp": now + 60, "jti": str(uuid.uuid4())}
    for assertion in (hs256_with(public_pem(key), claims), jwt.encode(claims, None, algorithm="none")):
        assert_oauth_error(requests.post(url, data={"grant_type": JWT_BEARER, "assertion": assertion},
                                         timeout=30), 400, "invalid_grant")
    # Garbage and oversize assertions.
    assert_oauth_error(requests.post(url, data={"grant_type": JWT_BEARER, "assertion": "a.b.c"}, timeout=30),
                       400, "invalid_grant")
    assert_oauth_error(requests.post(url, data={"grant_type": JWT_BEARER, "assertion": "a" * 9000}, timeout=30),
                       400, "invalid_request")
    # An unknown kid, then the key removed.
    unknown = json.loads(json.dumps(profile))
    unknown["auth"]["privateKey"]["keyId"] = "k9"
    assert_oauth_error(V2Client(unknown).token_request(), 400, "invalid_grant")
    world.ops.ok("DELETE", "/recipients/r/oauth-clients/%s/keys/k1" % created["clientId"], status=204)
    assert_oauth_error(client.token_request(), 400, "invalid_grant")


def test_admin_refuses_bad_keys(world):
    created = world.ops.ok("POST", "/recipients/r/oauth-clients", {}, status=201)
    path = "/recipients/r/oauth-clients/%s/keys" % created["clientId"]
    r = world.ops.call("POST", path, {"publicKey": "not a key"})
    assert r.status_code == 400, r.text
    weak = rsa.generate_private_key(public_exponent=65537, key_size=1024)
    r = world.ops.call("POST", path, {"publicKey": public_pem(weak)})
    assert r.status_code == 400 and "2048" in r.text, r.text
    r = world.ops.call("POST", "/recipients/r/oauth-clients/nope/keys", {"publicKey": public_pem(new_key("ES256"))})
    assert r.status_code == 404, r.text
