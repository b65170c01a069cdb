// The table-format boundary: what the protocol layer needs from a table,
// whatever its format. Implementations: DeltaTable (delta/delta_table.h),
// IcebergTable (iceberg/iceberg_table.h) and HudiTable (hudi/hudi_table.h),
// opened by the catalog's `format` through table_format_registry.h.
//
// A TableFormat is bound to one table location. Implementations are
// thread-safe and may cache; snapshots are immutable and shared.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "common/compact_optional.h"
#include "common/compact_text.h"
#include "common/status.h"
#include "storage/storage.h"
#include "table/file_list.h"
#include "table/partition_values.h"

namespace lakeshare {

// The Delta protocol action (other formats report the equivalent).
struct TableProtocol {
  int32_t min_reader_version = 1;
  int32_t min_writer_version = 2;
  std::optional<std::vector<std::string>>
      reader_features;  // present only for table-features tables
  std::optional<std::vector<std::string>> writer_features;
};

struct TableMetadata {
  std::string id;
  std::optional<std::string> name;
  std::optional<std::string> description;
  std::string format_provider = "parquet";
  std::map<std::string, std::string> format_options;
  std::string schema_string;  // Spark-JSON struct type
  std::vector<std::string> partition_columns;
  std::map<std::string, std::string> configuration;
  std::optional<int64_t> created_time;
};

// A deletion vector descriptor exactly as the Delta log records it.
struct DeletionVector {
  std::string storage_type;  // "u", "i" or "p"
  std::string path_or_inline_dv;
  std::optional<int32_t> offset;
  int32_t size_in_bytes = 0;
  int64_t cardinality = 0;
  bool operator==(const DeletionVector&) const = default;
};

// One data file. A snapshot holds one per active file, by the million, so
// rarely present fields are CompactOptional (a pointer when empty), path and
// stats are CompactTexts (a pointer each; a snapshot's chunk may place its
// files' texts in its arenas) and partition values are shared between files
// (PartitionValues).
struct DataFile {
  CompactText path;  // as recorded by the table (may be relative to the table root, URL-encoded)
  PartitionValues partition_values;
  int64_t size = 0;
  int64_t modification_time = 0;
  bool data_change = true;
  CompactText stats;  // JSON text, when the table records one
  CompactOptional<DeletionVector> deletion_vector;
  // Delta `tags` of the add (string values; nulls dropped), passed through
  // in delta-format answers.
  CompactOptional<std::map<std::string, std::string>> tags;
};

// Heap and inline bytes a file of a snapshot holds (for cache accounting
// and memory benchmarks); stats_bytes receives the part that is stats text.
size_t DataFileBytes(const DataFile& file, size_t* stats_bytes = nullptr);
// Shares unchanged chunks between snapshots of nearby versions (file_list.h).
using FileList = ChunkedList<DataFile>;

struct TableSnapshot {
  int64_t version = 0;
  int64_t timestamp_ms = 0;  // commit timestamp of `version`
  TableProtocol protocol;
  TableMetadata metadata;
  // Active files in a deterministic order per version (Delta: by percent-
  // decoded path, with data_change false: it describes commits, not state).
  FileList files;
  // Set when the listed data files alone do not hold the snapshot's rows
  // (e.g. Iceberg delete files that cannot be served as deletion vectors):
  // every response format is refused with this reason.
  std::optional<std::string> unreadable_reason;
};

// One commit's effect on the data, for change data feed (/changes) and
// streaming queries (startingVersion).
enum class ChangeType { kAdd, kRemove, kCdc };

struct FileChange {
  ChangeType type = ChangeType::kAdd;
  // For kRemove, fields the log does not record (size, stats) may be empty;
  // for kCdc, `path` points into _change_data/.
  DataFile file;
  std::optional<int64_t> deletion_timestamp;  // kRemove only
};

struct CommitChanges {
  int64_t version = 0;
  int64_t timestamp_ms = 0;                      // as VersionAtTimestamp sees it
  std::optional<TableProtocol> protocol;         // set when this commit changed it
  std::optional<TableMetadata> metadata;         // set when this commit changed it
  std::vector<FileChange> changes;               // every add/remove/cdc, in log order
  std::optional<std::string> operation;          // commitInfo.operation ("WRITE", "MERGE", ...)
  std::optional<std::string> operation_metrics;  // commitInfo.operationMetrics as JSON text
};

enum class TimestampBound {
  kAtOrBefore,  // time travel: the latest version committed at or before the timestamp
  kAtOrAfter,   // startingTimestamp: the earliest version committed at or after it
};

class TableFormat {
 public:
  virtual ~TableFormat() = default;

  virtual Result<int64_t> LatestVersion() = 0;
  // LatestVersion, refusing a latest version that Snapshot would refuse
  // when the format can tell cheaply (a Delta commit that does not parse);
  // never loads a snapshot. For /version. The default is LatestVersion.
  virtual Result<int64_t> LatestVersionChecked() { return LatestVersion(); }
  // The snapshot at `version`, or the latest one. A version outside the
  // table's range is kInvalidArgument with a message naming the range
  // (kNotFound means the table itself is missing).
  virtual Result<std::shared_ptr<const TableSnapshot>> Snapshot(std::optional<int64_t> version) = 0;
  // The snapshot at `version` with every file that carries a deletion vector
  // the format derived itself (Hudi's delete-only log files) replaced by an
  // equivalent file without one, for clients that cannot apply deletion
  // vectors. kUnsupported (the default) for formats without such files.
  virtual Result<std::shared_ptr<const TableSnapshot>> SnapshotWithoutDeletionVectors(
      int64_t version) {
    return Status::Unsupported("this table format has no snapshots without deletion vectors");
  }
  // Maps a commit timestamp (ms) to a version. Out of range is kInvalidArgument.
  virtual Result<int64_t> VersionAtTimestamp(int64_t timestamp_ms, TimestampBound bound) = 0;
  // The full storage location of a file path recorded in the table.
  virtual Result<std::string> ResolveFilePath(std::string_view recorded_path) const = 0;
  // The same into *out, reusing its buffer (called once per file of an
  // answer). The default calls ResolveFilePath.
  virtual Status ResolveFilePathInto(std::string_view recorded_path, std::string* out) const {
    LS_ASSIGN_OR_RETURN(*out, ResolveFilePath(recorded_path));
    return Status::OK();
  }

  // The commits start..end (both inclusive, start <= end <= latest), each
  // with its actions. kInvalidArgument for versions outside the log;
  // kUnsupported for formats without a change log.
  virtual Result<std::vector<CommitChanges>> Changes(int64_t start_version, int64_t end_version) {
    return Status::Unsupported("this table format does not record changes");
  }
};

}  // namespace lakeshare
