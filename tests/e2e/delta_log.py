"""A small, independent reader of Delta Lake JSON commit logs.

It exists so the end-to-end tests can compute, without trusting the server,
what a snapshot of a table contains: the active data files (path, size,
partition values, stats, deletion vector) at any version, the protocol and
metaData in force, and the commit timestamps used for time travel; and, per
commit, what the change APIs must return (``expected_changes``: change data
feed and streaming queries, with their own commit-timestamp rule).

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


def apply_commit(table_dir, version, actions, protocol, metadata, active):
    """Applies one commit's actions to `active` ({(path, dv id): FileEntry});
    returns the (protocol, metadata) in force after it."""
    for a in actions:
        if "protocol" in a:
            protocol = a["protocol"]
        elif "metaData" in a:
            metadata = a["metaData"]
        elif "add" in a:
            add = a["add"]
            key = (urllib.parse.unquote(add["path"]), dv_unique_id(add.get("deletionVector")))
            active[key] = FileEntry(table_dir, add, version)
        elif "remove" in a:
            rm = a["remove"]
            key = (urllib.parse.unquote(rm["path"]), dv_unique_id(rm.get("deletionVector")))
            active.pop(key, None)
    return protocol, metadata


def sorted_files(active):
    """The active files in the server's order: path, then DV id."""
    return sorted(active.values(), key=lambda f: (f.path, dv_unique_id(f.deletion_vector) or ""))


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
            protocol, metadata = apply_commit(self.table_dir, v, self.actions(v), protocol, metadata,
                                              active)
        files = sorted_files(active)
        return Snapshot(self, version, protocol, metadata, files, self.commit_timestamp_ms(version))

    # -- per-commit changes (see expected_changes) -----------------------
    def metadata_at(self, version):
        """The metaData in force at `version`."""
        return self._metadata_at(version)

    def protocol_at(self, version):
        """The protocol in force at `version`."""
        protocol = None
        for v in self.commit_versions:
            if v > version:
                break
            for a in self.actions(v):
                if "protocol" in a:
                    protocol = a["protocol"]
        return protocol

    def commit(self, version):
        return Commit(version, self.actions(version))

    def size_added_before(self, version, path):
        """Size of the last add of `path` before `version` (None if none)."""
        want = urllib.parse.unquote(path)
        size = None
        for v in self.commit_versions:
            if v >= version:
                break
            for a in self.actions(v):
                if "add" in a and urllib.parse.unquote(a["add"]["path"]) == want:
                    size = a["add"].get("size")
        return size

    def file_mtime_ms(self, version):
        return os.stat(self.commit_path(version)).st_mtime_ns // 1000000

    def change_timestamps(self):
        """version -> commit timestamp (ms) as the change APIs report it: the
        commit's inCommitTimestamp when in-commit timestamps are enabled at that
        version, else the commit file's modification time, raised to
        previous + 1 ms when it is not later than the previous commit's.
        Read once per DeltaTable (make a new one after changing the table)."""
        if getattr(self, "_change_timestamps", None) is not None:
            return dict(self._change_timestamps)
        if not self.is_json_only:
            raise DeltaLogError("%s: log does not start at version 0" % self.name)
        protocol = metadata = None
        prev = None
        out = {}
        for v in self.commit_versions:
            c = self.commit(v)
            protocol = c.protocol or protocol
            metadata = c.metadata or metadata
            if _ict_enabled(protocol, metadata):
                ts = (c.commit_info or {}).get("inCommitTimestamp")
                if not isinstance(ts, int):
                    raise DeltaLogError("%s@%d: in-commit timestamps enabled, none recorded" % (self.name, v))
            else:
                ts = self.file_mtime_ms(v)
                if prev is not None and ts <= prev:
                    ts = prev + 1
            out[v] = ts
            prev = ts
        self._change_timestamps = out
        return dict(out)

    def version_at_or_after(self, ts_ms):
        """startingTimestamp: the first version whose commit timestamp is >= ts."""
        tl = self.change_timestamps()
        for v in sorted(tl):
            if tl[v] >= ts_ms:
                return v
        raise TimestampOutOfRange("%d is after the latest commit (%d)" % (ts_ms, tl[max(tl)]))

    def version_at_or_before(self, ts_ms):
        """endingTimestamp: the last version whose commit timestamp is <= ts."""
        tl = self.change_timestamps()
        for v in sorted(tl, reverse=True):
            if tl[v] <= ts_ms:
                return v
        raise TimestampOutOfRange("%d is before the first commit" % ts_ms)


def list_tables(root):
    """Every folder under root that holds a _delta_log (one level deep)."""
    out = []
    for name in sorted(os.listdir(root)):
        d = os.path.join(root, name)
        if os.path.isdir(os.path.join(d, "_delta_log")):
            out.append(d)
    return out


# ---------------------------------------------------------------------------
# Per-commit changes: change data feed (/changes) and streaming queries
# (/query with startingVersion), computed from the JSON commits alone.
# ---------------------------------------------------------------------------

FILE_ACTION_KINDS = ("add", "remove", "cdc")


def cdf_enabled(metadata):
    """delta.enableChangeDataFeed is exactly "true" in this metaData."""
    conf = (metadata or {}).get("configuration") or {}
    return conf.get("delta.enableChangeDataFeed") == "true"


def _ict_enabled(protocol, metadata):
    """In-commit timestamps per the Delta protocol: the writer feature
    inCommitTimestamp and delta.enableInCommitTimestamps=true."""
    feats = (protocol or {}).get("writerFeatures") or []
    conf = (metadata or {}).get("configuration") or {}
    return "inCommitTimestamp" in feats and str(conf.get("delta.enableInCommitTimestamps", "")).lower() == "true"


class Commit:
    """The actions of one JSON commit, in log order."""

    def __init__(self, version, actions):
        self.version = version
        self.actions = actions
        self.protocol = None
        self.metadata = None
        self.commit_info = None
        self.file_actions = []   # [(kind, action dict)], kind in FILE_ACTION_KINDS
        for a in actions:
            if "protocol" in a:
                self.protocol = a["protocol"]
            elif "metaData" in a:
                self.metadata = a["metaData"]
            elif "commitInfo" in a:
                self.commit_info = a["commitInfo"]
            else:
                for kind in FILE_ACTION_KINDS:
                    if kind in a:
                        self.file_actions.append((kind, a[kind]))

    @property
    def has_cdc(self):
        return any(k == "cdc" for k, _ in self.file_actions)

    @property
    def is_noop_merge(self):
        """A MERGE whose operationMetrics say 0 rows inserted, updated and
        deleted (all three present, as the strings Delta writes)."""
        ci = self.commit_info or {}
        if ci.get("operation") != "MERGE":
            return False
        m = ci.get("operationMetrics") or {}
        return all(m.get(k) == "0" for k in ("numTargetRowsInserted", "numTargetRowsUpdated",
                                              "numTargetRowsDeleted"))


class ChangesRefused(Exception):
    """The change data feed of a range cannot be served: CDF is not enabled
    at `version` (the start version, or a metaData change in the range)."""

    def __init__(self, version):
        super().__init__("change data was not recorded for version %d" % version)
        self.version = version


class TimestampOutOfRange(Exception):
    pass


class ChangeLine:
    """One expected line of a change answer after protocol/metaData:
    kind 'metaData' (a historical metaData), or a file kind 'add', 'remove'
    or 'cdf' (a Delta `cdc` action)."""

    def __init__(self, kind, version, timestamp, action, size=None):
        self.kind = kind
        self.version = version
        self.timestamp = timestamp
        self.action = action            # the log's metaData / add / remove / cdc object
        # the file's size: the action's, or for a remove that does not record
        # it (optional in Delta) the size of the add it removes
        self.size = action.get("size") if size is None else size

    @property
    def path(self):
        return self.action["path"]

    def __repr__(self):
        if self.kind == "metaData":
            return "ChangeLine(metaData v%d)" % self.version
        return "ChangeLine(%s v%d %s)" % (self.kind, self.version, self.path)


def expected_changes(table, start, end, mode="cdf", include_historical_metadata=False):
    """The lines a change answer for versions start..end has after its
    protocol and metaData lines, in version order (order within a version
    is free).

    mode "cdf" (/changes): CDF must be enabled at `start` and in every
    metaData change of the range (else ChangesRefused); historical metaData
    lines (v > start) only if asked; a commit with `cdc` actions gives only
    those; otherwise add/remove with dataChange=true, except a no-op MERGE.

    mode "stream" (/query with startingVersion): no CDF requirement;
    metaData lines for every v > start that changed it; add/remove with
    dataChange=true; cdc actions ignored."""
    assert mode in ("cdf", "stream")
    tl = table.change_timestamps()
    if mode == "cdf" and not cdf_enabled(table.metadata_at(start)):
        raise ChangesRefused(start)
    out = []
    for v in range(start, end + 1):
        c = table.commit(v)
        ts = tl[v]
        if mode == "cdf" and c.metadata is not None and not cdf_enabled(c.metadata):
            raise ChangesRefused(v)
        if c.metadata is not None and v > start and (mode == "stream" or include_historical_metadata):
            out.append(ChangeLine("metaData", v, ts, c.metadata))
        if mode == "cdf" and c.has_cdc:
            out.extend(ChangeLine("cdf", v, ts, a) for k, a in c.file_actions if k == "cdc")
            continue
        if mode == "cdf" and c.is_noop_merge:
            continue
        for k, a in c.file_actions:
            if k in ("add", "remove") and a.get("dataChange", True) is True:
                size = None
                if k == "remove" and a.get("size") is None:
                    size = table.size_added_before(v, a["path"])
                out.append(ChangeLine(k, v, ts, a, size))
    return out


