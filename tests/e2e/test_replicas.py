"""Two `lakeshare serve` replicas on one catalog database (PostgreSQL, the
production setup; SQLite too, two processes on one file): a change made
through one — a revoked token, a new table, a revoked grant, a new admin
user — is seen through the other within a second; both audit into one log;
concurrent updates through both lose nothing."""
import os
import threading
import time

import pytest
import requests

import harness
from catalog_db import BACKENDS, DbServer, new_catalog_db

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
    ops_a, ops_b = a.admin(), b.admin()  # sessions are per process: log in to each
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
