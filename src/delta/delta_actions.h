// The actions of one Delta commit file, parsed with simdjson.
//
// A commit file (`_delta_log/NNNNNNNNNNNNNNNNNNNN.json`) holds one JSON action
// per line. We keep the actions a sharing server needs (protocol, metaData,
// add, remove, commitInfo) and ignore the others (cdc, txn, domainMetadata,
// ...) as well as unknown fields, like Delta readers do. Blank lines are
// skipped. Malformed content (bad JSON, wrong field types, missing required
// fields, out-of-range numbers, nesting deeper than simdjson's limit, a file
// with no action at all) is kCorruption naming the file and line.
//
// Functions here are pure and thread-safe. Memory is bounded by the size of
// the input: the caller decides how large a commit file may be.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "common/status.h"
#include "table/table_format.h"

namespace lakeshare {

struct DeltaCommitInfo {
  std::optional<int64_t> in_commit_timestamp;  // only meaningful when ICT is enabled
  std::optional<int64_t> timestamp;            // the writer's wall clock (informational)
};

struct DeltaRemove {
  std::string path;  // as recorded (relative and percent-encoded, or an absolute URI)
  std::optional<DeletionVector> deletion_vector;
  bool data_change = true;
  std::optional<int64_t> deletion_timestamp;
};

// An add (a DataFile) or a remove, in the order the commit lists them.
using DeltaFileAction = std::variant<DataFile, DeltaRemove>;

struct DeltaCommit {
  std::optional<DeltaCommitInfo> commit_info;
  std::optional<TableProtocol> protocol;
  std::optional<TableMetadata> metadata;
  std::vector<DeltaFileAction> file_actions;
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

}  // namespace lakeshare
