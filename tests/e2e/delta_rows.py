"""The rows a Delta table holds, read independently of lakeshare: the log by
delta_log.py, the parquet files by DuckDB (hudi_reader.Parquet), deletion
vectors decoded here (inline Z85 or a DV file; roaring by iceberg_deletes),
column mapping's physical names turned into logical ones. Shared by the
table-preview and demo tests."""
import re
import struct

import delta_log
import iceberg_deletes


def dv_positions(table_dir, dv):
    """Rows a Delta deletion vector deletes (on-disk 'u' and inline 'i')."""
    if not dv:
        return set()
    if dv["storageType"] == "i":
        data = delta_log.z85_decode(dv["pathOrInlineDv"])[:dv["sizeInBytes"]]
    else:
        with open(delta_log.dv_file_path(table_dir, dv), "rb") as f:
            f.seek(dv.get("offset") or 1)
            (size,) = struct.unpack(">I", f.read(4))
            data = f.read(size)
    return set(iceberg_deletes.roaring_bitmap_array(data))


def delta_rows(parquet, table_dir, version=None, keep=lambda pv: True):
    """The rows a recipient reads, as dicts of logical name -> value."""
    snap = delta_log.DeltaTable(table_dir).snapshot(version)
    fields = snap.schema["fields"]
    physical = {f["name"]: (f.get("metadata") or {}).get("delta.columnMapping.physicalName", f["name"])
                for f in fields}
    files = [f for f in snap.files if keep(f.partition_values)]
    read = parquet.rows([f.local_path for f in files])
    out = []
    for f in files:
        deleted = dv_positions(table_dir, f.deletion_vector)
        for pos, rec in enumerate(read[f.local_path]):
            if pos in deleted:
                continue
            row = {}
            for name, phys in physical.items():
                if name in snap.partition_columns:
                    row[name] = f.partition_values.get(phys)
                else:
                    row[name] = rec.get(phys)
            out.append(row)
    return [f["name"] for f in fields], out


def served_rows(answer):
    """The rows of an admin-API table preview, as dicts."""
    names = [c["name"] for c in answer["columns"]]
    return [dict(zip(names, r)) for r in answer["rows"]]


_TIMESTAMP = re.compile(r"^(\d{4}-\d{2}-\d{2})[ T](\d{2}:\d{2}:\d{2})(\.0*)?(Z|\+00(:?00)?)?$")


def comparable(row):
    """A row in one spelling for both readers: whole-second UTC timestamps
    (DuckDB writes '2024-03-05 10:00:00+00', the preview
    '2024-03-05T10:00:00Z') and integral doubles (DuckDB's JSON writes 20.0
    as 20)."""
    out = {}
    for k, v in row.items():
        m = _TIMESTAMP.match(v) if isinstance(v, str) else None
        if m:
            v = "%sT%sZ" % (m.group(1), m.group(2))
        elif isinstance(v, float) and v.is_integer():
            v = int(v)
        out[k] = v
    return out


def key(row):
    return sorted((k, repr(v)) for k, v in row.items())
