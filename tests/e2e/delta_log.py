"""A small, independent reader of Delta Lake JSON commit logs.

It exists so the end-to-end tests can compute, without trusting the server,
what a snapshot of a table contains: the active data files (path, size,
partition values, stats, deletion vector) at any version, the protocol and
metaData in force, and the commit timestamps used for time travel.

Only JSON commits are read (``_delta_log/NNNNNNNNNNNNNNNNNNNN.json``).
Tables whose log does not start at version 0 (checkpoint-only logs) are
reported as such and not replayed.
"""

import hashlib
import json
import os
import re
import urllib.parse
import uuid

COMMIT_RE = re.compile(r"^(\d{20})\.json$")


class DeltaLogError(Exception):
    pass


def dv_unique_id(dv):
    """Unique id of a deletion vector descriptor (spec: storageType +
    pathOrInlineDv, plus '@offset' when an offset is present)."""
    if not dv:
        return None
    uid = "%s%s" % (dv.get("storageType", ""), dv.get("pathOrInlineDv", ""))
    if dv.get("offset") is not None:
        uid += "@%s" % dv["offset"]
    return uid


# Z85 (ZeroMQ RFC 32) alphabet, used by Delta for deletion vector ids.
Z85_ALPHABET = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ.-:+=^!/*?&<>()[]{}@%$#"
_Z85_VALUE = {c: i for i, c in enumerate(Z85_ALPHABET)}


def z85_decode(text):
    """Z85 text (length a multiple of 5) -> bytes (4 per 5 characters)."""
    if len(text) % 5:
        raise ValueError("Z85 text length %d is not a multiple of 5" % len(text))
    out = bytearray()
    for i in range(0, len(text), 5):
        v = 0
        for ch in text[i:i + 5]:
            v = v * 85 + _Z85_VALUE[ch]
        if v > 0xFFFFFFFF:
            raise ValueError("Z85 group out of range")
        out += v.to_bytes(4, "big")
    return bytes(out)


def z85_encode(data):
    """bytes (length a multiple of 4) -> Z85 text."""
    if len(data) % 4:
        raise ValueError("Z85 input length %d is not a multiple of 4" % len(data))
    out = []
    for i in range(0, len(data), 4):
        v = int.from_bytes(data[i:i + 4], "big")
        group = []
        for _ in range(5):
            v, r = divmod(v, 85)
            group.append(Z85_ALPHABET[r])
        out.append("".join(reversed(group)))
    return "".join(out)


def dv_file_path(table_dir, dv):
    """Local file of an on-disk ('u') deletion vector, per the Delta protocol:
    pathOrInlineDv = <random prefix><20 Z85 characters of a UUID>, stored as
    <table>/<prefix>/deletion_vector_<uuid>.bin. None for other storage types."""
    if not dv or dv.get("storageType") != "u":
        return None
    s = dv["pathOrInlineDv"]
    prefix, encoded = s[:-20], s[-20:]
    name = "deletion_vector_%s.bin" % uuid.UUID(bytes=z85_decode(encoded))
    return os.path.join(table_dir, prefix, name) if prefix else os.path.join(table_dir, name)


class FileEntry:
    """An active data file in a snapshot, as recorded in the log."""

    def __init__(self, table_dir, add, added_in_version):
        self.raw = add
        self.path = add["path"]
        self.size = add["size"]
        self.partition_values = dict(add.get("partitionValues") or {})
        stats = add.get("stats")
        self.stats_string = stats if stats else None
        self.stats = json.loads(stats) if stats else None
        self.deletion_vector = add.get("deletionVector")
        self.added_in_version = added_in_version
        self._table_dir = table_dir

    @property
    def local_path(self):
        """Where the file is on disk (paths in the log are relative URIs)."""
        p = self.path
        if "://" in p:
            parsed = urllib.parse.urlparse(p)
            if parsed.scheme != "file":
                return None
            return urllib.parse.unquote(parsed.path)
        if p.startswith("/"):
            return urllib.parse.unquote(p)
        return os.path.join(self._table_dir, urllib.parse.unquote(p))

    def exists(self):
        lp = self.local_path
        return lp is not None and os.path.isfile(lp)

    def sha256(self):
        h = hashlib.sha256()
        with open(self.local_path, "rb") as f:
            for chunk in iter(lambda: f.read(1 << 20), b""):
                h.update(chunk)
        return h.hexdigest()

    @property
    def dv_local_path(self):
        return dv_file_path(self._table_dir, self.deletion_vector)

    @property
    def live_records(self):
        """numRecords minus the rows the deletion vector removes."""
        n = self.num_records
        if n is None:
            return None
        return n - ((self.deletion_vector or {}).get("cardinality") or 0)

    @property
    def num_records(self):
        if self.stats and isinstance(self.stats.get("numRecords"), int):
            return self.stats["numRecords"]
        return None

    def __repr__(self):
        return "FileEntry(%r, size=%d, pv=%r)" % (self.path, self.size, self.partition_values)


class Snapshot:
    def __init__(self, table, version, protocol, metadata, files, timestamp_ms):
        self.table = table
        self.version = version
        self.protocol = protocol or {}
        self.metadata = metadata or {}
        self.files = files  # list of FileEntry
        self.timestamp_ms = timestamp_ms

    @property
    def partition_columns(self):
        return list(self.metadata.get("partitionColumns") or [])

    @property
    def schema(self):
        return json.loads(self.metadata["schemaString"])

    @property
    def configuration(self):
        return dict(self.metadata.get("configuration") or {})

    @property
    def reader_features(self):
        return set(self.protocol.get("readerFeatures") or [])

    @property
    def min_reader_version(self):
        return self.protocol.get("minReaderVersion", 1)

    @property
    def column_mapping_mode(self):
        return self.configuration.get("delta.columnMapping.mode", "none")

    @property
    def has_deletion_vectors(self):
        """True if an active file carries a deletion vector."""
        return any(f.deletion_vector for f in self.files)

    @property
    def deletion_vectors_enabled(self):
        return ("deletionVectors" in self.reader_features
                or self.configuration.get("delta.enableDeletionVectors") == "true")


class DeltaTable:
    """A Delta table on the local disk, read from its JSON commits only."""

    def __init__(self, table_dir):
        self.table_dir = os.path.abspath(table_dir)
        self.name = os.path.basename(self.table_dir.rstrip("/"))
        self.log_dir = os.path.join(self.table_dir, "_delta_log")
        if not os.path.isdir(self.log_dir):
            raise DeltaLogError("no _delta_log in %s" % table_dir)
        self.commit_versions = sorted(
            int(m.group(1)) for m in map(COMMIT_RE.match, os.listdir(self.log_dir)) if m)
        self._actions = {}

    # -- log shape -------------------------------------------------------
    @property
    def is_json_only(self):
        """Log has 00000000000000000000.json and every commit from 0 on."""
        v = self.commit_versions
        return bool(v) and v[0] == 0 and v == list(range(len(v)))

    @property
    def has_checkpoint_files(self):
        return any(".checkpoint" in f for f in os.listdir(self.log_dir))

    @property
    def latest_version(self):
        return self.commit_versions[-1] if self.commit_versions else None

    def commit_path(self, version):
        return os.path.join(self.log_dir, "%020d.json" % version)

    def actions(self, version):
        if version not in self._actions:
            out = []
            with open(self.commit_path(version), "r", encoding="utf-8") as f:
                for line in f:
                    line = line.strip()
                    if line:
                        out.append(json.loads(line))
            self._actions[version] = out
        return self._actions[version]

    # -- timestamps ------------------------------------------------------
    def commit_info(self, version):
        for a in self.actions(version):
            if "commitInfo" in a:
                return a["commitInfo"]
        return None

    def commit_timestamp_ms(self, version):
        """Commit timestamp per the Delta protocol: the in-commit timestamp
        when in-commit timestamps are enabled at that version, else the
        commit file's modification time."""
        snap_meta = self._metadata_at(version)
        conf = (snap_meta or {}).get("configuration") or {}
        if conf.get("delta.enableInCommitTimestamps") == "true":
            ci = self.commit_info(version)
            if ci and isinstance(ci.get("inCommitTimestamp"), int):
                return ci["inCommitTimestamp"]
        return int(os.stat(self.commit_path(version)).st_mtime * 1000)

    def monotonic_commit_timestamp_ms(self, version):
        """Commit timestamps made strictly increasing, as Delta readers do
        (Spark's history manager): a commit not later than its predecessor
        counts as predecessor + 1 ms. Matters when commit files share a
        modification time (copied test data)."""
        prev = None
        for v in self.commit_versions:
            if v > version:
                break
            t = self.commit_timestamp_ms(v)
            if prev is not None and t <= prev:
                t = prev + 1
            prev = t
        return prev

    def _metadata_at(self, version):
        meta = None
        for v in self.commit_versions:
            if v > version:
                break
            for a in self.actions(v):
                if "metaData" in a:
                    meta = a["metaData"]
        return meta

    # -- replay ----------------------------------------------------------
    def snapshot(self, version=None):
        if not self.is_json_only:
            raise DeltaLogError("%s: log does not start at version 0" % self.name)
        if version is None:
            version = self.latest_version
        if version < 0 or version > self.latest_version:
            raise DeltaLogError("version %d out of range" % version)
        protocol = None
        metadata = None
        active = {}
        for v in self.commit_versions:
            if v > version:
                break
            for a in self.actions(v):
                if "protocol" in a:
                    protocol = a["protocol"]
                elif "metaData" in a:
                    metadata = a["metaData"]
                elif "add" in a:
                    add = a["add"]
                    key = (urllib.parse.unquote(add["path"]), dv_unique_id(add.get("deletionVector")))
                    active[key] = FileEntry(self.table_dir, add, v)
                elif "remove" in a:
                    rm = a["remove"]
                    key = (urllib.parse.unquote(rm["path"]), dv_unique_id(rm.get("deletionVector")))
                    active.pop(key, None)
        files = sorted(active.values(), key=lambda f: (f.path, dv_unique_id(f.deletion_vector) or ""))
        return Snapshot(self, version, protocol, metadata, files, self.commit_timestamp_ms(version))


def list_tables(root):
    """Every folder under root that holds a _delta_log (one level deep)."""
    out = []
    for name in sorted(os.listdir(root)):
        d = os.path.join(root, name)
        if os.path.isdir(os.path.join(d, "_delta_log")):
            out.append(d)
    return out
