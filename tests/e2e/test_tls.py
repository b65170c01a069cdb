"""HTTPS on the server's one listener (`ssl:` as the reference server spells it).

Certificates are made by the openssl CLI in the test's folder. Checked: curl
with --cacert and Python's http.client and requests talk to it; signed local
file URLs are https and download over TLS; plain HTTP to the TLS port gets a
clear 400 in plain HTTP; TLS 1.1 and non-forward-secret ciphers are refused;
the header/body limits hold over TLS; a self-signed certificate made at
start; unusable certificate settings refuse to start; SIGHUP reloads the
certificate while requests are in flight (none fails, open connections
carry on, new ones get the new certificate; a broken file keeps the old one);
activation links and the profiles they hand out are https.
"""

import hashlib
import http.client
import os
import signal
import socket
import ssl
import subprocess
import threading
import time

import pytest
import requests

import harness
from catalog_db import DbServer
from conftest import launch_server

TOKEN = "tok-tls"


def make_cert(folder, name, password=None, cn="localhost"):
    """A self-signed EC certificate for localhost/127.0.0.1; returns (cert, key)."""
    cert = os.path.join(folder, name + ".crt")
    key = os.path.join(folder, name + ".key")
    args = ["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256",
            "-keyout", key, "-out", cert, "-days", "2", "-subj", "/CN=" + cn,
            "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1"]
    args += ["-passout", "pass:" + password] if password else ["-nodes"]
    subprocess.run(args, check=True, capture_output=True)
    return cert, key


def config(ssl_block, **extra):
    cfg = {
        "version": 1, "host": "127.0.0.1", "port": 0, "endpoint": "/delta-sharing",
        "authorization": {"bearerToken": TOKEN},
        "ssl": ssl_block,
        "shares": [{"name": "s", "schemas": [{"name": "d", "tables": [
            {"name": "t", "location": os.path.join(harness.DELTA_ROOT, "simple_table")}]}]}],
    }
    cfg.update(extra)
    return cfg


def der_fingerprint(cert_path):
    with open(cert_path) as f:
        der = ssl.PEM_cert_to_DER_cert(f.read())
    return hashlib.sha256(der).hexdigest()


def served_fingerprint(port):
    ctx = ssl.create_default_context()
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    with socket.create_connection(("127.0.0.1", port), timeout=5) as raw:
        with ctx.wrap_socket(raw, server_hostname="localhost") as s:
            return hashlib.sha256(s.getpeercert(binary_form=True)).hexdigest()


def port_of(server):
    return int(server.base_url.rsplit(":", 1)[1])


@pytest.fixture(scope="module")
def tls_server(lakeshare_bin, tmp_path_factory):
    d = str(tmp_path_factory.mktemp("tls"))
    cert, key = make_cert(d, "server", password="pa55-word")
    server = launch_server(lakeshare_bin, config({"certificateFile": cert, "certificateKeyFile": key,
                                                  "certificatePassword": "pa55-word"}), d, name="tls")
    server.cert = cert
    yield server
    server.stop_and_check()
    assert "pa55-word" not in server.stderr_text(100000) + "".join(server.stdout_lines)


def test_announces_https(tls_server):
    assert tls_server.endpoint_url.startswith("https://127.0.0.1:")


def test_curl_with_cacert(tls_server):
    out = subprocess.run(
        ["curl", "-sS", "--cacert", tls_server.cert, "-H", "Authorization: Bearer " + TOKEN,
         "-w", "\n%{http_code} %{ssl_verify_result}",
         "https://localhost:%d/delta-sharing/shares" % port_of(tls_server)],
        capture_output=True, text=True, timeout=20)
    assert out.returncode == 0, out.stderr
    body, status = out.stdout.rsplit("\n", 1)
    assert status == "200 0"
    assert '"name":"s"' in body


def test_http_client_and_signed_urls_are_https(tls_server):
    ctx = ssl.create_default_context(cafile=tls_server.cert)
    conn = http.client.HTTPSConnection("localhost", port_of(tls_server), context=ctx, timeout=20)
    headers = {"Authorization": "Bearer " + TOKEN, "Content-Type": "application/json"}
    for _ in range(3):  # keep-alive: several requests on one TLS connection
        conn.request("POST", "/delta-sharing/shares/s/schemas/d/tables/t/query", body="{}",
                     headers=headers)
        resp = conn.getresponse()
        body = resp.read().decode()
        assert resp.status == 200, body
    conn.close()
    import json
    urls = [json.loads(line)["file"]["url"] for line in body.splitlines() if '"file"' in line]
    assert urls and all(u.startswith("https://localhost:%d/" % port_of(tls_server)) for u in urls)
    r = requests.get(urls[0], verify=tls_server.cert, timeout=20)
    assert r.status_code == 200 and r.content[:4] == b"PAR1"


def test_requests_session(tls_server):
    # verify= on each call: a Session's own verify loses to REQUESTS_CA_BUNDLE.
    cert = tls_server.cert
    with requests.Session() as s:
        s.headers["Authorization"] = "Bearer " + TOKEN
        for _ in range(5):
            r = s.get("https://127.0.0.1:%d/delta-sharing/shares/s/schemas" % port_of(tls_server),
                      timeout=20, verify=cert)
            assert r.status_code == 200, r.text
        r = s.get("https://127.0.0.1:%d/delta-sharing/shares" % port_of(tls_server),
                  headers={"X-Big": "x" * 40000}, timeout=20, verify=cert)
        assert r.status_code == 431
        r = s.post("https://127.0.0.1:%d/delta-sharing/shares/s/schemas/d/tables/t/query"
                   % port_of(tls_server), data=b"{" + b" " * (2 << 20) + b"}", timeout=20,
                   verify=cert)
        assert r.status_code == 413


def test_plain_http_refused_clearly(tls_server):
    r = requests.get("http://127.0.0.1:%d/delta-sharing/shares" % port_of(tls_server), timeout=10)
    assert r.status_code == 400
    assert "https" in r.json()["message"]
    assert r.headers.get("Connection", "").lower() == "close"


@pytest.mark.parametrize("args", [
    ["-tls1_1", "-cipher", "DEFAULT@SECLEVEL=0"],   # an old protocol version
    ["-tls1_2", "-cipher", "AES128-SHA256"],         # no forward secrecy
    ["-tls1_2", "-cipher", "ECDHE-RSA-AES128-SHA"],  # CBC, not AEAD
])
def test_old_protocols_and_ciphers_refused(tls_server, args):
    out = subprocess.run(["openssl", "s_client", "-connect", "127.0.0.1:%d" % port_of(tls_server)]
                         + args, input="", capture_output=True, text=True, timeout=20)
    assert out.returncode != 0
    assert "BEGIN CERTIFICATE" not in out.stdout  # no handshake completed
    ok = subprocess.run(["openssl", "s_client", "-connect", "127.0.0.1:%d" % port_of(tls_server),
                         "-tls1_2"], input="", capture_output=True, text=True, timeout=20)
    assert ok.returncode == 0 and "ECDHE" in ok.stdout, ok.stdout + ok.stderr


def test_self_signed(lakeshare_bin, tmp_path):
    server = launch_server(lakeshare_bin, config({"selfSigned": True}), str(tmp_path), name="self")
    try:
        r = requests.get(server.endpoint_url + "/shares", verify=False, timeout=20,
                         headers={"Authorization": "Bearer " + TOKEN})
        assert r.status_code == 200
        # Made in memory: a certificate for localhost that no CA vouches for.
        with pytest.raises(requests.exceptions.SSLError):
            requests.get(server.endpoint_url + "/shares", timeout=20)
        assert "self-signed" in server.stderr_text() + "".join(server.stdout_lines)
    finally:
        server.stop_and_check()


@pytest.mark.parametrize("case", ["wrong_password", "mismatch", "missing", "half"])
def test_unusable_tls_settings_refuse_to_start(lakeshare_bin, tmp_path, case):
    d = str(tmp_path)
    cert, key = make_cert(d, "a", password="right-password")
    other_cert, _ = make_cert(d, "b")
    block = {"certificateFile": cert, "certificateKeyFile": key, "certificatePassword": "wrong"}
    if case == "mismatch":
        block = {"certificateFile": other_cert, "certificateKeyFile": key,
                 "certificatePassword": "right-password"}
    elif case == "missing":
        block = {"certificateFile": os.path.join(d, "nope.crt"), "certificateKeyFile": key}
    elif case == "half":
        block = {"certificateFile": cert}
    rc, out = harness.ServerProcess(lakeshare_bin, config(block), d, name="bad").run_expecting_failure()
    assert rc != 0
    assert "certificate" in out.lower() or "key" in out.lower()
    assert "right-password" not in out and "listening" not in out


def test_sighup_reloads_certificate_under_load(lakeshare_bin, tmp_path):
    d = str(tmp_path)
    cert, key = make_cert(d, "live")
    server = launch_server(lakeshare_bin, config({"certificateFile": cert, "certificateKeyFile": key}),
                           d, name="reload")
    port = port_of(server)
    first = der_fingerprint(cert)
    assert served_fingerprint(port) == first
    ca_both = os.path.join(d, "both.pem")  # clients trust the old and the new certificate
    new_cert, new_key = make_cert(d, "next")
    with open(ca_both, "w") as f:
        f.write(open(cert).read() + open(new_cert).read())

    stop = threading.Event()
    failures, done = [], [0]

    def keep_alive_client():
        with requests.Session() as s:  # one TLS connection, reused throughout
            s.headers["Authorization"] = "Bearer " + TOKEN
            while not stop.is_set():
                try:
                    r = s.post("https://127.0.0.1:%d/delta-sharing/shares/s/schemas/d/tables/t/query"
                               % port, json={}, timeout=20, verify=ca_both)
                    if r.status_code != 200:
                        failures.append(r.status_code)
                    done[0] += 1
                except Exception as e:  # noqa: BLE001 (any failure counts)
                    failures.append(repr(e))

    def new_connection_client():
        while not stop.is_set():
            try:
                r = requests.get("https://127.0.0.1:%d/delta-sharing/shares" % port, verify=ca_both,
                                 headers={"Authorization": "Bearer " + TOKEN}, timeout=20)
                if r.status_code != 200:
                    failures.append(r.status_code)
                done[0] += 1
            except Exception as e:  # noqa: BLE001
                failures.append(repr(e))

    threads = [threading.Thread(target=keep_alive_client) for _ in range(3)]
    threads += [threading.Thread(target=new_connection_client) for _ in range(2)]
    for t in threads:
        t.start()
    try:
        time.sleep(0.5)
        os.replace(new_cert, cert)
        os.replace(new_key, key)
        server.proc.send_signal(signal.SIGHUP)
        deadline = time.monotonic() + 10
        while served_fingerprint(port) == first and time.monotonic() < deadline:
            time.sleep(0.1)
        assert served_fingerprint(port) != first
        for _ in range(3):
            server.proc.send_signal(signal.SIGHUP)  # more reloads mid-load
            time.sleep(0.2)
        # A broken certificate file: the reload fails, the old one stays.
        current = served_fingerprint(port)
        with open(cert, "w") as f:
            f.write("not a certificate\n")
        server.proc.send_signal(signal.SIGHUP)
        time.sleep(0.5)
        assert served_fingerprint(port) == current
    finally:
        stop.set()
        for t in threads:
            t.join(30)
    assert server.alive(), server.diagnostics()
    assert failures == [], failures[:5]
    assert done[0] > 20
    log = server.stderr_text(100000) + "".join(server.stdout_lines)
    assert "certificate reloaded" in log and "reload failed" in log
    server.stop_and_check()


def test_activation_links_and_profiles_are_https(lakeshare_bin, tmp_path, monkeypatch):
    d = str(tmp_path)
    cert, key = make_cert(d, "admin")
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", cert)  # every requests call below trusts it

    class Db:
        url = "sqlite:" + os.path.join(d, "catalog.db")

    srv = DbServer(lakeshare_bin, Db, d, name="tlsdb",
                   ssl={"certificateFile": cert, "certificateKeyFile": key}).start()
    try:
        assert srv.base_url.startswith("https://")
        ops = srv.admin()  # logs in over https
        ops.ok("POST", "/recipients", {"name": "newcomer"}, status=201)
        link = ops.ok("POST", "/recipients/newcomer/activation-links", {}, status=201)
        assert link["url"].startswith(srv.base_url + "/console/activate#"), link["url"]
        secret = link["url"].split("#", 1)[1]
        profile = requests.post(ops.api + "/activate/" + secret, timeout=30).json()
        assert profile["endpoint"].startswith("https://"), profile
        r = requests.get(profile["endpoint"] + "/shares", timeout=30,
                         headers={"Authorization": "Bearer " + profile["bearerToken"]})
        assert r.status_code == 200, r.text
    finally:
        srv.stop()


def test_connection_cap_holds_on_tls(lakeshare_bin, tmp_path):
    d = str(tmp_path)
    server = launch_server(lakeshare_bin, config({"selfSigned": True}, maxConnections=3), d,
                           name="cap")
    try:
        port = port_of(server)
        held = [socket.create_connection(("127.0.0.1", port)) for _ in range(3)]
        time.sleep(0.3)
        ctx = ssl.create_default_context()
        ctx.check_hostname = False
        ctx.verify_mode = ssl.CERT_NONE
        with socket.create_connection(("127.0.0.1", port), timeout=10) as raw:
            with pytest.raises((ssl.SSLError, ConnectionError, OSError)):
                with ctx.wrap_socket(raw, server_hostname="localhost"):
                    pass
        for s in held:
            s.close()
        time.sleep(0.3)
        r = requests.get(server.endpoint_url + "/shares", verify=False, timeout=20,
                         headers={"Authorization": "Bearer " + TOKEN})
        assert r.status_code == 200
    finally:
        server.stop_and_check()
