"""Hostile clients against the real binary (issue 18): what an unauthenticated
client can make the server hold is bounded and answered with a JSON 4xx/503,
request framing cannot be used to smuggle a second request, the Host header
never reaches a signed URL unchecked, and every answer carries the security
headers. bench/attack_probe.py replays the same attacks with figures."""

import json
import os
import re
import socket
import time

import pytest
import requests

import harness
from conftest import launch_server
from strict_client import StrictClient

TOKEN = "tok-hostile"
AUTH = b"Authorization: Bearer " + TOKEN.encode() + b"\r\n"
QUERY = b"/delta-sharing/shares/s/schemas/d/tables/t/query"


def config(**extra):
    cfg = {
        "version": 1, "host": "127.0.0.1", "port": 0, "endpoint": "/delta-sharing",
        "authorization": {"bearerToken": TOKEN},
        "shares": [{"name": "s", "schemas": [{"name": "d", "tables": [
            {"name": "t", "location": os.path.join(harness.DELTA_ROOT, "simple_table")}]}]}],
        "maxRequestBodyBytes": 4096,
        "maxPendingRequestBodyBytes": 8192,
        "maxConnections": 40,
    }
    cfg.update(extra)
    return cfg


@pytest.fixture(scope="module")
def server(lakeshare_bin, tmp_path_factory):
    s = launch_server(lakeshare_bin, config(), str(tmp_path_factory.mktemp("hostile")), name="hostile")
    yield s
    s.stop_and_check()


def address(server):
    host, port = StrictClient(server.endpoint_url, TOKEN, server).netloc.split(":")
    return host, int(port)


def connect(server, timeout=10):
    return socket.create_connection(address(server), timeout=timeout)


def read_all(sock, limit=1 << 20):
    out = b""
    try:
        while len(out) < limit:
            b = sock.recv(65536)
            if not b:
                break
            out += b
    except OSError:
        pass
    return out


def status_of(data):
    assert data.startswith(b"HTTP/1.1 "), data[:200]
    return int(data.split(b" ", 2)[1])


def json_body(data):
    head, _, body = data.partition(b"\r\n\r\n")
    return head, json.loads(body.decode("utf-8"))  # strict: the body must be UTF-8


def rss_mb(server):
    with open("/proc/%d/status" % server.proc.pid) as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


def stream(sock, data, limit):
    """Sends `data` repeatedly (up to `limit` bytes) until the server stops reading."""
    sent = 0
    sock.settimeout(2)
    try:
        while sent < limit:
            sock.sendall(data)
            sent += len(data)
    except OSError:
        pass
    sock.settimeout(5)
    return sent


def shares_ok(server):
    r = requests.get(server.endpoint_url + "/shares", headers={"Authorization": "Bearer " + TOKEN}, timeout=10)
    return r.status_code == 200


@pytest.mark.parametrize("coding,status", [("xchunked", 400), ("gzip", 400), ("chunked, identity", 400),
                                           ("gzip, chunked", 501)])
def test_no_request_smuggling(server, coding, status):
    s = connect(server)
    s.sendall(b"POST /delta-sharing/shares HTTP/1.1\r\nHost: x\r\n" + AUTH +
              b"Transfer-Encoding: " + coding.encode() + b"\r\n\r\n"
              b"GET /delta-sharing/shares HTTP/1.1\r\nHost: x\r\n" + AUTH + b"\r\n")
    data = read_all(s)
    s.close()
    assert status_of(data) == status
    assert data.count(b"HTTP/1.1 ") == 1, "the body was parsed as a second request: %r" % data
    head, body = json_body(data)
    assert b"Connection: close" in head
    assert "chunked" in body["message"] or "coding" in body["message"], body


def test_content_length_with_transfer_encoding_is_refused(server):
    s = connect(server)
    s.sendall(b"POST " + QUERY + b" HTTP/1.1\r\nHost: x\r\n" + AUTH +
              b"Content-Length: 2\r\nTransfer-Encoding: chunked\r\n\r\n{}"
              b"GET /delta-sharing/shares HTTP/1.1\r\nHost: x\r\n" + AUTH + b"\r\n")
    data = read_all(s)
    s.close()
    assert status_of(data) == 400 and data.count(b"HTTP/1.1 ") == 1


def test_host_header_required_and_validated(server):
    for request in (b"GET /delta-sharing/shares HTTP/1.1\r\n" + AUTH + b"\r\n",
                    b"GET /delta-sharing/shares HTTP/1.1\r\nHost: a\r\nHost: b\r\n" + AUTH + b"\r\n",
                    b"POST " + QUERY + b" HTTP/1.1\r\nHost: evil.example/x?\r\n" + AUTH +
                    b"Content-Length: 2\r\n\r\n{}"):
        s = connect(server)
        s.sendall(request)
        data = read_all(s)
        s.close()
        assert status_of(data) == 400, data[:300]
        assert b"evil.example" not in data
    # A valid Host is the base of the signed URLs when there is no publicUrl.
    c = StrictClient(server.endpoint_url, TOKEN, server)
    resp = c.query_raw("s", "d", "t", body={}, headers={"Host": "sharing.example:8443"})
    assert resp.status_code == 200
    urls = [json.loads(line)["file"]["url"] for line in resp.text.splitlines() if '"file"' in line]
    assert urls and all(u.startswith("http://sharing.example:8443/delta-sharing/") for u in urls), urls[:2]


def test_chunk_extension_and_trailer_bombs_are_bounded(server):
    before = rss_mb(server)
    # With a valid token: without one the answer is a 401 before any body byte
    # is read (test_auth), which would not reach the chunk parser.
    bombs = [(b"POST " + QUERY + b" HTTP/1.1\r\nHost: x\r\n" + AUTH + b"Transfer-Encoding: chunked\r\n\r\n2;e=",
              b"e" * 65536),
             (b"POST " + QUERY + b" HTTP/1.1\r\nHost: x\r\n" + AUTH +
              b"Transfer-Encoding: chunked\r\n\r\n2\r\n{}\r\n0\r\n", b"X-T: v\r\n" * 4096)]
    for head, filler in bombs:
        s = connect(server)
        s.sendall(head)
        sent = stream(s, filler, 64 << 20)
        data = read_all(s, 4096)
        s.close()
        assert status_of(data) == 431, data[:300]
        # After answering, the server reads on (and discards) for a moment
        # before closing, so what was sent is no measure: memory is.
        assert rss_mb(server) < before + 32, "sent %d bytes" % sent
    # One trailer field over 64 KiB threw inside Beast: no answer at all.
    s = connect(server)
    s.sendall(b"POST " + QUERY + b" HTTP/1.1\r\nHost: x\r\n" + AUTH + b"Transfer-Encoding: chunked\r\n\r\n"
              b"2\r\n{}\r\n0\r\nX-Big: ")
    stream(s, b"b" * (70 * 1024) + b"\r\n\r\n", 70 * 1024)
    data = read_all(s, 4096)
    s.close()
    assert status_of(data) == 431
    assert rss_mb(server) < before + 32
    assert shares_ok(server)
    assert "exception" not in server.stderr_text()


def test_request_bodies_in_flight_are_bounded(server):
    """maxRequestBodyBytes 4096, maxPendingRequestBodyBytes 8192: two unfinished
    4 KiB uploads hold the budget, a third gets a 503, and it comes back."""
    holders = []
    for _ in range(2):
        s = connect(server)
        s.sendall(b"POST " + QUERY + b" HTTP/1.1\r\nHost: x\r\n" + AUTH + b"Content-Length: 4096\r\n\r\n{")
        holders.append(s)
    time.sleep(0.3)
    s = connect(server)
    s.sendall(b"POST " + QUERY + b" HTTP/1.1\r\nHost: x\r\n" + AUTH + b"Content-Length: 4096\r\n\r\n")
    data = read_all(s)
    s.close()
    assert status_of(data) == 503, data[:300]
    assert json_body(data)[1]["errorCode"] == "TEMPORARILY_UNAVAILABLE"
    for h in holders:
        h.close()
    deadline = time.monotonic() + 5
    while True:
        r = requests.post(server.endpoint_url + "/shares/s/schemas/d/tables/t/query", data=b"{}" + b" " * 4000,
                          headers={"Authorization": "Bearer " + TOKEN, "Content-Type": "application/json"},
                          timeout=10)
        if r.status_code == 200 or time.monotonic() > deadline:
            break
        time.sleep(0.1)
    assert r.status_code == 200, r.text


def open_connections(server):
    r = requests.get(server.base_url + "/metrics", timeout=10)
    assert r.status_code == 200
    m = re.search(r"^lakeshare_http_open_connections (\S+)$", r.text, re.M)
    assert m, r.text[:500]
    return float(m.group(1))


def refused(sock):
    """True when the server already answered or closed an idle connection
    (a refusal: nothing was sent on it)."""
    timeout = sock.gettimeout()
    sock.setblocking(False)
    try:
        sock.recv(1, socket.MSG_PEEK)
        return True
    except BlockingIOError:
        return False
    finally:
        sock.settimeout(timeout)


def hold_connections(server, n):
    """n idle connections the server counts. Connections of earlier tests can
    still be closing (the count includes them until their handlers finish);
    one of ours refused while they were counted would leave room for the
    connection meant to be refused, so wait for them and open the set again
    if one of ours was refused anyway."""
    for _ in range(5):
        deadline = time.monotonic() + 10
        while open_connections(server) > 1:  # the scrape's own connection
            assert time.monotonic() < deadline, "earlier connections never closed"
            time.sleep(0.1)
        held = [connect(server) for _ in range(n)]
        time.sleep(0.3)
        if not any(refused(h) for h in held):
            return held
        for h in held:
            h.close()
        time.sleep(0.5)
    pytest.fail("the server refused connections under its cap five times")


def test_connections_over_the_cap_get_503(server):
    held = hold_connections(server, 40)
    try:
        s = connect(server, timeout=5)
        data = read_all(s)
        s.close()
        assert status_of(data) == 503
        assert b"Retry-After: 1" in data
    finally:
        for h in held:
            h.close()
    deadline = time.monotonic() + 5
    while not shares_ok(server):
        assert time.monotonic() < deadline
        time.sleep(0.1)
    assert server.stderr_text(200000).count("refusing more") <= 2  # rate-limited, not one line each


def test_security_headers(server):
    h = {"Authorization": "Bearer " + TOKEN}
    for r in (requests.get(server.endpoint_url + "/shares", headers=h, timeout=10),
              requests.get(server.endpoint_url + "/shares/nope", headers=h, timeout=10),
              requests.get(server.endpoint_url + "/shares", timeout=10)):
        assert r.headers.get("X-Content-Type-Options") == "nosniff", (r.status_code, r.headers)
    q = requests.post(server.endpoint_url + "/shares/s/schemas/d/tables/t/query", json={}, headers=h, timeout=10)
    assert q.status_code == 200
    assert q.headers.get("Cache-Control") == "no-store"
    assert q.headers.get("X-Content-Type-Options") == "nosniff"


def test_invalid_utf8_is_never_echoed(server):
    s = connect(server)
    s.sendall(b"GET /delta-sharing/shares/%FF%FEx/schemas HTTP/1.1\r\nHost: x\r\n" + AUTH +
              b"Connection: close\r\n\r\n")
    data = read_all(s)
    s.close()
    assert 400 <= status_of(data) < 500
    json_body(data)  # valid UTF-8 JSON


def _many_files_table(root, files):
    """A Delta table whose one commit adds `files` files (never read: only the
    /query answer, ~600 bytes a file, is wanted)."""
    log = os.path.join(root, "_delta_log")
    os.makedirs(log)
    schema = {"type": "struct", "fields": [{"name": "id", "type": "long", "nullable": True, "metadata": {}}]}
    lines = [json.dumps({"protocol": {"minReaderVersion": 1, "minWriterVersion": 2}}),
             json.dumps({"metaData": {"id": "5b2a8a1e-6c1d-4f51-9a7e-8a5d0c1e2f30", "format": {"provider": "parquet"},
                                      "schemaString": json.dumps(schema), "partitionColumns": [],
                                      "configuration": {}, "createdTime": 1700000000000}})]
    for i in range(files):
        lines.append(json.dumps({"add": {
            "path": "part-%06d-0f6c3e52-3bb5-4d0c-9d8e-2f1c6e4a7b90.c000.snappy.parquet" % i,
            "partitionValues": {}, "size": 1000 + i, "modificationTime": 1700000000000, "dataChange": True,
            "stats": json.dumps({"numRecords": 10, "minValues": {"id": i}, "maxValues": {"id": i + 9},
                                 "nullCount": {"id": 0}})}}))
    with open(os.path.join(log, "%020d.json" % 0), "w") as f:
        f.write("\n".join(lines) + "\n")


def test_a_response_is_cut_off_at_max_response_seconds(lakeshare_bin, tmp_path):
    """Issue 18 item 6: a client reading well above minSendBytesPerSecond still
    cannot hold an answer beyond maxResponseSeconds; the connection closes
    (the chunked body stays unterminated), the server logs it and counts it."""
    table = str(tmp_path / "many")
    _many_files_table(table, 40000)  # a ~20 MB /query answer
    cfg = config(minSendBytesPerSecond=1024, maxResponseSeconds=2)
    cfg["shares"][0]["schemas"][0]["tables"].append({"name": "many", "location": table})
    srv = launch_server(lakeshare_bin, cfg, str(tmp_path), name="response_time")
    try:
        s = connect(srv)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 16384)
        s.sendall(b"POST /delta-sharing/shares/s/schemas/d/tables/many/query HTTP/1.1\r\nHost: x\r\n" + AUTH +
                  b"Content-Type: application/json\r\nContent-Length: 2\r\n\r\n{}")
        start = time.monotonic()
        got = b""
        closed = False
        while time.monotonic() - start < 30:
            chunk = s.recv(16384)  # 16 KiB every 50 ms: ~320 KiB/s, far above the minimum
            if not chunk:
                closed = True
                break
            got += chunk
            time.sleep(0.05)
        took = time.monotonic() - start
        s.close()
        assert status_of(got) == 200, got[:200]
        assert closed, "the answer must be cut off (read %d bytes in %.0f s)" % (len(got), took)
        assert 2 <= took < 20, took
        assert not got.endswith(b"0\r\n\r\n"), "a cut-off answer must not look complete"
        deadline = time.monotonic() + 5
        while "maxResponseSeconds" not in srv.stderr_text(200000):
            assert time.monotonic() < deadline, srv.stderr_text()
            time.sleep(0.1)
        metrics = requests.get(srv.base_url + "/metrics", timeout=10).text
        assert "lakeshare_http_response_time_limit_total 1" in metrics, metrics[-2000:]
    finally:
        srv.stop_and_check()
