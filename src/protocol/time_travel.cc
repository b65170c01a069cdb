#include "protocol/time_travel.h"

#include "common/time_util.h"

namespace lakeshare {

Status HistoryNotShared(const std::string& table_name) {
  return Status::InvalidArgument(
      "Reading table by version or timestamp is not supported because history sharing is not "
      "enabled on table: " +
      table_name);
}

Result<std::optional<int64_t>> SelectVersion(TableFormat& table, const TableInfo& info,
                                             const std::string& full_name,
                                             std::optional<int64_t> version,
                                             const std::optional<std::string>& timestamp) {
  if (!version && !timestamp) return std::optional<int64_t>();
  if (!info.history_shared) return HistoryNotShared(full_name);
  if (timestamp) {
    auto ms = ParseTimestampMillis(*timestamp);
    if (!ms.ok()) return Status::InvalidArgument("Invalid timestamp: " + ms.status().message());
    LS_ASSIGN_OR_RETURN(int64_t v, table.VersionAtTimestamp(*ms, TimestampBound::kAtOrBefore));
    version = v;
  }
  if (*version < info.start_version) {
    return Status::InvalidArgument("You can only query table data since version " +
                                   std::to_string(info.start_version) + ".");
  }
  return version;
}

}  // namespace lakeshare
