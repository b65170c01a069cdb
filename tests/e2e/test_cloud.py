"""The protocol suite on tables stored in object stores: S3 (the `s3rver`
emulator) and Azure Blob (the `azurite` emulator), both installed from npm
and started here.

Test tables of tests/data (plain, partitioned with escaped values,
deletion vectors, change data feed) are uploaded to a bucket / container
and served by lakeshare from s3:// and abfss:// locations with credentials
from a `storage:` config entry. The same checks as on local tables run on
them: the existing test functions of test_tables, test_delta_format and
test_changes are called with a server description whose `all` share points
at the cloud copies, so every answer is compared with an independent
reading of the local log and every returned URL is downloaded with a plain
HTTP client and compared byte for byte with the file on disk.

On top:
- every S3 URL lakeshare signs equals the one botocore signs for the same
  inputs (s3rver checks keys and expiry but not SigV4 signatures);
- Azurite checks SAS signatures: an altered URL (signature, blob, expiry,
  permissions) is refused;
- an expired URL is refused by both emulators;
- the Delta log is listed with one listing request per call, and a cloud
  table and a local table are served side by side;
- every shared table with a checkpoint, and a table written by
  `lakeshare generate-delta` (20 000 files, JSON commits before and after
  its checkpoint), answer every version as the independent checkpoint
  reader (checkpoint_log.py) says, the generated one also as its local copy
  does;
- a cold server reads the generated table with the requests it needs and no
  more, counted in the emulator's log: `_last_checkpoint`, a listing from the
  checkpoint on (S3 start-after; Azure lists the folder and lakeshare
  filters), one full listing because the checkpoint's own commit is there
  (its timestamp is resolved over the older commits), each commit file once;
  then one listing per /version and a refresh after a new commit costs one
  listing and one GET.
"""

import json
import os
import re
import subprocess
import time
import urllib.parse

import pytest
import requests

import checkpoint_log
import emulators
import expect
import harness
import test_changes
import test_delta_format
import test_tables
from conftest import TableRef
from delta_log import DeltaTable
from strict_client import StrictClient, add_of

STORAGES = ["s3", "azure"]
TOKEN = "tok-cloud"
BUCKET = "lake"

CLOUD_TABLES = [
    "simple_table",                   # 5 versions, history
    "delta-0.8.0-partitioned",
    "delta-0.8.0-special-partition",  # partition folders with '%' and ' ' in object keys
    "delta-0.8.0-null-partition",
    "partition-type-primitives",
    "delta-2.2.0-partitioned-types",
    "table-with-dv-small",            # deletion vectors
    "cdf-table",                      # change data feed (_change_data)
    "cdf-table-with-cdc-and-dvs",     # CDF + DVs, 26 versions
]
LOCAL_TABLE = "delta-0.8.0"
# Every shared table with a checkpoint (classic, multi-version, V2 with
# sidecars, stale or missing _last_checkpoint, early commits gone).
CHECKPOINT_TABLES = [os.path.basename(d) for d in checkpoint_log.checkpoint_tables()]
# Written by `lakeshare generate-delta`: commits 0..20, the checkpoint of 20,
# commits 21..70.
GENERATED = "generated"
GENERATED_ARGS = ["--files", "20000", "--commits", "50", "--commits-before-checkpoint", "20",
                  "--partitions", "30", "--rows-per-row-group", "5000"]
GENERATED_CHECKPOINT = 20


class RecordingClient(StrictClient):
    """A StrictClient that keeps every NDJSON answer body (to check every URL
    the server handed out), also for the clients map_parallel makes."""

    def __init__(self, endpoint_url, token=None, server=None, timeout=30, bodies=None):
        super().__init__(endpoint_url, token, server, timeout)
        self.bodies = bodies if bodies is not None else []

    def with_token(self, token):
        return RecordingClient(self.endpoint_url, token, self.server, self.timeout, self.bodies)

    def raw(self, method, path, **kw):
        resp = super().raw(method, path, **kw)
        if "ndjson" in resp.headers.get("Content-Type", ""):
            self.bodies.append(resp.text)
        return resp

    def urls(self):
        out = []
        for body in self.bodies:
            for line in body.splitlines():
                if line.strip():
                    _collect_urls(json.loads(line), out)
        return out


def _collect_urls(obj, out):
    if isinstance(obj, dict):
        for k, v in obj.items():
            if k in ("url", "path", "pathOrInlineDv") and isinstance(v, str) and v.startswith("http"):
                out.append(v)
            else:
                _collect_urls(v, out)
    elif isinstance(obj, list):
        for v in obj:
            _collect_urls(v, out)


class CloudMain:
    """What the reused test functions need of the `main` server: a client
    and the `all` share's tables (their local folders are the reference)."""

    def __init__(self, storage, server, emulator, tables):
        self.storage = storage
        self.server = server
        self.emulator = emulator
        self.tables = tables
        self.alice = RecordingClient(server.endpoint_url, TOKEN, server)

    def all_share_table(self, dirname):
        return self.tables[dirname]


def cloud_location(storage, dirname):
    if storage == "s3":
        return "s3://%s/tables/%s" % (BUCKET, dirname)
    return "abfss://%s@%s.dfs.core.windows.net/tables/%s" % (BUCKET, emulators.AZURE_ACCOUNT, dirname)


def storage_entry(storage, emulator, **extra):
    if storage == "s3":
        e = {"location": "s3://" + BUCKET, "endpoint": emulator.endpoint, "pathStyle": True,
             "region": emulators.S3_REGION, "accessKeyId": emulators.S3_KEY_ID,
             "secretAccessKey": emulators.S3_SECRET}
    else:
        e = {"location": "abfss://%s@%s.dfs.core.windows.net/" % (BUCKET, emulators.AZURE_ACCOUNT),
             "endpoint": emulator.endpoint, "accountName": emulators.AZURE_ACCOUNT,
             "accountKey": emulators.AZURE_KEY}
    e.update(extra)
    return e


def server_config(storage, emulator, dirnames, timeout_s=3600, local=True, local_tables=None):
    tables = [{"name": harness.sanitize_name(d), "location": cloud_location(storage, d),
               "historyShared": True} for d in dirnames]
    if local:
        tables.append({"name": "local_table", "location": os.path.join(harness.DELTA_ROOT, LOCAL_TABLE),
                       "historyShared": True})
    for name, location in (local_tables or {}).items():
        tables.append({"name": name, "location": location, "historyShared": True})
    return {
        "version": 1,
        "host": "127.0.0.1",
        "port": 0,
        "preSignedUrlTimeoutSeconds": timeout_s,
        "shares": [{"name": "all", "schemas": [{"name": "delta", "tables": tables}]}],
        "recipients": [{"name": "cloud", "token": TOKEN, "shares": ["*"]}],
        "storage": [storage_entry(storage, emulator)],
    }


def start_emulator(storage, lakeshare_bin, workdir):
    bin_dir = emulators.ensure_npm_packages(lakeshare_bin)
    if storage == "s3":
        return emulators.S3rver(bin_dir, workdir, [BUCKET]).start()
    az = emulators.Azurite(bin_dir, workdir).start()
    az.create_container(BUCKET)
    return az


@pytest.fixture(scope="module", params=STORAGES)
def cloud(request, lakeshare_bin, testdata_root, tmp_path_factory):
    storage = request.param
    base = str(tmp_path_factory.mktemp("cloud-" + storage))
    emulator = start_emulator(storage, lakeshare_bin, os.path.join(base, "emulator"))
    server = None
    try:
        refs = {}
        copies = os.path.join(base, "copies")
        generated = os.path.join(copies, GENERATED)
        subprocess.run([lakeshare_bin, "generate-delta", "--dir", generated] + GENERATED_ARGS,
                       check=True, timeout=300, capture_output=True)
        for d in CLOUD_TABLES + CHECKPOINT_TABLES + [GENERATED]:
            # The reference is a local copy whose commit files carry the
            # store's modification times (commit times of tables without
            # in-commit timestamps come from there).
            local = generated if d == GENERATED else harness.copy_table(d, copies)
            harness.make_writable(local)
            emulator.upload_tree(local, BUCKET, "tables/" + d)
            emulators.set_commit_mtimes_from(local, emulator.modification_times_ms(BUCKET, "tables/" + d))
            refs[d] = TableRef("all", "delta", harness.sanitize_name(d), local, history=True)
        config = server_config(storage, emulator, CLOUD_TABLES + CHECKPOINT_TABLES + [GENERATED],
                               local_tables={"generated_local": generated})
        server = harness.ServerProcess(lakeshare_bin, config, os.path.join(base, "conf"),
                                       name="cloud-" + storage).start()
        yield CloudMain(storage, server, emulator, refs)
        server.stop_and_check()
    finally:
        if server is not None and server.alive():
            server.stop()
        emulator.stop()


def check_urls(cloud, urls):
    """Every URL points at the emulator; S3 URLs carry botocore's signature."""
    assert urls, "no URLs were returned"
    for url in urls:
        assert url.startswith("http://127.0.0.1:%d/" % cloud.emulator.port), url
        if cloud.storage == "s3":
            emulators.assert_same_s3_signature(url)
        else:
            q = emulators.azure_sas_params(url)
            assert q["sr"] == ["b"] and q["sp"] == ["r"], "Azure URLs must grant read of one blob: %s" % url


# ---------------------------------------------------------------------------
# The local-table suite, on cloud copies
# ---------------------------------------------------------------------------

@pytest.mark.parametrize("dirname", CLOUD_TABLES)
def test_latest_snapshot(cloud, dirname):
    cloud.alice.bodies.clear()
    test_tables.test_latest_snapshot(cloud, cloud.tables[dirname].location)
    snap = DeltaTable(cloud.tables[dirname].location).snapshot()
    if expect.classify(snap) == expect.MUST_SERVE:
        check_urls(cloud, cloud.alice.urls())


@pytest.mark.parametrize("dirname", [d for d in CLOUD_TABLES
                                     if len(DeltaTable(os.path.join(harness.DELTA_ROOT, d)).commit_versions) > 1])
def test_every_version(cloud, dirname):
    test_tables.test_every_version(cloud, cloud.tables[dirname].location)


@pytest.mark.parametrize("dirname", CLOUD_TABLES)
def test_delta_format_latest(cloud, dirname):
    cloud.alice.bodies.clear()
    test_delta_format.test_delta_latest_snapshot(cloud, cloud.tables[dirname].location)
    check_urls(cloud, cloud.alice.urls())


@pytest.mark.parametrize("dirname,version", [("table-with-dv-small", None), ("table-with-dv-small", 1),
                                             ("cdf-table-with-cdc-and-dvs", 16)])
def test_deletion_vector_urls(cloud, dirname, version):
    cloud.alice.bodies.clear()
    test_delta_format.test_dv_urls_download_the_dv_file(cloud, dirname, version)
    urls = cloud.alice.urls()
    dv_urls = [u for u in urls if "deletion_vector" in urllib.parse.unquote(u)]
    assert dv_urls, "no deletion vector URL in %r" % urls
    check_urls(cloud, urls)


def test_shared_dv_file_two_offsets(cloud):
    test_delta_format.test_shared_dv_file_two_offsets(cloud)


@pytest.mark.parametrize("dirname,fmt", [("cdf-table", "parquet"), ("cdf-table", "delta"),
                                         ("cdf-table-with-cdc-and-dvs", "delta-dv")])
def test_every_change_range(cloud, dirname, fmt):
    test_changes.test_every_range_by_version(cloud, dirname, fmt)


@pytest.mark.parametrize("dirname,fmt", [("cdf-table", "parquet"), ("cdf-table-with-cdc-and-dvs", "delta-dv")])
def test_change_downloads(cloud, dirname, fmt):
    cloud.alice.bodies.clear()
    test_changes.test_downloads(cloud, dirname, fmt)
    check_urls(cloud, cloud.alice.urls())


# ---------------------------------------------------------------------------
# Checkpointed tables
# ---------------------------------------------------------------------------

@pytest.mark.parametrize("dirname", CHECKPOINT_TABLES)
def test_checkpoint_table_every_version(cloud, parquet_rows, dirname):
    test_tables.test_checkpoint_table_every_version(cloud, parquet_rows, cloud.tables[dirname].location)


def _same_answers(a, b, ctx):
    """Two query answers hold the same files (URLs aside)."""
    assert a.version == b.version, ctx
    assert a.metadata["id"] == b.metadata["id"], ctx
    strip = lambda files: sorted(json.dumps({k: v for k, v in f.items() if k not in ("url", "id",
                                                                                      "expirationTimestamp")},
                                            sort_keys=True) for f in files)
    assert strip(a.files) == strip(b.files), ctx


def test_generated_table_same_as_local(cloud, parquet_rows):
    c = cloud.alice
    local = cloud.tables[GENERATED].location
    table = checkpoint_log.CheckpointedTable(local, parquet_rows)
    assert c.table_version("all", "delta", GENERATED) == table.latest
    for v in (None, 0, 19, GENERATED_CHECKPOINT, 21, 45, table.latest):
        body = {} if v is None else {"version": v}
        q = c.parse_query(c.query_raw("all", "delta", GENERATED, body=body), time_travel=v is not None)
        snap = table.snapshot(v)
        expect.assert_metadata_matches(q.metadata, snap, "generated@%s" % v)
        expect.assert_same_files(q.files, snap, "generated@%s" % v)
        ql = c.parse_query(c.query_raw("all", "delta", "generated_local", body=body), time_travel=v is not None)
        _same_answers(q, ql, "generated@%s: cloud vs local" % v)
    check_urls(cloud, [f["url"] for f in q.files[:50]])


# ---------------------------------------------------------------------------
# Cloud specifics
# ---------------------------------------------------------------------------

def test_cloud_and_local_tables_side_by_side(cloud):
    c = cloud.alice
    names = sorted(t["name"] for t in c.walk(c.list_all_tables, "all"))
    assert names == sorted([harness.sanitize_name(d) for d in CLOUD_TABLES + CHECKPOINT_TABLES + [GENERATED]]
                           + ["local_table", "generated_local"])
    q = c.query("all", "delta", "local_table", body={})
    local = DeltaTable(os.path.join(harness.DELTA_ROOT, LOCAL_TABLE)).snapshot()
    expect.assert_same_files(q.files, local)
    assert all(f["url"].startswith(cloud.server.base_url + "/") for f in q.files)


def test_urls_expire_with_the_configured_lifetime(cloud):
    """expirationTimestamp is the configured lifetime (the signed expiry);
    S3's X-Amz-Date + X-Amz-Expires and Azure's se say exactly that."""
    c = cloud.alice
    before = int(time.time() * 1000)
    q = c.query("all", "delta", "simple_table", body={})
    after = int(time.time() * 1000)
    for f in q.files:
        exp = f["expirationTimestamp"]
        assert before + 3600 * 1000 - 1000 <= exp <= after + 3600 * 1000, exp
        assert exp % 1000 == 0
        p = urllib.parse.parse_qs(urllib.parse.urlsplit(f["url"]).query)
        if cloud.storage == "s3":
            signed = time.mktime(time.strptime(p["X-Amz-Date"][0], "%Y%m%dT%H%M%SZ")) - time.timezone
            assert int(signed + int(p["X-Amz-Expires"][0])) * 1000 == exp
        else:
            se = p["se"][0]
            assert se == time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(exp // 1000)), (se, exp)


# One line per answered request in each emulator's log.
ANSWER_LINE = {"s3": re.compile(r" [1-5]\d\d \d+ms "), "azure": re.compile(r"\" [1-5]\d\d ")}


def test_log_is_listed_once_per_request(cloud):
    """/version on a cloud table: one listing of _delta_log (the store pages
    are few here), nothing read."""
    time.sleep(0.3)  # let earlier requests reach the emulator's log
    lines_before = len(cloud.emulator.request_lines())
    for _ in range(3):
        cloud.alice.table_version("all", "delta", "cdf_table_with_cdc_and_dvs")
    time.sleep(0.3)  # the emulator logs after answering
    new = cloud.emulator.request_lines()[lines_before:]
    marker = "list-type=2" if cloud.storage == "s3" else "comp=list"
    answered = [l for l in new if ANSWER_LINE[cloud.storage].search(l) and "cdf-table-with-cdc-and-dvs" in l]
    lists = [l for l in answered if marker in l]
    gets = [l for l in answered if marker not in l]
    assert len(lists) == 3, "expected 3 listings:\n" + "".join(new)
    assert not gets, "/version must not read objects:\n" + "".join(gets)


@pytest.fixture(scope="module")
def short_lived(cloud, lakeshare_bin, tmp_path_factory):
    """A second server on the same store whose URLs live 2 seconds."""
    base = str(tmp_path_factory.mktemp("cloud-short-" + cloud.storage))
    config = server_config(cloud.storage, cloud.emulator, ["simple_table", "table-with-dv-small"],
                           timeout_s=2, local=False)
    server = harness.ServerProcess(lakeshare_bin, config, base, name="short").start()
    yield RecordingClient(server.endpoint_url, TOKEN, server)
    server.stop_and_check()


def test_expired_url_is_refused(cloud, short_lived):
    q = short_lived.query("all", "delta", "table_with_dv_small", body={},
                          capabilities="responseformat=delta;readerfeatures=deletionvectors")
    urls = [add_of(f)["path"] for f in q.files] + \
           [add_of(f)["deletionVector"]["pathOrInlineDv"] for f in q.files if "deletionVector" in add_of(f)]
    assert len(urls) >= 2
    for u in urls:
        assert requests.get(u, timeout=10).status_code == 200
    deadline = max(f["expirationTimestamp"] for f in q.files) / 1000.0
    time.sleep(max(0.0, deadline - time.time()) + 1.5)
    for u in urls:
        r = requests.get(u, timeout=10)
        assert r.status_code == 403, "expired URL answered %d: %s" % (r.status_code, u)


def _altered(url, param, fn):
    parts = urllib.parse.urlsplit(url)
    q = urllib.parse.parse_qsl(parts.query, keep_blank_values=True)
    q = [(k, fn(v) if k == param else v) for k, v in q]
    return urllib.parse.urlunsplit(parts._replace(query=urllib.parse.urlencode(q, safe="")))


@pytest.mark.parametrize("cloud", ["azure"], indirect=True)
def test_altered_azure_urls_are_refused(cloud):
    """Only Azurite verifies the signatures of pre-signed URLs (s3rver does
    not: the S3 signatures are checked against botocore instead)."""
    q = cloud.alice.query("all", "delta", "simple_table", body={})
    url = q.files[0]["url"]
    other = q.files[1]["url"]
    assert requests.get(url, timeout=10).status_code == 200
    flip = lambda s: ("A" if s[0] != "A" else "B") + s[1:]
    later = lambda se: se[:3] + str(int(se[3]) + 1) + se[4:]  # one decade later
    bad = [
        _altered(url, "sig", flip),
        _altered(url, "se", later),
        _altered(url, "sp", lambda v: "rw"),
        # this URL's query on another blob
        urllib.parse.urlsplit(other)._replace(query=urllib.parse.urlsplit(url).query).geturl(),
    ]
    for b in bad:
        r = requests.get(b, timeout=10)
        assert r.status_code == 403, "altered URL answered %d: %s" % (r.status_code, b)
    # nor can the URL write
    r = requests.put(url, data=b"x", headers={"x-ms-blob-type": "BlockBlob"}, timeout=10)
    assert r.status_code == 403, r.status_code


# ---------------------------------------------------------------------------
# What a cold server asks of the store
# ---------------------------------------------------------------------------

def _answered(emulator, storage, start, part):
    """The emulator's log lines after `start` for answered requests whose
    target contains `part` (percent-decoded)."""
    time.sleep(0.5)  # the emulators log after answering
    lines = emulator.request_lines()[start:]
    return [l for l in lines if ANSWER_LINE[storage].search(l) and part in urllib.parse.unquote(l)]


def _is_listing(storage, line):
    return ("list-type=2" if storage == "s3" else "comp=list") in line


def _start_after(line):
    m = re.search(r"start-after=([^& ]+)", line)
    return urllib.parse.unquote(m.group(1)) if m else None


def _gets(storage, lines):
    """Object names fetched (the part after _delta_log/), in order."""
    out = []
    for l in lines:
        if _is_listing(storage, l):
            continue
        m = re.search(r"_delta_log/([^ ?\"]+)", urllib.parse.unquote(l))
        assert m, "a request outside _delta_log: %s" % l
        out.append(m.group(1))
    return out


@pytest.fixture(scope="module")
def cold(cloud, lakeshare_bin, tmp_path_factory):
    """A second server on the same store that has not read the generated table yet."""
    base = str(tmp_path_factory.mktemp("cloud-cold-" + cloud.storage))
    config = server_config(cloud.storage, cloud.emulator, [GENERATED], local=False)
    server = harness.ServerProcess(lakeshare_bin, config, base, name="cold").start()
    yield StrictClient(server.endpoint_url, TOKEN, server)
    server.stop_and_check()


def test_listing_starts_at_the_checkpoint(cloud, cold, parquet_rows):
    storage, em = cloud.storage, cloud.emulator
    part = "tables/%s/_delta_log" % GENERATED
    cp_prefix = "tables/%s/_delta_log/%020d" % (GENERATED, GENERATED_CHECKPOINT)
    local = cloud.tables[GENERATED].location
    latest = checkpoint_log.CheckpointedTable(local, parquet_rows).latest

    # Cold /version: the hint, then one listing from its checkpoint on, and
    # the latest commit alone (checked as /query would check it).
    start = len(em.request_lines())
    assert cold.table_version("all", "delta", GENERATED) == latest
    lines = _answered(em, storage, start, part)
    lists = [l for l in lines if _is_listing(storage, l)]
    assert _gets(storage, lines) == ["_last_checkpoint", "%020d.json" % latest], "".join(lines)
    assert len(lists) == 1, "".join(lines)
    if storage == "s3":
        assert _start_after(lists[0]) == cp_prefix, lists[0]

    # Warm /version: one listing each, nothing read.
    start = len(em.request_lines())
    for _ in range(3):
        assert cold.table_version("all", "delta", GENERATED) == latest
    lines = _answered(em, storage, start, part)
    assert len(lines) == 3 and all(_is_listing(storage, l) for l in lines), "".join(lines)
    if storage == "s3":
        assert all(_start_after(l) == cp_prefix for l in lines), "".join(lines)

    # Cold /query: a listing from the checkpoint, the whole log once (commit
    # 20 is there: its timestamp is resolved over commits 0..20), the
    # checkpoint by ranges, every commit file exactly once.
    start = len(em.request_lines())
    q = cold.query("all", "delta", GENERATED, body={})
    table = checkpoint_log.CheckpointedTable(local, parquet_rows)
    expect.assert_same_files(q.files, table.snapshot(), "cold query")
    lines = _answered(em, storage, start, part)
    lists = [l for l in lines if _is_listing(storage, l)]
    gets = _gets(storage, lines)
    assert len(lists) == 2, "".join(lists)
    if storage == "s3":
        assert sorted(map(_start_after, lists), key=str) == sorted([cp_prefix, None], key=str), "".join(lists)
    commits = sorted(g for g in gets if g.endswith(".json"))
    assert commits == ["%020d.json" % v for v in range(latest + 1)], gets
    checkpoint_gets = [g for g in gets if ".checkpoint." in g]
    assert 1 <= len(checkpoint_gets) <= 1 + 4, gets  # the tail (footer), then row groups
    assert len(gets) == len(commits) + len(checkpoint_gets), gets

    # A new commit: one listing from the checkpoint, one GET.
    v = latest + 1
    add = {"add": {"path": "date=2024-02-02/part-00001-new.c000.snappy.parquet",
                   "partitionValues": {"date": "2024-02-02"}, "size": 4242, "modificationTime": 1,
                   "dataChange": True, "stats": json.dumps({"numRecords": 7})}}
    new = os.path.join(str(local) + "-commit", "_delta_log")
    os.makedirs(new, exist_ok=True)
    text = json.dumps({"commitInfo": {"timestamp": 1, "operation": "WRITE"}}) + "\n" + json.dumps(add) + "\n"
    for d in (new, os.path.join(local, "_delta_log")):
        with open(os.path.join(d, "%020d.json" % v), "w") as f:
            f.write(text)
    em.upload_tree(os.path.dirname(new), BUCKET, "tables/" + GENERATED)
    emulators.set_commit_mtimes_from(local, em.modification_times_ms(BUCKET, "tables/" + GENERATED))
    start = len(em.request_lines())
    q = cold.query("all", "delta", GENERATED, body={})
    assert q.version == v
    expect.assert_same_files(q.files, checkpoint_log.CheckpointedTable(local, parquet_rows).snapshot(),
                             "refresh")
    lines = _answered(em, storage, start, part)
    assert _gets(storage, lines) == ["%020d.json" % v], "".join(lines)
    lists = [l for l in lines if _is_listing(storage, l)]
    assert len(lists) == 1, "".join(lines)
    if storage == "s3":
        assert _start_after(lists[0]) == cp_prefix, lists[0]
    # The server that read the table before sees the commit too.
    assert cloud.alice.table_version("all", "delta", GENERATED) == v


def test_object_store_requests_are_on_metrics(cloud):
    """/metrics counts the store requests of a cold read, by backend, and
    no errors; the other backend's series stay at 0."""
    from test_observability import scrape, value
    backend = "s3" if cloud.storage == "s3" else "azure"
    other = "azure" if backend == "s3" else "s3"
    before = scrape(cloud.server.base_url + "/metrics")
    time.sleep(0.3)
    lines_before = len(cloud.emulator.request_lines())
    result = cloud.alice.query("all", "delta", harness.sanitize_name("delta-0.8.0-partitioned"))
    assert result.files
    time.sleep(0.3)  # the emulator logs after answering
    sent = len(cloud.emulator.request_lines()) - lines_before
    after = scrape(cloud.server.base_url + "/metrics")
    grown = (value(after, "lakeshare_object_store_requests_total", backend=backend) -
             value(before, "lakeshare_object_store_requests_total", backend=backend))
    assert grown >= 1
    assert grown <= sent  # every counted request reached the emulator
    assert value(after, "lakeshare_object_store_errors_total", backend=backend) == 0
    assert value(after, "lakeshare_object_store_requests_total", backend=other) == 0
    assert value(after, "lakeshare_object_store_request_duration_seconds_count", backend=backend) == \
        value(after, "lakeshare_object_store_requests_total", backend=backend)
