"""The server-signed file URLs.

- exact bytes, Content-Length, Accept-Ranges; no Authorization needed;
- Range requests: 206 + Content-Range + exact bytes, 416 when unsatisfiable;
- any change to the signature, a query parameter, a path segment, or a
  removed parameter → 403; '..' tricks never reach a file outside;
- expiry (a server with preSignedUrlTimeoutSeconds: 2) → 403;
- URL base from publicUrl, or else from the request's Host header;
- parallel downloads.
"""

import concurrent.futures
import os
import urllib.parse
import re
import time

import pytest
import requests

import expect
import harness
from conftest import launch_server
from strict_client import StrictClient


def split_url(url):
    """-> (netloc, raw path, raw query) without any decoding."""
    m = re.match(r"^https?://([^/?#]+)([^?#]*)(?:\?([^#]*))?$", url)
    assert m, url
    return m.group(1), m.group(2), m.group(3) or ""


def mutate_char(s):
    """Changes one alphanumeric character near the middle of s."""
    idx = [i for i, ch in enumerate(s) if ch.isalnum()]
    if not idx:
        return s + "x"
    i = idx[len(idx) // 2]
    ch = s[i]
    new = "0" if ch != "0" else "1"
    if ch.isalpha():
        new = "a" if ch.lower() != "a" else "b"
        if ch.isupper():
            new = new.upper()
    return s[:i] + new + s[i + 1:]


def get_raw(client, path_and_query, headers=None):
    return client.raw_http("GET", path_and_query, headers=headers, token=None)


@pytest.fixture(scope="module")
def covid(main):
    coords = ("share1", "extra", "covid")
    q = main.alice.query(*coords)
    snap = main.table(*coords).delta.snapshot()
    f = max(q.files, key=lambda f: f["size"])
    cand = expect.candidates(f, snap)
    assert len(cand) == 1
    with open(cand[0].local_path, "rb") as fh:
        data = fh.read()
    return f, data


def test_download_share1_tables(main):
    with requests.Session() as s:
        for t in main.tables:
            if t.share != "share1" or t.name == "dv":
                continue
            snap = t.delta.snapshot()
            q = main.alice.query(*t.coords)
            checked = sum(bool(expect.download_and_compare(f, snap, s, repr(t))) for f in q.files)
            assert checked == len([e for e in snap.files if e.exists()])


def test_download_headers_and_no_auth(main, covid):
    f, data = covid
    r = requests.get(f["url"], timeout=30)  # no Authorization header at all
    assert r.status_code == 200
    assert r.content == data
    assert r.headers.get("Content-Length") == str(len(data))
    assert r.headers.get("Accept-Ranges") == "bytes"
    # The URL does not name the file; the download does (RFC 6266/8187).
    name = os.path.basename(expect.candidates(f, main.table("share1", "extra", "covid").delta.snapshot())[0].local_path)
    assert name not in f["url"]
    assert r.headers.get("Content-Disposition") == "attachment; filename*=UTF-8''" + urllib.parse.quote(name, safe="")


@pytest.mark.parametrize("spec,start,end", [
    ("bytes=0-9", 0, 9),
    ("bytes=100-", 100, None),
    ("bytes=-5", -5, None),
    ("bytes=0-0", 0, 0),
    ("LAST10+100", None, None),
    ("bytes=LAST-LAST", None, None),
])
def test_range_requests(main, covid, spec, start, end):
    f, data = covid
    size = len(data)
    if spec == "LAST10+100":
        spec, lo, hi = "bytes=%d-%d" % (size - 10, size + 100), size - 10, size - 1
    elif spec == "bytes=LAST-LAST":
        spec, lo, hi = "bytes=%d-%d" % (size - 1, size - 1), size - 1, size - 1
    elif start < 0:
        lo, hi = size + start, size - 1
    else:
        lo, hi = start, (size - 1 if end is None else end)
    r = requests.get(f["url"], headers={"Range": spec}, timeout=30)
    assert r.status_code == 206, "%s -> %d" % (spec, r.status_code)
    assert r.headers.get("Content-Range") == "bytes %d-%d/%d" % (lo, hi, size), r.headers.get("Content-Range")
    assert r.content == data[lo:hi + 1]
    assert r.headers.get("Content-Length") == str(hi - lo + 1)


@pytest.mark.parametrize("spec", ["bytes=SIZE-", "bytes=SIZE5-SIZE10"])
def test_unsatisfiable_range(main, covid, spec):
    f, data = covid
    size = len(data)
    spec = spec.replace("SIZE5", str(size + 5)).replace("SIZE10", str(size + 10)).replace("SIZE", str(size))
    r = requests.get(f["url"], headers={"Range": spec}, timeout=30)
    assert r.status_code == 416, "%s -> %d" % (spec, r.status_code)


@pytest.mark.parametrize("spec", ["bytes=abc", "bytes=10-5", "pages=1-2"])
def test_invalid_range_is_ignored_or_refused(main, covid, spec):
    f, data = covid
    r = requests.get(f["url"], headers={"Range": spec}, timeout=30)
    assert r.status_code in (200, 416, 400), "%s -> %d" % (spec, r.status_code)
    if r.status_code == 200:
        assert r.content == data


def test_tampered_urls_are_403(main):
    c = main.alice
    q = c.query("share1", "default", "simple")
    a, b = q.files[0], q.files[1]
    netloc, path, query = split_url(a["url"])
    assert netloc == c.netloc
    assert path.startswith(c.prefix + "/files/"), path
    assert query, "a signed URL needs its query string"

    status, _, body = get_raw(c, path + "?" + query)
    assert status == 200, "the genuine URL must work via a raw request"
    assert len(body) == a["size"]

    tried = []
    params = query.split("&")
    for i, p in enumerate(params):
        k, _, v = p.partition("=")
        # changed value
        changed = params[:i] + ["%s=%s" % (k, mutate_char(v))] + params[i + 1:]
        tried.append(("changed param %s" % k, path + "?" + "&".join(changed)))
        # removed parameter
        removed = params[:i] + params[i + 1:]
        tried.append(("removed param %s" % k, path + ("?" + "&".join(removed) if removed else "")))
    # changed path segments (everything after /files/)
    head = c.prefix + "/files/"
    segs = path[len(head):].split("/")
    for i, s in enumerate(segs):
        new = segs[:i] + [mutate_char(s)] + segs[i + 1:]
        tried.append(("changed path segment %d" % i, head + "/".join(new) + "?" + query))
    tried.append(("appended segment", path + "/x?" + query))
    tried.append(("no query", path))
    # another file's signature
    _, path_b, query_b = split_url(b["url"])
    tried.append(("path of A, query of B", path + "?" + query_b))
    tried.append(("path of B, query of A", path_b + "?" + query))

    bad = []
    for what, pq in tried:
        status, _, body = get_raw(c, pq)
        if status != 403:
            bad.append("%s: GET %s -> %d" % (what, pq, status))
    assert not bad, "tampered URLs must be 403:\n  " + "\n  ".join(bad)


def test_dot_dot_never_escapes(main):
    c = main.alice
    q = c.query("share1", "default", "simple")
    _, path, query = split_url(q.files[0]["url"])
    head = c.prefix + "/files/"
    segs = path[len(head):].split("/")
    attempts = [
        head + "../../../../../../etc/passwd",
        head + "..%2f..%2f..%2f..%2f..%2f..%2fetc%2fpasswd",
        head + "%2e%2e/%2e%2e/%2e%2e/%2e%2e/%2e%2e/etc/passwd",
        head + "%2E%2E%2F%2E%2E%2F%2E%2E%2F%2E%2E%2Fetc%2Fpasswd",
        head + "%2Fetc%2Fpasswd?" + query,
        path + "/../../../../../../../etc/passwd?" + query,
        path + "/..%2f..%2f..%2f..%2f..%2fetc%2fpasswd?" + query,
        head + "/".join(segs[:-1] + ["..", "..", "..", "..", "etc", "passwd"]) + "?" + query,
        head + "/".join(segs[:-1] + ["..", "_delta_log", "00000000000000000000.json"]) + "?" + query,
        head + "/".join(segs[:-1] + ["%2e%2e", "_delta_log", "00000000000000000000.json"]) + "?" + query,
    ]
    for pq in attempts:
        status, _, body = get_raw(c, pq)
        assert status in (400, 403, 404), "GET %s -> %d" % (pq, status)
        assert b"root:" not in body and b"commitInfo" not in body


def test_urls_follow_host_header(main):
    c = main.alice
    host = "files.example.test:9999"
    resp = c.query_raw("share1", "default", "simple", body={}, headers={"Host": host})
    q = c.parse_query(resp)
    for f in q.files:
        assert f["url"].startswith("http://%s%s/files/" % (host, c.prefix)), f["url"]
    # the URL works when the request reaches the server with that Host
    _, path, query = split_url(q.files[0]["url"])
    status, _, body = c.raw_http("GET", path + "?" + query, headers={"Host": host}, token=None)
    assert status == 200 and len(body) == q.files[0]["size"]


def test_parallel_downloads_and_queries(main):
    c = main.alice
    q = c.query("share1", "extra", "prims")
    snap = main.table("share1", "extra", "prims").delta.snapshot()

    def dl(f):
        with requests.Session() as s:
            return expect.download_and_compare(f, snap, s, "parallel")

    def query(_):
        return len(StrictClient(c.endpoint_url, "tok-alice").query("share1", "extra", "prims").files)

    with concurrent.futures.ThreadPoolExecutor(16) as ex:
        futs = [ex.submit(dl, f) for f in q.files] + [ex.submit(query, i) for i in range(16)]
        results = [fu.result(timeout=60) for fu in futs]
    assert all(results)


# ---------------------------------------------------------------------------
# A server with 2-second URLs and a publicUrl
# ---------------------------------------------------------------------------

PUBLIC = "http://lakeshare.example.test:8443"


@pytest.fixture(scope="module")
def short_ttl(lakeshare_bin, tmp_path_factory):
    workdir = str(tmp_path_factory.mktemp("ttl"))
    config = {
        "version": 1, "host": "127.0.0.1", "port": 0, "endpoint": "/share-prefix",
        "preSignedUrlTimeoutSeconds": 2,
        "publicUrl": PUBLIC,
        "recipients": [{"name": "r", "token": "tok-r", "shares": ["s"]}],
        "shares": [{"name": "s", "schemas": [{"name": "d", "tables": [
            {"name": "t", "location": os.path.join(harness.DELTA_ROOT, "simple_table")}]}]}],
    }
    server = launch_server(lakeshare_bin, config, workdir, name="ttl")
    yield server, StrictClient(server.endpoint_url, "tok-r", server)
    server.stop_and_check()


def test_endpoint_prefix_and_public_url(short_ttl):
    server, c = short_ttl
    assert server.endpoint_url.endswith("/share-prefix")
    q = c.query("s", "d", "t")
    for f in q.files:
        assert f["url"].startswith(PUBLIC + "/share-prefix/files/"), f["url"]
    # the default prefix is not served
    r = requests.get(server.base_url + "/delta-sharing/shares", headers={"Authorization": "Bearer tok-r"}, timeout=10)
    assert r.status_code == 404


def test_urls_expire(short_ttl):
    server, c = short_ttl
    t0 = time.time()
    q = c.query("s", "d", "t")
    for f in q.files:
        exp = f["expirationTimestamp"] / 1000.0
        assert t0 + 1.0 <= exp <= time.time() + 2.5, "expirationTimestamp should be about now + 2 s"
    host = PUBLIC.split("://")[1]
    _, path, query = split_url(q.files[0]["url"])
    status, _, body = c.raw_http("GET", path + "?" + query, headers={"Host": host}, token=None)
    assert status == 200 and len(body) == q.files[0]["size"]
    deadline = max(f["expirationTimestamp"] for f in q.files) / 1000.0 + 1.0
    time.sleep(max(0.0, deadline - time.time()))
    for f in q.files:
        _, path, query = split_url(f["url"])
        status, _, body = c.raw_http("GET", path + "?" + query, headers={"Host": host}, token=None)
        assert status == 403, "expired URL -> %d" % status
    # a new query signs fresh URLs
    q2 = c.query("s", "d", "t")
    _, path, query = split_url(q2.files[0]["url"])
    status, _, _ = c.raw_http("GET", path + "?" + query, headers={"Host": host}, token=None)
    assert status == 200
