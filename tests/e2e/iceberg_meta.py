"""An independent reader of Iceberg tables for the end-to-end tests.

Written from the Iceberg table spec and lakeshare's documented mapping
(src/iceberg/README.md), with Debian's python3-avro for manifest lists and
manifests; it shares no code with the server. For every version of a table
it computes what a Delta Sharing answer must hold: the data files (size,
partition values, stats), the schema as Spark JSON, partition columns, and
whether equality deletes make the snapshot unshareable.

Snapshot objects quack like delta_log's, so expect.py's comparisons work:
``files`` (entries with ``size``, ``partition_values``, ``stats``, ``path``,
``exists()``, ``sha256()``), ``metadata`` (``id``, ``schemaString``,
``partitionColumns``), ``version``, ``partition_columns``.
"""

import gzip
import hashlib
import json
import math
import os
import re
import struct
import uuid
import datetime
from decimal import Decimal

from avro.datafile import DataFileReader
from avro.io import DatumReader

import warnings
warnings.filterwarnings("ignore")  # python3-avro warns about Iceberg's "map" logical type

ROOT = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))),
                    "data", "iceberg", "duckdb-iceberg")
ICEBERG_ROOT = os.path.normpath(ROOT)


# ---------------------------------------------------------------------------
# Locating metadata
# ---------------------------------------------------------------------------

META_SUFFIXES = (".gz.metadata.json", ".metadata.json.gz", ".metadata.json")


def _stem(name):
    for s in META_SUFFIXES:
        if name.endswith(s):
            return name[: -len(s)]
    return None


def _number(name):
    stem = _stem(name)
    if stem is None:
        return None
    m = re.fullmatch(r"v(\d+)", stem) or re.fullmatch(r"(\d+)-.*", stem)
    return int(m.group(1)) if m else None


def table_folder(location):
    location = location.rstrip("/")
    if location.endswith(".json") or location.endswith(".json.gz"):
        d = os.path.dirname(location)
        return os.path.dirname(d) if os.path.basename(d) == "metadata" else d
    return location


def current_metadata_file(location):
    """The rule of src/iceberg/README.md: a configured file is itself; a
    folder uses metadata/version-hint.text unless a higher-numbered file
    exists; else the highest number; else a single unnumbered file."""
    location = location.rstrip("/")
    if location.endswith(".json") or location.endswith(".json.gz"):
        return location
    mdir = os.path.join(location, "metadata")
    names = sorted(os.listdir(mdir))
    cands = [n for n in names if _stem(n) is not None]
    numbered = [(n, _number(n)) for n in cands if _number(n) is not None]
    best = max(numbered, key=lambda x: x[1])[0] if numbered else None
    hint_path = os.path.join(mdir, "version-hint.text")
    if os.path.exists(hint_path):
        hint = open(hint_path).read().strip()
        hinted = [n for n in cands if _stem(n) == hint or (hint.isdigit() and _stem(n) == "v" + hint)]
        if hinted:
            hn = _number(hinted[-1])
            if best is None or (hn is not None and hn >= _number(best)):
                best = hinted[-1]
    if best is None:
        unnumbered = [n for n in cands if _number(n) is None]
        if len(unnumbered) == 1:
            best = unnumbered[0]
    if best is None:
        raise FileNotFoundError("no current metadata in " + mdir)
    return os.path.join(mdir, best)


def read_json(path):
    with open(path, "rb") as f:
        data = f.read()
    if data[:2] == b"\x1f\x8b":
        data = gzip.decompress(data)
    return json.loads(data)


# ---------------------------------------------------------------------------
# Location re-basing
# ---------------------------------------------------------------------------

def _normalize(p):
    scheme = ""
    m = re.match(r"^([A-Za-z][A-Za-z0-9+.-]*):(.*)$", p)
    if m and "/" not in m.group(1):
        scheme, p = m.group(1).lower(), m.group(2)
        if scheme == "file":
            scheme = ""
            if p.startswith("//"):
                p = p[2:]
        elif scheme in ("s3a", "s3n"):
            scheme = "s3"
    out = ""
    if scheme:
        out = scheme + ":"
        if p.startswith("//"):
            out += "//"
            p = p[2:]
    elif p.startswith("/"):
        out = "/"
    segs = [s for s in p.split("/") if s not in ("", ".")]
    return out + "/".join(segs)


def rebase(recorded, recorded_root, configured_root):
    n, r = _normalize(recorded), _normalize(recorded_root)
    if r and (n == r or n.startswith(r + "/")):
        rest = n[len(r):].lstrip("/")
        return configured_root + ("/" + rest if rest else "")
    c = _normalize(configured_root)
    if n.startswith(c + "/"):
        return configured_root + n[len(c):]
    raise ValueError("%r lies outside the table location %r" % (recorded, recorded_root))


# ---------------------------------------------------------------------------
# Types
# ---------------------------------------------------------------------------

def spark_type(t):
    if isinstance(t, dict):
        k = t["type"]
        if k == "struct":
            return spark_struct(t["fields"])
        if k == "list":
            return {"type": "array", "elementType": spark_type(t["element"]),
                    "containsNull": not t.get("element-required", False)}
        if k == "map":
            return {"type": "map", "keyType": spark_type(t["key"]), "valueType": spark_type(t["value"]),
                    "valueContainsNull": not t.get("value-required", False)}
        raise ValueError(k)
    m = re.fullmatch(r"decimal\(\s*(\d+)\s*,\s*(\d+)\s*\)", t)
    if m:
        return "decimal(%s,%s)" % (m.group(1), m.group(2))
    return {"boolean": "boolean", "int": "integer", "long": "long", "time": "long", "float": "float",
            "double": "double", "date": "date", "timestamp": "timestamp_ntz",
            "timestamp_ns": "timestamp_ntz", "timestamptz": "timestamp", "timestamptz_ns": "timestamp",
            "string": "string", "variant": "variant", "unknown": "void"}.get(t, "binary")


def spark_struct(fields):
    out = []
    for f in fields:
        md = {"comment": f["doc"]} if "doc" in f else {}
        out.append({"name": f["name"], "type": spark_type(f["type"]), "nullable": not f.get("required", False),
                    "metadata": md})
    return {"type": "struct", "fields": out}


def _float32_text(b):
    v = struct.unpack("<f", b)[0]
    for p in range(1, 10):
        s = "%.*g" % (p, v)
        if struct.pack("<f", float(s)) == b:
            return float(s)
    return v


def _fmt_ts(v, digits, sep, zone):
    unit = 10 ** digits
    secs, frac = divmod(v, unit)
    d = datetime.datetime(1970, 1, 1) + datetime.timedelta(seconds=secs)
    return "%04d-%02d-%02d%s%02d:%02d:%02d.%0*d%s" % (d.year, d.month, d.day, sep, d.hour, d.minute,
                                                     d.second, digits, frac, "Z" if zone else "")


def decode_bound(t, b):
    """A stats value (as json.loads would give it) or None."""
    if isinstance(t, dict):
        return None
    dm = re.fullmatch(r"decimal\(\s*(\d+)\s*,\s*(\d+)\s*\)", t)
    if dm:
        if not b or len(b) > 16:
            return None
        return float(Decimal(int.from_bytes(b, "big", signed=True)).scaleb(-int(dm.group(2))))
    if t == "boolean":
        return None if len(b) != 1 else b[0] != 0
    if t in ("int", "long", "time"):
        if len(b) == 4:
            return struct.unpack("<i", b)[0]
        if len(b) == 8 and t != "int":
            return struct.unpack("<q", b)[0]
        return None
    if t in ("float", "double"):
        if len(b) == 4:
            v = _float32_text(b)
        elif len(b) == 8 and t == "double":
            v = struct.unpack("<d", b)[0]
        else:
            return None
        return None if math.isinf(v) or math.isnan(v) else v
    if t == "date":
        return None if len(b) != 4 else (datetime.date(1970, 1, 1) + datetime.timedelta(days=struct.unpack("<i", b)[0])).isoformat()
    if t in ("timestamp", "timestamptz", "timestamp_ns", "timestamptz_ns"):
        if len(b) != 8:
            return None
        ns = t.endswith("_ns")
        return _fmt_ts(struct.unpack("<q", b)[0], 9 if ns else 6, "T", t.startswith("timestamptz"))
    if t == "string":
        try:
            return b.decode("utf-8")
        except UnicodeDecodeError:
            return None
    return None


EXPOSABLE = {"boolean", "int", "long", "float", "double", "date", "timestamp", "timestamptz", "string",
             "time", "binary", "uuid"}


def _is_exposable(t):
    return isinstance(t, str) and (t in EXPOSABLE or t.startswith("decimal") or t.startswith("fixed"))


def partition_string(t, v):
    if v is None:
        return None
    if t == "boolean":
        return "true" if v else "false"
    if t in ("int", "long"):
        return str(v)
    if t in ("float", "double"):
        if isinstance(v, float) and math.isnan(v):
            return "NaN"
        if t == "float":
            return repr(_float32_text(struct.pack("<f", v)))
        return repr(float(v))
    if t.startswith("decimal"):
        return format(v, "f")
    if t == "date":
        return v.isoformat() if isinstance(v, datetime.date) else \
            (datetime.date(1970, 1, 1) + datetime.timedelta(days=v)).isoformat()
    if t in ("timestamp", "timestamptz"):
        if isinstance(v, datetime.datetime):
            if v.tzinfo is not None:
                v = v.astimezone(datetime.timezone.utc).replace(tzinfo=None)
            return v.strftime("%Y-%m-%d %H:%M:%S.%f")
        return _fmt_ts(v, 6, " ", False)
    if t == "time":  # Spark long: microseconds after midnight
        if isinstance(v, datetime.time):
            v = ((v.hour * 60 + v.minute) * 60 + v.second) * 1000000 + v.microsecond
        return str(v)
    if t in ("binary", "uuid") or t.startswith("fixed"):
        # PROTOCOL.md's "string of escaped binary values": a character per byte.
        if isinstance(v, str):
            v = uuid.UUID(v).bytes
        return bytes(v).decode("latin-1")
    return v


def bound_partition_value(t, b):
    """A lower/upper bound (Iceberg single-value bytes) as the value an
    identity partition tuple would hold (partition_string's input)."""
    dm = re.fullmatch(r"decimal\(\s*(\d+)\s*,\s*(\d+)\s*\)", t)
    if dm:
        return Decimal(int.from_bytes(b, "big", signed=True)).scaleb(-int(dm.group(2)))
    if t == "boolean":
        return b[0] != 0
    if t in ("int", "long", "date", "time", "timestamp", "timestamptz"):
        return struct.unpack("<i" if len(b) == 4 else "<q", b)[0]
    if t in ("float", "double"):
        return struct.unpack("<f" if len(b) == 4 else "<d", b)[0]
    if t == "string":
        return b.decode("utf-8")
    return bytes(b)  # binary, fixed, uuid


def single_value(df, field):
    """(True, value) when the file's metrics show one value of `field` in
    every row (all null, or no null and lower bound = upper bound); else
    (False, None)."""
    nulls = {kv["key"]: kv["value"] for kv in (df.get("null_value_counts") or [])}
    lower = {kv["key"]: kv["value"] for kv in (df.get("lower_bounds") or [])}
    upper = {kv["key"]: kv["value"] for kv in (df.get("upper_bounds") or [])}
    nans = {kv["key"]: kv["value"] for kv in (df.get("nan_value_counts") or [])}
    fid = field["id"]
    if fid not in nulls or nans.get(fid, 0):
        return False, None
    if nulls[fid] == df["record_count"]:
        return True, None
    if nulls[fid] != 0 or fid not in lower or fid not in upper or lower[fid] != upper[fid]:
        return False, None
    return True, partition_string(field["type"], bound_partition_value(field["type"], lower[fid]))


# ---------------------------------------------------------------------------
# Table
# ---------------------------------------------------------------------------

class FileEntry:
    def __init__(self, path, size, partition_values, stats, record_count):
        self.path = path
        self.size = size
        self.partition_values = partition_values
        self.stats = stats
        self.record_count = record_count

    def exists(self):
        return os.path.exists(self.path)

    def sha256(self):
        with open(self.path, "rb") as f:
            return hashlib.sha256(f.read()).hexdigest()


class Snapshot:
    def __init__(self, version, timestamp, metadata, files, deletes, snapshot_id, equality_deletes=()):
        self.version = version
        self.timestamp = timestamp
        self.metadata = metadata
        self.files = files
        self.delete_files = deletes
        # Equality deletes are refused; position deletes and deletion vectors
        # are served as Delta deletion vectors (iceberg_deletes.py checks them).
        self.equality_deletes = list(equality_deletes)
        self.snapshot_id = snapshot_id
        self.partition_columns = metadata["partitionColumns"]
        self.refused = None  # why the server must refuse it (a partition column it cannot fill)

    @property
    def shareable(self):
        return not self.equality_deletes


def read_avro(path):
    with open(path, "rb") as f:
        r = DataFileReader(f, DatumReader())
        meta = dict(r.meta)
        recs = list(r)
    return meta, recs


class IcebergTable:
    def __init__(self, location):
        self.location = location.rstrip("/")
        self.root = table_folder(self.location)
        self.metadata_file = current_metadata_file(self.location)
        self.meta = read_json(self.metadata_file)
        m = self.meta
        self.format_version = m["format-version"]
        if "schemas" in m:
            self.schemas = {s.get("schema-id", 0): s for s in m["schemas"]}
            self.current_schema_id = m["current-schema-id"]
        else:
            s = m["schema"]
            self.schemas = {s.get("schema-id", 0): s}
            self.current_schema_id = s.get("schema-id", 0)
        if "partition-specs" in m:
            self.specs = {s["spec-id"]: s["fields"] for s in m["partition-specs"]}
            self.default_spec = m.get("default-spec-id", 0)
        else:
            self.specs = {0: m.get("partition-spec", [])}
            self.default_spec = 0
        self.snapshots = {s["snapshot-id"]: s for s in m.get("snapshots", [])}
        cur = m.get("current-snapshot-id")
        main = (m.get("refs") or {}).get("main")
        if main:
            cur = main["snapshot-id"]
        self.current = cur if cur not in (None, -1) else None
        lineage = []
        sid = self.current
        while sid is not None and sid in self.snapshots and sid not in [s["snapshot-id"] for s in lineage]:
            lineage.append(self.snapshots[sid])
            sid = self.snapshots[sid].get("parent-snapshot-id")
        lineage.reverse()
        self.lineage = lineage
        by_seq = bool(lineage) and all(s.get("sequence-number", 0) > 0 for s in lineage)
        self.timeline = []   # (version, adjusted ts, snapshot)
        prev = None
        for s in lineage:
            ts = s["timestamp-ms"] if prev is None else max(s["timestamp-ms"], prev + 1)
            prev = ts
            self.timeline.append((s["sequence-number"] if by_seq else ts, ts, s))
        self.complete = bool(lineage) and lineage[0].get("parent-snapshot-id") is None
        self.table_id = m.get("table-uuid")

    # -- versions ---------------------------------------------------------
    @property
    def versions(self):
        return [v for v, _, _ in self.timeline]

    @property
    def latest_version(self):
        return self.timeline[-1][0] if self.timeline else 0

    @property
    def earliest_version(self):
        if not self.timeline:
            return 0
        return 0 if self.complete and self.timeline[0][0] > 0 else self.timeline[0][0]

    def entry_at(self, version):
        best = None
        for e in self.timeline:
            if e[0] <= version:
                best = e
        return best

    def version_at_or_before(self, ts_ms):
        best = None
        for v, ts, _ in self.timeline:
            if ts <= ts_ms:
                best = v
        return best

    def version_at_or_after(self, ts_ms):
        for v, ts, _ in self.timeline:
            if ts >= ts_ms:
                return v
        return None

    # -- snapshots ----------------------------------------------------------
    def _path(self, recorded):
        return rebase(recorded, self.meta["location"], self.root)

    def schema_for(self, snap):
        if snap is None or snap["snapshot-id"] == self.current:
            return self.schemas[self.current_schema_id]
        sid = snap.get("schema-id")
        return self.schemas.get(sid, self.schemas[self.current_schema_id])

    def manifest_list(self, snap):
        if "manifest-list" in snap:
            _, recs = read_avro(self._path(snap["manifest-list"]))
            return recs
        out = []
        for p in snap.get("manifests", []):
            meta, _ = read_avro(self._path(p))
            out.append({"manifest_path": p, "partition_spec_id": int(meta.get("partition-spec-id", b"0")),
                        "content": 0, "added_snapshot_id": None})
        return out

    def partition_columns(self, schema, spec_ids, partial=False):
        """Identity source columns of every spec in use; with `partial`, also
        those of only some specs (their other files take a value from bounds)."""
        ids = sorted(spec_ids) or [self.default_spec]
        cols = []
        top = {f["id"]: f for f in schema["fields"]}
        for i in ids:
            for pf in self.specs.get(i, []):
                if pf["transform"] != "identity" or pf["source-id"] not in top:
                    continue
                f = top[pf["source-id"]]
                if not _is_exposable(f["type"]) or f["name"] in cols:
                    continue
                everywhere = all(any(x["transform"] == "identity" and x["source-id"] == pf["source-id"]
                                     for x in self.specs.get(j, [])) for j in ids)
                if everywhere or partial:
                    cols.append(f["name"])
        return cols

    def partition_values(self, df, spec, cols, top):
        """{column: value} of a data file, or None when a column its spec has
        no identity field for has no single value in it."""
        values = list((df.get("partition") or {}).values())
        pv = {}
        for c in cols:
            sid = top[c]["id"]
            idx = [i for i, pf in enumerate(spec) if pf["transform"] == "identity" and pf["source-id"] == sid]
            if idx:
                pv[c] = partition_string(top[c]["type"], values[idx[-1]])
                continue
            ok, v = single_value(df, top[c])
            if not ok:
                return None
            pv[c] = v
        return pv

    def files_lack_partition_columns(self):
        return self.meta.get("properties", {}).get("write.data.partition-columns") == "false"

    def metadata_for(self, schema, cols):
        return {"id": self.table_id, "schemaString": json.dumps(spark_struct(schema["fields"])),
                "partitionColumns": cols, "configuration": {}}

    def _stats(self, df, schema):
        lower = {kv["key"]: kv["value"] for kv in (df.get("lower_bounds") or [])}
        upper = {kv["key"]: kv["value"] for kv in (df.get("upper_bounds") or [])}
        nulls = {kv["key"]: kv["value"] for kv in (df.get("null_value_counts") or [])}
        nans = {kv["key"]: kv["value"] for kv in (df.get("nan_value_counts") or [])}

        def walk(fields, source, decode):
            out = {}
            for f in fields:
                t = f["type"]
                if isinstance(t, dict):
                    if t["type"] == "struct":
                        inner = walk(t["fields"], source, decode)
                        if inner:
                            out[f["name"]] = inner
                    continue
                if f["id"] in source:
                    v = decode(f, source[f["id"]])
                    if v is not None:
                        out[f["name"]] = v
            return out

        def bound(f, b):
            if nans.get(f["id"], 0) > 0:
                return None
            return decode_bound(f["type"], b)

        st = {"numRecords": df["record_count"]}
        for key, source, dec in (("minValues", lower, bound), ("maxValues", upper, bound),
                                 ("nullCount", nulls, lambda f, v: v)):
            v = walk(schema["fields"], source, dec)
            if v:
                st[key] = v
        return st

    def snapshot(self, version=None):
        """The expected answer at `version` (None: latest)."""
        if not self.timeline:
            schema = self.schemas[self.current_schema_id]
            return Snapshot(0, None, self.metadata_for(schema, self.partition_columns(schema, set())), [], [], None)
        if version is None:
            entry = self.timeline[-1]
        else:
            entry = self.entry_at(version)
            if entry is None:
                schema = self.schemas[self.current_schema_id]
                return Snapshot(0, None, self.metadata_for(schema, self.partition_columns(schema, set())),
                                [], [], None)
        v, ts, snap = entry
        schema = self.schema_for(snap)
        mlist = self.manifest_list(snap)
        spec_ids = {m["partition_spec_id"] for m in mlist if m.get("content", 0) == 0}
        top = {f["name"]: f for f in schema["fields"]}
        cols = self.partition_columns(schema, spec_ids, partial=True)
        refused = None
        if cols != self.partition_columns(schema, spec_ids):
            for m in mlist:
                if m.get("content", 0) != 0:
                    continue
                _, entries = read_avro(self._path(m["manifest_path"]))
                spec = self.specs[m["partition_spec_id"]]
                for e in entries:
                    df = e["data_file"]
                    if e["status"] != 2 and not df.get("content") and \
                            self.partition_values(df, spec, cols, top) is None:
                        refused = "no single value"
            if refused:
                # the column stays in the files, unless the files may lack it
                if not self.files_lack_partition_columns():
                    refused = None
                cols = self.partition_columns(schema, spec_ids)
        files, deletes, equality = [], [], []
        for m in mlist:
            meta, entries = read_avro(self._path(m["manifest_path"]))
            spec = self.specs[m["partition_spec_id"]]
            for e in entries:
                if e["status"] == 2:
                    continue
                df = e["data_file"]
                content = df.get("content", 0) or 0
                if m.get("content", 0) == 1 or content != 0:
                    deletes.append(df["file_path"])
                    if content == 2:
                        equality.append(df["file_path"])
                    continue
                pv = self.partition_values(df, spec, cols, top)
                files.append(FileEntry(self._path(df["file_path"]), df["file_size_in_bytes"], pv,
                                       self._stats(df, schema), df["record_count"]))
                files[-1].added_by = e.get("snapshot_id") or m.get("added_snapshot_id")
        out = Snapshot(v, ts, self.metadata_for(schema, cols), files, deletes, snap["snapshot-id"], equality)
        out.refused = refused
        return out

    def added_files(self, version, partial=True):
        """(operation, [FileEntry]) of the snapshot at exactly `version`, or
        raises ValueError for a snapshot that deletes rows."""
        v, ts, snap = [e for e in self.timeline if e[0] == version][0]
        schema = self.schema_for(snap)
        mlist = self.manifest_list(snap)
        spec_ids = {m["partition_spec_id"] for m in mlist if m.get("content", 0) == 0}
        cols = self.partition_columns(schema, spec_ids, partial=partial)
        top = {f["name"]: f for f in schema["fields"]}
        out = []
        op = (snap.get("summary") or {}).get("operation", "")
        for m in mlist:
            if m.get("added_snapshot_id") not in (None, snap["snapshot-id"]):
                continue
            _, entries = read_avro(self._path(m["manifest_path"]))
            spec = self.specs[m["partition_spec_id"]]
            for e in entries:
                if e.get("snapshot_id") not in (None, snap["snapshot-id"]) or e["status"] == 0 or op == "replace":
                    continue
                df = e["data_file"]
                if e["status"] == 2 or m.get("content", 0) == 1 or (df.get("content") or 0) != 0:
                    raise ValueError("snapshot %d deletes rows" % snap["snapshot-id"])
                pv = self.partition_values(df, spec, cols, top)
                if pv is None:
                    if self.files_lack_partition_columns():
                        raise ValueError("snapshot %d: a partition column without a value" % snap["snapshot-id"])
                    return self.added_files(version, partial=False)
                out.append(FileEntry(self._path(df["file_path"]), df["file_size_in_bytes"], pv,
                                     self._stats(df, schema), df["record_count"]))
        return op, out, ts


def default_partition_value(field):
    """The protocol partition value of a default, computed here from the
    spec's forms (independently of the server)."""
    import datetime
    import uuid
    t, v = field["type"], field["initial-default"]
    if t == "boolean":
        return "true" if v else "false"
    if t in ("int", "long"):
        return str(v)
    if t in ("float", "double"):
        return repr(float(v))  # shortest form of the JSON number (the values tests use)
    if t in ("date", "string") or t.startswith("decimal"):
        return v
    if t == "time":
        tm = datetime.time.fromisoformat(v)
        return str(((tm.hour * 60 + tm.minute) * 60 + tm.second) * 1000000 + tm.microsecond)
    if t in ("timestamp", "timestamptz", "timestamp_ns", "timestamptz_ns"):
        if t.endswith("_ns"):
            # served as microseconds: only defaults without digits below them
            head, dot, frac = v.partition(".")
            digits = frac[:len(frac) - len(frac.lstrip("0123456789"))]  # the fraction's digits
            assert digits[6:].strip("0") == "", "a default below a microsecond: %r" % v
            v = head + (dot + digits[:6] + frac[len(digits):] if dot else "")
        dt = datetime.datetime.fromisoformat(v)
        if dt.tzinfo is not None:
            dt = dt.astimezone(datetime.timezone.utc).replace(tzinfo=None)
        return dt.strftime("%Y-%m-%d %H:%M:%S.%f")
    raw = uuid.UUID(v).bytes if t == "uuid" else bytes.fromhex(v)
    return raw.decode("latin-1")  # one character per byte (PROTOCOL.md)
