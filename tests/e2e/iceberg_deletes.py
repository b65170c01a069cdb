"""An independent reader of Iceberg row-level deletes for the end-to-end
tests: which rows of each data file a snapshot deletes, written from the
Iceberg table spec (scan planning: sequence numbers, partition scope,
referenced_data_file; Puffin deletion-vector-v1 blobs) with python3-avro for
manifests and DuckDB (hudi_reader.Parquet) for position delete files. It
shares no code with the server.

Also the client side of the answer: the positions of a Delta deletion vector
as a delta-format client receives it (inline Z85, or a DV file at a URL).
"""

import json
import math
import os
import re
import struct
import subprocess
import zlib

import expect
import iceberg_meta
from checkpoint_log import copy_script
from delta_log import z85_decode


def same_file_key(path):
    """A recorded path without scheme and authority, normalized."""
    m = re.match(r"^[A-Za-z][A-Za-z0-9+.-]*:(//[^/]*)?(.*)$", path)
    p = m.group(2) if m else path
    return re.sub(r"/+", "/", p.replace("/./", "/"))


# ---------------------------------------------------------------- bitmaps

def _roaring32(buf, pos, high, out):
    (cookie,) = struct.unpack_from("<I", buf, pos)
    pos += 4
    runs = None
    if cookie & 0xFFFF == 12347:
        n = (cookie >> 16) + 1
        flags = buf[pos:pos + (n + 7) // 8]
        pos += (n + 7) // 8
        runs = [flags[i // 8] >> (i % 8) & 1 for i in range(n)]
        has_offsets = n >= 4
    else:
        assert cookie == 12346, "roaring cookie %d" % cookie
        (n,) = struct.unpack_from("<I", buf, pos)
        pos += 4
        has_offsets = True
    headers = [struct.unpack_from("<HH", buf, pos + 4 * i) for i in range(n)]
    pos += 4 * n
    if has_offsets:
        pos += 4 * n
    for i, (key, card) in enumerate(headers):
        card += 1
        if runs and runs[i]:
            (nruns,) = struct.unpack_from("<H", buf, pos)
            pos += 2
            for _ in range(nruns):
                start, length = struct.unpack_from("<HH", buf, pos)
                pos += 4
                out.extend(high << 32 | key << 16 | v for v in range(start, start + length + 1))
        elif card > 4096:
            words = struct.unpack_from("<1024Q", buf, pos)
            pos += 8192
            for w, word in enumerate(words):
                for bit in range(64):
                    if word >> bit & 1:
                        out.append(high << 32 | key << 16 | (w * 64 + bit))
        else:
            vals = struct.unpack_from("<%dH" % card, buf, pos)
            pos += 2 * card
            out.extend(high << 32 | key << 16 | v for v in vals)
    return pos


def portable_roaring64(buf):
    (count,) = struct.unpack_from("<Q", buf, 0)
    pos = 8
    out = []
    for _ in range(count):
        (high,) = struct.unpack_from("<I", buf, pos)
        pos += 4
        pos = _roaring32(buf, pos, high, out)
    assert pos == len(buf), "bytes after the bitmap"
    return out


def roaring_bitmap_array(buf):
    (magic,) = struct.unpack_from("<I", buf, 0)
    assert magic == 1681511377, "bad RoaringBitmapArray magic"
    return portable_roaring64(buf[4:])


def puffin_dv_positions(path, offset, size):
    with open(path, "rb") as f:
        f.seek(offset)
        blob = f.read(size)
    (length,) = struct.unpack_from(">I", blob, 0)
    assert length == size - 8 and blob[4:8] == b"\xd1\xd3\x39\x64"
    (crc,) = struct.unpack_from(">I", blob, 4 + length)
    assert crc == zlib.crc32(blob[4:4 + length])
    return portable_roaring64(blob[8:4 + length])


def served_dv_positions(dv):
    """The positions of a deletion vector as a delta-format client reads it."""
    if dv["storageType"] == "i":
        data = z85_decode(dv["pathOrInlineDv"])[:dv["sizeInBytes"]]
    else:
        assert dv["storageType"] == "p", dv
        file = expect.download_bytes(dv["pathOrInlineDv"])
        off = dv.get("offset") or 0
        assert file[0] == 1, "a DV file starts with version byte 1"
        (size,) = struct.unpack_from(">I", file, off)
        assert size == dv["sizeInBytes"]
        data = file[off + 4:off + 4 + size]
        (crc,) = struct.unpack_from(">I", file, off + 4 + size)
        assert crc == zlib.crc32(data), "DV file CRC"
    positions = roaring_bitmap_array(data)
    assert len(positions) == dv["cardinality"] == len(set(positions))
    return set(positions)


# ---------------------------------------------------------------- the spec

class Entry:
    def __init__(self, path, df, seq, spec_id, partition):
        self.path = path            # re-based local path
        self.recorded = df["file_path"]
        self.df = df
        self.seq = seq
        self.spec_id = spec_id
        self.partition = partition  # tuple of values


def live_files(table, snap):
    """([data Entry], [delete Entry]) of a snapshot."""
    data, deletes = [], []
    for m in table.manifest_list(snap):
        _, entries = iceberg_meta.read_avro(table._path(m["manifest_path"]))
        for e in entries:
            if e["status"] == 2:
                continue
            df = e["data_file"]
            seq = e.get("sequence_number")
            if seq is None:
                seq = m.get("sequence_number") or 0
            part = tuple((df.get("partition") or {}).values())
            ent = Entry(table._path(df["file_path"]), df, seq, m["partition_spec_id"], part)
            if m.get("content", 0) == 1 or (df.get("content") or 0) != 0:
                deletes.append(ent)
            else:
                data.append(ent)
    return data, deletes


_FIELD_IDS = {}


def field_ids(parquet, files):
    """{file: {field id: column name}} read by DuckDB's parquet_schema."""
    todo = [f for f in files if f not in _FIELD_IDS]
    if todo:
        script = copy_script(parquet.dir, "read_parquet_field_ids.mjs")
        out = subprocess.run(["node", script, json.dumps({"files": todo})], cwd=parquet.dir,
                             check=True, timeout=600, capture_output=True, text=True).stdout
        for f in todo:
            _FIELD_IDS[f] = {}
        for line in out.splitlines():
            if line.strip():
                rec = json.loads(line)
                if rec["field_id"] is not None:
                    _FIELD_IDS[rec["_file"]][int(rec["field_id"])] = rec["name"]
    return {f: _FIELD_IDS[f] for f in files}


def _key_value(v):
    """A value as equality deletes compare it: NULL equals NULL, floats by
    their bits (-0.0 is not 0.0) with every NaN equal."""
    if isinstance(v, float):
        if math.isnan(v):
            return ("nan",)
        if not math.isinf(v) and v == int(v) and not (v == 0 and math.copysign(1, v) < 0):
            return int(v)  # 1.0 from a float column equals 1 from DuckDB's JSON
        return ("f", struct.pack(">d", v))
    if isinstance(v, (dict, list)):
        return json.dumps(v, sort_keys=True)
    return v


def row_key(row, ids, names):
    return tuple(_key_value(row.get(names[i])) if i in names else None for i in ids)


def equality_deleted(table, data, deletes, parquet):
    """{data file local path: set of positions} the equality deletes remove."""
    eq = [d for d in deletes if (d.df.get("content") or 0) == 2]
    out = {}
    if not eq:
        return out
    ids_of = field_ids(parquet, [d.path for d in eq] + [f.path for f in data])
    keys = []  # (delete Entry, sorted ids, set of keys)
    for d in eq:
        ids = sorted(set(d.df["equality_ids"]))
        names = ids_of[d.path]
        assert all(i in names for i in ids), "delete file lacks a key column"
        rows = parquet.rows([d.path])[d.path]
        keys.append((d, ids, {row_key(r, ids, names) for r in rows}))
    for f in data:
        applies = []
        for d, ids, ks in keys:
            if d.seq <= f.seq:
                continue
            unpartitioned = not table.specs.get(d.spec_id)
            if not unpartitioned and (d.spec_id != f.spec_id or d.partition != f.partition):
                continue
            applies.append((ids, ks))
        if not applies:
            continue
        names = ids_of[f.path]
        rows = parquet.rows([f.path])[f.path]
        gone = {i for i, r in enumerate(rows) if any(row_key(r, ids, names) in ks for ids, ks in applies)}
        if gone:
            out[f.path] = gone
    return out


def deleted_positions(table, snap, parquet):
    """{data file local path: set of deleted positions}: position deletes,
    deletion vectors and equality deletes applied by the spec's rules."""
    data, deletes = live_files(table, snap)
    out = equality_deleted(table, data, deletes, parquet)
    by_key = {}
    for f in data:
        key = same_file_key(f.recorded)
        by_key[key] = f

    def apply(d, recorded, positions):
        f = by_key.get(same_file_key(recorded))
        if f is None:
            return  # dangling: the data file is not in this snapshot
        if d.seq < f.seq:
            return
        unpartitioned = not table.specs.get(d.spec_id)
        if not unpartitioned and (d.spec_id != f.spec_id or d.partition != f.partition):
            return
        out.setdefault(f.path, set()).update(positions)

    for d in deletes:
        if (d.df.get("content") or 0) == 2:
            continue
        fmt = d.df["file_format"].upper()
        if fmt == "PUFFIN":
            apply(d, d.df["referenced_data_file"],
                  puffin_dv_positions(d.path, d.df["content_offset"], d.df["content_size_in_bytes"]))
            continue
        assert fmt in ("PARQUET", "AVRO"), fmt
        if fmt == "AVRO":  # records of file_path and pos, read by python3-avro
            rows = iceberg_meta.read_avro(d.path)[1]
        else:
            rows = parquet.rows([d.path])[d.path]
        grouped = {}
        for r in rows:
            if r.get("file_path") is None or r.get("pos") is None:
                continue
            grouped.setdefault(r["file_path"], []).append(r["pos"])
        ref = d.df.get("referenced_data_file")
        for recorded, positions in grouped.items():
            if ref and same_file_key(ref) != same_file_key(recorded):
                continue
            apply(d, recorded, positions)
    return out


def has_deletes(table):
    for _, _, snap in table.timeline:
        if live_files(table, snap)[1]:
            return True
    return False


def impala_root():
    return os.path.join(os.path.dirname(iceberg_meta.ROOT), "impala", "iceberg_test")
