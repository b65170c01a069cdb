#!/usr/bin/env python3
"""What /metrics and per-recipient rate limiting cost (issue 14's target:
under 3 % of warm `/query` throughput and of `GET /shares` requests/s).

Two real `lakeshare serve` processes on the same table (written by
`lakeshare generate-delta`): "off" with `metrics: {enabled: false}` and no
`rateLimit:`, "on" with metrics and a rate limit too high to refuse anything
(so every request pays for the bucket). wrk (Debian package) loads one server
at a time, the two alternating within each round (off, on, then on, off in
the next round) so that load from elsewhere on the machine hits both alike;
the medians over the rounds are reported, with on as a percent of off.

Throughput on a shared 2-core machine moves with the other work on it, so
the server's own CPU time per answered request (user + system, from
/proc/<pid>/stat, divided by wrk's request count) is reported beside it:
what the limits add to each request, far less sensitive to outside load.

Usage: bench/limits_overhead.py [--bin build/src/cli/lakeshare] [--rounds 5]
       [--seconds 4] [--connections 8] [--wrk-threads 2] [--files 100]
"""
import argparse
import os
import re
import shutil
import statistics
import subprocess
import tempfile

from bench_server import TOKEN, serve, write_config

QUERY_LUA = 'wrk.method = "POST"\nwrk.body = "{}"\nwrk.headers["Content-Type"] = "application/json"\n'


def cpu_seconds(pid):
    with open("/proc/%d/stat" % pid) as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def wrk(url, args, script=None, pid=None):
    """Requests/s, and the server's CPU microseconds per request."""
    cpu0 = cpu_seconds(pid)
    cmd = ["wrk", "-t", str(args.wrk_threads), "-c", str(args.connections), "-d", "%gs" % args.seconds,
           "-H", "Authorization: Bearer " + TOKEN]
    if script:
        cmd += ["-s", script]
    out = subprocess.run(cmd + [url], check=True, capture_output=True, text=True).stdout
    bad = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    if bad:
        raise SystemExit("%s: %s refused answers (a limit too low?)\n%s" % (url, bad.group(1), out))
    cpu = cpu_seconds(pid) - cpu0
    requests = int(re.search(r"(\d+) requests in", out).group(1))
    return float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)), 1e6 * cpu / max(requests, 1)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bin", default=os.path.join(os.path.dirname(__file__), "..", "build", "src", "cli", "lakeshare"))
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--seconds", type=float, default=4)
    ap.add_argument("--connections", type=int, default=8)
    ap.add_argument("--wrk-threads", type=int, default=2)
    ap.add_argument("--files", type=int, default=100, help="files of the table /query answers")
    args = ap.parse_args()
    if not shutil.which("wrk"):
        raise SystemExit("wrk is not installed (scripts/install-deps)")
    with tempfile.TemporaryDirectory() as d:
        table = os.path.join(d, "table")
        subprocess.run([args.bin, "generate-delta", "--dir", table, "--files", str(args.files), "--commits", "1"],
                       check=True, capture_output=True)
        lua = os.path.join(d, "query.lua")
        with open(lua, "w") as f:
            f.write(QUERY_LUA)
        configs = {}
        for name, extra in (("off", "metrics: {enabled: false}\n"),
                            ("on", "rateLimit: {requestsPerSecond: 1000000, burst: 1000000000}\n")):
            path = os.path.join(d, name + ".yaml")
            write_config(path, "{name: t, location: %s}" % table)
            with open(path, "a") as f:
                # wrk's connections are one recipient: lift the cap on its concurrent answers.
                f.write(extra + "maxConcurrentQueriesPerRecipient: 1000\n")
            configs[name] = path
        rates = {(kind, name): [] for kind in ("shares", "query") for name in configs}
        cpu = {(kind, name): [] for kind in ("shares", "query") for name in configs}
        with serve(args.bin, configs["off"]) as off, serve(args.bin, configs["on"]) as on:
            servers = {"off": off, "on": on}
            for s in servers.values():  # warm: snapshot loaded, connections made
                assert s.query()[1] == args.files
            for rnd in range(args.rounds):
                order = ("off", "on") if rnd % 2 == 0 else ("on", "off")
                for name in order:
                    s = servers[name]
                    for kind, url, script in (("shares", s.url + "/shares", None),
                                              ("query", s.table + "/query", lua)):
                        rate, us = wrk(url, args, script, s.proc.pid)
                        rates[(kind, name)].append(rate)
                        cpu[(kind, name)].append(us)
                print("round %d: " % (rnd + 1) + ", ".join(
                    "%s %s %.0f/s %.1f us" % (k, n, rates[(k, n)][-1], cpu[(k, n)][-1])
                    for k in ("shares", "query") for n in ("off", "on")), flush=True)
    print("\nmedians over %d rounds (%d connections, %g s each, %d-file table):" %
          (args.rounds, args.connections, args.seconds, args.files))
    for kind, label in (("shares", "GET /shares"), ("query", "warm POST /query")):
        off = statistics.median(rates[(kind, "off")])
        on = statistics.median(rates[(kind, "on")])
        # Paired per round: the two runs of a round saw similar outside load.
        ratios = [b / a for a, b in zip(rates[(kind, "off")], rates[(kind, "on")])]
        print("  %-18s off %8.0f req/s   on %8.0f req/s   on/off %.1f %%   median of paired ratios %.1f %%" %
              (label, off, on, 100 * on / off, 100 * statistics.median(ratios)))
        coff = statistics.median(cpu[(kind, "off")])
        con = statistics.median(cpu[(kind, "on")])
        cratios = [b / a for a, b in zip(cpu[(kind, "off")], cpu[(kind, "on")])]
        print("  %-18s server CPU per request: off %.1f us   on %.1f us   on/off %.1f %%   "
              "median of paired ratios %.1f %%" %
              ("", coff, con, 100 * con / coff, 100 * statistics.median(cratios)))


if __name__ == "__main__":
    main()
