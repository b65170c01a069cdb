"""A strict Delta Sharing client for the end-to-end tests.

It parses responses the way the reference clients do (Python
``rest_client``/``reader`` and the Spark ``DeltaSharingClient``) and, on top
of that, fails on everything those clients would choke on or that the
protocol forbids: wrong content types, missing ``Delta-Table-Version`` or
``delta-sharing-capabilities`` headers, line 1 not exactly ``protocol``,
line 2 not a valid ``metaData``, unexpected line types, lines without a
trailing newline, ``stats`` that is not a JSON string, empty page tokens,
any 5xx.
"""

import http.client
import json
import re
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
    def __init__(self, version, protocol, metadata, headers, capabilities):
        self.version = version
        self.protocol = protocol
        self.metadata = metadata
        self.headers = headers
        self.capabilities = capabilities

    @property
    def schema(self):
        return json.loads(self.metadata["schemaString"])


class QueryResult(MetadataResult):
    def __init__(self, version, protocol, metadata, files, headers, capabilities, end_stream=None):
        super().__init__(version, protocol, metadata, headers, capabilities)
        self.files = files
        self.end_stream = end_stream


class ErrorResult:
    def __init__(self, status, code, message, resp):
        self.status = status
        self.code = code
        self.message = message
        self.resp = resp

    def __repr__(self):
        return "ErrorResult(%d, %r, %r)" % (self.status, self.code, self.message)


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

    def _capabilities_response(self, resp, requested_formats=None):
        cap_hdr = resp.headers.get("delta-sharing-capabilities")
        check(cap_hdr is not None, "missing delta-sharing-capabilities response header", resp)
        caps = parse_capabilities(cap_hdr)
        check(caps.get("responseformat") == ["parquet"],
              "response capabilities must say responseformat=parquet: %r" % cap_hdr, resp)
        return caps

    def metadata_raw(self, share, schema, table, version=None, timestamp=None, capabilities=None):
        params = {}
        if version is not None:
            params["version"] = version
        if timestamp is not None:
            params["timestamp"] = timestamp
        headers = {}
        if capabilities is not None:
            headers["delta-sharing-capabilities"] = capabilities
        return self.raw("GET", self.table_path(share, schema, table) + "/metadata", params=params, headers=headers)

    def parse_metadata(self, resp):
        check(resp.status_code == 200, "metadata call failed", resp)
        version = table_version_header(resp)
        caps = self._capabilities_response(resp)
        lines = split_ndjson(resp)
        check(len(lines) == 2, "metadata response must have exactly 2 lines, got %d" % len(lines), resp)
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

    def parse_query(self, resp, time_travel=False, end_stream_requested=False):
        check(resp.status_code == 200, "query call failed", resp)
        version = table_version_header(resp)
        caps = self._capabilities_response(resp)
        now_ms = int(time.time() * 1000)
        lines = split_ndjson(resp)
        check(len(lines) >= 2, "query response needs at least protocol and metaData", resp)
        protocol = check_protocol_line(lines[0])
        metadata = check_metadata_line(lines[1])
        rest = lines[2:]
        end_stream = None
        if rest and "endStreamAction" in rest[-1]:
            check(end_stream_requested, "endStreamAction sent although the client did not ask for it", resp)
            check(caps.get("includeendstreamaction") == ["true"],
                  "an endStreamAction needs includeendstreamaction=true in the response header", resp)
            end_stream = rest[-1]["endStreamAction"]
            check(isinstance(end_stream, dict), "endStreamAction must be an object", resp)
            rest = rest[:-1]
        elif end_stream_requested and caps.get("includeendstreamaction") == ["true"]:
            fail("response header promises includeendstreamaction=true but there is no endStreamAction", resp)
        files = [check_file_line(o, metadata["partitionColumns"], time_travel, now_ms) for o in rest]
        ids = [f["id"] for f in files]
        check(len(set(ids)) == len(ids), "file ids must be unique within a response", resp)
        return QueryResult(version, protocol, metadata, files, resp.headers, caps, end_stream)

    def query(self, share, schema, table, body=None, capabilities=None, **kw):
        body = {} if body is None else body
        time_travel = "version" in body or "timestamp" in body
        resp = self.query_raw(share, schema, table, body=body, capabilities=capabilities)
        end_req = bool(capabilities) and parse_capabilities(capabilities).get("includeendstreamaction") == ["true"]
        return self.parse_query(resp, time_travel=time_travel, end_stream_requested=end_req)
