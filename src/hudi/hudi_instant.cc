#include "hudi/hudi_instant.h"

#include <ctime>

#include "common/time_util.h"

namespace lakeshare::hudi {
namespace {

bool AllDigits(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
  }
  return true;
}

int Digits(std::string_view s, size_t pos, size_t n) {
  int v = 0;
  for (size_t i = pos; i < pos + n; ++i) v = v * 10 + (s[i] - '0');
  return v;
}

constexpr std::string_view kKnownActions[] = {
    "commit",  "deltacommit", "replacecommit", "clean",      "rollback", "savepoint",
    "restore", "compaction",  "logcompaction", "clustering", "indexing", "schemacommit"};

bool KnownAction(std::string_view a) {
  for (std::string_view k : kKnownActions) {
    if (a == k) return true;
  }
  return false;
}

}  // namespace

bool IsInstantTime(std::string_view time) { return time.size() >= 14 && AllDigits(time); }

bool IsWriteAction(std::string_view action) {
  return action == "commit" || action == "deltacommit" || action == "replacecommit";
}

std::optional<InstantFile> ParseInstantFileName(std::string_view name, int layout_version) {
  size_t dot = name.find('.');
  if (dot == std::string_view::npos) return std::nullopt;
  std::string_view head = name.substr(0, dot);
  std::string_view rest = name.substr(dot + 1);
  InstantFile f;
  if (layout_version >= 2) {
    size_t underscore = head.find('_');
    if (underscore != std::string_view::npos) {
      std::string_view completion = head.substr(underscore + 1);
      head = head.substr(0, underscore);
      if (!IsInstantTime(completion)) return std::nullopt;
      f.completion_time = std::string(completion);
    }
  }
  if (!IsInstantTime(head)) return std::nullopt;
  f.time = std::string(head);
  if (rest == "inflight") {
    if (f.completion_time) return std::nullopt;
    f.action = "commit";
    f.state = InstantState::kInflight;
    return f;
  }
  size_t dot2 = rest.find('.');
  std::string_view action = rest.substr(0, dot2);
  if (!KnownAction(action)) return std::nullopt;
  f.action = std::string(action);
  if (dot2 == std::string_view::npos) {
    f.state = InstantState::kCompleted;
    // Layout 2 names every completed instant with its completion time.
    if (layout_version >= 2 && !f.completion_time) return std::nullopt;
    return f;
  }
  if (f.completion_time) return std::nullopt;
  std::string_view suffix = rest.substr(dot2 + 1);
  if (suffix == "requested") {
    f.state = InstantState::kRequested;
  } else if (suffix == "inflight") {
    f.state = InstantState::kInflight;
  } else {
    return std::nullopt;
  }
  return f;
}

Result<int64_t> InstantTimeMillis(std::string_view time, bool utc) {
  if (!IsInstantTime(time)) {
    return Status::Corruption("'" + std::string(time.substr(0, 40)) + "' is not an instant time");
  }
  int year = Digits(time, 0, 4), month = Digits(time, 4, 2), day = Digits(time, 6, 2);
  int hour = Digits(time, 8, 2), minute = Digits(time, 10, 2), second = Digits(time, 12, 2);
  int millis = time.size() >= 17 ? Digits(time, 14, 3) : 0;
  // The metadata table's initial instants ("00000000000000000...") are
  // before every real one.
  if (year == 0 && month == 0 && day == 0) return int64_t{0};
  if (month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 || minute > 59 || second > 60) {
    return Status::Corruption("'" + std::string(time.substr(0, 40)) +
                              "' is not a valid instant time");
  }
  if (utc) {
    int64_t days = DaysFromCivil(year, static_cast<unsigned>(month), static_cast<unsigned>(day));
    return ((days * 24 + hour) * 60 + minute) * 60000 + int64_t{second} * 1000 + millis;
  }
  std::tm tm{};
  tm.tm_year = year - 1900;
  tm.tm_mon = month - 1;
  tm.tm_mday = day;
  tm.tm_hour = hour;
  tm.tm_min = minute;
  tm.tm_sec = second;
  tm.tm_isdst = -1;
  std::time_t t = std::mktime(&tm);
  return static_cast<int64_t>(t) * 1000 + millis;
}

}  // namespace lakeshare::hudi
