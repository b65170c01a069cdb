"""A strict Delta Sharing client for the end-to-end tests.

It parses responses the way the reference clients do (Python
``rest_client``/``reader`` and the Spark ``DeltaSharingClient``) and, on top
of that, fails on everything those clients would choke on or that the
protocol forbids: wrong content types, missing ``Delta-Table-Version`` or
``delta-sharing-capabilities`` headers, line 1 not exactly ``protocol``,
line 2 not a valid ``metaData``, unexpected line types, lines without a
trailing newline, ``stats`` that is not a JSON string, empty page tokens,
any 5xx.

Both response formats are parsed: ``parquet`` (the default) and ``delta``
(``responseformat=delta``: line 1 ``{"protocol":{"deltaProtocol":…}}``,
line 2 ``{"metaData":{"deltaMetadata":…,"version","size","numFiles"}}``,
then ``{"file":{"id",…,"deltaSingleAction":{"add":…}}}``). The format
answered must be one the request asked for (``parquet`` when it asked for
none), and an ``endStreamAction`` must end the body exactly when the request
asked for one (``maxFiles``, ``pageToken``, ``includeRefreshToken`` or
``includeendstreamaction=true``). A ``fileidhash`` request header must be
echoed lower-cased.

Change answers (``GET …/changes`` and ``POST …/query`` with
``startingVersion``) are parsed by ``parse_changes``: add/cdf/remove lines
(delta format: ``file`` lines with add/cdc/remove actions), each with
version and timestamp, and metaData lines with a version, in version order.
"""

import concurrent.futures
import http.client
import json
import re
import threading
import time
import urllib.parse

import requests

LIST_CONTENT_TYPE = "application/json"
NDJSON_CONTENT_TYPE = "application/x-ndjson"

PRIMITIVE_TYPES = {
    "string", "long", "integer", "short", "byte", "float", "double", "boolean",
    "binary", "date", "timestamp", "timestamp_ntz", "variant", "void",
}
DECIMAL_RE = re.compile(r"^decimal\(\s*\d+\s*,\s*\d+\s*\)$")


class ProtocolViolation(AssertionError):
    pass


def fail(msg, resp=None):
    if resp is not None:
        body = resp.content[:1500]
        msg += "\n  request: %s %s\n  status: %s\n  headers: %s\n  body: %r" % (
            resp.request.method, resp.request.url, resp.status_code, dict(resp.headers), body)
    raise ProtocolViolation(msg)


def check(cond, msg, resp=None):
    if not cond:
        fail(msg, resp)


def is_int(v):
    return isinstance(v, int) and not isinstance(v, bool)


# ---------------------------------------------------------------------------
# Header helpers
# ---------------------------------------------------------------------------

def parse_media_type(value):
    """'application/json; charset=utf-8' -> ('application/json', {'charset': 'utf-8'})"""
    if value is None:
        return None, {}
    parts = [p.strip() for p in value.split(";")]
    params = {}
    for p in parts[1:]:
        if "=" in p:
            k, v = p.split("=", 1)
            params[k.strip().lower()] = v.strip().strip('"').lower()
    return parts[0].lower(), params


def check_content_type(resp, expected, require_charset=True):
    mt, params = parse_media_type(resp.headers.get("Content-Type"))
    check(mt == expected, "Content-Type must be %s, got %r" % (expected, resp.headers.get("Content-Type")), resp)
    if require_charset:
        check(params.get("charset") == "utf-8",
              "Content-Type must say charset=utf-8, got %r" % resp.headers.get("Content-Type"), resp)


def parse_capabilities(value):
    """'responseformat=delta,parquet;readerfeatures=x' -> {'responseformat': ['delta','parquet'], ...}"""
    out = {}
    if not value:
        return out
    for part in value.split(";"):
        part = part.strip()
        if not part:
            continue
        if "=" in part:
            k, v = part.split("=", 1)
            out[k.strip().lower()] = [x.strip().lower() for x in v.split(",") if x.strip()]
        else:
            out[part.lower()] = []
    return out


def table_version_header(resp):
    v = resp.headers.get("Delta-Table-Version")
    check(v is not None, "missing Delta-Table-Version header", resp)
    check(re.fullmatch(r"\d+", v.strip()) is not None, "Delta-Table-Version is not a number: %r" % v, resp)
    return int(v)


# ---------------------------------------------------------------------------
# Schema / line validation
# ---------------------------------------------------------------------------

def check_data_type(t, where):
    if isinstance(t, str):
        check(t in PRIMITIVE_TYPES or DECIMAL_RE.match(t) is not None, "%s: unknown type %r" % (where, t))
        return
    check(isinstance(t, dict), "%s: type must be a string or an object, got %r" % (where, t))
    kind = t.get("type")
    if kind == "struct":
        check_struct(t, where)
    elif kind == "array":
        check("elementType" in t and isinstance(t.get("containsNull"), bool),
              "%s: array needs elementType and containsNull" % where)
        check_data_type(t["elementType"], where + "[]")
    elif kind == "map":
        check("keyType" in t and "valueType" in t and isinstance(t.get("valueContainsNull"), bool),
              "%s: map needs keyType, valueType and valueContainsNull" % where)
        check_data_type(t["keyType"], where + "<key>")
        check_data_type(t["valueType"], where + "<value>")
    else:
        fail("%s: unknown complex type %r" % (where, t))


def check_struct(s, where="schema"):
    check(isinstance(s, dict) and s.get("type") == "struct", "%s: must be a struct" % where)
    check(isinstance(s.get("fields"), list), "%s: struct needs a fields list" % where)
    for f in s["fields"]:
        check(isinstance(f, dict), "%s: field must be an object" % where)
        check(isinstance(f.get("name"), str), "%s: field name must be a string: %r" % (where, f))
        check(isinstance(f.get("nullable"), bool), "%s.%s: nullable must be a bool" % (where, f.get("name")))
        check(isinstance(f.get("metadata"), dict), "%s.%s: metadata must be an object" % (where, f.get("name")))
        check("type" in f, "%s.%s: missing type" % (where, f.get("name")))
        check_data_type(f["type"], "%s.%s" % (where, f["name"]))


def check_protocol_line(obj):
    check(isinstance(obj, dict) and list(obj.keys()) == ["protocol"],
          "line 1 must be exactly {\"protocol\": ...}, got %r" % (obj,))
    p = obj["protocol"]
    check(isinstance(p, dict), "protocol must be an object")
    check(is_int(p.get("minReaderVersion")), "protocol.minReaderVersion must be an int: %r" % p)
    check(p["minReaderVersion"] == 1, "parquet format protocol must have minReaderVersion 1: %r" % p)
    check(set(p.keys()) == {"minReaderVersion"}, "unexpected keys in parquet protocol: %r" % p)
    return p


def check_metadata_line(obj):
    check(isinstance(obj, dict) and list(obj.keys()) == ["metaData"],
          "line 2 must be exactly {\"metaData\": ...}, got %r" % (obj,))
    m = obj["metaData"]
    check(isinstance(m, dict), "metaData must be an object")
    check(isinstance(m.get("id"), str) and m["id"], "metaData.id must be a non-empty string: %r" % m.get("id"))
    fmt = m.get("format")
    check(isinstance(fmt, dict) and isinstance(fmt.get("provider"), str),
          "metaData.format.provider must be a string: %r" % fmt)
    check(fmt["provider"] == "parquet", "metaData.format.provider must be parquet: %r" % fmt)
    if "options" in fmt:
        check(isinstance(fmt["options"], dict), "metaData.format.options must be an object")
    check(isinstance(m.get("schemaString"), str), "metaData.schemaString must be a string")
    try:
        schema = json.loads(m["schemaString"])
    except ValueError as e:
        fail("metaData.schemaString is not JSON: %s" % e)
    check_struct(schema)
    check(isinstance(m.get("partitionColumns"), list), "metaData.partitionColumns must be a list")
    names = {f["name"] for f in schema["fields"]}
    for c in m["partitionColumns"]:
        check(isinstance(c, str), "partition column must be a string: %r" % c)
        check(c in names, "partition column %r is not in the schema" % c)
    if m.get("configuration") is not None:
        conf = m["configuration"]
        check(isinstance(conf, dict) and all(isinstance(k, str) and isinstance(v, str) for k, v in conf.items()),
              "metaData.configuration must be a string map: %r" % conf)
    for k in ("name", "description"):
        if m.get(k) is not None:
            check(isinstance(m[k], str), "metaData.%s must be a string" % k)
    for k in ("version", "size", "numFiles"):
        if k in m:
            check(is_int(m[k]), "metaData.%s must be an int" % k)
    return m


def check_file_line(obj, partition_columns, time_travel, now_ms):
    check(isinstance(obj, dict) and list(obj.keys()) == ["file"],
          "every line after metaData must be exactly {\"file\": ...}, got %r" % (obj,))
    f = obj["file"]
    check(isinstance(f, dict), "file must be an object")
    check(isinstance(f.get("url"), str) and re.match(r"^https?://", f["url"]) is not None,
          "file.url must be an http(s) URL: %r" % f.get("url"))
    check(isinstance(f.get("id"), str) and f["id"], "file.id must be a non-empty string: %r" % f.get("id"))
    pv = f.get("partitionValues")
    check(isinstance(pv, dict), "file.partitionValues must be an object: %r" % pv)
    for k, v in pv.items():
        check(isinstance(k, str) and (v is None or isinstance(v, str)),
              "partitionValues must map strings to strings/null: %r" % pv)
    check(set(pv.keys()) == set(partition_columns),
          "partitionValues keys %r must be the partition columns %r" % (sorted(pv), partition_columns))
    check(is_int(f.get("size")) and f["size"] >= 0, "file.size must be a non-negative int: %r" % f.get("size"))
    if "stats" in f:
        check(isinstance(f["stats"], str), "file.stats must be a JSON *string*, got %r" % type(f["stats"]).__name__)
        try:
            st = json.loads(f["stats"])
        except ValueError as e:
            fail("file.stats does not parse as JSON: %s: %r" % (e, f["stats"][:200]))
        check(isinstance(st, dict), "file.stats must encode an object")
    check(is_int(f.get("expirationTimestamp")), "file.expirationTimestamp must be an int: %r"
          % f.get("expirationTimestamp"))
    check(f["expirationTimestamp"] > now_ms, "file.expirationTimestamp %d is not in the future (now %d)"
          % (f["expirationTimestamp"], now_ms))
    if time_travel:
        for k in ("version", "timestamp"):
            if k in f:
                check(is_int(f[k]), "file.%s must be an int: %r" % (k, f[k]))
    else:
        check("version" not in f and "timestamp" not in f,
              "file.version/timestamp are only for time-travel queries: %r" % f)
    return f



# ---------------------------------------------------------------------------
# Delta-format lines (responseformat=delta)
# ---------------------------------------------------------------------------

DELTA_PROTOCOL_KEYS = {"minReaderVersion", "minWriterVersion", "readerFeatures", "writerFeatures"}
DELTA_METADATA_WRAPPER_KEYS = {"deltaMetadata", "version", "size", "numFiles", "location",
                               "auxiliaryLocations", "accessModes"}
DELTA_METADATA_KEYS = {"id", "name", "description", "format", "schemaString", "partitionColumns",
                       "configuration", "createdTime"}
DELTA_FILE_KEYS = {"id", "deletionVectorFileId", "version", "timestamp", "expirationTimestamp",
                   "deltaSingleAction"}
# Fields of a Delta `add` action (Delta PROTOCOL.md "Add File and Remove File").
DELTA_ADD_KEYS = {"path", "partitionValues", "size", "modificationTime", "dataChange", "stats",
                  "deletionVector", "tags", "baseRowId", "defaultRowCommitVersion", "clusteringProvider"}
DV_KEYS = {"storageType", "pathOrInlineDv", "offset", "sizeInBytes", "cardinality"}
END_STREAM_KEYS = {"refreshToken", "nextPageToken", "minUrlExpirationTimestamp", "errorMessage"}


def _check_string_list(v, what):
    check(isinstance(v, list) and all(isinstance(x, str) and x for x in v),
          "%s must be a list of non-empty strings: %r" % (what, v))


def check_delta_protocol_line(obj, historical=False):
    """Line 1 (historical=False) or a later protocol line of a change answer
    to a request with includeHistoricalProtocol (historical=True: needs its
    version)."""
    check(isinstance(obj, dict) and list(obj.keys()) == ["protocol"],
          "line 1 must be exactly {\"protocol\": ...}, got %r" % (obj,))
    p = obj["protocol"]
    if historical:
        check(isinstance(p, dict) and set(p.keys()) == {"deltaProtocol", "version"} and is_int(p["version"]),
              "a historical protocol line must be {\"deltaProtocol\": ..., \"version\": N}: %r" % (p,))
    else:
        check(isinstance(p, dict) and set(p.keys()) == {"deltaProtocol"},
              "delta-format protocol must be exactly {\"deltaProtocol\": ...} (version only with "
              "includeHistoricalProtocol): %r" % (p,))
    dp = p["deltaProtocol"]
    check(isinstance(dp, dict), "deltaProtocol must be an object: %r" % (dp,))
    check(set(dp.keys()) <= DELTA_PROTOCOL_KEYS, "unexpected keys in deltaProtocol: %r" % dp)
    for k in ("minReaderVersion", "minWriterVersion"):
        check(is_int(dp.get(k)) and dp[k] >= 1, "deltaProtocol.%s must be a positive int: %r" % (k, dp))
    for k in ("readerFeatures", "writerFeatures"):
        if k in dp:
            _check_string_list(dp[k], "deltaProtocol." + k)
    return dp


def physical_partition_keys(delta_metadata):
    """The keys a Delta `add.partitionValues` uses: the physical column names
    when column mapping (name/id) is on, else the partition column names."""
    cols = list(delta_metadata.get("partitionColumns") or [])
    mode = (delta_metadata.get("configuration") or {}).get("delta.columnMapping.mode", "none")
    if mode not in ("name", "id"):
        return cols
    fields = {f["name"]: f for f in json.loads(delta_metadata["schemaString"])["fields"]}
    out = []
    for c in cols:
        phys = (fields.get(c, {}).get("metadata") or {}).get("delta.columnMapping.physicalName")
        check(isinstance(phys, str) and phys,
              "column mapping mode %r: partition column %r has no physicalName" % (mode, c))
        out.append(phys)
    return out


def check_delta_metadata_line(obj, require_size=True):
    """Returns (wrapper, deltaMetadata). Change answers (/changes, streaming)
    may omit size/numFiles (require_size=False)."""
    check(isinstance(obj, dict) and list(obj.keys()) == ["metaData"],
          "line 2 must be exactly {\"metaData\": ...}, got %r" % (obj,))
    w = obj["metaData"]
    check(isinstance(w, dict), "metaData must be an object")
    check(set(w.keys()) <= DELTA_METADATA_WRAPPER_KEYS, "unexpected keys in delta-format metaData: %r"
          % sorted(set(w.keys()) - DELTA_METADATA_WRAPPER_KEYS))
    for k in ("version", "size", "numFiles"):
        if k == "version" or require_size or k in w:
            check(is_int(w.get(k)) and w[k] >= 0, "metaData.%s must be a non-negative int: %r" % (k, w.get(k)))
    m = w.get("deltaMetadata")
    check(isinstance(m, dict), "metaData.deltaMetadata must be an object: %r" % (m,))
    check(set(m.keys()) <= DELTA_METADATA_KEYS, "unexpected keys in deltaMetadata: %r"
          % sorted(set(m.keys()) - DELTA_METADATA_KEYS))
    check(isinstance(m.get("id"), str) and m["id"], "deltaMetadata.id must be a non-empty string: %r" % m.get("id"))
    fmt = m.get("format")
    check(isinstance(fmt, dict) and isinstance(fmt.get("provider"), str) and fmt["provider"],
          "deltaMetadata.format.provider must be a string: %r" % (fmt,))
    opts = fmt.get("options")
    check(isinstance(opts, dict) and all(isinstance(v, str) for v in opts.values()),
          "deltaMetadata.format.options must be a string map: %r" % (fmt,))
    check(isinstance(m.get("schemaString"), str), "deltaMetadata.schemaString must be a string")
    try:
        schema = json.loads(m["schemaString"])
    except ValueError as e:
        fail("deltaMetadata.schemaString is not JSON: %s" % e)
    check_struct(schema)
    check(isinstance(m.get("partitionColumns"), list), "deltaMetadata.partitionColumns must be a list")
    names = {f["name"] for f in schema["fields"]}
    for c in m["partitionColumns"]:
        check(isinstance(c, str) and c in names, "partition column %r is not in the schema" % (c,))
    conf = m.get("configuration")
    check(isinstance(conf, dict) and all(isinstance(k, str) and isinstance(v, str) for k, v in conf.items()),
          "deltaMetadata.configuration must be a string map: %r" % (conf,))
    for k in ("name", "description"):
        if k in m:
            check(isinstance(m[k], str), "deltaMetadata.%s must be a string when present: %r" % (k, m[k]))
    if "createdTime" in m:
        check(is_int(m["createdTime"]), "deltaMetadata.createdTime must be an int: %r" % m["createdTime"])
    physical_partition_keys(m)
    return w, m


def check_deletion_vector(dv, where):
    check(isinstance(dv, dict), "%s: deletionVector must be an object: %r" % (where, dv))
    check(set(dv.keys()) <= DV_KEYS, "%s: unexpected keys in deletionVector: %r" % (where, dv))
    check(dv.get("storageType") in ("p", "i"),
          "%s: a shared deletionVector has storageType 'p' (signed URL) or 'i' (inline), never %r"
          % (where, dv.get("storageType")))
    check(isinstance(dv.get("pathOrInlineDv"), str) and dv["pathOrInlineDv"],
          "%s: deletionVector.pathOrInlineDv must be a non-empty string" % where)
    if dv["storageType"] == "p":
        check(re.match(r"^https?://", dv["pathOrInlineDv"]) is not None,
              "%s: storageType 'p' needs a signed http(s) URL: %r" % (where, dv["pathOrInlineDv"]))
    if "offset" in dv:
        check(is_int(dv["offset"]) and dv["offset"] >= 0, "%s: deletionVector.offset must be an int" % where)
    for k in ("sizeInBytes", "cardinality"):
        check(is_int(dv.get(k)) and dv[k] >= 0, "%s: deletionVector.%s must be a non-negative int" % (where, k))


def check_delta_file_line(obj, partition_keys, time_travel, now_ms):
    check(isinstance(obj, dict) and list(obj.keys()) == ["file"],
          "every line after metaData must be exactly {\"file\": ...}, got %r" % (obj,))
    f = obj["file"]
    check(isinstance(f, dict), "file must be an object")
    check(set(f.keys()) <= DELTA_FILE_KEYS, "unexpected keys in delta-format file: %r"
          % sorted(set(f.keys()) - DELTA_FILE_KEYS))
    check(isinstance(f.get("id"), str) and f["id"], "file.id must be a non-empty string: %r" % f.get("id"))
    check(is_int(f.get("expirationTimestamp")), "file.expirationTimestamp must be an int: %r"
          % f.get("expirationTimestamp"))
    check(f["expirationTimestamp"] > now_ms, "file.expirationTimestamp %d is not in the future (now %d)"
          % (f["expirationTimestamp"], now_ms))
    if time_travel:
        for k in ("version", "timestamp"):
            if k in f:
                check(is_int(f[k]), "file.%s must be an int: %r" % (k, f[k]))
    else:
        check("version" not in f and "timestamp" not in f,
              "file.version/timestamp are only for time-travel queries: %r" % {k: f[k] for k in f if k != "deltaSingleAction"})
    dsa = f.get("deltaSingleAction")
    check(isinstance(dsa, dict) and list(dsa.keys()) == ["add"],
          "a snapshot query's deltaSingleAction must be exactly {\"add\": ...}: %r" % (dsa,))
    add = dsa["add"]
    where = "file %s" % f["id"][:16]
    check(isinstance(add, dict), "%s: add must be an object" % where)
    check(set(add.keys()) <= DELTA_ADD_KEYS, "%s: unexpected keys in add: %r" % (where, sorted(set(add) - DELTA_ADD_KEYS)))
    check(isinstance(add.get("path"), str) and re.match(r"^https?://", add["path"]) is not None,
          "%s: add.path must be the signed http(s) URL: %r" % (where, add.get("path")))
    pv = add.get("partitionValues")
    check(isinstance(pv, dict) and all(isinstance(k, str) and (v is None or isinstance(v, str)) for k, v in pv.items()),
          "%s: add.partitionValues must map strings to strings/null: %r" % (where, pv))
    check(set(pv.keys()) == set(partition_keys),
          "%s: add.partitionValues keys %r must be the (physical) partition columns %r" % (where, sorted(pv), partition_keys))
    check(is_int(add.get("size")) and add["size"] >= 0, "%s: add.size must be a non-negative int" % where)
    check(is_int(add.get("modificationTime")), "%s: add.modificationTime must be an int" % where)
    check(isinstance(add.get("dataChange"), bool), "%s: add.dataChange must be a bool" % where)
    if "stats" in add:
        check(isinstance(add["stats"], str), "%s: add.stats must be a JSON *string*" % where)
        try:
            st = json.loads(add["stats"])
        except ValueError as e:
            fail("%s: add.stats does not parse as JSON: %s" % (where, e))
        check(isinstance(st, dict), "%s: add.stats must encode an object" % where)
    if "deletionVector" in add:
        check_deletion_vector(add["deletionVector"], where)
    on_disk_dv = add.get("deletionVector", {}).get("storageType") == "p"
    if on_disk_dv:
        check(isinstance(f.get("deletionVectorFileId"), str) and f["deletionVectorFileId"],
              "%s: a file whose deletion vector has a URL needs a deletionVectorFileId" % where)
    if "deletionVector" not in add:
        check("deletionVectorFileId" not in f, "%s: deletionVectorFileId without a deletion vector" % where)
    return f


def check_end_stream_action(obj):
    check(isinstance(obj, dict) and list(obj.keys()) == ["endStreamAction"],
          "the last line must be exactly {\"endStreamAction\": ...}: %r" % (obj,))
    e = obj["endStreamAction"]
    check(isinstance(e, dict), "endStreamAction must be an object")
    check(set(e.keys()) <= END_STREAM_KEYS, "unexpected keys in endStreamAction: %r" % e)
    check("errorMessage" not in e, "endStreamAction carries an errorMessage (the client must fail): %r"
          % e.get("errorMessage"))
    for k in ("nextPageToken", "refreshToken"):
        if k in e:
            check(isinstance(e[k], str) and e[k] != "",
                  "endStreamAction.%s must be omitted when not needed, never null or empty: %r" % (k, e[k]))
    check(is_int(e.get("minUrlExpirationTimestamp")),
          "endStreamAction.minUrlExpirationTimestamp must be an int: %r" % (e,))
    return e


# ---------------------------------------------------------------------------
# Change answers: /changes (change data feed) and /query with startingVersion
# ---------------------------------------------------------------------------

# Parquet format: {"add"|"cdf"|"remove": {...}} (PROTOCOL.md "Change Data
# Feed Files"); only `add` may carry stats.
CHANGE_FILE_KEYS = {"url", "id", "partitionValues", "size", "timestamp", "version", "expirationTimestamp"}
PARQUET_CHANGE_KINDS = {"cdf": ("add", "cdf", "remove"), "stream": ("add", "remove")}
# Delta format: deltaSingleAction keys per mode; `cdc` is reported as kind "cdf".
DELTA_CHANGE_ACTIONS = {"cdf": ("add", "cdc", "remove"), "stream": ("add", "remove")}
# Fields of Delta `remove` and `cdc` actions (Delta PROTOCOL.md).
DELTA_REMOVE_KEYS = {"path", "deletionTimestamp", "dataChange", "extendedFileMetadata", "partitionValues",
                     "size", "stats", "tags", "deletionVector", "baseRowId", "defaultRowCommitVersion"}
DELTA_CDC_KEYS = {"path", "partitionValues", "size", "dataChange", "tags"}


def _check_partition_values(pv, keys, where):
    check(isinstance(pv, dict) and all(isinstance(k, str) and (v is None or isinstance(v, str))
                                       for k, v in pv.items()),
          "%s: partitionValues must map strings to strings/null: %r" % (where, pv))
    check(set(pv.keys()) == set(keys), "%s: partitionValues keys %r must be the partition columns %r"
          % (where, sorted(pv), list(keys)))


def _check_stats_string(stats, where):
    check(isinstance(stats, str), "%s: stats must be a JSON *string*, got %r" % (where, type(stats).__name__))
    try:
        st = json.loads(stats)
    except ValueError as e:
        fail("%s: stats does not parse as JSON: %s" % (where, e))
    check(isinstance(st, dict), "%s: stats must encode an object" % where)


def _check_version_timestamp(f, where, now_ms):
    check(is_int(f.get("version")) and f["version"] >= 0, "%s: version must be a non-negative int: %r"
          % (where, f.get("version")))
    check(is_int(f.get("timestamp")), "%s: timestamp (ms) must be an int: %r" % (where, f.get("timestamp")))
    check(is_int(f.get("expirationTimestamp")), "%s: expirationTimestamp must be an int: %r"
          % (where, f.get("expirationTimestamp")))
    check(f["expirationTimestamp"] > now_ms, "%s: expirationTimestamp %d is not in the future (now %d)"
          % (where, f["expirationTimestamp"], now_ms))


def check_parquet_change_line(obj, partition_columns, now_ms, mode):
    """An add/cdf/remove line of a parquet-format change answer; returns an
    entry dict (kind, version, timestamp, id, size, partitionValues, stats,
    url, line)."""
    kinds = PARQUET_CHANGE_KINDS[mode]
    kind = next(iter(obj))
    check(kind in kinds, "a %s answer's lines after metaData must be one of %r (or metaData), got %r"
          % ("/changes" if mode == "cdf" else "startingVersion", kinds, obj))
    f = obj[kind]
    where = "%s line" % kind
    check(isinstance(f, dict), "%s must be an object" % where)
    allowed = CHANGE_FILE_KEYS | ({"stats"} if kind == "add" else set())
    check(set(f.keys()) <= allowed, "%s: unexpected keys %r" % (where, sorted(set(f) - allowed)))
    check(isinstance(f.get("url"), str) and re.match(r"^https?://", f["url"]) is not None,
          "%s: url must be an http(s) URL: %r" % (where, f.get("url")))
    check(isinstance(f.get("id"), str) and f["id"], "%s: id must be a non-empty string" % where)
    _check_partition_values(f.get("partitionValues"), partition_columns, where)
    check(is_int(f.get("size")) and f["size"] >= 0, "%s: size must be a non-negative int" % where)
    if "stats" in f:
        _check_stats_string(f["stats"], where)
    _check_version_timestamp(f, where, now_ms)
    return {"kind": kind, "version": f["version"], "timestamp": f["timestamp"], "id": f["id"],
            "size": f["size"], "partitionValues": f["partitionValues"], "stats": f.get("stats"),
            "url": f["url"], "expirationTimestamp": f["expirationTimestamp"], "line": f}


def check_delta_change_line(obj, partition_keys, now_ms, mode):
    """A {"file": {..., "deltaSingleAction": {add|remove|cdc}}} line of a
    delta-format change answer; returns an entry dict like
    check_parquet_change_line (kind "cdf" for a cdc action) plus `action`."""
    check(list(obj.keys()) == ["file"], "a delta-format change answer's lines after metaData must be "
          "{\"file\": ...} or {\"metaData\": ...}, got %r" % (obj,))
    f = obj["file"]
    check(isinstance(f, dict), "file must be an object")
    check(set(f.keys()) <= DELTA_FILE_KEYS, "unexpected keys in delta-format file: %r"
          % sorted(set(f.keys()) - DELTA_FILE_KEYS))
    check(isinstance(f.get("id"), str) and f["id"], "file.id must be a non-empty string: %r" % f.get("id"))
    where = "file %s" % f["id"][:16]
    _check_version_timestamp(f, where, now_ms)
    dsa = f.get("deltaSingleAction")
    actions = DELTA_CHANGE_ACTIONS[mode]
    check(isinstance(dsa, dict) and len(dsa) == 1 and next(iter(dsa)) in actions,
          "%s: deltaSingleAction must be exactly one of %r: %r" % (where, actions, dsa))
    name = next(iter(dsa))
    a = dsa[name]
    where += " (%s)" % name
    check(isinstance(a, dict), "%s: the action must be an object" % where)
    allowed = {"add": DELTA_ADD_KEYS, "remove": DELTA_REMOVE_KEYS, "cdc": DELTA_CDC_KEYS}[name]
    check(set(a.keys()) <= allowed, "%s: unexpected keys %r" % (where, sorted(set(a) - allowed)))
    check(isinstance(a.get("path"), str) and re.match(r"^https?://", a["path"]) is not None,
          "%s: path must be the signed http(s) URL: %r" % (where, a.get("path")))
    _check_partition_values(a.get("partitionValues"), partition_keys, where)
    if name != "remove" or "size" in a:   # optional in a Delta remove
        check(is_int(a.get("size")) and a["size"] >= 0, "%s: size must be a non-negative int" % where)
    check(isinstance(a.get("dataChange"), bool), "%s: dataChange must be a bool" % where)
    if name == "add":
        check(is_int(a.get("modificationTime")), "%s: modificationTime must be an int" % where)
    if name == "remove" and "deletionTimestamp" in a:
        check(is_int(a["deletionTimestamp"]), "%s: deletionTimestamp must be an int" % where)
    if "stats" in a:
        _check_stats_string(a["stats"], where)
    if "deletionVector" in a:
        check_deletion_vector(a["deletionVector"], where)
    if a.get("deletionVector", {}).get("storageType") == "p":
        check(isinstance(f.get("deletionVectorFileId"), str) and f["deletionVectorFileId"],
              "%s: a deletion vector with a URL needs a deletionVectorFileId" % where)
    if "deletionVector" not in a:
        check("deletionVectorFileId" not in f, "%s: deletionVectorFileId without a deletion vector" % where)
    return {"kind": "cdf" if name == "cdc" else name, "version": f["version"], "timestamp": f["timestamp"],
            "id": f["id"], "size": a.get("size"), "partitionValues": a["partitionValues"], "stats": a.get("stats"),
            "url": a["path"], "expirationTimestamp": f["expirationTimestamp"], "line": f, "action": a}


def add_of(f):
    """The Delta `add` action of a delta-format file line."""
    return f["deltaSingleAction"]["add"]


def split_ndjson(resp):
    check_content_type(resp, NDJSON_CONTENT_TYPE)
    try:
        text = resp.content.decode("utf-8")
    except UnicodeDecodeError:
        fail("NDJSON body is not UTF-8", resp)
    check(text.endswith("\n"), "NDJSON body must end with a newline (every line is newline-terminated)", resp)
    lines = text[:-1].split("\n")
    out = []
    for i, line in enumerate(lines):
        check(line.strip() != "", "empty line %d in NDJSON body" % (i + 1), resp)
        try:
            obj = json.loads(line)
        except ValueError as e:
            fail("line %d is not JSON (%s): %r" % (i + 1, e, line[:300]), resp)
        check(isinstance(obj, dict) and len(obj) == 1,
              "line %d must be a wrapper object with exactly one key: %r" % (i + 1, line[:300]), resp)
        out.append(obj)
    return out


# ---------------------------------------------------------------------------
# Results
# ---------------------------------------------------------------------------

class MetadataResult:
    """protocol/metadata are the parquet objects, or in the delta format the
    deltaProtocol/deltaMetadata; metadata_wrapper is the whole metaData
    object (delta: with version, size, numFiles)."""

    def __init__(self, version, protocol, metadata, headers, capabilities, fmt="parquet", metadata_wrapper=None):
        self.version = version
        self.protocol = protocol
        self.metadata = metadata
        self.headers = headers
        self.capabilities = capabilities
        self.format = fmt
        self.metadata_wrapper = metadata if metadata_wrapper is None else metadata_wrapper

    @property
    def schema(self):
        return json.loads(self.metadata["schemaString"])


class QueryResult(MetadataResult):
    def __init__(self, version, protocol, metadata, files, headers, capabilities, end_stream=None,
                 fmt="parquet", metadata_wrapper=None):
        super().__init__(version, protocol, metadata, headers, capabilities, fmt, metadata_wrapper)
        self.files = files
        self.end_stream = end_stream

    @property
    def ids(self):
        return [f["id"] for f in self.files]

    @property
    def next_page_token(self):
        return (self.end_stream or {}).get("nextPageToken")


class ChangesResult(MetadataResult):
    """A parsed /changes or startingVersion answer. `entries`: the lines after
    protocol/metaData (endStreamAction excluded) as dicts: kind "metaData"
    (version, metadata, wrapper) or a file kind "add"/"remove"/"cdf" (see
    check_parquet_change_line / check_delta_change_line)."""

    def __init__(self, version, protocol, metadata, entries, headers, capabilities, end_stream, fmt,
                 metadata_wrapper, mode):
        super().__init__(version, protocol, metadata, headers, capabilities, fmt, metadata_wrapper)
        self.entries = entries
        self.end_stream = end_stream
        self.mode = mode

    @property
    def files(self):
        return [e for e in self.entries if e["kind"] not in ("metaData", "protocol")]

    @property
    def next_page_token(self):
        return (self.end_stream or {}).get("nextPageToken")


class ErrorResult:
    def __init__(self, status, code, message, resp):
        self.status = status
        self.code = code
        self.message = message
        self.resp = resp

    def __repr__(self):
        return "ErrorResult(%d, %r, %r)" % (self.status, self.code, self.message)



# ---------------------------------------------------------------------------
# What the request asked for (read back from the prepared request)
# ---------------------------------------------------------------------------

def requested_formats(capabilities_header):
    """Formats a request accepts: its responseformat list, else parquet."""
    return parse_capabilities(capabilities_header).get("responseformat") or ["parquet"]


def _request_body(resp):
    body = resp.request.body
    if body is None:
        return {}
    if isinstance(body, bytes):
        try:
            body = body.decode("utf-8")
        except UnicodeDecodeError:
            return {}
    try:
        obj = json.loads(body)
    except ValueError:
        return {}
    return obj if isinstance(obj, dict) else {}


def asked_for_end_stream(resp):
    """The request asked for an endStreamAction: maxFiles, pageToken or
    includeRefreshToken in the body, or includeendstreamaction=true."""
    caps = parse_capabilities(resp.request.headers.get("delta-sharing-capabilities"))
    if caps.get("includeendstreamaction") == ["true"]:
        return True
    if resp.request.method == "GET":   # /changes: maxFiles / pageToken are query parameters
        q = urllib.parse.parse_qs(urllib.parse.urlsplit(resp.request.url).query)
        return "maxFiles" in q or bool(q.get("pageToken", [""])[0])
    body = _request_body(resp)
    return (body.get("maxFiles") is not None or body.get("pageToken") is not None
            or body.get("includeRefreshToken") is True)


def asked_for_historical_protocol(resp):
    """includeHistoricalProtocol=true as a /changes parameter or in a streaming query body."""
    if resp.request.method == "GET":
        q = urllib.parse.parse_qs(urllib.parse.urlsplit(resp.request.url).query)
        return q.get("includeHistoricalProtocol", [""])[0].lower() == "true"
    return _request_body(resp).get("includeHistoricalProtocol") is True


def is_time_travel(resp):
    body = _request_body(resp)
    return body.get("version") is not None or body.get("timestamp") is not None


# ---------------------------------------------------------------------------
# Client
# ---------------------------------------------------------------------------

class StrictClient:
    def __init__(self, endpoint_url, token=None, server=None, timeout=30):
        self.endpoint_url = endpoint_url.rstrip("/")
        self.token = token
        self.server = server
        self.timeout = timeout
        self.session = requests.Session()
        parsed = urllib.parse.urlsplit(self.endpoint_url)
        self.prefix = parsed.path  # e.g. /delta-sharing
        self.netloc = parsed.netloc

    def with_token(self, token):
        return StrictClient(self.endpoint_url, token, self.server, self.timeout)

    # -- transport -----------------------------------------------------------
    def _headers(self, headers, token):
        h = {"User-Agent": "lakeshare-e2e/1.0"}
        tok = self.token if token is ... else token
        if tok is not None:
            h["Authorization"] = "Bearer %s" % tok
        if headers:
            h.update(headers)
        return h

    def raw(self, method, path, headers=None, token=..., allow_5xx=False, **kw):
        """Sends a request; never returns a 5xx silently. path is relative to the endpoint."""
        url = path if path.startswith("http") else self.endpoint_url + path
        try:
            resp = self.session.request(method, url, headers=self._headers(headers, token),
                                        timeout=self.timeout, allow_redirects=False, **kw)
        except requests.RequestException as e:
            diag = self.server.diagnostics() if self.server is not None else ""
            raise AssertionError("request %s %s failed: %r\n%s" % (method, url, e, diag))
        if resp.status_code >= 500 and not allow_5xx:
            fail("server answered %d (the server must never 5xx on these requests)" % resp.status_code, resp)
        return resp

    def raw_http(self, method, raw_path, headers=None, body=None, token=...):
        """Sends the path bytes exactly as given (no normalisation, no
        re-quoting), for percent-encoding and '..' tests. Returns
        (status, headers dict lower-cased, body bytes)."""
        host, _, port = self.netloc.partition(":")
        conn = http.client.HTTPConnection(host, int(port or 80), timeout=self.timeout)
        try:
            hdrs = self._headers(headers, token)
            conn.putrequest(method, raw_path, skip_accept_encoding=True,
                            skip_host=any(k.lower() == "host" for k in hdrs))
            for k, v in hdrs.items():
                conn.putheader(k, v)
            if body is not None:
                conn.putheader("Content-Length", str(len(body)))
            conn.endheaders(body)
            r = conn.getresponse()
            data = r.read()
            return r.status, {k.lower(): v for k, v in r.getheaders()}, data
        finally:
            conn.close()

    # -- errors --------------------------------------------------------------
    @staticmethod
    def parse_error(resp, status=None, codes=None):
        """Checks the JSON error shape; status/codes (a str or a collection) if given."""
        if status is not None:
            if isinstance(status, int):
                check(resp.status_code == status, "expected HTTP %d" % status, resp)
            else:
                check(resp.status_code in status, "expected HTTP status in %r" % (status,), resp)
        check(400 <= resp.status_code < 500, "expected a 4xx error", resp)
        check_content_type(resp, "application/json", require_charset=False)
        try:
            body = resp.json()
        except ValueError:
            fail("error body is not JSON", resp)
        check(isinstance(body, dict), "error body must be an object", resp)
        check(isinstance(body.get("errorCode"), str) and body["errorCode"], "error needs a string errorCode", resp)
        check(isinstance(body.get("message"), str), "error needs a string message", resp)
        for marker in ("Traceback", "terminate called", "std::", ".cc:", ".cpp:", "what():"):
            check(marker not in body["message"], "error message leaks internals (%r)" % marker, resp)
        if codes is not None:
            if isinstance(codes, str):
                codes = (codes,)
            check(body["errorCode"] in codes, "expected errorCode in %r, got %r" % (tuple(codes), body["errorCode"]), resp)
        return ErrorResult(resp.status_code, body["errorCode"], body["message"], resp)

    # -- lists ---------------------------------------------------------------
    def _list(self, path, max_results=None, page_token=None, item_check=None):
        params = {}
        if max_results is not None:
            params["maxResults"] = max_results
        if page_token is not None:
            params["pageToken"] = page_token
        resp = self.raw("GET", path, params=params)
        check(resp.status_code == 200, "list call failed", resp)
        check_content_type(resp, LIST_CONTENT_TYPE)
        try:
            body = resp.json()
        except ValueError:
            fail("list body is not JSON", resp)
        check(isinstance(body, dict), "list body must be an object", resp)
        items = body.get("items", [])
        check(isinstance(items, list), "items must be a list", resp)
        if "nextPageToken" in body:
            tok = body["nextPageToken"]
            check(isinstance(tok, str) and tok != "",
                  "nextPageToken must be omitted when done, never null or empty: %r" % (tok,), resp)
        for it in items:
            check(isinstance(it, dict), "list item must be an object", resp)
            if item_check:
                item_check(it, resp)
        return items, body.get("nextPageToken")

    @staticmethod
    def _share_item(it, resp):
        check(isinstance(it.get("name"), str) and it["name"], "share item needs a name: %r" % it, resp)
        if it.get("id") is not None:
            check(isinstance(it["id"], str), "share.id must be a string", resp)

    @staticmethod
    def _schema_item(it, resp):
        check(isinstance(it.get("name"), str) and it["name"], "schema item needs a name: %r" % it, resp)
        check(isinstance(it.get("share"), str) and it["share"], "schema item needs share: %r" % it, resp)

    @staticmethod
    def _table_item(it, resp):
        for k in ("name", "schema", "share"):
            check(isinstance(it.get(k), str) and it[k], "table item needs %s: %r" % (k, it), resp)
        for k in ("id", "shareId"):
            if it.get(k) is not None:
                check(isinstance(it[k], str), "table.%s must be a string" % k, resp)

    def list_shares(self, max_results=None, page_token=None):
        return self._list("/shares", max_results, page_token, self._share_item)

    def list_schemas(self, share, max_results=None, page_token=None):
        return self._list("/shares/%s/schemas" % share, max_results, page_token, self._schema_item)

    def list_tables(self, share, schema, max_results=None, page_token=None):
        return self._list("/shares/%s/schemas/%s/tables" % (share, schema), max_results, page_token,
                          self._table_item)

    def list_all_tables(self, share, max_results=None, page_token=None):
        return self._list("/shares/%s/all-tables" % share, max_results, page_token, self._table_item)

    def walk(self, fn, *args, max_results=None, limit=10000):
        """Follows nextPageToken until it is omitted; returns all items."""
        items, tok = fn(*args, max_results=max_results)
        out = list(items)
        pages = 1
        while tok is not None:
            pages += 1
            check(pages < limit, "pagination does not terminate")
            items, tok = fn(*args, max_results=max_results, page_token=tok)
            if max_results is not None:
                check(len(items) <= max_results, "page has more than maxResults items")
            out.extend(items)
        return out

    def get_share(self, share):
        resp = self.raw("GET", "/shares/%s" % share)
        check(resp.status_code == 200, "get share failed", resp)
        check_content_type(resp, LIST_CONTENT_TYPE)
        body = resp.json()
        check(isinstance(body, dict) and isinstance(body.get("share"), dict), "expected {\"share\": {...}}", resp)
        self._share_item(body["share"], resp)
        return body["share"]

    # -- table endpoints -----------------------------------------------------
    @staticmethod
    def table_path(share, schema, table):
        return "/shares/%s/schemas/%s/tables/%s" % (share, schema, table)

    def table_version(self, share, schema, table, starting_timestamp=None):
        params = {}
        if starting_timestamp is not None:
            params["startingTimestamp"] = starting_timestamp
        resp = self.raw("GET", self.table_path(share, schema, table) + "/version", params=params)
        check(resp.status_code == 200, "version call failed", resp)
        check(resp.content == b"", "version response must have an empty body", resp)
        return table_version_header(resp)

    def _capabilities_response(self, resp):
        """Checks the response capabilities header; returns (caps, chosen format).
        The format must be one the request asked for (parquet when it named none)."""
        cap_hdr = resp.headers.get("delta-sharing-capabilities")
        check(cap_hdr is not None, "missing delta-sharing-capabilities response header", resp)
        caps = parse_capabilities(cap_hdr)
        fmt = caps.get("responseformat")
        check(fmt in (["parquet"], ["delta"]),
              "response capabilities must say responseformat=parquet or responseformat=delta: %r" % cap_hdr, resp)
        asked = requested_formats(resp.request.headers.get("delta-sharing-capabilities"))
        check(fmt[0] in asked, "answered in %s although the request asked for %r" % (fmt[0], asked), resp)
        return caps, fmt[0]

    def metadata_raw(self, share, schema, table, version=None, timestamp=None, capabilities=None, headers=None):
        params = {}
        if version is not None:
            params["version"] = version
        if timestamp is not None:
            params["timestamp"] = timestamp
        h = {}
        if capabilities is not None:
            h["delta-sharing-capabilities"] = capabilities
        if headers:
            h.update(headers)
        return self.raw("GET", self.table_path(share, schema, table) + "/metadata", params=params, headers=h)

    def parse_metadata(self, resp):
        check(resp.status_code == 200, "metadata call failed", resp)
        version = table_version_header(resp)
        caps, fmt = self._capabilities_response(resp)
        check(caps.get("includeendstreamaction") != ["true"],
              "a metadata answer has no endStreamAction, so the header must not promise one", resp)
        lines = split_ndjson(resp)
        check(len(lines) == 2, "metadata response must have exactly 2 lines, got %d" % len(lines), resp)
        if fmt == "delta":
            protocol = check_delta_protocol_line(lines[0])
            wrapper, metadata = check_delta_metadata_line(lines[1])
            check(wrapper["version"] == version, "metaData.version %d != Delta-Table-Version %d"
                  % (wrapper["version"], version), resp)
            return MetadataResult(version, protocol, metadata, resp.headers, caps, fmt, wrapper)
        protocol = check_protocol_line(lines[0])
        metadata = check_metadata_line(lines[1])
        return MetadataResult(version, protocol, metadata, resp.headers, caps)

    def metadata(self, share, schema, table, **kw):
        return self.parse_metadata(self.metadata_raw(share, schema, table, **kw))

    def query_raw(self, share, schema, table, body=None, capabilities=None, data=None, headers=None):
        h = {"Content-Type": "application/json"}
        if capabilities is not None:
            h["delta-sharing-capabilities"] = capabilities
        if headers:
            h.update(headers)
        if data is None:
            data = json.dumps({} if body is None else body)
        return self.raw("POST", self.table_path(share, schema, table) + "/query", data=data, headers=h)

    def parse_query(self, resp, time_travel=None, end_stream_requested=None):
        """Parses a /query answer strictly. time_travel / end_stream_requested
        default to what the request body and headers asked for."""
        check(resp.status_code == 200, "query call failed", resp)
        if time_travel is None:
            time_travel = is_time_travel(resp)
        if end_stream_requested is None:
            end_stream_requested = asked_for_end_stream(resp)
        version = table_version_header(resp)
        caps, fmt = self._capabilities_response(resp)
        sent_hash = resp.request.headers.get("fileidhash")
        if sent_hash is not None:
            check(resp.headers.get("fileidhash") == sent_hash.lower(),
                  "fileidhash %r must be echoed lower-cased, got %r" % (sent_hash, resp.headers.get("fileidhash")), resp)
        now_ms = int(time.time() * 1000)
        lines = split_ndjson(resp)
        check(len(lines) >= 2, "query response needs at least protocol and metaData", resp)
        if fmt == "delta":
            protocol = check_delta_protocol_line(lines[0])
            wrapper, metadata = check_delta_metadata_line(lines[1])
            check(wrapper["version"] == version, "metaData.version %d != Delta-Table-Version %d"
                  % (wrapper["version"], version), resp)
        else:
            protocol = check_protocol_line(lines[0])
            metadata = check_metadata_line(lines[1])
            wrapper = metadata
        rest = lines[2:]
        has_end = bool(rest) and "endStreamAction" in rest[-1]
        promised = caps.get("includeendstreamaction") == ["true"]
        end_stream = None
        if has_end:
            check(end_stream_requested, "endStreamAction sent although the client did not ask for it", resp)
            check(promised, "an endStreamAction needs includeendstreamaction=true in the response header", resp)
            end_stream = check_end_stream_action(rest[-1])
            rest = rest[:-1]
        else:
            check(not promised, "response header promises includeendstreamaction=true but there is no "
                  "endStreamAction (truncated answer?)", resp)
            check(not end_stream_requested, "the request asked for an endStreamAction (maxFiles, pageToken, "
                  "includeRefreshToken or includeendstreamaction=true) but the body has none", resp)
        if fmt == "delta":
            keys = physical_partition_keys(metadata)
            files = [check_delta_file_line(o, keys, time_travel, now_ms) for o in rest]
        else:
            files = [check_file_line(o, metadata["partitionColumns"], time_travel, now_ms) for o in rest]
        ids = [f["id"] for f in files]
        check(len(set(ids)) == len(ids), "file ids must be unique within a response", resp)
        if end_stream is not None and files:
            check(end_stream["minUrlExpirationTimestamp"] <= min(f["expirationTimestamp"] for f in files),
                  "minUrlExpirationTimestamp must not be after any file's expirationTimestamp", resp)
        return QueryResult(version, protocol, metadata, files, resp.headers, caps, end_stream, fmt, wrapper)

    def query(self, share, schema, table, body=None, capabilities=None, headers=None):
        resp = self.query_raw(share, schema, table, body={} if body is None else body,
                              capabilities=capabilities, headers=headers)
        return self.parse_query(resp)

    def query_pages(self, share, schema, table, body=None, capabilities=None, headers=None, limit=100000,
                    between_pages=None):
        """Follows nextPageToken (same body plus pageToken) until it is omitted.
        Returns the list of page QueryResults. between_pages(i) runs before page i+1."""
        body = dict(body or {})
        pages = [self.query(share, schema, table, body=body, capabilities=capabilities, headers=headers)]
        while pages[-1].next_page_token is not None:
            check(len(pages) < limit, "query paging does not terminate (%d pages)" % len(pages))
            if between_pages is not None:
                between_pages(len(pages))
            nxt = dict(body, pageToken=pages[-1].next_page_token)
            pages.append(self.query(share, schema, table, body=nxt, capabilities=capabilities, headers=headers))
        return pages


    # -- change data feed and streaming queries ---------------------------------
    def changes_raw(self, share, schema, table, params=None, capabilities=None, headers=None):
        """GET …/changes; params is a dict or a list of (name, value) pairs."""
        h = {}
        if capabilities is not None:
            h["delta-sharing-capabilities"] = capabilities
        if headers:
            h.update(headers)
        return self.raw("GET", self.table_path(share, schema, table) + "/changes", params=params, headers=h)

    def parse_changes(self, resp, mode="cdf"):
        """Parses a change answer strictly: mode "cdf" (/changes) or "stream"
        (/query with startingVersion). Line 1 protocol, line 2 metaData, then
        metaData lines (each with a version) and add/cdf/remove lines, in
        version order (a version's metaData before its files), every file line
        with version and timestamp; endStreamAction exactly when asked."""
        check(resp.status_code == 200, "change query failed", resp)
        version = table_version_header(resp)
        caps, fmt = self._capabilities_response(resp)
        sent_hash = resp.request.headers.get("fileidhash")
        if sent_hash is not None:
            check(resp.headers.get("fileidhash") == sent_hash.lower(),
                  "fileidhash %r must be echoed lower-cased, got %r" % (sent_hash, resp.headers.get("fileidhash")), resp)
        now_ms = int(time.time() * 1000)
        lines = split_ndjson(resp)
        check(len(lines) >= 2, "a change answer needs at least protocol and metaData", resp)
        if fmt == "delta":
            protocol = check_delta_protocol_line(lines[0])
            wrapper, metadata = check_delta_metadata_line(lines[1], require_size=False)
            check(wrapper["version"] == version, "line 2 metaData.version %d != Delta-Table-Version %d (the start)"
                  % (wrapper["version"], version), resp)
        else:
            protocol = check_protocol_line(lines[0])
            metadata = check_metadata_line(lines[1])
            wrapper = metadata
            if "version" in metadata:
                check(metadata["version"] == version, "line 2 metaData.version %r != Delta-Table-Version %d"
                      % (metadata["version"], version), resp)
        rest = lines[2:]
        asked = asked_for_end_stream(resp)
        has_end = bool(rest) and "endStreamAction" in rest[-1]
        promised = caps.get("includeendstreamaction") == ["true"]
        end_stream = None
        if has_end:
            check(asked, "endStreamAction sent although the client did not ask for it", resp)
            check(promised, "an endStreamAction needs includeendstreamaction=true in the response header", resp)
            end_stream = check_end_stream_action(rest[-1])
            rest = rest[:-1]
        else:
            check(not promised, "response header promises includeendstreamaction=true but there is no "
                  "endStreamAction (truncated answer?)", resp)
            check(not asked, "the request asked for an endStreamAction (maxFiles, pageToken or "
                  "includeendstreamaction=true) but the body has none", resp)
        current = metadata
        entries = []
        last_version = version
        file_versions = set()
        historical_protocol = fmt == "delta" and asked_for_historical_protocol(resp)
        for i, obj in enumerate(rest):
            where = "line %d" % (i + 3)
            if "protocol" in obj:
                check(historical_protocol, "%s: a protocol line after line 1 needs includeHistoricalProtocol "
                      "and the delta format" % where, resp)
                dp = check_delta_protocol_line(obj, historical=True)
                v = obj["protocol"]["version"]
                check(v not in file_versions, "%s: protocol of version %d after file lines of that version" % (where, v), resp)
                e = {"kind": "protocol", "version": v, "protocol": dp}
            elif "metaData" in obj:
                if fmt == "delta":
                    w, md = check_delta_metadata_line(obj, require_size=False)
                    v = w["version"]
                else:
                    md = check_metadata_line(obj)
                    w = md
                    check(is_int(md.get("version")), "%s: a metaData line after line 2 needs its version: %r"
                          % (where, md.get("version")), resp)
                    v = md["version"]
                check(v not in file_versions, "%s: metaData of version %d after file lines of that version" % (where, v), resp)
                current = md
                e = {"kind": "metaData", "version": v, "metadata": md, "wrapper": w}
            elif fmt == "delta":
                e = check_delta_change_line(obj, physical_partition_keys(current), now_ms, mode)
                file_versions.add(e["version"])
            else:
                e = check_parquet_change_line(obj, current["partitionColumns"], now_ms, mode)
                file_versions.add(e["version"])
            check(e["version"] >= last_version, "%s: version %d after version %d (lines must come in version order)"
                  % (where, e["version"], last_version), resp)
            last_version = e["version"]
            entries.append(e)
        files = [e for e in entries if e["kind"] not in ("metaData", "protocol")]
        if end_stream is not None and files:
            check(end_stream["minUrlExpirationTimestamp"] <= min(e["expirationTimestamp"] for e in files),
                  "minUrlExpirationTimestamp must not be after any file's expirationTimestamp", resp)
        result = ChangesResult(version, protocol, metadata, entries, resp.headers, caps, end_stream, fmt, wrapper, mode)
        result.sent_fileidhash = sent_hash
        return result

    def changes(self, share, schema, table, params=None, capabilities=None, headers=None):
        return self.parse_changes(self.changes_raw(share, schema, table, params, capabilities, headers), "cdf")

    def changes_pages(self, share, schema, table, params=None, max_files=1, capabilities=None, headers=None,
                      limit=100000, between_pages=None):
        """Walks /changes with maxFiles, following nextPageToken (same
        parameters plus pageToken) until it is omitted; returns the pages."""
        base = list(params.items()) if isinstance(params, dict) else list(params or [])
        base.append(("maxFiles", max_files))
        pages = [self.changes(share, schema, table, base, capabilities, headers)]
        while pages[-1].next_page_token is not None:
            check(len(pages) < limit, "change paging does not terminate (%d pages)" % len(pages))
            if between_pages is not None:
                between_pages(len(pages))
            pages.append(self.changes(share, schema, table, base + [("pageToken", pages[-1].next_page_token)],
                                      capabilities, headers))
        return pages

    def stream(self, share, schema, table, body, capabilities=None, headers=None):
        """POST …/query with startingVersion (a streaming query)."""
        return self.parse_changes(self.query_raw(share, schema, table, body=body, capabilities=capabilities,
                                                 headers=headers), "stream")

    def stream_pages(self, share, schema, table, body, max_files=1, capabilities=None, headers=None,
                     limit=100000, between_pages=None):
        body = dict(body, maxFiles=max_files)
        pages = [self.stream(share, schema, table, body, capabilities, headers)]
        while pages[-1].next_page_token is not None:
            check(len(pages) < limit, "streaming query paging does not terminate (%d pages)" % len(pages))
            if between_pages is not None:
                between_pages(len(pages))
            pages.append(self.stream(share, schema, table, dict(body, pageToken=pages[-1].next_page_token),
                                     capabilities, headers))
        return pages

    def map_parallel(self, fn, items, workers=6):
        """fn(client, item) for every item, on `workers` threads, each with
        its own client (and HTTP session); returns the results in order and
        re-raises the first failure."""
        local = threading.local()

        def run(item):
            if not hasattr(local, "client"):
                local.client = self.with_token(self.token)
            return fn(local.client, item)

        with concurrent.futures.ThreadPoolExecutor(max_workers=workers) as pool:
            return list(pool.map(run, items))

