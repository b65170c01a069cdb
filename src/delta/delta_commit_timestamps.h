// Commit timestamps of a Delta table and the timestamp -> version mapping.
//
// A commit's timestamp is its in-commit timestamp (commitInfo.inCommitTimestamp)
// when in-commit timestamps (ICT) are enabled at that version: the protocol
// has the writer feature "inCommitTimestamp" AND the configuration sets
// delta.enableInCommitTimestamps=true. Otherwise it is the commit file's
// modification time, pushed forward to be strictly greater than the previous
// commit's timestamp (as Delta's history manager does); ICT values are used
// as recorded.
//
// All types here are plain values; none is shared between threads.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "delta/delta_actions.h"
#include "table/table_format.h"

namespace lakeshare {

// What one commit contributes to timestamp resolution (a few bytes, cheap to
// cache per version).
struct CommitTimestampInfo {
  std::optional<int64_t> in_commit_timestamp;
  std::optional<bool> ict_feature;  // set iff the commit has a protocol action
  std::optional<bool> ict_config;   // set iff the commit has a metaData action
};

CommitTimestampInfo TimestampInfoOf(const DeltaCommit& commit);
bool ProtocolHasIctFeature(const TableProtocol& protocol);
bool ConfigurationEnablesIct(const TableMetadata& metadata);

// Folds commits, in version order, into their timestamps.
class CommitTimestampResolver {
 public:
  // Before version 0: no protocol or metadata yet, so ICT is off.
  CommitTimestampResolver() : ict_feature_(false), ict_config_(false) {}
  // Continues after `snapshot` (the next commit is snapshot.version + 1).
  // `bounded`: the next file-time timestamp must exceed the snapshot's
  // (false when the snapshot's timestamp is not a commit timestamp, e.g. a
  // checkpoint file's time).
  static CommitTimestampResolver After(const TableSnapshot& snapshot, bool bounded = true);
  // Starts at a commit whose predecessors are gone (the log was cleaned up
  // after a checkpoint): until a protocol and a metaData action have been
  // seen, a commit counts as ICT iff it records an inCommitTimestamp, which
  // the ICT specification requires of every commit made while ICT is on.
  static CommitTimestampResolver WithUnknownState();

  // The timestamp of the next commit. kCorruption (naming `file`) when ICT is
  // enabled but the commit records no inCommitTimestamp.
  Result<int64_t> Next(const CommitTimestampInfo& info, int64_t file_modification_ms,
                       std::string_view file);

 private:
  std::optional<bool> ict_feature_;
  std::optional<bool> ict_config_;
  std::optional<int64_t> previous_;
};

struct VersionTimestamp {
  int64_t version = 0;
  int64_t timestamp_ms = 0;
};

// Maps `timestamp_ms` to a version of `commits` (consecutive versions in
// order, not empty). kAtOrBefore: the latest version with timestamp <= t;
// kAtOrAfter: the earliest version with timestamp >= t (the first version if t
// is before every commit). kInvalidArgument, with Delta's wording, when t is
// after the latest commit's timestamp, or (kAtOrBefore) before every commit.
// ICT timestamps need not be monotonic, so this scans rather than bisects.
Result<int64_t> FindVersionAtTimestamp(const std::vector<VersionTimestamp>& commits,
                                       int64_t timestamp_ms, TimestampBound bound);

}  // namespace lakeshare
