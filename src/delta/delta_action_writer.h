// Writes Delta log actions as the log's newline-delimited JSON, fields in
// the order Spark writes them: the one writer of Delta commits, used by the
// demo tables and the synthetic benchmark tables (demo/). Checkpoints are
// delta_checkpoint_writer.h.
//
// Every Append* function appends one action and its '\n'. Add and remove
// actions carry path, partition values, size, the file's deletion vector
// descriptor when it has one (and for adds modification time and stats);
// tags are not written (no writer here produces them). Pure functions, thread-safe, except
// WriteDeltaLogFile (the local file system; kIOError on failure).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/status.h"
#include "table/table_format.h"

namespace lakeshare {

class JsonWriter;

struct CommitInfoAction {
  int64_t timestamp_ms = 0;
  std::string operation = "WRITE";
  std::vector<std::pair<std::string, std::string>> operation_parameters;
  std::optional<int64_t> read_version;  // the version before, for commits after 0
  std::optional<std::string> isolation_level;
  bool is_blind_append = true;
  // Written as strings, as Spark does.
  std::optional<std::vector<std::pair<std::string, int64_t>>> operation_metrics;
  std::optional<std::string> engine_info;
  std::optional<std::string> txn_id;
};

// Writes the "deletionVector" key and Delta's descriptor object (offset only
// for DVs stored in files): the one spelling of it, for the log and for the
// sharing answers' delta-format lines.
void WriteDeletionVectorField(JsonWriter& w, const DeletionVector& dv);

void AppendCommitInfoAction(const CommitInfoAction& info, std::string* out);
void AppendProtocolAction(const TableProtocol& protocol, std::string* out);
void AppendMetadataAction(const TableMetadata& metadata, std::string* out);
void AppendAddAction(const DataFile& file, std::string* out);
void AppendRemoveAction(const DataFile& file, int64_t deletion_timestamp_ms, std::string* out);
// A change data file (`cdc`): rows with their _change_type, under _change_data/.
void AppendCdcAction(const DataFile& file, std::string* out);

// Writes a log file (a commit, a checkpoint, _last_checkpoint) at the local
// `path` and sets its modification time, which readers take as the commit
// time of logs without in-commit timestamps.
Status WriteDeltaLogFile(const std::string& path, std::string_view content, int64_t mtime_ms);

}  // namespace lakeshare
