#include "delta/delta_commit_timestamps.h"

#include <algorithm>
#include <cctype>
#include <limits>
#include <string>

#include "common/strings.h"
#include "common/time_util.h"

namespace lakeshare {

bool ProtocolHasIctFeature(const TableProtocol& protocol) {
  if (!protocol.writer_features) return false;
  const auto& f = *protocol.writer_features;
  return std::find(f.begin(), f.end(), "inCommitTimestamp") != f.end();
}

bool ConfigurationEnablesIct(const TableMetadata& metadata) {
  auto it = metadata.configuration.find("delta.enableInCommitTimestamps");
  // Delta parses boolean table properties case-insensitively.
  return it != metadata.configuration.end() && EqualsIgnoreCase(it->second, "true");
}

CommitTimestampInfo TimestampInfoOf(const DeltaCommit& commit) {
  CommitTimestampInfo info;
  if (commit.commit_info) info.in_commit_timestamp = commit.commit_info->in_commit_timestamp;
  if (commit.protocol) info.ict_feature = ProtocolHasIctFeature(*commit.protocol);
  if (commit.metadata) info.ict_config = ConfigurationEnablesIct(*commit.metadata);
  return info;
}

CommitTimestampResolver CommitTimestampResolver::After(const TableSnapshot& snapshot,
                                                       bool bounded) {
  CommitTimestampResolver r;
  r.ict_feature_ = ProtocolHasIctFeature(snapshot.protocol);
  r.ict_config_ = ConfigurationEnablesIct(snapshot.metadata);
  if (bounded) r.previous_ = snapshot.timestamp_ms;
  return r;
}

CommitTimestampResolver CommitTimestampResolver::WithUnknownState() {
  CommitTimestampResolver r;
  r.ict_feature_.reset();
  r.ict_config_.reset();
  return r;
}

Result<int64_t> CommitTimestampResolver::Next(const CommitTimestampInfo& info,
                                              int64_t file_modification_ms, std::string_view file) {
  if (info.ict_feature) ict_feature_ = info.ict_feature;
  if (info.ict_config) ict_config_ = info.ict_config;
  bool ict = ict_feature_ && ict_config_ ? (*ict_feature_ && *ict_config_)
                                         : info.in_commit_timestamp.has_value();
  int64_t ts;
  if (ict) {
    if (!info.in_commit_timestamp) {
      return Status::Corruption("Delta commit " + std::string(file) +
                                ": in-commit timestamps are enabled but commitInfo has no "
                                "inCommitTimestamp");
    }
    ts = *info.in_commit_timestamp;
  } else {
    ts = file_modification_ms;
    if (previous_ && ts <= *previous_ && *previous_ < std::numeric_limits<int64_t>::max()) {
      ts = *previous_ + 1;
    }
  }
  previous_ = ts;
  return ts;
}

Result<int64_t> FindVersionAtTimestamp(const std::vector<VersionTimestamp>& commits,
                                       int64_t timestamp_ms, TimestampBound bound) {
  if (commits.empty()) return Status::Internal("FindVersionAtTimestamp: no commits");
  const VersionTimestamp& latest = commits.back();
  if (timestamp_ms > latest.timestamp_ms) {
    return Status::InvalidArgument("The provided timestamp (" + FormatIso8601Millis(timestamp_ms) +
                                   ") is after the latest version available to this table (" +
                                   std::to_string(latest.version) +
                                   "). Please use a timestamp less than or equal to " +
                                   FormatIso8601Millis(latest.timestamp_ms) + ".");
  }
  if (bound == TimestampBound::kAtOrAfter) {
    for (const VersionTimestamp& c : commits) {
      if (c.timestamp_ms >= timestamp_ms) return c.version;
    }
    return latest.version;  // unreachable: latest.timestamp_ms >= timestamp_ms
  }
  for (auto it = commits.rbegin(); it != commits.rend(); ++it) {
    if (it->timestamp_ms <= timestamp_ms) return it->version;
  }
  int64_t earliest_ts = latest.timestamp_ms;
  for (const VersionTimestamp& c : commits) earliest_ts = std::min(earliest_ts, c.timestamp_ms);
  return Status::InvalidArgument("The provided timestamp (" + FormatIso8601Millis(timestamp_ms) +
                                 ") is before the earliest version available to this table (" +
                                 std::to_string(commits.front().version) +
                                 "). Please use a timestamp greater than or equal to " +
                                 FormatIso8601Millis(earliest_ts) + ".");
}

}  // namespace lakeshare
