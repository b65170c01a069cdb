"""The server running from a catalog database (catalogUrl) instead of the
YAML file: a YAML catalog imported with `lakeshare import-config`, served
from SQLite, with the same authorisation semantics."""
import json
import os
import subprocess

import requests

import harness
from conftest import launch_server


def yaml_catalog(db_url):
    return {
        "version": 1, "host": "127.0.0.1", "port": 0, "endpoint": "/delta-sharing",
        "catalogUrl": db_url,
        "shares": [
            {"name": "sales", "schemas": [{"name": "d", "tables": [
                {"name": "simple", "location": os.path.join(harness.DELTA_ROOT, "simple_table"),
                 "historyShared": True}]}]},
            {"name": "hr", "schemas": [{"name": "p", "tables": [
                {"name": "staff", "location": os.path.join(harness.DELTA_ROOT, "delta-0.8.0")}]}]},
        ],
        "recipients": [
            {"name": "alice", "token": "tok-alice", "shares": ["sales"]},
            {"name": "root", "token": "tok-root", "shares": "*"},
        ],
    }


def import_config(binary, workdir, config):
    path = os.path.join(workdir, "import.yaml")
    with open(path, "w") as f:
        f.write(harness.to_yaml(config))
    out = subprocess.run([binary, "import-config", "--config", path], capture_output=True,
                         text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout)


def test_import_then_serve_from_sqlite(lakeshare_bin, tmp_path):
    workdir = str(tmp_path)
    db_url = "sqlite:" + os.path.join(workdir, "catalog.db")
    first = import_config(lakeshare_bin, workdir, yaml_catalog(db_url))
    assert first["sharesCreated"] == 2 and first["tablesCreated"] == 2
    assert first["recipientsCreated"] == 2
    again = import_config(lakeshare_bin, workdir, yaml_catalog(db_url))
    assert again["changes"] == 0, again  # idempotent

    # The served config holds no shares and no tokens: all come from the database.
    server = launch_server(lakeshare_bin, {"version": 1, "host": "127.0.0.1", "port": 0,
                                           "catalogUrl": db_url}, workdir, name="dbserve")
    try:
        base = server.endpoint_url

        def get(path, token):
            headers = {"Authorization": "Bearer " + token} if token else {}
            return requests.get(base + path, headers=headers, timeout=10)

        r = get("/shares", "tok-alice")
        assert r.status_code == 200
        assert [s["name"] for s in r.json()["items"]] == ["sales"]
        assert sorted(s["name"] for s in get("/shares", "tok-root").json()["items"]) == ["hr", "sales"]
        assert get("/shares", "wrong").status_code == 401
        assert get("/shares", None).status_code == 401
        # Ungranted looks exactly like missing.
        ungranted = get("/shares/hr/schemas", "tok-alice")
        missing = get("/shares/nope/schemas", "tok-alice")
        assert ungranted.status_code == missing.status_code == 404
        assert ungranted.json()["errorCode"] == missing.json()["errorCode"]
        # Table data through the database catalog.
        r = requests.post(base + "/shares/SALES/schemas/d/tables/simple/query", json={},
                          headers={"Authorization": "Bearer tok-alice"}, timeout=10)
        assert r.status_code == 200
        lines = [json.loads(x) for x in r.text.splitlines()]
        assert "protocol" in lines[0] and "metaData" in lines[1]
        assert len(lines) - 2 == 5  # simple_table has 5 active files at its latest version
        v = get("/shares/sales/schemas/d/tables/simple/version", "tok-alice")
        assert v.headers["Delta-Table-Version"] == "4"
    finally:
        server.stop_and_check()


def test_import_needs_a_catalog_url(lakeshare_bin, tmp_path):
    path = os.path.join(str(tmp_path), "c.yaml")
    with open(path, "w") as f:
        f.write("version: 1\nauthorization: {bearerToken: x}\n")
    out = subprocess.run([lakeshare_bin, "import-config", "--config", path], capture_output=True,
                         text=True, timeout=60)
    assert out.returncode != 0
    assert "catalogUrl" in out.stderr


def test_admin_api_end_to_end(lakeshare_bin, tmp_path):
    """The admin REST API on the real binary: log in, create a share with a
    table and a recipient, hand out a token (profile), read with it, revoke."""
    workdir = str(tmp_path)
    db_url = "sqlite:" + os.path.join(workdir, "catalog.db")
    cfg_path = os.path.join(workdir, "c.yaml")
    with open(cfg_path, "w") as f:
        f.write("version: 1\ncatalogUrl: %s\n" % db_url)
    out = subprocess.run([lakeshare_bin, "create-admin-user", "--config", cfg_path, "--name", "ops"],
                         input="correct horse battery staple\n", capture_output=True, text=True,
                         timeout=60)
    assert out.returncode == 0, out.stderr
    weak = subprocess.run([lakeshare_bin, "create-admin-user", "--config", cfg_path, "--name", "x"],
                          input="short\n", capture_output=True, text=True, timeout=60)
    assert weak.returncode != 0

    server = launch_server(lakeshare_bin, {"version": 1, "host": "127.0.0.1", "port": 0,
                                           "catalogUrl": db_url}, workdir, name="admin")
    try:
        api = server.base_url + "/api/v1"
        assert requests.post(api + "/login", json={"username": "ops", "password": "nope"},
                             timeout=10).status_code == 401
        r = requests.post(api + "/login", json={"username": "ops",
                                                "password": "correct horse battery staple"}, timeout=10)
        assert r.status_code == 200, r.text
        h = {"Authorization": "Bearer " + r.json()["token"]}
        assert requests.get(api + "/shares", timeout=10).status_code == 401
        assert requests.post(api + "/shares", json={"name": "sales"}, headers=h, timeout=10).status_code in (200, 201, 204)
        assert requests.post(api + "/shares/sales/schemas", json={"name": "d"}, headers=h,
                             timeout=10).status_code in (200, 201, 204)
        r = requests.post(api + "/shares/sales/schemas/d/tables", headers=h, timeout=10,
                          json={"name": "simple", "location": os.path.join(harness.DELTA_ROOT, "simple_table")})
        assert r.status_code in (200, 201), r.text
        assert requests.post(api + "/recipients", json={"name": "bob"}, headers=h,
                             timeout=10).status_code in (200, 201, 204)
        assert requests.post(api + "/recipients/bob/grants", json={"share": "sales"}, headers=h,
                             timeout=10).status_code in (200, 201, 204)
        r = requests.post(api + "/recipients/bob/tokens", json={}, headers=h, timeout=10)
        assert r.status_code in (200, 201), r.text
        profile = r.json()
        assert profile["shareCredentialsVersion"] == 1
        assert profile["endpoint"].endswith("/delta-sharing")
        rh = {"Authorization": "Bearer " + profile["bearerToken"]}
        shares = requests.get(profile["endpoint"] + "/shares", headers=rh, timeout=10)
        assert [s["name"] for s in shares.json()["items"]] == ["sales"]
        q = requests.post(profile["endpoint"] + "/shares/sales/schemas/d/tables/simple/query",
                          json={}, headers=rh, timeout=10)
        assert q.status_code == 200 and len(q.text.splitlines()) == 7
        # A sharing token is no admin session.
        assert requests.get(api + "/shares", headers=rh, timeout=10).status_code == 401
        tokens = requests.get(api + "/recipients/bob/tokens", headers=h, timeout=10).json()
        items = tokens["items"] if isinstance(tokens, dict) else tokens
        assert profile["bearerToken"] not in json.dumps(tokens)
        for t in items:
            assert requests.delete(api + "/recipients/bob/tokens/" + t["id"], headers=h,
                                   timeout=10).status_code in (200, 204)
        assert requests.get(profile["endpoint"] + "/shares", headers=rh, timeout=10).status_code == 401
        assert requests.get(api + "/openapi.json", timeout=10).json()["openapi"].startswith("3.")
    finally:
        server.stop_and_check()
