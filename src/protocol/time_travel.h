// Which version of a table a request names (version, timestamp), checked
// against the table's sharing settings (historyShared, startVersion).
// kInvalidArgument with the reference server's messages. Thread-safe as
// the TableFormat is.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "catalog/catalog.h"
#include "common/status.h"
#include "table/table_format.h"

namespace lakeshare {

// The refusal of any version/timestamp request on a table without shared history.
Status HistoryNotShared(const std::string& table_name);

// The version a time-travel request names; nullopt for "latest" (neither
// given). Errors of the table itself are returned as they are.
Result<std::optional<int64_t>> SelectVersion(TableFormat& table, const TableInfo& info,
                                             const std::string& full_name,
                                             std::optional<int64_t> version,
                                             const std::optional<std::string>& timestamp);

}  // namespace lakeshare
