#!/usr/bin/python3
"""Cold start on a checkpoint another engine wrote (issue 13), with DuckDB as the yardstick.

1. Writes a Delta table whose checkpoint DuckDB writes (npm ``@duckdb/node-api``,
   installed into <build>/duckdb-node as checkpoint_bench.py does): ``COPY (query)
   TO (FORMAT parquet, ROW_GROUP_SIZE, COMPRESSION, ...)`` from a query producing
   the Delta checkpoint schema (txn, add, remove, metaData, protocol; txn and
   remove all null as real writers leave them), ``_last_checkpoint`` and N JSON
   commits of 5 adds and 1 remove each after it.
2. Times DuckDB scanning the checkpoint's add columns (best of --runs).
3. Starts ``lakeshare serve`` --starts times on it: per start, the cold /query
   (curl: time to first byte, whole answer; the server's user+sys CPU for it;
   VmHWM/VmRSS after it) and then --warm warm /query answers (best, lines/s).

The layout is a parameter (--row-group-size, --compression, --no-dictionary,
--parquet-version V2; --parts N for a multi-part checkpoint, --sidecars N for a V2
checkpoint with N sidecars) so checkpoints of every shape can be measured; --only-write
writes the table and stops (tests/data/delta/duckdb-checkpoint was written so).

Usage: bench/foreign_checkpoint_bench.py [--build build] [--files 1000000]
       [--commits 100] [--row-group-size 100000] [--compression snappy]
       [--bin A --compare B]   (before/after: starts of A and B alternate)
"""

import argparse
import hashlib
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from bench_server import TOKEN, serve, write_config  # noqa: E402
from checkpoint_bench import DUCKDB_SCRIPT, ensure_duckdb  # noqa: E402

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

WRITER_SCRIPT = r"""
import { DuckDBInstance } from '@duckdb/node-api';
const con = await (await DuckDBInstance.create(':memory:')).connect();
await con.run('SET threads = 2');
for (const sql of JSON.parse(process.argv[2])) await con.run(sql);
"""

DV = "STRUCT(storageType VARCHAR, pathOrInlineDv VARCHAR, \"offset\" INTEGER, sizeInBytes INTEGER, cardinality BIGINT)"
ADD = ("STRUCT(path VARCHAR, partitionValues MAP(VARCHAR, VARCHAR), size BIGINT, modificationTime BIGINT, "
       "dataChange BOOLEAN, stats VARCHAR, tags MAP(VARCHAR, VARCHAR), deletionVector %s)" % DV)
REMOVE = ("STRUCT(path VARCHAR, deletionTimestamp BIGINT, dataChange BOOLEAN, extendedFileMetadata BOOLEAN, "
          "partitionValues MAP(VARCHAR, VARCHAR), size BIGINT, deletionVector %s)" % DV)
TXN = "STRUCT(appId VARCHAR, version BIGINT, lastUpdated BIGINT)"
METADATA = ("STRUCT(id VARCHAR, name VARCHAR, description VARCHAR, format STRUCT(provider VARCHAR, "
            "options MAP(VARCHAR, VARCHAR)), schemaString VARCHAR, partitionColumns VARCHAR[], "
            "configuration MAP(VARCHAR, VARCHAR), createdTime BIGINT)")
PROTOCOL = "STRUCT(minReaderVersion INTEGER, minWriterVersion INTEGER)"

SCHEMA = json.dumps({"type": "struct", "fields": [
    {"name": "id", "type": "long", "nullable": True, "metadata": {}},
    {"name": "value", "type": "double", "nullable": True, "metadata": {}},
    {"name": "name", "type": "string", "nullable": True, "metadata": {}},
    {"name": "part", "type": "integer", "nullable": True, "metadata": {}}]})
NOW_MS = 1764979200000  # fixed, so the table is the same bytes every time


def sql_str(s):
    return "'" + s.replace("'", "''") + "'"


def file_path(i):
    """The i-th file's path and partition, as SQL expressions of i (deterministic)."""
    part = "(hash(%s) %% 100)" % i
    h = "md5(%s::VARCHAR)" % i
    uuid = ("substr({h},1,8)||'-'||substr({h},9,4)||'-'||substr({h},13,4)||'-'||substr({h},17,4)||'-'||"
            "substr({h},21,12)").format(h=h)
    path = ("'part='||{p}||'/part-'||lpad(({i} % 100000)::VARCHAR,5,'0')||'-'||{u}||'.c000.snappy.parquet'"
            .format(p=part, i=i, u=uuid))
    return path, part


def add_expr(i):
    """An add action of file i: ~80-byte path, ~147-byte stats."""
    path, part = file_path(i)
    lo = "(hash(%s || 'lo') %% 1000000)" % i
    stats = ("'{{\"numRecords\":'||(1000 + hash({i}||'n') % 99000)||',\"minValues\":{{\"id\":'||{lo}||"
             "',\"value\":0.'||lpad((hash({i}||'v') % 1000000)::VARCHAR,6,'0')||',\"name\":\"aaa'||"
             "lpad((hash({i}||'a') % 99999)::VARCHAR,5,'0')||'\"}},\"maxValues\":{{\"id\":'||({lo}+5000)||"
             "',\"value\":1.5,\"name\":\"zzz00001\"}},\"nullCount\":{{\"id\":0,\"value\":'||(hash({i}||'z') % 10)||"
             "',\"name\":0}}}}'").format(i=i, lo=lo)
    return ("{{'path': {path}, 'partitionValues': MAP {{'part': ({part})::VARCHAR}}, "
            "'size': 1000000 + hash({i}||'s') % 99000000, 'modificationTime': {now}, 'dataChange': true, "
            "'stats': {stats}, 'tags': NULL, 'deletionVector': NULL}}::{t}"
            ).format(path=path, part=part, i=i, now=NOW_MS, stats=stats, t=ADD)


def checkpoint_sql(files, out, args):
    rows = [
        "SELECT 0 AS ord, NULL::{txn} AS txn, NULL::{add} AS add, NULL::{rm} AS remove, "
        "{{'id': 'c0ffee00-0000-4000-8000-000000000013', 'name': NULL, 'description': NULL, "
        "'format': {{'provider': 'parquet', 'options': MAP {{}}}}, 'schemaString': {schema}, "
        "'partitionColumns': ['part'], 'configuration': MAP {{}}, 'createdTime': {now}}}::{md} AS metaData, "
        "NULL::{pr} AS protocol".format(txn=TXN, add=ADD, rm=REMOVE, schema=sql_str(SCHEMA), now=NOW_MS,
                                        md=METADATA, pr=PROTOCOL),
        "SELECT 1, NULL::{txn}, NULL::{add}, NULL::{rm}, NULL::{md}, "
        "{{'minReaderVersion': 1, 'minWriterVersion': 2}}::{pr}".format(txn=TXN, add=ADD, rm=REMOVE,
                                                                        md=METADATA, pr=PROTOCOL),
        "SELECT 2 + i, NULL::{txn}, {add}, NULL::{rm}, NULL::{md}, NULL::{pr} FROM range({n}) t(i)".format(
            txn=TXN, add=add_expr("i"), rm=REMOVE, md=METADATA, pr=PROTOCOL, n=files),
    ]
    opts = ["FORMAT parquet", "ROW_GROUP_SIZE %d" % args.row_group_size, "COMPRESSION %s" % args.compression]
    if args.no_dictionary:
        opts.append("DICTIONARY_SIZE_LIMIT 0")
    if args.parquet_version:
        opts.append("PARQUET_VERSION %s" % args.parquet_version)
    return ("COPY (SELECT * EXCLUDE (ord) FROM ({u}) ORDER BY ord) TO {out} ({opts})"
            .format(u=" UNION ALL ".join(rows), out=sql_str(out), opts=", ".join(opts)))


def write_commits(log, files, commits):
    """Commits 1..commits: 5 new files and the removal of one checkpoint file each."""
    import hashlib
    for v in range(1, commits + 1):
        lines = [json.dumps({"commitInfo": {"timestamp": NOW_MS + v * 1000, "operation": "WRITE"}})]
        for k in range(5):
            n = files + (v - 1) * 5 + k
            part = n % 100
            h = hashlib.md5(str(n).encode()).hexdigest()
            lines.append(json.dumps({"add": {
                "path": "part=%d/part-%05d-%s-%s-%s-%s-%s.c000.snappy.parquet" % (
                    part, n % 100000, h[:8], h[8:12], h[12:16], h[16:20], h[20:]),
                "partitionValues": {"part": str(part)}, "size": 1000000 + n,
                "modificationTime": NOW_MS + v * 1000, "dataChange": True,
                "stats": json.dumps({"numRecords": 1000 + n % 999, "minValues": {"id": n}, "maxValues": {"id": n + 5000},
                                     "nullCount": {"id": 0}})}}))
        lines.append(json.dumps({"remove": {"path": "REMOVED-%d" % v, "deletionTimestamp": NOW_MS + v * 1000,
                                            "dataChange": True}}))
        with open(os.path.join(log, "%020d.json" % v), "w") as f:
            f.write("\n".join(lines) + "\n")


def write_table(table, duck, args):
    log = os.path.join(table, "_delta_log")
    os.makedirs(log, exist_ok=True)
    checkpoint = os.path.join(log, "%020d.checkpoint.parquet" % 0)
    script = os.path.join(duck, "write_checkpoint.mjs")
    with open(script, "w") as f:
        f.write(WRITER_SCRIPT)
    t = time.time()
    subprocess.run(["node", script, json.dumps([checkpoint_sql(args.files, checkpoint, args)])], cwd=duck,
                   check=True)
    print("checkpoint written by DuckDB in %.1f s: %.1f MB" % (time.time() - t, os.path.getsize(checkpoint) / 1e6))
    with open(os.path.join(log, "_last_checkpoint"), "w") as f:
        f.write(json.dumps({"version": 0, "size": args.files + 2}) + "\n")
    write_commits(log, args.files, args.commits)
    # Each commit removes a file of the checkpoint: name it by the checkpoint's own paths.
    script2 = os.path.join(duck, "first_paths.mjs")
    with open(script2, "w") as f:
        f.write("import { DuckDBInstance } from '@duckdb/node-api';\n"
                "const con = await (await DuckDBInstance.create(':memory:')).connect();\n"
                "const r = await con.runAndReadAll(process.argv[2]);\n"
                "console.log(JSON.stringify(r.getRowObjectsJson().map((x) => x.p)));\n")
    out = subprocess.run(["node", script2, "SELECT add.path AS p FROM read_parquet(%s) WHERE add IS NOT NULL "
                          "LIMIT %d" % (sql_str(checkpoint), args.commits)], cwd=duck, check=True,
                         capture_output=True, text=True).stdout
    removed = json.loads(out)
    for v in range(1, args.commits + 1):
        name = os.path.join(log, "%020d.json" % v)
        with open(name) as f:
            text = f.read()
        with open(name, "w") as f:
            f.write(text.replace('"REMOVED-%d"' % v, json.dumps(removed[(v - 1) % len(removed)])))
    if args.parts > 1:
        # A multi-part checkpoint: the same rows cut into --parts files (DuckDB keeps the file's row
        # order), written with the same options; the single file goes.
        rows = args.files + 2
        per = -(-rows // args.parts)
        opts = checkpoint_sql(0, "", args).rsplit("(", 1)[1].rstrip(")")
        sql = ["COPY (SELECT * FROM read_parquet(%s) LIMIT %d OFFSET %d) TO %s (%s)"
               % (sql_str(checkpoint), per, p * per,
                  sql_str(os.path.join(log, "%020d.checkpoint.%010d.%010d.parquet" % (0, p + 1, args.parts))), opts)
               for p in range(args.parts)]
        subprocess.run(["node", script, json.dumps(sql)], cwd=duck, check=True)
        os.remove(checkpoint)
        with open(os.path.join(log, "_last_checkpoint"), "w") as f:
            f.write(json.dumps({"version": 0, "size": rows, "parts": args.parts}) + "\n")
        print("split into %d parts" % args.parts)
    if args.sidecars > 0:
        write_v2_checkpoint(log, checkpoint, script, duck, args)
    return checkpoint_glob(table, args)


V2_UUID = "c0ffee00-0000-4000-8000-0000000000a2"


def write_v2_checkpoint(log, checkpoint, script, duck, args):
    """A V2 checkpoint: the adds cut into --sidecars parquet files in _delta_log/_sidecars (DuckDB,
    same options, the add column only), a JSON top-level file naming them with checkpointMetadata,
    protocol (v2Checkpoint) and metaData; the classic file goes."""
    sidecars = os.path.join(log, "_sidecars")
    os.makedirs(sidecars, exist_ok=True)
    per = -(-args.files // args.sidecars)
    opts = checkpoint_sql(0, "", args).rsplit("(", 1)[1].rstrip(")")
    names = ["%04d-%s.parquet" % (p, V2_UUID) for p in range(args.sidecars)]
    sql = ["COPY (SELECT add FROM read_parquet(%s) WHERE add IS NOT NULL LIMIT %d OFFSET %d) TO %s (%s)"
           % (sql_str(checkpoint), per, p * per, sql_str(os.path.join(sidecars, names[p])), opts)
           for p in range(args.sidecars)]
    subprocess.run(["node", script, json.dumps(sql)], cwd=duck, check=True)
    os.remove(checkpoint)
    lines = [{"checkpointMetadata": {"version": 0}},
             {"protocol": {"minReaderVersion": 3, "minWriterVersion": 7, "readerFeatures": ["v2Checkpoint"],
                           "writerFeatures": ["v2Checkpoint"]}},
             {"metaData": {"id": "c0ffee00-0000-4000-8000-000000000013", "format": {"provider": "parquet",
                                                                                    "options": {}},
                           "schemaString": SCHEMA, "partitionColumns": ["part"], "configuration": {},
                           "createdTime": NOW_MS}}]
    for n in names:
        st = os.stat(os.path.join(sidecars, n))
        lines.append({"sidecar": {"path": n, "sizeInBytes": st.st_size, "modificationTime": int(st.st_mtime * 1000)}})
    top = "%020d.checkpoint.%s.json" % (0, V2_UUID)
    with open(os.path.join(log, top), "w") as f:
        f.write("".join(json.dumps(x) + "\n" for x in lines))
    with open(os.path.join(log, "_last_checkpoint"), "w") as f:
        f.write(json.dumps({"version": 0, "size": args.files + 2 + args.sidecars, "v2Checkpoint": {"path": top}})
                + "\n")
    print("V2 checkpoint: %s and %d sidecars" % (top, args.sidecars))


def checkpoint_glob(table, args):
    """The checkpoint's file, or a glob of its parts (or sidecars)."""
    log = os.path.join(table, "_delta_log")
    if args.sidecars > 0:
        return os.path.join(log, "_sidecars", "*.parquet")
    if args.parts > 1:
        return os.path.join(log, "%020d.checkpoint.*.%010d.parquet" % (0, args.parts))
    return os.path.join(log, "%020d.checkpoint.parquet" % 0)


def cpu_ticks(pid):
    with open("/proc/%d/stat" % pid) as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return int(fields[11]) + int(fields[12])  # utime + stime


def mem_kib(pid):
    out = {}
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith(("VmHWM:", "VmRSS:")):
                out[line.split(":")[0]] = int(line.split()[1])
    return out


# What may differ between two answers of one table: pre-signed URLs (a delta-format answer's
# add.path) and their expirations.
VOLATILE = re.compile(rb'"(?:url|expirationTimestamp)":(?:"[^"]*"|[0-9]+)|"path":"https?://[^"]*"')
# The delta response format (--response-format delta): SHA-256 file ids, actions in Delta's shape.
CAPABILITIES = {"parquet": [], "delta": ["-H", "delta-sharing-capabilities: responseformat=delta"]}
RESPONSE_FORMAT = "parquet"


def curl_cmd(url):
    return ["curl", "-sS", "-X", "POST", "-H", "Authorization: Bearer " + TOKEN, "-H",
            "Content-Type: application/json", "-d", "{}"] + CAPABILITIES[RESPONSE_FORMAT] + [url]


def curl_query(url, digest=None):
    """(ttfb s, total s, lines) of one /query read to its end through curl. With `digest` (a
    hashlib object) the answer's lines without URLs and expirations are hashed into it (slower:
    the figures of such a run are not timings)."""
    cmd = curl_cmd(url)[:-1] + ["-w", "%{stderr}%{time_starttransfer} %{time_total}", url]
    p = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    lines = 0
    rest = b""
    while True:
        chunk = p.stdout.read(1 << 20)
        if not chunk:
            break
        lines += chunk.count(b"\n")
        if digest is not None:
            buf = rest + chunk
            cut = buf.rfind(b"\n") + 1
            digest.update(VOLATILE.sub(b"", buf[:cut]))
            rest = buf[cut:]
    if digest is not None:
        digest.update(VOLATILE.sub(b"", rest))
    err = p.stderr.read().decode()
    if p.wait() != 0:
        raise RuntimeError("curl failed: " + err)
    ttfb, total = err.split()[-2:]
    return float(ttfb), float(total), lines


def concurrent_queries(url, n):
    """(wall s of all, [bytes of each]) of n warm /query answers read at once (n at most the
    server's concurrent answers per recipient: by default half its workers)."""
    t = time.time()
    procs = [subprocess.Popen(curl_cmd(url) + ["-o", "/dev/null", "-w", "%{http_code} %{size_download}"],
                              stdout=subprocess.PIPE, text=True) for _ in range(n)]
    outs = [p.communicate()[0].split() for p in procs]
    wall = time.time() - t
    if any(p.returncode != 0 for p in procs) or any(o[0] != "200" for o in outs):
        raise RuntimeError("a concurrent answer failed: %s" % outs)
    return wall, [int(o[1]) for o in outs]


def measure_server(binary, table, starts, warm, cache_bytes=None, answer_hash=False, concurrent=0):
    hz = os.sysconf("SC_CLK_TCK")
    results = []
    with tempfile.TemporaryDirectory(prefix="lakeshare-foreign-") as tmp:
        config = os.path.join(tmp, "config.yaml")
        write_config(config, "{name: t, location: %s}" % table)
        if cache_bytes is not None:
            with open(config, "a") as f:
                f.write("snapshotCacheBytes: %d\n" % cache_bytes)
        for _ in range(starts):
            with serve(binary, config) as server:
                pid = server.proc.pid
                url = server.table + "/query"
                base = mem_kib(pid)
                c0 = cpu_ticks(pid)
                cold_hash = hashlib.sha256() if answer_hash else None
                ttfb, total, lines = curl_query(url, cold_hash)
                cpu = (cpu_ticks(pid) - c0) / hz
                cold_mem = mem_kib(pid)
                warms, warm_cpu = [], []
                for _ in range(warm):
                    c0 = cpu_ticks(pid)
                    warm_hash = hashlib.sha256() if answer_hash else None
                    warms.append(curl_query(url, warm_hash)[1])
                    warm_cpu.append((cpu_ticks(pid) - c0) / hz)
                    if answer_hash:
                        print("answer hash (%d lines, without URLs and expirations): cold %s, warm %s"
                              % (lines, cold_hash.hexdigest(), warm_hash.hexdigest()), flush=True)
                if concurrent:
                    c0 = cpu_ticks(pid)
                    wall, sizes = concurrent_queries(url, concurrent)
                    print("%d concurrent warm answers: %.2f s for all (%.0f lines/s together), server CPU %.2f s, "
                          "sizes %d-%d bytes" % (concurrent, wall, concurrent * lines / wall,
                                                 (cpu_ticks(pid) - c0) / hz, min(sizes), max(sizes)), flush=True)
                results.append({"ttfb": ttfb, "total": total, "lines": lines, "cpu": cpu,
                                "base_rss": base["VmRSS"], "hwm": cold_mem["VmHWM"], "rss": cold_mem["VmRSS"],
                                "warm_best": min(warms), "warm_cpu": min(warm_cpu),
                                "warm_median": statistics.median(warms),
                                "warm_cpu_median": statistics.median(warm_cpu),
                                "warm_rss": mem_kib(pid)["VmRSS"]})
                r = results[-1]
                print("start %d: cold TTFB %.2f s, whole %.2f s (%d lines), server CPU %.2f s; peak RSS %.0f MB, "
                      "after %.0f MB (at start %.0f MB); warm best %.2f s = %.0f lines/s, server CPU %.2f s; "
                      "warm median %.2f s, server CPU %.2f s; RSS after the warm answers %.0f MB"
                      % (len(results), ttfb, total, lines, cpu, r["hwm"] / 1024, r["rss"] / 1024,
                         r["base_rss"] / 1024, r["warm_best"], lines / r["warm_best"], r["warm_cpu"],
                         r["warm_median"], r["warm_cpu_median"], r["warm_rss"] / 1024),
                      flush=True)
    return results


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--build", default=os.path.join(REPO, "build"))
    ap.add_argument("--bin", help="the lakeshare binary (default <build>/src/cli/lakeshare)")
    ap.add_argument("--table", help="where the table goes (default <build>/bench-foreign-<layout>)")
    ap.add_argument("--files", type=int, default=1000000)
    ap.add_argument("--commits", type=int, default=100)
    ap.add_argument("--row-group-size", type=int, default=100000)
    ap.add_argument("--compression", default="snappy", choices=["snappy", "zstd", "uncompressed", "gzip", "lz4"])
    ap.add_argument("--no-dictionary", action="store_true")
    ap.add_argument("--parquet-version", choices=["V1", "V2"])
    ap.add_argument("--parts", type=int, default=1, help="a multi-part checkpoint of this many files")
    ap.add_argument("--sidecars", type=int, default=0,
                    help="a V2 checkpoint (JSON top-level file) whose adds are in this many sidecar files")
    ap.add_argument("--starts", type=int, default=3)
    ap.add_argument("--warm", type=int, default=3)
    ap.add_argument("--runs", type=int, default=5, help="DuckDB scans per thread count (best taken; 0: none)")
    ap.add_argument("--compare", action="append", default=[], metavar="BIN",
                    help="another lakeshare binary (repeatable): the starts alternate between --bin and these, "
                         "one start each in turn, so that all see the same machine load; a summary per binary")
    ap.add_argument("--only-write", action="store_true")
    ap.add_argument("--snapshot-cache-bytes", type=int,
                    help="the servers' snapshotCacheBytes (default: the server's, 1 GiB; a 10 000 000-file "
                         "snapshot needs about 4.5 GB to be kept warm)")
    ap.add_argument("--response-format", choices=sorted(CAPABILITIES), default="parquet")
    ap.add_argument("--delta-format", dest="response_format", action="store_const", const="delta",
                    help="the same as --response-format delta")
    ap.add_argument("--answer-hash", "--digest", action="store_true",
                    help="hash each answer without its URLs and expirations (to compare binaries; slows the "
                         "client, so its times are not figures)")
    ap.add_argument("--no-duckdb", dest="runs", action="store_const", const=0, help="the same as --runs 0")
    ap.add_argument("--concurrent", type=int, default=0,
                    help="per start, after the warm answers: this many warm answers at once")
    args = ap.parse_args()
    global RESPONSE_FORMAT
    RESPONSE_FORMAT = args.response_format
    build = os.path.abspath(args.build)
    layout = "%d-%d-%s%s%s" % (args.files, args.row_group_size, args.compression,
                               "-nodict" if args.no_dictionary else "",
                               "-" + args.parquet_version if args.parquet_version else "")
    if args.parts > 1:
        layout += "-parts%d" % args.parts
    if args.sidecars > 0:
        layout += "-v2sidecars%d" % args.sidecars
    table = os.path.abspath(args.table or os.path.join(build, "bench-foreign-" + layout))
    checkpoint = checkpoint_glob(table, args)
    need_table = not os.path.exists(os.path.join(table, "_delta_log", "_last_checkpoint"))
    duck = ensure_duckdb(build) if need_table or args.runs > 0 else None
    if need_table:
        write_table(table, duck, args)
    if args.only_write:
        return
    binaries = [args.bin or os.path.join(build, "src", "cli", "lakeshare")] + args.compare
    print("layout %s, load average before: %s" % (layout, open("/proc/loadavg").read().split()[:3]), flush=True)

    for threads in (1, 2) if args.runs > 0 else ():
        script = os.path.join(duck, "checkpoint_scan.mjs")
        with open(script, "w") as f:
            f.write(DUCKDB_SCRIPT)
        out = subprocess.run(["node", script, checkpoint, str(threads), str(args.runs)], cwd=duck, check=True,
                             capture_output=True, text=True).stdout
        d = json.loads(out)
        print("DuckDB scan, %d thread(s): %.0f ms  %s" % (threads, d["best_ms"], d["result"]), flush=True)

    by_binary = {b: [] for b in binaries}
    if len(binaries) == 1:
        by_binary[binaries[0]] = measure_server(binaries[0], table, args.starts, args.warm,
                                                  args.snapshot_cache_bytes, args.answer_hash,
                                                  args.concurrent)
    else:
        for _ in range(args.starts):
            for b in binaries:
                print("%s:" % b, flush=True)
                by_binary[b] += measure_server(b, table, 1, args.warm, args.snapshot_cache_bytes, args.answer_hash,
                                                 args.concurrent)
    for b, results in by_binary.items():
        rng = lambda k, f=1.0: "%.2f-%.2f" % (min(r[k] for r in results) * f, max(r[k] for r in results) * f)  # noqa
        med = lambda k, f=1.0: "%.2f" % (statistics.median(r[k] for r in results) * f)  # noqa
        print("summary%s: cold TTFB %s s, whole %s s, server CPU %s s (median %s), peak RSS %s MB, after %s MB, "
              "peak/after %.2f-%.2f, warm best %s s (server CPU %s s, median %s), warm medians %s s (CPU %s s)"
              % ("" if len(binaries) == 1 else " of " + b, rng("ttfb"), rng("total"), rng("cpu"), med("cpu"),
                 rng("hwm", 1 / 1024), rng("rss", 1 / 1024),
                 min(r["hwm"] / r["rss"] for r in results), max(r["hwm"] / r["rss"] for r in results),
                 rng("warm_best"), rng("warm_cpu"), med("warm_cpu"), rng("warm_median"),
                 rng("warm_cpu_median")))
    print("load average after: %s" % open("/proc/loadavg").read().split()[:3])


if __name__ == "__main__":
    main()
