"""Authentication and per-recipient authorisation.

- 401 UNAUTHENTICATED (JSON error + WWW-Authenticate) for a missing, wrong,
  malformed or expired token on every endpoint, before any 404.
- Recipients see only their granted shares; an ungranted share/schema/table
  answers exactly like a missing one (same status, same errorCode, message
  equal once the name is swapped).
- tokenHash recipients, "*" grants, the reference-style admin token.
"""

import json

import pytest

import harness

TABLE = ("share1", "default", "simple")

ENDPOINTS = [
    ("GET", "/shares", None),
    ("GET", "/shares/share1", None),
    ("GET", "/shares/share1/schemas", None),
    ("GET", "/shares/share1/schemas/default/tables", None),
    ("GET", "/shares/share1/all-tables", None),
    ("GET", "/shares/share1/schemas/default/tables/simple/version", None),
    ("GET", "/shares/share1/schemas/default/tables/simple/metadata", None),
    ("POST", "/shares/share1/schemas/default/tables/simple/query", "{}"),
    # objects that do not exist: still 401 first, never 404
    ("GET", "/shares/nosuch/schemas", None),
    ("GET", "/shares/nosuch/schemas/x/tables/y/metadata", None),
]

BAD_AUTH = {
    "missing": None,
    "wrong-token": "Bearer tok-wrong",
    "expired-recipient": "Bearer tok-carol",
    "basic-scheme": "Basic dG9rLWFkbWluOg==",
    "empty-bearer": "Bearer ",
    "token-prefix": "Bearer tok-admi",
    "token-suffix": "Bearer tok-admin2",
    "token-as-scheme": "tok-admin",
    "hash-not-token": None,  # filled in below: bob's hash sent as a token must not work
}


def _expect_401(client, resp):
    err = client.parse_error(resp, 401, "UNAUTHENTICATED")
    assert resp.headers.get("WWW-Authenticate"), "401 must carry a WWW-Authenticate header"
    assert "tok-" not in err.message, "the error must not echo tokens"
    return err


@pytest.mark.parametrize("method,path,body", ENDPOINTS, ids=[e[0] + " " + e[1] for e in ENDPOINTS])
@pytest.mark.parametrize("case", sorted(BAD_AUTH))
def test_unauthenticated(main, method, path, body, case):
    import hashlib
    c = main.anonymous
    if case == "hash-not-token":
        header = "Bearer " + hashlib.sha256(b"tok-bob").hexdigest()
    else:
        header = BAD_AUTH[case]
    headers = {"Content-Type": "application/json"}
    if header is not None:
        headers["Authorization"] = header
    resp = c.raw(method, path, headers=headers, token=None, data=body)
    _expect_401(c, resp)


def test_expired_recipient_cannot_list(main):
    _expect_401(main.carol, main.carol.raw("GET", "/shares"))


def test_token_hash_recipient(main):
    bob = main.bob
    assert [s["name"] for s in bob.walk(bob.list_shares)] == ["secret"]
    q = bob.query("secret", "hidden", "stuff")
    assert len(q.files) == 2
    assert bob.table_version("secret", "hidden", "stuff") == 0


def test_star_recipient_reads_everything(main):
    d = main.dave
    assert d.query("secret", "hidden", "stuff").files
    assert d.query("share3", "s3", "t").files


def _swap(msg, a, b):
    return msg.replace(a, b)


# (ungranted request, equivalent request for a missing object, the differing name)
HIDDEN_PAIRS = [
    ("/shares/secret", "/shares/nosuch", "secret", "nosuch"),
    ("/shares/secret/schemas", "/shares/nosuch/schemas", "secret", "nosuch"),
    ("/shares/secret/all-tables", "/shares/nosuch/all-tables", "secret", "nosuch"),
    ("/shares/secret/schemas/hidden/tables", "/shares/nosuch/schemas/hidden/tables", "secret", "nosuch"),
    ("/shares/secret/schemas/hidden/tables/stuff/version", "/shares/nosuch/schemas/hidden/tables/stuff/version",
     "secret", "nosuch"),
    ("/shares/secret/schemas/hidden/tables/stuff/metadata", "/shares/nosuch/schemas/hidden/tables/stuff/metadata",
     "secret", "nosuch"),
    ("/shares/share3/schemas/s3/tables/t/metadata", "/shares/share9/schemas/s3/tables/t/metadata",
     "share3", "share9"),
]


@pytest.mark.parametrize("hidden,missing,name,other", HIDDEN_PAIRS, ids=[p[0] for p in HIDDEN_PAIRS])
def test_ungranted_is_indistinguishable_from_missing(main, hidden, missing, name, other):
    a = main.alice
    h = a.parse_error(a.raw("GET", hidden), 404, "RESOURCE_DOES_NOT_EXIST")
    m = a.parse_error(a.raw("GET", missing), 404, "RESOURCE_DOES_NOT_EXIST")
    assert _swap(h.message, name, other) == m.message, \
        "ungranted and missing differ: %r vs %r" % (h.message, m.message)
    assert h.resp.headers.get("Content-Type") == m.resp.headers.get("Content-Type")
    # and the owner of the share does see it
    if "secret" in hidden:
        assert main.bob.raw("GET", hidden).status_code == 200


def test_ungranted_query_is_indistinguishable(main):
    a = main.alice
    h = a.parse_error(a.query_raw("secret", "hidden", "stuff", body={}), 404, "RESOURCE_DOES_NOT_EXIST")
    m = a.parse_error(a.query_raw("nosuch", "hidden", "stuff", body={}), 404, "RESOURCE_DOES_NOT_EXIST")
    assert _swap(h.message, "secret", "nosuch") == m.message
    # a granted share's missing table vs. an ungranted share's existing table: both 404
    a.parse_error(a.query_raw("share1", "default", "nosuch", body={}), 404, "RESOURCE_DOES_NOT_EXIST")


def test_recipient_without_grants(main):
    e = main.eve
    assert e.walk(e.list_shares) == []
    e.parse_error(e.raw("GET", "/shares/share1/schemas"), 404, "RESOURCE_DOES_NOT_EXIST")
    e.parse_error(e.query_raw(*TABLE, body={}), 404, "RESOURCE_DOES_NOT_EXIST")


def test_bob_cannot_see_share1(main):
    b = main.bob
    b.parse_error(b.raw("GET", "/shares/share1"), 404, "RESOURCE_DOES_NOT_EXIST")
    b.parse_error(b.metadata_raw(*TABLE), 404, "RESOURCE_DOES_NOT_EXIST")
    b.parse_error(b.raw("GET", "/shares/SHARE1/all-tables"), 404, "RESOURCE_DOES_NOT_EXIST")


def test_admin_token_sees_all(main):
    a = main.admin
    assert a.query("secret", "hidden", "stuff").files
    assert a.query(*TABLE).files


def test_auth_scheme_case_and_whitespace(main):
    """'Bearer' is matched case-insensitively (RFC 7235)."""
    c = main.anonymous
    resp = c.raw("GET", "/shares", headers={"Authorization": "bearer tok-alice"}, token=None)
    assert resp.status_code in (200, 401)
    if resp.status_code == 200:
        assert {i["name"] for i in json.loads(resp.content)["items"]} == {"share1", "share2", "all"}


def _raw_request(url, head, timeout=10):
    """Sends `head` (request line and headers, no body) on a raw socket;
    returns (seconds to the answer's first bytes, the status line, whether the
    server then closed the connection)."""
    import socket
    import time
    import urllib.parse
    u = urllib.parse.urlsplit(url)
    with socket.create_connection((u.hostname, u.port), timeout=timeout) as s:
        t0 = time.monotonic()
        s.sendall(head.encode())
        data = b""
        while b"\r\n\r\n" not in data:
            chunk = s.recv(65536)
            if not chunk:
                break
            data += chunk
        took = time.monotonic() - t0
        closed = False
        try:
            while True:
                chunk = s.recv(65536)
                if not chunk:
                    closed = True
                    break
        except socket.timeout:
            pass
        return took, data.split(b"\r\n", 1)[0].decode(), closed


@pytest.mark.parametrize("auth", [None, "Bearer tok-wrong"])
def test_unauthenticated_body_is_never_read(main, auth):
    """A request without a valid token is answered 401 from its headers: the
    server does not wait for (or hold) the body it announced, and closes."""
    import socket
    import urllib.parse
    endpoint = main.server.endpoint_url
    path = urllib.parse.urlsplit(endpoint).path + "/shares/share1/schemas/default/tables/simple/query"
    head = ("POST %s HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
            "Content-Length: 50000\r\n%s\r\n") % (path, "" if auth is None else "Authorization: %s\r\n" % auth)
    took, status, closed = _raw_request(endpoint, head, timeout=10)
    assert status.startswith("HTTP/1.1 401"), status
    assert took < 5, took  # not the read timeout waiting for 50 000 bytes
    assert closed, "the connection must close: the body was never read"
    # A valid token: the server waits for the body (no answer before it).
    u = urllib.parse.urlsplit(endpoint)
    with socket.create_connection((u.hostname, u.port), timeout=10) as s:
        s.sendall(("POST %s HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                   "Content-Length: 2\r\nAuthorization: Bearer %s\r\n\r\n" % (path, harness.ADMIN_TOKEN)).encode())
        s.settimeout(1)
        with pytest.raises(socket.timeout):
            s.recv(100)
        s.settimeout(10)
        s.sendall(b"{}")
        assert s.recv(100).startswith(b"HTTP/1.1 200")
