// Delta column mapping (modes "name" and "id"): data files, partition values
// and stats use physical column names recorded in the schema's field
// metadata (`delta.columnMapping.physicalName`), while clients and predicate
// hints use the logical names.
#pragma once

#include <map>
#include <optional>
#include <string>

#include "table/table_format.h"

namespace lakeshare {

// "name" or "id" when the table maps columns; nullopt for "none" or unset.
std::optional<std::string> ColumnMappingMode(const TableMetadata& metadata);

// Lowercased logical column paths ("a", "s.inner") to physical paths
// ("col-1a2b...", "col-...x.col-...y"), for every field of the schema that
// records a physical name (nested structs included). Fields without one map
// to their own name. Empty for a schema that does not parse.
std::map<std::string, std::string> LogicalToPhysicalColumns(const std::string& schema_string);

}  // namespace lakeshare
