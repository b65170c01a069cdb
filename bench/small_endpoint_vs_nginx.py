#!/usr/bin/env python3
"""Issue 14's yardstick for small endpoints: `GET /shares` (bearer token) from a
real `lakeshare serve` against nginx serving a static file of the same size,
side by side with wrk in one run, plain HTTP and TLS (one openssl-made
certificate for both servers).

lakeshare runs with `ioThreads: N` and nginx with `worker_processes N` (N =
--server-threads, default: the number of cores); lakeshare's handler threads
stay at their default. nginx gets keep-alive with no per-connection request
cap (its default of 1000 would make wrk reconnect; lakeshare has none), no
access log (lakeshare runs with `accessLog: false`), TLS 1.2/1.3. wrk runs on
the same machine with the same connections, threads and duration for every
target. Everything listens on 127.0.0.1 only.

Usage: bench/small_endpoint_vs_nginx.py [--bin build/src/cli/lakeshare]
       [--seconds 10] [--connections 16] [--wrk-threads 2]
       [--server-threads N] [--rounds 1]
"""
import argparse
import os
import re
import shutil
import signal
import socket
import statistics
import subprocess
import tempfile
import time

import requests
import urllib3

from bench_server import TOKEN, serve, write_config

urllib3.disable_warnings(urllib3.exceptions.InsecureRequestWarning)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def make_certificate(d):
    crt, key = os.path.join(d, "server.crt"), os.path.join(d, "server.key")
    subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
                    "-nodes", "-keyout", key, "-out", crt, "-days", "2", "-subj", "/CN=127.0.0.1",
                    "-addext", "subjectAltName=IP:127.0.0.1"],
                   check=True, capture_output=True)
    return crt, key


def lakeshare_config(d, name, threads, tls):
    path = os.path.join(d, name + ".yaml")
    write_config(path, "{name: t, location: %s}" % os.path.join(d, "table"))
    with open(path, "a") as f:
        f.write("ioThreads: %d\n" % threads)
        if tls:
            f.write("ssl: {certificateFile: %s, certificateKeyFile: %s}\n" % tls)
    return path


NGINX_CONF = """\
daemon off;
master_process on;
worker_processes {workers};
pid {d}/nginx.pid;
error_log {d}/nginx-error.log warn;
events {{ worker_connections 4096; }}
http {{
    access_log off;
    client_body_temp_path {d}/nginx-tmp/body;
    proxy_temp_path {d}/nginx-tmp/proxy;
    fastcgi_temp_path {d}/nginx-tmp/fastcgi;
    uwsgi_temp_path {d}/nginx-tmp/uwsgi;
    scgi_temp_path {d}/nginx-tmp/scgi;
    default_type application/json;
    keepalive_timeout 65;
    keepalive_requests 1000000000;
    server {{
        listen 127.0.0.1:{plain};
        listen 127.0.0.1:{tls} ssl;
        ssl_certificate {crt};
        ssl_certificate_key {key};
        ssl_protocols TLSv1.2 TLSv1.3;
        root {d}/www;
    }}
}}
"""


def start_nginx(d, workers, crt, key):
    os.makedirs(os.path.join(d, "nginx-tmp"), exist_ok=True)
    plain, tls = free_port(), free_port()
    conf = os.path.join(d, "nginx.conf")
    with open(conf, "w") as f:
        f.write(NGINX_CONF.format(d=d, workers=workers, plain=plain, tls=tls, crt=crt, key=key))
    proc = subprocess.Popen(["nginx", "-p", d, "-c", conf, "-e", os.path.join(d, "nginx-error.log")])
    for _ in range(100):
        try:
            requests.get("http://127.0.0.1:%d/shares" % plain, timeout=1)
            return proc, plain, tls
        except requests.ConnectionError:
            if proc.poll() is not None:
                raise SystemExit("nginx exited %d" % proc.returncode)
            time.sleep(0.05)
    raise SystemExit("nginx did not start")


def wrk(url, args):
    out = subprocess.run(["wrk", "-t", str(args.wrk_threads), "-c", str(args.connections),
                          "-d", "%gs" % args.seconds, "--latency", "-H", "Authorization: Bearer " + TOKEN, url],
                         check=True, capture_output=True, text=True).stdout
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))

    def ms(p):
        value, unit = re.search(r"^\s+%s%%\s+([\d.]+)(us|ms|s)\s*$" % p, out, re.M).groups()
        return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]

    errors = re.search(r"Socket errors:.*|Non-2xx.*", out)
    return {"rate": rate, "p50": ms(50), "p99": ms(99), "errors": errors.group(0) if errors else ""}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bin", default=os.path.join(os.path.dirname(__file__), "..", "build", "src", "cli", "lakeshare"))
    ap.add_argument("--seconds", type=float, default=10)
    ap.add_argument("--connections", type=int, default=16)
    ap.add_argument("--wrk-threads", type=int, default=2)
    ap.add_argument("--server-threads", type=int, default=os.cpu_count())
    ap.add_argument("--rounds", type=int, default=1, help="interleaved rounds; the median is reported")
    args = ap.parse_args()
    for tool in ("nginx", "wrk", "openssl"):
        if not shutil.which(tool):
            raise SystemExit("%s is not installed (scripts/install-deps)" % tool)

    with tempfile.TemporaryDirectory() as d:
        os.chmod(d, 0o755)  # nginx workers run as an unprivileged user and read www/
        crt, key = make_certificate(d)
        plain_config = lakeshare_config(d, "plain", args.server_threads, None)
        tls_config = lakeshare_config(d, "tls", args.server_threads, (crt, key))

        with serve(args.bin, plain_config) as server:
            r = requests.get(server.url + "/shares", headers={"Authorization": "Bearer " + TOKEN})
            r.raise_for_status()
            body = r.content
        os.makedirs(os.path.join(d, "www"))
        with open(os.path.join(d, "www", "shares"), "wb") as f:
            f.write(body)

        nginx, nginx_plain, nginx_tls = start_nginx(d, args.server_threads, crt, key)
        try:
            runs = {(who, scheme): [] for scheme in ("plain", "tls") for who in ("lakeshare", "nginx")}
            for _ in range(args.rounds):  # interleaved, so load from elsewhere hits all alike
                for scheme, config, port in (("plain", plain_config, nginx_plain), ("tls", tls_config, nginx_tls)):
                    with serve(args.bin, config) as server:
                        check = requests.get(server.url + "/shares", verify=False,
                                             headers={"Authorization": "Bearer " + TOKEN})
                        assert check.status_code == 200 and check.content == body, check.status_code
                        runs[("lakeshare", scheme)].append(wrk(server.url + "/shares", args))
                    url = "%s://127.0.0.1:%d/shares" % ("http" if scheme == "plain" else "https", port)
                    check = requests.get(url, verify=False)
                    assert check.status_code == 200 and check.content == body, check.status_code
                    runs[("nginx", scheme)].append(wrk(url, args))
        finally:
            nginx.send_signal(signal.SIGQUIT)  # graceful stop of master and workers
            nginx.wait(timeout=30)

    def median(who, scheme, key):
        return statistics.median(run[key] for run in runs[(who, scheme)])

    print("GET /shares, %d-byte body; wrk -t%d -c%d -d%gs, %d round(s) (median); %d server threads "
          "(lakeshare ioThreads, nginx worker_processes); %d cores, load average %.1f"
          % (len(body), args.wrk_threads, args.connections, args.seconds, args.rounds, args.server_threads,
             os.cpu_count(), os.getloadavg()[0]))
    print("%-6s %-10s %10s %9s %9s %14s" % ("scheme", "server", "req/s", "p50 ms", "p99 ms", "% of nginx"))
    for scheme in ("plain", "tls"):
        base = median("nginx", scheme, "rate")
        for who in ("lakeshare", "nginx"):
            rate = median(who, scheme, "rate")
            print("%-6s %-10s %10.0f %9.2f %9.2f %13.0f%%" % (scheme, who, rate, median(who, scheme, "p50"),
                                                             median(who, scheme, "p99"), 100 * rate / base))
    for (who, scheme), rs in runs.items():
        for run in rs:
            if run["errors"]:
                print("%s %s: %s" % (who, scheme, run["errors"]))


if __name__ == "__main__":
    main()
