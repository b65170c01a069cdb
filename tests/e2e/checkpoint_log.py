"""An independent reader of Delta checkpoints, for tables whose early JSON
commits are gone (and as a second reading of the others).

The parquet files are read by DuckDB (npm ``@duckdb/node-api``, installed on
first use into ``<build>/duckdb-node``, never part of the product) through
``read_parquet_rows.mjs``; V2 top-level JSON checkpoints are read here. The
state at a checkpoint (protocol, metaData, add actions of every part or
sidecar) plus the JSON commits after it, replayed as ``delta_log`` does,
gives the expected snapshot of any version from the oldest complete
checkpoint on.

Typed columns are turned into the log's forms: ``stats_parsed`` into the
stats object (nulls dropped, DuckDB's "yyyy-mm-dd hh:mm:ss.fff[+00]" timestamps
into "yyyy-mm-ddThh:mm:ss.fffZ"), ``partitionValues_parsed`` into strings,
both only where the string columns are absent or null.
"""

import fcntl
import json
import os
import re
import subprocess
import sys
import urllib.parse

import harness
from delta_log import (COMMIT_RE, DeltaLogError, DeltaTable, FileEntry, Snapshot, apply_commit,
                       dv_unique_id, sorted_files)

DUCKDB_PACKAGE = "@duckdb/node-api@1.5.6-r.1"
HERE = os.path.dirname(os.path.abspath(__file__))
CLASSIC_RE = re.compile(r"^(\d{20})\.checkpoint\.parquet$")
PART_RE = re.compile(r"^(\d{20})\.checkpoint\.(\d{10})\.(\d{10})\.parquet$")
V2_RE = re.compile(r"^(\d{20})\.checkpoint\.[0-9a-fA-F-]{36}\.(json|parquet)$")
DUCK_TS_RE = re.compile(r"^(\d{4}-\d\d-\d\d) (\d\d:\d\d:\d\d)(\.\d+)?(\+00(:00)?)?$")


def duckdb_dir(build_dir):
    """Installs DuckDB's node package under build_dir once; returns the folder.

    Prints nothing on stdout (callers read the folder from it); the e2e and
    console tests run in parallel, so the install is serialised by a lock."""
    d = os.path.join(build_dir, "duckdb-node")
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(build_dir, "duckdb-node.lock"), "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not os.path.isdir(os.path.join(d, "node_modules", "@duckdb", "node-api")):
            with open(os.path.join(d, "package.json"), "w") as f:
                f.write('{"private": true}\n')
            subprocess.run(["npm", "install", "--no-audit", "--no-fund", "--loglevel=error",
                            DUCKDB_PACKAGE], cwd=d, check=True, timeout=600, stdout=sys.stderr)
    return d


def copy_script(folder, name):
    """Copies tests/e2e/<name> into `folder` (DuckDB's); returns its path.

    The copy is written aside and renamed into place: test processes running
    at the same time (the console tests, pytest-xdist workers) may be reading
    the script while another writes it."""
    script = os.path.join(folder, name)
    with open(os.path.join(HERE, name), "rb") as src:
        content = src.read()
    try:
        with open(script, "rb") as cur:
            if cur.read() == content:
                return script
    except FileNotFoundError:
        pass
    tmp = "%s.%d.tmp" % (script, os.getpid())
    with open(tmp, "wb") as dst:
        dst.write(content)
    os.replace(tmp, script)
    return script


class ParquetRows:
    """Reads parquet rows with DuckDB (one node process per call)."""

    def __init__(self, build_dir):
        self.dir = duckdb_dir(build_dir)
        self.script = copy_script(self.dir, "read_parquet_rows.mjs")

    def rows(self, files, columns):
        arg = json.dumps({"files": files, "columns": columns})
        out = subprocess.run(["node", self.script, arg], cwd=self.dir, check=True, timeout=300,
                             capture_output=True, text=True).stdout
        return [json.loads(line) for line in out.splitlines() if line.strip()]


def _iso_timestamps(v):
    if isinstance(v, dict):
        return {k: _iso_timestamps(x) for k, x in v.items() if x is not None}
    if isinstance(v, str):
        m = DUCK_TS_RE.match(v)
        if m:
            frac = (m.group(3) or ".")[1:4].ljust(3, "0")
            return "%sT%s.%sZ" % (m.group(1), m.group(2), frac)
    return v


def _partition_string(v):
    if v is None:
        return None
    if isinstance(v, bool):
        return "true" if v else "false"
    return str(v)


class CheckpointedTable(DeltaTable):
    """A Delta table read from its newest usable checkpoint + later commits."""

    def __init__(self, table_dir, parquet_rows):
        super().__init__(table_dir)
        self.reader = parquet_rows
        self.checkpoints = {}  # version -> (kind, [file names])
        parts = {}
        for name in os.listdir(self.log_dir):
            m = CLASSIC_RE.match(name)
            if m:
                self.checkpoints[int(m.group(1))] = ("classic", [name])
                continue
            m = PART_RE.match(name)
            if m:
                parts.setdefault((int(m.group(1)), int(m.group(3))), {})[int(m.group(2))] = name
                continue
            m = V2_RE.match(name)
            if m:
                self.checkpoints.setdefault(int(m.group(1)), ("v2", [name]))
        for (version, total), got in parts.items():
            if len(got) == total and version not in self.checkpoints:
                self.checkpoints[version] = ("parts", [got[i] for i in sorted(got)])
        self._states = {}

    @property
    def latest(self):
        return max(self.commit_versions + list(self.checkpoints))

    @property
    def earliest(self):
        if self.commit_versions and self.commit_versions[0] == 0:
            return 0
        return min(self.checkpoints)

    def has_commits(self, first, last):
        have = set(self.commit_versions)
        return all(v in have for v in range(first, last + 1))

    def versions(self):
        """Every version this reader can reconstruct."""
        return [v for v in range(self.earliest, self.latest + 1) if self._base_for(v) is not None]

    def _base_for(self, version):
        usable = [c for c in self.checkpoints if c <= version and self.has_commits(c + 1, version)]
        if usable:
            return max(usable)
        if self.has_commits(0, version):
            return -1
        return None

    def checkpoint_state(self, version):
        """(protocol, metaData, {key: FileEntry}) of the checkpoint at `version`."""
        if version in self._states:
            return self._states[version]
        kind, names = self.checkpoints[version]
        rows = []
        paths = [os.path.join(self.log_dir, n) for n in names]
        cols = ["protocol", "metaData", "add", "sidecar", "checkpointMetadata"]
        if kind == "v2" and names[0].endswith(".json"):
            with open(paths[0], encoding="utf-8") as f:
                rows = [json.loads(line) for line in f if line.strip()]
        else:
            rows = self.reader.rows(paths, cols)
        sidecars = [r["sidecar"]["path"] for r in rows if r.get("sidecar")]
        if sidecars:
            files = [os.path.join(self.log_dir, "_sidecars", urllib.parse.unquote(p)) for p in sidecars]
            rows += self.reader.rows(files, ["add"])
        protocol = metadata = None
        active = {}
        for r in rows:
            if r.get("protocol"):
                protocol = {k: v for k, v in r["protocol"].items() if v is not None}
            if r.get("metaData"):
                metadata = r["metaData"]
            add = r.get("add")
            if not add:
                continue
            add = dict(add)
            if add.get("partitionValues") is None and add.get("partitionValues_parsed") is not None:
                add["partitionValues"] = {k: _partition_string(v)
                                          for k, v in add["partitionValues_parsed"].items()}
            if add.get("stats") is None and add.get("stats_parsed") is not None:
                add["stats"] = json.dumps(_iso_timestamps(add["stats_parsed"]))
                add["_stats_from_parsed"] = True
            for k in ("stats_parsed", "partitionValues_parsed"):
                add.pop(k, None)
            if add.get("deletionVector") is None:
                add.pop("deletionVector", None)
            key = (urllib.parse.unquote(add["path"]), dv_unique_id(add.get("deletionVector")))
            active[key] = FileEntry(self.table_dir, add, version)
        if protocol is None or metadata is None:
            raise DeltaLogError("%s: checkpoint %d has no protocol or metaData" % (self.name, version))
        self._states[version] = (protocol, metadata, active)
        return self._states[version]

    def snapshot(self, version=None):
        if version is None:
            version = self.latest
        base = self._base_for(version)
        if base is None:
            raise DeltaLogError("%s: version %d cannot be reconstructed" % (self.name, version))
        if base < 0:
            protocol, metadata, active, first = None, None, {}, 0
        else:
            protocol, metadata, active = self.checkpoint_state(base)
            active = dict(active)
            first = base + 1
        for v in range(first, version + 1):
            protocol, metadata = apply_commit(self.table_dir, v, self.actions(v), protocol, metadata,
                                              active)
        files = sorted_files(active)
        ts = self.commit_timestamp_ms(version) if version in self.commit_versions else None
        return Snapshot(self, version, protocol, metadata, files, ts)


def crc_facts(table_dir):
    """{version: (numFiles, tableSizeBytes)} from the log's .crc files."""
    out = {}
    log = os.path.join(table_dir, "_delta_log")
    for name in os.listdir(log):
        m = re.match(r"^(\d{20})\.crc$", name)
        if not m:
            continue
        with open(os.path.join(log, name)) as f:
            crc = json.load(f)
        if isinstance(crc.get("numFiles"), int) and isinstance(crc.get("tableSizeBytes"), int):
            out[int(m.group(1))] = (crc["numFiles"], crc["tableSizeBytes"])
    return out


def checkpoint_tables():
    """Every shared test table with a checkpoint file in its log."""
    out = []
    for name in sorted(os.listdir(harness.DELTA_ROOT)) if os.path.isdir(harness.DELTA_ROOT) else []:
        log = os.path.join(harness.DELTA_ROOT, name, "_delta_log")
        if os.path.isdir(log) and any(".checkpoint" in f for f in os.listdir(log)):
            out.append(os.path.join(harness.DELTA_ROOT, name))
    return out
