"""Two `lakeshare serve` replicas on one catalog database (PostgreSQL, the
production setup; SQLite too, two processes on one file): a change made
through one — a revoked token, a new table, a revoked grant, a new admin
user — is seen through the other within a second; both audit into one log;
concurrent updates through both lose nothing; admin sessions are the
database's, so a login, a logout, a deleted user or a changed role or
password counts on both (as behind a load balancer); and behind a real HAProxy
(deploy/compose/haproxy.cfg, checking /readyz) a replica killed with -9 under
load costs only the requests in flight on it, and no acknowledged write."""
import json
import os
import threading
import time

import pytest
import requests

import harness
from catalog_db import (ADMIN_PASSWORD, ADMIN_USER, BACKENDS, VIEWER_PASSWORD, VIEWER_USER, AdminSession,
                        CatalogDb, DbServer, new_catalog_db, run_cli)
from replica_cluster import REPLICAS, Cluster, Load, percentile

SIMPLE = os.path.join(harness.DELTA_ROOT, "simple_table")
WITHIN = 1.0  # seconds


@pytest.fixture(scope="module", params=BACKENDS)
def replicas(request, lakeshare_bin, tmp_path_factory):
    workdir = str(tmp_path_factory.mktemp("replicas_" + request.param))
    db = new_catalog_db(request.param, workdir, request)
    a = DbServer(lakeshare_bin, db, workdir, name="replica_a").start()
    b = DbServer(lakeshare_bin, db, workdir, name="replica_b", users=False).start()
    yield a, b
    a.stop()
    b.stop()


def seen_within(fn, limit=WITHIN):
    """Polls fn() until true; returns the seconds it took (fails past `limit`)."""
    t0 = time.monotonic()
    while True:
        if fn():
            return time.monotonic() - t0
        if time.monotonic() - t0 > limit:
            raise AssertionError("not seen through the other replica within %.1f s" % limit)
        time.sleep(0.02)


def get(server, path, token):
    return requests.get(server.endpoint_url + path, headers={"Authorization": "Bearer " + token}, timeout=30)


def test_changes_through_one_replica_are_seen_through_the_other(replicas):
    a, b = replicas
    ops_a, ops_b = a.admin(), b.admin()
    ops_a.ok("POST", "/shares", {"name": "sales"}, status=201)
    ops_a.ok("POST", "/shares/sales/schemas", {"name": "d"}, status=201)
    ops_a.ok("POST", "/recipients", {"name": "partner"}, status=201)
    ops_a.ok("PUT", "/recipients/partner/grants/sales")
    token = ops_a.ok("POST", "/recipients/partner/tokens", {}, status=201)["bearerToken"]
    seen_within(lambda: get(b, "/shares", token).status_code == 200)

    # A new table, added through A, is listed and served by B.
    ops_a.ok("POST", "/shares/sales/schemas/d/tables", {"name": "orders", "location": SIMPLE}, status=201)
    seen_within(lambda: [t["name"] for t in get(b, "/shares/sales/all-tables", token).json()["items"]] == ["orders"])
    assert get(b, "/shares/sales/schemas/d/tables/orders/version", token).headers["Delta-Table-Version"] == "4"

    # A token revoked through A stops working on B.
    tid = ops_a.ok("GET", "/recipients/partner/tokens")["items"][0]["id"]
    ops_a.ok("DELETE", "/recipients/partner/tokens/" + tid)
    took = seen_within(lambda: get(b, "/shares", token).status_code == 401)
    assert took < WITHIN

    # And the other way round: a grant revoked through B hides the share on A.
    token2 = ops_b.ok("POST", "/recipients/partner/tokens", {}, status=201)["bearerToken"]
    seen_within(lambda: [s["name"] for s in get(a, "/shares", token2).json()["items"]] == ["sales"])
    ops_b.ok("DELETE", "/recipients/partner/grants/sales")
    seen_within(lambda: get(a, "/shares/sales/schemas", token2).status_code == 404)

    # An admin user created through A logs in on B.
    ops_a.ok("POST", "/users", {"name": "second", "password": "a long enough password", "role": "admin"},
             status=201)
    seen_within(lambda: requests.post(b.base_url + "/api/v1/login",
                                      json={"username": "second", "password": "a long enough password"},
                                      timeout=30).status_code == 200)

    # Both replicas audit into the one log.
    assert get(b, "/shares", token2).status_code == 200
    seen_within(lambda: any(e["action"] == "listShares" for e in
                            ops_a.ok("GET", "/audit", params={"actor": "partner", "maxResults": 1000})["items"]),
                limit=5)


def test_concurrent_updates_through_both_replicas_lose_nothing(replicas):
    a, b = replicas
    sessions = [a.admin(), b.admin()]
    sessions[0].ok("POST", "/shares", {"name": "contended", "comment": "0"}, status=201)
    rounds = 15
    for i in range(rounds):
        version = sessions[0].ok("GET", "/shares/contended")["version"]
        results = [None, None]
        barrier = threading.Barrier(2)

        def update(k):
            barrier.wait()
            results[k] = sessions[k].call("PATCH", "/shares/contended",
                                          {"comment": "%d-%d" % (i, k), "version": version}).status_code

        threads = [threading.Thread(target=update, args=(k,)) for k in range(2)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(30)
        # Both read the same version: exactly one update wins, the other is refused.
        assert sorted(results) == [200, 400], results
    final = sessions[1].ok("GET", "/shares/contended")
    assert final["version"] == 1 + rounds

    # Blind writes (no version) from both sides at once: every one is applied.
    def grant_many(k):
        for j in range(10):
            name = "r%d_%d" % (k, j)
            sessions[k].ok("POST", "/recipients", {"name": name}, status=201)
            sessions[k].ok("PUT", "/recipients/%s/grants/contended" % name)

    threads = [threading.Thread(target=grant_many, args=(k,)) for k in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert len(sessions[0].ok("GET", "/shares/contended")["recipients"]) == 20


def on(server, session):
    """The same session, used through another server."""
    return AdminSession(server.base_url, token=session.token)


def test_a_session_opened_on_one_replica_works_on_the_other(replicas):
    a, b = replicas
    on_a = a.admin()
    on_b = on(b, on_a)
    assert on_b.call("GET", "/shares").status_code == 200
    on_b.ok("POST", "/shares", {"name": "made_on_b"}, status=201)
    # As behind a load balancer: every request to either replica is served.
    for i in range(20):
        assert (on_a, on_b)[i % 2].call("GET", "/shares/made_on_b").status_code == 200
    made = on_a.ok("GET", "/audit", params={"action": "createShare", "object": "share:made_on_b"})["items"]
    assert [e["actor"] for e in made] == [ADMIN_USER]
    # Logged out on B: refused on A at once.
    assert on_b.call("POST", "/logout").status_code == 204
    assert on_a.call("GET", "/shares").status_code == 401
    assert on_b.call("GET", "/shares").status_code == 401

    # A viewer logged in on B reads through both and writes through neither.
    viewer_b = b.admin(VIEWER_USER, VIEWER_PASSWORD)
    for s in (viewer_b, on(a, viewer_b)):
        assert s.call("GET", "/shares/made_on_b").status_code == 200
        assert s.call("POST", "/shares", {"name": "by_viewer"}).status_code == 403
        assert s.call("PATCH", "/shares/made_on_b", {"comment": "x"}).status_code == 403
        assert s.call("DELETE", "/shares/made_on_b").status_code == 403
        assert s.call("GET", "/users").status_code == 403
    assert a.admin().call("GET", "/shares/made_on_b").json().get("comment") is None

    # `lakeshare admin login` against A, then the CLI against B with that token.
    login = run_cli(a.binary, ["admin", "--url", a.base_url, "-u", ADMIN_USER, "login"], stdin=ADMIN_PASSWORD + "\n")
    assert login.returncode == 0, login.stderr
    env = {"LAKESHARE_ADMIN_TOKEN": login.stdout.strip()}
    listed = run_cli(b.binary, ["admin", "--url", b.base_url, "--json", "share", "list"], env=env)
    assert listed.returncode == 0, listed.stderr
    assert "made_on_b" in [x["name"] for x in json.loads(listed.stdout)["items"]]
    assert run_cli(b.binary, ["admin", "--url", b.base_url, "logout"], env=env).returncode == 0
    assert run_cli(a.binary, ["admin", "--url", a.base_url, "share", "list"], env=env).returncode == 3  # denied


def test_user_changes_through_one_replica_end_sessions_on_the_other(replicas):
    a, b = replicas
    ops_a = a.admin()
    password = "a long enough password"
    ops_a.ok("POST", "/users", {"name": "temp", "password": password, "role": "viewer"}, status=201)

    # A promotion through A ends the session on B; a new login has the role.
    temp_b = b.admin("temp", password)
    assert temp_b.call("POST", "/shares", {"name": "by_temp"}).status_code == 403
    ops_a.ok("PATCH", "/users/temp", {"role": "admin"})
    seen_within(lambda: temp_b.call("GET", "/shares").status_code == 401)
    temp_b = b.admin("temp", password)
    assert temp_b.call("POST", "/shares", {"name": "by_temp"}).status_code == 201

    # A password reset through A ends the session on B.
    ops_a.ok("PATCH", "/users/temp", {"password": password + "!"})
    seen_within(lambda: temp_b.call("GET", "/shares").status_code == 401)
    password += "!"

    # Changing one's own password keeps that session, ends the others.
    mine_a, other_b = a.admin("temp", password), b.admin("temp", password)
    on(b, mine_a).ok("PATCH", "/users/temp", {"password": password + "?"})
    assert mine_a.call("GET", "/shares").status_code == 200
    assert other_b.call("GET", "/shares").status_code == 401
    password += "?"

    # A user deleted through A loses its session on B within a second.
    temp_b = b.admin("temp", password)
    assert temp_b.call("GET", "/shares").status_code == 200
    ops_a.ok("DELETE", "/users/temp")
    took = seen_within(lambda: temp_b.call("GET", "/shares").status_code == 401)
    assert took < WITHIN
    assert mine_a.call("GET", "/shares").status_code == 401
    assert requests.post(b.base_url + "/api/v1/login", json={"username": "temp", "password": password},
                         timeout=30).status_code == 401


def test_kill_9_of_a_replica_behind_haproxy_loses_no_acknowledged_write(lakeshare_bin, postgres_cluster, tmp_path):
    """Two replicas on PostgreSQL behind a real HAProxy (deploy/compose/haproxy.cfg,
    health checks on /readyz), under a bounded load of /query and admin writes:
    one replica is killed with SIGKILL mid-load and started again. Only requests
    in flight on the killed replica may fail; every acknowledged write is in the
    catalog; the survivor serves throughout; the restarted replica gets traffic again."""
    dbname, url = postgres_cluster.new_database()
    db = CatalogDb("postgresql", url, cluster=postgres_cluster, dbname=dbname)
    cluster = Cluster(lakeshare_bin, db, str(tmp_path))
    try:
        # A new connection per request, so every failure names its replica.
        load = Load(cluster, keep_alive=False).start()
        time.sleep(2.0)
        killed_at = time.monotonic()
        cluster.kill(0)  # SIGKILL, then waits until the process is gone
        gone_at = time.monotonic()
        time.sleep(2.5)
        restarted_at = time.monotonic()
        cluster.restart(0)
        # Served by the restarted replica again (it passed /readyz twice).
        deadline = time.monotonic() + 10
        while not any(r.replica == REPLICAS[0] and r.ok and r.start > restarted_at for r in load.snapshot()):
            assert time.monotonic() < deadline, "the restarted replica got no traffic\n" + cluster.lb.log_tail()
            time.sleep(0.1)
        time.sleep(1.0)
        load.stop()
        records = load.snapshot()

        failed = [r for r in records if not r.ok]
        # Every failure was on the killed replica and in flight while it died
        # (sent before it was gone, answered after the signal).
        for r in failed:
            assert r.replica == REPLICAS[0] and r.start <= gone_at and r.end >= killed_at, (
                r.kind, r.status, r.replica, r.error, r.start - killed_at, r.end - killed_at, gone_at - killed_at,
                cluster.lb.log_lines_of(r.rid))

        # The survivor served on while the other was down, and queries and writes succeeded.
        during = [r for r in records if gone_at < r.start and r.end < restarted_at]
        assert during and all(r.ok and r.replica == REPLICAS[1] for r in during)
        writes = [(round(r.start - killed_at, 3), round(r.end - killed_at, 3), r.status, r.replica, r.error)
                  for r in records if r.kind == "write" and r.end > killed_at - 1 and r.start < restarted_at + 1]
        assert {r.kind for r in during} == {"query", "write"}, writes
        survivor = [r.latency for r in during if r.kind == "query"]
        print("requests: %d, failed in flight: %d (the killed process took %.0f ms to go); survivor /query "
              "during the outage: n=%d p50=%.1f ms p99=%.1f ms"
              % (len(records), len(failed), 1000 * (gone_at - killed_at), len(survivor),
                 1000 * percentile(survivor, 50), 1000 * percentile(survivor, 99)))

        # No acknowledged admin write lost: each is in the catalog, seen through both replicas.
        acked = {r.name for r in records if r.kind == "write" and r.ok}
        assert len(acked) >= 20
        in_db = {row[0] for row in db.query("SELECT name FROM recipients")}
        assert acked <= in_db, sorted(acked - in_db)
        for server in cluster.servers:
            ops = AdminSession(server.base_url, token=load.admin_token)
            listed, page = set(), {"maxResults": 1000}
            while True:
                answer = ops.ok("GET", "/recipients", params=page)
                listed |= {x["name"] for x in answer["items"]}
                if not answer.get("nextPageToken"):
                    break
                page = {"maxResults": 1000, "pageToken": answer["nextPageToken"]}
            assert acked <= listed, sorted(acked - listed)
    finally:
        cluster.stop()
