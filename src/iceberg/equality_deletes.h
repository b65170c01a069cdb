// Iceberg equality deletes resolved into row positions: for every live data
// file an equality delete file applies to, the positions of its rows whose
// key columns equal a row of such a delete file.
//
// Which equality deletes apply (the Iceberg spec's scan planning): a delete
// file with a data sequence number strictly greater than the data file's,
// in the data file's partition (same spec and tuple) unless the delete
// file's spec is unpartitioned (a global delete). Key columns are named by
// field id (`equality_ids`) and read by field id from both files (columns
// may have been renamed; a file without field ids is read by the field's
// current name); a column a data file lacks is null in every row. NULL
// equals NULL; floats compare as Iceberg's comparators do (-0.0 differs
// from 0.0, NaN equals NaN); an int file value equals the same long, a
// float the same double (promoted columns).
//
// Delete files are parquet or Avro (AvroFileReader: key columns by the Avro
// schema's `field-id`s, by name for a writer that recorded none; read whole,
// at most 256 MiB each, its size counted as scanned bytes).
//
// Cost and bounds: only the key columns of the affected data files are read
// (ParquetReader, through Storage), at most `max_scan_bytes` of their
// compressed column chunks per snapshot, for at most `max_scan_ms` (the
// clock is read per row group and every 16 384 rows, so a slow store or a
// huge file cannot hold a request past it); the delete rows' keys are held
// in hash sets of at most `max_key_bytes` (estimated); kTooLarge beyond each.
// The positions of each data file are stored in the content cache (when
// given) under the SHA-256 of the data file and the delete files that
// apply, so that another snapshot, a restart or a replica reads them back
// instead of scanning again.
//
// Errors: kCorruption naming the file (a delete file without a key column,
// a key column of a nested or unsupported type, unreadable parquet or Avro);
// kUnsupported for delete files that are neither parquet nor Avro (ORC) and
// data files that are not parquet; kTooLarge;
// storage errors. Thread-safe for distinct calls.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "common/status.h"
#include "iceberg/manifest_conversion.h"
#include "storage/storage.h"
#include "table/content_cache.h"

namespace lakeshare::iceberg {

struct EqualityDeleteOptions {
  ContentCache* cache = nullptr;
  int64_t max_key_bytes = int64_t{512} << 20;
  int64_t max_scan_bytes = int64_t{16} << 30;
  // Wall time the whole resolution (delete files and key columns) may take.
  int64_t max_scan_ms = 120'000;
  size_t max_parallel_reads = 4;
};

// Deleted positions (ascending, distinct) by the data file's re-based path
// (DataFile::path); files without deleted rows are absent.
using PositionsByFile = std::unordered_map<std::string, std::vector<uint64_t>>;

struct EqualityDeleteStats {
  int64_t data_files_scanned = 0;  // read from storage (not from the cache)
  int64_t data_files_cached = 0;   // positions found in the cache
  int64_t delete_rows = 0;         // delete rows read
};

// `deletes` are the snapshot's live equality delete files; `data` the
// converted data manifests of the same snapshot.
Result<PositionsByFile> ResolveEqualityDeletes(
    Storage& storage, const FileContext& ctx,
    const std::vector<std::shared_ptr<const ConvertedManifest>>& data,
    const std::vector<const DeleteFileRef*>& deletes, const EqualityDeleteOptions& options,
    EqualityDeleteStats* stats = nullptr);

// The key bytes of one row for equality matching, exposed for tests: each
// value appended with a null/value tag in a form equal for equal Iceberg
// values (see the file comment).
namespace equality_key {
void AppendNull(std::string* key);
void AppendInt(std::string* key, int64_t v);
void AppendDouble(std::string* key, double v);  // floats too (exactly widened)
void AppendBytes(std::string* key, std::string_view v);
void AppendBool(std::string* key, bool v);
void AppendDecimal(std::string* key, __int128 unscaled);
}  // namespace equality_key

}  // namespace lakeshare::iceberg
