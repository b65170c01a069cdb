"""/healthz, /readyz and /metrics (Prometheus text format).

Checked: health endpoints answer without a token (also when the sharing
token is wrong), /readyz follows the catalog database (PostgreSQL stopped →
503, started again → 200); /metrics moves as requests are made (requests by route,
method and status, latency histogram counts, response bytes, file lines,
snapshot cache hits/loads, open connections, build info); route
labels stay bounded whatever paths clients send; `metrics.listen` serves it
on its own listener and not on the main one; `metrics.enabled: false`.
"""

import os
import re
import signal
import socket
import subprocess
import time

import pytest
import requests

import harness
from catalog_db import PostgresCluster
from conftest import launch_server

TOKEN = "tok-obs"
HEADERS = {"Authorization": "Bearer " + TOKEN}
QUERY_ROUTE = "shares/{share}/schemas/{schema}/tables/{table}/query"


def config(**extra):
    cfg = {
        "version": 1, "host": "127.0.0.1", "port": 0, "endpoint": "/delta-sharing",
        "authorization": {"bearerToken": TOKEN},
        "shares": [{"name": "s", "schemas": [{"name": "d", "tables": [
            {"name": "t", "location": os.path.join(harness.DELTA_ROOT, "simple_table")}]}]}],
    }
    cfg.update(extra)
    return cfg


def parse_metrics(text):
    """{(name, frozenset(labels)): value}; checks the text format line by line."""
    out = {}
    line_re = re.compile(r'^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(.*)\})? (\S+)$')
    label_re = re.compile(r'([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"')
    typed = set()
    for line in text.splitlines():
        if line.startswith("# HELP "):
            continue
        if line.startswith("# TYPE "):
            name, kind = line.split()[2:4]
            assert kind in ("counter", "gauge", "histogram"), line
            typed.add(name)
            continue
        m = line_re.match(line)
        assert m, "not a sample line: %r" % line
        labels = frozenset(label_re.findall(m.group(3) or ""))
        base = re.sub(r"_(bucket|sum|count)$", "", m.group(1))
        assert m.group(1) in typed or base in typed, "sample before its TYPE: %r" % line
        out[(m.group(1), labels)] = float(m.group(4))
    return out


def value(metrics, name, **labels):
    return metrics.get((name, frozenset(labels.items())), 0.0)


def scrape(url):
    r = requests.get(url, timeout=10)
    assert r.status_code == 200
    assert r.headers["Content-Type"].startswith("text/plain; version=0.0.4")
    return parse_metrics(r.text)


@pytest.fixture(scope="module")
def server(lakeshare_bin, tmp_path_factory):
    s = launch_server(lakeshare_bin, config(), str(tmp_path_factory.mktemp("obs")), name="obs")
    yield s
    s.stop_and_check()


def test_health_needs_no_token(server):
    for path in ("/healthz", "/readyz"):
        for headers in ({}, {"Authorization": "Bearer wrong"}):
            r = requests.get(server.base_url + path, headers=headers, timeout=10)
            assert r.status_code == 200, (path, r.text)
            assert r.json()["status"] in ("ok", "ready")
            assert r.headers["Cache-Control"] == "no-store"
        assert requests.head(server.base_url + path, timeout=10).status_code == 200
        r = requests.post(server.base_url + path, timeout=10)
        assert r.status_code == 405 and "GET" in r.headers["Allow"]


def test_metrics_move_with_requests(server):
    url = server.base_url + "/metrics"
    before = scrape(url)
    for _ in range(3):
        r = requests.post(server.endpoint_url + "/shares/s/schemas/d/tables/t/query", json={},
                          headers=HEADERS, timeout=20)
        assert r.status_code == 200
    lines = [l for l in r.text.splitlines() if '"file"' in l]
    assert requests.get(server.endpoint_url + "/shares", timeout=10).status_code == 401
    assert requests.get(server.endpoint_url + "/shares/nope/schemas", headers=HEADERS,
                        timeout=10).status_code == 404
    after = scrape(url)

    def delta(name, **labels):
        return value(after, name, **labels) - value(before, name, **labels)

    assert delta("lakeshare_http_requests_total", route=QUERY_ROUTE, method="POST", status="200") == 3
    assert delta("lakeshare_http_requests_total", route="shares", method="GET", status="401") == 1
    assert delta("lakeshare_http_requests_total", route="shares/{share}/schemas", method="GET",
                 status="404") == 1
    assert delta("lakeshare_http_request_duration_seconds_count", route=QUERY_ROUTE, method="POST") == 3
    assert delta("lakeshare_http_request_duration_seconds_bucket", route=QUERY_ROUTE, method="POST",
                 le="+Inf") == 3
    assert delta("lakeshare_http_response_bytes_total", route=QUERY_ROUTE) == 3 * len(r.content)
    assert delta("lakeshare_file_lines_sent_total", action="query") == 3 * len(lines)
    # The first query loaded the snapshot (unless an earlier test did), the others hit it.
    assert value(after, "lakeshare_snapshot_cache_loads_total") >= 1
    assert delta("lakeshare_snapshot_cache_hits_total") >= 2
    assert value(after, "lakeshare_snapshot_cache_bytes") > 0
    assert value(after, "lakeshare_http_open_connections") >= 1  # this scrape's own
    assert any(k[0] == "lakeshare_build_info" for k in after)
    # The scrapes themselves are counted too.
    assert delta("lakeshare_http_requests_total", route="metrics", method="GET", status="200") >= 1


def test_route_labels_stay_bounded(server):
    for i in range(50):
        requests.get(server.base_url + "/random/%d" % i, timeout=10)
        requests.request("BREW%d" % i, server.endpoint_url + "/shares", timeout=10)
    text = requests.get(server.base_url + "/metrics", timeout=10).text
    assert "/random" not in text and "BREW" not in text
    m = parse_metrics(text)
    assert value(m, "lakeshare_http_requests_total", route="other", method="GET", status="404") >= 50


def test_open_connections_gauge(server):
    url = server.base_url + "/metrics"
    base = value(scrape(url), "lakeshare_http_open_connections")
    host, port = server.base_url[len("http://"):].split(":")
    socks = [socket.create_connection((host, int(port))) for _ in range(5)]
    try:
        time.sleep(0.3)
        assert value(scrape(url), "lakeshare_http_open_connections") >= base + 5
    finally:
        for s in socks:
            s.close()
    deadline = time.monotonic() + 5
    while value(scrape(url), "lakeshare_http_open_connections") > base and time.monotonic() < deadline:
        time.sleep(0.1)
    assert value(scrape(url), "lakeshare_http_open_connections") <= base


def test_separate_metrics_listener(lakeshare_bin, tmp_path):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        mport = probe.getsockname()[1]
    s = launch_server(lakeshare_bin, config(metrics={"listen": "127.0.0.1:%d" % mport}),
                      str(tmp_path), name="mlisten")
    try:
        murl = "http://127.0.0.1:%d" % mport
        assert requests.get(s.endpoint_url + "/shares", headers=HEADERS, timeout=10).status_code == 200
        # The request is counted when its last byte is written, which can be
        # after the client has read it: wait for the count.
        deadline = time.monotonic() + 5
        while True:
            n = value(scrape(murl + "/metrics"), "lakeshare_http_requests_total", route="shares", method="GET",
                      status="200")
            if n or time.monotonic() > deadline:
                break
            time.sleep(0.05)
        assert n == 1
        assert requests.get(murl + "/healthz", timeout=10).status_code == 200
        assert requests.get(murl + "/readyz", timeout=10).status_code == 200
        assert requests.get(murl + "/delta-sharing/shares", headers=HEADERS, timeout=10).status_code == 404
        # Not on the main listener any more.
        assert requests.get(s.base_url + "/metrics", timeout=10).status_code != 200
        assert requests.get(s.base_url + "/healthz", timeout=10).status_code == 200
    finally:
        s.stop_and_check()


def test_metrics_disabled(lakeshare_bin, tmp_path):
    s = launch_server(lakeshare_bin, config(metrics={"enabled": False}), str(tmp_path), name="moff")
    try:
        assert requests.get(s.base_url + "/metrics", timeout=10).status_code == 404
        assert requests.get(s.base_url + "/healthz", timeout=10).status_code == 200
    finally:
        s.stop_and_check()


def test_readyz_follows_the_catalog_database(lakeshare_bin, tmp_path):
    """PostgreSQL stopped → 503 (healthz stays 200); started again → 200."""
    cluster = PostgresCluster().start()
    try:
        _, url = cluster.new_database()
        s = launch_server(lakeshare_bin, config(catalogUrl=url), str(tmp_path), name="db")
        try:
            assert requests.get(s.base_url + "/readyz", timeout=10).status_code == 200
            # With a database: the audit writer's figures.
            m = scrape(s.base_url + "/metrics")
            for name in ("lakeshare_audit_written_total", "lakeshare_audit_dropped_total",
                         "lakeshare_audit_failed_batches_total", "lakeshare_audit_queue_depth"):
                assert (name, frozenset()) in m, name
            assert value(m, "lakeshare_audit_dropped_total") == 0
            cluster.proc.send_signal(signal.SIGINT)  # fast shutdown
            cluster.proc.wait(30)
            time.sleep(1.2)  # past the 1 s re-check interval
            r = requests.get(s.base_url + "/readyz", timeout=20)
            assert r.status_code == 503, r.text
            assert r.json()["reason"] == "catalog database not ready"
            assert requests.get(s.base_url + "/healthz", timeout=10).status_code == 200
            restart_postgres(cluster)
            deadline = time.monotonic() + 20
            while requests.get(s.base_url + "/readyz", timeout=20).status_code != 200:
                assert time.monotonic() < deadline, "readyz did not recover"
                time.sleep(0.3)
        finally:
            s.stop_and_check()
    finally:
        cluster.stop()


def restart_postgres(cluster):
    """Starts the cluster's server again on the same folder and port."""
    log = open(cluster.log, "ab")
    cluster.proc = subprocess.Popen(
        [os.path.join(cluster.bindir, "postgres"), "-D", cluster.data, "-k", cluster.dir,
         "-p", str(cluster.port), "-c", "listen_addresses=127.0.0.1", "-c", "fsync=off"],
        preexec_fn=cluster._demote, stdout=log, stderr=log, stdin=subprocess.DEVNULL)
    log.close()
    deadline = time.monotonic() + 60
    while subprocess.run([os.path.join(cluster.bindir, "pg_isready"), "-q", "-h", "127.0.0.1",
                          "-p", str(cluster.port)], timeout=10).returncode != 0:
        assert cluster.proc.poll() is None and time.monotonic() < deadline, cluster.log_tail()
        time.sleep(0.1)


def test_catalog_database_pool_and_latency(lakeshare_bin, tmp_path):
    """With a catalog database: its calls' latency, pool waits and pool state."""
    path = os.path.join(str(tmp_path), "catalog.db")
    s = launch_server(lakeshare_bin, config(catalogUrl="sqlite:" + path, allowAnonymous=True),
                      str(tmp_path), name="dbmetrics")
    try:
        before = scrape(s.base_url + "/metrics")
        for _ in range(5):
            assert requests.get(s.endpoint_url + "/shares", timeout=10).status_code == 200
        # The audit writer calls the database in the background, and a
        # scrape renders the pool's counters before the query counter: read
        # them once two scrapes agree (no call in between).
        deadline = time.monotonic() + 10
        m = scrape(s.base_url + "/metrics")
        while True:
            again = scrape(s.base_url + "/metrics")
            keys = ("lakeshare_db_query_duration_seconds_count", "lakeshare_db_pool_wait_seconds_count")
            if all(value(again, k) == value(m, k) for k in keys) or time.monotonic() > deadline:
                break
            m = again
            time.sleep(0.2)
        calls = value(m, "lakeshare_db_query_duration_seconds_count")
        assert calls >= value(before, "lakeshare_db_query_duration_seconds_count") + 5
        # Each request takes a connection from the pool at least once (a
        # background writer may run several statements on one).
        assert value(m, "lakeshare_db_pool_wait_seconds_count") >= \
            value(before, "lakeshare_db_pool_wait_seconds_count") + 5
        assert value(m, "lakeshare_db_errors_total") == 0
        assert value(m, "lakeshare_db_pool_connections_max") >= 1
        assert 1 <= value(m, "lakeshare_db_pool_connections_open") <= value(m, "lakeshare_db_pool_connections_max")
        assert value(m, "lakeshare_db_pool_connections_idle") <= value(m, "lakeshare_db_pool_connections_open")
        assert ("lakeshare_db_retries_total", frozenset()) in m
        # No object store here: its series exist, at 0.
        assert value(m, "lakeshare_object_store_requests_total", backend="s3") == 0
    finally:
        s.stop_and_check()
