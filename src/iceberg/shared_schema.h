// How an Iceberg snapshot's schema is presented to Delta Sharing clients:
// the Delta protocol (reader features the schema needs), the Delta metadata
// (Spark schema string, partition columns, comment) and the partition
// columns exposed as partition values (top-level identity partitions that
// every partition spec in use has).
//
// AnalyzeSchema also finds what makes a snapshot unreadable by name-based
// parquet readers: a column renamed, or dropped and added again, in another
// schema of the table. Pure functions: thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "iceberg/iceberg_metadata.h"
#include "iceberg/iceberg_schema.h"
#include "table/table_format.h"

namespace lakeshare::iceberg {

struct SchemaReport {
  std::vector<std::string> reader_features;
  std::optional<std::string> unreadable;
  std::set<int32_t> default_field_ids;  // fields with an initial default
};

SchemaReport AnalyzeSchema(const IcebergMetadata& m, const Schema& s);

// The ids of every field of `s`, nested ones included.
std::set<int32_t> AllFieldIds(const Schema& s);

// The schema a snapshot was written with (the current one for the current
// snapshot, for nullptr, or when the snapshot names none).
const Schema* SchemaFor(const IcebergMetadata& m, const SnapshotInfo* s);

// A column shared as partition values, by name.
using PartitionColumnList = std::vector<std::pair<std::string, const NestedField*>>;
// The partition columns of a snapshot whose manifests use `spec_ids` (none:
// the default spec).
PartitionColumnList PartitionColumns(const IcebergMetadata& m, const Schema& schema,
                                     const std::set<int32_t>& spec_ids);

TableProtocol MakeProtocol(const SchemaReport& report);
TableMetadata MakeMetadata(const std::string& table_id, const IcebergMetadata& m,
                           const Schema& schema, const PartitionColumnList& partition_columns);

}  // namespace lakeshare::iceberg
