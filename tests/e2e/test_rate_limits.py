"""Per-recipient request rate limits (issue 14, Limits): a token bucket per
recipient with the server's default (`rateLimit:`), overridden per recipient
in the catalog database through the admin API (taking effect on the next
request, no restart) or in the YAML file. Over the limit: 429
TOO_MANY_REQUESTS with a whole-seconds Retry-After in the protocol's JSON
error shape; other recipients are not affected."""
import os
import time

import pytest
import requests

from catalog_db import ADMIN_PASSWORD, ADMIN_USER, BACKENDS, DbServer, new_catalog_db, run_cli
from conftest import launch_server


def shares(endpoint_url, token):
    return requests.get(endpoint_url + "/shares", headers={"Authorization": "Bearer " + token}, timeout=30)


def assert_limited(r):
    assert r.status_code == 429, r.text
    wait = int(r.headers["Retry-After"])
    assert wait >= 1
    assert r.headers["Content-Type"] == "application/json"
    body = r.json()
    assert body["errorCode"] == "TOO_MANY_REQUESTS"
    assert "rate limit" in body["message"]
    return wait


def burst_until_limited(endpoint_url, token, most=200):
    """Requests until the first 429; returns (requests that passed, the 429)."""
    for n in range(most):
        r = shares(endpoint_url, token)
        if r.status_code != 200:
            return n, r
    raise AssertionError("never limited after %d requests" % most)


@pytest.fixture(scope="module")
def db_server(lakeshare_bin, tmp_path_factory, request):
    workdir = str(tmp_path_factory.mktemp("ratelimit"))
    db = new_catalog_db("sqlite", workdir, request)
    # 0.5 requests a second: the bucket refills slowly enough that a burst
    # sent in well under a second sees exactly `burst` successes.
    server = DbServer(lakeshare_bin, db, workdir, name="ratelimit",
                      rateLimit={"requestsPerSecond": 0.5, "burst": 3}).start()
    ops = server.admin()
    tokens = {}
    for name in ("alpha", "beta"):
        ops.ok("POST", "/recipients", {"name": name}, status=201)
        tokens[name] = ops.ok("POST", "/recipients/%s/tokens" % name, {}, status=201)["bearerToken"]
    yield server, ops, tokens
    server.stop()


def test_burst_then_429_with_retry_after_then_ok_after_waiting(db_server):
    server, _, tokens = db_server
    passed, refused = burst_until_limited(server.endpoint_url, tokens["alpha"])
    assert passed == 3
    wait = assert_limited(refused)
    assert wait == 2  # one token at 0.5/s
    # Another recipient has its own bucket.
    assert shares(server.endpoint_url, tokens["beta"]).status_code == 200
    time.sleep(wait)
    assert shares(server.endpoint_url, tokens["alpha"]).status_code == 200


def test_the_admin_api_override_applies_without_restart(db_server, lakeshare_bin):
    server, ops, tokens = db_server
    # Unlimited for alpha: far past the default burst.
    r = ops.ok("PATCH", "/recipients/alpha", {"rateLimitPerSecond": 0})
    assert r["rateLimitPerSecond"] == 0
    assert ops.ok("GET", "/recipients/alpha")["rateLimitPerSecond"] == 0
    for _ in range(20):
        assert shares(server.endpoint_url, tokens["alpha"]).status_code == 200
    # A limit of its own: 1 a second, burst 2.
    r = ops.ok("PATCH", "/recipients/alpha", {"rateLimitPerSecond": 1, "rateLimitBurst": 2})
    assert (r["rateLimitPerSecond"], r["rateLimitBurst"]) == (1, 2)
    passed, refused = burst_until_limited(server.endpoint_url, tokens["alpha"])
    assert passed == 2
    assert assert_limited(refused) == 1
    # beta still follows the default and is unaffected by alpha's bursts.
    time.sleep(2.5)
    assert shares(server.endpoint_url, tokens["beta"]).status_code == 200
    # -1 removes the override: the default applies again.
    r = ops.ok("PATCH", "/recipients/alpha", {"rateLimitPerSecond": -1})
    assert "rateLimitPerSecond" not in r and "rateLimitBurst" not in r
    assert "rateLimitPerSecond" not in ops.ok("GET", "/recipients/alpha")
    time.sleep(2)
    passed, refused = burst_until_limited(server.endpoint_url, tokens["alpha"])
    assert passed <= 3
    assert_limited(refused)


def test_bad_override_values_are_refused(db_server):
    _, ops, _ = db_server
    for body in ({"rateLimitPerSecond": -2}, {"rateLimitPerSecond": 2000000}, {"rateLimitBurst": 0},
                 {"rateLimitBurst": 5}, {"rateLimitPerSecond": "fast"},
                 {"rateLimitPerSecond": -1, "rateLimitBurst": 4}):
        r = ops.call("PATCH", "/recipients/beta", body)
        assert r.status_code == 400, (body, r.text)
        assert r.json()["errorCode"]


def test_the_admin_cli_sets_the_override(db_server, lakeshare_bin):
    server, ops, _ = db_server
    out = run_cli(lakeshare_bin, ["admin", "--url", server.base_url, "--user", ADMIN_USER, "recipient",
                                  "update", "beta", "--rate-limit", "7", "--rate-limit-burst", "9"],
                  env={"LAKESHARE_ADMIN_PASSWORD": ADMIN_PASSWORD})
    assert out.returncode == 0, out.stderr
    got = ops.ok("GET", "/recipients/beta")
    assert (got["rateLimitPerSecond"], got["rateLimitBurst"]) == (7, 9)
    ops.ok("PATCH", "/recipients/beta", {"rateLimitPerSecond": -1})


def test_yaml_catalog_default_from_environment_and_per_recipient_override(lakeshare_bin, tmp_path):
    config = {
        "version": 1, "host": "127.0.0.1", "port": 0, "endpoint": "/delta-sharing",
        "recipients": [{"name": "plain", "token": "tok-plain", "shares": []},
                       {"name": "vip", "token": "tok-vip", "shares": [],
                        "rateLimit": {"requestsPerSecond": 0}},
                       {"name": "slow", "token": "tok-slow", "shares": [],
                        "rateLimit": {"requestsPerSecond": 0.2, "burst": 1}}],
        "shares": [],
    }
    env = dict(os.environ)
    env["LAKESHARE_RATE_LIMIT__REQUESTS_PER_SECOND"] = "0.5"
    env["LAKESHARE_RATE_LIMIT__BURST"] = "2"
    s = launch_server(lakeshare_bin, config, str(tmp_path), name="yamlrate", env=env)
    try:
        passed, refused = burst_until_limited(s.endpoint_url, "tok-plain")
        assert passed == 2
        assert assert_limited(refused) == 2
        for _ in range(20):
            assert shares(s.endpoint_url, "tok-vip").status_code == 200
        passed, refused = burst_until_limited(s.endpoint_url, "tok-slow")
        assert passed == 1
        assert assert_limited(refused) == 5
        # An unauthenticated request is a 401, never counted or limited.
        assert shares(s.endpoint_url, "wrong").status_code == 401
    finally:
        s.stop_and_check()


@pytest.mark.parametrize("backend", BACKENDS)
def test_login_failures_are_counted_across_replicas_on_one_database(lakeshare_bin, tmp_path, request, backend):
    """Two servers on one catalog database: the five free failed logins of a
    name are five in all, not five per replica."""
    workdir = str(tmp_path)
    db = new_catalog_db(backend, workdir, request)
    a = DbServer(lakeshare_bin, db, workdir, name="throttle_a").start()
    b = DbServer(lakeshare_bin, db, workdir, name="throttle_b", users=False).start()
    try:
        def login(server, password="wrong"):
            return requests.post(server.base_url + "/api/v1/login",
                                 json={"username": ADMIN_USER, "password": password}, timeout=30)
        for server in (a, b, a, b, a):  # the five free failures, split over both
            assert login(server).status_code == 401
        assert login(b).status_code == 401  # the sixth: counted, and now both make it wait
        for server in (a, b):
            r = login(server, ADMIN_PASSWORD)  # even the right password waits
            assert r.status_code == 429, r.text
            assert int(r.headers["Retry-After"]) >= 1
        assert db.query("SELECT failures FROM login_failures WHERE throttle_key LIKE 'u:%'") == [["6"]]
        # After the wait, the right password works on either, and clears the name's count.
        time.sleep(int(r.headers["Retry-After"]))
        assert login(a, ADMIN_PASSWORD).status_code == 200
        assert db.query("SELECT failures FROM login_failures WHERE throttle_key LIKE 'u:%'") == []
    finally:
        a.stop()
        b.stop()
