"""An independent reader of Apache Hudi tables for the end-to-end tests.

It shares no code with lakeshare: its own timeline replay (hoodie.properties,
the active timeline of layouts 1 and 2, the archived timeline of version 6
tables and the LSM timeline of versions 8+, rollbacks, restores, cleans),
its own file-group and slice rules, its own log-file parser (python3-avro
decodes the Avro records) and its own merge of log records into base rows.
Parquet is read by DuckDB (read_parquet_records.mjs, see checkpoint_log.py
for how DuckDB is installed).

rows(version) returns the table's rows at a version as canonical values
(canonical(): one comparable form per Spark type), which the tests compare
with the rows a client reconstructs from the server's answer.
"""

import base64
import decimal
import io
import json
import os
import re
import struct
import subprocess
import tempfile
import zipfile

import avro.io
import avro.schema
import avro.datafile

from checkpoint_log import copy_script, duckdb_dir

HERE = os.path.dirname(os.path.abspath(__file__))
HUDI_DATA = os.path.join(os.path.dirname(HERE), "data", "hudi")

META_FIELDS = ["_hoodie_commit_time", "_hoodie_commit_seqno", "_hoodie_record_key",
               "_hoodie_partition_path", "_hoodie_file_name"]
WRITE_ACTIONS = ("commit", "deltacommit", "replacecommit")


def all_archives():
    """Every zip archive of tests/data/hudi, relative to it."""
    out = []
    for root, _, files in os.walk(HUDI_DATA):
        for f in files:
            if f.endswith(".zip"):
                out.append(os.path.relpath(os.path.join(root, f), HUDI_DATA))
    return sorted(out)


def unzip_table(archive, dest):
    """Extracts tests/data/hudi/<archive> into dest; returns the table folder."""
    with zipfile.ZipFile(os.path.join(HUDI_DATA, archive)) as z:
        for member in z.namelist():
            if member.startswith("__MACOSX/") or member.endswith(".DS_Store"):
                continue
            z.extract(member, dest)
    for name in os.listdir(dest):
        if os.path.isdir(os.path.join(dest, name, ".hoodie")):
            return os.path.join(dest, name)
    raise FileNotFoundError("no table in " + archive)


# ---------------------------------------------------------------- properties

def java_properties(text):
    props = {}
    lines = text.splitlines()
    i = 0
    while i < len(lines):
        line = lines[i].lstrip()
        i += 1
        if not line or line[0] in "#!":
            continue
        while line.endswith("\\") and not line.endswith("\\\\") and i < len(lines):
            line = line[:-1] + lines[i].lstrip()
            i += 1
        m = re.match(r"((?:\\.|[^=:\s\\])*)\s*[=:]?\s*(.*)$", line)
        key, value = m.group(1), m.group(2)
        unescape = lambda s: re.sub(r"\\u([0-9a-fA-F]{4})|\\(.)",
                                    lambda x: chr(int(x.group(1), 16)) if x.group(1) else
                                    {"t": "\t", "n": "\n", "r": "\r", "f": "\f"}.get(x.group(2), x.group(2)), s)
        props[unescape(key)] = unescape(value)
    return props


# ---------------------------------------------------------------- parquet rows

class Parquet:
    """Reads whole parquet files with DuckDB, many per node process."""

    def __init__(self, build_dir):
        self.dir = duckdb_dir(build_dir)
        self.script = copy_script(self.dir, "read_parquet_records.mjs")
        self.cache = {}

    def rows(self, files):
        """{path: [row dict]} for each file (cached by path and size)."""
        todo = [f for f in files if (f, os.path.getsize(f)) not in self.cache]
        for start in range(0, len(todo), 200):
            batch = todo[start:start + 200]
            out = subprocess.run(["node", self.script, json.dumps({"files": batch})], cwd=self.dir,
                                 check=True, timeout=600, capture_output=True, text=True).stdout
            got = {f: [] for f in batch}
            for line in out.splitlines():
                if line.strip():
                    rec = json.loads(line)
                    got[rec["_file"]].append(rec["row"])
            for f in batch:
                self.cache[(f, os.path.getsize(f))] = got[f]
        return {f: self.cache[(f, os.path.getsize(f))] for f in files}


# ---------------------------------------------------------------- log files

def _meta_map(buf, pos):
    (n,) = struct.unpack_from(">i", buf, pos)
    pos += 4
    out = {}
    for _ in range(n):
        key, length = struct.unpack_from(">ii", buf, pos)
        pos += 8
        out[key] = buf[pos:pos + length].decode("utf-8")
        pos += length
    return out, pos


def log_blocks(data):
    """[(type, header dict, content bytes, offset)]; corrupt blocks are skipped."""
    blocks = []
    pos = 0
    while pos < len(data):
        if data[pos:pos + 6] != b"#HUDI#":
            nxt = data.find(b"#HUDI#", pos + 1)
            if nxt < 0:
                break
            pos = nxt
            continue
        start = pos
        try:
            (size,) = struct.unpack_from(">q", data, pos + 6)
            end = pos + 14 + size
            if size < 0 or end > len(data):
                raise ValueError("bad size")
            p = pos + 14
            version, btype = struct.unpack_from(">ii", data, p)
            p += 8
            header, p = _meta_map(data, p)
            (clen,) = struct.unpack_from(">q", data, p)
            p += 8
            content = data[p:p + clen]
            p += clen
            _, p = _meta_map(data, p)
            p += 8
            if p != end:
                raise ValueError("bad framing")
            blocks.append((btype, header, content, start))
            pos = end
        except (ValueError, struct.error):
            nxt = data.find(b"#HUDI#", pos + 1)
            if nxt < 0:
                break
            pos = nxt
    return blocks


def avro_block_records(content, schema_json):
    version, count = struct.unpack_from(">ii", content, 0)
    assert version >= 2, "Avro block version %d" % version
    schema = avro.schema.parse(schema_json)
    reader = avro.io.DatumReader(schema)
    pos = 8
    out = []
    for _ in range(count):
        (length,) = struct.unpack_from(">i", content, pos)
        pos += 4
        out.append(reader.read(avro.io.BinaryDecoder(io.BytesIO(content[pos:pos + length]))))
        pos += length
    return out, schema


_WRAPPERS = ["Boolean", "Int", "Long", "Float", "Double", "Bytes", "String", "Date", "Decimal",
             "TimeMicros", "TimestampMicros"]
_PRIMS = {"Boolean": "boolean", "Int": "int", "Long": "long", "Float": "float", "Double": "double",
          "Bytes": "bytes", "String": "string", "Date": "int", "Decimal": "bytes",
          "TimeMicros": "long", "TimestampMicros": "long"}
DELETE_SCHEMA = json.dumps({
    "type": "record", "name": "HoodieDeleteRecordList", "namespace": "org.apache.hudi.avro.model",
    "fields": [{"name": "deleteRecordList", "type": {"type": "array", "items": {
        "type": "record", "name": "HoodieDeleteRecord", "fields": [
            {"name": "recordKey", "type": ["null", "string"], "default": None},
            {"name": "partitionPath", "type": ["null", "string"], "default": None},
            {"name": "orderingVal", "type": ["null"] + [
                {"type": "record", "name": "Ordering%sWrapper" % w,
                 "fields": [{"name": "value", "type": _PRIMS[w]}]} for w in _WRAPPERS],
             "default": None}]}}}]})


def delete_block_keys(content):
    """[(record key, ordering value)] of a delete block (version 3)."""
    version, length = struct.unpack_from(">ii", content, 0)
    assert version >= 3, "delete block version %d" % version
    reader = avro.io.DatumReader(avro.schema.parse(DELETE_SCHEMA))
    rec = reader.read(avro.io.BinaryDecoder(io.BytesIO(content[8:8 + length])))
    out = []
    for d in rec["deleteRecordList"]:
        o = d.get("orderingVal")
        out.append((d.get("recordKey"), None if o is None else o["value"]))
    return out


# ---------------------------------------------------------------- names

def parse_base_name(name):
    m = re.match(r"^(.+)_([^_]+)_(\d{14,})\.([a-z]+)$", name)
    return None if not m else {"file_id": m.group(1), "instant": m.group(3), "ext": m.group(4)}


def parse_log_name(name):
    m = re.match(r"^\.(.+)_(\d{14,})\.log\.(\d+)(?:_(.+?))?([-.]cdc)?$", name)
    if not m:
        return None
    return {"file_id": m.group(1), "instant": m.group(2), "version": int(m.group(3)),
            "token": m.group(4) or "", "cdc": bool(m.group(5))}


def pad(t):
    return t.ljust(17, "0")


# ---------------------------------------------------------------- metadata

def read_avro_file(data):
    r = avro.datafile.DataFileReader(io.BytesIO(data), avro.io.DatumReader())
    recs = list(r)
    return recs[0] if recs else {}


def commit_metadata(data):
    if not data.strip():
        return {}
    if data[:4] == b"Obj\x01":
        return read_avro_file(data)
    return json.loads(data)


def write_stats(meta):
    for partition, stats in (meta.get("partitionToWriteStats") or {}).items():
        for s in stats or []:
            yield partition, s


class Version:
    def __init__(self, number, instant, completion, action, ts_ms, meta):
        self.number, self.instant, self.completion = number, instant, completion
        self.action, self.ts_ms, self.meta = action, ts_ms, meta


def instant_ms(t, utc=True):
    import calendar
    import time as _time
    t = pad(t)
    y, mo, d, h, mi, s, ms = (int(t[0:4]), int(t[4:6]), int(t[6:8]), int(t[8:10]), int(t[10:12]),
                              int(t[12:14]), int(t[14:17]))
    if y == 0:
        return 0
    tup = (y, mo, d, h, mi, s, 0, 0, -1)
    secs = calendar.timegm(tup) if utc else int(_time.mktime(tup))
    return secs * 1000 + ms


class HudiTable:
    """One Hudi table folder, read independently."""

    def __init__(self, root, parquet):
        self.root = root
        self.parquet = parquet
        with open(os.path.join(root, ".hoodie", "hoodie.properties"), encoding="utf-8") as f:
            self.props = java_properties(f.read())
        p = self.props
        self.table_version = int(p["hoodie.table.version"])
        self.mor = p.get("hoodie.table.type", "COPY_ON_WRITE") == "MERGE_ON_READ"
        self.layout = int(p.get("hoodie.timeline.layout.version", "2" if self.table_version >= 8 else "1"))
        self.utc = p.get("hoodie.table.timeline.timezone", "UTC").upper() != "LOCAL"
        self.base_format = p.get("hoodie.table.base.file.format", "PARQUET").upper()
        keygen = (p.get("hoodie.table.keygenerator.type") or p.get("hoodie.table.keygenerator.class") or "").upper()
        self.key_fields = [f.strip() for f in p.get("hoodie.table.recordkey.fields", "").split(",") if f.strip()]
        self.complex_keys = len(self.key_fields) > 1 or "COMPLEX" in keygen or "CUSTOM" in keygen
        self.meta_fields = p.get("hoodie.populate.meta.fields", "true").lower() != "false"
        ordering = p.get("hoodie.table.ordering.fields") or p.get("hoodie.table.precombine.field") or ""
        self.ordering = [f.strip() for f in ordering.split(",") if f.strip()]
        self.hive = p.get("hoodie.datasource.write.hive_style_partitioning", "false").lower() == "true"
        time_based = "TIMESTAMP" in keygen
        fields = [f.strip() for f in p.get("hoodie.table.partition.fields", "").split(",") if f.strip()]
        self.partition_fields = []
        seen_time = False
        for f in fields:
            name, _, kind = f.partition(":")
            tb = time_based or kind.lower() == "timestamp"
            seen_time = seen_time or tb
            if not tb and (self.hive or not seen_time):
                self.partition_fields.append((name, fields.index(f)))
        self.partition_columns = [n for n, _ in self.partition_fields]
        mode = p.get("hoodie.record.merge.mode", "").upper()
        payload = p.get("hoodie.compaction.payload.class", "")
        if mode == "EVENT_TIME_ORDERING":
            self.merge = "event"
        elif mode == "COMMIT_TIME_ORDERING":
            self.merge = "commit"
        elif mode:
            self.merge = "custom"
        elif payload.endswith("DefaultHoodieRecordPayload"):
            self.merge = "event"
        elif not payload or payload.endswith("OverwriteWithLatestAvroPayload"):
            self.merge = "commit" if self.table_version >= 8 else "latest"
        else:
            self.merge = "custom"
        if self.merge == "event" and not self.ordering:
            self.merge = "commit"
        self._load_timeline()

    # -- timeline

    def _timeline_dir(self):
        hoodie = os.path.join(self.root, ".hoodie")
        if self.layout >= 2:
            return os.path.join(hoodie, self.props.get("hoodie.timeline.path", "timeline"))
        return hoodie

    def _load_timeline(self):
        tdir = self._timeline_dir()
        completed = []  # (instant, completion, action, metadata)
        pending = []
        names = os.listdir(tdir) if os.path.isdir(tdir) else []
        for name in sorted(names):
            path = os.path.join(tdir, name)
            if not os.path.isfile(path):
                continue
            if self.layout >= 2:
                m = re.match(r"^(\d{14,})_(\d{14,})\.([a-z]+)$", name)
                if m:
                    completed.append((m.group(1), m.group(2), m.group(3), path))
                    continue
            else:
                m = re.match(r"^(\d{14,})\.([a-z]+)$", name)
                if m and m.group(2) != "inflight":
                    completed.append((m.group(1), m.group(1), m.group(2), path))
                    continue
            m = re.match(r"^(\d{14,})\.", name)
            if m:
                pending.append(m.group(1))
        instants = {}
        for instant, completion, action, path in completed:
            with open(path, "rb") as f:
                data = f.read()
            meta = {}
            if action in WRITE_ACTIONS:
                meta = commit_metadata(data)
            elif action in ("rollback", "restore", "clean") and data:
                meta = read_avro_file(data)
            instants[(instant, action)] = (instant, completion, action, meta)
        for entry in self._archived():
            instants.setdefault((entry[0], entry[2]), entry)
        undone = set()
        cleaned = {}
        for instant, completion, action, meta in instants.values():
            if action == "rollback":
                undone.update(meta.get("commitsRollback") or [])
                undone.update(i["commitTime"] for i in meta.get("instantsRollback") or [])
            elif action == "restore":
                undone.update(meta.get("instantsToRollback") or [])
                for rbs in (meta.get("hoodieRestoreMetadata") or {}).values():
                    for rb in rbs:
                        undone.update(rb.get("commitsRollback") or [])
            elif action == "clean":
                for part, pm in (meta.get("partitionMetadata") or {}).items():
                    names = set()
                    for key in ("successDeleteFiles", "failedDeleteFiles", "deletePathPatterns"):
                        names.update(os.path.basename(x) for x in pm.get(key) or [])
                    cleaned.setdefault(pm.get("partitionPath") or part, set()).update(names)
        self.undone = undone
        self.cleaned = cleaned
        writes = [e for e in instants.values() if e[2] in WRITE_ACTIONS and e[0] not in undone]
        key = (lambda e: (pad(e[1] or e[0]), pad(e[0]))) if self.layout >= 2 else (lambda e: pad(e[0]))
        writes.sort(key=key)
        self.versions = []
        last = None
        for n, (instant, completion, action, meta) in enumerate(writes):
            c = completion if self.layout >= 2 and completion else instant
            ts = instant_ms(c, self.utc)
            if last is not None and ts < last:
                ts = last
            last = ts
            self.versions.append(Version(n, instant, c, action, ts, meta))
        starts = [e[0] for e in instants.values()] + pending
        self.timeline_start = min(starts, key=pad) if starts else None

    def _archived(self):
        if self.layout >= 2:
            d = os.path.join(self._timeline_dir(), self.props.get("hoodie.timeline.history.path", "history"))
            if not os.path.isdir(d):
                return []
            version_file = os.path.join(d, "_version_")
            if not os.path.exists(version_file):
                return []
            with open(version_file) as f:
                v = int(f.read().strip())
            with open(os.path.join(d, "manifest_%d" % v)) as f:
                manifest = json.load(f)
            files = [os.path.join(d, e["fileName"]) for e in manifest.get("files", [])]
            out = []
            for path, rows in self.parquet.rows(files).items():
                for r in rows:
                    meta = {}
                    raw = _duck_blob(r.get("metadata"))
                    if r["action"] in WRITE_ACTIONS:
                        meta = commit_metadata(raw or b"")
                    elif r["action"] in ("rollback", "restore", "clean") and raw:
                        meta = read_avro_file(raw)
                    out.append((r["instantTime"], r.get("completionTime") or r["instantTime"],
                                r["action"], meta))
            return out
        d = os.path.join(self.root, ".hoodie", self.props.get("hoodie.archivelog.folder", "archived"))
        if not os.path.isdir(d):
            return []
        out = []
        names = sorted((n for n in os.listdir(d) if n.startswith(".commits_.archive.")),
                       key=lambda n: int(re.match(r"\.commits_\.archive\.(\d+)", n).group(1)))
        for name in names:
            with open(os.path.join(d, name), "rb") as f:
                data = f.read()
            for btype, header, content, _ in log_blocks(data):
                if btype != 3:
                    continue
                records, _ = avro_block_records(content, header[2])
                for r in records:
                    if r.get("actionState") not in (None, "COMPLETED"):
                        continue
                    action = r["actionType"]
                    if action == "replacecommit":
                        meta = r.get("hoodieReplaceCommitMetadata") or r.get("hoodieCommitMetadata") or {}
                    elif action in WRITE_ACTIONS:
                        meta = r.get("hoodieCommitMetadata") or {}
                    elif action == "clean":
                        meta = r.get("hoodieCleanMetadata") or {}
                    elif action == "rollback":
                        meta = r.get("hoodieRollbackMetadata") or {}
                    elif action == "restore":
                        meta = r.get("hoodieRestoreMetadata") or {}
                    else:
                        meta = {}
                    out.append((r["commitTime"], r["commitTime"], action, meta))
        return out

    @property
    def latest(self):
        return max(0, len(self.versions) - 1)

    def schema_at(self, version):
        for v in reversed(self.versions[:version + 1]):
            extra = v.meta.get("extraMetadata") or {}
            if extra.get("schema"):
                return json.loads(extra["schema"])
        s = self.props.get("hoodie.table.create.schema")
        return json.loads(s) if s else None

    # -- file groups

    def groups(self):
        """{(partition, file id): {"bases": [...], "logs": [...], "replaced": version}}"""
        groups = {}
        seen = set()
        for v in self.versions:
            for partition, s in write_stats(v.meta):
                path = s.get("path")
                if not path:
                    continue
                part = s.get("partitionPath") if s.get("partitionPath") is not None else partition
                name = os.path.basename(path)
                lg = parse_log_name(name)
                if lg:
                    if lg["cdc"] or path in seen:
                        continue
                    seen.add(path)
                    g = groups.setdefault((part, lg["file_id"]), {"bases": [], "logs": [], "replaced": None})
                    g["logs"].append(dict(lg, path=path, version=v.number, completion=v.completion))
                    continue
                b = parse_base_name(name)
                assert b, "unexpected file %s" % name
                if path in seen:
                    continue
                seen.add(path)
                g = groups.setdefault((part, b["file_id"]), {"bases": [], "logs": [], "replaced": None})
                g["bases"].append(dict(b, path=path, version=v.number, records=s.get("numWrites")))
            for part, ids in (v.meta.get("partitionToReplaceFileIds") or {}).items():
                for fid in ids:
                    g = groups.setdefault((part, fid), {"bases": [], "logs": [], "replaced": None})
                    if g["replaced"] is None:
                        g["replaced"] = v.number
        return groups

    def slices(self, version):
        """[(partition, base or None, [logs])] of the file groups alive at version."""
        out = []
        for (part, fid), g in sorted(self.groups().items()):
            if g["replaced"] is not None and g["replaced"] <= version:
                continue
            bases = [b for b in g["bases"] if b["version"] <= version]
            base = max(bases, key=lambda b: pad(b["instant"])) if bases else None
            logs = []
            for lg in g["logs"]:
                if lg["version"] > version:
                    continue
                if self.layout >= 2:
                    keys = [b["instant"] for b in g["bases"] if pad(b["instant"]) <= pad(lg["completion"])]
                    key = max(keys, key=pad) if keys else ""
                else:
                    key = lg["instant"]
                if base is not None and pad(key) < pad(base["instant"]):
                    continue
                logs.append(lg)
            if self.layout >= 2:
                logs.sort(key=lambda x: (pad(x["completion"]), pad(x["instant"]), x["version"], x["token"]))
            else:
                logs.sort(key=lambda x: (pad(x["instant"]), x["version"], x["token"]))
            if base is None and not logs:
                continue
            out.append((part, base, logs))
        return out

    # -- rows

    def partition_values(self, partition):
        if not self.partition_fields:
            return {}
        segs = partition.split("/")
        if self.hive:
            kv = dict(s.split("=", 1) for s in segs if "=" in s)
            return {n: kv.get(n) for n, _ in self.partition_fields}
        return {n: segs[i] for n, i in self.partition_fields}

    def record_key(self, row):
        if self.meta_fields and row.get("_hoodie_record_key") is not None:
            return row["_hoodie_record_key"]
        parts = []
        for f in self.key_fields:
            v = row.get(f)
            text = "__null__" if v is None else ("true" if v is True else "false" if v is False else str(v))
            parts.append("%s:%s" % (f, text) if self.complex_keys else text)
        return ",".join(parts)

    def ordering_of(self, row):
        return tuple(row.get(f) for f in self.ordering)

    def rows(self, version, read_optimized=False):
        """[(partition path, row dict)] at `version`: rows rendered as DuckDB
        renders parquet (log records converted to that form)."""
        if not self.versions:
            return []
        valid = {v.instant for v in self.versions[:version + 1]}
        slices = self.slices(version)
        bases = [os.path.join(self.root, b["path"]) for _, b, _ in slices if b is not None]
        base_rows = self.parquet.rows(bases)
        out = []
        for part, base, logs in slices:
            rows = base_rows[os.path.join(self.root, base["path"])] if base is not None else []
            if self.mor and logs and not read_optimized:
                rows = self._merge(rows, logs, valid, version)
            elif base is None:
                rows = []
            out.extend((part, r) for r in rows)
        return out

    def _log_records(self, logs, valid):
        """Effective log records in write order: ("data", key, ordering, row) or ("delete", key, ordering)."""
        blocks = []
        for lg in logs:
            with open(os.path.join(self.root, lg["path"]), "rb") as f:
                data = f.read()
            for btype, header, content, offset in log_blocks(data):
                instant = header.get(0)
                if btype == 0:
                    if header.get(3) == "0":
                        target = header.get(1)
                        blocks = [b for b in blocks if b[1] != target]
                    continue
                if btype not in (1, 3, 5):
                    continue
                ok = instant in valid or (self.timeline_start and instant and pad(instant) < pad(self.timeline_start))
                if not ok:
                    continue
                if 4 in header:
                    replaced = set(header[4].split(","))
                    blocks = [b for b in blocks if b[1] not in replaced]
                blocks.append((btype, instant, header, content))
        records = []
        for btype, instant, header, content in blocks:
            if btype == 1:
                for key, ordering in delete_block_keys(content):
                    records.append(("delete", key, ordering, None))
            elif btype == 3:
                recs, schema = avro_block_records(content, header[2])
                for r in recs:
                    row = avro_to_duck(r, schema)
                    records.append(("data", self.record_key(row), self.ordering_of(row), row))
            else:
                with tempfile.NamedTemporaryFile(suffix=".parquet", delete=False) as tmp:
                    tmp.write(content)
                try:
                    for row in self.parquet.rows([tmp.name])[tmp.name]:
                        records.append(("data", self.record_key(row), self.ordering_of(row), row))
                finally:
                    os.unlink(tmp.name)
        return records

    def _greater(self, a, b):
        """a > b for ordering tuples (None when they cannot be compared)."""
        if not a or not b:
            return None
        a, b = a[:min(len(a), len(b))], b[:min(len(a), len(b))]
        if any(x is None for x in a) or any(y is None for y in b):
            return None
        try:
            return a > b
        except TypeError:
            return None

    def _merge(self, base_rows, logs, valid, version):
        merged = {}  # key -> [kind, ordering, row]
        order = []
        for kind, key, ordering, row in self._log_records(logs, valid):
            ordering = ordering if kind == "data" else (ordering,)
            natural_delete = kind == "delete" and (ordering[0] is None or ordering[0] == 0)
            old = merged.get(key)
            if old is None:
                merged[key] = [kind, ordering, row]
                order.append(key)
                continue
            keep_old = False
            if self.merge != "commit" and not natural_delete:
                old_natural = old[0] == "delete" and (old[1][0] is None or old[1][0] == 0)
                if not (kind == "data" and old_natural):
                    keep_old = self._greater(old[1], ordering) is True
            if not keep_old:
                merged[key] = [kind, ordering, row]
        out = []
        used = set()
        for row in base_rows:
            key = self.record_key(row)
            if key not in merged:
                out.append(row)
                continue
            used.add(key)
            kind, ordering, log_row = merged[key]
            base_wins = False
            if self.merge == "event" and not (kind == "delete" and (ordering[0] is None or ordering[0] == 0)):
                base_wins = self._greater(self.ordering_of(row), ordering) is True
            if base_wins:
                out.append(row)
            elif kind == "data":
                out.append(log_row)
        for key in order:
            if key not in used and merged[key][0] == "data":
                out.append(merged[key][2])
        return out


def _duck_blob(v):
    """Bytes of a BLOB as DuckDB's to_json renders it (\\xNN escapes)."""
    if v is None:
        return None
    out = bytearray()
    i = 0
    while i < len(v):
        if v[i] == "\\" and i + 3 < len(v) and v[i + 1] == "x":
            out.append(int(v[i + 2:i + 4], 16))
            i += 4
        else:
            out.extend(v[i].encode("utf-8"))
            i += 1
    return bytes(out)


def avro_to_duck(value, schema):
    """An Avro record as DuckDB renders the same data read from parquet."""
    from avro.schema import ArraySchema, MapSchema, RecordSchema, UnionSchema
    if value is None:
        return None
    if isinstance(schema, UnionSchema):
        for b in schema.schemas:
            if b.type == "null":
                continue
            if len([x for x in schema.schemas if x.type != "null"]) == 1:
                return avro_to_duck(value, b)
        return value
    if isinstance(schema, RecordSchema):
        return {f.name: avro_to_duck(value.get(f.name), f.type) for f in schema.fields}
    if isinstance(schema, ArraySchema):
        return [avro_to_duck(x, schema.items) for x in value]
    if isinstance(schema, MapSchema):
        return {k: avro_to_duck(x, schema.values) for k, x in value.items()}
    logical = schema.props.get("logicalType") if hasattr(schema, "props") else None
    if logical == "decimal":
        if isinstance(value, decimal.Decimal):
            return value
        return decimal.Decimal(int.from_bytes(value, "big", signed=True)).scaleb(-schema.props["scale"])
    if logical == "date":
        import datetime
        if isinstance(value, datetime.date):
            return value.isoformat()
        return (datetime.date(1970, 1, 1) + datetime.timedelta(days=value)).isoformat()
    if logical in ("timestamp-micros", "timestamp-millis", "local-timestamp-micros", "local-timestamp-millis"):
        import datetime
        if isinstance(value, datetime.datetime):
            return ("ts", int((value - datetime.datetime(1970, 1, 1, tzinfo=value.tzinfo)).total_seconds() * 1000000))
        return ("ts", value * (1000 if "millis" in logical else 1))
    if schema.type in ("bytes", "fixed"):
        return ("bytes", bytes(value))
    if schema.type == "float":
        return ("float", value)
    return value


# ---------------------------------------------------------------- canonical forms

def _f32(x):
    return struct.unpack("<f", struct.pack("<f", float(x)))[0]


def _ts_micros(v):
    if isinstance(v, tuple) and v[0] == "ts":
        return v[1]
    if isinstance(v, (int, float)):
        return int(v)
    m = re.match(r"^(\d{4})-(\d\d)-(\d\d)[ T](\d\d):(\d\d):(\d\d)(\.\d+)?(?:([+-]\d\d)(?::?(\d\d))?)?$", v)
    assert m, "timestamp %r" % v
    import calendar
    secs = calendar.timegm(tuple(int(m.group(i)) for i in range(1, 7)) + (0, 0, 0))
    frac = int(((m.group(7) or ".")[1:] + "000000")[:6])
    if m.group(8):
        sign = -1 if m.group(8)[0] == "-" else 1
        secs -= sign * (int(m.group(8)[1:]) * 3600 + int(m.group(9) or 0) * 60)
    return secs * 1000000 + frac


def canonical(value, spark_type):
    """One comparable form of a value of a Spark-JSON type."""
    if value is None:
        return None
    if isinstance(spark_type, dict):
        t = spark_type["type"]
        if t == "struct":
            return tuple((f["name"], canonical(value.get(f["name"]) if isinstance(value, dict) else None,
                                               f["type"])) for f in spark_type["fields"])
        if t == "array":
            return tuple(canonical(x, spark_type["elementType"]) for x in value)
        if t == "map":
            items = value.items() if isinstance(value, dict) else [(e["key"], e["value"]) for e in value]
            return tuple(sorted((str(k), repr(canonical(v, spark_type["valueType"]))) for k, v in items))
    if spark_type in ("integer", "long", "short", "byte"):
        return int(value)
    if spark_type == "float":
        v = value[1] if isinstance(value, tuple) else value
        return repr(_f32(v))
    if spark_type == "double":
        return repr(float(value))
    if spark_type == "boolean":
        return bool(value)
    if spark_type == "string":
        return str(value)
    if spark_type == "binary":
        if isinstance(value, tuple):
            return value[1].hex()
        return _duck_blob(value).hex()
    if spark_type == "date":
        return str(value)
    if spark_type in ("timestamp", "timestamp_ntz"):
        return _ts_micros(value)
    if spark_type.startswith("decimal"):
        scale = int(spark_type.split(",")[1].rstrip(")"))
        d = value if isinstance(value, decimal.Decimal) else decimal.Decimal(
            value if isinstance(value, str) else repr(value))
        return str(d.quantize(decimal.Decimal(1).scaleb(-scale)))
    return repr(value)


def canonical_row(row, schema):
    return tuple((f["name"], canonical(row.get(f["name"]), f["type"])) for f in schema["fields"])


def inline_dv_positions(z85):
    """Row positions of an inline Delta deletion vector."""
    from delta_log import z85_decode
    data = z85_decode(z85)
    (magic,) = struct.unpack_from("<I", data, 0)
    assert magic == 1681511377, "bad RoaringBitmapArray magic"
    (buckets,) = struct.unpack_from("<q", data, 4)
    pos = 12
    out = []
    for _ in range(buckets):
        (high,) = struct.unpack_from("<I", data, pos)
        pos += 4
        cookie, n = struct.unpack_from("<II", data, pos)
        assert cookie == 12346, "roaring cookie %d" % cookie
        pos += 8
        headers = [struct.unpack_from("<HH", data, pos + 4 * i) for i in range(n)]
        pos += 4 * n + 4 * n
        for key, card in headers:
            card += 1
            if card > 4096:
                words = struct.unpack_from("<1024Q", data, pos)
                pos += 8192
                for w, word in enumerate(words):
                    for bit in range(64):
                        if word >> bit & 1:
                            out.append(high << 32 | key << 16 | (w * 64 + bit))
            else:
                vals = struct.unpack_from("<%dH" % card, data, pos)
                pos += 2 * card
                out.extend(high << 32 | key << 16 | v for v in vals)
    return out
