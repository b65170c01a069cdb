"""What the end-to-end load scripts share: a `lakeshare serve` on a config
with one table `s.d.t`, timed queries over one connection, /version latency
and the server's resident memory."""
import contextlib
import os
import re
import signal
import subprocess
import time

import requests

TOKEN = "bench-token"


def write_config(path, table_yaml):
    """A server config with the bench token and one table (`table_yaml`: the
    flow-style mapping of the table, e.g. "{name: t, location: /x}")."""
    with open(path, "w") as f:
        f.write("version: 1\nhost: 127.0.0.1\nport: 0\naccessLog: false\n"
                "authorization: {bearerToken: %s}\n"
                "shares:\n- name: s\n  schemas:\n  - name: d\n    tables:\n"
                "    - %s\n" % (TOKEN, table_yaml))


def rss_kib(pid):
    with open("/proc/%d/status" % pid) as f:
        return int(re.search(r"VmRSS:\s+(\d+) kB", f.read()).group(1))


class Server:
    def __init__(self, proc, url):
        self.proc = proc
        self.url = url
        self.session = requests.Session()
        self.session.headers["Authorization"] = "Bearer " + TOKEN
        self.table = url + "/shares/s/schemas/d/tables/t"

    def query(self, body=None, headers=None):
        """(seconds, file lines) of one /query read to its end."""
        t0 = time.perf_counter()
        r = self.session.post(self.table + "/query", json=body or {}, stream=True, headers=headers)
        r.raise_for_status()
        n = sum(1 for _ in r.iter_lines())
        return time.perf_counter() - t0, n - 2  # protocol and metaData lines

    def version_ms(self, times=50):
        t0 = time.perf_counter()
        for _ in range(times):
            self.session.get(self.table + "/version").raise_for_status()
        return (time.perf_counter() - t0) / times * 1000

    def rss_kib(self):
        return rss_kib(self.proc.pid)

    def cpu_s(self):
        """The server's CPU time so far (user + sys), seconds."""
        with open("/proc/%d/stat" % self.proc.pid) as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


@contextlib.contextmanager
def serve(binary, config):
    proc = subprocess.Popen([binary, "serve", "--config", config], stdout=subprocess.PIPE, text=True)
    try:
        url = proc.stdout.readline().split("listening on ", 1)[1].strip()
        yield Server(proc, url)
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=30)
