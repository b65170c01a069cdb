"""Running it in production: logs, settings from the environment, SIGHUP reload.

- every response carries X-Request-Id: the client's when it is a sane token,
  else one the server made; the access log line and the audit log entry carry
  the same id; `logFormat: json` makes every stderr line a JSON object;
  no token, password or signed-URL query string is ever logged;
- every setting can come from a LAKESHARE_* variable, over the file;
- SIGHUP re-reads the YAML catalog and the settings while requests are in
  flight (none fails), logs what changed and what needs a restart; a broken
  file is refused and the old catalog keeps serving;
- shutdownGraceSeconds sets the drain of SIGTERM.
"""

import json
import os
import re
import signal
import threading
import time

import requests

import harness
from catalog_db import DbServer
from conftest import launch_server

TOKEN = "tok-operations-secret"
SIMPLE = os.path.join(harness.DELTA_ROOT, "simple_table")  # 5 files at version 4


def share(name, table="t"):
    return {"name": name, "schemas": [{"name": "d", "tables": [{"name": table, "location": SIMPLE}]}]}


def config(shares=None, **extra):
    cfg = {"version": 1, "host": "127.0.0.1", "port": 0, "endpoint": "/delta-sharing",
           "shares": shares if shares is not None else [share("s1")],
           "authorization": {"bearerToken": TOKEN}}
    cfg.update(extra)
    return cfg


def get(server, path, token=TOKEN, **kw):
    headers = {"Authorization": "Bearer " + token}
    headers.update(kw.pop("headers", {}))
    return requests.get(server.endpoint_url + path, headers=headers, timeout=30, **kw)


def share_names(server):
    r = get(server, "/shares")
    assert r.status_code == 200, r.text
    return sorted(s["name"] for s in r.json()["items"])


def wait_for(predicate, timeout=10.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.05)
    return predicate()


def log_of(server):
    return server.stderr_text(10 ** 7)


def test_request_ids_in_responses_and_text_logs(lakeshare_bin, tmp_path):
    server = launch_server(lakeshare_bin, config(), str(tmp_path))
    try:
        r = get(server, "/shares", headers={"X-Request-Id": "client-id.42"})
        assert r.status_code == 200 and r.headers["X-Request-Id"] == "client-id.42"
        made = get(server, "/shares").headers["X-Request-Id"]
        assert re.fullmatch(r"[0-9a-f]{16}", made), made
        # Not a sane token (too long, or bytes a log or header must not carry): replaced.
        for bad in ["x" * 65, "a b", "quote\"", "{\"j\":1}"]:
            got = get(server, "/shares", headers={"X-Request-Id": bad}).headers["X-Request-Id"]
            assert got != bad and re.fullmatch(r"[0-9a-f]{16}", got), (bad, got)
        # Errors too, also those of the transport and unauthenticated ones.
        e = get(server, "/shares/nope", headers={"X-Request-Id": "err-1"})
        assert e.status_code == 404 and e.headers["X-Request-Id"] == "err-1"
        assert get(server, "/shares", token="wrong").headers.get("X-Request-Id")
        assert wait_for(lambda: "[client-id.42] 127.0.0.1 \"GET /delta-sharing/shares\" 200" in log_of(server)), \
            log_of(server)[-3000:]
        assert "[%s] " % made in log_of(server)
        assert "[err-1] " in log_of(server)
    finally:
        server.stop_and_check()
    assert TOKEN not in log_of(server)


def test_json_logs_from_the_environment_and_no_secrets(lakeshare_bin, tmp_path, monkeypatch):
    # The file has no credentials and text logs; the environment adds both.
    monkeypatch.setenv("LAKESHARE_LOG_FORMAT", "json")
    monkeypatch.setenv("LAKESHARE_AUTHORIZATION__BEARER_TOKEN", TOKEN)
    monkeypatch.setenv("LAKESHARE_PRE_SIGNED_URL_TIMEOUT_SECONDS", "77")
    cfg = config()
    del cfg["authorization"]
    server = launch_server(lakeshare_bin, cfg, str(tmp_path), extra_args=[])
    try:
        q = requests.post(server.endpoint_url + "/shares/s1/schemas/d/tables/t/query", json={},
                          headers={"Authorization": "Bearer " + TOKEN, "X-Request-Id": "q-1"}, timeout=30)
        assert q.status_code == 200, q.text
        lines = [json.loads(line) for line in q.text.splitlines()]
        urls = [line["file"]["url"] for line in lines if "file" in line]
        assert len(urls) == 5
        # The environment's presigned URL lifetime is in force.
        expiry = [line["file"]["expirationTimestamp"] for line in lines if "file" in line][0]
        assert 60_000 < expiry - time.time() * 1000 < 80_000
        d = requests.get(urls[0], headers={"X-Request-Id": "dl-1"}, timeout=30)
        assert d.status_code == 200
        assert get(server, "/shares", token="wrong-token-value").status_code == 401
        assert wait_for(lambda: '"requestId":"dl-1"' in log_of(server))
    finally:
        server.stop_and_check()
    text = log_of(server)
    records = [json.loads(line) for line in text.splitlines() if line.strip()]
    assert records and all({"time", "level", "message"} <= set(r) for r in records)
    access = [r for r in records if r.get("requestId") == "q-1"]
    assert access and "POST /delta-sharing/shares/s1/schemas/d/tables/t/query" in access[-1]["message"]
    assert any("LAKESHARE_AUTHORIZATION__BEARER_TOKEN" in r["message"] for r in records)
    # Never a secret: the token, a wrong token, or a signed URL's query string.
    assert TOKEN not in text and "wrong-token-value" not in text
    for url in urls:
        assert url.split("?", 1)[1] not in text
        assert "signature=" not in text


def test_audit_entries_carry_the_request_id(lakeshare_bin, tmp_path):
    class Db:
        url = "sqlite:" + os.path.join(str(tmp_path), "catalog.db")

    srv = DbServer(lakeshare_bin, Db, str(tmp_path), name="auditdb").start()
    try:
        ops = srv.admin()
        ops.ok("POST", "/shares", {"name": "s"}, status=201,
               headers={"X-Request-Id": "admin-write-1"})
        ops.ok("POST", "/shares/s/schemas", {"name": "d"}, status=201)
        ops.ok("POST", "/shares/s/schemas/d/tables", {"name": "t", "location": SIMPLE}, status=201)
        ops.ok("POST", "/recipients", {"name": "r"}, status=201)
        ops.ok("PUT", "/recipients/r/grants/s")
        p = ops.ok("POST", "/recipients/r/tokens", {}, status=201)
        q = requests.post(p["endpoint"] + "/shares/s/schemas/d/tables/t/query", json={}, timeout=30,
                          headers={"Authorization": "Bearer " + p["bearerToken"],
                                   "X-Request-Id": "sharing-query-1"})
        assert q.status_code == 200 and q.headers["X-Request-Id"] == "sharing-query-1"

        def entry(action):
            items = ops.ok("GET", "/audit", params={"action": action})["items"]
            return items[0] if items else None

        assert wait_for(lambda: entry("queryTable") is not None)
        assert entry("queryTable")["requestId"] == "sharing-query-1"
        assert entry("queryTable")["numFiles"] == 5
        assert entry("createShare")["requestId"] == "admin-write-1"
        # Without a client id, the server's own, as echoed.
        r = requests.get(p["endpoint"] + "/shares", timeout=30,
                         headers={"Authorization": "Bearer " + p["bearerToken"]})
        assert wait_for(lambda: entry("listShares") is not None)
        assert entry("listShares")["requestId"] == r.headers["X-Request-Id"]
    finally:
        srv.stop()


def test_sighup_reloads_catalog_and_settings_under_load(lakeshare_bin, tmp_path):
    server = launch_server(lakeshare_bin, config(logLevel="info"), str(tmp_path))
    stop = threading.Event()
    failures, done = [], [0]

    def load():
        s = requests.Session()
        while not stop.is_set():
            try:
                q = s.post(server.endpoint_url + "/shares/s1/schemas/d/tables/t/query", json={},
                           headers={"Authorization": "Bearer " + TOKEN}, timeout=30)
                lines = q.text.splitlines()
                if q.status_code != 200 or len(lines) != 7:
                    failures.append((q.status_code, q.text[:200]))
                l = s.get(server.endpoint_url + "/shares", headers={"Authorization": "Bearer " + TOKEN},
                          timeout=30)
                if l.status_code != 200:
                    failures.append((l.status_code, l.text[:200]))
                done[0] += 1
            except Exception as e:  # noqa: BLE001 - every failure is reported
                failures.append(repr(e))

    threads = [threading.Thread(target=load) for _ in range(4)]
    for t in threads:
        t.start()
    try:
        assert wait_for(lambda: done[0] > 10)
        assert share_names(server) == ["s1"]
        # A share added to the file appears; a settings change is applied; a
        # listener change is reported as needing a restart.
        server.config = config([share("s1"), share("s2", "t2")], logLevel="debug", maxConnections=500)
        server.write_config()
        server.proc.send_signal(signal.SIGHUP)
        assert wait_for(lambda: share_names(server) == ["s1", "s2"]), log_of(server)[-3000:]
        t2 = get(server, "/shares/s2/schemas/d/tables/t2/version")
        assert t2.status_code == 200 and t2.headers["Delta-Table-Version"] == "4"
        text = log_of(server)
        assert "config: share 's2' added" in text
        assert "config: logLevel: info -> debug" in text
        assert "config: maxConnections: 10000 -> 500 (needs a restart)" in text, text[-3000:]
        for _ in range(3):
            server.proc.send_signal(signal.SIGHUP)  # more reloads mid-load: nothing changed
            time.sleep(0.2)
        # A broken file: refused with the reason, the old catalog keeps serving.
        with open(server.config_path, "w") as f:
            f.write("version: 1\nshares: [unclosed\n")
        server.proc.send_signal(signal.SIGHUP)
        assert wait_for(lambda: "reload refused, the running configuration stays" in log_of(server))
        assert share_names(server) == ["s1", "s2"]
        # A file that parses but is invalid (unknown key) is refused too.
        with open(server.config_path, "w") as f:
            f.write(harness.to_yaml(config([share("s3")], shutdownGraceSecs=3)))
        server.proc.send_signal(signal.SIGHUP)
        assert wait_for(lambda: "shutdownGraceSecs" in log_of(server))
        assert share_names(server) == ["s1", "s2"]
        # Removing a share takes it away.
        server.config = config([share("s1")], logLevel="debug", maxConnections=500)
        server.write_config()
        server.proc.send_signal(signal.SIGHUP)
        assert wait_for(lambda: share_names(server) == ["s1"])
        assert get(server, "/shares/s2/schemas/d/tables/t2/version").status_code == 404
    finally:
        stop.set()
        for t in threads:
            t.join(30)
    assert server.alive(), server.diagnostics()
    assert failures == [], failures[:5]
    assert done[0] > 20
    server.stop_and_check()


def test_a_reloaded_token_is_checked_before_the_body(lakeshare_bin, tmp_path):
    """The head check (one token lookup per request, issue 18) asks the service
    SIGHUP swapped in: a token the new file no longer has is refused 401 from
    the headers of a POST /query, the new one is served."""
    server = launch_server(lakeshare_bin, config(), str(tmp_path))
    try:
        query = server.endpoint_url + "/shares/s1/schemas/d/tables/t/query"

        def post(token):
            return requests.post(query, json={}, headers={"Authorization": "Bearer " + token}, timeout=30)

        assert post(TOKEN).status_code == 200
        server.config = config(authorization={"bearerToken": "tok-operations-new"})
        server.write_config()
        server.proc.send_signal(signal.SIGHUP)
        assert wait_for(lambda: post(TOKEN).status_code == 401), log_of(server)[-3000:]
        assert post("tok-operations-new").status_code == 200
    finally:
        server.stop_and_check()


def test_shutdown_grace_is_configurable(lakeshare_bin, tmp_path):
    server = launch_server(lakeshare_bin, config(shutdownGraceSeconds=2), str(tmp_path))
    assert share_names(server) == ["s1"]
    server.stop_and_check()
    assert "grace 2 s" in log_of(server)


def test_snapshot_loads_are_logged(lakeshare_bin, tmp_path):
    server = launch_server(lakeshare_bin, config(), str(tmp_path))
    try:
        q = requests.post(server.endpoint_url + "/shares/s1/schemas/d/tables/t/query", json={},
                          headers={"Authorization": "Bearer " + TOKEN, "X-Request-Id": "load-1"}, timeout=30)
        assert q.status_code == 200
        assert wait_for(lambda: "snapshot loaded:" in log_of(server))
        line = [l for l in log_of(server).splitlines() if "snapshot loaded:" in l][0]
        assert re.search(r"\[load-1\] snapshot loaded: table \S+ version 4: 5 files, ~\d+ KiB, \d+ ms$", line), line
        # A warm query loads nothing.
        requests.post(server.endpoint_url + "/shares/s1/schemas/d/tables/t/query", json={},
                      headers={"Authorization": "Bearer " + TOKEN}, timeout=30)
        time.sleep(0.2)
        assert log_of(server).count("snapshot loaded:") == 1
    finally:
        server.stop_and_check()


def test_snapshot_larger_than_the_cache_is_a_warning(lakeshare_bin, tmp_path):
    # A snapshot over snapshotCacheBytes is not kept: every query loads it again, and the log says so.
    server = launch_server(lakeshare_bin, config(snapshotCacheBytes=1000), str(tmp_path))
    try:
        for _ in range(2):
            q = requests.post(server.endpoint_url + "/shares/s1/schemas/d/tables/t/query", json={},
                              headers={"Authorization": "Bearer " + TOKEN}, timeout=30)
            assert q.status_code == 200
        assert wait_for(lambda: log_of(server).count("snapshot loaded:") == 2), log_of(server)[-3000:]
        warnings = [l for l in log_of(server).splitlines() if "larger than snapshotCacheBytes" in l]
        assert len(warnings) == 2, log_of(server)[-3000:]
        assert re.search(r"warning .*snapshot of ~\d+ KiB is larger than snapshotCacheBytes \(0 KiB\): not cached",
                         warnings[0]), warnings[0]
    finally:
        server.stop_and_check()


def test_generators_print_progress(lakeshare_bin, tmp_path):
    import subprocess
    delta = subprocess.run([lakeshare_bin, "generate-delta", "--dir", str(tmp_path / "d"), "--files", "140000",
                            "--commits", "1200"], capture_output=True, text=True, timeout=600)
    assert delta.returncode == 0, delta.stderr
    err = delta.stderr.splitlines()
    assert any(re.fullmatch(r"generate-delta: files 65536/140000 \(46%\) after [0-9.]+ s", l) for l in err), err
    assert any(l.startswith("generate-delta: files 140000/140000 (100%)") for l in err), err
    assert any(l.startswith("generate-delta: checkpoint 1/1 (100%)") for l in err), err
    assert any(l.startswith("generate-delta: commits 1200/1200 (100%)") for l in err), err
    assert "wrote" in delta.stdout and "generate-delta:" not in delta.stdout
    ice = subprocess.run([lakeshare_bin, "generate-iceberg", "--dir", str(tmp_path / "i"), "--files", "20000",
                          "--snapshots", "2", "--metadata-only"], capture_output=True, text=True, timeout=600)
    assert ice.returncode == 0, ice.stderr
    assert any(l.startswith("generate-iceberg: files 20000/20000 (100%)") for l in ice.stderr.splitlines()), \
        ice.stderr
