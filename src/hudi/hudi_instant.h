// Hudi instants: the files of a timeline folder and the instant times in
// their names.
//
// Layout 1 (table version 6, files directly in .hoodie/):
//   <time>.<action>              completed
//   <time>.<action>.requested    requested      <time>.<action>.inflight  inflight
//   <time>.inflight              an inflight commit
// Layout 2 (table versions 8 and 9, files in .hoodie/timeline/):
//   <time>_<completion time>.<action>  completed; requested/inflight as above.
// Instant times are yyyyMMddHHmmss[SSS] (also with further digits, as the
// metadata table writes them).
//
// Pure functions; thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "common/status.h"

namespace lakeshare::hudi {

enum class InstantState { kRequested, kInflight, kCompleted };

struct InstantFile {
  std::string time;  // the requested (instant) time
  std::optional<std::string> completion_time;
  std::string action;  // "commit", "deltacommit", "replacecommit", "clean", ...
  InstantState state = InstantState::kCompleted;
};

// The instant a timeline file name describes; nullopt for other files
// (hoodie.properties, folders, temporary files).
std::optional<InstantFile> ParseInstantFileName(std::string_view name, int layout_version);

// Actions whose completed instants write data files (versions of the table).
bool IsWriteAction(std::string_view action);

// True when `time` is a well-formed instant time (at least 14 digits).
bool IsInstantTime(std::string_view time);

// Milliseconds since the epoch of an instant time, read in UTC or in the
// server's local time zone. kCorruption for malformed times.
Result<int64_t> InstantTimeMillis(std::string_view time, bool utc);

}  // namespace lakeshare::hudi
