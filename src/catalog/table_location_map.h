// An Iceberg table's location map (recorded location prefix -> real
// location) as the catalogs hand it to the Iceberg format: the table's
// "locationMap" format option, one "from\tto" line per entry, in order.
// The database catalog stores the same text in shared_tables.location_map.
//
// Pure functions: thread-safe. Errors are kInvalidArgument naming the entry.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/status.h"

namespace lakeshare {

using TableLocationMap = std::vector<std::pair<std::string, std::string>>;

inline constexpr const char* kLocationMapOption = "locationMap";
inline constexpr size_t kMaxLocationMapEntries = 64;

// The option text of `map` ("" for an empty map). Entries must be valid
// (ValidateTableLocationMap): tabs and newlines would break the lines.
std::string EncodeTableLocationMap(const TableLocationMap& map);
// The entries of an option text; kInvalidArgument for a line without a tab.
Result<TableLocationMap> DecodeTableLocationMap(std::string_view text);

// The rules of the config file's `locationMap:` for a table of `format`:
// iceberg tables only; at most kMaxLocationMapEntries entries; each side
// non-empty, not "/", without tabs, newlines or other control characters,
// at most `max_length` bytes; no prefix twice. Real locations must be
// absolute paths or URIs (the database has no folder to resolve against).
Status ValidateTableLocationMap(const std::string& format, const TableLocationMap& map,
                                size_t max_length);

}  // namespace lakeshare
