"""`lakeshare demo` ends in the web console: it serves its sample tables from a
SQLite catalog, prints the console URL and an admin password made for the
run, and that password logs in to the admin API the console uses."""
import re
import subprocess
import threading
import time

import requests

from catalog_db import free_port


def start_demo(binary, demo_dir):
    for _ in range(3):
        port = free_port()
        proc = subprocess.Popen([binary, "demo", "--dir", demo_dir, "--port", str(port)],
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, stdin=subprocess.DEVNULL)
        lines, deadline = [], time.monotonic() + 60
        while time.monotonic() < deadline:
            line = proc.stdout.readline().decode()
            if not line:
                break
            lines.append(line)
            if re.search(r"listening on (http://\S+)", line):
                threading.Thread(target=proc.stdout.read, daemon=True).start()
                threading.Thread(target=proc.stderr.read, daemon=True).start()
                return proc, "".join(lines)
        proc.kill()
        proc.wait()
    raise AssertionError("demo did not start: %s %s" % ("".join(lines), proc.stderr.read()[-2000:]))


def test_demo_prints_the_console_and_a_password_that_logs_in(lakeshare_bin, tmp_path):
    for run in range(2):  # a second run starts from a fresh catalog and a new password
        proc, out = start_demo(lakeshare_bin, str(tmp_path / "demo"))
        try:
            m = re.search(r"console:\s+(http://\S+/console/)\s+\(user admin, password (\S+),", out)
            assert m, out
            console, password = m.group(1), m.group(2)
            assert requests.get(console, timeout=30).status_code == 200
            base = console[: -len("/console/")]
            r = requests.post(base + "/api/v1/login", json={"username": "admin", "password": password},
                              timeout=30)
            assert r.status_code == 200, r.text
            h = {"Authorization": "Bearer " + r.json()["token"]}
            tables = requests.get(base + "/api/v1/shares/demo/schemas/retail/tables", headers=h, timeout=30)
            assert tables.status_code == 200, tables.text
            names = {t["name"] for t in tables.json()["items"]}
            assert {"sales", "customers", "events"} <= names
            inspected = requests.get(base + "/api/v1/shares/demo/schemas/retail/tables/sales/inspect",
                                     headers=h, timeout=30)
            assert inspected.status_code == 200 and inspected.json()["numFiles"] > 0, inspected.text
        finally:
            proc.terminate()
            proc.wait(timeout=30)
