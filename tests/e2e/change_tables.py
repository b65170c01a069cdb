"""Tables for the change data feed (/changes) and streaming-query tests.

``build(root)`` makes temporary copies of the CDF test tables with
controlled commit times (file modification times with sub-millisecond
parts, or in-commit timestamps), plus tables built here by appending
commits to a copy of ``cdf-table-non-partitioned`` (versions 0-4):

- ``evolving``: metaData changes, a no-op MERGE, MERGEs that are not
  no-ops, dataChange=false rewrites, a commit with cdc + add/remove + a
  metaData change, a metaData-only commit;
- ``toggle``: CDF switched off at 5 and back on at 7;
- ``late_dv``: deletion vectors enabled at 5 (reader version 3) and a file
  with an on-disk deletion vector at 6.

``config(tables)`` shares them all (share ``cs``, schema ``s``) plus
variants: ``cdf_sv2`` (startVersion 2), ``cdf_nohist`` and ``plain_nohist``
(historyShared false).
"""

import os
import shutil

import harness
from delta_log import DeltaTable

SHARE, SCHEMA = "cs", "s"
TOKEN = "tok-changes"

# Commit N of a timed copy: 2023-01-01T00:00:00Z + N hours + N*1.234 s, plus
# 0.789 ms that must be truncated (commit times are whole milliseconds).
BASE_MS = 1672531200000
STEP_MS = 3600 * 1000 + 1234
SUB_MS_NS = 789000

# simple_table (no CDF) keeps one day per commit, like conftest's copies.
PLAIN_BASE_S = 1609459200


def commit_time_ms(v):
    return BASE_MS + v * STEP_MS


def _set_times(table_dir, times_ms, sub_ns=SUB_MS_NS):
    harness.set_commit_mtimes_ns(table_dir, [t * 1000000 + sub_ns for t in times_ms])


def _copy(root, src, name):
    d = harness.copy_table(src, root, name)
    harness.make_writable(d)
    return d


def _copy_file(table_dir, src_rel, dst_rel):
    """Copies a data file inside a table; returns (dst_rel, size)."""
    src = os.path.join(table_dir, src_rel)
    dst = os.path.join(table_dir, dst_rel)
    os.makedirs(os.path.dirname(dst), exist_ok=True)
    shutil.copyfile(src, dst)
    return dst_rel, os.path.getsize(dst)


def _add(path_size, data_change=True, stats='{"numRecords":1}', dv=None):
    path, size = path_size
    a = {"path": path, "partitionValues": {}, "size": size, "modificationTime": 1700000000000,
         "dataChange": data_change}
    if stats is not None:
        a["stats"] = stats
    if dv is not None:
        a["deletionVector"] = dv
    return {"add": a}


def _remove(path_size, data_change=True, dv=None):
    path, size = path_size
    r = {"path": path, "deletionTimestamp": 1700000000000, "dataChange": data_change,
         "extendedFileMetadata": True, "partitionValues": {}, "size": size}
    if dv is not None:
        r["deletionVector"] = dv
    return {"remove": r}


def _cdc(path_size):
    path, size = path_size
    return {"cdc": {"path": path, "partitionValues": {}, "size": size, "dataChange": False}}


def _metadata(table_dir, description=None, **conf):
    """The table's version-0 metaData with configuration entries changed."""
    md = dict(DeltaTable(table_dir).metadata_at(0))
    md["configuration"] = dict(md.get("configuration") or {}, **conf)
    if description is not None:
        md["description"] = description
    return {"metaData": md}


def _merge(inserted, updated, deleted):
    m = {}
    for k, v in (("numTargetRowsInserted", inserted), ("numTargetRowsUpdated", updated),
                 ("numTargetRowsDeleted", deleted)):
        if v is not None:
            m[k] = v
    m["numTargetRowsCopied"] = "0"
    return {"operation": "MERGE", "operationMetrics": m}


NP_DATA = "part-00000-94321f1e-f3e8-456d-ae43-5bf5b4c36a3d-c000.snappy.parquet"   # added at 4
NP_CDC = "_change_data/cdc-00000-a0f26ad2-e42f-4ee9-9a42-c551810ffef9.c000.snappy.parquet"


def append_write(table_dir, name):
    """Appends a commit adding a copy of a data file of a copy of
    cdf-table-non-partitioned; returns the new version."""
    return harness.add_commit(table_dir, [_add(_copy_file(table_dir, NP_DATA, name))])


def build_evolving(root):
    d = _copy(root, "cdf-table-non-partitioned", "evolving")
    f = {n: _copy_file(d, NP_DATA, "e2e-%s.snappy.parquet" % n) for n in "ABCDFGH"}
    e = _copy_file(d, NP_CDC, "_change_data/e2e-cdc-E.snappy.parquet")
    i = _copy_file(d, NP_CDC, "_change_data/e2e-cdc-I.snappy.parquet")
    commit = harness.add_commit
    assert commit(d, [_metadata(d, "evolved at 5", **{"e2e.marker": "5"})]) == 5
    commit(d, [_add(f["A"])], commit_info={"operation": "WRITE"})                              # 6
    commit(d, [_remove(f["A"]), _add(f["B"])], commit_info=_merge("0", "0", "0"))               # 7 no-op MERGE
    commit(d, [_remove(f["B"]), _add(f["C"])], commit_info=_merge("0", "1", "0"))               # 8
    commit(d, [_remove(f["C"], False), _add(f["D"], False)], commit_info={"operation": "OPTIMIZE"})  # 9
    commit(d, [_metadata(d, "evolved at 10", **{"e2e.marker": "10"}), _remove(f["D"]), _add(f["F"]), _cdc(e)],
           commit_info={"operation": "UPDATE"})                                                 # 10
    commit(d, [_add(f["G"], stats=None)], commit_info=_merge("0", "0", None))                   # 11 metrics incomplete
    commit(d, [_remove(f["G"]), _add(f["H"]), _cdc(i)], commit_info=_merge("0", "0", "0"))      # 12 has cdc
    assert commit(d, [_metadata(d, "evolved at 13", **{"e2e.marker": "13"})]) == 13
    _set_times(d, [commit_time_ms(v) for v in range(14)])
    return d


def build_toggle(root):
    d = _copy(root, "cdf-table-non-partitioned", "toggle")
    x = _copy_file(d, NP_DATA, "e2e-X.snappy.parquet")
    y = _copy_file(d, NP_DATA, "e2e-Y.snappy.parquet")
    assert harness.add_commit(d, [_metadata(d, **{"delta.enableChangeDataFeed": "false"})]) == 5
    harness.add_commit(d, [_add(x)])                                                            # 6
    harness.add_commit(d, [_metadata(d, **{"delta.enableChangeDataFeed": "true"})])             # 7
    assert harness.add_commit(d, [_add(y), _remove(x)]) == 8
    _set_times(d, [commit_time_ms(v) for v in range(9)])
    return d


def build_late_dv(root):
    d = _copy(root, "cdf-table-non-partitioned", "late_dv")
    dvs = os.path.join(harness.DELTA_ROOT, "cdf-table-with-cdc-and-dvs")
    dv = None
    for a in DeltaTable(dvs).actions(2):
        if "add" in a and a["add"].get("deletionVector"):
            dv = a["add"]["deletionVector"]
    assert dv and dv["storageType"] == "u"
    for name in os.listdir(dvs):
        if name.startswith("deletion_vector_"):
            shutil.copyfile(os.path.join(dvs, name), os.path.join(d, name))
    p = (NP_DATA, os.path.getsize(os.path.join(d, NP_DATA)))
    q = _copy_file(d, NP_DATA, "e2e-Q.snappy.parquet")
    protocol = {"protocol": {"minReaderVersion": 3, "minWriterVersion": 7, "readerFeatures": ["deletionVectors"],
                             "writerFeatures": ["deletionVectors", "changeDataFeed"]}}
    assert harness.add_commit(d, [protocol, _metadata(d, **{"delta.enableDeletionVectors": "true"})]) == 5
    harness.add_commit(d, [_remove(p), _add(p, dv=dv)], commit_info={"operation": "DELETE"})     # 6
    assert harness.add_commit(d, [_add(q)]) == 7
    _set_times(d, [commit_time_ms(v) for v in range(8)])
    return d


def build_unsized(root):
    """unsized: a DELETE at 5 whose remove records no size (optional in
    Delta, as in simple_table's log)."""
    d = _copy(root, "cdf-table-non-partitioned", "unsized")
    r = _remove((NP_DATA, 0))
    del r["remove"]["size"]
    assert harness.add_commit(d, [r], commit_info={"operation": "DELETE"}) == 5
    _set_times(d, [commit_time_ms(v) for v in range(6)])
    return d


def build(root):
    """Returns {table name: folder}."""
    t = {}
    for name, src in (("cdf", "cdf-table"), ("cdf_np", "cdf-table-non-partitioned"),
                      ("cdc_simple", "simple_table_with_cdc"), ("dvs", "cdf-table-with-cdc-and-dvs")):
        t[name] = _copy(root, src, name)
        _set_times(t[name], [commit_time_ms(v) for v in DeltaTable(t[name]).commit_versions])
    # In-commit timestamps: commit N at BASE + N*STEP; the file times (far in
    # the future, decreasing) must be ignored.
    t["ict"] = _copy(root, "cdc_ict_table", "ict")
    harness.set_in_commit_timestamps(t["ict"], BASE_MS, STEP_MS)
    _set_times(t["ict"], [BASE_MS * 2 - v * STEP_MS for v in range(4)])
    # All commit files share one modification time: timestamps T, T+1, T+2, ...
    t["same_mtime"] = _copy(root, "cdf-table-non-partitioned", "same_mtime")
    _set_times(t["same_mtime"], [BASE_MS] * 5)
    # Modification times going backwards: each commit is previous + 1 ms.
    t["backwards"] = _copy(root, "cdf-table", "backwards")
    _set_times(t["backwards"], [BASE_MS + (3 - v) * STEP_MS for v in range(4)])
    t["evolving"] = build_evolving(root)
    t["toggle"] = build_toggle(root)
    t["late_dv"] = build_late_dv(root)
    t["unsized"] = build_unsized(root)
    t["plain"] = _copy(root, "simple_table", "plain")
    harness.set_commit_mtimes(t["plain"], PLAIN_BASE_S, 86400)
    return t


def config(tables, variants=True):
    entries = [{"name": n, "location": d, "historyShared": True} for n, d in tables.items()]
    entries += [] if not variants else [
        {"name": "cdf_sv2", "location": tables["cdf"], "historyShared": True, "startVersion": 2},
        {"name": "cdf_nohist", "location": tables["cdf"], "historyShared": False},
        {"name": "plain_nohist", "location": tables["plain"], "historyShared": False},
        {"name": "evolving_sv5", "location": tables["evolving"], "historyShared": True, "startVersion": 5},
    ]
    return {
        "version": 1, "host": "127.0.0.1", "port": 0, "endpoint": "/delta-sharing",
        "preSignedUrlTimeoutSeconds": 3600,
        "recipients": [{"name": "changes", "token": TOKEN, "shares": [SHARE]}],
        "shares": [{"name": SHARE, "schemas": [{"name": SCHEMA, "tables": entries}]}],
    }

