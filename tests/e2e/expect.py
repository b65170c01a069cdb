"""Expected results computed independently of the server: file-set and
metadata comparison against the Delta log (parquet and delta response
formats, file ids, deletion vector downloads), the reader features a table
needs, and a small three-valued evaluator for JSON predicate hints."""

import datetime
import hashlib
import json
import os
from collections import Counter

import requests

from strict_client import add_of

# Reader features a parquet-format server may serve when no file needs them.
BENIGN_READER_FEATURES = {"timestampNtz", "columnMapping", "vacuumProtocolCheck"}
# Reader features the server may support or refuse (4xx); both are fine.
OPTIONAL_READER_FEATURES = {"v2Checkpoint", "variantType", "variantType-preview",
                            "variantShredding-preview", "typeWidening", "typeWidening-preview",
                            "deletionVectors"}

MUST_SERVE = "must_serve"
MAY_REFUSE = "may_refuse"
MUST_REFUSE = "must_refuse"


def classify(snapshot):
    """What the server must do with a parquet-format query of this snapshot."""
    if snapshot.has_deletion_vectors or snapshot.column_mapping_mode in ("name", "id"):
        return MUST_REFUSE
    if "schemaString" not in snapshot.metadata:
        return MAY_REFUSE  # e.g. delta-live-table@0: a metaData without a schema
    features = snapshot.reader_features
    unknown = features - BENIGN_READER_FEATURES - OPTIONAL_READER_FEATURES
    if unknown:
        return MUST_REFUSE  # a reader must not read a table with unknown reader features
    if snapshot.deletion_vectors_enabled or (features & OPTIONAL_READER_FEATURES):
        return MAY_REFUSE
    if snapshot.min_reader_version > 3:
        return MUST_REFUSE
    return MUST_SERVE


# ---------------------------------------------------------------------------
# File sets
# ---------------------------------------------------------------------------

def _norm_pv(pv):
    # The protocol: an empty string partition value means null.
    return tuple(sorted((k, "" if v is None else v) for k, v in pv.items()))


def _norm_stats(stats_obj):
    if stats_obj is None:
        return None
    return json.dumps(stats_obj, sort_keys=True)


def expected_key(entry):
    return (entry.size, _norm_pv(entry.partition_values), _norm_stats(entry.stats))


def returned_key(f):
    stats = json.loads(f["stats"]) if "stats" in f else None
    return (f["size"], _norm_pv(f["partitionValues"]), _norm_stats(stats))


def assert_same_files(files, snapshot, context=""):
    exp = Counter(expected_key(e) for e in snapshot.files)
    got = Counter(returned_key(f) for f in files)
    if exp != got:
        missing = exp - got
        extra = got - exp
        raise AssertionError(
            "%s: file set differs from the Delta log at version %d (expected %d files, got %d)\n"
            "  missing (size, partitionValues, stats): %s\n  unexpected: %s"
            % (context, snapshot.version, len(snapshot.files), len(files),
               _fmt(list(missing.elements())[:5]), _fmt(list(extra.elements())[:5])))


def _fmt(keys):
    return "\n    ".join([""] + [repr((k[0], k[1], (k[2] or "")[:160])) for k in keys])


def candidates(f, snapshot):
    k = returned_key(f)
    return [e for e in snapshot.files if expected_key(e) == k]


def download_and_compare(f, snapshot, session=None, context=""):
    """GETs a file URL (no Authorization) and checks the bytes equal the file on disk.
    Returns False (nothing checked) when none of the candidate files exists locally."""
    cands = [e for e in candidates(f, snapshot) if e.exists()]
    if not cands:
        return False
    s = session or requests
    r = s.get(f["url"], timeout=30)
    assert r.status_code == 200, "%s: GET %s -> %d %r" % (context, f["url"], r.status_code, r.content[:300])
    assert r.headers.get("Content-Length") == str(f["size"]), \
        "%s: Content-Length %r != size %d" % (context, r.headers.get("Content-Length"), f["size"])
    assert len(r.content) == f["size"], "%s: downloaded %d bytes, size says %d" % (context, len(r.content), f["size"])
    digest = hashlib.sha256(r.content).hexdigest()
    assert digest in {c.sha256() for c in cands}, \
        "%s: downloaded bytes do not match the file on disk (%s)" % (context, [c.path for c in cands])
    return True


# ---------------------------------------------------------------------------
# Metadata
# ---------------------------------------------------------------------------

def _same_type(a, b, where):
    if isinstance(a, str) or isinstance(b, str):
        assert a == b, "%s: type %r != log %r" % (where, a, b)
        return
    assert a.get("type") == b.get("type"), "%s: type %r != log %r" % (where, a.get("type"), b.get("type"))
    kind = a["type"]
    if kind == "struct":
        assert_same_struct(a, b, where)
    elif kind == "array":
        assert a["containsNull"] == b["containsNull"], where + ": containsNull"
        _same_type(a["elementType"], b["elementType"], where + "[]")
    elif kind == "map":
        assert a["valueContainsNull"] == b["valueContainsNull"], where + ": valueContainsNull"
        _same_type(a["keyType"], b["keyType"], where + "<key>")
        _same_type(a["valueType"], b["valueType"], where + "<value>")


def assert_same_struct(got, log, where="schema"):
    gn = [f["name"] for f in got["fields"]]
    ln = [f["name"] for f in log["fields"]]
    assert gn == ln, "%s: field names %r != log %r" % (where, gn, ln)
    for g, l in zip(got["fields"], log["fields"]):
        w = "%s.%s" % (where, g["name"])
        assert g["nullable"] == l["nullable"], w + ": nullable differs from the log"
        # A server may drop field metadata (the reference keeps only comments), never invent it.
        for k, v in g.get("metadata", {}).items():
            assert l.get("metadata", {}).get(k) == v, "%s: metadata %r=%r not in the log" % (w, k, v)
        _same_type(g["type"], l["type"], w)


def assert_metadata_matches(md, snapshot, context=""):
    log = snapshot.metadata
    assert md["id"] == log["id"], "%s: metaData.id %r != log %r" % (context, md["id"], log["id"])
    assert md["partitionColumns"] == list(log.get("partitionColumns") or []), \
        "%s: partitionColumns %r != log %r" % (context, md["partitionColumns"], log.get("partitionColumns"))
    if "schemaString" in log:
        assert_same_struct(json.loads(md["schemaString"]), json.loads(log["schemaString"]), context + " schema")
    for k in ("name", "description"):
        if md.get(k) is not None:
            assert md[k] == log.get(k), "%s: metaData.%s %r != log %r" % (context, k, md[k], log.get(k))


# ---------------------------------------------------------------------------
# JSON predicates: which truth values can a file's rows produce?
# ---------------------------------------------------------------------------

T, F, N = "T", "F", "N"   # true, false, null (unknown)
ANY = frozenset((T, F, N))


class Unknown(Exception):
    pass


def _parse_ts(s):
    s = s.strip()
    if s.endswith("Z"):
        s = s[:-1] + "+00:00"
    s = s.replace(" ", "T", 1)
    d = datetime.datetime.fromisoformat(s)
    if d.tzinfo is None:
        d = d.replace(tzinfo=datetime.timezone.utc)
    return d.timestamp()


def convert(value, value_type):
    if value is None:
        return None
    try:
        if value_type in ("int", "long"):
            return int(value)
        if value_type in ("float", "double"):
            return float(value)
        if value_type == "string":
            return str(value)
        if value_type == "bool":
            v = str(value).lower()
            if v not in ("true", "false"):
                raise ValueError(value)
            return v == "true"
        if value_type == "date":
            return datetime.date.fromisoformat(str(value)[:10])
        if value_type == "timestamp":
            return _parse_ts(str(value))
    except (ValueError, TypeError):
        raise Unknown()
    raise Unknown()


_CMP = {
    "equal": lambda a, b: a == b,
    "lessThan": lambda a, b: a < b,
    "lessThanOrEqual": lambda a, b: a <= b,
    "greaterThan": lambda a, b: a > b,
    "greaterThanOrEqual": lambda a, b: a >= b,
}
_FLIP = {"equal": "equal", "lessThan": "greaterThan", "lessThanOrEqual": "greaterThanOrEqual",
         "greaterThan": "lessThan", "greaterThanOrEqual": "lessThanOrEqual"}


class FileView:
    """What a predicate evaluator can know about one file."""

    def __init__(self, partition_columns, partition_values, stats, use_stats=True):
        self.partition_columns = set(partition_columns)
        self.pv = partition_values
        self.stats = stats if use_stats else None


def _range_possible(op, mn, mx, lit):
    """Possible truth values of `col op lit` for values in [mn, mx] (non-null)."""
    out = set()
    if op == "equal":
        if mn <= lit <= mx:
            out.add(T)
        if not (mn == mx == lit):
            out.add(F)
    elif op == "lessThan":
        if mn < lit:
            out.add(T)
        if mx >= lit:
            out.add(F)
    elif op == "lessThanOrEqual":
        if mn <= lit:
            out.add(T)
        if mx > lit:
            out.add(F)
    elif op == "greaterThan":
        if mx > lit:
            out.add(T)
        if mn <= lit:
            out.add(F)
    elif op == "greaterThanOrEqual":
        if mx >= lit:
            out.add(T)
        if mn < lit:
            out.add(F)
    return out


def _compare(node, fv):
    ch = node["children"]
    if len(ch) != 2:
        raise Unknown()
    op = node["op"]
    if ch[0]["op"] == "column" and ch[1]["op"] == "literal":
        col, lit = ch[0], ch[1]
    elif ch[1]["op"] == "column" and ch[0]["op"] == "literal":
        col, lit, op = ch[1], ch[0], _FLIP[op]
    else:
        return set(ANY)
    vt = lit.get("valueType")
    litv = convert(lit.get("value"), vt)
    name = col["name"]
    if name in fv.partition_columns:
        raw = fv.pv.get(name)
        if raw is None or raw == "":
            return {N}
        v = convert(raw, vt)
        return {T} if _CMP[op](v, litv) else {F}
    # A data column: only min/max stats can tell anything.
    st = fv.stats
    if not st or vt in ("string", "bool"):  # string stats may be truncated
        return set(ANY)
    mn = (st.get("minValues") or {}).get(name)
    mx = (st.get("maxValues") or {}).get(name)
    if mn is None or mx is None or isinstance(mn, dict):
        return set(ANY)
    mn, mx = convert(mn, vt), convert(mx, vt)
    if vt == "timestamp":
        mx += 0.001  # stats timestamps are truncated to milliseconds
    out = _range_possible(op, mn, mx, litv)
    nulls = (st.get("nullCount") or {}).get(name)
    if nulls is None or nulls > 0:
        out.add(N)
    return out


def possible(node, fv):
    """Set of truth values (T/F/N) the predicate can take on the file's rows."""
    op = node.get("op")
    if op in _CMP:
        try:
            return _compare(node, fv)
        except Unknown:
            return set(ANY)
    if op == "isNull":
        col = node["children"][0]
        name = col["name"]
        if name in fv.partition_columns:
            raw = fv.pv.get(name)
            return {T} if raw is None or raw == "" else {F}
        st = fv.stats
        if st:
            nc = (st.get("nullCount") or {}).get(name)
            nr = st.get("numRecords")
            if isinstance(nc, int):
                if nc == 0:
                    return {F}
                if nc == nr:
                    return {T}
        return {T, F}
    if op == "not":
        inner = possible(node["children"][0], fv)
        return {{T: F, F: T, N: N}[x] for x in inner}
    if op in ("and", "or"):
        sets = [possible(c, fv) for c in node["children"]]
        acc = sets[0]
        for s in sets[1:]:
            nxt = set()
            for a in acc:
                for b in s:
                    if op == "and":
                        nxt.add(F if F in (a, b) else (N if N in (a, b) else T))
                    else:
                        nxt.add(T if T in (a, b) else (N if N in (a, b) else F))
            acc = nxt
        return acc
    return set(ANY)


def partition_bounds(pred, snapshot):
    """(must_include, must_exclude) sets of FileEntry for a predicate.

    must_include: the file can hold a matching row (using partition values and stats).
    must_exclude: the predicate is definitely false for the file from its
    partition values alone (data columns treated as unknown)."""
    pcs = snapshot.partition_columns
    inc, exc = [], []
    for e in snapshot.files:
        if T in possible(pred, FileView(pcs, e.partition_values, e.stats, use_stats=True)):
            inc.append(e)
        if possible(pred, FileView(pcs, e.partition_values, e.stats, use_stats=False)) == {F}:
            exc.append(e)
    return inc, exc


def assert_predicate_result(files, snapshot, pred, context="", check_exclusions=True):
    """Returned files ⊆ all files, ⊇ must_include, ∩ must_exclude = ∅."""
    inc, exc = partition_bounds(pred, snapshot)
    got = Counter(returned_key(f) for f in files)
    all_keys = Counter(expected_key(e) for e in snapshot.files)
    assert not (got - all_keys), "%s: returned files that are not in the snapshot: %s" % (
        context, _fmt(list((got - all_keys).elements())[:5]))
    need = Counter(expected_key(e) for e in inc)
    missing = need - got
    assert not missing, "%s: predicate %s dropped files that can match: %s" % (
        context, json.dumps(pred), _fmt(list(missing.elements())))
    if not check_exclusions:
        return inc, exc
    forbidden = Counter(expected_key(e) for e in exc) & got
    assert not forbidden, "%s: predicate %s kept files whose partition values cannot match: %s" % (
        context, json.dumps(pred), _fmt(list(forbidden.elements())))
    return inc, exc


# predicate builders
def col(name, vt):
    return {"op": "column", "name": name, "valueType": vt}


def lit(value, vt):
    return {"op": "literal", "value": str(value), "valueType": vt}


def cmp(op, name, value, vt):
    return {"op": op, "children": [col(name, vt), lit(value, vt)]}


def AND(*c):
    return {"op": "and", "children": list(c)}


def OR(*c):
    return {"op": "or", "children": list(c)}


def NOT(c):
    return {"op": "not", "children": [c]}


def IS_NULL(name, vt):
    return {"op": "isNull", "children": [col(name, vt)]}


# ---------------------------------------------------------------------------
# Delta response format
# ---------------------------------------------------------------------------

# Reader features a delta-format client must declare (readerfeatures=...)
# before it may read a table that uses them: they change how data is read.
DATA_READER_FEATURES = {"deletionVectors", "columnMapping", "timestampNtz", "typeWidening",
                        "typeWidening-preview", "variantType", "variantType-preview",
                        "variantShredding-preview"}
# Reader features that concern the log only (the client never sees our log).
LOG_READER_FEATURES = {"v2Checkpoint", "vacuumProtocolCheck"}
# What the test clients declare when they mean "everything".
ALL_READER_FEATURES = ",".join(sorted(f.lower() for f in DATA_READER_FEATURES))


def required_reader_features(snapshot):
    """(definitely needed, possibly needed) reader features, lower-cased.

    Definitely: deletion vectors present or enabled, column mapping name/id,
    and data features other than DV/column mapping listed in the protocol.
    Possibly: deletionVectors/columnMapping listed in the protocol but unused."""
    feats = snapshot.reader_features
    need = set()
    if snapshot.has_deletion_vectors or snapshot.configuration.get("delta.enableDeletionVectors") == "true":
        need.add("deletionvectors")
    if snapshot.column_mapping_mode in ("name", "id"):
        need.add("columnmapping")
    for f in feats & DATA_READER_FEATURES - {"deletionVectors", "columnMapping"}:
        need.add(f.lower())
    maybe = {f.lower() for f in feats & {"deletionVectors", "columnMapping"}} - need
    return need, maybe


def classify_delta(snapshot, declared):
    """What the server must do with a delta-format query of this snapshot
    when the client declares the reader features `declared` (lower-cased)."""
    need, maybe = required_reader_features(snapshot)
    if need - declared:
        return MUST_REFUSE
    if "schemaString" not in snapshot.metadata:
        return MAY_REFUSE
    unknown = snapshot.reader_features - DATA_READER_FEATURES - LOG_READER_FEATURES
    if unknown or (maybe - declared):
        return MAY_REFUSE
    return MUST_SERVE


def expected_delta_metadata(log_md):
    """The log's metaData as the delta format must hand it over: unchanged,
    except that null fields are omitted and format.options, partitionColumns
    and configuration default to empty."""
    out = {k: v for k, v in log_md.items() if v is not None}
    fmt = dict(log_md.get("format") or {})
    out["format"] = {"provider": fmt.get("provider", "parquet"), "options": fmt.get("options") or {}}
    out["partitionColumns"] = list(log_md.get("partitionColumns") or [])
    out["configuration"] = dict(log_md.get("configuration") or {})
    return out


def assert_delta_head_matches(result, snapshot, context=""):
    """protocol and metaData lines of a delta-format answer == the log's."""
    assert result.format == "delta", "%s: expected a delta-format answer, got %s" % (context, result.format)
    assert result.protocol == snapshot.protocol, "%s: deltaProtocol %r != log protocol %r" % (
        context, result.protocol, snapshot.protocol)
    exp = expected_delta_metadata(snapshot.metadata)
    if "schemaString" not in snapshot.metadata:
        # an invalid log metaData without a schema (delta-live-table@0): the
        # server may refuse it or stand in a schema of its own
        exp["schemaString"] = result.metadata.get("schemaString")
    if result.metadata != exp:
        diff = sorted(k for k in set(exp) | set(result.metadata) if exp.get(k) != result.metadata.get(k))
        raise AssertionError("%s: deltaMetadata differs from the log's metaData in %r:\n  got:      %r\n  expected: %r"
                             % (context, diff, {k: result.metadata.get(k) for k in diff}, {k: exp.get(k) for k in diff}))
    w = result.metadata_wrapper
    assert w["version"] == snapshot.version, "%s: metaData.version %d != %d" % (context, w["version"], snapshot.version)
    assert w["numFiles"] == len(snapshot.files), "%s: metaData.numFiles %d != %d files in the snapshot" % (
        context, w["numFiles"], len(snapshot.files))
    total = sum(e.size for e in snapshot.files)
    assert w["size"] == total, "%s: metaData.size %d != %d bytes in the snapshot" % (context, w["size"], total)


def file_id(path, scheme):
    """File id of a log path: 'delta' -> SHA-256 hex, 'parquet' -> MD5 hex."""
    h = hashlib.sha256 if scheme == "delta" else hashlib.md5
    return h(path.encode("utf-8")).hexdigest()


def entries_by_id(snapshot, scheme):
    out = {file_id(e.path, scheme): e for e in snapshot.files}
    assert len(out) == len(snapshot.files), "test data: two active files with the same path"
    return out


def assert_delta_file_matches(f, entry, context=""):
    """One delta-format file line against its log `add`."""
    add = add_of(f)
    raw = entry.raw
    where = "%s: %s" % (context, entry.path)
    assert add["partitionValues"] == dict(raw.get("partitionValues") or {}), \
        "%s: partitionValues %r != log %r" % (where, add["partitionValues"], raw.get("partitionValues"))
    for k in ("size", "modificationTime"):
        assert add.get(k) == raw.get(k), "%s: add.%s %r != log %r" % (where, k, add.get(k), raw.get(k))
    # A snapshot's adds carry the state's canonical dataChange=false (as
    # checkpoints and Delta's own log replay record them), whatever the
    # commit that added the file said.
    assert add.get("dataChange") is False, "%s: add.dataChange %r in a snapshot" % (where, add.get("dataChange"))
    if raw.get("_stats_from_parsed"):
        # Rebuilt from a checkpoint's stats_parsed: the same JSON, not the same text.
        assert json.loads(add["stats"]) == json.loads(raw["stats"]), "%s: add.stats %r != %r" % (
            where, add.get("stats"), raw["stats"])
    elif raw.get("stats") is not None:
        assert add.get("stats") == raw["stats"], "%s: add.stats is not the log's stats string" % where
    else:
        assert "stats" not in add, "%s: add.stats invented (the log has none)" % where
    assert_shared_deletion_vector(f, add.get("deletionVector"), raw.get("deletionVector"), where)


def assert_shared_deletion_vector(f, got, dv, where):
    """A shared deletionVector `got` (of file line f) against the log's `dv`."""
    if dv is None:
        assert got is None, "%s: deletionVector invented: %r" % (where, got)
        assert "deletionVectorFileId" not in f
        return
    assert got is not None, "%s: the log's deletionVector %r is missing" % (where, dv)
    if dv["storageType"] == "i":
        assert got == dv, "%s: an inline deletion vector must pass unchanged: %r != %r" % (where, got, dv)
        return
    assert dv["storageType"] == "u", "test data: unexpected DV storage type %r" % dv
    assert got["storageType"] == "p", "%s: an on-disk DV must be shared as storageType 'p': %r" % (where, got)
    assert set(got) == set(dv), "%s: deletionVector keys %r != log %r" % (where, sorted(got), sorted(dv))
    for k in ("offset", "sizeInBytes", "cardinality"):
        assert got.get(k) == dv.get(k), "%s: deletionVector.%s %r != log %r" % (where, k, got.get(k), dv.get(k))
    assert isinstance(f.get("deletionVectorFileId"), str) and f["deletionVectorFileId"]


def assert_same_delta_files(files, snapshot, context="", scheme="delta"):
    """Delta-format file lines == the snapshot's active files, matched by id
    (the `scheme` hash of the log path), each add equal to the log's."""
    by_id = entries_by_id(snapshot, scheme)
    got = [f["id"] for f in files]
    missing = set(by_id) - set(got)
    extra = set(got) - set(by_id)
    assert not missing and not extra and len(got) == len(set(got)), (
        "%s: delta file set differs from the Delta log at version %d (expected %d files, got %d)\n"
        "  missing: %s\n  unexpected ids: %s"
        % (context, snapshot.version, len(by_id), len(got), [by_id[i].path for i in sorted(missing)][:5],
           sorted(extra)[:5]))
    for f in files:
        assert_delta_file_matches(f, by_id[f["id"]], context)


def download_bytes(url, session=None):
    s = session or requests
    r = s.get(url, timeout=30)
    assert r.status_code == 200, "GET %s -> %d %r" % (url, r.status_code, r.content[:300])
    return r.content


def assert_delta_downloads(f, entry, session=None, context=""):
    """The data URL downloads to the file on disk; a DV URL to the DV file.
    Returns the number of downloads checked."""
    add = add_of(f)
    n = 0
    if entry.exists():
        data = download_bytes(add["path"], session)
        assert len(data) == add["size"], "%s: %s downloaded %d bytes, size says %d" % (
            context, entry.path, len(data), add["size"])
        assert hashlib.sha256(data).hexdigest() == entry.sha256(), "%s: %s bytes differ from disk" % (context, entry.path)
        n += 1
    dv_path = entry.dv_local_path
    if dv_path is not None:
        with open(dv_path, "rb") as fh:
            want = fh.read()
        got = download_bytes(add["deletionVector"]["pathOrInlineDv"], session)
        assert got == want, "%s: DV URL of %s downloaded %d bytes that differ from %s (%d bytes)" % (
            context, entry.path, len(got), os.path.basename(dv_path), len(want))
        dv = add["deletionVector"]
        assert dv.get("offset", 0) + dv["sizeInBytes"] <= len(want), "%s: DV offset+size beyond the DV file" % context
        n += 1
    return n


# ---------------------------------------------------------------------------
# Change answers (/changes, /query with startingVersion) against the log
# ---------------------------------------------------------------------------

def all_ranges(table):
    """(s, e) for every version range of a DeltaTable; e None = no end
    bound (the latest version)."""
    vs = table.commit_versions
    return [(s, e) for s in vs for e in [None] + [v for v in vs if v >= s]]


def tamper_token(token):
    """Changes one character in the middle of a token."""
    i = len(token) // 2
    return token[:i] + ("A" if token[i] != "A" else "B") + token[i + 1:]


def iso_ms(ms):
    """ISO-8601 UTC with milliseconds: 2021-01-01T00:00:00.123Z"""
    d = datetime.datetime.fromtimestamp(ms / 1000.0, tz=datetime.timezone.utc)
    return d.strftime("%Y-%m-%dT%H:%M:%S.") + "%03dZ" % (ms % 1000)


def parse_iso_ms(text):
    """Inverse of iso_ms (also takes offsets): milliseconds since the epoch."""
    d = datetime.datetime.fromisoformat(text.replace("Z", "+00:00"))
    return int(round(d.timestamp() * 1000))


def id_scheme(result):
    """The file-id hash a change answer must use: the fileidhash request
    header, else MD5 for parquet and SHA-256 for delta."""
    sent = getattr(result, "sent_fileidhash", None)
    return sent.lower() if sent else result.format


def expected_change_key(line, scheme):
    a = line.action
    stats = json.loads(a["stats"]) if line.kind == "add" and a.get("stats") else None
    return (line.version, line.kind, file_id(a["path"], scheme), line.size,
            _norm_pv(a.get("partitionValues") or {}), line.timestamp, _norm_stats(stats))


def returned_change_key(e):
    stats = json.loads(e["stats"]) if e["kind"] == "add" and e.get("stats") else None
    return (e["version"], e["kind"], e["id"], e["size"], _norm_pv(e["partitionValues"]), e["timestamp"],
            _norm_stats(stats))


class _MetadataView:
    def __init__(self, metadata):
        self.metadata = metadata


def _assert_metadata_line(e, log_md, fmt, context):
    if fmt == "delta":
        exp = expected_delta_metadata(log_md)
        assert e["metadata"] == exp, "%s: metaData of version %d differs from the log's:\n  got:      %r\n  expected: %r" % (
            context, e["version"], e["metadata"], exp)
    else:
        assert_metadata_matches(e["metadata"], _MetadataView(log_md), "%s metaData v%d" % (context, e["version"]))


def _assert_delta_change_action(e, log_action, context):
    """A delta-format change line's action against the log's action."""
    a = e["action"]
    where = "%s: %s v%d %s" % (context, e["kind"], e["version"], log_action["path"])
    assert a["partitionValues"] == dict(log_action.get("partitionValues") or {}), \
        "%s: partitionValues %r != log %r" % (where, a["partitionValues"], log_action.get("partitionValues"))
    keys = ["dataChange"] + {"add": ["modificationTime"], "remove": ["deletionTimestamp"], "cdf": []}[e["kind"]]
    if log_action.get("size") is not None:
        keys.append("size")     # else compared with the true size (assert_changes_match)
    for k in keys:
        assert a.get(k) == log_action.get(k), "%s: %s %r != log %r" % (where, k, a.get(k), log_action.get(k))
    if e["kind"] == "add" and log_action.get("stats") is not None:
        assert a.get("stats") == log_action["stats"], "%s: stats is not the log's stats string" % where
    if "stats" in a:
        assert e["kind"] != "cdf" and a["stats"] == log_action.get("stats"), "%s: stats %r not the log's" % (where, a["stats"])
    assert_shared_deletion_vector(e["line"], a.get("deletionVector"), log_action.get("deletionVector"), where)


def assert_change_head(result, table, start, context=""):
    """Line 1/2 of a change answer: the protocol and metaData at the start
    version; Delta-Table-Version is the start version."""
    assert result.version == start, "%s: Delta-Table-Version %d, expected the start version %d" % (
        context, result.version, start)
    log_md = table.metadata_at(start)
    if result.format == "delta":
        assert result.protocol == table.protocol_at(start), "%s: deltaProtocol %r != log protocol at %d %r" % (
            context, result.protocol, start, table.protocol_at(start))
        exp = expected_delta_metadata(log_md)
        assert result.metadata == exp, "%s: line 2 deltaMetadata differs from the log's at version %d:\n  got:      %r\n  expected: %r" % (
            context, start, result.metadata, exp)
        assert result.metadata_wrapper["version"] == start
    else:
        assert_metadata_matches(result.metadata, _MetadataView(log_md), "%s line 2" % context)


def assert_changes_match(entries, expected, fmt, scheme, context=""):
    """The lines of a change answer (after line 2; one page or all pages of
    a walk) == the expected ChangeLines of delta_log.expected_changes:
    per version the same multiset of (kind, file id, size, partition values,
    timestamp, add stats) and the same metaData lines; delta-format actions
    equal the log's."""
    got_md = [e for e in entries if e["kind"] == "metaData"]
    exp_md = [l for l in expected if l.kind == "metaData"]
    assert [e["version"] for e in got_md] == [l.version for l in exp_md], \
        "%s: metaData lines for versions %r, expected %r" % (
            context, [e["version"] for e in got_md], [l.version for l in exp_md])
    for e, l in zip(got_md, exp_md):
        _assert_metadata_line(e, l.action, fmt, context)
    # A delta-format remove mirrors the log's action: where the log records
    # no size it may leave size out (else it must be the file's true size).
    unsized = {(l.version, file_id(l.path, scheme)): l.size for l in expected
               if fmt == "delta" and l.kind == "remove" and l.action.get("size") is None}

    def key(e):
        k = returned_change_key(e)
        if e["kind"] == "remove" and e["size"] is None and (e["version"], e["id"]) in unsized:
            k = k[:3] + (unsized[(e["version"], e["id"])],) + k[4:]
        return k

    got = Counter(key(e) for e in entries if e["kind"] != "metaData")
    exp = Counter(expected_change_key(l, scheme) for l in expected if l.kind != "metaData")
    if got != exp:
        def show(c):
            return "\n    ".join([""] + ["v%d %s %s size=%s pv=%s ts=%s" % k[:6] for k in sorted(c.elements())][:12])
        raise AssertionError("%s: change lines differ from the log (expected %d file lines, got %d)\n"
                             "  missing:%s\n  unexpected:%s" % (context, sum(exp.values()), sum(got.values()),
                                                                 show(exp - got), show(got - exp)))
    if fmt == "delta":
        by_key = {}
        for l in expected:
            if l.kind != "metaData":
                by_key.setdefault((l.version, l.kind, file_id(l.path, scheme)), []).append(l.action)
        for e in entries:
            if e["kind"] != "metaData":
                cands = by_key[(e["version"], e["kind"], e["id"])]
                errors = []
                for a in cands:
                    try:
                        _assert_delta_change_action(e, a, context)
                        break
                    except AssertionError as err:
                        errors.append(err)
                else:
                    raise errors[0]


def change_entry_identity(e):
    """A change line without its signed URLs and expiry (for page walks)."""
    if e["kind"] == "metaData":
        return ("metaData", e["version"], json.dumps(e["wrapper"], sort_keys=True))
    line = dict(e["line"])
    line.pop("url", None)
    line.pop("expirationTimestamp", None)
    if "deltaSingleAction" in line:
        (name, a), = line["deltaSingleAction"].items()
        a = dict(a, path=None)
        if (a.get("deletionVector") or {}).get("storageType") == "p":
            a["deletionVector"] = dict(a["deletionVector"], pathOrInlineDv=None)
        line["deltaSingleAction"] = {name: a}
    return (e["kind"], e["version"], json.dumps(line, sort_keys=True))


def assert_change_walk(pages, unpaged, max_files, context=""):
    """Pages of a change walk: each has at most max_files file lines, the
    same head and Delta-Table-Version as the unpaged answer, an
    endStreamAction with nextPageToken on all but the last page; together
    they hold exactly the unpaged lines. Returns the entries of all pages."""
    entries = []
    for i, p in enumerate(pages):
        ctx = "%s page %d/%d" % (context, i + 1, len(pages))
        assert p.format == unpaged.format and p.version == unpaged.version, \
            "%s: format/Delta-Table-Version %s/%d != unpaged %s/%d" % (ctx, p.format, p.version, unpaged.format, unpaged.version)
        assert p.protocol == unpaged.protocol and p.metadata_wrapper == unpaged.metadata_wrapper, \
            "%s: protocol/metaData lines differ from the unpaged answer" % ctx
        assert p.end_stream is not None, "%s: a paged answer ends with an endStreamAction" % ctx
        assert len(p.files) <= max_files, "%s: %d file lines, maxFiles %d" % (ctx, len(p.files), max_files)
        last = i == len(pages) - 1
        assert (p.next_page_token is None) == last, "%s: nextPageToken must be omitted exactly on the last page" % ctx
        entries.extend(p.entries)
    n = len(unpaged.files)
    assert len(pages) <= n + 1, "%s: %d pages for %d file lines" % (context, len(pages), n)
    if n > max_files:
        assert len(pages) > 1, "%s: %d file lines, maxFiles %d: more than one page" % (context, n, max_files)
    got = Counter(change_entry_identity(e) for e in entries)
    exp = Counter(change_entry_identity(e) for e in unpaged.entries)
    assert got == exp, "%s: the pages hold %d lines, the unpaged answer %d\n  missing: %s\n  extra: %s" % (
        context, sum(got.values()), sum(exp.values()), list((exp - got).elements())[:3], list((got - exp).elements())[:3])
    versions = [e["version"] for e in entries]
    assert versions == sorted(versions), "%s: pages are not in version order: %r" % (context, versions)
    return entries

