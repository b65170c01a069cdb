"""Apache Hudi tables served end to end (format: hudi).

Every table under tests/data/hudi (the 45 hudi-rs sample tables: copy-on-write
and merge-on-read, table versions 6, 8 and 9, every key generator, overwrites,
rollbacks, empty tables; and the quick-start merge-on-read tables with
updates and deletes in Avro log blocks) is unzipped into a temporary folder
and shared by a real server. For each version, the rows a client reconstructs
from the answer (the data files downloaded and read by DuckDB, deletion
vectors applied, partition values checked against the rows) must equal the
rows of hudi_reader.py, an independent reader (its own timeline replay and
merge). Both response formats are checked: delta with deletion vectors, and
parquet (merged files instead). Also: /version and timestamps, the
read-optimized view, /changes, and tables that cannot be served (Lance base
files) answering a clear 400.
"""

import collections
import decimal
import hashlib
import json
import os
import re
import subprocess

import pytest

import expect
import hudi_reader
from conftest import launch_server
from strict_client import StrictClient

SHARE, SCHEMA = "hudi", "t"
TOKEN = "tok-hudi"
DV_CAPS = "responseformat=delta;readerfeatures=deletionvectors,timestampntz"
PARQUET_CAPS = "responseformat=parquet"

ARCHIVES = hudi_reader.all_archives()


def table_name(archive):
    stem = archive[:-4].replace("hudi-rs-quickstart/quickstart_trips_table/", "qs/").replace("hudi-rs/", "")
    return re.sub(r"[^A-Za-z0-9_]", "_", stem)


@pytest.fixture(scope="module")
def hudi(lakeshare_bin, tmp_path_factory, parquet_rows):
    base = str(tmp_path_factory.mktemp("hudi"))
    roots = {}
    tables = []
    for archive in ARCHIVES:
        name = table_name(archive)
        dest = os.path.join(base, "tables", name)
        os.makedirs(dest)
        roots[name] = hudi_reader.unzip_table(archive, dest)
        tables.append({"name": name, "location": roots[name], "format": "hudi", "historyShared": True})
        if "/mor/" in archive:
            tables.append({"name": name + "_ro", "location": roots[name], "format": "hudi",
                           "historyShared": True, "hudiView": "read_optimized"})
    config = {
        "version": 1, "host": "127.0.0.1", "port": 0, "endpoint": "/delta-sharing",
        "shares": [{"name": SHARE, "schemas": [{"name": SCHEMA, "tables": tables}]}],
        "recipients": [{"name": "r", "token": TOKEN, "shares": [SHARE]}],
        "hudi": {"mergeCache": os.path.join(base, "merge-cache")},
    }
    server = launch_server(lakeshare_bin, config, os.path.join(base, "conf"), name="hudi")
    client = StrictClient(server.endpoint_url, TOKEN, server)
    parquet = hudi_reader.Parquet(parquet_rows.dir.rsplit("/duckdb-node", 1)[0])
    yield client, roots, parquet, os.path.join(base, "downloads")
    server.stop_and_check()


def readable(t):
    """Why the server must refuse the table (None: it must serve it)."""
    if t.base_format != "PARQUET":
        return "base format " + t.base_format
    for g in t.groups().values():
        for b in g["bases"]:
            if b["ext"] != "parquet":
                return "base files of format " + b["ext"]
    return None


def download(url, folder):
    data = expect.download_bytes(url)
    os.makedirs(folder, exist_ok=True)
    path = os.path.join(folder, hashlib.sha256(data).hexdigest() + ".parquet")
    if not os.path.exists(path):
        with open(path, "wb") as f:
            f.write(data)
    return path


def served_rows(result, folder, parquet):
    """[(partition values, row dict)] a client reads from a query answer."""
    files = []
    for f in result.files:
        if result.format == "delta":
            add = f["deltaSingleAction"]["add"]
            dv = add.get("deletionVector")
            positions = set()
            if dv is not None:
                assert dv["storageType"] == "i", "a Hudi deletion vector is inline: %r" % dv
                positions = set(hudi_reader.inline_dv_positions(dv["pathOrInlineDv"]))
                assert len(positions) == dv["cardinality"]
            files.append((download(add["path"], folder), add["partitionValues"], positions,
                          add.get("stats")))
        else:
            files.append((download(f["url"], folder), f["partitionValues"], set(), f.get("stats")))
    rows = parquet.rows([p for p, _, _, _ in files])
    out = []
    for path, pv, deleted, stats in files:
        file_rows = rows[path]
        if stats:
            n = json.loads(stats).get("numRecords")
            if n is not None:
                assert n == len(file_rows), "numRecords %d != %d rows in %s" % (n, len(file_rows), path)
            if getattr(result, "schema", None) is not None:
                check_column_stats(stats, file_rows, result.schema, path)
        for i, r in enumerate(file_rows):
            if i not in deleted:
                out.append((pv, r))
    return out


def stats_key(value, spark_type):
    """A value (of a row, or of a stats JSON) in a form that orders as the column does."""
    if spark_type in ("timestamp", "timestamp_ntz"):
        if isinstance(value, str):
            value = value.rstrip("Z")
        return hudi_reader._ts_micros(value)
    if spark_type.startswith("decimal"):
        return decimal.Decimal(hudi_reader.canonical(value, spark_type))
    if spark_type in ("float", "double"):
        return float(value[1] if isinstance(value, tuple) else value)
    if spark_type == "string":
        return str(value).encode()  # bytewise, as Spark compares strings
    return hudi_reader.canonical(value, spark_type)


def check_column_stats(stats, file_rows, schema, context):
    """The min/max/nullCount of a file's stats hold for its rows: the
    column-stats index of a Hudi table's metadata table, checked against the
    file itself."""
    st = json.loads(stats, parse_float=decimal.Decimal)
    types = {f["name"]: f["type"] for f in schema["fields"]}
    for col, n in st.get("nullCount", {}).items():
        got = sum(1 for r in file_rows if r.get(col) is None)
        assert n == got, "%s: nullCount[%s] = %d but %d rows are null" % (context, col, n, got)
    for col in set(st.get("minValues", {})) | set(st.get("maxValues", {})):
        t = types[col]
        values = [stats_key(r[col], t) for r in file_rows if r.get(col) is not None]
        assert values, "%s: bounds for %s, which has no values" % (context, col)
        if col in st.get("minValues", {}):
            assert stats_key(st["minValues"][col], t) == min(values), \
                "%s: minValues[%s] = %r, rows say %r" % (context, col, st["minValues"][col], min(values))
        if col in st.get("maxValues", {}):
            assert stats_key(st["maxValues"][col], t) == max(values), \
                "%s: maxValues[%s] = %r, rows say %r" % (context, col, st["maxValues"][col], max(values))


def canonical_rows(rows, schema):
    return sorted(repr(hudi_reader.canonical_row(r, schema)) for r in rows)


def check_partition_values(rows, schema, context):
    """Each row's partition column equals the file's partition value."""
    types = {f["name"]: f["type"] for f in schema["fields"]}
    for pv, r in rows:
        for col, value in pv.items():
            if value is None:
                assert r.get(col) is None, "%s: %s is null in the path but %r in the row" % (context, col, r.get(col))
                continue
            got = hudi_reader.canonical(r.get(col), types[col])
            assert str(got) == value or repr(got) == value, \
                "%s: partition value %s=%r but the row holds %r" % (context, col, value, got)


@pytest.mark.parametrize("archive", ARCHIVES, ids=[table_name(a) for a in ARCHIVES])
def test_every_version_matches_the_independent_reader(hudi, archive):
    client, roots, parquet, downloads = hudi
    name = table_name(archive)
    t = hudi_reader.HudiTable(roots[name], parquet)
    assert client.table_version(SHARE, SCHEMA, name) == t.latest
    why = readable(t)
    if why is not None:
        resp = client.query_raw(SHARE, SCHEMA, name, body={}, capabilities=DV_CAPS)
        err = client.parse_error(resp, 400)
        assert err.code == "UNSUPPORTED_OPERATION", err
        assert "lance" in err.message.lower() or "format" in err.message.lower(), err
        return
    for v in range(t.latest + 1):
        context = "%s@%d" % (name, v)
        expected = t.rows(v)
        for caps in (DV_CAPS, PARQUET_CAPS):
            res = client.query(SHARE, SCHEMA, name, body={"version": v}, capabilities=caps)
            assert res.version == v
            schema = res.schema
            assert res.metadata["partitionColumns"] == t.partition_columns, context
            names = [f["name"] for f in schema["fields"]]
            assert names[:5] == hudi_reader.META_FIELDS, context
            if t.versions:
                assert [f for f in names if f not in hudi_reader.META_FIELDS] == \
                    [f["name"] for f in t.schema_at(v)["fields"] if f["name"] not in hudi_reader.META_FIELDS]
            got = served_rows(res, downloads, parquet)
            check_partition_values(got, schema, context)
            want = canonical_rows([r for _, r in expected], schema)
            have = canonical_rows([r for _, r in got], schema)
            assert have == want, "%s (%s): the served rows differ from the independent reading:\n" \
                "only served: %s\nonly expected: %s" % (
                    context, caps, sorted(set(have) - set(want))[:3], sorted(set(want) - set(have))[:3])


def test_read_optimized_view_serves_base_files_only(hudi):
    client, roots, parquet, downloads = hudi
    for archive in ARCHIVES:
        if "/mor/" not in archive:
            continue
        name = table_name(archive)
        t = hudi_reader.HudiTable(roots[name], parquet)
        if readable(t) is not None:
            continue
        res = client.query(SHARE, SCHEMA, name + "_ro", body={}, capabilities=DV_CAPS)
        assert "Read-optimized" in (res.metadata.get("description") or ""), name
        got = served_rows(res, downloads, parquet)
        want = canonical_rows([r for _, r in t.rows(t.latest, read_optimized=True)], res.schema)
        assert canonical_rows([r for _, r in got], res.schema) == want, name
        for f in res.files:
            assert "deletionVector" not in f["deltaSingleAction"]["add"]


def has_column_stats_index(root):
    with open(os.path.join(root, ".hoodie", "hoodie.properties")) as f:
        props = hudi_reader.java_properties(f.read())
    listed = props.get("hoodie.table.metadata.partitions", "").split(",")
    return "column_stats" in listed and os.path.isdir(os.path.join(root, ".hoodie", "metadata", "column_stats"))


def test_column_stats_prune_files_for_predicate_hints(hudi):
    """Tables with a column-stats index serve min/max/nullCount stats (checked
    against every file's rows by served_rows), so a predicate hint drops the
    files that cannot match, and never one holding a matching row; tables
    without the index serve numRecords only."""
    client, roots, parquet, downloads = hudi
    indexed = pruned = 0
    for archive in ARCHIVES:
        name = table_name(archive)
        t = hudi_reader.HudiTable(roots[name], parquet)
        if not t.versions or readable(t) is not None:
            continue
        res = client.query(SHARE, SCHEMA, name, body={}, capabilities=DV_CAPS)
        adds = [f["deltaSingleAction"]["add"] for f in res.files]
        stats = [json.loads(a["stats"]) if a.get("stats") else {} for a in adds]
        if not has_column_stats_index(roots[name]):
            assert all("minValues" not in st for st in stats), name
            continue
        indexed += 1
        with_bounds = [st for st in stats if "minValues" in st]
        assert with_bounds, "%s: a column-stats table served no file with bounds" % name
        # A string or long column that has bounds, and a value one file holds.
        types = {f["name"]: f["type"] for f in res.schema["fields"]}
        col = next(c for c in with_bounds[0]["minValues"]
                   if types[c] in ("string", "long") and c not in res.metadata["partitionColumns"]
                   and not c.startswith("_hoodie"))
        value = with_bounds[0]["minValues"][col]
        hint = {"op": "equal", "children": [
            {"op": "column", "name": col, "valueType": types[col]},
            {"op": "literal", "value": str(value), "valueType": types[col]}]}
        hinted = client.query(SHARE, SCHEMA, name, body={"jsonPredicateHints": json.dumps(hint)},
                              capabilities=DV_CAPS)
        assert 0 < len(hinted.files) <= len(res.files), name
        if len(hinted.files) < len(res.files):
            pruned += 1
        # Every row that matches is still served.
        def matching(rows):
            return canonical_rows([r for r in rows if r.get(col) is not None and
                                   stats_key(r[col], types[col]) == stats_key(value, types[col])], res.schema)
        want = matching([r for _, r in t.rows(t.latest)])
        have = matching([r for _, r in served_rows(hinted, downloads, parquet)])
        assert want and have == want, "%s: hint on %s=%r served %r, expected %r" % (name, col, value, have, want)
    assert indexed >= 5 and pruned >= 3, (indexed, pruned)


def test_timestamps_are_completion_times(hudi):
    client, roots, parquet, _ = hudi
    for archive in ARCHIVES:
        name = table_name(archive)
        t = hudi_reader.HudiTable(roots[name], parquet)
        if not t.versions or readable(t) is not None:
            continue
        last = t.versions[-1]
        ts = expect.iso_ms(last.ts_ms)
        assert client.table_version(SHARE, SCHEMA, name, starting_timestamp=ts) == last.number, name
        res = client.query(SHARE, SCHEMA, name, body={"timestamp": ts}, capabilities=DV_CAPS)
        assert res.version == last.number, name
        first = t.versions[0]
        assert client.table_version(SHARE, SCHEMA, name,
                                    starting_timestamp=expect.iso_ms(first.ts_ms)) == 0, name


def test_changes_are_file_level_adds_and_removes(hudi):
    """Applying each version's removes (its rows deleted) and adds (inserted)
    to the previous version's rows gives the version's rows. Compactions and
    clusterings are no data change: they rewrite rows with new _hoodie_* meta
    fields only, so those are left out of the comparison."""
    client, roots, parquet, downloads = hudi
    for archive in ("hudi-rs/cow/v6_nonpartitioned.zip", "hudi-rs/cow/v9_txns_simple_overwrite.zip",
                    "hudi-rs-quickstart/quickstart_trips_table/mor/avro/v8_trips_8i3u1d.zip",
                    "hudi-rs-quickstart/quickstart_trips_table/mor/avro/v6_trips_8i3d.zip"):
        name = table_name(archive)
        t = hudi_reader.HudiTable(roots[name], parquet)
        res = client.changes(SHARE, SCHEMA, name, params={"startingVersion": 0}, capabilities=PARQUET_CAPS)
        schema = dict(res.schema)
        schema["fields"] = [f for f in schema["fields"] if f["name"] not in hudi_reader.META_FIELDS]
        by_version = collections.defaultdict(list)
        for e in res.files:
            by_version[e["version"]].append(e)

        class Answer:
            format = "parquet"

            def __init__(self, entries):
                self.files = [{"url": e["url"], "partitionValues": e["partitionValues"], "stats": None}
                              for e in entries]

        live = collections.Counter()
        for v in range(t.latest + 1):
            entries = by_version.get(v, [])
            for kind, sign in (("remove", -1), ("add", 1)):
                picked = [e for e in entries if e["kind"] == kind]
                for _, row in served_rows(Answer(picked), downloads, parquet):
                    live[repr(hudi_reader.canonical_row(row, schema))] += sign
            assert all(n >= 0 for n in live.values()), "%s@%d: a remove deletes rows never added" % (name, v)
            want = collections.Counter(canonical_rows([x for _, x in t.rows(v)], schema))
            assert +live == want, "%s@%d: replayed changes differ from the version's rows" % (name, v)


def expected_change_data(t, version, parquet):
    """The cdf rows of a version of a change-logging table, read independently
    the way Hudi's CDC reader infers them per write stat: a CDC log decoded
    (op i/u/d) with the images it holds (data_before_after: both;
    data_before: the before image) and the others found by record key in the
    file group's previous base file (prevCommit) and the new one (op_key_only,
    data_before); a base file whose writes are all inserts as inserts; a
    DELETE that wrote nothing as the previous base file's rows deleted; the
    last slice of every group a replacecommit retires as deletes. None where
    the version's changes cannot be derived that way. A merge-on-read log
    file without a change log: the keys its blocks of this instant write,
    looked up in the group's merged slices before and after (only after: an
    insert, only before: a delete, different rows: an update)."""
    rows = []
    groups = t.groups()
    log_groups = {}
    meta = t.versions[version].meta
    operation = (meta.get("operationType") or "").upper()

    def base_rows(path):
        full = os.path.join(t.root, path)
        return parquet.rows([full])[full]

    def previous_base(s):
        g = groups.get((s.get("partitionPath"), s.get("fileId"))) or {"bases": []}
        found = [b for b in g["bases"] if b["instant"] == s.get("prevCommit") and b["version"] < version]
        return found[0]["path"] if found else None

    def by_key(path):
        return {t.record_key(r): r for r in base_rows(path)} if path else {}

    for _, s in write_stats(meta):
        logs = s.get("cdcStats") or {}
        if logs:
            before_rows = after_rows = None
            for path in logs:
                with open(os.path.join(t.root, path), "rb") as f:
                    data = f.read()
                for btype, header, content, _ in hudi_reader.log_blocks(data):
                    assert btype == 6, "a change log holds block type %d" % btype
                    records, _ = hudi_reader.avro_block_records(content, header[2])
                    for r in records:
                        if "after" in r:
                            before, after = r["before"], r["after"]
                        else:
                            if after_rows is None:
                                after_rows = by_key(s["path"])
                            after = after_rows.get(r["record_key"]) if r["op"] != "d" else None
                            if "before" in r:
                                before = r["before"]
                            else:
                                if before_rows is None:
                                    before_rows = by_key(previous_base(s))
                                before = before_rows.get(r["record_key"]) if r["op"] != "i" else None
                        images = {"i": [(after, "insert")], "d": [(before, "delete")],
                                  "u": [(before, "update_preimage"), (after, "update_postimage")]}
                        for image, kind in images[r["op"]]:
                            assert image is not None, (path, r)
                            rows.append(dict(image, _change_type=kind))
            continue
        lg = hudi_reader.parse_log_name(os.path.basename(s["path"]))
        if lg:
            if lg["cdc"]:
                return None
            log_groups.setdefault((s.get("partitionPath"), s.get("fileId")), []).append(s["path"])
            continue
        if operation == "DELETE" and s.get("numWrites") == 0 and s.get("numDeletes"):
            prev = previous_base(s)
            if prev is None:
                return None
            rows += [dict(r, _change_type="delete") for r in base_rows(prev)]
        elif (s.get("numUpdateWrites") == 0 and s.get("numDeletes") == 0
              and s.get("numWrites") == s.get("numInserts")):
            rows += [dict(r, _change_type="insert") for r in base_rows(s["path"])]
        else:
            return None
    def slice_rows(at, part, fid):
        if at < 0:
            return []
        valid = {v.instant for v in t.versions[:at + 1]}
        for p, base, logs in t.slices(at):
            gid = hudi_reader.parse_base_name(os.path.basename(base["path"]))["file_id"] if base \
                else logs[0]["file_id"]
            if (p, gid) == (part, fid):
                found = base_rows(base["path"]) if base else []
                return t._merge(found, logs, valid, at) if t.mor and logs else found
        return []

    for (part, fid), paths in sorted(log_groups.items()):
        keys = []
        for path in paths:
            with open(os.path.join(t.root, path), "rb") as f:
                data = f.read()
            for btype, header, content, _ in hudi_reader.log_blocks(data):
                if header.get(0) != t.versions[version].instant:
                    continue
                if btype == 1:  # delete block
                    keys += [k for k, _ in hudi_reader.delete_block_keys(content)]
                elif btype == 3:  # Avro data block
                    records, _ = hudi_reader.avro_block_records(content, header[2])
                    keys += [r["_hoodie_record_key"] for r in records]
                else:
                    return None
        before = {t.record_key(r): r for r in slice_rows(version - 1, part, fid)}
        after = {t.record_key(r): r for r in slice_rows(version, part, fid)}
        for k in dict.fromkeys(keys):
            b, a = before.get(k), after.get(k)
            if a is not None and b is None:
                rows.append(dict(a, _change_type="insert"))
            elif b is not None and a is None:
                rows.append(dict(b, _change_type="delete"))
            elif a is not None and a != b:
                rows += [dict(b, _change_type="update_preimage"), dict(a, _change_type="update_postimage")]
    replaced = meta.get("partitionToReplaceFileIds") or {}
    if replaced:
        valid = {v.instant for v in t.versions[:version]}
        wanted = {(part, fid) for part, ids in replaced.items() for fid in ids}
        for part, base, logs in t.slices(version - 1):
            fid = hudi_reader.parse_base_name(os.path.basename(base["path"]))["file_id"] if base else \
                logs[0]["file_id"]
            if (part, fid) not in wanted:
                continue
            slice_rows = base_rows(base["path"]) if base else []
            if t.mor and logs:
                slice_rows = t._merge(slice_rows, logs, valid, version - 1)
            rows += [dict(r, _change_type="delete") for r in slice_rows]
    return rows


def write_stats(meta):
    return hudi_reader.write_stats(meta)


def check_change_data(lakeshare_bin, tmp_path, parquet_rows, generate_args, latest):
    """Writes a change-logging table with `lakeshare generate-hudi`, serves it
    and checks every version's cdf lines (in both response formats) against
    expected_change_data. Returns the reader of the table."""
    table = str(tmp_path / "cdc")
    subprocess.run([lakeshare_bin, "generate-hudi", "--dir", table] + generate_args,
                   check=True, stdout=subprocess.DEVNULL)
    config = {
        "version": 1, "host": "127.0.0.1", "port": 0, "endpoint": "/delta-sharing",
        "shares": [{"name": SHARE, "schemas": [{"name": SCHEMA, "tables": [
            {"name": "cdc", "location": table, "format": "hudi", "historyShared": True}]}]}],
        "recipients": [{"name": "r", "token": TOKEN, "shares": [SHARE]}],
        "hudi": {"mergeCache": str(tmp_path / "merge-cache")},
    }
    server = launch_server(lakeshare_bin, config, str(tmp_path / "conf"), name="hudi-cdc")
    try:
        client = StrictClient(server.endpoint_url, TOKEN, server)
        parquet = hudi_reader.Parquet(parquet_rows.dir.rsplit("/duckdb-node", 1)[0])
        t = hudi_reader.HudiTable(table, parquet)
        assert t.latest == latest
        data_fields = [f["name"] for f in t.schema_at(latest)["fields"]] + ["_change_type"]

        def key(r):  # DuckDB's JSON writes 0.0 as 0 (and -0.0 as 0): numbers compare as numbers
            return repr(tuple(float(v) + 0.0 if isinstance(v, (int, float)) else v
                              for v in (r.get(f) for f in data_fields)))

        for caps in (PARQUET_CAPS, DV_CAPS):
            res = client.changes(SHARE, SCHEMA, "cdc", params={"startingVersion": 0}, capabilities=caps)
            by_version = collections.defaultdict(list)
            for e in res.files:
                by_version[e["version"]].append(e)
            for v in range(t.latest + 1):
                want = expected_change_data(t, v, parquet)
                assert want is not None, v
                kinds = {e["kind"] for e in by_version[v]}
                assert kinds == {"cdf"}, (v, kinds)
                urls = [e["url"] if "url" in e else e["path"] for e in by_version[v]]
                paths = [download(u, str(tmp_path / "downloads")) for u in urls]
                got = [r for p, rs in parquet.rows(paths).items() for r in rs]
                assert sorted(map(key, got)) == sorted(map(key, want)), (generate_args, v)
        return t, parquet
    finally:
        server.stop_and_check()


@pytest.mark.parametrize("mode,table_version", [("data_before_after", 9), ("data_before", 9),
                                                ("op_key_only", 9), ("op_key_only", 6)])
def test_hudi_change_logs_are_cdf_lines(lakeshare_bin, tmp_path, parquet_rows, mode, table_version):
    """A copy-on-write table that logs its changes (hoodie.table.cdc.enabled)
    in each supplemental logging mode, written by `lakeshare generate-hudi
    --cdc --cdc-mode M --overwrite-partition`: no sample table of
    tests/data/hudi logs changes. Version 2 rewrites a file group (a delete,
    updates, an insert: the change log), version 3 is an insert_overwrite
    (replacecommit). /changes answers cdf lines whose rows equal the change
    logs, base files and retired slices read independently."""
    t, parquet = check_change_data(
        lakeshare_bin, tmp_path, parquet_rows,
        ["--files", "4", "--commits", "2", "--rows-per-file", "5", "--partitions", "2", "--cdc",
         "--cdc-mode", mode, "--overwrite-partition", "--table-version", str(table_version)], 3)
    assert t.versions[3].action == "replacecommit"
    # Version 2: one row deleted, four updated (pre- and post-images), one inserted;
    # version 3: the two groups of the overwritten partition deleted, five rows inserted.
    counts = collections.Counter(r["_change_type"] for r in expected_change_data(t, 2, parquet))
    assert counts == {"delete": 1, "update_preimage": 4, "update_postimage": 4, "insert": 1}
    counts = collections.Counter(r["_change_type"] for r in expected_change_data(t, 3, parquet))
    assert counts == {"delete": 10, "insert": 5}


@pytest.mark.parametrize("table_version", [6, 9])
def test_hudi_merge_on_read_log_files_are_cdf_lines(lakeshare_bin, tmp_path, parquet_rows, table_version):
    """A merge-on-read table with hoodie.table.cdc.enabled writes no change
    logs: Hudi's CDC reader infers the changes of a log file from the merged
    slices before and after it. Version 2 updates two rows of every group
    (log data blocks), version 3 deletes one (delete blocks)."""
    t, parquet = check_change_data(
        lakeshare_bin, tmp_path, parquet_rows,
        ["--files", "4", "--commits", "2", "--rows-per-file", "5", "--partitions", "2", "--cdc",
         "--table-type", "mor", "--update-fraction", "0.4", "--delete-fraction", "0.2",
         "--table-version", str(table_version)], 3)
    counts = collections.Counter(r["_change_type"] for r in expected_change_data(t, 2, parquet))
    assert counts == {"update_preimage": 8, "update_postimage": 8}
    counts = collections.Counter(r["_change_type"] for r in expected_change_data(t, 3, parquet))
    assert counts == {"delete": 4}


LISTED = ["hudi-rs/cow/v6_complexkeygen_hivestyle.zip", "hudi-rs/cow/v9_timebasedkeygen_nonhivestyle.zip",
          "hudi-rs/mor/parquet/v6_simplekeygen_nonhivestyle.zip",
          "hudi-rs-quickstart/quickstart_trips_table/mor/avro/v8_trips_8i3u1d.zip"]


def write_instant_files(root):
    """Completed commit/deltacommit files of the active timeline, in name order."""
    out = []
    for d in (os.path.join(root, ".hoodie"), os.path.join(root, ".hoodie", "timeline")):
        if os.path.isdir(d):
            out += [os.path.join(d, n) for n in os.listdir(d)
                    if re.search(r"\.(commit|deltacommit)$", n) and os.path.isfile(os.path.join(d, n))]
    return sorted(out, key=os.path.basename)


def test_commits_without_metadata_are_listed(lakeshare_bin, tmp_path, parquet_rows):
    """Tables made incomplete here: every completed write instant file but
    the last is emptied (its commit metadata, the file listing, is gone), so
    the server finds those commits' files by listing the partition folders.
    Every version still serves exactly the rows hudi_reader.py reads from an
    intact copy, in both response formats."""
    tables, intact = [], {}
    for archive in LISTED:
        name = table_name(archive)
        intact[name] = hudi_reader.unzip_table(archive, str(tmp_path / "intact" / name))
        root = hudi_reader.unzip_table(archive, str(tmp_path / "listed" / name))
        files = write_instant_files(root)
        assert len(files) >= 2, archive
        for f in files[:-1]:
            open(f, "wb").close()
        tables.append({"name": name, "location": root, "format": "hudi", "historyShared": True})
    config = {
        "version": 1, "host": "127.0.0.1", "port": 0, "endpoint": "/delta-sharing",
        "shares": [{"name": SHARE, "schemas": [{"name": SCHEMA, "tables": tables}]}],
        "recipients": [{"name": "r", "token": TOKEN, "shares": [SHARE]}],
        "hudi": {"mergeCache": str(tmp_path / "merge-cache")},
    }
    server = launch_server(lakeshare_bin, config, str(tmp_path / "conf"), name="hudi-listed")
    try:
        client = StrictClient(server.endpoint_url, TOKEN, server)
        parquet = hudi_reader.Parquet(parquet_rows.dir.rsplit("/duckdb-node", 1)[0])
        for name, root in intact.items():
            t = hudi_reader.HudiTable(root, parquet)
            assert client.table_version(SHARE, SCHEMA, name) == t.latest
            for v in range(t.latest + 1):
                for caps in (DV_CAPS, PARQUET_CAPS):
                    res = client.query(SHARE, SCHEMA, name, body={"version": v}, capabilities=caps)
                    got = served_rows(res, str(tmp_path / "downloads"), parquet)
                    check_partition_values(got, res.schema, name)
                    want = canonical_rows([r for _, r in t.rows(v)], res.schema)
                    assert canonical_rows([r for _, r in got], res.schema) == want, (name, v, caps)
    finally:
        server.stop_and_check()


def test_unknown_versions_and_missing_tables_are_clear_errors(hudi):
    client, roots, _, _ = hudi
    name = table_name("hudi-rs/cow/v6_nonpartitioned.zip")
    resp = client.query_raw(SHARE, SCHEMA, name, body={"version": 99}, capabilities=DV_CAPS)
    err = client.parse_error(resp, 400)
    assert "version 99" in err.message, err


def _damage(base):
    """Damaged copies of sample tables: name -> (expected status, code, words in the message)."""
    cases = {}

    def table(archive, name):
        dest = os.path.join(base, name)
        os.makedirs(dest)
        return hudi_reader.unzip_table(archive, dest)

    def timeline(root):
        d = os.path.join(root, ".hoodie", "timeline")
        return d if os.path.isdir(d) else os.path.join(root, ".hoodie")

    root = table("hudi-rs/cow/v9_txns_simple_meta.zip", "garbage_commit")
    last = sorted(f for f in os.listdir(timeline(root)) if re.match(r"^\d+_\d+\.commit$", f))[-1]
    with open(os.path.join(timeline(root), last), "wb") as f:
        f.write(b"Obj\x01" + bytes(range(256)) * 3)
    cases["garbage_commit"] = (400, "INVALID_TABLE_METADATA", [last])

    root = table("hudi-rs/cow/v6_nonpartitioned.zip", "truncated_json")
    last = sorted(f for f in os.listdir(timeline(root)) if f.endswith(".commit"))[-1]
    path = os.path.join(timeline(root), last)
    data = open(path, "rb").read()
    with open(path, "wb") as f:
        f.write(data[: len(data) // 2])
    cases["truncated_json"] = (400, "INVALID_TABLE_METADATA", [last])

    root = table("hudi-rs/cow/v6_nonpartitioned.zip", "missing_base")
    latest = sorted(f for f in os.listdir(root) if f.endswith(".parquet"))[-1]
    os.remove(os.path.join(root, latest))
    cases["missing_base"] = (400, "INVALID_TABLE_METADATA", ["missing", latest])

    root = table("hudi-rs-quickstart/quickstart_trips_table/mor/avro/v8_trips_8i3u1d.zip", "missing_log")
    for dirpath, _, files in os.walk(root):
        for f in files:
            if f.startswith(".") and "20251220210130911.log" in f:
                os.remove(os.path.join(dirpath, f))
    cases["missing_log"] = (400, "INVALID_TABLE_METADATA", ["missing"])

    root = table("hudi-rs-quickstart/quickstart_trips_table/mor/avro/v6_trips_8i1u.zip", "garbage_log")
    for dirpath, _, files in os.walk(root):
        for f in files:
            if ".log." in f:
                with open(os.path.join(dirpath, f), "wb") as fh:
                    fh.write(b"#HUDI#" + os.urandom(64) + b"\x00" * 40)
    cases["garbage_log"] = None  # an unreadable log block is skipped as Hudi does: base rows only

    def edit_props(root, fn):
        p = os.path.join(root, ".hoodie", "hoodie.properties")
        with open(p) as f:
            text = f.read()
        with open(p, "w") as f:
            f.write(fn(text))

    root = table("hudi-rs/cow/v6_nonpartitioned.zip", "version5")
    edit_props(root, lambda t: re.sub(r"hoodie.table.version=\d+", "hoodie.table.version=5", t))
    cases["version5"] = (400, "UNSUPPORTED_OPERATION", ["version 5"])

    root = table("hudi-rs/cow/v8_nonpartitioned.zip", "orc")
    edit_props(root, lambda t: t + "\nhoodie.table.base.file.format=ORC\n")
    cases["orc"] = (400, "UNSUPPORTED_OPERATION", ["ORC"])

    root = table("hudi-rs/cow/v6_nonpartitioned.zip", "no_properties")
    os.remove(os.path.join(root, ".hoodie", "hoodie.properties"))
    cases["no_properties"] = (404, "RESOURCE_DOES_NOT_EXIST", ["unavailable"])
    return cases


@pytest.fixture(scope="module")
def broken(lakeshare_bin, tmp_path_factory):
    base = str(tmp_path_factory.mktemp("hudi-broken"))
    cases = _damage(os.path.join(base, "tables"))
    good = hudi_reader.unzip_table("hudi-rs/cow/v6_nonpartitioned.zip", os.path.join(base, "good"))
    tables = [{"name": n, "location": hudi_reader_root(os.path.join(base, "tables", n)), "format": "hudi",
               "historyShared": True} for n in sorted(cases)]
    tables.append({"name": "good", "location": good, "format": "hudi", "historyShared": True})
    config = {
        "version": 1, "host": "127.0.0.1", "port": 0, "endpoint": "/delta-sharing",
        "shares": [{"name": SHARE, "schemas": [{"name": SCHEMA, "tables": tables}]}],
        "recipients": [{"name": "r", "token": TOKEN, "shares": [SHARE]}],
        "hudi": {"mergeCache": os.path.join(base, "merge-cache")},
    }
    server = launch_server(lakeshare_bin, config, os.path.join(base, "conf"), name="hudi-broken")
    yield StrictClient(server.endpoint_url, TOKEN, server), cases
    server.stop_and_check()


def hudi_reader_root(dest):
    for name in os.listdir(dest):
        if os.path.isdir(os.path.join(dest, name, ".hoodie")):
            return os.path.join(dest, name)
    return os.path.join(dest, os.listdir(dest)[0])


def test_damaged_tables_answer_clear_errors_and_the_server_carries_on(broken):
    client, cases = broken
    for name, want in sorted(cases.items()):
        for caps in (DV_CAPS, PARQUET_CAPS):
            resp = client.query_raw(SHARE, SCHEMA, name, body={}, capabilities=caps)
            if want is None:
                client.parse_query(resp)
                continue
            status, code, words = want
            err = client.parse_error(resp, status)
            assert err.code == code, (name, err)
            for w in words:
                assert w in err.message, (name, w, err.message)
        # The server is still fine.
        assert client.table_version(SHARE, SCHEMA, "good") == 1
