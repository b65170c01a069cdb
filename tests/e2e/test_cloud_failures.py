"""What a client sees when the object store misbehaves.

A small S3 look-alike written here (ListObjectsV2, GET with Range, HEAD,
serving a test table from disk) runs in this process; each bucket has a
failure mode:

- ``ok``        serves normally (the control);
- ``throttle``  answers 503 SlowDown / 429 to the first requests, then serves;
- ``deny``      answers 403 AccessDenied;
- ``truncate``  promises a whole commit file but sends half and hangs up;
- ``hang``      never answers listings within the configured request timeout;
- ``busy``      always 503 SlowDown.

A further bucket points at a closed port (store unreachable). lakeshare must
answer with clear JSON errors (the protocol's shape, 5xx for store
trouble, never a stack trace or a store key), retry a bounded number of
times with backoff, give up within its timeouts, and keep serving the other
tables.
"""

import http.server
import json
import os
import socket
import socketserver
import threading
import time
import urllib.parse
from xml.sax.saxutils import escape

import pytest
import requests

import expect
import harness
from delta_log import DeltaTable
from strict_client import StrictClient

TABLE = "simple_table"
TOKEN = "tok-fail"
MAX_RETRIES = 2               # lakeshare: 3 attempts per request
REQUEST_TIMEOUT_MS = 1500


class FakeS3(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, table_dir):
        super().__init__(("127.0.0.1", 0), Handler)
        self.table_dir = table_dir
        self.counts = {}          # bucket -> requests
        self.list_counts = {}     # bucket -> listing requests
        self.throttle_left = {"throttle": 2}
        self.lock = threading.Lock()

    @property
    def endpoint(self):
        return "http://127.0.0.1:%d" % self.server_address[1]

    def handle_error(self, request, client_address):
        pass  # lakeshare hanging up on a slow answer is expected here

    def count(self, bucket):
        with self.lock:
            self.counts[bucket] = self.counts.get(bucket, 0) + 1
            return self.counts[bucket]


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def _send(self, status, body=b"", headers=None):
        self.send_response(status)
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        if "Content-Length" not in (headers or {}):
            self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def _error(self, status, code, message):
        body = ("<?xml version=\"1.0\"?><Error><Code>%s</Code><Message>%s</Message></Error>"
                % (code, message)).encode()
        self._send(status, body, {"Content-Type": "application/xml"})

    def do_HEAD(self):
        self.do_GET()

    def do_GET(self):
        srv = self.server
        parts = urllib.parse.urlsplit(self.path)
        bucket, _, key = urllib.parse.unquote(parts.path).lstrip("/").partition("/")
        n = srv.count(bucket)
        if "authorization" not in {k.lower() for k in self.headers.keys()}:
            return self._error(403, "AccessDenied", "anonymous")
        if bucket == "deny":
            return self._error(403, "AccessDenied", "Access Denied")
        if bucket == "busy":
            return self._error(503, "SlowDown", "Please reduce your request rate.")
        if bucket == "throttle":
            with srv.lock:
                left = srv.throttle_left["throttle"]
                srv.throttle_left["throttle"] = max(0, left - 1)
            if left > 0:
                return self._error(503 if left % 2 == 0 else 429, "SlowDown", "Please reduce your request rate.")
        q = urllib.parse.parse_qs(parts.query)
        if not key and "list-type" in q:
            with srv.lock:
                srv.list_counts[bucket] = srv.list_counts.get(bucket, 0) + 1
            if bucket == "hang":
                time.sleep(REQUEST_TIMEOUT_MS / 1000.0 + 1.0)
                return self._error(500, "InternalError", "late")
            return self._list(bucket, q)
        path = os.path.join(srv.table_dir, key[len(TABLE) + 1:]) if key.startswith(TABLE + "/") else None
        if path is None or not os.path.isfile(path):
            return self._error(404, "NoSuchKey", "The specified key does not exist.")
        with open(path, "rb") as f:
            data = f.read()
        headers = {"Last-Modified": self.date_time_string(int(os.path.getmtime(path)))}
        rng = self.headers.get("Range")
        status = 200
        if rng:
            a, b = rng[len("bytes="):].split("-")
            a, b = int(a), min(int(b), len(data) - 1)
            if a >= len(data):
                return self._error(416, "InvalidRange", "The requested range is not satisfiable")
            data, status = data[a:b + 1], 206
        if bucket == "truncate" and key.endswith(".json"):
            self.send_response(status)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data[:len(data) // 2])
            self.wfile.flush()
            self.close_connection = True
            return
        self._send(status, data, headers)

    def _list(self, bucket, q):
        prefix = q.get("prefix", [""])[0]
        if not prefix.startswith(TABLE + "/"):
            body = "<ListBucketResult><IsTruncated>false</IsTruncated></ListBucketResult>"
            return self._send(200, body.encode(), {"Content-Type": "application/xml"})
        rel = prefix[len(TABLE) + 1:]
        folder = os.path.join(self.server.table_dir, rel)
        items = []
        for name in sorted(os.listdir(folder)) if os.path.isdir(folder) else []:
            p = os.path.join(folder, name)
            if os.path.isfile(p):
                items.append("<Contents><Key>%s</Key><LastModified>%s</LastModified><Size>%d</Size></Contents>" % (
                    escape(prefix + name),
                    time.strftime("%Y-%m-%dT%H:%M:%S.000Z", time.gmtime(os.path.getmtime(p))),
                    os.path.getsize(p)))
            else:
                items.append("<CommonPrefixes><Prefix>%s</Prefix></CommonPrefixes>" % escape(prefix + name + "/"))
        body = "<ListBucketResult>%s<IsTruncated>false</IsTruncated></ListBucketResult>" % "".join(items)
        self._send(200, body.encode(), {"Content-Type": "application/xml"})


MODES = ["ok", "throttle", "deny", "truncate", "hang", "busy"]


def closed_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


@pytest.fixture(scope="module")
def failing(lakeshare_bin, tmp_path_factory):
    base = str(tmp_path_factory.mktemp("cloud-failures"))
    table_dir = harness.copy_table(TABLE, base)
    store = FakeS3(table_dir)
    threading.Thread(target=store.serve_forever, daemon=True).start()
    tables = [{"name": m, "location": "s3://%s/%s" % (m, TABLE)} for m in MODES]
    tables.append({"name": "unreachable", "location": "s3://unreachable/%s" % TABLE})
    tables.append({"name": "local", "location": os.path.join(harness.DELTA_ROOT, TABLE)})
    common = {"accessKeyId": "AKIDFAIL", "secretAccessKey": "FAIL-SECRET-DO-NOT-SHOW",
              "pathStyle": True, "maxRetries": MAX_RETRIES, "requestTimeoutMs": REQUEST_TIMEOUT_MS,
              "connectTimeoutMs": 500}
    storage = [dict(common, location="s3://", endpoint=store.endpoint),
               dict(common, location="s3://unreachable", endpoint="http://127.0.0.1:%d" % closed_port())]
    config = {
        "version": 1, "host": "127.0.0.1", "port": 0,
        "shares": [{"name": "f", "schemas": [{"name": "s", "tables": tables}]}],
        "recipients": [{"name": "r", "token": TOKEN, "shares": ["*"]}],
        "storage": storage,
        "maxConcurrentQueriesPerRecipient": 8,  # five queries at once below
    }
    server = harness.ServerProcess(lakeshare_bin, config, os.path.join(base, "conf"), name="failing").start()
    yield store, server, StrictClient(server.endpoint_url, TOKEN, server)
    server.stop_and_check()
    store.shutdown()


def error_of(resp):
    assert resp.headers.get("Content-Type", "").startswith("application/json"), resp.headers
    body = resp.json()
    assert set(body) == {"errorCode", "message"}, body
    assert isinstance(body["errorCode"], str) and isinstance(body["message"], str)
    for leak in ("FAIL-SECRET", "X-Amz-Signature", "Traceback", "127.0.0.1", "s3://", "Authorization"):
        assert leak not in body["message"], "error message leaks %r: %r" % (leak, body["message"])
    return body


def timed_query(client, name):
    t0 = time.monotonic()
    resp = client.raw("POST", client.table_path("f", "s", name) + "/query", json={}, allow_5xx=True)
    return resp, time.monotonic() - t0


def test_control_table_is_served(failing):
    store, server, c = failing
    q = c.query("f", "s", "ok", body={})
    expect.assert_same_files(q.files, DeltaTable(store.table_dir).snapshot())


def test_throttling_is_retried_then_served(failing):
    store, server, c = failing
    before = store.counts.get("throttle", 0)
    q = c.query("f", "s", "throttle", body={})
    expect.assert_same_files(q.files, DeltaTable(store.table_dir).snapshot())
    assert store.throttle_left["throttle"] == 0
    assert store.counts["throttle"] - before >= 3  # two refusals, then the work


def test_store_refusal_is_a_clear_error(failing):
    store, server, c = failing
    before = store.counts.get("deny", 0)
    resp, took = timed_query(c, "deny")
    assert resp.status_code == 502, (resp.status_code, resp.text)
    body = error_of(resp)
    assert body["errorCode"] == "STORAGE_ERROR"
    assert "refused access" in body["message"] and "AccessDenied" in body["message"], body
    assert "f.s.deny" in body["message"], body
    assert store.counts["deny"] - before == 1, "a 403 must not be retried"


def test_truncated_object_is_retried_then_an_error(failing):
    store, server, c = failing
    before = store.counts.get("truncate", 0)
    resp, took = timed_query(c, "truncate")
    assert resp.status_code == 502, (resp.status_code, resp.text)
    body = error_of(resp)
    assert "truncated" in body["message"], body
    reads = store.counts["truncate"] - before
    # _last_checkpoint (404), one listing, then (MAX_RETRIES + 1) attempts at
    # each commit file read at the same time (simple_table has 5)
    assert 2 + 1 <= reads <= 2 + 5 * (MAX_RETRIES + 1), reads


def test_slow_store_times_out(failing):
    store, server, c = failing
    before = store.list_counts.get("hang", 0)
    resp, took = timed_query(c, "hang")
    assert resp.status_code == 503, (resp.status_code, resp.text)
    body = error_of(resp)
    assert body["errorCode"] == "TEMPORARILY_UNAVAILABLE"
    assert "did not answer in time" in body["message"], body
    # (_last_checkpoint is read first: a quick 404 here)
    assert store.list_counts["hang"] - before == MAX_RETRIES + 1
    # (attempts x timeout) + backoff, with slack for a loaded machine
    assert took < (MAX_RETRIES + 1) * (REQUEST_TIMEOUT_MS / 1000.0) + 10, took


def test_persistent_throttling_gives_up(failing):
    store, server, c = failing
    before = store.counts.get("busy", 0)
    resp, took = timed_query(c, "busy")
    assert resp.status_code == 503, (resp.status_code, resp.text)
    body = error_of(resp)
    assert "SlowDown" in body["message"] and "attempts" in body["message"], body
    assert store.counts["busy"] - before == MAX_RETRIES + 1


def test_unreachable_store(failing):
    store, server, c = failing
    resp, took = timed_query(c, "unreachable")
    assert resp.status_code == 503, (resp.status_code, resp.text)
    body = error_of(resp)
    assert "cannot reach the store" in body["message"], body
    assert took < 15, took


def test_server_keeps_serving_other_tables(failing):
    store, server, c = failing
    # Failing tables and good ones at the same time.
    results = {}

    def run(name):
        results[name] = timed_query(c.with_token(TOKEN), name)[0].status_code

    threads = [threading.Thread(target=run, args=(n,)) for n in ("hang", "busy", "deny", "ok", "local")]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert results["ok"] == 200 and results["local"] == 200, results
    assert results["hang"] == 503 and results["busy"] == 503 and results["deny"] == 502, results
    q = c.query("f", "s", "local", body={})
    expect.assert_same_files(q.files, DeltaTable(os.path.join(harness.DELTA_ROOT, TABLE)).snapshot())
    assert server.alive()
