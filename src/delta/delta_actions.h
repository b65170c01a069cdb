// The actions of one Delta commit file, parsed with simdjson.
//
// A commit file (`_delta_log/NNNNNNNNNNNNNNNNNNNN.json`) holds one JSON action
// per line (so does a V2 checkpoint in JSON). We keep the actions a sharing
// server needs (protocol, metaData, add, remove, cdc, commitInfo, and a V2
// checkpoint's sidecar and checkpointMetadata) and ignore the others (txn, domainMetadata,
// ...) as well as unknown fields, like Delta readers do. Blank lines are
// skipped. Malformed content (bad JSON, wrong field types, missing required
// fields, out-of-range numbers, nesting deeper than simdjson's limit, a file
// with no action at all) is kCorruption naming the file and line.
//
// commitInfo is free-form provenance in the Delta protocol: apart from
// inCommitTimestamp (which decides commit timestamps, so it must be an
// integer), its fields are kept when they have the expected type and
// ignored otherwise, never an error.
//
// Functions here are pure and thread-safe. Memory is bounded by the size of
// the input: the caller decides how large a commit file may be.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "common/status.h"
#include "table/table_format.h"

namespace lakeshare {

// A file's partition values as the log records them (null: a null value).
using DeltaPartitionValues = PartitionValues;

struct DeltaCommitInfo {
  std::optional<int64_t> in_commit_timestamp;  // only meaningful when ICT is enabled
  std::optional<int64_t> timestamp;            // the writer's wall clock (informational)
  std::optional<std::string> operation;        // "WRITE", "MERGE", ... when a string
  // The operationMetrics object re-serialized as compact JSON (Spark writes
  // string values: {"numOutputRows":"10",...}); absent unless an object.
  std::optional<std::string> operation_metrics;
};

// A remove action. Only `path` is required: writers before Delta 1.0 (and
// delta-rs) record neither partition values nor size nor stats, so those
// stay empty when absent (or null).
struct DeltaRemove {
  std::string path;  // as recorded (relative and percent-encoded, or an absolute URI)
  CompactOptional<DeletionVector> deletion_vector;
  bool data_change = true;
  std::optional<int64_t> deletion_timestamp;
  std::optional<bool> extended_file_metadata;
  std::optional<DeltaPartitionValues> partition_values;
  std::optional<int64_t> size;
  std::optional<std::string> stats;                        // JSON text, verbatim
  std::optional<std::map<std::string, std::string>> tags;  // null values dropped
};

// A cdc action: a file of change data (usually under `_change_data/`, with
// the `_change_type` column) written alongside the commit's adds/removes.
// path, partitionValues and size are required.
struct DeltaCdc {
  std::string path;  // as recorded, relative to the table root like add paths
  DeltaPartitionValues partition_values;
  int64_t size = 0;
  bool data_change = false;  // Delta writes false: cdc files never change the table
  std::optional<std::map<std::string, std::string>> tags;  // null values dropped
};

// A sidecar action (V2 checkpoints only): a parquet file of add/remove
// actions in `_delta_log/_sidecars/`. path and sizeInBytes are required.
struct DeltaSidecar {
  std::string path;  // as recorded: usually the file name, relative to _sidecars/
  int64_t size_in_bytes = 0;
  std::optional<int64_t> modification_time;
};

// An add (a DataFile), a remove or a cdc, in the order the commit lists them.
using DeltaFileAction = std::variant<DataFile, DeltaRemove, DeltaCdc>;

struct DeltaCommit {
  std::optional<DeltaCommitInfo> commit_info;  // the first commitInfo of the file
  std::optional<TableProtocol> protocol;
  std::optional<TableMetadata> metadata;
  std::vector<DeltaFileAction> file_actions;
  // V2 checkpoint files (JSON) only: their sidecar and checkpointMetadata actions.
  std::vector<DeltaSidecar> sidecars;
  std::optional<int64_t> checkpoint_metadata_version;
};

enum class DeltaParseMode {
  kAll,
  // Only commitInfo, protocol and metaData: lines holding other actions are
  // skipped without being parsed (enough to resolve commit timestamps).
  kHeadersOnly,
};

// Parses the content of a commit file. `name` (usually the file's location)
// is used in error messages. Takes the content by value because the parser
// needs a few bytes of padding after it.
Result<DeltaCommit> ParseDeltaCommit(std::string content, std::string_view name,
                                     DeltaParseMode mode = DeltaParseMode::kAll);

// The table-format view of a file action, for change data feed. An add keeps
// every DataFile field; a remove's absent partition values, size and stats
// become empty/0/none (its modification_time is 0: the log has none); a cdc
// file has no stats, deletion vector or modification time. Delta-only fields
// (tags, extendedFileMetadata) are not carried.
FileChange ToFileChange(DeltaFileAction action);

}  // namespace lakeshare
